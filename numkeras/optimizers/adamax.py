"""Adamax: Adam with the infinity norm."""

import numpy as np

from .optimizer import Optimizer, check_fraction, check_nonnegative


class Adamax(Optimizer):
    """Adamax, as in Keras 3.

    Update rule (lr = learning rate, g = gradient, t = iterations + 1):
        m <- m + (g - m) * (1 - beta_1)
        u <- max(beta_2 * u, |g|)
        w <- w - lr * m / ((1 - beta_1^t) * (u + epsilon))

    Slots, interleaved per variable: "momentum", "norm".
    """

    _scratch_names = ("tmp", "tmp2")

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        name=None,
        **kwargs,
    ):
        super().__init__(learning_rate, name=name, **kwargs)
        self.beta_1 = check_fraction("beta_1", beta_1)
        self.beta_2 = check_fraction("beta_2", beta_2)
        self.epsilon = check_nonnegative("epsilon", epsilon)

    def _create_slots(self):
        self._add_slots(["momentum", "norm"])

    def update_step(self, gradient, variable, learning_rate, slots):
        dt = variable.dtype.type
        beta_1_power = np.power(dt(self.beta_1), dt(self.iterations + 1))
        m, u, tmp, tmp2 = slots["momentum"], slots["norm"], slots["tmp"], slots["tmp2"]
        delta = np.subtract(gradient, m, out=tmp)
        delta *= 1 - self.beta_1
        m += delta
        u *= self.beta_2
        np.maximum(u, np.abs(gradient, out=tmp), out=u)
        denom = np.add(u, self.epsilon, out=tmp)
        denom *= dt(1) - beta_1_power
        step = np.multiply(m, learning_rate, out=tmp2)
        step /= denom
        variable -= step

    def get_config(self):
        config = super().get_config()
        config.update(
            {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
        )
        return config
