"""The functions of `autograd_lite` that work on tensors: `autograd_lite.sin(x)`,
`autograd_lite.var(x, axis=0)`, `autograd_lite.cat([a, b], dim=1)`, ...

NumPy's names and keywords come first (`axis`, `keepdims`, `ddof`), so that NumPy code
ports as it is; PyTorch's spellings are accepted too (`dim`, `keepdim`, `correction`,
`unbiased`). Where NumPy and PyTorch give one name two meanings, the function follows
NumPy and the `Tensor` method follows PyTorch: `repeat`, `split`, `squeeze` of an axis
that is not 1, `var`/`std`'s default correction. Each function names its operation in
`autograd_lite.ops`, or says which operations it is composed of.
"""

from collections import namedtuple

import numpy as np

from . import checks, ops
from .tensor import Tensor, _as_tensors, concatenate

__all__ = [
    # elementwise
    "minimum", "sin", "cos", "tan", "sign", "floor", "ceil", "round", "trunc", "rsqrt",
    "log2", "exp2", "log1p", "expm1", "square", "reciprocal", "erf",
    # reductions
    "var", "std", "prod", "logsumexp", "cumsum", "cumprod", "norm", "argmax", "argmin",
    # shape and indexing
    "squeeze", "unsqueeze", "expand_dims", "flatten", "transpose", "swapaxes", "permute",
    "flip",
    "repeat", "tile", "broadcast_to", "chunk", "split", "gather", "scatter_add",
    "take_along_axis", "take_along_dim", "tril", "triu", "pad", "cat",
]


class _Default(int):
    """A default axis (-1), told apart from an explicit one by identity, so that giving
    only PyTorch's `dim` is not read as a conflict with the default `axis`."""

    def __repr__(self):
        return str(int(self))


_LAST = _Default(-1)


def _t(x, op):
    """`x` as a Tensor; data that is not numbers gets an error naming the operation."""
    return x if isinstance(x, Tensor) else Tensor(checks.as_array(x, op, "input"))


def _pick(numpy_value, torch_value, numpy_name, torch_name, op, default=None):
    """NumPy's keyword or PyTorch's spelling of it (`axis` or `dim`), never both."""
    if torch_value is not None:
        if numpy_value is not None and numpy_value != torch_value:
            raise TypeError(f"{op}: got both {numpy_name}={numpy_value!r} and "
                            f"{torch_name}={torch_value!r}; they are the same argument, "
                            f"give one")
        return torch_value
    return default if numpy_value is None else numpy_value


def axis_arg(axis, dim, op, default=None):
    """`axis`, or PyTorch's `dim` (which may be a list, as in PyTorch)."""
    if isinstance(dim, list):
        dim = tuple(dim)
    if isinstance(dim, tuple) and not dim and op != "squeeze":
        raise ValueError(f"{op}: dim=() is ambiguous: PyTorch reduces over every axis, NumPy "
                         f"(axis=()) over none; write dim=None for every axis, or axis=() "
                         f"for none")
    return _pick(axis, dim, "axis", "dim", op, default)


def keepdims_arg(keepdims, keepdim, op):
    """`keepdims`, or PyTorch's `keepdim`."""
    return bool(_pick(keepdims, keepdim, "keepdims", "keepdim", op, False))


def correction_arg(ddof, correction, unbiased, op, default):
    """The divisor's correction from NumPy's `ddof` or PyTorch's `correction`/`unbiased`."""
    given = [name for name, v in (("ddof", ddof), ("correction", correction),
                                  ("unbiased", unbiased)) if v is not None]
    if len(given) > 1:
        raise TypeError(f"{op}: give one of ddof, correction and unbiased, not "
                        f"{' and '.join(given)}")
    if unbiased is not None:
        return 1 if unbiased else 0
    value = ddof if ddof is not None else correction
    if value is not None and (isinstance(value, bool) or not isinstance(
            value, (int, float, np.integer, np.floating))):
        raise TypeError(f"{op}: {given[0]} must be a number, got {value!r}")
    return default if value is None else value


def _no_numpy_extras(op, dtype=None, out=None, **ignored):
    if out is not None:
        raise TypeError(f"{op}: out= is not supported; use the returned tensor")
    return dtype


# ***** elementwise *****


def minimum(a, b):
    """Elementwise minimum of two tensors (broadcasting); ties split the gradient.

    >>> from autograd_lite import Tensor, minimum
    >>> minimum(Tensor([1.0, 5.0]), 3.0)
    Tensor([1., 3.])
    """
    a, b = _as_tensors([a, b], "minimum")
    return ops.Minimum.apply2(a, b)


def sin(x):
    """sin(x), elementwise (`Sin`).

    >>> import autograd_lite as ag
    >>> ag.sin(ag.Tensor([0.0]))
    Tensor([0.])
    """
    return ops.Sin.apply1(_t(x, "sin"))


def cos(x):
    """cos(x), elementwise (`Cos`).

    >>> import autograd_lite as ag
    >>> ag.cos(ag.Tensor([0.0]))
    Tensor([1.])
    """
    return ops.Cos.apply1(_t(x, "cos"))


