"""Second derivatives through piecewise-linear operations (relu and its siblings), against
PyTorch in float64.

The derivative of relu, clip, abs, max, max-pooling, ... is piecewise constant in the input
(a mask): its own derivative is 0. With `create_graph=True` the first gradient must still
depend on the input, so that differentiating it again gives zeros of the input's shape
(and the right mixed terms), as PyTorch's relu does, instead of "does not require grad".
Where PyTorch refuses (clamp, maximum, max, sign, floor, ...: its first gradient does not
require grad; hardsigmoid: not implemented) we give the same zeros: see
docs/functional.md, "Second derivatives of piecewise-linear functions".
Skipped when torch is not installed (`pip install torch==2.13.0`).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is the oracle here: pip install torch==2.13.0")
import torch.nn.functional as TF  # noqa: E402

import autograd_lite as ag  # noqa: E402
import nn.functional as F  # noqa: E402
from autograd_lite import Tensor, Value  # noqa: E402

# kinks and both sides of them: 0, +-1 (hardtanh), 6 (relu6), +-3 (hardsigmoid), ties
X = np.array([[-6.0, -3.0, -1.5, -1.0, -0.3, 0.0],
              [0.0, 0.4, 1.0, 2.0, 3.0, 6.5]])

# name -> (ours(x), torch's(x))
CASES = {
    "relu": (lambda x: x.relu(), TF.relu),
    "relu_nn": (F.relu, TF.relu),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
    "hardtanh": (F.hardtanh, TF.hardtanh),
    "relu6": (F.relu6, TF.relu6),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid),
    "hardswish": (F.hardswish, TF.hardswish),
    "elu": (F.elu, TF.elu),
    "selu": (F.selu, TF.selu),
    "celu": (lambda x: F.celu(x, 0.5), lambda x: TF.celu(x, 0.5)),
    "clip": (lambda x: x.clip(-1.0, 2.0), lambda x: x.clamp(-1.0, 2.0)),
    "clip_min": (lambda x: x.clip(min=0.0), lambda x: x.clamp(min=0.0)),
    "abs": (lambda x: x.abs(), torch.abs),
    "maximum": (lambda x: ag.maximum(x, Tensor(np.zeros(6))), lambda x: torch.maximum(
        x, torch.zeros(6, dtype=x.dtype))),
    "minimum": (lambda x: ag.minimum(x, Tensor(np.ones(6))), lambda x: torch.minimum(
        x, torch.ones(6, dtype=x.dtype))),
    "max": (lambda x: x.max(), lambda x: x.max()),
    "max_axis": (lambda x: x.max(axis=1), lambda x: x.amax(dim=1)),
    "min_axis": (lambda x: x.min(axis=0), lambda x: x.amin(dim=0)),
    "norm_inf": (lambda x: x.norm(np.inf, dim=1),
                 lambda x: torch.linalg.vector_norm(x, np.inf, dim=1)),
    "norm_1": (lambda x: x.norm(1), lambda x: torch.linalg.vector_norm(x, 1)),
    "sign": (lambda x: x.sign(), torch.sign),
    "floor": (lambda x: x.floor(), torch.floor),
    "ceil": (lambda x: x.ceil(), torch.ceil),
    "round": (lambda x: x.round(), torch.round),
    "trunc": (lambda x: x.trunc(), torch.trunc),
    "max_pool2d": (lambda x: ag.max_pool2d(x.reshape(1, 1, 2, 6), 2, 1),
                   lambda x: TF.max_pool2d(x.reshape(1, 1, 2, 6), 2, 1)),
    "avg_pool2d": (lambda x: ag.avg_pool2d(x.reshape(1, 1, 2, 6), 2, 1),
                   lambda x: TF.avg_pool2d(x.reshape(1, 1, 2, 6), 2, 1)),
    "hinge": (lambda x: (1 - x).relu() ** 2, lambda x: TF.relu(1 - x) ** 2),
}


def torch_second(fn, x, v, w):
    """PyTorch's first gradient of sum(fn(x) * v) and the gradient of sum(grad * w); zeros
    where PyTorch refuses the second (its first gradient then does not depend on x)."""
    xt = torch.tensor(x, requires_grad=True)
    out = fn(xt)
    (g,) = torch.autograd.grad((out * torch.tensor(v)).sum(), xt, create_graph=True)
    gg = None
    if g.requires_grad:
        try:
            (gg,) = torch.autograd.grad((g * torch.tensor(w)).sum(), xt, allow_unused=True)
        except RuntimeError as err:  # hardsigmoid's double backward
            assert "not implemented" in str(err)
    return g.detach().numpy(), np.zeros_like(x) if gg is None else gg.numpy(force=True)


@pytest.mark.parametrize("name", list(CASES))
def test_gradient_of_gradient_matches_torch(name):
    ours, theirs = CASES[name]
    rng = np.random.default_rng(3)
    x = Tensor(X.copy(), requires_grad=True)
    out = ours(x)
    v, w = rng.standard_normal(out.shape), rng.standard_normal(X.shape)
    g_torch, gg_torch = torch_second(theirs, X, v, w)

    out.backward(v, create_graph=True)
    g = x.grad
    # (rtol 1e-7: PyTorch's hardsigmoid slope is 1/6 rounded to float32)
    np.testing.assert_allclose(g.data, g_torch, rtol=1e-7, atol=1e-12)
    assert g.requires_grad, f"{name}: the first gradient must depend on x"
    x.grad = None
    (g * w).sum().backward()
    assert x.grad.shape == X.shape
    np.testing.assert_allclose(x.grad, gg_torch, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "clip", "abs", "max_axis",
                                  "max_pool2d", "floor"])
def test_functional_grad_of_grad(name):
    """The same through `grad(..., create_graph=True)` and through `grad(grad(f))`."""
    ours, theirs = CASES[name]
    _, gg_torch = torch_second(theirs, X, np.ones(ours(Tensor(X)).shape), np.ones(X.shape))
    x = Tensor(X.copy(), requires_grad=True)
    g = ag.grad(lambda t: ours(t).sum(), create_graph=True)(x)
    assert g.requires_grad
    g.sum().backward()
    np.testing.assert_allclose(x.grad, gg_torch, atol=1e-12)
    hess = ag.hessian(lambda t: ours(t).sum())(X)
    assert hess.shape == X.shape * 2
    np.testing.assert_allclose(hess.sum(axis=(0, 1)), gg_torch, atol=1e-12)


@pytest.mark.parametrize("act", ["relu", "leaky_relu", "hardtanh", "abs", "clip"])
def test_mixed_second_derivative(act):
    """d/dw and d/dx of sum(d/dx sum(act(x) * w)): the mask, and zeros."""
    ours, theirs = CASES[act]
    wv = np.random.default_rng(5).standard_normal(X.shape)
    x, w = Tensor(X.copy(), requires_grad=True), Tensor(wv, requires_grad=True)
    (ours(x) * w).sum().backward(create_graph=True)
    gx = x.grad
    x.grad = w.grad = None
    gx.sum().backward()

    xt, wt = torch.tensor(X, requires_grad=True), torch.tensor(wv, requires_grad=True)
    (gxt,) = torch.autograd.grad((theirs(xt) * wt).sum(), xt, create_graph=True)
    ggx, ggw = torch.autograd.grad(gxt.sum(), (xt, wt), allow_unused=True)
    np.testing.assert_allclose(w.grad, ggw.numpy(force=True), atol=1e-12)
    np.testing.assert_allclose(x.grad, np.zeros_like(X) if ggx is None else ggx.numpy(force=True),
                               atol=1e-12)


def test_first_order_gradient_stays_raw():
    """Without create_graph the rules hand back plain arrays, as before."""
    x = Tensor(X.copy(), requires_grad=True)
    F.leaky_relu(x.relu().clip(-1, 2).abs(), 0.1).max(axis=1).sum().backward()
    assert type(x.grad) is np.ndarray


def test_third_derivative_of_relu_is_zero():
    x = Tensor(X.copy(), requires_grad=True)
    g = ag.grad(lambda t: (t.relu() ** 3).sum(), create_graph=True)(x)
    (gg,) = ag.engine.backward(g.sum(), np.ones(()), retain_graph=True, create_graph=True,
                               inputs=[x])
    np.testing.assert_allclose(gg.data, 6 * np.maximum(X, 0))
    (ggg,) = ag.engine.backward(gg.sum(), np.ones(()), retain_graph=True, create_graph=True,
                                inputs=[x])
    np.testing.assert_allclose(ggg.data, 6.0 * (X > 0))
    ggg.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros_like(X))


@pytest.mark.parametrize("name", ["relu", "abs"])
@pytest.mark.parametrize("at", [-1.5, 0.0, 2.0])
def test_scalar_engine_second_derivative(name, at):
    x, w = Value(at), Value(0.7)
    (getattr(x, name)() * w).backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Value) and g.requires_grad
    x.grad = w.grad = 0.0
    g.backward()

    xt, wt = torch.tensor(at, requires_grad=True), torch.tensor(0.7, requires_grad=True)
    (gt,) = torch.autograd.grad(getattr(torch, name)(xt) * wt, xt, create_graph=True)
    ggx, ggw = torch.autograd.grad(gt, (xt, wt))
    assert g.data == pytest.approx(gt.item())
    assert x.grad == pytest.approx(float(ggx)) and w.grad == pytest.approx(float(ggw))


def test_elu_second_derivative_at_zero_is_zero_as_in_torch():
    x = Tensor(np.zeros(3), requires_grad=True)
    g = ag.grad(lambda t: F.elu(t).sum(), create_graph=True)(x)
    np.testing.assert_array_equal(g.data, np.ones(3))  # the negative side's slope
    g.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(3))
