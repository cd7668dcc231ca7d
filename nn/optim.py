"""Optimizers, sorted by increasing complexity: SGD (with momentum, Nesterov, weight decay)
and Adam. Their updates are the ones PyTorch documents, step for step, with its defaults.

An optimizer holds a list of parameters; `step()` updates each parameter's `.data` in place
from its `.grad` (parameters whose grad is None are skipped) and `zero_grad()` sets every
`.grad` to None, which is cheaper than filling zeros. A step counts as an in-place change,
so a graph recorded before it refuses to backprop afterwards (its gradients would be wrong).

>>> import numpy as np
>>> from nn import Linear, SGD, mse_loss
>>> layer = Linear(2, 1, seed=0)
>>> opt = SGD(layer.parameters(), lr=0.1)
>>> loss = mse_loss(layer(np.ones((4, 2))), np.zeros((4, 1)))
>>> loss.backward()
>>> opt.step()
>>> opt.zero_grad()
>>> layer.weight.grad is None
True
"""

import math

import numpy as np

from autograd_lite import Tensor
from autograd_lite.engine import data_changed

__all__ = ["Optimizer", "SGD", "Adam"]

# Elements updated per block by SGD: large parameters are updated in blocks of this size.
_BLOCK = 32768


def check_number(value, name, where, low=0.0, high=math.inf, low_open=False, high_open=True):
    """Return `value` as a float if it lies in the given interval, else raise a ValueError
    that states the valid range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{where}: {name} must be a number, got {value!r}")
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if math.isnan(value) or too_low or too_high:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{where}: {name} must be in {left}{low}, {high}{right}, got {value!r}")
    return value


def check_lr(lr, where):
    """`lr` as a float, or a ValueError: a learning rate must be a finite number > 0."""
    return check_number(lr, "lr (learning rate)", where, low=0.0, low_open=True)


def _check_parameter(p, i, where):
    """Refuse what an optimizer cannot update, and say why."""
    label = f" {p.label!r}" if isinstance(p, Tensor) and p.label else ""
    if not isinstance(p, Tensor):
        raise TypeError(f"{where}: parameter {i} must be a Tensor with requires_grad=True, got "
                        f"{type(p).__name__}")
    if not p.requires_grad:
        raise TypeError(f"{where}: parameter {i}{label} does not require grad, so backward() "
                        f"never gives it a gradient; create it with requires_grad=True")
    if not p.is_leaf:
        raise TypeError(
            f"{where}: parameter {i}{label} is not a leaf: it is the result of "
            f"'{p.grad_fn.name}' on other tensors, and backward() stores gradients only in "
            f"leaves (tensors you created), so this one would never get a .grad, and updating "
            f"it would not change the tensors it was computed from. Pass the leaf itself: "
            f"for `SGD([w * 0.01])` create w with the scaled values instead, e.g. "
            f"`w = Tensor(data * 0.01, requires_grad=True)` (or `(w * 0.01).detach()` "
            f"followed by `.requires_grad = True`)")


def _grad_array(p):
    g = p.grad
    return g.data if isinstance(g, Tensor) else g  # a Tensor after backward(create_graph=True)


def checked_grads(params, where):
    """Every parameter's gradient as an array (None where there is none), checked BEFORE
    anything is updated: a gradient of another shape would be broadcast into the
    parameter, silently wrong, and a step failing halfway would update only some."""
    grads = []
    for p in params:
        g = p._grad  # a leaf's .grad, without the property (this runs on every step)
        if g is not None:
            if g.__class__ is not np.ndarray:
                g = np.asarray(_grad_array(p))
            data = p.data
            if g.shape != data.shape or (g.dtype is not data.dtype
                                         and g.dtype.kind not in "biuf"):
                raise _grad_error(params, p, g, where)
        grads.append(g)
    return grads


def _grad_error(params, p, g, where):
    i = next(i for i, q in enumerate(params) if q is p)
    label = f" {p.label!r}" if p.label else ""
    if g.shape != p.shape:
        return ValueError(f"{where}: parameter {i}{label} has shape {p.shape} but its .grad "
                          f"has shape {g.shape}; they must be equal (nothing was updated)")
    return TypeError(f"{where}: parameter {i}{label} has a .grad of dtype {g.dtype}; it "
                     f"must hold real numbers (nothing was updated)")


class Optimizer:
    """Base class: holds the parameters, `zero_grad()`, and one scratch buffer per parameter
    so that `step()` allocates nothing on the common path.

    A subclass sets its hyper-parameters in `__init__` and writes `step()`:

    >>> import numpy as np
    >>> from autograd_lite import Tensor, no_grad
    >>> class SignSGD(Optimizer):
    ...     def step(self):
    ...         with no_grad():
    ...             for p in self.params:
    ...                 if p.grad is not None:
    ...                     p -= self.lr * np.sign(p.grad)
    >>> w = Tensor([1.0, -2.0], requires_grad=True)
    >>> opt = SignSGD([w], lr=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.data
    array([ 0.5, -1.5], dtype=float32)
    """

    def __init__(self, params, lr):
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{name}: params must be an iterable of parameters (e.g. "
                            f"model.parameters()), got a single Tensor; wrap it in a list")
        try:
            self.params = list(params)
        except TypeError:
            raise TypeError(f"{name}: params must be an iterable of parameters (e.g. "
                            f"model.parameters() or [w, b]), got {params!r}") from None
        if not self.params:
            raise ValueError(f"{name}: got an empty parameter list; pass model.parameters() "
                             f"of a model that has parameters")
        seen = set()
        for i, p in enumerate(self.params):
            _check_parameter(p, i, name)
            if id(p) in seen:
                raise ValueError(f"{name}: parameter {i} appears twice in the list")
            seen.add(id(p))
        self.lr = check_lr(lr, name)
        self._scratch = [None] * len(self.params)

    def zero_grad(self):
        """Set every parameter's `.grad` to None (the next backward stores fresh ones)."""
        for p in self.params:
            p.grad = None

    def step(self):
        """Update every parameter that has a gradient; subclasses define the rule."""
        raise NotImplementedError

    def _grads(self):
        return checked_grads(self.params, type(self).__name__ + ".step")

    def _buffer(self, i):
        buf = self._scratch[i]
        p = self.params[i].data
        if buf is None or buf.shape != p.shape or buf.dtype != p.dtype:
            buf = self._scratch[i] = np.empty_like(p)
        return buf

    def __repr__(self):
        return f"{type(self).__name__}({self._hyper()})"

    def _hyper(self):
        return f"lr={self.lr}"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum and weight decay.

    Per step, as PyTorch documents it (t counts this parameter's steps from 1):
        g = grad + weight_decay * p
        b = g                                  if t == 1
        b = momentum * b + (1 - dampening) * g otherwise       (when momentum != 0)
        g = g + momentum * b  if nesterov  else  b             (when momentum != 0)
        p = p - lr * g

    >>> import numpy as np
    >>> p = Tensor(np.array([1.0]), requires_grad=True)
    >>> p.grad = np.array([0.5])
    >>> SGD([p], lr=0.1).step()
    >>> p.data
    array([0.95])
    """

    def __init__(self, params, lr, momentum=0, weight_decay=0, nesterov=False, *,
                 dampening=0):
        super().__init__(params, lr)
        self.momentum = check_number(momentum, "momentum", "SGD")
        self.weight_decay = check_number(weight_decay, "weight_decay", "SGD")
        self.dampening = check_number(dampening, "dampening", "SGD")
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0")
        self._momentum = [None] * len(self.params)
        self._blocks = {}  # dtype -> scratch block for _subtract_scaled

    def step(self):
        """Apply one update to every parameter that has a gradient."""
        lr, mu, wd, damp = self.lr, self.momentum, self.weight_decay, self.dampening
        grads = self._grads()
        try:
            for i, g in enumerate(grads):
                if g is None:
                    continue
                p = self.params[i]
                if wd:
                    g = g + wd * p.data
                if mu:
                    b = self._momentum[i]
                    if b is None:
                        b = self._momentum[i] = np.array(g, dtype=p.data.dtype, copy=True)
                    else:
                        b *= mu
                        b += g if damp == 0 else (1 - damp) * g
                    g = g + mu * b if self.nesterov else b
                data = p.data
                if data.size <= _BLOCK and g.dtype is data.dtype:
                    data -= g * lr  # the common small update (lr is a float: g's dtype stays)
                else:
                    self._subtract_scaled(data, g, lr)
                p._vc[0] += 1  # its version: a graph recorded before this step cannot backprop
        finally:
            data_changed()  # the parameters' versions moved: see autograd_lite.engine

    def _subtract_scaled(self, data, g, alpha):
        """data -= alpha * g, a block at a time: no temporary of the parameter's size, so a
        step needs no memory beyond the parameters, their gradients and one small block."""
        if data.size <= _BLOCK or not data.flags.c_contiguous:
            data -= np.multiply(g, alpha, dtype=data.dtype)
            return
        block = self._blocks.get(data.dtype)
        if block is None:
            block = self._blocks[data.dtype] = np.empty(_BLOCK, dtype=data.dtype)
        flat_data, flat_g = data.reshape(-1), g.reshape(-1)
        for start in range(0, flat_data.size, _BLOCK):
            chunk, part = flat_g[start:start + _BLOCK], flat_data[start:start + _BLOCK]
            np.subtract(part, np.multiply(chunk, alpha, out=block[:chunk.size]), out=part)

    def _hyper(self):
        return (f"lr={self.lr}, momentum={self.momentum}, weight_decay={self.weight_decay}, "
                f"nesterov={self.nesterov}")


class Adam(Optimizer):
    """Adam: gradient steps scaled by running estimates of the gradient's mean and variance.

    Per step, as PyTorch documents it (t counts this parameter's steps from 1):
        g = grad + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t),  v_hat = v / (1 - beta2**t)
        p = p - lr * m_hat / (sqrt(v_hat) + eps)

    >>> import numpy as np
    >>> p = Tensor(np.array([1.0]), requires_grad=True)
    >>> p.grad = np.array([0.5])
    >>> Adam([p], lr=0.1).step()
    >>> p.data.round(6)
    array([0.9])
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0):
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2) such as (0.9, 0.999), "
                             f"got {betas!r}")
        self.betas = (check_number(betas[0], "betas[0]", "Adam", high=1.0),
                      check_number(betas[1], "betas[1]", "Adam", high=1.0))
        self.eps = check_number(eps, "eps", "Adam")
        self.weight_decay = check_number(weight_decay, "weight_decay", "Adam")
        n = len(self.params)
        self._m, self._v, self._steps = [None] * n, [None] * n, [0] * n

    def step(self):
        """Apply one update to every parameter that has a gradient."""
        beta1, beta2 = self.betas
        for i, (p, g) in enumerate(zip(self.params, self._grads())):
            if g is None:
                continue
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            if self._m[i] is None:
                self._m[i] = np.zeros_like(p.data)
                self._v[i] = np.zeros_like(p.data)
            m, v, buf = self._m[i], self._v[i], self._buffer(i)
            self._steps[i] += 1
            t = self._steps[i]
            m *= beta1
            m += np.multiply(g, 1 - beta1, out=buf)
            v *= beta2
            np.multiply(g, g, out=buf)
            buf *= 1 - beta2
            v += buf
            # lr * m_hat / (sqrt(v_hat) + eps), written to reuse one buffer:
            # m_hat = m / bc1 and sqrt(v_hat) = sqrt(v) / sqrt(bc2).
            bc1, bc2 = 1 - beta1**t, 1 - beta2**t
            np.sqrt(v, out=buf)
            buf /= math.sqrt(bc2)
            buf += self.eps
            np.divide(m, buf, out=buf)
            buf *= self.lr / bc1
            p.data -= buf
            p._version += 1

    def _hyper(self):
        return (f"lr={self.lr}, betas={self.betas}, eps={self.eps}, "
                f"weight_decay={self.weight_decay}")
