"""Every fast path equals the plain path it stands beside (float64)."""

import numpy as np
import pytest

from numkeras import losses, metrics
from numkeras.losses import Loss


@pytest.mark.parametrize("n, classes", [(1, 2), (7, 3), (32, 10), (100, 100)])
def test_sparse_crossentropy_logits_fast_path_equals_general_path(n, classes):
    rng = np.random.default_rng(n)
    z = rng.standard_normal((n, classes)) * 3
    labels = rng.integers(0, classes, n)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    fast_value, fast_grad = loss.value_and_grad(labels, z.copy())
    general_value, general_grad = Loss.value_and_grad(loss, labels, z.copy())
    assert fast_value == pytest.approx(general_value, rel=1e-12)
    np.testing.assert_allclose(fast_grad, general_grad, rtol=1e-12, atol=1e-15)


def test_sparse_crossentropy_fast_path_keeps_float32_and_checks_labels():
    z = np.zeros((4, 3), np.float32)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    value, grad = loss.value_and_grad(np.array([0, 1, 2, 0]), z)
    assert grad.dtype == np.float32 and value == pytest.approx(np.log(3), rel=1e-6)
    with pytest.raises(ValueError, match="valid range"):
        loss.value_and_grad(np.array([0, 1, 3, 0]), z)


def test_sparse_accuracy_fast_path_equals_general_path():
    rng = np.random.default_rng(0)
    fast, general = (
        metrics.SparseCategoricalAccuracy(),
        metrics.MeanMetricWrapper(metrics.sparse_categorical_accuracy),
    )
    for n in (32, 32, 7):
        y_pred = rng.random((n, 10))
        y_true = rng.integers(0, 10, n)
        fast.update_state(y_true, y_pred)
        general.update_state(y_true, y_pred)
    assert fast.result() == pytest.approx(general.result(), rel=1e-12)
