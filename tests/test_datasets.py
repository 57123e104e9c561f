"""Tests of numkeras.datasets: loaders, cache, downloads, safe parsing, mnist_mini.

Real-data tests read the files in $NUMKERAS_DATASETS (tests/conftest.py points it
at ../shared/datasets when that folder exists). Everything else uses small files
generated in each original format in a temporary folder. No test touches the
network: `_download.urlopen` is replaced for every test.
"""

import gzip
import hashlib
import importlib.util
import io
import json
import os
import pickle
import struct
import subprocess
import sys
import tarfile
import time
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from numkeras import datasets
from numkeras.datasets import (
    _cache,
    _cifar,
    _download,
    _idx,
    cifar10,
    cifar100,
    fashion_mnist,
    mnist,
    mnist_mini,
)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NUMKERAS_DATASETS", "/nonexistent"))
HAVE_REAL = (SHARED / "mnist" / "train-images-idx3-ubyte.gz").is_file() and (
    SHARED / "fashion-mnist" / "train-images-idx3-ubyte.gz"
).is_file()
needs_real = pytest.mark.skipif(not HAVE_REAL, reason="real datasets not available")

# From ../shared/datasets/README.md.
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Every test runs offline: opening any URL fails like a missing network."""

    def offline(url, timeout):
        raise urllib.error.URLError("network disabled in tests")

    monkeypatch.setattr(_download, "urlopen", offline)
    _cache.clear_memo()
    yield
    _cache.clear_memo()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty dataset folder, selected through $NUMKERAS_DATASETS."""
    folder = tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setenv("NUMKERAS_DATASETS", str(folder))
    return folder


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def local_urlopen(monkeypatch):
    """Allow file:// URLs only (a local stand-in for a successful download)."""
    import urllib.request

    def opener(url, timeout):
        assert url.startswith("file://"), url
        return urllib.request.urlopen(url, timeout=timeout)

    monkeypatch.setattr(_download, "urlopen", opener)


# ------------------------------------------------------------------ file generators


def idx_bytes(array, magic=None):
    array = np.asarray(array, np.uint8)
    magic = (0x08 << 8) | array.ndim if magic is None else magic
    header = struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


def write_idx_gz(path, array=None, raw=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(idx_bytes(array) if raw is None else raw))
    return path


def tiny_mnist(n_train=30, n_test=10, seed=0):
    rng = np.random.default_rng(seed)
    x_train = rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8)
    y_train = (np.arange(n_train) % 10).astype(np.uint8)
    x_test = rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8)
    y_test = (np.arange(n_test) % 10).astype(np.uint8)
    return (x_train, y_train), (x_test, y_test)


def write_idx_set(folder, data):
    """The four IDX files of `data`; returns {name: sha256} in Keras's order."""
    (x_train, y_train), (x_test, y_test) = data
    arrays = {
        "train-labels-idx1-ubyte.gz": y_train,
        "train-images-idx3-ubyte.gz": x_train,
        "t10k-labels-idx1-ubyte.gz": y_test,
        "t10k-images-idx3-ubyte.gz": x_test,
    }
    return {name: sha256(write_idx_gz(folder / name, a)) for name, a in arrays.items()}


def write_mnist_npz(path, data):
    (x_train, y_train), (x_test, y_test) = data
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        np.savez_compressed(
            f, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test
        )
    return sha256(path)


RECONSTRUCT = np.empty(0).__reduce__()[0]


