"""The backward driver's contract: order, accumulation, freeing, depth, errors, grad mode."""

import gc
import threading
import weakref

import numpy as np
import pytest

from autograd_lite import (GraphReleasedError, Tensor, Value, enable_grad, is_grad_enabled,
                           no_grad)
from autograd_lite.engine import walk


def test_fan_out_and_reuse_sum_their_gradients():
    a = Value(3.0)
    b = a * a + a  # a used three times
    c = b * b      # b used twice
    c.backward()
    assert b.grad == 2 * b.data
    assert a.grad == 2 * b.data * (2 * a.data + 1)


def test_same_parent_twice_keeps_both_edges():
    a = Value(2.0)
    (a + a).backward()
    assert a.grad == 2.0
    nodes, edges = walk(a * a)
    assert len(nodes) == 2 and len(edges) == 2


def test_reused_interior_node_is_processed_once_after_all_its_uses():
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    h = x.tanh()
    y = (h * h).sum() + (h * 3).sum() + h.sum()
    y.backward()
    t = np.tanh(x.data)
    np.testing.assert_allclose(x.grad, (2 * t + 4) * (1 - t**2))


def test_million_node_scalar_chain():
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y + 1e-6
    y.backward()
    assert x.grad == 1.0


def test_hundred_thousand_node_tensor_chain():
    x = Tensor(np.ones(3), requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones(3))


def test_leaves_and_interior_values_accumulate_across_backward_calls():
    x = Value(2.0)
    h = x * 3
    y = h * h
    y.backward(retain_graph=True)
    first_h, first_x = h.grad, x.grad
    assert (first_h, first_x) == (2 * 6.0, 2 * 6.0 * 3)
    y.backward()
    assert h.grad == 2 * first_h        # every stored gradient adds up until reset
    assert x.grad == 2 * first_x


def test_tensor_leaves_accumulate_and_interior_keep_no_grad_by_default():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * 2
    kept = (x * 3).retain_grad()
    y = (h * kept).sum()
    y.backward(retain_graph=True)
    assert h.grad is None
    np.testing.assert_allclose(kept.grad, h.data)
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * 12 * x.data)
    np.testing.assert_allclose(kept.grad, 2 * h.data)  # retained grads accumulate too


def test_second_backward_through_released_graph_raises_and_changes_nothing():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * x).sum()
    y.backward()
    before = x.grad.copy()
    with pytest.raises(GraphReleasedError, match="retain_graph=True"):
        y.backward()
    np.testing.assert_array_equal(x.grad, before)
    # a released graph is still walkable (for drawing)
    nodes, edges = walk(y)
    assert any(n is x for n in nodes) and len(edges) == 3


def test_retain_graph_allows_a_second_backward():
    x = Value(3.0)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad == 12.0


def test_deterministic_summation_order():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((50, 50)).astype(np.float32)

    def run():
        x = Tensor(data, requires_grad=True)
        parts = [(x * float(i)).tanh().sum() for i in range(20)]
        total = parts[0]
        for p in parts[1:]:
            total = total + p
        total.backward()
        return x.grad

    np.testing.assert_array_equal(run(), run())


def test_gradients_never_alias_each_other():
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    (a + b).sum().backward()  # add sends the same upstream array to both
    a.grad *= 10
    np.testing.assert_array_equal(b.grad, np.ones(3))
    seed = np.ones(3)
    c = Tensor(np.ones(3), requires_grad=True)
    (c * 1.0).backward(seed)
    c.grad[0] = 5
    assert seed[0] == 1


def test_broadcast_gradients_are_writable_copies():
    b = Tensor(np.ones(3), requires_grad=True)
    Tensor(np.ones(3)).sum().data  # unrelated op
    (b.broadcast_to((4, 3)).sum() * 1.0).backward()
    b.grad += 1
    np.testing.assert_array_equal(b.grad, np.full(3, 5.0))


def test_dropping_the_output_frees_the_graph_without_the_garbage_collector():
    gc.disable()
    try:
        x = Tensor(np.ones((4, 4)), requires_grad=True)
        h = (x @ x).tanh()
        probe = weakref.ref(h)
        out = (h * 2).sum()
        del h
        assert probe() is not None  # kept alive by the graph
        out.backward(retain_graph=True)
        del out
        assert probe() is None      # freed by reference counting alone
        v = Value(1.0)
        w = (v * 2).tanh()
        probe = weakref.ref(w)
        loss = w * w
        loss.backward()
        del w, loss
        assert probe() is None
    finally:
        gc.enable()


def test_no_grad_records_nothing_and_works_as_a_decorator():
    x = Tensor(np.ones(2), requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2
        with enable_grad():
            z = x * 2
    assert is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad

    @no_grad()
    def f(t):
        return t * 3

    assert not f(x).requires_grad and is_grad_enabled()

    @no_grad
    def g(t):
        return t * 3

    assert not g(x).requires_grad and is_grad_enabled()


def test_no_grad_is_per_thread():
    seen = []
    with no_grad():
        t = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def test_backward_errors():
    c = Tensor(np.ones(2))
    with pytest.raises(RuntimeError, match="does not require grad"):
        c.sum().backward()
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"one-element.*\(2, 3\)"):
        (x * 2).backward()
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(2, 3\)"):
        (x * 2).backward(np.ones((3, 2)))
    assert x.grad is None


