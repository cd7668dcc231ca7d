"""Public bug reports of other autodiff engines, replayed against autograd-lite.

Each test replays one report (micrograd, tinygrad, PyTorch, JAX, HIPS autograd, MXNet,
TensorFlow, Chainer, ...) on `Value`, `Tensor` or `nn`, and checks the answer against an
oracle that does not come from this engine: a closed form, central finite differences, or
PyTorch in float64 (those tests are skipped when torch is not installed). The first line
of each docstring names the engine and the report.
"""

import copy
import gc
import math
import pickle
import sys
import weakref

import numpy as np
import pytest

import nn
from autograd_lite import (GraphReleasedError, ModifiedInPlaceError, Tensor, Value, cat,
                           cumprod, maximum, minimum, no_grad, stack, where)

INF = float("inf")


def leaf(values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


def torch_or_skip():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle: pip install torch==2.13.0")
    torch.set_default_dtype(torch.float64)
    return torch


@pytest.fixture(autouse=True)
def _torch_default_dtype_restored():
    """torch_or_skip changes PyTorch's global default dtype: put it back after each test,
    so that other files' PyTorch oracles see float32 in any test order."""
    torch = sys.modules.get("torch")
    before = torch.get_default_dtype() if torch is not None else None
    yield
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_default_dtype(before or torch.float32)


def finite_differences(f, x, eps=1e-6):
    """Central differences of the float function `f` at the float64 array `x`."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        grad[i] = (f(up) - f(down)) / (2 * eps)
    return grad


def ours_and_torch(f_ours, f_torch, *values):
    """The output and input gradients of the same function in both engines (float64)."""
    torch = torch_or_skip()
    xs = [leaf(v) for v in values]
    out = f_ours(*xs)
    out.backward()
    ts = [torch.tensor(np.array(v, dtype=np.float64), requires_grad=True) for v in values]
    tout = f_torch(*ts)
    tout.backward()
    ours = [np.asarray(out.data)] + [x.grad for x in xs]
    theirs = [tout.detach().numpy()] + [t.grad.numpy() for t in ts]
    return ours, theirs


def assert_same(ours, theirs):
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, equal_nan=True)


# ***** micrograd and its descendants (the Value engine) *****


def test_micrograd_exp_backward_uses_the_output():
    """micrograd (https://github.com/karpathy/nn-zero-to-hero/issues/52): is exp's local
    gradient exp(x) (the output) or x? It is exp(x), for Value and Tensor."""
    x = Value(1.7)
    x.exp().backward()
    assert math.isclose(x.grad, math.exp(1.7), rel_tol=1e-14)
    t = leaf([-2.0, 0.5, 3.0])
    t.exp().sum().backward()
    np.testing.assert_allclose(t.grad, finite_differences(lambda a: np.exp(a).sum(), t.data),
                               rtol=1e-8)


def test_micrograd_subtraction_gives_the_second_operand_minus_one():
    """micrograd (https://github.com/karpathy/micrograd/pull/58 and
    https://github.com/KhawajaAbaid/micrograd_c/issues/1): `a - b` must give b the gradient
    -1, not +1."""
    a, b = Value(5.0), Value(3.0)
    (a - b).backward()
    assert (a.grad, b.grad) == (1.0, -1.0)
    c = Value(2.0)
    (1.0 - c).backward()  # __rsub__
    assert c.grad == -1.0
    ta, tb = leaf([5.0, 1.0]), leaf([3.0, 2.0])
    (ta - tb).sum().backward()
    np.testing.assert_array_equal(tb.grad, [-1.0, -1.0])


def test_micrograd_abs_at_zero_has_subgradient_zero():
    """micrograd_c (https://github.com/KhawajaAbaid/micrograd_c/issues/4): |x| at x = 0 gave
    gradient 1; the subgradient 0 (PyTorch's) is the answer, for Value and Tensor."""
    v = Value(0.0)
    abs(v).backward()
    assert v.grad == 0.0
    t = leaf([0.0, -2.0, 3.0])
    t.abs().sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, -1.0, 1.0])


def test_micrograd_reusing_a_node_accumulates_instead_of_overwriting():
    """micrograd (the lecture's `=` instead of `+=` bug, https://github.com/karpathy/micrograd):
    b = a + a must give a.grad = 2, a * a must give 2a."""
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0
    t = leaf([3.0, -1.0])
    (t + t + t * t).sum().backward()
    np.testing.assert_array_equal(t.grad, 2 + 2 * t.data)


def test_micrograd_second_backward_is_refused_or_exactly_doubles():
    """micrograd (https://github.com/karpathy/micrograd/pull/102): calling backward twice
    accumulated into interior nodes too, so the leaves' second gradient was wrong. Here the
    second pass is refused unless the graph was retained, and then adds exactly once more."""
    def graph():
        a, b = Value(0.4), Value(-1.3)
        return a, b, (a * b + a).tanh() * a

    a, b, y = graph()
    y.backward()
    first = (a.grad, b.grad)
    with pytest.raises(GraphReleasedError):
        y.backward()
    a, b, y = graph()
    y.backward(retain_graph=True)
    y.backward()
    assert (a.grad, b.grad) == pytest.approx((2 * first[0], 2 * first[1]), rel=1e-14)
    f = lambda p: math.tanh(p[0] * p[1] + p[0]) * p[0]  # noqa: E731
    np.testing.assert_allclose(first, finite_differences(f, [0.4, -1.3]), rtol=1e-8)


def test_micrograd_value_of_a_value_is_not_nested():
    """micrograd (https://github.com/karpathy/micrograd/pull/16): Value(Value(2.0)) nested
    one Value inside another, and the maintainer preferred checking that data is a number.
    Here the number is taken out, and what is not a float-sized number is refused by name."""
    v = Value(Value(2.0))
    assert v.data == 2.0 and isinstance(v.data, float)
    with pytest.raises(TypeError, match=r"Value: expected a real number, got str"):
        Value("2.0")
    with pytest.raises(OverflowError, match=r"Value: the number .*401 digits.*too large"):
        Value(10 ** 400)
    with pytest.raises(OverflowError, match=r"Value \*: the number"):
        Value(1.0) * 10 ** 400


def test_micrograd_pow_and_rpow_with_value_exponents():
    """micrograd (https://github.com/karpathy/micrograd, `__pow__` supports only int/float
    exponents; `2 ** v` missing): a ** b with both Values, and 2 ** b, against closed forms."""
    a, b = Value(2.0), Value(3.0)
    (a ** b).backward()
    assert a.grad == pytest.approx(3 * 2.0 ** 2) and b.grad == pytest.approx(8 * math.log(2))
    c = Value(3.0)
    out = 2 ** c
    out.backward()
    assert out.data == 8.0 and c.grad == pytest.approx(8 * math.log(2))


# ***** tinygrad *****


def test_tinygrad_equal_constants_are_separate_leaves():
    """tinygrad (https://github.com/tinygrad/tinygrad/issues/9597): two tensors made from the
    same number were treated as one, so w1 + w2 gave each the gradient 2."""
    w1, w2 = Tensor(3.0, requires_grad=True), Tensor(3.0, requires_grad=True)
    (w1 + w2).backward()
    assert w1.grad == 1.0 and w2.grad == 1.0
    v1, v2 = Value(3.0), Value(3.0)
    (v1 + v2).backward()
    assert v1.grad == 1.0 and v2.grad == 1.0


def test_tinygrad_max_backward_does_not_underflow_with_many_ties():
    """tinygrad (https://github.com/tinygrad/tinygrad/issues/12296): max of 70000 equal
    values gave each the gradient 0 (counted in a low precision); each must get 1/70000."""
    t = Tensor(np.ones(70000, dtype=np.float32), requires_grad=True)
    t.max().backward()
    assert t.grad.dtype == np.float32
    np.testing.assert_allclose(t.grad, 1 / 70000, rtol=1e-6)
    assert math.isclose(float(t.grad.astype(np.float64).sum()), 1.0, rel_tol=1e-5)


def test_tinygrad_comparisons_inside_a_differentiated_expression():
    """tinygrad (https://github.com/tinygrad/tinygrad/pull/3037): (t * (t < 0)).sum()
    failed in backward; the comparison is a constant mask, so d/dt = the mask."""
    t = leaf([-1.5, 0.5, -0.1, 2.0])
    (t * (t < 0)).sum().backward()
    np.testing.assert_array_equal(t.grad, [1.0, 0.0, 1.0, 0.0])


def test_tinygrad_pow_of_a_negative_base_by_a_constant_exponent():
    """tinygrad (https://github.com/tinygrad/tinygrad/issues/155): x ** y computed log(x) for
    y's gradient even when y needs none, warning and risking nan for negative x."""
    x = leaf([-2.0, -0.5, 3.0])
    with np.errstate(all="raise"):
        (x ** 3).sum().backward()
    np.testing.assert_allclose(x.grad, 3 * x.data ** 2, rtol=1e-14)
    v = Value(-2.0)
    (v ** 3).backward()
    assert v.grad == 12.0


def test_tinygrad_pow_backward_at_zero_base():
    """tinygrad (https://github.com/tinygrad/tinygrad/pull/9075): pow's backward at base 0
    gave nan; d(0**2)/dx = 0, d(0**1)/dx = 1, and d(0**y)/dy = 0 for y > 0."""
    ours, theirs = ours_and_torch(lambda x, y: (x ** y).sum(), lambda x, y: (x ** y).sum(),
                                  [0.0, 0.0, 0.0], [2.0, 1.0, 3.0])
    assert_same(ours, theirs)
    np.testing.assert_array_equal(ours[1], [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(ours[2], [0.0, 0.0, 0.0])


def test_tinygrad_prod_gradient_at_zeros():
    """tinygrad (https://github.com/tinygrad/tinygrad/pull/17404): prod's backward used
    out / x, nan at a zero; [0, 2, 3] must give [6, 0, 0], and two zeros give all zeros."""
    x = leaf([0.0, 2.0, 3.0])
    x.prod().backward()
    np.testing.assert_array_equal(x.grad, [6.0, 0.0, 0.0])
    y = leaf([0.0, 0.0, 3.0])
    y.prod().backward()
    np.testing.assert_array_equal(y.grad, [0.0, 0.0, 0.0])


def test_tinygrad_sigmoid_backward_for_large_negative_inputs():
    """tinygrad (https://github.com/tinygrad/tinygrad/pull/1113): sigmoid's backward went
    through exp and gave nan for large negative inputs (inf * 0); the gradient is s(1 - s)."""
    x = leaf([-1000.0, -100.0, -30.0, 0.0, 30.0, 1000.0])
    with np.errstate(all="raise"):
        x.sigmoid().sum().backward()
    s = np.array([0.0, math.exp(-100), 1 / (1 + math.exp(30)), 0.5, 1 / (1 + math.exp(-30)),
                  1.0])
    np.testing.assert_allclose(x.grad, s * (1 - s), rtol=1e-12, atol=1e-300)
    v = Value(-1000.0)
    v.sigmoid().backward()
    assert v.grad == 0.0


def test_tinygrad_max_with_nan_puts_the_gradient_on_the_nan():
    """tinygrad (https://github.com/tinygrad/tinygrad/pull/1298) and PyTorch's amax: max of
    an array holding nan is nan; the gradient goes to the nan elements (was nan everywhere)."""
    ours, theirs = ours_and_torch(lambda x: x.max(), lambda x: x.max(),
                                  [np.nan, 1.0, 5.0])
    assert_same(ours, theirs)
    np.testing.assert_array_equal(ours[1], [1.0, 0.0, 0.0])
    x = leaf([[np.nan, 2.0, np.nan], [1.0, 3.0, 3.0]])
    x.min(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.5, 0.0, 0.5], [1.0, 0.0, 0.0]])


def test_tinygrad_differentiable_setitem_fills_a_result_in_a_loop():
    """tinygrad (https://github.com/tinygrad/tinygrad/issues/4574): `y_pred[:, i] = model()`
    in a loop, then a loss on y_pred; each assigned column must carry its gradient."""
    torch = torch_or_skip()
    rng = np.random.default_rng(0)
    w0, x0 = rng.standard_normal((3, 3)), rng.standard_normal((2, 3))
    w, x = leaf(w0), Tensor(x0)
    y_pred = Tensor(np.zeros((2, 4)))
    h = x
    for i in range(4):
        h = (h @ w).tanh()
        y_pred[:, i] = h.sum(axis=1)
    ((y_pred - 1.0) ** 2).mean().backward()
    tw, th = torch.tensor(w0, requires_grad=True), torch.tensor(x0)
    tpred = torch.zeros((2, 4))
    for i in range(4):
        th = (th @ tw).tanh()
        tpred[:, i] = th.sum(dim=1)
    ((tpred - 1.0) ** 2).mean().backward()
    np.testing.assert_allclose(y_pred.data, tpred.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.grad, tw.grad.numpy(), rtol=1e-10)


# ***** PyTorch *****


def test_pytorch_prod_gradient_with_zero_inputs():
    """PyTorch (https://github.com/pytorch/pytorch/issues/773): prod's gradient gave nan or
    inf where the input has zeros; per row, the product of the other elements."""
    ours, theirs = ours_and_torch(lambda x: x.prod(dim=1).sum(), lambda x: x.prod(1).sum(),
                                  [[2.0, 0.0, 4.0], [0.0, 0.0, 5.0], [1.0, 2.0, 3.0]])
    assert_same(ours, theirs)
    np.testing.assert_array_equal(ours[1], [[0.0, 8.0, 0.0], [0.0, 0.0, 0.0], [6.0, 3.0, 2.0]])


def test_pytorch_prod_of_a_single_zero_along_a_dim():
    """PyTorch (https://github.com/pytorch/pytorch/issues/82644): prod(0) of tensor([0.])
    failed in backward with a shape error; d/dx of a one-element product is 1."""
    x = leaf([0.0])
    x.prod(dim=0).backward()
    np.testing.assert_array_equal(x.grad, [1.0])


def test_pytorch_norm_of_zeros_has_gradient_zero():
    """PyTorch (https://github.com/pytorch/pytorch/issues/2421), HIPS autograd
    (https://github.com/HIPS/autograd/issues/151): the 2-norm of zeros gave a nan gradient;
    the subgradient 0 is the convention (and the gradient stays finite)."""
    x = leaf([0.0, 0.0, 0.0])
    x.norm().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])
    rows = leaf([[0.0, 0.0], [3.0, 4.0]])
    rows.norm(dim=1).sum().backward()
    np.testing.assert_allclose(rows.grad, [[0.0, 0.0], [0.6, 0.8]], rtol=1e-15)


def test_pytorch_squared_norm_at_zero_is_two_x():
    """JAX (https://github.com/jax-ml/jax/issues/4177, #21723), HIPS autograd
    (https://github.com/HIPS/autograd/issues/183, #586): norm(x) ** 2 at x = 0 gave nan; its
    gradient is 2x = 0 (and 2x elsewhere)."""
    for values in ([0.0, 0.0], [1.0, -2.0]):
        x = leaf(values)
        (x.norm() ** 2).backward()
        np.testing.assert_allclose(x.grad, 2 * np.array(values), atol=1e-15)


def test_pytorch_logsumexp_of_all_minus_inf_gives_zero_gradient():
    """PyTorch (https://github.com/pytorch/pytorch/issues/31829), JAX
    (https://github.com/jax-ml/jax/issues/6811): logsumexp([-inf, -inf]) is -inf, and its
    gradient was nan; adding a finite amount to a -inf input changes nothing, so it is 0."""
    x = leaf([-INF, -INF])
    out = x.logsumexp(0)
    out.backward()
    assert out.item() == -INF
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    shift = Tensor(1.0, requires_grad=True)  # JAX's example: lse([-inf, -inf + x])
    stack([Tensor(-INF), Tensor(-INF) + shift]).logsumexp(0).backward()
    assert shift.grad == 0.0


def test_pytorch_logsumexp_stays_associative_with_infinities():
    """PyTorch (https://github.com/pytorch/pytorch/issues/49724): lse(lse(-inf, -inf), 2)
    equals lse(-inf, -inf, 2) = 2, but its gradient was nan instead of [0, 0, 1]; and
    lse([x, inf]) gave (0, nan)."""
    a, two = leaf([-INF, -INF]), leaf([2.0])
    nested = cat([a.logsumexp(0).reshape(1), two]).logsumexp(0)
    nested.backward()
    assert nested.item() == 2.0
    np.testing.assert_array_equal(a.grad, [0.0, 0.0])
    np.testing.assert_array_equal(two.grad, [1.0])
    b = leaf([1.0, INF])
    b.logsumexp(0).backward()
    np.testing.assert_array_equal(b.grad, [0.0, 0.0])
    finite = leaf([-INF, 0.0, np.log(3.0)])  # a finite result: the softmax, -inf gets 0
    finite.logsumexp(0).backward()
    np.testing.assert_allclose(finite.grad, [0.0, 0.25, 0.75], rtol=1e-15)


def test_pytorch_logsigmoid_and_log_softmax_at_minus_inf():
    """PyTorch (https://github.com/pytorch/pytorch/issues/31829): logsigmoid and log_softmax
    at -inf entries gave nan gradients; they are finite (PyTorch's current answers)."""
    ours, theirs = ours_and_torch(lambda x: nn.functional.logsigmoid(x).sum(),
                                  lambda x: __import__("torch").nn.functional.logsigmoid(x).sum(),
                                  [-INF, 0.0, 5.0])
    assert_same(ours, theirs)
    weights = np.array([1.0, 2.0, 3.0])
    ours, theirs = ours_and_torch(
        lambda x: (x.log_softmax(0) * Tensor(weights)).sum(),
        lambda x: (x.log_softmax(0) * __import__("torch").tensor(weights)).sum(),
        [-INF, 0.0, 1.0])
    assert_same(ours, theirs)
    assert np.isfinite(ours[1]).all()


def test_pytorch_maximum_of_equal_values_splits_the_gradient():
    """PyTorch (https://github.com/pytorch/pytorch/issues/56734): maximum(a, b) gave the
    whole gradient to one input where a == b; it splits evenly, as max and amax do."""
    ours, theirs = ours_and_torch(lambda a, b: maximum(a, b).sum(),
                                  lambda a, b: __import__("torch").maximum(a, b).sum(),
                                  [1.0, 2.0, 3.0], [1.0, 5.0, 3.0])
    assert_same(ours, theirs)
    np.testing.assert_array_equal(ours[1], [0.5, 0.0, 0.5])
    a, b = leaf([1.0, 4.0]), leaf([1.0, 2.0])
    minimum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 0.0])
    np.testing.assert_array_equal(b.grad, [0.5, 1.0])


