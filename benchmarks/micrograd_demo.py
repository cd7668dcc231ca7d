"""micrograd's demo step with `Value`: MLP 2-16-16-1 on 100 two-moons points, SVM loss + L2.

The step is the one of micrograd's demo notebook: forward every point through the scalar
MLP, max-margin loss `relu(1 - y * score)` averaged, plus `1e-4 * sum(p * p)`, zero the
gradients, backward, SGD with the notebook's decaying learning rate. micrograd and
autograd-lite run it with Python's garbage collector on (as users do) and off; a
hand-written version with Python floats is the floor. All start from micrograd's own
initial weights, and the losses of every step are compared.

Each system runs in fresh processes (`python -m benchmarks.micrograd_demo --system ...`),
so that no system pays for another's objects, and again after a large import (PyTorch,
or a heap of 300,000 objects), as in a notebook: every full collection walks the whole heap.
"""

import argparse
import gc
import itertools
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np

from .common import Stats, clock_name, gc_state, losses_agree, timed, use_cpu_clock

ALPHA = 1e-4  # the L2 weight of the notebook


def make_moons(n=100, noise=0.1, seed=0):
    """Two interleaving half circles (as scikit-learn's make_moons), labels -1 and 1.

    Returns X float64 (n, 2) and y int64 (n,), shuffled.
    """
    rng = np.random.default_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    x = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
                        np.stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)], axis=1)])
    y = np.concatenate([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    x = x + noise * rng.standard_normal(x.shape)
    order = rng.permutation(n)
    return x[order], y[order] * 2 - 1


# ***** the models: micrograd's and ours share the notebook's code through `Value` *****


def micrograd_model(seed=1337):
    """micrograd's MLP(2, [16, 16, 1]) initialised as in the notebook (random.seed(1337))."""
    from micrograd.nn import MLP

    random.seed(seed)
    return MLP(2, [16, 16, 1])


def initial_weights(seed=1337):
    """The notebook's initial weights as plain lists: per layer, per neuron, (w list, b).

    Drawn as micrograd's `Neuron` draws them (random.uniform(-1, 1) per weight, bias 0), so
    they equal `micrograd_model(seed)`'s without needing micrograd installed.
    """
    random.seed(seed)
    sizes = [2, 16, 16, 1]
    return [[([random.uniform(-1, 1) for _ in range(n_in)], 0.0) for _ in range(n_out)]
            for n_in, n_out in itertools.pairwise(sizes)]


class Neuron:
    """One neuron written with autograd-lite's `Value`, as a learner would write it."""

    def __init__(self, w, b, nonlin, Value):
        self.w = [Value(wi) for wi in w]
        self.b = Value(b)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class MLP:
    """A stack of fully connected `Value` layers, ReLU except on the last."""

    def __init__(self, weights, Value):
        last = len(weights) - 1
        self.layers = [[Neuron(w, b, i != last, Value) for w, b in layer]
                       for i, layer in enumerate(weights)]

    def __call__(self, x):
        for layer in self.layers:
            out = [n(x) for n in layer]
            x = out[0] if len(out) == 1 else out
        return x

    def parameters(self):
        return [p for layer in self.layers for n in layer for p in n.parameters()]


def our_model(weights):
    from autograd_lite import Value

    return MLP(weights, Value)


def weights_of(model):
    """Per layer, per neuron, (w list, b) of a micrograd MLP, as floats."""
    return [[([float(w.data) for w in n.w], float(n.b.data)) for n in layer.neurons]
            for layer in model.layers]


def svm_loss(model, params, X, y, Value):
    """The notebook's loss: mean max-margin loss plus 1e-4 * sum of squared parameters."""
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in params)
    return data_loss + reg_loss


def learning_rate(k):
    return 1.0 - 0.9 * k / 100


def value_step(model, params, X, y, Value, k):
    """One step of the notebook's loop; returns the loss as a float."""
    total_loss = svm_loss(model, params, X, y, Value)
    for p in params:
        p.grad = 0.0
    total_loss.backward()
    lr = learning_rate(k)
    for p in params:
        p.data -= lr * p.grad
    return float(total_loss.data)


# ***** the floor: the same step with Python floats, backward by hand *****


class HandFloats:
    """The demo step written by hand with Python floats (forward, backward and SGD)."""

    def __init__(self, weights):
        self.layers = [([list(w) for w, _ in layer], [b for _, b in layer]) for layer in weights]

    def step(self, X, y, k):
        layers = self.layers
        grads = [([[0.0] * len(w) for w in ws], [0.0] * len(bs)) for ws, bs in layers]
        n = len(X)
        last = len(layers) - 1
        data_loss = 0.0
        for xrow, yi in zip(X.tolist(), y.tolist()):
            acts = [xrow]
            a = xrow
            for i, (ws, bs) in enumerate(layers):
                z = [b + sum([wi * ai for wi, ai in zip(w, a)]) for w, b in zip(ws, bs)]
                a = [zi if zi > 0 else 0.0 for zi in z] if i < last else z
                acts.append(a)
            margin = 1.0 - yi * a[0]
            if margin <= 0:
                continue
            data_loss += margin
            g = [-yi / n]  # d loss / d score
            for i in range(last, -1, -1):
                ws, _ = layers[i]
                gws, gbs = grads[i]
                a_in = acts[i]
                for j, gj in enumerate(g):
                    if gj == 0.0:
                        continue
                    gbs[j] += gj
                    row = gws[j]
                    for m, am in enumerate(a_in):
                        row[m] += gj * am
                if i > 0:
                    g = [sum([g[j] * ws[j][m] for j in range(len(g))]) if a_in[m] > 0 else 0.0
                         for m in range(len(a_in))]
        reg = 0.0
        for ws, bs in layers:
            for w in ws:
                for wi in w:
                    reg += wi * wi
            for b in bs:
                reg += b * b
        loss = data_loss / n + ALPHA * reg
        lr = learning_rate(k)
        for (ws, bs), (gws, gbs) in zip(layers, grads):
            for j, w in enumerate(ws):
                gw = gws[j]
                for m in range(len(w)):
                    w[m] -= lr * (gw[m] + 2 * ALPHA * w[m])
            for j in range(len(bs)):
                bs[j] -= lr * (gbs[j] + 2 * ALPHA * bs[j])
        return loss


# ***** the run: each system in fresh processes *****

SYSTEMS = ("micrograd (gc on)", "micrograd (gc off)", "autograd-lite Value (gc on)",
           "autograd-lite Value (gc off)", "hand floats (gc on)")
REFERENCE = "hand floats (gc on)"
BIG_HEAP = 300_000  # objects, when PyTorch is not installed to make a real library's heap


class DemoResult:
    """Seconds per step (`stats`), losses per step and the loss check, per system; the
    names of systems run after a large import end with `heap_label`."""

    def __init__(self, stats, losses, mismatches, heap_label="", heap_objects=None):
        self.stats, self.losses, self.mismatches = stats, losses, mismatches
        self.heap_label, self.heap_objects = heap_label, heap_objects or {}


def make_heap(kind):
    """Load the heap a process runs with: "fresh" (nothing more), or "large": PyTorch
    imported, or about 300,000 objects when PyTorch is not installed. Returns its label."""
    if kind == "fresh":
        return "fresh process"
    try:
        import torch  # noqa: F401  (only its objects matter here)

        return "after import torch"
    except ImportError:
        globals()["_BALLAST"] = [[i] for i in range(BIG_HEAP)]
        return f"after making {BIG_HEAP:,} objects (PyTorch not installed)"


def run_in_this_process(system, n, steps):
    """Run `steps` demo steps of `system` here; return (seconds per step, losses)."""
    X, y = make_moons(n)
    gc_on = system.endswith("(gc on)")
    if system.startswith("micrograd"):
        from micrograd.engine import Value as MicroValue

        model = micrograd_model()
        run = _value_runner(model, model.parameters(), X, y, MicroValue)
    elif system.startswith("autograd-lite"):
        from autograd_lite import Value

        model = our_model(initial_weights())
        run = _value_runner(model, model.parameters(), X, y, Value)
    else:
        hand = HandFloats(initial_weights())

        def run(k):
            return hand.step(X, y, k)
    times, losses = [], []
    for k in range(steps):
        with gc_state(gc_on):  # collects the previous step's garbage first, untimed
            elapsed, loss = timed(run, k)
        times.append(elapsed)
        losses.append(loss)
    return times, losses


def _in_fresh_process(system, heap, n, steps):
    """Run `system` in a new Python process; returns (times, losses, heap label, objects)."""
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root)] + [p for p in [env.get("PYTHONPATH")] if p])
    args = [sys.executable, "-m", "benchmarks.micrograd_demo", "--system", system,
            "--heap", heap, "--n", str(n), "--steps", str(steps),
            "--clock", clock_name().split(" ")[0]]
    done = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the {system} demo process failed:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["times"], report["losses"], report["heap"], report["objects"]


