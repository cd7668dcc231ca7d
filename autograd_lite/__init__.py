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
from . import extend, functional, onnx
from .extend import Function
from .functional import grad, hessian, hvp, jacobian, jvp, value_and_grad, vjp
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .tensor import DEFAULT_DTYPE, Tensor, concatenate, from_dlpack, maximum, stack, where
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
    "from_dlpack",
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
