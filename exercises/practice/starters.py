"""Starter files: each exercise stated as the course states it, with data and skeletons.

A starter is a list of cells, ("markdown", text) or ("code", source), in the language in
use. Code cells hold `<<todo:NAME>>` markers (a `# TODO` comment and a `raise
NotImplementedError`, so an unfinished starter fails `check` with a friendly message) and
`<<text:NAME>>` markers (translated words inside code). `solution_cells` fills the same
markers with a plain-NumPy solution, which is how `solution N --write PATH` writes a file
shaped like the starter that passes `check`.

>>> from exercises.practice.i18n import set_language
>>> _lang = set_language("en")
>>> "NotImplementedError" in render_py(starter_cells(1))
True
"""

import json
import re
import textwrap
from pathlib import Path

from .i18n import _, get_language
from .solutions import SOLUTIONS

__all__ = ["file_name", "render_notebook", "render_py", "solution_cells", "starter_cells",
           "write_starter"]

#: Markers that share the TODO text of another one.
ALIASES = {"ex2_forward": "hidden_forward", "ex3_forward": "hidden_forward",
           "ex2_backward": "hidden_backward", "ex3_backward": "hidden_backward"}
MARKER = re.compile(r"^(?P<indent>[ \t]*)<<todo:(?P<name>\w+)>>[ \t]*$", re.M)
TEXT = re.compile(r"<<text:(?P<name>\w+)>>")


def file_name(n, lang=None, notebook=False):
    """exercicio_N.py in Portuguese, exercise_N.py in English (.ipynb for notebooks).

    >>> file_name(3, "pt"), file_name(3, "en", notebook=True)
    ('exercicio_3.py', 'exercise_3.ipynb')
    """
    lang = lang or get_language()
    stem = "exercicio" if lang == "pt" else "exercise"
    return f"{stem}_{n}.{'ipynb' if notebook else 'py'}"


def _todos():
    """The TODO of each marker: what to write there."""
    return {
        "ex1_forward": _("write the forward pass: the output of the network, w * x."),
        "ex1_backward": _("write dL/dw for L = (w * x - y)**2, by the chain rule."),
        "ex1_train": _("write the training loop: for each epoch, compute the loss (append it "
                       "to losses) and take a step w = w - lr * dL/dw."),
        "hidden_forward": _("write the forward pass for one sample x: the hidden layer, then "
                            "the output."),
        "hidden_backward": _("write the backward pass for one sample: a dict with the "
                             "gradients of w1, b1, w2 and b2, each with the shape of its "
                             "parameter."),
        "hidden_train": _("write the training loop: one gradient step per sample, every "
                          "epoch; append the mean loss of each epoch to losses."),
        "layer_init": _("create self.weights with np.random.randn(n_of_inputs, "
                        "n_of_neurons), self.bias (n_of_neurons,) filled with the value bias, "
                        "and keep the activation."),
        "layer_forward": _("compute z = x @ self.weights + self.bias and the activation of "
                           "z; keep what backward will need."),
        "layer_backward": _("from dL/d(output) compute dL/dz, then self.d_weights, "
                            "self.d_bias (summed over the batch) and return dL/dx. Do not "
                            "change the weights here."),
        "net_init": _("keep input_size and lr, and start an empty list self.layers."),
        "net_append": _("add a Layer whose inputs are the outputs of the last layer (or "
                        "input_size for the first one)."),
        "net_forward": _("run x through every layer, in order, and return the output."),
        "net_backward": _("send loss_derivative back through the layers, from the last to "
                          "the first, then update each layer: weights = weights - lr * "
                          "d_weights, bias = bias - lr * d_bias."),
        "ex5_build": _("build and return a NeuralNetwork with 784 inputs and 10 outputs."),
        "ex5_train": _("train net on the images with mini-batches and return the losses "
                       "(one per epoch)."),
        "ex5_predict": _("return the predicted digit (0 to 9) of each image, shape (n,)."),
    }


def _texts():
    """Words used inside the code of the starters."""
    return {
        "epoch": _("epoch"),
        "loss": _("loss"),
        "outputs": _("outputs"),
        "accuracy": _("test accuracy"),
    }


