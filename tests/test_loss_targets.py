"""A loss's target that requires grad gets its gradient in every loss, as in PyTorch.

mse_loss, binary_cross_entropy (from probabilities and from logits) and cross_entropy with
class probabilities all differentiate the target; class-index labels cannot carry a
gradient and a target that requires grad there is refused.
"""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd_lite import Tensor, gradcheck, gradgradcheck

RNG = np.random.default_rng(12)
LOGITS = RNG.normal(size=(3, 4))
PROBS = RNG.uniform(0.1, 0.9, size=(3, 4))
TARGETS = RNG.uniform(0.05, 0.95, size=(3, 4))
SOFT = TARGETS / TARGETS.sum(axis=-1, keepdims=True)

# (name, loss, input, target, torch's name)
LOSSES = [
    ("mse_loss", F.mse_loss, LOGITS, TARGETS, "mse_loss"),
    ("binary_cross_entropy", F.binary_cross_entropy, PROBS, TARGETS, "binary_cross_entropy"),
    ("binary_cross_entropy_with_logits", F.binary_cross_entropy_with_logits, LOGITS, TARGETS,
     "binary_cross_entropy_with_logits"),
    ("cross_entropy (probabilities)", F.cross_entropy, LOGITS, SOFT, "cross_entropy"),
]
IDS = [row[0] for row in LOSSES]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, loss, x, t, _", LOSSES, ids=IDS)
def test_target_gradient_matches_finite_differences(name, loss, x, t, _, reduction):
    assert gradcheck(lambda a, b: loss(a, b, reduction=reduction), [x, t])


@pytest.mark.parametrize("name, loss, x, t, _", LOSSES, ids=IDS)
def test_target_second_derivatives(name, loss, x, t, _):
    assert gradgradcheck(lambda a, b: loss(a, b, reduction="sum"), [x, t])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, loss, x, t, torch_name", LOSSES, ids=IDS)
def test_target_gradient_same_as_torch(name, loss, x, t, torch_name, reduction):
    torch = pytest.importorskip("torch", reason="torch is the optional reference")
    a, b = Tensor(x, requires_grad=True), Tensor(t, requires_grad=True)
    out = loss(a, b, reduction=reduction)
    seed = RNG.normal(size=out.shape)
    out.backward(seed)
    ta = torch.tensor(x, requires_grad=True)
    tb = torch.tensor(t, requires_grad=True)
    ref = getattr(torch.nn.functional, torch_name)(ta, tb, reduction=reduction)
    ref.backward(torch.tensor(seed))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name, loss, x, t, _", LOSSES, ids=IDS)
def test_only_the_target_requires_grad(name, loss, x, t, _):
    b = Tensor(t, requires_grad=True)
    loss(x, b).backward()
    assert b.grad is not None and b.grad.shape == t.shape and np.any(b.grad != 0)


@pytest.mark.parametrize("module, x, t", [
    (nn.MSELoss(), LOGITS, TARGETS), (nn.BCELoss(), PROBS, TARGETS),
    (nn.BCEWithLogitsLoss(), LOGITS, TARGETS), (nn.CrossEntropyLoss(), LOGITS, SOFT)])
def test_loss_modules_differentiate_the_target(module, x, t):
    assert gradcheck(lambda a, b: module(a, b), [x, t])


def test_bce_target_gradient_at_clamped_probabilities():
    # log(0) is clamped at -100, so d/dt = log(1 - p) - log(p) = 100 at p = 0 (PyTorch too)
    b = Tensor([0.5, 0.5], requires_grad=True)
    F.binary_cross_entropy(Tensor([0.0, 1.0]), b, reduction="sum").backward()
    np.testing.assert_allclose(b.grad, [100.0, -100.0])


def test_class_index_labels_that_require_grad_are_refused():
    labels = Tensor([0.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="cross_entropy: class-index labels.*requires grad"):
        F.cross_entropy(LOGITS[:2, :3], labels)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, bool, np.float32])
def test_one_hot_of_any_numeric_dtype_is_class_probabilities(dtype):
    onehot = np.eye(3, dtype=dtype)[[0, 2]]
    expected = F.cross_entropy(LOGITS[:2, :3], np.array([0, 2]))
    got = F.cross_entropy(LOGITS[:2, :3], onehot)
    np.testing.assert_allclose(got.data, expected.data, rtol=1e-6)
