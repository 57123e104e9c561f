"""ReduceLROnPlateau and LearningRateScheduler against traces of keras 3.15.1.

A minimal stand-in model (`.optimizer`, `.stop_training`, and the compiled
metrics in `._state.metrics` as MonitorCallback reads them) drives the
callbacks; the real Sequential model is not needed.
"""

from types import SimpleNamespace

import numpy as np
import pytest

from numkeras import optimizers
from numkeras.callbacks.callback import CallbackList
from numkeras.callbacks.history import History
from numkeras.callbacks.learning_rate_scheduler import LearningRateScheduler
from numkeras.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau


class StandInModel:
    def __init__(self, optimizer=None, metrics=None):
        self.optimizer = optimizer or optimizers.SGD(learning_rate=0.1)
        self.stop_training = False
        self._state = SimpleNamespace(metrics=metrics or [], weighted_metrics=[])


class Metric:
    def __init__(self, name, direction):
        self.name = name
        self._direction = direction


def run_plateau(values, monitor="val_loss", model=None, **kwargs):
    """Feed `values` as the monitored metric; return (logged lr, lr after) per epoch."""
    model = model or StandInModel()
    callback = ReduceLROnPlateau(monitor=monitor, **kwargs)
    callback.set_model(model)
    callback.on_train_begin()
    trace = []
    for epoch, value in enumerate(values):
        logs = {monitor: value}
        callback.on_epoch_end(epoch, logs)
        trace.append((logs["learning_rate"], model.optimizer.learning_rate))
    return trace


LR_01 = 0.10000000149011612  # float32(0.1), what keras reads back
LR_001 = 0.009999999776482582
LR_0001 = 0.0009999999310821295


def test_plateau_reduces_after_patience(capsys):
    trace = run_plateau([1.0] * 7, patience=2, verbose=1)
    assert trace == [
        (LR_01, LR_01),
        (LR_01, LR_01),
        (LR_01, LR_001),
        (LR_001, LR_001),
        (LR_001, LR_0001),
        (LR_0001, LR_0001),
        (LR_0001, 9.99999901978299e-05),
    ]
    assert capsys.readouterr().out == (
        "\nEpoch 3: ReduceLROnPlateau reducing learning rate to "
        "0.010000000149011612.\n"
        "\nEpoch 5: ReduceLROnPlateau reducing learning rate to "
        "0.0009999999776482583.\n"
        "\nEpoch 7: ReduceLROnPlateau reducing learning rate to "
        "9.999999310821295e-05.\n"
    )


def test_plateau_cooldown_and_min_lr(capsys):
    values = [1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99, 1.0, 1.0]
    trace = run_plateau(values, patience=1, cooldown=2, min_lr=0.0005, verbose=1)
    assert [after for _, after in trace] == [
        LR_01,
        LR_01,
        LR_001,
        LR_001,
        LR_0001,
        LR_0001,
        0.0005000000237487257,
        0.0005000000237487257,
        0.0005000000237487257,
    ]
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Epoch 7: ReduceLROnPlateau reducing learning rate to 0.0005."
    )


def test_plateau_min_lr_is_compared_in_float32(capsys):
    trace = run_plateau(
        [1.0, 0.5, 0.5, 0.5, 0.5],
        monitor="loss",
        patience=1,
        factor=0.5,
        min_lr=0.04,
        verbose=1,
    )
    assert [after for _, after in trace] == [
        LR_01,
        LR_01,
        0.05000000074505806,
        0.03999999910593033,
        0.03999999910593033,  # float32(0.04) is not > float32(0.04): no more steps
    ]
    assert capsys.readouterr().out.count("reducing") == 2


def test_plateau_min_delta():
    trace = run_plateau([1.0, 0.99995, 0.9999, 0.9998], patience=1, min_delta=1e-4)
    assert [after for _, after in trace] == [LR_01, LR_001, LR_0001, LR_0001]


def test_plateau_mode_max():
    trace = run_plateau(
        [0.5, 0.6, 0.6, 0.6], monitor="val_accuracy", mode="max", patience=1
    )
    assert [after for _, after in trace] == [LR_01, LR_01, LR_001, LR_0001]


