"""Fuzzing: random computation graphs, every leaf's gradient against finite differences.

A graph is drawn as a small program: a few leaves, then steps that each apply a random
operation to earlier nodes. Operands are picked among all earlier nodes, leaves and
intermediate results alike, so sub-expressions are shared (`h = tanh(x); h * h + h`) and
leaves are reused. The strategy evaluates every step with plain NumPy (or `math` for the
scalar engine) as it draws it, which lets it keep the inputs of non-smooth operations
(relu, abs, max, maximum, clip) away from their kinks, keep log and sqrt in their domain
and keep values bounded: finite differences are only meaningful there.

Each test replays the program on the engine, compares every node's value with the
NumPy/math evaluation, and runs `gradcheck` on every leaf. The scalar fuzzer also replays
its program on 0-d float64 Tensors: both engines must give the same values and gradients.

The `slow`-marked variants draw many more graphs (FUZZ_EXAMPLES, default 300); CI runs them
as part of the normal suite. Deselect them locally with `-m "not slow"`.
"""

import math
import os
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_lite import Tensor, Value, concatenate, gradcheck, maximum, stack, where
from autograd_lite.testing import axes as axis_args
from autograd_lite.testing import broadcastable_shapes

MARGIN = 0.01  # inputs of non-smooth operations stay this far from their kinks
BOUND = 100.0  # every node's values stay within +-BOUND
SLOW_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))


@dataclass
class Program:
    """Leaves (arrays or floats), then steps `(op, operand indices, params)`; node i < the
    number of leaves is leaf i, node len(leaves) + k is the result of step k."""

    leaves: list
    steps: list = field(default_factory=list)
    values: list = field(default_factory=list)  # the reference value of every node
    weights: dict = field(default_factory=dict)  # sink node -> constant it is weighted by

    def __repr__(self):  # what hypothesis prints for a failing example
        lines = [f"leaf{i} = {np.array2string(np.asarray(v), precision=17)}"
                 for i, v in enumerate(self.leaves)]
        n = len(self.leaves)
        for k, (op, args, params) in enumerate(self.steps):
            names = ", ".join(f"n{a}" if a >= n else f"leaf{a}" for a in args)
            lines.append(f"n{n + k} = {op}({names}{', ' if params else ''}"
                         f"{', '.join(f'{p}={v!r}' for p, v in params.items())})")
        lines.append(f"output = sum(weight * node) over {sorted(self.weights)}")
        return "\n".join(lines)


def run(program, leaves, table):
    """Replay the program on `leaves` (engine nodes) with the implementations in `table`;
    return every node and the weighted sum of the sinks (the graph's output)."""
    nodes = list(leaves)
    for op, args, params in program.steps:
        nodes.append(table[op](*[nodes[a] for a in args], **params))
    out = None
    for i, w in program.weights.items():
        term = (nodes[i] * w).sum() if table is TENSOR else nodes[i] * w
        out = term if out is None else out + term
    return nodes, out


def _finish(program, const):
    """Weight every node that no step uses (and every leaf, if no step ran)."""
    used = {a for _, args, _ in program.steps for a in args}
    sinks = [i for i in range(len(program.values)) if i not in used]
    if program.steps:
        sinks = [i for i in sinks if i >= len(program.leaves)] or sinks
    for i in sinks:
        program.weights[i] = const(np.shape(program.values[i]))
    return program


# ***** the tensor engine: operations with a NumPy reference and a Tensor implementation *****


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _flatten(x, start, end):
    s, e = start % x.ndim, end % x.ndim
    return x.reshape(x.shape[:s] + (-1,) + x.shape[e + 1:])


