"""No silent wrong answers in the engine: every gradient is right or refused.

Organised by the kinds of fault: (1) a graph is never cut silently, (2) data changed in
place is always caught, (3) dtypes, (4) shapes that must match, (5) empty tensors,
(6) grad mode inside generators, (7) singular points, (8) meaningless input. Where PyTorch
is installed, the values are also checked against it.
"""

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

import nn
from autograd_lite import (ModifiedInPlaceError, Tensor, Value, concatenate, detect_anomaly,
                           enable_grad, engine, grad, hessian, is_grad_enabled, jacobian, jvp,
                           maximum, no_grad, stack, value_and_grad, vjp, where)
from nn import SGD, Adam, Flatten, Linear, NeuralNetwork, cross_entropy, mse_loss


def torch_or_skip():
    return pytest.importorskip("torch", reason="torch is the reference for these values")


def leaf(values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


# ----------------------------------------------------------------- 1. graphs are not cut


def test_np_dot_records_the_engine_operation():
    X = np.arange(6.0).reshape(2, 3)
    W = leaf(np.ones((3, 2)))
    b = leaf([0.5, -0.5])
    (np.dot(X, W) + b).sum().backward()
    np.testing.assert_allclose(W.grad, X.sum(axis=0)[:, None] * np.ones((3, 2)))
    np.testing.assert_allclose(b.grad, [2.0, 2.0])


@pytest.mark.parametrize("name, call, expected", [
    ("concatenate", lambda w: np.concatenate([w, w * 2]), [3.0, 3.0]),
    ("concat", lambda w: np.concat([w, w * 2]), [3.0, 3.0]),
    ("stack", lambda w: np.stack([w, w], axis=1), [2.0, 2.0]),
    ("where", lambda w: np.where(np.array([True, False]), w * 3, w), [3.0, 1.0]),
    ("clip", lambda w: np.clip(w, 0.0, 1.5), [1.0, 0.0]),
    ("clip kw", lambda w: np.clip(w, a_min=None, a_max=1.5), [1.0, 0.0]),
    ("reshape", lambda w: np.reshape(w, (2, 1)), [1.0, 1.0]),
    ("transpose", lambda w: np.transpose(w[None]), [1.0, 1.0]),
    ("transpose axes", lambda w: np.transpose(w[None], (1, 0)), [1.0, 1.0]),
    ("swapaxes", lambda w: np.swapaxes(w[None], 0, 1), [1.0, 1.0]),
    ("sum", lambda w: np.sum(w * w), [2.0, 4.0]),
    ("mean", lambda w: np.mean(w, axis=0), [0.5, 0.5]),
    ("max", lambda w: np.max(w), [0.0, 1.0]),
    ("amax", lambda w: np.amax(w), [0.0, 1.0]),
    ("min", lambda w: np.min(w, axis=0), [1.0, 0.0]),
    ("maximum", lambda w: np.maximum(w, 1.5), [0.0, 1.0]),
    ("exp", lambda w: np.exp(w), np.exp([1.0, 2.0])),
    ("square", lambda w: np.square(w), [2.0, 4.0]),
    ("abs", lambda w: np.abs(-w), [1.0, 1.0]),
    ("negative", lambda w: np.negative(w), [-1.0, -1.0]),
    ("matmul", lambda w: np.matmul(np.ones((3, 2)), w), [3.0, 3.0]),
    ("dot 1-d", lambda w: np.dot(w, np.array([4.0, 5.0])), [4.0, 5.0]),
    ("broadcast_to", lambda w: np.broadcast_to(w, (3, 2)), [3.0, 3.0]),
])
def test_numpy_functions_record_engine_operations(name, call, expected):
    w = leaf([1.0, 2.0])
    out = call(w)
    assert isinstance(out, Tensor) and out.requires_grad, name
    out.sum().backward()
    np.testing.assert_allclose(w.grad, expected)


def test_numpy_functions_agree_with_torch():
    torch = torch_or_skip()
    X = np.random.default_rng(0).standard_normal((4, 3))
    W0 = np.random.default_rng(1).standard_normal((3, 2))
    W = leaf(W0)
    out = np.concatenate([np.dot(X, W), np.clip(np.reshape(np.transpose(W), (3, 2)), -0.5, 0.5)])
    np.mean(np.where(out.data > 0, out, 0.1 * out) ** 2).backward()
    tW = torch.tensor(W0, requires_grad=True)
    tX = torch.tensor(X)
    tout = torch.cat([tX @ tW, torch.clip(tW.T.reshape(3, 2), -0.5, 0.5)], dim=0)
    torch.mean(torch.where(tout > 0, tout, 0.1 * tout) ** 2).backward()
    np.testing.assert_allclose(W.grad, tW.grad.numpy(), rtol=1e-12)


NUMPY_VS_ENGINE = [
    (lambda t: np.sum(t, axis=0), lambda t: t.sum(axis=0)),
    (lambda t: np.mean(t, axis=-1, keepdims=True), lambda t: t.mean(axis=-1, keepdims=True)),
    (lambda t: np.max(t, axis=1), lambda t: t.max(axis=1)),
    (lambda t: np.min(t), lambda t: t.min()),
    (lambda t: np.transpose(t), lambda t: t.T),
    (lambda t: np.reshape(t, (-1,)), lambda t: t.reshape(-1)),
    (lambda t: np.dot(t, np.ones((t.shape[1], 2))), lambda t: t @ np.ones((t.shape[1], 2))),
    (lambda t: np.concatenate([t, t * 2], axis=1), lambda t: concatenate([t, t * 2], axis=1)),
    (lambda t: np.stack([t, t]), lambda t: stack([t, t])),
    (lambda t: np.where(t.data > 0, t, -t), lambda t: where(t > 0, t, -t)),
    (lambda t: np.clip(t, -0.5, 0.5), lambda t: t.clip(-0.5, 0.5)),
    (lambda t: np.exp(t) + np.tanh(t), lambda t: t.exp() + t.tanh()),
]


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=4),
                  elements=st.floats(-3, 3)), st.integers(0, len(NUMPY_VS_ENGINE) - 1))
