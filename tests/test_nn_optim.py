"""SGD and Adam against reference updates written from PyTorch's documented algorithms,
step for step, plus argument checks and an optional comparison with torch itself."""

import math

import numpy as np
import pytest

from autograd_lite import Tensor
from nn import SGD, Adam, Linear, Parameter, mse_loss

# ----- reference algorithms, transcribed from the pseudo-code in PyTorch's docs -----


def ref_sgd(theta, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    theta, b = theta.copy(), None
    for t, g in enumerate(grads, start=1):
        if weight_decay != 0:
            g = g + weight_decay * theta
        if momentum != 0:
            if t > 1:
                b = momentum * b + (1 - dampening) * g
            else:
                b = g
            if nesterov:
                g = g + momentum * b
            else:
                g = b
        theta = theta - lr * g
        yield theta


def ref_adam(theta, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    beta1, beta2 = betas
    theta, m, v = theta.copy(), np.zeros_like(theta), np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        if weight_decay != 0:
            g = g + weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        yield theta


def run(optimizer_cls, theta, grad_fn, steps, **kwargs):
    """Run our optimizer; the gradient of each step is grad_fn(current parameter values)."""
    p = Parameter(theta.copy())
    opt = optimizer_cls([p], **kwargs)
    grads, out = [], []
    for _ in range(steps):
        g = grad_fn(p.data)
        grads.append(g)
        p.grad = g.copy()
        opt.step()
        out.append(p.data.copy())
    return grads, out


def quad_grad(x):  # the gradient of a non-trivial loss, so it depends on the trajectory
    return np.sin(3 * x) + x**3 - 0.5


SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.05, momentum=0.8, weight_decay=0.1),
    dict(lr=0.05, momentum=0.5, dampening=0.3),
    dict(lr=0.02, momentum=0.9, weight_decay=0.01, nesterov=True),
    dict(lr=0.1, weight_decay=0.5),
]


@pytest.mark.parametrize("kwargs", SGD_CASES, ids=str)
def test_sgd_matches_the_documented_update(kwargs):
    theta = np.random.default_rng(0).standard_normal((3, 2))
    grads, ours = run(SGD, theta, quad_grad, 8, **kwargs)
    # The reference replays the same gradients; they were computed at our iterates, so a
    # single wrong step makes every later one differ too.
    for step, (a, b) in enumerate(zip(ours, ref_sgd(theta, grads, **kwargs))):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f"step {step + 1}")


ADAM_CASES = [
    dict(),
    dict(lr=0.01),
    dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.02, weight_decay=0.1),
    dict(lr=0.001, betas=(0.0, 0.5)),
]


@pytest.mark.parametrize("kwargs", ADAM_CASES, ids=str)
def test_adam_matches_the_documented_update(kwargs):
    theta = np.random.default_rng(1).standard_normal(5)
    grads, ours = run(Adam, theta, quad_grad, 10, **kwargs)
    for step, (a, b) in enumerate(zip(ours, ref_adam(theta, grads, **kwargs))):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f"step {step + 1}")


def test_adam_first_step_by_hand():
    # After one step m_hat = g and v_hat = g**2, so the update is lr * g / (|g| + eps).
    p = Parameter(np.array([1.0, -2.0, 0.5]))
    p.grad = np.array([0.3, -4.0, 0.0])
    Adam([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [1.0 - 0.1 * 0.3 / (0.3 + 1e-8),
                                        -2.0 + 0.1 * 4.0 / (4.0 + 1e-8), 0.5], rtol=1e-15)


def test_sgd_momentum_by_hand():
    p = Parameter(np.array([1.0]))
    opt = SGD([p], lr=0.1, momentum=0.9)
    p.grad = np.array([1.0])
    opt.step()  # b = 1, p = 1 - 0.1
    p.grad = np.array([1.0])
    opt.step()  # b = 0.9 + 1 = 1.9, p = 0.9 - 0.19
    assert p.data[0] == pytest.approx(0.71, rel=1e-15)


def test_defaults_are_pytorchs():
    p = Parameter(np.zeros(1))
    adam = Adam([p])
    assert (adam.lr, adam.betas, adam.eps, adam.weight_decay) == (1e-3, (0.9, 0.999), 1e-8, 0)
    sgd = SGD([p], 0.1)
    assert (sgd.momentum, sgd.weight_decay, sgd.nesterov, sgd.dampening) == (0, 0, False, 0)


@pytest.mark.parametrize("cls", [SGD, Adam])
def test_updates_in_place_skip_missing_grads_and_zero_grad(cls):
    a, b = Parameter(np.ones(3, dtype=np.float32)), Parameter(np.ones(2, dtype=np.float32))
    data_a, data_b = a.data, b.data
    opt = cls([a, b], lr=0.1)
    a.grad = np.full(3, 0.5, dtype=np.float32)
    opt.step()
    assert a.data is data_a and b.data is data_b  # in place: the arrays are the same
    assert a.data.dtype == np.float32 and (a.data < 1).all()
    np.testing.assert_array_equal(b.data, np.ones(2))  # no grad: untouched
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_training_a_linear_model_reduces_the_loss():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32) + 0.3
    for make in (lambda ps: SGD(ps, lr=0.1, momentum=0.9), lambda ps: Adam(ps, lr=0.05)):
        model = Linear(3, 1, seed=0)
        opt = make(model.parameters())
        first = None
        for _ in range(200):
            opt.zero_grad()
            loss = mse_loss(model(x), y)
            loss.backward()
            opt.step()
            first = first if first is not None else loss.item()
        assert loss.item() < 1e-3 * first


