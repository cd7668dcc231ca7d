"""`Module` and the PyTorch-style building blocks: Linear, Sequential, MLP, activations.

A `Module` holds `Parameter`s (leaf Tensors that an optimizer updates) and sub-modules,
found by attribute assignment, in assignment order. Everything else builds on that:
`parameters()`, `named_parameters()`, `zero_grad()`, `state_dict()`, `train()`/`eval()`.

Weight convention: a dense layer's weight has shape (in_features, out_features), so its
forward is `x @ W + b` with `x` of shape (batch, in_features), the course's convention.
(PyTorch stores the transpose, (out, in), and computes `x @ W.T + b`.)

>>> import numpy as np
>>> from nn import Sequential, Linear, ReLU
>>> model = Sequential(Linear(4, 8, seed=0), ReLU(), Linear(8, 3, seed=1))
>>> model(np.ones((2, 4), dtype=np.float32)).shape
(2, 3)
>>> [name for name, _ in model.named_parameters()]
['0.weight', '0.bias', '2.weight', '2.bias']
"""

import weakref

import numpy as np

from autograd_lite import DEFAULT_DTYPE, Tensor
from autograd_lite.checks import as_array, describe, tensor_dtype

from . import functional as F
from .init import get_initializer, make_rng

__all__ = [
    "Parameter",
    "Module",
    "StateDictError",
    "Linear",
    "Sequential",
    "MLP",
    "Identity",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "Softmax",
    "LogSoftmax",
    "Flatten",
    "Dropout",
    "MSELoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
]


class Parameter(Tensor):
    """A leaf Tensor that requires grad and that a Module registers as one of its parameters.

    Operations on a Parameter give plain Tensors.

    >>> w = Parameter([[1.0, 2.0]])
    >>> w.requires_grad, type(w * 2).__name__
    (True, 'Tensor')
    """

    __slots__ = ()

    def __init__(self, data, requires_grad=True, dtype=None, label=""):
        super().__init__(data, requires_grad=requires_grad, dtype=dtype, label=label)

    @classmethod
    def _result(cls, data, ctx, parents=()):
        return Tensor._result(data, ctx, parents)

    def __repr__(self):
        return "Parameter" + super().__repr__()[len("Tensor"):]


class StateDictError(ValueError, KeyError, RuntimeError):
    """A state dict or saved file does not fit the module: names, shapes or dtypes differ,
    or the file cannot be read. The module is left unchanged.

    It is a ValueError (bad content) and a KeyError (missing or unexpected names), and a
    RuntimeError, which is what PyTorch's load_state_dict raises.

    >>> from nn import Linear, StateDictError
    >>> try:
    ...     Linear(2, 3).load_state_dict({"weight": np.zeros((3, 2))})
    ... except StateDictError as err:
    ...     print("refused")
    refused
    """

    def __str__(self):  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


# Labels that modules gave their parameters (their `named_parameters` names, for drawings):
# a label found here may be renamed when the module is put inside another; any other label
# was set by the user and is kept.
_GIVEN_LABELS = {}  # id(parameter) -> (weak reference to it, the label given)


def _name_parameter(p, name):
    """Label `p` with its name in the module tree ("0.weight"), unless the user labelled it."""
    ref, given = _GIVEN_LABELS.get(id(p), (None, None))
    if not p.label or (ref is not None and ref() is p and given == p.label):
        p.label = name
        key = id(p)
        _GIVEN_LABELS[key] = (weakref.ref(p, lambda _, k=key: _GIVEN_LABELS.pop(k, None)), name)


def _prefix(module):
    """`module`'s dotted path inside the modules that hold it, with a final dot ("" at top)."""
    names, owner = [], module._owner
    while owner is not None:
        parent = owner[0]()
        if parent is None:
            break
        names.append(owner[1])
        owner = parent._owner
    return "".join(f"{n}." for n in reversed(names))


def _check_registered(module):
    """Refuse lists of modules or parameters filled after they were assigned (`self.layers
    = []`, then `self.layers.append(...)`): checked where it costs nothing per step."""
    for name, value in module.__dict__.items():
        if type(value) in (list, tuple, dict) and name not in _REGISTRIES:
            _refuse_hidden_parameters(module, name, value)


