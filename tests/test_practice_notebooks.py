"""Practise mode in Jupyter: starter notebooks, filled in, execute with nbclient; their last
cell, `check(n)`, shows the verdict as HTML; the command line checks a notebook file too.

The kernel is this test run's own Python (a kernel spec written to a temporary Jupyter
folder), with the repository first on its path.
"""

import json
import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="notebooks need nbformat (test extra)")
nbclient = pytest.importorskip("nbclient", reason="notebooks run with nbclient (test extra)")
pytest.importorskip("ipykernel", reason="notebooks need ipykernel (test extra)")

from exercises.practice.i18n import set_language  # noqa: E402
from exercises.practice.sandbox import check_file  # noqa: E402
from exercises.practice.starters import write_starter  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def kernel(tmp_path_factory, monkeypatch):
    """A 'python3' kernel spec for this interpreter, found before any other."""
    jupyter = tmp_path_factory.mktemp("jupyter")
    spec = jupyter / "kernels" / "python3"
    spec.mkdir(parents=True)
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (tests)", "language": "python",
        "env": {"PYTHONPATH": path, "OMP_NUM_THREADS": "1"}}))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(jupyter))
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter))
    monkeypatch.setenv("PYTHONPATH", path)
    return "python3"


def execute(path, kernel):
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=180, kernel_name=kernel, allow_errors=False,
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def html_outputs(nb):
    return [out["data"]["text/html"] for cell in nb.cells if cell.cell_type == "code"
            for out in cell.get("outputs", []) if "text/html" in out.get("data", {})]


def test_a_filled_in_starter_notebook_runs_and_checks_itself(tmp_path, kernel):
    set_language("pt")
    path = write_starter(3, tmp_path, notebook=True, solution=True)
    assert path.name == "exercicio_3.ipynb"
    nb = execute(path, kernel)
    shown = html_outputs(nb)
    assert len(shown) == 1 and "todas as verificações passaram" in shown[0]
    assert "XOR foi aprendido" in shown[0]
    # the command line checks the same notebook file
    assert check_file(3, path, "pt").status == "passed"
    set_language("en")


def test_check_in_a_notebook_diagnoses_a_mistake(tmp_path, kernel):
    set_language("en")
    path = write_starter(4, tmp_path, notebook=True, solution=True)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "self.d_bias = dz.sum(axis=0)" in cell.source:
            cell.source = cell.source.replace("self.d_bias = dz.sum(axis=0)",
                                              "self.d_bias = dz.mean(axis=0)")
        if cell.cell_type == "code" and cell.source.startswith("np.random.seed(3)"):
            cell.source = "%time\n" + cell.source.replace("range(5000)", "range(2)")
    nbformat.write(nb, path)
    nb = execute(path, kernel)
    shown = html_outputs(nb)
    assert len(shown) == 1 and "not there yet" in shown[0]
    assert "not summed over the batch" in shown[0]
    verdict = check_file(4, path, "en")   # magics are left out when the checker runs it
    assert verdict.code == "bias_not_summed" and verdict.exit_status == 1


def test_a_fresh_starter_notebook_fails_kindly_at_its_first_todo(tmp_path):
    set_language("en")
    path = write_starter(2, tmp_path, notebook=True)
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[-1].source == "from exercises import check\n\ncheck(2, lang='en')"
    assert nb.metadata.kernelspec.name == "python3"
    verdict = check_file(2, path, "en")
    assert verdict.code == "todo" and "TODO" in verdict.message
    assert "cell" in verdict.message


def test_check_outside_a_notebook_prints_plain_text(capsys):
    from exercises import check

    namespace = {}
    exec("def forward(w, x):\n    return w * x\n", namespace)
    assert check(1, "en", namespace=namespace) is None
    out = capsys.readouterr().out
    assert out.startswith("Exercise 1: not there yet") and "`backward` is missing" in out
    assert "<div" not in out
