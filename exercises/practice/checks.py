"""The checks of practise mode, run on the names a learner's file or notebook defines.

`run_checks(n, namespace)` runs exercise n's checks in order and stops at the first failure:
interface (names, signatures, shapes), forward (against the reference at random weights),
gradients (each hand-written gradient against the engine's reverse mode, with finite
differences as a second witness, and a diagnosis of the mistake), training (the loss falls
and the goal is met). It returns a `Verdict`. The learner's code is called inside
`Checker.call`, so an exception, a `sys.exit` or a `TODO` becomes a verdict, not a crash.
"""

import inspect
import math
import sys
import time
import traceback
from pathlib import Path

import numpy as np

from . import reference as ref
from .i18n import _
from .verdict import ERROR, FAILED, PASSED, Verdict

__all__ = ["CHECK_NAMES", "Stop", "run_checks"]

#: The steps, in order.
CHECK_NAMES = ("interface", "forward", "gradients", "training")
ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
RTOL, ATOL = 1e-5, 1e-7


class Stop(Exception):
    """A check failed: `code` names the failure (or the mistake diagnosed) for tools."""

    def __init__(self, message, code="wrong", status=FAILED):
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


def fmt(value):
    """A number or array for a message: 6 significant digits."""
    if isinstance(value, (list, tuple, np.ndarray)):
        array = np.asarray(value, dtype=np.float64)
        text = np.array2string(array, precision=6, separator=", ", suppress_small=True)
        return " ".join(text.split())  # one line, also for matrices
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return repr(value)


def close(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))


def shape_of(value):
    try:
        return np.shape(value)
    except Exception:  # noqa: BLE001 - a ragged list has no shape
        return None


class Checker:
    """Calls the learner's code safely and turns every problem into a `Stop`."""

    def __init__(self, n, namespace, filename=None):
        self.n, self.ns, self.filename = n, namespace, filename

    # ----- finding and calling the learner's code -----

    def names(self, *names, kind="function"):
        missing = [name for name in names if not callable(self.ns.get(name))]
        if missing:
            first = missing[0]
            if first in self.ns:
                raise Stop(_("`{name}` is defined but is not a {kind}.").format(
                    name=first, kind=_("class") if kind == "class" else _("function")),
                    "missing_name")
            raise Stop(_("`{name}` is missing: define the {kind} `{name}` (the exercise's "
                         "interface: {all}).").format(
                name=first, kind=_("class") if kind == "class" else _("function"),
                all=", ".join(names)), "missing_name")
        return [self.ns[name] for name in names]

    def signature(self, fn, label, args):
        """`fn` accepts `args` positionally (the fixed interface), else Stop."""
        try:
            inspect.signature(fn).bind(*args)
        except TypeError:
            raise Stop(_("`{label}` must take ({expected}); yours takes {actual}.").format(
                label=label, expected=", ".join(args),
                actual=str(inspect.signature(fn))), "signature") from None
        except ValueError:
            pass  # builtins without a signature: let the call decide

    def call(self, label, fn, *args):
        """The learner's `fn(*args)`; a TODO, an exception or sys.exit becomes a Stop."""
        try:
            return fn(*args)
        except NotImplementedError as err:
            where = self._line(err)
            raise Stop(_("Still to do: {label} is not written yet{where}. {todo}").format(
                label=label, where=where, todo=str(err) or _("Replace the TODO with your code.")
            ).strip(), "todo") from None
        except (Exception, SystemExit) as err:  # noqa: BLE001 - the learner's code crashed
            kind = "sys.exit" if isinstance(err, SystemExit) else type(err).__name__
            raise Stop(_("{label} crashed{where}: {error}: {detail}").format(
                label=label, where=self._line(err), error=kind, detail=err),
                "crash") from None

    def _line(self, err):
        frames = [f for f in traceback.extract_tb(err.__traceback__)
                  if f.filename.split("::")[0] == self.filename
                  or (self.filename is None and _learners(f.filename))]
        if not frames:
            return ""
        cell = frames[-1].filename.partition("::")[2]
        if cell:
            return _(" ({cell}, line {line})").format(cell=cell, line=frames[-1].lineno)
        return _(" (line {line})").format(line=frames[-1].lineno)

    # ----- checking what came back -----

    def number(self, value, label):
        shape = shape_of(value)
        if isinstance(value, (bool, str)) or shape is None or math.prod(shape) != 1:
            raise Stop(_("{label} must return one number; yours returned {value!r}.").format(
                label=label, value=_short(value)), "shape")
        return float(np.asarray(value, dtype=np.float64).reshape(()))

    def array(self, value, shape, label):
        got = shape_of(value)
        if got != tuple(shape):
            if got is not None and len(got) == 2 and got == tuple(shape)[::-1]:
                raise Stop(_("{label} has shape {got}, but it must have shape {shape}: it is "
                             "transposed. For weights indexed [input i, neuron j], "
                             "dL/dW[i, j] = x_i * dL/dz_j, that is x.T @ dz.").format(
                    label=label, got=got, shape=tuple(shape)), "weight_transposed")
            raise Stop(_("{label} must have shape {shape}; yours has shape {got}.").format(
                label=label, shape=tuple(shape), got=got), "shape")
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise Stop(_("{label} must hold numbers; yours is {value!r}.").format(
                label=label, value=_short(value)), "shape") from None
        if not np.all(np.isfinite(array)):
            raise Stop(_("{label} holds nan or inf: {value}.").format(
                label=label, value=fmt(array)), "not_finite")
        return array

    def pair(self, value, label, epochs):
        """(something, losses) as `train` returns it."""
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise Stop(_("{label} must return a pair (parameters, losses); yours returned "
                         "{value!r}.").format(label=label, value=_short(value)), "shape")
        result, losses = value
        self.losses(losses, label, epochs)
        return result, [float(v) for v in np.ravel(np.asarray(losses, dtype=np.float64))]

    def losses(self, losses, label, epochs=None):
        try:
            values = np.ravel(np.asarray(losses, dtype=np.float64))
        except (TypeError, ValueError):
            raise Stop(_("the losses returned by {label} must be a list of numbers; got "
                         "{value!r}.").format(label=label, value=_short(losses)),
                       "shape") from None
        if epochs is not None and values.size != epochs:
            raise Stop(_("{label} must return one loss per epoch ({epochs}); yours returned "
                         "{count}.").format(label=label, epochs=epochs, count=values.size),
                       "shape")
        if values.size == 0:
            raise Stop(_("{label} returned no losses.").format(label=label), "shape")
        return values


