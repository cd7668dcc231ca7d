"""The tensor operations behind `Tensor`: each forward rule beside its backward rule.

`TensorFunction.vjp` is the ONE place that handles broadcasting: a rule may return a
gradient of the broadcast output's shape, and `vjp` sums it back to its input's shape
("sum in reverse"). Rules are written with operators, array methods shared by NumPy and
`Tensor` (`reshape`, `transpose`, `sum`, `@`) and `Op.call(...)`, so one rule serves a
first-order pass on raw arrays and a `create_graph=True` pass on Tensors.
"""

import numpy as np

from .engine import Function, Node, data_of

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
        return fit_gradients(grads if grads.__class__ is tuple else (grads,), xs)


def fit_gradients(grads, xs):
    """Sum each gradient back to its input's shape and cast it to its dtype, where needed."""
    for gx, x in zip(grads, xs):  # the common case: every gradient already fits
        if gx is not None and (gx.__class__ is not x.__class__ or gx.shape != x.shape
                               or gx.dtype != x.dtype):
            return tuple(_fit(gx, x) for gx, x in zip(grads, xs))
    return grads


def _fit(gx, x):
    """Sum a gradient back to its input's shape and cast it to the input's dtype."""
    if gx is None:
        return None
    if gx.shape != x.shape:
        gx = SumTo.call(gx, shape=x.shape)
    if gx.dtype != x.dtype:
        gx = gx.astype(x.dtype)
    if type(gx) is not np.ndarray and not isinstance(gx, Node):
        gx = np.asarray(gx)  # a NumPy scalar from a 0-d reduction
    return gx


# ***** elementwise binary (inputs broadcast against each other) *****


class Add(TensorFunction):
    """a + b;  d/da = 1, d/db = 1."""

    __slots__ = ()
    name = "add"

    def forward(self, a, b):
        return a + b

    def backward(self, g, out, a, b):
        return g, g


class Sub(TensorFunction):
    """a - b;  d/da = 1, d/db = -1."""

    __slots__ = ()
    name = "sub"

    def forward(self, a, b):
        return a - b

    def backward(self, g, out, a, b):
        return g, (-g if self.needs_input_grad[1] else None)


class Mul(TensorFunction):
    """a * b;  d/da = b, d/db = a."""

    __slots__ = ()
    name = "mul"

    def forward(self, a, b):
        return a * b

    def backward(self, g, out, a, b):
        need_a, need_b = self.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)


class Div(TensorFunction):
    """a / b;  d/da = 1/b, d/db = -a/b**2."""

    __slots__ = ()
    name = "div"

    def forward(self, a, b):
        return a / b

    def backward(self, g, out, a, b):
        ga = g / b
        return ga, (-ga * out if self.needs_input_grad[1] else None)


class Pow(TensorFunction):
    """a ** b;  d/da = b * a**(b-1), d/db = a**b * log(a)."""

    __slots__ = ()
    name = "pow"

    def forward(self, a, b):
        return a**b

    def backward(self, g, out, a, b):
        need_a, need_b = self.needs_input_grad
        ga = gb = None
        if need_a:
            # NOTE: at a == 0 and b == 0, d/da is 0 (a**0 is constant), not 0 * 0**-1 = nan:
            # the exponent 1 there keeps the product finite.
            at_zero = (data_of(a) == 0) & (data_of(b) == 0)
            ga = g * b * a ** Where.call(1.0, b - 1, cond=at_zero)
        if need_b:
            # NOTE: d/db needs log(a): nan where a < 0, as in PyTorch; where a == 0 the
            # gradient is 0 (0**b is 0 for every b > 0), so log(1) stands in for log(0).
            gb = g * out * Log.call(Where.call(1.0, a, cond=data_of(a) == 0))
        return ga, gb


class Maximum(TensorFunction):
    """maximum(a, b);  the gradient goes to the larger input."""

    __slots__ = ()
    name = "maximum"

    def forward(self, a, b):
        return np.maximum(a, b)

    def backward(self, g, out, a, b):
        # NOTE: where a == b the gradient is split evenly between them, as in PyTorch.
        a, b = data_of(a), data_of(b)
        share_a = (a > b) + 0.5 * (a == b)
        return g * share_a.astype(a.dtype), g * (1 - share_a).astype(b.dtype)


class Where(TensorFunction):
    """where(cond, a, b), `cond` a constant;  d/da = cond, d/db = not cond."""

    __slots__ = ("cond",)
    name = "where"

    def __init__(self, cond):
        self.cond = cond

    def forward(self, a, b):
        return np.where(self.cond, a, b)

    def backward(self, g, out, a, b):
        zero = np.zeros((), dtype=out.dtype)
        return Where.call(g, zero, cond=self.cond), Where.call(zero, g, cond=self.cond)


