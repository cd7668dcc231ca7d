"""Every tensor operation's gradient (first and second order) against finite differences.

One row per operation: the function to check and a strategy for its inputs, drawn by
hypothesis over random shapes (with broadcasting) and values away from kinks.
`test_every_op_has_a_row` fails when an operation is added without a row.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import Tensor, Value, gradcheck
from autograd_lite import ops as tensor_ops
from autograd_lite.gradcheck import numerical_grad
from autograd_lite.testing import array_pairs, arrays, axes, shapes


@st.composite
def one(draw, **kw):
    return [draw(arrays(**kw))]


@st.composite
def reduce_case(draw, unique=False):
    x = draw(arrays(unique=unique, min_dims=0, max_dims=3))
    return [x], dict(axis=draw(axes(x.ndim)), keepdims=draw(st.booleans()))


@st.composite
def matmul_case(draw):
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    batch = draw(st.sampled_from([(), (2,), (3, 1)]))
    kind = draw(st.sampled_from(["mm", "vec-mat", "mat-vec", "vec-vec", "batched"]))
    a_shape, b_shape = {"mm": ((n, k), (k, m)), "vec-mat": ((k,), (k, m)),
                        "mat-vec": ((n, k), (k,)), "vec-vec": ((k,), (k,)),
                        "batched": (batch + (n, k), (k, m))}[kind]
    if kind == "batched" and draw(st.booleans()):
        a_shape, b_shape = (n, k), batch + (k, m)
    return [draw(arrays(shape=a_shape)), draw(arrays(shape=b_shape))]


@st.composite
def index_case(draw):
    x = draw(arrays(min_dims=1, max_dims=3))
    n = x.shape[0]
    index = draw(st.sampled_from(["int", "slice", "none", "fancy", "fancy2", "ellipsis"]))
    if index == "int":
        idx = draw(st.integers(-n, n - 1))
    elif index == "slice":
        idx = slice(draw(st.integers(0, n)), None, draw(st.sampled_from([1, 2, -1])))
    elif index == "none":
        idx = (None, slice(None))
    elif index == "fancy":  # repeated indices must add up
        idx = np.array(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=6)))
    elif index == "fancy2" and x.ndim >= 2:
        rows = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=5))
        cols = [draw(st.integers(0, x.shape[1] - 1)) for _ in rows]
        idx = (np.array(rows), np.array(cols))
    else:
        idx = (Ellipsis, 0)
    return [x], dict(index=idx)


@st.composite
def setitem_case(draw):
    """A tensor, an index (repeated fancy indices: the last write stays) and a value of the
    selection's shape, or of its trailing shape (broadcast over the leading axis)."""
    [x], params = draw(index_case())
    selected = x[params["index"]].shape
    shape = selected[1:] if selected and draw(st.booleans()) else selected
    return [x, draw(arrays(shape=shape))], params


@st.composite
def shape_case(draw, kind):
    x = draw(arrays(min_dims=1, max_dims=3))
    if kind == "reshape":
        return [x], dict(shape=(-1,) if draw(st.booleans()) else (x.size, 1))
    if kind == "transpose":
        return [x], dict(axes=tuple(draw(st.permutations(range(x.ndim)))))
    if kind == "broadcast":  # a new leading axis, and size-1 axes stretched
        return [x], dict(shape=(2,) + tuple(3 if n == 1 and draw(st.booleans()) else n
                                            for n in x.shape))
    if kind == "sum_to":
        lead = draw(st.integers(0, 2))
        shape = x.shape[lead:] if lead < x.ndim else ()
        shape = tuple(1 if draw(st.booleans()) else n for n in shape)
        return [x], dict(shape=shape)
    raise AssertionError(kind)


@st.composite
def join_case(draw, kind):
    shape = draw(shapes(min_dims=1, max_dims=3))
    count = draw(st.integers(1, 3))
    if kind == "stack":
        xs = [draw(arrays(shape=shape)) for _ in range(count)]
        return xs, dict(axis=draw(st.integers(-len(shape) - 1, len(shape))))
    axis = draw(st.integers(0, len(shape) - 1))
    xs = []
    for _ in range(count):
        s = list(shape)
        s[axis] = draw(st.integers(1, 3))
        xs.append(draw(arrays(shape=tuple(s))))
    return xs, dict(axis=axis)