@pytest.mark.parametrize("make, match", [
    (lambda p: SGD(p, lr=0), "lr"),
    (lambda p: SGD(p, lr=-1), "lr"),
    (lambda p: Adam(p, lr=0.0), "lr"),
    (lambda p: SGD(p, lr=0.1, momentum=-0.5), "momentum"),
    (lambda p: SGD(p, lr=0.1, weight_decay=-1), "weight_decay"),
    (lambda p: SGD(p, lr=0.1, nesterov=True), "nesterov"),
    (lambda p: Adam(p, betas=(1.0, 0.9)), r"betas\[0\]"),
    (lambda p: Adam(p, betas=(0.9,)), "pair"),
    (lambda p: Adam(p, eps=-1e-8), "eps"),
    (lambda p: SGD([], lr=0.1), "empty"),
])
def test_invalid_arguments_fail_fast(make, match):
    with pytest.raises(ValueError, match=match):
        make([Parameter(np.zeros(2))])


def test_params_must_be_parameters():
    with pytest.raises(TypeError, match="iterable"):
        SGD(Parameter(np.zeros(2)), lr=0.1)
    with pytest.raises(TypeError, match="requires_grad"):
        SGD([Tensor(np.zeros(2))], lr=0.1)
    p = Parameter(np.zeros(2))
    with pytest.raises(ValueError, match="twice"):
        Adam([p, p])


def test_same_as_torch():
    torch = pytest.importorskip("torch")
    theta = np.random.default_rng(2).standard_normal(4)
    for ours_cls, torch_cls, kwargs in [
            (SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.9, weight_decay=0.01,
                                        nesterov=True)),
            (Adam, torch.optim.Adam, dict(lr=0.01, weight_decay=0.1))]:
        grads, ours = run(ours_cls, theta, quad_grad, 6, **kwargs)
        tp = torch.nn.Parameter(torch.tensor(theta, dtype=torch.float64))
        opt = torch_cls([tp], **kwargs)
        for g, mine in zip(grads, ours):
            tp.grad = torch.tensor(g)
            opt.step()
            np.testing.assert_allclose(mine, tp.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert math.isfinite(theta.sum())


def test_a_step_between_forward_and_backward_is_refused():
    from autograd_lite.engine import ModifiedInPlaceError

    model = Linear(2, 1, seed=0)
    opt = SGD(model.parameters(), lr=0.1)
    x = np.ones((3, 2), dtype=np.float32)
    mse_loss(model(x), np.zeros((3, 1))).backward()
    stale = mse_loss(model(x), np.zeros((3, 1)))
    opt.step()  # changes the weights that `stale` was computed from
    with pytest.raises(ModifiedInPlaceError, match="modified in place"):
        stale.backward()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sgd_updates_large_parameters_exactly_and_leaves_grad_intact(dtype):
    # parameters larger than the optimizer's scratch block are updated a block at a time
    # (the last block shorter): the result must be data - lr * grad exactly, with .grad
    # untouched
    from nn.optim import _BLOCK

    rng = np.random.default_rng(0)
    big = Tensor(rng.standard_normal((3 * _BLOCK + 123,)).astype(dtype), requires_grad=True)
    wide = Tensor(rng.standard_normal((_BLOCK // 64 + 7, 128)).astype(dtype),
                  requires_grad=True)
    params = [big, wide]
    before = [p.data.copy() for p in params]
    grads = [rng.standard_normal(p.shape).astype(dtype) for p in params]
    for p, g in zip(params, grads):
        p.grad = g.copy()
    SGD(params, lr=0.1).step()
    for p, b, g in zip(params, before, grads):
        np.testing.assert_array_equal(p.data, b - g * dtype(0.1))
        np.testing.assert_array_equal(p.grad, g)
