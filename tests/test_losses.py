"""Losses: values (Keras's numbers), gradients (finite differences), config, errors."""

import numpy as np
import pytest

from numkeras import backend, losses
from numkeras.utils.gradient_check import compare

N, C = 5, 4
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"]


# --------------------------------------------------------------------------
# Input generators (float64, away from kinks and clip regions)
# --------------------------------------------------------------------------


def _away_from(rng, shape, low, high, kinks, margin=0.05):
    """Uniform draws in [low, high] that stay `margin` away from every kink."""
    x = rng.uniform(low, high, shape)
    for k in kinks:
        close = np.abs(x - k) < margin
        x[close] = k + np.where(x[close] >= k, margin, -margin) * 2
    return x


def _onehot(rng):
    return np.eye(C)[rng.integers(0, C, N)]


def _probs(rng):
    return rng.uniform(0.1, 0.9, (N, C))


def _binary(rng):
    return rng.integers(0, 2, (N, C)).astype(np.float64)


def _regression(rng):
    y = rng.normal(size=(N, C))
    return y, y + _away_from(rng, (N, C), -2.0, 2.0, kinks=[0.0])


def _huber(rng):
    y = rng.normal(size=(N, C))
    return y, y + _away_from(rng, (N, C), -2.0, 2.0, kinks=[-0.7, 0.0, 0.7])


def _hinge(rng):
    y = _binary(rng)
    sign = 2 * y - 1
    margin = _away_from(rng, (N, C), -1.0, 2.5, kinks=[1.0])  # y * p, kink at 1
    return y, margin * sign


def _categorical_hinge(rng):
    y = _onehot(rng)
    p = rng.normal(size=(N, C))
    k = np.argmax(y, axis=-1)
    p[np.arange(N), k] = p.max(axis=-1) + rng.uniform(-0.8, -0.2, N)  # value > 0
    others = np.sort(p * (1 - y) - 10 * y, axis=-1)
    gap = others[:, -1] - others[:, -2]
    assert np.all(gap > 1e-3)
    return y, p


def _positive(rng):
    return rng.uniform(0.5, 2.0, (N, C)), rng.uniform(0.5, 2.0, (N, C))


def _labels(rng):
    return rng.integers(0, C, N), _probs(rng)


def _labels_logits(rng):
    return rng.integers(0, C, N), rng.normal(0, 1.5, (N, C))


# (id, class, kwargs, generator(rng) -> (y_true, y_pred))
LOSS_CASES = [
    ("mse", losses.MeanSquaredError, {}, _regression),
    ("mae", losses.MeanAbsoluteError, {}, _regression),
    ("mape", losses.MeanAbsolutePercentageError, {}, _regression),
    ("msle", losses.MeanSquaredLogarithmicError, {}, _positive),
    ("huber", losses.Huber, {"delta": 0.7}, _huber),
    ("log_cosh", losses.LogCosh, {}, _regression),
    ("cosine", losses.CosineSimilarity, {}, _regression),
    ("cosine_axis0", losses.CosineSimilarity, {"axis": 0}, _regression),
    ("hinge", losses.Hinge, {}, _hinge),
    ("squared_hinge", losses.SquaredHinge, {}, _hinge),
    ("categorical_hinge", losses.CategoricalHinge, {}, _categorical_hinge),
    ("kld", losses.KLDivergence, {}, lambda r: (_probs(r), _probs(r))),
    ("poisson", losses.Poisson, {}, _positive),
    ("bce", losses.BinaryCrossentropy, {}, lambda r: (_binary(r), _probs(r))),
    (
        "bce_ls_axis0",
        losses.BinaryCrossentropy,
        {"label_smoothing": 0.2, "axis": 0},
        lambda r: (_binary(r), _probs(r)),
    ),
    (
        "bce_logits",
        losses.BinaryCrossentropy,
        {"from_logits": True, "label_smoothing": 0.1},
        lambda r: (_probs(r), r.normal(0, 2, (N, C))),
    ),
    (
        "binary_focal",
        losses.BinaryFocalCrossentropy,
        {"gamma": 2.0},
        lambda r: (_binary(r), _probs(r)),
    ),
    (
        "binary_focal_logits_balanced",
        losses.BinaryFocalCrossentropy,
        {"apply_class_balancing": True, "gamma": 1.5, "from_logits": True},
        lambda r: (_binary(r), r.normal(0, 2, (N, C))),
    ),
    ("cce", losses.CategoricalCrossentropy, {}, lambda r: (_onehot(r), _probs(r))),
    (
        "cce_soft_ls",
        losses.CategoricalCrossentropy,
        {"label_smoothing": 0.2},
        lambda r: (_probs(r), _probs(r)),
    ),
    (
        "cce_logits",
        losses.CategoricalCrossentropy,
        {"from_logits": True},
        lambda r: (_probs(r), r.normal(0, 2, (N, C))),
    ),
    (
        "cce_axis0",
        losses.CategoricalCrossentropy,
        {"axis": 0, "from_logits": True},
        lambda r: (_probs(r), r.normal(0, 2, (N, C))),
    ),
    (
        "categorical_focal",
        losses.CategoricalFocalCrossentropy,
        {"alpha": [0.1, 0.2, 0.3, 0.4], "gamma": 0.5},
        lambda r: (_onehot(r), _probs(r)),
    ),
    (
        "categorical_focal_logits",
        losses.CategoricalFocalCrossentropy,
        {"from_logits": True, "label_smoothing": 0.1},
        lambda r: (_onehot(r), r.normal(0, 1.5, (N, C))),
    ),
    ("scce", losses.SparseCategoricalCrossentropy, {}, _labels),
    (
        "scce_logits",
        losses.SparseCategoricalCrossentropy,
        {"from_logits": True},
        _labels_logits,
    ),
    (
        "scce_ignore",
        losses.SparseCategoricalCrossentropy,
        {"from_logits": True, "ignore_class": 1},
        lambda r: (np.array([1, 0, 2, 1, 3]), r.normal(0, 1.5, (N, C))),
    ),
    (
        "scce_ignore_probs",
        losses.SparseCategoricalCrossentropy,
        {"ignore_class": 1},
        lambda r: (np.array([[1], [0], [2], [1], [3]]), _probs(r)),
    ),
]
CASE_IDS = [case[0] for case in LOSS_CASES]


