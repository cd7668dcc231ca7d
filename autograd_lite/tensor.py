"""`Tensor`: the NumPy front end, on the shared backward driver.

Default dtype: a floating NumPy array keeps its dtype (float64 stays float64, float32
stays float32). Anything else (Python numbers and lists, integer or bool arrays) becomes
`DEFAULT_DTYPE`, float32, as in PyTorch, unless `dtype=` is given. Python numbers in an
operation take the tensor's dtype, so `x * 0.5` stays float32; mixing a float32 and a
float64 tensor gives float64 (NumPy's promotion), and each input's gradient is cast back
to that input's own dtype.
"""

import numpy as np

from . import checks
from . import engine
from . import ops
from .engine import Node

DEFAULT_DTYPE = np.dtype(np.float32)
"""The dtype of tensors made from Python numbers and lists, or integer and bool arrays."""


_GRAD_SLOT = Node.grad  # the slot that stores `.grad`; Tensor.grad wraps it


class Tensor(Node):
    """An n-dimensional array that records the operations made on it, to back-propagate.

    >>> import numpy as np
    >>> from autograd_lite import Tensor
    >>> w = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True, label="w")
    >>> loss = (w * w).sum()
    >>> loss.backward()
    >>> w.grad
    array([[2., 4.],
           [6., 8.]])
    """

    # `_version` counts in-place changes of `data` made through the framework (in-place
    # operators, optimizer steps); backward refuses to use data changed since the forward.
    __slots__ = ("_version",)

    @property
    def grad(self):
        """dL/d(self) after `backward()`: an array for leaves (and after `retain_grad()`),
        else None. Reading it on a result that backward() went through, made by `w - c`,
        raises a TypeError that explains the update-outside-no_grad() slip."""
        g = _GRAD_SLOT.__get__(self)
        ctx = self._ctx
        if (g is None and ctx is not None and ctx.released and not self._retains_grad
                and engine.looks_like_update(ctx)):
            # Most likely `w = w - lr * w.grad` ran outside no_grad(): say so instead of
            # returning None into the next `lr * w.grad`.
            label = f" {self.label!r}" if self.label else ""
            raise TypeError(
                f"grad: this tensor{label} is not a leaf but the result of "
                f"'{ctx.name}', so backward() stores no gradient in it (call retain_grad() "
                "before backward() to keep one). If it is a parameter updated with "
                "`w = w - lr * w.grad` outside no_grad(), that update made it a result. "
                f"{engine.UPDATE_ADVICE}")
        return g

    grad = grad.setter(Node.grad.__set__)

    def __init__(self, data, requires_grad=False, dtype=None, label=""):
        if isinstance(data, Tensor):
            data = data.data
        _check_data(data)
        if dtype is not None:
            dtype = checks.as_dtype(dtype, "Tensor")
        try:
            if dtype is not None:
                data = np.asarray(data, dtype=dtype)
            elif isinstance(data, (np.ndarray, np.generic)) and data.dtype.kind == "f":
                data = np.asarray(data)
            else:
                data = np.asarray(data, dtype=DEFAULT_DTYPE)
        except (TypeError, ValueError) as err:
            raise checks.data_error(type(self).__name__, "data", data, err) from None
        if data.dtype.kind not in "biufc":
            raise TypeError(f"Tensor: data must be numbers, got an array of dtype {data.dtype}")
        if requires_grad and data.dtype.kind not in "fc":
            raise TypeError(f"Tensor: only floating-point tensors can require grad, got dtype "
                            f"{data.dtype}")
        self.data = data
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._ctx = None
        self._hooks = None
        self._retains_grad = False  # interior tensors keep a gradient only if asked: memory
        self.label = label
        self._version = 0

    @classmethod
    def _result(cls, data, ctx):
        t = cls.__new__(cls)
        t.data = data if type(data) is np.ndarray else np.asarray(data)
        t.grad = None
        t.requires_grad = ctx is not None
        t._ctx = ctx
        t._hooks = None
        t._retains_grad = False
        t.label = ""
        t._version = 0
        if ctx is not None:
            ctx.versions = tuple([p._version for p in ctx.parents])
        return t

    @classmethod
    def _constant(cls, x, like):
        if isinstance(x, Tensor):
            return x
        _check_data(x)
        x = np.asarray(x)
        # Numbers (Python's or NumPy's, or 0-d arrays) take a floating tensor's dtype
        # (`x * 0.5` stays float32); arrays keep theirs, and NumPy's promotion decides.
        if x.ndim == 0 and like.data.dtype.kind == "f" and x.dtype.kind in "biuf":
            x = x.astype(like.data.dtype)
        if x.dtype.kind not in "biufc":
            raise TypeError(f"Tensor: cannot combine a tensor with {x.dtype} data")
        return cls._result(x, None)

    @staticmethod
    def _as_grad(g):
        return g if type(g) is np.ndarray or isinstance(g, Node) else np.asarray(g)

    @staticmethod
    def _nonfinite(x):
        """'nan', 'inf' or 'nan and inf' when the array `x` holds such values, else ''."""
        x = np.asarray(x)
        if x.dtype.kind not in "fc":
            return ""
        nan, inf = bool(np.isnan(x).any()), bool(np.isinf(x).any())
        return " and ".join(word for word, found in (("nan", nan), ("inf", inf)) if found)

    # ----- attributes -----

    @property
    def shape(self):
        """The size of each axis, as a tuple.

        >>> Tensor(np.zeros((2, 3))).shape
        (2, 3)
        """
        return self.data.shape

    @property
    def ndim(self):
        """The number of axes.

        >>> Tensor(np.zeros((2, 3))).ndim
        2
        """
        return self.data.ndim

    @property
    def dtype(self):
        """The NumPy dtype of the data.

        >>> Tensor([1.0]).dtype
        dtype('float32')
        """
        return self.data.dtype

    @property
    def size(self):
        """The number of elements.

        >>> Tensor(np.zeros((2, 3))).size
        6
        """
        return self.data.size

    @property
    def T(self):
        """The transpose (all axes reversed).

        >>> Tensor([[1.0, 2.0]]).T.shape
        (2, 1)
        """
        return ops.Transpose.apply(self)

    def __len__(self):
        return len(self.data)

    def item(self):
        """The single element as a Python number.

        >>> Tensor([[2.5]]).item()
        2.5
        """
        if self.data.size != 1:
            raise ValueError(f"item: only one-element tensors convert to a number, this one "
                             f"has shape {self.shape}")
        return self.data.item()

    def __array__(self, dtype=None, copy=None):
        """Let NumPy functions read a tensor as its data (`np.asarray(t)`, `np.allclose`)."""
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        return self.data if dtype is None else self.data.astype(dtype, copy=False)

    def numpy(self):
        """The data as a NumPy array (shared, not copied).

        >>> Tensor([1.0, 2.0]).numpy()
        array([1., 2.], dtype=float32)
        """
        return self.data

    def detach(self):
        """A new leaf sharing this data, cut off from the graph.

        >>> w = Tensor([1.0], requires_grad=True)
        >>> (w * 2).detach().requires_grad
        False
        """
        return Tensor._result(self.data, None)

    def astype(self, dtype):
        """The tensor cast to `dtype` (differentiable between floating dtypes).

        >>> Tensor([1.0]).astype(np.float64).dtype
        dtype('float64')
        """
        return ops.Cast.apply(self, dtype=checks.as_dtype(dtype, "astype"))

    # ----- arithmetic: each operator is one line naming its Function in autograd_lite.ops -----

    def __add__(self, other):
        return ops.Add.apply2(self, _tensor(other, self, "add"))

    def __radd__(self, other):  # other + self
        return ops.Add.apply2(_tensor(other, self, "add"), self)

    def __sub__(self, other):
        return ops.Sub.apply2(self, _tensor(other, self, "sub"))

    def __rsub__(self, other):  # other - self
        return ops.Sub.apply2(_tensor(other, self, "sub"), self)

    def __mul__(self, other):
        return ops.Mul.apply2(self, _tensor(other, self, "mul"))

    def __rmul__(self, other):  # other * self
        return ops.Mul.apply2(_tensor(other, self, "mul"), self)

    def __truediv__(self, other):
        return ops.Div.apply2(self, _tensor(other, self, "div"))

    def __rtruediv__(self, other):  # other / self
        return ops.Div.apply2(_tensor(other, self, "div"), self)

    def __pow__(self, other):
        return ops.Pow.apply2(self, _tensor(other, self, "pow"))

    def __rpow__(self, other):  # other ** self
        return ops.Pow.apply2(_tensor(other, self, "pow"), self)

    def __matmul__(self, other):
        return ops.Matmul.apply2(self, _tensor(other, self, "matmul"))

    def __rmatmul__(self, other):  # other @ self
        return ops.Matmul.apply2(_tensor(other, self, "matmul"), self)

    def __neg__(self):
        return ops.Neg.apply1(self)

    # In-place operators change `data` in place when no graph is being recorded (under
    # no_grad(), or when nothing requires grad), as in `with no_grad(): w -= lr * w.grad`;
    # while recording they make a new tensor, so a graph never sees data change, except
    # on a leaf that requires grad (a parameter), where that would lose it: an error.

    def __iadd__(self, other):
        return self._inplace(other, ops.Add, np.add)

    def __isub__(self, other):
        return self._inplace(other, ops.Sub, np.subtract)

    def __imul__(self, other):
        return self._inplace(other, ops.Mul, np.multiply)

    def __itruediv__(self, other):
        return self._inplace(other, ops.Div, np.true_divide)

    def _inplace(self, other, op, ufunc):
        other = _tensor(other, self, f"{op.name} (in place)")
        if engine.is_grad_enabled() and (self.requires_grad or other.requires_grad):
            if self.is_leaf and self.requires_grad:
                label = f" {self.label!r}" if self.label else ""
                raise RuntimeError(
                    f"{op.name} (in place): the tensor{label} is a leaf that requires grad, "
                    f"and changing it while graphs are recorded would make it a new, "
                    f"interior tensor; update parameters inside `with no_grad():` (as "
                    f"optimizers do)")
            return op.apply2(self, other)
        try:
            ufunc(self.data, other.data, out=self.data, casting="same_kind")
        except (ValueError, TypeError) as err:
            label = f" {self.label!r}" if self.label else ""
            raise ValueError(f"{op.name} (in place): cannot update the tensor{label} of shape "
                             f"{self.shape} {self.dtype} with shape {other.shape} "
                             f"{other.dtype}: {err}") from None
        self._version += 1
        return self

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.Abs.apply1(self)

    # ----- comparisons: elementwise, giving constant bool tensors -----

    __hash__ = Node.__hash__  # defining __eq__ would otherwise make tensors unhashable

    def __eq__(self, other):
        return _compare(self, other, np.equal, "==")

    def __ne__(self, other):
        return _compare(self, other, np.not_equal, "!=")

    def __lt__(self, other):
        return _compare(self, other, np.less, "<")

    def __le__(self, other):
        return _compare(self, other, np.less_equal, "<=")

    def __gt__(self, other):
        return _compare(self, other, np.greater, ">")

    def __ge__(self, other):
        return _compare(self, other, np.greater_equal, ">=")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """NumPy functions on Tensors (`np.exp(t)`, `array * t`): the engine's operation,
        differentiable, where there is one; comparisons give constant bool tensors."""
        if method != "__call__" or kwargs:
            return NotImplemented
        if ufunc in _COMPARISONS:
            return Tensor._result(ufunc(*[_data(x) for x in inputs]), None)
        if ufunc is np.square:
            ufunc, inputs = np.multiply, inputs * 2
        op = _UFUNCS.get(ufunc)
        if op is None:
            return NotImplemented  # NumPy then raises a TypeError naming the function
        args = [_tensor(x, self) for x in inputs]
        return op.apply2(*args) if len(args) == 2 else op.apply1(*args)

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(f"bool: a tensor of shape {self.shape} has {self.data.size} "
                             f"elements, so it has no single truth value; say which you mean: "
                             f"(t > 0).data.any() or (t > 0).data.all()")
        return bool(self.data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    # ----- elementwise functions -----

    def exp(self):
        """e ** x, elementwise.

        >>> Tensor([0.0, 1.0]).exp()
        Tensor([1.      , 2.718282])
        """
        return ops.Exp.apply1(self)

    def log(self):
        """Natural logarithm, elementwise (nan for negative data, -inf at 0, as NumPy).

        >>> Tensor([1.0, np.e]).log()
        Tensor([0., 1.])
        """
        return ops.Log.apply1(self)

    def sqrt(self):
        """Square root, elementwise.

        >>> Tensor([4.0, 9.0]).sqrt()
        Tensor([2., 3.])
        """
        return ops.Sqrt.apply1(self)

    def abs(self):
        """|x|, elementwise.

        >>> Tensor([-2.0, 3.0]).abs()
        Tensor([2., 3.])
        """
        return ops.Abs.apply1(self)

    def tanh(self):
        """Hyperbolic tangent, elementwise.

        >>> Tensor([0.0]).tanh()
        Tensor([0.])
        """
        return ops.Tanh.apply1(self)

    def sigmoid(self):
        """Logistic function 1 / (1 + e ** -x), elementwise, stable for large |x|.

        >>> Tensor([0.0, -1e4]).sigmoid()
        Tensor([0.5, 0. ])
        """
        return ops.Sigmoid.apply1(self)

    def relu(self):
        """max(x, 0), elementwise.

        >>> Tensor([-1.0, 2.0]).relu()
        Tensor([0., 2.])
        """
        return ops.Relu.apply1(self)

    def clip(self, min=None, max=None):
        """Limit the values to [min, max] (either may be None).

        >>> Tensor([-5.0, 0.5, 5.0]).clip(-1, 1)
        Tensor([-1. ,  0.5,  1. ])
        """
        if min is None and max is None:
            raise ValueError("clip: give at least one of min and max")
        for bound, name in ((min, "min"), (max, "max")):
            if bound is not None:
                checks.as_array(_data(bound), "clip", name)  # refuses strings, ragged lists
        return ops.Clip.apply(self, low=min, high=max)

    def softmax(self, axis=-1):
        """exp(x) / sum(exp(x)) along `axis`, computed without overflow.

        >>> Tensor([[0.0, 0.0], [1000.0, 0.0]]).softmax(axis=1)
        Tensor([[0.5, 0.5],
                [1. , 0. ]])
        """
        return ops.Softmax.apply(self, axis=axis)

    def log_softmax(self, axis=-1):
        """log(softmax(x)) along `axis`, computed without overflow or log(0).

        >>> Tensor([1000.0, 0.0]).log_softmax(axis=0)
        Tensor([    0., -1000.])
        """
        return ops.LogSoftmax.apply(self, axis=axis)

    # ----- reductions -----

    def sum(self, axis=None, keepdims=False, **numpy_args):
        """Sum over `axis` (int, tuple or None for all).

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).sum(axis=0)
        Tensor([4., 6.])
        """
        return _numpy_reduction(ops.Sum.apply(self, axis=axis, keepdims=keepdims),
                                "sum", numpy_args)

    def mean(self, axis=None, keepdims=False, **numpy_args):
        """Mean over `axis` (int, tuple or None for all).

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).mean(axis=1, keepdims=True)
        Tensor([[1.5],
                [3.5]])
        """
        return _numpy_reduction(ops.Mean.apply(self, axis=axis, keepdims=keepdims),
                                "mean", numpy_args)

    def max(self, axis=None, keepdims=False, **numpy_args):
        """Maximum over `axis`; tied maxima share the gradient evenly.

        >>> Tensor([[1.0, 5.0], [3.0, 4.0]]).max(axis=1)
        Tensor([5., 4.])
        """
        return _numpy_reduction(ops.Max.apply(self, axis=axis, keepdims=keepdims),
                                "max", numpy_args)

    def min(self, axis=None, keepdims=False, **numpy_args):
        """Minimum over `axis`; tied minima share the gradient evenly.

        >>> Tensor([[1.0, 5.0], [3.0, 4.0]]).min()
        Tensor(1.)
        """
        return _numpy_reduction(ops.Min.apply(self, axis=axis, keepdims=keepdims),
                                "min", numpy_args)

    # ----- shape -----

    def reshape(self, *shape):
        """The same data in a new shape; `t.reshape(2, 3)` or `t.reshape((2, 3))`.

        >>> Tensor(np.arange(6.0)).reshape(2, 3).shape
        (2, 3)
        """
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return ops.Reshape.apply(self, shape=tuple(shape))

    def transpose(self, *axes):
        """Permute the axes (reverse them when none are given).

        >>> Tensor(np.zeros((2, 3, 4))).transpose(1, 0, 2).shape
        (3, 2, 4)
        """
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = axes[0]
        return ops.Transpose.apply(self, axes=tuple(axes) if axes else None)

    def swapaxes(self, axis1, axis2):
        """Exchange two axes.

        >>> Tensor(np.zeros((2, 3, 4))).swapaxes(0, -1).shape
        (4, 3, 2)
        """
        order = list(range(self.ndim))
        a, b = (ops.normalize_axes(x, self.ndim, "swapaxes")[0] for x in (axis1, axis2))
        order[a], order[b] = order[b], order[a]
        return ops.Transpose.apply(self, axes=tuple(order))

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge the axes from `start_dim` to `end_dim` into one (all of them by default).

        >>> Tensor(np.zeros((64, 28, 28))).flatten(1).shape
        (64, 784)
        """
        if self.ndim == 0:
            return self.reshape(1)
        start, end = (ops.normalize_axes(x, self.ndim, "flatten")[0]
                      for x in (start_dim, end_dim))
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        shape = self.shape
        return self.reshape(shape[:start] + (-1,) + shape[end + 1:])

    def broadcast_to(self, shape):
        """The tensor broadcast to `shape` (a view; the gradient is summed back).

        >>> Tensor([1.0, 2.0]).broadcast_to((3, 2)).shape
        (3, 2)
        """
        return ops.BroadcastTo.apply(self, shape=_broadcast_shape(self.shape, shape))

    def __getitem__(self, index):
        return ops.GetItem.apply(self, index=_index(index))

    # ----- backward -----

    def backward(self, grad=None, retain_graph=False, create_graph=False):
        """Back-propagate from this tensor, accumulating d(self)/d(leaf) into `leaf.grad`.

        `grad` is dL/d(self); it may be omitted only for one-element tensors (then 1). The
        graph is released afterwards unless `retain_graph` or `create_graph` is set. With
        `create_graph=True` the gradients are Tensors in a graph of their own, so they can
        be differentiated again (second derivatives).

        >>> x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        array([2., 4.])
        >>> y = x * 3                      # not one element: say what dL/dy is
        >>> y.backward(np.array([1.0, 0.0]))
        >>> x.grad                         # accumulated: 2x + [3, 0]
        array([5., 4.])
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad (no graph was recorded for it); "
                "create its inputs with requires_grad=True, outside no_grad()")
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for one-element tensors, "
                    f"but this tensor has shape {self.shape}; pass grad= an array of that "
                    f"shape (dL/d(this tensor))")
            seed = np.ones(self.data.shape, self.data.dtype)
        else:
            seed = (grad if isinstance(grad, Tensor)
                    else checks.as_array(grad, "backward", "grad", self.dtype))
            if seed.shape != self.shape:
                raise ValueError(f"backward: grad has shape {seed.shape}, but the tensor has "
                                 f"shape {self.shape}; they must be equal")
        if create_graph and not isinstance(seed, Tensor):
            seed = Tensor._result(seed, None)
        elif not create_graph and isinstance(seed, Tensor):
            seed = seed.data
        engine.backward(self, seed, retain_graph=retain_graph or create_graph,
                        create_graph=create_graph)

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", threshold=50)
        extra = ""
        if self.data.dtype != DEFAULT_DTYPE:
            extra += f", dtype={self.data.dtype}"
        if self.requires_grad:
            extra += ", requires_grad=True"
        if self.label:
            extra += f", label={self.label!r}"
        return f"Tensor({body}{extra})"


