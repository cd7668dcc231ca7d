"""Faults found by checking PyTorch's Tensor methods against PyTorch and NumPy: fill values
a dtype cannot hold, all/any's NumPy spellings and empty dim, 0-d sort's dim range, softmax
under np.errstate(all="raise"), and running sums given a tuple of dims."""

import warnings

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import Tensor

# ***** fill values out of the dtype's range: refused, never wrapped or made inf *****


@pytest.mark.parametrize("make", [
    lambda t, v: t.masked_fill(np.array([True, False]), v),
    lambda t, v: t.new_full((2,), v),
    lambda t, v: ag.full((2,), v, dtype=t.dtype),
], ids=["masked_fill", "new_full", "full"])
@pytest.mark.parametrize("dtype, value", [
    (np.int32, 2**40), (np.int32, 2.0**40), (np.uint8, -1), (np.int64, 2**70),
    (np.float32, 1e40), (np.float32, -1e300),
])
def test_a_fill_value_the_dtype_cannot_hold_is_refused(make, dtype, value):
    t = Tensor(np.array([1, 2]), dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy overflow warning instead of the error
        with pytest.raises(ValueError, match=r"(masked_fill|new_full|full): .*"
                                             + np.dtype(dtype).name):
            make(t, value)


def test_fill_values_at_the_dtype_limits_still_fill():
    t = Tensor(np.array([1, 2]), dtype=np.int32)
    top = np.iinfo(np.int32).max
    assert t.masked_fill(np.array([True, False]), top).tolist() == [top, 2]
    assert t.new_full((1,), -top - 1).tolist() == [-top - 1]
    f = Tensor([1.0, 2.0])
    assert f.masked_fill(np.array([True, False]), np.inf).tolist() == [np.inf, 2.0]
    assert f.new_full((1,), float(np.finfo(np.float32).max)).tolist() == [
        float(np.finfo(np.float32).max)]
    assert np.isnan(f.new_full((1,), np.nan).tolist()[0])


# ***** all/any: NumPy's axis/keepdims too; dim=() reduces nothing (PyTorch and NumPy) *****


def test_all_any_take_numpy_spellings_and_an_empty_dim_like_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle here: "
                                                "pip install torch==2.13.0")
    x = np.array([[1.0, 0.0, np.nan], [2.0, 3.0, -1.0]])
    t, tt = Tensor(x, dtype=np.float64), torch.tensor(x)
    for name in ("all", "any"):
        for kwargs in ({"axis": 1}, {"dim": ()}, {"dim": []}, {"axis": 0, "keepdims": True},
                       {"dim": -1, "keepdim": True}):
            ours = getattr(t, name)(**kwargs)
            ref = getattr(tt, name)(**{k.replace("keepdims", "keepdim"): v
                                      for k, v in kwargs.items()})
            np.testing.assert_array_equal(ours.data, ref.numpy())
            assert ours.dtype == np.bool_
        with pytest.raises(TypeError, match=name):
            getattr(t, name)(dim=0, axis=1)


# ***** 0-d sort/argsort/topk: dim must be 0 or -1, as in PyTorch *****


@pytest.mark.parametrize("call", [lambda t: t.sort(1), lambda t: t.argsort(-2),
                                  lambda t: t.topk(1, 5)], ids=["sort", "argsort", "topk"])
def test_zero_dim_sort_refuses_a_dim_out_of_range(call):
    with pytest.raises(ValueError, match="out of range"):
        call(Tensor(3.0))
    assert Tensor(3.0).sort(-1).values.shape == ()
    assert Tensor(3.0).argsort(0).shape == ()


# ***** softmax and log_softmax when the caller made NumPy raise on underflow *****


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_underflow_is_harmless_under_errstate_raise(name):
    x = np.array([[0.0, 0.0, 0.0, -744.0]])  # exp(-744)/3 underflows (a subnormal)
    with np.errstate(all="ignore"):
        t = Tensor(x, dtype=np.float64, requires_grad=True)
        getattr(t, name)(-1)[:, :1].sum().backward()
        expected_value, expected_grad = getattr(Tensor(x, dtype=np.float64), name)(-1), t.grad
    t.grad = None
    with np.errstate(all="raise"):
        y = getattr(t, name)(-1)
        y[:, :1].sum().backward()
    np.testing.assert_array_equal(y.data, expected_value.data)
    np.testing.assert_array_equal(t.grad, expected_grad)
    with np.errstate(all="raise"), pytest.raises(FloatingPointError):
        Tensor([np.inf, 0.0]).softmax(0)  # inf - inf is invalid: still raises


