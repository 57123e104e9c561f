"""Reading gzip-compressed IDX files (the original MNIST / Fashion-MNIST format).

An IDX file is a 4-byte magic number `00 00 <dtype> <ndim>`, then `ndim`
big-endian uint32 dimensions, then the data. MNIST uses dtype 0x08 (unsigned
byte): magic 0x00000801 for label vectors and 0x00000803 for image stacks.

Everything is validated before it is trusted: the magic, the dtype byte, the
number of dimensions, and that the decompressed data is exactly as long as the
dimensions say (no truncation, no trailing bytes). Decompression is one
`zlib` call capped at the expected size (so a hostile header cannot make us
allocate more than it promises), which also checks the gzip CRC-32.
"""

import zlib
from pathlib import Path

import numpy as np

from . import _download

UBYTE = 0x08
MAX_BYTES = 1 << 31  # refuse headers promising more than 2 GiB


def read_idx_gz(path, ndim, max_bytes=MAX_BYTES):
    """Read a gzip IDX file of unsigned bytes with `ndim` dimensions.

    Returns a writable uint8 array of the shape the header gives.
    Raises `ValueError` naming the file on any malformed input.
    """
    path = Path(path)
    raw = path.read_bytes()
    stream = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip only
    try:
        header = stream.decompress(raw, 4)
        magic = int.from_bytes(header, "big") if len(header) == 4 else None
        expected_magic = (UBYTE << 8) | ndim
        if magic != expected_magic:
            shown = "a file shorter than 4 bytes" if magic is None else hex(magic)
            raise ValueError(
                f"{path}: not an IDX file of unsigned bytes with {ndim} "
                f"dimension(s): expected magic number {expected_magic:#06x}, "
                f"found {shown}."
            )
        dims_bytes = stream.decompress(stream.unconsumed_tail, 4 * ndim)
        if len(dims_bytes) != 4 * ndim:
            raise ValueError(f"{path}: IDX header is truncated.")
        dims = tuple(int(d) for d in np.frombuffer(dims_bytes, ">u4"))
        size = int(np.prod(dims, dtype=object))
        if not 0 < size <= max_bytes:
            raise ValueError(
                f"{path}: IDX dimensions {dims} give {size} bytes; expected "
                f"between 1 and {max_bytes}."
            )
        body = stream.decompress(stream.unconsumed_tail, size + 1)
        if len(body) != size:
            found = "more" if len(body) > size else f"only {len(body)}"
            raise ValueError(
                f"{path}: IDX dimensions {dims} need {size} data bytes, but the "
                f"file holds {found}: truncated or dimensions do not match."
            )
        rest = stream.decompress(stream.unconsumed_tail) + stream.flush()
    except zlib.error as e:
        raise ValueError(f"{path}: not a valid gzip file ({e}).") from e
    if rest or not stream.eof:
        problem = "trailing data" if rest else "the gzip stream is truncated"
        raise ValueError(f"{path}: corrupted IDX file: {problem}.")
    if stream.unused_data:
        raise ValueError(f"{path}: unexpected bytes after the gzip stream.")
    # `body` is immutable bytes; copy once so callers get a writable array.
    return np.frombuffer(body, np.uint8).reshape(dims).copy()


def check_images_labels(x, y, where, size=(28, 28), num_classes=10):
    """Validate an image stack and its labels (shapes, dtypes, label range)."""
    if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != size:
        raise ValueError(
            f"{where}: expected uint8 images of shape (n, {size[0]}, {size[1]}), "
            f"found {x.dtype} {x.shape}."
        )
    if y.dtype != np.uint8 or y.shape != (len(x),):
        raise ValueError(
            f"{where}: expected {len(x)} uint8 labels to match the images, "
            f"found {y.dtype} {y.shape}."
        )
    if y.size and int(y.max()) >= num_classes:
        raise ValueError(
            f"{where}: labels must be in 0..{num_classes - 1}, found {int(y.max())}."
        )


def load_image_label_set(folder, files, origin, searched=()):
    """Load the four IDX files of an MNIST-like dataset.

    Args:
        folder: the folder holding (or to receive) the four files.
        files: `{file name: sha256}` in the order train labels, train images,
            test labels, test images (as in Keras).
        origin: the base URL the file names are appended to.

    Returns:
        `(x_train, y_train), (x_test, y_test)` as uint8 arrays.
    """
    folder = Path(folder)
    paths = [
        _download.get_file(
            name, origin + name, sha, cache_dir=folder, searched=searched
        )
        for name, sha in files.items()
    ]
    y_train = read_idx_gz(paths[0], 1)
    x_train = read_idx_gz(paths[1], 3)
    y_test = read_idx_gz(paths[2], 1)
    x_test = read_idx_gz(paths[3], 3)
    check_images_labels(x_train, y_train, f"{paths[1].name} / {paths[0].name}")
    check_images_labels(x_test, y_test, f"{paths[3].name} / {paths[2].name}")
    return (x_train, y_train), (x_test, y_test)
