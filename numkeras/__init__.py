"""numkeras: the Keras API on NumPy, with every backward pass written out.

import numkeras as keras
model = keras.Sequential([keras.Input((784,)),
                          keras.layers.Dense(100, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")])
"""

from . import activations as activations
from . import backend as backend
from . import callbacks as callbacks
from . import constraints as constraints
from . import datasets as datasets
from . import initializers as initializers
from . import layers as layers
from . import losses as losses
from . import metrics as metrics
from . import models as models
from . import optimizers as optimizers
from . import random as random
from . import regularizers as regularizers
from . import saving as saving
from . import utils as utils
from .layers import Input as Input
from .models import Model as Model
from .models import Sequential as Sequential

__version__ = "0.1.0"


def __getattr__(name):
    """`numkeras.wrappers` and `numkeras.export` import their optional
    dependencies (scikit-learn, onnx), so they load on first use only."""
    if name in ("wrappers", "export"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
