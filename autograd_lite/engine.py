"""The one backward driver shared by the scalar (`Value`) and tensor (`Tensor`) engines.

This module knows about graphs, never about numbers: it imports neither NumPy nor
`math`. A front end (`Value`, `Tensor`) subclasses `Node`; each operation subclasses
`Function` with a `forward` rule and a `backward` rule side by side. `backward()` below
walks the graph once, in topological order, and applies the chain rule.

Gradient semantics (see docs/architecture.md):
- leaves (nodes made by the user) ACCUMULATE `.grad` across backward calls, and so do
  interior nodes that retain grads (every `Value` does, a `Tensor` after `retain_grad()`);
- unless `retain_graph=True`, each operation is marked released once its rule has run,
  and a later backward through it raises `GraphReleasedError`.
"""

import functools
import inspect
import threading

__all__ = [
    "Node",
    "Function",
    "ScalarFunction",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "backward",
    "walk",
    "topological_order",
    "data_of",
    "GraphReleasedError",
    "ModifiedInPlaceError",
]


class GraphReleasedError(RuntimeError):
    """Raised when backward runs through a graph that an earlier backward released.

    >>> from autograd_lite import Value
    >>> y = Value(2.0) * 3
    >>> y.backward()
    >>> y.backward()
    Traceback (most recent call last):
    ...
    autograd_lite.engine.GraphReleasedError: backward through '*' a second time: ...
    """


class ModifiedInPlaceError(RuntimeError):
    """Raised when backward needs data that was changed in place after the forward pass.

    >>> from autograd_lite import Tensor, no_grad
    >>> w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    >>> loss = (w * w).sum()
    >>> with no_grad():
    ...     w -= 0.1                       # an update between forward and backward
    >>> loss.backward()
    Traceback (most recent call last):
    ...
    autograd_lite.engine.ModifiedInPlaceError: backward: input 0 'w' of 'mul' ... modified in place ...
    """


# ----- grad mode: one flag per thread -----


class _GradMode(threading.local):
    enabled = True


_mode = _GradMode()

# How many threads have grad mode off right now. Reading the thread-local flag costs more
# than a whole scalar operation's bookkeeping, so hot paths test `grad_enabled()`'s first
# half, this plain global, and read the flag only while some thread is inside `no_grad()`.
_threads_without_grad = 0
_mode_lock = threading.Lock()


def _set_mode(enabled):
    """Set this thread's grad mode, keeping `_threads_without_grad` up to date."""
    global _threads_without_grad
    if _mode.enabled != enabled:
        _mode_lock.acquire()
        _threads_without_grad += -1 if enabled else 1
        _mode_lock.release()
        _mode.enabled = enabled

# How many times some node's data was changed in place (any node, any thread): bumped by
# `data_changed()` after a version counter moved. An operation records this count; while it
# is unchanged, none of the operation's inputs can have changed, and backward need not
# compare their versions one by one.
_changes = 0


def data_changed():
    """Count an in-place change of node data; call it after bumping the node's version."""
    global _changes
    _changes += 1


# Set by `detect_anomaly()` (autograd_lite/anomaly.py) to an object whose `forward(fn,
# parents, out)` and `backward(fn, grads)` check every step; None costs one global lookup.
_anomaly = None


def is_grad_enabled():
    """Whether operations run now record a graph (False inside `no_grad()`).

    >>> from autograd_lite import is_grad_enabled, no_grad
    >>> with no_grad():
    ...     print(is_grad_enabled())
    False
    """
    return not _threads_without_grad or _mode.enabled


class _set_grad_enabled:
    """Context manager and decorator that sets grad mode and restores it on exit."""

    def __init__(self, enabled):
        self.enabled = enabled
        self._saved = []

    def __enter__(self):
        self._saved.append(_mode.enabled)
        _set_mode(self.enabled)
        return self

    def __exit__(self, *exc):
        _set_mode(self._saved.pop())
        return False

    def __call__(self, func):
        enabled = self.enabled
        # a fresh context per call (and per generator step): thread-safe
        return decorate(func, lambda: _set_grad_enabled(enabled))


