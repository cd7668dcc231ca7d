"""`python -m benchmarks`: set the BLAS thread count, then run the benchmarks.

The thread count must be in the environment before NumPy is first imported, so this
module reads `--threads` itself (default 1) before importing anything that imports NumPy.
"""

import sys

from .common import set_blas_threads


def _threads_from_argv(argv):
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return "1"


if __name__ == "__main__":
    threads = _threads_from_argv(sys.argv[1:])
    if threads != "default":
        set_blas_threads(threads)
    from .run import main

    main(sys.argv[1:])
