"""Function transforms: derivatives of Python functions, as in HIPS autograd and JAX.

`grad(f)` returns a new function that computes the gradient of `f`; so do `value_and_grad`,
`jacobian` and `hessian`. `hvp`, `vjp` and `jvp` compute Hessian-vector, vector-Jacobian
and Jacobian-vector products directly, without forming a matrix.

What goes in decides what comes out:

- NumPy arrays or Python numbers in, NumPy arrays out. Each differentiated argument
  becomes a fresh leaf Tensor (sharing the array's memory, which is never written to):
  floating arrays keep their dtype, Python numbers and integer arrays become float64
  (derivatives of derivatives need the precision).
- Tensors (or, for `grad` and `value_and_grad`, Values) in, NumPy arrays out too, unless
  you ask for `create_graph=True`: then Tensors (Values) in the arguments' graph,
  differentiable again (a gradient penalty in a loss). A transform that runs inside the
  function another transform differentiates does that by itself: that is how
  `grad(grad(f))` works (the outer `grad` calls the inner one with a Tensor).

The transforms never touch anyone's `.grad`: `f` may use your model's parameters, and
their gradients stay as they were. Hooks registered on tensors inside `f` do run.

>>> import numpy as np
>>> from autograd_lite import grad
>>> d_tanh = grad(lambda x: x.tanh())              # 1 - tanh(x)**2
>>> d2_tanh = grad(d_tanh)                            # -2 tanh(x) (1 - tanh(x)**2)
>>> x = 0.5
>>> bool(np.isclose(d2_tanh(x), -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)))
True
"""

import contextlib
import threading

import numpy as np

from . import engine
from .checks import as_array
from .engine import Function, Node, enable_grad, is_grad_enabled
from .tensor import Tensor, stack
from .value import Value

__all__ = ["grad", "value_and_grad", "jacobian", "hessian", "hvp", "vjp", "jvp",
           "ScalarOutputError"]


class ScalarOutputError(ValueError, TypeError):
    """`grad` was given a function whose output is not a scalar (one element).

    >>> import numpy as np
    >>> from autograd_lite import grad
    >>> from autograd_lite.functional import ScalarOutputError
    >>> try:
    ...     grad(lambda x: x * 2)(np.ones(3))
    ... except ScalarOutputError as err:
    ...     print(str(err)[:45])
    grad: f must return a scalar (a one-element T
    """


# ***** the public transforms *****


def grad(f, argnums=0, *, create_graph=False):
    """Return a function that computes the gradient of the scalar function `f`.

    `argnums` says which positional argument(s) to differentiate with respect to: an int
    gives one gradient, a tuple gives a tuple of gradients. Each gradient has its
    argument's shape, as a NumPy array. `f` must return a one-element Tensor (use
    `jacobian` otherwise). `grad(grad(f))` gives second derivatives: inside another
    transform, and with `create_graph=True` for Tensor arguments, gradients are Tensors
    in the arguments' graph, differentiable again (e.g. for a gradient penalty).

    >>> from autograd_lite import grad
    >>> f = lambda x: x ** 4
    >>> grad(f)(2.0), grad(grad(f))(2.0), grad(grad(grad(f)))(2.0)   # 4x³, 12x², 24x
    (array(32.), array(48.), array(48.))
    >>> grad(lambda w, x: (w * x).sum(), argnums=(0, 1))(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    (array([3., 4.]), array([1., 2.]))
    """
    _check_callable(f, "grad")

    def grad_f(*args, **kwargs):
        return _value_and_grad(f, argnums, args, kwargs, "grad", create_graph)[1]

    return _named(grad_f, f, "grad")


def value_and_grad(f, argnums=0, *, create_graph=False):
    """Like `grad(f, argnums)`, but the new function returns `(f(*args), gradient)`.

    One evaluation of `f` gives both, which is what a training step needs. Both are NumPy
    arrays, or Tensors where `grad` would give Tensors.

    >>> import numpy as np
    >>> from autograd_lite import value_and_grad
    >>> value_and_grad(lambda x: (x * x).sum())(np.array([1.0, 2.0]))
    (array(5.), array([2., 4.]))
    """
    _check_callable(f, "value_and_grad")

    def value_and_grad_f(*args, **kwargs):
        return _value_and_grad(f, argnums, args, kwargs, "value_and_grad", create_graph)

    return _named(value_and_grad_f, f, "value_and_grad")


