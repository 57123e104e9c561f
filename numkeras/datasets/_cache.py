"""Where dataset files live, and checking them against their known SHA-256.

The dataset folder is the first of:

1. `$NUMKERAS_DATASETS` (the folder itself, e.g. the one holding `mnist/`);
2. `$KERAS_HOME/datasets`;
3. `~/.keras/datasets`.

Choices 2 and 3 are the folder Keras uses, so files Keras already downloaded are
reused. Like Keras, if `$KERAS_HOME` (or `~/.keras`) exists but is not writable,
`/tmp/.keras/datasets` is used instead.

Verification cache
------------------
Hashing a file on every load costs time (measured: 22 ms for the 26 MB
Fashion-MNIST training images with SHA-NI, several times that without, and
~0.3 s for a 170 MB CIFAR archive). A successful check is therefore remembered:

* in this process, keyed by the file's real path; and
* when the folder is writable, in a stamp file `.<name>.sha256-ok` next to the
  data file (JSON holding the expected hash and the file's size, mtime, ctime
  and inode). A folder without write permission bits (e.g. `chmod a-w`, like
  a shared read-only copy) gets no stamp even when running as root.

The check is skipped only if the expected hash *and* all four stat values still
match. Any write to the file changes its ctime (which user space cannot set
back), and replacing it changes its inode, so a file modified after it was
verified is hashed again and a corruption is reported. Silent media corruption
(bit rot) changes no metadata; it is caught by the containers' own checksums
(gzip CRC-32 for the IDX and tar.gz files, zip CRC-32 for `.npz`), which the
loaders always check while decompressing.
"""

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

STAMP_SUFFIX = ".sha256-ok"
_VERIFIED = {}  # realpath -> (sha256, size, mtime_ns, ctime_ns, inode)


class DatasetNotFoundError(FileNotFoundError):
    """A dataset file is neither in the cache nor downloadable right now."""


class CorruptDatasetError(ValueError):
    """A dataset file exists but its SHA-256 (or its content) is wrong."""


def cache_dir():
    """The dataset folder (a `Path`; it may not exist yet)."""
    override = os.environ.get("NUMKERAS_DATASETS")
    if override:
        return Path(override).expanduser()
    home = Path(os.environ.get("KERAS_HOME") or "~/.keras").expanduser()
    if home.exists() and not os.access(home, os.W_OK):
        tmp = "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()
        home = Path(tmp) / ".keras"
    return home / "datasets"


def sha256_file(path, chunk_size=1 << 20):
    """The hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def stamp_path(path):
    """The verification stamp kept next to `path`."""
    path = Path(path)
    return path.with_name(f".{path.name}{STAMP_SUFFIX}")


def _key(expected, st):
    return (expected, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _read_stamp(path):
    try:
        data = json.loads(stamp_path(path).read_text())
        return (
            data["sha256"],
            data["size"],
            data["mtime_ns"],
            data["ctime_ns"],
            data["inode"],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _may_write(folder):
    """Writable, and not marked read-only by its mode (root ignores the mode)."""
    try:
        return os.access(folder, os.W_OK) and bool(os.stat(folder).st_mode & 0o222)
    except OSError:
        return False


def _write_stamp(path, key):
    names = ("sha256", "size", "mtime_ns", "ctime_ns", "inode")
    text = json.dumps(dict(zip(names, key, strict=True)))
    stamp = stamp_path(path)
    if not _may_write(stamp.parent):
        return
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=stamp.name, suffix=".tmp", dir=stamp.parent)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, stamp)
    except OSError:  # a read-only folder: the in-process memo still works
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def record_verified(path, expected):
    """Remember that `path` (unchanged since) has the SHA-256 `expected`."""
    key = _key(expected, os.stat(path))
    _VERIFIED[os.path.realpath(path)] = key
    _write_stamp(path, key)


def verify_sha256(path, expected, origin=None):
    """Raise `CorruptDatasetError` unless the file's SHA-256 is `expected`.

    Uses the verification cache described in the module docstring; a corrupt
    file is never used and never deleted (the message says what to do).
    """
    path = Path(path)
    before = os.stat(path)
    key = _key(expected, before)
    real = os.path.realpath(path)
    if _VERIFIED.get(real) == key:
        return
    if _read_stamp(path) == key:
        _VERIFIED[real] = key
        return
    actual = sha256_file(path)
    if actual != expected:
        _VERIFIED.pop(real, None)
        where = f" from {origin}" if origin else ""
        raise CorruptDatasetError(
            f"The dataset file {path} is incomplete or corrupted: its SHA-256 is "
            f"{actual}, expected {expected}. It was not used. Delete it so that "
            f"numkeras downloads a fresh copy{where}, or replace it with a good copy."
        )
    if _key(expected, os.stat(path)) == key:  # unchanged while we hashed it
        _VERIFIED[real] = key
        _write_stamp(path, key)


def clear_memo():
    """Forget this process's verifications (stamps on disk are kept)."""
    _VERIFIED.clear()
