"""nn.to_torch / nn.from_torch: every supported module both ways, against PyTorch.

Round trips are exact in float64 (same arrays back); a converted model's outputs agree with
the original's to 1e-6 in float32 on random inputs; shared modules and parameters stay
shared; modules without a counterpart are refused, naming their path, before anything is
built; a missing torch says how to install it."""

import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd_lite import Tensor
from nn import interop

torch = pytest.importorskip("torch", reason='PyTorch is not installed: pip install '
                            '"autograd-lite[torch]" (or pip install torch==2.13.0)')


def _network(activations, sizes, dtype=np.float64, seed=0):
    net = nn.NeuralNetwork(sizes[0], lr=0.1, seed=seed, dtype=dtype)
    for n, act in zip(sizes[1:], activations):
        net.append_layer(n, act, 0.5)
    return net


# One row per supported module type: a factory for a model that contains it, and the
# input shape it takes. New module types get one row each.
OURS = {
    "Linear": (lambda dt: nn.Linear(5, 3, seed=1, dtype=dt), (4, 5)),
    "Linear-no-bias": (lambda dt: nn.Linear(5, 3, bias=False, seed=1, dtype=dt), (4, 5)),
    "Linear-1d-input": (lambda dt: nn.Linear(5, 3, seed=1, dtype=dt), (5,)),
    "Sequential": (lambda dt: nn.Sequential(nn.Linear(5, 6, seed=0, dtype=dt), nn.Tanh(),
                                            nn.Linear(6, 2, seed=1, dtype=dt)), (4, 5)),
    "MLP": (lambda dt: nn.MLP([5, 7, 7, 3], activation="relu", output_activation="softmax",
                              seed=0, dtype=dt), (4, 5)),
    "Layer-sigmoid": (lambda dt: nn.Layer(5, 3, "sigmoid", 1, seed=0, dtype=dt), (4, 5)),
    "Layer-tanh": (lambda dt: nn.Layer(5, 3, "tanh", seed=0, dtype=dt), (4, 5)),
    "Layer-relu": (lambda dt: nn.Layer(5, 3, "relu", seed=0, dtype=dt), (4, 5)),
    "Layer-linear": (lambda dt: nn.Layer(5, 3, None, seed=0, dtype=dt), (4, 5)),
    "Layer-softmax": (lambda dt: nn.Layer(5, 3, "softmax", seed=0, dtype=dt), (4, 5)),
    "NeuralNetwork": (lambda dt: _network(["tanh", "relu", "sigmoid"], [5, 6, 4, 2], dt),
                      (4, 5)),
    "Identity": (lambda dt: nn.Identity(), (4, 5)),
    "ReLU": (lambda dt: nn.ReLU(), (4, 5)),
    "Tanh": (lambda dt: nn.Tanh(), (4, 5)),
    "Sigmoid": (lambda dt: nn.Sigmoid(), (4, 5)),
    "Softmax": (lambda dt: nn.Softmax(dim=0), (4, 5)),
    "LogSoftmax": (lambda dt: nn.LogSoftmax(axis=1), (4, 5)),
    "Flatten": (lambda dt: nn.Flatten(), (4, 2, 3, 5)),
    "Flatten-range": (lambda dt: nn.Flatten(0, 1), (4, 2, 3, 5)),
    "Dropout-eval": (lambda dt: nn.Dropout(0.3).eval(), (4, 5)),
    "LeakyReLU": (lambda dt: nn.LeakyReLU(0.2), (4, 5)),
    "ELU": (lambda dt: nn.ELU(0.7), (4, 5)),
    "SELU": (lambda dt: nn.SELU(), (4, 5)),
    "CELU": (lambda dt: nn.CELU(1.3), (4, 5)),
    "GELU": (lambda dt: nn.GELU(), (4, 5)),
    "GELU-tanh": (lambda dt: nn.GELU(approximate="tanh"), (4, 5)),
    "SiLU": (lambda dt: nn.SiLU(), (4, 5)),
    "Mish": (lambda dt: nn.Mish(), (4, 5)),
    "Softplus": (lambda dt: nn.Softplus(beta=2.0, threshold=1.5), (4, 5)),
    "Softsign": (lambda dt: nn.Softsign(), (4, 5)),
    "Hardtanh": (lambda dt: nn.Hardtanh(-0.5, 0.7), (4, 5)),
    "ReLU6": (lambda dt: nn.ReLU6(), (4, 5)),
    "Hardsigmoid": (lambda dt: nn.Hardsigmoid(), (4, 5)),
    "Hardswish": (lambda dt: nn.Hardswish(), (4, 5)),
    "LogSigmoid": (lambda dt: nn.LogSigmoid(), (4, 5)),
    # convolutional networks
    "Conv2d": (lambda dt: nn.Conv2d(3, 4, 3, stride=2, padding=1, seed=0, dtype=dt),
               (2, 3, 9, 9)),
    "Conv2d-groups-dilation-same": (lambda dt: nn.Conv2d(4, 6, (3, 2), padding="same",
                                                         dilation=2, groups=2, bias=False,
                                                         seed=0, dtype=dt), (2, 4, 8, 7)),
    "Conv1d": (lambda dt: nn.Conv1d(3, 5, 3, padding=2, dilation=2, seed=0, dtype=dt),
               (2, 3, 11)),
    "ConvTranspose2d": (lambda dt: nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1,
                                                      output_padding=1, seed=0, dtype=dt),
                        (2, 4, 5, 5)),
    "MaxPool2d": (lambda dt: nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
                  (2, 3, 8, 8)),
    "MaxPool1d": (lambda dt: nn.MaxPool1d(2), (2, 3, 9)),
    "AvgPool2d": (lambda dt: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True,
                                          count_include_pad=False), (2, 3, 8, 8)),
    "AvgPool2d-divisor": (lambda dt: nn.AvgPool2d(2, divisor_override=3), (2, 3, 6, 6)),
    "AvgPool1d": (lambda dt: nn.AvgPool1d(3, stride=2, padding=1), (2, 3, 9)),
    "AdaptiveAvgPool2d": (lambda dt: nn.AdaptiveAvgPool2d((3, 2)), (2, 3, 7, 5)),
    "BatchNorm1d": (lambda dt: _trained_norm(nn.BatchNorm1d(5, dtype=dt), (8, 5), dt),
                    (4, 5)),
    "BatchNorm2d": (lambda dt: _trained_norm(nn.BatchNorm2d(3, momentum=0.3, dtype=dt),
                                             (4, 3, 5, 5), dt), (2, 3, 5, 5)),
    "BatchNorm2d-train": (lambda dt: nn.BatchNorm2d(3, affine=False, dtype=dt),
                          (4, 3, 5, 5)),
    "LayerNorm": (lambda dt: _randomised(nn.LayerNorm((3, 4), dtype=dt)), (2, 5, 3, 4)),
    "LeNet": (lambda dt: _lenet(dt), (2, 1, 28, 28)),
}