_REGISTRIES = ("_parameters", "_modules", "_buffers")  # where Module keeps what it registers


def _refuse_hidden_parameters(module, name, value):
    """A list (tuple, dict) of modules or parameters is not registered: parameters(),
    state_dict() and optimizers would not see them, and they would silently never train."""
    items = value.values() if isinstance(value, dict) else value
    kinds = {type(v).__name__ for v in items if isinstance(v, (Module, Parameter))}
    if kinds:
        kind = "modules" if any(isinstance(v, Module) for v in items) else "parameters"
        raise TypeError(
            f"{type(module).__name__}.{name}: a {type(value).__name__} of {kind} "
            f"({', '.join(sorted(kinds))}) is not registered, so parameters(), state_dict() "
            f"and optimizers would not see them and they would never train; use "
            f"Sequential(*layers) for layers applied in turn, or assign each one as its own "
            f"attribute (setattr(self, f\"layer{{i}}\", layer))")


class Module:
    """Base class of layers and networks: parameters, sub-modules, and `forward`.

    Subclasses call `super().__init__()`, assign `Parameter`s and sub-modules as attributes,
    and define `forward`; calling the module calls `forward`.

    >>> class Scale(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.s = Parameter([2.0])
    ...     def forward(self, x):
    ...         return x * self.s
    >>> Scale()(Tensor([3.0])).data
    array([6.], dtype=float32)
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_owner", None)  # (weakref to the parent, name in it)
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        params = self.__dict__.get("_parameters")
        if params is None:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() at the start "
                                 f"of __init__, before assigning attributes")
        modules = self._modules
        if name in self._buffers:  # a new value for a buffer (running statistics)
            if value is not None and not isinstance(value, Tensor):
                value = np.asarray(value)
                value = Tensor(value, dtype=value.dtype)
            self._buffers[name] = value
        elif isinstance(value, Parameter):
            modules.pop(name, None)
            params[name] = value
            _name_parameter(value, _prefix(self) + name)
        elif isinstance(value, Module):
            params.pop(name, None)
            modules[name] = value
            if value._owner is None:
                object.__setattr__(value, "_owner", (weakref.ref(self), name))
            for inner, p in value.named_parameters(prefix=_prefix(self) + name):
                _name_parameter(p, inner)
        elif name in params or name in modules:
            params.pop(name, None)
            modules.pop(name, None)
        if type(value) in (list, tuple, dict):
            _refuse_hidden_parameters(self, name, value)
        object.__setattr__(self, name, value)

    def __getstate__(self):
        # `_owner` holds a weak reference, which pickle cannot store and deepcopy would
        # leave pointing at the original parent: the parent's __setstate__ restores it.
        state = self.__dict__.copy()
        state["_owner"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name, child in self._modules.items():
            if isinstance(child, Module) and child._owner is None:
                object.__setattr__(child, "_owner", (weakref.ref(self), name))

    def __delattr__(self, name):
        self._parameters.pop(name, None)
        self._buffers.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def forward(self, *args, **kwargs):
        """Compute the module's output; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ----- parameters and sub-modules -----

    def named_parameters(self, prefix="", recurse=True):
        """Yield `(name, parameter)` pairs, sub-modules' names dotted ("0.weight"); each
        parameter once, even if shared."""
        seen = set()
        for mod_prefix, module in (self.named_modules(prefix) if recurse else [(prefix, self)]):
            for name, p in module._parameters.items():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{mod_prefix}.{name}" if mod_prefix else name), p

    def parameters(self, recurse=True):
        """Yield every parameter once (the list to hand an optimizer)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def register_buffer(self, name, tensor):
        """Register `tensor` as a buffer: state that is saved and loaded with the parameters
        but not trained (BatchNorm's running statistics). It becomes the attribute `name`.

        >>> m = Module()
        >>> m.register_buffer("count", np.zeros(1))
        >>> list(m.state_dict())
        ['count']
        """
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"register_buffer: the name must be a non-empty string without "
                           f"dots, got {name!r}")
        if name in self._parameters or name in self._modules:
            raise KeyError(f"register_buffer: {name!r} is already a parameter or sub-module")
        if tensor is not None and not isinstance(tensor, Tensor):
            tensor = np.asarray(tensor)
            tensor = Tensor(tensor, dtype=tensor.dtype)  # integer counts stay integers
        self._buffers[name] = tensor
        object.__setattr__(self, name, tensor)

    def named_buffers(self, prefix=""):
        """Yield `(name, buffer)` pairs of this module and its sub-modules, names dotted."""
        for mod_prefix, module in self.named_modules(prefix):
            for name, b in module._buffers.items():
                if b is not None:
                    yield (f"{mod_prefix}.{name}" if mod_prefix else name), b

    def buffers(self):
        """Yield every buffer (running statistics and other saved, untrained state)."""
        for _, b in self.named_buffers():
            yield b

    def named_children(self):
        """Yield `(name, module)` for the direct sub-modules."""
        yield from self._modules.items()

    def children(self):
        """Yield the direct sub-modules."""
        yield from self._modules.values()

    def named_modules(self, prefix=""):
        """Yield `(name, module)` for this module and all modules inside it, depth first."""
        seen, stack = set(), [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            for child_name, child in reversed(list(module._modules.items())):
                stack.append((f"{name}.{child_name}" if name else child_name, child))

    def modules(self):
        """Yield this module and all modules inside it."""
        for _, m in self.named_modules():
            yield m

    def zero_grad(self):
        """Clear every parameter's gradient: `.grad = None` (cheaper than filling zeros;
        the next backward stores fresh gradients)."""
        for p in self.parameters():
            p.grad = None

    def train(self, mode=True):
        """Set training mode (on by default) here and in every sub-module; returns self."""
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"train: mode must be True or False, got {mode!r}")
        for m in self.modules():
            _check_registered(m)
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self):
        """Set evaluation mode (`train(False)`): dropout off. Returns self."""
        return self.train(False)

    def to(self, dtype):
        """Cast every parameter to `dtype` in place (e.g. np.float64 for gradient checks);
        gradients are cleared. Build optimizers after this. Returns self."""
        dtype = _float_dtype(dtype, "to")
        for p in self.parameters():
            p.data = p.data.astype(dtype)
            p.grad = None
            p._version += 1
        for b in self.buffers():
            if b.data.dtype.kind == "f":
                b.data = b.data.astype(dtype)
                b._version += 1
        return self

    def double(self):
        """`to(np.float64)`."""
        return self.to(np.float64)

    def float(self):
        """`to(np.float32)`."""
        return self.to(np.float32)

    # ----- state -----

    def state_dict(self):
        """A dict from parameter and buffer name to a copy of its array (parameters first,
        each in registration order)."""
        for m in self.modules():
            _check_registered(m)
        state = {name: p.data.copy() for name, p in self.named_parameters()}
        state.update((name, b.data.copy()) for name, b in self.named_buffers())
        return state

    def load_state_dict(self, state_dict, strict=True):
        """Copy arrays from `state_dict` into the parameters and buffers (in place).

        Every name, shape and dtype is checked first; on any mismatch a StateDictError names
        each offending parameter and nothing is changed. With `strict=False`, missing and
        unexpected names are allowed (shapes and dtypes are still checked).
        """
        where = f"load_state_dict into {type(self).__name__}"
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(f"{where}: state_dict must be a dict from parameter name to array "
                            f"(as model.state_dict() returns), got {describe(state_dict)}")
        own = dict(self.named_parameters())
        own.update(self.named_buffers())
        problems, updates = [], []
        if strict:
            for name in own:
                if name not in state_dict:
                    problems.append(f"missing parameter {name!r}")
            for name in state_dict:
                if name not in own:
                    problems.append(f"unexpected parameter {name!r} (the model has "
                                    f"{', '.join(map(repr, own)) or 'no parameters'})")
        for name, p in own.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            value = as_array(value.data if isinstance(value, Tensor) else value, where,
                             f"parameter {name!r}")
            if value.shape != p.shape:
                problems.append(f"parameter {name!r} has shape {p.shape} in the model but "
                                f"{value.shape} in the state dict")
            elif value.dtype != p.dtype:
                problems.append(f"parameter {name!r} has dtype {p.dtype} in the model but "
                                f"{value.dtype} in the state dict (convert with "
                                f".astype(np.{p.dtype}) or model.to(np.{value.dtype}))")
            else:
                updates.append((p, value))
        if problems:
            raise StateDictError(f"{where}: " + "; ".join(problems)
                                 + "; the model was left unchanged")
        for p, value in updates:
            np.copyto(p.data, value)
            p._version += 1

    # ----- display -----

    def extra_repr(self):
        """The text inside this module's parentheses in `repr`; subclasses override it."""
        return ""

    def __repr__(self):
        lines = []
        for name, m in self._modules.items():
            child = repr(m).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child}")
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        head = self.extra_repr()
        body = ([f"  {head}"] if head else []) + lines
        return f"{type(self).__name__}(\n" + "\n".join(body) + "\n)"

    def _path(self):
        """The dotted name of this module inside the module that first took it ('' if none)."""
        names, m = [], self
        while m._owner is not None:
            parent, name = m._owner[0](), m._owner[1]
            if parent is None:
                break
            names.append(name)
            m = parent
        return ".".join(reversed(names))

    def _describe(self):
        path = self._path()
        return f"{type(self).__name__} {path!r}" if path else type(self).__name__


