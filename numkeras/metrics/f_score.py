"""F-beta and F1 scores for multi-class / multi-label (batch, classes) data."""

import numpy as np

from numkeras import backend
from numkeras.metrics.base import Metric, float_array, to_result


class FBetaScore(Metric):
    """F-beta score per class, optionally averaged.

    With eps = 1e-7, P = TP/(TP + FP + eps), R = TP/(TP + FN + eps):

        F = (1 + β²) · P·R / (β²·P + R + eps)

    Predictions count as positive where y_pred > threshold, or, with
    threshold=None, where y_pred equals its row maximum (and |y_pred| > 1e-9).
    `average`: None returns the per-class array; "micro" pools the counts of all
    classes; "macro" is the unweighted mean of the class scores; "weighted"
    weights each class score by its support (Σ w·y_true).
    """

    _direction = "up"
    _AVERAGES = (None, "micro", "macro", "weighted")

    def __init__(
        self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None
    ):
        super().__init__(name=name, dtype=dtype)
        if average not in self._AVERAGES:
            raise ValueError(
                "Invalid value for argument average: expected one of "
                f"{self._AVERAGES}, received average={average!r}."
            )
        if not isinstance(beta, float) or beta <= 0.0:
            raise ValueError(
                "Invalid value for argument beta: expected a Python float > 0, "
                f"received beta={beta!r} of type {type(beta).__name__}."
            )
        if threshold is not None and (
            not isinstance(threshold, float) or not 0.0 < threshold <= 1.0
        ):
            raise ValueError(
                "Invalid value for argument threshold: expected a Python float "
                f"with 0 < threshold <= 1, received threshold={threshold!r}."
            )
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._counts = None  # TP, FP, FN, support; built on the first update

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = float_array(y_true, self.dtype)
        y_pred = float_array(y_pred, self.dtype)
        if y_pred.ndim != 2 or y_true.ndim != 2 or y_true.shape != y_pred.shape:
            raise ValueError(
                f"{type(self).__name__} expects 2D inputs of the same shape "
                "(batch_size, output_dim). Received input shapes: "
                f"y_pred.shape={y_pred.shape} and y_true.shape={y_true.shape}."
            )
        if self._counts is None:
            shape = () if self.average == "micro" else (y_pred.shape[-1],)
            self._counts = np.zeros((4, *shape))
        if self.threshold is None:
            row_max = np.max(y_pred, axis=-1, keepdims=True)
            positive = (y_pred >= row_max) & (np.abs(y_pred) > 1e-9)
        else:
            positive = y_pred > self.threshold
        pred = positive.astype(np.float64)
        true = y_true.astype(np.float64)
        if sample_weight is not None:
            w = float_array(sample_weight, self.dtype).astype(np.float64)
            weighted_true = true * w[:, None]
            weighted_pred = pred * w[:, None]
        else:
            weighted_true, weighted_pred = true, pred
        self._counts[0] += np.sum(weighted_pred * true, axis=self.axis)
        self._counts[1] += np.sum(weighted_pred * (1 - true), axis=self.axis)
        self._counts[2] += np.sum(weighted_true * (1 - pred), axis=self.axis)
        self._counts[3] += np.sum(weighted_true, axis=self.axis)

    def result(self):
        if self._counts is None:
            return 0.0
        eps = backend.epsilon()
        tp, fp, fn, support = self._counts
        precision = tp / (tp + fp + eps)
        recall = tp / (tp + fn + eps)
        b2 = self.beta**2
        score = (1 + b2) * (precision * recall) / (b2 * precision + recall + eps)
        if self.average == "weighted":
            score = np.sum(score * support / (np.sum(support) + eps))
        elif self.average is not None:  # micro, macro
            score = np.mean(score)
        return to_result(score, self.dtype)

    def reset_state(self):
        if self._counts is not None:
            self._counts[:] = 0.0

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


class F1Score(FBetaScore):
    """FBetaScore with β = 1: F1 = 2·P·R / (P + R)."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(
            average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype
        )

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
