"""Carry a model to PyTorch and back (`to_torch`, `from_torch`), or to ONNX (`export_onnx`).

The conversions are tables with one entry per module type: `TO_TORCH` maps an nn module
class to a function that builds its `torch.nn` counterpart, and `FROM_TORCH` maps a
`torch.nn` class name to a function that builds ours. Weights are copied (never shared
with the other library) and their layouts converted: autograd-lite's `Linear` stores its
weight as (in_features, out_features), PyTorch's as (out_features, in_features).

A model is checked completely before anything is built: a module without a counterpart
raises a TypeError naming its type and its path in the model ("layers.2"). Types match
exactly: a subclass with its own `forward` could compute something else, so it is refused
rather than converted as its base class. Modules and parameters used in several places
stay shared after the conversion.

PyTorch is an optional extra, imported only here and only when a conversion runs; without
it, the error says how to install it.

>>> from nn import MLP, to_torch                  # doctest: +SKIP
>>> torch_model = to_torch(MLP([784, 128, 10]))   # doctest: +SKIP
"""

import numpy as np

from autograd_lite import Tensor
from autograd_lite import onnx as _onnx
from autograd_lite.checks import optional_import

from . import activations as A
from . import conv as C
from . import functional as F
from . import module as M
from . import normalization as N
from .layer import Layer, NeuralNetwork

__all__ = ["FROM_TORCH", "TORCH_HINT", "TO_TORCH", "export_onnx", "from_torch", "to_torch"]

TORCH_HINT = 'pip install "autograd-lite[torch]"  (or: pip install torch)'


def _import_torch(what):
    return optional_import("torch", what, "PyTorch", TORCH_HINT)


# ***** one conversion: shared modules and parameters stay shared *****


class _Conversion:
    """The state of one conversion: memos by identity, so that a module or a parameter used
    twice in the source is one module or parameter in the result."""

    def __init__(self, table, torch, what):
        self.table, self.torch, self.what = table, torch, what
        # memos by id; each entry holds its source too, so that no id is reused meanwhile
        self.modules = {}  # id(source module) -> (source, converted module)
        self.params = {}   # id(source parameter) -> (source, converted, layout, where)
        self.path = ""

    def module(self, m, name=None):
        """The converted `m` (a child called `name` of the module being converted)."""
        if id(m) in self.modules:
            return self.modules[id(m)][1]
        saved = self.path
        if name is not None:
            self.path = f"{saved}.{name}" if saved else str(name)
        try:
            out = self.table[_key(m)](m, self)
        finally:
            self.path = saved
        out.training = m.training  # each module's own mode (not recursive)
        self.modules[id(m)] = (m, out)
        return out

    def param(self, p, name, layout, make):
        """The converted parameter `p` (attribute `name`): `make(array)` builds it from `p`'s
        data in `layout` ("T": transposed, None: as is); built once per source parameter."""
        if p is None:
            return None
        where = f"{self.path}.{name}" if self.path else name
        seen = self.params.get(id(p))
        if seen is not None:
            _, converted, first_layout, first = seen
            if first_layout != layout:
                raise ValueError(
                    f"{self.what}: the parameter shared by {first!r} and {where!r} is used in "
                    f"two layouts ({_LAYOUTS[first_layout]} and {_LAYOUTS[layout]}), which "
                    f"the other library cannot share; give each module its own copy")
            return converted
        converted = make(p)
        self.params[id(p)] = (p, converted, layout, where)
        return converted


_LAYOUTS = {None: "as stored", "T": "transposed"}


def _key(m):
    """The table key of a module: its class for ours, its class's name for torch's."""
    cls = type(m)
    return cls if isinstance(m, M.Module) else f"{cls.__module__}.{cls.__qualname__}"


