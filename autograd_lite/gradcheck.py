"""Check an engine's gradients against central finite differences in float64."""

import numpy as np

from .checks import as_array
from .engine import no_grad
from .tensor import Tensor
from .value import Value

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "numerical_grad"]


class GradcheckError(AssertionError):
    """A gradient computed by backward disagrees with its finite-difference estimate.

    >>> import numpy as np
    >>> from autograd_lite import Function, GradcheckError, gradcheck
    >>> class Double(Function):
    ...     def forward(self, x):
    ...         return 2 * x
    ...     def backward(self, g, out, x):
    ...         return g                       # wrong: forgot the factor 2
    >>> try:
    ...     gradcheck(lambda x: Double.apply(x), [np.array([1.0, 2.0])])
    ... except GradcheckError as err:
    ...     print(str(err)[:60])
    gradcheck: gradient of input 0 (shape (2,)) is wrong at elem
    """


def gradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0, raise_exception=True):
    """Check the gradients of `f` at `inputs` against central finite differences.

    `f` takes Tensors (or Values) and returns a Tensor (or Value) of any shape. Each input
    is copied to a float64 leaf; backward runs from the output with a random, non-trivial
    upstream gradient `v`, and each element's gradient is compared with
    (F(x + eps) - F(x - eps)) / (2 eps), where F(x) = sum(f(x) * v). An element passes when
    |analytic - numeric| <= atol + rtol * |numeric|.

    Returns True, or raises GradcheckError naming the input, the element index and both
    values (returns False instead when `raise_exception=False`).

    >>> import numpy as np
    >>> from autograd_lite import Tensor, Value, gradcheck
    >>> gradcheck(lambda x: (x * x).tanh(), [np.array([0.5, -1.0])])
    True
    >>> gradcheck(lambda a, b: a * b + a.exp(), [Value(0.3), Value(-2.0)])
    True
    """
    if not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    if not inputs:
        raise ValueError("gradcheck: needs at least one input")
    scalar = all(isinstance(x, (Value, int, float)) and not isinstance(x, bool)
                 for x in inputs) and any(isinstance(x, Value) for x in inputs)
    arrays = _checked(f, inputs, "gradcheck", eps=eps, atol=atol, rtol=rtol)
    make = _values if scalar else _tensors
    rng = np.random.default_rng(seed)

    leaves = make(arrays, requires_grad=True)
    out = f(*leaves)
    kind = Value if scalar else Tensor
    if not isinstance(out, kind):
        raise TypeError(f"gradcheck: f must return a {kind.__name__} for these inputs, "
                        f"got {type(out).__name__}")
    v = rng.standard_normal(np.shape(out.data)) + 0.5  # non-trivial upstream gradient
    if not out.requires_grad:
        analytic = [np.zeros_like(a) for a in arrays]
    else:
        out.backward(float(v) if scalar else v)
        analytic = [_grad_array(leaf, a) for leaf, a in zip(leaves, arrays)]

    numeric = numerical_grad(lambda *xs: np.sum(np.asarray(_data(f(*make(xs)))) * v),
                             arrays, eps=eps)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        bad = ~(np.abs(a - n) <= atol + rtol * np.abs(n))
        bad &= ~(np.isnan(a) & np.isnan(n))  # both undefined: agree
        if bad.any():
            where = tuple(int(k) for k in np.argwhere(bad)[0])
            msg = (f"gradcheck: gradient of input {i} (shape {arrays[i].shape}) is wrong at "
                   f"element {where}: analytic {float(a[where])!r}, numeric "
                   f"{float(n[where])!r} "
                   f"(atol={atol}, rtol={rtol}); {int(bad.sum())} of {bad.size} elements "
                   f"disagree")
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return True


def gradgradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0, raise_exception=True,
                  grad_outputs=None):
    """Check the second derivatives of `f` at `inputs` against finite differences.

    The first-order gradients of `f` (a backward pass from its output with upstream
    gradient `grad_outputs`, random by default) are themselves a function of the inputs;
    `gradgradcheck` differentiates them by double backward (`create_graph=True`) and
    compares with central differences of the first-order gradients, like PyTorch's
    `gradgradcheck`. To compare one number per input element it checks
    G(x) = sum_i <grad_i(x), w_i>, with fixed random `w_i`, by `gradcheck`.

    It catches backward rules that are right for first derivatives but not differentiable
    (for example a rule that uses `.data` where it should use the node). Arguments and
    result as in `gradcheck`.

    >>> import numpy as np
    >>> from autograd_lite import Value, gradgradcheck
    >>> gradgradcheck(lambda x: (x * x).tanh(), [np.array([0.5, -1.0])])
    True
    >>> gradgradcheck(lambda a, b: a * b.exp(), [Value(0.3), Value(-2.0)])
    True
    """
    from .functional import _vjp  # functional imports nothing from here; avoids a cycle

    if not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    if not inputs:
        raise ValueError("gradgradcheck: needs at least one input")
    scalar = all(isinstance(x, (Value, int, float)) and not isinstance(x, bool)
                 for x in inputs) and any(isinstance(x, Value) for x in inputs)
    make = _values if scalar else _tensors
    arrays = _checked(f, inputs, "gradgradcheck", eps=eps, atol=atol, rtol=rtol)
    rng = np.random.default_rng(seed)
    with no_grad():
        out = f(*make(arrays))
    kind = Value if scalar else Tensor
    if not isinstance(out, kind):
        raise TypeError(f"gradgradcheck: f must return a {kind.__name__} for these inputs, "
                        f"got {type(out).__name__}")
    if grad_outputs is None:
        v = rng.standard_normal(np.shape(out.data)) + 0.5
    else:
        v = np.array(_data(grad_outputs), dtype=np.float64)
    v = float(v) if scalar else v
    ws = [rng.standard_normal(a.shape) + 0.5 for a in arrays]

    def first_order(*xs):
        _, grads = _vjp(f, xs, v, "gradgradcheck", as_nodes=True)
        total = 0.0
        for g, w in zip(grads, ws):
            total = total + (g * float(w) if scalar else (g * w).sum())
        return total

    try:
        return gradcheck(first_order, arrays if not scalar else make(arrays), eps=eps,
                         atol=atol, rtol=rtol, seed=seed + 1, raise_exception=raise_exception)
    except GradcheckError as err:
        detail = str(err).removeprefix("gradcheck: gradient")
        raise GradcheckError(f"gradgradcheck: the second-order gradient (the derivative of "
                             f"the first-order gradients){detail}") from None


def numerical_grad(F, arrays, eps=1e-6):
    """Central-difference gradient of the scalar function `F(*arrays)` for each array."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    grads = []
    with no_grad():
        for a in arrays:
            g = np.zeros_like(a)
            flat, gflat = a.reshape(-1), g.reshape(-1)
            for j in range(flat.size):
                orig = flat[j]
                flat[j] = orig + eps
                hi = F(*arrays)
                flat[j] = orig - eps
                lo = F(*arrays)
                flat[j] = orig
                gflat[j] = (hi - lo) / (2 * eps)
            grads.append(g)
    return grads


def _checked(f, inputs, op, **tolerances):
    """Private float64 copies of the inputs' data, after checking `f` and the tolerances
    (eps > 0, atol and rtol >= 0)."""
    if not callable(f):
        raise TypeError(f"{op}: the first argument must be the function to check, got "
                        f"{type(f).__name__}")
    for name, value in tolerances.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or \
                not (value > 0 if name == "eps" else value >= 0):
            raise ValueError(f"{op}: {name} must be a number {'>' if name == 'eps' else '>='} "
                             f"0, got {value!r}")
    return [np.array(as_array(_data(x), op, f"input {i}", np.float64))
            for i, x in enumerate(inputs)]


def _tensors(arrays, requires_grad=False):
    return [Tensor(np.array(a, dtype=np.float64), requires_grad=requires_grad)
            for a in arrays]


def _values(arrays, requires_grad=False):
    return [Value(float(a), requires_grad=requires_grad) for a in arrays]


def _data(x):
    return x.data if isinstance(x, (Tensor, Value)) else x


def _grad_array(leaf, like):
    g = leaf.grad
    if g is None:
        return np.zeros_like(like)
    g = np.asarray(g.data if isinstance(g, (Tensor, Value)) else g, dtype=np.float64)
    if g.shape != like.shape:
        raise GradcheckError(f"gradcheck: the gradient has shape {g.shape}, but its input has "
                             f"shape {like.shape}")
    return g
