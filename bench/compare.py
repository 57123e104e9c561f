"""numkeras next to its peers, in one session: one command, one table of ratios.

    bench/setup_peers.sh                      # once: /work/peers-venv
    python3 bench/compare.py                  # everything, ~30-40 min on 2 cores
    python3 bench/compare.py --quick --workloads W1 \\
        --contenders numkeras keras-jax torch-loop numpy-ref      # smoke, ~3-6 min
    python3 bench/compare.py --workloads W1 W5 --contention      # + contention ratio

Runs every selected (contender, workload) cell with the team harness in
bench/peers/ (a copy of ../shared/bench): the same synthetic data, batch size,
optimizer and measuring protocol for everyone -- one process per cell, one
warm-up epoch, then >= --reps timed reps of --epochs-per-rep epochs each, each
rep preceded by waiting (up to --quiet-wait s) for the machine to be quiet and
redone when other processes kept > 0.3 cores busy; median of the clean reps.
numkeras goes through bench/peers/run_keras_api.py exactly like real Keras.
Also measured: import time and the newcomer script (bench/peers/startup.py,
tiny.py) and, with --contention, the slowdown with one core kept busy
(bench/peers/contention.py).

Writes bench/results.json (raw) and bench/RESULTS.md: seconds/epoch per
contender, numkeras / keras-jax and numkeras / best peer per workload, predict
throughput ratios, import time, tiny-script time, peak RSS during fit vs the
data size, contention ratio, each target marked met / missed. Unless
--no-readme, the summary tables are also copied into bench/README.md between
its "results" markers.

If not already running in it, the script re-executes itself with the peers'
interpreter (--python, default /work/peers-venv/bin/python) so that every
contender, numkeras included, runs in one environment.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, "peers")
REPO = os.path.dirname(HERE)
DEFAULT_PYTHON = "/work/peers-venv/bin/python"
sys.path.insert(0, PEERS)

import common  # noqa: E402  (bench/peers: workloads, data, protocol)

# ---------------------------------------------------------------------- targets
# numkeras s/epoch divided by keras-jax s/epoch, at most:
TRAIN_TARGETS = {"W1": 0.6, "W2": 0.6, "W3": 0.9, "W4": 0.9, "W5": 1.0}
PREDICT_TARGET = 1.0  # numkeras predict samples/s / best peer's, at least
IMPORT_TARGET_S = 0.25  # fresh `python -c "import numkeras ..."`, whole process
TINY_TARGET_S = 0.5  # tiny.py newcomer script, whole process
RSS_MARGIN_MB = 150.0  # peak RSS during fit <= data size + this
CONTENTION_TARGET = 1.5  # s/epoch with one core busy / quiet s/epoch, at most

NK = "numkeras"
REFERENCE = "keras-jax"
PEER_ORDER = [
    "keras-jax",
    "keras-tensorflow",
    "keras-torch",
    "torch-loop",
    "sklearn-mlp",
    "numpy-ref",
]
DEFAULT_CONTENDERS = [NK] + PEER_ORDER


def registry(nk_module):
    """Every known contender, as bench/peers/run_all.py describes them."""
    import run_all

    nk = dict(name=NK, kind="keras", module=nk_module, env={})
    return [nk] + run_all.default_contenders()


# ---------------------------------------------------------------------- running
def runner_cmd(python, c, wl, a):
    if c["kind"] == "keras":
        cmd = [python, os.path.join(PEERS, "run_keras_api.py"), "--module", c["module"]]
        cmd += ["--label", c["name"]]
    else:
        cmd = [python, os.path.join(PEERS, c["script"])]
    return cmd + [
        "--workload", wl,
        "--reps", str(a.reps),
        "--epochs-per-rep", str(a.epochs_per_rep),
        "--budget", str(a.budget),
        "--min-fraction", str(a.min_fraction),
        "--warmup-fraction", str(a.warmup_fraction),
        "--predict-reps", str(a.predict_reps),
        "--extra-reps", str(a.extra_reps),
        "--quiet-wait", str(a.quiet_wait),
    ]  # fmt: skip


def child_env(c, a):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONWARNINGS="ignore")
    env.update(c.get("env", {}))
    if a.extra_pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [a.extra_pythonpath, env.get("PYTHONPATH")])
        )
    return env


def run_cell(c, wl, a):
    """One (contender, workload) process; its JSON result (or an error dict)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tf:
        out = tf.name
    cmd = runner_cmd(a.python, c, wl, a) + ["--out", out]
    t0 = time.perf_counter()
    try:
        cp = subprocess.run(
            cmd, env=child_env(c, a), capture_output=True, text=True, timeout=a.timeout
        )
        rc, err = cp.returncode, cp.stderr
    except subprocess.TimeoutExpired as e:
        rc, err = "timeout", str(e)
    wall = time.perf_counter() - t0
    if rc == 0:
        with open(out) as f:
            r = json.load(f)
        r["process_wall_s"] = wall
    else:
        r = dict(error=str(rc), stderr_tail=(err or "")[-3000:], cmd=cmd)
        r["process_wall_s"] = wall
    if os.path.exists(out):
        os.unlink(out)
    return r


