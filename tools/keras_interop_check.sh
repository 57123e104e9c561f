#!/usr/bin/env bash
# CI stage "keras-interop": numkeras <-> real Keras files, both ways.
#
#   tools/keras_interop_check.sh [KERAS_VENV_PYTHON]   (default /work/keras-venv/bin/python)
#
# 1. numkeras writes .keras, legacy .h5, .weights.h5 + .json, legacy weights .h5
#    (+ probe .npz) into a temp dir;
# 2. real Keras (JAX backend) loads them: make_goldens.verify_numkeras_files
#    (predictions and weights), plus a check that Keras restores numkeras's optimizer
#    state and takes the same next training step as numkeras;
# 3. real Keras writes fresh files; numkeras loads them, predicts the same and takes
#    the same next train_on_batch step as Keras did.
# Exits non-zero on any mismatch. numkeras runs with $NUMKERAS_PYTHON (default python3).
set -euo pipefail

KERAS_PY="${1:-/work/keras-venv/bin/python}"
NK_PY="${NUMKERAS_PYTHON:-python3}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
export KERAS_BACKEND=jax JAX_PLATFORMS=cpu TF_CPP_MIN_LOG_LEVEL=3 PYTHONPATH="$ROOT"
mkdir -p "$TMP/nk" "$TMP/keras"

echo "== 1. numkeras writes files"
"$NK_PY" - "$TMP/nk" <<'PY'
import sys
import numpy as np
import numkeras as K

out = sys.argv[1]
rng = np.random.default_rng(7)
x = rng.standard_normal((64, 8)).astype("float32")
y = np.argmax(x @ rng.standard_normal((8, 3)), axis=1).astype("int32")
probe = x[:6]

def probe_npz(path, model):
    arrays = {"x": probe, "y": model.predict(probe, verbose=0)}
    arrays.update({f"w_{i:02d}": w for i, w in enumerate(model.get_weights())})
    np.savez(path, **arrays)

K.utils.set_random_seed(1)
model = K.Sequential([K.Input((8,)), K.layers.Dense(16, activation="relu"),
                      K.layers.Dropout(0.2), K.layers.Dense(3, activation="softmax")],
                     name="nk_mlp")
