"""Activation layers: thin wrappers over `numkeras.activations`.

Each applies one activation function elementwise (Softmax along an axis).
Backward: dx = activation.vjp(x, y, dy)  (the rule lives in activations.py).
"""

import numbers

from .. import activations
from .dense import trainable_activation
from .layer import Layer


class _ActivationLayer(Layer):
    """Shared forward/backward for the layers below: y = self.fn(x)."""

    fn = None

    def compute_output_shape(self, input_shape):
        return self.fn.output_shape(input_shape)

    def forward(self, x, training=False):
        y = self.fn(x)
        return y, (x, y)

    def backward(self, cache, dy, input_grad=True):
        x, y = cache
        return self.fn.vjp(x, y, dy)


class Activation(_ActivationLayer):
    """Applies `activation` (a name such as "relu", or an ActivationFunction)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.fn = trainable_activation(activation, self.name)
        self.activation = self.fn

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.fn)
        return config


def _non_negative(name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if (
        value is None
        or isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or value < 0
    ):
        raise ValueError(
            f"Invalid value for argument {name}: expected a non-negative number, "
            f"received {name}={value!r}."
        )
    return float(value)


class ReLU(_ActivationLayer):
    """relu(x, negative_slope, max_value, threshold), Keras's exact definition."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = _non_negative("max_value", max_value, allow_none=True)
        self.negative_slope = _non_negative("negative_slope", negative_slope)
        self.threshold = _non_negative("threshold", threshold)
        self.fn = activations.relu.with_kwargs(
            negative_slope=self.negative_slope,
            max_value=self.max_value,
            threshold=self.threshold,
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            max_value=self.max_value,
            negative_slope=self.negative_slope,
            threshold=self.threshold,
        )
        return config


class LeakyReLU(_ActivationLayer):
    """max(x, negative_slope * x); the layer's default slope is 0.3 (the
    function's is 0.2). tf.keras 2's `alpha=` is accepted as the slope."""

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        self.negative_slope = _non_negative("negative_slope", negative_slope)
        self.fn = activations.leaky_relu.with_kwargs(negative_slope=self.negative_slope)

    def get_config(self):
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config


class ELU(_ActivationLayer):
    """x if x > 0 else alpha * (exp(x) - 1)."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)
        self.fn = activations.elu.with_kwargs(alpha=self.alpha)

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


class Softmax(_ActivationLayer):
    """exp(x - max) / sum(exp(x - max)) along `axis`."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, int):
            raise ValueError(
                f"Invalid value for argument axis: expected an int, received "
                f"axis={axis!r} (numkeras supports one softmax axis)."
            )
        self.axis = axis
        self.fn = activations.softmax.with_kwargs(axis=axis)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
