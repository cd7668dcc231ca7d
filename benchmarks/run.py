"""The benchmark command: runs the workloads, prints one table each and the targets.

Use ``python -m benchmarks`` (see ``--help``); `__main__` sets the BLAS thread count before
NumPy is imported and then calls `main` here.
"""

import argparse
import os
import platform
import subprocess
import time
from pathlib import Path

import numpy as np

from . import chains, conv, memory, micrograd_demo, mlp
from .common import (
    Target,
    blas_threads,
    clock_name,
    fmt_time,
    paired_ratio,
    table,
    targets_table,
    timing_table,
    use_cpu_clock,
)

WORKLOADS = ("micrograd", "chain", "mlp", "big", "memory", "cycles", "conv")
ROOT = Path(__file__).resolve().parents[1]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark autograd-lite against hand-written NumPy and its peers.")
    parser.add_argument("--quick", action="store_true",
                        help="fewer rounds (well under a minute); same sizes and targets")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes, just to check that the code runs (targets not judged)")
    parser.add_argument("--only", default=None,
                        help=f"comma-separated workloads among {', '.join(WORKLOADS)} (default: all)")
    parser.add_argument("--threads", default="1",
                        help="BLAS threads for NumPy and PyTorch (default 1; 'default' leaves "
                             "the libraries' own choice)")
    parser.add_argument("--wall-clock", action="store_true",
                        help="time with the wall clock even with one BLAS thread (default: "
                             "process CPU time with one thread, wall clock otherwise)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="timed rounds (epochs per system for the MLP workloads)")
    parser.add_argument("--data-dir", default=None,
                        help="folder with MNIST's t10k IDX files (default: ../shared/data/mnist "
                             "beside the repository; random digits when missing)")
    parser.add_argument("--plot", default=None, metavar="PNG",
                        help="also sweep batch sizes 16..1024 and save the plot of step time "
                             "against batch size (needs matplotlib)")
    parser.add_argument("--update-docs", default=None, metavar="MD",
                        help="also write this run's report into the Markdown file MD, between "
                             "its '<!-- benchmark results -->' and '<!-- end of results -->' "
                             "lines (docs/performance.md)")
    args = parser.parse_args(argv)
    if args.only:
        chosen = [w.strip() for w in args.only.split(",") if w.strip()]
        unknown = [w for w in chosen if w not in WORKLOADS]
        if unknown:
            parser.error(f"--only: unknown workload(s) {unknown}; choose from {WORKLOADS}")
        args.workloads = chosen
    else:
        args.workloads = list(WORKLOADS)
    return args


# ***** the machine *****


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(distribution):
    """The installed version of a distribution, without importing it (None if absent)."""
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _blas_name():
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas.get('version', '')}".strip()
    except (AttributeError, KeyError, TypeError):  # show_config's layout is NumPy's business
        return "BLAS unknown"


def _commit():
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=False)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "autograd_lite", "nn"],
                               cwd=ROOT, capture_output=True, text=True, check=False)
    except OSError:
        return "unknown"
    if done.returncode != 0:
        return "unknown"
    return done.stdout.strip() + (" + uncommitted changes" if dirty.stdout.strip() else "")


def machine_lines(threads_note):
    peers = ", ".join(f"{name} {_version(mod) or 'not installed'}" for name, mod in
                      (("PyTorch", "torch"), ("MyGrad", "mygrad"), ("micrograd", "micrograd"),
                       ("HIPS autograd", "autograd")))
    return [
        (f"machine: {os.cpu_count()} cores, {_cpu_model()}, {platform.system()} "
        f"{platform.release()}"),
        (f"Python {platform.python_version()}, NumPy {np.__version__} ({_blas_name()}); "
         f"peers: {peers}"),
        f"BLAS threads: {threads_note}",
        f"autograd-lite commit: {_commit()}",
    ]


# ***** the workloads *****


