"""The tensor operations behind `Tensor`, one `Function` class per operation, grouped by topic.

Each class has its `forward` rule directly above its `backward` rule. Find an operation by
its topic:

- `base`: `TensorFunction` (the base class, and the ONE place that undoes broadcasting),
  `BroadcastTo` and `SumTo`;
- `elementwise`: arithmetic (`Add`, `Mul`, `Pow`, ...), `Exp`, `Log`, `Clip`, `Cast`, ...;
- `activations`: `Tanh`, `Sigmoid`, `Relu`, `Softmax`, `LogSoftmax`, ...;
- `reductions`: `Sum`, `Mean`, `Max`, `Min`, ...;
- `linalg`: `Matmul`;
- `shape`: `Reshape`, `Transpose`, indexing (`GetItem`, `ScatterAdd`), `Concatenate`, `Stack`;
- `conv`: `Conv2d`, `ConvTranspose2d`, `MaxPool2d`, `AvgPool2d`, and the window copies
  `Im2Col` and `Col2Im` that their gradients use.

Every operation class is also importable from here: `from autograd_lite.ops import Tanh`.
"""

from .activations import LogSoftmax, Relu, Sigmoid, Softmax, Tanh
from .base import (BroadcastTo, SumTo, TensorFunction, fit_gradients, kept_shape,
                   normalize_axes, sum_to)
from .conv import AvgPool2d, Col2Im, Conv2d, ConvTranspose2d, Im2Col, MaxPool2d
from .elementwise import (Abs, Add, Cast, Clip, Div, Exp, Log, Maximum, Mul, Neg, Pow, Sqrt,
                          Sub, Where)
from .linalg import Matmul
from .reductions import Max, Mean, Min, Sum
from .shape import Concatenate, GetItem, Reshape, ScatterAdd, Stack, Transpose
