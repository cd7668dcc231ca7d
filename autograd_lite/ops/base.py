"""The base of every tensor operation, and the ONE place that handles broadcasting.

`TensorFunction.vjp` sums each gradient a rule returns back to its input's shape ("sum
in reverse", with `SumTo`) and casts it to its input's dtype, so no rule ever thinks about
broadcasting. Rules are written with operators, array methods shared by NumPy and
`Tensor` (`reshape`, `transpose`, `sum`, `@`) and `Op.call(...)`, so one rule serves a
first-order pass on raw arrays and a `create_graph=True` pass on Tensors.
"""

import numpy as np

from ..engine import Function, Node, data_of

# ***** helpers *****


def normalize_axes(axis, ndim, op):
    """Turn `axis` (None, int or tuple) into a sorted tuple of non-negative axes.

    Raises a ValueError that names the operation and the valid range.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    out = []
    size = max(ndim, 1)  # a 0-d tensor accepts axis 0 or -1, as in PyTorch
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"{op}: axis must be an int, a tuple of ints or None, got {axis!r}")
        if not -size <= a < size:
            raise ValueError(f"{op}: axis {a} is out of range for a tensor with {ndim} "
                             f"dimension(s); valid axes are {-size}..{size - 1}")
        out.append(int(a) % size)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis!r}")
    return tuple(sorted(out)) if ndim else ()


def kept_shape(shape, axes):
    """`shape` with the reduced `axes` kept as size 1 (the keepdims=True shape)."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def sum_to(x, shape):
    """Sum the array `x` down to `shape`, undoing NumPy broadcasting."""
    lead = x.ndim - len(shape)
    if x.shape[lead:] == shape:  # only new leading axes, as for a bias: one plain sum
        return x.sum(axis=tuple(range(lead)))
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1)
    if axes:
        x = x.sum(axis=axes, keepdims=True)
    if lead:
        x = x.reshape(shape)
    return x


class TensorFunction(Function):
    """Base of tensor operations: fits each gradient to its input's shape and dtype."""

    __slots__ = ("versions",)

    def vjp(self, g, out, xs):
        grads = self.backward(g, out, *xs)
        return fit_gradients(grads, xs) if grads.__class__ is tuple else (_fit(grads, xs[0]),)


def fit_gradients(grads, xs):
    """Sum each gradient back to its input's shape and cast it to its dtype, where needed."""
    for gx, x in zip(grads, xs):  # the common case: every gradient already fits
        if gx is not None and (gx.__class__ is not x.__class__ or gx.shape != x.shape
                               or (gx.dtype is not x.dtype and gx.dtype != x.dtype)):
            return tuple(_fit(gx, x) for gx, x in zip(grads, xs))
    return grads


def _fit(gx, x):
    """Sum a gradient back to its input's shape and cast it to the input's dtype."""
    if gx is None or (gx.__class__ is x.__class__ and gx.shape == x.shape
                      and gx.dtype is x.dtype):
        return gx  # the common case: it fits already
    if gx.shape != x.shape:
        gx = SumTo.call(gx, shape=x.shape)
    if gx.dtype != x.dtype and x.dtype.kind == "f":
        # NOTE: never cast down to an integer input's dtype: an integer tensor made to
        # require grad by hand (`t.requires_grad = True`) would get a truncated gradient.
        gx = gx.astype(x.dtype)
    if type(gx) is not np.ndarray and not isinstance(gx, Node):
        gx = np.asarray(gx)  # a NumPy scalar from a 0-d reduction
    return gx


# ***** broadcasting *****


class BroadcastTo(TensorFunction):
    """broadcast_to(a, shape);  the gradient is summed back to a's shape."""

    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = tuple(shape)

    @property
    def name(self):
        return f"broadcast_to{self.shape}"

    def forward(self, a):
        return np.broadcast_to(a, self.shape)

    def backward(self, g, out, a):
        return SumTo.call(g, shape=a.shape)


class SumTo(TensorFunction):
    """Sum a broadcast gradient back to `shape` (the reverse of broadcast_to)."""

    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = tuple(shape)

    @property
    def name(self):
        return f"sum_to{self.shape}"

    def forward(self, a):
        return sum_to(a, self.shape)

    def backward(self, g, out, a):
        return BroadcastTo.call(g, shape=a.shape)


def zero_gradient(g):
    """Zeros shaped like the gradient `g`: the gradient of a step function (floor, sign, ...).

    A constant (never `g * 0`, which would turn an infinite `g` into nan).
    """
    zeros = np.zeros(data_of(g).shape, dtype=data_of(g).dtype)
    return g._constant(zeros, g) if isinstance(g, Node) else zeros
