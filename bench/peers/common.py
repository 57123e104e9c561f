"""Shared pieces of the peers benchmark harness.

Workload definitions, synthetic data, FLOP counts, timing helpers, a monitor
of CPU used by *other* processes during a measurement (this machine is shared
with other sessions, so that is the main noise source), and the JSON output
convention used by every runner.

Every runner prints nothing important on stdout; it writes one JSON object to
the file given by --out (or to stdout if --out is '-').
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time

# --------------------------------------------------------------------------
# Workloads (synthetic data with the real shapes)
# --------------------------------------------------------------------------
# layers: list of (units, activation, l2) ; the last layer is the softmax output
WORKLOADS = {
    "W1": dict(
        name="mnist-mlp", n=60000, d=784, classes=10,
        layers=[(100, "relu", None), (10, "softmax", None)],
        optimizer="adam", batch_size=32,
    ),
    "W2": dict(
        name="fashion-l2", n=60000, d=784, classes=10,
        # as in the brief: Dense(64, kernel_regularizer=l2(0.01)) -- no activation
        layers=[(64, None, 0.01), (10, "softmax", None)],
        optimizer="adam", batch_size=30,
    ),
    "W3": dict(
        name="cifar100-mlp", n=50000, d=3072, classes=100,
        layers=[(128, "relu", None), (128, "relu", None), (100, "softmax", None)],
        optimizer="adam", batch_size=100,
    ),
    "W4": dict(
        name="deep-mlp", n=60000, d=784, classes=10,
        layers=[(512, "relu", None), (256, "relu", None), (64, "relu", None),
                (32, "relu", None), (10, "softmax", None)],
        optimizer="adam", batch_size=128,
    ),
    "W5": dict(
        name="large-batch", n=60000, d=784, classes=10,
        layers=[(1024, "relu", None), (1024, "relu", None), (10, "softmax", None)],
        optimizer="sgd", batch_size=1024,
    ),
}
PREDICT_BATCH = 1024
FOREIGN_MAX = 0.3  # cores used by other processes above which a rep is redone
SEED = 1234


def workload(key: str) -> dict:
    w = dict(WORKLOADS[key])
    w["key"] = key
    return w


def layer_dims(w: dict):
    """[(fan_in, fan_out), ...]"""
    dims, fan_in = [], w["d"]
    for units, _act, _l2 in w["layers"]:
        dims.append((fan_in, units))
        fan_in = units
    return dims


def n_params(w: dict) -> int:
    return sum(i * o + o for i, o in layer_dims(w))


def epoch_flops(w: dict) -> dict:
    """FLOPs of the matrix products of one training epoch.

    nominal: 6 * N * sum(fan_in*fan_out)   (fwd 2 + dW 2 + dX 2 per weight)
    minimal: same but without dX of the first layer (the input gradient is
             never needed), i.e. what an optimal implementation has to do.
    predict: 2 * N * sum(fan_in*fan_out)
    """
    s = sum(i * o for i, o in layer_dims(w))
    i0, o0 = layer_dims(w)[0]
    n = w["n"]
    return dict(nominal=6 * n * s, minimal=6 * n * s - 2 * n * i0 * o0,
                predict=2 * n * s)


def data_mb(w: dict) -> float:
    """Size of the training data the runners make: float32 x plus int64 y."""
    return w["n"] * (w["d"] * 4 + 8) / 2**20


def make_data(w: dict, n: int | None = None):
    """float32 inputs in [0,1), int64 labels, fixed seed."""
    import numpy as np
    rng = np.random.default_rng(SEED)
    n = w["n"] if n is None else n
    x = rng.random((n, w["d"]), dtype=np.float32)
    y = rng.integers(0, w["classes"], size=n, dtype=np.int64)
    return x, y


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------
def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


def _system_busy_seconds() -> float:
    """Busy CPU seconds of the whole machine (all cores) from /proc/stat."""
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:]
    vals = [int(v) for v in parts]
    # user nice system idle iowait irq softirq steal guest guest_nice
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    busy = sum(vals[:8]) - idle  # guest is already included in user
    return busy / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Timed:
    """Wall time of a block, plus how many cores other processes kept busy.

    foreign_cores ~ 0 means the machine was ours; ~1 means another process
    took a whole core for the duration (on this 2-core machine that halves
    what we get).
    """

    def __enter__(self):
        self.busy0 = _system_busy_seconds()
        self.own0 = _own_cpu_seconds()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.t0
        busy = _system_busy_seconds() - self.busy0
        own = _own_cpu_seconds() - self.own0
        self.own_cores = own / self.wall if self.wall > 0 else 0.0
        # /proc/stat has 10 ms resolution; clamp small negatives
        self.foreign_cores = max(0.0, (busy - own) / self.wall) if self.wall > 0.05 else 0.0
        return False


def wait_quiet(max_wait: float = 60.0, threshold: float = 0.25, window: float = 1.0) -> float:
    """Wait until other processes use < threshold cores over `window` s.

    Returns the seconds waited (gives up after max_wait)."""
    t0 = time.perf_counter()
    while True:
        b0 = _system_busy_seconds()
        o0 = _own_cpu_seconds()
        time.sleep(window)
        load = ((_system_busy_seconds() - b0) - (_own_cpu_seconds() - o0)) / window
        waited = time.perf_counter() - t0
        if load < threshold or waited >= max_wait:
            return waited


def summarize(values):
    values = list(values)
    if not values:
        return None
    return dict(median=statistics.median(values), min=min(values), max=max(values),
                n=len(values), values=values)


def base_args(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--workload", required=True, choices=sorted(WORKLOADS))
    p.add_argument("--reps", type=int, default=3,
                   help="timed repetitions (median reported)")
    p.add_argument("--epochs-per-rep", type=int, default=2)
    p.add_argument("--budget", type=float, default=60.0,
                   help="target seconds for all timed training reps; if the warm-up "
                        "epoch says a full-data rep would exceed budget/reps, a "
                        "fraction of the epoch is timed and extrapolated")
    p.add_argument("--min-fraction", type=float, default=0.25)
    p.add_argument("--warmup-fraction", type=float, default=1.0,
                   help="warm-up on this fraction of an epoch (default: one full epoch)")
    p.add_argument("--predict-reps", type=int, default=3)
    p.add_argument("--extra-reps", type=int, default=4,
                   help="extra attempts allowed for reps disturbed by other processes")
    p.add_argument("--quiet-wait", type=float, default=10.0,
                   help="before each timed rep wait up to this many s for the machine to be quiet")
    p.add_argument("--out", default="-")
    return p


def choose_fraction(est_epoch_s: float, args, w: dict):
    """Number of samples to use in timed reps (multiple of the batch size)."""
    per_rep = args.budget / max(1, args.reps)
    full = est_epoch_s * args.epochs_per_rep
    if full <= per_rep:
        return w["n"], 1.0
    frac = max(args.min_fraction, per_rep / full)
    bs = w["batch_size"]
    n_sub = max(bs, int(w["n"] * frac) // bs * bs)
    return n_sub, n_sub / w["n"]


def emit(result: dict, out: str):
    result.setdefault("python", sys.version.split()[0])
    result.setdefault("platform", platform.platform())
    result["peak_rss_mb"] = peak_rss_mb()
    txt = json.dumps(result, indent=1, default=str)
    if out == "-":
        print(txt)
    else:
        with open(out, "w") as f:
            f.write(txt)


def train_and_predict_protocol(w, args, fit_epoch, predict, n_full, meta):
    """The shared measurement protocol used by every runner.

    fit_epoch(n_samples, epochs) trains `epochs` epochs over the first
    n_samples rows of the (already shuffled-by-the-library) data.
    predict() predicts on the full set with batch PREDICT_BATCH.
    """
    res = dict(meta)
    res["workload"] = w["key"]
    res["workload_name"] = w["name"]
    res["batch_size"] = w["batch_size"]
    res["n"] = n_full
    res["flops"] = epoch_flops(w)
    res["rss_before_fit_mb"] = current_rss_mb()
    res["loadavg_start"] = os.getloadavg()

    # warm-up: one full epoch (includes tracing / compilation)
    wfrac = getattr(args, "warmup_fraction", 1.0)
    n_warm = n_full if wfrac >= 1.0 else max(w["batch_size"], int(n_full * wfrac) // w["batch_size"] * w["batch_size"])
    with Timed() as t:
        fit_epoch(n_warm, 1)
    res["warmup_epoch_s"] = t.wall * n_full / n_warm
    res["warmup_samples"] = n_warm
    res["warmup_foreign_cores"] = t.foreign_cores

    est = res["warmup_epoch_s"]
    if t.foreign_cores > FOREIGN_MAX and args.quiet_wait > 0:
        # the warm-up was disturbed: re-estimate the epoch time on a clean-ish 10% probe
        bs = w["batch_size"]
        n_probe = max(bs, n_full // 10 // bs * bs)
        wait_quiet(max_wait=args.quiet_wait)
        with Timed() as tp:
            fit_epoch(n_probe, 1)
        est = min(est, tp.wall * n_full / n_probe)
        res["probe_epoch_s"] = tp.wall * n_full / n_probe
        res["probe_foreign_cores"] = tp.foreign_cores
    n_sub, frac = choose_fraction(est, args, w)
    res["timed_samples"] = n_sub
    res["timed_fraction"] = frac
    res["extrapolated"] = frac < 1.0

    # Timed reps. The machine is shared: a rep during which other processes
    # kept more than FOREIGN_MAX cores busy is recorded but redone (up to
    # args.extra_reps more attempts); the median is over the clean reps.
    reps, foreign, own, clean = [], [], [], []
    attempts = 0
    while sum(clean) < args.reps and attempts < args.reps + args.extra_reps:
        attempts += 1
        if args.quiet_wait > 0:
            wait_quiet(max_wait=args.quiet_wait)
        with Timed() as t:
            fit_epoch(n_sub, args.epochs_per_rep)
        # seconds per full epoch
        reps.append(t.wall / args.epochs_per_rep / frac)
        foreign.append(t.foreign_cores)
        own.append(t.own_cores)
        clean.append(t.foreign_cores <= FOREIGN_MAX)
    res["epoch_s_all"] = reps
    res["train_clean"] = clean
    # peak RSS up to the end of training (import + data + every fit so far),
    # before predict allocates its outputs: what the "RSS during fit" target reads
    res["peak_rss_after_fit_mb"] = peak_rss_mb()
    res["data_mb"] = data_mb(w)
    if sum(clean) == 0:
        res["noisy"] = True
    good = [r for r, c in zip(reps, clean) if c] or reps
    reps = good
    res["epoch_s"] = summarize(reps)
    res["train_samples_per_s"] = n_full / res["epoch_s"]["median"]
    res["train_foreign_cores"] = foreign
    res["train_own_cores"] = own
    res["train_gflops_nominal"] = res["flops"]["nominal"] / res["epoch_s"]["median"] / 1e9

    # predict: one warm-up, then reps
    with Timed() as t:
        predict()
    res["predict_warmup_s"] = t.wall
    preds, pforeign, pclean = [], [], []
    attempts = 0
    while sum(pclean) < args.predict_reps and attempts < args.predict_reps + args.extra_reps:
        attempts += 1
        with Timed() as t:
            predict()
        preds.append(t.wall)
        pforeign.append(t.foreign_cores)
        pclean.append(t.foreign_cores <= FOREIGN_MAX)
    res["predict_s_all"] = preds
    preds = [p for p, c in zip(preds, pclean) if c] or preds
    res["predict_s"] = summarize(preds)
    res["predict_samples_per_s"] = n_full / res["predict_s"]["median"]
    res["predict_foreign_cores"] = pforeign
    res["predict_gflops"] = res["flops"]["predict"] / res["predict_s"]["median"] / 1e9
    res["loadavg_end"] = os.getloadavg()
    return res