def _statement(n):
    """The markdown cells before the code: the exercise as the course states it."""
    try_first = _("**Your turn** (*bote a mão na massa*): write each function yourself, in "
                  "plain NumPy, "
                  "with no autograd. When you think a part is ready, check it:\n\n"
                  "    python -m exercises check {n} {file}\n\n"
                  "The check runs your code and tells you what is right, what is wrong and "
                  "why. Stuck? `python -m exercises hint {n}` gives a hint, and `--level 2` "
                  "or `--level 3` gives more. Look at the solution (`python -m exercises "
                  "solution {n}`) only after trying.")
    file = file_name(n)
    statements = {
        1: _("# Exercise 1: the trivial network\n\n"
             "A network with one input `x` and one weight `w` computes `out = w * x`. We want "
             "`out` to become the desired output `y`. The squared error `L = (out - y)**2` "
             "says how far off it is.\n\n"
             "Train `w` by gradient descent with a `for` loop over the epochs: compute `out` "
             "and `L` (the forward pass), the derivative dL/dw (the backward pass), and take "
             "the step `w = w - lr * dL/dw`. Values: `x = 1.5`, `y = 0.5`, starting weight "
             "`w = 0.8`, learning rate `lr = 0.1`, 20 epochs. The loss must fall below "
             "0.001.\n\n"
             "Your functions (keep these names and arguments):\n\n"
             "- `forward(w, x)` returns the output `w * x`;\n"
             "- `backward(w, x, y)` returns dL/dw for `L = (w * x - y)**2`;\n"
             "- `train(w, x, y, lr, epochs)` returns `(final w, list of losses)`, one loss "
             "per epoch."),
        2: _("# Exercise 2: a hidden layer\n\n"
             "The same task as exercise 1 (reach `y = 0.5` from `x = 1.5`), now with a hidden "
             "layer of 2 sigmoid neurons, a linear output and a bias in each layer:\n\n"
             "    h = sigmoid(w1 * x + b1)        (two hidden neurons)\n"
             "    out = w2[0] * h[0] + w2[1] * h[1] + b2\n"
             "    L = (out - y)**2\n\n"
             "The weights start from `numpy.random.randn` (after `np.random.seed(0)`), the "
             "biases from 0. Train with exercise 1's learning rate (0.1) and number of epochs "
             "(20), and compare the losses with exercise 1's.\n\n"
             "Your functions (keep these names, arguments and shapes):\n\n"
             "- `params` is a dict: `w1` of shape (2,) (the input to each hidden neuron), "
             "`b1` (2,), `w2` (2,) and `b2` (a float);\n"
             "- `forward(params, x)` takes one sample and returns the output (a number);\n"
             "- `backward(params, x, y)` returns a dict with the same keys and shapes: the "
             "gradients of `L = (out - y)**2` for that sample;\n"
             "- `train(params, X, Y, lr, epochs)` returns `(params, losses)`, one loss per "
             "epoch."),
        3: _("# Exercise 3: XOR\n\n"
             "Train a network with 2 inputs, a hidden layer of 2 sigmoid neurons and 1 sigmoid "
             "output (2-2-1) to compute XOR, the classic function that a single neuron cannot "
             "learn:\n\n"
             "    x1  x2 | XOR\n"
             "     0   0 |  0\n"
             "     1   0 |  1\n"
             "     1   1 |  0\n"
             "     0   1 |  1\n\n"
             "Constraints: weights from `numpy.random.randn`, every bias 1, learning rate 0.2, "
             "5000 epochs, the squared error `L = (out - y)**2`, one gradient step per row. "
             "The loss must converge near 0 and all four rows must come out right (an output "
             "above 0.5 means 1).\n\n"
             "**Note:** the course text lists the inputs [[0,0],[1,0],[1,1],[0,1]] with the "
             "targets [0,0,1,0]. Those targets are AND (1 only for [1,1]), not XOR. The XOR "
             "of those inputs is [0,1,0,1], which is what we use here.\n\n"
             "Your functions (keep these names, arguments and shapes):\n\n"
             "- `params` is a dict: `w1` of shape (2, 2), indexed [input i, hidden neuron j], "
             "so the hidden pre-activation is `x @ w1 + b1`; `b1` (2,), `w2` (2,) and `b2` (a "
             "float);\n"
             "- `forward(params, x)` takes one row `x` (2 numbers) and returns the output;\n"
             "- `backward(params, x, y)` returns a dict with the same keys and shapes: the "
             "gradients of `L = (out - y)**2` for that row;\n"
             "- `train(params, X, Y, lr, epochs)` returns `(params, losses)`, one loss per "
             "epoch (the mean over the four rows)."),
        4: _("# Exercise 4: the Layer and NeuralNetwork classes\n\n"
             "Write classes general enough to build any fully connected network, then solve "
             "exercise 3's XOR with them (same starting weights from `numpy.random.randn`, "
             "every bias 1, learning rate 0.2, 5000 epochs, one step per row).\n\n"
             "- `Layer(n_of_inputs, n_of_neurons, activation, bias)`: `weights` of shape "
             "(n_of_inputs, n_of_neurons) from `np.random.randn`, `bias` of shape "
             "(n_of_neurons,) filled with the value `bias`; `activation` is one of "
             "\"sigmoid\", \"tanh\", \"relu\", \"linear\".\n"
             "    - `forward(x)` takes a batch x of shape (batch, n_of_inputs) and returns "
             "the activation of `x @ weights + bias`;\n"
             "    - `backward(chain_rule_derivatives)` takes dL/d(output), stores the "
             "gradients as `d_weights` and `d_bias` (summed over the batch) and returns "
             "dL/dx. It updates nothing.\n"
             "- `NeuralNetwork(input_size, lr)` keeps its layers in the list `layers`:\n"
             "    - `append_layer(output_number, activation, bias)` adds a layer after the "
             "last one;\n"
             "    - `forward(x)` runs the layers in order;\n"
             "    - `backward(loss_derivative)` takes dL/d(output), sends it back through the "
             "layers and updates every layer's weights and bias with `lr`.\n\n"
             "The XOR table (the course text's targets [0, 0, 1, 0] are AND; see exercise "
             "3): [0, 0] -> 0, [1, 0] -> 1, [1, 1] -> 0, [0, 1] -> 1."),
        5: _("# Exercise 5: handwritten digits (MNIST)\n\n"
             "The MNIST database holds 28x28 grey images of the digits 0 to 9: 60,000 to "
             "train and 10,000 to test. Build a classifier with **your own** `Layer` and "
             "`NeuralNetwork` classes from exercise 4, train it with mini-batches (a "
             "gradient step after every few dozen images) and measure its accuracy on the "
             "test images, which it never saw while training. Goal: at least 90% test "
             "accuracy, with the whole training done within the check's time limit (15 "
             "minutes by default).\n\n"
             "Tips: `np.random.randn` weights are too big for 784 inputs (the neurons start "
             "saturated); multiply them by `np.sqrt(2 / n_of_inputs)`. A \"linear\" output "
             "layer with softmax and cross-entropy in the training loop works well: the "
             "derivative of the loss with respect to the outputs is (softmax(out) - "
             "one_hot(label)) / batch_size.\n\n"
             "Your code (keep these names and arguments):\n\n"
             "- the classes `Layer` and `NeuralNetwork` of exercise 4 (paste yours);\n"
             "- `build_network()` returns a `NeuralNetwork` with 784 inputs and 10 outputs;\n"
             "- `train(net, images, labels)` trains it and returns the losses; `images` has "
             "shape (n, 784), float numbers between 0 and 1, `labels` shape (n,), the "
             "digits;\n"
             "- `predict(net, images)` returns the predicted digit of each image, shape (n,)."),
    }
    return [("markdown", statements[n]), ("markdown", try_first.format(n=n, file=file))]


