"""Elementwise operations: arithmetic, exp/log and friends, trigonometry, rounding, clip
and casts.
"""

import math

import numpy as np

from ..engine import Node, data_of
from .base import TensorFunction, curvature_undefined, piecewise, select, zero_gradient

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
            # NOTE: at a == b == 0, a**b jumps (0**b is 1 at b = 0 and 0 beyond): d/db
            # there is 0 by the convention above, and its own derivatives are nan, as in
            # PyTorch (x**x at 0).
            if isinstance(b, Node):  # create_graph
                jump = at_zero & (b.data == 0)
                gb = curvature_undefined(curvature_undefined(gb, a, jump), b, jump)
        return ga, gb


class Maximum(TensorFunction):
    """maximum(a, b);  the gradient goes to the larger input."""

    __slots__ = ()
    name = "maximum"

    def forward(self, a, b):
        return np.maximum(a, b)

    def backward(self, g, out, a, b):
        # NOTE: where a == b the gradient is split evenly between them, as in PyTorch.
        x, y = data_of(a), data_of(b)
        return _shares(g, a, b, _nan_wins(x, y, (x > y) + 0.5 * (x == y)))


class Minimum(TensorFunction):
    """minimum(a, b);  the gradient goes to the smaller input."""

    __slots__ = ()
    name = "minimum"

    def forward(self, a, b):
        return np.minimum(a, b)

    def backward(self, g, out, a, b):
        # NOTE: where a == b the gradient is split evenly between them, as in PyTorch.
        x, y = data_of(a), data_of(b)
        return _shares(g, a, b, _nan_wins(x, y, (x < y) + 0.5 * (x == y)))


def _shares(g, a, b, share_a):
    """maximum's or minimum's gradients: g split by `share_a` (1, 1/2 or 0) between a and
    b, and exactly 0 for an input with no share, even where g is infinite."""
    if (share_a == 0.5).any():  # ties: g where one input wins, g / 2 where they tie
        half = share_a.astype(data_of(g).dtype)
        return select(share_a > 0, g, a) * half, select(share_a < 1, g, b) * (1 - half)
    return select(share_a > 0, g, a), select(share_a < 1, g, b)


def _nan_wins(a, b, share_a):
    """`share_a` (a's share of the gradient of maximum/minimum) where a nan input made the
    result: NumPy propagates nan, so a nan input gets it all (half each if both are nan)."""
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    if nan_a.any() or nan_b.any():
        share_a = np.where(nan_a | nan_b, nan_a - 0.5 * (nan_a & nan_b), share_a)
    return share_a


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
        return g * piecewise(np.sign(data_of(a)), a)


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
        return select(inside, g, a)


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


class Clone(TensorFunction):
    """a copy of a in new memory (`clone`);  d/da = 1."""

    __slots__ = ()
    name = "clone"

    def forward(self, a):
        return a.copy()

    def backward(self, g, out, a):
        return g


# ***** more exp/log and powers *****


class Log2(TensorFunction):
    """log2(a);  d/da = 1 / (a log 2). nan where a < 0, as for `Log`."""

    __slots__ = ()
    name = "log2"

    def forward(self, a):
        return np.log2(a)

    def backward(self, g, out, a):
        # NOTE: 1/(a ln 2) also where a < 0 (the value is nan there), as PyTorch, like log
        return g / (a * math.log(2))


class Exp2(TensorFunction):
    """2 ** a;  d/da = 2**a log 2."""

    __slots__ = ()
    name = "exp2"

    def forward(self, a):
        return np.exp2(a)

    def backward(self, g, out, a):
        return g * out * math.log(2)


class Log1p(TensorFunction):
    """log(1 + a), accurate for small a;  d/da = 1 / (1 + a). nan where a < -1."""

    __slots__ = ()
    name = "log1p"

    def forward(self, a):
        return np.log1p(a)

    def backward(self, g, out, a):
        # NOTE: 1/(1 + a) also where a < -1 (the value is nan there), as PyTorch, like log
        return g / (1 + a)


class Expm1(TensorFunction):
    """exp(a) - 1, accurate for small a;  d/da = exp(a) = out + 1."""

    __slots__ = ()
    name = "expm1"

    def forward(self, a):
        return np.expm1(a)

    def backward(self, g, out, a):
        return g * (out + 1)


class Square(TensorFunction):
    """a * a;  d/da = 2a."""

    __slots__ = ()
    name = "square"

    def forward(self, a):
        return np.square(a)

    def backward(self, g, out, a):
        return g * (2 * a)


class Reciprocal(TensorFunction):
    """1 / a;  d/da = -1 / a**2 = -out**2."""

    __slots__ = ()
    name = "reciprocal"

    def forward(self, a):
        return np.reciprocal(a)

    def backward(self, g, out, a):
        return -g * (out * out)