def _check(model, table, what, checks):
    """Raise a TypeError for the first module without an entry in `table`, naming its path;
    nothing is built before this passes."""
    stack = [("", model)]
    while stack:
        path, m = stack.pop()
        key = _key(m)
        where = f"at {path!r}" if path else "(the model itself)"
        if key not in table:
            names = sorted(k if isinstance(k, str) else k.__name__ for k in table)
            names = [n.rsplit(".", 1)[-1] for n in names]
            raise TypeError(f"{what}: {type(m).__name__} {where} has no counterpart in the "
                            f"other library; supported modules: {', '.join(names)}. Replace "
                            f"it, or rebuild that part by hand and copy its weights")
        problem = checks.get(key, lambda m: None)(m)
        if problem:
            raise TypeError(f"{what}: {type(m).__name__} {where}: {problem}")
        stack.extend((f"{path}.{n}" if path else n, c)
                     for n, c in reversed(_children(m)))


def _children(m):
    """(name, module) of every direct sub-module, repeats included (named_children skips
    a module's second use)."""
    return [(n, c) for n, c in m._modules.items() if c is not None]


# ***** autograd-lite -> torch *****


def _torch_param(conv, p, name, transpose=False):
    torch = conv.torch

    def make(p):
        data = p.data.T if transpose else p.data
        return torch.nn.Parameter(torch.from_numpy(np.array(data, order="C")),
                                  requires_grad=p.requires_grad)

    return conv.param(p, name, "T" if transpose else None, make)


def _linear_to_torch(m, conv):
    nn_ = conv.torch.nn
    out = nn_.Linear(m.in_features, m.out_features, bias=m.bias is not None,
                     dtype=_torch_dtype(conv.torch, m.weight.dtype), device="meta")
    out.weight = _torch_param(conv, m.weight, "weight", transpose=True)
    if m.bias is not None:
        out.bias = _torch_param(conv, m.bias, "bias")
    return out


def _torch_dtype(torch, dtype):
    return torch.from_numpy(np.zeros(0, dtype)).dtype


def _layer_activation(layer):
    """The activation module of a course Layer (None for 'linear'), or a problem."""
    act = layer.activation
    if isinstance(act, str) and act in ("linear", "identity"):
        return None, None
    module = M.activation_module(act) if isinstance(act, str) else None
    if module is None or type(module) not in TO_TORCH:
        name = act if isinstance(act, str) else getattr(act, "__name__", repr(act))
        return None, (f"its activation {name!r} is a Python function, which cannot be "
                      f"converted; use an activation name such as 'relu', 'tanh' or "
                      f"'sigmoid'")
    return module, None


def _layer_to_torch(m, conv):
    """The course's Layer: torch's Linear followed by the activation (none for 'linear')."""
    items = [_linear_to_torch(m, conv)]
    activation, _ = _layer_activation(m)
    if activation is not None:
        items.append(conv.module(activation))
    return conv.torch.nn.Sequential(*items)


def _network_to_torch(m, conv):
    """NeuralNetwork: one torch Sequential of Linear, activation, Linear, activation, ..."""
    items = []
    for i, layer in enumerate(m.layers):
        converted = conv.module(layer, f"layers.{i}")
        items.extend(converted if isinstance(converted, conv.torch.nn.Sequential)
                     else [converted])
    return conv.torch.nn.Sequential(*items)


def _sequential_to_torch(m, conv):
    return conv.torch.nn.Sequential(*[conv.module(c, n) for n, c in _children(m)])


def _plain(torch_name, **attrs):
    """An entry for a module whose torch counterpart takes `attrs` (torch's keyword: our
    attribute name) and has no parameters."""
    def convert(m, conv):
        return getattr(conv.torch.nn, torch_name)(
            **{key: getattr(m, attr) for key, attr in attrs.items()})
    return convert


def _torch_module(torch_name, params=(), buffers=(), **kwargs):
    """An entry for a module whose torch counterpart takes `kwargs` (torch's keyword: our
    attribute name, or a function of our module) and has the parameters `params` and the
    buffers `buffers`, all in the same layout as ours (copied as they are)."""
    def convert(m, conv):
        torch = conv.torch
        kw = {k: (v(m) if callable(v) else getattr(m, v)) for k, v in kwargs.items()}
        floats = [getattr(m, n) for n in (*params, *buffers)]
        floats = [a for a in floats if a is not None and a.dtype.kind == "f"]
        if floats:
            kw["dtype"] = _torch_dtype(torch, floats[0].dtype)
        out = getattr(torch.nn, torch_name)(**kw)
        for name in params:
            setattr(out, name, _torch_param(conv, getattr(m, name), name))
        for name in buffers:  # in the dtype torch's module gave it (int64 for counts)
            value, theirs = getattr(m, name), getattr(out, name)
            if value is not None:
                setattr(out, name, torch.from_numpy(np.array(value.data)).to(theirs.dtype))
        return out
    return convert


