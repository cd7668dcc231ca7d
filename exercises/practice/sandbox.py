"""Running the learner's code: in a child process for files, in the kernel for notebooks.

`check_file(n, path)` starts `python -m exercises.practice.sandbox N PATH OUT` with a time
limit. The child loads the learner's `.py` (with `__name__` set to "__learner__", so a
`if __name__ == "__main__":` block does not run) or the code cells of their `.ipynb`, runs
the checks and writes the verdict as JSON to OUT. An infinite loop, a crash or a
`sys.exit` ends only the child; the parent turns it into a verdict (exit status 2).
`check_namespace(n, namespace)` checks names already defined (a notebook's), in this
process, with a time limit from SIGALRM where the platform has it.
"""

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path

from .checks import run_checks
from .i18n import _, locale_language, set_language
from .starters import notebook_code
from .verdict import ERROR, Verdict

__all__ = ["CHILD_FLAG", "TIME_LIMITS", "check_file", "check_namespace"]

#: Set in the child's environment: `check(n)` inside a checked notebook does nothing there.
CHILD_FLAG = "AUTOGRAD_LITE_PRACTICE_CHILD"
#: Default time limits in seconds, per exercise (loading, every check and the training).
TIME_LIMITS = {1: 60, 2: 60, 3: 120, 4: 180, 5: 900}
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def _error(n, filename, message, code):
    return Verdict(n, filename).add("run", ERROR, message, code)


def _timeout(seconds):
    return _("Your code did not finish within {seconds:g} seconds, so it was stopped. Is "
             "there a loop that never ends (a while whose condition stays true, an epoch "
             "count much too large)?").format(seconds=seconds)


def file_language(path):
    """'pt' for a Portuguese starter (exercicio_N, "Exercício" in it), else 'en'."""
    if path.name.startswith("exercicio"):
        return "pt"
    try:
        head = path.read_text(encoding="utf-8")[:4000]
    except (OSError, UnicodeDecodeError):
        return "en"
    return "pt" if "Exercício " in head else "en"


def check_file(n, path, lang=None, time_limit=None, data_dir=None, download=True):
    """Check the learner's file `path` (.py or .ipynb) for exercise `n`; returns a Verdict."""
    path = Path(path)
    lang = set_language(lang or locale_language() or file_language(path))
    limit = TIME_LIMITS[n] if time_limit is None else float(time_limit)
    if not path.is_file():
        return _error(n, str(path), _("There is no file {path}. Create it with: python -m "
                                      "exercises start {n}").format(path=path, n=n),
                      "file_not_found")
    env = dict(os.environ)
    env[CHILD_FLAG] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_ROOT),
                                                      env.get("PYTHONPATH")]))
    env.setdefault("MPLBACKEND", "Agg")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "verdict.json"
        cmd = [sys.executable, "-m", "exercises.practice.sandbox", str(n),
               str(path.resolve()), str(out), lang, str(limit), str(data_dir or ""),
               "download" if download else "no-download"]
        proc = subprocess.Popen(cmd, cwd=path.resolve().parent, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            _stdout, stderr = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            _kill(proc)
            return _error(n, str(path), _timeout(limit), "timeout")
        if out.is_file():
            return Verdict.from_dict(json.loads(out.read_text(encoding="utf-8")))
    tail = "\n".join(stderr.decode(errors="replace").strip().splitlines()[-5:])
    return _error(n, str(path), _("Your code ended the checking process (exit status "
                                  "{status}) before a verdict was reached.").format(
        status=proc.returncode) + (("\n" + tail) if tail else ""), "process_died")


def _kill(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    proc.communicate()


def load(path, namespace):
    """Run the learner's file in `namespace`; returns an error Verdict's arguments or None."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        try:
            chunks = [(code, _("cell {i}").format(i=i)) for i, code in notebook_code(text)]
        except ValueError as err:
            return _("{path} is not a valid notebook: {error}").format(path=path.name,
                                                                        error=err), "load_error"
    else:
        chunks = [(text, None)]
    for code, cell in chunks:
        try:
            compiled = compile(code, f"{path}::{cell}" if cell else str(path), "exec")
        except SyntaxError as err:
            where = _(" in {cell}").format(cell=cell) if cell else ""
            return _("Python cannot read your code{where}: {error} on line {line}: {text}")\
                .format(where=where, error=type(err).__name__, line=err.lineno,
                        text=(err.text or "").strip() or err.msg), "syntax_error"
        try:
            exec(compiled, namespace)
        except NotImplementedError:
            continue  # a TODO reached while loading: the checks will say which one
        except SystemExit:
            return _("Your code called sys.exit() (or exit()) while it was loading; remove "
                     "that call."), "sys_exit"
        except Exception as err:  # noqa: BLE001 - the learner's code failed while loading
            frames = [f for f in traceback.extract_tb(err.__traceback__)
                      if f.filename.split("::")[0] == str(path)]
            line = frames[-1].lineno if frames else "?"
            if cell and not isinstance(err, ImportError):
                continue  # a notebook cell that uses the functions: the checks will tell
            code_name = "import_error" if isinstance(err, ImportError) else "load_error"
            return _("Your code raised {error} on line {line} while it was loading: "
                     "{detail}").format(error=type(err).__name__, line=line,
                                        detail=err), code_name
    return None


def _child(argv):
    n, path, out, lang, limit, data_dir, download = argv
    n, limit = int(n), float(limit)
    set_language(lang)
    sys.path.insert(0, str(Path(path).parent))
    namespace = {"__name__": "__learner__", "__file__": path}
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet):
        failure = load(path, namespace)
        if failure:
            verdict = _error(n, path, *failure)
        else:
            options = ({"data_dir": data_dir or None, "time_limit": limit,
                        "download": download == "download"} if n == 5 else {})
            verdict = run_checks(n, namespace, path, **options)
    verdict.filename = path
    Path(out).write_text(verdict.to_json(), encoding="utf-8")


class _TimeUp(BaseException):
    """Raised by the alarm: not an Exception, so the learner's `except Exception` lets it by."""


def check_namespace(n, namespace, lang=None, time_limit=None):
    """Check the names defined in `namespace` (a notebook's globals) in this process."""
    if lang:
        set_language(lang)
    limit = TIME_LIMITS[n] if time_limit is None else float(time_limit)
    use_alarm = hasattr(signal, "SIGALRM") and threading.current_thread() is \
        threading.main_thread()
    if use_alarm:
        def ring(signum, frame):
            raise _TimeUp()

        previous = signal.signal(signal.SIGALRM, ring)
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return run_checks(n, namespace)
    except _TimeUp:
        return _error(n, None, _timeout(limit), "timeout")
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


if __name__ == "__main__":
    _child(sys.argv[1:])
