"""Reductions over axes: sum, mean, max, min, var, prod, logsumexp, norm; and the running
(cumulative) sum and product along one axis.
"""

import warnings

import numpy as np

from ..engine import Node, data_of
from .base import (BroadcastTo, TensorFunction, curvature_undefined, kept_shape,
                   normalize_axes, piecewise, select, zero_gradient)
from .elementwise import Exp, Sign, Where
from .shape import Concatenate, Flip

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
        if a.size == 0:  # nan where nothing is averaged, as NumPy and PyTorch, but quietly
            with np.errstate(invalid="ignore", divide="ignore"):
                return a.sum(axis=self.axes, keepdims=self.keepdims) / _count(a, self.axes, 0)
        return a.mean(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g, out, a):
        return BroadcastTo.call(self.expand(g, a) / _count(a, self.axes), shape=a.shape)


def _count(a, axes, least=1):
    """The number of elements a reduction over `axes` combines, at least `least` (in
    backward 1: an empty tensor's gradient is empty, and must not warn of 0/0)."""
    n = 1
    for i in axes:
        n *= a.shape[i]
    return max(n, least)


class _Extreme(_Reduce):
    """Shared by max and min: the gradient goes to the extreme elements, shared evenly
    among ties (PyTorch's max() and amax), or with `first=True` all to the first of them
    (PyTorch's max(dim), whose index is argmax's)."""

    __slots__ = ("first",)

    def __init__(self, axis=None, keepdims=False, first=False):
        super().__init__(axis, keepdims)
        self.first = first

    def backward(self, g, out, a):
        hit, count = _hits(data_of(a), data_of(out), self)
        return select(hit, self.expand(g, a) / count, a)


class Max(_Extreme):
    """max(a, axis);  the gradient goes to the maximal elements (see `_Extreme`)."""

    __slots__ = ()

    def forward(self, a):
        self.axes = normalize_axes(self.axis, a.ndim, "max")
        _check_nonempty(a, self.axes, "max")
        return a.max(axis=self.axes, keepdims=self.keepdims)


class Min(_Extreme):
    """min(a, axis);  the gradient goes to the minimal elements (see `_Extreme`)."""

    __slots__ = ()

    def forward(self, a):
        self.axes = normalize_axes(self.axis, a.ndim, "min")
        _check_nonempty(a, self.axes, "min")
        return a.min(axis=self.axes, keepdims=self.keepdims)


def _check_nonempty(a, axes, op):
    """max and min have no identity: refuse to reduce an axis of length 0 (as NumPy and
    PyTorch do); other axes may be empty."""
    empty = [i for i in axes if a.shape[i] == 0]
    if empty or (a.size == 0 and not axes):
        where = f"axis {empty[0]} of shape {a.shape}" if empty else f"shape {a.shape}"
        raise ValueError(f"{op}: cannot reduce over an axis of length 0 ({where}): the "
                         f"{op} of no numbers is undefined")


def _hits(x, out, reduce):
    """Where x equals the reduction's result, and how many ties k each result has: d max /
    dx is 1/k there, else 0 (only the first hit along the axis, k = 1, for `first`).

    A nan result came from the nan elements (NumPy's max and min propagate nan), so they
    share the gradient, as in PyTorch; `nan == nan` alone would give 0/0 everywhere."""
    full = reduce.expand(out, x)
    hit = x == full
    if np.isnan(out).any():
        hit |= np.isnan(x) & np.isnan(full)
    if reduce.first and len(reduce.axes) == 1:  # the first hit alone
        hit &= np.cumsum(hit, axis=reduce.axes[0]) == 1
    return hit, hit.sum(axis=reduce.axes, keepdims=True).astype(x.dtype)


# ***** statistics *****


