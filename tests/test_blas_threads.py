"""BLAS threads: fit times both counts each epoch and keeps the faster."""

import numpy as np
import pytest

import numkeras as keras
from numkeras.utils import blas_threads


class FakeBlas:
    def __init__(self, threads=2):
        self.threads = threads
        self.history = []

    def get(self):
        return self.threads

    def set(self, n):
        self.threads = n
        self.history.append(n)


def run_probe(monkeypatch, seconds_with_default, seconds_with_one):
    blas = FakeBlas()
    monkeypatch.delenv("NUMKERAS_BLAS_THREADS", raising=False)
    monkeypatch.setattr(blas_threads, "controller", lambda: blas)
    clock = [0.0]
    monkeypatch.setattr(blas_threads.time, "perf_counter", lambda: clock[0])
    tuner = blas_threads.EpochTuner()
    tuner.start_epoch(100)
    step = 0
    while tuner.probing:
        tuner.before_step(step)
        clock[0] += seconds_with_one if blas.threads == 1 else seconds_with_default
        tuner.after_step(step)
        step += 1
    assert step == 2 * tuner.PROBE
    chosen = blas.threads
    tuner.restore()
    return chosen, blas.threads


def test_one_thread_is_kept_when_it_is_faster(monkeypatch):
    assert run_probe(monkeypatch, 0.005, 0.001) == (1, 2)


def test_the_default_is_kept_when_it_is_faster(monkeypatch):
    assert run_probe(monkeypatch, 0.001, 0.002) == (2, 2)


def test_short_epochs_are_not_probed_and_env_fixes_the_count(monkeypatch):
    blas = FakeBlas()
    monkeypatch.setattr(blas_threads, "controller", lambda: blas)
    monkeypatch.delenv("NUMKERAS_BLAS_THREADS", raising=False)
    tuner = blas_threads.EpochTuner()
    tuner.start_epoch(10)
    assert not tuner.probing
    monkeypatch.setenv("NUMKERAS_BLAS_THREADS", "1")
    tuner = blas_threads.EpochTuner()
    assert blas.threads == 1 and not tuner.enabled
    tuner.restore()
    assert blas.threads == 2


def test_the_bundled_openblas_thread_count_can_be_read_and_set():
    blas = blas_threads.controller()
    if blas is None:
        pytest.skip("NumPy does not use its bundled OpenBLAS here")
    before = blas.get()
    try:
        blas.set(1)
        assert blas.get() == 1
        np.ones((64, 64)) @ np.ones((64, 64))
    finally:
        blas.set(before)
    assert blas.get() == before


def test_fit_restores_the_thread_count_even_when_training_fails():
    blas = blas_threads.controller()
    if blas is None:
        pytest.skip("NumPy does not use its bundled OpenBLAS here")
    before = blas.get()

    class Boom(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 20:
                raise RuntimeError("boom")

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(RuntimeError, match="boom"):
        model.fit(
            np.ones((800, 4)),
            np.ones((800, 2)),
            batch_size=8,
            callbacks=[Boom()],
            verbose=0,
        )
    assert blas.get() == before
