"""Adagrad."""

import numpy as np

from .optimizer import Optimizer, check_nonnegative


class Adagrad(Optimizer):
    """Adagrad, as in Keras 3 (epsilon inside the square root).

    Update rule (lr = learning rate, g = gradient):
        acc <- acc + g^2                      (acc starts at initial_accumulator_value)
        w   <- w - lr * g / sqrt(acc + epsilon)

    Slots: "accumulator".
    """

    _scratch_names = ("tmp", "tmp2")

    def __init__(
        self,
        learning_rate=0.001,
        initial_accumulator_value=0.1,
        epsilon=1e-7,
        name=None,
        **kwargs,
    ):
        super().__init__(learning_rate, name=name, **kwargs)
        self.initial_accumulator_value = check_nonnegative(
            "initial_accumulator_value", initial_accumulator_value
        )
        self.epsilon = check_nonnegative("epsilon", epsilon)

    def _create_slots(self):
        self._add_slots(["accumulator"], self.initial_accumulator_value)

    def update_step(self, gradient, variable, learning_rate, slots):
        acc, tmp = slots["accumulator"], slots["tmp"]
        acc += np.square(gradient, out=tmp)
        denom = np.sqrt(np.add(acc, self.epsilon, out=tmp), out=tmp)
        step = np.multiply(gradient, learning_rate, out=slots["tmp2"])
        step /= denom
        variable -= step

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon,
            }
        )
        return config
