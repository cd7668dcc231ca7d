"""The course exercise's Layer / NeuralNetwork: its code path, gradients from the engine
checked against finite differences, and the layer-by-layer chain against one whole-graph
backward."""

import numpy as np
import pytest

from autograd_lite import Tensor, no_grad
from nn import (
    SGD,
    Layer,
    Linear,
    Module,
    NeuralNetwork,
    accuracy,
    cross_entropy,
    load,
    mse_loss,
    save,
)

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


# ----- plain NumPy references (independent of the engine) -----

REF_ACTIVATIONS = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "linear": lambda z: z,
    None: lambda z: z,
    "softmax": lambda z: np.exp(z - z.max(-1, keepdims=True))
    / np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True),
}


def ref_layer(x, w, b, activation):
    z = x @ w + (0 if b is None else b)
    return REF_ACTIVATIONS[activation](z)


def numeric_grad(f, array, eps=1e-6):
    """Central differences of the scalar f() with respect to `array`, perturbed in place."""
    grad = np.zeros_like(array)
    flat, gflat = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        orig = flat[i]
        flat[i] = orig + eps
        hi = f()
        flat[i] = orig - eps
        lo = f()
        flat[i] = orig
        gflat[i] = (hi - lo) / (2 * eps)
    return grad


def net_params(net):
    return [(layer.weight.data, None if layer.bias is None else layer.bias.data)
            for layer in net.layers]


def ref_net(x, net):
    for layer in net.layers:
        x = ref_layer(x, layer.weight.data, None if layer.bias is None else layer.bias.data,
                      layer.activation)
    return x


# ----- the exercise's code path -----


def test_exercise_code_path_learns_xor():
    np.random.seed(3)
    net = NeuralNetwork(2, lr=0.2)
    net.append_layer(2, "sigmoid", 1)
    net.append_layer(1, "sigmoid", 1)
    losses = []
    for _ in range(4000):
        out = net.forward(XOR_X)
        losses.append(float(np.mean((out.data - XOR_Y) ** 2)))
        net.backward(2 * (out.data - XOR_Y) / XOR_Y.size)
    assert losses[-1] < 0.25 * losses[0]
    assert accuracy(net.forward(XOR_X).data, XOR_Y) == 1.0


def test_exercise_per_sample_loop():
    """The course also trains one sample at a time, with inputs of shape (features,)."""
    np.random.seed(3)
    net = NeuralNetwork(2, lr=0.5)
    net.append_layer(2, "sigmoid", 1)
    net.append_layer(1, "sigmoid", 1)
    for _ in range(1500):
        for xi, yi in zip(XOR_X, XOR_Y):
            out = net.forward(xi)
            assert out.shape == (1,)
            net.backward(2 * (out.data - yi))
    assert accuracy(net.predict(XOR_X), XOR_Y) == 1.0


def test_weights_are_np_random_randn_and_bias_is_the_initial_value():
    np.random.seed(42)
    layer = Layer(3, 4, "tanh", 1)
    np.random.seed(42)
    expected = np.random.randn(3, 4)
    assert np.array_equal(layer.weight.data, expected)
    assert layer.weights is layer.weight and layer.biases is layer.bias
    assert np.array_equal(layer.bias.data, np.ones(4))
    assert layer.weight.dtype == np.float64


def test_append_layer_infers_inputs_and_uses_global_seed():
    np.random.seed(0)
    net = NeuralNetwork(5, lr=0.1)
    first = net.append_layer(3, "relu", 0.5)
    second = net.append_layer(2, None, 0)
    np.random.seed(0)
    w1, w2 = np.random.randn(5, 3), np.random.randn(3, 2)
    assert (first.n_of_inputs, first.n_of_neurons) == (5, 3)
    assert (second.n_of_inputs, second.n_of_neurons) == (3, 2)
    assert np.array_equal(first.weight.data, w1) and np.array_equal(second.weight.data, w2)
    assert np.array_equal(first.bias.data, np.full(3, 0.5))
    assert list(net.layers) == [first, second]


def test_seed_and_generator_give_reproducible_weights():
    a = Layer(4, 3, "relu", 0, seed=7)
    b = Layer(4, 3, "relu", 0, rng=np.random.default_rng(7))
    assert np.array_equal(a.weight.data, np.random.default_rng(7).standard_normal((4, 3)))
    assert np.array_equal(a.weight.data, b.weight.data)
    n1, n2 = NeuralNetwork(2, 0.1, seed=1), NeuralNetwork(2, 0.1, seed=1)
    for net in (n1, n2):
        net.append_layer(3, "tanh", 0)
        net.append_layer(1, "sigmoid", 0)
    for p, q in zip(n1.parameters(), n2.parameters()):
        assert np.array_equal(p.data, q.data)
    assert not np.array_equal(n1.layers[0].weight.data[:, :1], n1.layers[1].weight.data[:2])


