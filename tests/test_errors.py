"""Errors that explain themselves: each message names the operation, the shapes involved and
the tensors' labels; invalid arguments fail fast and list the valid choices; detect_anomaly
and the version counter point at the user's code.

Covered elsewhere, not repeated here: the shape error smoke test in test_engine.py, anomaly
basics and in-place operators in test_reliability.py, nn argument checks in test_nn_optim.py,
test_nn_exercise.py and test_nn_functional.py (labels out of range, reductions of mse_loss,
cross_entropy, binary_cross_entropy, BCELoss, BCEWithLogitsLoss).
"""

import contextlib
import inspect
import io
import re
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd_lite import (AnomalyError, ModifiedInPlaceError, Tensor, Value, concatenate,
                           detect_anomaly, engine, maximum, no_grad, stack, where)
from nn import (MLP, SGD, Adam, CrossEntropyLoss, Layer, Linear, MSELoss, NeuralNetwork,
                Parameter, binary_cross_entropy, binary_cross_entropy_with_logits,
                cross_entropy, mse_loss)
from nn.functional import ACTIVATIONS, REDUCTIONS


def message_of(exc_type, call):
    """Run `call`, expecting `exc_type`; return the message."""
    with pytest.raises(exc_type) as info:
        call()
    return str(info.value)


def assert_mentions(message, *fragments):
    """Every fragment appears in the message, literally."""
    missing = [f for f in fragments if f not in message]
    assert not missing, f"{missing} not in the message: {message}"


def labelled(shape, label):
    return Tensor(np.ones(shape), label=label)


# ***** shape errors: operation, both shapes, labels *****


@pytest.mark.parametrize("op, name", [
    (lambda a, b: a + b, "add"),
    (lambda a, b: a - b, "sub"),
    (lambda a, b: a * b, "mul"),
    (lambda a, b: a / b, "div"),
    (lambda a, b: a ** b, "pow"),
    (lambda a, b: maximum(a, b), "maximum"),
    (lambda a, b: where(np.ones((2, 3), bool), a, b), "where"),
])
def test_broadcast_error_names_the_operation_both_shapes_and_labels(op, name):
    a, b = labelled((2, 3), "hidden"), labelled((4, 5), "bias")
    msg = message_of(ValueError, lambda: op(a, b))
    assert msg.startswith(f"{name}:")
    assert_mentions(msg, "(2, 3) 'hidden'", "(4, 5) 'bias'", "broadcast")


def test_broadcast_error_with_a_plain_array_names_the_tensor_it_has():
    a = labelled((2, 3), "x")
    msg = message_of(ValueError, lambda: np.ones((4, 5)) + a)  # reflected: the array is first
    assert_mentions(msg, "add:", "(4, 5)", "(2, 3) 'x'")


@pytest.mark.parametrize("a_shape, b_shape, words", [
    ((2, 3), (4, 5), ["not aligned", "3 (last dim of a) != 4"]),
    ((3,), (4, 2), ["not aligned"]),
    ((3,), (4,), ["not aligned", "only dim of b"]),
    ((2, 3, 4), (5, 4, 2), ["batch dimensions"]),
    ((), (4,), ["at least 1 dimension"]),
])
def test_matmul_error_names_both_shapes_and_labels(a_shape, b_shape, words):
    a, b = labelled(a_shape, "x"), labelled(b_shape, "W")
    msg = message_of(ValueError, lambda: a @ b)
    assert msg.startswith("matmul:")
    assert_mentions(msg, str(a_shape), str(b_shape), f"{a_shape} 'x'", f"{b_shape} 'W'", *words)


@pytest.mark.parametrize("new_shape", [(4,), (4, -1), (-1, -1), (7, 1)])
def test_reshape_error_names_both_shapes_the_size_and_the_label(new_shape):
    a = labelled((2, 3), "features")
    msg = message_of(ValueError, lambda: a.reshape(new_shape))
    assert msg.startswith("reshape")
    assert_mentions(msg, "(2, 3)", "6 elements", str(new_shape), "'features'")


