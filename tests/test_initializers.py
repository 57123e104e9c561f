import math

import numpy as np
import pytest

from numkeras import backend, initializers
from numkeras import random as nk_random
from numkeras.initializers import compute_fans

RANDOM_CLASSES = [
    initializers.RandomNormal,
    initializers.RandomUniform,
    initializers.TruncatedNormal,
    initializers.VarianceScaling,
    initializers.GlorotUniform,
    initializers.GlorotNormal,
    initializers.HeNormal,
    initializers.HeUniform,
    initializers.LecunNormal,
    initializers.LecunUniform,
    initializers.Orthogonal,
]


def test_constant_initializers():
    assert (initializers.Zeros()((2, 3)) == 0).all()
    assert (initializers.Ones()((2, 3)) == 1).all()
    value = initializers.Constant(2.5)((4,))
    np.testing.assert_array_equal(value, [2.5] * 4)
    assert value.dtype == np.float32
    assert initializers.Constant()((2,)).tolist() == [0.0, 0.0]
    array = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(initializers.Constant(array)((2, 3)), array)
    with pytest.raises(ValueError, match="shape"):
        initializers.Constant(array)((3, 2))


def test_dtype_defaults_to_floatx_and_can_be_given(float64):
    for init in [initializers.Zeros(), initializers.GlorotUniform(seed=1)]:
        assert init((3, 4)).dtype == np.float64
        assert init((3, 4), dtype="float32").dtype == np.float32
    backend.set_floatx("float32")
    assert initializers.HeNormal(seed=1)((3, 4)).dtype == np.float32


@pytest.mark.parametrize(
    "shape, fans",
    [
        ((), (1, 1)),
        ((7,), (7, 7)),
        ((3, 5), (3, 5)),
        ((3, 3, 4, 8), (36, 72)),
        ((2, 3, 5, 6, 7), (180, 210)),
    ],
)
def test_compute_fans(shape, fans):
    assert compute_fans(shape) == fans


def test_compute_fans_with_axes():
    # (heads, in, out) with the in/out axes named: the rest is "receptive".
    assert compute_fans((4, 6, 10), input_axes=[1], output_axes=[2]) == (24, 40)
    assert compute_fans((6, 10), input_axes=[0], output_axes=[-1]) == (6, 10)


def test_random_normal_and_uniform_statistics():
    x = initializers.RandomNormal(mean=1.0, stddev=2.0, seed=0)((400, 500))
    assert abs(x.mean() - 1.0) < 0.02 and abs(x.std() - 2.0) < 0.02
    u = initializers.RandomUniform(minval=-1.0, maxval=3.0, seed=0)((400, 500))
    assert u.min() >= -1.0 and u.max() < 3.0
    assert abs(u.mean() - 1.0) < 0.02 and abs(u.std() - 4 / math.sqrt(12)) < 0.02
    default = initializers.RandomUniform(seed=0)((1000,))
    assert default.min() >= -0.05 and default.max() < 0.05


def test_truncated_normal_bounds_and_std():
    x = initializers.TruncatedNormal(mean=0.5, stddev=0.1, seed=0)((400, 500))
    x = x.astype(np.float64)
    assert x.min() >= 0.5 - 0.2 - 1e-6 and x.max() <= 0.5 + 0.2 + 1e-6
    assert abs(x.mean() - 0.5) < 0.002
    assert abs(x.std() - 0.1 * 0.87962566103423978) < 0.002


@pytest.mark.parametrize(
    "cls, shape, expected_std, limit",
    [
        (
            initializers.GlorotUniform,
            (300, 500),
            math.sqrt(2 / 800),
            math.sqrt(6 / 800),
        ),
        (initializers.HeUniform, (300, 500), math.sqrt(2 / 300), math.sqrt(6 / 300)),
        (initializers.LecunUniform, (300, 500), math.sqrt(1 / 300), math.sqrt(3 / 300)),
        (initializers.GlorotNormal, (300, 500), math.sqrt(2 / 800), None),
        (initializers.HeNormal, (300, 500), math.sqrt(2 / 300), None),
        (initializers.LecunNormal, (300, 500), math.sqrt(1 / 300), None),
        (initializers.HeNormal, (3, 3, 20, 40), math.sqrt(2 / 180), None),
    ],
)
def test_variance_scaling_presets(cls, shape, expected_std, limit):
    x = cls(seed=3)(shape).astype(np.float64)
    assert abs(x.mean()) < 0.01 * expected_std * 10
    assert abs(x.std() / expected_std - 1) < 0.02
    if limit is not None:
        assert np.abs(x).max() <= limit
    else:  # truncated at 2 stddev of the underlying normal
        assert np.abs(x).max() <= 2 * expected_std / 0.87962566103423978 + 1e-6


