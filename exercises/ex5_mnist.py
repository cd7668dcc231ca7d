"""Exercise 5: a classifier of handwritten digits (MNIST) with exercise 4's NeuralNetwork.

Statement: the MNIST database holds 28x28 grey images of the digits 0-9, 60,000 for
training and 10,000 for testing. Build a classifier with the `NeuralNetwork` class of
exercise 4, train it with mini-batches (a gradient step after every few dozen images
instead of after each image or after all 60,000) and report its accuracy on the test
images, which it never saw while training.

The solution:
- input: each image flattened to 784 numbers, standardised with the training images' mean
  and standard deviation (so the inputs are centred on 0 with spread 1);
- network: 784 -> 256 (relu) -> 128 (relu) -> 10 outputs, the logits, one per digit;
  weights from He's initialisation (randn * sqrt(2 / inputs), the scale that suits relu:
  exercise 3's plain randn would make 784-input neurons start saturated), biases 0;
- loss: softmax cross-entropy, L = -mean(log softmax(logits)[label]). Its derivative with
  respect to the logits is the famous (softmax(logits) - one_hot(label)) / batch_size, which
  is what we pass to `net.backward`, exactly as exercise 4 passed 2 * (out - y);
- training: mini-batches of 64 shuffled images, plain gradient descent
  (`NeuralNetwork.backward` takes the step), 15 epochs, float32 arrays for speed. The
  learning rate starts at 0.1 and falls along a cosine towards 0 (lr * (1 + cos(pi * e /
  epochs)) / 2 in epoch e + 1): big steps first, then small ones that settle the weights
  instead of jumping around the minimum (on Fashion-MNIST: 89.05% test accuracy with the
  cosine, 88.44% with a constant 0.1).

On the official split (60,000 / 10,000) the defaults reach 98.14% test accuracy (target:
97.5%) in 15 epochs; on Fashion-MNIST (`--dataset fashion-mnist`), 89.4%.
`--train-on-test-split 8000` is a quick split that needs only the two test files: it
trains on the first 8,000 test digits and tests on the other 2,000 (96.35%).

Data: `nn.datasets` finds the four IDX files in `--data-dir` (flat, or DIR/MNIST/raw as
torchvision lays them out), else in $AUTOGRAD_LITE_DATA, else ~/.cache/autograd_lite, and
downloads them (MD5-checked) when missing unless `--no-download`.

The next step, `--model cnn`: a small LeNet-style convolutional network, written with
PyTorch's names (`nn.Conv2d`, `nn.MaxPool2d`, `nn.Linear`, `nn.Adam`):
- input: each image as a 1x28x28 picture (N, C, H, W), standardised as above;
- network: conv 5x5 (16 filters, padding 2) -> relu -> 2x2 max pool -> conv 5x5 (32
  filters) -> relu -> 2x2 max pool -> flatten (32 * 5 * 5 = 800) -> dense 128 (relu) ->
  10 logits. The convolutions find each digit's strokes wherever they are, with 13,248
  weights, where the MLP's first layer alone has 200,960;
- training: Adam (lr 0.001, falling along the same cosine), mini-batches of 64, 10 epochs,
  PyTorch's default initialisation. Designed for at least 99% test accuracy on the
  official split in under 10 minutes on 2 cores (docs/exercises.md says what was measured).

Run it:  python -m exercises 5 [--model cnn] [--data-dir DIR] [--dataset fashion-mnist]
         [--epochs N] [--export-onnx digits.onnx]   (the trained classifier, for ONNX Runtime)
"""

import math

import numpy as np

from autograd_lite import Tensor, no_grad, retain_grads
from nn import (Adam, Conv2d, Flatten, Linear, MaxPool2d, NeuralNetwork, ReLU, Sequential,
                accuracy, batches, cross_entropy)
from nn.datasets import load_fashion_mnist, load_mnist

from .common import OptionError, Timer, label_layers, progress, render_step_graph, save_curves