def decorate(func, make_context):
    """Wrap `func` so that its body runs inside `with make_context():`.

    For a generator function the context is entered around each step of the generator
    (each `next`, `send`, `throw` and `close`), and left while the caller runs, so
    `@no_grad()` holds inside the generator's body, as in PyTorch.
    """
    if inspect.isgeneratorfunction(func):
        @functools.wraps(func)
        def generator(*args, **kwargs):
            gen = func(*args, **kwargs)
            try:
                with make_context():
                    item = gen.send(None)
                while True:
                    try:
                        sent = yield item
                    except GeneratorExit:
                        with make_context():
                            gen.close()
                        raise
                    except BaseException as err:
                        with make_context():
                            item = gen.throw(err)
                    else:
                        with make_context():
                            item = gen.send(sent)
            except StopIteration as stop:
                return stop.value

        return generator

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with make_context():
            return func(*args, **kwargs)

    return wrapper


def no_grad(func=None):
    """Record no graph inside this block or decorated function; the state is per thread.

    Works as `with no_grad():`, `@no_grad()` and `@no_grad`.

    >>> from autograd_lite import Tensor, no_grad
    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """
    return _set_grad_enabled(False) if func is None else _set_grad_enabled(False)(func)


def enable_grad(func=None):
    """Record graphs again inside a `no_grad()` block; also a decorator, like `no_grad`.

    >>> from autograd_lite import Tensor, enable_grad, no_grad
    >>> w = Tensor([1.0], requires_grad=True)
    >>> with no_grad():
    ...     with enable_grad():
    ...         y = w * 2
    >>> y.requires_grad
    True
    """
    return _set_grad_enabled(True) if func is None else _set_grad_enabled(True)(func)


# ----- nodes and operations -----


class Node:
    """Base of `Value` and `Tensor`: data, gradient, and the operation that made it.

    Every node has `data`, `grad`, `requires_grad`, `label`, `_hooks` (None or a list),
    `_retains_grad`, and `_ctx`: the `Function` that produced it (its `parents` are the
    inputs), or None for a leaf. Each front end stores these as it likes: a `Tensor` in
    slots, a `Value` (one object per scalar operation) mostly in a leaner form of its own.
    Nodes hash by identity, so the driver can key dictionaries by node even when `==` is
    elementwise.

    A front end whose data can change in place (a `Tensor`) also gives each node `_vc`, its
    version counter (a one-element list shared by all views of the same memory), and
    records the inputs' versions in `Function.versions` at forward time, with the count of
    changes so far in `Function.changes_seen`, so that backward can refuse data changed
    since. Every change of a version must be followed by `data_changed()`.
    """

    __slots__ = ()

    __hash__ = object.__hash__

    # True for front ends whose nodes take the scalar fast path (`_scalar_backward`).
    _scalar = False

    @property
    def is_leaf(self):
        """True for nodes made by the user (or under no_grad), False for operation results."""
        return self._ctx is None

    @property
    def grad_fn(self):
        """The `Function` that produced this node, or None for a leaf."""
        return self._ctx

    def register_hook(self, hook):
        """Call `hook(grad)` when this node's gradient is computed; a non-None return replaces it.

        Returns a handle whose `remove()` unregisters the hook.
        """
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a node that does not "
                               "require grad")
        if not callable(hook):
            raise TypeError(f"register_hook: hook must be a function of the gradient, got "
                            f"{hook!r}")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _HookHandle(self._hooks, hook)

    def retain_grad(self):
        """Keep this interior node's gradient in `.grad` after backward (leaves always do)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: cannot retain the grad of a node that does not "
                               "require grad")
        self._retains_grad = True
        return self

    # Front ends define how to wrap raw results and constants: the engine never creates
    # numbers itself.

    @classmethod
    def _constant(cls, x, like):
        """Wrap a plain number or array `x` as a constant node compatible with `like`."""
        raise NotImplementedError

    def _add_grad(self, g):
        """Add `g` to `.grad` (set it if None); return what `.grad` held before and what it
        holds now. A front end may store it differently (a `Tensor` turns a NumPy scalar
        into an array)."""
        held = self.grad
        self.grad = g = g if held is None else added_grad(self, held, g)
        return held, g

    @classmethod
    def _result(cls, data, ctx, parents=()):
        """Wrap the raw output of an operation; `ctx` is its Function or None (no graph).
        `parents` are the operation's inputs, when its result may view their memory."""
        raise NotImplementedError