def _inputs(gen, seed=0):
    return gen(np.random.default_rng(seed))


def _sample_weight(shape=(N,), seed=1):
    return np.random.default_rng(seed).uniform(0.2, 2.0, shape)


def test_every_loss_class_is_in_the_table():
    covered = {case[1] for case in LOSS_CASES}
    missing = {
        name
        for name, cls in losses.ALL_OBJECTS.items()
        if cls not in covered and name not in ("Loss", "LossFunctionWrapper")
    }
    assert not missing


# --------------------------------------------------------------------------
# Gradients: every loss x every reduction x with/without sample_weight
# --------------------------------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("reduction", REDUCTIONS + [None])
@pytest.mark.parametrize("case", LOSS_CASES, ids=CASE_IDS)
def test_value_and_grad_matches_finite_differences(float64, case, reduction, weighted):
    _, cls, kwargs, gen = case
    loss = cls(reduction=reduction, **kwargs)
    y_true, y_pred = _inputs(gen)
    values_shape = cls(reduction="none", **kwargs)(y_true, y_pred).shape
    sw = _sample_weight(values_shape) if weighted else None

    value, grad = loss.value_and_grad(y_true, y_pred.copy(), sample_weight=sw)
    np.testing.assert_allclose(value, loss(y_true, y_pred, sample_weight=sw))
    assert grad.shape == y_pred.shape and grad.dtype == np.float64
    if reduction in ("none", None):
        assert isinstance(value, np.ndarray)
    else:
        assert isinstance(value, float)

    def f():
        return float(np.sum(loss(y_true, y_pred, sample_weight=sw)))

    assert compare(grad, y_pred, f) < 1e-6


@pytest.mark.parametrize("case", LOSS_CASES, ids=CASE_IDS)
def test_grad_is_derivative_of_per_sample_values(float64, case):
    _, cls, kwargs, gen = case
    loss = cls(**kwargs)
    y_true, y_pred = _inputs(gen, seed=3)
    yt, yp, _ = loss._prepare(y_true, y_pred)
    values, grads = loss.call_and_grad(yt, yp)
    np.testing.assert_allclose(values, loss.call(yt, yp))
    np.testing.assert_allclose(grads, loss.grad(yt, yp))
    cotangent = np.random.default_rng(4).standard_normal(values.shape)
    expected = grads * np.expand_dims(cotangent, loss.axis)

    def f():
        return float(np.sum(loss.call(yt, yp) * cotangent))

    assert compare(expected, yp, f) < 1e-6


