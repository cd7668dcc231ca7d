"""draw_graph / render_graph: the DOT source has exactly the graph's nodes and edges, the
labels say op, label, shape, value and grad, and `dot` turns it into valid SVG and PNG."""

import doctest
import html
import math
import re
import shutil
import struct
import warnings
import xml.etree.ElementTree as ET
import zlib

import numpy as np
import pytest

graphviz = pytest.importorskip("graphviz", reason="the viz extra: pip install graphviz")

import autograd_lite
from autograd_lite import (
    GraphvizNotFoundError,
    Tensor,
    Value,
    draw_graph,
    render_graph,
    retain_grads,
    viz,
)

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="the Graphviz `dot` program is not installed (Debian/Ubuntu: apt-get install graphviz)")

SVG_NS = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# ----- reading the DOT source back -----

NODE_LINE = re.compile(r"^\t(\w+) \[label=<(.*)>(?: ([^>]*))?\]$")
EDGE_LINE = re.compile(r"^\t(\w+) -> (\w+)(?: \[(.*)\])?$")


def parse(graph):
    """(nodes, edges) of a Digraph's source: {id: (label text, attrs)}, [(src, dst, attrs)]."""
    nodes, edges = {}, []
    for line in graph.source.splitlines():
        if m := EDGE_LINE.match(line):
            edges.append((m[1], m[2], m[3] or ""))
        elif m := NODE_LINE.match(line):
            nodes[m[1]] = (text_of(m[2]), m[3] or "")
    return nodes, edges


def text_of(label):
    """The text a reader sees in an HTML-like label: lines joined by newlines, no tags."""
    return html.unescape(re.sub(r"<[^>]+>", "", label.replace("<br/>", "\n")))


def header(text):
    return text.splitlines()[0]


def edges_by_header(graph):
    """Edges as sorted (parent header, child header) pairs: labels instead of node ids."""
    nodes, edges = parse(graph)
    return sorted((header(nodes[a][0]), header(nodes[b][0])) for a, b, _ in edges)


def find(nodes, head):
    """The label text of the one node whose first line is `head`."""
    hits = [text for text, _ in nodes.values() if header(text) == head]
    assert len(hits) == 1, (head, [header(t) for t, _ in nodes.values()])
    return hits[0]


def style_of(attrs):
    return tuple(sorted(a for a in attrs.split() if not a.startswith("penwidth")))


# ----- scalar graphs -----


def test_a_times_b_plus_c_has_five_nodes_four_edges_with_values_and_grads():
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    ab = a * b
    ab.label = "ab"
    out = ab + c
    out.label = "out"
    out.backward()
    g = draw_graph(out)
    nodes, edges = parse(g)
    assert len(nodes) == 5 and len(edges) == 4
    assert edges_by_header(g) == sorted([("a", "ab = *"), ("b", "ab = *"),
                                         ("ab = *", "out = +"), ("c", "out = +")])
    # out = 2 * -3 + 10 = 4; d out/da = b = -3, d out/db = a = 2, d out/dc = 1.
    assert find(nodes, "out = +").splitlines()[1:] == ["data: 4", "grad: 1"]
    assert find(nodes, "ab = *").splitlines()[1:] == ["data: -6", "grad: 1"]
    assert find(nodes, "a").splitlines()[1:] == ["data: 2", "grad: -3"]
    assert find(nodes, "b").splitlines()[1:] == ["data: -3", "grad: 2"]
    assert find(nodes, "c").splitlines()[1:] == ["data: 10", "grad: 1"]


def test_a_times_a_draws_two_edges_from_a():
    a = Value(3.0, label="a")
    sq = a * a
    sq.backward()
    g = draw_graph(sq)
    nodes, edges = parse(g)
    assert len(nodes) == 2 and len(edges) == 2
    assert edges_by_header(g) == [("a", "*"), ("a", "*")]
    assert find(nodes, "a").splitlines()[1:] == ["data: 3", "grad: 6"]


