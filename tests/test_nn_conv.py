"""Convolution, pooling, normalisation and embedding: against PyTorch (float64) when it is
installed, and as modules (shapes, train/eval, state_dict, save/load, initialisation).

The gradient of every operation against finite differences is in tests/test_tensor_ops.py.
"""

import numpy as np
import pytest

import autograd_lite as ag
import nn
from autograd_lite import Tensor, gradgradcheck
from nn import functional as F

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # the oracle tests are skipped with a reason
    torch = None

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed (pip install "
                                 "torch==2.13.0); it is the oracle of these tests")


def _compare(ours, theirs, arrays, atol=1e-9, seed=0):
    """Values and gradients of ours(*Tensors) and theirs(*torch tensors) agree in float64."""
    ts = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = ours(*ts), theirs(*tt)
    assert out.shape == tuple(ref.shape)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), atol=atol, rtol=1e-7)
    g = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(g)
    ref.backward(torch.tensor(g))
    for a, b in zip(ts, tt):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), atol=atol, rtol=1e-7)


def _configs(count, seed):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        yield rng


@needs_torch
def test_conv2d_and_conv_transpose2d_match_pytorch():
    done = 0
    for rng in _configs(50, 0):
        groups, cg, og = (int(v) for v in rng.integers(1, 3, 3))
        k = tuple(int(v) for v in rng.integers(1, 4, 2))
        s = tuple(int(v) for v in rng.integers(1, 3, 2))
        d = tuple(int(v) for v in rng.integers(1, 3, 2))
        p = tuple(int(v) for v in rng.integers(0, 3, 2))
        size = tuple(int(v) for v in rng.integers(3, 9, 2))
        x = rng.standard_normal((int(rng.integers(1, 3)), groups * cg) + size)
        w = rng.standard_normal((groups * og, cg) + k)
        b = rng.standard_normal(groups * og)
        if any(n + 2 * q < dd * (kk - 1) + 1 for n, q, dd, kk in zip(size, p, d, k)):
            continue
        _compare(lambda x, w, b: F.conv2d(x, w, b, s, p, d, groups),
                 lambda x, w, b: TF.conv2d(x, w, b, s, p, d, groups), [x, w, b])
        fits = all(n >= dd * (kk - 1) + 1 for n, dd, kk in zip(size, d, k))
        for padding in ("same", "valid") if fits else ("same",):
            _compare(lambda x, w: F.conv2d(x, w, padding=padding, dilation=d, groups=groups),
                     lambda x, w: TF.conv2d(x, w, padding=padding, dilation=d, groups=groups),
                     [x, w])
        wt = rng.standard_normal((groups * cg, og) + k)
        extra = tuple(int(rng.integers(0, max(a, c))) for a, c in zip(s, d))
        try:
            TF.conv_transpose2d(torch.tensor(x), torch.tensor(wt), None, s, p, extra, groups, d)
        except RuntimeError:  # an output size PyTorch refuses (so do we, below)
            with pytest.raises(ValueError, match="conv_transpose2d"):
                F.conv_transpose2d(x, wt, None, s, p, extra, groups, d)
            continue
        _compare(lambda x, w, b: F.conv_transpose2d(x, w, b, s, p, extra, groups, d),
                 lambda x, w, b: TF.conv_transpose2d(x, w, b, s, p, extra, groups, d),
                 [x, wt, rng.standard_normal(groups * og)])
        done += 1
    assert done > 15


@needs_torch
def test_one_dimensional_convolutions_match_pytorch():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 9))
    w = rng.standard_normal((6, 2, 3))
    b = rng.standard_normal(6)
    for kw in (dict(stride=2, padding=1, dilation=2, groups=2), dict(padding="same", groups=2),
               dict(padding="valid", groups=2)):
        _compare(lambda x, w, b: F.conv1d(x, w, b, **kw), lambda x, w, b: TF.conv1d(x, w, b, **kw),
                 [x, w, b])
    wt = rng.standard_normal((4, 3, 3))
    _compare(lambda x, w: F.conv_transpose1d(x, w, stride=2, padding=1, output_padding=1),
             lambda x, w: TF.conv_transpose1d(x, w, stride=2, padding=1, output_padding=1),
             [x, wt])
    # unbatched inputs, as PyTorch accepts them
    _compare(lambda x, w: F.conv1d(x, w), lambda x, w: TF.conv1d(x, w),
             [x[0], rng.standard_normal((6, 4, 3))])
    _compare(lambda x, w: F.conv2d(x, w), lambda x, w: TF.conv2d(x, w),
             [rng.standard_normal((2, 5, 5)), rng.standard_normal((3, 2, 2, 2))])