# name: (NumPy reference, Tensor implementation)
_OPS = {
    "neg": (lambda x: -x, lambda x: -x),
    "exp": (np.exp, lambda x: x.exp()),
    "log": (np.log, lambda x: x.log()),
    "sqrt": (np.sqrt, lambda x: x.sqrt()),
    "tanh": (np.tanh, lambda x: x.tanh()),
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), lambda x: x.sigmoid()),
    "relu": (lambda x: x * (x > 0), lambda x: x.relu()),
    "abs": (np.abs, lambda x: abs(x)),
    "clip": (lambda x, lo, hi: np.clip(x, lo, hi), lambda x, lo, hi: x.clip(lo, hi)),
    "add_c": (lambda x, c: x + c, lambda x, c: x + c),
    "rsub_c": (lambda x, c: c - x, lambda x, c: c - x),
    "mul_c": (lambda x, c: c * x, lambda x, c: c * x),
    "rdiv_c": (lambda x, c: c / x, lambda x, c: c / x),
    "pow_c": (lambda x, c: x**c, lambda x, c: x**c),
    "rpow_c": (lambda x, c: c**x, lambda x, c: c**x),
    "add": (np.add, lambda a, b: a + b),
    "sub": (np.subtract, lambda a, b: a - b),
    "mul": (np.multiply, lambda a, b: a * b),
    "div": (np.divide, lambda a, b: a / b),
    "pow": (np.power, lambda a, b: a**b),
    "maximum": (np.maximum, maximum),
    "minimum": (np.minimum, lambda a, b: a.minimum(b)),
    "sin": (np.sin, lambda x: x.sin()),
    "square": (np.square, lambda x: x.square()),
    "expm1": (np.expm1, lambda x: x.expm1()),
    "where": (lambda a, b, cond: np.where(cond, a, b), lambda a, b, cond: where(cond, a, b)),
    "matmul": (np.matmul, lambda a, b: a @ b),
    "gram": (lambda a: a @ np.swapaxes(a, -1, -2) if a.ndim > 1 else a @ a,
             lambda a: a @ a.swapaxes(-1, -2) if a.ndim > 1 else a @ a),
    "sum": (lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims),
            lambda x, axis, keepdims: x.sum(axis=axis, keepdims=keepdims)),
    "mean": (lambda x, axis, keepdims: np.mean(x, axis=axis, keepdims=keepdims),
             lambda x, axis, keepdims: x.mean(axis=axis, keepdims=keepdims)),
    "max": (lambda x, axis, keepdims: np.max(x, axis=axis, keepdims=keepdims),
            lambda x, axis, keepdims: x.max(axis=axis, keepdims=keepdims)),
    "min": (lambda x, axis, keepdims: np.min(x, axis=axis, keepdims=keepdims),
            lambda x, axis, keepdims: x.min(axis=axis, keepdims=keepdims)),
    "softmax": (_softmax, lambda x, axis: x.softmax(axis=axis)),
    "log_softmax": (_log_softmax,
                    lambda x, axis: x.log_softmax(axis=axis)),
    "reshape": (lambda x, shape: x.reshape(shape), lambda x, shape: x.reshape(shape)),
    "transpose": (lambda x, perm: x.transpose(perm), lambda x, perm: x.transpose(perm)),
    "T": (lambda x: x.T, lambda x: x.T),
    "swapaxes": (lambda x, a, b: np.swapaxes(x, a, b), lambda x, a, b: x.swapaxes(a, b)),
    "flatten": (_flatten, lambda x, start, end: x.flatten(start, end)),
    "broadcast_to": (np.broadcast_to, lambda x, shape: x.broadcast_to(shape)),
    "getitem": (lambda x, index: x[index], lambda x, index: x[index]),
    "concatenate": (lambda a, b, axis: np.concatenate([a, b], axis),
                    lambda a, b, axis: concatenate([a, b], axis=axis)),
    "stack": (lambda a, b, axis: np.stack([a, b], axis), lambda a, b, axis: stack([a, b], axis)),
}
NUMPY = {name: impls[0] for name, impls in _OPS.items()}
TENSOR = {name: impls[1] for name, impls in _OPS.items()}


def _far_from(x, point):
    return np.all(np.abs(np.asarray(x) - point) > MARGIN)


def _no_ties(x, axis, largest):
    """True when the extreme along the reduced axes is clearly unique (max/min has a
    well-defined gradient there)."""
    x = np.asarray(x)
    reduced = tuple(range(x.ndim)) if axis is None else (
        (axis,) if isinstance(axis, int) else axis)
    reduced = tuple(a % max(x.ndim, 1) for a in reduced) if x.ndim else ()
    kept = [a for a in range(x.ndim) if a not in reduced]
    flat = np.sort(x.transpose(kept + list(reduced)).reshape(
        [x.shape[a] for a in kept] + [-1]), axis=-1)
    if flat.shape[-1] < 2:
        return True
    gap = flat[..., -1] - flat[..., -2] if largest else flat[..., 1] - flat[..., 0]
    return bool(np.all(gap > MARGIN))


