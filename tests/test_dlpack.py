"""DLPack: Tensor.__dlpack__ / __dlpack_device__ and autograd_lite.from_dlpack share memory
with NumPy and PyTorch (no copy, both ways); a tensor that requires grad exports its data,
never its graph."""

import numpy as np
import pytest

from autograd_lite import Tensor, from_dlpack


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int32, np.uint8,
                                   np.bool_])
def test_numpy_to_tensor_and_back_shares_memory(dtype):
    a = (np.arange(12) % 3).astype(dtype).reshape(3, 4)
    t = from_dlpack(a)
    assert isinstance(t, Tensor) and t.dtype == a.dtype and t.shape == a.shape
    assert np.shares_memory(t.data, a)
    assert not t.requires_grad and t.is_leaf
    b = np.from_dlpack(t)
    assert np.shares_memory(b, a) and b.dtype == a.dtype
    a[0, 0] = 1  # a write on one side shows on every side
    assert t.data[0, 0] == 1 and b[0, 0] == 1


def test_strided_views_are_shared_too():
    a = np.arange(24.0).reshape(4, 6)
    view = a[::2, 1::3].T
    t = from_dlpack(view)
    assert np.shares_memory(t.data, a)
    np.testing.assert_array_equal(t.data, view)


def test_dlpack_device_is_the_cpu():
    assert Tensor([1.0]).__dlpack_device__() == (1, 0)


def test_a_tensor_that_requires_grad_exports_its_data_not_its_graph():
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = w * 2  # an interior tensor exports too
    for t in (w, y):
        a = np.from_dlpack(t)
        assert np.shares_memory(a, t.data)
        assert type(a) is np.ndarray  # plain data: no graph goes with it
    back = from_dlpack(w)
    assert not back.requires_grad and back.grad_fn is None
    assert np.shares_memory(back.data, w.data)


def test_results_of_operations_export():
    t = Tensor(np.arange(6.0).reshape(2, 3)).T  # a transposed view
    np.testing.assert_array_equal(np.from_dlpack(t), np.arange(6.0).reshape(2, 3).T)


def test_not_an_array_is_refused():
    with pytest.raises(TypeError, match=r"from_dlpack: expected an array with __dlpack__.*"
                                        r"Tensor\(x\)"):
        from_dlpack([1.0, 2.0])


class TestTorch:
    torch = pytest.importorskip("torch", reason='PyTorch is not installed: pip install '
                                '"autograd-lite[torch]"')

    def test_tensor_to_torch_shares_memory(self):
        torch = self.torch
        t = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3), requires_grad=True)
        pt = torch.from_dlpack(t)
        assert pt.data_ptr() == t.data.ctypes.data
        assert pt.dtype == torch.float32 and tuple(pt.shape) == (2, 3)
        assert not pt.requires_grad  # data only: the graph stays here
        pt[1, 2] = 100.0
        assert t.data[1, 2] == 100.0

    def test_torch_to_tensor_shares_memory(self):
        torch = self.torch
        for dtype in (torch.float64, torch.float32, torch.int64):
            pt = torch.arange(8, dtype=dtype).reshape(2, 4)
            t = from_dlpack(pt)
            assert t.data.ctypes.data == pt.data_ptr()
            assert t.dtype == np.dtype(str(dtype).replace("torch.", ""))
            t.data[0, 1] = 42
            assert pt[0, 1].item() == 42

    def test_a_strided_torch_view(self):
        torch = self.torch
        base = torch.arange(12.0).reshape(3, 4)
        t = from_dlpack(base.t())
        np.testing.assert_array_equal(t.data, base.t().numpy())
        base[0, 1] = -1.0
        assert t.data[1, 0] == -1.0

    def test_the_round_trip_keeps_one_buffer(self):
        a = np.arange(5.0)
        back = np.from_dlpack(from_dlpack(self.torch.from_dlpack(Tensor(a))))
        assert np.shares_memory(back, a)

    def test_a_torch_tensor_requiring_grad_is_explained(self):
        pt = self.torch.ones(3, requires_grad=True)
        with pytest.raises((BufferError, RuntimeError), match=r"from_dlpack.*detach\(\)"):
            from_dlpack(pt)
        t = from_dlpack(pt.detach())
        assert t.data.ctypes.data == pt.data_ptr()


@pytest.mark.parametrize("dtype", [np.float16, np.complex64, np.complex128])
def test_unsupported_numpy_dtypes_are_refused_by_name(dtype):
    with pytest.raises(TypeError, match=r"^from_dlpack: cannot share this numpy\.ndarray of "
                                        r"dtype .*Convert it first, e\.g\. .*from_dlpack"):
        from_dlpack(np.ones(3, dtype=dtype))


def test_strings_are_refused_with_a_hint_for_numpy():
    with pytest.raises(BufferError, match=r"from_dlpack: .*a Tensor holds real numbers, not "
                                          r"<U1"):
        from_dlpack(np.array(["a"]))


class TestTorchDtypes:
    torch = pytest.importorskip("torch", reason='PyTorch is not installed: pip install '
                                '"autograd-lite[torch]"')

    @pytest.mark.parametrize("name, fix", [("float16", r"x\.float\(\)"),
                                           ("complex64", r"x\.real\.float\(\)"),
                                           ("complex128", r"torch\.view_as_real")])
    def test_unsupported_torch_dtypes_are_refused_by_name(self, name, fix):
        x = self.torch.ones(3, dtype=getattr(self.torch, name))
        with pytest.raises(TypeError, match=rf"^from_dlpack: cannot share this torch\.Tensor "
                                            rf"of dtype {name}: .*{fix}"):
            from_dlpack(x)

    def test_the_suggested_conversion_works(self):
        x = self.torch.ones(3, dtype=self.torch.float16)
        t = from_dlpack(x.float())
        assert t.dtype == np.float32 and t.data.tolist() == [1.0, 1.0, 1.0]