def tanh_neuron():
    """o = tanh(x1*w1 + x2*w2 + b): 5 leaves and 5 operations (x1*w1, x2*w2, +, +b, tanh)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def test_tanh_neuron_counts_and_gradients():
    o = tanh_neuron()
    o.backward()
    g = draw_graph(o)
    nodes, edges = parse(g)
    assert len(nodes) == 10 and len(edges) == 9
    ops = sorted(header(t) for t, _ in nodes.values() if "=" in header(t) or
                 header(t) in ("*", "+"))
    assert ops == ["*", "*", "+", "n = +", "o = tanh"]
    n = 2.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432
    dn = 1 - math.tanh(n) ** 2
    assert find(nodes, "o = tanh").splitlines()[1] == f"data: {math.tanh(n):.4g}"
    assert find(nodes, "n = +").splitlines()[2] == f"grad: {dn:.4g}"
    assert find(nodes, "x1").splitlines()[2] == f"grad: {dn * -3.0:.4g}"  # dn * w1
    assert find(nodes, "w2").splitlines()[2] == f"grad: {dn * 0.0:.4g}"  # dn * x2


def test_constants_leaves_and_results_look_different():
    x = Value(1.5, label="x")
    y = 3 * x  # 3 becomes a constant Value (requires_grad=False)
    z = y.tanh()
    g = draw_graph(z)
    nodes, edges = parse(g)
    styles = {header(t): style_of(attrs) for t, attrs in nodes.values()}
    assert styles["constant"] != styles["x"] != styles["*"]
    assert styles["constant"] != styles["*"]
    assert styles["*"] == styles["tanh"]
    assert "penwidth" in nodes["n0"][1]  # the root stands out
    by_head = {i: header(t) for i, (t, _) in nodes.items()}
    dashed = [(by_head[a], by_head[b]) for a, b, attrs in edges if "dashed" in attrs]
    assert dashed == [("constant", "*")]
    assert "grad" not in find(nodes, "constant")  # constants have no gradient to show


def test_tensor_constant_and_parameter_styles_match_the_value_ones():
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    g_t = parse(draw_graph((w * 2.0).relu()))[0]
    g_v = parse(draw_graph((Value(1.0, label="w") * 2.0).relu()))[0]
    for nodes in (g_t, g_v):
        kinds = {header(t).split(" ")[0]: style_of(a) for t, a in nodes.values()}
        assert len(set(kinds.values())) == 3
    assert ({style_of(a) for _, a in g_t.values()} == {style_of(a) for _, a in g_v.values()})


def test_drawing_before_backward_and_after_gives_the_same_graph():
    o = tanh_neuron()
    before = draw_graph(o, show_data=False, show_grad=False).source
    nodes, _ = parse(draw_graph(o))
    assert find(nodes, "x1").splitlines()[2] == "grad: 0"  # Values start at 0
    o.backward()  # releases the graph: parents and names must survive
    assert draw_graph(o, show_data=False, show_grad=False).source == before


def test_create_graph_gradients_are_shown_as_numbers():
    x = Value(3.0, label="x")
    y = x * x * x
    y.backward(create_graph=True)  # x.grad is a Value, 3 x^2 = 27
    nodes, _ = parse(draw_graph(y))
    assert find(nodes, "x").splitlines()[2] == "grad: 27"


def test_options_direction_title_and_hiding_data_and_grad():
    o = tanh_neuron()
    o.backward()
    g = draw_graph(o, rankdir="TB", title="my <neuron>", show_data=False, show_grad=False)
    assert "rankdir=TB" in g.source
    assert "my &lt;neuron&gt;" in g.source
    nodes, _ = parse(g)
    assert all("data" not in t and "grad" not in t for t, _ in nodes.values())
    g = draw_graph(o, show_data=True, show_grad=False)
    assert all("data: " in t and "grad" not in t for t, _ in parse(g)[0].values())
    assert "rankdir=LR" in draw_graph(o).source
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(o, rankdir="sideways")
    with pytest.raises(ValueError, match="max_elements"):
        draw_graph(o, max_elements=-1)
    with pytest.raises(ValueError, match="max_nodes"):
        draw_graph(o, max_nodes=0)
    with pytest.raises(TypeError, match="Value or a Tensor"):
        draw_graph(3.0)


def test_special_characters_in_labels_are_escaped():
    weird = 'w<1> {a|b} "q" & \\n \\l'
    w = Value(2.0, label=weird)
    y = w * w
    y.label = "</b><br/>"
    g = draw_graph(y, title='t "<x>"')
    nodes, _ = parse(g)
    assert find(nodes, weird) == f"{weird}\ndata: 2\ngrad: 0"
    assert find(nodes, "</b><br/> = *").startswith("</b><br/> = *\n")
    assert "<1>" not in g.source and "&lt;1&gt;" in g.source


# ----- tensor graphs -----


def test_tensor_linear_relu_sum_counts_shapes_and_ops():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 3)), label="x")
    W = Tensor(rng.standard_normal((3, 2)), requires_grad=True, label="W")
    b = Tensor(rng.standard_normal(2), requires_grad=True, label="b")
    loss = (x @ W + b).relu().sum()
    g = draw_graph(loss)
    nodes, edges = parse(g)
    assert len(nodes) == 7 and len(edges) == 6
    assert edges_by_header(g) == sorted([("x", "matmul"), ("W", "matmul"), ("matmul", "add"),
                                         ("b", "add"), ("add", "relu"), ("relu", "sum")])
    assert find(nodes, "matmul").splitlines()[1] == "(4, 2) float64"
    assert find(nodes, "x").splitlines()[1] == "(4, 3) float64"
    assert find(nodes, "sum").splitlines()[1] == "() float64"


def test_reduction_names_and_small_arrays_in_full():
    a = Tensor(np.array([[1.0, -2.0, 0.5], [4.0, 8.0, -0.25]], dtype=np.float32),
               requires_grad=True, label="a")
    s = a.sum(axis=1)
    total = s.mean()
    total.backward()
    nodes, _ = parse(draw_graph(total))
    text = find(nodes, "sum(axis=1)")
    assert "(2,) float32" in text
    assert "data: [-0.5, 11.75]" in text
    assert "grad: —" in text  # interior tensor without retain_grad
    leaf = find(nodes, "a")
    assert "data: [[1, -2, 0.5],\n [4, 8, -0.25]]" in leaf
    assert "grad: [[0.5, 0.5, 0.5],\n [0.5, 0.5, 0.5]]" in leaf  # d mean / d a = 1/2


def test_large_arrays_are_summarised_with_min_mean_max():
    rng = np.random.default_rng(1)
    data = rng.standard_normal((10, 7))
    a = Tensor(data, requires_grad=True, label="big")
    (a * a).sum().backward()
    nodes, _ = parse(draw_graph(a * 1.0, max_elements=8))
    lines = find(nodes, "big").splitlines()
    assert lines[1] == "(10, 7) float64"
    assert lines[2] == (f"data: min {data.min():.4g}  mean {data.mean():.4g}  "
                        f"max {data.max():.4g}")
    assert lines[3] == f"[{data.flat[0]:.4g}, {data.flat[1]:.4g}, {data.flat[2]:.4g}, …]"
    grad = 2 * data
    assert lines[4] == (f"grad: min {grad.min():.4g}  mean {grad.mean():.4g}  "
                        f"max {grad.max():.4g}")
    # a generous max_elements prints all 70 values instead
    nodes, _ = parse(draw_graph(a * 1.0, max_elements=70))
    assert f"{data[9, 6]:.4g}]]" in find(nodes, "big")


def test_retain_grads_shows_interior_tensor_gradients():
    w = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True, label="w")
    h = (w * 2.0).relu()
    loss = h.sum()
    assert retain_grads(loss) is loss
    loss.backward()
    nodes, _ = parse(draw_graph(loss))
    # d loss/d h = 1; d loss/d (2w) = 1 where 2w > 0
    assert "grad: [1, 1, 1]" in find(nodes, "relu")
    assert "grad: [1, 0, 1]" in find(nodes, "mul")
    assert "grad: [2, 0, 2]" in find(nodes, "w")
    assert "grad: 1" in find(nodes, "sum")


def mnist_mlp(batch=64):
    """A 784-128-10 MLP with softmax cross-entropy on random data; returns the loss."""
    rng = np.random.default_rng(0)
    x = Tensor(rng.random((batch, 784), dtype=np.float32), label="x")
    W1 = Tensor(rng.standard_normal((784, 128), dtype=np.float32) * 0.05,
                requires_grad=True, label="W1")
    b1 = Tensor(np.zeros(128, np.float32), requires_grad=True, label="b1")
    W2 = Tensor(rng.standard_normal((128, 10), dtype=np.float32) * 0.05,
                requires_grad=True, label="W2")
    b2 = Tensor(np.zeros(10, np.float32), requires_grad=True, label="b2")
    onehot = np.eye(10, dtype=np.float32)[rng.integers(0, 10, batch)]
    logits = (x @ W1 + b1).relu() @ W2 + b2
    loss = -(logits.log_softmax(axis=1) * onehot).sum(axis=1).mean()
    loss.label = "loss"
    return loss


def test_mnist_mlp_draws_as_a_handful_of_tensor_nodes():
    loss = mnist_mlp()
    loss.backward()
    g = draw_graph(loss)
    nodes, edges = parse(g)
    # x, W1, matmul, b1, add, relu, W2, matmul, b2, add, log_softmax, one-hot constant,
    # mul, sum(axis=1), mean, neg
    assert len(nodes) == 16 and len(edges) == 15
    heads = sorted(header(t) for t, _ in nodes.values())
    assert heads == sorted(["x", "W1", "matmul", "b1", "add", "relu", "W2", "matmul", "b2",
                            "add", "log_softmax(axis=1)", "constant", "mul", "sum(axis=1)",
                            "mean", "loss = neg"])
    assert "(64, 784) float32" in find(nodes, "x")
    assert "(784, 128) float32" in find(nodes, "W1")
    assert "(64, 10) float32" in find(nodes, "log_softmax(axis=1)")
    assert "grad: min" in find(nodes, "W1")  # a leaf parameter shows its gradient


# ----- big graphs and the max_nodes guard -----


def long_chain(n_ops):
    """A scalar chain x -> x*c + d -> ...: 1 + 4 * n_ops / 2 nodes (two constants per step)."""
    v = Value(0.5, label="x")
    for _ in range(n_ops // 2):
        v = v * 1.001 + 0.25
    return v


def test_thousands_of_scalar_nodes_are_drawn_with_a_generous_max_nodes():
    root = long_chain(1500)  # 1 + 750 * 4 = 3001 nodes, 750 * 4 = 3000 edges
    root.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = draw_graph(root, max_nodes=5000)
    nodes, edges = parse(g)
    assert len(nodes) == 3001 and len(edges) == 3000


def test_max_nodes_cuts_the_graph_and_says_so():
    root = long_chain(1500)
    with pytest.warns(UserWarning, match="2951 of 3001 nodes and 2951 of 3000 edges"):
        g = draw_graph(root, max_nodes=50)
    nodes, edges = parse(g)
    assert len(nodes) == 51  # 50 graph nodes and the note
    note = nodes.pop("truncated")[0]
    assert note == "2951 of 3001 nodes and 2951 of 3000 edges not drawn (max_nodes=50)"
    assert set(nodes) == {f"n{i}" for i in range(50)}  # those nearest the root
    assert len(edges) == 3000 - 2951
    assert all(a in nodes and b in nodes for a, b, _ in edges)


def test_default_max_nodes_keeps_huge_graphs_drawable():
    root = long_chain(1500)
    with pytest.warns(UserWarning, match="max_nodes=500"):
        g = draw_graph(root)
    assert len(parse(g)[0]) == 501


@needs_dot
def test_thousands_of_scalar_nodes_render_to_svg(tmp_path):
    root = long_chain(1500)
    root.backward()
    path = render_graph(root, tmp_path / "chain.svg", max_nodes=None, show_grad=False)
    svg = ET.parse(path).getroot()
    assert len(svg.findall(f".//{SVG_NS}g[@class='node']")) == 3001
    assert len(svg.findall(f".//{SVG_NS}g[@class='edge']")) == 3000


# ----- rendering with the dot program -----


@needs_dot
def test_svg_is_valid_xml_with_every_node_and_edge(tmp_path):
    o = tanh_neuron()
    o.backward()
    path = render_graph(o, tmp_path / "neuron.svg", title="neuron")
    assert path == tmp_path / "neuron.svg"
    svg = ET.parse(path).getroot()
    assert svg.tag == f"{SVG_NS}svg"
    assert len(svg.findall(f".//{SVG_NS}g[@class='node']")) == 10
    assert len(svg.findall(f".//{SVG_NS}g[@class='edge']")) == 9
    texts = {t.text for t in svg.iter(f"{SVG_NS}text")}
    assert {"x1", "w1", "tanh", "neuron"} <= texts
    assert not (tmp_path / "neuron.dot").exists()  # no stray DOT source next to it
    dot = render_graph(o, tmp_path / "neuron.dot", title="neuron")  # unless asked for
    assert dot.read_text() == draw_graph(o, title="neuron").source


def png_size_and_pixels(path):
    """(width, height, raw scanlines) of a PNG, checking its signature and chunk layout."""
    blob = path.read_bytes()
    assert blob[:8] == PNG_SIGNATURE
    pos, idat, ihdr = 8, b"", None
    while pos < len(blob):
        (length,) = struct.unpack(">I", blob[pos:pos + 4])
        kind, body = blob[pos + 4:pos + 8], blob[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
    assert ihdr is not None and idat
    width, height, _, _ = ihdr
    return width, height, zlib.decompress(idat)


@needs_dot
def test_png_has_the_signature_a_size_and_a_picture(tmp_path):
    loss = mnist_mlp()
    loss.backward()
    path = render_graph(loss, tmp_path / "mlp", format="png")
    assert path == tmp_path / "mlp.png"
    width, height, pixels = png_size_and_pixels(path)
    assert width > 100 and height > 20
    assert len(set(pixels)) > 2  # not a blank image


@needs_dot
def test_special_characters_survive_rendering(tmp_path):
    weird = 'w<1> {a|b} "q" & \\n'
    w = Value(2.0, label=weird)
    path = render_graph(w * w, tmp_path / "weird.svg", title="<&>")
    texts = {t.text for t in ET.parse(path).getroot().iter(f"{SVG_NS}text")}
    assert weird in texts and "<&>" in texts


@needs_dot
def test_digraph_render_and_pipe_work_directly(tmp_path):
    g = draw_graph(Value(1.0, label="x").exp())
    out = g.render(tmp_path / "direct", format="svg")
    assert ET.parse(out).getroot().tag == f"{SVG_NS}svg"
    assert g.pipe(format="png")[:8] == PNG_SIGNATURE


def test_render_graph_format_follows_the_file_name_and_checks_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no dot needed to reach the checks
    x = Value(1.0)
    with pytest.raises(ValueError, match="format"):
        render_graph(x, tmp_path / "a.svg", format="png")
    with pytest.raises(ValueError, match="format must be one of"):
        render_graph(x, tmp_path / "a", format="gif")
    with pytest.raises(ValueError, match=r"cannot tell the picture format from 'g\.gif'.*\.jpg"):
        render_graph(x, tmp_path / "g.gif")
    assert not list(tmp_path.glob("g.gif*"))
    with pytest.raises(GraphvizNotFoundError):
        render_graph(x, tmp_path / "sub" / "graph.v1", format="png")
    assert (tmp_path / "sub" / "graph.v1.dot").exists()


# ----- without dot, without graphviz -----


def test_missing_dot_gives_one_clear_error_and_keeps_the_source(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    o = tanh_neuron()
    o.backward()
    with pytest.raises(GraphvizNotFoundError) as info:
        render_graph(o, tmp_path / "out" / "neuron.png")
    message = str(info.value)
    source = tmp_path / "out" / "neuron.dot"
    assert str(source) in message
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert isinstance(info.value, RuntimeError)
    assert isinstance(info.value, graphviz.ExecutableNotFound)  # graphviz's own error too
    assert source.read_text() == draw_graph(o).source
    assert not (tmp_path / "out" / "neuron.png").exists()
    # the Digraph itself explains too, for render() and for pipe() (used by Jupyter)
    g = draw_graph(o)
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz"):
        g.render(tmp_path / "again", format="svg")
    assert (tmp_path / "again").read_text() == g.source
    with pytest.raises(GraphvizNotFoundError, match="brew install graphviz"):
        g.pipe(format="svg")
    # making the DOT source needs no binary
    assert len(parse(draw_graph(o))[0]) == 10


def test_missing_graphviz_package_gives_an_install_hint(monkeypatch):
    monkeypatch.setattr(viz, "_DIGRAPH", None)
    monkeypatch.setitem(__import__("sys").modules, "graphviz", None)  # import fails
    with pytest.raises(ImportError, match=re.escape('pip install "autograd-lite[viz]"')):
        draw_graph(Value(1.0))


def test_public_names_and_doctests(tmp_path, monkeypatch):
    for name in ("draw_graph", "render_graph", "retain_grads", "GraphvizNotFoundError"):
        assert name in autograd_lite.__all__
    monkeypatch.chdir(tmp_path)
    result = doctest.testmod(viz, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted >= 8


@needs_dot
@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".png", PNG_SIGNATURE),
                                           (".pdf", b"%PDF"), (".jpg", b"\xff\xd8\xff"),
                                           (".jpeg", b"\xff\xd8\xff")])
def test_render_graph_writes_the_format_its_suffix_names_and_nothing_else(tmp_path, suffix,
                                                                          magic):
    x = Value(2.0, label="x")
    path = render_graph(x * x, tmp_path / f"g{suffix}")
    assert path == tmp_path / f"g{suffix}"
    assert path.read_bytes().startswith(magic)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no .dot, no g.jpg.svg


@needs_dot
def test_jupyter_shows_the_drawing_as_svg_in_a_scrolling_box():
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    y.backward()
    g = draw_graph(y)
    assert isinstance(g, graphviz.Digraph)  # .source, .render, .pipe as before
    bundle = g._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith(("<?xml", "<svg"))
    html_out = bundle["text/html"]
    assert html_out == g._repr_html_()
    assert "overflow:auto" in html_out and "<svg" in html_out and "<?xml" not in html_out
    assert "text/html" not in g._repr_mimebundle_(include=["image/svg+xml"])
    # A wide graph keeps its natural width inside the box (scrolls instead of shrinking).
    wide = Value(1.0, label="x0")
    for i in range(60):
        wide = wide * 1.01
    svg_width = re.search(r'<svg width="(\d+)pt"', draw_graph(wide)._repr_html_())
    assert svg_width and int(svg_width[1]) > 2000
    assert "width:max-content" in draw_graph(wide)._repr_html_()


def test_draw_is_a_shorthand_for_draw_graph():
    x = Value(2.0, label="x")
    y = (x * 3).tanh()
    assert y.draw(rankdir="TB").source == draw_graph(y, rankdir="TB").source
    t = (Tensor([1.0, 2.0], requires_grad=True, label="t") * 2).sum()
    assert t.draw().source == draw_graph(t).source


@needs_dot
def test_a_format_this_graphviz_lacks_is_refused_clearly(tmp_path, monkeypatch):
    """`dot` without a plugin for a format says "Format: ... not recognized": we say so too."""
    x = Value(2.0, label="x")

    def no_jpg(self, *args, format=None, **kwargs):
        raise graphviz.CalledProcessError(1, ["dot", "-Tjpg"], output=b"",
                                          stderr=b'Format: "jpg" not recognized. Use one of: svg')

    monkeypatch.setattr(type(draw_graph(x)), "pipe", no_jpg)
    with pytest.raises(ValueError, match="cannot write 'jpg' files; use a name ending in .svg"):
        render_graph(x * x, tmp_path / "g.jpg")
    assert not list(tmp_path.iterdir())
