"""The getting-started guide as a notebook: up to date with its page, and it runs.

docs/make_notebooks.py writes docs/notebooks/getting-started.ipynb from
docs/getting-started.md; this test checks the committed file is what the script writes
now, then runs every cell in a real Jupyter kernel (nbclient, ipykernel) and checks the
graphs and the step-by-step player display inline.
"""

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOK = DOCS / "notebooks" / "getting-started.ipynb"

nbformat = pytest.importorskip("nbformat", reason="the test extra: pip install nbformat")


def _make_notebooks():
    spec = importlib.util.spec_from_file_location("make_notebooks", DOCS / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_notebook_is_up_to_date_with_its_page():
    expected = _make_notebooks().render("getting-started.md")
    assert NOTEBOOK.read_text(encoding="utf-8") == expected, (
        "docs/notebooks/getting-started.ipynb is stale: run python docs/make_notebooks.py")
    nbformat.validate(nbformat.reads(expected, as_version=4))


def test_pycon_examples_become_code_without_prompts_or_output():
    notebook = _make_notebooks().notebook_from_markdown(
        "Intro [a link](drawing.md).\n\n```pycon\n>>> x = 1\n>>> for i in range(2):\n"
        "...     x += i\n>>> x\n2\n\n```\n\n<!-- notebook: x + 1 -->\n\n```bash\nls\n```\n")
    kinds = [(c.cell_type, c.source) for c in notebook.cells]
    assert kinds == [("markdown", "Intro [a link](../drawing.md)."),
                     ("code", "x = 1\nfor i in range(2):\n    x += i\nx"),
                     ("code", "x + 1"), ("markdown", "```bash\nls\n```")]


def test_notebook_runs_and_shows_graphs_and_the_player_inline(tmp_path, monkeypatch):
    nbclient = pytest.importorskip("nbclient", reason="the test extra: pip install nbclient")
    pytest.importorskip("ipykernel", reason="the test extra: pip install ipykernel")
    pytest.importorskip("graphviz", reason="the viz extra: pip install graphviz")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed: the notebook draws graphs")
    # The kernel is a new process: it must import this checkout's packages.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as err:  # pragma: no cover - the message
        pytest.fail(f"a notebook cell failed:\n{err}")
    outputs = {cell.source: cell.get("outputs", []) for cell in notebook.cells
               if cell.cell_type == "code"}

    def shown(source, mime):
        for out in outputs[source]:
            if mime in out.get("data", {}):
                return out["data"][mime]
            if mime == "text/plain" and out.get("output_type") == "stream":
                return out["text"]
        raise AssertionError(f"no {mime} output for {source!r}: {outputs[source]}")

    assert "dy/dx = -0.3174   dy/dw = 1.2695   dy/db = 0.6347" in shown(
        'y.backward()\nprint(f"dy/dx = {x.grad:.4f}   dy/dw = {w.grad:.4f}   '
        'dy/db = {b.grad:.4f}")', "text/plain")
    drawing = shown('y.draw(title="y = tanh(w*x + b)")', "text/html")
    assert "<svg" in drawing and "overflow:auto" in drawing
    assert "<svg" in shown('y.draw(title="y = tanh(w*x + b)")', "image/svg+xml")
    player = shown("step_through(y)", "text/html")
    assert 'class="agl-player"' in player and "<script>" in player
    wide = shown('loss.draw(title="XOR network: the loss of one training step")', "text/html")
    assert "overflow:auto" in wide and "max-width:100%" in wide  # scrolls, not clipped
    assert (tmp_path / "first_value.svg").is_file()  # files land in the notebook's folder
