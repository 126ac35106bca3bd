"""Chunking never changes a sweep: every kernel solves each point on its own.

The default chunk size depends on the backend (a pool gets smaller chunks for
load balance), which is only sound when results are bit for bit the same for
every chunk size; these tests check that for each kernel, degenerate points
(re-solved one by one) included.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import random_parametric_game

from gametheory.analysis import sweep
from gametheory.analysis.sweep import MIN_POOL_CHUNK, default_chunk_size

FIELDS = ("point", "equilibrium", "branch", "label", "probs", "payoffs", "regret")
#: Multiples of 1/20 in [-2, 2]: exact in binary at the halves and quarters, where
#: games with integer payoffs affine in theta are often degenerate.
GRID = np.arange(-40, 41) / 20.0


def assert_same(a, b, what):
    for f in FIELDS:
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f"{what}: {f}")
    assert a.labels == b.labels
    assert a.to_csv() == b.to_csv()


@pytest.mark.parametrize(
    ("seed", "shape", "method", "kernel_text"),
    [
        (7, (3, 3, 3, 2), "auto", "pure"),
        (3, (2, 3, 2), "pure", "pure"),
        (11, (3, 3), "auto", "support enumeration vectorised"),
        (11, (5, 5), "auto", "support enumeration vectorised"),
        (4, (2, 4), "auto", "support enumeration vectorised"),
        (11, (3, 3), "vertex-enumeration", "per point"),
    ],
)
def test_every_chunk_size_gives_the_same_sweep(seed, shape, method, kernel_text):
    model, _, _ = random_parametric_game(seed, shape)
    ref = sweep(model, {"theta": GRID}, method=method)
    assert kernel_text in ref.method
    assert len(ref) > 0
    for chunk in (1, 2, 7, 40, len(GRID)):
        got = sweep(model, {"theta": GRID}, method=method, chunk_size=chunk)
        assert_same(ref, got, f"chunk {chunk}")


def test_the_degenerate_fallback_is_exercised():
    model, _, _ = random_parametric_game(11, (5, 5))
    res = sweep(model, {"theta": GRID})
    assert res.stats["degenerate_points"] > 0
    assert res.stats["fallback_method"] in ("vertex-enumeration", "support-enumeration")


def test_two_dimensional_grid_is_chunk_invariant(arms_model):
    grid = {"approval_gain": np.linspace(-1, 4, 23), "retaliation_value": [1.0, 3.0, 5.0]}
    ref = sweep(arms_model, grid)
    for chunk in (1, 5, 13):
        assert_same(ref, sweep(arms_model, grid, chunk_size=chunk), f"chunk {chunk}")


@pytest.mark.parametrize("shape", [(3, 3), (4, 4), (3, 3, 3, 3)])
def test_pool_chunks_balance_the_load(shape):
    model, _, _ = random_parametric_game(1, shape)
    game = model.game
    kernel = "pure" if len(shape) > 2 else "batched-support"
    serial = default_chunk_size(kernel, game)
    assert default_chunk_size(kernel, game, 10_000, 1) == serial
    for points, workers in ((10_000, 2), (10_000, 4), (1_000_000, 2), (600, 2)):
        pooled = default_chunk_size(kernel, game, points, workers)
        assert 1 <= pooled <= serial
        chunks = -(-points // pooled)
        # at least as many chunks as workers when points allow it, none tiny
        assert chunks >= min(workers, -(-points // serial))
        assert pooled >= min(MIN_POOL_CHUNK, serial)
    # 10,000 points on 2 workers: equal shares, at least four chunks per worker
    pooled = default_chunk_size(kernel, game, 10_000, 2)
    assert -(-10_000 // pooled) >= 8 or pooled == MIN_POOL_CHUNK
    assert default_chunk_size("per-point", game, 10_000, 2) == default_chunk_size("per-point", game)


def test_processes_with_pool_chunks_match_serial():
    model, _, _ = random_parametric_game(11, (3, 3))
    grid = {"theta": np.linspace(-2, 2, 4001)}
    serial = sweep(model, grid)
    procs = sweep(model, grid, backend="processes", workers=2)
    assert "backend processes" in procs.method
    assert_same(serial, procs, "processes")
