"""Reductions over axes: sum, mean, max, min.
"""

import numpy as np

from ..engine import data_of
from .base import BroadcastTo, TensorFunction, kept_shape, normalize_axes

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


class Max(_Reduce):
    """max(a, axis);  the gradient goes to the maximal elements."""

    __slots__ = ()

    def forward(self, a):
        self.axes = normalize_axes(self.axis, a.ndim, "max")
        _check_nonempty(a, self.axes, "max")
        return a.max(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g, out, a):
        # NOTE: ties share the gradient evenly, as PyTorch's amax does.
        return self.expand(g, a) * _argmax_share(data_of(a), data_of(out), self)


class Min(_Reduce):
    """min(a, axis);  the gradient goes to the minimal elements."""

    __slots__ = ()

    def forward(self, a):
        self.axes = normalize_axes(self.axis, a.ndim, "min")
        _check_nonempty(a, self.axes, "min")
        return a.min(axis=self.axes, keepdims=self.keepdims)

    def backward(self, g, out, a):
        # NOTE: ties share the gradient evenly, as PyTorch's amin does.
        return self.expand(g, a) * _argmax_share(data_of(a), data_of(out), self)


def _check_nonempty(a, axes, op):
    """max and min have no identity: refuse to reduce an axis of length 0 (as NumPy and
    PyTorch do); other axes may be empty."""
    empty = [i for i in axes if a.shape[i] == 0]
    if empty or (a.size == 0 and not axes):
        where = f"axis {empty[0]} of shape {a.shape}" if empty else f"shape {a.shape}"
        raise ValueError(f"{op}: cannot reduce over an axis of length 0 ({where}): the "
                         f"{op} of no numbers is undefined")


def _argmax_share(x, out, reduce):
    """1/k where x equals the reduction's result (k ties), else 0: d max / dx."""
    hit = x == reduce.expand(out, x)
    return hit / hit.sum(axis=reduce.axes, keepdims=True).astype(x.dtype)
