"""Seeds. One global seed source, so `utils.set_random_seed(s)` makes runs repeat.

Keras draws a seed for every unseeded initializer, Dropout layer and shuffle
from Python's `random` module; after `set_random_seed(s)` the same model code
gives the same weights and the same training run. numkeras does the same:
`draw_seed()` takes a seed from Python's `random`, and `generator(seed)` turns a
seed (or None) into a NumPy Generator.
"""

import random as _py_random
from contextlib import contextmanager

import numpy as np


def set_seed(seed):
    """Seed Python's `random` and NumPy's legacy global RNG (what Keras seeds)."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(
            f"Expected `seed` to be an integer. Received: seed={seed!r} "
            f"(of type {type(seed).__name__})"
        )
    _py_random.seed(seed)
    np.random.seed(seed % (2**32))


def draw_seed():
    """A fresh seed from Python's `random` (reproducible after set_seed)."""
    return _py_random.randint(1, 10**9)


def generator(seed=None):
    """A NumPy Generator for `seed`; None draws a seed with `draw_seed()`."""
    return np.random.default_rng(draw_seed() if seed is None else seed)


@contextmanager
def fixed_seed(seed):
    """Run a block with Python's and NumPy's global RNGs seeded, then restore them."""
    py_state = _py_random.getstate()
    np_state = np.random.get_state()
    set_seed(seed)
    try:
        yield
    finally:
        _py_random.setstate(py_state)
        np.random.set_state(np_state)
