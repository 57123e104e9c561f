"""Datasets with Keras's loaders: `numkeras.datasets.mnist.load_data()`, ...

Modules: `mnist`, `fashion_mnist`, `cifar10`, `cifar100` (each `load_data()`
returns what Keras's does) and `mnist_mini` (a 6,000 + 1,000 image stratified
subset of MNIST shipped inside the package, for offline first use).

Files are looked for in `$NUMKERAS_DATASETS`, else `$KERAS_HOME/datasets`, else
`~/.keras/datasets` (Keras's folder, so its downloads are reused), and are
downloaded from Keras's origins when missing (see `_download`). Every file is
checked against its known SHA-256.

The submodules are imported on first use, so `import numkeras.datasets` is cheap.
"""

import importlib

_MODULES = ("mnist", "fashion_mnist", "cifar10", "cifar100", "mnist_mini")
_ERRORS = ("DatasetNotFoundError", "CorruptDatasetError")

__all__ = [*_MODULES, *_ERRORS]


def __getattr__(name):
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _ERRORS:
        return getattr(importlib.import_module(f"{__name__}._cache"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
