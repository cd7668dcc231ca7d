"""The backward-pass player behind `viz.step_through`: record a real pass, write one page.

`record(root)` runs the engine's own backward driver (`engine.backward`) once, with its
observer hook, and keeps what the driver did at each node: the complete upstream gradient,
the gradient each rule sent to each parent, and the running sums. Nothing is stored in any
`.grad` (the pass returns its gradients instead, like `torch.autograd.grad`) and the graph
is kept. `page(...)` turns a recording and the Graphviz drawing into one HTML page whose
script only displays the recorded numbers: it computes none.

Node structure is read through `_op` and the engine's `walk` and `topological_order`.

The page's DOM, for browser tests: the player is `div.agl-player` (id `agl-player` on a
page of its own) with `data-step`, `data-phase` (start, forward, backward, end),
`data-node` (the highlighted node: the `<title>` of its `g.node` in the SVG, n0 being the
root) and `data-playing`. Its buttons have ids `<player id>-next`, `-prev`, `-play`,
`-reset`; in a backward step, `[data-role=upstream]` shows the node's gradient, with the
exact value in `data-value` (JSON), and each `[data-role=send]` the product and running sum
sent to one input.
"""

import html
import itertools
import json
import pathlib
import re

import numpy as np

from . import engine
from .engine import Node, topological_order, walk

_ASSETS = pathlib.Path(__file__).with_name("stepper_assets")
_COUNTER = itertools.count(1)
_DIGITS = ".6g"  # numbers on the page: 6 significant digits (the exact value is in data-*)


# ----- node structure: the only place that reads how a node stores its operation -----


def _op(node):
    """The operation (rule) that made `node`, or None for a leaf."""
    return node.grad_fn


def _var(i):
    """The name of input `i` in the rules' notation: a, b, c, ..."""
    return "abcdefgh"[i] if i < 8 else f"x{i}"


# ----- numbers as text -----


def number_text(x, max_elements=6):
    r"""A float or an array as the page shows it: arrays with their shape, small ones in full.

    >>> number_text(0.25)
    '0.25'
    >>> number_text(np.array([[1.0, 2.0]]))
    '(1, 2) [[1, 2]]'
    >>> number_text(np.arange(10.0), max_elements=6)
    '(10,) min 0  mean 4.5  max 9\n[0, 1, 2, …]'
    """
    if isinstance(x, Node):
        x = x.data
    if not isinstance(x, np.ndarray):
        return _num(x)
    if x.ndim == 0:
        return _num(x.item())
    from .viz import _value_lines

    return f"{x.shape} " + "\n".join(_value_lines(x, max_elements, digits=_DIGITS))


def exact_text(x):
    """The exact value as JSON-like text (a float's repr, or nested lists): for tests."""
    if isinstance(x, Node):
        x = x.data
    if isinstance(x, np.ndarray):
        return json.dumps(np.asarray(x, dtype=np.float64).tolist() if x.dtype.kind != "b"
                          else x.tolist())
    return repr(float(x))


def _num(v):
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    return format(float(v), _DIGITS)


# ----- the rules, read from each operation's docstring ("a * b;  d/da = b, d/db = a.") -----

_DERIVATIVE = re.compile(r"d/d([a-z]) = (.*?)(?=,? d/d[a-z] =|\.\s|\.$|$)")


def _rule_doc(op):
    """The first paragraph of the nearest docstring in `op`'s classes that states a rule."""
    for cls in type(op).__mro__:
        doc = (cls.__dict__.get("__doc__") or "").strip()
        first = " ".join(doc.split("\n\n")[0].split())
        if ";" in first:
            return first
    return ""


