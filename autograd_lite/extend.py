"""Add your own tensor operations: a forward rule and a backward rule, like the built-in ones.

Subclass `Function`, write `forward` (NumPy arrays in, an array out) and `backward` (the
chain rule: upstream gradient in, one gradient per input out), and call `MyOp.apply(...)`
on Tensors. The new operation then records graphs, respects `no_grad()`, shows up in
`draw_graph` under its name, and works with `gradcheck`, `gradgradcheck` and the
function transforms (`grad`, `hessian`, ...). docs/extending.md walks through an example.

A backward rule runs twice over: on plain NumPy arrays for first derivatives (fast), and
on Tensors when a graph of the gradient is wanted (`create_graph=True`, `grad(grad(f))`).
Written with operators (`+ - * / ** @`), methods that arrays and Tensors share
(`.sum(axis=..., keepdims=...)`, `.reshape`, `.T`, `.transpose`) and the functions below,
one rule serves both, and higher derivatives come for free.

>>> import numpy as np
>>> from autograd_lite import Tensor
>>> from autograd_lite.extend import Function, exp
>>> class Exp(Function):
...     def forward(self, x):
...         return np.exp(x)
...     def backward(self, g, out, x):
...         return g * exp(x)          # `exp` works on arrays and on Tensors
>>> x = Tensor(np.array([0.0, 1.0]), requires_grad=True)
>>> Exp.apply(x).sum().backward()
>>> x.grad
array([1.        , 2.71828183])
"""

import numpy as np

from . import ops
from .engine import Node, data_of
from .tensor import Tensor

__all__ = ["Function", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "where", "data_of"]


class Function(ops.TensorFunction):
    """Base class for a user-defined tensor operation (like `torch.autograd.Function`).

    Write two methods, side by side:

    - `forward(self, *arrays)`: the inputs' NumPy arrays in, the output array out. Keep
      non-differentiable facts you need later (a mask, an axis) on `self`; never Tensors.
    - `backward(self, g, out, *inputs)`: `g` is dL/d(output) and `out` the output; return
      dL/d(input) for each input (a tuple, or one value for one input; None where an
      input needs no gradient; `self.needs_input_grad` says which do). A gradient may
      have the broadcast output's shape: it is summed back to its input's shape.

    Parameters of the operation (an axis, a constant) are keyword arguments of `apply`,
    passed to `__init__`. `name` (the class name in lower case by default) is what
    `draw_graph` and error messages show.

    >>> import numpy as np
    >>> from autograd_lite import Tensor, gradcheck
    >>> from autograd_lite.extend import Function
    >>> class Scale(Function):
    ...     def __init__(self, factor):
    ...         self.factor = factor
    ...     def forward(self, x):
    ...         return x * self.factor
    ...     def backward(self, g, out, x):
    ...         return g * self.factor
    >>> Scale.apply(Tensor([1.0, 2.0]), factor=3.0)
    Tensor([3., 6.])
    >>> gradcheck(lambda x: Scale.apply(x, factor=3.0), [np.array([1.0, 2.0])])
    True
    """

    @classmethod
    def apply(cls, *inputs, **params):
        """Run the operation on `inputs` (Tensors; plain numbers and arrays become constants)."""
        if not inputs:
            raise TypeError(f"{cls.__name__}.apply: needs at least one input")
        for x in inputs:
            if isinstance(x, Node) and not isinstance(x, Tensor):
                raise TypeError(f"{cls.__name__}.apply: extend.Function works on Tensors, "
                                f"got a {type(x).__name__}")
        first = next((x for x in inputs if isinstance(x, Tensor)), None)
        if first is None:
            first = Tensor(inputs[0])
            inputs = (first,) + inputs[1:]
        return super().apply(*(Tensor._constant(x, first) for x in inputs), **params)

    def vjp(self, g, out, xs):
        grads = self.backward(g, out, *xs)
        grads = tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)
        if len(grads) != len(xs):
            raise TypeError(f"{self.name}.backward returned {len(grads)} gradient(s) for "
                            f"{len(xs)} input(s); return one per input (None for no gradient)")
        checked = []
        for i, (gx, x) in enumerate(zip(grads, xs)):
            if gx is not None:
                if not isinstance(gx, (Node, np.ndarray)):
                    gx = np.asarray(gx, dtype=x.dtype)
                if gx.shape != x.shape and not _between(x.shape, gx.shape, out.shape):
                    raise ValueError(
                        f"{self.name}.backward returned a gradient of shape {gx.shape} for "
                        f"input {i} of shape {x.shape}; it must have the input's shape (or "
                        f"the broadcast output's shape)")
            checked.append(gx)
        # The engine's fitting (sum broadcast gradients back, cast the dtype): the one
        # place where broadcasting is undone.
        return ops.fit_gradients(tuple(checked), xs)


def _between(x_shape, g_shape, out_shape):
    """Does `x_shape` broadcast to `g_shape`, and `g_shape` to the output's shape?"""
    try:
        return (np.broadcast_shapes(x_shape, g_shape) == g_shape
                and np.broadcast_shapes(g_shape, out_shape) == out_shape)
    except ValueError:
        return False


# ***** functions for backward rules: NumPy arrays in, arrays out; Tensors in, Tensors out *****


def exp(x):
    """e ** x, elementwise, for arrays or Tensors.

    >>> exp(np.zeros(2))
    array([1., 1.])
    """
    return ops.Exp.call(x)


def log(x):
    """Natural logarithm, elementwise, for arrays or Tensors.

    >>> log(np.array([1.0, np.e]))
    array([0., 1.])
    """
    return ops.Log.call(x)


def sqrt(x):
    """Square root, elementwise, for arrays or Tensors.

    >>> sqrt(Tensor(np.array([4.0, 9.0]), requires_grad=True))
    Tensor([2., 3.], dtype=float64, requires_grad=True)
    """
    return ops.Sqrt.call(x)


def tanh(x):
    """Hyperbolic tangent, elementwise, for arrays or Tensors.

    >>> tanh(np.array([0.0]))
    array([0.])
    """
    return ops.Tanh.call(x)


def sigmoid(x):
    """1 / (1 + e ** -x), elementwise and without overflow, for arrays or Tensors.

    >>> sigmoid(np.array([0.0, 1000.0, -1000.0]))
    array([0.5, 1. , 0. ])
    """
    return ops.Sigmoid.call(x)


def relu(x):
    """max(x, 0), elementwise, for arrays or Tensors.

    >>> relu(np.array([-1.0, 2.0]))
    array([0., 2.])
    """
    return ops.Relu.call(x)


def where(condition, a, b):
    """`a` where `condition` (a constant: array, or Tensor of bools) holds, else `b`.

    Either of `a` and `b` may be a Tensor, an array or a number.

    >>> where(np.array([True, False]), np.array([1.0, 2.0]), 0.0)
    array([1., 0.])
    """
    return ops.Where.call(a, b, cond=np.asarray(data_of(condition), dtype=bool))
