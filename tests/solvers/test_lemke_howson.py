"""Lemke–Howson: textbook games, unreachable equilibria, degeneracy, exact arithmetic, budgets."""

from __future__ import annotations

from fractions import Fraction

import nashpy
import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.exceptions import InvalidOptionError, MethodNotApplicableError
from gametheory.solvers.budget import Budget
from gametheory.solvers.lemke_howson import lemke_howson_path, positive_payoffs

F = Fraction


def game(A, B) -> gt.NormalFormGame:
    return gt.NormalFormGame.bimatrix(np.asarray(A), np.asarray(B))


def exact_set(result) -> set:
    """The certified equilibria of a result as hashable rational tuples."""
    assert all(e.exact for e in result.equilibria)
    return {e.exact_probabilities for e in result.equilibria}


def gambit_equilibria(A, B) -> set:
    """All extreme equilibria by pygambit's exact vertex enumeration."""
    g = gbt.Game.from_arrays(np.asarray(A, dtype=int), np.asarray(B, dtype=int))
    return {
        tuple(tuple(F(eq[p][s]) for s in p.strategies) for p in g.players)
        for eq in gbt.nash.enummixed_solve(g, rational=True).equilibria
    }


def lh(g, **options):
    return gt.solve(g, "lemke-howson", **options)