@pytest.mark.parametrize("shapes, axis", [
    (((2, 3), (4, 5)), 0),
    (((2, 3), (4, 5)), 1),
    (((2, 3), (3,)), 0),  # different number of dimensions
])
def test_concatenate_error_names_the_input_its_shape_and_the_labels(shapes, axis):
    a, b = labelled(shapes[0], "left"), labelled(shapes[1], "right")
    msg = message_of(ValueError, lambda: concatenate([a, b], axis=axis))
    assert msg.startswith("concatenate")
    assert_mentions(msg, "input 1", str(shapes[1]), str(shapes[0]), f"axis {axis}",
                    f"{shapes[0]} 'left'", f"{shapes[1]} 'right'")


def test_concatenate_of_zero_dimensional_tensors_says_why():
    msg = message_of(ValueError, lambda: concatenate([labelled((), "s"), labelled((), "t")]))
    assert_mentions(msg, "concatenate", "() 's'")
    assert "unpack" not in msg and ("0-d" in msg or "dimension" in msg)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_stack_error_names_both_shapes_and_labels(axis):
    p, q = labelled((3,), "p"), labelled((4,), "q")
    msg = message_of(ValueError, lambda: stack([p, q], axis=axis))
    assert msg.startswith("stack")
    assert_mentions(msg, "input 1", "(4,)", "(3,)", "equal shapes", "(3,) 'p'", "(4,) 'q'")


def test_linear_input_width_error_names_the_module_its_width_and_the_shape():
    model = nn.Sequential(Linear(4, 3, seed=0), nn.ReLU(), Linear(3, 2, seed=1))
    msg = message_of(ValueError, lambda: model(np.ones((2, 5))))
    assert_mentions(msg, "Linear '0'", "in_features=4", "(batch, 4)", "(2, 5)")


def test_layer_input_width_error_names_the_layer_its_width_and_the_shape():
    layer = Layer(3, 2, "relu", 0, seed=0)
    msg = message_of(ValueError, lambda: layer.forward(np.ones((4, 5))))
    assert_mentions(msg, "Layer", "n_of_inputs=3", "(batch, 3)", "(4, 5)")
    net = NeuralNetwork(3, lr=0.1, seed=0)
    net.append_layer(2, "relu")
    msg = message_of(ValueError, lambda: net.forward(np.ones(5)))
    assert_mentions(msg, "Layer 'layers.0'", "(3,)", "got shape (5,)")


@pytest.mark.parametrize("call, name, shapes", [
    (lambda x, t: mse_loss(x, t), "mse_loss", ["(4, 1)", "(4,)"]),
    (lambda x, t: MSELoss()(x, t), "mse_loss", ["(4, 1)", "(4,)"]),
    (lambda x, t: binary_cross_entropy(x.sigmoid(), t), "binary_cross_entropy",
     ["(4, 1)", "(4,)"]),
    (lambda x, t: binary_cross_entropy_with_logits(x, t), "binary_cross_entropy_with_logits",
     ["(4, 1)", "(4,)"]),
])
def test_loss_target_shape_error_names_the_loss_and_both_shapes(call, name, shapes):
    x = Tensor(np.zeros((4, 1)), requires_grad=True)
    msg = message_of(ValueError, lambda: call(x, np.zeros(4)))
    assert msg.startswith(f"{name}:")
    assert_mentions(msg, *shapes)
    assert x.grad is None


def test_cross_entropy_label_shape_error_names_logits_and_label_shapes():
    msg = message_of(ValueError, lambda: CrossEntropyLoss()(np.zeros((4, 3)), np.zeros((2,), int)))
    assert_mentions(msg, "cross_entropy:", "(4, 3)", "(4,)", "got target of shape (2,)")
    msg = message_of(ValueError, lambda: cross_entropy(np.zeros(()), np.zeros((), int)))
    assert_mentions(msg, "cross_entropy:", "class axis", "0-d")


