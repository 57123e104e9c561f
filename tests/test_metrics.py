"""Tests for numkeras.metrics: Keras docstring goldens, hand-computed values,
multi-batch accumulation, AUC against brute force, compile-time resolution,
names, get/serialize, and error messages."""

import re
import warnings

import numpy as np
import pytest

from numkeras import backend
from numkeras import metrics as M

REL = 1e-6


def run(metric, *args, **kwargs):
    """One update, the result, then a reset (so a metric can be reused)."""
    metric.update_state(*args, **kwargs)
    value = metric.result()
    metric.reset_state()
    return value


# ---------------------------------------------------------------------------
# Keras docstring goldens
# ---------------------------------------------------------------------------

REG_T, REG_P = [[0, 1], [0, 0]], [[1, 1], [0, 0]]
PROB_P = [[0.6, 0.4], [0.4, 0.6]]
GOLDENS = [
    # (metric factory, y_true, y_pred, unweighted, sample_weight, weighted)
    (M.MeanSquaredError, REG_T, REG_P, 0.25, None, None),
    (M.MeanAbsoluteError, REG_T, REG_P, 0.25, [1, 0], 0.5),
    (M.MeanAbsolutePercentageError, REG_T, REG_P, 250000000.0, [1, 0], 500000000.0),
    (M.MeanSquaredLogarithmicError, REG_T, REG_P, 0.12011322, [1, 0], 0.24022643),
    (M.RootMeanSquaredError, REG_T, REG_P, 0.5, [1, 0], 0.70710677),
    (M.LogCoshError, REG_T, REG_P, 0.10844523, [1, 0], 0.21689045),
    (M.Poisson, REG_T, REG_P, 0.49999997, [1, 0], 0.99999994),
    (M.KLDivergence, REG_T, PROB_P, 0.45814306, [1, 0], 0.9162892),
    (M.BinaryCrossentropy, REG_T, PROB_P, 0.81492424, [1, 0], 0.9162905),
    (M.Hinge, REG_T, PROB_P, 1.3, [1, 0], 1.1),
    (M.SquaredHinge, REG_T, PROB_P, 1.86, [1, 0], 1.46),
    (M.CategoricalHinge, REG_T, PROB_P, 1.4000001, [1, 0], 1.2),
    (
        lambda: M.CosineSimilarity(axis=1),
        [[0.0, 1.0], [1.0, 1.0]],
        [[1.0, 0.0], [1.0, 1.0]],
        0.49999997,
        [0.3, 0.7],
        0.6999999,
    ),
    (
        M.CategoricalCrossentropy,
        [[0, 1, 0], [0, 0, 1]],
        [[0.05, 0.95, 0], [0.1, 0.8, 0.1]],
        1.1769392,
        np.array([0.3, 0.7]),
        1.6271976,
    ),
    (
        M.SparseCategoricalCrossentropy,
        [1, 2],
        [[0.05, 0.95, 0], [0.1, 0.8, 0.1]],
        1.1769392,
        np.array([0.3, 0.7]),
        1.6271976,
    ),
    (M.Mean, [1, 3, 5, 7], None, 4.0, [1, 1, 0, 0], 2.0),
    (M.Sum, [1, 3, 5, 7], None, 16.0, [1, 1, 0, 0], 4.0),
    (
        M.Accuracy,
        [[1], [2], [3], [4]],
        [[0], [2], [3], [4]],
        0.75,
        [1, 1, 0, 0],
        0.5,
    ),
    (
        M.BinaryAccuracy,
        [[1], [1], [0], [0]],
        [[0.98], [1], [0], [0.6]],
        0.75,
        [1, 0, 0, 1],
        0.5,
    ),
    (
        M.CategoricalAccuracy,
        [[0, 0, 1], [0, 1, 0]],
        [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
        0.5,
        [0.7, 0.3],
        0.3,
    ),
    (
        M.SparseCategoricalAccuracy,
        [[2], [1]],
        [[0.1, 0.6, 0.3], [0.05, 0.95, 0]],
        0.5,
        [0.7, 0.3],
        0.3,
    ),
    (
        lambda: M.TopKCategoricalAccuracy(k=1),
        [[0, 0, 1], [0, 1, 0]],
        [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
        0.5,
        [0.7, 0.3],
        0.3,
    ),
    (
        lambda: M.SparseTopKCategoricalAccuracy(k=1),
        [2, 1],
        [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
        0.5,
        [0.7, 0.3],
        0.3,
    ),
    (M.Precision, [0, 1, 1, 1], [1, 0, 1, 1], 2 / 3, [0, 0, 1, 0], 1.0),
    (M.Recall, [0, 1, 1, 1], [1, 0, 1, 1], 2 / 3, [0, 0, 1, 0], 1.0),
    (M.TruePositives, [0, 1, 1, 1], [1, 0, 1, 1], 2.0, [0, 0, 1, 0], 1.0),
    (M.FalsePositives, [0, 1, 0, 0], [0, 0, 1, 1], 2.0, [0, 0, 1, 0], 1.0),
    (M.TrueNegatives, [0, 1, 0, 0], [1, 1, 0, 0], 2.0, [0, 0, 1, 0], 1.0),
    (M.FalseNegatives, [0, 1, 1, 1], [0, 1, 0, 0], 2.0, [0, 0, 1, 0], 1.0),
    (
        lambda: M.AUC(num_thresholds=3),
        [0, 0, 1, 1],
        [0, 0.5, 0.3, 0.9],
        0.75,
        [1, 0, 0, 1],
        1.0,
    ),
    (
        lambda: M.SensitivityAtSpecificity(0.5),
        [0, 0, 0, 1, 1],
        [0, 0.3, 0.8, 0.3, 0.8],
        0.5,
        [1, 1, 2, 2, 1],
        1 / 3,  # printed as 0.333333 in Keras's docstring
    ),
    (
        lambda: M.SpecificityAtSensitivity(0.5),
        [0, 0, 0, 1, 1],
        [0, 0.3, 0.8, 0.3, 0.8],
        0.66666667,
        [1, 1, 2, 2, 2],
        0.5,
    ),
    (
        lambda: M.PrecisionAtRecall(0.5),
        [0, 0, 0, 1, 1],
        [0, 0.3, 0.8, 0.3, 0.8],
        0.5,
        [2, 2, 2, 1, 1],
        0.33333333,
    ),
    (
        lambda: M.RecallAtPrecision(0.8),
        [0, 0, 1, 1],
        [0, 0.5, 0.3, 0.9],
        0.5,
        [1, 0, 0, 1],
        1.0,
    ),
]


@pytest.mark.parametrize("case", GOLDENS)
def test_keras_docstring_goldens(case):
    factory, y_true, y_pred, expected, sample_weight, expected_weighted = case
    metric = factory()
    args = (y_true,) if y_pred is None else (y_true, y_pred)
    result = run(metric, *args)
    assert isinstance(result, float)
    assert result == pytest.approx(expected, rel=REL)
    if sample_weight is not None:
        weighted = run(metric, *args, sample_weight=sample_weight)
        assert weighted == pytest.approx(expected_weighted, rel=REL)


def test_precision_top_k_goldens():
    assert run(M.Precision(top_k=2), [0, 0, 1, 1], [1, 1, 1, 1]) == 0.0
    assert run(M.Precision(top_k=4), [0, 0, 1, 1], [1, 1, 1, 1]) == 0.5


def test_r2_score_golden_and_hand_values():
    y_true = np.array([[1], [4], [3]], np.float32)
    y_pred = np.array([[2], [4], [4]], np.float32)
    assert run(M.R2Score(), y_true, y_pred) == pytest.approx(0.57142854, rel=REL)
    # Two outputs: column 0 as above (4/7); column 1 perfect (1.0).
    yt = np.array([[1, 0], [4, 1], [3, 2]], np.float64)
    yp = np.array([[2, 0], [4, 1], [4, 2]], np.float64)
    assert run(M.R2Score(), yt, yp) == pytest.approx((4 / 7 + 1) / 2)
    raw = run(M.R2Score(class_aggregation=None), yt, yp)
    np.testing.assert_allclose(raw, [4 / 7, 1.0])
    # variance weighted: SS_tot = [14/3, 2]
    expected = (14 / 3 * 4 / 7 + 2 * 1.0) / (14 / 3 + 2)
    weighted = run(M.R2Score(class_aggregation="variance_weighted_average"), yt, yp)
    assert weighted == pytest.approx(expected)
    # adjusted, n = 3 samples, p = 1: 1 - (1 - r2) * 2 / 1
    adjusted = run(M.R2Score(num_regressors=1), y_true, y_pred)
    assert adjusted == pytest.approx(1 - (3 / 7) * 2, rel=1e-6)
    with pytest.warns(UserWarning, match="Falling back"):
        run(M.R2Score(num_regressors=2), y_true, y_pred)


def test_r2_score_weighted_matches_weighted_formula():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(20, 1))
    p = y + rng.normal(scale=0.3, size=(20, 1))
    w = rng.random(20)
    mean = np.sum(w * y[:, 0]) / w.sum()
    ss_tot = np.sum(w * (y[:, 0] - mean) ** 2)
    ss_res = np.sum(w * (y[:, 0] - p[:, 0]) ** 2)
    metric = M.R2Score(dtype="float64")
    metric.update_state(y[:7], p[:7], sample_weight=w[:7])
    metric.update_state(y[7:], p[7:], sample_weight=w[7:])
    assert metric.result() == pytest.approx(1 - ss_res / ss_tot, rel=1e-9)


def test_f_score_goldens():
    y_true = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], np.int32)
    y_pred = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]], np.float32)
    f1 = run(M.F1Score(threshold=0.5), y_true, y_pred)
    assert isinstance(f1, np.ndarray) and f1.dtype == np.float32
    np.testing.assert_allclose(f1, [0.5, 0.8, 0.6666667], rtol=1e-6)
    fbeta = run(M.FBetaScore(beta=2.0, threshold=0.5), y_true, y_pred)
    np.testing.assert_allclose(fbeta, [0.3846154, 0.90909094, 0.8333334], rtol=1e-6)


