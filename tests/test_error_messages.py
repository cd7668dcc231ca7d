"""Every error says what happened and what to do.

1. A sweep over the public API with bad inputs (ragged lists, strings, None, wrong types,
   negative sizes, wrong shapes): each call must raise an error whose message names the
   operation and is not a raw NumPy or Python message.
2. The slip every learner makes: `w = w - lr * w.grad` outside no_grad(). The Value
   version ends in GraphReleasedError, the Tensor version at `w.grad`; both must say to
   update inside `with no_grad():` or through `.data`, and never that retain_graph=True
   is the fix.
"""

import os

import numpy as np
import pytest

import nn
import nn.functional as F
import nn.init as init
from autograd_lite import (GraphReleasedError, Tensor, Value, concatenate, draw_graph,
                           gradcheck, gradgradcheck, grad, hessian, hvp, jacobian, jvp,
                           maximum, no_grad, render_graph, retain_grads, stack,
                           value_and_grad, vjp)

RAGGED = [[1.0, 2.0], [3.0]]

# Fragments of NumPy's and Python's own messages: none may reach the user unexplained.
RAW = ["setting an array element with a sequence", "inhomogeneous shape",
       "could not convert string", "ufunc", "object is not iterable", "has no len()",
       "has no attribute", "not supported between instances", "expected str, bytes or",
       "not understood", "truth value of an array", "unsized object", "[Errno",
       "remapped shapes", "cannot be interpreted as an integer", ".tmp-",
       "'float' and 'NoneType'", "argument must be a string or a real number"]


def t():
    return Tensor(np.ones((2, 3)), requires_grad=True)


def linear():
    return nn.Linear(3, 2, seed=0)


def network():
    net = nn.NeuralNetwork(2, lr=0.1)
    net.append_layer(1, "sigmoid")
    return net