def test_numpy_functions_give_the_engines_values_and_gradients(x, which):
    numpy_style, engine_style = NUMPY_VS_ENGINE[which]
    g = np.random.default_rng(x.size).standard_normal(engine_style(Tensor(x)).shape)
    a, b = Tensor(x, requires_grad=True), Tensor(x, requires_grad=True)
    out_a, out_b = numpy_style(a), engine_style(b)
    np.testing.assert_array_equal(out_a.data, out_b.data)
    (out_a * g).sum().backward()
    (out_b * g).sum().backward()
    np.testing.assert_array_equal(a.grad, b.grad)


def test_clip_bounds_may_be_constant_tensors_but_not_ones_that_require_grad():
    x = np.array([-2.0, 0.0, 2.0])
    np.testing.assert_array_equal(np.clip(x, Tensor(-1.0), Tensor(1.0)).data, [-1, 0, 1])
    assert Tensor([1.0, 2.0]).clip(-1, 1.5).dtype == np.float32  # numbers take its dtype
    with pytest.raises(TypeError, match="maximum"):
        np.clip(x, leaf([-1.0]), 1.0)


def test_np_transpose_of_a_tensor_reverses_its_axes():
    W = leaf(np.zeros((2, 3)))
    assert np.transpose(W).shape == (3, 2)
    assert W.transpose(None).shape == (3, 2)


def test_np_dot_of_more_dimensions_than_a_matrix_points_to_matmul():
    with pytest.raises(TypeError, match="matmul"):
        np.dot(np.ones((2, 3)), leaf(np.ones((4, 3, 2))))


@pytest.mark.parametrize("name, call", [
    ("X.dot(W)", lambda X, W: X.dot(W)),
    ("np.asarray", lambda X, W: np.asarray(W)),
    ("np.array", lambda X, W: np.array(W)),
    ("np.array of a list", lambda X, W: np.array([W, W])),
    ("ndarray +=", lambda X, W: X.__iadd__(W.T)),
])
def test_implicit_conversion_of_a_tensor_that_requires_grad_is_refused(name, call):
    X, W = np.ones((2, 3)), leaf(np.ones((3, 2)))
    with pytest.raises(TypeError) as info:
        call(X, W)
    msg = str(info.value)
    assert ".detach()" in msg and ".data" in msg, name


@pytest.mark.parametrize("call, names", [
    (lambda W: np.sinh(W), ["np.sinh"]),
    (lambda W: np.arcsin(W), ["np.arcsin"]),
    (lambda W: np.add.reduce(W), ["np.add.reduce"]),
    (lambda W: np.linalg.det(W[:2]), ["np.linalg.det"]),
    (lambda W: np.diff(W), ["np.diff"]),
    (lambda W: np.tensordot(W, W), ["np.tensordot"]),
    (lambda W: np.einsum("ij->", W), ["np.einsum"]),
    (lambda W: np.exp(W, out=np.empty((3, 2))), ["np.exp", "out"]),
])
def test_numpy_functions_the_engine_lacks_are_refused_by_name(call, names):
    W = leaf(np.ones((3, 2)))
    with pytest.raises(TypeError) as info:
        call(W)
    msg = str(info.value)
    assert all(n in msg for n in names) and ".detach()" in msg