class Py2Pickler(pickle._Pickler):
    """Writes pickles as Python 2's cPickle did for the CIFAR batches: protocol 2,
    byte strings as BINSTRING and numpy's `numpy.core.multiarray` module name."""

    dispatch = pickle._Pickler.dispatch.copy()

    def save_bytes(self, obj):
        n = len(obj)
        if n < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([n]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", n) + obj)
        self.memoize(obj)

    def save_str(self, obj):
        self.save_bytes(obj.encode("latin-1"))

    dispatch[bytes] = save_bytes
    dispatch[str] = save_str

    def save_global(self, obj, name=None):
        if obj is RECONSTRUCT:
            self.write(pickle.GLOBAL + b"numpy.core.multiarray\n_reconstruct\n")
            self.memoize(obj)
        else:
            super().save_global(obj, name)


def py2_dumps(obj):
    buf = io.BytesIO()
    Py2Pickler(buf, protocol=2).dump(obj)
    return buf.getvalue()


def make_tar_gz(path, members):
    """members: list of (TarInfo, bytes or None)."""
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return path


def file_member(name, data):
    return tarfile.TarInfo(name), data


def dir_member(name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    return info, None


def cifar_images(rng, n):
    return rng.integers(0, 256, (n, 3072), dtype=np.uint8)


def make_cifar10(path, n=20, dumps=py2_dumps, seed=0):
    """A tiny cifar-10-python.tar.gz: 5 train batches and a test batch of `n`."""
    rng = np.random.default_rng(seed)
    members, data, labels = [dir_member("cifar-10-batches-py")], [], []
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        x, y = cifar_images(rng, n), [int(v) for v in rng.integers(0, 10, n)]
        batch = {
            b"batch_label": name.encode(),
            b"labels": y,
            b"data": x,
            b"filenames": [f"img_{i}.png".encode() for i in range(n)],
        }
        members.append(file_member(f"cifar-10-batches-py/{name}", dumps(batch)))
        data.append(x)
        labels.append(y)
    members.append(file_member("cifar-10-batches-py/batches.meta", dumps({})))
    make_tar_gz(path, members)
    return np.concatenate(data[:5]), np.concatenate(labels[:5]), data[5], labels[5]


def make_cifar100(path, n_train=40, n_test=20, dumps=py2_dumps, seed=1):
    rng = np.random.default_rng(seed)
    members, out = [dir_member("cifar-100-python")], {}
    for name, n in (("train", n_train), ("test", n_test)):
        x = cifar_images(rng, n)
        fine = [int(v) for v in rng.integers(0, 100, n)]
        coarse = [v // 5 for v in fine]
        batch = {
            b"filenames": [b"x.png"] * n,
            b"batch_label": name.encode(),
            b"fine_labels": fine,
            b"coarse_labels": coarse,
            b"data": x,
        }
        members.append(file_member(f"cifar-100-python/{name}", dumps(batch)))
        out[name] = (x, np.array(fine), np.array(coarse))
    members.append(file_member("cifar-100-python/meta", dumps({})))
    make_tar_gz(path, members)
    return out


def nhwc(flat):
    return flat.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)


# --------------------------------------------------------------------- real datasets


@needs_real
def test_tests_use_the_dataset_folder_from_the_environment():
    assert _cache.cache_dir() == Path(os.environ["NUMKERAS_DATASETS"])


@needs_real
def test_real_mnist():
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and x_test.dtype == np.uint8
    assert y_test.shape == (10000,) and y_test.dtype == np.uint8
    assert np.bincount(y_train).tolist() == MNIST_TRAIN_COUNTS
    assert np.bincount(y_test).tolist() == MNIST_TEST_COUNTS
    assert x_train.max() == 255 and x_train.min() == 0
    assert x_train.flags.writeable and x_train.flags.c_contiguous


@needs_real
def test_real_fashion_mnist():
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10


def test_hashes_in_code_match_the_published_list():
    listed = {}
    sums = REPO.parent / "shared" / "datasets" / "SHA256SUMS"
    if not sums.is_file():
        pytest.skip("SHA256SUMS not available")
    for line in sums.read_text().splitlines():
        digest, name = line.split()
        listed[name] = digest
    for name, digest in mnist.IDX_FILES.items():
        assert listed[f"mnist/{name}"] == digest
    for name, digest in fashion_mnist.FILES.items():
        assert listed[f"fashion-mnist/{name}"] == digest


# ------------------------------------------------------------------ where files are


def test_cache_dir_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMKERAS_DATASETS", str(tmp_path / "nk"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert _cache.cache_dir() == tmp_path / "nk"
    monkeypatch.delenv("NUMKERAS_DATASETS")
    assert _cache.cache_dir() == tmp_path / "kh" / "datasets"
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _cache.cache_dir() == tmp_path / "home" / ".keras" / "datasets"


def test_mnist_from_keras_npz(cache, monkeypatch):
    data = tiny_mnist()
    monkeypatch.setattr(mnist, "NPZ_SHA256", write_mnist_npz(cache / "mnist.npz", data))
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    np.testing.assert_array_equal(x_train, data[0][0])
    np.testing.assert_array_equal(y_test, data[1][1])
    assert x_train.dtype == y_train.dtype == np.uint8


def test_mnist_path_argument_relative_and_absolute(cache, monkeypatch, tmp_path):
    data = tiny_mnist()
    digest = write_mnist_npz(cache / "sub" / "m.npz", data)
    monkeypatch.setattr(mnist, "NPZ_SHA256", digest)
    np.testing.assert_array_equal(mnist.load_data("sub/m.npz")[0][0], data[0][0])
    other = tmp_path / "elsewhere.npz"
    write_mnist_npz(other, data)
    np.testing.assert_array_equal(mnist.load_data(path=other)[1][0], data[1][0])


def test_mnist_npz_wins_over_idx(cache, monkeypatch):
    npz_data, idx_data = tiny_mnist(seed=1), tiny_mnist(seed=2)
    monkeypatch.setattr(
        mnist, "NPZ_SHA256", write_mnist_npz(cache / "mnist.npz", npz_data)
    )
    monkeypatch.setattr(mnist, "IDX_FILES", write_idx_set(cache / "mnist", idx_data))
    np.testing.assert_array_equal(mnist.load_data()[0][0], npz_data[0][0])
    (cache / "mnist.npz").unlink()
    np.testing.assert_array_equal(mnist.load_data()[0][0], idx_data[0][0])


def test_mnist_and_fashion_from_idx_files(cache, monkeypatch):
    data = tiny_mnist(n_train=25, n_test=7)
    monkeypatch.setattr(mnist, "IDX_FILES", write_idx_set(cache / "mnist", data))
    monkeypatch.setattr(
        fashion_mnist, "FILES", write_idx_set(cache / "fashion-mnist", data)
    )
    for loader in (mnist, fashion_mnist):
        (x_train, y_train), (x_test, y_test) = loader.load_data()
        for got, want in zip(
            (x_train, y_train, x_test, y_test),
            (data[0][0], data[0][1], data[1][0], data[1][1]),
            strict=True,
        ):
            np.testing.assert_array_equal(got, want)
            assert got.dtype == np.uint8 and got.flags.writeable


def test_mnist_npz_with_wrong_content_is_rejected(cache, monkeypatch):
    path = cache / "mnist.npz"
    np.savez(path, x_train=np.zeros((2, 28, 28), np.float32))
    monkeypatch.setattr(mnist, "NPZ_SHA256", sha256(path))
    with pytest.raises(_cache.CorruptDatasetError, match="y_train"):
        mnist.load_data()


# -------------------------------------------------------------- integrity and cache


def test_corrupt_cached_file_is_reported_and_kept(cache, monkeypatch):
    data = tiny_mnist()
    write_mnist_npz(cache / "mnist.npz", data)  # the real Keras hash won't match
    with pytest.raises(_cache.CorruptDatasetError) as info:
        mnist.load_data()
    message = str(info.value)
    assert str(cache / "mnist.npz") in message
    assert mnist.NPZ_SHA256 in message and "not used" in message
    assert (cache / "mnist.npz").is_file()


def test_verification_is_cached_in_a_stamp(cache, monkeypatch):
    monkeypatch.setattr(
        mnist, "NPZ_SHA256", write_mnist_npz(cache / "mnist.npz", tiny_mnist())
    )
    mnist.load_data()
    stamp = _cache.stamp_path(cache / "mnist.npz")
    assert stamp.name == ".mnist.npz.sha256-ok"
    assert json.loads(stamp.read_text())["sha256"] == mnist.NPZ_SHA256

    def no_hashing(path, chunk_size=0):
        raise AssertionError("the file was hashed again")

    monkeypatch.setattr(_cache, "sha256_file", no_hashing)
    _cache.clear_memo()  # a new process: only the stamp remains
    mnist.load_data()


def test_verification_is_memoized_when_no_stamp_can_be_written(cache, monkeypatch):
    path = cache / "f.bin"
    path.write_bytes(b"data")
    monkeypatch.setattr(_cache, "_write_stamp", lambda path, key: None)
    _cache.verify_sha256(path, sha256(path))
    assert not _cache.stamp_path(path).exists()
    monkeypatch.setattr(_cache, "sha256_file", lambda p: pytest.fail("re-hashed"))
    _cache.verify_sha256(path, sha256(path))


def test_no_stamp_in_a_folder_marked_read_only(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "f.bin").write_bytes(b"data")
    folder.chmod(0o555)  # even root (who may write anyway) must leave it alone
    try:
        _cache.verify_sha256(folder / "f.bin", sha256(folder / "f.bin"))
        assert sorted(p.name for p in folder.iterdir()) == ["f.bin"]
    finally:
        folder.chmod(0o755)


@needs_real
def test_real_data_folder_is_left_untouched():
    before = {p: p.stat().st_mtime_ns for p in SHARED.rglob("*")}
    mnist.load_data()
    assert {p: p.stat().st_mtime_ns for p in SHARED.rglob("*")} == before


def _wait_for_new_ctime(path):
    before = os.stat(path).st_ctime_ns
    time.sleep(0.05)  # file timestamps are coarse (a kernel tick)
    return before


def test_corruption_after_verification_is_caught_same_size_and_mtime(cache):
    path = cache / "f.bin"
    path.write_bytes(b"good data")
    good = sha256(path)
    _cache.verify_sha256(path, good)
    st = os.stat(path)
    ctime_before = _wait_for_new_ctime(path)
    path.write_bytes(b"evil data")  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # mtime put back
    assert os.stat(path).st_size == st.st_size
    assert os.stat(path).st_mtime_ns == st.st_mtime_ns
    assert os.stat(path).st_ctime_ns != ctime_before
    with pytest.raises(_cache.CorruptDatasetError):
        _cache.verify_sha256(path, good)
    _cache.clear_memo()  # and in a new process, through the stamp
    with pytest.raises(_cache.CorruptDatasetError):
        _cache.verify_sha256(path, good)


def test_corruption_after_verification_is_caught_size_change(cache, monkeypatch):
    monkeypatch.setattr(
        mnist, "NPZ_SHA256", write_mnist_npz(cache / "mnist.npz", tiny_mnist())
    )
    mnist.load_data()
    with open(cache / "mnist.npz", "ab") as f:
        f.write(b"x")
    with pytest.raises(_cache.CorruptDatasetError):
        mnist.load_data()


def test_a_stamp_for_another_hash_is_ignored(cache):
    path = cache / "f.bin"
    path.write_bytes(b"abc")
    _cache.verify_sha256(path, sha256(path))
    _cache.clear_memo()
    with pytest.raises(_cache.CorruptDatasetError):
        _cache.verify_sha256(path, "0" * 64)


# ------------------------------------------------------------------------- downloads


def test_download_success_from_local_url(cache, monkeypatch, tmp_path, capsys):
    source = tmp_path / "server" / "mnist.npz"
    data = tiny_mnist()
    monkeypatch.setattr(mnist, "NPZ_SHA256", write_mnist_npz(source, data))
    monkeypatch.setattr(mnist, "NPZ_ORIGIN", source.as_uri())
    local_urlopen(monkeypatch)
    (x_train, _), _ = mnist.load_data()
    np.testing.assert_array_equal(x_train, data[0][0])
    assert (cache / "mnist.npz").read_bytes() == source.read_bytes()
    assert _cache.stamp_path(cache / "mnist.npz").is_file()
    assert not list(cache.glob("*.part"))
    out = capsys.readouterr().out
    assert f"Downloading data from {source.as_uri()}" in out
    assert "100%" in out and "MB" in out


@needs_real
def test_download_of_missing_idx_files_from_local_copy(cache, monkeypatch):
    """With one IDX file in <cache>/mnist, the other three are downloaded."""
    (cache / "mnist").mkdir()
    name = "train-labels-idx1-ubyte.gz"
    (cache / "mnist" / name).write_bytes((SHARED / "mnist" / name).read_bytes())
    monkeypatch.setattr(mnist, "IDX_ORIGIN", (SHARED / "mnist").as_uri() + "/")
    local_urlopen(monkeypatch)
    (_, y_train), (x_test, _) = mnist.load_data()
    assert np.bincount(y_train).tolist() == MNIST_TRAIN_COUNTS
    assert x_test.shape == (10000, 28, 28)
    assert sorted(p.name for p in (cache / "mnist").iterdir() if p.name[0] != ".") == [
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
    ]


class FakeResponse(io.BytesIO):
    def __init__(self, data, fail_after=None):
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data))}
        self.fail_after = fail_after

    def read(self, n=-1):
        if self.fail_after is not None and self.tell() >= self.fail_after:
            raise ConnectionResetError("connection reset by peer")
        return super().read(n)


