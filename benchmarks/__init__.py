"""Benchmarks: autograd-lite against hand-written NumPy (the floor) and its peers.

Run ``python -m benchmarks`` from the repository root (``--help`` for the options). Nothing
here is imported by the library, and this package imports no NumPy at import time, so
``python -m benchmarks --threads 1`` can set the BLAS thread count before NumPy loads.
"""
