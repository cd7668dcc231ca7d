"""Exercise 1: the trivial network, one input and one weight, trained by gradient descent.

Statement: a network with a single input `x` and a single weight `w` computes

    out = w * x

and we want `out` to become a desired output `y`. The squared error

    L = (out - y) ** 2

says how far off it is. Train `w` with a plain `for` loop over epochs: compute `out` and
`L` (the forward pass), the derivative dL/dw (the backward pass), and step
`w <- w - lr * dL/dw`. Print the loss, the weight and the output at each epoch and watch
them change.

The backward pass by hand is the chain rule:

    dL/dw = dL/dout * dout/dw = 2 * (out - y) * x

Here the engine (`autograd_lite.Value`) computes dL/dw from the graph the forward pass
recorded; in the first epoch we print both numbers side by side and check they agree.
With the defaults (x=1.5, w0=0.8, y=0.5, lr=0.1) the error shrinks by the factor
1 - 2*lr*x**2 = 0.55 each epoch, so the loss is below 1e-3 after 6 epochs.

Run it:  python -m exercises 1   (options: --x --w0 --y --lr --epochs, see --help)
"""

from autograd_lite import Value

from .common import (
    Timer,
    check_gradients,
    print_gradient_table,
    render_step_graph,
    save_curves,
    save_step_through,
)

NAME = "trivial network: one input, one weight"
DEFAULTS = {"x": 1.5, "w0": 0.8, "y": 0.5, "lr": 0.1, "epochs": 20}


def run(x=1.5, w0=0.8, y=0.5, lr=0.1, epochs=20, seed=0, graph=None, plot=None,
        verbose=False, step_through=None):
    """Train `out = w * x` towards `y`; return the losses, weights and outputs per epoch.

    `seed` is accepted for a uniform interface; nothing here is random. `graph` (a path)
    draws the first training step, `plot` (a path) saves the loss curve, `step_through` (an
    .html path) writes a player of the first step's backward pass.

    >>> result = run()
    >>> result["final_loss"] < 1e-3
    True
    >>> round(result["w"], 4)   # y / x
    0.3333
    """
    timer = Timer()
    w = Value(w0, label="w")                          # the one weight we train
    x_ = Value(x, label="x", requires_grad=False)     # input and target are constants
    y_ = Value(y, label="y", requires_grad=False)
    losses, weights, outputs, grad_check = [], [], [], None
    if verbose:
        print(f"Exercise 1: {NAME}; x = {x:g}, target y = {y:g}, w0 = {w0:g}, lr = {lr:g}")
    for epoch in range(1, epochs + 1):
        # forward pass: the output and how far it is from y
        out = w * x_
        out.label = "out"
        loss = (out - y_) ** 2
        loss.label = "loss"

        # backward pass: the engine fills w.grad = dL/dw by the chain rule
        w.grad = 0.0
        if epoch == 1 and step_through:
            save_step_through(loss, step_through)
        loss.backward()

        if epoch == 1:  # the learner's point: the engine's gradient IS the chain rule
            by_hand = 2 * (out.data - y) * x
            grad_check = check_gradients({"w": w.grad}, {"w": by_hand})
            if verbose:
                print_gradient_table(grad_check, "epoch 1: dL/dw from the engine and by hand "
                                     "(2 * (out - y) * x)")
            if graph:
                render_step_graph(loss, graph, "Exercise 1, epoch 1: loss = (w*x - y)**2")

        losses.append(loss.data)
        weights.append(w.data)
        outputs.append(out.data)
        if verbose:
            print(f"epoch {epoch:3d}  loss = {loss.data:.4e}  w = {w.data:.6f}  "
                  f"out = {out.data:.6f}")

        # gradient descent step
        w.data -= lr * w.grad

    result = {
        "exercise": 1,
        "x": x, "y": y, "w0": w0, "lr": lr, "epochs": epochs, "seed": seed,
        "losses": losses,          # loss of each epoch's forward pass
        "weights": weights,        # the weight used in each epoch's forward pass
        "outputs": outputs,        # the output of each epoch's forward pass
        "final_loss": losses[-1] if losses else None,
        "w": w.data,               # the trained weight
        "prediction": w.data * x,  # what the trained network outputs for x
        "grad_check": grad_check,
        "seconds": timer.seconds,
    }
    if verbose:
        print(f"trained: w = {w.data:.6f}, out = w * x = {w.data * x:.6f} (target {y:g}); "
              f"final loss {result['final_loss']:.3e}")
    if plot:
        save_curves(plot, {"exercise 1": losses}, "Exercise 1: loss per epoch")
    return result
