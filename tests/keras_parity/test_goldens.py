"""Differential tests: numkeras vs goldens recorded from real Keras 3.15.1 (JAX, CPU).

For every ``goldens/<name>.json`` + ``.npz`` this runs the same scenario builder
(``tools/keras_scenarios.py``) with ``import numkeras as K``, loads the recorded
initial weights with ``set_weights``, trains identically (``shuffle=False``) and
compares: History (keys, epochs, per-epoch values), final weights, predictions on
the probe set, ``evaluate`` (dict and list form), optimizer iterations / learning
rate / variables, and one ``train_on_batch`` from the initial weights.

Real Keras is NOT needed here (goldens are committed). To regenerate or check the
goldens against live Keras see tests/keras_parity/README.md.

A failing test lists every mismatch it found (not only the first), stage by stage;
an exception in a stage (feature not implemented) is reported with its traceback
summary and the dependent stages are skipped *inside* that test (the test fails).
"""

from __future__ import annotations

import importlib.util
import json
import traceback
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
GOLDEN_DIR = HERE / "goldens"

# Default tolerances (a scenario's golden "tolerance" dict overrides any of them).
DEFAULT_TOL = {
    # History / evaluate / train_on_batch values of losses and continuous metrics
    "loss_rtol": 2e-3,
    "loss_atol": 1e-5,
    # rate metrics (accuracy, precision, recall, AUC, top-k): a sample or two may
    # flip at a threshold after float32 drift -> absolute tolerance
    "metric_atol": 0.025,
    # final weights after fit, and predictions on the probe set (numkeras matched
    # Keras to <= ~1e-5 relative on every scenario when this was written)
    "weights_rtol": 2e-4,
    "weights_atol": 5e-5,
    "pred_rtol": 2e-4,
    "pred_atol": 5e-5,
    # weights after a single train_on_batch from the initial weights
    "tob_rtol": 1e-4,
    "tob_atol": 2e-5,
    # optimizer variables after fit (slots)
    "opt_rtol": 2e-3,
    "opt_atol": 1e-4,
    # learning rate (float32 variable)
    "lr_rtol": 1e-6,
}

RATE_METRIC_HINTS = ("acc", "precision", "prec", "recall", "rec", "auc", "top")


