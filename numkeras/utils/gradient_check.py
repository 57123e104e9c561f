"""Float64 central-difference checks of hand-written backward passes.

The scalar checked is `f(x) = sum(forward(x) * dy)` with a *random* cotangent
`dy` (never ones: softmax's vector-Jacobian product with ones is exactly zero,
so a backward returning zeros would pass). Its gradient is the VJP
`backward(dy)`, compared with central differences `(f(x + h e) - f(x - h e)) /
2h`, element by element for small arrays and along random unit directions
(v . grad, as chainer and torch's fast mode do) for large ones.

Run it in float64 (`numkeras.backend.set_floatx("float64")` before building):
in float32 central differences have ~1e-2 relative error and prove nothing.
"""

import copy

import numpy as np

from ..random import fixed_seed

ELEMENTWISE_LIMIT = 256
N_DIRECTIONS = 8


def numeric_gradient(f, x, h=1e-6, rng=None):
    """Central differences of the scalar function `f` at array `x`.

    Returns (numeric, directions): with directions None the result is the full
    gradient (same shape as x); otherwise `numeric[k]` is the directional
    derivative along `directions[k]`. `x` is perturbed in place and restored.
    """
    if x.size <= ELEMENTWISE_LIMIT:
        grad = np.zeros(x.shape, dtype=np.float64)
        flat = x.reshape(-1)
        out = grad.reshape(-1)
        for i in range(flat.size):
            orig = flat[i]
            flat[i] = orig + h
            plus = f()
            flat[i] = orig - h
            minus = f()
            flat[i] = orig
            out[i] = (plus - minus) / (2 * h)
        return grad, None
    rng = np.random.default_rng(0) if rng is None else rng
    directions = rng.standard_normal((N_DIRECTIONS,) + x.shape)
    directions /= np.sqrt((directions**2).reshape(N_DIRECTIONS, -1).sum(1)).reshape(
        (N_DIRECTIONS,) + (1,) * x.ndim
    )
    numeric = np.zeros(N_DIRECTIONS)
    orig = x.copy()
    for k in range(N_DIRECTIONS):
        x[...] = orig + h * directions[k]
        plus = f()
        x[...] = orig - h * directions[k]
        minus = f()
        numeric[k] = (plus - minus) / (2 * h)
    x[...] = orig
    return numeric, directions


def compare(analytic, x, f, h=1e-6, rng=None):
    """Worst relative error between an analytic gradient and central differences.

    The error of each entry is |a - n| / max(|a|, |n|, 1e-3 * scale, 1e-8),
    with `scale` the largest |n|; this ignores differences far below the
    gradient's own size (round-off) but not O(1) mistakes.
    """
    numeric, directions = numeric_gradient(f, x, h=h, rng=rng)
    if directions is None:
        a = np.asarray(analytic, dtype=np.float64)
    else:
        a = (
            (directions * np.asarray(analytic, dtype=np.float64))
            .reshape(len(directions), -1)
            .sum(1)
        )
    scale = max(float(np.max(np.abs(numeric), initial=0.0)), 1e-8)
    denom = np.maximum(np.maximum(np.abs(a), np.abs(numeric)), 1e-3 * scale)
    return float(np.max(np.abs(a - numeric) / denom, initial=0.0))


def check_layer(layer, x, training=False, seed=0, h=1e-6):
    """Relative errors of a built layer's backward pass: {"x": err, name: err, ...}.

    Every forward evaluation starts from the same random state (the global
    RNGs and any NumPy Generator the layer owns, e.g. Dropout's), so a layer
    that draws random numbers sees the same draws each time.
    """
    rng = np.random.default_rng(seed)
    generators = [g for g in vars(layer).values() if isinstance(g, np.random.Generator)]
    states = [g.bit_generator.state for g in generators]

    def forward():
        for g, state in zip(generators, states, strict=True):
            g.bit_generator.state = state
        with fixed_seed(seed):
            return layer.forward(x, training=training)

    y, cache = forward()
    dy = rng.standard_normal(y.shape).astype(y.dtype)
    for g in layer.grads.values():
        g[...] = 0
    dx = layer.backward(cache, dy.copy())

    def f():
        return float(np.sum(forward()[0] * dy))

    errors = {"x": compare(dx, x, f, h=h, rng=rng)}
    for name, grad in layer.grads.items():
        errors[name] = compare(grad.copy(), layer.params[name], f, h=h, rng=rng)
    return errors


# ---------------------------------------------------------------------------
# check_gradients: the same check for users, on a model or a single layer
# ---------------------------------------------------------------------------