def run_micrograd(args, targets, out):
    rounds = args.rounds or (1 if args.quick or args.smoke else 3)
    n = 12 if args.smoke else 100
    heaps = ("fresh",) if args.smoke else ("fresh", "large")
    ours_on, ours_off = "autograd-lite Value (gc on)", "autograd-lite Value (gc off)"
    for heap in heaps:
        res = micrograd_demo.run_demo(rounds=rounds, warmup=0 if args.smoke else 1, n=n,
                                      heap=heap, steps=1 if args.smoke else 2)
        steps = len(next(iter(res.stats.values())).times)
        objects = max(res.heap_objects.values())
        out(f"\n## micrograd's demo step ({res.heap_label}): MLP 2-16-16-1, {n} two-moons "
            f"points, SVM loss + L2 (seconds per step; {steps} steps per system, each "
            f"system in {rounds} fresh processes, round-robin; about {objects:,} objects "
            "on the heap)\n")
        out(timing_table(res.stats, micrograd_demo.REFERENCE))
        out("\nSame losses:")
        for line in micrograd_demo.demo_lines(res):
            out(line)
        same = all(v is None for v in res.mismatches.values())
        where = "" if heap == "fresh" else f" ({res.heap_label})"
        pairs = [(ours_on, "micrograd (gc on)", 10.0)]
        if heap == "fresh":
            pairs.append((ours_off, "micrograd (gc off)", 2.0))
        for ours, peer, limit in pairs:
            if peer not in res.stats:
                continue
            speedup = res.stats[peer].min / res.stats[ours].min
            out(f"- {ours} is {speedup:.2f}x faster than {peer} (ratio of minimums)")
            targets.append(Target(f"2. demo step{where}: {ours} vs {peer}",
                                  f"{speedup:.2f}x faster" if speedup >= 1 else
                                  f"{1 / speedup:.2f}x slower", f">= {limit:g}x faster",
                                  speedup >= limit and same, "ratio of minimums"))
        if "micrograd (gc off)" in res.stats:
            speedup = res.stats["micrograd (gc off)"].min / res.stats[ours_on].min
            out(f"- {ours_on} is {speedup:.2f}x faster than micrograd (gc off)")
    freed, found = micrograd_demo.graph_is_acyclic_value()
    out(f"\nNo reference cycles (Value graph of the demo, gc off, dropped after backward): "
        f"{'OK' if freed and not found else 'FAIL'} (interior node freed: {freed}; "
        f"gc.collect() found {found} unreachable objects)")
    targets.append(Target("2. Value graph freed by reference counting alone",
                          "freed" if freed and not found else f"not freed ({found} in cycles)",
                          "freed", freed and not found, "weakref + gc.collect() with gc off"))


def run_chain(args, targets, out):
    n_scalar, n_tensor = (2000, 500) if args.smoke else (1_000_000, 100_000)
    results = [chains.scalar_chain_in_fresh_process(n_scalar), chains.tensor_chain(n_tensor)]
    torch_result = None if args.smoke else chains.torch_tensor_chain(n_tensor)
    rows = []
    for r in results + ([torch_result] if torch_result else []):
        peak = "-" if r.peak is None else f"{r.peak / 2**20:.0f} MiB"
        rows.append([r.name, fmt_time(r.forward), fmt_time(r.backward),
                     fmt_time(r.forward + r.backward), fmt_time(r.free), peak,
                     ("OK: " if r.ok else "WRONG: ") + r.detail])
    out("\n## Deep chains (gc on, default recursion limit; one run each; the scalar chain in "
        "a fresh process)\n")
    out(table(["chain", "forward", "backward", "build + backward", "free graph",
               "peak memory", "gradient"], rows))
    out("\nA chain 1,000 operations deep (each peer's own backward):")
    for name, outcome in chains.peer_recursion(1000):
        out(f"- {name}: {outcome}")
    scalar, tensor = results
    targets.append(Target(f"4. {scalar.nodes:,}-node scalar chain backward",
                          f"{fmt_time(scalar.forward + scalar.backward)} (peak memory "
                          f"{scalar.peak / 2**20:.0f} MiB)",
                          "<= 2.5 s build + backward, right gradient",
                          scalar.forward + scalar.backward <= 2.5 and scalar.ok,
                          "seconds, one run, gc on"))
    targets.append(Target(f"4. {tensor.nodes:,}-node tensor chain backward",
                          fmt_time(tensor.backward), "<= 5 s, right gradient",
                          tensor.backward <= 5.0 and tensor.ok, "seconds, one run"))


def _mlp_table(args, res, title, out):
    out(f"\n## {title}\n")
    c = res.config
    out(f"data: {res.source}; {res.steps} steps per epoch, {c['rounds']} timed epochs per "
        "system after 1 warm-up epoch, round-robin; ours uses " + res.api + "\n")
    out(timing_table(res.stats, mlp.HandNumpy.name))
    out("\nSame losses:")
    for line in mlp.loss_check_lines(res, res.rtol):
        out(line)


def _ratios(ours, hand):
    return (f"{ours.min / hand.min:.3f}x (medians {ours.median / hand.median:.2f}x, "
            f"paired {paired_ratio(ours, hand):.2f}x)")


