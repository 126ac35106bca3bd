"""Two-player enumeration (vertex and support): textbook games, pygambit, nashpy, properties."""

from __future__ import annotations

import warnings
from fractions import Fraction

import nashpy
import numpy as np
import pygambit
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gametheory as gt

ENUMERATORS = ("vertex-enumeration", "support-enumeration")


def game(A, B) -> gt.NormalFormGame:
    return gt.NormalFormGame.bimatrix(np.asarray(A), np.asarray(B))


def profile_set(result: gt.SolveResult, digits: int = 7) -> set[tuple[float, ...]]:
    return {
        tuple(round(p, digits) + 0.0 for v in eq.probabilities for p in v)
        for eq in result.equilibria
    }


def gambit_set(A, B, digits: int = 7) -> set[tuple[float, ...]]:
    """Extreme equilibria from pygambit's exact enumeration (the reference)."""
    g = pygambit.Game.from_arrays(
        np.asarray(A, dtype=int).tolist(), np.asarray(B, dtype=int).tolist()
    )
    out = set()
    for eq in pygambit.nash.enummixed_solve(g, rational=True).equilibria:
        probs = []
        for player in g.players:
            probs.extend(round(float(eq[s]), digits) + 0.0 for s in player.strategies)
        out.add(tuple(probs))
    return out


def nashpy_set(A, B, method: str, digits: int = 7) -> set[tuple[float, ...]]:
    nash_game = nashpy.Game(np.asarray(A, float), np.asarray(B, float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = list(getattr(nash_game, method)())
    return {tuple(round(float(p), digits) + 0.0 for p in np.concatenate([x, y])) for x, y in found}


# --------------------------------------------------------------------- textbook games
TEXTBOOK = {
    # name: (A, B, equilibria as (row probabilities, column probabilities))
    "prisoners-dilemma": ([[3, 0], [5, 1]], [[3, 5], [0, 1]], [((0, 1), (0, 1))]),
    "matching-pennies": (
        [[1, -1], [-1, 1]],
        [[-1, 1], [1, -1]],
        [((Fraction(1, 2),) * 2, (Fraction(1, 2),) * 2)],
    ),
    "battle-of-the-sexes": (
        [[3, 0], [0, 2]],
        [[2, 0], [0, 3]],
        # mixed: row makes column indifferent: 2p = 3(1-p) -> p = 3/5;
        # column makes row indifferent: 3q = 2(1-q) -> q = 2/5
        [
            ((1, 0), (1, 0)),
            ((0, 1), (0, 1)),
            ((Fraction(3, 5), Fraction(2, 5)), (Fraction(2, 5), Fraction(3, 5))),
        ],
    ),
    "rock-paper-scissors": (
        [[0, -1, 1], [1, 0, -1], [-1, 1, 0]],
        [[0, 1, -1], [-1, 0, 1], [1, -1, 0]],
        [((Fraction(1, 3),) * 3, (Fraction(1, 3),) * 3)],
    ),
}


@pytest.mark.parametrize("method", ENUMERATORS)
@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_textbook_games_exactly(method, name):
    A, B, expected = TEXTBOOK[name]
    res = gt.solve(game(A, B), method, exact=True)
    assert res.status == "ok" and res.complete
    found = {tuple(tuple(v) for v in eq.exact_probabilities) for eq in res.equilibria}
    want = {tuple(tuple(Fraction(p) for p in v) for v in eq) for eq in expected}
    assert found == want
    g = game(A, B)
    for eq in res.equilibria:
        assert eq.regret == 0.0
        assert (
            g.regret([np.array(v, dtype=object) for v in eq.exact_probabilities], exact=True) == 0
        )


def test_degenerate_game_with_a_continuum_of_equilibria():
    # Column is indifferent everywhere; Row's first strategy is weakly dominant.
    # Equilibria: Row plays s1 and Column anything with q(s1) >= 0 ... row indifferent only
    # when Column plays s2?  Row payoffs [[1, 1], [0, 1]]: s1 is a best response to every
    # column mix; s2 only when Column plays s2.  So the equilibrium set is
    # {(s1, any y)} union {(any x, s2)}: extreme equilibria (s1,s1), (s1,s2), (s2,s2).
    A = [[1, 1], [0, 1]]
    B = [[1, 1], [1, 1]]
    res = gt.solve(game(A, B), "vertex-enumeration", exact=True)
    assert res.complete
    found = {tuple(tuple(v) for v in eq.exact_probabilities) for eq in res.equilibria}
    one, zero = Fraction(1), Fraction(0)
    assert found == {
        ((one, zero), (one, zero)),
        ((one, zero), (zero, one)),
        ((zero, one), (zero, one)),
    }
    assert profile_set(res) == gambit_set(A, B)


def test_support_enumeration_reports_incomplete_on_degenerate_games():
    res = gt.solve(game([[1, 1], [0, 1]], [[1, 1], [1, 1]]), "support-enumeration")
    assert res.status == "ok"
    assert res.complete is False
    assert all(e.regret <= 1e-9 for e in res.equilibria)


# --------------------------------------------------------------------- the reference oracle
@pytest.mark.parametrize(("n", "seed"), [(4, 0), (5, 1), (6, 2), (7, 3)])
def test_random_games_match_pygambit_exactly(n, seed):
    rng = np.random.default_rng(seed)
    A = rng.integers(0, 100, size=(n, n))
    B = rng.integers(0, 100, size=(n, n))
    reference = gambit_set(A, B)
    for method in ENUMERATORS:
        res = gt.solve(game(A, B), method)
        assert profile_set(res) == reference, method


def test_degenerate_random_games_match_pygambit():
    rng = np.random.default_rng(11)
    for _ in range(6):
        A = rng.integers(0, 3, size=(4, 4))
        B = rng.integers(0, 3, size=(4, 4))
        res = gt.solve(game(A, B), "vertex-enumeration")
        assert res.complete
        assert profile_set(res) == gambit_set(A, B)


def test_nashpy_support_enumeration_misses_equilibria_we_find():
    """At its default tolerance nashpy drops real equilibria of random 8x8 games."""
    missed_somewhere = False
    for seed in range(12):
        rng = np.random.default_rng(seed)
        A = rng.integers(0, 1000, size=(8, 8))
        B = rng.integers(0, 1000, size=(8, 8))
        ours = profile_set(gt.solve(game(A, B), "vertex-enumeration"), digits=6)
        theirs = nashpy_set(A, B, "support_enumeration", digits=6)
        assert ours == gambit_set(A, B, digits=6)
        assert theirs <= ours
        if theirs < ours:
            missed_somewhere = True
            break
    assert missed_somewhere


def test_nashpy_vertex_enumeration_fails_where_we_do_not():
    """A degenerate game on which nashpy's vertex enumeration returns no equilibrium at all."""
    A = np.array([[0, 2], [0, 0]])
    B = np.array([[0, 0], [2, 0]])
    ours = profile_set(gt.solve(game(A, B), "vertex-enumeration"))
    reference = gambit_set(A, B)
    assert ours == reference
    assert ours  # every finite game has an equilibrium
    assert nashpy_set(A, B, "vertex_enumeration") == set()


# --------------------------------------------------------------------- properties
def random_game(seed: int, m: int, n: int, integers: bool = False) -> gt.NormalFormGame:
    rng = np.random.default_rng(seed)
    if integers:
        return game(rng.integers(-5, 6, size=(m, n)), rng.integers(-5, 6, size=(m, n)))
    return game(rng.normal(size=(m, n)), rng.normal(size=(m, n)))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 5), n=st.integers(1, 5))
