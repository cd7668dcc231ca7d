"""Draw the computation graph of a `Value` or a `Tensor` with Graphviz.

`draw_graph(root)` returns a `graphviz.Digraph` with one box per node of the graph
(`engine.walk(root)`) and one arrow per use of a node (so `a * a` has two arrows from `a`).
Each box says which operation made the node, the user's label, the value and the gradient:

- blue box: a leaf that requires grad (an input or a parameter);
- grey dashed box: a constant (a leaf that does not require grad), with dashed arrows;
- yellow rounded box: the result of an operation, headed by the operation's name;
- the root has a thick border.

Making the DOT source needs only the `graphviz` Python package (the `viz` extra);
turning it into an SVG or PNG (`render_graph`, or `.render()` on the returned graph) runs
the Graphviz `dot` program, which is installed separately (see `GraphvizNotFoundError`).

>>> from autograd_lite import Value, draw_graph
>>> x = Value(2.0, label="x")
>>> y = (x * x).tanh()
>>> y.backward()
>>> g = draw_graph(y)
>>> print(g.source.count(" -> "))   # x -> mul twice, mul -> tanh
3
"""

import html
import os
import pathlib
import warnings

import numpy as np

from .engine import Node, walk

__all__ = ["GraphvizNotFoundError", "draw_graph", "render_graph", "retain_grads", "step_through"]

INSTALL_PACKAGE_HINT = 'pip install "autograd-lite[viz]"  (or: pip install graphviz)'
INSTALL_DOT_HINT = ("install the Graphviz programs: Debian/Ubuntu `sudo apt-get install "
                    "graphviz`, macOS `brew install graphviz`, Windows `winget install "
                    "graphviz` (or `choco install graphviz`); then check that `dot -V` works")

FORMATS = ("svg", "png", "pdf", "jpg", "jpeg")  # what render_graph and --graph write
RANKDIRS = ("LR", "TB", "RL", "BT")
_PREVIEW = 3  # how many leading elements a summarised tensor shows

# Node styles: leaves that require grad, constants, operation results, the cut-off note.
_STYLE_PARAM = {"shape": "box", "style": "filled", "fillcolor": "#d6e6ff",
                "color": "#2b5ea7"}
_STYLE_CONST = {"shape": "box", "style": "filled,dashed", "fillcolor": "#f0f0f0",
                "color": "#8c8c8c", "fontcolor": "#505050"}
_STYLE_OP = {"shape": "box", "style": "filled,rounded", "fillcolor": "#fff3c4",
             "color": "#a67c00"}
_STYLE_NOTE = {"shape": "note", "style": "filled", "fillcolor": "#ffe0e0",
               "color": "#b03030"}


class GraphvizNotFoundError(RuntimeError):
    """The Graphviz `dot` program is not installed (or not on PATH); the DOT source was saved.

    The message says where the source file is and how to install Graphviz.

    >>> import os, tempfile
    >>> from autograd_lite import GraphvizNotFoundError, Value, render_graph
    >>> path = os.path.join(tempfile.mkdtemp(), "x.svg")
    >>> try:                                 # works with or without the dot program
    ...     _ = render_graph(Value(1.0, label="x"), path)
    ... except GraphvizNotFoundError as err:
    ...     message = str(err)               # where x.dot is, how to install Graphviz
    >>> os.path.exists(path) or os.path.exists(path.replace(".svg", ".dot"))  # one of them
    True
    """


