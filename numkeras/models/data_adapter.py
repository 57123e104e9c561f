"""Turning what users pass to fit/evaluate/predict into checked arrays and batches.

Everything here runs once per call, before the first step, so bad input fails
before any work is lost: wrong types, non-numeric data, NaN/inf (with how many
and where), mismatched lengths. Arrays are cast to floatx once, never per batch.

What fit / evaluate / predict accept as `x` (and `validation_data`):

- NumPy arrays of any numeric dtype, Python lists, pandas DataFrame / Series
  (numeric columns only): checked and cast to floatx once, then batched by
  `BatchIterator` (preallocated buffers, `np.take`): the fast path.
- `np.memmap` arrays (e.g. `np.load(path, mmap_mode="r")`), possibly larger
  than memory: wrapped in `LazyArray`, which is checked for NaN/inf chunk by
  chunk and read per batch (gathered and cast into the same preallocated
  floatx buffers), releasing the pages it has read so the process's resident
  memory stays bounded. Targets and sample weights are always loaded.
- Python generators / iterators yielding `(x, y)` or `(x, y, sample_weight)`
  (`x` alone, or `(x,)`, for predict): see `GeneratorSource`.
- `numkeras.utils.PyDataset` (or any object with `__getitem__`, `__len__`
  and `on_epoch_end`, such as a `keras.utils.PyDataset`): see
  `PyDatasetSource`.

Generators and datasets are peeked before training starts: the first batch is
fetched, checked and used to build the model, so a wrong structure or dtype
fails before the first step. Every later batch gets the same checks.
"""

import collections
import itertools
import logging
import math
import mmap
import os
import weakref

import numpy as np

from .. import backend

logger = logging.getLogger(__name__)


def to_array(data, name, lazy=False):
    """A NumPy array from an array, list, or pandas DataFrame/Series.

    With `lazy=True` a `np.memmap` becomes a `LazyArray` (read per batch).
    """
    if data is None:
        raise ValueError(f"Argument {name} is required, received {name}=None.")
    if isinstance(data, LazyArray):
        return data
    if lazy and isinstance(data, np.memmap):
        if data.dtype.kind not in "biuf":
            raise TypeError(
                f"Argument {name} must be numeric, received a memmap of dtype "
                f"{data.dtype} with shape {data.shape}."
            )
        if data.ndim == 0:
            raise ValueError(f"Argument {name} must have a batch axis.")
        return LazyArray(data)
    if is_batch_source(data):
        raise TypeError(
            f"Argument {name} must be array-like here, received a "
            f"{type(data).__name__} (generators and PyDatasets are accepted as x "
            "and validation_data only, yielding whole batches)."
        )
    if hasattr(data, "to_numpy") and hasattr(data, "dtypes"):  # pandas
        data = _pandas_to_numpy(data, name)
    if isinstance(data, dict):
        raise TypeError(
            f"Argument {name} must be an array, received a dict with keys "
            f"{sorted(map(str, data))[:5]} (numkeras models take a single input)."
        )
    try:
        array = np.asarray(data) if not isinstance(data, np.ndarray) else data
    except ValueError as error:  # ragged nested lists
        raise ValueError(
            f"Argument {name} could not be turned into an array: {error} "
            f"(received a {type(data).__name__})."
        ) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"Argument {name} must be numeric, received an array of dtype "
            f"{array.dtype} with shape {array.shape}" + _object_hint(array) + "."
        )
    if array.ndim == 0:
        raise ValueError(
            f"Argument {name} must have a batch axis, received a scalar {array!r}."
        )
    return array