def _f1(tp, fp, fn):
    p, r = tp / (tp + fp), tp / (tp + fn)
    return 2 * p * r / (p + r)


def test_f1_averages_by_hand():
    y_true = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]])
    y_pred = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    # threshold 0.5: per-class (tp, fp, fn) = (1,0,2), (2,1,0), (1,1,0)
    per_class = [_f1(1, 0, 2), _f1(2, 1, 0), _f1(1, 1, 0)]
    micro = run(M.F1Score(average="micro", threshold=0.5), y_true, y_pred)
    assert micro == pytest.approx(_f1(4, 2, 2), rel=1e-6)
    macro = run(M.F1Score(average="macro", threshold=0.5), y_true, y_pred)
    assert macro == pytest.approx(np.mean(per_class), rel=1e-6)
    weighted = run(M.F1Score(average="weighted", threshold=0.5), y_true, y_pred)
    assert weighted == pytest.approx(np.dot(per_class, [3, 2, 1]) / 6, rel=1e-6)
    # threshold None: the row maximum is the prediction (ties all count).
    argmax = run(M.F1Score(), y_true, y_pred)
    # positives: row0 -> c2, row1 -> c1,c2, row2 -> c1
    expected = [0.0, _f1(1, 1, 1), _f1(1, 1, 0)]
    np.testing.assert_allclose(argmax, expected, rtol=1e-6, atol=1e-6)
    # sample weights multiply every count
    weighted_sw = run(
        M.F1Score(average="micro", threshold=0.5),
        y_true,
        y_pred,
        sample_weight=[1.0, 0.0, 1.0],
    )
    # rows 0 and 2 only. Row 0: c1, c2 predicted and true (tp 2), c0 missed
    # (fn 1); row 2: c0, c1 predicted and true (tp 2); no false positives.
    assert weighted_sw == pytest.approx(_f1(4, 0, 1), rel=1e-6)


