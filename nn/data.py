"""Mini-batches of (x, y) arrays and the accuracy metric.

`batches(x, y, batch_size, shuffle=True, seed=None)` yields one pass over the data;
`DataLoader` does the same every time it is iterated (one epoch per loop), reshuffling
with its own generator. Both also take a dataset instead of `x, y`: any object with len()
whose items are (input, label) pairs, such as a torchvision dataset.

>>> import numpy as np
>>> x, y = np.arange(10).reshape(5, 2), np.arange(5)
>>> [len(yb) for _, yb in batches(x, y, batch_size=2, seed=0)]
[2, 2, 1]
"""

import numpy as np

from autograd_lite import Tensor
from autograd_lite.checks import as_array, describe

from .init import make_rng

__all__ = ["batches", "DataLoader", "accuracy"]


def _array(a, where, what):
    return a.data if isinstance(a, Tensor) else as_array(a, where, what)


class _Arrays:
    """The samples of arrays `x` and labels `y`, with the same first dimension."""

    def __init__(self, x, y, where):
        x, y = _array(x, where, "x"), _array(y, where, "y")
        if x.ndim == 0 or y.ndim == 0:
            raise ValueError(f"{where}: x and y need a sample axis, got shapes {x.shape} and "
                             f"{y.shape}")
        if len(x) != len(y):
            raise ValueError(f"{where}: x has {len(x)} samples but y has {len(y)}; they must "
                             f"have the same first dimension")
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def take(self, index):
        return self.x[index], self.y[index]


class _Dataset:
    """The samples of a dataset: any object with len() whose `dataset[i]` is an (input,
    label) pair, such as a torchvision dataset (inputs may be PIL images, tensors or arrays);
    batches stack them into arrays."""

    def __init__(self, dataset, where):
        self.dataset, self.where = dataset, where
        try:
            n = len(dataset)
            first = dataset[0] if n else None
        except (TypeError, AttributeError, KeyError):
            raise TypeError(f"{where}: without y, the first argument must be a dataset: an "
                            f"object with len() whose [i] is an (input, label) pair, such as "
                            f"a torchvision dataset; got {describe(dataset)}. For arrays, "
                            f"pass the labels too: {where}(x, y, batch_size)") from None
        if n == 0:
            raise ValueError(f"{where}: the dataset is empty (len 0)")
        self.n = n
        self._pair(first, 0)

    def _pair(self, item, i):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise TypeError(f"{self.where}: dataset[{i}] must be an (input, label) pair, as "
                            f"torchvision datasets give, got {describe(item)}")
        return item

    def __len__(self):
        return self.n

    def take(self, index):
        index = range(self.n)[index] if isinstance(index, slice) else index
        pairs = [self._pair(self.dataset[int(i)], int(i)) for i in index]
        return (self._stack([p[0] for p in pairs], index, "input"),
                self._stack([p[1] for p in pairs], index, "label"))

    def _stack(self, items, index, what):
        arrays = [as_array(a, self.where, f"the {what} of dataset[{i}]")
                  for a, i in zip(items, index)]
        for a, i in zip(arrays, index):
            if a.shape != arrays[0].shape:
                raise ValueError(f"{self.where}: the {what} of dataset[{i}] has shape "
                                 f"{a.shape}, but that of dataset[{index[0]}] has shape "
                                 f"{arrays[0].shape}; a batch needs equal shapes")
        return np.stack(arrays)


def _source(x, y, batch_size, where):
    """The samples (arrays x, y or a dataset x) and the batch size, checked."""
    if isinstance(y, (int, np.integer)) and not isinstance(y, (bool, np.bool_)) \
            and batch_size is None:
        y, batch_size = None, y  # batches(dataset, 64), as PyTorch's DataLoader(dataset, 64)
    if y is None:
        if isinstance(x, (np.ndarray, Tensor)):
            raise TypeError(f"{where}: got inputs x of shape {np.shape(x)} but no labels y; "
                            f"call {where}(x, y, batch_size)")
        source = _Dataset(x, where)
    else:
        source = _Arrays(x, y, where)
    if batch_size is None:
        raise TypeError(f"{where}: batch_size is missing; e.g. {where}(x, y, batch_size=32)")
    if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size,
                                                                  (int, np.integer)) \
            or batch_size < 1:
        raise ValueError(f"{where}: batch_size must be a positive integer, got "
                         f"{batch_size!r}")
    return source, int(batch_size)