def _randomised(model, seed=0):
    """`model` with every parameter drawn at random (not the ones/zeros they start at)."""
    rng = np.random.default_rng(seed)
    for p in model.parameters():
        p.data[...] = rng.standard_normal(p.shape)
    return model


def _trained_norm(bn, shape, dtype):
    """A batch norm whose running statistics moved away from 0 and 1, in eval mode."""
    rng = np.random.default_rng(0)
    for _ in range(3):
        bn(rng.standard_normal(shape).astype(dtype) * 2 + 1)
    return _randomised(bn).eval()


def _lenet(dtype):
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2, seed=0, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 8, 5, seed=1, dtype=dtype), nn.BatchNorm2d(8, dtype=dtype), nn.Tanh(),
        nn.AvgPool2d(2), nn.Flatten(), nn.Linear(200, 32, seed=2, dtype=dtype), nn.ReLU(),
        nn.Dropout(0.2), nn.Linear(32, 10, seed=3, dtype=dtype)).eval()


def _torch_out(module, x):
    with torch.no_grad():
        return module(torch.from_numpy(x)).numpy()


def _ours_out(model, x):
    return np.asarray(model(Tensor(x)).data)


def _state(model):
    return {name: p.data for name, p in model.named_parameters()}


@pytest.mark.parametrize("name", OURS)
def test_to_torch_and_back_is_exact_in_float64(name):
    make, shape = OURS[name]
    model = make(np.float64)
    x = np.random.default_rng(0).standard_normal(shape)
    converted = nn.to_torch(model)
    assert isinstance(converted, torch.nn.Module)
    back = nn.from_torch(converted)
    ours = [p.data for p in model.parameters()]
    theirs = [p.data for p in back.parameters()]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype == np.float64
        np.testing.assert_array_equal(a, b)  # exact
        assert not np.shares_memory(a, b)  # copied, not shared
    buffers = [(b.data, c.data) for b, c in zip(model.buffers(), back.buffers())]
    assert len(buffers) == len(list(model.buffers()))  # running statistics included
    for a, b in buffers:
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    # the outputs (last: in training mode, a forward pass may update running statistics)
    np.testing.assert_allclose(_torch_out(converted, x), _ours_out(model, x), rtol=1e-12,
                               atol=1e-13)
    np.testing.assert_array_equal(_ours_out(back, x), _ours_out(model, x))


