import math

import numpy as np
import pytest

from numkeras import activations
from numkeras.activations import ActivationFunction
from numkeras.utils.gradient_check import compare

# (name, keyword arguments, input shape). Every public activation appears at
# least once; the parameterized forms and the axis-wise ones (2-D inputs) too.
ACTIVATION_CASES = [
    ("relu", {}, (4, 5)),
    ("relu", {"negative_slope": 0.1}, (4, 5)),
    ("relu", {"max_value": 2.0}, (4, 5)),
    ("relu", {"max_value": 6.0}, (4, 5)),
    ("relu", {"threshold": 1.0}, (4, 5)),
    ("relu", {"threshold": -0.5}, (4, 5)),
    ("relu", {"negative_slope": 0.1, "threshold": 1.0, "max_value": 2.5}, (4, 5)),
    ("leaky_relu", {}, (4, 5)),
    ("leaky_relu", {"negative_slope": 0.3}, (4, 5)),
    ("relu6", {}, (4, 5)),
    ("elu", {}, (4, 5)),
    ("elu", {"alpha": 0.5}, (4, 5)),
    ("selu", {}, (4, 5)),
    ("celu", {}, (4, 5)),
    ("celu", {"alpha": 2.0}, (4, 5)),
    ("sigmoid", {}, (4, 5)),
    ("hard_sigmoid", {}, (4, 5)),
    ("hard_silu", {}, (4, 5)),
    ("silu", {}, (4, 5)),
    ("log_sigmoid", {}, (4, 5)),
    ("sparse_sigmoid", {}, (4, 5)),
    ("tanh", {}, (4, 5)),
    ("hard_tanh", {}, (4, 5)),
    ("tanh_shrink", {}, (4, 5)),
    ("soft_shrink", {}, (4, 5)),
    ("soft_shrink", {"threshold": 1.0}, (4, 5)),
    ("hard_shrink", {}, (4, 5)),
    ("threshold", {"threshold": 0.5, "default_value": -1.0}, (4, 5)),
    ("softplus", {}, (4, 5)),
    ("softsign", {}, (4, 5)),
    ("squareplus", {}, (4, 5)),
    ("squareplus", {"b": 1.0}, (4, 5)),
    ("sparse_plus", {}, (4, 5)),
    ("exponential", {}, (4, 5)),
    ("gelu", {}, (4, 5)),
    ("gelu", {"approximate": True}, (4, 5)),
    ("mish", {}, (4, 5)),
    ("linear", {}, (4, 5)),
    ("softmax", {}, (4, 5)),
    ("softmax", {"axis": 0}, (4, 5)),
    ("log_softmax", {}, (4, 5)),
    ("log_softmax", {"axis": 0}, (4, 5)),
    ("glu", {}, (4, 6)),
    ("glu", {"axis": 0}, (4, 6)),
    ("sparsemax", {}, (4, 5)),
    ("sparsemax", {"axis": 0}, (4, 5)),
]

CASE_IDS = [f"{name}-{kw}" if kw else name for name, kw, _ in ACTIVATION_CASES]


def _sparsemax_tau(x, axis):
    """tau per slice, the reference way: sum(max(x - tau, 0)) = 1 by bisection."""
    z = np.moveaxis(x, axis, -1)
    lo = z.max(-1, keepdims=True) - 1.0
    hi = z.max(-1, keepdims=True)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        above = np.maximum(z - mid, 0).sum(-1, keepdims=True) > 1
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return np.moveaxis(np.broadcast_to(lo, z.shape), -1, axis)


def make_input(name, kwargs, shape, seed=0, dtype=np.float64):
    """Random inputs of scale 2, kept >= 1e-3 away from the activation's kinks."""
    rng = np.random.default_rng(seed)
    act = activations.get(name).with_kwargs(**kwargs)
    x = 2.0 * rng.standard_normal(shape)
    for _ in range(100):
        distance = np.full(shape, np.inf)
        for kink in act.kinks:
            distance = np.minimum(distance, np.abs(x - kink))
        if name == "sparsemax":  # the kink is where x crosses tau
            distance = np.abs(x - _sparsemax_tau(x, kwargs.get("axis", -1)))
        near = distance < 1e-3
        if not near.any():
            return x.astype(dtype)
        x[near] = 2.0 * rng.standard_normal(int(near.sum()))
    raise AssertionError("could not move inputs away from the kinks")