def test_pytorch_max_reduction_distributes_ties_evenly():
    """PyTorch (https://github.com/pytorch/pytorch/pull/43519), MXNet
    (https://github.com/apache/mxnet/issues/18563): max over tied elements gave each of them
    the full gradient (or only the first); each of k ties gets 1/k, so the total stays 1."""
    x = Tensor(np.ones((4, 3)), requires_grad=True)
    x.max(axis=0).sum().backward()
    np.testing.assert_allclose(x.grad, np.full((4, 3), 0.25))
    y = leaf([1.0, 3.0, 3.0])
    y.max().backward()
    np.testing.assert_array_equal(y.grad, [0.0, 0.5, 0.5])


def test_pytorch_clamp_passes_the_gradient_at_its_bounds():
    """PyTorch (https://github.com/pytorch/pytorch/issues/7002, PR #7049): clamp killed the
    gradient of values equal to min or max; it passes there (PyTorch's subgradient 1)."""
    ours, theirs = ours_and_torch(lambda x: x.clip(0.0, 1.0).sum(),
                                  lambda x: x.clamp(0.0, 1.0).sum(),
                                  [0.0, 1.0, 0.5, -0.5, 2.0])
    assert_same(ours, theirs)
    np.testing.assert_array_equal(ours[1], [1.0, 1.0, 1.0, 0.0, 0.0])