@needs_torch
def test_pooling_matches_pytorch():
    checked = 0
    for rng in _configs(120, 2):
        x = rng.standard_normal((int(rng.integers(1, 3)), 2) + tuple(
            int(v) for v in rng.integers(3, 9, 2)))
        k = tuple(int(v) for v in rng.integers(1, 4, 2))
        s = tuple(int(v) for v in rng.integers(1, 3, 2))
        p = tuple(int(rng.integers(0, kk // 2 + 1)) for kk in k)
        d = tuple(int(v) for v in rng.integers(1, 3, 2))
        ceil = bool(rng.integers(0, 2))
        try:
            TF.max_pool2d(torch.tensor(x), k, s, p, d, ceil)
        except RuntimeError:
            continue
        _compare(lambda x: F.max_pool2d(x, k, s, p, d, ceil),
                 lambda x: TF.max_pool2d(x, k, s, p, d, ceil), [x])
        for include in (True, False):
            _compare(lambda x: F.avg_pool2d(x, k, s, p, ceil, include),
                     lambda x: TF.avg_pool2d(x, k, s, p, ceil, include), [x])
        _compare(lambda x: F.avg_pool2d(x, k, s, p, ceil, divisor_override=3),
                 lambda x: TF.avg_pool2d(x, k, s, p, ceil, divisor_override=3), [x])
        out = tuple(int(v) for v in rng.integers(1, 6, 2))
        _compare(lambda x: F.adaptive_avg_pool2d(x, out),
                 lambda x: TF.adaptive_avg_pool2d(x, out), [x])
        checked += 1
    assert checked > 50
    x = np.random.default_rng(3).standard_normal((2, 3, 11))
    _compare(lambda x: F.max_pool1d(x, 3, 2, 1, ceil_mode=True),
             lambda x: TF.max_pool1d(x, 3, 2, 1, ceil_mode=True), [x])
    _compare(lambda x: F.avg_pool1d(x, 4, 3, 2, count_include_pad=False),
             lambda x: TF.avg_pool1d(x, 4, 3, 2, count_include_pad=False), [x])
    _compare(lambda x: F.adaptive_avg_pool1d(x, 4), lambda x: TF.adaptive_avg_pool1d(x, 4), [x])


def test_max_pool_ties_share_the_gradient_like_max():
    x = Tensor(np.array([[[[1.0, 1.0], [0.0, 1.0]]]]), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_allclose(x.grad, [[[[1 / 3, 1 / 3], [0.0, 1 / 3]]]])
    y = Tensor(np.array([1.0, 1.0, 0.0, 1.0]), requires_grad=True)
    y.max().backward()
    np.testing.assert_allclose(y.grad, x.grad.reshape(-1))


@needs_torch
def test_normalisation_embedding_and_attention_match_pytorch():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4, 3, 5, 2))
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    _compare(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
             lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True), [x, w, b])
    mean, var = rng.standard_normal(3), rng.uniform(0.5, 2, 3)
    _compare(lambda x, w, b: F.batch_norm(x, Tensor(mean), Tensor(var), w, b),
             lambda x, w, b: TF.batch_norm(x, torch.tensor(mean), torch.tensor(var), w, b),
             [x, w, b])
    lw, lb = rng.standard_normal((5, 2)), rng.standard_normal((5, 2))
    _compare(lambda x, w, b: F.layer_norm(x, (5, 2), w, b),
             lambda x, w, b: TF.layer_norm(x, (5, 2), w, b), [x, lw, lb])
    idx = np.array([[0, 2, 2], [4, 1, 0]])
    _compare(lambda w: F.embedding(idx, w, padding_idx=2),
             lambda w: TF.embedding(torch.tensor(idx), w, padding_idx=2),
             [rng.standard_normal((5, 3))])
    q, k, v = (rng.standard_normal((2, 3, n, 4)) for n in (5, 6, 6))
    mask = rng.random((5, 6)) > 0.3
    mask[:, 0] = True  # no query without a key
    for kw in (dict(), dict(is_causal=True), dict(scale=0.3)):
        _compare(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kw),
                 lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, **kw), [q, k, v])
    _compare(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask),
             lambda q, k, v: TF.scaled_dot_product_attention(q, k, v,
                                                             attn_mask=torch.tensor(mask)),
             [q, k, v])
    bias = rng.standard_normal((5, 6))
    _compare(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=bias),
             lambda q, k, v: TF.scaled_dot_product_attention(q, k, v,
                                                             attn_mask=torch.tensor(bias)),
             [q, k, v])