@pytest.mark.parametrize("case", LOSS_CASES, ids=CASE_IDS)
def test_float32_in_float32_out(case):
    _, cls, kwargs, gen = case
    y_true, y_pred = _inputs(gen)
    y_pred = y_pred.astype(np.float32)
    values_shape = cls(reduction="none", **kwargs)(y_true, y_pred).shape
    value, grad = cls(**kwargs).value_and_grad(
        y_true,
        y_pred,
        sample_weight=_sample_weight(values_shape),  # float64
    )
    assert isinstance(value, float)
    assert grad.dtype == np.float32
    values = cls(reduction="none", **kwargs)(y_true, y_pred)
    assert values.dtype == np.float32


def test_value_and_grad_does_not_mutate_inputs():
    y_true, y_pred = _labels_logits(np.random.default_rng(0))
    before = y_pred.copy()
    losses.SparseCategoricalCrossentropy(from_logits=True).value_and_grad(
        y_true, y_pred
    )
    np.testing.assert_array_equal(y_pred, before)


def test_custom_grad_returning_an_input_is_not_scaled_in_place():
    class Half(losses.Loss):
        def call(self, y_true, y_pred):
            return np.sum(0.5 * y_pred**2, axis=-1)

        def grad(self, y_true, y_pred):
            return y_pred  # aliases the input

    y_pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    _, grad = Half().value_and_grad(np.zeros_like(y_pred), y_pred)
    np.testing.assert_allclose(grad, y_pred / 2)
    np.testing.assert_array_equal(y_pred, [[1.0, 2.0], [3.0, 4.0]])


# --------------------------------------------------------------------------
# Clip regions: the gradient is that of the clipped value
# --------------------------------------------------------------------------


def test_bce_gradient_is_zero_where_clipped(float64):
    y = np.array([[1.0, 0.0, 1.0, 0.0]])
    p = np.array([[1.0, 0.0, 1e-9, 0.3]])  # first three are clipped
    _, grad = losses.BinaryCrossentropy().value_and_grad(y, p)
    np.testing.assert_array_equal(grad[0, :3], 0.0)
    assert grad[0, 3] != 0.0


def test_probability_crossentropies_perfect_prediction_has_zero_grad(float64):
    onehot = np.array([[0.0, 1.0, 0.0]])
    for loss, y in [
        (losses.CategoricalCrossentropy(), onehot),
        (losses.SparseCategoricalCrossentropy(), np.array([1])),
    ]:
        value, grad = loss.value_and_grad(y, onehot.copy())
        assert 0 < value < 1e-6
        np.testing.assert_array_equal(grad, 0.0)


@pytest.mark.parametrize(
    "loss, y_true, y_pred",
    [
        (
            losses.CategoricalCrossentropy(),
            np.array([[0.2, 0.5, 0.3], [1.0, 0.0, 0.0]]),
            np.array([[-0.05, 0.6, 0.45], [0.02, 1.5, 0.3]]),
        ),
        (
            losses.KLDivergence(),
            np.array([[0.2, 0.5, 0.3]]),
            np.array([[-0.05, 1.5, 0.45]]),
        ),
        (
            losses.MeanSquaredLogarithmicError(),
            np.array([[0.2, 0.5, 0.3]]),
            np.array([[-0.05, 1.5, 0.45]]),
        ),
        (
            losses.SparseCategoricalCrossentropy(),
            np.array([0, 1]),
            np.array([[-0.05, 0.6, 0.45], [0.3, 0.2, 0.5]]),
        ),
        (
            losses.BinaryFocalCrossentropy(),
            np.array([[1.0, 0.0, 1.0]]),
            np.array([[1.5, 0.4, -0.5]]),
        ),
    ],
)
def test_clip_region_gradients_match_finite_differences(float64, loss, y_true, y_pred):
    _, grad = loss.value_and_grad(y_true, y_pred)
    assert compare(grad, y_pred, lambda: loss(y_true, y_pred)) < 1e-6


def test_kld_and_msle_zero_grad_where_clipped(float64):
    y = np.array([[0.2, 0.5, 0.3]])
    p = np.array([[-0.05, 1.5, 0.45]])
    _, g = losses.KLDivergence().value_and_grad(y, p)
    np.testing.assert_array_equal(g[0, :2], 0.0)
    _, g = losses.MeanSquaredLogarithmicError().value_and_grad(y, p)
    assert g[0, 0] == 0.0 and g[0, 1] != 0.0


