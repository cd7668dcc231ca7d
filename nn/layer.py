"""The course exercise's `Layer` and `NeuralNetwork`, with gradients from the engine.

A `Layer` is a dense layer with an activation: `activation(x @ W + b)`, W of shape
(n_of_inputs, n_of_neurons). `Layer.backward(chain_rule_derivatives)` takes dL/d(output)
and returns dL/d(input), filling the layer's weight and bias gradients on the way; the
engine computes them from the graph that `forward` recorded, no formula is written by hand.

`NeuralNetwork` stacks layers with `append_layer` and trains them by gradient descent:
`backward(loss_derivative)` chains `Layer.backward` from the last layer to the first, then
takes one step of size `lr`. Both are Modules, so optimizers, `state_dict()`, `nn.save` and
a whole-graph `loss.backward()` work on them as on any model.

>>> import numpy as np
>>> from nn import NeuralNetwork
>>> net = NeuralNetwork(2, lr=0.2, seed=0)
>>> net.append_layer(2, "sigmoid", 1)
Layer(n_of_inputs=2, n_of_neurons=2, activation='sigmoid', bias=True)
>>> net.append_layer(1, "sigmoid", 1)
Layer(n_of_inputs=2, n_of_neurons=1, activation='sigmoid', bias=True)
>>> x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
>>> y = np.array([[0.0], [1.0], [1.0], [0.0]])
>>> out = net.forward(x)
>>> net.backward(2 * (out.data - y) / len(x))  # dL/d(output) of the mean squared error
"""

import numpy as np

from autograd_lite import GraphReleasedError, Tensor, engine, is_grad_enabled, no_grad
from autograd_lite.checks import as_array

from . import functional as F
from .data import batches
from .init import get_initializer, make_rng
from .module import Linear, Module, Parameter, Sequential, _as_shape, _check_size, _float_dtype
from .optim import check_lr, checked_grads

__all__ = ["Layer", "NeuralNetwork", "LOSSES"]


class Layer(Linear):
    """A dense layer with an activation: `activation(x @ weight + bias)`.

    - `activation`: "sigmoid", "tanh", "relu", "linear" (or None), "softmax", or a callable
      on Tensors.
    - `bias`: the initial bias value, a number (broadcast to every neuron) or an array of
      shape (n_of_neurons,); `bias=0` is a zero bias that is still trained; False or None
      means no bias; True means a zero-initialised bias.
    - weights: `np.random.randn(n_of_inputs, n_of_neurons)` by default, from NumPy's global
      generator (so `np.random.seed` controls it) unless `seed` (int or Generator) or `rng`
      is given; `init` picks another initialiser ("xavier", "he", ...). `dtype` defaults to
      float64, as `np.random.randn` gives; pass np.float32 for speed.

    `forward(x)` takes a (batch, n_of_inputs) or (n_of_inputs,) array or Tensor.
    `backward(chain_rule_derivatives)` takes dL/d(output), replaces `weight.grad` and
    `bias.grad` with dL/dW and dL/db, and returns dL/d(input) as an array; it needs one
    `forward` before each call. Attributes: `weight`/`weights`, `bias`/`biases`.

    >>> import numpy as np
    >>> layer = Layer(3, 2, "tanh", 1, seed=0)
    >>> out = layer.forward(np.ones((4, 3)))
    >>> layer.backward(np.ones((4, 2))).shape
    (4, 3)
    >>> layer.weight.grad.shape, layer.bias.grad.shape
    ((3, 2), (2,))
    """

    def __init__(self, n_of_inputs, n_of_neurons, activation=None, bias=0.0, *, init="randn",
                 seed=None, rng=None, dtype=None):
        Module.__init__(self)
        self.n_of_inputs = self.in_features = _check_size(n_of_inputs, "n_of_inputs", "Layer")
        self.n_of_neurons = self.out_features = _check_size(n_of_neurons, "n_of_neurons",
                                                            "Layer")
        self.activation, self._activation = F.get_activation(activation, "Layer")
        if self.activation is None:
            self.activation = activation  # a callable, kept as given
        dtype = _float_dtype(np.float64 if dtype is None else dtype, "Layer")
        shape = (self.n_of_inputs, self.n_of_neurons)
        weight = get_initializer(init)(shape, make_rng(seed, rng))
        self.weight = Parameter(_as_shape(weight, shape, "Layer init"), dtype=dtype)
        self.bias = _initial_bias(bias, self.n_of_neurons, dtype)
        self._input = self._output = None

    @property
    def weights(self):
        """The weight Parameter (alias of `weight`)."""
        return self.weight

    @property
    def biases(self):
        """The bias Parameter or None (alias of `bias`)."""
        return self.bias

    def pre_activation(self, x):
        """`x @ weight + bias`, the activation's input (the logits of a softmax layer)."""
        x = self._check_input(x)
        z = F.Affine.apply(x, self.weight) if self.bias is None else \
            F.Affine.apply(x, self.weight, self.bias)
        return x, z

    def forward(self, x):
        x, z = self.pre_activation(x)
        out = self._activation(z)
        if not isinstance(out, Tensor):
            raise TypeError(f"{self._describe()}: the activation must return a Tensor, got "
                            f"{type(out).__name__}")
        if is_grad_enabled() and out.requires_grad:
            self._input, self._output = x, out  # what backward needs
        else:
            self._input = self._output = None
        return out

    def backward(self, chain_rule_derivatives):
        """dL/d(input) from dL/d(output); stores dL/dW and dL/db in the parameters' `.grad`."""
        return self._backward(chain_rule_derivatives, need_input_grad=True)

    def _backward(self, chain_rule_derivatives, need_input_grad):
        where = f"{self._describe()}.backward"
        if self._output is None:
            raise RuntimeError(f"{where}: nothing to back-propagate; call forward(x) first "
                               f"(outside no_grad()), once before each backward")
        x, out = self._input, self._output
        g = chain_rule_derivatives
        g = as_array(g.data if isinstance(g, Tensor) else g, where, "chain_rule_derivatives",
                     out.dtype)
        if g.shape != out.shape:
            raise ValueError(f"{where}: chain_rule_derivatives has shape {g.shape}, but the "
                             f"layer's output has shape {out.shape}; pass dL/d(output), one "
                             f"value per output")
        params = list(self.parameters())
        # Back-propagate through this layer only: the pass stops at the input and returns
        # the gradients instead of storing them. A constant input is made to require grad
        # for the pass, so that dL/dinput is computed too.
        saved = x.requires_grad
        x.requires_grad = saved or need_input_grad
        try:
            grad_input, *grads = engine.backward(out, g, inputs=[x, *params], stop=[x])
        except GraphReleasedError:
            raise GraphReleasedError(f"{where}: this layer's graph was already used by a "
                                     f"backward pass; call forward(x) again before each "
                                     f"backward") from None
        finally:
            x.requires_grad = saved
        for p, grad in zip(params, grads):  # the layer's gradients: this pass's, replaced
            p.grad = grad
        self._input = self._output = None
        return grad_input if need_input_grad else None

    def extra_repr(self):
        act = self.activation if isinstance(self.activation, str) else \
            getattr(self.activation, "__name__", repr(self.activation))
        return (f"n_of_inputs={self.n_of_inputs}, n_of_neurons={self.n_of_neurons}, "
                f"activation={act!r}, bias={self.bias is not None}")


