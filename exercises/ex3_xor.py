"""Exercise 3: XOR with a 2-2-1 network and a sigmoid output.

Statement: train a network with 2 inputs, a hidden layer of 2 neurons and 1 sigmoid output
neuron to compute XOR (exclusive or), the classic function that no single neuron can
learn because its two classes cannot be split by one straight line:

    x1  x2  | XOR
     0   0  |  0
     1   0  |  1
     1   1  |  0
     0   1  |  1

Initialise the weights with `numpy.random.randn` and every bias to 1, use the learning rate
0.2 and train for 5000 epochs. The loss must converge near 0 and all four rows must be
classified right (output > 0.5 means 1).

NOTE on the course text: it lists the inputs x = [[0,0],[1,0],[1,1],[0,1]] with the targets
y = [0,0,1,0]. Those targets are AND (1 only for [1,1]), not XOR; the XOR of those inputs
is y = [0,1,0,1], which is what we use here.

Choices this solution makes (the exercise leaves them open):
- the squared error of each row, L = (out - y) ** 2, and one gradient step per row
  (stochastic gradient descent in the table's order; 4 steps per epoch); the loss printed
  for an epoch is the mean over its four rows;
- a sigmoid hidden layer. With these hyper-parameters some random starts get stuck in a
  local minimum (one row stays wrong and the loss stalls near 0.125). Of the seeds 0..99,
  75 converge with sigmoid hidden neurons, 69 with relu and 61 with tanh (measured with
  `python -m exercises 3 --seeds 100 --activation ...`), so sigmoid it is; the default seed
  is 3, the first seed that converges (seeds 0, 1 and 2 get stuck).

The backward pass by hand (z = pre-activation, h = hidden output, o = network output):

    dL/do    = 2 * (o - y)
    dL/dzo   = dL/do * o * (1 - o)                    (sigmoid' = s * (1 - s))
    dL/dw2_j = dL/dzo * h_j          dL/db2  = dL/dzo
    dL/dh_j  = dL/dzo * w2_j
    dL/dz_j  = dL/dh_j * h_j * (1 - h_j)              (for a sigmoid hidden layer)
    dL/dw1_ij = dL/dz_j * x_i        dL/db1_j = dL/dz_j

The network is written with scalar `Value`s, one neuron at a time, so the drawing of a
training step (`--graph`) shows every multiplication.

Run it:  python -m exercises 3   (options: --seed --epochs --lr --activation --seeds N)
"""

import math

import numpy as np

from autograd_lite import Tensor, Value

from .common import (
    Timer,
    check_gradients,
    print_gradient_table,
    progress,
    render_step_graph,
    save_curves,
    save_step_through,
)

NAME = "XOR with a 2-2-1 network"
DEFAULT_SEED = 3
DEFAULTS = {"lr": 0.2, "epochs": 5000, "seed": DEFAULT_SEED, "activation": "sigmoid"}

#: The XOR table, rows in the order the course lists them.
X = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
Y = [0.0, 1.0, 0.0, 1.0]
#: The targets the course text gives for X: that is AND, not XOR (kept for the docs' note).
COURSE_TEXT_Y = [0.0, 0.0, 1.0, 0.0]

#: The row whose step is printed and drawn: [1, 1], where every gradient is non-zero.
SHOWN_ROW = 2

#: A run has converged when all four rows are right and the final loss is below this.
CONVERGED_LOSS = 0.05

#: Hidden activations: (the Value method, the derivative from z and h = act(z), for the
#: hand-written backward pass, the NumPy function for predictions).
ACTIVATIONS = {
    "sigmoid": ("sigmoid", lambda z, h: h * (1 - h), lambda z: 1 / (1 + np.exp(-z))),
    "tanh": ("tanh", lambda z, h: 1 - h * h, np.tanh),
    "relu": ("relu", lambda z, h: 1.0 if z > 0 else 0.0, lambda z: np.maximum(z, 0.0)),
}


def init_params(seed):
    """The starting point: weights from `numpy.random.randn`, every bias 1.

    `np.random.RandomState(seed).randn` draws the same numbers as `np.random.seed(seed)`
    followed by `np.random.randn`, without touching NumPy's global generator. W1[i][j]
    joins input i to hidden neuron j; w2[j] joins hidden neuron j to the output.
    """
    rng = np.random.RandomState(seed)
    w1 = rng.randn(2, 2)
    w2 = rng.randn(2, 1)
    return {"w1": w1, "b1": np.ones(2), "w2": w2, "b2": np.ones(1)}


