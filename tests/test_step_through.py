"""step_through's recording: the engine's own backward pass, step by step, without side effects.

The browser half (the page shows these numbers, step by step) is in
test_step_through_browser.py.
"""

import json
import re
import shutil

import numpy as np
import pytest

pytest.importorskip("graphviz", reason="the viz extra: pip install graphviz")

from autograd_lite import (
    GraphReleasedError,
    Tensor,
    Value,
    engine,
    ops,
    retain_grads,
    scalar_ops,
    stepper,
)
from autograd_lite.engine import topological_order, walk
from autograd_lite.viz import step_through

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="the Graphviz `dot` program is not installed")


def fan_out():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b + a * a  # a reaches the root three ways
    c.label = "c"
    return c.tanh(), a, b


def backward_steps(steps):
    return [s for s in steps if s["phase"] == "backward"]


def test_the_driver_calls_the_hook_once_per_rule_with_upstream_and_sent_gradients():
    out, _, _ = fan_out()
    calls = []
    engine.backward(out, 1.0, retain_graph=True, _trace=lambda n, g, pg: calls.append(
        (n, g, pg)))
    rules = [n for n in reversed(topological_order(out, requiring_grad=True)) if n.grad_fn]
    assert [n for n, _, _ in calls] == rules
    for node in topological_order(out):  # Values keep gradients: start the check afresh
        node.grad = 0.0
    out.backward()
    for node, g, pgrads in calls:
        assert g == node.grad  # the complete upstream gradient
        assert len(pgrads) == len(node.grad_fn.parents)


def test_recording_matches_a_plain_backward_and_changes_no_grad():
    out, a, b = fan_out()
    a.grad = 10.0  # an old gradient the recording must leave alone
    ids, steps = stepper.record(out)
    assert a.grad == 10.0 and b.grad == 0.0
    a.grad = 0.0
    out.backward()  # the graph was kept
    order = list(reversed(topological_order(out, requiring_grad=True)))
    back = backward_steps(steps)
    assert [s["node"] for s in back] == [ids[n] for n in order]
    for step, node in zip(back, order):
        assert float(step["upstream"]["exact"]) == node.grad
    # Running sums: the last one sent to a node is the upstream gradient it then shows.
    last_sum = {}
    for step in back:
        if step["node"] in last_sum:
            assert last_sum[step["node"]] == step["upstream"]["exact"]
        for send in step.get("sends", []):
            last_sum[send["to"]] = send["sum"]["exact"]
    a_id = ids[a]
    to_a = [send for s in back for send in s.get("sends", []) if send["to"] == a_id]
    assert [(s["count"], s["of"]) for s in to_a] == [(1, 3), (2, 3), (3, 3)]
    leaf_a = next(s for s in back if s["node"] == a_id)
    assert leaf_a["leaf"] and len(leaf_a["from"]) == 3


def test_ids_are_the_drawing_ids():
    out, _, _ = fan_out()
    ids, _ = stepper.record(out)
    nodes, _ = walk(out)
    assert ids == {node: f"n{i}" for i, node in enumerate(nodes)}


def test_rule_local_derivative_and_product_of_a_multiplication():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    _, steps = stepper.record(a * b, forward=False)
    mul = backward_steps(steps)[0]
    assert [s["rule"] for s in mul["sends"]] == ["d(a * b)/da = b", "d(a * b)/db = a"]
    assert [s["local"]["text"] for s in mul["sends"]] == ["-3", "2"]
    assert [s["product"]["exact"] for s in mul["sends"]] == ["-3.0", "2.0"]
    assert not any(s["phase"] == "forward" for s in steps)


def test_forward_steps_give_every_value_in_topological_order():
    out, _, _ = fan_out()
    ids, steps = stepper.record(out)
    forward = [s for s in steps if s["phase"] == "forward"]
    assert [s["node"] for s in forward] == [ids[n] for n in topological_order(out)]
    assert [float(s["value"]["exact"]) for s in forward] == [
        n.data for n in topological_order(out)]