def jacobian(f, argnums=0, *, create_graph=False):
    """Return a function that computes the Jacobian of `f` (which returns one Tensor).

    For an output of shape `S` and an argument of shape `A` the Jacobian has shape
    `S + A`: `J[i..., j...] = d out[i...] / d x[j...]` (as in HIPS autograd and JAX). It is
    built row by row, one backward pass per output element. `argnums` as in `grad`. A
    function returning a tuple (or list) of Tensors gets a tuple with one Jacobian per
    output, as `torch.autograd.functional.jacobian` does.

    >>> import numpy as np
    >>> from autograd_lite import jacobian
    >>> jacobian(lambda x: x ** 2)(np.array([1.0, 2.0, 3.0]))
    array([[2., 0., 0.],
           [0., 4., 0.],
           [0., 0., 6.]])
    >>> jacobian(lambda x: (x, 2 * x))(np.ones(2))
    (array([[1., 0.],
           [0., 1.]]), array([[2., 0.],
           [0., 2.]]))
    """
    _check_callable(f, "jacobian")

    def jacobian_f(*args, **kwargs):
        nums, single = _argnums(argnums, len(args), "jacobian")
        record = is_grad_enabled()
        call_args, nodes, nested, stops = _prepare(args, kwargs, nums, "jacobian",
                                                   allow_values=False, wanted=create_graph)
        with _tracing():
            out = f(*call_args, **kwargs)
        if isinstance(out, (tuple, list)):  # several outputs: one Jacobian per output
            if not out:
                raise TypeError("jacobian: f returned an empty sequence; it must return a "
                                "Tensor, or a tuple of Tensors")
            return tuple(_jacobian_of(o, nodes, record and nested, nested, stops, single)
                         for o in out)
        return _jacobian_of(out, nodes, record and nested, nested, stops, single)

    return _named(jacobian_f, f, "jacobian")


def _jacobian_of(out, nodes, graph, nested, stops, single):
    """The Jacobian of one output with respect to each of `nodes`, row by row."""
    _check_output(out, "jacobian", Tensor)
    out_data = out.data if isinstance(out, Tensor) else np.asarray(out)
    rows = [[] for _ in nodes]
    for i in range(out_data.size):
        seed = np.zeros(out_data.shape, dtype=out_data.dtype)
        seed.flat[i] = 1
        for row, g in zip(rows, _backprop(out, nodes, seed, graph, stops)):
            row.append(g)
    jacs = tuple(_assemble(row, out_data.shape, node, nested) for row, node in zip(rows, nodes))
    return jacs[0] if single else jacs


def hessian(f, argnums=0, *, create_graph=False):
    """Return a function that computes the Hessian of the scalar function `f`.

    For an argument of shape `A` the Hessian has shape `A + A`; it is `jacobian(grad(f))`.
    With a tuple `argnums` the result is a tuple of tuples, `H[i][j]` holding the second
    derivatives with respect to arguments `argnums[i]` and `argnums[j]`.

    >>> import numpy as np
    >>> from autograd_lite import hessian
    >>> A = np.array([[1.0, 2.0], [0.0, 3.0]])
    >>> hessian(lambda x: x @ A @ x)(np.array([0.5, -1.0]))   # A + A^T
    array([[2., 2.],
           [2., 6.]])
    """
    _check_callable(f, "hessian")
    if _is_int(argnums):
        return _named(jacobian(grad(f, argnums), argnums, create_graph=create_graph), f,
                      "hessian")
    nums = _argnums_tuple(argnums, "hessian")

    def hessian_f(*args, **kwargs):
        return tuple(tuple(jacobian(grad(f, i), j, create_graph=create_graph)(*args, **kwargs)
                           for j in nums) for i in nums)

    return _named(hessian_f, f, "hessian")


def hvp(f, x, v, *, create_graph=False):
    """The Hessian of the scalar function `f` at `x` times the vector `v` (of `x`'s shape).

    Computed as the gradient of `<grad f(x), v>` (two backward passes), so the Hessian is
    never formed: cost and memory stay those of a few gradients, whatever the size of `x`.

    >>> import numpy as np
    >>> from autograd_lite import hvp
    >>> f = lambda x: (x ** 3).sum()                      # Hessian diag(6x)
    >>> hvp(f, np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    array([ 6., 12.])
    """
    _check_callable(f, "hvp")
    if isinstance(x, Value):
        raise TypeError("hvp: works on Tensors and arrays, got a Value for x; use "
                        "grad(grad(f)) for scalars")
    _check_shape(v, _shape_of(x, "hvp"), "hvp", "v", "x")
    grad_f = grad(f)
    return grad(lambda y, w: _inner(grad_f(y), w), create_graph=create_graph)(x, v)