def _check_size(value, what, where):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < 1:
        raise ValueError(f"{where}: {what} must be a positive integer, got {value!r}")
    return int(value)


def _float_dtype(dtype, where):
    dtype = tensor_dtype(dtype, where)  # refuses float16 and complex
    if dtype.kind != "f":
        raise TypeError(f"{where}: dtype must be a floating-point type, got {dtype}")
    return dtype


class Linear(Module):
    """A dense layer: `x @ weight + bias`, weight of shape (in_features, out_features).

    Weights and bias start uniform in +-1/sqrt(in_features), as PyTorch's do (Kaiming-uniform
    with a = sqrt(5)); another `init=`, e.g. "xavier" or "he", starts the bias at zero. NumPy inputs are cast to the layer's
    dtype (float32 by default), so float32 stays float32 end to end.

    >>> import numpy as np
    >>> layer = Linear(3, 2, seed=0)
    >>> layer.weight.shape, layer.bias.shape
    ((3, 2), (2,))
    >>> layer(np.ones((5, 3))).shape
    (5, 2)
    """

    def __init__(self, in_features, out_features, bias=True, *, init="uniform", seed=None,
                 rng=None, dtype=DEFAULT_DTYPE):
        super().__init__()
        self.in_features = _check_size(in_features, "in_features", "Linear")
        self.out_features = _check_size(out_features, "out_features", "Linear")
        dtype = _float_dtype(dtype, "Linear")
        shape = (self.in_features, self.out_features)
        source = make_rng(seed, rng)
        weight = get_initializer(init)(shape, source)
        self.weight = Parameter(_as_shape(weight, shape, "Linear init"), dtype=dtype)
        if not bias:
            self.bias = None
        elif init == "uniform":  # PyTorch's default, the bias too
            bound = 1.0 / np.sqrt(self.in_features)
            self.bias = Parameter(source.uniform(-bound, bound, self.out_features), dtype=dtype)
        else:
            self.bias = Parameter(np.zeros(self.out_features, dtype=dtype))

    def forward(self, x):
        x = self._check_input(x)
        if self.bias is None:
            return F.Affine.apply(x, self.weight)
        return F.Affine.apply(x, self.weight, self.bias)

    def _check_input(self, x):
        """`x` as a Tensor of this layer's dtype (Tensors are kept), its width checked."""
        if not isinstance(x, Tensor):
            x = Tensor(as_array(x, self._describe(), "input", self.weight.data.dtype))
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            n = self.in_features
            label = f" (input {x.label!r})" if x.label else ""
            raise ValueError(f"{self._describe()} ({self.extra_repr()}): expected input of "
                             f"shape (batch, {n}) or ({n},), got shape {x.shape}{label}")
        return x

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