def test_constant_tensors_still_convert_and_explicit_reads_stay_allowed():
    c = Tensor(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(np.asarray(c), [1.0, 2.0])
    np.testing.assert_allclose(np.sin(c), np.sin([1.0, 2.0]))
    assert np.ones(2).dot(c) == 3.0
    w = leaf([1.0, 2.0])
    loss = (w * w).sum()
    assert float(loss) == 5.0 and loss.item() == 5.0
    np.testing.assert_array_equal(w.data, [1.0, 2.0])
    np.testing.assert_array_equal(w.detach().numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(np.asarray(w.detach()), [1.0, 2.0])
    # reading shapes and testing values gives nothing that could carry a gradient
    assert np.shape(w) == (2,) and np.allclose(w, [1.0, 2.0]) and np.argmax(w) == 1
    assert np.isnan(w).data.tolist() == [False, False]
    assert np.zeros_like(w).shape == (2,)
    # step functions are engine operations with a zero gradient, as in PyTorch
    s = np.sign(w - 1.5)
    assert s.data.tolist() == [-1.0, 1.0]
    s.sum().backward()
    np.testing.assert_array_equal(w.grad, [0.0, 0.0])


def test_a_list_of_tensors_that_require_grad_points_to_stack():
    t1, t2 = leaf([1.0]), leaf([2.0])
    for data in ([t1, t2], (t1, t2), [[t1], [t2]]):
        with pytest.raises(TypeError, match="stack"):
            Tensor(data)
    with pytest.raises(TypeError, match="detach"):
        Tensor(t1)
    # constants may be listed: they have no graph to lose
    assert Tensor([Tensor([1.0]), Tensor([2.0])]).shape == (2, 1)


def test_a_list_of_values_is_refused():
    for data in ([Value(1.0), Value(2.0)], [[Value(1.0)]], Value(1.0)):
        with pytest.raises(TypeError, match="Value and Tensor do not mix"):
            Tensor(data)


def test_ops_added_later_are_picked_up_by_name():
    """The dispatch looks NumPy's names up among Tensor's methods: a new method works with
    np.<name> at once, with no table to edit."""
    def double(self):
        return self * 2

    Tensor.double_for_test = double
    try:
        class FakeNumpyFunction:
            __name__ = "double_for_test"
        w = leaf([1.0, 2.0])
        out = w.__array_function__(FakeNumpyFunction(), (Tensor,), (w,), {})
        out.sum().backward()
        np.testing.assert_array_equal(w.grad, [2.0, 2.0])
    finally:
        del Tensor.double_for_test


@pytest.mark.parametrize("name, call", [
    ("std", lambda a: np.std(a, axis=1)),
    ("var", lambda a: np.var(a)),
    ("var ddof", lambda a: np.var(a, ddof=1)),
    ("repeat", lambda a: np.repeat(a, 2)),
    ("squeeze", lambda a: np.squeeze(a[None])),
    ("cumsum", lambda a: np.cumsum(a)),
    ("sin", lambda a: np.sin(a)),
    ("norm", lambda a: np.linalg.norm(a)),
    ("round", lambda a: np.round(a, 1)),
    ("tile", lambda a: np.tile(a, 2)),
])
def test_numpy_names_keep_numpys_meaning(name, call):
    """Where NumPy and the Tensor method (which follows PyTorch) give one name two meanings,
    np.<name>(t) means what NumPy means: the same numbers as on the array."""
    x = np.array([[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]])
    w = leaf(x)
    out = call(w)
    assert isinstance(out, Tensor) and out.requires_grad, name
    np.testing.assert_allclose(out.data, call(x), rtol=1e-12)


def test_squeezing_an_axis_that_is_not_1_is_refused_as_by_numpy():
    with pytest.raises(ValueError):
        np.squeeze(leaf(np.ones((2, 3))), axis=0)


# ------------------------------------------------------------ 2. in-place changes caught


def test_in_place_change_through_a_detached_tensor_is_caught():
    w = leaf([1.0, 2.0])
    loss = (w * w).sum()
    d = w.detach()
    d += 1
    with pytest.raises(ModifiedInPlaceError):
        loss.backward()
    assert w.grad is None


def test_detached_in_place_change_is_caught_as_in_torch():
    torch = torch_or_skip()
    tw = torch.tensor([1.0, 2.0], requires_grad=True)
    tloss = (tw * tw).sum()
    td = tw.detach()
    td += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        tloss.backward()


@pytest.mark.parametrize("name, alias", [
    ("detach", lambda w: w.detach()),
    ("reshape", lambda w: w.reshape(2, 1)),
    ("slice", lambda w: w[0:1]),
    ("int index of a row", lambda w: w[None][0]),
    ("new axis", lambda w: w[None]),
    ("transpose", lambda w: w[None].T),
    ("swapaxes", lambda w: w[None].swapaxes(0, 1)),
    ("flatten", lambda w: w.flatten()),
    ("Tensor(t)", lambda w: Tensor(w.detach())),
    ("view of a detached view", lambda w: w.detach().reshape(1, 2)[0]),
    ("np.reshape", lambda w: np.reshape(w, (1, 2))),
])
def test_every_alias_shares_the_version_counter(name, alias):
    w = leaf([1.0, 2.0])
    loss = (w * w).sum()
    with no_grad():
        v = alias(w)
        assert np.shares_memory(v.data, w.data), name
        v *= 3.0
    with pytest.raises(ModifiedInPlaceError):
        loss.backward()


def test_a_change_of_the_base_is_seen_by_graphs_that_used_a_view():
    w = leaf([1.0, 2.0])
    v = w[0:1]                     # recorded: a view of w's memory
    loss = (v * v).sum()
    with no_grad():
        w -= 0.5
    with pytest.raises(ModifiedInPlaceError):
        loss.backward()


def test_copies_keep_their_own_counter():
    w = leaf([1.0, 2.0])
    loss = (w * w).sum()
    with no_grad():
        c = w[[0, 1]]              # advanced indexing copies
        c += 1
        e = w.astype(np.float32)   # a cast copies
        e += 1
    loss.backward()
    np.testing.assert_array_equal(w.grad, [2.0, 4.0])


def test_an_optimizer_step_is_seen_by_graphs_through_views_and_detached_copies():
    w = leaf([1.0, 2.0])
    d = w.detach()
    loss = (w[0:1] * 3).sum()      # the product saved a view of w
    w.grad = np.array([1.0, 1.0])
    SGD([w], lr=0.1).step()
    assert d._version == w._version == 1
    with pytest.raises(ModifiedInPlaceError):
        loss.backward()


# ------------------------------------------------------------------------- 3. dtypes


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8, bool])
def test_integer_results_do_not_require_grad(dtype):
    a = leaf([1.5, 2.5, -1.0])
    i = a.astype(dtype)
    assert not i.requires_grad and i.is_leaf
    assert i.dtype == np.dtype(dtype)
    mixed = (a * i).sum()          # the integer tensor is a constant factor
    mixed.backward()
    np.testing.assert_array_equal(a.grad, a.data.astype(dtype))