def test_download_with_hash_mismatch_leaves_nothing(cache, monkeypatch):
    monkeypatch.setattr(
        _download, "urlopen", lambda url, timeout: FakeResponse(b"x" * 5000)
    )
    with pytest.raises(_cache.CorruptDatasetError, match="Incomplete or corrupted"):
        mnist.load_data()
    assert list(cache.iterdir()) == []


def test_interrupted_download_leaves_nothing(cache, monkeypatch):
    monkeypatch.setattr(
        _download,
        "urlopen",
        lambda url, timeout: FakeResponse(b"x" * 300_000, fail_after=1 << 16),
    )
    with pytest.raises(_cache.DatasetNotFoundError, match="connection reset"):
        fashion_mnist.load_data()
    assert list((cache / "fashion-mnist").iterdir()) == []


def test_no_network_message_says_what_where_and_how(cache):
    with pytest.raises(_cache.DatasetNotFoundError) as info:
        fashion_mnist.load_data()
    message = str(info.value)
    target = cache / "fashion-mnist" / "train-labels-idx1-ubyte.gz"
    assert "'train-labels-idx1-ubyte.gz'" in message
    assert str(target) in message
    assert fashion_mnist.ORIGIN + "train-labels-idx1-ubyte.gz" in message
    assert "network disabled in tests" in message
    assert "by hand" in message and "curl -L -o" in message
    assert fashion_mnist.FILES["train-labels-idx1-ubyte.gz"] in message
    assert isinstance(info.value, FileNotFoundError)
    assert datasets.DatasetNotFoundError is _cache.DatasetNotFoundError


