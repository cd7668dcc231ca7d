"""Regression tests for defects found in acceptance review."""
import inspect

import numpy as np
import pytest

import autograd_lite as al
import nn
import nn.functional as F
from autograd_lite import Tensor


# --- every function and method spelling `axis` as PyTorch's `dim` (and `keepdims` as
# `keepdim`) accepts the PyTorch spelling alone: a default `axis` is no conflict.

def _x():
    return Tensor(np.arange(24.0).reshape(2, 3, 4) / 7.0 + 0.5)


_IDX = np.zeros((2, 1, 4), dtype=int)

# name -> a call taking the axis keywords; each is called with axis=1 and with dim=1
_AXIS_CALLS = {
    "autograd_lite.split": lambda **k: al.split(_x(), 3, **k),
    "autograd_lite.take_along_axis": lambda **k: al.take_along_axis(_x(), _IDX, **k),
    "autograd_lite.cat": lambda **k: al.cat([_x(), _x()], **k),
    "autograd_lite.concatenate": lambda **k: al.concatenate([_x(), _x()], **k),
    "autograd_lite.stack": lambda **k: al.stack([_x(), _x()], **k),
    "nn.functional.softmax": lambda **k: F.softmax(_x(), **k),
    "nn.functional.log_softmax": lambda **k: F.log_softmax(_x(), **k),
    "nn.Softmax": lambda **k: nn.Softmax(**k)(_x()),
    "nn.LogSoftmax": lambda **k: nn.LogSoftmax(**k)(_x()),
}
for _name in ("argmax", "argmin", "cumprod", "cumsum", "logsumexp", "norm", "prod",
              "std", "var"):
    _AXIS_CALLS["autograd_lite." + _name] = (lambda n: lambda **k: getattr(al, n)(_x(), **k))(_name)
for _name in ("all", "any", "argmax", "argmin", "cumprod", "cumsum", "log_softmax",
              "logsumexp", "max", "mean", "min", "prod", "softmax", "std", "sum", "var"):
    _AXIS_CALLS["Tensor." + _name] = (lambda n: lambda **k: getattr(_x(), n)(**k))(_name)
for _name in ("max", "min"):  # with dim, PyTorch's (values, indices)
    _AXIS_CALLS["Tensor." + _name] = (lambda n: lambda **k: (
        getattr(_x(), n)(**k)[0] if "dim" in k else getattr(_x(), n)(**k)))(_name)
_AXIS_CALLS["autograd_lite.squeeze"] = lambda **k: al.squeeze(Tensor(np.ones((2, 1, 3))), **k)
_AXIS_CALLS["Tensor.squeeze"] = lambda **k: Tensor(np.ones((2, 1, 3))).squeeze(**k)

_KEEPDIMS = {"autograd_lite.argmax", "autograd_lite.argmin", "autograd_lite.logsumexp",
             "autograd_lite.norm", "autograd_lite.prod", "autograd_lite.std",
             "autograd_lite.var", "Tensor.all", "Tensor.any", "Tensor.argmax",
             "Tensor.argmin", "Tensor.logsumexp",
             "Tensor.max", "Tensor.mean", "Tensor.min", "Tensor.prod", "Tensor.std",
             "Tensor.sum", "Tensor.var"}


def _with_both(pair):
    """Every public callable (and Tensor method) with both names of `pair`."""
    found = set()
    for mod in (al, F, nn):
        for name in dir(mod):
            if name.startswith("_"):
                continue
            obj = getattr(mod, name)
            if callable(obj):
                try:
                    params = inspect.signature(obj).parameters
                except (TypeError, ValueError):
                    continue
                if all(p in params for p in pair):
                    found.add(f"{mod.__name__}.{name}")
    for name in dir(Tensor):
        obj = getattr(Tensor, name)
        if callable(obj) and not name.startswith("_"):
            params = inspect.signature(obj).parameters
            if all(p in params for p in pair):
                found.add("Tensor." + name)
    # the same function re-exported under another module counts once
    aliases = {"nn.softmax": "nn.functional.softmax",
               "nn.log_softmax": "nn.functional.log_softmax"}
    return {aliases.get(n, n) for n in found}


def _value(out):
    if isinstance(out, (list, tuple)):
        return [_value(o) for o in out]
    return np.asarray(out.data if isinstance(out, Tensor) else out)


def test_the_tables_cover_every_function_with_both_spellings():
    assert _with_both(("axis", "dim")) == set(_AXIS_CALLS)
    assert _with_both(("keepdims", "keepdim")) == _KEEPDIMS


