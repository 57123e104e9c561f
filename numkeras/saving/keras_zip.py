"""The Keras 3 `.keras` file: an uncompressed zip of three members.

    metadata.json     {"keras_version": "3.15.1", "date_saved": ...}
    config.json       the serialized model + build_config + compile_config
    model.weights.h5  the weights in Keras 3's layout (weights_h5.py)

Reading checks the archive before trusting it: member count, duplicate names,
declared sizes against caps (config.json is capped at MAX_JSON_BYTES, the
weights at what the rebuilt model can hold), and the compression ratio (zip
bombs); reads never go past the declared size, and zipfile's CRC check catches
flipped bits. An unzipped directory with the same three files is read too.
"""

import datetime
import io
import json
import os
import zipfile

from . import errors, model_config, weights_h5
from .atomic import atomic_path
from .errors import FileFormatError, UnsafeDeserializationError
from .safety import parse_json

KERAS_VERSION = "3.15.1"  # the Keras file format numkeras writes
CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"


# --------------------------------------------------------------------- write
def model_json(model):
    """config.json's content: Keras's dict with build and compile configs."""
    from . import serialization_lib

    config = serialization_lib.serialize(model, "keras")
    if getattr(model, "built", False) and getattr(model, "input_shape", None):
        config["build_config"] = {"input_shape": list(model.input_shape)}
    config["compile_config"] = model_config.compile_config(model) or {}
    return json.dumps(config)


def metadata_json():
    from .. import __version__

    return json.dumps(
        {
            "keras_version": KERAS_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
            "numkeras_version": __version__,
        }
    )


def weights_bytes(model):
    """model.weights.h5 as bytes."""
    import h5py

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        weights_h5.write(f, model)
    return buffer.getvalue()


def save(model, filepath, zipped=True):
    """Write `model` to `filepath` atomically (a zip, or a folder if not zipped)."""
    members = [
        (METADATA, metadata_json().encode()),
        (CONFIG, model_json(model).encode()),
        (WEIGHTS, weights_bytes(model)),
    ]
    if not zipped:
        os.makedirs(filepath, exist_ok=True)
        for name, data in members:
            with atomic_path(os.path.join(filepath, name)) as tmp, open(tmp, "wb") as f:
                f.write(data)
        return
    with atomic_path(filepath) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            for name, data in members:
                zf.writestr(name, data)


# ---------------------------------------------------------------------- read
class Archive:
    """Size-capped access to the members of a .keras zip or folder."""

    def __init__(self, filepath):
        self.source = f"the .keras file {os.fspath(filepath)!r}"
        self.folder = filepath if os.path.isdir(filepath) else None
        self.zip = None
        if self.folder is None:
            try:
                self.zip = zipfile.ZipFile(filepath, "r")
                infos = self.zip.infolist()
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
                raise FileFormatError(
                    f"{self.source} is not a valid .keras zip archive: {e}"
                ) from None
            names = [i.filename for i in infos]
            if len(names) > errors.MAX_ZIP_MEMBERS:
                raise FileFormatError(
                    f"{self.source} has too many members ({len(names)})."
                )
            if len(set(names)) != len(names):
                raise FileFormatError(f"{self.source} has duplicate member names.")

    def close(self):
        if self.zip is not None:
            self.zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def has(self, name):
        if self.folder is not None:
            return os.path.isfile(os.path.join(self.folder, name))
        return name in self.zip.NameToInfo

    def read(self, name, limit):
        """The member's bytes, refusing anything above `limit` or truncated."""
        if not self.has(name):
            raise FileFormatError(f"{self.source} has no {name!r} member.")
        if self.folder is not None:
            path = os.path.join(self.folder, name)
            if os.path.getsize(path) > limit:
                raise FileFormatError(
                    f"{self.source}: {name} is larger than {limit} bytes."
                )
            with open(path, "rb") as f:
                return f.read(limit + 1)[:limit]
        info = self.zip.getinfo(name)
        if info.file_size > limit:
            raise FileFormatError(
                f"{self.source}: member {name!r} declares {info.file_size} bytes, "
                f"more than the {limit} this model can need; refused."
            )
        if (
            info.file_size > 2**20
            and info.file_size > errors.MAX_COMPRESSION_RATIO * info.compress_size
        ):
            raise FileFormatError(
                f"{self.source}: member {name!r} declares {info.file_size} bytes "
                f"stored in {info.compress_size}; refusing a potential zip bomb."
            )
        try:
            with self.zip.open(info, "r") as f:
                data = f.read(limit + 1)
        except Exception as e:  # noqa: BLE001 - zipfile/zlib raise many kinds
            raise FileFormatError(
                f"{self.source}: member {name!r} is corrupt ({type(e).__name__}: {e})."
            ) from None
        if len(data) != info.file_size:
            raise FileFormatError(f"{self.source}: member {name!r} is truncated.")
        return data