def test_variance_scaling_modes_and_distributions():
    shape = (200, 800)
    for mode, n in [("fan_in", 200), ("fan_out", 800), ("fan_avg", 500)]:
        for dist in ["truncated_normal", "untruncated_normal", "uniform", "normal"]:
            init = initializers.VarianceScaling(3.0, mode, dist, seed=1)
            x = init(shape).astype(np.float64)
            assert abs(x.std() / math.sqrt(3.0 / n) - 1) < 0.02, (mode, dist)
    assert initializers.VarianceScaling(distribution="normal").distribution == (
        "truncated_normal"
    )
    assert initializers.VarianceScaling(distribution="Uniform").distribution == (
        "uniform"
    )
    # small fans: the scale is divided by max(1, n)
    x = initializers.VarianceScaling(2.0, "fan_in", "uniform", seed=0)((0, 4))
    assert x.shape == (0, 4)


def test_untruncated_normal_has_tails():
    init = initializers.VarianceScaling(distribution="untruncated_normal", seed=0)
    x = init((100, 1000)).astype(np.float64)
    assert np.abs(x).max() > 3 * math.sqrt(1 / 100)


@pytest.mark.parametrize("cls", RANDOM_CLASSES)
def test_same_instance_same_values_and_seeds_differ(cls):
    init = cls(seed=7)
    np.testing.assert_array_equal(init((5, 6)), init((5, 6)))
    assert not np.array_equal(cls(seed=7)((5, 6)), cls(seed=8)((5, 6)))
    unseeded = cls()
    np.testing.assert_array_equal(unseeded((5, 6)), unseeded((5, 6)))
    assert unseeded.get_config()["seed"] is None


@pytest.mark.parametrize("cls", RANDOM_CLASSES)
def test_set_seed_makes_fresh_instances_repeat(cls):
    nk_random.set_seed(1)
    first = cls()((4, 5))
    other = cls()((4, 5))
    nk_random.set_seed(1)
    np.testing.assert_array_equal(cls()((4, 5)), first)
    assert not np.array_equal(first, other)


def test_seed_validation():
    with pytest.raises(ValueError, match="seed"):
        initializers.RandomNormal(seed="abc")
    with pytest.raises(ValueError, match="seed"):
        initializers.GlorotUniform(seed=1.5)


@pytest.mark.parametrize("shape", [(6, 6), (10, 4), (4, 10), (3, 3, 2, 8)])
def test_orthogonal(shape):
    w = initializers.Orthogonal(gain=2.0, seed=0)(shape, dtype="float64")
    assert w.shape == shape
    m = w.reshape(-1, shape[-1])
    if m.shape[0] >= m.shape[1]:
        np.testing.assert_allclose(m.T @ m, 4.0 * np.eye(m.shape[1]), atol=1e-12)
    else:
        np.testing.assert_allclose(m @ m.T, 4.0 * np.eye(m.shape[0]), atol=1e-12)


def test_identity():
    np.testing.assert_array_equal(initializers.Identity()((3, 3)), np.eye(3))
    np.testing.assert_array_equal(
        initializers.Identity(gain=0.5)((2, 4)), 0.5 * np.eye(2, 4)
    )


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match=r"stddev.*stddev=-1"):
        initializers.RandomNormal(stddev=-1)
    with pytest.raises(ValueError, match=r"stddev=-0.5"):
        initializers.TruncatedNormal(stddev=-0.5)
    with pytest.raises(ValueError, match=r"mode.*mode='fan_sum'"):
        initializers.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match=r"distribution.*'gaussian'"):
        initializers.VarianceScaling(distribution="gaussian")
    with pytest.raises(ValueError, match=r"scale=0"):
        initializers.VarianceScaling(scale=0)
    with pytest.raises(ValueError, match=r"at least two-dimensional.*\(5,\)"):
        initializers.Orthogonal()((5,))
    with pytest.raises(ValueError, match=r"2D.*rank 3"):
        initializers.Identity()((2, 2, 2))
    with pytest.raises(ValueError, match=r"2D.*rank 1"):
        initializers.Identity()((2,))


STRING_FORMS = {
    "zeros": initializers.Zeros,
    "zero": initializers.Zeros,
    "Zeros": initializers.Zeros,
    "ones": initializers.Ones,
    "one": initializers.Ones,
    "Ones": initializers.Ones,
    "constant": initializers.Constant,
    "Constant": initializers.Constant,
    "identity": initializers.Identity,
    "Identity": initializers.Identity,
    "normal": initializers.RandomNormal,
    "random_normal": initializers.RandomNormal,
    "RandomNormal": initializers.RandomNormal,
    "uniform": initializers.RandomUniform,
    "random_uniform": initializers.RandomUniform,
    "RandomUniform": initializers.RandomUniform,
    "truncated_normal": initializers.TruncatedNormal,
    "TruncatedNormal": initializers.TruncatedNormal,
    "variance_scaling": initializers.VarianceScaling,
    "VarianceScaling": initializers.VarianceScaling,
    "glorot_uniform": initializers.GlorotUniform,
    "GlorotUniform": initializers.GlorotUniform,
    "glorot_normal": initializers.GlorotNormal,
    "GlorotNormal": initializers.GlorotNormal,
    "he_normal": initializers.HeNormal,
    "HeNormal": initializers.HeNormal,
    "he_uniform": initializers.HeUniform,
    "HeUniform": initializers.HeUniform,
    "lecun_normal": initializers.LecunNormal,
    "LecunNormal": initializers.LecunNormal,
    "lecun_uniform": initializers.LecunUniform,
    "LecunUniform": initializers.LecunUniform,
    "orthogonal": initializers.Orthogonal,
    "Orthogonal": initializers.Orthogonal,
    "OrthogonalInitializer": initializers.Orthogonal,
}


