"""The dtype a factory gives without `dtype=`: NumPy's and PyTorch's for integers and
bools (int64, bool), `DEFAULT_DTYPE` (float32) for floats; the `*_like` factories keep
their model's dtype. A fill value the dtype cannot hold is refused, never truncated."""

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import Tensor


@pytest.mark.parametrize("fill, dtype", [(3, np.int64), (np.int32(3), np.int64),
                                         (True, np.bool_), (3.0, np.float32),
                                         (np.float64(2.5), np.float32), (-0.0, np.float32)])
def test_full_takes_its_dtype_from_the_fill_value(fill, dtype):
    t = ag.full((2, 3), fill)
    assert t.dtype == dtype and t.shape == (2, 3)
    np.testing.assert_array_equal(t.data, np.full((2, 3), fill))


def test_full_with_an_int_matches_numpy():
    assert ag.full((2,), 3).dtype == np.full((2,), 3).dtype == np.int64
    assert ag.full(2, 0).data.tolist() == [0, 0]


@pytest.mark.parametrize("make", [lambda: ag.zeros_like(ag.arange(3)),
                                  lambda: ag.ones_like(ag.arange(3)),
                                  lambda: ag.full_like(ag.arange(3), 7),
                                  lambda: ag.zeros_like(np.arange(3)),
                                  lambda: ag.full_like([1, 2, 3], 7)])
def test_like_factories_keep_an_integer_dtype(make):
    assert make().dtype == np.int64


def test_like_factories_keep_bool_and_float_dtypes():
    assert ag.ones_like(np.array([True, False])).dtype == np.bool_
    assert ag.full_like(Tensor(np.ones(2)), 3).dtype == np.float64
    assert ag.full_like(Tensor([1.0, 2.0]), 3).dtype == np.float32
    assert ag.zeros_like(ag.arange(3), dtype=np.float32).dtype == np.float32


def test_randn_like_of_integers_is_floating():
    assert ag.randn_like(ag.arange(4), seed=0).dtype == ag.DEFAULT_DTYPE


@pytest.mark.parametrize("make", [lambda: ag.full((2,), 2.5, dtype=np.int64),
                                  lambda: ag.full((2,), float("nan"), dtype=np.int32),
                                  lambda: ag.full_like(ag.arange(2), 0.5)])
def test_a_fill_value_the_dtype_cannot_hold_is_refused(make):
    with pytest.raises(TypeError, match=r"^full(_like)?: fill_value .* is not a whole number"
                                        r".*floating dtype"):
        make()


def test_an_int_fill_with_requires_grad_names_full_and_the_fix():
    with pytest.raises(TypeError, match=r"^full: only floating tensors can require grad.*"
                                        r"3\.0.*dtype=np\.float32"):
        ag.full((2,), 3, requires_grad=True)
    assert ag.full((2,), 3.0, requires_grad=True).requires_grad
    assert ag.full((2,), 3, dtype=np.float32, requires_grad=True).dtype == np.float32


def test_complex_fill_is_refused():
    with pytest.raises(TypeError, match=r"^full: fill_value must be a real number"):
        ag.full((2,), 1 + 2j)


def test_the_tensor_constructor_keeps_its_documented_default():
    """Tensor([1, 2]) is float32 (DEFAULT_DTYPE), as docs/tensor-engine.md says; PyTorch's
    torch.tensor([1, 2]) is int64. Pass dtype= for integers."""
    assert Tensor([1, 2]).dtype == np.float32
    assert Tensor([1, 2], dtype=np.int64).dtype == np.int64


class TestTorch:
    torch = pytest.importorskip("torch", reason="torch is the oracle here: pip install "
                                "torch==2.13.0")

    @pytest.mark.parametrize("fill", [3, True, 2.5])
    def test_full_dtype_matches_torch(self, fill):
        ours = ag.full((2,), fill)
        theirs = self.torch.full((2,), fill)
        assert str(theirs.dtype) == f"torch.{ours.dtype}"

    def test_like_dtype_matches_torch(self):
        ints = self.torch.arange(3)
        for name in ("zeros_like", "ones_like"):
            assert str(getattr(self.torch, name)(ints).dtype) == \
                f"torch.{getattr(ag, name)(ag.arange(3)).dtype}"
        ours = ag.full_like(ag.arange(3), 7)
        assert str(self.torch.full_like(ints, 7).dtype) == f"torch.{ours.dtype}"
