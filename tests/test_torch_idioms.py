"""PyTorch idioms written on a Tensor give PyTorch's result, or a clear error.

Learners carry code from PyTorch tutorials: `_, pred = out.max(1)`, `t.size(0)`,
`t.std()`, `t.repeat(2, 1)`. Where NumPy gives the same name another meaning, the Tensor
method follows PyTorch (and the autograd_lite function NumPy), so no idiom is silently
wrong. Each idiom below is checked against NumPy written independently (always) and
against PyTorch itself (when it is installed).
"""

import pickle
import warnings

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import Tensor

# distinct values (no ties, so that every index is well defined), a batch of exactly 2:
# the shape where a values-only `out.max(1)` would silently unpack into two rows
A = (np.random.default_rng(0).permutation(24).reshape(2, 3, 4) / 4 - 3).astype(np.float32)


def _pair(values, indices):
    return (values, indices)


# name: (the idiom, written once for both libraries as f(x, lib), the same in NumPy)
IDIOMS = {
    "_, pred = out.max(1)": (lambda x, lib: x.max(1)[1], lambda a: a.argmax(1)),
    "out.max(1)": (lambda x, lib: x.max(1), lambda a: _pair(a.max(1), a.argmax(1))),
    "out.min(1)": (lambda x, lib: x.min(1), lambda a: _pair(a.min(1), a.argmin(1))),
    "out.max(-1, True)": (lambda x, lib: x.max(-1, True),
                          lambda a: _pair(a.max(-1, keepdims=True),
                                          a.argmax(-1, keepdims=True))),
    "out.max(1, keepdims=True)": (lambda x, lib: x.max(1, keepdims=True),
                                  lambda a: _pair(a.max(1, keepdims=True),
                                                  a.argmax(1, keepdims=True))),
    "out.max(dim=1, keepdim=True)": (lambda x, lib: x.max(dim=1, keepdim=True),
                                     lambda a: _pair(a.max(1, keepdims=True),
                                                     a.argmax(1, keepdims=True))),
    "out.min(dim=0).values": (lambda x, lib: x.min(dim=0).values, lambda a: a.min(0)),
    "out.max(1).indices": (lambda x, lib: x.max(1).indices, lambda a: a.argmax(1)),
    "out.max()": (lambda x, lib: x.max(), lambda a: a.max()),
    "out.min()": (lambda x, lib: x.min(), lambda a: a.min()),
    "t.size()": (lambda x, lib: tuple(x.size()), lambda a: a.shape),
    "t.size(0)": (lambda x, lib: x.size(0), lambda a: a.shape[0]),
    "t.size(-1)": (lambda x, lib: x.size(-1), lambda a: a.shape[-1]),
    "t.std()": (lambda x, lib: x.std(), lambda a: a.std(ddof=1)),
    "t.var(1)": (lambda x, lib: x.var(1), lambda a: a.var(1, ddof=1)),
    "t.var(1, False)": (lambda x, lib: x.var(1, False), lambda a: a.var(1)),
    "t.std(1, keepdim=True)": (lambda x, lib: x.std(1, keepdim=True),
                               lambda a: a.std(1, ddof=1, keepdims=True)),
    "t.repeat(2, 1, 1)": (lambda x, lib: x.repeat(2, 1, 1), lambda a: np.tile(a, (2, 1, 1))),
    "t.repeat(1, 2, 1, 2)": (lambda x, lib: x.repeat(1, 2, 1, 2),
                             lambda a: np.tile(a, (1, 2, 1, 2))),
    "t.squeeze(1) (size 3)": (lambda x, lib: x.squeeze(1), lambda a: a),
    "t.squeeze(1) (size 1)": (lambda x, lib: x[:, :1].squeeze(1), lambda a: a[:, 0]),
    "t.flatten(1)": (lambda x, lib: x.flatten(1), lambda a: a.reshape(2, 12)),
    "t.transpose(0, 1)": (lambda x, lib: x.transpose(0, 1), lambda a: a.swapaxes(0, 1)),
    "t.transpose(-1, -2)": (lambda x, lib: x.transpose(-1, -2), lambda a: a.swapaxes(1, 2)),
    "t.mean(1)": (lambda x, lib: x.mean(1), lambda a: a.mean(1)),
    "t.sum(1, keepdim=True)": (lambda x, lib: x.sum(1, keepdim=True),
                               lambda a: a.sum(1, keepdims=True)),
    "t.sum(dim=(0, 2))": (lambda x, lib: x.sum(dim=(0, 2)), lambda a: a.sum((0, 2))),
    "t.argmax(1)": (lambda x, lib: x.argmax(1), lambda a: a.argmax(1)),
    "t.argmin(1, True)": (lambda x, lib: x.argmin(1, True),
                          lambda a: a.argmin(1, keepdims=True)),
    "t.prod(1)": (lambda x, lib: x.prod(1), lambda a: a.prod(1)),
    "t.logsumexp(1)": (lambda x, lib: x.logsumexp(1),
                       lambda a: np.log(np.exp(a.astype(np.float64)).sum(1))),
    "t.cumsum(1)": (lambda x, lib: x.cumsum(1), lambda a: a.cumsum(1)),
    "t.T (3-d)": (lambda x, lib: x.T, lambda a: a.T),
    "t.chunk(2, 1)": (lambda x, lib: x.chunk(2, 1), lambda a: [a[:, :2], a[:, 2:]]),
    "t.split(3, 2)": (lambda x, lib: x.split(3, 2), lambda a: [a[..., :3], a[..., 3:]]),
    "t.split([1, 2], 1)": (lambda x, lib: x.split([1, 2], 1),
                           lambda a: [a[:, :1], a[:, 1:]]),
    "t.expand(2, -1, -1)": (lambda x, lib: x[:1].expand(2, -1, -1),
                            lambda a: np.broadcast_to(a[:1], (2, 3, 4))),
    "t.norm(dim=1)": (lambda x, lib: x.norm(dim=1),
                      lambda a: np.sqrt((a.astype(np.float64) ** 2).sum(1))),
    "t.norm(1, 2)": (lambda x, lib: x.norm(1, 2), lambda a: np.abs(a).sum(2)),
    "t.clip(min=0)": (lambda x, lib: x.clip(min=0), lambda a: np.maximum(a, 0)),
    "t.unsqueeze(-1)": (lambda x, lib: x.unsqueeze(-1), lambda a: a[..., None]),
    "t.flip(1)": (lambda x, lib: x.flip(1), lambda a: a[:, ::-1]),
    "t.item()": (lambda x, lib: x[0, 1, 2].item(), lambda a: a[0, 1, 2].item()),
    "t.numpy()": (lambda x, lib: x.numpy(), lambda a: a),
    "cat(dim=1)": (lambda x, lib: lib.cat([x, x], dim=1), lambda a: np.concatenate([a, a], 1)),
    "stack(dim=1)": (lambda x, lib: lib.stack([x, x], dim=1), lambda a: np.stack([a, a], 1)),
}


