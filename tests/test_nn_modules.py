"""The PyTorch-style module system: Module, Linear, Sequential, MLP, activation modules,
state dicts, train/eval, and an MLP that learns a toy problem to 100% accuracy."""

import numpy as np
import pytest

from autograd_lite import Tensor, gradcheck, no_grad
from nn import (
    MLP,
    SGD,
    Adam,
    DataLoader,
    Dropout,
    Flatten,
    Identity,
    Linear,
    LogSoftmax,
    Module,
    Parameter,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    StateDictError,
    Tanh,
    accuracy,
    cross_entropy,
    functional,
    mse_loss,
)


def two_moons(n, noise=0.1, seed=0):
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper[:, None],
                 np.stack([np.cos(angle), np.sin(angle)], 1),
                 np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)], 1))
    x += noise * rng.standard_normal((n, 2))
    return x.astype(np.float32), upper.astype(np.int64)


# ----- the PyTorch-style code path -----


def test_sequential_linear_relu_with_adam():
    np.random.seed(0)
    model = Sequential(Linear(784, 128), ReLU(), Linear(128, 10))
    opt = Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 784)).astype(np.float32)
    y = rng.integers(0, 10, 64)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        logits = model(x)
        loss = cross_entropy(logits, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert logits.shape == (64, 10) and logits.dtype == np.float32
    assert all(p.dtype == np.float32 for p in model.parameters())
    assert losses[-1] < 0.1 * losses[0]  # it memorises 64 random samples


def test_mlp_learns_two_moons_to_100_percent():
    x, y = two_moons(200, seed=1)
    model = MLP([2, 32, 32, 2], activation="tanh", seed=0)
    opt = Adam(model.parameters(), lr=0.02)
    loader = DataLoader(x, y, batch_size=50, seed=0)
    for _ in range(150):
        for xb, yb in loader:
            opt.zero_grad()
            cross_entropy(model(xb), yb).backward()
            opt.step()
    with no_grad():
        assert accuracy(model(x), y) == 1.0


def test_mlp_learns_xor_with_sgd():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([0, 1, 1, 0])
    model = MLP([2, 8, 2], activation="tanh", init="xavier", seed=0)
    opt = SGD(model.parameters(), lr=0.5, momentum=0.9)
    for _ in range(200):
        opt.zero_grad()
        cross_entropy(model(x), y).backward()
        opt.step()
    assert accuracy(model(x), y) == 1.0


# ----- Module basics -----


class TwoLayer(Module):
    def __init__(self):
        super().__init__()
        self.fc1 = Linear(3, 4, seed=0)
        self.act = Tanh()
        self.fc2 = Linear(4, 2, bias=False, seed=1)
        self.scale = Parameter(np.array([2.0], dtype=np.float32))
        self.not_a_param = Tensor(np.ones(2), requires_grad=True)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.scale


def test_parameters_and_names_in_registration_order():
    m = TwoLayer()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["scale", "fc1.weight", "fc1.bias", "fc2.weight"]
    assert [p for p in m.parameters()] == [m.scale, m.fc1.weight, m.fc1.bias, m.fc2.weight]
    assert [n for n, _ in m.named_children()] == ["fc1", "act", "fc2"]
    assert len(list(m.modules())) == 4
    assert m.fc2.bias is None


def test_shared_parameters_are_listed_once():
    layer = Linear(2, 2)
    model = Sequential(layer, ReLU(), layer)
    assert len(list(model.parameters())) == 2


def test_reassigning_an_attribute_unregisters_it():
    m = TwoLayer()
    m.fc2 = None
    m.scale = 3.0
    assert [n for n, _ in m.named_parameters()] == ["fc1.weight", "fc1.bias"]
    del m.fc1
    assert list(m.parameters()) == []


def test_call_zero_grad_and_whole_graph_gradients():
    m = TwoLayer()
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    out = m(x)
    mse_loss(out, np.zeros((5, 2))).backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_module_gradients_match_finite_differences():
    m = TwoLayer().double()
    rng = np.random.default_rng(1)
    x, v = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    (m(x) * v).sum().backward()  # L = sum(out * v)
    for name, p in m.named_parameters():
        numeric = np.zeros_like(p.data)
        for i in np.ndindex(p.shape):
            orig = p.data[i]
            p.data[i] = orig + 1e-6
            hi = np.sum(m(x).data * v)
            p.data[i] = orig - 1e-6
            lo = np.sum(m(x).data * v)
            p.data[i] = orig
            numeric[i] = (hi - lo) / 2e-6
        np.testing.assert_allclose(p.grad, numeric, rtol=1e-6, atol=1e-9, err_msg=name)
    assert gradcheck(m, [x])


def test_forgetting_super_init_is_explained():
    class Broken(Module):
        def __init__(self):
            self.w = Parameter([1.0])

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Broken()


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="forward"):
        Module()(1)


