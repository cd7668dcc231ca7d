"""One SGD training step of exercise 5's LeNet-style CNN, batch 64, float32.

Three systems train the same network from the same weights on the same batches:
- hand NumPy, the floor: forward and backward written by hand with the same algorithm as
  autograd-lite (a strided window view, one im2col copy and one matrix product per
  convolution, col2im by one add per kernel offset), in the channel-major (C, N, H, W)
  layout that suits it;
- autograd-lite: exercise 5's `build_cnn()` (nn.Conv2d, nn.MaxPool2d, nn.Linear),
  nn.cross_entropy and nn.SGD;
- PyTorch CPU with the same BLAS thread count, when installed.

Peak memory is measured per system in its own process: ``python -m benchmarks.conv hand``
prints hand NumPy's peak traced bytes for one short epoch.
"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .common import Stats, losses_agree, now
from .mlp import epoch_batches, load_digits

# conv(1->16, 5x5, pad 2), relu, pool 2; conv(16->32, 5x5), relu, pool 2; dense 800->128, relu;
# dense 128->10: exercises/ex5_mnist.py's build_cnn
SHAPES = {"0.weight": (16, 1, 5, 5), "0.bias": (16,), "3.weight": (32, 16, 5, 5),
          "3.bias": (32,), "7.weight": (800, 128), "7.bias": (128,), "9.weight": (128, 10),
          "9.bias": (10,)}


def init_weights(seed=0):
    """PyTorch's default initialisation, float32, under build_cnn()'s parameter names."""
    rng = np.random.default_rng(seed)
    weights = {}
    for name, shape in SHAPES.items():
        layer = name.split(".")[0]
        wshape = SHAPES[f"{layer}.weight"]
        fan_in = int(np.prod(wshape[1:])) if len(wshape) == 4 else wshape[0]
        bound = 1 / math.sqrt(fan_in)
        weights[name] = rng.uniform(-bound, bound, shape).astype(np.float32)
    return weights


def images(x):
    """(N, 784) digits -> (N, 1, 28, 28) images."""
    return x.reshape(-1, 1, 28, 28)


# ***** the floor: hand-written NumPy *****


def _windows(x, k):
    """Strided view (C, N, OH, OW, k, k) of the windows of x (C, N, H, W), stride 1."""
    c, n, h, w = x.shape
    s = x.strides
    return as_strided(x, (c, n, h - k + 1, w - k + 1, k, k), s + s[2:], writeable=False)


class HandNumpy:
    """LeNet's forward, backward and SGD step written by hand, float32, channel-major."""

    name = "hand NumPy"

    def __init__(self, weights, lr):
        self.w = {k: v.copy() for k, v in weights.items()}
        self.lr = np.float32(lr)

    def prepare(self, x, y):
        return images(x), y

    @staticmethod
    def conv(x, w, b, pad):
        """x (C, N, H, W) -> ((O, N, OH, OW), im2col matrix (C k k, N OH OW))."""
        if pad:
            c, n, h, wd = x.shape
            p = np.zeros((c, n, h + 2 * pad, wd + 2 * pad), x.dtype)
            p[:, :, pad:-pad, pad:-pad] = x
            x = p
        k = w.shape[2]
        win = _windows(x, k)  # (C, N, OH, OW, k, k)
        c, n, oh, ow = win.shape[:4]
        cols = np.ascontiguousarray(win.transpose(0, 4, 5, 1, 2, 3)).reshape(c * k * k, -1)
        out = (w.reshape(w.shape[0], -1) @ cols).reshape(w.shape[0], n, oh, ow)
        out += b.reshape(-1, 1, 1, 1)
        return out, cols

    @staticmethod
    def conv_input_grad(g, w, in_shape, pad):
        """d conv / d x: W^T @ g, then each kernel offset's slab added back (col2im)."""
        o, c, k, _ = w.shape
        _, n, oh, ow = g.shape
        dcols = (w.reshape(o, -1).T @ g.reshape(o, -1)).reshape(c, k, k, n, oh, ow)
        h, wd = in_shape[2] + 2 * pad, in_shape[3] + 2 * pad
        dx = np.zeros((c, n, h, wd), g.dtype)
        for i in range(k):
            for j in range(k):
                dx[:, :, i:i + oh, j:j + ow] += dcols[:, i, j]
        return dx[:, :, pad:h - pad, pad:wd - pad] if pad else dx

    @staticmethod
    def pool(x):
        """2x2 max pool of x (C, N, H, W); returns the output and the mask of the maxima."""
        q = [x[:, :, i::2, j::2] for i in range(2) for j in range(2)]
        out = np.maximum(np.maximum(q[0], q[1]), np.maximum(q[2], q[3]))
        hits = [qi == out for qi in q]
        count = hits[0] + np.float32(0)
        for hit in hits[1:]:
            count += hit
        return out, hits, count

    @staticmethod
    def pool_grad(g, hits, count, shape):
        g = g / count  # ties share the gradient, as autograd-lite's max does
        dx = np.empty(shape, g.dtype)
        for (i, j), hit in zip(((0, 0), (0, 1), (1, 0), (1, 1)), hits):
            np.multiply(g, hit, out=dx[:, :, i::2, j::2])
        return dx

    def step(self, batch):
        x, y = batch
        w, lr, n = self.w, self.lr, len(y)
        x = x.transpose(1, 0, 2, 3)  # (1, N, 28, 28): channel-major
        a1, cols1 = self.conv(x, w["0.weight"], w["0.bias"], 2)
        np.maximum(a1, 0, out=a1)
        p1, hits1, count1 = self.pool(a1)
        a2, cols2 = self.conv(p1, w["3.weight"], w["3.bias"], 0)
        np.maximum(a2, 0, out=a2)
        p2, hits2, count2 = self.pool(a2)
        flat = p2.transpose(1, 0, 2, 3).reshape(n, -1)  # (N, 800) in NCHW order
        h = flat @ w["7.weight"]
        h += w["7.bias"]
        np.maximum(h, 0, out=h)
        z = h @ w["9.weight"]
        z += w["9.bias"]
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        rows = np.arange(n)
        loss = np.log(s).mean() - z[rows, y].mean()
        e /= s
        e[rows, y] -= 1
        e *= np.float32(1 / n)
        grads = {"9.weight": h.T @ e, "9.bias": e.sum(axis=0)}
        gh = e @ w["9.weight"].T
        gh *= h > 0
        grads["7.weight"], grads["7.bias"] = flat.T @ gh, gh.sum(axis=0)
        gp2 = (gh @ w["7.weight"].T).reshape(n, *p2.shape[:1], *p2.shape[2:]).transpose(
            1, 0, 2, 3)
        ga2 = self.pool_grad(gp2, hits2, count2, a2.shape)
        ga2 *= a2 > 0
        o = ga2.shape[0]
        grads["3.weight"] = (ga2.reshape(o, -1) @ cols2.T).reshape(w["3.weight"].shape)
        grads["3.bias"] = ga2.sum(axis=(1, 2, 3))
        gp1 = self.conv_input_grad(ga2, w["3.weight"], p1.shape, 0)
        ga1 = self.pool_grad(gp1, hits1, count1, a1.shape)
        ga1 *= a1 > 0
        o = ga1.shape[0]
        grads["0.weight"] = (ga1.reshape(o, -1) @ cols1.T).reshape(w["0.weight"].shape)
        grads["0.bias"] = ga1.sum(axis=(1, 2, 3))
        for name, g in grads.items():
            g *= lr
            w[name] -= g
        return float(loss)


