"""The operations learners bring from PyTorch and NumPy: names, keywords, defaults and edges.

Gradients of every operation are checked in tests/test_tensor_ops.py (finite differences)
and tests/test_torch_oracle_ops.py (against PyTorch); this file checks the API around
them: factories, PyTorch's and NumPy's spellings, where the two disagree, and errors.
"""

import numpy as np
import pytest

import autograd_lite as ag
import nn
from autograd_lite import Tensor, gradcheck, gradgradcheck


# ----- factories -----


@pytest.mark.parametrize("make", [ag.zeros, ag.ones, ag.empty, ag.randn, ag.rand])
def test_factories_take_sizes_either_way_with_dtype_and_requires_grad(make):
    assert make(2, 3).shape == make((2, 3)).shape == make([2, 3]).shape == (2, 3)
    assert make(2).dtype == ag.DEFAULT_DTYPE
    t = make(2, dtype=np.float64, requires_grad=True)
    assert t.dtype == np.float64 and t.requires_grad and t.is_leaf
    (t * 2).sum().backward()
    np.testing.assert_array_equal(t.grad, [2.0, 2.0])
    with pytest.raises(ValueError, match="non-negative integers"):
        make(2, -1)


def test_random_factories_are_reproducible_from_a_seed_or_a_generator():
    for make in (ag.randn, ag.rand):
        assert np.array_equal(make(5, seed=3).data, make(5, seed=3).data)
        assert not np.array_equal(make(5, seed=3).data, make(5, seed=4).data)
        assert np.array_equal(make(4, generator=np.random.default_rng(7)).data,
                              make(4, seed=np.random.default_rng(7)).data)
        np.random.seed(0)
        first = make(3).data
        np.random.seed(0)
        assert np.array_equal(first, make(3).data)  # NumPy's global seed is honoured
        with pytest.raises(ValueError, match="either seed= or generator="):
            make(2, seed=1, generator=np.random.default_rng(1))
        with pytest.raises(TypeError, match="seed must be"):
            make(2, seed=1.5)
    x = ag.randn(10000, seed=0, dtype=np.float64)
    assert abs(x.data.mean()) < 0.05 and abs(x.data.std() - 1) < 0.05
    u = ag.rand(10000, seed=0)
    assert u.data.min() >= 0 and u.data.max() < 1


def test_like_factories_keep_shape_and_dtype():
    t = Tensor(np.ones((2, 3)))
    for made in (ag.zeros_like(t), ag.ones_like(t), ag.full_like(t, 4.0),
                 ag.randn_like(t, seed=0)):
        assert made.shape == (2, 3) and made.dtype == np.float64 and not made.requires_grad
    assert ag.zeros_like(t, dtype=np.float32, requires_grad=True).requires_grad
    np.testing.assert_array_equal(ag.full_like(t, 4.0).data, np.full((2, 3), 4.0))


def test_full_eye_arange_linspace():
    np.testing.assert_array_equal(ag.full((2, 2), 3.0).data, np.full((2, 2), 3.0))
    np.testing.assert_array_equal(ag.eye(2, 3).data, np.eye(2, 3))
    np.testing.assert_array_equal(ag.arange(2, 8, 2).data, [2, 4, 6])
    assert ag.arange(1.0, 2.0, 0.5).dtype == np.float32
    assert ag.arange(3, dtype=np.float64, requires_grad=True).requires_grad
    np.testing.assert_allclose(ag.linspace(0, 1, num=3).data, [0, 0.5, 1])
    assert ag.linspace(0, 1).shape == (50,)  # NumPy's default count
    with pytest.raises(ValueError, match="step must not be 0"):
        ag.arange(0, 1, 0)


# ----- PyTorch's spellings -----


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "prod", "logsumexp"])
def test_reductions_accept_dim_and_keepdim(name):
    x = Tensor(np.arange(1.0, 7.0).reshape(2, 3))
    expected = getattr(x, name)(axis=1, keepdims=True).data
    result = getattr(x, name)(dim=1, keepdim=True)
    positional = getattr(x, name)(1, keepdim=True)
    if name in ("max", "min"):  # PyTorch's (values, indices)
        result, positional = result.values, positional.values
    np.testing.assert_allclose(result.data, expected)
    np.testing.assert_allclose(positional.data, expected)
    with pytest.raises(TypeError, match="same argument"):
        getattr(x, name)(axis=0, dim=1)