def test_integer_cast_carries_no_gradient_as_in_torch():
    torch = torch_or_skip()
    t = torch.tensor([1.5, 2.5], requires_grad=True)
    assert not t.to(torch.int32).requires_grad
    assert not leaf([1.5, 2.5]).astype(np.int32).requires_grad


@pytest.mark.parametrize("name, call", [
    ("Tensor(complex array)", lambda: Tensor(np.array([1 + 2j]))),
    ("Tensor(complex list)", lambda: Tensor([1 + 2j])),
    ("Tensor(complex number)", lambda: Tensor(1j)),
    ("dtype=complex", lambda: Tensor([1.0], dtype=np.complex64)),
    ("astype(complex)", lambda: leaf([1.0]).astype(np.complex128)),
    ("t * complex array", lambda: leaf([1.0]) * np.array([1j])),
    ("t + complex number", lambda: leaf([1.0]) + 2j),
    ("t + complex list", lambda: leaf([1.0]) + [2j]),
    ("complex array @ t", lambda: np.array([[1j]]) @ leaf([[1.0]])),
    ("where with complex", lambda: where(np.array([True]), leaf([1.0]), np.array([1j]))),
    ("concatenate with complex", lambda: concatenate([leaf([1.0]), np.array([1j])])),
    ("complex upstream gradient", lambda: (leaf([1.0, 2.0]) * 2).backward(np.array([1j, 1]))),
    ("mse_loss of complex input", lambda: mse_loss(np.array([1 + 2j]), np.array([1.0]))),
    ("mse_loss of complex target", lambda: mse_loss(leaf([1.0]), np.array([1 + 2j]))),
    ("bce of complex target", lambda: nn.binary_cross_entropy(leaf([0.5]), np.array([1 + 0j]))),
    ("cross_entropy of complex labels",
     lambda: cross_entropy(leaf([[0.5, 0.5]]), np.array([1 + 0j]))),
    ("vjp with complex v", lambda: vjp(lambda x: x * 2, np.ones(2), np.array([1j, 1]))),
])
def test_complex_data_is_refused_where_it_enters(name, call):
    with pytest.raises(TypeError, match="complex|real numbers|dtype"):
        call()


