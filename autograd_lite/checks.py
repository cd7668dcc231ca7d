"""Turning what a user passes into NumPy arrays, with errors that name the operation.

NumPy's own messages ("setting an array element with a sequence. The requested array has
an inhomogeneous shape...") name no operation and no value. Every place where user data
enters goes through `as_array`, so a ragged list, a string or None gets one message that
says which operation, which argument, what was passed, and what to do.
"""

import numpy as np

__all__ = ["InvalidDataError", "as_array", "as_dtype", "data_error", "describe"]


class InvalidDataError(TypeError, ValueError):
    """Data that is not a number or a rectangular array of numbers.

    It is both a TypeError and a ValueError, so code that catches either (NumPy raises a
    ValueError for a ragged list, a TypeError for None) keeps working.

    >>> from autograd_lite import Tensor
    >>> Tensor([[1.0, 2.0], [3.0]])
    Traceback (most recent call last):
    ...
    autograd_lite.checks.InvalidDataError: Tensor: data must be a number or a rectangular ...
    """


def describe(x, limit=60):
    """A short text for the value `x` in an error message (shape and dtype for arrays).

    >>> describe([[1.0, 2.0], [3.0]])
    '[[1.0, 2.0], [3.0]]'
    >>> describe(np.zeros((2, 3)))
    'an array of shape (2, 3) and dtype float64'
    """
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    text = repr(x)
    return text if len(text) <= limit else text[:limit - 5] + " ...)"


def as_array(x, op, what="data", dtype=None):
    """`np.asarray(x, dtype)`, refusing anything that is not numbers (bool to complex).

    `op` and `what` name the operation and the argument in the error, an
    `InvalidDataError` that also says what was passed and what to do.

    >>> as_array([1, 2], "add", "other").tolist()
    [1, 2]
    >>> as_array([[1.0], [2.0, 3.0]], "add", "other")
    Traceback (most recent call last):
    ...
    autograd_lite.checks.InvalidDataError: add: other must be a number or a rectangular ...
    """
    if x is None:  # np.asarray(None, float) would be nan
        raise data_error(op, what, x)
    try:
        array = np.asarray(x, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise data_error(op, what, x, err) from None
    if array.dtype.kind not in "biufc":
        raise data_error(op, what, x)
    return array


def as_dtype(dtype, op):
    """`np.dtype(dtype)`, or a TypeError naming the operation and the dtype given.

    >>> as_dtype("float32", "astype")
    dtype('float32')
    >>> as_dtype("foo", "astype")
    Traceback (most recent call last):
    ...
    TypeError: astype: 'foo' is not a dtype; use a NumPy dtype such as np.float32 or "float64"
    """
    try:
        return np.dtype(dtype)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: {describe(dtype)} is not a dtype; use a NumPy dtype such as "
                        f"np.float32 or \"float64\"") from None


def data_error(op, what, x, err=None):
    """The InvalidDataError for `x`, which NumPy could not turn into an array of numbers
    (`err` is NumPy's exception, if any)."""
    text = str(err or "")
    if "inhomogeneous" in text or "sequence" in text:
        why = ("; it is ragged (its rows have different lengths): give every row the same "
               "length, or pad them")
    elif isinstance(x, (str, bytes)) or "could not convert string" in text:
        why = "; strings are not numbers: convert them first, e.g. float(s)"
    elif x is None or not isinstance(x, (list, tuple)):
        why = ""
    else:
        why = " (an element is not a number)"
    return InvalidDataError(f"{op}: {what} must be a number or a rectangular (nested) list "
                            f"or array of numbers, got {describe(x)}{why}")
