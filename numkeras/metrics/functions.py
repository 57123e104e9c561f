"""Keras's metric functions: `fn(y_true, y_pred) -> per-sample values`.

Each function reduces the last axis, so (batch, d) inputs give (batch,) values.
The loss-like formulas are written out here in NumPy (with Keras's epsilon
clipping) rather than imported from numkeras.losses, so metrics stay a leaf
module.
"""

import numpy as np

from numkeras import backend
from numkeras.metrics.base import (
    float_array,
    match_shapes,
    shape_error,
    squeeze_or_expand_to_same_rank,
)

# ---------------------------------------------------------------------------
# Accuracy family
# ---------------------------------------------------------------------------


def _mean_last_axis(x, dtype=None):
    """mean over the last axis, with less call overhead than np.mean (these
    functions run on every training step); (N, 1) inputs just drop the axis."""
    dtype = dtype or x.dtype
    if x.ndim > 0 and x.shape[-1] == 1:
        return x[..., 0].astype(dtype, copy=False)
    return np.add.reduce(x, axis=-1, dtype=dtype) / np.dtype(dtype).type(x.shape[-1])


def accuracy(y_true, y_pred):
    """mean(y_true == y_pred) over the last axis (after rank matching)."""
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true)
    y_true, y_pred = match_shapes(y_true, y_pred)
    return _mean_last_axis(y_true == y_pred, backend.floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """mean(y_true == (y_pred > threshold)) over the last axis (strict >)."""
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true)
    y_true, y_pred = match_shapes(y_true, y_pred)
    return _mean_last_axis(y_true == (y_pred > threshold), backend.floatx())


def categorical_accuracy(y_true, y_pred):
    """argmax(y_true) == argmax(y_pred), one value per sample."""
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true)
    if y_true.shape != y_pred.shape:
        raise shape_error(y_true, y_pred, " (one-hot y_true must match y_pred)")
    matches = np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)
    return matches.astype(backend.floatx())


def _sparse_labels(y_true, y_pred):
    """Integer-label y_true with a trailing 1-dim squeezed; checked against
    y_pred.shape[:-1]."""
    labels = np.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != y_pred.shape[:-1]:
        raise shape_error(
            y_true, y_pred, " (sparse labels need shape y_pred.shape[:-1])"
        )
    return labels


def sparse_categorical_accuracy(y_true, y_pred):
    """y_true (integer labels, trailing 1 squeezed) == argmax(y_pred)."""
    y_pred = np.asarray(y_pred)
    labels = _sparse_labels(y_true, y_pred)
    return (labels == np.argmax(y_pred, axis=-1)).astype(backend.floatx())


def in_top_k(targets, predictions, k):
    """True where predictions[i, targets[i]] >= the k-th largest of row i
    (ties count as in the top k, as Keras's NumPy/JAX backends)."""
    num_classes = predictions.shape[-1]
    target_values = np.take_along_axis(
        predictions, targets.astype(np.intp)[:, None], axis=-1
    )[:, 0]
    if k >= num_classes:
        return np.ones(targets.shape, dtype=bool)
    kth_largest = np.partition(predictions, num_classes - k, axis=-1)[
        :, num_classes - k
    ]
    return target_values >= kth_largest


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 if argmax(y_true) is among the k highest predictions, else 0."""
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true)
    if y_true.shape != y_pred.shape:
        raise shape_error(y_true, y_pred, " (one-hot y_true must match y_pred)")
    targets = np.argmax(y_true, axis=-1)
    flat = in_top_k(targets.reshape(-1), y_pred.reshape(-1, y_pred.shape[-1]), k)
    return flat.reshape(targets.shape).astype(backend.floatx())


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1 if the integer label is among the k highest predictions, else 0.

    With `from_sorted_ids=True`, y_pred holds the ids of the top N classes sorted
    from best to worst (N >= k) and the label must appear in its first k.
    """
    y_pred = np.asarray(y_pred)
    labels = np.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != y_pred.shape[:-1]:
        raise shape_error(
            y_true, y_pred, " (sparse labels need shape y_pred.shape[:-1])"
        )
    if from_sorted_ids:
        matches = np.any(y_pred[..., :k] == labels[..., None], axis=-1)
    else:
        flat = in_top_k(labels.reshape(-1), y_pred.reshape(-1, y_pred.shape[-1]), k)
        matches = flat.reshape(labels.shape)
    return matches.astype(backend.floatx())


# ---------------------------------------------------------------------------
# Regression (Keras's loss formulas)
# ---------------------------------------------------------------------------


def _pair(y_true, y_pred):
    """Float arrays of y_pred's dtype, rank-matched and shape-checked."""
    y_pred = float_array(y_pred)
    y_true = np.asarray(y_true).astype(y_pred.dtype, copy=False)
    return match_shapes(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """mean((y_true - y_pred)²) over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _mean_last_axis(np.square(y_true - y_pred))


def mean_absolute_error(y_true, y_pred):
    """mean(|y_true - y_pred|) over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _mean_last_axis(np.abs(y_true - y_pred))


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(|y_true - y_pred| / max(|y_true|, eps)) over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps = y_pred.dtype.type(backend.epsilon())
    diff = np.abs((y_true - y_pred) / np.maximum(np.abs(y_true), eps))
    return y_pred.dtype.type(100.0) * _mean_last_axis(diff)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))²)."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps = y_pred.dtype.type(backend.epsilon())
    first = np.log1p(np.maximum(y_pred, eps))
    second = np.log1p(np.maximum(y_true, eps))
    return _mean_last_axis(np.square(first - second))