# --------------------------------------------------------------------------
# Known values (KERAS_REFERENCE [verified] and Keras docstrings)
# --------------------------------------------------------------------------


def test_mse_sample_weight_does_not_change_denominator():
    loss = losses.MeanSquaredError()
    assert loss([[1.0], [2.0]], [[0.0], [0.0]], sample_weight=[1.0, 0.0]) == 0.5
    mean_w = losses.MeanSquaredError(reduction="mean_with_sample_weight")
    assert mean_w([[1.0], [2.0]], [[0.0], [0.0]], sample_weight=[1.0, 0.0]) == 1.0


def test_mape_zero_target_is_huge():
    value = losses.MeanAbsolutePercentageError()([0.0, 2.0], [1.0, 1.0])
    np.testing.assert_allclose(value, 5e8, rtol=1e-6)


def test_bce_perfect_prediction_float32():
    y = np.array([[1.0], [0.0]], dtype=np.float32)
    np.testing.assert_allclose(
        losses.BinaryCrossentropy()(y, y.copy()), 1.1920929e-07, rtol=1e-6
    )


def test_scce_ignore_class_mean_over_valid_entries():
    loss = losses.SparseCategoricalCrossentropy(ignore_class=0)
    value = loss([0, 1], [[0.5, 0.5], [0.2, 0.8]])
    np.testing.assert_allclose(value, -np.log(0.8), rtol=1e-6)
    assert abs(value - 0.2231) < 1e-4
    values = losses.sparse_categorical_crossentropy(
        [0, 1], [[0.5, 0.5], [0.2, 0.8]], ignore_class=0
    )
    np.testing.assert_allclose(values, [0.0, -np.log(0.8)], rtol=1e-6)


def test_huber_known_value():
    assert losses.Huber()([0.0, 0.0], [0.5, 3.0]) == 1.3125


def test_keras_docstring_examples():
    y_true = [[0, 1, 0], [0, 0, 1]]
    y_pred = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    cce = losses.CategoricalCrossentropy
    np.testing.assert_allclose(cce()(y_true, y_pred), 1.177, atol=1e-3)
    np.testing.assert_allclose(
        cce()(y_true, y_pred, sample_weight=np.array([0.3, 0.7])), 0.814, atol=1e-3
    )
    np.testing.assert_allclose(cce(reduction="sum")(y_true, y_pred), 2.354, atol=1e-3)
    np.testing.assert_allclose(
        cce(reduction=None)(y_true, y_pred), [0.0513, 2.303], atol=1e-3
    )
    scce = losses.SparseCategoricalCrossentropy()
    np.testing.assert_allclose(scce([1, 2], y_pred), 1.177, atol=1e-3)
    np.testing.assert_allclose(
        losses.CategoricalFocalCrossentropy()(
            [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], y_pred
        ),
        0.23315276,
        rtol=1e-5,
    )
    bce_logits = losses.BinaryCrossentropy(from_logits=True)
    y_true, y_pred = [[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]]
    np.testing.assert_allclose(bce_logits(y_true, y_pred), 0.8654, atol=1e-4)
    np.testing.assert_allclose(
        bce_logits(y_true, y_pred, sample_weight=[0.8, 0.2]), 0.243, atol=1e-3
    )
    focal = losses.BinaryFocalCrossentropy(gamma=2, from_logits=True)
    np.testing.assert_allclose(
        focal([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8]), 0.691, atol=1e-3
    )
    np.testing.assert_allclose(
        losses.binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]),
        [0.916, 0.714],
        atol=1e-3,
    )
    np.testing.assert_allclose(
        losses.cosine_similarity(
            [[0.0, 1.0], [1.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]]
        ),
        [0.0, -1.0, 1.0],
        atol=1e-6,
    )
    np.testing.assert_allclose(
        losses.log_cosh([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]]).mean(),
        0.108,
        atol=1e-3,
    )


# --------------------------------------------------------------------------
# Reductions and sample weights
# --------------------------------------------------------------------------


