"""Elementwise operations: arithmetic, exp/log and friends, clip and casts.
"""

import numpy as np

from ..engine import data_of
from .base import TensorFunction

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
            # NOTE: d/db needs log(a): nan where a < 0, as in PyTorch. Where a == 0 it is
            # the limit, as in PyTorch: 0 for b >= 0 (log(1) stands in for log(0)), and
            # -inf for b < 0 (0**b = inf there, times log(0) = -inf).
            at_zero = data_of(a) == 0
            gb = g * out * Log.call(Where.call(1.0, a, cond=at_zero))
            pole = at_zero & (data_of(b) < 0)
            if pole.any():
                gb = Where.call(g * -np.inf, gb, cond=pole)
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
        # NOTE: 1/a everywhere, also where a < 0 (the forward gives nan there), as PyTorch
        # does: so `where(x > 0, x.log(), 0)` gives x < 0 a zero gradient, not nan.
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
