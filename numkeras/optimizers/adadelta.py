"""Adadelta."""

import numpy as np

from .optimizer import Optimizer, check_fraction, check_nonnegative


class Adadelta(Optimizer):
    """Adadelta, as in Keras 3 (note the default learning rate 0.001, not 1.0).

    Update rule (lr = learning rate, g = gradient, rms(x) = sqrt(x + epsilon)):
        Ag    <- rho * Ag + (1 - rho) * g^2
        delta  = -rms(Ad) * g / rms(Ag)
        Ad    <- rho * Ad + (1 - rho) * delta^2
        w     <- w + lr * delta

    Slots, interleaved per variable: "accumulated_grad", "accumulated_delta_var".
    """

    _scratch_names = ("tmp", "tmp2")

    def __init__(
        self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name=None, **kwargs
    ):
        super().__init__(learning_rate, name=name, **kwargs)
        self.rho = check_fraction("rho", rho)
        self.epsilon = check_nonnegative("epsilon", epsilon)

    def _create_slots(self):
        self._add_slots(["accumulated_grad", "accumulated_delta_var"])

    def update_step(self, gradient, variable, learning_rate, slots):
        rho, eps = self.rho, self.epsilon
        acc_grad, acc_delta = slots["accumulated_grad"], slots["accumulated_delta_var"]
        tmp, tmp2 = slots["tmp"], slots["tmp2"]
        acc_grad *= rho
        acc_grad += np.multiply(np.square(gradient, out=tmp), 1 - rho, out=tmp)
        # tmp = -delta = rms(Ad) * g / rms(Ag); the sign flip is exact, so it is
        # folded into the final subtraction.
        minus_delta = np.sqrt(np.add(acc_delta, eps, out=tmp), out=tmp)
        minus_delta *= gradient
        minus_delta /= np.sqrt(np.add(acc_grad, eps, out=tmp2), out=tmp2)
        acc_delta *= rho
        acc_delta += np.multiply(np.square(minus_delta, out=tmp2), 1 - rho, out=tmp2)
        minus_delta *= learning_rate
        variable -= minus_delta

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
