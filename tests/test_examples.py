"""The worked examples in examples/ run end to end (reduced settings) and
print their key numbers and write their pictures."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# script -> (PNG files it writes, text its output must contain)
CASES = {
    "vanishing_gradients.py": (
        ["vanishing_gradients.png", "activations.png"],
        [
            "gradient norm of the first layer / the last layer",
            "Gradients are vanishing",
        ],
    ),
    "overfitting.py": (
        ["overfitting.png", "early_stopping.png"],
        ["no regularization", "Dropout", "EarlyStopping: best epoch"],
    ),
    "optimizer_race.py": (
        ["optimizer_race.png"],
        ["Nesterov", "Adagrad", "RMSprop", "Lowest final training loss"],
    ),
    "logits_numerics.py": (
        ["logits_numerics.png"],
        ["naive nan", "naive inf", "from_logits 200.0"],
    ),
    "multi_label.py": (
        ["multi_label.png"],
        ["exact match", "do not sum to 1"],
    ),
}


def _needs_fashion_mnist():
    from numkeras.datasets import DatasetNotFoundError, fashion_mnist

    try:
        fashion_mnist.load_data()
    except DatasetNotFoundError:
        pytest.skip("Fashion-MNIST is not available (set NUMKERAS_DATASETS)")


def test_every_example_is_tested():
    scripts = [p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")]
    assert sorted(scripts) == sorted(CASES)


@pytest.mark.parametrize("script", sorted(CASES))
def test_example_runs(script, tmp_path):
    if script == "overfitting.py":
        _needs_fashion_mnist()
    pictures, expected = CASES[script]
    env = dict(os.environ)
    env.update(
        NUMKERAS_EXAMPLES_QUICK="1",
        MPLBACKEND="Agg",
        OPENBLAS_NUM_THREADS="1",  # small matrices: threads only add contention
        PYTHONWARNINGS="default",
    )
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "--output", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for text in expected:
        assert text in result.stdout, result.stdout
    for name in pictures:
        png = tmp_path / name
        assert png.exists() and png.stat().st_size > 5_000, name
