"""Convolution and pooling layers as Modules, with PyTorch's names, arguments and defaults.

Weights start as PyTorch's do (Kaiming-uniform with a = sqrt(5), which is uniform in
+-1/sqrt(fan_in), and the bias uniform in the same range; fan_in = in_channels / groups *
kH * kW), so a network ported from PyTorch starts from the same distribution and trains
the same. `seed=` or `rng=` picks the random source, `dtype=` the precision (float32).

>>> import numpy as np
>>> from nn import Conv2d, MaxPool2d, Sequential, ReLU
>>> net = Sequential(Conv2d(1, 6, 5, padding=2, seed=0), ReLU(), MaxPool2d(2))
>>> net(np.zeros((8, 1, 28, 28), dtype=np.float32)).shape
(8, 6, 14, 14)
"""

import numpy as np

from autograd_lite import DEFAULT_DTYPE, Tensor

from . import functional as F
from .init import make_rng
from .module import Module, Parameter, _check_size, _float_dtype

__all__ = [
    "Conv1d",
    "Conv2d",
    "ConvTranspose2d",
    "MaxPool1d",
    "MaxPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "AdaptiveAvgPool2d",
]


def kaiming_uniform(shape, fan_in, rng):
    """PyTorch's default for convolution and linear weights and biases: uniform in
    +-1/sqrt(fan_in) (Kaiming-uniform with a = sqrt(5): gain sqrt(1/3) times sqrt(3/fan_in)).

    >>> w = kaiming_uniform((6, 1, 5, 5), 25, np.random.default_rng(0))
    >>> bool(np.abs(w).max() <= 0.2)
    True
    """
    bound = 1.0 / np.sqrt(fan_in) if fan_in > 0 else 0.0
    return rng.uniform(-bound, bound, tuple(shape))


def _tuple(value, n, what, where):
    items = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    if len(items) != n:
        raise ValueError(f"{where}: {what} must be an int or a tuple of {n} ints, got {value!r}")
    return tuple(_check_size(v, what, where) for v in items)


class _ConvNd(Module):
    """What Conv1d, Conv2d and ConvTranspose2d share: sizes, weights, bias, repr."""

    transposed = False

    def __init__(self, dims, in_channels, out_channels, kernel_size, stride, padding,
                 dilation, groups, bias, padding_mode, seed, rng, dtype, output_padding=0):
        super().__init__()
        where = type(self).__name__
        self.in_channels = _check_size(in_channels, "in_channels", where)
        self.out_channels = _check_size(out_channels, "out_channels", where)
        self.groups = _check_size(groups, "groups", where)
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(f"{where}: groups={groups} must divide in_channels "
                             f"({in_channels}) and out_channels ({out_channels})")
        if padding_mode != "zeros":
            raise ValueError(f"{where}: only padding_mode='zeros' is supported, got "
                             f"{padding_mode!r}")
        self.kernel_size = _tuple(kernel_size, dims, "kernel_size", where)
        self.stride = _tuple(stride, dims, "stride", where)
        self.dilation = _tuple(dilation, dims, "dilation", where)
        self.padding = padding if isinstance(padding, str) else tuple(
            padding if isinstance(padding, (tuple, list)) else (padding,) * dims)
        self.output_padding = output_padding
        self.padding_mode = padding_mode
        dtype = _float_dtype(dtype or DEFAULT_DTYPE, where)
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        else:
            shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        fan_in = shape[1] * int(np.prod(self.kernel_size))  # as torch computes it
        source = make_rng(seed, rng)
        self.weight = Parameter(kaiming_uniform(shape, fan_in, source), dtype=dtype)
        self.bias = Parameter(kaiming_uniform((self.out_channels,), fan_in, source),
                              dtype=dtype) if bias else None

    def _input(self, x):
        """`x` as a Tensor of the weights' dtype (Tensors are kept as they are)."""
        return x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=self.weight.dtype))

    def extra_repr(self):
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * len(self.kernel_size):
            text += f", padding={self.padding!r}"
        if self.transposed and self.output_padding not in (0, (0, 0)):
            text += f", output_padding={self.output_padding!r}"
        if any(d != 1 for d in self.dilation):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class Conv2d(_ConvNd):
    """2-d convolution layer: `conv2d(x, weight, bias, ...)`, weight (out_channels,
    in_channels / groups, kH, kW). Input (N, C, H, W) or (C, H, W).

    >>> import numpy as np
    >>> conv = Conv2d(3, 8, kernel_size=3, padding="same", seed=0)
    >>> conv.weight.shape, conv(np.zeros((2, 3, 10, 10))).shape
    ((8, 3, 3, 3), (2, 8, 10, 10))
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", *, seed=None, rng=None, dtype=None):
        super().__init__(2, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, seed, rng, dtype)

    def forward(self, x):
        return F.conv2d(self._input(x), self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)


class Conv1d(_ConvNd):
    """1-d convolution layer: `conv1d(x, weight, bias, ...)`, weight (out_channels,
    in_channels / groups, k). Input (N, C, L) or (C, L).

    >>> import numpy as np
    >>> Conv1d(2, 4, 3, seed=0)(np.zeros((5, 2, 10))).shape
    (5, 4, 8)
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", *, seed=None, rng=None, dtype=None):
        super().__init__(1, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, seed, rng, dtype)

    def forward(self, x):
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        return F.conv1d(self._input(x), self.weight, self.bias, self.stride[0], padding,
                        self.dilation[0], self.groups)


