"""Second derivatives where they are undefined: a gradient is either right or refused.

At the zero vector a norm's curvature is infinite (so is std's at constant data, and
a**b jumps at a = b = 0): the first derivative there is a convention (0, as PyTorch's),
the second has none, so it is nan, as PyTorch gives for the 2-norm, never a silent 0.
Where PyTorch gives a finite number at such a point (p-norms with p >= 3, std) or nan
where the value is defined (0**b for b > 0), we differ on purpose: docs/functional.md,
"Where a second derivative is undefined". Skipped when torch is not installed.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is the oracle here: pip install torch==2.13.0")

import autograd_lite as ag  # noqa: E402
from autograd_lite import Tensor, Value  # noqa: E402

W = np.array([0.3, -0.7, 1.1])


def ours(f, x):
    """f's first gradient (of f(x).sum()) and the gradient of <that gradient, W>."""
    t = Tensor(np.array(x, dtype=np.float64), requires_grad=True)
    with np.errstate(all="ignore"):  # nan and inf are expected here
        f(t).sum().backward(create_graph=True)
        g = t.grad
        t.grad = None
        (g * W[:t.shape[-1]]).sum().backward()
    return g.data, np.asarray(t.grad)


def theirs(f, x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(f(t).sum(), t, create_graph=True)
    (gg,) = torch.autograd.grad((g * torch.tensor(W[:t.shape[-1]])).sum(), t)
    return g.detach().numpy(), gg.numpy(force=True)


ZERO, PARTIAL, ROWS = [0.0, 0.0, 0.0], [0.0, 1.0, -2.0], [[0.0, 0.0, 0.0], [1.0, -2.0, 0.5]]

# name -> (ours, torch's, input): the same values as PyTorch, nan included
SAME_AS_TORCH = {
    "norm_zero": (lambda x: x.norm(), lambda x: x.norm(), ZERO),
    "vector_norm_zero_rows": (lambda x: x.norm(dim=1), lambda x: torch.linalg.vector_norm(
        x, dim=1), ROWS),
    "norm_zero_keepdim": (lambda x: ag.norm(x, dim=1, keepdim=True),
                          lambda x: x.norm(dim=1, keepdim=True), ROWS),
    "norm_p1.5_zero": (lambda x: x.norm(1.5), lambda x: x.norm(1.5), ZERO),
    "norm_p2.5_zero": (lambda x: x.norm(2.5), lambda x: x.norm(2.5), ZERO),
    "norm_p0.5_zero": (lambda x: x.norm(0.5), lambda x: x.norm(0.5), ZERO),
    "norm_p1.5_partial": (lambda x: x.norm(1.5), lambda x: x.norm(1.5), PARTIAL),
    "norm_p1_zero": (lambda x: x.norm(1), lambda x: x.norm(1), ZERO),
    "norm_inf_zero": (lambda x: x.norm(np.inf), lambda x: x.norm(np.inf), ZERO),
    # over one element a norm is |x|, but still refused at 0, as in PyTorch
    "norm_one_element": (lambda x: x.norm(dim=0), lambda x: x.norm(dim=0), [[0.0, 2.0, -1.0]]),
    "norm_partial": (lambda x: x.norm(), lambda x: x.norm(), PARTIAL),
    "std_one_element": (lambda x: ag.std(x, dim=0, correction=0), lambda x: torch.std(
        x, dim=0, correction=0), [[1.5, 1.5, 0.0]]),
    "var_constant": (lambda x: x.var(), lambda x: x.var(), [1.5, 1.5, 1.5]),
    "sqrt_zero": (lambda x: x.sqrt(), torch.sqrt, PARTIAL[:2] + [2.0]),
    "pow_half_zero": (lambda x: x ** 0.5, lambda x: x ** 0.5, [0.0, 1.0, 2.0]),
    "pow_1.5_zero": (lambda x: x ** 1.5, lambda x: x ** 1.5, [0.0, 1.0, 2.0]),
    "x_pow_x_zero": (lambda x: x ** x, lambda x: x ** x, [0.0, 1.0, 2.0]),
    "zero_pow_x_zero": (lambda x: Tensor(np.zeros(3)) ** x, lambda x: torch.zeros(3) ** x, ZERO),
    "sqrt_of_square_zero": (lambda x: (x * x).sum().sqrt(), lambda x: (x * x).sum().sqrt(), ZERO),
}


@pytest.mark.parametrize("name", list(SAME_AS_TORCH))
def test_second_derivative_at_singular_points_matches_torch(name):
    f, f_torch, x = SAME_AS_TORCH[name]
    g, gg = ours(f, x)
    g_t, gg_t = theirs(f_torch, x)
    np.testing.assert_allclose(g, g_t, rtol=1e-12, atol=1e-12, err_msg=f"{name}: gradient")
    np.testing.assert_allclose(gg, gg_t, rtol=1e-12, atol=1e-12,
                               err_msg=f"{name}: second derivative")


@pytest.mark.parametrize("p", [2, 3, 4, 1.5, 2.5, 10])
def test_norm_curvature_at_zero_is_refused_for_every_curved_p(p):
    """nan for every p other than 1 and inf (PyTorch gives 0 for p >= 3: we differ)."""
    g, gg = ours(lambda x: x.norm(p, dim=1), ROWS)
    np.testing.assert_array_equal(g[0], 0.0)  # the convention for the first derivative
    assert np.isnan(gg[0]).all()
    assert np.isfinite(gg[1]).all()  # rows that are not zero are untouched


def test_std_of_constant_data_refuses_its_second_derivative():
    """std is the norm of x - mean: at constant data the first derivative is 0 (as
    PyTorch's) and the second nan (PyTorch gives 0: we differ)."""
    x = [[1.5, 1.5, 1.5], [1.0, -2.0, 0.5]]
    g, gg = ours(lambda t: t.std(1), x)
    g_t, _ = theirs(lambda t: t.std(1), x)
    np.testing.assert_allclose(g, g_t, atol=1e-12)
    assert np.isnan(gg[0]).all() and np.isfinite(gg[1]).all()
    _, gg_t = theirs(lambda t: t.std(1), [x[1]])
    np.testing.assert_allclose(ours(lambda t: t.std(0), x[1])[1], gg_t.ravel(), rtol=1e-12)


def test_zero_pow_positive_exponent_is_smooth():
    """0**b is 0 for every b > 0: its derivatives there are 0 (PyTorch gives nan)."""
    g, gg = ours(lambda x: Tensor(np.zeros(3)) ** x, [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(g, 0.0)
    assert np.isnan(gg[0]) and np.array_equal(gg[1:], [0.0, 0.0])


def test_mixed_term_of_a_norm_at_zero():
    """d/dw of the gradient of w * |x| at x = 0 is its first derivative: 0, not nan."""
    x, w = Tensor(np.zeros(3), requires_grad=True), Tensor(2.0, requires_grad=True)
    (x.norm() * w).backward(create_graph=True)
    gx = x.grad
    x.grad = w.grad = None
    (gx * W).sum().backward()
    assert float(w.grad) == 0.0 and np.isnan(x.grad).all()


@pytest.mark.parametrize("at", [0.0, 2.0])
def test_scalar_engine_x_pow_x(at):
    x = Value(at)
    (x ** x).backward(create_graph=True)
    g = x.grad
    x.grad = 0.0
    g.backward()
    t = torch.tensor(at, dtype=torch.float64, requires_grad=True)
    (gt,) = torch.autograd.grad(t ** t, t, create_graph=True)
    (ggt,) = torch.autograd.grad(gt, t)
    assert g.data == pytest.approx(gt.item())
    np.testing.assert_allclose(x.grad, ggt.item(), rtol=1e-12)
