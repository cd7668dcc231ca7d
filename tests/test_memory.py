"""Memory: a long training run stays flat, graphs die with their last reference (no cycles
for the garbage collector to find), and grad mode is per thread.

The single-graph case (a dropped output frees its graph without the collector) is in
test_engine.py::test_dropping_the_output_frees_the_graph_without_the_garbage_collector;
this file checks whole training loops of nn models.
"""

import gc
import os
import sys
import threading
import tracemalloc
import weakref
from contextlib import contextmanager

import numpy as np
import pytest

import nn
from autograd_lite import Tensor, Value, enable_grad, is_grad_enabled, no_grad
from autograd_lite.engine import Function, Node

MIB = 1 << 20


def _training_loop(steps, on_step=None, keep=None):
    """`steps` SGD steps of a small MLP on fresh random mini-batches (the issue's scenario)."""
    model = nn.MLP([4, 16, 3], seed=0)
    opt = nn.SGD(model.parameters(), lr=0.05, momentum=0.9)
    rng = np.random.default_rng(0)
    for step in range(1, steps + 1):
        x = rng.standard_normal((8, 4)).astype(np.float32)
        y = rng.integers(0, 3, 8)
        loss = nn.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if keep is not None:
            keep.append(loss)
        if on_step is not None:
            on_step(step)
    return model


def _live_engine_objects():
    return sum(issubclass(type(o), (Node, Function)) for o in gc.get_objects())


def _rss():
    """Resident set size in bytes, or None where /proc is missing."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return None


def _measure(steps=2000, first=200, keep=None):
    """Traced memory, RSS and live engine objects after step `first` and after `steps`."""
    marks = {}

    def on_step(step):
        if step in (first, steps):
            marks[step] = (tracemalloc.get_traced_memory()[0], _rss(), _live_engine_objects())

    tracemalloc.start()
    try:
        _training_loop(steps, on_step, keep)
    finally:
        tracemalloc.stop()
    (traced0, rss0, objects0), (traced1, rss1, objects1) = marks[first], marks[steps]
    return traced1 - traced0, (None if rss0 is None else rss1 - rss0), objects1 - objects0


def test_two_thousand_training_steps_keep_memory_flat():
    traced, rss, objects = _measure()
    assert traced < 1 * MIB, f"traced memory grew by {traced} bytes from step 200 to 2000"
    assert objects == 0, f"{objects} more engine objects alive at step 2000 than at 200"
    if rss is not None:
        assert rss < 16 * MIB, f"RSS grew by {rss} bytes from step 200 to 2000"


def test_the_measurement_sees_a_leak():
    """Keeping every step's loss (and with it its graph) is a leak the bounds above catch."""
    kept = []
    traced, _, objects = _measure(keep=kept)
    assert traced > 2 * MIB and objects > 1800 * 5


def test_the_course_networks_training_loop_keeps_memory_flat():
    net = nn.NeuralNetwork(4, lr=0.05, seed=0)
    net.append_layer(16, "tanh")
    net.append_layer(3, "softmax")
    rng = np.random.default_rng(1)
    counts = []
    for step in range(1, 601):
        x = rng.standard_normal((8, 4))
        y = rng.integers(0, 3, 8)
        net.train_step(x, y, loss="cross_entropy")
        out = net.forward(x)
        net.backward(np.ones(out.shape) / out.size)  # the exercise's layer-by-layer path
        if step in (100, 600):
            counts.append(_live_engine_objects())
    assert counts[1] == counts[0]


@contextmanager
def _collector_off():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_an_nn_graph_dies_with_its_output_without_the_collector():
    model = nn.MLP([4, 16, 3], seed=0)
    x, y = np.ones((5, 4), np.float32), np.array([0, 1, 2, 0, 1])
    with _collector_off():
        for backward in (False, True, "retain"):
            hidden = model[0](x)
            activated = model[1](hidden)
            logits = model[2](activated)
            loss = nn.cross_entropy(logits, y)
            probes = [weakref.ref(t) for t in (hidden, activated, logits, loss)]
            del hidden, activated, logits
            assert all(p() is not None for p in probes)  # the graph holds them
            if backward == "retain":
                loss.backward(retain_graph=True)
            elif backward:
                loss.backward()
            del loss
            assert all(p() is None for p in probes), backward
        model.zero_grad()