def test_softmax_permute_cat_and_flip_accept_pytorch_names():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_allclose(x.softmax(dim=0).data, x.softmax(axis=0).data)
    np.testing.assert_allclose(x.log_softmax(dim=0).data, x.log_softmax(0).data)
    assert x.permute(1, 0).shape == x.permute((1, 0)).shape == x.transpose(1, 0).shape
    assert ag.permute(x, (1, 0)).shape == (3, 2)
    y = Tensor(np.zeros((2, 3, 4)))
    assert y.transpose(0, 2).shape == (4, 3, 2)  # PyTorch's two-dim swap
    assert y.transpose(1, 0, 2).shape == y.transpose((1, 0, 2)).shape == (3, 2, 4)  # NumPy's
    assert x.transpose(0, 1).shape == (3, 2) and ag.swapaxes(y, 0, 1).shape == (3, 2, 4)
    assert ag.cat([x, x], dim=1).shape == ag.cat([x, x], axis=1).shape == (2, 6)
    np.testing.assert_array_equal(ag.flip(x, dims=(1,)).data, np.flip(x.data, 1))


# ----- where NumPy and PyTorch disagree: function = NumPy, method = PyTorch -----


def test_repeat_method_tiles_like_pytorch_function_repeats_like_numpy():
    x = Tensor([1.0, 2.0])
    np.testing.assert_array_equal(x.repeat(2).data, [1, 2, 1, 2])
    np.testing.assert_array_equal(ag.repeat(x, 2).data, np.repeat([1.0, 2.0], 2))
    np.testing.assert_array_equal(ag.repeat(x, [0, 3]).data, [2, 2, 2])
    assert x.repeat(3, 2).shape == np.tile(x.data, (3, 2)).shape == (3, 4)
    with pytest.raises(ValueError, match="at least one per dimension"):
        Tensor(np.zeros((2, 2))).repeat(2)


def test_split_method_takes_sizes_function_takes_sections():
    x = Tensor(np.arange(6.0))
    assert [t.shape for t in x.split(4)] == [(4,), (2,)]
    assert [t.shape for t in ag.split(x, 3)] == [(2,), (2,), (2,)]
    with pytest.raises(ValueError, match="equal pieces"):
        ag.split(x, 4)
    assert [t.data.tolist() for t in ag.split(x, [1, -2])] == [[0.0], [1.0, 2.0, 3.0], [4.0, 5.0]]


def test_squeeze_method_ignores_non_one_axes_function_raises():
    x = Tensor(np.zeros((1, 3, 1)))
    assert x.squeeze().shape == (3,) and x.squeeze(1).shape == (1, 3, 1)
    assert x.squeeze(dim=-1).shape == (1, 3)
    assert ag.squeeze(x).shape == (3,) and ag.squeeze(x, axis=(0, 2)).shape == (3,)
    with pytest.raises(ValueError, match="axis 1 .* has size 3"):
        ag.squeeze(x, 1)


def test_var_and_std_defaults():
    x = Tensor(np.array([1.0, 2.0, 4.0, 7.0]))
    assert np.isclose(x.var().item(), np.var(x.data, ddof=1))
    assert np.isclose(x.var(unbiased=False).item(), np.var(x.data))
    assert np.isclose(x.std(correction=0).item(), np.std(x.data))
    assert np.isclose(ag.var(x).item(), np.var(x.data))
    assert np.isclose(ag.std(x, ddof=1).item(), np.std(x.data, ddof=1))
    with pytest.raises(TypeError, match="one of ddof, correction and unbiased"):
        ag.var(x, ddof=1, unbiased=True)
    with pytest.warns(RuntimeWarning, match="no degrees of freedom"):
        assert np.isnan(Tensor([3.0]).var().item())  # 0 / 0, as in PyTorch


# ----- edges -----


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc", "sign"])
def test_step_functions_have_zero_gradients_not_none(name):
    x = Tensor(np.array([-1.5, 0.2, 2.7]), requires_grad=True)
    getattr(x, name)().backward(np.array([1.0, np.inf, -2.0]))
    assert isinstance(x.grad, np.ndarray)
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])  # 0, even for an infinite g


def test_prod_and_cumprod_gradients_at_zeros_match_finite_differences():
    x = np.array([[0.0, 2.0, 0.0, 3.0], [1.5, 0.0, -2.0, 0.5], [1.0, 2.0, 3.0, 4.0]])
    for f in (lambda t: t.prod(1), lambda t: t.prod(), lambda t: t.prod(0),
              lambda t: t.cumprod(1), lambda t: t.cumprod(0), lambda t: t.cumprod()):
        assert gradcheck(f, [x])
        assert gradgradcheck(f, [x])