def _lenet(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, rng=rng, dtype=dtype), nn.BatchNorm2d(4, dtype=dtype),
        nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3, rng=rng, dtype=dtype), nn.ReLU(),
        nn.AvgPool2d(2), nn.Flatten(), nn.Linear(6, 5, rng=rng, dtype=dtype),
        nn.LayerNorm(5, dtype=dtype), nn.Linear(5, 3, rng=rng, dtype=dtype))


def _torch_copy(model):
    """The same network in PyTorch, with our weights (Linear's transposed)."""
    tmodel = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.Conv2d(4, 6, 3), torch.nn.ReLU(), torch.nn.AvgPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(6, 5), torch.nn.LayerNorm(5), torch.nn.Linear(5, 3)
    ).double()
    state = {}
    for name, value in model.state_dict().items():
        if name.endswith("weight") and name.split(".")[0] in ("8", "10"):
            value = value.T
        state[name] = torch.tensor(np.ascontiguousarray(value))
    tmodel.load_state_dict(state)
    return tmodel


@needs_torch
def test_modules_train_and_evaluate_like_pytorch():
    model = _lenet()
    tmodel = _torch_copy(model)
    rng = np.random.default_rng(5)
    opt = nn.SGD(model.parameters(), lr=0.1)
    topt = torch.optim.SGD(tmodel.parameters(), lr=0.1)
    for step in range(3):  # training: batch statistics, running statistics updated
        x, y = rng.standard_normal((8, 1, 8, 8)), rng.integers(0, 3, 8)
        loss = F.cross_entropy(model(x), y)
        tloss = TF.cross_entropy(tmodel(torch.tensor(x)), torch.tensor(y))
        np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-10)
        opt.zero_grad()
        topt.zero_grad()
        loss.backward()
        tloss.backward()
        opt.step()
        topt.step()
    theirs = {k: v.numpy() for k, v in tmodel.state_dict().items()}
    for name, value in model.state_dict().items():
        expected = theirs[name].T if name in ("8.weight", "10.weight") else theirs[name]
        np.testing.assert_allclose(value, expected, rtol=1e-9, atol=1e-12, err_msg=name)
    assert int(model.state_dict()["1.num_batches_tracked"]) == 3
    model.eval()
    tmodel.eval()
    x = rng.standard_normal((5, 1, 8, 8))
    np.testing.assert_allclose(model(x).data, tmodel(torch.tensor(x)).detach().numpy(),
                               rtol=1e-9, atol=1e-12)


