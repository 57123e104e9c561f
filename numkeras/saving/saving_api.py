"""Public saving functions (`numkeras.saving.*`, and what Model.save/... call).

| call                                  | file                                   |
|---------------------------------------|----------------------------------------|
| save_model / model.save("m.keras")    | Keras 3 zip (keras_zip.py)             |
| save_model / model.save("m.h5")       | tf.keras 2 full-model HDF5 (legacy_h5) |
| model.save_weights("w.weights.h5")    | Keras 3 weights layout (weights_h5.py) |
| model.save_weights("w.h5" / ".hdf5")  | tf.keras 2 weights layout (legacy_h5)  |
| load_model(.keras / folder / .h5)     | new model; compile restored            |
| model.load_weights(any of the above)  | into an existing built model           |
| model_from_json(keras_model.to_json())| architecture only                      |

Every write is atomic (atomic.py). Every read validates the whole file before
the model changes, and raises `FileFormatError` or `UnsafeDeserializationError`
(both ValueErrors) on bad input. Nothing from a file is ever executed.
"""

import logging
import os

from . import model_config
from .errors import FileFormatError
from .safety import check_config, parse_json

_LOG = logging.getLogger("numkeras")
_LEGACY = (".h5", ".hdf5")


def _path(filepath):
    if not isinstance(filepath, (str, os.PathLike)):
        raise ValueError(
            "Invalid filepath: expected a str or os.PathLike, received "
            f"filepath={filepath!r} of type {type(filepath)}."
        )
    return os.fspath(filepath)


def _ask_to_proceed_with_overwrite(filepath):
    """Keras's prompt when overwrite=False and the file exists."""
    answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n]")
    while answer.strip().lower() not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).')
    return answer.strip().lower() == "y"


def _make_parent(filepath):
    parent = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(parent, exist_ok=True)


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Save architecture, weights and optimizer state (`.keras`, or legacy `.h5`)."""
    filepath = _path(filepath)
    include_optimizer = kwargs.pop("include_optimizer", True)
    save_format = kwargs.pop("save_format", False)
    if save_format:
        if filepath.endswith((".keras",) + _LEGACY):
            _LOG.warning(
                "The `save_format` argument is deprecated in Keras 3. We recommend "
                "removing this argument as it can be inferred from the file path. "
                f"Received: save_format={save_format}"
            )
        else:
            raise ValueError(
                "The `save_format` argument is deprecated in Keras 3. Please remove "
                "this argument and pass a file path with either `.keras` or `.h5` "
                f"extension.Received: save_format={save_format}"
            )
    if kwargs:
        raise ValueError(
            f"The following argument(s) are not supported: {list(kwargs.keys())}"
        )
    if not overwrite and os.path.exists(filepath):
        if not _ask_to_proceed_with_overwrite(filepath):
            return
    if filepath.endswith(".keras") and zipped is not False:
        from . import keras_zip

        _make_parent(filepath)
        keras_zip.save(model, filepath)
        return
    if filepath.endswith(_LEGACY):
        from . import legacy_h5

        _LOG.warning(
            "You are saving your model as an HDF5 file via `model.save()` or "
            "`keras.saving.save_model(model)`. This file format is considered "
            "legacy. We recommend using instead the native Keras format, e.g. "
            "`model.save('my_model.keras')` or "
            "`keras.saving.save_model(model, 'my_model.keras')`. "
        )
        _make_parent(filepath)
        legacy_h5.save_model(model, filepath, include_optimizer=include_optimizer)
        return
    if zipped is False and not filepath.endswith(".keras"):
        from . import keras_zip

        keras_zip.save(model, filepath, zipped=False)
        return
    if zipped is False:
        raise ValueError(
            "When using `zipped=False`, the `filepath` argument should not end in "
            f"`.keras`. Received: filepath={filepath}"
        )
    raise ValueError(
        "Invalid filepath extension for saving. Please add either a `.keras` "
        "extension for the native Keras format (recommended) or a `.h5` extension. "
        "Use `model.export(filepath)` if you want to export a SavedModel for use "
        f"with TFLite/TFServing/etc. Received: filepath={filepath}."
    )


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A new model from a `.keras` file (or unzipped folder) or a legacy `.h5`.

    `safe_mode` is accepted for Keras compatibility; numkeras is always safe:
    it never deserializes lambdas or imports code, even with safe_mode=False.
    """
    filepath = _path(filepath)
    if os.path.isdir(filepath):
        if os.path.isfile(os.path.join(filepath, "config.json")):
            from . import keras_zip

            return keras_zip.load(filepath, custom_objects, compile)
        raise FileFormatError(
            f"File format not supported: filepath={filepath}. It is a folder without "
            "config.json (a TensorFlow SavedModel?); numkeras loads .keras files, "
            "unzipped .keras folders and legacy .h5 files."
        )
    if not os.path.exists(filepath):
        raise FileFormatError(
            f"File not found: filepath={filepath}. Please ensure the file is an "
            "accessible `.keras` zip file."
        )
    if filepath.endswith(_LEGACY):
        from . import legacy_h5

        return legacy_h5.load_model(filepath, custom_objects, compile)
    if filepath.endswith(".keras"):
        from . import keras_zip

        return keras_zip.load(filepath, custom_objects, compile)
    raise FileFormatError(
        f"File format not supported: filepath={filepath}. numkeras (like Keras 3) "
        "loads `.keras` files and legacy H5 files (`.h5` / `.hdf5`)."
    )


