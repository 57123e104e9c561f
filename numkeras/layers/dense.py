"""Dense: y = activation(x @ kernel + bias)."""

import numbers
from typing import NamedTuple

import numpy as np

from .. import activations, constraints, initializers, regularizers
from .layer import Layer, serialize_or_none


class DenseCache(NamedTuple):
    x: np.ndarray  # input, (batch, ..., in)
    z: np.ndarray  # pre-activation x @ kernel + bias, (batch, ..., units)
    y: np.ndarray  # output activation(z)


def check_units(units):
    """Keras requires a positive int; tf.keras 2 truncated floats (Dense(128*1.1))."""
    if isinstance(units, bool) or not isinstance(units, numbers.Real):
        raise ValueError(
            f"Invalid value for argument units: expected a positive integer, "
            f"received units={units!r}."
        )
    if units != units or units in (float("inf"), float("-inf")) or int(units) <= 0:
        raise ValueError(
            f"Received an invalid value for `units`, expected a positive integer. "
            f"Received: units={units!r}"
        )
    return int(units)


def trainable_activation(activation, layer_name):
    """Resolve an activation and make sure it has a backward pass."""
    activation = activations.get(activation)
    if not hasattr(activation, "vjp"):
        raise ValueError(
            f"Layer {layer_name!r}: activation {activation!r} has no derivative "
            "(vjp), so numkeras cannot train through it. Use a built-in name "
            f"({', '.join(sorted(activations.ALL_OBJECTS))}) or wrap your function "
            "in numkeras.activations.ActivationFunction(name, fn, vjp)."
        )
    return activation


class Dense(Layer):
    """Densely-connected layer: y = activation(x @ kernel + bias).

    kernel has shape (input_dim, units), bias (units,). Inputs of rank > 2
    contract the last axis: (batch, d0, in) -> (batch, d0, units).

    Backward: dz = activation.vjp(z, y, dy); dkernel = x^T dz;
              dbias = sum(dz over batch axes); dx = dz kernel^T
    """

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        for unsupported in ("lora_rank", "lora_alpha", "quantization_config"):
            if kwargs.pop(unsupported, None) is not None:
                raise ValueError(f"numkeras Dense does not support {unsupported}.")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = check_units(units)
        self.activation = trainable_activation(activation, self.name)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape):
        if len(input_shape) < 2:
            raise ValueError(
                f"Input 0 of layer {self.name!r} is incompatible with the layer: "
                f"expected min_ndim=2, found ndim={len(input_shape)}. "
                f"Full shape received: {tuple(input_shape)}"
            )
        if input_shape[-1] is None:
            raise ValueError(
                f"Layer {self.name!r}: the last dimension of the inputs to Dense "
                f"must be known. Received input_shape={tuple(input_shape)}."
            )
        self.add_weight(
            "kernel",
            (input_shape[-1], self.units),
            self.kernel_initializer,
            self.kernel_regularizer,
            self.kernel_constraint,
        )
        if self.use_bias:
            self.add_weight(
                "bias",
                (self.units,),
                self.bias_initializer,
                self.bias_regularizer,
                self.bias_constraint,
            )
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        return self.activation.output_shape(tuple(input_shape[:-1]) + (self.units,))

    def forward(self, x, training=False):
        z = np.matmul(x, self.params["kernel"])
        if self.use_bias:
            z += self.params["bias"]
        y = self.activation(z)
        return y, DenseCache(x, z, y)

    def backward(self, cache, dy, input_grad=True):
        dz = self.activation.vjp(cache.z, cache.y, dy)
        return self.backward_linear(cache, dz, input_grad)

    def backward_linear(self, cache, dz, input_grad=True):
        """Backward of the affine part only, from dz = dL/dz."""
        x2 = cache.x.reshape(-1, cache.x.shape[-1])
        dz2 = dz.reshape(-1, self.units)
        np.matmul(x2.T, dz2, out=self.grads["kernel"])
        if self.use_bias:
            np.add.reduce(dz2, axis=0, out=self.grads["bias"])
        if not input_grad:
            return None
        return dz @ self.params["kernel"].T

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": serialize_or_none(
                    self.kernel_regularizer, "keras.regularizers"
                ),
                "bias_regularizer": serialize_or_none(
                    self.bias_regularizer, "keras.regularizers"
                ),
                "kernel_constraint": serialize_or_none(
                    self.kernel_constraint, "keras.constraints"
                ),
                "bias_constraint": serialize_or_none(
                    self.bias_constraint, "keras.constraints"
                ),
                "quantization_config": None,
            }
        )
        return config