def draw_graph(root, rankdir="LR", show_data=True, show_grad=True, title=None,
               max_elements=8, max_nodes=500):
    """Return a `graphviz.Digraph` of the graph that computed `root` (a `Value` or `Tensor`).

    In Jupyter the result shows inline as SVG, in a box that scrolls when the graph is
    wide; `root.draw()` is a shorthand. `.source` is the DOT text, `.render()` and
    `.pipe()` run Graphviz's `dot`.

    Parameters
    ----------
    root : Value or Tensor
        The output to draw; works before and after `backward()`.
    rankdir : {"LR", "TB", "RL", "BT"}
        Direction of the arrows: left to right (default) or top to bottom, ...
    show_data, show_grad : bool
        Print each node's value / gradient. A Tensor that stores no gradient (an interior
        tensor whose gradient was not retained, see `retain_grads`) shows "grad: —".
    title : str or None
        A caption at the top of the drawing.
    max_elements : int
        Tensors with at most this many elements are printed in full; larger ones as
        min/mean/max and their first few elements.
    max_nodes : int or None
        Draw at most this many nodes, those met first when walking from the root; a note
        box (and a warning) says how many nodes and arrows were left out. None: no limit.

    >>> from autograd_lite import Tensor, draw_graph
    >>> w = Tensor([[1.0, 2.0]], requires_grad=True, label="w")
    >>> g = draw_graph((w * 3).sum(axis=1), rankdir="TB", title="demo")
    >>> "sum(axis=1)" in g.source and "(1, 2)" in g.source
    True
    """
    if not isinstance(root, Node):
        raise TypeError(f"draw_graph: root must be a Value or a Tensor, got "
                        f"{type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {RANKDIRS}, got {rankdir!r}")
    if not isinstance(max_elements, int) or max_elements < 0:
        raise ValueError(f"draw_graph: max_elements must be an integer >= 0, got "
                         f"{max_elements!r}")
    if max_nodes is not None and (not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"draw_graph: max_nodes must be an integer >= 1 or None, got "
                         f"{max_nodes!r}")

    graph = _digraph_class()(graph_attr={"rankdir": rankdir},
                             node_attr={"fontname": "Helvetica", "fontsize": "11"},
                             edge_attr={"color": "#555555", "arrowsize": "0.7"})
    if title:
        graph.attr(label=f"<<b>{_escape(title)}</b>>", labelloc="t", fontname="Helvetica")

    nodes, edges = walk(root)
    kept = nodes if max_nodes is None else nodes[:max_nodes]
    ids = {node: f"n{i}" for i, node in enumerate(kept)}

    # Nodes in walk order and each operation's inputs in argument order: with these,
    # dot stacks an operation's inputs in the order they were written (x1 above w1).
    for node in kept:
        style = dict(_STYLE_OP if node._ctx is not None
                     else _STYLE_PARAM if node.requires_grad else _STYLE_CONST)
        if node is root:
            style["penwidth"] = "2.5"
        graph.node(ids[node], _label(node, show_data, show_grad, max_elements), **style)
    cut_edges = 0
    for parent, child in reversed(edges):
        if parent in ids and child in ids:
            dashed = {} if parent.requires_grad else {"style": "dashed"}
            graph.edge(ids[parent], ids[child], **dashed)
        else:
            cut_edges += 1

    cut_nodes = len(nodes) - len(kept)
    if cut_nodes:
        message = (f"{cut_nodes} of {len(nodes)} nodes and {cut_edges} of {len(edges)} "
                   f"edges not drawn (max_nodes={max_nodes})")
        graph.node("truncated", f"<{_escape(message)}>", **_STYLE_NOTE)
        warnings.warn(f"draw_graph: {message}; pass a larger max_nodes (or None) to draw "
                      "them all", stacklevel=2)
    return graph