def test_other_initialisers():
    xavier = Layer(50, 40, "tanh", 0, init="xavier", seed=0)
    bound = np.sqrt(6 / 90)
    assert np.abs(xavier.weight.data).max() <= bound
    assert np.abs(xavier.weight.data).max() > 0.9 * bound  # uniform over the whole range
    he = Layer(200, 300, "relu", 0, init="he", seed=0)
    assert abs(he.weight.data.std() - np.sqrt(2 / 200)) < 0.005
    with pytest.raises(ValueError, match="xavier"):
        Layer(2, 2, "relu", 0, init="glorious")


@pytest.mark.parametrize("bias, expected", [
    (0, np.zeros(3)), (1, np.ones(3)), (-0.5, np.full(3, -0.5)), (True, np.zeros(3)),
    ([1.0, 2.0, 3.0], np.array([1.0, 2.0, 3.0]))])
def test_bias_values(bias, expected):
    layer = Layer(2, 3, "linear", bias, seed=0)
    assert np.array_equal(layer.bias.data, expected)
    assert layer.bias.requires_grad


@pytest.mark.parametrize("bias", [False, None])
def test_no_bias(bias):
    layer = Layer(2, 3, "relu", bias, seed=0)
    assert layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    x = np.array([[1.0, -2.0]])
    np.testing.assert_allclose(layer.forward(x).data, np.maximum(x @ layer.weight.data, 0))


def test_zero_bias_is_trained():
    layer = Layer(2, 1, "linear", 0, seed=0)
    layer.forward(np.ones((3, 2)))
    layer.backward(np.ones((3, 1)))
    assert np.array_equal(layer.bias.grad, [3.0])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "linear", None, "softmax"])
def test_forward_matches_numpy(activation):
    layer = Layer(3, 4, activation, 0.3, seed=1)
    x = np.random.default_rng(0).standard_normal((5, 3))
    expected = ref_layer(x, layer.weight.data, layer.bias.data, activation)
    np.testing.assert_allclose(layer.forward(x).data, expected, rtol=1e-12)
    np.testing.assert_allclose(layer.forward(Tensor(x)).data, expected, rtol=1e-12)
    np.testing.assert_allclose(layer.forward(x[0]).data, expected[0], rtol=1e-12)


def test_callable_activation():
    layer = Layer(2, 2, lambda t: t * t, 0, seed=0)
    x = np.array([[1.0, 2.0]])
    np.testing.assert_allclose(layer.forward(x).data, (x @ layer.weight.data) ** 2)
    assert layer.backward(np.ones((1, 2))).shape == (1, 2)


