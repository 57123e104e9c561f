"""Keras 3's weights layout (`.weights.h5`, and `model.weights.h5` in `.keras`).

    layers/<key>/vars/<i>   one dataset per layer variable, i = "0", "1", ...
                            (trainable first, then non-trainable, creation
                            order); the `vars` group has attribute name=<layer>
    optimizer/vars/<i>      the optimizer's `variables` (iteration as int32,
                            learning_rate, then the slots); attribute name
    vars                    empty group, attribute name=<model name>

`<key>` is the layer's class name in snake_case, made unique within the model
(`dense`, `dense_1`, ...), as Keras's `saving_lib` does; it is not the layer's
own name. Layers without variables still get an empty `vars` group.

Reading builds a `WeightsPlan` (every value read and checked against the model)
and only `WeightsPlan.apply()` writes into the model.
"""

import re
import warnings

import numpy as np

from . import h5tools
from .errors import FileFormatError


def keras_snake_case(name):
    """Keras's `naming.to_snake_case` (Conv2D -> conv2d, PReLU -> p_re_lu)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def layer_keys(model):
    """[(key, layer)] for the model's layers (InputLayer excluded)."""
    used = {}
    out = []
    for layer in model.layers:
        base = keras_snake_case(type(layer).__name__)
        if base in used:
            used[base] += 1
            key = f"{base}_{used[base]}"
        else:
            used[base] = 0
            key = base
        out.append((key, layer))
    return out


def optimizer_values(optimizer):
    """The optimizer's variables as arrays in Keras's saved dtypes."""
    values = [np.asarray(v) for v in optimizer.variables]
    if values:
        values[0] = values[0].astype(np.int32)  # Keras saves iteration as int32
    return values


def write(h5file, model, include_optimizer=True):
    """Write the model's weights (and optimizer state) into an open h5py File."""
    layers = h5file.create_group("layers")
    for key, layer in layer_keys(model):
        group = layers.create_group(key).create_group("vars")
        group.attrs["name"] = layer.name
        for i, value in enumerate(layer.weights):
            group.create_dataset(str(i), data=np.asarray(value))
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None:
        group = h5file.create_group("optimizer").create_group("vars")
        group.attrs["name"] = optimizer.name
        for i, value in enumerate(optimizer_values(optimizer)):
            group.create_dataset(str(i), data=value)
    h5file.create_group("vars").attrs["name"] = model.name


class WeightsPlan:
    """Checked values waiting to be assigned: (layer, weight name, array)
    triples and, optionally, the optimizer's variable list."""

    def __init__(self, model):
        self.model = model
        self.assignments = []
        self.optimizer_values = None

    def apply(self):
        for layer, name, value in self.assignments:
            np.copyto(layer.params[name], value, casting="unsafe")
        if self.optimizer_values is not None:
            self.model.optimizer.set_variables(self.optimizer_values)


def plan(h5file, model, source, skip_mismatch=False):
    """Read and check everything `h5file` holds for `model`; assign nothing."""
    result = WeightsPlan(model)
    with h5tools.guard(source):
        layers = h5tools.child(h5file, "layers", "group", source, required=False)
        for key, layer in layer_keys(model):
            try:
                result.assignments += _plan_layer(layers, key, layer, source)
            except FileFormatError as e:
                if not skip_mismatch:
                    raise
                warnings.warn(
                    f"Skipping loading weights of layer {layer.name!r}: {e}",
                    stacklevel=3,
                )
        result.optimizer_values = _plan_optimizer(h5file, model, source, skip_mismatch)
    return result


def _vars_group(parent, key, source):
    if parent is None:
        return None
    group = h5tools.child(parent, key, "group", source, required=False)
    if group is None:
        return None
    return h5tools.child(group, "vars", "group", source, required=False)


def _check_keys(group, n, what, source):
    keys = sorted(group.keys()) if group is not None else []
    if keys != sorted(str(i) for i in range(n)):
        raise FileFormatError(
            f"{source}: {what} expected {n} variables, but received "
            f"{len(keys)} variables during loading (found keys {keys[:10]})."
        )


def _plan_layer(layers, key, layer, source):
    group = _vars_group(layers, key, source)
    names = layer.weight_names
    _check_keys(group, len(names), f"Layer {layer.name!r} (layers/{key})", source)
    out = []
    for i, name in enumerate(names):
        ds = h5tools.child(group, str(i), "dataset", source)
        label = f"layers/{key}/vars/{i} ({layer.name}/{name})"
        value = h5tools.read_dataset(ds, layer.params[name].shape, source, label)
        out.append((layer, name, value))
    return out


def _plan_optimizer(h5file, model, source, skip_mismatch):
    optimizer = getattr(model, "optimizer", None)
    group = _vars_group(h5file, "optimizer", source)
    if optimizer is None or group is None:
        return None
    current = optimizer_values(optimizer)
    if len(group.keys()) != len(current):
        note = (
            (" This is likely because the optimizer has not been called/built yet.")
            if not getattr(optimizer, "built", False)
            else ""
        )
        warnings.warn(
            f"Skipping variable loading for optimizer '{optimizer.name}', because "
            f"it has {len(current)} variables whereas the saved optimizer has "
            f"{len(group.keys())} variables.{note}",
            stacklevel=4,
        )
        return None
    _check_keys(group, len(current), f"Optimizer {optimizer.name!r}", source)
    values = []
    try:
        for i, var in enumerate(current):
            ds = h5tools.child(group, str(i), "dataset", source)
            value = h5tools.read_dataset(ds, var.shape, source, f"optimizer/vars/{i}")
            if i == 0 and (value.dtype.kind not in "iu" or value < 0):
                raise FileFormatError(
                    f"{source}: optimizer/vars/0 (iteration) must be a "
                    f"non-negative integer, found {value!r}."
                )
            values.append(value)
    except FileFormatError as e:
        if not skip_mismatch:
            raise
        warnings.warn(f"Skipping optimizer state: {e}", stacklevel=4)
        return None
    return values