def vjp(f, x, v, *, create_graph=False):
    """Return `(f(x), v^T J)`: the vector-Jacobian product of `f` at `x`, by one backward pass.

    `v` has the shape of `f(x)`; the product has the shape of `x`. This is what backward
    computes, with `v` the upstream gradient. For a function of several arguments, pass
    them as a tuple `x`: the product is then a tuple, one per argument.

    >>> import numpy as np
    >>> from autograd_lite import vjp
    >>> out, g = vjp(lambda x: x * x, np.array([1.0, 2.0]), np.array([10.0, 100.0]))
    >>> out, g
    (array([1., 4.]), array([ 20., 400.]))
    """
    _check_callable(f, "vjp")
    args = x if isinstance(x, tuple) else (x,)
    out, grads = _vjp(f, args, v, "vjp", as_nodes=create_graph)
    return out, (grads if isinstance(x, tuple) else grads[0])


def jvp(f, x, v, *, create_graph=False):
    """Return `(f(x), J v)`: the Jacobian-vector product (directional derivative) of `f` at `x`.

    `v` has the shape of `x`; the product has the shape of `f(x)`. There is no forward mode,
    so this uses the double-backward trick: `u -> J^T u` is linear in a dummy `u`, and the
    gradient of `<J^T u, v>` with respect to `u` is `J v`.

    >>> import numpy as np
    >>> from autograd_lite import jvp
    >>> jvp(lambda x: x * x, np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    (array([1., 4.]), array([2., 0.]))
    """
    _check_callable(f, "jvp")
    _check_shape(v, _shape_of(x, "jvp"), "jvp", "v", "x")
    record = is_grad_enabled()
    (call_x,), (node,), nested, _ = _prepare((x,), {}, (0,), "jvp", allow_values=False,
                                             wanted=create_graph)
    nested = nested or _nested(v, wanted=create_graph)
    with _tracing():
        out = f(call_x)
        _check_output(out, "jvp", Tensor)
        out_data = out.data if isinstance(out, Tensor) else np.asarray(out)
        if not (isinstance(out, Tensor) and out.requires_grad):
            return _result_value(out, nested), _zeros(out_data, nested)
        u = Tensor(np.zeros(out_data.shape, dtype=out_data.dtype), requires_grad=True)
        (jt_u,) = _backprop(out, [node], u, create_graph=True)  # J^T u, linear in u
        dot = _inner(_node_or_none(jt_u), v)
        # Stop at `node` too: J v needs no gradient for x, and x's own graph is not ours.
        (jv,) = _backprop(dot, [u], 1.0, record and nested, stop=[node])
    return _result_value(out, nested), _result_grad(jv, u, nested)


# ***** internals shared with gradcheck.gradgradcheck *****


class _Input(Function):
    """Identity op: a private stand-in for a Tensor/Value argument that is in a graph.

    Backward passes stop at this node, so they never reach (or change) the graph and the
    gradients the argument came with; afterwards the result stays connected to it.
    """

    # a Tensor result records its inputs' and its own versions here
    __slots__ = ("versions", "changes_seen", "out_version")
    name = "input"

    def __init__(self):
        self.versions = None

    def forward(self, a):
        return a

    def backward(self, g, out, a):
        return g


