"""Losses with Keras 3's API, each with its exact gradient written out.

A loss object maps `(y_true, y_pred)` to one number in three steps, as in Keras:

1. `call(y_true, y_pred)` gives the per-sample values: the last axis (or
   `axis`) is reduced, so (N, D) predictions give values of shape (N,).
2. `sample_weight` (and the mask that `ignore_class` creates) multiply them.
3. The `reduction` sums them: "sum_over_batch_size" / "mean" divide the sum by
   the number of values (NOT by the weight sum), "sum" does not divide,
   "mean_with_sample_weight" divides by the sum of the weights, "none" / None
   return the weighted values as they are.

Training needs the derivative as well. Every loss also has
`grad(y_true, y_pred)`: d values[i] / d y_pred[i], stacked into an array shaped
like y_pred. `value_and_grad(y_true, y_pred, sample_weight)` applies steps 2
and 3 to the value and to that gradient in one place (`Loss._reduce`), so the
gradient is always the derivative of the number `__call__` returns.

Every gradient is the derivative of the value *as computed*, clipping
included: where a probability was clipped to [eps, 1 - eps] its gradient is
zero, and CategoricalCrossentropy's renormalisation p / sum(p) is
differentiated too. The from_logits crossentropies never clip; they use a
stable log-softmax / log-sigmoid and the classic gradients softmax(z) - y and
sigmoid(z) - y.

Function forms (`mean_squared_error(y_true, y_pred)`, ...) return per-sample
values, like Keras's. `get("mse")` and friends resolve strings through one
explicit table (`_FUNCTIONS` plus `_ALIASES`).
"""

import math
import numbers

import numpy as np

from . import backend
from .saving import serialization_lib

REDUCTIONS = (
    "sum_over_batch_size",
    "sum",
    "mean",
    "mean_with_sample_weight",
    "none",
    None,
)