def _has(name):
    return lambda m: getattr(m, name) is not None


_CONV = dict(in_channels="in_channels", out_channels="out_channels",
             kernel_size="kernel_size", stride="stride", padding="padding",
             dilation="dilation", groups="groups", bias=_has("bias"))
_MAX_POOL = dict(kernel_size="kernel_size", stride="stride", padding="padding",
                 dilation="dilation", ceil_mode="ceil_mode", return_indices="return_indices")
_AVG_POOL = dict(kernel_size="kernel_size", stride="stride", padding="padding",
                 ceil_mode="ceil_mode", count_include_pad="count_include_pad")
_BATCH_NORM = dict(num_features="num_features", eps="eps", momentum="momentum",
                   affine="affine", track_running_stats="track_running_stats")
_LAYER_NORM = dict(normalized_shape="normalized_shape", eps="eps",
                   elementwise_affine="elementwise_affine")
_EMBEDDING = dict(num_embeddings="num_embeddings", embedding_dim="embedding_dim",
                  padding_idx="padding_idx")
_STATS = ("running_mean", "running_var", "num_batches_tracked")

TO_TORCH = {
    M.Linear: _linear_to_torch,
    Layer: _layer_to_torch,
    NeuralNetwork: _network_to_torch,
    M.Sequential: _sequential_to_torch,
    M.MLP: _sequential_to_torch,
    M.Identity: _plain("Identity"),
    M.ReLU: _plain("ReLU"),
    M.Tanh: _plain("Tanh"),
    M.Sigmoid: _plain("Sigmoid"),
    M.Softmax: _plain("Softmax", dim="axis"),
    M.LogSoftmax: _plain("LogSoftmax", dim="axis"),
    A.LeakyReLU: _plain("LeakyReLU", negative_slope="negative_slope"),
    A.ELU: _plain("ELU", alpha="alpha"),
    A.SELU: _plain("SELU"),
    A.CELU: _plain("CELU", alpha="alpha"),
    A.GELU: _plain("GELU", approximate="approximate"),
    A.SiLU: _plain("SiLU"),
    A.Mish: _plain("Mish"),
    A.Softplus: _plain("Softplus", beta="beta", threshold="threshold"),
    A.Softsign: _plain("Softsign"),
    A.Hardtanh: _plain("Hardtanh", min_val="min_val", max_val="max_val"),
    A.ReLU6: _plain("ReLU6"),
    A.Hardsigmoid: _plain("Hardsigmoid"),
    A.Hardswish: _plain("Hardswish"),
    A.LogSigmoid: _plain("LogSigmoid"),
    M.Flatten: _plain("Flatten", start_dim="start_dim", end_dim="end_dim"),
    M.Dropout: _plain("Dropout", p="p"),
    C.Conv1d: _torch_module("Conv1d", ("weight", "bias"), **_CONV),
    C.Conv2d: _torch_module("Conv2d", ("weight", "bias"), **_CONV),
    C.ConvTranspose2d: _torch_module("ConvTranspose2d", ("weight", "bias"), **_CONV,
                                     output_padding="output_padding"),
    C.MaxPool1d: _plain("MaxPool1d", **_MAX_POOL),
    C.MaxPool2d: _plain("MaxPool2d", **_MAX_POOL),
    C.AvgPool1d: _plain("AvgPool1d", **_AVG_POOL),
    C.AvgPool2d: _plain("AvgPool2d", **_AVG_POOL, divisor_override="divisor_override"),
    C.AdaptiveAvgPool2d: _plain("AdaptiveAvgPool2d", output_size="output_size"),
    N.BatchNorm1d: _torch_module("BatchNorm1d", ("weight", "bias"), _STATS, **_BATCH_NORM),
    N.BatchNorm2d: _torch_module("BatchNorm2d", ("weight", "bias"), _STATS, **_BATCH_NORM),
    N.LayerNorm: _torch_module("LayerNorm", ("weight", "bias"), **_LAYER_NORM,
                               bias=_has("bias")),
    N.Embedding: _torch_module("Embedding", ("weight",), **_EMBEDDING),
    M.MSELoss: _plain("MSELoss", reduction="reduction"),
    M.BCELoss: _plain("BCELoss", reduction="reduction"),
    M.BCEWithLogitsLoss: _plain("BCEWithLogitsLoss", reduction="reduction"),
    M.CrossEntropyLoss: _plain("CrossEntropyLoss", reduction="reduction"),
}
"""nn module class -> function(module, conversion) that builds its torch.nn counterpart."""

