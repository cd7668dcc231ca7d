"""nn: neural networks on `autograd_lite.Tensor`, in two styles.

The course exercise's classes, `Layer` and `NeuralNetwork` (append_layer, forward,
backward with gradients from the engine), and a PyTorch-style module system: `Module`,
`Linear`, `Sequential`, `MLP`, activations, losses, the `SGD` and `Adam` optimizers,
`save`/`load`, mini-batches and `accuracy`, and MNIST / Fashion-MNIST loading
(`load_mnist`, `load_fashion_mnist`). See docs/nn.md.

>>> import numpy as np
>>> from nn import Sequential, Linear, ReLU, Adam, cross_entropy
>>> model = Sequential(Linear(4, 8, seed=0), ReLU(), Linear(8, 3, seed=1))
>>> opt = Adam(model.parameters(), lr=1e-2)
>>> loss = cross_entropy(model(np.ones((2, 4))), np.array([0, 2]))
>>> loss.backward()
>>> opt.step()
"""

from . import activations, conv, datasets, functional, init, interop, optim
from .data import DataLoader, accuracy, batches
from .datasets import (
    DatasetError,
    DatasetNotFoundError,
    DownloadError,
    load_fashion_mnist,
    load_mnist,
    read_idx,
    read_idx_images,
    read_idx_labels,
)
from .functional import (
    affine,
    celu,
    elu,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    logsigmoid,
    mish,
    pad,
    relu6,
    selu,
    silu,
    softplus,
    softsign,
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
from .activations import *  # noqa: F403  (the modules in activations.__all__)
from .conv import *  # noqa: F403  (the modules in conv.__all__)
from .interop import export_onnx, from_torch, to_torch
from .layer import Layer, NeuralNetwork
from .module import (
    MLP,
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    Identity,
    Linear,
    LogSoftmax,
    Module,
    MSELoss,
    Parameter,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    StateDictError,
    Tanh,
)
from .normalization import BatchNorm1d, BatchNorm2d, Embedding, LayerNorm
from .optim import SGD, Adam, Optimizer
from .serialization import load, save

__all__ = [
    # the course exercise's interface
    "Layer",
    "NeuralNetwork",
    # modules
    "Module",
    "Parameter",
    "Linear",
    "Sequential",
    "MLP",
    "Identity",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "Softmax",
    "LogSoftmax",
    *activations.__all__,
    "Flatten",
    "Dropout",
    "MSELoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    # convolution, pooling, normalisation, embedding
    *conv.__all__,
    "BatchNorm1d",
    "BatchNorm2d",
    "LayerNorm",
    "Embedding",
    # functions (activations, padding, the dense layer, losses)
    *functional.TOP_LEVEL,
    # optimizers
    "Optimizer",
    "SGD",
    "Adam",
    # PyTorch and ONNX
    "to_torch",
    "from_torch",
    "export_onnx",
    # saving, data, metrics
    "save",
    "load",
    "StateDictError",
    "batches",
    "DataLoader",
    "accuracy",
    # MNIST and Fashion-MNIST
    "load_mnist",
    "load_fashion_mnist",
    "read_idx",
    "read_idx_images",
    "read_idx_labels",
    "DatasetError",
    "DatasetNotFoundError",
    "DownloadError",
    # submodules
    "activations",
    "datasets",
    "functional",
    "init",
    "interop",
    "optim",
]
