"""Keras's metrics on NumPy (`keras.metrics`).

- Stateful metrics: `update_state(y_true, y_pred, sample_weight=None)`,
  `result()`, `reset_state()`, `name`, `_direction` ("up"/"down").
- `get(identifier)`: a class name, snake_case name or alias ("mse", "mae",
  "mape", "msle", "bce" and uppercase), a Keras config dict, a class, an
  instance, or a plain function (wrapped in MeanMetricWrapper).
- `resolve(identifier, y_true, y_pred)`: what `compile(metrics=[...])` builds.
  "accuracy"/"acc" (and "crossentropy"/"ce") pick the binary, sparse or
  categorical variant from the shapes; a string names the metric as typed.
"""

import inspect

import numpy as np

from numkeras.metrics.accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
)
from numkeras.metrics.base import Mean, MeanMetricWrapper, Metric, Sum
from numkeras.metrics.confusion import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from numkeras.metrics.f_score import F1Score, FBetaScore
from numkeras.metrics.functions import (
    ALL_FUNCTIONS,
    accuracy,
    binary_accuracy,
    binary_crossentropy,
    categorical_accuracy,
    categorical_crossentropy,
    categorical_hinge,
    cosine_similarity,
    hinge,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_accuracy,
    sparse_categorical_crossentropy,
    sparse_top_k_categorical_accuracy,
    squared_hinge,
    top_k_categorical_accuracy,
)
from numkeras.metrics.probabilistic import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from numkeras.metrics.regression import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
)
from numkeras.saving import serialization_lib

ALL_OBJECTS = {
    # Base
    "Metric": Metric,
    "Mean": Mean,
    "Sum": Sum,
    "MeanMetricWrapper": MeanMetricWrapper,
    # Regression
    "MeanSquaredError": MeanSquaredError,
    "RootMeanSquaredError": RootMeanSquaredError,
    "MeanAbsoluteError": MeanAbsoluteError,
    "MeanAbsolutePercentageError": MeanAbsolutePercentageError,
    "MeanSquaredLogarithmicError": MeanSquaredLogarithmicError,
    "CosineSimilarity": CosineSimilarity,
    "LogCoshError": LogCoshError,
    "R2Score": R2Score,
    # Classification
    "AUC": AUC,
    "FalseNegatives": FalseNegatives,
    "FalsePositives": FalsePositives,
    "Precision": Precision,
    "PrecisionAtRecall": PrecisionAtRecall,
    "Recall": Recall,
    "RecallAtPrecision": RecallAtPrecision,
    "SensitivityAtSpecificity": SensitivityAtSpecificity,
    "SpecificityAtSensitivity": SpecificityAtSensitivity,
    "TrueNegatives": TrueNegatives,
    "TruePositives": TruePositives,
    # Hinge
    "Hinge": Hinge,
    "SquaredHinge": SquaredHinge,
    "CategoricalHinge": CategoricalHinge,
    # Probabilistic
    "KLDivergence": KLDivergence,
    "Poisson": Poisson,
    "BinaryCrossentropy": BinaryCrossentropy,
    "CategoricalCrossentropy": CategoricalCrossentropy,
    "SparseCategoricalCrossentropy": SparseCategoricalCrossentropy,
    # Accuracy
    "Accuracy": Accuracy,
    "BinaryAccuracy": BinaryAccuracy,
    "CategoricalAccuracy": CategoricalAccuracy,
    "SparseCategoricalAccuracy": SparseCategoricalAccuracy,
    "TopKCategoricalAccuracy": TopKCategoricalAccuracy,
    "SparseTopKCategoricalAccuracy": SparseTopKCategoricalAccuracy,
    # F-score
    "F1Score": F1Score,
    "FBetaScore": FBetaScore,
}

# String identifiers accepted by get(): class names, their snake_case names
# ("mean_squared_error", "auc", "r2_score", "f1_score", ...) and the aliases.
_ALIASES = {
    "bce": BinaryCrossentropy,
    "BCE": BinaryCrossentropy,
    "mse": MeanSquaredError,
    "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError,
    "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError,
    "MSLE": MeanSquaredLogarithmicError,
}
_IDENTIFIERS = {
    **ALL_OBJECTS,
    **{serialization_lib.snake_case(name): cls for name, cls in ALL_OBJECTS.items()},
    **_ALIASES,
}

_MODULE = "keras.metrics"