def _code(n):
    """The code cells, with markers."""
    hidden_data = {
        2: ('np.random.seed(0)\n'
            'params = {"w1": np.random.randn(2), "b1": np.zeros(2),\n'
            '          "w2": np.random.randn(2), "b2": 0.0}\n'
            'X = [1.5]\nY = [0.5]\nlr = 0.1\nepochs = 20\n'),
        3: ('np.random.seed(3)\n'
            'params = {"w1": np.random.randn(2, 2), "b1": np.ones(2),\n'
            '          "w2": np.random.randn(2), "b2": 1.0}\n'
            'X = [[0, 0], [1, 0], [1, 1], [0, 1]]\nY = [0, 1, 0, 1]   # XOR\n'
            'lr = 0.2\nepochs = 5000\n'),
    }
    classes = ('class Layer:\n'
               '    def __init__(self, n_of_inputs, n_of_neurons, activation, bias):\n'
               '        <<todo:layer_init>>\n\n'
               '    def forward(self, x):\n'
               '        <<todo:layer_forward>>\n\n'
               '    def backward(self, chain_rule_derivatives):\n'
               '        <<todo:layer_backward>>\n\n\n'
               'class NeuralNetwork:\n'
               '    def __init__(self, input_size, lr):\n'
               '        <<todo:net_init>>\n\n'
               '    def append_layer(self, output_number, activation, bias):\n'
               '        <<todo:net_append>>\n\n'
               '    def forward(self, x):\n'
               '        <<todo:net_forward>>\n\n'
               '    def backward(self, loss_derivative):\n'
               '        <<todo:net_backward>>\n')
    cells = {
        1: [('x = 1.5\ny = 0.5\nw = 0.8\nlr = 0.1\nepochs = 20\n'),
            ('def forward(w, x):\n    <<todo:ex1_forward>>\n\n\n'
             'def backward(w, x, y):\n    <<todo:ex1_backward>>\n\n\n'
             'def train(w, x, y, lr, epochs):\n    losses = []\n    <<todo:ex1_train>>\n'
             '    return w, losses\n')],
        2: [('import numpy as np\n\n' + hidden_data[2]),
            ('def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n\n\n'
             'def forward(params, x):\n    <<todo:ex2_forward>>\n\n\n'
             'def backward(params, x, y):\n    <<todo:ex2_backward>>\n\n\n'
             'def train(params, X, Y, lr, epochs):\n    losses = []\n'
             '    <<todo:hidden_train>>\n    return params, losses\n')],
        3: [('import numpy as np\n\n' + hidden_data[3]),
            ('def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n\n\n'
             'def forward(params, x):\n    <<todo:ex3_forward>>\n\n\n'
             'def backward(params, x, y):\n    <<todo:ex3_backward>>\n\n\n'
             'def train(params, X, Y, lr, epochs):\n    losses = []\n'
             '    <<todo:hidden_train>>\n    return params, losses\n')],
        4: [('import numpy as np\n\n'
             'X = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=float)\n'
             'Y = np.array([[0], [1], [0], [1]], dtype=float)   # XOR\n'),
            classes],
        5: [('import numpy as np\n'), classes,
            ('def build_network():\n    <<todo:ex5_build>>\n\n\n'
             'def train(net, images, labels):\n    <<todo:ex5_train>>\n\n\n'
             'def predict(net, images):\n    <<todo:ex5_predict>>\n')],
    }
    runs = {
        1: ('w, losses = train(w, x, y, lr, epochs)\n'
            'print(f"w = {w:.4f}, <<text:loss>> = {losses[-1]:.2e}")\n'),
        2: ('params, losses = train(params, X, Y, lr, epochs)\n'
            'print(f"<<text:loss>>: {losses[0]:.4f} -> {losses[-1]:.2e}")\n'),
        3: ('params, losses = train(params, X, Y, lr, epochs)\n'
            'print(f"<<text:loss>>: {losses[0]:.4f} -> {losses[-1]:.2e}")\n'
            'print("<<text:outputs>>:", [round(float(forward(params, x)), 3) for x in X])\n'),
        4: ('np.random.seed(3)\n'
            'net = NeuralNetwork(2, 0.2)\n'
            'net.append_layer(2, "sigmoid", 1)\n'
            'net.append_layer(1, "sigmoid", 1)\n'
            'for epoch in range(5000):\n'
            '    for x, y in zip(X, Y):\n'
            '        out = net.forward(x[None, :])\n'
            '        net.backward(2 * (out - y))\n'
            'print("<<text:outputs>>:", net.forward(X).ravel().round(3))\n'),
        5: ('from nn.datasets import load_mnist\n\n'
            'x_train, y_train = load_mnist(split="train")\n'
            'x_test, y_test = load_mnist(split="test")\n'
            'net = build_network()\n'
            'losses = train(net, x_train, y_train)\n'
            'print("<<text:accuracy>>:", np.mean(predict(net, x_test) == y_test))\n'),
    }
    return cells[n], runs[n]