# (the operation the message must name, the call with a bad input)
CASES = {
    # Tensor data and operators
    "Tensor ragged": ("Tensor", lambda tmp: Tensor(RAGGED)),
    "Tensor string": ("Tensor", lambda tmp: Tensor("x")),
    "Tensor dict": ("Tensor", lambda tmp: Tensor({"a": 1})),
    "Tensor dtype": ("Tensor", lambda tmp: Tensor([1.0], dtype="foo")),
    "add ragged": ("add", lambda tmp: t() + RAGGED),
    "radd ragged": ("add", lambda tmp: RAGGED + t()),
    "sub string": ("sub", lambda tmp: t() - "x"),
    "mul None": ("mul", lambda tmp: t() * None),
    "div string": ("div", lambda tmp: t() / "x"),
    "pow string": ("pow", lambda tmp: t() ** "x"),
    "matmul ragged": ("matmul", lambda tmp: t() @ RAGGED),
    "matmul shapes": ("matmul", lambda tmp: t() @ np.ones((2, 2))),
    "add shapes": ("add", lambda tmp: t() + np.ones((3, 2))),
    "in-place add string": ("add (in place)", lambda tmp: Tensor(np.ones(2)).__iadd__("x")),
    "greater string": ("comparison >", lambda tmp: t() > "x"),
    "less None": ("comparison <", lambda tmp: t() < None),
    "equal ragged": ("comparison ==", lambda tmp: t() == RAGGED),
    "astype foo": ("astype", lambda tmp: t().astype("foo")),
    "broadcast_to 5": ("broadcast_to", lambda tmp: t().broadcast_to(5)),
    "broadcast_to shape": ("broadcast_to", lambda tmp: t().broadcast_to((4, 4))),
    "broadcast_to string": ("broadcast_to", lambda tmp: t().broadcast_to("x")),
    "broadcast_to negative": ("broadcast_to", lambda tmp: Tensor([1.0]).broadcast_to((-1,))),
    "reshape size": ("reshape", lambda tmp: t().reshape(4, 2)),
    "sum axis": ("sum", lambda tmp: t().sum(axis=5)),
    "clip string": ("clip", lambda tmp: t().clip("a", "b")),
    "getitem string": ("getitem", lambda tmp: t()["x"]),
    "getitem ragged": ("getitem", lambda tmp: t()[RAGGED]),
    "bool of many": ("bool", lambda tmp: bool(t())),
    "item of many": ("item", lambda tmp: t().item()),
    "backward grad ragged": ("backward", lambda tmp: (t() * 2).backward(RAGGED)),
    "backward grad string": ("backward", lambda tmp: (t() * 2).backward("x")),
    "backward grad shape": ("backward", lambda tmp: (t() * 2).backward(np.ones(3))),
    "maximum ragged": ("maximum", lambda tmp: maximum(t(), RAGGED)),
    "concatenate shapes": ("concatenate",
                           lambda tmp: concatenate([t(), Tensor(np.ones((2, 2)))])),
    "stack shapes": ("stack", lambda tmp: stack([t(), Tensor(np.ones(2))])),
    "register_hook": ("register_hook", lambda tmp: (t() * 2).register_hook(5)),
    # modules and functions of nn
    "Linear size": ("Linear", lambda tmp: nn.Linear(-1, 2)),
    "Linear ragged": ("Linear", lambda tmp: linear()(RAGGED)),
    "Linear string": ("Linear", lambda tmp: linear()("x")),
    "Linear None": ("Linear", lambda tmp: linear()(None)),
    "Linear width": ("Linear", lambda tmp: linear()(np.ones((2, 4)))),
    "Layer ragged": ("Layer", lambda tmp: nn.Layer(2, 2).forward(RAGGED)),
    "NeuralNetwork.backward ragged": (
        "NeuralNetwork.backward",
        lambda tmp: (lambda net: (net.forward(np.ones((1, 2))), net.backward(RAGGED)))(
            network())),
    "Dropout string": ("Dropout", lambda tmp: nn.Dropout("x")),
    "Flatten string": ("Flatten", lambda tmp: nn.Flatten("x")),
    "train string": ("train", lambda tmp: linear().train("x")),
    "Sequential item": ("Sequential", lambda tmp: nn.Sequential(5)),
    "load_state_dict None": ("load_state_dict", lambda tmp: linear().load_state_dict(None)),
    "load_state_dict list": ("load_state_dict", lambda tmp: linear().load_state_dict([1])),
    "load_state_dict ragged": ("load_state_dict", lambda tmp: linear().load_state_dict(
        {"weight": RAGGED, "bias": np.zeros(2)})),
    "relu ragged": ("relu", lambda tmp: F.relu(RAGGED)),
    "softmax string": ("softmax", lambda tmp: nn.Softmax()("x")),
    "affine ragged": ("affine", lambda tmp: F.affine(RAGGED, t())),
    "mse_loss ragged": ("mse_loss", lambda tmp: F.mse_loss(RAGGED, RAGGED)),
    "mse_loss string target": ("mse_loss", lambda tmp: F.mse_loss(np.ones(2), "x")),
    "mse_loss None target": ("mse_loss", lambda tmp: F.mse_loss(np.ones(2), None)),
    "binary_cross_entropy ragged": (
        "binary_cross_entropy", lambda tmp: F.binary_cross_entropy(np.full(2, 0.5), RAGGED)),
    "cross_entropy string": ("cross_entropy",
                             lambda tmp: F.cross_entropy(np.ones((2, 3)), "x")),
    "cross_entropy ragged": ("cross_entropy",
                             lambda tmp: F.cross_entropy(np.ones((2, 3)), RAGGED)),
    "cross_entropy None": ("cross_entropy",
                           lambda tmp: F.cross_entropy(np.ones((2, 3)), None)),
    "cross_entropy string input": ("cross_entropy", lambda tmp: F.cross_entropy("x", [0])),
    "accuracy string": ("accuracy", lambda tmp: nn.accuracy("x", [0])),
    # optimizers
    "SGD not a leaf": ("SGD", lambda tmp: nn.SGD([t() * 0.01], lr=0.1)),
    "SGD None": ("SGD", lambda tmp: nn.SGD(None, lr=0.1)),
    "SGD array": ("SGD", lambda tmp: nn.SGD([np.ones(2)], lr=0.1)),
    "SGD no grad": ("SGD", lambda tmp: nn.SGD([Tensor([1.0])], lr=0.1)),
    "SGD lr string": ("SGD", lambda tmp: nn.SGD([t()], lr="x")),
    "Adam betas float": ("Adam", lambda tmp: nn.Adam([t()], betas=0.9)),
    "Adam betas string": ("Adam", lambda tmp: nn.Adam([t()], betas="ab")),
    "Adam eps string": ("Adam", lambda tmp: nn.Adam([t()], eps="x")),
    # data loading
    "batches ragged": ("batches", lambda tmp: nn.batches(RAGGED, [1, 2], batch_size=1)),
    "batches int": ("batches", lambda tmp: nn.batches(5, 5, batch_size=1)),
    "batches no batch size": ("batches", lambda tmp: nn.batches(np.ones((2, 2)), np.ones(2))),
    "DataLoader None": ("DataLoader", lambda tmp: nn.DataLoader(None, batch_size=1)),
    "DataLoader string": ("DataLoader", lambda tmp: nn.DataLoader("abc", batch_size=1)),
    "DataLoader batch size": ("DataLoader", lambda tmp: nn.DataLoader(
        np.ones((3, 2)), np.ones(3), batch_size=-1)),
    "load_mnist split": ("load_mnist", lambda tmp: nn.load_mnist(tmp, split="val")),
    "read_idx None": ("read_idx", lambda tmp: nn.read_idx(None)),
    # saving and loading
    "save missing folder": ("save", lambda tmp: nn.save(linear(),
                                                        os.path.join(tmp, "no", "m.npz"))),
    "save into a folder": ("save", lambda tmp: nn.save(linear(), tmp)),
    "save None": ("save", lambda tmp: nn.save(linear(), None)),
    "save not a model": ("save", lambda tmp: nn.save("x", os.path.join(tmp, "m.npz"))),
    "load missing": ("load", lambda tmp: nn.load(linear(), os.path.join(tmp, "none.npz"))),
    "load folder": ("load", lambda tmp: nn.load(linear(), tmp)),
    "load None": ("load", lambda tmp: nn.load(linear(), None)),
    # function transforms and gradient checks
    "grad ragged": ("grad", lambda tmp: grad(lambda x: (x * x).sum())(RAGGED)),
    "grad string": ("grad", lambda tmp: grad(lambda x: (x * x).sum())("x")),
    "grad None": ("grad", lambda tmp: grad(lambda x: (x * x).sum())(None)),
    "value_and_grad ragged": ("value_and_grad",
                              lambda tmp: value_and_grad(lambda x: (x * x).sum())(RAGGED)),
    "jacobian ragged": ("jacobian", lambda tmp: jacobian(lambda x: x * 2)(RAGGED)),
    "hessian ragged": ("jacobian", lambda tmp: hessian(lambda x: (x * x).sum())(RAGGED)),
    "hvp ragged": ("hvp", lambda tmp: hvp(lambda x: (x * x).sum(), RAGGED, RAGGED)),
    "jvp ragged": ("jvp", lambda tmp: jvp(lambda x: x * 2, (RAGGED,), (RAGGED,))),
    "vjp ragged": ("vjp", lambda tmp: vjp(lambda x: x * 2, RAGGED, RAGGED)),
    "gradcheck ragged": ("gradcheck", lambda tmp: gradcheck(lambda x: x * 2, [RAGGED])),
    "gradcheck string": ("gradcheck", lambda tmp: gradcheck(lambda x: x * 2, ["x"])),
    "gradcheck not a function": ("gradcheck", lambda tmp: gradcheck(5, [np.ones(2)])),
    "gradgradcheck ragged": ("gradgradcheck",
                             lambda tmp: gradgradcheck(lambda x: x * 2, [RAGGED])),
    "draw_graph string": ("draw_graph", lambda tmp: draw_graph("x")),
    "render_graph None path": ("render_graph", lambda tmp: render_graph(t() * 2, None)),
    "retain_grads string": ("retain_grads", lambda tmp: retain_grads("x")),
    "gradcheck eps string": ("gradcheck",
                             lambda tmp: gradcheck(lambda x: x * 2, [np.ones(2)], eps="x")),
    "gradgradcheck negative atol": (
        "gradgradcheck", lambda tmp: gradgradcheck(lambda x: x * 2, [np.ones(2)], atol=-1)),
    # weight initialisers and module construction
    "uniform negative shape": ("uniform", lambda tmp: init.uniform((-1, 2))),
    "uniform string shape": ("uniform", lambda tmp: init.uniform("x")),
    "xavier_uniform 1-d": ("xavier_uniform", lambda tmp: init.xavier_uniform((3,))),
    "he_normal empty shape": ("he_normal", lambda tmp: init.he_normal(())),
    "Linear dtype": ("Linear", lambda tmp: nn.Linear(2, 2, dtype="foo")),
    "to dtype": ("to", lambda tmp: linear().to("foo")),
    "MLP None": ("MLP", lambda tmp: nn.MLP(None)),
    "Sequential index": ("Sequential", lambda tmp: nn.Sequential(nn.ReLU())[5]),
    "Sequential string index": ("Sequential", lambda tmp: nn.Sequential(nn.ReLU())["x"]),
    "accuracy threshold": ("accuracy", lambda tmp: nn.accuracy(np.ones(2), np.ones(2),
                                                               threshold="x")),
    "accuracy None": ("accuracy", lambda tmp: nn.accuracy(None, None)),
    "NeuralNetwork.fit ragged": ("batches", lambda tmp: network().fit(RAGGED, [1, 2])),
    "Layer.backward string": (
        "Layer.backward",
        lambda tmp: (lambda layer: (layer.forward(np.ones((1, 2))), layer.backward("x")))(
            nn.Layer(2, 2))),
    "Layer bias string": ("Layer", lambda tmp: nn.Layer(2, 2, bias="x")),
    "Parameter ragged": ("Parameter", lambda tmp: nn.Parameter(RAGGED)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_error_names_the_operation(case, tmp_path):
    op, call = CASES[case]
    with pytest.raises(Exception) as err:
        result = call(str(tmp_path))
        if hasattr(result, "__next__"):  # a generator: the first batch
            next(result)
    message = str(err.value)
    assert op in message, f"{case}: {type(err.value).__name__}: {message}"
    for raw in RAW:
        assert raw not in message, f"{case}: a raw message reached the user: {message}"


def test_ragged_data_is_both_a_type_and_a_value_error():
    # NumPy raises ValueError for a ragged list, autograd-lite raised TypeError: both work
    for kind in (TypeError, ValueError):
        with pytest.raises(kind, match="ragged"):
            Tensor(RAGGED)


def test_errors_show_the_bad_value():
    with pytest.raises(TypeError, match=r"got \[\[1\.0, 2\.0\], \[3\.0\]\]; it is ragged"):
        t() + RAGGED
    with pytest.raises(TypeError, match="astype: 'foo' is not a dtype"):
        t().astype("foo")
    with pytest.raises(ValueError, match=r"broadcast_to: cannot broadcast a tensor of shape "
                                         r"\(2, 3\) to 5"):
        t().broadcast_to(5)
    with pytest.raises(ValueError, match=r"Adam: betas must be a pair .* got 0\.9"):
        nn.Adam([t()], betas=0.9)
    with pytest.raises(TypeError, match="load_state_dict into Linear: state_dict must be a "
                                        "dict .* got None"):
        linear().load_state_dict(None)


def test_broadcast_to_an_int_is_a_1d_shape_as_in_numpy():
    x = Tensor([2.0], requires_grad=True)
    y = x.broadcast_to(4)
    assert y.shape == (4,)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [4.0])


def test_comparisons_with_non_numbers():
    x = Tensor([1.0, 2.0])
    assert (x == None) is False and (x != "a") is True  # noqa: E711 - as for any object
    np.testing.assert_array_equal((x == [1.0, 3.0]).data, [True, False])
    np.testing.assert_array_equal((x > 1.5).data, [False, True])


def test_save_into_a_missing_folder_names_the_path_given(tmp_path):
    path = tmp_path / "models" / "m.npz"
    with pytest.raises(FileNotFoundError) as err:
        nn.save(linear(), path)
    assert str(path) in str(err.value) and "does not exist" in str(err.value)
    assert ".tmp" not in str(err.value)
    assert not (tmp_path / "models").exists()


def test_sgd_on_a_non_leaf_says_why_it_matters():
    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(TypeError) as err:
        nn.SGD([w * 0.01], lr=0.1)
    message = str(err.value)
    assert "SGD: parameter 0 is not a leaf" in message
    assert "'mul'" in message and "would never get a .grad" in message
    assert "requires_grad=True" in message


def test_nothing_is_half_built_when_an_optimizer_refuses_its_parameters():
    w, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(TypeError, match="parameter 1 is not a leaf"):
        nn.SGD([w, b * 2], lr=0.1)


# ---------------------------------------------------------------- the update slip


ADVICE = "w.data -= lr * w.grad"


def slip_value(epochs):
    w = Value(1.0, label="w")
    for _ in range(epochs):
        loss = (w * 3 - 1) ** 2
        loss.backward()
        w = w - 0.01 * w.grad  # the slip: outside no_grad, on the node itself
    return w


def test_value_update_outside_no_grad_explains_the_slip():
    with pytest.raises(GraphReleasedError) as err:
        slip_value(3)
    message = str(err.value)
    assert ADVICE in message and "with no_grad():" in message
    assert "w = w - lr * w.grad" in message
    assert "pass retain_graph=True" not in message  # that advice makes training quadratic


def test_tensor_update_outside_no_grad_explains_the_slip():
    w = Tensor([1.0, 2.0], requires_grad=True)
    loss = ((w * 3 - 1) ** 2).sum()
    loss.backward()
    w = w - 0.01 * w.grad
    loss = ((w * 3 - 1) ** 2).sum()
    loss.backward()
    with pytest.raises(TypeError) as err:
        w = w - 0.01 * w.grad
    message = str(err.value)
    assert "not a leaf" in message and "'sub'" in message
    assert ADVICE in message and "with no_grad(): w -= lr * w.grad" in message


@pytest.mark.parametrize("engine", ["Value", "Tensor"])
def test_following_the_advice_trains(engine):
    if engine == "Value":
        w = Value(1.0)
    else:
        w = Tensor([1.0], requires_grad=True)
    for _ in range(200):
        loss = (w * 3 - 1) ** 2
        if engine == "Tensor":
            loss = loss.sum()
            w.grad = None
        else:
            w.grad = 0.0
        loss.backward()
        if engine == "Value":
            w.data -= 0.05 * w.grad
        else:
            with no_grad():
                w -= 0.05 * w.grad
    value = w.data if engine == "Value" else w.data.item()
    assert value == pytest.approx(1 / 3, abs=1e-6)


def test_a_genuine_second_backward_still_gets_the_retain_graph_advice():
    for x in (Value(2.0), Tensor([2.0], requires_grad=True)):
        y = (x * x).sum() if isinstance(x, Tensor) else x * x
        y.backward()
        with pytest.raises(GraphReleasedError, match="pass retain_graph=True"):
            y.backward()


def test_interior_results_keep_pytorchs_none_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y, z = x + 1.0, x * np.ones(2)  # not update steps: a number, or not add/sub
    (y * z).sum().backward()
    assert y.grad is None and z.grad is None


def test_reusing_an_interior_result_gets_both_explanations():
    x = Tensor([2.0], requires_grad=True)
    h = x - np.ones(1)  # looks like an update step, but it is an interior result reused
    h.sum().backward()
    with pytest.raises(GraphReleasedError) as err:
        (h * 3).sum().backward()
    message = str(err.value)
    assert ADVICE in message and "reuse a result of an earlier graph" in message


def test_interior_tensor_grad_is_still_none_before_any_backward():
    x = Tensor([2.0], requires_grad=True)
    h = x - np.ones(1)  # the shape of an update step
    assert h.grad is None  # no backward ran through it yet: nothing to explain
    h.retain_grad()
    h.sum().backward()
    np.testing.assert_array_equal(h.grad, [1.0])


def test_drawing_a_graph_after_backward_reads_the_stored_gradients():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x - np.ones(2)  # the shape of an update step, but drawn, not read by the learner
    loss = (y * y).sum()
    loss.backward()
    graph = draw_graph(loss)
    assert "—" in graph.source  # y stores no gradient: shown as a dash, no error
