"""MLP training on MNIST digits: autograd-lite against hand-written NumPy and the peers.

Every system trains the same MLP (ReLU hidden layers, mean softmax cross-entropy, plain SGD)
from the same initial weights on the same batches, in float32. Epochs run round-robin over
the systems, and the per-step losses of the first epoch are compared with hand NumPy's, so
a fast wrong answer cannot pass.
"""

import itertools
import math
from pathlib import Path

import numpy as np

from .common import Stats, losses_agree, now

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"
IMAGES = "t10k-images-idx3-ubyte.gz"
LABELS = "t10k-labels-idx1-ubyte.gz"


# ***** data and weights *****


def load_digits(data_dir=None, n=8000, seed=0):
    """The first `n` MNIST test digits as (float32 (n, 784) in [0, 1], int64 (n,), source).

    When the files are missing, returns random synthetic digits of the same shapes and
    says so in `source`, so that the benchmark runs anywhere.
    """
    from nn.datasets import read_idx_images, read_idx_labels

    folder = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    images, labels = folder / IMAGES, folder / LABELS
    if images.exists() and labels.exists():
        x, y = read_idx_images(images)[:n], read_idx_labels(labels)[:n]
        if len(x) == n:
            return np.ascontiguousarray(x), y, f"MNIST t10k, first {n} digits"
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, size=n)
    # Each class gets its own random template plus noise: learnable, like digits.
    templates = rng.random((10, 784), dtype=np.float32)
    x = np.clip(templates[y] + 0.3 * rng.standard_normal((n, 784), dtype=np.float32), 0, 1)
    return x.astype(np.float32), y, (f"synthetic random digits (no MNIST files in {folder}; "
                                     "pass --data-dir)")


def init_weights(sizes, seed=0):
    """He-uniform weights (fan_in, fan_out) and zero biases, float32, as a list of (W, b)."""
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        limit = math.sqrt(6.0 / fan_in)
        w = rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32)
        weights.append((w, np.zeros(fan_out, dtype=np.float32)))
    return weights


def epoch_batches(x, y, batch_size, epoch, samples=None):
    """The batches of one epoch: a shuffle seeded by the epoch number, shared by all systems."""
    n = len(x) if samples is None else min(samples, len(x))
    order = np.random.default_rng(1000 + epoch).permutation(len(x))[:n]
    return [(x[order[i:i + batch_size]], y[order[i:i + batch_size]])
            for i in range(0, n, batch_size)]


# ***** the systems *****
# Each has `prepare(x, y)` (convert one batch to the system's types, untimed) and
# `step(batch)` (one SGD step, returning the loss as a Python float).


class HandNumpy:
    """The floor: forward, backward and SGD written by hand in float32 NumPy."""

    name = "hand NumPy"

    def __init__(self, weights, lr):
        self.params = [(w.copy(), b.copy()) for w, b in weights]
        self.lr = np.float32(lr)
        self.rows = {}  # batch size -> np.arange(batch size), for picking the labels' logits

    def prepare(self, x, y):
        return x, y

    def step(self, batch):
        x, y = batch
        params, lr = self.params, self.lr
        rows = self.rows.get(len(y))
        if rows is None:
            rows = self.rows[len(y)] = np.arange(len(y))
        last = len(params) - 1
        acts = [x]  # the input of each layer
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w
            h += b
            if i < last:
                np.maximum(h, 0, out=h)
            acts.append(h)
        # mean softmax cross-entropy, shifted by the row max for stability
        h -= h.max(axis=1, keepdims=True)
        e = np.exp(h)
        s = e.sum(axis=1, keepdims=True)
        loss = np.log(s).mean() - h[rows, y].mean()
        # d loss / d logits = (softmax - onehot) / n, built in place in e
        e /= s
        e[rows, y] -= 1
        e *= np.float32(1.0 / len(y))
        g = e
        for i in range(last, -1, -1):
            w, b = params[i]
            a = acts[i]
            gw = a.T @ g
            gb = g.sum(axis=0)
            if i > 0:
                g = g @ w.T
                g *= a > 0  # ReLU: a is the previous layer's (non-negative) output
            gw *= lr
            w -= gw
            gb *= lr
            b -= gb
        return float(loss)


