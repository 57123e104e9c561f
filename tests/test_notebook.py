"""numkeras in Jupyter: execute tests/data/notebook_fit.ipynb headlessly in a
real ipykernel (nbclient) and check what a user would see in its output cells.

The progress bar must redraw one line in place: the fit cell's stream output,
with each `\\r` redraw collapsed the way Jupyter's front ends do it, holds one
final progress line per epoch, and there is no `\\b` or escape code anywhere.
"""

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).parent / "data" / "notebook_fit.ipynb"
ROOT = Path(__file__).resolve().parents[1]


def collapse_carriage_returns(text):
    """What Jupyter shows: on each line, only the text after the last \\r."""
    return "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))


def stream_text(cell, name="stdout"):
    return "".join(
        out.get("text", "")
        for out in cell.outputs
        if out.output_type == "stream" and out.name == name
    )


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT)}},
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:  # pragma: no cover
        pytest.fail(f"the notebook failed:\n{error}")
    return nb


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_fit_output_is_one_line_per_epoch(executed):
    fit_cell = code_cells(executed)[1]
    raw = stream_text(fit_cell)
    assert "\b" not in raw
    assert "\x1b" not in raw  # no escape codes in a saved notebook
    assert "\r" in raw, "the bar should redraw in place while it runs"
    shown = [line for line in collapse_carriage_returns(raw).split("\n") if line]
    epochs = [line for line in shown if line.startswith("Epoch ")]
    bars = [line for line in shown if not line.startswith("Epoch ")]
    assert epochs == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    assert len(bars) == 3, shown
    for line in bars:
        assert re.match(
            r"10/10 ━{20} \d+s \d+m?s/step - accuracy: \S+ - loss: \S+", line.strip()
        ), line
    assert not stream_text(fit_cell, "stderr")


def test_summary_and_evaluate_render(executed):
    cells = code_cells(executed)
    summary = stream_text(cells[0])
    assert 'Model: "sequential' in summary
    assert "Total params: 178" in summary
    assert "\x1b" not in summary and "\b" not in summary
    evaluate = collapse_carriage_returns(stream_text(cells[3]))
    lines = [line for line in evaluate.split("\n") if line]
    assert len(lines) == 2, lines  # evaluate's bar, then predict's
    assert lines[0].startswith("10/10 ") and "accuracy:" in lines[0]
    assert lines[1].startswith("2/2 ")


def test_history_cell_displays(executed):
    out = code_cells(executed)[2].outputs
    assert out and out[0].output_type == "execute_result"
    assert "text/plain" in out[0].data