# ---------------------------------------------------------------------------
# Accumulation: batches equal the concatenated data
# ---------------------------------------------------------------------------


def _data(kind, rng, n=23):
    if kind == "binary":
        return (rng.random((n, 1)) > 0.5).astype(np.float32), rng.random(
            (n, 1), dtype=np.float32
        )
    if kind == "onehot":
        labels = rng.integers(0, 4, n)
        return np.eye(4, dtype=np.float32)[labels], rng.random((n, 4), np.float32)
    if kind == "sparse":
        return rng.integers(0, 4, (n, 1)), rng.random((n, 4), np.float32)
    if kind == "multilabel":
        return (rng.random((n, 3)) > 0.5).astype(np.float32), rng.random(
            (n, 3), dtype=np.float32
        )
    return rng.normal(size=(n, 2)).astype(np.float32), rng.normal(size=(n, 2)).astype(
        np.float32
    )


ACCUMULATING = [
    (M.BinaryAccuracy, "binary"),
    (M.CategoricalAccuracy, "onehot"),
    (M.SparseCategoricalAccuracy, "sparse"),
    (lambda: M.TopKCategoricalAccuracy(k=2), "onehot"),
    (lambda: M.SparseTopKCategoricalAccuracy(k=2), "sparse"),
    (M.MeanSquaredError, "regression"),
    (M.RootMeanSquaredError, "regression"),
    (M.MeanAbsoluteError, "regression"),
    (M.LogCoshError, "regression"),
    (M.CosineSimilarity, "regression"),
    (M.R2Score, "regression"),
    (M.BinaryCrossentropy, "binary"),
    (M.CategoricalCrossentropy, "onehot"),
    (M.SparseCategoricalCrossentropy, "sparse"),
    (M.Precision, "binary"),
    (M.Recall, "binary"),
    (M.AUC, "binary"),
    (lambda: M.AUC(curve="PR"), "binary"),
    (lambda: M.AUC(multi_label=True), "multilabel"),
    (lambda: M.F1Score(average="macro", threshold=0.5), "multilabel"),
    (lambda: M.FBetaScore(beta=0.5), "onehot"),
]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("case", ACCUMULATING, ids=lambda c: str(c[1]))
def test_batches_accumulate_like_one_shot(case, weighted):
    factory, kind = case
    rng = np.random.default_rng(7)
    y_true, y_pred = _data(kind, rng)
    w = rng.random(len(y_true)) if weighted else None
    whole = factory()
    whole.update_state(y_true, y_pred, sample_weight=w)
    batched = factory()
    for lo, hi in [(0, 5), (5, 16), (16, 23)]:  # a partial last batch
        batched.update_state(
            y_true[lo:hi], y_pred[lo:hi], sample_weight=None if w is None else w[lo:hi]
        )
    np.testing.assert_allclose(batched.result(), whole.result(), rtol=1e-5, atol=1e-7)


def test_accuracy_is_exact_per_sample_mean_over_batches():
    metric = M.SparseCategoricalAccuracy()
    y_pred = np.eye(3, dtype=np.float32)[[0, 1, 2, 0, 1]]
    metric.update_state([0, 1, 2, 1], y_pred[:4])  # 3 of 4 right
    metric.update_state([1], y_pred[4:])  # 1 of 1 right
    assert metric.result() == 0.8  # not the mean of batch means (0.875)


def test_mean_weighting_rules():
    mean = M.Mean()
    mean.update_state(2.0, sample_weight=3)  # the loss-tracker fast path
    mean.update_state(np.float32(4.0), sample_weight=1)
    assert mean.result() == pytest.approx(2.5)
    mean.reset_state()
    assert mean.result() == 0.0  # count 0 gives 0, not nan
    # Rank-2 values are averaged per sample first.
    mean.update_state([[1.0, 3.0], [5.0, 7.0]], sample_weight=[1.0, 3.0])
    assert mean.result() == pytest.approx((2 * 1 + 6 * 3) / 4)
    mean.reset_state()
    # A scalar weight weighs the batch mean (Keras semantics).
    mean.update_state([1.0, 3.0], sample_weight=2.0)
    mean.update_state([10.0], sample_weight=1.0)
    assert mean.result() == pytest.approx((2 * 2 + 10) / 3)


