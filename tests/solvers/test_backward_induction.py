"""backward-induction: pure subgame-perfect equilibria of perfect-information trees."""

from __future__ import annotations

import json
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.exceptions import InvalidOptionError, MethodNotApplicableError
from gametheory.games.extensive import ExtensiveFormGame
from gametheory.games.tree_builder import from_nested
from gametheory.solvers.backward_induction import induction_pass
from gametheory.solvers.result import SolveResult

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tree_cases as tc

SEEDS = st.integers(0, 10**6)


def _choices(eq: gt.Equilibrium) -> dict[str, str]:
    """``{infoset: action}`` of a pure behaviour equilibrium."""
    out = {}
    for _, sets in eq.behavior:
        for h, acts in sets:
            chosen = [a for a, p in acts if p == 1.0]
            assert len(chosen) == 1 and all(p in (0.0, 1.0) for _, p in acts)
            out[h] = chosen[0]
    return out


def test_entry_deterrence() -> None:
    res = gt.solve(tc.entry_deterrence(), method="backward-induction")
    assert res.ok and res.complete and len(res) == 1
    eq = res[0]
    assert _choices(eq) == {"E": "in", "I": "accommodate"}
    assert eq.payoffs == {"Entrant": 1.0, "Incumbent": 1.0}
    assert eq.path == (("in/accommodate", 1.0),)
    assert eq.is_pure and eq.support_label() == "pure behaviour"
    data = res.to_dict()
    assert data["game"]["form"] == "extensive"
    assert data["equilibria"][0]["behavior"] == {
        "Entrant": {"E": {"out": 0.0, "in": 1.0}},
        "Incumbent": {"I": {"fight": 0.0, "accommodate": 1.0}},
    }
    assert data["equilibria"][0]["path"] == {"in/accommodate": 1.0}
    assert "strategies" not in data["equilibria"][0]
    back = SolveResult.from_dict(json.loads(json.dumps(data)))
    assert back.equilibria[0].behavior == eq.behavior
    assert back.equilibria[0].path == eq.path
    assert res.verify()


def test_centipede_unravels() -> None:
    res = gt.solve(tc.centipede(40), method="backward-induction")
    assert res.complete and len(res) == 1
    assert set(_choices(res[0]).values()) == {"take"}
    assert res[0].path == (("take", 1.0),)


def test_ties_all_first_and_cap() -> None:
    # at the last stage Ann is indifferent (3 vs 3): two subgame-perfect equilibria
    g = from_nested(
        {
            "player": "Ann",
            "infoset": "a1",
            "actions": {
                "take": [1, 0],
                "pass": {
                    "player": "Bob",
                    "infoset": "b1",
                    "actions": {
                        "take": [0, 2],
                        "pass": {
                            "player": "Ann",
                            "infoset": "a2",
                            "actions": {"take": [3, 1], "pass": [3, 3]},
                        },
                    },
                },
            },
        },
        players=["Ann", "Bob"],
    )
    res = gt.solve(g, method="backward-induction")
    assert res.complete and res.stats["tied_nodes"] == 1
    assert sorted(tuple(sorted(_choices(e).items())) for e in res) == [
        (("a1", "pass"), ("a2", "pass"), ("b1", "pass")),
        (("a1", "take"), ("a2", "take"), ("b1", "take")),
    ]
    first = gt.solve(g, method="backward-induction", ties="first")
    assert len(first) == 1 and not first.complete
    assert "indifferent at 1 decision node" in first[0].notes[0]
    # every terminal ties for everyone: 2 * 2 * 2 = 8 equilibria, capped at 5
    flat = from_nested(
        {
            "player": "Ann",
            "infoset": "r",
            "actions": {
                "l": {"player": "Bob", "infoset": "x", "actions": {"u": [0, 0], "d": [0, 0]}},
                "r": {"player": "Bob", "infoset": "y", "actions": {"u": [0, 0], "d": [0, 0]}},
            },
        },
        players=["Ann", "Bob"],
    )
    assert len(gt.solve(flat, method="backward-induction")) == 8
    capped = gt.solve(flat, method="backward-induction", max_equilibria=5)
    assert len(capped) == 5 and not capped.complete
    assert "truncated" in capped[0].notes[0]


