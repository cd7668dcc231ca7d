"""Regenerate every picture in docs/images/: `python docs/make_images.py [NAME ...]`.

Each picture is made by one small function below, listed in `IMAGES`. To add a picture,
write a function `name(out_dir)` that writes its files into `out_dir` and returns their
paths, and append it to `IMAGES`. Graph drawings need the `viz` extra and the Graphviz
`dot` program (see docs/drawing.md).
"""

import argparse
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # use this checkout's autograd_lite, installed or not

from autograd_lite import Value, render_graph


def neuron(out_dir):
    """A single neuron o = tanh(x1*w1 + x2*w2 + b) after backward: docs/images/neuron.svg"""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")  # chosen so that n = 0.8814, o = 0.7071
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.label, x2w2.label = "x1*w1", "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    title = "o = tanh(x1*w1 + x2*w2 + b)"
    return [render_graph(o, out_dir / "neuron.svg", title=title)]


def exercises(out_dir):
    """Exercises 1-4 with their defaults: a training step's graph and the loss curve each,
    docs/images/ex{1,2,3,4}_graph.svg and ex{1,2,3,4}_loss.png (needs matplotlib too)."""
    from exercises import load

    paths = []
    for n in (1, 2, 3, 4):
        graph, plot = out_dir / f"ex{n}_graph.svg", out_dir / f"ex{n}_loss.png"
        load(n).run(graph=graph, plot=plot)
        paths += [graph, plot]
    return paths


def exercise5(out_dir):
    """Exercise 5 with its defaults on the official MNIST split (60,000 training digits,
    10,000 test digits; half a minute or so): docs/images/ex5_graph.svg and ex5_loss.png.
    The MNIST files are looked up as `python -m exercises 5` does ($AUTOGRAD_LITE_DATA,
    ...), else in the course's shared/data/mnist next to the repository."""
    import os

    from exercises import load
    from nn.datasets import ENV_VAR, DatasetNotFoundError

    shared = HERE.parent.parent / "shared" / "data" / "mnist"
    data_dir = None if os.environ.get(ENV_VAR) or not shared.is_dir() else shared
    graph, plot = out_dir / "ex5_graph.svg", out_dir / "ex5_loss.png"
    try:
        load(5).run(data_dir=data_dir, download=False, graph=graph, plot=plot)
    except DatasetNotFoundError as err:
        print(f"exercise5 skipped, MNIST not found: set AUTOGRAD_LITE_DATA to the folder of "
              f"its four files (train-images-idx3-ubyte.gz, ...)\n{err}")
        return []
    return [graph, plot]


def drawing(out_dir):
    """The example at the top of docs/drawing.md, exactly as written there:
    docs/images/drawing_neuron.svg"""
    x1, w1, b = Value(2.0, label="x1"), Value(-3.0, label="w1"), Value(6.88, label="b")
    o = (x1 * w1 + b).tanh()
    o.label = "o"
    o.backward()
    return [render_graph(o, out_dir / "drawing_neuron.svg", title="o = tanh(x1*w1 + b)")]


def first_value(out_dir):
    """The README's neuron y = tanh(w*x + b) after backward, as docs/getting-started.md
    draws it: docs/images/first_value.svg"""
    x, w, b = Value(2.0, label="x"), Value(-0.5, label="w"), Value(0.3, label="b")
    y = (w * x + b).tanh()
    y.label = "y"
    y.backward()
    return [render_graph(y, out_dir / "first_value.svg", title="y = tanh(w*x + b)")]


def reverse_mode(out_dir):
    """The pictures of docs/reverse-mode.md: the neuron before backward
    (neuron_forward.svg; neuron.svg is the same graph after), a value used twice
    (fanout.svg) and a broadcast bias (broadcast.svg)."""
    import numpy as np

    from autograd_lite import Tensor, retain_grads

    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.label, x2w2.label = "x1*w1", "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    paths = [render_graph(o, out_dir / "neuron_forward.svg", show_grad=False,
                          title="o = tanh(x1*w1 + x2*w2 + b): the forward pass")]

    a = Value(3.0, label="a")
    aa = a * a
    aa.label = "a*a"
    c = aa + a
    c.label = "c"
    c.backward()
    paths.append(render_graph(c, out_dir / "fanout.svg", title="c = a*a + a"))

    x = Tensor(np.arange(6.0).reshape(2, 3), label="x")
    bias = Tensor(np.array([0.1, 0.2, 0.3]), requires_grad=True, label="bias")
    y = (x + bias).tanh()
    y.label = "y"
    loss = retain_grads(y.sum())
    loss.backward()
    paths.append(render_graph(loss, out_dir / "broadcast.svg",
                              title="sum(tanh(x + bias)): bias (3,) broadcast over (2, 3)"))
    return paths