@st.composite
def where_case(draw):
    a, b = draw(array_pairs())
    cond = draw(arrays(shape=np.broadcast_shapes(a.shape, b.shape))) > 0
    return [a, b], dict(cond=cond)


@st.composite
def pow_case(draw):
    a, b = draw(array_pairs())
    return [np.abs(a) + 0.5, b], {}


@st.composite
def maximum_case(draw):
    a, b = draw(array_pairs())
    return [a, np.where(np.abs(a - b) < 0.05, b + 0.3, b)], {}  # no near-ties


@st.composite
def select_case(draw):
    g, a = draw(array_pairs())
    return [g, np.where(np.abs(a) < 0.05, a + 0.3, a)], {}  # the mask a > 0 stays put


@st.composite
def conv_case(draw, transposed=False):
    """A conv2d (or conv_transpose2d) of random sizes, stride, padding, dilation and groups."""
    n, groups, c_in, c_out = (draw(st.integers(1, 2)) for _ in range(4))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    if transposed:
        padding = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
        extra = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
        size = [draw(st.integers(1, 3)) for _ in range(2)]
        params = dict(stride=stride, padding=padding, output_padding=extra, groups=groups,
                      dilation=dilation)
        w_shape = (groups * c_in, c_out) + kernel
        out_size = [(h - 1) * s - 2 * p + d * (k - 1) + e + 1 for h, s, p, d, k, e in
                    zip(size, stride, padding, dilation, kernel, extra)]
        if min(out_size) < 1:
            params["padding"] = (0, 0)
    else:
        padding = draw(st.sampled_from(["same", "valid", 0, 1, 2, (1, 0)]))
        if padding == "same":
            stride = (1, 1)
        reach = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
        size = [draw(st.integers(max(1, r - 2), r + 3)) for r in reach]
        pads = {"same": (0, 0), "valid": (0, 0)}.get(padding, padding)
        pads = pads if isinstance(pads, tuple) else (pads, pads)
        size = [max(sz, r - 2 * p) for sz, r, p in zip(size, reach, pads)]
        params = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        w_shape = (groups * c_out, c_in) + kernel
    x = draw(arrays(shape=(n, groups * c_in) + tuple(size)))
    xs = [x, draw(arrays(shape=w_shape))]
    if draw(st.booleans()):
        xs.append(draw(arrays(shape=(w_shape[1] * groups if transposed else w_shape[0],))))
    return xs, params


@st.composite
def pool_case(draw, kind):
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.sampled_from([None, 1, 2, (1, 2)]))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    ceil_mode = draw(st.booleans())
    size = tuple(draw(st.integers(k, k + 4)) for k in kernel)
    params = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode)
    if kind == "avg":
        params["count_include_pad"] = draw(st.booleans())
    # max: distinct values, so that no window has a tie (a kink)
    x = draw(arrays(shape=(n, c) + size, unique=kind == "max"))
    return [x], params


