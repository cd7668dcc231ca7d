"""The benchmark code runs on tiny sizes, and its same-loss check catches a wrong system.

No timing is asserted here: timings live in `python -m benchmarks` and docs/performance.md.
"""

import gc

import numpy as np
import pytest

from benchmarks import chains, micrograd_demo, mlp
from benchmarks.__main__ import _threads_from_argv
from benchmarks.common import losses_agree
from benchmarks.run import main


@pytest.fixture(scope="module")
def digits():
    x, y, _ = mlp.load_digits(n=512)
    return x, y


def test_smoke_run_prints_every_table_and_the_targets(tmp_path):
    lines = []
    plot = tmp_path / "perf.png"
    try:
        import matplotlib  # noqa: F401  (the plot is optional: the `plot`/`bench` extras)
    except ImportError:
        plot = None
    targets = main(["--smoke"] + (["--plot", str(plot)] if plot else []), out=lines.append)
    text = "\n".join(str(line) for line in lines)
    for heading in ("## micrograd's demo step", "## Deep chains", "## MLP 784-16-10",
                    "## Compute-bound MLP", "## Peak memory", "## Targets"):
        assert heading in text
    assert "| hand NumPy " in text and "| autograd-lite " in text
    assert "MISMATCH" not in text
    names = [t.name for t in targets]
    assert any(n.startswith("1. MLP") for n in names)
    assert any(n.startswith("3. peak memory") for n in names)
    assert sum(n.startswith("4. ") for n in names) == 2
    # the correctness rows hold whatever the speed
    for t in targets:
        if "same losses" in t.name or "freed" in t.name or "chain" in t.name:
            assert t.passed, t.row()
    if plot:
        assert "## Step time against batch size" in text
        assert plot.exists() and plot.stat().st_size > 1000


def test_only_selects_workloads_and_the_report_goes_into_the_docs(tmp_path):
    page = tmp_path / "performance.md"
    page.write_text("# Perf\n<!-- summary -->\nstale-summary\n<!-- end of summary -->\n"
                    "<!-- benchmark results -->\nstale-report\n<!-- end of results -->\nafter\n")
    lines = []
    targets = main(["--smoke", "--only", "chain", "--update-docs", str(page)], out=lines.append)
    assert [t.name[:2] for t in targets] == ["4.", "4."]
    text = page.read_text()
    assert "stale-report" not in text and text.startswith("# Perf\n") and text.endswith("after\n")
    assert "stale-summary" not in text and "| 4. 2,000-node scalar chain backward" in text
    assert "### Deep chains" in text and "### Targets" in text and "- machine:" in text
    with pytest.raises(SystemExit):
        main(["--only", "nonsense"], out=lines.append)


def test_threads_option_is_read_before_numpy():
    assert _threads_from_argv([]) == "1"
    assert _threads_from_argv(["--quick", "--threads", "2"]) == "2"
    assert _threads_from_argv(["--threads=default"]) == "default"


def test_losses_agree_finds_the_first_difference():
    ref = [2.3, 1.9, 1.5]
    assert losses_agree(ref, [2.3000001, 1.9, 1.5], rtol=1e-4) is None
    assert losses_agree(ref, [2.3, 1.91, 1.5], rtol=1e-4) == 1
    assert losses_agree(ref, [2.3, 1.9, float("nan")], rtol=1e-4) == 2
    assert losses_agree(ref, [2.3, 1.9], rtol=1e-4) == 2


class _WrongGradient(mlp.HandNumpy):
    """A fast wrong answer: the right first loss, then a gradient 1% too big."""

    name = "wrong"

    def __init__(self, weights, lr):
        super().__init__(weights, lr * 1.01)


def test_mlp_loss_check_catches_a_wrong_system(digits):
    x, y = digits
    systems = [(mlp.HandNumpy.name, mlp.HandNumpy), (mlp.Ours.name, mlp.Ours),
               ("wrong", _WrongGradient)]
    res = mlp.run_mlp(x, y, sizes=(784, 16, 10), rounds=1, samples=256, systems=systems)
    assert res.mismatches[mlp.Ours.name] is None
    bad = res.mismatches["wrong"]
    assert bad is not None and bad[0] == 1  # step 0 agrees (same weights), step 1 does not
    assert any("wrong: MISMATCH at step 1" in line for line in mlp.loss_check_lines(res))
    assert set(res.stats) == {mlp.HandNumpy.name, mlp.Ours.name, "wrong"}
    assert all(s.min > 0 for s in res.stats.values())


