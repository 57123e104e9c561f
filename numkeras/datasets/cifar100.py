"""CIFAR-100: 60,000 32x32 colour images in 100 classes (20 superclasses).

Found like CIFAR-10 (see `cifar10`): the original `cifar-100-python.tar.gz`
(also Keras's cache names `cifar-100-python-target_archive` and
`cifar-100-python_archive`) or an extracted `cifar-100-python` folder (also
`cifar-100-python-target/cifar-100-python`), else downloaded from Keras's origin.

Label dtype: Keras's docstring says uint8, but its code reshapes the Python
list of labels from the pickle, so Keras actually returns **int64** label
arrays for CIFAR-100. numkeras returns int64 too, matching what Keras returns.
"""

from . import _cifar

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
SHA256 = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
ARCHIVE = "cifar-100-python.tar.gz"
FOLDER = "cifar-100-python"
LABEL_MODES = {"fine": 100, "coarse": 20}  # label mode -> number of classes


def source():
    """Where CIFAR-100 is looked for (built from the module constants)."""
    return _cifar.Source(
        archive=ARCHIVE,
        origin=ORIGIN,
        sha256=SHA256,
        folder=FOLDER,
        members=("train", "test"),
        archive_aliases=(f"{FOLDER}-target_archive", f"{FOLDER}_archive"),
        folder_aliases=(f"{FOLDER}-target/{FOLDER}", f"{FOLDER}/{FOLDER}"),
    )


def load_data(label_mode="fine"):
    """Load CIFAR-100, as `keras.datasets.cifar100.load_data(label_mode="fine")`.

    Args:
        label_mode: "fine" (100 classes, labels 0-99) or "coarse"
            (20 superclasses, labels 0-19).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x_train uint8 (50000, 32, 32, 3)
        (channels_last; (50000, 3, 32, 32) under channels_first), y_train
        int64 (50000, 1), x_test uint8 (10000, 32, 32, 3), y_test int64
        (10000, 1). The image arrays are C-contiguous.
    """
    if label_mode not in LABEL_MODES:
        raise ValueError(
            "Invalid value for argument label_mode: expected one of "
            f'"fine", "coarse", received label_mode={label_mode!r}.'
        )
    blobs, where = _cifar.read_batches(source())
    channels_last = _cifar.image_data_format() == "channels_last"
    key, num_classes = f"{label_mode}_labels", LABEL_MODES[label_mode]
    results = []
    for split in ("train", "test"):
        x, y = _cifar.assemble(
            {split: blobs[split]}, key, num_classes, where, channels_last
        )
        results.append((x, y.reshape(-1, 1)))
    return tuple(results)