def _learners(filename):
    """Is `filename` the learner's (a notebook cell), not Python's, NumPy's or ours?"""
    here = str(Path(__file__).resolve().parent)
    return not (filename.startswith((here, sys.prefix, sys.base_prefix))
                or "site-packages" in filename)


def _short(value):
    text = repr(value)
    return text if len(text) < 80 else text[:77] + "..."


# ----- gradient comparison and diagnosis -----

def compare_gradients(label, where, params, yours, right, witness, variants, explain=None):
    """Stop at the first parameter (in `params` order) whose gradient is wrong.

    `yours`, `right`, `witness` map names to arrays; `variants` is a list of (code, grads)
    with grads {name: array} computed by the engine for each known mistake; `explain(name)`
    returns the chain-rule product of the layer of `name`, shown when no variant fits.
    """
    for at, name in enumerate(params):
        mine, good = np.asarray(yours[name], dtype=np.float64), np.asarray(right[name])
        if close(mine, good):
            continue
        bad = np.argwhere(~np.isclose(mine, good, rtol=RTOL, atol=ATOL))
        index = tuple(int(i) for i in bad[0]) if mine.ndim else ()
        shown = name + ("[" + ", ".join(map(str, index)) + "]" if index else "")
        message = _("{label}: the gradient {param} is wrong ({where}). Yours is {yours}, the "
                    "right value is {right} (the engine's reverse mode; central finite "
                    "differences give {witness}).").format(
            label=label, param=shown, where=where, yours=fmt(mine[index]),
            right=fmt(good[index]), witness=fmt(np.asarray(witness[name])[index]))
        if mine.ndim == 2 and mine.shape == good.T.shape:
            variants = [*variants, ("weight_transposed", {name: good.T})]
        for code, grads in variants:
            # the variant must explain this gradient and agree with the ones checked before
            if name in grads and not close(grads[name], good) and all(
                    close(yours[p], grads[p]) for p in params[:at + 1] if p in grads):
                return Stop(message + "\n" + diagnosis(code, name), code)
        more = explain(name) if explain else ""
        return Stop(message + ("\n" + more if more else ""), "wrong_gradient")
    return None


def diagnosis(code, param):
    """The explanation of a recognised mistake, for the gradient `param`."""
    texts = {
        "sign_flipped": _(
            "Diagnosis: the sign is flipped. Your {param} is exactly minus the right gradient. "
            "The derivative of L = (out - y)**2 is dL/dout = 2 * (out - y), not 2 * (y - out); "
            "the minus sign belongs only to the update, w = w - lr * dL/dw."),
        "factor_2_missing": _(
            "Diagnosis: the factor 2 of the square is missing. Your {param} is half the right "
            "value: the derivative of (out - y)**2 is 2 * (out - y)."),
        "factor_2_doubled": _(
            "Diagnosis: the factor 2 is counted twice. Your {param} is twice the right value: "
            "the derivative of (out - y)**2 is 2 * (out - y), with the 2 only once."),
        "input_missing": _(
            "Diagnosis: the input factor is missing. Your {param} is dL/dz, the gradient at "
            "the neuron, without its input: a weight multiplies its input x, so dL/dw = "
            "dL/dz * x."),
        "activation_derivative_missing_hidden": _(
            "Diagnosis: the derivative of the hidden layer's activation is missing. Your "
            "{param} is what the chain rule gives without multiplying by the activation's "
            "derivative: dL/dz = dL/dh * s'(z), with s'(z) = h * (1 - h) for a sigmoid."),
        "activation_derivative_missing_output": _(
            "Diagnosis: the derivative of the output's activation is missing. Your {param} is "
            "what the chain rule gives without multiplying by the output sigmoid's derivative: "
            "dL/dz_out = dL/dout * out * (1 - out)."),
        "activation_derivative_missing": _(
            "Diagnosis: the activation's derivative is missing. Your {param} is what the chain "
            "rule gives without multiplying by it: dL/dz = dL/d(output) * s'(z), with "
            "s'(z) = a * (1 - a) for a sigmoid, 1 - a**2 for tanh, (z > 0) for relu."),
        "derivative_at_output": _(
            "Diagnosis: the activation's derivative was taken at its output instead of its "
            "input. You computed s'(a) with a = s(z), the s(s(z)) * (1 - s(s(z))) pattern. The "
            "derivative belongs at the pre-activation z: s'(z), which for a sigmoid is "
            "a * (1 - a), written with the output a you already have."),
        "bias_not_summed": _(
            "Diagnosis: the bias gradient is not summed over the batch. Every sample of the "
            "batch adds its own dL/dz to the bias gradient: d_bias = dz.sum(axis=0) (one row "
            "per sample), not one row of dz and not their mean."),
        "weight_transposed": _(
            "Diagnosis: the weight gradient is transposed. Your {param}[i, j] is the right "
            "[j, i]. With weights indexed [input i, neuron j], dL/dW[i, j] = x_i * dL/dz_j: "
            "x.T @ dz, of shape (inputs, neurons)."),
        "updated_weights_used": _(
            "Diagnosis: updated weights were used inside backward. Your {param} is what you get "
            "when a layer's weights are updated before its dL/dx is computed. Send the gradient "
            "back with the weights the forward pass used, then update."),
        "last_sample_only": _(
            "Diagnosis: the gradient is right only for the last sample of the batch. The "
            "gradient of a batch is the sum over all its samples: accumulate with += in the "
            "loop over samples, or use matrix products over the whole batch (x.T @ dz)."),
    }
    return texts[code].format(param=param)


# ----- the steps of each exercise -----

def _draws(seed, count, fn):
    rng = np.random.default_rng(seed)
    return [fn(rng) for _ in range(count)]