def run_demo(rounds=3, warmup=1, rtol=1e-9, include_micrograd=True, n=100, heap="fresh",
             steps=2):
    """Time the demo step of every system, each in fresh processes, round-robin.

    Round r starts one new process per system (in a rotating order), which runs
    `warmup + steps` steps from the notebook's initial weights and times the last `steps`,
    with the process CPU time. `heap` is "fresh" or "large" (see `make_heap`). Every
    system's loss at step k must agree with hand floats'. Returns a DemoResult.
    """
    systems = [s for s in SYSTEMS if include_micrograd or not s.startswith("micrograd")]
    if include_micrograd:
        try:
            import micrograd  # noqa: F401
        except ImportError:
            systems = [s for s in systems if not s.startswith("micrograd")]
    times = {name: [] for name in systems}
    losses, label, objects = {}, "", {}
    for r in range(rounds):
        for name in systems[r % len(systems):] + systems[:r % len(systems)]:
            got, loss, label, objects[name] = _in_fresh_process(name, heap, n, warmup + steps)
            times[name] += got[warmup:]
            losses[name] = loss
    mismatches = {name: losses_agree(losses[REFERENCE], got, rtol)
                  for name, got in losses.items()}
    return DemoResult({name: Stats(t) for name, t in times.items()}, losses, mismatches,
                      label, objects)


