"""tf.keras 2's HDF5 files (`.h5` / `.hdf5`), read and written.

Weights (`save_weights("w.h5")`, ModelCheckpoint(..., save_weights_only=True)):

    attrs: layer_names (every layer, model order), backend, keras_version
    <layer>/            attrs: weight_names = ["<layer>/kernel:0", ...]
    <layer>/<layer>/kernel:0, ...   (datasets, found through weight_names)

Full model (`model.save("m.h5")`): root attrs keras_version, backend,
model_config (JSON, Keras's legacy schema) and training_config (compile
arguments with "optimizer_config"); the weights above under `model_weights/`;
the optimizer's variables under `optimizer_weights/` (attr weight_names).

Reading is order-based like Keras (layers that have weights, in order), or
name-based with `by_name=True`. Files written by tf.keras 2 and by Keras 3
(which nests datasets under the model name) both load, as everything is found
through the `weight_names` attributes.
"""

import json
import logging
import warnings

import numpy as np

from . import h5tools, model_config, weights_h5
from .atomic import atomic_path
from .errors import FileFormatError
from .safety import parse_json

BACKEND = "numpy"


def _numkeras_version():
    from .. import __version__

    return __version__


def _bytes_list(names):
    return (
        np.array([n.encode("utf-8") for n in names], dtype="S")
        if names
        else np.array([], dtype=np.float64)
    )  # what tf.keras writes for an empty list


def write_weights_group(group, model):
    group.attrs["layer_names"] = _bytes_list([layer.name for layer in model.layers])
    group.attrs["backend"] = BACKEND.encode()
    group.attrs["keras_version"] = _numkeras_version().encode()
    for layer in sorted(model.layers, key=lambda layer: layer.name):
        layer_group = group.create_group(layer.name)
        names = [f"{layer.name}/{name}:0" for name in layer.weight_names]
        layer_group.attrs["weight_names"] = _bytes_list(names)
        for name, value in zip(names, layer.weights, strict=True):
            layer_group.create_dataset(name, data=np.asarray(value))


def save_weights(model, filepath):
    import h5py

    with atomic_path(filepath) as tmp:
        with h5py.File(tmp, "w") as f:
            write_weights_group(f, model)


def _legacy_model_config(model):
    """Keras's legacy schema: no module/registered_name/build_config on the
    model and layer entries."""
    from . import serialization_lib

    config = serialization_lib.serialize(model, "keras")
    drop = ("module", "registered_name", "build_config")
    layers = [
        {k: v for k, v in entry.items() if k not in drop}
        for entry in config["config"].get("layers", [])
    ]
    return {
        "class_name": config["class_name"],
        "config": {**config["config"], "layers": layers},
    }


def save_model(model, filepath, include_optimizer=True):
    import h5py

    with atomic_path(filepath) as tmp:
        with h5py.File(tmp, "w") as f:
            f.attrs["keras_version"] = _numkeras_version()
            f.attrs["backend"] = BACKEND
            f.attrs["model_config"] = json.dumps(_legacy_model_config(model)).encode()
            compile_cfg = model_config.compile_config(model)
            if compile_cfg:
                training = dict(compile_cfg)
                opt = training.pop("optimizer")
                training["optimizer_config"] = {
                    "class_name": opt["class_name"],
                    "config": opt["config"],
                }
                f.attrs["training_config"] = json.dumps(training).encode()
            write_weights_group(f.create_group("model_weights"), model)
            optimizer = getattr(model, "optimizer", None)
            if include_optimizer and optimizer is not None:
                values = weights_h5.optimizer_values(optimizer)
                group = f.create_group("optimizer_weights")
                names = [f"{optimizer.name}/{i}" for i in range(len(values))]
                names[:2] = [
                    f"{optimizer.name}/iteration",
                    f"{optimizer.name}/learning_rate",
                ][: len(values)]
                group.attrs["weight_names"] = _bytes_list(names)
                for name, value in zip(names, values, strict=True):
                    group.create_dataset(name, data=value)