@pytest.mark.parametrize("name", OURS)
def test_outputs_agree_in_float32(name):
    make, shape = OURS[name]
    model = make(np.float32)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    converted = nn.to_torch(model)
    for p in converted.parameters():
        assert p.dtype == torch.float32
    np.testing.assert_allclose(_torch_out(converted, x), _ours_out(model, x), rtol=1e-6,
                               atol=1e-6)


def test_linear_weights_are_transposed_to_torch_layout():
    layer = nn.Linear(3, 2, seed=0, dtype=np.float64)
    t = nn.to_torch(layer)
    assert tuple(t.weight.shape) == (2, 3)
    np.testing.assert_array_equal(t.weight.detach().numpy(), layer.weight.data.T)
    np.testing.assert_array_equal(t.bias.detach().numpy(), layer.bias.data)
    assert t.weight.requires_grad and t.weight.is_leaf


# Models written in PyTorch, converted here and back.
THEIRS = {
    "Linear": (lambda: torch.nn.Linear(5, 3), (4, 5)),
    "Linear-no-bias": (lambda: torch.nn.Linear(5, 3, bias=False), (4, 5)),
    "Sequential": (lambda: torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(10, 8), torch.nn.ReLU(), torch.nn.Dropout(0.2),
        torch.nn.Linear(8, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8), torch.nn.Sigmoid(),
        torch.nn.Linear(8, 4), torch.nn.Identity(), torch.nn.LogSoftmax(dim=1)), (3, 2, 5)),
    "Softmax": (lambda: torch.nn.Softmax(dim=-1), (4, 5)),
    "cnn": (lambda: torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.Conv2d(8, 8, 3, groups=2, padding="same"),
        torch.nn.AvgPool2d(2, ceil_mode=True), torch.nn.AdaptiveAvgPool2d(2),
        torch.nn.Flatten(), torch.nn.LayerNorm(32), torch.nn.Linear(32, 4)), (2, 3, 9, 9)),
    "conv1d-transpose": (lambda: torch.nn.Sequential(
        torch.nn.Conv1d(2, 4, 3, stride=2), torch.nn.BatchNorm1d(4), torch.nn.MaxPool1d(2),
        torch.nn.AvgPool1d(2, ceil_mode=True), torch.nn.Flatten()), (3, 2, 17)),
    "conv-transpose": (lambda: torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1,
                                                         output_padding=1, groups=2),
                       (2, 4, 5, 5)),
    "activations": (lambda: torch.nn.Sequential(
        torch.nn.LeakyReLU(0.1), torch.nn.ELU(0.5), torch.nn.SELU(), torch.nn.CELU(2.0),
        torch.nn.GELU("tanh"), torch.nn.SiLU(), torch.nn.Mish(), torch.nn.Softplus(0.5, 3.0),
        torch.nn.Softsign(), torch.nn.Hardtanh(-2.0, 2.0), torch.nn.ReLU6(),
        torch.nn.Hardsigmoid(), torch.nn.Hardswish(), torch.nn.LogSigmoid(), torch.nn.GELU()),
        (4, 5)),
    "Flatten": (lambda: torch.nn.Flatten(1, 2), (2, 3, 4, 5)),
}


@pytest.mark.parametrize("name", THEIRS)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_from_torch_and_back(name, dtype):
    make, shape = THEIRS[name]
    torch.manual_seed(0)
    original = make().to(dtype).eval()
    ours = nn.from_torch(original)
    again = nn.to_torch(ours)
    x = np.random.default_rng(2).standard_normal(shape).astype(
        np.float64 if dtype == torch.float64 else np.float32)
    tol = 1e-12 if dtype == torch.float64 else 1e-6
    np.testing.assert_allclose(_ours_out(ours, x), _torch_out(original, x), rtol=tol, atol=tol)
    np.testing.assert_array_equal(_torch_out(again, x), _torch_out(original, x))
    a, b = original.state_dict(), again.state_dict()
    assert list(a) == list(b)
    for key in a:
        assert a[key].dtype == b[key].dtype
        assert a[key].dtype == dtype or not a[key].is_floating_point()  # counts stay int64
        assert torch.equal(a[key], b[key]), key


