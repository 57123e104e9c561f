"""Every plot renders a non-empty PNG of the expected size (Agg, no display)."""

import struct
import sys

import numpy as np
import pytest

import numkeras as keras
from numkeras.callbacks.gradient_monitor import GradientMonitor
from numkeras.utils import plotting

pytest.importorskip("matplotlib")


@pytest.fixture(autouse=True)
def _agg_and_close():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def png_size(path):
    """(width, height) from the PNG header (IHDR chunk)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def assert_png(path, fig, size):
    assert path.stat().st_size > 5_000  # something was drawn
    assert png_size(path) == size
    assert fig.get_size_inches() * plotting.DPI == pytest.approx(size)
    assert path.stat().st_size < 150_000  # small enough for the docs


def _history(n_epochs=6, val=True):
    epochs = np.arange(n_epochs)
    logs = {"loss": list(1 / (1 + epochs)), "accuracy": list(1 - 0.5 / (1 + epochs))}
    if val:
        logs["val_loss"] = list(1 / (1 + epochs) + 0.05 * epochs)
        logs["val_accuracy"] = list(0.9 - 0.01 * epochs)
    return logs


def _trained_monitor(activation, seed=0):
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((64, 8)).astype("float32")
    y = rng.integers(0, 3, 64)
    model = keras.Sequential(
        [keras.Input((8,))]
        + [keras.layers.Dense(8, activation=activation) for _ in range(4)]
        + [keras.layers.Dense(3, activation="softmax")]
    )
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    monitor = GradientMonitor(warn=False)
    model.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[monitor])
    return monitor


def test_plot_history_marks_early_stopping(tmp_path):
    class Stopper:  # what EarlyStopping exposes after fit
        stopped_epoch = 4
        best_epoch = 2

    path = tmp_path / "history.png"
    fig = plotting.plot_history(_history(), path, early_stopping=Stopper(), title="t")
    assert_png(path, fig, (1000, 400))
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "early stop (epoch 5)" in labels and "best epoch (3)" in labels
    assert "validation loss" in labels


def test_plot_history_from_a_real_fit(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 4)).astype("float32")
    y = rng.integers(0, 2, 40)
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(2, activation="softmax")]
    )
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0)
    path = tmp_path / "fit.png"
    fig = plotting.plot_history(history, path)
    assert_png(path, fig, (1000, 400))
    assert len(fig.axes[0].lines) == 2  # training and validation


def test_plot_comparison_and_optimizer_race(tmp_path):
    histories = {"a": _history(), "b": _history(8), "c": _history(5, val=False)}
    path = tmp_path / "compare.png"
    fig = plotting.plot_comparison(histories, keys=("loss", "accuracy"), path=path)
    assert_png(path, fig, (1200, 450))
    assert len(fig.axes[0].lines) == 5  # 3 training + 2 validation curves

    path = tmp_path / "race.png"
    fig = plotting.plot_optimizer_comparison(histories, path)
    assert_png(path, fig, (600, 450))
    assert fig.axes[0].get_yscale() == "log"
    assert len(fig.axes[0].lines) == 3


def test_plot_activations(tmp_path):
    path = tmp_path / "activations.png"
    fig = plotting.plot_activations(path=path)
    assert_png(path, fig, (1200, 780))
    relu_axis = fig.axes[0]
    x, y = relu_axis.lines[0].get_data()
    _, derivative = relu_axis.lines[1].get_data()
    np.testing.assert_allclose(y, np.maximum(x, 0))
    np.testing.assert_allclose(derivative, (x > 0).astype(float))
    sigmoid_axis = fig.axes[plotting.ACTIVATION_NAMES.index("sigmoid")]
    assert max(sigmoid_axis.lines[1].get_data()[1]) == pytest.approx(0.25, abs=1e-4)


def test_plot_gradients_one_and_several_monitors(tmp_path):
    sigmoid = _trained_monitor("sigmoid")
    path = tmp_path / "one.png"
    fig = plotting.plot_gradients(sigmoid, path)
    assert_png(path, fig, (1000, 400))
    assert len(fig.axes[1].lines) == 5  # every layer over the epochs

    path = tmp_path / "two.png"
    fig = plotting.plot_gradients(
        {"sigmoid": sigmoid, "relu": _trained_monitor("relu")}, path
    )
    assert_png(path, fig, (1000, 400))
    assert len(fig.axes[0].lines) == 2
    assert len(fig.axes[1].lines) == 4  # first and last layer of each


def test_missing_matplotlib_gives_a_clear_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"numkeras\[plot\]"):
        plotting.require_matplotlib()
    with pytest.raises(ImportError, match="pip install"):
        plotting.plot_history(_history())