def test_pytorch_sqrt_of_a_square_is_nan_at_zero_but_abs_is_not():
    """PyTorch (https://github.com/pytorch/pytorch/issues/6394): sqrt((x - 1) ** 2) has a
    nan gradient at x = 1 (0 times sqrt's infinite slope) while |x - 1| gives 0; the
    engine agrees with PyTorch on both, so the nan is visible, never a wrong number."""
    torch = torch_or_skip()
    with np.errstate(divide="ignore", invalid="ignore"):
        ours, theirs = ours_and_torch(lambda x: ((x - 1) ** 2).sqrt().sum(),
                                      lambda x: ((x - 1) ** 2).sqrt().sum(), [1.0, 3.0])
    assert_same(ours, theirs)
    assert np.isnan(ours[1][0]) and ours[1][1] == 1.0
    x = leaf([1.0])
    (x - 1).abs().sum().backward()
    tx = torch.tensor([1.0], requires_grad=True)
    (tx - 1).abs().sum().backward()
    assert x.grad[0] == tx.grad.item() == 0.0


def test_pytorch_indexing_with_repeated_indices_adds_up():
    """PyTorch (https://github.com/pytorch/pytorch/issues/1528): y[[0, 0]] kept only the
    last copy's gradient; every copy adds its own."""
    y = leaf([1.0])
    dup = y[[0, 0]]
    dup[0].backward()
    np.testing.assert_array_equal(y.grad, [1.0])
    z = leaf([1.0, 2.0, 3.0])
    (z[[0, 0, 2, 0]] * Tensor([1.0, 10.0, 100.0, 1000.0])).sum().backward()
    np.testing.assert_array_equal(z.grad, [1011.0, 0.0, 100.0])
    m = leaf([[1.0, 2.0], [3.0, 4.0]])
    m[[0, 0, 1], [1, 1, 0]].sum().backward()
    np.testing.assert_array_equal(m.grad, [[0.0, 2.0], [1.0, 0.0]])


def test_pytorch_index_backward_with_an_index_array_of_rows():
    """PyTorch (https://github.com/pytorch/pytorch/issues/828): indexing rows with a
    LongTensor lost the gradient in backward (copied into a temporary); rows 0 and 2 get it."""
    x = leaf(np.arange(15.0).reshape(3, 5))
    g = np.arange(10.0).reshape(2, 5)
    x[np.array([0, 2])].backward(g)
    expected = np.zeros((3, 5))
    expected[[0, 2]] = g
    np.testing.assert_array_equal(x.grad, expected)


def test_pytorch_setitem_of_a_row_with_an_extra_leading_axis():
    """PyTorch (https://github.com/pytorch/pytorch/pull/988): y[1] = x with x of shape
    (1, 20) gave x a gradient of shape (20,); it must keep x's shape."""
    rng = np.random.default_rng(1)
    x = leaf(rng.standard_normal((1, 20)))
    y = Tensor(np.zeros((10, 20)))
    y[1] = x
    g = rng.standard_normal((10, 20))
    y.backward(g)
    assert x.grad.shape == (1, 20)
    np.testing.assert_array_equal(x.grad, g[1:2])