def check_ex1(c):
    c.step = "interface"
    forward, backward, train = c.names("forward", "backward", "train")
    c.signature(forward, "forward", ("w", "x"))
    c.signature(backward, "backward", ("w", "x", "y"))
    c.signature(train, "train", ("w", "x", "y", "lr", "epochs"))
    c.number(c.call("forward(w, x)", forward, 0.8, 1.5), "forward(w, x)")
    c.number(c.call("backward(w, x, y)", backward, 0.8, 1.5, 0.5), "backward(w, x, y)")
    w, _losses = c.pair(c.call("train(w, x, y, lr, epochs)", train, 0.8, 1.5, 0.5, 0.1, 3),
                        "train(w, x, y, lr, epochs)", 3)
    c.number(w, _("the w returned by train"))
    yield "interface", _("forward, backward and train exist and return the right shapes.")

    c.step = "forward"
    for w, x in _draws(1, 3, lambda r: r.normal(size=2)):
        out = c.number(c.call("forward(w, x)", forward, w, x), "forward(w, x)")
        if not close(out, w * x):
            raise Stop(_("forward(w, x) at w = {w}, x = {x} returns {yours}; the network's "
                         "output is w * x = {right}.").format(w=fmt(w), x=fmt(x),
                                                            yours=fmt(out), right=fmt(w * x)))
    yield "forward", _("forward matches the reference at 3 random points.")

    c.step = "gradients"
    for w, x, y in _draws(2, 4, lambda r: r.normal(size=3)):
        def grad_of(scale=1.0, xs=x):
            grads, _out = ref.network_gradients([(np.array([[w]]), np.zeros(1), "linear")],
                                                [xs], y, scale)
            return {"w": grads[0].reshape(())}

        right = grad_of()
        weight = np.array(w)
        witness = {"w": ref.numeric(lambda: float((weight * x - y) ** 2), weight)}
        mine = {"w": c.number(c.call("backward(w, x, y)", backward, w, x, y),
                              "backward(w, x, y)")}
        variants = [("sign_flipped", grad_of(-1.0)), ("factor_2_missing", grad_of(0.5)),
                    ("factor_2_doubled", grad_of(2.0)),
                    ("input_missing", {"w": np.array(2 * (w * x - y))})]
        where = f"w = {fmt(w)}, x = {fmt(x)}, y = {fmt(y)}"
        stop = compare_gradients("backward", where, ["w"], mine, right, witness, variants,
                                 lambda name: _explain_ex1(w, x, y))
        if stop:
            raise stop
    yield "gradients", _("backward agrees with the engine's reverse mode and with finite "
                         "differences at 4 random points.")

    c.step = "training"
    label = "train(w, x, y, lr, epochs)"
    w1, _losses = c.pair(c.call(label, train, 0.8, 1.5, 0.5, 0.1, 1), label, 1)
    step = 0.1 * 2 * (0.8 * 1.5 - 0.5) * 1.5
    _check_step(c.number(w1, _("the w returned by train")), {"right": [0.8 - step],
                "sign_flipped": [0.8 + step], "no_update": [0.8]}, lambda v: [v])
    w, losses = c.pair(c.call(label, train, 0.8, 1.5, 0.5, 0.1, 20), label, 20)
    _loss_falls(losses, "train")
    if not losses[-1] < 1e-3:
        raise Stop(_("after 20 epochs from w = 0.8 (x = 1.5, y = 0.5, lr = 0.1) the loss is "
                     "{loss}; it must go below 0.001 (the right w is y / x = 0.3333).").format(
            loss=fmt(losses[-1])), "goal_not_reached")
    yield "training", _("the loss falls from {first} to {last} in 20 epochs and w reaches "
                        "{w} (y / x = 0.333333).").format(first=fmt(losses[0]),
                                                           last=fmt(losses[-1]), w=fmt(w))


def _explain_ex1(w, x, y):
    out = w * x
    return _("Chain rule: dL/dw = dL/dout * dout/dw = 2 * (out - y) * x = 2 * ({out} - {y}) * "
             "{x} = {value}.").format(out=fmt(out), y=fmt(y), x=fmt(x),
                                      value=fmt(2 * (out - y) * x))


def _loss_falls(losses, label):
    if not losses[-1] < losses[0]:
        raise Stop(_("{label}: the loss does not fall (first epoch {first}, last epoch "
                     "{last}). Check the update: w = w - lr * dL/dw, for every parameter.")
                   .format(label=label, first=fmt(losses[0]), last=fmt(losses[-1])),
                   "loss_not_falling")


# exercises 2 and 3: a dict of parameters, one sample at a time

SHAPES = {2: {"w1": (2,), "b1": (2,), "w2": (2,), "b2": ()},
          3: {"w1": (2, 2), "b1": (2,), "w2": (2,), "b2": ()}}
OUTPUT_ACTIVATION = {2: "linear", 3: "sigmoid"}
BACKPROP_ORDER = ("w2", "b2", "w1", "b1")


def _layers(n, params):
    """The learner's dict as the reference's list of (weights, bias, activation)."""
    w1 = np.asarray(params["w1"], dtype=np.float64).reshape(-1, 2)
    w2 = np.asarray(params["w2"], dtype=np.float64).reshape(2, 1)
    return [(w1, np.asarray(params["b1"], dtype=np.float64), "sigmoid"),
            (w2, np.asarray(params["b2"], dtype=np.float64).reshape(1), OUTPUT_ACTIVATION[n])]


def _as_dict(n, grads):
    return {name: np.asarray(g).reshape(SHAPES[n][name])
            for name, g in zip(("w1", "b1", "w2", "b2"), grads)}


def _forward_ref(n, params, x):
    h = ref.ACTIVATIONS["sigmoid"](np.atleast_1d(x) @ _layers(n, params)[0][0] + params["b1"])
    out = h @ np.asarray(params["w2"]) + float(params["b2"])
    return (ref.ACTIVATIONS[OUTPUT_ACTIVATION[n]](out), h)


def _random_params(n, rng):
    return {name: (rng.normal(size=shape) if shape else float(rng.normal()))
            for name, shape in SHAPES[n].items()}


def _sample(n, rng):
    if n == 2:
        return float(rng.normal()), float(rng.normal())
    return rng.integers(0, 2, size=2).astype(np.float64) + rng.normal(0, 0.1, 2), \
        float(rng.integers(0, 2))


def _params_text(params):
    return ", ".join(f"{k} = {fmt(v)}" for k, v in params.items())


