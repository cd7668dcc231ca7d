"""Making tensors: `zeros`, `ones`, `full`, `empty`, `eye`, `arange`, `linspace`, `randn`,
`rand`, and the `*_like` versions.

Every factory takes `dtype` and `requires_grad`. The default dtype is `DEFAULT_DTYPE`
(float32, as in PyTorch); the `*_like` ones keep their model's dtype (integers and bools
too), and `full` and `arange` give int64 for integers, as NumPy and PyTorch do. A shape may
be given as separate numbers, `zeros(2, 3)`, or as one tuple, `zeros((2, 3))`. The random
ones draw from `seed` (an int, or a NumPy `Generator`) or `generator`, and from NumPy's
global generator when neither is given.
"""

import math

import numpy as np

from . import checks
from .tensor import DEFAULT_DTYPE, Tensor

__all__ = ["zeros", "ones", "full", "empty", "eye", "arange", "linspace", "randn", "rand",
           "zeros_like", "ones_like", "full_like", "randn_like"]


def _shape(size, op):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"{op}: sizes must be non-negative integers, got {size!r}")
    return tuple(int(n) for n in size)


def _make(data, requires_grad):
    return Tensor(data, requires_grad=requires_grad, dtype=data.dtype)


def _dtype(dtype, op="factory"):
    if dtype is None:
        return DEFAULT_DTYPE
    kind = checks.as_dtype(dtype, op)
    if kind.kind not in "biufc":
        raise TypeError(f"{op}: tensors hold numbers, not {kind}")
    return kind