def _expand(source, fill):
    source = TEXT.sub(lambda m: _texts()[m["name"]], source)
    return MARKER.sub(lambda m: "\n".join(m["indent"] + line if line else ""
                                          for line in fill(m["name"]).splitlines()), source)


def _todo_lines(name):
    text = _("TODO: ") + _todos()[ALIASES.get(name, name)]
    comment = "\n".join("# " + line for line in textwrap.wrap(text, 76))
    return f"{comment}\nraise NotImplementedError({text!r})"


def _cells(n, fill):
    code, run = _code(n)
    cells = _statement(n) + [("code", _expand(c, fill)) for c in code]
    cells.append(("markdown", _("When everything is written, train the network:")))
    cells.append(("run", _expand(run, fill)))
    return cells


def starter_cells(n):
    """Exercise n's starter, as cells, in the language in use."""
    return _cells(n, _todo_lines)


def solution_cells(n):
    """The starter of exercise n with every TODO replaced by a plain-NumPy solution."""
    return _cells(n, lambda name: SOLUTIONS[name])


def _wrap(text, width=86):
    """Markdown lines wrapped for comments; code (indented 4) is kept as it is."""
    lines = []
    for line in text.splitlines():
        if line.startswith("# "):  # a heading: underlined, as in a plain-text document
            lines += [line[2:], "=" * len(line[2:])]
            continue
        line = re.sub(r"`[^`]*`", lambda m: m[0].replace(" ", "\0"), line)  # keep `a b`
        item = re.match(r"( *)(- )?", line)
        indent = item[1] + ("  " if item[2] else "")
        if (line.startswith("    ") and not item[2]) or len(line) <= width:
            lines.append(line)
        else:
            lines += textwrap.wrap(line, width, subsequent_indent=indent,
                                   break_long_words=False, break_on_hyphens=False)
    return [line.replace("\0", " ") for line in lines]


