"""`t[index] = v`: written in place outside a graph, recorded as `SetItem` inside one.

The gradient rule itself is checked with hypothesis against finite differences in the op
table of tests/test_tensor_ops.py; here: the two paths, the rules about leaves, views and
versions, the errors, PyTorch agreement, and ONNX export.
"""

import io

import numpy as np
import pytest

from autograd_lite import ModifiedInPlaceError, Tensor, no_grad


def leaf(values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


def test_outside_a_graph_it_writes_in_place_and_counts_a_version():
    t = Tensor(np.zeros((2, 3)))
    data, view = t.data, t[0]
    t[0, 1:] = [1.0, 2.0]
    t[[1, 1], [0, 2]] = 5.0
    assert t.data is data and t._version == 2 and view._version == 2
    np.testing.assert_array_equal(t.data, [[0.0, 1.0, 2.0], [5.0, 0.0, 5.0]])
    np.testing.assert_array_equal(view.data, [0.0, 1.0, 2.0])  # a view sees the change
    assert not t.requires_grad and t.grad_fn is None


def test_inside_no_grad_a_leaf_that_requires_grad_is_written():
    w = leaf([1.0, 2.0, 3.0])
    loss = (w * w).sum()
    with no_grad():
        w[w.data > 1.5] = 0.0
    np.testing.assert_array_equal(w.data, [1.0, 0.0, 0.0])
    assert w.is_leaf and w.requires_grad
    with pytest.raises(ModifiedInPlaceError):
        loss.backward()  # the graph used the old values


def test_while_recording_the_tensor_becomes_a_result_and_keeps_its_identity():
    x, v = leaf([1.0, 2.0, 3.0]), leaf([10.0])
    y = x * 2
    before = y
    y[1:2] = v * 3
    assert y is before and y.grad_fn is not None and y.grad_fn.name == "setitem"
    np.testing.assert_array_equal(y.data, [2.0, 30.0, 6.0])
    (y * Tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 6.0])
    np.testing.assert_array_equal(v.grad, [6.0])


def test_a_constant_written_with_a_value_that_requires_grad_joins_the_graph():
    w = leaf([2.0, 3.0])
    out = Tensor(np.zeros(4))
    for i in range(2):
        out[2 * i] = w[i] ** 2
    assert out.requires_grad and not out.is_leaf
    out.sum().backward()
    np.testing.assert_array_equal(w.grad, [4.0, 6.0])


def test_augmented_assignment_on_a_selection_matches_finite_differences():
    """`y[i] += ...` is get, add, set: the value read is the old y's, never the new one."""
    weights = np.arange(6.0).reshape(2, 3)

    def numpy_f(flat):
        x, v = flat[:6].reshape(2, 3), flat[6:]
        y = x * 1
        y[:, 1] *= 2
        y[0] += v[0] * y[1]
        y[[0, 0], [2, 2]] += 1  # read twice, written twice: added once
        return (y * weights).sum()

    x, v = leaf(np.arange(1.0, 7.0).reshape(2, 3)), leaf([10.0, 20.0])
    y = x * 1
    y[:, 1] *= 2
    y[0] += v[0] * y[1]
    y[[0, 0], [2, 2]] += 1
    (y * Tensor(weights)).sum().backward()
    flat = np.concatenate([x.data.ravel(), v.data])
    eps, numeric = 1e-6, []
    for e in np.eye(flat.size):
        numeric.append((numpy_f(flat + eps * e) - numpy_f(flat - eps * e)) / (2 * eps))
    np.testing.assert_allclose(np.concatenate([x.grad.ravel(), v.grad]), numeric, atol=1e-6)


def test_second_derivatives_flow_through_setitem():
    x = leaf([1.0, 2.0, 3.0])
    y = x * x
    y[1] = x[0] ** 3
    y.sum().backward(create_graph=True)
    g = x.grad
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad, [2.0 + 6.0, 0.0, 2.0])  # d2/dx0: 2 + 6 x0


