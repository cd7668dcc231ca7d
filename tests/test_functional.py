"""The function transforms (grad, value_and_grad, jacobian, hessian, hvp, vjp, jvp) and
gradgradcheck, against closed forms and finite differences computed here with NumPy."""

import doctest
import importlib
import pathlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
from autograd_lite import (
    Function,
    GradcheckError,
    Tensor,
    Value,
    functional,
    grad,
    gradgradcheck,
    hessian,
    hvp,
    jacobian,
    jvp,
    no_grad,
    value_and_grad,
    vjp,
)
from autograd_lite.functional import ScalarOutputError

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"

floats = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)


def vectors(min_size=1, max_size=5, lo=-2.0, hi=2.0):
    return hnp.arrays(np.float64, st.integers(min_size, max_size),
                      elements=st.floats(lo, hi, allow_nan=False, allow_infinity=False))


def numeric_jacobian(F, x, eps=1e-6):
    """Central differences of the NumPy function F at x: shape F(x).shape + x.shape."""
    x = np.array(x, dtype=np.float64)
    out = np.asarray(F(x), dtype=np.float64)
    J = np.zeros(out.shape + x.shape)
    for j in np.ndindex(x.shape):
        hi, lo = x.copy(), x.copy()
        hi[j] += eps
        lo[j] -= eps
        J[(Ellipsis,) + j] = (np.asarray(F(hi)) - np.asarray(F(lo))) / (2 * eps)
    return J


def evaluate(f, *arrays):
    """f's value on constant Tensors: the forward pass only, as a float64 array."""
    with no_grad():
        return np.asarray(f(*[Tensor(np.array(a, dtype=np.float64)) for a in arrays]).data)


INPUT_KINDS = {
    "python float": float,
    "0-d array": lambda x: np.array(x),
    "numpy scalar": np.float64,
}


# ***** derivatives of scalar functions: closed forms, up to the third *****