def tan(x):
    """tan(x), elementwise (`Tan`).

    >>> import autograd_lite as ag
    >>> ag.tan(ag.Tensor([0.0]))
    Tensor([0.])
    """
    return ops.Tan.apply1(_t(x, "tan"))


def sign(x):
    """-1, 0 or 1 by the sign of x; the gradient is 0 (`Sign`).

    >>> import autograd_lite as ag
    >>> ag.sign(ag.Tensor([-2.0, 0.0, 3.0]))
    Tensor([-1.,  0.,  1.])
    """
    return ops.Sign.apply1(_t(x, "sign"))


def floor(x):
    """The largest integer <= x, elementwise; the gradient is 0 (`Floor`).

    >>> import autograd_lite as ag
    >>> ag.floor(ag.Tensor([-1.5, 1.5]))
    Tensor([-2.,  1.])
    """
    return ops.Floor.apply1(_t(x, "floor"))


def ceil(x):
    """The smallest integer >= x, elementwise; the gradient is 0 (`Ceil`).

    >>> import autograd_lite as ag
    >>> ag.ceil(ag.Tensor([-1.5, 1.5]))
    Tensor([-1.,  2.])
    """
    return ops.Ceil.apply1(_t(x, "ceil"))


def round(x, decimals=0):
    """x rounded to `decimals` places, halves to even (as NumPy and PyTorch); the gradient
    is 0 (`Round`).

    >>> import autograd_lite as ag
    >>> ag.round(ag.Tensor([0.5, 1.5, 2.25]), decimals=0)
    Tensor([0., 2., 2.])
    """
    return ops.Round.apply(_t(x, "round"), decimals=decimals)


def trunc(x):
    """x rounded towards 0, elementwise; the gradient is 0 (`Trunc`).

    >>> import autograd_lite as ag
    >>> ag.trunc(ag.Tensor([-1.5, 1.5]))
    Tensor([-1.,  1.])
    """
    return ops.Trunc.apply1(_t(x, "trunc"))


def rsqrt(x):
    """1 / sqrt(x), elementwise (`Rsqrt`).

    >>> import autograd_lite as ag
    >>> ag.rsqrt(ag.Tensor([4.0]))
    Tensor([0.5])
    """
    return ops.Rsqrt.apply1(_t(x, "rsqrt"))


def log2(x):
    """Base-2 logarithm, elementwise (`Log2`).

    >>> import autograd_lite as ag
    >>> ag.log2(ag.Tensor([8.0]))
    Tensor([3.])
    """
    return ops.Log2.apply1(_t(x, "log2"))


def exp2(x):
    """2 ** x, elementwise (`Exp2`).

    >>> import autograd_lite as ag
    >>> ag.exp2(ag.Tensor([3.0]))
    Tensor([8.])
    """
    return ops.Exp2.apply1(_t(x, "exp2"))


def log1p(x):
    """log(1 + x), accurate for tiny x (`Log1p`).

    >>> import autograd_lite as ag
    >>> float(ag.log1p(ag.Tensor(np.array([1e-20]))).item())
    1e-20
    """
    return ops.Log1p.apply1(_t(x, "log1p"))


def expm1(x):
    """exp(x) - 1, accurate for tiny x (`Expm1`).

    >>> import autograd_lite as ag
    >>> float(ag.expm1(ag.Tensor(np.array([1e-20]))).item())
    1e-20
    """
    return ops.Expm1.apply1(_t(x, "expm1"))


def square(x):
    """x * x, elementwise (`Square`).

    >>> import autograd_lite as ag
    >>> ag.square(ag.Tensor([3.0]))
    Tensor([9.])
    """
    return ops.Square.apply1(_t(x, "square"))


def reciprocal(x):
    """1 / x, elementwise (`Reciprocal`).

    >>> import autograd_lite as ag
    >>> ag.reciprocal(ag.Tensor([4.0]))
    Tensor([0.25])
    """
    return ops.Reciprocal.apply1(_t(x, "reciprocal"))


def erf(x):
    """The error function, elementwise (`Erf`).

    >>> import autograd_lite as ag
    >>> ag.erf(ag.Tensor([0.0]))
    Tensor([0.])
    """
    return ops.Erf.apply1(_t(x, "erf"))


# ***** reductions *****


def var(a, axis=None, dtype=None, out=None, ddof=None, keepdims=None, *, correction=None,
        unbiased=None, dim=None, keepdim=None):
    """Variance over `axis`: sum((a - mean)**2) / (n - ddof) (`Var`).

    As NumPy's `np.var`, the default is ddof=0 (the population variance). PyTorch's
    `correction=` and `unbiased=` are accepted too; note that `Tensor.var` follows PyTorch,
    whose default correction is 1.

    >>> import autograd_lite as ag
    >>> x = ag.Tensor([1.0, 2.0, 3.0, 4.0])
    >>> ag.var(x), ag.var(x, ddof=1), ag.var(x, correction=1)
    (Tensor(1.25), Tensor(1.6666666), Tensor(1.6666666))
    """
    result = ops.Var.apply(_t(a, "var"), axis=axis_arg(axis, dim, "var"),
                           keepdims=keepdims_arg(keepdims, keepdim, "var"),
                           correction=correction_arg(ddof, correction, unbiased, "var", 0))
    dtype = _no_numpy_extras("var", dtype, out)
    return result if dtype is None else result.astype(dtype)