@needs_torch
def test_default_initialisation_matches_pytorch_bounds():
    """Kaiming-uniform (a = sqrt(5)): weights and biases uniform in +-1/sqrt(fan_in), with
    fan_in computed as PyTorch computes it."""
    cases = [(nn.Conv2d(8, 300, 3, seed=0), torch.nn.Conv2d(8, 300, 3)),
             (nn.Conv2d(8, 300, (3, 5), groups=4, seed=0),
              torch.nn.Conv2d(8, 300, (3, 5), groups=4)),
             (nn.ConvTranspose2d(8, 300, 3, groups=2, seed=0),
              torch.nn.ConvTranspose2d(8, 300, 3, groups=2)),
             (nn.Conv1d(4, 300, 5, seed=0), torch.nn.Conv1d(4, 300, 5)),
             (nn.Linear(30, 300, seed=0), torch.nn.Linear(30, 300))]
    for ours, theirs in cases:
        fan_in, _ = torch.nn.init._calculate_fan_in_and_fan_out(theirs.weight)
        bound = 1 / np.sqrt(fan_in)
        for name in ("weight", "bias"):
            a = getattr(ours, name).data
            b = getattr(theirs, name).detach().numpy()
            assert a.size == b.size and a.dtype == np.float32
            for values in (a, b):  # within the bound, and reaching close to it
                assert bound * 0.9 <= np.abs(values).max() <= bound, (ours, name)
            assert abs(a.mean()) < bound / 5
            assert np.std(a) == pytest.approx(bound / np.sqrt(3), rel=0.15)


def test_batchnorm_train_eval_and_running_statistics():
    bn = nn.BatchNorm2d(2, momentum=0.5, dtype=np.float64)
    x = np.random.default_rng(6).standard_normal((4, 2, 3, 3)) * 3 + 1
    y = bn(x)  # training: normalised by the batch
    np.testing.assert_allclose(y.data.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(y.data.var(axis=(0, 2, 3)), 1, rtol=1e-4)
    n = x.size // 2
    np.testing.assert_allclose(bn.running_mean.data, 0.5 * x.mean(axis=(0, 2, 3)))
    np.testing.assert_allclose(bn.running_var.data,
                               0.5 + 0.5 * x.var(axis=(0, 2, 3)) * n / (n - 1))
    bn.eval()
    before = bn.state_dict()
    out = bn(x)
    expected = (x - bn.running_mean.data.reshape(1, 2, 1, 1)) / np.sqrt(
        bn.running_var.data.reshape(1, 2, 1, 1) + bn.eps)
    np.testing.assert_allclose(out.data, expected)
    for name, value in bn.state_dict().items():  # eval changes no statistic
        np.testing.assert_array_equal(value, before[name])
    cumulative = nn.BatchNorm1d(2, momentum=None, dtype=np.float64)
    batches = [np.random.default_rng(i).standard_normal((5, 2)) for i in range(3)]
    for b in batches:
        cumulative(b)
    np.testing.assert_allclose(cumulative.running_mean.data,
                               np.mean([b.mean(axis=0) for b in batches], axis=0))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(2)(np.ones((1, 2)))
    with pytest.raises(ValueError, match=r"BatchNorm2d.*\(N, C, H, W\).*C = 2.*\(4, 3, 3, 3\)"):
        nn.BatchNorm2d(2)(np.ones((4, 3, 3, 3)))


def test_state_dict_and_save_load_cover_running_statistics(tmp_path):
    model = _lenet(seed=1)
    model(np.random.default_rng(7).standard_normal((6, 1, 8, 8)))  # moves the statistics
    names = list(model.state_dict())
    assert {"1.running_mean", "1.running_var", "1.num_batches_tracked"} <= set(names)
    path = tmp_path / "lenet.npz"
    nn.save(model, path)
    copy = nn.load(_lenet(seed=2), path)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(copy.state_dict()[name], value)
    x = np.random.default_rng(8).standard_normal((3, 1, 8, 8))
    np.testing.assert_array_equal(model.eval()(x).data, copy.eval()(x).data)
    state = model.state_dict()
    state["1.running_var"] = np.ones(5)
    target = _lenet(seed=3)
    kept = target.state_dict()
    with pytest.raises(nn.StateDictError, match="running_var"):
        target.load_state_dict(state)
    for name, value in target.state_dict().items():  # nothing half-loaded
        np.testing.assert_array_equal(value, kept[name])
    assert model.double().state_dict()["1.num_batches_tracked"].dtype == np.int64


def test_module_shapes_and_messages():
    x = np.zeros((2, 3, 12, 10), np.float32)
    assert nn.Conv2d(3, 4, (3, 5), stride=2, padding=1, seed=0)(x).shape == (2, 4, 6, 4)
    assert nn.Conv2d(3, 6, 3, padding="same", groups=3, seed=0)(x).shape == (2, 6, 12, 10)
    assert nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1, seed=0)(
        x).shape == (2, 2, 24, 20)
    assert nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)(x).shape == (2, 3, 7, 6)
    assert nn.AvgPool2d(2)(x).shape == (2, 3, 6, 5)
    assert nn.AdaptiveAvgPool2d((None, 3))(x).shape == (2, 3, 12, 3)
    assert nn.Conv1d(3, 2, 3, seed=0)(x[:, :, 0]).shape == (2, 2, 8)
    assert nn.Conv2d(3, 4, 3, seed=0)(x[0]).shape == (4, 10, 8)  # one unbatched image
    assert nn.Embedding(5, 7, seed=0)(np.array([[1, 4]])).shape == (1, 2, 7)
    assert nn.Conv2d(3, 4, 3, seed=0)(x).dtype == np.float32
    with pytest.raises(ValueError, match=r"conv2d: input of shape \(2, 3, 12, 10\) has 3 "
                                         r"channels.*expects 2"):
        nn.Conv2d(2, 4, 3, seed=0)(x)
    with pytest.raises(ValueError, match=r"conv_transpose2d: input of shape \(2, 3, 12, 10\) "
                                         r"has 3 channels.*expects 2"):
        F.conv_transpose2d(x, np.zeros((2, 1, 3, 3), np.float32))
    with pytest.raises(ValueError, match=r"conv2d: bias must have shape \(4,\)"):
        F.conv2d(x, np.zeros((4, 3, 3, 3), np.float32), np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="groups=2 must divide in_channels"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="kernel reaches 13x13"):
        F.conv2d(x, np.zeros((1, 3, 13, 13), np.float32))
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        F.conv2d(x, np.zeros((1, 3, 3, 3), np.float32), stride=2, padding="same")
    with pytest.raises(ValueError, match="at most half of the kernel size"):
        F.max_pool2d(x, 2, padding=2)
    with pytest.raises(ValueError, match="output_padding"):
        F.conv_transpose2d(x, np.zeros((3, 1, 3, 3), np.float32), stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"max_pool2d: expected an input of shape \(N, C, H, W\)"):
        F.max_pool2d(np.zeros((2, 3)), 2)
    with pytest.raises(IndexError, match="embedding: indices must be in 0..4"):
        nn.Embedding(5, 2)(np.array([5]))
    assert "Conv2d(3, 4, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1))" == repr(
        nn.Conv2d(3, 4, (3, 5), stride=2, padding=1))


