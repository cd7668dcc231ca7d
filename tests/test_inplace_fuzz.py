"""Differential fuzzing of in-place changes against PyTorch: a gradient is either right or
refused.

Each example is a small random program, run step by step on autograd-lite and on PyTorch
side by side: one or two float64 leaves (a second one may be a constant input), a chain of
2-6 recorded operations (activations, arithmetic with another tensor or a constant,
matmul, reshape, view, transpose, slicing, clone, detach, a sum over an axis), and at 0-2
random points an in-place change inside `no_grad()` of an existing tensor (a leaf, an
intermediate, a detached alias, a view of either): `+=`, `-=`, `*=`, `t[index] = c` (c a
number or another tensor's sum), or an SGD step on a leaf. Then a scalar loss that uses
every tensor, and backward; sometimes with `retain_graph=True`, one more change and a
second backward. Every interior tensor retains its gradient, so all are compared.

The property:
- every tensor holds the same values in both libraries after the changes (so the loss is
  the same);
- if PyTorch refuses backward ("modified by an inplace operation"), autograd-lite refuses
  with `ModifiedInPlaceError`;
- if PyTorch gives gradients, autograd-lite gives the same ones or refuses;
- a refusal leaves every `.grad` as it was (nothing half-updated).

The changes are made inside `no_grad()` only: while a graph is recorded, a write through a
view changes the view only, unlike PyTorch (see "Changing data in place" in the docs), so
the values would differ by design.

autograd-lite may refuse where PyTorch does not: it checks every input of an operation and
every result, while PyTorch checks only the tensors a rule saved (`z + 1` saves nothing).
Those conservative refusals are allowed; `REFUSED_BY_US_ONLY` collects them for a look.

The `slow`-marked variant draws many more programs (INPLACE_FUZZ_EXAMPLES, default 1000).
"""

import os

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import nn
from autograd_lite import Tensor, no_grad
from autograd_lite.engine import ModifiedInPlaceError

torch = pytest.importorskip("torch", reason="PyTorch is the oracle of the in-place fuzzer "
                                            "(pip install torch==2.13.0)")

SLOW_EXAMPLES = int(os.environ.get("INPLACE_FUZZ_EXAMPLES", "1000"))

# (program text, our error) for each program that PyTorch backprops and we refuse
REFUSED_BY_US_ONLY = []


def _weight(shape, k):
    """A fixed, varied constant of `shape` that weights node k in the loss."""
    return np.cos(np.arange(int(np.prod(shape)), dtype=np.float64) + 0.7 * k).reshape(shape)


# ----- the recorded operations: name -> (needs a second tensor of the same shape, f) -----
# f(x, y, c) runs on either library's tensors (their method names agree); c is a number.

OPS = {
    "relu": (False, lambda x, y, c: x.relu()),
    "exp": (False, lambda x, y, c: x.exp()),
    "sigmoid": (False, lambda x, y, c: x.sigmoid()),
    "tanh": (False, lambda x, y, c: x.tanh()),
    "sqrt": (False, lambda x, y, c: (x * x + 1).sqrt()),
    "softmax": (False, lambda x, y, c: x.softmax(-1)),
    "add": (True, lambda x, y, c: x + y),
    "mul": (True, lambda x, y, c: x * y),
    "add_const": (False, lambda x, y, c: x + c),
    "mul_const": (False, lambda x, y, c: x * c),
    "matmul": (True, lambda x, y, c: x @ y.T),
    "reshape": (False, lambda x, y, c: x.reshape(x.shape[1], x.shape[0])),
    "view": (False, lambda x, y, c: x.view(-1, 1)),
    "transpose": (False, lambda x, y, c: x.T),
    "slice_rows": (False, lambda x, y, c: x[-1:]),
    "slice_cols": (False, lambda x, y, c: x[:, :1]),
    "element": (False, lambda x, y, c: x[0, -1].reshape(1, 1)),  # a 0-d view, reshaped
    "clone": (False, lambda x, y, c: x.clone()),
    "detach": (False, lambda x, y, c: x.detach()),
    "sum": (False, lambda x, y, c: x.sum(0, keepdim=True)),
}