def test_sum_sums_trailing_axes():
    total = M.Sum()
    total.update_state([[1.0, 2.0], [3.0, 4.0]])
    total.update_state([[1.0, 1.0]], sample_weight=[2.0])
    assert total.result() == pytest.approx(14.0)


def test_mean_metric_wrapper_and_call():
    def abs_diff(y_true, y_pred):
        return np.abs(np.asarray(y_true) - np.asarray(y_pred))[:, 0]

    metric = M.MeanMetricWrapper(abs_diff, name="abs_diff")
    assert metric([[1.0], [2.0]], [[0.0], [0.0]]) == pytest.approx(1.5)
    assert metric([[4.0]], [[0.0]]) == pytest.approx(7 / 3)
    assert metric._direction is None
    assert M.MeanMetricWrapper(M.binary_accuracy)._direction == "up"
    assert M.MeanMetricWrapper(M.mean_squared_error)._direction == "down"


# ---------------------------------------------------------------------------
# Per-sample functions
# ---------------------------------------------------------------------------


def test_function_forms_return_per_sample_values():
    y_pred = np.array([[0.1, 0.5, 0.4], [0.7, 0.2, 0.1]], np.float32)
    onehot = np.array([[0, 0, 1], [1, 0, 0]], np.float32)
    np.testing.assert_array_equal(M.categorical_accuracy(onehot, y_pred), [0, 1])
    np.testing.assert_array_equal(M.sparse_categorical_accuracy([2, 0], y_pred), [0, 1])
    np.testing.assert_array_equal(
        M.sparse_categorical_accuracy([[2], [0]], y_pred), [0, 1]
    )
    np.testing.assert_array_equal(
        M.top_k_categorical_accuracy(onehot, y_pred, k=2), [1, 1]
    )
    np.testing.assert_array_equal(
        M.sparse_top_k_categorical_accuracy([2, 2], y_pred, k=1), [0, 0]
    )
    sorted_ids = np.array([[1, 2, 0], [0, 1, 2]])
    np.testing.assert_array_equal(
        M.sparse_top_k_categorical_accuracy(
            [2, 2], sorted_ids, k=2, from_sorted_ids=True
        ),
        [1, 0],
    )
    # strict > threshold: 0.5 is not positive
    values = M.binary_accuracy([[1], [0], [1]], [[0.5], [0.5], [0.51]])
    np.testing.assert_array_equal(values, [0, 1, 1])
    assert values.dtype == np.float32
    # (N,) labels against (N, 1) predictions pair element by element.
    np.testing.assert_array_equal(M.binary_accuracy([1, 0], [[0.9], [0.9]]), [1, 0])
    mse = M.mean_squared_error(
        np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32)
    )
    assert mse.dtype == np.float32 and mse.shape == (2,)
    # ties count as in the top k
    np.testing.assert_array_equal(
        M.sparse_top_k_categorical_accuracy([1], [[0.5, 0.5, 0.1]], k=1), [1]
    )


def test_loss_formula_edge_cases():
    eps = backend.epsilon()
    # MAPE with a zero target divides by eps.
    np.testing.assert_allclose(
        M.mean_absolute_percentage_error([[0.0, 2.0]], [[1.0, 1.0]]),
        [100 * (1 / eps + 0.5) / 2],
        rtol=1e-6,
    )
    # BCE from logits equals BCE on the sigmoid (away from the clip).
    z = np.array([[-2.0, 0.3, 1.5]])
    y = np.array([[0.0, 1.0, 1.0]])
    np.testing.assert_allclose(
        M.binary_crossentropy(y, z, from_logits=True),
        M.binary_crossentropy(y, 1 / (1 + np.exp(-z))),
        rtol=1e-6,
    )
    # CCE renormalizes probabilities; from logits uses log_softmax.
    p = np.array([[2.0, 2.0]])
    np.testing.assert_allclose(
        M.categorical_crossentropy([[1.0, 0.0]], p), [np.log(2)], rtol=1e-6
    )
    np.testing.assert_allclose(
        M.categorical_crossentropy([[1.0, 0.0]], [[0.0, 0.0]], from_logits=True),
        [np.log(2)],
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        M.binary_crossentropy([[1.0]], [[1.0]], label_smoothing=0.2),
        [-(0.9 * np.log(1 - eps) + 0.1 * np.log(eps))],
        rtol=1e-5,
    )


# ---------------------------------------------------------------------------
# AUC against direct computation
# ---------------------------------------------------------------------------


def _brute_counts(y_true, y_pred, thresholds, w):
    tp, fp, tn, fn = [], [], [], []
    for t in thresholds:
        above = y_pred > t
        tp.append(np.sum(w * (above & y_true)))
        fp.append(np.sum(w * (above & ~y_true)))
        tn.append(np.sum(w * (~above & ~y_true)))
        fn.append(np.sum(w * (~above & y_true)))
    return tuple(np.array(c) for c in (tp, fp, tn, fn))