def test_pytorch_setitem_on_a_result_overwrites_its_gradient():
    """PyTorch (https://github.com/pytorch/pytorch/issues/61946): a = t * t; a[0] = value;
    a.sum() gives t.grad = [0, 4, 6, 8] (the overwritten element no longer depends on t)
    and value.grad = [1]."""
    t, value = leaf([1.0, 2.0, 3.0, 4.0]), leaf([5.0])
    a = t * t
    a[0] = value
    a.sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, 4.0, 6.0, 8.0])
    np.testing.assert_array_equal(value.grad, [1.0])
    np.testing.assert_array_equal(a.data, [5.0, 4.0, 9.0, 16.0])


def test_pytorch_setitem_with_repeated_indices_keeps_the_last_write():
    """PyTorch (https://github.com/pytorch/pytorch/issues/146299): index_put with repeated
    indices gave every duplicate a gradient though only one value was kept; here the last
    write stays, and only it gets the gradient (checked by finite differences)."""
    base, v = leaf([1.0, 2.0, 3.0]), leaf([10.0, 20.0, 30.0])
    y = base * 1
    y[[0, 0, 2]] = v
    weights = np.array([1.0, 2.0, 3.0])
    (y * Tensor(weights)).sum().backward()
    np.testing.assert_array_equal(y.data, [20.0, 2.0, 30.0])

    def loss(vv):
        out = np.array([1.0, 2.0, 3.0])
        out[0], out[2] = vv[1], vv[2]  # the assignments in order: the second write to 0 stays
        return (out * weights).sum()

    np.testing.assert_allclose(v.grad, finite_differences(loss, v.data), atol=1e-8)
    np.testing.assert_array_equal(base.grad, [0.0, 2.0, 0.0])


def test_pytorch_setitem_reading_its_own_target():
    """PyTorch (setitem of a value computed from the same tensor, as in `x[0] = x[1] * 5`,
    https://github.com/pytorch/pytorch/issues/61946): the value must use the old contents,
    and backward must not loop through the new tensor."""
    ours, theirs = [], []
    torch = torch_or_skip()
    x, tx = leaf([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y, ty = x * 1, tx * 1
    y[0] = y[1] * 5
    ty[0] = ty[1] * 5
    (y * Tensor([1.0, 2.0, 3.0])).sum().backward()
    (ty * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    ours, theirs = [y.data, x.grad], [ty.detach().numpy(), tx.grad.numpy()]
    assert_same(ours, theirs)


def test_mxnet_setitem_while_recording_is_clear_about_leaves():
    """MXNet (https://github.com/apache/mxnet/pull/10844): assigning into an array while
    recording gave a confusing 'not in a computational graph' error. A leaf that requires
    grad is refused with a message that says what to do; inside no_grad it is written."""
    w = Tensor(np.ones(3), requires_grad=True, label="w")
    with pytest.raises(RuntimeError, match=r"setitem.*'w'.*leaf.*no_grad"):
        w[1] = 5.0
    with no_grad():
        w[1] = 5.0
    np.testing.assert_array_equal(w.data, [1.0, 5.0, 1.0])
    b = Tensor(np.arange(4.0).reshape(2, 2))
    with pytest.raises(ValueError, match=r"setitem.*\(3,\).*\(2, 2\)"):
        b[0] = np.ones(3)


def test_pytorch_in_place_change_of_saved_data_is_refused():
    """PyTorch (https://github.com/pytorch/pytorch/issues/31258): in-place changes through
    views could give silently wrong gradients. Here backward refuses data that changed after
    the forward pass used it, including through a view or a setitem."""
    w = leaf([1.0, 2.0])
    loss = (w * w).sum()
    with no_grad():
        w[:1] += 1  # through a view
    with pytest.raises(ModifiedInPlaceError):
        loss.backward()
    h = leaf([1.0, 2.0]) * 1
    loss = (h * h).sum()
    h[0] = 7.0
    with pytest.raises(ModifiedInPlaceError):
        loss.backward()


def test_pytorch_hook_changing_its_gradient_in_place_is_refused():
    """PyTorch (hooks must not modify their argument; https://github.com/pytorch/pytorch/issues/60456
    shows how shared gradients confuse): with y = (a + b) * c, a hook doing `g *= 2` on a
    also doubled b's gradient. Here it raises; returning `g * 2` changes only a."""
    def run(hook):
        a, b = leaf([1.0, 2.0]), leaf([1.0, 2.0])
        a.register_hook(hook)
        ((a + b) * Tensor([1.0, 1.0])).sum().backward()
        return a.grad, b.grad

    with pytest.raises(ValueError, match=r"in place.*g \* 2"):
        run(lambda g: g.__imul__(2))
    ga, gb = run(lambda g: g * 2)
    np.testing.assert_array_equal(ga, [2.0, 2.0])
    np.testing.assert_array_equal(gb, [1.0, 1.0])


def test_pytorch_hook_modified_gradient_reaches_the_optimizer():
    """PyTorch (https://github.com/pytorch/pytorch/issues/2843): a gradient replaced by a
    leaf's hook must be the one the optimizer uses."""
    a = nn.Parameter(np.array([2.0]))
    a.register_hook(lambda g: g * 10)
    opt = nn.SGD([a], lr=0.01)
    loss = ((a * 4.0 - 7.0) ** 2).sum()
    loss.backward()
    np.testing.assert_allclose(a.grad, [10 * 2 * (8.0 - 7.0) * 4.0])
    opt.step()
    np.testing.assert_allclose(a.data, [2.0 - 0.01 * 80.0])


# ***** JAX, HIPS autograd, MXNet, TensorFlow, PaddlePaddle, Stan, tfjs, ... *****


def test_jax_elu_gradient_for_large_positive_inputs():
    """JAX (https://github.com/jax-ml/jax/pull/1538): elu's gradient was nan for large
    positive inputs (expm1 overflow in the unselected where branch); it is 1 there."""
    x = leaf([1000.0, 50.0, -1.0, -1000.0])
    with np.errstate(all="raise"):
        nn.functional.elu(x).sum().backward()
    np.testing.assert_allclose(x.grad, [1.0, 1.0, math.exp(-1.0), 0.0], rtol=1e-14)


def test_jax_where_with_an_unsafe_branch_and_the_double_where_idiom():
    """tinygrad (https://github.com/tinygrad/tinygrad/pull/15806), JAX (double where): the
    unselected sqrt branch of where(x > 0, sqrt(x), 0) makes the gradient nan at x < 0, as
    in PyTorch; the double-where idiom gives the true gradient 0."""
    x = leaf([-1.0, 4.0])
    safe = where(x > 0, x, 1.0)  # the inner where keeps sqrt in its domain
    where(x > 0, safe.sqrt(), 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.25])
    torch = torch_or_skip()
    with np.errstate(invalid="ignore", divide="ignore"):  # sqrt(-1) in the unused branch
        ours, theirs = ours_and_torch(
            lambda t: where(t > 0, t.sqrt(), 0.0).sum(),
            lambda t: torch.where(t > 0, t.sqrt(), torch.tensor(0.0)).sum(), [-1.0, 4.0])
    assert_same(ours, theirs)


def test_mxnet_prod_gradient_with_a_zero():
    """MXNet (https://github.com/apache/mxnet/issues/17864): prod over [[4, 0]] gave the
    gradient [[0, nan]] (out / x); the product of the others is [[0, 4]]."""
    x = leaf([[4.0, 0.0]])
    x.prod(dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 4.0]])