# Shape errors also name the tensors' labels when they have them, in nn as in the engine.
_LABEL_CASES = {
    "Linear": lambda x: Linear(3, 2, seed=0)(x),
    "Layer": lambda x: Layer(3, 2, "relu", 0, seed=0).forward(x),
    "mse_loss": lambda x: mse_loss(x, Tensor(np.zeros(4), label="targets")),
    "binary_cross_entropy": lambda x: binary_cross_entropy_with_logits(
        x, Tensor(np.zeros(4), label="targets")),
    "cross_entropy": lambda x: cross_entropy(x, Tensor(np.zeros((2,)), label="targets")),
}


@pytest.mark.parametrize("case", sorted(_LABEL_CASES))
def test_nn_shape_errors_name_the_labels(case):
    x = Tensor(np.zeros((4, 5)) if case in ("Linear", "Layer") else np.zeros((4, 1)),
               label="inputs")
    msg = message_of(ValueError, lambda: _LABEL_CASES[case](x))
    assert "'inputs'" in msg
    if case not in ("Linear", "Layer"):
        assert "'targets'" in msg


# ***** invalid arguments: fail fast, list the valid choices *****


_AXIS_OPS = {
    "sum": lambda a, ax: a.sum(axis=ax),
    "mean": lambda a, ax: a.mean(axis=ax),
    "max": lambda a, ax: a.max(axis=ax),
    "min": lambda a, ax: a.min(axis=ax),
    "softmax": lambda a, ax: a.softmax(axis=ax),
    "log_softmax": lambda a, ax: a.log_softmax(axis=ax),
    "concatenate": lambda a, ax: concatenate([a, a], axis=ax),
    "flatten": lambda a, ax: a.flatten(start_dim=ax),
    "swapaxes": lambda a, ax: a.swapaxes(0, ax),
    "transpose": lambda a, ax: a.transpose(0, ax),
}


@pytest.mark.parametrize("axis", [2, -3, 7])
@pytest.mark.parametrize("op", sorted(_AXIS_OPS))
def test_axis_out_of_range_lists_the_valid_axes(op, axis):
    a = labelled((2, 3), "a")
    msg = message_of(ValueError, lambda: _AXIS_OPS[op](a, axis))
    assert_mentions(msg, f"{op}:", f"axis {axis}", "2 dimension(s)", "valid axes are -2..1")


@pytest.mark.parametrize("axis", [3, -4])
def test_stack_axis_counts_the_new_axis(axis):
    a = labelled((2, 3), "a")
    msg = message_of(ValueError, lambda: stack([a, a], axis=axis))
    assert_mentions(msg, "stack:", f"axis {axis}", "valid axes are -3..2")


@pytest.mark.parametrize("make", [
    lambda a: nn.softmax(a, dim=4),
    lambda a: nn.log_softmax(a, axis=-5),
    lambda a: nn.Softmax(dim=2)(a),
    lambda a: nn.LogSoftmax(axis=2)(a),
    lambda a: nn.Flatten(start_dim=3)(a),
])
def test_nn_axis_arguments_list_the_valid_axes(make):
    msg = message_of(ValueError, lambda: make(labelled((2, 3), "a")))
    assert_mentions(msg, "out of range", "valid axes are -2..1")


@pytest.mark.parametrize("axis", [1.0, "0", [0]])
def test_axis_of_the_wrong_type_says_what_is_accepted(axis):
    msg = message_of(TypeError, lambda: labelled((2, 3), "a").sum(axis=axis))
    assert_mentions(msg, "sum:", "an int, a tuple of ints or None", repr(axis))


def test_repeated_axis_is_named():
    msg = message_of(ValueError, lambda: labelled((2, 3), "a").mean(axis=(1, -1)))
    assert_mentions(msg, "mean:", "repeated axis", "(1, -1)")


