"""Data files, torchvision in both directions, datasets in the data loaders, and the
exercise command line's data errors (issue: every bad input gets a clear error).

torchvision is not needed: a fake module with the parts of torchvision's API that
autograd-lite touches (`torchvision.datasets.MNIST(root, train, download)`, which reads the
four un-gzipped IDX files from root/MNIST/raw, insists on all four whatever the split, and
raises RuntimeError when it cannot download) is put in `sys.modules`.
"""

import gzip
import hashlib
import os
import struct
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import nn
from exercises.__main__ import main
from nn import datasets
from nn.datasets import (DatasetError, DatasetNotFoundError, load_mnist, prepare_torchvision,
                         read_idx)

REPO = Path(__file__).resolve().parents[1]
NAMES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
TEST_NAMES = NAMES[2:]


def idx(array):
    array = np.asarray(array, dtype=np.uint8)
    return bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + \
        array.tobytes()


def split(n, seed):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
            rng.integers(0, 10, n, dtype=np.uint8))


ARRAYS = {"train": split(6, 1), "test": split(5, 2)}


def files(labels_test=None):
    """{name.gz: gzip bytes} of a tiny fake MNIST."""
    (xtr, ytr), (xte, yte) = ARRAYS["train"], ARRAYS["test"]
    yte = yte if labels_test is None else labels_test
    return {name: gzip.compress(idx(a), mtime=0)
            for name, a in zip(NAMES, (xtr, ytr, xte, yte))}


