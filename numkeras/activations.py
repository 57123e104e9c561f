"""Activation functions (`keras.activations`), each with its backward pass beside it.

Every built-in is an `ActivationFunction` value: calling it works like Keras's
function (`activations.relu(x, negative_slope=0.1)`), and `act.vjp(x, y, dy)`
returns the gradient with respect to x given the input x, the output
y = act(x) and the upstream gradient dy. Shapes: x, y, dy and dx all have the
same shape (except `glu`, whose y and dy have half of x's size along `axis`).

VJP rules: a vjp may overwrite `dy` and return it (backward owns dy), but
never mutates x or y, and its result has dy's dtype. Computations keep the
input dtype (float32 stays float32): constants are Python floats.

This file is the table of derivative rules for the library: every elementwise
VJP lives here. Formulas and defaults follow Keras 3 (KERAS_REFERENCE §1).
"""

import numpy as np

from . import backend
from .saving import serialization_lib


class ActivationFunction:
    """A named activation with its vector-Jacobian product.

    Args:
        name: the Keras name (what `serialize` writes), e.g. "relu".
        fn: `fn(x, **kwargs) -> y`.
        vjp: `vjp(x, y, dy, **kwargs) -> dx` (may overwrite dy; never x or y).
        kinks: the x values where the derivative jumps (tests keep inputs away
            from them), or a function `kinks(**kwargs) -> tuple` when they
            depend on the keyword arguments.
        kwargs: keyword arguments bound to this value (see `with_kwargs`).
    """

    def __init__(self, name, fn, vjp, kinks=(), kwargs=None):
        self.name = name
        self.__name__ = name
        self.fn = fn
        self.vjp_fn = vjp
        self._kinks = kinks
        self.kwargs = dict(kwargs or {})
        self.__doc__ = fn.__doc__

    def __call__(self, x, **kwargs):
        x = _as_float_array(x)
        if self.kwargs or kwargs:
            return self.fn(x, **{**self.kwargs, **kwargs})
        return self.fn(x)

    def vjp(self, x, y, dy, **kwargs):
        """dx for input x, output y = self(x) and upstream gradient dy."""
        if self.kwargs or kwargs:
            return self.vjp_fn(x, y, dy, **{**self.kwargs, **kwargs})
        return self.vjp_fn(x, y, dy)

    def with_kwargs(self, **kwargs):
        """A copy with `kwargs` bound (on top of any already bound)."""
        merged = {**self.kwargs, **kwargs}
        return ActivationFunction(self.name, self.fn, self.vjp_fn, self._kinks, merged)

    def output_shape(self, shape):
        """The output shape for inputs of `shape` (glu halves its axis)."""
        if self.name != "glu":
            return tuple(shape)
        axis = self.kwargs.get("axis", -1)
        shape = list(shape)
        if shape[axis] is not None:
            shape[axis] //= 2
        return tuple(shape)

    @property
    def kinks(self):
        """The x values (for the bound kwargs) where the derivative jumps."""
        if callable(self._kinks):
            return tuple(self._kinks(**self.kwargs))
        return tuple(self._kinks)

    def __repr__(self):
        bound = "".join(f", {k}={v!r}" for k, v in self.kwargs.items())
        return f"ActivationFunction({self.name!r}{bound})"


def _as_float_array(x):
    """x as a float ndarray; lists and integer arrays become floatx()."""
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return x
    if isinstance(x, np.generic) and x.dtype.kind == "f":
        return np.asarray(x)
    return np.asarray(x, dtype=backend.floatx())


def _mask(condition, dtype):
    """A boolean array as 0/1 of `dtype`."""
    return condition.astype(dtype)


# --------------------------------------------------------------------------------
# Numerically stable building blocks
# --------------------------------------------------------------------------------


def _sigmoid(x):
    """1 / (1 + exp(-x)), without overflow: exp is only taken of -|x|."""
    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0, e)
    out /= 1.0 + e
    return out