# ---------------------------------------------------------------------- read
def _dataset_at(group, path, source):
    """Follow `a/b/c` one hard link at a time."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        raise FileFormatError(f"{source}: empty weight name in {group.name!r}.")
    node = group
    for part in parts[:-1]:
        node = h5tools.child(node, part, "group", source)
    return h5tools.child(node, parts[-1], "dataset", source)


def plan_weights(group, model, source, by_name=False, skip_mismatch=False):
    """A checked WeightsPlan for `model` from a legacy weights group."""
    plan = weights_h5.WeightsPlan(model)
    with h5tools.guard(source):
        saved = []
        for name in h5tools.read_names(group, "layer_names"):
            layer_group = h5tools.child(group, name, "group", source)
            weight_names = h5tools.read_names(layer_group, "weight_names")
            if weight_names:
                saved.append((name, layer_group, weight_names))
        layers = [layer for layer in model.layers if layer.weight_names]
        if by_name:
            by = {name: (g, w) for name, g, w in saved}
            pairs = [
                (layer, layer.name, *by[layer.name])
                for layer in layers
                if layer.name in by
            ]
        else:
            if len(saved) != len(layers):
                raise FileFormatError(
                    f"Layer count mismatch when loading weights from {source}. "
                    f"Model expected {len(layers)} layers, found {len(saved)} "
                    "saved layers."
                )
            pairs = [
                (layer, name, g, w)
                for layer, (name, g, w) in zip(layers, saved, strict=True)
            ]
        for layer, name, layer_group, weight_names in pairs:
            try:
                plan.assignments += _plan_layer(
                    layer, name, layer_group, weight_names, source
                )
            except FileFormatError as e:
                if not skip_mismatch:
                    raise
                warnings.warn(
                    f"Skipping loading weights of layer {layer.name!r}: {e}",
                    stacklevel=3,
                )
    return plan


def _plan_layer(layer, name, group, weight_names, source):
    names = layer.weight_names
    if len(weight_names) != len(names):
        raise FileFormatError(
            f"Weight count mismatch for layer {layer.name!r} ({name!r} in "
            f"{source}): the layer expects {len(names)} weight(s), the file has "
            f"{len(weight_names)}."
        )
    out = []
    for wname, saved in zip(names, weight_names, strict=True):
        ds = _dataset_at(group, saved, source)
        value = h5tools.read_dataset(
            ds, layer.params[wname].shape, source, f"{name}/{saved}"
        )
        out.append((layer, wname, value))
    return out


def weights_group(f):
    """The group holding layer_names: the root, or model_weights/ of a full model."""
    if "layer_names" not in f.attrs and "model_weights" in f:
        return f["model_weights"]
    return f


def _attr_text(f, name):
    value = f.attrs.get(name)
    if value is None:
        return None
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if not isinstance(value, (bytes, str)):
        raise FileFormatError(f"Attribute {name!r} must be a JSON string.")
    return value


def load_model(filepath, custom_objects=None, compile=True):
    source = f"the HDF5 file {str(filepath)!r}"
    with h5tools.open_h5(filepath, source) as f, h5tools.guard(source):
        text = _attr_text(f, "model_config")
        if text is None:
            raise FileFormatError(
                f"No model config found in {source}: it holds weights only; build "
                "the model in code and call model.load_weights() instead."
            )
        config = parse_json(text, f"model_config of {source}")
        model = model_config.model_from_config(config, custom_objects, source)
        training = _attr_text(f, "training_config")
        if compile and training is not None:
            training = parse_json(training, f"training_config of {source}")
            model_config.compile_from_config(
                model, training, custom_objects, source, legacy=True
            )
        elif compile:
            logging.getLogger("numkeras").warning(
                "No training configuration found in the save file, so the model "
                "was *not* compiled. Compile it manually."
            )
        if not model.built:
            raise FileFormatError(f"{source}: the model config has no input shape.")
        group = h5tools.child(f, "model_weights", "group", source)
        plan = plan_weights(group, model, source)
        if compile and model.optimizer is not None and "optimizer_weights" in f:
            plan.optimizer_values = _plan_optimizer(f, model, source)
        plan.apply()
    return model


def _plan_optimizer(f, model, source):
    group = h5tools.child(f, "optimizer_weights", "group", source)
    names = h5tools.read_names(group, "weight_names")
    current = weights_h5.optimizer_values(model.optimizer)
    if len(names) != len(current):
        warnings.warn(
            "Error in loading the saved optimizer state (it has "
            f"{len(names)} variables, the optimizer {len(current)}). As a result, "
            "your model is starting with a freshly initialized optimizer.",
            stacklevel=3,
        )
        return None
    values = []
    for i, (name, var) in enumerate(zip(names, current, strict=True)):
        ds = _dataset_at(group, name, source)
        try:
            values.append(
                h5tools.read_dataset(ds, var.shape, source, f"optimizer_weights/{name}")
            )
        except FileFormatError as e:
            warnings.warn(
                f"Error in loading the saved optimizer state ({e}); the "
                "optimizer starts fresh.",
                stacklevel=3,
            )
            return None
        if i == 0 and values[0].dtype.kind not in "iu":
            return None
    return values