def save_weights(model, filepath, overwrite=True, max_shard_size=None):
    """`.weights.h5` (Keras 3 layout) or `.h5`/`.hdf5` (tf.keras 2 layout)."""
    filepath = _path(filepath)
    if max_shard_size is not None:
        raise ValueError(
            "Sharded weights (max_shard_size) are not supported by numkeras."
        )
    if not filepath.endswith(".weights.h5") and not filepath.endswith(_LEGACY):
        raise ValueError(
            "The filename must end in `.weights.h5` (or `.h5` / `.hdf5` for the "
            f"tf.keras 2 layout). Received: filepath={filepath}"
        )
    if not overwrite and os.path.exists(filepath):
        if not _ask_to_proceed_with_overwrite(filepath):
            return
    _make_parent(filepath)
    if filepath.endswith(".weights.h5"):
        import h5py

        from . import weights_h5
        from .atomic import atomic_path

        with atomic_path(filepath) as tmp, h5py.File(tmp, "w") as f:
            weights_h5.write(f, model)
    else:
        from . import legacy_h5

        legacy_h5.save_weights(model, filepath)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Load weights (and optimizer state, when the file and model have it)
    into a built model; on any error the model is left unchanged."""
    filepath = _path(filepath)
    by_name = kwargs.pop("by_name", False)
    kwargs.pop("options", None)  # tf.keras 2's checkpoint options: ignored
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    if not getattr(model, "built", False):
        raise ValueError(
            "You are loading weights into a model that has not yet been built. "
            "Try building the model first by calling it on some data or by using "
            "`build()`."
        )
    if by_name and not filepath.endswith(_LEGACY):
        raise ValueError(
            "`by_name` only supports loading legacy '.h5' or '.hdf5' "
            f"files. Received: {filepath}"
        )
    if not os.path.isfile(filepath) and not (
        filepath.endswith(".keras") and os.path.isdir(filepath)
    ):
        raise FileFormatError(f"File not found: filepath={filepath}.")
    plan = _weights_plan(model, filepath, skip_mismatch, by_name)
    plan.apply()


def _weights_plan(model, filepath, skip_mismatch, by_name):
    from . import h5tools, weights_h5

    if filepath.endswith(".keras"):
        from . import keras_zip

        with keras_zip.Archive(filepath) as archive:
            return keras_zip.read_weights(archive, model, skip_mismatch)
    if filepath.endswith(".weights.h5") or filepath.endswith(_LEGACY):
        source = f"the weights file {filepath!r}"
        with h5tools.open_h5(filepath, source) as f, h5tools.guard(source):
            legacy = "layer_names" in f.attrs or "model_weights" in f
            if not legacy:
                return weights_h5.plan(f, model, source, skip_mismatch)
            from . import legacy_h5

            return legacy_h5.plan_weights(
                legacy_h5.weights_group(f),
                model,
                source,
                by_name=by_name,
                skip_mismatch=skip_mismatch,
            )
    raise FileFormatError(
        f"File format not supported: filepath={filepath}. Keras 3 only supports V3 "
        "`.keras` files, `.weights.h5` files, legacy H5 format files (`.h5` "
        "extension)."
    )


def model_from_json(json_string, custom_objects=None):
    """An uncompiled model from `model.to_json()` (numkeras's or real Keras's)."""
    config = parse_json(json_string, "The model JSON")
    return model_config.model_from_config(config, custom_objects, "the model JSON")


def model_from_config(config, custom_objects=None):
    """A model from a config dict (`{"class_name": ..., "config": ...}`)."""
    if not isinstance(config, dict):
        raise ValueError(f"Expected a config dict, received {type(config).__name__}.")
    check_config(config, custom_objects, "the config")
    return model_config.model_from_config(config, custom_objects, "the config")