def test_cnn_second_derivatives():
    """Double backward through conv, relu, max pool and a dense layer (gradient penalty)."""
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 2, 6, 6))
    w1, w2 = rng.standard_normal((3, 2, 3, 3)), rng.standard_normal((27, 2))

    def net(x, w1, w2):
        h = F.max_pool2d(F.conv2d(x, w1, padding=1).tanh(), 2)
        return h.reshape(2, -1) @ w2

    assert gradgradcheck(net, [x, w1, w2])
    assert gradgradcheck(lambda x, w: F.conv_transpose2d(x, w, stride=2, groups=2),
                         [rng.standard_normal((1, 4, 3, 3)), rng.standard_normal((4, 1, 2, 2))])
    assert gradgradcheck(lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False) ** 2,
                         [rng.standard_normal((1, 1, 5, 5))])


def test_conv_ops_are_exported_where_learners_look():
    for name in ("conv1d", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d",
                 "adaptive_avg_pool2d"):
        assert getattr(ag, name) is getattr(F, name)
    x = Tensor(np.ones((1, 1, 3, 3), np.float32), requires_grad=True)
    out = F.conv2d(x, np.ones((1, 1, 3, 3), np.float32), [0.5])
    assert out.dtype == np.float32 and out.item() == 9.5
    out.backward()
    assert x.grad.dtype == np.float32
