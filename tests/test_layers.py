"""One table of layer cases drives every generic layer test.

For each case: float64 finite-difference check of dx and every weight
gradient with a random cotangent, float32 in -> float32 out, forward does not
mutate x, output shape == compute_output_shape, config and weights round trips.
A guard test fails when an exported layer is missing from the table.
"""

import inspect

import numpy as np
import pytest

from numkeras import backend, layers
from numkeras.utils.gradient_check import check_layer

# (class, kwargs, input shape, training, input sampler)
LAYER_CASES = [
    ("dense_linear", layers.Dense, {"units": 3}, (4, 5), False),
    ("dense_relu", layers.Dense, {"units": 3, "activation": "relu"}, (4, 5), False),
    ("dense_no_bias", layers.Dense, {"units": 2, "use_bias": False}, (3, 4), False),
    (
        "dense_softmax",
        layers.Dense,
        {"units": 4, "activation": "softmax"},
        (3, 5),
        False,
    ),
    (
        "dense_sigmoid",
        layers.Dense,
        {"units": 3, "activation": "sigmoid"},
        (3, 5),
        False,
    ),
    ("dense_tanh", layers.Dense, {"units": 3, "activation": "tanh"}, (3, 5), False),
    ("dense_rank3", layers.Dense, {"units": 3, "activation": "elu"}, (2, 3, 4), False),
    ("activation_tanh", layers.Activation, {"activation": "tanh"}, (3, 4), False),
    ("activation_gelu", layers.Activation, {"activation": "gelu"}, (3, 4), False),
    ("relu_plain", layers.ReLU, {}, (3, 4), False),
    (
        "relu_full",
        layers.ReLU,
        {"max_value": 1.5, "negative_slope": 0.1, "threshold": 0.2},
        (3, 4),
        False,
    ),
    ("leaky_relu", layers.LeakyReLU, {}, (3, 4), False),
    ("prelu", layers.PReLU, {"alpha_initializer": "random_uniform"}, (3, 4), False),
    (
        "prelu_shared",
        layers.PReLU,
        {"alpha_initializer": "random_uniform", "shared_axes": [1]},
        (2, 3, 4),
        False,
    ),
    ("elu", layers.ELU, {"alpha": 0.7}, (3, 4), False),
    ("softmax", layers.Softmax, {}, (3, 4), False),
    ("softmax_axis1", layers.Softmax, {"axis": 1}, (2, 3, 4), False),
    ("flatten", layers.Flatten, {}, (2, 3, 4), False),
    ("reshape", layers.Reshape, {"target_shape": (4, -1)}, (2, 3, 4), False),
    ("dropout_train", layers.Dropout, {"rate": 0.4, "seed": 3}, (4, 5), True),
    (
        "dropout_noise_shape",
        layers.Dropout,
        {"rate": 0.5, "seed": 1, "noise_shape": (None, 1, 4)},
        (3, 2, 4),
        True,
    ),
    ("dropout_infer", layers.Dropout, {"rate": 0.4}, (4, 5), False),
    ("input_layer", layers.InputLayer, {"shape": (5,)}, (4, 5), False),
]
IDS = [case[0] for case in LAYER_CASES]

KINKED = (layers.ReLU, layers.LeakyReLU, layers.PReLU)


def _input(shape, cls, dtype, seed=0):
    x = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    if cls in KINKED:  # keep inputs away from the kinks at 0 and the thresholds
        x = np.where(np.abs(x) < 0.05, 0.3, x)
        x = np.where(np.abs(x - 0.2) < 0.05, 0.4, x)
        x = np.where(np.abs(x - 1.5) < 0.05, 1.2, x)
    return x


def _make(cls, kwargs, shape):
    layer = cls(**kwargs)
    layer.maybe_build(shape)
    return layer


@pytest.mark.parametrize("case", LAYER_CASES, ids=IDS)
def test_gradients_float64(case, float64):
    _, cls, kwargs, shape, training = case
    layer = _make(cls, kwargs, shape)
    x = _input(shape, cls, "float64")
    errors = check_layer(layer, x, training=training)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("case", LAYER_CASES, ids=IDS)
def test_float32_in_float32_out_and_no_mutation(case):
    _, cls, kwargs, shape, training = case
    layer = _make(cls, kwargs, shape)
    x = _input(shape, cls, "float32")
    x_before = x.copy()
    y, cache = layer.forward(x, training=training)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(x, x_before)
    dy = np.random.default_rng(1).standard_normal(y.shape).astype(np.float32)
    dx = layer.backward(cache, dy)
    assert dx.dtype == np.float32 and dx.shape == x.shape
    np.testing.assert_array_equal(x, x_before)
    for name, grad in layer.grads.items():
        assert grad.dtype == np.float32
        assert grad.shape == layer.params[name].shape


