"""Progressive hints: level 1 the idea, level 2 the chain rule of this network, level 3 the
formulas. In the language in use.

>>> from exercises.practice.i18n import set_language
>>> _lang = set_language("en")
>>> hint(1, 3).startswith("Level 3")
True
"""

from .i18n import _

__all__ = ["hint"]


def _hints():
    return {
        1: (
            _("Gradient descent moves w a little against the slope of the loss: if increasing "
              "w makes L grow, decrease w. The slope is the derivative dL/dw. The forward "
              "pass computes out and L; the backward pass computes dL/dw; the step is "
              "w = w - lr * dL/dw. Repeat it once per epoch."),
            _("L depends on w through out: w -> out = w * x -> L = (out - y)**2. The chain "
              "rule multiplies the derivative of each arrow: dL/dw = dL/dout * dout/dw."),
            _("dL/dout = 2 * (out - y) and dout/dw = x, so dL/dw = 2 * (w * x - y) * x. In "
              "train: for each epoch, out = w * x, append (out - y)**2 to losses, then "
              "w = w - lr * 2 * (out - y) * x."),
        ),
        2: (
            _("It is exercise 1 with more arrows. Write the forward pass step by step, "
              "keeping every intermediate value (z, h, out): the backward pass walks the "
              "same steps backwards and needs them."),
            _("The chain: w1, b1 -> z = w1 * x + b1 -> h = sigmoid(z) -> out = w2 . h + b2 "
              "-> L = (out - y)**2. Start at the end: dL/dout, then the output layer's "
              "gradients (w2, b2), then back through w2 to h, through the sigmoid to z, and "
              "finally to w1 and b1."),
            _("dL/dout = 2 * (out - y); dL/dw2 = dL/dout * h; dL/db2 = dL/dout; dL/dh = "
              "dL/dout * w2; dL/dz = dL/dh * h * (1 - h) (the sigmoid's derivative, taken at "
              "z, written with its output h); dL/dw1 = dL/dz * x; dL/db1 = dL/dz. Every "
              "gradient has the shape of its parameter."),
        ),
        3: (
            _("Same method as exercise 2, with two inputs and a sigmoid on the output too. "
              "Check your backward on one row before training: if the gradients are right, "
              "training for 5000 epochs with lr 0.2 learns XOR."),
            _("The chain: x -> z1 = x @ w1 + b1 -> h = sigmoid(z1) -> z2 = h @ w2 + b2 -> "
              "out = sigmoid(z2) -> L = (out - y)**2. Two sigmoids means two sigmoid "
              "derivatives on the way back, each taken at its own pre-activation."),
            _("dL/dz2 = 2 * (out - y) * out * (1 - out); dL/dw2 = dL/dz2 * h; dL/db2 = "
              "dL/dz2; dL/dz1 = dL/dz2 * w2 * h * (1 - h); dL/dw1[i, j] = x[i] * dL/dz1[j], "
              "that is np.outer(x, dL/dz1); dL/db1 = dL/dz1."),
        ),
        4: (
            _("Each layer only needs to know its own input, its own z and its own output: "
              "keep them in forward. Backward goes layer by layer from the last one, and "
              "each layer passes dL/d(its input) to the layer before it."),
            _("For a layer a = s(z), z = x @ weights + bias, with a batch of rows: dL/dz = "
              "chain_rule_derivatives * s'(z), then the gradients of weights and bias come "
              "from dL/dz and x, and dL/dx goes back through the weights. The network's "
              "backward first sends the gradient back through all layers, then updates."),
            _("dz = chain_rule_derivatives * s'(z), with s'(z) = a * (1 - a) (sigmoid), "
              "1 - a**2 (tanh), (z > 0) (relu), 1 (linear); d_weights = x.T @ dz; d_bias = "
              "dz.sum(axis=0); return dz @ weights.T. Then, for every layer: weights -= lr * "
              "d_weights; bias -= lr * d_bias."),
        ),
        5: (
            _("Reuse your exercise 4 classes unchanged. What changes is the data (784 inputs, "
              "10 classes), the size of the network, the loss and training on mini-batches "
              "of a few dozen images at a time."),
            _("Use a linear output layer with 10 neurons and the softmax cross-entropy loss. "
              "Its derivative with respect to the outputs is simple: (softmax(out) - "
              "one_hot(label)) / batch_size. Pass it to net.backward, just as exercise 4 "
              "passed 2 * (out - y)."),
            _("A network that reaches the goal: 784 -> 128 (relu) -> 10 (linear), weights "
              "multiplied by np.sqrt(2 / n_of_inputs) after creation, biases 0, lr 0.1, "
              "batches of 32 shuffled images, 5 epochs. predict is "
              "net.forward(images).argmax(axis=1)."),
        ),
    }


def hint(n, level=1):
    """Hint `level` (1 to 3) of exercise `n`, with its title."""
    level = max(1, min(3, int(level)))
    title = _("Level {level} of 3").format(level=level)
    text = _hints()[int(n)][level - 1]
    more = (_("More help: python -m exercises hint {n} --level {next}").format(
        n=n, next=level + 1) if level < 3 else
        _("Still stuck? Compare with the solution: python -m exercises solution {n}").format(
            n=n))
    return f"{title}\n\n{text}\n\n{more}"
