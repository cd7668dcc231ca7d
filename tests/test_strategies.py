"""The hypothesis strategies of autograd_lite.testing keep the promises they make."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite.testing import array_pairs, arrays, axes, broadcastable_shapes, positive_arrays


@given(arrays(min_value=-2.0, max_value=2.0, away_from=(0.0, 1.0), margin=0.1))
def test_arrays_stay_in_range_and_away_from_kinks(x):
    assert x.dtype == np.float64
    assert np.all((x >= -2.0) & (x <= 2.0))
    assert np.all(np.abs(x) >= 0.1) and np.all(np.abs(x - 1.0) >= 0.1)


@given(arrays(shape=(5, 4, 4), unique=True, away_from=(0.0,)))
def test_unique_arrays_have_no_near_ties_and_keep_every_other_promise(x):
    flat = np.sort(x.reshape(-1))
    assert np.min(np.diff(flat)) >= 0.01
    assert np.all(np.abs(x) >= 0.05) and np.all((x >= -3) & (x <= 3))


@given(positive_arrays())
def test_positive_arrays_are_positive(x):
    assert np.all(x >= 0.1)


@given(broadcastable_shapes(3))
def test_broadcastable_shapes_broadcast(shapes):
    assert len(shapes) == 3
    np.broadcast_shapes(*shapes)


@given(array_pairs())
def test_array_pairs_broadcast_against_each_other(pair):
    a, b = pair
    assert (a + b).shape == np.broadcast_shapes(a.shape, b.shape)


@given(st.integers(0, 4).flatmap(lambda n: st.tuples(st.just(n), axes(n))))
def test_axes_are_valid_for_their_rank(case):
    ndim, axis = case
    if axis is None:
        return
    items = axis if isinstance(axis, tuple) else (axis,)
    size = max(ndim, 1)
    assert all(-size <= a < size for a in items)
    assert len({a % size for a in items}) == len(items)