def _prepare(args, kwargs, nums, op, allow_values=True, wanted=False):
    """Give each differentiated argument a private node to differentiate with respect to.

    Returns the arguments to call `f` with, the private nodes, whether any argument is a
    Tensor or Value (then results are nodes, in a graph when grad mode is on), and the
    arguments that are nodes (backward passes stop there: nothing we want lies beyond
    them, and the graph there may be released).
    """
    call_args = list(args)
    nodes = []
    for i in nums:
        x = args[i]
        if isinstance(x, Node):
            if isinstance(x, Value) and not allow_values:
                raise TypeError(f"{op}: works on Tensors and arrays, got a Value for argument "
                                f"{i}; use grad() or Value.backward() for scalars")
            if x.requires_grad and is_grad_enabled():
                node = _Input.apply(x)
            else:
                if isinstance(x, Tensor) and x.dtype.kind != "f":
                    raise TypeError(f"{op}: argument {i} is a Tensor of dtype {x.dtype}; "
                                    f"only floating-point arguments can be differentiated")
                node = type(x)._result(x.data, None)
                node.requires_grad = True
                if isinstance(x, Tensor):
                    node._vc = x._vc  # the same memory: the same version counter
        else:
            data = as_array(x, op, f"argument {i}")
            if data.dtype.kind in "iub":
                data = data.astype(np.float64)
            elif data.dtype.kind != "f":
                raise TypeError(f"{op}: argument {i} must be a number, a float array or a "
                                f"Tensor, got {type(x).__name__} of dtype {data.dtype}")
            node = Tensor(data, requires_grad=True)
        call_args[i] = node
        nodes.append(node)
    stops = [a for a in args if isinstance(a, Node)]
    return call_args, nodes, _nested(*args, *kwargs.values(), wanted=wanted), stops


def _backprop(out, nodes, seed, create_graph, stop=()):
    """d<out, seed>/d node for each of `nodes` (None where there is no path).

    The pass stops at `nodes` and `stop` and stores no `.grad`: it changes no one's
    gradients, and it works even where the graph behind the arguments was released.
    """
    if not (isinstance(out, Node) and out.requires_grad):
        return [None] * len(nodes)
    return engine.backward(out, _seed(out, seed, create_graph), retain_graph=True,
                           create_graph=create_graph, inputs=nodes, stop=stop)


def _vjp(f, args, v, op, kwargs=None, as_nodes=False):
    """`(f(*args), v^T J)` for every argument: the shared core of `vjp` and gradgradcheck
    (which asks for nodes, `as_nodes`, to differentiate the result again)."""
    nums = tuple(range(len(args)))
    record = is_grad_enabled()
    call_args, nodes, nested, _ = _prepare(args, kwargs or {}, nums, op, wanted=as_nodes)
    nested = nested or _nested(v, wanted=as_nodes)
    with _tracing():
        out = f(*call_args, **(kwargs or {}))
    _check_output(out, op, (Tensor, Value))
    _check_shape(v, np.shape(out.data if isinstance(out, Node) else out), op, "v", "f(x)")
    grads = _backprop(out, nodes, v, record and nested)
    return _result_value(out, nested), tuple(_result_grad(g, n, nested)
                                             for g, n in zip(grads, nodes))


def _value_and_grad(f, argnums, args, kwargs, op, create_graph=False):
    nums, single = _argnums(argnums, len(args), op)
    record = is_grad_enabled()
    call_args, nodes, nested, stops = _prepare(args, kwargs, nums, op, wanted=create_graph)
    with _tracing():
        out = f(*call_args, **kwargs)
    _check_output(out, op, (Tensor, Value))
    size = np.size(out.data if isinstance(out, Node) else out)
    if size != 1:
        raise ScalarOutputError(
            f"{op}: f must return a scalar (a one-element Tensor), but it returned shape "
            f"{np.shape(_data(out))}; use jacobian(f) for functions with array outputs, or "
            f"reduce the output (e.g. .sum()) first")
    grads = _backprop(out, nodes, 1.0, record and nested, stops)
    results = tuple(_result_grad(g, n, nested) for g, n in zip(grads, nodes))
    return _result_value(out, nested), (results[0] if single else results)


# ***** small helpers *****


class _Depth(threading.local):
    value = 0  # how many transforms are running `f` in this thread right now


_depth = _Depth()


@contextlib.contextmanager
def _tracing():
    """Run `f` with grad mode on, one transform deeper (even inside `no_grad()`)."""
    _depth.value += 1
    try:
        with enable_grad():
            yield
    finally:
        _depth.value -= 1


def _nested(*args, wanted=False):
    """Return nodes (differentiable again) rather than arrays? Only when some argument is a
    node and either another transform called this one or the caller asked
    (`create_graph=True`, `wanted`): otherwise results are NumPy arrays."""
    return (wanted or _depth.value > 0) and any(isinstance(a, Node) for a in args)