@pytest.mark.parametrize("name, kwargs, shape", ACTIVATION_CASES, ids=CASE_IDS)
def test_vjp_matches_finite_differences(name, kwargs, shape):
    act = activations.get(name)
    x = make_input(name, kwargs, shape)
    y = act(x, **kwargs)
    dy = np.random.default_rng(1).standard_normal(y.shape)
    dx = act.vjp(x, y, dy.copy(), **kwargs)
    assert dx.shape == x.shape

    def f():
        return float(np.sum(act(x, **kwargs) * dy))

    assert compare(dx, x, f) < 1e-6


@pytest.mark.parametrize("name, kwargs, shape", ACTIVATION_CASES, ids=CASE_IDS)
def test_with_kwargs_matches_call_kwargs(name, kwargs, shape):
    act = activations.get(name)
    bound = act.with_kwargs(**kwargs)
    x = make_input(name, kwargs, shape)
    y = act(x, **kwargs)
    np.testing.assert_array_equal(bound(x), y)
    dy = np.random.default_rng(2).standard_normal(y.shape)
    np.testing.assert_array_equal(
        bound.vjp(x, y, dy.copy()), act.vjp(x, y, dy.copy(), **kwargs)
    )
    assert bound.name == act.name and bound.__name__ == act.name


@pytest.mark.parametrize("name, kwargs, shape", ACTIVATION_CASES, ids=CASE_IDS)
def test_float32_stays_float32(name, kwargs, shape):
    act = activations.get(name)
    x = make_input(name, kwargs, shape, dtype=np.float32)
    y = act(x, **kwargs)
    assert y.dtype == np.float32
    dy = np.random.default_rng(3).standard_normal(y.shape).astype(np.float32)
    dx = act.vjp(x, y, dy, **kwargs)
    assert dx.dtype == np.float32


@pytest.mark.parametrize("name, kwargs, shape", ACTIVATION_CASES, ids=CASE_IDS)
def test_vjp_does_not_mutate_x_or_y(name, kwargs, shape):
    act = activations.get(name)
    x = make_input(name, kwargs, shape)
    y = act(x, **kwargs)
    x_before, y_before = x.copy(), np.array(y, copy=True)
    dy = np.random.default_rng(4).standard_normal(y.shape)
    act.vjp(x, y, dy, **kwargs)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(y, y_before)


def test_every_public_activation_is_in_the_case_table():
    public = {
        value.name
        for key, value in vars(activations).items()
        if isinstance(value, ActivationFunction) and not key.startswith("_")
    }
    covered = {name for name, _, _ in ACTIVATION_CASES}
    assert public - covered == set()
    assert {a.name for a in activations.ALL_OBJECTS.values()} == public


# Independent naive float64 formulas (Keras definitions), to check the forward
# values: the gradient checks only prove that fn and vjp agree.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _phi(v):
    return 0.5 * (1.0 + np.vectorize(math.erf)(v / math.sqrt(2.0)))


def _naive_sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


REFERENCE_FORMULAS = {
    "relu": lambda v: np.maximum(v, 0),
    "leaky_relu": lambda v: np.where(v > 0, v, 0.2 * v),
    "relu6": lambda v: np.minimum(np.maximum(v, 0), 6),
    "elu": lambda v: np.where(v > 0, v, np.exp(v) - 1),
    "selu": lambda v: _SELU_SCALE * np.where(v > 0, v, _SELU_ALPHA * (np.exp(v) - 1)),
    "celu": lambda v: np.where(v > 0, v, np.exp(v) - 1),
    "sigmoid": _naive_sigmoid,
    "hard_sigmoid": lambda v: np.where(v <= -3, 0, np.where(v >= 3, 1, v / 6 + 0.5)),
    "hard_silu": lambda v: v * np.where(v <= -3, 0, np.where(v >= 3, 1, v / 6 + 0.5)),
    "silu": lambda v: v * _naive_sigmoid(v),
    "log_sigmoid": lambda v: np.log(_naive_sigmoid(v)),
    "sparse_sigmoid": lambda v: np.where(
        v <= -1, 0, np.where(v >= 1, 1, 0.5 * (v + 1))
    ),
    "tanh": np.tanh,
    "hard_tanh": lambda v: np.where(v < -1, -1, np.where(v > 1, 1, v)),
    "tanh_shrink": lambda v: v - np.tanh(v),
    "soft_shrink": lambda v: np.where(v > 0.5, v - 0.5, np.where(v < -0.5, v + 0.5, 0)),
    "hard_shrink": lambda v: np.where(np.abs(v) > 0.5, v, 0),
    "softplus": lambda v: np.log(1 + np.exp(v)),
    "softsign": lambda v: v / (1 + np.abs(v)),
    "squareplus": lambda v: (v + np.sqrt(v * v + 4)) / 2,
    "sparse_plus": lambda v: np.where(
        v <= -1, 0, np.where(v >= 1, v, 0.25 * (v + 1) ** 2)
    ),
    "exponential": np.exp,
    "gelu": lambda v: v * _phi(v),
    "mish": lambda v: v * np.tanh(np.log(1 + np.exp(v))),
    "linear": lambda v: v,
}


