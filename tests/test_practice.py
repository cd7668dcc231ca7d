"""Practise mode: learner-style solutions pass, every common mistake is diagnosed (in both
languages), broken files get the right verdict, starters fail kindly at their first TODO.

The learner solutions below are written here, in the styles learners use (scalar loops,
lists, NumPy), independently of the reference modules and of the solutions
`solution --write` prints. Each mistake is one edit of a correct solution. Most checks run
in this process through the same functions the checker's child process runs (fast); the
command line, its exit statuses and the child process are tested on a smaller set.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from exercises.practice import check
from exercises.practice.checks import run_checks
from exercises.practice.hints import hint
from exercises.practice.i18n import set_language
from exercises.practice.sandbox import check_file, load
from exercises.practice.starters import file_name, write_starter

ROOT = Path(__file__).resolve().parents[1]

EX1 = '''
def forward(w, x):
    return w * x


def backward(w, x, y):
    error = forward(w, x) - y
    return 2 * error * x


def train(w, x, y, lr, epochs):
    losses = []
    for _ in range(epochs):
        losses.append((forward(w, x) - y) ** 2)
        w -= lr * backward(w, x, y)
    return w, losses
'''

EX2 = '''
import math
import numpy as np


def s(z):
    return 1.0 / (1.0 + math.exp(-z))


def forward(params, x):
    h = [s(params["w1"][j] * x + params["b1"][j]) for j in range(2)]
    return params["w2"][0] * h[0] + params["w2"][1] * h[1] + params["b2"]


def backward(params, x, y):
    h = [s(params["w1"][j] * x + params["b1"][j]) for j in range(2)]
    out = params["w2"][0] * h[0] + params["w2"][1] * h[1] + params["b2"]
    d_out = 2 * (out - y)
    d_z = [d_out * params["w2"][j] * h[j] * (1 - h[j]) for j in range(2)]
    return {"w1": np.array([d_z[j] * x for j in range(2)]), "b1": np.array(d_z),
            "w2": np.array([d_out * h[j] for j in range(2)]), "b2": d_out}


def train(params, X, Y, lr, epochs):
    p = {k: np.array(v, dtype=float) for k, v in params.items()}
    losses = []
    for _ in range(epochs):
        total = 0
        for x, y in zip(X, Y):
            total += (forward(p, x) - y) ** 2
            g = backward(p, x, y)
            for k in p:
                p[k] = p[k] - lr * g[k]
        losses.append(total / len(X))
    return p, losses
'''

EX3 = '''
import numpy as np


def sig(v):
    return 1 / (1 + np.exp(-v))


def forward(params, x):
    hidden = sig(np.dot(x, params["w1"]) + params["b1"])
    return sig(np.dot(hidden, params["w2"]) + params["b2"])


def backward(params, x, y):
    x = np.array(x, dtype=float)
    hidden = sig(np.dot(x, params["w1"]) + params["b1"])
    out = sig(np.dot(hidden, params["w2"]) + params["b2"])
    delta_out = 2 * (out - y) * out * (1 - out)
    delta_hidden = delta_out * params["w2"] * hidden * (1 - hidden)
    grad_w1 = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            grad_w1[i, j] = x[i] * delta_hidden[j]
    return {"w1": grad_w1, "b1": delta_hidden, "w2": delta_out * hidden, "b2": delta_out}


def train(params, X, Y, lr, epochs):
    p = {k: np.array(v, dtype=float) for k, v in params.items()}
    losses = []
    for _ in range(epochs):
        total = 0.0
        for x, y in zip(X, Y):
            total += float((forward(p, x) - y) ** 2)
            g = backward(p, x, y)
            for k in p:
                p[k] = p[k] - lr * g[k]
        losses.append(total / len(X))
    return p, losses
'''

EX4 = '''
import numpy as np

ACT = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
       "relu": lambda z: np.where(z > 0, z, 0.0), "linear": lambda z: z}


def derivative(name, z, a):
    if name == "sigmoid":
        return a * (1 - a)
    if name == "tanh":
        return 1 - a * a
    if name == "relu":
        return (z > 0).astype(float)
    return np.ones_like(z)


class Layer:
    def __init__(self, n_of_inputs, n_of_neurons, activation, bias):
        self.weights = np.random.randn(n_of_inputs, n_of_neurons)
        self.bias = np.ones(n_of_neurons) * bias
        self.activation = activation

    def forward(self, x):
        self.inputs = np.array(x, dtype=float)
        self.z = self.inputs @ self.weights + self.bias
        self.out = ACT[self.activation](self.z)
        return self.out

    def backward(self, chain_rule_derivatives):
        delta = chain_rule_derivatives * derivative(self.activation, self.z, self.out)
        self.d_weights = self.inputs.T @ delta
        self.d_bias = np.sum(delta, axis=0)
        return delta @ self.weights.T


class NeuralNetwork:
    def __init__(self, input_size, lr):
        self.lr = lr
        self.sizes = [input_size]
        self.layers = []

    def append_layer(self, output_number, activation, bias):
        self.layers.append(Layer(self.sizes[-1], output_number, activation, bias))
        self.sizes.append(output_number)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, loss_derivative):
        grad = loss_derivative
        for layer in self.layers[::-1]:
            grad = layer.backward(grad)
        for layer in self.layers:
            layer.weights -= self.lr * layer.d_weights
            layer.bias -= self.lr * layer.d_bias
'''

EX5 = EX4 + '''

def build_network():
    np.random.seed(1)
    net = NeuralNetwork(784, 0.1)
    net.append_layer(64, "relu", 0)
    net.append_layer(10, "linear", 0)
    for layer in net.layers:
        layer.weights *= np.sqrt(2 / len(layer.weights))
    return net


def train(net, images, labels):
    losses = []
    for epoch in range(4):
        order = np.random.permutation(len(images))
        total = 0.0
        for start in range(0, len(images), 32):
            idx = order[start:start + 32]
            out = net.forward(images[idx])
            e = np.exp(out - out.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
            total -= np.log(p[np.arange(len(idx)), labels[idx]]).sum()
            p[np.arange(len(idx)), labels[idx]] -= 1
            net.backward(p / len(idx))
        losses.append(total / len(images))
    return losses


def predict(net, images):
    return np.argmax(net.forward(images), axis=1)
'''

SOLUTIONS = {1: EX1, 2: EX2, 3: EX3, 4: EX4, 5: EX5}

# (exercise, mistake, edits, expected diagnosis code). Each edit is (old, new) on the
# learner's correct solution above.
MISTAKES = [
    (1, "sign", [("2 * error * x", "-2 * error * x")], "sign_flipped"),
    (1, "no factor 2", [("2 * error * x", "error * x")], "factor_2_missing"),
    (1, "factor 2 twice", [("2 * error * x", "2 * 2 * error * x")], "factor_2_doubled"),
    (1, "input forgotten", [("2 * error * x", "2 * error")], "input_missing"),
    (1, "update uphill", [("w -= lr", "w += lr")], "sign_flipped"),
    (2, "sign", [("d_out = 2 * (out - y)", "d_out = 2 * (y - out)")], "sign_flipped"),
    (2, "no update", [("p[k] = p[k] - lr * g[k]", "p[k] = p[k]")], "no_update"),
    (2, "no factor 2", [("d_out = 2 * (out - y)", "d_out = out - y")], "factor_2_missing"),
    (2, "factor 2 twice", [("d_out = 2 * (out - y)", "d_out = 4 * (out - y)")],
     "factor_2_doubled"),
    (2, "no sigmoid derivative", [("* h[j] * (1 - h[j])", "")],
     "activation_derivative_missing_hidden"),
    (2, "derivative at the output", [("* h[j] * (1 - h[j])", "* s(h[j]) * (1 - s(h[j]))")],
     "derivative_at_output"),
    (2, "input forgotten", [("np.array([d_z[j] * x for", "np.array([d_z[j] for")],
     "input_missing"),
    (3, "sign", [("2 * (out - y)", "2 * (y - out)")], "sign_flipped"),
    (3, "no factor 2", [("2 * (out - y)", "(out - y)")], "factor_2_missing"),
    (3, "factor 2 twice", [("2 * (out - y)", "4 * (out - y)")], "factor_2_doubled"),
    (3, "no output sigmoid derivative",
     [("delta_out = 2 * (out - y) * out * (1 - out)", "delta_out = 2 * (out - y)")],
     "activation_derivative_missing_output"),
    (3, "no hidden sigmoid derivative", [("* hidden * (1 - hidden)", "")],
     "activation_derivative_missing_hidden"),
    (3, "hidden derivative at the output",
     [("* hidden * (1 - hidden)", "* sig(hidden) * (1 - sig(hidden))")],
     "derivative_at_output"),
    (3, "output derivative at the output",
     [("* out * (1 - out)", "* sig(out) * (1 - sig(out))")], "derivative_at_output"),
    (3, "w1 transposed", [("grad_w1[i, j] = x[i]", "grad_w1[j, i] = x[i]")],
     "weight_transposed"),
    (3, "update with the last sample only",
     [("            g = backward(p, x, y)\n            for k in p:\n                p[k] = p[k] - "
       "lr * g[k]", "            g = backward(p, x, y)\n        for k in p:\n            p[k] = "
       "p[k] - lr * g[k]")], "last_sample_only"),
    (4, "sign", [("delta = chain_rule_derivatives *", "delta = -chain_rule_derivatives *")],
     "sign_flipped"),
    (4, "no activation derivative",
     [("delta = chain_rule_derivatives * derivative(self.activation, self.z, self.out)",
       "delta = chain_rule_derivatives")], "activation_derivative_missing"),
    (4, "derivative at the output",
     [("derivative(self.activation, self.z, self.out)",
       "derivative(self.activation, self.out, ACT[self.activation](self.out))")],
     "derivative_at_output"),
    (4, "bias averaged", [("np.sum(delta, axis=0)", "np.mean(delta, axis=0)")],
     "bias_not_summed"),
    (4, "bias of the last sample", [("np.sum(delta, axis=0)", "delta[-1]")],
     "bias_not_summed"),
    (4, "bias per sample", [("np.sum(delta, axis=0)", "delta")], "bias_not_summed"),
    (4, "bias summed over everything", [("np.sum(delta, axis=0)", "np.sum(delta)")],
     "bias_not_summed"),
    (4, "weights transposed", [("self.inputs.T @ delta", "delta.T @ self.inputs")],
     "weight_transposed"),
    (4, "only the last sample",
     [("self.d_weights = self.inputs.T @ delta\n        self.d_bias = np.sum(delta, axis=0)",
       "for k in range(len(delta)):\n            self.d_weights = np.outer(self.inputs[k], "
       "delta[k])\n            self.d_bias = delta[k]")], "last_sample_only"),
    (4, "updated weights used in backward",
     [("return delta @ self.weights.T", "self.delta = delta\n        return delta @ "
       "self.weights.T"),
      ("        for layer in self.layers[::-1]:\n            grad = layer.backward(grad)\n"
       "        for layer in self.layers:\n",
       "        for layer in self.layers[::-1]:\n            layer.backward(grad)\n"),
      ("            layer.bias -= self.lr * layer.d_bias",
       "            layer.bias -= self.lr * layer.d_bias\n"
       "            grad = layer.delta @ layer.weights.T")], "updated_weights_used"),
    (4, "Layer.backward updates", [("return delta @ self.weights.T",
                                    "self.weights = self.weights - 0.1 * self.d_weights\n"
                                    "        return delta @ self.weights.T")], "layer_updates"),
    (4, "no update", [("layer.weights -= self.lr * layer.d_weights", "pass")], "no_update"),
    (4, "bias not updated", [("layer.bias -= self.lr * layer.d_bias", "pass")], "no_update"),
    (4, "update uphill", [("layer.weights -= self.lr", "layer.weights += self.lr")],
     "sign_flipped"),
]

#: A phrase of each diagnosis, in English and in Portuguese.
PHRASES = {
    "sign_flipped": ("sign is flipped", "sinal está trocado"),
    "factor_2_missing": ("factor 2 of the square is missing", "falta o fator 2"),
    "factor_2_doubled": ("factor 2 is counted twice", "fator 2 entrou duas vezes"),
    "input_missing": ("input factor is missing", "falta o fator da entrada"),
    "activation_derivative_missing_hidden": ("hidden layer's activation is missing",
                                             "ativação da camada oculta"),
    "activation_derivative_missing_output": ("output's activation is missing",
                                             "ativação da saída"),
    "activation_derivative_missing": ("activation's derivative is missing",
                                      "falta a derivada da ativação"),
    "derivative_at_output": ("taken at its output", "calculada na saída"),
    "bias_not_summed": ("not summed over the batch", "não foi somado sobre o lote"),
    "weight_transposed": ("transposed", "transposto"),
    "updated_weights_used": ("updated weights were used", "pesos já atualizados"),
    "last_sample_only": ("only for the last sample", "só está certo para a última"),
    "layer_updates": ("changed the layer's weights", "mudou os pesos"),
    "no_update": ("not update the", "não atualiz"),
}


def edit(source, edits):
    for old, new in edits:
        assert old in source, f"the edit {old!r} does not apply"
        source = source.replace(old, new)
    return source


def verdict_of(n, source, lang="en", tmp_path=None, name="learner.py"):
    """Load `source` as the checker's child does, run exercise n's checks, in this process."""
    set_language(lang)
    path = (tmp_path or Path(".")) / name
    path.write_text(source, encoding="utf-8")
    namespace = {"__name__": "__learner__", "__file__": str(path)}
    failure = load(path, namespace)
    assert failure is None, failure
    options = {"data_dir": None, "time_limit": None} if n == 5 else {}
    return run_checks(n, namespace, str(path), **options)


def cli(*args, timeout=120):
    # one BLAS thread: the learners' small arrays gain nothing from more, and on a busy
    # machine spinning BLAS threads make exercise 5 twenty times slower
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, "-m", "exercises", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    set_language("en")


# ----- correct solutions pass -----

@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_a_learner_style_correct_solution_passes(n, tmp_path):
    verdict = verdict_of(n, SOLUTIONS[n], tmp_path=tmp_path)
    assert verdict.status == "passed", str(verdict)
    assert [step[0] for step in verdict.steps] == ["interface", "forward", "gradients",
                                                   "training"]
    assert verdict.exit_status == 0


def test_the_command_line_passes_a_correct_file_with_exit_status_0(tmp_path):
    path = tmp_path / "exercicio_3.py"
    path.write_text(EX3 + "\nprint('this print does not disturb the check')\n")
    result = cli("check", 3, path, "--lang", "pt")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Exercício 3: todas as verificações passaram" in result.stdout
    assert "XOR foi aprendido" in result.stdout


# ----- each common mistake: exit status 1 and its diagnosis, in both languages -----

@pytest.mark.parametrize("n, mistake, edits, code", MISTAKES,
                         ids=[f"ex{m[0]}-{m[1]}" for m in MISTAKES])
def test_each_common_mistake_is_diagnosed_in_both_languages(n, mistake, edits, code,
                                                            tmp_path):
    source = edit(SOLUTIONS[n], edits)
    for lang, phrase in zip(("en", "pt"), PHRASES[code]):
        verdict = verdict_of(n, source, lang, tmp_path)
        assert verdict.exit_status == 1 and verdict.code == code, str(verdict)
        assert phrase in verdict.message, verdict.message
    if n <= 3 and verdict.steps[-1][0] == "gradients":
        # the first wrong gradient is named, with the learner's value and the right one
        assert "está errado" in verdict.message and "O seu é" in verdict.message


def test_a_mistake_through_the_command_line_in_portuguese(tmp_path):
    path = tmp_path / "exercicio_3.py"
    path.write_text(edit(EX3, [("* hidden * (1 - hidden)", "")]))
    result = cli("check", 3, path, "--lang", "pt")
    assert result.returncode == 1
    assert "o gradiente w1[0, 0] está errado" in result.stdout
    assert "falta a derivada da ativação da camada oculta" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    data = json.loads(cli("check", 3, path, "--json").stdout)
    assert data["status"] == "failed" and data["exit_status"] == 1
    assert data["code"] == data["diagnosis"] == "activation_derivative_missing_hidden"
    assert data["passed"] is False and data["failed_check"] == "gradients"
    assert [c["status"] for c in data["checks"]] == ["passed", "passed", "failed"]


def test_an_unknown_mistake_names_the_first_wrong_layer_and_writes_its_chain_rule(tmp_path):
    source = edit(EX3, [("grad_w1[i, j] = x[i] * delta_hidden[j]",
                         "grad_w1[i, j] = x[i] * delta_hidden[j] * 3")])
    verdict = verdict_of(3, source, "en", tmp_path)
    assert verdict.code == "wrong_gradient"
    assert "first layer with a wrong gradient is the hidden layer" in verdict.message
    assert "dL/dz_j = dL/dz_out * w2_j * h_j * (1 - h_j) = " in verdict.message
    source = edit(EX4, [("1 - a * a", "1 - a")])
    verdict = verdict_of(4, source, "pt", tmp_path)
    assert verdict.code == "wrong_gradient"
    assert "s'(z) = 1 - a**2 = " in verdict.message and "tanh" in verdict.message


def test_wrong_forward_and_no_learning_are_reported(tmp_path):
    verdict = verdict_of(1, edit(EX1, [("return w * x", "return w + x")]), tmp_path=tmp_path)
    assert verdict.steps[-1][0] == "forward" and verdict.exit_status == 1
    verdict = verdict_of(2, edit(EX2, [("p[k] = p[k] - lr * g[k]", "p[k] = p[k] - lr * g[k] "
                                                                 "* (_ < 2)")]), tmp_path=tmp_path)
    assert verdict.steps[-1][0] == "training" and verdict.code == "goal_not_reached"
    verdict = verdict_of(3, edit(EX3, [("for _ in range(epochs):", "for _ in range(3):")]),
                         tmp_path=tmp_path)
    assert verdict.code == "shape"  # one loss per epoch is part of the interface


# ----- broken files -----

def _first_function(n):
    return {1: "def forward(w, x):\n", 2: "def forward(params, x):\n",
            3: "def forward(params, x):\n", 4: "    def forward(self, x):\n",
            5: "    def forward(self, x):\n"}[n]


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_a_crash_wrong_shapes_and_a_missing_function_get_their_verdicts(n, tmp_path):
    head = _first_function(n)
    indent = " " * (len(head) - len(head.lstrip()) + 4)
    crash = edit(SOLUTIONS[n], [(head, head + f"{indent}return [1, 2][5]\n")])
    verdict = verdict_of(n, crash, "pt", tmp_path)
    assert verdict.code == "crash" and verdict.exit_status == 1
    assert "IndexError" in verdict.message and "linha" in verdict.message
    shapes = edit(SOLUTIONS[n], [(head, head + f"{indent}return [[1.0, 2.0, 3.0]]\n")])
    verdict = verdict_of(n, shapes, "en", tmp_path)
    assert verdict.code == "shape" and verdict.exit_status == 1, str(verdict)
    name = "class NeuralNetwork" if n >= 4 else "def backward"
    verdict = verdict_of(n, edit(SOLUTIONS[n], [(name, name + "_old")]), "en", tmp_path)
    assert verdict.code == "missing_name" and verdict.exit_status == 1
    missing = "NeuralNetwork" if n >= 4 else "backward"
    assert f"`{missing}` is missing" in verdict.message


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_a_syntax_error_and_an_infinite_loop_cannot_run(n, tmp_path):
    head = _first_function(n)
    indent = " " * (len(head) - len(head.lstrip()) + 4)
    path = tmp_path / file_name(n, "en")
    path.write_text(edit(SOLUTIONS[n], [(head, head.replace("):", ")"))]))
    result = cli("check", n, path, "--json")
    data = json.loads(result.stdout)
    assert result.returncode == 2 and data["code"] == "syntax_error", result.stdout
    assert "SyntaxError on line" in data["message"]
    path.write_text(edit(SOLUTIONS[n], [(head, head + f"{indent}while True:\n"
                                               f"{indent}    pass\n")]))
    result = cli("check", n, path, "--time-limit", "2")
    assert result.returncode == 2
    assert "did not finish within 2 seconds" in result.stdout


def test_sys_exit_import_errors_and_missing_files(tmp_path):
    path = tmp_path / "exercise_1.py"
    path.write_text("import sys\nsys.exit(0)\n" + EX1)
    assert check_file(1, path, "en").code == "sys_exit"
    path.write_text("import a_module_that_does_not_exist\n" + EX1)
    verdict = check_file(1, path, "en")
    assert verdict.code == "import_error" and verdict.exit_status == 2
    assert "ModuleNotFoundError" in verdict.message
    path.write_text(edit(EX1, [("error = forward", "import os\n    os._exit(3)\n    error = "
                                                   "forward")]))
    verdict = check_file(1, path, "en")
    assert verdict.code == "process_died" and verdict.exit_status == 2
    verdict = check_file(1, tmp_path / "nowhere.py", "en")
    assert verdict.code == "file_not_found" and verdict.exit_status == 2
    # sys.exit inside a function is a crash of that function: a failed check
    path.write_text(edit(EX1, [("error = forward", "raise SystemExit(1)\n    error = "
                                                   "forward")]))
    assert check_file(1, path, "en").code == "crash"


def test_the_in_process_check_names_the_line_in_the_learners_cell():
    namespace = {}
    exec(compile(EX1.replace("error = forward(w, x) - y", "error = [1][3]"), "<cell 2>",
                 "exec"), namespace)
    verdict = check(1, "en", namespace=namespace, display=False)
    assert verdict.code == "crash" and "IndexError" in verdict.message
    assert "(line 7)" in verdict.message


def test_a_notebook_starter_without_nbformat_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "nbformat", None)   # as if it were not installed
    set_language("en")
    with pytest.raises(ImportError, match=r'pip install "autograd-lite\[notebook\]"'):
        write_starter(1, tmp_path, notebook=True)
    assert not (tmp_path / "exercise_1.ipynb").exists()


def test_the_in_process_check_has_a_time_limit():
    namespace = {}
    exec(EX1.replace("return w * x", "while True:\n        pass"), namespace)
    verdict = check(1, "en", namespace=namespace, display=False, time_limit=1)
    assert verdict.code == "timeout" and verdict.exit_status == 2


# ----- starters -----

@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_a_fresh_starter_fails_at_its_first_todo_with_a_friendly_message(n, tmp_path):
    for lang, words in (("en", "Still to do"), ("pt", "Falta fazer")):
        set_language(lang)
        path = write_starter(n, tmp_path)
        assert path.name == file_name(n, lang)
        text = path.read_text(encoding="utf-8")
        assert "TODO" in text and "raise NotImplementedError" in text
        verdict = verdict_of(n, text, lang, tmp_path, path.name)
        assert verdict.code == "todo" and verdict.exit_status == 1
        assert verdict.steps[-1][0] == "interface"
        assert words in verdict.message and "TODO" in verdict.message
        assert "Traceback" not in str(verdict)


def test_starters_state_the_course_constraints(tmp_path):
    set_language("pt")
    text = write_starter(3, tmp_path).read_text(encoding="utf-8")
    for phrase in ("numpy.random.randn", "todos os bias iguais a 1", "0.2", "5000 épocas",
                   "são o AND", "Bote a mão na massa", "Y = [0, 1, 0, 1]"):
        assert phrase in text, phrase
    set_language("en")
    text = write_starter(4, tmp_path).read_text(encoding="utf-8")
    for phrase in ("Layer(n_of_inputs, n_of_neurons, activation, bias)", "d_weights",
                   "NeuralNetwork(input_size, lr)", '"linear"', "are AND"):
        assert phrase in text, phrase


def test_start_never_overwrites_without_force(tmp_path):
    first = cli("start", 1, "--lang", "pt", "--dir", tmp_path)
    assert first.returncode == 0 and (tmp_path / "exercicio_1.py").exists()
    (tmp_path / "exercicio_1.py").write_text("# my work\n")
    again = cli("start", 1, "--lang", "pt", "--dir", tmp_path)
    assert again.returncode == 1 and "já existe" in again.stderr
    assert (tmp_path / "exercicio_1.py").read_text() == "# my work\n"
    forced = cli("start", 1, "--lang", "pt", "--dir", tmp_path, "--force")
    assert forced.returncode == 0 and "TODO" in (tmp_path / "exercicio_1.py").read_text()
    result = cli("check", 1, tmp_path / "exercicio_1.py", "--lang", "pt")
    assert result.returncode == 1 and "Falta fazer" in result.stdout


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_solution_write_is_a_starter_shaped_file_that_passes(n, tmp_path):
    path = tmp_path / f"solution_{n}.py"
    result = cli("solution", n, "--write", path, "--lang", "en")
    assert result.returncode == 0 and "try it yourself first" in result.stdout
    assert "TODO" not in path.read_text()
    assert check_file(n, path, "en").status == "passed"


def test_solution_shows_the_reference_after_the_advice():
    result = cli("solution", 3, "--lang", "pt")
    assert result.returncode == 0
    assert result.stdout.index("tente sozinho primeiro") < result.stdout.index("def run(")


def test_hints_are_progressive_in_both_languages():
    for lang, title in (("en", "Level {} of 3"), ("pt", "Nível {} de 3")):
        set_language(lang)
        texts = [hint(3, level) for level in (1, 2, 3)]
        assert all(text.startswith(title.format(i)) for i, text in enumerate(texts, 1))
        assert "np.outer(x, dL/dz1)" in texts[2] and "np.outer" not in texts[0]
        assert all(hint(n, 3) != hint(n, 1) for n in range(1, 6))
    result = cli("hint", 3, "--level", "2", "--lang", "pt")
    assert result.returncode == 0 and result.stdout == hint(3, 2) + "\n"


def test_the_language_comes_from_the_locale(tmp_path):
    env = dict(os.environ, LANG="pt_BR.UTF-8", LANGUAGE="", LC_ALL="", LC_MESSAGES="",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")])))
    result = subprocess.run([sys.executable, "-m", "exercises", "hint", "1"], env=env,
                            capture_output=True, text=True)
    assert result.stdout.startswith("Nível 1 de 3")
    env["LANG"] = "C.UTF-8"
    result = subprocess.run([sys.executable, "-m", "exercises", "hint", "1"], env=env,
                            capture_output=True, text=True)
    assert result.stdout.startswith("Level 1 of 3")


# ----- exercise 5 on real digits -----

def test_ex5_check_trains_the_learners_classes_on_mnist(tmp_path):
    from test_exercises import HAVE_MNIST, MNIST_DIR, small_mnist_folder

    if not HAVE_MNIST:
        pytest.skip(f"real MNIST files not found in {MNIST_DIR} (shared/data/mnist next to "
                    "the repository)")
    folder = small_mnist_folder(tmp_path / "digits", n_train=6000, n_test=1000)
    path = tmp_path / "exercise_5.py"
    path.write_text(EX5)
    result = cli("check", 5, path, "--data-dir", folder, "--no-download", "--json",
                 timeout=300)
    data = json.loads(result.stdout)
    assert result.returncode == 0, data
    assert "on 1000 test images (goal: 90%)" in data["message"]
    assert "limit: 900 s" in data["message"]
    solution = tmp_path / "solution_5.py"
    assert cli("solution", 5, "--write", solution).returncode == 0
    data = json.loads(cli("check", 5, solution, "--data-dir", folder, "--json",
                          timeout=300).stdout)
    assert data["status"] == "passed", data
    path.write_text(edit(EX5, [("return np.argmax(net.forward(images), axis=1)",
                                "return np.zeros(len(images), dtype=int)"),
                               ("for epoch in range(4):", "for epoch in range(1):")]))
    data = json.loads(cli("check", 5, path, "--data-dir", folder, "--json", timeout=300).stdout)
    assert data["code"] == "goal_not_reached" and "the goal is at least 90%" in data["message"]


def test_ex5_without_data_cannot_run(tmp_path):
    path = tmp_path / "exercise_5.py"
    path.write_text(EX5)
    verdict = check_file(5, path, "en", data_dir=tmp_path / "empty", download=False)
    assert verdict.code == "no_data" and verdict.exit_status == 2
    assert "python -m exercises 5" in verdict.message
