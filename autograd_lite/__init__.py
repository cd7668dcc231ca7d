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
from . import extend, functional
from .extend import Function
from .functional import grad, hessian, hvp, jacobian, jvp, value_and_grad, vjp
from .conv import (adaptive_avg_pool1d, adaptive_avg_pool2d, avg_pool1d, avg_pool2d, conv1d,
                   conv2d, conv_transpose1d, conv_transpose2d, max_pool1d, max_pool2d)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .tensor import DEFAULT_DTYPE, Tensor, concatenate, maximum, stack, where
from .value import Value
from .viz import GraphvizNotFoundError, draw_graph, render_graph, retain_grads

__all__ = [
    "Value",
    "Tensor",
    "DEFAULT_DTYPE",
    "concatenate",
    "stack",
    "where",
    "maximum",
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
    "GraphReleasedError",
    "ModifiedInPlaceError",
    "detect_anomaly",
    "AnomalyError",
    "draw_graph",
    "render_graph",
    "retain_grads",
    "GraphvizNotFoundError",
]
