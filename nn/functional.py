"""Activations and losses as functions on Tensors, with fused operations where they pay off.

Each fused operation is one `TensorFunction` with its forward rule beside its backward
rule, like the engine's own operations:

- `Affine`: x @ w + b, the dense layer, in one step;
- `MSE`, `BCE`, `BCEWithLogits`, `CrossEntropy`: each loss in one step, numerically stable
  (cross-entropy is log-softmax and negative log-likelihood fused: its gradient is
  (softmax - onehot) / N).

Functions accept Tensors, NumPy arrays or lists, and return Tensors. Losses take a
`reduction`: "mean" (the default), "sum" or "none" (one loss per sample).

NOTE: exp(-1e4) underflows to 0, which is exactly right here; the operations below silence
that underflow (even under `np.errstate(all="raise")`), never overflow or invalid values.
"""

import numpy as np

from autograd_lite import Tensor
from autograd_lite import ops
from autograd_lite import where as ag_where
from autograd_lite.checks import as_array
from autograd_lite.engine import Node
from autograd_lite.ops import TensorFunction, quiet_underflow

# The functions `nn` also offers at its top level: activations, padding, the dense layer and
# the losses.
TOP_LEVEL = [
    "relu",
    "tanh",
    "sigmoid",
    "softmax",
    "log_softmax",
    "identity",
    "leaky_relu",
    "elu",
    "selu",
    "celu",
    "gelu",
    "silu",
    "mish",
    "softplus",
    "softsign",
    "hardtanh",
    "relu6",
    "hardsigmoid",
    "hardswish",
    "logsigmoid",
    "pad",
    "affine",
    "mse_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
]
__all__ = TOP_LEVEL + ["ACTIVATIONS", "REDUCTIONS", "get_activation"]

REDUCTIONS = ("mean", "sum", "none")


def _as_tensor(x, op="Tensor", what="input"):
    if isinstance(x, Tensor):
        return x
    as_array(x, op, what)  # refuses ragged lists and strings with a message naming `op`
    return Tensor(x)


# ***** activations *****


def relu(x):
    """max(x, 0), elementwise.

    >>> relu([-1.0, 2.0]).data
    array([0., 2.], dtype=float32)
    """
    return _as_tensor(x, "relu").relu()


def tanh(x):
    """Hyperbolic tangent, elementwise.

    >>> tanh([0.0]).data
    array([0.], dtype=float32)
    """
    return _as_tensor(x, "tanh").tanh()


def sigmoid(x):
    """1 / (1 + exp(-x)), elementwise, stable for any x.

    >>> sigmoid([0.0, -1e4]).data
    array([0.5, 0. ], dtype=float32)
    """
    return ops.Sigmoid.apply(_as_tensor(x, "sigmoid"))


def _axis(axis, dim, op="softmax"):
    """`axis`, or PyTorch's `dim` for it; both only if they agree (-1 is the default)."""
    if dim is not None and axis not in (-1, dim):
        raise TypeError(f"{op}: got both axis={axis!r} and dim={dim!r}; they are the same "
                        f"argument, give one")
    return axis if dim is None else dim


def softmax(x, axis=-1, dim=None):
    """exp(x) / sum(exp(x)) along `axis` (`dim` is PyTorch's name for it), stable for any x.

    >>> softmax([[0.0, 0.0]]).data
    array([[0.5, 0.5]], dtype=float32)
    """
    return ops.Softmax.apply(_as_tensor(x, "softmax"), axis=_axis(axis, dim))


def log_softmax(x, axis=-1, dim=None):
    """log(softmax(x)) along `axis`, without overflow or log(0).

    >>> log_softmax([[0.0, 1e4]]).data
    array([[-10000.,      0.]], dtype=float32)
    """
    return ops.LogSoftmax.apply(_as_tensor(x, "log_softmax"), axis=_axis(axis, dim, "log_softmax"))


def identity(x):
    """x unchanged: the "linear" activation.

    >>> identity([1.0]).data
    array([1.], dtype=float32)
    """
    return _as_tensor(x, "identity")


# ***** more activations (PyTorch's names and arguments) *****
# `inplace=True` is accepted so that PyTorch code runs, but the result is always a new
# tensor: use the returned value, as PyTorch code does.


def _number(value, what, op, nonzero=False):
    """`value` if it is a real number (not 0 when `nonzero`), else an error naming it."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{op}: {what} must be a number, got {value!r}")
    if nonzero and value == 0:
        raise ValueError(f"{op}: {what} must not be 0 (the formula divides by it)")
    return value


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x where x > 0, else negative_slope * x.

    >>> leaky_relu([-1.0, 2.0], 0.1).data
    array([-0.1,  2. ], dtype=float32)
    """
    _number(negative_slope, "negative_slope", "leaky_relu")
    return ops.LeakyRelu.apply(_as_tensor(input), negative_slope=negative_slope)


def elu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * (exp(x) - 1).

    >>> elu([-1e4, 2.0]).data
    array([-1.,  2.], dtype=float32)
    """
    return ops.Elu.apply(_as_tensor(input), alpha=_number(alpha, "alpha", "elu"))


def selu(input, inplace=False):
    """scale * elu(x, alpha) with the self-normalising constants alpha = 1.6733 and
    scale = 1.0507.

    >>> selu([1.0]).data
    array([1.050701], dtype=float32)
    """
    return ops.Elu.apply(_as_tensor(input), alpha=ops.activations.SELU_ALPHA,
                         scale=ops.activations.SELU_SCALE, kind="selu")


def celu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * (exp(x / alpha) - 1).

    >>> celu([-1e4, 2.0], alpha=2.0).data
    array([-2.,  2.], dtype=float32)
    """
    _number(alpha, "alpha", "celu", nonzero=True)
    return ops.Elu.apply(_as_tensor(input), alpha=alpha, input_scale=1 / alpha, kind="celu")


def gelu(input, approximate="none"):
    """x * Phi(x), Phi the standard normal CDF; approximate="tanh" uses
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3))).

    >>> gelu([0.0, 1.0]).data.round(4)
    array([0.    , 0.8413], dtype=float32)
    """
    return ops.Gelu.apply(_as_tensor(input), approximate=approximate)


def silu(input, inplace=False):
    """x * sigmoid(x) (swish).

    >>> silu([0.0]).data
    array([0.], dtype=float32)
    """
    return ops.Silu.apply1(_as_tensor(input))


def mish(input, inplace=False):
    """x * tanh(softplus(x)).

    >>> mish([0.0]).data
    array([0.], dtype=float32)
    """
    return ops.Mish.apply1(_as_tensor(input))


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold.

    >>> softplus([0.0, 100.0]).data.round(4)
    array([  0.6931, 100.    ], dtype=float32)
    """
    _number(beta, "beta", "softplus", nonzero=True)
    _number(threshold, "threshold", "softplus")
    return ops.Softplus.apply(_as_tensor(input), beta=beta, threshold=threshold)


def softsign(input):
    """x / (1 + |x|).

    >>> softsign([1.0, -3.0]).data
    array([ 0.5 , -0.75], dtype=float32)
    """
    return ops.Softsign.apply1(_as_tensor(input))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clipped to [min_val, max_val]; the gradient is 0 at both ends, as in PyTorch.

    >>> hardtanh([-2.0, 0.5, 2.0]).data
    array([-1. ,  0.5,  1. ], dtype=float32)
    """
    _number(min_val, "min_val", "hardtanh")
    _number(max_val, "max_val", "hardtanh")
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val {min_val} must not exceed max_val {max_val}")
    return ops.Hardtanh.apply(_as_tensor(input), min_val=min_val, max_val=max_val)


def relu6(input, inplace=False):
    """min(max(x, 0), 6), that is hardtanh(x, 0, 6).

    >>> relu6([-1.0, 3.0, 9.0]).data
    array([0., 3., 6.], dtype=float32)
    """
    return ops.Hardtanh.apply(_as_tensor(input), min_val=0.0, max_val=6.0)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between.

    >>> hardsigmoid([-4.0, 0.0, 4.0]).data
    array([0. , 0.5, 1. ], dtype=float32)
    """
    return ops.Hardsigmoid.apply1(_as_tensor(input))


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6.

    >>> hardswish([-4.0, 1.0, 4.0]).data.round(4)
    array([-0.    ,  0.6667,  4.    ], dtype=float32)
    """
    return ops.Hardswish.apply1(_as_tensor(input))


