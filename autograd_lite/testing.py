"""Hypothesis strategies for testing code built on autograd-lite.

Gradient checks need inputs that are float64, of modest size, and away from the points
where a function is not differentiable (relu and abs at 0, max at ties, log at 0). These
strategies draw such inputs. Requires `hypothesis` (`pip install "autograd-lite[test]"`).

>>> from hypothesis import given
>>> from autograd_lite import Tensor, gradcheck
>>> from autograd_lite.testing import arrays
>>> @given(arrays(away_from=(0.0,)))
... def test_abs(x):
...     assert gradcheck(lambda t: t.abs(), [x])
>>> test_abs()
"""

import numpy as np

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as err:  # pragma: no cover - exercised only without hypothesis
    raise ImportError(
        "autograd_lite.testing needs hypothesis: pip install \"autograd-lite[test]\"") from err

__all__ = ["shapes", "arrays", "positive_arrays", "broadcastable_shapes", "array_pairs",
           "axes"]


def shapes(min_dims=0, max_dims=3, min_side=1, max_side=4):
    """Array shapes with `min_dims`..`max_dims` axes of `min_side`..`max_side` elements.

    Size-1 sides are included, since they are where broadcasting bugs hide.

    >>> from hypothesis import given
    >>> @given(shapes(min_dims=1, max_dims=2))
    ... def test_shapes(shape):
    ...     assert 1 <= len(shape) <= 2 and all(1 <= n <= 4 for n in shape)
    >>> test_shapes()
    """
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


@st.composite
def arrays(draw, shape=None, dtype=np.float64, min_value=-3.0, max_value=3.0, away_from=(),
           margin=0.05, unique=False, **shape_kwargs):
    """float arrays of `shape` (drawn by `shapes(**shape_kwargs)` when None).

    Elements lie in [min_value, max_value] and at least `margin` away from every point in
    `away_from` (e.g. `(0.0,)` for relu and abs). `unique=True` avoids ties (for max/min).

    >>> from hypothesis import given
    >>> from autograd_lite import gradcheck
    >>> @given(arrays(shape=(2, 3), away_from=(0.0,)))
    ... def test_relu(x):
    ...     assert x.shape == (2, 3) and (np.abs(x) >= 0.05).all()
    ...     assert gradcheck(lambda t: t.relu(), [x])
    >>> test_relu()
    """
    if shape is None:
        shape = draw(shapes(**shape_kwargs))
    elements = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False,
                         width=np.dtype(dtype).itemsize * 8)
    if away_from:
        elements = elements.filter(
            lambda v: all(abs(v - p) >= margin for p in away_from))
    x = draw(hnp.arrays(dtype, shape, elements=elements, unique=unique))
    if unique and x.size > 1 and np.min(np.diff(np.sort(x.reshape(-1)))) < margin:
        # Distinct floats can still be closer than finite differences resolve: keep their
        # order, but move them to evenly spread points of [min_value, max_value] that keep
        # away from `away_from`.
        grid = np.linspace(min_value, max_value, 8 * x.size + 1)
        grid = grid[[all(abs(v - p) >= margin for p in away_from) for v in grid]]
        spread = grid[np.linspace(0, len(grid) - 1, x.size).round().astype(int)]
        ranks = np.argsort(np.argsort(x.reshape(-1), kind="stable"))
        x = spread[ranks].reshape(x.shape).astype(dtype)
    return x


def positive_arrays(shape=None, min_value=0.1, max_value=3.0, **kwargs):
    """Arrays with elements in [min_value, max_value], e.g. for log, sqrt and pow.

    >>> from hypothesis import given
    >>> from autograd_lite import gradcheck
    >>> @given(positive_arrays())
    ... def test_log(x):
    ...     assert (x >= 0.1).all() and gradcheck(lambda t: t.log(), [x])
    >>> test_log()
    """
    return arrays(shape=shape, min_value=min_value, max_value=max_value, **kwargs)


def broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=4):
    """A tuple of `num_shapes` shapes that NumPy can broadcast together.

    >>> from hypothesis import given
    >>> @given(broadcastable_shapes(num_shapes=3))
    ... def test_broadcast(shapes):
    ...     assert len(shapes) == 3
    ...     np.broadcast_shapes(*shapes)          # never raises
    >>> test_broadcast()
    """
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=min_side,
        max_side=max_side).map(lambda bs: bs.input_shapes)


@st.composite
def array_pairs(draw, min_value=-3.0, max_value=3.0, **kwargs):
    """Two arrays whose shapes broadcast against each other.

    >>> from hypothesis import given
    >>> from autograd_lite import gradcheck
    >>> @given(array_pairs())
    ... def test_mul(pair):
    ...     assert gradcheck(lambda a, b: a * b, list(pair))
    >>> test_mul()
    """
    a_shape, b_shape = draw(broadcastable_shapes(2, **kwargs))
    return (draw(arrays(shape=a_shape, min_value=min_value, max_value=max_value)),
            draw(arrays(shape=b_shape, min_value=min_value, max_value=max_value)))


@st.composite
def axes(draw, ndim, allow_none=True, allow_tuple=True):
    """An `axis` argument for an array with `ndim` axes: None, an int (maybe negative) or a
    tuple of distinct ints.

    Draw the array first, then an axis that fits it, with `st.data()`:

    >>> from hypothesis import given, strategies as st
    >>> from autograd_lite import gradcheck
    >>> @given(st.data())
    ... def test_sum(data):
    ...     x = data.draw(arrays(min_dims=1))
    ...     axis = data.draw(axes(x.ndim))
    ...     assert gradcheck(lambda t: t.sum(axis=axis), [x])
    >>> test_sum()
    """
    choices = [st.integers(-max(ndim, 1), max(ndim, 1) - 1)] if ndim else []
    if allow_none:
        choices.append(st.none())
    if allow_tuple and ndim:
        choices.append(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim,
                                unique=True).map(tuple))
    if not choices:
        return None
    return draw(st.one_of(choices))