@pytest.mark.parametrize("name", sorted(_AXIS_CALLS))
def test_dim_alone_is_axis(name):
    call = _AXIS_CALLS[name]
    by_axis, by_dim = _value(call(axis=1)), _value(call(dim=1))
    np.testing.assert_equal(by_dim, by_axis)
    # the joins' axis=0 default (PyTorch's dim=0) is no conflict either
    if name not in ("autograd_lite.cat", "autograd_lite.concatenate", "autograd_lite.stack"):
        with pytest.raises(TypeError, match="got both"):
            call(axis=0, dim=1)


@pytest.mark.parametrize("name", sorted(_KEEPDIMS))
def test_keepdim_alone_is_keepdims(name):
    call = _AXIS_CALLS[name]
    kept = _value(call(dim=1, keepdim=True))
    assert kept.shape == _value(call(axis=1, keepdims=True)).shape
    assert kept.ndim == 3
    np.testing.assert_equal(kept, _value(call(dim=1, keepdims=True)))


def test_split_dim_from_the_review():
    pieces = al.split(Tensor(np.ones((7, 4))), 2, dim=1)
    assert [p.shape for p in pieces] == [(7, 2), (7, 2)]
    assert [p.shape for p in al.split(Tensor(np.ones((4, 7))), 2)] == [(2, 7), (2, 7)]


def test_take_along_axis_keeps_its_defaults():
    x = Tensor(np.array([[3.0, 1.0, 2.0]]))
    np.testing.assert_equal(al.take_along_axis(x, np.array([[2, 0]])).data, [[2.0, 3.0]])
    np.testing.assert_equal(al.take_along_axis(x, np.array([1]), axis=None).data, [1.0])


# --- practise mode: a backward that updates params (exercises 2 and 3) is diagnosed

from test_practice import EX2, EX3, edit, verdict_of  # noqa: E402

_UPDATE_THEN_USE = {
    2: [('    d_z = [d_out * params["w2"][j]',
         '    params["w2"] = params["w2"] - 0.1 * np.array([d_out * h[j] for j in range(2)])\n'
         '    d_z = [d_out * params["w2"][j]')],
    3: [('    delta_hidden = delta_out * params["w2"]',
         '    params["w2"] = params["w2"] - 0.2 * delta_out * hidden\n'
         '    delta_hidden = delta_out * params["w2"]')],
    "3-in-place": [('    delta_hidden = delta_out * params["w2"]',
                    '    params["w2"] -= 0.2 * delta_out * hidden\n'
                    '    delta_hidden = delta_out * params["w2"]')],
}
_CHANGED = {"en": 'backward changed params (params["w2"])',
            "pt": 'O backward alterou params (params["w2"])'}


@pytest.mark.parametrize("case", sorted(_UPDATE_THEN_USE, key=str))
def test_updated_weights_used_inside_backward_is_diagnosed(case, tmp_path):
    n = int(str(case)[0])
    source = edit({2: EX2, 3: EX3}[n], _UPDATE_THEN_USE[case])
    for lang, phrase in (("en", "updated weights were used inside backward"),
                         ("pt", "pesos já atualizados foram usados dentro do backward")):
        verdict = verdict_of(n, source, lang, tmp_path)
        assert verdict.exit_status == 1 and verdict.code == "updated_weights_used", str(verdict)
        assert phrase in verdict.message and _CHANGED[lang] in verdict.message, verdict.message


@pytest.mark.parametrize("n", [2, 3])
def test_a_backward_that_updates_params_after_its_gradients_is_refused(n, tmp_path):
    source = edit({2: EX2, 3: EX3}[n], [("    return {", '    params["b2"] = 0.0\n    return {')])
    for lang, phrase in (("en", 'backward changed params (params["b2"])'),
                         ("pt", 'O backward alterou params (params["b2"])')):
        verdict = verdict_of(n, source, lang, tmp_path)
        assert verdict.exit_status == 1 and verdict.code == "backward_updates", str(verdict)
        assert phrase in verdict.message and verdict.steps[-1][0] == "gradients"


# --- `solution --write` on an existing file suggests only options `solution` has

def test_solution_write_on_an_existing_file_suggests_its_own_options(tmp_path):
    from test_practice import cli

    path = tmp_path / "mine.py"
    path.write_text("# my work\n")
    for lang, exists in (("en", "already exists"), ("pt", "já existe")):
        refused = cli("solution", 1, "--write", path, "--lang", lang)
        assert refused.returncode == 1 and exists in refused.stderr
        assert "--force" in refused.stderr and "--write" in refused.stderr
        assert "--dir" not in refused.stderr
        assert path.read_text() == "# my work\n"
    forced = cli("solution", 1, "--write", path, "--force", "--lang", "en")
    assert forced.returncode == 0 and "def backward" in path.read_text()