NAME = "MNIST digits with nn.NeuralNetwork and mini-batches"
DEFAULTS = {"epochs": 15, "batch_size": 64, "lr": 0.1, "hidden": (256, 128), "seed": 0,
            "dataset": "mnist"}
CNN_DEFAULTS = {"epochs": 10, "batch_size": 64, "lr": 1e-3, "seed": 0, "dataset": "mnist"}
MODELS = ("mlp", "cnn")
LOADERS = {"mnist": load_mnist, "fashion-mnist": load_fashion_mnist}
CLASSES = 10


def load_data(dataset="mnist", data_dir=None, download=True, train_on_test_split=None):
    """`((x_train, y_train), (x_test, y_test), description)` as float32 images and int labels.

    With `train_on_test_split=N` (development mode) only the test files are read: the first
    N images train, the rest test.
    """
    if dataset not in LOADERS:
        raise OptionError(f"exercise 5: dataset must be one of {', '.join(LOADERS)}, got "
                         f"{dataset!r}")
    load = LOADERS[dataset]
    if train_on_test_split:
        x, y = load(root=data_dir, split="test", download=download)
        n = int(train_on_test_split)
        if not 0 < n < len(x):
            raise OptionError(f"exercise 5: --train-on-test-split must be between 1 and "
                              f"{len(x) - 1} (the test split has {len(x)} images, and some "
                              f"must be left to test on), got {n}")
        split = (f"development split: the first {n} test images train, the other "
                 f"{len(x) - n} test")
        return (x[:n], y[:n]), (x[n:], y[n:]), split
    train = load(root=data_dir, split="train", download=download)
    test = load(root=data_dir, split="test", download=download)
    return train, test, (f"{dataset} train and test files: {len(train[0])} train, "
                         f"{len(test[0])} test")


def standardise(x, mean, std):
    """(x - mean) / std in float32: inputs centred on 0 with spread 1 train faster."""
    return (x - np.float32(mean)) / np.float32(std)


def cosine(lr, epoch, epochs):
    """The learning rate of `epoch` (1-based): from `lr` down along a cosine towards 0."""
    return lr * 0.5 * (1 + math.cos(math.pi * (epoch - 1) / epochs))


def constant(lr, epoch, epochs):
    """The same learning rate in every epoch."""
    return lr


SCHEDULES = {"cosine": cosine, "constant": constant}


def build_network(hidden=(256, 128), lr=0.1, seed=0):
    """784 -> hidden (relu) ... -> 10 logits, He-initialised, float32."""
    net = NeuralNetwork(784, lr=lr, init="he", seed=seed, dtype=np.float32)
    for size in hidden:
        net.append_layer(size, "relu", 0)
    net.append_layer(CLASSES, "linear", 0)  # logits: the softmax is part of the loss
    return net


def log_softmax(z):
    """log(softmax(z)) along the last axis, computed stably (NumPy, for the loss value)."""
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def train_epoch(net, x, y, batch_size, rng, bar=None):
    """One pass over (x, y) in shuffled mini-batches; returns the mean training loss."""
    one_hot = np.eye(CLASSES, dtype=x.dtype)
    total = 0.0
    for xb, yb in batches(x, y, batch_size, shuffle=True, seed=rng):
        logits = net.forward(xb)                                  # (B, 10)
        log_p = log_softmax(logits.data)
        d_logits = (np.exp(log_p) - one_hot[yb]) / len(xb)       # dL/dlogits
        net.backward(d_logits)                                    # gradients, then a step
        loss = -log_p[np.arange(len(yb)), yb].mean()
        total += float(loss) * len(xb)
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
    return total / len(x)


def evaluate(net, x, y, chunk=2000):
    """Accuracy (a fraction) of the network's most likely digit on (x, y)."""
    logits = np.concatenate([net.predict(x[i:i + chunk]) for i in range(0, len(x), chunk)])
    return accuracy(logits, y)