def test_shape_errors_name_the_operation_and_shapes():
    a = Tensor(np.ones((2, 3)), label="a")
    with pytest.raises(ValueError, match=r"matmul.*\(2, 3\).*\(4, 5\)"):
        a @ Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"add.*\(2,3\).*\(4,5\).*'a'"):
        a + Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\).*\(4,\)"):
        a.reshape(4)
    with pytest.raises(ValueError, match=r"sum: axis 2 .* valid axes are -2\.\.1"):
        a.sum(axis=2)
    with pytest.raises(IndexError, match="getitem"):
        a[np.array([0.5])]


def test_hooks_see_and_can_replace_gradients():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * 3
    seen = []
    handle = h.register_hook(lambda g: seen.append(g.copy()) or g * 0)
    (h * h).sum().backward()
    np.testing.assert_allclose(seen[0], 2 * h.data)
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    handle.remove()
    x.grad = None
    h2 = x * 3
    (h2 * h2).sum().backward()
    np.testing.assert_allclose(x.grad, 18 * x.data)


def test_create_graph_second_derivatives():
    x = Tensor(np.array([0.3, -1.2]), requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Tensor) and g.requires_grad
    np.testing.assert_allclose(g.data, 3 * x.data**2)
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * x.data)

    v = Value(0.4)
    v.tanh().backward(create_graph=True)
    dv = v.grad
    v.grad = 0.0
    dv.backward()
    t = np.tanh(0.4)
    assert np.isclose(v.grad, -2 * t * (1 - t * t))


def test_rules_whose_first_argument_is_a_constant_still_record_under_create_graph():
    # where's rule for b is where(cond, 0, g): a constant first, the gradient second
    b = Tensor(np.array([0.5, 2.0]), requires_grad=True)
    from autograd_lite import where
    y = where(np.array([False, True]), Tensor(np.zeros(2)), b**2).sum()
    y.backward(create_graph=True)
    g = b.grad
    assert isinstance(g, Tensor) and g.requires_grad
    b.grad = None
    g.sum().backward()
    np.testing.assert_allclose(b.grad, [2.0, 0.0])


def test_a_no_grad_decorated_function_is_safe_across_threads():
    import time

    @no_grad
    def slow(t):
        time.sleep(0.01)
        return (t * 2).requires_grad

    x = Tensor(np.ones(2), requires_grad=True)
    results = []
    threads = [threading.Thread(target=lambda: results.append(slow(x))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [False] * 8 and is_grad_enabled()


def test_backward_with_inputs_returns_gradients_and_stores_none():
    from autograd_lite import engine

    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * 3
    y = (h * h).sum()
    gh, gx = engine.backward(y, np.ones(()), retain_graph=True, inputs=[h, x])
    np.testing.assert_allclose(gh, 2 * h.data)
    np.testing.assert_allclose(gx, 18 * x.data)
    assert x.grad is None and h.grad is None
    (gh_only,) = engine.backward(y, np.ones(()), retain_graph=True, inputs=[h])
    np.testing.assert_allclose(gh_only, 2 * h.data)
    z = Tensor(np.array([1.0]), requires_grad=True)
    assert engine.backward((z * 2).sum(), np.ones(()), inputs=[x]) == [None]
    # a pass does not look behind `stop` nodes, where the graph may be released
    y.backward()
    assert x.grad is not None
    w = h * h
    (gw,) = engine.backward(w.sum(), np.ones(()), inputs=[h], stop=[h])
    np.testing.assert_allclose(gw, 2 * h.data)
    with pytest.raises(GraphReleasedError):
        engine.backward(w.sum(), np.ones(()), inputs=[h])


def test_backward_signatures_match_the_documented_defaults():
    import inspect

    for cls in (Tensor, Value):
        params = inspect.signature(cls.backward).parameters
        assert params["retain_graph"].default is False
        assert params["create_graph"].default is False
    assert inspect.signature(Tensor.backward).parameters["grad"].default is None


def test_gradients_returned_for_inputs_never_alias_the_seed_or_each_other():
    from autograd_lite import engine

    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    seed = np.ones(3)
    ga, gb = engine.backward(a + b, seed, inputs=[a, b])
    ga += 1
    np.testing.assert_array_equal(gb, np.ones(3))
    np.testing.assert_array_equal(seed, np.ones(3))


def test_a_pass_that_fails_stores_no_gradient():
    from autograd_lite.extend import Function

    class Broken(Function):
        def forward(self, x):
            return x * 1.0

        def backward(self, g, out, x):
            raise RuntimeError("broken rule")

    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    loss = Broken.apply(b).sum() + (a * 2).sum()  # a is done before the broken rule runs
    with pytest.raises(RuntimeError, match="broken rule"):
        loss.backward()
    assert a.grad is None and b.grad is None  # nothing half-stored


def test_the_implicit_seed_is_never_the_stored_gradient():
    # backward() from a 0-d tensor seeds with a 1 made once per dtype; storing it as a .grad
    # (the root is a leaf, or retains its grad) must store a private, writable copy
    x = Tensor(np.float32(2.0), requires_grad=True)
    x.backward()
    x.grad += 5  # in place: must not change the next pass's seed
    y = Tensor(np.float32(3.0), requires_grad=True)
    z = y * 1.0
    z.retain_grad()
    z.backward()
    assert x.grad == 6 and z.grad == 1 and y.grad == 1
    assert z.grad.flags.writeable and z.grad is not x.grad
    w = Tensor(np.float32(1.5), requires_grad=True)
    (w * w).backward()
    assert w.grad == 3.0
    # under create_graph the seed is a fresh array too
    v = Tensor(2.0, requires_grad=True)
    v.backward(create_graph=True)
    v.grad.data += 1
    v2 = Tensor(2.0, requires_grad=True)
    (v2 * 2).backward()
    assert v2.grad == 2.0
