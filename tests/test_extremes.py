"""Numerics at the extremes: values AND gradients at inputs up to +-1e4, float32 and float64.

test_reliability.py checks that the activations stay finite and silent there and gradcheck
at moderate inputs; test_nn_functional.py checks the fused losses at one-hot targets. Here
the gradients themselves are compared with closed forms at +-1e4, including logits that are
huge *and* close to each other, where a naive formula loses everything.
"""

import math
import warnings
from contextlib import contextmanager

import numpy as np
import pytest

import nn
from autograd_lite import Tensor, Value

DTYPES = [np.float32, np.float64]


@contextmanager
def strict_floats():
    """Any NumPy warning or floating-point error (overflow, invalid) fails the test."""
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        yield


def tol(dtype):
    return dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-14)


def _sigmoid_reference(x):
    """Logistic function in float64 from math, exact enough far from overflow."""
    return np.array([1.0 / (1.0 + math.exp(-v)) if v > -700 else 0.0 for v in x])


X = np.array([-1e4, -1e3, -50.0, -1.0, 0.0, 1.0, 50.0, 1e3, 1e4])
G = np.linspace(0.5, 1.5, len(X))  # a non-trivial upstream gradient


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sigmoid", [lambda t: t.sigmoid(), nn.functional.sigmoid],
                         ids=["Tensor.sigmoid", "nn.sigmoid"])
def test_sigmoid_gradient_at_the_extremes(dtype, sigmoid):
    x = Tensor(X.astype(dtype), requires_grad=True)
    with strict_floats():
        y = sigmoid(x)
        y.backward(G.astype(dtype))
    s = _sigmoid_reference(X)
    assert y.dtype == dtype and x.grad.dtype == dtype
    np.testing.assert_allclose(y.data, s, **tol(dtype))
    np.testing.assert_allclose(x.grad, G * s * (1 - s), **tol(dtype))
    assert x.grad[0] == 0 and x.grad[-1] == 0  # exactly flat at +-1e4


@pytest.mark.parametrize("dtype", DTYPES)
def test_tanh_gradient_at_the_extremes(dtype):
    x = Tensor(X.astype(dtype), requires_grad=True)
    with strict_floats():
        y = x.tanh()
        y.backward(G.astype(dtype))
    t = np.tanh(X)
    np.testing.assert_allclose(y.data, t, **tol(dtype))
    np.testing.assert_allclose(x.grad, G * (1 - t * t), **tol(dtype))


# Rows of logits that are huge, and in the last two rows also close to each other: the
# softmax of [1e4, 1e4 - 1, -1e4] is [1, e^-1, 0] / (1 + e^-1), which only a shifted
# computation finds.
LOGITS = np.array([[1e4, -1e4, 0.0],
                   [-1e4, -1e4, 1e4],
                   [1e4, 1e4 - 1, -1e4],
                   [-1e4, -1e4 + 2, -1e4 + 1]])


def _softmax_reference(z):
    """Softmax from the differences to the row maximum (exact for these rows)."""
    d = z - z.max(axis=-1, keepdims=True)
    e = np.array([[math.exp(v) if v > -700 else 0.0 for v in row] for row in d])
    return e / e.sum(axis=-1, keepdims=True)


UPSTREAM = np.arange(12.0).reshape(4, 3) / 10 - 0.4


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("softmax", [lambda t: t.softmax(-1), lambda t: nn.softmax(t, dim=-1)],
                         ids=["Tensor.softmax", "nn.softmax"])