def test_tensor_recording_equals_retained_gradients_and_shows_shapes():
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(5, 3)), label="x")
    w = Tensor(rng.normal(size=(3, 2)), requires_grad=True, label="W")
    b = Tensor(np.zeros(2), requires_grad=True, label="b")
    loss = ((x @ w + b).relu() ** 2).mean()
    ids, steps = stepper.record(loss, max_elements=4)
    assert w.grad is None and b.grad is None
    retain_grads(loss).backward()
    order = list(reversed(topological_order(loss, requiring_grad=True)))
    for step, node in zip(backward_steps(steps), order):
        np.testing.assert_array_equal(np.array(json.loads(step["upstream"]["exact"])),
                                      node.grad)
        if np.size(node.data) > 4:  # summarised as draw_graph does, with the shape
            assert step["upstream"]["text"].startswith(f"{node.data.shape} min ")
    b_sends = [s for st in backward_steps(steps) for s in st.get("sends", [])
               if s["to"] == ids[b]]
    assert b_sends[0]["sum"]["text"].startswith("(2,) [")  # small: in full
    assert "shape (2,)" in b_sends[0]["note"]  # broadcast: summed back


def test_every_operation_has_a_rule_text():
    """Each op's docstring gives the rule the player shows; no op falls back silently."""
    classes = [c for m in (scalar_ops, ops.elementwise, ops.activations, ops.reductions,
                           ops.linalg, ops.shape)
               for c in vars(m).values() if isinstance(c, type) and issubclass(
                   c, engine.Function) and c.__module__ == m.__name__ and
               not c.__name__.startswith("_")]
    assert len(classes) > 30
    for cls in classes:
        doc = (cls.__doc__ or "").strip().splitlines()[0]
        expr, _, rest = doc.partition(";")
        if not rest:  # helpers such as ScatterAdd that only run inside other rules
            continue
        op = cls.__new__(cls)
        _, texts = stepper.rule_texts(op, 2)
        assert texts and all(texts), cls
        if "d/da = " in rest:
            head = expr.split(" = ")[0].strip()
            assert texts[0].startswith(f"d({head})/da = ") or "sends" in texts[0], cls


def test_refusals_are_clear(tmp_path):
    with pytest.raises(TypeError, match="Value or a Tensor"):
        stepper.record(3.0)
    with pytest.raises(ValueError, match="does not require grad"):
        stepper.record(Value(1.0, requires_grad=False) * 2)
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"single number.*shape \(2,\)"):
        stepper.record(w * 2)
    y = Value(2.0) * Value(3.0)
    y.backward()
    with pytest.raises(GraphReleasedError, match="before loss.backward"):
        stepper.record(y)
    with pytest.raises(ValueError, match="must end in .html"):
        step_through(Value(1.0) * 2, tmp_path / "p.svg")
    with pytest.raises(ValueError, match="max_elements"):
        step_through(Value(1.0) * 2, max_elements=-1)


@needs_dot
def test_page_is_self_contained(tmp_path):
    out, _, _ = fan_out()
    path = step_through(out, tmp_path / "sub" / "player.html")
    assert path == tmp_path / "sub" / "player.html"
    text = path.read_text(encoding="utf-8")
    assert "<svg" in text and "Content-Security-Policy" in text and "default-src 'none'" in text
    # No reference to anything outside the page: no src=, no href= but the SVG's own.
    assert not re.search(r"\s(src|href)=", text)
    assert not re.search(r"https?://(?!www\.w3\.org/)", text)
    assert "@import" not in text and "url(" not in text


@needs_dot
def test_inline_players_get_their_own_ids():
    out, _, _ = fan_out()
    player = step_through(out)
    first, second = player._repr_html_(), player._repr_html_()
    ids_first = set(re.findall(r'\bid="([^"]+)"', first))
    ids_second = set(re.findall(r'\bid="([^"]+)"', second))
    assert ids_first and not ids_first & ids_second
    assert "PLAYER_ID" not in first
    css = re.sub(r"/\*.*?\*/", "", re.search(r"<style>(.*?)</style>", first, re.S)[1],
                 flags=re.S)
    player_id = re.search(r'class="agl-player" id="([^"]+)"', first)[1]
    selectors = [sel.strip() for rule in css.split("}") if "{" in rule
                 for sel in rule.split("{")[0].split(",")]
    assert selectors and all(sel.startswith(f"#{player_id}") for sel in selectors)
