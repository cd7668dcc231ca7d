"""Convolution and pooling on NCHW arrays: conv2d, conv_transpose2d, max and average pooling.

Every operation sees the windows of its (padded) input through one strided view,
`windows(x)`, of shape (N, C, OH, OW, kH, kW): no Python loop over pixels or samples. A
convolution copies those windows once into a matrix (im2col) and multiplies it by the
weights, one `matmul` per call; its gradients are convolutions again, so the rules call
each other and second derivatives work:

- d conv2d / d input is `conv_transpose2d` of the gradient with the same weights;
- d conv_transpose2d / d input is `conv2d` of the gradient;
- d conv2d / d weight (and d conv_transpose2d / d weight) correlates the input with the
  gradient, which is `conv2d` again with the roles of stride and dilation swapped.

Parameters arrive normalised by the front end (`autograd_lite.conv`): `stride` and
`dilation` are pairs, `padding` is (top, bottom, left, right).

NOTE: arrays produced here are laid out channel-major in memory, (C, N, H, W), and shown
as (N, C, H, W) by a transposed view: the matrix products want channels first, and this
way no layer copies its input or gradient to reorder it.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..engine import Node
from .base import BroadcastTo, TensorFunction, piecewise, select

# ***** windows: the shared strided view and its reverse *****


def pad2d(x, padding, value=0.0):
    """`x` (N, C, H, W) padded by (top, bottom, left, right) with `value`, keeping its layout."""
    top, bottom, left, right = padding
    if not (top or bottom or left or right):
        return x
    n, c, h, w = x.shape
    # (C, N, H, W) memory order, like every array made here
    out = np.full((c, n, h + top + bottom, w + left + right), value, dtype=x.dtype)
    out = out.transpose(1, 0, 2, 3)
    out[:, :, top:top + h, left:left + w] = x
    return out


def out_size(size, kernel, stride, dilation):
    """The number of window positions along one axis of (padded) length `size`."""
    return (size - dilation * (kernel - 1) - 1) // stride + 1


def windows(x, kernel, stride, dilation, out=None):
    """Read-only view (N, C, OH, OW, kH, kW) of the windows of the padded input `x`.

    `out` (OH, OW) keeps only the first window positions (a gradient may need fewer).
    """
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    oh, ow = out or (out_size(h, kh, sh, dh), out_size(w, kw, sw, dw))
    s0, s1, s2, s3 = x.strides
    return as_strided(x, (n, c, oh, ow, kh, kw), (s0, s1, s2 * sh, s3 * sw, s2 * dh, s3 * dw),
                      writeable=False)


def fold(cols, shape, stride, dilation, dtype):
    """Sum windows `cols` (N, C, OH, OW, kH, kW) back into a zero array of `shape` (N, C, H, W).

    The reverse of `windows`: overlapping windows add up. One vectorised add per kernel
    offset (kH * kW of them), or a single copy when the windows tile the input exactly.
    """
    n, c, oh, ow, kh, kw = cols.shape
    (sh, sw), (dh, dw) = stride, dilation
    out = np.zeros((c, n) + tuple(shape[2:]), dtype=dtype).transpose(1, 0, 2, 3)
    if (sh, sw) == (kh, kw) and (dh, dw) == (1, 1) or (oh, ow) == (1, 1) and (dh, dw) == (1, 1):
        # non-overlapping windows (the usual 2x2 pooling): one strided copy
        tiles = out[:, :, :oh * kh, :ow * kw].reshape(n, c, oh, kh, ow, kw) \
            if (sh, sw) == (kh, kw) else out[:, :, :kh, :kw].reshape(n, c, 1, kh, 1, kw)
        tiles[...] = cols.transpose(0, 1, 2, 4, 3, 5)
        return out
    for i in range(kh):
        for j in range(kw):
            out[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                j * dw:j * dw + sw * (ow - 1) + 1:sw] += cols[:, :, :, :, i, j]
    return out


def crop(x, padding, size):
    """The (H, W) = `size` part of `x` that lies inside the padding (top, bottom, left, right)."""
    top, _, left, _ = padding
    return x[:, :, top:top + size[0], left:left + size[1]]


def _check_input(op, x, ndim=4):
    if x.ndim != ndim:
        raise ValueError(f"{op}: expected a {ndim}-d input (N, C, H, W), got shape {x.shape}")


class Im2Col(TensorFunction):
    """The windows (N, C, OH, OW, kH, kW) of a zero-padded (N, C, H, W) input, copied;
    d/dx = the gradient's windows summed back into place (`Col2Im`)."""

    __slots__ = ("kernel", "stride", "padding", "dilation")

    def __init__(self, kernel, stride, padding, dilation):
        self.kernel, self.stride, self.padding, self.dilation = kernel, stride, padding, dilation

    @property
    def name(self):
        return f"im2col(kernel={self.kernel}, stride={self.stride})"

    def forward(self, x):
        _check_input("im2col", x)
        return np.array(windows(pad2d(x, self.padding), self.kernel, self.stride,
                                self.dilation))

    def backward(self, g, out, x):
        return Col2Im.call(g, shape=x.shape, stride=self.stride, padding=self.padding,
                           dilation=self.dilation)