def check_hidden(c):
    """Exercises 2 and 3: forward(params, x), backward(params, x, y), train(...)."""
    n = c.n
    c.step = "interface"
    forward, backward, train = c.names("forward", "backward", "train")
    c.signature(forward, "forward", ("params", "x"))
    c.signature(backward, "backward", ("params", "x", "y"))
    c.signature(train, "train", ("params", "X", "Y", "lr", "epochs"))
    rng = np.random.default_rng(0)
    params = _random_params(n, rng)
    x, y = _sample(n, rng)
    c.number(c.call("forward(params, x)", forward, _copy(params), x), "forward(params, x)")
    grads = c.call("backward(params, x, y)", backward, _copy(params), x, y)
    _grad_dict(c, n, grads)
    X, Y = _task(n)
    c.pair(c.call("train(params, X, Y, lr, epochs)", train, _copy(params), X, Y, 0.1, 2),
           "train(params, X, Y, lr, epochs)", 2)
    yield "interface", _("forward, backward and train exist and return the right shapes.")

    c.step = "forward"
    for seed in range(3):
        rng = np.random.default_rng(10 + seed)
        params, (x, _y) = _random_params(n, rng), _sample(n, rng)
        out = c.number(c.call("forward(params, x)", forward, _copy(params), x),
                       "forward(params, x)")
        right = float(_forward_ref(n, params, x)[0])
        if not close(out, right):
            raise Stop(_("forward(params, x) returns {yours}; the right output is {right} "
                         "(at x = {x}, {params}).").format(yours=fmt(out), right=fmt(right),
                                                           x=fmt(x), params=_params_text(params)))
    yield "forward", _("forward matches the reference at 3 random sets of weights.")

    c.step = "gradients"
    for seed in range(4):
        rng = np.random.default_rng(20 + seed)
        params, (x, y) = _random_params(n, rng), _sample(n, rng)
        mine = _grad_dict(c, n, c.call("backward(params, x, y)", backward, _copy(params), x, y))
        layers = _layers(n, params)
        right = _as_dict(n, ref.network_gradients(layers, x, y)[0])
        witness = _witness(n, params, x, y)
        variants = [
            ("sign_flipped", _as_dict(n, ref.network_gradients(layers, x, y, -1.0)[0])),
            ("factor_2_missing", _as_dict(n, ref.network_gradients(layers, x, y, 0.5)[0])),
            ("factor_2_doubled", _as_dict(n, ref.network_gradients(layers, x, y, 2.0)[0])),
        ]
        for layer, suffix in ((1, "output"), (0, "hidden")):
            if layers[layer][2] == "linear":
                continue
            for mistake, code in (("no_derivative", "activation_derivative_missing_" + suffix),
                                  ("at_output", "derivative_at_output")):
                grads = ref.network_gradients(layers, x, y, mistake=mistake,
                                              mistake_layer=layer)[0]
                variants.append((code, _as_dict(n, grads)))
        if n == 2:
            variants.append(("input_missing", {"w1": right["b1"]}))
        where = f"x = {fmt(x)}, y = {fmt(y)}, {_params_text(params)}"
        stop = compare_gradients("backward", where, BACKPROP_ORDER, mine, right, witness,
                                 variants, lambda name: _explain_hidden(n, params, x, y, name,
                                                                        mine))
        if stop:
            raise stop
    yield "gradients", _("every gradient of backward agrees with the engine's reverse mode "
                         "and with finite differences at 4 random sets of weights.")

    c.step = "training"
    _check_first_epoch(c, n, train)
    yield from _train_hidden(c, n, train)


def _check_step(got, candidates, flat):
    """After one epoch of the learner's train: a known wrong update is diagnosed.

    `candidates` maps "right" (and other accepted updates: "right...") and the mistakes'
    codes to the parameters they give, as flat lists; anything else is left to the goal
    check (a learner may shuffle the rows, for instance).
    """
    mine = np.asarray(flat(got), dtype=np.float64)
    if any(close(mine, value) for code, value in candidates.items() if code.startswith("right")):
        return
    for code, value in candidates.items():
        if not code.startswith("right") and close(mine, value):
            raise Stop(_("After one epoch, train left the parameters at {yours}; one step of "
                         "gradient descent gives {right}.").format(
                yours=fmt(mine), right=fmt(candidates["right"])) + "\n"
                + _update_diagnosis(code), code)


def _update_diagnosis(code):
    if code == "no_update":
        return _("Diagnosis: train does not update the parameters. After computing the "
                 "gradients, take the step: every parameter = parameter - lr * its gradient, "
                 "and keep the new values for the next step.")
    if code == "sign_flipped":
        return _("Diagnosis: the sign is flipped in the update: the parameters moved "
                 "uphill, parameter + lr * gradient. Gradient descent subtracts: parameter = "
                 "parameter - lr * gradient.")
    return diagnosis(code, "train")


def _check_first_epoch(c, n, train):
    """One epoch on two samples, from known weights: which update did train make?"""
    rng = np.random.default_rng(30)
    params = _random_params(n, rng)
    samples = [_sample(n, rng) for _ in range(2)]
    X, Y = [s[0] for s in samples], [s[1] for s in samples]
    lr = 0.5

    def grads(p, x, y):
        return _as_dict(n, ref.network_gradients(_layers(n, p), x, y)[0])

    def step(p, g, sign=-1.0):
        return {k: np.asarray(p[k], dtype=np.float64) + sign * lr * g[k] for k in SHAPES[n]}

    def flat(p):
        return np.concatenate([np.ravel(np.asarray(p[k], dtype=np.float64)) for k in SHAPES[n]])

    sgd, uphill = dict(params), dict(params)
    for x, y in zip(X, Y):
        sgd = step(sgd, grads(sgd, x, y))
        uphill = step(uphill, grads(uphill, x, y), 1.0)
    both = [grads(params, x, y) for x, y in zip(X, Y)]
    total = {k: both[0][k] + both[1][k] for k in SHAPES[n]}
    label = "train(params, X, Y, lr, epochs)"
    trained, _losses = c.pair(c.call(label, train, _copy(params), X, Y, lr, 1), label, 1)
    trained = _grad_dict(c, n, trained) if isinstance(trained, dict) else trained
    _check_step(trained, {
        "right": flat(sgd), "right_batch": flat(step(params, total)),
        "right_mean": flat(step(params, {k: v / 2 for k, v in total.items()})),
        "sign_flipped": flat(uphill), "no_update": flat(params),
        "last_sample_only": flat(step(params, both[1]))}, flat)