def _brute_auc(y_true, y_pred, thresholds, w, curve="ROC", method="interpolation"):
    tp, fp, tn, fn = _brute_counts(y_true, y_pred, thresholds, w)
    total = 0.0
    for i in range(len(thresholds) - 1):
        tpr = [tp[j] / (tp[j] + fn[j]) if tp[j] + fn[j] else 0.0 for j in (i, i + 1)]
        if curve == "ROC":
            fpr = [
                fp[j] / (fp[j] + tn[j]) if fp[j] + tn[j] else 0.0 for j in (i, i + 1)
            ]
            x, y = fpr, tpr
        else:
            prec = [
                tp[j] / (tp[j] + fp[j]) if tp[j] + fp[j] else 0.0 for j in (i, i + 1)
            ]
            x, y = tpr, prec
        height = {
            "interpolation": (y[0] + y[1]) / 2,
            "minoring": min(y),
            "majoring": max(y),
        }[method]
        total += (x[0] - x[1]) * height
    return total


def _auc_thresholds(num):
    eps = backend.epsilon()
    inner = [(i + 1) / (num - 1) for i in range(num - 2)]
    return np.array([-eps, *inner, 1 + eps], np.float32)


@pytest.mark.parametrize(
    "curve,method",
    [
        ("ROC", "interpolation"),
        ("ROC", "minoring"),
        ("ROC", "majoring"),
        ("PR", "minoring"),
        ("PR", "majoring"),
    ],
)
def test_auc_matches_brute_force_trapezoid(curve, method):
    rng = np.random.default_rng(3)
    y_true = rng.random(300) > 0.6
    y_pred = np.clip(rng.random(300) * 0.7 + 0.3 * y_true, 0, 1).astype(np.float32)
    w = rng.random(300)
    metric = M.AUC(num_thresholds=50, curve=curve, summation_method=method)
    metric.update_state(y_true[:100], y_pred[:100], sample_weight=w[:100])
    metric.update_state(y_true[100:], y_pred[100:], sample_weight=w[100:])
    expected = _brute_auc(y_true, y_pred, _auc_thresholds(50), w, curve, method)
    assert metric.result() == pytest.approx(expected, rel=1e-9)


def test_auc_bucket_counts_equal_direct_comparison():
    rng = np.random.default_rng(4)
    y_true = rng.random(500) > 0.5
    y_pred = rng.random(500).astype(np.float32)
    metric = M.AUC(num_thresholds=37)
    metric.update_state(y_true, y_pred)
    expected = _brute_counts(y_true, y_pred, _auc_thresholds(37), np.ones(500))
    for got, want in zip(
        (
            metric.true_positives,
            metric.false_positives,
            metric.true_negatives,
            metric.false_negatives,
        ),
        expected,
        strict=True,
    ):
        np.testing.assert_array_equal(got, want)
    # Unevenly spaced user thresholds take the direct path.
    uneven = M.AUC(thresholds=[0.1, 0.15, 0.7])
    uneven.update_state(y_true, y_pred)
    eps = backend.epsilon()
    thresholds = np.array([-eps, 0.1, 0.15, 0.7, 1 + eps], np.float32)
    assert uneven.result() == pytest.approx(
        _brute_auc(y_true, y_pred, thresholds, np.ones(500)), rel=1e-9
    )


def test_auc_close_to_exact_rank_auc():
    rng = np.random.default_rng(5)
    y_true = rng.random(2000) > 0.5
    y_pred = 1 / (1 + np.exp(-(rng.normal(size=2000) + 1.2 * y_true)))
    pos, neg = y_pred[y_true], y_pred[~y_true]
    exact = np.mean(pos[:, None] > neg[None, :])
    metric = M.AUC(num_thresholds=1000)
    metric.update_state(y_true, y_pred)
    assert metric.result() == pytest.approx(exact, abs=2e-3)


