"""autograd-lite: reverse-mode automatic differentiation on scalars and NumPy arrays.

>>> from autograd_lite import Value
>>> a, b = Value(2.0), Value(-3.0)
>>> c = (a * b).tanh()
>>> c.backward()
>>> print(f"{a.grad:.6f}")
-0.000074
"""

from .anomaly import AnomalyError, detect_anomaly
from .engine import (GraphReleasedError, ModifiedInPlaceError, enable_grad, is_grad_enabled,
                     no_grad)
from . import conv, extend, functional, onnx
from .extend import Function
from .functional import grad, hessian, hvp, jacobian, jvp, value_and_grad, vjp
from .conv import (adaptive_avg_pool1d, adaptive_avg_pool2d, avg_pool1d, avg_pool2d, conv1d,
                   conv2d, conv_transpose1d, conv_transpose2d, max_pool1d, max_pool2d)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .tensor import DEFAULT_DTYPE, Tensor, concatenate, from_dlpack, maximum, stack, where
from .value import Value
from .factories import (arange, empty, eye, full, full_like, linspace, ones, ones_like, rand,
                        randn, randn_like, zeros, zeros_like)
from .routines import (argmax, argmin, broadcast_to, cat, ceil, chunk, cos, cumprod, cumsum,
                       erf, exp2, expand_dims, expm1, flatten, flip, floor, gather, log1p,
                       log2, logsumexp, minimum, norm, pad, permute, prod, reciprocal, repeat,
                       round, rsqrt, scatter_add, sign, sin, split, square, squeeze, std, swapaxes,
                       take_along_axis, take_along_dim, tan, tile, transpose, tril, triu,
                       trunc, unsqueeze, var)
from .viz import GraphvizNotFoundError, draw_graph, render_graph, retain_grads

__all__ = [
    "Value",
    "Tensor",
    "DEFAULT_DTYPE",
    "concatenate",
    "stack",
    "where",
    "maximum",
    *conv.__all__,  # convolution and pooling (conv.py)
    "from_dlpack",
    # making tensors (factories.py)
    "zeros",
    "ones",
    "full",
    "empty",
    "eye",
    "arange",
    "linspace",
    "randn",
    "rand",
    "zeros_like",
    "ones_like",
    "full_like",
    "randn_like",
    # functions on tensors, NumPy's keywords and PyTorch's (routines.py)
    "minimum",
    "sin",
    "cos",
    "tan",
    "sign",
    "floor",
    "ceil",
    "round",
    "trunc",
    "rsqrt",
    "log2",
    "exp2",
    "log1p",
    "expm1",
    "square",
    "reciprocal",
    "erf",
    "var",
    "std",
    "prod",
    "logsumexp",
    "cumsum",
    "cumprod",
    "norm",
    "argmax",
    "argmin",
    "squeeze",
    "unsqueeze",
    "expand_dims",
    "flatten",
    "transpose",
    "swapaxes",
    "permute",
    "flip",
    "repeat",
    "tile",
    "broadcast_to",
    "chunk",
    "split",
    "gather",
    "scatter_add",
    "take_along_axis",
    "take_along_dim",
    "tril",
    "triu",
    "pad",
    "cat",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
    "grad",
    "value_and_grad",
    "jacobian",
    "hessian",
    "hvp",
    "vjp",
    "jvp",
    "Function",
    "functional",
    "extend",
    "onnx",
    "GraphReleasedError",
    "ModifiedInPlaceError",
    "detect_anomaly",
    "AnomalyError",
    "draw_graph",
    "render_graph",
    "retain_grads",
    "GraphvizNotFoundError",
]