def test_reductions_on_a_hand_computed_example(float64):
    y, p = np.array([[1.0], [2.0], [3.0]]), np.zeros((3, 1))
    sw = np.array([1.0, 0.5, 0.0])
    values = np.array([1.0, 4.0, 9.0])
    expected = {
        "sum": np.sum(values * sw),
        "sum_over_batch_size": np.sum(values * sw) / 3,
        "mean": np.sum(values * sw) / 3,
        "mean_with_sample_weight": np.sum(values * sw) / 1.5,
    }
    for reduction, value in expected.items():
        assert losses.MeanSquaredError(reduction=reduction)(y, p, sw) == value
    np.testing.assert_array_equal(
        losses.MeanSquaredError(reduction="none")(y, p, sw), values * sw
    )


def test_zero_weight_sum_gives_zero_not_nan(float64):
    loss = losses.MeanSquaredError(reduction="mean_with_sample_weight")
    value, grad = loss.value_and_grad([[1.0]], [[0.0]], sample_weight=[0.0])
    assert value == 0.0
    np.testing.assert_array_equal(grad, 0.0)


def test_sample_weight_shapes_are_matched(float64):
    y, p = np.ones((4, 3)), np.zeros((4, 3))
    loss = losses.MeanSquaredError()
    a = loss(y, p, sample_weight=np.arange(4.0))
    b = loss(y, p, sample_weight=np.arange(4.0)[:, None])
    assert a == b == 1.5
    with pytest.raises(ValueError, match=r"sample_weight of shape \(5,\)"):
        loss(y, p, sample_weight=np.ones(5))


def test_rank_one_inputs_give_a_scalar_value_like_keras(float64):
    # values is a scalar (the mean over the only axis); Keras returns it as is,
    # and multiplies it by each sample weight before reducing.
    loss = losses.MeanSquaredError()
    assert loss([1.0, 3.0], [0.0, 0.0]) == 5.0
    value, grad = loss.value_and_grad([1.0, 3.0], np.zeros(2), sample_weight=[1.0, 0.0])
    assert value == 2.5
    np.testing.assert_allclose(grad, [-0.5, -1.5])


def test_y_true_rank_one_against_column_predictions_does_not_broadcast(float64):
    loss = losses.MeanSquaredError()
    y_pred = np.array([[1.0], [2.0], [4.0]])
    a, grad = loss.value_and_grad(np.array([1.0, 2.0, 3.0]), y_pred)
    assert a == loss(np.array([[1.0], [2.0], [3.0]]), y_pred) == 1 / 3
    assert grad.shape == (3, 1)


def test_trailing_unit_axis_of_predictions_is_restored_in_grad(float64):
    loss = losses.MeanAbsoluteError()
    y_true, y_pred = np.zeros((2, 3)), np.ones((2, 3, 1))
    value, grad = loss.value_and_grad(y_true, y_pred)
    assert value == 1.0 and grad.shape == (2, 3, 1)


# --------------------------------------------------------------------------
# from_logits == probability form composed with softmax / sigmoid
# --------------------------------------------------------------------------


def _softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _softmax_vjp(p, dp, axis=-1):
    return p * (dp - np.sum(dp * p, axis=axis, keepdims=True))


LOGIT_PAIRS = [
    (losses.CategoricalCrossentropy, {"label_smoothing": 0.1}, "softmax", _onehot),
    (losses.CategoricalCrossentropy, {"axis": 0}, "softmax0", _probs),
    (
        losses.SparseCategoricalCrossentropy,
        {"ignore_class": 2},
        "softmax",
        lambda r: r.integers(0, C, N),
    ),
    (losses.BinaryCrossentropy, {"label_smoothing": 0.1}, "sigmoid", _binary),
    (
        losses.BinaryFocalCrossentropy,
        {"apply_class_balancing": True},
        "sigmoid",
        _binary,
    ),
    (
        losses.CategoricalFocalCrossentropy,
        {"alpha": 0.3, "gamma": 1.5},
        "softmax",
        _onehot,
    ),
]


@pytest.mark.parametrize("cls, kwargs, activation, gen", LOGIT_PAIRS)
@pytest.mark.parametrize("weighted", [False, True])
def test_from_logits_equals_probabilities_composed(
    float64, cls, kwargs, activation, gen, weighted
):
    rng = np.random.default_rng(0)
    y_true, z = gen(rng), rng.normal(0, 1.5, (N, C))
    sw = None
    if weighted:
        sw = _sample_weight((C,) if activation == "softmax0" else (N,))
    if activation == "sigmoid":
        p = _sigmoid(z)
    else:
        p = _softmax(z, axis=0 if activation == "softmax0" else -1)
    value_z, dz = cls(from_logits=True, **kwargs).value_and_grad(y_true, z, sw)
    value_p, dp = cls(**kwargs).value_and_grad(y_true, p, sw)
    np.testing.assert_allclose(value_z, value_p, rtol=1e-10)
    if activation == "sigmoid":
        chained = dp * p * (1 - p)
    else:
        chained = _softmax_vjp(p, dp, axis=0 if activation == "softmax0" else -1)
    np.testing.assert_allclose(dz, chained, rtol=1e-9, atol=1e-15)