def _as_shape(array, shape, where):
    array = np.asarray(array)
    if array.shape != shape:
        raise ValueError(f"{where}: the initialiser returned shape {array.shape}, expected "
                         f"{shape}")
    return array


class Sequential(Module):
    """Modules applied one after another; `Sequential(Linear(784, 128), ReLU(), ...)`.

    Supports `len`, iteration, indexing (a slice gives a Sequential) and `append`.

    >>> model = Sequential(Linear(2, 3), Tanh())
    >>> len(model), type(model[1]).__name__
    (2, 'Tanh')
    """

    def __init__(self, *modules):
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module):
        """Add `module` at the end; returns self."""
        if not isinstance(module, Module):
            raise TypeError(f"Sequential: every item must be a Module (e.g. Linear, ReLU()), "
                            f"got {type(module).__name__}; wrap functions in a Module")
        setattr(self, str(len(self._modules)), module)
        return self

    def forward(self, x):
        if not self._modules:
            raise ValueError(f"{self._describe()}: the network is empty; expected at least one "
                             f"layer (add some with append(...))")
        for module in self._modules.values():
            x = module(x)
        return x

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        items = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*items[index])
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"Sequential: index with an int or a slice, got {index!r}")
        if not -len(items) <= index < len(items):
            raise IndexError(f"Sequential: index {index} is out of range for {len(items)} "
                             f"modules")
        return items[index]