# ----------------------------------------------------------------------------- textbook games
PD = ([[3, 0], [5, 1]], [[3, 5], [0, 1]])
PENNIES = ([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
SEXES = ([[2, 0], [0, 1]], [[1, 0], [0, 2]])
RPS = ([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], [[0, 1, -1], [-1, 0, 1], [1, -1, 0]])


@pytest.mark.parametrize("arithmetic", ["float", "exact"])
@pytest.mark.parametrize(
    ("payoffs", "expected"),
    [
        (PD, {((F(0), F(1)), (F(0), F(1)))}),  # defect, defect
        (PENNIES, {((F(1, 2), F(1, 2)), (F(1, 2), F(1, 2)))}),
        (RPS, {((F(1, 3),) * 3, (F(1, 3),) * 3)}),
    ],
)
def test_textbook_games_with_a_unique_equilibrium(payoffs, expected, arithmetic):
    g = game(*payoffs)
    m, n = g.shape
    for label in range(m + n):
        res = lh(g, label=label, arithmetic=arithmetic, exact=True)
        assert res.status == "ok" and not res.complete
        assert exact_set(res) == expected
        assert res.stats["labels_tried"] == 1 and res.stats["pivots"] >= 2


def test_battle_of_the_sexes_every_label_ends_at_a_pure_equilibrium():
    g = game(*SEXES)
    pure = {((F(1), F(0)), (F(1), F(0))), ((F(0), F(1)), (F(0), F(1)))}
    ends = set()
    for label in range(4):
        res = lh(g, label=label, arithmetic="exact")
        (eq,) = res.equilibria
        assert eq.exact_probabilities in pure
        ends.add(eq.exact_probabilities)
    assert ends == pure
    union = lh(g, all_labels=True, arithmetic="exact")
    assert exact_set(union) == pure
    # the mixed equilibrium (2/3, 1/3), (1/3, 2/3) exists but no path from (0, 0) reaches it
    assert ((F(2, 3), F(1, 3)), (F(1, 3), F(2, 3))) in gambit_equilibria(*SEXES)
    assert union.stats["labels_tried"] == 4 and len(union.stats["path_lengths"]) == 4


# A symmetric 3x3 game whose Lemke-Howson paths from the artificial equilibrium all end
# at the pure equilibrium (3, 3): the two mixed equilibria are joined to each other by
# the path of every label, so no starting label reaches them.
UNREACHABLE_A = [[3, 3, 0], [4, 0, 1], [0, 4, 5]]
UNREACHABLE_B = np.asarray(UNREACHABLE_A).T.tolist()


@pytest.mark.parametrize("arithmetic", ["float", "exact"])
def test_union_over_labels_misses_equilibria_that_vertex_enumeration_finds(arithmetic):
    g = game(UNREACHABLE_A, UNREACHABLE_B)
    union = lh(g, all_labels=True, arithmetic=arithmetic, exact=True)
    assert union.status == "ok" and union.complete is False
    found = exact_set(union)
    assert found == {((F(0), F(0), F(1)), (F(0), F(0), F(1)))}
    reference = gambit_equilibria(UNREACHABLE_A, UNREACHABLE_B)
    assert len(reference) == 3 and found < reference
    missed = reference - found
    assert ((F(3, 4), F(1, 4), F(0)), (F(3, 4), F(1, 4), F(0))) in missed
    assert ((F(1, 2), F(1, 4), F(1, 4)), (F(1, 2), F(1, 4), F(1, 4))) in missed
    complete = gt.solve(g, "vertex-enumeration", exact=True)
    assert exact_set(complete) == reference
    assert complete.complete is True


# ----------------------------------------------------------------------------- degenerate games
DEGENERATE = {
    # column 3 has two pure best responses against the uniform mix of rows 1 and 2
    "zero-sum with ties": (
        [[0, -1, 1], [-1, 0, 1], [-1, 1, 0]],
        [[0, 1, -1], [1, 0, -1], [1, -1, 0]],
    ),
    "all payoffs equal": ([[0, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 0]]),
    "duplicate strategies": (
        [[1, 1, 0], [1, 1, 0], [0, 0, 2]],
        [[2, 2, 0], [2, 2, 0], [0, 0, 1]],
    ),
    "continuum of equilibria": ([[1, 1], [1, 1], [0, 2]], [[1, 0], [1, 0], [0, 1]]),
    "one row": ([[1, 2, 3]], [[3, 1, 3]]),
    "one column": ([[1], [5], [5]], [[0], [0], [1]]),
}


@pytest.mark.parametrize("name", sorted(DEGENERATE))
def test_degenerate_games_give_certified_equilibria_without_cycling(name):
    A, B = DEGENERATE[name]
    g = game(A, B)
    m, n = g.shape
    reference = gambit_equilibria(A, B)
    for label in range(m + n):
        # a generous pivot budget: a cycling path would exhaust it
        exact = lh(g, label=label, arithmetic="exact", max_iter=200)
        flt = lh(g, label=label, max_iter=200)
        for res in (exact, flt):
            assert res.status == "ok" and len(res.equilibria) == 1
            assert res.equilibria[0].regret <= g.tolerance()
        (eq,) = exact.equilibria
        assert eq.exact and g.regret([np.array(v) for v in eq.exact_probabilities], exact=True) == 0
        assert eq.exact_probabilities in reference  # a vertex pair: an extreme equilibrium
        assert exact.stats["pivots"] == flt.stats["pivots"]  # float keeps the exact path
        np.testing.assert_allclose(
            np.concatenate(flt.equilibria[0].profile), np.concatenate(eq.profile), atol=1e-12
        )


def test_lexicographic_path_never_revisits_a_vertex_pair():
    # the lexicographic rule makes each path a simple path in the degenerate game:
    # record the pair of bases (one per polytope) after every pivot
    from gametheory.solvers import pivoting

    bases: dict[int, tuple[int, ...]] = {}
    seen: list[tuple] = []
    original = pivoting.Tableau.pivot

    def recording_pivot(self, row, var):
        out = original(self, row, var)
        bases[id(self)] = tuple(sorted(self.basis))
        seen.append(tuple(sorted(bases.items())))
        return out

    A, B = (positive_payoffs(np.array(M, dtype=float)) for M in DEGENERATE["zero-sum with ties"])
    try:
        pivoting.Tableau.pivot = recording_pivot
        for label in range(6):
            bases.clear()
            seen.clear()
            lemke_howson_path(A, B, label)
            assert len(seen) == len(set(seen)) >= 2
    finally:
        pivoting.Tableau.pivot = original


# ----------------------------------------------------------------------------- exactness
def test_exact_arithmetic_returns_certified_rationals():
    A = [[3, 1, 4], [1, 5, 9], [2, 6, 5]]
    B = [[2, 7, 1], [8, 2, 8], [1, 8, 2]]
    g = game(A, B)
    res = lh(g, all_labels=True, arithmetic="exact")
    assert res.equilibria and res.stats["arithmetic"] == "exact"
    for eq in res.equilibria:
        assert eq.exact and eq.regret == 0.0
        assert all(isinstance(p, Fraction) for v in eq.exact_probabilities for p in v)
        profile = [np.array(v, dtype=object) for v in eq.exact_probabilities]
        assert g.regret(profile, exact=True) == 0
        assert tuple(g.expected_payoffs(profile, exact=True)) == eq.exact_payoff_values
    assert exact_set(res) <= gambit_equilibria(A, B)
    # float pivoting finds the same equilibria; exact=True certifies them
    flt = lh(g, all_labels=True, exact=True)
    assert exact_set(flt) == exact_set(res)


def test_float_path_matches_exact_path_on_a_20x20_game():
    rng = np.random.default_rng(4)
    A, B = rng.integers(0, 1000, size=(2, 20, 20))
    g = game(A, B)
    for label in (0, 7, 25):
        flt, ex = lh(g, label=label), lh(g, label=label, arithmetic="exact")
        assert flt.stats["pivots"] == ex.stats["pivots"]
        np.testing.assert_allclose(
            np.concatenate(flt.equilibria[0].profile),
            np.concatenate(ex.equilibria[0].profile),
            atol=1e-10,
        )


# ----------------------------------------------------------------------------- peers and properties
def test_agrees_with_nashpy_on_a_nondegenerate_game():
    # in a nondegenerate game the path of each label is unique, so implementations agree
    rng = np.random.default_rng(8)
    A, B = rng.random((2, 6, 5))
    peer = nashpy.Game(A, B)
    g = game(A, B)
    for label in range(11):
        x, y = peer.lemke_howson(initial_dropped_label=label)
        (eq,) = lh(g, label=label).equilibria
        np.testing.assert_allclose(eq.profile[0], x, atol=1e-9)
        np.testing.assert_allclose(eq.profile[1], y, atol=1e-9)


def test_invariant_to_positive_affine_payoff_changes():
    rng = np.random.default_rng(9)
    A, B = rng.integers(-5, 6, size=(2, 4, 5))
    base = lh(game(A, B), all_labels=True, arithmetic="exact")
    moved = lh(game(3 * A + 7, F(1, 2) * B - 4), all_labels=True, arithmetic="exact")
    assert exact_set(base) == exact_set(moved)
    assert base.stats["path_lengths"] == moved.stats["path_lengths"]


def test_invariant_to_relabelling_strategies():
    rng = np.random.default_rng(10)
    A, B = rng.random((2, 4, 3))
    rows, cols = np.array([2, 0, 3, 1]), np.array([1, 2, 0])
    base, perm = game(A, B), game(A[np.ix_(rows, cols)], B[np.ix_(rows, cols)])
    m = 4
    for label in range(7):
        # label of the same strategy in the permuted game
        if label < m:
            new = int(np.flatnonzero(rows == label)[0])
        else:
            new = m + int(np.flatnonzero(cols == label - m)[0])
        (a,) = lh(base, label=label).equilibria
        (b,) = lh(perm, label=new).equilibria
        np.testing.assert_allclose(b.profile[0], a.profile[0][rows], atol=1e-12)
        np.testing.assert_allclose(b.profile[1], a.profile[1][cols], atol=1e-12)


def bimatrices(entries: st.SearchStrategy[int]) -> st.SearchStrategy:
    """Pairs of m x n integer matrices, 1 <= m, n <= 4."""

    def pair(m: int, n: int) -> st.SearchStrategy:
        matrix = st.lists(st.lists(entries, min_size=n, max_size=n), min_size=m, max_size=m)
        return st.tuples(matrix, matrix)

    return st.tuples(st.integers(1, 4), st.integers(1, 4)).flatmap(lambda mn: pair(*mn))


# payoffs from a wide range: almost always nondegenerate; from {0, 1, 2}: often degenerate
small_games = bimatrices(st.integers(0, 1000))
degenerate_games = bimatrices(st.integers(0, 2))


@settings(max_examples=40, deadline=None)
@given(small_games)
def test_each_label_gives_a_gambit_equilibrium(payoffs):
    A, B = payoffs
    g = game(A, B)
    m, n = g.shape
    reference = gambit_equilibria(A, B)
    for label in range(m + n):
        res = lh(g, label=label)
        assert res.status == "ok"
        (eq,) = res.equilibria
        assert g.regret(eq.profile) <= g.tolerance()
        assert any(
            all(np.allclose(eq.profile[i], np.array(r[i], dtype=float), atol=1e-9) for i in (0, 1))
            for r in reference
        )


@settings(max_examples=40, deadline=None)
@given(degenerate_games)
def test_degenerate_small_games_float_and_exact_agree(payoffs):
    A, B = payoffs
    g = game(A, B)
    flt = lh(g, all_labels=True, max_iter=500)
    ex = lh(g, all_labels=True, arithmetic="exact", max_iter=500)
    assert flt.status == ex.status == "ok"
    assert flt.stats["path_lengths"] == ex.stats["path_lengths"]
    assert exact_set(ex) <= gambit_equilibria(A, B)
    for e in flt.equilibria:
        assert e.regret <= g.tolerance()
    assert len(flt.equilibria) == len(ex.equilibria)


# ----------------------------------------------------------------------------- budget and options
def test_budget_exhausted_after_one_pivot():
    g = game(*RPS)
    res = lh(g, max_iter=1)
    assert res.status == "budget-exhausted"
    assert res.equilibria == ()
    assert res.stats["pivots"] == 1 and res.stats["labels_tried"] == 1
    assert res.complete is False


def test_budget_keeps_the_equilibria_found_so_far():
    g = game(UNREACHABLE_A, UNREACHABLE_B)
    first = lh(g, label=0).stats["pivots"]
    res = lh(g, all_labels=True, max_iter=first + 1)
    assert res.status == "budget-exhausted"
    assert len(res.equilibria) == 1 and res.equilibria[0].regret <= g.tolerance()
    assert res.stats["pivots"] == first + 1 and res.stats["labels_tried"] == 2
    assert lh(g, all_labels=True, max_iter=100).status == "ok"


def test_zero_budget_is_an_error():
    with pytest.raises(InvalidOptionError, match="max_iter must be a positive integer, got 0"):
        lh(game(*PD), max_iter=0)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"label": 4}, "label must be between 0 and 3"),
        ({"label": -1}, "label must be between 0 and 3"),
        ({"label": True}, "label must be an integer"),
        ({"label": "0"}, "label must be an integer"),
        ({"arithmetic": "decimal"}, "arithmetic must be 'float' or 'exact'"),
        ({"all_labels": 1}, "all_labels must be true or false"),
    ],
)
def test_bad_options(options, message):
    with pytest.raises(InvalidOptionError, match=message):
        lh(game(*PD), **options)