def test_tensorflow_cumprod_gradient_with_zeros():
    """TensorFlow (https://github.com/tensorflow/tensorflow/issues/3862): cumprod's gradient
    was nan given zeros; checked against finite differences, one and two zeros."""
    for values in ([0.0], [2.0, 0.0, 4.0, 3.0], [2.0, 0.0, 4.0, 0.0, 5.0]):
        x = leaf(values)
        weights = np.arange(1.0, len(values) + 1)
        (cumprod(x, 0) * Tensor(weights)).sum().backward()
        expected = finite_differences(lambda a, w=weights: (np.cumprod(a) * w).sum(), values)
        np.testing.assert_allclose(x.grad, expected, atol=1e-7)


def test_burn_prod_along_a_dim_with_zeros_per_lane():
    """burn (https://github.com/tracel-ai/burn/issues/5533): prod and prod_dim produced nan
    for zero inputs; [2, 0, 3, 4] gives [0, 24, 0, 0], each lane on its own."""
    x = leaf([[2.0, 0.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 0.0, 2.0]])
    x.prod(dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 24.0, 0.0, 0.0], [24.0, 12.0, 8.0, 6.0],
                                           [0.0, 0.0, 0.0, 0.0]])


def test_tfjs_pow_gradient_with_respect_to_the_exponent_at_zero_and_negative_bases():
    """tfjs (https://github.com/tensorflow/tfjs/issues/346): d(0 ** y)/dy was nan (0 is
    right for y > 0); for a negative base it is nan (log of a negative), as in PyTorch."""
    with np.errstate(invalid="ignore"):
        ours, theirs = ours_and_torch(lambda x, y: (x ** y).sum(),
                                      lambda x, y: (x ** y).sum(),
                                      [0.0, -2.0, 3.0], [2.0, 2.0, 2.0])
    assert_same(ours, theirs)
    assert ours[2][0] == 0.0 and np.isnan(ours[2][1])
    assert ours[2][2] == pytest.approx(9 * math.log(3))


def test_paddle_pow_zero_to_the_zero():
    """PaddlePaddle (https://github.com/PaddlePaddle/Paddle/issues/45054): the gradients of
    pow(0, 0) differed from PyTorch's, which are 0 for both the base and the exponent."""
    ours, theirs = ours_and_torch(lambda x, y: (x ** y).sum(), lambda x, y: (x ** y).sum(),
                                  [0.0], [0.0])
    assert_same(ours, theirs)
    assert ours[0] == 1.0 and ours[1][0] == 0.0 and ours[2][0] == 0.0
    v, e = Value(0.0), Value(0.0)
    (v ** e).backward()
    assert (v.grad, e.grad) == (0.0, 0.0)


def test_stan_pow_derivative_in_the_base_at_zero():
    """Stan math (https://github.com/stan-dev/math/issues/3031): d pow(0, e)/d base must be
    0 for e > 1, 1 for e = 1, inf for 0 < e < 1, 0 for e = 0 and -inf for e < 0."""
    x = leaf([0.0, 0.0, 0.0, 0.0, 0.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        (x ** Tensor([2.0, 1.0, 0.5, 0.0, -1.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, INF, 0.0, -INF])


def test_ttmetal_pow_with_exponent_zero_has_zero_gradient():
    """tt-metal (https://github.com/tenstorrent/tt-metal/issues/5082): pow(x, 0) gave a nan
    gradient where PyTorch gives 0 (x ** 0 is the constant 1), also at x = 0."""
    x = leaf([0.0, -3.0, 2.5])
    (x ** 0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])
    v = Value(0.0)
    (v ** 0).backward()
    assert v.grad == 0.0


def test_candle_and_burn_sigmoid_gradient_is_zero_not_nan_far_out():
    """candle (https://github.com/huggingface/candle/pull/1722), burn
    (https://github.com/tracel-ai/burn/issues/1139): sigmoid's gradient was nan for inputs
    such as -90 or -548 in float32; it is s(1 - s), 0 far out, in float32 too."""
    x = Tensor(np.array([-548.3162, -201.7, -90.0, -10.0, 0.0, 10.0, 548.3],
                        dtype=np.float32), requires_grad=True)
    with np.errstate(all="raise"):
        x.sigmoid().sum().backward()
    s = 1 / (1 + np.exp(-x.data.astype(np.float64)))
    assert np.isfinite(x.grad).all()
    # float32: 1 - s loses digits near s = 1 (PyTorch's float32 gradient is the same)
    np.testing.assert_allclose(x.grad, s * (1 - s), rtol=1e-3, atol=1e-12)


def test_dynet_sigmoid_values_on_large_inputs():
    """DyNet (https://github.com/clab/dynet/issues/1525): sigmoid gave nan or 0.5 on large
    inputs; it is 0 or 1 there, and tanh is -1 or 1, for Tensor and Value."""
    x = Tensor(np.array([-1662.7, 3212.5, 88.0, 89.0, 0.0, -0.5]))
    np.testing.assert_allclose(x.sigmoid().data,
                               [0.0, 1.0, 1.0, 1.0, 0.5, 1 / (1 + math.exp(0.5))], rtol=1e-6)
    np.testing.assert_allclose(x.tanh().data, np.tanh(x.data))
    assert Value(-1662.7).sigmoid().data == 0.0 and Value(3212.5).tanh().data == 1.0


def test_tensorflow_logsumexp_of_minus_inf_is_minus_inf():
    """TensorFlow (https://github.com/tensorflow/tensorflow/issues/11692), and
    https://github.com/rmcgibbo/logsumexp/issues/2: logsumexp(-inf) gave nan instead of
    log(0) = -inf; a +inf input gives +inf."""
    assert Tensor([-INF]).logsumexp(0).item() == -INF
    assert Tensor([-INF, -INF]).logsumexp(0).item() == -INF
    assert Tensor([INF, 0.0]).logsumexp(0).item() == INF
    np.testing.assert_allclose(Tensor(np.array([0.0, -INF])).logsumexp(0).item(), 0.0)


def test_hips_autograd_max_with_ties_takes_a_subgradient():
    """HIPS autograd (https://github.com/HIPS/autograd/issues/151, citing #141 on np.max):
    at ties, max's gradient is an element of the subgradient; the even split makes the
    gradient of max(x, x-as-copy) agree with that of x itself."""
    x = leaf([2.0, 7.0, 7.0, 1.0])
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 0.5, 0.0])
    v = leaf([3.0])
    stack([v, v]).max().backward()  # the same value twice: d max(v, v)/dv = 1
    np.testing.assert_array_equal(v.grad, [1.0])


def test_chainer_gradients_accumulate_without_nan_when_not_cleared():
    """Chainer (https://github.com/chainer/chainer/issues/3106): parameters' gradients
    became nan when they were not cleared between iterations; here they add up exactly."""
    rng = np.random.default_rng(2)
    layer = nn.Linear(4, 3, seed=0)
    x = Tensor(rng.standard_normal((5, 4)))
    labels = np.array([0, 1, 2, 1, 0])
    grads = []
    for _ in range(3):
        nn.functional.cross_entropy(nn.functional.relu(layer(x)), labels).backward()
        grads.append(layer.weight.grad.copy())
    np.testing.assert_allclose(grads[1], 2 * grads[0], rtol=1e-5)
    np.testing.assert_allclose(grads[2], 3 * grads[0], rtol=1e-5)
    assert np.isfinite(grads[2]).all()


def test_pytorch_zero_grad_then_a_parameter_without_gradient_is_left_alone():
    """PyTorch (optimizer.zero_grad(set_to_none=True) became the default,
    https://github.com/pytorch/pytorch/pull/92731): a parameter whose .grad is None after
    zero_grad is skipped by Adam, not updated with a zero gradient (which moves it when
    weight decay or momentum is on)."""
    torch = torch_or_skip()
    p, q = nn.Parameter(np.array([1.0, 2.0])), nn.Parameter(np.array([3.0]))
    tp, tq = torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([3.0], requires_grad=True)
    opt = nn.Adam([p, q], lr=0.1, weight_decay=0.1)
    topt = torch.optim.Adam([tp, tq], lr=0.1, weight_decay=0.1)
    for step in range(3):
        opt.zero_grad()
        topt.zero_grad()
        ((p * p).sum() + (q * q).sum() * (step == 0)).backward()
        ((tp * tp).sum() + (tq * tq).sum() * (step == 0)).backward()
        if step:
            q.grad = None
            tq.grad = None
        opt.step()
        topt.step()
    np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(q.data, tq.detach().numpy(), rtol=1e-10)