def _softplus(x):
    """log(1 + exp(x)) = logaddexp(x, 0)."""
    return np.logaddexp(x, 0.0)


# W. J. Cody's rational approximations (Math. Comp. 23, 1969; CALERF), accurate to
# about 1e-16 relative in float64 on each interval.
# fmt: off
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
          3.20937758913846947e03, 1.85777706184603153e-1)
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
          2.84423683343917062e03)
_ERFC_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
           2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
           2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_ERFC_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
           1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
           3.43936767414372164e03, 1.23033935480374942e03)
_ERFC_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
           1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_ERFC_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
           6.05183413124413191e-2, 2.33520497626869185e-3)
# fmt: on
_ERF_SMALL = 0.46875  # |x| below this: erf by a rational function of x^2
_ERFC_MID = 4.0  # |x| up to this: erfc(|x|) = exp(-x^2) * R(|x|)


def _erf_small(x):
    """erf(x) for |x| <= 0.46875: x * P(x^2) / Q(x^2)."""
    z = x * x
    num = _ERF_A[4] * z
    den = z
    for i in range(3):
        num = (num + _ERF_A[i]) * z
        den = (den + _ERF_B[i]) * z
    return x * (num + _ERF_A[3]) / (den + _ERF_B[3])


def _exp_minus_square(ax):
    """exp(-ax^2), with ax^2 split so its rounding error is not amplified."""
    head = np.trunc(ax * 16.0) / 16.0
    tail = (ax - head) * (ax + head)
    return np.exp(-head * head) * np.exp(-tail)


def _erfc_positive(ax):
    """erfc(ax) for ax > 0.46875 (ax = |x|)."""
    out = np.empty_like(ax)
    mid = ax <= _ERFC_MID
    a = ax[mid]
    num = _ERFC_C[8] * a
    den = a
    for i in range(7):
        num = (num + _ERFC_C[i]) * a
        den = (den + _ERFC_D[i]) * a
    out[mid] = (num + _ERFC_C[7]) / (den + _ERFC_D[7])
    big = ~mid
    a = ax[big]
    z = 1.0 / (a * a)
    num = _ERFC_P[5] * z
    den = z
    for i in range(4):
        num = (num + _ERFC_P[i]) * z
        den = (den + _ERFC_Q[i]) * z
    r = z * (num + _ERFC_P[4]) / (den + _ERFC_Q[4])
    out[big] = (0.56418958354775628695 - r) / a  # 1/sqrt(pi) - r
    return out * _exp_minus_square(ax)


def erf(x):
    """The error function, elementwise (NumPy has none). |error| ~ 1e-16."""
    x = np.asarray(x)
    if x.dtype.itemsize < 4:  # the polynomials overflow float16
        return erf(x.astype(np.float32)).astype(x.dtype)
    ax = np.abs(x)
    out = np.empty_like(x)
    small = ax <= _ERF_SMALL
    out[small] = _erf_small(x[small])
    large = ~small
    tail = 1.0 - _erfc_positive(ax[large])
    out[large] = np.where(x[large] < 0, -tail, tail)
    return out


def erfc(x):
    """The complementary error function 1 - erf(x), accurate in the far tail."""
    x = np.asarray(x)
    if x.dtype.itemsize < 4:  # the polynomials overflow float16
        return erfc(x.astype(np.float32)).astype(x.dtype)
    ax = np.abs(x)
    out = np.empty_like(x)
    small = ax <= _ERF_SMALL
    out[small] = 1.0 - _erf_small(x[small])
    large = ~small
    tail = _erfc_positive(ax[large])
    out[large] = np.where(x[large] < 0, 2.0 - tail, tail)
    return out


def _normal_cdf(x):
    """Phi(x) = 0.5 * (1 + erf(x / sqrt(2))), via erfc so the left tail is exact."""
    return 0.5 * erfc(x * -0.7071067811865476)


# --------------------------------------------------------------------------------
# ReLU family
# --------------------------------------------------------------------------------


