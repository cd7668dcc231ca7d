"""The scalar operations behind `Value`: each forward rule beside its backward rule.

Forward rules take and return Python floats and follow IEEE arithmetic as NumPy does
(`log(-1)` is nan, `exp(1000)` is inf, `1/0` is inf) instead of raising. Backward rules
use only operators and functions that accept floats and Values alike (`_div`,
`Function.call`), so the same rule runs on floats (a first-order pass) or on `Value`s
(`create_graph=True`, for second derivatives).

A rule is stateless, so each class has one shared instance, `Mul.rule`, and a `Value`
keeps that and its inputs instead of a `Function` object per operation. `v.grad_fn` is a
view of the rule bound to `v`, with the `parents`, `name` and `released` of that node.
"""

import math

from .engine import Function, Node, ScalarFunction, data_of  # noqa: F401 (Function: every rule is one)

NAN, INF = float("nan"), float("inf")


def _div(a, b):
    """a / b for floats (IEEE: x/0 is inf or nan, never an error) and for Values."""
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
        if a != 0:
            return NAN
        odd = float(b).is_integer() and b % 2 == 1
        return math.copysign(INF, a) if odd else INF  # as IEEE pow: (-0) ** -1 = -inf
    except OverflowError:
        return INF if a > 0 or float(b).is_integer() and b % 2 == 0 else -INF


# ***** binary *****


class Add(ScalarFunction):
    """a + b;  d/da = 1, d/db = 1."""

    __slots__ = ()
    name = "+"

    def forward(self, a, b):
        return a + b

    def backward(self, g, out, a, b):
        return g, g


class Sub(ScalarFunction):
    """a - b;  d/da = 1, d/db = -1."""

    __slots__ = ()
    name = "-"

    def forward(self, a, b):
        return a - b

    def backward(self, g, out, a, b):
        return g, -g


class Mul(ScalarFunction):
    """a * b;  d/da = b, d/db = a."""

    __slots__ = ()
    name = "*"

    def forward(self, a, b):
        return a * b

    def backward(self, g, out, a, b):
        return g * b, g * a


class Div(ScalarFunction):
    """a / b;  d/da = 1/b, d/db = -a/b**2."""

    __slots__ = ()
    name = "/"

    def forward(self, a, b):
        return _div(a, b)

    def backward(self, g, out, a, b):
        ga = _div(g, b)
        return ga, -_div(ga * a, b)


class Pow(ScalarFunction):
    """a ** b;  d/da = b * a**(b-1), d/db = a**b * log(a)."""

    __slots__ = ()
    name = "**"

    def forward(self, a, b):
        return _pow(a, b)

    def backward(self, g, out, a, b):
        need_a, need_b = self.needs_input_grad
        ga = gb = None
        jump = data_of(a) == 0 and data_of(b) == 0
        if need_a:
            # NOTE: at a == 0 and b == 0, d/da is 0 (a**0 is constant), not 0 * 0**-1 = nan.
            ga = g * 0.0 if jump else g * b * Pow.call(a, b - 1)
        if need_b:
            # NOTE: d/db needs log(a): nan for a < 0, as in PyTorch. At a == 0, 0**b is 0
            # for b > 0 and 1 at b == 0, so d/db is 0 there; for b < 0, 0**b is inf and
            # d/db is inf * log(0) = -inf, as in PyTorch.
            at_zero = data_of(a) == 0 and data_of(b) >= 0
            gb = g * 0.0 if at_zero else g * out * Log.call(a)
        if jump and isinstance(a, Node):  # create_graph: 0**b jumps at b = 0, so these
            # conventional zeros have no derivative: nan, as in PyTorch (x**x at 0)
            undefined = PowJump.call(a, b)
            ga = None if ga is None else ga + undefined
            gb = None if gb is None else gb + undefined
        return ga, gb


