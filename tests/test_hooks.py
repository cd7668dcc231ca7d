"""Gradient hooks (`register_hook`) and `retain_grad()` on Tensors and Values.

Expected gradients are worked out by hand in each test from the chain rule.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_lite import Tensor, Value, grad


def leaf(values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


# ***** register_hook on interior tensors *****


def test_hook_sees_the_complete_gradient_of_an_interior_tensor_once():
    x = leaf([1.0, 2.0])
    h = x * 3
    seen = []
    h.register_hook(lambda g: seen.append(np.array(g)))
    (h * h + h).sum().backward()  # h used three times: dL/dh = 2h + 1
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], 2 * h.data + 1)
    np.testing.assert_allclose(x.grad, 3 * (2 * h.data + 1))


@given(hnp.arrays(np.float64, st.integers(1, 4), elements=st.floats(-3, 3)),
       st.floats(-4, 4))
def test_hook_replacement_changes_every_upstream_gradient(values, factor):
    x = leaf(values)
    w = leaf(values[::-1].copy())
    h = x * w  # dL/dh = 1 for L = sum(h.tanh()) ... replaced by factor * the real one
    h.register_hook(lambda g: g * factor)
    h.tanh().sum().backward()
    dh = factor * (1 - np.tanh(h.data) ** 2)
    np.testing.assert_allclose(x.grad, dh * w.data)
    np.testing.assert_allclose(w.grad, dh * x.data)


def test_hook_returning_none_keeps_the_gradient():
    x = leaf([1.0, -1.0])
    h = x * 2
    h.register_hook(lambda g: None)
    h.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_hooks_run_in_registration_order_each_seeing_the_last_result():
    x = leaf([1.0])
    h = x * 1
    order = []
    h.register_hook(lambda g: order.append(("first", float(g[0]))) or g + 1)
    h.register_hook(lambda g: order.append(("second", float(g[0]))) or g * 10)
    h.sum().backward()
    assert order == [("first", 1.0), ("second", 2.0)]
    np.testing.assert_array_equal(x.grad, [20.0])


def test_removed_hook_is_not_called_and_remove_is_idempotent():
    x = leaf([1.0, 2.0])
    h = x * 2
    calls = []
    handle = h.register_hook(lambda g: calls.append(1) or g * 100)
    handle.remove()
    handle.remove()
    h.sum().backward()
    assert calls == []
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_remove_only_removes_its_own_hook():
    x = leaf([1.0])
    h = x * 1
    calls = []
    first = h.register_hook(lambda g: calls.append("a"))
    h.register_hook(lambda g: calls.append("b"))
    first.remove()
    h.sum().backward()
    assert calls == ["b"]


def test_hook_on_the_root_sees_the_seed():
    x = leaf([1.0, 2.0])
    y = x * x
    seen = []
    y.register_hook(lambda g: seen.append(np.array(g)) or g * 2)
    y.backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(seen[0], [1.0, 10.0])
    np.testing.assert_array_equal(x.grad, 2 * np.array([1.0, 10.0]) * 2 * x.data)


def test_register_hook_needs_requires_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).register_hook(print)
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).retain_grad()


# ***** hooks on leaves *****


def test_leaf_hook_sees_each_pass_before_accumulation():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(np.array(g)))
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(seen[0], [3.0, 3.0])
    np.testing.assert_array_equal(seen[1], 2 * x.data)  # this pass only, not the sum
    np.testing.assert_array_equal(x.grad, 3.0 + 2 * x.data)


def test_leaf_hook_replacement_is_what_accumulates():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g.clip(-1, 1))
    (x * 5).sum().backward()
    (x * -0.5).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0 - 0.5, 1.0 - 0.5])


# ***** retain_grad *****


def test_interior_tensors_keep_no_grad_unless_retained():
    x = leaf([1.0, 2.0])
    a = x * 2
    b = (a + 1).retain_grad()
    assert b.retain_grad() is b  # chaining; calling twice is harmless
    (b * b).sum().backward()
    assert a.grad is None
    np.testing.assert_allclose(b.grad, 2 * b.data)
    np.testing.assert_allclose(x.grad, 2 * 2 * b.data)


def test_retained_grad_accumulates_like_a_leaf():
    x = leaf([1.0, 2.0])
    h = (x * 3).retain_grad()
    y = (h * h).sum()
    y.backward(retain_graph=True)
    first = np.array(h.grad)
    np.testing.assert_allclose(first, 2 * h.data)
    y.backward()
    np.testing.assert_allclose(h.grad, 2 * first)  # PyTorch semantics: adds up until reset
    np.testing.assert_allclose(x.grad, 2 * 3 * first)


def test_retained_grad_reflects_hook_replacement():
    x = leaf([1.0, 2.0])
    h = (x * 3).retain_grad()
    h.register_hook(lambda g: g * 0.5)
    h.sum().backward()
    np.testing.assert_allclose(h.grad, [0.5, 0.5])
    np.testing.assert_allclose(x.grad, [1.5, 1.5])


def test_retained_grad_is_a_private_array():
    x = leaf([1.0, 2.0])
    a = (x + 0).retain_grad()
    b = (x * 1).retain_grad()
    (a + b).sum().backward()  # add hands the same gradient array to both
    a.grad += 100.0
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_retain_grad_on_a_leaf_changes_nothing():
    x = leaf([1.0]).retain_grad()
    (x * 4).sum().backward()
    np.testing.assert_array_equal(x.grad, [4.0])


# ***** create_graph: hooks receive Tensors *****


def test_hooks_under_create_graph_receive_tensors_and_can_replace_them():
    x = leaf([1.0, 2.0])
    h = x * x
    kinds = []
    handle = h.register_hook(lambda g: kinds.append(type(g)) or g * h)  # g * x**2
    h.sum().backward(create_graph=True)
    assert kinds == [Tensor]
    gx = x.grad  # 2x * x**2 = 2x**3
    np.testing.assert_allclose(gx.data, 2 * x.data**3)
    handle.remove()  # h is in gx's graph: the hook would run again below
    x.grad = None
    gx.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * x.data**2)


def test_the_function_transforms_run_hooks_but_leave_grads_alone():
    w = leaf([0.5, -1.0])
    seen = []
    w.register_hook(lambda g: seen.append(np.array(g.data if isinstance(g, Tensor) else g)))

    def f(x):
        return (x * w).sum()

    np.testing.assert_allclose(grad(f)(np.array([1.0, 2.0])), w.data)
    assert len(seen) == 1 and w.grad is None


# ***** Values *****


def test_value_hooks_and_retained_grads():
    x = Value(2.0)
    h = x * x
    seen = []
    handle = h.register_hook(lambda g: seen.append(g) or g * 3)
    y = h * 5
    y.backward()
    assert seen == [5.0]
    assert h.grad == 15.0 and x.grad == 15.0 * 2 * 2.0
    handle.remove()
    x.grad = 0.0
    (x * x * 5).backward()
    assert x.grad == 20.0 and seen == [5.0]


def test_value_leaf_hook():
    x = Value(3.0)
    x.register_hook(lambda g: g + 1)
    (x * 2).backward()
    (x * 2).backward()
    assert x.grad == 6.0


# ***** regressions: hook bugs once found in the engine *****


def test_a_hook_that_removes_itself_does_not_skip_the_next():
    x = leaf([1.0])
    h = x * 1
    calls = []

    def once(g):
        calls.append("once")
        handle.remove()

    handle = h.register_hook(once)
    h.register_hook(lambda g: calls.append("next"))
    h.sum().backward()
    assert calls == ["once", "next"]


@pytest.mark.parametrize("where", ["leaf", "interior"])
def test_a_hook_returning_the_wrong_shape_is_an_error(where):
    x = leaf([1.0, 2.0])
    h = x if where == "leaf" else x * 2
    h.register_hook(lambda g: np.ones(5))
    with pytest.raises(ValueError, match=r"\(5,\).*\(2,\)|\(2,\).*\(5,\)"):
        (h * 1).sum().backward()


def test_leaf_grad_never_aliases_a_hook_result():
    x = leaf([1.0, 2.0])
    fixed = np.array([5.0, 5.0])
    x.register_hook(lambda g: fixed)
    (x * 2).sum().backward()
    x.grad *= 0
    np.testing.assert_array_equal(fixed, [5.0, 5.0])


def test_leaf_grad_never_aliases_the_seed():
    seed = np.array([1.0, 1.0])
    y = leaf([3.0, 4.0])
    y.backward(seed)
    y.grad *= 0
    np.testing.assert_array_equal(seed, [1.0, 1.0])
