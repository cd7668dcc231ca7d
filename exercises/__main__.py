"""Command line: `python -m exercises N [options]` runs exercise N (1-5); `all` runs them all.

Practise mode (write the exercises yourself): `python -m exercises start|check|hint|solution
N ...`, see `exercises/practice/` and `python -m exercises start --help`.

Try `python -m exercises --help` and `python -m exercises 5 --help`. Every exercise takes
--seed, --epochs, --lr, --graph PATH, --plot PATH, --quiet and --report PATH; exercises
1-4 add --step-through PATH (a page that plays one backward pass); exercise 5
adds --data-dir, --dataset, --batch-size, --hidden, --download/--no-download and
--train-on-test-split. Exit status: 0 when the exercise ran (for `all`: when all five ran
and exercises 1-4 reached their goals); 1 on an error (a missing or damaged data file, a bad
option: one line saying what and how to fix it) or a failed exercise; for `all`, 3 when
exercises 1-4 reached their goals but exercise 5 was skipped because its data was not found.
"""

import argparse
import re
import sys
import time
from pathlib import Path

from . import EXERCISES, load
from .common import MissingExtraError, OptionError, plot_format, require, write_report

SKIPPED_STATUS = 3  # `all`: exercises 1-4 reached their goals, exercise 5 had no data

DESCRIPTIONS = {
    "1": "trivial network: one input, one weight, squared error",
    "2": "a hidden layer of 2 neurons, compared with exercise 1",
    "3": "XOR with a 2-2-1 network (scalar engine)",
    "4": "XOR again with the generic nn.Layer / nn.NeuralNetwork classes",
    "5": "MNIST digits with nn.NeuralNetwork, mini-batches, test accuracy",
    "all": "run exercises 1 to 5 with their defaults",
}


def _hidden(text):
    """`--hidden 256,128` -> (256, 128); `--hidden 0` or "" -> no hidden layer."""
    try:
        sizes = tuple(int(t) for t in text.replace(" ", "").split(",") if t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected layer sizes like 256,128, got {text!r}")
    sizes = tuple(s for s in sizes if s != 0)
    if any(s < 0 for s in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got {text!r}")
    return sizes


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer such as 8000, got "
                                         f"{text!r}")
    return value


def _number(text):
    """float(text); a decimal comma (0,2, as pt-BR writes numbers) gets a suggestion."""
    try:
        return float(text)
    except ValueError:
        hint = ""
        if re.fullmatch(r"\s*[+-]?\d*,\d+\s*", text):
            hint = f"; write numbers with a decimal point: {text.strip().replace(',', '.')}"
        raise argparse.ArgumentTypeError(f"expected a number such as 0.1, got {text!r}{hint}")


def _learning_rate(text):
    value = _number(text)
    if not 0 < value < float("inf"):  # also refuses nan
        raise argparse.ArgumentTypeError(f"the learning rate must be a number > 0, got {text}")
    return value


def _suffix_checked(check):
    """An argparse type: a Path whose suffix `check` accepts (else a clear usage error)."""
    def convert(text):
        try:
            check(text)
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None
        return Path(text)
    return convert


def _graph_suffix(text):
    from autograd_lite.viz import FORMATS

    if Path(text).suffix.lower().lstrip(".") not in FORMATS + ("dot",):
        raise ValueError(f"cannot draw a graph as {Path(text).name!r}: use a name ending in "
                         f"{', '.join('.' + f for f in FORMATS + ('dot',))}")


def _html_suffix(text):
    if Path(text).suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"the step-through player is a web page: use a name ending in .html, "
                         f"got {Path(text).name!r}")


def _step_through(parser):
    parser.add_argument("--step-through", metavar="PATH", type=_suffix_checked(_html_suffix),
                        help="write a page (.html, works offline) that plays the backward pass "
                             "of one training step, node by node (needs graphviz)")