def run_mlp(args, targets, out, x, y, source):
    rounds = args.rounds or (3 if args.quick else 15)
    kw = {"sizes": (784, 16, 10), "rounds": 1, "samples": 512} if args.smoke else {"rounds": rounds}
    res = mlp.run_mlp(x, y, batch_size=128, source=source, threads=args.threads_int, **kw)
    sizes = "-".join(map(str, res.config["sizes"]))
    _mlp_table(args, res, f"MLP {sizes}, batch 128, SGD lr 0.1, float32 "
               f"(seconds per step)", out)
    stats, hand, ours = res.stats, res.stats[mlp.HandNumpy.name], res.stats[mlp.Ours.name]
    same = all(v is None for v in res.mismatches.values())
    ratio = ours.min / hand.min
    targets.append(Target(f"1. MLP {sizes} batch 128: autograd-lite / hand NumPy",
                          _ratios(ours, hand), "<= 1.10x",
                          ratio <= 1.10 and same, "ratio of minimums, same losses"))
    for peer in ("PyTorch", "MyGrad"):
        if peer in stats:
            faster = ours.min < stats[peer].min
            targets.append(Target(f"1. MLP batch 128: autograd-lite faster than {peer}",
                                  f"{stats[peer].min / ours.min:.2f}x faster" if faster else
                                  f"{ours.min / stats[peer].min:.2f}x slower", "faster",
                                  faster, "ratio of minimums"))
    targets.append(Target("1. every system computes the same losses",
                          "all agree" if same else "MISMATCH", f"rtol {res.rtol:g} per step", same,
                          "epoch 1, every step"))


def run_big(args, targets, out, x, y, source):
    rounds = args.rounds or (2 if args.quick else 6)
    if args.smoke:
        kw = {"sizes": (784, 32, 32, 10), "rounds": 1, "samples": 1024}
    else:
        kw = {"sizes": (784, 1024, 1024, 10), "rounds": rounds, "samples": 4096}
    include = () if args.smoke else ("PyTorch",)
    res = mlp.run_mlp(x, y, batch_size=512, source=source, threads=args.threads_int,
                      include=include, rtol=1e-3, **kw)
    sizes = "-".join(map(str, res.config["sizes"]))
    _mlp_table(args, res, f"Compute-bound MLP {sizes}, batch 512, SGD lr 0.1, float32, "
               f"{res.config['samples']} digits per epoch (seconds per step)", out)
    hand, ours = res.stats[mlp.HandNumpy.name], res.stats[mlp.Ours.name]
    same = res.mismatches[mlp.Ours.name] is None
    ratio = ours.min / hand.min
    targets.append(Target(f"1. MLP {sizes} batch 512: autograd-lite / hand NumPy",
                          _ratios(ours, hand), "<= 1.05x",
                          ratio <= 1.05 and same, "ratio of minimums, same losses"))


def run_memory(args, targets, out):
    res = memory.run_memory(args.data_dir, digits=1024 if args.smoke else 8000)
    hand, ours = res["hand"]["peak"], res["ours"]["peak"]
    out("\n## Peak memory of one MLP epoch (784-128-64-10, batch 128; tracemalloc, each system "
        "in its own process, weights + activations + gradients + temporaries)\n")
    out(table(["system", "peak", "ratio"],
              [["hand NumPy", f"{hand / 2**20:.2f} MiB", "1.00x"],
               ["autograd-lite", f"{ours / 2**20:.2f} MiB", f"{ours / hand:.2f}x"]]))
    targets.append(Target("3. peak memory of the MLP epoch / hand NumPy's", f"{ours / hand:.2f}x",
                          "<= 1.25x", ours / hand <= 1.25, "tracemalloc peak"))


def run_cycles(args, targets, out, x, y):
    freed, found = mlp.graph_is_acyclic_mlp(x, y)
    ok = freed and not found
    out(f"\nNo reference cycles (Tensor MLP loss graph, gc off, dropped before and after "
        f"backward): {'OK' if ok else 'FAIL'} (interior tensor freed: {freed}; gc.collect() "
        f"found {found} unreachable objects)")
    targets.append(Target("2. Tensor graph freed by reference counting alone",
                          "freed" if ok else f"not freed ({found} in cycles)", "freed", ok,
                          "weakref + gc.collect() with gc off"))