def test_losses_convert_with_their_reduction():
    for ours, theirs in [(nn.MSELoss("sum"), torch.nn.MSELoss), (nn.BCELoss("none"),
                         torch.nn.BCELoss), (nn.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss),
                         (nn.CrossEntropyLoss("sum"), torch.nn.CrossEntropyLoss)]:
        t = nn.to_torch(ours)
        assert type(t) is theirs and t.reduction == ours.reduction
        back = nn.from_torch(t)
        assert type(back) is type(ours) and back.reduction == ours.reduction
    logits = np.random.default_rng(0).standard_normal((4, 3))
    labels = np.array([0, 2, 1, 2])
    loss = nn.to_torch(nn.CrossEntropyLoss())(torch.from_numpy(logits), torch.from_numpy(labels))
    assert abs(loss.item() - nn.cross_entropy(logits, labels).item()) < 1e-12


def test_training_modes_are_kept():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    model[1].eval()
    t = nn.to_torch(model)
    assert t.training and t[0].training and not t[1].training
    back = nn.from_torch(t.eval())
    assert not back.training and not back[1].training


def test_dropout_probability_survives_both_ways():
    t = nn.to_torch(nn.Dropout(0.25))
    assert isinstance(t, torch.nn.Dropout) and t.p == 0.25
    assert nn.from_torch(torch.nn.Dropout(0.4)).p == 0.4


# ***** shared modules and parameters *****


def test_a_module_used_twice_stays_one_module():
    block = nn.Linear(4, 4, seed=0, dtype=np.float64)
    model = nn.Sequential(block, nn.Tanh(), block)
    t = nn.to_torch(model)
    assert t[0] is t[2]
    assert len(list(t.parameters())) == 2
    x = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_allclose(_torch_out(t, x), _ours_out(model, x), rtol=1e-12)
    back = nn.from_torch(t)
    assert back[0] is back[2]


def test_shared_parameters_stay_shared_both_ways():
    a, b = nn.Linear(4, 4, seed=0, dtype=np.float64), nn.Linear(4, 4, seed=1, dtype=np.float64)
    b.weight = a.weight  # tied weights, separate biases
    model = nn.Sequential(a, nn.ReLU(), b)
    t = nn.to_torch(model)
    assert t[0].weight is t[2].weight and t[0].bias is not t[2].bias
    assert len(list(t.parameters())) == 3  # as many as in the original
    # training in torch updates both uses of the shared weight at once
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((3, 4)))
    t(x).sum().backward()
    torch.optim.SGD(t.parameters(), lr=0.1).step()
    assert torch.equal(t[0].weight, t[2].weight)
    back = nn.from_torch(t)
    assert back[0].weight is back[2].weight
    assert len(list(back.parameters())) == 3


def test_a_parameter_shared_in_two_layouts_is_refused():
    a = nn.Linear(3, 3, seed=0, dtype=np.float64)
    odd = nn.Linear(3, 3, seed=1, dtype=np.float64)
    odd.bias = nn.Parameter(np.zeros(3))
    weird = nn.Sequential(a, odd)
    # the same array as a Linear weight (transposed for torch) and a bias (kept as is)
    shared = nn.Parameter(np.zeros(3))
    a.bias = shared
    odd.weight = shared
    with pytest.raises(ValueError, match=r"shared by '0.bias' and '1.weight'.*two layouts"):
        nn.to_torch(weird)


# ***** refusals *****


class Custom(nn.Module):
    def forward(self, x):
        return x * 2


def test_unsupported_module_is_refused_with_its_path_before_anything_is_built(monkeypatch):
    built = []
    monkeypatch.setattr(interop._Conversion, "module",
                        lambda self, m, name=None: built.append(m))
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), Custom())
    with pytest.raises(TypeError, match=r"Custom at '2' has no counterpart"):
        nn.to_torch(model)
    nested = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Tanh(), Custom()))
    with pytest.raises(TypeError, match=r"Custom at '1.1'"):
        nn.to_torch(nested)
    assert built == []