def logsigmoid(input):
    """log(sigmoid(x)), without overflow.

    >>> logsigmoid([-100.0, 0.0]).data.round(4)
    array([-100.    ,   -0.6931], dtype=float32)
    """
    return ops.LogSigmoid.apply1(_as_tensor(input))


# ***** padding *****


def pad(input, pad, mode="constant", value=None):
    """PyTorch's pad: `pad` lists (before, after) pairs from the LAST axis backwards,
    `(left, right)` or `(left, right, top, bottom)` and so on; negative widths crop.

    `mode`: "constant" (with `value`, 0 by default), "reflect", "replicate" or
    "circular". `autograd_lite.pad` is NumPy's version (widths from the first axis).

    >>> pad(np.arange(3.0), (2, -1), mode="replicate").data
    array([0., 0., 0., 1.])
    """
    input = _as_tensor(input)
    if not isinstance(pad, (tuple, list)) or not all(
            isinstance(w, (int, np.integer)) and not isinstance(w, bool) for w in pad):
        raise TypeError(f"pad: pad must be a tuple of ints (before, after, ...), last axis "
                        f"first, got {pad!r}")
    pad = tuple(pad)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(f"pad: {len(pad)} widths for a tensor of shape {input.shape}; "
                         f"give (before, after) pairs for at most {input.ndim} axes, "
                         f"last axis first")
    pairs = [pad[i:i + 2] for i in range(0, len(pad), 2)][::-1]
    widths = [(0, 0)] * (input.ndim - len(pairs)) + pairs
    if mode != "constant" and value:
        raise ValueError(f"pad: value= only applies to mode 'constant', not {mode!r}")
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise ValueError(f"pad: unknown mode {mode!r}; choose 'constant', 'reflect', "
                         f"'replicate' or 'circular'")
    return ops.Pad.apply(input, widths=widths, mode=mode,
                         value=0.0 if value is None else value)


ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "linear": identity,
    "identity": identity,
    "softmax": softmax,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "selu": selu,
    "celu": celu,
    "gelu": gelu,
    "silu": silu,
    "mish": mish,
    "softplus": softplus,
    "softsign": softsign,
    "hardtanh": hardtanh,
    "relu6": relu6,
    "hardsigmoid": hardsigmoid,
    "hardswish": hardswish,
    "logsigmoid": logsigmoid,
}


def get_activation(activation, where="activation"):
    """Return `(name, function)` for an activation name, None ("linear") or a callable.

    A callable is kept as is, with name None; it must map a Tensor to a Tensor.

    >>> get_activation("ReLU")[0], get_activation(None)[0]
    ('relu', 'linear')
    """
    if activation is None:
        return "linear", identity
    if isinstance(activation, str):
        name = activation.lower()
        if name in ACTIVATIONS:
            return name, ACTIVATIONS[name]
    elif callable(activation):
        return None, activation
    choices = ", ".join(repr(k) for k in ACTIVATIONS)
    raise ValueError(f"{where}: unknown activation {activation!r}; choose one of {choices}, "
                     f"None (same as 'linear'), or pass a callable that maps a Tensor to a "
                     f"Tensor")


# ***** the dense layer *****


class Affine(TensorFunction):
    """x @ w + b (b optional), with w of shape (in, out);  d/dx = g @ w.T, d/dw = x.T @ g,
    d/db = g summed over the batch."""

    __slots__ = ()
    name = "affine"

    def forward(self, x, w, b=None):
        out = x @ w
        if b is not None:
            if out.dtype is b.dtype or out.dtype == b.dtype:
                out += b  # out is a fresh array: adding in place saves one allocation
            else:
                out = out + b
        return out

    def backward(self, g, out, x, w, b=None):
        inputs = self.parents
        gx = g @ w.T if inputs[0].requires_grad else None
        gw = gb = None
        if inputs[1].requires_grad:
            if x.ndim == 2:
                gw = x.T @ g
            else:  # one sample (in,) or extra batch axes (..., in): fold them into one
                gw = x.reshape(-1, x.shape[-1]).T @ g.reshape(-1, g.shape[-1])
        if b is not None and inputs[2].requires_grad:
            gb = g.sum(axis=0) if g.ndim == 2 else (
                g.sum(axis=tuple(range(g.ndim - 1))) if g.ndim > 1 else g)
        return (gx, gw) if b is None else (gx, gw, gb)


