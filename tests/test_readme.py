"""The README's example runs and prints what its comments say."""

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_prints_its_commented_numbers():
    block = re.search(r"```python\n(.*?)```", README.read_text(), re.S).group(1)
    expected = [line.split("#", 1)[1].strip() for line in block.splitlines()
                if line.lstrip().startswith("print(") and "#" in line]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, str(README), "exec"), {})
    assert out.getvalue().splitlines() == expected
    assert len(expected) == 2
