"""Convolution and pooling as functions on Tensors, with PyTorch's names and arguments.

Layout NCHW, as in PyTorch: inputs (N, C, H, W) (or (C, H, W) for one sample), conv2d
weights (out_channels, in_channels / groups, kH, kW). The operations themselves, forward
beside backward, are in `autograd_lite/ops/conv.py`; this module checks and normalises the
arguments (an int or a pair for sizes, "same" and "valid" paddings) and adds the 1-d
variants, which are the 2-d ones on a height of 1.

>>> import numpy as np
>>> from autograd_lite import Tensor, conv2d, max_pool2d
>>> x = Tensor(np.ones((1, 1, 4, 4)))
>>> w = Tensor(np.ones((2, 1, 3, 3)))
>>> conv2d(x, w, padding=1).shape
(1, 2, 4, 4)
>>> max_pool2d(x, 2).shape
(1, 1, 2, 2)
"""

import math

import numpy as np

from . import ops
from .ops.conv import out_size
from .tensor import Tensor, _tensor

__all__ = [
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "max_pool1d",
    "max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
]


# ***** arguments *****


def _pair(value, what, op, n=2, minimum=1):
    """An int or a sequence of `n` ints, as a tuple of `n` ints >= `minimum`."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    if len(items) != n or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                  for v in items):
        raise TypeError(f"{op}: {what} must be an int or a tuple of {n} ints, got {value!r}")
    if any(v < minimum for v in items):
        raise ValueError(f"{op}: {what} must be >= {minimum}, got {value!r}")
    return tuple(int(v) for v in items)


def _as_input(x, op, dims=2):
    """The input as a Tensor with a batch axis, and whether one was added (unbatched input)."""
    x = x if isinstance(x, Tensor) else Tensor(x)
    if x.data.dtype.kind != "f":
        raise TypeError(f"{op}: input must be floating point, got dtype {x.dtype}")
    if x.ndim == dims + 1:
        return x.reshape((1,) + x.shape), True
    if x.ndim != dims + 2:
        layout = "(N, C, H, W) or (C, H, W)" if dims == 2 else "(N, C, L) or (C, L)"
        raise ValueError(f"{op}: expected an input of shape {layout}, got shape {x.shape}")
    return x, False


def _unbatch(out, added):
    return out.reshape(out.shape[1:]) if added else out


def _conv_padding(padding, kernel, stride, dilation, op):
    """(top, bottom, left, right) for an int, a pair, "valid" or "same" (as PyTorch pads it:
    any odd extra row or column goes to the bottom or right)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise ValueError(f"{op}: padding must be an int, a tuple, 'same' or 'valid', got "
                             f"{padding!r}")
        if stride != (1, 1):
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions "
                             f"(stride {stride}); give the padding as numbers")
        sides = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            sides += [total // 2, total - total // 2]
        return tuple(sides)
    ph, pw = _pair(padding, "padding", op, minimum=0)
    return (ph, ph, pw, pw)


def _check_fits(op, x, padding, kernel, dilation):
    top, bottom, left, right = padding
    size = (x.shape[2] + top + bottom, x.shape[3] + left + right)
    reach = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if size[0] < reach[0] or size[1] < reach[1]:
        raise ValueError(f"{op}: the kernel reaches {reach[0]}x{reach[1]} (kernel {kernel}, "
                         f"dilation {dilation}), more than the padded input's {size[0]}x"
                         f"{size[1]} (input shape {x.shape}); pad the input or use a smaller "
                         f"kernel")


def _weight(weight, x, op):
    w = _tensor(weight, x)
    if w.ndim != 4:
        raise ValueError(f"{op}: weight must have 4 dimensions (out_channels, in_channels / "
                         f"groups, kH, kW), got shape {w.shape}")
    return w


# ***** convolution *****


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d cross-correlation, as PyTorch's `conv2d`: input (N, C, H, W), weight (O, C/groups,
    kH, kW), bias (O,); output (N, O, OH, OW) with OH = (H + 2 padding - dilation (kH - 1) -
    1) // stride + 1.

    `padding` is an int, a pair, "valid" (none) or "same" (output as large as the input; only
    for stride 1). Raises a ValueError naming the shapes when channels or sizes do not fit.

    >>> import numpy as np
    >>> from autograd_lite import Tensor, conv2d
    >>> x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    >>> conv2d(x, Tensor(np.ones((1, 1, 2, 2))), stride=2).data
    array([[[[10., 18.],
             [42., 50.]]]])
    """
    x, added = _as_input(input, "conv2d")
    w = _weight(weight, x, "conv2d")
    stride = _pair(stride, "stride", "conv2d")
    dilation = _pair(dilation, "dilation", "conv2d")
    groups = _pair(groups, "groups", "conv2d", n=1)[0]
    pad = _conv_padding(padding, w.shape[2:], stride, dilation, "conv2d")
    _check_fits("conv2d", x, pad, w.shape[2:], dilation)
    args = (x, w) if bias is None else (x, w, _tensor(bias, x))
    out = ops.Conv2d.apply(*args, stride=stride, padding=pad, dilation=dilation, groups=groups)
    return _unbatch(out, added)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d cross-correlation, as PyTorch's `conv1d`: input (N, C, L), weight (O, C/groups, k);
    output (N, O, OL). It is conv2d on a height of 1.

    >>> import numpy as np
    >>> from autograd_lite import Tensor, conv1d
    >>> conv1d(Tensor(np.arange(5.0).reshape(1, 1, 5)), Tensor(np.ones((1, 1, 2)))).data
    array([[[1., 3., 5., 7.]]])
    """
    x, added = _as_input(input, "conv1d", dims=1)
    w = _tensor(weight, x)
    if w.ndim != 3:
        raise ValueError(f"conv1d: weight must have 3 dimensions (out_channels, in_channels / "
                         f"groups, k), got shape {w.shape}")
    if not isinstance(padding, str):
        padding = (0, _pair(padding, "padding", "conv1d", n=1, minimum=0)[0])
    out = conv2d(_to2d(x), _to2d(w), bias, stride=(1, _single(stride, "stride", "conv1d")),
                 padding=padding, dilation=(1, _single(dilation, "dilation", "conv1d")),
                 groups=groups)
    return _unbatch(_to1d(out), added)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Transposed 2-d convolution, as PyTorch's `conv_transpose2d` (note its argument order):
    the gradient of conv2d with respect to its input. Input (N, C, H, W), weight (C,
    O/groups, kH, kW); output (N, O, OH, OW), OH = (H - 1) stride - 2 padding + dilation
    (kH - 1) + output_padding + 1.

    `output_padding` (smaller than the stride or the dilation) adds rows and columns at the
    bottom and right, to reach sizes that several input sizes of conv2d share.

    >>> import numpy as np
    >>> from autograd_lite import Tensor, conv_transpose2d
    >>> conv_transpose2d(Tensor(np.ones((1, 1, 2, 2))), Tensor(np.ones((1, 1, 2, 2))),
    ...                  stride=2).shape
    (1, 1, 4, 4)
    """
    op = "conv_transpose2d"
    x, added = _as_input(input, op)
    w = _weight(weight, x, op)
    stride = _pair(stride, "stride", op)
    dilation = _pair(dilation, "dilation", op)
    groups = _pair(groups, "groups", op, n=1)[0]
    ph, pw = _pair(padding, "padding", op, minimum=0)
    extra = _pair(output_padding, "output_padding", op, minimum=0)
    for e, s, d in zip(extra, stride, dilation):
        if e >= max(s, d):
            raise ValueError(f"{op}: output_padding {output_padding!r} must be smaller than "
                             f"the stride {stride} or the dilation {dilation}")
    args = (x, w) if bias is None else (x, w, _tensor(bias, x))
    out = ops.ConvTranspose2d.apply(*args, stride=stride, padding=(ph, ph, pw, pw),
                                    dilation=dilation, groups=groups, output_padding=extra)
    return _unbatch(out, added)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """Transposed 1-d convolution, as PyTorch's `conv_transpose1d`: input (N, C, L), weight
    (C, O/groups, k).

    >>> import numpy as np
    >>> from autograd_lite import Tensor, conv_transpose1d
    >>> conv_transpose1d(Tensor(np.ones((1, 1, 3))), Tensor(np.ones((1, 1, 2)))).data
    array([[[1., 2., 2., 1.]]])
    """
    op = "conv_transpose1d"
    x, added = _as_input(input, op, dims=1)
    w = _tensor(weight, x)
    if w.ndim != 3:
        raise ValueError(f"{op}: weight must have 3 dimensions (in_channels, out_channels / "
                         f"groups, k), got shape {w.shape}")
    out = conv_transpose2d(_to2d(x), _to2d(w), bias, stride=(1, _single(stride, "stride", op)),
                           padding=(0, _single(padding, "padding", op, 0)),
                           output_padding=(0, _single(output_padding, "output_padding", op, 0)),
                           groups=groups, dilation=(1, _single(dilation, "dilation", op)))
    return _unbatch(_to1d(out), added)


def _single(value, what, op, minimum=1):
    return _pair(value, what, op, n=1, minimum=minimum)[0]


def _to2d(x):
    """(N, C, L) -> (N, C, 1, L): a 1-d signal as an image of height 1."""
    return x.reshape(x.shape[:2] + (1,) + x.shape[2:])


def _to1d(x):
    return x.reshape(x.shape[:2] + x.shape[3:])


# ***** pooling *****


def _pool_args(op, x, kernel_size, stride, padding, dilation, ceil_mode):
    """Kernel, stride, dilation and (top, bottom, left, right) padding, ceil_mode's extra
    bottom/right rows included; checked as PyTorch checks them."""
    kernel = _pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None or (isinstance(stride, (tuple, list)) and not stride) \
        else _pair(stride, "stride", op)
    pad = _pair(padding, "padding", op, minimum=0)
    dilation = _pair(dilation, "dilation", op)
    if any(p > k / 2 for p, k in zip(pad, kernel)):
        raise ValueError(f"{op}: padding {padding!r} must be at most half of the kernel size "
                         f"{kernel}")
    sides, outs = [], []
    for size, k, s, p, d in zip(x.shape[2:], kernel, stride, pad, dilation):
        reach = d * (k - 1) + 1
        n_out = out_size(size + 2 * p, k, s, d)
        if ceil_mode:
            n_out = math.ceil((size + 2 * p - reach) / s) + 1
            if (n_out - 1) * s >= size + p:  # the last window would start in the padding
                n_out -= 1
        if n_out < 1:
            raise ValueError(f"{op}: the window ({reach} wide with kernel {k}, dilation {d}) "
                             f"is larger than the padded input ({size + 2 * p}, input shape "
                             f"{x.shape}); use a smaller kernel or pad the input")
        outs.append(n_out)
        sides += [p, max(p, (n_out - 1) * s + reach - size - p)]
    return kernel, stride, dilation, tuple(sides), tuple(outs)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum of each kernel_size window, as PyTorch's `max_pool2d`; `stride` defaults
    to `kernel_size`. Padding counts as -inf. Tied maxima share the gradient evenly, as the
    engine's `max` does (PyTorch gives it all to one of them).

    >>> import numpy as np
    >>> from autograd_lite import Tensor, max_pool2d
    >>> max_pool2d(Tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 2).data
    array([[[[ 5.,  7.],
             [13., 15.]]]])
    """
    if return_indices:
        raise NotImplementedError("max_pool2d: return_indices=True is not supported; the "
                                  "gradient does not need the indices")
    x, added = _as_input(input, "max_pool2d")
    kernel, stride, dilation, pad, _ = _pool_args("max_pool2d", x, kernel_size, stride,
                                                  padding, dilation, ceil_mode)
    out = ops.MaxPool2d.apply(x, kernel=kernel, stride=stride, padding=pad, dilation=dilation)
    return _unbatch(out, added)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each kernel_size window, as PyTorch's `avg_pool2d`; `stride` defaults to
    `kernel_size`. Padding counts as zeros in the mean when `count_include_pad` (the
    default), else it is left out; `divisor_override` replaces the window size.

    >>> import numpy as np
    >>> from autograd_lite import Tensor, avg_pool2d
    >>> avg_pool2d(Tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 2).data
    array([[[[ 2.5,  4.5],
             [10.5, 12.5]]]])
    """
    op = "avg_pool2d"
    x, added = _as_input(input, op)
    kernel, stride, _, pad, outs = _pool_args(op, x, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if isinstance(divisor_override, bool) or divisor_override == 0 \
                or not isinstance(divisor_override, (int, np.integer)):
            raise ValueError(f"{op}: divisor_override must be a non-zero int, got "
                             f"{divisor_override!r}")
        divisor = np.full(outs, float(divisor_override))
    else:
        # how many positions of each window count, separately along each axis
        counts = []
        for size, k, s, p, n_out in zip(x.shape[2:], kernel, stride, pad[::2], outs):
            start = np.arange(n_out) * s - p
            end = np.minimum(start + k, size + p)  # windows end at the padding's edge
            if not count_include_pad:
                start, end = np.maximum(start, 0), np.minimum(end, size)
            counts.append(end - start)
        divisor = np.multiply.outer(*counts).astype(float)
    out = ops.AvgPool2d.apply(x, kernel=kernel, stride=stride, padding=pad, divisor=divisor)
    return _unbatch(out, added)


def _pool1d(pool, op, input, kernel_size, stride, padding, ceil_mode, **kw):
    x, added = _as_input(input, op, dims=1)
    if stride is not None:
        stride = (1, _single(stride, "stride", op))
    out = pool(_to2d(x), (1, _single(kernel_size, "kernel_size", op)), stride,
               (0, _single(padding, "padding", op, 0)), ceil_mode=ceil_mode, **kw)
    return _unbatch(_to1d(out), added)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum of each window of a (N, C, L) signal, as PyTorch's `max_pool1d`.

    >>> import numpy as np
    >>> from autograd_lite import Tensor, max_pool1d
    >>> max_pool1d(Tensor(np.array([[[1.0, 3.0, 2.0, 0.0]]])), 2).data
    array([[[3., 2.]]])
    """
    return _pool1d(max_pool2d, "max_pool1d", input, kernel_size, stride, padding, ceil_mode,
                   dilation=(1, _single(dilation, "dilation", "max_pool1d")),
                   return_indices=return_indices)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """The mean of each window of a (N, C, L) signal, as PyTorch's `avg_pool1d`.

    >>> import numpy as np
    >>> from autograd_lite import Tensor, avg_pool1d
    >>> avg_pool1d(Tensor(np.array([[[1.0, 3.0, 2.0, 0.0]]])), 2).data
    array([[[2., 1.]]])
    """
    return _pool1d(avg_pool2d, "avg_pool1d", input, kernel_size, stride, padding, ceil_mode,
                   count_include_pad=count_include_pad)


