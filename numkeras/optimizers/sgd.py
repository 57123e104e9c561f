"""SGD, with optional (Nesterov) momentum."""

import numpy as np

from .optimizer import Optimizer, check_fraction


class SGD(Optimizer):
    """Gradient descent (with momentum), as in Keras 3.

    Update rule (lr = learning rate, g = gradient):
        momentum == 0:  w <- w - lr * g
        otherwise:      m <- momentum * m - lr * g
                        w <- w + m                          (plain)
                        w <- w + momentum * m - lr * g      (nesterov, new m)

    Slots: "momentum" (only when momentum != 0). Compatibility: an int
    momentum (e.g. 0) is accepted and converted to float (Keras 3 raises).
    """

    def __init__(
        self, learning_rate=0.01, momentum=0.0, nesterov=False, name=None, **kwargs
    ):
        super().__init__(learning_rate, name=name, **kwargs)
        self.momentum = check_fraction("momentum", momentum)
        self.nesterov = bool(nesterov)
        self._scratch_names = ("tmp", "tmp2") if self.nesterov else ("tmp",)

    def _create_slots(self):
        if self.momentum != 0:
            self._add_slots(["momentum"])

    def update_step(self, gradient, variable, learning_rate, slots):
        step = np.multiply(gradient, learning_rate, out=slots["tmp"])  # lr * g
        if self.momentum == 0:
            variable -= step
            return
        m = slots["momentum"]
        momentum = variable.dtype.type(self.momentum)
        m *= momentum
        m -= step
        if self.nesterov:
            look_ahead = np.multiply(m, momentum, out=slots["tmp2"])
            look_ahead -= step
            variable += look_ahead
        else:
            variable += m

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