def get(identifier):
    """The metric for `identifier` (None gives None).

    Strings name a class (instantiated with its defaults); dicts are Keras
    configs; classes are instantiated; Metric instances are returned as they
    are; a plain function becomes a MeanMetricWrapper named after it (a lambda
    gives "<lambda>").
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _IDENTIFIERS.get(identifier)
        if cls is None:
            raise ValueError(
                f"Could not interpret metric identifier: {identifier!r}. Valid "
                f"names: {', '.join(sorted(_IDENTIFIERS))}; in compile() also "
                '"accuracy", "acc", "crossentropy" and "ce".'
            )
        return cls()
    if inspect.isclass(identifier):
        return identifier()
    if isinstance(identifier, Metric):
        return identifier
    if callable(identifier):
        name = getattr(identifier, "__name__", type(identifier).__name__)
        return MeanMetricWrapper(identifier, name=name)
    raise ValueError(
        f"Could not interpret metric identifier: {identifier!r}. Expected a "
        "string, a config dict, a Metric class or instance, or a function "
        "fn(y_true, y_pred)."
    )


def _is_binary_or_sparse(y_true, y_pred):
    """Keras's shape rule: binary if y_pred's last dim is 1; sparse if y_true
    has a lower rank, or a last dim of 1 against a wider y_pred."""
    true_shape, pred_shape = np.shape(y_true), np.shape(y_pred)
    true_last = true_shape[-1] if true_shape else None
    pred_last = pred_shape[-1] if pred_shape else None
    is_binary = pred_last == 1
    is_sparse = len(true_shape) < len(pred_shape) or (
        true_last == 1 and pred_last is not None and pred_last > 1
    )
    return is_binary, is_sparse


def resolve(identifier, y_true, y_pred):
    """The metric `compile(metrics=[identifier])` builds for these targets.

    "accuracy"/"acc" (any case) become BinaryAccuracy, SparseCategoricalAccuracy
    or CategoricalAccuracy, and "crossentropy"/"ce" the matching crossentropy,
    from the shapes of y_true and y_pred (arrays or anything np.shape accepts).
    Every string metric is named exactly as typed ("mse" gives "mse");
    functions are named after the function; instances keep their names.
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        kind = identifier.lower()
        if kind in ("accuracy", "acc", "crossentropy", "ce"):
            is_binary, is_sparse = _is_binary_or_sparse(y_true, y_pred)
            if kind in ("accuracy", "acc"):
                choices = (
                    BinaryAccuracy,
                    SparseCategoricalAccuracy,
                    CategoricalAccuracy,
                )
            else:
                choices = (
                    BinaryCrossentropy,
                    SparseCategoricalCrossentropy,
                    CategoricalCrossentropy,
                )
            cls = choices[0] if is_binary else choices[1] if is_sparse else choices[2]
            return cls(name=identifier)
    metric = get(identifier)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric


def serialize(metric):
    """Keras's dict for a Metric, or the function dict for a metric function."""
    if isinstance(metric, Metric):
        return serialization_lib.serialize(metric, _MODULE)
    if callable(metric) and getattr(metric, "__name__", None) in ALL_FUNCTIONS:
        return {
            "module": _MODULE,
            "class_name": "function",
            "config": metric.__name__,
            "registered_name": "function",
        }
    raise ValueError(
        f"Could not serialize metric: {metric!r}. Expected a Metric instance or "
        "a numkeras metric function."
    )


def deserialize(config, custom_objects=None):
    """Rebuild a metric from `serialize`'s dict (or get() a string name).

    Classes and functions resolve only through ALL_OBJECTS, the numkeras
    metric functions and `custom_objects`; nothing named in a file is imported.
    """
    if isinstance(config, str):
        return get(config)
    if isinstance(config, dict) and config.get("class_name") == "function":
        return serialization_lib.resolve_name(
            config.get("config"), ALL_FUNCTIONS, "metric function", custom_objects
        )
    if isinstance(config, dict) and config.get("class_name") == "MeanMetricWrapper":
        return MeanMetricWrapper.from_config(config.get("config") or {}, custom_objects)
    return serialization_lib.deserialize(config, ALL_OBJECTS, "metric", custom_objects)


__all__ = [
    "Accuracy",
    "accuracy",
    "ALL_OBJECTS",
    "AUC",
    "binary_accuracy",
    "binary_crossentropy",
    "BinaryAccuracy",
    "BinaryCrossentropy",
    "categorical_accuracy",
    "categorical_crossentropy",
    "categorical_hinge",
    "CategoricalAccuracy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "cosine_similarity",
    "CosineSimilarity",
    "deserialize",
    "FalseNegatives",
    "FalsePositives",
    "get",
    "hinge",
    "Hinge",
    "kl_divergence",
    "KLDivergence",
    "log_cosh",
    "LogCoshError",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "poisson",
    "Poisson",
    "Precision",
    "PrecisionAtRecall",
    "R2Score",
    "Recall",
    "RecallAtPrecision",
    "resolve",
    "RootMeanSquaredError",
    "SensitivityAtSpecificity",
    "serialize",
    "sparse_categorical_accuracy",
    "sparse_categorical_crossentropy",
    "sparse_top_k_categorical_accuracy",
    "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy",
    "SpecificityAtSensitivity",
    "squared_hinge",
    "SquaredHinge",
    "top_k_categorical_accuracy",
    "TopKCategoricalAccuracy",
    "TrueNegatives",
    "TruePositives",
]