def _copy(params):
    return {k: (np.array(v, dtype=np.float64) if np.ndim(v) else v) for k, v in params.items()}


def _grad_dict(c, n, grads):
    if not isinstance(grads, dict):
        raise Stop(_("backward(params, x, y) must return a dict with the keys {keys}; yours "
                     "returned {value!r}.").format(keys=", ".join(SHAPES[n]),
                                                   value=_short(grads)), "shape")
    missing = [k for k in SHAPES[n] if k not in grads]
    if missing:
        raise Stop(_("the dict returned by backward has no key {key!r} (it needs {keys}).")
                   .format(key=missing[0], keys=", ".join(SHAPES[n])), "missing_name")
    grads = dict(grads)
    if np.size(grads["b2"]) == 1 and shape_of(grads["b2"]) is not None:
        grads["b2"] = np.reshape(grads["b2"], ())  # a float, or an array of one number
    return {k: c.array(grads[k], shape, f"backward(...)[{k!r}]")
            for k, shape in SHAPES[n].items()}


def _witness(n, params, x, y):
    work = {k: np.array(v, dtype=np.float64) for k, v in params.items()}

    def loss():
        return float((_forward_ref(n, work, x)[0] - y) ** 2)

    return {k: ref.numeric(loss, work[k]) for k in work}


def _explain_hidden(n, params, x, y, name, mine):
    """The chain-rule product of the layer of `name`, with this sample's numbers."""
    out, h = _forward_ref(n, params, x)
    xs = np.atleast_1d(np.asarray(x, dtype=np.float64))
    d_out = 2 * (out - y)
    act = out * (1 - out) if n == 3 else 1.0
    d_zo = d_out * act
    o, t, d = fmt(out), fmt(y), fmt(d_zo)
    output_part = (f"dL/dz_out = dL/dout * out * (1 - out) = 2 * ({o} - {t}) * {o} * (1 - {o}) "
                   f"= {d}" if n == 3 else f"dL/dout = 2 * (out - y) = 2 * ({o} - {t}) = {d}")
    if name in ("w2", "b2"):
        return _("The first layer with a wrong gradient is the output layer. Its chain rule, "
                 "with this sample's numbers:\n  {part}\n  dL/dw2[j] = {dz} * h_j, with h = "
                 "{h}: {w2}\n  dL/db2 = {dz}\nYour backward gave dL/dw2 = {yw2}, dL/db2 = "
                 "{yb2}.").format(part=output_part, dz=fmt(d_zo), h=fmt(h),
                                  w2=fmt(d_zo * h), yw2=fmt(mine["w2"]), yb2=fmt(mine["b2"]))
    w2 = np.asarray(params["w2"], dtype=np.float64)
    d_z = d_zo * w2 * h * (1 - h)
    return _("The output layer's gradients are right; the first layer with a wrong gradient "
             "is the hidden layer. Its chain rule, with this sample's numbers:\n  {part}\n  "
             "dL/dz_j = dL/dz_out * w2_j * h_j * (1 - h_j) = {dz} * {w2} * {h} * (1 - {h}) = "
             "{dzh}\n  dL/db1_j = dL/dz_j = {dzh}\n  dL/dw1[i, j] = x_i * dL/dz_j = {dw1}\n"
             "Your dL/db2 = {yb2} is dL/dz_out, so your hidden layer starts from it; your "
             "backward gave dL/dw1 = {yw1}, dL/db1 = {yb1}.").format(
        part=output_part, dz=fmt(d_zo), w2=fmt(w2), h=fmt(h), dzh=fmt(d_z),
        dw1=fmt(np.outer(xs, d_z).reshape(SHAPES[n]["w1"])), yb2=fmt(mine["b2"]),
        yw1=fmt(mine["w1"]), yb1=fmt(mine["b1"]))


def _task(n):
    if n == 2:
        return [1.5], [0.5]
    from exercises.ex3_xor import X, Y

    return [list(x) for x in X], list(Y)


def _train_hidden(c, n, train):
    X, Y = _task(n)
    if n == 2:
        rng = np.random.RandomState(0)
        params = {"w1": rng.randn(2), "b1": np.zeros(2), "w2": rng.randn(2), "b2": 0.0}
        lr, epochs = 0.1, 20
    else:
        from exercises.ex3_xor import DEFAULT_SEED, init_params

        start = init_params(DEFAULT_SEED)
        params = {"w1": start["w1"], "b1": np.ones(2), "w2": start["w2"].ravel(), "b2": 1.0}
        lr, epochs = 0.2, 5000
    label = "train(params, X, Y, lr, epochs)"
    trained, losses = c.pair(c.call(label, train, _copy(params), list(X), list(Y), lr,
                                    epochs), label, epochs)
    _loss_falls(losses, "train")
    if n == 2:
        if not losses[-1] < 1e-3:
            raise Stop(_("after 20 epochs (x = 1.5, y = 0.5, lr = 0.1) the loss is {loss}; it "
                         "must go below 0.001.").format(loss=fmt(losses[-1])),
                       "goal_not_reached")
        yield "training", _("the loss falls from {first} to {last} in 20 epochs.").format(
            first=fmt(losses[0]), last=fmt(losses[-1]))
        return
    trained = _grad_dict(c, n, trained) if isinstance(trained, dict) else trained
    outputs = [float(_forward_ref(n, trained, x)[0]) for x in X]
    wrong = [i for i, (o, y) in enumerate(zip(outputs, Y)) if int(o > 0.5) != y]
    if wrong:
        row = X[wrong[0]]
        raise Stop(_("after {epochs} epochs (lr {lr}, weights from numpy.random.randn with seed "
                     "{seed}, every bias 1) the network gets {count} of the 4 XOR rows wrong: "
                     "row {row} gives {out} (target {y}). The loss went from {first} to {last}."
                     ).format(epochs=epochs, lr=lr, seed=3, count=len(wrong), row=row,
                              out=fmt(outputs[wrong[0]]), y=int(Y[wrong[0]]),
                              first=fmt(losses[0]), last=fmt(losses[-1])), "goal_not_reached")
    yield "training", _("XOR is learned: all four rows right (outputs {outputs}); the loss fell "
                        "from {first} to {last}.").format(outputs=fmt(outputs),
                                                         first=fmt(losses[0]),
                                                         last=fmt(losses[-1]))