class GradientCheckRow:
    """One checked gradient: `layer`, `weight` ("kernel", ..., or "input" for
    the layer's own dL/dx), `shape`, relative `error`, `passed`."""

    def __init__(self, layer, weight, shape, error, passed):
        self.layer = layer
        self.weight = weight
        self.shape = tuple(shape)
        self.error = error
        self.passed = passed

    def __repr__(self):
        return (
            f"GradientCheckRow({self.layer!r}, {self.weight!r}, shape={self.shape}, "
            f"error={self.error:.2e}, passed={self.passed})"
        )


class GradientCheckReport:
    """What `check_gradients` found: one row per checked gradient.

    `report.passed` is True when every relative error is below `tolerance`;
    `report.worst_error` is the largest error; `report.worst_by_layer()` maps
    each layer name to its largest error; `str(report)` is a table.
    """

    def __init__(self, subject, rows, tolerance):
        self.subject = subject
        self.rows = rows
        self.tolerance = tolerance

    @property
    def passed(self):
        return all(row.passed for row in self.rows)

    @property
    def worst_error(self):
        return max((row.error for row in self.rows), default=0.0)

    def worst_by_layer(self):
        worst = {}
        for row in self.rows:
            worst[row.layer] = max(worst.get(row.layer, 0.0), row.error)
        return worst

    def failures(self):
        return [row for row in self.rows if not row.passed]

    def __str__(self):
        lines = [
            f"Gradient check of {self.subject} (float64 central differences, "
            f"tolerance {self.tolerance:.0e})",
            f"{'layer':<18}{'gradient':<14}{'shape':<16}{'rel. error':>12}  result",
            "-" * 68,
        ]
        for row in self.rows:
            lines.append(
                f"{row.layer[:17]:<18}{row.weight[:13]:<14}{str(row.shape):<16}"
                f"{row.error:>12.2e}  {'ok' if row.passed else 'FAIL'}"
            )
        verdict = "PASSED" if self.passed else f"FAILED ({len(self.failures())} wrong)"
        lines.append(f"{verdict}: worst relative error {self.worst_error:.2e}")
        return "\n".join(lines)

    def __repr__(self):
        return (
            f"<GradientCheckReport {self.subject}: "
            f"{'passed' if self.passed else 'FAILED'}, worst {self.worst_error:.2e}>"
        )


def check_gradients(
    model_or_layer,
    x,
    y=None,
    sample_weight=None,
    loss=None,
    training=True,
    tolerance=1e-5,
    seed=0,
    h=1e-6,
):
    """Check a model's (or a layer's) backward pass against finite differences.

    The tool to test a custom layer: put it in a small model (or pass the
    layer alone) and look at the worst relative error of each gradient.

    For a model, the loss L(W) on (x, y) is computed by the model's own
    training-step machinery (`_forward`, `_loss_and_grad`, `_backward`,
    regularization), and each weight's analytic gradient dL/dW is compared
    with central differences
        dL/dW_i ≈ (L(W + h e_i) - L(W - h e_i)) / 2h
    (every entry for small weights, 8 random directions v . dL/dW for large
    ones). Each layer's own vector-Jacobian product dL/dx ("input" rows) is
    checked too, with `check_layer` on the input the layer sees in the model.
    For a layer alone, only `check_layer` runs (x is the input; y is unused).

    Everything runs on a float64 deep copy, so the user's model, its weights,
    gradients and optimizer are not touched, and `floatx()` is restored
    afterwards.

    Args:
        model_or_layer: a Sequential model or a Layer.
        x, y, sample_weight: a small batch (a few samples are enough).
        loss: the loss to check with (default: the model's compiled loss).
        training: run the forward pass in training mode (Dropout active,
            with the same random mask in every evaluation).
        tolerance: relative error above which a gradient fails. A correct
            backward pass gives 1e-10 to 1e-6 (round-off of the differences
            on small entries), a wrong one 1e-2 or more; an input within h of
            a kink (ReLU at 0) can fail one entry by chance: change the seed.
        seed, h: random seed (cotangents, directions, masks) and step size.

    Returns a `GradientCheckReport`; `print(report)` shows the table.
    """
    from .. import backend
    from ..layers.layer import Layer

    old_floatx = backend.floatx()
    backend.set_floatx("float64")
    try:
        if isinstance(model_or_layer, Layer):
            rows = _check_single_layer(model_or_layer, x, training, tolerance, seed, h)
            subject = f"layer {model_or_layer.name!r}"
        else:
            rows = _check_model(
                model_or_layer, x, y, sample_weight, loss, training, tolerance, seed, h
            )
            subject = f"model {model_or_layer.name!r}"
    finally:
        backend.set_floatx(old_floatx)
    return GradientCheckReport(subject, rows, tolerance)


