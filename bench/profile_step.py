"""Profile numkeras's training step on one benchmark workload.

    python bench/profile_step.py --workload W1 --steps 300
    python bench/profile_step.py --workload W3 --steps 100 --top 40 --sort cumtime
    python bench/profile_step.py --workload W1 --blas-threads 1 --json before.json
    python bench/profile_step.py --workload W1 --module keras   # same, real Keras

Builds the workload's model exactly as the benchmark does (bench/peers/common.py
data and layers, bench/peers/run_keras_api.py build), then:

1. warm-up: `--warmup-steps` steps (untimed);
2. per-step breakdown: `--steps` steps, no profiler. For each step the wall
   time (time.perf_counter) and the process CPU time (time.process_time, all
   threads, so > wall when the BLAS pool works in parallel and ~2x wall when it
   spin-waits). For numkeras the step is further split into `_train_step`
   (forward + backward + optimizer) and the rest of fit's loop (batch gather,
   metrics, loss bookkeeping). Reported as median / mean / p90 / min in ms;
3. `--steps` more steps under cProfile; prints the top `--top` functions by
   `--sort` (tottime by default). The profiler's own overhead inflates these
   numbers (often 1.5-3x at batch 32): read the ranking, not the absolute ms.

Steps are taken with fit(x, y, batch_size, steps_per_epoch=N, epochs=1) on the
full data set, so batches are gathered from the real 188 MB / 614 MB array as
in the benchmark. Only numpy (and the module under test) are needed.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import json
import os
import pstats
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, "peers")


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--workload", default="W1", choices=["W1", "W2", "W3", "W4", "W5"])
    p.add_argument("--steps", type=int, default=200, help="steps per measured phase")
    p.add_argument("--warmup-steps", type=int, default=50)
    p.add_argument("--module", default="numkeras", help="Keras-API module to profile")
    p.add_argument("--top", type=int, default=25, help="rows of the profile to print")
    p.add_argument(
        "--sort", default="tottime", help="pstats sort key: tottime, cumtime, ncalls"
    )
    p.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="set OPENBLAS/OMP/MKL_NUM_THREADS before numpy is imported",
    )
    p.add_argument("--no-profile", action="store_true", help="skip the cProfile phase")
    p.add_argument("--pstats", default=None, help="also dump the raw profile here")
    p.add_argument("--json", default=None, help="write the numbers to this JSON file")
    return p.parse_args(argv)


class StepClock:
    """Callback: wall / CPU timestamps at every on_train_batch_begin.

    Only the *begin* hook is used: numkeras computes the running logs for
    on_train_batch_end, which would add its own cost to every step."""

    def __init__(self, base):
        self._base = base
        self.wall, self.cpu = [], []

    def make(self):
        clock = self

        class _Cb(self._base):
            def on_train_batch_begin(self, batch, logs=None):
                clock.wall.append(time.perf_counter())
                clock.cpu.append(time.process_time())

            def on_train_end(self, logs=None):
                clock.wall.append(time.perf_counter())
                clock.cpu.append(time.process_time())

        return _Cb()

    def deltas(self):
        dw = [b - a for a, b in zip(self.wall, self.wall[1:], strict=False)]
        dc = [b - a for a, b in zip(self.cpu, self.cpu[1:], strict=False)]
        return dw, dc


def wrap_train_step(model):
    """Time numkeras's Model._train_step (if present) on this instance."""
    inner = getattr(model, "_train_step", None)
    if inner is None:
        return None
    rec = {"wall": [], "cpu": []}

    def timed(*a, **k):
        w0, c0 = time.perf_counter(), time.process_time()
        out = inner(*a, **k)
        rec["wall"].append(time.perf_counter() - w0)
        rec["cpu"].append(time.process_time() - c0)
        return out

    model._train_step = timed
    return rec


def stats_ms(values):
    if not values:
        return None
    v = sorted(values)
    return dict(
        median=statistics.median(v) * 1e3,
        mean=statistics.fmean(v) * 1e3,
        p90=v[min(len(v) - 1, int(0.9 * len(v)))] * 1e3,
        min=v[0] * 1e3,
        n=len(v),
    )


def fmt(s):
    if s is None:
        return "-"
    return (
        f"median {s['median']:8.3f}  mean {s['mean']:8.3f}  "
        f"p90 {s['p90']:8.3f}  min {s['min']:8.3f}"
    )