def _pick(draw, nodes, where=lambda v: True):
    """The index of a random earlier node satisfying `where`, or None."""
    fits = [i for i, v in enumerate(nodes) if where(np.asarray(v))]
    return draw(st.sampled_from(fits)) if fits else None


def _constant(draw, low=-2.0, high=2.0):
    return draw(st.floats(low, high, allow_nan=False).map(lambda c: round(c, 3)))


def _positive(v):
    return np.all(v > 0.1)


def _away_from_zero(v):
    return np.all(np.abs(v) > 0.2)


# What the first operand of an operation must satisfy (domain, kinks, size of the result).
_FIRST_OPERAND = {
    "log": _positive,
    "sqrt": _positive,
    "pow": _positive,
    "relu": lambda v: _far_from(v, 0.0),
    "abs": lambda v: _far_from(v, 0.0),
    "exp": lambda v: np.all(v < 4),
    "expm1": lambda v: np.all(v < 4),
    "rpow_c": lambda v: np.all(v < 4),
    "rdiv_c": _away_from_zero,
    "getitem": lambda v: v.ndim >= 1,
    "softmax": lambda v: v.ndim >= 1,
    "log_softmax": lambda v: v.ndim >= 1,
    "swapaxes": lambda v: v.ndim >= 1,
    "flatten": lambda v: v.ndim >= 1,
    "concatenate": lambda v: v.ndim >= 1,
    "gram": lambda v: v.ndim >= 1,
    "matmul": lambda v: v.ndim >= 1,
    "transpose": lambda v: v.ndim >= 2,
}


@st.composite
def _tensor_step(draw, values):
    """One random step on the nodes whose reference values are `values`, or None when the
    chosen operation fits none of them (the caller then draws again)."""
    op = draw(st.sampled_from(list(_OPS)))
    a = _pick(draw, values, _FIRST_OPERAND.get(op, lambda v: True))
    if a is None:
        return None
    x = np.asarray(values[a])
    args, params = [a], {}
    if op == "clip":
        lo = _constant(draw)
        hi = lo + _constant(draw, 0.1, 2.0)
        if not (_far_from(x, lo) and _far_from(x, hi)):
            return None
        params = dict(lo=lo, hi=hi)
    elif op in ("add_c", "rsub_c", "mul_c", "rdiv_c"):
        params = dict(c=_constant(draw))
    elif op == "pow_c":
        c = draw(st.sampled_from([2, 3, -1, 0.5, 1.5]))
        if (c == -1 and not _away_from_zero(x)) or (c in (0.5, 1.5) and not _positive(x)):
            return None
        params = dict(c=c)
    elif op == "rpow_c":
        params = dict(c=_constant(draw, 0.2, 2.5))
    elif op in ("add", "sub", "mul", "div", "pow", "maximum", "minimum", "where"):
        fits = {"div": _away_from_zero, "pow": lambda v: np.all(np.abs(v) < 3),
                "maximum": lambda v: _far_from(x - v, 0.0),
                "minimum": lambda v: _far_from(x - v, 0.0)}.get(op, lambda v: True)
        b = _pick(draw, values, lambda v: _broadcasts(x.shape, v.shape) and fits(v))
        if b is None:
            return None
        if op == "where":
            shape = np.broadcast_shapes(x.shape, np.shape(values[b]))
            params = dict(cond=draw(hnp.arrays(bool, draw(st.sampled_from(
                [shape, shape[1:] if shape else shape])))))
        args.append(b)
    elif op == "matmul":
        b = _pick(draw, values, lambda v: _matmul_fits(x.shape, v.shape))
        if b is None:
            return None
        args.append(b)
    elif op in ("sum", "mean", "max", "min"):
        axis = draw(axis_args(x.ndim))
        if op in ("max", "min") and not _no_ties(x, axis, op == "max"):
            return None
        params = dict(axis=axis, keepdims=draw(st.booleans()))
    elif op in ("softmax", "log_softmax"):
        params = dict(axis=draw(st.integers(-x.ndim, x.ndim - 1)))
    elif op == "reshape":
        params = dict(shape=draw(st.sampled_from(_reshapes(x.shape))))
    elif op == "transpose":
        params = dict(perm=tuple(draw(st.permutations(range(x.ndim)))))
    elif op == "swapaxes":
        params = dict(a=draw(st.integers(-x.ndim, x.ndim - 1)),
                      b=draw(st.integers(-x.ndim, x.ndim - 1)))
    elif op == "flatten":
        start = draw(st.integers(-x.ndim, x.ndim - 1))
        end = draw(st.integers(start % x.ndim, x.ndim - 1))
        params = dict(start=start, end=end)
    elif op == "broadcast_to":
        grown = tuple(n if n != 1 else draw(st.sampled_from([1, 2, 3])) for n in x.shape)
        params = dict(shape=tuple(draw(st.lists(st.integers(1, 3), max_size=1))) + grown)
    elif op == "getitem":
        params = dict(index=draw(_indices(x)))
    elif op in ("concatenate", "stack"):
        axis = draw(st.integers(-x.ndim - (op == "stack"), x.ndim - 1 + (op == "stack")))
        if op == "stack":
            same = lambda v: v.shape == x.shape
        else:
            same = lambda v: v.ndim == x.ndim and all(
                p == q for i, (p, q) in enumerate(zip(v.shape, x.shape)) if i != axis % x.ndim)
        args.append(_pick(draw, values, same))
        params = dict(axis=axis)
    return op, args, params


