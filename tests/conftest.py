import os
from pathlib import Path

import pytest

from numkeras import backend

SHARED_DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
if "NUMKERAS_DATASETS" not in os.environ and SHARED_DATASETS.is_dir():
    os.environ["NUMKERAS_DATASETS"] = str(SHARED_DATASETS)


@pytest.fixture
def float64():
    """Run a test with floatx() == "float64" (gradient checks need it)."""
    old = backend.floatx()
    backend.set_floatx("float64")
    yield
    backend.set_floatx(old)
