"""EarlyStopping and ModelCheckpoint: Keras 3 semantics, messages, History."""

import numpy as np
import pytest

import numkeras as K
from numkeras.callbacks.early_stopping import EarlyStopping
from numkeras.callbacks.model_checkpoint import ModelCheckpoint
from numkeras.saving import load_model


def make_model(metrics=("accuracy",)):
    model = K.Sequential(
        [
            K.Input((4,)),
            K.layers.Dense(8, activation="relu"),
            K.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=K.optimizers.SGD(0.05),
        loss="sparse_categorical_crossentropy",
        metrics=list(metrics),
    )
    return model


def data(n=40):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("int32")


def drive(cb, model, values, key="val_loss"):
    """Feed a sequence of monitored values; returns the epochs actually run."""
    cb.set_model(model)
    model.stop_training = False
    cb.on_train_begin()
    ran = []
    for epoch, value in enumerate(values):
        model.set_weights([np.full_like(w, epoch) for w in model.get_weights()])
        ran.append(epoch)
        cb.on_epoch_end(epoch, {key: value})
        if model.stop_training:
            break
    cb.on_train_end()
    return ran


# ---------------------------------------------------------------- EarlyStopping
def test_patience_and_min_delta():
    model = make_model()
    assert drive(EarlyStopping(patience=2), model, [5, 4, 4.5, 4.2, 1]) == [0, 1, 2, 3]
    cb = EarlyStopping(patience=1, min_delta=0.5)
    assert drive(cb, model, [5, 4.8, 4.7]) == [0, 1]  # 4.8 is not 0.5 better
    assert cb.stopped_epoch == 1 and cb.best == 5


def test_never_stops_at_epoch_zero_and_patience_zero():
    model = make_model()
    assert drive(EarlyStopping(patience=0), model, [1, 2, 3]) == [0, 1]


def test_baseline_must_be_beaten_to_reset_wait():
    model = make_model()
    cb = EarlyStopping(patience=2, baseline=0.5)
    assert drive(cb, model, [3, 2, 2.5, 1]) == [0, 1, 2]  # wait never reset
    cb = EarlyStopping(patience=2)
    assert drive(cb, model, [3, 2, 2.5, 1]) == [0, 1, 2, 3]


def test_restore_best_weights_always_restores_and_prints(capsys):
    model = make_model()
    cb = EarlyStopping(patience=5, restore_best_weights=True, verbose=1)
    drive(cb, model, [3, 1, 2])  # runs to the end without stopping
    assert all(np.all(w == 1) for w in model.get_weights())
    assert capsys.readouterr().out == (
        "Restoring model weights from the end of the best epoch: 2.\n"
    )
    cb = EarlyStopping(patience=1, restore_best_weights=True, verbose=1)
    drive(cb, model, [3, 1, 2, 2])
    assert capsys.readouterr().out == (
        "Epoch 3: early stopping\n"
        "Restoring model weights from the end of the best epoch: 2.\n"
    )


def test_start_from_epoch():
    model = make_model()
    cb = EarlyStopping(patience=0, start_from_epoch=2)
    assert drive(cb, model, [1, 2, 3, 4]) == [0, 1, 2, 3]


def test_auto_mode_uses_metric_direction_after_first_batch():
    model = make_model(metrics=["accuracy", "sparse_categorical_crossentropy"])
    x, y = data()
    cb_acc = EarlyStopping(monitor="val_accuracy", patience=0)
    cb_mse = EarlyStopping(monitor="sparse_categorical_crossentropy", patience=9)
    model.fit(
        x, y, epochs=1, validation_data=(x, y), callbacks=[cb_acc, cb_mse], verbose=0
    )
    assert cb_acc.monitor_op is np.greater and cb_mse.monitor_op is np.less
    cb = EarlyStopping(monitor="val_loss")
    drive(cb, make_model(metrics=()), [1.0])
    assert cb.monitor_op is np.less


def test_auto_mode_undeterminable_raises():
    def my_metric(y_true, y_pred):
        return np.mean(y_pred, axis=-1)

    model = make_model(metrics=[my_metric])
    x, y = data()
    cb = EarlyStopping(monitor="my_metric")
    with pytest.raises(ValueError, match="isn't able to automatically determine"):
        model.fit(x, y, epochs=2, callbacks=[cb], verbose=0)
    cb = EarlyStopping(monitor="my_metric", mode="max")
    model.fit(x, y, epochs=1, callbacks=[cb], verbose=0)


def test_unknown_mode_and_missing_metric_warn():
    with pytest.warns(UserWarning, match="mode 'bigger' is unknown"):
        cb = EarlyStopping(mode="bigger")
    assert cb.mode == "auto"
    with pytest.warns(UserWarning, match="Available metrics are: loss"):
        drive(EarlyStopping(monitor="val_loss"), make_model(), [1.0], key="loss")


def test_fit_stops_and_history_is_shorter():
    model = make_model()
    x, y = data()
    cb = EarlyStopping(monitor="loss", mode="max", patience=1)  # loss goes down
    history = model.fit(x, y, epochs=20, callbacks=[cb], verbose=0)
    assert len(history.history["loss"]) == 2 == len(history.epoch)
    assert cb.stopped_epoch == 1


# -------------------------------------------------------------- ModelCheckpoint
def test_template_and_save_best_only_messages(tmp_path, capsys):
    model = make_model()
    path = str(tmp_path / "ck-{epoch:02d}-{val_loss:.2f}.keras")
    cb = ModelCheckpoint(path, save_best_only=True, verbose=1)
    drive(cb, model, [0.5, 0.7, 0.25])
    out = capsys.readouterr().out
    p1, p3 = tmp_path / "ck-01-0.50.keras", tmp_path / "ck-03-0.25.keras"
    assert out == (
        f"\nEpoch 1: val_loss improved from None to 0.50000, saving model to {p1}\n"
        f"\nEpoch 1: finished saving model to {p1}\n"
        "\nEpoch 2: val_loss did not improve from 0.50000\n"
        f"\nEpoch 3: val_loss improved from 0.50000 to 0.25000, saving model to {p3}\n"
        f"\nEpoch 3: finished saving model to {p3}\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [p1.name, p3.name]
    assert np.all(load_model(p3).get_weights()[0] == 2)


def test_save_every_epoch_message(tmp_path, capsys):
    model = make_model()
    path = tmp_path / "m.keras"
    drive(ModelCheckpoint(path, verbose=1), model, [1.0])
    assert capsys.readouterr().out == (
        f"\nEpoch 1: saving model to {path}\n"
        f"\nEpoch 1: finished saving model to {path}\n"
    )


def test_initial_value_threshold_and_mode(tmp_path):
    model = make_model()
    path = tmp_path / "m.keras"
    cb = ModelCheckpoint(
        path,
        monitor="val_acc",
        mode="max",
        save_best_only=True,
        initial_value_threshold=0.9,
    )
    drive(cb, model, [0.5, 0.8], key="val_acc")
    assert not path.exists()
    drive(cb, model, [0.95], key="val_acc")
    assert path.exists() and cb.best == 0.95


@pytest.mark.parametrize("name", ["w.weights.h5", "FMbest.hdf5", "best.h5"])
def test_weights_only_accepts_tf_keras_2_names(tmp_path, name):
    model = make_model()
    cb = ModelCheckpoint(tmp_path / name, save_weights_only=True, options=None)
    drive(cb, model, [1.0, 0.5])
    other = make_model()
    other.load_weights(tmp_path / name)
    assert np.all(other.get_weights()[0] == 1)


def test_full_model_h5(tmp_path):
    model = make_model()
    drive(ModelCheckpoint(tmp_path / "m.h5"), model, [1.0])
    assert np.all(load_model(tmp_path / "m.h5").get_weights()[0] == 0)


def test_suffix_and_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        ModelCheckpoint(tmp_path / "w.keras", save_weights_only=True)
    with pytest.raises(
        ValueError, match=r"must end in `.keras` \(Keras model format\)"
    ):
        ModelCheckpoint(tmp_path / "w.ckpt")
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        ModelCheckpoint(tmp_path / "w.keras", save_freq="batch")
    cb = ModelCheckpoint(str(tmp_path / "{missing}.keras"))
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        drive(cb, make_model(), [1.0])
    (tmp_path / "d.keras").mkdir()
    with pytest.raises(OSError, match="existing directory"):
        drive(ModelCheckpoint(tmp_path / "d.keras"), make_model(), [1.0])


def test_save_freq_batches_counts_across_epochs(tmp_path):
    model = make_model()
    x, y = data(40)  # 5 batches of 8 per epoch
    path = str(tmp_path / "e{epoch}-b{batch}.weights.h5")
    cb = ModelCheckpoint(path, save_weights_only=True, save_freq=3)
    model.fit(x, y, batch_size=8, epochs=2, callbacks=[cb], verbose=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "e1-b3.weights.h5",
        "e2-b1.weights.h5",
        "e2-b4.weights.h5",
    ]


def test_missing_monitor_saves_anyway_with_warning(tmp_path):
    cb = ModelCheckpoint(tmp_path / "m.keras", save_best_only=True)
    with pytest.warns(UserWarning, match="Can save best model only with val_loss"):
        drive(cb, make_model(), [1.0], key="loss")
    assert (tmp_path / "m.keras").exists()


def test_fit_with_checkpoint_and_missing_parent(tmp_path):
    model = make_model()
    x, y = data()
    path = tmp_path / "sub" / "dir" / "best.keras"
    model.fit(
        x,
        y,
        epochs=2,
        validation_split=0.25,
        verbose=0,
        callbacks=[ModelCheckpoint(path, save_best_only=True)],
    )
    assert path.exists()
    assert load_model(path).predict(x[:2], verbose=0).shape == (2, 2)
