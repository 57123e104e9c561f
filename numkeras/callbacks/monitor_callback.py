"""MonitorCallback: the "is this an improvement?" logic EarlyStopping and
ModelCheckpoint share (Keras 3's `keras.callbacks.MonitorCallback`).

mode="auto": a `val_` prefix is stripped; "loss" is minimized; any other name
must match a compiled metric (the model's metrics, resolved after the first
batch) whose `_direction` is "up" (maximize) or "down"; otherwise ValueError,
as in Keras 3 (no guessing from the name).
"""

import warnings

import numpy as np

from .callback import Callback


class MonitorCallback(Callback):
    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{type(self).__name__} mode '{mode}' is unknown, "
                "fallback to auto mode.",
                stacklevel=3,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _compiled_metrics(self):
        state = getattr(self.model, "_state", None)
        if state is None:
            return []
        return list(getattr(state, "metrics", [])) + list(
            getattr(state, "weighted_metrics", [])
        )

    def _set_monitor_op(self):
        if self.mode == "min":
            self.monitor_op = np.less
        elif self.mode == "max":
            self.monitor_op = np.greater
        else:
            name = self.monitor.removeprefix("val_")
            if name == "loss":
                self.monitor_op = np.less
            for metric in self._compiled_metrics():
                direction = getattr(metric, "_direction", None)
                if getattr(metric, "name", None) == name and direction in (
                    "up",
                    "down",
                ):
                    self.monitor_op = np.greater if direction == "up" else np.less
            if self.monitor_op is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, "
                    "but Keras isn't able to automatically determine whether that "
                    "metric should be maximized or minimized. Pass `mode='max'` in "
                    "order to monitor based on the highest metric value, or pass "
                    "`mode='min'` in order to use the lowest value."
                )
        if self.monitor_op is np.less:
            self.min_delta *= -1

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))