class Rsqrt(TensorFunction):
    """1 / sqrt(a);  d/da = -out**3 / 2."""

    __slots__ = ()
    name = "rsqrt"

    def forward(self, a):
        return 1 / np.sqrt(a)

    def backward(self, g, out, a):
        return g * (out * out * out) * -0.5


class Erf(TensorFunction):
    """The error function erf(a);  d/da = 2/sqrt(pi) exp(-a**2)."""

    __slots__ = ()
    name = "erf"

    def forward(self, a):
        return erf_erfc(a)[0].astype(a.dtype, copy=False)

    def backward(self, g, out, a):
        with np.errstate(under="ignore"):  # exp(-a**2) underflows to 0 for large |a|
            return g * (Exp.call(-(a * a)) * (2 / math.sqrt(math.pi)))


# erf(z) = 2/sqrt(pi) * sum_n (-1)^n z^(2n+1) / (n! (2n+1)): the coefficients of z^(2n+1)
_ERF_SERIES = [2 / math.sqrt(math.pi) * (-1) ** n / (math.factorial(n) * (2 * n + 1))
               for n in range(30)]


def erf_erfc(x):
    """erf(x) and erfc(x) = 1 - erf(x) as float64 arrays, to about 1e-15 (erfc to 1e-12
    relative, also in its tail where 1 - erf(x) would round to 0).

    NumPy has no erf: for |x| < 2 a Taylor series, beyond a continued fraction for erfc,
    both evaluated for the whole array at once.
    """
    x = np.asarray(x, dtype=np.float64)
    z = np.abs(x)
    erf, erfc = np.empty_like(z), np.empty_like(z)
    small = z < 2.0
    zs = z[small]
    z2 = zs * zs
    total = np.full_like(zs, _ERF_SERIES[-1])
    for c in _ERF_SERIES[-2::-1]:  # Horner: erf(z) = z * sum_n c_n z^(2n), in place
        total *= z2
        total += c
    erf[small] = total * zs
    erfc[small] = 1 - erf[small]
    zl = z[~small]
    tail = np.zeros_like(zl)  # erfc(z) = exp(-z^2)/sqrt(pi) / (z + (1/2)/(z + 1/(z + ...)))
    for k in range(50, 0, -1):
        tail = (k / 2) / (zl + tail)
    with np.errstate(under="ignore"):
        erfc[~small] = np.exp(-zl * zl) / math.sqrt(math.pi) / (zl + tail)
    erf[~small] = 1 - erfc[~small]
    negative = x < 0
    erfc[negative] = 2 - erfc[negative]
    erf[negative] = -erf[negative]
    return erf, erfc


# ***** trigonometry *****


class Sin(TensorFunction):
    """sin(a);  d/da = cos(a)."""

    __slots__ = ()
    name = "sin"

    def forward(self, a):
        return np.sin(a)

    def backward(self, g, out, a):
        return g * Cos.call(a)


class Cos(TensorFunction):
    """cos(a);  d/da = -sin(a)."""

    __slots__ = ()
    name = "cos"

    def forward(self, a):
        return np.cos(a)

    def backward(self, g, out, a):
        return -g * Sin.call(a)


class Tan(TensorFunction):
    """tan(a);  d/da = 1 + tan(a)**2."""

    __slots__ = ()
    name = "tan"

    def forward(self, a):
        return np.tan(a)

    def backward(self, g, out, a):
        return g * (1 + out * out)


# ***** step functions: a zero gradient, as in PyTorch *****


class _Step(TensorFunction):
    """A piecewise-constant function: its gradient is 0 everywhere (PyTorch's choice, also
    at the jumps)."""

    __slots__ = ()

    def backward(self, g, out, a):
        return zero_gradient(a)


class Sign(_Step):
    """sign(a) (-1, 0 or 1);  d/da = 0."""

    __slots__ = ()
    name = "sign"

    def forward(self, a):
        return np.sign(a)


class Floor(_Step):
    """floor(a);  d/da = 0."""

    __slots__ = ()
    name = "floor"

    def forward(self, a):
        return np.floor(a)


class Ceil(_Step):
    """ceil(a);  d/da = 0."""

    __slots__ = ()
    name = "ceil"

    def forward(self, a):
        return np.ceil(a)


class Trunc(_Step):
    """trunc(a), rounding towards 0;  d/da = 0."""

    __slots__ = ()
    name = "trunc"

    def forward(self, a):
        return np.trunc(a)


class Round(_Step):
    """round(a, decimals), halves to even as NumPy and PyTorch do;  d/da = 0."""

    __slots__ = ("decimals",)

    def __init__(self, decimals=0):
        if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
            raise TypeError(f"round: decimals must be an int, got {decimals!r}")
        self.decimals = decimals

    @property
    def name(self):
        return "round" if not self.decimals else f"round(decimals={self.decimals})"

    def forward(self, a):
        return np.round(a, self.decimals)