def test_plateau_auto_mode_uses_the_metric_direction():
    up = StandInModel(metrics=[Metric("loss", "down"), Metric("accuracy", "up")])
    trace = run_plateau([0.5, 0.6, 0.6], monitor="val_accuracy", model=up, patience=1)
    assert [after for _, after in trace] == [LR_01, LR_01, LR_001]

    down = StandInModel(metrics=[Metric("mae", "down")])
    trace = run_plateau([0.5, 0.4, 0.45], monitor="val_mae", model=down, patience=1)
    assert trace[-1][1] == LR_001


def test_plateau_auto_mode_unknown_metric_raises():
    with pytest.raises(ValueError, match="mode='max'"):
        run_plateau([0.5], monitor="val_accuracy")


def test_plateau_argument_checks():
    with pytest.raises(ValueError, match="factor >= 1.0"):
        ReduceLROnPlateau(factor=1.0)
    with pytest.warns(UserWarning, match="unknown, fallback to auto"):
        callback = ReduceLROnPlateau(mode="sideways")
    assert callback.mode == "auto"
    assert ReduceLROnPlateau(min_delta=-0.5).min_delta == 0.5


def test_plateau_missing_monitor_warns_and_still_logs_lr():
    callback = ReduceLROnPlateau(monitor="val_loss")
    callback.set_model(StandInModel())
    logs = {"loss": 1.0}
    with pytest.warns(UserWarning, match="`val_loss` which is not available"):
        callback.on_epoch_end(0, logs)
    assert logs["learning_rate"] == LR_01


def test_plateau_on_train_begin_resets():
    model = StandInModel()
    callback = ReduceLROnPlateau(patience=1)
    callback.set_model(model)
    callback.on_epoch_end(0, {"val_loss": 0.1})
    callback.on_train_begin()
    callback.on_epoch_end(0, {"val_loss": 5.0})  # first value after a reset: best
    assert callback.best == 5.0 and callback.wait == 0


def test_plateau_with_a_schedule_raises_type_error():
    model = StandInModel(
        optimizers.SGD(optimizers.schedules.ExponentialDecay(0.1, 10, 0.5))
    )
    with pytest.raises(TypeError, match="not settable"):
        run_plateau([1.0, 1.0], model=model, patience=1)


def test_history_records_learning_rate_through_callback_list():
    model = StandInModel()
    history = History()
    callbacks = CallbackList([ReduceLROnPlateau(patience=1), history], model=model)
    callbacks.on_train_begin()
    for epoch, value in enumerate([1.0, 1.0, 1.0]):
        callbacks.on_epoch_end(epoch, {"loss": value, "val_loss": value})
    assert history.history["learning_rate"] == [LR_01, LR_01, LR_001]
    assert all(isinstance(v, float) for v in history.history["learning_rate"])


# --------------------------------------------------------------------------
def run_scheduler(schedule, epochs=3, **kwargs):
    model = StandInModel()
    callback = LearningRateScheduler(schedule, **kwargs)
    callback.set_model(model)
    logged = []
    for epoch in range(epochs):
        callback.on_epoch_begin(epoch)
        logs = {}
        callback.on_epoch_end(epoch, logs)
        logged.append(logs["learning_rate"])
    return logged


def test_scheduler_two_argument_schedule(capsys):
    logged = run_scheduler(lambda epoch, lr: lr * 0.5, verbose=1)
    assert logged == [0.05000000074505806, 0.02500000037252903, 0.012500000186264515]
    prefix = "\nEpoch {}: LearningRateScheduler setting learning rate to {}.\n"
    assert capsys.readouterr().out == "".join(
        prefix.format(epoch, lr) for epoch, lr in enumerate(logged, start=1)
    )


def test_scheduler_one_argument_schedule(capsys):
    logged = run_scheduler(lambda epoch: 0.1 / (epoch + 1), verbose=1)
    assert logged == [LR_01, 0.05000000074505806, 0.03333333507180214]
    out = capsys.readouterr().out
    assert (
        "Epoch 3: LearningRateScheduler setting learning rate to 0.03333333333333333."
        in out
    )


def test_scheduler_accepts_numpy_floats_and_rejects_others(capsys):
    assert run_scheduler(lambda e, lr: np.float32(0.3), epochs=1, verbose=1) == [
        0.30000001192092896
    ]
    assert "learning rate to 0.30000001192092896." in capsys.readouterr().out
    with pytest.raises(ValueError, match="should be a float. Got: 1"):
        run_scheduler(lambda e, lr: 1, epochs=1)


def test_scheduler_is_quiet_by_default(capsys):
    run_scheduler(lambda e, lr: lr, epochs=2)
    assert capsys.readouterr().out == ""