class Col2Im(TensorFunction):
    """Windows (N, C, OH, OW, kH, kW) summed back into an (N, C, H, W) = `shape` input
    (overlaps add up, padding dropped);  d/dcols = the windows of the gradient (`Im2Col`)."""

    __slots__ = ("shape", "stride", "padding", "dilation")

    def __init__(self, shape, stride, padding, dilation):
        self.shape, self.stride, self.padding, self.dilation = shape, stride, padding, dilation

    name = "col2im"

    def forward(self, cols):
        top, bottom, left, right = self.padding
        n, c, h, w = self.shape
        padded = fold(cols, (n, c, h + top + bottom, w + left + right), self.stride,
                      self.dilation, cols.dtype)
        return crop(padded, self.padding, (h, w))

    def backward(self, g, out, cols):
        return Im2Col.call(g, kernel=cols.shape[4:], stride=self.stride, padding=self.padding,
                           dilation=self.dilation)


# ***** convolution *****


class _Conv(TensorFunction):
    """Shared parameters of conv2d and conv_transpose2d."""

    __slots__ = ("stride", "padding", "dilation", "groups")

    def __init__(self, stride=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1), groups=1):
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups

    @property
    def name(self):
        text = f"{self.op}(stride={self.stride}"
        if any(self.padding):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        return text + (f", groups={self.groups})" if self.groups != 1 else ")")


class Conv2d(_Conv):
    """conv2d(x, w, b): cross-correlation of x (N, C, H, W) with w (O, C/groups, kH, kW);
    d/dx = conv_transpose2d(g, w), d/dw = x correlated with g, d/db = g summed over N, H, W."""

    __slots__ = ("cols",)
    op = "conv2d"

    def forward(self, x, w, b=None):
        _check_conv("conv2d", x, w, b, self.groups, x.shape[1], w.shape[1] * self.groups)
        xp = pad2d(x, self.padding)
        self.cols = cols = im2col(xp, w.shape[2:], self.stride, self.dilation, self.groups)
        n, oh, ow = x.shape[0], *cols.shape[-2:]
        out = _weight_matrix(w, self.groups) @ cols.reshape(cols.shape[:2] + (-1,))
        out = out.reshape(w.shape[0], n, oh, ow)  # (O, N, OH, OW) in memory
        if b is not None:
            if b.dtype == out.dtype:
                out += b.reshape(-1, 1, 1, 1)  # a fresh array: in place saves a copy
            else:
                out = out + b.reshape(-1, 1, 1, 1)
        return out.transpose(1, 0, 2, 3)

    def backward(self, g, out, x, w, b=None):
        need = self.needs_input_grad
        gx = gw = gb = None
        if need[0]:
            gx = ConvTranspose2d.call(g, w, stride=self.stride, padding=self.padding,
                                      dilation=self.dilation, groups=self.groups,
                                      output_padding=_output_padding(x, g, w, self))
        if need[1]:
            if isinstance(g, Node):  # create_graph: as a differentiable convolution
                gw = conv_weight_grad(x, g, w.shape, self)
            else:  # first order: reuse the forward pass's im2col matrix
                gw = _weight_grad_from_cols(self.cols, g, w.shape, self.groups)
        if b is not None and need[2]:
            gb = g.sum(axis=(0, 2, 3))
        return (gx, gw) if b is None else (gx, gw, gb)