class _HookHandle:
    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class Function:
    """One operation: `forward` on raw data and `backward` (its chain rule) side by side.

    Subclasses implement:
    - `forward(self, *xs)`: raw inputs (floats or arrays) in, raw output out. It may store
      non-differentiable facts on `self` (an axis, an index, a mask), never nodes.
    - `backward(self, g, out, *xs)`: the upstream gradient `g`, this operation's output and
      its inputs in, one gradient per input out (a bare value for one input; None for "no
      gradient"). Rules read `self.needs_input_grad` to skip work nobody needs, and never
      touch `.grad`.

    On a first-order pass the driver hands `backward` raw data, so it runs at NumPy speed.
    With `create_graph=True` it hands the nodes themselves, and the same rule, written with
    operators and engine operations, records the graph of the gradient: that is how second
    derivatives work without a second set of rules.
    """

    __slots__ = ("parents", "released", "created_at")

    # Set by front ends that can change data in place: the inputs' versions at forward time.
    versions = None

    # Name shown by repr and draw_graph; subclasses may override `name` for parameters.
    @property
    def name(self):
        return type(self).__name__.lower()

    @classmethod
    def apply(cls, *parents, **params):
        """Run the operation on nodes `parents`, recording it in the graph if grad is needed.

        Front ends coerce plain numbers into nodes before calling this.

        >>> from autograd_lite import Tensor
        >>> from autograd_lite.ops import Sum
        >>> Sum.apply(Tensor([[1.0, 2.0]]), axis=1)
        Tensor([3.])
        """
        fn = cls(**params)
        try:
            out = fn.forward(*[p.data for p in parents])
        except (ValueError, IndexError, TypeError) as err:
            raise _explain(fn, parents, err) from None
        if _anomaly is not None:
            _anomaly.forward(fn, parents, out)
        if not _threads_without_grad or _mode.enabled:
            for p in parents:
                if p.requires_grad:
                    fn.parents = parents
                    fn.released = False
                    return parents[0]._result(out, fn, parents)
        return parents[0]._result(out, None, parents)

    @classmethod
    def apply2(cls, a, b):
        """`apply` for the common case of two inputs and no parameters, with less overhead."""
        fn = cls()
        try:
            out = fn.forward(a.data, b.data)
        except (ValueError, IndexError, TypeError) as err:
            raise _explain(fn, (a, b), err) from None
        if _anomaly is not None:
            _anomaly.forward(fn, (a, b), out)
        if (a.requires_grad or b.requires_grad) and (not _threads_without_grad or _mode.enabled):
            fn.parents = (a, b)
            fn.released = False
            return a._result(out, fn)
        return a._result(out, None)

    @classmethod
    def apply1(cls, a):
        """`apply` for the common case of one input and no parameters, with less overhead."""
        fn = cls()
        try:
            out = fn.forward(a.data)
        except (ValueError, IndexError, TypeError) as err:
            raise _explain(fn, (a,), err) from None
        if _anomaly is not None:
            _anomaly.forward(fn, (a,), out)
        if a.requires_grad and (not _threads_without_grad or _mode.enabled):
            fn.parents = (a,)
            fn.released = False
            return a._result(out, fn)
        return a._result(out, None)

    @classmethod
    def call(cls, *args, **params):
        """Apply to nodes (recording a graph) if any argument is a node, else compute on raw data.

        Backward rules use this for the operations they need (a sum, a scatter), so one rule
        serves first-order passes on raw arrays and `create_graph=True` passes on nodes.
        """
        for first in args:
            if isinstance(first, Node):
                nodes = [a if isinstance(a, Node) else first._constant(a, first) for a in args]
                return cls.apply(*nodes, **params)
        return cls(**params).forward(*args)

    @property
    def needs_input_grad(self):
        """One bool per input: does that input need a gradient from this operation?"""
        return tuple([p.requires_grad for p in self.parents])

    def vjp(self, g, out, xs):
        """Run `backward` and return one gradient per input (a tuple); front ends may extend it.

        The driver calls this with raw data (or with the nodes, under `create_graph=True`).

        >>> from autograd_lite.scalar_ops import Mul
        >>> Mul().vjp(1.0, 6.0, (2.0, 3.0))   # d(a*b) at a=2, b=3: (b, a)
        (3.0, 2.0)
        """
        grads = self.backward(g, out, *xs)
        return grads if type(grads) is tuple else (grads,)

    def __repr__(self):
        return f"<{self.name}>"


