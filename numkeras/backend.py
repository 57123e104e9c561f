"""Global settings, as in `keras.backend` / `keras.config`: floatx, epsilon, names.

numkeras computes on NumPy only. `floatx()` is the dtype of new weights and of
inputs after casting ("float32" by default, like Keras); tests switch to
"float64" for finite-difference gradient checks.
"""

import numpy as np

_FLOATX = "float32"
_EPSILON = 1e-7
_VALID_FLOATX = ("float16", "float32", "float64")
_NAME_COUNTS = {}


def backend():
    """The name of the compute backend: always "numpy"."""
    return "numpy"


def floatx():
    """The default float dtype as a string, e.g. "float32"."""
    return _FLOATX


def set_floatx(value):
    global _FLOATX
    if value not in _VALID_FLOATX:
        raise ValueError(
            f"Unknown floatx type. Received: value={value!r}. "
            f"Expected one of {_VALID_FLOATX}."
        )
    _FLOATX = str(value)


def epsilon():
    """The fuzz factor used by losses and metrics (1e-7, as in Keras)."""
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    return "channels_last"


def standardize_dtype(dtype):
    """Return a dtype name string; None means floatx()."""
    if dtype is None:
        return _FLOATX
    if isinstance(dtype, dict):  # a serialized DTypePolicy from a Keras config
        dtype = dtype.get("config", {}).get("name", _FLOATX)
    return np.dtype(dtype).name


def unique_name(base):
    """Keras-style process-wide unique names: dense, dense_1, dense_2, ..."""
    count = _NAME_COUNTS.get(base, 0)
    _NAME_COUNTS[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def clear_session():
    """Reset the name counters (layer names start again at `dense`)."""
    _NAME_COUNTS.clear()
