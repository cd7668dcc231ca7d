"""Activation functions, elementwise (tanh, sigmoid, relu, gelu, ...) and along an axis
(softmax).

Rules that need the activation's derivative at `a` compute it with engine operations
(`Sigmoid.call(a)`, `Tanh.call(...)`), so second derivatives work as in PyTorch. A
piecewise-constant derivative goes through `piecewise`, and a 0/1 one (relu's mask)
through `select` (an exact 0 where the mask is 0, even for an infinite upstream gradient):
under `create_graph=True` both are recorded as functions of `a` with derivative 0, so the
gradient of such a gradient is zeros, as in PyTorch.
"""

import math

import numpy as np

from ..engine import data_of
from .base import TensorFunction, normalize_axes, piecewise, quiet_underflow, select
from .elementwise import Abs, Erf, Exp, erf_erfc

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

    @quiet_underflow  # NOTE: exp(-|a|) never overflows; it may underflow to 0, exact enough
    def forward(self, a):
        # NOTE: both branches are the same function. 1 / (1 + e) where a >= 0, e / (1 + e)
        # elsewhere; since 0 <= e <= 1, maximum(e, a >= 0) picks the numerator without
        # np.where (slow on random masks).
        e = np.exp(-np.abs(a))
        return np.maximum(e, a >= 0) / (1 + e)

    @quiet_underflow
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
        return select(data_of(out) > 0, g, out)


# ***** relu's relatives: piecewise linear *****


class LeakyRelu(TensorFunction):
    """a where a > 0, else negative_slope * a;  d/da = 1 where a > 0, else negative_slope."""

    __slots__ = ("negative_slope",)

    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope

    @property
    def name(self):
        return f"leaky_relu({self.negative_slope})"

    def forward(self, a):
        return np.maximum(a, 0) + np.minimum(a, 0) * self.negative_slope

    def backward(self, g, out, a):
        # NOTE: at a == 0 the slope is negative_slope, as in PyTorch.
        x = data_of(a)
        positive = x > 0  # 1 + 0 * slope or 0 + 1 * slope: exact, and faster than np.where
        return g * piecewise(positive + ~positive * x.dtype.type(self.negative_slope), a)


class Hardtanh(TensorFunction):
    """clip(a, min_val, max_val);  d/da = 1 where min_val < a < max_val, else 0.

    relu6 is hardtanh(a, 0, 6), as in PyTorch.
    """

    __slots__ = ("min_val", "max_val")

    def __init__(self, min_val=-1.0, max_val=1.0):
        self.min_val, self.max_val = min_val, max_val

    @property
    def name(self):
        return f"hardtanh({self.min_val}, {self.max_val})"

    def forward(self, a):
        return np.clip(a, self.min_val, self.max_val)

    def backward(self, g, out, a):
        # NOTE: 0 at a == min_val and a == max_val (PyTorch's choice; clip's is 1 there).
        x = data_of(a)
        return select((x > self.min_val) & (x < self.max_val), g, a)


class Hardsigmoid(TensorFunction):
    """relu6(a + 3) / 6;  d/da = 1/6 where -3 < a < 3, else 0."""

    __slots__ = ()
    name = "hardsigmoid"

    def forward(self, a):
        return np.clip(a / 6 + 0.5, 0, 1)

    def backward(self, g, out, a):
        x = data_of(a)
        return select((x > -3) & (x < 3), g * (1 / 6), a)


class Hardswish(TensorFunction):
    """a * relu6(a + 3) / 6;  d/da = 0 up to -3, a/3 + 1/2 between -3 and 3, then 1."""

    __slots__ = ()
    name = "hardswish"

    def forward(self, a):
        return a * np.clip(a / 6 + 0.5, 0, 1)

    def backward(self, g, out, a):
        # NOTE: at a == -3 the slope is 0 and at a == 3 it is 1 (the outer pieces'), as in
        # PyTorch.
        x = data_of(a)
        return select((x > -3) & (x < 3), g, a) * (a / 3 + 0.5) + select(x >= 3, g, a)


# ***** smooth activations *****


class Elu(TensorFunction):
    """scale * (a where a > 0, else alpha * (exp(a * input_scale) - 1));
    d/da = scale where a > 0, else scale * alpha * input_scale * exp(a * input_scale).

    One class for PyTorch's elu (scale = input_scale = 1), selu (fixed alpha and scale)
    and celu (input_scale = 1/alpha), as PyTorch's own kernel does.
    """

    __slots__ = ("alpha", "scale", "input_scale", "kind")

    def __init__(self, alpha=1.0, scale=1.0, input_scale=1.0, kind="elu"):
        self.alpha, self.scale, self.input_scale, self.kind = alpha, scale, input_scale, kind

    @property
    def name(self):
        return self.kind if self.kind == "selu" else f"{self.kind}(alpha={self.alpha})"

    def forward(self, a):
        # each side is 0 on the other's half: their sum needs no np.where (slow)
        negative = np.expm1(np.minimum(a, 0) * self.input_scale) * (self.alpha * self.scale)
        return (np.maximum(a, 0) * self.scale + negative).astype(a.dtype, copy=False)

    def backward(self, g, out, a):
        # NOTE: at a == 0 the slope is alpha * scale * input_scale (the negative side's),
        # and its own derivative (elu's second derivative) is 0, as in PyTorch: the
        # exponent below is 0 there.
        # exp(a * input_scale), not out + scale * alpha, which cancels to 0 far left; the
        # exponent is 0 on the positive side, so the slope is finite everywhere
        x = data_of(a)
        positive = (x > 0).astype(x.dtype)
        negative = 1 - positive
        with np.errstate(under="ignore"):
            slope = Exp.call(a * ((x < 0) * x.dtype.type(self.input_scale))) * (
                self.alpha * self.scale * self.input_scale)
        return g * (positive * self.scale + negative * slope)


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class Softplus(TensorFunction):
    """log(1 + exp(beta * a)) / beta, and a itself where beta * a > threshold;
    d/da = sigmoid(beta * a), and 1 above the threshold."""

    __slots__ = ("beta", "threshold")

    def __init__(self, beta=1.0, threshold=20.0):
        self.beta, self.threshold = beta, threshold

    @property
    def name(self):
        return f"softplus(beta={self.beta}, threshold={self.threshold})"

    def forward(self, a):
        z = a * self.beta
        with np.errstate(under="ignore"):  # stable: max(z, 0) + log(1 + exp(-|z|))
            smooth = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / self.beta
        return np.where(z > self.threshold, a, smooth).astype(a.dtype, copy=False)

    def backward(self, g, out, a):
        z = a * self.beta
        above = (data_of(z) > self.threshold).astype(data_of(z).dtype)
        return g * (above + (1 - above) * Sigmoid.call(z))


