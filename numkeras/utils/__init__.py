"""keras.utils: to_categorical, set_random_seed, normalize, Progbar, PyDataset, ..."""

from .. import random as _random
from .gradient_check import GradientCheckReport as GradientCheckReport
from .gradient_check import check_gradients as check_gradients
from .numerical_utils import normalize as normalize
from .numerical_utils import to_categorical as to_categorical
from .plotting import plot_activations as plot_activations
from .plotting import plot_comparison as plot_comparison
from .plotting import plot_gradients as plot_gradients
from .plotting import plot_history as plot_history
from .plotting import plot_optimizer_comparison as plot_optimizer_comparison
from .progbar import Progbar as Progbar
from .py_dataset import PyDataset as PyDataset
from .py_dataset import Sequence as Sequence


def set_random_seed(seed):
    """Seed Python's `random`, NumPy's global RNG and every numkeras seed draw:
    the same seed then gives the same weights and the same training run."""
    _random.set_seed(seed)
