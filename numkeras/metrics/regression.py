"""Regression metrics: error means, RMSE, cosine similarity and R²."""

import warnings

import numpy as np

from numkeras.metrics import functions
from numkeras.metrics.base import (
    Mean,
    MeanMetricWrapper,
    Metric,
    float_array,
    match_shapes,
    to_result,
)


class MeanSquaredError(MeanMetricWrapper):
    """mean((y_true - y_pred)²), averaged over samples."""

    _direction = "down"

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(functions.mean_squared_error, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsoluteError(MeanMetricWrapper):
    """mean(|y_true - y_pred|), averaged over samples."""

    _direction = "down"

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(functions.mean_absolute_error, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """100 * mean(|y_true - y_pred| / max(|y_true|, eps))."""

    _direction = "down"

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(
            functions.mean_absolute_percentage_error, name=name, dtype=dtype
        )

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))²)."""

    _direction = "down"

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(
            functions.mean_squared_logarithmic_error, name=name, dtype=dtype
        )

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class LogCoshError(MeanMetricWrapper):
    """mean(log(cosh(y_pred - y_true))); Keras names it "logcosh"."""

    _direction = "down"

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(functions.log_cosh, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class CosineSimilarity(MeanMetricWrapper):
    """Σ l2_normalize(y_true) * l2_normalize(y_pred) along `axis` (positive)."""

    _direction = "up"

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(functions.cosine_similarity, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class RootMeanSquaredError(Mean):
    """sqrt(Mean of the squared errors over all elements): the square root is
    taken after averaging, so it is not the mean of per-batch RMSEs."""

    _direction = "down"

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = float_array(y_pred, self.dtype)
        y_true = float_array(y_true, self.dtype)
        y_true, y_pred = match_shapes(y_true, y_pred)
        super().update_state(np.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return float(np.sqrt(super().result()))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class R2Score(Metric):
    """Coefficient of determination R², per output column, then aggregated.

    Keeps weighted Σy, Σy², Σ(y - p)² and Σw per output. With
    SS_tot = Σy² - (Σy)²/Σw and SS_res = Σ(y - p)²:
    score = 1 - SS_res / SS_tot (an infinite score becomes 0).
    `class_aggregation`: "uniform_average" (mean over outputs),
    "variance_weighted_average" (weighted by SS_tot) or None (per-output array).
    With `num_regressors` p > 0 and n samples, the adjusted score is
    1 - (1 - R²)(n - 1)/(n - p - 1).
    """

    _direction = "up"
    _AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")

    def __init__(
        self,
        class_aggregation="uniform_average",
        num_regressors=0,
        name="r2_score",
        dtype=None,
    ):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in self._AGGREGATIONS:
            raise ValueError(
                "Invalid value for argument class_aggregation: expected one of "
                f"{self._AGGREGATIONS}, received class_aggregation="
                f"{class_aggregation!r}."
            )
        if num_regressors < 0:
            raise ValueError(
                "Invalid value for argument num_regressors: expected a value "
                f">= 0, received num_regressors={num_regressors!r}."
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self._sums = None  # Σwy, Σwy², Σw(y - p)², Σw per output, once built
        self.num_samples = 0

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = float_array(y_pred, self.dtype)
        y_true = float_array(y_true, self.dtype)
        y_true, y_pred = match_shapes(y_true, y_pred)
        if y_true.ndim != 2 or y_pred.ndim != 2:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim). "
                f"Received input shapes: y_pred.shape={y_pred.shape} and "
                f"y_true.shape={y_true.shape}."
            )
        if self._sums is None:
            self._sums = np.zeros((4, y_pred.shape[-1]))
        w = 1.0 if sample_weight is None else float_array(sample_weight, self.dtype)
        if np.ndim(w) == 1:
            w = w[:, None]
        w = np.broadcast_to(w, y_true.shape).astype(np.float64)
        y = y_true.astype(np.float64)
        self._sums[0] += np.sum(w * y, axis=0)
        self._sums[1] += np.sum(w * y * y, axis=0)
        self._sums[2] += np.sum(w * np.square(y - y_pred), axis=0)
        self._sums[3] += np.sum(w, axis=0)
        self.num_samples += y_true.size

    def result(self):
        if self._sums is None:
            return 0.0
        total, squared, residual, count = self._sums
        if not np.any(count):  # nothing seen since the last reset
            return 0.0 if self.class_aggregation else to_result(count, self.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            ss_tot = squared - total * (total / count)
            raw = 1 - residual / ss_tot
        raw = np.where(np.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = np.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            with np.errstate(divide="ignore", invalid="ignore"):
                score = np.sum(ss_tot * raw) / np.sum(ss_tot)
        else:
            score = raw
        score = self._adjust(score)
        return to_result(score, self.dtype)

    def _adjust(self, score):
        n, p = self.num_samples, self.num_regressors
        if p == 0:
            return score
        if p > n - 1:
            warnings.warn(
                "More independent predictors than datapoints in adjusted R2 "
                "score. Falling back to standard R2 score.",
                stacklevel=3,
            )
            return score
        if p == n - 1:
            warnings.warn(
                "Division by zero in Adjusted R2 score. Falling back to "
                "standard R2 score.",
                stacklevel=3,
            )
            return score
        return 1 - (1 - score) * (n - 1) / (n - p - 1)

    def reset_state(self):
        if self._sums is not None:
            self._sums[:] = 0.0
        self.num_samples = 0

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }
