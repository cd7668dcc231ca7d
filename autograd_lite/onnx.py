"""Export a recorded graph to ONNX, the file format that ONNX Runtime, phones and browsers run.

`export(outputs, inputs, path)` walks the graph that the forward pass recorded, with the
engine's own traversal (`engine.topological_order`), and translates each operation with
its rule in `RULES`: one entry per operation class, each a few lines that emit ONNX nodes.
The inputs become the graph's inputs, every other leaf (parameters, constants) an
initializer stored in the file, and one leaf used twice (shared weights) one initializer.
Any graph made of operations with a rule exports, whatever code built it. An operation
without a rule raises a TypeError that names it, and nothing is written; a rule for your
own operation is one `@register(MyOp)` function.

What the forward pass computes outside the graph (from `.data`, `.item()`, or NumPy on
plain arrays) is stored as a constant: the file repeats the example's value for every
input. Keep the computation in Tensor operations.

With `dynamic_batch=True`, axis 0 of every input is the named dimension "batch", so the
file runs on any batch size. The rules follow that axis through the graph; one that would
tie the file to the example's batch size (a reshape that merges the batch axis with
another) refuses to export and says to use `dynamic_batch=False`.

Needs the `onnx` package: `pip install "autograd-lite[onnx]"` (which brings onnxruntime
too). `nn.export_onnx(model, example_input, path)` is the one-line version for modules.

>>> import numpy as np
>>> from autograd_lite import Tensor
>>> from autograd_lite.onnx import export
>>> x = Tensor(np.zeros((2, 3), np.float32), requires_grad=True)
>>> w = Tensor(np.ones((3, 4), np.float32), requires_grad=True)
>>> y = (x @ w).tanh()
>>> export(y, x, "tanh.onnx").graph.node[0].op_type                      # doctest: +SKIP
'MatMul'
"""

import os
import tempfile

import numpy as np

from . import engine, ops
from .checks import optional_import

__all__ = ["MIN_OPSET", "ONNX_HINT", "RULES", "export", "register"]

ONNX_HINT = 'pip install "autograd-lite[onnx]"  (or: pip install onnx onnxruntime)'
MIN_OPSET = 13  # Softmax on one axis, ReduceSum and Squeeze/Unsqueeze with axes as inputs
BATCH = "batch"


def _require(what):
    """The onnx package, or ModuleNotFoundError saying how to install it."""
    return optional_import("onnx", what, "the onnx package", ONNX_HINT)


RULES = {}
"""Operation class -> rule(g, fn, names, xs, out) returning the ONNX name of `out`.

`g` is the graph being built (see `Graph`), `fn` the recorded operation (its parameters
are its attributes), `names` the ONNX names of its inputs, `xs` the input Tensors and `out`
the output Tensor of the example run (for shapes and dtypes).
"""

# Operations that record data the graph cannot see: exporting them would freeze values
# computed from the example input into the file.
REFUSED = {
    ops.Where: "its condition is a constant array computed during the forward pass (for "
               "example from x > 0), so the file would reuse the example input's condition "
               "for every input; use an operation that computes it, such as relu, maximum "
               "or clip",
}


def register(*op_classes):
    """Decorator: make the function the ONNX rule of the operation classes `op_classes`.

    >>> from autograd_lite.extend import Function
    >>> class Double(Function):
    ...     def forward(self, a):
    ...         return 2 * a
    ...     def backward(self, g, out, a):
    ...         return 2 * g
    >>> @register(Double)
    ... def double(g, fn, names, xs, out):
    ...     return g.node("Add", [names[0], names[0]])
    """
    def decorate(rule):
        for cls in op_classes:
            RULES[cls] = rule
        return rule
    return decorate


# ***** the graph being built *****


class Graph:
    """ONNX nodes and initializers being collected, and the batch axis of each value.

    Rules call `node` (one ONNX node, returns its output's name), `constant` (an
    initializer), `ints` (an int64 initializer, for shapes and axes) and read or set
    `batch[name]`, the axis of that value that is the dynamic batch axis (None if none).
    """

    def __init__(self, onnx, opset, dynamic_batch):
        self.onnx, self.helper = onnx, onnx.helper
        self.opset, self.dynamic_batch = opset, dynamic_batch
        self.nodes, self.initializers = [], []
        self.batch = {}
        self._used = set()

    def fresh(self, hint):
        """A value name not used yet, made from `hint`."""
        hint = "".join(c if c.isalnum() or c in "._" else "_" for c in hint) or "value"
        name, i = hint, 1
        while name in self._used:
            i += 1
            name = f"{hint}_{i}"
        self._used.add(name)
        return name

    def node(self, op_type, inputs, batch=None, **attrs):
        """Add one node; returns the name of its (single) output, whose batch axis is
        `batch`."""
        out = self.fresh(op_type.lower())
        self.nodes.append(self.helper.make_node(op_type, list(inputs), [out],
                                                name=f"{op_type}_{len(self.nodes)}", **attrs))
        self.batch[out] = batch
        return out

    def constant(self, array, hint="const"):
        """An initializer holding `array`; returns its name."""
        name = self.fresh(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(array), name))
        self.batch[name] = None
        return name

    def ints(self, values, hint="ints"):
        """A 1-D int64 initializer (shapes, axes); returns its name."""
        return self.constant(np.asarray(values, dtype=np.int64).reshape(-1), hint)

    def elem_type(self, dtype):
        return self.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


def _refuse_dynamic(what):
    return ValueError(f"ONNX export: {what} depends on the example's batch size, so the file "
                      f"could not run on other batch sizes; export with dynamic_batch=False "
                      f"(the file then takes exactly the example's shape)")


def _follow(g, names, xs, out):
    """The batch axis of an elementwise result: the first input's, shifted by broadcasting."""
    for name, x in zip(names, xs):
        b = g.batch.get(name)
        if b is not None:
            return b + out.ndim - x.ndim
    return None


def _cast_to(g, name, x, dtype):
    """`name` cast to `dtype` if `x` has another dtype (NumPy promotes, ONNX does not)."""
    if x.dtype == dtype:
        return name
    return g.node("Cast", [name], batch=g.batch.get(name), to=g.elem_type(dtype))


def _same_dtype(g, names, xs, out):
    return [_cast_to(g, n, x, out.dtype) for n, x in zip(names, xs)]


# ***** rules: elementwise *****


def _elementwise(op_type):
    def rule(g, fn, names, xs, out):
        return g.node(op_type, _same_dtype(g, names, xs, out), batch=_follow(g, names, xs, out))
    rule.__name__ = f"rule_{op_type.lower()}"
    return rule


for _cls, _op in [(ops.Add, "Add"), (ops.Sub, "Sub"), (ops.Mul, "Mul"), (ops.Div, "Div"),
                  (ops.Maximum, "Max"), (ops.Neg, "Neg"), (ops.Exp, "Exp"), (ops.Log, "Log"),
                  (ops.Sqrt, "Sqrt"), (ops.Abs, "Abs"), (ops.Tanh, "Tanh"),
                  (ops.Sigmoid, "Sigmoid"), (ops.Relu, "Relu"), (ops.Pow, "Pow")]:
    RULES[_cls] = _elementwise(_op)


def _unary(op_type, **attrs):
    """A rule for a one-input operation that is one ONNX node with attributes."""
    def rule(g, fn, names, xs, out):
        return g.node(op_type, names, batch=g.batch[names[0]], **attrs)
    return rule


class _Compose:
    """Builds a small formula of ONNX nodes on one tensor, keeping its batch axis."""

    def __init__(self, g, name, dtype):
        self.g, self.batch, self.dtype = g, g.batch[name], dtype

    def __call__(self, op_type, *inputs, **attrs):
        return self.g.node(op_type, list(inputs), batch=self.batch, **attrs)

    def const(self, value):
        return self.g.constant(np.asarray(value, dtype=self.dtype), "k")


def _formula(build):
    """A rule from `build(f, x, fn)`: `f(op, *inputs)` adds a node, `f.const(v)` a constant."""
    def rule(g, fn, names, xs, out):
        return build(_Compose(g, names[0], out.dtype), names[0], fn)
    return rule


def _softplus(f, x, beta=1.0, threshold=None):
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (PyTorch's)."""
    bx = x if beta == 1 else f("Mul", x, f.const(beta))
    y = f("Softplus", bx)
    if beta != 1:
        y = f("Div", y, f.const(beta))
    if threshold is None:
        return y
    return f("Where", f("Greater", bx, f.const(threshold)), x, y)


RULES.update({ops.Minimum: _elementwise("Min"), ops.Erf: _elementwise("Erf"),
              ops.Sin: _elementwise("Sin"), ops.Cos: _elementwise("Cos"),
              ops.Tan: _elementwise("Tan"), ops.Sign: _elementwise("Sign"),
              ops.Floor: _elementwise("Floor"), ops.Ceil: _elementwise("Ceil"),
              ops.Reciprocal: _elementwise("Reciprocal"), ops.Softsign: _elementwise("Softsign"),
              ops.Hardsigmoid: _unary("HardSigmoid", alpha=1 / 6, beta=0.5)})


RULES.update({
    ops.LeakyRelu: lambda g, fn, names, xs, out: g.node(
        "LeakyRelu", names, batch=g.batch[names[0]], alpha=float(fn.negative_slope)),
    ops.Hardtanh: _formula(lambda f, x, fn: f("Clip", x, f.const(fn.min_val),
                                              f.const(fn.max_val))),
    ops.Hardswish: _formula(lambda f, x, fn: f("Mul", x, f("HardSigmoid", x, alpha=1 / 6,
                                                            beta=0.5))),
    ops.Elu: _formula(lambda f, x, fn: _elu(f, x, fn)),
    ops.Softplus: _formula(lambda f, x, fn: _softplus(f, x, fn.beta, fn.threshold)),
    ops.LogSigmoid: _formula(lambda f, x, fn: f("Neg", _softplus(f, f("Neg", x)))),
    ops.Silu: _formula(lambda f, x, fn: f("Mul", x, f("Sigmoid", x))),
    ops.Mish: _formula(lambda f, x, fn: f("Mul", x, f("Tanh", _softplus(f, x)))),
    ops.Gelu: _formula(lambda f, x, fn: _gelu(f, x, fn.approximate)),
    ops.Square: _formula(lambda f, x, fn: f("Mul", x, x)),
    ops.Rsqrt: _formula(lambda f, x, fn: f("Reciprocal", f("Sqrt", x))),
    ops.Log2: _formula(lambda f, x, fn: f("Div", f("Log", x), f.const(np.log(2.0)))),
    ops.Exp2: _formula(lambda f, x, fn: f("Pow", f.const(2.0), x)),
    ops.Log1p: _formula(lambda f, x, fn: f("Log", f("Add", x, f.const(1.0)))),
    ops.Expm1: _formula(lambda f, x, fn: f("Sub", f("Exp", x), f.const(1.0))),
})


RULES.update({
    ops.Round: _formula(lambda f, x, fn: f("Round", x) if not fn.decimals else f(
        "Div", f("Round", f("Mul", x, f.const(10.0 ** fn.decimals))),
        f.const(10.0 ** fn.decimals))),
    ops.Trunc: _formula(lambda f, x, fn: f("Mul", f("Sign", x), f("Floor", f("Abs", x)))),
})


def _elu(f, x, fn):
    """scale * (x where x > 0, else alpha * (exp(x * input_scale) - 1)): elu, selu, celu."""
    if fn.kind == "selu":
        return f("Selu", x, alpha=float(fn.alpha), gamma=float(fn.scale))
    if fn.kind == "celu":
        return f("Celu", x, alpha=float(fn.alpha))
    return f("Elu", x, alpha=float(fn.alpha))


def _gelu(f, x, approximate):
    """x * Phi(x), Phi by erf, or PyTorch's tanh formula."""
    if approximate == "tanh":
        cube = f("Mul", f("Mul", x, x), x)
        inner = f("Mul", f("Add", x, f("Mul", cube, f.const(0.044715))),
                  f.const(np.sqrt(2 / np.pi)))
        phi = f("Add", f("Tanh", inner), f.const(1.0))
    else:
        phi = f("Add", f("Erf", f("Mul", x, f.const(np.sqrt(0.5)))), f.const(1.0))
    return f("Mul", f("Mul", x, phi), f.const(0.5))


@register(ops.Clip)
def _clip(g, fn, names, xs, out):
    bounds = [g.constant(np.asarray(v, dtype=out.dtype), "clip_bound") if v is not None else ""
              for v in (fn.low, fn.high)]
    while bounds and bounds[-1] == "":
        bounds.pop()
    return g.node("Clip", [names[0], *bounds], batch=g.batch[names[0]])


@register(ops.Cast)
def _cast(g, fn, names, xs, out):
    return g.node("Cast", names, batch=g.batch[names[0]], to=g.elem_type(fn.dtype))


@register(ops.Clone)
def _clone(g, fn, names, xs, out):
    return g.node("Identity", names, batch=g.batch[names[0]])


def _one_axis(fn, x, op):
    axes = ops.normalize_axes(fn.axis, x.ndim, op)
    if len(axes) != 1:
        raise TypeError(f"ONNX export: {fn.name} over several axes has no ONNX counterpart "
                        f"(ONNX's {op} takes one axis)")
    return axes[0]


@register(ops.Softmax)
def _softmax(g, fn, names, xs, out):
    return g.node("Softmax", names, batch=g.batch[names[0]], axis=_one_axis(fn, xs[0], "Softmax"))


@register(ops.LogSoftmax)
def _log_softmax(g, fn, names, xs, out):
    return g.node("LogSoftmax", names, batch=g.batch[names[0]],
                  axis=_one_axis(fn, xs[0], "LogSoftmax"))


# ***** rules: reductions and linear algebra *****


def _reduced_batch(b, axes, keepdims):
    if b is None or b in axes:
        return None
    return b if keepdims else b - sum(a < b for a in axes)


def _reduction(op_type):
    def rule(g, fn, names, xs, out):
        axes = tuple(fn.axes)
        batch = _reduced_batch(g.batch[names[0]], axes, fn.keepdims)
        keep = int(bool(fn.keepdims))
        if not axes:  # a reduction over no axis (a 0-d input): the value itself
            return g.node("Identity", names, batch=batch)
        if op_type == "ReduceSum" or g.opset >= 18:
            return g.node(op_type, [names[0], g.ints(axes, "axes")], batch=batch, keepdims=keep)
        return g.node(op_type, names, batch=batch, keepdims=keep, axes=list(axes))
    return rule


RULES[ops.Sum] = _reduction("ReduceSum")
RULES[ops.Mean] = _reduction("ReduceMean")
RULES[ops.Max] = _reduction("ReduceMax")
RULES[ops.Min] = _reduction("ReduceMin")


def _matmul_batch(g, names, xs, out):
    (a, b), (ba, bb) = xs, (g.batch[n] for n in names)
    if ba is not None and a.ndim >= 2 and ba != a.ndim - 1:  # not the contracted axis
        return ba + out.ndim - a.ndim
    if bb is not None and b.ndim >= 2 and bb != b.ndim - 2:
        return out.ndim - 1 if bb == b.ndim - 1 else bb + out.ndim - b.ndim
    return None


RULES[ops.Prod] = _reduction("ReduceProd")
RULES[ops.Logsumexp] = _reduction("ReduceLogSumExp")


@register(ops.Norm)
def _norm(g, fn, names, xs, out):
    kinds = {1: "ReduceL1", 2: "ReduceL2", np.inf: "ReduceMax", -np.inf: "ReduceMin"}
    if fn.p not in kinds:
        raise TypeError(f"ONNX export: {fn.name} has no ONNX mapping here (p must be 1, 2 or "
                        f"+-inf)")
    x = names[0]
    if fn.p in (np.inf, -np.inf):
        x = g.node("Abs", [x], batch=g.batch[x])
    return _reduction(kinds[fn.p])(g, fn, [x], xs, out)


@register(ops.Var)
def _var(g, fn, names, xs, out):
    """sum((x - mean)**2) / (n - correction), over the reduced axes; its square root for
    std (root=True)."""
    x, axes, b = names[0], tuple(fn.axes), g.batch[names[0]]
    divisor = max(int(np.prod([xs[0].shape[i] for i in axes])) - fn.correction, 0)
    mean = _reduction("ReduceMean")(g, _Axes(axes, True), [x], xs, out)
    centred = g.node("Sub", [x, mean], batch=b)
    squares = g.node("Mul", [centred, centred], batch=b)
    total = _reduction("ReduceSum")(g, _Axes(axes, fn.keepdims), [squares], xs, out)
    var = g.node("Div", [total, g.constant(np.asarray(divisor, out.dtype), "divisor")],
                 batch=g.batch[total])
    return g.node("Sqrt", [var], batch=g.batch[var]) if fn.root else var


class _Axes:
    """The reduction parameters a reduction rule reads, for reductions inside a formula."""

    def __init__(self, axes, keepdims):
        self.axes, self.keepdims = axes, keepdims


@register(ops.Cumsum)
def _cumsum(g, fn, names, xs, out):
    x, b = names[0], g.batch[names[0]]
    if fn.flat and xs[0].ndim != 1:
        x = g.node("Reshape", [x, g.ints([-1], "shape")], batch=None)
        if b is not None:
            raise _refuse_dynamic("cumsum over all elements (axis=None) flattens the batch "
                                  "axis, so its result")
    return g.node("CumSum", [x, g.constant(np.asarray(fn.axis, np.int64), "axis")],
                  batch=g.batch[x])


@register(ops.Flip)
def _flip(g, fn, names, xs, out):
    axes = ops.normalize_axes(fn.axis, xs[0].ndim, "flip")
    if not axes:
        return g.node("Identity", names, batch=g.batch[names[0]])
    n = len(axes)
    return g.node("Slice", [names[0], g.ints([-1] * n, "starts"), g.ints([-INT_MAX] * n, "ends"),
                            g.ints(axes, "axes"), g.ints([-1] * n, "steps")],
                  batch=g.batch[names[0]])


_ONNX_PAD_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
                   "edge": "edge", "circular": "wrap", "wrap": "wrap"}


@register(ops.Pad)
def _pad(g, fn, names, xs, out):
    if any(b < 0 or e < 0 for b, e in fn.widths):
        raise TypeError(f"ONNX export: {fn.name} with negative widths (cropping) has no ONNX "
                        f"mapping here; crop by indexing instead")
    mode = _ONNX_PAD_MODES[fn.mode]
    if mode == "wrap" and g.opset < 19:
        raise TypeError("ONNX export: circular padding needs opset 19 or newer (ONNX's Pad "
                        "mode 'wrap'); pass opset=19")
    pads = g.ints([b for b, _ in fn.widths] + [e for _, e in fn.widths], "pads")
    inputs = [names[0], pads]
    if mode == "constant":
        inputs.append(g.constant(np.asarray(fn.value, out.dtype), "pad_value"))
    b = g.batch[names[0]]
    if b is not None and any(fn.widths[b]):
        b = None  # padded along the batch axis: no longer one row per sample
    return g.node("Pad", inputs, batch=b, mode=mode)


@register(ops.Matmul)
def _matmul(g, fn, names, xs, out):
    return g.node("MatMul", _same_dtype(g, names, xs, out), batch=_matmul_batch(g, names, xs, out))


def affine(g, fn, names, xs, out):
    """x @ w + b with w of shape (in, out): Gemm for a 2-D x, else MatMul and Add."""
    names = _same_dtype(g, names, xs, out)
    x = xs[0]
    batch = g.batch[names[0]]
    if x.ndim == 1 and batch is not None:
        raise ValueError("ONNX export: a dense layer on a 1-D input, whose only axis is the "
                         "features, not a batch; give the example input a batch axis "
                         "(x[None]) or export with dynamic_batch=False")
    if x.ndim == 2:
        return g.node("Gemm", names, batch=batch)
    y = g.node("MatMul", names[:2], batch=batch)
    return g.node("Add", [y, names[2]], batch=batch) if len(names) == 3 else y


# ***** rules: convolution and pooling (NCHW, weights in PyTorch's layout, as ONNX's) *****


def _pads(fn):
    top, bottom, left, right = fn.padding
    return [int(top), int(left), int(bottom), int(right)]  # ONNX: all begins, then all ends


def _ints(values):
    return [int(v) for v in values]


@register(ops.Conv2d)
def _conv2d(g, fn, names, xs, out):
    return g.node("Conv", _same_dtype(g, names, xs, out), batch=g.batch[names[0]],
                  kernel_shape=_ints(xs[1].shape[2:]), strides=_ints(fn.stride),
                  pads=_pads(fn), dilations=_ints(fn.dilation), group=int(fn.groups))


@register(ops.ConvTranspose2d)
def _conv_transpose2d(g, fn, names, xs, out):
    return g.node("ConvTranspose", _same_dtype(g, names, xs, out), batch=g.batch[names[0]],
                  kernel_shape=_ints(xs[1].shape[2:]), strides=_ints(fn.stride),
                  pads=_pads(fn), dilations=_ints(fn.dilation), group=int(fn.groups),
                  output_padding=_ints(fn.output_padding))


@register(ops.MaxPool2d)
def _max_pool2d(g, fn, names, xs, out):
    return g.node("MaxPool", names, batch=g.batch[names[0]], kernel_shape=_ints(fn.kernel),
                  strides=_ints(fn.stride), pads=_pads(fn), dilations=_ints(fn.dilation))


@register(ops.AvgPool2d)
def _avg_pool2d(g, fn, names, xs, out):
    """Window sums divided by the window size (padding counted), then by the op's own
    divisor per output position, which says what PyTorch's count_include_pad, ceil_mode and
    divisor_override mean."""
    if tuple(fn.dilation) != (1, 1):
        raise TypeError(f"ONNX export: {fn.name} with dilation has no ONNX mapping here")
    name = g.node("AveragePool", names, batch=g.batch[names[0]], kernel_shape=_ints(fn.kernel),
                  strides=_ints(fn.stride), pads=_pads(fn), count_include_pad=1)
    area = float(np.prod(fn.kernel))
    divisor = np.asarray(fn.divisor)
    if np.all(divisor == area):
        return name
    scale = g.constant((area / divisor).astype(out.dtype), "avg_pool_scale")
    return g.node("Mul", [name, scale], batch=g.batch[name])


# ***** rules: shapes and indexing *****


@register(ops.Reshape)
def _reshape(g, fn, names, xs, out):
    x, b = xs[0], g.batch[names[0]]
    target = list(fn.shape)
    if b is not None:
        if x.shape[:b + 1] != out.shape[:b + 1]:
            raise _refuse_dynamic(f"{fn.name} of a tensor of shape {x.shape} mixes the batch "
                                  f"axis {b} with other axes, so its result")
        target[b] = 0  # ONNX: copy this dimension from the input
    return g.node("Reshape", [names[0], g.ints(target, "shape")], batch=b)


@register(ops.Transpose)
def _transpose(g, fn, names, xs, out):
    perm = [int(a) for a in fn.axes]
    b = g.batch[names[0]]
    return g.node("Transpose", names, batch=None if b is None else perm.index(b), perm=perm)


@register(ops.BroadcastTo)
def _broadcast_to(g, fn, names, xs, out):
    x, b = xs[0], g.batch[names[0]]
    shape = list(fn.shape)
    lead = len(shape) - x.ndim
    if b is not None:
        shape[b + lead] = 1  # Expand broadcasts both ways: 1 keeps the input's batch size
    return g.node("Expand", [names[0], g.ints(shape, "shape")],
                  batch=None if b is None else b + lead)


@register(ops.Concatenate)
def _concatenate(g, fn, names, xs, out):
    axis = int(fn.axis)
    batch = _follow(g, names, xs, out)
    if batch == axis:
        batch = None  # joined along the batch axis: no longer one sample per row
    return g.node("Concat", _same_dtype(g, names, xs, out), batch=batch, axis=axis)


@register(ops.Stack)
def _stack(g, fn, names, xs, out):
    axis = int(fn.axis)
    axes = g.ints([axis], "axes")
    parts = [g.node("Unsqueeze", [n, axes], batch=_shift(g.batch[n], axis))
             for n in _same_dtype(g, names, xs, out)]
    return g.node("Concat", parts, batch=_follow(g, parts, [out] * len(parts), out), axis=axis)


def _shift(b, inserted):
    return None if b is None else (b + 1 if inserted <= b else b)


INT_MAX = np.iinfo(np.int64).max


def _is_int(item):
    return isinstance(item, (int, np.integer)) and not isinstance(item, bool)


def _expand_index(index, ndim):
    """The index as a list with `...` replaced by full slices and full slices appended."""
    items = list(index) if isinstance(index, tuple) else [index]
    for item in items:
        if isinstance(item, np.ndarray) and item.dtype == bool and item.ndim != 1:
            raise TypeError("ONNX export: a boolean mask over several axes has no ONNX "
                            "mapping here; index with integer arrays")
    used = sum(1 for item in items if item is not None and item is not Ellipsis)
    for at, item in enumerate(items):
        if item is Ellipsis:
            items[at:at + 1] = [slice(None)] * (ndim - used)
            break
    return items + [slice(None)] * (ndim - sum(1 for i in items if i is not None))


@register(ops.SetItem)
def _setitem(g, fn, names, xs, out):
    """`t[index] = v` as ScatterND into the flattened tensor: which positions are written is
    fixed when the graph is recorded (the index is a constant), and v supplies the values."""
    a, v = xs
    if g.batch[names[0]] is not None or g.batch[names[1]] is not None:
        raise _refuse_dynamic(f"{fn.name} writes at positions computed from the example's "
                              f"shape {a.shape}, so its result")
    flat, last, selected = ops.last_writes(a.shape, fn.index)
    values = _cast_to(g, names[1], v, a.dtype)
    extra = v.ndim - len(selected)  # leading axes of length 1, dropped as in the forward
    values = g.node("Reshape", [values, g.ints(v.shape[max(extra, 0):], "shape")])
    values = g.node("Expand", [values, g.ints(selected, "shape")])
    values = g.node("Reshape", [values, g.ints([-1], "shape")])
    values = g.node("Gather", [values, g.constant(last.astype(np.int64), "index")], axis=0)
    data = g.node("Reshape", [names[0], g.ints([-1], "shape")])
    positions = g.constant(flat[last].astype(np.int64).reshape(-1, 1), "positions")
    data = g.node("ScatterND", [data, positions, values])
    return g.node("Reshape", [data, g.ints(a.shape, "shape")])


@register(ops.GetItem)
def _getitem(g, fn, names, xs, out):
    """Basic indexing (ints, slices, None, ...) as Slice, Squeeze and Unsqueeze; one integer
    (or bool) array on one axis as Gather."""
    x, name, b = xs[0], names[0], g.batch[names[0]]
    items = _expand_index(fn.index, x.ndim)
    arrays = [item for item in items if isinstance(item, np.ndarray)]
    if arrays and (len(arrays) > 1 or any(_is_int(item) for item in items)):
        raise TypeError(f"ONNX export: {fn.name} with an index array combined with other "
                        f"index arrays or integers (NumPy's advanced indexing) has no ONNX "
                        f"mapping here; index one axis at a time")
    starts, ends, axes, steps, squeeze, gather = [], [], [], [], [], None
    axis = 0
    for item in items:
        if item is None:
            continue
        if isinstance(item, np.ndarray):
            gather = (axis, item)
        elif isinstance(item, slice):
            if item != slice(None):
                step = 1 if item.step is None else int(item.step)
                starts.append(item.start if item.start is not None else
                              (0 if step > 0 else INT_MAX))
                ends.append(item.stop if item.stop is not None else
                            (INT_MAX if step > 0 else -INT_MAX))
                axes.append(axis)
                steps.append(step)
        else:  # an integer: a slice of length one, squeezed away below
            i = int(item)
            starts.append(i)
            ends.append(i + 1 if i != -1 else INT_MAX)
            axes.append(axis)
            steps.append(1)
            squeeze.append(axis)
        axis += 1
    if b is not None and b in axes:
        b = None  # a fixed part of the batch: its size no longer follows the input's
    if axes:
        name = g.node("Slice", [name, g.ints(starts, "starts"), g.ints(ends, "ends"),
                                g.ints(axes, "axes"), g.ints(steps, "steps")], batch=b)
    if gather is not None:
        at, index = gather
        if index.dtype == bool:
            index = np.flatnonzero(index)
        if b is not None:
            b = None if b == at else (b if b < at else b + index.ndim - 1)
        name = g.node("Gather", [name, g.constant(index.astype(np.int64), "index")],
                      batch=b, axis=at)
    if squeeze:
        name = g.node("Squeeze", [name, g.ints(squeeze, "axes")],
                      batch=None if b is None else b - sum(a < b for a in squeeze))
        b = g.batch[name]
    # None inserts a new axis at its position in the result
    new_axes, pos = [], 0
    for item in items:
        if item is None:
            new_axes.append(pos)
            pos += 1
        elif isinstance(item, np.ndarray):
            pos += item.ndim if item.dtype != bool else 1
        elif not isinstance(item, slice):
            continue
        else:
            pos += 1
    if new_axes:
        if b is not None:
            for a in new_axes:
                b = b + 1 if a <= b else b
        name = g.node("Unsqueeze", [name, g.ints(new_axes, "axes")], batch=b)
    return name


# ***** export *****


def _rule(fn):
    rule = RULES.get(type(fn))
    if rule is None:
        reason = REFUSED.get(type(fn))
        cls = type(fn)
        where = f"{cls.__module__}.{cls.__qualname__}"
        if reason:
            return None, f"'{fn.name}' ({where}): {reason}"
        return None, f"'{fn.name}' ({where})"
    return rule, None


def _as_list(x, what):
    from .tensor import Tensor

    items = list(x) if isinstance(x, (list, tuple)) else [x]
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"ONNX export: {what} must be Tensors, got {type(t).__name__} "
                            f"at position {i}")
    return items


