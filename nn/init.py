"""Weight initialisers: each returns a NumPy array of shape `(fan_in, fan_out)`.

Every initialiser takes the shape and a random source. The source is `None` for NumPy's
global generator (so `np.random.seed(...)` controls it, as the course expects), an int seed,
or a `np.random.Generator`. Layers pick one by name with `init="..."`.

>>> import numpy as np
>>> from nn.init import xavier_uniform
>>> w = xavier_uniform((3, 2), rng=0)
>>> w.shape, bool(np.all(np.abs(w) <= np.sqrt(6 / 5)))
((3, 2), True)
"""

import numpy as np

__all__ = [
    "randn",
    "uniform",
    "xavier_uniform",
    "xavier_normal",
    "he_uniform",
    "he_normal",
    "zeros",
    "INITIALIZERS",
    "get_initializer",
    "make_rng",
]


def make_rng(seed=None, rng=None):
    """The random source for `seed` (int or Generator) or `rng`; NumPy's global one if neither.

    >>> make_rng(0).standard_normal() == make_rng(0).standard_normal()
    True
    """
    if seed is not None and rng is not None:
        raise ValueError("give either seed= or rng=, not both")
    source = rng if rng is not None else seed
    if source is None or source is np.random:
        return np.random  # the legacy global generator, seeded by np.random.seed
    if isinstance(source, np.random.Generator):
        return source
    if isinstance(source, (bool, np.bool_)) or not isinstance(source, (int, np.integer)):
        raise TypeError(f"seed must be an int or a np.random.Generator, got {source!r}")
    return np.random.default_rng(int(source))


def _shape(shape, op, min_dims):
    """`shape` as a tuple of positive ints with at least `min_dims` axes (the fans), or a
    ValueError naming the initialiser."""
    try:
        shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        ok = all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1
                 for n in shape)
    except TypeError:
        ok = False
    if not ok or len(shape) < min_dims:
        need = {0: "", 1: " with at least 1 axis (fan_in)",
                2: " with at least 2 axes (fan_in, fan_out)"}[min_dims]
        raise ValueError(f"{op}: shape must be a tuple of positive ints{need}, got {shape!r}")
    return shape


def _source(rng):
    return rng if rng is np.random or isinstance(rng, np.random.Generator) else make_rng(rng)


def randn(shape, rng=None):
    """Standard normal values, `np.random.randn(*shape)` (the course's choice).

    >>> import numpy as np
    >>> np.random.seed(0); a = randn((2, 3))
    >>> np.random.seed(0); bool(np.array_equal(a, np.random.randn(2, 3)))
    True
    """
    shape = _shape(shape, "randn", 0)
    return _source(rng).standard_normal(tuple(shape))


def uniform(shape, rng=None):
    """Uniform in +-1/sqrt(fan_in): PyTorch's default for `Linear`.

    >>> bool(abs(uniform((4, 3), rng=0)).max() <= 0.5)
    True
    """
    shape = _shape(shape, "uniform", 1)
    bound = 1.0 / np.sqrt(shape[0])
    return _source(rng).uniform(-bound, bound, tuple(shape))


def xavier_uniform(shape, rng=None, gain=1.0):
    """Glorot/Xavier uniform: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)); suits tanh.

    >>> xavier_uniform((3, 2), rng=1).shape
    (3, 2)
    """
    shape = _shape(shape, "xavier_uniform", 2)
    bound = gain * np.sqrt(6.0 / (shape[0] + shape[1]))
    return _source(rng).uniform(-bound, bound, tuple(shape))


def xavier_normal(shape, rng=None, gain=1.0):
    """Glorot/Xavier normal: N(0, std**2), std = gain * sqrt(2 / (fan_in + fan_out)).

    >>> xavier_normal((3, 2), rng=1).shape
    (3, 2)
    """
    shape = _shape(shape, "xavier_normal", 2)
    std = gain * np.sqrt(2.0 / (shape[0] + shape[1]))
    return std * _source(rng).standard_normal(tuple(shape))


def he_uniform(shape, rng=None):
    """He/Kaiming uniform for ReLU: U(-a, a), a = sqrt(6 / fan_in).

    >>> he_uniform((3, 2), rng=1).shape
    (3, 2)
    """
    shape = _shape(shape, "he_uniform", 1)
    bound = np.sqrt(6.0 / shape[0])
    return _source(rng).uniform(-bound, bound, tuple(shape))


def he_normal(shape, rng=None):
    """He/Kaiming normal for ReLU: N(0, std**2), std = sqrt(2 / fan_in).

    >>> he_normal((3, 2), rng=1).shape
    (3, 2)
    """
    shape = _shape(shape, "he_normal", 1)
    return np.sqrt(2.0 / shape[0]) * _source(rng).standard_normal(tuple(shape))


def zeros(shape, rng=None):
    """All zeros (fine for biases, bad for weights: every neuron would stay the same).

    >>> zeros((1, 2))
    array([[0., 0.]])
    """
    shape = _shape(shape, "zeros", 0)
    return np.zeros(tuple(shape))


INITIALIZERS = {
    "randn": randn,
    "normal": randn,
    "uniform": uniform,
    "xavier": xavier_uniform,
    "glorot": xavier_uniform,
    "xavier_uniform": xavier_uniform,
    "glorot_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "glorot_normal": xavier_normal,
    "he": he_normal,
    "kaiming": he_normal,
    "he_normal": he_normal,
    "kaiming_normal": he_normal,
    "he_uniform": he_uniform,
    "kaiming_uniform": he_uniform,
    "zeros": zeros,
}


def get_initializer(init):
    """The initialiser named `init` (see INITIALIZERS), or `init` itself if it is callable.

    A callable is called as `init(shape, rng)` and must return an array of that shape.

    >>> get_initializer("glorot") is xavier_uniform
    True
    """
    if callable(init):
        return init
    if isinstance(init, str) and init.lower() in INITIALIZERS:
        return INITIALIZERS[init.lower()]
    choices = ", ".join(repr(k) for k in INITIALIZERS)
    raise ValueError(f"unknown weight initialiser {init!r}; choose one of {choices}, or pass "
                     f"a callable init(shape, rng) -> array")
