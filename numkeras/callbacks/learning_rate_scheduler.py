"""LearningRateScheduler: set the learning rate from a function of the epoch."""

import numpy as np

from ..utils.io_utils import print_msg
from .callback import Callback


class LearningRateScheduler(Callback):
    """At each epoch start, set lr = schedule(epoch, lr) (Keras 3).

    `epoch` is 0-based. A one-argument `schedule(epoch)` (the old API) is
    supported: a TypeError from the two-argument call falls back to it, as in
    Keras. The result must be a float (Python, np.float32 or np.float64), else
    ValueError. At each epoch end `logs["learning_rate"]` is written (a Python
    float) so History records it.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:  # new API
            learning_rate = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:  # old API: schedule(epoch)
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.float32, np.float64)):
            raise ValueError(
                "The output of the `schedule` function should be a float. "
                f"Got: {learning_rate}"
            )
        optimizer.learning_rate = learning_rate
        if self.verbose > 0:
            print_msg(
                f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning "
                f"rate to {learning_rate}."
            )

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
