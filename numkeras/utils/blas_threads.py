"""How many threads NumPy's BLAS uses while training, chosen by measuring.

OpenBLAS splits every matrix product over all cores, and its threads
busy-wait for each other. On a quiet 2-core machine two threads make a batch-32
step ~20% faster than one; but when another process keeps a core busy, the
two threads wait on each other and a step slows 3-50x (measured here and in
../shared/bench/contention.json), while one thread barely notices. No fixed
rule wins both cases, so `fit` measures: at the start of every epoch it times
a few real training steps with the library's thread count and a few with one
thread, and trains the rest of the epoch with the faster. The count is put
back when fit ends. Set NUMKERAS_BLAS_THREADS=n to fix it instead.

The switch talks to the OpenBLAS that NumPy's wheels bundle
(scipy-openblas), found next to the numpy package and called through ctypes.
With another BLAS (MKL, a system OpenBLAS) nothing is changed.
"""

import ctypes
import glob
import os
import time

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


class EpochTuner:
    """Per epoch, train with the faster of the default and one BLAS thread.

    Steps 0..PROBE-1 run with the default count, PROBE..2*PROBE-1 with one
    thread; the median step time of each group (its first step left out)
    decides the count for the rest of the epoch. Only epochs of at least
    MIN_STEPS steps are probed; shorter ones keep the current choice.
    """

    PROBE = 6
    MIN_STEPS = 60

    def __init__(self):
        fixed = os.environ.get("NUMKERAS_BLAS_THREADS")
        self.blas = controller()
        self.default = self.blas.get() if self.blas is not None else 1
        self.fixed = int(fixed) if fixed else None
        self.probing = False
        self.chosen = None
        self._times = ([], [])
        self._start = 0.0
        if self.blas is not None and self.fixed is not None:
            self.blas.set(self.fixed)

    @property
    def enabled(self):
        return self.blas is not None and self.fixed is None and self.default > 1

    def start_epoch(self, steps):
        self.probing = self.enabled and (steps or 0) >= self.MIN_STEPS
        if self.probing:
            self._times = ([], [])
            self.blas.set(self.default)

    def before_step(self, step):
        """Called only while probing."""
        if step == self.PROBE:
            self.blas.set(1)
        self._start = time.perf_counter()

    def after_step(self, step):
        """Called only while probing; ends the probe after 2 * PROBE steps."""
        self._times[step >= self.PROBE].append(time.perf_counter() - self._start)
        if step == 2 * self.PROBE - 1:
            default, single = (sorted(t[1:])[len(t[1:]) // 2] for t in self._times)
            self.chosen = 1 if single <= default else self.default
            self.blas.set(self.chosen)
            self.probing = False

    def restore(self):
        if self.blas is not None:
            self.blas.set(self.default)