def xor_network(out_dir):
    """The XOR network that docs/getting-started.md trains, and the graph of its loss:
    docs/images/xor_graph.svg"""
    import numpy as np

    from autograd_lite import Tensor, no_grad, retain_grads

    X = Tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], label="X")
    Y = Tensor([[0.0], [1.0], [1.0], [0.0]], label="Y")
    rng = np.random.default_rng(0)
    W1 = Tensor(rng.standard_normal((2, 4), dtype=np.float32), requires_grad=True, label="W1")
    b1 = Tensor(np.zeros(4, np.float32), requires_grad=True, label="b1")
    W2 = Tensor(rng.standard_normal((4, 1), dtype=np.float32), requires_grad=True, label="W2")
    b2 = Tensor(np.zeros(1, np.float32), requires_grad=True, label="b2")
    params = [W1, b1, W2, b2]

    def forward(X):
        hidden = (X @ W1 + b1).tanh()
        return (hidden @ W2 + b2).sigmoid()

    for step in range(500):
        loss = ((forward(X) - Y) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with no_grad():
            for p in params:
                p -= 1.0 * p.grad
    loss = retain_grads(((forward(X) - Y) ** 2).mean())
    loss.backward()
    return [render_graph(loss, out_dir / "xor_graph.svg",
                         title="XOR network: the loss of one training step")]


def cnn(out_dir):
    """The graph of one training step of docs/cnn.md's LeNet (two digits):
    docs/images/cnn_graph.svg"""
    import numpy as np

    from autograd_lite import Tensor, render_graph, retain_grads
    from exercises.ex5_mnist import build_cnn
    from nn import cross_entropy

    model = build_cnn(seed=0)
    for name, p in model.named_parameters():
        p.label = name
    data = np.random.default_rng(1)
    x = Tensor(data.standard_normal((2, 1, 28, 28), dtype=np.float32), label="images")
    loss = retain_grads(cross_entropy(model(x), data.integers(0, 10, 2)))
    loss.label = "loss"
    loss.backward()
    return [render_graph(loss, out_dir / "cnn_graph.svg",
                         title="LeNet: the loss of one training step (two digits)")]


def performance(out_dir):
    """docs/images/perf_batch.png: step time against batch size, ours and hand NumPy, from
    the benchmark's sweep (a minute or so; with AUTOGRAD_LITE_DOCS_SMOKE set, tiny sizes
    that only check the plot is drawn). The benchmark runs in its own process, because it
    sets NumPy's BLAS threads before NumPy loads."""
    import os
    import subprocess

    path = out_dir / "perf_batch.png"
    smoke = ["--smoke"] if os.environ.get("AUTOGRAD_LITE_DOCS_SMOKE") else []
    subprocess.run([sys.executable, "-m", "benchmarks", "--only", "mlp", "--plot", str(path),
                    *smoke], cwd=HERE.parent, check=True, stdout=subprocess.DEVNULL)
    return [path]


def players(out_dir):
    """The step-by-step players the guides embed: the README's neuron
    (docs/getting-started.md, player_neuron.html), then for docs/reverse-mode.md a value
    used twice (player_fanout.html) and one training step of exercise 3's XOR network on
    scalars (player_xor.html)."""
    from autograd_lite.viz import step_through
    from exercises import load

    x, w, b = Value(2.0, label="x"), Value(-0.5, label="w"), Value(0.3, label="b")
    y = (w * x + b).tanh()
    y.label = "y"
    paths = [step_through(y, out_dir / "player_neuron.html")]
    a = Value(3.0, label="a")
    aa = a * a
    aa.label = "a*a"
    c = aa + a
    c.label = "c"
    paths.append(step_through(c, out_dir / "player_fanout.html"))
    load(3).run(epochs=1, step_through=out_dir / "player_xor.html")
    return paths + [out_dir / "player_xor.html"]


IMAGES = [neuron, exercises, exercise5, drawing, first_value, reverse_mode, xor_network, players,
          cnn,
          performance]


def main(argv=None):
    names = [f.__name__ for f in IMAGES]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"pictures to make (default: all of {', '.join(names)})")
    parser.add_argument("--out", type=pathlib.Path, default=HERE / "images",
                        help="output folder (default: docs/images)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(names))
    if unknown:
        parser.error(f"unknown picture(s) {', '.join(unknown)}; choose from {', '.join(names)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for make in IMAGES:
        if not args.names or make.__name__ in args.names:
            for path in make(args.out):
                print(f"wrote {path}")


if __name__ == "__main__":
    main()
