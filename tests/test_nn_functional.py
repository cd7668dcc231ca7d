"""Activations, the fused dense op and the losses: values against NumPy references,
gradients against finite differences (hypothesis-drawn shapes), stability at +-1e4."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Tensor, gradcheck
from autograd_lite.testing import arrays, shapes
from nn import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    MSELoss,
    affine,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    identity,
    log_softmax,
    mse_loss,
    relu,
    sigmoid,
    softmax,
    tanh,
)

# ----- references in plain NumPy (float64, written independently of nn) -----


def ref_log_softmax(z):
    m = z.max(-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(-1, keepdims=True))


def ref_reduce(losses, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](losses)


def ref_cross_entropy(z, labels, reduction="mean"):
    logp = ref_log_softmax(z)
    return ref_reduce(-np.take_along_axis(logp, labels[..., None], -1)[..., 0], reduction)


def ref_bce_logits(z, t, reduction="mean"):
    return ref_reduce(np.logaddexp(0, z) - z * t, reduction)  # log(1 + e^z) - z t


def ref_bce(p, t, reduction="mean"):
    return ref_reduce(-(t * np.log(p) + (1 - t) * np.log(1 - p)), reduction)


def hvp_check(f, x, seed=0, eps=1e-6):
    """Second order: the double-backward Hessian-vector product of the scalar f at x equals
    central differences of the first-order gradient along a random direction."""
    v = np.random.default_rng(seed).standard_normal(x.shape)

    def grad(at):
        t = Tensor(at, requires_grad=True)
        f(t).backward()
        return t.grad

    t = Tensor(x, requires_grad=True)
    f(t).backward(create_graph=True)
    g = t.grad
    t.grad = None
    (g * v).sum().backward()
    numeric = (grad(x + eps * v) - grad(x - eps * v)) / (2 * eps)
    np.testing.assert_allclose(t.grad, numeric, rtol=1e-4, atol=1e-6)


def batch_and_classes():
    return st.tuples(st.integers(1, 5), st.integers(2, 5))


REDUCTION = st.sampled_from(["mean", "sum", "none"])

# ----- activations -----


ACTIVATIONS = [
    (relu, lambda z: np.maximum(z, 0), (0.0,)),
    (tanh, np.tanh, ()),
    (sigmoid, lambda z: 1 / (1 + np.exp(-z)), ()),
    (softmax, lambda z: np.exp(ref_log_softmax(z)), ()),
    (log_softmax, ref_log_softmax, ()),
    (identity, lambda z: z, ()),
]


@pytest.mark.parametrize("fn, ref, kinks", ACTIVATIONS, ids=lambda a: getattr(a, "__name__", ""))
@given(data=st.data())
def test_activation_values_and_gradients(fn, ref, kinks, data):
    x = data.draw(arrays(shape=data.draw(shapes(min_dims=1)), away_from=kinks))
    np.testing.assert_allclose(fn(x).data, ref(x), rtol=1e-12, atol=1e-14)
    assert gradcheck(fn, [x])


def test_softmax_axis_and_dim():
    x = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_allclose(softmax(x, axis=0).data, np.exp(ref_log_softmax(x.T)).T)
    np.testing.assert_allclose(softmax(x, dim=0).data, softmax(x, axis=0).data)
    np.testing.assert_allclose(log_softmax(x, dim=0).data, ref_log_softmax(x.T).T)


def test_activations_accept_lists_and_keep_float32():
    assert relu([1, -1]).dtype == np.float32
    assert sigmoid(np.zeros(2, dtype=np.float32)).dtype == np.float32
    assert softmax(np.zeros((1, 2), dtype=np.float64)).dtype == np.float64


# ----- the fused dense op -----


@given(data=st.data())
def test_affine_gradients(data):
    n_in, n_out = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    lead = data.draw(st.sampled_from([(), (3,), (2, 3)]))
    x = data.draw(arrays(shape=lead + (n_in,)))
    w, b = data.draw(arrays(shape=(n_in, n_out))), data.draw(arrays(shape=(n_out,)))
    np.testing.assert_allclose(affine(x, w, b).data, x @ w + b, rtol=1e-12, atol=1e-12)
    assert gradcheck(affine, [x, w, b])
    assert gradcheck(lambda x, w: affine(x, w), [x, w])


def test_affine_second_order():
    rng = np.random.default_rng(0)
    w, b = Tensor(rng.standard_normal((3, 2))), Tensor(rng.standard_normal(2))
    hvp_check(lambda x: affine(x, w, b).tanh().sum(), rng.standard_normal((4, 3)))
    x = Tensor(rng.standard_normal((4, 3)))
    hvp_check(lambda w: (affine(x, w, b) ** 2).sum(), rng.standard_normal((3, 2)))


def test_affine_skips_the_input_gradient_of_a_constant_input():
    w = Tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True)
    b = Tensor(np.zeros(2, dtype=np.float32), requires_grad=True)
    x = Tensor(np.ones((4, 3), dtype=np.float32))
    out = affine(x, w, b)
    assert out.dtype == np.float32 and out.grad_fn.name == "affine"
    out.sum().backward()
    assert x.grad is None
    np.testing.assert_array_equal(w.grad, np.full((3, 2), 4.0))
    np.testing.assert_array_equal(b.grad, [4.0, 4.0])
    assert w.grad.dtype == np.float32


# ----- losses: values and gradients -----


@given(shape=shapes(min_dims=1), reduction=REDUCTION, data=st.data())
def test_mse_loss(shape, reduction, data):
    x, t = data.draw(arrays(shape=shape)), data.draw(arrays(shape=shape))
    np.testing.assert_allclose(mse_loss(x, t, reduction).data,
                               ref_reduce((x - t) ** 2, reduction), rtol=1e-12)
    assert gradcheck(lambda a, b: mse_loss(a, b, reduction), [x, t])
    assert MSELoss(reduction)(x, t).data == pytest.approx(mse_loss(x, t, reduction).data)


@given(shape=shapes(min_dims=1), reduction=REDUCTION, data=st.data())
def test_binary_cross_entropy_from_logits(shape, reduction, data):
    z = data.draw(arrays(shape=shape, min_value=-6, max_value=6))
    t = data.draw(arrays(shape=shape, min_value=0, max_value=1))
    np.testing.assert_allclose(binary_cross_entropy(z, t, reduction, from_logits=True).data,
                               ref_bce_logits(z, t, reduction), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(binary_cross_entropy_with_logits(z, t, reduction).data,
                               ref_bce_logits(z, t, reduction), rtol=1e-12, atol=1e-14)
    assert gradcheck(lambda a: binary_cross_entropy_with_logits(a, t, reduction), [z])


@given(shape=shapes(min_dims=1), reduction=REDUCTION, data=st.data())
def test_binary_cross_entropy_from_probabilities(shape, reduction, data):
    p = data.draw(arrays(shape=shape, min_value=0.05, max_value=0.95))
    t = data.draw(arrays(shape=shape, min_value=0, max_value=1))
    np.testing.assert_allclose(binary_cross_entropy(p, t, reduction).data,
                               ref_bce(p, t, reduction), rtol=1e-12, atol=1e-14)
    assert gradcheck(lambda a: binary_cross_entropy(a, t, reduction), [p])


@given(nc=batch_and_classes(), reduction=REDUCTION, data=st.data())
def test_cross_entropy_with_labels(nc, reduction, data):
    n, c = nc
    z = data.draw(arrays(shape=(n, c), min_value=-5, max_value=5))
    labels = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    np.testing.assert_allclose(cross_entropy(z, labels, reduction).data,
                               ref_cross_entropy(z, labels, reduction), rtol=1e-12, atol=1e-14)
    assert gradcheck(lambda a: cross_entropy(a, labels, reduction), [z])


@given(nc=batch_and_classes(), data=st.data())
def test_cross_entropy_with_probability_targets(nc, data):
    n, c = nc
    z = data.draw(arrays(shape=(n, c), min_value=-5, max_value=5))
    t = np.random.default_rng(data.draw(st.integers(0, 100))).dirichlet(np.ones(c), n)
    expected = -np.mean((t * ref_log_softmax(z)).sum(-1))
    assert cross_entropy(z, t).item() == pytest.approx(expected, rel=1e-12)
    assert gradcheck(lambda a: cross_entropy(a, t), [z])


def test_cross_entropy_shapes():
    rng = np.random.default_rng(0)
    z = rng.standard_normal(4)  # one sample (C,) with a scalar label
    assert cross_entropy(z, 2).item() == pytest.approx(-ref_log_softmax(z)[2])
    assert gradcheck(lambda a: cross_entropy(a, 2), [z])
    z = rng.standard_normal((2, 3, 4))  # extra batch axes, classes last
    labels = rng.integers(0, 4, (2, 3))
    assert cross_entropy(z, labels, "none").shape == (2, 3)
    assert gradcheck(lambda a: cross_entropy(a, labels), [z])
    float_labels = Tensor(labels.reshape(6).tolist())  # a Tensor holds ints as float32
    assert float_labels.dtype == np.float32
    np.testing.assert_allclose(cross_entropy(z.reshape(6, 4), float_labels).data,
                               cross_entropy(z.reshape(6, 4), labels.reshape(6)).data)
    assert CrossEntropyLoss()(z, labels).item() == pytest.approx(ref_cross_entropy(z, labels))


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    rng = np.random.default_rng(1)
    z = Tensor(rng.standard_normal((5, 3)), requires_grad=True)
    labels = np.array([0, 2, 1, 1, 0])
    cross_entropy(z, labels).backward()
    expected = np.exp(ref_log_softmax(z.data))
    expected[np.arange(5), labels] -= 1
    np.testing.assert_allclose(z.grad, expected / 5, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("loss", [
    lambda z: cross_entropy(z, np.array([0, 2, 1])),
    lambda z: cross_entropy(z, np.array([[0.2, 0.3, 0.5]] * 3)),
    lambda z: (cross_entropy(z, np.array([0, 2, 1]), "none") ** 2).sum(),
    lambda z: binary_cross_entropy_with_logits(z, np.eye(3)),
    lambda z: binary_cross_entropy(sigmoid(z), np.eye(3)),
    lambda z: mse_loss(z.tanh(), np.eye(3), "sum"),
], ids=["ce", "ce_soft", "ce_none", "bce_logits", "bce", "mse"])
def test_losses_second_order(loss):
    hvp_check(loss, np.random.default_rng(2).standard_normal((3, 3)))


def test_loss_dtypes():
    z = np.zeros((2, 3), dtype=np.float32)
    assert cross_entropy(z, np.array([0, 1])).dtype == np.float32
    assert mse_loss(z, np.ones((2, 3))).dtype == np.float32  # the target takes the input's
    assert binary_cross_entropy_with_logits(z, np.ones((2, 3))).dtype == np.float32


# ----- stability at large logits -----


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_and_softmax_are_finite_and_warning_free_at_1e4(dtype):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [-1e4, 1e4, -1e4]], dtype=dtype)
    labels = np.array([1, 2, 0])
    onehot = np.eye(3)[labels]
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        t = Tensor(z, requires_grad=True)
        loss = cross_entropy(t, labels)
        loss.backward()
        # exact values: losses 2e4, 0 and 2e4; gradient (softmax - onehot) / 3
        assert loss.dtype == dtype and loss.item() == pytest.approx(4e4 / 3)
        probs = np.array([[1, 0, 0], [0, 0, 1], [0, 1, 0]])
        np.testing.assert_allclose(t.grad, (probs - onehot) / 3, atol=1e-7)

        t = Tensor(z, requires_grad=True)
        loss = binary_cross_entropy_with_logits(t, onehot)
        loss.backward()
        expected = (4e4 + np.log(2)) / 9  # log(1 + e^z) - z t, summed by hand
        assert np.isfinite(loss.item()) and loss.item() == pytest.approx(expected, rel=1e-6)
        sig = (z > 0) + 0.5 * (z == 0)  # sigmoid at +-1e4 and 0
        np.testing.assert_allclose(t.grad, (sig - onehot) / 9, atol=1e-7)

        for fn in (softmax, log_softmax, sigmoid):
            t = Tensor(z, requires_grad=True)
            out = fn(t)
            out.backward(np.ones_like(z))
            assert np.isfinite(out.data).all() and np.isfinite(t.grad).all()
        np.testing.assert_array_equal(softmax(z).data, probs)
        np.testing.assert_array_equal(log_softmax(z).data[0], [0, -2e4, -1e4])

        p = Tensor(np.array([0.0, 1.0, 0.5], dtype=dtype), requires_grad=True)
        loss = binary_cross_entropy(p, np.array([1.0, 0.0, 1.0]), "none")
        loss.backward(np.ones(3))
        np.testing.assert_allclose(loss.data, [100, 100, np.log(2)], rtol=1e-6)
        assert np.isfinite(p.grad).all()


# ----- bad input -----


def test_loss_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match=r"input has shape \(4, 1\) but target has shape "
                                         r"\(4,\)"):
        mse_loss(np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
        mse_loss(np.zeros((4, 1)), Tensor(np.zeros(4)))
    with pytest.raises(ValueError, match="shape"):
        binary_cross_entropy(np.full(3, 0.5), np.ones(2))
    with pytest.raises(ValueError, match=r"labels of shape \(4,\).*got target of shape "
                                         r"\(4, 1\)"):
        cross_entropy(np.zeros((4, 3)), np.zeros((4, 1), dtype=int))


@pytest.mark.parametrize("labels", [[0, 3], [-1, 0]])
def test_labels_out_of_range(labels):
    with pytest.raises(ValueError, match=r"labels must be in 0\.\.2 for 3 classes"):
        cross_entropy(np.zeros((2, 3)), np.array(labels))


def test_bad_labels_and_probabilities():
    with pytest.raises(ValueError, match="integer"):
        cross_entropy(np.zeros((2, 3)), np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        binary_cross_entropy(np.array([1.5, 0.5]), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 1\]"):
        binary_cross_entropy_with_logits(np.zeros(2), np.array([2.0, 0.0]))
    with pytest.raises(ValueError, match="empty"):
        mse_loss(np.zeros(0), np.zeros(0))


@pytest.mark.parametrize("make", [
    lambda r: mse_loss(np.zeros(2), np.zeros(2), reduction=r),
    lambda r: cross_entropy(np.zeros((1, 2)), np.array([0]), reduction=r),
    lambda r: binary_cross_entropy(np.full(2, 0.5), np.zeros(2), reduction=r),
    lambda r: BCELoss(reduction=r),
    lambda r: BCEWithLogitsLoss(reduction=r),
])
def test_unknown_reduction_lists_the_choices(make):
    with pytest.raises(ValueError, match="'mean', 'sum', 'none'"):
        make("average")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_same_as_torch(reduction):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    rng = np.random.default_rng(5)
    z, labels = rng.standard_normal((6, 4)) * 3, rng.integers(0, 4, 6)
    p, t = rng.uniform(0.01, 0.99, (6, 4)), rng.uniform(0, 1, (6, 4))
    cases = [
        (lambda a: cross_entropy(a, labels, reduction),
         lambda a: tf.cross_entropy(a, torch.tensor(labels), reduction=reduction), z),
        (lambda a: binary_cross_entropy(a, t, reduction),
         lambda a: tf.binary_cross_entropy(a, torch.tensor(t), reduction=reduction), p),
        (lambda a: binary_cross_entropy_with_logits(a, t, reduction),
         lambda a: tf.binary_cross_entropy_with_logits(a, torch.tensor(t),
                                                       reduction=reduction), z),
        (lambda a: mse_loss(a, t, reduction),
         lambda a: tf.mse_loss(a, torch.tensor(t), reduction=reduction), z),
    ]
    for ours, theirs, x in cases:
        mine = Tensor(x, requires_grad=True)
        out = ours(mine)
        out.backward(np.ones(out.shape))
        ref = torch.tensor(x, requires_grad=True)
        ref_out = theirs(ref)
        ref_out.backward(torch.ones_like(ref_out))
        np.testing.assert_allclose(out.data, ref_out.detach().numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(mine.grad, ref.grad.numpy(), rtol=1e-10, atol=1e-14)