def _explain(fn, parents, err):
    """Re-raise a forward failure with the operation's name and its inputs' shapes and labels."""
    msg = str(err)
    if not msg.startswith(fn.name.split("(")[0] + ":"):  # our own messages name the op
        msg = f"{fn.name}: {msg}"
    inputs = []
    for p in parents:
        shape = getattr(p.data, "shape", None)
        text = f"shape {shape}" if shape is not None else repr(p.data)
        inputs.append(f"{text} {p.label!r}" if p.label else text)
    kind = next(k for k in (IndexError, TypeError, ValueError) if isinstance(err, k))
    return kind(f"{msg} [inputs: {'; '.join(inputs)}]")


def _released_error(fn, root):
    msg = (f"backward through '{fn.name}' a second time: its graph was already used by "
           "backward() and released")
    if root._ctx is not None and not root._ctx.released and looks_like_update(fn):
        # A fresh output whose graph reaches back into an old one through `w - lr * g`:
        # the learner's slip of updating a parameter outside no_grad().
        return GraphReleasedError(
            f"{msg}. This output was computed after that backward, from a result of "
            f"'{fn.name}' that a previous backward already went through: this is what "
            f"happens when a parameter is updated with `w = w - lr * w.grad` outside "
            f"no_grad(), so every update chains onto the last one. {UPDATE_ADVICE} "
            "(retain_graph=True is not the fix for that: each epoch would backprop through "
            "all the previous ones. It is the fix only when you mean to reuse a result of "
            "an earlier graph: then pass it to that graph's first backward().)")
    return GraphReleasedError(
        f"{msg}; pass retain_graph=True to the first backward() to backprop through it "
        "twice")


UPDATE_ADVICE = ("Update the parameter's data instead, so that it stays a leaf: "
                 "`w.data -= lr * w.grad` (for a Tensor, `with no_grad(): w -= lr * w.grad` "
                 "does the same).")


def looks_like_update(fn):
    """Whether `fn` is `w - c` or `w + c` (an update step): one input requires grad, and the
    other, a constant such as `lr * w.grad`, has its shape (`x - 1` on an array is not)."""
    if fn.name not in ("-", "+", "sub", "add") or len(fn.parents) != 2:
        return False
    a, b = fn.parents
    return (a.requires_grad != b.requires_grad
            and getattr(a.data, "shape", None) == getattr(b.data, "shape", None))


# ----- traversal -----


def walk(root):
    """Return `(nodes, edges)` reachable from `root`: nodes root first, each once.

    `edges` lists `(parent, child)` pairs, one per use (so `a * a` has two). This is the
    graph walk shared by `draw_graph`; it is iterative, so any depth works.
    """
    nodes = topological_order(root)[::-1]
    edges = [(p, node) for node in nodes if node._ctx is not None for p in node._ctx.parents]
    return nodes, edges


def topological_order(root, requiring_grad=False, boundary=None):
    """Every node reachable from `root`, each after all of its inputs (so `root` is last).

    An iterative depth-first search: inputs are visited in argument order, so the order
    (and with it the order of float sums in backward) is the same on every run. With
    `requiring_grad`, only nodes that need a gradient are visited; nodes in the set
    `boundary` are listed but not looked behind.

    >>> from autograd_lite import Value
    >>> a = Value(2.0, label="a")
    >>> [n.grad_fn.name if n.grad_fn else n.data for n in topological_order(a * 3 + a)]
    [2.0, 3.0, '*', '+']
    """
    return _search(root, requiring_grad, boundary)


def _search(root, requiring_grad, boundary, backward_from=None):
    """`topological_order`; with `backward_from` (the root of a backward pass), also fail,
    before anything is stored, on an operation that cannot be backpropagated: released by
    an earlier pass, or with an input changed in place since it was used."""
    # Each open node sits on the stack with an iterator over its inputs: the search resumes
    # where it left off, as a recursive one would, without Python's recursion limit.
    order, seen = [], {root}
    ctx = root._ctx
    if ctx is None or (boundary is not None and root in boundary):
        return [root]
    if backward_from is not None:
        _check_usable(ctx, backward_from, root)
    stack = [(root, iter(ctx.parents))]
    while stack:
        node, inputs = stack[-1]
        for p in inputs:
            if p not in seen and (p.requires_grad or not requiring_grad):
                seen.add(p)
                ctx = p._ctx
                if ctx is not None and (boundary is None or p not in boundary):
                    # _check_usable's own first tests, inline: most operations pass them
                    if backward_from is not None and (ctx.released or (
                            ctx.versions is not None and ctx.changes_seen != _changes)):
                        _check_usable(ctx, backward_from, p)
                    stack.append((p, iter(ctx.parents)))  # visit p's inputs first
                    break
                order.append(p)  # a leaf (or a boundary node): nothing behind it
        else:  # every input is placed
            stack.pop()
            order.append(node)
    return order


