"""BLAS thread choice: one thread for small products, restored afterwards."""

import numpy as np
import pytest

import numkeras as keras
from numkeras.utils import blas_threads


def test_small_products_get_one_thread_large_ones_the_default(monkeypatch):
    monkeypatch.delenv("NUMKERAS_BLAS_THREADS", raising=False)
    assert blas_threads.threads_for_step(2 * 32 * 784 * 100) == 1
    assert blas_threads.threads_for_step(2 * 1024 * 1024 * 1024) is None
    monkeypatch.setenv("NUMKERAS_BLAS_THREADS", "2")
    assert blas_threads.threads_for_step(10) == 2


def test_limit_sets_and_restores_the_thread_count():
    blas = blas_threads.controller()
    if blas is None:
        pytest.skip("NumPy does not use its bundled OpenBLAS here")
    before = blas.get()
    with blas_threads.limit(1):
        assert blas.get() == 1
        np.ones((64, 64)) @ np.ones((64, 64))
    assert blas.get() == before


def test_fit_restores_the_thread_count_even_when_training_fails():
    blas = blas_threads.controller()
    if blas is None:
        pytest.skip("NumPy does not use its bundled OpenBLAS here")
    before = blas.get()

    class Boom(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            raise RuntimeError("boom")

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(RuntimeError, match="boom"):
        model.fit(np.ones((8, 4)), np.ones((8, 2)), callbacks=[Boom()], verbose=0)
    assert blas.get() == before