@pytest.mark.parametrize("case", LAYER_CASES, ids=IDS)
def test_output_shape_matches_compute_output_shape(case):
    _, cls, kwargs, shape, training = case
    layer = _make(cls, kwargs, shape)
    y, _ = layer.forward(_input(shape, cls, "float32"), training=training)
    assert y.shape == tuple(layer.compute_output_shape(shape))
    symbolic = layer.compute_output_shape((None,) + tuple(shape[1:]))
    assert tuple(symbolic[1:]) == y.shape[1:]


@pytest.mark.parametrize("case", LAYER_CASES, ids=IDS)
def test_config_round_trip(case):
    _, cls, kwargs, shape, _ = case
    layer = _make(cls, kwargs, shape)
    config = layer.get_config()
    clone = cls.from_config(config)
    assert clone.get_config() == config


@pytest.mark.parametrize("case", LAYER_CASES, ids=IDS)
def test_weights_round_trip(case):
    _, cls, kwargs, shape, training = case
    layer = _make(cls, kwargs, shape)
    other = _make(cls, kwargs, shape)
    weights = [
        np.random.default_rng(i).standard_normal(w.shape).astype(w.dtype)
        for i, w in enumerate(layer.get_weights())
    ]
    layer.set_weights(weights)
    other.set_weights(layer.get_weights())
    for a, b in zip(layer.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(a, b)
    x = _input(shape, cls, "float32")
    np.testing.assert_array_equal(layer(x), other(x))


def test_every_exported_layer_is_in_the_table():
    exported = {
        obj
        for obj in vars(layers).values()
        if inspect.isclass(obj)
        and issubclass(obj, layers.Layer)
        and obj is not layers.Layer
    }
    tested = {case[1] for case in LAYER_CASES}
    missing = sorted(c.__name__ for c in exported - tested)
    assert not missing, f"layers without a test case: {missing}"


# ------------------------------------------------------------ layer specifics
def test_dense_weights_follow_keras_shapes_and_order():
    layer = _make(layers.Dense, {"units": 7}, (None, 3))
    assert [w.shape for w in layer.get_weights()] == [(3, 7), (7,)]
    assert layer.weight_names == ["kernel", "bias"]


def test_dense_rank3_contracts_last_axis():
    layer = _make(layers.Dense, {"units": 5}, (2, 7, 3))
    assert layer(np.ones((2, 7, 3))).shape == (2, 7, 5)
    assert layer.params["kernel"].shape == (3, 5)


def test_dense_float_units_truncate_like_tf_keras_2():
    assert layers.Dense(128 * 1.1).units == 140


@pytest.mark.parametrize("units", [0, -3, "ten", None, True, float("nan")])
def test_dense_rejects_bad_units(units):
    with pytest.raises(ValueError, match="units"):
        layers.Dense(units)


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match="relux") as info:
        layers.Dense(3, activation="relux")
    assert "sigmoid" in str(info.value)


def test_unrecognized_kwarg_is_an_error():
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        layers.Dense(3, activaton="relu")


def test_dropout_is_inverted_and_inactive_at_inference():
    layer = layers.Dropout(0.5, seed=0)
    x = np.ones((1000, 10), dtype=np.float32)
    y, _ = layer.forward(x, training=True)
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert abs((y == 0).mean() - 0.5) < 0.03
    np.testing.assert_array_equal(layer(x), x)


@pytest.mark.parametrize("rate", [-0.1, 1.5, "half"])
def test_dropout_rejects_bad_rate(rate):
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(rate)


def test_dropout_rate_one_gives_zeros():
    y, cache = layers.Dropout(1.0).forward(np.ones((2, 3), np.float32), training=True)
    assert not y.any()


def test_leaky_relu_defaults_and_legacy_alpha():
    assert layers.LeakyReLU()(np.array([[-10.0]], np.float32))[0, 0] == pytest.approx(
        -3
    )
    assert layers.LeakyReLU(alpha=0.1).negative_slope == pytest.approx(0.1)


def test_relu_layer_validates_arguments():
    with pytest.raises(ValueError, match="max_value"):
        layers.ReLU(max_value=-1)
    with pytest.raises(ValueError, match="negative_slope"):
        layers.ReLU(negative_slope=-0.1)


def test_reshape_rejects_two_unknown_dimensions():
    with pytest.raises(ValueError, match="target_shape"):
        layers.Reshape((-1, -1))


def test_flatten_of_rank1_gives_one_column():
    layer = layers.Flatten()
    assert layer(np.arange(3.0)).shape == (3, 1)


def test_layer_names_are_unique_snake_case():
    backend.clear_session()
    names = [layers.Dense(1).name for _ in range(3)]
    assert names == ["dense", "dense_1", "dense_2"]
    assert layers.LeakyReLU().name == "leaky_re_lu"
