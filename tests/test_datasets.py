"""Tests for nn.datasets: IDX reader, cache layout, atomic download, and the real MNIST files.

Downloads go to a local http.server on 127.0.0.1 only; nothing here touches the internet.
"""

import gzip
import hashlib
import http.server
import os
import struct
import sys
import threading
import time
import types
from pathlib import Path

import numpy as np
import pytest

from nn import datasets
from nn.datasets import (
    DatasetError,
    DatasetNotFoundError,
    DownloadError,
    load_fashion_mnist,
    load_mnist,
    read_idx,
    read_idx_images,
    read_idx_labels,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
MNIST_DIR = REPO_ROOT.parent / "shared" / "data" / "mnist"
TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
FOUR_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


# ---------------------------------------------------------------- helpers


def idx_bytes(array, code=0x08, dtype=">u1"):
    """Encode ``array`` as an IDX file: 2 zero bytes, type code, ndim, big-endian dims, payload."""
    array = np.asarray(array)
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(dtype).tobytes()


def fake_split(n, seed):
    """Small random MNIST-shaped split: uint8 images (n, 28, 28) and labels 0..9."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255  # make the full range appear
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    return images, labels


def fake_dataset():
    """The four files of a tiny fake dataset as {name.gz: gzip bytes} plus the arrays."""
    train_x, train_y = fake_split(7, seed=1)
    test_x, test_y = fake_split(5, seed=2)
    files = {
        "train-images-idx3-ubyte.gz": gzip.compress(idx_bytes(train_x), mtime=0),
        "train-labels-idx1-ubyte.gz": gzip.compress(idx_bytes(train_y), mtime=0),
        "t10k-images-idx3-ubyte.gz": gzip.compress(idx_bytes(test_x), mtime=0),
        "t10k-labels-idx1-ubyte.gz": gzip.compress(idx_bytes(test_y), mtime=0),
    }
    arrays = {"train": (train_x, train_y), "test": (test_x, test_y)}
    return files, arrays


def write_files(folder, files, gzipped=True):
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        if gzipped:
            (folder / name).write_bytes(data)
        else:
            (folder / name[: -len(".gz")]).write_bytes(gzip.decompress(data))


def md5_table(files):
    return {name: hashlib.md5(data).hexdigest() for name, data in files.items()}


def all_files(folder):
    """Every file under ``folder`` (hidden temp files included), as relative paths."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def assert_loaded(images, labels, x, y, flatten=True):
    n = len(x)
    assert images.dtype == np.float32 and labels.dtype == np.int64
    assert images.shape == ((n, 784) if flatten else (n, 28, 28))
    np.testing.assert_array_equal(images.reshape(n, 28, 28), x.astype(np.float32) / 255)
    np.testing.assert_array_equal(labels, y)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No real mirrors, no system folders, no user environment: every test sees only tmp_path."""
    monkeypatch.setattr(datasets, "MNIST_MIRRORS", [])
    monkeypatch.setattr(datasets, "FASHION_MNIST_MIRRORS", [])
    monkeypatch.setattr(datasets, "FASHION_MNIST_SYSTEM_DIRS", [])
    monkeypatch.setattr(datasets, "DOWNLOAD_TIMEOUT", 5.0)
    monkeypatch.delenv(datasets.ENV_VAR, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``/<mode>/<file>``; the mode decides how the response goes wrong (or not)."""

    def do_GET(self):
        server = self.server
        server.requests.append(self.path)
        _, mode, name = self.path.split("/", 2)
        if mode in ("404", "500"):
            self.send_error(int(mode))
            return
        body = server.files.get(name)
        if body is None:
            self.send_error(404)
            return
        try:
            if mode == "good":
                self._send(body, len(body))
            elif mode == "corrupt":  # right length, one byte flipped: md5 mismatch
                middle = len(body) // 2
                bad = body[:middle] + bytes([body[middle] ^ 0xFF]) + body[middle + 1 :]
                self._send(bad, len(bad))
            elif mode == "truncated":  # no Content-Length, body cut short: only md5 can tell
                self._send(body[: len(body) // 2], None)
            elif mode == "cut":  # promises the whole body, sends half, closes the connection
                self._send(body[: len(body) // 2], len(body))
            elif mode == "slow":  # sends headers, then stalls past the client's timeout
                self._send(b"", len(body))
                time.sleep(1.0)
        except OSError:
            pass  # the client gave up; nothing to do

    def _send(self, data, length):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A threaded HTTP server on 127.0.0.1 (port chosen by the OS) serving ``server.files``."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.files = {}
    httpd.requests = []
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def mnist_dir():
    """The real MNIST test set from shared/data/mnist, or skip when it is not there."""
    missing = [name for name in TEST_FILES if not (MNIST_DIR / name).is_file()]
    if missing:
        pytest.skip(f"real MNIST files not available: {', '.join(missing)} not in {MNIST_DIR}")
    return MNIST_DIR


# ---------------------------------------------------------------- IDX reader: good files


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
@pytest.mark.parametrize(
    "code, dtype, shape",
    [
        (0x08, ">u1", (3, 4, 5)),
        (0x09, ">i1", (6,)),
        (0x0B, ">i2", (2, 3)),
        (0x0C, ">i4", (4, 1)),
        (0x0D, ">f4", (2, 2, 2, 2)),
        (0x0E, ">f8", (3,)),
    ],
)
def test_read_idx_roundtrip(tmp_path, gz, code, dtype, shape):
    rng = np.random.default_rng(0)
    values = rng.integers(-100, 100, size=shape) if dtype[1] in "iu" else rng.normal(size=shape)
    if dtype == ">u1":
        values = np.abs(values)
    data = idx_bytes(values, code, dtype)
    path = tmp_path / ("file.gz" if gz else "file")
    path.write_bytes(gzip.compress(data) if gz else data)
    array = read_idx(path)
    assert array.shape == shape
    assert array.dtype == np.dtype(dtype).newbyteorder("=")
    np.testing.assert_array_equal(array, values.astype(dtype))
    array[...] = 0  # a writable copy, not a view of the file's bytes


def test_read_idx_images_and_labels(tmp_path):
    x, y = fake_split(4, seed=0)
    (tmp_path / "images").write_bytes(idx_bytes(x))
    (tmp_path / "labels").write_bytes(idx_bytes(y))

    flat = read_idx_images(tmp_path / "images")
    assert flat.shape == (4, 784) and flat.dtype == np.float32
    assert flat.min() == 0.0 and flat.max() == 1.0
    np.testing.assert_array_equal(flat, x.reshape(4, 784).astype(np.float32) / 255)

    square = read_idx_images(tmp_path / "images", flatten=False)
    assert square.shape == (4, 28, 28)
    np.testing.assert_array_equal(square.reshape(4, 784), flat)

    labels = read_idx_labels(tmp_path / "labels")
    assert labels.dtype == np.int64 and labels.shape == (4,)
    np.testing.assert_array_equal(labels, y)


def test_gzip_is_detected_by_magic_bytes_not_by_name(tmp_path):
    x, y = fake_split(3, seed=0)
    (tmp_path / "images-no-suffix").write_bytes(gzip.compress(idx_bytes(x)))  # gzip, no .gz
    (tmp_path / "labels.gz").write_bytes(idx_bytes(y))  # raw, named .gz
    np.testing.assert_array_equal(read_idx(tmp_path / "images-no-suffix"), x)
    np.testing.assert_array_equal(read_idx_labels(tmp_path / "labels.gz"), y)


def test_read_idx_accepts_str_paths_and_empty_sets(tmp_path):
    (tmp_path / "empty").write_bytes(idx_bytes(np.zeros((0, 28, 28), np.uint8)))
    assert read_idx_images(str(tmp_path / "empty")).shape == (0, 784)


# ---------------------------------------------------------------- IDX reader: bad files

_GOOD_IMAGES = idx_bytes(np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3))
_GOOD_LABELS = idx_bytes(np.array([1, 2, 3], dtype=np.uint8))

BAD_FILES = {
    # name: (file bytes, reader, words the message must contain)
    "empty": (b"", read_idx, ["too short"]),
    "short-header": (b"\x00\x00", read_idx, ["too short"]),
    "not-idx": (b"PK\x03\x04" + bytes(40), read_idx, ["magic", "0x504B0304"]),
    "unknown-type": (b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00", read_idx, ["magic"]),
    "zero-dims": (b"\x00\x00\x08\x00", read_idx, ["dimensions"]),
    "header-cut": (b"\x00\x00\x08\x03" + struct.pack(">I", 2), read_idx, ["truncated header"]),
    "payload-cut": (_GOOD_IMAGES[:-1], read_idx, ["truncated payload", "(2, 3, 3)"]),
    "extra-bytes": (_GOOD_LABELS + b"\x00\x00", read_idx, ["2 extra bytes"]),
    "labels-as-images": (_GOOD_LABELS, read_idx_images, ["dimensions", "0x00000803"]),
    "images-as-labels": (_GOOD_IMAGES, read_idx_labels, ["dimensions", "0x00000801"]),
    "int-as-images": (idx_bytes(np.zeros((1, 2, 2)), 0x0C, ">i4"), read_idx_images, ["magic"]),
    "2d-images": (idx_bytes(np.zeros((2, 4), np.uint8)), read_idx_images, ["dimensions"]),
    "bad-gzip": (b"\x1f\x8b" + b"not really gzip data", read_idx, ["gzip"]),
    "gzip-cut": (gzip.compress(_GOOD_IMAGES)[:-12], read_idx, ["gzip"]),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_idx_files_raise_dataset_error_naming_the_file(tmp_path, name):
    data, reader, words = BAD_FILES[name]
    path = tmp_path / f"{name}-idx-ubyte"
    path.write_bytes(data)
    with pytest.raises(DatasetError) as info:
        reader(path)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert str(path) in message and info.value.path == str(path)
    for word in words:
        assert word in message


def test_truncated_payload_inside_valid_gzip(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(_GOOD_IMAGES[:-5]))
    with pytest.raises(DatasetError, match="truncated payload"):
        read_idx_images(path)


# ---------------------------------------------------------------- arguments and locations


def test_data_root_precedence(monkeypatch, tmp_path):
    assert datasets.data_root() == tmp_path / "home" / ".cache" / "autograd_lite"
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path / "from-env"))
    assert datasets.data_root() == tmp_path / "from-env"
    assert datasets.data_root(tmp_path / "given") == tmp_path / "given"
    assert datasets.data_root("~/x") == tmp_path / "home" / "x"


@pytest.mark.parametrize("loader", [load_mnist, load_fashion_mnist])
def test_bad_split_and_source_list_the_valid_choices(tmp_path, loader):
    with pytest.raises(ValueError, match="'train', 'test'") as info:
        loader(tmp_path, split="validation")
    assert "validation" in str(info.value)
    with pytest.raises(ValueError, match="'idx', 'torchvision'"):
        loader(tmp_path, split="test", source="keras")


@pytest.mark.parametrize("layout", ["torchvision-gz", "torchvision-both", "flat-gz", "flat-raw"])
def test_load_mnist_from_each_layout(tmp_path, server, layout):
    files, arrays = fake_dataset()
    root = tmp_path / "data"
    if layout.startswith("torchvision"):
        write_files(root / "MNIST" / "raw", files, gzipped=True)
        if layout == "torchvision-both":  # torchvision keeps un-gzipped copies beside the .gz
            write_files(root / "MNIST" / "raw", files, gzipped=False)
    else:
        write_files(root, files, gzipped=(layout == "flat-gz"))
    server.files = files
    before = all_files(root)
    for split in ("train", "test"):
        for flatten in (True, False):
            images, labels = load_mnist(
                root, split=split, flatten=flatten, mirrors=[server.url + "/good/"]
            )
            assert_loaded(images, labels, *arrays[split], flatten=flatten)
    assert server.requests == []  # files on disk: no download
    assert all_files(root) == before


def test_root_from_environment_variable(monkeypatch, tmp_path):
    files, arrays = fake_dataset()
    write_files(tmp_path / "env-data" / "FashionMNIST" / "raw", files)
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path / "env-data"))
    images, labels = load_fashion_mnist(split="test", download=False)
    assert_loaded(images, labels, *arrays["test"])


def test_default_root_is_the_user_cache(tmp_path):
    files, arrays = fake_dataset()
    write_files(tmp_path / "home" / ".cache" / "autograd_lite" / "MNIST" / "raw", files)
    images, labels = load_mnist(split="train", download=False)
    assert_loaded(images, labels, *arrays["train"])


def test_fashion_mnist_falls_back_to_the_system_folder(monkeypatch, tmp_path):
    files, arrays = fake_dataset()
    system = tmp_path / "usr-share-datasets-fashion-mnist"
    write_files(system, files)
    monkeypatch.setattr(datasets, "FASHION_MNIST_SYSTEM_DIRS", [system])
    images, labels = load_fashion_mnist(tmp_path / "empty-root", split="test", download=False)
    assert_loaded(images, labels, *arrays["test"])
    with pytest.raises(DatasetNotFoundError):  # MNIST never looks there
        load_mnist(tmp_path / "empty-root", split="test", download=False)


def test_debian_fashion_mnist_package_if_installed(monkeypatch):
    debian = Path("/usr/share/datasets/fashion-mnist")
    if not (debian / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"Debian package dataset-fashion-mnist not installed ({debian} absent)")
    monkeypatch.setattr(datasets, "FASHION_MNIST_SYSTEM_DIRS", [debian])
    images, labels = load_fashion_mnist("/nonexistent-root", split="test", download=False)
    assert images.shape == (10000, 784) and images.dtype == np.float32
    assert labels.shape == (10000,) and set(np.unique(labels)) == set(range(10))


@pytest.mark.parametrize(
    "loader, folder", [(load_mnist, "MNIST"), (load_fashion_mnist, "FashionMNIST")]
)
def test_offline_without_files_gives_one_clear_error(tmp_path, loader, folder):
    root = tmp_path / "nothing-here"
    with pytest.raises(DatasetNotFoundError) as info:
        loader(root, split="test", download=False)
    message = str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    for name in FOUR_FILES:
        assert name in message
    assert str(root / folder / "raw") in message
    assert datasets.ENV_VAR in message
    assert "download=False" in message
    assert not root.exists()  # looking never creates folders


def test_missing_half_a_split_names_the_missing_file(tmp_path):
    files, _ = fake_dataset()
    write_files(tmp_path, {"train-labels-idx1-ubyte.gz": files["train-labels-idx1-ubyte.gz"]})
    with pytest.raises(DatasetNotFoundError, match="not found: train-images-idx3-ubyte.gz\\."):
        load_mnist(tmp_path, split="train", download=False)


def test_corrupt_file_in_the_cache_is_reported_not_reloaded(tmp_path, server):
    files, _ = fake_dataset()
    write_files(tmp_path / "MNIST" / "raw", files)
    bad = tmp_path / "MNIST" / "raw" / "t10k-images-idx3-ubyte.gz"
    bad.write_bytes(files["t10k-images-idx3-ubyte.gz"][:-20])
    with pytest.raises(DatasetError, match="gzip") as info:
        load_mnist(tmp_path, split="test", mirrors=[server.url + "/good/"])
    assert str(bad) in str(info.value)
    assert server.requests == []


def test_image_and_label_counts_must_agree(tmp_path):
    files, _ = fake_dataset()
    files["t10k-labels-idx1-ubyte.gz"] = files["train-labels-idx1-ubyte.gz"]  # 7 labels, 5 images
    write_files(tmp_path, files)
    with pytest.raises(DatasetError, match="5 images but .* 7 labels"):
        load_mnist(tmp_path, split="test", download=False)


# ---------------------------------------------------------------- torchvision source


def test_torchvision_missing_gives_install_hint(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "torchvision", None)  # makes `import torchvision` fail
    with pytest.raises(ImportError, match='pip install "autograd-lite\\[torchvision\\]"'):
        load_mnist(tmp_path, split="test", source="torchvision")


def test_torchvision_source_returns_the_same_arrays(monkeypatch, tmp_path):
    _, arrays = fake_dataset()
    calls = []

    class FakeTensor:
        def __init__(self, array):
            self.array = array

        def numpy(self):
            return self.array

    def make_dataset(name):
        class FakeDataset:
            def __init__(self, root, train, download):
                calls.append((name, root, train, download))
                x, y = arrays["train" if train else "test"]
                self.data, self.targets = FakeTensor(x), FakeTensor(y.astype(np.int64))

        return FakeDataset

    fake = types.ModuleType("torchvision")
    fake.datasets = types.SimpleNamespace(
        MNIST=make_dataset("MNIST"), FashionMNIST=make_dataset("FashionMNIST")
    )
    monkeypatch.setitem(sys.modules, "torchvision", fake)

    images, labels = load_mnist(tmp_path, split="test", source="torchvision", download=False)
    assert_loaded(images, labels, *arrays["test"])
    images, labels = load_fashion_mnist(
        tmp_path, split="train", source="torchvision", flatten=False
    )
    assert_loaded(images, labels, *arrays["train"], flatten=False)
    assert calls == [
        ("MNIST", str(tmp_path), False, False),
        ("FashionMNIST", str(tmp_path), True, True),
    ]


# ---------------------------------------------------------------- download


def test_download_into_the_torchvision_layout(monkeypatch, tmp_path, server):
    files, arrays = fake_dataset()
    server.files = files
    monkeypatch.setattr(datasets, "MNIST_MD5", md5_table(files))
    monkeypatch.setattr(datasets, "MNIST_MIRRORS", [server.url + "/good/"])
    images, labels = load_mnist(tmp_path, split="test")
    assert_loaded(images, labels, *arrays["test"])
    # the .gz as downloaded, and an un-gzipped copy beside it, as torchvision keeps them
    assert all_files(tmp_path) == sorted(
        f"MNIST/raw/{n}" for name in TEST_FILES for n in (name, name[:-3]))
    assert (tmp_path / "MNIST" / "raw" / TEST_FILES[0]).read_bytes() == files[TEST_FILES[0]]
    assert (tmp_path / "MNIST" / "raw" / TEST_FILES[0][:-3]).read_bytes() == \
        gzip.decompress(files[TEST_FILES[0]])
    requests = list(server.requests)
    load_mnist(tmp_path, split="test")  # cached now: no second download
    assert server.requests == requests


def test_explicit_download_step(monkeypatch, tmp_path, server):
    files, _ = fake_dataset()
    server.files = files
    monkeypatch.setattr(datasets, "FASHION_MNIST_MD5", md5_table(files))
    paths = datasets.download_fashion_mnist(tmp_path, mirrors=server.url + "/good")
    assert sorted(p.name for p in paths) == sorted(name[:-3] for name in FOUR_FILES)
    assert all_files(tmp_path) == sorted(
        f"FashionMNIST/raw/{n}" for name in FOUR_FILES for n in (name, name[:-3]))
    with pytest.raises(ValueError, match="split"):
        datasets.download_mnist(tmp_path, split="val")


def test_next_mirror_is_tried_after_a_failure(monkeypatch, tmp_path, server):
    files, arrays = fake_dataset()
    server.files = files
    monkeypatch.setattr(datasets, "MNIST_MD5", md5_table(files))
    mirrors = [server.url + "/404/", server.url + "/corrupt/", server.url + "/good/"]
    images, labels = load_mnist(tmp_path, split="train", mirrors=mirrors)
    assert_loaded(images, labels, *arrays["train"])
    assert all_files(tmp_path) == sorted(
        f"MNIST/raw/{n}" for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
        for n in (name, name[:-3])
    )


@pytest.mark.parametrize(
    "mode, words",
    [
        ("404", ["HTTP error 404"]),
        ("500", ["HTTP error 500"]),
        ("corrupt", ["md5 mismatch"]),
        ("truncated", ["md5 mismatch"]),
        ("cut", ["connection cut"]),
        ("slow", ["timed out"]),
    ],
)
def test_failed_downloads_leave_nothing_behind(monkeypatch, tmp_path, server, mode, words):
    files, _ = fake_dataset()
    server.files = files
    monkeypatch.setattr(datasets, "MNIST_MD5", md5_table(files))
    if mode == "slow":
        monkeypatch.setattr(datasets, "DOWNLOAD_TIMEOUT", 0.2)
    with pytest.raises(DownloadError) as info:
        load_mnist(tmp_path, split="test", mirrors=[f"{server.url}/{mode}/"])
    err = info.value
    assert isinstance(err, FileNotFoundError) and isinstance(err, DatasetError)
    message = str(err)
    for name in TEST_FILES:
        assert f"{name}: download from {server.url}/{mode}/{name} failed" in message
    for word in words:
        assert word in message
    for name in FOUR_FILES:  # and the offline instructions
        assert name in message
    assert datasets.ENV_VAR in message
    assert all_files(tmp_path) == []  # no final file, no temp file
    with pytest.raises(DatasetNotFoundError):  # and nothing that a later load would pick up
        load_mnist(tmp_path, split="test", download=False)


def test_download_without_mirrors(tmp_path):
    with pytest.raises(DownloadError, match="no mirrors configured"):
        load_mnist(tmp_path, split="test")
    assert all_files(tmp_path) == []


def test_download_file_without_md5_still_checks_the_format(tmp_path, server):
    server.files = {"good.gz": gzip.compress(_GOOD_LABELS), "junk.gz": b"<html>not found</html>"}
    path = datasets.download_file(f"{server.url}/good/good.gz", tmp_path / "sub" / "good.gz")
    assert path == tmp_path / "sub" / "good.gz"
    np.testing.assert_array_equal(read_idx_labels(path), [1, 2, 3])
    with pytest.raises(DownloadError, match="wrong magic") as info:
        datasets.download_file(f"{server.url}/good/junk.gz", tmp_path / "junk.gz")
    assert "junk.gz" in str(info.value)
    assert all_files(tmp_path) == ["sub/good.gz"]


def test_interrupted_download_removes_the_temp_file(monkeypatch, tmp_path, server):
    files, _ = fake_dataset()
    server.files = files
    real_urlopen = datasets.urllib.request.urlopen

    def interrupted_urlopen(*args, **kwargs):
        response = real_urlopen(*args, **kwargs)
        response.read(10)  # some bytes arrive, then the user presses Ctrl-C

        def read(*_):
            raise KeyboardInterrupt

        response.read = read
        return response

    monkeypatch.setattr(datasets.urllib.request, "urlopen", interrupted_urlopen)
    with pytest.raises(KeyboardInterrupt):
        datasets.download_file(f"{server.url}/good/{TEST_FILES[0]}", tmp_path / TEST_FILES[0])
    assert all_files(tmp_path) == []


def test_unwritable_cache_is_a_clear_download_error(tmp_path, server):
    (tmp_path / "not-a-folder").write_text("a file where the cache folder should be")
    server.files, _ = fake_dataset()
    with pytest.raises(DownloadError, match="cannot write to"):
        load_mnist(tmp_path / "not-a-folder", split="test", mirrors=[server.url + "/good/"])
    assert server.requests == []


def test_real_mnist_md5s_verify_through_a_local_mirror(tmp_path, server, mnist_dir):
    server.files = {name: (mnist_dir / name).read_bytes() for name in TEST_FILES}
    images, labels = load_mnist(tmp_path, split="test", mirrors=[server.url + "/good/"])
    assert images.shape == (10000, 784) and labels.shape == (10000,)
    for name in TEST_FILES:
        assert (
            hashlib.md5((tmp_path / "MNIST" / "raw" / name).read_bytes()).hexdigest()
            == (datasets.MNIST_MD5[name])
        )


# ---------------------------------------------------------------- the real MNIST test set


def class_counts(labels_file):
    """Count labels straight from the file bytes (8-byte header, then one byte each)."""
    data = gzip.decompress(labels_file.read_bytes())
    magic, count = struct.unpack(">II", data[:8])
    assert magic == 0x00000801
    labels = np.frombuffer(data, dtype=np.uint8, offset=8)
    assert len(labels) == count
    return np.bincount(labels, minlength=10)


def check_real_test_set(images, labels, counts):
    assert images.shape == (10000, 784) and images.dtype == np.float32
    assert images.min() == 0.0 and images.max() == 1.0
    assert labels.shape == (10000,) and labels.dtype == np.int64
    assert labels.min() == 0 and labels.max() == 9
    np.testing.assert_array_equal(np.bincount(labels, minlength=10), counts)


def test_real_mnist_test_set_flat_folder(mnist_dir):
    counts = class_counts(mnist_dir / "t10k-labels-idx1-ubyte.gz")
    assert counts.sum() == 10000
    images, labels = load_mnist(mnist_dir, split="test", download=False)
    check_real_test_set(images, labels, counts)
    square, _ = load_mnist(mnist_dir, split="test", download=False, flatten=False)
    assert square.shape == (10000, 28, 28)
    np.testing.assert_array_equal(square.reshape(10000, 784), images)


def test_real_mnist_test_set_torchvision_layout(tmp_path, mnist_dir):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in TEST_FILES:
        os.symlink(mnist_dir / name, raw / name)
    images, labels = load_mnist(tmp_path, split="test", download=False)
    check_real_test_set(images, labels, class_counts(mnist_dir / "t10k-labels-idx1-ubyte.gz"))


def test_real_mnist_train_labels(tmp_path, mnist_dir):
    labels_file = mnist_dir / "train-labels-idx1-ubyte.gz"
    if not labels_file.is_file():
        pytest.skip(f"{labels_file} absent")
    labels = read_idx_labels(labels_file)
    assert labels.shape == (60000,) and labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(labels, minlength=10), class_counts(labels_file))
    # With the training labels alone, the error names the missing images file.
    os.symlink(labels_file, tmp_path / labels_file.name)
    with pytest.raises(DatasetNotFoundError, match="not found: train-images-idx3-ubyte.gz\\."):
        load_mnist(tmp_path, split="train", download=False)