def run_conv(args, targets, out):
    """Exercise 5's LeNet, one SGD step at batch 64: time, losses, and peak memory."""
    samples = 32 if args.smoke else 640
    rounds = 1 if args.smoke else (args.rounds or (3 if args.quick else 8))
    batch = 8 if args.smoke else 64
    x, y, source = mlp.load_digits(args.data_dir, n=max(samples, 64))
    res = conv.run_conv(x, y, batch_size=batch, rounds=rounds, samples=samples,
                        threads=args.threads_int)
    out(f"\n## LeNet CNN (exercise 5's conv-pool-conv-pool-dense-dense), batch {batch}, SGD, "
        f"float32 (seconds per step)\n")
    out(f"data: {source}; {res.steps} steps per epoch, {rounds} timed epochs per system after "
        f"1 warm-up epoch, round-robin; ours runs exercise 5's build_cnn() (nn.Conv2d, "
        f"nn.MaxPool2d, nn.Linear) with nn.cross_entropy and nn.SGD\n")
    out(timing_table(res.stats, conv.HandNumpy.name))
    same = all(v is None for v in res.mismatches.values())
    out("\nSame losses: " + ("every system agrees with hand NumPy on every step of epoch 1 "
                             "(rtol 1e-3)" if same else f"MISMATCH {res.mismatches}"))
    hand, ours = res.stats[conv.HandNumpy.name], res.stats[conv.Ours.name]
    ratio = ours.min / hand.min
    targets.append(Target(f"5. LeNet step batch {batch}: autograd-lite / hand NumPy",
                          _ratios(ours, hand), "<= 1.25x", ratio <= 1.25 and same,
                          "ratio of minimums, same losses"))
    if conv.Torch.name in res.stats:
        torch_ratio = ours.min / res.stats[conv.Torch.name].min
        targets.append(Target(f"5. LeNet step: autograd-lite / PyTorch (reported, no target)",
                              f"{torch_ratio:.2f}x", "-", True, "ratio of minimums"))
    peaks = {s: conv.measure_in_subprocess(s, args.data_dir, samples=samples)["peak"]
             for s in ("hand", "ours")}
    out(f"\nPeak memory of a {samples}-digit epoch (tracemalloc, each system in its own "
        f"process):\n")
    out(table(["system", "peak", "ratio"],
              [["hand NumPy", f"{peaks['hand'] / 2**20:.2f} MiB", "1.00x"],
               ["autograd-lite", f"{peaks['ours'] / 2**20:.2f} MiB",
                f"{peaks['ours'] / peaks['hand']:.2f}x"]]))
    mem = peaks["ours"] / peaks["hand"]
    targets.append(Target("5. peak memory of the LeNet epoch / hand NumPy's", f"{mem:.2f}x",
                          "<= 1.5x", mem <= 1.5, "tracemalloc peak"))


def run_plot(args, out, x, y):
    batch_sizes = (16, 32, 64, 128, 256, 512, 1024)
    if args.smoke:
        batch_sizes = (16, 64)
    rounds = args.rounds or (2 if args.quick or args.smoke else 5)
    sweep = mlp.step_time_vs_batch(x, y, batch_sizes, rounds=rounds,
                                   sizes=(784, 16, 10) if args.smoke else (784, 128, 64, 10))
    hand, ours = sweep[mlp.HandNumpy.name], sweep[mlp.Ours.name]
    out("\n## Step time against batch size (MLP 784-128-64-10, seconds per step, minimum over interleaved epochs)\n")
    out(table(["batch", "hand NumPy", "autograd-lite", "ratio"],
              [[str(b), fmt_time(h), fmt_time(o), f"{o / h:.2f}x"]
               for b, h, o in zip(batch_sizes, hand, ours)]))
    save_plot(args.plot, batch_sizes, sweep)
    out(f"\nplot saved to {args.plot}")