# NumPy's ufuncs that are engine operations (see Tensor.__array_ufunc__)
_UFUNCS = {
    np.add: ops.Add, np.subtract: ops.Sub, np.multiply: ops.Mul, np.true_divide: ops.Div,
    np.power: ops.Pow, np.matmul: ops.Matmul, np.maximum: ops.Maximum,
    np.negative: ops.Neg, np.exp: ops.Exp, np.log: ops.Log, np.sqrt: ops.Sqrt,
    np.absolute: ops.Abs, np.tanh: ops.Tanh,
}
_COMPARISONS = {np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal}


def _numpy_reduction(result, name, numpy_args):
    """Accept the `dtype=` and `out=None` that NumPy's `np.sum(t)` and friends pass on."""
    out, dtype = numpy_args.pop("out", None), numpy_args.pop("dtype", None)
    if out is not None or numpy_args:
        unknown = ", ".join(sorted(numpy_args)) or "out"
        raise TypeError(f"{name}: unsupported argument(s) {unknown}; a Tensor reduction takes "
                        f"axis and keepdims")
    return result if dtype is None else result.astype(dtype)


def _tensor(x, like, op="Tensor"):
    if isinstance(x, Tensor):
        return x
    if x.__class__ is not float and x.__class__ is not int and not isinstance(x, Node):
        # lists, arrays, strings, None: converted here, so that an error names `op`
        if x is not None:
            _check_data(x)
        dtype = (like.data.dtype if isinstance(x, (list, tuple)) and like.data.dtype.kind == "f"
                 else None)  # a list of numbers: like a number
        x = checks.as_array(x, op, "the other operand", dtype)
    return Tensor._constant(x, like)