def affine(x, weight, bias=None):
    """x @ weight + bias as one operation; `weight` has shape (in_features, out_features).

    >>> import numpy as np
    >>> affine(np.ones((2, 3)), Tensor(np.ones((3, 4))), Tensor(np.zeros(4))).shape
    (2, 4)
    """
    if not isinstance(x, Tensor):
        x = _as_tensor(x, "affine")
    if not isinstance(weight, Tensor):
        weight = _as_tensor(weight, "affine", "weight")
    if bias is None:
        return Affine.apply(x, weight)
    if not isinstance(bias, Tensor):
        bias = _as_tensor(bias, "affine", "bias")
    return Affine.apply(x, weight, bias)


# ***** losses *****


def _check_reduction(reduction, op):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: unknown reduction {reduction!r}; choose one of "
                         f"{', '.join(repr(r) for r in REDUCTIONS)}")


def _reduce(losses, reduction):
    if reduction == "mean":  # sum / n: the same pairwise sum as mean(), without its wrapper
        return np.divide(np.add.reduce(losses, axis=None), losses.size, dtype=losses.dtype)
    if reduction == "sum":
        return np.asarray(losses.sum())
    return losses


def _scale(g, reduction, n):
    """The upstream gradient of a reduction, ready to multiply the per-element gradients."""
    return g * (1.0 / n) if reduction == "mean" else g


def _named(x):
    """' 'label'' for a labelled Tensor, else '': for error messages."""
    return f" {x.label!r}" if isinstance(x, Tensor) and x.label else ""


def _target(target, like, op):
    """The target as an array of `like`'s dtype, checked to have `like`'s shape."""
    t = target.data if isinstance(target, Tensor) else target
    t = as_array(t, op, "target", like.dtype)
    if t.shape != like.shape:
        raise ValueError(f"{op}: input{_named(like)} has shape {like.shape} but target"
                         f"{_named(target)} has shape {t.shape}; they must be equal (reshape "
                         f"the target, e.g. y.reshape({like.shape}))")
    return t


def _target_tensor(target, like, op):
    """The target as a Tensor of `like`'s shape: a Tensor target is kept as it is, so a
    target that requires grad gets its gradient, as in PyTorch."""
    if not isinstance(target, Tensor):
        return Tensor(_target(target, like, op))
    if target.shape != like.shape or target.dtype.kind != "f":
        return Tensor(_target(target, like, op))  # raises on a wrong shape; casts integers
    return target


def _clamped_log(x):
    """log(x) clamped at -100, as PyTorch's binary_cross_entropy does (raw data or Tensors)."""
    with np.errstate(divide="ignore"):
        return ops.Maximum.call(ops.Log.call(x), -100.0)


def _check_loss_input(x, op, reduction):
    _check_reduction(reduction, op)
    if x.data.dtype.kind != "f":
        raise TypeError(f"{op}: input must be floating point, got dtype {x.dtype}")
    if x.size == 0:
        raise ValueError(f"{op}: input is empty (shape {x.shape}); a loss needs at least "
                         f"one element")


class MSE(TensorFunction):
    """mean/sum/none of (x - t)**2;  d/dx = 2 (x - t), d/dt = -2 (x - t)."""

    __slots__ = ("reduction",)
    name = "mse_loss"

    def __init__(self, reduction="mean"):
        self.reduction = reduction

    def forward(self, x, t):
        d = x - t
        return _reduce(np.multiply(d, d, out=d), self.reduction)

    def backward(self, g, out, x, t):
        gx = (x - t) * (_scale(g, self.reduction, x.size) * 2.0)
        return gx, (-gx if self.needs_input_grad[1] else None)


def mse_loss(input, target, reduction="mean"):
    """Mean squared error between `input` and a `target` of the same shape.

    >>> mse_loss([1.0, 2.0], [1.0, 4.0]).item()
    2.0
    """
    x = _as_tensor(input, "mse_loss")
    _check_loss_input(x, "mse_loss", reduction)
    return MSE.apply(x, _target_tensor(target, x, "mse_loss"), reduction=reduction)


