"""Learning-rate schedules: keras 3.15.1's float32 values, formulas, configs."""

import math

import numpy as np
import pytest

from numkeras.optimizers import schedules

# schedule(step) from real keras 3.15.1 (JAX, CPU), float32 rounded to Python floats.
KERAS_SCHEDULES = [
    (
        "ExponentialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
        [0, 5, 10, 15],
        [
            0.10000000149011612,
            0.0707106813788414,
            0.05000000074505806,
            0.0353553406894207,
        ],
    ),
    (
        "ExponentialDecay",
        {
            "initial_learning_rate": 0.1,
            "decay_steps": 10,
            "decay_rate": 0.5,
            "staircase": True,
        },
        [0, 5, 10, 15],
        [
            0.10000000149011612,
            0.10000000149011612,
            0.05000000074505806,
            0.05000000074505806,
        ],
    ),
    (
        "PiecewiseConstantDecay",
        {"boundaries": [10, 20], "values": [1.0, 0.5, 0.1]},
        [0, 10, 11, 20, 21],
        [1.0, 1.0, 0.5, 0.5, 0.10000000149011612],
    ),
    (
        "InverseTimeDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
        [0, 5, 10, 25],
        [
            0.10000000149011612,
            0.07999999821186066,
            0.06666667014360428,
            0.04444444552063942,
        ],
    ),
    (
        "InverseTimeDecay",
        {
            "initial_learning_rate": 0.1,
            "decay_steps": 10,
            "decay_rate": 0.5,
            "staircase": True,
        },
        [0, 5, 10, 25],
        [
            0.10000000149011612,
            0.10000000149011612,
            0.06666667014360428,
            0.05000000074505806,
        ],
    ),
    (
        "PolynomialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 10},
        [0, 5, 10, 20],
        [
            0.10000000149011612,
            0.050050001591444016,
            9.999999747378752e-05,
            9.999999747378752e-05,
        ],
    ),
    (
        "PolynomialDecay",
        {
            "initial_learning_rate": 0.1,
            "decay_steps": 10,
            "end_learning_rate": 0.01,
            "power": 0.5,
            "cycle": True,
        },
        [0, 5, 10, 15, 20, 25],
        [
            0.10000000149011612,
            0.07363960891962051,
            0.009999999776482582,
            0.054999999701976776,
            0.009999999776482582,
            0.04674234986305237,
        ],
    ),
    (
        "CosineDecay",
        {"initial_learning_rate": 1.0, "decay_steps": 10},
        [0, 5, 10, 20],
        [1.0, 0.4999999701976776, 0.0, 0.0],
    ),
    (
        "CosineDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 10, "alpha": 0.1},
        [0, 3, 10, 20],
        [
            0.10000000149011612,
            0.08145033568143845,
            0.010000000707805157,
            0.010000000707805157,
        ],
    ),
    (
        "CosineDecay",
        {
            "initial_learning_rate": 0.0,
            "decay_steps": 10,
            "warmup_target": 0.1,
            "warmup_steps": 5,
        },
        [0, 2, 5, 10, 15, 30],
        [0.0, 0.04000000283122063, 0.10000000149011612, 0.04999999701976776, 0.0, 0.0],
    ),
    (
        "CosineDecayRestarts",
        {"initial_learning_rate": 0.1, "first_decay_steps": 10},
        [0, 5, 10, 15, 30, 31, 70],
        [
            0.10000000149011612,
            0.04999999701976776,
            0.10000000149011612,
            0.08535534143447876,
            0.10000000149011612,
            0.09984587132930756,
            0.10000000149011612,
        ],
    ),
    (
        "CosineDecayRestarts",
        {
            "initial_learning_rate": 0.1,
            "first_decay_steps": 10,
            "t_mul": 1.0,
            "m_mul": 0.5,
            "alpha": 0.1,
        },
        [0, 5, 10, 15, 25],
        [
            0.10000000149011612,
            0.05499999597668648,
            0.055000003427267075,
            0.032499998807907104,
            0.021250000223517418,
        ],
    ),
]


@pytest.mark.parametrize("cls_name, kwargs, steps, expected", KERAS_SCHEDULES)
def test_values_match_keras(cls_name, kwargs, steps, expected):
    schedule = getattr(schedules, cls_name)(**kwargs)
    values = [schedule(step) for step in steps]
    assert all(isinstance(v, float) for v in values)
    np.testing.assert_array_max_ulp(
        np.array(values, "float32"), np.array(expected, "float32"), maxulp=1
    )


def test_verified_numbers_from_the_reference():
    """KERAS_REFERENCE.md section 6.3, the [verified] values."""
    decay = schedules.ExponentialDecay(0.1, 10, 0.5)
    np.testing.assert_allclose(
        [decay(0), decay(5), decay(10)], [0.1, 0.0707, 0.05], rtol=1e-3
    )
    piecewise = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert (piecewise(10), piecewise(11)) == (1.0, 0.5)
    cosine = schedules.CosineDecay(1, 10)
    assert cosine(5) == pytest.approx(0.5) and cosine(20) == 0.0