def draw_step(net, xb, yb, path, title):
    """Draw one step's forward and backward pass (a tensor graph); the net is unchanged."""
    label_layers(net)
    return _draw_loss_step(net.forward, net.zero_grad, xb, yb, path, title)


def _draw_loss_step(forward, zero_grad, xb, yb, path, title):
    """Run forward, cross-entropy and backward on one batch, draw it, clear the gradients."""
    logits = forward(Tensor(xb, label="images"))
    logits.label = "logits"
    loss = cross_entropy(logits, yb)
    loss.label = "loss"
    retain_grads(loss)
    zero_grad()
    loss.backward()
    path = render_step_graph(loss, path, title)
    zero_grad()
    return path


def export_onnx(result, path):
    """Write the trained classifier of `run()`'s `result` as an ONNX file; returns `path`.

    The file takes images as `load_mnist` gives them (float32 in [0, 1], shape (N, 784),
    any N) as "images" and returns the 10 logits as "logits": the standardisation with the
    training images' mean and standard deviation (and, for a convolutional network, the
    reshape to (N, 1, 28, 28)) is part of the file, so predictions are
    `logits.argmax(axis=1)`. Needs the onnx extra.
    """
    from autograd_lite import onnx

    net = result["_network"]
    images = Tensor(np.zeros((1, 784), np.float32), requires_grad=True, label="images")
    x = standardise(images, result["input_mean"], result["input_std"])
    modes = [(m, m.training) for m in net.modules()]
    net.eval()  # no dropout, running statistics: what predictions use
    try:
        if result.get("model", "mlp") == "mlp":
            logits = net.forward(x)
            for layer in net.layers:  # not a training step: nothing to back-propagate
                layer._input = layer._output = None
        else:
            logits = net(x.reshape(-1, 1, 28, 28))
    finally:
        for m, mode in modes:
            object.__setattr__(m, "training", mode)
    onnx.export(logits, images, path, input_names=["images"], output_names=["logits"],
                graph_name="mnist_classifier",
                initializer_names={p: name for name, p in net.named_parameters()})
    return path