def test_binary_cross_entropy_at_probabilities_zero_and_one():
    """PyTorch (https://github.com/pytorch/pytorch/issues/31453, #4867), MLX
    (https://github.com/ml-explore/mlx/pull/1280): binary cross-entropy of p = 0 against
    target 1 is infinite; PyTorch clamps each log at -100, giving 100 and a finite gradient.
    Same here, and with logits it never overflows."""
    torch = torch_or_skip()
    p, t = leaf([0.0, 1.0, 0.3]), np.array([1.0, 0.0, 1.0])
    loss = nn.functional.binary_cross_entropy(p, t)
    loss.backward()
    tp = torch.tensor([0.0, 1.0, 0.3], requires_grad=True)
    tloss = torch.nn.functional.binary_cross_entropy(tp, torch.tensor(t))
    tloss.backward()
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-12)
    np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-6)  # PyTorch's eps is float32
    z = leaf([1000.0, -1000.0])
    nn.functional.binary_cross_entropy_with_logits(z, np.array([0.0, 1.0])).backward()
    np.testing.assert_allclose(z.grad, [0.5, -0.5])


def test_cross_entropy_with_huge_logits_is_finite():
    """PyTorch (https://github.com/pytorch/pytorch/issues/725, log-softmax giving -inf) and
    the softmax-overflow reports of many small engines: cross-entropy of logits 1e4 apart is
    finite, and its gradient is softmax - onehot."""
    x = leaf([[1e4, -1e4, 0.0], [0.0, 1e4, 1e4]])
    loss = nn.functional.cross_entropy(x, np.array([1, 2]))
    loss.backward()
    np.testing.assert_allclose(loss.item(), (2e4 + math.log(2)) / 2, rtol=1e-12)
    expected = np.array([[1.0, -1.0, 0.0], [0.0, 0.5, -0.5]]) / 2
    np.testing.assert_allclose(x.grad, expected, atol=1e-12)


def test_a_hand_set_gradient_of_the_wrong_shape_is_refused_at_backward():
    """PyTorch (https://github.com/pytorch/pytorch/issues/17893, and #65244): a gradient of
    the wrong shape passed to backward, or set by hand in .grad, was silently broadcast into
    the result (or failed with NumPy's 'operands could not be broadcast'); both are refused
    with the shapes and what to do."""
    y = leaf([1.0, 2.0]) * 3
    with pytest.raises(ValueError, match=r"backward: grad has shape \(2, 2\).*\(2,\)"):
        y.backward(np.ones((2, 2)))
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True, label="w")
    x.grad = np.zeros((2, 2))
    with pytest.raises(ValueError, match=r"'w' has shape \(2, 2\).*shape \(2,\).*None"):
        (x * 3).sum().backward()
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    # the refused pass stores nothing, in whichever order the leaves come
    for first_good in (True, False):
        good = Tensor(np.ones(3), requires_grad=True)
        bad = Tensor(np.ones(2), requires_grad=True)
        good.grad, bad.grad = np.zeros(3), np.zeros(5)
        terms = [(good * 2).sum(), (bad * 3).sum()]
        loss = terms[0] + terms[1] if first_good else terms[1] + terms[0]
        with pytest.raises(ValueError, match=r"shape \(5,\).*shape \(2,\)"):
            loss.backward()
        np.testing.assert_array_equal(good.grad, np.zeros(3))
        np.testing.assert_array_equal(bad.grad, np.zeros(5))


# ***** memory, copies and pickling *****


def test_micrograd_graph_is_freed_without_the_garbage_collector():
    """PyTorch (https://github.com/pytorch/pytorch/issues/25340): a backward context that
    refers to its output makes a reference cycle that only the cycle collector frees (as
    micrograd's closures, which capture `out`, do), so large graphs pile up; here a graph
    is freed as soon as the last reference to it goes, collector off."""
    gc.collect()
    gc.disable()
    try:
        x = Tensor(np.ones(1000), requires_grad=True)
        y = ((x * 2).tanh() + x).sum()
        ref = weakref.ref(y)
        y.backward()
        del y
        assert ref() is None
        v = Value(1.0)
        w = (v * 2 + v).tanh()
        vref = weakref.ref(w)
        w.backward()
        del w
        assert vref() is None
    finally:
        gc.enable()


def test_pytorch_deepcopy_and_pickle_of_tensors_and_modules():
    """PyTorch (https://github.com/pytorch/pytorch/issues/3307 and #95711: deepcopy lost the
    .grad of tensors and parameters): a copied or unpickled module keeps its gradients, is
    independent of the original, and gives the same outputs and gradients."""
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.Tanh(), nn.Linear(4, 1, seed=1))
    x = Tensor(np.random.default_rng(3).standard_normal((2, 3)))
    model(x).sum().backward()
    for copied in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        for p, q in zip(model.parameters(), copied.parameters(), strict=True):
            np.testing.assert_array_equal(p.grad, q.grad)
            assert q.grad is not p.grad
        copied.zero_grad()
        np.testing.assert_allclose(copied(x).data, model(x).data)
        copied(x).sum().backward()
        model.zero_grad()
        model(x).sum().backward()
        pairs = zip(model.named_parameters(), copied.named_parameters(), strict=True)
        for (name, p), (_, q) in pairs:
            assert p is not q and p.data is not q.data, name
            np.testing.assert_allclose(p.grad, q.grad, rtol=1e-6)
        assert copied[2]._path() == "2" and copied[2]._owner[0]() is copied  # not model
        with no_grad():
            for q in copied.parameters():
                q -= 1.0
        assert not np.allclose(copied(x).data, model(x).data)
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (t * t).sum().backward()
    u = pickle.loads(pickle.dumps(t))
    assert u.requires_grad and u.is_leaf
    np.testing.assert_array_equal(u.grad, [2.0, 4.0])


def test_pytorch_shared_parameters_are_registered_once():
    """PyTorch (https://github.com/pytorch/pytorch/issues/40967): a parameter listed twice
    in an optimizer was updated twice. A layer used twice appears once in parameters(), its
    gradient summing both uses, and an optimizer given a parameter twice refuses."""
    torch = torch_or_skip()
    layer = nn.Linear(2, 2, seed=0)
    model = nn.Sequential(layer, nn.Tanh(), layer)
    assert len(list(model.parameters())) == 2
    x = np.array([[0.3, -0.7]])
    model(Tensor(x)).sum().backward()
    tl = torch.nn.Linear(2, 2)  # PyTorch stores the weight as (out, in): transposed
    with torch.no_grad():
        tl.weight.copy_(torch.tensor(layer.weight.data.T.astype(np.float64)))
        tl.bias.copy_(torch.tensor(layer.bias.data.astype(np.float64)))
    tl(torch.tanh(tl(torch.tensor(x)))).sum().backward()
    np.testing.assert_allclose(layer.weight.grad, tl.weight.grad.numpy().T, rtol=1e-5)
    np.testing.assert_allclose(layer.bias.grad, tl.bias.grad.numpy(), rtol=1e-5)
    with pytest.raises(ValueError, match="twice"):
        nn.SGD(list(layer.parameters()) * 2, lr=0.1)


