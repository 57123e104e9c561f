"""PyDataset (`keras.utils.PyDataset`, alias `Sequence`): batches by index.

Subclass it, implement `__len__` (the number of batches) and `__getitem__(i)`
(batch i: `(x, y)`, `(x, y, sample_weight)`, or `x` / `(x,)` for predict),
and pass an instance as `x` (or `validation_data`) to fit / evaluate /
predict. Optionally override `on_epoch_begin()` / `on_epoch_end()` (called
at the start / end of every fit epoch), e.g. to reshuffle your data.

How numkeras uses the three constructor arguments (Keras's names):

- `workers`: with `workers > 1`, fit / evaluate / predict fetch the next
  batches ahead in that many threads (in order). NumPy releases the GIL, so
  this helps when `__getitem__` loads files or does array work.
- `max_queue_size`: at most this many batches are fetched ahead.
- `use_multiprocessing`: not supported; numkeras logs a warning and uses
  threads. (Processes would need the dataset to be picklable and would copy
  every batch between processes; for NumPy-heavy loading, threads do as well.)

    class Batches(numkeras.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self):
            return math.ceil(len(self.x) / self.batch_size)

        def __getitem__(self, i):
            part = slice(i * self.batch_size, (i + 1) * self.batch_size)
            return self.x[part], self.y[part]
"""

import logging

logger = logging.getLogger(__name__)


class PyDataset:
    """Base class for datasets that return whole batches by index.

    Args:
        workers: threads fetching batches ahead (1: fetch in the training
            thread).
        use_multiprocessing: accepted for Keras compatibility; numkeras uses
            threads (a warning is logged when True).
        max_queue_size: at most this many batches fetched ahead.
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _default(self, attribute, value):
        if not hasattr(self, attribute):
            logger.warning(
                "Your PyDataset class %s should call super().__init__(**kwargs) "
                "in its constructor (kwargs may hold workers, "
                "use_multiprocessing, max_queue_size).",
                type(self).__name__,
            )
            setattr(self, attribute, value)
        return getattr(self, attribute)

    @property
    def workers(self):
        return self._default("_workers", 1)

    @workers.setter
    def workers(self, value):
        self._workers = value

    @property
    def use_multiprocessing(self):
        return self._default("_use_multiprocessing", False)

    @use_multiprocessing.setter
    def use_multiprocessing(self, value):
        self._use_multiprocessing = value

    @property
    def max_queue_size(self):
        return self._default("_max_queue_size", 10)

    @max_queue_size.setter
    def max_queue_size(self, value):
        self._max_queue_size = value

    def __getitem__(self, index):
        """Batch number `index`."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement __getitem__(index) returning "
            "batch number index."
        )

    def __len__(self):
        raise NotImplementedError(
            f"{type(self).__name__} must implement __len__() returning the "
            "number of batches (or the num_batches property; None for infinite)."
        )

    @property
    def num_batches(self):
        """The number of batches (`len(self)`), or None for an infinite dataset."""
        return len(self)

    def on_epoch_begin(self):
        """Called at the start of every fit epoch."""

    def on_epoch_end(self):
        """Called at the end of every fit epoch."""


Sequence = PyDataset  # the tf.keras 2 name (keras.utils.Sequence)
