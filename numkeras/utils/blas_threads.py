"""How many threads NumPy's BLAS uses, chosen by the size of the GEMMs.

At batch 32 a dense layer's matrix products are tiny (a few MFLOP). OpenBLAS
still splits them over two threads, and the two wait on each other: when
another process keeps one core busy, a training step slows 3-5x (measured in
../shared/bench/contention.json), while one thread costs at most ~15% on a
quiet machine. Large products (batch 1024) do gain from every core. So `fit`
runs with one BLAS thread when its largest product is small, and leaves the
library's default otherwise.

The switch talks to the OpenBLAS that NumPy's wheels bundle
(scipy-openblas), found next to the numpy package and called through ctypes.
With another BLAS (MKL, a system OpenBLAS) nothing is changed.
"""

import ctypes
import glob
import os
from contextlib import contextmanager

# Below this many floating-point operations per product, one thread wins.
SMALL_GEMM_FLOPS = 40e6

_UNSET = object()
_controller = _UNSET


class _OpenBLAS:
    """get/set the thread count of a loaded OpenBLAS through its C API."""

    def __init__(self, lib, prefix, suffix):
        self._get = getattr(lib, f"{prefix}get_num_threads{suffix}")
        self._set = getattr(lib, f"{prefix}set_num_threads{suffix}")
        self._get.restype = ctypes.c_int
        self._set.argtypes = [ctypes.c_int]

    def get(self):
        return int(self._get())

    def set(self, n):
        self._set(int(n))


def _find_openblas():
    import numpy

    base = os.path.dirname(numpy.__file__)
    paths = glob.glob(os.path.join(base + ".libs", "*openblas*")) + glob.glob(
        os.path.join(base, ".dylibs", "*openblas*")
    )
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (
            ("scipy_openblas_", "64_"),
            ("scipy_openblas_", ""),
            ("openblas_", ""),
        ):
            if hasattr(lib, f"{prefix}set_num_threads{suffix}"):
                return _OpenBLAS(lib, prefix, suffix)
    return None


def controller():
    """The bundled OpenBLAS's thread control, or None (looked up once)."""
    global _controller
    if _controller is _UNSET:
        try:
            _controller = _find_openblas()
        except Exception:  # any surprise in the lookup: leave BLAS alone
            _controller = None
    return _controller


@contextmanager
def limit(n):
    """Run a block with at most `n` BLAS threads (no-op when BLAS is unknown
    or `n` is None)."""
    blas = controller() if n is not None else None
    if blas is None:
        yield
        return
    before = blas.get()
    if before <= n:
        yield
        return
    blas.set(n)
    try:
        yield
    finally:
        blas.set(before)


def threads_for_step(largest_gemm_flops):
    """1 for steps whose largest matrix product is small, else None (default)."""
    if os.environ.get("NUMKERAS_BLAS_THREADS"):
        return int(os.environ["NUMKERAS_BLAS_THREADS"])
    return 1 if largest_gemm_flops < SMALL_GEMM_FLOPS else None