def _value_runner(model, params, X, y, Value):
    return lambda k: value_step(model, params, X, y, Value, k)


def main(argv=None):
    """The child process of `run_demo`: run one system, print a JSON report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.micrograd_demo")
    parser.add_argument("--system", choices=SYSTEMS, required=True)
    parser.add_argument("--heap", choices=("fresh", "large"), default="fresh")
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--clock", choices=("process", "wall"), default="process")
    args = parser.parse_args(argv)
    use_cpu_clock(args.clock == "process")
    label = make_heap(args.heap)
    gc.collect()
    objects = len(gc.get_objects())  # the heap the step starts with, before its own graph
    times, losses = run_in_this_process(args.system, args.n, args.steps)
    print(json.dumps({"times": times, "losses": losses, "heap": label, "objects": objects}))


def graph_is_acyclic_value():
    """With the collector off, build the demo's loss graph, drop it: is it freed by refcounts?

    Returns (freed, cycles_found): a weak reference to an interior node must be dead, and
    a collection afterwards must find nothing unreachable.
    """
    import weakref

    from autograd_lite import Value

    X, y = make_moons()
    model = our_model(initial_weights())
    with gc_state(False):
        loss = svm_loss(model, model.parameters(), X, y, Value)
        interior = weakref.ref(loss.grad_fn.parents[0])
        loss.backward()
        del loss
        freed = interior() is None
        found = gc.collect()
    return freed, found


def demo_lines(result, rtol=1e-9):
    lines = []
    n = len(result.losses[REFERENCE])
    for name, bad in result.mismatches.items():
        if name.startswith("hand"):
            continue
        if bad is None:
            lines.append(f"- {name}: same losses as hand floats on all {n} steps (rtol {rtol:g}): OK")
        else:
            lines.append(f"- {name}: MISMATCH at step {bad}: hand floats "
                         f"{result.losses['hand floats (gc on)'][bad]!r}, got "
                         f"{result.losses[name][bad]!r}")
    return lines


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    main()
