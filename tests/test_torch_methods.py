"""PyTorch's Tensor methods that learners carry over: view, clone, float/double/long/int/
bool, numel, tolist, all/any, masked_fill, sort/argsort/topk, new_zeros/new_ones/new_full,
clamp/clamp_min/clamp_max; and the positional empty axis `t.sum(())`, refused.

The differentiable ones are checked against finite differences on random shapes
(hypothesis), and everything against PyTorch itself when it is installed.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import Tensor, gradcheck
from autograd_lite.engine import ModifiedInPlaceError
from autograd_lite.testing import arrays

FEW = settings(max_examples=15, deadline=None)


def _torch():
    return pytest.importorskip("torch", reason="PyTorch is the oracle here: "
                                                "pip install torch==2.13.0")


# ***** gradients against finite differences, random shapes *****


@st.composite
def sort_case(draw):
    """Distinct values (ties have no derivative to check), a dim (maybe negative)."""
    x = draw(arrays(unique=True, min_dims=1, max_dims=3))
    dim = draw(st.integers(-x.ndim, x.ndim - 1))
    return x, dim, draw(st.booleans())


@FEW
@given(sort_case())
def test_sort_values_gradient(case):
    x, dim, descending = case
    assert gradcheck(lambda t: t.sort(dim, descending).values, [x])


@FEW
@given(sort_case(), st.data())
def test_topk_values_gradient(case, data):
    x, dim, largest = case
    k = data.draw(st.integers(0, x.shape[dim]))
    assert gradcheck(lambda t: t.topk(k, dim, largest).values, [x])


@FEW
@given(st.data())
def test_masked_fill_gradient_is_zero_where_filled(data):
    x = data.draw(arrays(min_dims=0, max_dims=3))
    mask = data.draw(st.lists(st.booleans(), min_size=x.size, max_size=x.size))
    mask = np.array(mask, dtype=bool).reshape(x.shape)
    assert gradcheck(lambda t: t.masked_fill(Tensor(mask).bool(), 7.5), [x])
    t = Tensor(x, requires_grad=True)
    t.masked_fill(mask, -1.0).sum().backward()
    np.testing.assert_array_equal(t.grad, np.where(mask, 0.0, 1.0))


@FEW
@given(st.data())
def test_masked_fill_broadcast_mask_and_a_value_that_requires_grad(data):
    x = data.draw(arrays(shape=(3, 4)))
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=4, max_size=4)))
    assert gradcheck(lambda t, v: t.masked_fill(mask, v), [x, np.array(0.5)])


@FEW
@given(arrays(min_dims=0, max_dims=3, away_from=(-1.0, 1.5)))
def test_clamp_gradient(x):
    assert gradcheck(lambda t: t.clamp(-1.0, 1.5), [x])
    assert gradcheck(lambda t: t.clamp(min=-1.0), [x])
    assert gradcheck(lambda t: t.clamp_min(-1.0) * t.clamp_max(1.5), [x])


@FEW
@given(arrays(min_dims=0, max_dims=3))
def test_view_clone_and_casts_are_differentiable(x):
    assert gradcheck(lambda t: t.view(-1) * 2.0, [x])
    assert gradcheck(lambda t: t.view(x.shape[::-1]) ** 2, [x])
    assert gradcheck(lambda t: t.clone() * t, [x])
    assert gradcheck(lambda t: t.float().double() ** 2, [x], eps=1e-2, rtol=1e-4)


# ***** behaviour *****


def test_sort_ties_keep_their_order_also_descending_and_nan_is_largest():
    x = Tensor([1.0, 3.0, 3.0, 2.0, 3.0, 1.0])
    assert x.sort().indices.tolist() == [0, 5, 3, 1, 2, 4]
    assert x.sort(descending=True).indices.tolist() == [1, 2, 4, 3, 0, 5]
    assert x.topk(2).indices.tolist() == [1, 2]
    assert x.topk(2, largest=False).indices.tolist() == [0, 5]
    y = Tensor([3.0, np.nan, 1.0])
    assert y.sort().indices.tolist() == [2, 0, 1]
    assert y.sort(descending=True).indices.tolist() == [1, 0, 2]
    assert y.argsort(descending=True).tolist() == [1, 0, 2]


def test_sort_gradient_goes_back_to_where_each_value_came_from():
    x = Tensor([[3.0, 1.0, 2.0]], requires_grad=True)
    values, indices = x.sort(-1, descending=True)
    (values * Tensor([10.0, 20.0, 30.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [[10.0, 30.0, 20.0]])
    assert indices.dtype == np.int64 and not indices.requires_grad
    assert isinstance(x.sort(), ag.routines.ValuesIndices)


def test_topk_gives_unpicked_elements_zero_gradient_and_its_indices_index():
    x = Tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], requires_grad=True)
    values, indices = x.topk(2, dim=1)
    values.sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 1, 1], [1, 0, 1]])
    np.testing.assert_array_equal(x.gather(1, indices).data, values.data)
    assert x.topk(1, dim=0, largest=False).values.tolist() == [[1.0, 2.0, 3.0]]


def test_zero_dim_sort_and_topk():
    x = Tensor(2.0)
    assert x.sort().values.shape == () and x.sort().indices.tolist() == 0
    assert x.topk(1).values.item() == 2.0 and x.topk(0).values.shape == (0,)


def test_clone_is_new_memory_with_its_own_version_counter():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1.0
    c = y.clone()
    assert not np.shares_memory(c.data, y.data) and c._vc is not y._vc
    loss = (y * y).sum()
    with ag.no_grad():
        c += 1.0  # changes the clone alone: the graph that used y still works
    loss.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])
    np.testing.assert_array_equal(y.data, [1.0, 2.0, 3.0])


def test_view_shares_memory_and_version_counter():
    x = Tensor(np.arange(6.0), requires_grad=True)
    y = x * 1.0
    v = y.view(2, 3)
    assert np.shares_memory(v.data, y.data)
    loss = (y * y).sum()
    with ag.no_grad():
        v += 1.0  # a change of y's memory: backward through y * y refuses
    np.testing.assert_array_equal(y.data, np.arange(6.0) + 1)
    with pytest.raises(ModifiedInPlaceError):
        loss.backward()


def test_view_spellings_and_a_flipped_tensor():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert x.view(-1).shape == (6,) and x.view(3, 2).shape == x.view((3, 2)).shape == (3, 2)
    assert x.view([1, -1]).shape == (1, 6) and Tensor([5.0]).view(()).shape == ()
    np.testing.assert_array_equal(x.flip(0).view(-1).data, [3, 4, 5, 0, 1, 2])


def test_casts_follow_pytorch():
    w = Tensor([1.7, -1.7], requires_grad=True)
    assert w.float() is w and w.double().dtype == np.float64 and w.double().requires_grad
    for method, dtype in (("long", np.int64), ("int", np.int32), ("bool", np.bool_)):
        out = getattr(w, method)()
        assert out.dtype == dtype and not out.requires_grad
    assert w.long().tolist() == [1, -1] and w.bool().tolist() == [True, True]
    w.double().sum().backward()
    np.testing.assert_array_equal(w.grad, [1.0, 1.0])


def test_numel_tolist_all_any_new():
    x = Tensor([[1.0, 0.0, 2.0], [3.0, 4.0, 5.0]])
    assert x.numel() == 6 and type(x.numel()) is int
    assert x.tolist() == [[1.0, 0.0, 2.0], [3.0, 4.0, 5.0]] and Tensor(2.5).tolist() == 2.5
    assert x.all().dtype == np.bool_ and x.all().item() is False and x.any().item() is True
    assert x.all(1).tolist() == [False, True] and x.all(dim=-1, keepdim=True).shape == (2, 1)
    assert x.any(0).tolist() == [True, True, True] and x.all(dim=(0, 1)).shape == ()
    n = x.long().new_zeros(2, 3)
    assert n.dtype == np.int64 and n.shape == (2, 3) and not n.data.any()
    assert x.new_ones((2,)).tolist() == [1.0, 1.0] and x.new_ones(2).dtype == x.dtype
    assert x.new_full((2,), 7).tolist() == [7.0, 7.0]
    assert x.new_zeros(3, dtype=np.float64, requires_grad=True).requires_grad


def test_masked_fill_keeps_the_dtype_and_takes_a_0d_tensor():
    x = Tensor([1.0, 2.0, 3.0])
    assert x.masked_fill(x > 1.5, Tensor(0.0)).tolist() == [1.0, 0.0, 0.0]
    assert x.long().masked_fill(np.array([True, False, False]), 9).tolist() == [9, 2, 3]
    with pytest.raises(TypeError, match=r"masked_fill: fill_value 9.5 is not a whole number"):
        x.long().masked_fill(x > 0, 9.5)  # PyTorch would truncate to 9: refused here
    assert x.masked_fill(np.array([[True], [False]]), 0.0).shape == (2, 3)


def test_numpy_functions_keep_numpy_meanings():
    x = Tensor([[3.0, 1.0, 2.0]], requires_grad=True)
    np.testing.assert_array_equal(np.sort(x).data, [[1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(np.sort(x, axis=None).data, [1.0, 2.0, 3.0])
    assert np.sum(x, ()).shape == (1, 3) and np.mean(x, axis=()).shape == (1, 3)
    assert np.all(x) == np.True_ and isinstance(np.all(x), np.bool_)
    np.testing.assert_array_equal(np.argsort(x, axis=1, kind="stable"), [[1, 2, 0]])


# ***** the positional empty axis *****

# (all and any are not here: their dim=() reduces nothing in PyTorch too, as NumPy's axis=();
# see tests/test_review4.py)
REDUCTIONS = ["sum", "mean", "max", "min", "prod", "std", "var", "logsumexp", "argmax",
              "argmin", "cumsum", "cumprod", "softmax", "log_softmax"]


@pytest.mark.parametrize("name", REDUCTIONS)
def test_a_positional_empty_axis_is_refused_like_dim(name):
    x = Tensor([[1.0, 2.0], [3.0, 4.0]])
    for call in (lambda: getattr(x, name)(()), lambda: getattr(x, name)(dim=())):
        with pytest.raises(ValueError, match=rf"^{name}: dim=\(\) is ambiguous: PyTorch "):
            call()
    with pytest.raises(ValueError, match=r"^norm: dim=\(\) is ambiguous"):
        x.norm(2, ())


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
def test_numpy_axis_keyword_still_reduces_nothing(name):
    x = Tensor([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(getattr(x, name)(axis=()).data, x.data)
    assert x.sum(0).tolist() == [4.0, 6.0] and x.sum(0, True).shape == (1, 2)
    assert x.sum([0, 1]).item() == 10.0 and x.mean(-1).tolist() == [1.5, 3.5]


# ***** errors *****


def test_errors_name_the_method_the_shapes_and_the_fix():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"topk: k=4 is out of range for dim 1 of size 3 "
                                         r"\(a tensor of shape \(2, 3\)\)"):
        x.topk(4, 1)
    with pytest.raises(ValueError, match=r"topk: k=-1"):
        x.topk(-1)
    with pytest.raises(TypeError, match=r"masked_fill: the mask must be bool .* float64 of "
                                        r"shape \(2, 3\).*mask.bool\(\)"):
        x.masked_fill(Tensor(np.ones((2, 3))), 1.0)
    with pytest.raises(ValueError, match=r"masked_fill: a mask of shape \(2,\) does not "
                                         r"broadcast with the tensor of shape \(2, 3\)"):
        x.masked_fill(np.ones(2, bool), 1.0)
    with pytest.raises(ValueError, match=r"masked_fill: value must be a number or a 0-d"):
        x.masked_fill(x > 0, Tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"masked_fill: fill_value must be a real number"):
        x.masked_fill(x > 0, "a")
    with pytest.raises(TypeError, match=r"new_full: fill_value 1.5 is not a whole number"):
        x.long().new_full((2,), 1.5)
    with pytest.raises(TypeError, match=r"new_zeros: only floating tensors can require grad"):
        x.long().new_zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"new_ones: sizes must be non-negative"):
        x.new_ones(-1)
    with pytest.raises(ValueError, match=r"view: cannot view a tensor of shape \(2, 3\) "
                                         r"\(6 elements\) as shape \(4,\)"):
        x.view(4)
    with pytest.raises(ValueError, match=r"view: .*as shape \(-1, -1\)"):
        x.view(-1, -1)
    with pytest.raises(ValueError, match=r"view: the tensor of shape \(3, 2\) is not "
                                         r"contiguous.*Use \.reshape\(-1\)"):
        x.T.view(-1)
    with pytest.raises(TypeError, match=r"view: view\(dtype\)"):
        x.view(np.float32)
    with pytest.raises(ValueError, match=r"clamp: give at least one of min and max"):
        x.clamp()
    with pytest.raises(TypeError, match=r"clamp_min: the bound min is a Tensor that "
                                        r"requires grad"):
        x.clamp_min(Tensor([0.0], requires_grad=True))
    with pytest.raises(TypeError, match=r"sort: dim must be an int"):
        x.sort((0, 1))
    with pytest.raises(ValueError, match=r"argsort: axis 2 is out of range"):
        x.argsort(2)


# ***** against PyTorch *****

A = np.array([[[1.0, 3.0, 3.0, 2.0], [0.5, -1.0, 0.5, 0.5], [2.0, 2.0, 2.0, 2.0]],
              [[4.0, -3.0, 1.0, 1.0], [0.0, 0.0, 1.0, 0.0], [5.0, 6.0, 7.0, 8.0]]])


def _check(ours, theirs):
    theirs = theirs.detach().numpy()
    assert np.asarray(ours.data).dtype == theirs.dtype
    np.testing.assert_allclose(ours.data, theirs, rtol=1e-6)


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2, -3])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_matches_pytorch_with_ties(dim, descending):
    torch = _torch()
    g = np.random.default_rng(dim + 5).standard_normal(A.shape)
    x, t = Tensor(A.copy(), requires_grad=True), torch.tensor(A, requires_grad=True)
    ours = x.sort(dim, descending)
    theirs = t.sort(dim=dim, descending=descending, stable=True)
    _check(ours.values, theirs.values)
    _check(ours.indices, theirs.indices)
    _check(x.argsort(dim, descending), t.argsort(dim=dim, descending=descending, stable=True))
    (ours.values * Tensor(g)).sum().backward()
    (theirs.values * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy())


@pytest.mark.parametrize("dim", [0, 2, -1, -2])
@pytest.mark.parametrize("largest", [False, True])
def test_topk_matches_pytorch(dim, largest):
    torch = _torch()
    k = 2
    x, t = Tensor(A.copy(), requires_grad=True), torch.tensor(A, requires_grad=True)
    ours, theirs = x.topk(k, dim, largest), t.topk(k, dim=dim, largest=largest)
    _check(ours.values, theirs.values)  # the values are the same, ties or not
    np.testing.assert_array_equal(x.gather(dim % 3, ours.indices).data, ours.values.data)
    # PyTorch's indices for ties are unspecified; ours are the first ones: the stable sort's
    _check(ours.indices, t.sort(dim=dim, descending=largest, stable=True).indices.narrow(
        dim, 0, k))
    # without ties the indices and gradients are PyTorch's
    d = np.random.default_rng(0).permutation(A.size).reshape(A.shape) / 7.0
    x, t = Tensor(d, requires_grad=True), torch.tensor(d, requires_grad=True)
    ours, theirs = x.topk(k, dim, largest), t.topk(k, dim=dim, largest=largest)
    _check(ours.indices, theirs.indices)
    g = np.arange(np.prod(ours.values.shape)).reshape(ours.values.shape) + 1.0
    (ours.values * Tensor(g)).sum().backward()
    (theirs.values * torch.tensor(g)).sum().backward()
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


@pytest.mark.parametrize("name", ["clamp", "masked_fill", "view", "clone", "float", "double",
                                  "long", "int", "bool", "all", "any", "new", "tolist"])
def test_method_matches_pytorch(name):
    torch = _torch()
    lo, hi = torch.tensor(0.5), Tensor(0.5)
    mask = A[0] > 2.5  # no row all masked: softmax of only -inf is nan (in PyTorch too)
    cases = {  # name: f(tensor, lib-specific mask)
        "clamp": lambda x, m: (x.clamp(-0.5, 2.0), x.clamp(min=1.0), x.clamp(max=1.0),
                               x.clamp_min(0.0), x.clamp_max(0.0), x.clamp(2.0, 1.0),
                               x.clamp(lo if isinstance(x, torch.Tensor) else hi)),
        "masked_fill": lambda x, m: (x.masked_fill(m, -5.0), x.masked_fill(m, float("-inf"))
                                     .softmax(-1)),
        "view": lambda x, m: (x.view(-1), x.view(4, 6), x.view((3, 8)), x.view(2, -1, 3)),
        "clone": lambda x, m: (x.clone() * 2,),
        "float": lambda x, m: (x.float() * 3,),
        "double": lambda x, m: (x.float().double() * 3,),
        "long": lambda x, m: (x.long(),),
        "int": lambda x, m: (x.int(),),
        "bool": lambda x, m: (x.bool(),),
        "all": lambda x, m: (x.all(), x.all(1), x.all(-1, True), x.all(dim=0)),
        "any": lambda x, m: (x.any(), x.any(1), x.any(-1, keepdim=True), (x > 10).any(0)),
        "new": lambda x, m: (x.new_zeros(2, 3), x.new_ones((3,)), x.new_full((2, 2), 1.5),
                             x.long().new_full((2,), 4)),
        "tolist": lambda x, m: (),
    }
    x, t = Tensor(A.copy(), requires_grad=True), torch.tensor(A, requires_grad=True)
    if name == "tolist":
        assert x.tolist() == t.tolist() and x.numel() == t.numel()
        return
    ours, theirs = cases[name](x, mask), cases[name](t, torch.tensor(mask))
    for a, b in zip(ours, theirs):
        _check(a, b)
    differentiable = [(a, b) for a, b in zip(ours, theirs) if b.requires_grad]
    if differentiable:
        rng = np.random.default_rng(3)
        ws = [rng.standard_normal(b.shape) for _, b in differentiable]
        sum((a * Tensor(w)).sum() for (a, _), w in zip(differentiable, ws)).backward()
        sum((b * torch.tensor(w)).sum() for (_, b), w in zip(differentiable, ws)).backward()
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-6, atol=1e-12)
    for a, b in zip(ours, theirs):
        assert a.requires_grad == b.requires_grad


def test_sum_of_an_empty_positional_dim_differs_in_pytorch_so_it_is_refused():
    torch = _torch()
    assert torch.zeros(2, 3).sum(()).shape == ()  # PyTorch: every axis
    assert np.zeros((2, 3)).sum(()).shape == (2, 3)  # NumPy: none
    with pytest.raises(ValueError, match="dim=None for every axis, or axis=()"):
        Tensor(np.zeros((2, 3))).sum(())


@FEW
@given(st.data())
def test_sort_and_topk_match_pytorch_on_random_shapes_with_ties(data):
    torch = _torch()
    shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    a = np.array(data.draw(st.lists(st.sampled_from([-1.0, 0.0, 0.5, 2.0]),
                                    min_size=int(np.prod(shape)),
                                    max_size=int(np.prod(shape))))).reshape(shape)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    flag = data.draw(st.booleans())
    k = data.draw(st.integers(0, shape[dim]))
    g = np.random.default_rng(k).standard_normal(shape)
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ours, theirs = x.sort(dim, flag), t.sort(dim=dim, descending=flag, stable=True)
    _check(ours.values, theirs.values)
    _check(ours.indices, theirs.indices)
    (ours.values * Tensor(g)).sum().backward()
    (theirs.values * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy())
    _check(x.topk(k, dim, flag).values, t.topk(k, dim=dim, largest=flag).values)
