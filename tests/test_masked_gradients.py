"""Gradients routed through a 0/1 mask are exactly 0 where the mask is 0, even where the
upstream gradient is inf or nan, as in PyTorch.

relu, clip, hardtanh, max, max-pooling, ... pass the upstream gradient g on where their
input is on a sloped piece and give 0 where it is flat. A product g * mask turns an
infinite g (sqrt's at 0 in `x.relu().sqrt()`) into inf * 0 = nan at a flat position, where
the function is constant and PyTorch's gradient is 0; `ops.select` gives exactly 0 there.
Ops whose PyTorch gradient is nan there too (abs at 0, leaky_relu with slope 0, elu far
left) are not in the tables: they keep PyTorch's nan. Padding's gradient and adaptive
pooling are exact sums too, not products with 0/1 (or averaging) matrices.
"""

import numpy as np
import pytest

import autograd_lite as ag
import nn.functional as F
from autograd_lite import Tensor, Value, grad
from autograd_lite.ops import select

# on the flat pieces, on the kinks and on the sloped pieces of each op below
X = np.array([[-7.0, -3.0, -2.0, -1.0, -0.25, 0.0, 0.5],
              [1.0, 2.5, 3.0, 4.0, 6.0, 6.5, -0.0]])
UPSTREAM = {"inf": np.inf, "-inf": -np.inf, "nan": np.nan,
            "mixed": np.resize([np.inf, np.nan, -np.inf, 1.5], 64),
            "one_inf": np.r_[1.5, np.inf, np.zeros(62) + 0.25]}
OTHER = np.array([[0.5, -3.0, 1.0, -1.0, 2.0, -4.0, 0.5],
                  [1.0, 3.0, -3.0, 4.0, 5.0, 7.0, 0.0]])  # ties with X included
POOL = np.array([[0.3, -1.2, 2.2, 0.1, -0.7, 1.4, 0.9],
                 [1.1, -0.4, 0.2, 2.7, -2.1, 0.8, 0.6]])  # no ties


def _ours_and_torch():
    """name -> (ours(x), torch's(x), input), for every op whose rule selects."""
    import torch
    import torch.nn.functional as TF

    def t(a):
        return torch.tensor(a)

    return {
        "relu": (lambda x: x.relu(), torch.relu, X),
        "relu_nn": (F.relu, TF.relu, X),
        "relu6": (F.relu6, TF.relu6, X),
        "hardtanh": (F.hardtanh, TF.hardtanh, X),
        "hardtanh_wide": (lambda x: F.hardtanh(x, -3.0, 4.0),
                          lambda x: TF.hardtanh(x, -3.0, 4.0), X),
        "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid, X),
        "hardswish": (F.hardswish, TF.hardswish, X),
        "clip": (lambda x: x.clip(-1.0, 3.0), lambda x: x.clamp(-1.0, 3.0), X),
        "clip_min": (lambda x: x.clip(min=0.0), lambda x: x.clamp(min=0.0), X),
        "clip_max": (lambda x: x.clip(max=2.5), lambda x: x.clamp(max=2.5), X),
        "np_clip": (lambda x: np.clip(x, -1.0, 3.0), lambda x: x.clamp(-1.0, 3.0), X),
        "maximum": (lambda x: ag.maximum(x, Tensor(OTHER)),
                    lambda x: torch.maximum(x, t(OTHER)), X),
        "maximum_second": (lambda x: ag.maximum(Tensor(OTHER), x),
                           lambda x: torch.maximum(t(OTHER), x), X),
        "maximum_broadcast": (lambda x: x.maximum(Tensor(np.array([0.0]))),
                              lambda x: torch.maximum(x, t(np.array([0.0]))), X),
        "minimum": (lambda x: ag.minimum(x, Tensor(OTHER)),
                    lambda x: torch.minimum(x, t(OTHER)), X),
        "minimum_second": (lambda x: ag.minimum(Tensor(OTHER), x),
                           lambda x: torch.minimum(t(OTHER), x), X),
        "max": (lambda x: x.max(), lambda x: x.max(), X),
        "max_ties": (lambda x: x.max(), lambda x: x.max(), np.array([1.0, 3.0, 3.0, -2.0])),
        "min": (lambda x: x.min(), lambda x: x.min(), X),
        "max_axis": (lambda x: x.max(axis=1), lambda x: x.max(dim=1).values, POOL),
        "min_axis": (lambda x: x.min(axis=0), lambda x: x.min(dim=0).values, POOL),
        "max_keepdims": (lambda x: x.max(axis=0, keepdims=True),
                         lambda x: x.max(dim=0, keepdim=True).values, POOL),
        "max_pool2d": (lambda x: ag.max_pool2d(x.reshape(1, 1, 2, 7), 2, 1),
                       lambda x: TF.max_pool2d(x.reshape(1, 1, 2, 7), 2, 1), POOL),
        "max_pool2d_padded": (
            lambda x: ag.max_pool2d(x.reshape(1, 2, 1, 7), 3, 2, 1),
            lambda x: TF.max_pool2d(x.reshape(1, 2, 1, 7), 3, 2, 1), POOL),
        "where": (lambda x: ag.where(X > 0, x, 0.0),
                  lambda x: torch.where(t(X > 0), x, 0.0), X),
        # padded copies add their gradient to the element they copy: exact sums
        "pad_replicate": (lambda x: F.pad(x[None], (2, 1, 1, 1), mode="replicate"),
                          lambda x: TF.pad(x[None], (2, 1, 1, 1), mode="replicate"), POOL),
        "pad_circular": (lambda x: F.pad(x[None], (1, 2, 1, 0), mode="circular"),
                         lambda x: TF.pad(x[None], (1, 2, 1, 0), mode="circular"), POOL),
        "pad_reflect": (lambda x: F.pad(x[None], (2, 1, 1, 1), mode="reflect"),
                        lambda x: TF.pad(x[None], (2, 1, 1, 1), mode="reflect"), POOL),
        # each window's mean, never a product with an averaging matrix's zeros
        "adaptive_avg_pool2d": (lambda x: ag.adaptive_avg_pool2d(x[None], (2, 3)),
                                lambda x: TF.adaptive_avg_pool2d(x[None], (2, 3)), POOL),
        "adaptive_avg_pool2d_equal": (lambda x: ag.adaptive_avg_pool2d(x[None], (1, 7)),
                                      lambda x: TF.adaptive_avg_pool2d(x[None], (1, 7)), POOL),
        "adaptive_avg_pool1d": (lambda x: ag.adaptive_avg_pool1d(x[None], 4),
                                lambda x: TF.adaptive_avg_pool1d(x[None], 4), POOL),
    }


