"""Atomic file writes: a crash never leaves a half-written file in place.

Data goes to a temporary file in the target's folder, is flushed and fsynced,
and then `os.replace`d over the target (atomic on POSIX and Windows). Until
the rename the previous file, if any, is untouched.
"""

import contextlib
import os
import tempfile


@contextlib.contextmanager
def atomic_path(filepath):
    """Yield a temporary path next to `filepath`; on success move it there.

    The caller writes the complete file to the yielded path (and closes it).
    On an exception the temporary file is removed and the target untouched.
    """
    filepath = os.fspath(filepath)
    folder = os.path.dirname(os.path.abspath(filepath))
    if os.path.isdir(filepath):
        raise IsADirectoryError(
            f"Cannot write to {filepath!r}: it is an existing directory."
        )
    fd, tmp = tempfile.mkstemp(
        dir=folder, prefix="." + os.path.basename(filepath) + ".", suffix=".tmp"
    )
    os.close(fd)
    try:
        yield tmp
        _fsync_path(tmp)
        os.replace(tmp, filepath)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    _fsync_dir(folder)


def write_bytes(filepath, data):
    """Atomically replace `filepath` with `data` (bytes)."""
    with atomic_path(filepath) as tmp, open(tmp, "wb") as f:
        f.write(data)


def write_text(filepath, text):
    write_bytes(filepath, text.encode("utf-8"))


def _fsync_path(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder):
    """Make the rename itself durable (no-op where directories can't be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
