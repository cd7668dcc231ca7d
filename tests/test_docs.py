"""The documentation site cannot rot: it builds, its examples run, its pictures regenerate.

- `test_site_builds_with_warnings_as_errors`: `mkdocs build --strict` (mkdocs.yml at the
  repository's root) into a temporary folder: a broken link, a missing page or a docstring
  that fails to render fails the test.
- `test_page_examples_run[page]`: every code block of every page in docs/ runs, page by
  page, in order, in one namespace per page, in a temporary working folder (files a page
  writes do not litter the repository):
  - ```python blocks run as scripts; a ```python block whose first line starts with `>>>`,
    and every ```pycon block, runs as a doctest (ELLIPSIS, NORMALIZE_WHITESPACE), so
    printed results must match;
  - other blocks (```bash, ```text, plain ```) are shown, not run;
  - a block right after the line `<!-- docs-test: skip -->` is not run (say why nearby).
  A page whose example needs Graphviz's `dot` program is skipped when `dot` is missing,
  and so is one that needs an optional package (torch, onnx, onnxruntime) that is absent.
- `test_make_images_regenerates_every_picture`: docs/make_images.py, the one script that
  makes the pictures, runs into a temporary folder (the repository's images stay as they
  are) and writes every picture the pages show.
Docstring examples in the packages run through pytest's `--doctest-modules` (pyproject).
"""

import contextlib
import doctest
import io
import os
import re
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))

