"""Practise mode: write each exercise yourself, and let autograd-lite check your backprop.

From a terminal (see docs/practice.md):

    python -m exercises start 3 --lang pt          # writes exercicio_3.py to fill in
    python -m exercises check 3 exercicio_3.py     # which gradient is wrong, and why
    python -m exercises hint 3 --level 2           # the chain rule of this network
    python -m exercises solution 3                 # after trying!

In a notebook, `from exercises import check`, then `check(3)` checks the functions the
notebook defines and shows the verdict as rich output (plain text outside Jupyter).
"""

import os
import sys

from .i18n import set_language
from .sandbox import CHILD_FLAG, check_file, check_namespace

__all__ = ["check", "check_file"]


def check(n, lang=None, namespace=None, display=True, time_limit=None):
    """Check exercise `n` (1 to 5) on the names defined in the notebook (or `namespace`).

    Shows the verdict (HTML in Jupyter, text elsewhere) and returns None; with
    `display=False` returns the `Verdict` (`.status`, `.exit_status`, `.code`, `.steps`)
    instead. Inside `python -m exercises check N notebook.ipynb`, which runs the notebook's
    cells itself, it does nothing.

    >>> def forward(w, x): return w * x
    >>> def backward(w, x, y): return 2 * (w * x - y) * x
    >>> def train(w, x, y, lr, epochs):
    ...     losses = []
    ...     for _ in range(epochs):
    ...         losses.append((w * x - y) ** 2)
    ...         w = w - lr * backward(w, x, y)
    ...     return w, losses
    >>> check(1, "en", namespace=globals(), display=False).status
    'passed'
    """
    if os.environ.get(CHILD_FLAG):
        return None
    n = _exercise(n)
    if lang:
        set_language(lang)
    if namespace is None:
        namespace = vars(sys.modules["__main__"])
    verdict = check_namespace(n, namespace, time_limit=time_limit)
    if not display:
        return verdict
    try:
        from IPython import get_ipython
        from IPython.display import display as show
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        show(verdict)
    else:
        print(verdict)
    return None


def _exercise(n):
    if str(n) not in {"1", "2", "3", "4", "5"}:
        raise ValueError(f"there are exercises 1 to 5, not {n!r}")
    return int(n)
