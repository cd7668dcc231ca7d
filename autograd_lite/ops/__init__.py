"""The tensor operations behind `Tensor`, one `Function` class per operation, grouped by topic.

Each class has its `forward` rule directly above its `backward` rule. Find an operation by
its topic:

- `base`: `TensorFunction` (the base class, and the ONE place that undoes broadcasting),
  `BroadcastTo`, `SumTo`, `Piecewise` (a derivative mask, for second derivatives) and
  `Select` (a gradient routed through a 0/1 mask, exactly 0 where it is 0);
- `elementwise`: arithmetic (`Add`, `Mul`, `Pow`, `Minimum`, ...), `Exp`, `Log`, `Log1p`,
  `Erf`, trigonometry (`Sin`, ...), steps with a zero gradient (`Floor`, `Sign`, ...),
  `Clip`, `Cast`, `Clone`;
- `activations`: `Tanh`, `Sigmoid`, `Relu`, `LeakyRelu`, `Elu`, `Gelu`, `Silu`, `Softplus`,
  ..., `Softmax`, `LogSoftmax`;
- `reductions`: `Sum`, `Mean`, `Max`, `Min`, `Var`, `Prod`, `Logsumexp`, `Norm`, and the
  running `Cumsum`, `Cumprod`;
- `linalg`: `Matmul`;
- `shape`: `Reshape`, `Transpose`, indexing (`GetItem`, `ScatterAdd`, `SetItem`),
  `Concatenate`, `Stack`, `Flip`, `Pad` (and `PadFold`, its gradient);
- `conv`: `Conv2d`, `ConvTranspose2d`, `MaxPool2d`, `AvgPool2d`, and the window copies
  `Im2Col` and `Col2Im` that their gradients use.

Every operation class is also importable from here: `from autograd_lite.ops import Tanh`.
"""

from .activations import (Elu, Gelu, Hardsigmoid, Hardswish, Hardtanh, LeakyRelu, LogSigmoid,
                          LogSoftmax, Mish, Relu, Sigmoid, Silu, Softmax, Softplus, Softsign,
                          Tanh)
from .base import (BroadcastTo, Piecewise, Select, SumTo, TensorFunction,
                   curvature_undefined, fit_gradients, kept_shape, normalize_axes, piecewise,
                   quiet_underflow, select, sum_to, zero_gradient)
from .conv import AvgPool2d, Col2Im, Conv2d, ConvTranspose2d, Im2Col, MaxPool2d
from .elementwise import (Abs, Add, Cast, Ceil, Clip, Clone, Cos, Div, Erf, Exp, Exp2, Expm1,
                          Floor, Log, Log1p, Log2, Maximum, Minimum, Mul, Neg, Pow, Reciprocal, Round,
                          Rsqrt, Sign, Sin, Sqrt, Square, Sub, Tan, Trunc, Where)
from .linalg import Matmul
from .reductions import Cumprod, Cumsum, Logsumexp, Max, Mean, Min, Norm, Prod, Sum, Var
from .shape import (Concatenate, Flip, GetItem, Pad, PadFold, Reshape, ScatterAdd, SetItem,
                    Stack, Transpose, last_writes, selection_value)