CASE_NAMES = ["relu", "relu_nn", "relu6", "hardtanh", "hardtanh_wide", "hardsigmoid",
              "hardswish", "clip", "clip_min", "clip_max", "np_clip", "maximum",
              "maximum_second", "maximum_broadcast", "minimum", "minimum_second", "max",
              "max_ties", "min", "max_axis", "min_axis", "max_keepdims", "max_pool2d",
              "max_pool2d_padded", "where", "pad_replicate", "pad_circular", "pad_reflect",
              "adaptive_avg_pool2d", "adaptive_avg_pool2d_equal", "adaptive_avg_pool1d"]


def _upstream(kind, shape):
    return np.resize(np.asarray(UPSTREAM[kind], dtype=np.float64), shape)


@pytest.mark.filterwarnings("ignore:invalid value")  # a padded inf + -inf: nan in both
@pytest.mark.parametrize("kind", list(UPSTREAM))
@pytest.mark.parametrize("name", CASE_NAMES)
def test_tensor_gradient_matches_torch_for_infinite_upstream(name, kind):
    torch = pytest.importorskip("torch", reason="torch is the oracle here: "
                                                "pip install torch==2.13.0")
    ours, theirs, x = _ours_and_torch()[name]
    a = Tensor(x.copy(), requires_grad=True)
    out = ours(a)
    g = _upstream(kind, out.shape)
    out.backward(g)
    b = torch.tensor(x.copy(), requires_grad=True)
    theirs(b).backward(torch.tensor(g))
    # inf and nan must sit where PyTorch's are; every other value (zeros too) is close
    np.testing.assert_allclose(np.asarray(a.grad), b.grad.numpy(), rtol=1e-7, atol=0)


@pytest.mark.filterwarnings("ignore:invalid value")  # sums of inf and -inf in the check
@pytest.mark.parametrize("kind", ["inf", "nan"])
@pytest.mark.parametrize("name", ["relu", "relu6", "hardtanh", "hardswish", "clip",
                                  "maximum", "minimum", "max", "max_axis", "max_pool2d"])
