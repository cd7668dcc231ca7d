"""User-defined operations (`autograd_lite.Function`, `autograd_lite.extend`), starting with
the worked examples of docs/extending.md, which are run here and then checked."""

import doctest
import pathlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
from autograd_lite import (
    Function,
    Tensor,
    Value,
    extend,
    grad,
    gradcheck,
    gradgradcheck,
    hessian,
    no_grad,
)
from autograd_lite.testing import array_pairs, arrays

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture(scope="module")
def doc():
    """Run every example of docs/extending.md; return the names they define."""
    path = DOCS / "extending.md"
    test = doctest.DocTestParser().get_doctest(path.read_text(encoding="utf-8"),
                                               {"__name__": "extending_md"}, path.name,
                                               str(path), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, clear_globs=False)
    assert runner.failures == 0, "an example in docs/extending.md fails (run it with doctest)"
    assert runner.tries > 20
    return test.globs


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# ***** the softplus example *****


def test_docs_examples_run(doc):
    assert issubclass(doc["Softplus"], Function)


@given(arrays(min_value=-30.0, max_value=30.0, min_dims=0, max_dims=3))
def test_softplus_gradcheck(doc, x):
    assert gradcheck(doc["softplus"], [x])


@given(arrays(min_value=-6.0, max_value=6.0, min_dims=0, max_dims=2))
def test_softplus_gradgradcheck(doc, x):
    assert gradgradcheck(doc["softplus"], [x])


@given(arrays(min_value=-20.0, max_value=20.0, min_dims=1, max_dims=2))
def test_softplus_values_and_derivatives_match_closed_forms(doc, x):
    softplus = doc["softplus"]
    y = softplus(Tensor(x))
    np.testing.assert_allclose(y.data, np.log1p(np.exp(x)), rtol=1e-12)
    s = sigmoid(x)
    d1 = grad(lambda t: softplus(t).sum())
    np.testing.assert_allclose(d1(x), s, rtol=1e-12)
    H = hessian(lambda t: softplus(t).sum())(x.reshape(-1))
    np.testing.assert_allclose(H, np.diag((s * (1 - s)).reshape(-1)), atol=1e-15, rtol=1e-10)


@given(st.floats(-5, 5))
def test_softplus_third_derivative(doc, x):
    s = sigmoid(x)
    d3 = grad(grad(grad(doc["softplus"])))
    np.testing.assert_allclose(d3(x), s * (1 - s) * (1 - 2 * s), rtol=1e-9, atol=1e-15)


def test_softplus_is_stable_at_extreme_inputs(doc):
    x = Tensor(np.array([-1e4, -800.0, 0.0, 800.0, 1e4]), requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        y = doc["softplus"](x)
        y.sum().backward()
    np.testing.assert_allclose(y.data, [0.0, 0.0, np.log(2), 800.0, 1e4])
    np.testing.assert_allclose(x.grad, [0.0, 0.0, 0.5, 1.0, 1.0])


def test_softplus_keeps_float32(doc):
    x = Tensor(np.array([0.5, -2.0], dtype=np.float32), requires_grad=True)
    y = doc["softplus"](x)
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32


def test_softplus_in_the_graph_and_under_no_grad(doc):
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = doc["softplus"](x)
    assert y.grad_fn.name == "softplus" and y.grad_fn.parents == (x,)
    with no_grad():
        z = doc["softplus"](x)
    assert z.is_leaf and not z.requires_grad
    np.testing.assert_array_equal(z.data, y.data)


def test_softplus_drawn_by_draw_graph(doc):
    viz = pytest.importorskip("autograd_lite.viz")
    pytest.importorskip("graphviz")
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True, label="x")
    source = viz.draw_graph(doc["softplus"](x).sum()).source
    assert "softplus" in source and "sum" in source


# ***** the Hypot example: parameters, two inputs, broadcasting *****


@given(array_pairs(min_value=0.5, max_value=3.0), st.floats(0.5, 2.0))
def test_hypot_gradients_with_broadcasting(doc, pair, scale):
    a, b = pair
    f = lambda a, b: doc["Hypot"].apply(a, b, scale=scale)
    assert gradcheck(f, [a, b])
    assert gradgradcheck(f, [a, b])
    ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    f(ta, tb).sum().backward()
    assert ta.grad.shape == a.shape and tb.grad.shape == b.shape


def test_rules_are_told_which_inputs_need_a_gradient():
    asked = []

    class Mul(Function):
        def forward(self, a, b):
            return a * b

        def backward(self, g, out, a, b):
            asked.append(self.needs_input_grad)
            need_a, need_b = self.needs_input_grad
            return (g * b if need_a else None), (g * a if need_b else None)

    a = Tensor(np.array([2.0]), requires_grad=True)
    Mul.apply(a, np.array([3.0])).sum().backward()
    assert asked == [(True, False)]
    np.testing.assert_array_equal(a.grad, [3.0])


# ***** apply: inputs, parameters, names *****


class Double(Function):
    def forward(self, x):
        return 2 * x

    def backward(self, g, out, x):
        return 2 * g


class AddScaled(Function):
    name = "add_scaled"

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def forward(self, a, b):
        return a + self.alpha * b

    def backward(self, g, out, a, b):
        return g, self.alpha * g


def test_apply_turns_numbers_and_arrays_into_constants():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = AddScaled.apply(x, 3.0, alpha=2.0)
    np.testing.assert_array_equal(y.data, [7.0, 8.0])
    assert y.grad_fn.name == "add_scaled" and y.grad_fn.alpha == 2.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])
    z = AddScaled.apply(np.array([1.0]), x, alpha=-1.0)  # the Tensor need not come first
    assert z.requires_grad
    c = Double.apply(np.array([1.0, 2.0]))  # no Tensor at all: a constant Tensor
    assert isinstance(c, Tensor) and not c.requires_grad
    np.testing.assert_array_equal(c.data, [2.0, 4.0])