class Var(_Reduce):
    """var(a, axis, correction) = sum((a - mean)**2) / (n - correction);
    d/da = 2 (a - mean) / (n - correction).

    With `root=True` it is the standard deviation std = sqrt(var);
    d/da = (a - mean) / ((n - correction) std), and 0 where std is 0 (PyTorch's choice:
    constant data), never the nan of sqrt's infinite slope at 0 times 0.

    NOTE: n - correction <= 0 divides by 0 (inf or nan), as in PyTorch and NumPy, with a
    RuntimeWarning that says so.
    """

    __slots__ = ("correction", "root")

    def __init__(self, axis=None, keepdims=False, correction=1, root=False):
        super().__init__(axis, keepdims)
        self.correction, self.root = correction, root

    @property
    def name(self):
        kind = "std" if self.root else "var"
        return f"{kind}(axis={self.axis}, correction={self.correction})"

    def forward(self, a):
        kind = "std" if self.root else "var"
        self.axes = normalize_axes(self.axis, a.ndim, kind)
        n = self._count(a)
        if n - self.correction > 0:
            out = np.var(a, axis=self.axes, keepdims=self.keepdims, ddof=self.correction)
            return np.sqrt(out) if self.root else out
        warnings.warn(f"{kind}: {n} element(s) with correction {self.correction} leave no "
                      f"degrees of freedom (n - correction <= 0): the result is nan or inf",
                      RuntimeWarning, stacklevel=4)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = (self._centred(a, n) ** 2).sum(axis=self.axes, keepdims=self.keepdims) / 0
            return np.sqrt(out) if self.root else out

    def _count(self, a):
        n = 1
        for i in self.axes:
            n *= a.shape[i]
        return n

    def _centred(self, a, n):
        return a - a.sum(axis=self.axes, keepdims=True) / max(n, 1)  # 0 / 1 when empty

    def backward(self, g, out, a):
        n = self._count(a)
        divisor = n - self.correction
        scale = 1 / divisor if divisor > 0 else np.inf
        with np.errstate(invalid="ignore", divide="ignore"):
            grad = self.expand(g, a) * self._centred(a, n)
            if not self.root:
                return grad * (2 * scale)
            std = self.expand(out, a)
            zero = data_of(std) == 0
            grad = Where.call(0.0, grad * scale / Where.call(1.0, std, cond=zero), cond=zero)
            # NOTE: where std is 0 (constant data) its curvature is infinite, as a norm's
            # at the zero vector (std is the norm of a - mean): the second derivative there
            # is nan (PyTorch gives 0). Over one element std is 0 everywhere: smooth.
            return curvature_undefined(grad, a, zero) if n > 1 else grad


class Logsumexp(_Reduce):
    """log(sum(exp(a))) over `axis`, without overflow;  d/da = exp(a - out) = softmax(a)."""

    __slots__ = ()

    def forward(self, a):
        self.axes = normalize_axes(self.axis, a.ndim, "logsumexp")
        top = a.max(axis=self.axes, keepdims=True) if a.size else np.zeros(
            kept_shape(a.shape, self.axes), a.dtype)
        top = np.where(np.isfinite(top), top, 0)  # all -inf (or an inf): nothing to shift
        with np.errstate(under="ignore", divide="ignore"):
            out = np.log(np.exp(a - top).sum(axis=self.axes, keepdims=True)) + top
        return out if self.keepdims else out.reshape(
            tuple(n for i, n in enumerate(a.shape) if i not in self.axes))

    def backward(self, g, out, a):
        full = self.expand(out, a)
        with np.errstate(under="ignore", invalid="ignore"):
            share = Exp.call(a - full)
        if np.isinf(data_of(out)).any():
            # NOTE: where the result is -inf (every input -inf) or +inf, logsumexp does not
            # change when a finite amount is added to an infinite input (-inf + d = -inf),
            # so those inputs get 0, not the nan of inf - inf (PyTorch's), which would turn
            # the whole gradient of a larger expression such as lse(lse(-inf, -inf), 2)
            # into nan (pytorch/pytorch#31829 and #49724, jax-ml/jax#6811).
            x = data_of(a)
            share = Where.call(0.0, share, cond=np.isinf(x) & (x == data_of(full)))
        return self.expand(g, a) * share