def test_auc_weighted_keras_values():
    # thresholds [-eps, .5, 1+eps], weights [1, 2, 3, 4]:
    # tp = [7, 4, 0], fp = [3, 0, 0], fn = [0, 3, 7], tn = [0, 3, 3]
    args = ([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    w = [1, 2, 3, 4]
    roc = run(M.AUC(num_thresholds=3), *args, sample_weight=w)
    assert roc == pytest.approx((1 + 4 / 7) / 2)
    minoring = run(
        M.AUC(num_thresholds=3, summation_method="minoring"), *args, sample_weight=w
    )
    assert minoring == pytest.approx(4 / 7)
    majoring = run(
        M.AUC(num_thresholds=3, summation_method="majoring"), *args, sample_weight=w
    )
    assert majoring == pytest.approx(1.0)
    # PR, Davis-Goadrich: slope 0.5 then 1; intercept 2 then 0.
    pr = run(M.AUC(num_thresholds=3, curve="PR"), *args, sample_weight=w)
    assert pr == pytest.approx(0.5 * (3 + 2 * np.log(10 / 4)) / 7 + 4 / 7)


def test_auc_multi_label_and_logits():
    rng = np.random.default_rng(6)
    y_true = rng.random((40, 3)) > 0.5
    y_pred = rng.random((40, 3)).astype(np.float32)
    per_label = [run(M.AUC(), y_true[:, i], y_pred[:, i]) for i in range(3)]
    assert run(M.AUC(multi_label=True), y_true, y_pred) == pytest.approx(
        np.mean(per_label)
    )
    weighted = run(M.AUC(multi_label=True, label_weights=[1, 0, 3]), y_true, y_pred)
    assert weighted == pytest.approx((per_label[0] + 3 * per_label[2]) / 4)
    built = M.AUC(multi_label=True, num_labels=3)
    assert built.true_positives.shape == (200, 3)
    # pooled (multi_label=False) equals AUC over the flattened data
    assert run(M.AUC(), y_true, y_pred) == pytest.approx(
        run(M.AUC(), y_true.ravel(), y_pred.ravel())
    )
    logits = rng.normal(size=40)
    labels = rng.random(40) > 0.5
    assert run(M.AUC(from_logits=True), labels, logits) == pytest.approx(
        run(M.AUC(), labels, 1 / (1 + np.exp(-logits)))
    )
    assert M.AUC(num_thresholds=3).thresholds == pytest.approx(
        [-backend.epsilon(), 0.5, 1 + backend.epsilon()]
    )


def test_precision_recall_vectors_class_id_and_top_k():
    y_true = np.array([[0, 1, 1], [1, 0, 1]])
    y_pred = np.array([[0.2, 0.9, 0.4], [0.7, 0.3, 0.8]])
    # thresholds list -> one value per threshold
    prec = run(M.Precision(thresholds=[0.3, 0.5, 0.85]), y_true, y_pred)
    # t=.3: positives .9,.4,.7,.8 all true -> 1; t=.5: .9,.7,.8 -> 1; t=.85: .9 -> 1
    np.testing.assert_allclose(prec, [1.0, 1.0, 1.0])
    rec = run(M.Recall(thresholds=[0.3, 0.5, 0.85]), y_true, y_pred)
    np.testing.assert_allclose(rec, [1.0, 0.75, 0.25])
    # class_id=2 restricts to column 2: preds .4 (true), .8 (true)
    assert run(M.Recall(class_id=2), y_true, y_pred) == 0.5
    assert run(M.Precision(class_id=2), y_true, y_pred) == 1.0
    # top_k=1: the row maximum is the only positive: col 1 (true), col 2 (true)
    assert run(M.Precision(top_k=1), y_true, y_pred) == 1.0
    assert run(M.Recall(top_k=1), y_true, y_pred) == 0.5
    # no positives at all -> 0, not nan
    assert run(M.Precision(), [0, 0], [0.1, 0.2]) == 0.0


# ---------------------------------------------------------------------------
# resolve(): compile-time strings
# ---------------------------------------------------------------------------

RESOLVE_CASES = [
    # y_true shape, y_pred shape, accuracy class, crossentropy class
    ((8, 1), (8, 1), M.BinaryAccuracy, M.BinaryCrossentropy),
    ((8,), (8, 1), M.BinaryAccuracy, M.BinaryCrossentropy),
    ((8,), (8, 10), M.SparseCategoricalAccuracy, M.SparseCategoricalCrossentropy),
    ((8, 1), (8, 10), M.SparseCategoricalAccuracy, M.SparseCategoricalCrossentropy),
    ((8, 10), (8, 10), M.CategoricalAccuracy, M.CategoricalCrossentropy),
    (
        (8, 5, 1),
        (8, 5, 4),
        M.SparseCategoricalAccuracy,
        M.SparseCategoricalCrossentropy,
    ),
]


@pytest.mark.parametrize("shapes", RESOLVE_CASES)
@pytest.mark.parametrize("word", ["accuracy", "acc", "crossentropy", "ce"])
def test_resolve_shape_rule(shapes, word):
    true_shape, pred_shape, acc_cls, ce_cls = shapes
    metric = M.resolve(word, np.zeros(true_shape), np.zeros(pred_shape))
    expected = acc_cls if word in ("accuracy", "acc") else ce_cls
    assert type(metric) is expected
    assert metric.name == word


def test_resolve_names_as_typed():
    y, p = np.zeros((4, 1)), np.zeros((4, 1))
    assert M.resolve("Accuracy", y, p).name == "Accuracy"
    mse = M.resolve("mse", y, p)
    assert isinstance(mse, M.MeanSquaredError) and mse.name == "mse"
    assert M.resolve("RootMeanSquaredError", y, p).name == "RootMeanSquaredError"
    assert M.resolve("mean_squared_error", y, p).name == "mean_squared_error"
    auc = M.resolve("auc", y, p)
    assert isinstance(auc, M.AUC) and auc.name == "auc"

    def my_metric(y_true, y_pred):
        return np.zeros(len(y_true))

    wrapped = M.resolve(my_metric, y, p)
    assert isinstance(wrapped, M.MeanMetricWrapper) and wrapped.name == "my_metric"
    assert M.resolve(lambda a, b: a, y, p).name == "<lambda>"
    instance = M.Precision(name="my_precision")
    assert M.resolve(instance, y, p) is instance
    assert instance.name == "my_precision"
    assert M.resolve(None, y, p) is None
    assert M.resolve(M.MeanAbsoluteError, y, p).name == "mean_absolute_error"


def _next_names(base, count):
    """Create `count` instances and check they are numbered consecutively."""
    names = [factory().name for factory in [base] * count]
    first = names[0]
    match = re.fullmatch(r"(.*?)(?:_(\d+))?", first)
    stem, start = match.group(1), int(match.group(2) or 0)
    expected = [stem if start + i == 0 else f"{stem}_{start + i}" for i in range(count)]
    return names, expected


@pytest.mark.parametrize(
    "cls,stem",
    [
        (M.Precision, "precision"),
        (M.Recall, "recall"),
        (M.AUC, "auc"),
        (M.TruePositives, "true_positives"),
    ],
)
def test_auto_names_are_unique(cls, stem):
    names, expected = _next_names(cls, 3)
    assert names == expected
    assert names[0].startswith(stem)


def test_fixed_default_names():
    assert M.MeanSquaredError().name == "mean_squared_error"
    assert M.MeanSquaredError().name == "mean_squared_error"
    assert M.LogCoshError().name == "logcosh"
    assert M.F1Score().name == "f1_score"
    assert M.FBetaScore().name == "fbeta_score"
    assert M.R2Score().name == "r2_score"
    assert M.SparseTopKCategoricalAccuracy().name == "sparse_top_k_categorical_accuracy"


def test_directions():
    up = [M.Accuracy(), M.BinaryAccuracy(), M.AUC(), M.Precision(), M.Recall()]
    up += [M.R2Score(), M.F1Score(), M.CosineSimilarity(), M.TopKCategoricalAccuracy()]
    down = [M.MeanSquaredError(), M.RootMeanSquaredError(), M.MeanAbsoluteError()]
    down += [M.BinaryCrossentropy(), M.KLDivergence(), M.Hinge(), M.LogCoshError()]
    assert all(m._direction == "up" for m in up)
    assert all(m._direction == "down" for m in down)


# ---------------------------------------------------------------------------
# get / serialize / deserialize
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "identifier,cls",
    [
        ("mean_squared_error", M.MeanSquaredError),
        ("MeanSquaredError", M.MeanSquaredError),
        ("mse", M.MeanSquaredError),
        ("MSE", M.MeanSquaredError),
        ("mae", M.MeanAbsoluteError),
        ("MAPE", M.MeanAbsolutePercentageError),
        ("msle", M.MeanSquaredLogarithmicError),
        ("bce", M.BinaryCrossentropy),
        ("BCE", M.BinaryCrossentropy),
        ("auc", M.AUC),
        ("precision", M.Precision),
        ("recall", M.Recall),
        ("r2_score", M.R2Score),
        ("f1_score", M.F1Score),
        ("f_beta_score", M.FBetaScore),
        ("accuracy", M.Accuracy),
        ("binary_accuracy", M.BinaryAccuracy),
        ("sparse_top_k_categorical_accuracy", M.SparseTopKCategoricalAccuracy),
        ("kl_divergence", M.KLDivergence),
        ("log_cosh_error", M.LogCoshError),
        (M.Recall, M.Recall),
        ({"class_name": "AUC", "config": {"curve": "PR"}}, M.AUC),
    ],
)
def test_get_forms(identifier, cls):
    metric = M.get(identifier)
    assert type(metric) is cls


def test_get_instances_functions_and_errors():
    metric = M.Recall()
    assert M.get(metric) is metric
    assert M.get(None) is None
    wrapped = M.get(M.binary_accuracy)
    assert isinstance(wrapped, M.MeanMetricWrapper)
    assert wrapped.name == "binary_accuracy"
    assert M.get(lambda y, p: y).name == "<lambda>"
    with pytest.raises(ValueError, match=r"'nope'.*Valid names:.*mse"):
        M.get("nope")
    with pytest.raises(ValueError, match="Could not interpret"):
        M.get(42)
    with pytest.raises(ValueError, match="Could not interpret"):
        M.get("acc")  # only compile's resolve() knows "acc"


def _instances():
    return [
        M.Mean(name="m"),
        M.Sum(),
        M.Accuracy(),
        M.BinaryAccuracy(threshold=0.7),
        M.CategoricalAccuracy(),
        M.SparseCategoricalAccuracy(),
        M.TopKCategoricalAccuracy(k=3),
        M.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True),
        M.MeanSquaredError(),
        M.RootMeanSquaredError(),
        M.MeanAbsoluteError(),
        M.MeanAbsolutePercentageError(),
        M.MeanSquaredLogarithmicError(),
        M.LogCoshError(),
        M.CosineSimilarity(axis=0),
        M.R2Score(class_aggregation=None, num_regressors=2),
        M.AUC(num_thresholds=10, curve="PR", summation_method="minoring"),
        M.AUC(thresholds=[0.2, 0.5], multi_label=True, label_weights=[1.0, 2.0]),
        M.Precision(thresholds=[0.2, 0.6], class_id=1),
        M.Recall(top_k=3),
        M.TruePositives(thresholds=0.3),
        M.FalseNegatives(),
        M.FalsePositives(thresholds=[0.1, 0.9]),
        M.TrueNegatives(),
        M.SensitivityAtSpecificity(0.4, num_thresholds=20),
        M.SpecificityAtSensitivity(0.4),
        M.PrecisionAtRecall(0.3, class_id=0),
        M.RecallAtPrecision(0.9),
        M.F1Score(average="macro", threshold=0.4),
        M.FBetaScore(average="weighted", beta=2.0),
        M.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
        M.CategoricalCrossentropy(label_smoothing=0.2),
        M.SparseCategoricalCrossentropy(from_logits=True),
        M.KLDivergence(),
        M.Poisson(),
        M.Hinge(),
        M.SquaredHinge(),
        M.CategoricalHinge(),
        M.MeanMetricWrapper(M.binary_accuracy, name="ba", threshold=0.3),
    ]