class BCE(TensorFunction):
    """Binary cross-entropy of probabilities p against targets t:
    -(t log p + (1 - t) log(1 - p)), each log clamped at -100 as PyTorch does;
    d/dp = (p - t) / max(p (1 - p), 1e-12),  d/dt = log(1 - p) - log(p) (clamped)."""

    __slots__ = ("reduction",)
    name = "binary_cross_entropy"
    EPS = 1e-12

    def __init__(self, reduction="mean"):
        self.reduction = reduction

    def forward(self, p, t):
        with np.errstate(divide="ignore", under="ignore"):
            log_p = np.maximum(np.log(p), -100)
            log_q = np.maximum(np.log1p(-p), -100)
        return _reduce(-(t * log_p + (1 - t) * log_q), self.reduction)

    def backward(self, g, out, p, t):
        scale = _scale(g, self.reduction, p.size)
        need_p, need_t = self.needs_input_grad
        with np.errstate(under="ignore"):
            gp = (p - t) / ops.Maximum.call(p * (1 - p), self.EPS) * scale if need_p else None
            gt = (_clamped_log(1 - p) - _clamped_log(p)) * scale if need_t else None
        return gp, gt


class BCEWithLogits(TensorFunction):
    """Binary cross-entropy of logits x against targets t, computed stably as
    max(x, 0) - x t + log(1 + exp(-|x|));  d/dx = sigmoid(x) - t,  d/dt = -x."""

    __slots__ = ("reduction", "probs")
    name = "binary_cross_entropy_with_logits"

    def __init__(self, reduction="mean"):
        self.reduction = reduction

    def forward(self, x, t):
        with np.errstate(under="ignore"):
            e = np.exp(-np.abs(x))
            losses = np.maximum(x, 0) - x * t + np.log1p(e)
            self.probs = np.where(x >= 0, 1 / (1 + e), e / (1 + e))  # sigmoid(x)
        return _reduce(losses, self.reduction)

    def backward(self, g, out, x, t):
        scale = _scale(g, self.reduction, x.size)
        need_x, need_t = self.needs_input_grad
        with np.errstate(under="ignore"):
            p = ops.Sigmoid.call(x) if isinstance(x, Node) else self.probs
            return (p - t) * scale if need_x else None, -x * scale if need_t else None


def _check_probabilities(values, what, op):
    if values.size and not (values.min() >= 0 and values.max() <= 1):  # also catches nan
        raise ValueError(f"{op}: {what} must lie in [0, 1], got values from "
                         f"{values.min()} to {values.max()}")


def binary_cross_entropy(input, target, reduction="mean", from_logits=False):
    """Binary cross-entropy of probabilities `input` (or logits, `from_logits=True`).

    Targets are in [0, 1] and have the input's shape. From probabilities each log is clamped
    at -100 (so p = 0 or 1 stays finite); from logits the loss is exact and stable for any
    logit, and better: prefer a linear last layer with `from_logits=True`.

    >>> round(binary_cross_entropy([0.5], [1.0]).item(), 4)
    0.6931
    >>> binary_cross_entropy([1e4], [1.0], from_logits=True).item()
    0.0
    """
    op = "binary_cross_entropy_with_logits" if from_logits else "binary_cross_entropy"
    x = _as_tensor(input, op)
    _check_loss_input(x, op, reduction)
    t = _target_tensor(target, x, op)
    _check_probabilities(t.data, "targets", op)
    if from_logits:
        return BCEWithLogits.apply(x, t, reduction=reduction)
    _check_probabilities(x.data, "input probabilities (use from_logits=True for logits)", op)
    return BCE.apply(x, t, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, reduction="mean"):
    """Binary cross-entropy from logits: `binary_cross_entropy(..., from_logits=True)`.

    >>> round(binary_cross_entropy_with_logits([0.0], [1.0]).item(), 4)
    0.6931
    """
    return binary_cross_entropy(input, target, reduction=reduction, from_logits=True)


