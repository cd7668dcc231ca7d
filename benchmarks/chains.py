"""Deep chains: a 1,000,000-node scalar chain and a 100,000-node tensor chain.

The scalar chain is `y = y * 1.0001 + 0.0001` repeated (two nodes per step), the tensor
chain `y = y * c`, so d y / d x = c ** steps is known exactly and checked. Forward,
backward and freeing the graph are timed separately, with the garbage collector on and
the default recursion limit; the scalar chain runs in a fresh process, which also reports
its peak memory. The peers' recursive graph walks are tried on a chain 1,000 operations
deep, where they raise RecursionError.
"""

import gc
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np

from .common import clock_name, now, use_cpu_clock

SCALAR_FACTOR, SCALAR_OFFSET = 1.0001, 0.0001
TENSOR_FACTOR = 1.000001


class ChainResult:
    """One chain: node count, seconds for forward/backward/free, and the gradient check."""

    def __init__(self, name, nodes, forward, backward, free, ok, detail, peak=None):
        self.name, self.nodes = name, nodes
        self.forward, self.backward, self.free = forward, backward, free
        self.ok, self.detail, self.peak = ok, detail, peak


def _run_chain(name, x, n, factor, grad_of, expected, rtol, seed=None):
    gc.collect()
    start = now()
    y = x
    for _ in range(n):
        y = y * factor
    t_forward = now() - start
    start = now()
    y.backward() if seed is None else y.backward(seed)
    t_backward = now() - start
    start = now()
    del y
    t_free = now() - start
    got = grad_of(x)
    ok = bool(np.allclose(got, expected, rtol=rtol, atol=0))
    return ChainResult(name, n, t_forward, t_backward, t_free, ok,
                       f"grad {np.ravel(got)[0]:.6g}, expected {expected:.6g}")


def scalar_chain(n=1_000_000):
    """`Value` chain of `n` nodes, `y = y * c + d` repeated n / 2 times; checks x.grad ==
    c ** (n / 2). `peak` is the growth of the process's peak resident memory (exact in a
    fresh process, see `scalar_chain_in_fresh_process`)."""
    from autograd_lite import Value

    steps = n // 2
    gc.collect()
    before = _peak_rss()
    x = Value(1.0)
    start = now()
    y = x
    for _ in range(steps):
        y = y * SCALAR_FACTOR + SCALAR_OFFSET
    t_forward = now() - start
    start = now()
    y.backward()
    t_backward = now() - start
    start = now()
    del y
    t_free = now() - start
    expected = SCALAR_FACTOR ** steps
    ok = abs(x.grad - expected) <= 1e-9 * expected
    return ChainResult(f"autograd-lite Value, y = y * {SCALAR_FACTOR} + {SCALAR_OFFSET}, "
                       f"{2 * steps:,} nodes", 2 * steps, t_forward, t_backward, t_free, ok,
                       f"grad {x.grad:.6g}, expected {expected:.6g}", _peak_rss() - before)


def scalar_chain_in_fresh_process(n=1_000_000):
    """`scalar_chain(n)` run in a new Python process, so its peak memory is its own."""
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root)] + [p for p in [env.get("PYTHONPATH")] if p])
    args = [sys.executable, "-m", "benchmarks.chains", str(n), clock_name().split(" ")[0]]
    done = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the scalar chain process failed:\n{done.stderr[-2000:]}")
    return ChainResult(**json.loads(done.stdout.strip().splitlines()[-1]))


def _peak_rss():
    """The process's peak resident memory so far, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def tensor_chain(n=100_000, size=16):
    """float32 `Tensor` chain of `n` multiplications; checks x.grad == c ** n elementwise."""
    from autograd_lite import Tensor

    x = Tensor(np.ones(size, dtype=np.float32), requires_grad=True)
    c32 = float(np.float32(TENSOR_FACTOR))  # the factor as the float32 tensor sees it

    def run():
        return _run_chain(f"autograd-lite Tensor (float32, {size}), y = y * c, {n:,} ops", x, n,
                          TENSOR_FACTOR, lambda t: t.grad, c32 ** n, 1e-3,
                          seed=np.ones(size, dtype=np.float32))

    y = x * TENSOR_FACTOR
    y.sum().backward()  # warm up the code paths once
    x.grad = None
    return run()


def torch_tensor_chain(n=100_000, size=16):
    """The same float32 tensor chain in PyTorch, for reference (None if not installed)."""
    try:
        import torch
    except ImportError:
        return None
    x = torch.ones(size, dtype=torch.float32, requires_grad=True)
    c32 = float(np.float32(TENSOR_FACTOR))
    gc.collect()
    start = now()
    y = x
    for _ in range(n):
        y = y * TENSOR_FACTOR
    t_forward = now() - start
    start = now()
    y.backward(torch.ones(size))
    t_backward = now() - start
    start = now()
    del y
    t_free = now() - start
    got = x.grad.numpy()
    ok = bool(np.allclose(got, c32 ** n, rtol=1e-3, atol=0))
    return ChainResult(f"PyTorch tensor (float32, {size}), {n:,} ops", n, t_forward, t_backward,
                       t_free, ok, f"grad {got[0]:.6g}, expected {c32 ** n:.6g}")


def peer_recursion(depth=1000):
    """(system, outcome) for each installed peer backpropagating a chain `depth` ops deep.

    The outcome is "RecursionError" or "ok"; ours is included for comparison.
    """
    outcomes = []

    def attempt(name, make, mul, backward):
        try:
            y = x = make()
            for _ in range(depth):
                y = mul(y)
            backward(y)
            outcomes.append((name, "ok"))
        except RecursionError:
            outcomes.append((name, "RecursionError"))
        del x

    from autograd_lite import Tensor, Value

    attempt("autograd-lite Value", lambda: Value(1.0), lambda v: v * 1.0001,
            lambda v: v.backward())
    attempt("autograd-lite Tensor", lambda: Tensor(np.ones(4), requires_grad=True),
            lambda t: t * 1.0001, lambda t: t.sum().backward())
    try:
        from micrograd.engine import Value as MicroValue

        attempt("micrograd", lambda: MicroValue(1.0), lambda v: v * 1.0001,
                lambda v: v.backward())
    except ImportError:
        pass
    try:
        import mygrad as mg

        attempt("MyGrad", lambda: mg.tensor(np.ones(4)), lambda t: t * 1.0001,
                lambda t: t.sum().backward())
    except ImportError:
        pass
    return outcomes


if __name__ == "__main__":  # the fresh process of `scalar_chain_in_fresh_process`
    use_cpu_clock(sys.argv[2] == "process")
    print(json.dumps(vars(scalar_chain(int(sys.argv[1])))))
