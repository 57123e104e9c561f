"""All network access of `numkeras.datasets`: a small `keras.utils.get_file`.

`get_file` returns the cached file if it is there (checked against its SHA-256,
see `_cache`), else downloads it: the bytes go to a temporary file in the
destination folder, hashed on the way, and the file is renamed into place only
if the hash matches. An interrupted or corrupted download therefore never
leaves a file under the final name.

`urlopen` is the only function that touches the network; tests replace it.
"""

import contextlib
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

from . import _cache

CHUNK_SIZE = 1 << 16
TIMEOUT_SECONDS = 60


def urlopen(url, timeout):
    """Open `url` for reading (a file-like response with `.headers`)."""
    import urllib.request  # imported here: it is slow to import

    return urllib.request.urlopen(url, timeout=timeout)


def get_file(fname, origin, file_hash, cache_subdir="", cache_dir=None, searched=()):
    """The path of `fname` in the dataset folder, downloading it if missing.

    Args:
        fname: file name inside the folder.
        origin: the URL to download from.
        file_hash: the expected hex SHA-256.
        cache_subdir: subfolder of the dataset folder (e.g. "fashion-mnist").
        cache_dir: the dataset folder; None means `_cache.cache_dir()`.
        searched: other paths the caller already looked at (for the message
            when the file cannot be obtained).

    Raises:
        CorruptDatasetError: the cached file or the download has a wrong hash.
        DatasetNotFoundError: the file is missing and the download failed.
    """
    folder = Path(cache_dir) if cache_dir is not None else _cache.cache_dir()
    target = folder / cache_subdir / fname if cache_subdir else folder / fname
    if target.is_file():
        _cache.verify_sha256(target, file_hash, origin=origin)
        return target
    download(origin, target, file_hash, searched=searched)
    return target


def download(url, target, file_hash, searched=(), out=None):
    """Download `url` to `target`, verifying its SHA-256 before renaming it in."""
    target = Path(target)
    out = sys.stdout if out is None else out
    tmp = None
    try:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".part", dir=target.parent
            )
        except OSError as e:
            raise _not_found(target, url, file_hash, searched, e) from e
        out.write(f"Downloading data from {url}\n")
        out.flush()
        with os.fdopen(fd, "wb") as f:
            actual = _fetch(url, f, target, file_hash, searched, out)
        if actual != file_hash:
            raise _cache.CorruptDatasetError(
                f"Incomplete or corrupted file detected while downloading {url}: "
                f"its SHA-256 is {actual}, expected {file_hash}. Nothing was "
                f"saved at {target}; try again later or place the file by hand."
            )
        os.replace(tmp, target)
        tmp = None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _cache.record_verified(target, file_hash)
    return target


def _fetch(url, f, target, file_hash, searched, out):
    """Copy the response of `url` into `f`; return the hex SHA-256 of the bytes.

    Only errors from the network side become `DatasetNotFoundError`; a local
    write error (e.g. a full disk) propagates unchanged.
    """
    import http.client

    network_errors = (OSError, ValueError, http.client.HTTPException)
    try:
        response = urlopen(url, TIMEOUT_SECONDS)
    except network_errors as e:
        raise _not_found(target, url, file_hash, searched, e) from e
    digest = hashlib.sha256()
    with response:
        bar = ByteProgress(_content_length(response), out)
        while True:
            try:
                chunk = response.read(CHUNK_SIZE)
            except network_errors as e:
                raise _not_found(target, url, file_hash, searched, e) from e
            if not chunk:
                break
            f.write(chunk)
            digest.update(chunk)
            bar.update(len(chunk))
        bar.finish()
    return digest.hexdigest()


def _content_length(response):
    try:
        return int(response.headers["Content-Length"])
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def _not_found(target, url, file_hash, searched, error):
    places = [str(p) for p in searched] + [str(target)]
    looked = "\n".join(f"  {p}" for p in dict.fromkeys(places))
    return _cache.DatasetNotFoundError(
        f"Dataset file {target.name!r} was not found and could not be downloaded.\n"
        f"Looked for it at:\n{looked}\n"
        f"Downloading {url} failed: {type(error).__name__}: {error}\n"
        f"To place it by hand, download {url}\n"
        f"(for example `curl -L -o '{target}' '{url}'`) and save it as\n"
        f"  {target}\n"
        f"(its SHA-256 must be {file_hash}). The dataset folder is "
        "$NUMKERAS_DATASETS if set, else $KERAS_HOME/datasets, else "
        "~/.keras/datasets."
    )


class ByteProgress:
    """A byte progress bar: `  4.2/9.9 MB [=====>......]  42%  3.1 MB/s`.

    Redrawn in place (at most 10 times a second) on a terminal or notebook;
    elsewhere (logs, CI) only the final line is printed.
    """

    WIDTH = 30

    def __init__(self, total, out):
        self.total = total if total and total > 0 else None
        self.out = out
        self.done = 0
        self.start = self.last_draw = time.monotonic()
        isatty = getattr(out, "isatty", lambda: False)
        self.dynamic = bool(isatty()) or "ipykernel" in sys.modules

    def update(self, n):
        self.done += n
        now = time.monotonic()
        if self.dynamic and now - self.last_draw >= 0.1:
            self.last_draw = now
            self.out.write("\r" + self.line(now))
            self.out.flush()

    def finish(self):
        prefix = "\r" if self.dynamic else ""
        self.out.write(prefix + self.line(time.monotonic()) + "\n")
        self.out.flush()

    def line(self, now):
        mb = self.done / 1e6
        rate = mb / max(now - self.start, 1e-9)
        if self.total is None:
            return f"{mb:8.1f} MB  {rate:.1f} MB/s"
        frac = min(self.done / self.total, 1.0)
        filled = int(frac * self.WIDTH)
        arrow = ">" if filled < self.WIDTH else ""
        bar = ("=" * filled + arrow).ljust(self.WIDTH, ".")
        return (
            f"{mb:8.1f}/{self.total / 1e6:.1f} MB [{bar}] {frac:4.0%}  {rate:.1f} MB/s"
        )