class MLP(Sequential):
    """A multilayer perceptron: Linear layers of the given `sizes` with `activation` between
    them (none after the last one unless `output_activation` is given).

    `activation` is a name ("relu", "tanh", "sigmoid", "softmax", "linear"), a Module, a
    Module class or a function on Tensors.

    >>> mlp = MLP([2, 16, 1], activation="tanh", seed=0)
    >>> [type(m).__name__ for m in mlp]
    ['Linear', 'Tanh', 'Linear']
    """

    def __init__(self, sizes, activation="relu", output_activation=None, bias=True, *,
                 init="uniform", seed=None, rng=None, dtype=DEFAULT_DTYPE):
        if not isinstance(sizes, (str, bytes)) and hasattr(sizes, "__iter__"):
            sizes = list(sizes)
        if not isinstance(sizes, list) or len(sizes) < 2:
            raise ValueError(f"MLP: sizes must list at least the input and output widths, "
                             f"e.g. [784, 128, 10], got {sizes!r}")
        for s in sizes:
            _check_size(s, "every size", "MLP")
        source = make_rng(seed, rng)
        modules = []
        for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
            modules.append(Linear(n_in, n_out, bias, init=init, rng=source, dtype=dtype))
            if i < len(sizes) - 2:
                modules.append(activation_module(activation))
        if output_activation is not None:
            modules.append(activation_module(output_activation))
        super().__init__(*modules)
        self.sizes = sizes


# ***** activations as modules *****


class Identity(Module):
    """Returns its input unchanged.

    >>> Identity()(Tensor([1.0, 2.0])).data
    array([1., 2.], dtype=float32)
    """

    def forward(self, x):
        return F.identity(x)


class ReLU(Module):
    """max(x, 0), elementwise.

    >>> ReLU()(Tensor([-1.0, 1.0])).data
    array([0., 1.], dtype=float32)
    """

    def forward(self, x):
        return F.relu(x)


class Tanh(Module):
    """Hyperbolic tangent, elementwise.

    >>> Tanh()(Tensor([0.0])).data
    array([0.], dtype=float32)
    """

    def forward(self, x):
        return F.tanh(x)


class Sigmoid(Module):
    """1 / (1 + exp(-x)), elementwise.

    >>> Sigmoid()(Tensor([0.0])).data
    array([0.5], dtype=float32)
    """

    def forward(self, x):
        return F.sigmoid(x)


class Softmax(Module):
    """Softmax along `axis` (`dim` is accepted as PyTorch's name for it).

    >>> Softmax(dim=1)(Tensor([[1.0, 1.0]])).data
    array([[0.5, 0.5]], dtype=float32)
    """

    def __init__(self, axis=-1, dim=None):
        super().__init__()
        self.axis = F._axis(axis, dim, type(self).__name__)

    def forward(self, x):
        return F.softmax(x, axis=self.axis)

    def extra_repr(self):
        return f"axis={self.axis}"