def test_a_training_loop_leaves_no_cycles_for_the_collector():
    with _collector_off():
        _training_loop(50)
        for _ in _scalar_training_loop(20):
            pass
        # One deliberate cycle, to show that the check below would see one.
        canary = Tensor(np.ones(2), requires_grad=True)
        canary.label = [canary]
        del canary
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            gc.collect()
            found = [o for o in gc.garbage if isinstance(o, (Node, Function))]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
    assert len(found) == 1 and isinstance(found[0].label, list), (
        f"{len(found) - 1} engine objects were only freed by the collector")


def _scalar_training_loop(steps):
    """A micrograd-style neuron trained with Values."""
    w, b = [Value(0.5), Value(-0.3)], Value(0.1)
    data = [((1.0, 2.0), 1.0), ((-1.0, 0.5), -1.0), ((0.3, -0.7), 1.0)]
    for _ in range(steps):
        loss = Value(0.0, requires_grad=False)
        for (x1, x2), y in data:
            out = (w[0] * x1 + w[1] * x2 + b).tanh()
            loss = loss + (out - y) ** 2
        for p in (*w, b):
            p.grad = 0.0
        loss.backward()
        for p in (*w, b):
            p.data -= 0.1 * p.grad
        yield loss.data


def test_create_graph_gradients_free_the_graph_once_the_gradient_is_reset():
    # A gradient that is itself a graph refers back to the leaf (x.grad -> graph -> x), as
    # in PyTorch; resetting it (zero_grad) frees that graph without the collector.
    with _collector_off():
        x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
        h = (x * x).tanh()
        probe = weakref.ref(h)
        h.sum().backward(create_graph=True)
        del h
        x.grad = None
        assert probe() is None


def test_released_graphs_hold_no_gradient_arrays():
    x = Tensor(np.ones((64, 64)), requires_grad=True)
    h = (x @ x).tanh()
    probe = weakref.ref(h)
    loss = h.sum()
    del h
    loss.backward()
    # interior tensors kept no gradient; only the leaf's is stored
    assert probe().grad is None and x.grad is not None


# ***** grad mode is per thread *****


def test_no_grad_in_one_thread_does_not_affect_another_running_at_the_same_time():
    inside, recorded = threading.Event(), threading.Event()
    results = {}

    def worker_without_grad():
        with no_grad():
            inside.set()
            recorded.wait(5)  # the main thread records a graph meanwhile
            results["worker"] = (Tensor(np.ones(2), requires_grad=True) * 2).requires_grad
            results["worker_mode"] = is_grad_enabled()

    thread = threading.Thread(target=worker_without_grad)
    thread.start()
    assert inside.wait(5)
    y = Tensor(np.ones(2), requires_grad=True) * 2  # worker is inside no_grad() right now
    results["main"] = (y.requires_grad, is_grad_enabled())
    recorded.set()
    thread.join(5)
    assert results == {"main": (True, True), "worker": False, "worker_mode": False}


def test_enable_grad_and_decorators_are_per_thread():
    seen = []

    @no_grad()
    def evaluate():
        seen.append(("evaluate", is_grad_enabled()))
        with enable_grad():
            seen.append(("enable", is_grad_enabled()))
        barrier.wait(5)  # every thread is inside evaluate() together
        seen.append(("after", is_grad_enabled()))

    barrier = threading.Barrier(4)
    threads = [threading.Thread(target=evaluate) for _ in range(3)]
    for t in threads:
        t.start()
    barrier.wait(5)
    main_mode = is_grad_enabled()
    for t in threads:
        t.join(5)
    assert main_mode is True and is_grad_enabled()
    assert sorted(seen) == sorted([("evaluate", False), ("enable", True), ("after", False)] * 3)


@pytest.mark.skipif(not hasattr(sys, "getrefcount"), reason="needs CPython reference counts")
def test_backward_leaves_no_extra_references_to_the_parameters():
    model = nn.Linear(3, 2, seed=0)
    before = [sys.getrefcount(p) for p in model.parameters()]
    for _ in range(5):
        nn.mse_loss(model(np.ones((4, 3))), np.zeros((4, 2))).backward()
    assert [sys.getrefcount(p) for p in model.parameters()] == before
