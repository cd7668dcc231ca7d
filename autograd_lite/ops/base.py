"""The base of every tensor operation, and the ONE place that handles broadcasting.

`TensorFunction.vjp` sums each gradient a rule returns back to its input's shape ("sum
in reverse", with `SumTo`) and casts it to its input's dtype, so no rule ever thinks about
broadcasting. Rules are written with operators, array methods shared by NumPy and
`Tensor` (`reshape`, `transpose`, `sum`, `@`) and `Op.call(...)`, so one rule serves a
first-order pass on raw arrays and a `create_graph=True` pass on Tensors.
"""

import functools

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


def quiet_underflow(rule):
    """Decorate a forward or backward rule whose results may underflow to 0, harmlessly
    (the exp of a very negative number is 0 to float precision).

    The rule runs as it is: NumPy ignores underflow by default. Only if it raised
    FloatingPointError, because the caller made NumPy raise (`np.errstate(all="raise")`),
    or a RuntimeWarning turned into an error, does it run again with underflow ignored; an
    overflow or invalid value still raises. (Under `np.seterr(under="warn")` NumPy's
    warning is shown.) Entering `np.errstate` on every call would cost more than a small
    operation.

    >>> @quiet_underflow
    ... def tiny(x):
    ...     return np.exp(x)
    >>> with np.errstate(all="raise"):
    ...     print(tiny(np.float32(-200.0)))
    0.0
    """
    @functools.wraps(rule)
    def run(*args):
        try:
            return rule(*args)
        except (FloatingPointError, RuntimeWarning):
            with np.errstate(under="ignore"):
                return rule(*args)

    return run


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

    __slots__ = ("versions", "changes_seen", "out_version")

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


class Piecewise(TensorFunction):
    """`value`, an array made from `a`'s data that is piecewise constant in `a` (relu's mask,
    clip's, the share of a maximum, the zero slope of floor);  d/da = 0.

    Rules hand such a derivative to `piecewise`, which records it with this operation on a
    `create_graph=True` pass: the gradient they return then depends on `a`, as in
    PyTorch, and differentiating it again gives zeros instead of "does not require grad".

    `undefined` (a boolean mask that broadcasts to a's shape, or None) marks where the
    derivative is nan instead: see `curvature_undefined`.
    """

    __slots__ = ("value", "undefined")
    name = "piecewise"

    def __init__(self, value, undefined=None):
        self.value, self.undefined = value, undefined

    def forward(self, a):
        return self.value

    def backward(self, g, out, a):
        x = data_of(a)
        zeros = np.zeros(x.shape, dtype=x.dtype)
        if self.undefined is not None:
            zeros[np.broadcast_to(self.undefined, x.shape)] = np.nan
        return a._constant(zeros, a) if isinstance(a, Node) else zeros


def piecewise(value, a):
    """The array `value`, a derivative that is piecewise constant in the input `a`, as a
    backward rule needs it: itself on a first-order pass (raw arrays), and under
    `create_graph=True` a node made from `a` whose own derivative is 0 (`Piecewise`).

    >>> import numpy as np
    >>> from autograd_lite import Tensor
    >>> x = Tensor([-1.0, 2.0], requires_grad=True)
    >>> mask = piecewise(x.data > 0, x)           # relu's mask, in x's dtype
    >>> mask.data, mask.requires_grad, mask.grad_fn
    (array([0., 1.], dtype=float32), True, <piecewise>)
    """
    if not isinstance(a, Node) or not a.requires_grad:
        return value
    dtype = a.data.dtype
    if value.dtype != dtype and dtype.kind == "f":
        value = value.astype(dtype)
    return Piecewise.apply(a, value=value)


# each float dtype's same-size integer, to view a float array's bits
_BITS = {np.dtype(f): np.dtype(i) for f, i in
         [(np.float16, np.int16), (np.float32, np.int32), (np.float64, np.int64)]}