def test_sparse_logits_gradient_is_softmax_minus_onehot(float64):
    rng = np.random.default_rng(0)
    labels, z = rng.integers(0, C, N), rng.normal(size=(N, C))
    _, dz = losses.SparseCategoricalCrossentropy(
        from_logits=True, reduction="sum"
    ).value_and_grad(labels, z)
    np.testing.assert_allclose(dz, _softmax(z) - np.eye(C)[labels], atol=1e-15)


def test_logits_forms_are_stable_for_huge_logits():
    z = np.array([[1000.0, -1000.0, 0.0]], dtype=np.float32)
    for loss, y in [
        (losses.CategoricalCrossentropy(from_logits=True), [[0.0, 1.0, 0.0]]),
        (losses.SparseCategoricalCrossentropy(from_logits=True), [1]),
        (losses.BinaryCrossentropy(from_logits=True), [[0.0, 1.0, 1.0]]),
    ]:
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            value, grad = loss.value_and_grad(y, z)
        assert np.isfinite(value) and np.all(np.isfinite(grad))
    value = losses.CategoricalCrossentropy(from_logits=True)([[0.0, 1.0, 0.0]], z)
    np.testing.assert_allclose(value, 2000.0, rtol=1e-6)


# --------------------------------------------------------------------------
# logits_form (the fused head table)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "activation, loss",
    [
        ("softmax", losses.CategoricalCrossentropy(label_smoothing=0.1, name="x")),
        ("softmax", losses.SparseCategoricalCrossentropy(ignore_class=3)),
        ("sigmoid", losses.BinaryCrossentropy(label_smoothing=0.2, reduction="sum")),
    ],
)
def test_logits_form_returns_the_from_logits_twin(activation, loss):
    twin = losses.logits_form(activation, loss)
    assert type(twin) is type(loss) and twin.from_logits is True
    assert twin.get_config() == {**loss.get_config(), "from_logits": True}
    assert loss.from_logits is False  # the original is untouched


class _MyCCE(losses.CategoricalCrossentropy):
    pass


@pytest.mark.parametrize(
    "activation, loss",
    [
        ("softmax", losses.CategoricalCrossentropy(from_logits=True)),
        ("softmax", losses.CategoricalCrossentropy(axis=0)),
        ("softmax", losses.BinaryCrossentropy()),
        ("sigmoid", losses.CategoricalCrossentropy()),
        ("relu", losses.CategoricalCrossentropy()),
        ("linear", losses.MeanSquaredError()),
        ("softmax", losses.CategoricalFocalCrossentropy()),
        ("sigmoid", losses.BinaryFocalCrossentropy()),
        ("softmax", _MyCCE()),
        ("softmax", losses.get(lambda y, p: (y - p) ** 2)),
    ],
)
def test_logits_form_declines_everything_else(activation, loss):
    assert losses.logits_form(activation, loss) is None


def test_logits_form_accepts_an_activation_object():
    class Act:
        name = "softmax"

    twin = losses.logits_form(Act(), losses.CategoricalCrossentropy())
    assert twin.from_logits is True


# --------------------------------------------------------------------------
# get / aliases / function forms / config
# --------------------------------------------------------------------------

DEFAULT_NAMES = {
    "MeanSquaredError": "mean_squared_error",
    "MeanAbsoluteError": "mean_absolute_error",
    "MeanAbsolutePercentageError": "mean_absolute_percentage_error",
    "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error",
    "BinaryCrossentropy": "binary_crossentropy",
    "CategoricalCrossentropy": "categorical_crossentropy",
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
    "BinaryFocalCrossentropy": "binary_focal_crossentropy",
    "CategoricalFocalCrossentropy": "categorical_focal_crossentropy",
    "Huber": "huber_loss",
    "LogCosh": "log_cosh",
    "KLDivergence": "kl_divergence",
    "Poisson": "poisson",
    "Hinge": "hinge",
    "SquaredHinge": "squared_hinge",
    "CategoricalHinge": "categorical_hinge",
    "CosineSimilarity": "cosine_similarity",
}