model.compile(optimizer=K.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
for stem in ("nk_mlp", "nk_mlp_legacy", "nk_mlp_w"):
    probe_npz(f"{out}/{stem}.npz", model)
model.save(f"{out}/nk_mlp.keras")
model.save(f"{out}/nk_mlp_legacy.h5")
model.save_weights(f"{out}/nk_mlp_w.weights.h5")
open(f"{out}/nk_mlp_w.json", "w").write(model.to_json())
model.save_weights(f"{out}/extra_legacy_weights.h5")   # checked by step 2b
open(f"{out}/extra_arch.json", "w").write(model.to_json())

# no dropout: the next training step must match Keras's exactly
K.utils.set_random_seed(2)
sgd = K.Sequential([K.Input((8,)), K.layers.Dense(12, activation="tanh"),
                    K.layers.Dense(3, activation="softmax")], name="nk_resume")
sgd.compile(optimizer=K.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
            loss="sparse_categorical_crossentropy")
sgd.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
probe_npz(f"{out}/nk_resume.npz", sgd)
sgd.save(f"{out}/nk_resume.keras")
sgd.train_on_batch(x[:16], y[:16])
np.savez(f"{out}/extra_resume_after.npz",
         **{f"w_{i:02d}": w for i, w in enumerate(sgd.get_weights())},
         iterations=np.int64(sgd.optimizer.iterations))
print("numkeras wrote", len(__import__("os").listdir(out)), "files")
PY
mv "$TMP/nk/extra_legacy_weights.h5" "$TMP/nk/extra_arch.json" "$TMP/nk/extra_resume_after.npz" "$TMP/"

echo "== 2. real Keras loads numkeras files (one Keras process for 2 and 3a)"
"$KERAS_PY" - "$TMP" "$ROOT/tools" <<'PY' 2>&1 | grep -v "^WARNING:absl"
import sys, warnings
import numpy as np

tmp = sys.argv[1]
sys.path.insert(0, sys.argv[2])
import make_goldens  # noqa: E402  (--verify-numkeras-files, as a function)
import keras  # noqa: E402

fail = []
if make_goldens.verify_numkeras_files(f"{tmp}/nk") != 0:
    fail.append("make_goldens --verify-numkeras-files")
rng = np.random.default_rng(7)
x = rng.standard_normal((64, 8)).astype("float32")
y = np.argmax(x @ rng.standard_normal((8, 3)), axis=1).astype("int32")

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    model = keras.saving.load_model(f"{tmp}/nk/nk_resume.keras")
if any("Skipping variable loading" in str(w.message) for w in caught):
    fail.append("Keras skipped numkeras's optimizer state")
model.train_on_batch(x[:16], y[:16])
after = np.load(f"{tmp}/extra_resume_after.npz")
if int(model.optimizer.iterations) != int(after["iterations"]):
    fail.append("iterations differ after the next step")
for i, w in enumerate(model.get_weights()):
    if not np.allclose(w, after[f"w_{i:02d}"], rtol=1e-4, atol=1e-6):
        fail.append(f"weight {i} differs after the next step")

arch = keras.models.model_from_json(open(f"{tmp}/extra_arch.json").read())
arch.load_weights(f"{tmp}/extra_legacy_weights.h5")
ref = np.load(f"{tmp}/nk/nk_mlp.npz")
if not np.allclose(arch.predict(ref["x"], verbose=0), ref["y"], rtol=1e-4, atol=1e-5):
    fail.append("legacy weights .h5 predictions differ")

# 3a. Keras writes files for numkeras (no dropout, so the next step is deterministic)
keras.utils.set_random_seed(5)
k = keras.Sequential([keras.Input((8,)), keras.layers.Dense(10, activation="elu"),
                      keras.layers.Dense(3, activation="softmax")], name="k_mlp")
k.compile(optimizer=keras.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy",
          metrics=["accuracy"])
k.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
out = f"{tmp}/keras"
k.save(f"{out}/k.keras")
k.save(f"{out}/k_legacy.h5")
k.save_weights(f"{out}/k.weights.h5")
open(f"{out}/k.json", "w").write(k.to_json())
arrays = {"x": x[:6], "y": k.predict(x[:6], verbose=0)}
arrays.update({f"w_{i:02d}": w for i, w in enumerate(k.get_weights())})
k.train_on_batch(x[:16], y[:16])
arrays.update({f"next_{i:02d}": w for i, w in enumerate(k.get_weights())})
np.savez(f"{out}/k.npz", **arrays)
for f in fail:
    print("FAIL", f)
print(f"keras {keras.__version__}: {'OK' if not fail else 'FAILED'}")
sys.exit(1 if fail else 0)
PY

echo "== 3b. numkeras loads Keras-written files"
"$NK_PY" - "$TMP/keras" <<'PY'
import sys
import numpy as np
import numkeras as K

d = sys.argv[1]
p = np.load(f"{d}/k.npz")
rng = np.random.default_rng(7)
x = rng.standard_normal((64, 8)).astype("float32")
y = np.argmax(x @ rng.standard_normal((8, 3)), axis=1).astype("int32")
weights = [p[f"w_{i:02d}"] for i in range(4)]
nxt = [p[f"next_{i:02d}"] for i in range(4)]
fail = []

def check(label, model, step=False):
    if not np.allclose(model.predict(p["x"], verbose=0), p["y"], rtol=1e-5, atol=1e-6):
        fail.append(f"{label}: predictions differ")
    if step:
        model.train_on_batch(x[:16], y[:16])
        for i, (a, b) in enumerate(zip(model.get_weights(), nxt)):
            if not np.allclose(a, b, rtol=1e-4, atol=1e-6):
                fail.append(f"{label}: weight {i} differs after the next step")

check("k.keras", K.saving.load_model(f"{d}/k.keras"), step=True)
check("k_legacy.h5", K.saving.load_model(f"{d}/k_legacy.h5"), step=True)
m = K.saving.model_from_json(open(f"{d}/k.json").read())
m.load_weights(f"{d}/k.weights.h5")
check("k.json + k.weights.h5", m)
m = K.saving.model_from_json(open(f"{d}/k.json").read())
m.set_weights(weights)
check("k.json", m)
for f in fail:
    print("FAIL", f)
print("numkeras loads Keras files:", "OK" if not fail else "FAILED")
sys.exit(1 if fail else 0)
PY
echo "keras-interop: all checks passed"
