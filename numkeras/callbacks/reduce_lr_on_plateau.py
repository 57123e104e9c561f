"""ReduceLROnPlateau: divide the learning rate when a metric stops improving."""

import warnings

import numpy as np

from ..utils.io_utils import print_msg
from .monitor_callback import MonitorCallback


class ReduceLROnPlateau(MonitorCallback):
    """Reduce the learning rate when `monitor` has stopped improving (Keras 3.15).

    At each epoch end: write `logs["learning_rate"]` (the rate used during the
    epoch, a Python float, so History records it); if in cooldown, count it
    down and reset `wait`; if `monitor` improved by more than `min_delta` (the
    first value always does), remember it and reset `wait`; otherwise, outside
    cooldown, `wait += 1`, and when `wait >= patience` and lr > float32(min_lr):
    lr = max(lr * factor, min_lr), start the cooldown and reset `wait`.

    mode "auto" is MonitorCallback's, shared with EarlyStopping as in Keras
    3.15 ("loss" is minimized, other names follow the compiled metric's
    direction, else ValueError; older Keras looked for "acc" in the name).
    It is resolved at the first epoch end.
    """

    def __init__(
        self,
        monitor="val_loss",
        factor=0.1,
        patience=10,
        verbose=0,
        mode="auto",
        min_delta=1e-4,
        cooldown=0,
        min_lr=0.0,
        **kwargs,
    ):
        super().__init__(monitor, mode, min_delta=min_delta)
        if kwargs:
            warnings.warn(
                f"ReduceLROnPlateau ignores the argument(s) {sorted(kwargs)} "
                "(as Keras 3 does).",
                stacklevel=2,
            )
        if factor >= 1.0:
            raise ValueError(
                "ReduceLROnPlateau does not support a factor >= 1.0. "
                f"Received factor={factor}"
            )
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self):
        """Reset `best`, `wait` and the cooldown counter."""
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()  # the model's metrics exist by now
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                "Learning rate reduction is conditioned on metric "
                f"`{self.monitor}` which is not available. Available metrics "
                f"are: {','.join(logs)}.",
                stacklevel=2,
            )
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(optimizer.learning_rate)
                if old_lr > np.float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print_msg(
                            f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing "
                            f"learning rate to {new_lr}."
                        )
                    self.cooldown_counter = self.cooldown
                    self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0