class CrossEntropy(TensorFunction):
    """-log softmax(x)[label] over the last axis (or -sum(t log softmax(x)) for probability
    targets t, a second input), fused;  d/dx = softmax(x) - onehot(label)
    (softmax(x) sum(t) - t), and d/dt = -log softmax(x)."""

    __slots__ = ("labels", "soft", "reduction", "probs", "picks")
    name = "cross_entropy"

    def __init__(self, labels=None, reduction="mean", picks=None):
        self.labels, self.soft, self.reduction = labels, labels is None, reduction
        # the flat positions of the picked logits, label + C * sample (see `_picks`)
        self.picks = picks

    @quiet_underflow  # NOTE: softmax may underflow to 0, harmlessly
    def forward(self, x, t=None):
        shifted = x - np.maximum.reduce(x, axis=-1, keepdims=True)  # NOTE: every exp <= 1
        e = np.exp(shifted)
        total = np.add.reduce(e, axis=-1, keepdims=True)
        log_total = np.log(total)
        if self.soft:
            losses = -(t * (shifted - log_total)).sum(axis=-1)
        else:
            if self.picks is None:
                self.picks = _picks(self.labels, x.shape[-1])
            picked = shifted.take(self.picks)
            losses = (log_total.reshape(-1) - picked).reshape(self.labels.shape)
        e /= total
        self.probs = e  # softmax(x), reused by backward
        return _reduce(losses, self.reduction)

    @quiet_underflow
    def backward(self, g, out, x, t=None):
        n = x.size // x.shape[-1] if self.soft else self.labels.size
        scale = _scale(g, self.reduction, n)
        if self.reduction == "none":
            scale = scale.reshape(scale.shape + (1,))
        if isinstance(x, Node):  # create_graph: keep the rule differentiable
            p = ops.Softmax.call(x, axis=-1)
            target = t if self.soft else self._onehot(x.shape, x.dtype)
        else:
            if not self.soft:  # (softmax - onehot) * scale, in a new array: the
                # graph may be backpropagated again
                p = self.probs * scale
                p.reshape(-1)[self.picks] -= scale.reshape(-1) if scale.ndim else scale
                return p
            p = self.probs
            target = t
        if not self.soft:
            return (p - target) * scale
        gx = (p * target.sum(axis=-1, keepdims=True) - target) * scale
        if not self.needs_input_grad[1]:
            return gx, None
        return gx, -ops.LogSoftmax.call(x, axis=-1) * scale

    def _onehot(self, shape, dtype):
        onehot = np.zeros(shape, dtype=dtype)
        onehot.reshape(-1)[self.picks] = 1
        return onehot


def _picks(labels, classes):
    """The flat positions `label + classes * sample` of each sample's label among logits of
    shape (..., classes); a ValueError if a label is outside 0..classes-1 (negative ones
    included: they must not wrap around as NumPy indices do)."""
    samples = labels.size
    return np.ravel_multi_index((np.arange(samples), labels.reshape(-1)), (samples, classes))


def cross_entropy(input, target, reduction="mean"):
    """Cross-entropy of logits `input` (..., C) against integer class labels (...).

    Log-softmax and negative log-likelihood in one stable operation, finite for any logits.
    `target` may also hold class probabilities of the input's shape (soft labels). Labels
    that are floats with whole values are accepted (a Tensor stores integers as float32).

    >>> import numpy as np
    >>> round(cross_entropy(np.array([[0.0, 0.0]]), np.array([1])).item(), 4)
    0.6931
    >>> cross_entropy(np.array([[1e4, -1e4]]), np.array([0])).item()
    0.0
    """
    x = _as_tensor(input, "cross_entropy")
    _check_loss_input(x, "cross_entropy", reduction)
    shape = x.data.shape
    if not shape:
        raise ValueError("cross_entropy: input must have a class axis (shape (N, C) or (C,)), "
                         "got a 0-d tensor")
    labels = as_array(target.data if isinstance(target, Tensor) else target, "cross_entropy",
                      "target")
    classes, kind = shape[-1], labels.dtype.kind
    if labels.shape == shape and kind in "fiub":
        # class probabilities (soft labels, or a one-hot of any numeric dtype): a target
        # that requires grad gets its gradient, as in PyTorch
        t = _target_tensor(target, x, "cross_entropy")
        return CrossEntropy.apply(x, t, reduction=reduction)
    if isinstance(target, Tensor) and target.requires_grad:
        raise ValueError(f"cross_entropy: class-index labels{_named(target)} cannot carry a "
                         f"gradient, but this target requires grad; pass class probabilities "
                         f"of the input's shape {x.shape} to differentiate the target, or "
                         f"labels.detach()")
    if labels.shape != shape[:-1]:
        raise ValueError(f"cross_entropy: logits{_named(x)} of shape {x.shape} need integer "
                         f"labels{_named(target)} of "
                         f"shape {x.shape[:-1]} (one class index per sample) or class "
                         f"probabilities of shape {x.shape}, got target of shape "
                         f"{labels.shape}")
    if kind == "f":
        if not np.all(labels == np.round(labels)):
            raise ValueError("cross_entropy: labels must be integer class indices, got "
                             "non-integer float values")
        labels = labels.astype(np.int64)
    elif kind not in "iu":
        raise TypeError(f"cross_entropy: labels must be integer class indices, got dtype "
                        f"{labels.dtype}")
    try:
        picks = _picks(labels, classes)
    except ValueError:
        bad = labels[(labels < 0) | (labels >= classes)]
        raise ValueError(f"cross_entropy: labels must be in 0..{classes - 1} for {classes} "
                         f"classes, got {bad.ravel()[0]} (labels range from {labels.min()} "
                         f"to {labels.max()})") from None
    return CrossEntropy.apply(x, labels=labels, reduction=reduction, picks=picks)