# ***** elementwise unary *****


class Neg(TensorFunction):
    """-a;  d/da = -1."""

    __slots__ = ()
    name = "neg"

    def forward(self, a):
        return -a

    def backward(self, g, out, a):
        return -g


class Exp(TensorFunction):
    """exp(a);  d/da = exp(a)."""

    __slots__ = ()
    name = "exp"

    def forward(self, a):
        return np.exp(a)

    def backward(self, g, out, a):
        return g * out


class Log(TensorFunction):
    """log(a) (natural);  d/da = 1/a. log(0) = -inf and log(a < 0) = nan, as in NumPy."""

    __slots__ = ()
    name = "log"

    def forward(self, a):
        return np.log(a)

    def backward(self, g, out, a):
        negative = data_of(a) < 0
        if negative.any():  # NOTE: no derivative where log is undefined: nan, never 1/a
            return Where.call(np.nan, g / a, cond=negative)
        return g / a


class Sqrt(TensorFunction):
    """sqrt(a);  d/da = 1 / (2 sqrt(a))."""

    __slots__ = ()
    name = "sqrt"

    def forward(self, a):
        return np.sqrt(a)

    def backward(self, g, out, a):
        return g / (2 * out)


class Abs(TensorFunction):
    """|a|;  d/da = sign(a)."""

    __slots__ = ()
    name = "abs"

    def forward(self, a):
        return np.abs(a)

    def backward(self, g, out, a):
        # NOTE: at a == 0 we take the subgradient 0 (sign(0) = 0), as PyTorch does.
        return g * np.sign(data_of(a))


class Tanh(TensorFunction):
    """tanh(a);  d/da = 1 - tanh(a)**2."""

    __slots__ = ()
    name = "tanh"

    def forward(self, a):
        return np.tanh(a)

    def backward(self, g, out, a):
        return g * (1 - out * out)


class Sigmoid(TensorFunction):
    """sigmoid(a) = 1 / (1 + exp(-a));  d/da = sigmoid(a) * (1 - sigmoid(a))."""

    __slots__ = ()
    name = "sigmoid"

    def forward(self, a):
        # NOTE: exp(-|a|) never overflows (it may underflow to 0, which is exact enough);
        # both branches are the same function.
        with np.errstate(under="ignore"):
            e = np.exp(-np.abs(a))
        return np.where(a >= 0, 1 / (1 + e), e / (1 + e))

    def backward(self, g, out, a):
        return g * out * (1 - out)


class Relu(TensorFunction):
    """max(a, 0);  d/da = 1 where a > 0, else 0."""

    __slots__ = ()
    name = "relu"

    def forward(self, a):
        return np.maximum(a, 0)

    def backward(self, g, out, a):
        # NOTE: at a == 0 we take the subgradient 0, as PyTorch does.
        return g * (data_of(out) > 0)


class Clip(TensorFunction):
    """clip(a, low, high);  d/da = 1 where low <= a <= high, else 0."""

    __slots__ = ("low", "high")

    def __init__(self, low, high):
        self.low, self.high = low, high

    @property
    def name(self):
        return f"clip({self.low}, {self.high})"

    def forward(self, a):
        return np.clip(a, self.low, self.high)

    def backward(self, g, out, a):
        x = data_of(a)
        inside = np.ones(x.shape, dtype=bool)
        if self.low is not None:
            inside &= x >= self.low
        if self.high is not None:
            inside &= x <= self.high
        return g * inside


class Cast(TensorFunction):
    """a.astype(dtype);  the gradient is cast back to a's dtype."""

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)

    @property
    def name(self):
        return f"astype({self.dtype})"

    def forward(self, a):
        return a.astype(self.dtype)

    def backward(self, g, out, a):
        return g.astype(a.dtype)


# ***** reductions *****


class _Reduce(TensorFunction):
    """Shared parameters of reductions over `axis` with `keepdims`."""

    __slots__ = ("axis", "keepdims", "axes")

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    @property
    def name(self):
        kind = type(self).__name__.lower()
        return kind if self.axis is None else f"{kind}(axis={self.axis})"

    def expand(self, g, x):
        """Reshape the upstream gradient so that it broadcasts against the input `x`."""
        return g if self.keepdims else g.reshape(kept_shape(x.shape, self.axes))


class Sum(_Reduce):
    """sum(a, axis);  d/da = 1 for every summed element (the gradient is broadcast back)."""

    __slots__ = ()

    def forward(self, a):
        self.axes = normalize_axes(self.axis, a.ndim, "sum")
        return a.sum(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g, out, a):
        return BroadcastTo.call(self.expand(g, a), shape=a.shape)


