"""Activation functions, elementwise (tanh, sigmoid, relu, ...) and along an axis (softmax).
"""

import numpy as np

from ..engine import data_of
from .base import TensorFunction, normalize_axes
from .elementwise import Exp

# ***** elementwise activations *****


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
        if a.size == 0:
            return a.copy()
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
        if a.size == 0:
            return a.copy()
        shifted = a - a.max(axis=axes, keepdims=True)
        with np.errstate(under="ignore"):
            return shifted - np.log(np.exp(shifted).sum(axis=axes, keepdims=True))

    def backward(self, g, out, a):
        with np.errstate(under="ignore"):
            softmax = Exp.call(out)
        return g - softmax * g.sum(axis=self.axis, keepdims=True)