def rule_texts(op, n_parents):
    """`(expression, [rule text per parent])` for the operation `op`, from its docstring.

    The docstring's first paragraph reads "expression;  d/da = ..., d/db = ...": the
    inputs are a, b, ... in order, or the variables of the d/dx in the order given.

    >>> from autograd_lite.scalar_ops import Mul
    >>> rule_texts(Mul(), 2)
    ('a * b', ['d(a * b)/da = b', 'd(a * b)/db = a'])
    """
    expr, _, rest = _rule_doc(op).partition(";")
    expr, rest = expr.split(" = ")[0].strip(), rest.strip()  # "sigmoid(a) = 1 / ...": sigmoid(a)
    if not rest:
        return op.name, [f"the rule of '{op.name}'"] * n_parents
    found = _DERIVATIVE.findall(rest)
    names = [var for var, _ in found]
    if not all(_var(i) in names for i in range(min(n_parents, len(names)))):
        names = names + [_var(i) for i in range(len(names), n_parents)]  # x, w, b, ...
    else:
        names = [_var(i) for i in range(n_parents)]
    found = dict(found)
    texts = []
    for var in names[:n_parents]:
        if var in found:
            deriv = found[var]
            if re.search(r"\bg\b", deriv):  # written as the gradient it sends (matmul)
                texts.append(f"sends {deriv} to {var}  (g: the upstream gradient)")
            else:
                texts.append(f"d({expr})/d{var} = {deriv}")
        else:
            texts.append(rest.rstrip("."))
    return expr, texts


# ----- recording -----


class _Recorder:
    """The observer the driver calls after each rule: keeps (node, g, grads sent)."""

    def __init__(self):
        self.visits = {}

    def __call__(self, node, g, pgrads):
        self.visits[node] = (g, tuple(pgrads))


def _seed(root):
    data = root.data
    if isinstance(data, np.ndarray):
        if data.size != 1:
            raise ValueError(
                f"step_through: root must be a single number such as a loss, but it has shape "
                f"{data.shape}; reduce it first, e.g. step_through(y.sum())")
        return np.ones(data.shape, data.dtype)
    return 1.0


def _local_derivatives(op, node, parents):
    """d(node)/d(parent) per parent, from the operation's own rule run on a gradient of 1.

    Only where that is one number per element: scalars, and elementwise tensor operations
    whose inputs have the output's shape. None elsewhere (matmul, sums, reshapes, ...).
    """
    out = node.data
    if isinstance(out, np.ndarray):
        elementwise = any(cls.__module__.endswith((".elementwise", ".activations"))
                          for cls in type(op).__mro__) and op.name not in (
            "softmax", "log_softmax", "cast")
        if not elementwise:
            return [None] * len(parents)
        one = np.ones_like(out)
    else:
        one = 1.0
    try:
        local = op.vjp(one, out, [p.data for p in parents])
    except Exception:  # noqa: BLE001 - an illustration only; the recorded numbers stand
        return [None] * len(parents)
    # One number per element only where the input has the output's shape (no broadcast).
    return [loc if p.requires_grad and np.shape(p.data) == np.shape(out) else None
            for loc, p in zip(local, parents)]


def _name(node):
    """How the page names a node: its label, else its operation, else leaf/constant."""
    if node.label:
        return str(node.label)
    op = _op(node)
    if op is not None:
        return op.name
    return "leaf" if node.requires_grad else "constant"