# ----- the in-place changes, made inside no_grad() -----
# A target is the tensor itself or an alias of its memory made for the change.

TARGETS = {
    "itself": lambda t: t,
    "detached": lambda t: t.detach(),
    "row view": lambda t: t[:1],
    "column view": lambda t: t[:, -1:],
    "flat view": lambda t: t.reshape(-1),
    "transposed view": lambda t: t.T,
}


CHANGES = ["+=", "-=", "*=", "[0] =", "[..., -1] =", "SGD step"]


def _change_ours(t, kind, c):
    if kind == "+=":
        t += c
    elif kind == "-=":
        t -= c
    elif kind == "*=":
        t *= c
    elif kind == "[0] =":
        t[0] = c
    elif kind == "[..., -1] =":
        t[..., -1] = c
    else:  # an optimizer's update, with a gradient set by hand for it
        held, t.grad = t.grad, np.full(t.shape, c)
        nn.SGD([t], lr=0.5).step()
        t.grad = held


def _change_torch(t, kind, c):
    if kind == "+=":
        t.add_(c)
    elif kind == "-=":
        t.sub_(c)
    elif kind == "*=":
        t.mul_(c)
    elif kind == "[0] =":
        t[0] = c
    elif kind == "[..., -1] =":
        t[..., -1] = c
    else:
        held, t.grad = t.grad, torch.full(t.shape, c, dtype=t.dtype)
        torch.optim.SGD([t], lr=0.5).step()
        t.grad = held


RECORDED_WRITES = ["[0] = (recorded)", "[..., -1] = (recorded)"]


@st.composite
def programs(draw, recorded=False):
    """A program: leaf arrays and whether each requires grad (the first does; another may
    be a constant input), then steps `("op", name, i, j, c)` (node i, node j, a number c)
    and `("change", target, kind, i, c)` (c a number, or the sum of node j as `("n", j)`),
    and a change to make between a first backward and a second one, or None. With
    `recorded`, changes may also be writes made while the graph is recorded."""
    n_leaves = draw(st.integers(1, 2))
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    leaves = []
    for _ in range(n_leaves):
        values = draw(st.lists(st.floats(-1.5, 1.5, allow_nan=False, width=64),
                               min_size=shape[0] * shape[1], max_size=shape[0] * shape[1]))
        leaves.append(np.array(values, dtype=np.float64).reshape(shape))
    needs_grad = [True] + [draw(st.booleans()) for _ in leaves[1:]]
    shapes = [shape] * n_leaves
    n_ops = draw(st.integers(2, 6))
    change_at = draw(st.lists(st.integers(0, n_ops), max_size=2))
    number = st.sampled_from([-1.5, -0.5, 0.5, 2.0, 3.0])
    steps = []

    def change(recorded=False):
        kind = draw(st.sampled_from(CHANGES + RECORDED_WRITES if recorded else CHANGES))
        if kind == "SGD step":  # an optimizer updates a leaf that requires grad, itself
            i = draw(st.sampled_from([i for i, flag in enumerate(needs_grad) if flag]))
            return ("change", "itself", kind, i, draw(number))
        operand = number | st.tuples(st.just("n"), st.integers(0, len(shapes) - 1))
        return ("change", draw(st.sampled_from(sorted(TARGETS))), kind,
                draw(st.integers(0, len(shapes) - 1)), draw(operand))

    for k in range(n_ops + 1):
        steps.extend(change(recorded) for _ in range(change_at.count(k)))
        if k == n_ops:
            break
        name = draw(st.sampled_from(sorted(OPS)))
        i = draw(st.integers(0, len(shapes) - 1))
        partners = [j for j, s in enumerate(shapes) if s == shapes[i]]
        j = draw(st.sampled_from(partners)) if OPS[name][0] else None
        steps.append(("op", name, i, j, draw(number)))
        shapes.append(_shape_after(name, shapes[i]))
    # between two backward passes, a change inside no_grad() (a recorded write would need
    # a new loss)
    return leaves, needs_grad, steps, change() if draw(st.booleans()) else None


def _shape_after(name, shape):
    m, n = shape
    return {"matmul": (m, m), "reshape": (n, m), "view": (m * n, 1), "transpose": (n, m),
            "slice_rows": (1, n), "slice_cols": (m, 1), "element": (1, 1),
            "sum": (1, n)}.get(name, shape)


