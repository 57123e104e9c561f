"""Regenerate the resume-training goldens with REAL Keras (3.15.1, JAX, CPU).

    KERAS_BACKEND=jax /work/keras-venv/bin/python \
        tests/data/saving_goldens/make_resume_goldens.py

For each Keras-written file it records what Keras does when it loads the file
and trains on: one `train_on_batch` and, from a fresh load, one `fit` epoch
(batch 16, no shuffle). tests/test_saving_resume.py replays that in numkeras.
Files written here: resume_adam.keras (no dropout, Adam, trained one epoch) and
<stem>_resume.npz for it and for ../keras_files/mlp_sgd.keras.
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
KERAS_FILES = HERE.parent / "keras_files"


def data(d=8, classes=3, n=64, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype("float32")
    w = rng.standard_normal((d, classes)).astype("float32")
    return x, np.argmax(x @ w, axis=1).astype("int32")


def make_adam_file(path):
    keras.utils.clear_session()
    keras.utils.set_random_seed(11)
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ],
        name="resume_adam",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    x, y = data()
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    model.save(path)


def record(path, out):
    x, y = data(seed=8)
    arrays = {"x": x, "y": y}
    keras.utils.clear_session()
    model = keras.saving.load_model(path)
    arrays["pred"] = model.predict(x[:6], verbose=0)
    arrays["tob_loss"] = np.float32(model.train_on_batch(x[:16], y[:16])[0])
    for i, w in enumerate(model.get_weights()):
        arrays[f"tob_w_{i:02d}"] = w
    for i, v in enumerate(model.optimizer.variables):
        arrays[f"tob_opt_{i:02d}"] = np.asarray(v)
    keras.utils.clear_session()
    model = keras.saving.load_model(path)
    hist = model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    arrays["fit_loss"] = np.float32(hist.history["loss"][0])
    for i, w in enumerate(model.get_weights()):
        arrays[f"fit_w_{i:02d}"] = w
    arrays["fit_iterations"] = np.int64(int(model.optimizer.iterations))
    arrays["keras_version"] = np.array(keras.__version__)
    np.savez_compressed(out, **arrays)


def main():
    adam = HERE / "resume_adam.keras"
    make_adam_file(adam)
    record(adam, HERE / "resume_adam_resume.npz")
    record(KERAS_FILES / "mlp_sgd.keras", HERE / "mlp_sgd_resume.npz")
    print("wrote", sorted(p.name for p in HERE.iterdir() if p.suffix != ".py"))


if __name__ == "__main__":
    sys.exit(main())