@pytest.mark.parametrize("index, words", [
    (1.0, ["integers", "the float 1.0"]),
    ((0, 1.5), ["integers", "the float 1.5"]),
    (np.array([0.5]), ["integers or bools", "float64", ".astype(int)"]),
    ([0.0, 1.0], ["integers or bools", "float64"]),
    (Tensor([0.0, 1.0]), ["integers or bools", "float32"]),
    ("x", ["integers"]),
])
def test_non_integer_index_fails_fast_with_the_accepted_kinds(index, words):
    a = Tensor(np.ones((2, 3)), requires_grad=True, label="a")
    msg = message_of(IndexError, lambda: a[index])
    assert_mentions(msg, "getitem:", *words)


@pytest.mark.parametrize("index, words", [
    (5, ["index 5", "axis 0 with size 2"]),
    ((0, 7), ["index 7", "axis 1 with size 3"]),
    ((0, 0, 0), ["too many indices"]),
])
def test_index_out_of_bounds_names_the_tensor(index, words):
    msg = message_of(IndexError, lambda: labelled((2, 3), "a")[index])
    assert_mentions(msg, "getitem:", "(2, 3) 'a'", *words)


_PARAMS = [Parameter(np.zeros(2))]


@pytest.mark.parametrize("make, words", [
    (lambda: SGD(_PARAMS, lr=0), ["SGD:", "lr (learning rate)", "(0.0, inf)", "got 0.0"]),
    (lambda: SGD(_PARAMS, lr=-0.01), ["SGD:", "(0.0, inf)", "got -0.01"]),
    (lambda: SGD(_PARAMS, lr=float("nan")), ["SGD:", "(0.0, inf)", "got nan"]),
    (lambda: SGD(_PARAMS, lr=float("inf")), ["SGD:", "(0.0, inf)", "got inf"]),
    (lambda: SGD(_PARAMS, lr=0.1, momentum=-0.9), ["momentum", "[0.0, inf)", "got -0.9"]),
    (lambda: SGD(_PARAMS, lr=0.1, dampening=-1), ["dampening", "[0.0, inf)"]),
    (lambda: SGD(_PARAMS, lr=0.1, weight_decay=-1e-4), ["weight_decay", "[0.0, inf)"]),
    (lambda: Adam(_PARAMS, lr=0), ["Adam:", "lr (learning rate)", "(0.0, inf)"]),
    (lambda: Adam(_PARAMS, lr=-1e-3), ["Adam:", "(0.0, inf)", "got -0.001"]),
    (lambda: Adam(_PARAMS, betas=(-0.1, 0.9)), ["betas[0]", "[0.0, 1.0)", "got -0.1"]),
    (lambda: Adam(_PARAMS, betas=(0.9, 1.0)), ["betas[1]", "[0.0, 1.0)", "got 1.0"]),
    (lambda: Adam(_PARAMS, eps=-1e-8), ["eps", "[0.0, inf)"]),
    (lambda: Adam(_PARAMS, weight_decay=-1), ["weight_decay", "[0.0, inf)"]),
    (lambda: NeuralNetwork(2, lr=0), ["NeuralNetwork:", "lr (learning rate)", "(0.0, inf)"]),
    (lambda: NeuralNetwork(2, lr=-0.5), ["NeuralNetwork:", "(0.0, inf)", "got -0.5"]),
])
def test_bad_hyperparameters_state_the_valid_range_and_the_value(make, words):
    assert_mentions(message_of(ValueError, make), *words)


@pytest.mark.parametrize("make", [
    lambda: SGD(_PARAMS, lr="0.1"),
    lambda: Adam(_PARAMS, lr=None),
    lambda: NeuralNetwork(2, lr=[0.1]),
])
def test_learning_rate_must_be_a_number(make):
    assert_mentions(message_of(TypeError, make), "lr (learning rate) must be a number")


@pytest.mark.parametrize("make, where", [
    (lambda name: Layer(2, 2, name, 0), "Layer:"),
    (lambda name: NeuralNetwork(2, lr=0.1).append_layer(2, name), "Layer:"),
    (lambda name: MLP([2, 3, 1], activation=name), "MLP:"),
    (lambda name: MLP([2, 3, 1], output_activation=name), "MLP:"),
    (lambda name: nn.functional.get_activation(name), "activation:"),
])
@pytest.mark.parametrize("name", ["swish", "sigmod", ""])
def test_unknown_activation_lists_every_valid_choice(make, where, name):
    msg = message_of(ValueError, lambda: make(name))
    assert_mentions(msg, where, f"unknown activation {name!r}",
                    *(repr(choice) for choice in ACTIVATIONS), "None", "callable")


