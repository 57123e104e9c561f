"""ProgbarLogger: the callback that prints `Epoch k/N` and the progress bar."""

from ..utils.io_utils import print_msg
from ..utils.progbar import Progbar
from .callback import Callback


class ProgbarLogger(Callback):
    """Added by fit/evaluate/predict when verbose != 0 (after user callbacks).

    Prints "Epoch k/N" only when training for more than one epoch (Keras 3).
    """

    def __init__(self):
        super().__init__()
        self.verbose = 1
        self.epochs = 1
        self.target = None
        self.progbar = None
        self._in_training = False  # validation inside fit draws no bar of its own

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def _new_bar(self, target):
        self.progbar = Progbar(target=target, verbose=self.verbose, unit_name="step")

    def _update(self, current, logs, finalize):
        logs = logs or {}
        # every value the model logs is already a running mean: show it as is
        self.progbar.stateful_metrics.update(logs)
        self.progbar.update(current, list(logs.items()), finalize=finalize)

    def on_train_begin(self, logs=None):
        self._in_training = True

    def on_train_end(self, logs=None):
        self._in_training = False

    def on_epoch_begin(self, epoch, logs=None):
        self._new_bar(self.target)
        if self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self._update(batch + 1, logs, finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        self._update(self.progbar._seen_so_far, logs, finalize=True)

    def on_test_begin(self, logs=None):
        if not self._in_training:
            self._new_bar(self.params.get("steps"))

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_training:
            self._update(batch + 1, logs, finalize=False)

    def on_test_end(self, logs=None):
        if not self._in_training:
            self._update(self.progbar._seen_so_far, logs, finalize=True)

    def on_predict_begin(self, logs=None):
        self._new_bar(self.params.get("steps"))

    def on_predict_batch_end(self, batch, logs=None):
        self.progbar.update(batch + 1, finalize=False)

    def on_predict_end(self, logs=None):
        self.progbar.update(self.progbar._seen_so_far, finalize=True)