def test_chance_and_exact_certification() -> None:
    g = from_nested(
        {
            "chance": {
                "h": (
                    Fraction(1, 3),
                    {"player": "A", "infoset": "H", "actions": {"x": [3, 0], "y": [1, 5]}},
                ),
                "t": (
                    Fraction(2, 3),
                    {"player": "B", "infoset": "T", "actions": {"u": [0, 1], "v": [9, 2]}},
                ),
            }
        },
        players=["A", "B"],
    )
    res = gt.solve(g, method="backward-induction", exact=True)
    eq = res[0]
    assert _choices(eq) == {"H": "x", "T": "v"}
    assert eq.exact and eq.exact_payoff_values == (Fraction(1) + 6, Fraction(4, 3))
    assert dict(eq.path) == pytest.approx({"h/x": 1 / 3, "t/v": 2 / 3})
    assert res.to_dict()["equilibria"][0]["exact"]["B"]["T"] == {"u": "0", "v": "1"}


def test_refuses_imperfect_information_and_bad_options() -> None:
    with pytest.raises(MethodNotApplicableError, match="information set '3' of 3 has 2 nodes"):
        gt.solve(tc.selten_horse(), method="backward-induction")
    with pytest.raises(InvalidOptionError, match="ties must be 'all' or 'first'"):
        gt.solve(tc.entry_deterrence(), method="backward-induction", ties="some")
    with pytest.raises(InvalidOptionError, match="max_equilibria must be a positive integer"):
        gt.solve(tc.entry_deterrence(), method="backward-induction", max_equilibria=0)
    names = [m.name for m in gt.methods(tc.entry_deterrence())]
    assert "backward-induction" in names and "correlated" not in names
    assert "backward-induction" not in [
        m.name for m in gt.methods(gt.NormalFormGame.bimatrix([[1]], [[1]]))
    ]


@settings(max_examples=25, deadline=None)
@given(SEEDS, st.integers(1, 3))
def test_random_trees_match_reference_and_pygambit(seed: int, n_players: int) -> None:
    spec = tc.random_spec(seed, depth=4, n_players=n_players, payoff_range=4)
    players = list(tc.PLAYERS[:n_players])
    g = from_nested(spec, players=players)
    res = gt.solve(g, method="backward-induction")
    reference = tc.all_spe(spec, players)
    assert res.ok and res.complete
    ours = sorted(tuple(sorted(_choices(e).items())) for e in res)
    assert ours == sorted(tuple(sorted(c.items())) for _, c in reference)
    values = {tuple(sorted(c.items())): v for v, c in reference}
    ggame = tc.to_pygambit(g)
    for eq in res:
        ref = values[tuple(sorted(_choices(eq).items()))]
        assert eq.payoff_values == pytest.approx([float(x) for x in ref])
    for eq in res.equilibria[:1]:  # pygambit's regret is slow: check one per tree
        prof = tc.gambit_behavior(ggame, eq.behavior_strategies)
        assert prof.max_regret() == 0  # a Nash equilibrium in pygambit too
        assert [float(prof.payoff(p)) for p in ggame.players] == pytest.approx(eq.payoff_values)


@settings(max_examples=30, deadline=None)
@given(SEEDS)
def test_vectorised_pass_matches_recursion_on_float_trees(seed: int) -> None:
    spec = tc.random_spec(seed, depth=6, n_players=3, floats=True, payoff_range=10)
    players = list(tc.PLAYERS)
    g = from_nested(spec, players=players)
    values, _, tied = induction_pass(g, g.tolerance())
    refs = tc.all_spe(spec, players)
    assert any(np.allclose(values[0], [float(x) for x in ref], atol=1e-9) for ref, _ in refs)
    assert tied.any() or len(refs) == 1


def test_large_random_tree_from_arrays() -> None:
    rng = np.random.default_rng(7)
    n_inner = 20_000
    counts = rng.integers(2, 4, size=n_inner)
    parent = np.r_[-1, np.repeat(np.arange(n_inner), counts)][: 2 * n_inner]
    n = parent.size
    mover = rng.integers(0, 2, size=n)
    terminal = np.bincount(parent[1:], minlength=n) == 0
    g = ExtensiveFormGame.from_arrays(parent, mover, rng.random((int(terminal.sum()), 2)))
    res = gt.solve(g, method="backward-induction")
    assert res.ok and len(res) == 1 and res[0].regret == 0.0
    values, _, _ = induction_pass(g, g.tolerance())
    assert res[0].payoff_values == pytest.approx(values[0])
    # the root value by a plain recursion over the same arrays
    pay = g.float_payoffs()
    tpos = np.cumsum(g.node_kind == 0) - 1

    def value(v: int) -> np.ndarray:
        if g.node_kind[v] == 0:
            return pay[tpos[v]]
        kids = [
            value(int(c))
            for c in range(int(g.first_child[v]), int(g.first_child[v] + g.num_children[v]))
        ]
        return max(kids, key=lambda x: x[g.node_player[v]])

    sys.setrecursionlimit(10_000)
    assert value(0) == pytest.approx(values[0])