# --------------------------------------------------------------------------
# Small shared helpers
# --------------------------------------------------------------------------


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Make ranks equal when they differ by one trailing size-1 axis (Keras rule).

    If the longer array ends in a size-1 axis, the shorter one is expanded when
    it is rank 1 (so y_true (N,) against y_pred (N, 1) becomes (N, 1) and never
    broadcasts to (N, N)); otherwise the longer one is squeezed.
    """
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def _sum_to_shape(g, shape):
    """Sum a broadcast gradient back down to `shape` (the reverse of broadcasting)."""
    if g.shape == tuple(shape):
        return g
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead))) if lead > 0 else g
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def _check_label_smoothing(label_smoothing):
    if (
        isinstance(label_smoothing, bool)
        or not isinstance(label_smoothing, numbers.Real)
        or not 0.0 <= label_smoothing <= 1.0
    ):
        raise ValueError(
            "Invalid value for argument label_smoothing: expected a float in "
            f"[0, 1], received label_smoothing={label_smoothing!r}."
        )
    return label_smoothing


def _check_axis(axis):
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(
            f"Invalid value for argument axis: expected an int, received axis={axis!r}."
        )
    return int(axis)


def _check_non_negative(value, name):
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValueError(
            f"Invalid value for argument {name}: expected a non-negative number, "
            f"received {name}={value!r}."
        )
    return value


def _exp_neg_abs(z):
    """e = exp(-|z|), in (0, 1]: never overflows. softplus(z) = max(z, 0) + log1p(e)."""
    e = np.abs(z)
    np.negative(e, out=e)
    np.exp(e, out=e)
    return e


def _sigmoid_from(z, e):
    """sigmoid(z) from e = exp(-|z|): 1 / (1 + e) for z >= 0, e / (1 + e) for z < 0."""
    r = 1.0 + e
    np.reciprocal(r, out=r)
    return np.where(z >= 0, r, e * r)


def _softmax_parts(z):
    """Return (exp(z - max), sum of it, max), each over the last axis (keepdims).

    One max-subtract, one exp, one sum; callers build log-softmax and softmax
    from these without repeating the work.
    """
    m = z.max(axis=-1, keepdims=True)
    e = z - m
    np.exp(e, out=e)
    return e, e.sum(axis=-1, keepdims=True), m


def _softmax_vjp(p, dp):
    """Backward of p = softmax(z) over the last axis: dz = p * (dp - sum(dp * p))."""
    return p * (dp - (dp * p).sum(axis=-1, keepdims=True))


def _renormalize_and_clip(p):
    """Keras's probability preprocessing: q = p / sum(p), qc = clip(q, eps, 1 - eps).

    Returns (q, qc, s) with s = sum(p) over the last axis (keepdims).
    """
    eps = backend.epsilon()
    s = p.sum(axis=-1, keepdims=True)
    q = p / s
    return q, np.clip(q, eps, 1.0 - eps), s


def _renormalize_vjp(dq, q, s):
    """Backward of q = p / s with s = sum(p): dp = (dq - sum(dq * q)) / s."""
    return (dq - (dq * q).sum(axis=-1, keepdims=True)) / s


def _to_last(axis, *arrays):
    """Move `axis` to the end of each array (views; no copy when axis is -1)."""
    if axis == -1:
        return arrays
    return tuple(np.moveaxis(a, axis, -1) for a in arrays)


def _from_last(axis, g):
    return g if axis == -1 else np.moveaxis(g, -1, axis)


# --------------------------------------------------------------------------
# Base class
# --------------------------------------------------------------------------


class Loss:
    """Base class, as Keras's `Loss(name, reduction="sum_over_batch_size", dtype)`.

    Subclasses implement `call(y_true, y_pred) -> values` (per sample, the
    reduced axis removed) and `grad(y_true, y_pred) -> d values / d y_pred`
    (same shape as y_pred: entry [i, ..., k] is d values[i, ...] / d y_pred[i, ..., k]).
    Both receive prepared inputs: y_pred a float array, y_true cast to its dtype
    and squeezed/expanded to the same rank.

    Public entry points:
        loss(y_true, y_pred, sample_weight=None) -> float (array for reduction none)
        loss.value_and_grad(y_true, y_pred, sample_weight=None) -> (value, dy_pred)

    Backward: dy_pred = grad(y_true, y_pred) * d reduced / d values, where
    d reduced / d values = sample_weight * mask * 1/count (sum_over_batch_size),
    or 1/sum(weights) (mean_with_sample_weight), or 1 (sum; none = the gradient
    of the sum of the weighted values).

    dtype: y_pred arrays that are already floating keep their dtype (float32 in
    gives float32 out); other inputs are converted to `dtype` (floatx() when
    None). An explicit `dtype` casts y_pred to it.
    """

    axis = -1  # the axis `call` reduces; subclasses with an `axis` argument set it
    _same_shape = False  # crossentropies require y_true.shape == y_pred.shape

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in REDUCTIONS:
            raise ValueError(
                "Invalid value for argument reduction: expected one of "
                f"{list(REDUCTIONS)}, received reduction={reduction!r}."
            )
        if name is None:
            name = backend.unique_name(
                serialization_lib.snake_case(type(self).__name__)
            )
        self.name = name
        self.reduction = reduction
        self._dtype_arg = dtype

    @property
    def dtype(self):
        return backend.standardize_dtype(self._dtype_arg)

    # ---- subclass interface -------------------------------------------------

    def call(self, y_true, y_pred):
        raise NotImplementedError(
            f"{type(self).__name__} must implement call(y_true, y_pred)."
        )

    def grad(self, y_true, y_pred):
        raise NotImplementedError(
            f"Loss {self.name!r} ({type(self).__name__}) has no grad(y_true, "
            "y_pred), so it cannot be trained with. Implement grad() returning "
            "d call(y_true, y_pred) / d y_pred, shaped like y_pred."
        )

    def call_and_grad(self, y_true, y_pred):
        """(values, per-sample grads). Subclasses override it to share work."""
        return self.call(y_true, y_pred), self.grad(y_true, y_pred)

    # ---- public API ---------------------------------------------------------

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred, _ = self._prepare(y_true, y_pred)
        values = self.call(y_true, y_pred)
        value, _ = self._reduce(values, sample_weight, self._mask(y_true))
        return value

    def value_and_grad(self, y_true, y_pred, sample_weight=None):
        """(reduced value, d value / d y_pred), weights and reduction applied once.

        For reduction "none"/None the value is the array of weighted values and
        the gradient is that of their sum.
        """
        y_true, y_pred, shape = self._prepare(y_true, y_pred)
        values, grads = self.call_and_grad(y_true, y_pred)
        value, dvalues = self._reduce(values, sample_weight, self._mask(y_true))
        if not isinstance(dvalues, float):
            dvalues = np.expand_dims(dvalues, self.axis)
        if self._grad_is_scratch(grads, y_true, y_pred):
            grads *= dvalues
        else:  # a custom grad() returned an input or a read-only view
            grads = grads * dvalues
        return value, grads.reshape(shape)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    @staticmethod
    def _grad_is_scratch(grads, y_true, y_pred):
        """True if `grads` is a fresh writable array we may scale in place."""
        return (
            isinstance(grads, np.ndarray)
            and grads.flags.writeable
            and not np.may_share_memory(grads, y_pred)
            and not np.may_share_memory(grads, y_true)
        )

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"

    # ---- steps shared by every loss -----------------------------------------

    def _as_pred(self, y_pred):
        if self._dtype_arg is not None:
            return np.asarray(y_pred, dtype=self.dtype)
        if isinstance(y_pred, np.ndarray) and y_pred.dtype.kind == "f":
            return y_pred
        return np.asarray(y_pred, dtype=backend.floatx())

    def _prepare(self, y_true, y_pred):
        """Cast, match ranks, check shapes: (y_true, y_pred, y_pred's shape)."""
        y_pred = self._as_pred(y_pred)
        shape = y_pred.shape
        y_true = np.asarray(y_true).astype(y_pred.dtype, copy=False)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        self._check_shapes(y_true, y_pred)
        return y_true, y_pred, shape

    def _check_shapes(self, y_true, y_pred):
        if self._same_shape:
            ok = y_true.shape == y_pred.shape
            rule = "must have the same shape"
        else:
            ok = y_true.ndim == y_pred.ndim and all(
                t in (1, p) for t, p in zip(y_true.shape, y_pred.shape, strict=True)
            )
            rule = "must have the same shape (or y_true size-1 where y_pred is not)"
        if not ok:
            raise ValueError(
                f"In loss {self.name!r}, y_true and y_pred {rule}. Received: "
                f"y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}."
            )

    def _mask(self, y_true):
        """Boolean mask over the per-sample values, or None (see ignore_class)."""
        return None

    def _merged_weights(self, sample_weight, mask, dtype):
        """Fold the mask into the sample weights (Keras's apply_mask)."""
        weights = None
        if mask is not None:
            weights = mask.astype(dtype)
            if self.reduction in ("mean", "sum_over_batch_size"):
                valid = float(weights.sum())
                weights *= weights.size / valid if valid else 0.0
        if sample_weight is not None:
            sw = np.asarray(sample_weight, dtype=dtype)
            if weights is not None:
                weights, sw = squeeze_or_expand_to_same_rank(weights, sw)
                sw = sw * weights
            weights = sw
        return weights

    def _reduce(self, values, sample_weight=None, mask=None):
        """Weight and reduce per-sample values.

        Returns (value, dvalues): value is a Python float (an array for
        reduction "none"/None) and dvalues = d value / d values, either a Python
        float (no weights) or an array shaped like `values`.
        """
        weights = self._merged_weights(sample_weight, mask, values.dtype)
        if weights is None:
            v, weighted = values, values
        else:
            v, weights = squeeze_or_expand_to_same_rank(values, weights)
            try:
                weighted = v * weights
            except ValueError:
                raise ValueError(
                    f"In loss {self.name!r}, sample_weight of shape "
                    f"{np.shape(sample_weight)} cannot be matched to the per-sample "
                    f"loss values of shape {values.shape}."
                ) from None
        scale = self._reduction_scale(weighted, weights)
        if scale is None:  # no reduction
            value = weighted if self.reduction in ("none", None) else float(weighted)
            scale = 1.0
        else:
            value = float(np.sum(weighted) * scale)
        if weights is None:
            return value, scale
        dweighted = np.broadcast_to(weights * scale, weighted.shape)
        dvalues = _sum_to_shape(dweighted, v.shape).reshape(values.shape)
        return value, dvalues.astype(values.dtype, copy=False)

    def _reduction_scale(self, weighted, weights):
        """Factor c with reduced = c * sum(weighted); None means "return as is"."""
        if self.reduction in ("none", None) or weighted.ndim == 0:
            return None
        if self.reduction == "sum":
            return 1.0
        if self.reduction == "mean_with_sample_weight" and weights is not None:
            total = float(np.sum(weights))
        else:
            total = float(weighted.size)
        return 1.0 / total if total else 0.0  # divide_no_nan


class LossFunctionWrapper(Loss):
    """Wrap a plain function `fn(y_true, y_pred, **kwargs) -> per-sample values`.

    Gives a Loss with Keras's reductions and sample weights. A plain function
    has no gradient: `value_and_grad` raises a clear error (numkeras's built-in
    functions are resolved to their classes by `get`, which do have one).
    """

    def __init__(
        self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return np.asarray(self.fn(y_true, y_pred, **self._fn_kwargs))

    def get_config(self):
        config = super().get_config()
        config["fn"] = _serialize_function(self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """`fn` is resolved by name among numkeras's functions and custom_objects."""
        config = dict(config)
        fn = config.pop("fn")
        if isinstance(fn, dict):
            fn = fn.get("config")
        if isinstance(fn, str):
            fn = serialization_lib.resolve_name(
                fn, _FUNCTIONS, "loss function", custom_objects
            )
        return cls(fn, **config)


def _serialize_function(fn):
    """Keras's dict for a function: {"class_name": "function", "config": name, ...}."""
    name = getattr(fn, "__name__", repr(fn))
    return {
        "module": getattr(fn, "__module__", None),
        "class_name": "function",
        "config": name,
        "registered_name": name,
    }


# --------------------------------------------------------------------------
# Regression losses (elementwise, mean over the last axis)
# --------------------------------------------------------------------------


class MeanSquaredError(Loss):
    """values = mean((y - p)^2, axis=-1).

    Backward: dp = 2 * (p - y) / D.
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return np.mean(np.square(y_true - y_pred), axis=-1)

    def grad(self, y_true, y_pred):
        return (y_pred - y_true) * (2.0 / y_pred.shape[-1])


class MeanAbsoluteError(Loss):
    """values = mean(|y - p|, axis=-1).

    Backward: dp = sign(p - y) / D (0 where p == y).
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return np.mean(np.abs(y_true - y_pred), axis=-1)

    def grad(self, y_true, y_pred):
        return np.sign(y_pred - y_true) * (1.0 / y_pred.shape[-1])


class MeanAbsolutePercentageError(Loss):
    """values = 100 * mean(|y - p| / max(|y|, eps), axis=-1).

    A zero target divides by eps = 1e-7, so it gives huge values (as in Keras).
    Backward: dp = 100 * sign(p - y) / max(|y|, eps) / D.
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="mean_absolute_percentage_error",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        denom = np.maximum(np.abs(y_true), backend.epsilon())
        return 100.0 * np.mean(np.abs(y_true - y_pred) / denom, axis=-1)

    def grad(self, y_true, y_pred):
        denom = np.maximum(np.abs(y_true), backend.epsilon())
        return np.sign(y_pred - y_true) / denom * (100.0 / y_pred.shape[-1])


class MeanSquaredLogarithmicError(Loss):
    """values = mean((log(max(p, eps) + 1) - log(max(y, eps) + 1))^2, axis=-1).

    Backward: dp = 2 * d / D / (max(p, eps) + 1) where p >= eps, else 0,
    with d = log(max(p, eps) + 1) - log(max(y, eps) + 1).
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="mean_squared_logarithmic_error",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return np.mean(np.square(self._log_diff(y_true, y_pred)[0]), axis=-1)

    def grad(self, y_true, y_pred):
        d, pc = self._log_diff(y_true, y_pred)
        return d / (pc + 1.0) * (pc == y_pred) * (2.0 / y_pred.shape[-1])

    @staticmethod
    def _log_diff(y_true, y_pred):
        eps = backend.epsilon()
        pc = np.maximum(y_pred, eps)
        return np.log(pc + 1.0) - np.log(np.maximum(y_true, eps) + 1.0), pc


class Huber(Loss):
    """values = mean(0.5 e^2 if |e| <= delta else delta |e| - 0.5 delta^2), e = p - y.

    Backward: dp = (e if |e| <= delta else delta * sign(e)) / D.
    """

    def __init__(
        self,
        delta=1.0,
        reduction="sum_over_batch_size",
        name="huber_loss",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.delta = float(_check_non_negative(delta, "delta"))

    def call(self, y_true, y_pred):
        e = y_pred - y_true
        a = np.abs(e)
        d = self.delta
        return np.mean(np.where(a <= d, 0.5 * e * e, d * a - 0.5 * d * d), axis=-1)

    def grad(self, y_true, y_pred):
        e = y_pred - y_true
        g = np.where(np.abs(e) <= self.delta, e, self.delta * np.sign(e))
        return g * (1.0 / y_pred.shape[-1])

    def get_config(self):
        # Keras 3.15 drops `delta` here (a reloaded Huber(2.0) becomes Huber(1.0));
        # we keep it. Keras's constructor accepts the key, so Keras loads it.
        return {**super().get_config(), "delta": self.delta}


class LogCosh(Loss):
    """values = mean(x + softplus(-2x) - log 2), x = p - y (= mean(log cosh x)).

    Backward: dp = tanh(x) / D.
    """

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        x = y_pred - y_true
        return np.mean(x + np.logaddexp(0.0, -2.0 * x) - math.log(2.0), axis=-1)

    def grad(self, y_true, y_pred):
        return np.tanh(y_pred - y_true) * (1.0 / y_pred.shape[-1])


class CosineSimilarity(Loss):
    """values = -sum(l2_normalize(y) * l2_normalize(p), axis), in [-1, 1].

    l2_normalize(x) = x / max(||x||, eps). With u = y_hat, v = p_hat, n = ||p||:
    Backward: dp = -(u - (u . v) v) / n where n > eps, else -u / eps.
    """

    def __init__(
        self,
        axis=-1,
        reduction="sum_over_batch_size",
        name="cosine_similarity",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.axis = _check_axis(axis)

    @staticmethod
    def _normalize(x):
        n = np.sqrt(np.sum(x * x, axis=-1, keepdims=True))
        nc = np.maximum(n, backend.epsilon())
        return x / nc, n, nc

    def call(self, y_true, y_pred):
        y_true, y_pred = _to_last(self.axis, y_true, y_pred)
        return -np.sum(self._normalize(y_true)[0] * self._normalize(y_pred)[0], -1)

    def grad(self, y_true, y_pred):
        y_true, y_pred = _to_last(self.axis, y_true, y_pred)
        u = np.broadcast_to(self._normalize(y_true)[0], y_pred.shape)
        v, n, nc = self._normalize(y_pred)
        cos = np.sum(u * v, axis=-1, keepdims=True)
        g = -(u - (n == nc) * cos * v) / nc
        return _from_last(self.axis, g)

    def get_config(self):
        # Keras 3.15 drops `axis` here; we keep it (Keras's constructor accepts it).
        return {**super().get_config(), "axis": self.axis}


# --------------------------------------------------------------------------
# Hinge losses
# --------------------------------------------------------------------------


def _hinge_labels(y_true):
    """Keras's rule: if every label is 0 or 1, map them to -1 / +1."""
    if np.all((y_true == 0) | (y_true == 1)):
        return 2.0 * y_true - 1.0
    return y_true


class Hinge(Loss):
    """values = mean(max(1 - y p, 0)), labels 0/1 mapped to -1/+1.

    Backward: dp = -y * [1 - y p > 0] / D.
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        y = _hinge_labels(y_true)
        return np.mean(np.maximum(1.0 - y * y_pred, 0.0), axis=-1)

    def grad(self, y_true, y_pred):
        y = _hinge_labels(y_true)
        return -y * (1.0 - y * y_pred > 0) * (1.0 / y_pred.shape[-1])


class SquaredHinge(Loss):
    """values = mean(max(1 - y p, 0)^2), labels 0/1 mapped to -1/+1.

    Backward: dp = -2 y max(1 - y p, 0) / D.
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        y = _hinge_labels(y_true)
        return np.mean(np.square(np.maximum(1.0 - y * y_pred, 0.0)), axis=-1)

    def grad(self, y_true, y_pred):
        y = _hinge_labels(y_true)
        return -y * np.maximum(1.0 - y * y_pred, 0.0) * (2.0 / y_pred.shape[-1])


class CategoricalHinge(Loss):
    """values = max(neg - pos + 1, 0), pos = sum(y p), neg = max((1 - y) p).

    Backward: where the value is > 0, dp = (1 - y) at argmax((1 - y) p) (first
    one on ties) minus y; 0 elsewhere.
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        pos = np.sum(y_true * y_pred, axis=-1)
        neg = np.max((1.0 - y_true) * y_pred, axis=-1)
        return np.maximum(neg - pos + 1.0, 0.0)

    def grad(self, y_true, y_pred):
        y = np.broadcast_to(y_true, y_pred.shape)
        k = np.argmax((1.0 - y) * y_pred, axis=-1)[..., None]
        at_neg = np.zeros_like(y_pred)
        np.put_along_axis(at_neg, k, 1.0, axis=-1)
        active = self.call(y_true, y_pred) > 0
        return (at_neg * (1.0 - y) - y) * active[..., None]


# --------------------------------------------------------------------------
# Probabilistic losses
# --------------------------------------------------------------------------


class KLDivergence(Loss):
    """values = sum(yc * log(yc / pc), axis=-1), yc, pc = y, p clipped to [eps, 1].

    Backward: dp = -yc / pc where p was not clipped, else 0.
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        eps = backend.epsilon()
        yc = np.clip(y_true, eps, 1.0)
        return np.sum(yc * np.log(yc / np.clip(y_pred, eps, 1.0)), axis=-1)

    def grad(self, y_true, y_pred):
        eps = backend.epsilon()
        pc = np.clip(y_pred, eps, 1.0)
        return -np.clip(y_true, eps, 1.0) / pc * (pc == y_pred)


class Poisson(Loss):
    """values = mean(p - y log(p + eps), axis=-1).

    Backward: dp = (1 - y / (p + eps)) / D.
    """

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        eps = backend.epsilon()
        return np.mean(y_pred - y_true * np.log(y_pred + eps), axis=-1)

    def grad(self, y_true, y_pred):
        eps = backend.epsilon()
        return (1.0 - y_true / (y_pred + eps)) * (1.0 / y_pred.shape[-1])


class _SharedWorkLoss(Loss):
    """A loss whose value and gradient share intermediate arrays (softmax, ...).

    Subclasses implement `_compute(y_true, y_pred, need_grad) -> (values, grads)`
    once; call / grad / call_and_grad route to it.
    """

    def call(self, y_true, y_pred):
        return self._compute(y_true, y_pred, need_grad=False)[0]

    def grad(self, y_true, y_pred):
        return self._compute(y_true, y_pred, need_grad=True)[1]

    def call_and_grad(self, y_true, y_pred):
        return self._compute(y_true, y_pred, need_grad=True)


class BinaryCrossentropy(_SharedWorkLoss):
    """values = mean(-(y log p + (1 - y) log(1 - p)), axis), labels smoothed first.

    Label smoothing: y <- y (1 - ls) + 0.5 ls.
    Probabilities: p clipped to [eps, 1 - eps] (a perfect prediction gives
    ~1.19e-7 in float32, as in Keras).
      Backward: dp = (pc - y) / (pc (1 - pc)) / D where p was not clipped, else 0.
    Logits z (stable): elementwise max(z, 0) - y z + log1p(exp(-|z|)).
      Backward: dz = (sigmoid(z) - y) / D.
    """

    _same_shape = True

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.from_logits = from_logits
        self.label_smoothing = _check_label_smoothing(label_smoothing)
        self.axis = _check_axis(axis)

    def _compute(self, y_true, y_pred, need_grad):
        y, p = _to_last(self.axis, y_true, y_pred)
        if self.label_smoothing:
            y = y * (1.0 - self.label_smoothing) + 0.5 * self.label_smoothing
        inv_d = 1.0 / p.shape[-1]
        if self.from_logits:
            e = _exp_neg_abs(p)
            values = np.mean(np.maximum(p, 0.0) - y * p + np.log1p(e), axis=-1)
            grads = (_sigmoid_from(p, e) - y) * inv_d if need_grad else None
        else:
            eps = backend.epsilon()
            pc = np.clip(p, eps, 1.0 - eps)
            bce = -(y * np.log(pc) + (1.0 - y) * np.log(1.0 - pc))
            values = np.mean(bce, axis=-1)
            grads = None
            if need_grad:
                grads = (pc - y) / (pc * (1.0 - pc)) * (pc == p) * inv_d
        return values, None if grads is None else _from_last(self.axis, grads)

    def get_config(self):
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


class BinaryFocalCrossentropy(_SharedWorkLoss):
    """values = mean(w * (1 - p_t)^gamma * bce, axis) (Lin et al. focal loss).

    p = sigmoid(z) when from_logits; bce uses p clipped to [eps, 1 - eps];
    p_t = y p + (1 - y)(1 - p) (unclipped, as in Keras);
    w = y alpha + (1 - y)(1 - alpha) with apply_class_balancing, else 1.
    Backward: dp = w (f dbce + bce df) / D, with f = (1 - p_t)^gamma,
    dbce = (pc - y) / (pc (1 - pc)) where p was not clipped (else 0),
    df = -gamma (1 - p_t)^(gamma - 1) (2y - 1); from logits dz = dp * p (1 - p).
    """

    _same_shape = True

    def __init__(
        self,
        apply_class_balancing=False,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = _check_non_negative(gamma, "gamma")
        self.from_logits = from_logits
        self.label_smoothing = _check_label_smoothing(label_smoothing)
        self.axis = _check_axis(axis)

    def _compute(self, y_true, y_pred, need_grad):
        y, p = _to_last(self.axis, y_true, y_pred)
        if self.label_smoothing:
            y = y * (1.0 - self.label_smoothing) + 0.5 * self.label_smoothing
        if self.from_logits:
            p = _sigmoid_from(p, _exp_neg_abs(p))
        eps = backend.epsilon()
        pc = np.clip(p, eps, 1.0 - eps)
        bce = -(y * np.log(pc) + (1.0 - y) * np.log(1.0 - pc))
        gamma, alpha = float(self.gamma), float(self.alpha)
        base = 1.0 - (y * p + (1.0 - y) * (1.0 - p))  # 1 - p_t
        focal = base**gamma
        w = 1.0
        if self.apply_class_balancing:
            w = y * alpha + (1.0 - y) * (1.0 - alpha)
        values = np.mean(w * focal * bce, axis=-1)
        if not need_grad:
            return values, None
        dbce = (pc - y) / (pc * (1.0 - pc)) * (pc == p)
        dfocal = 0.0
        if gamma != 0:
            with np.errstate(divide="ignore"):
                dfocal = -gamma * base ** (gamma - 1.0) * (2.0 * y - 1.0)
        dp = w * (focal * dbce + bce * dfocal) * (1.0 / p.shape[-1])
        if self.from_logits:
            dp = dp * p * (1.0 - p)
        return values, _from_last(self.axis, dp)

    def get_config(self):
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
            "apply_class_balancing": self.apply_class_balancing,
            "alpha": self.alpha,
            "gamma": self.gamma,
        }


class CategoricalCrossentropy(_SharedWorkLoss):
    """values = -sum(y log q, axis) over one-hot (or soft) targets.

    Label smoothing: y <- y (1 - ls) + ls / C, C = y_pred.shape[axis].
    Probabilities: q = clip(p / sum(p), eps, 1 - eps) (Keras renormalises).
      Backward: dq = -y / q where q was not clipped, else 0;
                dp = (dq - sum(dq * p / s)) / s with s = sum(p).
    Logits z: log q = z - logsumexp(z) (no clipping).
      Backward: dz = softmax(z) * sum(y) - y (= softmax(z) - y for one-hot y).
    """

    _same_shape = True

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.from_logits = from_logits
        self.label_smoothing = _check_label_smoothing(label_smoothing)
        self.axis = _check_axis(axis)

    def _compute(self, y_true, y_pred, need_grad):
        y, p = _to_last(self.axis, y_true, y_pred)
        if self.label_smoothing:
            ls = self.label_smoothing
            y = y * (1.0 - ls) + ls / p.shape[-1]
        if self.from_logits:
            e, s, m = _softmax_parts(p)
            log_s = np.log(s)
            # -sum(y * (z - m - log s)) written without materialising log-softmax
            values = np.sum(y * (m + log_s - p), axis=-1)
            grads = None
            if need_grad:
                e /= s
                grads = e * y.sum(axis=-1, keepdims=True) - y
        else:
            q, qc, s = _renormalize_and_clip(p)
            values = -np.sum(y * np.log(qc), axis=-1)
            grads = None
            if need_grad:
                dq = -y / qc * (qc == q)
                grads = _renormalize_vjp(dq, q, s)
        return values, None if grads is None else _from_last(self.axis, grads)

    def get_config(self):
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


class CategoricalFocalCrossentropy(_SharedWorkLoss):
    """values = sum(alpha (1 - q)^gamma * (-y log q), axis).

    q = clip(p / sum(p), eps, 1 - eps), with p = softmax(z) when from_logits;
    alpha is a scalar or one weight per class. Labels smoothed as in CCE.
    Backward: dq = alpha [-y (1 - q)^gamma / q + gamma (1 - q)^(gamma-1) y log q]
    where q was not clipped (else 0), then the renormalisation backward
    (and the softmax backward from logits).
    """

    _same_shape = True

    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.alpha = alpha
        self.gamma = _check_non_negative(gamma, "gamma")
        self.from_logits = from_logits
        self.label_smoothing = _check_label_smoothing(label_smoothing)
        self.axis = _check_axis(axis)

    def _compute(self, y_true, y_pred, need_grad):
        y, p = _to_last(self.axis, y_true, y_pred)
        if self.label_smoothing:
            ls = self.label_smoothing
            y = y * (1.0 - ls) + ls / p.shape[-1]
        if self.from_logits:
            e, s_exp, _ = _softmax_parts(p)
            p = e / s_exp
        alpha = np.asarray(self.alpha, dtype=p.dtype)
        gamma = float(self.gamma)
        q, qc, s = _renormalize_and_clip(p)
        log_q = np.log(qc)
        modulating = (1.0 - qc) ** gamma  # 1 - qc >= eps, so no 0 ** negative below
        values = np.sum(alpha * modulating * (-y * log_q), axis=-1)
        if not need_grad:
            return values, None
        dmodulating = -gamma * (1.0 - qc) ** (gamma - 1.0)
        dq = alpha * (dmodulating * (-y * log_q) - y * modulating / qc)
        dp = _renormalize_vjp(dq * (qc == q), q, s)
        if self.from_logits:
            dp = _softmax_vjp(p, dp)
        return values, _from_last(self.axis, dp)

    def get_config(self):
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
            "alpha": self.alpha,
            "gamma": self.gamma,
        }


def _sparse_logits_fast_path(z, labels):
    """Mean sparse crossentropy of logits z (N, C) and its gradient, in a dozen
    NumPy calls (the per-step cost that matters at batch 32).

    value = mean(log Σ exp(z - m) + m - z[label]),  m = max(z) per row
    Backward: dz = (softmax(z) - onehot(label)) / N
    """
    if labels.min() < 0 or labels.max() >= z.shape[1]:
        raise ValueError(
            f"Received a label value outside the valid range [0, {z.shape[1] - 1}]"
            f" for {z.shape[1]} classes: min {labels.min()}, max {labels.max()}."
        )
    n = len(z)
    rows = np.arange(n)
    m = z.max(axis=1, keepdims=True)
    e = z - m
    np.exp(e, out=e)
    s = e.sum(axis=1, keepdims=True)
    value = (np.log(s).sum() + m.sum() - z[rows, labels].sum()) / n
    e /= s
    e[rows, labels] -= 1.0
    e *= 1.0 / n
    return float(value), e


class SparseCategoricalCrossentropy(_SharedWorkLoss):
    """values = -log q[label] for integer labels y of shape y_pred.shape[:-1].

    A trailing size-1 axis of y_true is squeezed. Labels must be integers in
    [0, C); `ignore_class` entries get value 0, gradient 0 and are masked out
    of the mean (so the mean runs over the other entries only, as in Keras).
    Probabilities: q = clip(p / sum(p), eps, 1 - eps).
      Backward: dq = -1 / q[label] at the label (0 if clipped);
                dp = (dq - sum(dq * p / s)) / s.
    Logits z: one max-subtract, one exp, one sum; log q[label] gathered with
    (arange(N), label) indexing.
      Backward: dz = softmax(z) with 1 subtracted in place at the label.
    Only the last axis may be the class axis (axis=-1).
    """

    def __init__(
        self,
        from_logits=False,
        ignore_class=None,
        reduction="sum_over_batch_size",
        axis=-1,
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if _check_axis(axis) != -1:
            raise ValueError(
                "Invalid value for argument axis: SparseCategoricalCrossentropy "
                f"supports only the last axis (-1), received axis={axis!r}."
            )
        if ignore_class is not None and (
            isinstance(ignore_class, bool)
            or not isinstance(ignore_class, (int, np.integer))
        ):
            raise ValueError(
                "Invalid value for argument ignore_class: expected an int or None, "
                f"received ignore_class={ignore_class!r}."
            )
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = -1

    def _prepare(self, y_true, y_pred):
        y_pred = self._as_pred(y_pred)
        labels = np.asarray(y_true)
        if labels.ndim == y_pred.ndim and labels.ndim > 0 and labels.shape[-1] == 1:
            labels = labels[..., 0]
        if y_pred.ndim < 1 or labels.shape != y_pred.shape[:-1]:
            raise ValueError(
                f"In loss {self.name!r}, y_true must have the shape of y_pred "
                "without its last (class) axis. Received: "
                f"y_true.shape={np.shape(y_true)}, y_pred.shape={y_pred.shape}."
            )
        return self._check_labels(labels, y_pred.shape[-1]), y_pred, y_pred.shape

    def _check_labels(self, labels, num_classes):
        """Integer labels in [0, C) (ignore_class entries excepted), as intp."""
        if labels.dtype.kind == "f":
            bad = labels != np.floor(labels)
            if np.any(bad):
                raise ValueError(
                    f"In loss {self.name!r}, sparse labels must be integers in "
                    f"[0, {num_classes}). Received the non-integer label "
                    f"{labels[bad].flat[0]} (num_classes={num_classes})."
                )
        elif labels.dtype.kind not in "iub":
            raise ValueError(
                f"In loss {self.name!r}, sparse labels must be integers; received "
                f"an array of dtype {labels.dtype} (num_classes={num_classes})."
            )
        labels = labels.astype(np.intp, copy=False)
        checked = labels
        if self.ignore_class is not None:
            checked = labels[labels != self.ignore_class]
        if checked.size and (checked.min() < 0 or checked.max() >= num_classes):
            bad = checked[(checked < 0) | (checked >= num_classes)].flat[0]
            raise ValueError(
                f"In loss {self.name!r}, received the label {bad}, outside the "
                f"valid range [0, {num_classes}) for y_pred with {num_classes} "
                "classes (num_classes = y_pred.shape[-1])."
            )
        return labels

    def _mask(self, y_true):
        if self.ignore_class is None:
            return None
        return y_true != self.ignore_class

    def _compute(self, y_true, y_pred, need_grad):
        num_classes = y_pred.shape[-1]
        labels = y_true.reshape(-1)
        mask = None
        if self.ignore_class is not None:
            mask = labels != self.ignore_class
            labels = np.where(mask, labels, 0)
        p = y_pred.reshape(-1, num_classes)
        rows = np.arange(p.shape[0])
        if self.from_logits:
            values, grads = self._from_logits(p, rows, labels, need_grad)
        else:
            values, grads = self._from_probs(p, rows, labels, need_grad)
        if mask is not None:
            values[~mask] = 0.0
            if grads is not None:
                grads[~mask] = 0.0
        values = values.reshape(y_true.shape)
        return values, None if grads is None else grads.reshape(y_pred.shape)

    @staticmethod
    def _from_logits(z, rows, labels, need_grad):
        e, s, m = _softmax_parts(z)
        log_s = np.log(s[:, 0])
        values = log_s - (z[rows, labels] - m[:, 0])
        if not need_grad:
            return values, None
        e /= s
        e[rows, labels] -= 1.0
        return values, e

    @staticmethod
    def _from_probs(p, rows, labels, need_grad):
        with np.errstate(divide="ignore", invalid="ignore"):  # all-zero ignored rows
            q, qc, s = _renormalize_and_clip(p)
            q_y, qc_y = q[rows, labels], qc[rows, labels]
            values = -np.log(qc_y)
            if not need_grad:
                return values, None
            dq_y = -1.0 / qc_y * (qc_y == q_y)  # dq is zero off the label
            grads = np.empty_like(p)
            grads[...] = (-dq_y * q_y)[:, None] / s
            grads[rows, labels] += dq_y / s[:, 0]
        return values, grads

    def value_and_grad(self, y_true, y_pred, sample_weight=None):
        """The training step's case (logits (N, C), integer labels (N,), no
        weights, the default reduction) takes `_logits_fast_path`, which is
        tested equal to the general path; everything else takes the latter."""
        if (
            self.from_logits
            and sample_weight is None
            and self.ignore_class is None
            and self.reduction == "sum_over_batch_size"
            and isinstance(y_pred, np.ndarray)
            and isinstance(y_true, np.ndarray)
            and y_pred.ndim == 2
            and y_true.ndim == 1
            and y_true.dtype.kind in "iu"
            and len(y_true) == len(y_pred) > 0
            and self._dtype_arg is None
        ):
            return _sparse_logits_fast_path(y_pred, y_true)
        return super().value_and_grad(y_true, y_pred, sample_weight)

    def get_config(self):
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
        }


# --------------------------------------------------------------------------
# Function forms: per-sample values, like keras.losses.<name>(y_true, y_pred)
# --------------------------------------------------------------------------


def mean_squared_error(y_true, y_pred):
    """Per-sample mean((y_true - y_pred)^2, axis=-1)."""
    return MeanSquaredError(reduction=None)(y_true, y_pred)


def mean_absolute_error(y_true, y_pred):
    """Per-sample mean(|y_true - y_pred|, axis=-1)."""
    return MeanAbsoluteError(reduction=None)(y_true, y_pred)


def mean_absolute_percentage_error(y_true, y_pred):
    """Per-sample 100 * mean(|y_true - y_pred| / max(|y_true|, eps), axis=-1)."""
    return MeanAbsolutePercentageError(reduction=None)(y_true, y_pred)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Per-sample mean((log(max(p, eps) + 1) - log(max(y, eps) + 1))^2, axis=-1)."""
    return MeanSquaredLogarithmicError(reduction=None)(y_true, y_pred)


def huber(y_true, y_pred, delta=1.0):
    """Per-sample Huber loss (see `Huber`)."""
    return Huber(delta=delta, reduction=None)(y_true, y_pred)


def log_cosh(y_true, y_pred):
    """Per-sample mean(log(cosh(y_pred - y_true)), axis=-1)."""
    return LogCosh(reduction=None)(y_true, y_pred)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Per-sample -sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)."""
    return CosineSimilarity(axis=axis, reduction=None)(y_true, y_pred)


def hinge(y_true, y_pred):
    """Per-sample mean(max(1 - y_true * y_pred, 0), axis=-1) (0/1 labels -> -1/+1)."""
    return Hinge(reduction=None)(y_true, y_pred)


def squared_hinge(y_true, y_pred):
    """Per-sample mean(max(1 - y_true * y_pred, 0)^2, axis=-1)."""
    return SquaredHinge(reduction=None)(y_true, y_pred)


def categorical_hinge(y_true, y_pred):
    """Per-sample max(max((1 - y) p) - sum(y p) + 1, 0)."""
    return CategoricalHinge(reduction=None)(y_true, y_pred)


def kl_divergence(y_true, y_pred):
    """Per-sample sum(y log(y / p), axis=-1), y and p clipped to [eps, 1]."""
    return KLDivergence(reduction=None)(y_true, y_pred)


def poisson(y_true, y_pred):
    """Per-sample mean(y_pred - y_true * log(y_pred + eps), axis=-1)."""
    return Poisson(reduction=None)(y_true, y_pred)


def binary_crossentropy(
    y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1
):
    """Per-sample binary crossentropy, mean over `axis` (see `BinaryCrossentropy`)."""
    loss = BinaryCrossentropy(from_logits, label_smoothing, axis, reduction=None)
    return loss(y_true, y_pred)


def binary_focal_crossentropy(
    y_true,
    y_pred,
    apply_class_balancing=False,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
):
    """Per-sample binary focal crossentropy (see `BinaryFocalCrossentropy`)."""
    loss = BinaryFocalCrossentropy(
        apply_class_balancing,
        alpha,
        gamma,
        from_logits,
        label_smoothing,
        axis,
        reduction=None,
    )
    return loss(y_true, y_pred)


def categorical_crossentropy(
    y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1
):
    """Per-sample categorical crossentropy (see `CategoricalCrossentropy`)."""
    loss = CategoricalCrossentropy(from_logits, label_smoothing, axis, reduction=None)
    return loss(y_true, y_pred)


def categorical_focal_crossentropy(
    y_true,
    y_pred,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
):
    """Per-sample categorical focal crossentropy (see CategoricalFocalCrossentropy)."""
    loss = CategoricalFocalCrossentropy(
        alpha, gamma, from_logits, label_smoothing, axis, reduction=None
    )
    return loss(y_true, y_pred)


def sparse_categorical_crossentropy(
    y_true, y_pred, from_logits=False, ignore_class=None, axis=-1
):
    """Per-sample sparse categorical crossentropy (ignored entries give 0)."""
    loss = SparseCategoricalCrossentropy(
        from_logits, ignore_class, reduction=None, axis=axis
    )
    return loss(y_true, y_pred)


# --------------------------------------------------------------------------
# Resolution: get / serialize / deserialize / logits_form
# --------------------------------------------------------------------------

ALL_OBJECTS = {
    "Loss": Loss,
    "LossFunctionWrapper": LossFunctionWrapper,
    "MeanSquaredError": MeanSquaredError,
    "MeanAbsoluteError": MeanAbsoluteError,
    "MeanAbsolutePercentageError": MeanAbsolutePercentageError,
    "MeanSquaredLogarithmicError": MeanSquaredLogarithmicError,
    "Huber": Huber,
    "LogCosh": LogCosh,
    "CosineSimilarity": CosineSimilarity,
    "Hinge": Hinge,
    "SquaredHinge": SquaredHinge,
    "CategoricalHinge": CategoricalHinge,
    "KLDivergence": KLDivergence,
    "Poisson": Poisson,
    "BinaryCrossentropy": BinaryCrossentropy,
    "BinaryFocalCrossentropy": BinaryFocalCrossentropy,
    "CategoricalCrossentropy": CategoricalCrossentropy,
    "CategoricalFocalCrossentropy": CategoricalFocalCrossentropy,
    "SparseCategoricalCrossentropy": SparseCategoricalCrossentropy,
}

# Function name -> (function, class that computes it with a gradient).
_FUNCTIONS = {
    "mean_squared_error": mean_squared_error,
    "mean_absolute_error": mean_absolute_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error,
    "huber": huber,
    "log_cosh": log_cosh,
    "cosine_similarity": cosine_similarity,
    "hinge": hinge,
    "squared_hinge": squared_hinge,
    "categorical_hinge": categorical_hinge,
    "kl_divergence": kl_divergence,
    "poisson": poisson,
    "binary_crossentropy": binary_crossentropy,
    "binary_focal_crossentropy": binary_focal_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "categorical_focal_crossentropy": categorical_focal_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
}

_FUNCTION_CLASSES = {
    mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError,
    huber: Huber,
    log_cosh: LogCosh,
    cosine_similarity: CosineSimilarity,
    hinge: Hinge,
    squared_hinge: SquaredHinge,
    categorical_hinge: CategoricalHinge,
    kl_divergence: KLDivergence,
    poisson: Poisson,
    binary_crossentropy: BinaryCrossentropy,
    binary_focal_crossentropy: BinaryFocalCrossentropy,
    categorical_crossentropy: CategoricalCrossentropy,
    categorical_focal_crossentropy: CategoricalFocalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
}

# Keras's string aliases. NOT aliases: "huber_loss", "logcosh", "cce", "scce".
_ALIASES = {
    "bce": "binary_crossentropy",
    "BCE": "binary_crossentropy",
    "mse": "mean_squared_error",
    "MSE": "mean_squared_error",
    "mae": "mean_absolute_error",
    "MAE": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "MAPE": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "MSLE": "mean_squared_logarithmic_error",
    "kld": "kl_divergence",
    "KLD": "kl_divergence",
}


def _from_function(fn, name):
    """A Loss for a function: a built-in's class (it has a gradient), or a wrapper."""
    cls = _FUNCTION_CLASSES.get(fn)
    if cls is not None:
        return cls(name=name)
    return LossFunctionWrapper(fn, name=name)


def _from_string(identifier, custom_objects=None):
    if custom_objects and identifier in custom_objects:
        obj = custom_objects[identifier]
        return obj() if isinstance(obj, type) else _wrap_callable(obj)
    if identifier in ALL_OBJECTS and identifier not in ("Loss", "LossFunctionWrapper"):
        return ALL_OBJECTS[identifier]()
    fn_name = _ALIASES.get(identifier, identifier)
    if fn_name in _FUNCTIONS:
        return _from_function(_FUNCTIONS[fn_name], name=identifier)
    valid = sorted(
        [n for n in ALL_OBJECTS if n not in ("Loss", "LossFunctionWrapper")]
        + list(_FUNCTIONS)
        + list(_ALIASES)
    )
    raise ValueError(
        f"Could not interpret loss identifier: {identifier!r}. Valid names: "
        f"{', '.join(valid)}."
    )


def _wrap_callable(obj):
    if isinstance(obj, Loss):
        return obj
    return _from_function(obj, name=getattr(obj, "__name__", None))


def get(identifier):
    """Resolve a loss identifier to a `Loss` instance (None stays None).

    Accepts a class or function name or alias ("CategoricalCrossentropy",
    "categorical_crossentropy", "mse", ...), a Keras config dict, a Loss class
    (instantiated), a Loss instance (returned) or a plain function (wrapped;
    its name, or the string passed, becomes the loss name). Unlike Keras, which
    returns the bare function for "mse", this always returns a Loss object,
    because training needs `value_and_grad`.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return _from_string(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return _wrap_callable(identifier)
    raise ValueError(
        f"Could not interpret loss identifier: {identifier!r}. Expected a string, "
        "a config dict, a Loss class or instance, or a function."
    )


def serialize(loss):
    """Keras's dict for a Loss instance, or the function dict for a function."""
    if isinstance(loss, Loss):
        return serialization_lib.serialize(loss, "keras.losses")
    return _serialize_function(loss)


def deserialize(config, custom_objects=None):
    """Build a Loss from a Keras dict (or a name), resolving classes by allow-list."""
    if isinstance(config, str):
        return _from_string(config, custom_objects)
    if isinstance(config, dict) and config.get("class_name") == "function":
        return _from_string(config.get("config"), custom_objects)
    if isinstance(config, dict) and config.get("class_name") == "LossFunctionWrapper":
        inner = config.get("config") or {}
        return LossFunctionWrapper.from_config(inner, custom_objects)
    return serialization_lib.deserialize(config, ALL_OBJECTS, "loss", custom_objects)


def logits_form(activation_name, loss):
    """The from_logits twin of a probability-space crossentropy, or None.

    Table (exact classes only, from_logits=False, and for softmax axis=-1):
        "softmax" + CategoricalCrossentropy        -> same config, from_logits=True
        "softmax" + SparseCategoricalCrossentropy  -> same config, from_logits=True
        "sigmoid" + BinaryCrossentropy             -> same config, from_logits=True
    Anything else returns None.

    `compile()` uses this once to train on the last Dense layer's
    pre-activation z (the fused head): crossentropy(y, activation(z)) equals
    crossentropy_from_logits(y, z), and its gradient is simply softmax(z) - y or
    sigmoid(z) - y. This matches Keras on TensorFlow, which uses the stored
    logits of a softmax/sigmoid output the same way. It differs from Keras on
    JAX/torch only where probabilities reach the 1e-7 clip region: there the
    clipped probability form has a zero (or distorted) gradient while the
    fused form keeps the true one, so it is the better-conditioned of the two.
    """
    name = getattr(activation_name, "name", activation_name)
    if getattr(loss, "from_logits", True):
        return None
    kind = type(loss)
    if name == "softmax" and kind in (
        CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
    ):
        if loss.axis != -1:
            return None
    elif not (name == "sigmoid" and kind is BinaryCrossentropy):
        return None
    config = {**loss.get_config(), "from_logits": True, "dtype": loss._dtype_arg}
    return kind.from_config(config)
