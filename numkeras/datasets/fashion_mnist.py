"""Fashion-MNIST: 70,000 28x28 grayscale images of 10 kinds of clothing.

Read from the four original IDX files in `<dataset folder>/fashion-mnist/`
(Keras's layout), downloaded from Keras's origin when missing. Keras verifies
no hash for these files; numkeras checks the SHA-256 of each (the published
files, matching Zalando's MD5s).

Classes: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal,
6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot.

License: MIT, Copyright (c) 2017 Zalando SE. Cite Xiao, Rasul & Vollgraf (2017),
arXiv:1708.07747.
"""

from . import _cache, _idx

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
SUBDIR = "fashion-mnist"
# In Keras's order: train labels, train images, test labels, test images.
FILES = {
    "train-labels-idx1-ubyte.gz": (
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"
    ),
    "train-images-idx3-ubyte.gz": (
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"
    ),
    "t10k-labels-idx1-ubyte.gz": (
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"
    ),
    "t10k-images-idx3-ubyte.gz": (
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"
    ),
}


def load_data():
    """Load Fashion-MNIST, as `keras.datasets.fashion_mnist.load_data()`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: x_train uint8 (60000, 28, 28),
        y_train uint8 (60000,), x_test uint8 (10000, 28, 28), y_test uint8
        (10000,). Unlike Keras's, the arrays are writable.
    """
    folder = _cache.cache_dir() / SUBDIR
    return _idx.load_image_label_set(folder, FILES, ORIGIN)
