"""to_categorical and normalize (keras.utils)."""

import numpy as np


def to_categorical(x, num_classes=None, dtype=None):
    """One-hot encode integer labels: shape x.shape (minus a trailing 1) +
    (num_classes,). Returns float64 for NumPy input, as Keras 3 does.

    tf.keras 2's `dtype=` argument (removed in Keras 3) is accepted for old
    tutorials.
    """
    x = np.asarray(x)
    if x.dtype.kind == "f":
        if not np.all(np.mod(x, 1) == 0):
            raise ValueError(
                "to_categorical expects integer class labels, received "
                "non-integer values."
            )
    elif x.dtype.kind not in "biu":
        raise ValueError(
            f"to_categorical expects integer class labels, received dtype {x.dtype}."
        )
    x = x.astype(np.int64)
    if x.ndim > 1 and x.shape[-1] == 1:
        x = x.reshape(x.shape[:-1])
    if x.size and x.min() < 0:
        raise ValueError(
            f"to_categorical expects non-negative labels, received {int(x.min())}."
        )
    if num_classes is None:
        num_classes = int(x.max()) + 1 if x.size else 0
    elif x.size and x.max() >= num_classes:
        raise ValueError(
            f"Label {int(x.max())} is out of range for num_classes={num_classes} "
            f"(valid labels are 0..{num_classes - 1})."
        )
    out = np.zeros(x.shape + (num_classes,), dtype=dtype or np.float64)
    np.put_along_axis(out, x[..., None], 1.0, axis=-1)
    return out


def normalize(x, axis=-1, order=2):
    """x / ||x||_order along `axis`, zero norms left as they are."""
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
