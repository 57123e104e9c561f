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

    def __repr__(self):
        if not self.epoch:
            return "<History: no epochs>"
        last = ", ".join(
            f"{k}={float(v[-1]):.4g}" for k, v in self.history.items() if v
        )
        return f"<History: {len(self.epoch)} epochs; last: {last}>"

    def _repr_html_(self):
        """A table of the metrics per epoch, for Jupyter."""
        keys = list(self.history)
        head = "".join(f"<th>{k}</th>" for k in ["epoch", *keys])
        rows = "".join(
            f"<tr><td>{epoch + 1}</td>"
            + "".join(f"<td>{float(self.history[k][i]):.4g}</td>" for k in keys)
            + "</tr>"
            for i, epoch in enumerate(self.epoch)
        )
        return f"<table><tr>{head}</tr>{rows}</table>"
