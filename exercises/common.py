"""What the five exercises share: gradient tables, reports, loss plots, graphs, progress bars.

None of this is part of the lesson; it keeps the exercise files short. Only NumPy is needed:
Graphviz (`--graph`), matplotlib (`--plot`) and tqdm (progress bars) are optional extras,
imported when used, with a message saying how to install them when they are missing.
"""

import importlib.util
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

__all__ = [
    "GradientMismatchError",
    "MissingExtraError",
    "Timer",
    "check_gradients",
    "label_layers",
    "print_gradient_table",
    "progress",
    "render_step_graph",
    "require",
    "save_curves",
    "to_jsonable",
    "write_report",
]

#: The optional packages, with the pip command that installs each one.
EXTRAS = {
    "graphviz": ("--graph needs the graphviz Python package",
                 ('pip install "autograd-lite[viz]" (or: pip install graphviz), plus the '
                  "Graphviz `dot` program")),
    "matplotlib": ("--plot needs matplotlib",
                   'pip install "autograd-lite[plot]" (or: pip install matplotlib)'),
    "tqdm": ("progress bars need tqdm",
             'pip install "autograd-lite[progress]" (or: pip install tqdm)'),
    "onnx": ("--export-onnx needs the onnx package",
             'pip install "autograd-lite[onnx]" (or: pip install onnx onnxruntime)'),
}


class MissingExtraError(ImportError):
    """An optional package (graphviz, matplotlib, tqdm) is not installed; says how to get it."""


class OptionError(ValueError):
    """An option value that turns out wrong only once the exercise runs (for example
    --train-on-test-split larger than the data); the command line prints it as one line."""


class GradientMismatchError(AssertionError):
    """The engine's gradient and the hand-derived chain-rule gradient disagree."""


def require(package):
    """Fail now, with the install command, if the optional `package` is missing.

    >>> require("numpy")
    """
    if importlib.util.find_spec(package) is None:
        what, how = EXTRAS.get(package, (f"{package} is needed", f"pip install {package}"))
        raise MissingExtraError(f"{what}, which is not installed: {how}")


class Timer:
    """Wall-clock seconds since creation: `timer.seconds`.

    >>> Timer().seconds >= 0
    True
    """

    def __init__(self):
        self.start = time.perf_counter()

    @property
    def seconds(self):
        return time.perf_counter() - self.start


# ----- the engine's gradient next to the hand-derived one -----


def check_gradients(engine, hand, rtol=1e-7, atol=1e-10):
    """Compare two {name: gradient} dicts; returns a list of rows, raises if any disagree.

    Each row is `{"name", "engine", "hand", "difference"}` (gradients as floats or lists).
    Both sides are computed in float64, so they agree up to rounding: a mismatch means the
    chain-rule derivation (or the engine) is wrong.

    >>> rows = check_gradients({"w": 0.5}, {"w": 0.5})
    >>> rows[0]["difference"]
    0.0
    """
    rows, bad = [], []
    for name, g_engine in engine.items():
        a = np.asarray(g_engine, dtype=np.float64)
        b = np.asarray(hand[name], dtype=np.float64)
        diff = float(np.max(np.abs(a - b))) if a.size else 0.0
        rows.append({"name": name, "engine": a.tolist(), "hand": b.tolist(),
                     "difference": diff})
        if a.shape != b.shape or not np.allclose(a, b, rtol=rtol, atol=atol):
            bad.append(f"{name}: engine {a.tolist()} vs hand {b.tolist()}")
    if bad:
        raise GradientMismatchError("the engine's gradient and the chain-rule gradient "
                                    "disagree: " + "; ".join(bad))
    return rows


def print_gradient_table(rows, title, file=None):
    """Print the rows of `check_gradients` as a small table: name, engine, by hand, |diff|."""
    file = sys.stdout if file is None else file
    print(title, file=file)
    print(f"  {'parameter':<10} {'engine':>14} {'by hand':>14} {'|difference|':>13}", file=file)
    for row in rows:
        # `+ 0.0` prints -0.0 (a gradient times an input of 0) as 0.0
        print(f"  {row['name']:<10} {row['engine'] + 0.0:>14.8f} {row['hand'] + 0.0:>14.8f} "
              f"{row['difference']:>13.2e}", file=file)
    print("  they agree: the engine applied the same chain rule.", file=file)


# ----- reports -----


