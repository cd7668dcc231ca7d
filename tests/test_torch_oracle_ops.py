"""Every tensor operation added for PyTorch and NumPy users, against PyTorch in float64.

Each case computes the same function with autograd-lite and with torch on the same random
inputs (and on edge cases: ties, zeros in products, negative padding, empty axes), and
compares the values and the gradients of sum(out * w) for a random w. Skipped when torch
is not installed (`pip install torch==2.13.0`).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is the oracle here: pip install torch==2.13.0")
import torch.nn.functional as TF  # noqa: E402

import autograd_lite as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
from autograd_lite import Tensor  # noqa: E402

RNG = np.random.default_rng(13)


def normal(*shape):
    return RNG.standard_normal(shape)


def positive(*shape):
    return RNG.uniform(0.2, 2.0, shape)


def with_zeros(*shape):
    x = RNG.uniform(-2, 2, shape)
    x[RNG.random(shape) < 0.3] = 0.0
    return x


def ties(*shape):
    return RNG.integers(-2, 3, shape).astype(np.float64)


def idx(*shape, high):
    return RNG.integers(0, high, shape)


def on_grid(*shape):  # values on the kinks of the piecewise activations
    return RNG.choice([-6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0, 2.5, -0.5], shape)


G, B = np.array([[0, 2], [1, 1], [3, 0]]), np.array([[1], [0]])
# name -> (ours(*tensors), theirs(*torch tensors), inputs)
CASES = {
    # elementwise
    "minimum": (ag.minimum, torch.minimum, [ties(3, 4), ties(4)]),
    "minimum_method": (lambda a, b: a.minimum(b), lambda a, b: a.minimum(b),
                       [normal(2, 3), normal(2, 3)]),
    "maximum_ties": (lambda a, b: a.maximum(b), torch.maximum, [ties(3, 4), ties(3, 1)]),
    "sin": (ag.sin, torch.sin, [normal(3, 4)]),
    "cos": (lambda a: a.cos(), torch.cos, [normal(3, 4)]),
    "tan": (ag.tan, torch.tan, [RNG.uniform(-1.2, 1.2, (3, 4))]),
    "sign": (lambda a: a.sign(), torch.sign, [with_zeros(3, 4)]),
    "floor": (ag.floor, torch.floor, [normal(3, 4) * 3]),
    "ceil": (lambda a: a.ceil(), torch.ceil, [normal(3, 4) * 3]),
    "round": (ag.round, torch.round, [np.array([0.5, 1.5, 2.5, -0.5, -1.7, 2.2])]),
    "round_decimals": (lambda a: a.round(decimals=2), lambda a: a.round(decimals=2),
                       [normal(5) * 10]),
    "trunc": (lambda a: a.trunc(), torch.trunc, [normal(3, 4) * 3]),
    "rsqrt": (ag.rsqrt, torch.rsqrt, [positive(3, 4)]),
    "log2": (lambda a: a.log2(), torch.log2, [positive(3, 4)]),
    "exp2": (ag.exp2, torch.exp2, [normal(3, 4)]),
    "log1p": (lambda a: a.log1p(), torch.log1p, [positive(3, 4) - 0.5]),
    "expm1": (ag.expm1, torch.expm1, [normal(3, 4)]),
    "square": (lambda a: a.square(), torch.square, [normal(3, 4)]),
    "reciprocal": (ag.reciprocal, torch.reciprocal, [positive(3, 4)]),
    "erf": (lambda a: a.erf(), torch.erf, [normal(50) * 3]),
    # activations
    "leaky_relu": (lambda a: F.leaky_relu(a, 0.2), lambda a: TF.leaky_relu(a, 0.2),
                   [on_grid(20)]),
    "elu": (lambda a: F.elu(a, 0.7), lambda a: TF.elu(a, 0.7), [normal(20) * 3]),
    "elu_kinks": (F.elu, TF.elu, [on_grid(20)]),
    "selu": (F.selu, TF.selu, [normal(20) * 3]),
    "celu": (lambda a: F.celu(a, 1.5), lambda a: TF.celu(a, 1.5), [normal(20) * 3]),
    "gelu": (F.gelu, TF.gelu, [np.concatenate([normal(30) * 4, [-40.0, -9.0, 0.0, 9.0]])]),
    "gelu_tanh": (lambda a: F.gelu(a, approximate="tanh"),
                  lambda a: TF.gelu(a, approximate="tanh"), [normal(30) * 4]),
    "silu": (F.silu, TF.silu, [normal(20) * 4]),
    "mish": (F.mish, TF.mish, [normal(20) * 4]),
    "softplus": (F.softplus, TF.softplus, [normal(20) * 10]),
    "softplus_beta": (lambda a: F.softplus(a, beta=2.0, threshold=5.0),
                      lambda a: TF.softplus(a, beta=2.0, threshold=5.0), [normal(40) * 4]),
    "softsign": (F.softsign, TF.softsign, [normal(20) * 3]),
    "hardtanh": (lambda a: F.hardtanh(a, -2.0, 3.0), lambda a: TF.hardtanh(a, -2.0, 3.0),
                 [np.concatenate([normal(20) * 3, [-2.0, 3.0]])]),
    "relu6": (F.relu6, TF.relu6, [on_grid(30)]),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid, [on_grid(30)]),
    "hardswish": (F.hardswish, TF.hardswish, [on_grid(30)]),
    "logsigmoid": (F.logsigmoid, TF.logsigmoid, [np.concatenate([normal(20) * 5, [-800.0]])]),
    # reductions
    "var": (lambda a: a.var(1), lambda a: a.var(1), [normal(3, 5)]),
    "var_correction": (lambda a: a.var((0, 2), correction=0, keepdim=True),
                       lambda a: a.var((0, 2), correction=0, keepdim=True), [normal(2, 3, 4)]),
    "var_unbiased_false": (lambda a: a.var(unbiased=False), lambda a: a.var(unbiased=False),
                           [normal(4, 3)]),
    "std": (lambda a: a.std(0), lambda a: a.std(0), [normal(4, 3)]),
    "std_constant": (lambda a: a.std(1), lambda a: a.std(1),
                     [np.array([[2.0, 2.0, 2.0], [1.0, 3.0, 1.0]])]),
    "std_keepdim_unbiased_false": (lambda a: a.std((0, 1), unbiased=False, keepdim=True),
                                   lambda a: a.std((0, 1), unbiased=False, keepdim=True),
                                   [normal(2, 3, 2)]),
    "std_function": (lambda a: ag.std(a, dim=1, correction=2),
                     lambda a: torch.std(a, dim=1, correction=2), [normal(2, 6)]),
    # a zero std (constant rows, size-1 axes with correction 0): gradient 0, as in torch
    "std_constant_rows": (lambda a: a.std(1), lambda a: a.std(1),
                          [np.concatenate([np.full((2, 3), 1.5), normal(1, 3)])]),
    "std_size1_correction0": (lambda a: ag.std(a, dim=0, correction=0, keepdim=True),
                              lambda a: torch.std(a, dim=0, correction=0, keepdim=True),
                              [normal(1, 4)]),
    "prod": (lambda a: a.prod(1), lambda a: a.prod(1), [normal(3, 4)]),
    "prod_zeros": (lambda a: a.prod(0), lambda a: a.prod(0),
                   [np.array([[0.0, 1.0, 0.0], [2.0, 3.0, 0.0], [4.0, 0.0, 5.0]])]),
    "prod_all_zeros": (lambda a: a.prod(), lambda a: a.prod(), [with_zeros(3, 3)]),
    "logsumexp": (lambda a: a.logsumexp(1), lambda a: a.logsumexp(1), [normal(3, 4) * 50]),
    "logsumexp_keepdim": (lambda a: ag.logsumexp(a, dim=(0, 1), keepdim=True),
                          lambda a: torch.logsumexp(a, dim=(0, 1), keepdim=True),
                          [normal(2, 3, 2)]),
    "cumsum": (lambda a: a.cumsum(1), lambda a: a.cumsum(1), [normal(3, 4)]),
    "cumsum_neg_dim": (lambda a: ag.cumsum(a, dim=-3), lambda a: torch.cumsum(a, dim=-3),
                       [normal(2, 3, 4)]),
    "cumsum_0d": (lambda a: a.cumsum(0), lambda a: a.cumsum(0), [np.array(1.5)]),
    "cumprod_0d": (lambda a: a.cumprod(-1), lambda a: a.cumprod(-1), [np.array(-2.0)]),
    "cumprod": (lambda a: a.cumprod(0), lambda a: a.cumprod(0), [normal(4, 3)]),
    "cumprod_zeros": (lambda a: a.cumprod(1), lambda a: a.cumprod(1),
                      [np.array([[1.5, 0.0, 2.0, 3.0], [0.0, 0.0, 2.0, 1.0],
                                 [2.0, -1.0, 0.5, 0.0], [0.0, 2.0, 3.0, 4.0]])]),
    "cumprod_one_zero": (lambda a: a.cumprod(0), lambda a: a.cumprod(0),
                         [np.array([[0.0, 1.0], [1.5, 0.0], [1.0, 2.0], [-0.5, 3.0]])]),
    "norm": (lambda a: a.norm(), lambda a: a.norm(), [normal(3, 4)]),
    "norm_zero_rows": (lambda a: a.norm(dim=1), lambda a: a.norm(dim=1),
                       [np.concatenate([np.zeros((2, 3)), normal(1, 3)])]),
    "norm_p1_dim": (lambda a: a.norm(1, dim=1), lambda a: a.norm(1, dim=1), [normal(3, 4)]),
    "norm_p3": (lambda a: a.norm(3, dim=0, keepdim=True),
                lambda a: a.norm(3, dim=0, keepdim=True), [normal(3, 4)]),
    "norm_inf_ties": (lambda a: a.norm(float("inf"), dim=1),
                      lambda a: a.norm(float("inf"), dim=1), [ties(3, 4)]),
    "norm_at_zero": (lambda a: (a * 0).norm(dim=1), lambda a: (a * 0).norm(dim=1),
                     [normal(2, 3)]),
    # empty axes
    "prod_empty": (lambda a: a.prod(0), lambda a: a.prod(0), [normal(0, 3)]),
    "cumsum_empty": (lambda a: a.cumsum(1), lambda a: a.cumsum(1), [normal(2, 0)]),
    "cumprod_empty": (lambda a: a.cumprod(0), lambda a: a.cumprod(0), [normal(0, 2)]),
    "logsumexp_empty": (lambda a: a.logsumexp(1), lambda a: a.logsumexp(1), [normal(2, 0)]),
    "norm_empty": (lambda a: a.norm(dim=0), lambda a: a.norm(dim=0), [normal(0, 3)]),
    "var_empty_dim": (lambda a: a.var(1), lambda a: a.var(1), [normal(3, 0)]),
    "sum_keepdim_empty": (lambda a: a.sum(dim=0, keepdim=True),
                          lambda a: a.sum(dim=0, keepdim=True), [normal(0, 2)]),
    "pad_empty_batch": (lambda a: F.pad(a, (1, 1), mode="reflect"),
                        lambda a: TF.pad(a, (1, 1), mode="reflect"), [normal(0, 2, 3)]),
    "chunk_empty": (lambda a: a.chunk(2, 1)[0], lambda a: a.chunk(2, 1)[0], [normal(0, 4)]),
    # shape and indexing
    "squeeze": (lambda a: a.squeeze(), lambda a: a.squeeze(), [normal(1, 3, 1, 2)]),
    "squeeze_non_one": (lambda a: a.squeeze(1), lambda a: a.squeeze(1), [normal(1, 3)]),
    "unsqueeze": (lambda a: a.unsqueeze(-1), lambda a: a.unsqueeze(-1), [normal(2, 3)]),
    "flatten": (lambda a: a.flatten(1), lambda a: a.flatten(1), [normal(2, 3, 4)]),
    "flatten_empty": (lambda a: a.flatten(0, 1), lambda a: a.flatten(0, 1),
                      [normal(0, 3, 2)]),
    "permute": (lambda a: a.permute(2, 0, 1), lambda a: a.permute(2, 0, 1), [normal(2, 3, 4)]),
    "transpose_two_dims": (lambda a: a.transpose(0, 2), lambda a: a.transpose(0, 2),
                           [normal(2, 3, 4)]),
    "transpose_2d": (lambda a: a.transpose(0, 1), lambda a: a.transpose(0, 1), [normal(2, 3)]),
    "flip": (lambda a: a.flip(0, 2), lambda a: a.flip(0, 2), [normal(2, 3, 4)]),
    "repeat": (lambda a: a.repeat(2, 1, 3), lambda a: a.repeat(2, 1, 3), [normal(2, 3)]),
    "tile": (lambda a: a.tile((2,)), lambda a: a.tile((2,)), [normal(2, 3)]),
    "expand": (lambda a: a.expand(4, -1, 3), lambda a: a.expand(4, -1, 3), [normal(2, 1)]),
    "chunk": (lambda a: a.chunk(3, 1)[-1], lambda a: a.chunk(3, 1)[-1], [normal(2, 7)]),
    "split": (lambda a: a.split(2)[2], lambda a: a.split(2)[2], [normal(5, 2)]),
    "split_sizes": (lambda a: a.split([1, 3], 1)[1], lambda a: a.split([1, 3], 1)[1],
                    [normal(2, 4)]),
    "gather": (lambda a: a.gather(1, G), lambda a: a.gather(1, torch.tensor(G)),
               [normal(3, 4)]),
    "gather_dim0_smaller": (lambda a: ag.gather(a, 0, B), lambda a: a.gather(0, torch.tensor(B)),
                            [normal(3, 4)]),
    "scatter_add": (lambda a, s: a.scatter_add(1, G, s),
                    lambda a, s: a.scatter_add(1, torch.tensor(G), s),
                    [normal(3, 4), normal(3, 2)]),
    "take_along_dim": (lambda a: a.take_along_dim(G, 1),
                       lambda a: a.take_along_dim(torch.tensor(G), 1), [normal(3, 4)]),
    "tril": (lambda a: a.tril(-1), lambda a: a.tril(-1), [normal(2, 3, 4)]),
    "triu": (lambda a: a.triu(1), lambda a: a.triu(1), [normal(4, 3)]),
    "cat": (lambda a, b: ag.cat([a, b], dim=1), lambda a, b: torch.cat([a, b], dim=1),
            [normal(2, 3), normal(2, 1)]),
    "pad_constant": (lambda a: F.pad(a, (1, 2, 0, 1), value=1.5),
                     lambda a: TF.pad(a, (1, 2, 0, 1), value=1.5), [normal(2, 3, 4)]),
    "pad_negative": (lambda a: F.pad(a, (-1, 2, 1, -2)), lambda a: TF.pad(a, (-1, 2, 1, -2)),
                     [normal(2, 4, 5)]),
    "pad_reflect": (lambda a: F.pad(a, (2, 3, 1, 1), mode="reflect"),
                    lambda a: TF.pad(a, (2, 3, 1, 1), mode="reflect"), [normal(1, 2, 3, 4)]),
    "pad_reflect_crop": (lambda a: F.pad(a, (-1, 2), mode="reflect"),
                         lambda a: TF.pad(a, (-1, 2), mode="reflect"), [normal(1, 2, 6)]),
    "pad_reflect_reaching_the_crop": (lambda a: F.pad(a, (2, -1), mode="reflect"),
                                      lambda a: TF.pad(a, (2, -1), mode="reflect"),
                                      [normal(2, 1, 3)]),
    "pad_circular_crop": (lambda a: F.pad(a, (-1, 3, 1, -1), mode="circular"),
                          lambda a: TF.pad(a, (-1, 3, 1, -1), mode="circular"),
                          [normal(1, 3, 4)]),
    "pad_replicate_crop": (lambda a: F.pad(a, (-2, 1), mode="replicate"),
                           lambda a: TF.pad(a, (-2, 1), mode="replicate"), [normal(2, 5)]),
    "pad_replicate": (lambda a: F.pad(a, (3, 1, 0, 2), mode="replicate"),
                      lambda a: TF.pad(a, (3, 1, 0, 2), mode="replicate"), [normal(1, 2, 3, 2)]),
    "pad_circular": (lambda a: F.pad(a, (1, 2), mode="circular"),
                     lambda a: TF.pad(a, (1, 2), mode="circular"), [normal(2, 3, 4)]),
}


# PyTorch's hardsigmoid and hardswish backward multiply by 1/6 and 1/3 rounded to float32
LOOSER = {"hardsigmoid": 1e-7, "hardswish": 1e-7}


def _run(fn, arrays, lib):
    if lib == "ours":
        leaves = [Tensor(x, requires_grad=True) for x in arrays]
    else:
        leaves = [torch.tensor(x, requires_grad=True) for x in arrays]
    out = fn(*leaves)
    return leaves, out


@pytest.mark.filterwarnings("ignore:var")  # var_empty_dim: both libraries warn
@pytest.mark.parametrize("name", list(CASES))
def test_values_and_gradients_match_torch(name):
    ours, theirs, arrays = CASES[name]
    leaves, out = _run(ours, arrays, "ours")
    t_leaves, t_out = _run(theirs, arrays, "torch")
    expected = t_out.detach().numpy()
    assert out.shape == tuple(t_out.shape)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)
    if out.size == 0:
        return
    w = np.random.default_rng(1).standard_normal(out.shape)
    (out * w).sum().backward()
    (t_out * torch.tensor(w)).sum().backward()
    for leaf, t_leaf in zip(leaves, t_leaves):
        t_grad = np.zeros(leaf.shape) if t_leaf.grad is None else t_leaf.grad.numpy()
        np.testing.assert_allclose(leaf.grad, t_grad, rtol=LOOSER.get(name, 1e-9), atol=1e-12,
                                   err_msg=f"{name}: gradient differs from torch")


SECOND_ORDER = ["sin", "tan", "rsqrt", "elu", "selu", "celu", "gelu", "gelu_tanh", "silu",
                "mish", "softplus_beta", "softsign", "logsigmoid", "hardswish", "var", "std",
                "std_size1_correction0", "prod", "prod_zeros",
                "logsumexp", "cumprod", "cumprod_zeros", "cumprod_one_zero", "norm",
                "norm_p3", "norm_p1_dim"]


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_second_derivatives_match_torch(name):
    """d/dx <grad f(x), v> through create_graph, as torch.autograd.grad computes it."""
    ours, theirs, arrays = CASES[name]
    rng = np.random.default_rng(2)
    leaves, out = _run(ours, arrays, "ours")
    t_leaves, t_out = _run(theirs, arrays, "torch")
    w = rng.standard_normal(out.shape)
    out.backward(w, create_graph=True)
    grads = [leaf.grad for leaf in leaves]
    for leaf in leaves:
        leaf.grad = None
    t_grads = torch.autograd.grad((t_out * torch.tensor(w)).sum(), t_leaves, create_graph=True)
    vs = [rng.standard_normal(x.shape) for x in arrays]
    s = sum((g * v).sum() for g, v in zip(grads, vs))
    s.backward()
    t_s = sum((g * torch.tensor(v)).sum() for g, v in zip(t_grads, vs))
    t_second = torch.autograd.grad(t_s, t_leaves, allow_unused=True)
    for leaf, t_g in zip(leaves, t_second):
        expected = np.zeros(leaf.shape) if t_g is None else (
            torch.zeros(t_g.shape, dtype=t_g.dtype) + t_g).numpy()  # torch's ZeroTensor too
        got = np.zeros(leaf.shape) if leaf.grad is None else np.asarray(leaf.grad)
        np.testing.assert_allclose(got, expected, rtol=1e-8, atol=1e-10,
                                   err_msg=f"{name}: second derivative differs from torch")


def test_argmax_and_argmin_match_torch_including_ties():
    x = ties(4, 5)
    for dim in (None, 0, 1, -1):
        for keepdim in (False, True):
            for ours, theirs in ((ag.argmax, torch.argmax), (ag.argmin, torch.argmin)):
                got = ours(Tensor(x), dim=dim, keepdim=keepdim)
                expected = theirs(torch.tensor(x), dim=dim, keepdim=keepdim).numpy()
                assert isinstance(got, np.ndarray) and got.dtype.kind == "i"
                np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(Tensor(x).argmax(1), torch.tensor(x).argmax(1).numpy())


def test_modules_match_torch_modules():
    x = normal(4, 5) * 3
    pairs = [(nn.LeakyReLU(0.3), torch.nn.LeakyReLU(0.3)), (nn.ELU(2.0), torch.nn.ELU(2.0)),
             (nn.SELU(), torch.nn.SELU()), (nn.CELU(0.5), torch.nn.CELU(0.5)),
             (nn.GELU("tanh"), torch.nn.GELU("tanh")), (nn.SiLU(), torch.nn.SiLU()),
             (nn.Mish(), torch.nn.Mish()), (nn.Softplus(3.0, 4.0), torch.nn.Softplus(3.0, 4.0)),
             (nn.Softsign(), torch.nn.Softsign()), (nn.Hardtanh(-0.5, 2.0),
                                                    torch.nn.Hardtanh(-0.5, 2.0)),
             (nn.ReLU6(), torch.nn.ReLU6()), (nn.Hardsigmoid(), torch.nn.Hardsigmoid()),
             (nn.Hardswish(), torch.nn.Hardswish()), (nn.LogSigmoid(), torch.nn.LogSigmoid())]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).numpy(),
                                   rtol=1e-10, atol=1e-12, err_msg=repr(ours))


def test_factories_match_torch():
    assert ag.zeros(2, 3).shape == tuple(torch.zeros(2, 3).shape)
    assert ag.ones((2, 3)).dtype == np.float32
    np.testing.assert_array_equal(ag.eye(3, 2).data, torch.eye(3, 2).numpy())
    np.testing.assert_array_equal(ag.arange(1, 10, 3).data, torch.arange(1, 10, 3).numpy())
    assert ag.arange(5).dtype == np.int64 and torch.arange(5).dtype == torch.int64
    np.testing.assert_allclose(ag.linspace(-1, 2, 7).data, torch.linspace(-1, 2, 7).numpy())
    np.testing.assert_array_equal(ag.full((2, 2), 3.5).data, torch.full((2, 2), 3.5).numpy())


def test_var_std_defaults_torch_for_methods_numpy_for_functions():
    x = normal(6)
    assert np.isclose(Tensor(x).var().item(), torch.tensor(x).var().item())
    assert np.isclose(Tensor(x).std().item(), torch.tensor(x).std().item())
    assert np.isclose(ag.var(Tensor(x)).item(), np.var(x))
    assert np.isclose(ag.std(Tensor(x), ddof=1).item(), np.std(x, ddof=1))


@pytest.mark.parametrize("name", ["softplus", "logsigmoid", "gelu", "silu", "mish", "elu",
                                  "selu", "celu", "softsign", "hardswish", "leaky_relu"])
def test_activations_at_extreme_inputs_match_torch_without_floating_point_errors(name):
    """Far into the tails: no overflow, no nan, no cancellation; underflow to 0 is fine."""
    x = np.array([-1e3, -50.0, -1e-8, 0.0, 1e-8, 50.0, 1e3])
    leaf = Tensor(x, requires_grad=True)
    with np.errstate(all="raise"):
        out = getattr(F, name)(leaf)
        out.sum().backward()
    t = torch.tensor(x, requires_grad=True)
    t_out = getattr(TF, name)(t)
    t_out.sum().backward()
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(leaf.grad, t.grad.numpy(), rtol=1e-10, atol=1e-300)