def test_subclasses_are_not_converted_as_their_base():
    class MyLinear(nn.Linear):
        def forward(self, x):
            return super().forward(x) * 2

    with pytest.raises(TypeError, match="MyLinear at '0'"):
        nn.to_torch(nn.Sequential(MyLinear(2, 2)))


def test_network_layer_with_a_function_activation_is_refused_with_its_path():
    net = nn.NeuralNetwork(2, lr=0.1, seed=0)
    net.append_layer(3, "tanh")
    net.append_layer(1, lambda z: z * 2)
    with pytest.raises(TypeError, match=r"Layer at 'layers.1'.*activation"):
        nn.to_torch(net)
    mlp = nn.MLP([2, 3, 1], activation=lambda z: z.tanh())
    with pytest.raises(TypeError, match=r"_Lambda at '1'"):
        nn.to_torch(mlp)


def test_unsupported_torch_module_is_refused_with_its_path():
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(2, 2)

        def forward(self, x):
            return self.fc(x).relu()

    with pytest.raises(TypeError, match=r"Net \(the model itself\)"):
        nn.from_torch(Net())
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Sequential(torch.nn.GRU(2, 2)))
    with pytest.raises(TypeError, match=r"GRU at '1.0' has no counterpart"):
        nn.from_torch(model)


def test_torch_options_without_a_counterpart_are_refused():
    with pytest.raises(TypeError, match="label_smoothing=0.1"):
        nn.from_torch(torch.nn.CrossEntropyLoss(label_smoothing=0.1))
    with pytest.raises(TypeError, match="dim=None"):
        nn.from_torch(torch.nn.Softmax())
    with pytest.raises(TypeError, match="bfloat16"):
        nn.from_torch(torch.nn.Linear(2, 2).to(torch.bfloat16))


def test_not_a_module_is_refused():
    with pytest.raises(TypeError, match="expected an nn.Module"):
        nn.to_torch(torch.nn.Linear(2, 2))
    with pytest.raises(TypeError, match="expected a torch.nn.Module"):
        nn.from_torch(nn.Linear(2, 2))


def test_missing_torch_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now fails
    for call in (lambda: nn.to_torch(nn.Linear(2, 2)), lambda: nn.from_torch(object())):
        with pytest.raises(ModuleNotFoundError) as err:
            call()
        assert 'pip install "autograd-lite[torch]"' in str(err.value)
        assert "pip install torch" in str(err.value)
        assert err.value.name == "torch"


# ***** the course's promise: train here, continue in PyTorch *****


def test_exercise5_network_continues_training_in_torch_from_identical_outputs():
    from exercises import ex5_mnist as ex5

    net = ex5.build_network(hidden=(32, 16), lr=0.1, seed=0)
    rng = np.random.default_rng(0)
    x = rng.random((64, 784), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    for _ in range(3):  # a little training here first
        ex5.train_epoch(net, x, y, 16, rng)
    model = nn.to_torch(net)
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    np.testing.assert_allclose(_torch_out(model, x), net.predict(x), rtol=1e-6, atol=1e-6)

    # one more step on each side, with the same rule: the weights stay together
    opt = torch.optim.SGD(model.parameters(), lr=net.lr)
    loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(y))
    opt.zero_grad()
    loss.backward()
    opt.step()
    ours = nn.cross_entropy(net.forward(x), y)
    net.zero_grad()
    ours.backward()
    net.step()
    assert abs(loss.item() - ours.item()) < 1e-5
    back = nn.from_torch(model)
    for (name, p), q in zip(net.named_parameters(), back.parameters()):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-5, atol=1e-6, err_msg=name)


def test_every_layer_gets_its_own_activation():
    net = _network(["tanh", "sigmoid", "relu", "tanh", "sigmoid", "softmax"],
                   [3, 4, 4, 4, 4, 4, 2])
    names = [type(m).__name__ for m in nn.to_torch(net)]
    assert names == ["Linear", "Tanh", "Linear", "Sigmoid", "Linear", "ReLU", "Linear", "Tanh",
                     "Linear", "Sigmoid", "Linear", "Softmax"]


