"""Mini-batches of (x, y) arrays and the accuracy metric.

`batches(x, y, batch_size, shuffle=True, seed=None)` yields one pass over the data;
`DataLoader` does the same every time it is iterated (one epoch per loop), reshuffling
with its own generator.

>>> import numpy as np
>>> x, y = np.arange(10).reshape(5, 2), np.arange(5)
>>> [len(yb) for _, yb in batches(x, y, batch_size=2, seed=0)]
[2, 2, 1]
"""

import numpy as np

from autograd_lite import Tensor

from .init import make_rng

__all__ = ["batches", "DataLoader", "accuracy"]


def _array(a):
    return a.data if isinstance(a, Tensor) else np.asarray(a)


def _check_batch_args(x, y, batch_size, where):
    x, y = _array(x), _array(y)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{where}: x and y need a sample axis, got shapes {x.shape} and "
                         f"{y.shape}")
    if len(x) != len(y):
        raise ValueError(f"{where}: x has {len(x)} samples but y has {len(y)}; they must "
                         f"have the same first dimension")
    if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size,
                                                                  (int, np.integer)) \
            or batch_size < 1:
        raise ValueError(f"{where}: batch_size must be a positive integer, got "
                         f"{batch_size!r}")
    return x, y, int(batch_size)


def batches(x, y, batch_size, shuffle=True, seed=None, drop_last=False):
    """Yield `(x_batch, y_batch)` pairs covering the data once.

    With `shuffle`, the order is a random permutation drawn from `seed` (an int or a
    np.random.Generator; NumPy's global generator if None). The last batch is smaller when
    `batch_size` does not divide the number of samples, unless `drop_last`. Arguments are
    checked at the call, before the first batch.

    >>> import numpy as np
    >>> xb, yb = next(batches(np.zeros((6, 3)), np.arange(6), 4, shuffle=False))
    >>> xb.shape, yb.tolist()
    ((4, 3), [0, 1, 2, 3])
    """
    x, y, batch_size = _check_batch_args(x, y, batch_size, "batches")
    order = make_rng(seed).permutation(len(x)) if shuffle else None
    return _iterate(x, y, batch_size, order, drop_last)


def _iterate(x, y, batch_size, order, drop_last):
    n = len(x)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        if order is None:
            yield x[start:start + batch_size], y[start:start + batch_size]
        else:
            index = order[start:start + batch_size]
            yield x[index], y[index]


class DataLoader:
    """Re-iterable mini-batches: each `for` loop over it is one epoch, reshuffled.

    >>> import numpy as np
    >>> loader = DataLoader(np.zeros((10, 2)), np.zeros(10), batch_size=4, seed=0)
    >>> len(loader), [len(xb) for xb, _ in loader]
    (3, [4, 4, 2])
    """

    def __init__(self, x, y, batch_size=32, shuffle=True, seed=None, drop_last=False):
        self.x, self.y, self.batch_size = _check_batch_args(x, y, batch_size, "DataLoader")
        self.shuffle, self.drop_last = bool(shuffle), bool(drop_last)
        self._rng = make_rng(seed)

    def __iter__(self):
        order = self._rng.permutation(len(self.x)) if self.shuffle else None
        return _iterate(self.x, self.y, self.batch_size, order, self.drop_last)

    def __len__(self):
        n, b = len(self.x), self.batch_size
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
    p, t = _array(pred_or_logits), _array(labels)
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