class PowJump(ScalarFunction):
    """0, recorded with a**b's gradient at a = b = 0, where 0**b jumps from 1 to 0;
    d/da = d/db = nan there (the second derivative is undefined), 0 elsewhere."""

    __slots__ = ()
    name = "pow_jump"

    def forward(self, a, b):
        return 0.0

    def backward(self, g, out, a, b):
        undefined = NAN if data_of(a) == 0 and data_of(b) == 0 else 0.0
        return undefined, undefined


# ***** unary *****


class Neg(ScalarFunction):
    """-a;  d/da = -1."""

    __slots__ = ()
    name = "neg"

    def forward(self, a):
        return -a

    def backward(self, g, out, a):
        return -g


class Exp(ScalarFunction):
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


class Log(ScalarFunction):
    """log(a) (natural);  d/da = 1/a. log(0) = -inf, log(a < 0) = nan."""

    __slots__ = ()
    name = "log"

    def forward(self, a):
        if a > 0:
            return math.log(a)
        return -INF if a == 0 else NAN

    def backward(self, g, out, a):
        # NOTE: for a < 0 the value is nan but the gradient stays 1/a, as in PyTorch and in
        # the tensor engine: a branch that `where`/an if discards then gets g = 0, and 0/a = 0.
        return _div(g, a)


class Sqrt(ScalarFunction):
    """sqrt(a);  d/da = 1 / (2 sqrt(a)). sqrt(a < 0) = nan."""

    __slots__ = ()
    name = "sqrt"

    def forward(self, a):
        return math.sqrt(a) if a >= 0 else NAN

    def backward(self, g, out, a):
        return _div(g, 2 * out)


class Tanh(ScalarFunction):
    """tanh(a);  d/da = 1 - tanh(a)**2."""

    __slots__ = ()
    name = "tanh"

    def forward(self, a):
        return math.tanh(a)

    def backward(self, g, out, a):
        return g * (1 - out * out)


class Sigmoid(ScalarFunction):
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


class Relu(ScalarFunction):
    """max(a, 0);  d/da = 1 if a > 0 else 0."""

    __slots__ = ()
    name = "relu"

    def forward(self, a):
        return a if a > 0 else 0.0

    def backward(self, g, out, a):
        # NOTE: at a == 0 we take the subgradient 0, as PyTorch does; where a <= 0 the
        # gradient is exactly 0, also for an infinite g (never g * 0 = nan).
        if a.__class__ is float:
            return g if a > 0 else 0.0
        return Select.call(g, Piecewise.call(a, float(a.data > 0)))  # create_graph: slope 0


class Abs(ScalarFunction):
    """|a|;  d/da = sign(a)."""

    __slots__ = ()
    name = "abs"

    def forward(self, a):
        return abs(a)

    def backward(self, g, out, a):
        # NOTE: at a == 0 we take the subgradient 0 (sign(0) = 0), as PyTorch does.
        if a.__class__ is float:
            return g * float((a > 0) - (a < 0))
        x = a.data  # create_graph: a sign with derivative 0
        return g * Piecewise.call(a, float((x > 0) - (x < 0)))


class Piecewise(ScalarFunction):
    """The number `c`, a slope that is piecewise constant in `a` (relu's 0 or 1, abs's
    sign);  d/da = 0, d/dc = 0.

    Under create_graph=True, relu's and abs's rules record their slope with it, so the
    gradient they return depends on `a` as in PyTorch, and its own gradient is 0.
    """

    __slots__ = ()
    name = "piecewise"

    def forward(self, a, c):
        return c

    def backward(self, g, out, a, c):
        return 0.0, None


class Select(ScalarFunction):
    """`g` if the slope `m` (0.0 or 1.0) is 1, else exactly 0.0, never g * 0 (nan for an
    infinite g);  d/dg = m, d/dm = 0.

    Under create_graph=True relu's rule records its gradient with it, `m` being its slope
    recorded with `Piecewise`: so the gradient depends on relu's input with derivative 0.
    """

    __slots__ = ()
    name = "select"

    def forward(self, g, m):
        return g if m else 0.0

    def backward(self, gg, out, g, m):
        return Select.call(gg, m), 0.0