def _adaptive_mean(x, axis, out):
    """The mean of each of `out` windows along `axis`: window i covers positions
    floor(i size / out) to ceil((i + 1) size / out), as in PyTorch's adaptive pooling.

    Means of slices, never a product with an averaging matrix (whose zeros would turn an
    infinite element into nan in every window, and its gradient likewise)."""
    size = x.shape[axis]
    if size % out == 0:  # equal windows side by side: one reshape
        k = size // out
        return x.reshape(x.shape[:axis] + (out, k) + x.shape[axis + 1:]).mean(axis=axis + 1)
    lead = (slice(None),) * axis
    windows = [x[lead + (slice((i * size) // out, -((-(i + 1) * size) // out)),)]
               for i in range(out)]
    return ops.Stack.apply(*[w.mean(axis=axis) for w in windows], axis=axis)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size (oH, oW), as PyTorch's `adaptive_avg_pool2d`;
    None in `output_size` keeps that input size. Computed with means of slices, so it is
    differentiable to any order, and an infinite element stays in its own windows.

    >>> import numpy as np
    >>> from autograd_lite import Tensor, adaptive_avg_pool2d
    >>> adaptive_avg_pool2d(Tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 1).data
    array([[[[7.5]]]])
    """
    op = "adaptive_avg_pool2d"
    x, added = _as_input(input, op)
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * 2
    if len(sizes) != 2:
        raise TypeError(f"{op}: output_size must be an int or a pair, got {output_size!r}")
    sizes = tuple(x.shape[2 + i] if s is None else s for i, s in enumerate(sizes))
    oh, ow = _pair(sizes, "output_size", op)
    return _unbatch(_adaptive_mean(_adaptive_mean(x, 2, oh), 3, ow), added)


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of a (N, C, L) signal to a fixed length, as PyTorch's
    `adaptive_avg_pool1d`.

    >>> import numpy as np
    >>> from autograd_lite import Tensor, adaptive_avg_pool1d
    >>> adaptive_avg_pool1d(Tensor(np.array([[[1.0, 3.0, 2.0, 0.0]]])), 2).data
    array([[[2., 1.]]])
    """
    x, added = _as_input(input, "adaptive_avg_pool1d", dims=1)
    size = _single(output_size, "output_size", "adaptive_avg_pool1d")
    return _unbatch(_adaptive_mean(x, 2, size), added)