def test_default_name_is_the_lower_case_class_name():
    y = Double.apply(Tensor([1.0], requires_grad=True))
    assert y.grad_fn.name == "double" and repr(y.grad_fn) == "<double>"


def test_a_rule_may_return_a_number_for_a_0d_input():
    class Square(Function):
        def forward(self, x):
            return x * x

        def backward(self, g, out, x):
            return float(2 * x * g) if np.ndim(x) == 0 and not isinstance(x, Tensor) \
                else 2 * x * g

    x = Tensor(np.array(3.0), requires_grad=True)
    Square.apply(x).backward()
    assert x.grad.shape == () and x.grad == 6.0


def test_forward_errors_name_the_operation_and_shapes():
    class Matvec(Function):
        def forward(self, m, v):
            return m @ v

        def backward(self, g, out, m, v):
            return None, None

    with pytest.raises(ValueError, match=r"matvec: .*shape \(2, 3\).*shape \(2,\)"):
        Matvec.apply(Tensor(np.ones((2, 3))), Tensor(np.ones(2)))


@pytest.mark.parametrize("grads, error, message", [
    (lambda g: g, TypeError, r"bad\.backward returned 1 gradient\(s\) for 2 input\(s\)"),
    (lambda g: (g, g, g), TypeError, r"returned 3 gradient\(s\) for 2 input\(s\)"),
    (lambda g: (g, np.ones(5)), ValueError,
     r"bad\.backward returned a gradient of shape \(5,\) for input 1 of shape \(3,\)"),
    (lambda g: (g, np.ones((2, 3))), ValueError, r"shape \(2, 3\) for input 1 of shape \(3,\)"),
])
def test_backward_that_breaks_the_contract_is_a_clear_error(grads, error, message):
    class Bad(Function):
        def forward(self, a, b):
            return a * b

        def backward(self, g, out, a, b):
            return grads(g)

    a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(error, match=message):
        Bad.apply(a, b).sum().backward()


def test_a_broadcast_shaped_gradient_is_summed_back():
    class Outer(Function):  # out[i, j] = a[i] * b[j]
        def forward(self, a, b):
            return a[:, None] * b[None, :]

        def backward(self, g, out, a, b):
            # a's gradient reduced by hand; b's left in the output's (n, m) shape
            return (g * b[None, :]).sum(axis=1), g * a[:, None]

    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0])
    assert gradcheck(lambda a, b: Outer.apply(a, b), [a, b])
    assert gradgradcheck(lambda a, b: Outer.apply(a, b), [a, b])


def test_values_are_rejected_with_a_clear_error():
    with pytest.raises(TypeError, match=r"Double\.apply: extend\.Function works on Tensors"):
        Double.apply(Value(1.0))
    with pytest.raises(TypeError, match="needs at least one input"):
        Double.apply()


# ***** dual-mode helpers for backward rules *****


HELPERS = {
    "exp": (extend.exp, np.exp, (-3, 3)),
    "log": (extend.log, np.log, (0.2, 3)),
    "sqrt": (extend.sqrt, np.sqrt, (0.2, 3)),
    "tanh": (extend.tanh, np.tanh, (-3, 3)),
    "sigmoid": (extend.sigmoid, sigmoid, (-3, 3)),
    "relu": (extend.relu, lambda x: np.maximum(x, 0), (-3, 3)),
}


@pytest.mark.parametrize("name", list(HELPERS))
@given(data=st.data())
def test_helpers_compute_on_arrays_and_record_on_tensors(name, data):
    helper, reference, (lo, hi) = HELPERS[name]
    x = data.draw(hnp.arrays(np.float64, st.integers(1, 4),
                             elements=st.floats(lo, hi).filter(lambda v: abs(v) > 0.05)))
    raw = helper(x)
    assert isinstance(raw, np.ndarray)
    np.testing.assert_allclose(raw, reference(x), rtol=1e-12)
    t = Tensor(x, requires_grad=True)
    out = helper(t)
    assert isinstance(out, Tensor) and out.requires_grad and out.grad_fn.name == name
    np.testing.assert_allclose(out.data, raw)
    assert gradcheck(helper, [x])


def test_where_records_when_only_the_second_branch_is_a_tensor():
    cond = np.array([True, False, True])
    b = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    out = extend.where(cond, 0.0, b)
    assert isinstance(out, Tensor) and out.requires_grad
    np.testing.assert_array_equal(out.data, [0.0, 2.0, 0.0])
    (out * out).sum().backward()
    np.testing.assert_array_equal(b.grad, [0.0, 4.0, 0.0])
    np.testing.assert_array_equal(extend.where(cond, np.ones(3), 0.0), [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(extend.where(Tensor(cond), 1.0, np.zeros(3)), [1, 0, 1])


def test_a_rule_with_a_mask_from_data_of_has_correct_second_derivatives():
    class LeakyRelu(Function):
        def forward(self, x):
            return np.where(x > 0, x, 0.1 * x)

        def backward(self, g, out, x):
            return extend.where(extend.data_of(x) > 0, g, 0.1 * g)  # the mask is a constant

    f = lambda t: LeakyRelu.apply(t * t * t)
    x = [np.array([-1.5, -0.3, 0.4, 2.0])]
    assert gradcheck(f, x) and gradgradcheck(f, x)


def test_extend_module_exports():
    assert ag.Function is extend.Function
    assert set(extend.__all__) == {"Function", "exp", "log", "sqrt", "tanh", "sigmoid", "relu",
                                   "where", "data_of"}
    result = doctest.testmod(extend, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 5 and result.failed == 0