def log_cosh(y_true, y_pred):
    """mean(x + softplus(-2x) - log 2) with x = y_pred - y_true (= log cosh x)."""
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    log2 = y_pred.dtype.type(np.log(2.0))
    return _mean_last_axis(x + np.logaddexp(y_pred.dtype.type(0), -2 * x) - log2)


def _l2_normalize(x, axis):
    eps = x.dtype.type(backend.epsilon())
    norm = np.sqrt(np.sum(np.square(x), axis=axis, keepdims=True))
    return x / np.maximum(norm, eps)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Σ l2_normalize(y_true) * l2_normalize(y_pred) along `axis` (positive:
    1 for the same direction; the loss of the same name is its negative)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return np.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


# ---------------------------------------------------------------------------
# Hinge and probabilistic
# ---------------------------------------------------------------------------


def _hinge_labels(y_true):
    """Labels that are all 0/1 become -1/+1, as in Keras."""
    if np.all((y_true == 0) | (y_true == 1)):
        return 2 * y_true - 1
    return y_true


def hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)), with 0/1 labels mapped to -1/+1."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return _mean_last_axis(np.maximum(1 - y_true * y_pred, 0))


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)²), with 0/1 labels mapped to -1/+1."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return _mean_last_axis(np.square(np.maximum(1 - y_true * y_pred, 0)))


def categorical_hinge(y_true, y_pred):
    """max(max((1 - y_true) * y_pred) - Σ y_true * y_pred + 1, 0)."""
    y_true, y_pred = _pair(y_true, y_pred)
    pos = np.sum(y_true * y_pred, axis=-1)
    neg = np.max((1 - y_true) * y_pred, axis=-1)
    return np.maximum(neg - pos + 1, 0)


def kl_divergence(y_true, y_pred):
    """Σ y * log(y / p) with y and p clipped to [eps, 1]."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps = y_pred.dtype.type(backend.epsilon())
    y_true = np.clip(y_true, eps, 1)
    y_pred = np.clip(y_pred, eps, 1)
    return np.sum(y_true * np.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + eps))."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps = y_pred.dtype.type(backend.epsilon())
    return _mean_last_axis(y_pred - y_true * np.log(y_pred + eps))


def _log_sigmoid(z):
    return -np.logaddexp(z.dtype.type(0), -z)


def _log_softmax(z, axis):
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def binary_crossentropy(
    y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1
):
    """mean over `axis` of -(y log p + (1 - y) log(1 - p)), p clipped to
    [eps, 1 - eps]; from logits z: -(y log σ(z) + (1 - y) log σ(-z))."""
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        bce = y_true * _log_sigmoid(y_pred) + (1 - y_true) * _log_sigmoid(-y_pred)
    else:
        eps = y_pred.dtype.type(backend.epsilon())
        p = np.clip(y_pred, eps, 1 - eps)
        bce = y_true * np.log(p) + (1 - y_true) * np.log(1 - p)
    return -np.mean(bce, axis=axis)


def categorical_crossentropy(
    y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1
):
    """-Σ y log p over `axis`, with p renormalized to sum to 1 and clipped to
    [eps, 1 - eps]; from logits z: -Σ y log_softmax(z)."""
    y_pred = float_array(y_pred)
    y_true = np.asarray(y_true).astype(y_pred.dtype, copy=False)
    if y_true.shape != y_pred.shape:
        raise shape_error(y_true, y_pred, " (one-hot y_true must match y_pred)")
    if label_smoothing:
        num_classes = y_pred.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    if from_logits:
        return -np.sum(y_true * _log_softmax(y_pred, axis), axis=axis)
    eps = y_pred.dtype.type(backend.epsilon())
    p = y_pred / np.sum(y_pred, axis=axis, keepdims=True)
    p = np.clip(p, eps, 1 - eps)
    return -np.sum(y_true * np.log(p), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """categorical_crossentropy with integer labels (trailing 1 squeezed)."""
    y_pred = float_array(y_pred)
    labels = _sparse_labels(y_true, y_pred).astype(np.intp)
    one_hot = np.zeros(y_pred.shape, dtype=y_pred.dtype)
    np.put_along_axis(one_hot, labels[..., None], 1, axis=-1)
    return categorical_crossentropy(one_hot, y_pred, from_logits=from_logits, axis=axis)


# The allow-list used to rebuild a MeanMetricWrapper from its config, and the
# direction of each built-in function when wrapped.
ALL_FUNCTIONS = {
    "accuracy": accuracy,
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
    "cosine_similarity": cosine_similarity,
    "mean_squared_error": mean_squared_error,
    "mean_absolute_error": mean_absolute_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error,
    "log_cosh": log_cosh,
    "hinge": hinge,
    "squared_hinge": squared_hinge,
    "categorical_hinge": categorical_hinge,
    "kl_divergence": kl_divergence,
    "poisson": poisson,
    "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
}
UP_FUNCTIONS = (
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    cosine_similarity,
)


def direction_of(fn):
    """ "up"/"down" for a built-in function, None for a user function."""
    if fn in UP_FUNCTIONS:
        return "up"
    if fn in ALL_FUNCTIONS.values():
        return "down"
    return None


__all__ = [*ALL_FUNCTIONS, "in_top_k", "squeeze_or_expand_to_same_rank"]