def test_a_complex_gradient_is_refused_by_optimizers_before_any_update():
    w, v = leaf([1.0]), leaf([2.0])
    w.grad, v.grad = np.array([0.5]), np.array([1j])
    with pytest.raises(TypeError, match="real numbers"):
        SGD([w, v], lr=0.1).step()
    assert w.data[0] == 1.0


@pytest.mark.parametrize("call", [
    lambda: Tensor(np.ones(70000, np.float16), requires_grad=True),
    lambda: Tensor(np.ones(3, np.float16)),
    lambda: Tensor([1.0, 2.0], dtype=np.float16),
    lambda: leaf([1.0]).astype(np.float16),
])
def test_float16_is_refused_with_advice(call):
    with pytest.raises(TypeError, match="float16.*float32"):
        call()


@pytest.mark.parametrize("call", [
    lambda: Linear(2, 1).to(np.float16),
    lambda: Linear(2, 1, dtype=np.float16),
    lambda: NeuralNetwork(2, lr=0.1, dtype=np.float16),
])
def test_float16_models_are_refused_too(call):
    with pytest.raises(TypeError, match="float16"):
        call()


def test_float16_constants_in_operations_are_widened_exactly():
    w = leaf([1.0, 2.0]).astype(np.float32)
    out = w * np.array([0.1, 65504.0], np.float16)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, w.data * np.array([0.1, 65504.0], np.float16)
                                  .astype(np.float32))


def test_mean_and_max_of_many_float32_elements_share_the_gradient_exactly():
    x = Tensor(np.ones(70000, np.float32), requires_grad=True)
    x.mean().backward()
    np.testing.assert_allclose(x.grad, np.full(70000, 1 / 70000), rtol=1e-6)
    y = Tensor(np.ones(70000, np.float32), requires_grad=True)
    y.max().backward()
    np.testing.assert_allclose(y.grad, np.full(70000, 1 / 70000), rtol=1e-6)


# ------------------------------------------------------------------------- 4. shapes


@pytest.mark.parametrize("make", [
    lambda ps: SGD(ps, lr=0.1),
    lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    lambda ps: Adam(ps, lr=0.1),
    lambda ps: Adam(ps, lr=0.1, weight_decay=0.1),
])
def test_optimizers_refuse_a_gradient_of_another_shape_before_updating(make):
    first, p = leaf([1.0, 2.0]), leaf([1.0, 2.0, 3.0])
    first.grad, p.grad = np.array([1.0, 1.0]), np.array([0.5])
    opt = make([first, p])
    with pytest.raises(ValueError) as info:
        opt.step()
    assert "(3,)" in str(info.value) and "(1,)" in str(info.value)
    np.testing.assert_array_equal(first.data, [1.0, 2.0])   # nothing was updated
    np.testing.assert_array_equal(p.data, [1.0, 2.0, 3.0])
    assert first._version == 0 and p._version == 0


def test_neural_network_step_refuses_a_gradient_of_another_shape():
    net = NeuralNetwork(3, lr=0.1, seed=0)
    first = net.append_layer(2)
    second = net.append_layer(1)
    before = [p.data.copy() for p in net.parameters()]
    for p in net.parameters():
        p.grad = np.ones(p.shape)
    second.weight.grad = np.ones((1,))
    with pytest.raises(ValueError, match="has shape"):
        net.step()
    for p, old in zip(net.parameters(), before):
        np.testing.assert_array_equal(p.data, old)
    assert first.weight._version == 0