def save_plot(path, batch_sizes, sweep):
    """Step time (ms) against batch size, log-log, one line per system."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SystemExit("--plot needs matplotlib: pip install 'autograd-lite[bench]'") from None
    fig, (ax, ax_ratio) = plt.subplots(2, 1, figsize=(6.4, 6.0), sharex=True,
                                       gridspec_kw={"height_ratios": [3, 1.3]})
    for name, times in sweep.items():
        ax.plot(batch_sizes, [t * 1e3 for t in times], marker="o", label=name)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    plain = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(plain)
    ax.set_ylabel("time per SGD step (ms)")
    ax.set_title("MLP 784-128-64-10 on MNIST, float32, SGD (min over epochs)")
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    ratio = [o / h for o, h in zip(sweep[mlp.Ours.name], sweep[mlp.HandNumpy.name])]
    ax_ratio.plot(batch_sizes, ratio, marker="o", color="C1")
    ax_ratio.axhline(1.0, color="gray", lw=0.8)
    ax_ratio.set_ylabel("autograd-lite /\nhand NumPy")
    ax_ratio.set_xlabel("batch size")
    ax_ratio.set_xticks(batch_sizes, [str(b) for b in batch_sizes])
    ax_ratio.grid(True, alpha=0.3)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


START_MARK, END_MARK = "<!-- benchmark results -->", "<!-- end of results -->"


SUMMARY_START, SUMMARY_END = "<!-- summary -->", "<!-- end of summary -->"


def _replace_between(text, start, end, body):
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return head + start + "\n" + body.strip() + "\n" + end + tail


def update_docs(path, lines, targets=()):
    """Replace the text between the two marker lines of `path` by the report `lines`, with
    its headings demoted one level; and the text between the summary markers, if the page
    has them, by the table of targets."""
    text = Path(path).read_text()
    if targets and SUMMARY_START in text and SUMMARY_END in text:
        rows = [[t.name, t.measured, t.limit, "yes" if t.passed else "NO"]
                for t in targets]
        text = _replace_between(text, SUMMARY_START, SUMMARY_END,
                                table(["target (issue)", "measured", "limit", "holds"], rows))
    if START_MARK not in text or END_MARK not in text:
        raise SystemExit(f"--update-docs: {path} has no '{START_MARK}' ... '{END_MARK}' lines")
    body = []
    for line in "\n".join(lines).splitlines():
        if line.startswith("# "):  # the report's title: the page has its own
            continue
        if line.startswith("#"):
            line = "#" + line
        elif line.startswith(("machine:", "Python ", "BLAS threads:", "autograd-lite commit:",
                              "clock:")):
            line = "- " + line
        body.append(line)
    Path(path).write_text(_replace_between(text, START_MARK, END_MARK, "\n".join(body)))


def main(argv=None, out=print):
    """Run the chosen workloads; print the tables and the targets. Returns the targets."""
    args = parse_args(argv)
    if args.update_docs:
        report, printer = [], out

        def out(line=""):
            report.append(str(line))
            printer(line)

    args.threads_int = None if args.threads == "default" else int(args.threads)
    start = time.perf_counter()
    use_cpu_clock(args.threads_int == 1 and not args.wall_clock)
    if args.threads_int is None:
        threads_note = "the libraries' default"
    elif blas_threads() == str(args.threads_int):
        threads_note = (f"{args.threads_int} (OPENBLAS/OMP/MKL_NUM_THREADS, "
                        f"torch.set_num_threads({args.threads_int}))")
    else:
        threads_note = (f"NumPy's default ({blas_threads()}): the BLAS thread count is set "
                        f"only by `python -m benchmarks`; torch.set_num_threads("
                        f"{args.threads_int})")
    out("# autograd-lite benchmarks" + (" (quick)" if args.quick else "") +
        (" (smoke: tiny sizes, targets not meaningful)" if args.smoke else ""))
    for line in machine_lines(threads_note):
        out(line)
    out(f"clock: {clock_name()}")
    targets = []
    # micrograd first: it runs before PyTorch is imported, whose many objects would make
    # every garbage collection (and so micrograd with gc on) slower.
    if "micrograd" in args.workloads:
        run_micrograd(args, targets, out)
    if "chain" in args.workloads:
        run_chain(args, targets, out)
    needs_data = {"mlp", "big", "cycles"} & set(args.workloads) or args.plot
    if needs_data:
        x, y, source = mlp.load_digits(args.data_dir, n=1024 if args.smoke else 8000)
        if source.startswith("synthetic"):
            out(f"\nNOTE: {source}")
    if "mlp" in args.workloads:
        run_mlp(args, targets, out, x, y, source)
    if "big" in args.workloads:
        run_big(args, targets, out, x, y, source)
    if "memory" in args.workloads:
        run_memory(args, targets, out)
    if "cycles" in args.workloads:
        run_cycles(args, targets, out, x, y)
    if "conv" in args.workloads:
        run_conv(args, targets, out)
    if args.plot:
        run_plot(args, out, x, y)
    targets.sort(key=lambda t: t.name.split(".")[0])  # stable: issue order, then run order
    out("\n## Targets\n")
    out(targets_table(targets))
    passed = sum(t.passed for t in targets)
    out(f"\n{passed} of {len(targets)} targets hold; total time "
        f"{time.perf_counter() - start:.0f} s")
    if args.update_docs:
        update_docs(args.update_docs, report, targets)
    return targets


