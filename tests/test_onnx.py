"""numkeras.export.to_onnx: every layer and activation, run in onnxruntime and
compared with model.predict (float32, within 1e-5)."""

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import numkeras as keras  # noqa: E402
from numkeras import activations, layers  # noqa: E402
from numkeras.export import onnx as onnx_export  # noqa: E402
from numkeras.export import to_onnx  # noqa: E402

ACTIVATION_NAMES = sorted(
    name for name, fn in activations.ALL_OBJECTS.items() if fn.name == name
)  # the canonical names (swish / hard_swish are aliases)

# activations whose Keras function has required or interesting arguments
ACTIVATION_VARIANTS = {
    "relu(negative_slope=0.1)": activations.relu.with_kwargs(negative_slope=0.1),
    "relu(max_value=1.5)": activations.relu.with_kwargs(max_value=1.5),
    "relu(threshold=.3, negative_slope=.2, max_value=2)": activations.relu.with_kwargs(
        threshold=0.3, negative_slope=0.2, max_value=2.0
    ),
    "leaky_relu(0.05)": activations.leaky_relu.with_kwargs(negative_slope=0.05),
    "elu(alpha=0.5)": activations.elu.with_kwargs(alpha=0.5),
    "celu(alpha=2)": activations.celu.with_kwargs(alpha=2.0),
    "gelu(approximate=True)": activations.gelu.with_kwargs(approximate=True),
    "soft_shrink(1.0)": activations.soft_shrink.with_kwargs(threshold=1.0),
    "hard_shrink(0.2)": activations.hard_shrink.with_kwargs(threshold=0.2),
    "squareplus(b=1)": activations.squareplus.with_kwargs(b=1),
    "threshold(0.1, -1)": activations.threshold.with_kwargs(
        threshold=0.1, default_value=-1.0
    ),
    "softmax(axis=1)": activations.softmax.with_kwargs(axis=1),
    "log_softmax(axis=1)": activations.log_softmax.with_kwargs(axis=1),
    "glu(axis=1)": activations.glu.with_kwargs(axis=1),
}


def run_onnx(model, x, tmp_path):
    path = tmp_path / "model.onnx"
    to_onnx(model, path)
    onnx.checker.check_model(str(path))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (out,) = session.run(["output"], {"input": x.astype(np.float32)})
    return out


def assert_matches(model, x, tmp_path, via_call=False):
    # glu halves the last axis, which Dense / Activation.compute_output_shape
    # do not know yet (reported), so predict() cannot preallocate its output:
    # those cases compare with model(x), the same forward pass.
    expected = model(x) if via_call else model.predict(x, verbose=0)
    got = run_onnx(model, x, tmp_path)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def inputs(shape, seed=0, scale=2.0):
    return (np.random.default_rng(seed).normal(size=shape) * scale).astype(np.float32)


def dense_model(activation, units=6):
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [keras.Input((5,)), layers.Dense(units, activation=activation)]
    )


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_dense_with_every_activation(name, tmp_path):
    fn = activations.get(name)
    if name == "threshold":  # Keras gives no defaults: both are required
        fn = fn.with_kwargs(threshold=0.2, default_value=0.0)
    assert_matches(dense_model(fn), inputs((64, 5)), tmp_path, via_call=name == "glu")


@pytest.mark.parametrize("label", sorted(ACTIVATION_VARIANTS))
def test_activation_arguments(label, tmp_path):
    fn = ACTIVATION_VARIANTS[label]
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [keras.Input((4, 5)), layers.Dense(6), layers.Activation(fn)]
    )
    x = inputs((32, 4, 5), seed=1)
    assert_matches(model, x, tmp_path, via_call=label.startswith("glu"))


def test_the_lists_cover_every_activation():
    assert set(ACTIVATION_NAMES) <= set(onnx_export.SUPPORTED_ACTIVATIONS)


def test_every_layer_has_an_exporter():
    exportable = set(layers.ALL_OBJECTS) - {"InputLayer"}  # InputLayer = the input
    missing = exportable - set(onnx_export.SUPPORTED_LAYERS)
    assert not missing, f"layers without an ONNX export: {sorted(missing)}"


def test_activation_layers_with_arguments(tmp_path):
    keras.utils.set_random_seed(2)
    model = keras.Sequential(
        [
            keras.Input((3, 8)),
            layers.Dense(8),
            layers.ReLU(max_value=2.0, negative_slope=0.1, threshold=0.5),
            layers.Dense(8),
            layers.LeakyReLU(negative_slope=0.25),
            layers.Dense(8),
            layers.ELU(alpha=0.7),
            layers.Dense(8),
            layers.ReLU(),
            layers.Dense(8),
            layers.Softmax(axis=1),
            layers.Dense(4),
            layers.Activation("mish"),
            layers.Softmax(),
        ]
    )
    assert_matches(model, inputs((16, 3, 8), seed=2), tmp_path)


def test_prelu_dropout_flatten_reshape(tmp_path):
    keras.utils.set_random_seed(3)
    model = keras.Sequential(
        [
            keras.Input((2, 3, 4)),
            layers.PReLU(alpha_initializer="random_normal", shared_axes=[1]),
            layers.Flatten(data_format="channels_first"),
            layers.Dropout(0.5),
            layers.Dense(12, activation="gelu"),
            layers.Reshape((3, -1)),
            layers.PReLU(alpha_initializer=keras.initializers.Constant(0.3)),
            layers.Flatten(),
            layers.Dense(3, activation="softmax"),
        ]
    )
    x = inputs((20, 2, 3, 4), seed=3)
    assert_matches(model, x, tmp_path)
    # the batch axis is dynamic
    assert_matches(model, x[:1], tmp_path)


def test_a_trained_model_and_the_returned_proto(tmp_path):
    keras.utils.set_random_seed(4)
    x = inputs((200, 5), seed=4)
    y = (x[:, 0] > 0).astype(np.int64)
    model = keras.Sequential(
        [
            keras.Input((5,)),
            layers.Dense(16, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    assert_matches(model, x, tmp_path)
    proto = to_onnx(model)  # no path: just the ModelProto
    assert proto.graph.input[0].name == "input"
    assert proto.graph.output[0].name == "output"
    assert proto.producer_name == "numkeras"


def test_clear_errors(tmp_path):
    unbuilt = keras.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="built model"):
        to_onnx(unbuilt, tmp_path / "x.onnx")

    def custom(x):
        return x * 2

    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    model.layers[0].activation = custom  # a plain function, only for inference
    with pytest.raises(NotImplementedError, match="custom Python functions"):
        to_onnx(model, tmp_path / "x.onnx")