def test_jacobian_of_several_outputs_gives_one_per_output():
    J1, J2 = jacobian(lambda x: [x, 2 * x])(np.ones(2))
    np.testing.assert_array_equal(J1, np.eye(2))
    np.testing.assert_array_equal(J2, 2 * np.eye(2))
    (Jxa, Jxb), (Jya, Jyb) = jacobian(lambda a, b: (a * b, a.sum() + b), argnums=(0, 1))(
        np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    np.testing.assert_array_equal(Jxa, np.diag([3.0, 4.0]))
    np.testing.assert_array_equal(Jxb, np.diag([1.0, 2.0]))
    np.testing.assert_array_equal(Jya, np.ones((2, 2)))
    np.testing.assert_array_equal(Jyb, np.eye(2))


def test_jacobian_of_several_outputs_matches_torch():
    torch = torch_or_skip()
    x0 = np.array([0.5, -1.0, 2.0])

    def f(x):
        return x.tanh(), (x * x).sum()

    ours = jacobian(f)(x0)
    theirs = torch.autograd.functional.jacobian(
        lambda x: (torch.tanh(x), (x * x).sum()), torch.tensor(x0))
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name, compute", [
    ("grad(grad) of a Value", lambda: grad(grad(lambda v: v * 2.0))(Value(1.0))),
    ("grad of a Value, no path", lambda: grad(lambda v: Value(3.0))(Value(1.0))),
    ("value_and_grad, no path", lambda: value_and_grad(lambda v: Value(3.0))(Value(1.0))[1]),
    ("grad of a Tensor, no path", lambda: grad(lambda x: Tensor(3.0))(Tensor(np.ones(2)))),
    ("grad(grad) of an array", lambda: grad(grad(lambda x: x * 2.0))(1.0)),
    ("jacobian, no path", lambda: jacobian(lambda x: Tensor(np.ones(3)))(np.ones(2))),
    ("hessian of a linear f", lambda: hessian(lambda x: (x * 2.0).sum())(np.ones(2))),
    ("vjp, no path", lambda: vjp(lambda x: Tensor(np.ones(2)), np.ones(2), np.ones(2))[1]),
    ("jvp, no path", lambda: jvp(lambda x: Tensor(np.ones(2)), np.ones(2), np.ones(2))[1]),
])
def test_transforms_return_array_zeros_when_no_path_leads_to_the_output(name, compute):
    out = compute()
    assert type(out) is np.ndarray, (name, type(out))
    assert not out.any(), name


# ------------------------------------------------------------------- 5. empty tensors


@pytest.mark.parametrize("name, call, shape", [
    ("softmax", lambda x: x.softmax(axis=-1), (2, 0)),
    ("log_softmax", lambda x: x.log_softmax(axis=-1), (2, 0)),
    ("softmax over the non-empty axis", lambda x: x.T.softmax(axis=0), (0, 2)),
    ("max over axis 1", lambda x: x.T.max(axis=1), (0,)),
    ("min over axis 1", lambda x: x.T.min(axis=1), (0,)),
    ("sum", lambda x: x.sum(axis=0), (0,)),
    ("mean over axis 1", lambda x: x.T.mean(axis=1), (0,)),
    ("getitem []", lambda x: x[[]], (0, 0)),
])
def test_empty_tensors_give_empty_results_and_gradients(name, call, shape):
    x = Tensor(np.zeros((2, 0)), requires_grad=True)
    out = call(x)
    assert out.shape == shape, name
    out.sum().backward()
    assert x.grad.shape == (2, 0)


def test_empty_results_match_torch():
    torch = torch_or_skip()
    z = np.zeros((2, 0))
    for ours, theirs in [
        (Tensor(z).softmax(axis=-1), torch.zeros(2, 0).softmax(-1)),
        (Tensor(z).log_softmax(axis=-1), torch.zeros(2, 0).log_softmax(-1)),
        (Tensor(z.T).max(axis=1), torch.zeros(0, 2).amax(1)),
        (Tensor(np.zeros((0, 4, 4))).flatten(1), torch.zeros(0, 4, 4).flatten(1)),
        (Tensor(np.zeros((0, 3))).mean(axis=0), torch.zeros(0, 3).mean(0)),
        (Tensor(np.zeros((0, 3))).mean(), torch.zeros(0, 3).mean()),
    ]:
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_flatten_of_an_empty_batch():
    x = Tensor(np.zeros((0, 4, 4)), requires_grad=True)
    assert x.flatten(1).shape == (0, 16)
    assert x.flatten().shape == (0,)
    assert Flatten()(x).shape == (0, 16)
    Flatten()(x).sum().backward()
    assert x.grad.shape == (0, 4, 4)


