"""FTRL-proximal."""

import numpy as np

from .optimizer import Optimizer, check_nonnegative


class Ftrl(Optimizer):
    """Follow-the-regularized-leader (FTRL-proximal), as in Keras 3.

    Update rule (lr = learning rate, g = gradient, p = learning_rate_power):
        l2' = l2 + beta / (2 lr);   gs = g + 2 * l2_shrinkage * w;   n' = n + g^2
        z <- z + gs - (n'^(-p) - n^(-p)) / lr * w
        w <- (clip(z, -l1, l1) - z) / (n'^(-p) / lr + 2 * l2')
        n <- n'

    Slots, interleaved per variable: "accumulator" n (starts at
    initial_accumulator_value) and "linear" z.
    """

    _scratch_names = ("tmp", "tmp2", "tmp3")

    def __init__(
        self,
        learning_rate=0.001,
        learning_rate_power=-0.5,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        l2_shrinkage_regularization_strength=0.0,
        beta=0.0,
        name=None,
        **kwargs,
    ):
        super().__init__(learning_rate, name=name, **kwargs)
        if not learning_rate_power <= 0.0:
            raise ValueError(
                "`learning_rate_power` needs to be negative or zero. Received: "
                f"learning_rate_power={learning_rate_power}."
            )
        self.learning_rate_power = float(learning_rate_power)
        self.initial_accumulator_value = check_nonnegative(
            "initial_accumulator_value", initial_accumulator_value
        )
        self.l1_regularization_strength = check_nonnegative(
            "l1_regularization_strength", l1_regularization_strength
        )
        self.l2_regularization_strength = check_nonnegative(
            "l2_regularization_strength", l2_regularization_strength
        )
        self.l2_shrinkage_regularization_strength = check_nonnegative(
            "l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength
        )
        self.beta = check_nonnegative("beta", beta)

    def _create_slots(self):
        self._add_slots(
            ["accumulator", "linear"], [self.initial_accumulator_value, 0.0]
        )

    def update_step(self, gradient, variable, learning_rate, slots):
        power = -self.learning_rate_power
        l1 = self.l1_regularization_strength
        l2 = self.l2_regularization_strength + self.beta / (2.0 * learning_rate)
        n, z = slots["accumulator"], slots["linear"]
        tmp, new_n, new_n_pow = slots["tmp"], slots["tmp2"], slots["tmp3"]
        g_shrunk = np.multiply(
            variable, 2 * self.l2_shrinkage_regularization_strength, out=tmp
        )
        g_shrunk += gradient
        np.add(n, np.square(gradient, out=new_n), out=new_n)
        np.power(new_n, power, out=new_n_pow)
        sigma = np.power(n, power, out=n)  # n is replaced by new_n at the end
        np.subtract(new_n_pow, sigma, out=sigma)
        sigma /= learning_rate
        sigma *= variable
        g_shrunk -= sigma
        z += g_shrunk
        quadratic = np.divide(new_n_pow, learning_rate, out=new_n_pow)
        quadratic += 2 * l2
        np.subtract(np.clip(z, -l1, l1, out=tmp), z, out=tmp)
        np.divide(tmp, quadratic, out=variable)
        np.copyto(n, new_n)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": (
                    self.l2_shrinkage_regularization_strength
                ),
                "beta": self.beta,
            }
        )
        return config
