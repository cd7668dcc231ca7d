"""`Value`: the scalar front end, as readable as micrograd, on the shared backward driver.

One operation makes one object: the result `Value` keeps the operation's rule (a shared,
stateless object from `scalar_ops`) and its inputs, so a graph of Values is just Values
pointing at Values. That is what makes the scalar engine fast enough for micrograd's demo
with the garbage collector on: there is little for it to walk.
"""

from numbers import Complex, Real

from . import engine
from . import scalar_ops as ops
from .engine import Node

INF = float("inf")
_new = object.__new__


class _Extra:
    """What few Values need, kept apart so that most Values stay small: a label, hooks,
    and where the operation was created (under `detect_anomaly()`)."""

    __slots__ = ("label", "hooks", "created_at")

    def __init__(self):
        self.label, self.hooks, self.created_at = "", None, None


def _binary(rule):
    """The operator method `a <op> b` for a two-input rule of scalar_ops.

    It is one operation's forward pass: run the rule on the data, and make the result
    keep the rule and both inputs when a gradient is needed (one object per operation).
    A plain number `b` is kept as a float: a constant costs no object of its own.
    """

    def forward(a, b):
        if b.__class__ is Value or isinstance(b, Value):
            b_data = b.data
            needs_grad = a._op is not None or b._op is not None
        else:
            b = b_data = _operand(b, rule)
            needs_grad = a._op is not None
        out = _new(Value)
        out.data = rule.forward(a.data, b_data)
        out.grad = 0.0
        out._mark = 0
        if needs_grad and (not engine._threads_without_grad or engine._mode.enabled):
            out._op = rule
            out._a = a
            out._b = b
        else:  # no input requires grad, or inside no_grad(): a constant
            out._op = None
        if engine._anomaly is not None:
            inputs = (a, b if b.__class__ is not float else Value(b, requires_grad=False))
            engine._anomaly.forward(type(rule)(out), inputs, out.data)
        return out

    forward.__name__ = forward.__qualname__ = f"Value.{rule.name}"
    return forward


def _unary(rule, a):
    """`_binary`'s forward pass for a one-input rule (`a.exp()`, `-a`, ...)."""
    out = _new(Value)
    out.data = rule.forward(a.data)
    out.grad = 0.0
    out._mark = 0
    if a._op is not None and (not engine._threads_without_grad or engine._mode.enabled):
        out._op = rule
        out._a = a
        out._b = None
    else:
        out._op = None
    if engine._anomaly is not None:
        engine._anomaly.forward(type(rule)(out), (a,), out.data)
    return out


