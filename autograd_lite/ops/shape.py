"""Shape and indexing: reshape, transpose, indexing, joining.
"""

import numpy as np

from ..engine import data_of
from .base import TensorFunction, normalize_axes, select

# ***** shape and indexing *****


class Reshape(TensorFunction):
    """a.reshape(shape);  the gradient is reshaped back."""

    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = shape

    @property
    def name(self):
        return f"reshape{self.shape}"

    def forward(self, a):
        problem = ""
        if self.shape and min(self.shape) < -1:  # NumPy takes any negative size as -1
            problem = ": sizes must be >= 0, or -1 (once) for the size to infer"
        else:
            try:
                return a.reshape(self.shape)
            except ValueError:
                if self.shape.count(-1) > 1:
                    problem = ": only one size can be -1 (inferred)"
        raise ValueError(f"reshape: cannot reshape a tensor of shape {a.shape} "
                         f"({a.size} elements) into shape {self.shape}{problem}")

    def backward(self, g, out, a):
        return g.reshape(a.shape)


class Transpose(TensorFunction):
    """a.transpose(axes);  the gradient is transposed back by the inverse permutation."""

    __slots__ = ("axes",)

    def __init__(self, axes=None):
        self.axes = axes

    @property
    def name(self):
        return "transpose" if self.axes is None else f"transpose{self.axes}"

    def forward(self, a):
        if self.axes is None:
            self.axes = tuple(reversed(range(a.ndim)))
        elif (len(self.axes) != a.ndim
              or normalize_axes(tuple(self.axes), a.ndim, "transpose") != tuple(range(a.ndim))):
            raise ValueError(f"transpose: axes {self.axes} are not a permutation of the "
                             f"{a.ndim} axes of a tensor of shape {a.shape}")
        else:
            self.axes = tuple(int(i) % a.ndim for i in self.axes)
        return a.transpose(self.axes)

    def backward(self, g, out, a):
        return g.transpose(tuple(np.argsort(self.axes)))


class GetItem(TensorFunction):
    """a[index];  the gradient is scattered back, repeated indices adding up."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index

    name = "getitem"

    def forward(self, a):
        out = a[self.index]
        if type(out) is not np.ndarray:  # one element, all integer indices (no `...`):
            # NumPy gives a copy, PyTorch a 0-d view, which sees (and shares the version
            # counter of) later in-place changes of `a`; so do we, by adding `...`
            index = self.index if isinstance(self.index, tuple) else (self.index,)
            out = a[index + (Ellipsis,)]
        return out

    def backward(self, g, out, a):
        return ScatterAdd.call(g, index=self.index, shape=a.shape)


class ScatterAdd(TensorFunction):
    """zeros(shape) with g added at `index` (repeats add up): the reverse of indexing."""

    __slots__ = ("index", "shape")

    def __init__(self, index, shape):
        self.index, self.shape = index, shape

    name = "scatter_add"

    def forward(self, g):
        out = np.zeros(self.shape, dtype=g.dtype)
        if _is_basic(self.index):
            out[self.index] = g  # basic indexing never repeats an element
        else:
            np.add.at(out, self.index, g)
        return out

    def backward(self, g, out, a):
        return GetItem.call(g, index=self.index)


class SetItem(TensorFunction):
    """a with a[index] = v (a copy; `t[index] = v` on a tensor in a graph records this);
    d/da = 1 outside `index`, 0 inside; d/dv = 1 where v's value was written.

    A position that an index array names twice is written twice, the last write staying
    (as a sequence of assignments would), so only that element of v gets its gradient."""

    __slots__ = ("index", "written")

    def __init__(self, index):
        self.index, self.written = index, None

    name = "setitem"

    def forward(self, a, v):
        out = a.copy()
        if _is_basic(self.index):
            # basic indexing never names an element twice
            out[self.index] = selection_value(v, out[self.index].shape)
            return out
        flat, last, selected = last_writes(a.shape, self.index)
        v = np.broadcast_to(selection_value(v, selected), selected)
        out.ravel()[flat[last]] = v.ravel()[last]
        if last.size != flat.size:
            self.written = np.zeros(flat.size, dtype=bool)
            self.written[last] = True
            self.written = self.written.reshape(selected)
        return out

    def backward(self, g, out, a, v):
        need_a, need_v = self.needs_input_grad
        ga = SetItem.call(g, 0.0, index=self.index) if need_a else None
        gv = None
        if need_v:
            gv = GetItem.call(g, index=self.index)
            if self.written is not None:  # exactly 0 for overwritten values, even for inf g
                gv = select(self.written, gv)
            if gv.ndim < v.ndim:  # v had leading axes of length 1 (as in NumPy)
                gv = gv.reshape((1,) * (v.ndim - gv.ndim) + gv.shape)
        return ga, gv


def last_writes(shape, index):
    """For `t[index] = v` on a tensor of `shape`: the flat position of each write (in the
    selection's order), which of them stay (the last write to each position: NumPy does
    not promise one), and the selection's shape."""
    where = np.arange(int(np.prod(shape))).reshape(shape)[index]
    flat = where.ravel()
    _, last_reversed = np.unique(flat[::-1], return_index=True)
    return flat, np.sort(flat.size - 1 - last_reversed), where.shape