def test_prod_and_cumprod_gradients_where_the_running_product_underflows():
    # out / a would give 0 here: the running products are subnormal or underflow to 0
    x = Tensor(np.array([[1e-200, 1e-200, 3.0], [2.0, 0.0, 4.0]]), requires_grad=True)
    x.cumprod(axis=1).backward(np.ones((2, 3)))
    np.testing.assert_allclose(x.grad, [[1.0, 4e-200, 0.0], [1.0, 10.0, 0.0]], rtol=1e-12)
    tiny = Tensor(np.array([5e-324, 5e-324]), requires_grad=True)
    tiny.prod(axis=0).backward(np.array(1.0), create_graph=True)
    first = tiny.grad
    tiny.grad = None
    (first * Tensor(np.array([0.27, 0.11]))).sum().backward()
    np.testing.assert_allclose(tiny.grad, [0.11, 0.27])   # d2/dx0 dx1 of x0 * x1 is 1


def test_argmax_argmin_return_integer_arrays_and_take_the_first_tie():
    x = Tensor(np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]), requires_grad=True)
    assert isinstance(x.argmax(), np.ndarray) and x.argmax().item() == 1
    np.testing.assert_array_equal(x.argmax(1), [1, 0])
    np.testing.assert_array_equal(x.argmin(dim=0, keepdim=True), [[0, 1, 1]])
    np.testing.assert_array_equal(ag.argmax(x, axis=0), np.argmax(x.data, axis=0))
    with pytest.raises(ValueError, match="empty"):
        ag.argmax(Tensor(np.zeros((0, 2))))


def test_empty_axes():
    x = Tensor(np.zeros((0, 3)), requires_grad=True)
    assert x.flatten().shape == (0,) and x.flatten(0, 1).shape == (0,)
    assert Tensor(np.zeros((2, 0, 3))).flatten(1).shape == (2, 0)
    out = x.prod(0) + x.sum(0) + x.cumsum(0).sum(0) + x.logsumexp(0).exp()
    out.sum().backward()
    assert x.grad.shape == (0, 3)
    np.testing.assert_array_equal(x.prod(0).data, [1.0, 1.0, 1.0])


def test_gelu_is_exact_far_into_the_tails():
    from math import erf, erfc, sqrt

    x = np.array([-30.0, -8.0, -2.5, -1.0, 0.3, 2.0, 7.0])
    phi = np.array([0.5 * erfc(-v / sqrt(2)) for v in x])
    np.testing.assert_allclose(nn.functional.gelu(Tensor(x)).data, x * phi, rtol=1e-12)
    np.testing.assert_allclose(ag.erf(Tensor(x)).data, [erf(v) for v in x], rtol=1e-14)


def test_errors_name_the_operation_and_the_fix():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="gather: index of shape"):
        x.gather(1, np.zeros((3, 3), int))
    with pytest.raises(IndexError, match="gather: index values must lie in"):
        x.gather(1, np.full((2, 1), 3))
    with pytest.raises(TypeError, match="gather: index must hold integers"):
        x.gather(1, np.zeros((2, 1)))
    with pytest.raises(ValueError, match="reflect padding .* must be smaller"):
        nn.functional.pad(x, (3, 0), mode="reflect")
    with pytest.raises(ValueError, match="pad: unknown mode"):
        nn.functional.pad(x, (1, 1), mode="mirror")
    with pytest.raises(ValueError, match="pad: 3 widths"):
        nn.functional.pad(x, (1, 1, 1))
    with pytest.raises(ValueError, match="tril: needs at least 2 dimensions"):
        Tensor([1.0]).tril()
    with pytest.raises(ValueError, match="norm: NumPy's matrix norm"):
        ag.norm(x, 1)
    with pytest.raises(ValueError, match="gelu: approximate"):
        nn.functional.gelu(x, approximate="fast")


def test_numpy_ufuncs_reach_the_new_operations():
    t = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    out = np.sin(t) + np.log1p(t) + np.square(t) + np.minimum(t, 1.0) + np.floor(t)
    assert isinstance(out, Tensor)
    out.sum().backward()
    expected = np.cos(t.data) + 1 / (1 + t.data) + 2 * t.data + (t.data < 1)
    np.testing.assert_allclose(t.grad, expected)


