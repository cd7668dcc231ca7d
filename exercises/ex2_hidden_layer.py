"""Exercise 2: the same task with a hidden layer of 2 neurons and a bias in each layer.

Statement: reach the desired output `y` from the input `x` again (exercise 1's task), now
with a hidden layer of two sigmoid neurons between them:

    h1 = sigmoid(w1_1 * x + b1_1)
    h2 = sigmoid(w1_2 * x + b1_2)
    out = w2_1 * h1 + w2_2 * h2 + b2          (a linear output, like exercise 1's)
    L = (out - y) ** 2

Train all seven parameters with the same loop, learning rate and number of epochs as
exercise 1, and compare how the two losses fall.

The backward pass by hand, from the output back to the input (the chain rule):

    dL/dout   = 2 * (out - y)
    dL/dw2_j  = dL/dout * h_j             dL/db2   = dL/dout
    dL/dh_j   = dL/dout * w2_j
    dL/dz_j   = dL/dh_j * h_j * (1 - h_j)  (z_j = w1_j * x + b1_j; sigmoid' = s * (1 - s))
    dL/dw1_j  = dL/dz_j * x               dL/db1_j = dL/dz_j

The weights start from `numpy.random.randn` (seeded by `seed`), the biases from 0.

Run it:  python -m exercises 2   (options: --x --y --lr --epochs --seed, see --help)
"""

import math

import numpy as np

from autograd_lite import Value

from . import ex1_trivial_network as ex1
from .common import (
    Timer,
    check_gradients,
    print_gradient_table,
    render_step_graph,
    save_curves,
    save_step_through,
)

NAME = "hidden layer of 2 neurons, a bias in each layer"
DEFAULTS = {"x": 1.5, "y": 0.5, "lr": 0.1, "epochs": 20, "seed": 0}


def sigmoid(z):
    """The logistic function on a float, for the hand-written backward pass."""
    return 1.0 / (1.0 + math.exp(-z))


def run(x=1.5, y=0.5, lr=0.1, epochs=20, seed=0, graph=None, plot=None, verbose=False,
        step_through=None):
    """Train the 1-2-1 network towards `y`; return its losses next to exercise 1's.

    >>> result = run()
    >>> result["final_loss"] < 1e-3
    True
    >>> len(result["losses"]) == len(result["ex1_losses"]) == 20
    True
    """
    timer = Timer()
    rng = np.random.RandomState(seed)  # the generator behind np.random.seed + np.random.randn
    w1 = [Value(v, label=f"w1_{j + 1}") for j, v in enumerate(rng.randn(2))]
    b1 = [Value(0.0, label=f"b1_{j + 1}") for j in range(2)]
    w2 = [Value(v, label=f"w2_{j + 1}") for j, v in enumerate(rng.randn(2))]
    b2 = Value(0.0, label="b2")
    params = [*w1, *b1, *w2, b2]
    x_ = Value(x, label="x", requires_grad=False)
    y_ = Value(y, label="y", requires_grad=False)

    if verbose:
        print(f"Exercise 2: {NAME}; x = {x:g}, target y = {y:g}, lr = {lr:g}, seed = {seed}")
    losses, outputs, grad_check = [], [], None
    for epoch in range(1, epochs + 1):
        # forward pass
        h = []
        for j in range(2):
            z = w1[j] * x_ + b1[j]
            hj = z.sigmoid()
            hj.label = f"h{j + 1}"
            h.append(hj)
        out = w2[0] * h[0] + w2[1] * h[1] + b2
        out.label = "out"
        loss = (out - y_) ** 2
        loss.label = "loss"

        # backward pass by the engine
        for p in params:
            p.grad = 0.0
        if epoch == 1 and step_through:  # the player of this step's backward pass
            save_step_through(loss, step_through)
        loss.backward()

        if epoch == 1:
            grad_check = check_gradients({p.label: p.grad for p in params},
                                         _gradients_by_hand(params, x, y))
            if verbose:
                print_gradient_table(grad_check, "epoch 1: gradients from the engine and by "
                                     "hand (chain rule, output to input)")
            if graph:
                render_step_graph(loss, graph, "Exercise 2, epoch 1: one input, 2 hidden "
                                  "sigmoid neurons, linear output")

        losses.append(loss.data)
        outputs.append(out.data)

        # gradient descent step on all seven parameters
        for p in params:
            p.data -= lr * p.grad

    # exercise 1 on the same task, with the same learning rate and number of epochs
    ex1_losses = ex1.run(x=x, y=y, lr=lr, epochs=epochs)["losses"]
    if verbose:
        print("loss per epoch, exercise 1 (one weight) next to exercise 2 (hidden layer):")
        print(f"  {'epoch':>5}  {'exercise 1':>12}  {'exercise 2':>12}  {'ex2 out':>9}")
        for epoch, (l1, l2, o) in enumerate(zip(ex1_losses, losses, outputs), start=1):
            print(f"  {epoch:5d}  {l1:12.4e}  {l2:12.4e}  {o:9.5f}")
    result = {
        "exercise": 2,
        "x": x, "y": y, "lr": lr, "epochs": epochs, "seed": seed,
        "losses": losses,
        "ex1_losses": ex1_losses,  # exercise 1's losses on the same task, for comparison
        "outputs": outputs,
        "final_loss": losses[-1] if losses else None,
        "params": {p.label: p.data for p in params},
        "prediction": _predict(params, x),
        "grad_check": grad_check,
        "seconds": timer.seconds,
    }
    if verbose and losses:
        print(f"trained: out = {result['prediction']:.6f} (target {y:g}); final loss "
              f"{losses[-1]:.3e} (exercise 1: {ex1_losses[-1]:.3e})")
    if plot:
        save_curves(plot, {"exercise 1: one weight": ex1_losses,
                           "exercise 2: hidden layer of 2": losses},
                    "Exercises 1 and 2: loss per epoch")
    return result


def _gradients_by_hand(params, x, y):
    """dL/d(parameter) for every parameter, written out with the chain rule on floats."""
    w1_1, w1_2, b1_1, b1_2, w2_1, w2_2, b2 = (p.data for p in params)
    h1, h2 = sigmoid(w1_1 * x + b1_1), sigmoid(w1_2 * x + b1_2)
    out = w2_1 * h1 + w2_2 * h2 + b2
    d_out = 2 * (out - y)
    d_z1 = d_out * w2_1 * h1 * (1 - h1)
    d_z2 = d_out * w2_2 * h2 * (1 - h2)
    return {"w1_1": d_z1 * x, "w1_2": d_z2 * x, "b1_1": d_z1, "b1_2": d_z2,
            "w2_1": d_out * h1, "w2_2": d_out * h2, "b2": d_out}


def _predict(params, x):
    w1_1, w1_2, b1_1, b1_2, w2_1, w2_2, b2 = (p.data for p in params)
    return w2_1 * sigmoid(w1_1 * x + b1_1) + w2_2 * sigmoid(w1_2 * x + b1_2) + b2