@pytest.mark.parametrize("name", sorted(STRING_FORMS))
def test_get_strings(name):
    init = initializers.get(name)
    assert type(init) is STRING_FORMS[name]
    assert init is not initializers.get(name)  # a new instance each time


def test_get_other_forms():
    assert initializers.get(None) is None
    assert isinstance(initializers.get(initializers.HeNormal), initializers.HeNormal)
    instance = initializers.Ones()
    assert initializers.get(instance) is instance

    def custom(shape, dtype=None):
        return np.full(shape, 3.0)

    assert initializers.get(custom) is custom
    array_init = initializers.get(np.eye(2))
    np.testing.assert_array_equal(array_init((2, 2)), np.eye(2))
    cfg = {
        "module": "keras.initializers",
        "class_name": "RandomNormal",
        "config": {"mean": 1.0, "stddev": 0.5, "seed": 3},
        "registered_name": None,
    }
    init = initializers.get(cfg)
    assert isinstance(init, initializers.RandomNormal)
    assert (init.mean, init.stddev, init.seed) == (1.0, 0.5, 3)
    legacy = initializers.get({"class_name": "glorot_uniform", "config": {}})
    assert isinstance(legacy, initializers.GlorotUniform)


def test_get_unknown_fails_clearly():
    with pytest.raises(ValueError) as info:
        initializers.get("glorot")
    message = str(info.value)
    assert "Could not interpret initializer identifier: 'glorot'" in message
    assert "glorot_uniform" in message and "he_normal" in message
    with pytest.raises(ValueError, match="Could not interpret"):
        initializers.get({"class_name": "os.system", "config": {}})
    with pytest.raises(ValueError, match="Could not interpret"):
        initializers.get(42)


ROUND_TRIP = [
    initializers.Zeros(),
    initializers.Ones(),
    initializers.Constant(0.7),
    initializers.Identity(gain=2.0),
    initializers.RandomNormal(mean=0.1, stddev=0.2, seed=5),
    initializers.RandomUniform(minval=-0.2, maxval=0.3, seed=5),
    initializers.TruncatedNormal(mean=0.0, stddev=0.3, seed=5),
    initializers.VarianceScaling(0.5, "fan_out", "uniform", seed=5),
    initializers.GlorotUniform(seed=5),
    initializers.GlorotNormal(seed=5),
    initializers.HeNormal(seed=5),
    initializers.HeUniform(seed=5),
    initializers.LecunNormal(seed=5),
    initializers.LecunUniform(seed=5),
    initializers.Orthogonal(gain=1.5, seed=5),
]


@pytest.mark.parametrize("init", ROUND_TRIP, ids=lambda i: type(i).__name__)
def test_config_round_trip(init):
    config = init.get_config()
    clone = type(init).from_config(config)
    assert clone.get_config() == config
    np.testing.assert_array_equal(clone((4, 6)), init((4, 6)))
    restored = initializers.deserialize(initializers.serialize(init))
    assert type(restored) is type(init) and restored.get_config() == config
    assert initializers.serialize(init)["module"] == "keras.initializers"


def test_config_keys_are_keras():
    assert initializers.GlorotUniform(seed=1).get_config() == {"seed": 1}
    assert initializers.HeNormal().get_config() == {"seed": None}
    assert initializers.RandomNormal().get_config() == {
        "seed": None,
        "mean": 0.0,
        "stddev": 0.05,
    }
    assert initializers.VarianceScaling().get_config() == {
        "seed": None,
        "scale": 1.0,
        "mode": "fan_in",
        "distribution": "truncated_normal",
    }
    assert initializers.Orthogonal().get_config() == {"seed": None, "gain": 1.0}
    assert initializers.Constant(2.0).get_config() == {"value": 2.0}
    axes = initializers.GlorotUniform(input_axes=[0], output_axes=[1]).get_config()
    assert axes == {"seed": None, "input_axes": [0], "output_axes": [1]}


def test_function_style_aliases_are_the_classes():
    assert initializers.glorot_uniform is initializers.GlorotUniform
    assert initializers.he_normal is initializers.HeNormal
    assert initializers.zeros is initializers.Zeros
    assert initializers.orthogonal is initializers.Orthogonal
    assert initializers.random_normal is initializers.RandomNormal
    for name, cls in initializers.ALL_OBJECTS.items():
        assert isinstance(cls(), initializers.Initializer), name
