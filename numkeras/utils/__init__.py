"""keras.utils: to_categorical, set_random_seed, normalize, Progbar, PyDataset, ..."""

from .. import random as _random
from .numerical_utils import normalize as normalize
from .numerical_utils import to_categorical as to_categorical
from .progbar import Progbar as Progbar
from .py_dataset import PyDataset as PyDataset
from .py_dataset import Sequence as Sequence


def set_random_seed(seed):
    """Seed Python's `random`, NumPy's global RNG and every numkeras seed draw:
    the same seed then gives the same weights and the same training run."""
    _random.set_seed(seed)