def test_softmax_gradient_at_the_extremes(dtype, softmax):
    z = Tensor(LOGITS.astype(dtype), requires_grad=True)
    with strict_floats():
        y = softmax(z)
        y.backward(UPSTREAM.astype(dtype))
    p = _softmax_reference(LOGITS)
    np.testing.assert_allclose(y.data, p, **tol(dtype))
    expected = p * (UPSTREAM - (UPSTREAM * p).sum(axis=-1, keepdims=True))
    np.testing.assert_allclose(z.grad, expected, **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("log_softmax", [lambda t: t.log_softmax(-1),
                                         lambda t: nn.log_softmax(t, dim=-1)],
                         ids=["Tensor.log_softmax", "nn.log_softmax"])
def test_log_softmax_gradient_at_the_extremes(dtype, log_softmax):
    z = Tensor(LOGITS.astype(dtype), requires_grad=True)
    with strict_floats():
        y = log_softmax(z)
        y.backward(UPSTREAM.astype(dtype))
    p = _softmax_reference(LOGITS)
    d = LOGITS - LOGITS.max(axis=-1, keepdims=True)
    log_sum = np.log(np.exp(np.maximum(d, -700)).sum(axis=-1, keepdims=True))
    np.testing.assert_allclose(y.data, d - log_sum, rtol=tol(dtype)["rtol"], atol=1e-3
                               if dtype == np.float32 else 1e-9)  # values near -2e4
    expected = UPSTREAM - p * UPSTREAM.sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(z.grad, expected, **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_gradient_with_close_huge_logits(dtype, reduction):
    labels = np.array([1, 0, 1, 2])
    z = Tensor(LOGITS.astype(dtype), requires_grad=True)
    with strict_floats():
        loss = nn.cross_entropy(z, labels, reduction=reduction)
        loss.backward(np.ones(loss.shape, dtype))
    p = _softmax_reference(LOGITS)
    d = LOGITS - LOGITS.max(axis=-1, keepdims=True)
    per_sample = np.log(np.exp(np.maximum(d, -700)).sum(-1)) - d[np.arange(4), labels]
    expected_loss = {"mean": per_sample.mean(), "sum": per_sample.sum(), "none": per_sample}
    np.testing.assert_allclose(loss.data, expected_loss[reduction], rtol=tol(dtype)["rtol"])
    grad = p - np.eye(3)[labels]
    if reduction == "mean":
        grad = grad / 4
    np.testing.assert_allclose(z.grad, grad, **tol(dtype))
    assert loss.dtype == dtype and z.grad.dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_cross_entropy_from_logits_with_soft_targets_at_the_extremes(dtype):
    targets = np.linspace(0.0, 1.0, len(X))
    x = Tensor(X.astype(dtype), requires_grad=True)
    with strict_floats():
        loss = nn.binary_cross_entropy(x, targets, reduction="none", from_logits=True)
        loss.backward(G.astype(dtype))
    s = _sigmoid_reference(X)
    # log(1 + e^x) - x t, written without overflow: max(x, 0) + log1p(e^-|x|) - x t
    expected = np.maximum(X, 0) + np.log1p(np.exp(-np.abs(X))) - X * targets
    np.testing.assert_allclose(loss.data, expected, rtol=tol(dtype)["rtol"], atol=1e-6)
    np.testing.assert_allclose(x.grad, G * (s - targets), **tol(dtype))


@pytest.mark.parametrize("x", [-1e4, -50.0, 50.0, 1e4])
def test_scalar_engine_sigmoid_and_tanh_at_the_extremes(x):
    with strict_floats():
        for op, ref, dref in [
                (lambda v: v.sigmoid(), _sigmoid_reference([x])[0],
                 lambda s: s * (1 - s)),
                (lambda v: v.tanh(), math.tanh(x), lambda t: 1 - t * t)]:
            v = Value(x)
            y = op(v)
            y.backward()
            assert y.data == pytest.approx(ref, rel=1e-15, abs=1e-300)
            assert v.grad == pytest.approx(dref(ref), rel=1e-12, abs=1e-300)
            assert math.isfinite(v.grad)


def test_quiet_underflow_silences_underflow_only():
    # rules decorated with quiet_underflow run without np.errstate, and again with underflow
    # ignored only if the caller made NumPy raise: overflow and invalid values still raise
    from autograd_lite.ops import quiet_underflow

    calls = []

    @quiet_underflow
    def rule(x):
        calls.append(1)
        return np.exp(x)

    with np.errstate(all="raise"):
        assert rule(np.float64(-1000.0)) == 0.0  # underflow: run again, quietly
        assert len(calls) == 2
        with pytest.raises(FloatingPointError):
            rule(np.float64(1000.0))  # overflow: still raised
    calls.clear()
    with warnings.catch_warnings(), np.errstate(all="warn"):
        warnings.simplefilter("error")  # warnings as errors: the same
        assert rule(np.float64(-1000.0)) == 0.0
        with pytest.raises(RuntimeWarning, match="overflow"):
            rule(np.float64(1000.0))
    calls.clear()
    assert rule(np.float64(-1000.0)) == 0.0 and len(calls) == 1  # NumPy's default: once
    # cross-entropy at logits far apart underflows inside its softmax: fine under "raise"
    with strict_floats():
        x = Tensor(np.array([[1e4, -1e4, 0.0]], dtype=np.float32), requires_grad=True)
        loss = nn.cross_entropy(x, np.array([1]))
        loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(x.grad).all()


@pytest.mark.parametrize("dtype", DTYPES)
def test_tensor_sigmoid_softmax_log_softmax_silence_underflow_only(dtype):
    # the Tensor methods and the nn functions are the same operations: both stay silent
    # under np.errstate(all="raise") where the result underflows, in forward and backward
    x = np.array([[-1e4, -100.0, 0.0, 100.0, 1e4]], dtype=dtype)
    for f in (lambda t: t.sigmoid(), lambda t: nn.sigmoid(t),
              lambda t: t.softmax(-1), lambda t: nn.softmax(t, -1),
              lambda t: t.log_softmax(-1), lambda t: nn.log_softmax(t, -1)):
        t = Tensor(x, requires_grad=True)
        with strict_floats():
            f(t).backward(np.linspace(0.5, 1.5, 5).astype(dtype).reshape(1, 5))
        assert np.isfinite(t.grad).all()