def describe(leaves, needs_grad, steps, again=None):
    """The program as Python-like text, for failure messages."""
    lines = [f"n{i} = leaf {a.tolist()}" + ("" if flag else " (no grad)")
             for i, (a, flag) in enumerate(zip(leaves, needs_grad))]
    n = len(leaves)
    for step in steps:
        if step[0] == "op":
            _, name, i, j, c = step
            extra = f", n{j}" if j is not None else (f", {c}" if name.endswith("const") else "")
            lines.append(f"n{n} = {name}(n{i}{extra})")
            n += 1
        else:
            lines.append(_describe_change(step))
    lines.append("loss = sum((n_k * weight_k).sum()); loss.backward()")
    if again is not None:
        lines[-1] = lines[-1].replace("backward()", "backward(retain_graph=True)")
        lines += [_describe_change(again), "loss.backward()"]
    return "\n".join(lines)


def _describe_change(step):
    _, target, kind, i, c = step
    value = f"n{c[1]}.sum()" if isinstance(c, tuple) else c
    if kind in RECORDED_WRITES:
        return f"({target} of n{i}){kind.split(' (')[0]} {value}  # recorded"
    return f"with no_grad(): ({target} of n{i}) {kind} {value}"


def run(leaves, needs_grad, steps, lib, out_of_place=False):
    """Run the program on `lib` ("ours" or "torch"); return every node and the loss.
    Nothing is differentiated yet. With `out_of_place`, a recorded write into a tensor
    writes into a copy that takes its place, as autograd-lite's does."""
    if lib == "ours":
        nodes = [Tensor(a.copy(), requires_grad=flag) for a, flag in zip(leaves, needs_grad)]
        const = Tensor
    else:
        nodes = [torch.tensor(a, requires_grad=flag) for a, flag in zip(leaves, needs_grad)]
        const = torch.tensor
    for step in steps:
        if step[0] == "op":
            _, name, i, j, c = step
            nodes.append(OPS[name][1](nodes[i], None if j is None else nodes[j], c))
        else:
            make_change(step, nodes, lib, out_of_place)
    for node in nodes:
        if node.requires_grad and not node.is_leaf:
            node.retain_grad()  # so that every gradient is compared, and none half-stored
    loss = sum((node * const(_weight(tuple(node.shape), k))).sum()
               for k, node in enumerate(nodes))
    return nodes, loss


def make_change(step, nodes, lib, out_of_place=False):
    """Make the in-place change `step` to `nodes` inside no_grad() (a recorded write
    outside it)."""
    _, target, kind, i, c = step
    quiet, change = (no_grad, _change_ours) if lib == "ours" else (torch.no_grad, _change_torch)
    if kind in RECORDED_WRITES:
        kind, quiet = kind.split(" (")[0], _recording
    with quiet():
        if isinstance(c, tuple):
            c = nodes[c[1]].sum()
        if out_of_place and quiet is _recording and target == "itself" and (
                nodes[i].requires_grad or getattr(c, "requires_grad", False)):
            nodes[i] = nodes[i].clone()
        change(TARGETS[target](nodes[i]), kind, c)


def grads(nodes):
    """Every gradient a backward pass stored, as arrays (None where none was)."""
    return [None if not node.requires_grad or node.grad is None
            else node.grad.numpy().copy() if torch.is_tensor(node.grad)
            else np.array(node.grad, dtype=np.float64) for node in nodes]