def std(a, axis=None, dtype=None, out=None, ddof=None, keepdims=None, *, correction=None,
        unbiased=None, dim=None, keepdim=None):
    """Standard deviation sqrt(var(...)) (`Var` with root=True); its gradient is 0 where
    it is 0 (constant data), as in PyTorch.

    As NumPy's `np.std`, the default is ddof=0; `Tensor.std` follows PyTorch (correction 1).

    >>> import autograd_lite as ag
    >>> ag.std(ag.Tensor([1.0, 3.0])), ag.std(ag.Tensor([1.0, 3.0]), unbiased=True)
    (Tensor(1.), Tensor(1.4142135))
    """
    result = ops.Var.apply(_t(a, "std"), axis=axis_arg(axis, dim, "std"),
                           keepdims=keepdims_arg(keepdims, keepdim, "std"),
                           correction=correction_arg(ddof, correction, unbiased, "std", 0),
                           root=True)
    dtype = _no_numpy_extras("std", dtype, out)
    return result if dtype is None else result.astype(dtype)


def prod(a, axis=None, dtype=None, out=None, keepdims=None, *, dim=None, keepdim=None):
    """Product over `axis` (`Prod`); its gradient is exact also where a has zeros.

    >>> import autograd_lite as ag
    >>> x = ag.Tensor([2.0, 0.0, 3.0], requires_grad=True)
    >>> ag.prod(x).backward()
    >>> x.grad
    array([0., 6., 0.], dtype=float32)
    """
    result = ops.Prod.apply(_t(a, "prod"), axis=axis_arg(axis, dim, "prod"),
                            keepdims=keepdims_arg(keepdims, keepdim, "prod"))
    dtype = _no_numpy_extras("prod", dtype, out)
    return result if dtype is None else result.astype(dtype)


def logsumexp(a, axis=None, keepdims=None, *, dim=None, keepdim=None):
    """log(sum(exp(a))) over `axis`, without overflow (`Logsumexp`).

    >>> import autograd_lite as ag
    >>> ag.logsumexp(ag.Tensor([1000.0, 1000.0]))
    Tensor(1000.6932)
    """
    return ops.Logsumexp.apply(_t(a, "logsumexp"), axis=axis_arg(axis, dim, "logsumexp"),
                               keepdims=keepdims_arg(keepdims, keepdim, "logsumexp"))


def cumsum(a, axis=None, dtype=None, out=None, *, dim=None):
    """Running sum along `axis`; None (NumPy's default) runs over the flattened data
    (`Cumsum`).

    >>> import autograd_lite as ag
    >>> ag.cumsum(ag.Tensor([[1.0, 2.0], [3.0, 4.0]]), dim=1)
    Tensor([[1., 3.],
            [3., 7.]])
    """
    result = ops.Cumsum.apply(_t(a, "cumsum"), axis=axis_arg(axis, dim, "cumsum"))
    dtype = _no_numpy_extras("cumsum", dtype, out)
    return result if dtype is None else result.astype(dtype)


def cumprod(a, axis=None, dtype=None, out=None, *, dim=None):
    """Running product along `axis` (None: the flattened data) (`Cumprod`); the gradient
    is exact also where a has zeros.

    >>> import autograd_lite as ag
    >>> ag.cumprod(ag.Tensor([1.0, 2.0, 0.0, 4.0]), dim=0)
    Tensor([1., 2., 0., 0.])
    """
    result = ops.Cumprod.apply(_t(a, "cumprod"), axis=axis_arg(axis, dim, "cumprod"))
    dtype = _no_numpy_extras("cumprod", dtype, out)
    return result if dtype is None else result.astype(dtype)


def norm(x, ord=None, axis=None, keepdims=None, *, p=None, dim=None, keepdim=None):
    """A vector norm over `axis` (None: all elements) (`Norm`).

    `ord` (NumPy) or `p` (PyTorch): 2 (the default; "fro" is the same over all elements),
    1, inf, -inf, 0 (the count of non-zeros) or any other number. Matrix norms other than
    Frobenius (NumPy's `ord=` 2, 1, inf or "nuc" over two axes) are not supported: they
    raise.
    The gradient of the 2-norm at 0 is 0, as in PyTorch.

    >>> import autograd_lite as ag
    >>> ag.norm(ag.Tensor([3.0, 4.0])), ag.norm(ag.Tensor([3.0, -4.0]), p=1)
    (Tensor(5.), Tensor(7.))
    """
    x = _t(x, "norm")
    order = _pick(ord, p, "ord", "p", "norm", 2)
    axis = axis_arg(axis, dim, "norm")
    matrix = x.ndim == 2 and axis is None or isinstance(axis, tuple) and len(axis) == 2
    if p is None and ord is not None and ord != "fro" and matrix:
        # NumPy's ord over two axes is a matrix norm (ord=2: the largest singular value)
        raise ValueError(f"norm: NumPy's matrix norm ord={ord!r} is not supported; use "
                         f"p={ord!r} for the vector norm of all elements, or 'fro'")
    if order == "fro":
        order = 2
    if isinstance(order, (str, bool)):
        raise ValueError(f"norm: unsupported order {order!r}; use a number, inf or 'fro'")
    return ops.Norm.apply(x, p=order, axis=axis,
                          keepdims=keepdims_arg(keepdims, keepdim, "norm"))


