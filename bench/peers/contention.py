"""How each contender degrades when another process keeps one of the 2 cores busy.

Starts one busy-loop process (this script's own child, killed at the end),
then times W1 (batch 32) and W5 (batch 1024) with the usual runners but no
waiting for quiet and no redoing of disturbed reps; the same variants are also
timed without the burner. Writes contention.json and prints a markdown table.
Not part of run_all (a side experiment for the noise notes).

    python contention.py [W1 W5] [--cases numkeras keras-jax] [--out FILE]

numkeras added (bench/ in the numkeras repo): the 'numkeras' and
'numkeras, OPENBLAS_NUM_THREADS=1' cases, --cases to pick variants by label,
--out; bench/compare.py --contention calls run() / measure() from here.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable
K = os.path.join(HERE, "run_keras_api.py")
CASES = [
    ("numkeras", [K, "--module", "numkeras", "--label", "numkeras"], {}),
    ("numkeras, OPENBLAS_NUM_THREADS=1", [K, "--module", "numkeras", "--label", "numkeras"],
     {"OPENBLAS_NUM_THREADS": "1"}),
    ("numpy-ref", [os.path.join(HERE, "run_numpy_ref.py")], {}),
    ("numpy-ref, OPENBLAS_NUM_THREADS=1", [os.path.join(HERE, "run_numpy_ref.py")], {"OPENBLAS_NUM_THREADS": "1"}),
    ("sklearn-mlp", [os.path.join(HERE, "run_sklearn.py")], {}),
    ("torch-loop", [os.path.join(HERE, "run_torch.py")], {}),
    ("torch-loop, 1 thread", [os.path.join(HERE, "run_torch.py"), "--threads", "1"], {}),
    ("keras-jax", [K, "--label", "keras-jax"], {"KERAS_BACKEND": "jax"}),
    ("keras-tensorflow", [K, "--label", "keras-tensorflow"], {"KERAS_BACKEND": "tensorflow"}),
    ("keras-torch", [K, "--label", "keras-torch"], {"KERAS_BACKEND": "torch"}),
]
COMMON = ["--reps", "3", "--epochs-per-rep", "1", "--predict-reps", "1", "--quiet-wait", "0",
          "--extra-reps", "0", "--budget", "15", "--min-fraction", "0.05", "--warmup-fraction", "0.1"]


def run(case, wl, common_args=None, python=None):
    label, argv, env = case
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    cp = subprocess.run([python or PY] + argv + ["--workload", wl, "--out", out] +
                        (COMMON if common_args is None else common_args),
                        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONWARNINGS="ignore", **env),
                        capture_output=True, text=True, timeout=600)
    if cp.returncode:
        return dict(error=cp.stderr[-1000:])
    r = json.load(open(out))
    os.unlink(out)
    return dict(epoch_s=r["epoch_s"]["median"], all=r["epoch_s_all"],
                foreign=r["train_foreign_cores"], fraction=r["timed_fraction"])


def measure(cases, wls, common_args=None, python=None):
    """{wl: {label: {"quiet": ..., "one_core_busy": ...}}}: every case quiet, then
    every case again beside one busy-loop process (started and killed here)."""
    res = {}
    for wl in wls:
        for case in cases:
            res.setdefault(wl, {}).setdefault(case[0], {})["quiet"] = run(case, wl, common_args, python)
            print(wl, case[0], "quiet", res[wl][case[0]]["quiet"], file=sys.stderr, flush=True)
        burner = subprocess.Popen([python or PY, "-c", "while True: pass"])
        try:
            for case in cases:
                res[wl][case[0]]["one_core_busy"] = run(case, wl, common_args, python)
                print(wl, case[0], "busy", res[wl][case[0]]["one_core_busy"], file=sys.stderr, flush=True)
        finally:
            burner.kill()
            burner.wait()
    return res


def main():
    import argparse
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("workloads", nargs="*", default=["W1", "W5"])
    p.add_argument("--cases", nargs="*", default=None,
                   help="variant labels to run (default: all): " + "; ".join(c[0] for c in CASES))
    p.add_argument("--out", default=os.path.join(HERE, "contention.json"))
    a = p.parse_args()
    cases = CASES if a.cases is None else [c for c in CASES if c[0] in a.cases]
    if a.cases is not None and len(cases) != len(a.cases):
        p.error(f"unknown case in {a.cases}")
    res = measure(cases, a.workloads)
    json.dump(res, open(a.out, "w"), indent=1)
    print("| workload | contender | quiet s/epoch | one core busy s/epoch | slowdown | foreign cores |")
    print("|---|---|---|---|---|---|")
    for wl, d in res.items():
        for label, r in d.items():
            q, b = r.get("quiet", {}), r.get("one_core_busy", {})
            if "epoch_s" in q and "epoch_s" in b:
                print(f"| {wl} | {label} | {q['epoch_s']:.3f} | {b['epoch_s']:.3f} | "
                      f"{b['epoch_s']/q['epoch_s']:.1f}× | {statistics.mean(b['foreign']):.2f} |")


if __name__ == "__main__":
    main()
