"""Flatten and Reshape: change the shape, keep the values.

Backward: dx = dy reshaped to x's shape.
"""

import math

from .layer import Layer


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...); (batch,) -> (batch, 1)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError(
                f"Invalid value for argument data_format: expected "
                f"'channels_last' or 'channels_first', received {data_format!r}."
            )
        self.data_format = data_format or "channels_last"

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)

    def forward(self, x, training=False):
        if self.data_format == "channels_first" and x.ndim > 2:
            x = x.transpose((0,) + tuple(range(2, x.ndim)) + (1,))
        return x.reshape(x.shape[0], -1), x.shape

    def backward(self, cache, dy, input_grad=True):
        dx = dy.reshape(cache)
        if self.data_format == "channels_first" and dx.ndim > 2:
            dx = dx.transpose((0, dx.ndim - 1) + tuple(range(1, dx.ndim - 1)))
        return dx

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Reshape(Layer):
    """Reshape to (batch,) + target_shape; at most one -1, resolved from the size."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(int(d) for d in target_shape)
        if target_shape.count(-1) > 1 or any(d == 0 or d < -1 for d in target_shape):
            raise ValueError(
                f"Invalid value for argument target_shape: expected positive "
                f"dimensions and at most one -1, received {target_shape!r}."
            )
        self.target_shape = target_shape

    def compute_output_shape(self, input_shape):
        if -1 not in self.target_shape:
            return (input_shape[0],) + self.target_shape
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return (input_shape[0],) + tuple(
                None if d == -1 else d for d in self.target_shape
            )
        known = math.prod(d for d in self.target_shape if d != -1)
        size = math.prod(rest)
        if size % known:
            raise ValueError(
                f"Layer {self.name!r}: cannot reshape input of shape "
                f"{tuple(input_shape)} to {self.target_shape}."
            )
        return (input_shape[0],) + tuple(
            size // known if d == -1 else d for d in self.target_shape
        )

    def build(self, input_shape):
        out = self.compute_output_shape(input_shape)
        if None not in input_shape[1:] and math.prod(input_shape[1:]) != math.prod(
            out[1:]
        ):
            raise ValueError(
                f"Layer {self.name!r}: total size of the new shape "
                f"{self.target_shape} must equal the input's {tuple(input_shape[1:])}."
            )
        super().build(input_shape)

    def forward(self, x, training=False):
        return x.reshape((x.shape[0],) + self.target_shape), x.shape

    def backward(self, cache, dy, input_grad=True):
        return dy.reshape(cache)

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = list(self.target_shape)
        return config