@pytest.mark.parametrize("name", sorted(REFERENCE_FORMULAS))
def test_forward_matches_naive_formula(name):
    v = np.linspace(-7.0, 7.0, 281)
    np.testing.assert_allclose(
        activations.get(name)(v), REFERENCE_FORMULAS[name](v), rtol=1e-12, atol=1e-14
    )


def test_relu_keras_examples():
    x = np.array([-10, -5, 0.0, 5, 10])
    np.testing.assert_array_equal(activations.relu(x), [0, 0, 0, 5, 10])
    np.testing.assert_array_equal(
        activations.relu(x, negative_slope=0.5), [-5, -2.5, 0, 5, 10]
    )
    np.testing.assert_array_equal(activations.relu(x, max_value=5.0), [0, 0, 0, 5, 5])
    # [verified] x == threshold gives 0.
    np.testing.assert_array_equal(activations.relu(x, threshold=5), [0, 0, 0, 0, 10])
    # [verified] slope below the threshold, clip above max_value.
    x2 = np.array([-10, -3, -1, 0, 0.5, 3, 10])
    np.testing.assert_allclose(
        activations.relu(x2, negative_slope=0.1, threshold=1, max_value=5),
        [-1.1, -0.4, -0.2, -0.1, -0.05, 3, 5],
        rtol=1e-12,
    )


def test_verified_values():
    assert activations.sigmoid(np.array(-10.0)) == pytest.approx(4.5398e-5, rel=1e-4)
    assert activations.hard_sigmoid(np.array(-1.0)) == pytest.approx(1 / 3, abs=1e-6)
    assert activations.gelu(np.array(-3.0)) == pytest.approx(-0.0040497, rel=1e-4)
    assert activations.gelu(np.array(-3.0), approximate=True) == pytest.approx(
        -0.003637, rel=1e-3
    )
    assert activations.leaky_relu(np.array(-10.0)) == pytest.approx(-2.0)
    assert activations.get("leaky_relu")(np.array(-10.0)) == pytest.approx(-2.0)


def test_lists_and_integers_become_floatx():
    y = activations.relu([-1, 2])
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, [0, 2])


def test_extreme_inputs_do_not_overflow():
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    stable = [
        "sigmoid", "softplus", "log_sigmoid", "silu", "mish", "elu", "selu", "celu",
        "gelu", "softmax", "log_softmax", "tanh", "softsign", "squareplus",
    ]  # fmt: skip
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for name in stable:
            act = activations.get(name)
            y = act(x)
            dx = act.vjp(x, y, np.ones_like(x))
            assert np.all(np.isfinite(y)) and np.all(np.isfinite(dx)), name
    np.testing.assert_array_equal(activations.sigmoid(x)[[0, -1]], [0.0, 1.0])
    assert activations.sigmoid(np.array(-50.0)) == pytest.approx(math.exp(-50))
    assert activations.log_sigmoid(np.array(-1000.0)) == -1000.0


def test_erf_matches_math_erf():
    grid = np.concatenate([np.linspace(-8, 8, 4001), [0.46875, 4.0, -4.0, 30.0]])
    expected = np.array([math.erf(v) for v in grid])
    np.testing.assert_allclose(activations.erf(grid), expected, rtol=0, atol=1e-15)
    tail = np.linspace(-3, 25, 1001)
    expected = np.array([math.erfc(v) for v in tail])
    np.testing.assert_allclose(activations.erfc(tail), expected, rtol=1e-13)
    assert activations.erf(np.float32(0.5)).dtype == np.float32
    half = np.linspace(-8, 8, 65).astype(np.float16)
    with np.errstate(over="raise", invalid="raise"):
        np.testing.assert_allclose(
            activations.erf(half), [math.erf(v) for v in half], atol=1e-3
        )
        assert activations.gelu(half).dtype == np.float16


def test_softmax_and_sparsemax_values():
    x = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]])
    y = activations.softmax(x)
    np.testing.assert_allclose(y.sum(-1), 1.0)
    np.testing.assert_allclose(y[1], [0.5, 0.5, 0.0])
    log_half = math.log(0.5)
    expected_log = [np.log(y[0]), [log_half, log_half, -2000.0 + log_half]]
    np.testing.assert_allclose(activations.log_softmax(x), expected_log, rtol=1e-12)
    np.testing.assert_allclose(
        activations.sparsemax(np.array([0.5, 0.2, -1.0])), [0.65, 0.35, 0.0]
    )
    s = activations.sparsemax(np.random.default_rng(0).standard_normal((3, 7)))
    np.testing.assert_allclose(s.sum(-1), 1.0)
    assert (s >= 0).all()


