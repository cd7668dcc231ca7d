"""Save a module's parameters to a `.npz` file and load them back, without pickle.

The file is a plain NumPy `.npz` archive with one array per parameter, named as in
`state_dict()` ("layers.0.weight"). It is written to a temporary file and then renamed, so
an interrupted save never leaves a half-written file under the target name. Loading reads
with `allow_pickle=False` and checks every name, shape and dtype before changing anything.

>>> import os, tempfile
>>> from nn import Linear, save, load
>>> a, b = Linear(3, 2, seed=0), Linear(3, 2, seed=1)
>>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
>>> save(a, path)
>>> _ = load(b, path)
>>> bool((a.weight.data == b.weight.data).all())
True
"""

import os
import tempfile
import zipfile

import numpy as np

from .module import StateDictError

__all__ = ["save", "load"]


def save(module, path):
    """Write `module.state_dict()` to `path` as an uncompressed `.npz` archive.

    The file is written exactly at `path` (no ".npz" is appended).

    >>> import os, tempfile
    >>> from nn import MLP, save
    >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
    >>> save(MLP([2, 3, 1], seed=0), path)
    >>> sorted(np.load(path).files)
    ['0.bias', '0.weight', '2.bias', '2.weight']
    """
    if not callable(getattr(module, "state_dict", None)):
        raise TypeError(f"save: the first argument must be a model (a Module or a "
                        f"NeuralNetwork), got {type(module).__name__}; call save(model, path)")
    path = _path(path, "save")
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise IsADirectoryError(f"save: {path!r} is a folder; give the path of a file inside "
                                f"it, e.g. {os.path.join(path, 'model.npz')!r}")
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save: cannot write {path!r}: the folder {folder!r} does not "
                                f"exist; create it first (os.makedirs(folder, exist_ok=True))")
    arrays = module.state_dict()
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
    except OSError as err:
        raise type(err)(f"save: cannot write {path!r} ({err.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as archive:
                for name, array in arrays.items():
                    with archive.open(name + ".npy", "w", force_zip64=True) as member:
                        np.lib.format.write_array(member, np.asarray(array, order="C"),
                                                  allow_pickle=False)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def load(module, path):
    """Load parameters saved by `save` into `module` (in place) and return the module.

    Raises FileNotFoundError for a missing file, and StateDictError (a ValueError) naming
    the problem for a file that is truncated or not an `.npz` archive, or whose parameter
    names, shapes or dtypes differ from the module's; the module is then left unchanged.

    >>> import os, tempfile
    >>> from nn import MLP, load, save
    >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
    >>> save(MLP([2, 3, 1], seed=0), path)
    >>> copy = load(MLP([2, 3, 1], seed=1), path)
    >>> bool(np.array_equal(copy[0].weight.data, MLP([2, 3, 1], seed=0)[0].weight.data))
    True
    """
    path = _path(path, "load")
    if os.path.isdir(path):
        raise IsADirectoryError(f"load: {path!r} is a folder, not a file written by nn.save")
    try:
        archive = np.load(path, allow_pickle=False)
    except OSError as err:
        if err.errno is None:  # NumPy's own OSError for a file it cannot parse
            raise StateDictError(f"load: cannot read {path!r} as a .npz archive ({err}); is "
                                 f"the file truncated or not written by nn.save?") from None
        raise type(err)(f"load: cannot read {path!r} ({err.strerror}); save a model there "
                        f"first with nn.save(model, path)") from None
    except Exception as err:  # truncated, not a zip, or pickled data
        if "allow_pickle" in str(err):  # never suggest loading pickles: they run code
            raise StateDictError(f"load: cannot read {path!r} as a .npz archive of plain "
                                 f"arrays (only pickle could read it, and pickle can run "
                                 f"code, so nn.load refuses it); is the file truncated or "
                                 f"not written by nn.save?") from None
        raise StateDictError(f"load: cannot read {path!r} as a .npz archive "
                             f"({type(err).__name__}: {err}); is the file truncated or not "
                             f"written by nn.save?") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise StateDictError(f"load: {path!r} holds a single array, not a .npz archive of "
                             f"named parameters written by nn.save")
    with archive:
        arrays = {}
        for name in archive.files:
            try:
                arrays[name] = archive[name]
            except Exception as err:  # a damaged member, or an object array (pickle)
                raise StateDictError(f"load: cannot read parameter {name!r} from {path!r} "
                                     f"({type(err).__name__}: {err}); the file is damaged or "
                                     f"was not written by nn.save") from None
    try:
        module.load_state_dict(arrays)
    except StateDictError as err:
        raise StateDictError(f"load {path!r}: {err}") from None
    return module


def _path(path, op):
    """`path` as a str, or a TypeError naming the operation."""
    try:
        return os.fspath(path)
    except TypeError:
        raise TypeError(f"{op}: path must be a file name (a str or a pathlib.Path), got "
                        f"{path!r}") from None
