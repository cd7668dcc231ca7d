"""Write the notebook versions of guide pages: `python docs/make_notebooks.py`.

docs/getting-started.md becomes docs/notebooks/getting-started.ipynb (with nbformat):
its prose becomes Markdown cells, each ```pycon example a code cell (the `>>>` prompts and
the printed results removed: the notebook prints them itself), and each
`<!-- notebook: CODE -->` comment an extra code cell that only the notebook has, such as
`y.draw()` to show a graph inline. Shell commands stay Markdown. tests/test_notebooks.py
checks that the notebook is up to date and runs it with nbclient.
"""

import argparse
import pathlib
import re

HERE = pathlib.Path(__file__).resolve().parent
NOTEBOOKS = {"getting-started.md": "notebooks/getting-started.ipynb"}

FENCE = re.compile(r"^(?P<ticks>`{3,})[ \t]*(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=ticks)[ \t]*$",
                   re.M | re.S)
EXTRA = re.compile(r"^<!-- notebook: (?P<code>.*?) -->[ \t]*$", re.M)
IFRAME = re.compile(r"^<iframe .*?</iframe>[ \t]*\n?", re.M)


def _code(body):
    """A doctest example as plain code: prompts stripped, expected output dropped."""
    lines = []
    for line in body.splitlines():
        if line.startswith((">>> ", "... ")) or line in (">>>", "..."):
            lines.append(line[4:])
    return "\n".join(lines).rstrip()


def _markdown(text):
    """Prose for a notebook in docs/notebooks/: links one folder up, no embedded players."""
    text = IFRAME.sub("", text)
    text = re.sub(r"\]\((?!https?:|#)([^)]+)\)", r"](../\1)", text)
    return text.strip()


def notebook_from_markdown(text):
    """A `nbformat` notebook made from a guide page's Markdown `text`."""
    import nbformat

    cells, pos = [], 0
    pieces = sorted([(m.start(), m.end(), "fence", m) for m in FENCE.finditer(text)] +
                    [(m.start(), m.end(), "extra", m) for m in EXTRA.finditer(text)],
                    key=lambda piece: piece[0])

    def prose(chunk):
        chunk = _markdown(chunk)
        if chunk:
            cells.append(nbformat.v4.new_markdown_cell(chunk))

    for start, end, kind, m in pieces:
        if start < pos:
            continue
        prose(text[pos:start])
        pos = end
        if kind == "extra":
            cells.append(nbformat.v4.new_code_cell(m["code"]))
        elif m["info"].strip() in ("pycon", "python") and m["body"].lstrip().startswith(">>>"):
            cells.append(nbformat.v4.new_code_cell(_code(m["body"])))
        elif m["info"].strip() == "python":
            cells.append(nbformat.v4.new_code_cell(m["body"].rstrip()))
        else:
            cells.append(nbformat.v4.new_markdown_cell(m.group(0)))
    prose(text[pos:])
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i}"  # stable ids: the file changes only when the page does
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def render(page):
    """The notebook text for the guide page `page` (a name in NOTEBOOKS)."""
    import nbformat

    notebook = notebook_from_markdown((HERE / page).read_text(encoding="utf-8"))
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    for page, target in NOTEBOOKS.items():
        path = HERE / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(page), encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
