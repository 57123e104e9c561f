"""numkeras loads files written by real Keras 3.15.1 and predicts the same.

The files live in tests/data/keras_files (see LAYOUT.md there; regenerate with
``tools/make_goldens.py --keras-files``). Each model file ``<stem>.<ext>`` has a probe
``<stem>.npz`` with ``x``, Keras's predictions ``y``, its ``get_weights()`` as
``w_00, ...`` and, for compiled models, its optimizer variables ``opt_00, ...``.
Real Keras is not needed to run these tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "keras_files"
RTOL, ATOL = 1e-5, 1e-6

CASES = [
    # (file, how to load it, compiled-with-optimizer-state?)
    ("mlp_adam.keras", "load_model", True),
    ("mlp_legacy.h5", "load_model", True),
    ("mlp_sgd.keras", "load_model", True),
    ("zoo.keras", "load_model", False),
    ("mlp.weights.h5", "json+load_weights", False),
    ("mlp.json", "json+set_weights", False),
    ("mlp_sgd.json", "json+set_weights", False),
    ("zoo.json", "json+set_weights", False),
]


def _probe(stem):
    with np.load(DATA / f"{stem}.npz") as npz:
        return {k: npz[k] for k in npz.files}


def _series(d, prefix):
    keys = [k for k in d if k.startswith(prefix) and k[len(prefix) :].isdigit()]
    return [d[k] for k in sorted(keys)]


def _stem(fname):
    for suf in (".weights.h5", ".keras", ".h5", ".json"):
        if fname.endswith(suf):
            return fname[: -len(suf)]
    raise ValueError(fname)


@pytest.mark.parametrize("fname,how,with_opt", CASES, ids=[c[0] for c in CASES])
def test_numkeras_loads_keras_file(fname, how, with_opt):
    import numkeras as K

    stem = _stem(fname)
    probe = _probe(stem)
    path = DATA / fname
    if how == "load_model":
        model = K.saving.load_model(str(path))
    elif how == "json+load_weights":
        model = K.models.model_from_json((DATA / f"{stem}.json").read_text())
        model.load_weights(str(path))
    else:
        model = K.models.model_from_json(path.read_text())
        model.set_weights(_series(probe, "w_"))

    got_w = model.get_weights()
    want_w = _series(probe, "w_")
    assert len(got_w) == len(want_w), f"{len(got_w)} weights, keras has {len(want_w)}"
    for i, (g, w) in enumerate(zip(got_w, want_w, strict=False)):
        assert np.shape(g) == w.shape, f"weight {i}: {np.shape(g)} vs {w.shape}"
        np.testing.assert_allclose(g, w, rtol=RTOL, atol=ATOL, err_msg=f"weight {i}")

    pred = model.predict(probe["x"], verbose=0)
    np.testing.assert_allclose(
        pred,
        probe["y"],
        rtol=1e-4,
        atol=1e-5,
        err_msg=f"{fname}: predictions differ from Keras",
    )

    if with_opt:
        opt = model.optimizer
        assert opt is not None, f"{fname}: compiled model lost its optimizer"
        want = _series(probe, "opt_")
        got = [np.asarray(v) for v in opt.variables]
        assert len(got) == len(want), (
            f"{fname}: {len(got)} optimizer variables, keras has {len(want)} "
            f"{list(probe['opt_paths'])}"
        )
        for i, (g, w) in enumerate(zip(got, want, strict=False)):
            np.testing.assert_allclose(
                g,
                w,
                rtol=RTOL,
                atol=ATOL,
                err_msg=f"optimizer variable {i} ({probe['opt_paths'][i]})",
            )


def test_keras_files_are_small():
    total = sum(p.stat().st_size for p in DATA.iterdir())
    assert total < 1_000_000, f"tests/data/keras_files is {total} bytes (limit 1 MB)"
