"""Defensive HDF5 reading helpers shared by the weights readers.

Everything that touches h5py while loading goes through these, so a corrupt or
hostile file surfaces as `FileFormatError`: links must be hard links inside
the file (no external links, no external or virtual dataset storage), datasets
must be numeric, and a dataset's declared shape is checked against what the
model expects *before* any data is read (so a huge declared shape costs
nothing). h5py is imported inside the functions (import numkeras stays fast).
"""

import contextlib
import io

import numpy as np

from .errors import FileFormatError, UnsafeDeserializationError

NUMERIC_KINDS = "fiub"


@contextlib.contextmanager
def guard(source):
    """Turn any unexpected error from h5py/HDF5 into FileFormatError."""
    try:
        yield
    except (FileFormatError, UnsafeDeserializationError):
        raise
    except Exception as e:  # noqa: BLE001 - HDF5 raises many kinds on bad files
        raise FileFormatError(
            f"{source} is not a readable HDF5 weights file ({type(e).__name__}: {e})."
        ) from e


def open_h5(data, source):
    """Open bytes or a path read-only, or raise FileFormatError."""
    import h5py

    with guard(source):
        if isinstance(data, (bytes, bytearray)):
            return h5py.File(io.BytesIO(bytes(data)), "r")
        return h5py.File(data, "r")


def child(group, name, kind, source, required=True):
    """`group[name]` if it is a hard link to a Group/Dataset (`kind`)."""
    import h5py

    link = group.get(name, getlink=True)
    if link is None:
        if required:
            raise FileFormatError(f"{source}: missing {kind} {_path(group, name)!r}.")
        return None
    if not isinstance(link, h5py.HardLink):
        raise UnsafeDeserializationError(
            f"{source}: {_path(group, name)!r} is a {type(link).__name__}; numkeras "
            "follows no soft or external links in a weights file."
        )
    obj = group[name]
    expected = h5py.Group if kind == "group" else h5py.Dataset
    if not isinstance(obj, expected):
        raise FileFormatError(
            f"{source}: {_path(group, name)!r} should be a {kind}, found "
            f"{type(obj).__name__}."
        )
    return obj


def read_dataset(ds, expected_shape, source, label):
    """The dataset's values, after checking shape, dtype and storage."""
    if ds.is_virtual or ds.external:
        raise UnsafeDeserializationError(
            f"{source}: {label} uses external or virtual storage; refused."
        )
    if "dtype" in ds.attrs:  # Keras marks bfloat16 this way
        raise FileFormatError(
            f"{source}: {label} has dtype {ds.attrs['dtype']!r}, which numkeras "
            "does not read."
        )
    if ds.dtype.kind not in NUMERIC_KINDS or ds.dtype.fields is not None:
        raise FileFormatError(
            f"{source}: {label} has non-numeric dtype {ds.dtype}; expected a "
            "numeric array."
        )
    if tuple(ds.shape or ()) != tuple(expected_shape):
        raise FileFormatError(
            f"{source}: {label} has shape {tuple(ds.shape or ())}, but the model "
            f"expects {tuple(expected_shape)}."
        )
    return np.asarray(ds[()])


def read_names(group, name):
    """A list-of-strings attribute (also tf.keras's chunked name0, name1, ...)."""
    attrs = group.attrs
    if name in attrs:
        chunks = [attrs[name]]
    else:
        chunks = []
        while f"{name}{len(chunks)}" in attrs:
            chunks.append(attrs[f"{name}{len(chunks)}"])
    out = []
    for chunk in chunks:
        for item in np.atleast_1d(np.asarray(chunk, dtype=object)).tolist():
            if isinstance(item, bytes):
                item = item.decode("utf-8")
            if not isinstance(item, str):
                raise FileFormatError(
                    f"Attribute {name!r} of {group.name!r} should hold strings, "
                    f"found {type(item).__name__}."
                )
            out.append(item)
    return out


def _path(group, name):
    return f"{group.name.rstrip('/')}/{name}"
