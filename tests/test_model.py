"""Sequential models: building, training semantics, errors, fused == plain."""

import io
import re
from contextlib import redirect_stdout

import numpy as np
import pytest

import numkeras as keras
from numkeras import backend, layers
from numkeras.utils.gradient_check import compare


def blobs(n=240, d=8, classes=3, seed=0):
    """Separable Gaussian blobs: float32 x (n, d), int y (n,)."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((classes, d)) * 3
    y = rng.integers(0, classes, n)
    x = (centers[y] + rng.standard_normal((n, d))).astype(np.float32)
    return x, y


def mlp(d=8, classes=3, activation="softmax", **compile_kwargs):
    model = keras.Sequential(
        [
            keras.Input((d,)),
            layers.Dense(16, activation="relu"),
            layers.Dense(classes, activation=activation),
        ]
    )
    compile_kwargs.setdefault("optimizer", "adam")
    compile_kwargs.setdefault("loss", "sparse_categorical_crossentropy")
    model.compile(**compile_kwargs)
    return model


# ------------------------------------------------------------ construction
def test_input_shape_on_first_layer_inserts_an_input_layer():
    model = keras.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(2)])
    assert model.built and model.input_shape == (None, 3)
    assert model.output_shape == (None, 2)
    assert len(model.layers) == 2
    model = keras.Sequential([layers.Dense(4, input_dim=5)])
    assert model.input_shape == (None, 5)


def test_deferred_build_on_first_data():
    model = keras.Sequential([layers.Dense(4), layers.Dense(2)])
    assert not model.built
    out = model.predict(np.ones((3, 6), np.float32), verbose=0)
    assert out.shape == (3, 2) and model.built
    assert model.count_params() == 6 * 4 + 4 + 4 * 2 + 2


def test_add_and_pop():
    model = keras.Sequential()
    model.add(keras.Input((3,)))
    model.add(layers.Dense(4))
    model.add(layers.Dense(2))
    assert model.output_shape == (None, 2)
    popped = model.pop()
    assert isinstance(popped, layers.Dense) and model.output_shape == (None, 4)


def test_duplicate_names_and_non_layers_are_rejected():
    with pytest.raises(ValueError, match="unique names"):
        keras.Sequential([layers.Dense(2, name="a"), layers.Dense(2, name="a")])
    with pytest.raises(ValueError, match="Only instances"):
        keras.Sequential([np.ones(3)])


def test_layers_is_read_only():
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    with pytest.raises(AttributeError):
        model.layers = []


def test_get_set_weights_in_keras_order_and_shapes():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4), layers.Dense(2)])
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(3, 4), (4,), (4, 2), (2,)]
    new = [np.full(s, i, np.float32) for i, s in enumerate(shapes)]
    model.set_weights(new)
    for a, b in zip(model.get_weights(), new, strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="length 3"):
        model.set_weights(new[:3])
    with pytest.raises(ValueError, match="shape"):
        model.set_weights([np.zeros((4, 3))] + new[1:])


def test_summary_table():
    backend.clear_session()
    model = keras.Sequential(
        [keras.Input((784,)), layers.Dense(100, activation="relu"), layers.Dense(10)]
    )
    out = io.StringIO()
    model.summary(print_fn=out.write)
    text = out.getvalue()
    assert text.startswith('Model: "sequential"')
    assert "dense (Dense)" in text and "(None, 100)" in text and "78,500" in text
    assert " Total params: 79,510 (310.59 KB)" in text
    assert " Trainable params: 79,510 (310.59 KB)" in text
    assert " Non-trainable params: 0 (0.00 B)" in text


# ----------------------------------------------------------------- training
def test_fit_learns_and_history_has_keras_keys():
    x, y = blobs()
    model = mlp(metrics=["accuracy"], optimizer=keras.optimizers.Adam(0.01))
    history = model.fit(x, y, epochs=5, batch_size=16, validation_split=0.25, verbose=0)
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.epoch == [0, 1, 2, 3, 4]
    assert history.params == {"verbose": 0, "epochs": 5, "steps": 12}
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.9
    assert model.history is history


def test_bare_string_metric_is_accepted_like_tf_keras_2():
    x, y = blobs()
    model = mlp(metrics="accuracy")
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert 0 <= accuracy <= 1 and loss > 0


def test_evaluate_returns_scalar_list_or_dict():
    x, y = blobs()
    assert isinstance(mlp().evaluate(x, y, verbose=0), float)
    model = mlp(metrics=["accuracy"])
    result = model.evaluate(x, y, verbose=0)
    assert isinstance(result, list) and len(result) == 2
    as_dict = model.evaluate(x, y, verbose=0, return_dict=True)
    assert as_dict == {"accuracy": result[1], "loss": result[0]}


def test_epoch_loss_is_the_sample_weighted_mean_of_batch_losses():
    """With SGD(lr=0) the weights stay fixed, so the logged epoch loss must equal
    evaluate() on the same data, whatever the (partial) batch sizes."""
    x, y = blobs(n=50)
    model = mlp(optimizer=keras.optimizers.SGD(learning_rate=0.0))
    history = model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(
        model.evaluate(x, y, batch_size=50, verbose=0), rel=1e-5
    )


def test_validation_split_takes_the_tail_before_shuffling():
    x, y = blobs(n=100)
    model = mlp(optimizer=keras.optimizers.SGD(learning_rate=0.0))
    history = model.fit(x, y, validation_split=0.2, epochs=1, verbose=0)
    expected = model.evaluate(x[80:], y[80:], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(expected, rel=1e-5)


def test_initial_epoch_and_epochs_semantics():
    x, y = blobs()
    history = mlp().fit(x, y, epochs=4, initial_epoch=2, verbose=0)
    assert history.epoch == [2, 3]


def test_steps_per_epoch_continues_where_the_pass_stopped():
    x, y = blobs(n=64)
    model = mlp()
    seen = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)

    model.fit(
        x,
        y,
        batch_size=16,
        steps_per_epoch=3,
        epochs=2,
        shuffle=False,
        callbacks=[Record()],
        verbose=0,
    )
    assert seen == [0, 1, 2, 0, 1, 2]


def test_stop_training_is_honoured():
    x, y = blobs()

    class Stop(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    history = mlp().fit(x, y, epochs=10, callbacks=[Stop()], verbose=0)
    assert history.epoch == [0]


def test_sample_weight_and_class_weight_agree():
    x, y = blobs()
    class_weight = {0: 1.0, 1: 2.0, 2: 0.5}
    sample_weight = np.array([class_weight[c] for c in y], np.float32)
    a, b = mlp(), mlp()
    b.set_weights(a.get_weights())
    ha = a.fit(x, y, sample_weight=sample_weight, shuffle=False, epochs=2, verbose=0)
    hb = b.fit(x, y, class_weight=class_weight, shuffle=False, epochs=2, verbose=0)
    assert ha.history["loss"] == pytest.approx(hb.history["loss"], rel=1e-6)
    with pytest.raises(ValueError, match="both class_weight and sample_weight"):
        a.fit(x, y, sample_weight=sample_weight, class_weight=class_weight, verbose=0)


def test_set_random_seed_repeats_weights_and_training_bit_for_bit():
    x, y = blobs()
    runs = []
    for _ in range(2):
        keras.utils.set_random_seed(123)
        model = keras.Sequential(
            [
                keras.Input((8,)),
                layers.Dense(16, activation="relu"),
                layers.Dropout(0.3),
                layers.Dense(3, activation="softmax"),
            ]
        )
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        history = model.fit(x, y, epochs=2, verbose=0)
        runs.append((model.get_weights(), history.history["loss"]))
    for a, b in zip(runs[0][0], runs[1][0], strict=True):
        np.testing.assert_array_equal(a, b)
    assert runs[0][1] == runs[1][1]


def test_train_and_test_on_batch():
    x, y = blobs(n=32)
    model = mlp(metrics=["accuracy"])
    loss, accuracy = model.train_on_batch(x, y)
    assert loss > 0 and 0 <= accuracy <= 1
    logs = model.test_on_batch(x, y, return_dict=True)
    assert set(logs) == {"accuracy", "loss"}
    assert model.predict_on_batch(x).shape == (32, 3)


def test_int_and_float64_inputs_are_cast_to_float32_once():
    x, y = blobs()
    model = mlp()
    model.fit(x.astype(np.float64), y, epochs=1, verbose=0)
    assert model.predict(x.astype(np.float64), verbose=0).dtype == np.float32
    assert all(w.dtype == np.float32 for w in model.get_weights())


def test_lists_are_accepted():
    model = mlp(d=2, classes=2)
    model.fit([[0.0, 1.0], [1.0, 0.0]], [1, 0], verbose=0)


# ---------------------------------------------------------------- fused head
@pytest.mark.parametrize(
    "activation, loss, make_y",
    [
        ("softmax", "sparse_categorical_crossentropy", lambda y, c: y),
        ("softmax", "categorical_crossentropy", lambda y, c: np.eye(c)[y]),
        ("sigmoid", "binary_crossentropy", lambda y, c: np.eye(c)[y]),
    ],
)
def test_fused_head_equals_plain_chain(activation, loss, make_y, float64):
    x, y = blobs(n=20)
    x = x * 0.1  # keep probabilities far from the 1e-7 clip of the plain form
    y = make_y(y, 3)
    fused, plain = (
        mlp(activation=activation, loss=loss),
        mlp(activation=activation, loss=loss),
    )
    plain.fuse_loss_head = False
    plain.set_weights(fused.get_weights())
    for model in (fused, plain):
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss=loss)
        model.train_on_batch(x, y)
    assert fused._state.head is not None and plain._state.head is None
    for a, b in zip(fused.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_model_gradient_matches_finite_differences(float64):
    """The whole train step's gradient (with an L2 penalty and activity
    regularizer) against central differences of the evaluated loss."""
    x, y = blobs(n=12)
    model = keras.Sequential(
        [
            keras.Input((8,)),
            layers.Dense(
                5, activation="tanh", kernel_regularizer="l2", activity_regularizer="l1"
            ),
            layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=1.0),
        loss="sparse_categorical_crossentropy",
    )
    before = model.get_weights()
    model.train_on_batch(x, y)
    grads = [b - a for a, b in zip(model.get_weights(), before, strict=True)]
    model.set_weights(before)
    for weight, grad in zip(model.weights, grads, strict=True):
        error = compare(grad, weight, lambda: model.test_on_batch(x, y))
        assert error < 1e-6


# ------------------------------------------------------------------ errors
def test_use_before_compile_is_a_clear_error():
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    with pytest.raises(ValueError, match="compile"):
        model.fit(np.ones((4, 2)), np.ones(4), verbose=0)


def test_unknown_strings_list_the_valid_names():
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    with pytest.raises(ValueError, match="adamm"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="msee"):
        model.compile(optimizer="adam", loss="msee")


def test_input_width_mismatch():
    x, y = blobs()
    with pytest.raises(ValueError, match=re.escape("(5,)")):
        mlp().fit(x[:, :5], y, verbose=0)


def test_length_mismatch():
    x, y = blobs()
    with pytest.raises(ValueError, match="240.*239|239.*240"):
        mlp().fit(x, y[:-1], verbose=0)


def test_labels_out_of_range_for_sparse_crossentropy():
    x, y = blobs()
    y = y.copy()
    y[5] = 7
    with pytest.raises(ValueError, match="label value of 7"):
        mlp().fit(x, y, verbose=0)


def test_nan_in_inputs_says_how_many_and_where():
    x, y = blobs()
    x = x.copy()
    x[3, 2] = np.nan
    x[9, 0] = np.inf
    with pytest.raises(ValueError, match=r"2 non-finite values \(1 NaN, 1 inf\)"):
        mlp().fit(x, y, verbose=0)


def test_bad_fit_arguments():
    x, y = blobs()
    with pytest.raises(ValueError, match="batch_size"):
        mlp().fit(x, y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match="verbose"):
        mlp().fit(x, y, verbose=3)
    with pytest.raises(ValueError, match="validation_split"):
        mlp().fit(x, y, validation_split=1.5, verbose=0)


def test_object_arrays_are_rejected():
    model = mlp(d=1, classes=2)
    with pytest.raises(TypeError, match="numeric"):
        model.fit(np.array([["a"], ["b"]], dtype=object), [0, 1], verbose=0)


# ----------------------------------------------------------------- progbar
def test_progress_bar_in_logs_has_no_escape_codes():
    x, y = blobs()
    out = io.StringIO()
    with redirect_stdout(out):
        mlp(metrics=["accuracy"]).fit(x, y, epochs=2, verbose=1)
    text = out.getvalue()
    assert "\x1b" not in text and "\b" not in text and "\r" not in text
    lines = text.splitlines()
    assert lines[0] == "Epoch 1/2"
    assert re.fullmatch(
        r"8/8 ━{20} \d+s \d+[mu]?s/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}",
        lines[1],
    ), lines[1]
    assert len(lines) == 4


def test_verbose_2_prints_one_line_per_epoch():
    x, y = blobs()
    out = io.StringIO()
    with redirect_stdout(out):
        mlp().fit(x, y, epochs=2, verbose=2)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Epoch 1/2"
    assert re.fullmatch(r"8/8 - \d+s - \d+[mu]?s/step - loss: \d\.\d{4}", lines[1])


def test_single_epoch_prints_no_epoch_line():
    x, y = blobs()
    out = io.StringIO()
    with redirect_stdout(out):
        mlp().fit(x, y, epochs=1, verbose=1)
    assert not out.getvalue().startswith("Epoch")


KERAS_SUMMARY = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 100)            │        78,500 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dropout (Dropout)               │ (None, 100)            │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 10)             │         1,010 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 79,510 (310.59 KB)
 Trainable params: 79,510 (310.59 KB)
 Non-trainable params: 0 (0.00 B)
"""


def test_summary_is_character_for_character_keras():
    """The text Keras 3.15.1 prints for this model in an 80-column console."""
    backend.clear_session()
    model = keras.Sequential(
        [
            keras.Input((784,)),
            layers.Dense(100, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(10, activation="softmax"),
        ]
    )
    out = io.StringIO()
    model.summary(line_length=76, print_fn=out.write)
    assert out.getvalue() == KERAS_SUMMARY