def render_graph(root, path, format=None, **opts):
    """Draw `root` (see `draw_graph`, which takes `opts`) and write it to the file `path`.

    The format follows the suffix of `path`: .svg, .png, .pdf, .jpg (or .jpeg), or .dot for
    the Graphviz source alone (no `dot` program needed). A name without a suffix gets
    `format` (default "svg") added; any other suffix is refused with a ValueError unless
    `format` is given, in which case the format's suffix is added. Only the picture is
    written; if the `dot` program is missing, the DOT source is saved instead (`path` with
    the suffix `.dot`) and `GraphvizNotFoundError` says where. Returns the path written.

    >>> from autograd_lite import Value, render_graph
    >>> x = Value(2.0, label="x")
    >>> y = (x * x).tanh()
    >>> y.backward()
    >>> render_graph(y, "graph.svg")  # doctest: +SKIP
    PosixPath('graph.svg')
    """
    if not isinstance(root, Node):
        raise TypeError(f"render_graph: root must be a Value or a Tensor, got "
                        f"{type(root).__name__}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"render_graph: path must be a file name such as 'graph.svg' (a str "
                        f"or a pathlib.Path), got {path!r}")
    path = pathlib.Path(path)
    suffix = path.suffix.lower().lstrip(".")
    known = FORMATS + ("dot",)
    if format is not None and format not in known:
        raise ValueError(f"render_graph: format must be one of {known}, got {format!r}")
    if suffix in known:
        if format is not None and _same_format(suffix) != _same_format(format):
            raise ValueError(f"render_graph: the file name {path.name!r} does not match "
                             f"format={format!r}")
        format = suffix
    elif suffix and format is None:
        raise ValueError(f"render_graph: cannot tell the picture format from {path.name!r}; "
                         f"use a name ending in {', '.join('.' + f for f in known)} (or pass "
                         "format=)")
    else:
        format = format or "svg"
        path = path.with_name(f"{path.name}.{format}")
    path.parent.mkdir(parents=True, exist_ok=True)
    graph = draw_graph(root, **opts)
    if format == "dot":
        path.write_text(graph.source, encoding="utf-8")
        return path
    try:
        picture = graph.pipe(format=format)
    except GraphvizNotFoundError as err:
        source = path.with_suffix(".dot")
        source.write_text(graph.source, encoding="utf-8")
        raise type(err)(f"the Graphviz program `dot` was not found, so no picture was made; "
                        f"the DOT source was written to {source}. To draw pictures, "
                        f"{INSTALL_DOT_HINT}.") from None
    except Exception as err:  # this Graphviz may lack a format's plugin (jpg without gd)
        stderr = getattr(err, "stderr", b"") or b""
        if b"not recognized" not in stderr and "not recognized" not in str(stderr):
            raise
        raise ValueError(f"render_graph: this Graphviz installation cannot write "
                         f"{format!r} files; use a name ending in .svg, .png or .pdf") from None
    path.write_bytes(picture)
    return path


def _same_format(name):
    return "jpg" if name == "jpeg" else name


def retain_grads(root):
    """Make every interior node of `root`'s graph keep its gradient; call before backward.

    Tensors computed inside the graph store `.grad` only after `retain_grad()` (to save
    memory); call this to see their gradients in `draw_graph`. Values always keep them.
    Returns `root`.

    >>> from autograd_lite import Tensor, draw_graph, retain_grads
    >>> w = Tensor([1.0, -2.0], requires_grad=True)
    >>> h = w.relu()
    >>> loss = retain_grads((h * h).sum())
    >>> loss.backward()
    >>> h.grad.tolist()  # d loss / dh = 2h
    [2.0, 0.0]
    """
    if not isinstance(root, Node):
        raise TypeError(f"retain_grads: root must be a Value or a Tensor, got "
                        f"{type(root).__name__}")
    nodes, _ = walk(root)
    for node in nodes:
        if node._ctx is not None and node.requires_grad:
            node.retain_grad()
    return root


def step_through(root, path=None, *, forward=True, show_data=True, max_elements=6):
    """Watch backpropagation one step at a time: a player page for the graph of `root`.

    Runs one real backward pass from `root` (a scalar `Value`, or a one-element `Tensor`
    such as a loss) through the engine's driver and records, at each node, the upstream
    gradient, the local derivative, the product sent to each input and the running sum at
    an input used several times. Nothing is stored in any `.grad` and the graph is kept,
    so call it before `loss.backward()` (a released graph raises `GraphReleasedError`).

    The player shows the drawing (`draw_graph`), optionally the forward pass node by node
    (`forward`), then the backward pass in the order the driver ran it, with next,
    previous, play/pause and reset buttons and the keys ← → space. `show_data` prints the
    values in the drawing; tensors with more than `max_elements` elements are summarised.

    With `path` (an .html file), writes one self-contained page that works offline (the
    SVG and the script are inline; it makes no network request) and returns its Path.
    Without, returns an object that Jupyter shows inline. Needs Graphviz (the `viz` extra
    and the `dot` program).

    >>> from autograd_lite import Value
    >>> from autograd_lite.viz import step_through
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> player = step_through(a * b + a)     # doctest: +SKIP
    >>> step_through(a * b + a, "ab.html")   # doctest: +SKIP
    PosixPath('ab.html')
    """
    from . import stepper

    if not isinstance(max_elements, int) or isinstance(max_elements, bool) or max_elements < 0:
        raise ValueError(f"step_through: max_elements must be an integer >= 0, got "
                         f"{max_elements!r}")
    player = stepper.StepThrough(root, forward=forward, show_data=show_data,
                                 max_elements=max_elements)
    return player if path is None else player.save(path)


# ----- labels -----


def _label(node, show_data, show_grad, max_elements):
    """The HTML-like Graphviz label of one node: header, then shape, data and grad lines."""
    ctx, name = node._ctx, _escape(node.label) if node.label else ""
    if ctx is not None:
        op = f"<b>{_escape(ctx.name)}</b>"
        lines = [f"{name} = {op}" if name else op]
    else:
        lines = [f"<b>{name}</b>" if name else ("leaf" if node.requires_grad else "constant")]
    data = node.data
    is_array = isinstance(data, np.ndarray)
    if is_array:
        lines.append(_escape(f"{data.shape} {data.dtype}"))
    if show_data:
        lines.append(_escape("data: ") + _values(data, max_elements))
    if show_grad and node.requires_grad:
        # what is stored, without the explanations Tensor.grad adds for the update slip
        grad = node._grad if hasattr(type(node), "_grad") else node.grad
        if isinstance(grad, Node):  # gradients recorded with create_graph=True
            grad = grad.data
        text = "—" if grad is None else _values(grad, max_elements)
        lines.append(_escape("grad: ") + text)
    return "<" + "<br/>".join(lines) + ">"


def _values(x, max_elements):
    """Escaped text for a float or an array: in full when small, else summarised."""
    return "<br/>".join(_escape(line) for line in _value_lines(x, max_elements))


def _value_lines(x, max_elements, digits=".4g"):
    """Lines of text for a float or an array: in full when it has at most `max_elements`
    elements, else min/mean/max and the first few elements (also used by step_through)."""
    def number(v):
        return _number(v, digits)

    if not isinstance(x, np.ndarray):
        return [number(x)]
    if x.ndim == 0:
        return [number(x.item())]
    if x.size <= max_elements:
        text = np.array2string(x, separator=", ", threshold=max(x.size, 1),
                               formatter={"float_kind": number, "complex_kind": number})
        return text.splitlines()
    numeric = x.astype(np.float64) if x.dtype.kind == "b" else x
    with np.errstate(all="ignore"):
        stats = (f"min {number(numeric.min())}  mean {number(numeric.mean())}  "
                 f"max {number(numeric.max())}")
    lead = ", ".join(number(v) for v in x.flat[:min(_PREVIEW, max_elements)])
    return [stats, f"[{lead}, …]" if lead else "[…]"]


def _number(v, digits=".4g"):
    return format(v, digits) if not isinstance(v, (bool, np.bool_)) else str(bool(v))


def _escape(text):
    """Escape text for an HTML-like label: `&`, `<`, `>` only (quotes are plain there)."""
    return html.escape(str(text), quote=False).replace("\n", "<br/>")


# ----- graphviz, imported lazily -----

_DIGRAPH = None


def _digraph_class():
    """A `graphviz.Digraph` whose `render`/`pipe` explain how to install a missing `dot`."""
    global _DIGRAPH
    if _DIGRAPH is not None:
        return _DIGRAPH
    try:
        import graphviz
    except ImportError:
        raise ImportError("draw_graph needs the graphviz Python package: "
                          f"{INSTALL_PACKAGE_HINT}") from None

    class NotFound(GraphvizNotFoundError, graphviz.ExecutableNotFound):
        # Also the graphviz package's own error, so `except graphviz.ExecutableNotFound`
        # keeps working on our graphs; shown under the public name in tracebacks.
        __init__ = RuntimeError.__init__

    NotFound.__name__ = NotFound.__qualname__ = "GraphvizNotFoundError"

    class Digraph(graphviz.Digraph):
        """`graphviz.Digraph` that raises `GraphvizNotFoundError` when `dot` is missing."""

        def render(self, *args, **kwargs):
            try:
                return super().render(*args, **kwargs)
            except graphviz.ExecutableNotFound:
                raise NotFound(
                    f"the Graphviz program `dot` was not found, so no picture was made; the "
                    f"DOT source was written to {self.filepath}. To draw pictures, "
                    f"{INSTALL_DOT_HINT}.") from None

        def pipe(self, *args, **kwargs):
            try:
                return super().pipe(*args, **kwargs)
            except graphviz.ExecutableNotFound:
                raise NotFound(
                    "the Graphviz program `dot` was not found, so no picture was made (the "
                    f"DOT source is in `.source`). To draw pictures, {INSTALL_DOT_HINT}."
                ) from None

        def _repr_html_(self):
            """The SVG drawing in a box that scrolls when the graph is wider than the page."""
            return _scrolling(self.pipe(format="svg", encoding="utf-8"))

        def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
            # Jupyter (and notebook exports) pick text/html first: the SVG, scrollable.
            bundle = super()._repr_mimebundle_(include, exclude, **kwargs)
            if (include is None or "text/html" in include) and not (
                    exclude and "text/html" in exclude):
                svg = bundle.get("image/svg+xml") or self.pipe(format="svg", encoding="utf-8")
                bundle["text/html"] = _scrolling(svg)
            return bundle

    _DIGRAPH = Digraph
    return Digraph


def _scrolling(svg):
    """Inline SVG at its natural size inside a box that scrolls sideways when it is wide."""
    svg = svg[svg.find("<svg"):] if "<svg" in svg else svg
    return ('<div class="autograd-lite-graph" style="overflow:auto; max-width:100%; '
            'max-height:80vh"><div style="width:max-content">' + svg + "</div></div>")