def _relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """relu(x, negative_slope=0.0, max_value=None, threshold=0.0), exactly as Keras.

    Positive part: x where x > threshold else 0, clipped to [0, max_value] if
    max_value is given; then, if negative_slope != 0, minus
    negative_slope * relu(threshold - x). Defaults give max(x, 0).

    Backward: dx = dy * ((x > threshold) * [0 < x < max_value if max_value]
                         + negative_slope * (x < threshold));
              defaults: dx = dy * (y > 0)
    """
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return np.maximum(x, 0.0)
    slope = float(negative_slope)
    t = float(threshold)
    if slope != 0.0 and max_value is None and t == 0.0:
        return _leaky_relu(x, slope)
    y = x * (x > t) if t != 0.0 else np.maximum(x, 0.0)
    if max_value is not None:
        np.clip(y, 0.0, float(max_value), out=y)
    if slope != 0.0:
        y -= slope * np.maximum(t - x, 0.0)
    return y


def _relu_vjp(x, y, dy, negative_slope=0.0, max_value=None, threshold=0.0):
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return np.multiply(dy, y > 0, out=dy)
    t = float(threshold)
    passes = x > t
    if max_value is not None:
        passes &= (x > 0.0) & (x < float(max_value))
    grad = _mask(passes, dy.dtype)
    if negative_slope != 0.0:
        grad += float(negative_slope) * (x < t)
    dy *= grad
    return dy


def _relu_kinks(negative_slope=0.0, max_value=None, threshold=0.0):
    points = {0.0, float(threshold)}
    if max_value is not None:
        points.add(float(max_value))
    return tuple(sorted(points))


def _leaky_relu(x, negative_slope=0.2):
    """leaky_relu(x, negative_slope=0.2) = x if x > 0 else negative_slope * x.

    Backward: dx = dy * (1 if x > 0 else negative_slope)
    """
    return np.where(x > 0, x, x * float(negative_slope))


def _leaky_relu_vjp(x, y, dy, negative_slope=0.2):
    dtype = dy.dtype.type
    dy *= np.where(x > 0, dtype(1.0), dtype(negative_slope))
    return dy


def _relu6(x):
    """relu6(x) = min(max(x, 0), 6).

    Backward: dx = dy * (0 < x < 6)
    """
    return np.clip(x, 0.0, 6.0)


def _relu6_vjp(x, y, dy):
    return np.multiply(dy, (x > 0.0) & (x < 6.0), out=dy)


def _elu(x, alpha=1.0):
    """elu(x, alpha=1.0) = x if x > 0 else alpha * (exp(x) - 1).

    Backward: dx = dy * (1 if x > 0 else y + alpha)   (alpha * exp(x) = y + alpha)
    """
    neg = float(alpha) * np.expm1(np.minimum(x, 0.0))
    return np.where(x > 0, x, neg)


def _elu_vjp(x, y, dy, alpha=1.0):
    dy *= np.where(x > 0, 1.0, y + float(alpha))
    return dy


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _selu(x):
    """selu(x) = scale * elu(x, alpha), alpha = 1.67326324..., scale = 1.05070098...

    Backward: dx = dy * (scale if x > 0 else y + scale * alpha)
    """
    neg = (_SELU_SCALE * _SELU_ALPHA) * np.expm1(np.minimum(x, 0.0))
    return np.where(x > 0, _SELU_SCALE * x, neg)


def _selu_vjp(x, y, dy):
    dy *= np.where(x > 0, _SELU_SCALE, y + _SELU_SCALE * _SELU_ALPHA)
    return dy


def _celu(x, alpha=1.0):
    """celu(x, alpha=1.0) = max(x, 0) + alpha * expm1(min(x, 0) / alpha).

    Backward: dx = dy * (1 if x > 0 else exp(x / alpha))
    """
    a = float(alpha)
    return np.maximum(x, 0.0) + a * np.expm1(np.minimum(x, 0.0) / a)