def _assert_same(got, want, what):
    """`got` (ours) matches `want` (NumPy's or PyTorch's): the same structure (a pair stays a
    pair), shape, kind of number and values."""
    if isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(want), \
            f"{what}: got {got!r}, expected {len(want)} items"
        for g, w in zip(got, want):
            _assert_same(g, w, what)
        return
    got = got.data if isinstance(got, Tensor) else np.asarray(got)
    want = np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
    assert got.dtype.kind == want.dtype.kind, f"{what}: dtype {got.dtype}, expected {want.dtype}"
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=what)


def _from_torch(r):
    if isinstance(r, (tuple, list)):  # also torch.Size and torch's (values, indices)
        return [_from_torch(i) for i in r]
    return r.detach().numpy() if hasattr(r, "detach") else r


@pytest.mark.parametrize("name", IDIOMS)
def test_idiom_gives_pytorchs_result(name):
    idiom, numpy_reference = IDIOMS[name]
    _assert_same(idiom(Tensor(A.copy()), ag), numpy_reference(A.copy()), name)


@pytest.mark.parametrize("name", IDIOMS)
def test_idiom_matches_pytorch_itself(name):
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle here: "
                                                "pip install torch==2.13.0")
    idiom = IDIOMS[name][0]
    with warnings.catch_warnings():  # PyTorch deprecates .T on 3-d tensors
        warnings.simplefilter("ignore", UserWarning)
        want = _from_torch(idiom(torch.tensor(A), torch))
    _assert_same(idiom(Tensor(A.copy()), ag), want, name)


def test_max_with_a_positional_dim_is_a_named_pair_and_differentiable():
    out = Tensor(A[0].copy(), requires_grad=True)
    result = out.max(1)
    assert type(result).__name__ == "ValuesIndices" and result._fields == ("values", "indices")
    values, pred = result
    assert values is result.values and pred is result.indices
    values.sum().backward()
    expected = np.zeros_like(A[0])
    expected[np.arange(3), A[0].argmax(1)] = 1
    np.testing.assert_array_equal(out.grad, expected)


def test_numpys_axis_keyword_and_np_max_give_the_values_alone():
    t = Tensor(A.copy())
    for values in (t.max(axis=1), np.max(t, 1), np.amax(t, 1), t.max(dim=(1,))):
        assert isinstance(values, Tensor)
        np.testing.assert_array_equal(values.data, A.max(1))
    np.testing.assert_array_equal(np.min(t, 1, keepdims=True).data, A.min(1, keepdims=True))
    np.testing.assert_array_equal(t.min(axis=(0, 2), keepdims=True).data,
                                  A.min((0, 2), keepdims=True))
    assert t.max().shape == () and t.max().item() == A.max()


