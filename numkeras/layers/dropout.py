"""Dropout: inverted dropout, active only in training."""

import numbers

import numpy as np

from .. import random
from .layer import Layer


class Dropout(Layer):
    """Zeroes each input with probability `rate` during training and scales
    the kept ones by 1 / (1 - rate); the identity at inference.

    The mask is a Bernoulli draw `uniform < 1 - rate` from the layer's own
    generator (seeded by `seed`, or by a seed drawn from Python's `random` at
    construction, so `set_random_seed` makes it repeat). `noise_shape` shapes
    the mask, broadcast over the input (None entries take the input's size).

    Backward: dx = dy * mask / (1 - rate)
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if (
            isinstance(rate, bool)
            or not isinstance(rate, numbers.Real)
            or not 0 <= rate <= 1
        ):
            raise ValueError(
                f"Invalid value received for argument `rate`. Expected a float "
                f"value between 0 and 1. Received: rate={rate!r}"
            )
        self.rate = float(rate)
        if noise_shape is not None:
            noise_shape = tuple(noise_shape)
            if any(
                d is not None and (not isinstance(d, int) or d <= 0)
                for d in noise_shape
            ):
                raise ValueError(
                    f"Invalid value for argument noise_shape: expected a tuple of "
                    f"positive ints or None, received noise_shape={noise_shape!r}."
                )
        self.noise_shape = noise_shape
        self.seed = seed
        self._rng = random.generator(seed)

    def _mask_shape(self, shape):
        if self.noise_shape is None:
            return shape
        return tuple(
            s if n is None else n for n, s in zip(self.noise_shape, shape, strict=True)
        )

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            return x, None
        if self.rate == 1:
            scale = np.zeros(self._mask_shape(x.shape), dtype=x.dtype)
        else:
            keep = 1.0 - self.rate
            u = self._rng.random(self._mask_shape(x.shape), dtype=np.float32)
            scale = (u < keep).astype(x.dtype)
            scale *= 1.0 / keep
        return x * scale, scale

    def backward(self, cache, dy, input_grad=True):
        if cache is None:
            return dy
        return np.multiply(dy, cache, out=dy) if dy.shape == cache.shape else dy * cache

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, seed=self.seed, noise_shape=self.noise_shape)
        return config