def _initial_bias(bias, n, dtype):
    if bias is None or isinstance(bias, (bool, np.bool_)):
        return Parameter(np.zeros(n, dtype=dtype)) if bias else None
    value = as_array(bias.data if isinstance(bias, Tensor) else bias, "Layer", "bias", dtype)
    if value.shape not in ((), (n,)):
        raise ValueError(f"Layer: bias must be a number or an array of shape ({n},), got "
                         f"shape {value.shape}")
    return Parameter(np.array(np.broadcast_to(value, (n,)), dtype=dtype))


LOSSES = {
    "mse": F.mse_loss,
    "mse_loss": F.mse_loss,
    "binary_cross_entropy": F.binary_cross_entropy,
    "bce": F.binary_cross_entropy,
    "cross_entropy": F.cross_entropy,
}


class NeuralNetwork(Module):
    """Layers stacked with `append_layer`, trained by gradient descent with step size `lr`.

    - `append_layer(output_number, activation, bias)` adds a Layer whose inputs are the
      previous layer's neurons (or `input_size` for the first one) and returns it.
    - `forward(x)` runs the layers; `backward(loss_derivative)` takes dL/d(network output),
      chains `Layer.backward` from the last layer to the first, then updates every weight
      and bias by `-lr * gradient`. The gradients stay in `.grad` until the next backward.
    - `train_step(x, y, loss)` does forward, loss, backward and the update in one call;
      `fit` loops it over mini-batches; `predict(x)` returns the output as an array.

    `seed`/`rng`, `init` and `dtype` are passed to every Layer (see Layer).

    >>> import numpy as np
    >>> net = NeuralNetwork(3, lr=0.1, seed=0)
    >>> _ = net.append_layer(4, "relu", 0)
    >>> _ = net.append_layer(2, None, 0)
    >>> net.forward(np.ones((5, 3))).shape
    (5, 2)
    """

    def __init__(self, input_size, lr, *, init="randn", seed=None, rng=None, dtype=None):
        super().__init__()
        self.input_size = _check_size(input_size, "input_size", "NeuralNetwork")
        self.lr = check_lr(lr, "NeuralNetwork")
        get_initializer(init)  # fail now on an unknown name, not at the first append_layer
        self.init = init
        self.dtype = _float_dtype(np.float64 if dtype is None else dtype, "NeuralNetwork")
        self._rng = make_rng(seed, rng)
        self.layers = Sequential()

    def append_layer(self, output_number, activation=None, bias=0.0):
        """Add a Layer of `output_number` neurons after the last one; returns it."""
        n_in = self.layers[-1].n_of_neurons if len(self.layers) else self.input_size
        layer = Layer(n_in, output_number, activation, bias, init=self.init, rng=self._rng,
                      dtype=self.dtype)
        self.layers.append(layer)
        return layer

    def forward(self, x):
        self._check_not_empty("forward")
        return self.layers(x)

    def backward(self, loss_derivative):
        """Back-propagate dL/d(output) through every layer, then take one step of size lr."""
        self._check_not_empty("backward")
        layers = list(self.layers)
        last = layers[-1]
        if last._output is not None:
            shape = as_array(loss_derivative.data if isinstance(loss_derivative, Tensor)
                             else loss_derivative, "NeuralNetwork.backward",
                             "loss_derivative").shape
            if shape != last._output.shape:
                raise ValueError(f"NeuralNetwork.backward: loss_derivative has shape {shape}, "
                                 f"but the network's output has shape {last._output.shape}; "
                                 f"pass dL/d(output), one value per output")
        for layer in layers:
            if layer._output is None:
                raise RuntimeError(f"NeuralNetwork.backward: {layer._describe()} has no "
                                   f"forward pass to back-propagate; call forward(x) before "
                                   f"each backward")
        g = loss_derivative
        for i in range(len(layers) - 1, -1, -1):
            g = layers[i]._backward(g, need_input_grad=i > 0)
        self.step()

    def step(self):
        """Update every parameter by `-lr * grad` (in place), skipping those without one."""
        params = list(self.parameters())
        for p, g in zip(params, checked_grads(params, "NeuralNetwork.step")):
            if g is not None:
                p.data -= self.lr * g
                p._version += 1  # an in-place change: older graphs refuse to backprop

    def train_step(self, x, y, loss="mse"):
        """Forward, loss, backward and one gradient step on the batch (x, y); returns the loss.

        `loss` is "mse", "binary_cross_entropy" ("bce"), "cross_entropy", or a function
        `loss(output, y) -> Tensor`. With "cross_entropy" after a softmax layer (or
        "binary_cross_entropy" after a sigmoid layer) the loss is computed from the logits
        before that activation, which is the same value, only stable.
        """
        self._check_not_empty("train_step")
        value = self._loss(x, y, loss)
        self.zero_grad()
        value.backward()
        self.step()
        return value.item()

    def fit(self, x, y, epochs=1, batch_size=None, loss="mse", shuffle=True, seed=None):
        """Run `train_step` over mini-batches of (x, y) for `epochs`; returns the mean loss
        of each epoch. `batch_size=None` uses the whole data set as one batch."""
        self._check_not_empty("fit")
        n = len(x)
        size = n if batch_size is None else batch_size
        source = make_rng(seed)
        history = []
        for _ in range(_check_size(epochs, "epochs", "NeuralNetwork.fit")):
            total = 0.0
            for xb, yb in batches(x, y, size, shuffle=shuffle, seed=source):
                total += self.train_step(xb, yb, loss) * len(xb)
            history.append(total / n)
        return history

    def predict(self, x):
        """The network's output for `x` as a NumPy array, without recording a graph."""
        with no_grad():
            return self.forward(x).data

    def _loss(self, x, y, loss):
        if callable(loss):
            return loss(self.forward(x), y)
        if loss not in LOSSES:
            raise ValueError(f"NeuralNetwork: unknown loss {loss!r}; choose one of "
                             f"{', '.join(map(repr, LOSSES))} or pass a function "
                             f"loss(output, y) -> Tensor")
        fn = LOSSES[loss]
        last = self.layers[-1]
        fused = {F.cross_entropy: "softmax", F.binary_cross_entropy: "sigmoid"}
        if fused.get(fn) == last.activation:
            h = self.layers[:-1](x) if len(self.layers) > 1 else x
            _, logits = last.pre_activation(h)
            last._input = last._output = None
            if fn is F.cross_entropy:
                return F.cross_entropy(logits, y)
            return F.binary_cross_entropy(logits, y, from_logits=True)
        return fn(self.forward(x), y)

    def _check_not_empty(self, what):
        if not len(self.layers):
            raise ValueError(f"NeuralNetwork.{what}: the network is empty; expected at least "
                             f"one layer, got none (add layers with append_layer(output_number,"
                             f" activation, bias))")

    def extra_repr(self):
        return f"input_size={self.input_size}, lr={self.lr}"
