"""Anomaly detection, in-place modification checks and numerics at the extremes."""

import inspect
import warnings

import numpy as np
import pytest

from autograd_lite import (AnomalyError, ModifiedInPlaceError, Tensor, Value, detect_anomaly,
                           gradcheck, no_grad)


def test_anomaly_in_backward_names_the_operation_and_the_users_line():
    x = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    with detect_anomaly(), np.errstate(divide="ignore"):
        line = inspect.currentframe().f_lineno + 1
        y = x.sqrt().sum()  # the line the error must name
        with pytest.raises(AnomalyError) as info:
            y.backward()
    msg = str(info.value)
    assert "'sqrt'" in msg and "inf" in msg and "input 0" in msg
    assert f"{__file__}:{line}" in msg
    assert x.grad is None


def test_anomaly_in_forward_names_the_first_bad_operation():
    x = Tensor(np.array([1.0, -1.0]), requires_grad=True, label="x")
    with detect_anomaly(), np.errstate(invalid="ignore"):
        with pytest.raises(AnomalyError, match=r"forward of 'log'.*nan.*inputs were finite"):
            (x * 2).log()


def test_anomaly_detection_for_values_and_as_a_decorator():
    @detect_anomaly()
    def f(v):
        return (v - 1.0).log()

    with pytest.raises(AnomalyError, match="forward of 'log'.*inf"):
        f(Value(1.0))
    assert (Value(1.0) - 1.0).log().data == -np.inf  # off again: no error


def test_anomaly_mode_leaves_correct_results_alone():
    x = Tensor(np.array([0.5, 2.0]), requires_grad=True)
    with detect_anomaly():
        (x.tanh() * x).sum().backward()
    t = np.tanh(x.data)
    np.testing.assert_allclose(x.grad, t + x.data * (1 - t * t))


def test_backward_refuses_data_changed_in_place_after_forward():
    w = Tensor(np.ones(3), requires_grad=True, label="w1")
    loss = (w * w).sum()
    with no_grad():
        w -= 0.1 * np.ones(3)  # an optimizer-style step between forward and backward
    with pytest.raises(ModifiedInPlaceError, match=r"'w1'.*'mul'.*modified in place"):
        loss.backward()
    assert w.grad is None
    np.testing.assert_allclose(w.data, 0.9)


def test_in_place_operators_record_a_new_node_while_recording():
    x = Tensor(np.ones(2), requires_grad=True)
    y = x * 2
    before = y
    y += 1  # recording: a new node, the old one unchanged
    assert y is not before and y.requires_grad
    np.testing.assert_array_equal(before.data, [2.0, 2.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    c = Tensor(np.ones(2, dtype=np.float32))
    c *= 3.0  # nothing requires grad: in place, dtype kept
    assert c.dtype == np.float32 and c._version == 1
    with pytest.raises(ValueError, match=r"in place.*\(2,\).*\(3,\)"):
        c += np.ones(3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations_stay_finite_and_silent_at_the_extremes(dtype):
    x = Tensor(np.array([-1e4, -50.0, 0.0, 50.0, 1e4], dtype=dtype), requires_grad=True)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        for f in (lambda t: t.sigmoid(), lambda t: t.tanh(), lambda t: t.softmax(0),
                  lambda t: t.log_softmax(0)):
            x.grad = None
            out = f(x)
            assert np.isfinite(out.data).all() and out.dtype == dtype
            (out * Tensor(np.arange(5.0, dtype=dtype))).sum().backward()
            assert np.isfinite(x.grad).all()


def test_gradients_are_correct_at_large_inputs():
    big = np.array([-30.0, -8.0, 8.0, 30.0])
    assert gradcheck(lambda t: t.sigmoid(), [big])
    assert gradcheck(lambda t: t.log_softmax(0), [big * 30])
    assert gradcheck(lambda t: t.softmax(0), [big])


def test_in_place_update_of_a_parameter_while_recording_is_an_error():
    w = Tensor(np.ones(2), requires_grad=True, label="w")
    (w * w).sum().backward()
    with pytest.raises(RuntimeError, match=r"'w' is a leaf that requires grad.*no_grad"):
        w -= 0.1 * w.grad  # the classic slip: forgetting no_grad()
    np.testing.assert_array_equal(w.data, [1.0, 1.0])
    with no_grad():
        w -= 0.1 * w.grad
    np.testing.assert_allclose(w.data, [0.8, 0.8])


def test_detect_anomaly_decorator_can_recurse_and_be_reused():
    @detect_anomaly()
    def depth(n):
        return 0 if n == 0 else 1 + depth(n - 1)

    assert depth(3) == 3 and depth(2) == 2
    detector = detect_anomaly()
    with detector:
        with detector:
            pass
    with pytest.raises(AnomalyError):
        with detector:
            Value(-1.0).log()


def test_indices_and_masks_are_copied_at_forward_time():
    x = Tensor(np.arange(3.0), requires_grad=True)
    idx = np.array([0, 0])
    mask = np.array([True, False, True])
    from autograd_lite import where
    y = x[idx].sum() + where(mask, x, 0.0).sum()
    idx[:] = 2
    mask[:] = False
    y.backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])