def test_second_order_matches_torch_for_infinite_upstream(name, kind):
    """create_graph=True: the first gradient (recorded with `Select`) and its own gradient
    (d/dx of sum(first * w)) agree with PyTorch's."""
    torch = pytest.importorskip("torch", reason="torch is the oracle here: "
                                                "pip install torch==2.13.0")
    ours, theirs, x = _ours_and_torch()[name]
    w = np.linspace(-1.0, 2.0, x.size).reshape(x.shape)
    a = Tensor(x.copy(), requires_grad=True)
    out = ours(a)
    g = Tensor(_upstream(kind, out.shape), requires_grad=True)
    out.backward(g, create_graph=True)
    first, a.grad = a.grad, None
    (first * Tensor(w)).sum().backward()
    b = torch.tensor(x.copy(), requires_grad=True)
    tg = torch.tensor(g.data, requires_grad=True)
    (tfirst,) = torch.autograd.grad(theirs(b), [b], tg, create_graph=True)
    (tfirst * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(np.asarray(first.data), tfirst.detach().numpy(), rtol=1e-7,
                               atol=0)
    # d/dg of the first gradient: the mask itself (w where selected, 0 elsewhere)
    np.testing.assert_allclose(np.asarray(g.grad), tg.grad.numpy(), rtol=1e-7, atol=0)
    ours_second = np.zeros_like(x) if a.grad is None else np.asarray(a.grad)
    theirs_second = np.zeros_like(x) if b.grad is None else b.grad.numpy()
    np.testing.assert_allclose(ours_second, theirs_second, rtol=1e-7, atol=0)


@pytest.mark.parametrize("x", [-1.0, 0.0, -0.0, -1e300])
def test_value_relu_matches_torch_for_infinite_upstream(x):
    torch = pytest.importorskip("torch", reason="torch is the oracle here: "
                                                "pip install torch==2.13.0")
    v = Value(x)
    (v.relu() ** 0.5).backward()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (t.relu() ** 0.5).backward()
    assert v.grad == t.grad.item() == 0.0
    for upstream in (float("inf"), float("nan")):
        v = Value(x)
        v.relu().backward(upstream)
        assert v.grad == 0.0


@pytest.mark.parametrize("x", [-1.0, 0.0, 4.0])
def test_value_relu_second_order_matches_torch_for_infinite_upstream(x):
    """create_graph=True on Values: relu's gradient is recorded with `scalar_ops.Select`."""
    torch = pytest.importorskip("torch", reason="torch is the oracle here: "
                                                "pip install torch==2.13.0")
    v = Value(x)
    (v.relu() ** 0.5).backward(create_graph=True)
    first, v.grad = v.grad, None
    first.backward()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (tfirst,) = torch.autograd.grad(t.relu() ** 0.5, t, create_graph=True)
    tfirst.backward()
    assert (first.data, v.grad) == (tfirst.item(), t.grad.item())


@pytest.mark.parametrize("name", ["adaptive_avg_pool2d", "adaptive_avg_pool1d", "pad_replicate"])
def test_an_infinite_input_stays_in_its_windows(name):
    """The forward pass too: an inf element makes inf only where PyTorch's does."""
    torch = pytest.importorskip("torch", reason="torch is the oracle here: "
                                                "pip install torch==2.13.0")
    ours, theirs, x = _ours_and_torch()[name]
    x = x.copy()
    x[0, 1] = np.inf
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).numpy(),
                               rtol=1e-12, atol=0)


# ----- without PyTorch: exact zeros -----


def test_relu_then_sqrt_has_gradient_zero_where_relu_is_flat():
    """sqrt(relu(x)) is constant (0) for x <= 0: its gradient there is 0, not nan."""
    x = Tensor([-2.0, -0.0, 0.0, 4.0], requires_grad=True)
    with np.errstate(divide="ignore"):  # sqrt's own gradient at 0 is inf
        x.relu().sqrt().sum().backward()
    assert np.array_equal(x.grad, [0.0, 0.0, 0.0, 0.25])
    v = Value(-1.0)
    (v.relu() ** 0.5).backward()
    assert v.grad == 0.0 and not np.signbit(v.grad)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["relu", "relu6", "hardtanh", "hardsigmoid", "hardswish",
                                  "clip", "maximum", "minimum", "max", "max_axis",
                                  "max_pool2d"])