def _pandas_to_numpy(data, name):
    """A DataFrame / Series as an array; non-numeric columns are named.

    Works with NumPy dtypes and pandas extension dtypes alike (nullable
    Int64 / Float64 / boolean become float64 with NaN for missing values,
    which the NaN check then reports; strings and categories are refused).
    """
    dtypes = data.dtypes
    if hasattr(dtypes, "items"):  # a DataFrame: one dtype per column
        columns = list(dtypes.items())
    else:  # a Series
        columns = [(getattr(data, "name", None), dtypes)]
    bad = [(col, d) for col, d in columns if getattr(d, "kind", "O") not in "biuf"]
    if bad:
        listed = ", ".join(f"{col!r} ({d})" for col, d in bad[:10])
        more = f" and {len(bad) - 10} more" if len(bad) > 10 else ""
        raise TypeError(
            f"Argument {name} is a pandas {type(data).__name__} with non-numeric "
            f"columns: {listed}{more}. Convert them to numbers (e.g. "
            "pd.get_dummies for categories) or drop them first."
        )
    if all(isinstance(d, np.dtype) for _, d in columns):
        return data.to_numpy()
    return data.to_numpy(dtype=np.float64, na_value=np.nan)


def _object_hint(array):
    if array.dtype != object or array.size == 0:
        return ""
    kinds = sorted({type(v).__name__ for v in array.ravel()[:1000]})
    return f" (holding Python objects of type {', '.join(kinds)})"


def check_finite(array, name):
    """Raise if a float array holds NaN or inf, saying how many and where."""
    if isinstance(array, LazyArray):
        array.check_finite(name)
        return
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
    """Cast to floatx once (no copy when it already is); a LazyArray is cast
    per batch instead."""
    if isinstance(array, LazyArray):
        return array
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
    train = tuple(_head(a, split_at) for a in arrays)
    val = tuple(_tail(a, split_at) for a in arrays)
    return train, val


def _head(a, stop):
    if a is None:
        return None
    return a.lazy_slice(slice(None, stop)) if isinstance(a, LazyArray) else a[:stop]


def _tail(a, start):
    if a is None:
        return None
    return a.lazy_slice(slice(start, None)) if isinstance(a, LazyArray) else a[start:]


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


def epoch_steps(steps, batches):
    """The step indices of one epoch: `range(steps)`, or, when the number of
    steps is unknown (a generator without steps_per_epoch), one index per
    batch until the source runs out."""
    return range(steps) if steps is not None else batches.open_steps()


def test_batches(x, y, sample_weight, batch_size, steps):
    """(x, y, sample_weight) batches for evaluate / validation, in order."""
    if isinstance(x, BatchSource):
        x.new_pass()
        for _ in epoch_steps(steps, x):
            yield x.next_batch()
        return
    slices = batch_slices(len(x), batch_size)
    if steps is not None:
        slices = slices[:steps]
    for start, stop in slices:
        yield (
            x[start:stop],
            y[start:stop],
            None if sample_weight is None else sample_weight[start:stop],
        )


# ------------------------------------------------------------------------------
# Memory-mapped arrays, read per batch
# ------------------------------------------------------------------------------


def _file_region(data):
    """(file name, byte offset of data[0]) if data's rows can be read straight
    from its file (a C-contiguous view of a memmap in a shared mode), else None."""
    if os.name != "posix" or not hasattr(os, "preadv"):
        return None
    if getattr(data, "mode", None) not in (
        "r",
        "r+",
        "w+",
        "readonly",
        "readwrite",
        "write",
    ):
        return None  # copy-on-write: the file may not hold the user's values
    if not data.flags.c_contiguous or not getattr(data, "filename", None):
        return None
    root = data
    while isinstance(root.base, np.ndarray):
        root = root.base
    if not isinstance(root.base, mmap.mmap) or not isinstance(root, np.memmap):
        return None
    start = data.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return root.filename, int(root.offset) + start