# ***** convolution, pooling, normalisation, embedding, attention *****

# The convolution and pooling functions live in autograd_lite (autograd_lite/conv.py), their
# operations in autograd_lite/ops/conv.py; nn.functional offers them under PyTorch's names.
from autograd_lite.conv import (adaptive_avg_pool1d, adaptive_avg_pool2d,  # noqa: E402
                                avg_pool1d, avg_pool2d, conv1d, conv2d, conv_transpose1d,
                                conv_transpose2d, max_pool1d, max_pool2d)

__all__ += ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool1d",
            "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
            "adaptive_avg_pool2d", "batch_norm", "layer_norm", "embedding",
            "scaled_dot_product_attention"]


def _running(stat, shape, dtype):
    """A running statistic reshaped for broadcasting, as a constant. Reshaped by the engine,
    a view of a buffer shares its version counter, so a graph that read it refuses to
    backprop after the buffer is updated in place (a training-mode forward)."""
    t = (stat if isinstance(stat, Tensor) else Tensor(np.asarray(stat))).reshape(shape)
    return t if t.dtype == dtype else t.astype(dtype)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalisation over the batch and spatial axes of (N, C, ...), as PyTorch's.

    In training mode the batch's own mean and (biased) variance normalise it, and the
    running statistics (Tensors of shape (C,), or None) move towards them by `momentum`
    (the running variance uses the unbiased estimate, as PyTorch's). Otherwise the running
    statistics normalise. `weight` and `bias` (C,) scale and shift the result.

    >>> import numpy as np
    >>> x = Tensor(np.array([[1.0], [3.0]]))
    >>> batch_norm(x, None, None, training=True).data.round(3)
    array([[-1.],
           [ 1.]])
    """
    x = _as_tensor(input)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of shape (N, C) or (N, C, ...), got "
                         f"shape {x.shape}")
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    for name, stat in (("running_mean", running_mean), ("running_var", running_var),
                       ("weight", weight), ("bias", bias)):
        if stat is not None and np.shape(stat.data if isinstance(stat, Tensor) else stat) \
                != (x.shape[1],):
            raise ValueError(f"batch_norm: {name} must have shape ({x.shape[1]},) for an "
                             f"input of shape {x.shape}, got {np.shape(stat)}")
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: evaluation (training=False) needs running_mean and "
                             "running_var")
        mean, var = (_running(stat, shape, x.dtype) for stat in (running_mean, running_var))
        return _affine_channels((x - mean) / (var + eps).sqrt(), weight, bias, shape)
    n = x.size // x.shape[1]
    if n <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                         f"got input of shape {x.shape}")
    mean = x.mean(axis=axes, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=axes, keepdims=True)
    for stat, batch in ((running_mean, mean.data), (running_var, var.data * (n / (n - 1)))):
        if stat is not None:  # move the running statistic towards the batch's, in place
            data = _data(stat)
            data *= 1 - momentum
            data += momentum * batch.reshape(-1)
            if isinstance(stat, Tensor):
                stat._version += 1
    return _affine_channels(centred / (var + eps).sqrt(), weight, bias, shape)


def _affine_channels(y, weight, bias, shape):
    """y * weight + bias, with weight and bias (if given) reshaped to `shape`."""
    if weight is not None:
        y = y * _as_tensor(weight).reshape(shape)
    if bias is not None:
        y = y + _as_tensor(bias).reshape(shape)
    return y


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last axes (`normalized_shape`) of each sample, as PyTorch's
    `layer_norm`; `weight` and `bias` of shape `normalized_shape` scale and shift.

    >>> import numpy as np
    >>> layer_norm(Tensor(np.array([[1.0, 3.0]])), (2,)).data.round(3)
    array([[-1.,  1.]])
    """
    x = _as_tensor(input)
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) \
        else tuple(normalized_shape)
    if not shape or x.shape[x.ndim - len(shape):] != shape or len(shape) > x.ndim:
        raise ValueError(f"layer_norm: normalized_shape {shape} must be the last axes of the "
                         f"input, whose shape is {x.shape}")
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=axes, keepdims=True)
    return _affine_channels(centred / (var + eps).sqrt(), weight, bias, shape)