# ----- nn modules -----


def test_activation_modules_take_pytorch_arguments_and_serve_mlp_names():
    x = Tensor(np.linspace(-4, 4, 9))
    assert np.allclose(nn.LeakyReLU(0.2)(x).data, np.where(x.data > 0, x.data, 0.2 * x.data))
    assert np.allclose(nn.ReLU6()(x * 3).data, np.clip(x.data * 3, 0, 6))
    assert np.allclose(nn.Hardtanh(-2.0, 2.0)(x).data, np.clip(x.data, -2, 2))
    assert repr(nn.Softplus(beta=2.0, threshold=10.0)) == "Softplus(beta=2.0, threshold=10.0)"
    model = nn.MLP([2, 4, 1], activation="gelu")
    assert isinstance(model[1], nn.GELU)
    with pytest.raises(ValueError, match="CELU: alpha must not be 0"):
        nn.CELU(0.0)
    assert nn.SiLU(inplace=True)(x).shape == x.shape  # accepted; the result is new


def test_max_and_min_with_dim_return_pytorchs_values_and_indices():
    x = Tensor(np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]]), requires_grad=True)
    values, indices = x.max(dim=1)
    np.testing.assert_array_equal(values.data, [5.0, 7.0])
    np.testing.assert_array_equal(indices, [1, 0])
    assert x.max(dim=1).values.shape == (2,) and x.min(dim=0, keepdim=True).indices.shape == (1, 3)
    np.testing.assert_array_equal(x.max(axis=1).data, [5.0, 7.0])  # NumPy's way: values
    np.testing.assert_array_equal(x.max(1).indices, [1, 0])  # positional: PyTorch's dim
    values.sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 1, 0], [1, 0, 0]])  # ties: to the index
    y = Tensor(np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]]), requires_grad=True)
    y.max(axis=1).sum().backward()
    np.testing.assert_array_equal(y.grad, [[0, 1, 0], [0.5, 0, 0.5]])  # ties split, as amax


RAGGED = [[1.0, 2.0], [3.0]]


def _t():
    return Tensor(np.ones((2, 3)), requires_grad=True)


# (the operation the message must name, a call with a bad input)
BAD_INPUTS = {
    "full string": ("full", lambda: ag.full((2,), "x")),
    "zeros dtype": ("zeros", lambda: ag.zeros(2, dtype="foo")),
    "randn dtype": ("randn", lambda: ag.randn(2, dtype="foo")),
    "arange string": ("arange", lambda: ag.arange("x")),
    "linspace string": ("linspace", lambda: ag.linspace(0, "x", 3)),
    "zeros_like ragged": ("zeros_like", lambda: ag.zeros_like(RAGGED)),
    "randn_like None": ("randn_like", lambda: ag.randn_like(None)),
    "sin ragged": ("sin", lambda: ag.sin(RAGGED)),
    "var ragged": ("var", lambda: ag.var(RAGGED)),
    "var correction": ("var", lambda: _t().var(correction="x")),
    "argmax ragged": ("argmax", lambda: ag.argmax(RAGGED)),
    "round decimals": ("round", lambda: _t().round(1.5)),
    "unsqueeze None": ("unsqueeze", lambda: _t().unsqueeze(None)),
    "permute int": ("permute", lambda: ag.permute(_t(), 1)),
    "split string": ("split", lambda: _t().split("x")),
    "gather ragged": ("gather", lambda: _t().gather(1, RAGGED)),
    "tril string": ("tril", lambda: _t().tril("x")),
    "pad floats": ("pad", lambda: nn.functional.pad(_t(), (1.5, 1))),
    "pad string": ("pad", lambda: ag.pad(_t(), "x")),
    "leaky_relu slope": ("leaky_relu", lambda: nn.functional.leaky_relu(_t(), "x")),
    "softplus beta 0": ("softplus", lambda: nn.functional.softplus(_t(), beta=0)),
    "LeakyReLU slope": ("LeakyReLU", lambda: nn.LeakyReLU("x")),
    "Softplus beta": ("Softplus", lambda: nn.Softplus(beta="x")),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_inputs_get_errors_that_name_the_operation(case):
    from test_error_messages import RAW

    op, call = BAD_INPUTS[case]
    with pytest.raises((TypeError, ValueError)) as err:
        call()
    message = str(err.value)
    assert op in message, message
    assert not [raw for raw in RAW if raw in message], message