def _float64_copy(model_or_layer):
    """A deep copy of a model or layer with every weight converted to float64.

    A deep copy rather than from_config(get_config()): a learner's custom
    layer often has no complete get_config, and the check must run exactly
    the user's objects. The copy's gradients are fresh zeros; a model's flat
    buffers are rebuilt in float64 when it is compiled again.
    """
    clone = copy.deepcopy(model_or_layer)
    layers = getattr(clone, "_layers", None) or getattr(clone, "layers", None)
    for layer in layers if layers is not None else [clone]:
        for name in list(layer.params):
            layer.params[name] = layer.params[name].astype(np.float64)
        for name in list(layer.grads):
            layer.grads[name] = np.zeros_like(layer.params[name])
        if getattr(layer, "_dtype", None) is not None:
            layer._dtype = "float64"
    return clone


def _row(layer, weight, shape, error, tolerance):
    return GradientCheckRow(layer, weight, shape, error, bool(error < tolerance))


def _check_single_layer(layer, x, training, tolerance, seed, h):
    x = np.array(x, dtype=np.float64)
    clone = _float64_copy(layer)
    clone.maybe_build(x.shape)
    errors = check_layer(clone, x, training=training, seed=seed, h=h)
    rows = [_row(layer.name, "input", x.shape, errors.pop("x"), tolerance)]
    for name, error in errors.items():
        rows.append(_row(layer.name, name, clone.params[name].shape, error, tolerance))
    return rows


def _check_model(model, x, y, sample_weight, loss, training, tolerance, seed, h):
    from .. import optimizers

    if y is None:
        raise ValueError(
            "check_gradients(model, x, y) needs the targets y to compute the loss."
        )
    loss = loss if loss is not None else getattr(model, "loss", None)
    if loss is None:
        raise ValueError(
            f"Model {model.name!r} has no loss: compile it first or pass "
            "check_gradients(model, x, y, loss='...')."
        )
    x = np.asarray(x)
    clone = _float64_copy(model)
    if not clone.built:
        clone.build((None,) + tuple(x.shape[1:]))
    clone.compile(
        optimizer=optimizers.SGD(learning_rate=1.0),
        loss=loss,
        loss_weights=getattr(model, "loss_weight", None),
    )
    x, y, sample_weight = clone._prepare_xy(x, y, sample_weight)
    state = clone._state
    generators = [
        (g, g.bit_generator.state)
        for layer in clone.layers
        for g in vars(layer).values()
        if isinstance(g, np.random.Generator)
    ]

    def restore_random_state():
        for g, g_state in generators:
            g.bit_generator.state = g_state

    def forward():
        """The training-mode forward pass with the same random draws each time."""
        restore_random_state()
        with fixed_seed(seed):
            return clone._forward(x, training)

    def loss_value():
        """L(W): the loss the training step minimizes (as _test_step computes it)."""
        y_pred, caches, activity_loss, _ = forward()
        if state.head is not None:
            value = state.head(y, caches[-1].z, sample_weight=sample_weight)
        else:
            value = state.loss(y, y_pred, sample_weight=sample_weight)
        return (
            float(value) * clone.loss_weight + activity_loss + clone._regularization()
        )

    # The analytic gradient, exactly as the training step computes it.
    clone._flat_grads.fill(0)
    y_pred, caches, _, activity_outputs = forward()
    _, dy, start = clone._loss_and_grad(state, y, y_pred, caches, sample_weight)
    if dy is not None:
        clone._backward(caches, dy, start, activity_outputs)
    clone._add_regularization_grads()
    analytic = {
        (i, name): layer.grads[name].copy()
        for i, layer in enumerate(clone.layers)
        for name in layer.grads
    }

    # The input each layer sees in that same forward pass.
    inputs = []
    restore_random_state()
    with fixed_seed(seed):
        layer_input = x
        for layer in clone.layers:
            inputs.append(layer_input)
            layer_input, _ = layer.forward(layer_input, training=training)

    rng = np.random.default_rng(seed)
    rows = []
    for i, layer in enumerate(clone.layers):
        restore_random_state()
        errors = check_layer(layer, inputs[i].copy(), training, seed, h)
        rows.append(_row(layer.name, "input", inputs[i].shape, errors["x"], tolerance))
        for name in layer.grads:
            error = compare(
                analytic[(i, name)], layer.params[name], loss_value, h=h, rng=rng
            )
            rows.append(
                _row(layer.name, name, layer.params[name].shape, error, tolerance)
            )
    return rows