def embedding(input, weight, padding_idx=None):
    """Rows of `weight` (num_embeddings, dim) picked by the integer `input`, as PyTorch's
    `embedding`: the output has shape input.shape + (dim,). The row `padding_idx` gets no
    gradient.

    >>> import numpy as np
    >>> embedding(np.array([2, 0]), Tensor(np.arange(6.0).reshape(3, 2))).data
    array([[4., 5.],
           [0., 1.]])
    """
    w = _as_tensor(weight)
    idx = _data(input)
    if idx.dtype.kind == "f" and np.all(idx == np.round(idx)):
        idx = idx.astype(np.int64)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {idx.dtype}")
    if idx.size and (idx.min() < 0 or idx.max() >= w.shape[0]):
        raise IndexError(f"embedding: indices must be in 0..{w.shape[0] - 1} for a weight of "
                         f"shape {w.shape}, got values from {idx.min()} to {idx.max()}")
    rows = w[idx]
    if padding_idx is not None:
        pad = padding_idx % w.shape[0]
        rows = ag_where((idx == pad)[..., None], rows.detach(), rows)
    return rows


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None):
    """softmax(query @ key^T * scale + mask) @ value, as PyTorch's function of that name.

    query (..., L, E), key (..., S, E), value (..., S, Ev); the result is (..., L, Ev).
    `scale` defaults to 1 / sqrt(E). A boolean `attn_mask` (broadcastable to (..., L, S))
    says which keys each query may attend to (True: yes); a float mask is added to the
    scores. `is_causal=True` lets query i attend to keys 0..i only.

    >>> import numpy as np
    >>> q = k = v = Tensor(np.eye(2)[None])
    >>> scaled_dot_product_attention(q, k, v, is_causal=True).data.round(3)
    array([[[1.  , 0.  ],
            [0.33, 0.67]]])
    """
    if dropout_p:
        raise NotImplementedError("scaled_dot_product_attention: dropout_p > 0 is not "
                                  "supported; apply Dropout to the result instead")
    q, k, v = _as_tensor(query), _as_tensor(key), _as_tensor(value)
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2 or q.shape[-1] != k.shape[-1] \
            or k.shape[-2] != v.shape[-2]:
        raise ValueError(f"scaled_dot_product_attention: expected query (..., L, E), key "
                         f"(..., S, E) and value (..., S, Ev), got shapes {q.shape}, "
                         f"{k.shape} and {v.shape}")
    if is_causal and attn_mask is not None:
        raise ValueError("scaled_dot_product_attention: give attn_mask or is_causal=True, "
                         "not both")
    factor = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    scores = (q @ k.swapaxes(-1, -2)) * factor
    length, source = q.shape[-2], k.shape[-2]
    if is_causal:
        attn_mask = np.tril(np.ones((length, source), dtype=bool))
    if attn_mask is not None:
        mask = _data(attn_mask)
        if mask.dtype == bool:
            scores = ag_where(np.broadcast_to(mask, scores.shape), scores, -np.inf)
        else:
            scores = scores + _as_tensor(attn_mask)
    return ops.Softmax.apply(scores, axis=-1) @ v