class Ours:
    """autograd-lite as nn.Linear runs it: fused `x @ W + b` (nn.affine), `.relu()`,
    nn.cross_entropy and nn.SGD."""

    name = "autograd-lite"

    def __init__(self, weights, lr):
        import nn
        from autograd_lite import Tensor

        self.Tensor, self.affine, self.cross_entropy = Tensor, nn.affine, nn.cross_entropy
        self.layers = [(Tensor(w.copy(), requires_grad=True), Tensor(b.copy(), requires_grad=True))
                       for w, b in weights]
        self.params = [p for layer in self.layers for p in layer]
        self.opt = nn.SGD(self.params, lr=lr)
        self.api = "nn.affine + nn.cross_entropy + nn.SGD"

    def prepare(self, x, y):
        return self.Tensor(x), y

    def forward(self, x, y):
        h = x
        last = len(self.layers) - 1
        for i, (w, b) in enumerate(self.layers):
            h = self.affine(h, w, b)
            if i < last:
                h = h.relu()
        return self.cross_entropy(h, y)

    def step(self, batch):
        loss = self.forward(*batch)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return loss.item()


class Torch:
    """PyTorch CPU: the same model with fused `addmm(b, h, W)` (what nn.Linear runs),
    F.relu, F.cross_entropy, optim.SGD."""

    name = "PyTorch"

    def __init__(self, weights, lr, threads=None):
        import torch

        self.torch = torch
        if threads:
            torch.set_num_threads(threads)
        self.layers = [(torch.from_numpy(w.copy()).requires_grad_(),
                        torch.from_numpy(b.copy()).requires_grad_()) for w, b in weights]
        params = [p for layer in self.layers for p in layer]
        self.opt = torch.optim.SGD(params, lr=lr)
        self.F = torch.nn.functional

    def prepare(self, x, y):
        return self.torch.from_numpy(x), self.torch.from_numpy(y)

    def step(self, batch):
        x, y = batch
        h = x
        last = len(self.layers) - 1
        for i, (w, b) in enumerate(self.layers):
            h = self.torch.addmm(b, h, w)
            if i < last:
                h = self.F.relu(h)
        loss = self.F.cross_entropy(h, y)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return loss.item()


class MyGrad:
    """MyGrad with its defaults (memory guarding on): matmul, relu, softmax_crossentropy."""

    name = "MyGrad"

    def __init__(self, weights, lr):
        import mygrad as mg
        from mygrad.nnet.activations import relu
        from mygrad.nnet.losses import softmax_crossentropy

        self.mg, self.relu, self.loss_fn = mg, relu, softmax_crossentropy
        self.layers = [(mg.tensor(w.copy()), mg.tensor(b.copy())) for w, b in weights]
        self.lr = np.float32(lr)

    def prepare(self, x, y):
        return x, y

    def step(self, batch):
        x, y = batch
        h = x
        last = len(self.layers) - 1
        for i, (w, b) in enumerate(self.layers):
            h = self.mg.matmul(h, w) + b
            if i < last:
                h = self.relu(h)
        loss = self.loss_fn(h, y)
        loss.backward()
        for layer in self.layers:
            for p in layer:
                p.data -= self.lr * p.grad
        return loss.item()


class HipsAutograd:
    """HIPS autograd: `value_and_grad` of a NumPy-style loss function."""

    name = "HIPS autograd"

    def __init__(self, weights, lr):
        import autograd.numpy as anp
        from autograd import value_and_grad
        from autograd.scipy.special import logsumexp

        def loss_fn(params, x, y):
            h = x
            last = len(params) - 1
            for i, (w, b) in enumerate(params):
                h = anp.dot(h, w) + b
                if i < last:
                    h = anp.maximum(h, 0.0)
            logp = h - logsumexp(h, axis=1, keepdims=True)
            return -anp.mean(logp[anp.arange(len(y)), y])

        self.value_and_grad = value_and_grad(loss_fn)
        self.params = [(w.copy(), b.copy()) for w, b in weights]
        self.lr = np.float32(lr)

    def prepare(self, x, y):
        return x, y

    def step(self, batch):
        loss, grads = self.value_and_grad(self.params, *batch)
        for (w, b), (gw, gb) in zip(self.params, grads):
            w -= self.lr * gw
            b -= self.lr * gb
        return float(loss)


def available_systems(threads=None, include=None):
    """(name, factory(weights, lr)) for hand NumPy, autograd-lite and each installed peer."""
    systems = [(HandNumpy.name, HandNumpy), (Ours.name, Ours)]
    peers = [("torch", Torch.name, lambda w, lr: Torch(w, lr, threads)),
             ("mygrad", MyGrad.name, MyGrad),
             ("autograd", HipsAutograd.name, HipsAutograd)]
    for module, name, factory in peers:
        if include is not None and name not in include:
            continue
        try:
            __import__(module)
        except ImportError:
            continue
        systems.append((name, factory))
    return systems


# ***** the run *****


