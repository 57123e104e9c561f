"""Weight regularizers with Keras 3's API, each with its gradient.

A regularizer maps a weight array w to a penalty, `reg(w) -> float`, which the
model adds to the loss of every batch (not divided by the batch size), and
`reg.grad(w) -> array like w` whose entries the model adds to the weight's
gradient. Penalties follow Keras exactly: L2 is l2 * sum(w^2), with no 1/2.

Config note: Keras 3.15's L1 and OrthogonalRegularizer store their factor as a
float32 tensor, so `L1().get_config()` gives {"l1": 0.009999999776482582}.
numkeras stores plain Python floats and returns the number you passed
({"l1": 0.01}); both load in either library and give the same float32 penalty.
"""

import math
import numbers

import numpy as np

from . import backend
from .saving import serialization_lib


def validate_float_arg(value, name):
    """A non-negative, finite int or float, returned as float (Keras's rule)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValueError(
            f"Invalid value for argument {name}: expected a non-negative finite "
            f"float, received {name}={value!r}."
        )
    return float(value)


class Regularizer:
    """Base class: no penalty. Subclasses implement __call__, grad, get_config."""

    def __call__(self, x):
        return 0.0

    def grad(self, x):
        """d penalty / d x, same shape and dtype as x."""
        return np.zeros_like(x)

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1(Regularizer):
    """penalty = l1 * sum(|w|).

    Backward: dw = l1 * sign(w) (sign(0) = 0).
    """

    def __init__(self, l1=0.01):
        self.l1 = validate_float_arg(0.01 if l1 is None else l1, "l1")

    def __call__(self, x):
        return float(self.l1 * np.sum(np.abs(x)))

    def grad(self, x):
        return self.l1 * np.sign(x)

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """penalty = l2 * sum(w^2) (no 1/2 factor).

    Backward: dw = 2 * l2 * w.
    """

    def __init__(self, l2=0.01):
        self.l2 = validate_float_arg(0.01 if l2 is None else l2, "l2")

    def __call__(self, x):
        return float(self.l2 * np.sum(np.square(x)))

    def grad(self, x):
        return (2.0 * self.l2) * x

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """penalty = l1 * sum(|w|) + l2 * sum(w^2). Both default to 0 (a no-op).

    Backward: dw = l1 * sign(w) + 2 * l2 * w.
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = validate_float_arg(0.0 if l1 is None else l1, "l1")
        self.l2 = validate_float_arg(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        penalty = 0.0
        if self.l1:
            penalty += float(self.l1 * np.sum(np.abs(x)))
        if self.l2:
            penalty += float(self.l2 * np.sum(np.square(x)))
        return penalty

    def grad(self, x):
        dx = np.zeros_like(x)
        if self.l1:
            dx += self.l1 * np.sign(x)
        if self.l2:
            dx += (2.0 * self.l2) * x
        return dx

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Push the rows (or columns) of a 2-D weight towards being orthogonal.

    With U = the rows of w, each divided by max(||row||, eps) (columns of w for
    mode="columns"), P = U U^T and r rows:
        penalty = factor * 0.5 * sum_{i != j} |P_ij| / (r (r - 1) / 2)
    Backward: dP = c * sign(P) off the diagonal, c = factor / (r (r - 1));
    dU = (dP + dP^T) U = 2 dP U; for each row u = w_i / n_i with n_i = ||w_i||:
    dw_i = (dU_i - (dU_i . u) u) / n_i where n_i > eps, else dU_i / eps.
    A single row has no pairs: penalty 0 (Keras divides 0 by 0 there).
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = validate_float_arg(factor, "factor")
        if mode not in ("rows", "columns"):
            raise ValueError(
                "Invalid value for argument mode: expected one of "
                f'("rows", "columns"), received mode={mode!r}.'
            )
        self.mode = mode

    def _rows(self, x):
        if np.ndim(x) != 2:
            raise ValueError(
                "Inputs to OrthogonalRegularizer must have rank 2. Received: "
                f"inputs.shape={np.shape(x)}"
            )
        return x if self.mode == "rows" else x.T

    @staticmethod
    def _normalize(w):
        n = np.sqrt(np.sum(w * w, axis=1, keepdims=True))
        nc = np.maximum(n, backend.epsilon())
        return w / nc, n, nc

    def _scale(self, r):
        return self.factor / (r * (r - 1.0)) if r > 1 else 0.0

    def __call__(self, x):
        w = self._rows(x)
        u = self._normalize(w)[0]
        product = u @ u.T
        np.fill_diagonal(product, 0.0)
        return float(self._scale(w.shape[0]) * np.sum(np.abs(product)))

    def grad(self, x):
        w = self._rows(x)
        u, n, nc = self._normalize(w)
        dproduct = np.sign(u @ u.T) * self._scale(w.shape[0])
        np.fill_diagonal(dproduct, 0.0)
        du = 2.0 * (dproduct @ u)
        radial = np.sum(du * u, axis=1, keepdims=True) * (n == nc)
        dw = (du - radial * u) / nc
        return dw if self.mode == "rows" else dw.T

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


# Keras's lowercase aliases are the classes themselves.
l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

ALL_OBJECTS = {
    "Regularizer": Regularizer,
    "L1": L1,
    "L2": L2,
    "L1L2": L1L2,
    "OrthogonalRegularizer": OrthogonalRegularizer,
}

# Strings `get` accepts: class names and Keras's snake_case names. "l1_l2" is NOT one.
_STRINGS = {
    **ALL_OBJECTS,
    "regularizer": Regularizer,
    "l1": L1,
    "l2": L2,
    "l1l2": L1L2,
    "orthogonal_regularizer": OrthogonalRegularizer,
}


def serialize(regularizer):
    return serialization_lib.serialize(regularizer, "keras.regularizers")


def deserialize(config, custom_objects=None):
    return serialization_lib.deserialize_named(
        config, _STRINGS, ALL_OBJECTS, "regularizer", custom_objects
    )


def get(identifier):
    """None, a string ("l2", "L1L2", ...), a Keras dict, a class, or a callable."""
    return serialization_lib.get_named(
        identifier, _STRINGS, ALL_OBJECTS, "regularizer", "Regularizer"
    )