class LogSoftmax(Softmax):
    """log(softmax(x)) along `axis`.

    >>> LogSoftmax()(Tensor([[0.0, 0.0]])).data.round(4)
    array([[-0.6931, -0.6931]], dtype=float32)
    """

    def forward(self, x):
        return F.log_softmax(x, axis=self.axis)


class Flatten(Module):
    """Merge axes `start_dim`..`end_dim` into one; by default (N, 28, 28) -> (N, 784).

    >>> Flatten()(Tensor(np.zeros((2, 28, 28)))).shape
    (2, 784)
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        for name, dim in (("start_dim", start_dim), ("end_dim", end_dim)):
            if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
                raise TypeError(f"Flatten: {name} must be an int (an axis), got {dim!r}")
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return F.identity(x).flatten(self.start_dim, self.end_dim)


class Dropout(Module):
    """In training mode, zero each element with probability `p` and scale the rest by
    1 / (1 - p); in evaluation mode (`eval()`), return the input unchanged.

    >>> drop = Dropout(0.5, seed=0).eval()
    >>> drop(Tensor([1.0, 2.0])).data
    array([1., 2.], dtype=float32)
    """

    def __init__(self, p=0.5, *, seed=None, rng=None):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float, np.number)) or not 0 <= p < 1:
            raise ValueError(f"Dropout: p must be the probability to zero an element, a "
                             f"number in [0, 1), got {p!r}")
        self.p = p
        self._rng = make_rng(seed, rng)

    def forward(self, x):
        x = F.identity(x)
        if not self.training or self.p == 0:
            return x
        keep = self._rng.random(x.shape) >= self.p
        mask = keep.astype(x.dtype) * x.dtype.type(1 / (1 - self.p))
        return x * mask

    def extra_repr(self):
        return f"p={self.p}"


class _Lambda(Module):
    """Wraps a function on Tensors as a Module (used by MLP for callable activations)."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)

    def extra_repr(self):
        return getattr(self.fn, "__name__", repr(self.fn))


_ACTIVATION_MODULES = {
    "relu": ReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "softmax": Softmax,
    "linear": Identity,
    "identity": Identity,
}


def activation_module(activation):
    """A Module for an activation name, Module, Module class or function on Tensors.

    >>> activation_module("tanh")
    Tanh()
    """
    if isinstance(activation, Module):
        return activation
    if isinstance(activation, type) and issubclass(activation, Module):
        return activation()
    if activation is None or isinstance(activation, str):
        name, _ = F.get_activation(activation, "MLP")
        from .activations import ACTIVATION_MODULES  # built on Module: imported here
        return {**_ACTIVATION_MODULES, **ACTIVATION_MODULES}[name]()
    if callable(activation):
        return _Lambda(activation)
    F.get_activation(activation, "MLP")  # raises, listing the choices


# ***** losses as modules *****


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        F._check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def extra_repr(self):
        return f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """`mse_loss(input, target, reduction)` as a Module.

    >>> MSELoss()(Tensor([1.0, 3.0]), np.array([0.0, 0.0])).item()
    5.0
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class BCELoss(_Loss):
    """`binary_cross_entropy(probabilities, target, reduction)` as a Module.

    >>> round(BCELoss()(Tensor([0.5]), np.array([1.0])).item(), 4)      # -log(0.5)
    0.6931
    """

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """`binary_cross_entropy_with_logits(logits, target, reduction)` as a Module.

    >>> round(BCEWithLogitsLoss()(Tensor([0.0]), np.array([1.0])).item(), 4)   # sigmoid(0) = 0.5
    0.6931
    """

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, reduction=self.reduction)


class CrossEntropyLoss(_Loss):
    """`cross_entropy(logits, labels, reduction)` as a Module.

    >>> import numpy as np
    >>> round(CrossEntropyLoss()(np.zeros((1, 4)), np.array([2])).item(), 4)
    1.3863
    """

    def forward(self, input, target):
        return F.cross_entropy(input, target, reduction=self.reduction)

