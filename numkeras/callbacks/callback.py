"""The Callback base class (every hook a no-op) and the CallbackList dispatcher.

Hook order inside `fit` (Keras 3): on_train_begin, then per epoch
on_epoch_begin(e), per batch on_train_batch_begin(i) / on_train_batch_end(i,
logs), validation (on_test_begin ... on_test_end), on_epoch_end(e, logs), and
finally on_train_end(logs). Epochs and batches are 0-based.
"""


class Callback:
    """Base class: override the hooks you need. `self.model` and `self.params`
    ({"verbose", "epochs", "steps"}) are set before training starts."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    def on_train_begin(self, logs=None):
        """Called once before the first epoch."""

    def on_train_end(self, logs=None):
        """Called once after the last epoch, with the last epoch's logs."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of every epoch (0-based `epoch`)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of every epoch; `logs` has the epoch's metrics."""

    def on_batch_begin(self, batch, logs=None):
        """Legacy alias called by the default on_train_batch_begin."""

    def on_batch_end(self, batch, logs=None):
        """Legacy alias called by the default on_train_batch_end."""

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_begin(self, logs=None):
        """Called at the start of evaluate (and of validation inside fit)."""

    def on_test_end(self, logs=None):
        """Called at the end of evaluate, with the test logs."""

    def on_test_batch_begin(self, batch, logs=None):
        """Called before each evaluate batch."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after each evaluate batch with the running test logs."""

    def on_predict_begin(self, logs=None):
        """Called at the start of predict."""

    def on_predict_end(self, logs=None):
        """Called at the end of predict."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before each predict batch."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after each predict batch."""


_BATCH_HOOKS = (
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
)


def _overrides(callback, hook):
    """True when `callback` does something in `hook` (not the base no-op)."""
    cls = type(callback)
    own = getattr(cls, hook, None)
    if own is not getattr(Callback, hook):
        return True
    legacy = {
        "on_train_batch_begin": "on_batch_begin",
        "on_train_batch_end": "on_batch_end",
    }.get(hook)
    return legacy is not None and getattr(cls, legacy) is not getattr(Callback, legacy)


class CallbackList:
    """Calls each hook on every callback, in order.

    Batch hooks are dispatched only to callbacks that override them, so a fit
    with only History and no progress bar does no per-step Python work here.
    """

    def __init__(self, callbacks=None, model=None, **params):
        self.callbacks = list(callbacks or [])
        self.model = model
        self.params = params
        for cb in self.callbacks:
            if model is not None:
                cb.set_model(model)
            cb.set_params(params)
        self._batch_hooks = {
            hook: [getattr(cb, hook) for cb in self.callbacks if _overrides(cb, hook)]
            for hook in _BATCH_HOOKS
        }

    def wants(self, hook):
        """Whether any callback does something in a batch hook."""
        return bool(self._batch_hooks[hook])

    def _call(self, hook, *args):
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def _call_batch(self, hook, batch, logs):
        for fn in self._batch_hooks[hook]:
            fn(batch, logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call_batch("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call_batch("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call_batch("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call_batch("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call_batch("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call_batch("on_predict_batch_end", batch, logs)