class ConvTranspose2d(_Conv):
    """conv_transpose2d(x, w, b) of x (N, C, H, W) with w (C, O/groups, kH, kW): the gradient
    of conv2d with respect to its input; d/dx = conv2d(g, w), d/dw = g correlated with x,
    d/db = g summed over N, H, W."""

    __slots__ = ("output_padding",)
    op = "conv_transpose2d"

    def __init__(self, stride=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1), groups=1,
                 output_padding=(0, 0)):
        super().__init__(stride, padding, dilation, groups)
        self.output_padding = output_padding

    def forward(self, x, w, b=None):
        _check_conv("conv_transpose2d", x, w, b, self.groups, w.shape[0], w.shape[0],
                    out_channels=w.shape[1] * self.groups)
        n, c, h, wd = x.shape
        groups, (kh, kw), (sh, sw), (dh, dw) = self.groups, w.shape[2:], self.stride, \
            self.dilation
        top, left = self.padding[0], self.padding[2]
        out_h, out_w = self.out_hw(x.shape, w.shape)
        if out_h < 1 or out_w < 1:
            raise ValueError(f"conv_transpose2d: the output would be {out_h}x{out_w} for an "
                             f"input of shape {x.shape}; reduce the padding")
        o = w.shape[1] * groups
        xm = x.transpose(1, 0, 2, 3).reshape(groups, c // groups, n * h * wd)
        # weights (C, O/g, kH, kW) -> (g, O/g * kH * kW, C/g)
        wm = w.reshape(groups, c // groups, -1).transpose(0, 2, 1)
        cols = (wm @ xm).reshape(groups, o // groups, kh, kw, n, h, wd)
        cols = cols.transpose(4, 0, 1, 5, 6, 2, 3).reshape(n, o, h, wd, kh, kw)  # a view
        full = (max((h - 1) * sh + dh * (kh - 1) + 1, top + out_h),
                max((wd - 1) * sw + dw * (kw - 1) + 1, left + out_w))
        out = crop(fold(cols, (n, o) + full, self.stride, self.dilation, cols.dtype),
                   self.padding, (out_h, out_w))
        if b is not None:
            out = out + b.reshape(-1, 1, 1)
        return out

    def out_hw(self, x_shape, w_shape):
        """The output's (H, W): (H - 1) stride - padding + dilation (k - 1) + 1 + output_padding."""
        top, bottom, left, right = self.padding
        return tuple((size - 1) * s - p0 - p1 + d * (k - 1) + 1 + op
                     for size, s, p0, p1, d, k, op in zip(
                         x_shape[2:], self.stride, (top, left), (bottom, right), self.dilation,
                         w_shape[2:], self.output_padding))

    def backward(self, g, out, x, w, b=None):
        need = self.needs_input_grad
        gx = gw = gb = None
        if need[0]:
            gx = Conv2d.call(g, w, stride=self.stride, padding=self.padding,
                             dilation=self.dilation, groups=self.groups)
            if gx.shape != x.shape:  # an output_padding of a stride or more: extra positions
                gx = gx[:, :, :x.shape[2], :x.shape[3]]
        if need[1]:
            gw = conv_weight_grad(g, x, w.shape, self)
        if b is not None and need[2]:
            gb = g.sum(axis=(0, 2, 3))
        return (gx, gw) if b is None else (gx, gw, gb)


def im2col(xp, kernel, stride, dilation, groups):
    """The im2col matrix of the padded input xp (N, C, H, W): shape (groups, C/groups * kH *
    kW, N, OH, OW), one row per weight of a filter, one column per output position."""
    n, c = xp.shape[:2]
    win = windows(xp, kernel, stride, dilation)  # (N, C, OH, OW, kH, kW)
    oh, ow, kh, kw = win.shape[2:]
    win = win.reshape(n, groups, c // groups, oh, ow, kh, kw).transpose(1, 2, 5, 6, 0, 3, 4)
    return np.ascontiguousarray(win).reshape(groups, -1, n, oh, ow)


def _weight_matrix(w, groups):
    """Weights (O, C/g, kH, kW) as (g, O/g, C/g * kH * kW), matching `im2col`'s rows."""
    return w.reshape(groups, w.shape[0] // groups, -1)


def _weight_grad_from_cols(cols, g, w_shape, groups):
    """d conv2d / d w from the forward pass's im2col matrix and the gradient g (N, O, OH, OW)."""
    gm = g.transpose(1, 0, 2, 3).reshape(groups, w_shape[0] // groups, -1)
    gw = gm @ cols.reshape(cols.shape[:2] + (-1,)).transpose(0, 2, 1)  # (g, O/g, K)
    return gw.reshape(w_shape)


def conv_weight_grad(x, g, w_shape, conv):
    """d conv2d(x, w) / d w for the gradient `g` of the output: x correlated with g.

    On nodes (create_graph) it is itself a conv2d, of x's channels (as the batch) with g's
    samples (as the channels), stride and dilation swapped, so it can be differentiated.
    """
    o, cg, kh, kw = w_shape
    groups, out_hw = conv.groups, g.shape[2:]
    if not isinstance(x, Node) and not isinstance(g, Node):
        xp = pad2d(x, conv.padding)
        cols = im2col(_first_windows(xp, (kh, kw), conv, out_hw), (kh, kw), conv.stride,
                      conv.dilation, groups)
        return _weight_grad_from_cols(cols, g, w_shape, groups)
    n, h, wd = x.shape[0], x.shape[2], x.shape[3]
    xs = x.reshape(n, groups, cg, h, wd).transpose(2, 1, 0, 3, 4).reshape(cg, groups * n, h, wd)
    gs = g.reshape(n, groups, o // groups, *out_hw).transpose(1, 2, 0, 3, 4).reshape(
        o, n, *out_hw)
    corr = Conv2d.call(xs, gs, stride=conv.dilation, padding=conv.padding,
                       dilation=conv.stride, groups=groups)  # (C/g, O, >= kH, >= kW)
    return corr[:, :, :kh, :kw].transpose(1, 0, 2, 3)


def _first_windows(xp, kernel, conv, out_hw):
    """The part of the padded input that the first `out_hw` output positions read."""
    return xp[:, :, :(out_hw[0] - 1) * conv.stride[0] + conv.dilation[0] * (kernel[0] - 1) + 1,
              :(out_hw[1] - 1) * conv.stride[1] + conv.dilation[1] * (kernel[1] - 1) + 1]


def _output_padding(x, g, w, conv):
    """The output_padding that makes conv_transpose2d of `g` come back to x's (H, W)."""
    top, bottom, left, right = conv.padding
    return tuple(size + p0 + p1 - ((o - 1) * s + d * (k - 1) + 1)
                 for size, p0, p1, o, s, d, k in zip(x.shape[2:], (top, left), (bottom, right),
                                                     g.shape[2:], conv.stride, conv.dilation,
                                                     w.shape[2:]))


def _check_conv(op, x, w, b, groups, channels, expected, out_channels=None):
    """Shapes of a convolution's input x, weight w and bias b, with messages that name them."""
    _check_input(op, x)
    if w.ndim != 4:
        raise ValueError(f"{op}: weight must be 4-d, got shape {w.shape}")
    layout = ("(out_channels, in_channels / groups, kH, kW)" if op == "conv2d"
              else "(in_channels, out_channels / groups, kH, kW)")
    if channels % groups or (op == "conv2d" and w.shape[0] % groups):
        raise ValueError(f"{op}: groups={groups} must divide the input channels "
                         f"({x.shape[1]}) and the output channels; weight shape {w.shape} is "
                         f"{layout}")
    if x.shape[1] != expected:
        raise ValueError(f"{op}: input of shape {x.shape} has {x.shape[1]} channels, but the "
                         f"weight of shape {w.shape} {layout} with groups={groups} expects "
                         f"{expected}")
    if b is not None:
        n_out = out_channels if out_channels is not None else w.shape[0]
        if b.shape != (n_out,):
            raise ValueError(f"{op}: bias must have shape ({n_out},) (one per output channel), "
                             f"got {b.shape}")


# ***** pooling *****


class _Pool(TensorFunction):
    """Shared parameters of pooling: kernel (kH, kW), stride, padding (t, b, l, r), dilation."""

    __slots__ = ("kernel", "stride", "padding", "dilation")

    def __init__(self, kernel, stride, padding=(0, 0, 0, 0), dilation=(1, 1)):
        self.kernel, self.stride, self.padding, self.dilation = kernel, stride, padding, dilation

    @property
    def name(self):
        return f"{self.op}(kernel={self.kernel}, stride={self.stride})"

    def spread(self, g, x):
        """Send each window's gradient g (N, C, OH, OW, kH, kW) back to the input x."""
        return Col2Im.call(g, shape=x.shape, stride=self.stride, padding=self.padding,
                           dilation=self.dilation)


def window_reduce(win, ufunc):
    """Reduce each window of `win` (N, C, OH, OW, kH, kW) with `ufunc` (np.maximum, np.add):
    one elementwise step per kernel offset, faster than a reduction over two strided axes."""
    kh, kw = win.shape[4:]
    out = np.array(win[..., 0, 0])
    for i in range(kh):
        for j in range(kw):
            if i or j:
                ufunc(out, win[..., i, j], out=out)
    return out


class MaxPool2d(_Pool):
    """The maximum of each window;  d/dx = g at each window's maximal elements, 0 elsewhere."""

    __slots__ = ("hit", "ties")
    op = "max_pool2d"

    def forward(self, x):
        _check_input("max_pool2d", x)
        win = windows(pad2d(x, self.padding, -np.inf), self.kernel, self.stride, self.dilation)
        out = window_reduce(win, np.maximum)
        self.hit = win == out[..., None, None]
        self.ties = np.count_nonzero(self.hit) != out.size
        return out

    def backward(self, g, out, x):
        # NOTE: ties share the gradient evenly, as the engine's max does (PyTorch gives it
        # all to the first maximal element).
        hit = self.hit
        scale = g / window_reduce(hit.astype(g.dtype), np.add) if self.ties else g
        return self.spread(select(hit, scale.reshape(scale.shape + (1, 1)), x), x)


class AvgPool2d(_Pool):
    """The mean of each window, each divided by `divisor` (OH, OW);  d/dx = g / divisor,
    spread over each window."""

    __slots__ = ("divisor",)
    op = "avg_pool2d"

    def __init__(self, kernel, stride, padding=(0, 0, 0, 0), divisor=None):
        super().__init__(kernel, stride, padding)
        self.divisor = divisor

    def forward(self, x):
        _check_input("avg_pool2d", x)
        win = windows(pad2d(x, self.padding), self.kernel, self.stride, self.dilation)
        return window_reduce(win, np.add) / self.divisor.astype(x.dtype)

    def backward(self, g, out, x):
        # NOTE: under create_graph=True the divisor is recorded as depending on x (with
        # derivative 0), so the gradient of this gradient is zeros, as in PyTorch.
        scaled = g / piecewise(self.divisor.astype(g.dtype), x)
        return self.spread(BroadcastTo.call(scaled.reshape(scaled.shape + (1, 1)),
                                            shape=scaled.shape + tuple(self.kernel)), x)