def run(seed=DEFAULT_SEED, epochs=5000, lr=0.2, activation="sigmoid", graph=None, plot=None,
        verbose=False, print_every=500, step_through=None):
    """Train the 2-2-1 network on XOR; return losses, parameters, predictions and accuracy.

    >>> result = run(epochs=3000)
    >>> result["accuracy"], result["predicted_classes"]
    (1.0, [0, 1, 0, 1])
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"exercise 3: activation must be one of {', '.join(ACTIVATIONS)}, "
                         f"got {activation!r}")
    timer = Timer()
    method, _, _ = ACTIVATIONS[activation]
    start = init_params(seed)
    w1 = [[Value(start["w1"][i, j], label=f"w1_{i + 1}{j + 1}") for j in range(2)]
          for i in range(2)]
    b1 = [Value(start["b1"][j], label=f"b1_{j + 1}") for j in range(2)]
    w2 = [Value(start["w2"][j, 0], label=f"w2_{j + 1}") for j in range(2)]
    b2 = Value(start["b2"][0], label="b2")
    params = [w1[0][0], w1[0][1], w1[1][0], w1[1][1], *b1, *w2, b2]
    # inputs and targets are constants, made once
    xs = [[Value(v, label=f"x{i + 1}", requires_grad=False) for i, v in enumerate(row)]
          for row in X]
    ys = [Value(v, label="y", requires_grad=False) for v in Y]

    if verbose:
        print(f"Exercise 3: {NAME}; {activation} hidden layer, sigmoid output, lr = {lr:g}, "
              f"{epochs} epochs, seed = {seed}")
        print("XOR table: " + ", ".join(f"{_row(x)} -> {y:g}" for x, y in zip(X, Y)))
    losses, grad_checks = [], []
    for epoch in range(1, epochs + 1):
        total = 0.0
        for row, (x, y) in enumerate(zip(xs, ys)):
            # forward pass: two hidden neurons, then the sigmoid output neuron
            h = []
            for j in range(2):
                z = x[0] * w1[0][j] + x[1] * w1[1][j] + b1[j]
                hj = getattr(z, method)()
                hj.label = f"h{j + 1}"
                h.append(hj)
            out = (h[0] * w2[0] + h[1] * w2[1] + b2).sigmoid()
            out.label = "out"
            loss = (out - y) ** 2
            loss.label = "loss"

            # backward pass by the engine
            for p in params:
                p.grad = 0.0
            if step_through and epoch == 1 and row == SHOWN_ROW:  # the player of this step
                save_step_through(loss, step_through)
            loss.backward()

            if epoch == 1:  # check every step of the first epoch against the chain rule
                engine = {p.label: p.grad for p in params}
                grad_checks.append(check_gradients(engine, _gradients_by_hand(
                    params, X[row], Y[row], activation)))
                if verbose and row == SHOWN_ROW:
                    print_gradient_table(grad_checks[row], f"epoch 1, row {_row(X[row])}: "
                                         "gradients from the engine and by hand")
                if graph and row == SHOWN_ROW:
                    render_step_graph(loss, graph, f"Exercise 3, epoch 1, row {_row(X[row])}: "
                                      f"2-2-1 network, {activation} hidden, sigmoid output")

            # gradient descent step
            for p in params:
                p.data -= lr * p.grad
            total += loss.data
        losses.append(total / len(X))
        if verbose and epoch == 1:
            worst = max(r["difference"] for check in grad_checks for r in check)
            print(f"all {len(X)} steps of epoch 1 checked the same way: largest difference "
                  f"{worst:.1e}")
        if verbose and (epoch % print_every == 0 or epoch == 1):
            print(f"epoch {epoch:5d}  loss = {losses[-1]:.6f}  "
                  f"outputs = {_fmt(predict(_values(params), activation))}")

    trained = _values(params)
    outputs = predict(trained, activation)
    classes = [int(o > 0.5) for o in outputs]
    accuracy = sum(c == y for c, y in zip(classes, Y)) / len(Y)
    final_loss = losses[-1] if losses else None
    result = {
        "exercise": 3,
        "seed": seed, "epochs": epochs, "lr": lr, "activation": activation,
        "inputs": X, "targets": Y,
        "losses": losses,
        "final_loss": final_loss,
        "params": {k: v.tolist() for k, v in trained.items()},
        "predictions": outputs.tolist(),
        "predicted_classes": classes,
        "accuracy": accuracy,
        "converged": accuracy == 1.0 and final_loss is not None and final_loss < CONVERGED_LOSS,
        "grad_check": grad_checks[SHOWN_ROW] if grad_checks else None,
        "grad_check_max_difference": max((r["difference"] for check in grad_checks
                                          for r in check), default=None),
        "seconds": timer.seconds,
    }
    if verbose:
        print("after training:")
        for x, y, o, c in zip(X, Y, outputs, classes):
            print(f"  {_row(x)} -> {o:.4f} -> class {c}  (XOR {y:g}) "
                  f"{'right' if c == y else 'WRONG'}")
        state = "converged" if result["converged"] else "did NOT converge (stuck)"
        print(f"accuracy {accuracy:.0%}, final loss {final_loss:.2e}: {state}")
    if plot:
        save_curves(plot, {"exercise 3": losses}, f"Exercise 3 (XOR, seed {seed}): loss "
                    "per epoch")
    return result


def predict(params, activation="sigmoid"):
    """The network's outputs for the four XOR rows, from a dict of NumPy parameters."""
    act = ACTIVATIONS[activation][2]
    x = np.array(X)
    h = act(x @ params["w1"] + params["b1"])
    z = h @ params["w2"] + params["b2"]
    return (1 / (1 + np.exp(-z)))[:, 0]