class MLPResult:
    """Per-system timings (per step), first-epoch losses and the loss check of one config."""

    def __init__(self, config, stats, losses, mismatches, steps, source, api):
        self.config, self.stats, self.losses = config, stats, losses
        self.mismatches, self.steps, self.source, self.api = mismatches, steps, source, api


def run_mlp(x, y, sizes=(784, 128, 64, 10), batch_size=128, lr=0.1, rounds=7, warmup=1,
            samples=None, threads=None, include=None, rtol=1e-4, check_steps=None,
            systems=None, source=""):
    """Train every system for `warmup + rounds` epochs, round-robin; time each epoch.

    Returns an MLPResult whose Stats are seconds per step. The first epoch's losses (the
    warm-up) are checked against hand NumPy's at relative tolerance `rtol`: all its steps,
    or the first `check_steps`.
    """
    weights = init_weights(sizes)
    if systems is None:
        systems = available_systems(threads, include)
    models = {name: factory(weights, lr) for name, factory in systems}
    times = {name: [] for name in models}
    losses = {name: [] for name in models}
    names = list(models)
    steps = 0
    for r in range(warmup + rounds):
        batches = epoch_batches(x, y, batch_size, r, samples)
        steps = len(batches)
        order = names[r % len(names):] + names[:r % len(names)]  # rotate who goes first
        for name in order:
            model = models[name]
            prepared = [model.prepare(xb, yb) for xb, yb in batches]
            step = model.step
            record = losses[name] if r == 0 else None
            start = now()
            if record is None:
                for b in prepared:
                    step(b)
            else:
                for b in prepared:
                    record.append(step(b))
            elapsed = now() - start
            if r >= warmup:
                times[name].append(elapsed / steps)
    reference = losses[HandNumpy.name]
    if check_steps is not None:
        reference = reference[:check_steps]
    mismatches = {}
    for name, got in losses.items():
        bad = losses_agree(reference, got[:len(reference)], rtol)
        mismatches[name] = None if bad is None else (bad, reference[bad] if bad < len(reference)
                                                    else None, got[bad] if bad < len(got) else None)
    config = {"sizes": tuple(sizes), "batch_size": batch_size, "lr": lr, "samples": len(x) if samples
                  is None else samples, "rounds": rounds}
    api = getattr(models.get(Ours.name), "api", "")
    result = MLPResult(config, {n: Stats(t) for n, t in times.items()}, losses, mismatches,
                       steps, source, api)
    result.rtol = rtol
    return result


def loss_check_lines(result, rtol=1e-4):
    """One line per system: OK, or the first step whose loss differs from hand NumPy's."""
    lines = []
    n = len(result.losses[HandNumpy.name])
    for name, bad in result.mismatches.items():
        if name == HandNumpy.name:
            continue
        if bad is None:
            lines.append(f"- {name}: same losses as hand NumPy on all {n} steps of epoch 1 "
                         f"(rtol {rtol:g}): OK")
        else:
            step, want, got = bad
            lines.append(f"- {name}: MISMATCH at step {step}: hand NumPy {want!r}, got {got!r}")
    return lines


def step_time_vs_batch(x, y, batch_sizes, sizes=(784, 128, 64, 10), lr=0.1, rounds=3,
                       samples=2048, include=("hand NumPy", "autograd-lite")):
    """Seconds per step (minimum over `rounds` interleaved epochs) of hand NumPy and
    autograd-lite for each batch size."""
    systems = [(n, f) for n, f in available_systems() if n in include]
    out = {name: [] for name, _ in systems}
    for bs in batch_sizes:
        res = run_mlp(x, y, sizes=sizes, batch_size=bs, lr=lr, rounds=rounds,
                      samples=max(samples, bs * 4), systems=systems)
        for name, times in out.items():
            times.append(res.stats[name].min)
    return out


def graph_is_acyclic_mlp(x, y, sizes=(784, 128, 64, 10)):
    """With the collector off, build autograd-lite's MLP loss graph and drop it (before and
    after backward): is it freed by reference counting alone?

    Returns (freed, cycles_found): weak references to an interior tensor must be dead and a
    collection afterwards must find nothing unreachable.
    """
    import gc
    import weakref

    from .common import gc_state

    model = Ours(init_weights(sizes), 0.1)
    xb, yb = model.prepare(x[:32], y[:32])
    freed = True
    with gc_state(False):
        for run_backward in (False, True):
            loss = model.forward(xb, yb)
            interior = weakref.ref(loss._ctx.parents[0])
            if run_backward:
                loss.backward()
            del loss
            freed = freed and interior() is None
        found = gc.collect()
    return freed, found