def test_no_network_message_lists_all_places_for_mnist(cache):
    with pytest.raises(_cache.DatasetNotFoundError) as info:
        mnist.load_data()
    message = str(info.value)
    assert str(cache / "mnist.npz") in message
    assert str(cache / "mnist" / "train-images-idx3-ubyte.gz") in message
    assert mnist.NPZ_ORIGIN in message


def test_get_file_returns_a_verified_cached_file(cache):
    (cache / "sub").mkdir()
    (cache / "sub" / "a.bin").write_bytes(b"123")
    path = _download.get_file(
        "a.bin",
        "https://example.invalid/a.bin",
        sha256(cache / "sub" / "a.bin"),
        cache_subdir="sub",
    )
    assert path == cache / "sub" / "a.bin"


def test_byte_progress_bar():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    out = Tty()
    bar = _download.ByteProgress(2_000_000, out)
    bar.last_draw = -1.0
    bar.update(1_000_000)
    assert "\r" in out.getvalue() and "50%" in out.getvalue()
    bar.update(1_000_000)
    bar.finish()
    text = out.getvalue()
    assert text.rstrip().endswith("MB/s") and "100%" in text
    plain = io.StringIO()
    bar = _download.ByteProgress(None, plain)
    bar.update(3_000_000)
    bar.finish()
    assert plain.getvalue().count("\n") == 1 and "3.0 MB" in plain.getvalue()


