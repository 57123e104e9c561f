"""GradientMonitor numbers and warnings, and check_gradients for users."""

import warnings

import numpy as np
import pytest

import numkeras as keras
from numkeras.callbacks.callback import CallbackList
from numkeras.callbacks.gradient_monitor import (
    RECORD_KEYS,
    GradientMonitor,
    TrainingDiagnosticWarning,
)
from numkeras.layers import Layer
from numkeras.utils.gradient_check import GradientCheckReport, check_gradients


def _data(n=32, d=6, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype("float32")
    y = rng.integers(0, classes, n)
    return x, y


def _fit(model, x, y, monitor, epochs=1, batch_size=None, **compile_kwargs):
    compile_kwargs.setdefault("optimizer", keras.optimizers.SGD(0.1))
    compile_kwargs.setdefault("loss", "sparse_categorical_crossentropy")
    model.compile(**compile_kwargs)
    return model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size or len(x),
        verbose=0,
        shuffle=False,
        callbacks=[monitor],
    )


# ------------------------------------------------------------- the numbers
def test_gradient_norm_and_update_ratio_match_an_independent_computation():
    """One linear layer, MSE, one step: dL/dW = xᵀ 2(xW + b - y) / (n k)."""
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((20, 5)).astype("float32")
    y = rng.standard_normal((20, 3)).astype("float32")
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
    w0, b0 = (w.astype(np.float64) for w in model.get_weights())
    monitor = GradientMonitor()
    _fit(model, x, y, monitor, optimizer=keras.optimizers.SGD(0.1), loss="mse")

    residual = 2 * (x @ w0 + b0 - y) / y.size
    grad_w, grad_b = x.T @ residual, residual.sum(0)
    expected = np.sqrt(np.sum(grad_w**2) + np.sum(grad_b**2))
    rec = monitor.records
    assert rec["grad_norm"][0, 0] == pytest.approx(expected, rel=1e-5)
    layer = model.layers[0]  # after fit the grads dicts still hold the last step's
    from_grads = np.sqrt(
        sum(np.sum(g.astype(np.float64) ** 2) for g in layer.grads.values())
    )
    assert rec["grad_norm"][0, 0] == pytest.approx(from_grads, rel=1e-6)
    # SGD: ΔW = -lr g, so ||ΔW|| / ||W|| = lr ||g|| / ||W after||
    w_norm = np.sqrt(
        sum(np.sum(w.astype(np.float64) ** 2) for w in model.get_weights())
    )
    assert rec["weight_norm"][0, 0] == pytest.approx(w_norm, rel=1e-6)
    assert rec["update_ratio"][0, 0] == pytest.approx(0.1 * expected / w_norm, rel=1e-4)