def _broadcasts(s, t):
    try:
        np.broadcast_shapes(s, t)
        return True
    except ValueError:
        return False


def _matmul_fits(s, t):
    if not s or not t:
        return False
    try:
        np.matmul(np.zeros(s), np.zeros(t))
        return True
    except ValueError:
        return False


def _reshapes(shape):
    """A few shapes with as many elements as `shape`."""
    size = int(np.prod(shape))
    options = [(size,), (-1,), tuple(reversed(shape)), (1,) + tuple(shape), tuple(shape) + (1,)]
    if len(shape) >= 2:
        options.append((shape[0], -1))
    if size == 1:
        options.append(())
    return options


@st.composite
def _indices(draw, x):
    n = x.shape[0]
    kind = draw(st.sampled_from(["int", "slice", "none", "ellipsis", "array", "mask", "pair"]))
    if kind == "int":
        return draw(st.integers(-n, n - 1))
    if kind == "slice":
        start = draw(st.integers(0, n - 1))
        step = draw(st.sampled_from([1, 2, -1]))
        return slice(start, None, step) if step > 0 else slice(start, None, -1)
    if kind == "none":
        return (None, slice(None))
    if kind == "ellipsis":
        return (Ellipsis, draw(st.integers(-x.shape[-1], x.shape[-1] - 1)))
    if kind == "array":  # repeated indices must add up in backward
        return np.array(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4)))
    if kind == "mask":
        mask = draw(hnp.arrays(bool, x.shape))
        mask.flat[draw(st.integers(0, x.size - 1))] = True
        return mask
    # an integer array on axis 0 and a slice on the rest
    return (np.array(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3))),
            Ellipsis)


@st.composite
def tensor_programs(draw, max_leaves=3, max_steps=8):
    """A random graph over 1..max_leaves float64 leaves whose shapes broadcast together."""
    n = draw(st.integers(1, max_leaves))
    shapes = draw(broadcastable_shapes(n, min_dims=0, max_dims=3, max_side=3))
    # Some leaves are positive, so that log, sqrt and pow find inputs in their domain.
    leaves = [draw(hnp.arrays(np.float64, s, elements=st.floats(
        *draw(st.sampled_from([(-2, 2), (0.2, 2)])), width=64))) for s in shapes]
    program = Program(leaves=leaves, values=[np.asarray(x) for x in leaves])
    target = draw(st.integers(1, max_steps))
    for _ in range(4 * target):  # an operation that does not fit is skipped; draw another
        if len(program.steps) == target:
            break
        step = draw(_tensor_step(program.values))
        if step is None:
            continue
        op, args, params = step
        with np.errstate(all="ignore"):
            value = np.asarray(NUMPY[op](*[program.values[a] for a in args], **params),
                               dtype=np.float64)
        if value.size == 0 or not np.all(np.abs(value) <= BOUND):  # also rejects nan
            continue
        program.steps.append(step)
        program.values.append(value)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return _finish(program, lambda shape: rng.uniform(0.5, 1.5, shape))


def check_tensor_program(program):
    leaves = [Tensor(x.copy(), requires_grad=True) for x in program.leaves]
    nodes = run(program, leaves, TENSOR)[0]
    for i, (node, expected) in enumerate(zip(nodes, program.values)):
        assert node.shape == expected.shape, f"node {i}"
        np.testing.assert_allclose(node.data, expected, rtol=1e-10, atol=1e-12,
                                   err_msg=f"node {i}")
    assert gradcheck(lambda *xs: run(program, xs, TENSOR)[1], program.leaves)


