"""Turning what a user passes into NumPy arrays, with errors that name the operation.

NumPy's own messages ("setting an array element with a sequence. The requested array has
an inhomogeneous shape...") name no operation and no value. Every place where user data
enters goes through `as_array`, so a ragged list, a string or None gets one message that
says which operation, which argument, what was passed, and what to do.
"""

import importlib

import numpy as np

__all__ = ["InvalidDataError", "as_array", "as_dtype", "complex_error", "data_error", "describe",
           "optional_import"]


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
    """`np.asarray(x, dtype)`, refusing anything that is not real numbers (bool to float).

    The data is read before it is cast to `dtype`, so that strings are not parsed as
    numbers and complex numbers are refused rather than losing their imaginary part.

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
        array = np.asarray(x)
    except (TypeError, ValueError) as err:
        raise data_error(op, what, x, err) from None
    kind = array.dtype.kind
    if kind not in "biuf":
        raise complex_error(op, what, array.dtype) if kind == "c" else data_error(op, what, x)
    return array if dtype is None else array.astype(dtype, copy=False)


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


def tensor_dtype(dtype, op, what="dtype"):
    """`dtype` as a NumPy dtype if a Tensor may hold it: real numbers, not float16.

    float16 is refused because its range (up to 65504) is too small for the counts and
    sums inside gradients: the n of a mean over 70000 elements would overflow to inf.

    >>> tensor_dtype("float32", "astype")
    dtype('float32')
    >>> tensor_dtype(np.float16, "astype")
    Traceback (most recent call last):
    ...
    TypeError: astype: float16 dtype is not supported: its range (up to 65504) is too small ...
    """
    dt = as_dtype(dtype, op)
    if dt.kind in "biu" or dt.kind == "f" and dt.itemsize != 2:
        return dt
    if dt.kind == "c":
        raise complex_error(op, what, dt)
    if dt.kind == "f":  # float16
        raise TypeError(f"{op}: float16 {what} is not supported: its range (up to 65504) is "
                        f"too small for the counts and sums inside gradients, which would "
                        f"come out wrong; use float32")
    hint = (" (strings are not read as numbers: convert them yourself, e.g. float(text))"
            if dt.kind in "USa" else "")
    raise TypeError(f"{op}: {what} must be numbers, got dtype {dt}{hint}")


def complex_error(op, what, dtype):
    """The TypeError for complex data: the engine differentiates real numbers only.

    >>> print(complex_error("Tensor", "data", np.dtype(complex)))
    Tensor: data is complex (complex128), but autograd-lite differentiates real numbers only; pass x.real or abs(x) explicitly
    """
    return TypeError(f"{op}: {what} is complex ({dtype}), but autograd-lite differentiates "
                     f"real numbers only; pass x.real or abs(x) explicitly")


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


def optional_import(module, what, package, hint):
    """`import module` for an optional feature, or a ModuleNotFoundError saying that `what`
    needs `package` (its name for people) and how to install it (`hint`).

    >>> optional_import("numpy", "this example", "NumPy", "pip install numpy").__name__
    'numpy'
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ModuleNotFoundError(f"{what} needs {package}, which is not installed: {hint}",
                                  name=module) from None
