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
        a = (directions * np.asarray(analytic, dtype=np.float64)).reshape(
            len(directions), -1
        ).sum(1)
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