def render_py(cells):
    """The cells as a Python script: markdown as comments, training under `__main__`."""
    parts = []
    for kind, text in cells:
        if kind == "markdown":
            parts.append("\n".join(("# " + line).rstrip() for line in _wrap(text)))
        elif kind == "code":
            parts.append(text.rstrip())
        else:
            body = "\n".join(("    " + line).rstrip() for line in text.splitlines())
            parts.append('if __name__ == "__main__":\n' + body)
    return "\n\n\n".join(parts) + "\n"


def render_notebook(cells, n):
    """The cells as a Jupyter notebook (nbformat 4), ending with `check(n)`."""
    try:
        import nbformat
    except ImportError:
        raise ImportError(_("--notebook needs nbformat, which is not installed: pip install "
                            "\"autograd-lite[notebook]\" (or: pip install nbformat)")) from None
    v4 = nbformat.v4
    nb = v4.new_notebook()
    for kind, text in cells:
        nb.cells.append(v4.new_markdown_cell(text) if kind == "markdown"
                        else v4.new_code_cell(text.rstrip()))
    nb.cells.append(v4.new_markdown_cell(_("Check your work right here in the notebook:")))
    nb.cells.append(v4.new_code_cell(
        f"from exercises import check\n\ncheck({n}, lang={get_language()!r})"))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nbformat.writes(nb)


def write_starter(n, directory=".", notebook=False, force=False, solution=False, path=None):
    """Write exercise n's starter (or solution) file; returns its path.

    Raises FileExistsError when the file exists and `force` is false.
    """
    path = Path(path) if path else Path(directory) / file_name(n, notebook=notebook)
    notebook = path.suffix == ".ipynb"
    if path.exists() and not force:
        raise FileExistsError(path)
    cells = solution_cells(n) if solution else starter_cells(n)
    text = render_notebook(cells, n) if notebook else render_py(cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def notebook_code(text):
    """The code cells of a notebook's JSON text, with IPython magics and shell lines removed.

    >>> nb = {"cells": [{"cell_type": "code", "source": ["%matplotlib inline\\n", "a = 1"]},
    ...                 {"cell_type": "code", "source": "%%time\\nb = 2"}]}
    >>> notebook_code(json.dumps(nb))
    [(1, 'a = 1')]
    """
    cells = []
    for i, cell in enumerate(json.loads(text).get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if source.lstrip().startswith("%%"):
            continue  # a cell magic: the whole cell is not Python
        lines = []
        for line in source.splitlines():
            code = line.lstrip()
            if code.startswith(("%", "!")):  # a line magic or a shell command
                if code != line:
                    lines.append(line[:len(line) - len(code)] + "pass")
                continue
            lines.append(line)
        cells.append((i, "\n".join(lines)))
    return cells