def test_flat_positions_get_exact_zeros_without_warnings(name, dtype):
    ops = {
        "relu": (lambda x: x.relu(), X),
        "relu6": (F.relu6, X),
        "hardtanh": (F.hardtanh, X),
        "hardsigmoid": (F.hardsigmoid, X),
        "hardswish": (F.hardswish, X),
        "clip": (lambda x: x.clip(-1.0, 3.0), X),
        "maximum": (lambda x: ag.maximum(x, Tensor(OTHER.astype(dtype))), X),
        "minimum": (lambda x: ag.minimum(x, Tensor(OTHER.astype(dtype))), X),
        "max": (lambda x: x.max(), X),
        "max_axis": (lambda x: x.max(axis=1), POOL),
        "max_pool2d": (lambda x: ag.max_pool2d(x.reshape(1, 1, 2, 7), 2, 1), POOL),
    }
    fn, x = ops[name]
    ref = Tensor(x.astype(dtype), requires_grad=True)  # the flat positions: gradient 0
    fn(ref).backward(np.ones(fn(Tensor(x.astype(dtype))).shape, dtype=dtype))
    flat = np.asarray(ref.grad) == 0
    assert flat.any() and not flat.all()
    for upstream in (np.inf, -np.inf, np.nan):
        a = Tensor(x.astype(dtype), requires_grad=True)
        out = fn(a)
        with np.errstate(all="raise"):  # no inf * 0 computed on the way
            out.backward(np.full(out.shape, upstream, dtype=dtype))
        got = np.asarray(a.grad)
        assert got.dtype == dtype
        assert np.array_equal(got[flat], np.zeros(flat.sum(), dtype))
        assert not np.signbit(got[flat]).any()  # +0, as where(mask, g, 0) gives
        assert not np.isfinite(got[~flat]).any()


def test_select_is_where_bit_for_bit():
    rng = np.random.default_rng(0)
    for dtype in (np.float16, np.float32, np.float64, np.longdouble):
        g = rng.standard_normal((5, 6)).astype(dtype)
        g.flat[::4] = np.inf
        g.flat[1::4] = -np.inf
        g.flat[2::7] = np.nan
        g.flat[3::5] = -0.0
        mask = rng.standard_normal((5, 6)) > 0
        expected = np.where(mask, g, dtype(0))
        for gg, mm, ee in [(g, mask, expected),
                           (g.T, mask.T, expected.T),  # not contiguous
                           (g[:, ::2], mask[:, ::2], expected[:, ::2]),
                           (g[:1, :1], mask, np.where(mask, g[:1, :1], dtype(0))),  # broadcast g
                           (g, mask[:1], np.where(mask[:1], g, dtype(0))),  # broadcast mask
                           (g[0, 0], mask[0, 0], expected[0, 0])]:  # 0-d
            got = select(mm, gg)
            assert got.dtype == dtype and got.shape == np.shape(ee)
            assert np.ascontiguousarray(got).tobytes() == np.ascontiguousarray(ee).tobytes()
        zero_d = select(np.array(False), np.array(np.inf, dtype))
        assert zero_d == 0 and np.shape(zero_d) == ()


def test_select_records_a_graph_with_the_right_derivatives():
    x = Tensor([-1.0, 2.0], requires_grad=True)
    g = Tensor([np.inf, 3.0], requires_grad=True)
    out = select(x.data > 0, g * g, x)
    assert out.grad_fn.name == "select" and np.array_equal(out.data, [0.0, 9.0])
    dg, dx = grad(lambda gg, xx: select(xx.data > 0, gg * 2, xx).sum(), argnums=(0, 1))(g, x)
    assert np.array_equal(dg, [0.0, 2.0]) and np.array_equal(dx, [0.0, 0.0])


def test_an_overwritten_value_gets_exactly_zero():
    """t[[0, 0, 2]] = v: the first write to position 0 is overwritten, so its gradient is 0,
    even where the gradient arriving at position 0 is inf."""
    a = Tensor(np.zeros(3), requires_grad=True)
    v = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    b = a * 1.0
    b[np.array([0, 0, 2])] = v
    b.backward(np.array([np.inf, 1.0, np.nan]))
    assert np.array_equal(v.grad, [0.0, np.inf, np.nan], equal_nan=True)
    assert np.array_equal(a.grad, [0.0, 1.0, 0.0])
