"""MNIST: 70,000 28x28 grayscale images of handwritten digits.

Two file layouts are accepted in the dataset folder (see `_cache.cache_dir`):

1. Keras's `mnist.npz` (the `path` argument; SHA-256 731c5ac6...), read with
   pickling disabled;
2. the four original IDX `.gz` files in `<dataset folder>/mnist/` (TensorFlow
   Datasets' and torchvision's layout, and that of `../shared/datasets`).

The npz is used if present; otherwise, if any IDX file is present, the IDX set
is used (missing IDX files are downloaded from TensorFlow Datasets' origin);
otherwise `mnist.npz` is downloaded from Keras's origin.

License: Yann LeCun and Corinna Cortes hold the copyright of MNIST, a
derivative of NIST data. It is available under the Creative Commons
Attribution-Share Alike 3.0 licence (CC BY-SA 3.0); attribute it to
Y. LeCun, C. Cortes, C.J.C. Burges, "The MNIST database of handwritten digits".
"""

import os
from pathlib import Path

import numpy as np

from . import _cache, _download, _idx

NPZ_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
NPZ_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
IDX_ORIGIN = "https://storage.googleapis.com/cvdf-datasets/mnist/"
IDX_SUBDIR = "mnist"
# In Keras's order: train labels, train images, test labels, test images.
# Hashes as in TensorFlow Datasets' url_checksums/mnist.txt.
IDX_FILES = {
    "train-labels-idx1-ubyte.gz": (
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
    ),
    "train-images-idx3-ubyte.gz": (
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
    ),
    "t10k-labels-idx1-ubyte.gz": (
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
    ),
    "t10k-images-idx3-ubyte.gz": (
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
    ),
}


def load_data(path="mnist.npz"):
    """Load MNIST, as `keras.datasets.mnist.load_data(path="mnist.npz")`.

    Args:
        path: where Keras's `mnist.npz` is cached, relative to the dataset
            folder (an absolute path is used as it is).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x_train uint8 (60000, 28, 28),
        y_train uint8 (60000,), x_test uint8 (10000, 28, 28), y_test uint8
        (10000,).
    """
    folder = _cache.cache_dir()
    npz = Path(os.path.expanduser(os.fspath(path)))
    if not npz.is_absolute():
        npz = folder / npz
    idx_folder = folder / IDX_SUBDIR
    if npz.is_file():
        _cache.verify_sha256(npz, NPZ_SHA256, origin=NPZ_ORIGIN)
        return load_npz(npz)
    if any((idx_folder / name).is_file() for name in IDX_FILES):
        return _idx.load_image_label_set(
            idx_folder, IDX_FILES, IDX_ORIGIN, searched=[npz]
        )
    searched = [idx_folder / name for name in IDX_FILES]
    _download.download(NPZ_ORIGIN, npz, NPZ_SHA256, searched=searched)
    return load_npz(npz)


def load_npz(path):
    """Read an npz with keys x_train, y_train, x_test, y_test (no pickle)."""
    import zipfile
    import zlib

    errors = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error)
    try:
        with np.load(path, allow_pickle=False) as f:
            x_train, y_train = f["x_train"], f["y_train"]
            x_test, y_test = f["x_test"], f["y_test"]
    except errors as e:
        raise _cache.CorruptDatasetError(f"{path}: not a valid MNIST npz: {e}") from e
    _idx.check_images_labels(x_train, y_train, f"{path} (train)")
    _idx.check_images_labels(x_test, y_test, f"{path} (test)")
    return (x_train, y_train), (x_test, y_test)
