"""Benchmark suite: our solvers against nashpy, pygambit and quantecon on seeded games.

Run with ``python -m benchmarks`` (see :mod:`benchmarks.run`); not part of the
test command.
"""