def to_jsonable(x):
    """`x` with NumPy arrays and scalars turned into lists and Python numbers; nan -> None.

    >>> to_jsonable({"a": np.float32(0.5), "b": np.arange(2)})
    {'a': 0.5, 'b': [0, 1]}
    """
    if isinstance(x, dict):
        return {str(k): to_jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return to_jsonable(x.tolist())
    if isinstance(x, (np.floating, float)):
        x = float(x)
        return x if math.isfinite(x) else None
    if isinstance(x, (np.integer, np.bool_)):
        return x.item()
    if isinstance(x, Path):
        return str(x)
    return x


def write_report(path, results):
    """Write `results` (a run's dict; keys starting with "_" are skipped) as JSON to `path`."""
    public = {k: v for k, v in results.items() if not k.startswith("_")}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_jsonable(public), indent=2) + "\n")
    return path


# ----- pictures -----


PLOT_FORMATS = ("png", "svg", "pdf", "jpg", "jpeg")  # what --plot writes (by matplotlib)


def plot_format(path):
    """The picture format `path`'s suffix names, or a ValueError that lists those we write.

    >>> plot_format("loss.SVG")
    'svg'
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in PLOT_FORMATS:
        raise ValueError(f"cannot save a plot as {Path(path).name!r}: use a name ending in "
                         f"{', '.join('.' + f for f in PLOT_FORMATS)}")
    return suffix


def save_curves(path, curves, title, accuracy=None, logy=True):
    """Save the loss curve(s) in the format of the suffix: `curves` is {label: losses per epoch}.

    `accuracy`, if given, is {label: accuracy per epoch} drawn in a second panel.
    Needs matplotlib (the `plot` extra); returns the path written.
    """
    fmt = plot_format(path)
    require("matplotlib")
    import matplotlib

    matplotlib.use("Agg")  # files only: works without a display
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    panels = 2 if accuracy else 1
    fig, axes = plt.subplots(1, panels, figsize=(6.4 * panels, 4.0), squeeze=False)
    ax = axes[0][0]
    for label, losses in curves.items():
        epochs = np.arange(1, len(losses) + 1)
        ax.plot(epochs, losses, label=label, linewidth=1.6)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("loss")
    if logy and all(min(v) > 0 for v in curves.values() if len(v)):
        ax.set_yscale("log")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    if len(curves) > 1:
        ax.legend()
    if accuracy:
        ax = axes[0][1]
        for label, values in accuracy.items():
            ax.plot(np.arange(1, len(values) + 1), np.asarray(values) * 100, marker="o",
                    label=label)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("accuracy (%)")
        ax.set_title("accuracy per epoch")
        ax.grid(True, alpha=0.3)
        ax.legend()
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, format=fmt)
    plt.close(fig)
    return path


def render_step_graph(root, path, title):
    """Draw the graph of one training step (values and gradients) to `path` with Graphviz.

    The format comes from the suffix (.svg, .png, .pdf, .jpg, or .dot for the source); if
    the `dot` program is missing, the DOT source is saved instead.
    """
    require("graphviz")
    from autograd_lite import render_graph

    return render_graph(root, path, title=title, max_nodes=None)


def save_step_through(root, path):
    """Write the step-by-step player of one training step's backward pass (an .html page).

    Call it before `root.backward()`: it runs the engine's backward pass itself, without
    touching any `.grad`, and records every step (see `autograd_lite.viz.step_through`).
    """
    require("graphviz")
    from autograd_lite.viz import step_through

    return step_through(root, path)


def label_layers(net):
    """Name the weights and biases of an `nn.NeuralNetwork` W1, b1, W2, ... for drawings."""
    for i, layer in enumerate(net.layers, start=1):
        layer.weight.label = f"W{i}"
        if layer.bias is not None:
            layer.bias.label = f"b{i}"
    return net


# ----- progress bars -----


class _NoBar:
    """Stands in for a tqdm bar when there is none (quiet, or tqdm not installed)."""

    def __init__(self, iterable=None):
        self.iterable = iterable

    def __iter__(self):
        return iter(self.iterable)

    def update(self, n=1):
        pass

    def set_postfix(self, *args, **kwargs):
        pass

    def write(self, text):
        print(text)

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def progress(iterable=None, total=None, desc=None, enabled=True, leave=True):
    """A tqdm progress bar over `iterable` when `enabled` and tqdm is installed, else a no-op.

    Without tqdm nothing is drawn (the exercises still print a line per epoch), so the
    exercises run with NumPy alone.

    >>> sum(progress(range(3), enabled=False))
    3
    """
    if not enabled or importlib.util.find_spec("tqdm") is None:
        return _NoBar(iterable)
    from tqdm.auto import tqdm  # a widget in notebooks, a text bar in a terminal

    return tqdm(iterable, total=total, desc=desc, leave=leave, dynamic_ncols=True,
                file=sys.stderr)