def record(root, forward=True, max_elements=6):
    """Run one backward pass from `root` with the driver's hook and return the steps.

    Returns `(ids, steps)`: `ids` maps each node to its id in `draw_graph`'s drawing (n0,
    n1, ...), `steps` is the list of steps the page shows, as JSON-ready dicts.
    """
    if not isinstance(root, Node):
        raise TypeError(f"step_through: root must be a Value or a Tensor, got "
                        f"{type(root).__name__}")
    if not root.requires_grad:
        raise ValueError("step_through: root does not require grad, so there is no backward "
                         "pass to show; make its inputs with requires_grad=True")
    nodes, edges = walk(root)  # root first: the order of draw_graph's ids
    ids = {node: f"n{i}" for i, node in enumerate(nodes)}
    parents = {}
    for parent, child in edges:  # each node's inputs, in argument order
        parents.setdefault(child, []).append(parent)
    order = topological_order(root, requiring_grad=True)  # what the driver walks
    recorder = _Recorder()
    try:
        found = engine.backward(root, _seed(root), retain_graph=True, inputs=order,
                                _trace=recorder)
    except engine.GraphReleasedError as err:
        raise engine.GraphReleasedError(
            f"step_through: {err}. Call step_through(loss) before loss.backward(), or call "
            "loss.backward(retain_graph=True)") from None
    grads = dict(zip(order, found))

    def show(x):
        return {"text": number_text(x, max_elements), "exact": exact_text(x)}

    steps = [{"phase": "start", "node": None,
              "title": "Press next (→) to start" + (" the forward pass" if forward else
                                                    " the backward pass")}]
    if forward:
        steps += _forward_steps(nodes[::-1], ids, parents, show)
    steps += _backward_steps(order, ids, parents, grads, recorder.visits, show, max_elements)
    steps.append({"phase": "end", "node": None,
                  "title": "Done: every gradient dL/dnode has been computed"})
    return ids, steps


def _forward_steps(order, ids, parents_of, show):
    steps = []
    for node in order:
        op, name = _op(node), _name(node)
        if op is None:
            kind = "a parameter or input (requires grad)" if node.requires_grad else \
                "a constant (no gradient)"
            steps.append({"phase": "forward", "node": ids[node], "title": f"{name}: {kind}",
                          "value": show(node)})
            continue
        parents = parents_of[node]
        expr, _ = rule_texts(op, len(parents))
        inputs = [{"var": _var(i), "node": ids[p],
                   "name": _name(p), "value": show(p)} for i, p in enumerate(parents)]
        steps.append({"phase": "forward", "node": ids[node],
                      "title": f"{name} = {expr}" if node.label else f"computing {expr}",
                      "op": op.name, "inputs": inputs, "value": show(node)})
    return steps


def _backward_steps(order, ids, parents_of, grads, visits, show, max_elements):
    # The running sum at each node, in the order the driver adds the contributions.
    sums, received, expected = {}, {}, {}
    for node in order:
        for p, gp in zip(parents_of.get(node, ()), visits.get(node, (None, ()))[1]):
            if gp is not None and p.requires_grad:
                expected[p] = expected.get(p, 0) + 1
    steps = []
    for node in reversed(order):  # exactly the driver's loop
        g = grads.get(node)
        if g is None:
            continue
        contributions = received.get(node, [])
        step = {"phase": "backward", "node": ids[node], "name": _name(node),
                "upstream": show(g), "from": contributions}
        if node is order[-1]:
            step["from"] = ["the seed: dL/dL = 1"]
        op = _op(node)
        if node not in visits:  # a leaf: the driver stores the gradient
            step["title"] = f"{_name(node)} is a leaf: its gradient is stored in .grad"
            step["leaf"] = True
            steps.append(step)
            continue
        parents = parents_of[node]
        pgrads = visits[node][1]
        expr, rules = rule_texts(op, len(parents))
        local = _local_derivatives(op, node, parents)
        sends = []
        for i, (p, gp) in enumerate(zip(parents, pgrads)):
            if gp is None or not p.requires_grad:
                continue
            total = gp if p not in sums else sums[p] + gp  # the driver's `old + gp`
            sums[p] = total
            received.setdefault(p, []).append(
                f"{number_text(gp, max_elements)} from {_name(node)}")
            count = len(received[p])
            send = {"to": ids[p], "to_name": _name(p), "var": _var(i),
                    "rule": rules[i], "product": show(gp), "sum": show(total),
                    "count": count, "of": expected[p]}
            if local[i] is not None:
                send["local"] = show(local[i])
            out_shape, in_shape = np.shape(node.data), np.shape(p.data)
            if out_shape != in_shape:
                send["note"] = (f"the rule's result, summed or reshaped back to {_name(p)}'s "
                                f"shape {in_shape}")
            sends.append(send)
        step.update({"title": f"backward through {op.name}" +
                     (f" ({_name(node)})" if node.label else ""),
                     "op": op.name, "expr": expr, "sends": sends})
        steps.append(step)
    return steps


