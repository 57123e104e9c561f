"""`to_onnx(model, path)`: a numkeras Sequential model as an ONNX graph.

Every layer and every activation in numkeras maps to standard ONNX operators
(opset 17), composed where ONNX has no single operator, so the file runs in
any ONNX runtime. The graph computes in float32 with a dynamic batch axis:
input "input" of shape (batch, *model.input_shape[1:]), output "output".

Layer by layer:
    Dense       MatMul (+ Add bias), then its activation
    Activation  its activation
    ReLU        Relu, LeakyRelu, or the general form below
    LeakyReLU   LeakyRelu(alpha=negative_slope)
    PReLU       PRelu(slope=alpha)
    ELU         Elu(alpha)
    Softmax     Softmax(axis)
    Dropout     Identity (inference)
    Flatten     Flatten(axis=1), after a Transpose for channels_first
    Reshape     Reshape to (batch, *target_shape)

Activations (numkeras.activations), x the input:
    linear        Identity
    relu          Relu; with arguments: Where(x > threshold, x, 0), Clip(0,
                  max_value), minus negative_slope * Relu(threshold - x)
    leaky_relu    LeakyRelu                 relu6        Clip(0, 6)
    elu           Elu                       selu         Selu(Keras constants)
    celu          Celu                      sigmoid      Sigmoid
    hard_sigmoid  HardSigmoid(1/6, 1/2)     hard_silu    HardSwish
    silu          x * Sigmoid(x)            log_sigmoid  -Softplus(-x)
    sparse_sigmoid Clip((x + 1) / 2, 0, 1)  tanh         Tanh
    hard_tanh     Clip(-1, 1)               tanh_shrink  x - Tanh(x)
    soft_shrink   Shrink(bias=t, lambd=t)   hard_shrink  Shrink(bias=0, lambd=t)
    threshold     Where(x > t, x, default)  softplus     Softplus
    softsign      Softsign                  exponential  Exp
    squareplus    (x + Sqrt(x * x + b)) / 2
    sparse_plus   Where(x >= 1, x, (Clip(x, -1, 1) + 1)^2 / 4)
    gelu          x * (1 + Erf(x / sqrt 2)) / 2, or the tanh approximation
    mish          x * Tanh(Softplus(x))
    softmax       Softmax(axis)             log_softmax  LogSoftmax(axis)
    glu           Split in two along axis: a * Sigmoid(b)
    sparsemax     TopK (sort), CumSum, the support size k(z) and threshold
                  tau = (sum of the k largest - 1) / k, then Relu(x - tau)
"""

import math

import numpy as np

from .. import activations

OPSET = 17


def _onnx():
    try:
        import onnx
    except ImportError as error:  # pragma: no cover - needs onnx missing
        raise ImportError(
            "numkeras.export.to_onnx needs the onnx package: "
            "pip install numkeras[onnx] (or pip install onnx)."
        ) from error
    return onnx