class Value(Node):
    """A scalar that remembers the operations that made it, so it can back-propagate.

    `float(v)` refuses a Value that requires grad, and so do `math.exp(v)` and the other
    `math` functions (which call `float`): the number they return would drop out of the
    graph and train nothing. Use `v.exp()`, `v.tanh()`, `v.sigmoid()`, ... to stay in the
    graph, and `v.data` or `v.item()` when you want the number. Formatting works:
    `f"{v:.3f}"` formats the data.

    >>> from autograd_lite import Value
    >>> x = Value(2.0, label="x")
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> y.data, x.grad
    (10.0, 7.0)
    """

    # `_op` is the rule that made this Value, LEAF for a leaf that requires grad, or None
    # for a constant (so `requires_grad` is `_op is not None`); `_a` and `_b` are the
    # rule's inputs (`_b` is None for one input). `_mark` belongs to the driver (released,
    # hooks, visit marks). `_extra` is unset or an `_Extra`. Every slot costs time, in each
    # operation and in each pass of the garbage collector, so there are few.
    __slots__ = ("data", "grad", "_op", "_a", "_b", "_mark", "_extra", "__weakref__")

    _scalar = True  # the driver's scalar fast path can run on Values
    _retains_grad = True  # every Value keeps its gradient, to show it, as micrograd

    def __init__(self, data, label="", requires_grad=True):
        self.data = data.data if isinstance(data, Value) else _number(data, "Value")
        self.grad = 0.0
        self._op = LEAF if requires_grad else None
        self._a = None
        self._mark = 0
        if label:
            self.label = label

    # ----- what the driver and the tools read -----

    @property
    def requires_grad(self):
        """Whether backward computes a gradient for this Value (and records operations on it)."""
        return self._op is not None

    @requires_grad.setter
    def requires_grad(self, flag):
        if self._op is None or self._op is LEAF:
            self._op = LEAF if flag else None
            self._a = None
        elif not flag:
            raise RuntimeError("requires_grad: only a leaf's flag can be changed; this Value "
                               "was computed by an operation (use v.detach() for a constant)")

    @property
    def label(self):
        """The name shown in drawings and error messages ("" if none)."""
        extra = getattr(self, "_extra", None)
        return "" if extra is None else extra.label

    @label.setter
    def label(self, text):
        if text or hasattr(self, "_extra"):
            self._more().label = text

    @property
    def _hooks(self):
        extra = getattr(self, "_extra", None)
        return None if extra is None else extra.hooks

    @_hooks.setter
    def _hooks(self, hooks):
        self._more().hooks = hooks
        if hooks is not None and self._mark == 0:
            self._mark = engine.HOOKED  # backward passes through this Value run the hooks

    @property
    def _created_at(self):
        extra = getattr(self, "_extra", None)
        return None if extra is None else extra.created_at

    @_created_at.setter
    def _created_at(self, site):
        self._more().created_at = site

    def _more(self):
        extra = getattr(self, "_extra", None)
        if extra is None:
            extra = self._extra = _Extra()
        return extra

    @property
    def _ctx(self):
        """The operation that made this Value (a rule bound to it, with `parents`), or None."""
        op = self._op
        if op is None or op is LEAF:
            return None
        if self._a is None:  # a general Function, which keeps its inputs itself
            return op
        return type(op)(self)

    @property
    def is_leaf(self):
        """True for Values made by the user (or under no_grad), False for operation results."""
        return self._op is None or self._op is LEAF

    def retain_grad(self):
        """Every Value keeps its gradient already; kept for the Tensor API's sake."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: cannot retain the grad of a Value that does not "
                               "require grad")
        return self

    @staticmethod
    def _record(rule, a, b=None):
        """Run `rule` on the Value `a` (and `b`), recording it when a gradient is needed."""
        return _unary(rule, a) if b is None else _binary(rule)(a, b)

    @classmethod
    def _result(cls, data, ctx, parents=()):
        """A Value made by a general `Function` (one that keeps its own inputs)."""
        v = cls(data, requires_grad=False)
        if ctx is not None:
            v._op = ctx
        return v

    @classmethod
    def _constant(cls, x, like=None):
        if isinstance(x, Value):
            return x
        return cls(x, requires_grad=False)

    @staticmethod
    def _nonfinite(x):
        """'nan' or 'inf' when the number `x` is one, else '' (for detect_anomaly)."""
        return "nan" if x != x else "inf" if x in (INF, -INF) else ""

    # ----- operators: each names its rule in scalar_ops -----

    __add__ = _binary(ops.Add.rule)
    __sub__ = _binary(ops.Sub.rule)
    __mul__ = _binary(ops.Mul.rule)
    __truediv__ = _binary(ops.Div.rule)
    __pow__ = _binary(ops.Pow.rule)

    def __radd__(self, other):  # other + self
        return _constant(other, ADD) + self

    def __rsub__(self, other):  # other - self
        return _constant(other, SUB) - self

    def __rmul__(self, other):  # other * self
        return _constant(other, MUL) * self

    def __rtruediv__(self, other):  # other / self
        return _constant(other, DIV) / self

    def __rpow__(self, other):  # other ** self
        return _constant(other, POW) ** self

    def __neg__(self):
        return _unary(NEG, self)

    def __pos__(self):
        return self

    def exp(self):
        """e ** self.

        >>> Value(0.0).exp()
        Value(data=1, grad=0)
        """
        return _unary(EXP, self)

    def log(self):
        """Natural logarithm; nan for negative data, -inf at 0.

        >>> Value(1.0).log().data
        0.0
        """
        return _unary(LOG, self)

    def sqrt(self):
        """Square root; nan for negative data.

        >>> Value(9.0).sqrt().data
        3.0
        """
        return _unary(SQRT, self)

    def tanh(self):
        """Hyperbolic tangent.

        >>> Value(0.0).tanh().data
        0.0
        """
        return _unary(TANH, self)

    def sigmoid(self):
        """Logistic function 1 / (1 + e ** -self).

        >>> Value(0.0).sigmoid().data
        0.5
        """
        return _unary(SIGMOID, self)

    def relu(self):
        """max(self, 0).

        >>> Value(-2.0).relu().data, Value(3.0).relu().data
        (0.0, 3.0)
        """
        return _unary(RELU, self)

    def __abs__(self):
        return _unary(ABS, self)

    def abs(self):
        """|self|.

        >>> Value(-2.0).abs().data
        2.0
        """
        return _unary(ABS, self)

    # ----- comparisons compare data (so Values sort); hashing stays by identity -----

    def __lt__(self, other):
        return self.data < _compared(other, "<")

    def __le__(self, other):
        return self.data <= _compared(other, "<=")

    def __gt__(self, other):
        return self.data > _compared(other, ">")

    def __ge__(self, other):
        return self.data >= _compared(other, ">=")

    def __float__(self):
        if self.requires_grad:
            raise TypeError(
                f"float() of a Value that requires grad: the number would leave the graph "
                f"and get no gradient. This is also what math.exp(v), math.tanh(v), "
                f"math.log(v), ... do: use v.exp(), v.tanh(), v.log(), v.sigmoid(), ... "
                f"instead, and v.data or v.item() when you want the number "
                f"({self.data!r})")
        return self.data

    def __format__(self, spec):
        """`f"{v:.3f}"` formats the data; `f"{v}"` is `str(v)`."""
        return format(self.data, spec) if spec else str(self)

    def item(self):
        """The data as a Python float.

        >>> Value(2).item()
        2.0
        """
        return self.data

    def backward(self, grad=1.0, retain_graph=False, create_graph=False):
        """Compute d(self)/d(leaf) for every leaf, accumulating into `leaf.grad`.

        `grad` is the upstream gradient dL/d(self) (1.0 by default). The graph is released
        afterwards unless `retain_graph` or `create_graph` is set. With
        `create_graph=True` the gradients are `Value`s in a graph of their own, so they can
        be differentiated again.

        >>> x = Value(3.0)
        >>> y = x ** 3
        >>> y.backward(create_graph=True)      # dy/dx = 3 x**2, itself a Value
        >>> dydx = x.grad
        >>> x.grad = 0.0
        >>> dydx.backward()                    # d2y/dx2 = 6 x
        >>> dydx.data, x.grad
        (27.0, 18.0)
        """
        if create_graph:
            seed = grad if isinstance(grad, Value) else Value(_number(grad, "backward"),
                                                              requires_grad=False)
        else:
            seed = _number(grad.data if isinstance(grad, Value) else grad, "backward")
        engine.backward(self, seed, retain_graph=retain_graph or create_graph,
                        create_graph=create_graph)

    def detach(self):
        """A new leaf with the same data, cut off from the graph.

        >>> (Value(2.0) * 3).detach().requires_grad
        False
        """
        return Value(self.data, self.label, requires_grad=False)

    def draw(self, **options):
        """Shorthand for `draw_graph(self, **options)`: the graph, shown inline in Jupyter."""
        from .viz import draw_graph

        return draw_graph(self, **options)

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={_fmt(self.grad)}{label})"


LEAF = engine.LEAF
ADD, SUB, MUL, DIV, POW = ops.Add.rule, ops.Sub.rule, ops.Mul.rule, ops.Div.rule, ops.Pow.rule
NEG, EXP, LOG, SQRT = ops.Neg.rule, ops.Exp.rule, ops.Log.rule, ops.Sqrt.rule
TANH, SIGMOID, RELU, ABS = ops.Tanh.rule, ops.Sigmoid.rule, ops.Relu.rule, ops.Abs.rule


def _number(x, where):
    """`x` as a float if it is a real number (a Python or NumPy number); a TypeError that
    says what was given otherwise (strings are refused, not parsed)."""
    if x.__class__ is float:
        return x
    if isinstance(x, Node) and not isinstance(x, Value):
        raise TypeError(f"{where}: cannot combine a Value with a {type(x).__name__}; Value and "
                        f"Tensor do not mix (use Tensor(v.data) or t.item())")
    if isinstance(x, Real):
        try:
            return float(x)
        except OverflowError:  # an int beyond float's range (about 1.8e308)
            raise OverflowError(f"{where}: the number {str(x)[:20]}... ({len(str(x))} digits) is "
                                f"too large for a float (at most about 1.8e308)") from None
    if isinstance(x, Complex):
        raise TypeError(f"{where}: complex numbers are not supported, got {x!r}")
    shape = getattr(x, "shape", None)
    if shape == () and getattr(getattr(x, "dtype", None), "kind", "") in "biuf":
        return float(x)  # a 0-d NumPy array
    if shape is None and hasattr(type(x), "__float__") and not isinstance(x, (str, bytes)):
        return float(x)  # another kind of number, such as decimal.Decimal
    if isinstance(x, (str, bytes, bytearray)):
        hint = " (convert it yourself, e.g. float(text), if it is meant as a number)"
    elif getattr(x, "shape", None) is not None or isinstance(x, (list, tuple)):
        hint = " (a Value holds one number: use Tensor for arrays)"
    else:
        hint = ""
    raise TypeError(f"{where}: expected a real number, got {type(x).__name__} {x!r}{hint}")


def _operand(x, rule):
    """A plain number in an operation with a Value, as a float (a TypeError naming the
    operation for anything else: strings are refused, not parsed)."""
    if x.__class__ is float:
        return x
    try:
        return _number(x, "")
    except TypeError as err:
        detail = str(err).removeprefix(": ")
        raise TypeError(f"Value {rule.name}: the other operand must be a number or a Value; "
                        f"{detail}") from None
    except OverflowError as err:
        raise OverflowError(f"Value {rule.name}{err}") from None


def _constant(x, rule):
    """The left operand of a reflected operation (`2 * v`) as a constant Value."""
    c = _new(Value)
    c.data = _operand(x, rule)
    c.grad = 0.0
    c._op = None
    c._mark = 0
    return c


def _compared(x, op):
    if isinstance(x, Value):
        return x.data
    try:
        return _number(x, "")
    except TypeError as err:
        detail = str(err).removeprefix(": ")
        raise TypeError(f"Value {op}: can only compare with a number or a Value; "
                        f"{detail}") from None


def _fmt(g):
    return f"{g:.6g}" if isinstance(g, float) else repr(g)
