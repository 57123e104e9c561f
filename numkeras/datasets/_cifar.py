"""Reading the CIFAR-10 / CIFAR-100 "python version" archives, safely.

The archives hold pickled batches (written by Python 2's cPickle): a dict of
byte-string keys to lists of ints, byte strings and one uint8 numpy array
`data` of shape (n, 3072) (the red, green and blue 32x32 planes of each image).

Safety:

* Batches are unpickled by `RestrictedUnpickler`, which resolves exactly the
  globals a numpy array needs (`_reconstruct`, `ndarray`, `dtype`) and refuses
  every other one (`os.system`, `builtins.eval`, `subprocess.Popen`, ...), so a
  hostile pickle cannot run code. Keras once had this hole in cifar.load_batch.
* Archives are never extracted: members are read straight from the tar stream.
  An archive holding any member with an absolute path, a `..` component, a
  link or a device is refused as a whole.
* The archive's SHA-256 is checked first (`_cache.verify_sha256`), and the
  gzip stream is read to its end so its CRC-32 is checked too.
"""

import gzip
import io
import pickle
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

import numpy as np

from . import _cache, _download

MAX_MEMBER_BYTES = 1 << 30
IMAGE_BYTES = 3 * 32 * 32


class UnsafeArchiveError(ValueError):
    """An archive member that could escape the archive (path, link or device)."""


