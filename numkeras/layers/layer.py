"""The Layer base class: build / forward / backward, weights in two dicts.

Contract (docs/CONTRACTS.md):
- `build(input_shape)` creates weights with `add_weight` into `self.params`,
  with a zero gradient array in `self.grads` for each trainable weight.
- `forward(x, training=False) -> (y, cache)`: never mutates `x`; `cache` holds
  what backward needs.
- `backward(cache, dy, input_grad=True) -> dx`: writes this call's weight
  gradients into `self.grads` (in place, overwriting: the arrays are views
  into the model's flat gradient buffer, so nothing needs zeroing between
  steps), may overwrite `dy`, never mutates arrays in `cache`. With
  `input_grad=False` (the first layer of a model) it may skip computing dx
  and return None.
"""

import numpy as np

from .. import backend, initializers, regularizers
from ..saving.serialization_lib import serialize, snake_case


def dtype_policy_config(dtype):
    """Keras 3's serialized DTypePolicy for a dtype name."""
    return {
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": {"name": dtype},
        "registered_name": None,
    }


def normalize_shape(shape, argument):
    """A shape as a tuple of ints (None allowed), or a clear error."""
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    try:
        shape = tuple(None if d is None else int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError(
            f"Invalid {argument}: expected a tuple of positive integers, "
            f"received {argument}={shape!r}."
        ) from None
    if any(d is not None and d <= 0 for d in shape):
        raise ValueError(
            f"Invalid {argument}: dimensions must be positive, "
            f"received {argument}={shape!r}."
        )
    return shape


class Layer:
    """Base class of all numkeras layers (Keras's `keras.layers.Layer`).

    Args:
        activity_regularizer: penalty on the layer's output, added to the loss
            divided by the batch size (Keras semantics).
        trainable: whether the optimizer updates this layer's weights.
        dtype: dtype of the weights and computations (default floatx()).
        name: unique name; default is the snake_case class name made unique
            per process (`dense`, `dense_1`, ...).
        input_shape, input_dim, batch_input_shape, batch_size: accepted on the
            first layer of a Sequential model, as in tf.keras 2 tutorials
            (numkeras does not warn about them; Keras 3 does).
    """

    def __init__(
        self,
        activity_regularizer=None,
        trainable=True,
        dtype=None,
        name=None,
        input_shape=None,
        input_dim=None,
        batch_input_shape=None,
        batch_size=None,
        **kwargs,
    ):
        kwargs.pop("autocast", None)
        if kwargs:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                f"{kwargs}"
            )
        if not isinstance(trainable, bool):
            raise ValueError(
                f"Invalid value for argument trainable: expected a bool, "
                f"received trainable={trainable!r}."
            )
        if name is not None and not isinstance(name, str):
            raise ValueError(f"Invalid layer name: expected a str, received {name!r}.")
        self.name = name or backend.unique_name(snake_case(type(self).__name__))
        self.trainable = trainable
        self._dtype = None if dtype is None else backend.standardize_dtype(dtype)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._input_shape_arg = self._input_shape_from_kwargs(
            input_shape, input_dim, batch_input_shape, batch_size
        )
        self.params = {}
        self.grads = {}
        self.regularizers = {}
        self.constraints = {}
        self._trainable_names = []
        self._non_trainable_names = []
        self.built = False
        self.input_shape = None

    @staticmethod
    def _input_shape_from_kwargs(input_shape, input_dim, batch_input_shape, batch_size):
        """The batch shape implied by tf.keras 2's input_shape/input_dim args."""
        if batch_input_shape is not None:
            return normalize_shape(batch_input_shape, "batch_input_shape")
        if input_shape is not None:
            return (batch_size,) + normalize_shape(input_shape, "input_shape")
        if input_dim is not None:
            return (batch_size,) + normalize_shape((input_dim,), "input_dim")
        return None

    @property
    def dtype(self):
        return self._dtype or backend.floatx()

    # ----------------------------------------------------------------- weights
    def add_weight(
        self,
        name,
        shape,
        initializer="glorot_uniform",
        regularizer=None,
        constraint=None,
        trainable=True,
    ):
        """Create `self.params[name]` (and a zero `self.grads[name]`)."""
        initializer = initializers.get(initializer)
        value = np.asarray(
            initializer(tuple(shape), dtype=self.dtype), dtype=self.dtype
        )
        self.params[name] = np.ascontiguousarray(value)
        if trainable:
            self.grads[name] = np.zeros_like(self.params[name])
            self._trainable_names.append(name)
        else:
            self._non_trainable_names.append(name)
        if regularizer is not None:
            self.regularizers[name] = regularizer
        if constraint is not None:
            self.constraints[name] = constraint
        return self.params[name]

    @property
    def weight_names(self):
        """Weight names in Keras order: trainable, then non-trainable."""
        return self._trainable_names + self._non_trainable_names

    @property
    def weights(self):
        return [self.params[n] for n in self.weight_names]

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [self.params[n] for n in self._trainable_names]

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        return [self.params[n] for n in self._non_trainable_names]

    def count_params(self):
        return int(sum(w.size for w in self.weights))

    def get_weights(self):
        """Copies of the weights, in Keras order."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        """Copy `weights` into the layer's arrays in place (shapes checked first)."""
        names = self.weight_names
        weights = list(weights)
        if len(weights) != len(names):
            raise ValueError(
                f"Layer {self.name!r} expected {len(names)} weights, but received "
                f"a weight list of length {len(weights)}."
            )
        arrays = [np.asarray(w) for w in weights]
        for name, value in zip(names, arrays, strict=True):
            if value.shape != self.params[name].shape:
                raise ValueError(
                    f"Layer {self.name!r} weight {name!r} has shape "
                    f"{self.params[name].shape}, but received a value of shape "
                    f"{value.shape}."
                )
        for name, value in zip(names, arrays, strict=True):
            np.copyto(self.params[name], value, casting="unsafe")

    # ------------------------------------------------------------------ build
    def build(self, input_shape):
        """Create weights for inputs of `input_shape` (batch axis included)."""
        self.input_shape = tuple(input_shape)
        self.built = True

    def maybe_build(self, input_shape):
        if not self.built:
            self.build(tuple(input_shape))
            self.built = True
            self.input_shape = tuple(input_shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    # ------------------------------------------------------- forward/backward
    def forward(self, x, training=False):
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def backward(self, cache, dy, input_grad=True):
        raise NotImplementedError(f"{type(self).__name__} must implement backward()")

    def __call__(self, x, training=False):
        """Keras-style inference call on an array: returns the output only."""
        from .input_layer import KerasTensor

        if isinstance(x, KerasTensor):
            raise NotImplementedError(
                "The functional API (calling layers on keras.Input and building "
                "keras.Model(inputs, outputs)) is not supported yet; build the "
                "model with numkeras.Sequential([...]) instead."
            )
        x = np.asarray(x)
        if x.dtype != self.dtype:
            x = x.astype(self.dtype)
        self.maybe_build(x.shape)
        y, _ = self.forward(x, training=training)
        return y

    # ------------------------------------------------------------------ config
    def get_config(self):
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": dtype_policy_config(self.dtype),
        }
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = serialize(
                self.activity_regularizer, "keras.regularizers"
            )
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_build_config(self):
        if self.input_shape is None:
            return None
        return {"input_shape": list(self.input_shape)}

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def serialize_or_none(obj, module):
    """Serialize an initializer/regularizer/constraint, or None."""
    return None if obj is None else serialize(obj, module)
