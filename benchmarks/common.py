"""Timing, thread control, loss checks and table printing shared by the workloads."""

import gc
import math
import os
import statistics
import time

# Environment variables read by the BLAS libraries NumPy and PyTorch may use; they must be
# set before NumPy is first imported, which is why `__main__` calls `set_blas_threads` early.
BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def set_blas_threads(n):
    """Ask every BLAS to use `n` threads (effective only before NumPy is imported)."""
    for var in BLAS_THREAD_VARS:
        os.environ[var] = str(n)


def blas_threads():
    """The BLAS thread setting in force, as text for the report ("1", "default")."""
    return os.environ.get("OPENBLAS_NUM_THREADS", "default")


# The clock of every timing. With one BLAS thread all the work runs in this process, and its
# CPU time ignores the moments other processes on a shared machine hold the core; with more
# threads, or when asked, it is the wall clock.
_clock = time.perf_counter
_clock_name = "wall clock (time.perf_counter)"


def use_cpu_clock(cpu):
    """Time with this process's CPU time (True) or the wall clock (False)."""
    global _clock, _clock_name
    if cpu:
        _clock, _clock_name = time.process_time, "process CPU time (time.process_time)"
    else:
        _clock, _clock_name = time.perf_counter, "wall clock (time.perf_counter)"


def clock_name():
    return _clock_name


def now():
    """The current reading of the benchmark clock, in seconds."""
    return _clock()


class Stats:
    """Median, minimum and maximum of a list of timings (seconds)."""

    __slots__ = ("max", "median", "min", "times")

    def __init__(self, times):
        self.times = list(times)
        self.median = statistics.median(self.times)
        self.min = min(self.times)
        self.max = max(self.times)


def interleaved(runners, rounds, warmup=1):
    """Time `runners` (name -> callable returning elapsed seconds) round-robin.

    Round k runs every system once, in turn, so that a slow spell of the machine hits all
    of them alike. `warmup` rounds are run first and discarded. Returns name -> Stats.
    """
    times = {name: [] for name in runners}
    for r in range(warmup + rounds):
        for name, run in runners.items():
            elapsed = run(r)
            if r >= warmup:
                times[name].append(elapsed)
    return {name: Stats(t) for name, t in times.items()}


def timed(fn, *args):
    """Run `fn(*args)` once; return (seconds, result)."""
    start = now()
    result = fn(*args)
    return now() - start, result


class gc_state:
    """Context manager that turns Python's cyclic garbage collector on or off, then restores it."""

    def __init__(self, enabled):
        self.enabled = enabled

    def __enter__(self):
        self.was = gc.isenabled()
        gc.collect()
        (gc.enable if self.enabled else gc.disable)()
        return self

    def __exit__(self, *exc):
        (gc.enable if self.was else gc.disable)()
        return False


def losses_agree(reference, other, rtol):
    """Index of the first loss in `other` differing from `reference` by more than `rtol`
    (relative), or None when all agree. A length mismatch or a NaN counts as a difference.
    """
    if len(reference) != len(other):
        return min(len(reference), len(other))
    for i, (a, b) in enumerate(zip(reference, other)):
        if not (math.isfinite(a) and math.isfinite(b)) or abs(a - b) > rtol * max(abs(a), 1e-12):
            return i
    return None


def fmt_time(seconds):
    """A duration with a readable unit: 812 us, 1.23 ms, 4.56 s."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def table(headers, rows):
    """Format rows (lists of strings) under headers as a Markdown table, columns aligned."""
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]

    def line(cells):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), sep] + [line(r) for r in rows])


def paired_ratio(stats, reference):
    """Median over rounds of (this system's time / the reference's time in the same round).

    Rounds are interleaved, so both times of a pair saw the same state of the machine.
    """
    return statistics.median(a / b for a, b in zip(stats.times, reference.times))


def timing_table(stats, reference, unit="per step"):
    """Table of median/min/max per system with three ratios to `reference`: of medians, of
    minimums, and the median of per-round ratios ("paired")."""
    ref = stats.get(reference)
    rows = []
    for name, s in stats.items():
        if ref is not None:
            ratios = [f"{s.median / ref.median:.2f}x", f"{s.min / ref.min:.2f}x",
                      f"{paired_ratio(s, ref):.2f}x"]
        else:
            ratios = ["-", "-", "-"]
        rows.append([name, fmt_time(s.median), fmt_time(s.min), fmt_time(s.max)] + ratios)
    headers = ["system", f"median {unit}", "min", "max", "ratio of medians",
               "ratio of minimums", "paired ratio"]
    return table(headers, rows) + f"\n\n(ratios to {reference}, same run)"


class Target:
    """One target of the issue: a description, the measured value, the limit, pass or fail."""

    def __init__(self, name, measured, limit, passed, how=""):
        self.name, self.measured, self.limit, self.passed, self.how = (
            name, measured, limit, passed, how)

    def row(self):
        return [self.name, self.measured, self.limit, "PASS" if self.passed else "FAIL", self.how]


def targets_table(targets):
    return table(["target", "measured", "limit", "result", "how measured"],
                 [t.row() for t in targets])