def test_empty_and_zero_dimensional_tensors_in_backward():
    """PyTorch (https://github.com/pytorch/pytorch/issues/82644 and the empty-tensor
    reduction reports): reductions of empty tensors give their identities (sum 0, prod 1,
    logsumexp -inf) with empty gradients, and 0-d tensors backprop like scalars."""
    for reduce, identity in ((lambda e: e.sum(), 0.0), (lambda e: e.prod(), 1.0),
                             (lambda e: e.logsumexp(0), -INF)):
        e = Tensor(np.zeros(0), requires_grad=True)
        out = reduce(e)
        out.backward()
        assert out.item() == identity and e.grad.shape == (0,)
    a, b = Tensor(np.zeros((2, 0)), requires_grad=True), Tensor(np.zeros((0, 3)),
                                                                  requires_grad=True)
    (a @ b).sum().backward()
    assert a.grad.shape == (2, 0) and b.grad.shape == (0, 3)
    s = Tensor(np.array(3.0), requires_grad=True)
    (s * s).backward(np.array(2.0))
    assert s.grad.shape == () and s.grad == 12.0


def test_pytorch_broadcast_operand_gets_a_gradient_of_its_own_shape():
    """PyTorch (https://github.com/pytorch/pytorch/issues/913 and #1787): after a broadcast
    (a of shape (1,) times b of shape (5, 4), or (5, 2, 1) plus (2, 3)), a's gradient had
    the result's shape; each gradient has its input's shape, summed over broadcast axes."""
    rng = np.random.default_rng(4)
    a, b = leaf(rng.standard_normal(1)), leaf(rng.standard_normal((5, 4)))
    (a * b).sum().backward()
    assert a.grad.shape == (1,) and b.grad.shape == (5, 4)
    np.testing.assert_allclose(a.grad, [b.data.sum()])
    v1, v2 = leaf(rng.standard_normal((5, 2, 1))), leaf(rng.standard_normal((2, 3)))
    ((v1 + v2) ** 2).sum().backward()
    s = v1.data + v2.data  # (5, 2, 3): s[i, j, k] = v1[i, j, 0] + v2[j, k]
    np.testing.assert_allclose(v1.grad, 2 * s.sum(axis=2, keepdims=True))
    np.testing.assert_allclose(v2.grad, 2 * s.sum(axis=0))


# ***** where with an unsafe branch, std, softplus, softmax: more NaN reports *****


@pytest.mark.parametrize("f, torch_f, double_where, values, true_grad", [
    # HIPS autograd https://github.com/HIPS/autograd/issues/802
    (lambda x: where(x >= 0, x, (-x).sqrt()),
     lambda t, x: t.where(x >= 0, x, (-x).sqrt()),
     lambda x: where(x >= 0, x, (-where(x < 0, x, -1.0)).sqrt()), [1.0, 2.0], [1.0, 1.0]),
    # PyTorch https://github.com/pytorch/pytorch/issues/23395
    (lambda x: where(x == 0.0, x / 2, x.sqrt() + 1),
     lambda t, x: t.where(x == 0.0, x / 2, x.sqrt() + 1),
     lambda x: where(x == 0.0, x / 2, where(x != 0, x, 1.0).sqrt() + 1), [16.0, 0.0],
     [0.125, 0.5]),
    # PyTorch https://github.com/pytorch/pytorch/issues/108618
    (lambda x: where(x > 2, x.log2(), 2 * x),
     lambda t, x: t.where(x > 2, t.log2(x), 2 * x),
     lambda x: where(x > 2, where(x > 2, x, 4.0).log2(), 2 * x), [0.0, 2.0, 3.0],
     [2.0, 2.0, 1 / (3 * math.log(2))]),
], ids=["hips-802", "pytorch-23395", "pytorch-108618"])
def test_where_with_a_branch_outside_its_domain(f, torch_f, double_where, values, true_grad):
    """HIPS autograd (https://github.com/HIPS/autograd/issues/802), PyTorch
    (https://github.com/pytorch/pytorch/issues/23395, #108618, #68425), JAX
    (https://github.com/jax-ml/jax/issues/347): where() differentiates the branch it did not
    take, and 0 * inf gives nan there. The engine agrees with PyTorch number for number (a
    documented choice), and the double-where idiom gives the true gradient."""
    torch = torch_or_skip()
    with np.errstate(divide="ignore", invalid="ignore"):
        ours, theirs = ours_and_torch(lambda x: f(x).sum(),
                                      lambda x: torch_f(torch, x).sum(), values)
    assert_same(ours, theirs)
    x = leaf(values)
    double_where(x).sum().backward()
    np.testing.assert_allclose(x.grad, true_grad, rtol=1e-12)


def test_pytorch_std_of_constant_data_has_gradient_zero():
    """PyTorch (https://github.com/pytorch/pytorch/issues/4320), TensorFlow
    (https://github.com/tensorflow/tensorflow/issues/56830): std of constant data (or of one
    element, population std) gave a nan gradient; 0 is the subgradient, as for the norm."""
    x = leaf([2.0, 2.0, 2.0])
    x.std().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])
    one = leaf([0.7])
    out = one.std(correction=0)
    out.backward()
    assert out.item() == 0.0 and one.grad[0] == 0.0
    y = leaf([1.0, 2.0, 4.0])
    y.std().backward()  # away from the kink: the usual (x - mean) / ((n - 1) std)
    expected = finite_differences(lambda a: np.std(a, ddof=1), y.data)
    np.testing.assert_allclose(y.grad, expected, rtol=1e-8)


def test_burn_and_tinygrad_softplus_does_not_overflow():
    """burn (https://github.com/tracel-ai/burn/issues/5373), tinygrad
    (https://github.com/tinygrad/tinygrad/pull/11564): softplus computed exp before log,
    giving inf for x > 88 in float32 and a nan gradient; softplus(x) -> x with gradient 1."""
    x = Tensor(np.array([20.0, 100.0, 1000.0, -1000.0, 0.0], dtype=np.float32),
               requires_grad=True)
    with np.errstate(over="raise", invalid="raise"):
        out = nn.functional.softplus(x)
        out.sum().backward()
    np.testing.assert_allclose(out.data, [20.0, 100.0, 1000.0, 0.0, math.log(2)], rtol=1e-6)
    np.testing.assert_allclose(x.grad, [1.0, 1.0, 1.0, 0.0, 0.5], rtol=1e-6)


def test_nnlib_softmax_and_logit_cross_entropy_with_far_apart_logits():
    """NNlib (https://github.com/FluxML/NNlib.jl/issues/68): logit cross-entropy of
    [-431, 279, 427] and the gradient of sum(softmax([-1047, -981, 1891])) gave nan; the
    loss is 858 with gradient softmax - onehot, and the softmax sums to 1, gradient 0."""
    x = leaf([[-431.0, 279.0, 427.0]])
    loss = nn.functional.cross_entropy(x, np.array([0]))
    loss.backward()
    assert loss.item() == pytest.approx(858.0, rel=1e-12)
    np.testing.assert_allclose(x.grad, [[-1.0, math.exp(279.0 - 427.0), 1.0]], atol=1e-15)
    y = leaf([-1047.0, -981.0, 1891.0])
    y.softmax(0).sum().backward()
    np.testing.assert_allclose(y.grad, [0.0, 0.0, 0.0], atol=1e-15)