def test_indexing_with_an_empty_list_gives_a_zero_gradient():
    x = leaf([1.0, 2.0, 3.0])
    y = x[[]]
    assert y.shape == (0,)
    (y.sum() + (x * 0).sum()).backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])
    assert x[np.array([], dtype=int)].shape == (0,)


def test_mean_of_nothing_is_nan_quietly_as_in_numpy_and_torch():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = Tensor(np.zeros((0, 3)), requires_grad=True).mean()
        assert np.isnan(m.item())


@pytest.mark.parametrize("call", [
    lambda: Tensor(np.zeros((0, 3))).max(axis=0),
    lambda: Tensor(np.zeros((0, 3))).max(),
    lambda: Tensor(np.zeros((2, 0))).min(axis=1),
])
def test_max_and_min_over_an_empty_axis_are_refused(call):
    with pytest.raises(ValueError, match="axis of length 0"):
        call()


def test_losses_of_an_empty_batch_are_refused_clearly():
    with pytest.raises(ValueError, match="empty"):
        cross_entropy(Tensor(np.zeros((0, 3)), requires_grad=True), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match="empty"):
        mse_loss(Tensor(np.zeros((0, 3)), requires_grad=True), np.zeros((0, 3)))


# ---------------------------------------------------------- 6. generators and grad mode


@pytest.mark.parametrize("decorator, inside", [
    (no_grad(), False), (no_grad, False),
])
def test_no_grad_holds_inside_a_generator(decorator, inside):
    w = leaf([1.0])

    @decorator
    def gen():
        yield is_grad_enabled(), (w * 2).requires_grad
        received = yield is_grad_enabled()
        yield received

    g = gen()
    assert next(g) == (inside, inside)
    assert is_grad_enabled()                # the caller's mode between steps
    assert g.send(None) is inside
    assert g.send("x") == "x"
    assert is_grad_enabled()


def test_enable_grad_holds_inside_a_generator_under_no_grad():
    @enable_grad()
    def gen():
        yield is_grad_enabled()
        yield is_grad_enabled()

    with no_grad():
        g = gen()
        assert next(g) is True
        assert not is_grad_enabled()
        assert next(g) is True


def test_detect_anomaly_holds_inside_a_generator():
    @detect_anomaly()
    def gen():
        yield engine._anomaly is not None
        yield Tensor([-1.0], requires_grad=True).log()

    g = gen()
    assert next(g) is True
    assert engine._anomaly is None
    with pytest.raises(FloatingPointError, match="log"):
        next(g)


def test_decorated_generators_pass_throw_close_and_return_values():
    log = []

    @no_grad()
    def gen():
        try:
            yield 1
        except KeyError:
            log.append(("caught", is_grad_enabled()))
            yield 2
        finally:
            log.append(("closed", is_grad_enabled()))
        return "done"

    g = gen()
    assert next(g) == 1
    assert g.throw(KeyError()) == 2
    g.close()
    assert log == [("caught", False), ("closed", False)]

    def outer():
        result = yield from gen()
        yield result
    assert list(outer()) == [1, "done"]


# ------------------------------------------------------------------ 7. singular points


