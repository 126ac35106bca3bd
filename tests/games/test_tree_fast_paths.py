"""Fast paths of tree games: integer constant-sum check, memoised node labels, cached sequences."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from gametheory.games.tree_builder import from_nested
from gametheory.games.tree_structure import own_sequences


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