def test_tinygrad_in_place_multiply_of_a_slice():
    """tinygrad (https://github.com/tinygrad/tinygrad/pull/9940): `t[:3] *= 10` recorded two
    assignments where there is one; the values and the gradient are those of one write."""
    x = leaf([1.0, 2.0, 3.0, 4.0, 5.0])
    t = x * 1
    t[:3] *= 10
    np.testing.assert_array_equal(t.data, [10.0, 20.0, 30.0, 4.0, 5.0])
    (t * Tensor([1.0, 2.0, 3.0, 4.0, 5.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [10.0, 20.0, 30.0, 4.0, 5.0])
    c = Tensor(np.arange(5.0))  # a constant: written in place, as NumPy does
    c[:3] *= 10
    np.testing.assert_array_equal(c.data, [0.0, 10.0, 20.0, 3.0, 4.0])


def test_pytorch_backward_through_a_shared_subgraph_twice_is_refused_clearly():
    """PyTorch (https://github.com/pytorch/pytorch/issues/11192): two losses built on one
    shared intermediate, backpropagated one after the other. The engine releases each
    operation after backward (documented), so the second pass is refused with advice; with
    retain_graph=True both passes add their gradients exactly."""
    t = Tensor(1.0, requires_grad=True)
    k = 2 * t
    l1, l2 = 2 * k, 3 * k
    l1.backward()
    with pytest.raises(GraphReleasedError, match="retain_graph=True"):
        l2.backward()
    t = Tensor(1.0, requires_grad=True)
    k = 2 * t
    l1, l2 = 2 * k, 3 * k
    l1.backward(retain_graph=True)
    l2.backward()
    assert t.grad == 10.0


def test_pytorch_integer_tensor_made_to_require_grad_gets_an_exact_gradient():
    """PyTorch (https://github.com/pytorch/pytorch/issues/3226 and #76008): an integer
    tensor could be made to require grad (by setting the flag, or `x.data = ints`), and its
    gradient was then cast to integers. The constructor refuses integer data with
    requires_grad=True; made so by hand, it gets the exact (float) gradient, not a
    truncated one."""
    with pytest.raises(TypeError, match="floating-point"):
        Tensor(np.array([1, 2]), dtype=np.int64, requires_grad=True)
    x = Tensor(np.array([1, 2]), dtype=np.int64)
    x.requires_grad = True
    (x * 1.5 + x / 4).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.75, 1.75])
    w = leaf([0.5, 0.5])
    w.data = np.array([3, 4])
    (w * w * 0.5).sum().backward()
    np.testing.assert_array_equal(w.grad, [3.0, 4.0])


def test_pytorch_layers_kept_in_a_python_list_are_refused_not_silently_untrained():
    """PyTorch (https://github.com/pytorch/pytorch/issues/666, #715, #632 and the open
    #59925): layers or parameters kept in a Python list or dict were not registered, so
    parameters() missed them and the optimizer silently never trained them. Here the
    assignment is refused with advice, and so is a list filled after it was assigned (at
    train(), eval() and state_dict()); Sequential registers them."""
    class Listed(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = nn.Linear(1, 1, seed=0)
            self.list_of_layers = [nn.Linear(1, 1, seed=i) for i in range(4)]

    with pytest.raises(TypeError, match=r"Listed.list_of_layers: a list of modules.*Sequential"):
        Listed()

    class Filled(nn.Module):
        def __init__(self):
            super().__init__()
            self.hids = []
            for i in range(2):
                self.hids.append(nn.Linear(2, 2, seed=i))

    model = Filled()
    for call in (model.train, model.eval, model.state_dict):
        with pytest.raises(TypeError, match=r"Filled.hids: a list of modules"):
            call()

    class Dicts(nn.Module):
        def __init__(self):
            super().__init__()
            self.waggrs = {"w": nn.Parameter(np.ones((1, 2)))}

    with pytest.raises(TypeError, match=r"Dicts.waggrs: a dict of parameters"):
        Dicts()

    class Fine(nn.Module):
        def __init__(self):
            super().__init__()
            self.sizes = [1, 2, 3]  # plain data is fine
            self.layers = nn.Sequential(*[nn.Linear(1, 1, seed=i) for i in range(4)])

    assert len(list(Fine().parameters())) == 8 and Fine().sizes == [1, 2, 3]


# ***** nn: normalization, optimizers, dropout *****


def test_pytorch_batchnorm_normalizes_with_the_biased_variance_and_tracks_the_unbiased():
    """PyTorch (https://github.com/pytorch/pytorch/issues/3122, #60528), MLX
    (https://github.com/ml-explore/mlx/pull/3817): batch norm normalizes a training batch
    with its biased variance but must track the unbiased one in running_var; eval mode uses
    the running statistics. Checked against PyTorch, outputs and input gradients too."""
    torch = torch_or_skip()
    x0 = np.arange(48.0).reshape(4, 3, 4) % 7
    bn, tbn = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    x, tx = leaf(x0), torch.tensor(x0, requires_grad=True)
    w = np.random.default_rng(5).standard_normal((4, 3, 4))
    y, ty = bn(x), tbn(tx)
    (y * Tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(y.data, ty.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), atol=1e-6)
    running_var = np.asarray(getattr(bn.running_var, "data", bn.running_var))
    np.testing.assert_allclose(running_var, tbn.running_var.numpy(), rtol=1e-6)
    bn.eval()
    tbn.eval()
    np.testing.assert_allclose(bn(Tensor(x0)).data, tbn(torch.tensor(x0)).detach().numpy(),
                               atol=1e-6)


def test_adam_bias_correction_eps_and_weight_decay_match_pytorch():
    """MLX (https://github.com/ml-explore/mlx/pull/1640: missing bias correction), PyTorch
    (https://github.com/pytorch/pytorch/pull/22628: eps scaled by the bias correction),
    PaddlePaddle (https://github.com/PaddlePaddle/Paddle/issues/5836: weight decay ignored):
    ten Adam steps with weight decay, betas and eps match PyTorch's Adam."""
    torch = torch_or_skip()
    p, tp = nn.Parameter(np.array([1.0, -2.0, 0.5])), torch.tensor([1.0, -2.0, 0.5],
                                                                     requires_grad=True)
    opt = nn.Adam([p], lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1)
    topt = torch.optim.Adam([tp], lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1)
    for _ in range(10):
        opt.zero_grad()
        topt.zero_grad()
        (p ** 4).sum().backward()
        (tp ** 4).sum().backward()
        opt.step()
        topt.step()
    np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-10)


def test_dropout_scales_in_training_and_is_the_identity_in_eval():
    """PyTorch (https://github.com/pytorch/pytorch/issues/5752), Chainer
    (https://github.com/chainer/chainer/issues/531), MXNet
    (https://github.com/apache/mxnet/issues/1305): kept values are scaled by 1/(1 - p) in
    training, the gradient goes through the same mask, and eval mode changes nothing."""
    drop = nn.Dropout(0.3, seed=0)
    x = Tensor(np.arange(1.0, 1001.0), requires_grad=True)
    y = drop(x)
    kept = y.data != 0
    np.testing.assert_allclose(y.data[kept], x.data[kept] / 0.7)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, kept / 0.7)
    assert 0.6 < kept.mean() < 0.8
    drop.eval()
    np.testing.assert_array_equal(drop(x).data, x.data)


def test_pytorch_maximum_with_nan_sends_the_gradient_to_the_nan():
    """PyTorch (https://github.com/pytorch/pytorch/pull/42579: "what happens if an element
    of a or b is NaN?"): maximum and minimum propagate nan, so the gradient belongs to the
    input that was nan (half each if both were), never to the number that was discarded."""
    nan = float("nan")
    a, b = leaf([nan, 1.0, nan, 2.0]), leaf([0.0, nan, nan, 3.0])
    with np.errstate(invalid="ignore"):
        out = maximum(a, b)
    assert np.isnan(out.data[:3]).all() and out.data[3] == 3.0
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, [1.0, 0.0, 0.5, 0.0])
    np.testing.assert_array_equal(b.grad, [0.0, 1.0, 0.5, 1.0])
    c, d = leaf([nan, 5.0]), leaf([1.0, 4.0])
    minimum(c, d).sum().backward()
    np.testing.assert_array_equal(c.grad, [1.0, 0.0])
    np.testing.assert_array_equal(d.grad, [0.0, 1.0])