def _arg(reduce, op, a, axis, keepdims):
    data = a.data if isinstance(a, Tensor) else checks.as_array(a, op, "input")
    if data.size == 0:
        raise ValueError(f"{op}: cannot take the {op} of an empty tensor of shape "
                         f"{data.shape}")
    if axis is None:
        result = reduce(data.reshape(-1))
        return np.asarray(result).reshape((1,) * data.ndim if keepdims else ())
    if isinstance(axis, (tuple, list)):
        raise TypeError(f"{op}: dim must be one int (or None for the flattened data), got "
                        f"{axis!r}; an index along several axes at once is not defined (as in "
                        f"NumPy and PyTorch): reshape first, e.g. t.reshape(t.shape[0], -1)")
    (axis,) = ops.normalize_axes(axis, data.ndim, op)
    return np.asarray(reduce(data, axis=axis, keepdims=keepdims))


def argmax(a, axis=None, out=None, *, keepdims=None, dim=None, keepdim=None):
    """The index of the largest element along `axis` (None: of the flattened data), the
    first one where there are ties.

    Returns a NumPy integer array, not a Tensor: an index has no gradient.

    >>> import autograd_lite as ag
    >>> ag.argmax(ag.Tensor([[1.0, 5.0, 5.0], [7.0, 0.0, 1.0]]), dim=1)
    array([1, 0])
    """
    _no_numpy_extras("argmax", out=out)
    return _arg(np.argmax, "argmax", a, axis_arg(axis, dim, "argmax"),
                keepdims_arg(keepdims, keepdim, "argmax"))


def argmin(a, axis=None, out=None, *, keepdims=None, dim=None, keepdim=None):
    """The index of the smallest element along `axis` (None: of the flattened data), the
    first one where there are ties. Returns a NumPy integer array (no gradient).

    >>> import autograd_lite as ag
    >>> ag.argmin(ag.Tensor([3.0, 1.0, 1.0]))
    array(1)
    """
    _no_numpy_extras("argmin", out=out)
    return _arg(np.argmin, "argmin", a, axis_arg(axis, dim, "argmin"),
                keepdims_arg(keepdims, keepdim, "argmin"))


class ValuesIndices(namedtuple("ValuesIndices", ["values", "indices"])):
    """PyTorch's pair `(values, indices)` of `t.max(dim)`/`t.min(dim)`, `t.sort()` and
    `t.topk(k)`.

    It refuses to be used as a number, so that NumPy's `z - z.max(1, keepdims=True)`
    written on a Tensor is an error, not a silently wrong (2, ...)-shaped result.
    """

    __slots__ = ()

    def _refuse(self, *args, **kwargs):
        raise TypeError("max/min with an int dim, sort and topk return PyTorch's pair "
                        "(values, indices), which is not a tensor: take .values (or pass "
                        "NumPy's axis=, e.g. z.max(axis=1, keepdims=True), for the values "
                        "alone)")

    __array__ = __mul__ = __rmul__ = _refuse
    # `pair + 1` would concatenate tuples or fail without saying what to do
    __add__ = __radd__ = __sub__ = __rsub__ = __truediv__ = __rtruediv__ = _refuse
    __pow__ = __neg__ = __matmul__ = __rmatmul__ = _refuse

    def __getattr__(self, name):
        """`pair.sum()`, `pair.backward()`: a Tensor method on the pair names `.values`."""
        from .tensor import Tensor

        if not name.startswith("_") and hasattr(Tensor, name):
            raise AttributeError(f"'{name}': max/min with an int dim, sort and topk return "
                                 f"PyTorch's pair (values, indices), which is not a tensor: "
                                 f"take .values first (pair.values.{name}(...))")
        raise AttributeError(f"'ValuesIndices' object has no attribute {name!r}")


# ***** shape *****