# exercises 4 and 5: the Layer and NeuralNetwork classes

def _set(layer, weights, bias):
    layer.weights = np.array(weights, dtype=np.float64)
    layer.bias = np.array(bias, dtype=np.float64)


def _layers_of(net):
    """The network's layers: `net.layers`, else the first list of objects with weights."""
    found = getattr(net, "layers", None)
    if isinstance(found, (list, tuple)):
        return list(found)
    for value in vars(net).values():
        if isinstance(value, (list, tuple)) and value and all(hasattr(v, "weights")
                                                               for v in value):
            return list(value)
    raise Stop(_("NeuralNetwork must keep its layers in a list called `layers`."),
               "missing_name")


def check_classes(c):
    c.step = "interface"
    Layer, NeuralNetwork = c.names("Layer", "NeuralNetwork", kind="class")
    c.signature(Layer, "Layer", ("n_of_inputs", "n_of_neurons", "activation", "bias"))
    c.signature(NeuralNetwork, "NeuralNetwork", ("input_size", "lr"))
    layer = c.call("Layer(3, 2, 'sigmoid', 1)", Layer, 3, 2, "sigmoid", 1)
    for name in ("forward", "backward"):
        if not callable(getattr(layer, name, None)):
            raise Stop(_("Layer has no method `{name}`.").format(name=name), "missing_name")
    for name, shape in (("weights", (3, 2)), ("bias", (2,))):
        if not hasattr(layer, name):
            raise Stop(_("a Layer must keep its parameters as `weights` and `bias`: "
                         "`{name}` is missing.").format(name=name), "missing_name")
        c.array(getattr(layer, name), shape, f"Layer(3, 2, 'sigmoid', 1).{name}")
    if not close(layer.bias, np.ones(2)):
        raise Stop(_("Layer(3, 2, 'sigmoid', 1).bias is {value}: the bias argument is the "
                     "starting value of every bias, so it must be [1, 1].").format(
            value=fmt(layer.bias)), "shape")
    x = np.random.default_rng(0).normal(size=(4, 3))
    c.array(c.call("Layer.forward(x)", layer.forward, x), (4, 2), "Layer.forward(x)")
    dx = c.call("Layer.backward(chain_rule_derivatives)", layer.backward, np.ones((4, 2)))
    c.array(dx, (4, 3), "Layer.backward(chain_rule_derivatives)")
    for name, shape in (("d_weights", (3, 2)), ("d_bias", (2,))):
        if not hasattr(layer, name):
            raise Stop(_("after backward, a Layer must hold its gradients as `d_weights` and "
                         "`d_bias`: `{name}` is missing.").format(name=name), "missing_name")
        got = shape_of(getattr(layer, name))
        if name == "d_bias" and got != shape:
            raise Stop(_("Layer.d_bias has shape {got} after a batch of 4 samples, but it must "
                         "have shape (2,), one number per neuron.").format(got=got) + "\n"
                       + diagnosis("bias_not_summed", "d_bias"), "bias_not_summed")
        c.array(getattr(layer, name), shape, f"Layer.{name}")
    net = c.call("NeuralNetwork(2, 0.2)", NeuralNetwork, 2, 0.2)
    for name in ("forward", "backward", "append_layer"):
        if not callable(getattr(net, name, None)):
            raise Stop(_("NeuralNetwork has no method `{name}`.").format(name=name),
                       "missing_name")
    c.signature(net.append_layer, "append_layer", ("output_number", "activation", "bias"))
    c.call("append_layer(3, 'tanh', 1)", net.append_layer, 3, "tanh", 1)
    c.call("append_layer(1, 'sigmoid', 1)", net.append_layer, 1, "sigmoid", 1)
    layers = _layers_of(net)
    if len(layers) != 2:
        raise Stop(_("after two append_layer calls the network must have 2 layers; it has "
                     "{count}.").format(count=len(layers)), "shape")
    c.array(layers[0].weights, (2, 3), "the first layer's weights")
    c.array(layers[1].weights, (3, 1), "the second layer's weights")
    c.array(c.call("NeuralNetwork.forward(x)", net.forward, x[:, :2]), (4, 1),
            "NeuralNetwork.forward(x)")
    yield "interface", _("Layer and NeuralNetwork exist with the course's signatures, "
                         "attributes and shapes.")

    c.step = "forward"
    rng = np.random.default_rng(1)
    for act in ACTIVATIONS:
        layer = c.call(f"Layer(3, 2, {act!r}, 1)", Layer, 3, 2, act, 1)
        W, b, x = rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=(4, 3))
        _set(layer, W, b)
        out = c.array(c.call("Layer.forward(x)", layer.forward, x), (4, 2),
                      f"Layer.forward(x) ({act})")
        right = ref.ACTIVATIONS[act](x @ W + b)
        if not close(out, right):
            raise Stop(_("Layer.forward(x) with the activation {act!r} returns {yours}; the "
                         "right output, {act}(x @ weights + bias), is {right}.").format(
                act=act, yours=fmt(out), right=fmt(right)))
    yield "forward", _("Layer.forward matches the reference for sigmoid, tanh, relu and linear.")

    c.step = "gradients"
    for act in ACTIVATIONS:
        _check_layer_backward(c, Layer, act, rng)
    _check_network_backward(c, NeuralNetwork, rng)
    yield "gradients", _("Layer.backward's d_weights, d_bias and dL/dx agree with the engine "
                         "for every activation, and NeuralNetwork.backward sends the gradient "
                         "back and updates every layer.")