# ------------------------------------------------------------------------ IDX safety


def idx_file(tmp_path, raw, name="f-idx.gz"):
    path = tmp_path / name
    path.write_bytes(gzip.compress(raw))
    return path


def test_idx_reads_valid_files(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    out = _idx.read_idx_gz(idx_file(tmp_path, idx_bytes(images)), 3)
    np.testing.assert_array_equal(out, images)
    assert out.flags.writeable


@pytest.mark.parametrize(
    "raw, message",
    [
        (idx_bytes(np.zeros((2, 2, 2)), magic=0x0802), "magic"),  # wrong ndim
        (idx_bytes(np.zeros((2, 2, 2)), magic=0x0D03), "magic"),  # float32 dtype
        (b"\x01\x00" + idx_bytes(np.zeros((2, 2, 2)))[2:], "magic"),
        (b"\x00\x00", "magic"),  # shorter than a magic number
        (idx_bytes(np.zeros((2, 2, 2)))[:10], "header is truncated"),
        (idx_bytes(np.zeros((2, 2, 2)))[:-1], "truncated or dimensions"),
        (idx_bytes(np.zeros((2, 2, 2))) + b"\x00", "truncated or dimensions"),
        (struct.pack(">IIII", 0x803, 0, 28, 28), "between 1 and"),
        (struct.pack(">IIII", 0x803, 2**32 - 1, 2**32 - 1, 28), "between 1 and"),
    ],
)
def test_idx_rejects_malformed_files(tmp_path, raw, message):
    with pytest.raises(ValueError, match=message):
        _idx.read_idx_gz(idx_file(tmp_path, raw), 3)


def test_idx_rejects_bad_gzip(tmp_path):
    good = gzip.compress(idx_bytes(np.zeros((4, 5, 5))))
    (tmp_path / "plain").write_bytes(idx_bytes(np.zeros((4, 5, 5))))
    with pytest.raises(ValueError, match="not a valid gzip"):
        _idx.read_idx_gz(tmp_path / "plain", 3)
    (tmp_path / "cut").write_bytes(good[:-6])
    with pytest.raises(ValueError, match="truncated"):
        _idx.read_idx_gz(tmp_path / "cut", 3)
    bad_crc = bytearray(good)
    bad_crc[-5] ^= 0xFF
    (tmp_path / "crc").write_bytes(bytes(bad_crc))
    with pytest.raises(ValueError, match="gzip"):
        _idx.read_idx_gz(tmp_path / "crc", 3)
    (tmp_path / "tail").write_bytes(good + b"junk")
    with pytest.raises(ValueError, match="after the gzip stream"):
        _idx.read_idx_gz(tmp_path / "tail", 3)


def test_idx_set_rejects_mismatched_images_and_labels(cache, monkeypatch):
    (x_train, y_train), test = tiny_mnist()
    files = write_idx_set(cache / "fashion-mnist", ((x_train, y_train[:-1]), test))
    monkeypatch.setattr(fashion_mnist, "FILES", files)
    with pytest.raises(ValueError, match="labels to match the images"):
        fashion_mnist.load_data()
    files = write_idx_set(
        cache / "fashion-mnist", ((x_train[:, :27, :27], y_train), test)
    )
    monkeypatch.setattr(fashion_mnist, "FILES", files)
    with pytest.raises(ValueError, match=r"shape \(n, 28, 28\)"):
        fashion_mnist.load_data()


# ------------------------------------------------------------------------- CIFAR


@pytest.mark.parametrize("dumps", [py2_dumps, lambda o: pickle.dumps(o, protocol=4)])
def test_cifar10_from_generated_archive(cache, monkeypatch, dumps):
    archive = cache / "cifar-10-python.tar.gz"
    x_train, y_train, x_test, y_test = make_cifar10(archive, dumps=dumps)
    monkeypatch.setattr(cifar10, "SHA256", sha256(archive))
    (xa, ya), (xb, yb) = cifar10.load_data()
    assert xa.shape == (100, 32, 32, 3) and xa.dtype == np.uint8
    assert ya.shape == (100, 1) and ya.dtype == np.uint8
    assert xb.shape == (20, 32, 32, 3) and yb.shape == (20, 1) and yb.dtype == np.uint8
    assert xa.flags.c_contiguous
    np.testing.assert_array_equal(xa, nhwc(x_train))
    np.testing.assert_array_equal(ya[:, 0], y_train)
    np.testing.assert_array_equal(xb, nhwc(x_test))
    np.testing.assert_array_equal(yb[:, 0], y_test)
    # pixel (i, row, col, channel) is byte channel*1024 + row*32 + col of row i
    assert xa[3, 5, 7, 2] == x_train[3, 2 * 1024 + 5 * 32 + 7]


def test_cifar10_channels_first(cache, monkeypatch):
    archive = cache / "cifar-10-python.tar.gz"
    x_train, *_ = make_cifar10(archive)
    monkeypatch.setattr(cifar10, "SHA256", sha256(archive))
    monkeypatch.setattr(_cifar, "image_data_format", lambda: "channels_first")
    (xa, _), (xb, _) = cifar10.load_data()
    assert xa.shape == (100, 3, 32, 32) and xb.shape == (20, 3, 32, 32)
    np.testing.assert_array_equal(xa, x_train.reshape(-1, 3, 32, 32))


@pytest.mark.parametrize(
    "name",
    [
        "cifar-10-batches-py-target_archive",
        "cifar-10-batches-py_archive",
        "cifar-10-batches-py.tar.gz",
    ],
)
def test_cifar10_keras_cache_names(cache, monkeypatch, name):
    x_train, *_ = make_cifar10(cache / name)
    monkeypatch.setattr(cifar10, "SHA256", sha256(cache / name))
    np.testing.assert_array_equal(cifar10.load_data()[0][0], nhwc(x_train))


@pytest.mark.parametrize(
    "folder", ["cifar-10-batches-py", "cifar-10-batches-py-target/cifar-10-batches-py"]
)
def test_cifar10_extracted_folder(cache, tmp_path, folder):
    archive = tmp_path / "c.tar.gz"
    x_train, y_train, *_ = make_cifar10(archive)
    (cache / folder).mkdir(parents=True)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if member.isfile():
                name = member.name.split("/")[-1]
                (cache / folder / name).write_bytes(tar.extractfile(member).read())
    (xa, ya), _ = cifar10.load_data()
    np.testing.assert_array_equal(xa, nhwc(x_train))
    np.testing.assert_array_equal(ya[:, 0], y_train)


def test_cifar10_wrong_hash_is_refused(cache):
    make_cifar10(cache / "cifar-10-python.tar.gz")
    with pytest.raises(_cache.CorruptDatasetError, match=cifar10.SHA256):
        cifar10.load_data()


def test_cifar10_missing_message(cache):
    with pytest.raises(_cache.DatasetNotFoundError) as info:
        cifar10.load_data()
    message = str(info.value)
    assert str(cache / "cifar-10-python.tar.gz") in message
    assert str(cache / "cifar-10-batches-py-target_archive") in message
    assert str(cache / "cifar-10-batches-py") in message
    assert cifar10.ORIGIN in message


@pytest.mark.parametrize("dumps", [py2_dumps, lambda o: pickle.dumps(o, protocol=4)])
def test_cifar100_fine_and_coarse(cache, monkeypatch, dumps):
    archive = cache / "cifar-100-python.tar.gz"
    expected = make_cifar100(archive, dumps=dumps)
    monkeypatch.setattr(cifar100, "SHA256", sha256(archive))
    (xa, ya), (xb, yb) = cifar100.load_data()
    assert xa.shape == (40, 32, 32, 3) and xa.dtype == np.uint8
    assert ya.shape == (40, 1) and yb.shape == (20, 1)
    assert ya.dtype == yb.dtype == np.int64  # what Keras actually returns
    np.testing.assert_array_equal(xa, nhwc(expected["train"][0]))
    np.testing.assert_array_equal(xb, nhwc(expected["test"][0]))
    np.testing.assert_array_equal(ya[:, 0], expected["train"][1])
    (_, ya), (_, yb) = cifar100.load_data(label_mode="coarse")
    np.testing.assert_array_equal(ya[:, 0], expected["train"][2])
    np.testing.assert_array_equal(yb[:, 0], expected["test"][2])
    assert ya.max() < 20


def test_cifar100_bad_label_mode(cache):
    with pytest.raises(ValueError, match="label_mode='medium'"):
        cifar100.load_data(label_mode="medium")


def test_cifar100_keras_cache_name(cache, monkeypatch):
    name = "cifar-100-python-target_archive"
    expected = make_cifar100(cache / name)
    monkeypatch.setattr(cifar100, "SHA256", sha256(cache / name))
    np.testing.assert_array_equal(cifar100.load_data()[1][0], nhwc(expected["test"][0]))


# -------------------------------------------------------------- hostile CIFAR inputs


def hostile_pickles(marker):
    """Pickles that would create `marker` if any were executed."""
    command = f"touch {marker}"
    os_system = (
        b"\x80\x02cos\nsystem\nq\x00X"
        + struct.pack("<I", len(command))
        + command.encode()
        + b"q\x01\x85q\x02Rq\x03."
    )
    builtins_eval = pickle.dumps(_Reduce(eval, (f"open({str(marker)!r}, 'w')",)))
    popen = pickle.dumps(_Reduce(subprocess.Popen, (["touch", str(marker)],)))
    py2_eval = (
        b"c__builtin__\neval\n(S'open(\"" + str(marker).encode() + b'", "w")\'\ntR.'
    )
    return {
        "os.system": os_system,
        "builtins.eval": builtins_eval,
        "subprocess.Popen": popen,
        "__builtin__.eval": py2_eval,
    }


class _Reduce:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


@pytest.mark.parametrize(
    "gadget", ["os.system", "builtins.eval", "subprocess.Popen", "__builtin__.eval"]
)
def test_hostile_pickle_is_refused_and_not_run(cache, monkeypatch, tmp_path, gadget):
    marker = tmp_path / "pwned"
    payload = hostile_pickles(marker)[gadget]
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        _cifar.RestrictedUnpickler(io.BytesIO(payload), encoding="bytes").load()
    archive = cache / "cifar-10-python.tar.gz"
    members = [dir_member("cifar-10-batches-py")]
    members += [
        file_member(f"cifar-10-batches-py/data_batch_{i}", payload) for i in range(1, 6)
    ]
    members.append(file_member("cifar-10-batches-py/test_batch", payload))
    make_tar_gz(archive, members)
    monkeypatch.setattr(cifar10, "SHA256", sha256(archive))
    with pytest.raises(ValueError, match=f"Refusing to unpickle {gadget}"):
        cifar10.load_data()
    assert not marker.exists()


def test_pickle_with_wrong_structure_is_refused():
    for obj, message in [
        ([1, 2], "must be a dict"),
        ({b"data": np.zeros((2, 3072), np.uint8)}, "needs the keys"),
        ({b"data": np.zeros((2, 3072), np.float32), b"labels": [0, 1]}, "uint8"),
        ({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}, "3072"),
        ({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]}, "shape"),
        ({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 10]}, r"0\.\.9"),
    ]:
        with pytest.raises(ValueError, match=message):
            _cifar.load_batch(py2_dumps(obj), "labels", "batch", 10)