class Mean(_Reduce):
    """mean(a, axis);  d/da = 1/n, n the number of elements averaged."""

    __slots__ = ()

    def forward(self, a):
        self.axes = normalize_axes(self.axis, a.ndim, "mean")
        return a.mean(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g, out, a):
        n = 1
        for i in self.axes:
            n *= a.shape[i]
        return BroadcastTo.call(self.expand(g, a) / n, shape=a.shape)


class Max(_Reduce):
    """max(a, axis);  the gradient goes to the maximal elements."""

    __slots__ = ()

    def forward(self, a):
        self.axes = normalize_axes(self.axis, a.ndim, "max")
        if a.size == 0:
            raise ValueError("max: cannot reduce an empty tensor (no identity)")
        return a.max(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g, out, a):
        # NOTE: ties share the gradient evenly, as PyTorch's amax does.
        return self.expand(g, a) * _argmax_share(data_of(a), data_of(out), self)


class Min(_Reduce):
    """min(a, axis);  the gradient goes to the minimal elements."""

    __slots__ = ()

    def forward(self, a):
        self.axes = normalize_axes(self.axis, a.ndim, "min")
        if a.size == 0:
            raise ValueError("min: cannot reduce an empty tensor (no identity)")
        return a.min(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g, out, a):
        # NOTE: ties share the gradient evenly, as PyTorch's amin does.
        return self.expand(g, a) * _argmax_share(data_of(a), data_of(out), self)


def _argmax_share(x, out, reduce):
    """1/k where x equals the reduction's result (k ties), else 0: d max / dx."""
    hit = x == reduce.expand(out, x)
    return hit / hit.sum(axis=reduce.axes, keepdims=True).astype(x.dtype)


# ***** softmax *****


class Softmax(TensorFunction):
    """softmax(a, axis) = exp(a) / sum(exp(a));  d/da = y * (g - sum(g * y))."""

    __slots__ = ("axis",)

    def __init__(self, axis=-1):
        self.axis = axis

    @property
    def name(self):
        return f"softmax(axis={self.axis})"

    def forward(self, a):
        axes = normalize_axes(self.axis, a.ndim, "softmax")
        # NOTE: subtracting the max changes nothing mathematically and keeps exp <= 1.
        with np.errstate(under="ignore"):
            e = np.exp(a - a.max(axis=axes, keepdims=True))
        return e / e.sum(axis=axes, keepdims=True)

    def backward(self, g, out, a):
        return out * (g - (g * out).sum(axis=self.axis, keepdims=True))


class LogSoftmax(TensorFunction):
    """log_softmax(a, axis) = a - logsumexp(a);  d/da = g - softmax(a) * sum(g)."""

    __slots__ = ("axis",)

    def __init__(self, axis=-1):
        self.axis = axis

    @property
    def name(self):
        return f"log_softmax(axis={self.axis})"

    def forward(self, a):
        axes = normalize_axes(self.axis, a.ndim, "log_softmax")
        shifted = a - a.max(axis=axes, keepdims=True)
        with np.errstate(under="ignore"):
            return shifted - np.log(np.exp(shifted).sum(axis=axes, keepdims=True))

    def backward(self, g, out, a):
        with np.errstate(under="ignore"):
            softmax = Exp.call(out)
        return g - softmax * g.sum(axis=self.axis, keepdims=True)


# ***** matmul *****


class Matmul(TensorFunction):
    """a @ b (NumPy semantics, batched and 1-D);  d/da = g @ b.T, d/db = a.T @ g."""

    __slots__ = ()
    name = "matmul"

    def forward(self, a, b):
        try:
            return a @ b
        except ValueError:
            raise ValueError(_matmul_mismatch(a.shape, b.shape)) from None

    def backward(self, g, out, a, b):
        need_a, need_b = self.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # the common case, kept obvious
            return (g @ b.T if need_a else None), (a.T @ g if need_b else None)
        # Promote vectors to matrices as NumPy does, then drop the added axis again.
        if a.ndim == 1:
            a = a.reshape((1,) + a.shape)
            g = g.reshape(g.shape[:-1] + (1,) + g.shape[-1:])
        if b.ndim == 1:
            b = b.reshape(b.shape + (1,))
            g = g.reshape(g.shape + (1,))
        ga = g @ b.swapaxes(-1, -2) if need_a else None
        gb = a.swapaxes(-1, -2) @ g if need_b else None
        if need_a and self.parents[0].ndim == 1:
            ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
        if need_b and self.parents[1].ndim == 1:
            gb = gb.reshape(gb.shape[:-1])
        return ga, gb  # batch dimensions are summed back by vjp


