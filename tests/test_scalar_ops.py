"""Every scalar operation's gradient (first and second order) against finite differences,
and the scalar and tensor engines agreeing on the same expressions."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Tensor, Value, gradcheck, scalar_ops
from autograd_lite.gradcheck import numerical_grad


def floats(lo=-3.0, hi=3.0, away_from=()):
    s = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    return s.filter(lambda v: all(abs(v - p) > 0.05 for p in away_from))


# op -> (function of Values, strategy for the list of inputs)
OPS = {
    scalar_ops.Add: (lambda a, b: a + b, st.lists(floats(), min_size=2, max_size=2)),
    scalar_ops.Sub: (lambda a, b: a - b, st.lists(floats(), min_size=2, max_size=2)),
    scalar_ops.Mul: (lambda a, b: a * b, st.lists(floats(), min_size=2, max_size=2)),
    scalar_ops.Div: (lambda a, b: a / b, st.tuples(floats(), floats(0.3, 3.0)).map(list)),
    scalar_ops.Pow: (lambda a, b: a**b, st.tuples(floats(0.2, 3.0), floats()).map(list)),
    scalar_ops.Neg: (lambda a: -a, st.lists(floats(), min_size=1, max_size=1)),
    scalar_ops.Exp: (lambda a: a.exp(), st.lists(floats(), min_size=1, max_size=1)),
    scalar_ops.Log: (lambda a: a.log(), st.lists(floats(0.1, 5.0), min_size=1, max_size=1)),
    scalar_ops.Sqrt: (lambda a: a.sqrt(), st.lists(floats(0.1, 5.0), min_size=1, max_size=1)),
    scalar_ops.Tanh: (lambda a: a.tanh(), st.lists(floats(), min_size=1, max_size=1)),
    scalar_ops.Sigmoid: (lambda a: a.sigmoid(), st.lists(floats(-8, 8), min_size=1, max_size=1)),
    scalar_ops.Relu: (lambda a: a.relu(), st.lists(floats(away_from=(0,)), min_size=1,
                                                   max_size=1)),
    scalar_ops.Abs: (lambda a: abs(a), st.lists(floats(away_from=(0,)), min_size=1, max_size=1)),
    # 0, with derivatives nan only at a = b = 0
    scalar_ops.PowJump: (lambda a, b: scalar_ops.PowJump.call(a, b),
                         st.lists(floats(away_from=(0,)), min_size=2, max_size=2)),
    # sign(a), recorded as piecewise constant in a: derivative 0
    scalar_ops.Piecewise: (lambda a: scalar_ops.Piecewise.call(a, math.copysign(1.0, a.data)),
                           st.lists(floats(away_from=(0,)), min_size=1, max_size=1)),
    # relu's rule: g*g where b > 0, else exactly 0 (b's slope recorded as piecewise)
    scalar_ops.Select: (lambda g, b: scalar_ops.Select.call(
        g * g, scalar_ops.Piecewise.call(b, float(b.data > 0))),
        st.lists(floats(away_from=(0,)), min_size=2, max_size=2)),
}


def test_every_scalar_op_has_a_row():
    ops = {c for c in vars(scalar_ops).values()
           if isinstance(c, type) and issubclass(c, scalar_ops.Function)
           and c.__module__ == scalar_ops.__name__}
    missing = sorted(op.__name__ for op in ops - set(OPS))
    assert not missing, f"scalar ops without a gradient-check row: {missing}"


@pytest.mark.parametrize("op", list(OPS), ids=lambda op: op.__name__)
@given(data=st.data())
def test_first_order_gradient(op, data):
    fn, strategy = OPS[op]
    xs = data.draw(strategy)
    out = fn(*[Value(x) for x in xs])
    assert type(out.grad_fn) is op
    assert gradcheck(fn, [Value(x) for x in xs])


@pytest.mark.parametrize("op", list(OPS), ids=lambda op: op.__name__)
@given(data=st.data())
def test_second_order_gradient(op, data):
    """The gradient of sum_i w_i * df/dx_i by double backward equals finite differences."""
    fn, strategy = OPS[op]
    xs = data.draw(strategy)
    ws = [0.7 + i for i in range(len(xs))]

    leaves = [Value(x) for x in xs]
    fn(*leaves).backward(create_graph=True)
    s = sum(leaf.grad * w for leaf, w in zip(leaves, ws))
    for leaf in leaves:
        leaf.grad = 0.0
    if isinstance(s, Value) and s.requires_grad:
        s.backward()
    analytic = [leaf.grad if isinstance(leaf.grad, float) else leaf.grad.data
                for leaf in leaves]

    def first(*arrays):
        from autograd_lite import enable_grad
        with enable_grad():
            vs = [Value(float(a)) for a in arrays]
            fn(*vs).backward()
        return sum(v.grad * w for v, w in zip(vs, ws))

    numeric = numerical_grad(first, [np.array(x) for x in xs], eps=1e-5)
    np.testing.assert_allclose(analytic, [float(n) for n in numeric], rtol=1e-3, atol=1e-4)


# ----- the two engines agree -----


@st.composite
def expressions(draw, depth=4):
    """A random expression over two variables, as a function usable with both engines."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        leaf = draw(st.sampled_from(["x", "y", "c"]))
        c = draw(floats(0.5, 2.0))
        return {"x": lambda x, y: x, "y": lambda x, y: y, "c": lambda x, y: c}[leaf]
    kind = draw(st.sampled_from(["+", "-", "*", "/", "tanh", "sigmoid", "exp", "sq", "log"]))
    f = draw(expressions(depth=depth - 1))
    if kind in "+-*/":
        g = draw(expressions(depth=depth - 1))
        return {"+": lambda x, y: f(x, y) + g(x, y),
                "-": lambda x, y: f(x, y) - g(x, y),
                "*": lambda x, y: f(x, y) * g(x, y),
                "/": lambda x, y: f(x, y) / (g(x, y) * g(x, y) + 1.0)}[kind]
    return {"tanh": lambda x, y: _lift(f(x, y), x).tanh(),
            "sigmoid": lambda x, y: _lift(f(x, y), x).sigmoid(),
            "exp": lambda x, y: (_lift(f(x, y), x) * 0.3).exp(),
            "sq": lambda x, y: f(x, y) ** 2,
            "log": lambda x, y: _lift(f(x, y) * f(x, y) + 1.0, x).log()}[kind]