def unsafe_members():
    up = tarfile.TarInfo("../evil")
    absolute = tarfile.TarInfo("/tmp/numkeras-evil")
    link = tarfile.TarInfo("cifar-10-batches-py/data_batch_1")
    link.type, link.linkname = tarfile.SYMTYPE, "../../../../etc/passwd"
    hard = tarfile.TarInfo("cifar-10-batches-py/data_batch_2")
    hard.type, hard.linkname = tarfile.LNKTYPE, "/etc/passwd"
    device = tarfile.TarInfo("cifar-10-batches-py/dev")
    device.type = tarfile.CHRTYPE
    fifo = tarfile.TarInfo("cifar-10-batches-py/fifo")
    fifo.type = tarfile.FIFOTYPE
    nested = tarfile.TarInfo("cifar-10-batches-py/../../evil")
    return {
        "../evil": ((up, b"evil"), "'..'"),
        "absolute": ((absolute, b"evil"), "absolute"),
        "symlink": ((link, None), "link"),
        "hardlink": ((hard, None), "link"),
        "device": ((device, None), "device"),
        "fifo": ((fifo, None), "device"),
        "nested ..": ((nested, b"evil"), "'..'"),
    }


@pytest.mark.parametrize("kind", list(unsafe_members()))
def test_unsafe_tar_members_are_refused(cache, monkeypatch, tmp_path, kind):
    member, reason = unsafe_members()[kind]
    archive = cache / "cifar-10-python.tar.gz"
    x_train, *_ = make_cifar10(tmp_path / "good.tar.gz")
    with tarfile.open(tmp_path / "good.tar.gz") as good:
        members = [
            (m, good.extractfile(m).read() if m.isfile() else None)
            for m in good.getmembers()
        ]
    make_tar_gz(archive, [member, *members])
    monkeypatch.setattr(cifar10, "SHA256", sha256(archive))
    before = set(tmp_path.rglob("*"))
    with pytest.raises(_cifar.UnsafeArchiveError, match=reason):
        cifar10.load_data()
    assert set(tmp_path.rglob("*")) - before <= {_cache.stamp_path(archive)}
    assert (
        not (cache.parent / "evil").exists() and not Path("/tmp/numkeras-evil").exists()
    )