# ***** autograd-lite and PyTorch *****


class Ours:
    """autograd-lite: exercise 5's build_cnn(), nn.cross_entropy, nn.SGD."""

    name = "autograd-lite"

    def __init__(self, weights, lr):
        import nn
        from exercises.ex5_mnist import build_cnn

        self.model = build_cnn()
        self.model.load_state_dict(weights)
        self.opt = nn.SGD(self.model.parameters(), lr=lr)
        self.cross_entropy = nn.cross_entropy

    def prepare(self, x, y):
        return images(x), y

    def step(self, batch):
        x, y = batch
        loss = self.cross_entropy(self.model(x), y)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return loss.item()


class Torch:
    """PyTorch CPU: the same layers (torch.nn), F.cross_entropy, optim.SGD."""

    name = "PyTorch"

    def __init__(self, weights, lr, threads=None):
        import torch

        self.torch = torch
        if threads:
            torch.set_num_threads(threads)
        tnn = torch.nn
        self.model = tnn.Sequential(tnn.Conv2d(1, 16, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2),
                                    tnn.Conv2d(16, 32, 5), tnn.ReLU(), tnn.MaxPool2d(2),
                                    tnn.Flatten(), tnn.Linear(800, 128), tnn.ReLU(),
                                    tnn.Linear(128, 10))
        state = {k: torch.from_numpy(np.ascontiguousarray(v.T if k in ("7.weight", "9.weight")
                                                          else v))
                 for k, v in weights.items()}
        self.model.load_state_dict(state)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=lr)

    def prepare(self, x, y):
        return self.torch.from_numpy(images(x)), self.torch.from_numpy(y)

    def step(self, batch):
        x, y = batch
        loss = self.torch.nn.functional.cross_entropy(self.model(x), y)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return loss.item()