class LogSigmoid(TensorFunction):
    """log(sigmoid(a)) = -softplus(-a), without overflow;  d/da = sigmoid(-a)."""

    __slots__ = ()
    name = "logsigmoid"

    def forward(self, a):
        with np.errstate(under="ignore"):
            return np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a)))

    def backward(self, g, out, a):
        return g * Sigmoid.call(-a)


class Silu(TensorFunction):
    """a * sigmoid(a) (also called swish);  d/da = s * (1 + a * (1 - s)), s = sigmoid(a)."""

    __slots__ = ()
    name = "silu"

    def forward(self, a):
        return a * Sigmoid().forward(a)

    def backward(self, g, out, a):
        s = Sigmoid.call(a)
        return g * (s * (1 + a * (1 - s)))


class Mish(TensorFunction):
    """a * tanh(softplus(a));  d/da = t + a * (1 - t**2) * sigmoid(a), t = tanh(softplus(a))."""

    __slots__ = ()
    name = "mish"

    def forward(self, a):
        return a * np.tanh(Softplus().forward(a))

    def backward(self, g, out, a):
        t = Tanh.call(Softplus.call(a))
        return g * (t + a * (1 - t * t) * Sigmoid.call(a))


class Softsign(TensorFunction):
    """a / (1 + |a|);  d/da = 1 / (1 + |a|)**2."""

    __slots__ = ()
    name = "softsign"

    def forward(self, a):
        return a / (1 + np.abs(a))

    def backward(self, g, out, a):
        d = 1 + Abs.call(a)
        return g / (d * d)


class Gelu(TensorFunction):
    """a * Phi(a), Phi the standard normal CDF (approximate="tanh": PyTorch's tanh formula);
    d/da = Phi(a) + a * phi(a), phi the normal density."""

    __slots__ = ("approximate",)

    def __init__(self, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    @property
    def name(self):
        return "gelu" if self.approximate == "none" else "gelu(tanh)"

    def forward(self, a):
        with np.errstate(under="ignore"):  # NOTE: Phi underflows to 0 far left: exact enough
            return self._forward(a)

    def _forward(self, a):
        if self.approximate == "tanh":
            return 0.5 * a * (1 + np.tanh(_tanh_inner(a)))
        # Phi(a) = erfc(-a / sqrt 2) / 2: accurate in the far negative tail too
        return (a * (0.5 * erf_erfc(-a * math.sqrt(0.5))[1])).astype(a.dtype, copy=False)

    def backward(self, g, out, a):
        with np.errstate(under="ignore"):
            return self._backward(g, a)

    def _backward(self, g, a):
        if self.approximate == "tanh":
            t = Tanh.call(_tanh_inner(a))
            inner_slope = (1 + 3 * 0.044715 * a * a) * math.sqrt(2 / math.pi)
            return g * (0.5 * (1 + t) + 0.5 * a * (1 - t * t) * inner_slope)
        cdf = 0.5 * (1 + Erf.call(a * math.sqrt(0.5)))
        pdf = Exp.call(-0.5 * (a * a)) * (1 / math.sqrt(2 * math.pi))
        return g * (cdf + a * pdf)


def _tanh_inner(a):
    return (a + 0.044715 * (a * a * a)) * math.sqrt(2 / math.pi)


# ***** softmax *****


class Softmax(TensorFunction):
    """softmax(a, axis) = exp(a) / sum(exp(a));  d/da = y * (g - sum(g * y))."""

    __slots__ = ("axis",)

    def __init__(self, axis=-1):
        self.axis = axis

    @property
    def name(self):
        return f"softmax(axis={self.axis})"

    @quiet_underflow  # NOTE: exp, the division and backward's products may underflow to 0
    def forward(self, a):
        axes = normalize_axes(self.axis, a.ndim, "softmax")
        if a.size == 0:
            return a.copy()
        # NOTE: subtracting the max changes nothing mathematically and keeps exp <= 1.
        e = np.exp(a - a.max(axis=axes, keepdims=True))
        return e / e.sum(axis=axes, keepdims=True)

    @quiet_underflow
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

    @quiet_underflow  # NOTE: exp of the shifted values may underflow to 0, harmlessly
    def forward(self, a):
        axes = normalize_axes(self.axis, a.ndim, "log_softmax")
        if a.size == 0:
            return a.copy()
        shifted = a - a.max(axis=axes, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=axes, keepdims=True))

    @quiet_underflow
    def backward(self, g, out, a):
        return g - Exp.call(out) * g.sum(axis=self.axis, keepdims=True)