def test_gradient_norm_is_the_mean_over_the_epochs_steps():
    x, y = _data(n=40)
    model = keras.Sequential(
        [keras.Input((6,)), keras.layers.Dense(3, activation="softmax")]
    )
    norms = []

    class Recorder(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            g = self.model.layers[0].grads
            norms.append(
                np.sqrt(sum(np.sum(v.astype(np.float64) ** 2) for v in g.values()))
            )

    monitor = GradientMonitor()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(
        x,
        y,
        epochs=1,
        batch_size=10,
        verbose=0,
        shuffle=False,
        callbacks=[Recorder(), monitor],
    )
    assert len(norms) == 4
    assert monitor.records["grad_norm"][0, 0] == pytest.approx(np.mean(norms), rel=1e-5)


def test_dead_relu_fraction_on_units_dead_by_construction():
    x, y = _data(n=64)
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(10, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    kernel, bias, *rest = model.get_weights()
    kernel = np.abs(kernel) * 0.1  # |z| <= 0.1 * sum|x| is far below 100
    bias[:4] = -100.0  # units 0..3 can never fire
    bias[4:] = 100.0  # units 4..9 always fire
    model.set_weights([kernel, bias, *rest])
    monitor = GradientMonitor(warn=False)
    _fit(
        model,
        x,
        y,
        monitor,
        epochs=2,
        batch_size=16,
        optimizer=keras.optimizers.SGD(1e-4),
    )
    rec = monitor.records
    np.testing.assert_allclose(rec["dead_fraction"][:, 0], [0.4, 0.4])
    assert np.isnan(rec["dead_fraction"][:, 1]).all()  # softmax: not a ReLU
    assert np.isnan(rec["saturated_fraction"][:, 0]).all()


def test_dead_relu_warning_names_the_layer():
    x, y = _data(n=32)
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(8, activation="relu", name="hidden"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    kernel, bias, *rest = model.get_weights()
    bias[:] = -100.0
    model.set_weights([kernel, bias, *rest])
    with pytest.warns(TrainingDiagnosticWarning, match="Dead ReLUs.*'hidden'"):
        _fit(model, x, y, GradientMonitor())


@pytest.mark.parametrize("activation, far", [("sigmoid", 100.0), ("tanh", 100.0)])
def test_saturated_fraction(activation, far):
    x, y = _data(n=50)
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(8, activation=activation),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    kernel, bias, *rest = model.get_weights()
    kernel[:] = 0.001  # the other units sit at the centre: y = σ(≈0)
    bias[:] = 0.0
    bias[:2] = far
    bias[2:3] = -far
    model.set_weights([kernel, bias, *rest])
    monitor = GradientMonitor(warn=False)
    _fit(model, x, y, monitor, optimizer=keras.optimizers.SGD(1e-6))
    assert monitor.records["saturated_fraction"][0, 0] == pytest.approx(3 / 8)
    assert np.isnan(monitor.records["dead_fraction"][0, 0])


def test_activation_statistics_match_numpy():
    x, y = _data(n=30)
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(7, activation="tanh"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    out = np.tanh(
        x.astype(np.float64) @ model.get_weights()[0] + model.get_weights()[1]
    )
    monitor = GradientMonitor()
    _fit(model, x, y, monitor)
    assert monitor.records["act_mean"][0, 0] == pytest.approx(out.mean(), abs=1e-6)
    assert monitor.records["act_std"][0, 0] == pytest.approx(out.std(), rel=1e-4)


def test_records_are_arrays_with_one_row_per_epoch_and_one_column_per_layer():
    x, y = _data(n=48)
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(0.2),  # no weights, no activation: not a column
            keras.layers.Dense(8),
            keras.layers.Activation("sigmoid"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    monitor = GradientMonitor(warn=False)
    _fit(model, x, y, monitor, epochs=3, batch_size=16)
    names = [layer.name for layer in model.layers]
    assert monitor.layer_names == [names[0], names[2], names[3], names[4]]
    assert monitor.activations == ["relu", None, "sigmoid", "softmax"]
    assert monitor.epochs == [0, 1, 2]
    rec = monitor.records
    assert set(rec) == set(RECORD_KEYS)
    for key in RECORD_KEYS:
        assert isinstance(rec[key], np.ndarray)
        assert rec[key].shape == (3, 4)
    assert np.isnan(rec["grad_norm"][:, 2]).all()  # the Activation layer
    assert np.isnan(rec["act_mean"][:, 1]).all()  # the linear Dense
    assert np.isfinite(rec["saturated_fraction"][:, 2]).all()
    assert np.isfinite(rec["grad_norm"][:, [0, 1, 3]]).all()
    assert 0 < monitor.gradient_ratio() < np.inf
    text = monitor.summary()
    for name in monitor.layer_names:
        assert name in text


def _deep(activation, initializer, depth=10, width=32, d=20, seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [keras.Input((d,))]
        + [
            keras.layers.Dense(
                width, activation=activation, kernel_initializer=initializer
            )
            for _ in range(depth)
        ]
        + [keras.layers.Dense(4, activation="softmax")]
    )


def test_vanishing_warning_fires_for_a_deep_sigmoid_net():
    x, y = _data(n=128, d=20, classes=4)
    model = _deep("sigmoid", "glorot_uniform")
    monitor = GradientMonitor()
    with pytest.warns(TrainingDiagnosticWarning, match="vanishing") as record:
        _fit(model, x, y, monitor, epochs=2, batch_size=32)
    message = str(record[0].message)
    assert repr(model.layers[0].name) in message  # names the layer
    assert "relu" in message and "he_normal" in message  # and the remedy
    assert monitor.gradient_ratio() < 1e-3
    # once per problem and layer, not every epoch
    assert sum("vanishing" in str(w.message) for w in record) == 1


def test_no_warning_for_a_deep_relu_he_net():
    x, y = _data(n=128, d=20, classes=4)
    model = _deep("relu", "he_normal")
    monitor = GradientMonitor()
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingDiagnosticWarning)
        _fit(model, x, y, monitor, epochs=2, batch_size=32)
    assert monitor.findings == []
    assert 1e-2 < monitor.gradient_ratio() < 1e2


def test_exploding_warning():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 4)).astype("float32") * 100
    y = rng.standard_normal((16, 1)).astype("float32") * 1e4
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    with pytest.warns(TrainingDiagnosticWarning, match="exploding.*clipnorm"):
        _fit(
            model,
            x,
            y,
            GradientMonitor(),
            loss="mse",
            optimizer=keras.optimizers.SGD(1e-9),
        )


def test_every_k_steps_and_verbose_summary(capsys):
    x, y = _data(n=60)
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(5, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    monitor = GradientMonitor(every=3, verbose=1, warn=False)
    _fit(model, x, y, monitor, batch_size=10)
    assert monitor._steps == 2  # steps 0 and 3 of 6
    assert np.isfinite(monitor.records["grad_norm"]).all()
    printed = capsys.readouterr().out
    assert "GradientMonitor, epoch 1" in printed and "grad norm" in printed
    with pytest.raises(ValueError, match="every"):
        GradientMonitor(every=0)
    with pytest.raises(ValueError, match="update_every"):
        GradientMonitor(update_every=1.5)


def test_the_monitor_is_the_only_source_of_per_step_work():
    """Without the monitor the training loop calls no batch hook at all."""
    from numkeras.callbacks.history import History

    assert not CallbackList([History()]).wants("on_train_batch_end")
    assert CallbackList([History(), GradientMonitor()]).wants("on_train_batch_end")


# ----------------------------------------------------------- check_gradients
class Square(Layer):
    """y = x², with a deliberately wrong backward (the 2 is missing)."""

    def forward(self, x, training=False):
        return x * x, x

    def backward(self, cache, dy, input_grad=True):
        return dy * cache


class GoodSquare(Square):
    def backward(self, cache, dy, input_grad=True):
        return 2.0 * cache * dy


class Scale(Layer):
    """y = x * s with a trainable per-feature s: ds = Σ_batch x dy, dx = s dy."""

    def __init__(self, wrong=False, **kwargs):
        super().__init__(**kwargs)
        self.wrong = wrong

    def build(self, input_shape):
        self.add_weight("scale", (input_shape[-1],), "ones")
        super().build(input_shape)

    def forward(self, x, training=False):
        return x * self.params["scale"], x

    def backward(self, cache, dy, input_grad=True):
        self.grads["scale"] += (cache * dy).sum(0) * (0.5 if self.wrong else 1.0)
        return dy * self.params["scale"]


def _model_with(layer):
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(8, activation="tanh", kernel_regularizer="l2"),
            layer,
            keras.layers.Dropout(0.25),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def test_check_gradients_passes_correct_layers_and_leaves_the_model_alone():
    x, y = _data(n=8)
    model = _model_with(Scale())
    before = model.get_weights()
    report = check_gradients(model, x, y)
    assert isinstance(report, GradientCheckReport)
    assert report.passed, str(report)
    assert report.worst_error < 1e-5
    assert set(report.worst_by_layer()) == {layer.name for layer in model.layers}
    weights = {(row.layer, row.weight) for row in report.rows}
    assert (model.layers[2].name, "scale") not in weights
    assert (model.layers[1].name, "scale") in weights
    # the user's model is untouched and still float32; floatx is restored
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
        assert b.dtype == np.float32
    assert keras.backend.floatx() == "float32"
    assert "PASSED" in str(report)


def test_check_gradients_catches_a_wrong_backward():
    x, y = _data(n=8)
    model = _model_with(Square(name="my_square"))
    report = check_gradients(model, x, y)
    assert not report.passed
    failing = {row.layer for row in report.failures()}
    assert "my_square" in failing
    assert report.worst_by_layer()["my_square"] > 0.1
    text = str(report)
    assert "FAIL" in text and "my_square" in text

    wrong_weight = check_gradients(_model_with(Scale(wrong=True, name="sc")), x, y)
    assert [(r.layer, r.weight) for r in wrong_weight.failures()] == [("sc", "scale")]


def test_check_gradients_on_a_layer_alone():
    x, _ = _data(n=5)
    assert not check_gradients(Square(), x).passed
    assert check_gradients(GoodSquare(), x).passed
    dense = keras.layers.Dense(4, activation="sigmoid")
    report = check_gradients(dense, x)
    assert report.passed
    assert [row.weight for row in report.rows] == ["input", "kernel", "bias"]
    assert not dense.built  # the check built a float64 copy, not the user's layer


def test_check_gradients_needs_a_loss():
    x, y = _data(n=4)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="loss"):
        check_gradients(model, x, y)
    assert check_gradients(model, x, np.ones((4, 3)), loss="mse").passed
