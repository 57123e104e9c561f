#!/usr/bin/env bash
# Create a virtualenv with a PINNED real Keras 3 (JAX backend, CPU only) used to
# generate and check the differential-test goldens (tests/keras_parity/) and the
# real Keras files in tests/data/keras_files/.
#
#   tools/setup_keras_env.sh [VENV_DIR]        (default: /work/keras-venv)
#
# Never installs torch or tensorflow. On success it writes VENV_DIR/.ready and
# prints the pinned versions. Idempotent: rerunning reinstalls the pins.
set -euo pipefail

VENV="${1:-/work/keras-venv}"
PYTHON="${PYTHON:-python3}"

# --- the pins (change them only together with regenerating the goldens) ------
KERAS_VERSION="3.15.1"
JAX_VERSION="0.10.2"
JAXLIB_VERSION="0.10.2"
NUMPY_VERSION="2.4.6"
H5PY_VERSION="3.16.0"
# ------------------------------------------------------------------------------

start=$(date +%s)
rm -f "$VENV/.ready"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)

# The full recorded freeze (transitive deps too) is used as constraints when present.
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONSTRAINTS="$HERE/../tests/keras_parity/VERSIONS.txt"
CARGS=()
if [ -f "$CONSTRAINTS" ]; then CARGS=(-c "$CONSTRAINTS"); fi

# (grep drops this machine's harmless "Location ... is ignored" index warnings)
"${PIP[@]}" install --quiet "${CARGS[@]}" \
    "keras==${KERAS_VERSION}" \
    "jax[cpu]==${JAX_VERSION}" \
    "jaxlib==${JAXLIB_VERSION}" \
    "numpy==${NUMPY_VERSION}" \
    "h5py==${H5PY_VERSION}" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)

# Guard: the reference env must not pull in another backend.
if "$VENV/bin/python" -c "import importlib.util as u, sys; sys.exit(0 if (u.find_spec('torch') or u.find_spec('tensorflow')) else 1)"; then
    echo "ERROR: torch or tensorflow ended up in $VENV; the reference env must be JAX-only" >&2
    exit 1
fi

# Smoke test: Keras on JAX/CPU, float32, one tiny fit.
KERAS_BACKEND=jax JAX_PLATFORMS=cpu "$VENV/bin/python" - <<'PY'
import numpy as np
import keras
assert keras.backend.backend() == "jax", keras.backend.backend()
assert keras.__version__ == "3.15.1", keras.__version__
m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
m.compile("sgd", "mse")
m.fit(np.ones((4, 3), "float32"), np.zeros((4, 2), "float32"), verbose=0)
import jax
print("keras", keras.__version__, "| jax", jax.__version__, "| devices", jax.devices())
PY

touch "$VENV/.ready"
end=$(date +%s)
echo "Keras reference env ready in $VENV ($((end - start)) s)"
"${PIP[@]}" freeze | grep -iE '^(keras|jax|jaxlib|numpy|h5py|ml[-_]dtypes|optree|absl-py|rich|namex|scipy|opt[-_]einsum|packaging)==' || true