def weights_limit(model):
    """The most bytes a weights file for `model` may take: its weights and up
    to four optimizer copies of them, plus HDF5 overhead."""
    n_bytes = sum(w.nbytes for w in model.weights)
    return 6 * n_bytes + errors.MAX_WEIGHTS_BYTES_OVERHEAD


def read_config(archive, custom_objects=None):
    config = parse_json(
        archive.read(CONFIG, errors.MAX_JSON_BYTES), f"{CONFIG} in {archive.source}"
    )
    if archive.has(METADATA):
        parse_json(
            archive.read(METADATA, errors.MAX_JSON_BYTES),
            f"{METADATA} in {archive.source}",
        )
    return config


def load(filepath, custom_objects=None, compile=True):
    """A new model from a .keras file (or folder); nothing else is touched."""
    with Archive(filepath) as archive, errors.documented(archive.source):
        config = read_config(archive, custom_objects)
        model = model_config.model_from_config(config, custom_objects, archive.source)
        build = config.get("build_config")
        if not model.built and isinstance(build, dict) and build.get("input_shape"):
            try:
                model.build(tuple(build["input_shape"]))
            except (TypeError, ValueError) as e:
                raise FileFormatError(f"{archive.source}: bad build_config: {e}") from e
        compile_cfg = config.get("compile_config")
        if compile and compile_cfg:
            model_config.compile_from_config(
                model, compile_cfg, custom_objects, archive.source
            )
        if model.built:
            plan = read_weights(archive, model)
            plan.apply()
        elif archive.has(WEIGHTS):
            _check_no_weights(archive)
    return model


def read_weights(archive, model, skip_mismatch=False):
    """A checked WeightsPlan for `model` from the archive's model.weights.h5."""
    from . import h5tools

    if not archive.has(WEIGHTS):
        if archive.has("model.weights.npz"):
            raise FileFormatError(
                f"{archive.source} stores its weights as .npz; numkeras reads the "
                "default h5 weights format only."
            )
        raise FileFormatError(f"{archive.source} has no {WEIGHTS!r} member.")
    data = archive.read(WEIGHTS, weights_limit(model))
    source = f"{WEIGHTS} in {archive.source}"
    with h5tools.open_h5(data, source) as f:
        return weights_h5.plan(f, model, source, skip_mismatch)


def _check_no_weights(archive):
    """An unbuilt model can't take weights; a file that has some is refused."""
    from . import h5tools

    source = f"{WEIGHTS} in {archive.source}"
    data = archive.read(WEIGHTS, errors.MAX_WEIGHTS_BYTES_OVERHEAD)
    with h5tools.open_h5(data, source) as f, h5tools.guard(source):
        found = []
        f.visititems(
            lambda name, obj: (
                found.append(name)
                if hasattr(obj, "shape") and name.startswith("layers/")
                else None
            )
        )
    if found:
        raise FileFormatError(
            f"{archive.source}: the model has no input shape (no build_config) but "
            f"the file holds weights ({found[0]}, ...)."
        )


__all__ = ["save", "load", "Archive", "read_weights", "UnsafeDeserializationError"]
