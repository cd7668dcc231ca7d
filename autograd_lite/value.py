"""`Value`: the scalar front end, as readable as micrograd, on the shared backward driver."""

from . import engine
from . import scalar_ops as ops
from .engine import Node

INF = float("inf")


class Value(Node):
    """A scalar that remembers the operations that made it, so it can back-propagate.

    >>> from autograd_lite import Value
    >>> x = Value(2.0, label="x")
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> y.data, x.grad
    (10.0, 7.0)
    """

    __slots__ = ()

    def __init__(self, data, label="", requires_grad=True):
        if isinstance(data, Value):
            data = data.data
        _refuse_other_nodes(data)
        try:
            self.data = float(data)
        except (TypeError, ValueError):
            raise TypeError(f"Value: data must be a real number, got {data!r}") from None
        self.grad = 0.0
        self.requires_grad = requires_grad
        self._ctx = None
        self._hooks = None
        self._retains_grad = True  # every Value keeps its gradient, to show it, as micrograd
        self.label = label

    @classmethod
    def _result(cls, data, ctx):
        v = cls.__new__(cls)
        v.data = data
        v.grad = 0.0
        v.requires_grad = ctx is not None
        v._ctx = ctx
        v._hooks = None
        v._retains_grad = True
        v.label = ""
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

    # ----- operators: each is one line that names its Function in scalar_ops -----

    def __add__(self, other):
        return ops.Add.apply2(self, _value(other))

    def __radd__(self, other):  # other + self
        return ops.Add.apply2(_value(other), self)

    def __sub__(self, other):
        return ops.Sub.apply2(self, _value(other))

    def __rsub__(self, other):  # other - self
        return ops.Sub.apply2(_value(other), self)

    def __mul__(self, other):
        return ops.Mul.apply2(self, _value(other))

    def __rmul__(self, other):  # other * self
        return ops.Mul.apply2(_value(other), self)

    def __truediv__(self, other):
        return ops.Div.apply2(self, _value(other))

    def __rtruediv__(self, other):  # other / self
        return ops.Div.apply2(_value(other), self)

    def __pow__(self, other):
        return ops.Pow.apply2(self, _value(other))

    def __rpow__(self, other):  # other ** self
        return ops.Pow.apply2(_value(other), self)

    def __neg__(self):
        return ops.Neg.apply1(self)

    def __pos__(self):
        return self

    def exp(self):
        """e ** self.

        >>> Value(0.0).exp()
        Value(data=1, grad=0)
        """
        return ops.Exp.apply1(self)

    def log(self):
        """Natural logarithm; nan for negative data, -inf at 0.

        >>> Value(1.0).log().data
        0.0
        """
        return ops.Log.apply1(self)

    def sqrt(self):
        """Square root; nan for negative data.

        >>> Value(9.0).sqrt().data
        3.0
        """
        return ops.Sqrt.apply1(self)

    def tanh(self):
        """Hyperbolic tangent.

        >>> Value(0.0).tanh().data
        0.0
        """
        return ops.Tanh.apply1(self)

    def sigmoid(self):
        """Logistic function 1 / (1 + e ** -self).

        >>> Value(0.0).sigmoid().data
        0.5
        """
        return ops.Sigmoid.apply1(self)

    def relu(self):
        """max(self, 0).

        >>> Value(-2.0).relu().data, Value(3.0).relu().data
        (0.0, 3.0)
        """
        return ops.Relu.apply1(self)

    def __abs__(self):
        return ops.Abs.apply1(self)

    def abs(self):
        """|self|.

        >>> Value(-2.0).abs().data
        2.0
        """
        return ops.Abs.apply1(self)

    # ----- comparisons compare data (so Values sort); hashing stays by identity -----

    def __lt__(self, other):
        return self.data < _data(other)

    def __le__(self, other):
        return self.data <= _data(other)

    def __gt__(self, other):
        return self.data > _data(other)

    def __ge__(self, other):
        return self.data >= _data(other)

    def __float__(self):
        return self.data

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
        seed = _value(grad) if create_graph else float(_data(grad))
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


def _value(x):
    if x.__class__ is Value:
        return x
    if x.__class__ is float or x.__class__ is int:
        return Value._result(float(x), None)
    return x if isinstance(x, Value) else Value(x, requires_grad=False)


def _refuse_other_nodes(x):
    if isinstance(x, Node) and not isinstance(x, Value):
        raise TypeError(f"Value: cannot combine a Value with a {type(x).__name__}; Value and "
                        f"Tensor do not mix (use Tensor(v.data) or t.item())")


def _data(x):
    return x.data if isinstance(x, Value) else x


def _fmt(g):
    return f"{g:.6g}" if isinstance(g, float) else repr(g)
