"""Regularizers: Keras's penalties, exact gradients, strings, configs, errors."""

import numpy as np
import pytest

from numkeras import regularizers
from numkeras.utils.gradient_check import compare

W = np.array(
    [[1.0, 2.0, 0.5], [3.0, -4.0, 1.0], [5.0, 6.0, -2.0], [0.3, 0.1, 0.2]],
    dtype=np.float32,
)

REGULARIZER_CASES = [
    regularizers.L1(0.3),
    regularizers.L2(0.2),
    regularizers.L1L2(l1=0.01, l2=0.02),
    regularizers.L1L2(l2=0.05),
    regularizers.OrthogonalRegularizer(factor=0.1, mode="rows"),
    regularizers.OrthogonalRegularizer(factor=0.1, mode="columns"),
]
IDS = [repr(r) for r in REGULARIZER_CASES]


def test_penalties_match_keras():
    # Reference numbers from keras 3.15.1 (JAX backend) on the same float32 W.
    assert regularizers.L1(0.3)(W) == pytest.approx(0.3 * np.abs(W).sum(), rel=1e-6)
    assert regularizers.L2(0.2)(W) == pytest.approx(0.2 * (W**2).sum(), rel=1e-6)
    assert regularizers.L1L2(0.01, 0.02)(W) == pytest.approx(2.1787998676, rel=1e-6)
    ortho = regularizers.OrthogonalRegularizer(0.1, mode="rows")(W)
    assert ortho == pytest.approx(0.05248619243502617, rel=1e-6)
    ortho = regularizers.OrthogonalRegularizer(0.1, mode="columns")(W)
    assert ortho == pytest.approx(0.05982513725757599, rel=1e-6)
    # Keras's docstring: L2(2.0) of ones(5, 5) is 50, no 1/2 factor.
    assert regularizers.L2(2.0)(np.ones((5, 5))) == 50.0


def test_l1l2_defaults_and_strings_are_no_ops():
    assert regularizers.L1L2()(W) == 0.0
    assert regularizers.get("l1l2")(W) == 0.0
    assert regularizers.get("L1L2").get_config() == {"l1": 0.0, "l2": 0.0}
    np.testing.assert_array_equal(regularizers.L1L2().grad(W), 0.0)


@pytest.mark.parametrize("reg", REGULARIZER_CASES, ids=IDS)
def test_grad_matches_finite_differences(reg):
    w = W.astype(np.float64)
    assert compare(reg.grad(w), w, lambda: reg(w)) < 1e-6


@pytest.mark.parametrize("reg", REGULARIZER_CASES, ids=IDS)
def test_penalty_is_a_float_and_grad_keeps_dtype(reg):
    assert isinstance(reg(W), float)
    grad = reg.grad(W)
    assert grad.dtype == np.float32 and grad.shape == W.shape


def test_simple_gradients_exactly():
    w = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(regularizers.L1(0.5).grad(w), [-0.5, 0.0, 0.5])
    np.testing.assert_array_equal(regularizers.L2(0.5).grad(w), [-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(regularizers.L1L2(0.5, 0.5).grad(w), [-2.5, 0.0, 3.5])


def test_orthogonal_regularizer_special_cases():
    ortho = regularizers.OrthogonalRegularizer(factor=1.0)
    assert ortho(np.eye(3) * 5.0) == 0.0
    np.testing.assert_allclose(ortho.grad(np.eye(3) * 5.0), 0.0, atol=1e-12)
    parallel = np.array([[1.0, 0.0], [2.0, 0.0]])
    assert ortho(parallel) == pytest.approx(1.0)  # 0.5 * (1 + 1) / 1 pair
    assert ortho(np.array([[1.0, 2.0]])) == 0.0  # a single row has no pairs
    w = np.random.default_rng(0).normal(size=(5, 3))
    w[2] = 0.0  # a zero row: normalised by eps, gradient dU / eps
    assert np.all(np.isfinite(ortho.grad(w)))
    with pytest.raises(ValueError, match=r"rank 2.*\(2, 2, 2\)"):
        ortho(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="mode='diagonal'"):
        regularizers.OrthogonalRegularizer(mode="diagonal")


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: regularizers.L1(-0.1), "l1=-0.1"),
        (lambda: regularizers.L2(float("inf")), "l2=inf"),
        (lambda: regularizers.L1L2(l1=float("nan")), "l1=nan"),
        (lambda: regularizers.L1L2(l2="0.1"), "l2='0.1'"),
        (lambda: regularizers.L2(True), "l2=True"),
        (lambda: regularizers.OrthogonalRegularizer(factor=-1), "factor=-1"),
    ],
)
def test_invalid_factors_name_the_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_factors_are_stored_as_plain_floats():
    # Keras 3.15 gives {'l1': 0.009999999776482582} (a float32 tensor); we keep 0.01.
    assert regularizers.L1().get_config() == {"l1": 0.01}
    assert regularizers.L2().get_config() == {"l2": 0.01}
    assert regularizers.L1(1).get_config() == {"l1": 1.0}
    assert regularizers.L1(None).l1 == 0.01
    assert regularizers.OrthogonalRegularizer().get_config() == {
        "factor": 0.01,
        "mode": "rows",
    }


@pytest.mark.parametrize(
    "name, cls",
    [
        ("l1", regularizers.L1),
        ("L1", regularizers.L1),
        ("l2", regularizers.L2),
        ("L2", regularizers.L2),
        ("l1l2", regularizers.L1L2),
        ("L1L2", regularizers.L1L2),
        ("orthogonal_regularizer", regularizers.OrthogonalRegularizer),
        ("OrthogonalRegularizer", regularizers.OrthogonalRegularizer),
    ],
)
def test_get_strings(name, cls):
    assert type(regularizers.get(name)) is cls


def test_l1_l2_is_not_a_valid_string_but_is_a_class_alias():
    with pytest.raises(ValueError, match="regularizer identifier: 'l1_l2'"):
        regularizers.get("l1_l2")
    assert regularizers.l1_l2 is regularizers.L1L2
    assert regularizers.l1 is regularizers.L1 and regularizers.l2 is regularizers.L2
    assert regularizers.orthogonal_regularizer is regularizers.OrthogonalRegularizer
    assert regularizers.l1_l2(l1=0.1).get_config() == {"l1": 0.1, "l2": 0.0}


def test_get_other_identifiers():
    assert regularizers.get(None) is None
    reg = regularizers.L2(0.3)
    assert regularizers.get(reg) is reg
    assert type(regularizers.get(regularizers.L1)) is regularizers.L1

    def fn(w):
        return 0.0

    assert regularizers.get(fn) is fn
    keras_dict = {
        "module": "keras.regularizers",
        "class_name": "L1L2",
        "config": {"l1": 0.0, "l2": 0.1},
        "registered_name": None,
    }
    assert regularizers.get(keras_dict).get_config() == {"l1": 0.0, "l2": 0.1}
    with pytest.raises(ValueError, match="Could not interpret regularizer"):
        regularizers.get(3)


@pytest.mark.parametrize("reg", REGULARIZER_CASES, ids=IDS)
def test_serialize_round_trip(reg):
    config = regularizers.serialize(reg)
    assert config["module"] == "keras.regularizers"
    assert config["class_name"] == type(reg).__name__
    restored = regularizers.deserialize(config)
    assert type(restored) is type(reg)
    assert restored.get_config() == reg.get_config()
    assert restored(W) == reg(W)


def test_deserialize_rejects_unknown_classes():
    with pytest.raises(ValueError, match="Could not interpret regularizer"):
        regularizers.deserialize({"class_name": "Evil", "config": {}})