# ----- the page -----


def _svg(root, show_data, max_elements):
    """The Graphviz drawing as inline SVG; its ids start with the placeholder `PLAYER_ID-`."""
    from .viz import draw_graph

    graph = draw_graph(root, show_data=show_data, show_grad=False,
                       max_elements=max_elements, max_nodes=None)
    graph.attr(pad="0.35", nodesep="0.45")  # room for the gradient written under each node
    svg = graph.pipe(format="svg").decode("utf-8")
    svg = svg[svg.index("<svg"):]
    return re.sub(r'\bid="', 'id="PLAYER_ID-', svg)  # two players on a page must not clash


def build(root, forward=True, show_data=True, max_elements=6):
    """Record the pass and draw the graph now: `(steps, svg)` for `fragment`."""
    _, steps = record(root, forward=forward, max_elements=max_elements)
    return steps, _svg(root, show_data, max_elements)


def fragment(built, uid, standalone=False):
    """The player as one `<div>`: drawing, controls, panel, data and script, all inline.

    Every id and CSS rule starts with `uid`, so several players can share a page.
    """
    steps, svg = built
    data = json.dumps({"steps": steps, "standalone": standalone}, ensure_ascii=False)
    data = data.replace("</", "<\\/")  # safe inside <script>
    css = (_ASSETS / "player.css").read_text(encoding="utf-8")
    script = (_ASSETS / "player.js").read_text(encoding="utf-8")
    text = f"""<div class="agl-player" id="PLAYER_ID" tabindex="0" data-step="0"
 data-phase="start" data-node="" data-steps="{len(steps)}">
<style>{css}</style>
<div class="agl-bar">
<button type="button" id="PLAYER_ID-reset" data-role="reset" title="back to the start (Home)">« reset</button>
<button type="button" id="PLAYER_ID-prev" data-role="prev" title="previous step (←)">◀ previous</button>
<button type="button" id="PLAYER_ID-play" data-role="play" title="play / pause (space)">▶ play</button>
<button type="button" id="PLAYER_ID-next" data-role="next" title="next step (→)">next ▶</button>
<span class="agl-counter" id="PLAYER_ID-counter" data-role="counter"></span>
<span class="agl-keys">keys: ← → space</span>
</div>
<div class="agl-graph" id="PLAYER_ID-graph" data-role="graph">{svg}</div>
<div class="agl-panel" id="PLAYER_ID-panel" data-role="panel" aria-live="polite"></div>
<script type="application/json" id="PLAYER_ID-data">{data}</script>
<script>{script}</script>
</div>"""
    return text.replace("PLAYER_ID", uid)


_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'")


def page(built, title="Backpropagation, step by step"):
    """The player as a complete HTML page that makes no request (a strict CSP says so too)."""
    body = fragment(built, "agl-player", standalone=True)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>body {{ font-family: system-ui, sans-serif; margin: 0.6em; }}</style>
</head>
<body>
{body}
</body>
</html>
"""


class StepThrough:
    """A recorded backward pass that Jupyter shows inline (`_repr_html_`).

    `save(path)` writes the same player as a self-contained page; `steps` is the recording.
    """

    def __init__(self, root, forward=True, show_data=True, max_elements=6):
        self._built = build(root, forward=forward, show_data=show_data,
                            max_elements=max_elements)

    @property
    def steps(self):
        return self._built[0]

    def _repr_html_(self):
        # A fresh id per display: the same player shown twice on a page must not clash.
        return fragment(self._built, f"agl-{next(_COUNTER)}-{id(self) % 65536:x}")

    def save(self, path):
        """Write the self-contained page to `path` (an .html file) and return its Path."""
        return write(self._built, path)


def write(built, path):
    path = pathlib.Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"step_through: the player is an HTML page, so the file name must end "
                         f"in .html, got {path.name!r}")
    text = page(built)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