@pytest.mark.parametrize("make", [
    lambda r: MSELoss(reduction=r),
    lambda r: CrossEntropyLoss(reduction=r),
    lambda r: binary_cross_entropy_with_logits(np.zeros(2), np.zeros(2), reduction=r),
    lambda r: cross_entropy(np.zeros((1, 2)), np.array([0.0, 1.0]), reduction=r),  # soft labels
])
@pytest.mark.parametrize("name", ["avg", "Mean", None])
def test_unknown_reduction_lists_every_valid_choice(make, name):
    msg = message_of(ValueError, lambda: make(name))
    assert_mentions(msg, f"unknown reduction {name!r}", *(repr(r) for r in REDUCTIONS))


def test_unknown_loss_name_fails_before_any_update():
    net = NeuralNetwork(2, lr=0.1, seed=0)
    net.append_layer(1, "sigmoid")
    before = [p.data.copy() for p in net.parameters()]
    msg = message_of(ValueError, lambda: net.fit(np.ones((2, 2)), np.ones((2, 1)),
                                                 loss="hinge"))
    assert_mentions(msg, "unknown loss 'hinge'", "'mse'", "'cross_entropy'", "function")
    for p, old in zip(net.parameters(), before):
        np.testing.assert_array_equal(p.data, old)


# ***** detect_anomaly: the operation and the user's file and line *****


def test_forward_anomaly_names_the_users_file_and_line():
    x = Tensor(np.array([1.0, -1.0]), requires_grad=True, label="x")
    with detect_anomaly(), np.errstate(invalid="ignore"):
        line = inspect.currentframe().f_lineno + 2
        with pytest.raises(AnomalyError) as info:
            (x * 2).log()  # this line
    assert_mentions(str(info.value), "forward of 'log'", f"{__file__}:{line}", "nan")


def test_anomaly_inside_nn_points_at_the_users_line_not_at_nn():
    model = nn.Sequential(Linear(2, 2, seed=0, dtype=np.float64), nn.Tanh())
    model[0].weight.data[:] = 1e308  # finite, but x @ w overflows
    x = np.array([[1e308, 1e308]])
    with detect_anomaly(), np.errstate(over="ignore"):
        line = inspect.currentframe().f_lineno + 2
        with pytest.raises(AnomalyError) as info:
            model(x)  # the affine operation is created inside nn, on behalf of this line
    msg = str(info.value)
    assert_mentions(msg, "forward of 'affine'", f"{__file__}:{line}", "inf",
                    "all its inputs were finite")


def test_backward_anomaly_names_the_operation_its_input_and_its_creation_line():
    w = Tensor(np.array([0.0, 4.0]), requires_grad=True, label="w")
    with detect_anomaly(), np.errstate(divide="ignore"):
        line = inspect.currentframe().f_lineno + 1
        y = w.sqrt().sum()
        with pytest.raises(AnomalyError) as info:
            y.backward()
    assert_mentions(str(info.value), "backward of 'sqrt'", f"{__file__}:{line}",
                    "inf", "input 0 'w'", "(2,)")
    assert w.grad is None  # nothing half-stored


def test_anomaly_in_the_scalar_engine_names_the_line():
    v = Value(0.0, label="v")
    with detect_anomaly():
        line = inspect.currentframe().f_lineno + 1
        y = v.sqrt() * 3
        with pytest.raises(AnomalyError) as info:
            y.backward()
    assert_mentions(str(info.value), "backward of 'sqrt'", f"{__file__}:{line}", "inf",
                    "'v'")