def export(outputs, inputs, path, *, opset=17, dynamic_batch=True, input_names=None,
           output_names=None, graph_name="autograd_lite", initializer_names=None):
    """Write the graph from `inputs` to `outputs` (Tensors, or lists of them) as an ONNX file.

    The inputs must be Tensors that require grad (so that the forward pass recorded what
    was computed from them); every other leaf the outputs depend on becomes an initializer
    (constants and parameters, stored with their current values). `initializer_names` may
    map some of those Tensors to names (nn.export_onnx passes the parameters' names). The
    file is checked with `onnx.checker`, written to a temporary file in the same folder and
    then renamed, so an error never leaves a partial file (`path` may also be a binary file
    object such as `io.BytesIO`). Returns the `onnx.ModelProto`.

    Raises TypeError naming every operation without an ONNX rule (see `RULES`, `register`),
    and ValueError for inputs the outputs do not depend on, or a graph that cannot take a
    dynamic batch axis.
    """
    onnx = _require("autograd_lite.onnx.export")
    outputs, inputs = _as_list(outputs, "outputs"), _as_list(inputs, "inputs")
    if not outputs or not inputs:
        raise ValueError("ONNX export: give at least one output and one input Tensor")
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, int) or not MIN_OPSET <= opset <= newest:
        raise ValueError(f"ONNX export: opset must be an integer from {MIN_OPSET} to {newest} "
                         f"(the newest this onnx package knows), got {opset!r}")
    input_names = list(input_names or [f"input{i}" if len(inputs) > 1 else "input"
                                       for i in range(len(inputs))])
    output_names = list(output_names or [f"output{i}" if len(outputs) > 1 else "output"
                                         for i in range(len(outputs))])
    if len(input_names) != len(inputs) or len(output_names) != len(outputs):
        raise ValueError("ONNX export: give one name per input and one per output")
    if len(set(input_names + output_names)) != len(input_names) + len(output_names):
        raise ValueError(f"ONNX export: input and output names must all differ, got "
                         f"{input_names} and {output_names}")
    for i, x in enumerate(inputs):
        if dynamic_batch and x.ndim == 0:
            raise ValueError(f"ONNX export: input {i} is 0-d, so it has no batch axis; export "
                             f"with dynamic_batch=False")

    # The walk: every node the outputs depend on, inputs first; nothing behind an input.
    boundary = set(inputs)
    order, seen = [], set()
    for out in outputs:
        for node in engine.topological_order(out, boundary=boundary):
            if node not in seen:
                seen.add(node)
                order.append(node)
    for i, x in enumerate(inputs):
        if x not in seen:
            how = "" if x.requires_grad else (": it does not require grad, so no graph was "
                                              "recorded from it; create it with "
                                              "requires_grad=True (outside no_grad()) before "
                                              "running the forward pass")
            raise ValueError(f"ONNX export: the outputs do not depend on input {i} "
                             f"(shape {x.shape}){how}")
    missing = []
    for node in order:
        if node._ctx is not None and node not in boundary:
            rule, problem = _rule(node._ctx)
            if rule is None and problem not in missing:
                missing.append(problem)
    if missing:
        raise TypeError("ONNX export: no ONNX mapping for the operation(s) "
                        + "; ".join(missing) + ". Supported: "
                        + ", ".join(sorted({c.__name__ for c in RULES}))
                        + " (add one with autograd_lite.onnx.register)")

    g = Graph(onnx, opset, dynamic_batch)
    helper = onnx.helper
    names = {}
    for x, name in zip(inputs, input_names):
        g._used.add(name)
        names[x] = name
        g.batch[name] = 0 if dynamic_batch else None
    for name in output_names:
        g._used.add(name)
    given = dict(initializer_names or {})
    for node in order:
        if node in names:
            continue
        if node._ctx is None:  # a parameter or a constant
            hint = given.get(node) or node.label or ("param" if node.requires_grad else "const")
            names[node] = g.constant(node.data, hint)
            continue
        fn = node._ctx
        parents = fn.parents
        names[node] = RULES[type(fn)](g, fn, [names[p] for p in parents], parents, node)

    def value_info(name, t, batch):
        dims = [BATCH if a == batch else int(n) for a, n in enumerate(t.shape)]
        return helper.make_tensor_value_info(name, g.elem_type(t.dtype), dims)

    graph_inputs = [value_info(n, x, g.batch[n]) for x, n in zip(inputs, input_names)]
    graph_outputs = []
    for out, name in zip(outputs, output_names):
        g.nodes.append(helper.make_node("Identity", [names[out]], [name],
                                        name=f"Identity_{len(g.nodes)}"))
        graph_outputs.append(value_info(name, out, g.batch.get(names[out])))
    graph = helper.make_graph(g.nodes, graph_name, graph_inputs, graph_outputs,
                              initializer=g.initializers)
    opsets = [helper.make_opsetid("", opset)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="autograd-lite",
                              ir_version=helper.find_min_ir_version_for(opsets))
    onnx.checker.check_model(model, full_check=True)
    _write(onnx, model, path)
    return model


def _write(onnx, model, path):
    """Save to a temporary file next to `path`, then rename it: never a partial file. A
    binary file object (`io.BytesIO`, an open file) receives the bytes instead."""
    if hasattr(path, "write"):
        path.write(model.SerializeToString())
        return
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"ONNX export: the folder {folder!r} does not exist; create "
                                f"it first")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp")
    os.close(fd)
    try:
        onnx.save(model, tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