def _compare(a, b, ufunc, symbol):
    """`a <symbol> b` elementwise, a constant bool tensor; `==` and `!=` with something
    that is not numbers are False/True as for any Python object, `<` and friends refuse."""
    if not isinstance(b, Tensor) and b.__class__ is not float and b.__class__ is not int:
        if symbol in ("==", "!=") and (b is None or isinstance(b, (str, bytes))):
            return NotImplemented
        b = checks.as_array(b, f"comparison {symbol}", "the other operand")
    return Tensor._result(ufunc(a.data, _data(b)), None)


def _broadcast_shape(shape, target):
    """`target` as a shape tuple (an int n means (n,), as in NumPy) that `shape` broadcasts to."""
    given = target
    try:
        target = (target,) if isinstance(target, (int, np.integer)) else tuple(target)
        ok = all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0
                 for n in target)
        target = tuple(int(n) for n in target) if ok else target
        ok = ok and np.broadcast_shapes(shape, target) == target
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"broadcast_to: cannot broadcast a tensor of shape {shape} to "
                         f"{checks.describe(given)}: the shape must be an int or a tuple of "
                         f"non-negative ints, and each axis of the tensor, aligned from the "
                         f"right, must equal the target's or be 1")
    return target


def _check_data(data):
    """Refuse what would silently become an object array or NaN: nodes of the scalar engine
    and None."""
    if data is None:
        raise TypeError("Tensor: data must be numbers or arrays, got None")
    if isinstance(data, Node):
        raise TypeError(f"Tensor: data must be numbers or arrays, got a "
                        f"{type(data).__name__}; Value and Tensor do not mix (use "
                        f"Tensor(v.data) for a Value's number)")


