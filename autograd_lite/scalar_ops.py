"""The scalar operations behind `Value`: each forward rule beside its backward rule.

Forward rules take and return Python floats and follow IEEE arithmetic as NumPy does
(`log(-1)` is nan, `exp(1000)` is inf, `1/0` is inf) instead of raising. Backward rules
use only operators and `Function.call` (division goes through `Div.call`, which follows
IEEE for floats), so the same rule runs on floats (a first-order
pass) or on `Value`s (`create_graph=True`, for second derivatives).
"""

import math

from .engine import Function, data_of

NAN, INF = float("nan"), float("inf")


def _div(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def _pow(a, b):
    try:
        return math.pow(a, b)
    except ValueError:  # a negative base with a fractional exponent, or 0 ** negative
        return INF if a == 0 else NAN
    except OverflowError:
        return INF if a > 0 or float(b).is_integer() and b % 2 == 0 else -INF


# ***** binary *****


class Add(Function):
    """a + b;  d/da = 1, d/db = 1."""

    __slots__ = ()
    name = "+"

    def forward(self, a, b):
        return a + b

    def backward(self, g, out, a, b):
        return g, g


class Sub(Function):
    """a - b;  d/da = 1, d/db = -1."""

    __slots__ = ()
    name = "-"

    def forward(self, a, b):
        return a - b

    def backward(self, g, out, a, b):
        return g, -g


class Mul(Function):
    """a * b;  d/da = b, d/db = a."""

    __slots__ = ()
    name = "*"

    def forward(self, a, b):
        return a * b

    def backward(self, g, out, a, b):
        return g * b, g * a


class Div(Function):
    """a / b;  d/da = 1/b, d/db = -a/b**2."""

    __slots__ = ()
    name = "/"

    def forward(self, a, b):
        return _div(a, b)

    def backward(self, g, out, a, b):
        ga = Div.call(g, b)
        return ga, -Div.call(ga * a, b)


class Pow(Function):
    """a ** b;  d/da = b * a**(b-1), d/db = a**b * log(a)."""

    __slots__ = ()
    name = "**"

    def forward(self, a, b):
        return _pow(a, b)

    def backward(self, g, out, a, b):
        need_a, need_b = self.needs_input_grad
        ga = gb = None
        if need_a:
            # NOTE: at a == 0 and b == 0, d/da is 0 (a**0 is constant), not 0 * 0**-1 = nan.
            at_zero = data_of(a) == 0 and data_of(b) == 0
            ga = g * 0.0 if at_zero else g * b * Pow.call(a, b - 1)
        if need_b:
            # NOTE: d/db needs log(a): nan for a < 0, as in PyTorch; at a == 0 it is 0
            # (0**b is 0 for every b > 0).
            gb = g * 0.0 if data_of(a) == 0 else g * out * Log.call(a)
        return ga, gb


# ***** unary *****


class Neg(Function):
    """-a;  d/da = -1."""

    __slots__ = ()
    name = "neg"

    def forward(self, a):
        return -a

    def backward(self, g, out, a):
        return -g


class Exp(Function):
    """exp(a);  d/da = exp(a)."""

    __slots__ = ()
    name = "exp"

    def forward(self, a):
        try:
            return math.exp(a)
        except OverflowError:
            return INF

    def backward(self, g, out, a):
        return g * out


class Log(Function):
    """log(a) (natural);  d/da = 1/a. log(0) = -inf, log(a < 0) = nan."""

    __slots__ = ()
    name = "log"

    def forward(self, a):
        if a > 0:
            return math.log(a)
        return -INF if a == 0 else NAN

    def backward(self, g, out, a):
        if data_of(a) < 0:  # NOTE: no derivative where log is undefined: nan, never 1/a
            return g * NAN
        return Div.call(g, a)


class Sqrt(Function):
    """sqrt(a);  d/da = 1 / (2 sqrt(a)). sqrt(a < 0) = nan."""

    __slots__ = ()
    name = "sqrt"

    def forward(self, a):
        return math.sqrt(a) if a >= 0 else NAN

    def backward(self, g, out, a):
        return Div.call(g, 2 * out)


class Tanh(Function):
    """tanh(a);  d/da = 1 - tanh(a)**2."""

    __slots__ = ()
    name = "tanh"

    def forward(self, a):
        return math.tanh(a)

    def backward(self, g, out, a):
        return g * (1 - out * out)


class Sigmoid(Function):
    """sigmoid(a) = 1 / (1 + exp(-a));  d/da = sigmoid(a) * (1 - sigmoid(a))."""

    __slots__ = ()
    name = "sigmoid"

    def forward(self, a):
        # NOTE: two branches so that exp never overflows, whatever the sign of a.
        if a >= 0:
            return 1.0 / (1.0 + math.exp(-a))
        e = math.exp(a)
        return e / (1.0 + e)

    def backward(self, g, out, a):
        return g * out * (1 - out)


class Relu(Function):
    """max(a, 0);  d/da = 1 if a > 0 else 0."""

    __slots__ = ()
    name = "relu"

    def forward(self, a):
        return a if a > 0 else 0.0

    def backward(self, g, out, a):
        # NOTE: at a == 0 we take the subgradient 0, as PyTorch does.
        return g * float(data_of(a) > 0)


class Abs(Function):
    """|a|;  d/da = sign(a)."""

    __slots__ = ()
    name = "abs"

    def forward(self, a):
        return abs(a)

    def backward(self, g, out, a):
        # NOTE: at a == 0 we take the subgradient 0 (sign(0) = 0), as PyTorch does.
        x = data_of(a)
        return g * float((x > 0) - (x < 0))