def run(data_dir=None, dataset="mnist", epochs=None, batch_size=64, lr=None, hidden=(256, 128),
        seed=0, download=True, train_on_test_split=None, schedule="cosine", graph=None,
        plot=None, verbose=False, model="mlp"):
    """Train the digit classifier; returns losses, accuracy per epoch and test accuracy.

    `accuracy` is measured on the test split (on the held-out test images in the
    development mode `train_on_test_split=N`). `schedule` is "cosine" (the learning rate
    falls from `lr` towards 0) or "constant". Raises `nn.datasets.DatasetNotFoundError`,
    with instructions, when the data is missing and cannot be downloaded.

    >>> result = run(data_dir="data/mnist", train_on_test_split=8000, epochs=3)  # doctest: +SKIP
    >>> result["accuracy"] > 0.9                                                # doctest: +SKIP
    True
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"exercise 5: schedule must be one of {', '.join(SCHEDULES)}, got "
                         f"{schedule!r}")
    if model not in MODELS:
        raise ValueError(f"exercise 5: model must be one of {', '.join(MODELS)}, got {model!r}")
    if model == "cnn":
        return run_cnn(data_dir, dataset, epochs or CNN_DEFAULTS["epochs"], batch_size,
                       lr or CNN_DEFAULTS["lr"], seed, download, train_on_test_split, schedule,
                       graph, plot, verbose)
    epochs = DEFAULTS["epochs"] if epochs is None else epochs
    lr = DEFAULTS["lr"] if lr is None else lr
    timer = Timer()
    (x_train, y_train), (x_test, y_test), split = load_data(dataset, data_dir, download,
                                                            train_on_test_split)
    mean, std = float(x_train.mean()), float(x_train.std())
    x_train, x_test = standardise(x_train, mean, std), standardise(x_test, mean, std)
    hidden = tuple(int(h) for h in hidden)
    net = build_network(hidden, lr, seed)
    rng = np.random.default_rng(seed)  # shuffles the mini-batches
    sizes = " -> ".join(map(str, (784, *hidden, CLASSES)))
    if verbose:
        print(f"Exercise 5: {NAME}; {dataset}, {split}")
        print(f"network {sizes} (relu, softmax cross-entropy), batch {batch_size}, "
              f"lr {lr:g}, {epochs} epochs, seed {seed}")
    if graph:
        draw_step(net, x_train[:batch_size], y_train[:batch_size], graph,
                  f"Exercise 5: one mini-batch step of the {sizes} network (tensor graph)")

    losses, accuracies, rates = [], [], []
    n_batches = -(-len(x_train) // batch_size)
    for epoch in range(1, epochs + 1):
        net.lr = SCHEDULES[schedule](lr, epoch, epochs)
        rates.append(net.lr)
        bar = progress(total=n_batches, desc=f"epoch {epoch}/{epochs}", enabled=verbose,
                       leave=False)
        with bar:
            losses.append(train_epoch(net, x_train, y_train, batch_size, rng, bar))
            accuracies.append(evaluate(net, x_test, y_test))
            bar.set_postfix(loss=f"{losses[-1]:.4f}", accuracy=f"{accuracies[-1]:.2%}")
        if verbose:
            print(f"epoch {epoch:2d}  lr {net.lr:.4f}  train loss {losses[-1]:.4f}  test "
                  f"accuracy {accuracies[-1]:.2%}  ({timer.seconds:.0f} s)")

    result = {
        "exercise": 5,
        "dataset": dataset, "split": split,
        "train_size": len(x_train), "test_size": len(x_test),
        "hidden": list(hidden), "batch_size": batch_size, "lr": lr, "epochs": epochs,
        "seed": seed, "schedule": schedule,
        "input_mean": mean, "input_std": std,   # how the images were standardised
        "learning_rates": rates,           # the learning rate of each epoch
        "losses": losses,                  # mean training loss of each epoch
        "accuracies": accuracies,          # test accuracy after each epoch
        "final_loss": losses[-1] if losses else None,
        "accuracy": accuracies[-1] if accuracies else evaluate(net, x_test, y_test),
        "seconds": timer.seconds,
        "_network": net,                   # the trained network (not written to reports)
    }
    if verbose:
        print(f"test accuracy {result['accuracy']:.2%} on {len(x_test)} {dataset} images "
              f"({split}) in {result['seconds']:.0f} s")
    if plot:
        save_curves(plot, {"training loss": losses}, f"Exercise 5: {dataset}, "
                    f"{len(x_train)} training / {len(x_test)} test images",
                    accuracy={"test accuracy": accuracies}, logy=False)
    return result


# ***** the convolutional network (--model cnn) *****


def build_cnn(seed=0):
    """The LeNet-style network: two 5x5 convolutions with 2x2 max pooling, then two dense
    layers; PyTorch's default initialisation, float32."""
    rng = np.random.default_rng(seed)
    return Sequential(
        Conv2d(1, 16, kernel_size=5, padding=2, rng=rng),  # (N, 1, 28, 28) -> (N, 16, 28, 28)
        ReLU(),
        MaxPool2d(2),                                       # -> (N, 16, 14, 14)
        Conv2d(16, 32, kernel_size=5, rng=rng),             # -> (N, 32, 10, 10)
        ReLU(),
        MaxPool2d(2),                                       # -> (N, 32, 5, 5)
        Flatten(),                                          # -> (N, 800)
        Linear(32 * 5 * 5, 128, rng=rng),
        ReLU(),
        Linear(128, CLASSES, rng=rng),                      # -> (N, 10) logits
    )


def train_cnn_epoch(model, optimizer, x, y, batch_size, rng, bar=None):
    """One pass over (x, y) with Adam steps; returns the mean training loss."""
    model.train()
    total = 0.0
    for xb, yb in batches(x, y, batch_size, shuffle=True, seed=rng):
        loss = cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}", refresh=False)
    return total / len(x)


