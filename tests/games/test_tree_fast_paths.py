"""Fast paths of tree games: integer constant-sum check, memoised node labels, cached sequences,
pointer jumping for the last marked edge, one-cast float conversion."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy

from gametheory.exceptions import InvalidGameError
from gametheory.games import tree_arrays as ta
from gametheory.games import values as tv
from gametheory.games.tree_builder import from_nested
from gametheory.games.tree_structure import own_sequences

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tree_cases as tc


def _game(payoffs):
    leaves = {f"a{k}": list(p) for k, p in enumerate(payoffs)}
    return from_nested({"player": "A", "infoset": "h", "actions": leaves}, players=["A", "B"])


@pytest.mark.parametrize(
    ("payoffs", "expected"),
    [
        ([[3, -3], [5, -5], [0, 0]], True),
        ([[3, -3], [5, -4], [0, 0]], False),
        ([[2, 1], [Fraction(6, 2), 0]], True),  # integral Fraction
        ([[Fraction(1, 3), Fraction(2, 3)], [1, 0]], True),  # exact path
        ([[Fraction(1, 3), Fraction(2, 3)], [1, Fraction(1, 10**30)]], False),
        ([[2**60, -(2**60)], [2**60 + 1, -(2**60)]], False),  # too big for float sums
        ([[2**60, -(2**60)], [2**60 + 1, -(2**60) - 1]], True),
    ],
)
def test_constant_sum_fast_path_agrees_with_exact_arithmetic(payoffs, expected):
    game = _game(payoffs)
    assert game.kind == "exact"
    assert game.is_constant_sum() is expected
    totals = {sum(Fraction(v) for v in p) for p in payoffs}
    assert (len(totals) == 1) is expected


def test_node_labels_are_the_joined_action_paths():
    game = from_nested(
        {"player": "A", "infoset": "h", "actions": {
            "x": {"chance": {"c1": (Fraction(1, 2), [1, 0]), "c2": (Fraction(1, 2), {
                "player": "B", "infoset": "g", "actions": {"l": [0, 1], "r": [2, 2]}})}},
            "y": [0, 0]}},
        players=["A", "B"],
    )
    labels = sorted(game.node_label(v) for v in range(game.num_nodes))
    assert labels == sorted(["", "x", "y", "x/c1", "x/c2", "x/c2/l", "x/c2/r"])
    for v in range(game.num_nodes):
        assert game.node_label(v) == "/".join(game.node_path(v))


def test_own_sequences_are_cached_read_only():
    game = _game([[1, 2], [3, 4]])
    first = own_sequences(game, 0)
    assert own_sequences(game, 0) is first
    assert not first.flags.writeable
    assert np.array_equal(first[1:], game.edge_action[1:])


def _last_by_levels(layout, mark, value):
    """Reference for ``top_down_last``: one level at a time from the root."""
    out = np.full(mark.shape, -1, dtype=np.int64)
    ls = layout.level_start
    for d in range(1, layout.num_levels):
        lo, hi = ls[d], ls[d + 1]
        out[lo:hi] = np.where(mark[lo:hi], value[lo:hi], out[layout.parent[lo:hi]])
    return out


@pytest.mark.parametrize("seed", range(13))
def test_top_down_last_by_pointer_jumping_matches_the_level_pass(seed):
    depth = 3 + seed % 5
    game = tc.centipede(40) if seed == 12 else tc.random_game(seed, depth=depth, infosets=True)
    rng = np.random.default_rng(seed)
    assert game.num_nodes <= ta.JUMP_NODES  # the jumping branch
    for mark in (
        rng.random(game.num_nodes) < 0.3,
        np.ones(game.num_nodes, dtype=bool),  # the root's own entry is ignored
        np.zeros(game.num_nodes, dtype=bool),
    ):
        got = ta.top_down_last(game.layout, mark, game.edge_action)
        assert got.dtype == np.int64 and got[0] == -1
        np.testing.assert_array_equal(got, _last_by_levels(game.layout, mark, game.edge_action))


def test_to_float_casts_plain_numbers_at_once_and_still_refuses_symbols():
    values = np.array([1, Fraction(1, 3), 0.25, 2**70, Fraction(-(10**40) - 1, 7)], dtype=object)
    np.testing.assert_array_equal(tv.to_float(values), [float(v) for v in values])
    skip = np.array([False, True, False, True, False])
    out = tv.to_float(values, skip=skip)
    assert np.isnan(out[skip]).all()
    np.testing.assert_array_equal(out[~skip], [float(v) for v in values[~skip]])
    x = sympy.Symbol("x")
    with pytest.raises(InvalidGameError, match="symbolic value x has no numeric value"):
        tv.to_float(np.array([1, x], dtype=object))
    assert np.isnan(tv.to_float(np.array([1, x], dtype=object), skip=np.array([False, True])))[1]