def selection_value(v, shape):
    """The value `v` to write into a selection of `shape`: leading axes of length 1 beyond
    the selection's are dropped (PyTorch's rule: `y[1] = x` with x of shape (1, n)); the
    rest must broadcast to `shape`, as NumPy checks."""
    v = np.asarray(v)
    extra = v.ndim - len(shape)
    if extra > 0:
        if any(n != 1 for n in v.shape[:extra]):
            raise ValueError(f"cannot write a value of shape {v.shape} into a selection of "
                             f"shape {shape}")
        v = v.reshape(v.shape[extra:])
    return v


def _is_basic(index):
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice))
               for i in items)


class Concatenate(TensorFunction):
    """concatenate(xs, axis);  each input gets its slice of the gradient."""

    __slots__ = ("axis",)

    def __init__(self, axis=0):
        self.axis = axis

    @property
    def name(self):
        return f"concatenate(axis={self.axis})"

    def forward(self, *xs):
        if xs[0].ndim == 0:
            raise ValueError("concatenate: 0-d tensors have no axis to join along; use "
                             "stack() to make a new axis")
        (self.axis,) = normalize_axes(self.axis, xs[0].ndim, "concatenate")
        for i, x in enumerate(xs):
            if x.ndim != xs[0].ndim or x.shape[:self.axis] + x.shape[self.axis + 1:] != (
                    xs[0].shape[:self.axis] + xs[0].shape[self.axis + 1:]):
                raise ValueError(
                    f"concatenate: input {i} has shape {x.shape}, which does not match "
                    f"input 0's shape {xs[0].shape} outside axis {self.axis}")
        return np.concatenate(xs, axis=self.axis)

    def backward(self, g, out, *xs):
        grads, start = [], 0
        for x in xs:
            stop = start + x.shape[self.axis]
            index = (slice(None),) * self.axis + (slice(start, stop),)
            grads.append(GetItem.call(g, index=index))
            start = stop
        return tuple(grads)


class Stack(TensorFunction):
    """stack(xs, axis);  input i gets the gradient's slice i along the new axis."""

    __slots__ = ("axis",)

    def __init__(self, axis=0):
        self.axis = axis

    @property
    def name(self):
        return f"stack(axis={self.axis})"

    def forward(self, *xs):
        (self.axis,) = normalize_axes(self.axis, xs[0].ndim + 1, "stack")
        for i, x in enumerate(xs):
            if x.shape != xs[0].shape:
                raise ValueError(f"stack: input {i} has shape {x.shape}, but input 0 has "
                                 f"shape {xs[0].shape}; stacked tensors need equal shapes")
        return np.stack(xs, axis=self.axis)

    def backward(self, g, out, *xs):
        lead = (slice(None),) * self.axis
        return tuple(GetItem.call(g, index=lead + (i,)) for i in range(len(xs)))


# ***** reversing and padding *****


class Flip(TensorFunction):
    """flip(a, axis): reverse the order along `axis` (None: every axis);  the gradient is
    flipped back."""

    __slots__ = ("axis",)

    def __init__(self, axis=None):
        self.axis = axis

    @property
    def name(self):
        return f"flip(axis={self.axis})"

    def forward(self, a):
        axes = normalize_axes(self.axis, a.ndim, "flip")
        return np.flip(a, axes) if axes else a

    def backward(self, g, out, a):
        return Flip.call(g, axis=self.axis)


PAD_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
             "edge": "edge", "circular": "wrap", "wrap": "wrap"}