def _seed(out, v, create_graph):
    """The upstream gradient for `engine.backward` from `out`, in the form it needs."""
    if isinstance(out, Value):
        v = v if isinstance(v, Value) else float(_data(v))
        return Value(v, requires_grad=False) if create_graph and not isinstance(v, Value) else v
    if isinstance(v, Tensor):
        return v if create_graph else v.data
    arr = np.broadcast_to(np.asarray(v, dtype=out.dtype), out.shape)
    return Tensor._result(arr, None) if create_graph else arr


def _result_grad(g, node, as_node):
    """A gradient as returned to the user: an array, or a node for node arguments."""
    if g is None:
        return _zeros(node.data, as_node, like=node)
    if as_node:
        if isinstance(g, Node):
            return g
        return Value(g, requires_grad=False) if isinstance(node, Value) \
            else Tensor._result(np.asarray(g), None)
    return np.asarray(_data(g))


def _result_value(out, as_node):
    if as_node:
        return out if isinstance(out, Node) else Tensor(np.asarray(out))
    return np.asarray(_data(out))


def _zeros(data, as_node, like=None):
    if isinstance(like, Value) and as_node:
        return Value(0.0, requires_grad=False)
    z = np.zeros(np.shape(data), dtype=np.asarray(data).dtype)
    return Tensor._result(z, None) if as_node else z


def _assemble(row, out_shape, node, as_node):
    """Stack the Jacobian rows of one argument into shape `out_shape + arg_shape`."""
    shape = tuple(out_shape) + node.shape
    if not as_node:
        if not row:
            return np.zeros(shape, dtype=node.dtype)
        return np.stack([np.zeros(node.shape, node.dtype) if g is None else np.asarray(_data(g))
                         for g in row]).reshape(shape)
    if not row:
        return Tensor._result(np.zeros(shape, dtype=node.dtype), None)
    return stack([_result_grad(g, node, True) for g in row]).reshape(shape)


def _inner(a, v):
    """sum(a * v), the scalar whose gradient turns a gradient into a product with v."""
    if a is None:
        return None
    return (a * v).sum()


def _node_or_none(g):
    return g if isinstance(g, Node) and g.requires_grad else None


def _data(x):
    return x.data if isinstance(x, Node) else x


def _shape_of(x, op):
    return as_array(_data(x), op, "x").shape


def _check_shape(v, shape, op, v_name, like_name):
    v_shape = as_array(_data(v), op, v_name).shape
    if v_shape != tuple(shape):
        raise ValueError(f"{op}: {v_name} has shape {v_shape}, but {like_name} has shape "
                         f"{tuple(shape)}; they must be equal")


def _check_output(out, op, kinds):
    if out is None:
        raise TypeError(f"{op}: f returned None; it must return a Tensor (did it forget "
                        f"`return`?)")
    if isinstance(out, Node):
        if not isinstance(out, kinds):
            raise TypeError(f"{op}: f returned a {type(out).__name__}, which this transform "
                            f"does not support")
        return
    try:
        np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: f must return a Tensor, got {type(out).__name__}") from None


def _check_callable(f, op):
    if not callable(f):
        raise TypeError(f"{op}: the first argument must be a function, got {type(f).__name__}")


def _is_int(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _argnums_tuple(argnums, op):
    nums = tuple(argnums) if isinstance(argnums, (tuple, list)) else None
    if not nums or not all(_is_int(i) for i in nums):
        raise TypeError(f"{op}: argnums must be an int or a non-empty tuple of ints, got "
                        f"{argnums!r}")
    if len(set(nums)) != len(nums):
        raise ValueError(f"{op}: argnums {argnums!r} repeats an argument")
    return nums


def _argnums(argnums, nargs, op):
    """Normalise `argnums` to a tuple of valid indices; also say whether it was one int."""
    single = _is_int(argnums)
    nums = (argnums,) if single else _argnums_tuple(argnums, op)
    fixed = []
    for i in nums:
        if not -nargs <= i < nargs:
            raise ValueError(f"{op}: argnums {argnums!r} asks for argument {i}, but the "
                             f"function was called with {nargs} positional argument(s)")
        fixed.append(int(i) % nargs)
    if len(set(fixed)) != len(fixed):
        raise ValueError(f"{op}: argnums {argnums!r} repeats an argument")
    return tuple(fixed), single


def _named(wrapper, f, op):
    """Give the returned function a helpful name, e.g. `grad(loss)`."""
    name = getattr(f, "__name__", type(f).__name__)
    wrapper.__name__ = wrapper.__qualname__ = f"{op}({name})"
    return wrapper