class ConvTranspose2d(_ConvNd):
    """Transposed 2-d convolution layer (PyTorch's argument order): `conv_transpose2d`,
    weight (in_channels, out_channels / groups, kH, kW). It upsamples: stride 2 doubles H, W.

    >>> import numpy as np
    >>> up = ConvTranspose2d(4, 2, kernel_size=2, stride=2, seed=0)
    >>> up.weight.shape, up(np.zeros((1, 4, 5, 5))).shape
    ((4, 2, 2, 2), (1, 2, 10, 10))
    """

    transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros", *,
                 seed=None, rng=None, dtype=None):
        if isinstance(padding, str):
            raise ValueError(f"ConvTranspose2d: padding must be an int or a pair, got "
                             f"{padding!r}")
        super().__init__(2, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, seed, rng, dtype, output_padding)

    def forward(self, x):
        return F.conv_transpose2d(self._input(x), self.weight, self.bias, self.stride,
                                  self.padding, self.output_padding, self.groups, self.dilation)


# ***** pooling *****


class _Pool(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False):
        super().__init__()
        self.kernel_size, self.padding, self.ceil_mode = kernel_size, padding, ceil_mode
        self.stride = kernel_size if stride is None else stride

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
                + (", ceil_mode=True" if self.ceil_mode else ""))


class MaxPool2d(_Pool):
    """`max_pool2d` as a Module: the maximum of each kernel_size window (stride defaults to
    kernel_size).

    >>> import numpy as np
    >>> MaxPool2d(2)(np.zeros((1, 3, 28, 28))).shape
    (1, 3, 14, 14)
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.dilation, self.return_indices = dilation, return_indices

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)


class MaxPool1d(MaxPool2d):
    """`max_pool1d` as a Module, for (N, C, L) signals.

    >>> import numpy as np
    >>> MaxPool1d(2)(np.zeros((1, 3, 10))).shape
    (1, 3, 5)
    """

    def forward(self, x):
        return F.max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)


class AvgPool2d(_Pool):
    """`avg_pool2d` as a Module: the mean of each kernel_size window.

    >>> import numpy as np
    >>> AvgPool2d(2)(np.ones((1, 3, 4, 4), dtype=np.float32)).data[0, 0]
    array([[1., 1.],
           [1., 1.]], dtype=float32)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class AvgPool1d(_Pool):
    """`avg_pool1d` as a Module, for (N, C, L) signals.

    >>> import numpy as np
    >>> AvgPool1d(2)(np.ones((1, 3, 10))).shape
    (1, 3, 5)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad = count_include_pad

    def forward(self, x):
        return F.avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class AdaptiveAvgPool2d(Module):
    """`adaptive_avg_pool2d` as a Module: average to a fixed (oH, oW) whatever the input size.

    >>> import numpy as np
    >>> AdaptiveAvgPool2d(1)(np.ones((2, 8, 7, 5))).shape
    (2, 8, 1, 1)
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"