@pytest.mark.parametrize("metric", _instances(), ids=lambda m: type(m).__name__)
def test_config_round_trip(metric):
    config = M.serialize(metric)
    assert config["module"] == "keras.metrics"
    assert config["class_name"] == type(metric).__name__
    rebuilt = M.deserialize(config)
    assert type(rebuilt) is type(metric)
    assert rebuilt.get_config() == config["config"]
    assert rebuilt.name == metric.name
    assert (
        type(metric).from_config(metric.get_config()).get_config() == config["config"]
    )


def test_every_class_is_listed_and_round_trip_covers_them():
    covered = {type(m).__name__ for m in _instances()}
    assert set(M.ALL_OBJECTS) - covered == {"Metric"}


def test_function_serialization_and_custom_objects():
    config = M.serialize(M.categorical_accuracy)
    assert M.deserialize(config) is M.categorical_accuracy

    def custom(y_true, y_pred):
        return np.zeros(len(y_true))

    wrapper = M.MeanMetricWrapper(custom, name="custom")
    config = M.serialize(wrapper)
    with pytest.raises(ValueError, match="custom"):
        M.deserialize(config)
    rebuilt = M.deserialize(config, custom_objects={"custom": custom})
    assert rebuilt._fn is custom
    with pytest.raises(ValueError, match="Valid names"):
        M.deserialize({"class_name": "os.system", "config": {}})