def test_methods_agree_on_generic_games(seed, m, n):
    g = random_game(seed, m, n)
    results = {method: gt.solve(g, method) for method in ENUMERATORS}
    for method, res in results.items():
        assert res.status == "ok", method
        assert all(eq.regret <= g.tolerance() for eq in res.equilibria)
        assert len(res.equilibria) % 2 == 1  # generic games have an odd number
    assert profile_set(results["vertex-enumeration"]) == profile_set(results["support-enumeration"])
    lh = gt.solve(g, "lemke-howson", all_labels=True)
    assert profile_set(lh) <= profile_set(results["vertex-enumeration"])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 4), n=st.integers(1, 4))
def test_every_equilibrium_certifies_on_integer_games(seed, m, n):
    g = random_game(seed, m, n, integers=True)
    res = gt.solve(g, "vertex-enumeration", exact=True)
    assert res.complete and res.equilibria
    for eq in res.equilibria:
        assert eq.exact, eq.notes
        assert (
            g.regret([np.array(v, dtype=object) for v in eq.exact_probabilities], exact=True) == 0
        )


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    scale=st.floats(0.1, 10),
    shift=st.floats(-5, 5),
)
def test_invariant_to_relabelling_and_affine_transforms(seed, scale, shift):
    g = random_game(seed, 4, 3)
    A, B = g.float_payoffs()
    rng = np.random.default_rng(seed)
    rows, cols = rng.permutation(4), rng.permutation(3)
    base = profile_set(gt.solve(g, "vertex-enumeration"), digits=6)
    moved = gt.solve(
        game(scale * A[rows][:, cols] + shift, 2 * scale * B[rows][:, cols] - shift),
        "vertex-enumeration",
    )
    back = set()
    for eq in moved.equilibria:
        x = np.empty(4)
        y = np.empty(3)
        x[rows] = eq.probabilities[0]
        y[cols] = eq.probabilities[1]
        back.add(tuple(round(float(p), 6) + 0.0 for p in np.concatenate([x, y])))
    assert back == base


def test_support_enumeration_budget():
    g = random_game(3, 12, 12)
    res = gt.solve(g, "support-enumeration", max_time=0.001)
    assert res.status == "budget-exhausted"
    assert not res.complete
    assert all(eq.regret <= g.tolerance() for eq in res.equilibria)