@st.composite
def window_case(draw, kind):
    """Params of Im2Col (x of shape (N, C, H, W)) or Col2Im (windows of such an x)."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = tuple(draw(st.integers(0, 1)) for _ in range(4))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) + tuple(
        d * (k - 1) + 1 + draw(st.integers(0, 3)) for k, d in zip(kernel, dilation))
    params = dict(stride=stride, padding=padding, dilation=dilation)
    if kind == "im2col":
        return [draw(arrays(shape=shape))], dict(params, kernel=kernel)
    win = tensor_ops.Im2Col(kernel, stride, padding, dilation).forward(np.zeros(shape))
    return [draw(arrays(shape=win.shape))], dict(params, shape=shape)


def _no_params(strategy):
    return strategy.map(lambda xs: (xs, {}))


def _unary(**kw):
    return _no_params(one(**kw))


INTEGERS = tuple(float(i) for i in range(-3, 4))
HALVES = tuple(i + 0.5 for i in range(-4, 4))


@st.composite
def params_case(draw, params, **kw):
    """One array, and parameters drawn from `params` (name -> strategy)."""
    return [draw(arrays(**kw))], {k: draw(v) for k, v in params.items()}


@st.composite
def var_case(draw):
    [x], p = draw(reduce_case(unique=True))  # distinct values: std stays off 0
    n = int(np.prod([x.shape[i] for i in ag.ops.normalize_axes(p["axis"], x.ndim, "var")]))
    p["correction"] = draw(st.sampled_from([0, 1] if n > 1 else [0]))
    p["root"] = draw(st.booleans()) and n > 1  # std: away from its kink at constant data
    return [x], p


@st.composite
def norm_case(draw):
    [x], p = draw(reduce_case())
    order = draw(st.sampled_from([1, 2, 3, np.inf]))
    # distinct magnitudes (no ties for max |a|), away from 0 (|a|'s kink), random signs
    magnitude = draw(arrays(shape=x.shape, unique=True, min_value=0.1, max_value=3.0))
    signs = draw(arrays(shape=x.shape, min_value=-1.0, max_value=1.0, away_from=(0.0,)))
    return [magnitude * np.sign(signs)], dict(p, p=order)


@st.composite
def running_case(draw, **kw):
    x = draw(arrays(min_dims=0, max_dims=3, **kw))
    return [x], dict(axis=draw(st.one_of(st.none(), st.integers(-max(x.ndim, 1),
                                                                  max(x.ndim, 1) - 1))))


@st.composite
def pad_case(draw):
    x = draw(arrays(min_dims=1, max_dims=3, min_side=2))
    mode = draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    widths = []
    for n in x.shape:
        before = draw(st.integers(-1, 2))
        after = draw(st.integers(-1, 2))
        if mode == "reflect":  # reflect padding must be smaller than the size
            before, after = min(before, n - 1), min(after, n - 1)
        widths.append((before, after))
    return [x], dict(widths=widths, mode=mode, value=draw(st.sampled_from([0.0, 1.5])))


@st.composite
def pad_fold_case(draw):
    """A gradient of a padded axis, and where each of its positions was copied from."""
    g = draw(arrays(min_dims=1, max_dims=3, min_side=2))
    axis = draw(st.integers(0, g.ndim - 1))
    before = draw(st.integers(0, g.shape[axis] - 1))
    after = draw(st.integers(0, g.shape[axis] - 1 - before))
    n = g.shape[axis] - before - after
    mode = draw(st.sampled_from(["edge", "wrap"] + (["reflect"] if max(before, after) < n
                                                     else [])))
    return [g], dict(axis=axis, source=np.pad(np.arange(n), (before, after), mode=mode),
                     before=before)


def _op(op):
    return lambda a, **p: op.apply(a, **p)


# op -> (function of Tensors and params, strategy of (arrays, params))
OPS = {
    tensor_ops.Add: (lambda a, b: a + b, _no_params(array_pairs().map(list))),
    tensor_ops.Sub: (lambda a, b: a - b, _no_params(array_pairs().map(list))),
    tensor_ops.Mul: (lambda a, b: a * b, _no_params(array_pairs().map(list))),
    tensor_ops.Div: (lambda a, b: a / (b * b + 0.5), _no_params(array_pairs().map(list))),
    tensor_ops.Pow: (lambda a, b: a**b, pow_case()),
    tensor_ops.Maximum: (lambda a, b: ag.maximum(a, b), maximum_case()),
    tensor_ops.Where: (lambda a, b, cond: ag.where(cond, a, b), where_case()),
    tensor_ops.Neg: (lambda a: -a, _no_params(one())),
    tensor_ops.Exp: (lambda a: a.exp(), _no_params(one())),
    tensor_ops.Log: (lambda a: a.log(), _no_params(one(min_value=0.1))),
    tensor_ops.Sqrt: (lambda a: a.sqrt(), _no_params(one(min_value=0.1))),
    tensor_ops.Abs: (lambda a: a.abs(), _no_params(one(away_from=(0.0,)))),
    tensor_ops.Tanh: (lambda a: a.tanh(), _no_params(one())),
    tensor_ops.Sigmoid: (lambda a: a.sigmoid(), _no_params(one(min_value=-8, max_value=8))),
    tensor_ops.Relu: (lambda a: a.relu(), _no_params(one(away_from=(0.0,)))),
    tensor_ops.Clip: (lambda a: a.clip(-1.0, 1.5), _no_params(one(away_from=(-1.0, 1.5)))),
    tensor_ops.Cast: (lambda a: a.astype(np.float32).astype(np.float64) * 1.0,
                      _no_params(one())),
    tensor_ops.Clone: (lambda a: a.clone(), _no_params(one())),
    tensor_ops.Sum: (lambda a, **p: a.sum(**p), reduce_case()),
    tensor_ops.Mean: (lambda a, **p: a.mean(**p), reduce_case()),
    tensor_ops.Max: (lambda a, **p: a.max(**p), reduce_case(unique=True)),
    tensor_ops.Min: (lambda a, **p: a.min(**p), reduce_case(unique=True)),
    tensor_ops.Softmax: (lambda a, axis: a.softmax(axis),
                         one(min_dims=1).flatmap(
                             lambda xs: st.tuples(st.just(xs), st.fixed_dictionaries(
                                 {"axis": st.integers(-xs[0].ndim, xs[0].ndim - 1)})))),
    tensor_ops.LogSoftmax: (lambda a, axis: a.log_softmax(axis),
                            one(min_dims=1).flatmap(
                                lambda xs: st.tuples(st.just(xs), st.fixed_dictionaries(
                                    {"axis": st.integers(-xs[0].ndim, xs[0].ndim - 1)})))),
    tensor_ops.Matmul: (lambda a, b: a @ b, _no_params(matmul_case())),
    tensor_ops.Reshape: (lambda a, shape: a.reshape(shape), shape_case("reshape")),
    tensor_ops.Transpose: (lambda a, axes: a.transpose(axes), shape_case("transpose")),
    tensor_ops.BroadcastTo: (lambda a, shape: a.broadcast_to(shape), shape_case("broadcast")),
    tensor_ops.SumTo: (lambda a, shape: tensor_ops.SumTo.apply(a, shape=shape),
                       shape_case("sum_to")),
    tensor_ops.GetItem: (lambda a, index: a[index], index_case()),
    tensor_ops.SetItem: (lambda a, v, index: tensor_ops.SetItem.apply(a, v, index=index),
                         setitem_case()),
    tensor_ops.ScatterAdd: (
        lambda a, index: tensor_ops.ScatterAdd.apply(a, index=index, shape=(4, 3)),
        _no_params(arrays(shape=(5,)).map(lambda x: [x])).map(
            lambda c: (c[0], {"index": (np.array([0, 3, 0, 2, 3]), np.array([1, 1, 1, 0, 2]))}))),
    tensor_ops.Concatenate: (lambda *xs, axis: ag.concatenate(xs, axis=axis),
                             join_case("concatenate")),
    tensor_ops.Stack: (lambda *xs, axis: ag.stack(xs, axis=axis), join_case("stack")),
    tensor_ops.Conv2d: (lambda *xs, **p: ag.conv2d(*xs, **p), conv_case()),
    tensor_ops.ConvTranspose2d: (lambda *xs, **p: ag.conv_transpose2d(*xs, **p),
                                 conv_case(transposed=True)),
    tensor_ops.MaxPool2d: (lambda x, **p: ag.max_pool2d(x, **p), pool_case("max")),
    tensor_ops.AvgPool2d: (lambda x, **p: ag.avg_pool2d(x, **p), pool_case("avg")),
    tensor_ops.Im2Col: (lambda x, **p: tensor_ops.Im2Col.apply(x, **p), window_case("im2col")),
    tensor_ops.Col2Im: (lambda x, **p: tensor_ops.Col2Im.apply(x, **p), window_case("col2im")),
    tensor_ops.Minimum: (lambda a, b: ag.minimum(a, b), maximum_case()),
    tensor_ops.Sin: (lambda a: a.sin(), _unary()),
    tensor_ops.Cos: (lambda a: a.cos(), _unary()),
    tensor_ops.Tan: (lambda a: a.tan(), _unary(min_value=-1.2, max_value=1.2)),
    tensor_ops.Sign: (lambda a: a.sign(), _unary(away_from=(0.0,))),
    tensor_ops.Floor: (lambda a: a.floor(), _unary(away_from=INTEGERS)),
    tensor_ops.Ceil: (lambda a: a.ceil(), _unary(away_from=INTEGERS)),
    tensor_ops.Trunc: (lambda a: a.trunc(), _unary(away_from=INTEGERS)),
    tensor_ops.Round: (lambda a: a.round(), _unary(away_from=HALVES)),
    tensor_ops.Rsqrt: (lambda a: a.rsqrt(), _unary(min_value=0.2)),
    tensor_ops.Log2: (lambda a: a.log2(), _unary(min_value=0.1)),
    tensor_ops.Exp2: (lambda a: a.exp2(), _unary()),
    tensor_ops.Log1p: (lambda a: a.log1p(), _unary(min_value=-0.8)),
    tensor_ops.Expm1: (lambda a: a.expm1(), _unary()),
    tensor_ops.Square: (lambda a: a.square(), _unary()),
    tensor_ops.Reciprocal: (lambda a: a.reciprocal(), _unary(away_from=(0.0,), margin=0.3)),
    tensor_ops.Erf: (lambda a: a.erf(), _unary()),
    tensor_ops.LeakyRelu: (_op(tensor_ops.LeakyRelu), params_case(
        {"negative_slope": st.sampled_from([0.01, 0.2, 1.5])}, away_from=(0.0,))),
    tensor_ops.Hardtanh: (_op(tensor_ops.Hardtanh), params_case(
        {"min_val": st.just(-1.0), "max_val": st.sampled_from([1.0, 2.0])},
        away_from=(-1.0, 1.0, 2.0))),
    tensor_ops.Hardsigmoid: (lambda a: tensor_ops.Hardsigmoid.apply(a * 2),
                             _unary(away_from=(-1.5, 1.5))),
    tensor_ops.Hardswish: (lambda a: tensor_ops.Hardswish.apply(a * 2),
                           _unary(away_from=(-1.5, 1.5))),
    tensor_ops.Elu: (_op(tensor_ops.Elu), params_case(
        {"alpha": st.sampled_from([1.0, 0.5]), "scale": st.sampled_from([1.0, 1.05]),
         "input_scale": st.sampled_from([1.0, 2.0])}, away_from=(0.0,))),
    tensor_ops.Softplus: (_op(tensor_ops.Softplus), params_case(
        {"beta": st.sampled_from([1.0, 2.0]), "threshold": st.sampled_from([20.0, 1.0])},
        away_from=(0.5, 1.0))),
    tensor_ops.LogSigmoid: (lambda a: tensor_ops.LogSigmoid.apply(a), _unary()),
    tensor_ops.Silu: (lambda a: tensor_ops.Silu.apply(a), _unary()),
    tensor_ops.Mish: (lambda a: tensor_ops.Mish.apply(a), _unary()),
    tensor_ops.Softsign: (lambda a: tensor_ops.Softsign.apply(a), _unary(away_from=(0.0,))),
    tensor_ops.Gelu: (_op(tensor_ops.Gelu), params_case(
        {"approximate": st.sampled_from(["none", "tanh"])})),
    tensor_ops.Var: (lambda a, **p: tensor_ops.Var.apply(a, **p), var_case()),
    tensor_ops.Logsumexp: (lambda a, **p: ag.logsumexp(a, **p), reduce_case()),
    tensor_ops.Norm: (lambda a, **p: tensor_ops.Norm.apply(a, **p), norm_case()),
    tensor_ops.Prod: (lambda a, **p: ag.prod(a, **p), reduce_case()),
    tensor_ops.Cumsum: (lambda a, axis: ag.cumsum(a, axis), running_case()),
    # off tiny values, where out / a loses precision (exact zeros: test_torch_oracle_ops.py)
    tensor_ops.Cumprod: (lambda a, axis: ag.cumprod(a, axis), running_case(away_from=(0.0,))),
    tensor_ops.Flip: (lambda a, axis: ag.flip(a, axis),
                      one(min_dims=0).flatmap(lambda xs: st.tuples(st.just(xs), st.fixed_dictionaries(
                          {"axis": axes(xs[0].ndim)})))),
    tensor_ops.Pad: (_op(tensor_ops.Pad), pad_case()),
    tensor_ops.PadFold: (_op(tensor_ops.PadFold), pad_fold_case()),
    # |a| as a * sign(a), the sign recorded as piecewise constant in a (derivative 0)
    tensor_ops.Piecewise: (lambda a: a * tensor_ops.Piecewise.apply(a, value=np.sign(a.data)),
                           _unary(away_from=(0.0,))),
    # relu's rule: g where a > 0, else exactly 0, recorded as depending on a (slope 0)
    tensor_ops.Select: (lambda g, a: tensor_ops.Select.apply(g * g, a, mask=a.data > 0),
                        select_case()),
}


# Rows whose function passes through float32 need a larger finite-difference step.
TOLERANCES = {tensor_ops.Cast: dict(eps=1e-2, rtol=1e-4)}


def _all_ops():
    found, todo = set(), [tensor_ops.TensorFunction]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if not sub.__name__.startswith("_") and sub.__module__.startswith(tensor_ops.__name__ + "."):
                found.add(sub)
    return found


def test_every_op_has_a_row():
    missing = sorted(op.__name__ for op in _all_ops() - set(OPS))
    assert not missing, f"tensor ops without a gradient-check row: {missing}"


def _graph_uses(op, out):
    nodes, _ = ag.engine.walk(out)
    return any(type(n.grad_fn) is op for n in nodes)


@pytest.mark.parametrize("op", list(OPS), ids=lambda op: op.__name__)
@given(data=st.data())
def test_first_order_gradient(op, data):
    fn, strategy = OPS[op]
    xs, params = data.draw(strategy)
    leaves = [Tensor(x, requires_grad=True) for x in xs]
    assert _graph_uses(op, fn(*leaves, **params)), "the row does not exercise its op"
    assert gradcheck(lambda *ts: fn(*ts, **params), xs, **TOLERANCES.get(op, {}))


@pytest.mark.parametrize("op", list(OPS), ids=lambda op: op.__name__)
@given(data=st.data())
def test_second_order_gradient(op, data):
    """d/dx of <grad f(x), w> by double backward equals finite differences of grad f."""
    fn, strategy = OPS[op]
    xs, params = data.draw(strategy)
    rng = np.random.default_rng(1)
    v = None
    ws = [rng.standard_normal(x.shape) for x in xs]

    def first_grads(arrays, create_graph):
        nonlocal v
        leaves = [Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
        out = fn(*leaves, **params)
        if v is None:
            v = rng.standard_normal(out.shape)
        out.backward(v, create_graph=create_graph)
        return leaves, [leaf.grad for leaf in leaves]

    leaves, grads = first_grads(xs, create_graph=True)
    s = sum(((g if isinstance(g, Tensor) else Tensor(g)) * w).sum()
            for g, w in zip(grads, ws) if g is not None)
    for leaf in leaves:
        leaf.grad = None
    if isinstance(s, Tensor) and s.requires_grad:
        s.backward()
    analytic = [np.zeros_like(x) if leaf.grad is None else np.asarray(leaf.grad)
                for leaf, x in zip(leaves, xs)]

    def inner(*arrays):
        with ag.enable_grad():  # numerical_grad evaluates under no_grad()
            _, gs = first_grads(arrays, create_graph=False)
        return sum(np.sum(g * w) for g, w in zip(gs, ws) if g is not None)

    numeric = numerical_grad(inner, xs, eps=1e-5)
    for a, n in zip(analytic, numeric):
        np.testing.assert_allclose(a, n, rtol=1e-3, atol=1e-4)


def test_float32_stays_float32():
    x = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    y = ((x * 0.5 + 1) ** 2 / 3).exp().log().tanh().sigmoid().softmax(1).mean()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32 and x.grad.shape == x.shape


def test_mixed_dtypes_give_each_input_its_own_dtype():
    a = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    b = Tensor(np.full(3, 2.0), requires_grad=True)
    out = a * b
    assert out.dtype == np.float64
    out.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    np.testing.assert_array_equal(a.grad, [2, 2, 2])


def test_default_dtype_for_lists_and_ints():
    assert Tensor([1, 2]).dtype == ag.DEFAULT_DTYPE == np.float32
    assert Tensor(3).dtype == np.float32 and Tensor([0.5, 1.5]).dtype == np.float32
    assert Tensor(2.5).dtype == np.float32
    assert Tensor(np.array([1.0])).dtype == np.float64
    assert Tensor([1, 2], dtype=np.int64).dtype == np.int64


def test_repeated_fancy_indices_accumulate():
    x = Tensor(np.arange(4.0), requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad, [3, 0, 1, 0])


def test_softmax_and_log_softmax_are_stable_at_large_logits():
    x = Tensor(np.array([[1000.0, 0.0, -1000.0]]), requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        ls = x.log_softmax(1)
        sm = x.softmax(1)
    np.testing.assert_allclose(ls.data, [[0.0, -1000.0, -2000.0]])
    np.testing.assert_allclose(sm.data, [[1.0, 0.0, 0.0]])
    ls[0, 1].backward()
    np.testing.assert_allclose(x.grad, [[-1.0, 1.0, 0.0]], atol=1e-12)


def test_max_ties_share_the_gradient():
    x = Tensor(np.array([1.0, 3.0, 3.0]), requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 0.5])


def test_log_of_negative_is_nan_like_numpy_with_pytorchs_gradient():
    x = Tensor(np.array([-1.0, 0.0, 1.0]), requires_grad=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = x.log()
        np.testing.assert_array_equal(np.isnan(y.data), [True, False, False])
        assert y.data[1] == -np.inf
        y.sum().backward()
    # the value is nan where log is undefined; the gradient is 1/x everywhere, as in
    # PyTorch, so that where(x > 0, x.log(), 0) gives x < 0 a zero gradient
    np.testing.assert_array_equal(x.grad, [-1.0, np.inf, 1.0])


def test_attributes():
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, label="t")
    assert (t.shape, t.ndim, t.dtype, t.size) == ((2, 3), 2, np.float64, 6)
    assert t.T.shape == (3, 2) and t.numpy() is t.data
    d = t.detach()
    assert not d.requires_grad and d.data is t.data and d.is_leaf
    assert Tensor([[5.0]]).item() == 5.0
    with pytest.raises(ValueError, match=r"item.*\(2, 3\)"):
        t.item()
    assert t.flatten().shape == (6,) and t.reshape(3, 2).shape == (3, 2)
    assert "label='t'" in repr(t) and "requires_grad=True" in repr(t)


def test_comparisons_are_elementwise_and_tensors_stay_hashable():
    a, b = Tensor([1.0, 2.0]), Tensor([2.0, 2.0])
    np.testing.assert_array_equal((a == b).data, [False, True])
    np.testing.assert_array_equal((a < b).data, [True, False])
    assert len({a, b}) == 2


def test_numpy_arrays_on_the_left_defer_to_tensor():
    x = Tensor(np.ones(2), requires_grad=True)
    y = np.array([2.0, 3.0]) * x + np.array([1.0, 1.0])
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 3.0])


def test_pow_gradients_at_zero_are_exact_not_nan():
    x = Tensor(np.array([0.0, 2.0]), requires_grad=True)
    (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    w = Tensor(np.array([2.0, 3.0]), requires_grad=True)
    (Tensor([0.0, 0.0]) ** w).sum().backward()
    np.testing.assert_array_equal(w.grad, [0.0, 0.0])


def test_numpy_numbers_keep_float32_and_lists_join_it():
    t = Tensor(np.ones(2, dtype=np.float32))
    for y in (t * np.int64(2), t ** np.float64(2), t + [1.0, 2.0], np.array(2.0) * t,
              t - np.float64(1)):
        assert y.dtype == np.float32
    assert (t * np.ones(2)).dtype == np.float64  # a float64 array: NumPy's promotion


def test_zero_dimensional_gradients_are_arrays():
    x = Tensor(np.float64(3.0), requires_grad=True)
    (x * x).backward()
    (x * x).backward()
    assert type(x.grad) is np.ndarray and x.grad.shape == () and x.grad == 12.0
    x.grad[...] = 0  # writable, like any other gradient


def test_value_and_tensor_do_not_mix_silently():
    t, v = Tensor([2.0], requires_grad=True), Value(3.0)
    for f in (lambda: v * t, lambda: t * v, lambda: t + v, lambda: Tensor(v)):
        with pytest.raises(TypeError, match="do not mix"):
            f()
    with pytest.raises(TypeError, match="got None"):
        Tensor(None)


def test_numpy_functions_on_tensors_are_differentiable_engine_operations():
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = np.array([0.5, 1.0])
    loss = np.mean((y - t) ** 2) + np.sum(np.exp(t)) + np.max(np.square(t))
    assert isinstance(loss, Tensor)
    loss.backward()
    expected = 2 * (t.data - y) / 2 + np.exp(t.data) + np.array([0.0, 2 * 2.0])
    np.testing.assert_allclose(t.grad, expected)
    assert isinstance(np.float64(2.0) * t, Tensor) and (np.float64(2.0) * t).dtype == t.dtype
    np.testing.assert_array_equal((np.array([1.0, 3.0]) > t).data, [False, True])
    with pytest.raises(TypeError, match="sinh"):
        np.sinh(t)  # not an engine operation: refused, never silently constant
    with pytest.raises(TypeError, match="sum: unsupported"):
        np.sum(t, out=np.zeros(()))
