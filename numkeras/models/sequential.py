"""Sequential: a plain stack of layers, one input and one output."""

import json

from .. import backend
from ..layers.input_layer import InputLayer, KerasTensor
from ..layers.layer import Layer, dtype_policy_config
from .model import Model
from .summary import summary_text


class Sequential(Model):
    """`keras.Sequential(layers=None, trainable=True, name=None)`.

    The input shape comes from an `Input(shape)` first, from `input_shape=` /
    `input_dim=` on the first layer (tf.keras 2 style, accepted silently), or
    from the first data the model sees (deferred build).
    """

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(name=name, trainable=trainable)
        self._layers = []
        self._non_input_layers = ()
        self.built = False
        self.input_shape = None
        self.output_shape = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    @property
    def layers(self):
        """The layers, without the InputLayer (read-only, as in Keras)."""
        return list(self._non_input_layers)

    def _refresh_layers(self):
        """Cache the layer list (the training step reads it every batch)."""
        self._non_input_layers = tuple(
            layer for layer in self._layers if not isinstance(layer, InputLayer)
        )

    @layers.setter
    def layers(self, value):
        raise AttributeError(
            "`Sequential.layers` is read-only; use add() and pop() to change it."
        )

    def add(self, layer, rebuild=True):
        """Append a layer (an `Input(...)` is turned into its InputLayer)."""
        if isinstance(layer, KerasTensor):
            layer = layer._input_layer
        if not isinstance(layer, Layer):
            raise ValueError(
                "Only instances of `numkeras.layers.Layer` can be added to a "
                f"Sequential model. Received: {layer!r} (of type {type(layer)})"
            )
        if isinstance(layer, InputLayer) and any(
            isinstance(existing, InputLayer) for existing in self._layers
        ):
            raise ValueError(
                f"Sequential model {self.name!r} already has an input; cannot add "
                f"a second InputLayer ({layer.name!r})."
            )
        if isinstance(layer, InputLayer) and self._layers:
            raise ValueError("An InputLayer can only be the first layer of a model.")
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(
                f"All layers added to a Sequential model should have unique names. "
                f"Name {layer.name!r} is already the name of a layer in this model. "
                "Update the `name` argument to pass a unique name."
            )
        if not self._layers and layer._input_shape_arg is not None:
            self._layers.append(InputLayer(batch_shape=layer._input_shape_arg))
        self._layers.append(layer)
        self._refresh_layers()
        if rebuild:
            self._maybe_rebuild()

    def pop(self, rebuild=True):
        """Remove and return the last layer."""
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        layer = self._layers.pop()
        self._refresh_layers()
        self.built = False
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self):
        if (
            self._layers
            and isinstance(self._layers[0], InputLayer)
            and len(self._layers) > 1
        ):
            self.build(self._layers[0].batch_shape)

    def build(self, input_shape=None):
        """Build every layer for inputs of `input_shape` (batch axis included)."""
        if input_shape is None:
            if self._layers and isinstance(self._layers[0], InputLayer):
                input_shape = self._layers[0].batch_shape
            else:
                raise ValueError(
                    "You must provide an input_shape to build a Sequential model "
                    "that has no Input."
                )
        shape = tuple(input_shape)
        if not self.layers:
            raise ValueError(f"Sequential model {self.name!r} has no layers to build.")
        self.input_shape = shape
        for layer in self.layers:
            layer.maybe_build(shape)
            shape = layer.compute_output_shape(shape)
        self.output_shape = shape
        self.built = True

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def summary(
        self,
        line_length=None,
        positions=None,
        print_fn=None,
        expand_nested=False,
        show_trainable=False,
        layer_range=None,
    ):
        """Print Keras's summary table (or pass the text to `print_fn`)."""
        text = summary_text(self, line_length, positions, show_trainable)
        if print_fn is None:
            print(text, end="")
        else:
            print_fn(text)

    # ------------------------------------------------------------------ config
    def get_config(self):
        from ..saving.serialization_lib import serialize

        layers = list(self._layers)
        if self.built and not (layers and isinstance(layers[0], InputLayer)):
            layers = [
                InputLayer(
                    batch_shape=self.input_shape,
                    name=backend.unique_name("input_layer"),
                )
            ] + layers
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": dtype_policy_config(backend.floatx()),
            "layers": [serialize(layer, "keras.layers") for layer in layers],
        }
        for entry, layer in zip(config["layers"], layers, strict=True):
            build_config = layer.get_build_config()
            if build_config and not isinstance(layer, InputLayer):
                entry["build_config"] = build_config
        if self.built:
            config["build_input_shape"] = list(self.input_shape)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ..layers import ALL_OBJECTS
        from ..saving.serialization_lib import deserialize

        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for entry in config.get("layers", []):
            model.add(
                deserialize(entry, ALL_OBJECTS, "layer", custom_objects), rebuild=False
            )
        if config.get("build_input_shape") and not model.built:
            model.build(tuple(config["build_input_shape"]))
        else:
            model._maybe_rebuild()
        return model

    def to_json(self, **kwargs):
        from ..saving.serialization_lib import serialize

        return json.dumps(serialize(self, "keras"), **kwargs)
