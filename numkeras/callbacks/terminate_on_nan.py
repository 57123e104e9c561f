"""TerminateOnNaN: stop training when the (running mean) loss is NaN or Inf."""

import math

from ..utils.io_utils import print_msg
from .callback import Callback


class TerminateOnNaN(Callback):
    """After each batch, a NaN/Inf `loss` prints `Batch {batch}: Invalid loss,
    terminating training` and sets `model.stop_training` (or raises
    RuntimeError with `raise_error=True`)."""

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(float(loss)):
            return
        if self.raise_error:
            raise RuntimeError(
                f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                "Terminating training immediately."
            )
        print_msg(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True