@pytest.mark.parametrize("step", [0, 1, 7, 10, 13, 40])
def test_formulas_in_float64(float64, step):
    """With floatx float64 the schedules are the plain formulas."""
    s = step
    cases = [
        (schedules.ExponentialDecay(0.1, 10, 0.5), 0.1 * 0.5 ** (s / 10)),
        (
            schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True),
            0.1 * 0.5 ** math.floor(s / 10),
        ),
        (schedules.InverseTimeDecay(0.1, 4, 0.5), 0.1 / (1 + 0.5 * s / 4)),
        (
            schedules.InverseTimeDecay(0.1, 4, 0.5, staircase=True),
            0.1 / (1 + 0.5 * math.floor(s / 4)),
        ),
        (
            schedules.PolynomialDecay(0.1, 10, 0.01, power=2.0),
            (0.1 - 0.01) * (1 - min(s, 10) / 10) ** 2 + 0.01,
        ),
        (
            schedules.PolynomialDecay(0.1, 10, 0.01, cycle=True),
            (0.1 - 0.01) * (1 - s / (10 * max(1, math.ceil(s / 10)))) + 0.01,
        ),
        (
            schedules.CosineDecay(0.1, 10, alpha=0.2),
            0.1 * (0.8 * 0.5 * (1 + math.cos(math.pi * min(s, 10) / 10)) + 0.2),
        ),
    ]
    for schedule, expected in cases:
        assert schedule(step) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_cosine_decay_warmup(float64):
    schedule = schedules.CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=4)
    assert [schedule(s) for s in (0, 1, 2, 4)] == pytest.approx([0, 0.25, 0.5, 1.0])
    assert schedule(9) == pytest.approx(0.5)  # halfway through the decay
    assert schedule(14) == pytest.approx(0.0) and schedule(100) == pytest.approx(0.0)


def test_cosine_decay_restarts_periods(float64):
    schedule = schedules.CosineDecayRestarts(1.0, 10, t_mul=2.0, m_mul=0.5)
    # periods [0, 10), [10, 30), [30, 70); each restart halves the peak
    assert schedule(0) == pytest.approx(1.0)
    assert schedule(5) == pytest.approx(0.5)
    assert schedule(10) == pytest.approx(0.5)
    assert schedule(20) == pytest.approx(0.25)
    assert schedule(30) == pytest.approx(0.25)


def test_piecewise_constant_boundaries_are_inclusive_on_the_left():
    schedule = schedules.PiecewiseConstantDecay([1, 3], [0.5, 0.25, 0.125])
    assert [schedule(s) for s in range(5)] == [0.5, 0.5, 0.25, 0.25, 0.125]


@pytest.mark.parametrize(
    "factory, match",
    [
        (lambda: schedules.ExponentialDecay(0.1, 0, 0.5), "decay_steps"),
        (lambda: schedules.InverseTimeDecay(0.1, -1, 0.5), "decay_steps"),
        (lambda: schedules.PolynomialDecay(0.1, 0), "decay_steps"),
        (lambda: schedules.CosineDecay(0.1, 0), "decay_steps"),
        (lambda: schedules.CosineDecayRestarts(0.1, 0), "first_decay_steps"),
        (lambda: schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2]), "length"),
    ],
)
def test_invalid_arguments(factory, match):
    with pytest.raises(ValueError, match=match):
        factory()


@pytest.mark.parametrize("cls_name, kwargs, steps, expected", KERAS_SCHEDULES)
def test_serialize_round_trip(cls_name, kwargs, steps, expected):
    schedule = getattr(schedules, cls_name)(**kwargs)
    data = schedules.serialize(schedule)
    assert data["module"] == "keras.optimizers.schedules"
    assert data["class_name"] == cls_name
    again = schedules.deserialize(data)
    assert type(again) is type(schedule)
    assert again.get_config() == schedule.get_config()
    assert [again(s) for s in steps] == [schedule(s) for s in steps]


def test_config_keys_and_default_names():
    assert schedules.ExponentialDecay(0.1, 10, 0.5).get_config() == {
        "initial_learning_rate": 0.1,
        "decay_steps": 10,
        "decay_rate": 0.5,
        "staircase": False,
        "name": "ExponentialDecay",
    }
    assert schedules.PiecewiseConstantDecay([1], [1.0, 0.5]).name == "PiecewiseConstant"
    assert schedules.CosineDecayRestarts(0.1, 10).get_config()["name"] == "SGDRDecay"
    assert set(schedules.CosineDecayRestarts(0.1, 10).get_config()) == {
        "initial_learning_rate",
        "first_decay_steps",
        "t_mul",
        "m_mul",
        "alpha",
        "name",
    }


def test_deserialize_uses_the_allow_list_only():
    with pytest.raises(ValueError, match="ExponentialDecay"):
        schedules.deserialize({"class_name": "os.system", "config": {}})

    class Halving(schedules.LearningRateSchedule):
        def __init__(self, initial):
            self.initial = initial

        def __call__(self, step):
            return self.initial / 2**step

        def get_config(self):
            return {"initial": self.initial}

    data = schedules.serialize(Halving(1.0))
    again = schedules.deserialize(data, custom_objects={"Halving": Halving})
    assert again(3) == 0.125


def test_base_class_must_be_overridden():
    with pytest.raises(NotImplementedError):
        schedules.LearningRateSchedule()(0)
    with pytest.raises(NotImplementedError):
        schedules.LearningRateSchedule().get_config()
