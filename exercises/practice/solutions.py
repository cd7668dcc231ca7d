"""Plain-NumPy solutions of the starters' TODOs, the way a learner of the course writes them.

`python -m exercises solution N --write PATH` puts them into the starter's skeleton. They
use no autograd: that is the exercise. Each entry is the code that replaces one
`<<todo:NAME>>` marker (indented where the marker is).
"""

SOLUTIONS = {
    "ex1_forward": "return w * x",
    "ex1_backward": """\
out = forward(w, x)
dL_dout = 2 * (out - y)    # derivative of the square
dout_dw = x                # derivative of w * x with respect to w
return dL_dout * dout_dw""",
    "ex1_train": """\
for epoch in range(epochs):
    out = forward(w, x)
    losses.append((out - y) ** 2)
    w = w - lr * backward(w, x, y)""",
    "ex2_forward": """\
h = sigmoid(params["w1"] * x + params["b1"])     # the two hidden neurons
return h @ params["w2"] + params["b2"]           # a linear output""",
    "ex2_backward": """\
h = sigmoid(params["w1"] * x + params["b1"])
out = h @ params["w2"] + params["b2"]
dL_dout = 2 * (out - y)
dL_dz = dL_dout * params["w2"] * h * (1 - h)    # back through w2, then the sigmoids
return {"w1": dL_dz * x, "b1": dL_dz, "w2": dL_dout * h, "b2": float(dL_dout)}""",
    "ex3_forward": """\
h = sigmoid(np.asarray(x, dtype=float) @ params["w1"] + params["b1"])
return sigmoid(h @ params["w2"] + params["b2"])""",
    "ex3_backward": """\
x = np.asarray(x, dtype=float)
h = sigmoid(x @ params["w1"] + params["b1"])
out = sigmoid(h @ params["w2"] + params["b2"])
dL_dzo = 2 * (out - y) * out * (1 - out)        # through the output sigmoid
dL_dzh = dL_dzo * params["w2"] * h * (1 - h)    # back through w2 and the hidden sigmoids
return {"w1": np.outer(x, dL_dzh), "b1": dL_dzh, "w2": dL_dzo * h, "b2": float(dL_dzo)}""",
    "hidden_train": """\
params = {name: np.array(value, dtype=float) for name, value in params.items()}
for epoch in range(epochs):
    total = 0.0
    for x, y in zip(X, Y):
        total += float((forward(params, x) - y) ** 2)
        grads = backward(params, x, y)
        for name in params:
            params[name] = params[name] - lr * grads[name]
    losses.append(total / len(X))
params["b2"] = float(params["b2"])""",
    "layer_init": """\
self.weights = np.random.randn(n_of_inputs, n_of_neurons)
self.bias = np.full(n_of_neurons, float(bias))
self.activation = activation""",
    "layer_forward": """\
self.x = np.asarray(x, dtype=float)
self.z = self.x @ self.weights + self.bias
if self.activation == "sigmoid":
    self.a = 1 / (1 + np.exp(-self.z))
elif self.activation == "tanh":
    self.a = np.tanh(self.z)
elif self.activation == "relu":
    self.a = np.maximum(self.z, 0)
else:
    self.a = self.z
return self.a""",
    "layer_backward": """\
if self.activation == "sigmoid":
    slope = self.a * (1 - self.a)
elif self.activation == "tanh":
    slope = 1 - self.a ** 2
elif self.activation == "relu":
    slope = (self.z > 0) * 1.0
else:
    slope = np.ones_like(self.z)
dz = chain_rule_derivatives * slope        # one row per sample
self.d_weights = self.x.T @ dz
self.d_bias = dz.sum(axis=0)
return dz @ self.weights.T""",
    "net_init": """\
self.input_size = input_size
self.lr = lr
self.layers = []""",
    "net_append": """\
n_of_inputs = self.layers[-1].weights.shape[1] if self.layers else self.input_size
self.layers.append(Layer(n_of_inputs, output_number, activation, bias))""",
    "net_forward": """\
for layer in self.layers:
    x = layer.forward(x)
return x""",
    "net_backward": """\
gradient = loss_derivative
for layer in reversed(self.layers):
    gradient = layer.backward(gradient)
for layer in self.layers:
    layer.weights = layer.weights - self.lr * layer.d_weights
    layer.bias = layer.bias - self.lr * layer.d_bias""",
    "ex5_build": """\
np.random.seed(0)
net = NeuralNetwork(784, 0.1)
net.append_layer(128, "relu", 0)
net.append_layer(10, "linear", 0)
for layer in net.layers:    # randn is too big for many inputs: He's scale
    layer.weights = layer.weights * np.sqrt(2 / layer.weights.shape[0])
return net""",
    "ex5_train": """\
epochs, batch_size = 5, 32
losses = []
for epoch in range(epochs):
    order = np.random.permutation(len(images))
    total = 0.0
    for start in range(0, len(images), batch_size):
        batch = order[start:start + batch_size]
        x, y = images[batch], labels[batch]
        out = net.forward(x)
        p = np.exp(out - out.max(axis=1, keepdims=True))
        p = p / p.sum(axis=1, keepdims=True)              # softmax
        rows = np.arange(len(y))
        total += -np.log(p[rows, y] + 1e-12).sum()        # cross-entropy
        p[rows, y] -= 1                                     # softmax - one_hot
        net.backward(p / len(y))
    losses.append(total / len(images))
return losses""",
    "ex5_predict": "return net.forward(images).argmax(axis=1)",
}
