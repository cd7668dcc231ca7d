"""Peak memory of one MLP epoch, hand NumPy against autograd-lite, each in its own process.

NumPy reports its array allocations to `tracemalloc`, so the traced peak covers the
weights, activations, gradients and temporaries. Tracing starts before the model is made
(both copy the same initial weights) and stops after one epoch; the data and the imports
come before it and are not counted. Run as a module to measure one system:
``python -m benchmarks.memory hand`` prints the peak in bytes.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

SYSTEMS = ("hand", "ours")


def measure(system, data_dir=None, sizes=(784, 128, 64, 10), batch_size=128, lr=0.1, digits=8000):
    """Peak traced bytes while making `system`'s model and training it for one epoch."""
    import tracemalloc

    from .mlp import HandNumpy, Ours, epoch_batches, init_weights, load_digits

    x, y, _ = load_digits(data_dir, n=digits)
    weights = init_weights(sizes)
    factory = {"hand": HandNumpy, "ours": Ours}[system]
    batches = epoch_batches(x, y, batch_size, 0)
    factory(init_weights((4, 3, 2)), lr)  # import everything the system needs, untraced
    tracemalloc.start()
    model = factory(weights, lr)
    prepared = [model.prepare(xb, yb) for xb, yb in batches]
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    for b in prepared:
        model.step(b)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"system": system, "peak": peak, "prepared": base}


def measure_in_subprocess(system, data_dir=None, digits=8000):
    """Run `measure(system)` in a fresh interpreter so nothing else shares its heap."""
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-m", "benchmarks.memory", system, "--digits", str(digits)]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"memory benchmark for {system} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_memory(data_dir=None, digits=8000):
    """system -> result dict with "peak" bytes, each measured in its own process."""
    return {s: measure_in_subprocess(s, data_dir, digits) for s in SYSTEMS}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("system", choices=SYSTEMS)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--digits", type=int, default=8000)
    args = parser.parse_args()
    print(json.dumps(measure(args.system, args.data_dir, digits=args.digits)))