def test_train_eval_and_dropout():
    model = Sequential(Linear(4, 4, seed=0), Dropout(0.5, seed=0))
    assert model.training and model[1].training
    x = np.ones((200, 4), dtype=np.float32)
    with no_grad():
        a = model(x).data
        model.eval()
        assert not model[1].training and not model[0].training
        b = model(x).data
        c = model(x).data
    np.testing.assert_array_equal(b, c)
    kept = a != 0
    assert 0.35 < kept.mean() < 0.65
    np.testing.assert_allclose(a[kept], 2 * np.broadcast_to(b, a.shape)[kept], rtol=1e-6)
    assert model.train() is model and model[1].training
    with pytest.raises(ValueError, match="p must be"):
        Dropout(1.0)


def test_to_dtype():
    model = MLP([3, 4, 2])
    assert model.to(np.float64) is model
    assert all(p.dtype == np.float64 for p in model.parameters())
    assert model(np.ones((1, 3))).dtype == np.float64
    assert model.float()[0].weight.dtype == np.float32
    with pytest.raises(TypeError, match="floating"):
        model.to(np.int32)


# ----- layers and containers -----


def test_linear_forward_and_weight_convention():
    layer = Linear(3, 2, seed=0)
    assert layer.weight.shape == (3, 2) and layer.bias.shape == (2,)
    bound = 1 / np.sqrt(3)  # PyTorch's default: uniform in +-1/sqrt(in_features)
    assert np.abs(layer.weight.data).max() <= bound
    layer.bias.data[:] = [0.5, -1.0]
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data + layer.bias.data,
                               rtol=1e-6)
    np.testing.assert_allclose(layer(x[0]).data, layer(x).data[0], rtol=1e-6)
    assert layer(x.astype(np.float64)).dtype == np.float32  # arrays take the layer's dtype


def test_linear_init_choices_and_seed():
    a, b = Linear(20, 10, seed=3), Linear(20, 10, seed=3)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    he = Linear(400, 300, init="he", seed=0)
    assert abs(he.weight.data.std() - np.sqrt(2 / 400)) < 0.003
    custom = Linear(2, 3, init=lambda shape, rng: np.full(shape, 0.25))
    np.testing.assert_array_equal(custom.weight.data, np.full((2, 3), 0.25, np.float32))
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        Linear(2, 3, init=lambda shape, rng: np.zeros((3, 2)))


def test_wrong_input_width_names_module_and_shapes():
    model = Sequential(Linear(4, 3), ReLU(), Linear(3, 2))
    with pytest.raises(ValueError, match=r"Linear '0'.*\(batch, 4\).*got shape \(2, 5\)"):
        model(np.ones((2, 5)))
    with pytest.raises(ValueError, match=r"Linear '2'.*\(batch, 3\).*\(2, 4\)"):
        model[2](np.ones((2, 4)))
    with pytest.raises(ValueError, match="in_features"):
        Linear(0, 2)


def test_sequential_container():
    model = Sequential(Linear(2, 3), Sigmoid())
    model.append(Linear(3, 1))
    assert len(model) == 3 and isinstance(model[-1], Linear)
    assert isinstance(model[:2], Sequential) and len(model[:2]) == 2
    assert [type(m).__name__ for m in model] == ["Linear", "Sigmoid", "Linear"]
    with pytest.raises(TypeError, match="Module"):
        Sequential(Linear(2, 2), np.tanh)
    with pytest.raises(ValueError, match="empty"):
        Sequential()(np.ones((1, 2)))


def test_mlp_structure_and_activations():
    mlp = MLP([4, 8, 8, 3], activation="relu", output_activation="softmax", seed=0)
    assert [type(m).__name__ for m in mlp] == ["Linear", "ReLU", "Linear", "ReLU", "Linear",
                                               "Softmax"]
    out = mlp(np.ones((5, 4)))
    np.testing.assert_allclose(out.data.sum(1), 1, rtol=1e-6)
    assert type(MLP([2, 2, 2], activation=Tanh)[1]) is Tanh
    assert MLP([2, 2, 2], activation=lambda t: t * 2)(np.ones((1, 2))).shape == (1, 2)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        MLP([2, 2, 2], activation="swish")
    with pytest.raises(ValueError, match="sizes"):
        MLP([3])