def _check_usable(ctx, root, node):
    """Fail if backward from `root` cannot run `ctx`'s rule: released, or an input or its
    result `node` changed in place since it ran (rules read both: relu's reads its result)."""
    if ctx.released:
        raise _released_error(ctx, root)
    if ctx.versions is not None and ctx.changes_seen != _changes:  # some data changed
        for p, seen in zip(ctx.parents, ctx.versions):
            if p._vc[0] != seen:
                raise _modified_error(ctx, p, seen)
        if node._vc[0] != ctx.out_version:
            raise _result_modified_error(ctx, node)


# ----- the driver -----


def backward(root, seed, retain_graph=False, create_graph=False, inputs=None, stop=(),
             _trace=None):
    """Back-propagate `seed` (dL/droot) from `root` to every node that requires grad.

    Nodes are processed in reverse topological order, so every use of a node has sent its
    gradient before the node's own rule runs: each rule sees the complete dL/dnode. The
    front end makes the seed (`1.0` for a Value, ones for a one-element Tensor).

    With `inputs` (a sequence of nodes), nothing is stored in any `.grad`: the pass
    returns the inputs' gradients as a list (None where no path leads), as
    `torch.autograd.grad` does, and does not look behind the nodes in `stop`. The function
    transforms (`autograd_lite.functional`) are built on this.

    `_trace` (private, used by `viz.step_through`) is called as `_trace(node, g, pgrads)`
    each time a rule has run: the node, its complete upstream gradient and the gradients
    its rule sends to its parents (in the order of its inputs), before they are added up.
    """
    if not root.requires_grad:
        raise RuntimeError(
            "backward: this node does not require grad, so no graph was recorded for it; "
            "make a leaf with requires_grad=True (and not inside no_grad()) first")
    if (root._scalar and not create_graph and inputs is None and not stop and _trace is None
            and _anomaly is None and _scalar_backward(root, seed, retain_graph)):
        return None
    boundary = set(stop) if stop else None
    wanted = None if inputs is None else set(inputs)
    # every node to visit, each after its inputs; fails before anything is stored if the
    # graph cannot be used
    order = _search(root, True, boundary, backward_from=root)
    grads = {root: seed}  # in-flight gradients; a node's entry is complete when it is popped
    found = {}  # with `inputs`: their gradients
    stored = {id(seed)}  # ids of arrays that must be copied before storing: the caller's
    # seed, and arrays already stored on a node in this pass
    to_store = []  # (node, gradient) for the .grad of leaves and retaining nodes
    mode = _mode.enabled
    if mode != create_graph:
        _set_mode(bool(create_graph))  # rules record a graph only for create_graph
    try:
        for node in reversed(order):
            g = grads.pop(node, None)
            if g is None:  # no path from root reached this node with a gradient
                continue
            if node._hooks:
                g = _run_hooks(node, g, stored)
            ctx = node._ctx
            if wanted is not None:  # gradients wanted for `inputs`: store nothing
                if node in wanted:
                    found[node] = g = _own(g, stored)
                    stored.add(id(g))
                if ctx is None or (boundary is not None and node in boundary):
                    continue
            elif ctx is None or node._retains_grad:  # store: leaves and retaining nodes
                if g.__class__ is float and ctx is not None:  # an interior Value: hot path
                    node.grad = g if node.grad is None else node.grad + g
                else:  # stored at the end of the pass, once every rule has run
                    to_store.append((node, g))
                if ctx is None:
                    continue
            parents = ctx.parents
            if create_graph:  # the rule sees nodes, so its own operations are recorded
                pgrads = ctx.vjp(g, node, parents)
            elif len(parents) == 2:  # the common arities, unrolled: this loop is hot
                a, b = parents
                pgrads = ctx.vjp(g, node.data, (a.data, b.data))
            elif len(parents) == 1:
                pgrads = ctx.vjp(g, node.data, (parents[0].data,))
            elif len(parents) == 3:  # x @ w + b
                a, b, c = parents
                pgrads = ctx.vjp(g, node.data, (a.data, b.data, c.data))
            else:
                pgrads = ctx.vjp(g, node.data, [p.data for p in parents])
            if len(pgrads) != len(parents):
                raise TypeError(f"backward of '{ctx.name}' returned {len(pgrads)} gradient(s) "
                                f"for {len(parents)} input(s); return one per input (None "
                                "for no gradient)")
            if _anomaly is not None:
                _anomaly.backward(ctx, pgrads)
            if not retain_graph:
                ctx.released = True
            if _trace is not None:  # the one observer hook: see viz.step_through
                _trace(node, g, pgrads)
            for p, gp in zip(parents, pgrads):
                if gp is not None and p.requires_grad:
                    old = grads.get(p)
                    # out of place: gp may be shared with another input
                    grads[p] = gp if old is None else old + gp
        if to_store:
            _store(to_store, stored)
    finally:
        if mode != create_graph:
            _set_mode(mode)
    if inputs is not None:
        return [found.get(node) for node in inputs]


