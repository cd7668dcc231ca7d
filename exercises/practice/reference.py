"""The right answers, from autograd-lite: forward passes, and gradients by reverse mode.

Each exercise's network is written once here with `Tensor`s; the engine's `backward` gives
the true gradients at any weights, and central finite differences (`numeric`) are a second,
independent witness. The common mistakes are built the same way, as *variants* of the
network whose gradient the engine computes: a variant changes one rule of the chain (the
activation's derivative dropped or taken at the output, the loss scaled or negated, the
later layer's weights already updated), never the forward values. A learner's wrong number
that equals a variant's number tells which mistake was made.

>>> import numpy as np
>>> layers = [(np.array([[0.5, -1.0]]), np.zeros(2), "sigmoid"),
...           (np.array([[1.0], [2.0]]), np.zeros(1), "linear")]
>>> grads, out = network_gradients(layers, np.array([1.5]), 0.5)
>>> [g.shape for g in grads]
[(1, 2), (2,), (2, 1), (1,)]
"""

import numpy as np

from autograd_lite import Tensor

__all__ = ["ACTIVATIONS", "activate", "layer_gradients", "network_gradients", "numeric"]

#: The activations of the course, as NumPy functions (forward values of the reference).
ACTIVATIONS = {
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "linear": lambda z: z,
}


def _surrogate(value, grad_from):
    """`value` forward, but the gradient flows as through `grad_from` (same shape)."""
    return value.detach() + grad_from - grad_from.detach()


def activate(z, name, mistake=None):
    """`name`(z) on a Tensor; `mistake` changes only its derivative.

    - None: the right derivative;
    - "no_derivative": dh/dz = 1 (the activation's derivative forgotten);
    - "at_output": dh/dz = s'(h) with h = s(z), the derivative taken at the output.
    """
    h = z if name == "linear" else getattr(z, name)()
    if mistake == "no_derivative":
        return _surrogate(h, z)
    if mistake == "at_output":
        h0 = h.detach()
        moved = z - z.detach() + h0            # value h0, gradient 1 to z
        return _surrogate(h, activate(moved, name))
    return h


def layer_gradients(weights, bias, x, upstream, name, mistake=None):
    """One dense layer `name`(x @ weights + bias) with dL/d(output) = `upstream`.

    Returns {"d_weights", "d_bias", "dx"} from the engine's reverse mode.
    """
    W = Tensor(np.array(weights, dtype=np.float64), requires_grad=True)
    b = Tensor(np.array(bias, dtype=np.float64), requires_grad=True)
    xt = Tensor(np.array(x, dtype=np.float64), requires_grad=True)
    h = activate(xt @ W + b, name, mistake)
    (h * Tensor(np.asarray(upstream, dtype=np.float64))).sum().backward()
    return {"d_weights": W.grad, "d_bias": b.grad, "dx": xt.grad}


def network_gradients(layers, x, y, loss_scale=1.0, mistake=None, mistake_layer=None,
                      later_weights=None):
    """Gradients of L = loss_scale * sum((out - y)**2) for a stack of dense layers.

    `layers` is a list of (weights (n_in, n_out), bias (n_out,), activation); `x` one sample
    (n_in,) or a batch (batch, n_in). Returns ([dW1, db1, dW2, db2, ...], out).
    `mistake` applies to the activation of layer `mistake_layer` (see `activate`).
    `later_weights` {layer index: weights} makes the gradient flowing back *through* those
    layers use other weights (the updated ones), while forward values stay the same.
    """
    h = Tensor(np.atleast_2d(np.asarray(x, dtype=np.float64)))
    params = []
    for i, (weights, bias, name) in enumerate(layers):
        W = Tensor(np.array(weights, dtype=np.float64), requires_grad=True)
        b = Tensor(np.array(bias, dtype=np.float64), requires_grad=True)
        params += [W, b]
        z = h @ W + b
        if later_weights and i in later_weights:
            through_new = h @ Tensor(np.asarray(later_weights[i], dtype=np.float64))
            z = _surrogate(z, h.detach() @ W + through_new) + b - b.detach()
        h = activate(z, name, mistake if mistake_layer == i else None)
    target = Tensor(np.asarray(y, dtype=np.float64).reshape(h.shape))
    loss = ((h - target) ** 2).sum() * loss_scale
    loss.backward()
    return [p.grad for p in params], h.data


def numeric(f, array, eps=1e-6):
    """Central finite differences of the scalar function f() in the entries of `array`.

    `array` is changed in place one entry at a time and restored.

    >>> a = np.array([1.0, 2.0])
    >>> np.round(numeric(lambda: float((a ** 2).sum()), a), 6)
    array([2., 4.])
    """
    grad = np.zeros_like(array, dtype=np.float64)
    flat, out = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        out[i] = (up - down) / (2 * eps)
    return grad
