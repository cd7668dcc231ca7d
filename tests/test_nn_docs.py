"""Every code block in docs/nn.md runs on its own; every docstring example in nn runs."""

import contextlib
import doctest
import importlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "nn.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


def test_the_doc_has_both_interfaces():
    text = DOC.read_text()
    assert len(BLOCKS) >= 6
    assert 'net = NeuralNetwork(2, lr=0.2)' in text
    assert 'net.append_layer(2, "sigmoid", 1)' in text
    assert "Sequential(Linear(784, 128), ReLU(), Linear(128, 10))" in text
    assert "Adam(" in text


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_code_block_runs(index):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(BLOCKS[index], f"{DOC}:block{index}", "exec"), {"__name__": "__doc__"})
    assert out.getvalue(), "every block prints something to look at"
    assert "False" not in out.getvalue()


@pytest.mark.parametrize("name", ["nn", "nn.data", "nn.functional", "nn.init", "nn.layer",
                                  "nn.module", "nn.optim", "nn.serialization"])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    state = np.random.get_state()
    try:
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    finally:
        np.random.set_state(state)
    assert result.failed == 0 and result.attempted > 0
