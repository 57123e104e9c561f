"""Golden files from REAL Keras (3.15.1, JAX backend, CPU, float32) for numkeras's
differential tests, plus real-Keras model files for the saving/loading interop tests.

Run it with the reference venv made by ``tools/setup_keras_env.sh``::

    /work/keras-venv/bin/python tools/make_goldens.py                # all goldens
    /work/keras-venv/bin/python tools/make_goldens.py opt_adam loss_mse   # a few
    /work/keras-venv/bin/python tools/make_goldens.py --check        # regen in a temp
        dir with live Keras and diff against tests/keras_parity/goldens (exit 1 on diff)
    /work/keras-venv/bin/python tools/make_goldens.py --keras-files
        # (re)write tests/data/keras_files
    /work/keras-venv/bin/python tools/make_goldens.py --verify-numkeras-files DIR
        # load numkeras-written .keras / .weights.h5 / .h5 / .json files in real Keras
        # and compare predictions with DIR/<stem>.npz (exit 1 on mismatch)
    /work/keras-venv/bin/python tools/make_goldens.py --dump FILE
        # print the layout of a .keras / .h5 file

Scenarios live in ``tools/keras_scenarios.py`` (one builder per scenario, shared
with the numkeras side ``tests/keras_parity/test_goldens.py``).

Per scenario the golden is ``goldens/<name>.npz`` (arrays) + ``goldens/<name>.json``
(history, evaluate/train_on_batch results, metadata). See tests/keras_parity/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import keras_scenarios as S  # noqa: E402

GOLDEN_DIR = ROOT / "tests" / "keras_parity" / "goldens"
KERAS_FILES_DIR = ROOT / "tests" / "data" / "keras_files"
FORMAT_VERSION = 1

# Keras-vs-Keras tolerance for --check (same versions, same machine class).
CHECK_RTOL = 1e-5
CHECK_ATOL = 1e-6
# Keras-vs-numkeras tolerance for --verify-numkeras-files (predictions).
VERIFY_RTOL = 1e-4
VERIFY_ATOL = 1e-5


def _import_keras():
    try:
        import keras
    except ImportError:  # pragma: no cover
        sys.exit(
            "real Keras is not importable: run tools/setup_keras_env.sh and use "
            "/work/keras-venv/bin/python"
        )
    if keras.backend.backend() != "jax":  # pragma: no cover
        sys.exit(f"expected the JAX backend, got {keras.backend.backend()}")
    keras.config.set_floatx("float32")
    return keras


def _meta(keras):
    import h5py
    import jax

    return {
        "format_version": FORMAT_VERSION,
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "jax_version": jax.__version__,
        "numpy_version": np.__version__,
        "h5py_version": h5py.__version__,
        "floatx": keras.config.floatx(),
    }


def _py(v):
    """JSON-friendly Python value."""
    if isinstance(v, dict):
        return {str(k): _py(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_py(x) for x in v]
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (np.floating, float)):
        return float(v)
    if isinstance(v, (np.integer, int)) and not isinstance(v, bool):
        return int(v)
    if hasattr(v, "numpy"):
        return _py(np.asarray(v))
    if hasattr(v, "__array__"):
        return _py(np.asarray(v))
    return v


def prepare(K, name):
    """Build scenario ``name`` with module K, load the deterministic initial weights."""
    spec = S.SCENARIOS[name](K)
    model = spec["model"]
    shapes = [w.shape for w in model.get_weights()]
    w0 = S.initial_weights(shapes, S._seed(name) + 12345)
    model.set_weights(w0)
    return spec, model, w0


def run_scenario(keras, name):
    """Run one scenario with real Keras; return (json_dict, arrays_dict)."""
    spec, model, w0 = prepare(keras, name)
    model.compile(**spec["compile"])
    arrays = {f"w0_{i:02d}": w for i, w in enumerate(w0)}
    record = {
        "scenario": name,
        "description": spec["description"],
        "tolerance": spec["tolerance"],
        "weight_shapes": [list(w.shape) for w in w0],
        "data_fingerprints": S.data_fingerprints(spec),
    }
    if spec["fit"] is not None:
        hist = model.fit(**spec["fit"], verbose=0)
        record["history"] = _py(hist.history)
        record["epoch"] = _py(hist.epoch)
        record["params"] = _py(hist.params)
        record["iterations"] = int(model.optimizer.iterations)
        record["learning_rate"] = float(np.asarray(model.optimizer.learning_rate))
        opt_vars = model.optimizer.variables
        record["optimizer_variable_paths"] = [v.path for v in opt_vars]
        for i, v in enumerate(opt_vars):
            arrays[f"opt_{i:02d}"] = np.asarray(v)
    else:
        record["history"] = None
    for i, w in enumerate(model.get_weights()):
        arrays[f"fit_w_{i:02d}"] = w
    arrays["pred"] = model.predict(spec["probe"], verbose=0)
    record["evaluate"] = _py(
        model.evaluate(**spec["evaluate"], verbose=0, return_dict=True)
    )
    record["evaluate_list"] = _py(model.evaluate(**spec["evaluate"], verbose=0))

    if spec["train_on_batch"] is not None:
        spec2, model2, _ = prepare(keras, name)
        model2.compile(**spec2["compile"])
        record["train_on_batch"] = _py(
            model2.train_on_batch(**spec2["train_on_batch"], return_dict=True)
        )
        for i, w in enumerate(model2.get_weights()):
            arrays[f"tob_w_{i:02d}"] = w
    else:
        record["train_on_batch"] = None
    record["meta"] = _meta(keras)
    return record, arrays


def write_golden(outdir, name, record, arrays):
    outdir.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(outdir / f"{name}.npz", **arrays)
    with open(outdir / f"{name}.json", "w") as f:
        json.dump(record, f, indent=1, sort_keys=True)
        f.write("\n")


def generate(names, outdir, quiet=False):
    keras = _import_keras()
    t_all = time.time()
    for name in names:
        t = time.time()
        keras.utils.clear_session()
        record, arrays = run_scenario(keras, name)
        write_golden(outdir, name, record, arrays)
        if not quiet:
            h = record["history"] or {}
            summary = " ".join(f"{k}={v[-1]:.4g}" for k, v in sorted(h.items()))
            print(
                f"{name:32s} {time.time() - t:5.1f}s epochs={len(h.get('loss', []))} "
                f"{summary}",
                flush=True,
            )
    if not quiet:
        print(f"{len(names)} goldens in {time.time() - t_all:.0f} s -> {outdir}")


# ------------------------------------------------------------------------- check


def _diff_values(a, b, path, out, rtol, atol):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: present in only one side")
            else:
                _diff_values(a[k], b[k], f"{path}.{k}", out, rtol, atol)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: length {len(a)} != {len(b)}")
        else:
            for i, (x, y) in enumerate(zip(a, b, strict=False)):
                _diff_values(x, y, f"{path}[{i}]", out, rtol, atol)
    elif (
        isinstance(a, (int, float))
        and isinstance(b, (int, float))
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        if not np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
            out.append(f"{path}: {a!r} != {b!r}")
    elif a != b:
        out.append(f"{path}: {a!r} != {b!r}")


def compare_golden_dirs(ref_dir, new_dir, names, rtol=CHECK_RTOL, atol=CHECK_ATOL):
    problems = []
    for name in names:
        for ext in ("json", "npz"):
            if not (ref_dir / f"{name}.{ext}").exists():
                problems.append(f"{name}: committed golden {name}.{ext} is missing")
        if problems and problems[-1].startswith(f"{name}:"):
            continue
        ref = json.loads((ref_dir / f"{name}.json").read_text())
        new = json.loads((new_dir / f"{name}.json").read_text())
        out = []
        ref.pop("meta", None)
        new.pop("meta", None)
        _diff_values(ref, new, name, out, rtol, atol)
        with (
            np.load(ref_dir / f"{name}.npz") as r,
            np.load(new_dir / f"{name}.npz") as n,
        ):
            for k in sorted(set(r.files) | set(n.files)):
                if k not in r.files or k not in n.files:
                    out.append(f"{name}.npz[{k}]: present in only one side")
                elif r[k].shape != n[k].shape or r[k].dtype != n[k].dtype:
                    out.append(
                        f"{name}.npz[{k}]: {r[k].shape}/{r[k].dtype} != "
                        f"{n[k].shape}/{n[k].dtype}"
                    )
                elif not np.allclose(r[k], n[k], rtol=rtol, atol=atol, equal_nan=True):
                    err = np.max(np.abs(r[k].astype(np.float64) - n[k]))
                    out.append(f"{name}.npz[{k}]: max abs diff {err:.3g}")
        problems.extend(out)
    extra = sorted({p.stem for p in ref_dir.glob("*.json")} - set(S.SCENARIOS))
    for name in extra:
        problems.append(
            f"{name}: committed golden has no scenario in keras_scenarios.py"
        )
    return problems


def check(names):
    keras = _import_keras()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t = time.time()
        generate(names, tmp / "goldens")  # progress lines for CI logs
        problems = compare_golden_dirs(GOLDEN_DIR, tmp / "goldens", names)
        print(
            f"regenerated {len(names)} goldens with keras {keras.__version__} in "
            f"{time.time() - t:.0f} s"
        )
        if not names or len(names) == len(S.SCENARIOS):
            make_keras_files(tmp / "keras_files", quiet=True)
            problems += compare_keras_files(KERAS_FILES_DIR, tmp / "keras_files")
    if problems:
        print(
            f"{len(problems)} difference(s) beyond rtol={CHECK_RTOL} atol={CHECK_ATOL}:"
        )
        for p in problems[:200]:
            print("  " + p)
        return 1
    print("goldens match live Keras")
    return 0


# ----------------------------------------------------------------- real Keras files


def _probe(n=6, d=8, seed=2024):
    return np.random.default_rng(seed).standard_normal((n, d)).astype("float32")


def _save_probe(path, model, x, with_optimizer=False):
    arrays = {"x": x, "y": model.predict(x, verbose=0)}
    for i, w in enumerate(model.get_weights()):
        arrays[f"w_{i:02d}"] = w
    arrays["weight_paths"] = np.array([w.path for w in model.weights])
    if with_optimizer and model.optimizer is not None and model.optimizer.built:
        for i, v in enumerate(model.optimizer.variables):
            arrays[f"opt_{i:02d}"] = np.asarray(v)
        arrays["opt_paths"] = np.array([v.path for v in model.optimizer.variables])
    np.savez_compressed(path, **arrays)


def _train_data(d=8, classes=3, n=64, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype("float32")
    w = rng.standard_normal((d, classes)).astype("float32")
    return x, np.argmax(x @ w, axis=1).astype("int32")


def make_keras_files(outdir=KERAS_FILES_DIR, quiet=False):
    """Real-Keras-written files for numkeras's loading tests (see LAYOUT.md)."""
    keras = _import_keras()
    K = keras
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    x_probe = _probe()
    x, y = _train_data()

    # (a) mlp_adam.keras, (b) mlp.weights.h5 + mlp.json, (c) mlp_legacy.h5
    K.utils.clear_session()
    K.utils.set_random_seed(1)
    mlp = K.Sequential(
        [
            K.Input((8,)),
            K.layers.Dense(16, activation="relu"),
            K.layers.Dropout(0.2),
            K.layers.Dense(3, activation="softmax"),
        ],
        name="mlp",
    )
    mlp.compile(
        optimizer=K.optimizers.Adam(learning_rate=0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    mlp.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    mlp.save(outdir / "mlp_adam.keras")
    _save_probe(outdir / "mlp_adam.npz", mlp, x_probe, with_optimizer=True)
    mlp.save_weights(outdir / "mlp.weights.h5")
    (outdir / "mlp.json").write_text(mlp.to_json(indent=1) + "\n")
    _save_probe(outdir / "mlp.npz", mlp, x_probe, with_optimizer=True)
    mlp.save(outdir / "mlp_legacy.h5")
    _save_probe(outdir / "mlp_legacy.npz", mlp, x_probe, with_optimizer=True)

    # (d) mlp_sgd.keras: regularizers, constraints, other activations, SGD momentum
    K.utils.clear_session()
    K.utils.set_random_seed(2)
    sgd = K.Sequential(
        [
            K.Input((8,)),
            K.layers.Dense(
                12,
                activation="tanh",
                kernel_regularizer=K.regularizers.L2(0.01),
                bias_regularizer=K.regularizers.L1(0.001),
                kernel_constraint=K.constraints.MaxNorm(max_value=1.5),
                kernel_initializer="he_normal",
                bias_initializer="zeros",
            ),
            K.layers.Dense(
                10,
                activation="elu",
                kernel_regularizer=K.regularizers.L1L2(l1=0.001, l2=0.01),
                activity_regularizer=K.regularizers.L2(0.001),
                bias_constraint=K.constraints.NonNeg(),
            ),
            K.layers.Dense(
                6,
                activation="gelu",
                use_bias=False,
                kernel_constraint=K.constraints.UnitNorm(axis=0),
            ),
            K.layers.Dense(
                4,
                activation="leaky_relu",
                kernel_constraint=K.constraints.MinMaxNorm(0.1, 1.0, rate=0.5),
            ),
            K.layers.Dense(3, activation="softmax"),
        ],
        name="mlp_sgd",
    )
    sgd.compile(
        optimizer=K.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    sgd.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    sgd.save(outdir / "mlp_sgd.keras")
    (outdir / "mlp_sgd.json").write_text(sgd.to_json(indent=1) + "\n")
    _save_probe(outdir / "mlp_sgd.npz", sgd, x_probe, with_optimizer=True)

    # (e) configs: an uncompiled "zoo" of layer kinds/options + a deferred-build model
    K.utils.clear_session()
    K.utils.set_random_seed(3)
    zoo = K.Sequential(
        [
            K.Input((8,), name="features"),
            K.layers.Dense(
                10,
                activation="selu",
                kernel_initializer="lecun_normal",
                name="hidden_selu",
            ),
            K.layers.LeakyReLU(negative_slope=0.1),
            K.layers.Dense(
                10,
                activation=None,
                kernel_initializer=K.initializers.RandomNormal(stddev=0.1, seed=5),
                bias_initializer=K.initializers.Constant(0.05),
            ),
            K.layers.ReLU(max_value=6.0),
            K.layers.Dense(8, activation="swish"),
            K.layers.Activation("softplus"),
            K.layers.Dropout(0.3, seed=4),
            K.layers.Dense(8, activation="sigmoid", dtype="float32"),
            K.layers.Dense(4, activation="linear", trainable=False),
            K.layers.Softmax(),
        ],
        name="zoo",
    )
    (outdir / "zoo.json").write_text(zoo.to_json(indent=1) + "\n")
    _save_probe(outdir / "zoo.npz", zoo, x_probe)
    zoo.save(outdir / "zoo.keras")

    if not quiet:
        print(
            "wrote",
            ", ".join(sorted(p.name for p in outdir.iterdir() if p.suffix != ".md")),
        )


def compare_keras_files(ref_dir, new_dir):
    """--check helper: predictions/weights in the probe .npz files must agree."""
    problems = []
    for ref in sorted(Path(ref_dir).glob("*.npz")):
        new = Path(new_dir) / ref.name
        if not new.exists():
            problems.append(f"keras_files/{ref.name}: not regenerated")
            continue
        with np.load(ref) as r, np.load(new) as n:
            for k in r.files:
                if k not in n.files:
                    problems.append(f"keras_files/{ref.name}[{k}]: missing")
                elif r[k].dtype.kind in "fc":
                    if not np.allclose(r[k], n[k], rtol=CHECK_RTOL, atol=CHECK_ATOL):
                        problems.append(f"keras_files/{ref.name}[{k}]: differs")
                elif not np.array_equal(r[k], n[k]):
                    problems.append(f"keras_files/{ref.name}[{k}]: differs")
    return problems


# ------------------------------------------------------ verify numkeras-written files

MODEL_SUFFIXES = (".keras", ".weights.h5", ".h5", ".hdf5", ".json")


def _stem(path: Path):
    name = path.name
    for suf in MODEL_SUFFIXES:
        if name.endswith(suf):
            return name[: -len(suf)], suf
    return None, None


def verify_numkeras_files(directory, rtol=VERIFY_RTOL, atol=VERIFY_ATOL):
    """Load every model file in DIR with real Keras and compare predictions.

    Convention (one probe file per model stem):
      DIR/<stem>.npz   x = probe input, y = the writer's predictions on x
                       (optional w_00, w_01, ...: the writer's get_weights())
      DIR/<stem>.keras        -> keras.saving.load_model
      DIR/<stem>.h5/.hdf5     -> keras.saving.load_model (legacy HDF5)
      DIR/<stem>.weights.h5   -> architecture from DIR/<stem>.json (model.to_json())
                                 or else DIR/<stem>.keras, then model.load_weights
      DIR/<stem>.json         -> keras.models.model_from_json + set_weights(w_XX)
                                 (only when the npz has w_XX and there is no
                                 <stem>.weights.h5 for it)
    Each file is one check; exit status 1 if any check fails.
    """
    keras = _import_keras()
    directory = Path(directory)
    files = sorted(p for p in directory.iterdir() if _stem(p)[0] is not None)
    results = []
    for path in files:
        stem, suf = _stem(path)
        probe_path = directory / f"{stem}.npz"
        label = path.name
        if not probe_path.exists():
            results.append((label, False, f"no probe file {probe_path.name}"))
            continue
        with np.load(probe_path) as npz:
            probe = {k: npz[k] for k in npz.files}
        weights = [
            probe[k]
            for k in sorted(k for k in probe if k.startswith("w_") and k[2:].isdigit())
        ]
        try:
            keras.utils.clear_session()
            if suf in (".keras", ".h5", ".hdf5"):
                model = keras.saving.load_model(path)
            elif suf == ".weights.h5":
                if (directory / f"{stem}.json").exists():
                    model = keras.models.model_from_json(
                        (directory / f"{stem}.json").read_text()
                    )
                elif (directory / f"{stem}.keras").exists():
                    model = keras.saving.load_model(
                        directory / f"{stem}.keras", compile=False
                    )
                else:
                    results.append(
                        (
                            label,
                            False,
                            f"needs {stem}.json or {stem}.keras for the architecture",
                        )
                    )
                    continue
                model.load_weights(path)
            else:  # .json
                if (directory / f"{stem}.weights.h5").exists():
                    continue  # checked together with the weights file
                model = keras.models.model_from_json(path.read_text())
                if not weights:
                    results.append(
                        (label, False, f"{probe_path.name} has no w_XX weights")
                    )
                    continue
                model.set_weights(weights)
            pred = model.predict(probe["x"], verbose=0)
        except Exception as e:  # noqa: BLE001 - report every failure, keep going
            results.append((label, False, f"{type(e).__name__}: {e}"))
            continue
        msgs = []
        if pred.shape != probe["y"].shape:
            msgs.append(f"prediction shape {pred.shape} != {probe['y'].shape}")
        elif not np.allclose(pred, probe["y"], rtol=rtol, atol=atol):
            msgs.append(
                f"predictions differ: max abs diff "
                f"{np.max(np.abs(pred - probe['y'])):.3g}"
            )
        if weights and suf != ".json":
            got = model.get_weights()
            if len(got) != len(weights):
                msgs.append(f"{len(got)} weights loaded, npz has {len(weights)}")
            else:
                for i, (g, w) in enumerate(zip(got, weights, strict=False)):
                    if g.shape != w.shape or not np.allclose(
                        g, w, rtol=rtol, atol=atol
                    ):
                        msgs.append(f"weight {i} differs ({g.shape} vs {w.shape})")
        results.append((label, not msgs, "; ".join(msgs) or "ok"))
    if not results:
        print(f"no model files ({', '.join(MODEL_SUFFIXES)}) in {directory}")
        return 1
    for label, ok, msg in results:
        print(f"{'PASS' if ok else 'FAIL'} {label}: {msg}")
    n_fail = sum(not ok for _, ok, _ in results)
    print(
        f"{len(results) - n_fail}/{len(results)} files load in keras "
        f"{keras.__version__} with matching predictions"
    )
    return 1 if n_fail else 0


# ---------------------------------------------------------------------------- dump


def dump(path):
    """Print the exact layout of a .keras / .h5 / .weights.h5 file."""
    import h5py

    path = Path(path)

    def dump_h5(f, indent="  "):
        def attrs(obj):
            return {
                k: (v.decode() if isinstance(v, bytes) else v)
                for k, v in obj.attrs.items()
            }

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                print(
                    f"{indent}{name}  dataset shape={obj.shape} dtype={obj.dtype} "
                    f"attrs={attrs(obj)}"
                )
            else:
                a = attrs(obj)
                if "model_config" in a or "training_config" in a:
                    a = {
                        k: (v[:80] + "...") if isinstance(v, str) and len(v) > 80 else v
                        for k, v in a.items()
                    }
                print(f"{indent}{name}/  group attrs={a}")

        print(f"{indent}/ attrs={ {k: (str(v)[:80]) for k, v in f.attrs.items()} }")
        f.visititems(visit)

    if path.suffix == ".keras":
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                print(
                    f"member {info.filename} size={info.file_size} "
                    f"compress_type={info.compress_type}"
                )
            for info in z.infolist():
                if info.filename.endswith(".json"):
                    print(f"--- {info.filename}")
                    print(json.dumps(json.loads(z.read(info.filename)), indent=1))
            with tempfile.TemporaryDirectory() as tmp:
                z.extract("model.weights.h5", tmp)
                print("--- model.weights.h5")
                with h5py.File(Path(tmp) / "model.weights.h5") as f:
                    dump_h5(f)
    else:
        with h5py.File(path) as f:
            dump_h5(f)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("scenarios", nargs="*", help="scenario names (default: all)")
    ap.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temp dir and diff against the committed goldens",
    )
    ap.add_argument(
        "--keras-files",
        action="store_true",
        help="write the real-Keras files into tests/data/keras_files",
    )
    ap.add_argument(
        "--verify-numkeras-files",
        metavar="DIR",
        help="load numkeras-written files in DIR with real Keras",
    )
    ap.add_argument("--dump", metavar="FILE", help="print the layout of a Keras file")
    ap.add_argument("--list", action="store_true", help="list the scenarios")
    ap.add_argument("--out", default=str(GOLDEN_DIR), help="golden output directory")
    args = ap.parse_args(argv)

    if args.list:
        for name in S.SCENARIOS:
            print(name)
        return 0
    if args.dump:
        dump(args.dump)
        return 0
    if args.verify_numkeras_files:
        return verify_numkeras_files(args.verify_numkeras_files)
    unknown = [n for n in args.scenarios if n not in S.SCENARIOS]
    if unknown:
        ap.error(f"unknown scenario(s) {unknown}; valid: {list(S.SCENARIOS)}")
    names = args.scenarios or list(S.SCENARIOS)
    if args.check:
        return check(names)
    if args.keras_files:
        make_keras_files()
        return 0
    out = Path(args.out)
    if out.exists() and not args.scenarios and out == GOLDEN_DIR:
        # full regeneration: drop stale goldens of removed scenarios
        for p in list(out.glob("*.json")) + list(out.glob("*.npz")):
            if p.stem not in S.SCENARIOS:
                p.unlink()
    generate(names, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