def test_numpy_thresholds_give_json_config():
    import json

    config = M.Precision(thresholds=np.array([0.25, 0.75])).get_config()
    assert json.loads(json.dumps(config))["thresholds"] == [0.25, 0.75]


def test_mean_metric_wrapper_round_trip_keeps_kwargs():
    metric = M.MeanMetricWrapper(M.binary_accuracy, name="ba", threshold=0.3)
    rebuilt = M.deserialize(M.serialize(metric))
    assert run(rebuilt, [[1], [0]], [[0.4], [0.2]]) == 1.0


# ---------------------------------------------------------------------------
# reset_state, dtypes and errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("metric", _instances(), ids=lambda m: type(m).__name__)
def test_reset_state_restores_initial_result(metric):
    before = metric.result()
    rng = np.random.default_rng(0)
    if type(metric) in (M.Mean, M.Sum):
        metric.update_state([1.0, 2.0])
    elif isinstance(metric, M.SparseTopKCategoricalAccuracy):
        metric.update_state([1, 2], [[1, 0, 2], [2, 1, 0]])
    elif isinstance(
        metric, (M.SparseCategoricalAccuracy, M.SparseCategoricalCrossentropy)
    ):
        metric.update_state([0, 1], rng.random((2, 3)))
    else:
        y = (rng.random((4, 2)) > 0.5).astype(np.float32)
        y[:, 0] = 1 - y[:, 1]  # one positive per row
        metric.update_state(y, rng.random((4, 2)).astype(np.float32))
    metric.reset_state()
    np.testing.assert_array_equal(metric.result(), before)


def test_float64_setting(float64):
    metric = M.MeanSquaredError()
    assert metric.dtype == "float64"
    values = M.binary_accuracy([[1.0]], [[0.9]])
    assert values.dtype == np.float64


def test_incompatible_shapes_name_both():
    with pytest.raises(
        ValueError, match=r"y_true.shape=\(4, 3\).*y_pred.shape=\(4, 2\)"
    ):
        M.MeanSquaredError().update_state(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(4, 2\)"):
        M.CategoricalAccuracy().update_state(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"\(5,\).*\(4, 3\)"):
        M.SparseCategoricalAccuracy().update_state(np.zeros(5), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(4, 2\)"):
        M.Precision().update_state(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(4, 2\)"):
        M.BinaryAccuracy().update_state(np.zeros((4, 3)), np.zeros((4, 2)))


def test_two_d_only_metrics_reject_other_ranks():
    with pytest.raises(ValueError, match=r"2D.*y_pred.shape=\(4,\)"):
        M.F1Score().update_state(np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match="2D"):
        M.FBetaScore().update_state(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="2D"):
        M.R2Score().update_state(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))


@pytest.mark.parametrize(
    "factory,pattern",
    [
        (lambda: M.Precision(thresholds=1.5), r"thresholds.*1\.5"),
        (lambda: M.Recall(thresholds=[0.2, -0.1]), r"thresholds.*-0\.1"),
        (lambda: M.TruePositives(thresholds=[None]), "thresholds"),
        (lambda: M.AUC(thresholds=[0.5, 2.0]), r"thresholds.*2\.0"),
        (lambda: M.AUC(num_thresholds=1), "num_thresholds=1"),
        (lambda: M.AUC(curve="XY"), "curve='XY'"),
        (lambda: M.AUC(summation_method="mid"), "summation_method='mid'"),
        (lambda: M.AUC(num_labels=3), "num_labels=3"),
        (lambda: M.BinaryAccuracy(threshold=float("nan")), "threshold=nan"),
        (lambda: M.F1Score(average="median"), "average='median'"),
        (lambda: M.FBetaScore(beta=2), "beta=2"),
        (lambda: M.F1Score(threshold=1), "threshold=1"),
        (lambda: M.R2Score(class_aggregation="sum"), "class_aggregation='sum'"),
        (lambda: M.R2Score(num_regressors=-1), "num_regressors=-1"),
        (lambda: M.SensitivityAtSpecificity(1.2), "specificity=1.2"),
        (lambda: M.PrecisionAtRecall(0.5, num_thresholds=0), "num_thresholds=0"),
    ],
)
def test_invalid_arguments(factory, pattern):
    with pytest.raises(ValueError, match=pattern):
        factory()


def test_results_are_python_floats_and_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for metric in (M.AUC(), M.Precision(), M.R2Score(), M.F1Score(average="micro")):
            assert metric.result() == 0.0
            assert isinstance(metric.result(), float)