def _check_layer_backward(c, Layer, act, rng):
    for n_in, n_out in ((3, 2), (2, 2)):
        layer = c.call(f"Layer({n_in}, {n_out}, {act!r}, 1)", Layer, n_in, n_out, act, 1)
        W, b = rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)
        x, g = rng.normal(size=(4, n_in)), rng.normal(size=(4, n_out))
        _set(layer, W, b)
        c.call("Layer.forward(x)", layer.forward, x)
        dx = c.call("Layer.backward(chain_rule_derivatives)", layer.backward, g)
        if not (close(layer.weights, W) and close(layer.bias, b)):
            raise Stop(_("Layer.backward changed the layer's weights or bias. It must only "
                         "compute the gradients (d_weights, d_bias) and return dL/dx; the "
                         "update belongs to NeuralNetwork.backward."), "layer_updates")
        mine = {"d_weights": c.array(layer.d_weights, (n_in, n_out), "Layer.d_weights"),
                "d_bias": c.array(layer.d_bias, (n_out,), "Layer.d_bias"),
                "dx": c.array(dx, (4, n_in), "Layer.backward(chain_rule_derivatives)")}
        right = ref.layer_gradients(W, b, x, g, act)
        Wc, bc, xc = W.copy(), b.copy(), x.copy()

        def loss():
            return float((ref.ACTIVATIONS[act](xc @ Wc + bc) * g).sum())

        witness = {"d_weights": ref.numeric(loss, Wc), "d_bias": ref.numeric(loss, bc),
                   "dx": ref.numeric(loss, xc)}
        last = ref.layer_gradients(W, b, x[-1:], g[-1:], act)
        variants = [("sign_flipped", {k: -v for k, v in right.items()}),
                    ("activation_derivative_missing",
                     ref.layer_gradients(W, b, x, g, act, "no_derivative")),
                    ("derivative_at_output", ref.layer_gradients(W, b, x, g, act, "at_output")),
                    ("last_sample_only", {"d_weights": last["d_weights"],
                                          "d_bias": last["d_bias"]})]
        rows = _dz_rows(W, b, x, g, act)
        variants += [("bias_not_summed", {"d_bias": rows[-1]}),
                     ("bias_not_summed", {"d_bias": rows[0]}),
                     ("bias_not_summed", {"d_bias": rows.mean(axis=0)})]
        where = _("a Layer({n_in}, {n_out}, {act!r}) on a batch of 4 samples, random weights "
                  "and chain_rule_derivatives").format(n_in=n_in, n_out=n_out, act=act)
        stop = compare_gradients("Layer.backward", where, ("d_weights", "d_bias", "dx"), mine,
                                 right, witness, variants,
                                 lambda name: _explain_layer(act, W, b, x, g, mine))
        if stop:
            raise stop


def _dz_rows(W, b, x, g, act):
    """dL/dz for each sample: the rows whose sum is d_bias."""
    z = x @ W + b
    a = ref.ACTIVATIONS[act](z)
    slope = {"sigmoid": a * (1 - a), "tanh": 1 - a ** 2, "relu": (z > 0) * 1.0,
             "linear": np.ones_like(z)}[act]
    return g * slope


def _explain_layer(act, W, b, x, g, mine):
    """The layer's chain rule with the first sample's numbers."""
    z = x[0] @ W + b
    a = ref.ACTIVATIONS[act](z)
    slope = _dz_rows(W, b, x[:1], np.ones((1, len(b))), act)[0]
    rule = {"sigmoid": "a * (1 - a)", "tanh": "1 - a**2", "relu": "(z > 0)",
            "linear": "1"}[act]
    return _("The layer's chain rule, with a = {act}(z) and z = x @ weights + bias, for the "
             "first sample of the batch:\n  z = {z}, a = {a}\n  s'(z) = {rule} = {slope}\n  "
             "dz = chain_rule_derivatives * s'(z) = {g} * {slope} = {dz}\n  d_weights = "
             "x.T @ dz and d_bias = dz.sum(axis=0), summed over the samples; dL/dx = dz @ "
             "weights.T\nOver the whole batch the right d_bias is {right}; yours is {yours}."
             ).format(act=act, z=fmt(z), a=fmt(a), rule=rule, slope=fmt(slope), g=fmt(g[0]),
                      dz=fmt(g[0] * slope), right=fmt(_dz_rows(W, b, x, g, act).sum(axis=0)),
                      yours=fmt(mine["d_bias"]))


def _check_network_backward(c, NeuralNetwork, rng):
    lr = 0.5
    net = c.call("NeuralNetwork(2, 0.5)", NeuralNetwork, 2, lr)
    c.call("append_layer(2, 'sigmoid', 1)", net.append_layer, 2, "sigmoid", 1)
    c.call("append_layer(1, 'sigmoid', 1)", net.append_layer, 1, "sigmoid", 1)
    layers = _layers_of(net)
    start = [(rng.normal(size=(2, 2)), rng.normal(size=2), "sigmoid"),
             (rng.normal(size=(2, 1)), rng.normal(size=1), "sigmoid")]
    for layer, (W, b, _act) in zip(layers, start):
        _set(layer, W, b)
    x, y = rng.normal(size=(4, 2)), rng.integers(0, 2, size=(4, 1)).astype(np.float64)
    out = c.array(c.call("NeuralNetwork.forward(x)", net.forward, x), (4, 1),
                  "NeuralNetwork.forward(x)")
    c.call("NeuralNetwork.backward(loss_derivative)", net.backward, 2 * (out - y))
    grads, _out = ref.network_gradients(start, x, y)
    names = ["layers[1].d_weights", "layers[1].d_bias", "layers[0].d_weights",
             "layers[0].d_bias"]
    right = dict(zip(names, [grads[2], grads[3], grads[0], grads[1]]))
    mine = {}
    for i, key in ((1, "layers[1]"), (0, "layers[0]")):
        mine[f"{key}.d_weights"] = c.array(layers[i].d_weights, start[i][0].shape,
                                           f"{key}.d_weights")
        mine[f"{key}.d_bias"] = c.array(layers[i].d_bias, start[i][1].shape, f"{key}.d_bias")
    updated = {1: start[1][0] - lr * grads[2]}
    late = ref.network_gradients(start, x, y, later_weights=updated)[0]
    variants = [("updated_weights_used", dict(zip(names, [late[2], late[3], late[0],
                                                          late[1]])))]
    where = _("a 2-2-1 sigmoid network, lr = {lr}, a batch of 4 samples, random weights, "
              "loss_derivative = 2 * (out - y)").format(lr=lr)
    witness = _network_witness(start, x, y, names)
    stop = compare_gradients("NeuralNetwork.backward", where, names, mine, right, witness,
                             variants)
    if stop:
        raise stop
    for i, (W, b, _act) in enumerate(start):
        for name, old, grad in (("weights", W, grads[2 * i]), ("bias", b, grads[2 * i + 1])):
            got = np.asarray(getattr(layers[i], name), dtype=np.float64)
            if close(got, old - lr * grad):
                continue
            if close(got, old):
                raise Stop(_("NeuralNetwork.backward did not update the {name} of layer {i}. "
                             "After computing the gradients it must take a step: weights = "
                             "weights - lr * d_weights, bias = bias - lr * d_bias.").format(
                    name=name, i=i), "no_update")
            if close(got, old + lr * grad):
                raise Stop(_("The sign is flipped: NeuralNetwork.backward moved the {name} of "
                             "layer {i} uphill (+ lr * gradient). Gradient descent subtracts: "
                             "weights = weights - lr * d_weights, bias = bias - lr * d_bias.")
                           .format(name=name, i=i), "sign_flipped")
            raise Stop(_("after NeuralNetwork.backward the {name} of layer {i} are {yours}; with "
                         "lr = {lr} they must be {name} - lr * gradient = {right}.").format(
                name=name, i=i, yours=fmt(got), lr=lr, right=fmt(old - lr * grad)),
                "wrong_update")