@given(tensor_programs())
def test_random_tensor_graphs_have_correct_gradients(program):
    check_tensor_program(program)


@pytest.mark.slow
@settings(max_examples=SLOW_EXAMPLES)
@given(tensor_programs(max_leaves=4, max_steps=12))
def test_random_tensor_graphs_have_correct_gradients_many_examples(program):
    check_tensor_program(program)


# ***** the scalar engine, and agreement with 0-d Tensors *****


def _sig(x):
    return 1 / (1 + math.exp(-x))


# name: (arity, math reference, implementation on Values or 0-d Tensors)
_SCALAR_OPS = {
    "add": (2, lambda a, b: a + b, lambda a, b: a + b),
    "sub": (2, lambda a, b: a - b, lambda a, b: a - b),
    "mul": (2, lambda a, b: a * b, lambda a, b: a * b),
    "div": (2, lambda a, b: a / b, lambda a, b: a / b),
    "pow": (2, lambda a, b: a**b, lambda a, b: a**b),
    "neg": (1, lambda x: -x, lambda x: -x),
    "exp": (1, math.exp, lambda x: x.exp()),
    "log": (1, math.log, lambda x: x.log()),
    "sqrt": (1, math.sqrt, lambda x: x.sqrt()),
    "tanh": (1, math.tanh, lambda x: x.tanh()),
    "sigmoid": (1, _sig, lambda x: x.sigmoid()),
    "relu": (1, lambda x: max(x, 0.0), lambda x: x.relu()),
    "abs": (1, abs, lambda x: abs(x)),
    "add_c": (1, lambda x, c: c + x, lambda x, c: c + x),
    "rsub_c": (1, lambda x, c: c - x, lambda x, c: c - x),
    "mul_c": (1, lambda x, c: x * c, lambda x, c: x * c),
    "rdiv_c": (1, lambda x, c: c / x, lambda x, c: c / x),
    "pow_c": (1, lambda x, c: x**c, lambda x, c: x**c),
    "rpow_c": (1, lambda x, c: c**x, lambda x, c: c**x),
}
SCALAR = {name: op[2] for name, op in _SCALAR_OPS.items()}


def _scalar_fits(op, x, y, c):
    """Is the step op(x[, y]) (constant c) smooth, in its domain and bounded here?"""
    if op in ("log", "sqrt"):
        return x > 0.1
    if op == "pow":
        return x > 0.1 and abs(y) < 3
    if op == "pow_c":
        return x > 0.1 if c in (0.5, 1.5) else abs(x) > 0.2 if c == -1 else True
    if op in ("relu", "abs"):
        return abs(x) > MARGIN
    if op in ("exp", "rpow_c"):
        return x < 4
    if op == "div":
        return abs(y) > 0.2
    if op == "rdiv_c":
        return abs(x) > 0.2
    return True


@st.composite
def scalar_programs(draw, max_leaves=3, max_steps=10):
    """A random graph of Values over 1..max_leaves leaves, with shared sub-expressions."""
    leaves = draw(st.lists(st.floats(-2, 2, allow_nan=False), min_size=1, max_size=max_leaves))
    program = Program(leaves=leaves, values=list(leaves))
    target = draw(st.integers(1, max_steps))
    for _ in range(4 * target):
        if len(program.steps) == target:
            break
        op = draw(st.sampled_from(list(_SCALAR_OPS)))
        arity, reference, _ = _SCALAR_OPS[op]
        args = [draw(st.integers(0, len(program.values) - 1)) for _ in range(arity)]
        params = {}
        if op.endswith("_c"):
            params["c"] = (draw(st.sampled_from([2, 3, -1, 0.5, 1.5])) if op == "pow_c" else
                           _constant(draw, 0.2, 2.5) if op == "rpow_c" else _constant(draw))
        x = program.values[args[0]]
        y = program.values[args[1]] if arity == 2 else None
        if not _scalar_fits(op, x, y, params.get("c")):
            continue
        value = reference(*[program.values[a] for a in args], **params)
        if not abs(value) <= BOUND:
            continue
        program.steps.append((op, args, params))
        program.values.append(float(value))
    return _finish(program, lambda shape: _constant(draw, 0.5, 1.5))