def _celu_vjp(x, y, dy, alpha=1.0):
    dy *= np.exp(np.minimum(x, 0.0) / float(alpha))
    return dy


# --------------------------------------------------------------------------------
# Sigmoid family
# --------------------------------------------------------------------------------


def _sigmoid_fn(x):
    """sigmoid(x) = 1 / (1 + exp(-x)), computed without overflow.

    Backward: dx = dy * y * (1 - y)
    """
    return _sigmoid(x)


def _sigmoid_vjp(x, y, dy):
    dy *= y
    dy *= 1.0 - y
    return dy


def _hard_sigmoid(x):
    """hard_sigmoid(x) = relu6(x + 3) / 6 (Keras 3).

    0 for x <= -3, 1 for x >= 3, x / 6 + 0.5 between.

    Backward: dx = dy / 6 where -3 < x < 3, else 0
    """
    return np.clip(x + 3.0, 0.0, 6.0) / 6.0


def _hard_sigmoid_vjp(x, y, dy):
    dy *= ((x > -3.0) & (x < 3.0)) / dy.dtype.type(6.0)
    return dy


def _hard_silu(x):
    """hard_silu(x) = hard_swish(x) = x * hard_sigmoid(x) = x * relu6(x + 3) / 6.

    Backward: dx = dy * (0 if x <= -3; (2x + 3) / 6 if -3 < x < 3; 1 if x >= 3)
    """
    return x * _hard_sigmoid(x)


def _hard_silu_vjp(x, y, dy):
    inside = (2.0 * x + 3.0) / 6.0
    dy *= np.where(x >= 3.0, 1.0, np.where(x > -3.0, inside, 0.0))
    return dy


def _silu(x):
    """silu(x) = swish(x) = x * sigmoid(x).

    Backward: dx = dy * s * (1 + x * (1 - s)), s = sigmoid(x)
    """
    return x * _sigmoid(x)


def _silu_vjp(x, y, dy):
    s = _sigmoid(x)
    dy *= s * (1.0 + x * (1.0 - s))
    return dy


def _log_sigmoid(x):
    """log_sigmoid(x) = log(sigmoid(x)) = -softplus(-x).

    Backward: dx = dy * sigmoid(-x)
    """
    return -_softplus(-x)


def _log_sigmoid_vjp(x, y, dy):
    dy *= _sigmoid(-x)
    return dy


def _sparse_sigmoid(x):
    """sparse_sigmoid(x) = 0 for x <= -1, (x + 1) / 2 for -1 < x < 1, 1 for x >= 1.

    Backward: dx = dy / 2 where -1 < x < 1, else 0
    """
    return np.clip(0.5 * (x + 1.0), 0.0, 1.0)


def _sparse_sigmoid_vjp(x, y, dy):
    dy *= 0.5 * ((x > -1.0) & (x < 1.0))
    return dy


# --------------------------------------------------------------------------------
# Tanh family
# --------------------------------------------------------------------------------


def _tanh(x):
    """tanh(x).

    Backward: dx = dy * (1 - y^2)
    """
    return np.tanh(x)


def _tanh_vjp(x, y, dy):
    grad = y * y
    np.subtract(1.0, grad, out=grad)
    dy *= grad
    return dy


def _hard_tanh(x):
    """hard_tanh(x) = clip(x, -1, 1).

    Backward: dx = dy where -1 < x < 1, else 0
    """
    return np.clip(x, -1.0, 1.0)


def _hard_tanh_vjp(x, y, dy):
    return np.multiply(dy, (x > -1.0) & (x < 1.0), out=dy)


def _tanh_shrink(x):
    """tanh_shrink(x) = x - tanh(x).

    Backward: dx = dy * tanh(x)^2
    """
    return x - np.tanh(x)


def _tanh_shrink_vjp(x, y, dy):
    t = np.tanh(x)
    dy *= t * t
    return dy