# ----- the scalar fast path -----
#
# `backward()` above is the general driver: it serves every Tensor and every Value pass
# that needs more than plain first-order gradients. A first-order pass over Values (no
# create_graph, no `inputs`, no hooks, no anomaly detection, no step-through `_trace`,
# nothing released) runs here
# instead, because a scalar graph has one node per number and the general driver's
# bookkeeping would cost more than the arithmetic. Both apply the same rules in the same
# order, so they give the same floats.
#
# A scalar node stores its operation's shared, stateless rule in `_op` and its inputs in
# `_a` and `_b` (`_b` is None for one input, and a plain float for a number such as the
# 2 in `x * 2` until someone asks for the `parents`), so one object is made per
# operation. A leaf that requires grad has `_op = LEAF` and `_a = None`; a constant has
# `_op = None`, so `requires_grad` is `_op is not None`. `_mark` is 0; or RELEASED once a pass has used
# the node, HOOKED if it has hooks (the general driver runs those); during a pass it marks
# the nodes the search has reached (OPEN) and placed (DONE), instead of a set.

HOOKED, RELEASED, OPEN, DONE = -1, 1, 2, 3
LEAF = "leaf"


class ScalarFunction(Function):
    """Base of the scalar rules (`autograd_lite.scalar_ops`): a stateless rule, so one
    shared object per class (`Mul.rule`) serves every Value made by that operation.

    A `Value` made by an operation keeps the rule and its inputs itself. Bound to such a
    Value (`value.grad_fn`), a rule object reads that node's inputs (`parents`) and state
    (`released`, `created_at`), like a `Function` instance; the shared one is bound to
    nothing and computes every input's gradient. Each rule's one-line docstring gives its
    derivative, e.g. "a * b;  d/da = b, d/db = a."
    """

    __slots__ = ("_node",)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.rule = cls()

    def __init__(self, node=None):
        self._node = node

    @property
    def parents(self):
        node = self._node
        b = node._b
        if b is None:
            return (node._a,)
        if b.__class__ is float:  # a number kept raw: from now on, a constant node
            b = node._b = node._constant(b, node)
        return (node._a, b)

    @property
    def released(self):
        return self._node._mark == RELEASED

    @released.setter
    def released(self, flag):
        self._node._mark = RELEASED if flag else 0

    @property
    def created_at(self):
        return self._node._created_at

    @created_at.setter
    def created_at(self, site):
        self._node._created_at = site

    @property
    def needs_input_grad(self):
        if self._node is None:  # the shared rule on a first-order pass: every input
            return (True, True)
        return tuple(p.requires_grad for p in self.parents)

    @classmethod
    def apply(cls, *parents):
        """Run the rule on Values, recording it in the graph if a gradient is needed."""
        return parents[0]._record(cls.rule, *parents)

    apply1 = apply2 = apply

    @classmethod
    def call(cls, *args):
        """The rule on Values (recorded, see `apply`) or on plain floats."""
        for first in args:
            if isinstance(first, Node):
                nodes = [a if isinstance(a, Node) else first._constant(a, first) for a in args]
                return first._record(cls.rule, *nodes)
        return cls.rule.forward(*args)

    def __eq__(self, other):  # two views of one node's operation are equal
        return type(self) is type(other) and self._node is other._node

    def __hash__(self):
        return hash((type(self), id(self._node)))


