"""Normalisation layers (BatchNorm1d, BatchNorm2d, LayerNorm) and the Embedding lookup table.

BatchNorm keeps running statistics as buffers (`running_mean`, `running_var`,
`num_batches_tracked`): `train()` normalises each batch by its own statistics and updates
them, `eval()` normalises by them, and `state_dict`, `nn.save` and `nn.load` include them,
under PyTorch's names.

>>> import numpy as np
>>> from nn import BatchNorm2d
>>> bn = BatchNorm2d(3)
>>> sorted(bn.state_dict())
['bias', 'num_batches_tracked', 'running_mean', 'running_var', 'weight']
"""

import numpy as np

from autograd_lite import DEFAULT_DTYPE, Tensor

from . import functional as F
from .init import make_rng
from .module import Module, Parameter, _check_size, _float_dtype

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm", "Embedding"]


class _BatchNorm(Module):
    """Batch normalisation over every axis but the channels (axis 1)."""

    dims, layouts = (), ""  # the accepted input ranks, and how to say them

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, *, dtype=None):
        super().__init__()
        where = type(self).__name__
        self.num_features = _check_size(num_features, "num_features", where)
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(f"{where}: momentum must be in [0, 1] or None, got {momentum!r}")
        self.eps, self.momentum = eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        dtype = _float_dtype(dtype or DEFAULT_DTYPE, where)
        n = self.num_features
        self.weight = Parameter(np.ones(n, dtype)) if affine else None
        self.bias = Parameter(np.zeros(n, dtype)) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(n, dtype)))
            self.register_buffer("running_var", Tensor(np.ones(n, dtype)))
            self.register_buffer("num_batches_tracked", np.array(0, np.int64))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def reset_running_stats(self):
        """Running mean 0, running variance 1, no batch counted."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=self.weight.dtype
                                                             if self.affine else None))
        if x.ndim not in self.dims or x.ndim >= 2 and x.shape[1] != self.num_features:
            raise ValueError(f"{self._describe()}: expected an input of shape {self.layouts} with "
                             f"C = {self.num_features}, got shape {x.shape}")
        use_batch = self.training or not self.track_running_stats
        momentum = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            if momentum is None:  # a cumulative average of all batches so far
                momentum = 1.0 / float(self.num_batches_tracked.data)
        stats = self.track_running_stats and (self.training or not use_batch)
        return F.batch_norm(x, self.running_mean if stats else None,
                            self.running_var if stats else None, self.weight, self.bias,
                            training=use_batch, momentum=momentum or 0.0, eps=self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs, per channel C.

    >>> import numpy as np
    >>> bn = BatchNorm1d(2)
    >>> y = bn(np.array([[1.0, 10.0], [3.0, 30.0]], dtype=np.float32))
    >>> y.data.round(3), bn.running_mean.data
    (array([[-1., -1.],
           [ 1.,  1.]], dtype=float32), array([0.2, 2. ], dtype=float32))
    """

    dims, layouts = (2, 3), "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) images, per channel C.

    >>> import numpy as np
    >>> bn = BatchNorm2d(3).eval()          # running statistics: mean 0, variance 1
    >>> bool(np.allclose(bn(np.ones((2, 3, 4, 4), dtype=np.float32)).data, 1, atol=1e-4))
    True
    """

    dims, layouts = (4,), "(N, C, H, W)"


class LayerNorm(Module):
    """Normalise each sample over its last axes (`normalized_shape`), then scale by `weight`
    (ones) and shift by `bias` (zeros), both of shape `normalized_shape`.

    >>> import numpy as np
    >>> LayerNorm(4)(np.arange(8.0, dtype=np.float32).reshape(2, 4)).data.round(2)
    array([[-1.34, -0.45,  0.45,  1.34],
           [-1.34, -0.45,  0.45,  1.34]], dtype=float32)
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, *,
                 dtype=None):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) \
            else tuple(normalized_shape)
        self.normalized_shape = tuple(_check_size(n, "normalized_shape", "LayerNorm")
                                      for n in shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        dtype = _float_dtype(dtype or DEFAULT_DTYPE, "LayerNorm")
        self.weight = Parameter(np.ones(self.normalized_shape, dtype)) \
            if elementwise_affine else None
        self.bias = Parameter(np.zeros(self.normalized_shape, dtype)) \
            if elementwise_affine and bias else None

    def forward(self, x):
        if not isinstance(x, Tensor):
            x = Tensor(np.asarray(x, dtype=self.weight.dtype if self.weight is not None
                                  else None))
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class Embedding(Module):
    """A lookup table: row i of `weight` (num_embeddings, embedding_dim) for each index i.
    Rows start standard normal, as PyTorch's; the row `padding_idx` starts at zero and gets
    no gradient.

    >>> import numpy as np
    >>> emb = Embedding(10, 3, seed=0)
    >>> emb(np.array([[1, 2], [3, 1]])).shape
    (2, 2, 3)
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, *, seed=None,
                 rng=None, dtype=None):
        super().__init__()
        self.num_embeddings = _check_size(num_embeddings, "num_embeddings", "Embedding")
        self.embedding_dim = _check_size(embedding_dim, "embedding_dim", "Embedding")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx must be within num_embeddings "
                                 f"({num_embeddings}), got {padding_idx}")
            padding_idx %= num_embeddings
        self.padding_idx = padding_idx
        weight = make_rng(seed, rng).standard_normal((num_embeddings, embedding_dim))
        if padding_idx is not None:
            weight[padding_idx] = 0
        self.weight = Parameter(weight, dtype=_float_dtype(dtype or DEFAULT_DTYPE, "Embedding"))

    def forward(self, indices):
        return F.embedding(indices, self.weight, self.padding_idx)

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        return text if self.padding_idx is None else text + f", padding_idx={self.padding_idx}"