def test_registered_for_two_player_games_only():
    assert "lemke-howson" in [s.name for s in gt.methods(game(*PD))]
    three = gt.NormalFormGame.from_arrays(np.zeros((3, 2, 2, 2)))
    with pytest.raises(MethodNotApplicableError, match="2-player games"):
        lh(three)


def test_refreshing_the_tableaux_keeps_the_path():
    rng = np.random.default_rng(12)
    A = positive_payoffs(rng.random((15, 15)), order="F")
    B = positive_payoffs(rng.random((15, 15)))
    plain = lemke_howson_path(A, B, 3)
    refreshed = lemke_howson_path(A, B, 3, refresh_every=1, accept=lambda x, y: False)
    assert plain[2] == refreshed[2]
    np.testing.assert_allclose(
        np.concatenate(plain[:2]), np.concatenate(refreshed[:2]), atol=1e-12
    )
    budget = Budget(max_iter=plain[2])
    assert lemke_howson_path(A, B, 3, budget=budget)[2] == plain[2]


def test_auto_uses_lemke_howson_on_large_games():
    rng = np.random.default_rng(13)
    g = game(*rng.random((2, 20, 20)))
    res = gt.solve(g, "auto")
    assert res.method == "lemke-howson" and res.stats["chosen_by"].startswith("auto")
    (eq,) = res.equilibria
    assert eq.regret <= g.tolerance() and res.status == "ok"
