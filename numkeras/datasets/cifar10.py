"""CIFAR-10: 60,000 32x32 colour images in 10 classes.

Read from the original "python version" archive `cifar-10-python.tar.gz` in the
dataset folder (see `_cache.cache_dir`), also under the names Keras caches it
as (`cifar-10-batches-py-target_archive`, `cifar-10-batches-py_archive`,
`cifar-10-batches-py.tar.gz`), or from an extracted `cifar-10-batches-py`
folder (also Keras's `cifar-10-batches-py-target/cifar-10-batches-py`).
Missing, the archive is downloaded from Keras's origin and saved as
`cifar-10-python.tar.gz`. Archives are hash-checked and never extracted;
batches are unpickled safely (see `_cifar`).

Classes: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog,
7 horse, 8 ship, 9 truck.
"""

import numpy as np

from . import _cifar

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
ARCHIVE = "cifar-10-python.tar.gz"
FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"


def source():
    """Where CIFAR-10 is looked for (built from the module constants)."""
    return _cifar.Source(
        archive=ARCHIVE,
        origin=ORIGIN,
        sha256=SHA256,
        folder=FOLDER,
        members=(*TRAIN_BATCHES, TEST_BATCH),
        archive_aliases=(
            f"{FOLDER}-target_archive",
            f"{FOLDER}_archive",
            f"{FOLDER}.tar.gz",
        ),
        folder_aliases=(f"{FOLDER}-target/{FOLDER}", f"{FOLDER}/{FOLDER}"),
    )


def load_data():
    """Load CIFAR-10, as `keras.datasets.cifar10.load_data()`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x_train uint8 (50000, 32, 32, 3)
        (channels_last; (50000, 3, 32, 32) under channels_first), y_train uint8
        (50000, 1), x_test uint8 (10000, 32, 32, 3), y_test uint8 (10000, 1).
        The image arrays are C-contiguous (Keras returns transposed views).
    """
    blobs, where = _cifar.read_batches(source())
    channels_last = _cifar.image_data_format() == "channels_last"
    train = {k: blobs[k] for k in TRAIN_BATCHES}
    x_train, y_train = _cifar.assemble(train, "labels", 10, where, channels_last)
    test = {TEST_BATCH: blobs[TEST_BATCH]}
    x_test, y_test = _cifar.assemble(test, "labels", 10, where, channels_last)
    y_train = y_train.astype(np.uint8).reshape(-1, 1)
    y_test = y_test.astype(np.uint8).reshape(-1, 1)
    return (x_train, y_train), (x_test, y_test)