def seed_study(seeds=range(100), epochs=5000, lr=0.2, activation="sigmoid", verbose=False):
    """Train the exercise's network from every seed in `seeds`; which ones converge?

    All seeds train at once with the tensor engine: every parameter gets a leading seed
    axis (W1 is (S, 2, 2)), and the summed loss of S independent networks gives each its
    own gradient. The steps are exercise 3's (same initialisation, same row order), so
    each seed ends where `run(seed=...)` ends, up to rounding.

    >>> study = seed_study(seeds=[0, 3], epochs=3000)
    >>> study["converged"]
    [False, True]
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"seed_study: activation must be one of {', '.join(ACTIVATIONS)}, "
                         f"got {activation!r}")
    timer = Timer()
    seeds = [int(s) for s in seeds]
    starts = [init_params(s) for s in seeds]
    s = len(seeds)
    w1 = Tensor(np.stack([p["w1"] for p in starts]), requires_grad=True)            # (S,2,2)
    b1 = Tensor(np.stack([p["b1"] for p in starts])[:, None, :], requires_grad=True)  # (S,1,2)
    w2 = Tensor(np.stack([p["w2"] for p in starts]), requires_grad=True)            # (S,2,1)
    b2 = Tensor(np.stack([p["b2"] for p in starts])[:, None, :], requires_grad=True)  # (S,1,1)
    params = [w1, b1, w2, b2]
    rows = [(Tensor(np.array([x])), Tensor(np.array([[y]]))) for x, y in zip(X, Y)]
    act = ACTIVATIONS[activation][0]

    losses = np.zeros((epochs, s))
    bar = progress(range(epochs), total=epochs, desc=f"{s} seeds", enabled=verbose)
    for epoch in bar:
        for x, y in rows:
            h = getattr(x @ w1 + b1, act)()
            out = (h @ w2 + b2).sigmoid()
            per_seed = (out - y) ** 2                   # (S, 1, 1)
            per_seed.sum().backward()                   # seeds do not interact
            for p in params:
                p.data -= lr * p.grad
                p.grad = None
            losses[epoch] += per_seed.data[:, 0, 0]
        losses[epoch] /= len(X)
        if epoch % 100 == 99:
            bar.set_postfix(converged_so_far=int((losses[epoch] < CONVERGED_LOSS).sum()))
    bar.close()

    trained = [{"w1": w1.data[i], "b1": b1.data[i, 0], "w2": w2.data[i], "b2": b2.data[i, 0]}
               for i in range(s)]
    outputs = [predict(p, activation) for p in trained]
    right = [bool(np.all((o > 0.5) == (np.array(Y) > 0.5))) for o in outputs]
    final = losses[-1] if epochs else np.full(s, np.nan)
    converged = [bool(r and f < CONVERGED_LOSS) for r, f in zip(right, final)]
    return {
        "seeds": seeds, "epochs": epochs, "lr": lr, "activation": activation,
        "final_losses": final.tolist(),
        "all_rows_right": right,
        "converged": converged,
        "fraction": sum(converged) / s if s else 0.0,
        "stuck_seeds": [sd for sd, c in zip(seeds, converged) if not c],
        "seconds": timer.seconds,
    }


def _gradients_by_hand(params, x, y, activation):
    """dL/d(parameter) for one row, written out with the chain rule on floats."""
    w11, w12, w21, w22, b1_1, b1_2, w2_1, w2_2, b2 = (p.data for p in params)
    act, d_act = ACTIVATIONS[activation][2], ACTIVATIONS[activation][1]
    z1 = x[0] * w11 + x[1] * w21 + b1_1
    z2 = x[0] * w12 + x[1] * w22 + b1_2
    h1, h2 = float(act(z1)), float(act(z2))
    o = 1 / (1 + math.exp(-(h1 * w2_1 + h2 * w2_2 + b2)))
    d_zo = 2 * (o - y) * o * (1 - o)
    d_z1 = d_zo * w2_1 * d_act(z1, h1)
    d_z2 = d_zo * w2_2 * d_act(z2, h2)
    return {"w1_11": d_z1 * x[0], "w1_12": d_z2 * x[0], "w1_21": d_z1 * x[1],
            "w1_22": d_z2 * x[1], "b1_1": d_z1, "b1_2": d_z2,
            "w2_1": d_zo * h1, "w2_2": d_zo * h2, "b2": d_zo}


def _values(params):
    """The current parameters as NumPy arrays, in `init_params`'s layout."""
    w11, w12, w21, w22, b1_1, b1_2, w2_1, w2_2, b2 = (p.data for p in params)
    return {"w1": np.array([[w11, w12], [w21, w22]]), "b1": np.array([b1_1, b1_2]),
            "w2": np.array([[w2_1], [w2_2]]), "b2": np.array([b2])}


def _row(x):
    return f"[{x[0]:g}, {x[1]:g}]"


def _fmt(outputs):
    return "[" + ", ".join(f"{o:.3f}" for o in outputs) + "]"