def backward_both(o_nodes, o_loss, t_nodes, t_loss, text, **options):
    """Backward on both; check that a gradient is right or refused. True if both gave one."""
    before = grads(o_nodes)
    try:
        t_loss.backward(**options)
        refused_by_torch = None
    except RuntimeError as err:
        assert "modified by an inplace operation" in str(err), (err, text)
        refused_by_torch = err
    try:
        o_loss.backward(**options)
        refused = None
    except ModifiedInPlaceError as err:
        refused = err
    if refused is not None:
        for k, (now, was) in enumerate(zip(grads(o_nodes), before)):
            assert (now is None and was is None) or np.array_equal(now, was), (
                f"the refused backward changed the .grad of n{k} in\n{text}")
        if refused_by_torch is None:
            REFUSED_BY_US_ONLY.append((text, str(refused)))
        return False
    assert refused_by_torch is None, (
        f"PyTorch refuses ({refused_by_torch}), autograd-lite gave gradients in\n{text}")
    for k, (o, t) in enumerate(zip(grads(o_nodes), grads(t_nodes))):
        if t is None:
            assert o is None, f"n{k} got a gradient, PyTorch's is None, in\n{text}"
        else:
            assert o is not None, f"n{k} got no gradient in\n{text}"
            np.testing.assert_allclose(o, t, rtol=1e-6, atol=1e-12,
                                       err_msg=f"gradient of n{k} differs in\n{text}")
    return True


class _recording:
    """No change of grad mode: the write is recorded (if anything involved requires grad)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def check(leaves, needs_grad, steps, again):
    text = describe(leaves, needs_grad, steps, again)
    try:
        t_nodes, t_loss = run(leaves, needs_grad, steps, "torch")
    except RuntimeError as err:
        if "view size is not compatible" in str(err):  # view() of a tensor laid out for
            # no view: both refuse, autograd-lite maybe at a recorded write made before
            with pytest.raises((ValueError, RuntimeError),
                               match="not contiguous|shares its memory"):
                run(leaves, needs_grad, steps, "ours")
            assume(False)
        # PyTorch refuses a recorded write (into a leaf that requires grad, or a view of
        # one): so must autograd-lite, or the leaf would silently not change
        assert "in-place operation" in str(err), (err, text)
        with pytest.raises(RuntimeError, match="leaf that requires grad|shares its memory"):
            run(leaves, needs_grad, steps, "ours")
        return
    assume(np.isfinite(t_loss.item()))
    try:
        o_nodes, o_loss = run(leaves, needs_grad, steps, "ours")
    except RuntimeError as err:  # a recorded write into shared memory: refused, never wrong
        assert "shares its memory" in str(err), (err, text)
        REFUSED_BY_US_ONLY.append((text, str(err)))
        return
    for k, (o, t) in enumerate(zip(o_nodes, t_nodes)):
        np.testing.assert_allclose(o.data, t.detach().numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"values of n{k} differ from PyTorch's in\n{text}")
    np.testing.assert_allclose(o_loss.data, t_loss.item(), rtol=1e-10, err_msg=text)
    if any(step[2] in RECORDED_WRITES for step in steps):
        # no tensor autograd-lite can reach sees a recorded write that it accepted, so the
        # write may as well go to a copy: PyTorch then backprops what autograd-lite does
        # (in place, it would refuse wherever the written tensor was saved)
        t_nodes, t_loss = run(leaves, needs_grad, steps, "torch", out_of_place=True)
        np.testing.assert_allclose(t_loss.item(), o_loss.data, rtol=1e-10, err_msg=text)
    retain = {} if again is None else {"retain_graph": True}
    if backward_both(o_nodes, o_loss, t_nodes, t_loss, text, **retain) and again:
        make_change(again, t_nodes, "torch")  # between two backward passes
        make_change(again, o_nodes, "ours")
        backward_both(o_nodes, o_loss, t_nodes, t_loss, text)


@settings(max_examples=150)
@given(programs())
def test_a_gradient_is_right_or_refused(program):
    check(*program)


@pytest.mark.slow
@settings(max_examples=SLOW_EXAMPLES)
@given(programs())
def test_a_gradient_is_right_or_refused_many_programs(program):
    check(*program)


@settings(max_examples=150)
@given(programs(recorded=True))
def test_a_recorded_write_gives_torchs_values_or_is_refused(program):
    """Writes `t[index] = v` while the graph is recorded too: autograd-lite gives each
    written tensor new memory, so a write that another tensor should see (through a view,
    into a base that has views, into a detached alias) must be refused at once."""
    check(*program)


@pytest.mark.slow
@settings(max_examples=SLOW_EXAMPLES)
@given(programs(recorded=True))
def test_a_recorded_write_gives_torchs_values_or_is_refused_many_programs(program):
    check(*program)
