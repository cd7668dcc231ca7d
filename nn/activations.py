"""The activations as modules, with PyTorch's names and constructor arguments:
`nn.GELU(approximate="tanh")`, `nn.LeakyReLU(0.2)`, ... Each calls its function in
`nn.functional`. `inplace=True` is accepted so PyTorch code runs, but the result is always
a new tensor.
"""

from autograd_lite import Tensor  # noqa: F401  (the examples use it)

from . import functional as F
from .module import Module

__all__ = ["LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Softplus", "Softsign",
           "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish", "LogSigmoid"]


class LeakyReLU(Module):
    """x where x > 0, else negative_slope * x.

    >>> LeakyReLU(0.01)(Tensor([-1.0, 2.0])).data
    array([-0.01,  2.  ], dtype=float32)
    """

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = F._number(negative_slope, "negative_slope", "LeakyReLU")

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope!r}"


class ELU(Module):
    """x where x > 0, else alpha * (exp(x) - 1).

    >>> ELU(1.0)(Tensor([0.0, 2.0])).data
    array([0., 2.], dtype=float32)
    """

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = F._number(alpha, "alpha", "ELU")

    def forward(self, x):
        return F.elu(x, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha!r}"


class SELU(Module):
    """scale * elu(x, alpha), the self-normalising constants.

    >>> SELU()(Tensor([0.0])).data
    array([0.], dtype=float32)
    """

    def __init__(self, inplace=False):
        super().__init__()

    def forward(self, x):
        return F.selu(x)


class CELU(Module):
    """x where x > 0, else alpha * (exp(x / alpha) - 1).

    >>> CELU(1.0)(Tensor([0.0, 2.0])).data
    array([0., 2.], dtype=float32)
    """

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = F._number(alpha, "alpha", "CELU", nonzero=True)

    def forward(self, x):
        return F.celu(x, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha!r}"


class GELU(Module):
    """x * Phi(x) (approximate="tanh": the tanh formula).

    >>> GELU('none')(Tensor([0.0])).data
    array([0.], dtype=float32)
    """

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got "
                             f"{approximate!r}")

    def forward(self, x):
        return F.gelu(x, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """x * sigmoid(x) (swish).

    >>> SiLU()(Tensor([0.0])).data
    array([0.], dtype=float32)
    """

    def __init__(self, inplace=False):
        super().__init__()

    def forward(self, x):
        return F.silu(x)


class Mish(Module):
    """x * tanh(softplus(x)).

    >>> Mish()(Tensor([0.0])).data
    array([0.], dtype=float32)
    """

    def __init__(self, inplace=False):
        super().__init__()

    def forward(self, x):
        return F.mish(x)


class Softplus(Module):
    """log(1 + exp(beta * x)) / beta, x itself above `threshold`.

    >>> Softplus(1.0, 20.0)(Tensor([30.0])).data
    array([30.], dtype=float32)
    """

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = F._number(beta, "beta", "Softplus", nonzero=True)
        self.threshold = F._number(threshold, "threshold", "Softplus")

    def forward(self, x):
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta!r}, threshold={self.threshold!r}"


class Softsign(Module):
    """x / (1 + |x|).

    >>> Softsign()(Tensor([1.0])).data
    array([0.5], dtype=float32)
    """

    def forward(self, x):
        return F.softsign(x)


class Hardtanh(Module):
    """x clipped to [min_val, max_val].

    >>> Hardtanh(-1.0, 1.0)(Tensor([-2.0, 0.5])).data
    array([-1. ,  0.5], dtype=float32)
    """

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        self.min_val = F._number(min_val, "min_val", "Hardtanh")
        self.max_val = F._number(max_val, "max_val", "Hardtanh")
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val {min_val} must not exceed max_val "
                             f"{max_val}")

    def forward(self, x):
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self):
        return f"min_val={self.min_val!r}, max_val={self.max_val!r}"


class ReLU6(Module):
    """min(max(x, 0), 6).

    >>> ReLU6()(Tensor([-1.0, 7.0])).data
    array([0., 6.], dtype=float32)
    """

    def __init__(self, inplace=False):
        super().__init__()

    def forward(self, x):
        return F.relu6(x)


class Hardsigmoid(Module):
    """relu6(x + 3) / 6.

    >>> Hardsigmoid()(Tensor([0.0])).data
    array([0.5], dtype=float32)
    """

    def __init__(self, inplace=False):
        super().__init__()

    def forward(self, x):
        return F.hardsigmoid(x)


class Hardswish(Module):
    """x * relu6(x + 3) / 6.

    >>> Hardswish()(Tensor([0.0])).data
    array([0.], dtype=float32)
    """

    def __init__(self, inplace=False):
        super().__init__()

    def forward(self, x):
        return F.hardswish(x)


class LogSigmoid(Module):
    """log(sigmoid(x)), without overflow.

    >>> LogSigmoid()(Tensor([-1e4])).data
    array([-10000.], dtype=float32)
    """

    def forward(self, x):
        return F.logsigmoid(x)


ACTIVATION_MODULES = {
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "selu": SELU,
    "celu": CELU,
    "gelu": GELU,
    "silu": SiLU,
    "mish": Mish,
    "softplus": Softplus,
    "softsign": Softsign,
    "hardtanh": Hardtanh,
    "relu6": ReLU6,
    "hardsigmoid": Hardsigmoid,
    "hardswish": Hardswish,
    "logsigmoid": LogSigmoid,
}
