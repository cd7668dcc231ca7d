"""The Practise pages show real output: every ```console block of docs/practice.md and
docs/practice.pt-BR.md is the output of its command, rerun here in the same order
(start -> check -> hint -> solution), in a fresh folder, in the page's language.
`python tests/test_practice_docs.py` rewrites the blocks after a message changes.

A learner's mistake in the middle of the story is made the way the page says: the
hidden layer's `* h * (1 - h)` left out of a correct backward.
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"en": ROOT / "docs" / "practice.md", "pt": ROOT / "docs" / "practice.pt-BR.md"}
BLOCK = re.compile(r"^```console\n(?P<body>.*?)^```$", re.M | re.S)
RIGHT = 'dL_dzh = dL_dzo * params["w2"] * h * (1 - h)'
WRONG = 'dL_dzh = dL_dzo * params["w2"]'


def console_blocks(page):
    """[(command, shown output)] of the page's ```console blocks (`$ ` starts a command)."""
    blocks = []
    for m in BLOCK.finditer(page.read_text(encoding="utf-8")):
        command, *output = m["body"].rstrip("\n").split("\n")
        assert command.startswith("$ "), command
        blocks.append((command[2:], "\n".join(output)))
    return blocks


def run(command, folder, lang):
    env = dict(os.environ, LANG="pt_BR.UTF-8" if lang == "pt" else "C.UTF-8", LANGUAGE="",
               LC_ALL="", LC_MESSAGES="", OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")])))
    args = shlex.split(command)
    assert args[:3] == ["python", "-m", "exercises"], command
    result = subprocess.run([sys.executable, *args[1:]], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=120)
    return (result.stdout + result.stderr).rstrip("\n")


def story(blocks, folder, lang):
    """Run the page's commands in order; between the checks, the learner edits the file."""
    learner = folder / ("exercicio_3.py" if lang == "pt" else "exercise_3.py")
    checks = 0
    for command, shown in blocks:
        if command.startswith("python -m exercises check 3 "):
            checks += 1
            if checks == 2:    # the learner wrote everything, with one mistake
                run(f"python -m exercises solution 3 --write {learner.name} --force", folder,
                    lang)
                text = learner.read_text(encoding="utf-8")
                assert RIGHT in text
                learner.write_text(text.replace(RIGHT, WRONG), encoding="utf-8")
            if checks == 3:    # and fixed it
                text = learner.read_text(encoding="utf-8")
                learner.write_text(text.replace(WRONG, RIGHT), encoding="utf-8")
        yield command, shown, run(command, folder, lang)


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_the_practise_page_shows_the_real_output(lang, tmp_path):
    blocks = console_blocks(PAGES[lang])
    assert [c.split()[3] for c, _ in blocks][:5] == ["start", "check", "check", "hint",
                                                     "check"]
    for command, shown, got in story(blocks, tmp_path, lang):
        assert got == shown, f"{PAGES[lang].name}: `{command}` printed:\n{got}"


if __name__ == "__main__":  # rewrite the pages' console blocks with fresh output
    import tempfile

    for lang, page in PAGES.items():
        with tempfile.TemporaryDirectory() as tmp:
            outputs = iter([got for _c, _s, got in story(console_blocks(page), Path(tmp),
                                                         lang)])
        text = BLOCK.sub(lambda m: f"```console\n{m['body'].splitlines()[0]}\n"
                                   f"{next(outputs)}\n```", page.read_text(encoding="utf-8"))
        page.write_text(text, encoding="utf-8")
