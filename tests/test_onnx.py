"""ONNX export (autograd_lite.onnx.export, nn.export_onnx), checked by onnx.checker and run
in ONNX Runtime: its outputs agree with autograd-lite's to 1e-5 in float32 on random inputs,
on other batch sizes than the example's when the batch axis is dynamic. Bad cases get clear
errors and leave no file behind."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as al
import nn
from autograd_lite import Tensor, concatenate, maximum, no_grad, ops, stack, where
from autograd_lite import onnx as al_onnx

onnx = pytest.importorskip("onnx", reason='onnx is not installed: pip install '
                           '"autograd-lite[onnx]"')
ort = pytest.importorskip("onnxruntime", reason='onnxruntime is not installed: pip install '
                          '"autograd-lite[onnx]"')

ROOT = Path(__file__).resolve().parents[1]
MNIST_DIR = ROOT.parent / "shared" / "data" / "mnist"


def run_onnx(path, *inputs):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feed = {i.name: x for i, x in zip(session.get_inputs(), inputs)}
    return session.run(None, feed)


def ours(model, x):
    model.eval()
    with no_grad():
        return np.asarray(model(Tensor(x)).data)


def check_model(model, shape, path, batches=(1, 5), dtype=np.float32, tol=1e-5, **kwargs):
    """Export `model` on a random example of `shape`; compare with ONNX Runtime on random
    inputs of several batch sizes."""
    rng = np.random.default_rng(0)
    nn.export_onnx(model, rng.standard_normal(shape).astype(dtype), path, **kwargs)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    for n in batches:
        x = rng.standard_normal((n, *shape[1:])).astype(dtype)
        (got,) = run_onnx(path, x)
        np.testing.assert_allclose(got, ours(model, x), rtol=tol, atol=tol)
    return onnx.load(str(path))


def test_mlp_runs_in_onnx_runtime_on_any_batch_size(tmp_path):
    model = nn.MLP([784, 64, 32, 10], seed=0)
    exported = check_model(model, (3, 784), tmp_path / "mlp.onnx", batches=(1, 3, 17))
    graph = exported.graph
    assert graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert graph.output[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert sorted(i.name for i in graph.initializer) == sorted(
        name for name, _ in model.named_parameters())
    assert [n.op_type for n in graph.node].count("Gemm") == 3


def test_fixed_batch_export_keeps_the_example_shape(tmp_path):
    model = nn.MLP([4, 8, 2], seed=0)
    exported = check_model(model, (3, 4), tmp_path / "m.onnx", batches=(3,), dynamic_batch=False)
    assert exported.graph.input[0].type.tensor_type.shape.dim[0].dim_value == 3


def test_exercise4_network_float64(tmp_path):
    from exercises import ex4_generic_classes as ex4

    net = ex4.build_network()
    ex4.solve_xor(net, epochs=200)
    path = tmp_path / "xor.onnx"
    nn.export_onnx(net, ex4.X, path)
    (got,) = run_onnx(path, ex4.X)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, net.predict(ex4.X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("activation", sorted(nn.functional.ACTIVATIONS))
def test_course_layers_with_every_activation(tmp_path, activation):
    net = nn.NeuralNetwork(5, lr=0.1, seed=0, dtype=np.float32)
    net.append_layer(6, activation, 0.5)
    net.append_layer(3, activation, 0.1)
    check_model(net, (4, 5), tmp_path / "net.onnx")


@pytest.mark.parametrize("module", [
    nn.Identity(), nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.Softmax(dim=1), nn.LogSoftmax(),
    nn.Flatten(), nn.Dropout(0.5)], ids=lambda m: type(m).__name__)
def test_every_activation_module_flatten_and_dropout(tmp_path, module):
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 12, seed=0), module,
                          nn.Linear(12, 3, seed=1))
    check_model(model, (2, 3, 4), tmp_path / "m.onnx")


def test_export_runs_in_eval_mode_and_restores_the_training_modes(tmp_path):
    model = nn.Sequential(nn.Linear(4, 4, seed=0), nn.Dropout(0.9, seed=0))
    model[0].eval()
    check_model(model, (3, 4), tmp_path / "m.onnx")  # dropout off: ORT agrees with eval()
    model.train()
    model[0].eval()
    nn.export_onnx(model, np.ones((2, 4), np.float32), tmp_path / "m.onnx")
    assert model.training and model[1].training and not model[0].training


def test_shared_weights_are_one_initializer(tmp_path):
    block = nn.Linear(6, 6, seed=0)
    other = nn.Linear(6, 6, seed=1)
    other.weight = block.weight  # tied weights
    model = nn.Sequential(block, nn.Tanh(), block, nn.ReLU(), other)
    exported = check_model(model, (3, 6), tmp_path / "shared.onnx")
    assert len(exported.graph.initializer) == 3  # weight once, two biases


def test_integer_example_input_takes_the_parameters_dtype(tmp_path):
    model = nn.MLP([3, 4, 2], seed=0)
    path = tmp_path / "m.onnx"
    nn.export_onnx(model, np.ones((2, 3), dtype=np.int64), path)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(run_onnx(path, x)[0], ours(model, x), rtol=1e-5, atol=1e-5)


# ***** plain tensor graphs: one row per operation, exported with a dynamic batch *****

W = np.random.default_rng(5).standard_normal((4, 6)).astype(np.float32)

GRAPHS = {
    "add-sub-mul-div": lambda x: (x + 1.5) * (x - W[0]) / (x * x + 2.0),
    "pow-neg-abs": lambda x: -(abs(x) ** 1.5) + x ** 2,
    "exp-log-sqrt": lambda x: (x.exp() + 1).log() + (x * x + 1).sqrt(),
    "tanh-sigmoid-relu": lambda x: x.tanh() + x.sigmoid() * x.relu(),
    "maximum-clip": lambda x: maximum(x, x * 0.5) + x.clip(-0.5, 0.7) + x.clip(min=0.1),
    "cast": lambda x: (x.astype(np.float64) * 2).astype(np.float32),
    "clone, view and clamp": lambda x: x.clone().view(-1, 3, 2).clamp(-0.5, 0.5) * 2,
    "matmul": lambda x: x @ Tensor(W.T.copy()),
    "matmul-batched": lambda x: x.reshape(-1, 2, 3) @ Tensor(W[:2, :3].T.copy()),
    "sum-mean": lambda x: x.sum(axis=1, keepdims=True) + x.mean(axis=-1, keepdims=True),
    "max-min": lambda x: x.max(axis=1) - x.min(axis=1),
    "reduce-over-batch": lambda x: x - x.mean(axis=0),
    "softmax": lambda x: x.softmax(axis=1) + x.log_softmax(axis=-1),
    "reshape-transpose": lambda x: x.reshape(-1, 2, 3).transpose(0, 2, 1).reshape(-1, 6),
    "swapaxes-T": lambda x: x.reshape(-1, 3, 2).swapaxes(1, 2).flatten(1),
    "getitem-slices": lambda x: x[:, 1:5:2] * x[..., -2:][:, ::-1],
    "getitem-int-none": lambda x: x[:, 2][:, None] + x[:, None, 3] + x[:, -1:],
    "getitem-array": lambda x: x[:, np.array([4, 0, 0, 2])] + x[:, np.array([1, 1, 0, 0])],
    "getitem-mask": lambda x: x[:, np.array([True, False, True, False, False, True])],
    "concatenate-stack": lambda x: concatenate([x, x * 2], axis=1) + stack([x, x], axis=1)
    .reshape(-1, 12),
    "stack-last": lambda x: stack([x, x.exp()], axis=-1).sum(axis=2),
    "broadcast_to": lambda x: x[:, None, :].broadcast_to((x.shape[0], 3, 6)).sum(axis=1),
    "mixed-dtypes": lambda x: x * Tensor(np.float64(0.5) * np.ones(6)),
    # the operations that came with the convolutional networks and PyTorch's activations
    "trigonometry": lambda x: al.sin(x) + al.cos(x) * al.tan(x * 0.3),
    "steps": lambda x: al.sign(x) + al.floor(x * 3) - al.ceil(x * 2) + al.trunc(x * 5)
    + al.round(x * 4) + al.round(x, 1),
    "logs-and-exps": lambda x: al.log2(x * x + 1) + al.exp2(x) + al.log1p(x * x)
    + al.expm1(x) + al.erf(x),
    "powers": lambda x: al.square(x) + al.rsqrt(x * x + 1) + al.reciprocal(x * x + 2),
    "minimum": lambda x: al.minimum(x, x[:, :1]),
    "var-std": lambda x: al.var(x, axis=1) + al.std(x, axis=1, keepdims=True).reshape(-1),
    "prod-logsumexp": lambda x: al.prod(x, axis=1) + al.logsumexp(x * 40, axis=-1),
    "norms": lambda x: al.norm(x, axis=1) + al.norm(x, p=1, axis=1)
    + al.norm(x, p=np.inf, axis=1),
    "cumsum-flip": lambda x: al.cumsum(x, axis=1) + al.flip(x, 1),
    "pad": lambda x: al.pad(x, ((0, 0), (1, 2))) * 2
    + al.pad(x, ((0, 0), (2, 1)), mode="edge", constant_values=0)
    + al.pad(x, ((0, 0), (3, 0)), mode="reflect") + al.pad(x, ((1, 1), (0, 3)), value=2.0)[1:-1],
}


@pytest.mark.parametrize("name", GRAPHS)
def test_tensor_graph_exports_and_agrees_on_other_batch_sizes(tmp_path, name):
    fn = GRAPHS[name]
    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((3, 6)).astype(np.float32), requires_grad=True)
    y = fn(x)
    path = tmp_path / f"{name}.onnx"
    al_onnx.export(y, x, path)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    for n in (3, 1, 7):
        data = rng.standard_normal((n, 6)).astype(np.float32)
        (got,) = run_onnx(path, data)
        want = np.asarray(fn(Tensor(data)).data)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_several_inputs_and_outputs(tmp_path):
    a = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    b = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    s, p = a + b, (a * b).sum(axis=1)
    path = tmp_path / "two.onnx"
    al_onnx.export([s, p], [a, b], path, input_names=["a", "b"], output_names=["s", "p"])
    rng = np.random.default_rng(0)
    x, y = rng.random((4, 3), dtype=np.float32), rng.random((4, 3), dtype=np.float32)
    got_s, got_p = run_onnx(path, x, y)
    np.testing.assert_allclose(got_s, x + y, rtol=1e-6)
    np.testing.assert_allclose(got_p, (x * y).sum(axis=1), rtol=1e-6)


def test_opset_18_moves_reduction_axes_to_inputs(tmp_path):
    x = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    y = x.mean(axis=1) + x.max(axis=1)
    path = tmp_path / "r.onnx"
    model = al_onnx.export(y, x, path, opset=18)
    assert model.opset_import[0].version == 18
    data = np.random.default_rng(0).random((5, 3), dtype=np.float32)
    np.testing.assert_allclose(run_onnx(path, data)[0], data.mean(1) + data.max(1), rtol=1e-6)


def test_a_rule_for_your_own_operation(tmp_path, monkeypatch):
    from autograd_lite.extend import Function

    class Cube(Function):
        def forward(self, a):
            return a ** 3

        def backward(self, g, out, a):
            return 3 * g * a * a

    monkeypatch.setitem(al_onnx.RULES, Cube, None)

    @al_onnx.register(Cube)
    def cube(g, fn, names, xs, out):
        square = g.node("Mul", [names[0], names[0]], batch=g.batch[names[0]])
        return g.node("Mul", [square, names[0]], batch=g.batch[names[0]])

    x = Tensor(np.ones((2, 2), np.float32), requires_grad=True)
    path = tmp_path / "cube.onnx"
    al_onnx.export(Cube.apply(x), x, path)
    data = np.arange(6, dtype=np.float32).reshape(3, 2)
    np.testing.assert_allclose(run_onnx(path, data)[0], data ** 3)


# ***** bad cases: clear errors, no file left behind *****


def _only(tmp_path, name):
    """The folder holds no file but those named (no partial or temporary file)."""
    return sorted(p.name for p in tmp_path.iterdir()) == sorted(name)


def test_unsupported_operation_is_named_and_nothing_is_written(tmp_path):
    x = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    y = ops.ScatterAdd.apply(x, index=(slice(None), slice(0, 3)), shape=(2, 5)).exp()
    with pytest.raises(TypeError, match=r"no ONNX mapping.*'scatter_add'.*ScatterAdd"):
        al_onnx.export(y, x, tmp_path / "bad.onnx")
    assert _only(tmp_path, [])


def test_where_is_refused_because_its_condition_is_frozen(tmp_path):
    x = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    with pytest.raises(TypeError, match=r"'where'.*condition.*reuse the example"):
        al_onnx.export(where(x > 0, x, 0.0), x, tmp_path / "w.onnx")
    assert _only(tmp_path, [])


class Custom(nn.Module):
    def forward(self, x):
        return ops.ScatterAdd.apply(x, index=(slice(None),), shape=x.shape)


def test_unsupported_module_is_refused_naming_its_operation(tmp_path):
    model = nn.Sequential(nn.Linear(3, 3), Custom())
    (tmp_path / "keep.txt").write_text("x")
    with pytest.raises(TypeError, match="scatter_add"):
        nn.export_onnx(model, np.ones((2, 3), np.float32), tmp_path / "m.onnx")
    assert _only(tmp_path, ["keep.txt"])


def test_an_existing_file_is_not_damaged_by_a_failed_export(tmp_path):
    path = tmp_path / "m.onnx"
    path.write_bytes(b"previous")
    with pytest.raises(TypeError):
        nn.export_onnx(nn.Sequential(Custom()), np.ones((2, 3), np.float32), path)
    assert path.read_bytes() == b"previous" and _only(tmp_path, ["m.onnx"])


def test_wrong_example_input_shape(tmp_path):
    model = nn.MLP([4, 8, 3], seed=0)
    with pytest.raises(ValueError, match=r"cannot run on the example input of shape \(2, 5\)"
                                         r".*expected input of shape \(batch, 4\)"):
        nn.export_onnx(model, np.ones((2, 5), np.float32), tmp_path / "m.onnx")
    assert _only(tmp_path, [])
    with pytest.raises(TypeError, match="example_input"):
        nn.export_onnx(model, "images", tmp_path / "m.onnx")


def test_a_failure_while_writing_removes_the_temporary_file(tmp_path, monkeypatch):
    def broken_save(model, path):
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(onnx, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        nn.export_onnx(nn.MLP([2, 2]), np.ones((1, 2), np.float32), tmp_path / "m.onnx")
    assert _only(tmp_path, [])


def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        nn.export_onnx(nn.MLP([2, 2]), np.ones((1, 2), np.float32), tmp_path / "no" / "m.onnx")


def test_reshape_mixing_the_batch_axis_needs_a_fixed_batch(tmp_path):
    class AllInOne(nn.Module):
        def forward(self, x):
            return x.reshape(-1).tanh()

    with pytest.raises(ValueError, match="batch.*dynamic_batch=False"):
        nn.export_onnx(AllInOne(), np.ones((2, 3), np.float32), tmp_path / "m.onnx")
    assert _only(tmp_path, [])
    check_model(AllInOne(), (2, 3), tmp_path / "m.onnx", batches=(2,), dynamic_batch=False)


def test_inputs_that_record_no_graph_are_explained(tmp_path):
    x = Tensor(np.ones((2, 3), np.float32))  # requires_grad=False: nothing recorded
    w = Tensor(np.ones((3, 2), np.float32), requires_grad=True)
    with pytest.raises(ValueError, match="does not require grad.*requires_grad=True"):
        al_onnx.export((x * 2) @ w, x, tmp_path / "m.onnx")
    with pytest.raises(TypeError, match="must be Tensors"):
        al_onnx.export(np.ones(2), x, tmp_path / "m.onnx")


@pytest.mark.parametrize("opset", [12, 99, "17", True])
def test_bad_opset(tmp_path, opset):
    with pytest.raises(ValueError, match="opset must be an integer from 13"):
        nn.export_onnx(nn.MLP([2, 2]), np.ones((1, 2), np.float32), tmp_path / "m.onnx",
                       opset=opset)


def test_missing_onnx_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ModuleNotFoundError, match=r'pip install "autograd-lite\[onnx\]"'):
        nn.export_onnx(nn.MLP([2, 2]), np.ones((1, 2), np.float32), tmp_path / "m.onnx")


# ***** exercise 5: --export-onnx *****


def test_exercise5_export_function_includes_the_standardisation(tmp_path):
    from exercises import ex5_mnist as ex5

    net = ex5.build_network(hidden=(16,), seed=0)
    result = {"_network": net, "input_mean": 0.13, "input_std": 0.31}
    path = ex5.export_onnx(result, tmp_path / "digits.onnx")
    images = np.random.default_rng(0).random((9, 784), dtype=np.float32)
    (logits,) = run_onnx(path, images)
    want = net.predict(ex5.standardise(images, 0.13, 0.31))
    np.testing.assert_allclose(logits, want, rtol=1e-5, atol=1e-5)
    assert (logits.argmax(1) == want.argmax(1)).all()


@pytest.mark.skipif(not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").is_file(),
                    reason=f"real MNIST files not found in {MNIST_DIR}")
def test_cli_exports_the_trained_classifier(tmp_path):
    path = tmp_path / "digits.onnx"
    done = subprocess.run(
        [sys.executable, "-m", "exercises", "5", "--data-dir", str(MNIST_DIR),
         "--no-download", "--train-on-test-split", "2000", "--epochs", "1", "--hidden", "32",
         "--quiet", "--export-onnx", str(path), "--report", str(tmp_path / "r.json")],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=dict(os.environ),
        check=False)
    assert done.returncode == 0, done.stderr
    import json

    report = json.loads((tmp_path / "r.json").read_text())
    from nn import read_idx_images, read_idx_labels

    images = read_idx_images(MNIST_DIR / "t10k-images-idx3-ubyte.gz")[2000:]
    labels = read_idx_labels(MNIST_DIR / "t10k-labels-idx1-ubyte.gz")[2000:]
    (logits,) = run_onnx(path, images.reshape(len(images), -1).astype(np.float32))
    assert abs((logits.argmax(1) == labels).mean() - report["accuracy"]) < 1e-9
    assert report["onnx"] == str(path)


# Operations that have no ONNX rule, and why.
NOT_EXPORTED = {
    "SumTo": "only backward passes use it",
    "ScatterAdd": "only backward passes use it (and scatter_add routines: not mapped yet)",
    "Where": "its condition is frozen at the example input (see REFUSED)",
    "Im2Col": "only convolution gradients use it",
    "Col2Im": "only convolution gradients use it",
    "Piecewise": "only gradients recorded with create_graph=True use it (a derivative mask)",
    "Select": "only gradients recorded with create_graph=True use it (a masked gradient)",
    "PadFold": "only padding gradients use it",
    "Cumprod": "ONNX has no cumulative product (exp(cumsum(log)) fails on zeros and "
               "negative numbers)",
}


def test_every_operation_has_an_onnx_rule_or_a_reason():
    """A new operation class needs its rule in autograd_lite.onnx.RULES: this test names it."""
    from autograd_lite.engine import Function

    classes = [obj for name, obj in vars(ops).items() if isinstance(obj, type)
               and issubclass(obj, Function) and obj.__module__.startswith(ops.__name__ + ".")
               and not name.startswith("_") and name != "TensorFunction"]
    missing = sorted(c.__name__ for c in classes
                     if c not in al_onnx.RULES and c.__name__ not in NOT_EXPORTED)
    assert not missing, f"autograd_lite/onnx.py: add rules for {missing}"
    assert ops.Where in al_onnx.REFUSED


def test_export_to_a_file_object_and_the_returned_model(tmp_path):
    import io

    buffer = io.BytesIO()
    model = nn.MLP([3, 4, 2], seed=0)
    proto = nn.export_onnx(model, np.ones((1, 3), np.float32), buffer)
    assert buffer.getvalue() == proto.SerializeToString()
    session = ort.InferenceSession(buffer.getvalue())
    x = np.random.default_rng(0).random((5, 3), dtype=np.float32)
    np.testing.assert_allclose(session.run(None, {"input": x})[0], ours(model, x), rtol=1e-5,
                               atol=1e-6)



@settings(max_examples=15)
@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=4),
       activation=st.sampled_from(["relu", "tanh", "sigmoid", "softmax", "linear"]),
       batch=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_random_networks_agree_with_onnx_runtime(tmp_path_factory, sizes, activation, batch,
                                                 seed):
    model = nn.MLP(sizes, activation=activation, output_activation=activation, seed=seed)
    rng = np.random.default_rng(seed)
    path = tmp_path_factory.mktemp("random") / "m.onnx"
    nn.export_onnx(model, rng.standard_normal((2, sizes[0])).astype(np.float32), path)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    np.testing.assert_allclose(run_onnx(path, x)[0], ours(model, x), rtol=1e-5, atol=1e-5)


ACTIVATIONS = [nn.LeakyReLU(0.2), nn.ELU(0.7), nn.SELU(), nn.CELU(1.3), nn.GELU(),
               nn.GELU(approximate="tanh"), nn.SiLU(), nn.Mish(), nn.Softplus(2.0, 5.0),
               nn.Softplus(), nn.Softsign(), nn.Hardtanh(-0.5, 0.7), nn.ReLU6(),
               nn.Hardsigmoid(), nn.Hardswish(), nn.LogSigmoid()]


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=repr)
def test_every_activation_module_runs_in_onnx_runtime(tmp_path, activation):
    model = nn.Sequential(nn.Linear(6, 6, seed=0), activation)
    rng = np.random.default_rng(0)
    path = tmp_path / "act.onnx"
    nn.export_onnx(model, rng.standard_normal((2, 6)).astype(np.float32), path)
    x = (rng.standard_normal((9, 6)) * 5).astype(np.float32)  # both sides of every kink
    np.testing.assert_allclose(run_onnx(path, x)[0], ours(model, x), rtol=1e-5, atol=1e-5)


# ***** convolutional networks *****


def _randomised(model, seed=0):
    rng = np.random.default_rng(seed)
    for p in model.parameters():
        p.data[...] = rng.standard_normal(p.shape) * 0.5
    return model


def _with_statistics(model, shape):
    """`model` after a few training-mode passes (running statistics away from 0 and 1)."""
    rng = np.random.default_rng(1)
    model.train()
    for _ in range(3):
        model(rng.standard_normal(shape).astype(np.float32) * 2 + 1)
    return model.eval()


CNNS = {
    "lenet": (lambda: nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2, seed=0), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5, seed=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 32, seed=2), nn.ReLU(), nn.Linear(32, 10, seed=3)), (2, 1, 28, 28)),
    "conv-options": (lambda: nn.Sequential(
        nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2),
                  dilation=(1, 2), groups=2, seed=0),
        nn.Conv2d(6, 6, 4, padding="same", seed=1), nn.Tanh()), (2, 4, 9, 8)),
    "conv1d": (lambda: nn.Sequential(nn.Conv1d(3, 4, 3, padding=2, dilation=2, seed=0),
                                     nn.MaxPool1d(2), nn.AvgPool1d(3, stride=2, padding=1)),
               (2, 3, 17)),
    "conv-transpose": (lambda: nn.Sequential(
        nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1, seed=0),
        nn.Sigmoid()), (2, 4, 5, 5)),
    "pools-ceil-mode": (lambda: nn.Sequential(
        nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
        (2, 3, 10, 10)),
    "avg-pool-divisor": (lambda: nn.AvgPool2d(2, divisor_override=3), (2, 3, 6, 6)),
    "adaptive": (lambda: nn.Sequential(nn.AdaptiveAvgPool2d((3, 2)), nn.Flatten(),
                                       nn.Linear(18, 4, seed=0)), (2, 3, 7, 5)),
    "batch-norm": (lambda: _with_statistics(_randomised(nn.Sequential(
        nn.Conv2d(3, 4, 3, seed=0), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
        nn.Linear(36, 6, seed=1), nn.BatchNorm1d(6))), (8, 3, 5, 5)), (2, 3, 5, 5)),
    "layer-norm": (lambda: _randomised(nn.Sequential(
        nn.Linear(6, 8, seed=0), nn.LayerNorm(8), nn.ReLU(), nn.LayerNorm((8,)))), (3, 6)),
}


@pytest.mark.parametrize("name", CNNS)
def test_convolutional_networks_run_in_onnx_runtime(tmp_path, name):
    make, shape = CNNS[name]
    check_model(make(), shape, tmp_path / f"{name}.onnx", batches=(1, 3))


def test_exercise5_cnn_export(tmp_path):
    from exercises import ex5_mnist as ex5

    model = ex5.build_cnn(seed=0)
    result = {"_network": model, "model": "cnn", "input_mean": 0.13, "input_std": 0.31}
    model.train()
    path = ex5.export_onnx(result, tmp_path / "digits.onnx")
    assert model.training  # the export left the training mode as it was
    images = np.random.default_rng(0).random((4, 784), dtype=np.float32)
    (logits,) = run_onnx(path, images)
    x = ex5.standardise(images, 0.13, 0.31).reshape(-1, 1, 28, 28)
    want = ours(model, x)
    np.testing.assert_allclose(logits, want, rtol=1e-5, atol=1e-5)


def test_embedding_is_refused_by_name(tmp_path):
    model = nn.Sequential(nn.Embedding(10, 4, seed=0), nn.Flatten(), nn.Linear(8, 2))
    with pytest.raises(TypeError, match=r"Embedding at '0' takes integer indices"):
        nn.export_onnx(model, np.array([[1, 2]]), tmp_path / "e.onnx")
    assert _only(tmp_path, [])