def squeeze(a, axis=None, *, dim=None):
    """Remove size-1 axes: all of them, or those in `axis` (composed of `Reshape`).

    As NumPy's, squeezing an axis whose size is not 1 raises; `Tensor.squeeze` follows
    PyTorch and leaves such an axis alone.

    >>> import autograd_lite as ag
    >>> ag.squeeze(ag.Tensor(np.zeros((1, 3, 1))), axis=0).shape
    (3, 1)
    """
    a = _t(a, "squeeze")
    axis = axis_arg(axis, dim, "squeeze")
    axes = ops.normalize_axes(axis, a.ndim, "squeeze")
    if axis is None:
        axes = tuple(i for i in axes if a.shape[i] == 1)
    for i in axes:
        if a.shape[i] != 1:
            raise ValueError(f"squeeze: axis {i} of shape {a.shape} has size {a.shape[i]}, "
                             f"not 1; only size-1 axes can be squeezed")
    return a.reshape(tuple(n for i, n in enumerate(a.shape) if i not in axes))


def unsqueeze(a, dim):
    """Insert a size-1 axis at position `dim` (-1: at the end) (composed of `Reshape`).

    >>> import autograd_lite as ag
    >>> ag.unsqueeze(ag.Tensor(np.zeros((2, 3))), 1).shape
    (2, 1, 3)
    """
    a = _t(a, "unsqueeze")
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"unsqueeze: dim must be an int, got {dim!r}")
    (dim,) = ops.normalize_axes(dim, a.ndim + 1, "unsqueeze")
    return a.reshape(a.shape[:dim] + (1,) + a.shape[dim:])


def expand_dims(a, axis):
    """NumPy's name for inserting size-1 axes; `axis` may be a tuple (composed of `Reshape`).

    >>> import autograd_lite as ag
    >>> ag.expand_dims(ag.Tensor(np.zeros(3)), (0, 2)).shape
    (1, 3, 1)
    """
    a = _t(a, "expand_dims")
    axes = ops.normalize_axes(axis if isinstance(axis, tuple) else (axis,),
                              a.ndim + len(axis if isinstance(axis, tuple) else (axis,)),
                              "expand_dims")
    shape, sizes = [], iter(a.shape)
    for i in range(a.ndim + len(axes)):
        shape.append(1 if i in axes else next(sizes))
    return a.reshape(tuple(shape))


def flatten(a, start_dim=0, end_dim=-1):
    """Merge the axes `start_dim`..`end_dim` into one (PyTorch's `torch.flatten`).

    >>> import autograd_lite as ag
    >>> ag.flatten(ag.Tensor(np.zeros((2, 3, 4))), 1).shape
    (2, 12)
    """
    return _t(a, "flatten").flatten(start_dim, end_dim)


def transpose(a, axes=None):
    """Permute the axes (reverse them when `axes` is None), as NumPy's `np.transpose`
    (`Transpose`).

    >>> import autograd_lite as ag
    >>> ag.transpose(ag.Tensor(np.zeros((2, 3, 4))), (2, 0, 1)).shape
    (4, 2, 3)
    """
    axes = None if axes is None else tuple(axes)
    return ops.Transpose.apply(_t(a, "transpose"), axes=axes)


def swapaxes(a, axis1, axis2, *, op="swapaxes"):
    """Exchange two axes (`Transpose`); PyTorch calls this `transpose(a, dim0, dim1)`.

    >>> import autograd_lite as ag
    >>> ag.swapaxes(ag.Tensor(np.zeros((2, 3, 4))), 0, -1).shape
    (4, 3, 2)
    """
    a = _t(a, "swapaxes")
    order = list(range(a.ndim))
    i, j = (ops.normalize_axes(x, a.ndim, op)[0] for x in (axis1, axis2))
    order[i], order[j] = order[j], order[i]
    return ops.Transpose.apply(a, axes=tuple(order))


def permute(a, dims):
    """PyTorch's name for `transpose(a, axes)` (`Transpose`).

    >>> import autograd_lite as ag
    >>> ag.permute(ag.Tensor(np.zeros((2, 3, 4))), (2, 0, 1)).shape
    (4, 2, 3)
    """
    if not isinstance(dims, (tuple, list)):
        raise TypeError(f"permute: dims must be a tuple of ints, got {dims!r}")
    return ops.Transpose.apply(_t(a, "permute"), axes=tuple(dims))


def flip(a, axis=None, *, dims=None):
    """Reverse the order of elements along `axis` (None: every axis; `dims` is PyTorch's
    name) (`Flip`).

    >>> import autograd_lite as ag
    >>> ag.flip(ag.Tensor([1.0, 2.0, 3.0]), 0)
    Tensor([3., 2., 1.])
    """
    axis = _pick(axis, dims, "axis", "dims", "flip")
    axis = tuple(axis) if isinstance(axis, list) else axis
    return ops.Flip.apply(_t(a, "flip"), axis=axis)