# ----- gradients: finite differences -----


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "linear", "softmax"])
@pytest.mark.parametrize("batched", [True, False])
def test_layer_backward_matches_finite_differences(activation, batched):
    rng = np.random.default_rng(1)
    layer = Layer(4, 3, activation, 0.2, seed=2)
    x = rng.standard_normal((5, 4) if batched else (4,))
    upstream = rng.standard_normal((5, 3) if batched else (3,))
    w, b = layer.weight.data, layer.bias.data

    def loss():  # L = sum(output * upstream), so dL/d(output) = upstream
        return np.sum(ref_layer(x, w, b, activation) * upstream)

    layer.forward(x)
    grad_x = layer.backward(upstream)
    assert isinstance(grad_x, np.ndarray) and grad_x.shape == x.shape
    np.testing.assert_allclose(grad_x, numeric_grad(loss, x), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(layer.weight.grad, numeric_grad(loss, w), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(layer.bias.grad, numeric_grad(loss, b), rtol=1e-5, atol=1e-7)


def test_layer_backward_replaces_gradients_and_accepts_a_tensor():
    layer = Layer(2, 2, "tanh", 1, seed=0)
    x = np.array([[0.5, -1.0]])
    layer.forward(x)
    layer.backward(np.ones((1, 2)))
    first = layer.weight.grad.copy()
    layer.forward(x)
    layer.backward(Tensor(np.ones((1, 2))))
    np.testing.assert_array_equal(layer.weight.grad, first)  # not accumulated


def _small_net(lr=0.1, activations=("tanh", "sigmoid", "linear"), seed=0):
    net = NeuralNetwork(3, lr=lr, seed=seed)
    for width, act in zip((4, 3, 2), activations):
        net.append_layer(width, act, 0.1)
    return net


def test_network_backward_matches_finite_differences_and_steps():
    rng = np.random.default_rng(3)
    net = _small_net(lr=0.05)
    x, y = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))

    def loss():
        return np.mean((ref_net(x, net) - y) ** 2)

    expected = []
    for w, b in net_params(net):
        expected += [numeric_grad(loss, w), numeric_grad(loss, b)]
    before = [p.data.copy() for p in net.parameters()]
    out = net.forward(x)
    assert net.backward(2 * (out.data - y) / y.size) is None
    for p, old, g in zip(net.parameters(), before, expected):
        np.testing.assert_allclose(p.grad, g, rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(p.data, old - 0.05 * p.grad, rtol=0, atol=1e-15)


def test_layer_by_layer_chain_equals_whole_graph_backward():
    rng = np.random.default_rng(4)
    x, upstream = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    chain, whole = _small_net(seed=5), _small_net(seed=5)

    g = upstream
    out = chain.forward(x)
    for layer in reversed(list(chain.layers)):
        g = layer.backward(g)
    grad_x_chain = g

    xt = Tensor(x, requires_grad=True)
    out2 = whole(xt)  # the Module path: one graph through every layer
    np.testing.assert_array_equal(out.data, out2.data)
    out2.backward(upstream)
    for p, q in zip(chain.parameters(), whole.parameters()):
        np.testing.assert_allclose(p.grad, q.grad, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad_x_chain, xt.grad, rtol=1e-12, atol=1e-15)


def test_network_backward_leaves_a_tensor_input_alone():
    net = _small_net()
    xt = Tensor(np.ones((2, 3)), requires_grad=True)
    out = net.forward(xt)
    net.backward(np.ones(out.shape))
    assert xt.grad is None and xt.is_leaf and xt.requires_grad


def test_float32_network_stays_float32():
    net = NeuralNetwork(3, lr=0.1, seed=0, dtype=np.float32)
    net.append_layer(4, "relu", 0)
    net.append_layer(2, None, 0)
    out = net.forward(np.ones((2, 3)))  # float64 input is cast to the layer's dtype
    assert out.dtype == np.float32
    net.backward(np.ones((2, 2)))
    assert all(p.data.dtype == np.float32 and p.grad.dtype == np.float32
               for p in net.parameters())


# ----- Module features on the exercise classes -----


def test_layer_and_network_are_modules():
    net = _small_net()
    assert isinstance(net, Module) and isinstance(net.layers[0], Module)
    assert isinstance(net.layers[0], Linear)
    names = [name for name, _ in net.named_parameters()]
    assert names == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                     "layers.2.weight", "layers.2.bias"]


