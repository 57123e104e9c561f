"""Optimizers: Keras formulas, Keras float32 numbers, flat path == per-tensor path,
state order, configs, EMA, gradient accumulation and validation."""

import math
import tracemalloc
import warnings

import numpy as np
import pytest

from numkeras import optimizers
from numkeras.optimizers import schedules

W0 = [1.0, -2.0, 0.5]
G1 = [0.1, -0.2, 0.3]
G2 = [-0.05, 0.4, 0.1]


# --------------------------------------------------------------------------
# Reference update rules in plain Python floats (one scalar weight, 2 steps),
# written from KERAS_REFERENCE.md §6.2.
def ref_sgd(w, gs, lr=0.01, momentum=0.0, nesterov=False):
    m = 0.0
    for g in gs:
        if momentum == 0:
            w -= lr * g
            continue
        m = momentum * m - lr * g
        w = w + momentum * m - lr * g if nesterov else w + m
    return w


def ref_rmsprop(w, gs, lr=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    v = a = mom = 0.0
    for g in gs:
        v = rho * v + (1 - rho) * g * g
        if centered:
            a = rho * a + (1 - rho) * g
            inc = lr * g / math.sqrt(v - a * a + epsilon)
        else:
            inc = lr * g / math.sqrt(v + epsilon)
        if momentum > 0:
            mom = momentum * mom + inc
            w -= mom
        else:
            w -= inc
    return w


def ref_adagrad(w, gs, lr=0.001, initial_accumulator_value=0.1, epsilon=1e-7):
    acc = initial_accumulator_value
    for g in gs:
        acc += g * g
        w -= lr * g / math.sqrt(acc + epsilon)
    return w


def ref_adadelta(w, gs, lr=0.001, rho=0.95, epsilon=1e-7):
    ag = ad = 0.0
    for g in gs:
        ag = rho * ag + (1 - rho) * g * g
        delta = -math.sqrt(ad + epsilon) * g / math.sqrt(ag + epsilon)
        ad = rho * ad + (1 - rho) * delta * delta
        w += lr * delta
    return w


def ref_adam(w, gs, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
    m = v = v_hat = 0.0
    for t, g in enumerate(gs, start=1):
        m += (g - m) * (1 - beta_1)
        v += (g * g - v) * (1 - beta_2)
        v_hat = max(v_hat, v)
        alpha = lr * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        w -= alpha * m / (math.sqrt(v_hat if amsgrad else v) + epsilon)
    return w


def ref_adamw(w, gs, lr=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999):
    m = v = 0.0
    for t, g in enumerate(gs, start=1):
        w -= w * weight_decay * lr  # decoupled decay first, with the current lr
        m += (g - m) * (1 - beta_1)
        v += (g * g - v) * (1 - beta_2)
        alpha = lr * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        w -= alpha * m / (math.sqrt(v) + 1e-7)
    return w


def ref_adamax(w, gs, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = u = 0.0
    for t, g in enumerate(gs, start=1):
        m += (g - m) * (1 - beta_1)
        u = max(beta_2 * u, abs(g))
        w -= lr * m / ((1 - beta_1**t) * (u + epsilon))
    return w


def ref_nadam(w, gs, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = v = 0.0
    u_product = 1.0
    for t, g in enumerate(gs, start=1):
        u_t = beta_1 * (1 - 0.5 * 0.96**t)
        u_t1 = beta_1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_product *= u_t
        m += (g - m) * (1 - beta_1)
        v += (g * g - v) * (1 - beta_2)
        m_hat = u_t1 * m / (1 - u_product * u_t1) + (1 - u_t) * g / (1 - u_product)
        v_hat = v / (1 - beta_2**t)
        w -= lr * m_hat / (math.sqrt(v_hat) + epsilon)
    return w


def ref_lion(w, gs, lr=0.001, beta_1=0.9, beta_2=0.99):
    m = 0.0
    for g in gs:
        c = beta_1 * m + (1 - beta_1) * g
        w -= lr * (c > 0) - lr * (c < 0)
        m = beta_2 * m + (1 - beta_2) * g
    return w


def ref_ftrl(w, gs, lr=0.001, p=-0.5, n=0.1, l1=0.0, l2=0.0, shrink=0.0, beta=0.0):
    z = 0.0
    for g in gs:
        l2b = l2 + beta / (2 * lr)
        n_new = n + g * g
        z += g + 2 * shrink * w - (n_new ** (-p) - n ** (-p)) / lr * w
        w = (min(max(z, -l1), l1) - z) / (n_new ** (-p) / lr + 2 * l2b)
        n = n_new
    return w


FORMULA_CASES = [
    ("SGD", {}, ref_sgd, {}),
    ("SGD", {"momentum": 0.9}, ref_sgd, {"momentum": 0.9}),
    (
        "SGD",
        {"momentum": 0.9, "nesterov": True},
        ref_sgd,
        {"momentum": 0.9, "nesterov": True},
    ),
    ("RMSprop", {}, ref_rmsprop, {}),
    ("RMSprop", {"centered": True}, ref_rmsprop, {"centered": True}),
    (
        "RMSprop",
        {"momentum": 0.5, "rho": 0.8},
        ref_rmsprop,
        {"momentum": 0.5, "rho": 0.8},
    ),
    (
        "Adagrad",
        {"initial_accumulator_value": 0.5},
        ref_adagrad,
        {"initial_accumulator_value": 0.5},
    ),
    ("Adagrad", {}, ref_adagrad, {}),
    ("Adadelta", {}, ref_adadelta, {}),
    (
        "Adadelta",
        {"learning_rate": 1.0, "rho": 0.9},
        ref_adadelta,
        {"lr": 1.0, "rho": 0.9},
    ),
    ("Adam", {}, ref_adam, {}),
    ("Adam", {"amsgrad": True}, ref_adam, {"amsgrad": True}),
    (
        "Adam",
        {"beta_1": 0.5, "epsilon": 1e-3},
        ref_adam,
        {"beta_1": 0.5, "epsilon": 1e-3},
    ),
    ("AdamW", {}, ref_adamw, {}),
    (
        "AdamW",
        {"weight_decay": 0.5, "learning_rate": 0.1},
        ref_adamw,
        {"weight_decay": 0.5, "lr": 0.1},
    ),
    ("Adamax", {}, ref_adamax, {}),
    ("Nadam", {}, ref_nadam, {}),
    ("Lion", {}, ref_lion, {}),
    ("Lion", {"beta_1": 0.5, "beta_2": 0.9}, ref_lion, {"beta_1": 0.5, "beta_2": 0.9}),
    ("Ftrl", {}, ref_ftrl, {}),
    (
        "Ftrl",
        {
            "l1_regularization_strength": 0.001,
            "l2_regularization_strength": 0.02,
            "l2_shrinkage_regularization_strength": 0.03,
            "beta": 0.1,
            "learning_rate_power": -0.6,
            "initial_accumulator_value": 0.2,
        },
        ref_ftrl,
        {"l1": 0.001, "l2": 0.02, "shrink": 0.03, "beta": 0.1, "p": -0.6, "n": 0.2},
    ),
]


@pytest.mark.parametrize("cls_name, kwargs, ref, ref_kwargs", FORMULA_CASES)
@pytest.mark.parametrize("path", ["apply", "apply_flat"])
def test_two_steps_match_the_formula(float64, cls_name, kwargs, ref, ref_kwargs, path):
    opt = getattr(optimizers, cls_name)(**kwargs)
    w = np.array(W0)
    opt.build([w])
    for g in (G1, G2):
        if path == "apply":
            opt.apply([np.array(g)], [w])
        else:
            opt.apply_flat(np.array(g), w)
    expected = [
        ref(w0, [g1, g2], **ref_kwargs) for w0, g1, g2 in zip(W0, G1, G2, strict=True)
    ]
    np.testing.assert_allclose(w, expected, rtol=1e-12, atol=1e-15)
    assert opt.iterations == 2


# Two steps of real keras 3.15.1 (JAX, CPU) in float32 from W0 with G1, G2.
KERAS_TWO_STEPS = {
    ("SGD", ()): [
        [0.9990000128746033, -1.9980000257492065, 0.4970000088214874],
        [0.999500036239624, -2.002000093460083, 0.4960000216960907],
    ],
    ("SGD", (("momentum", 0.9),)): [
        [0.9990000128746033, -1.9980000257492065, 0.4970000088214874],
        [0.9986000061035156, -2.000200033187866, 0.49330002069473267],
    ],
    ("SGD", (("momentum", 0.9), ("nesterov", True))): [
        [0.9980999827384949, -1.9961999654769897, 0.4943000078201294],
        [0.9982399940490723, -2.0021798610687256, 0.48996999859809875],
    ],
    ("RMSprop", ()): [
        [0.996837854385376, -1.9968377351760864, 0.4968377351760864],
        [0.99831223487854, -1.99969482421875, 0.49578946828842163],
    ],
    ("RMSprop", (("centered", True), ("momentum", 0.5))): [
        [0.9966668486595154, -1.996666669845581, 0.49666669964790344],
        [0.9964849948883057, -1.9978930950164795, 0.49386271834373474],
    ],
    ("Adagrad", ()): [
        [0.9996984601020813, -1.9994654655456543, 0.49931174516677856],
        [0.9998475313186646, -2.0001957416534424, 0.4990881383419037],
    ],
    ("Adadelta", ()): [
        [0.9999985694885254, -1.9999985694885254, 0.4999985992908478],
        [0.999999463558197, -2.000000476837158, 0.49999794363975525],
    ],
    ("Adam", ()): [
        [0.9990000128746033, -1.999000072479248, 0.49900001287460327],
        [0.9987336993217468, -1.9993661642074585, 0.4981289803981781],
    ],
    ("Adam", (("amsgrad", True),)): [
        [0.9990000128746033, -1.999000072479248, 0.49900001287460327],
        [0.9987336993217468, -1.9993661642074585, 0.4981289803981781],
    ],
    ("AdamW", ()): [
        [0.9989960193634033, -1.9989920854568481, 0.4989980161190033],
        [0.9987257122993469, -1.9993501901626587, 0.49812498688697815],
    ],
    ("Adamax", ()): [
        [0.9990000128746033, -1.9989999532699585, 0.49900001287460327],
        [0.9987892508506775, -1.9992893934249878, 0.49835023283958435],
    ],
    ("Nadam", ()): [
        [0.99893718957901, -1.9989372491836548, 0.4989372193813324],
        [0.9993298053741455, -1.9998189210891724, 0.4985455870628357],
    ],
    ("Lion", ()): [
        [0.9990000128746033, -1.9989999532699585, 0.49900001287460327],
        [1.0, -2.0, 0.49800002574920654],
    ],
    ("Ftrl", ()): [
        [0.04623589664697647, -0.30915701389312744, 0.1365736424922943],
        [0.04638496786355972, -0.3098873198032379, 0.13635003566741943],
    ],
}


@pytest.mark.parametrize("key", list(KERAS_TWO_STEPS), ids=str)
@pytest.mark.parametrize("path", ["apply", "apply_flat"])
def test_two_steps_match_keras_float32(key, path):
    """Bit-for-bit here (0 ulp) except Ftrl (XLA fuses its power/divide: <= 3 ulp);
    1 ulp is allowed for libm differences between platforms."""
    cls_name, kwargs = key
    opt = getattr(optimizers, cls_name)(**dict(kwargs))
    w = np.array(W0, dtype="float32")
    opt.build([w])
    for g, expected in zip((G1, G2), KERAS_TWO_STEPS[key], strict=True):
        g = np.array(g, dtype="float32")
        opt.apply([g], [w]) if path == "apply" else opt.apply_flat(g, w)
        expected = np.array(expected, dtype="float32")
        np.testing.assert_array_max_ulp(
            w, expected, maxulp=4 if cls_name == "Ftrl" else 1
        )
    assert w.dtype == np.float32


# --------------------------------------------------------------------------
# The flat path equals the per-tensor path.
OPTIMIZER_CASES = [
    ("SGD", {}),
    ("SGD", {"momentum": 0.9}),
    ("SGD", {"momentum": 0.9, "nesterov": True}),
    ("RMSprop", {}),
    ("RMSprop", {"momentum": 0.5, "centered": True}),
    ("Adagrad", {}),
    ("Adadelta", {}),
    ("Adam", {}),
    ("Adam", {"amsgrad": True}),
    ("AdamW", {}),
    ("Adamax", {}),
    ("Nadam", {}),
    ("Lion", {}),
    ("Ftrl", {}),
    ("Ftrl", {"l1_regularization_strength": 0.01, "l2_regularization_strength": 0.1}),
]
BASE_OPTIONS = [
    {},
    {"clipnorm": 0.5},
    {"global_clipnorm": 0.5},
    {"clipvalue": 0.1},
    {"weight_decay": 0.1},
    {"learning_rate": schedules.ExponentialDecay(0.01, decay_steps=2, decay_rate=0.5)},
    {"use_ema": True, "ema_overwrite_frequency": 3},
    {"gradient_accumulation_steps": 2, "clipnorm": 1.0},
    {"loss_scale_factor": 8.0},
]
SHAPES = [(3, 4), (4,), (), (2, 0), (5, 1, 2)]


def _run_both_paths(opt_a, opt_b, steps, seed=0, dtype="float64"):
    rng = np.random.default_rng(seed)
    separate = [rng.normal(size=s).astype(dtype) for s in SHAPES]
    flat = np.concatenate([w.ravel() for w in separate])
    views, start = [], 0
    for s in SHAPES:
        size = int(np.prod(s))
        views.append(flat[start : start + size].reshape(s))
        start += size
    opt_a.build(separate)
    opt_b.build(views)
    for _ in range(steps):
        grads = [rng.normal(size=s).astype(dtype) for s in SHAPES]
        opt_a.apply(grads, separate)
        opt_b.apply_flat(np.concatenate([g.ravel() for g in grads]), flat)
    return separate, views


@pytest.mark.parametrize("options", BASE_OPTIONS, ids=lambda o: ",".join(o) or "plain")
@pytest.mark.parametrize("cls_name, kwargs", OPTIMIZER_CASES, ids=str)
def test_apply_flat_equals_apply(float64, cls_name, kwargs, options):
    cls = getattr(optimizers, cls_name)
    opt_a, opt_b = cls(**kwargs, **options), cls(**kwargs, **options)
    separate, views = _run_both_paths(opt_a, opt_b, steps=5)
    for a, b in zip(separate, views, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    for a, b in zip(opt_a.variables, opt_b.variables, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert opt_a.iterations == opt_b.iterations


def test_flat_adam_step_allocates_nothing():
    opt = optimizers.Adam()
    rng = np.random.default_rng(0)
    flat = rng.normal(size=10_000).astype("float32")
    grad = rng.normal(size=10_000).astype("float32")
    opt.build([flat[:6000].reshape(60, 100), flat[6000:]])
    opt.apply_flat(grad, flat)
    tracemalloc.start()
    opt.apply_flat(grad, flat)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4000  # a single temporary array would be 40,000 bytes


@pytest.mark.parametrize("cls_name, kwargs", OPTIMIZER_CASES, ids=str)
def test_float32_in_float32_out(cls_name, kwargs):
    opt_a = getattr(optimizers, cls_name)(**kwargs, weight_decay=0.01, clipnorm=1.0)
    opt_b = getattr(optimizers, cls_name)(**kwargs, weight_decay=0.01, clipnorm=1.0)
    separate, views = _run_both_paths(opt_a, opt_b, steps=2, dtype="float32")
    for w in separate + views + opt_a.variables[1:] + opt_b.variables[1:]:
        assert w.dtype == np.float32
    assert opt_a.variables[0].dtype == np.int64


# --------------------------------------------------------------------------
# Clipping, weight decay, loss scaling, schedules inside the optimizer.
def _sgd_one_step(float_lr=1.0, **kwargs):
    opt = optimizers.SGD(learning_rate=float_lr, **kwargs)
    ws = [np.zeros(2), np.zeros(1)]
    opt.apply([np.array([3.0, 4.0]), np.array([1.0])], ws)
    return ws


def test_clipnorm_clips_each_tensor(float64):
    a, b = _sgd_one_step(clipnorm=1.0)
    np.testing.assert_allclose(a, [-0.6, -0.8])  # norm 5 -> 1
    np.testing.assert_allclose(b, [-1.0])  # norm 1: unchanged


def test_global_clipnorm_scales_all_tensors_together(float64):
    a, b = _sgd_one_step(global_clipnorm=1.0)
    norm = math.sqrt(26.0)
    np.testing.assert_allclose(a, [-3 / norm, -4 / norm])
    np.testing.assert_allclose(b, [-1 / norm])


def test_clipvalue_clips_elementwise(float64):
    a, b = _sgd_one_step(clipvalue=2.0)
    np.testing.assert_allclose(a, [-2.0, -2.0])
    np.testing.assert_allclose(b, [-1.0])


def test_only_one_clip_argument():
    with pytest.raises(ValueError, match="Only one of"):
        optimizers.Adam(clipnorm=1.0, clipvalue=1.0)


def test_weight_decay_is_decoupled_and_uses_current_lr(float64):
    lr = schedules.PiecewiseConstantDecay([0], [0.5, 0.25])
    opt = optimizers.SGD(learning_rate=lr, weight_decay=0.1)
    w = np.array([2.0])
    opt.apply([np.array([1.0])], [w])  # w - w*0.1*0.5 - 0.5*1
    np.testing.assert_allclose(w, [2.0 - 0.1 - 0.5])
    opt.apply([np.array([1.0])], [w])  # lr is now 0.25
    np.testing.assert_allclose(w, [1.4 - 1.4 * 0.1 * 0.25 - 0.25])


def test_adamw_defaults_and_requires_weight_decay():
    assert optimizers.AdamW().weight_decay == 0.004
    assert optimizers.AdamW().get_config()["weight_decay"] == 0.004
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)


@pytest.mark.parametrize("path", ["apply", "apply_flat"])
def test_exclude_from_weight_decay(float64, path):
    opt = optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    flat = np.ones(5)
    kernel, bias, other = flat[:2], flat[2:4], flat[4:]
    opt.exclude_from_weight_decay(var_list=[other], var_names=["bias"])
    opt.build([kernel, bias, other], names=["dense/kernel", "dense/bias", "x"])
    if path == "apply":
        opt.apply([np.zeros(2), np.zeros(2), np.zeros(1)], [kernel, bias, other])
    else:
        opt.apply_flat(np.zeros(5), flat)
    np.testing.assert_allclose(flat, [0.95, 0.95, 1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="before"):
        opt.exclude_from_weight_decay(var_names=["kernel"])


def test_loss_scale_factor(float64):
    opt = optimizers.SGD(learning_rate=0.1, loss_scale_factor=4.0)
    w = np.array([1.0])
    opt.apply([np.array([4.0])], [w])
    np.testing.assert_allclose(w, [0.9])
    assert opt.scale_loss(2.0) == 8.0
    assert optimizers.SGD().scale_loss(2.0) == 2.0


def test_schedule_is_evaluated_before_the_increment(float64):
    lr = schedules.PiecewiseConstantDecay([0, 1], [1.0, 0.1, 0.01])
    opt = optimizers.SGD(learning_rate=lr)
    w = np.array([0.0])
    assert opt.learning_rate == 1.0  # schedule(0)
    for expected in (-1.0, -1.1, -1.11):
        opt.apply([np.array([1.0])], [w])
        np.testing.assert_allclose(w, [expected])
    assert opt.learning_rate == 0.01
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.5


def test_callable_learning_rate_takes_no_arguments(float64):
    values = iter([0.5, 0.25])
    opt = optimizers.SGD(learning_rate=lambda: next(values))
    w = np.array([0.0])
    opt.apply([np.array([1.0])], [w])
    opt.apply([np.array([1.0])], [w])
    np.testing.assert_allclose(w, [-0.75])
    assert len(opt.variables) == 1  # no learning_rate variable


def test_none_gradients_are_dropped_with_a_warning(float64):
    opt = optimizers.SGD(learning_rate=1.0)
    a, b = np.array([1.0]), np.array([1.0])
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply([None, np.array([1.0])], [a, b])
    assert (a[0], b[0]) == (1.0, 0.0)
    with pytest.raises(ValueError, match="No gradients"):
        opt.apply([None, None], [a, b])


def test_apply_gradients_alias(float64):
    opt = optimizers.SGD(learning_rate=1.0)
    w = np.array([1.0])
    assert opt.apply_gradients([(np.array([0.5]), w)]) == 1
    assert w[0] == 0.5


def test_apply_flat_checks():
    opt = optimizers.SGD()
    with pytest.raises(ValueError, match="build"):
        opt.apply_flat(np.zeros(3, "float32"), np.zeros(3, "float32"))
    opt.build([np.zeros(3, "float32")])
    with pytest.raises(ValueError, match="size 3"):
        opt.apply_flat(np.zeros(4, "float32"), np.zeros(4, "float32"))
    with pytest.raises(ValueError, match="float32"):
        opt.apply_flat(np.zeros(3), np.zeros(3, "float32"))
    with pytest.raises(ValueError, match="share a dtype"):
        optimizers.SGD().build([np.zeros(2, "float32"), np.zeros(2)])


# --------------------------------------------------------------------------
# EMA and gradient accumulation.
@pytest.mark.parametrize("path", ["apply", "apply_flat"])
def test_ema_and_finalize(float64, path):
    opt = optimizers.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.9)
    w = np.array([1.0])
    opt.build([w])
    for _ in range(2):
        opt.apply([np.array([1.0])], [w]) if path == "apply" else opt.apply_flat(
            np.array([1.0]), w
        )
    average = opt.variables[2]
    np.testing.assert_allclose(average, [0.9 * 0.9 + 0.1 * 0.8])  # first step: = w
    np.testing.assert_allclose(w, [0.8])
    opt.finalize_variable_values([w])
    np.testing.assert_allclose(w, [0.89])


def test_ema_overwrite_frequency(float64):
    opt = optimizers.SGD(
        learning_rate=0.1, use_ema=True, ema_momentum=0.9, ema_overwrite_frequency=2
    )
    w = np.array([1.0])
    opt.apply([np.array([1.0])], [w])
    np.testing.assert_allclose(w, [0.9])
    opt.apply([np.array([1.0])], [w])  # second step: w <- average
    np.testing.assert_allclose(w, [0.89])


@pytest.mark.parametrize("path", ["apply", "apply_flat"])
def test_gradient_accumulation(float64, path):
    lr = schedules.PiecewiseConstantDecay([0], [1.0, 0.1])  # sees the raw count
    opt = optimizers.SGD(learning_rate=lr, gradient_accumulation_steps=2)
    w = np.array([1.0])
    opt.build([w])
    for g, expected, iterations in ((1.0, 1.0, 0), (3.0, 0.8, 1), (5.0, 0.8, 1)):
        g = np.array([g])
        opt.apply([g], [w]) if path == "apply" else opt.apply_flat(g, w)
        np.testing.assert_allclose(w, [expected])
        assert opt.iterations == iterations
    assert int(opt.variables[0]) == 3  # the raw counter is what Keras saves
    np.testing.assert_allclose(opt.variables[1], [5.0])  # the accumulator


def test_gradient_accumulation_uses_applied_steps_in_adam(float64):
    opt = optimizers.Adam(learning_rate=0.1, gradient_accumulation_steps=3)
    w = np.array([0.0])
    for _ in range(3):
        opt.apply([np.array([2.0])], [w])
    # the first applied update is Adam's t = 1 step: about -lr * sign(g)
    np.testing.assert_allclose(w, [-0.1], rtol=1e-4)


# --------------------------------------------------------------------------
# State: variables order, set_variables, save/load.
def test_variables_order_matches_keras(float64):
    a, b = np.zeros((2, 3)), np.zeros(3)
    ga, gb = np.full((2, 3), 2.0), np.full(3, 3.0)
    opt = optimizers.Adam(amsgrad=True)
    opt.apply([ga, gb], [a, b])
    v = opt.variables
    assert [x.shape for x in v] == [(), (), (2, 3), (2, 3), (3,), (3,), (2, 3), (3,)]
    assert v[0].dtype == np.int64 and int(v[0]) == 1
    np.testing.assert_allclose(v[2], 0.1 * ga)  # m(v0), v(v0), m(v1), v(v1)
    np.testing.assert_allclose(v[3], 0.001 * ga**2)
    np.testing.assert_allclose(v[4], 0.1 * gb)
    np.testing.assert_allclose(v[5], 0.001 * gb**2)
    np.testing.assert_allclose(v[6], 0.001 * ga**2)  # then velocity_hat(v0), (v1)
    np.testing.assert_allclose(v[7], 0.001 * gb**2)


@pytest.mark.parametrize(
    "opt, shapes",
    [
        (optimizers.SGD(), [(), ()]),
        (optimizers.SGD(momentum=0.9), [(), (), (2, 3), (3,)]),
        (
            optimizers.RMSprop(momentum=0.5, centered=True),
            [(), ()] + [(2, 3), (3,)] * 3,  # velocity, momentum, average_gradient
        ),
        (optimizers.Adadelta(), [(), (), (2, 3), (2, 3), (3,), (3,)]),
        (optimizers.Nadam(), [(), (), (2, 3), (2, 3), (3,), (3,), ()]),
        (optimizers.Ftrl(), [(), (), (2, 3), (2, 3), (3,), (3,)]),
        (
            optimizers.Adam(use_ema=True, gradient_accumulation_steps=2),
            [(), ()] + [(2, 3), (3,)] * 2 + [(2, 3), (2, 3), (3,), (3,)],
        ),
        (
            optimizers.Adam(schedules.ExponentialDecay(0.1, 10, 0.5)),
            [(), (2, 3), (2, 3), (3,), (3,)],  # no learning_rate variable
        ),
    ],
    ids=lambda x: type(x).__name__ if isinstance(x, optimizers.Optimizer) else "",
)
def test_variables_shapes_in_keras_order(opt, shapes):
    """Shapes of `variables` as listed by keras 3.15.1 for the same builds."""
    opt.build([np.zeros((2, 3), "float32"), np.zeros(3, "float32")])
    assert [v.shape for v in opt.variables] == shapes


def test_variable_shapes():
    opt = optimizers.Adam()
    assert opt.variable_shapes == []
    opt.build([np.zeros((2, 3), "float32"), np.zeros(3, "float32")])
    assert opt.variable_shapes == [(2, 3), (3,)]


def test_nadam_u_product_is_saved_last(float64):
    opt = optimizers.Nadam()
    opt.apply([np.array([1.0])], [np.array([0.0])])
    np.testing.assert_allclose(opt.variables[-1], 0.9 * (1 - 0.5 * 0.96))


def test_ftrl_accumulator_starts_at_initial_value():
    opt = optimizers.Ftrl(initial_accumulator_value=0.3)
    opt.build([np.zeros(2, "float32")])
    np.testing.assert_allclose(opt.variables[2], [0.3, 0.3])  # accumulator, linear
    np.testing.assert_allclose(opt.variables[3], [0.0, 0.0])


@pytest.mark.parametrize("cls_name, kwargs", OPTIMIZER_CASES, ids=str)
def test_set_variables_round_trip(cls_name, kwargs):
    cls = getattr(optimizers, cls_name)
    rng = np.random.default_rng(1)
    grads = [
        [rng.normal(size=s).astype("float32") for s in [(3, 2), (2,)]] for _ in range(6)
    ]
    w1 = [np.ones((3, 2), "float32"), np.ones(2, "float32")]
    opt1 = cls(**kwargs)
    for g in grads[:3]:
        opt1.apply(g, w1)
    w2 = [w.copy() for w in w1]
    opt2 = cls(**kwargs)
    opt2.build(w2)
    opt2.set_variables([np.array(v) for v in opt1.variables])
    assert opt2.iterations == 3
    for g in grads[3:]:
        opt1.apply(g, w1)
        opt2.apply(g, w2)
    for a, b in zip(w1 + opt1.variables, w2 + opt2.variables, strict=True):
        np.testing.assert_array_equal(a, b)


def test_set_variables_checks_length_and_shapes():
    opt = optimizers.Adam()
    opt.build([np.zeros(3, "float32")])
    with pytest.raises(ValueError, match="4 variables"):
        opt.set_variables([0, 0.1])
    with pytest.raises(ValueError, match="shape"):
        opt.set_variables([0, 0.1, np.zeros(2), np.zeros(3)])


def test_save_and_load_own_variables():
    opt = optimizers.SGD(momentum=0.9)
    w = np.ones(2, "float32")
    opt.apply([np.ones(2, "float32")], [w])
    store = {}
    opt.save_own_variables(store)
    assert sorted(store) == ["0", "1", "2"]
    fresh = optimizers.SGD(momentum=0.9)
    fresh.build([w])
    fresh.load_own_variables(store)
    assert fresh.iterations == 1
    np.testing.assert_array_equal(fresh.variables[2], opt.variables[2])
    unbuilt = optimizers.SGD(momentum=0.9)
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        unbuilt.load_own_variables(store)


# --------------------------------------------------------------------------
# learning_rate handling and validation.
def test_learning_rate_is_stored_as_float32_like_keras():
    opt = optimizers.Adam()
    assert opt.learning_rate == 0.0010000000474974513
    assert opt.get_config()["learning_rate"] == 0.0010000000474974513
    assert opt.variables[1].dtype == np.float32
    opt.learning_rate = 0.5
    assert opt.learning_rate == 0.5 and isinstance(opt.learning_rate, float)


def test_int_learning_rate_is_accepted_as_float():
    opt = optimizers.SGD(learning_rate=1)
    assert opt.learning_rate == 1.0 and isinstance(opt.learning_rate, float)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "0.1", None, True])
def test_invalid_learning_rate(bad):
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.SGD(learning_rate=bad)
    opt = optimizers.SGD()
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = bad


def test_legacy_lr_and_decay_kwargs():
    with pytest.warns(UserWarning, match="`lr` argument is deprecated"):
        opt = optimizers.Adam(lr=0.5)
    assert opt.learning_rate == 0.5
    with pytest.warns(UserWarning, match="`decay` is no longer supported"):
        optimizers.SGD(decay=1e-6)
    with pytest.raises(ValueError, match="not recognized.*foo"):
        optimizers.SGD(foo=1)


@pytest.mark.parametrize(
    "factory, match",
    [
        (lambda: optimizers.SGD(momentum=1.5), "momentum=1.5"),
        (lambda: optimizers.SGD(momentum=-0.1), "momentum=-0.1"),
        (lambda: optimizers.RMSprop(rho=2.0), "rho=2.0"),
        (lambda: optimizers.Adam(beta_1=-0.5), "beta_1=-0.5"),
        (lambda: optimizers.Adam(beta_2=1.01), "beta_2=1.01"),
        (lambda: optimizers.Adam(epsilon=-1e-7), "epsilon=-1e-07"),
        (lambda: optimizers.Adagrad(initial_accumulator_value=-1), "initial_accum"),
        (lambda: optimizers.Lion(beta_1=0.0), r"beta_1.*\(0, 1\]"),
        (lambda: optimizers.Ftrl(learning_rate_power=0.5), "learning_rate_power"),
        (lambda: optimizers.Ftrl(l1_regularization_strength=-1), "l1_regularization"),
        (lambda: optimizers.Adam(weight_decay=-0.1), "weight_decay"),
        (lambda: optimizers.Adam(clipnorm=-1.0), "clipnorm"),
        (lambda: optimizers.Adam(gradient_accumulation_steps=1), "gradient_accum"),
        (lambda: optimizers.Adam(use_ema=True, ema_momentum=1.5), "ema_momentum"),
        (lambda: optimizers.Adam(loss_scale_factor=0.0), "loss_scale_factor"),
    ],
)
def test_hyperparameter_validation(factory, match):
    with pytest.raises(ValueError, match=match):
        factory()


def test_int_momentum_is_accepted():
    assert optimizers.SGD(momentum=0).momentum == 0.0


# --------------------------------------------------------------------------
# get / serialize / deserialize / config.
def test_get_by_name_is_case_insensitive():
    for name, cls in [("adam", "Adam"), ("SGD", "SGD"), ("rmsprop", "RMSprop")]:
        assert type(optimizers.get(name)).__name__ == cls
    for name in ("adagrad", "adadelta", "adamw", "adamax", "nadam", "lion", "ftrl"):
        assert type(optimizers.get(name)).__name__.lower() == name
    assert optimizers.get("sgd").learning_rate == pytest.approx(0.01)


def test_get_other_identifiers():
    opt = optimizers.Adam()
    assert optimizers.get(opt) is opt
    assert optimizers.get(None) is None
    assert isinstance(optimizers.get(optimizers.Nadam), optimizers.Nadam)
    cfg = {"class_name": "adam", "config": {"learning_rate": 0.5}}
    assert optimizers.get(cfg).learning_rate == 0.5
    with pytest.raises(ValueError, match="Adam.*SGD"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match="optimizer"):
        optimizers.get(42)


def test_default_names_follow_keras():
    assert optimizers.Adam().name.startswith("adam")
    assert optimizers.RMSprop().name.startswith("rm_sprop")
    assert optimizers.SGD(name="mine").name == "mine"


@pytest.mark.parametrize("cls_name, kwargs", OPTIMIZER_CASES, ids=str)
def test_serialize_round_trip(cls_name, kwargs):
    opt = getattr(optimizers, cls_name)(learning_rate=0.25, clipnorm=2.0, **kwargs)
    data = optimizers.serialize(opt)
    assert data["module"] == "keras.optimizers"
    assert data["class_name"] == cls_name
    assert data["registered_name"] is None
    again = optimizers.deserialize(data)
    assert type(again) is type(opt)
    assert again.get_config() == opt.get_config()


def test_config_keys_match_keras():
    config = optimizers.Adam().get_config()
    assert list(config) == [
        "name",
        "learning_rate",
        "weight_decay",
        "clipnorm",
        "global_clipnorm",
        "clipvalue",
        "use_ema",
        "ema_momentum",
        "ema_overwrite_frequency",
        "loss_scale_factor",
        "gradient_accumulation_steps",
        "beta_1",
        "beta_2",
        "epsilon",
        "amsgrad",
    ]


def test_config_with_a_schedule_round_trips():
    schedule = schedules.CosineDecay(0.1, decay_steps=100, alpha=0.1)
    opt = optimizers.SGD(learning_rate=schedule, momentum=0.9)
    config = opt.get_config()
    assert config["learning_rate"]["class_name"] == "CosineDecay"
    assert config["learning_rate"]["module"] == "keras.optimizers.schedules"
    again = optimizers.SGD.from_config(config)
    assert isinstance(again._lr_schedule, schedules.CosineDecay)
    assert again.get_config() == config


def test_from_config_accepts_tf_keras_2_keys():
    config = optimizers.Adam().get_config()
    config.update({"is_legacy_optimizer": False, "jit_compile": True})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert isinstance(optimizers.Adam.from_config(config), optimizers.Adam)