def versions(python):
    code = r"""
import importlib.metadata as md, json, sys
out = {"python": sys.version.split()[0]}
for d in ["numkeras", "numpy", "h5py", "scipy", "keras", "tensorflow-cpu", "jax",
          "jaxlib", "torch", "scikit-learn", "threadpoolctl"]:
    try: out[d] = md.version(d)
    except Exception: pass
try:
    import numpy, numkeras
    out["numkeras_path"] = numkeras.__file__
    from threadpoolctl import threadpool_info
    out["blas"] = "; ".join(f"{i['internal_api']} {i['version']} {i['num_threads']}thr"
                             for i in threadpool_info())
except Exception:
    pass
print(json.dumps(out))
"""
    cp = subprocess.run([python, "-c", code], capture_output=True, text=True)
    return json.loads(cp.stdout) if cp.returncode == 0 else {"error": cp.stderr[-500:]}


def git_state():
    try:
        head = subprocess.run(
            ["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", REPO, "status", "--porcelain", "--", "numkeras"],
            capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        return head + (" (numkeras/ has uncommitted changes)" if dirty else "")
    except OSError:
        return None


def train_all(selected, a):
    """All rounds of all cells; pooled over rounds like bench/peers/pool_runs.py."""
    import pool_runs

    rounds = []
    for rnd in range(a.rounds):
        k = rnd % len(selected)
        order = selected[k:] + selected[:k]  # rotate to spread drift over contenders
        res = {"train": {}, "runs": [{"started": now()}]}
        for wl in a.workloads:
            for c in order:
                tag = f"[round {rnd + 1}/{a.rounds}] " if a.rounds > 1 else ""
                log(f"== {tag}{wl} {c['name']}")
                if a.quiet_wait:
                    common.wait_quiet(max_wait=a.quiet_wait * 2)
                r = run_cell(c, wl, a)
                if "error" in r:
                    log(f"   FAILED ({r['error']}): {r['stderr_tail'][-800:]}")
                else:
                    log(
                        f"   {r['epoch_s']['median']:.3f} s/epoch, predict "
                        f"{r['predict_s']['median']:.3f} s, peak RSS "
                        f"{r['peak_rss_mb']:.0f} MB, clean reps "
                        f"{sum(r['train_clean'])}/{len(r['train_clean'])}, "
                        f"process {r['process_wall_s']:.0f} s"
                    )
                res["train"].setdefault(c["name"], {})[wl] = r
        rounds.append(res)
    if len(rounds) == 1:
        return rounds[0]["train"]
    pooled = pool_runs.pool(rounds)["train"]
    for c, d in rounds[0]["train"].items():  # keep failures that pool() drops
        for wl, r in d.items():
            pooled.setdefault(c, {}).setdefault(wl, r)
    return pooled


def run_contention(selected, a):
    """numkeras (and keras-jax, as a reference) quiet vs one core kept busy."""
    import contention

    names = [c["name"] for c in selected]
    cases = [
        (NK, [contention.K, "--module", a.numkeras_module, "--label", NK], {}),
    ]
    if REFERENCE in names:
        cases.append(
            (REFERENCE, [contention.K, "--label", REFERENCE], {"KERAS_BACKEND": "jax"})
        )
    reps = "1" if a.quick else "3"
    budget = "3" if a.quick else "15"
    base = ["--reps", reps, "--epochs-per-rep", "1", "--predict-reps", "1"]
    base += ["--budget", budget, "--min-fraction", "0.05", "--warmup-fraction", "0.1"]
    quiet = base + [
        "--quiet-wait",
        str(a.quiet_wait),
        "--extra-reps",
        str(a.extra_reps),
    ]
    busy = base + ["--quiet-wait", "0", "--extra-reps", "0"]
    res = {}
    for wl in a.contention_workloads:
        for case in cases:
            log(f"== contention {wl} {case[0]} quiet")
            res.setdefault(wl, {}).setdefault(case[0], {})["quiet"] = contention.run(
                case, wl, quiet, a.python
            )
        burner = subprocess.Popen([a.python, "-c", "while True: pass"])
        try:
            for case in cases:
                log(f"== contention {wl} {case[0]} one core busy")
                res[wl][case[0]]["one_core_busy"] = contention.run(
                    case, wl, busy, a.python
                )
        finally:
            burner.kill()
            burner.wait()
    return res


# ---------------------------------------------------------------------- report
def ok(r):
    return bool(r) and "error" not in r and "epoch_s" in r


def fs(v, unit=""):
    if v is None:
        return "–"
    return (f"{v:.3f}" if v < 10 else f"{v:.1f}") + unit


def fk(v):
    if v is None:
        return "–"
    return f"{v / 1e6:.2f}M" if v >= 1e6 else f"{v / 1e3:.1f}k"


def status(value, goal, higher_is_better=False):
    if value is None:
        return "n/a"
    good = value >= goal if higher_is_better else value <= goal
    return "**met**" if good else "**missed**"


def table(header, rows):
    out = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def noisy_mark(r, reps):
    clean = sum(r.get("train_clean", []))
    marks = ""
    if r.get("extrapolated"):
        marks += f" †{r['timed_fraction']:.0%}"
    if r.get("noisy") or clean < reps:
        marks += f" ({clean} clean)"
    return marks


def analyse(res):
    """Every target's number and status, and the per-workload details."""
    tr = res["train"]
    cons = res["contenders"]
    peers = [c for c in cons if c != NK]
    out = {"train": {}, "predict": {}, "rss": {}, "targets": []}
    T = out["targets"]
    for wl in res["args"]["workloads"]:
        nk = tr.get(NK, {}).get(wl)
        ref = tr.get(REFERENCE, {}).get(wl)
        pt = {
            c: tr[c][wl]["epoch_s"]["median"]
            for c in peers
            if ok(tr.get(c, {}).get(wl))
        }
        best = min(pt, key=pt.get) if pt else None
        nk_t = nk["epoch_s"]["median"] if ok(nk) else None
        d = dict(
            nk=nk_t,
            ratio_ref=nk_t / ref["epoch_s"]["median"] if nk_t and ok(ref) else None,
            best=best,
            ratio_best=nk_t / pt[best] if nk_t and best else None,
        )
        out["train"][wl] = d
        goal = TRAIN_TARGETS[wl]
        T.append(
            (f"{wl} train s/epoch, numkeras / keras-jax", fr(d["ratio_ref"]),
             f"≤ {goal}", status(d["ratio_ref"], goal))
        )  # fmt: skip
        # predict throughput
        pp = {
            c: tr[c][wl]["predict_samples_per_s"]
            for c in peers
            if ok(tr.get(c, {}).get(wl))
        }
        pbest = max(pp, key=pp.get) if pp else None
        nk_p = nk["predict_samples_per_s"] if ok(nk) else None
        pr = nk_p / pp[pbest] if nk_p and pbest else None
        out["predict"][wl] = dict(nk=nk_p, best=pbest, ratio=pr)
        T.append(
            (f"{wl} predict samples/s, numkeras / best peer ({pbest or '–'})",
             fr(pr), f"≥ {PREDICT_TARGET}", status(pr, PREDICT_TARGET, True))
        )  # fmt: skip
        # RSS during fit
        if ok(nk):
            data = nk.get("data_mb") or common.data_mb(common.workload(wl))
            peak = nk.get("peak_rss_after_fit_mb", nk["peak_rss_mb"])
            out["rss"][wl] = dict(data=data, peak=peak, over=peak - data)
            T.append(
                (f"{wl} peak RSS during fit, MB (data {data:.0f} MB)",
                 f"{peak:.0f} (data + {peak - data:.0f})",
                 f"≤ data + {RSS_MARGIN_MB:.0f}",
                 status(peak - data, RSS_MARGIN_MB))
            )  # fmt: skip
        else:
            T.append((f"{wl} peak RSS during fit", "–", "", "n/a"))
    st = res.get("startup") or {}
    imp = (st.get("imports") or {}).get(NK)
    if imp is not None:
        v = imp.get("wall_s", {}).get("median") if "wall_s" in imp else None
        T.append(
            ("import numkeras (fresh process, wall s)", fs(v), f"≤ {IMPORT_TARGET_S}",
             status(v, IMPORT_TARGET_S))
        )  # fmt: skip
    tiny = (st.get("tiny") or {}).get(NK)
    if tiny is not None:
        v = tiny.get("wall_s", {}).get("median") if "wall_s" in tiny else None
        T.append(
            ("newcomer script tiny.py (whole process, wall s)", fs(v),
             f"≤ {TINY_TARGET_S}", status(v, TINY_TARGET_S))
        )  # fmt: skip
    for wl, d in (res.get("contention") or {}).items():
        r = d.get(NK, {})
        q, b = r.get("quiet", {}), r.get("one_core_busy", {})
        v = b["epoch_s"] / q["epoch_s"] if "epoch_s" in q and "epoch_s" in b else None
        T.append(
            (f"{wl} contention: one core busy / quiet s/epoch", fr(v, "×"),
             f"≤ {CONTENTION_TARGET}×", status(v, CONTENTION_TARGET))
        )  # fmt: skip
    return out


def fr(v, suffix=""):
    return "–" if v is None else f"{v:.2f}{suffix}"


def summary_md(res):
    """The tables that also go into README.md."""
    an = analyse(res)
    tr, cons, reps = res["train"], res["contenders"], res["args"]["reps"]
    W = {k: common.workload(k) for k in res["args"]["workloads"]}
    L = []
    if res["args"].get("quick"):
        L.append(
            "> **--quick smoke test**: 1 rep on a fraction of an epoch, no waiting for "
            "a quiet machine. These numbers only show that the pipeline works; they "
            "are not a measurement.\n"
        )
    met = sum("**met**" in t[3] for t in an["targets"])
    missed = sum("missed" in t[3] for t in an["targets"])
    L.append(f"### Targets: {met} met, {missed} missed\n")
    L.append(table(["target", "numkeras", "goal", "status"], an["targets"]))
    L.append("")
    L.append("### Training: seconds per epoch (median of clean reps)\n")
    rows = []
    for wl, w in W.items():
        d = an["train"][wl]
        times = {
            c: tr[c][wl]["epoch_s"]["median"] for c in cons if ok(tr.get(c, {}).get(wl))
        }
        fastest = min(times.values()) if times else None
        row = [f"{wl} {w['name']} (b{w['batch_size']})"]
        for c in cons:
            r = tr.get(c, {}).get(wl)
            if not ok(r):
                row.append("fail" if r else "–")
                continue
            cell = fs(r["epoch_s"]["median"]) + noisy_mark(r, reps)
            row.append(f"**{cell}**" if r["epoch_s"]["median"] == fastest else cell)
        row += [
            fr(d["ratio_ref"]),
            f"≤ {TRAIN_TARGETS[wl]}",
            status(d["ratio_ref"], TRAIN_TARGETS[wl]),
            d["best"] or "–",
            fr(d["ratio_best"]),
        ]
        rows.append(row)
    hdr = ["workload"] + cons + ["numkeras / keras-jax", "target", "status"]
    hdr += ["best peer", "numkeras / best peer"]
    L.append(table(hdr, rows))
    L.append("")
    L.append(
        "Bold = fastest. † = timed on that fraction of an epoch and extrapolated. "
        "(n clean) = fewer clean reps than asked for (the machine was busy).\n"
    )
    L.append("### Predict (full set, batch 1024): samples/s\n")
    rows = []
    for wl in W:
        d = an["predict"][wl]
        row = [wl]
        for c in cons:
            r = tr.get(c, {}).get(wl)
            row.append(fk(r["predict_samples_per_s"]) if ok(r) else "–")
        row += [
            d["best"] or "–",
            fr(d["ratio"]),
            status(d["ratio"], PREDICT_TARGET, True),
        ]
        rows.append(row)
    L.append(
        table(
            ["workload"] + cons + ["best peer", "numkeras / best peer", "status (≥ 1)"],
            rows,
        )
    )
    L.append("")
    L.append("### Peak RSS during fit, MB (import + data + training, before predict)\n")
    rows = []
    for wl in W:
        row = [wl, f"{common.data_mb(W[wl]):.0f}"]
        for c in cons:
            r = tr.get(c, {}).get(wl)
            v = r.get("peak_rss_after_fit_mb", r.get("peak_rss_mb")) if ok(r) else None
            row.append(f"{v:.0f}" if v is not None else "–")
        d = an["rss"].get(wl)
        row.append(f"{d['over']:.0f}" if d else "–")
        row.append(status(d["over"], RSS_MARGIN_MB) if d else "n/a")
        rows.append(row)
    L.append(
        table(
            ["workload", "data MB"] + cons + ["numkeras − data", "status (≤ 150)"], rows
        )
    )
    L.append("")
    st = res.get("startup") or {}
    if st.get("imports") or st.get("tiny"):
        L.append("### Start-up: fresh process, wall seconds (median)\n")
        rows = []
        for c in cons:
            i = st.get("imports", {}).get(c, {})
            t = st.get("tiny", {}).get(c, {})
            ph = t.get("phases", {})
            rows.append([
                c,
                fs(i["wall_s"]["median"]) if "wall_s" in i else "–",
                fs(t["wall_s"]["median"]) if "wall_s" in t else "–",
                fs(ph.get("import")), fs(ph.get("build")), fs(ph.get("fit")),
            ])  # fmt: skip
        base = st.get("imports", {}).get("python (baseline)", {})
        if "wall_s" in base:
            rows.append(["bare python", fs(base["wall_s"]["median"]), "", "", "", ""])
        L.append(
            table(
                [
                    "contender",
                    "import",
                    "tiny.py whole",
                    "tiny: import",
                    "build",
                    "fit 1000 samples",
                ],
                rows,
            )  # fmt: skip
        )
        L.append("")
    con = res.get("contention") or {}
    if con:
        L.append("### Contention: one of the 2 cores kept busy by a burner process\n")
        rows = []
        for wl, d in con.items():
            for label, r in d.items():
                q, b = r.get("quiet", {}), r.get("one_core_busy", {})
                if "epoch_s" in q and "epoch_s" in b:
                    ratio = b["epoch_s"] / q["epoch_s"]
                    rows.append([
                        wl, label, fs(q["epoch_s"]), fs(b["epoch_s"]), fr(ratio, "×"),
                        fr(statistics.mean(b["foreign"])),
                        status(ratio, CONTENTION_TARGET) if label == NK else "",
                    ])  # fmt: skip
                else:
                    rows.append([wl, label, "fail", "fail", "–", "–", "n/a"])
        L.append(
            table(
                [
                    "workload",
                    "contender",
                    "quiet s/epoch",
                    "busy s/epoch",
                    "slowdown",
                    "foreign cores",
                    "status (≤ 1.5×)",
                ],
                rows,
            )  # fmt: skip
        )
        L.append("")
    return "\n".join(L)


def details_md(res):
    """bench/peers/make_report.py's full tables (warm-up, noise, ...)."""
    import make_report

    sub = {
        "train": res["train"],
        "startup": res.get("startup") or {},
        "workloads": {
            k: dict(
                common.workload(k),
                n_params=common.n_params(common.workload(k)),
                flops=common.epoch_flops(common.workload(k)),
            )
            for k in res["args"]["workloads"]
        },
        "versions": {},
        "machine": res.get("machine", {}),
    }
    if res.get("gemm"):
        sub["gemm"] = res["gemm"]
    with tempfile.TemporaryDirectory() as d:  # nothing beside it to pick up
        path = os.path.join(d, "R.md")
        make_report.write(sub, path)
        text = open(path).read()
    text = text.split("## Workloads", 1)[-1]
    text = re.sub(r"^## ", "### ", "## Workloads" + text, flags=re.M)
    return text


def write_report(res, path):
    v = res["versions"]
    a = res["args"]
    L = ["# numkeras vs peers: side by side on this machine\n"]
    L.append(
        f"Generated by `bench/compare.py` on {res['started']} "
        f"({res['duration_s'] / 60:.1f} min), numkeras at {res.get('git') or '?'}.\n"
    )
    L.append(f"Command: `{res['command']}`\n")
    m = res.get("machine", {})
    L.append(
        f"Machine: {m.get('cpu_model')}, {m.get('cpu_count')} cores; load average at "
        f"start {', '.join(f'{x:.1f}' for x in m.get('loadavg_at_start', []))}. "
        "Versions: "
        + ", ".join(f"{k} {v[k]}" for k in v if k != "numkeras_path")
        + "\n"
    )
    L.append(
        f"Protocol: one process per cell, 1 warm-up epoch, {a['reps']} timed reps × "
        f"{a['epochs_per_rep']} epochs (median of the clean ones), up to "
        f"{a['quiet_wait']:.0f} s waiting for a quiet machine before each rep, "
        f"{a['rounds']} round(s). Same data (seed {common.SEED}), batch size and "
        "optimizer for every contender. See bench/README.md for the columns.\n"
    )
    L.append("## Summary\n")
    L.append(summary_md(res))
    L.append("## Details\n")
    L.append(details_md(res))
    with open(path, "w") as f:
        f.write("\n".join(L).rstrip() + "\n")


def update_readme(res, readme):
    begin, end = "<!-- results:begin -->", "<!-- results:end -->"
    if not os.path.exists(readme):
        return False
    text = open(readme).read()
    if begin not in text or end not in text:
        return False
    block = (
        f"{begin}\n_Latest run: {res['started']}, `{res['command']}` "
        f"({res['duration_s'] / 60:.1f} min; full report: RESULTS.md)._\n\n"
        + summary_md(res).rstrip()
        + f"\n{end}"
    )
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    with open(readme, "w") as f:
        f.write(head + block + tail)
    return True


# ---------------------------------------------------------------------- main
def now():
    return datetime.datetime.now().isoformat(timespec="seconds")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--workloads", nargs="+", default=sorted(common.WORKLOADS),
                   choices=sorted(common.WORKLOADS))  # fmt: skip
    p.add_argument("--contenders", nargs="+", default=DEFAULT_CONTENDERS,
                   help=f"default: {' '.join(DEFAULT_CONTENDERS)}")  # fmt: skip
    p.add_argument("--numkeras-module", default="numkeras",
                   help="module imported for the 'numkeras' contender")  # fmt: skip
    p.add_argument("--python", default=None,
                   help=f"interpreter with every contender (default {DEFAULT_PYTHON} "
                        "if it exists, else this one)")  # fmt: skip
    p.add_argument(
        "--extra-pythonpath",
        default=None,
        help="prepended to every child's PYTHONPATH (another checkout)",
    )
    p.add_argument("--reps", type=int, default=3, help="timed reps per cell (≥ 3)")
    p.add_argument("--epochs-per-rep", type=int, default=2)
    p.add_argument("--predict-reps", type=int, default=3)
    p.add_argument(
        "--extra-reps",
        type=int,
        default=4,
        help="extra attempts for reps disturbed by other processes",
    )
    p.add_argument("--budget", type=float, default=60.0,
                   help="s for a cell's timed reps; above it, reps time a fraction "
                        "of the epoch and extrapolate (marked †)")  # fmt: skip
    p.add_argument("--min-fraction", type=float, default=0.25)
    p.add_argument("--warmup-fraction", type=float, default=1.0)
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=10.0,
        help="s to wait for a quiet machine before each rep",
    )
    p.add_argument("--rounds", type=int, default=1,
                   help="run every cell this many times (contender order rotated) "
                        "and pool the clean reps")  # fmt: skip
    p.add_argument("--timeout", type=float, default=1200.0, help="per cell process")
    p.add_argument(
        "--skip-startup", action="store_true", help="no import / tiny.py measurements"
    )
    p.add_argument("--startup-reps", type=int, default=3)
    p.add_argument(
        "--contention",
        action="store_true",
        help="also time numkeras (and keras-jax) with one core kept busy",
    )
    p.add_argument("--contention-workloads", nargs="+", default=["W1", "W5"])
    p.add_argument(
        "--gemm",
        action="store_true",
        help="also measure the numpy GEMM limit (bench/peers/gemm.py)",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: 1 rep of 1 epoch on ≤ 5%% of the data, no "
        "waiting for quiet; numbers are not a measurement",
    )
    p.add_argument("--out", default=None, help="raw JSON (default bench/results.json)")
    p.add_argument("--report", default=None, help="default bench/RESULTS.md")
    p.add_argument(
        "--no-readme",
        action="store_true",
        help="do not copy the summary into bench/README.md",
    )
    a = p.parse_args(argv)
    if a.quick:
        a.reps, a.epochs_per_rep, a.predict_reps, a.extra_reps = 1, 1, 1, 0
        a.budget, a.min_fraction, a.warmup_fraction = 1.0, 0.05, 0.05
        a.quiet_wait, a.startup_reps = 0.0, 1
    a.out = a.out or os.path.join(HERE, "results.json")
    a.report = a.report or os.path.join(HERE, "RESULTS.md")
    return p, a


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    p, a = parse_args(argv)
    if a.python is None:
        a.python = DEFAULT_PYTHON if os.path.exists(DEFAULT_PYTHON) else sys.executable
    venv = os.path.dirname(os.path.dirname(os.path.abspath(a.python)))
    if a.python == DEFAULT_PYTHON and not os.path.exists(os.path.join(venv, ".ready")):
        log(f"warning: {venv} is not marked ready: run bench/setup_peers.sh first")
    elif not os.path.exists(DEFAULT_PYTHON) and a.python == sys.executable:
        log(
            f"warning: no {DEFAULT_PYTHON} (bench/setup_peers.sh makes it); peers "
            "missing from this interpreter will show as 'fail'"
        )
    # startup.py and contention.py start their children with sys.executable:
    # run this script itself in the chosen interpreter
    target = subprocess.run(
        [a.python, "-c", "import sys; print(sys.prefix)"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if target != sys.prefix:
        if os.environ.get("NUMKERAS_COMPARE_REEXEC"):
            p.error(f"could not switch to {a.python}")
        log(f"(re-running with {a.python})")
        os.environ["NUMKERAS_COMPARE_REEXEC"] = "1"
        os.execv(a.python, [a.python, os.path.abspath(__file__)] + argv)

    reg = {c["name"]: c for c in registry(a.numkeras_module)}
    unknown = [c for c in a.contenders if c not in reg]
    if unknown:
        p.error(f"unknown contenders {unknown}; known: {list(reg)}")
    selected = [reg[c] for c in a.contenders]
    cons = [c for c in [NK] + PEER_ORDER if c in a.contenders]

    t0 = time.perf_counter()
    res = dict(
        started=now(),
        command="python3 bench/compare.py " + " ".join(shlex.quote(x) for x in argv),
        args=vars(a),
        contenders=cons,
        git=git_state(),
        versions=versions(a.python),
        platform=platform.platform(),
    )
    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(
                x.split(":", 1)[1].strip() for x in f if x.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    res["machine"] = dict(
        cpu_count=os.cpu_count(), cpu_model=cpu, loadavg_at_start=os.getloadavg()
    )
    log(f"contenders {cons}, workloads {a.workloads}, python {a.python}")

    if a.gemm:
        log("== GEMM limit")
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tf:
            out = tf.name
        cp = subprocess.run([a.python, os.path.join(PEERS, "gemm.py"), "--out", out])
        if cp.returncode == 0:
            with open(out) as f:
                res["gemm"] = json.load(f)
        os.unlink(out)

    if not a.skip_startup:
        log("== start-up (import, tiny.py)")
        import startup

        old = os.environ.get("PYTHONPATH")
        if a.extra_pythonpath:
            os.environ["PYTHONPATH"] = os.pathsep.join(
                filter(None, [a.extra_pythonpath, old])
            )
        res["startup"] = startup.run(
            selected, a.startup_reps, a.quiet_wait, base_imports=not a.quick
        )
        if a.extra_pythonpath:
            if old is None:
                os.environ.pop("PYTHONPATH")
            else:
                os.environ["PYTHONPATH"] = old

    res["train"] = train_all(selected, a)
    if a.contention:
        res["contention"] = run_contention(selected, a)
    res["duration_s"] = time.perf_counter() - t0
    res["loadavg_at_end"] = os.getloadavg()

    with open(a.out, "w") as f:
        json.dump(res, f, indent=1, default=str)
    write_report(res, a.report)
    msg = f"wrote {a.out} and {a.report}"
    if not a.no_readme and update_readme(res, os.path.join(HERE, "README.md")):
        msg += " (and the table in bench/README.md)"
    log(msg)
    print(summary_md(res))


if __name__ == "__main__":
    main()
