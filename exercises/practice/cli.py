"""`python -m exercises start|check|hint|solution ...`: practise mode's command line.

    start N [--lang pt|en] [--notebook] [--dir DIR] [--force]
    check N PATH [--lang pt|en] [--json] [--time-limit SECONDS] [--data-dir DIR]
    hint N [--level 1|2|3] [--lang pt|en]
    solution N [--write PATH] [--force] [--lang pt|en]

`check` exits with 0 when every check passes, 1 when one fails, 2 when the file cannot be
run (syntax error, import error, time limit).
"""

import argparse
import sys
from pathlib import Path

from .. import EXERCISES
from .hints import hint
from .i18n import _, language_from, set_language
from .sandbox import TIME_LIMITS, check_file
from .starters import write_starter

__all__ = ["COMMANDS", "main"]

COMMANDS = ("start", "check", "hint", "solution")


def _language(argv):
    """--lang's value when given (before argparse, whose help is translated too)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m exercises",
        description=_("Practise mode: write each exercise yourself, then check it."))
    sub = parser.add_subparsers(dest="command", required=True)
    exercise = {"type": int, "choices": range(1, 6), "metavar": "N",
                "help": _("the exercise, 1 to 5")}
    lang = {"choices": ("pt", "en"),
            "help": _("language: pt (Brazilian Portuguese) or en; default: from the locale "
                      "(LANG=pt_BR.UTF-8 gives Portuguese)")}

    p = sub.add_parser("start", help=_("write a starter file for exercise N"))
    p.add_argument("n", **exercise)
    p.add_argument("--lang", **lang)
    p.add_argument("--notebook", action="store_true",
                   help=_("write a Jupyter notebook (.ipynb) instead of a .py file"))
    p.add_argument("--dir", type=Path, default=Path("."),
                   help=_("the folder to write into (default: the current one)"))
    p.add_argument("--force", action="store_true", help=_("overwrite an existing file"))

    p = sub.add_parser("check", help=_("check your solution of exercise N"))
    p.add_argument("n", **exercise)
    p.add_argument("path", type=Path, help=_("your .py or .ipynb file"))
    p.add_argument("--lang", **lang)
    p.add_argument("--json", action="store_true", help=_("print the verdict as JSON"))
    p.add_argument("--time-limit", type=float, metavar="SECONDS",
                   help=_("stop your code after this many seconds (default: {limits})")
                   .format(limits=", ".join(f"{n}: {s}" for n, s in TIME_LIMITS.items())))
    p.add_argument("--data-dir", type=Path, metavar="DIR",
                   help=_("exercise 5: the folder with the MNIST files (default: where "
                          "python -m exercises 5 finds them)"))

    p.add_argument("--download", action=argparse.BooleanOptionalAction, default=True,
                   help=_("exercise 5: download MNIST when it is missing, as python -m "
                          "exercises 5 does (default: yes)"))

    p = sub.add_parser("hint", help=_("a hint for exercise N"))
    p.add_argument("n", **exercise)
    p.add_argument("--level", type=int, choices=(1, 2, 3), default=1,
                   help=_("1: the idea, 2: the chain rule of this network, 3: the formulas"))
    p.add_argument("--lang", **lang)

    p = sub.add_parser("solution", help=_("show the solution of exercise N (try first!)"))
    p.add_argument("n", **exercise)
    p.add_argument("--write", type=Path, metavar="PATH",
                   help=_("write a plain-NumPy solution shaped like the starter to PATH "
                          "(.py or .ipynb)"))
    p.add_argument("--force", action="store_true", help=_("overwrite an existing file"))
    p.add_argument("--lang", **lang)
    return parser


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        set_language(_language(argv))
    except ValueError:
        set_language(None)  # argparse reports the bad --lang below
    args = build_parser().parse_args(argv)
    if args.command != "check":  # check also looks at the language of the file it checks
        set_language(language_from(args.lang))
    return {"start": _start, "check": _check, "hint": _hint, "solution": _solution}[
        args.command](args)


def _start(args):
    try:
        path = write_starter(args.n, args.dir, notebook=args.notebook, force=args.force)
    except FileExistsError as err:
        print(_("{path} already exists; it was not changed. Use --force to overwrite it, or "
                "--dir to write somewhere else.").format(path=err.args[0]), file=sys.stderr)
        return 1
    except ImportError as err:
        print(_("error: {error}").format(error=err), file=sys.stderr)
        return 1
    print(_("Wrote {path}. Open it, fill in the TODOs, then check your work with:").format(
        path=path))
    print(f"    python -m exercises check {args.n} {path}")
    return 0


def _check(args):
    verdict = check_file(args.n, args.path, lang=args.lang, time_limit=args.time_limit,
                         data_dir=args.data_dir, download=args.download)
    print(verdict.to_json() if args.json else verdict)
    return verdict.exit_status


def _hint(args):
    print(hint(args.n, args.level))
    return 0


def _solution(args):
    advice = _("The course's advice: try it yourself first, and read the solution only after. "
               "Learning happens while you struggle with your own code.")
    if args.write:
        try:
            path = write_starter(args.n, path=args.write, force=args.force, solution=True)
        except FileExistsError as err:
            print(_("{path} already exists; it was not changed. Use --force to overwrite it, "
                    "or --dir to write somewhere else.").format(path=err.args[0]),
                  file=sys.stderr)
            return 1
        except ImportError as err:
            print(_("error: {error}").format(error=err), file=sys.stderr)
            return 1
        print(advice)
        print(_("Wrote a plain-NumPy solution to {path}; check it with: python -m exercises "
                "check {n} {path}").format(path=path, n=args.n))
        return 0
    source = Path(__file__).resolve().parents[1] / f"{EXERCISES[args.n]}.py"
    print(advice)
    print(_("The reference solution of exercise {n} (exercises/{file}), which uses "
            "autograd-lite; `--write PATH` writes a plain-NumPy solution instead:").format(
        n=args.n, file=source.name))
    print()
    print(source.read_text(encoding="utf-8"))
    return 0
