"""`Tensor`: the NumPy front end, on the shared backward driver.

Default dtype: a floating NumPy array keeps its dtype (float64 stays float64, float32
stays float32). Anything else (Python numbers and lists, integer or bool arrays) becomes
`DEFAULT_DTYPE`, float32 (PyTorch's default for floats; PyTorch keeps Python ints as
int64), unless `dtype=` is given: a Tensor exists to be differentiated. Python numbers in an
operation take the tensor's dtype, so `x * 0.5` stays float32; mixing a float32 and a
float64 tensor gives float64 (NumPy's promotion), and each input's gradient is cast back
to that input's own dtype.
"""

import sys

import numpy as np

from . import checks
from . import engine
from . import ops
from .engine import Node

DEFAULT_DTYPE = np.dtype(np.float32)
"""The dtype of tensors made from Python numbers and lists, or integer and bool arrays."""


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

    # `_vc` counts in-place changes of `data` made through the framework (in-place
    # operators, optimizer steps); backward refuses to use data changed since the forward.
    # It is a one-element list SHARED by every tensor that views the same memory (the
    # base, its views, its detached copies), so a change through any of them is seen by all.
    # `_grad` stores `.grad` (the `grad` property below wraps it).
    __slots__ = ("data", "_grad", "requires_grad", "_ctx", "_hooks", "_retains_grad", "label",
                 "_vc", "__weakref__")

    @property
    def grad(self):
        """dL/d(self) after `backward()`: an array for leaves (and after `retain_grad()`),
        else None. Reading it on a result that backward() went through, made by `w - c`,
        raises a TypeError that explains the update-outside-no_grad() slip."""
        g = self._grad
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

    @grad.setter
    def grad(self, g):
        self._grad = g

    def __init__(self, data, requires_grad=False, dtype=None, label=""):
        shared = data if isinstance(data, Tensor) else None
        data = _as_array(data, dtype, type(self).__name__)
        if requires_grad and data.dtype.kind != "f":
            raise TypeError(f"Tensor: only floating-point tensors can require grad, got dtype "
                            f"{data.dtype}")
        self.data = data
        self._grad = None
        self.requires_grad = bool(requires_grad)
        self._ctx = None
        self._hooks = None
        self._retains_grad = False  # interior tensors keep a gradient only if asked: memory
        self.label = label
        # Tensor(t) shares t's memory when the dtype stays, and then its version counter
        self._vc = shared._vc if shared is not None and data is shared.data else [0]

    @classmethod
    def _result(cls, data, ctx, parents=()):
        t = cls.__new__(cls)
        t.data = data = data if type(data) is np.ndarray else np.asarray(data)
        t._grad = None
        t.requires_grad = ctx is not None
        t._ctx = ctx
        t._hooks = None
        t._retains_grad = False
        t.label = ""
        t._vc = [0]
        if parents and (data.base is not None or data is parents[0].data):
            _share_version_counter(t, parents)  # a view (reshape, indexing, ...)
        if ctx is not None:  # the inputs' and the result's versions now: backward
            inputs = ctx.parents  # refuses data changed since
            ctx.versions = ((inputs[0]._vc[0],) if len(inputs) == 1
                            else tuple([p._vc[0] for p in inputs]))
            ctx.out_version = t._vc[0]
            ctx.changes_seen = engine._changes
        return t

    @property
    def _version(self):
        """How many times `data` was changed in place (shared with views and detached copies)."""
        return self._vc[0]

    @_version.setter
    def _version(self, value):
        self._vc[0] = value
        engine.data_changed()

    @classmethod
    def _constant(cls, x, like):
        if isinstance(x, Tensor):
            return x
        x = _as_array(x, None, "Tensor", keep_dtype=True)
        # Numbers (Python's or NumPy's, or 0-d arrays) take a floating tensor's dtype
        # (`x * 0.5` stays float32); arrays keep theirs, and NumPy's promotion decides.
        if x.ndim == 0 and like.data.dtype.kind == "f" and x.dtype.kind in "biuf":
            x = x.astype(like.data.dtype)
        return cls._result(x, None)

    def _add_grad(self, g):
        held = self._grad
        if held is not None:
            g = engine.added_grad(self, held, g)
        if type(g) is not np.ndarray and not isinstance(g, Node):
            g = np.asarray(g)
        self._grad = g
        return held, g

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
        """The number of elements, as NumPy's attribute; called, PyTorch's method:
        `t.size()` is the shape and `t.size(d)` the size of axis d.

        >>> t = Tensor(np.zeros((2, 3)))
        >>> t.size, t.size(), t.size(0)
        (6, (2, 3), 2)
        """
        return _Size(self.data.size, self.data.shape)

    @property
    def T(self):
        """The transpose (all axes reversed).

        >>> Tensor([[1.0, 2.0]]).T.shape
        (2, 1)
        """
        return ops.Transpose.apply(self)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor: it holds one number and has no axes; "
                            "use .item() for the number")
        return len(self.data)

    def __iter__(self):
        """Iterate over the first axis, as NumPy does; each item stays in the graph."""
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor: it holds one number and has no "
                            "axes; use .item() for the number")
        return (self[i] for i in range(len(self.data)))

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
        """Let NumPy read a tensor that does NOT require grad as its data (`np.asarray(t)`).

        A tensor that requires grad refuses: the array would be a constant, silently cut
        off from the graph. Use `.detach()` or `.data` to say that you want a constant.
        """
        if self.requires_grad:
            raise TypeError(
                f"{self._described()} requires grad, and NumPy tried to turn it into a plain "
                f"array (np.asarray(t), np.array(t), an ndarray method such as X.dot(t), or "
                f"a NumPy function the engine does not have): the result would be a "
                f"constant cut off from the graph, and gradients would silently go missing. "
                f"Use Tensor operations (X @ t rather than X.dot(t)), or t.detach() / t.data "
                f"if you do want a constant")
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        return self.data if dtype is None else self.data.astype(dtype, copy=False)

    def __array_function__(self, func, types, args, kwargs):
        """NumPy functions on Tensors (`np.dot(X, W)`, `np.concatenate`, `np.sum`, ...).

        A NumPy function that the engine has (an autograd_lite function or a Tensor method
        of the same name) records the engine's operation. Any other refuses a tensor that
        requires grad, and reads tensors that do not as their data.
        """
        impl = _numpy_equivalent(func, args)
        if impl is not None:
            return impl(*args, **kwargs)
        if func.__name__ in _READ_ONLY or not _any_requires_grad(args, kwargs):
            return func(*_plain(args), **_plain(kwargs))
        name = func.__module__.replace("numpy", "np", 1) + "." + func.__name__
        raise TypeError(
            f"{name}: autograd-lite has no differentiable version of this NumPy "
            f"function, and applying it to a Tensor that requires grad would silently give "
            f"a constant cut off from the graph. Use the Tensor operations (see the op table "
            f"in docs/tensor-engine.md), or pass t.detach() / t.data for a constant")

    def _described(self):
        label = f" {self.label!r}" if self.label else ""
        return f"Tensor{label} of shape {self.shape}"

    # ----- DLPack: zero-copy exchange with NumPy, PyTorch, JAX, CuPy, ... -----

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        """Export the data as a DLPack capsule, so that `np.from_dlpack(t)`,
        `torch.from_dlpack(t)` and other libraries' `from_dlpack` share this tensor's memory
        instead of copying it.

        Only the data is exported, never the graph: a tensor that requires grad exports its
        values, as `t.detach()` would, and the other library gets a plain array that
        gradients do not flow through. Writing into that array changes this tensor's data
        without the engine knowing, so never do it while a graph that used the tensor waits
        for backward.

        >>> import numpy as np
        >>> t = Tensor([1.0, 2.0], requires_grad=True)
        >>> a = np.from_dlpack(t)
        >>> np.shares_memory(a, t.data)
        True
        """
        given = {"stream": stream, "max_version": max_version, "dl_device": dl_device,
                 "copy": copy}
        return self.data.__dlpack__(**{k: v for k, v in given.items() if v is not None})

    def __dlpack_device__(self):
        """The DLPack (device type, device id) of the data: (1, 0), the CPU."""
        return self.data.__dlpack_device__()

    def numpy(self):
        """The data as a NumPy array (shared, not copied).

        >>> Tensor([1.0, 2.0]).numpy()
        array([1., 2.], dtype=float32)
        """
        return self.data

    def detach(self):
        """A new leaf sharing this data (and its version counter), cut off from the graph.

        An in-place change of the detached tensor changes this one's data too, so backward
        through a graph that used it refuses (`ModifiedInPlaceError`), as in PyTorch.

        >>> w = Tensor([1.0], requires_grad=True)
        >>> (w * 2).detach().requires_grad
        False
        """
        t = Tensor._result(self.data, None)
        t._vc = self._vc
        return t

    def astype(self, dtype):
        """The tensor cast to `dtype`; differentiable between floating dtypes.

        An integer or bool result is a constant (it does not require grad), as in PyTorch.
        Complex and float16 are refused (see the docs' dtype section).

        >>> Tensor([1.0]).astype(np.float64).dtype
        dtype('float64')
        >>> Tensor([1.5], requires_grad=True).astype(np.int32).requires_grad
        False
        """
        dtype = checks.tensor_dtype(dtype, "astype")
        if dtype.kind != "f":
            return Tensor._result(self.data.astype(dtype), None)
        return ops.Cast.apply(self, dtype=dtype)

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
                raise self._leaf_change_error(f"{op.name} (in place)")
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

    def _leaf_change_error(self, what):
        label = f" {self.label!r}" if self.label else ""
        return RuntimeError(
            f"{what}: the tensor{label} is a leaf that requires grad, and changing it while "
            f"graphs are recorded would make it a new, interior tensor; update parameters "
            f"inside `with no_grad():` (as optimizers do)")

    def __setitem__(self, index, value):
        """`t[index] = value`: write `value` (broadcast to the indexed shape) into `t`.

        Outside a graph (constants, or inside `no_grad()`) it writes into `t.data`, as NumPy
        does. While a graph is recorded and `t` or `value` requires grad, `t` becomes the
        result of a recorded `setitem` (as in PyTorch): the gradient reaches `value` where it
        was written and the old `t` elsewhere. Like the other in-place operators it then
        gets new data, shared with no view, and graphs that used its old contents refuse to
        backprop. A leaf that requires grad refuses (PyTorch's rule too), and so does a
        tensor whose memory another reachable tensor shares (a view's base, a view, a
        detached copy), which would not see the write: write `y[0, 1] = v`, not
        `y[0][1] = v`. Where an index array names a position twice, the last write stays.

        >>> w = Tensor([2.0, 3.0], requires_grad=True)
        >>> t = Tensor(np.zeros(3))
        >>> t[1:] = w * w                  # t now depends on w
        >>> t.sum().backward()
        >>> w.grad
        array([4., 6.], dtype=float32)
        """
        index, value = _index(index), _tensor(value, self, "setitem")
        if not (engine.is_grad_enabled() and (self.requires_grad or value.requires_grad)):
            try:
                self.data[index] = ops.selection_value(value.data, self.data[index].shape)
            except (ValueError, TypeError, IndexError) as err:
                label = f" {self.label!r}" if self.label else ""
                raise type(err)(f"setitem: cannot write a value of shape {value.shape} "
                                f"{value.dtype} into the tensor{label} of shape {self.shape} "
                                f"{self.dtype} at {index!r}: {err}") from None
            self._version += 1
            return
        if self.is_leaf and self.requires_grad:
            raise self._leaf_change_error("setitem")
        if self.data.dtype.kind != "f":
            raise TypeError(f"setitem: cannot write a value that requires grad into a tensor "
                            f"of dtype {self.dtype} (only floating-point tensors carry "
                            f"gradients); make it a float tensor first, e.g. t.astype('float32')")
        if _shares_memory(self, value):
            label = f" {self.label!r}" if self.label else ""
            raise RuntimeError(
                f"setitem: the tensor{label} of shape {self.shape} shares its memory with "
                f"another tensor: it is a view (`y[0]`, `y.view(...)`, `y.T`), has views, or "
                f"was detached from one. While a graph is recorded, a write gives it new "
                f"data of its own, so the other tensor would not see the write (in PyTorch "
                f"it would). Write into the tensor that owns the memory in one step "
                f"(`y[0, 1] = v`, not `y[0][1] = v`), or into a copy (`t = t.clone()` "
                f"first).")
        old = Tensor._result(self.data, None)  # takes over this tensor's place in the graph
        old._ctx, old.requires_grad = self._ctx, self.requires_grad
        old._vc = self._vc  # with its memory, and so its version counter
        if value is self:  # `t[:] = t`
            value = old
        new = ops.SetItem.apply(old, value, index=index)  # may refuse: nothing changed yet
        if value._ctx is not None:  # `t[0] = t[1] * 2`: value was computed from the old t
            _read_instead(value, self, old)
        self.data, self._ctx, self.requires_grad = new.data, new._ctx, True
        self._vc = [self._version + 1]  # graphs that used the old contents now refuse
        self._ctx.out_version = self._vc[0]
        engine.data_changed()

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
        """NumPy ufuncs on Tensors (`np.exp(t)`, `array * t`): the engine's operation,
        differentiable, where there is one; tests (`<`, `np.isnan`) give constant bool
        tensors. Any other ufunc refuses a tensor that requires grad."""
        if method == "__call__" and not kwargs:
            if ufunc in _CONSTANT_UFUNCS:
                return Tensor._result(ufunc(*[_data(x) for x in inputs]), None)
            op = _UFUNCS.get(ufunc)
            if op is not None:
                args = [_tensor(x, self) for x in inputs]
                return op.apply2(*args) if len(args) == 2 else op.apply1(*args)
            impl = _numpy_equivalent(ufunc, inputs)
            if impl is not None:
                return impl(*inputs)
        if not _any_requires_grad(inputs, kwargs):
            return getattr(ufunc, method)(*_plain(inputs), **_plain(kwargs))
        name = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        extra = f" with the argument(s) {', '.join(kwargs)}" if kwargs else ""
        raise TypeError(
            f"{name}: autograd-lite has no differentiable version of this NumPy function"
            f"{extra}, and applying it to a Tensor that requires grad would silently give a "
            f"constant cut off from the graph. Use the Tensor operations (see the op table "
            f"in docs/tensor-engine.md), or pass t.detach() / t.data for a constant")

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
        """Limit the values to [min, max] (either may be None; PyTorch's name is `clamp`).

        >>> Tensor([-5.0, 0.5, 5.0]).clip(-1, 1)
        Tensor([-1. ,  0.5,  1. ])
        """
        return _clip(self, min, max, "clip")

    # ----- rounding, trigonometry and more exp/log (also functions: autograd_lite.sin) -----

    def sin(self):
        """sin(x), elementwise.

        >>> Tensor([0.0]).sin()
        Tensor([0.])
        """
        return ops.Sin.apply1(self)

    def cos(self):
        """cos(x), elementwise.

        >>> Tensor([0.0]).cos()
        Tensor([1.])
        """
        return ops.Cos.apply1(self)

    def tan(self):
        """tan(x), elementwise.

        >>> Tensor([0.0]).tan()
        Tensor([0.])
        """
        return ops.Tan.apply1(self)

    def sign(self):
        """-1, 0 or 1 by the sign of x; the gradient is 0, as in PyTorch.

        >>> Tensor([-2.0, 0.0, 2.0]).sign()
        Tensor([-1.,  0.,  1.])
        """
        return ops.Sign.apply1(self)

    def floor(self):
        """Round down, elementwise; the gradient is 0, as in PyTorch.

        >>> Tensor([-0.5, 1.5]).floor()
        Tensor([-1.,  1.])
        """
        return ops.Floor.apply1(self)

    def ceil(self):
        """Round up, elementwise; the gradient is 0, as in PyTorch.

        >>> Tensor([-0.5, 1.5]).ceil()
        Tensor([-0.,  2.])
        """
        return ops.Ceil.apply1(self)

    def round(self, decimals=0):
        """Round to `decimals` places, halves to even; the gradient is 0, as in PyTorch.

        >>> Tensor([0.5, 1.5, 1.26]).round(decimals=1)
        Tensor([0.5, 1.5, 1.3])
        """
        return ops.Round.apply(self, decimals=decimals)

    def trunc(self):
        """Round towards 0, elementwise; the gradient is 0, as in PyTorch.

        >>> Tensor([-1.5, 1.5]).trunc()
        Tensor([-1.,  1.])
        """
        return ops.Trunc.apply1(self)

    def rsqrt(self):
        """1 / sqrt(x), elementwise.

        >>> Tensor([4.0]).rsqrt()
        Tensor([0.5])
        """
        return ops.Rsqrt.apply1(self)

    def log2(self):
        """Base-2 logarithm, elementwise.

        >>> Tensor([8.0]).log2()
        Tensor([3.])
        """
        return ops.Log2.apply1(self)

    def exp2(self):
        """2 ** x, elementwise.

        >>> Tensor([3.0]).exp2()
        Tensor([8.])
        """
        return ops.Exp2.apply1(self)

    def log1p(self):
        """log(1 + x), accurate for tiny x.

        >>> Tensor([0.0]).log1p()
        Tensor([0.])
        """
        return ops.Log1p.apply1(self)

    def expm1(self):
        """exp(x) - 1, accurate for tiny x.

        >>> Tensor([0.0]).expm1()
        Tensor([0.])
        """
        return ops.Expm1.apply1(self)

    def square(self):
        """x * x, elementwise.

        >>> Tensor([3.0]).square()
        Tensor([9.])
        """
        return ops.Square.apply1(self)

    def reciprocal(self):
        """1 / x, elementwise.

        >>> Tensor([4.0]).reciprocal()
        Tensor([0.25])
        """
        return ops.Reciprocal.apply1(self)

    def erf(self):
        """The error function, elementwise.

        >>> Tensor([0.0]).erf()
        Tensor([0.])
        """
        return ops.Erf.apply1(self)

    def minimum(self, other):
        """Elementwise minimum with `other` (broadcasting); ties split the gradient.

        >>> Tensor([1.0, 5.0]).minimum(Tensor([3.0, 3.0]))
        Tensor([1., 3.])
        """
        return R.minimum(self, other)

    def maximum(self, other):
        """Elementwise maximum with `other` (broadcasting); ties split the gradient.

        >>> Tensor([1.0, 5.0]).maximum(Tensor([3.0, 3.0]))
        Tensor([3., 5.])
        """
        return maximum(self, other)

    # ----- softmax -----

    def softmax(self, dim=None, *, axis=None):
        """exp(x) / sum(exp(x)) along `dim` (or `axis`), computed without overflow.

        >>> Tensor([[0.0, 0.0], [1000.0, 0.0]]).softmax(axis=1)
        Tensor([[0.5, 0.5],
                [1. , 0. ]])
        """
        return ops.Softmax.apply(self, axis=R.axis_arg(axis, dim, "softmax", -1))

    def log_softmax(self, dim=None, *, axis=None):
        """log(softmax(x)) along `dim` (or `axis`), computed without overflow or log(0).

        >>> Tensor([1000.0, 0.0]).log_softmax(axis=0)
        Tensor([    0., -1000.])
        """
        return ops.LogSoftmax.apply(self, axis=R.axis_arg(axis, dim, "log_softmax", -1))

    # ----- reductions -----

    def sum(self, dim=None, keepdim=None, *, axis=None, keepdims=None, **numpy_args):
        """Sum over `dim` (an int, a tuple, or None for all axes; NumPy's `axis` and
        `keepdims` are accepted by every reduction).

        As in PyTorch the positional axis is `dim`, so `t.sum(())` is refused as `dim=()`
        is: PyTorch reduces over every axis, NumPy over none. Write `t.sum()` for all axes,
        or `t.sum(axis=())` for none.

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).sum(0), Tensor([[1.0, 2.0]]).sum(axis=0)
        (Tensor([4., 6.]), Tensor([1., 2.]))
        """
        return _numpy_reduction(ops.Sum.apply(self, axis=R.axis_arg(axis, dim, "sum"),
                                                 keepdims=R.keepdims_arg(keepdims, keepdim,
                                                                         "sum")),
                                "sum", numpy_args)

    def mean(self, dim=None, keepdim=None, *, axis=None, keepdims=None, **numpy_args):
        """Mean over `dim` (int, tuple or None for all; `t.mean(())` is refused, as `sum`
        says).

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).mean(axis=1, keepdims=True)
        Tensor([[1.5],
                [3.5]])
        """
        return _numpy_reduction(ops.Mean.apply(self, axis=R.axis_arg(axis, dim, "mean"),
                                                 keepdims=R.keepdims_arg(keepdims, keepdim,
                                                                         "mean")),
                                "mean", numpy_args)

    def max(self, dim=None, keepdim=None, *, axis=None, keepdims=None, **numpy_args):
        """Maximum over `dim`.

        Follows PyTorch: with an int `dim` (`t.max(1)` or `t.max(dim=1)`) it returns the
        pair `(values, indices)`, also as `.values` and `.indices` (the indices are a NumPy
        array), so `_, pred = out.max(1)` gives the predicted classes; the gradient of the
        values goes to the element at the index (the first of tied maxima). With no argument
        it is the maximum of all elements; NumPy's keyword `axis=` (an int or a tuple) gives
        the values only, as `np.max(t, axis)` does; these two share the gradient evenly among
        tied maxima (PyTorch's `max()` and `amax`). For the elementwise maximum of two
        tensors use `maximum`.

        >>> values, indices = Tensor([[1.0, 5.0], [3.0, 4.0]]).max(1)
        >>> values, indices
        (Tensor([5., 4.]), array([1, 1]))
        >>> Tensor([[1.0, 5.0], [3.0, 4.0]]).max(axis=1)
        Tensor([5., 4.])
        """
        return _max_min(self, ops.Max, R.argmax, "max", dim, keepdim, axis, keepdims,
                        numpy_args)

    def min(self, dim=None, keepdim=None, *, axis=None, keepdims=None, **numpy_args):
        """Minimum over `dim`. Follows PyTorch as `max` does: an int `dim` gives the pair
        `(values, indices)` (the gradient goes to the element at the index), `axis=` the
        values (tied minima share the gradient evenly).

        >>> Tensor([[1.0, 5.0], [3.0, 4.0]]).min()
        Tensor(1.)
        >>> Tensor([[1.0, 5.0], [3.0, 4.0]]).min(0).indices
        array([0, 1])
        """
        return _max_min(self, ops.Min, R.argmin, "min", dim, keepdim, axis, keepdims,
                        numpy_args)

    def var(self, dim=None, unbiased=None, keepdim=None, *, correction=None, axis=None,
            keepdims=None, ddof=None):
        """Variance over `dim`: sum((x - mean)**2) / (n - correction).

        Follows PyTorch: the default correction is 1 (the sample variance; NumPy's
        default, `np.var` and `autograd_lite.var`, is ddof=0). `unbiased=False` or
        `correction=0` gives the population variance.

        >>> Tensor([1.0, 2.0, 3.0, 4.0]).var(), Tensor([1.0, 2.0, 3.0, 4.0]).var(correction=0)
        (Tensor(1.6666666), Tensor(1.25))
        """
        correction = R.correction_arg(ddof, correction, unbiased, "var", 1)
        return R.var(self, axis=axis, keepdims=keepdims, correction=correction, dim=dim,
                     keepdim=keepdim)

    def std(self, dim=None, unbiased=None, keepdim=None, *, correction=None, axis=None,
            keepdims=None, ddof=None):
        """Standard deviation over `dim`, sqrt(var).

        Follows PyTorch: the default correction is 1 (NumPy's default is ddof=0).

        >>> Tensor([1.0, 3.0]).std(), Tensor([1.0, 3.0]).std(unbiased=False)
        (Tensor(1.4142135), Tensor(1.))
        """
        correction = R.correction_arg(ddof, correction, unbiased, "std", 1)
        return R.std(self, axis=axis, keepdims=keepdims, correction=correction, dim=dim,
                     keepdim=keepdim)

    def prod(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """Product over `dim`; the gradient is exact also where x has zeros.

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).prod(1)
        Tensor([ 2., 12.])
        """
        return R.prod(self, axis=axis, keepdims=keepdims, dim=dim, keepdim=keepdim)

    def logsumexp(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """log(sum(exp(x))) over `dim`, without overflow.

        >>> Tensor([0.0, 0.0]).logsumexp().round(4)
        Tensor(0.6931)
        """
        return R.logsumexp(self, axis=axis, keepdims=keepdims, dim=dim, keepdim=keepdim)

    def cumsum(self, dim=None, *, axis=None):
        """Running sum along `dim` (None: over the flattened data, as NumPy).

        >>> Tensor([1.0, 2.0, 3.0]).cumsum(0)
        Tensor([1., 3., 6.])
        """
        return R.cumsum(self, axis=axis, dim=dim)

    def cumprod(self, dim=None, *, axis=None):
        """Running product along `dim` (None: the flattened data); exact gradient at zeros.

        >>> Tensor([1.0, 2.0, 3.0]).cumprod(0)
        Tensor([1., 2., 6.])
        """
        return R.cumprod(self, axis=axis, dim=dim)

    def norm(self, p="fro", dim=None, keepdim=False):
        """The p-norm of all elements, or over `dim` (PyTorch's `Tensor.norm`; p = 2,
        "fro", 1, inf, ...); the gradient of the 2-norm at 0 is 0.

        >>> Tensor([3.0, 4.0]).norm()
        Tensor(5.)
        """
        return R.norm(self, p=p, dim=dim, keepdim=keepdim)

    def argmax(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """Index of the largest element along `dim` (None: of the flattened data), the
        first one of ties; a NumPy integer array, not differentiable.

        >>> Tensor([[1.0, 3.0], [4.0, 2.0]]).argmax(dim=1)
        array([1, 0])
        """
        return R.argmax(self, axis=axis, keepdims=keepdims, dim=dim, keepdim=keepdim)

    def argmin(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """Index of the smallest element along `dim` (None: of the flattened data), the
        first one of ties; a NumPy integer array, not differentiable.

        >>> Tensor([[1.0, 3.0], [4.0, 2.0]]).argmin(dim=1)
        array([0, 1])
        """
        return R.argmin(self, axis=axis, keepdims=keepdims, dim=dim, keepdim=keepdim)

    # ----- shape -----

    def reshape(self, *shape):
        """The same data in a new shape; `t.reshape(2, 3)` or `t.reshape((2, 3))`.

        One size may be -1 (inferred); other negative sizes are refused.

        >>> Tensor(np.arange(6.0)).reshape(2, 3).shape
        (2, 3)
        """
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return ops.Reshape.apply(self, shape=_check_shape(shape, "reshape"))

    def transpose(self, *axes):
        """Permute the axes (reverse them when none are given), as NumPy's.

        Two axes, `t.transpose(i, j)`, swap those two, as PyTorch's `transpose(dim0,
        dim1)` does (for a 3-D tensor NumPy would refuse them; for a 2-D one NumPy's
        `transpose(0, 1)` would change nothing). A full permutation may also be given
        as one tuple, or with `permute`.

        >>> Tensor(np.zeros((2, 3, 4))).transpose(1, 0, 2).shape
        (3, 2, 4)
        >>> Tensor(np.zeros((2, 3, 4))).transpose(0, 2).shape
        (4, 3, 2)
        """
        if len(axes) == 2 and all(isinstance(i, (int, np.integer)) for i in axes):
            return R.swapaxes(self, *axes, op="transpose")
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0] or ()
        return ops.Transpose.apply(self, axes=tuple(axes) if axes else None)

    def swapaxes(self, axis1, axis2):
        """Exchange two axes.

        >>> Tensor(np.zeros((2, 3, 4))).swapaxes(0, -1).shape
        (4, 3, 2)
        """
        return R.swapaxes(self, axis1, axis2)

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
        return self.reshape(shape[:start] + (int(np.prod(shape[start:end + 1])),)
                            + shape[end + 1:])

    def broadcast_to(self, shape):
        """The tensor broadcast to `shape` (a view; the gradient is summed back).

        >>> Tensor([1.0, 2.0]).broadcast_to((3, 2)).shape
        (3, 2)
        """
        return ops.BroadcastTo.apply(self, shape=_broadcast_shape(self.shape, shape))

    def permute(self, *dims):
        """Reorder the axes (PyTorch's name for `transpose(axes)`).

        >>> Tensor(np.zeros((2, 3, 4))).permute(2, 0, 1).shape
        (4, 2, 3)
        """
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = dims[0]
        return R.permute(self, dims)

    def squeeze(self, dim=None, *, axis=None):
        """Remove size-1 axes (all, or those in `dim`).

        Follows PyTorch: a `dim` whose size is not 1 is left alone (NumPy's `np.squeeze`
        and `autograd_lite.squeeze` raise instead).

        >>> Tensor(np.zeros((1, 3, 1))).squeeze().shape, Tensor(np.zeros((2, 3))).squeeze(0).shape
        ((3,), (2, 3))
        """
        axes = ops.normalize_axes(R.axis_arg(axis, dim, "squeeze"), self.ndim, "squeeze")
        return R.squeeze(self, tuple(i for i in axes if self.shape[i] == 1))

    def unsqueeze(self, dim):
        """Insert a size-1 axis at `dim`.

        >>> Tensor(np.zeros((2, 3))).unsqueeze(-1).shape
        (2, 3, 1)
        """
        return R.unsqueeze(self, dim)

    def expand(self, *sizes):
        """Broadcast to `sizes`, where -1 keeps an axis's size (PyTorch's `expand`).

        >>> Tensor(np.zeros((3, 1))).expand(2, -1, 4).shape
        (2, 3, 4)
        """
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = tuple(sizes[0])
        lead = len(sizes) - self.ndim
        if lead < 0:
            raise ValueError(f"expand: {len(sizes)} sizes for a tensor with {self.ndim} "
                             f"dimensions (shape {self.shape})")
        shape = tuple(self.shape[i - lead] if n == -1 and i >= lead else n
                      for i, n in enumerate(sizes))
        return self.broadcast_to(shape)

    def flip(self, *dims):
        """Reverse the order along `dims` (all axes when none are given).

        >>> Tensor([1.0, 2.0, 3.0]).flip(0)
        Tensor([3., 2., 1.])
        """
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        return ops.Flip.apply(self, axis=tuple(dims) if dims else None)

    def repeat(self, *sizes):
        """Tile the tensor `sizes[i]` times along axis i.

        Follows PyTorch: this is NumPy's `tile`, NOT `np.repeat` (which repeats each
        element; that is `autograd_lite.repeat`).

        >>> Tensor([1.0, 2.0]).repeat(2)
        Tensor([1., 2., 1., 2.])
        """
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = tuple(sizes[0])
        if len(sizes) < self.ndim:
            raise ValueError(f"repeat: {len(sizes)} repetition counts for a tensor with "
                             f"{self.ndim} dimensions; give at least one per dimension")
        return R.tile(self, sizes)

    def tile(self, *dims):
        """Repeat the whole tensor `dims[i]` times along axis i (as `np.tile`).

        >>> Tensor([[1.0, 2.0]]).tile(2, 1).shape
        (2, 2)
        """
        return R.tile(self, dims[0] if len(dims) == 1 else dims)

    def chunk(self, chunks, dim=0):
        """Split into `chunks` pieces along `dim` (as `torch.chunk`).

        >>> [t.shape for t in Tensor(np.zeros(5)).chunk(2)]
        [(3,), (2,)]
        """
        return R.chunk(self, chunks, dim)

    def split(self, split_size_or_sections, dim=0):
        """Split along `dim` into pieces of `split_size_or_sections` elements (the last
        may be smaller), or of the listed sizes.

        Follows PyTorch: an int is the size of each piece (for NumPy's `np.split` it is
        the number of pieces; that is `autograd_lite.split`).

        >>> [t.shape for t in Tensor(np.zeros(5)).split([1, 4])]
        [(1,), (4,)]
        """
        return R.split_sizes(self, split_size_or_sections, dim)

    # ----- indexing along an axis -----

    def gather(self, dim, index):
        """out[i][j] = self[index[i][j]][j] for dim=0, and so on (as `torch.gather`).

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).gather(1, np.array([[1], [0]]))
        Tensor([[2.],
                [3.]])
        """
        return R.gather(self, dim, index)

    def take_along_dim(self, indices, dim=None):
        """Pick `indices` along `dim` (PyTorch's name for `np.take_along_axis`).

        >>> Tensor([[3.0, 1.0, 2.0]]).take_along_dim(np.array([[1, 2, 0]]), dim=1)
        Tensor([[1., 2., 3.]])
        """
        return R.take_along_axis(self, indices, axis=dim)

    def scatter_add(self, dim, index, src):
        """A copy with `src` added at `index` along `dim` (as `torch.scatter_add`).

        >>> Tensor(np.zeros(3)).scatter_add(0, np.array([1, 1]), Tensor([1.0, 2.0]))
        Tensor([0., 3., 0.], dtype=float64)
        """
        return R.scatter_add(self, dim, index, src)

    def tril(self, diagonal=0):
        """Zero above diagonal `diagonal` of the last two axes.

        >>> Tensor(np.ones((2, 2))).tril()
        Tensor([[1., 0.],
                [1., 1.]], dtype=float64)
        """
        return R.tril(self, diagonal=diagonal)

    def triu(self, diagonal=0):
        """Zero below diagonal `diagonal` of the last two axes.

        >>> Tensor(np.ones((2, 2))).triu()
        Tensor([[1., 1.],
                [0., 1.]], dtype=float64)
        """
        return R.triu(self, diagonal=diagonal)

    def __getitem__(self, index):
        return ops.GetItem.apply(self, index=_index(index))

    # ----- PyTorch's Tensor methods, for code carried to and from PyTorch -----

    def view(self, *shape):
        """The same data in a new shape, sharing memory: `t.view(-1)`, `t.view(2, 3)` or
        `t.view((2, 3))`, as PyTorch's `view`.

        As in PyTorch, the data must be laid out so that no copy is needed: after `.T`,
        `transpose`, `permute` or a strided slice, `view` raises and names `reshape`, which
        copies when it must. A flipped tensor (which NumPy keeps as a reversed view, while
        PyTorch's `flip` copies) is copied. Like `reshape`'s views, the result shares the
        version counter of the original (see "Changing data in place" in the docs). Sizes
        that do not multiply to the number of elements raise a ValueError.

        >>> Tensor(np.arange(6.0)).view(2, -1)
        Tensor([[0., 1., 2.],
                [3., 4., 5.]], dtype=float64)
        """
        if len(shape) == 1 and isinstance(shape[0], (type, np.dtype, str)):
            raise TypeError(f"view: view(dtype) (reading the same bytes as another dtype) "
                            f"is not supported; for a conversion of the values use "
                            f".astype({shape[0]!r}) or .float(), .double(), .long()")
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        shape, n = _check_shape(shape, "view"), self.data.size
        known = int(np.prod([k for k in shape if k != -1]))
        if (min(shape, default=0) < -1 or shape.count(-1) > 1
                or (known != n if -1 not in shape else known == 0 or n % known)):
            raise ValueError(f"view: cannot view a tensor of shape {self.shape} ({n} "
                             f"elements) as shape {shape}: the sizes must multiply to {n}, "
                             f"and one of them may be -1 (inferred from the others)")
        try:
            self.data.reshape(shape, copy=False)
        except ValueError:
            if min(self.data.strides, default=0) >= 0:
                raise ValueError(
                    f"view: the tensor of shape {self.shape} is not contiguous in memory "
                    f"(strides {self.data.strides}: after .T, transpose, permute or a "
                    f"strided slice), so it cannot be viewed as shape {shape} without a "
                    f"copy; PyTorch's view refuses this too. Use "
                    f".reshape({', '.join(map(str, shape))}), which copies when it must") from None
        return ops.Reshape.apply(self, shape=shape)

    def clone(self):
        """A copy in new memory that stays in the graph (the gradient flows back to this
        tensor), with its own version counter, so changing it in place leaves this tensor
        alone; as PyTorch's `clone`. Use `detach()` for a copy cut off from the graph.

        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> c = w.clone()
        >>> c.requires_grad, np.shares_memory(c.data, w.data)
        (True, False)
        """
        return ops.Clone.apply1(self)

    def float(self):
        """The tensor as float32, differentiable (`astype(np.float32)`, PyTorch's
        `.float()`); a float32 tensor is returned itself, as in PyTorch.

        >>> Tensor([1.0, 2.0]).long().float()
        Tensor([1., 2.])
        """
        return _convert(self, np.float32)

    def double(self):
        """The tensor as float64, differentiable (`astype(np.float64)`, PyTorch's
        `.double()`); a float64 tensor is returned itself.

        >>> Tensor([1.5], requires_grad=True).double().requires_grad
        True
        """
        return _convert(self, np.float64)

    def long(self):
        """The tensor as int64, rounded towards 0 (PyTorch's `.long()`). Integer tensors
        cannot require grad, so the result is a constant, as in PyTorch.

        >>> Tensor([1.7, -1.7], requires_grad=True).long()
        Tensor([ 1, -1], dtype=int64)
        """
        return _convert(self, np.int64)

    def int(self):
        """The tensor as int32, rounded towards 0 (PyTorch's `.int()`); a constant.

        >>> Tensor([2.9]).int()
        Tensor([2], dtype=int32)
        """
        return _convert(self, np.int32)

    def bool(self):
        """The tensor as bool, True where it is not 0 (PyTorch's `.bool()`); a constant.

        >>> Tensor([0.0, 0.5]).bool()
        Tensor([False,  True], dtype=bool)
        """
        return _convert(self, np.bool_)

    def numel(self):
        """The number of elements, a Python int (PyTorch's `numel()`; NumPy's `size`).

        >>> Tensor(np.zeros((2, 3))).numel()
        6
        """
        return int(self.data.size)

    def tolist(self):
        """The values as nested Python lists (a Python number for a 0-d tensor), as
        PyTorch's and NumPy's `tolist`.

        >>> Tensor([[1.0, 2.0]]).tolist()
        [[1.0, 2.0]]
        """
        return self.data.tolist()

    def all(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """Whether every element is non-zero (True), over all elements or along `dim`
        (NumPy's `axis` and `keepdims` too); a bool tensor, not differentiable, as PyTorch's
        `all`. `dim=()` reduces nothing, as in PyTorch and NumPy.

        >>> Tensor([[1.0, 0.0], [2.0, 3.0]]).all(dim=1)
        Tensor([False,  True], dtype=bool)
        """
        return _all_any(self, np.all, "all", dim, keepdim, axis, keepdims)

    def any(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """Whether some element is non-zero (True), over all elements or along `dim` (or
        `axis`, as `all`); a bool tensor, not differentiable, as PyTorch's `any`.

        >>> Tensor([[1.0, 0.0], [0.0, 0.0]]).any(1), Tensor([0.0, 2.0]).any()
        (Tensor([ True, False], dtype=bool), Tensor(True, dtype=bool))
        """
        return _all_any(self, np.any, "any", dim, keepdim, axis, keepdims)

    def masked_fill(self, mask, value):
        """A copy with `value` where the bool `mask` is True (PyTorch's `masked_fill`).

        `mask` must be bool (a Tensor such as `x > 0`, or a bool array) and broadcast with
        the tensor; `value` is a number or a 0-d Tensor, which this tensor's dtype must hold
        (2.5 into an integer tensor is refused; PyTorch would truncate it). The
        gradient is g where the mask is False and 0 where it filled (a 0-d `value` that
        requires grad gets the sum of g over the filled places). A mask that is not bool
        raises a TypeError, one that does not broadcast a ValueError.

        >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> x.masked_fill(x > 1.5, -np.inf).softmax(0)
        Tensor([1., 0., 0.], requires_grad=True)
        >>> (x.masked_fill(x > 1.5, 0.0) * 5).sum().backward(); x.grad
        array([5., 0., 0.], dtype=float32)
        """
        m = np.array(_data(mask))  # a copy: backward must see this mask
        if m.dtype != np.bool_:
            raise TypeError(f"masked_fill: the mask must be bool (such as x > 0), got dtype "
                            f"{m.dtype} of shape {m.shape}; convert it with mask.bool() or "
                            f"mask != 0")
        try:
            np.broadcast_shapes(self.shape, m.shape)
        except ValueError:
            raise ValueError(f"masked_fill: a mask of shape {m.shape} does not broadcast with "
                             f"the tensor of shape {self.shape}: aligned from the right, "
                             f"each size must be the tensor's or 1") from None
        if isinstance(value, Tensor) and value.ndim:
            raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got a "
                             f"tensor of shape {value.shape}; for one value per element use "
                             f"where(mask, values, t)")
        from .factories import _check_fill, _fill

        differentiable = isinstance(value, Tensor) and value.requires_grad
        if differentiable and self.data.dtype.kind != "f":
            raise TypeError(f"masked_fill: the value requires grad, but this tensor is "
                            f"{self.dtype} and integer tensors carry no gradient; convert "
                            f"the tensor first, e.g. t.float()")
        number = _fill(_data(value)[()] if isinstance(value, Tensor) else value, "masked_fill")
        _check_fill(number, self.data.dtype, "masked_fill")
        if differentiable:
            fill = value if value.dtype == self.dtype else value.astype(self.dtype)
        else:
            fill = Tensor._result(np.asarray(number).astype(self.dtype), None)
        return ops.Where.apply(fill, self, cond=m)

    def sort(self, dim=-1, descending=False, *, stable=False):
        """The values sorted along `dim` and where they came from: PyTorch's pair
        `(values, indices)` (also `.values` and `.indices`), the indices an int64 tensor.

        Ties keep their original order (a stable sort, as `stable=True` in PyTorch; also
        when descending), and nan counts as the largest value, as in PyTorch. The values are
        differentiable: each element's gradient goes back to the place it came from.

        >>> values, indices = Tensor([3.0, 1.0, 2.0, 1.0]).sort(descending=True)
        >>> values, indices
        (Tensor([3., 2., 1., 1.]), Tensor([0, 2, 1, 3], dtype=int64))
        """
        return _pick_sorted(self, dim, descending, None, "sort")

    def argsort(self, dim=-1, descending=False, *, stable=False):
        """The indices that sort the tensor along `dim`, an int64 tensor (PyTorch's
        `argsort`; ties in their original order; `sort(...).indices`).

        >>> Tensor([3.0, 1.0, 2.0]).argsort()
        Tensor([1, 2, 0], dtype=int64)
        """
        x, axis = _sort_axis(self, dim, "argsort")
        return Tensor._result(_sort_indices(x.data, axis, descending).reshape(self.shape), None)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        """The `k` largest (or, with `largest=False`, smallest) values along `dim` and their
        indices: PyTorch's pair `(values, indices)`, the indices an int64 tensor.

        The values come in sorted order (also with `sorted=False`). Among tied values the
        first ones in the tensor are taken (PyTorch may pick others: its indices for ties
        are unspecified). The values are differentiable: each one's gradient goes back to
        the place it was picked from, the others get 0. k must be between 0 and the size of
        `dim`, else a ValueError.

        >>> Tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]]).topk(2)
        ValuesIndices(values=Tensor([[5., 3.],
                [6., 4.]]), indices=Tensor([[1, 2],
                [2, 0]], dtype=int64))
        """
        return _pick_sorted(self, dim, largest, k, "topk")

    def new_zeros(self, *size, dtype=None, requires_grad=False):
        """Zeros of shape `size`, of this tensor's dtype unless `dtype` is given
        (PyTorch's `new_zeros`; `zeros_like` takes the shape too).

        >>> Tensor([1.0, 2.0]).long().new_zeros(2, 3).dtype
        dtype('int64')
        """
        return _new_full(self, size, 0, dtype, requires_grad, "new_zeros")

    def new_ones(self, *size, dtype=None, requires_grad=False):
        """Ones of shape `size`, of this tensor's dtype unless `dtype` is given (PyTorch's
        `new_ones`).

        >>> Tensor([1.0]).new_ones((2,))
        Tensor([1., 1.])
        """
        return _new_full(self, size, 1, dtype, requires_grad, "new_ones")

    def new_full(self, size, fill_value, *, dtype=None, requires_grad=False):
        """A tensor of shape `size` filled with `fill_value`, of this tensor's dtype unless
        `dtype` is given (PyTorch's `new_full`).

        >>> Tensor([1.0]).new_full((2,), 7.0)
        Tensor([7., 7.])
        """
        return _new_full(self, (size,), fill_value, dtype, requires_grad, "new_full")

    def clamp(self, min=None, max=None):
        """Limit the values to [min, max], PyTorch's name for `clip` (either bound may be
        None; numbers, arrays or Tensors that do not require grad). The gradient is g
        inside the bounds, 0 outside.

        >>> Tensor([-5.0, 0.5, 5.0]).clamp(min=0.0)
        Tensor([0. , 0.5, 5. ])
        """
        return _clip(self, min, max, "clamp")

    def clamp_min(self, min):
        """`clamp(min=min)`, as PyTorch's `clamp_min`.

        >>> Tensor([-1.0, 2.0]).clamp_min(0.0)
        Tensor([0., 2.])
        """
        return _clip(self, min, None, "clamp_min")

    def clamp_max(self, max):
        """`clamp(max=max)`, as PyTorch's `clamp_max`.

        >>> Tensor([-1.0, 2.0]).clamp_max(0.0)
        Tensor([-1.,  0.])
        """
        return _clip(self, None, max, "clamp_max")

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
            data = self.data
            seed = (_one(data.dtype) if data.ndim == 0 and not create_graph
                    else np.ones(data.shape, data.dtype))
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

    def draw(self, **options):
        """Shorthand for `draw_graph(self, **options)`: the graph, shown inline in Jupyter."""
        from .viz import draw_graph

        return draw_graph(self, **options)

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
    np.absolute: ops.Abs, np.tanh: ops.Tanh, np.minimum: ops.Minimum, np.sin: ops.Sin,
    np.cos: ops.Cos, np.tan: ops.Tan, np.sign: ops.Sign, np.floor: ops.Floor,
    np.ceil: ops.Ceil, np.trunc: ops.Trunc, np.log2: ops.Log2, np.exp2: ops.Exp2,
    np.log1p: ops.Log1p, np.expm1: ops.Expm1, np.square: ops.Square,
    np.reciprocal: ops.Reciprocal,
}
# NumPy's ufuncs whose results are constants, tests of the data: bool Tensors
_CONSTANT_UFUNCS = {np.equal, np.not_equal, np.less, np.less_equal, np.greater,
                    np.greater_equal, np.isnan, np.isinf, np.isfinite, np.signbit}


class _Size(int):
    """`Tensor.size`: the number of elements, NumPy's attribute, which can be called as
    PyTorch's method `size(dim=None)`: the shape, or the size of axis `dim`."""

    def __new__(cls, count, shape):
        self = super().__new__(cls, count)
        self.shape = shape
        return self

    def __call__(self, dim=None):
        if dim is None:
            return self.shape
        return self.shape[ops.normalize_axes(dim, len(self.shape), "size")[0]]

    def __reduce__(self):
        return int, (int(self),)  # pickled and copied as the plain number


def _convert(t, dtype):
    """`float()`, `long()`, ...: `t` itself if it has `dtype` already (as in PyTorch)."""
    return t if t.data.dtype == dtype else t.astype(dtype)


def _all_any(t, reduce, op, dim, keepdim, axis, keepdims):
    # not R.axis_arg: for all/any, PyTorch's dim=() reduces nothing, as NumPy's axis=()
    axis = R._pick(axis, tuple(dim) if isinstance(dim, list) else dim, "axis", "dim", op)
    axes = None if axis is None else ops.normalize_axes(axis, t.ndim, op)
    keep = R.keepdims_arg(keepdims, keepdim, op)
    return Tensor._result(np.asarray(reduce(t.data, axis=axes, keepdims=keep)), None)


def _sort_axis(t, dim, op):
    """`t` (1-D if it is 0-d, as PyTorch sorts a 0-d tensor along dim 0 or -1) and `dim`
    as a non-negative axis."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {dim!r}")
    if t.ndim == 0:
        if dim not in (0, -1):
            raise ValueError(f"{op}: dim {dim} is out of range for a 0-d tensor; valid dims "
                             f"are -1 and 0 (as in PyTorch)")
        return t.reshape(1), 0
    return t, ops.normalize_axes(dim, t.ndim, op)[0]


def _sort_indices(x, axis, descending):
    """The stable sorting permutation along `axis`; descending keeps ties in their original
    order too (sort the reversed data ascending, then reverse back). nan comes last
    ascending and first descending, as in PyTorch."""
    if not descending:
        return np.argsort(x, axis=axis, kind="stable").astype(np.int64, copy=False)
    up = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return (x.shape[axis] - 1 - np.flip(up, axis)).astype(np.int64, copy=False)


def _pick_sorted(t, dim, descending, k, op):
    """`sort` (k None) and `topk`: the (values, indices) pair, values picked by indexing."""
    x, axis = _sort_axis(t, dim, op)
    index = _sort_indices(x.data, axis, descending)
    if k is not None:
        n = x.shape[axis]
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= n:
            raise ValueError(f"topk: k={k!r} is out of range for dim {dim} of size {n} (a "
                             f"tensor of shape {t.shape}); k must be an int from 0 to {n}")
        index = np.take(index, np.arange(k), axis=axis)
    values = x[R._along(index, axis, x.shape)]
    if t.ndim == 0 and index.size == 1:  # a 0-d result, but topk(0) has shape (0,)
        values, index = values.reshape(()), index.reshape(())
    return R.ValuesIndices(values, Tensor._result(index, None))


def _new_full(t, size, fill_value, dtype, requires_grad, op):
    """`new_zeros`, `new_ones`, `new_full`: a filled tensor of t's dtype by default."""
    from . import factories as F

    dtype = F._dtype(t.dtype if dtype is None else dtype, op)
    F._check_fill(F._fill(fill_value, op), dtype, op)
    if requires_grad and dtype.kind != "f":
        raise TypeError(f"{op}: only floating tensors can require grad, not {dtype}; pass "
                        f"dtype=np.float32")
    return F._make(np.full(F._shape(size, op), fill_value, dtype), requires_grad)


def _broadcasts_to(shape, target):
    """Whether an array of `shape` broadcasts to `target` without changing it."""
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _clip(t, min, max, op):
    """`clip`/`clamp`: bounds that are numbers, arrays or Tensors that do not require grad."""
    if min is None and max is None:
        raise ValueError(f"{op}: give at least one of min and max")
    bounds = []
    for bound, name in ((min, "min"), (max, "max")):
        if isinstance(bound, Tensor) and bound.requires_grad:
            raise TypeError(f"{op}: the bound {name} is a Tensor that requires grad, but "
                            f"{op} gives its bounds no gradient; use maximum(x, {name}) "
                            f"or where(...) to differentiate with respect to it")
        if bound is not None:  # refuses strings, ragged lists
            bound = checks.as_array(_data(bound), op, name)
            if bound.ndim == 0 and t.data.dtype.kind == "f":  # a number takes t's dtype,
                with np.errstate(over="ignore"):              # as in arithmetic (1e40: inf)
                    bound = bound.astype(t.data.dtype)
            elif not _broadcasts_to(bound.shape, t.shape):
                raise ValueError(f"{op}: the bound {name} of shape {bound.shape} does not "
                                 f"broadcast to the tensor's shape {t.shape}; give a number "
                                 f"or an array of a shape that broadcasts to {t.shape}")
        bounds.append(bound)
    return ops.Clip.apply(t, low=bounds[0], high=bounds[1])


def _max_min(t, op, arg, name, dim, keepdim, axis, keepdims, numpy_args):
    """`Tensor.max`/`min`: the values over `axis`/`dim`, paired with the indices for an
    int `dim` (PyTorch's `(values, indices)`)."""
    if isinstance(dim, Tensor) or isinstance(dim, np.ndarray) and dim.ndim:
        raise TypeError(f"{name}: t.{name}(other) is PyTorch's elementwise {name}imum of two "
                        f"tensors; here write t.{name}imum(other) (a dim must be an int)")
    keep = R.keepdims_arg(keepdims, keepdim, name)
    pair = dim is not None and not isinstance(dim, (tuple, list))
    # PyTorch's pair sends the gradient to the element at the index (the first of tied
    # extremes); `max()` and `max(axis=)` share it among ties, as PyTorch's max() and amax
    values = _numpy_reduction(op.apply(t, axis=R.axis_arg(axis, dim, name), keepdims=keep,
                                       first=pair), name, numpy_args)
    return R.ValuesIndices(values, arg(t, dim=dim, keepdim=keep)) if pair else values


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


def _as_array(data, dtype, op, keep_dtype=False):
    """`data` as an array of real numbers, refusing what would be silently wrong.

    Python numbers and lists, and integer or bool arrays, become `dtype` or
    DEFAULT_DTYPE; floating arrays keep theirs. With `keep_dtype` (a constant in an
    operation) every dtype is kept, float16 becoming float32 (exactly).
    """
    if type(data) is np.ndarray:
        arr = data
    elif isinstance(data, Tensor):
        if data.requires_grad and not keep_dtype:  # a new tensor made from it
            raise TypeError(f"{op}: the data is a {data._described()} that requires "
                            f"grad, and a new tensor made from it would silently be cut "
                            f"off from its graph; use it as it is, or say what you mean: "
                            f"t.detach() for a constant sharing its data")
        arr = data.data
    else:
        if type(data) is not float:
            _check_data(data, op)
        try:
            arr = np.asarray(data)  # no dtype yet: that would parse strings, drop imaginary parts
        except (TypeError, ValueError) as err:
            raise checks.data_error(op, "data", data, err) from None
    kind = arr.dtype.kind
    if kind == "f" and arr.dtype.itemsize == 2 and keep_dtype and dtype is None:
        return arr.astype(np.float32)  # float16 constants: widened, exactly
    if kind not in "biufc":
        raise checks.data_error(op, "data", data)
    if kind == "c" or arr.dtype.itemsize == 2 and kind == "f":
        checks.tensor_dtype(arr.dtype, op, "data")
    if dtype is not None:
        return arr.astype(checks.tensor_dtype(dtype, op), copy=False)
    if keep_dtype or (kind == "f" and isinstance(data, (np.ndarray, np.generic, Tensor))):
        return arr
    return arr.astype(DEFAULT_DTYPE)


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
        ok = ok and _broadcasts_to(shape, target)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"broadcast_to: cannot broadcast a tensor of shape {shape} to "
                         f"{checks.describe(given)}: the shape must be an int or a tuple of "
                         f"non-negative ints, and each axis of the tensor, aligned from the "
                         f"right, must equal the target's or be 1")
    return target


def _check_data(data, op="Tensor"):
    """Refuse what NumPy would silently turn into a constant, an object array or NaN:
    None, and nodes (Values; Tensors that require grad) inside lists."""
    if data is None:
        raise TypeError(f"{op}: data must be numbers or arrays, got None")
    if isinstance(data, Node) and not isinstance(data, Tensor):
        raise TypeError(f"{op}: data must be numbers or arrays, got a "
                        f"{type(data).__name__}; Value and Tensor do not mix (use "
                        f"Tensor(v.data) for a Value's number)")
    if isinstance(data, (list, tuple)):
        if isinstance(data, R.ValuesIndices):
            data.__array__()  # raises: the (values, indices) pair of max(dim) is no data
        for item in data:
            if isinstance(item, Tensor) and item.requires_grad:
                raise TypeError(f"{op}: the list holds a Tensor that requires grad, and "
                                f"copying its numbers into a new tensor would cut it off "
                                f"from the graph; use stack([...]) (or concatenate) to "
                                f"join tensors differentiably")
            if item is None or isinstance(item, (Node, list, tuple)):
                _check_data(item, op)


def _check_shape(shape, op):
    """`shape` as a tuple of int sizes (reshape checks the values itself)."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        raise TypeError(f"{op}: the shape must be a tuple of ints, got {shape!r}") from None
    for n in shape:
        if type(n) is not int and (isinstance(n, bool) or not isinstance(n, np.integer)):
            raise TypeError(f"{op}: sizes must be ints, got {n!r} in {shape!r}")
    return shape


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
            listed = isinstance(i, list)
            i = np.array(checks.as_array(i, "getitem", "an index list"))
            if listed and i.size == 0:  # `x[[]]`: an empty list selects nothing, as in NumPy
                i = i.astype(np.intp)
        if isinstance(i, np.ndarray) and i.dtype.kind not in "iub":
            raise IndexError(f"getitem: index arrays must hold integers or bools, got dtype "
                             f"{i.dtype}; convert with .astype(int)")
        if isinstance(i, float):
            raise IndexError(f"getitem: indices must be integers, slices, None or integer "
                             f"arrays, got the float {i!r}")
        fixed.append(i)
    return tuple(fixed) if isinstance(index, tuple) else fixed[0]


def _shares_memory(t, value):
    """Does a tensor that the caller can still reach share `t`'s memory, so that a write
    giving `t` new data would not reach it? Tensors sharing memory share its version
    counter, so the counter's reference count says how many there are. Not counted:
    `value` itself (`t[0] = t[1]`), and the tensors of `value`'s and `t`'s graphs that
    only one operation of a graph holds: temporaries such as the view `t[1]` in
    `t[0] = t[1] * 2`, or the base of `x = f(x).reshape(n, -1)`."""
    others = _references(t._vc) - _ONE_HOLDER - (value._vc is t._vc)
    if others <= 0:
        return False
    found = list({id(n): n for n in _graphs(t, value)
                  if n._vc is t._vc and n is not t and n is not value}.values())
    return others > _count_hidden(found, _HIDDEN)


def _graphs(t, value):
    yield from engine.topological_order(value)
    yield from engine.topological_order(t)


def _count_hidden(nodes, limit):
    """How many of `nodes` nothing but one container (an operation's inputs) holds."""
    return sum(1 for n in nodes if _references(n) <= limit)


def _references(x):
    return sys.getrefcount(x)


def _holders_baseline():
    """`_references` of an object held once (`_ONE_HOLDER`), and the `limit` at which
    `_count_hidden` counts an object held by one container besides its list (`_HIDDEN`):
    measured, since the interpreter's own references differ between versions."""
    class Holder:
        __slots__ = ("held",)
    holder = Holder()
    holder.held = []
    inputs = (object(),)
    return _references(holder.held), next(
        limit for limit in range(1, 64) if _count_hidden([inputs[0]], limit))


_ONE_HOLDER, _HIDDEN = _holders_baseline()


def _read_instead(root, node, other):
    """Make the operations behind `root` that read `node` read `other` (its contents so far)
    instead: `t[i] = f(t)` must not loop back into the new `t`."""
    for n in engine.topological_order(root, requiring_grad=True):
        ctx = n._ctx
        if ctx is not None and any(p is node for p in ctx.parents):
            if ctx.versions is not None:  # `other` is `node` as it was when ctx read it...
                ctx.versions = tuple(
                    (other._version if seen == node._version else -1) if p is node else seen
                    for p, seen in zip(ctx.parents, ctx.versions))  # ...unless changed since
            ctx.parents = tuple(other if p is node else p for p in ctx.parents)


# ----- module-level functions -----


def _as_tensors(xs, op):
    if isinstance(xs, Tensor):
        raise TypeError(f"{op}: expects a list or tuple of tensors, got a single Tensor "
                        f"(shape {xs.shape}), whose rows it would silently join; wrap it "
                        f"in a list: {op}([t, ...])")
    if isinstance(xs, (str, bytes, dict)) or not hasattr(xs, "__iter__"):
        raise TypeError(f"{op}: expects a list or tuple of tensors, got "
                        f"{type(xs).__name__}")
    xs = list(xs)
    if not xs:
        raise ValueError(f"{op}: needs at least one tensor")
    first = next((x for x in xs if isinstance(x, Tensor)), None)
    if first is None:
        first = Tensor(xs[0])
    return [_tensor(x, first, op) for x in xs]


def concatenate(tensors, axis=0, *, dim=None):
    """Join tensors along an existing axis (`dim` is PyTorch's name for it).

    >>> from autograd_lite import Tensor, concatenate
    >>> concatenate([Tensor([1.0, 2.0]), Tensor([3.0])]).data
    array([1., 2., 3.], dtype=float32)
    """
    axis = R.axis_arg(None if axis == 0 else axis, dim, "concatenate", axis)
    return ops.Concatenate.apply(*_as_tensors(tensors, "concatenate"), axis=axis)


def stack(tensors, axis=0, *, dim=None):
    """Join equally shaped tensors along a new axis (`dim` is PyTorch's name for it).

    >>> from autograd_lite import Tensor, stack
    >>> stack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])]).shape
    (2, 2)
    """
    axis = R.axis_arg(None if axis == 0 else axis, dim, "stack", axis)
    return ops.Stack.apply(*_as_tensors(tensors, "stack"), axis=axis)


def where(condition, a, b):
    """Elementwise `a` where `condition` holds, else `b`; the condition is a constant.

    >>> from autograd_lite import Tensor, where
    >>> x = Tensor([-1.0, 2.0])
    >>> where(x > 0, x, 0.0).data
    array([0., 2.], dtype=float32)
    """
    cond = np.array(_data(condition))  # a copy: backward must see this condition
    if condition is None or cond.dtype.kind not in "biuf":
        raise TypeError(f"where: the condition must be a bool array or Tensor (such as "
                        f"x > 0), got {type(condition).__name__}"
                        + (f" of dtype {cond.dtype}" if condition is not None else ""))
    a, b = _as_tensors([a, b], "where")
    return ops.Where.apply(a, b, cond=cond.astype(bool, copy=False))


def from_dlpack(x):
    """A Tensor sharing the memory of `x`, any object with `__dlpack__` (a NumPy array, a
    PyTorch tensor on the CPU, a JAX or CuPy array on the host, ...): no copy is made.

    The tensor keeps `x`'s dtype and is a leaf that does not require grad: DLPack carries
    data, never graphs (a PyTorch tensor that requires grad must be `.detach()`ed first).
    Writes through either side show in both.

    >>> import numpy as np
    >>> from autograd_lite import from_dlpack
    >>> a = np.arange(3.0)
    >>> t = from_dlpack(a)
    >>> a[0] = 7.0
    >>> t
    Tensor([7., 1., 2.], dtype=float64)
    """
    if not hasattr(x, "__dlpack__"):
        raise TypeError(f"from_dlpack: expected an array with __dlpack__ (a NumPy array, a "
                        f"PyTorch tensor, ...), got {type(x).__name__}; use Tensor(x) to "
                        f"copy other data")
    try:
        data = np.from_dlpack(x)
    except (BufferError, RuntimeError, TypeError, ValueError) as err:
        try:
            device = int(x.__dlpack_device__()[0])
        except Exception:  # noqa: BLE001 - only for the message
            device = None
        if device not in (None, 1):
            hint = ("autograd-lite's arrays live in CPU memory (DLPack device 1), this one is "
                    f"on device {device}: copy it there first (for PyTorch: x.detach().cpu())")
        elif getattr(x, "requires_grad", False):
            hint = "detach it first, x.detach() (DLPack carries data, not graphs)"
        elif isinstance(x, np.ndarray):
            hint = (f"a Tensor holds real numbers, not {x.dtype}: convert the data to "
                    "numbers first (e.g. x.astype(np.float32), a copy)")
        else:
            hint = (f"NumPy has no dtype like its {getattr(x, 'dtype', '?')} (bfloat16, "
                    "complex32, ... have none): convert it first (for PyTorch: x.float(), "
                    "a copy)")
        raise type(err)(f"from_dlpack: cannot share the memory of this {type(x).__name__}: "
                        f"{err}; {hint}") from None
    kind, torch_like = data.dtype.kind, hasattr(x, "detach")
    if kind == "c" or kind == "f" and data.dtype.itemsize == 2:
        why = ("autograd-lite differentiates real numbers only" if kind == "c" else
               "autograd-lite refuses float16: its range (up to 65504) is too small for the "
               "counts and sums inside gradients")
        fix = ("x.real.float() or torch.view_as_real(x) for PyTorch" if kind == "c" and
               torch_like else "x.real or np.abs(x)" if kind == "c" else
               "x.float() for PyTorch" if torch_like else "x.astype(np.float32)")
        source = f"{type(x).__module__.split('.')[0]}.{type(x).__name__}"
        raise TypeError(f"from_dlpack: cannot share this {source} of dtype {data.dtype}: "
                        f"{why}. Convert it first, e.g. {fix} (this may copy the data), "
                        f"then pass the result to from_dlpack (or Tensor)")
    return Tensor(data, dtype=data.dtype)


def maximum(a, b):
    """Elementwise maximum of two tensors (broadcasting); ties split the gradient.

    >>> from autograd_lite import Tensor, maximum
    >>> maximum(Tensor([1.0, 5.0]), 3.0).data
    array([3., 5.], dtype=float32)
    """
    a, b = _as_tensors([a, b], "maximum")
    return ops.Maximum.apply2(a, b)


# ----- NumPy's functions on Tensors (see Tensor.__array_function__) -----
#
# A NumPy function dispatches to the autograd_lite function of the same name, which
# follows NumPy's meaning (`autograd_lite.routines`: var, squeeze, repeat, cumsum, ...; or
# this module: concatenate, stack, where, maximum), or else to the Tensor method of that
# name (sum, mean, max, reshape, ...). So an operation added later is picked up by
# itself. The table below only lists the names whose NumPy arguments are spelled
# differently from the engine's.


def _operand(a):
    """The first argument of a NumPy function as a Tensor (it may be an array when a
    later argument is the Tensor that made NumPy dispatch here)."""
    return a if isinstance(a, Tensor) else Tensor(a)


def _np_reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    if order != "C" or copy:
        raise TypeError("np.reshape: a Tensor supports only order='C' and copy=None")
    return _operand(a).reshape(shape if newshape is None else newshape)


def _np_clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None):
    if out is not None:
        raise TypeError("np.clip: a Tensor does not support out=")
    return _operand(a).clip(a_min if min is None else min, a_max if max is None else max)


def _np_dot(a, b, out=None):
    if out is not None:
        raise TypeError("np.dot: a Tensor does not support out=")
    a, b = _as_tensors([a, b], "dot")
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim > 2:
        raise TypeError(f"np.dot: for a second argument with more than 2 dimensions "
                        f"(shape {b.shape}) np.dot is not a batched matrix product; use "
                        f"a @ b (np.matmul), which is")
    return a @ b


def _np_where(condition, *ab):
    if not ab:  # np.where(condition): the indices where it holds, a constant
        return np.nonzero(_data(condition))
    return where(condition, *ab)


def _np_sort(a, axis=-1, kind=None, order=None, *, stable=None):
    a = _operand(a)
    if axis is None:  # np.sort(t, axis=None) sorts the flattened data
        a, axis = a.reshape(-1), -1
    return a.sort(axis).values  # values only, as NumPy's (Tensor.sort gives the pair)


_NUMPY_ADAPTERS = {
    "reshape": _np_reshape, "clip": _np_clip, "dot": _np_dot, "where": _np_where,
    "sort": _np_sort,
    # np.sum's second argument is NumPy's axis (axis=() reduces nothing), Tensor.sum's a dim
    "sum": lambda a, axis=None, dtype=None, out=None, keepdims=None, **kw: _operand(a).sum(
        axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kw),
    "mean": lambda a, axis=None, dtype=None, out=None, keepdims=None, **kw: _operand(a).mean(
        axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kw),
    # np.max's second argument is an axis (values only), Tensor.max's a dim (with indices)
    "max": lambda a, axis=None, out=None, keepdims=None, **kw: _operand(a).max(
        axis=axis, keepdims=keepdims, out=out, **kw),
    "min": lambda a, axis=None, out=None, keepdims=None, **kw: _operand(a).min(
        axis=axis, keepdims=keepdims, out=out, **kw),
    "concat": lambda *args, **kw: concatenate(*args, **kw),
    "permute_dims": lambda a, axes=None: R.transpose(a, axes),
    "around": lambda a, decimals=0, out=None: R.round(a, decimals),
    "absolute": lambda a: abs(_operand(a)), "negative": lambda a: -_operand(a),
}
_NUMPY_ADAPTERS.update(amax=_NUMPY_ADAPTERS["max"], amin=_NUMPY_ADAPTERS["min"])

# NumPy functions that only read the data, giving no number that could carry a gradient
# (shapes, tests, indices): they read any tensor.
_READ_ONLY = {"shape", "ndim", "size", "allclose", "isclose", "array_equal", "array_equiv",
              "argsort", "nonzero", "flatnonzero", "count_nonzero",
              "any", "all", "result_type", "array_repr", "array_str", "array2string",
              "may_share_memory", "shares_memory", "isreal", "iscomplexobj", "isrealobj",
              "zeros_like", "ones_like", "empty_like", "full_like"}


def _numpy_equivalent(func, args):
    """The engine's version of the NumPy function `func`, or None if there is none."""
    name = func.__name__
    if name in _READ_ONLY:  # np.all(t), np.argsort(t): NumPy's meaning, on the data
        return None
    if name in _NUMPY_ADAPTERS:
        return _NUMPY_ADAPTERS[name]
    if name in R.__all__:
        return getattr(R, name)  # autograd_lite's function, with NumPy's meaning
    fn = globals().get(name)
    if not name.startswith("_") and getattr(fn, "__module__", None) == __name__ and \
            callable(fn) and not isinstance(fn, type):
        return fn  # a module-level engine function: concatenate, stack, maximum, ...
    method = getattr(Tensor, name, None)
    if callable(method) and not name.startswith("_") and args and isinstance(args[0], Tensor):
        return lambda a, *rest, **kw: method(a, *rest, **kw)
    return None


def _any_requires_grad(args, kwargs):
    """Whether a Tensor that requires grad is among `args`, `kwargs` or lists in them."""
    stack = list(args) + list(kwargs.values())
    while stack:
        x = stack.pop()
        if isinstance(x, Tensor):
            if x.requires_grad:
                return True
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
    return False


def _plain(x):
    """`x` with every Tensor (also inside lists, tuples and dicts) replaced by its data."""
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, (list, tuple)):
        return type(x)(_plain(i) for i in x)
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x



_ONES = {}  # dtype -> a read-only 0-d one: the seed of backward() from a 0-d tensor


def _one(dtype):
    """A read-only 0-d array holding 1 of `dtype`, made once per dtype: the seed of a
    first-order backward(), which never writes into its seed and copies it before storing
    it in a .grad."""
    one = _ONES.get(dtype)
    if one is None:
        one = _ONES[dtype] = np.array(1, dtype)
        one.flags.writeable = False
    return one


def _share_version_counter(out, parents):
    """Give a result that views an input's memory (reshape, transpose, basic indexing, ...)
    that input's version counter: an in-place change through either is seen by both."""
    root = out.data if out.data.base is None else out.data.base
    for p in parents:
        data = getattr(p, "data", None)
        if data is not None and (data if data.base is None else data.base) is root:
            out._vc = p._vc
            return


from . import routines as R  # noqa: E402  (routines builds on Tensor; methods delegate to it)