def _soft_shrink(x, threshold=0.5):
    """soft_shrink(x, threshold=0.5) = x - t if x > t; x + t if x < -t; else 0.

    Backward: dx = dy where |x| > threshold, else 0
    """
    t = float(threshold)
    return np.where(x > t, x - t, np.where(x < -t, x + t, 0.0))


def _hard_shrink(x, threshold=0.5):
    """hard_shrink(x, threshold=0.5) = x if |x| > threshold else 0.

    Backward: dx = dy where |x| > threshold, else 0
    """
    return np.where(np.abs(x) > float(threshold), x, 0.0)


def _shrink_vjp(x, y, dy, threshold=0.5):
    return np.multiply(dy, np.abs(x) > float(threshold), out=dy)


def _shrink_kinks(threshold=0.5):
    return (-float(threshold), float(threshold))


def _threshold(x, threshold, default_value):
    """threshold(x, threshold, default_value) = x if x > threshold else default_value.

    Keras gives no defaults: both arguments are required.
    Backward: dx = dy where x > threshold, else 0
    """
    return np.where(x > float(threshold), x, float(default_value))


def _threshold_vjp(x, y, dy, threshold, default_value):
    return np.multiply(dy, x > float(threshold), out=dy)


def _threshold_kinks(threshold=None, default_value=None):
    return () if threshold is None else (float(threshold),)


# --------------------------------------------------------------------------------
# Smooth rectifiers
# --------------------------------------------------------------------------------


def _softplus_fn(x):
    """softplus(x) = log(1 + exp(x)), computed stably as logaddexp(x, 0).

    Backward: dx = dy * sigmoid(x)
    """
    return _softplus(x)


def _softplus_vjp(x, y, dy):
    dy *= _sigmoid(x)
    return dy


def _softsign(x):
    """softsign(x) = x / (1 + |x|).

    Backward: dx = dy / (1 + |x|)^2
    """
    return x / (1.0 + np.abs(x))


def _softsign_vjp(x, y, dy):
    den = 1.0 + np.abs(x)
    den *= den
    dy /= den
    return dy


def _squareplus(x, b=4):
    """squareplus(x, b=4) = (x + sqrt(x^2 + b)) / 2.

    Backward: dx = dy * (1 + x / sqrt(x^2 + b)) / 2
    """
    return 0.5 * (x + np.sqrt(x * x + float(b)))


def _squareplus_vjp(x, y, dy, b=4):
    dy *= 0.5 * (1.0 + x / np.sqrt(x * x + float(b)))
    return dy


def _squareplus_kinks(b=4):
    return (0.0,) if b == 0 else ()


def _sparse_plus(x):
    """sparse_plus(x) = 0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1.

    Backward: dx = dy * (0 if x <= -1; (x + 1) / 2 if -1 < x < 1; 1 if x >= 1)
    """
    return np.where(x >= 1.0, x, 0.25 * np.square(np.clip(x, -1.0, 1.0) + 1.0))


def _sparse_plus_vjp(x, y, dy):
    dy *= 0.5 * (np.clip(x, -1.0, 1.0) + 1.0)
    return dy


def _exponential(x):
    """exponential(x) = exp(x).

    Backward: dx = dy * y
    """
    return np.exp(x)


def _exponential_vjp(x, y, dy):
    dy *= y
    return dy


def _gelu(x, approximate=False):
    """gelu(x, approximate=False).

    Exact (default): 0.5 * x * (1 + erf(x / sqrt(2))) = x * Phi(x).
    Approximate: 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))).

    Backward: exact: dx = dy * (Phi(x) + x * exp(-x^2 / 2) / sqrt(2 pi));
        approximate: dx = dy * (0.5 * (1 + t)
        + 0.5 * x * (1 - t^2) * sqrt(2 / pi) * (1 + 3 * 0.044715 * x^2)), t = tanh(...)
    """
    if approximate:
        return 0.5 * x * (1.0 + _gelu_tanh(x))
    return x * _normal_cdf(x)


