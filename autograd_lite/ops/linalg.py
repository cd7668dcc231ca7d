"""Linear algebra: matrix products.
"""

import numpy as np

from .base import TensorFunction

# ***** matmul *****


class Matmul(TensorFunction):
    """a @ b (NumPy semantics, batched and 1-D);  d/da = g @ b.T, d/db = a.T @ g."""

    __slots__ = ()
    name = "matmul"

    def forward(self, a, b):
        try:
            return a @ b
        except ValueError:
            raise ValueError(_matmul_mismatch(a.shape, b.shape)) from None

    def backward(self, g, out, a, b):
        need_a, need_b = self.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # the common case, kept obvious
            return (g @ b.T if need_a else None), (a.T @ g if need_b else None)
        # Promote vectors to matrices as NumPy does, then drop the added axis again.
        if a.ndim == 1:
            a = a.reshape((1,) + a.shape)
            g = g.reshape(g.shape[:-1] + (1,) + g.shape[-1:])
        if b.ndim == 1:
            b = b.reshape(b.shape + (1,))
            g = g.reshape(g.shape + (1,))
        ga = g @ b.swapaxes(-1, -2) if need_a else None
        gb = a.swapaxes(-1, -2) @ g if need_b else None
        if need_a and self.parents[0].ndim == 1:
            ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
        if need_b and self.parents[1].ndim == 1:
            gb = gb.reshape(gb.shape[:-1])
        return ga, gb  # batch dimensions are summed back by vjp


def _matmul_mismatch(a, b):
    if not a or not b:
        return f"matmul: both operands need at least 1 dimension, got shapes {a} and {b}"
    k_b, which = (b[-2], "second-to-last") if len(b) > 1 else (b[0], "only")
    if a[-1] != k_b:
        return (f"matmul: shapes {a} and {b} are not aligned: {a[-1]} (last dim of a) != "
                f"{k_b} ({which} dim of b)")
    return f"matmul: the batch dimensions of shapes {a} and {b} do not broadcast"
