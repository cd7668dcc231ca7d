"""Saving and loading (.npz without pickle), mini-batches, and the accuracy metric."""

import zipfile

import numpy as np
import pytest

from autograd_lite import Tensor
from nn import MLP, DataLoader, Layer, StateDictError, accuracy, batches, load, save

# ----- save / load -----


def params(model):
    return {name: p.data.copy() for name, p in model.named_parameters()}


def assert_unchanged(model, before):
    for name, p in model.named_parameters():
        np.testing.assert_array_equal(p.data, before[name])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_is_bit_exact(tmp_path, dtype):
    a = MLP([3, 7, 2], seed=0, dtype=dtype)
    a[0].weight.data[0, 0] = np.nextafter(dtype(1), dtype(2))  # the last bit must survive
    b = MLP([3, 7, 2], seed=1, dtype=dtype)
    path = tmp_path / "model.npz"
    save(a, path)
    assert load(b, path) is b
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        assert q.dtype == dtype
        assert p.data.tobytes() == q.data.tobytes(), name


def test_file_is_a_plain_npz_without_pickle(tmp_path):
    model = MLP([2, 3, 1], seed=0)
    save(model, tmp_path / "m")  # written exactly at the given path, no suffix added
    assert (tmp_path / "m").exists() and not (tmp_path / "m.npz").exists()
    with np.load(tmp_path / "m", allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted(params(model))
        np.testing.assert_array_equal(archive["0.weight"], model[0].weight.data)
    assert [p.name for p in tmp_path.iterdir()] == ["m"]  # no temporary file left behind


def test_save_overwrites_atomically(tmp_path):
    path = tmp_path / "m.npz"
    save(MLP([2, 3, 1], seed=0), path)
    newer = MLP([2, 3, 1], seed=1)
    save(newer, path)
    target = MLP([2, 3, 1], seed=2)
    load(target, path)
    assert_unchanged(target, params(newer))


def test_truncated_file_raises_and_leaves_the_model(tmp_path):
    path = tmp_path / "m.npz"
    save(MLP([4, 8, 2], seed=0), path)
    data = path.read_bytes()
    model = MLP([4, 8, 2], seed=1)
    before = params(model)
    for cut in (len(data) // 2, 30, len(data) - 10):
        path.write_bytes(data[:cut])
        with pytest.raises(StateDictError, match="m.npz"):
            load(model, path)
        assert_unchanged(model, before)


def test_not_an_npz_file(tmp_path):
    model = Layer(2, 2, "relu", 0, seed=0)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(StateDictError, match="cannot read"):
        load(model, text)
    single = tmp_path / "one.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(StateDictError, match="single array"):
        load(model, single)
    with pytest.raises(FileNotFoundError):
        load(model, tmp_path / "missing.npz")


def test_pickled_object_array_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, weight=np.array([{"a": 1}], dtype=object), bias=np.zeros(2))
    model = Layer(2, 2, "relu", 0, seed=0)
    before = params(model)
    with pytest.raises(StateDictError, match="weight"):
        load(model, path)
    assert_unchanged(model, before)


@pytest.mark.parametrize("arrays, match", [
    (dict(weight=np.zeros((2, 2)), bias=np.zeros(3)), r"'bias' has shape \(2,\).*\(3,\)"),
    (dict(weight=np.zeros((2, 2)), b=np.zeros(2)), "missing parameter 'bias'"),
    (dict(weight=np.zeros((2, 2)), bias=np.zeros(2), extra=np.zeros(1)),
     "unexpected parameter 'extra'"),
    (dict(weight=np.zeros((2, 2), np.float32), bias=np.zeros(2)),
     "'weight' has dtype float64 in the model but float32"),
])
def test_mismatching_file_names_the_parameter_and_changes_nothing(tmp_path, arrays, match):
    path = tmp_path / "m.npz"
    np.savez(path, **arrays)
    model = Layer(2, 2, "relu", 0, seed=0)
    before = params(model)
    with pytest.raises(StateDictError, match=match):
        load(model, path)
    assert_unchanged(model, before)


def test_damaged_member_is_reported(tmp_path):
    path = tmp_path / "m.npz"
    model = Layer(2, 2, "relu", 0, seed=0)
    save(model, path)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("weight.npy")
    start = raw.index(b"\x93NUMPY", info.header_offset)  # the member's .npy data
    raw[start + info.file_size - 1] ^= 0xFF  # flip bits in its last weight
    path.write_bytes(bytes(raw))
    before = params(model)
    with pytest.raises(StateDictError):
        load(model, path)
    assert_unchanged(model, before)


# ----- batches and DataLoader -----


def test_batches_cover_the_data_once_in_a_seeded_order():
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    got = list(batches(x, y, batch_size=4, seed=3))
    assert [len(yb) for _, yb in got] == [4, 4, 2]
    order = np.concatenate([yb for _, yb in got])
    assert sorted(order) == list(range(10)) and list(order) != list(range(10))
    for xb, yb in got:
        np.testing.assert_array_equal(xb, x[yb])  # pairs stay together
    again = np.concatenate([yb for _, yb in batches(x, y, 4, seed=3)])
    np.testing.assert_array_equal(order, again)
    np.testing.assert_array_equal(order, np.random.default_rng(3).permutation(10))


def test_batches_without_shuffle_and_drop_last():
    x, y = np.arange(10), np.arange(10) * 2
    got = list(batches(x, y, 3, shuffle=False, drop_last=True))
    assert [list(xb) for xb, _ in got] == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    np.random.seed(5)
    a = [list(yb) for _, yb in batches(x, y, 5)]
    np.random.seed(5)
    b = [list(yb) for _, yb in batches(x, y, 5)]
    assert a == b  # seed=None uses NumPy's global generator
    xt = Tensor(np.ones((4, 2)))
    assert next(batches(xt, np.zeros(4), 2))[0].shape == (2, 2)


def test_batch_arguments_are_checked_at_the_call():
    with pytest.raises(ValueError, match="x has 4 samples but y has 3"):
        batches(np.zeros((4, 2)), np.zeros(3), 2)
    with pytest.raises(ValueError, match="batch_size"):
        batches(np.zeros(4), np.zeros(4), 0)


def test_dataloader_reshuffles_each_epoch():
    x, y = np.arange(12).reshape(6, 2), np.arange(6)
    loader = DataLoader(x, y, batch_size=4, seed=0)
    assert len(loader) == 2
    first = np.concatenate([yb for _, yb in loader])
    second = np.concatenate([yb for _, yb in loader])
    assert sorted(first) == sorted(second) == list(range(6))
    assert list(first) != list(second)
    again = DataLoader(x, y, batch_size=4, seed=0)
    np.testing.assert_array_equal(first, np.concatenate([yb for _, yb in again]))
    assert len(DataLoader(x, y, batch_size=4, drop_last=True)) == 1


# ----- accuracy -----


def test_accuracy_cases():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 3.0], [1.0, 2.0, 0.0], [5.0, 0.0, 0.0]])
    assert accuracy(logits, np.array([0, 2, 1, 1])) == 0.75
    assert accuracy(Tensor(logits), np.eye(3)[[0, 2, 1, 0]]) == 1.0  # one-hot labels
    assert accuracy(np.array([0.2, 0.7, 0.9]), np.array([0, 1, 0])) == pytest.approx(2 / 3)
    assert accuracy(np.array([[-1.0], [2.0]]), np.array([[0], [1]]), threshold=0) == 1.0
    assert accuracy(np.array([1, 0, 2]), np.array([1, 1, 2])) == pytest.approx(2 / 3)


def test_accuracy_shape_mismatch():
    with pytest.raises(ValueError, match="do not match"):
        accuracy(np.zeros((4, 3)), np.zeros(5, dtype=int))
