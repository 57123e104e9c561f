"""Adam (and AMSGrad)."""

import numpy as np

from .optimizer import Optimizer, check_fraction, check_nonnegative


class Adam(Optimizer):
    """Adam in Keras's "epsilon-hat" form.

    Update rule (lr = learning rate, g = gradient, t = iterations + 1):
        m <- m + (g - m) * (1 - beta_1)
        v <- v + (g^2 - v) * (1 - beta_2)
        amsgrad: v_hat <- max(v_hat, v), used in place of v below
        alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
        w <- w - alpha * m / (sqrt(v) + epsilon)

    Slots: "momentum" and "velocity" interleaved per variable, then
    "velocity_hat" for every variable if amsgrad (Keras's order).
    """

    _scratch_names = ("tmp", "tmp2")

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        name=None,
        **kwargs,
    ):
        super().__init__(learning_rate, name=name, **kwargs)
        self.beta_1 = check_fraction("beta_1", beta_1)
        self.beta_2 = check_fraction("beta_2", beta_2)
        self.epsilon = check_nonnegative("epsilon", epsilon)
        self.amsgrad = bool(amsgrad)

    def _create_slots(self):
        self._add_slots(["momentum", "velocity"])
        if self.amsgrad:
            self._add_slots(["velocity_hat"])

    def update_step(self, gradient, variable, learning_rate, slots):
        dt = variable.dtype.type
        t = dt(self.iterations + 1)
        beta_1_power = np.power(dt(self.beta_1), t)
        beta_2_power = np.power(dt(self.beta_2), t)
        alpha = learning_rate * np.sqrt(dt(1) - beta_2_power) / (dt(1) - beta_1_power)
        m, v = slots["momentum"], slots["velocity"]
        tmp, tmp2 = slots["tmp"], slots["tmp2"]
        delta = np.subtract(gradient, m, out=tmp)
        delta *= 1 - self.beta_1
        m += delta
        delta = np.square(gradient, out=tmp)
        delta -= v
        delta *= 1 - self.beta_2
        v += delta
        if self.amsgrad:
            v = np.maximum(slots["velocity_hat"], v, out=slots["velocity_hat"])
        denom = np.sqrt(v, out=tmp)
        denom += self.epsilon
        step = np.multiply(m, alpha, out=tmp2)
        step /= denom
        variable -= step

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
                "epsilon": self.epsilon,
                "amsgrad": self.amsgrad,
            }
        )
        return config
