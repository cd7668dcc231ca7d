"""Exercise 4: generic `Layer` and `NeuralNetwork` classes, used to solve XOR again.

Statement: write classes general enough to build any fully connected network:
`NeuralNetwork(input_size, lr)` holds a list of `Layer`s; `append_layer(output_number,
activation, bias)` adds a layer after the last one; `forward(x)` runs the layers in order;
`backward(loss_derivative)` takes dL/d(output), sends it back through the layers (each
layer turns dL/d(its output) into dL/d(its weights), dL/d(its bias) and dL/d(its input))
and takes one gradient-descent step of size `lr`. Then solve exercise 3's XOR with them
in a few lines and check that you get exercise 3's network back.

The classes are `nn.Layer` and `nn.NeuralNetwork` (see docs/nn.md); the engine computes
each layer's gradients from the graph its forward pass recorded. `solve_xor` below is the
whole solution. With the same seed it starts from exercise 3's weights (drawn with
`numpy.random.randn`, every bias 1) and takes exercise 3's steps (one per row of the XOR
table, squared error, lr 0.2), so its losses and outputs match exercise 3's up to
rounding; `run()` checks that.

The XOR table (the course text's targets [0, 0, 1, 0] are AND; see exercise 3):
[0, 0] -> 0, [1, 0] -> 1, [1, 1] -> 0, [0, 1] -> 1.

Run it:  python -m exercises 4   (options: --seed --epochs --lr --activation)
"""

import numpy as np

from autograd_lite import Tensor, retain_grads
from nn import NeuralNetwork

from . import ex3_xor as ex3
from .common import Timer, label_layers, render_step_graph, save_curves, save_step_through

NAME = "generic Layer / NeuralNetwork classes on XOR"
DEFAULT_SEED = ex3.DEFAULT_SEED
DEFAULTS = {"lr": 0.2, "epochs": 5000, "seed": DEFAULT_SEED, "activation": "sigmoid"}

X = np.array(ex3.X)           # the XOR table: inputs (4, 2) ...
Y = np.array(ex3.Y)[:, None]  # ... and targets (4, 1)


def build_network(seed=DEFAULT_SEED, lr=0.2, activation="sigmoid"):
    """The 2-2-1 network of exercise 3: weights from `numpy.random.randn`, biases 1.

    `np.random.seed(seed)` makes the layers draw exercise 3's weights; NumPy's global
    generator is restored afterwards, so calling this has no side effect.
    """
    saved = np.random.get_state()
    np.random.seed(seed)
    try:
        net = NeuralNetwork(2, lr=lr)
        net.append_layer(2, activation, 1)   # hidden layer: 2 neurons, every bias 1
        net.append_layer(1, "sigmoid", 1)    # output neuron
    finally:
        np.random.set_state(saved)
    return net


def solve_xor(net, epochs=5000):
    """Exercise 3's training loop with the generic classes; returns the loss per epoch."""
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for x, y in zip(X, Y):                       # one step per row, as in exercise 3
            out = net.forward(x[None, :])            # (1, 2) -> (1, 1)
            net.backward(2 * (out.data - y))         # dL/dout of (out - y)**2, then a step
            total += float(((out.data - y) ** 2).sum())
        losses.append(total / len(X))
    return losses


def step_loss(net, x, y):
    """The loss of one step, `((net(x) - y)**2).sum()`, as one graph from x to the loss."""
    label_layers(net)
    out = net.forward(Tensor(x[None, :], label="x"))
    out.label = "out"
    loss = ((out - Tensor(y, label="y")) ** 2).sum()
    loss.label = "loss"
    return loss


def draw_step(net, x, y, path, title):
    """Draw one step's forward and backward pass as a tensor graph; the net is unchanged.

    `net.backward` back-propagates layer by layer; for the picture the same gradients are
    computed by one backward through the whole graph, from the loss to every parameter.
    """
    loss = step_loss(net, x, y)
    retain_grads(loss)           # keep the gradients of the interior tensors, to show them
    net.zero_grad()
    loss.backward()
    path = render_step_graph(loss, path, title)
    net.zero_grad()              # no step is taken: training starts from the same weights
    return path