_TO_TORCH_CHECKS = {Layer: lambda layer: _layer_activation(layer)[1]}


def to_torch(model):
    """A `torch.nn.Module` that computes the same function as `model`, weights copied.

    Dense weights are transposed to PyTorch's (out_features, in_features) layout. The
    course's `Layer` becomes `Sequential(Linear, activation)`, and a `NeuralNetwork` one
    `Sequential` of its layers' Linear and activation modules. Each module keeps its
    training mode; the parameters keep their dtype (float32 or float64) and live on the CPU
    (move them with `.to("cuda")`). Raises TypeError, naming the module and its path in
    the model, when a module has no PyTorch counterpart (see `TO_TORCH`), and
    ModuleNotFoundError, with the install command, when PyTorch is missing.

    >>> import numpy as np, torch                       # doctest: +SKIP
    >>> from nn import MLP, to_torch
    >>> model = MLP([4, 8, 3], seed=0)                  # doctest: +SKIP
    >>> to_torch(model)                                 # doctest: +SKIP
    Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=3, bias=True)
    )
    """
    if not isinstance(model, M.Module):
        raise TypeError(f"to_torch: expected an nn.Module (Linear, Sequential, MLP, "
                        f"NeuralNetwork, ...), got {type(model).__name__}")
    _check(model, TO_TORCH, "to_torch", _TO_TORCH_CHECKS)
    torch = _import_torch("nn.to_torch")
    return _Conversion(TO_TORCH, torch, "to_torch").module(model)


# ***** torch -> autograd-lite *****


def _numpy(t, conv, where):
    t = t.detach().cpu()
    try:
        return t.numpy().copy()
    except TypeError:  # bfloat16 and friends have no NumPy dtype
        raise TypeError(f"from_torch: {where} has dtype {t.dtype}, which NumPy cannot hold; "
                        f"convert the module first, e.g. module.float()") from None


def _our_param(conv, t, name, transpose=False):
    def make(t):
        data = _numpy(t, conv, f"{conv.path or 'the model'}.{name}")
        return M.Parameter(np.ascontiguousarray(data.T) if transpose else data,
                           requires_grad=t.requires_grad)

    return conv.param(t, name, "T" if transpose else None, make)


def _linear_from_torch(t, conv):
    out = M.Linear(t.in_features, t.out_features, bias=t.bias is not None, seed=0,
                   dtype=_numpy(t.weight[:0], conv, "weight").dtype)
    out.weight = _our_param(conv, t.weight, "weight", transpose=True)
    if t.bias is not None:
        out.bias = _our_param(conv, t.bias, "bias")
    return out


def _sequential_from_torch(t, conv):
    return M.Sequential(*[conv.module(c, n) for n, c in _children(t)])


def _simple(our_class, **attrs):
    """An entry for a torch module without parameters: `our_class(**{our: torch's attr})`."""
    def convert(t, conv):
        return our_class(**{ours: getattr(t, theirs) for ours, theirs in attrs.items()})
    return convert