def test_activation_modules_match_functions():
    x = np.random.default_rng(0).standard_normal((3, 4))
    pairs = [(ReLU(), functional.relu), (Tanh(), functional.tanh),
             (Sigmoid(), functional.sigmoid), (Softmax(), functional.softmax),
             (LogSoftmax(), functional.log_softmax), (Identity(), functional.identity)]
    for module, fn in pairs:
        np.testing.assert_array_equal(module(x).data, fn(x).data)
    np.testing.assert_array_equal(Softmax(dim=0)(x).data, functional.softmax(x, axis=0).data)
    assert Flatten()(np.zeros((2, 3, 4))).shape == (2, 12)


def test_repr():
    model = Sequential(Linear(2, 3), ReLU())
    assert repr(model) == ("Sequential(\n  (0): Linear(in_features=2, out_features=3, "
                           "bias=True)\n  (1): ReLU()\n)")
    assert repr(Parameter([1.0])).startswith("Parameter(")


# ----- state dicts -----


def test_state_dict_round_trip_is_exact_and_copies():
    a, b = MLP([3, 5, 2], seed=0), MLP([3, 5, 2], seed=1)
    state = a.state_dict()
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    state["0.weight"][0, 0] += 1  # a copy: the model is not changed
    assert a[0].weight.data[0, 0] != state["0.weight"][0, 0]
    b.load_state_dict(a.state_dict())
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    x = np.ones((2, 3))
    np.testing.assert_array_equal(a(x).data, b(x).data)


@pytest.mark.parametrize("change, match", [
    (lambda s: s.pop("2.bias"), r"missing parameter '2\.bias'"),
    (lambda s: s.update(extra=np.zeros(1, np.float32)), "unexpected parameter 'extra'"),
    (lambda s: s.update({"0.weight": np.zeros((5, 3), np.float32)}),
     r"'0\.weight' has shape \(3, 5\) in the model but \(5, 3\)"),
    (lambda s: s.update({"2.bias": np.zeros(2, np.float64)}),
     r"'2\.bias' has dtype float32 in the model but float64"),
])
def test_load_state_dict_mismatch_names_the_parameter_and_changes_nothing(change, match):
    model, donor = MLP([3, 5, 2], seed=0), MLP([3, 5, 2], seed=1)
    before = model.state_dict()
    state = donor.state_dict()
    change(state)
    with pytest.raises(StateDictError, match=match):
        model.load_state_dict(state)
    for name, p in model.named_parameters():
        np.testing.assert_array_equal(p.data, before[name])


def test_load_state_dict_non_strict_and_error_types():
    model = MLP([3, 5, 2], seed=0)
    partial = {"0.bias": np.ones(5, np.float32)}
    model.load_state_dict(partial, strict=False)
    np.testing.assert_array_equal(model[0].bias.data, np.ones(5))
    with pytest.raises(ValueError):
        model.load_state_dict(partial)
    with pytest.raises(KeyError):
        model.load_state_dict(partial)


def test_parameters_are_labelled_with_their_named_parameters_names_for_drawings():
    from autograd_lite import draw_graph
    from nn import Linear, Module, Parameter, ReLU, Sequential

    class Net(Module):
        def __init__(self):
            super().__init__()
            self.scale = Parameter([2.0])
            self.layers = Sequential(Linear(2, 3, seed=0), ReLU(), Linear(3, 1, seed=1))

        def forward(self, x):
            return self.layers(x) * self.scale

    net = Net()
    assert [(n, p.label) for n, p in net.named_parameters()] == [
        (n, n) for n in ("scale", "layers.0.weight", "layers.0.bias", "layers.2.weight",
                         "layers.2.bias")]
    # A label the user set is kept, also when the module moves inside another one.
    inner = Linear(2, 2, seed=0)
    inner.weight.label = "W_in"
    outer = Sequential(inner)
    assert [p.label for p in outer.parameters()] == ["W_in", "0.bias"]
    # Layers added after the container was registered get their full names too.
    from nn import NeuralNetwork

    course = NeuralNetwork(2, lr=0.1, seed=0)
    course.append_layer(3, "tanh", 0)
    course.append_layer(1, "sigmoid", 0)
    assert [(n, p.label) for n, p in course.named_parameters()] == [
        (n, n) for n in ("layers.0.weight", "layers.0.bias", "layers.1.weight",
                         "layers.1.bias")]
    pytest.importorskip("graphviz")
    source = draw_graph(net(np.ones((1, 2), dtype=np.float32)).sum()).source
    assert "layers.0.weight" in source and "layers.2.bias" in source and ">leaf<" not in source