def run(seed=DEFAULT_SEED, epochs=5000, lr=0.2, activation="sigmoid", graph=None, plot=None,
        verbose=False, compare=True, print_every=500, step_through=None):
    """Solve XOR with `nn.NeuralNetwork`; returns losses, parameters, predictions, accuracy.

    With `compare`, exercise 3 runs with the same settings and `same_as_ex3` holds the
    largest difference between the two runs' losses and outputs. `graph` draws a step
    (row [1, 1], the starting weights) before training; `step_through` (an .html path)
    writes a player of that step's backward pass (it changes no gradient).

    >>> result = run(epochs=3000, compare=False)
    >>> result["accuracy"], result["predicted_classes"]
    (1.0, [0, 1, 0, 1])
    """
    if activation not in ex3.ACTIVATIONS:
        raise ValueError(f"exercise 4: activation must be one of "
                         f"{', '.join(ex3.ACTIVATIONS)}, got {activation!r}")
    timer = Timer()
    net = build_network(seed, lr, activation)
    if verbose:
        print(f"Exercise 4: {NAME}; seed = {seed}, lr = {lr:g}, {epochs} epochs")
        print(net)
    if graph:
        row = ex3.SHOWN_ROW
        draw_step(net, X[row], Y[row], graph, f"Exercise 4: one step of nn.NeuralNetwork "
                  f"2-2-1 on row {ex3._row(ex3.X[row])} (tensor graph)")

    if step_through:
        row = ex3.SHOWN_ROW
        save_step_through(step_loss(net, X[row], Y[row]), step_through)

    losses = solve_xor(net, epochs)
    if verbose:
        for epoch in range(1, epochs + 1):
            if epoch % print_every == 0 or epoch == 1:
                print(f"epoch {epoch:5d}  loss = {losses[epoch - 1]:.6f}")

    outputs = net.predict(X)[:, 0]
    classes = [int(o > 0.5) for o in outputs]
    accuracy = sum(c == y for c, y in zip(classes, ex3.Y)) / len(X)
    final_loss = losses[-1] if losses else None
    hidden, output = net.layers[0], net.layers[1]
    result = {
        "exercise": 4,
        "seed": seed, "epochs": epochs, "lr": lr, "activation": activation,
        "inputs": ex3.X, "targets": ex3.Y,
        "losses": losses,
        "final_loss": final_loss,
        "params": {"w1": hidden.weight.data.tolist(), "b1": hidden.bias.data.tolist(),
                   "w2": output.weight.data.tolist(), "b2": output.bias.data.tolist()},
        "predictions": outputs.tolist(),
        "predicted_classes": classes,
        "accuracy": accuracy,
        "converged": accuracy == 1.0 and final_loss is not None
        and final_loss < ex3.CONVERGED_LOSS,
    }
    if compare:
        reference = ex3.run(seed=seed, epochs=epochs, lr=lr, activation=activation)
        result["same_as_ex3"] = {
            "max_loss_difference": float(np.max(np.abs(np.subtract(losses,
                                                                   reference["losses"])),
                                                initial=0.0)),
            "max_output_difference": float(np.max(np.abs(outputs - reference["predictions"]))),
        }
    result["seconds"] = timer.seconds
    if verbose:
        print("after training:")
        for x, y, o, c in zip(ex3.X, ex3.Y, outputs, classes):
            print(f"  {ex3._row(x)} -> {o:.4f} -> class {c}  (XOR {y:g}) "
                  f"{'right' if c == y else 'WRONG'}")
        state = "converged" if result["converged"] else "did NOT converge (stuck)"
        print(f"accuracy {accuracy:.0%}, final loss {final_loss:.2e}: {state}")
        if compare:
            same = result["same_as_ex3"]
            print(f"exercise 3 with the same settings: largest difference in the losses "
                  f"{same['max_loss_difference']:.1e}, in the outputs "
                  f"{same['max_output_difference']:.1e}: the generic classes reproduce it.")
    if plot:
        save_curves(plot, {"exercise 4": losses}, f"Exercise 4 (XOR with nn.NeuralNetwork, "
                    f"seed {seed}): loss per epoch")
    return result