def test_matches_pytorch_on_a_mixed_sequence_of_writes():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle here")
    rng = np.random.default_rng(0)
    x0, v0 = rng.standard_normal((3, 4)), rng.standard_normal(4)
    w = rng.standard_normal((3, 4))
    x, v = leaf(x0), leaf(v0)
    tx = torch.tensor(x0, requires_grad=True)
    tv = torch.tensor(v0, requires_grad=True)
    for a, b, t, make in ((x, v, Tensor, Tensor), (tx, tv, None, torch.tensor)):
        y = a * 1.5  # PyTorch refuses writes into a result its backward needs (tanh's)
        y[1] = b * 2
        y[:, 0] = y[:, 3] * 0.5
        y[y.data < -0.5 if t is Tensor else y.detach() < -0.5] = 0.0
        (y.tanh() * make(w)).sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(v.grad, tv.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("index, value, error, pattern", [
    (slice(0, 2), np.ones(3), ValueError, r"setitem.*\(3,\).*\(4,\)"),
    (0, np.ones((2, 1)), ValueError, r"setitem"),
    ("a", 1.0, IndexError, r"not an index"),
    (np.array([0.5]), 1.0, IndexError, r"integers"),
])
def test_bad_writes_name_the_operation_and_change_nothing(index, value, error, pattern):
    for t in (Tensor(np.zeros(4)), leaf([0.0, 0.0, 0.0, 0.0]) * 1):
        before, version = t.data.copy(), t._version
        with pytest.raises(error, match=pattern):
            t[index] = value
        np.testing.assert_array_equal(t.data, before)
        assert t._version == version


def test_an_integer_tensor_cannot_take_a_value_that_requires_grad():
    t = Tensor(np.zeros(3, dtype=np.int64), dtype=np.int64)
    with pytest.raises(TypeError, match=r"setitem.*int64.*float"):
        t[0] = leaf([1.5])
    t[0] = 7  # a constant: written, as NumPy would
    assert t.data[0] == 7


def test_exports_to_onnx_and_runs_in_onnx_runtime():
    pytest.importorskip("onnx", reason="pip install onnx onnxruntime")
    ort = pytest.importorskip("onnxruntime", reason="pip install onnx onnxruntime")
    from autograd_lite.onnx import export

    def f(x):
        y = x * 2
        y[0] = x[1] * 10
        y[[1, 1], [0, 0]] = Tensor(np.array([7.0, 8.0]))  # float64 into float32, last wins
        y[:, 2] = x[:, 0].tanh()
        return y

    x = Tensor(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32),
               requires_grad=True)
    buf = io.BytesIO()
    export(f(x), x, buf, dynamic_batch=False)
    session = ort.InferenceSession(buf.getvalue())
    new = np.array([[0.1, -2.0, 3.0], [4.0, 0.5, -6.0]], dtype=np.float32)
    got = session.run(None, {session.get_inputs()[0].name: new})[0]
    np.testing.assert_allclose(got, f(Tensor(new, requires_grad=True)).data, rtol=1e-6)
    with pytest.raises(ValueError, match=r"setitem.*dynamic_batch=False"):
        export(f(x), x, io.BytesIO())


def test_a_refused_write_of_a_value_computed_from_the_target_leaves_both_graphs_alone():
    x = leaf([1.0, 2.0, 3.0, 4.0])
    y = x * 1
    value = y[0:3] * 2
    with pytest.raises(ValueError, match="setitem"):
        y[0:2] = value
    assert y.grad_fn.name == "mul" and y._version == 0
    (value.sum() + y.sum()).backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0, 3.0, 1.0])


def test_writing_a_tensor_into_itself_makes_no_cycle():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 2
    y[:] = y
    y[::-1] = y  # reversed: y = 2 * x[::-1]
    np.testing.assert_array_equal(y.data, [6.0, 4.0, 2.0])
    (y * Tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0, 4.0, 2.0])


# ----- writes through views while a graph is recorded -----
# A recorded write gives the tensor new data of its own; a write through a view would
# therefore never reach the tensor it views (`out[0][1] = expr` left `out` all zeros). It
# is refused whenever another reachable tensor shares the memory.

def _w():
    return Tensor(np.array([2.0, 3.0]), requires_grad=True)


VIEW_WRITES = {
    "chained indexing into a constant": lambda w: _chained(Tensor(np.zeros((2, 2))), w),
    "chained indexing into a result": lambda w: _chained(w.reshape(1, 2) * 1, w),
    "view of a named result": lambda w: _view_of_named(w),
    "base with a named view": lambda w: _base_with_view(w),
    "detached alias": lambda w: _detached_alias(w),
}


def _chained(out, w):
    out[0][1] = w[0] * w[1]
    return out


