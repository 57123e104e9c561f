"""PReLU: a leaky ReLU whose negative slope `alpha` is learned."""

import numpy as np

from .. import constraints, initializers, regularizers
from .layer import Layer, serialize_or_none


class PReLU(Layer):
    """y = x if x > 0 else alpha * x, with alpha of shape input_shape[1:]
    (size 1 along each of `shared_axes`, which count the batch axis as 0).

    Backward: dx = dy * (x > 0 ? 1 : alpha);
              dalpha = sum over batch and shared axes of dy * min(x, 0)
    """

    def __init__(
        self,
        alpha_initializer="Zeros",
        alpha_regularizer=None,
        alpha_constraint=None,
        shared_axes=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, int):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if not 1 <= axis < len(input_shape):
                raise ValueError(
                    f"Invalid value for argument shared_axes: axis {axis} is out "
                    f"of range for inputs of rank {len(input_shape)} (axes are "
                    "1-based; 0 is the batch axis)."
                )
            shape[axis - 1] = 1
        self.add_weight(
            "alpha",
            tuple(shape),
            self.alpha_initializer,
            self.alpha_regularizer,
            self.alpha_constraint,
        )
        super().build(input_shape)

    def forward(self, x, training=False):
        alpha = self.params["alpha"]
        y = np.where(x > 0, x, alpha * x)
        return y, x

    def backward(self, cache, dy, input_grad=True):
        x = cache
        alpha = self.params["alpha"]
        negative = np.minimum(x, 0)
        dalpha = dy * negative
        sum_axes = (0,) + tuple(
            i + 1 for i, n in enumerate(alpha.shape) if n == 1 and x.shape[i + 1] != 1
        )
        self.grads["alpha"][...] = dalpha.sum(axis=sum_axes, keepdims=True).reshape(
            alpha.shape
        )
        if not input_grad:
            return None
        return np.where(x > 0, dy, alpha * dy)

    def get_config(self):
        config = super().get_config()
        config.update(
            alpha_initializer=initializers.serialize(self.alpha_initializer),
            alpha_regularizer=serialize_or_none(
                self.alpha_regularizer, "keras.regularizers"
            ),
            alpha_constraint=serialize_or_none(
                self.alpha_constraint, "keras.constraints"
            ),
            shared_axes=self.shared_axes,
        )
        return config
