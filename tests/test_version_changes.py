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
