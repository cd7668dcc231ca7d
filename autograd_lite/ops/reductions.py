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