def _scalar_backward(root, seed, retain_graph):
    """Back-propagate the float `seed` through a graph of scalar nodes; False if the
    general driver must do it (a hook, a released node, an operation of another kind)."""
    with _accumulate_lock:  # one pass at a time: the marks live on shared nodes
        # `.grad` accumulates across passes, but each rule must see only this pass's
        # gradient: nodes that already hold one start from 0 and get it back at the end.
        held = []
        order = _scalar_order(root, held)
        if order is None:
            return False
        held = [(node, node.grad) for node in held]
        for node, _ in held:
            node.grad = 0.0
        done = RELEASED if not retain_graph else 0
        root.grad = seed
        try:
            for node in reversed(order):  # the chain rule, one node at a time
                a = node._a
                if a is None:  # a leaf: its gradient is complete
                    node._mark = 0
                    continue
                b = node._b
                if b is None:
                    ga = node._op.backward(node.grad, node.data, a.data)
                    if a._op is not None:  # a requires grad
                        a.grad += ga
                elif b.__class__ is float:  # a constant number
                    ga = node._op.backward(node.grad, node.data, a.data, b)[0]
                    if a._op is not None:
                        a.grad += ga
                else:
                    ga, gb = node._op.backward(node.grad, node.data, a.data, b.data)
                    if a._op is not None:
                        a.grad += ga
                    if b._op is not None:
                        b.grad += gb
                node._mark = done
        except BaseException:  # (an interrupt): leave no marks, as the general driver
            _unmark(order)
            raise
        finally:
            for node, g in held:
                node.grad = g + node.grad
    return True


def _scalar_order(root, held):
    """`topological_order(root, requiring_grad=True)` for scalar nodes, with marks on the
    nodes instead of a set; None (and no marks left) if the fast path cannot be used.
    Nodes that hold a gradient already are appended to `held`."""
    order, stack = [], [root]
    while stack:
        node = stack.pop()
        mark = node._mark
        if mark:
            if mark == OPEN:  # every input is placed now: place the node
                node._mark = DONE
                order.append(node)
            elif mark != DONE:  # released, or hooked: for the general driver
                break
            continue  # DONE: reached twice, placed once
        if node.grad:
            if node.grad.__class__ is not float:  # a gradient with a graph (create_graph)
                break
            held.append(node)
        node._mark = OPEN  # first visit: come back once the inputs are placed
        stack.append(node)
        a = node._a
        if a is not None:
            b = node._b
            if b is not None and b.__class__ is not float and b._op is not None and (
                    b._mark < OPEN):
                stack.append(b)
            if a._op is not None and a._mark < OPEN:
                stack.append(a)
        elif node._op is not LEAF:  # a general Function, which keeps its inputs itself
            break
    else:
        return order
    _unmark(order)
    _unmark(stack)
    return None


def _unmark(nodes):
    """Clear the visit marks a pass left on `nodes`."""
    for node in nodes:
        if node._mark > RELEASED:
            node._mark = 0


def _modified_error(ctx, p, seen):
    """The error for input `p` of `ctx`, changed in place (from version `seen`) after the
    forward pass used it."""
    i = next(i for i, q in enumerate(ctx.parents) if q is p)
    label = f" {p.label!r}" if p.label else ""
    return ModifiedInPlaceError(
        f"backward: input {i}{label} of '{ctx.name}' (shape "
        f"{getattr(p.data, 'shape', ())}) was modified in place after the forward "
        f"pass used it (version {seen}, now {p._vc[0]}), for example by an "
        "optimizer step between forward and backward; its gradient would be wrong. "
        "Run the forward pass again after changing the data.")