def _data(x):
    return x.data if isinstance(x, Tensor) else x


def _index(index):
    """Replace Tensors and lists inside an index by arrays (copies: backward must see the
    index used in the forward pass, whatever the caller does to it), and check them."""
    items = index if isinstance(index, tuple) else (index,)
    fixed = []
    for i in items:
        if isinstance(i, Tensor):
            i = i.data
        if isinstance(i, (str, bytes)):
            raise IndexError(f"getitem: {i!r} is not an index; tensors are indexed by "
                             f"integers, slices, None, or integer or boolean arrays")
        if isinstance(i, (list, np.ndarray)):
            i = np.array(checks.as_array(i, "getitem", "an index list"))
        if isinstance(i, np.ndarray) and i.dtype.kind not in "iub":
            raise IndexError(f"getitem: index arrays must hold integers or bools, got dtype "
                             f"{i.dtype}; convert with .astype(int)")
        if isinstance(i, float):
            raise IndexError(f"getitem: indices must be integers, slices, None or integer "
                             f"arrays, got the float {i!r}")
        fixed.append(i)
    return tuple(fixed) if isinstance(index, tuple) else fixed[0]


# ----- module-level functions -----


def _as_tensors(xs, op):
    xs = list(xs)
    if not xs:
        raise ValueError(f"{op}: needs at least one tensor")
    first = next((x for x in xs if isinstance(x, Tensor)), None)
    if first is None:
        first = Tensor(xs[0])
    return [_tensor(x, first, op) for x in xs]


