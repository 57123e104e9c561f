"""MNIST mini: 6,000 training and 1,000 test images of real MNIST, shipped inside
numkeras so a first example runs offline.

A stratified random subset (per-class counts proportional to the full MNIST
splits) drawn with a fixed seed from the original IDX files by
`tools/make_mnist_mini.py`; see PROVENANCE.md next to this file. The file's
SHA-256 is checked on every load (hashing 1.1 MB takes about a millisecond).

License: MNIST is CC BY-SA 3.0, Y. LeCun, C. Cortes, C.J.C. Burges
(LICENSE-MNIST.txt); this subset is distributed under the same licence.
"""

import hashlib
import io
from importlib import resources

import numpy as np

from . import _cache, _idx

FILENAME = "mnist_mini.npz"
SHA256 = "a8e72a5c4750cb17d0ec059b6f192136b9304b8d0bb43756dfff0f13184bd417"


def load_data():
    """Load the bundled MNIST subset, shaped like `mnist.load_data()`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x_train uint8 (6000, 28, 28),
        y_train uint8 (6000,), x_test uint8 (1000, 28, 28), y_test uint8
        (1000,).
    """
    data = _read_verified()
    with np.load(io.BytesIO(data), allow_pickle=False) as f:
        x_train, y_train = f["x_train"], f["y_train"]
        x_test, y_test = f["x_test"], f["y_test"]
    _idx.check_images_labels(x_train, y_train, f"{FILENAME} (train)")
    _idx.check_images_labels(x_test, y_test, f"{FILENAME} (test)")
    return (x_train, y_train), (x_test, y_test)


def load_indices():
    """`(train_indices, test_indices)`: where each image sits in full MNIST."""
    data = _read_verified()
    with np.load(io.BytesIO(data), allow_pickle=False) as f:
        return f["train_indices"].astype(np.int64), f["test_indices"].astype(np.int64)


def _read_verified():
    data = resources.files(__package__).joinpath(FILENAME).read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != SHA256:
        raise _cache.CorruptDatasetError(
            f"The bundled {FILENAME} is corrupted: its SHA-256 is {actual}, "
            f"expected {SHA256}. Reinstall numkeras, or rebuild the file with "
            "tools/make_mnist_mini.py."
        )
    return data
