"""Keras-written files resume training in numkeras exactly as in Keras.

Goldens: tests/data/saving_goldens/*_resume.npz, made by real Keras 3.15.1
(make_resume_goldens.py there): load the file, then one train_on_batch, or
(from a fresh load) one fit epoch; the weights and optimizer state that Keras
reached are compared with what numkeras reaches from the same file.
"""

from pathlib import Path

import numpy as np
import pytest

import numkeras
from numkeras.saving import load_model

DATA = Path(__file__).parent / "data"
CASES = {
    "resume_adam": DATA / "saving_goldens" / "resume_adam.keras",
    "mlp_sgd": DATA / "keras_files" / "mlp_sgd.keras",
}


def golden(stem):
    path = DATA / "saving_goldens" / f"{stem}_resume.npz"
    if not path.exists() or not CASES[stem].exists():
        pytest.skip(f"{path.name} or its .keras file is missing")
    with np.load(path) as npz:
        return {k: npz[k] for k in npz.files}


def series(g, prefix):
    return [g[k] for k in sorted(k for k in g if k.startswith(prefix))]


@pytest.mark.parametrize("stem", sorted(CASES))
def test_train_on_batch_after_load_matches_keras(stem):
    g = golden(stem)
    model = load_model(CASES[stem])
    np.testing.assert_allclose(
        model.predict(g["x"][:6], verbose=0), g["pred"], rtol=1e-5, atol=1e-6
    )
    loss = model.train_on_batch(g["x"][:16], g["y"][:16])
    loss = loss[0] if isinstance(loss, list) else loss
    np.testing.assert_allclose(loss, g["tob_loss"], rtol=1e-5)
    for got, want in zip(model.get_weights(), series(g, "tob_w_"), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    variables = model.optimizer.variables
    want_opt = series(g, "tob_opt_")
    assert len(variables) == len(want_opt)
    assert int(variables[0]) == int(want_opt[0])
    for got, want in zip(variables[1:], want_opt[1:], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("stem", sorted(CASES))
def test_fit_epoch_after_load_matches_keras(stem):
    g = golden(stem)
    model = load_model(CASES[stem])
    history = model.fit(
        g["x"], g["y"], batch_size=16, epochs=1, shuffle=False, verbose=0
    )
    np.testing.assert_allclose(history.history["loss"][0], g["fit_loss"], rtol=1e-5)
    assert model.optimizer.iterations == int(g["fit_iterations"])
    for got, want in zip(model.get_weights(), series(g, "fit_w_"), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_fresh_optimizer_would_differ():
    """The goldens really depend on the restored optimizer state."""
    g = golden("resume_adam")
    model = load_model(CASES["resume_adam"], compile=False)
    model.compile(
        optimizer=numkeras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy"
    )
    model.train_on_batch(g["x"][:16], g["y"][:16])
    diffs = [
        np.abs(a - b).max()
        for a, b in zip(model.get_weights(), series(g, "tob_w_"), strict=True)
    ]
    assert max(diffs) > 1e-4
