"""MNIST and Fashion-MNIST as plain NumPy arrays, with nothing but NumPy and the standard library.

The data comes from the original IDX files (gzipped or not). They are looked up in a cache
folder laid out the way torchvision lays it out (``root/MNIST/raw``, ``root/FashionMNIST/raw``),
in ``root`` itself, and for Fashion-MNIST in Debian's ``/usr/share/datasets/fashion-mnist``.
Missing files are downloaded from the public mirrors, checked against their MD5 and moved into
place atomically, so an interrupted or corrupted download never leaves a file behind. An
un-gzipped copy is kept beside each download, as torchvision keeps them, so that
``torchvision.datasets.MNIST(root)`` reads the same folder (``prepare_torchvision`` does this
for files put there by hand). Labels are checked to be classes 0..9.

Example:
    >>> from nn.datasets import load_mnist
    >>> x, y = load_mnist(split="test")          # doctest: +SKIP
    >>> x.shape, x.dtype, y.shape, y.dtype        # doctest: +SKIP
    ((10000, 784), dtype('float32'), (10000,), dtype('int64'))
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import math
import os
import struct
import sys
import tempfile
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import numpy as np

__all__ = [
    "ENV_VAR",
    "FASHION_MNIST_MD5",
    "FASHION_MNIST_MIRRORS",
    "FASHION_MNIST_SYSTEM_DIRS",
    "MNIST_MD5",
    "MNIST_MIRRORS",
    "DatasetError",
    "DatasetNotFoundError",
    "DownloadError",
    "data_root",
    "download_fashion_mnist",
    "download_file",
    "download_mnist",
    "load_fashion_mnist",
    "load_mnist",
    "prepare_torchvision",
    "read_idx",
    "read_idx_images",
    "read_idx_labels",
]

# ---------------------------------------------------------------- configuration

#: Environment variable naming the data folder when no ``root`` is passed.
ENV_VAR = "AUTOGRAD_LITE_DATA"

#: Cache folder used when neither ``root`` nor the environment variable is given.
DEFAULT_ROOT = Path("~/.cache/autograd_lite")

#: Base URLs tried in order; each is joined with a file name. Tests point these at a local server.
MNIST_MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]
FASHION_MNIST_MIRRORS = [
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
]

#: MD5 of each published .gz file (the same table torchvision uses).
MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
FASHION_MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}

#: Read-only folders searched for Fashion-MNIST after the cache (Debian: dataset-fashion-mnist).
FASHION_MNIST_SYSTEM_DIRS = [Path("/usr/share/datasets/fashion-mnist")]

#: Seconds to wait for a mirror to connect or send more bytes.
DOWNLOAD_TIMEOUT = 60.0

SPLITS = ("train", "test")
SOURCES = ("idx", "torchvision")

_USER_AGENT = "autograd-lite (python urllib)"
_CHUNK = 1 << 16
_GZIP_MAGIC = b"\x1f\x8b"
_IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions (N, rows, cols)
_LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension (N,)
_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_FILE_STEMS = {"train": "train", "test": "t10k"}
CLASSES = 10  # MNIST and Fashion-MNIST both have labels 0..9
_FOLDER_PROBLEM = ("is a folder where a data file should be; remove or rename the folder, then "
                   "put the file itself there (or let the download fetch it)")


# ---------------------------------------------------------------- errors


class DatasetError(ValueError):
    """A data file exists but is not what it should be (wrong magic, dims, size, gzip or MD5).

    ``path`` is the offending file and ``problem`` says what is wrong with it.

    >>> import os, tempfile
    >>> bad = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte")
    >>> with open(bad, "wb") as f:
    ...     _ = f.write(b"not an IDX file")
    >>> try:
    ...     read_idx(bad)
    ... except DatasetError as err:
    ...     print(os.path.basename(err.path))
    labels-idx1-ubyte
    """

    def __init__(self, path, problem):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class DatasetNotFoundError(FileNotFoundError):
    """Data files are missing and could not be downloaded; the message says where to put them.

    >>> import tempfile
    >>> try:
    ...     load_mnist(tempfile.mkdtemp(), split="test", download=False)
    ... except DatasetNotFoundError as err:
    ...     print("missing")
    missing
    """

    def __init__(self, message):
        super().__init__(message)

    def __str__(self):
        return self.args[0]


class DownloadError(DatasetNotFoundError, DatasetError):
    """A download failed (HTTP error, cut connection, MD5 mismatch, ...) and left no file behind.

    It is both a ``DatasetNotFoundError`` (the file is still missing) and a ``DatasetError``.

    >>> issubclass(DownloadError, DatasetNotFoundError), issubclass(DownloadError, DatasetError)
    (True, True)
    """

    def __init__(self, message, path=None, problem=None):
        self.path = None if path is None else str(path)
        self.problem = problem
        FileNotFoundError.__init__(self, message)


# ---------------------------------------------------------------- IDX reader


def _read_bytes(path):
    """Return the decompressed bytes of ``path``; gzip is detected by magic bytes, not by name."""
    try:
        path = Path(path)
    except TypeError:
        raise TypeError(f"read_idx: path must be a file name (a str or a pathlib.Path), got "
                        f"{path!r}") from None
    if path.is_dir():
        raise DatasetError(path, _FOLDER_PROBLEM)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DatasetNotFoundError(f"{path}: no such file") from None
    except OSError as err:
        raise DatasetError(path, f"cannot read it ({err.strerror or err})") from None
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as err:
            problem = f"bad gzip data, the file is corrupt or truncated ({err})"
            raise DatasetError(path, problem) from err
    return data


def _parse_idx(data, path):
    """Parse IDX bytes into ``(magic, array)``, checking the header against the payload size."""
    if len(data) < 4:
        raise DatasetError(path, f"too short for an IDX header ({len(data)} bytes)")
    magic = int.from_bytes(data[:4], "big")
    code, ndim = data[2], data[3]
    if data[0] != 0 or data[1] != 0 or code not in _IDX_DTYPES:
        raise DatasetError(path, f"wrong magic number 0x{magic:08X}: not an IDX file")
    if ndim == 0:
        raise DatasetError(path, f"wrong dimensions: magic 0x{magic:08X} declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetError(
            path, f"truncated header: {ndim} dimensions need {header} bytes, file has {len(data)}"
        )
    dims = struct.unpack(f">{ndim}I", data[4:header])
    dtype = _IDX_DTYPES[code]
    count = math.prod(dims)
    expected = count * dtype.itemsize
    payload = len(data) - header
    if payload < expected:
        raise DatasetError(
            path,
            f"truncated payload: header says shape {dims} ({expected} bytes of data), "
            f"but only {payload} bytes follow",
        )
    if payload > expected:
        raise DatasetError(
            path,
            f"wrong size: header says shape {dims} ({expected} bytes of data), "
            f"but {payload - expected} extra bytes follow",
        )
    array = np.frombuffer(data, dtype=dtype, count=count, offset=header).reshape(dims)
    return magic, array.astype(dtype.newbyteorder("="))  # native byte order, writable copy


def read_idx(path):
    """Read an IDX file (gzipped or raw) into an array with the shape and dtype its header declares.

    Gzip is recognised by its magic bytes; the header's magic number, dimensions and payload size
    are checked, and any mismatch raises ``DatasetError`` naming the file.

    Example:
        >>> read_idx("t10k-labels-idx1-ubyte.gz").shape       # doctest: +SKIP
        (10000,)
    """
    return _parse_idx(_read_bytes(path), path)[1]


def read_idx_images(path, flatten=True):
    """Read an IDX image file as float32 in [0, 1], shape ``(N, rows*cols)`` or ``(N, rows, cols)``.

    The file must have magic 0x00000803 (unsigned bytes, 3 dimensions); pixel values are divided
    by 255 so they are ready to feed a network.

    Example:
        >>> x = read_idx_images("t10k-images-idx3-ubyte.gz")  # doctest: +SKIP
        >>> x.shape, x.dtype                                   # doctest: +SKIP
        ((10000, 784), dtype('float32'))
    """
    magic, raw = _parse_idx(_read_bytes(path), path)
    _check_magic(path, magic, _IMAGES_MAGIC, "images", "(N, rows, cols)")
    images = raw.astype(np.float32) / np.float32(255.0)
    if flatten:
        images = images.reshape(images.shape[0], math.prod(images.shape[1:]))
    return images


def read_idx_labels(path):
    """Read an IDX label file (magic 0x00000801: unsigned bytes, 1 dimension) as int64, shape (N,).

    Example:
        >>> y = read_idx_labels("t10k-labels-idx1-ubyte.gz")  # doctest: +SKIP
        >>> y.shape, y.dtype                                   # doctest: +SKIP
        ((10000,), dtype('int64'))
    """
    magic, raw = _parse_idx(_read_bytes(path), path)
    _check_magic(path, magic, _LABELS_MAGIC, "labels", "(N,)")
    return raw.astype(np.int64)


def _check_magic(path, magic, wanted, what, shape):
    if magic == wanted:
        return
    if magic >> 8 == wanted >> 8:  # right element type, wrong number of dimensions
        raise DatasetError(
            path,
            f"wrong dimensions: header declares {magic & 0xFF} dimensions, "
            f"{what} need {wanted & 0xFF} {shape} (magic 0x{wanted:08X})",
        )
    raise DatasetError(
        path,
        f"wrong magic number 0x{magic:08X} for {what}: expected 0x{wanted:08X} "
        f"(unsigned bytes, {wanted & 0xFF} dimensions {shape})",
    )


# ---------------------------------------------------------------- locations


def data_root(root=None):
    """Return the data folder: ``root``, else ``$AUTOGRAD_LITE_DATA``, else the user cache.

    The cache is ``~/.cache/autograd_lite``; ``~`` is expanded in every case.

    Example:
        >>> data_root("/tmp/data")
        PosixPath('/tmp/data')
    """
    if root is None:
        root = os.environ.get(ENV_VAR) or DEFAULT_ROOT
    return Path(root).expanduser()


class _Spec:
    """What differs between MNIST and Fashion-MNIST; module-level lists are read at call time."""

    def __init__(self, title, folder, mirrors_name, md5_name, system_dirs_name=None):
        self.title = title
        self.folder = folder
        self._mirrors_name = mirrors_name
        self._md5_name = md5_name
        self._system_dirs_name = system_dirs_name

    @property
    def mirrors(self):
        return list(globals()[self._mirrors_name])

    @property
    def md5(self):
        return dict(globals()[self._md5_name])

    @property
    def system_dirs(self):
        if self._system_dirs_name is None:
            return []
        return [Path(d) for d in globals()[self._system_dirs_name]]

    @property
    def snake(self):
        """"mnist" or "fashion_mnist", as in the function names."""
        return self.title.lower().replace("-", "_")

    def raw_dir(self, root):
        return root / self.folder / "raw"

    def search_dirs(self, root):
        return [self.raw_dir(root), root, *self.system_dirs]


_MNIST = _Spec("MNIST", "MNIST", "MNIST_MIRRORS", "MNIST_MD5")
_FASHION = _Spec(
    "Fashion-MNIST",
    "FashionMNIST",
    "FASHION_MNIST_MIRRORS",
    "FASHION_MNIST_MD5",
    "FASHION_MNIST_SYSTEM_DIRS",
)

_ALL_FILES = [
    f"{stem}-{kind}.gz"
    for stem in ("train", "t10k")
    for kind in ("images-idx3-ubyte", "labels-idx1-ubyte")
]


def _split_files(split):
    stem = _FILE_STEMS[split]
    return f"{stem}-images-idx3-ubyte.gz", f"{stem}-labels-idx1-ubyte.gz"


def _find(name_gz, dirs):
    """First existing copy of a file in ``dirs``; the un-gzipped name wins, as in torchvision."""
    bare = name_gz[: -len(".gz")]
    for folder in dirs:
        for candidate in (folder / bare, folder / name_gz):
            if candidate.is_file():
                return candidate
            if candidate.is_dir():
                raise DatasetError(candidate, _FOLDER_PROBLEM)
    return None


def _check_choice(value, name, choices, where):
    if value not in choices:
        valid = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{where}: {name} must be one of {valid}; got {value!r}")


def _not_found_message(spec, root, missing, dirs, failures=(), note=None):
    lines = [f"{spec.title} files not found: {', '.join(missing)}.", "Looked in:"]
    lines += [f"  {d}" for d in dirs]
    if note:
        lines.append(note)
    if failures:
        lines.append("Download failed:")
        lines += [f"  {f}" for f in failures]
    lines.append(f"To use {spec.title} offline, put the four files")
    lines += [f"  {name}" for name in _ALL_FILES]
    lines.append(
        f"(gzipped or not) in {spec.raw_dir(root)}/ or directly in a folder of your choice, "
        f"then pass root=<that folder> or set the environment variable {ENV_VAR}=<that folder>."
    )
    if spec is _FASHION:
        lines.append("On Debian/Ubuntu, `apt-get install dataset-fashion-mnist` also works.")
    return "\n".join(lines)


# ---------------------------------------------------------------- download


def download_file(url, path, md5=None, timeout=None):
    """Download ``url`` to ``path`` atomically: temp file in the same folder, MD5 check, rename.

    On any failure (HTTP error, cut connection, size or MD5 mismatch, Ctrl-C) the temp file is
    removed and no file appears at ``path``; failures raise ``DownloadError`` naming the file.

    Example:
        >>> download_file("https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz",
        ...               "/tmp/t10k-labels-idx1-ubyte.gz",
        ...               md5="ec29112dd5afa0611ce80d1b7f02629c")  # doctest: +SKIP
        PosixPath('/tmp/t10k-labels-idx1-ubyte.gz')
    """
    path = Path(path)
    timeout = DOWNLOAD_TIMEOUT if timeout is None else timeout

    def fail(problem, cause=None):
        err = DownloadError(f"{path.name}: download from {url} failed: {problem}", path, problem)
        raise err from cause

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as err:
        fail(f"cannot write to {path.parent} ({err})", err)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.md5()
        received = 0
        with os.fdopen(fd, "wb") as out:
            request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    length = response.headers.get("Content-Length")
                    while chunk := response.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        received += len(chunk)
            except urllib.error.HTTPError as err:
                err.close()  # an HTTPError holds the open response
                fail(f"HTTP error {err.code} {err.reason}", err)
            except urllib.error.URLError as err:
                fail(f"cannot connect ({err.reason})", err)
            except TimeoutError as err:
                fail(f"timed out after {timeout:g} s with {received} bytes received ({err})", err)
            except (http.client.HTTPException, OSError) as err:
                fail(f"connection cut after {received} bytes ({type(err).__name__}: {err})", err)
            if length is not None and length.isdigit() and received != int(length):
                fail(f"connection cut: received {received} of {int(length)} bytes (truncated)")
            out.flush()
            os.fsync(out.fileno())
        if md5 is not None and digest.hexdigest() != md5.lower():
            fail(f"md5 mismatch: got {digest.hexdigest()}, expected {md5} (corrupt or truncated)")
        if md5 is None:  # no checksum to compare: at least make sure the file parses
            try:
                _parse_idx(_read_bytes(tmp), path)
            except DatasetError as err:
                fail(err.problem, err)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _download(spec, root, names, mirrors):
    """Fetch each missing file into ``root/<folder>/raw``; returns the list of failure reasons."""
    mirrors = spec.mirrors if mirrors is None else mirrors
    if isinstance(mirrors, str):
        mirrors = [mirrors]
    md5 = spec.md5
    target_dir = spec.raw_dir(root)
    failures = []
    for name in names:
        if not mirrors:
            failures.append(f"{name}: no mirrors configured")
            continue
        for base in mirrors:
            url = base if base.endswith("/") else base + "/"
            url += name
            print(f"Downloading {url}", file=sys.stderr)
            try:
                download_file(url, target_dir / name, md5=md5.get(name))
            except DownloadError as err:
                failures.append(str(err))
                continue
            break
    return failures


def _ensure(spec, root, names, download, mirrors):
    """Paths of ``names`` on disk, downloading missing ones if allowed; raises with instructions."""
    dirs = spec.search_dirs(root)
    found = {name: _find(name, dirs) for name in names}
    missing = [name for name, path in found.items() if path is None]
    if missing and download:
        failures = _download(spec, root, missing, mirrors)
        _unpack(spec, root, [n for n in missing if _find(n, [spec.raw_dir(root)])])
        found = {name: _find(name, dirs) for name in names}
        still = [name for name, path in found.items() if path is None]
        if still:
            message = _not_found_message(spec, root, still, dirs, failures)
            raise DownloadError(message, spec.raw_dir(root) / still[0], "; ".join(failures))
    elif missing:
        note = "Not downloading them because download=False."
        raise DatasetNotFoundError(_not_found_message(spec, root, missing, dirs, note=note))
    return [found[name] for name in names]


def _download_all(spec, root, split, mirrors):
    root = data_root(root)
    splits = SPLITS if split is None else (split,)
    for s in splits:
        _check_choice(s, "split", SPLITS, f"download_{spec.snake}")
    names = [name for s in splits for name in _split_files(s)]
    return _ensure(spec, root, names, True, mirrors)


def download_mnist(root=None, split=None, mirrors=None):
    """Download MNIST (both splits, or one) into ``root/MNIST/raw`` unless present; returns paths.

    This is the explicit download step; ``load_mnist`` calls the same code when files are missing.

    Example:
        >>> download_mnist(split="test")  # doctest: +SKIP
        [PosixPath('.../MNIST/raw/t10k-images-idx3-ubyte.gz'), PosixPath('.../t10k-labels-...')]
    """
    return _download_all(_MNIST, root, split, mirrors)


def download_fashion_mnist(root=None, split=None, mirrors=None):
    """Download Fashion-MNIST into ``root/FashionMNIST/raw`` unless present; returns the paths.

    Example:
        >>> download_fashion_mnist(split="test")  # doctest: +SKIP
    """
    return _download_all(_FASHION, root, split, mirrors)


# ---------------------------------------------------------------- loading


def _load(spec, tv_class, root, split, download, flatten, source, mirrors):
    where = f"load_{spec.snake}"
    _check_choice(split, "split", SPLITS, where)
    _check_choice(source, "source", SOURCES, where)
    root = data_root(root)
    if source == "torchvision":
        return _load_torchvision(spec, tv_class, root, split, download, flatten, mirrors)
    images_path, labels_path = _ensure(spec, root, _split_files(split), download, mirrors)
    images = read_idx_images(images_path, flatten=flatten)
    labels = _check_labels(read_idx_labels(labels_path), labels_path)
    if len(images) != len(labels):
        raise DatasetError(
            images_path, f"holds {len(images)} images but {labels_path} holds {len(labels)} labels"
        )
    return images, labels


def _check_labels(labels, path):
    """``labels``, if every one is a class 0..9; else a DatasetError naming the first bad one."""
    bad = np.flatnonzero((labels < 0) | (labels >= CLASSES))
    if bad.size:
        i = int(bad[0])
        raise DatasetError(
            path,
            f"label {int(labels[i])} at index {i} is not a class: labels must be 0..{CLASSES - 1} "
            f"({CLASSES} classes), and {bad.size} of {labels.size} are not; the file is "
            f"damaged or not an MNIST labels file",
        )
    return labels


def _load_torchvision(spec, tv_class, root, split, download, flatten, mirrors):
    where = f'load_{spec.snake}(source="torchvision")'
    try:
        import torchvision  # optional: only for source="torchvision"

        dataset_class = getattr(torchvision.datasets, tv_class)
    except ImportError as err:
        raise ImportError(
            f'{where} needs torchvision: pip install "autograd-lite[torchvision]"'
        ) from err
    except Exception as err:  # a broken install can raise anything at import
        raise ImportError(
            f"{where}: torchvision is installed but does not work ({type(err).__name__}: "
            f'{err}); reinstall it (pip install "autograd-lite[torchvision]"), or use '
            f'source="idx", the default, which reads the same files without it'
        ) from err
    try:  # torchvision reads only un-gzipped files in root/<folder>/raw: provide them
        _unpack(spec, root, _ALL_FILES)
    except (DatasetError, OSError):
        pass  # a read-only root: torchvision may still find its own files
    try:
        dataset = dataset_class(root=str(root), train=(split == "train"), download=download)
        raw = dataset.data
        raw = np.asarray(raw.numpy() if hasattr(raw, "numpy") else raw)
        targets = dataset.targets
        labels = np.asarray(targets.numpy() if hasattr(targets, "numpy") else targets)
    except Exception as err:  # torchvision raises RuntimeError, URLError, OSError, ...
        # torchvision wants all four files even for one split: if this split's files are
        # here, read them directly (the same bytes torchvision would read)
        dirs = spec.search_dirs(root)
        missing = [name for name in _split_files(split) if _find(name, dirs) is None]
        if not missing:
            return _load(spec, tv_class, root, split, False, flatten, "idx", mirrors)
        note = f"torchvision could not load them: {type(err).__name__}: {err}"
        raise DatasetNotFoundError(
            f"{where}: " + _not_found_message(spec, root, missing, dirs, note=note)
        ) from err
    labels = _check_labels(labels.astype(np.int64), spec.raw_dir(root))
    images = raw.astype(np.float32) / np.float32(255.0)
    if flatten:
        images = images.reshape(images.shape[0], math.prod(images.shape[1:]))
    return images, labels


def _unpack(spec, root, names):
    """Write an un-gzipped copy of each of ``names`` found under ``root`` into
    ``root/<folder>/raw``, where torchvision reads them; returns the paths written."""
    raw_dir = spec.raw_dir(root)
    written = []
    for name in names:
        source = _find(name, spec.search_dirs(root))
        target = raw_dir / name[: -len(".gz")]
        if source is None or target.is_file():
            continue
        data = _read_bytes(source)
        _parse_idx(data, source)  # never copy a damaged file
        raw_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=raw_dir, prefix=f".{target.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(target)
    return written


def prepare_torchvision(root=None, dataset="mnist", split=None, download=True, mirrors=None):
    """Make ``root`` readable by ``torchvision.datasets.MNIST(root)`` (or ``FashionMNIST``).

    torchvision reads only un-gzipped IDX files in ``root/MNIST/raw``. This finds the files
    where ``load_mnist`` finds them (downloading missing ones unless ``download=False``) and
    writes un-gzipped copies there, as torchvision itself keeps them. Files that
    ``load_mnist`` downloads are unpacked this way already. Returns ``root`` as a Path.
    Data errors raise ``DatasetError`` / ``DatasetNotFoundError`` naming the file.

    Example:
        >>> root = prepare_torchvision("data", split="test")                # doctest: +SKIP
        >>> torchvision.datasets.MNIST(root, train=False)                  # doctest: +SKIP
    """
    specs = {"mnist": _MNIST, "fashion-mnist": _FASHION, "fashion_mnist": _FASHION}
    _check_choice(dataset, "dataset", ("mnist", "fashion-mnist"), "prepare_torchvision")
    spec, root = specs[dataset], data_root(root)
    splits = SPLITS if split is None else (split,)
    for s in splits:
        _check_choice(s, "split", SPLITS, "prepare_torchvision")
    names = [name for s in splits for name in _split_files(s)]
    _ensure(spec, root, names, download, mirrors)
    try:
        _unpack(spec, root, names)
    except OSError as err:
        raise DatasetError(spec.raw_dir(root), f"cannot write the un-gzipped files there "
                                               f"({err.strerror or err})") from None
    return root


def load_mnist(root=None, split="train", download=True, flatten=True, source="idx", mirrors=None):
    """Load MNIST digits as ``(images, labels)``: float32 in [0, 1], shape (N, 784), int64 0..9.

    Files are found in ``root/MNIST/raw`` or directly in ``root`` (gzipped or not); when missing and
    ``download`` is true they are fetched from ``mirrors`` (default ``MNIST_MIRRORS``), MD5-checked.
    ``flatten=False`` gives (N, 28, 28); ``source="torchvision"`` loads through torchvision instead.

    Example:
        >>> x_train, y_train = load_mnist()                              # doctest: +SKIP
        >>> x_test, y_test = load_mnist(split="test", flatten=False)     # doctest: +SKIP
        >>> x_test.shape                                                 # doctest: +SKIP
        (10000, 28, 28)
    """
    return _load(_MNIST, "MNIST", root, split, download, flatten, source, mirrors)


def load_fashion_mnist(
    root=None, split="train", download=True, flatten=True, source="idx", mirrors=None
):
    """Load Fashion-MNIST (clothing images, same format as MNIST) as ``(images, labels)``.

    Same arguments and arrays as ``load_mnist``; files live in ``root/FashionMNIST/raw`` or in
    ``root``, and Debian's ``/usr/share/datasets/fashion-mnist`` is also searched.

    Example:
        >>> x, y = load_fashion_mnist(split="test")  # doctest: +SKIP
        >>> x.shape, y[:3]                             # doctest: +SKIP
        ((10000, 784), array([9, 2, 1]))
    """
    return _load(_FASHION, "FashionMNIST", root, split, download, flatten, source, mirrors)
