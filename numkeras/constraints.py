"""Weight constraints with Keras 3's API: projections applied after each update.

`c(w)` returns the projected weights, a new array with w's dtype; the model
writes it back in place right after the optimizer step (never at
initialization). Norms are taken along `axis` (an int or a tuple of ints,
e.g. (0, 1, 2) for a Conv2D kernel), keeping dims:
    n = sqrt(sum(w^2, axis))
"""

import numpy as np

from . import backend
from .saving import serialization_lib


def _axis(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def _norms(w, axis):
    return np.sqrt(np.sum(np.square(w), axis=_axis(axis), keepdims=True))


class Constraint:
    """Base class: the identity."""

    def __call__(self, w):
        return np.array(w, copy=True)

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class MaxNorm(Constraint):
    """w <- w * clip(n, 0, max_value) / (eps + n): cap each norm at max_value.

    For a Dense kernel (in, out) with axis=0, n is the norm of each unit's
    incoming weight vector.
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = np.asarray(w)
        n = _norms(w, self.axis)
        desired = np.clip(n, 0.0, float(self.max_value))
        return w * (desired / (backend.epsilon() + n))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """w <- max(w, 0)."""

    def __call__(self, w):
        return np.maximum(np.asarray(w), 0.0)


class UnitNorm(Constraint):
    """w <- w / (eps + n): unit norm along axis."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = np.asarray(w)
        return w / (backend.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """w <- w * desired / (eps + n), desired = rate clip(n, min, max) + (1 - rate) n.

    rate=1.0 enforces the bounds strictly; rate < 1 moves the norms part of
    the way each step.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = np.asarray(w)
        n = _norms(w, self.axis)
        rate = float(self.rate)
        clipped = np.clip(n, float(self.min_value), float(self.max_value))
        desired = rate * clipped + (1.0 - rate) * n
        return w * (desired / (backend.epsilon() + n))

    def get_config(self):
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


# Keras's lowercase aliases are the classes themselves.
max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

ALL_OBJECTS = {
    "Constraint": Constraint,
    "MaxNorm": MaxNorm,
    "NonNeg": NonNeg,
    "UnitNorm": UnitNorm,
    "MinMaxNorm": MinMaxNorm,
}

# Strings `get` accepts: class names and their snake_case names.
_STRINGS = {
    **ALL_OBJECTS,
    "constraint": Constraint,
    "max_norm": MaxNorm,
    "non_neg": NonNeg,
    "unit_norm": UnitNorm,
    "min_max_norm": MinMaxNorm,
}


def serialize(constraint):
    return serialization_lib.serialize(constraint, "keras.constraints")


def deserialize(config, custom_objects=None):
    return serialization_lib.deserialize_named(
        config, _STRINGS, ALL_OBJECTS, "constraint", custom_objects
    )


def get(identifier):
    """None, a string ("max_norm", ...), a Keras dict, a class, or a callable."""
    return serialization_lib.get_named(
        identifier, _STRINGS, ALL_OBJECTS, "constraint", "Constraint"
    )