# A fenced block: an opening fence of 3+ backticks with an info string, the body, and the
# closing fence at the same indentation (blocks inside list items are indented).
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,})[ \t]*(?P<info>[^\n`]*)\n"
                   r"(?P<body>.*?)^(?P=indent)(?P=ticks)[ \t]*$", re.M | re.S)
SKIP_MARK = "<!-- docs-test: skip -->"
RUN_AS_SCRIPT, RUN_AS_DOCTEST = "script", "doctest"
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
OPTIONAL_PACKAGES = {"torch", "onnx", "onnxruntime"}


def code_blocks(text):
    """The runnable blocks of a Markdown page: a list of (kind, source, line number)."""
    blocks = []
    for m in FENCE.finditer(text):
        words = m["info"].strip().strip("{}").split()
        lang = words[0].lstrip(".").lower() if words else ""
        before = text[:m.start()].rstrip().splitlines()
        if lang not in ("python", "py", "pycon") or (before and before[-1].strip() == SKIP_MARK):
            continue
        body = textwrap.dedent(m["body"])
        line = text.count("\n", 0, m.start("body")) + 1
        doctest_like = lang == "pycon" or body.lstrip().startswith(">>>")
        blocks.append((RUN_AS_DOCTEST if doctest_like else RUN_AS_SCRIPT, body, line))
    return blocks


def run_page(path, namespace=None):
    """Run the code blocks of the page `path` in order; return the namespace they shared.

    Raises AssertionError naming the page, line and example that failed. Output printed by
    script blocks is captured (and returned in namespace["__stdout__"]).
    """
    path = Path(path)
    ns = {"__name__": "__docs__"} if namespace is None else namespace
    out = io.StringIO()
    parser = doctest.DocTestParser()
    runner = doctest.DebugRunner(optionflags=OPTIONS)  # stops at the first failure
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    for kind, source, line in code_blocks(path.read_text(encoding="utf-8")):
        where = f"{shown}:{line}"
        if kind == RUN_AS_SCRIPT:
            with contextlib.redirect_stdout(out):
                exec(compile(source, where, "exec"), ns)
            continue
        test = parser.get_doctest(source, ns, where, str(path), line - 1)
        test.globs = ns  # DocTest copies its globals; share one namespace per page
        try:
            runner.run(test, out=out.write, clear_globs=False)
        except doctest.UnexpectedException as err:
            example = err.example
            _, exc, tb = err.exc_info
            raise exc.with_traceback(tb) from AssertionError(
                f"{where}: line {line + example.lineno} raised:\n{example.source}")
        except doctest.DocTestFailure as err:
            example = err.example
            raise AssertionError(
                f"{where}: the example on line {line + example.lineno} printed something "
                f"else.\n>>> {example.source.rstrip()}\nexpected:\n{example.want}got:\n"
                f"{err.got}") from None
    ns["__stdout__"] = out.getvalue()
    return ns


RUNNABLE = [p for p in PAGES if code_blocks(p.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("page", RUNNABLE, ids=[str(p.relative_to(DOCS)) for p in RUNNABLE])
def test_page_examples_run(page, tmp_path, monkeypatch):
    from autograd_lite import GraphvizNotFoundError

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")  # plots go to files, never to a window
    state = np.random.get_state()
    try:
        run_page(page)
    except GraphvizNotFoundError:
        if shutil.which("dot") is None:
            pytest.skip(f"{page.name} draws a graph and Graphviz's dot program is not installed")
        raise
    except ModuleNotFoundError as err:
        if err.name in OPTIONAL_PACKAGES:  # e.g. docs/pytorch.md without torch
            pytest.skip(f"{page.name} needs the optional package {err.name}, which is not "
                        f"installed")
        raise
    finally:
        np.random.set_state(state)


def test_the_runner_runs_scripts_and_doctests_and_reports_the_failing_line(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(textwrap.dedent("""\
        # A page

        ```python
        x = 2
        ```

        ```bash
        this is not run
        ```

        <!-- docs-test: skip -->
        ```python
        raise RuntimeError("skipped")
        ```

        - a list item with an indented block:

          ```pycon
          >>> x + 1
          3
          ```

        ```python
        >>> print(list(range(x)))
        [0,
         1]
        >>> x * 10
        21
        ```
        """))
    kinds = [kind for kind, _, _ in code_blocks(page.read_text())]
    assert kinds == [RUN_AS_SCRIPT, RUN_AS_DOCTEST, RUN_AS_DOCTEST]
    with pytest.raises(AssertionError, match=r"line 27 printed something else(.|\n)*21(.|\n)*20"):
        run_page(page)


def test_newcomer_pages_exist_and_link_each_other():
    for name in ("index.md", "getting-started.md", "reverse-mode.md", "scalar-engine.md",
                 "tensor-engine.md", "gradcheck.md"):
        assert (DOCS / name).is_file(), name
    start = (DOCS / "getting-started.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    # the README's two commands, verbatim, are where the site starts
    commands = re.search(r"```bash\n(.*?)```", readme, re.S).group(1).strip()
    assert commands in start
    assert "images/first_value.svg" in start and "images/xor_graph.svg" in start
    assert "docs/getting-started.md" in readme


def test_every_tensor_operation_is_in_the_operation_table():
    """docs/tensor-engine.md lists every Function of autograd_lite.ops with its gradient."""
    from autograd_lite import ops as tensor_ops
    from autograd_lite.engine import Function

    table = (DOCS / "tensor-engine.md").read_text(encoding="utf-8")
    ops = [name for name, obj in vars(tensor_ops).items()
           if isinstance(obj, type) and issubclass(obj, Function)
           and obj.__module__.startswith(tensor_ops.__name__ + ".")
           and not name.startswith("_") and name != "TensorFunction"]
    assert len(ops) > 25
    missing = [name for name in ops if f"`{name}`" not in table]
    assert not missing, f"docs/tensor-engine.md: add a row for {missing}"


def test_every_scalar_operation_is_in_the_operation_table():
    from autograd_lite import scalar_ops
    from autograd_lite.engine import Function

    table = (DOCS / "scalar-engine.md").read_text(encoding="utf-8")
    ops = [name for name, obj in vars(scalar_ops).items()
           if isinstance(obj, type) and issubclass(obj, Function)
           and obj.__module__ == scalar_ops.__name__]
    missing = [name for name in ops if f"`{name}`" not in table]
    assert not missing, f"docs/scalar-engine.md: add a row for {missing}"


def test_api_reference_pages_cover_the_public_modules():
    modules = set()
    for page in (DOCS / "api").glob("*.md"):
        modules |= set(re.findall(r"^::: ([\w.]+)", page.read_text(encoding="utf-8"), re.M))
    for name in ("autograd_lite", "autograd_lite.functional", "autograd_lite.extend",
                 "autograd_lite.testing", "nn", "nn.datasets"):
        assert name in modules


def test_doctest_blocks_are_fenced_for_the_api_reference():
    sys.path.insert(0, str(DOCS))
    try:
        import griffe_doctest_blocks
    finally:
        sys.path.remove(str(DOCS))
    result = doctest.testmod(griffe_doctest_blocks, optionflags=OPTIONS)
    assert result.failed == 0 and result.attempted > 0
    text = "Intro.\n\n    >>> a = 1\n    >>> a\n    1\n\n```pycon\n>>> 2\n2\n```"
    fenced = griffe_doctest_blocks.fence_doctests(text)
    assert fenced.count("```pycon") == 2 and fenced.count("```") == 4
    assert "    ```pycon\n    >>> a = 1\n    >>> a\n    1\n    ```\n" in fenced


def test_site_builds_with_warnings_as_errors(tmp_path):
    pytest.importorskip("mkdocs", reason='the docs extra is not installed: pip install -e ".[docs]"')
    pytest.importorskip("mkdocstrings", reason='the docs extra is not installed: '
                        'pip install -e ".[docs]"')
    site = tmp_path / "site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(site)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}{done.stderr}"
    for page in ("index.html", "getting-started.html", "reverse-mode.html",
                 "api/autograd_lite.html", "api/nn.html"):
        assert (site / page).is_file(), page
    api = (site / "api" / "autograd_lite.html").read_text(encoding="utf-8")
    assert 'id="autograd_lite.Tensor"' in api and 'id="autograd_lite.no_grad"' in api
    assert "&gt;&gt;&gt;" in api and "<blockquote>" not in api  # examples render as code
    start = (site / "getting-started.html").read_text(encoding="utf-8")
    assert "images/xor_graph.svg" in start
    assert (site / "images" / "xor_graph.svg").is_file()
    assert not (site / "make_images.py").exists()  # the script is not published
    # Browsable from disk: every navigation link names an .html file, never a folder.
    for page in site.rglob("*.html"):
        if page.parent.name == "images" or page.name == "404.html":  # 404: for servers only
            continue
        text = page.read_text(encoding="utf-8")
        for nav in re.findall(r'<nav class="md-nav.*?</nav>', text, re.S):
            for href in re.findall(r'href="([^"#]+)"', nav):
                if not href.startswith(("http:", "https:", "mailto:")):
                    assert href.endswith(".html"), (page.name, href)
                    assert (page.parent / href).resolve().is_file(), (page.name, href)
    # Pictures open full size on click (the lightbox), the players are copied as pages.
    assert 'class="glightbox"' in start
    for player in ("player_neuron.html", "player_fanout.html", "player_xor.html"):
        assert (site / "images" / player).is_file()
    assert 'src="images/player_neuron.html"' in start
    assert 'src="images/player_xor.html"' in (site / "reverse-mode.html").read_text(
        encoding="utf-8")


def _image_script(out, *names, env=None):
    return subprocess.run([sys.executable, str(DOCS / "make_images.py"), "--out", str(out),
                           *names], cwd=out, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def test_make_images_regenerates_every_picture(tmp_path):
    """Every picture a page shows is written by docs/make_images.py."""
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed: the pictures cannot be rendered")
    pytest.importorskip("graphviz")
    pytest.importorskip("matplotlib")
    out = tmp_path / "images"
    out.mkdir()
    # Exercise 5 needs MNIST: point its data folder at an empty one, so it says it skips
    # instead of training for minutes on a machine that has the files.
    # The performance plot comes from a tiny benchmark sweep (AUTOGRAD_LITE_DOCS_SMOKE).
    env = dict(os.environ, AUTOGRAD_LITE_DATA=str(tmp_path / "no-data"), MPLBACKEND="Agg",
               AUTOGRAD_LITE_DOCS_SMOKE="1")
    done = _image_script(out, env=env)
    assert done.returncode == 0, f"docs/make_images.py failed:\n{done.stdout}{done.stderr}"
    made = {p.name for p in out.iterdir()}
    shown = set()
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        shown |= set(re.findall(r"\]\((?:\.\./)*images/([^)\s]+)\)", text))
        shown |= set(re.findall(r'<iframe src="(?:\.\./)*images/([^"]+)"', text))
    assert {"player_neuron.html", "player_xor.html"} <= shown
    # The exercise-5 pictures are made only where MNIST is available.
    elsewhere = {"ex5_graph.svg", "ex5_loss.png"}
    missing = sorted(shown - made - elsewhere)
    assert not missing, f"pages show pictures that docs/make_images.py does not make: {missing}"
    for name in made:
        assert (out / name).stat().st_size > 0, name
    assert not list(tmp_path.glob("*.svg"))  # nothing written outside --out


def test_make_images_rejects_unknown_names(tmp_path):
    done = _image_script(tmp_path, "no_such_picture")
    assert done.returncode == 2 and "unknown picture(s) no_such_picture" in done.stderr


# A list item indented by 2 or 3 spaces renders flat in Python-Markdown, which needs 4.
LIST_ITEM = re.compile(r"^( +)([-*+]|\d+[.)]) ")


def _without_code(text):
    """The page with its fenced code blocks blanked out (line numbers kept)."""
    return FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_nested_lists_use_four_space_indentation(page):
    lines = _without_code(page.read_text(encoding="utf-8")).splitlines()
    bad = []
    in_list, after_blank = False, False
    for number, line in enumerate(lines, 1):
        item = LIST_ITEM.match(line) or re.match(r"^([-*+]|\d+[.)]) ", line)
        indent = len(line) - len(line.lstrip(" "))
        if item:
            in_list = True
            if indent % 4:
                bad.append((number, line))
        elif not line.strip():
            after_blank = True
            continue
        elif indent == 0:
            in_list = False
        elif in_list and after_blank and indent % 4:  # a paragraph inside a list item
            bad.append((number, line))
        after_blank = False
    assert not bad, f"{page.name}: indent nested list items by 4 spaces: {bad}"


def test_the_list_check_catches_two_space_nesting(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("- item\n  - nested\n\n1. first\n\n   paragraph\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="nested"):
        test_nested_lists_use_four_space_indentation(page)


def test_drawing_page_code_makes_the_picture_it_shows(tmp_path, monkeypatch):
    """docs/drawing.md's first example, run as written, draws the picture shown under it."""
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed")
    pytest.importorskip("graphviz")
    text = (DOCS / "drawing.md").read_text(encoding="utf-8")
    _, source, _ = code_blocks(text)[0]
    picture = re.search(r"!\[[^\]]*\]\(images/([^)]+)\)", text)[1]
    monkeypatch.chdir(tmp_path)
    exec(compile(source, "drawing.md", "exec"), {})
    made = tmp_path / picture
    assert made.is_file(), f"the example does not write {picture}"
    svg_ns = "{http://www.w3.org/2000/svg}"

    def texts(path):
        return sorted(t.text for t in ET.parse(path).getroot().iter(f"{svg_ns}text"))

    assert texts(made) == texts(DOCS / "images" / picture)