def _common(parser, epochs_help="number of epochs"):
    group = parser.add_argument_group("common options")
    group.add_argument("--seed", type=int, help="random seed (every run is deterministic)")
    group.add_argument("--epochs", type=_positive_int, help=epochs_help)
    group.add_argument("--lr", type=_learning_rate, help="learning rate (> 0)")
    group.add_argument("--graph", metavar="PATH", type=_suffix_checked(_graph_suffix),
                       help="draw the graph of one training step (.svg, .png, .pdf, .jpg, or "
                            ".dot for the source; needs graphviz)")
    group.add_argument("--plot", metavar="PATH", type=_suffix_checked(plot_format),
                       help="save the loss curve (.png, .svg, .pdf or .jpg; needs matplotlib)")
    group.add_argument("--quiet", action="store_true",
                       help="print only a summary line: no per-epoch lines, no progress bar")
    group.add_argument("--report", metavar="PATH", type=Path,
                       help="write the results as JSON (final_loss, accuracy, seconds, ...)")


def _mnist_options(parser):
    group = parser.add_argument_group("exercise 5 (MNIST)")
    group.add_argument("--data-dir", metavar="DIR", type=Path,
                       help="folder with the four IDX files (flat, or DIR/MNIST/raw as "
                            "torchvision lays them out); default: $AUTOGRAD_LITE_DATA, else "
                            "~/.cache/autograd_lite")
    group.add_argument("--dataset", choices=("mnist", "fashion-mnist"),
                       help="which data set (default mnist)")
    group.add_argument("--batch-size", type=_positive_int, help="mini-batch size (default 64)")
    group.add_argument("--hidden", type=_hidden, metavar="SIZES",
                       help="hidden layer sizes, comma-separated (default 256,128)")
    group.add_argument("--download", action=argparse.BooleanOptionalAction, default=None,
                       help="download missing files (default: yes)")
    group.add_argument("--model", choices=("mlp", "cnn"),
                       help="mlp: exercise 4's NeuralNetwork (the default); cnn: a LeNet-style "
                            "convolutional network (nn.Conv2d, nn.MaxPool2d, Adam)")
    group.add_argument("--train-on-test-split", type=_positive_int, metavar="N",
                       help="development mode for machines without the training images: "
                            "train on the first N test digits, measure accuracy on the rest")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m exercises",
        description="The five course exercises, solved with autograd-lite.",
        epilog="Examples: python -m exercises 1 | python -m exercises 3 --seeds 100 | "
               "python -m exercises 5 --data-dir DIR | python -m exercises all --quiet. "
               "Practise mode, to write them yourself: python -m exercises "
               "start|check|hint|solution N (try: python -m exercises start --help)")
    sub = parser.add_subparsers(dest="exercise", metavar="{1,2,3,4,5,all}", required=True)

    p1 = sub.add_parser("1", help=DESCRIPTIONS["1"], description=load(1).__doc__,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    p1.add_argument("--x", type=_number, help="the input (default 1.5)")
    p1.add_argument("--w0", type=_number, help="the starting weight (default 0.8)")
    p1.add_argument("--y", type=_number, help="the desired output (default 0.5)")
    _common(p1)
    _step_through(p1)

    p2 = sub.add_parser("2", help=DESCRIPTIONS["2"], description=load(2).__doc__,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    p2.add_argument("--x", type=_number, help="the input (default 1.5)")
    p2.add_argument("--y", type=_number, help="the desired output (default 0.5)")
    _common(p2)
    _step_through(p2)

    p3 = sub.add_parser("3", help=DESCRIPTIONS["3"], description=load(3).__doc__,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    p3.add_argument("--activation", choices=("sigmoid", "tanh", "relu"),
                    help="hidden activation (default sigmoid)")
    p3.add_argument("--seeds", type=_positive_int, metavar="N",
                    help="also train from seeds 0..N-1 and report the fraction that converge")
    _common(p3)
    _step_through(p3)

    p4 = sub.add_parser("4", help=DESCRIPTIONS["4"], description=_doc(4),
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    p4.add_argument("--activation", choices=("sigmoid", "tanh", "relu"),
                    help="hidden activation (default sigmoid)")
    _common(p4)
    _step_through(p4)

    p5 = sub.add_parser("5", help=DESCRIPTIONS["5"], description=_doc(5),
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    _mnist_options(p5)
    p5.add_argument("--export-onnx", metavar="PATH", type=Path,
                    help="after training, write the classifier as an ONNX file (raw images "
                         "(N, 784) in [0, 1] in, 10 logits out) for ONNX Runtime; needs "
                         "the onnx extra")
    _common(p5)

    pall = sub.add_parser("all", help=DESCRIPTIONS["all"],
                          description="Run exercises 1 to 5, each with its own defaults "
                                      "(options given here override them). Exercise 5 is "
                                      "skipped, with instructions, when MNIST is not found "
                                      "and cannot be downloaded. --graph/--plot/--report "
                                      "PATHs get -exN added to their names.")
    _mnist_options(pall)
    _common(pall)
    return parser


def _doc(n):
    """An exercise's docstring for --help, without importing nn when help is not asked."""
    try:
        return load(n).__doc__
    except ImportError as err:  # nn missing or broken: still show the CLI
        return f"(exercise {n} cannot be imported: {err})"


def _kwargs(n, args):
    """run() keyword arguments from the parsed options that were given."""
    names = {1: ("x", "w0", "y"), 2: ("x", "y"), 3: ("activation",), 4: ("activation",),
             5: ("data_dir", "dataset", "batch_size", "hidden", "download",
                 "train_on_test_split", "model")}[n]
    kwargs = {}
    for name in ("seed", "epochs", "lr", *names):
        value = getattr(args, name, None)
        if value is not None:
            kwargs[name] = value
    return kwargs


def _suffixed(path, n, many):
    if path is None or not many:
        return path
    return path.with_name(f"{path.stem}-ex{n}{path.suffix}")


def run_one(n, args, many=False):
    """Run exercise `n` with the CLI's options; returns its results (raises on failure)."""
    module = load(n)
    kwargs = _kwargs(n, args)
    kwargs["graph"] = _suffixed(args.graph, n, many)
    kwargs["plot"] = _suffixed(args.plot, n, many)
    kwargs["verbose"] = not args.quiet
    if getattr(args, "step_through", None) is not None:
        kwargs["step_through"] = args.step_through
    result = module.run(**kwargs)
    written = [(what, kwargs[key]) for key, what in (
        ("graph", "graph"), ("plot", "loss plot"), ("step_through", "step-through player"))
        if kwargs.get(key) is not None]
    if getattr(args, "export_onnx", None) is not None:
        result["onnx"] = str(module.export_onnx(result, args.export_onnx))
        written.append(("ONNX model (run it with onnxruntime, see docs/pytorch.md)",
                        result["onnx"]))
    if n == 3 and getattr(args, "seeds", None):
        result["seed_study"] = module.seed_study(
            seeds=range(args.seeds), epochs=result["epochs"], lr=result["lr"],
            activation=result["activation"], verbose=not args.quiet)
        _print_study(result["seed_study"])
    if args.report:
        written.append(("report", write_report(_suffixed(args.report, n, many), result)))
    if args.quiet:  # one line: the summary, then where the files went
        where = "; ".join(f"{what} written to {path}" for what, path in written)
        print(summary(n, result) + (f"; {where}" if where else ""))
    else:
        for what, path in written:
            print(f"{what} written to {path}")
        print(summary(n, result))
    return result


def _print_study(study):
    n = len(study["seeds"])
    print(f"seeds {study['seeds'][0]}..{study['seeds'][-1]}: {sum(study['converged'])} of {n} "
          f"converge ({study['fraction']:.0%}) with a {study['activation']} hidden layer, "
          f"lr {study['lr']:g}, {study['epochs']} epochs ({study['seconds']:.1f} s)")
    if study["stuck_seeds"]:
        print(f"stuck in a local minimum: seeds {', '.join(map(str, study['stuck_seeds']))}")


def goal_reached(n, result):
    """Did exercise `n` reach the goal the course sets for it?"""
    if n in (1, 2):
        return result["final_loss"] is not None and result["final_loss"] < 1e-3
    if n in (3, 4):
        return bool(result["converged"])
    return result.get("accuracy") is not None


def summary(n, result):
    parts = [f"exercise {n}:"]
    if result.get("final_loss") is not None:
        parts.append(f"final loss {result['final_loss']:.3e}")
    if result.get("accuracy") is not None:
        where = f" on {result['test_size']} test images" if n == 5 else ""
        parts.append(f"accuracy {result['accuracy']:.2%}{where}")
    if "seed_study" in result:
        parts.append(f"seeds converging {result['seed_study']['fraction']:.0%}")
    parts.append(f"{result['seconds']:.1f} s")
    if n in (1, 2, 3, 4):
        parts.append("goal reached" if goal_reached(n, result) else "goal NOT reached")
    return " ".join(parts[:1]) + " " + ", ".join(parts[1:])


def _check_extras(args):
    if args.graph is not None or getattr(args, "step_through", None) is not None:
        require("graphviz")
    if args.plot is not None:
        require("matplotlib")
    if getattr(args, "export_onnx", None) is not None:
        require("onnx")


def run_all(args):
    """Run 1-5; exercise 5 is skipped when its data is missing. Returns the exit status."""
    from nn.datasets import DatasetError, DatasetNotFoundError

    start = time.perf_counter()
    ok, skipped, reports = True, False, {}
    for n in EXERCISES:
        print(f"\n===== exercise {n}: {DESCRIPTIONS[str(n)]} =====")
        try:
            result = run_one(n, args, many=True)
        except DatasetNotFoundError as err:
            if n != 5:
                raise
            print(f"exercise 5 SKIPPED: its data was not found.\n{err}\n{how_to_get_data()}")
            reports[str(n)] = {"skipped": True, "reason": str(err)}
            skipped = True
            continue
        except DatasetError as err:
            print(_data_error(err), file=sys.stderr)
            reports[str(n)] = {"failed": True, "error": str(err)}
            ok = False
            continue
        except Exception as err:  # noqa: BLE001 - report it and go on with the next one
            print(f"exercise {n} FAILED: {type(err).__name__}: {err}", file=sys.stderr)
            reports[str(n)] = {"failed": True, "error": f"{type(err).__name__}: {err}"}
            ok = False
            continue
        reports[str(n)] = {k: v for k, v in result.items() if not k.startswith("_")}
        if n != 5 and not goal_reached(n, result):
            ok = False
    seconds = time.perf_counter() - start
    if not ok:
        verdict = "SOME FAILED"
    elif skipped:
        verdict = ("exercises 1-4 done, exercise 5 SKIPPED (its data was not found: see "
                   "above how to get it)")
    else:
        verdict = "all five done"
    print(f"\nall exercises: {verdict} in {seconds:.1f} s")
    if args.report:
        write_report(args.report, {"exercises": reports, "passed": ok and not skipped,
                                   "skipped": [5] if skipped else [], "seconds": seconds})
    return 1 if not ok else SKIPPED_STATUS if skipped else 0


def _data_error(err):
    """One line for a damaged data file, plus the fix."""
    return (f"error: exercise 5: {err}\nfix: delete or replace {err.path} (a missing file is "
            f"downloaded again), or pass --data-dir with a folder of good files")


def how_to_get_data():
    return ("How to get the data: with a network connection, exercise 5 downloads MNIST "
            "(about 11 MB) into the data folder by itself; offline, put the four "
            "files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
            "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz in a folder and pass "
            "--data-dir FOLDER (or set AUTOGRAD_LITE_DATA=FOLDER). With only the two t10k "
            "files, add --train-on-test-split 8000 (development mode). For Fashion-MNIST: "
            "apt-get install dataset-fashion-mnist, then --dataset fashion-mnist.")


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("start", "check", "hint", "solution"):  # practise mode
        from .practice.cli import main as practice_main

        return practice_main(argv)
    args = build_parser().parse_args(argv)
    try:
        _check_extras(args)
        if args.exercise == "all":
            return run_all(args)
        run_one(int(args.exercise), args)
        return 0
    except (MissingExtraError, OptionError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except ImportError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except Exception as err:
        from autograd_lite import GraphvizNotFoundError
        from nn.datasets import DatasetError, DatasetNotFoundError

        if isinstance(err, DatasetNotFoundError):
            print(f"error: exercise 5 cannot find its data.\n{err}\n{how_to_get_data()}",
                  file=sys.stderr)
            return 1
        if isinstance(err, DatasetError):
            print(_data_error(err), file=sys.stderr)
            return 1
        if isinstance(err, GraphvizNotFoundError):
            print(f"error: {err}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
