"""Learning-rate schedules (`keras.optimizers.schedules`).

A schedule is called with the optimizer's step (`iterations` before the
increment, so the first step uses `schedule(0)`) and returns the learning rate
as a Python float. Like Keras, which computes on a float32 tensor, the
arithmetic runs in floatx() scalars (np.float32 by default), so the values
are Keras's float32 values, e.g. ExponentialDecay(0.1, 10, 0.5)(5) is
0.07071067... rounded to float32.
"""

import math

import numpy as np

from .. import backend
from ..saving import serialization_lib


def _dtype():
    return np.dtype(backend.floatx()).type


def _check_decay_steps(name, value):
    if not value > 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class LearningRateSchedule:
    """Base class: implement `__call__(step)` and `get_config()`."""

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override "
            "`__call__(self, step)`."
        )

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override "
            "`get_config()` in order to be serializable."
        )

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """lr0 * decay_rate ** (step / decay_steps); the exponent is floored if
    staircase."""

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        decay_rate,
        staircase=False,
        name="ExponentialDecay",
    ):
        _check_decay_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        dt = _dtype()
        p = dt(step) / dt(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return float(dt(self.initial_learning_rate) * np.power(dt(self.decay_rate), p))

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] while step <= boundaries[0], values[i] while
    boundaries[i-1] < step <= boundaries[i], values[-1] after the last."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of "
                f"values. Received: boundaries={boundaries} of length "
                f"{len(boundaries)}, and values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        index = len(self.boundaries)
        for i, boundary in enumerate(self.boundaries):
            if step <= boundary:
                index = i
                break
        return float(_dtype()(self.values[index]))

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """(lr0 - end) * (1 - step / decay_steps) ** power + end, with step capped
    at decay_steps; with cycle, decay_steps grows to the next multiple."""

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        end_learning_rate=0.0001,
        power=1.0,
        cycle=False,
        name="PolynomialDecay",
    ):
        _check_decay_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        dt = _dtype()
        lr0, end = dt(self.initial_learning_rate), dt(self.end_learning_rate)
        step, decay_steps = dt(step), dt(self.decay_steps)
        if self.cycle:
            multiplier = dt(1) if step == 0 else np.ceil(step / decay_steps)
            decay_steps = decay_steps * multiplier
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        return float((lr0 - end) * np.power(dt(1) - p, dt(self.power)) + end)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(LearningRateSchedule):
    """lr0 / (1 + decay_rate * step / decay_steps); the ratio is floored if
    staircase."""

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        decay_rate,
        staircase=False,
        name="InverseTimeDecay",
    ):
        _check_decay_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        dt = _dtype()
        p = dt(step) / dt(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        denom = dt(1) + dt(self.decay_rate) * p
        return float(dt(self.initial_learning_rate) / denom)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class CosineDecay(LearningRateSchedule):
    """Cosine decay from lr0 (or from warmup_target after a linear warmup of
    warmup_steps) to alpha times that value over decay_steps:

        lr * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) /
        decay_steps)) + alpha)
    """

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        alpha=0.0,
        name="CosineDecay",
        warmup_target=None,
        warmup_steps=0,
    ):
        _check_decay_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target

    def _decay(self, step, decay_steps, decay_from):
        dt = _dtype()
        fraction = step / decay_steps
        cosine = dt(0.5) * (dt(1) + np.cos(dt(math.pi) * fraction))
        return decay_from * (dt(1 - self.alpha) * cosine + dt(self.alpha))

    def __call__(self, step):
        dt = _dtype()
        lr0, decay_steps, step = (
            dt(self.initial_learning_rate),
            dt(self.decay_steps),
            dt(step),
        )
        if self.warmup_target is None:
            return float(self._decay(min(step, decay_steps), decay_steps, lr0))
        target, warmup_steps = dt(self.warmup_target), dt(self.warmup_steps)
        step = min(step, decay_steps + warmup_steps)
        if step < warmup_steps:
            return float((target - lr0) * (step / warmup_steps) + lr0)
        return float(self._decay(step - warmup_steps, decay_steps, target))

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): period i lasts
    first_decay_steps * t_mul**i steps and starts at lr0 * m_mul**i."""

    def __init__(
        self,
        initial_learning_rate,
        first_decay_steps,
        t_mul=2.0,
        m_mul=1.0,
        alpha=0.0,
        name="SGDRDecay",
    ):
        _check_decay_steps("first_decay_steps", first_decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self.t_mul = t_mul
        self.m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        dt = _dtype()
        one, t_mul, alpha = dt(1), dt(self.t_mul), dt(self.alpha)
        fraction = dt(step) / dt(self.first_decay_steps)
        if t_mul == 1:
            i_restart = np.floor(fraction)
            fraction = fraction - i_restart
        else:
            i_restart = np.floor(np.log(one - fraction * (one - t_mul)) / np.log(t_mul))
            sum_r = (one - np.power(t_mul, i_restart)) / (one - t_mul)
            fraction = (fraction - sum_r) / np.power(t_mul, i_restart)
        m_factor = np.power(dt(self.m_mul), i_restart)
        cosine = dt(0.5) * m_factor * (one + np.cos(dt(math.pi) * fraction))
        decayed = (one - alpha) * cosine + alpha
        return float(dt(self.initial_learning_rate) * decayed)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self.t_mul,
            "m_mul": self.m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


ALL_OBJECTS = {
    cls.__name__: cls
    for cls in (
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
}


def serialize(learning_rate_schedule):
    """Keras's dict: {"module": "keras.optimizers.schedules", "class_name", ...}."""
    return serialization_lib.serialize(
        learning_rate_schedule, "keras.optimizers.schedules"
    )


def deserialize(config, custom_objects=None):
    """Build a schedule from its Keras dict (allow-list: the classes above)."""
    return serialization_lib.deserialize(
        config, ALL_OBJECTS, "learning rate schedule", custom_objects
    )
