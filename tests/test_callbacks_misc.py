"""TerminateOnNaN, CSVLogger, LambdaCallback, BackupAndRestore."""

import json

import numpy as np
import pytest

import numkeras as K
from numkeras.callbacks.backup_and_restore import BackupAndRestore
from numkeras.callbacks.callback import CallbackList
from numkeras.callbacks.csv_logger import CSVLogger
from numkeras.callbacks.lambda_callback import LambdaCallback
from numkeras.callbacks.terminate_on_nan import TerminateOnNaN


def make_model():
    model = K.Sequential(
        [
            K.Input((4,)),
            K.layers.Dense(8, activation="relu"),
            K.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=K.optimizers.Adam(0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def data(n=40):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("int32")


# ----------------------------------------------------------------- TerminateOnNaN
def test_terminate_on_nan(capsys):
    model = make_model()
    cb = TerminateOnNaN()
    cbs = CallbackList([cb], model=model)
    assert cbs.wants("on_train_batch_end")
    cbs.on_train_batch_end(3, {"loss": 1.0})
    assert not model.stop_training
    cbs.on_train_batch_end(4, {"loss": float("inf")})
    assert model.stop_training
    assert capsys.readouterr().out == "Batch 4: Invalid loss, terminating training\n"
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 2"):
        TerminateOnNaN(raise_error=True).on_train_batch_end(2, {"loss": float("nan")})


def test_terminate_on_nan_stops_fit():
    model = make_model()
    x, y = data()
    calls = []

    def poison(batch, logs):
        calls.append(batch)
        if batch == 1:
            logs["loss"] = float("nan")

    history = model.fit(
        x,
        y,
        batch_size=8,
        epochs=3,
        verbose=0,
        callbacks=[LambdaCallback(on_train_batch_end=poison), TerminateOnNaN()],
    )
    assert calls == [0, 1] and len(history.epoch) == 1


# --------------------------------------------------------------------- CSVLogger
def test_csv_logger_with_validation(tmp_path):
    model = make_model()
    x, y = data()
    path = tmp_path / "log.csv"
    history = model.fit(
        x, y, epochs=2, validation_split=0.25, verbose=0, callbacks=[CSVLogger(path)]
    )
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,accuracy,loss,val_accuracy,val_loss"
    assert lines[1].split(",")[0] == "0" and lines[2].split(",")[0] == "1"
    assert float(lines[2].split(",")[2]) == pytest.approx(history.history["loss"][1])


def test_csv_logger_no_validation_append_and_separator(tmp_path):
    model = make_model()
    x, y = data()
    path = tmp_path / "log.tsv"
    model.fit(x, y, epochs=1, verbose=0, callbacks=[CSVLogger(path, separator="\t")])
    model.fit(
        x,
        y,
        epochs=2,
        verbose=0,
        callbacks=[CSVLogger(path, separator="\t", append=True)],
    )
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch\taccuracy\tloss\tval_accuracy\tval_loss"
    assert len(lines) == 4 and lines[1].endswith("\tNA\tNA")
    assert [ln.split("\t")[0] for ln in lines[1:]] == ["0", "0", "1"]


# ----------------------------------------------------------------- LambdaCallback
def test_lambda_callback_hooks_and_dispatch():
    events = []
    cb = LambdaCallback(
        on_epoch_end=lambda epoch, logs: events.append(("epoch_end", epoch)),
        on_train_begin=lambda logs: events.append("begin"),
        on_test_end=lambda logs: events.append("test_end"),
    )
    assert isinstance(cb, LambdaCallback)
    cbs = CallbackList([cb])
    assert not cbs.wants("on_train_batch_end")
    model = make_model()
    x, y = data()
    model.fit(x, y, epochs=2, validation_data=(x, y), verbose=0, callbacks=[cb])
    assert events == [
        "begin",
        "test_end",
        ("epoch_end", 0),
        "test_end",
        ("epoch_end", 1),
    ]
    batches = []
    cb = LambdaCallback(on_train_batch_end=lambda batch, logs: batches.append(batch))
    assert CallbackList([cb]).wants("on_train_batch_end")
    model.fit(x, y, epochs=1, batch_size=20, verbose=0, callbacks=[cb])
    assert batches == [0, 1]


# --------------------------------------------------------------- BackupAndRestore
class Crash(Exception):
    pass


def crash_at(epoch):
    def hook(e, logs):
        if e == epoch:
            raise Crash

    return LambdaCallback(on_epoch_end=hook)


def test_backup_saves_and_on_train_begin_restores(tmp_path):
    model = make_model()
    x, y = data()
    backup = BackupAndRestore(tmp_path / "backup")
    with pytest.raises(Crash):
        model.fit(
            x,
            y,
            epochs=5,
            batch_size=8,
            verbose=0,
            shuffle=False,
            callbacks=[backup, crash_at(1)],
        )
    saved = json.loads((tmp_path / "backup" / "training_metadata.json").read_text())
    assert saved == {"epoch": 2, "batch": 0}
    weights = model.get_weights()
    opt = [np.array(v) for v in model.optimizer.variables]
    fresh = make_model()
    fresh.fit(x, y, epochs=1, verbose=0)  # builds model and optimizer
    restore = BackupAndRestore(tmp_path / "backup")
    restore.set_model(fresh)
    restore.on_train_begin()
    assert fresh._initial_epoch == 2
    for a, b in zip(weights, fresh.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert int(fresh.optimizer.variables[0]) == int(opt[0]) == 10
    for a, b in zip(opt[1:], fresh.optimizer.variables[1:], strict=True):
        np.testing.assert_array_equal(a, b)
    restore.on_train_end()
    assert not (tmp_path / "backup").exists() and fresh._initial_epoch is None


def test_backup_double_checkpoint_falls_back(tmp_path):
    model = make_model()
    x, y = data()
    with pytest.raises(Crash):
        model.fit(
            x,
            y,
            epochs=5,
            verbose=0,
            callbacks=[
                BackupAndRestore(tmp_path / "b", double_checkpoint=True),
                crash_at(2),
            ],
        )
    (tmp_path / "b" / "latest.weights.h5").write_bytes(b"garbage")
    restore = BackupAndRestore(tmp_path / "b")
    restore.set_model(model)
    restore.on_train_begin()
    assert model._initial_epoch == 2  # from the .bkp pair


def test_backup_arguments():
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        BackupAndRestore("")
    with pytest.raises(ValueError, match="save_freq"):
        BackupAndRestore("d", save_freq="batch")


def test_backup_save_freq_batches(tmp_path):
    model = make_model()
    x, y = data()
    with pytest.raises(Crash):
        model.fit(
            x,
            y,
            epochs=3,
            batch_size=8,
            verbose=0,
            callbacks=[BackupAndRestore(tmp_path / "b", save_freq=3), crash_at(0)],
        )
    saved = json.loads((tmp_path / "b" / "training_metadata.json").read_text())
    assert saved == {"epoch": 0, "batch": 2}


def test_interrupted_fit_resumes_at_the_right_epoch(tmp_path):
    x, y = data()
    K.utils.set_random_seed(3)
    reference = make_model()
    start = reference.get_weights()
    reference.fit(x, y, epochs=4, batch_size=8, shuffle=False, verbose=0)
    model = make_model()
    model.set_weights(start)
    backup = BackupAndRestore(tmp_path / "b")
    with pytest.raises(Crash):
        model.fit(
            x,
            y,
            epochs=4,
            batch_size=8,
            shuffle=False,
            verbose=0,
            callbacks=[backup, crash_at(1)],
        )
    resumed = make_model()
    history = resumed.fit(
        x,
        y,
        epochs=4,
        batch_size=8,
        shuffle=False,
        verbose=0,
        callbacks=[BackupAndRestore(tmp_path / "b")],
    )
    assert history.epoch == [2, 3]
    for a, b in zip(reference.get_weights(), resumed.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