class Norm(_Reduce):
    """The vector p-norm (sum |a|**p) ** (1/p) over `axis` (p = inf: max |a|, p = 0: the
    count of non-zeros);  d/da = sign(a) |a|**(p-1) / out**(p-1), and 0 where out is 0.

    NOTE: as in PyTorch, the norm of zeros has gradient 0, and for p = inf tied maxima
    share the gradient evenly. The curvature at the zero vector is infinite (for p other
    than 1 and inf), so the second derivative there is nan, as PyTorch's for p = 2.
    """

    __slots__ = ("p",)

    def __init__(self, p=2, axis=None, keepdims=False):
        super().__init__(axis, keepdims)
        self.p = p

    @property
    def name(self):
        return f"norm(p={self.p}, axis={self.axis})"

    def forward(self, a):
        self.axes = normalize_axes(self.axis, a.ndim, "norm")
        p, x = self.p, np.abs(a)
        if p == np.inf or p == -np.inf:
            if a.size == 0:
                raise ValueError(f"norm: the {p}-norm of an empty tensor is undefined")
            reduce = np.max if p > 0 else np.min
            return reduce(x, axis=self.axes, keepdims=self.keepdims)
        if p == 0:
            return (x != 0).sum(axis=self.axes, keepdims=self.keepdims).astype(a.dtype)
        if p == 1:
            return x.sum(axis=self.axes, keepdims=self.keepdims)
        if p == 2:
            return np.sqrt((x * x).sum(axis=self.axes, keepdims=self.keepdims))
        with np.errstate(divide="ignore"):
            return (x ** p).sum(axis=self.axes, keepdims=self.keepdims) ** (1 / p)

    def backward(self, g, out, a):
        p, x = self.p, data_of(a)
        g = self.expand(g, a)
        if p == 0:
            return zero_gradient(a)
        if p == 1:
            return g * piecewise(np.sign(x), a)
        if p == np.inf or p == -np.inf:
            hit = np.abs(x) == self.expand(data_of(out), x)
            share = hit / hit.sum(axis=self.axes, keepdims=True)
            return g * piecewise(np.sign(x) * share.astype(x.dtype), a)
        norm = self.expand(out, a)
        zero = data_of(norm) == 0
        safe = Where.call(1.0, norm, cond=zero)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 2:
                grad = a / safe
            elif p > 2:  # the ratio below 1 cannot overflow
                grad = Sign.call(a) * (abs(a) / safe) ** (p - 1)
            else:  # |a|**(p-1) apart: a zero element's infinite curvature stays its own
                grad = Sign.call(a) * abs(a) ** (p - 1) / safe ** (p - 1)
        return curvature_undefined(Where.call(0.0, g * grad, cond=zero), a, zero)


# ***** products, with zeros handled exactly *****


class Prod(_Reduce):
    """prod(a, axis);  d/da_i = the product of the other elements, exact also where a has
    zeros (never out / a)."""

    __slots__ = ()

    def forward(self, a):
        self.axes = normalize_axes(self.axis, a.ndim, "prod")
        return a.prod(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g, out, a):
        # the product of the others is (product before i) * (product after i): move the
        # reduced axes to the end, flatten them into one, and take both running products
        if data_of(a).size == 0:
            return BroadcastTo.call(self.expand(g, a), shape=a.shape)
        axes, rest = self.axes, [i for i in range(a.ndim) if i not in self.axes]
        order = tuple(rest) + axes
        moved = a.transpose(order).reshape(tuple(a.shape[i] for i in rest) + (-1,))
        others = exclusive_cumprod(moved) * Flip.call(
            exclusive_cumprod(Flip.call(moved, axis=-1)), axis=-1)
        others = others.reshape(tuple(a.shape[i] for i in order)).transpose(
            tuple(np.argsort(order)))
        return self.expand(g, a) * others


def exclusive_cumprod(x):
    """The running product along the last axis, shifted right by one (starting at 1)."""
    ones = np.ones(data_of(x).shape[:-1] + (1,), dtype=data_of(x).dtype)
    if isinstance(x, Node):
        ones = x._constant(ones, x)
    shifted = Concatenate.call(ones, x[..., :-1], axis=-1)
    return Cumprod.call(shifted, axis=-1)


class _Running(TensorFunction):
    """Shared parameters of running reductions along one `axis` (None: the flattened data,
    as in NumPy)."""

    __slots__ = ("axis", "flat")

    def __init__(self, axis=None):
        self.axis = axis

    @property
    def name(self):
        return f"{type(self).__name__.lower()}(axis={self.axis})"

    def _prepare(self, a):
        """Check the axis (in forward), and give `a` the shape the running op sees."""
        if not hasattr(self, "flat"):
            self.flat = self.axis is None
            if not self.flat and not isinstance(self.axis, (int, np.integer)):
                raise TypeError(f"{type(self).__name__.lower()}: axis must be one int (it "
                                f"runs along one axis), got {self.axis!r}")
            self.axis = 0 if self.flat else normalize_axes(
                self.axis, max(a.ndim, 1), type(self).__name__.lower())[0]
        return a.reshape(-1) if self.flat or a.ndim == 0 else a

    def _keep_0d(self, out, a):
        """A 0-d input along axis 0 or -1 gives a 0-d output, as in PyTorch (NumPy's axis
        None flattens it to one element)."""
        return out.reshape(()) if a.ndim == 0 and not self.flat else out


class Cumsum(_Running):
    """cumsum(a, axis);  d/da = the reversed running sum of g."""

    __slots__ = ()

    def forward(self, a):
        return self._keep_0d(np.cumsum(self._prepare(a), axis=self.axis), a)

    def backward(self, g, out, a):
        return reverse_cumsum(g, self.axis).reshape(a.shape)