def test_the_pair_is_not_mistaken_for_numpys_values():
    z = Tensor(A[0].copy(), requires_grad=True)
    for numpy_style in (lambda: z - z.max(1, keepdims=True), lambda: z.max(1) - z,
                        lambda: np.exp(z.detach() - z.detach().max(1, True)),
                        lambda: A[0] - z.detach().max(1), lambda: 2 * z.max(1)):
        with pytest.raises(TypeError, match=r"\(values, indices\).*\.values.*axis="):
            numpy_style()


def test_max_of_another_tensor_points_to_maximum():
    t = Tensor(A.copy())
    with pytest.raises(TypeError, match=r"max: .*t\.maximum\(other\)"):
        t.max(t * 0)
    with pytest.raises(TypeError, match=r"min: .*t\.minimum\(other\)"):
        t.min(A)


@pytest.mark.parametrize("reduce", ["sum", "mean", "max", "min", "var", "std", "prod",
                                    "logsumexp", "norm", "argmax"])
@pytest.mark.parametrize("empty", [(), []])
def test_an_empty_dim_is_refused_as_ambiguous(reduce, empty):
    # PyTorch's sum(dim=()) reduces every axis, NumPy's sum(axis=()) none
    with pytest.raises(ValueError, match=rf"{reduce}: dim=\(\) is ambiguous.*dim=None"):
        getattr(Tensor(A.copy()), reduce)(dim=empty)


def test_numpy_integer_dims_are_ints():
    t = Tensor(A.copy())
    for dim in (np.int64(1), np.int32(-2)):
        assert t.sum(dim=dim).shape == (2, 4)
        values, indices = t.max(dim)
        np.testing.assert_array_equal(indices, A.argmax(1))


def test_numpys_empty_axis_still_reduces_nothing():
    np.testing.assert_array_equal(Tensor(A.copy()).sum(axis=()).data, A)
    np.testing.assert_array_equal(ag.var(Tensor(A.copy()), axis=()).data, A.var(axis=()))
    assert Tensor(A[:, :1].copy()).squeeze(dim=()).shape == (2, 1, 4)  # as PyTorch


def test_size_is_still_numpys_element_count():
    t = Tensor(A.copy())
    assert t.size == 24 and isinstance(t.size, int) and t.size + 1 == 25
    assert type(pickle.loads(pickle.dumps(t.size))) is int
    assert Tensor(3.0).size == 1 and Tensor(3.0).size() == ()
    with pytest.raises(ValueError, match="size: axis 3 is out of range"):
        t.size(3)


def test_stack_and_concatenate_take_dim_or_axis_not_both():
    t = Tensor(A.copy())
    assert ag.stack([t, t], dim=-1).shape == ag.stack([t, t], axis=-1).shape == (2, 3, 4, 2)
    assert ag.concatenate([t, t], dim=2).shape == (2, 3, 8)
    for join in (ag.stack, ag.concatenate):
        with pytest.raises(TypeError, match="got both axis=1 and dim=2"):
            join([t, t], axis=1, dim=2)


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("dim,keepdim", [(1, False), (-1, True), (0, False), (0, True)])
def test_max_min_with_dim_send_the_gradient_to_the_index_as_pytorch(name, dim, keepdim):
    # ties: PyTorch's max(dim)/min(dim) give the whole gradient to the returned index; its
    # max()/amax share it among ties, as our max()/max(axis=) do
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle here")
    data = np.array([[1.0, 5.0, 5.0, 1.0], [3.0, 3.0, 2.0, 3.0], [0.0, 0.0, 0.0, 0.0]])
    x = Tensor(data, requires_grad=True)
    values, indices = getattr(x, name)(dim, keepdim=keepdim)
    xt = torch.tensor(data, requires_grad=True)
    vt, it = getattr(xt, name)(dim, keepdim=keepdim)
    g = np.arange(1.0, vt.numel() + 1).reshape(tuple(vt.shape))  # a different weight each
    (values * Tensor(g)).sum().backward()
    (vt * torch.tensor(g)).sum().backward()
    np.testing.assert_array_equal(values.data, vt.detach().numpy())
    np.testing.assert_array_equal(indices, it.numpy())
    np.testing.assert_array_equal(x.grad, xt.grad.numpy())
    # the NumPy-style and full reductions keep sharing among ties, like amax and max()
    y = Tensor(data, requires_grad=True)
    getattr(y, name)(axis=1).sum().backward()
    yt = torch.tensor(data, requires_grad=True)
    getattr(torch, "a" + name)(yt, 1).sum().backward()
    np.testing.assert_allclose(y.grad, yt.grad.numpy())
    z = Tensor(data, requires_grad=True)
    getattr(z, name)().backward()
    zt = torch.tensor(data, requires_grad=True)
    getattr(zt, name)().backward()
    np.testing.assert_allclose(z.grad, zt.grad.numpy())
