"""Weight initializers (`keras.initializers`), sampled on the host with NumPy.

`init(shape, dtype=None) -> np.ndarray`; dtype None means `backend.floatx()`.
Random initializers take `seed=None`; an unseeded one draws its seed once at
construction (`numkeras.random.draw_seed()`), so the same instance returns the
same values on every call, as in Keras, and `set_random_seed(s)` makes fresh
instances repeat. Samples are drawn in float64 from
`numkeras.random.generator(seed)` and then cast, so a seed gives the same
weights (up to rounding) whatever floatx is. Formulas: KERAS_REFERENCE §3.
"""

import math

import numpy as np

from . import backend
from . import random as nk_random
from .saving import serialization_lib

# The standard deviation of a standard normal truncated to [-2, 2].
_TRUNCATED_STDDEV = 0.87962566103423978


def _standardize_shape(shape):
    """A tuple of ints from an int or a sequence of ints."""
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def _dtype(dtype):
    return np.dtype(backend.standardize_dtype(dtype))


def _truncated_standard_normal(rng, shape):
    """Standard normal samples, those outside [-2, 2] drawn again until none are."""
    z = rng.standard_normal(shape)
    outside = np.abs(z) > 2.0
    while outside.any():
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > 2.0
    return z


def compute_fans(shape, input_axes=None, output_axes=None):
    """(fan_in, fan_out) for a weight shape, as Keras computes them.

    rank 0 -> (1, 1); rank 1 -> (n, n); rank 2 -> (shape[0], shape[1]);
    rank >= 3 (convolution kernels (..., in, out)) -> receptive = prod(shape[:-2]),
    fan_in = shape[-2] * receptive, fan_out = shape[-1] * receptive.
    If both input_axes and output_axes are given, fan_in = prod(shape[input_axes])
    * receptive and fan_out = prod(shape[output_axes]) * receptive, where
    receptive is the product of the remaining axes.
    """
    shape = _standardize_shape(shape)
    if input_axes is not None and output_axes is not None:
        in_axes = {a % len(shape) for a in input_axes}
        out_axes = {a % len(shape) for a in output_axes}
        rest = [d for i, d in enumerate(shape) if i not in in_axes | out_axes]
        receptive = math.prod(rest)
        fan_in = math.prod(shape[a] for a in in_axes) * receptive
        fan_out = math.prod(shape[a] for a in out_axes) * receptive
    elif len(shape) == 0:
        fan_in = fan_out = 1
    elif len(shape) == 1:
        fan_in = fan_out = shape[0]
    elif len(shape) == 2:
        fan_in, fan_out = shape
    else:
        receptive = math.prod(shape[:-2])
        fan_in = shape[-2] * receptive
        fan_out = shape[-1] * receptive
    return int(fan_in), int(fan_out)


class Initializer:
    """Base class: `__call__(shape, dtype=None)`, `get_config()`, `from_config()`."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(
            f"{type(self).__name__} must implement __call__(shape, dtype=None)."
        )

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return type(self).from_config(self.get_config())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return np.zeros(_standardize_shape(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return np.ones(_standardize_shape(shape), dtype=_dtype(dtype))


class Constant(Initializer):
    """Every entry equal to `value` (a scalar, or an array of exactly `shape`)."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        shape = _standardize_shape(shape)
        value = np.asarray(self.value)
        if value.ndim == 0:
            return np.full(shape, value, dtype=_dtype(dtype))
        if value.shape != shape:
            raise ValueError(
                f"Constant initializer value has shape {value.shape}, but the "
                f"requested shape is {shape}; they must match (or use a scalar)."
            )
        return value.astype(_dtype(dtype))

    def get_config(self):
        value = self.value
        if isinstance(value, (np.ndarray, np.generic)):
            value = value.tolist()
        return {"value": value}