def write(folder, names=NAMES, labels_test=None):
    folder.mkdir(parents=True, exist_ok=True)
    data = files(labels_test)
    for name in names:
        (folder / name).write_bytes(data[name])
    return folder


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No network, no system folders, no user environment."""
    monkeypatch.setattr(datasets, "MNIST_MIRRORS", [])
    monkeypatch.setattr(datasets, "FASHION_MNIST_MIRRORS", [])
    monkeypatch.setattr(datasets, "FASHION_MNIST_SYSTEM_DIRS", [])
    monkeypatch.delenv(datasets.ENV_VAR, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


# ---------------------------------------------------------------- a fake torchvision


class FakeTensor:
    def __init__(self, array):
        self.array = array

    def numpy(self):
        return self.array


class FakeMNIST:
    """What torchvision.datasets.MNIST does with a root folder, in miniature."""

    folder = "MNIST"
    downloads = []

    def __init__(self, root, train=True, transform=None, target_transform=None,
                 download=False):
        self.raw = Path(root) / self.folder / "raw"
        bare = [name[:-3] for name in NAMES]
        exists = all((self.raw / name).is_file() for name in bare)  # all four, any split
        if download and not exists:
            FakeMNIST.downloads.append(root)
            raise RuntimeError(f"Error downloading {NAMES[0]}")  # offline
        if not exists:
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        stem = "train" if train else "t10k"
        images = (self.raw / f"{stem}-images-idx3-ubyte").read_bytes()
        labels = (self.raw / f"{stem}-labels-idx1-ubyte").read_bytes()
        n = struct.unpack(">I", images[4:8])[0]
        self.data = FakeTensor(np.frombuffer(images, np.uint8, offset=16).reshape(n, 28, 28))
        self.targets = FakeTensor(np.frombuffer(labels, np.uint8, offset=8).astype(np.int64))

    def __len__(self):
        return len(self.targets.numpy())

    def __getitem__(self, i):  # (PIL image, int), as torchvision gives without a transform
        from PIL import Image

        return Image.fromarray(self.data.numpy()[i]), int(self.targets.numpy()[i])


@pytest.fixture
def torchvision(monkeypatch):
    FakeMNIST.downloads = []
    fake = types.ModuleType("torchvision")
    fake.datasets = types.SimpleNamespace(MNIST=FakeMNIST)
    monkeypatch.setitem(sys.modules, "torchvision", fake)
    return fake


# ---------------------------------------------------------------- data files


def test_labels_outside_0_to_9_are_refused_naming_the_file(tmp_path):
    labels = ARRAYS["test"][1].copy()
    labels[3] = 12
    write(tmp_path, TEST_NAMES, labels_test=labels)
    with pytest.raises(DatasetError, match=r"label 12 at index 3 .*0\.\.9") as err:
        load_mnist(tmp_path, split="test", download=False)
    assert err.value.path.endswith("t10k-labels-idx1-ubyte.gz")


def test_labels_outside_0_to_9_are_refused_through_torchvision(tmp_path, torchvision):
    labels = ARRAYS["test"][1].copy()
    labels[0] = 10
    write(tmp_path / "MNIST" / "raw", labels_test=labels)
    with pytest.raises(DatasetError, match="label 10 at index 0"):
        load_mnist(tmp_path, split="test", source="torchvision", download=False)


@pytest.mark.parametrize("where", ["flat", "raw"])
def test_a_folder_where_a_data_file_should_be_is_named(tmp_path, where):
    folder = tmp_path if where == "flat" else tmp_path / "MNIST" / "raw"
    write(folder, TEST_NAMES[1:])
    (folder / TEST_NAMES[0]).mkdir()
    with pytest.raises(DatasetError, match="is a folder where a data file should be") as err:
        load_mnist(tmp_path, split="test", download=False)
    assert err.value.path == str(folder / TEST_NAMES[0])


def test_read_idx_of_a_folder_or_a_missing_file(tmp_path):
    with pytest.raises(DatasetError, match="is a folder"):
        read_idx(tmp_path)
    with pytest.raises(DatasetNotFoundError, match="no such file"):
        read_idx(tmp_path / "nothing")
    with pytest.raises(TypeError, match="read_idx: path must be"):
        read_idx(None)


# ---------------------------------------------------------------- torchvision interop


def test_the_folder_load_mnist_downloads_into_is_readable_by_torchvision(
        tmp_path, monkeypatch, torchvision):
    mirror = write(tmp_path / "mirror")
    monkeypatch.setattr(datasets, "MNIST_MD5",
                        {n: hashlib.md5(d).hexdigest() for n, d in files().items()})
    root = tmp_path / "data"
    datasets.download_mnist(root, mirrors=[mirror.as_uri() + "/"])
    tv = torchvision.datasets.MNIST(str(root), train=False)
    np.testing.assert_array_equal(tv.data.numpy(), ARRAYS["test"][0])
    np.testing.assert_array_equal(tv.targets.numpy(), ARRAYS["test"][1])
    x, y = load_mnist(root, split="test", download=False, flatten=False)
    np.testing.assert_array_equal(x * 255, tv.data.numpy())


def test_prepare_torchvision_converts_a_flat_folder_in_one_call(tmp_path, torchvision):
    write(tmp_path)  # the four .gz files, flat, as a course download gives them
    with pytest.raises(RuntimeError, match="Dataset not found"):
        torchvision.datasets.MNIST(str(tmp_path), train=False)
    assert prepare_torchvision(tmp_path) == tmp_path
    tv = torchvision.datasets.MNIST(str(tmp_path), train=True)
    np.testing.assert_array_equal(tv.data.numpy(), ARRAYS["train"][0])
    assert sorted(p.name for p in (tmp_path / "MNIST" / "raw").iterdir()) == \
        sorted(name[:-3] for name in NAMES)


def test_prepare_torchvision_refuses_a_damaged_file(tmp_path):
    write(tmp_path)
    (tmp_path / NAMES[0]).write_bytes(files()[NAMES[0]][:50])
    with pytest.raises(DatasetError, match="corrupt or truncated"):
        prepare_torchvision(tmp_path, download=False)
    assert not (tmp_path / "MNIST" / "raw" / NAMES[0][:-3]).exists()


def test_torchvision_source_reads_a_gzipped_folder(tmp_path, torchvision):
    write(tmp_path)
    x, y = load_mnist(tmp_path, split="train", source="torchvision", download=False)
    np.testing.assert_array_equal(y, ARRAYS["train"][1])
    assert x.shape == (6, 784) and x.dtype == np.float32


def test_torchvision_source_with_only_the_test_split(tmp_path, torchvision):
    write(tmp_path, TEST_NAMES)  # torchvision itself wants the training files too
    x, y = load_mnist(tmp_path, split="test", source="torchvision", download=True)
    assert FakeMNIST.downloads  # torchvision tried (offline) and failed on the train files
    np.testing.assert_array_equal(y, ARRAYS["test"][1])
    np.testing.assert_array_equal(x.reshape(-1, 28, 28) * 255, ARRAYS["test"][0])


def test_torchvision_offline_names_only_the_missing_files(tmp_path, torchvision):
    write(tmp_path, TEST_NAMES)
    with pytest.raises(DatasetNotFoundError) as err:
        load_mnist(tmp_path, split="train", source="torchvision", download=True)
    message = str(err.value)
    assert "files not found: train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz." in message
    assert "not found: t10k" not in message and "RuntimeError: Error downloading" in message
    assert isinstance(err.value, FileNotFoundError)


def test_a_broken_torchvision_is_an_import_error_with_the_fix(tmp_path, monkeypatch):
    broken = types.ModuleType("torchvision")

    def fail(name):
        raise RuntimeError("operator torchvision::nms does not exist")

    broken.__getattr__ = fail
    monkeypatch.setitem(sys.modules, "torchvision", broken)
    with pytest.raises(ImportError, match="torchvision is installed but does not work.*nms"
                                          r".*source=\"idx\""):
        load_mnist(tmp_path, split="test", source="torchvision")


# ---------------------------------------------------------------- datasets in the loaders


def test_a_torchvision_dataset_in_dataloader_and_batches(tmp_path, torchvision):
    pytest.importorskip("PIL", reason="the dataset's images are PIL images (matplotlib's "
                                      "dependency Pillow)")
    write(tmp_path)
    prepare_torchvision(tmp_path)
    dataset = torchvision.datasets.MNIST(str(tmp_path), train=True)
    loader = nn.DataLoader(dataset, batch_size=4, shuffle=False)
    got = list(loader)
    assert len(loader) == 2 and [len(yb) for _, yb in got] == [4, 2]
    np.testing.assert_array_equal(np.concatenate([xb for xb, _ in got]), ARRAYS["train"][0])
    np.testing.assert_array_equal(np.concatenate([yb for _, yb in got]), ARRAYS["train"][1])
    xb, yb = next(nn.batches(dataset, 3, seed=0))
    assert xb.shape == (3, 28, 28) and xb.dtype == np.uint8 and yb.dtype.kind == "i"
    shuffled = np.concatenate([yb for _, yb in nn.DataLoader(dataset, 4, seed=1)])
    assert sorted(shuffled) == sorted(ARRAYS["train"][1])


def test_a_duck_typed_dataset_of_torch_tensors():
    torch = pytest.importorskip("torch", reason="torch makes the tensors of this dataset")

    class Squares:
        def __len__(self):
            return 5

        def __getitem__(self, i):
            if i >= 5:
                raise IndexError(i)
            return torch.full((1, 2, 2), float(i)), torch.tensor(i % 2)

    xb, yb = next(iter(nn.DataLoader(Squares(), batch_size=5, shuffle=False)))
    assert xb.shape == (5, 1, 2, 2)
    np.testing.assert_array_equal(xb[:, 0, 0, 0], np.arange(5.0))
    np.testing.assert_array_equal(yb, [0, 1, 0, 1, 0])
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    assert model(xb).shape == (5, 2)


def test_bad_datasets_are_named():
    with pytest.raises(TypeError, match=r"DataLoader: dataset\[0\] must be an \(input, label\)"):
        nn.DataLoader([np.zeros(2), np.zeros(2)], batch_size=1)
    with pytest.raises(ValueError, match=r"dataset\[1\] has shape \(3,\).*dataset\[0\] has "
                                         r"shape \(2,\)"):
        list(nn.batches([(np.zeros(2), 0), (np.zeros(3), 1)], 2, shuffle=False))
    with pytest.raises(TypeError, match="batches: without y, the first argument must be a "
                                        "dataset"):
        nn.batches(5, batch_size=2)
    with pytest.raises(TypeError, match="DataLoader: got inputs x of shape \\(4, 2\\) but no "
                                        "labels y"):
        nn.DataLoader(np.zeros((4, 2)), batch_size=2)
    with pytest.raises(ValueError, match="the dataset is empty"):
        nn.DataLoader([], batch_size=2)


# ---------------------------------------------------------------- the command line


def ex5(folder, *extra):
    return ["5", "--data-dir", str(folder), "--no-download", "--quiet", "--epochs", "1",
            *extra]


@pytest.mark.parametrize("damage, words", [
    ("truncated", "bad gzip data, the file is corrupt or truncated"),
    ("folder", "is a folder where a data file should be"),
    ("label", "label 11 at index 0 is not a class"),
])
def test_cli_data_errors_are_one_line_plus_the_fix(tmp_path, capsys, damage, words):
    labels = ARRAYS["test"][1].copy()
    if damage == "label":
        labels[0] = 11
    write(tmp_path, TEST_NAMES, labels_test=labels)
    bad = tmp_path / TEST_NAMES[0]
    if damage == "truncated":
        bad.write_bytes(bad.read_bytes()[:100])
    if damage == "folder":
        bad.unlink()
        bad.mkdir()
    code = main(ex5(tmp_path, "--train-on-test-split", "3"))
    err = capsys.readouterr().err
    assert code == 1
    first, fix = err.strip().splitlines()
    assert first.startswith("error: exercise 5: ") and words in first and str(tmp_path) in first
    assert fix.startswith("fix: ")


def test_cli_corrupt_file_no_traceback_in_a_real_process(tmp_path):
    write(tmp_path, TEST_NAMES)
    (tmp_path / TEST_NAMES[0]).write_bytes(b"\x1f\x8b garbage")
    done = subprocess.run([sys.executable, "-m", "exercises",
                           *ex5(tmp_path, "--train-on-test-split", "3")], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 2
    assert "corrupt or truncated" in done.stderr


def test_cli_train_on_test_split_too_large(tmp_path, capsys):
    write(tmp_path, TEST_NAMES)
    code = main(ex5(tmp_path, "--train-on-test-split", "10000"))
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip() == ("error: exercise 5: --train-on-test-split must be between 1 and 4 "
                           "(the test split has 5 images, and some must be left to test on), "
                           "got 10000")


@pytest.mark.parametrize("option, value, suggestion", [
    ("--lr", "0,2", "0.2"), ("--lr", "0,05", "0.05"), ("--x", "1,5", "1.5")])
def test_cli_decimal_comma_suggests_the_point(capsys, option, value, suggestion):
    with pytest.raises(SystemExit) as exit_:
        main(["1", option, value])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: expected a number such as 0.1, got '{value}'; write numbers " \
           f"with a decimal point: {suggestion}" in err


def test_cli_bad_integer_option(capsys):
    with pytest.raises(SystemExit):
        main(["5", "--train-on-test-split", "8k"])
    assert "expected a positive integer such as 8000, got '8k'" in capsys.readouterr().err