# --- from_dlpack's error names the real cause: the dtype, the graph or the device

def test_from_dlpack_errors_name_their_cause():
    torch = pytest.importorskip("torch", reason="torch is the source of the DLPack tensors")
    with pytest.raises((BufferError, RuntimeError)) as err:
        al.from_dlpack(torch.ones(2, dtype=torch.bfloat16))
    message = str(err.value)
    assert "bfloat16" in message and "x.float()" in message
    assert "requires grad" not in message and "detach" not in message
    with pytest.raises((BufferError, RuntimeError), match=r"from_dlpack.*x\.detach\(\)"):
        al.from_dlpack(torch.ones(2, requires_grad=True))


# --- std's gradient where the std is 0 is 0 (PyTorch's choice), never nan; the rows with
# a spread keep theirs. Against torch: "std_constant_rows" in test_torch_oracle_ops.py.

@pytest.mark.parametrize("call, ddof", [(lambda t: t.std(dim=1), 1),
                                        (lambda t: al.std(t, axis=1), 0)])
def test_std_gradient_is_zero_where_the_std_is_zero(call, ddof):
    x = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]])
    t = Tensor(x, requires_grad=True)
    with np.errstate(all="raise"):
        call(t).sum().backward()
    d = x[1]  # d std / d x_i = (x_i - mean) / ((n - ddof) std)
    np.testing.assert_allclose(t.grad, [[0.0, 0.0, 0.0],
                                        (d - d.mean()) / ((3 - ddof) * d.std(ddof=ddof))])


def test_std_over_a_size_1_axis_with_correction_0_has_gradient_0():
    t = Tensor(np.array([[1.0], [-3.0]]), requires_grad=True)
    with np.errstate(all="raise"):
        al.std(t, dim=1, correction=0).sum().backward(create_graph=True)
        grad = t.grad
        np.testing.assert_array_equal(grad.data if isinstance(grad, Tensor) else grad,
                                      [[0.0], [0.0]])


# --- the step-through player names a rule's inputs so a learner cannot misread them

from autograd_lite import Value, stepper  # noqa: E402


def _sends(root):
    _, steps = stepper.record(root)
    return [(s["title"], d["to_name"], d["var"], d["rule"]) for s in steps
            for d in s.get("sends", [])], [s for s in steps if s.get("inputs")]


def test_an_affine_step_names_its_inputs_by_the_learners_labels():
    x = Tensor(np.ones((3, 2)))
    x.label = "x"
    W1, b1 = Tensor(np.ones((2, 2)), requires_grad=True), Tensor(np.zeros(2), requires_grad=True)
    W1.label, b1.label = "W1", "b1"
    h = F.affine(x, W1, b1).sigmoid()
    sends, forward = _sends(h.sum())
    first = [s for s in forward if s["title"].startswith("computing x @ W1 + b1")]
    assert first and [(i["var"], i["name"]) for i in first[0]["inputs"]] == [
        ("x", "x"), ("W1", "W1"), ("b1", "b1")]
    rules = {to: (var, rule) for _title, to, var, rule in sends}
    assert rules["W1"] == ("W1", "sends x.T @ g to W1  (g: the upstream gradient)")
    assert rules["b1"][0] == "b1" and rules["b1"][1].endswith("to b1  (g: the upstream gradient)")


def test_swapped_scalar_names_and_a_taken_letter():
    b, a = Value(2.0, requires_grad=True), Value(3.0, requires_grad=True)
    b.label, a.label = "b", "a"  # the learner's a is the rule's b, and the other way round
    sends, forward = _sends(b * a + b)
    rules = {(to, rule) for _t, to, _v, rule in sends}
    assert ("b", "d(b * a)/db = a") in rules and ("a", "d(b * a)/da = b") in rules
    # the product is unlabelled: its rule letter "a" is the learner's a, so it is not used
    add = [s for s in forward if s["op"] == "+"][0]
    assert [i["var"] for i in add["inputs"]] == ["α", "b"]
    assert ("*", "d(α + b)/dα = 1") in rules
    for _t, to, var, rule in sends:  # every input named in its rule is the one it is sent to
        assert f"/d{var} " in rule or f" to {var} " in rule


def test_a_backward_that_deletes_a_parameter_gets_a_verdict(tmp_path):
    source = edit(EX3, [("    return {", '    del params["w2"]\n    return {')])
    verdict = verdict_of(3, source, "en", tmp_path)
    assert verdict.exit_status == 1 and "w2" in verdict.message, str(verdict)