def test_network_with_an_optimizer_and_engine_loss():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((60, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    net = NeuralNetwork(2, lr=0.1, seed=0, init="xavier")
    net.append_layer(16, "tanh", 0)
    net.append_layer(2, None, 0)
    opt = SGD(net.parameters(), lr=0.3, momentum=0.9)
    for _ in range(300):
        opt.zero_grad()
        loss = cross_entropy(net(x), y)
        loss.backward()
        opt.step()
    assert accuracy(net.predict(x), y) == 1.0


@pytest.mark.parametrize("loss, last", [("cross_entropy", "softmax"),
                                        ("cross_entropy", None),
                                        ("binary_cross_entropy", "sigmoid"),
                                        ("mse", "sigmoid")])
def test_train_step_and_fit(loss, last):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((60, 2))
    x = x[np.abs(x[:, 0] + x[:, 1]) > 0.3][:40]  # separable with a margin
    labels = (x[:, 0] + x[:, 1] > 0).astype(int)
    width = 2 if loss == "cross_entropy" else 1
    y = labels if loss == "cross_entropy" else labels[:, None].astype(float)
    net = NeuralNetwork(2, lr=0.5, seed=0)
    net.append_layer(8, "tanh", 0)
    net.append_layer(width, last, 0)
    first = net.train_step(x, y, loss=loss)
    history = net.fit(x, y, epochs=60, batch_size=10, loss=loss, seed=0)
    assert len(history) == 60 and history[-1] < first
    pred = net.predict(x)
    assert accuracy(pred, labels, threshold=0.5 if last == "sigmoid" else 0.0) == 1.0


def test_train_step_loss_value_matches_the_functional_loss():
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((8, 3)), rng.integers(0, 2, 8)
    net = NeuralNetwork(3, lr=0.1, seed=0)
    net.append_layer(2, "softmax", 0)
    probs = net.predict(x)
    expected = -np.mean(np.log(probs[np.arange(8), y]))
    assert net.train_step(x, y, loss="cross_entropy") == pytest.approx(expected, rel=1e-10)


def test_save_and_load_a_network(tmp_path):
    net, other = _small_net(seed=0), _small_net(seed=1)
    save(net, tmp_path / "net.npz")
    load(other, tmp_path / "net.npz")
    x = np.ones((1, 3))
    np.testing.assert_array_equal(net.predict(x), other.predict(x))


# ----- bad input -----


def test_wrong_input_width_names_the_layer_and_shapes():
    net = _small_net()
    with pytest.raises(ValueError, match=r"layers\.0.*\(batch, 3\).*\(4, 5\)"):
        net.forward(np.ones((4, 5)))
    layer = Layer(2, 3, "relu", 0, seed=0)
    with pytest.raises(ValueError, match=r"expected input of shape \(batch, 2\).*got shape "
                                         r"\(3,\)"):
        layer.forward(np.ones(3))


def test_unknown_activation_lists_the_choices():
    with pytest.raises(ValueError, match="sigmoid.*tanh.*relu.*linear.*softmax"):
        Layer(2, 2, "sigmod", 0)
    net = NeuralNetwork(2, lr=0.1)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        net.append_layer(2, "swish", 0)
    assert len(net.layers) == 0


@pytest.mark.parametrize("lr", [0, -0.1, float("nan")])
def test_bad_learning_rate(lr):
    with pytest.raises(ValueError, match="lr"):
        NeuralNetwork(2, lr=lr)


def test_bad_sizes_and_bias_shape():
    with pytest.raises(ValueError, match="n_of_neurons"):
        Layer(2, 0, "relu", 0)
    with pytest.raises(ValueError, match="input_size"):
        NeuralNetwork(0, lr=0.1)
    with pytest.raises(ValueError, match=r"bias.*\(3,\)"):
        Layer(2, 3, "relu", [1.0, 2.0])


def test_empty_network_says_what_is_expected():
    net = NeuralNetwork(2, lr=0.1)
    for call in (lambda: net.forward(np.ones((1, 2))), lambda: net.backward(np.ones((1, 1))),
                 lambda: net.train_step(np.ones((1, 2)), np.ones((1, 1)))):
        with pytest.raises(ValueError, match="empty.*append_layer"):
            call()


def test_backward_without_forward_and_twice():
    layer = Layer(2, 2, "tanh", 0, seed=0)
    with pytest.raises(RuntimeError, match="forward"):
        layer.backward(np.ones((1, 2)))
    layer.forward(np.ones((1, 2)))
    layer.backward(np.ones((1, 2)))
    with pytest.raises(RuntimeError, match="forward"):
        layer.backward(np.ones((1, 2)))
    with no_grad():
        layer.forward(np.ones((1, 2)))
    with pytest.raises(RuntimeError, match="forward"):
        layer.backward(np.ones((1, 2)))


def test_wrong_loss_derivative_shape_changes_nothing():
    net = _small_net()
    before = [p.data.copy() for p in net.parameters()]
    net.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"loss_derivative has shape \(4,\).*\(4, 2\)"):
        net.backward(np.ones(4))
    for p, old in zip(net.parameters(), before):
        np.testing.assert_array_equal(p.data, old)
    net.backward(np.ones((4, 2)))  # the forward pass is still usable


def test_layer_backward_shape_error_names_the_layer():
    layer = Layer(2, 3, "tanh", 0, seed=0)
    layer.forward(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"chain_rule_derivatives has shape \(4, 2\).*"
                                         r"\(4, 3\)"):
        layer.backward(np.ones((4, 2)))


def test_unknown_loss_name_in_train_step():
    net = _small_net()
    with pytest.raises(ValueError, match="unknown loss 'hinge'.*'mse'.*'cross_entropy'"):
        net.train_step(np.ones((1, 3)), np.ones((1, 2)), loss="hinge")


def test_mse_shape_mismatch_in_train_step_leaves_weights():
    net = _small_net()
    before = [p.data.copy() for p in net.parameters()]
    with pytest.raises(ValueError, match=r"input has shape \(4, 2\) but target has shape"):
        net.train_step(np.ones((4, 3)), np.ones(4), loss="mse")
    for p, old in zip(net.parameters(), before):
        np.testing.assert_array_equal(p.data, old)
    assert mse_loss(np.ones(2), np.ones(2)).item() == 0.0