def _unsupported_options(**defaults):
    """A check that refuses torch options that our module does not have."""
    def check(t):
        used = [f"{k}={getattr(t, k)!r}" for k, v in defaults.items()
                if not _same(getattr(t, k, v), v)]
        if used:
            return (f"option(s) {', '.join(used)} have no autograd-lite counterpart; use "
                    f"the defaults ({', '.join(f'{k}={v!r}' for k, v in defaults.items())})")
        return None
    return check


def _same(a, b):
    return a is b if a is None or b is None else a == b


def _our_module(cls, params=(), buffers=(), **kwargs):
    """An entry building our `cls(**kwargs)` (our keyword: torch's attribute name, or a
    function of the torch module), then copying the parameters `params` and the buffers
    `buffers`, all in the same layout as torch's."""
    def convert(t, conv):
        kw = {k: (v(t) if callable(v) else getattr(t, v)) for k, v in kwargs.items()}
        floats = [getattr(t, n) for n in (*params, *buffers)]
        floats = [a for a in floats if a is not None and a.dtype.is_floating_point]
        if floats:
            kw["dtype"] = _numpy(floats[0][:0], conv, "a parameter").dtype
        out = cls(**kw)
        for name in params:
            value = getattr(t, name)
            setattr(out, name, None if value is None else _our_param(conv, value, name))
        for name in buffers:  # in the dtype our module gave it
            value, ours = getattr(t, name), getattr(out, name)
            if value is not None:
                setattr(out, name, Tensor(_numpy(value, conv, name), dtype=ours.dtype))
        return out
    return convert


def _torch_has(name):
    return lambda t: getattr(t, name) is not None


_TORCH_NN = "torch.nn.modules."
_SEEDED = {"seed": lambda t: 0}  # the weights are replaced: any start will do
_FROM_CONV = dict(_CONV, bias=_torch_has("bias"), **_SEEDED)
FROM_TORCH = {
    _TORCH_NN + "linear.Linear": _linear_from_torch,
    _TORCH_NN + "container.Sequential": _sequential_from_torch,
    _TORCH_NN + "linear.Identity": _simple(M.Identity),
    _TORCH_NN + "activation.ReLU": _simple(M.ReLU),
    _TORCH_NN + "activation.Tanh": _simple(M.Tanh),
    _TORCH_NN + "activation.Sigmoid": _simple(M.Sigmoid),
    _TORCH_NN + "activation.Softmax": _simple(M.Softmax, axis="dim"),
    _TORCH_NN + "activation.LogSoftmax": _simple(M.LogSoftmax, axis="dim"),
    _TORCH_NN + "activation.LeakyReLU": _simple(A.LeakyReLU, negative_slope="negative_slope"),
    _TORCH_NN + "activation.ELU": _simple(A.ELU, alpha="alpha"),
    _TORCH_NN + "activation.SELU": _simple(A.SELU),
    _TORCH_NN + "activation.CELU": _simple(A.CELU, alpha="alpha"),
    _TORCH_NN + "activation.GELU": _simple(A.GELU, approximate="approximate"),
    _TORCH_NN + "activation.SiLU": _simple(A.SiLU),
    _TORCH_NN + "activation.Mish": _simple(A.Mish),
    _TORCH_NN + "activation.Softplus": _simple(A.Softplus, beta="beta", threshold="threshold"),
    _TORCH_NN + "activation.Softsign": _simple(A.Softsign),
    _TORCH_NN + "activation.Hardtanh": _simple(A.Hardtanh, min_val="min_val",
                                               max_val="max_val"),
    _TORCH_NN + "activation.ReLU6": _simple(A.ReLU6),
    _TORCH_NN + "activation.Hardsigmoid": _simple(A.Hardsigmoid),
    _TORCH_NN + "activation.Hardswish": _simple(A.Hardswish),
    _TORCH_NN + "activation.LogSigmoid": _simple(A.LogSigmoid),
    _TORCH_NN + "flatten.Flatten": _simple(M.Flatten, start_dim="start_dim", end_dim="end_dim"),
    _TORCH_NN + "dropout.Dropout": _simple(M.Dropout, p="p"),
    _TORCH_NN + "conv.Conv1d": _our_module(C.Conv1d, ("weight", "bias"), **_FROM_CONV),
    _TORCH_NN + "conv.Conv2d": _our_module(C.Conv2d, ("weight", "bias"), **_FROM_CONV),
    _TORCH_NN + "conv.ConvTranspose2d": _our_module(C.ConvTranspose2d, ("weight", "bias"),
                                                     **_FROM_CONV,
                                                     output_padding="output_padding"),
    _TORCH_NN + "pooling.MaxPool1d": _simple(C.MaxPool1d, **_MAX_POOL),
    _TORCH_NN + "pooling.MaxPool2d": _simple(C.MaxPool2d, **_MAX_POOL),
    _TORCH_NN + "pooling.AvgPool1d": _simple(C.AvgPool1d, **_AVG_POOL),
    _TORCH_NN + "pooling.AvgPool2d": _simple(C.AvgPool2d, **_AVG_POOL,
                                             divisor_override="divisor_override"),
    _TORCH_NN + "pooling.AdaptiveAvgPool2d": _simple(C.AdaptiveAvgPool2d,
                                                     output_size="output_size"),
    _TORCH_NN + "batchnorm.BatchNorm1d": _our_module(N.BatchNorm1d, ("weight", "bias"),
                                                     _STATS, **_BATCH_NORM),
    _TORCH_NN + "batchnorm.BatchNorm2d": _our_module(N.BatchNorm2d, ("weight", "bias"),
                                                     _STATS, **_BATCH_NORM),
    _TORCH_NN + "normalization.LayerNorm": _our_module(N.LayerNorm, ("weight", "bias"),
                                                       **_LAYER_NORM, bias=_torch_has("bias")),
    _TORCH_NN + "sparse.Embedding": _our_module(N.Embedding, ("weight",), **_EMBEDDING,
                                                **_SEEDED),
    _TORCH_NN + "loss.MSELoss": _simple(M.MSELoss, reduction="reduction"),
    _TORCH_NN + "loss.BCELoss": _simple(M.BCELoss, reduction="reduction"),
    _TORCH_NN + "loss.BCEWithLogitsLoss": _simple(M.BCEWithLogitsLoss, reduction="reduction"),
    _TORCH_NN + "loss.CrossEntropyLoss": _simple(M.CrossEntropyLoss, reduction="reduction"),
}
"""torch.nn class (module.qualname) -> function(torch module, conversion) building ours."""