def check_scalar_program(program):
    values = [Value(x) for x in program.leaves]
    nodes, out = run(program, values, SCALAR)
    for i, (node, expected) in enumerate(zip(nodes, program.values)):
        assert math.isclose(node.data, expected, rel_tol=1e-12, abs_tol=1e-12), f"node {i}"
    assert gradcheck(lambda *xs: run(program, xs, SCALAR)[1], [Value(x) for x in program.leaves])

    # The same graph on 0-d float64 Tensors: the engines agree on values and gradients.
    tensors = [Tensor(np.float64(x), requires_grad=True) for x in program.leaves]
    t_nodes, t_out = run(program, tensors, SCALAR)
    for i, (v, t) in enumerate(zip(nodes, t_nodes)):
        assert t.dtype == np.float64 and t.shape == ()
        assert math.isclose(v.data, float(t.data), rel_tol=1e-12, abs_tol=1e-12), f"node {i}"
    if out.requires_grad:
        out.backward()
        t_out.backward()
    for i, (v, t) in enumerate(zip(values, tensors)):
        t_grad = 0.0 if t.grad is None else float(t.grad)
        assert math.isclose(v.grad, t_grad, rel_tol=1e-9, abs_tol=1e-12), f"leaf {i}"


@given(scalar_programs())
def test_random_scalar_graphs_have_correct_gradients_and_match_tensors(program):
    check_scalar_program(program)


@pytest.mark.slow
@settings(max_examples=SLOW_EXAMPLES)
@given(scalar_programs(max_leaves=4, max_steps=16))
def test_random_scalar_graphs_many_examples(program):
    check_scalar_program(program)


# ***** the fuzzers draw what they claim to *****


def _programs(strategy, count):
    found = []

    @settings(max_examples=count, database=None, derandomize=True)
    @given(strategy)
    def collect(program):
        found.append(program)

    collect()
    return found


def test_the_tensor_fuzzer_shares_nodes_and_covers_every_operation():
    programs = _programs(tensor_programs(), 400)
    used = {op for p in programs for op, _, _ in p.steps}
    assert len(set(_OPS) - used) <= 2, f"never drawn: {set(_OPS) - used}"
    shared = [p for p in programs if _has_shared_interior_node(p)]
    reused_leaf = [p for p in programs if _has_reused_leaf(p)]
    broadcast = [p for p in programs
                 if any(op in ("add", "mul", "sub", "div") and
                        p.values[args[0]].shape != p.values[args[1]].shape
                        for op, args, _ in p.steps)]
    assert len(shared) > 30 and len(reused_leaf) > 30 and len(broadcast) > 10


def test_the_scalar_fuzzer_shares_nodes_and_covers_every_operation():
    programs = _programs(scalar_programs(), 200)
    used = {op for p in programs for op, _, _ in p.steps}
    assert len(set(_SCALAR_OPS) - used) <= 1, f"never drawn: {set(_SCALAR_OPS) - used}"
    assert sum(_has_shared_interior_node(p) for p in programs) > 30
    assert sum(_has_reused_leaf(p) for p in programs) > 30


def _uses(program):
    counts = {}
    for _, args, _ in program.steps:
        for a in args:
            counts[a] = counts.get(a, 0) + 1
    return counts


def _has_shared_interior_node(program):
    return any(n > 1 and i >= len(program.leaves) for i, n in _uses(program).items())


def _has_reused_leaf(program):
    return any(n > 1 and i < len(program.leaves) for i, n in _uses(program).items())


def test_a_wrong_rule_is_caught_by_the_fuzzer():
    """The check is not vacuous: a broken backward rule fails it."""
    from autograd_lite import ops as tensor_ops

    program = Program(leaves=[np.array([0.3, -0.7])], values=[np.array([0.3, -0.7])])
    program.steps.append(("tanh", [0], {}))
    program.values.append(np.tanh(program.values[0]))
    program.steps.append(("mul", [1, 0], {}))
    program.values.append(program.values[1] * program.values[0])
    program.weights[2] = np.array([1.0, 2.0])
    check_tensor_program(program)
    original = tensor_ops.Tanh.backward
    try:
        tensor_ops.Tanh.backward = lambda self, g, out, a: g * (1 - out)  # wrong
        with pytest.raises(AssertionError):
            check_tensor_program(program)
    finally:
        tensor_ops.Tanh.backward = original
