"""Every way of changing a tensor's data in place makes graphs that used the old data refuse
to backprop. Backward compares versions one by one only when some data changed since an
operation was recorded (`engine.data_changed()`), so each path below must report its change;
these tests fail if one forgets."""

import numpy as np
import pytest

import nn
from autograd_lite import Tensor, no_grad
from autograd_lite.engine import ModifiedInPlaceError


def _param():
    return Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True, label="w")


def _inplace_op(w):
    with no_grad():
        w *= 2


def _setitem(w):
    with no_grad():
        w[0] = 5.0


def _sgd(w, **kw):
    w.grad = np.ones(3)
    nn.SGD([w], lr=0.1, **kw).step()


def _adam(w):
    w.grad = np.ones(3)
    nn.Adam([w], lr=0.1).step()


CHANGES = {
    "in-place operator": _inplace_op,
    "setitem": _setitem,
    "SGD": _sgd,
    "SGD with momentum": lambda w: _sgd(w, momentum=0.9),
    "Adam": _adam,
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_change_after_forward_is_refused(change):
    w = _param()
    loss = (w * w).sum()
    change(w)
    with pytest.raises(ModifiedInPlaceError, match="modified in place"):
        loss.backward()


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_change_before_forward_is_fine(change):
    w = _param()
    change(w)
    w.grad = None
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad, 2 * w.data)


def test_a_change_of_another_tensor_does_not_refuse():
    w, other = _param(), _param()
    loss = (w * w).sum()
    _inplace_op(other)  # some data changed, but not this graph's: compared and accepted
    loss.backward()
    np.testing.assert_allclose(w.grad, 2 * w.data)


def test_module_loads_and_neural_network_steps_are_changes():
    layer = nn.Linear(3, 2)
    x = Tensor(np.ones((1, 3)))
    loss = layer(x).sum()
    layer.load_state_dict({k: v + 1 for k, v in layer.state_dict().items()})
    with pytest.raises(ModifiedInPlaceError):
        loss.backward()

    net = nn.NeuralNetwork(3, lr=0.1, seed=0)
    net.append_layer(2, None, 0)
    out = net.forward(np.ones((1, 3)))
    (out * out).sum().backward()
    out2 = net.forward(np.ones((1, 3)))
    net.step()
    with pytest.raises(ModifiedInPlaceError):
        (out2 * out2).sum().backward()


def test_batch_norm_running_statistics_are_changes():
    bn = nn.BatchNorm1d(3)
    x = Tensor(np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32),
               requires_grad=True)
    bn.eval()  # in eval mode the graph reads the running statistics
    loss = (bn(x) * x).sum()
    bn.train()
    bn(x)  # updates the running statistics in place
    with pytest.raises(ModifiedInPlaceError):
        loss.backward()


# ----- a result changed in place after its operation computed it -----
# Rules may read their own result (relu's mask, exp's derivative, sigmoid's, ...), and
# every later use reads the changed values: the recorded operation no longer describes the
# tensor, so backward through it refuses, as PyTorch does for the results it saves.

RESULTS = {
    "relu": lambda z: z.relu(),
    "exp": lambda z: z.exp(),
    "sigmoid": lambda z: z.sigmoid(),
    "tanh": lambda z: z.tanh(),
    "sqrt": lambda z: (z * z + 1).sqrt(),
    "softmax": lambda z: z.softmax(-1),
    "add": lambda z: z + 1,
    "matmul": lambda z: z.reshape(1, 3) @ Tensor(np.ones((3, 2))),
}


def _through_view(t):
    with no_grad():
        t.reshape(-1)[0] = 7.0


RESULT_CHANGES = {
    "in-place operator": _inplace_op,
    "setitem": _setitem,
    "write through a view": _through_view,
}


@pytest.mark.parametrize("change", RESULT_CHANGES.values(), ids=RESULT_CHANGES.keys())
@pytest.mark.parametrize("op", RESULTS.values(), ids=RESULTS.keys())
def test_a_result_changed_in_place_is_refused(op, change):
    z = Tensor(np.array([-1.0, 0.5, 2.0]), requires_grad=True, label="z")
    y = op(z)
    change(y)
    loss = y.sum()  # recorded after the change: only the result's own version can tell
    with pytest.raises(ModifiedInPlaceError, match="result of .* changed in place"):
        loss.backward()
    assert z.grad is None


@pytest.mark.parametrize("op", RESULTS.values(), ids=RESULTS.keys())
def test_an_unchanged_result_backprops(op):
    z = Tensor(np.array([-1.0, 0.5, 2.0]), requires_grad=True)
    y = op(z)
    _inplace_op(Tensor(np.zeros(3)))  # some other data changed: the slow check runs
    y.sum().backward()
    assert z.grad is not None


def test_relu_result_changed_under_no_grad_gave_a_wrong_gradient_before():
    z = Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    x = z.relu()
    with no_grad():
        x[0] = 5.0  # relu's rule would read 5 > 0 and pass a gradient to z[0] < 0
    with pytest.raises(ModifiedInPlaceError, match="'relu'"):
        x.sum().backward()


def test_setitem_while_recording_keeps_the_old_contents_version():
    """A recorded write leaves the old contents to a stand-in node, with their version
    counter: a change made to them before still refuses, an unchanged one backprops."""
    w = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    y = w.exp()
    y[1] = w[0] * 3  # recorded
    y.sum().backward()
    np.testing.assert_allclose(w.grad, [1.0 + 3.0, 0.0])

    w = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    y = w.exp()
    with no_grad():
        y[0] = 1.0  # changes exp's result
    y[1] = w[0] * 3
    with pytest.raises(ModifiedInPlaceError, match="'exp'"):
        y.sum().backward()


def test_the_refusal_matches_torch_for_a_saved_result():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for this check")
    zt = torch.tensor([-1.0, 2.0], requires_grad=True)
    xt = zt.exp()
    with torch.no_grad():
        xt[0] = 5.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        xt.sum().backward()
    z = Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    x = z.exp()
    with no_grad():
        x[0] = 5.0
    with pytest.raises(ModifiedInPlaceError):
        x.sum().backward()