def repeat(a, repeats, axis=None):
    """NumPy's repeat: repeat each element `repeats` times along `axis` (None: of the
    flattened data); `repeats` may give one count per element. Composed of `Reshape` and
    `BroadcastTo` (equal counts) or indexing (`GetItem`, varying counts).

    `Tensor.repeat` is PyTorch's, which tiles the whole tensor (NumPy's `tile`).

    >>> import autograd_lite as ag
    >>> ag.repeat(ag.Tensor([1.0, 2.0]), 2)
    Tensor([1., 1., 2., 2.])
    """
    a = _t(a, "repeat")
    if axis is None:
        a, axis = a.reshape(-1), 0
    (axis,) = ops.normalize_axes(axis, a.ndim, "repeat")
    counts = np.asarray(repeats)
    if counts.dtype.kind not in "iu" or (counts < 0).any():
        raise ValueError(f"repeat: repeats must be non-negative integers, got {repeats!r}")
    if counts.ndim == 0 or counts.size == 1:
        n = int(counts.reshape(-1)[0])
        spread = a.reshape(a.shape[:axis + 1] + (1,) + a.shape[axis + 1:])
        spread = spread.broadcast_to(a.shape[:axis + 1] + (n,) + a.shape[axis + 1:])
        return spread.reshape(a.shape[:axis] + (a.shape[axis] * n,) + a.shape[axis + 1:])
    if counts.shape != (a.shape[axis],):
        raise ValueError(f"repeat: {counts.size} counts for axis {axis} of size "
                         f"{a.shape[axis]}; give one count, or one per element")
    index = (slice(None),) * axis + (np.repeat(np.arange(a.shape[axis]), counts),)
    return a[index]


def tile(a, reps):
    """Repeat the whole tensor `reps[i]` times along axis i (NumPy's `tile`, PyTorch's
    `Tensor.repeat`); composed of `Reshape` and `BroadcastTo`.

    >>> import autograd_lite as ag
    >>> ag.tile(ag.Tensor([1.0, 2.0]), (2, 2))
    Tensor([[1., 2., 1., 2.],
            [1., 2., 1., 2.]])
    """
    a = _t(a, "tile")
    reps = (reps,) if isinstance(reps, (int, np.integer)) else tuple(reps)
    if any(not isinstance(r, (int, np.integer)) or r < 0 for r in reps):
        raise ValueError(f"tile: repetitions must be non-negative integers, got {reps!r}")
    ndim = max(a.ndim, len(reps))
    reps = (1,) * (ndim - len(reps)) + reps
    shape = (1,) * (ndim - a.ndim) + a.shape
    spread = a.reshape(tuple(x for n in shape for x in (1, n)))
    spread = spread.broadcast_to(tuple(x for r, n in zip(reps, shape) for x in (r, n)))
    return spread.reshape(tuple(r * n for r, n in zip(reps, shape)))


def broadcast_to(a, shape):
    """`a` broadcast to `shape` (`BroadcastTo`); the gradient is summed back.

    >>> import autograd_lite as ag
    >>> ag.broadcast_to(ag.Tensor([1.0, 2.0]), (3, 2)).shape
    (3, 2)
    """
    return _t(a, "broadcast_to").broadcast_to(shape)