def test_pow_gradient_in_the_exponent_at_zero_base():
    a = Tensor(np.array([0.0, 0.0, 0.0, 2.0, -2.0]))
    b = leaf([-1.0, 0.0, 2.0, -1.0, 2.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        (a ** b).sum().backward()
    assert b.grad[0] == -np.inf                   # 0**b = inf, times log(0) = -inf
    assert b.grad[1] == 0.0 and b.grad[2] == 0.0  # 0**b constant 1, then 0
    np.testing.assert_allclose(b.grad[3], 2.0 ** -1 * np.log(2.0))
    assert np.isnan(b.grad[4])                    # log of a negative base


def test_pow_singular_points_match_torch():
    torch = torch_or_skip()
    a0 = np.array([0.0, 0.0, 0.0, 2.0, -2.0, 0.0])
    b0 = np.array([-1.0, 0.0, 2.0, -1.0, 2.0, -2.5])
    a, b = leaf(a0), leaf(b0)
    with np.errstate(divide="ignore", invalid="ignore"):
        (a ** b).sum().backward()
    ta = torch.tensor(a0, requires_grad=True)
    tb = torch.tensor(b0, requires_grad=True)
    (ta ** tb).sum().backward()
    np.testing.assert_array_equal(a.grad, ta.grad.numpy())
    np.testing.assert_array_equal(b.grad, tb.grad.numpy())


@pytest.mark.parametrize("name, ours, theirs", [
    ("log", lambda x: x.log(), lambda t, x: t.log(x)),
    ("log2", lambda x: x.log2(), lambda t, x: t.log2(x)),
    ("log1p", lambda x: x.log1p(), lambda t, x: t.log1p(x)),
])
def test_logs_outside_their_domain_have_pytorchs_gradient(name, ours, theirs):
    torch = torch_or_skip()
    x0 = np.array([-3.0, -1.5, -0.5, 0.5, 2.0])
    x = leaf(x0)
    with np.errstate(divide="ignore", invalid="ignore"):
        where(x > 0, ours(x), 0.0).sum().backward()
        y = leaf(x0)
        ours(y).sum().backward()
    tx = torch.tensor(x0, requires_grad=True)
    torch.where(tx > 0, theirs(torch, tx), torch.zeros(5, dtype=torch.float64)).sum().backward()
    ty = torch.tensor(x0, requires_grad=True)
    theirs(torch, ty).sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(y.grad, ty.grad.numpy(), rtol=1e-12)


def test_log_gradient_and_the_safe_log_idiom_match_torch():
    x = leaf([-1.0, 0.0, 2.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        where(x > 0, x.log(), 0.0).sum().backward()
    assert x.grad[0] == 0.0 and np.isnan(x.grad[1]) and x.grad[2] == 0.5
    torch = torch_or_skip()
    tx = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64, requires_grad=True)
    torch.where(tx > 0, tx.log(), torch.zeros(3, dtype=torch.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())


# ------------------------------------------------------------ 8. meaningless input


@pytest.mark.parametrize("join", [concatenate, stack])
def test_joining_a_single_tensor_is_refused(join):
    t = leaf([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(TypeError, match="single Tensor"):
        join(t)
    with pytest.raises(TypeError, match="list or tuple"):
        join(None)


def test_iterating_a_0d_tensor_raises_like_numpy_and_torch():
    with pytest.raises(TypeError, match="0-d"):
        list(Tensor(1.0))
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))
    with pytest.raises(TypeError):
        list(np.array(1.0))


def test_iterating_a_tensor_keeps_each_row_in_the_graph():
    w = leaf([[1.0, 2.0], [3.0, 4.0]])
    rows = list(w)
    assert len(rows) == 2 and all(r.requires_grad for r in rows)
    (rows[0] * 2 + rows[1]).sum().backward()
    np.testing.assert_array_equal(w.grad, [[2.0, 2.0], [1.0, 1.0]])


@pytest.mark.parametrize("condition", [None, "yes", ["a", "b"]])
def test_where_refuses_a_meaningless_condition(condition):
    with pytest.raises(TypeError, match="where: the condition"):
        where(condition, leaf([1.0, 2.0]), 0.0)


@pytest.mark.parametrize("data", ["1.5", b"12", ["1.5", "2"], np.array(["1.5"]),
                                  np.array([b"1"]), [1.0, "2"]])
def test_strings_are_not_parsed_as_numbers(data):
    with pytest.raises(TypeError, match="number"):
        Tensor(data)


@pytest.mark.parametrize("call", [
    lambda t: t + "1.5",
    lambda t: t * ["1.5", "2"],
    lambda t: where(t > 0, t, "0"),
    lambda t: maximum(t, "1"),
])
def test_strings_are_refused_in_operations(call):
    with pytest.raises(TypeError):
        call(leaf([1.0, 2.0]))


@pytest.mark.parametrize("shape", [(-2, 3), (3, -2), (-1, -1), (-3,)])
def test_reshape_refuses_negative_sizes_other_than_one_minus_one(shape):
    t = Tensor(np.zeros(6))
    with pytest.raises(ValueError, match="reshape"):
        t.reshape(*shape)
    assert t.reshape(-1, 3).shape == (2, 3)


@pytest.mark.parametrize("call, error", [
    (lambda t: t.broadcast_to((-1, 2)), ValueError),
    (lambda t: t.broadcast_to((2.0, 2)), ValueError),
    (lambda t: t.reshape(2.0, 1), TypeError),
    (lambda t: t.reshape("2"), TypeError),
])
def test_other_shapes_are_checked_too(call, error):
    with pytest.raises(error):
        call(Tensor(np.zeros(2)))


def test_none_is_refused_as_data():
    with pytest.raises(TypeError, match="None"):
        Tensor(None)
    with pytest.raises(TypeError, match="None"):
        Tensor([1.0, None])