class LazyArray:
    """A `np.memmap` seen as a floatx array that is only ever read in batches.

    It has the attributes the training loops use (`shape`, `ndim`, `dtype`
    (floatx), `len()`), slicing `a[start:stop]` returns that block as a new
    floatx array, and `np.take(a, index, axis=0, out=buffer)` (what
    `BatchIterator` calls) gathers the rows and casts them into `buffer`. So a
    memmap goes through exactly the same loops as an in-memory array, with the
    gather + cast moved from "once, before training" to "per batch".

    Rows are read with `os.preadv` from the memmap's file, not through the
    mapping: pages touched through a mapping count in the process's resident
    memory (and a random row can map a 2 MiB folio on current Linux), while
    reads only fill the OS page cache, which is not the process's memory. So
    peak RSS stays at the model plus a batch, whatever the file size. A
    shuffled batch is read in sorted order, one call per run of consecutive
    rows. Memmaps that cannot be read that way (copy-on-write mode "c",
    non-contiguous views, non-POSIX systems) are gathered through the
    mapping, and pages are released (`madvise(MADV_DONTNEED)`) after every
    `release_every` bytes, except in mode "c", where that would lose changes.
    """

    release_every = 64 << 20

    def __init__(self, data):
        self.data = data
        self.shape = data.shape
        self.ndim = data.ndim
        self.size = data.size
        self.dtype = np.dtype(backend.floatx())
        self._row_bytes = max(1, data.dtype.itemsize * math.prod(data.shape[1:]))
        self._mmap = None
        if getattr(data, "mode", None) in (
            "r",
            "r+",
            "w+",
            "readonly",
            "readwrite",
            "write",
        ):
            self._mmap = getattr(data, "_mmap", None)
        self._touched = 0
        self._fd = None
        region = _file_region(data)
        if region is not None:
            try:
                self._fd = os.open(region[0], os.O_RDONLY)
            except OSError:
                region = None
        if region is not None:
            self._offset = region[1]
            weakref.finalize(self, os.close, self._fd)

    def __len__(self):
        return self.shape[0]

    def __repr__(self):
        return f"LazyArray(memmap of {self.data.dtype}, shape={self.shape})"

    # -- reading rows
    def _pread_rows(self, start, stop, out):
        """Rows [start, stop) of the file into the raw buffer `out`."""
        view = memoryview(out).cast("B")
        offset = self._offset + start * self._row_bytes
        done, total = 0, (stop - start) * self._row_bytes
        while done < total:
            n = os.preadv(self._fd, [view[done:total]], offset + done)
            if n <= 0:
                raise OSError(
                    f"Unexpected end of file {self.data.filename!r} while reading "
                    f"rows {start}..{stop} of a memory-mapped input."
                )
            done += n

    def _read_block(self, start, stop):
        """Rows [start, stop) in the memmap's own dtype, freshly read."""
        raw = np.empty((stop - start,) + self.shape[1:], self.data.dtype)
        if self._fd is not None:
            self._pread_rows(start, stop, raw)
        else:
            np.copyto(raw, self.data[start:stop])
            self._account(raw.nbytes)
        return raw

    def _account(self, nbytes):
        self._touched += nbytes
        if self._touched >= self.release_every:
            self.release()

    def release(self):
        """Drop pages read through the mapping from this process's memory."""
        self._touched = 0
        if self._mmap is not None and hasattr(mmap, "MADV_DONTNEED"):
            try:
                self._mmap.madvise(mmap.MADV_DONTNEED)
            except (OSError, ValueError):  # closed, or unsupported here
                self._mmap = None

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError(
                f"A memory-mapped input is read in batches (contiguous slices); "
                f"received index {key!r}."
            )
        start, stop, _ = key.indices(len(self))
        return self._read_block(start, max(start, stop)).astype(self.dtype, copy=False)

    def lazy_slice(self, key):
        """The rows `key` as another LazyArray (nothing is read)."""
        return LazyArray(self.data[key])

    def take(self, indices, axis=0, out=None, mode="raise"):
        """Rows `indices` cast into `out` (np.take's signature, axis 0)."""
        if axis != 0:
            raise ValueError("LazyArray.take only gathers along axis 0.")
        indices = np.asarray(indices, dtype=np.intp)
        if mode == "clip":
            indices = np.clip(indices, 0, len(self) - 1)
        if out is None:
            out = np.empty((len(indices),) + self.shape[1:], self.dtype)
        if self._fd is None:
            np.copyto(
                out, np.take(self.data, indices, axis=0, mode=mode), casting="unsafe"
            )
            self._account(len(indices) * max(self._row_bytes, 2 << 20))
            return out
        order = np.argsort(indices, kind="stable")
        rows = indices[order]
        raw = np.empty((len(rows),) + self.shape[1:], self.data.dtype)
        # one read per run of consecutive row numbers
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        for lo, hi in zip(
            itertools.chain((0,), breaks),
            itertools.chain(breaks, (len(rows),)),
            strict=True,
        ):
            self._pread_rows(int(rows[lo]), int(rows[hi - 1]) + 1, raw[lo:hi])
        out[order] = raw
        return out

    def __array__(self, dtype=None, copy=None):
        """The whole array in memory (only for paths that need it at once)."""
        return self[:].astype(dtype or self.dtype, copy=False)

    def chunks(self, nbytes=8 << 20):
        """(start row, block) in blocks of about `nbytes` bytes, in order."""
        rows = max(1, nbytes // self._row_bytes)
        for start in range(0, len(self), rows):
            yield start, self._read_block(start, min(start + rows, len(self)))
        self.release()

    def check_finite(self, name, chunk_bytes=8 << 20):
        """NaN / inf check chunk by chunk (the whole file is read once, never
        held in memory at once); the error gives absolute sample indices."""
        if self.data.dtype.kind != "f" or self.size == 0:
            return
        count = n_nan = 0
        first = None
        for start, block in self.chunks(chunk_bytes):
            with np.errstate(over="ignore", invalid="ignore"):
                if np.isfinite(np.add.reduce(block, axis=None)):
                    continue
            bad = ~np.isfinite(block)
            found = int(bad.sum())
            if found and first is None:
                where = np.argwhere(bad)[0]
                first = (start + int(where[0]),) + tuple(int(i) for i in where[1:])
            count += found
            n_nan += int(np.isnan(block).sum())
        if count:
            raise ValueError(
                f"Argument {name} (a memory-mapped array) contains {count} "
                f"non-finite values ({n_nan} NaN, {count - n_nan} inf), the first "
                f"at index {first} (sample {first[0]}). Clean or impute them "
                "before training."
            )


# ------------------------------------------------------------------------------
# Generators and PyDatasets: sources of whole batches
# ------------------------------------------------------------------------------


def is_py_dataset(data):
    """A numkeras/Keras PyDataset, or anything shaped like one."""
    from ..utils.py_dataset import PyDataset

    if isinstance(data, PyDataset):
        return True
    return (
        callable(getattr(data, "__getitem__", None))
        and (hasattr(data, "__len__") or hasattr(data, "num_batches"))
        and callable(getattr(data, "on_epoch_end", None))
        and not hasattr(data, "dtypes")  # pandas
        and not isinstance(data, (np.ndarray, list, tuple, dict, str, bytes))
    )


def is_batch_source(data):
    """True for what yields whole batches: generators, iterators, PyDatasets."""
    if data is None or isinstance(
        data, (np.ndarray, list, tuple, dict, str, bytes, LazyArray)
    ):
        return False
    if isinstance(data, BatchSource):
        return True
    if hasattr(data, "__next__") and hasattr(data, "__iter__"):
        return True
    return is_py_dataset(data)


def describe(obj, depth=0):
    """A short description of a value, for error messages."""
    if isinstance(obj, np.ndarray):
        return f"ndarray of shape {obj.shape} and dtype {obj.dtype}"
    if hasattr(obj, "dtypes") and hasattr(obj, "shape"):
        return f"{type(obj).__name__} of shape {obj.shape}"
    if isinstance(obj, (tuple, list)) and depth == 0:
        inner = ", ".join(describe(v, 1) for v in obj[:4])
        more = ", ..." if len(obj) > 4 else ""
        return f"{type(obj).__name__} of length {len(obj)} ({inner}{more})"
    if isinstance(obj, (tuple, list)):
        return f"{type(obj).__name__} of length {len(obj)}"
    if isinstance(obj, dict):
        return f"dict with keys {sorted(map(str, obj))[:5]}"
    text = repr(obj)
    return f"{type(obj).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"


def make_source(
    data, prepare, role, y=None, sample_weight=None, class_weight=None, name="x"
):
    """Wrap a generator or PyDataset for fit / evaluate ("train", "test") or
    predict ("predict"), peeking and checking its first batch now.

    `prepare(x, y, sample_weight, class_weight, names)` (train / test) or
    `prepare(x, name)` (predict) turns one raw batch into model-ready arrays
    (the model's own array checks); it raises on bad data.
    """
    if isinstance(data, BatchSource):
        return data
    kind = "a PyDataset" if is_py_dataset(data) else "a generator"
    if y is not None:
        raise ValueError(
            f"When {name} is {kind}, y must not be given (received y of type "
            f"{type(y).__name__}): yield (x, y) or (x, y, sample_weight) batches."
        )
    if sample_weight is not None:
        raise ValueError(
            f"When {name} is {kind}, sample_weight must not be given: yield it "
            "as the third element of each batch, (x, y, sample_weight)."
        )
    cls = PyDatasetSource if is_py_dataset(data) else GeneratorSource
    return cls(data, prepare, role, class_weight, name)


class BatchSource:
    """Common part of GeneratorSource and PyDatasetSource: turning one raw
    batch into checked, model-ready arrays, with errors naming the batch."""

    what = "source"

    def __init__(self, data, prepare, role, class_weight, name):
        self.data = data
        self.prepare = prepare
        self.role = role
        self.class_weight = class_weight
        self.name = name
        self.shuffle = False
        self._sample_shape = None

    def _where(self, index):
        raise NotImplementedError

    def _split(self, batch, index):
        """(x, y, sample_weight) from what the source produced."""
        where = self._where(index)
        if isinstance(batch, list):
            batch = tuple(batch)
        if isinstance(batch, dict):
            raise TypeError(
                f"{where} is a {describe(batch)}: numkeras models take a single "
                "input, so batches must be tuples (x, y) or (x, y, sample_weight)."
            )
        if not isinstance(batch, tuple):
            if self.role == "predict" and not is_batch_source(batch):
                return batch, None, None
            batch = (batch,)
        if not 1 <= len(batch) <= 3 or (self.role != "predict" and len(batch) == 1):
            expected = (
                "x, (x,), (x, y) or (x, y, sample_weight)"
                if self.role == "predict"
                else "a tuple (x, y) or (x, y, sample_weight)"
            )
            raise ValueError(
                f"{where} must be {expected}; received a {describe(batch)}."
            )
        if any(is_batch_source(part) for part in batch):
            raise TypeError(
                f"{where} holds a generator or PyDataset; each element of a "
                "batch must be an array."
            )
        return batch + (None,) * (3 - len(batch))

    def _convert(self, batch, index):
        x, y, sw = self._split(batch, index)
        where = self._where(index)
        if self.role == "predict":
            x = self.prepare(x, f"x ({where})")
            out = x
        else:
            out = self.prepare(
                x, y, sw, self.class_weight, (f"x ({where})", f"y ({where})")
            )
            x = out[0]
        if self._sample_shape is None:
            self._sample_shape = x.shape[1:]
        elif x.shape[1:] != self._sample_shape:
            raise ValueError(
                f"x ({where}) has shape {x.shape[1:]} per sample, but the first "
                f"batch had {self._sample_shape}: all batches must agree."
            )
        return out

    def open_steps(self):
        raise NotImplementedError

    def close(self):
        """Release workers (PyDataset); nothing for generators."""


class _End(Exception):
    pass


class GeneratorSource(BatchSource):
    """Batches from a Python generator or iterator.

    Keras semantics: batches are drawn one after another, across epochs; with
    `steps_per_epoch` each epoch takes that many, without it an epoch lasts
    until the generator is exhausted (so only one epoch is possible: a
    generator cannot be restarted). `shuffle` does not apply.

    Decided differently from Keras (which warns "Your input ran out of data"
    and silently stops training): a generator that runs dry before
    `steps_per_epoch` batches, or that is already exhausted when a new epoch
    (or validation run) starts, raises a ValueError saying how many batches
    it gave and what was needed. The weights trained so far are kept and
    `model.history` holds the completed epochs.
    """

    what = "generator"

    def __init__(self, data, prepare, role, class_weight, name):
        super().__init__(data, prepare, role, class_weight, name)
        self.iterator = iter(data)
        self.drawn = 0
        try:
            first = self._draw()
        except _End:
            raise ValueError(
                f"The generator passed as {name} yielded no batches at all."
            ) from None
        self._ready = self._convert(first, 0)  # checked before training
        self.first = self._ready

    def _where(self, index):
        return f"batch {index} from the generator"

    def _draw(self):
        try:
            batch = next(self.iterator)
        except StopIteration:
            raise _End() from None
        self.drawn += 1
        return batch

    def new_pass(self):
        """Nothing to do: a generator continues where it stopped."""

    def next_batch(self):
        if self._ready is not None:
            batch, self._ready = self._ready, None
            return batch
        try:
            raw = self._draw()
        except _End:
            raise ValueError(
                f"The generator passed as {self.name} ran out of data after "
                f"yielding {self.drawn} batches in total. With steps_per_epoch "
                "(or steps / validation_steps) a generator must yield at least "
                "steps x epochs batches: make it loop forever (while True: ...), "
                "lower the number of steps, or use a numkeras.utils.PyDataset."
            ) from None
        return self._convert(raw, self.drawn - 1)

    def open_steps(self):
        """Step indices until the generator is exhausted (no steps given)."""
        for step in itertools.count():
            if self._ready is None:
                try:
                    raw = self._draw()
                except _End:
                    if step == 0:
                        raise ValueError(
                            f"The generator passed as {self.name} is exhausted "
                            f"(it yielded {self.drawn} batches, all used by an "
                            "earlier epoch or evaluation): a Python generator can "
                            "only be iterated once. For several epochs make it "
                            "loop forever and pass steps_per_epoch (and "
                            "validation_steps), or use a numkeras.utils.PyDataset."
                        ) from None
                    return
                self._ready = self._convert(raw, self.drawn - 1)
            yield step

    def steps(self, steps):
        return steps


class PyDatasetSource(BatchSource):
    """Batches `dataset[i]` from a PyDataset (`__len__` / `num_batches`,
    `__getitem__`, `on_epoch_begin`, `on_epoch_end`).

    - An epoch (without steps_per_epoch) is one pass over all `len(dataset)`
      batches, in a new random order when `fit(shuffle=True)` (NumPy's global
      RNG, so `set_random_seed` repeats it; Keras uses Python's `random`).
      Evaluation and prediction always go in order.
    - With steps_per_epoch an epoch takes that many batches and the next
      epoch resumes where it stopped (a new pass starts when one ends), as
      `BatchIterator` does for arrays. `num_batches = None` (an infinite
      dataset) needs steps_per_epoch.
    - `on_epoch_begin()` / `on_epoch_end()` are called at the start / end of
      every fit epoch (Keras 3).
    - `workers > 1`: batches are fetched ahead by that many threads, keeping
      at most `max_queue_size` batches in flight, in order. NumPy releases the
      GIL, so threads help when `__getitem__` does array work or I/O.
      `use_multiprocessing=True` is not supported: it is logged once and the
      dataset runs in threads instead.
    """

    what = "PyDataset"

    def __init__(self, data, prepare, role, class_weight, name):
        super().__init__(data, prepare, role, class_weight, name)
        if hasattr(data, "num_batches"):
            try:
                num = data.num_batches
            except NotImplementedError:
                num = len(data)
        else:
            num = len(data)
        self.n = None if num is None else int(num)
        if self.n == 0:
            raise ValueError(f"The PyDataset passed as {name} has length 0.")
        workers = getattr(data, "workers", 1) or 1
        if getattr(data, "use_multiprocessing", False):
            logger.warning(
                "%s has use_multiprocessing=True: numkeras fetches PyDataset "
                "batches in threads (workers=%s), not processes.",
                type(data).__name__,
                workers,
            )
        self.workers = int(workers)
        self.max_queue_size = max(1, int(getattr(data, "max_queue_size", 10) or 10))
        self._pool = None
        self._futures = collections.deque()
        self._first = self._convert(data[0], 0)  # checked before training
        self.first = self._first
        self._order = None
        self._position = self.n if self.n is not None else 0

    def _where(self, index):
        return f"batch {index} of the PyDataset ({type(self.data).__name__}[{index}])"

    def steps(self, steps):
        if steps is None and self.n is None:
            raise ValueError(
                f"The PyDataset passed as {self.name} is infinite "
                "(num_batches is None): pass steps_per_epoch / steps."
            )
        return steps if steps is not None else self.n

    def new_pass(self):
        self._position = 0
        while self._futures:
            self._futures.popleft()[1].cancel()
        shuffle = self.shuffle and self.role == "train" and self.n is not None
        self._order = np.random.permutation(self.n) if shuffle else None

    def _index(self, position):
        return int(self._order[position]) if self._order is not None else position

    def _fetch(self, position):
        """dataset[index at position]; with workers, the next batches of the
        pass are requested ahead (at most max_queue_size in flight)."""
        index = self._index(position)
        if self.workers <= 1:
            return self.data[index]
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.workers, "numkeras-pydataset")
        futures = self._futures
        while futures and futures[0][0] < position:
            futures.popleft()[1].cancel()
        if not futures or futures[0][0] != position:
            futures.clear()
            futures.append((position, self._pool.submit(self.data.__getitem__, index)))
        ahead = futures[-1][0] + 1
        while len(futures) < self.max_queue_size and (self.n is None or ahead < self.n):
            futures.append(
                (ahead, self._pool.submit(self.data.__getitem__, self._index(ahead)))
            )
            ahead += 1
        return futures.popleft()[1].result()

    def next_batch(self):
        if self.n is not None and self._position >= self.n:
            self.new_pass()
        position = self._position
        index = self._index(position)
        self._position += 1
        first, self._first = self._first, None
        if first is not None and index == 0:
            return first
        return self._convert(self._fetch(position), index)

    def open_steps(self):
        return range(self.steps(None))

    def on_epoch_begin(self):
        hook = getattr(self.data, "on_epoch_begin", None)
        if callable(hook):
            hook()

    def on_epoch_end(self):
        hook = getattr(self.data, "on_epoch_end", None)
        if callable(hook):
            hook()

    def close(self):
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._futures.clear()


def with_source_hooks(callbacks, source, val_source):
    """`callbacks` plus, when x or validation_data is a batch source, a
    callback calling the PyDataset's on_epoch_begin / on_epoch_end at every
    fit epoch and releasing worker threads when training ends."""
    sources = [s for s in (source, val_source) if isinstance(s, BatchSource)]
    if not sources:
        return callbacks
    from ..callbacks.callback import Callback

    class _SourceHooks(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if isinstance(source, PyDatasetSource):
                source.on_epoch_begin()

        def on_epoch_end(self, epoch, logs=None):
            if isinstance(source, PyDatasetSource):
                source.on_epoch_end()

        def on_train_end(self, logs=None):
            for s in sources:
                s.close()

    if callbacks is None:
        callbacks = []
    elif not isinstance(callbacks, (list, tuple)):
        callbacks = [callbacks]
    return [*callbacks, _SourceHooks()]