@no_grad()
def evaluate_cnn(model, x, y, chunk=1000):
    """Accuracy (a fraction) of the model's most likely digit on (x, y), without a graph."""
    model.eval()
    logits = np.concatenate([model(x[i:i + chunk]).data for i in range(0, len(x), chunk)])
    return accuracy(logits, y)


def draw_cnn_step(model, xb, yb, path, title):
    """Draw one step's forward and backward pass through the CNN; the model is unchanged."""
    for name, p in model.named_parameters():
        p.label = name
    return _draw_loss_step(model, model.zero_grad, xb, yb, path, title)


def run_cnn(data_dir=None, dataset="mnist", epochs=10, batch_size=64, lr=1e-3, seed=0,
            download=True, train_on_test_split=None, schedule="cosine", graph=None, plot=None,
            verbose=False):
    """Train the LeNet-style CNN (`run(model="cnn")`); returns the same kind of results."""
    timer = Timer()
    (x_train, y_train), (x_test, y_test), split = load_data(dataset, data_dir, download,
                                                            train_on_test_split)
    mean, std = float(x_train.mean()), float(x_train.std())
    # (N, 784) -> (N, 1, 28, 28): one channel of 28x28 pixels
    x_train = standardise(x_train, mean, std).reshape(-1, 1, 28, 28)
    x_test = standardise(x_test, mean, std).reshape(-1, 1, 28, 28)
    model = build_cnn(seed)
    optimizer = Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    if verbose:
        print(f"Exercise 5: {NAME}, convolutional; {dataset}, {split}")
        print(f"network {model}")
        print(f"Adam, batch {batch_size}, lr {lr:g} ({schedule}), {epochs} epochs, seed {seed}")
    if graph:
        draw_cnn_step(model, x_train[:batch_size], y_train[:batch_size], graph,
                      "Exercise 5: one mini-batch step of the LeNet-style CNN (tensor graph)")

    losses, accuracies, rates = [], [], []
    n_batches = -(-len(x_train) // batch_size)
    for epoch in range(1, epochs + 1):
        optimizer.lr = SCHEDULES[schedule](lr, epoch, epochs)
        rates.append(optimizer.lr)
        bar = progress(total=n_batches, desc=f"epoch {epoch}/{epochs}", enabled=verbose,
                       leave=False)
        with bar:
            losses.append(train_cnn_epoch(model, optimizer, x_train, y_train, batch_size, rng,
                                          bar))
            accuracies.append(evaluate_cnn(model, x_test, y_test))
        if verbose:
            print(f"epoch {epoch:2d}  lr {optimizer.lr:.5f}  train loss {losses[-1]:.4f}  "
                  f"test accuracy {accuracies[-1]:.2%}  ({timer.seconds:.0f} s)")
    result = {
        "exercise": 5, "model": "cnn",
        "dataset": dataset, "split": split,
        "train_size": len(x_train), "test_size": len(x_test),
        "batch_size": batch_size, "lr": lr, "epochs": epochs, "seed": seed,
        "schedule": schedule, "input_mean": mean, "input_std": std,
        "learning_rates": rates, "losses": losses, "accuracies": accuracies,
        "final_loss": losses[-1] if losses else None,
        "accuracy": accuracies[-1] if accuracies else evaluate_cnn(model, x_test, y_test),
        "seconds": timer.seconds,
        "_network": model,
    }
    if verbose:
        print(f"test accuracy {result['accuracy']:.2%} on {len(x_test)} {dataset} images "
              f"({split}) in {result['seconds']:.0f} s")
    if plot:
        save_curves(plot, {"training loss": losses}, f"Exercise 5 (CNN): {dataset}, "
                    f"{len(x_train)} training / {len(x_test)} test images",
                    accuracy={"test accuracy": accuracies}, logy=False)
    return result