def _matmul_mismatch(a, b):
    if not a or not b:
        return f"matmul: both operands need at least 1 dimension, got shapes {a} and {b}"
    k_b, which = (b[-2], "second-to-last") if len(b) > 1 else (b[0], "only")
    if a[-1] != k_b:
        return (f"matmul: shapes {a} and {b} are not aligned: {a[-1]} (last dim of a) != "
                f"{k_b} ({which} dim of b)")
    return f"matmul: the batch dimensions of shapes {a} and {b} do not broadcast"


# ***** shape and indexing *****


class Reshape(TensorFunction):
    """a.reshape(shape);  the gradient is reshaped back."""

    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = shape

    @property
    def name(self):
        return f"reshape{self.shape}"

    def forward(self, a):
        try:
            return a.reshape(self.shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {a.shape} "
                             f"({a.size} elements) into shape {self.shape}") from None

    def backward(self, g, out, a):
        return g.reshape(a.shape)


class Transpose(TensorFunction):
    """a.transpose(axes);  the gradient is transposed back by the inverse permutation."""

    __slots__ = ("axes",)

    def __init__(self, axes=None):
        self.axes = axes

    @property
    def name(self):
        return "transpose" if self.axes is None else f"transpose{self.axes}"

    def forward(self, a):
        if self.axes is None:
            self.axes = tuple(reversed(range(a.ndim)))
        elif (len(self.axes) != a.ndim
              or normalize_axes(tuple(self.axes), a.ndim, "transpose") != tuple(range(a.ndim))):
            raise ValueError(f"transpose: axes {self.axes} are not a permutation of the "
                             f"{a.ndim} axes of a tensor of shape {a.shape}")
        else:
            self.axes = tuple(int(i) % a.ndim for i in self.axes)
        return a.transpose(self.axes)

    def backward(self, g, out, a):
        return g.transpose(tuple(np.argsort(self.axes)))


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


class GetItem(TensorFunction):
    """a[index];  the gradient is scattered back, repeated indices adding up."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index

    name = "getitem"

    def forward(self, a):
        return a[self.index]

    def backward(self, g, out, a):
        return ScatterAdd.call(g, index=self.index, shape=a.shape)


class ScatterAdd(TensorFunction):
    """zeros(shape) with g added at `index` (repeats add up): the reverse of indexing."""

    __slots__ = ("index", "shape")

    def __init__(self, index, shape):
        self.index, self.shape = index, shape

    name = "scatter_add"

    def forward(self, g):
        out = np.zeros(self.shape, dtype=g.dtype)
        if _is_basic(self.index):
            out[self.index] = g  # basic indexing never repeats an element
        else:
            np.add.at(out, self.index, g)
        return out

    def backward(self, g, out, a):
        return GetItem.call(g, index=self.index)


def _is_basic(index):
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice))
               for i in items)


class Concatenate(TensorFunction):
    """concatenate(xs, axis);  each input gets its slice of the gradient."""

    __slots__ = ("axis",)

    def __init__(self, axis=0):
        self.axis = axis

    @property
    def name(self):
        return f"concatenate(axis={self.axis})"

    def forward(self, *xs):
        if xs[0].ndim == 0:
            raise ValueError("concatenate: 0-d tensors have no axis to join along; use "
                             "stack() to make a new axis")
        (self.axis,) = normalize_axes(self.axis, xs[0].ndim, "concatenate")
        for i, x in enumerate(xs):
            if x.ndim != xs[0].ndim or x.shape[:self.axis] + x.shape[self.axis + 1:] != (
                    xs[0].shape[:self.axis] + xs[0].shape[self.axis + 1:]):
                raise ValueError(
                    f"concatenate: input {i} has shape {x.shape}, which does not match "
                    f"input 0's shape {xs[0].shape} outside axis {self.axis}")
        return np.concatenate(xs, axis=self.axis)

    def backward(self, g, out, *xs):
        grads, start = [], 0
        for x in xs:
            stop = start + x.shape[self.axis]
            index = (slice(None),) * self.axis + (slice(start, stop),)
            grads.append(GetItem.call(g, index=index))
            start = stop
        return tuple(grads)


class Stack(TensorFunction):
    """stack(xs, axis);  input i gets the gradient's slice i along the new axis."""

    __slots__ = ("axis",)

    def __init__(self, axis=0):
        self.axis = axis

    @property
    def name(self):
        return f"stack(axis={self.axis})"

    def forward(self, *xs):
        (self.axis,) = normalize_axes(self.axis, xs[0].ndim + 1, "stack")
        for i, x in enumerate(xs):
            if x.shape != xs[0].shape:
                raise ValueError(f"stack: input {i} has shape {x.shape}, but input 0 has "
                                 f"shape {xs[0].shape}; stacked tensors need equal shapes")
        return np.stack(xs, axis=self.axis)

    def backward(self, g, out, *xs):
        lead = (slice(None),) * self.axis
        return tuple(GetItem.call(g, index=lead + (i,)) for i in range(len(xs)))