def test_hand_numpy_step_matches_autograd_lite_gradients(digits):
    """The floor computes the true SGD step: one step from the same weights gives the same
    weights as autograd-lite's backward (an independent computation)."""
    x, y = digits
    weights = mlp.init_weights((784, 16, 12, 10))
    hand, ours = mlp.HandNumpy(weights, 0.5), mlp.Ours(weights, 0.5)
    batch = (x[:64], y[:64])
    assert hand.step(hand.prepare(*batch)) == pytest.approx(ours.step(ours.prepare(*batch)),
                                                            rel=1e-5)
    for (w, b), (tw, tb) in zip(hand.params, ours.layers):
        assert w.dtype == np.float32 and tw.data.dtype == np.float32
        np.testing.assert_allclose(w, tw.data, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(b, tb.data, rtol=1e-4, atol=1e-6)


def test_missing_data_falls_back_to_synthetic_digits(tmp_path):
    x, y, source = mlp.load_digits(tmp_path, n=50)
    assert source.startswith("synthetic")
    assert x.shape == (50, 784) and x.dtype == np.float32 and y.shape == (50,)
    assert 0 <= y.min() and y.max() <= 9


def test_hand_floats_agree_with_value_on_the_demo():
    X, y = micrograd_demo.make_moons(16)
    assert X.shape == (16, 2) and set(np.unique(y)) == {-1, 1}
    weights = micrograd_demo.initial_weights()
    from autograd_lite import Value

    model = micrograd_demo.our_model(weights)
    params = model.parameters()
    hand = micrograd_demo.HandFloats(weights)
    for k in range(3):
        want = micrograd_demo.value_step(model, params, X, y, Value, k)
        assert hand.step(X, y, k) == pytest.approx(want, rel=1e-9)


def test_demo_run_and_its_graph_is_freed_without_the_collector():
    res = micrograd_demo.run_demo(rounds=1, warmup=0, n=8)
    assert all(bad is None for bad in res.mismatches.values())
    assert gc.isenabled()
    freed, found = micrograd_demo.graph_is_acyclic_value()
    assert freed and found == 0


def test_chains_check_their_gradient():
    assert chains.scalar_chain(500).ok
    assert chains.tensor_chain(200).ok
    outcomes = dict(chains.peer_recursion(50))
    assert outcomes["autograd-lite Value"] == "ok"


def test_profiling_runs(capsys):
    from benchmarks import profiling

    profiling.main(["mlp", "--batch", "8", "--steps", "2", "--cprofile"])
    assert "tottime" in capsys.readouterr().out


def test_conv_benchmark_runs_at_tiny_size_with_the_same_losses():
    lines = []
    targets = main(["--smoke", "--only", "conv"], out=lines.append)
    text = "\n".join(str(line) for line in lines)
    assert "## LeNet CNN" in text and "| hand NumPy " in text and "| autograd-lite " in text
    assert "MISMATCH" not in text and "Same losses: every system agrees" in text
    names = [t.name for t in targets]
    assert any(n.startswith("5. LeNet step batch 8") for n in names)
    assert any(n.startswith("5. peak memory of the LeNet") for n in names)


def test_conv_floor_and_autograd_lite_compute_the_same_steps():
    from benchmarks import conv

    x, y, _ = mlp.load_digits(n=64)
    weights = conv.init_weights()
    hand, ours = conv.HandNumpy(weights, 0.05), conv.Ours(weights, 0.05)
    for b in conv.epoch_batches(x, y, 16, 0, 48):
        np.testing.assert_allclose(hand.step(hand.prepare(*b)), ours.step(ours.prepare(*b)),
                                   rtol=1e-4)
    for name, value in ours.model.state_dict().items():
        np.testing.assert_allclose(value, hand.w[name], rtol=1e-3, atol=1e-5)