_FROM_TORCH_CHECKS = {
    _TORCH_NN + "conv.Conv1d": _unsupported_options(padding_mode="zeros"),
    _TORCH_NN + "conv.Conv2d": _unsupported_options(padding_mode="zeros"),
    _TORCH_NN + "conv.ConvTranspose2d": _unsupported_options(padding_mode="zeros"),
    _TORCH_NN + "sparse.Embedding": _unsupported_options(max_norm=None,
                                                         scale_grad_by_freq=False,
                                                         sparse=False),
    _TORCH_NN + "activation.Softmax": lambda t: None if t.dim is not None else
    "dim=None (PyTorch's deprecated implicit axis); give dim explicitly",
    _TORCH_NN + "activation.LogSoftmax": lambda t: None if t.dim is not None else
    "dim=None (PyTorch's deprecated implicit axis); give dim explicitly",
    _TORCH_NN + "loss.BCELoss": _unsupported_options(weight=None),
    _TORCH_NN + "loss.BCEWithLogitsLoss": _unsupported_options(weight=None, pos_weight=None),
    _TORCH_NN + "loss.CrossEntropyLoss": _unsupported_options(weight=None, ignore_index=-100,
                                                              label_smoothing=0.0),
}


def from_torch(module):
    """An nn module that computes the same function as the `torch.nn.Module` `module`.

    The reverse of `to_torch`, for the same set of modules (see `FROM_TORCH`): weights are
    copied to NumPy and dense weights transposed to (in_features, out_features). A
    `torch.nn.Sequential` becomes an `nn.Sequential`. Raises TypeError, naming the module
    and its path, for a module without a counterpart, including your own `torch.nn.Module`
    subclasses (their `forward` is Python code that cannot be translated): convert their
    parts one by one.

    >>> import torch                                                    # doctest: +SKIP
    >>> from nn import from_torch
    >>> from_torch(torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Tanh()))  # doctest: +SKIP
    Sequential(
      (0): Linear(in_features=4, out_features=2, bias=True)
      (1): Tanh()
    )
    """
    torch = _import_torch("nn.from_torch")
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch: expected a torch.nn.Module, got {type(module).__name__}")
    _check(module, FROM_TORCH, "from_torch", _FROM_TORCH_CHECKS)
    return _Conversion(FROM_TORCH, torch, "from_torch").module(module)


