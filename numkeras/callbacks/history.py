"""History: records every epoch's logs; `fit` returns it (also `model.history`)."""

from .callback import Callback


class History(Callback):
    """`history.history` maps each log key to a list with one value per epoch;
    `history.epoch` lists the epoch indices (0-based, from initial_epoch)."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self