def concatenate(tensors, axis=0):
    """Join tensors along an existing axis.

    >>> from autograd_lite import Tensor, concatenate
    >>> concatenate([Tensor([1.0, 2.0]), Tensor([3.0])]).data
    array([1., 2., 3.], dtype=float32)
    """
    return ops.Concatenate.apply(*_as_tensors(tensors, "concatenate"), axis=axis)


def stack(tensors, axis=0):
    """Join equally shaped tensors along a new axis.

    >>> from autograd_lite import Tensor, stack
    >>> stack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])]).shape
    (2, 2)
    """
    return ops.Stack.apply(*_as_tensors(tensors, "stack"), axis=axis)


def where(condition, a, b):
    """Elementwise `a` where `condition` holds, else `b`; the condition is a constant.

    >>> from autograd_lite import Tensor, where
    >>> x = Tensor([-1.0, 2.0])
    >>> where(x > 0, x, 0.0).data
    array([0., 2.], dtype=float32)
    """
    a, b = _as_tensors([a, b], "where")
    return ops.Where.apply(a, b, cond=np.array(_data(condition), dtype=bool))  # a copy


def maximum(a, b):
    """Elementwise maximum of two tensors (broadcasting); ties split the gradient.

    >>> from autograd_lite import Tensor, maximum
    >>> maximum(Tensor([1.0, 5.0]), 3.0).data
    array([3., 5.], dtype=float32)
    """
    a, b = _as_tensors([a, b], "maximum")
    return ops.Maximum.apply2(a, b)
