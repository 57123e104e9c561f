#!/usr/bin/env bash
# Create the virtual environment that holds the benchmark's *peers* (real Keras
# with the TensorFlow, JAX and PyTorch backends, plain PyTorch, scikit-learn)
# next to numkeras itself, so that every contender runs in one interpreter.
#
#   bench/setup_peers.sh [VENV_DIR]            (default: /work/peers-venv)
#
# The default test suite never needs this environment. Installs exactly what
# bench/peers/README.md lists: torch==2.13.0 (the CPU wheel; never plain
# `torch`, which pulls the multi-GB CUDA build), tensorflow-cpu, keras, jax,
# jaxlib, scikit-learn, psutil, threadpoolctl, and numkeras in editable mode
# from this checkout. Idempotent: rerunning upgrades nothing that is already
# installed. On success it writes VENV_DIR/.ready and prints the versions.
set -euo pipefail

VENV="${1:-/work/peers-venv}"
PYTHON="${PYTHON:-python3}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"

start=$(date +%s)
rm -f "$VENV/.ready"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)

# (grep drops this machine's harmless "Location ... is ignored" index warnings)
quiet() { "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }

echo "== torch==2.13.0 (CPU build)"
quiet "${PIP[@]}" install --quiet "torch==2.13.0"
# Fail loudly if a CUDA build slipped in: the harness assumes CPU-only torch.
# (-W ignore: numpy is not installed yet, torch warns about that)
"$VENV/bin/python" -W ignore - <<'PY'
import torch
assert torch.version.cuda is None, f"CUDA torch installed ({torch.__version__}); want the +cpu wheel"
PY

echo "== tensorflow-cpu keras jax jaxlib scikit-learn psutil threadpoolctl"
quiet "${PIP[@]}" install --quiet tensorflow-cpu keras jax jaxlib scikit-learn psutil threadpoolctl

echo "== numkeras (editable, from $REPO)"
quiet "${PIP[@]}" install --quiet -e "$REPO"

# Guard: whatever the resolver did, torch must still be the pinned CPU build.
"$VENV/bin/python" - <<'PY'
import torch
assert torch.__version__.startswith("2.13.0") and torch.version.cuda is None, torch.__version__
PY

# Smoke test: every contender imports in this interpreter.
for be in jax tensorflow torch; do
    KERAS_BACKEND=$be TF_CPP_MIN_LOG_LEVEL=2 "$VENV/bin/python" -c \
        "import keras; assert keras.backend.backend() == '$be'; print('keras', keras.__version__, '$be ok')"
done
"$VENV/bin/python" -c "import numkeras, sklearn, torch; print('numkeras', getattr(numkeras, '__version__', '?'), '| sklearn', sklearn.__version__, '| torch', torch.__version__)"

touch "$VENV/.ready"
end=$(date +%s)
echo "peers env ready in $VENV ($((end - start)) s)"
"${PIP[@]}" list 2>/dev/null | grep -iE '^numkeras ' || true
"${PIP[@]}" freeze 2>/dev/null | grep -iE '^(numkeras|numpy|scipy|keras|tensorflow|tensorflow[-_]cpu|jax|jaxlib|torch|scikit-learn|psutil|threadpoolctl|ml[-_]dtypes|optree|h5py)==' || true