def _load_scenarios():
    path = ROOT / "tools" / "keras_scenarios.py"
    spec = importlib.util.spec_from_file_location("keras_scenarios", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


S = _load_scenarios()
GOLDEN_NAMES = sorted(p.stem for p in GOLDEN_DIR.glob("*.json"))


def _golden(name):
    record = json.loads((GOLDEN_DIR / f"{name}.json").read_text())
    with np.load(GOLDEN_DIR / f"{name}.npz") as npz:
        arrays = {k: npz[k] for k in npz.files}
    return record, arrays


def _series(arrays, prefix):
    keys = [k for k in arrays if k.startswith(prefix) and k[len(prefix) :].isdigit()]
    return [arrays[k] for k in sorted(keys)]


def _is_rate_metric(key):
    base = key[4:] if key.startswith("val_") else key
    base = base.lower()
    return base != "loss" and any(h in base for h in RATE_METRIC_HINTS)


class Report:
    """Collects every mismatch of one scenario."""

    def __init__(self, name, tol):
        self.name = name
        self.tol = tol
        self.problems = []

    def add(self, stage, msg):
        self.problems.append(f"[{stage}] {msg}")

    def crashed(self, stage, exc):
        tb = traceback.extract_tb(exc.__traceback__)
        where = next(
            (
                f"{Path(f.filename).name}:{f.lineno} in {f.name}"
                for f in reversed(tb)
                if "numkeras" in f.filename
            ),
            None,
        )
        where = where or (
            f"{Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else "?"
        )
        self.add(stage, f"raised {type(exc).__name__}: {exc}  (at {where})")

    def value(self, stage, key, got, want):
        if want is None:
            if got is not None:
                self.add(stage, f"{key}: expected None, got {got!r}")
            return
        try:
            got_f = float(np.asarray(got).reshape(()))
        except Exception:  # noqa: BLE001
            self.add(stage, f"{key}: expected a scalar ~{want!r}, got {got!r}")
            return
        if _is_rate_metric(key):
            ok = abs(got_f - want) <= self.tol["metric_atol"] + self.tol[
                "loss_rtol"
            ] * abs(want)
        else:
            ok = abs(got_f - want) <= self.tol["loss_atol"] + self.tol[
                "loss_rtol"
            ] * abs(want)
        if not np.isfinite(got_f) or not ok:
            rel = abs(got_f - want) / max(abs(want), 1e-12)
            self.add(
                stage,
                f"{key}: numkeras {got_f:.7g} vs keras {want:.7g} (rel {rel:.2e})",
            )

    def arrays(self, stage, got_list, want_list, rtol, atol, label="weight"):
        if len(got_list) != len(want_list):
            self.add(stage, f"{len(got_list)} {label}s, keras has {len(want_list)}")
            return
        for i, (g, w) in enumerate(zip(got_list, want_list, strict=False)):
            g = np.asarray(g)
            if g.shape != w.shape:
                self.add(stage, f"{label} {i}: shape {g.shape} vs keras {w.shape}")
                continue
            if g.dtype != w.dtype and w.dtype.kind == "f":
                self.add(stage, f"{label} {i}: dtype {g.dtype} vs keras {w.dtype}")
            if not np.allclose(g, w, rtol=rtol, atol=atol):
                d = np.abs(g.astype(np.float64) - w)
                j = np.unravel_index(np.argmax(d), d.shape)
                self.add(
                    stage,
                    f"{label} {i} {w.shape}: max abs diff {d.max():.3g} at "
                    f"{tuple(int(t) for t in j)} (numkeras {g[j]:.7g}, "
                    f"keras {w[j]:.7g}; rtol={rtol}, atol={atol})",
                )

    def dict_values(self, stage, got, want):
        if not isinstance(got, dict):
            self.add(
                stage,
                f"expected a dict with keys {sorted(want)}, got {type(got).__name__}"
                f" {got!r}",
            )
            return
        if set(got) != set(want):
            self.add(stage, f"keys {sorted(got)} vs keras {sorted(want)}")
        for k in sorted(set(got) & set(want)):
            self.value(stage, k, got[k], want[k])


def _run(name, K):
    record, arrays = _golden(name)
    tol = dict(DEFAULT_TOL, **record.get("tolerance", {}))
    rep = Report(name, tol)
    w0 = _series(arrays, "w0_")

    # --- build --------------------------------------------------------------------
    try:
        spec = S.SCENARIOS[name](K)
        model = spec["model"]
    except Exception as e:  # noqa: BLE001
        rep.crashed("build", e)
        return rep
    fp = S.data_fingerprints(spec)
    for k, want in record["data_fingerprints"].items():
        got = fp.get(k)
        if (
            got is None
            or got[0] != want[0]
            or not np.allclose(got[1:], want[1:], rtol=1e-6)
        ):
            rep.add(
                "data",
                f"{k}: regenerated data {got} != golden {want} "
                "(NumPy RNG drift? scenario edited without regenerating?)",
            )
    try:
        shapes = [list(np.shape(w)) for w in model.get_weights()]
        if shapes != record["weight_shapes"]:
            rep.add(
                "build", f"weight shapes {shapes} vs keras {record['weight_shapes']}"
            )
        model.set_weights(w0)
        model.compile(**spec["compile"])
    except Exception as e:  # noqa: BLE001
        rep.crashed("build/set_weights/compile", e)
        return rep

    # --- fit ------------------------------------------------------------------------
    fit_ok = True
    if spec["fit"] is not None:
        try:
            hist = model.fit(**spec["fit"], verbose=0)
        except Exception as e:  # noqa: BLE001
            rep.crashed("fit", e)
            fit_ok = False
        if fit_ok:
            want_h = record["history"]
            got_h = getattr(hist, "history", None)
            if not isinstance(got_h, dict):
                rep.add("history", f"fit() returned {hist!r} without a .history dict")
            else:
                if set(got_h) != set(want_h):
                    rep.add(
                        "history", f"keys {sorted(got_h)} vs keras {sorted(want_h)}"
                    )
                got_epoch = list(getattr(hist, "epoch", []))
                if got_epoch != record["epoch"]:
                    rep.add(
                        "history", f"epochs run {got_epoch} vs keras {record['epoch']}"
                    )
                for k in sorted(set(got_h) & set(want_h)):
                    gv, wv = list(got_h[k]), want_h[k]
                    if len(gv) != len(wv):
                        rep.add("history", f"{k}: {len(gv)} entries vs keras {len(wv)}")
                    for e, (g, w) in enumerate(zip(gv, wv, strict=False)):
                        rep.value("history", f"{k}[epoch {e}]", g, w)
            opt = getattr(model, "optimizer", None)
            try:
                it = int(np.asarray(opt.iterations))
                if it != record["iterations"]:
                    rep.add(
                        "optimizer", f"iterations {it} vs keras {record['iterations']}"
                    )
                lr = float(np.asarray(opt.learning_rate))
                if not np.isclose(
                    lr, record["learning_rate"], rtol=tol["lr_rtol"], atol=0
                ):
                    rep.add(
                        "optimizer",
                        f"learning_rate {lr!r} vs keras {record['learning_rate']!r}",
                    )
            except Exception as e:  # noqa: BLE001
                rep.crashed("optimizer.iterations/learning_rate", e)
            try:
                got_vars = [np.asarray(v) for v in opt.variables]
                want_vars = _series(arrays, "opt_")
                if len(got_vars) != len(want_vars):
                    rep.add(
                        "optimizer.variables",
                        f"{len(got_vars)} variables vs keras {len(want_vars)} "
                        f"{record['optimizer_variable_paths']}",
                    )
                else:
                    rep.arrays(
                        "optimizer.variables",
                        got_vars,
                        want_vars,
                        tol["opt_rtol"],
                        tol["opt_atol"],
                        label="optimizer variable",
                    )
            except Exception as e:  # noqa: BLE001
                rep.crashed("optimizer.variables", e)

    # --- final weights, predictions, evaluate -----------------------------------------
    if fit_ok:
        try:
            rep.arrays(
                "final weights",
                model.get_weights(),
                _series(arrays, "fit_w_"),
                tol["weights_rtol"],
                tol["weights_atol"],
            )
        except Exception as e:  # noqa: BLE001
            rep.crashed("get_weights", e)
        try:
            pred = model.predict(spec["probe"], verbose=0)
            rep.arrays(
                "predict",
                [pred],
                [arrays["pred"]],
                tol["pred_rtol"],
                tol["pred_atol"],
                label="prediction",
            )
        except Exception as e:  # noqa: BLE001
            rep.crashed("predict", e)
        try:
            got = model.evaluate(**spec["evaluate"], verbose=0, return_dict=True)
            rep.dict_values("evaluate(return_dict=True)", got, record["evaluate"])
        except Exception as e:  # noqa: BLE001
            rep.crashed("evaluate(return_dict=True)", e)
        try:
            got = model.evaluate(**spec["evaluate"], verbose=0)
            want = record["evaluate_list"]
            if name in EVALUATE_LIST_DEVIATIONS:
                pass  # the dict form above is compared; see the deviation note
            elif isinstance(want, list):
                if not isinstance(got, (list, tuple)) or len(got) != len(want):
                    rep.add(
                        "evaluate()",
                        f"returned {got!r}, keras returns a list of {len(want)} {want}",
                    )
                else:
                    for i, (g, w) in enumerate(zip(got, want, strict=False)):
                        rep.value("evaluate()", f"[{i}]", g, w)
            else:
                if isinstance(got, (list, tuple, dict)):
                    rep.add(
                        "evaluate()", f"returned {got!r}, keras returns a scalar {want}"
                    )
                else:
                    rep.value("evaluate()", "loss", got, want)
        except Exception as e:  # noqa: BLE001
            rep.crashed("evaluate()", e)

    # --- one train_on_batch from the initial weights --------------------------------
    if record["train_on_batch"] is not None:
        try:
            spec2 = S.SCENARIOS[name](K)
            model2 = spec2["model"]
            model2.set_weights(w0)
            model2.compile(**spec2["compile"])
            got = model2.train_on_batch(**spec2["train_on_batch"], return_dict=True)
            rep.dict_values("train_on_batch", got, record["train_on_batch"])
            rep.arrays(
                "train_on_batch weights",
                model2.get_weights(),
                _series(arrays, "tob_w_"),
                tol["tob_rtol"],
                tol["tob_atol"],
            )
        except Exception as e:  # noqa: BLE001
            rep.crashed("train_on_batch", e)
    return rep


# Keras behaviours numkeras deliberately does not copy (checked otherwise).
EVALUATE_LIST_DEVIATIONS = {
    # Keras 3.15 returns [loss, accuracy, accuracy, weighted_accuracy] from
    # evaluate() when "accuracy" is in both metrics and weighted_metrics (the
    # unweighted value repeated); numkeras returns one value per metric,
    # [loss, accuracy, weighted_accuracy], in metrics_names order.
    "sample_weight",
}


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_parity_with_keras(name):
    import numkeras as K  # a missing core is a failure, not a skip

    rep = _run(name, K)
    if rep.problems:
        record = json.loads((GOLDEN_DIR / f"{name}.json").read_text())
        head = (
            f"numkeras differs from keras {record['meta']['keras_version']} "
            f"({record['meta']['backend']}) on scenario {name!r}: "
            f"{record['description']}"
        )
        pytest.fail(head + "\n  " + "\n  ".join(rep.problems), pytrace=False)


def test_every_scenario_has_a_golden():
    """A scenario added without regenerating goldens (or the reverse) fails here."""
    assert GOLDEN_NAMES, f"no goldens in {GOLDEN_DIR}"
    missing = sorted(set(S.SCENARIOS) - set(GOLDEN_NAMES))
    stale = sorted(set(GOLDEN_NAMES) - set(S.SCENARIOS))
    assert not missing, (
        f"scenarios without goldens (run tools/make_goldens.py): {missing}"
    )
    assert not stale, f"goldens without scenarios: {stale}"
    for name in GOLDEN_NAMES:
        assert (GOLDEN_DIR / f"{name}.npz").exists(), name


def test_goldens_come_from_the_pinned_keras():
    versions = (HERE / "VERSIONS.txt").read_text()
    for name in GOLDEN_NAMES:
        meta = json.loads((GOLDEN_DIR / f"{name}.json").read_text())["meta"]
        assert meta["backend"] == "jax" and meta["floatx"] == "float32", (name, meta)
        assert f"keras=={meta['keras_version']}" in versions, (name, meta)
        assert f"jax=={meta['jax_version']}" in versions, (name, meta)