def _allowed_globals():
    # The array-reconstruction function, however this numpy spells its module.
    reconstruct = np.empty(0).__reduce__()[0]
    return {
        ("numpy.core.multiarray", "_reconstruct"): reconstruct,  # numpy < 2 files
        ("numpy._core.multiarray", "_reconstruct"): reconstruct,  # numpy >= 2
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
    }


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that can build numpy arrays and plain containers, nothing else."""

    def find_class(self, module, name):
        obj = _allowed_globals().get((module, name))
        if obj is None:
            raise pickle.UnpicklingError(
                f"Refusing to unpickle {module}.{name}: only numpy arrays, "
                "lists, dicts, strings and numbers are allowed in a CIFAR batch. "
                "The file may be corrupted or malicious."
            )
        return obj

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("Refusing a persistent id in a CIFAR batch.")


def load_batch(data, label_key, source, num_classes):
    """Parse one pickled batch.

    Returns:
        `(x, labels)`: x uint8 (n, 3, 32, 32), labels int64 (n,).
    """
    try:
        batch = RestrictedUnpickler(io.BytesIO(data), encoding="bytes").load()
    except Exception as e:  # any unpickling failure: report it with the source
        raise ValueError(f"{source}: not a valid CIFAR batch: {e}") from e
    if not isinstance(batch, dict):
        raise ValueError(f"{source}: a CIFAR batch must be a dict.")
    batch = {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}
    if "data" not in batch or label_key not in batch:
        raise ValueError(
            f"{source}: a CIFAR batch needs the keys 'data' and {label_key!r}; "
            f"found {sorted(map(str, batch))}."
        )
    x, labels = batch["data"], batch[label_key]
    if not isinstance(x, np.ndarray) or x.dtype != np.uint8 or x.ndim != 2:
        raise ValueError(f"{source}: 'data' must be a 2-D uint8 numpy array.")
    if x.shape[1] != IMAGE_BYTES:
        raise ValueError(
            f"{source}: 'data' rows must hold {IMAGE_BYTES} bytes, found {x.shape}."
        )
    try:
        labels = np.asarray(labels, dtype=np.int64)
    except (TypeError, ValueError, OverflowError) as e:
        raise ValueError(f"{source}: {label_key!r} must be integers ({e}).") from e
    if labels.shape != (len(x),):
        raise ValueError(
            f"{source}: {len(x)} images but {label_key!r} has shape {labels.shape}."
        )
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"{source}: {label_key!r} must be in 0..{num_classes - 1}.")
    return x.reshape(len(x), 3, 32, 32), labels


def check_member(member, archive):
    """Raise `UnsafeArchiveError` for a member that must not be in the archive."""
    name = member.name
    parts = PurePosixPath(name).parts
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        reason = "an absolute path"
    elif ".." in parts or ".." in name.split("\\"):
        reason = "a '..' path component"
    elif member.issym() or member.islnk():
        reason = f"a link to {member.linkname!r}"
    elif not (member.isfile() or member.isdir()):
        reason = "a device, FIFO or other special file"
    else:
        return
    raise UnsafeArchiveError(
        f"{archive}: refusing the archive because member {name!r} is {reason}. "
        "The archive may be corrupted or malicious."
    )


def read_tar_members(path, wanted):
    """Read the members `wanted` (names) of a .tar.gz without extracting it."""
    import tarfile

    wanted = set(wanted)
    found = {}
    try:
        with open(path, "rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as gz:
            with tarfile.open(fileobj=gz, mode="r|") as tar:
                for member in tar:
                    check_member(member, path)
                    name = member.name.removeprefix("./")
                    if name in wanted and member.isfile():
                        if member.size > MAX_MEMBER_BYTES:
                            raise ValueError(f"{path}: member {name!r} is too large.")
                        found[name] = tar.extractfile(member).read()
            while gz.read(1 << 20):  # read to the end: gzip then checks its CRC
                pass
    except (tarfile.TarError, OSError, EOFError, zlib.error) as e:
        raise ValueError(f"{path}: not a valid .tar.gz archive: {e}") from e
    missing = sorted(wanted - set(found))
    if missing:
        raise ValueError(f"{path}: the archive lacks {missing}.")
    return found


@dataclass(frozen=True)
class Source:
    """Where a CIFAR dataset can be found and what it holds."""

    archive: str  # the original file name, also the name a download is saved as
    origin: str
    sha256: str
    folder: str  # the top folder inside the archive
    members: tuple  # batch names inside `folder`
    archive_aliases: tuple = ()  # names Keras caches the same archive under
    folder_aliases: tuple = ()  # extracted copies (paths relative to the cache)


def read_batches(source):
    """Find and read the batches of `source`.

    Order: the archive under its original or a Keras cache name (hash-checked),
    then an already extracted folder, then a download of the archive.

    Returns:
        `(blobs, where)`: `{member: pickled bytes}` for `source.members`, and
        the archive or folder they came from (for messages).
    """
    root = _cache.cache_dir()
    names = [f"{source.folder}/{m}" for m in source.members]
    archives = [root / n for n in (source.archive, *source.archive_aliases)]
    for archive in archives:
        if archive.is_file():
            _cache.verify_sha256(archive, source.sha256, origin=source.origin)
            return _from_archive(archive, source.members, names), archive
    folders = [root / f for f in (source.folder, *source.folder_aliases)]
    for folder in folders:
        if all((folder / m).is_file() for m in source.members):
            return {m: (folder / m).read_bytes() for m in source.members}, folder
    archive = _download.get_file(
        source.archive,
        source.origin,
        source.sha256,
        cache_dir=root,
        searched=archives[1:] + folders,
    )
    return _from_archive(archive, source.members, names), archive


def _from_archive(archive, members, names):
    blobs = read_tar_members(archive, names)
    return {m: blobs[n] for m, n in zip(members, names, strict=True)}


def assemble(blobs, label_key, num_classes, where, channels_last=True):
    """Stack parsed batches into `(x, labels)`: x (n, 32, 32, 3) uint8 (or
    (n, 3, 32, 32) if not `channels_last`), labels int64 (n,)."""
    parsed = [
        load_batch(blob, label_key, f"{where}/{name}", num_classes)
        for name, blob in blobs.items()
    ]
    n = sum(len(x) for x, _ in parsed)
    shape = (n, 32, 32, 3) if channels_last else (n, 3, 32, 32)
    x_all = np.empty(shape, np.uint8)
    start = 0
    for x, _ in parsed:
        stop = start + len(x)
        x_all[start:stop] = x.transpose(0, 2, 3, 1) if channels_last else x
        start = stop
    labels = np.concatenate([y for _, y in parsed]) if parsed else np.empty(0, np.int64)
    return x_all, labels


def image_data_format():
    """The backend's image data format ("channels_last" unless changed)."""
    from numkeras import backend

    return backend.image_data_format()
