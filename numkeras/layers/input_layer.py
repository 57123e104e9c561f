"""Input and InputLayer: the shape of a model's input (no computation)."""

from .layer import Layer, normalize_shape


class InputLayer(Layer):
    """Declares the input shape; the identity in forward and backward.

    Args:
        shape: the shape without the batch axis, e.g. (784,).
        batch_size: optional fixed batch size.
        batch_shape: the full shape including the batch axis (instead of shape).
        input_shape / batch_input_shape: tf.keras 2 spellings, accepted.
    """

    def __init__(
        self,
        shape=None,
        batch_size=None,
        dtype=None,
        sparse=None,
        ragged=None,
        batch_shape=None,
        input_tensor=None,
        optional=False,
        name=None,
        **kwargs,
    ):
        legacy_shape = kwargs.pop("input_shape", None)
        legacy_batch_shape = kwargs.pop("batch_input_shape", None)
        if sparse or ragged:
            raise ValueError("numkeras supports dense inputs only (sparse/ragged).")
        shape = shape if shape is not None else legacy_shape
        batch_shape = batch_shape if batch_shape is not None else legacy_batch_shape
        if shape is not None and batch_shape is not None:
            raise ValueError(
                "You cannot pass both `shape` and `batch_shape` at the same time."
            )
        if shape is None and batch_shape is None:
            raise ValueError("You must pass a shape argument.")
        if batch_shape is None:
            batch_shape = (batch_size,) + normalize_shape(shape, "shape")
        else:
            batch_shape = normalize_shape(batch_shape, "batch_shape")
        super().__init__(dtype=dtype, name=name, **kwargs)
        self.batch_shape = tuple(batch_shape)
        self.optional = optional
        self.built = True
        self.input_shape = self.batch_shape

    def forward(self, x, training=False):
        return x, None

    def backward(self, cache, dy, input_grad=True):
        return dy

    def get_config(self):
        return {
            "batch_shape": list(self.batch_shape),
            "dtype": self.dtype,
            "sparse": False,
            "ragged": False,
            "name": self.name,
            "optional": self.optional,
        }


class KerasTensor:
    """What `keras.Input(...)` returns: a symbolic input of known shape.

    numkeras uses it to start a Sequential model (`Sequential([Input((784,)),
    Dense(10)])`); the functional API is not supported yet.
    """

    def __init__(self, input_layer):
        self._input_layer = input_layer
        self.shape = input_layer.batch_shape
        self.dtype = input_layer.dtype
        self.name = input_layer.name

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"


def Input(
    shape=None,
    batch_size=None,
    dtype=None,
    sparse=None,
    ragged=None,
    batch_shape=None,
    name=None,
    tensor=None,
    optional=False,
):
    """`keras.Input`: a symbolic input to start a Sequential model with."""
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        ragged=ragged,
        batch_shape=batch_shape,
        name=name,
        optional=optional,
    )
    return KerasTensor(layer)