@pytest.mark.parametrize("class_name, name", DEFAULT_NAMES.items())
def test_default_names_and_get_by_class_name(class_name, name):
    loss = losses.get(class_name)
    assert type(loss) is losses.ALL_OBJECTS[class_name]
    assert loss.name == name and loss.reduction == "sum_over_batch_size"


@pytest.mark.parametrize(
    "alias, cls",
    [
        ("mse", losses.MeanSquaredError),
        ("MSE", losses.MeanSquaredError),
        ("mae", losses.MeanAbsoluteError),
        ("MAE", losses.MeanAbsoluteError),
        ("mape", losses.MeanAbsolutePercentageError),
        ("MAPE", losses.MeanAbsolutePercentageError),
        ("msle", losses.MeanSquaredLogarithmicError),
        ("MSLE", losses.MeanSquaredLogarithmicError),
        ("bce", losses.BinaryCrossentropy),
        ("BCE", losses.BinaryCrossentropy),
        ("kld", losses.KLDivergence),
        ("KLD", losses.KLDivergence),
        ("huber", losses.Huber),
        ("log_cosh", losses.LogCosh),
        ("sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy),
        ("categorical_crossentropy", losses.CategoricalCrossentropy),
        ("cosine_similarity", losses.CosineSimilarity),
    ],
)
def test_string_aliases_resolve_to_trainable_losses_named_by_the_string(alias, cls):
    loss = losses.get(alias)
    assert type(loss) is cls and loss.name == alias


@pytest.mark.parametrize("bad", ["huber_loss", "logcosh", "cce", "scce", "nope"])
def test_non_aliases_are_rejected(bad):
    with pytest.raises(
        ValueError, match=f"Could not interpret loss identifier: '{bad}'"
    ):
        losses.get(bad)


def test_get_other_identifiers():
    assert losses.get(None) is None
    instance = losses.Huber(delta=2.0)
    assert losses.get(instance) is instance
    assert type(losses.get(losses.Poisson)) is losses.Poisson
    loss = losses.get(
        {"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}}
    )
    assert loss.from_logits is True
    builtin = losses.get(losses.binary_crossentropy)
    assert type(builtin) is losses.BinaryCrossentropy
    assert builtin.name == "binary_crossentropy"
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        losses.get(3)


def test_plain_function_is_wrapped_and_named_after_it():
    def my_loss(y_true, y_pred):
        return np.mean(np.abs(y_true - y_pred), axis=-1)

    loss = losses.get(my_loss)
    assert isinstance(loss, losses.LossFunctionWrapper) and loss.name == "my_loss"
    assert loss([[1.0, 3.0]], [[0.0, 0.0]], sample_weight=[2.0]) == 4.0
    with pytest.raises(NotImplementedError, match="my_loss"):
        loss.value_and_grad([[1.0]], [[0.0]])
    config = losses.serialize(loss)["config"]
    assert config["fn"]["config"] == "my_loss"
    restored = losses.deserialize(
        losses.serialize(loss), custom_objects={"my_loss": my_loss}
    )
    assert restored([[1.0, 3.0]], [[0.0, 0.0]]) == 2.0


@pytest.mark.parametrize("case", LOSS_CASES, ids=CASE_IDS)
def test_function_forms_return_per_sample_values(float64, case):
    _, cls, kwargs, gen = case
    fn_name = cls().name if cls is not losses.Huber else "huber"
    fn = getattr(losses, fn_name)
    y_true, y_pred = _inputs(gen)
    expected = cls(reduction="none", **kwargs)(y_true, y_pred)
    np.testing.assert_allclose(fn(y_true, y_pred, **kwargs), expected)


@pytest.mark.parametrize("case", LOSS_CASES, ids=CASE_IDS)
def test_config_round_trip(case):
    _, cls, kwargs, _ = case
    loss = cls(reduction="sum", name="custom", **kwargs)
    config = loss.get_config()
    assert config["name"] == "custom" and config["reduction"] == "sum"
    for key, value in kwargs.items():
        assert config[key] == value
    restored = losses.deserialize(losses.serialize(loss))
    assert type(restored) is cls and restored.get_config() == config
    assert losses.serialize(loss)["module"] == "keras.losses"


def test_config_keys_are_keras_keys():
    assert losses.MeanSquaredError().get_config() == {
        "name": "mean_squared_error",
        "reduction": "sum_over_batch_size",
    }
    assert losses.BinaryCrossentropy().get_config() == {
        "name": "binary_crossentropy",
        "reduction": "sum_over_batch_size",
        "from_logits": False,
        "label_smoothing": 0.0,
        "axis": -1,
    }
    assert losses.SparseCategoricalCrossentropy().get_config() == {
        "name": "sparse_categorical_crossentropy",
        "reduction": "sum_over_batch_size",
        "from_logits": False,
        "ignore_class": None,
    }


def test_deserialize_keras_function_dict_and_rejects_unknown_classes():
    keras_fn = {
        "module": "keras.losses",
        "class_name": "function",
        "config": "mean_squared_error",
        "registered_name": "mean_squared_error",
    }
    assert type(losses.deserialize(keras_fn)) is losses.MeanSquaredError
    with pytest.raises(ValueError, match="os.system"):
        losses.deserialize({"class_name": "os.system", "config": {}})


def test_unnamed_custom_loss_gets_a_unique_snake_case_name():
    class MyLoss(losses.Loss):
        pass

    backend.clear_session()
    assert MyLoss().name == "my_loss" and MyLoss().name == "my_loss_1"


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


def test_unknown_reduction_lists_valid_ones():
    with pytest.raises(ValueError, match="sum_over_batch_size.*reduction='avg'"):
        losses.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError, match="mean_with_sample_weight"):
        losses.Loss(reduction="avg")


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(
        ValueError, match=r"y_true.shape=\(4, 3\), y_pred.shape=\(4, 2\)"
    ):
        losses.MeanSquaredError()(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"y_true.shape=\(4,\), y_pred.shape=\(4, 3\)"):
        losses.MeanSquaredError()(np.zeros(4), np.zeros((4, 3)))
    with pytest.raises(
        ValueError, match=r"y_true.shape=\(4, 1\), y_pred.shape=\(4, 3\)"
    ):
        losses.CategoricalCrossentropy()(np.zeros((4, 1)), np.ones((4, 3)))
    with pytest.raises(
        ValueError, match=r"y_true.shape=\(4, 2\), y_pred.shape=\(4, 3\)"
    ):
        losses.SparseCategoricalCrossentropy()(np.zeros((4, 2)), np.ones((4, 3)))
    # broadcasting a size-1 target is fine for the elementwise losses
    assert losses.MeanSquaredError()(np.ones((4, 1)), np.ones((4, 3))) == 0.0


def test_sparse_labels_are_checked():
    p = np.full((3, 4), 0.25)
    with pytest.raises(ValueError, match=r"label 4, outside the valid range \[0, 4\)"):
        losses.SparseCategoricalCrossentropy()([0, 4, 1], p)
    with pytest.raises(ValueError, match=r"label -1.*\[0, 4\)"):
        losses.SparseCategoricalCrossentropy(from_logits=True)([0, -1, 1], p)
    with pytest.raises(ValueError, match=r"non-integer label 1.5.*num_classes=4"):
        losses.SparseCategoricalCrossentropy()([0.0, 1.5, 1.0], p)
    # float labels holding integers are fine; an ignored class may lie outside [0, C)
    losses.SparseCategoricalCrossentropy()([0.0, 2.0, 1.0], p)
    value = losses.SparseCategoricalCrossentropy(ignore_class=-1)([0, -1, 1], p)
    np.testing.assert_allclose(value, np.log(4.0))


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: losses.BinaryCrossentropy(label_smoothing=1.5), "label_smoothing=1.5"),
        (
            lambda: losses.CategoricalCrossentropy(label_smoothing=-0.1),
            "label_smoothing=-0.1",
        ),
        (lambda: losses.Huber(delta=-1.0), "delta=-1.0"),
        (lambda: losses.BinaryFocalCrossentropy(gamma=-2), "gamma=-2"),
        (lambda: losses.CategoricalCrossentropy(axis=1.5), "axis=1.5"),
        (lambda: losses.SparseCategoricalCrossentropy(axis=0), "axis=0"),
        (
            lambda: losses.SparseCategoricalCrossentropy(ignore_class=1.5),
            "ignore_class",
        ),
    ],
)
def test_bad_arguments_name_the_argument_and_value(make, match):
    with pytest.raises(ValueError, match=match):
        make()