def _view_of_named(w):
    y = w * 1
    y.view(-1)[0] = w[1]


def _base_with_view(w):
    y = w * 1
    v = y[1:]
    y[1] = w[0]
    return v


def _detached_alias(w):
    y = w * 1
    d = y.detach()
    y[0] = w[1]
    return d


@pytest.mark.parametrize("write", VIEW_WRITES.values(), ids=VIEW_WRITES.keys())
def test_a_recorded_write_that_another_tensor_would_not_see_is_refused(write):
    with pytest.raises(RuntimeError, match="shares its memory with another tensor"):
        write(_w())


def test_filling_a_matrix_with_chained_indexing_is_refused_and_the_hint_works():
    w = _w()
    out = Tensor(np.zeros((2, 2)))
    with pytest.raises(RuntimeError, match=r"y\[0, 1\] = v"):
        out[0][1] = w[0] * w[1]
    assert not out.requires_grad and not out.data.any()  # nothing changed
    out[0, 1] = w[0] * w[1]  # the hint: one step
    out.sum().backward()
    np.testing.assert_allclose(w.grad, [3.0, 2.0])


def test_writes_that_nobody_else_could_see_are_allowed():
    w = _w()
    t = w * 1
    t[0] = t[1] * 2  # the value reads a view of t
    np.testing.assert_allclose(t.data, [6.0, 3.0])
    x = (w * 1).reshape(2, 1)  # a view whose base only the graph holds
    x[:, 0] = w * w
    x.sum().backward()
    np.testing.assert_allclose(w.grad, [4.0, 6.0])
    c = Tensor(np.zeros(3))[1:]  # a view of a base nobody holds any more
    c[0] = w[0]
    np.testing.assert_allclose(c.data, [2.0, 0.0])


def test_writes_through_views_outside_a_graph_reach_the_base():
    y = Tensor(np.zeros((2, 2)))
    y[0][1] = 5.0
    with no_grad():
        w = _w()
        z = w * 1
        z.view(-1)[0] = 7.0
    assert y.data[0, 1] == 5.0 and z.data[0] == 7.0


def _view_of_a_leaf_written_with_the_leaf(w):
    v = w[1:]  # a view of the leaf w, and a value computed from w itself
    v[0] = w.sum()


def _base_written_with_its_named_view(w):
    y = w * 1
    v = y[1:]  # named: it should see the write, as in PyTorch
    y[0] = v.sum()
    return v


def _element_view_of_a_named_result(w):
    y = w * 1
    e = y[1]  # one element: a 0-d view of y, as in PyTorch
    y[1] = w[0]
    return e


@pytest.mark.parametrize("write", [_view_of_a_leaf_written_with_the_leaf,
                                   _base_written_with_its_named_view,
                                   _element_view_of_a_named_result])
def test_a_tensor_the_value_was_computed_from_still_counts_if_the_caller_holds_it(write):
    """The value's own graph may read the written memory (`t[0] = t[1] * 2`); a tensor
    in that graph that the caller still holds (the leaf, a named view) would not see the
    write, so it is refused (PyTorch changes the view, or refuses a leaf's view)."""
    with pytest.raises(RuntimeError, match="shares its memory with another tensor"):
        write(_w())


def test_one_element_is_a_view_sharing_the_version_counter():
    """`t[i]` of a vector is a 0-d view, as in PyTorch (NumPy gives a copy): it sees later
    in-place changes of `t`, and backward through it refuses once `t` changed."""
    w = _w()
    y = w.exp()
    e = y[1]
    with no_grad():
        y[1] = 5.0
    assert e.data == 5.0 and np.shares_memory(e.data, y.data)
    with pytest.raises(ModifiedInPlaceError):
        (e * 2).backward()
    assert w.grad is None
    x = Tensor(np.arange(3.0))
    first = x[0]
    x += 1
    assert first.item() == 1.0 and first._version == x._version == 1


def test_augmented_assignment_through_chained_indexing_is_refused_at_the_write():
    w = _w()
    y = w.reshape(1, 2) * 1
    with pytest.raises(RuntimeError, match="shares its memory"):
        y[0][1] += w[0]  # get y[0], get [1], add, then set into the view y[0]
    np.testing.assert_allclose(y.data, [[2.0, 3.0]])
    y[0, 1] += w[0]  # one step: set into y
    np.testing.assert_allclose(y.data, [[2.0, 5.0]])