class _Graph:
    """Collects nodes and constants; every op returns its output's name."""

    def __init__(self, onnx):
        self.onnx = onnx
        self.helper = onnx.helper
        self.nodes = []
        self.initializers = []
        self._count = 0

    def name(self, hint):
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, value, hint="const", dtype=np.float32):
        name = self.name(hint)
        array = np.asarray(value, dtype=dtype)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def op(self, op_type, inputs, outputs=1, **attrs):
        names = [self.name(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(self.helper.make_node(op_type, list(inputs), names, **attrs))
        return names[0] if outputs == 1 else names

    def scalar(self, value):
        return self.const(np.float32(value), "c")


# ------------------------------------------------------------------ activations
def _relu(g, x, negative_slope=0.0, max_value=None, threshold=0.0):
    slope, t = float(negative_slope), float(threshold)
    if slope == 0.0 and max_value is None and t == 0.0:
        return g.op("Relu", [x])
    if slope != 0.0 and max_value is None and t == 0.0:
        return g.op("LeakyRelu", [x], alpha=slope)
    zero = g.scalar(0.0)
    y = g.op("Where", [g.op("Greater", [x, g.scalar(t)]), x, zero])
    if max_value is not None:
        y = g.op("Clip", [y, zero, g.scalar(max_value)])
    if slope != 0.0:
        below = g.op("Relu", [g.op("Sub", [g.scalar(t), x])])
        y = g.op("Sub", [y, g.op("Mul", [g.scalar(slope), below])])
    return y


def _gelu(g, x, approximate=False):
    half_x = g.op("Mul", [x, g.scalar(0.5)])
    if approximate:
        cube = g.op("Mul", [g.op("Mul", [x, x]), x])
        inner = g.op("Add", [x, g.op("Mul", [cube, g.scalar(0.044715)])])
        t = g.op("Tanh", [g.op("Mul", [inner, g.scalar(math.sqrt(2 / math.pi))])])
    else:
        t = g.op("Erf", [g.op("Mul", [x, g.scalar(1 / math.sqrt(2))])])
    return g.op("Mul", [half_x, g.op("Add", [t, g.scalar(1.0)])])


def _glu(g, x, axis=-1):
    a, b = g.op("Split", [x], outputs=2, axis=axis)
    return g.op("Mul", [a, g.op("Sigmoid", [b])])


def _sparsemax(g, x, axis=-1, size=None):
    """Martins & Astudillo (2016) along the last axis (size known)."""
    if axis not in (-1,):
        raise NotImplementedError("ONNX export of sparsemax supports axis=-1 only.")
    k = g.const([size], "k", np.int64)
    z_sorted = g.op("TopK", [x, k], outputs=2, axis=-1, largest=1, sorted=1)[0]
    cumsum = g.op("CumSum", [z_sorted, g.const(-1, "axis", np.int64)])
    ranks = g.const(np.arange(1, size + 1), "ranks")
    bound = g.op("Add", [g.scalar(1.0), g.op("Mul", [ranks, z_sorted])])
    support = g.op("Cast", [g.op("Greater", [bound, cumsum])], to=1)  # float
    k_max = g.op("ReduceSum", [support, g.const([-1], "axes", np.int64)], keepdims=1)
    index = g.op("Cast", [g.op("Sub", [k_max, g.scalar(1.0)])], to=7)  # int64
    top_sum = g.op("GatherElements", [cumsum, index], axis=-1)
    tau = g.op("Div", [g.op("Sub", [top_sum, g.scalar(1.0)]), k_max])
    return g.op("Relu", [g.op("Sub", [x, tau])])


def _unary(op_type, **attrs):
    return lambda g, x: g.op(op_type, [x], **attrs)


_ACTIVATIONS = {
    "linear": _unary("Identity"),
    "relu": _relu,
    "leaky_relu": lambda g, x, negative_slope=0.2: g.op(
        "LeakyRelu", [x], alpha=float(negative_slope)
    ),
    "relu6": lambda g, x: g.op("Clip", [x, g.scalar(0.0), g.scalar(6.0)]),
    "elu": lambda g, x, alpha=1.0: g.op("Elu", [x], alpha=float(alpha)),
    "selu": _unary(
        "Selu",
        alpha=1.6732632423543772848170429916717,
        gamma=1.0507009873554804934193349852946,
    ),
    "celu": lambda g, x, alpha=1.0: g.op("Celu", [x], alpha=float(alpha)),
    "sigmoid": _unary("Sigmoid"),
    "hard_sigmoid": _unary("HardSigmoid", alpha=1.0 / 6.0, beta=0.5),
    "hard_silu": _unary("HardSwish"),
    "silu": lambda g, x: g.op("Mul", [x, g.op("Sigmoid", [x])]),
    "log_sigmoid": lambda g, x: g.op("Neg", [g.op("Softplus", [g.op("Neg", [x])])]),
    "sparse_sigmoid": lambda g, x: g.op(
        "Clip",
        [
            g.op("Mul", [g.op("Add", [x, g.scalar(1.0)]), g.scalar(0.5)]),
            g.scalar(0.0),
            g.scalar(1.0),
        ],
    ),
    "tanh": _unary("Tanh"),
    "hard_tanh": lambda g, x: g.op("Clip", [x, g.scalar(-1.0), g.scalar(1.0)]),
    "tanh_shrink": lambda g, x: g.op("Sub", [x, g.op("Tanh", [x])]),
    "soft_shrink": lambda g, x, threshold=0.5: g.op(
        "Shrink", [x], bias=float(threshold), lambd=float(threshold)
    ),
    "hard_shrink": lambda g, x, threshold=0.5: g.op(
        "Shrink", [x], bias=0.0, lambd=float(threshold)
    ),
    "threshold": lambda g, x, threshold, default_value: g.op(
        "Where",
        [g.op("Greater", [x, g.scalar(threshold)]), x, g.scalar(default_value)],
    ),
    "softplus": _unary("Softplus"),
    "softsign": _unary("Softsign"),
    "squareplus": lambda g, x, b=4: g.op(
        "Mul",
        [
            g.op(
                "Add",
                [x, g.op("Sqrt", [g.op("Add", [g.op("Mul", [x, x]), g.scalar(b)])])],
            ),
            g.scalar(0.5),
        ],
    ),
    "sparse_plus": lambda g, x: g.op(
        "Where",
        [
            g.op("GreaterOrEqual", [x, g.scalar(1.0)]),
            x,
            g.op(
                "Mul",
                [
                    g.op(
                        "Pow",
                        [
                            g.op(
                                "Add",
                                [
                                    g.op("Clip", [x, g.scalar(-1.0), g.scalar(1.0)]),
                                    g.scalar(1.0),
                                ],
                            ),
                            g.scalar(2.0),
                        ],
                    ),
                    g.scalar(0.25),
                ],
            ),
        ],
    ),
    "exponential": _unary("Exp"),
    "gelu": _gelu,
    "mish": lambda g, x: g.op("Mul", [x, g.op("Tanh", [g.op("Softplus", [x])])]),
    "softmax": lambda g, x, axis=-1: g.op("Softmax", [x], axis=int(axis)),
    "log_softmax": lambda g, x, axis=-1: g.op("LogSoftmax", [x], axis=int(axis)),
    "glu": _glu,
    "sparsemax": _sparsemax,
}


def _activation(g, x, fn, where, shape):
    if not isinstance(fn, activations.ActivationFunction) or fn.name not in (
        _ACTIVATIONS
    ):
        raise NotImplementedError(
            f"{where}: activation {fn!r} has no ONNX export (custom Python "
            "functions cannot be exported; use a built-in activation)."
        )
    kwargs = dict(fn.kwargs)
    if fn.name == "sparsemax":
        kwargs["size"] = shape[-1]
    return _ACTIVATIONS[fn.name](g, x, **kwargs)


# ----------------------------------------------------------------------- layers
def _dense(g, layer, x, shape):
    y = g.op("MatMul", [x, g.const(layer.params["kernel"], "kernel")])
    if layer.use_bias:
        y = g.op("Add", [y, g.const(layer.params["bias"], "bias")])
    return _activation(
        g, y, layer.activation, f"Layer {layer.name!r}", shape[:-1] + (layer.units,)
    )


def _flatten(g, layer, x, shape):
    if layer.data_format == "channels_first" and len(shape) > 2:
        x = g.op("Transpose", [x], perm=[0, *range(2, len(shape)), 1])
    return g.op("Flatten", [x], axis=1)


def _reshape(g, layer, x, shape):
    target = g.const([0, *layer.target_shape], "shape", np.int64)
    return g.op("Reshape", [x, target])


def _layer_activation(g, layer, x, shape):
    return _activation(g, x, layer.fn, f"Layer {layer.name!r}", shape)


_LAYERS = {
    "Dense": _dense,
    "Dropout": lambda g, layer, x, shape: g.op("Identity", [x]),
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Activation": _layer_activation,
    "ReLU": _layer_activation,
    "LeakyReLU": _layer_activation,
    "ELU": _layer_activation,
    "Softmax": _layer_activation,
    "PReLU": lambda g, layer, x, shape: g.op(
        "PRelu", [x, g.const(layer.params["alpha"], "alpha")]
    ),
}

SUPPORTED_LAYERS = tuple(sorted(_LAYERS))
SUPPORTED_ACTIVATIONS = tuple(sorted(_ACTIVATIONS))


def to_onnx(model, path=None, opset=OPSET, model_name=None):
    """Write `model` as an ONNX file at `path` (and return the ModelProto).

    The model must be built (its input shape known). The graph has one
    input "input" of shape (batch, *input_shape[1:]) and one output
    "output", both float32; `onnxruntime` gives the same values as
    `model.predict` (to float32 rounding).
    """
    onnx = _onnx()
    if not getattr(model, "built", False) or model.input_shape is None:
        raise ValueError(
            "to_onnx needs a built model: give it an Input(shape), call "
            "model.build(input_shape), or call it on data first."
        )
    g = _Graph(onnx)
    shape = (None,) + tuple(model.input_shape[1:])
    x = "input"
    for layer in model.layers:
        kind = type(layer).__name__
        if kind not in _LAYERS:
            raise NotImplementedError(
                f"Layer {layer.name!r} of type {kind} has no ONNX export yet "
                f"(supported: {', '.join(SUPPORTED_LAYERS)})."
            )
        x = _LAYERS[kind](g, layer, x, shape)
        shape = tuple(layer.compute_output_shape(shape))
    g.nodes.append(g.helper.make_node("Identity", [x], ["output"]))

    def value_info(name, dims):
        dims = ["batch"] + [
            d if d is not None else f"d{i}" for i, d in enumerate(dims[1:], 1)
        ]
        return g.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, dims)

    graph = g.helper.make_graph(
        g.nodes,
        model_name or model.name,
        [value_info("input", (None,) + tuple(model.input_shape[1:]))],
        [value_info("output", shape)],
        initializer=g.initializers,
    )
    proto = g.helper.make_model(
        graph,
        producer_name="numkeras",
        opset_imports=[g.helper.make_opsetid("", int(opset))],
    )
    proto.ir_version = min(proto.ir_version, 8)  # readable by older runtimes
    onnx.checker.check_model(proto)
    if path is not None:
        onnx.save(proto, str(path))
    return proto