def systems(threads=None):
    found = [(HandNumpy.name, HandNumpy), (Ours.name, Ours)]
    try:
        import torch  # noqa: F401
    except ImportError:
        return found
    return found + [(Torch.name, lambda w, lr: Torch(w, lr, threads))]


class ConvResult:
    def __init__(self, stats, losses, mismatches, steps):
        self.stats, self.losses, self.mismatches, self.steps = stats, losses, mismatches, steps


def run_conv(x, y, batch_size=64, lr=0.05, rounds=5, samples=640, threads=None, rtol=1e-3,
             warmup=1):
    """Train every system `warmup + rounds` short epochs of `samples` digits, round-robin;
    time each epoch. Returns seconds per step and the first epoch's loss check."""
    weights = init_weights()
    models = {name: factory(weights, lr) for name, factory in systems(threads)}
    names = list(models)
    times = {name: [] for name in names}
    losses = {name: [] for name in names}
    steps = 0
    for r in range(warmup + rounds):
        batches = epoch_batches(x, y, batch_size, r, samples)
        steps = len(batches)
        for name in names[r % len(names):] + names[:r % len(names)]:
            model = models[name]
            prepared = [model.prepare(xb, yb) for xb, yb in batches]
            start = now()
            got = [model.step(b) for b in prepared]
            elapsed = now() - start
            if r == 0:
                losses[name] = got
            else:
                times[name].append(elapsed / steps)
    reference = losses[HandNumpy.name]
    mismatches = {name: losses_agree(reference, got, rtol) for name, got in losses.items()}
    return ConvResult({n: Stats(t) for n, t in times.items()}, losses, mismatches, steps)


# ***** peak memory, each system in its own process *****


def measure(system, data_dir=None, batch_size=64, samples=640):
    """Peak traced bytes while making `system`'s model and training it one short epoch."""
    import tracemalloc

    x, y, _ = load_digits(data_dir, n=samples)
    factory = {"hand": HandNumpy, "ours": Ours}[system]
    batches = epoch_batches(x, y, batch_size, 0)
    warm = factory(init_weights(), 0.05)  # import and warm up everything, untraced
    warm.step(warm.prepare(*batches[0]))
    del warm
    tracemalloc.start()
    model = factory(init_weights(), 0.05)
    prepared = [model.prepare(xb, yb) for xb, yb in batches]
    tracemalloc.reset_peak()
    for b in prepared:
        model.step(b)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"system": system, "peak": peak}


def measure_in_subprocess(system, data_dir=None, samples=640):
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-m", "benchmarks.conv", system, "--samples", str(samples)]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"conv memory benchmark for {system} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Peak memory of one short LeNet epoch.")
    parser.add_argument("system", choices=("hand", "ours"))
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--samples", type=int, default=640)
    args = parser.parse_args()
    print(json.dumps(measure(args.system, args.data_dir, samples=args.samples)))
