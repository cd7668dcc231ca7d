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

__all__ = ["GraphvizNotFoundError", "draw_graph", "render_graph", "retain_grads"]

INSTALL_PACKAGE_HINT = 'pip install "autograd-lite[viz]"  (or: pip install graphviz)'
INSTALL_DOT_HINT = ("install the Graphviz programs: Debian/Ubuntu `sudo apt-get install "
                    "graphviz`, macOS `brew install graphviz`, Windows `winget install "
                    "graphviz` (or `choco install graphviz`); then check that `dot -V` works")

FORMATS = ("svg", "png", "pdf")
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
    >>> os.path.exists(path.replace(".svg", ".dot"))    # the DOT source is written first
    True
    """


def draw_graph(root, rankdir="LR", show_data=True, show_grad=True, title=None,
               max_elements=8, max_nodes=500):
    """Return a `graphviz.Digraph` of the graph that computed `root` (a `Value` or `Tensor`).

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

    `format` is "svg", "png" or "pdf"; by default it is taken from the suffix of `path`,
    else "svg" (and the suffix is added). The DOT source is always written next to the
    picture (`path` with the suffix `.dot`) first, so if the `dot` program is missing
    (`GraphvizNotFoundError`) nothing is lost. Returns the path of the picture.

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
    if format is None:
        format = suffix if suffix in FORMATS else "svg"
    if format not in FORMATS:
        raise ValueError(f"render_graph: format must be one of {FORMATS}, got {format!r}")
    if suffix in FORMATS and suffix != format:
        raise ValueError(f"render_graph: the file name {path.name!r} does not match "
                         f"format={format!r}")
    if suffix != format:
        path = path.with_name(f"{path.name}.{format}")
    source = path.with_suffix(".dot")
    path.parent.mkdir(parents=True, exist_ok=True)
    graph = draw_graph(root, **opts)
    graph.render(filename=str(source), outfile=str(path), format=format)
    return path


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
        grad = Node.grad.__get__(node)  # what is stored, without Tensor.grad's explanations
        if isinstance(grad, Node):  # gradients recorded with create_graph=True
            grad = grad.data
        text = "—" if grad is None else _values(grad, max_elements)
        lines.append(_escape("grad: ") + text)
    return "<" + "<br/>".join(lines) + ">"


def _values(x, max_elements):
    """Escaped text for a float or an array: in full when small, else summarised."""
    if not isinstance(x, np.ndarray):
        return _escape(_number(x))
    if x.ndim == 0:
        return _escape(_number(x.item()))
    if x.size <= max_elements:
        text = np.array2string(x, separator=", ", threshold=max(x.size, 1),
                               formatter={"float_kind": _number, "complex_kind": _number})
        return "<br/>".join(_escape(line) for line in text.splitlines())
    numeric = x.astype(np.float64) if x.dtype.kind == "b" else x
    with np.errstate(all="ignore"):
        stats = (f"min {_number(numeric.min())}  mean {_number(numeric.mean())}  "
                 f"max {_number(numeric.max())}")
    lead = ", ".join(_number(v) for v in x.flat[:min(_PREVIEW, max_elements)])
    first = f"[{lead}, …]" if lead else "[…]"
    return _escape(stats) + "<br/>" + _escape(first)


def _number(v):
    return format(v, ".4g") if not isinstance(v, (bool, np.bool_)) else str(bool(v))


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

    _DIGRAPH = Digraph
    return Digraph