def test_anomaly_detection_is_off_by_default_and_restored_after_an_error():
    assert engine._anomaly is None
    x = Tensor(np.array([-1.0]), requires_grad=True)
    with np.errstate(invalid="ignore"):
        y = x.log()  # nan, silently, as NumPy
        assert np.isnan(y.data).all()
        assert not hasattr(y.grad_fn, "created_at")  # no bookkeeping when off
        with pytest.raises(AnomalyError), detect_anomaly():
            x.log()
        assert engine._anomaly is None
        with detect_anomaly():
            with detect_anomaly():
                pass
            assert engine._anomaly is not None  # the outer block is still on
        assert engine._anomaly is None


def test_anomaly_error_is_a_floating_point_error():
    assert issubclass(AnomalyError, FloatingPointError)


# ***** in-place changes between forward and backward *****


def _stale_after(step_kind):
    model = Linear(2, 1, seed=0)
    x, y = np.ones((3, 2), np.float32), np.zeros((3, 1), np.float32)
    if step_kind == "adam":
        opt = Adam(model.parameters(), lr=0.1)
        mse_loss(model(x), y).backward()
        stale = mse_loss(model(x), y)
        opt.step()
    elif step_kind == "sgd_momentum":
        opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
        mse_loss(model(x), y).backward()
        stale = mse_loss(model(x), y)
        opt.step()
    elif step_kind == "load_state_dict":
        stale = mse_loss(model(x), y)
        model.load_state_dict(Linear(2, 1, seed=1).state_dict())
    else:
        raise AssertionError(step_kind)
    return model, stale


@pytest.mark.parametrize("step_kind", ["adam", "sgd_momentum", "load_state_dict"])
def test_changing_parameters_between_forward_and_backward_is_refused(step_kind):
    model, stale = _stale_after(step_kind)
    for p in model.parameters():
        p.grad = None
    msg = message_of(ModifiedInPlaceError, stale.backward)
    assert_mentions(msg, "'affine'", "modified in place", "optimizer step",
                    "forward pass again")
    assert all(p.grad is None for p in model.parameters())


def test_neural_network_step_between_forward_and_backward_is_refused():
    net = NeuralNetwork(2, lr=0.1, seed=0)
    net.append_layer(3, "tanh")
    net.append_layer(1, None)
    x, y = np.ones((4, 2)), np.zeros((4, 1))
    stale = mse_loss(net.forward(x), y)
    net.train_step(x, y)  # updates the weights `stale` was computed from
    with pytest.raises(ModifiedInPlaceError, match="modified in place"):
        stale.backward()
    fresh = mse_loss(net.forward(x), y)  # a new forward pass works
    fresh.backward()
    assert all(p.grad is not None for p in net.parameters())


def test_in_place_error_names_the_label_and_the_versions():
    w = Tensor(np.ones(3), requires_grad=True, label="weights")
    loss = (w.tanh() * w).sum()
    with no_grad():
        w *= 0.5
        w += 0.1
    msg = message_of(ModifiedInPlaceError, loss.backward)
    assert_mentions(msg, "'weights'", "(3,)", "version 0, now 2")


# ***** the debugging page runs *****


DOC = Path(__file__).resolve().parents[1] / "docs" / "debugging.md"


def _blocks(kind):
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(), re.DOTALL)


@pytest.mark.parametrize("index", range(len(_blocks("python"))))
def test_debugging_page_python_blocks_run_on_their_own(index):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), np.errstate(divide="ignore"):  # log(0) is shown
        exec(compile(_blocks("python")[index], f"{DOC}:block{index}", "exec"),
             {"__name__": "__doc__"})
    assert out.getvalue()


def test_debugging_page_doctests_pass():
    import doctest

    text = "\n".join(_blocks("pycon"))
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {}, "debugging.md", str(DOC), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    with np.errstate(all="ignore"):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 10 and result.failed == 0


def test_debugging_page_covers_the_topics():
    text = DOC.read_text()
    for topic in ("detect_anomaly", "ModifiedInPlaceError", "gradcheck", "zero_grad",
                  "float32", "retain_graph", "label="):
        assert topic in text, topic