class Pad(TensorFunction):
    """Pad each axis with `widths[i] = (before, after)` elements; negative widths crop.

    `mode`: "constant" (with `value`), "reflect" (mirror without repeating the edge),
    "replicate" (repeat the edge) or "circular" (wrap around); NumPy's names "edge" and
    "wrap" are accepted too. As in PyTorch, reflect pads the whole input and then crops;
    the other modes crop first. The gradient of constant padding is the gradient's middle;
    reflected, replicated and wrapped copies add their gradient to the elements they copy.
    """

    __slots__ = ("widths", "mode", "value")

    def __init__(self, widths, mode="constant", value=0.0):
        if mode not in PAD_MODES:
            raise ValueError(f"pad: unknown mode {mode!r}; choose one of "
                             f"{', '.join(map(repr, PAD_MODES))}")
        widths = tuple(tuple(pair) for pair in widths)
        if not all(len(pair) == 2 and all(isinstance(w, (int, np.integer))
                                          and not isinstance(w, bool) for w in pair)
                   for pair in widths):
            raise TypeError(f"pad: widths must be (before, after) pairs of ints, got {widths}")
        self.widths = tuple((int(b), int(e)) for b, e in widths)
        self.mode, self.value = mode, value

    @property
    def name(self):
        return f"pad({self.mode})"

    def _crop(self, shape):
        """The slices that crop the negative widths from an array of `shape` (padded or
        not: a side is either padded or cropped)."""
        return tuple(slice(max(-b, 0), n - max(-e, 0)) for (b, e), n in zip(self.widths, shape))

    def forward(self, a):
        if len(self.widths) != a.ndim:
            raise ValueError(f"pad: {len(self.widths)} (before, after) pairs for a tensor "
                             f"with {a.ndim} dimension(s) of shape {a.shape}")
        kind, pad_first = PAD_MODES[self.mode], PAD_MODES[self.mode] == "reflect"
        grow = [(max(b, 0), max(e, 0)) for b, e in self.widths]
        for axis, ((b, e), n) in enumerate(zip(self.widths, a.shape)):
            kept = n - max(-b, 0) - max(-e, 0)
            if kept < 0:
                raise ValueError(f"pad: widths {self.widths} crop more than axis {axis} of "
                                 f"shape {a.shape} holds")
            size = n if pad_first else kept
            if (b > 0 or e > 0) and kind != "constant" and (
                    size == 0 or pad_first and max(b, e) >= size):
                raise ValueError(f"pad: {self.mode} padding ({b}, {e}) of axis {axis} must "
                                 f"be smaller than its size {size}")
        if pad_first:
            padded = np.pad(a, grow, mode=kind)
            return padded[self._crop(padded.shape)]
        cropped = a[self._crop(a.shape)]
        if kind == "constant":
            return np.pad(cropped, grow, constant_values=self.value)
        return np.pad(cropped, grow, mode=kind)

    def backward(self, g, out, a):
        shape = data_of(a).shape
        cropping = any(b < 0 or e < 0 for b, e in self.widths)
        if PAD_MODES[self.mode] == "constant":
            inner = g[tuple(slice(max(b, 0), n - max(e, 0))
                            for (b, e), n in zip(self.widths, data_of(g).shape))]
            return ScatterAdd.call(inner, index=self._crop(shape), shape=shape) \
                if cropping else inner
        pad_first = PAD_MODES[self.mode] == "reflect"
        if pad_first and cropping:  # put g back into the uncropped padded shape
            grown = tuple(n + max(b, 0) + max(e, 0) for (b, e), n in zip(self.widths, shape))
            g = ScatterAdd.call(g, index=self._crop(grown), shape=grown)
        for axis, ((b, e), n) in enumerate(zip(self.widths, shape)):
            if b > 0 or e > 0:  # fold each padded axis back onto the elements it copies
                size = n if pad_first else n - max(-b, 0) - max(-e, 0)
                source = np.pad(np.arange(size), (max(b, 0), max(e, 0)),
                                mode=PAD_MODES[self.mode])
                g = PadFold.call(g, axis=axis, source=source, before=max(b, 0))
        if cropping and not pad_first:  # cropped elements get 0
            return ScatterAdd.call(g, index=self._crop(shape), shape=shape)
        return g


class PadFold(TensorFunction):
    """The gradient of replicate, reflect or circular padding along `axis`: position i of
    the padded axis is a copy of element `source[i]`, so its gradient is added there;
    d/dg = the gradient gathered at `source` (a padding again).

    Exact sums, never a product with a 0/1 matrix: an infinite gradient at one position
    stays at the element it copies (inf * 0 would spread nan over the whole axis).
    """

    __slots__ = ("axis", "source", "before")
    name = "pad_fold"

    def __init__(self, axis, source, before):
        self.axis, self.source, self.before = axis, source, before

    def forward(self, g):
        g = np.moveaxis(g, self.axis, 0)
        b, n = self.before, int(self.source.max()) + 1
        out = g[b:b + n].copy()  # the middle: each element's own gradient
        for i in (*range(b), *range(b + n, len(self.source))):  # the padded copies
            out[self.source[i]] += g[i]
        return np.moveaxis(out, 0, self.axis)

    def backward(self, gg, out, g):
        return GetItem.call(gg, index=(slice(None),) * self.axis + (self.source,))