def test_glu_values_and_odd_axis_error():
    x = np.array([[1.0, 2.0, 0.0, 3.0]])
    expected = np.array([[1.0, 2.0]]) / (1 + np.exp(-np.array([[0.0, 3.0]])))
    np.testing.assert_allclose(activations.glu(x), expected)
    with pytest.raises(ValueError, match="even"):
        activations.glu(np.ones((2, 3)))


def test_softmax_vjp_of_ones_is_zero():
    x = np.random.default_rng(0).standard_normal((3, 4))
    y = activations.softmax(x)
    np.testing.assert_allclose(
        activations.softmax.vjp(x, y, np.ones_like(y)), 0.0, atol=1e-15
    )


def test_relu_vjp_is_in_place_on_dy():
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    y = activations.relu(x)
    dy = np.ones_like(y)
    assert activations.relu.vjp(x, y, dy) is dy


def test_kinks_follow_bound_kwargs():
    assert activations.relu.kinks == (0.0,)
    assert activations.relu.with_kwargs(threshold=1.0, max_value=6.0).kinks == (
        0.0,
        1.0,
        6.0,
    )
    assert activations.soft_shrink.kinks == (-0.5, 0.5)
    assert activations.threshold.with_kwargs(threshold=2.0).kinks == (2.0,)


def test_with_kwargs_is_a_copy_and_repr_is_readable():
    leaky = activations.leaky_relu.with_kwargs(negative_slope=0.3)
    assert activations.leaky_relu.kwargs == {}
    assert leaky(np.array(-10.0)) == pytest.approx(-3.0)
    assert leaky(np.array(-10.0), negative_slope=0.1) == pytest.approx(-1.0)
    assert repr(leaky) == "ActivationFunction('leaky_relu', negative_slope=0.3)"
    assert repr(activations.relu) == "ActivationFunction('relu')"


def test_docstrings_state_the_backward_rule():
    for act in activations.ALL_OBJECTS.values():
        assert "Backward:" in (act.__doc__ or ""), act.name


def test_get_resolution():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    assert activations.swish is activations.silu
    assert activations.hard_swish is activations.hard_silu
    assert activations.get(activations.tanh) is activations.tanh

    def custom(x):
        return x * 2

    assert activations.get(custom) is custom
    for name in activations.ALL_OBJECTS:
        assert isinstance(activations.get(name), ActivationFunction)


def test_get_unknown_names_fail_clearly():
    with pytest.raises(ValueError) as info:
        activations.get("relux")
    message = str(info.value)
    assert "Could not interpret activation function identifier: 'relux'" in message
    assert "Valid names:" in message and "sigmoid" in message
    with pytest.raises(ValueError, match="Could not interpret"):
        activations.get("ReLU")  # case-sensitive, as in Keras
    with pytest.raises(ValueError, match="Could not interpret"):
        activations.get(5)


def test_keras_dict_form():
    config = {
        "module": "keras.activations",
        "class_name": "function",
        "config": "relu",
        "registered_name": "relu",
    }
    assert activations.get(config) is activations.relu
    assert activations.deserialize(config) is activations.relu
    assert activations.deserialize("swish") is activations.silu
    bad = {**config, "config": "os.system", "registered_name": "os.system"}
    with pytest.raises(ValueError, match="Could not interpret"):
        activations.get(bad)
    with pytest.raises(ValueError, match="Could not interpret"):
        activations.get({"class_name": "Evil", "config": {}})

    def mine(x):
        return x

    custom = {**config, "config": "mine", "registered_name": "mine"}
    assert activations.deserialize(custom, custom_objects={"mine": mine}) is mine


def test_serialize():
    assert activations.serialize(activations.relu) == "relu"
    assert activations.serialize(activations.swish) == "silu"
    assert activations.serialize(activations.hard_swish) == "hard_silu"
    assert activations.serialize(None) == "linear"
    assert activations.serialize(activations.linear) == "linear"
    assert activations.serialize(activations.elu.with_kwargs(alpha=0.5)) == "elu"
    for act in activations.ALL_OBJECTS.values():
        assert activations.get(activations.serialize(act)) is act

    def mine(x):
        return x

    config = activations.serialize(mine)
    assert config["class_name"] == "function" and config["config"] == "mine"
    with pytest.raises(ValueError, match="lambda"):
        activations.serialize(lambda x: x)
