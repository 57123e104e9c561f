"""Writes are atomic: a process killed (SIGKILL) in the middle of a save leaves
either no file or the previous complete file, never a partial one."""

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from numkeras.saving import load_model
from numkeras.saving.atomic import atomic_path, write_bytes

CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    import numkeras as K
    target, kind = sys.argv[1], sys.argv[2]
    model = K.Sequential([K.Input((600,)), K.layers.Dense(600), K.layers.Dense(600)])
    model.compile(optimizer="adam", loss="mse")
    model.optimizer.build(model.trainable_weights)
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        for w in model.weights:
            w[...] = i          # every value tells which save it came from
        if kind == "keras":
            model.save(target)
        else:
            model.save_weights(target)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize(
    "kind, name", [("keras", "big.keras"), ("weights", "big.weights.h5")]
)
def test_sigkill_mid_write_never_leaves_a_partial_file(tmp_path, kind, name):
    target = tmp_path / name
    rng = random.Random(1234)
    seen = set()
    for _ in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(target), kind], stdout=subprocess.PIPE
        )
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.1, 0.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if not target.exists():
            continue
        if kind == "keras":
            model = load_model(target)
        else:
            import numkeras as K

            model = K.Sequential(
                [K.Input((600,)), K.layers.Dense(600), K.layers.Dense(600)]
            )
            model.load_weights(target)
        values = {float(v) for w in model.get_weights() for v in np.unique(w)}
        assert len(values) == 1  # all weights from the same, complete save
        seen |= values
    assert target.exists() and seen


def test_failed_write_keeps_previous_file_and_cleans_up(tmp_path):
    target = tmp_path / "f.bin"
    write_bytes(target, b"good")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        with open(tmp, "wb") as f:
            f.write(b"partial")
        raise RuntimeError("crash")
    assert target.read_bytes() == b"good"
    assert os.listdir(tmp_path) == ["f.bin"]


def test_directory_target_is_refused(tmp_path):
    with pytest.raises(IsADirectoryError), atomic_path(tmp_path):
        pass