# ONNX rules of the operations nn.functional defines (the engine's own are in
# autograd_lite.onnx.RULES): the fused dense layer.
_onnx.register(F.Affine)(_onnx.affine)


# Modules whose forward pass the graph cannot record completely.
_NOT_EXPORTABLE = {
    N.Embedding: "takes integer indices, which are not part of the recorded graph (only "
                 "floating-point inputs are), so ONNX export cannot follow them",
}


def export_onnx(model, example_input, path, *, opset=17, dynamic_batch=True):
    """Write `model` as an ONNX file that ONNX Runtime (and other engines) can run.

    The model runs once on `example_input` in evaluation mode (dropout off), and the
    graph the engine records is translated operation by operation
    (`autograd_lite.onnx.export`); the modules' training modes are restored afterwards.
    The example input (cast to the parameters' dtype) becomes the graph input "input" and
    the parameters its initializers;
    with `dynamic_batch`, axis 0 of the input and outputs is a named dimension "batch", so
    the file runs on any batch size. Raises ValueError when the model cannot run on the
    example input, and TypeError naming any operation without an ONNX mapping; no file is
    written then. Returns the `onnx.ModelProto` that was written. Needs
    `pip install "autograd-lite[onnx]"`.

    >>> from nn import MLP, export_onnx
    >>> x = np.zeros((1, 784), np.float32)
    >>> export_onnx(MLP([784, 128, 10]), x, "mlp.onnx")         # doctest: +SKIP
    """
    from autograd_lite import Tensor, enable_grad

    if not isinstance(model, M.Module):
        raise TypeError(f"export_onnx: expected an nn.Module, got {type(model).__name__}")
    for path_in_model, m in model.named_modules():
        if type(m) in _NOT_EXPORTABLE:
            where = f"at {path_in_model!r}" if path_in_model else "(the model itself)"
            raise TypeError(f"export_onnx: {type(m).__name__} {where} "
                            f"{_NOT_EXPORTABLE[type(m)]}")
    _onnx._require("nn.export_onnx")
    x = example_input.data if isinstance(example_input, Tensor) else example_input
    try:
        x = np.asarray(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"export_onnx: example_input must be an array or Tensor of numbers: "
                        f"{err}") from None
    if x.dtype.kind not in "biuf":
        raise TypeError(f"export_onnx: example_input must be an array or Tensor of numbers, "
                        f"got dtype {x.dtype}")
    params = list(model.parameters())
    dtype = params[0].dtype if params else (x.dtype if x.dtype.kind == "f" else
                                            M.DEFAULT_DTYPE)
    x = x.astype(dtype, copy=False)  # the input takes the parameters' dtype
    x = Tensor(x, requires_grad=True, label="input")
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with enable_grad():
            try:
                out = model(x)
            except (ValueError, TypeError, IndexError) as err:
                raise type(err)(f"export_onnx: {model._describe()} cannot run on the example "
                                f"input of shape {x.shape} ({x.dtype}): {err}") from None
    finally:
        for m, mode in modes:
            object.__setattr__(m, "training", mode)
    outputs = list(out) if isinstance(out, (tuple, list)) else [out]
    names = ["output"] if len(outputs) == 1 else [f"output{i}" for i in range(len(outputs))]
    return _onnx.export(outputs, [x], path, opset=opset, dynamic_batch=dynamic_batch,
                input_names=["input"], output_names=names,
                graph_name=type(model).__name__,
                initializer_names={p: name for name, p in model.named_parameters()})
