"""RMSprop (optionally centered, optionally with momentum)."""

import numpy as np

from .optimizer import Optimizer, check_fraction, check_nonnegative


class RMSprop(Optimizer):
    """RMSprop, as in Keras 3 (epsilon inside the square root).

    Update rule (lr = learning rate, g = gradient):
        v <- rho * v + (1 - rho) * g^2
        centered:  a <- rho * a + (1 - rho) * g;  denom = v - a^2 + epsilon
        otherwise: denom = v + epsilon
        inc = lr * g / sqrt(denom)
        momentum > 0:  mom <- momentum * mom + inc;  w <- w - mom
        otherwise:     w <- w - inc

    Slots, in Keras's order: "velocity", then "momentum" (if momentum > 0),
    then "average_gradient" (if centered), each group over all variables.
    """

    _scratch_names = ("tmp", "tmp2")

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.9,
        momentum=0.0,
        epsilon=1e-7,
        centered=False,
        name=None,
        **kwargs,
    ):
        super().__init__(learning_rate, name=name, **kwargs)
        self.rho = check_fraction("rho", rho)
        self.momentum = check_fraction("momentum", momentum)
        self.epsilon = check_nonnegative("epsilon", epsilon)
        self.centered = bool(centered)

    def _create_slots(self):
        self._add_slots(["velocity"])
        if self.momentum > 0:
            self._add_slots(["momentum"])
        if self.centered:
            self._add_slots(["average_gradient"])

    def update_step(self, gradient, variable, learning_rate, slots):
        rho, v, tmp, tmp2 = self.rho, slots["velocity"], slots["tmp"], slots["tmp2"]
        v *= rho
        v += np.multiply(np.square(gradient, out=tmp), 1 - rho, out=tmp)
        if self.centered:
            a = slots["average_gradient"]
            a *= rho
            a += np.multiply(gradient, 1 - rho, out=tmp)
            denom = np.subtract(v, np.square(a, out=tmp), out=tmp)
            denom += self.epsilon
        else:
            denom = np.add(v, self.epsilon, out=tmp)
        increment = np.multiply(gradient, learning_rate, out=tmp2)
        increment /= np.sqrt(denom, out=denom)
        if self.momentum > 0:
            mom = slots["momentum"]
            mom *= self.momentum
            mom += increment
            variable -= mom
        else:
            variable -= increment

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "rho": self.rho,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "centered": self.centered,
            }
        )
        return config
