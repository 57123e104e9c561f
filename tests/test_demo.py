"""`numkeras demo`: offline, on the bundled MNIST subset, >= 90% test accuracy."""

import os
import re
import subprocess
import sys

import numkeras as keras


def test_demo_trains_saves_and_reports(tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("NUMKERAS_DATASETS", None)  # the demo must not need any download
    result = subprocess.run(
        [sys.executable, "-m", "numkeras", "demo", "--output", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert 'Model: "sequential"' in out and "Total params: 79,510" in out
    assert re.search(r"169/169 ━{20} \d+s \d+[mu]?s/step - accuracy:", out)
    accuracy = float(re.search(r"test accuracy: (\d\.\d+)", out).group(1))
    assert accuracy >= 0.90
    assert "\x1b" not in out and "\b" not in out
    model = keras.models.load_model(tmp_path / "mnist_mini.keras")
    assert model.count_params() == 79_510
    assert (tmp_path / "mnist_mini_history.png").stat().st_size > 10_000


def test_demo_help_lists_the_options():
    result = subprocess.run(
        [sys.executable, "-m", "numkeras", "demo", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    for option in ("--dataset", "--epochs", "--batch-size", "--optimizer", "--output"):
        assert option in result.stdout
