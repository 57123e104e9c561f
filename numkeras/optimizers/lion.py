"""Lion: sign of an interpolated momentum."""

import numpy as np

from .optimizer import Optimizer, check_fraction


class Lion(Optimizer):
    """Lion, as in Keras 3.

    Update rule (lr = learning rate, g = gradient):
        w <- w - lr * sign(beta_1 * m + (1 - beta_1) * g)
        m <- beta_2 * m + (1 - beta_2) * g

    beta_1 must be in (0, 1] (else Lion degenerates to SignSGD).
    Slots: "momentum".
    """

    _scratch_names = ("tmp", "tmp2")

    def __init__(
        self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, name=None, **kwargs
    ):
        super().__init__(learning_rate, name=name, **kwargs)
        self.beta_1 = check_fraction("beta_1", beta_1, low_open=True)
        self.beta_2 = check_fraction("beta_2", beta_2)

    def _create_slots(self):
        self._add_slots(["momentum"])

    def update_step(self, gradient, variable, learning_rate, slots):
        dt = variable.dtype.type
        beta_1, beta_2, one = dt(self.beta_1), dt(self.beta_2), dt(1)
        m, tmp, tmp2 = slots["momentum"], slots["tmp"], slots["tmp2"]
        direction = np.multiply(m, beta_1, out=tmp)
        direction += np.multiply(gradient, one - beta_1, out=tmp2)
        np.sign(direction, out=direction)
        direction *= learning_rate
        variable -= direction
        m *= beta_2
        m += np.multiply(gradient, one - beta_2, out=tmp2)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
