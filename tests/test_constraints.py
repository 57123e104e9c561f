"""Constraints: Keras's projection formulas, dtype, strings, configs."""

import numpy as np
import pytest

from numkeras import backend, constraints

W = np.array(
    [[1.0, 2.0, 0.5], [3.0, -4.0, 1.0], [5.0, 6.0, -2.0], [0.3, 0.1, 0.2]],
    dtype=np.float32,
)
EPS = backend.epsilon()


def _norms(w, axis):
    return np.sqrt(np.sum(w.astype(np.float64) ** 2, axis=axis, keepdims=True))


def test_max_norm_matches_keras():
    out = constraints.MaxNorm(2.0)(W)
    # First row of keras 3.15.1's output on the same W.
    np.testing.assert_allclose(
        out[0], [0.3376278877, 0.5344747901, 0.4347826242], rtol=1e-6
    )
    n = _norms(W, 0)
    np.testing.assert_allclose(out, W * np.clip(n, 0, 2.0) / (EPS + n), rtol=1e-6)
    assert np.all(_norms(out, 0) <= 2.0 + 1e-5)


def test_max_norm_leaves_small_columns_almost_unchanged():
    w = np.array([[0.1, 3.0], [0.2, 4.0]])
    out = constraints.MaxNorm(max_value=1.0)(w)
    np.testing.assert_allclose(out[:, 0], w[:, 0], rtol=1e-5)
    np.testing.assert_allclose(out[:, 1], [0.6, 0.8], rtol=1e-6)


def test_non_neg():
    out = constraints.NonNeg()(W)
    np.testing.assert_array_equal(out, np.maximum(W, 0))
    assert out.dtype == np.float32


def test_unit_norm_with_tuple_axis_matches_keras():
    out = constraints.UnitNorm(axis=[0, 1])(W)
    np.testing.assert_allclose(out[0, 0], 0.10185538977384567, rtol=1e-6)
    np.testing.assert_allclose(np.sum(out.astype(np.float64) ** 2), 1.0, rtol=1e-5)
    rows = constraints.UnitNorm(axis=1)(W)
    np.testing.assert_allclose(_norms(rows, 1), 1.0, rtol=1e-5)


def test_min_max_norm_matches_keras():
    out = constraints.MinMaxNorm(1.0, 3.0, rate=0.5, axis=1)(W)
    np.testing.assert_allclose(
        out[1], [2.3825228214, -3.1766970158, 0.7941742539], rtol=1e-6
    )
    n = _norms(W, 1)
    desired = 0.5 * np.clip(n, 1.0, 3.0) + 0.5 * n
    np.testing.assert_allclose(out, W * desired / (EPS + n), rtol=1e-6)


@pytest.mark.parametrize(
    "constraint",
    [
        constraints.MaxNorm(),
        constraints.NonNeg(),
        constraints.UnitNorm(),
        constraints.MinMaxNorm(),
        constraints.Constraint(),
    ],
)
def test_returns_a_new_array_with_the_same_dtype(constraint):
    w = W.copy()
    out = constraint(w)
    assert out.dtype == np.float32 and out.shape == W.shape
    assert not np.shares_memory(out, w)
    np.testing.assert_array_equal(w, W)


@pytest.mark.parametrize(
    "name, cls",
    [
        ("max_norm", constraints.MaxNorm),
        ("MaxNorm", constraints.MaxNorm),
        ("non_neg", constraints.NonNeg),
        ("NonNeg", constraints.NonNeg),
        ("unit_norm", constraints.UnitNorm),
        ("UnitNorm", constraints.UnitNorm),
        ("min_max_norm", constraints.MinMaxNorm),
        ("MinMaxNorm", constraints.MinMaxNorm),
    ],
)
def test_get_strings(name, cls):
    assert type(constraints.get(name)) is cls


def test_class_aliases_and_other_identifiers():
    assert constraints.max_norm is constraints.MaxNorm
    assert constraints.non_neg is constraints.NonNeg
    assert constraints.unit_norm is constraints.UnitNorm
    assert constraints.min_max_norm is constraints.MinMaxNorm
    assert constraints.get(None) is None
    c = constraints.MaxNorm(3)
    assert constraints.get(c) is c
    assert type(constraints.get(constraints.NonNeg)) is constraints.NonNeg
    with pytest.raises(ValueError, match="constraint identifier: 'maxnorm'"):
        constraints.get("maxnorm")
    with pytest.raises(ValueError, match="Could not interpret constraint"):
        constraints.get(1.5)


@pytest.mark.parametrize(
    "constraint, config",
    [
        (constraints.MaxNorm(), {"max_value": 2, "axis": 0}),
        (constraints.NonNeg(), {}),
        (constraints.UnitNorm(axis=1), {"axis": 1}),
        (
            constraints.MinMaxNorm(0.5, 2.0, 0.3, axis=[0, 1]),
            {"min_value": 0.5, "max_value": 2.0, "rate": 0.3, "axis": [0, 1]},
        ),
    ],
)
def test_config_round_trip(constraint, config):
    assert constraint.get_config() == config
    serialized = constraints.serialize(constraint)
    assert serialized["module"] == "keras.constraints"
    restored = constraints.get(serialized)
    assert type(restored) is type(constraint) and restored.get_config() == config
    np.testing.assert_array_equal(restored(W), constraint(W))


def test_deserialize_rejects_unknown_classes():
    with pytest.raises(ValueError, match="Could not interpret constraint"):
        constraints.deserialize({"class_name": "Evil", "config": {}})