def _result_modified_error(ctx, node):
    """The error for the result `node` of `ctx`, changed in place after `ctx` computed it."""
    label = f" {node.label!r}" if node.label else ""
    return ModifiedInPlaceError(
        f"backward: the result{label} of '{ctx.name}' (shape "
        f"{getattr(node.data, 'shape', ())}) was changed in place after it was computed "
        f"(version {ctx.out_version}, now {node._vc[0]}), e.g. by `t[...] = ...` or `t += ...` "
        f"inside no_grad(), or through a view of it; the recorded operation no longer "
        f"describes its values, so gradients through it would be wrong. Change a copy "
        f"instead (`t = t.clone()` first), or make the change out of place "
        f"(`t = t * mask`) while the graph is recorded.")


def _run_hooks(node, g, stored):
    """Pass `g` through the node's hooks; a hook may return a replacement of the same shape."""
    for hook in tuple(node._hooks):  # a hook may remove itself
        if hasattr(g, "flags"):  # an array, maybe shared with other gradients (`a + b`):
            g = _read_only(g)    # changing it in place must fail loudly, not change them
        try:
            replaced = hook(g)
        except ValueError as err:
            if "read-only" not in str(err):
                raise
            raise ValueError(
                f"hook {hook!r} changed the gradient it was given in place; that array may "
                f"be shared with other gradients (both inputs of `a + b` get the same one), "
                f"which would silently change too. Return a new gradient instead, e.g. "
                f"`lambda g: g * 2` rather than `g *= 2`") from None
        if replaced is not None:
            shape, new_shape = getattr(g, "shape", None), getattr(replaced, "shape", None)
            if new_shape != shape:
                raise ValueError(f"hook {hook!r} returned a gradient of shape {new_shape} for "
                                 f"a node of shape {shape}; it must keep the shape")
            g = replaced
            stored.add(id(g))  # the hook's caller may hold it: store a copy, never it
    return g


def _read_only(g):
    """A read-only view of the array `g` (`g` itself for a NumPy scalar, immutable anyway)."""
    view = g.view()
    try:
        view.flags.writeable = False
    except ValueError:
        return g
    return view


def data_of(x):
    """The raw data of a node, or `x` itself: rules use it for masks, which are constants.

    >>> from autograd_lite import Value
    >>> data_of(Value(2.0)), data_of(3.0)
    (2.0, 3.0)
    """
    return x.data if isinstance(x, Node) else x


_accumulate_lock = threading.Lock()  # backward passes in two threads may share leaves


def _store(pairs, stored):
    """Add each gradient `g` of `pairs` to its node's `.grad` (gradients add up until reset,
    as in PyTorch). Done after every rule has run, and undone if one of them fails (a
    `.grad` set by hand to another shape), so a failing pass stores nothing.

    The first gradient stored must be private: rules may return one array for two inputs
    (`a + b`), a read-only broadcast view, or the caller's seed, and storing those as they
    are would let an in-place change of one `.grad` corrupt another.
    """
    with _accumulate_lock:
        helds = {}  # node -> what its .grad held before this pass, where it held something
        try:
            for node, g in pairs:
                held, g = node._add_grad(_own(g, stored))
                stored.add(id(g))
                if held is not None:
                    helds[node] = held
        except BaseException:
            for done, _ in pairs:  # undo the stores before the one that failed
                if done is node:
                    break
                done.grad = helds.get(done)
            raise


def added_grad(node, held, g):
    """`held + g`: the gradient `node.grad` already holds plus this pass's `g`, refused when
    the sum would not have `g`'s shape (a `.grad` set by hand to another shape)."""
    try:
        total = held + g
    except ValueError:  # shapes that do not broadcast
        total = None
    if total is None or getattr(total, "shape", ()) != getattr(g, "shape", ()):
        raise _held_grad_error(node, held, g) from None
    return total


def _held_grad_error(node, held, g):
    """The gradient already in `node.grad` (set by hand) cannot take this pass's `g`."""
    label = f" {node.label!r}" if getattr(node, "label", "") else ""
    return ValueError(
        f"backward: the gradient already stored in .grad of the tensor{label} has shape "
        f"{getattr(held, 'shape', ())}, but this backward pass gives one of shape "
        f"{getattr(g, 'shape', ())} (the tensor's shape); gradients add up in .grad, so set "
        f"it to None (or to zeros of that shape) before backward")


def _own(g, stored):
    """`g`, or a copy of it if it is a view or an array someone else already holds."""
    if g.__class__ is not float and not isinstance(g, Node) and (
            id(g) in stored or getattr(g, "base", None) is not None):
        return g.copy()
    return g
