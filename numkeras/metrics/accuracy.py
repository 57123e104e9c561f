"""Accuracy metrics: per-sample matches averaged exactly over the epoch."""

import numpy as np

from numkeras.metrics import functions
from numkeras.metrics.base import MeanMetricWrapper


class Accuracy(MeanMetricWrapper):
    """How often y_pred equals y_true exactly: mean(y_true == y_pred)."""

    _direction = "up"

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(functions.accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often (y_pred > threshold) equals the binary label (strict >)."""

    _direction = "up"

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        if (
            threshold is None
            or isinstance(threshold, bool)
            or not np.isfinite(threshold)
        ):
            raise ValueError(
                "Invalid value for argument threshold: expected a finite number, "
                f"received threshold={threshold!r}."
            )
        super().__init__(
            functions.binary_accuracy, name=name, dtype=dtype, threshold=threshold
        )
        self.threshold = threshold

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often argmax(y_pred) equals argmax(one-hot y_true)."""

    _direction = "up"

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(functions.categorical_accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often argmax(y_pred) equals the integer label (trailing 1 squeezed)."""

    _direction = "up"

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(functions.sparse_categorical_accuracy, name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Fast path for the training loop's case (integer labels (N,), scores
        (N, C), no weights): one argmax and one count; else the general path."""
        if (
            sample_weight is None
            and isinstance(y_true, np.ndarray)
            and isinstance(y_pred, np.ndarray)
            and y_true.ndim == 1
            and y_pred.ndim == 2
            and y_true.dtype.kind in "iu"
            and len(y_true) == len(y_pred)
        ):
            self.total += int(np.count_nonzero(y_pred.argmax(axis=1) == y_true))
            self.count += len(y_true)
            return
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often argmax(one-hot y_true) is among the k highest predictions."""

    _direction = "up"

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(
            functions.top_k_categorical_accuracy, name=name, dtype=dtype, k=k
        )
        self.k = k

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the k highest predictions (or, with
    `from_sorted_ids=True`, among the first k of the sorted top class ids)."""

    _direction = "up"

    def __init__(
        self,
        k=5,
        name="sparse_top_k_categorical_accuracy",
        dtype=None,
        from_sorted_ids=False,
    ):
        super().__init__(
            functions.sparse_top_k_categorical_accuracy,
            name=name,
            dtype=dtype,
            k=k,
            from_sorted_ids=from_sorted_ids,
        )
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