def _number(value, what, op):
    """`value` if it is a real number (Python's or NumPy's), else a TypeError naming it."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{op}: {what} must be a number, got {value!r}")
    return value


def zeros(*size, dtype=None, requires_grad=False):
    """A tensor of zeros.

    >>> from autograd_lite import zeros
    >>> zeros(2, 3).shape, zeros((2, 3), requires_grad=True).requires_grad
    ((2, 3), True)
    """
    return _make(np.zeros(_shape(size, "zeros"), _dtype(dtype, "zeros")), requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    """A tensor of ones.

    >>> from autograd_lite import ones
    >>> ones(2)
    Tensor([1., 1.])
    """
    return _make(np.ones(_shape(size, "ones"), _dtype(dtype, "ones")), requires_grad)


def empty(*size, dtype=None, requires_grad=False):
    """A tensor whose values are whatever memory held: fill it before reading it.

    >>> from autograd_lite import empty
    >>> empty(2, 3).shape
    (2, 3)
    """
    return _make(np.empty(_shape(size, "empty"), _dtype(dtype, "empty")), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    """A tensor of shape `size` filled with `fill_value`.

    Without `dtype` the fill value decides, as in NumPy and PyTorch: an int gives int64, a
    bool gives bool, a float gives `DEFAULT_DTYPE` (float32). Only floating tensors can
    require grad: `full((2,), 3.0, requires_grad=True)`, or pass `dtype=`.

    >>> from autograd_lite import full
    >>> full((2,), 7.0), full((2,), 7)
    (Tensor([7., 7.]), Tensor([7, 7], dtype=int64))
    """
    size = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    _fill(fill_value, "full")
    if dtype is None:
        dtype = _fill_dtype(fill_value)
        if requires_grad and dtype.kind != "f":
            raise TypeError(f"full: only floating tensors can require grad, and the fill "
                            f"value {fill_value!r} gives dtype {dtype}; write it as a float "
                            f"({float(fill_value)!r}) or pass dtype=np.float32")
    else:
        dtype = _dtype(dtype, "full")
    _check_fill(fill_value, dtype, "full")
    return _make(np.full(_shape(size, "full"), fill_value, dtype), requires_grad)


def _fill(value, op):
    """`value` if it is a real number or a bool (a fill value), else a TypeError."""
    if not isinstance(value, (bool, np.bool_, int, float, np.number)) or isinstance(
            value, (complex, np.complexfloating)):
        raise TypeError(f"{op}: fill_value must be a real number or a bool, got {value!r}")
    return value


def _fill_dtype(value):
    """The dtype a fill value gives by itself: bool, int64 or DEFAULT_DTYPE."""
    if isinstance(value, (bool, np.bool_)):
        return np.dtype(bool)
    if isinstance(value, (int, np.integer)):
        return np.dtype(np.int64)
    return DEFAULT_DTYPE


def _check_fill(value, dtype, op):
    """Refuse a fill value that `dtype` cannot hold exactly (2.5 in an integer tensor):
    NumPy would silently truncate it."""
    whole = not isinstance(value, (float, np.floating)) or (
        np.isfinite(value) and float(value).is_integer())
    if dtype.kind in "iub" and not whole:
        raise TypeError(f"{op}: fill_value {value!r} is not a whole number, so a tensor of "
                        f"dtype {dtype} cannot hold it; pass a floating dtype (e.g. "
                        f"dtype=np.float32) or a whole number")
    # NumPy would wrap an integer around (2**40 in int32) or make a float inf (1e40 in
    # float32); PyTorch refuses both
    if dtype.kind in "iu":
        low, high = int(np.iinfo(dtype).min), int(np.iinfo(dtype).max)
        if not low <= value <= high:
            raise ValueError(f"{op}: fill_value {value!r} is outside the range of {dtype} "
                             f"({low} to {high}); use a dtype that holds it (e.g. np.int64 "
                             f"or np.float64)")
    elif dtype.kind == "f":
        high = float(np.finfo(dtype).max)
        if high < abs(value) != math.inf:
            raise ValueError(f"{op}: fill_value {value!r} is beyond the largest {dtype} "
                             f"({high:g}) and would become inf; use np.float64, or inf "
                             f"itself")


def eye(n, m=None, dtype=None, requires_grad=False):
    """The n x m identity matrix (m = n by default).

    >>> from autograd_lite import eye
    >>> eye(2)
    Tensor([[1., 0.],
            [0., 1.]])
    """
    _shape((n,) if m is None else (n, m), "eye")
    return _make(np.eye(n, m, dtype=_dtype(dtype, "eye")), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, *, stop=None):
    """Evenly spaced values in [start, end) (`arange(n)` is 0..n-1); `stop` is NumPy's
    name for `end`. Integers give int64 unless `dtype` is given, as in PyTorch and NumPy.

    >>> from autograd_lite import arange
    >>> arange(3), arange(0.0, 1.0, 0.25)
    (Tensor([0, 1, 2], dtype=int64), Tensor([0.  , 0.25, 0.5 , 0.75]))
    """
    end = end if stop is None else stop
    if end is None:
        start, end = 0, start
    for name, value in (("start", start), ("end", end), ("step", step)):
        _number(value, name, "arange")
    if step == 0:
        raise ValueError("arange: step must not be 0")
    integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    kind = _dtype(dtype, "arange") if dtype is not None else (
        np.int64 if integral else DEFAULT_DTYPE)
    return _make(np.arange(start, end, step).astype(kind), requires_grad)


def linspace(start, end, steps=None, dtype=None, requires_grad=False, *, num=None,
             stop=None):
    """`steps` evenly spaced values from `start` to `end`, both included (`num` and `stop`
    are NumPy's names; NumPy's default of 50 values applies when neither is given).

    >>> from autograd_lite import linspace
    >>> linspace(0, 1, 5)
    Tensor([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    end = end if stop is None else stop
    count = steps if num is None else num
    count = 50 if count is None else count
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
        raise ValueError(f"linspace: steps must be a non-negative integer, got {count!r}")
    _number(start, "start", "linspace")
    _number(end, "end", "linspace")
    return _make(np.linspace(start, end, count).astype(_dtype(dtype, "linspace")),
                 requires_grad)


def _generator(seed, generator, op):
    if seed is not None and generator is not None:
        raise ValueError(f"{op}: give either seed= or generator=, not both")
    source = generator if generator is not None else seed
    if source is None:
        return np.random.default_rng(np.random.randint(2**32))  # NumPy's global state
    if isinstance(source, np.random.Generator):
        return source
    if isinstance(source, bool) or not isinstance(source, (int, np.integer)):
        raise TypeError(f"{op}: seed must be an int or a numpy.random.Generator, got "
                        f"{source!r}")
    return np.random.default_rng(int(source))


def randn(*size, dtype=None, requires_grad=False, seed=None, generator=None):
    """Standard normal random values.

    >>> from autograd_lite import randn
    >>> bool((randn(2, 3, seed=0).data == randn((2, 3), seed=0).data).all())
    True
    """
    rng = _generator(seed, generator, "randn")
    data = rng.standard_normal(_shape(size, "randn")).astype(_dtype(dtype, "randn"))
    return _make(data, requires_grad)


def rand(*size, dtype=None, requires_grad=False, seed=None, generator=None):
    """Uniform random values in [0, 1).

    >>> from autograd_lite import rand
    >>> x = rand(1000, seed=0)
    >>> bool(((x.data >= 0) & (x.data < 1)).all())
    True
    """
    rng = _generator(seed, generator, "rand")
    data = rng.random(_shape(size, "rand")).astype(_dtype(dtype, "rand"))
    return _make(data, requires_grad)


def _like(t, dtype, op, floating=False):
    """The shape and dtype of a `*_like` result: the input's own dtype (integers and bools
    too, as in NumPy and PyTorch; `floating`: DEFAULT_DTYPE for those), or `dtype`."""
    data = t.data if isinstance(t, Tensor) else checks.as_array(t, op, "input")
    kind = _dtype(dtype, op) if dtype is not None else (
        data.dtype if data.dtype.kind in "fc" or not floating else DEFAULT_DTYPE)
    return data.shape, kind


def zeros_like(input, dtype=None, requires_grad=False):
    """Zeros of `input`'s shape and dtype (an integer input gives integers, as in NumPy).

    >>> from autograd_lite import Tensor, arange, zeros_like
    >>> zeros_like(Tensor(np.ones(2))), zeros_like(arange(2))
    (Tensor([0., 0.], dtype=float64), Tensor([0, 0], dtype=int64))
    """
    shape, kind = _like(input, dtype, "zeros_like")
    return _make(np.zeros(shape, kind), requires_grad)


def ones_like(input, dtype=None, requires_grad=False):
    """Ones of `input`'s shape and dtype.

    >>> from autograd_lite import Tensor, ones_like
    >>> ones_like(Tensor([5.0, 6.0]))
    Tensor([1., 1.])
    """
    shape, kind = _like(input, dtype, "ones_like")
    return _make(np.ones(shape, kind), requires_grad)


def full_like(input, fill_value, dtype=None, requires_grad=False):
    """`fill_value` in `input`'s shape and dtype.

    >>> from autograd_lite import Tensor, full_like
    >>> full_like(Tensor([5.0, 6.0]), 2.5)
    Tensor([2.5, 2.5])
    """
    shape, kind = _like(input, dtype, "full_like")
    _fill(fill_value, "full_like")
    _check_fill(fill_value, kind, "full_like")
    return _make(np.full(shape, fill_value, kind), requires_grad)


def randn_like(input, dtype=None, requires_grad=False, seed=None, generator=None):
    """Standard normal values in `input`'s shape and dtype.

    >>> from autograd_lite import Tensor, randn_like
    >>> randn_like(Tensor(np.zeros((2, 2))), seed=0).shape
    (2, 2)
    """
    shape, kind = _like(input, dtype, "randn_like", floating=True)
    rng = _generator(seed, generator, "randn_like")
    return _make(rng.standard_normal(shape).astype(kind), requires_grad)