def chunk(a, chunks, dim=0):
    """Split into `chunks` pieces along `dim`, each of size ceil(n / chunks) but the last
    (PyTorch's `torch.chunk`; fewer pieces when they run out), as a tuple. Composed of
    indexing.

    >>> import autograd_lite as ag
    >>> [t.shape for t in ag.chunk(ag.Tensor(np.zeros((5, 2))), 3)]
    [(2, 2), (2, 2), (1, 2)]
    """
    a = _t(a, "chunk")
    if isinstance(chunks, bool) or not isinstance(chunks, (int, np.integer)) or chunks < 1:
        raise ValueError(f"chunk: chunks must be a positive integer, got {chunks!r}")
    (dim,) = ops.normalize_axes(dim, a.ndim, "chunk")
    size = max(-(-a.shape[dim] // chunks), 1)
    return tuple(_split_sizes(a, [size] * (a.shape[dim] // size) + (
        [a.shape[dim] % size] if a.shape[dim] % size else []), dim, "chunk") or [a])


def _split_sizes(a, sizes, axis, op):
    if sum(sizes) != a.shape[axis]:
        raise ValueError(f"{op}: sizes {sizes} do not add up to the size {a.shape[axis]} of "
                         f"axis {axis} (shape {a.shape})")
    pieces, start = [], 0
    for n in sizes:
        pieces.append(a[(slice(None),) * axis + (slice(start, start + n),)])
        start += n
    return pieces


def split(a, indices_or_sections, axis=None, *, dim=None):
    """NumPy's split along `axis` (or `dim`; default 0): an int N makes N equal pieces (an
    error if the size does not divide), a list of indices cuts before each. Composed of
    indexing.

    `Tensor.split` is PyTorch's, where an int is the size of each piece.

    >>> import autograd_lite as ag
    >>> [t.shape for t in ag.split(ag.Tensor(np.zeros(6)), [1, 4])]
    [(1,), (3,), (2,)]
    """
    a = _t(a, "split")
    (axis,) = ops.normalize_axes(axis_arg(axis, dim, "split", 0), a.ndim, "split")
    n = a.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = int(indices_or_sections)
        if sections < 1 or n % sections:
            raise ValueError(f"split: axis {axis} of size {n} does not split into "
                             f"{sections} equal pieces; give indices to cut at instead")
        return _split_sizes(a, [n // sections] * sections, axis, "split")
    cuts = [min(max(int(i) + n if i < 0 else int(i), 0), n) for i in indices_or_sections]
    bounds = [0] + cuts + [n]
    return [a[(slice(None),) * axis + (slice(lo, max(lo, hi)),)]
            for lo, hi in zip(bounds[:-1], bounds[1:])]


def split_sizes(a, split_size_or_sections, dim=0):
    """PyTorch's split: a tuple of pieces of `split_size_or_sections` elements (the last
    may be smaller), or of the listed sizes. `Tensor.split` uses this.

    >>> import autograd_lite as ag
    >>> [t.shape for t in ag.Tensor(np.zeros(5)).split(2)]
    [(2,), (2,), (1,)]
    """
    a = _t(a, "split")
    (dim,) = ops.normalize_axes(dim, a.ndim, "split")
    n, size = a.shape[dim], split_size_or_sections
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        if size < 1:
            raise ValueError(f"split: split_size must be a positive integer, got {size!r}")
        sizes = [size] * (n // size) + ([n % size] if n % size else [])
        return tuple(_split_sizes(a, sizes or [0], dim, "split"))
    if not isinstance(size, (list, tuple)) or not all(
            isinstance(n, (int, np.integer)) and n >= 0 for n in size):
        raise ValueError(f"split: split_size_or_sections must be a positive int or a list "
                         f"of sizes, got {size!r}")
    return tuple(_split_sizes(a, [int(n) for n in size], dim, "split"))


def _along(index, axis, source_shape):
    """The full fancy index that picks `index` along `axis` of an array of `source_shape`
    and keeps the other axes (a size-1 source axis broadcasts)."""
    grids = []
    for i, n in enumerate(index.shape):
        place = (1,) * i + (n,) + (1,) * (index.ndim - i - 1)
        grids.append(index if i == axis else
                     np.zeros(place, int) if source_shape[i] == 1 else np.arange(n).reshape(place))
    return tuple(grids)


def _index_array(index, op):
    index = np.array(index.data if isinstance(index, Tensor) else  # a copy
                     checks.as_array(index, op, "index"))
    if index.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must hold integers, got dtype {index.dtype}")
    return index


def gather(input, dim, index):
    """PyTorch's gather: out[i][j] = input[index[i][j]][j] for dim=0 (and so on), for an
    `index` of input's rank, no larger than input outside `dim`. Composed of indexing
    (`GetItem`), so repeated indices add up in the gradient.

    >>> import autograd_lite as ag
    >>> ag.gather(ag.Tensor([[1.0, 2.0], [3.0, 4.0]]), 1, np.array([[0, 0], [1, 0]]))
    Tensor([[1., 1.],
            [4., 3.]])
    """
    input, index = _t(input, "gather"), _index_array(index, "gather")
    (dim,) = ops.normalize_axes(dim, input.ndim, "gather")
    if index.ndim != input.ndim or any(
            i != dim and m > n for i, (m, n) in enumerate(zip(index.shape, input.shape))):
        raise ValueError(f"gather: index of shape {index.shape} must have the rank of the "
                         f"input {input.shape} and be no larger outside dim {dim}")
    _check_range(index, input.shape[dim], "gather")
    return input[_along(index, dim, input.shape)]


def _check_range(index, n, op):
    if index.size and (index.min() < -n or index.max() >= n):
        raise IndexError(f"{op}: index values must lie in [{-n}, {n - 1}], got "
                         f"{index.min()}..{index.max()}")


def take_along_axis(arr, indices, axis=_LAST, *, dim=None):
    """NumPy's take_along_axis: pick `indices` along `axis` (or `dim`; default -1), the
    other axes broadcast (None: of the flattened data). Composed of indexing (`GetItem`).

    >>> import autograd_lite as ag
    >>> x = ag.Tensor([[10.0, 30.0, 20.0]])
    >>> ag.take_along_axis(x, np.argsort(x.data, axis=1), axis=1)
    Tensor([[10., 20., 30.]])
    """
    arr, indices = _t(arr, "take_along_axis"), _index_array(indices, "take_along_axis")
    if axis is _LAST:  # not given
        axis = -1 if dim is None else None
    axis = axis_arg(axis, dim, "take_along_axis")
    if axis is None:
        arr, axis = arr.reshape(-1), 0
    (axis,) = ops.normalize_axes(axis, arr.ndim, "take_along_axis")
    if indices.ndim != arr.ndim:
        raise ValueError(f"take_along_axis: indices of shape {indices.shape} must have "
                         f"the rank of the array {arr.shape}")
    _check_range(indices, arr.shape[axis], "take_along_axis")
    shape = np.broadcast_shapes(
        tuple(1 if i == axis else n for i, n in enumerate(indices.shape)),
        tuple(1 if i == axis else n for i, n in enumerate(arr.shape)))
    index = np.broadcast_to(indices, shape[:axis] + (indices.shape[axis],) + shape[axis + 1:])
    return arr[_along(index, axis, arr.shape)]


def take_along_dim(input, indices, dim=None):
    """PyTorch's name for `take_along_axis` (None: of the flattened data).

    >>> import autograd_lite as ag
    >>> ag.take_along_dim(ag.Tensor([[3.0, 1.0]]), np.array([[1, 0]]), dim=1)
    Tensor([[1., 3.]])
    """
    return take_along_axis(input, indices, axis=dim)


def scatter_add(input, dim, index, src):
    """PyTorch's scatter_add: a copy of `input` with src[i][j] added at
    [index[i][j]][j] for dim=0 (and so on); repeated indices add up. Composed of `Add`,
    indexing and `ScatterAdd`: the gradient to `input` is g, to `src` g gathered.

    >>> import autograd_lite as ag
    >>> ag.scatter_add(ag.zeros(3), 0, np.array([0, 2, 0]), ag.Tensor([1.0, 2.0, 3.0]))
    Tensor([4., 0., 2.])
    """
    input, src = _as_tensors([input, src], "scatter_add")
    index = _index_array(index, "scatter_add")
    (dim,) = ops.normalize_axes(dim, input.ndim, "scatter_add")
    if index.ndim != input.ndim or any(m > n for m, n in zip(index.shape, src.shape)) or any(
            i != dim and m > n for i, (m, n) in enumerate(zip(index.shape, input.shape))):
        raise ValueError(f"scatter_add: index of shape {index.shape} must have the rank of "
                         f"input {input.shape}, be no larger than src {src.shape}, and no "
                         f"larger than input outside dim {dim}")
    _check_range(index, input.shape[dim], "scatter_add")
    used = src[tuple(slice(n) for n in index.shape)]
    added = ops.ScatterAdd.apply(used, index=_along(index, dim, input.shape),
                                 shape=input.shape)
    return input + added


def _triangle(a, k, keep, op):
    a = _t(a, op)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"{op}: the diagonal must be an int, got {k!r}")
    if a.ndim < 2:
        raise ValueError(f"{op}: needs at least 2 dimensions, got shape {a.shape}")
    rows, cols = a.shape[-2:]
    mask = keep(np.arange(rows)[:, None] + k, np.arange(cols)[None, :])
    zero = np.zeros((), dtype=a.dtype)
    return ops.Where.apply(a, Tensor._constant(zero, a), cond=mask)


def tril(a, k=0, *, diagonal=None):
    """The lower triangle of the last two axes: zero above diagonal `k` (`diagonal` is
    PyTorch's name). Composed of `Where` with a constant mask.

    >>> import autograd_lite as ag
    >>> ag.tril(ag.ones(2, 3))
    Tensor([[1., 0., 0.],
            [1., 1., 0.]])
    """
    return _triangle(a, _pick(k if k else None, diagonal, "k", "diagonal", "tril", 0),
                     np.greater_equal, "tril")


def triu(a, k=0, *, diagonal=None):
    """The upper triangle of the last two axes: zero below diagonal `k`. Composed of
    `Where` with a constant mask.

    >>> import autograd_lite as ag
    >>> ag.triu(ag.ones(2, 3), 1)
    Tensor([[0., 1., 1.],
            [0., 0., 1.]])
    """
    return _triangle(a, _pick(k if k else None, diagonal, "k", "diagonal", "triu", 0),
                     np.less_equal, "triu")


def pad(array, pad_width, mode="constant", constant_values=0, *, value=None):
    """NumPy's pad: `pad_width` gives (before, after) for each axis from the first (or one
    pair, or one number, for all axes); negative widths crop (`Pad`).

    Modes: "constant", "reflect", "edge" (PyTorch's "replicate") and "wrap" ("circular").
    `nn.functional.pad` is PyTorch's version, whose widths run from the last axis.

    >>> import autograd_lite as ag
    >>> ag.pad(ag.Tensor([1.0, 2.0, 3.0]), (1, 2), mode="reflect")
    Tensor([2., 1., 2., 3., 2., 1.])
    """
    array = _t(array, "pad")
    widths = np.asarray(pad_width)
    if widths.dtype.kind not in "iu":
        raise TypeError(f"pad: pad_width must hold integers, got {pad_width!r}")
    try:
        widths = np.broadcast_to(widths, (array.ndim, 2))
    except ValueError:
        raise ValueError(f"pad: pad_width {pad_width!r} does not fit a tensor of shape "
                         f"{array.shape}; give one (before, after) pair per axis") from None
    fill = _pick(constant_values if constant_values != 0 else None, value,
                 "constant_values", "value", "pad", 0)
    return ops.Pad.apply(array, widths=widths.tolist(), mode=mode, value=fill)


def cat(tensors, dim=0, *, axis=None):
    """PyTorch's name for `concatenate(tensors, axis)` (`Concatenate`).

    >>> import autograd_lite as ag
    >>> ag.cat([ag.Tensor([[1.0]]), ag.Tensor([[2.0]])], dim=1)
    Tensor([[1., 2.]])
    """
    return concatenate(tensors, axis=_pick(axis, dim if dim != 0 else None, "axis", "dim",
                                           "cat", 0))