def batches(x, y=None, batch_size=None, shuffle=True, seed=None, drop_last=False):
    """Yield `(x_batch, y_batch)` pairs covering the data once.

    `x` and `y` are arrays (or Tensors) with one sample per row. Instead, `x` may be a
    dataset, such as a torchvision dataset: any object with len() whose `x[i]` is an
    (input, label) pair; then `y` is omitted (`batches(dataset, 64)`), and each batch
    stacks the inputs (PIL images, tensors or arrays) and the labels into arrays.

    With `shuffle`, the order is a random permutation drawn from `seed` (an int or a
    np.random.Generator; NumPy's global generator if None). The last batch is smaller when
    `batch_size` does not divide the number of samples, unless `drop_last`. Arguments are
    checked at the call, before the first batch.

    >>> import numpy as np
    >>> xb, yb = next(batches(np.zeros((6, 3)), np.arange(6), 4, shuffle=False))
    >>> xb.shape, yb.tolist()
    ((4, 3), [0, 1, 2, 3])
    >>> pairs = [(np.full((2, 2), i), i) for i in range(5)]   # a dataset of (input, label)
    >>> [yb.tolist() for _, yb in batches(pairs, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    source, batch_size = _source(x, y, batch_size, "batches")
    order = make_rng(seed).permutation(len(source)) if shuffle else None
    return _iterate(source, batch_size, order, drop_last)


def _iterate(source, batch_size, order, drop_last):
    n = len(source)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        if order is None:
            yield source.take(slice(start, start + batch_size))
        else:
            yield source.take(order[start:start + batch_size])


class DataLoader:
    """Re-iterable mini-batches: each `for` loop over it is one epoch, reshuffled.

    Takes arrays `x, y`, or a dataset (such as a torchvision dataset) as `batches` does;
    `batch_size` is 32 unless given.

    >>> import numpy as np
    >>> loader = DataLoader(np.zeros((10, 2)), np.zeros(10), batch_size=4, seed=0)
    >>> len(loader), [len(xb) for xb, _ in loader]
    (3, [4, 4, 2])
    """

    def __init__(self, x, y=None, batch_size=None, shuffle=True, seed=None, drop_last=False):
        if batch_size is None and not isinstance(y, (int, np.integer)):
            batch_size = 32
        self._source, self.batch_size = _source(x, y, batch_size, "DataLoader")
        self.shuffle, self.drop_last = bool(shuffle), bool(drop_last)
        self._rng = make_rng(seed)

    @property
    def x(self):
        """The inputs (arrays), or the dataset."""
        return getattr(self._source, "x", getattr(self._source, "dataset", None))

    @property
    def y(self):
        """The labels (arrays), or None for a dataset."""
        return getattr(self._source, "y", None)

    def __iter__(self):
        order = self._rng.permutation(len(self._source)) if self.shuffle else None
        return _iterate(self._source, self.batch_size, order, self.drop_last)

    def __len__(self):
        n, b = len(self._source), self.batch_size
        return n // b if self.drop_last else -(-n // b)


def accuracy(pred_or_logits, labels, threshold=0.5):
    """The fraction of predictions that match `labels`, a float in [0, 1].

    - scores of shape (N, C), C > 1 (logits or probabilities): the predicted class is the
      argmax; labels are class indices (N,) or one-hot (N, C);
    - one score per sample, (N,) or (N, 1), floating point: binary, predicted 1 where the
      score exceeds `threshold` (0.5 for probabilities; pass 0 for logits);
    - integer predictions: compared with the labels as they are.

    >>> import numpy as np
    >>> accuracy(np.array([[2.0, 1.0], [0.0, 3.0]]), np.array([0, 0]))
    0.5
    >>> accuracy(np.array([[0.9], [0.2]]), np.array([[1], [0]]))
    1.0
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)):
        raise TypeError(f"accuracy: threshold must be a number (0.5 for probabilities, 0 for "
                        f"logits), got {threshold!r}")
    p = _array(pred_or_logits, "accuracy", "predictions")
    t = _array(labels, "accuracy", "labels")
    if p.ndim >= 2 and p.shape[-1] > 1:
        predicted = p.argmax(axis=-1)
        if t.shape == p.shape:
            t = t.argmax(axis=-1)
    else:
        if p.ndim >= 2:
            p = p[..., 0]
        predicted = p if p.dtype.kind in "iub" else (p > threshold)
        if t.ndim == predicted.ndim + 1 and t.shape[-1] == 1:
            t = t[..., 0]
    if predicted.shape != t.shape:
        raise ValueError(f"accuracy: predictions of shape {np.shape(pred_or_logits)} do not "
                         f"match labels of shape {np.shape(labels)}; expected labels of "
                         f"shape {predicted.shape}")
    if predicted.size == 0:
        raise ValueError("accuracy: no predictions (empty input)")
    return float(np.mean(predicted == t))