def reverse_cumsum(x, axis):
    """The running sum from the end of `axis` backwards."""
    return Flip.call(Cumsum.call(Flip.call(x, axis=axis), axis=axis), axis=axis)


class Cumprod(_Running):
    """cumprod(a, axis);  d/da_i = sum over j >= i of g_j * prod(a_k, k <= j, k != i),
    exact also where a has zeros (never out / a)."""

    __slots__ = ()

    def forward(self, a):
        return self._keep_0d(np.cumprod(self._prepare(a), axis=self.axis), a)

    def backward(self, g, out, a):
        x, axis = self._prepare(a), self.axis
        data = data_of(x)
        position = np.arange(data.shape[axis]).reshape(
            (-1,) + (1,) * (data.ndim - 1 - axis))
        is_zero = data == 0
        # z: the position of the first zero (n where there is none)
        first = np.where(is_zero.any(axis=axis, keepdims=True),
                         is_zero.argmax(axis=axis, keepdims=True), data.shape[axis])
        before, at = position < first, position == first
        # g * out / a loses everything where the running product is subnormal or has
        # underflowed to 0 before any zero; the division-free forms stay exact there
        tiny = np.any((np.abs(data_of(out)).reshape(data.shape)
                       < np.finfo(data.dtype).tiny) & before)
        if isinstance(g, Node) and (is_zero.any() or tiny):  # recording a 2nd derivative
            return _cumprod_grad_by_pairs(g, x, axis).reshape(a.shape)
        if tiny:
            return _cumprod_grad_by_recurrence(data_of(g), data, axis).reshape(a.shape)
        # before the first zero: sum_{i <= j < z} g_j out_j / a_i
        zero = np.zeros((), dtype=data.dtype)
        kept = Where.call(g * out, zero, cond=before)
        tail = reverse_cumsum(kept, axis)
        grad = Where.call(tail / Where.call(x, 1.0, cond=before), zero, cond=before)
        if at.any():  # at the first zero z: prod(a before z) * sum_{j >= z} g_j prod(a_(z, j])
            head = Prod.call(Where.call(x, 1.0, cond=before), axis=axis, keepdims=True)
            after = Cumprod.call(Where.call(1.0, x, cond=position <= first), axis=axis)
            reach = Where.call(g * after, zero, cond=position >= first).sum(
                axis=axis, keepdims=True)
            grad = grad + Where.call(head * reach, zero, cond=at)
        return grad.reshape(a.shape)


def _cumprod_grad_by_recurrence(g, x, axis):
    """cumprod's gradient L_i * R_i on arrays without any division: L_i the product before
    i, R_i = sum_{j >= i} g_j prod(a_(i, j]) = g_i + a_(i+1) * R_(i+1)."""
    g, x = np.moveaxis(g, axis, 0), np.moveaxis(x, axis, 0)
    right = np.empty(np.broadcast_shapes(g.shape, x.shape), dtype=np.result_type(g, x))
    right[-1] = g[-1]
    for i in range(len(x) - 2, -1, -1):
        right[i] = g[i] + x[i + 1] * right[i + 1]
    left = np.cumprod(np.concatenate([np.ones_like(x[:1]), x[:-1]]), axis=0)
    return np.moveaxis(left * right, 0, axis)


def _cumprod_grad_by_pairs(g, x, axis):
    """cumprod's gradient L_i * sum_{j >= i} g_j prod(a_(i, j]) from an (n, n) table of
    the partial products, L_i the product before i: exact and differentiable again for any
    zeros, at O(n**2) cost. Used to record second derivatives where the input has zeros:
    the first-zero formula gives the right gradient there, but its derivative misses how
    the gradient after a zero depends on that zero."""
    x, g = x.swapaxes(axis, -1), g.swapaxes(axis, -1)
    lead, n = x.shape[:-1], x.shape[-1]
    i, j = np.arange(n)[:, None], np.arange(n)[None, :]
    table = x.reshape(lead + (1, n)).broadcast_to(lead + (n, n))
    partial = Cumprod.call(Where.call(table, 1.0, cond=j > i), axis=-1)
    zero = np.zeros((), dtype=data_of(x).dtype)
    after = (Where.call(partial, zero, cond=j >= i) * g.reshape(lead + (1, n))).sum(axis=-1)
    return (exclusive_cumprod(x) * after).swapaxes(axis, -1)
