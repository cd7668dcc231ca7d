"""The five course exercises, solved with autograd-lite: `python -m exercises N` or `all`.

Each exercise is one module with a docstring stating it, a `run(...)` function that returns
its results as a dict (losses, parameters, predictions, accuracy, seconds, ...) and no
other side effect than the printing and files it is asked for:

1. `ex1_trivial_network`: one input, one weight, squared error, gradient descent.
2. `ex2_hidden_layer`: the same task with a hidden layer of 2 neurons, compared with 1.
3. `ex3_xor`: XOR with a 2-2-1 network and a sigmoid output, on the scalar engine.
4. `ex4_generic_classes`: XOR again with `nn.Layer` / `nn.NeuralNetwork`.
5. `ex5_mnist`: handwritten digits (MNIST) with `nn.NeuralNetwork` and mini-batches.

Try an exercise yourself first; read the solution after. `load(n)` imports exercise n
(`exercises.ex1` ... `exercises.ex5` work too):

>>> from exercises import load
>>> load(1).run()["final_loss"] < 1e-3
True
"""

import importlib

__all__ = ["EXERCISES", "check", "load"]

#: Exercise number -> module name.
EXERCISES = {
    1: "ex1_trivial_network",
    2: "ex2_hidden_layer",
    3: "ex3_xor",
    4: "ex4_generic_classes",
    5: "ex5_mnist",
}


def load(n):
    """The module of exercise `n` (1 to 5), imported on first use.

    >>> load(3).NAME
    'XOR with a 2-2-1 network'
    """
    try:
        name = EXERCISES[int(n)]
    except (KeyError, ValueError, TypeError):
        raise ValueError(f"there are exercises 1 to 5, not {n!r}") from None
    return importlib.import_module(f"{__name__}.{name}")


def __getattr__(name):
    """`exercises.ex3` is exercise 3's module (imported lazily: 4 and 5 need `nn`);
    `exercises.check` is practise mode's notebook check (see `exercises.practice`)."""
    if name == "check":
        from .practice import check

        return check
    if len(name) == 3 and name.startswith("ex") and name[2] in "12345":
        return load(int(name[2]))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
