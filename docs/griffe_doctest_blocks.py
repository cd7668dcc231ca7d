"""A Griffe extension for the API reference: show docstring examples as Python code.

Our docstrings write their examples as doctests (`>>>` lines, run by the test suite), not
in a Google- or NumPy-style "Examples" section. Markdown would read `>>>` as three nested
quotes, so before mkdocstrings renders a docstring, this extension wraps each example
(from its first `>>>` line to the next blank line, as doctest reads it) in a ```pycon
fence. mkdocs.yml loads it with `extensions: [docs/griffe_doctest_blocks.py]`.
"""

import griffe


def fence_doctests(text):
    """Return `text` with every doctest example wrapped in a ```pycon fence.

    >>> fence_doctests("Add.\\n\\n>>> 1 + 1\\n2\\n\\nDone.").splitlines()
    ['Add.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'Done.']
    """
    out, in_example, in_fence = [], False, False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("```") and not in_example:
            in_fence = not in_fence  # leave examples that are already fenced alone
        elif not in_fence and not in_example and stripped.startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            in_example = True
        elif in_example and not stripped:
            out.append(f"{indent}```")
            in_example = False
        out.append(line)
    if in_example:
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestBlocks(griffe.Extension):
    """Fence the doctest examples of every docstring Griffe loads."""

    def on_object(self, *, obj, **kwargs):
        _fence(obj)

    def on_module(self, *, mod, **kwargs):  # on_object skips a package's own module
        _fence(mod)


def _fence(obj):
    if obj.docstring is not None and ">>>" in obj.docstring.value:
        obj.docstring.value = fence_doctests(obj.docstring.value)  # idempotent
