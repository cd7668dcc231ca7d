"""`detect_anomaly()`: find the operation that first produced a NaN or an infinity.

Off by default: the engine then pays one global lookup per operation. Inside the block,
every forward result and every gradient a backward rule returns is checked, and each
operation remembers where in the user's code it was created, so the error can say which
operation, in which file and on which line, produced the bad number.
"""

import sys

import numpy as np

from . import engine

__all__ = ["detect_anomaly", "AnomalyError"]

# Frames in these packages are the framework's own; the creation site is the first other.
_INTERNAL = ("autograd_lite", "nn")


class AnomalyError(FloatingPointError):
    """An operation produced NaN or Inf while `detect_anomaly()` was active.

    It is a `FloatingPointError`, so `except FloatingPointError` catches it too.

    >>> from autograd_lite import AnomalyError, Value, detect_anomaly
    >>> try:
    ...     with detect_anomaly():
    ...         Value(-1.0).log()
    ... except AnomalyError as err:
    ...     print(str(err).split(" (created")[0])
    forward of 'log'
    """


class detect_anomaly:
    """Raise `AnomalyError` at the first forward or backward step that makes NaN or Inf.

    The message names the operation, the file and line of user code that created it, and
    which output or gradient went bad. Usable as a context manager or a decorator, nested
    and re-entered freely. The switch is process-wide (the checks run in every thread).

    >>> import numpy as np
    >>> from autograd_lite import Tensor, detect_anomaly
    >>> x = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    >>> with detect_anomaly():
    ...     y = x.sqrt().sum()          # fine forward: sqrt(0) = 0
    ...     y.backward()                # but d sqrt/dx at 0 is inf
    Traceback (most recent call last):
    ...
    autograd_lite.anomaly.AnomalyError: backward of 'sqrt' (created at ...) produced inf ...
    """

    def __init__(self):
        self._saved = []  # (detector before, NumPy error state) per active entry

    def __enter__(self):
        # The detector reports NaN and Inf itself, with more to say than NumPy's warnings.
        quiet = np.errstate(divide="ignore", invalid="ignore", over="ignore")
        quiet.__enter__()
        self._saved.append((engine._anomaly, quiet))
        engine._anomaly = _Detector()
        return self

    def __exit__(self, *exc):
        engine._anomaly, quiet = self._saved.pop()
        quiet.__exit__(*exc)
        return False

    def __call__(self, func):
        # a fresh one per call (and per generator step): safe to recurse
        return engine.decorate(func, detect_anomaly)


class _Detector:
    """The checks `detect_anomaly()` installs into the engine."""

    def forward(self, fn, parents, out):
        fn.created_at = _user_site()
        bad = parents[0]._nonfinite(out)
        if bad:
            already = [i for i, p in enumerate(parents) if p._nonfinite(p.data)]
            cause = (f"; its input(s) {already} already held NaN/Inf" if already else
                     "; all its inputs were finite")
            raise AnomalyError(f"forward of '{fn.name}' (created at {fn.created_at}) "
                               f"produced {bad} in its output{cause}")

    def backward(self, fn, grads):
        for i, (p, g) in enumerate(zip(fn.parents, grads)):
            if g is None:
                continue
            bad = p._nonfinite(engine.data_of(g))
            if bad:
                site = getattr(fn, "created_at", None) or "an unknown place"
                shape = getattr(p.data, "shape", None)
                where = f" (shape {shape})" if shape is not None else ""
                label = f" {p.label!r}" if p.label else ""
                raise AnomalyError(f"backward of '{fn.name}' (created at {site}) produced "
                                   f"{bad} in the gradient of its input {i}{label}{where}")


def _user_site():
    """`file:line` of the innermost frame outside the framework's own packages."""
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.split(".")[0] not in _INTERNAL:
            return f"{frame.f_code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "an unknown place"