def _network_witness(layers, x, y, names):
    """Central finite differences of the network's loss in every weight and bias."""
    work = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64), act)
            for W, b, act in layers]

    def loss():
        h = x
        for W, b, act in work:
            h = ref.ACTIVATIONS[act](h @ W + b)
        return float(((h - y) ** 2).sum())

    grads = [ref.numeric(loss, array) for W, b, _act in work for array in (W, b)]
    return dict(zip(names, [grads[2], grads[3], grads[0], grads[1]]))


def check_ex4(c):
    yield from check_classes(c)
    c.step = "training"
    from exercises.ex3_xor import DEFAULT_SEED, X, Y, init_params

    (NeuralNetwork,) = c.names("NeuralNetwork", kind="class")
    net = c.call("NeuralNetwork(2, 0.2)", NeuralNetwork, 2, 0.2)
    c.call("append_layer(2, 'sigmoid', 1)", net.append_layer, 2, "sigmoid", 1)
    c.call("append_layer(1, 'sigmoid', 1)", net.append_layer, 1, "sigmoid", 1)
    start = init_params(DEFAULT_SEED)
    layers = _layers_of(net)
    _set(layers[0], start["w1"], np.ones(2))
    _set(layers[1], start["w2"], np.ones(1))
    X, Y = np.array(X), np.array(Y)[:, None]
    losses = []
    for _epoch in range(5000):
        total = 0.0
        for x, y in zip(X, Y):
            out = np.asarray(c.call("NeuralNetwork.forward(x)", net.forward, x[None, :]),
                             dtype=np.float64)
            c.call("NeuralNetwork.backward(loss_derivative)", net.backward, 2 * (out - y))
            total += float(((out - y) ** 2).sum())
        losses.append(total / 4)
    _loss_falls(losses, _("training on XOR"))
    outputs = [float(np.ravel(net.forward(x[None, :]))[0]) for x in X]
    wrong = [i for i, o in enumerate(outputs) if int(o > 0.5) != Y[i, 0]]
    if wrong:
        raise Stop(_("trained on XOR for 5000 epochs (one step per row, lr 0.2, squared "
                     "error, exercise 3's starting weights, every bias 1), your classes get "
                     "{count} of the 4 rows wrong: outputs {outputs}.").format(
            count=len(wrong), outputs=fmt(outputs)), "goal_not_reached")
    yield "training", _("XOR is learned with your classes: all four rows right (outputs "
                        "{outputs}); the loss fell from {first} to {last}.").format(
        outputs=fmt(outputs), first=fmt(losses[0]), last=fmt(losses[-1]))


def check_ex5(c, data_dir=None, time_limit=None, download=True):
    yield from check_classes(c)
    c.step = "interface"
    build_network, train, predict = c.names("build_network", "train", "predict")
    c.signature(train, "train", ("net", "images", "labels"))
    c.signature(predict, "predict", ("net", "images"))
    c.step = "training"
    from nn.datasets import DatasetNotFoundError, load_mnist

    try:
        x_train, y_train = load_mnist(root=data_dir, split="train", download=download)
        x_test, y_test = load_mnist(root=data_dir, split="test", download=download)
    except (DatasetNotFoundError, OSError) as err:
        raise Stop(_("MNIST was not found, so the training check cannot run: {error}\nRun "
                     "`python -m exercises 5` once to download it, or pass --data-dir FOLDER."
                     ).format(error=err), "no_data", ERROR) from None
    start = time.perf_counter()
    net = c.call("build_network()", build_network)
    losses = c.losses(c.call("train(net, images, labels)", train, net, x_train, y_train),
                      "train(net, images, labels)")
    if losses.size > 1:
        _loss_falls(list(losses), "train")
    predicted = c.array(c.call("predict(net, images)", predict, net, x_test), (len(x_test),),
                        "predict(net, images)")
    seconds = time.perf_counter() - start
    accuracy = float(np.mean(predicted == y_test))
    if accuracy < 0.9:
        raise Stop(_("test accuracy {accuracy:.2%} on {count} test images: the goal is at "
                     "least 90%.").format(accuracy=accuracy, count=len(x_test)),
                   "goal_not_reached")
    yield "training", _("test accuracy {accuracy:.2%} on {count} test images (goal: 90%), "
                        "trained on {train} images in {seconds:.0f} s (limit: {limit:.0f} s)."
                        ).format(accuracy=accuracy, count=len(x_test), train=len(x_train),
                                 seconds=seconds, limit=time_limit or math.inf)


CHECKS = {1: check_ex1, 2: check_hidden, 3: check_hidden, 4: check_ex4, 5: check_ex5}


def run_checks(n, namespace, filename=None, **options):
    """Run exercise `n`'s checks on the names in `namespace`; returns a `Verdict`."""
    c = Checker(n, namespace, filename)
    c.step = CHECK_NAMES[0]
    verdict = Verdict(n, filename)
    steps = CHECKS[n](c, **options) if n == 5 else CHECKS[n](c)
    try:
        for name, message in steps:
            verdict.add(name, PASSED, message)
    except Stop as stop:
        verdict.add(c.step, stop.status, stop.message, stop.code)
    return verdict.finish()
