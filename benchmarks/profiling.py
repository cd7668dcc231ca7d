"""Profile autograd-lite on a benchmark workload, to find where its overhead goes.

``python -m benchmarks.profiling mlp --batch 8`` profiles the MLP training step (a small
batch makes the Python overhead stand out against the BLAS time); ``... micrograd`` profiles
micrograd's demo step with `Value`. pyinstrument's call tree is printed when it is
installed (``pip install pyinstrument``), else cProfile's table sorted by own time.
"""

import argparse
import os


def _workload(name, batch, steps):
    """A function running `steps` steps of the workload, warmed up once."""
    if name == "mlp":
        from .mlp import Ours, epoch_batches, init_weights, load_digits

        x, y, _ = load_digits()
        model = Ours(init_weights((784, 128, 64, 10)), 0.1)
        batches = [model.prepare(xb, yb)
                   for xb, yb in epoch_batches(x, y, batch, 0, samples=batch * steps)]

        def run():
            for b in batches:
                model.step(b)
    else:
        from autograd_lite import Value

        from .micrograd_demo import initial_weights, make_moons, our_model, value_step

        X, y = make_moons()
        model = our_model(initial_weights())
        params = model.parameters()

        def run():
            for k in range(steps):
                value_step(model, params, X, y, Value, k)
    run()
    return run


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profiling",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=("mlp", "micrograd", "demo"),
                        help="micrograd (or demo): micrograd's demo step with Value")
    parser.add_argument("--batch", type=int, default=128, help="MLP batch size (default 128)")
    parser.add_argument("--steps", type=int, default=None,
                        help="steps to profile (default: 200 MLP steps, 3 demo steps)")
    parser.add_argument("--cprofile", action="store_true", help="use cProfile even if "
                        "pyinstrument is installed")
    args = parser.parse_args(argv)
    steps = args.steps or (200 if args.workload == "mlp" else 3)
    run = _workload(args.workload, args.batch, steps)
    try:
        if args.cprofile:
            raise ImportError
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(run)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    profiler = Profiler(interval=0.0005)
    profiler.start()
    run()
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False))


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    main()