def test_every_nn_module_has_a_torch_counterpart():
    """A new module type needs its entry in TO_TORCH (and FROM_TORCH): this test names it."""
    modules = [obj for name in nn.__all__ if isinstance(obj := getattr(nn, name), type)
               and issubclass(obj, nn.Module) and obj is not nn.Module]
    assert len(modules) > 15
    missing = sorted(m.__name__ for m in modules if m not in interop.TO_TORCH)
    assert not missing, f"nn/interop.py: add TO_TORCH and FROM_TORCH entries for {missing}"
    # and every entry is tested both ways by the round-trip rows of OURS
    tested = {type(m) for make, _ in OURS.values() for m in make(np.float64).modules()}
    losses = {nn.MSELoss, nn.BCELoss, nn.BCEWithLogitsLoss, nn.CrossEntropyLoss,
              nn.Embedding}  # tested on their own below
    untested = sorted(m.__name__ for m in interop.TO_TORCH if m not in tested | losses)
    assert not untested, f"add rows to OURS for {untested}"


# ***** a differential check on random networks *****


@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5),
       activation=st.sampled_from(["relu", "tanh", "sigmoid", "linear"]),
       batch=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_random_networks_agree_with_torch_both_ways(sizes, activation, batch, seed):
    model = nn.MLP(sizes, activation=activation, seed=seed, dtype=np.float64)
    x = np.random.default_rng(seed).standard_normal((batch, sizes[0]))
    converted = nn.to_torch(model)
    np.testing.assert_allclose(_torch_out(converted, x), _ours_out(model, x), rtol=1e-12,
                               atol=1e-12)
    back = nn.from_torch(converted)
    np.testing.assert_array_equal(_ours_out(back, x), _ours_out(model, x))


@pytest.mark.parametrize("activation", sorted(nn.functional.ACTIVATIONS))
def test_a_course_layer_with_every_activation_name(activation):
    layer = nn.Layer(4, 3, activation, 0.3, seed=0)
    x = np.random.default_rng(0).standard_normal((5, 4)) * 3
    np.testing.assert_allclose(_torch_out(nn.to_torch(layer), x), _ours_out(layer, x),
                               rtol=1e-10, atol=1e-12)


# ***** Embedding: integer inputs *****


@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_both_ways(padding_idx):
    emb = nn.Embedding(7, 3, padding_idx=padding_idx, seed=0, dtype=np.float64)
    t = nn.to_torch(emb)
    assert isinstance(t, torch.nn.Embedding) and t.padding_idx == padding_idx
    idx = np.array([[0, 2, 6], [2, 2, 1]])
    with torch.no_grad():
        got = t(torch.from_numpy(idx)).numpy()
    np.testing.assert_array_equal(got, emb(idx).data)
    back = nn.from_torch(t)
    np.testing.assert_array_equal(back.weight.data, emb.weight.data)
    assert back.padding_idx == padding_idx


def test_embedding_options_without_a_counterpart_are_refused():
    with pytest.raises(TypeError, match="max_norm=1.0"):
        nn.from_torch(torch.nn.Embedding(4, 2, max_norm=1.0))


def test_tied_embedding_and_linear_weights_are_refused():
    emb, out = nn.Embedding(4, 4, seed=0), nn.Linear(4, 4, seed=1)
    out.weight = emb.weight  # tied, but torch's Linear would need the transpose
    with pytest.raises(ValueError, match=r"shared by '0.weight' and '1.weight'.*two layouts"):
        nn.to_torch(nn.Sequential(emb, out))


def test_batch_norm_running_statistics_survive_and_keep_updating_the_same_way():
    bn = _trained_norm(nn.BatchNorm2d(3), (4, 3, 5, 5), np.float32)
    t = nn.to_torch(bn)
    np.testing.assert_array_equal(t.running_mean.numpy(), bn.running_mean.data)
    np.testing.assert_array_equal(t.running_var.numpy(), bn.running_var.data)
    assert t.num_batches_tracked.item() == 3 and t.momentum == bn.momentum
    x = np.random.default_rng(5).standard_normal((4, 3, 5, 5)).astype(np.float32)
    bn.train()
    t.train()
    bn(x)
    t(torch.from_numpy(x))
    np.testing.assert_allclose(t.running_mean.numpy(), bn.running_mean.data, rtol=1e-6,
                               atol=1e-7)
    np.testing.assert_allclose(t.running_var.numpy(), bn.running_var.data, rtol=1e-6)


def test_conv_padding_modes_without_a_counterpart_are_refused():
    with pytest.raises(TypeError, match="padding_mode='reflect'"):
        nn.from_torch(torch.nn.Sequential(torch.nn.Conv2d(1, 1, 3, padding_mode="reflect")))