class Identity(Initializer):
    """gain * the identity matrix (2-D shapes only; rectangular allowed)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _standardize_shape(shape)
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return (self.gain * np.eye(*shape)).astype(_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}


class RandomInitializer(Initializer):
    """Base of the random initializers: holds the seed.

    `seed=None` draws a seed now, once; `get_config()` writes the seed given by
    the user (None stays None, as in Keras).
    """

    def __init__(self, seed=None):
        if seed is not None and (
            not isinstance(seed, (int, np.integer)) or isinstance(seed, bool)
        ):
            raise ValueError(
                f"Invalid value for argument seed: expected an integer or None, "
                f"received seed={seed!r}"
            )
        self._init_seed = None if seed is None else int(seed)
        self.seed = nk_random.draw_seed() if seed is None else int(seed)

    def _generator(self):
        """A fresh Generator for this seed, so every call gives the same values."""
        return nk_random.generator(self.seed)

    def get_config(self):
        return {"seed": self._init_seed}


def _check_stddev(stddev):
    if stddev < 0:
        raise ValueError(
            "Invalid value for argument stddev: expected a non-negative number, "
            f"received stddev={stddev!r}"
        )


class RandomNormal(RandomInitializer):
    """Normal(mean, stddev) samples."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        _check_stddev(stddev)
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        z = self._generator().standard_normal(_standardize_shape(shape))
        return (self.mean + self.stddev * z).astype(_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Normal(mean, stddev) samples, redrawn while outside mean +- 2 * stddev."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        _check_stddev(stddev)
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        z = _truncated_standard_normal(self._generator(), _standardize_shape(shape))
        return (self.mean + self.stddev * z).astype(_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Uniform samples in [minval, maxval)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        rng = self._generator()
        values = rng.uniform(self.minval, self.maxval, _standardize_shape(shape))
        return values.astype(_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


class VarianceScaling(RandomInitializer):
    """Samples scaled to the weight's fans: s = scale / max(1, n).

    n is fan_in, fan_out or (fan_in + fan_out) / 2 for mode "fan_in",
    "fan_out", "fan_avg" (see `compute_fans`). Then:
    truncated_normal ("normal" is an alias): stddev = sqrt(s) / 0.8796..., cut at
    +- 2 stddev (so the result has standard deviation sqrt(s));
    untruncated_normal: stddev = sqrt(s); uniform: limit = sqrt(3 * s).

    `input_axes` / `output_axes` (newer Keras) override the fan computation
    when both are given; they are written to the config only when set.
    """

    def __init__(
        self,
        scale=1.0,
        mode="fan_in",
        distribution="truncated_normal",
        seed=None,
        input_axes=None,
        output_axes=None,
    ):
        if not scale > 0.0:
            raise ValueError(
                "Invalid value for argument scale: expected a positive number, "
                f"received scale={scale!r}"
            )
        if mode not in _MODES:
            raise ValueError(
                f"Invalid value for argument mode: expected one of {_MODES}, "
                f"received mode={mode!r}"
            )
        dist = distribution.lower() if isinstance(distribution, str) else distribution
        if dist == "normal":
            dist = "truncated_normal"
        if dist not in _DISTRIBUTIONS:
            raise ValueError(
                "Invalid value for argument distribution: expected one of "
                f"{_DISTRIBUTIONS} (or 'normal'), received "
                f"distribution={distribution!r}"
            )
        self.scale = scale
        self.mode = mode
        self.distribution = dist
        self.input_axes = None if input_axes is None else list(input_axes)
        self.output_axes = None if output_axes is None else list(output_axes)
        super().__init__(seed=seed)

    def _variance(self, shape):
        """s = scale / max(1, n) for this shape and mode."""
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}
        return self.scale / max(1.0, n[self.mode])

    def __call__(self, shape, dtype=None):
        shape = _standardize_shape(shape)
        s = self._variance(shape)
        rng = self._generator()
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(s) / _TRUNCATED_STDDEV
            values = stddev * _truncated_standard_normal(rng, shape)
        elif self.distribution == "untruncated_normal":
            values = math.sqrt(s) * rng.standard_normal(shape)
        else:
            limit = math.sqrt(3.0 * s)
            values = rng.uniform(-limit, limit, shape)
        return values.astype(_dtype(dtype))

    def _axes_config(self):
        config = {}
        if self.input_axes is not None:
            config["input_axes"] = self.input_axes
        if self.output_axes is not None:
            config["output_axes"] = self.output_axes
        return config

    def get_config(self):
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            **self._axes_config(),
        }


class _FixedVarianceScaling(VarianceScaling):
    """A VarianceScaling preset: the constructor takes only seed (and axes)."""

    _preset = {}

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(
            **self._preset, seed=seed, input_axes=input_axes, output_axes=output_axes
        )

    def get_config(self):
        return {"seed": self._init_seed, **self._axes_config()}


class GlorotUniform(_FixedVarianceScaling):
    """Uniform in [-limit, limit], limit = sqrt(6 / (fan_in + fan_out)).

    VarianceScaling(1.0, "fan_avg", "uniform").
    """

    _preset = {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform"}


class GlorotNormal(_FixedVarianceScaling):
    """Truncated normal, stddev sqrt(2 / (fan_in + fan_out)).

    VarianceScaling(1.0, "fan_avg", "truncated_normal").
    """

    _preset = {"scale": 1.0, "mode": "fan_avg", "distribution": "truncated_normal"}


class HeNormal(_FixedVarianceScaling):
    """Truncated normal, stddev sqrt(2 / fan_in). VarianceScaling(2.0, "fan_in")."""

    _preset = {"scale": 2.0, "mode": "fan_in", "distribution": "truncated_normal"}


class HeUniform(_FixedVarianceScaling):
    """Uniform, limit sqrt(6 / fan_in). VarianceScaling(2.0, "fan_in", "uniform")."""

    _preset = {"scale": 2.0, "mode": "fan_in", "distribution": "uniform"}


class LecunNormal(_FixedVarianceScaling):
    """Truncated normal, stddev sqrt(1 / fan_in). VarianceScaling(1.0, "fan_in")."""

    _preset = {"scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal"}


class LecunUniform(_FixedVarianceScaling):
    """Uniform, limit sqrt(3 / fan_in). VarianceScaling(1.0, "fan_in", "uniform")."""

    _preset = {"scale": 1.0, "mode": "fan_in", "distribution": "uniform"}


class Orthogonal(RandomInitializer):
    """gain * a random orthogonal matrix, reshaped to `shape` (rank >= 2).

    rows = prod(shape[:-1]), cols = shape[-1]. A normal matrix of shape
    (max(rows, cols), min(rows, cols)) is QR-decomposed, q is multiplied by
    sign(diag(r)) (so the result is uniformly distributed) and transposed
    if rows < cols: the columns (or rows, if fewer) are orthonormal.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        shape = _standardize_shape(shape)
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        rows = math.prod(shape[:-1])
        cols = shape[-1]
        a = self._generator().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


# Keras's function-style aliases (keras.initializers.glorot_uniform is the class).
zeros = Zeros
ones = Ones
constant = Constant
identity = Identity
IdentityInitializer = Identity
random_normal = RandomNormal
truncated_normal = TruncatedNormal
random_uniform = RandomUniform
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
orthogonal = Orthogonal
OrthogonalInitializer = Orthogonal

ALL_OBJECTS = {
    "Constant": Constant,
    "Identity": Identity,
    "Ones": Ones,
    "Zeros": Zeros,
    "GlorotNormal": GlorotNormal,
    "GlorotUniform": GlorotUniform,
    "HeNormal": HeNormal,
    "HeUniform": HeUniform,
    "LecunNormal": LecunNormal,
    "LecunUniform": LecunUniform,
    "RandomNormal": RandomNormal,
    "TruncatedNormal": TruncatedNormal,
    "RandomUniform": RandomUniform,
    "VarianceScaling": VarianceScaling,
    "Orthogonal": Orthogonal,
    "OrthogonalInitializer": Orthogonal,  # the class name Keras 3 writes
    "IdentityInitializer": Identity,
}

# Every name `get` accepts: class names, their snake_case forms, Keras's aliases.
_LOOKUP = {
    **ALL_OBJECTS,
    **{serialization_lib.snake_case(name): cls for name, cls in ALL_OBJECTS.items()},
    "uniform": RandomUniform,
    "normal": RandomNormal,
    "zero": Zeros,
    "one": Ones,
}

_KIND = "initializer"


def serialize(initializer):
    """Keras's dict: {"module": "keras.initializers", "class_name", "config", ...}."""
    return serialization_lib.serialize(initializer, "keras.initializers")


def deserialize(config, custom_objects=None):
    """An initializer from a name string or a Keras dict (allow-listed names only)."""
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    return serialization_lib.deserialize(config, _LOOKUP, _KIND, custom_objects)


def get(identifier):
    """Resolve an initializer as keras.initializers.get does.

    None -> None; a string -> a new instance ("glorot_uniform", "GlorotUniform",
    "he_normal", "normal", "uniform", "zero", "zeros", "one", "ones", ...);
    a Keras dict -> deserialized; a class -> instantiated; an array -> a
    Constant returning it; an instance or other callable -> returned.
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier not in _LOOKUP:
            raise ValueError(
                f"Could not interpret initializer identifier: {identifier!r}. "
                f"Valid names: {', '.join(sorted(_LOOKUP))}."
            )
        return _LOOKUP[identifier]()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type):
        return identifier()
    if isinstance(identifier, np.ndarray):
        return Constant(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret initializer identifier: {identifier!r}. Expected "
        "None, a string, a dict, a class, an array or a callable."
    )