_SQRT_2_OVER_PI = 0.7978845608028654
_INV_SQRT_2PI = 0.3989422804014327


def _gelu_tanh(x):
    return np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * (x * x * x)))


def _gelu_vjp(x, y, dy, approximate=False):
    if approximate:
        t = _gelu_tanh(x)
        inner = _SQRT_2_OVER_PI * (1.0 + (3.0 * 0.044715) * (x * x))
        dy *= 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * inner
        return dy
    dy *= _normal_cdf(x) + x * (_INV_SQRT_2PI * np.exp(-0.5 * (x * x)))
    return dy


def _mish(x):
    """mish(x) = x * tanh(softplus(x)).

    Backward: dx = dy * (t + x * (1 - t^2) * sigmoid(x)), t = tanh(softplus(x))
    """
    return x * np.tanh(_softplus(x))


def _mish_vjp(x, y, dy):
    t = np.tanh(_softplus(x))
    dy *= t + x * (1.0 - t * t) * _sigmoid(x)
    return dy


def _linear(x):
    """linear(x) = x (returns the input itself).

    Backward: dx = dy
    """
    return x


def _linear_vjp(x, y, dy):
    return dy


# --------------------------------------------------------------------------------
# Along an axis: softmax, log_softmax, glu, sparsemax
# --------------------------------------------------------------------------------


def _softmax(x, axis=-1):
    """softmax(x, axis=-1) = exp(x - max) / sum(exp(x - max)) along `axis`.

    Backward: dx = y * (dy - sum(dy * y, axis, keepdims))
    """
    y = x - x.max(axis=axis, keepdims=True)
    np.exp(y, out=y)
    y /= y.sum(axis=axis, keepdims=True)
    return y


def _softmax_vjp(x, y, dy, axis=-1):
    dot = (dy * y).sum(axis=axis, keepdims=True)
    dy -= dot
    dy *= y
    return dy


def _log_softmax(x, axis=-1):
    """log_softmax(x, axis=-1) = x - max - log(sum(exp(x - max))) along `axis`.

    Backward: dx = dy - exp(y) * sum(dy, axis, keepdims)
    """
    shifted = x - np.max(x, axis=axis, keepdims=True)
    shifted -= np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    return shifted


def _log_softmax_vjp(x, y, dy, axis=-1):
    total = np.sum(dy, axis=axis, keepdims=True)
    dy -= np.exp(y) * total
    return dy


def _glu_halves(x, axis):
    if x.shape[axis] % 2 != 0:
        raise ValueError(
            "glu expects the size of the split axis to be even. "
            f"Received: x.shape={x.shape} with axis={axis}"
        )
    return np.split(x, 2, axis=axis)


def _glu(x, axis=-1):
    """glu(x, axis=-1) = a * sigmoid(b), where a, b are the two halves of x on `axis`.

    Shapes: x (..., 2n, ...) -> y (..., n, ...).
    Backward: da = dy * sigmoid(b); db = dy * a * sigmoid(b) * (1 - sigmoid(b));
              dx = concatenate([da, db], axis)
    """
    a, b = _glu_halves(x, axis)
    return a * _sigmoid(b)


def _glu_vjp(x, y, dy, axis=-1):
    a, b = _glu_halves(x, axis)
    s = _sigmoid(b)
    da = dy * s
    db = da * a
    db *= 1.0 - s
    return np.concatenate([da, db], axis=axis)


def _sparsemax_threshold(z):
    """tau for each row of z (last axis): sum(max(z - tau, 0)) = 1."""
    z_sorted = -np.sort(-z, axis=-1)
    cumsum = np.cumsum(z_sorted, axis=-1)
    k = np.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    support = 1.0 + k * z_sorted > cumsum
    k_max = np.sum(support, axis=-1, keepdims=True)
    selected_sum = np.take_along_axis(cumsum, k_max - 1, axis=-1)
    return (selected_sum - 1.0) / k_max.astype(z.dtype)