def select(mask, g, a=None):
    """`g` where the boolean `mask` holds, else exactly 0, even where `g` is inf or nan:
    how a rule routes its gradient through a 0/1 derivative (relu's, clip's, a maximum's).

    Never `g * mask`: an infinite or nan upstream gradient at a masked position (sqrt's at
    0 in `x.relu().sqrt()`) would give inf * 0 = nan, where the function is constant and
    PyTorch's gradient is 0. `mask` broadcasts against `g`. Under `create_graph=True` (`g`
    a node) the result is recorded with `Select`, as a function of `g` and of the input
    `a` whose derivative the mask is (derivative 0), so second derivatives stay right.

    >>> import numpy as np
    >>> select(np.array([True, False]), np.array([np.inf, np.inf]))
    array([inf,  0.])
    """
    if isinstance(g, Node):
        return Select.apply(g, a if isinstance(a, Node) else g, mask=mask)
    ints = _BITS.get(g.dtype)
    if ints is None:  # no same-size integer to view g as (longdouble): the general way
        return np.where(mask, g, np.zeros((), g.dtype))
    # The bits of g read as an integer, times 1 (mask True) or 0 (mask False): all of them
    # or none (0 is +0.0), exactly, and about as fast as g * mask; NumPy's where is several
    # times slower. Views as a same-size dtype work for any strides, 0-d arrays and NumPy
    # scalars.
    bits = mask.astype(ints)
    if bits.shape == g.shape and bits.ndim:  # in place (a 0-d result is a NumPy scalar)
        np.multiply(bits, g.view(ints), out=bits)
    else:
        bits = bits * g.view(ints)
    return bits.view(g.dtype)


class Select(TensorFunction):
    """select(mask, g) recorded under `create_graph=True`: g where `mask`, else 0, as a
    function of g (d/dg = the mask, by selecting again) and of the input `a` whose
    piecewise-constant derivative the mask is (d/da = 0, as `Piecewise`)."""

    __slots__ = ("mask",)
    name = "select"

    def __init__(self, mask):
        self.mask = mask

    def forward(self, g, a):
        return select(self.mask, g)

    def backward(self, gg, out, g, a):
        return select(self.mask, gg, a), zero_gradient(a) if self.needs_input_grad[1] else None


def curvature_undefined(grad, a, where):
    """`grad`, a rule's gradient, recorded (under `create_graph=True`) so that its own
    derivative with respect to `a` is nan where the mask `where` (which broadcasts to a's
    shape) holds: the second derivative where the curvature is infinite, as for a norm at
    the zero vector. The first derivative there is a convention (0, as PyTorch's); the
    second has none, so it is refused with nan, never a silent finite number.

    >>> import numpy as np
    >>> from autograd_lite import Tensor, grad
    >>> x = Tensor(np.zeros(2), requires_grad=True)
    >>> g = grad(lambda t: t.norm(), create_graph=True)(x)
    >>> g.data, grad(lambda t: grad(lambda u: u.norm(), create_graph=True)(t).sum())(x)
    (array([0., 0.]), array([nan, nan]))
    """
    if not isinstance(a, Node) or not a.requires_grad or not np.any(where):
        return grad
    where = np.asarray(where)
    ones = np.ones(where.shape, dtype=a.data.dtype)
    if np.broadcast_shapes(where.shape, a.shape) != a.shape:  # `a` was broadcast
        where = sum_to(where, a.shape) > 0
    return grad * Piecewise.apply(a, value=ones, undefined=where)


def zero_gradient(a):
    """Zeros of the input `a`'s shape: the gradient of a step function of `a` (floor, sign,
    ...). A constant, never `g * 0` (which would turn an infinite `g` into nan); under
    `create_graph=True` recorded as `piecewise` in `a`, so its own gradient is zeros too.
    """
    x = data_of(a)
    return piecewise(np.zeros(x.shape, dtype=x.dtype), a)
