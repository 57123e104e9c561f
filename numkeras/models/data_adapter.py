"""Turning what users pass to fit/evaluate/predict into checked arrays and batches.

Everything here runs once per call, before the first step, so bad input fails
before any work is lost: wrong types, non-numeric data, NaN/inf (with how many
and where), mismatched lengths. Arrays are cast to floatx once, never per batch.
"""

import math

import numpy as np

from .. import backend


def to_array(data, name):
    """A NumPy array from an array, list, or pandas DataFrame/Series."""
    if data is None:
        raise ValueError(f"Argument {name} is required, received {name}=None.")
    if hasattr(data, "to_numpy") and hasattr(data, "dtypes"):  # pandas
        dtypes = data.dtypes
        dtypes = list(dtypes) if hasattr(dtypes, "__iter__") else [dtypes]
        bad = [str(d) for d in dtypes if np.dtype(d).kind not in "biuf"]
        if bad:
            raise TypeError(
                f"Argument {name} is a pandas object with non-numeric columns "
                f"(dtypes {sorted(set(bad))}); convert or drop them first."
            )
        data = data.to_numpy()
    array = np.asarray(data) if not isinstance(data, np.ndarray) else data
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"Argument {name} must be numeric, received an array of dtype "
            f"{array.dtype} with shape {array.shape}."
        )
    if array.ndim == 0:
        raise ValueError(
            f"Argument {name} must have a batch axis, received a scalar {array!r}."
        )
    return array


def check_finite(array, name):
    """Raise if a float array holds NaN or inf, saying how many and where."""
    if array.dtype.kind != "f" or array.size == 0:
        return
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.add.reduce(array, axis=None)):  # fast path: one pass
            return
    bad = ~np.isfinite(array)
    count = int(bad.sum())
    if count == 0:  # the sum overflowed; the values are fine
        return
    where = np.argwhere(bad)[:3]
    rows = sorted({int(i[0]) for i in where})
    n_nan = int(np.isnan(array).sum())
    raise ValueError(
        f"Argument {name} contains {count} non-finite values ({n_nan} NaN, "
        f"{count - n_nan} inf), e.g. at index {tuple(int(i) for i in where[0])} "
        f"(samples {rows}...). Clean or impute them before training."
    )


def as_floatx(array):
    """Cast to floatx once (no copy when it already is)."""
    return np.asarray(array, dtype=backend.floatx())


def check_lengths(arrays):
    """All non-None arrays must have the same number of samples."""
    lengths = {name: len(a) for name, a in arrays.items() if a is not None}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{k} has {v}" for k, v in lengths.items())
        raise ValueError(
            f"Data cardinality is ambiguous: the arrays must have the same number "
            f"of samples, but {detail}."
        )


def split_validation(arrays, validation_split):
    """Keras semantics: the *last* fraction, taken before any shuffling."""
    if not 0 <= validation_split < 1:
        raise ValueError(
            f"Invalid value for argument validation_split: expected a float in "
            f"[0, 1), received validation_split={validation_split!r}."
        )
    n = len(arrays[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient to split "
            f"it into a validation and training set as specified by "
            f"validation_split={validation_split}. Either provide more data, or a "
            "different value for the validation_split argument."
        )
    train = tuple(None if a is None else a[:split_at] for a in arrays)
    val = tuple(None if a is None else a[split_at:] for a in arrays)
    return train, val


def unpack_validation_data(validation_data):
    """(x_val, y_val) or (x_val, y_val, sample_weight_val)."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (
        2,
        3,
    ):
        raise ValueError(
            "Invalid value for argument validation_data: expected a tuple "
            "(x_val, y_val) or (x_val, y_val, sample_weight_val), received "
            f"{type(validation_data).__name__}"
            + (
                f" of length {len(validation_data)}"
                if hasattr(validation_data, "__len__")
                else ""
            )
            + "."
        )
    x, y = validation_data[0], validation_data[1]
    sw = validation_data[2] if len(validation_data) == 3 else None
    return x, y, sw


def class_indices(y):
    """One class index per sample: argmax of one-hot, else the (squeezed) label."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1)
    return np.round(y.reshape(len(y))).astype(np.int64)


def class_weight_to_sample_weight(y, class_weight):
    """Keras: sample_weight[i] = class_weight.get(class of sample i, 1.0)."""
    if not isinstance(class_weight, dict):
        raise ValueError(
            f"Invalid value for argument class_weight: expected a dict mapping "
            f"class indices to weights, received {type(class_weight).__name__}."
        )
    for key in class_weight:
        if isinstance(key, bool) or not isinstance(key, (int, np.integer)):
            raise ValueError(
                f"Invalid class_weight key {key!r}: expected an integer class index."
            )
    classes = class_indices(y)
    weights = np.ones(len(classes), dtype=backend.floatx())
    for cls, weight in class_weight.items():
        weights[classes == cls] = weight
    return weights


def check_sample_weight(sample_weight, n, name="sample_weight"):
    sw = to_array(sample_weight, name)
    if sw.ndim == 2 and sw.shape[1] == 1:
        sw = sw[:, 0]
    if len(sw) != n:
        raise ValueError(
            f"Argument {name} has {len(sw)} entries, but the data has {n} samples."
        )
    check_finite(sw, name)
    return as_floatx(sw)


class BatchIterator:
    """Batches of (x, y, sample_weight) in fixed-size preallocated buffers.

    With shuffle, every pass draws a new permutation from NumPy's global RNG
    (reproducible after set_random_seed, as in Keras 3.15) and gathers each
    batch with `np.take(..., out=buffer)`; without shuffle batches are views.
    A pass that is cut short by steps_per_epoch resumes where it stopped.
    """

    def __init__(self, arrays, batch_size, shuffle):
        self.arrays = arrays
        self.n = len(arrays[0])
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.buffers = [
            None if a is None else np.empty((batch_size,) + a.shape[1:], a.dtype)
            for a in arrays
        ]
        self._order = None
        self._position = self.n  # forces a new pass on the first batch

    @property
    def steps_per_pass(self):
        return math.ceil(self.n / self.batch_size)

    def new_pass(self):
        self._position = 0
        if self.shuffle == "batch":
            self._order = np.arange(self.n)
            for start in range(0, self.n, self.batch_size):
                np.random.shuffle(self._order[start : start + self.batch_size])
        elif self.shuffle:
            self._order = np.random.permutation(self.n)
        else:
            self._order = None

    def next_batch(self):
        if self._position >= self.n:
            self.new_pass()
        start = self._position
        stop = min(start + self.batch_size, self.n)
        self._position = stop
        if self._order is None:
            return tuple(None if a is None else a[start:stop] for a in self.arrays)
        index = self._order[start:stop]
        size = stop - start
        return tuple(
            None
            if a is None
            else np.take(a, index, axis=0, out=buf[:size], mode="clip")
            for a, buf in zip(self.arrays, self.buffers, strict=True)
        )


def batch_slices(n, batch_size):
    """(start, stop) of each batch, in order, the last one partial."""
    return [(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]