def _sparsemax(x, axis=-1):
    """sparsemax(x, axis=-1) = max(x - tau, 0), tau chosen so each slice sums to 1.

    The Euclidean projection of x onto the probability simplex (Martins &
    Astudillo, 2016).
    Backward: S = (y > 0); dx = S * (dy - sum(dy * S, axis) / sum(S, axis))
    """
    z = np.moveaxis(x, axis, -1)
    y = np.maximum(z - _sparsemax_threshold(z), 0.0)
    return np.moveaxis(y, -1, axis)


def _sparsemax_vjp(x, y, dy, axis=-1):
    support = y > 0
    count = np.sum(support, axis=axis, keepdims=True)
    mean = np.sum(dy * support, axis=axis, keepdims=True) / count.astype(dy.dtype)
    dy -= mean
    return np.multiply(dy, support, out=dy)


# --------------------------------------------------------------------------------
# The public values (names as in keras.activations)
# --------------------------------------------------------------------------------

relu = ActivationFunction("relu", _relu, _relu_vjp, kinks=_relu_kinks)
leaky_relu = ActivationFunction("leaky_relu", _leaky_relu, _leaky_relu_vjp, (0.0,))
relu6 = ActivationFunction("relu6", _relu6, _relu6_vjp, (0.0, 6.0))
elu = ActivationFunction("elu", _elu, _elu_vjp, (0.0,))
selu = ActivationFunction("selu", _selu, _selu_vjp, (0.0,))
celu = ActivationFunction("celu", _celu, _celu_vjp)
sigmoid = ActivationFunction("sigmoid", _sigmoid_fn, _sigmoid_vjp)
hard_sigmoid = ActivationFunction(
    "hard_sigmoid", _hard_sigmoid, _hard_sigmoid_vjp, (-3.0, 3.0)
)
hard_silu = ActivationFunction("hard_silu", _hard_silu, _hard_silu_vjp, (-3.0, 3.0))
silu = ActivationFunction("silu", _silu, _silu_vjp)
log_sigmoid = ActivationFunction("log_sigmoid", _log_sigmoid, _log_sigmoid_vjp)
sparse_sigmoid = ActivationFunction(
    "sparse_sigmoid", _sparse_sigmoid, _sparse_sigmoid_vjp, (-1.0, 1.0)
)
tanh = ActivationFunction("tanh", _tanh, _tanh_vjp)
hard_tanh = ActivationFunction("hard_tanh", _hard_tanh, _hard_tanh_vjp, (-1.0, 1.0))
tanh_shrink = ActivationFunction("tanh_shrink", _tanh_shrink, _tanh_shrink_vjp)
soft_shrink = ActivationFunction(
    "soft_shrink", _soft_shrink, _shrink_vjp, kinks=_shrink_kinks
)
hard_shrink = ActivationFunction(
    "hard_shrink", _hard_shrink, _shrink_vjp, kinks=_shrink_kinks
)
threshold = ActivationFunction(
    "threshold", _threshold, _threshold_vjp, kinks=_threshold_kinks
)
softplus = ActivationFunction("softplus", _softplus_fn, _softplus_vjp)
softsign = ActivationFunction("softsign", _softsign, _softsign_vjp)
squareplus = ActivationFunction(
    "squareplus", _squareplus, _squareplus_vjp, kinks=_squareplus_kinks
)
sparse_plus = ActivationFunction("sparse_plus", _sparse_plus, _sparse_plus_vjp)
exponential = ActivationFunction("exponential", _exponential, _exponential_vjp)
gelu = ActivationFunction("gelu", _gelu, _gelu_vjp)
mish = ActivationFunction("mish", _mish, _mish_vjp)
linear = ActivationFunction("linear", _linear, _linear_vjp)
softmax = ActivationFunction("softmax", _softmax, _softmax_vjp)
log_softmax = ActivationFunction("log_softmax", _log_softmax, _log_softmax_vjp)
glu = ActivationFunction("glu", _glu, _glu_vjp)
sparsemax = ActivationFunction("sparsemax", _sparsemax, _sparsemax_vjp)