@pytest.mark.parametrize("kind", list(INPUT_KINDS))
@given(x=floats)
def test_derivatives_of_x4_match_closed_forms(kind, x):
    f = lambda t: t**4
    d1, d2, d3 = grad(f), grad(grad(f)), grad(grad(grad(f)))
    xin = INPUT_KINDS[kind](x)
    for d, expected in ((d1, 4 * x**3), (d2, 12 * x**2), (d3, 24 * x),
                        (grad(d3), 24.0)):
        got = d(xin)
        assert isinstance(got, np.ndarray) and got.shape == () and got.dtype == np.float64
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", list(INPUT_KINDS))
@given(x=floats)
def test_derivatives_of_tanh_match_closed_forms(kind, x):
    t = np.tanh(x)
    xin = INPUT_KINDS[kind](x)
    d1 = grad(lambda u: u.tanh())
    d2, d3 = grad(d1), grad(grad(d1))
    np.testing.assert_allclose(d1(xin), 1 - t**2, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(d2(xin), -2 * t * (1 - t**2), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(d3(xin), (1 - t**2) * (6 * t**2 - 2), rtol=1e-10, atol=1e-14)


@given(x=floats)
def test_third_derivative_of_tanh_matches_finite_differences_of_the_second(x):
    d2 = grad(grad(lambda u: u.tanh()))
    eps = 1e-5
    numeric = (d2(x + eps) - d2(x - eps)) / (2 * eps)
    np.testing.assert_allclose(grad(d2)(x), numeric, rtol=1e-5, atol=1e-8)


def test_tensor_arguments_give_arrays_by_default_and_leave_grad_alone():
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    plain = grad(lambda u: (u**3).sum())(x)
    assert type(plain) is np.ndarray  # "return its gradient(s) as NumPy arrays"
    np.testing.assert_allclose(plain, 3 * x.data**2)
    value, g_arr = value_and_grad(lambda u: (u**3).sum())(x)
    assert type(value) is np.ndarray and type(g_arr) is np.ndarray
    assert x.grad is None


def test_create_graph_gives_differentiable_tensors_and_leaves_grad_alone():
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    g = grad(lambda u: (u**3).sum(), create_graph=True)(x)  # 3 x**2
    assert isinstance(g, Tensor) and g.requires_grad
    np.testing.assert_allclose(g.data, 3 * x.data**2)
    assert x.grad is None  # grad() did not accumulate into the argument
    (g * np.array([1.0, 10.0])).sum().backward()
    np.testing.assert_allclose(x.grad, 6 * x.data * np.array([1.0, 10.0]))  # d/dx 3x² = 6x


def test_values_work_with_grad_and_nest():
    x = Value(0.3)
    t = np.tanh(0.3)
    g1 = grad(lambda v: v.tanh(), create_graph=True)(x)
    g2 = grad(grad(lambda v: v.tanh()), create_graph=True)(x)
    assert isinstance(g1, Value) and isinstance(g2, Value)
    assert float(grad(grad(lambda v: v.tanh()))(x)) == pytest.approx(g2.data)
    assert g1.data == pytest.approx(1 - t**2, rel=1e-12)
    assert g2.data == pytest.approx(-2 * t * (1 - t**2), rel=1e-12)
    assert x.grad == 0.0


def test_nested_grad_through_a_closure():
    # d/dx [ d/dy (x * y**2) at y = x ] = d/dx (2 x**2) = 4x (as in JAX)
    outer = grad(lambda x: grad(lambda y: x * y * y)(x))
    np.testing.assert_allclose(outer(3.0), 12.0)


def test_grad_inside_a_loss_that_is_differentiated_by_backward():
    w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    g = grad(lambda x: (x**3).sum(), create_graph=True)(w)
    penalty = (g**2).sum()  # sum (3 w²)² = 9 sum w⁴
    penalty.backward()
    np.testing.assert_allclose(w.grad, 36 * w.data**3)


# ***** grad and value_and_grad: arguments, results, errors *****


def test_result_dtypes_and_shapes():
    g32 = grad(lambda x: (x * x).sum())(np.ones((2, 3), dtype=np.float32))
    assert g32.dtype == np.float32 and g32.shape == (2, 3)
    g_int = grad(lambda x: (x * x).sum())(np.array([1, 2]))
    assert g_int.dtype == np.float64
    np.testing.assert_array_equal(g_int, [2.0, 4.0])
    np.testing.assert_array_equal(grad(lambda x: (x * x).sum())([1.0, 3.0]), [2.0, 6.0])


def test_arguments_are_not_modified():
    x = np.array([1.0, 2.0])
    before = x.copy()
    g = grad(lambda t: (t * 1.0).sum())(x)
    np.testing.assert_array_equal(x, before)
    g[0] = 123.0
    np.testing.assert_array_equal(x, before)


@given(a=vectors(2, 4), b=vectors(2, 4))
def test_argnums_int_tuple_and_negative(a, b):
    n = min(a.size, b.size)
    a, b = a[:n], b[:n]
    c = 0.7

    def f(x, y, scale):
        return (x * y * scale + x * x).sum()

    np.testing.assert_allclose(grad(f)(a, b, c), b * c + 2 * a)
    np.testing.assert_allclose(grad(f, argnums=1)(a, b, c), a * c)
    np.testing.assert_allclose(grad(f, argnums=-1)(a, b, c), (a * b).sum())
    ga, gc = grad(f, argnums=(0, 2))(a, b, c)
    np.testing.assert_allclose(ga, b * c + 2 * a)
    np.testing.assert_allclose(gc, (a * b).sum())
    value, (ga2, gb2) = value_and_grad(f, argnums=(0, 1))(a, b, c)
    np.testing.assert_allclose(value, (a * b * c + a * a).sum())
    np.testing.assert_allclose(ga2, ga)
    np.testing.assert_allclose(gb2, a * c)


def test_with_create_graph_any_tensor_argument_makes_results_tensors():
    # the gradient for the array `a` depends on the Tensor `b`, so it must stay in the graph
    b = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    g = grad(lambda a, b: (a * a * b).sum(), create_graph=True)(np.array([3.0, 4.0]), b)
    assert isinstance(g, Tensor) and g.requires_grad
    np.testing.assert_allclose(g.data, [6.0, 16.0])
    g.sum().backward()
    np.testing.assert_allclose(b.grad, [6.0, 8.0])  # d/db sum(2ab) = 2a
    value, g_const = value_and_grad(lambda a, c: (a * c).sum(), create_graph=True)(
        np.ones(2), Tensor([2.0, 3.0]))
    assert isinstance(value, Tensor) and isinstance(g_const, Tensor)


def test_the_same_tensor_twice_gets_separate_gradients():
    x = Tensor(np.array([2.0]), requires_grad=True)
    ga, gb = grad(lambda a, b: (a * b * b).sum(), argnums=(0, 1))(x, x)
    np.testing.assert_allclose(ga.data, [4.0])  # b**2
    np.testing.assert_allclose(gb.data, [8.0])  # 2ab


def test_value_and_grad_value_is_f_of_x():
    x = np.array([0.1, -0.4, 2.0])
    f = lambda t: (t.exp() * t).sum()
    value, g = value_and_grad(f)(x)
    np.testing.assert_allclose(value, np.sum(np.exp(x) * x))
    np.testing.assert_allclose(g, np.exp(x) * (1 + x))
    assert isinstance(value, np.ndarray)


def test_constant_and_unused_arguments_get_zero_gradients():
    np.testing.assert_array_equal(grad(lambda x: 3.0)(np.ones(3)), np.zeros(3))
    np.testing.assert_array_equal(grad(lambda x, y: (y * 2).sum())(np.ones(2), np.ones(2)),
                                  np.zeros(2))
    np.testing.assert_array_equal(jacobian(lambda x: Tensor(np.ones(2)))(np.ones(3)),
                                  np.zeros((2, 3)))
    np.testing.assert_array_equal(hessian(lambda x: x.sum())(np.ones(2)), np.zeros((2, 2)))


def test_non_scalar_output_is_a_clear_error():
    with pytest.raises(ScalarOutputError, match=r"grad: .*shape \(3,\).*jacobian"):
        grad(lambda x: x * 2)(np.ones(3))
    # a ValueError (wrong shape) and a TypeError (as in JAX) alike
    with pytest.raises(ValueError):
        value_and_grad(lambda x: x * 2)(np.ones(3))
    with pytest.raises(TypeError):
        grad(lambda x: x * 2)(np.ones(3))


@pytest.mark.parametrize("call, error, message", [
    (lambda: grad(3), TypeError, "grad: the first argument must be a function"),
    (lambda: grad(lambda x: x.sum(), argnums=1)(np.ones(2)), ValueError,
     r"grad: argnums 1 asks for argument 1, but the function was called with 1"),
    (lambda: grad(lambda x, y: x.sum(), argnums=(0, 0))(1.0, 2.0), ValueError, "repeats"),
    (lambda: grad(lambda x: x.sum(), argnums="0")(1.0), TypeError, "argnums must be"),
    (lambda: grad(lambda x: x.sum())("a"), TypeError, "argument 0 must be a number"),
    (lambda: grad(lambda x: "loss")(1.0), TypeError, "f must return a Tensor"),
    (lambda: jacobian(lambda x: x)(Value(1.0)), TypeError, "got a Value"),
    (lambda: hvp(lambda x: x.sum(), np.ones(2), np.ones(3)), ValueError,
     r"hvp: v has shape \(3,\), but x has shape \(2,\)"),
    (lambda: jvp(lambda x: x, np.ones(2), np.ones(3)), ValueError, r"jvp: v has shape"),
    (lambda: vjp(lambda x: x.sum(), np.ones(2), np.ones(2)), ValueError,
     r"vjp: v has shape \(2,\), but f\(x\) has shape \(\)"),
])
def test_bad_input_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_transformed_functions_are_named():
    def loss(x):
        return x.sum()
    assert grad(loss).__name__ == "grad(loss)"
    assert hessian(loss).__name__ == "hessian(loss)"


def test_no_ones_gradients_are_touched():
    W = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    W.grad = np.full((2, 2), 7.0)
    before = W.grad
    x = Tensor(np.array([1.0, -1.0]), requires_grad=True)
    hidden = (W @ np.array([0.5, 0.5])).retain_grad()

    def f(v):
        return ((W @ v).tanh() * hidden).sum()

    for transform in (grad(f), hessian(f), jacobian(lambda v: W @ v)):
        transform(np.array([0.3, 0.2]))
        transform(x)
    hvp(f, np.array([0.3, 0.2]), np.ones(2))
    jvp(lambda v: W @ v, np.ones(2), np.ones(2))
    vjp(lambda v: W @ v, np.ones(2), np.ones(2))
    assert W.grad is before and np.all(before == 7.0)
    assert x.grad is None and hidden.grad is None


def test_arguments_from_a_released_graph_can_be_differentiated():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = w * 2
    h.sum().backward()  # releases h's graph
    np.testing.assert_allclose(grad(lambda t: (t * t).sum())(h), 2 * h.data)
    # also when the released tensor is an argument that is not differentiated
    g = grad(lambda a, t: (a * t).sum(), create_graph=True)(np.ones(2), h)
    assert isinstance(g, Tensor)
    np.testing.assert_allclose(g.data, h.data)
    with pytest.raises(ag.GraphReleasedError):
        h.sum().backward()  # the transforms did not hide the release


def test_transforms_work_inside_no_grad_and_return_constants():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with no_grad():
        g = grad(lambda t: (t**3).sum(), create_graph=True)(x)
        h = hessian(lambda t: (t**3).sum())(np.array([1.0, 2.0]))
    np.testing.assert_allclose(g.data, 3 * x.data**2)
    assert not g.requires_grad  # no graph is recorded under no_grad()
    np.testing.assert_allclose(h, np.diag([6.0, 12.0]))


# ***** jacobian *****


@given(shape=hnp.array_shapes(min_dims=0, max_dims=2, max_side=3), data=st.data())
def test_jacobian_shape_and_values_match_finite_differences(shape, data):
    x = data.draw(hnp.arrays(np.float64, shape, elements=floats))
    W = np.random.default_rng(len(shape)).normal(size=(2,) + shape)

    def f(t):  # output shape (2, 2): a small nonlinear map of t
        y = (W * t).reshape(2, -1).sum(axis=1).tanh()
        return y.reshape(2, 1) * (t * t).sum() + y

    J = jacobian(f)(x)
    assert J.shape == (2, 2) + shape
    np.testing.assert_allclose(J, numeric_jacobian(lambda a: evaluate(f, a), x),
                               rtol=1e-5, atol=1e-7)


def test_jacobian_with_several_argnums():
    a, b = np.array([1.0, 2.0]), np.array([3.0, -1.0, 0.5])
    Ja, Jb = jacobian(lambda a, b: a.reshape(2, 1) * b, argnums=(0, 1))(a, b)
    assert Ja.shape == (2, 3, 2) and Jb.shape == (2, 3, 3)
    np.testing.assert_allclose(Ja, numeric_jacobian(lambda u: np.outer(u, b), a), atol=1e-8)
    np.testing.assert_allclose(Jb, numeric_jacobian(lambda u: np.outer(a, u), b), atol=1e-8)


ELEMENTWISE = {  # name: (function of a Tensor, its derivative in NumPy, input range)
    "exp": (lambda t: t.exp(), np.exp, (-2, 2)),
    "log": (lambda t: t.log(), lambda x: 1 / x, (0.2, 3)),
    "sqrt": (lambda t: t.sqrt(), lambda x: 0.5 / np.sqrt(x), (0.2, 3)),
    "tanh": (lambda t: t.tanh(), lambda x: 1 - np.tanh(x) ** 2, (-2, 2)),
    "sigmoid": (lambda t: t.sigmoid(), lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2, (-4, 4)),
    "relu": (lambda t: t.relu(), lambda x: (x > 0).astype(float), (-2, 2)),
    "abs": (lambda t: t.abs(), np.sign, (-2, 2)),
    "neg": (lambda t: -t, lambda x: -np.ones_like(x), (-2, 2)),
    "cube": (lambda t: t**3, lambda x: 3 * x**2, (-2, 2)),
    "reciprocal": (lambda t: 1 / t, lambda x: -1 / x**2, (0.2, 3)),
    "x * sigmoid(x)": (lambda t: t * t.sigmoid(),
                       lambda x: 1 / (1 + np.exp(-x)) + x * np.exp(-x) / (1 + np.exp(-x)) ** 2,
                       (-3, 3)),
}


@pytest.mark.parametrize("name", list(ELEMENTWISE))
@given(data=st.data())
def test_jacobian_of_elementwise_ops_is_diagonal(name, data):
    fn, derivative, (lo, hi) = ELEMENTWISE[name]
    x = data.draw(vectors(1, 5, lo, hi).filter(lambda v: np.all(np.abs(v) > 0.05)))
    J = jacobian(fn)(x)
    assert J.shape == (x.size, x.size)
    off_diagonal = J - np.diag(np.diag(J))
    assert np.all(off_diagonal == 0)
    np.testing.assert_allclose(np.diag(J), derivative(x), rtol=1e-12, atol=1e-14)


# ***** hessian and hvp *****


@st.composite
def quadratic_forms(draw):
    n = draw(st.integers(1, 5))
    A = draw(hnp.arrays(np.float64, (n, n), elements=st.floats(-3, 3)))
    x = draw(hnp.arrays(np.float64, (n,), elements=st.floats(-3, 3)))
    return A, x


@given(quadratic_forms())
def test_hessian_of_quadratic_form_is_A_plus_A_transpose(case):
    A, x = case
    H = hessian(lambda v: v @ A @ v)(x)
    np.testing.assert_allclose(H, A + A.T, rtol=1e-12, atol=1e-12)


@st.composite
def mlp_cases(draw):
    """A tiny MLP (n_in -> n_hidden tanh -> 1 sigmoid), its data, and a parameter vector."""
    n_in, n_hidden = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    X = rng.normal(size=(4, n_in))
    y = rng.integers(0, 2, size=(4, 1)).astype(float)
    sizes = [n_in * n_hidden, n_hidden, n_hidden, 1]

    def loss(p):
        i = np.cumsum([0] + sizes)
        W1 = p[i[0]:i[1]].reshape(n_in, n_hidden)
        b1 = p[i[1]:i[2]]
        W2 = p[i[2]:i[3]].reshape(n_hidden, 1)
        b2 = p[i[3]:i[4]]
        out = ((X @ W1 + b1).tanh() @ W2 + b2).sigmoid()
        return ((out - y) ** 2).mean()

    p = rng.normal(size=sum(sizes))
    v = rng.normal(size=p.size)
    return loss, p, v


@given(mlp_cases())
def test_hessian_of_mlp_loss_matches_finite_differences_of_its_gradient(case):
    loss, p, _ = case
    H = hessian(loss)(p)
    assert H.shape == (p.size, p.size)
    np.testing.assert_allclose(H, H.T, atol=1e-12)
    numeric = numeric_jacobian(grad(loss), p, eps=1e-5)
    np.testing.assert_allclose(H, numeric, rtol=1e-5, atol=1e-8)


@given(mlp_cases())
def test_mlp_gradient_matches_finite_differences_of_the_loss(case):
    loss, p, _ = case
    numeric = numeric_jacobian(lambda q: evaluate(loss, q), p)
    np.testing.assert_allclose(grad(loss)(p), numeric, rtol=1e-5, atol=1e-8)


@given(mlp_cases())
def test_hvp_equals_hessian_times_v(case):
    loss, p, v = case
    Hv = hvp(loss, p, v)
    np.testing.assert_allclose(Hv, hessian(loss)(p) @ v, rtol=1e-10, atol=1e-12)
    eps = 1e-5  # and the directional derivative of the gradient along v
    numeric = (grad(loss)(p + eps * v) - grad(loss)(p - eps * v)) / (2 * eps)
    np.testing.assert_allclose(Hv, numeric, rtol=1e-5, atol=1e-8)


@given(quadratic_forms(), st.data())
def test_hvp_of_quadratic_form(case, data):
    A, x = case
    v = data.draw(hnp.arrays(np.float64, x.shape, elements=st.floats(-3, 3)))
    np.testing.assert_allclose(hvp(lambda t: t @ A @ t, x, v), (A + A.T) @ v, atol=1e-10)


def test_hvp_with_tensor_arguments_is_differentiable():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    v = np.array([1.0, 1.0])
    Hv = hvp(lambda t: (t**4).sum(), x, v, create_graph=True)  # 12 x² v
    assert isinstance(Hv, Tensor)
    np.testing.assert_allclose(Hv.data, 12 * x.data**2)
    Hv.sum().backward()
    np.testing.assert_allclose(x.grad, 24 * x.data)  # third derivative, contracted


def test_hessian_with_several_argnums():
    a, b = np.array([1.0, 2.0]), np.array([0.5, -1.0, 3.0])

    def f(a, b):
        return (a.reshape(2, 1) * b).sum() ** 2  # (sum a)^2 (sum b)^2

    (Haa, Hab), (Hba, Hbb) = hessian(f, argnums=(0, 1))(a, b)
    sa, sb = a.sum(), b.sum()
    np.testing.assert_allclose(Haa, np.full((2, 2), 2 * sb**2))
    np.testing.assert_allclose(Hab, np.full((2, 3), 4 * sa * sb))
    np.testing.assert_allclose(Hba, Hab.T)
    np.testing.assert_allclose(Hbb, np.full((3, 3), 2 * sa**2))


def test_hessian_of_matrix_argument_has_doubled_shape():
    A = np.random.default_rng(0).normal(size=(2, 3))
    H = hessian(lambda W: (W * W * W).sum())(A)
    assert H.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(H.reshape(6, 6), np.diag(6 * A.reshape(-1)))


# ***** vjp and jvp *****


@given(x=vectors(1, 4), data=st.data())
def test_vjp_and_jvp_agree_with_the_jacobian(x, data):
    M = np.random.default_rng(x.size).normal(size=(3, x.size))

    def f(t):
        return (M @ t).tanh() * t.sum()

    J = jacobian(f)(x)
    u = data.draw(hnp.arrays(np.float64, (3,), elements=floats))
    v = data.draw(hnp.arrays(np.float64, x.shape, elements=floats))
    out, uJ = vjp(f, x, u)
    np.testing.assert_allclose(out, evaluate(f, x))
    np.testing.assert_allclose(uJ, u @ J, rtol=1e-10, atol=1e-12)
    out2, Jv = jvp(f, x, v)
    np.testing.assert_allclose(out2, out)
    np.testing.assert_allclose(Jv, J @ v, rtol=1e-10, atol=1e-12)
    eps = 1e-6  # the directional derivative, from the forward pass alone
    numeric = (evaluate(f, x + eps * v) - evaluate(f, x - eps * v)) / (2 * eps)
    np.testing.assert_allclose(Jv, numeric, rtol=1e-5, atol=1e-7)


def test_jvp_of_a_constant_function_is_zero():
    _, Jv = jvp(lambda x: Tensor(np.ones(2)), np.ones(3), np.ones(3))
    np.testing.assert_array_equal(Jv, np.zeros(2))


def test_jvp_with_tensor_argument_is_differentiable():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    out, Jv = jvp(lambda t: t**3, x, np.array([1.0, 1.0]), create_graph=True)  # 3 x²
    assert isinstance(out, Tensor) and isinstance(Jv, Tensor) and Jv.requires_grad
    np.testing.assert_allclose(Jv.data, 3 * x.data**2)
    Jv.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * x.data)


# ***** the XOR network's Hessian (9 parameters) *****


X_XOR = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y_XOR = np.array([[0.0], [1.0], [1.0], [0.0]])


def xor_loss(p):
    W1, b1 = p[0:4].reshape(2, 2), p[4:6]
    W2, b2 = p[6:8].reshape(2, 1), p[8:9]
    out = ((X_XOR @ W1 + b1).tanh() @ W2 + b2).sigmoid()
    return ((out - Y_XOR) ** 2).mean()


def xor_loss_numpy(p):
    """The same loss in plain NumPy, to check against without the engine."""
    W1, b1, W2, b2 = p[0:4].reshape(2, 2), p[4:6], p[6:8].reshape(2, 1), p[8:9]
    out = 1 / (1 + np.exp(-(np.tanh(X_XOR @ W1 + b1) @ W2 + b2)))
    return np.mean((out - Y_XOR) ** 2)


@given(seed=st.integers(0, 1000))
def test_xor_hessian_over_its_nine_parameters(seed):
    p = np.random.default_rng(seed).normal(size=9)
    H = hessian(xor_loss)(p)
    assert H.shape == (9, 9)
    np.testing.assert_allclose(H, H.T, atol=1e-12)
    np.testing.assert_allclose(grad(xor_loss)(p), numeric_jacobian(xor_loss_numpy, p),
                               rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(H, numeric_jacobian(grad(xor_loss), p, eps=1e-5),
                               rtol=1e-5, atol=1e-9)
    assert "[[" in str(H)  # a learner can print it


def test_xor_hessian_against_second_differences_of_the_numpy_loss():
    p = np.random.default_rng(3).normal(size=9)
    H = hessian(xor_loss)(p)
    eps, numeric = 1e-4, np.zeros((9, 9))
    E = np.eye(9) * eps
    for i in range(9):
        for j in range(9):
            numeric[i, j] = (xor_loss_numpy(p + E[i] + E[j]) - xor_loss_numpy(p + E[i] - E[j])
                             - xor_loss_numpy(p - E[i] + E[j])
                             + xor_loss_numpy(p - E[i] - E[j])) / (4 * eps**2)
    np.testing.assert_allclose(H, numeric, atol=1e-6)


# ***** gradgradcheck *****


GRADGRAD_CASES = {
    "tanh of product": (lambda a, b: (a * b).tanh(), [(3,), (3,)]),
    "matmul sigmoid": (lambda a, b: (a @ b).sigmoid(), [(2, 3), (3, 2)]),
    "broadcast div": (lambda a, b: a / (b * b + 1), [(2, 3), (3,)]),
    "softmax": (lambda a: a.softmax(axis=1), [(2, 4)]),
    "log_softmax": (lambda a: a.log_softmax(axis=0), [(3, 2)]),
    "exp sum mean": (lambda a: a.exp().sum(axis=0) * a.mean(), [(3, 2)]),
    "pow": (lambda a: (a * a + 1) ** 1.5, [(4,)]),
    "index and stack": (lambda a: ag.stack([a[0] * a[1], a[2].exp()]), [(3, 2)]),
}


@pytest.mark.parametrize("name", list(GRADGRAD_CASES))
@given(seed=st.integers(0, 2**16))
def test_gradgradcheck_passes_for_correct_rules(name, seed):
    f, shapes = GRADGRAD_CASES[name]
    rng = np.random.default_rng(seed)
    assert gradgradcheck(f, [rng.normal(size=s) for s in shapes]) is True


def test_gradgradcheck_works_for_values():
    assert gradgradcheck(lambda a, b: (a * b).tanh() + a.exp() / b, [Value(0.3), Value(1.7)])


class _SquareWithFlatRule(Function):
    """x²;  a first-order-correct rule that cuts the second derivative (uses .data)."""

    def forward(self, x):
        return x * x

    def backward(self, g, out, x):
        return g * 2 * ag.extend.data_of(x)


def test_gradgradcheck_catches_a_rule_that_is_not_differentiable():
    x = [np.array([0.5, -1.5])]
    f = lambda t: _SquareWithFlatRule.apply(t)
    assert ag.gradcheck(f, x)  # first order is right ...
    with pytest.raises(GradcheckError, match=r"^gradgradcheck: the second-order gradient"):
        gradgradcheck(f, x)  # ... second order is not
    assert gradgradcheck(f, x, raise_exception=False) is False


def test_gradgradcheck_uses_grad_outputs():
    def f(x):
        return x * x.exp()

    assert gradgradcheck(f, [np.array([0.1, 0.2])], grad_outputs=np.array([1.0, -2.0]))
    with pytest.raises(ValueError, match="v has shape"):
        gradgradcheck(f, [np.array([0.1, 0.2])], grad_outputs=np.ones(3))


def test_gradgradcheck_rejects_a_wrong_return_type():
    with pytest.raises(TypeError, match="gradgradcheck: f must return a Tensor"):
        gradgradcheck(lambda x: 3.0, [np.ones(2)])


# ***** regressions: second-order bugs once found in the engine *****


def test_second_derivative_through_where_second_branch():
    cond = np.array([True, False])
    a = Tensor(np.array([5.0, 5.0]))
    # f(b) = sum(where(cond, a, b)**2) = 25 + b1²: Hessian diag(0, 2)
    H = hessian(lambda b: (ag.where(cond, a, b) ** 2).sum())(np.array([1.0, 2.0]))
    np.testing.assert_allclose(H, np.diag([0.0, 2.0]))


# ***** documentation *****


def test_docs_functional_examples_run():
    result = doctest.testfile(str(DOCS / "functional.md"), module_relative=False,
                              optionflags=doctest.ELLIPSIS)
    assert result.attempted > 20 and result.failed == 0


def test_module_docstring_examples_run():
    for module in (functional, importlib.import_module("autograd_lite.gradcheck")):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_public_names_are_exported():
    for name in ("grad", "value_and_grad", "jacobian", "hessian", "hvp", "vjp", "jvp",
                 "gradgradcheck", "Function"):
        assert name in ag.__all__ and hasattr(ag, name)
        if name not in ("gradgradcheck", "Function"):
            assert getattr(ag, name) is getattr(functional, name)


def test_vjp_of_a_function_of_several_arguments_takes_a_tuple():
    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    out, (ga, gb) = vjp(lambda x, y: x * y, (a, b), np.array([1.0, 10.0]))
    np.testing.assert_allclose(out, a * b)
    np.testing.assert_allclose(ga, [3.0, 40.0])
    np.testing.assert_allclose(gb, [1.0, 20.0])
