"""Build numkeras/datasets/mnist_mini.npz, a stratified subset of real MNIST.

Usage (from the repository root):

    NUMKERAS_DATASETS=../shared/datasets python3 tools/make_mnist_mini.py

It reads the full MNIST through `numkeras.datasets.mnist.load_data()` (so from
the dataset folder, hash-checked), draws 6,000 training and 1,000 test images
with a fixed seed, stratified by class (per-class counts proportional to the
full set, rounded by the largest-remainder method), keeps them in their
original order, and writes an npz (the format of `np.savez_compressed`) with
the keys x_train, y_train, x_test, y_test, train_indices, test_indices (the
positions of the chosen images in the full MNIST splits).

The zip is written deterministically (fixed timestamps, fixed member order,
deflate level 9), so the same input gives the same bytes with the same zlib.
The tool prints the file's SHA-256; if it differs from
`numkeras.datasets.mnist_mini.SHA256`, paste the new value there.
"""

import argparse
import hashlib
import io
import os
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "numkeras" / "datasets" / "mnist_mini.npz"
SEED = 20240611
N_TRAIN = 6000
N_TEST = 1000
MAX_BYTES = 1_500_000


def stratified_counts(labels, n):
    """Per-class counts summing to `n`, proportional to the class frequencies.

    Largest-remainder rounding: each class gets floor(n * share), and the
    leftover units go to the classes with the largest fractional parts (ties
    to the smaller class id), so every count is within 1 of its exact share.
    """
    freq = np.bincount(labels)
    exact = freq * n / freq.sum()
    counts = np.floor(exact).astype(np.int64)
    leftover = n - int(counts.sum())
    order = np.lexsort((np.arange(len(freq)), -(exact - counts)))
    counts[order[:leftover]] += 1
    return counts


def stratified_indices(labels, n, rng):
    """Sorted indices of a stratified random sample of size `n`."""
    counts = stratified_counts(labels, n)
    chosen = [
        rng.choice(np.flatnonzero(labels == c), size=int(k), replace=False)
        for c, k in enumerate(counts)
    ]
    return np.sort(np.concatenate(chosen))


def build(x_train, y_train, x_test, y_test, seed=SEED, n_train=N_TRAIN, n_test=N_TEST):
    """The arrays of the mini dataset, as a dict in the file's member order."""
    rng = np.random.default_rng(seed)
    train_idx = stratified_indices(y_train, n_train, rng)
    test_idx = stratified_indices(y_test, n_test, rng)
    return {
        "x_train": x_train[train_idx],
        "y_train": y_train[train_idx],
        "x_test": x_test[test_idx],
        "y_test": y_test[test_idx],
        "train_indices": train_idx.astype(np.uint16),
        "test_indices": test_idx.astype(np.uint16),
    }


def write_npz(path, arrays):
    """Write `arrays` as a deflated npz with fixed metadata (reproducible bytes)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for key, value in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(
                buf, np.ascontiguousarray(value), allow_pickle=False
            )
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue(), compresslevel=9)
    os.replace(tmp, path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)

    from numkeras.datasets import mnist

    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    arrays = build(x_train, y_train, x_test, y_test, seed=args.seed)
    digest = write_npz(args.out, arrays)
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size:,} bytes), sha256 {digest}")
    for split in ("train", "test"):
        counts = np.bincount(arrays[f"y_{split}"], minlength=10)
        print(f"  {split}: {len(arrays[f'y_{split}'])} images, per class {counts}")
    if size > MAX_BYTES:
        print(f"error: larger than {MAX_BYTES:,} bytes", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