# Keras exports these two aliases (serialized under the canonical name).
swish = silu
hard_swish = hard_silu

ALL_OBJECTS = {
    "relu": relu,
    "leaky_relu": leaky_relu,
    "relu6": relu6,
    "softmax": softmax,
    "celu": celu,
    "elu": elu,
    "selu": selu,
    "softplus": softplus,
    "softsign": softsign,
    "squareplus": squareplus,
    "soft_shrink": soft_shrink,
    "sparse_plus": sparse_plus,
    "silu": silu,
    "gelu": gelu,
    "glu": glu,
    "tanh": tanh,
    "tanh_shrink": tanh_shrink,
    "threshold": threshold,
    "sigmoid": sigmoid,
    "sparse_sigmoid": sparse_sigmoid,
    "exponential": exponential,
    "hard_sigmoid": hard_sigmoid,
    "hard_silu": hard_silu,
    "hard_tanh": hard_tanh,
    "hard_shrink": hard_shrink,
    "linear": linear,
    "mish": mish,
    "log_softmax": log_softmax,
    "log_sigmoid": log_sigmoid,
    "sparsemax": sparsemax,
    # aliases
    "swish": silu,
    "hard_swish": hard_silu,
}

_KIND = "activation function"


def serialize(activation):
    """The Keras config of an activation: a built-in's name as a plain string.

    None and linear give "linear"; swish gives "silu". Keyword arguments bound
    with `with_kwargs` are not part of the string (the ReLU / LeakyReLU / ELU /
    Softmax layers save them in their own config). A user function gives
    Keras's function dict; a user object with `get_config` its class dict.
    """
    if activation is None:
        return "linear"
    if isinstance(activation, ActivationFunction) and activation.name in ALL_OBJECTS:
        return activation.name
    if hasattr(activation, "get_config"):
        return serialization_lib.serialize(activation, type(activation).__module__)
    name = getattr(activation, "__name__", None)
    if callable(activation) and name and name != "<lambda>":
        return {
            "module": getattr(activation, "__module__", None),
            "class_name": "function",
            "config": name,
            "registered_name": name,
        }
    raise ValueError(
        f"Cannot serialize activation {activation!r}: it is not a numkeras "
        "activation, a named function, or an object with get_config() "
        "(lambdas cannot be saved)."
    )


def deserialize(config, custom_objects=None):
    """An activation from its config: a name string or a Keras dict.

    Keras's dict for a function is {"module": "keras.activations", "class_name":
    "function", "config": "relu", "registered_name": "relu"}; the name is
    resolved through custom_objects and the built-in table only.
    """
    if isinstance(config, str):
        return _lookup(config, custom_objects)
    if isinstance(config, dict) and config.get("class_name") == "function":
        registered = config.get("registered_name")
        if custom_objects and registered in custom_objects:
            return custom_objects[registered]
        return _lookup(config.get("config"), custom_objects)
    return serialization_lib.deserialize(config, {}, _KIND, custom_objects)


def _lookup(name, custom_objects=None):
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if isinstance(name, str) and name in ALL_OBJECTS:
        return ALL_OBJECTS[name]
    raise ValueError(
        f"Could not interpret activation function identifier: {name!r}. "
        f"Valid names: {', '.join(sorted(ALL_OBJECTS))}."
    )


def get(identifier):
    """Resolve an activation as keras.activations.get does.

    None -> linear; a string -> exact, case-sensitive name (plus "swish" and
    "hard_swish"); a Keras dict -> deserialized through the allow-list; an
    ActivationFunction or any other callable -> returned unchanged (a plain
    callable has no vjp, so a layer that trains through it raises).
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation function identifier: {identifier!r}. "
        "Expected None, a string, a dict or a callable."
    )
