"""The stateful metric protocol and the reducing metrics (Mean, Sum, MeanMetricWrapper).

Every metric follows Keras's protocol: `update_state(y_true, y_pred,
sample_weight=None)` accumulates statistics, `result()` reads the current value
(a Python float, or a numpy array for vector-valued metrics), `reset_state()`
clears the statistics (the model calls it at the start of every epoch and every
evaluate). Totals are kept as Python floats or float64 arrays: they are tiny, and
float64 accumulation keeps long epochs exact.
"""

import numpy as np

from numkeras import backend
from numkeras.saving import serialization_lib

# ---------------------------------------------------------------------------
# Shape helpers shared by all metrics
# ---------------------------------------------------------------------------


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Keras's rank matching: if ranks differ by one and the longer array's last
    dim is 1, squeeze that dim, or (when the shorter array is rank 1 and
    `expand_rank_1`) expand the shorter one. So (N,) against (N, 1) pairs up
    element by element instead of broadcasting to (N, N)."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2[:, None]
        else:
            x1 = x1[..., 0]
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1[:, None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def float_array(x, dtype=None):
    """`x` as a float array: float inputs keep their dtype, others get floatx()."""
    x = np.asarray(x)
    if dtype is None:
        dtype = x.dtype if x.dtype.kind == "f" else backend.floatx()
    return x.astype(dtype, copy=False)


def shape_error(y_true, y_pred, detail=""):
    return ValueError(
        "Incompatible shapes: y_true.shape="
        f"{tuple(np.shape(y_true))} and y_pred.shape={tuple(np.shape(y_pred))}"
        f"{detail}."
    )


def match_shapes(y_true, y_pred):
    """Rank-match y_true and y_pred; raise ValueError naming both shapes if they
    still cannot broadcast together."""
    t, p = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if t.shape != p.shape:
        try:
            np.broadcast_shapes(t.shape, p.shape)
        except ValueError:
            raise shape_error(y_true, y_pred) from None
    return t, p


def divide_no_nan(a, b):
    """a / b, with 0 wherever b == 0 (Keras's ops.divide_no_nan)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    safe = np.where(b == 0, 1.0, b)
    return np.where(b == 0, 0.0, a / safe)


def to_result(value, dtype):
    """A 0-d array becomes a Python float; a vector becomes a `dtype` array."""
    value = np.asarray(value)
    if value.ndim == 0:
        return float(value)
    return value.astype(dtype)


# ---------------------------------------------------------------------------
# Base class
# ---------------------------------------------------------------------------


class Metric:
    """Base class of all metrics (Keras's `keras.metrics.Metric`).

    Subclasses implement `update_state`, `result` and `reset_state`.
    `name=None` gives a process-unique snake_case name (`precision`,
    `precision_1`, ...), as Keras's `auto_name`. `_direction` is "up" when larger
    is better, "down" when smaller is better and None when unknown (a user
    function wrapped in MeanMetricWrapper).
    """

    _direction = None

    def __init__(self, name=None, dtype=None):
        if name is None:
            name = backend.unique_name(
                serialization_lib.snake_case(type(self).__name__)
            )
        self.name = name
        self.dtype = backend.standardize_dtype(dtype)

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        """Update with one batch, then return the running result (as Keras)."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def reduce_to_samplewise_values(values, sample_weight, dtype, reduce_fn=np.mean):
    """Keras's reduction of `values` (and `sample_weight`) to per-sample values.

    Returns (weighted per-sample values, per-sample weights or None). Values of
    rank > 1 are reduced with `reduce_fn` (mean for Mean, sum for Sum) down to
    one value per sample; weights of rank > 1 are reduced the same way after
    broadcasting against the values.
    """
    values = np.asarray(values).astype(dtype, copy=False)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight).astype(dtype, copy=False)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim = sample_weight.ndim
        if values.ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, values.ndim)))
        try:
            sample_weight = np.broadcast_to(sample_weight, values.shape)
        except ValueError:
            raise ValueError(
                "Incompatible shapes: sample_weight.shape="
                f"{sample_weight.shape} cannot broadcast to the per-sample "
                f"values of shape {values.shape}."
            ) from None
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of the given values: total += Σ values * w."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = 0.0

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(
            values, sample_weight, self.dtype, reduce_fn=np.sum
        )
        self.total += float(np.sum(values))

    def reset_state(self):
        self.total = 0.0

    def result(self):
        return self.total


class Mean(Metric):
    """The (weighted) mean of the given values.

    total += Σ values·w;  count += Σ w (or the number of samples when there are
    no weights);  result = total / count (0 when count is 0).
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None):
        # Fast path (the per-step loss tracker): a scalar value and a scalar weight.
        if isinstance(sample_weight, (int, float)) and np.ndim(values) == 0:
            self.total += float(values) * sample_weight
            self.count += sample_weight
            return
        values, sample_weight = reduce_to_samplewise_values(
            values, sample_weight, self.dtype
        )
        self.total += float(values.sum())
        if sample_weight is not None:
            self.count += float(sample_weight.sum())
        else:
            self.count += values.shape[0] if values.ndim else 1

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def result(self):
        return self.total / self.count if self.count != 0 else 0.0


class MeanMetricWrapper(Mean):
    """Wraps a per-sample function `fn(y_true, y_pred, **kwargs)` in a Mean.

    The per-sample values of every batch go into the Mean, so the result is the
    exact (weighted) average over all samples seen since the last reset; a
    partial last batch counts by its size.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        if not callable(fn):
            raise TypeError(
                "Invalid value for argument fn: expected a callable "
                f"fn(y_true, y_pred), received fn={fn!r}."
            )
        self._fn = fn
        self._fn_kwargs = kwargs
        if self._direction is None:  # subclasses declare their own direction
            from numkeras.metrics.functions import direction_of

            self._direction = direction_of(fn)

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        fn_name = getattr(self._fn, "__name__", type(self._fn).__name__)
        return {**super().get_config(), "fn": fn_name, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        # Resolved through the allow-list of numkeras metric functions only.
        from numkeras.metrics import functions

        if "fn" not in config:  # a subclass that fixes its own function
            return cls(**config)
        config = dict(config)
        fn = config.pop("fn")
        if isinstance(fn, dict):  # Keras's serialized-function dict
            fn = fn.get("config")
        if isinstance(fn, str):
            fn = serialization_lib.resolve_name(
                fn, functions.ALL_FUNCTIONS, "metric function", custom_objects
            )
        return cls(fn, **config)