def main(argv=None):
    args = parse_args(argv)
    if args.blas_threads is not None:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.blas_threads)
    sys.path.insert(0, PEERS)
    import common  # bench/peers/common.py: workloads and data
    from run_keras_api import build, load_api

    w = common.workload(args.workload)
    root, models, layers, regularizers, import_s = load_api(args.module)
    callbacks = importlib.import_module(f"{args.module}.callbacks")
    x, y = common.make_data(w)
    model = build(w, models, layers, regularizers)
    bs = w["batch_size"]
    steps_per_epoch = -(-w["n"] // bs)
    if args.steps > steps_per_epoch or args.warmup_steps > steps_per_epoch:
        print(
            f"note: one epoch of {args.workload} has {steps_per_epoch} steps; "
            "fit's pass restarts when it runs out",
            file=sys.stderr,
        )

    def run(steps, cbs=()):
        model.fit(
            x,
            y,
            batch_size=bs,
            epochs=1,
            steps_per_epoch=steps,
            verbose=0,
            callbacks=list(cbs),
        )

    # 1. warm-up
    t0 = time.perf_counter()
    if args.warmup_steps:
        run(args.warmup_steps)
    warm_s = time.perf_counter() - t0

    # 2. per-step breakdown, no profiler
    clock = StepClock(callbacks.Callback)
    inner = wrap_train_step(model)
    w0, c0 = time.perf_counter(), time.process_time()
    run(args.steps, [clock.make()])
    phase_wall, phase_cpu = time.perf_counter() - w0, time.process_time() - c0
    if inner is not None:
        del model._train_step  # back to the class method
    dw, dc = clock.deltas()
    step = dict(wall=stats_ms(dw), cpu=stats_ms(dc))
    if inner is not None:
        step["train_step_wall"] = stats_ms(inner["wall"])
        step["train_step_cpu"] = stats_ms(inner["cpu"])
        rest = [a - b for a, b in zip(dw, inner["wall"], strict=False)]
        step["loop_rest_wall"] = stats_ms(rest)

    print(
        f"== {args.module} {args.workload} {w['name']}: batch {bs}, "
        f"{common.n_params(w):,} params, blas threads "
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'default')}"
    )
    print(f"import {import_s:.3f} s; warm-up {args.warmup_steps} steps {warm_s:.3f} s")
    print(
        f"\nper step, ms ({args.steps} steps, no profiler; "
        f"phase wall {phase_wall:.3f} s, CPU {phase_cpu:.3f} s, "
        f"CPU/wall {phase_cpu / phase_wall:.2f} cores)"
    )
    print(f"  wall          {fmt(step['wall'])}")
    print(f"  process CPU   {fmt(step['cpu'])}")
    if inner is not None:
        print(f"  _train_step   {fmt(step['train_step_wall'])}   (wall)")
        print(f"  _train_step   {fmt(step['train_step_cpu'])}   (CPU)")
        print(
            f"  rest of loop  {fmt(step['loop_rest_wall'])}   (wall: gather, metrics)"
        )
    med = step["wall"]["median"] if step["wall"] else float("nan")
    print(
        f"  -> {med * steps_per_epoch / 1e3:.3f} s per epoch at the median step "
        f"({steps_per_epoch} steps)"
    )

    result = dict(
        module=args.module,
        workload=args.workload,
        batch_size=bs,
        steps=args.steps,
        blas_threads=args.blas_threads,
        import_s=import_s,
        warmup_s=warm_s,
        phase_wall_s=phase_wall,
        phase_cpu_s=phase_cpu,
        per_step_ms=step,
        epoch_s_at_median=med * steps_per_epoch / 1e3,
    )

    # 3. cProfile
    if not args.no_profile:
        prof = cProfile.Profile()
        prof.enable()
        run(args.steps)
        prof.disable()
        if args.pstats:
            prof.dump_stats(args.pstats)
        buf = io.StringIO()
        st = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(args.sort)
        st.print_stats(args.top)
        print(
            f"\n== cProfile, {args.steps} steps, top {args.top} by {args.sort} "
            f"(per-step ms = tottime / {args.steps})"
        )
        print(buf.getvalue().split("\n", 3)[-1].strip("\n"))
        rows = []
        for (fn, line, name), (_cc, nc, tt, ct, _callers) in st.stats.items():
            rows.append(
                dict(
                    func=f"{fn}:{line}({name})",
                    ncalls=nc,
                    tottime_ms_per_step=tt / args.steps * 1e3,
                    cumtime_ms_per_step=ct / args.steps * 1e3,
                )
            )
        key = (
            "cumtime_ms_per_step"
            if args.sort.startswith("cum")
            else "tottime_ms_per_step"
        )
        rows.sort(key=lambda r: -r[key])
        result["profile_top"] = rows[: args.top]
        print("\nper step (ms), top by tottime:")
        for r in sorted(rows, key=lambda r: -r["tottime_ms_per_step"])[:10]:
            print(
                f"  {r['tottime_ms_per_step']:8.4f}  {r['ncalls'] / args.steps:6.1f} "
                f"calls/step  {r['func']}"
            )

    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
