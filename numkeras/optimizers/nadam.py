"""Nadam: Adam with Nesterov momentum."""

import numpy as np

from .optimizer import Optimizer, check_fraction, check_nonnegative


class Nadam(Optimizer):
    """Nadam, as in Keras 3.

    Update rule (lr = learning rate, g = gradient, t = iterations + 1):
        u_t = beta_1 * (1 - 0.5 * 0.96^t);  u_t1 = beta_1 * (1 - 0.5 * 0.96^(t+1))
        once per step:  U <- U * u_t        (U = u_product, starts at 1)
        m <- m + (g - m) * (1 - beta_1);  v <- v + (g^2 - v) * (1 - beta_2)
        m_hat = u_t1 * m / (1 - U * u_t1) + (1 - u_t) * g / (1 - U)
        v_hat = v / (1 - beta_2^t)
        w <- w - lr * m_hat / (sqrt(v_hat) + epsilon)

    Slots: "momentum", "velocity" interleaved per variable; then the scalar
    u_product, saved last (as Keras does).
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
        self._add_slots(["momentum", "velocity"])
        self._u_product = np.ones((), dtype=self._dtype)
        self._extra_variables.append(self._u_product)

    def _update_variables(self, grads, variables, slots, lr):
        dt = self._dtype.type
        u_t = dt(1) - dt(0.5) * np.power(dt(0.96), dt(self.iterations + 1))
        self._u_product[...] = self._u_product * dt(self.beta_1) * u_t
        super()._update_variables(grads, variables, slots, lr)

    def update_step(self, gradient, variable, learning_rate, slots):
        dt = variable.dtype.type
        t = dt(self.iterations + 1)
        beta_1, beta_2, one = dt(self.beta_1), dt(self.beta_2), dt(1)
        u_t = beta_1 * (one - dt(0.5) * np.power(dt(0.96), t))
        u_t1 = beta_1 * (one - dt(0.5) * np.power(dt(0.96), t + one))
        u_product = dt(self._u_product)
        u_product_t1 = u_product * u_t1
        beta_2_power = np.power(beta_2, t)
        m, v = slots["momentum"], slots["velocity"]
        tmp, tmp2 = slots["tmp"], slots["tmp2"]
        delta = np.subtract(gradient, m, out=tmp)
        delta *= one - beta_1
        m += delta
        delta = np.square(gradient, out=tmp)
        delta -= v
        delta *= one - beta_2
        v += delta
        m_hat = np.multiply(m, u_t1, out=tmp)
        m_hat /= one - u_product_t1
        g_part = np.multiply(gradient, one - u_t, out=tmp2)
        g_part /= one - u_product
        m_hat += g_part
        denom = np.divide(v, one - beta_2_power, out=tmp2)
        np.sqrt(denom, out=denom)
        denom += self.epsilon
        m_hat *= learning_rate
        m_hat /= denom
        variable -= m_hat

    def get_config(self):
        config = super().get_config()
        config.update(
            {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
        )
        return config