def _lift(v, like):
    """Constants in an expression become nodes of the engine in use."""
    if isinstance(v, (Value, Tensor)):
        return v
    return Value(v, requires_grad=False) if isinstance(like, Value) else Tensor(np.float64(v))


@given(expr=expressions(), x=floats(-2, 2), y=floats(-2, 2))
def test_scalar_and_tensor_engines_agree(expr, x, y):
    vx, vy = Value(x), Value(y)
    tx, ty = Tensor(np.float64(x), requires_grad=True), Tensor(np.float64(y), requires_grad=True)
    v_out, t_out = _lift(expr(vx, vy), vx), _lift(expr(tx, ty), tx)
    assert math.isclose(v_out.data, float(t_out.data), rel_tol=1e-12, abs_tol=1e-12)
    if v_out.requires_grad:
        v_out.backward()
        t_out.backward()
        for v, t in ((vx, tx), (vy, ty)):
            expected = 0.0 if t.grad is None else float(t.grad)
            assert math.isclose(v.grad, expected, rel_tol=1e-9, abs_tol=1e-12)
        assert gradcheck(lambda a, b: _lift(expr(a, b), a), [Value(x), Value(y)])


def test_ieee_results_instead_of_exceptions():
    assert math.isnan(Value(-1.0).log().data)
    assert Value(0.0).log().data == -math.inf
    assert math.isnan(Value(-4.0).sqrt().data)
    assert Value(1000.0).exp().data == math.inf
    assert (Value(1.0) / 0.0).data == math.inf
    assert math.isnan((Value(-8.0) ** (1 / 3)).data)
    assert Value(-1000.0).sigmoid().data == 0.0 and Value(1000.0).sigmoid().data == 1.0


def test_reflected_operators_with_plain_numbers():
    x = Value(3.0)
    y = 2 + x
    z = (10 - x) * (2 * x) / (1 + x) + 2**x - (-x)
    assert y.data == 5.0
    z.backward()
    expected = numerical_grad(
        lambda a: (10 - a) * (2 * a) / (1 + a) + 2**a + a, [np.array(3.0)])[0]
    assert math.isclose(x.grad, float(expected), rel_tol=1e-6)


def test_pow_and_log_at_the_edges_of_their_domains():
    b = Value(2.0)
    (0**b).backward()
    assert b.grad == 0.0  # 0**b is 0 for every b > 0
    a = Value(0.0)
    (a**0.0).backward()
    assert a.grad == 0.0  # a**0 is constant
    n = Value(-1.0)
    n.log().backward()
    assert n.grad == -1.0  # the value is nan, the gradient stays 1/a, as in PyTorch