def test_broken_archives(cache, monkeypatch, tmp_path):
    archive = cache / "cifar-10-python.tar.gz"
    make_cifar10(tmp_path / "good.tar.gz")
    good = (tmp_path / "good.tar.gz").read_bytes()
    for content, message in [
        (b"not an archive", "not a valid .tar.gz"),
        (good[: len(good) // 2], "not a valid .tar.gz"),
        (gzip.compress(b"\x00" * 1024), "lacks"),
    ]:
        archive.write_bytes(content)
        monkeypatch.setattr(cifar10, "SHA256", sha256(archive))
        _cache.clear_memo()
        with pytest.raises(ValueError, match=message):
            cifar10.load_data()


# ------------------------------------------------------------------------ mnist_mini


def test_mnist_mini_shapes_and_dtypes():
    (x_train, y_train), (x_test, y_test) = mnist_mini.load_data()
    assert x_train.shape == (6000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (6000,) and y_train.dtype == np.uint8
    assert x_test.shape == (1000, 28, 28) and x_test.dtype == np.uint8
    assert y_test.shape == (1000,) and y_test.dtype == np.uint8
    assert 0 < x_train.mean() < 255


def test_mnist_mini_is_stratified():
    (_, y_train), (_, y_test) = mnist_mini.load_data()
    for labels, full in ((y_train, MNIST_TRAIN_COUNTS), (y_test, MNIST_TEST_COUNTS)):
        counts = np.bincount(labels, minlength=10)
        share = np.array(full) * len(labels) / sum(full)
        assert np.all(np.abs(counts - share) < 1), (counts, share)


def test_mnist_mini_file_size_hash_and_provenance():
    folder = REPO / "numkeras" / "datasets"
    npz = folder / "mnist_mini.npz"
    assert npz.stat().st_size <= 1_500_000
    assert sha256(npz) == mnist_mini.SHA256
    provenance = (folder / "PROVENANCE.md").read_text()
    licence = (folder / "LICENSE-MNIST.txt").read_text()
    assert mnist_mini.SHA256 in provenance and "tools/make_mnist_mini.py" in provenance
    for text in (provenance, licence):
        assert "CC BY-SA 3.0" in text and "Burges" in text and "LeCun" in text


def test_mnist_mini_checks_its_hash(monkeypatch):
    monkeypatch.setattr(mnist_mini, "SHA256", "0" * 64)
    with pytest.raises(_cache.CorruptDatasetError, match="bundled"):
        mnist_mini.load_data()


def load_tool():
    spec = importlib.util.spec_from_file_location(
        "make_mnist_mini", REPO / "tools" / "make_mnist_mini.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stratified_counts_largest_remainder():
    tool = load_tool()
    labels = np.repeat(np.arange(10), MNIST_TRAIN_COUNTS)
    counts = tool.stratified_counts(labels, 6000)
    assert counts.sum() == 6000
    assert counts.tolist() == [592, 674, 596, 613, 584, 542, 592, 627, 585, 595]
    labels = np.array([0, 0, 1])
    assert tool.stratified_counts(labels, 2).tolist() == [1, 1]
    assert tool.stratified_counts(labels, 3).tolist() == [2, 1]


def test_write_npz_is_deterministic(tmp_path):
    tool = load_tool()
    arrays = {"a": np.arange(10, dtype=np.uint8), "b": np.ones((2, 2))}
    first = tool.write_npz(tmp_path / "1.npz", arrays)
    time.sleep(1.1)  # zip timestamps have 2 s resolution; make sure none is used
    assert tool.write_npz(tmp_path / "2.npz", arrays) == first
    with np.load(tmp_path / "1.npz") as f:
        np.testing.assert_array_equal(f["b"], arrays["b"])


@needs_real
def test_mnist_mini_is_real_mnist_and_reproducible():
    full = mnist.load_data()
    (x_train, y_train), (x_test, y_test) = mnist_mini.load_data()
    train_idx, test_idx = mnist_mini.load_indices()
    np.testing.assert_array_equal(x_train, full[0][0][train_idx])
    np.testing.assert_array_equal(y_train, full[0][1][train_idx])
    np.testing.assert_array_equal(x_test, full[1][0][test_idx])
    np.testing.assert_array_equal(y_test, full[1][1][test_idx])
    assert np.all(np.diff(train_idx) > 0) and np.all(np.diff(test_idx) > 0)
    rebuilt = load_tool().build(full[0][0], full[0][1], full[1][0], full[1][1])
    np.testing.assert_array_equal(rebuilt["train_indices"], train_idx)
    np.testing.assert_array_equal(rebuilt["test_indices"], test_idx)


# --------------------------------------------------------------------------- imports


def test_package_exports_and_imports_cheaply():
    """Importing the package loads no loader; loaders import no network/tar code."""
    code = """if True:
        import sys
        import numkeras
        before = set(sys.modules)
        import numkeras.datasets as d
        names = ("mnist", "fashion_mnist", "cifar10", "cifar100", "mnist_mini")
        loaded = [m for m in names if "numkeras.datasets." + m in sys.modules]
        assert not loaded, loaded
        assert set(names) <= set(d.__all__) <= set(dir(d))
        for name in names:
            assert callable(getattr(d, name).load_data)
        heavy = {"urllib.request", "http.client", "tarfile"} - before
        assert not heavy & set(sys.modules), heavy & set(sys.modules)
    """
    subprocess.run([sys.executable, "-c", code], check=True, env=os.environ.copy())