# ***** cumsum/cumprod run along one dim: a tuple is refused, not read as its first *****


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_running_ops_refuse_a_tuple_of_dims(name):
    t = Tensor(np.arange(1.0, 7.0).reshape(2, 3))
    with pytest.raises(TypeError, match=name):
        getattr(t, name)((0, 1))
    with pytest.raises(TypeError, match=name):
        getattr(t, name)(dim=[1])


# ***** the (values, indices) pair used as a tensor: the hint, for every operator *****


@pytest.mark.parametrize("use", [
    lambda p: p + 1, lambda p: 1 + p, lambda p: p - 1, lambda p: 1 - p, lambda p: p / 2,
    lambda p: 2 / p, lambda p: p ** 2, lambda p: -p, lambda p: p + p, lambda p: p.sum(),
    lambda p: p.backward(),
], ids=["add", "radd", "sub", "rsub", "div", "rdiv", "pow", "neg", "pair+pair", "sum",
        "backward"])
@pytest.mark.parametrize("make", [lambda t: t.sort(), lambda t: t.topk(1),
                                  lambda t: t.max(1)], ids=["sort", "topk", "max"])
def test_the_values_indices_pair_used_as_a_tensor_names_values(make, use):
    pair = make(Tensor([[3.0, 1.0, 2.0]], requires_grad=True))
    with pytest.raises((TypeError, AttributeError), match=r"take \.values"):
        use(pair)
    values, indices = pair  # still a pair
    assert pair[0] is values and pair.indices is indices


def test_masked_fill_value_that_requires_grad_into_an_integer_tensor_is_refused():
    """The value's gradient would be dropped and 2.5 truncated to 2 (PyTorch raises too)."""
    v = Tensor(2.5, requires_grad=True)
    t = Tensor(np.array([1, 2]), dtype=np.int64)
    with pytest.raises(TypeError, match=r"masked_fill: .*int64.*\.float\(\)"):
        t.masked_fill(np.array([True, False]), v)
    big = Tensor(np.float64(1e40), requires_grad=True)
    with pytest.raises(ValueError, match="masked_fill: .*float32"):
        Tensor([1.0, 2.0]).masked_fill(np.array([True, False]), big)
    out = Tensor([1.0, 2.0]).masked_fill(np.array([True, False]), v)
    out.sum().backward()
    assert out.tolist() == [2.5, 2.0] and v.grad == 1.0


@pytest.mark.parametrize("bound", [np.float64(0.5), np.array(0.5), np.int64(0),
                                   Tensor(np.float64(0.5)), Tensor(np.int64(0), dtype=np.int64)],
                         ids=["np.float64", "0-d array", "np.int64", "0-d Tensor", "int Tensor"])
@pytest.mark.parametrize("name", ["clamp", "clip", "clamp_min", "clamp_max"])
def test_a_number_bound_keeps_the_tensors_float_dtype(bound, name):
    """As PyTorch's clamp and the engine's arithmetic: a 0-d bound takes a floating tensor's
    dtype (NumPy's clip would promote float32 to float64)."""
    x = Tensor([-1.0, 0.25, 2.0], requires_grad=True)
    y = getattr(x, name)(bound) if name != "clip" else x.clip(bound)
    assert y.dtype == np.float32
    assert Tensor(np.array([-1.0, 2.0]), dtype=np.float64).clamp(np.float32(0.5)).dtype == \
        np.float64
    assert x.clamp(min=np.zeros(3)).dtype == np.float64  # an array bound promotes, as there


def test_argmax_of_several_axes_and_clamp_bounds_of_the_wrong_shape_are_refused_by_name():
    t = Tensor(np.ones((2, 3), np.float32))
    for call in (lambda: t.argmax((0, 1)), lambda: t.argmin(dim=(0, 1))):
        with pytest.raises(TypeError, match=r"arg(max|min): dim must be one int.*\(0, 1\)"):
            call()
    with pytest.raises(ValueError, match=r"clamp: the bound min of shape \(4,\).*\(2, 3\)"):
        t.clamp(np.ones(4))
    with pytest.raises(ValueError, match=r"clamp_max: the bound max of shape \(3, 2, 3\)"):
        t.clamp_max(np.ones((3, 2, 3)))
    assert t.clamp(np.zeros((2, 1)), 2.0).shape == (2, 3)  # a bound that broadcasts
