"""Support enumeration: all equilibria of non-degenerate 2-player games; honest on the others."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from games_2p import (
    as_float_set,
    battle_of_the_sexes,
    dominant_row_indifferent_column,
    exact_result_set,
    gambit_extreme_equilibria,
    matching_pennies,
    nashpy_support_enumeration,
    prisoners_dilemma,
    profile_key,
    random_integer_game,
    result_set,
    rock_paper_scissors,
    von_stengel_degenerate,
)
from hypothesis import given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.solvers.support_enumeration import support_equilibria

F = Fraction
METHOD = "support-enumeration"


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (prisoners_dilemma, {(F(0), F(1), F(0), F(1))}),
        (matching_pennies, {(F(1, 2), F(1, 2), F(1, 2), F(1, 2))}),
        (
            battle_of_the_sexes,
            {
                (F(1), F(0), F(1), F(0)),
                (F(0), F(1), F(0), F(1)),
                (F(3, 5), F(2, 5), F(2, 5), F(3, 5)),
            },
        ),
        (rock_paper_scissors, {(F(1, 3),) * 6}),
    ],
)
def test_textbook_games_exact_and_complete(build, expected):
    game = build()
    result = gt.solve(game, method=METHOD, exact=True)
    assert result.status == "ok"
    assert result.complete
    assert result.stats["degenerate"] is False
    assert exact_result_set(result) == expected
    for eq in result.equilibria:
        exact = [np.array(v, dtype=object) for v in eq.exact_probabilities]
        assert game.regret(exact, exact=True) == 0


@pytest.mark.parametrize("build", [dominant_row_indifferent_column, von_stengel_degenerate])
def test_degenerate_games_are_flagged_and_not_complete(build):
    game = build()
    result = gt.solve(game, method=METHOD)
    assert result.status == "ok"
    assert result.stats["degenerate"] is True
    assert not result.complete
    assert result.equilibria  # it returns what it finds ...
    for eq in result.equilibria:  # ... and only equilibria
        assert game.regret(eq.profile) <= game.tolerance()
    # everything found is an extreme equilibrium (pygambit's exact set)
    assert result_set(result) <= as_float_set(gambit_extreme_equilibria(game))


def test_degenerate_game_without_telltale_equilibrium_is_still_flagged():
    # x = (1/2, 1/2) makes the column player indifferent among all three columns, but no
    # equilibrium shows it; the polytope check must still find the degeneracy.
    game = gt.NormalFormGame.bimatrix([[4, 0, 0], [0, 4, 1]], [[2, 0, 1], [0, 2, 1]])
    result = gt.solve(game, method=METHOD)
    assert result.stats["degenerate"] is True
    assert not result.complete


def test_ties_in_a_narrow_integer_range_make_a_degenerate_game():
    game = random_integer_game(0, 6, 6)
    result = gt.solve(game, method=METHOD, exact=True)
    assert result.stats["degenerate"] is True and not result.complete
    # here the equilibria found are still exactly pygambit's set (certified)
    assert exact_result_set(result) == set(gambit_extreme_equilibria(game))


def test_zero_game_does_not_crash_or_loop():
    game = gt.NormalFormGame.bimatrix(np.zeros((4, 4)), np.zeros((4, 4)))
    result = gt.solve(game, method=METHOD)
    assert result.stats["degenerate"] is True and not result.complete
    assert len(result.equilibria) == 16  # every pure profile (singular mixed systems skipped)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_agrees_with_vertex_enumeration_on_random_games(m, n, seed):
    rng = np.random.default_rng(seed)
    game = gt.NormalFormGame.bimatrix(rng.normal(size=(m, n)), rng.normal(size=(m, n)) * 100)
    support = gt.solve(game, method=METHOD)
    vertex = gt.solve(game, method="vertex-enumeration")
    assert support.stats["degenerate"] is False and support.complete
    assert result_set(support) == result_set(vertex)
    for eq in support.equilibria:
        assert game.regret(eq.profile) <= game.tolerance()


@settings(max_examples=30, deadline=None)
@given(
    st.integers(1, 4), st.integers(1, 4),
    st.lists(st.integers(0, 3), min_size=32, max_size=32),
)
def test_small_integer_games_never_return_non_equilibria(m, n, values):
    A = np.array(values[: m * n]).reshape(m, n)
    B = np.array(values[16: 16 + m * n]).reshape(m, n)
    game = gt.NormalFormGame.bimatrix(A, B)
    result = gt.solve(game, method=METHOD, exact=True)
    assert result.status == "ok"
    oracle = set(gambit_extreme_equilibria(game))
    # only (extreme) equilibria, exact regret 0, and completeness claimed only when true
    assert exact_result_set(result) <= oracle
    for eq in result.equilibria:
        exact = [np.array(v, dtype=object) for v in eq.exact_probabilities]
        assert game.regret(exact, exact=True) == 0
    if result.complete:
        assert exact_result_set(result) == oracle


@pytest.mark.parametrize(("seed", "size"), [(0, 6), (1, 7), (1, 8)])
def test_random_integer_games_equal_gambit_and_certify(seed, size):
    # a wide payoff range makes ties (degeneracy) unlikely; the solver must prove it
    game = random_integer_game(seed, size, size, -10**6, 10**6)
    result = gt.solve(game, method=METHOD, exact=True)
    assert result.stats["degenerate"] is False
    assert result.complete
    assert exact_result_set(result) == set(gambit_extreme_equilibria(game))
    assert result.stats["certified"] == len(result.equilibria)


def test_nashpy_misses_equilibria_that_gambit_and_we_find():
    # nashpy's support enumeration at its default tolerance (1e-16) misses all three
    # equilibria of this 8x8 game; pygambit's exact set and ours agree.
    game = random_integer_game(1, 8, 8)
    ours = result_set(gt.solve(game, method=METHOD))
    assert ours == as_float_set(gambit_extreme_equilibria(game))
    assert ours == result_set(gt.solve(game, method="vertex-enumeration"))
    theirs = nashpy_support_enumeration(game)
    assert theirs < ours


def test_invariant_to_relabelling_and_affine_transformations():
    game = random_integer_game(5, 5, 6)
    f = game.float_payoffs()
    base = result_set(gt.solve(game, method=METHOD))
    rows, cols = [3, 0, 4, 1, 2], [5, 2, 0, 4, 1, 3]
    permuted = gt.NormalFormGame.bimatrix(f[0][np.ix_(rows, cols)], f[1][np.ix_(rows, cols)])
    moved = result_set(gt.solve(permuted, method=METHOD))
    back = {
        profile_key(np.array(k[:5])[np.argsort(rows)], np.array(k[5:])[np.argsort(cols)])
        for k in moved
    }
    assert back == base
    scaled = gt.NormalFormGame.bimatrix(0.01 * f[0] - 7.0, 250.0 * f[1] + 3.0)
    assert result_set(gt.solve(scaled, method=METHOD)) == base


def test_iteration_budget_returns_partial_results():
    game = random_integer_game(2, 7, 7)
    full = gt.solve(game, method=METHOD)
    partial = gt.solve(game, method=METHOD, max_iter=500)
    assert partial.status == "budget-exhausted"
    assert not partial.complete
    assert partial.stats["degenerate"] is None or partial.stats["degenerate"] is True
    assert 500 <= partial.stats["support_pairs"] < full.stats["support_pairs"]
    assert result_set(partial) <= result_set(full)
    for eq in partial.equilibria:
        assert game.regret(eq.profile) <= game.tolerance()


def test_time_budget_stops_a_large_game():
    game = random_integer_game(2, 14, 14)
    result = gt.solve(game, method=METHOD, max_time=0.2)
    assert result.status == "budget-exhausted"
    assert not result.complete
    assert result.stats["time"] < 5.0


def test_support_pairs_counted():
    m, n = 4, 6
    rng = np.random.default_rng(0)
    _, _, stats, exhausted = support_equilibria(rng.normal(size=(m, n)), rng.normal(size=(m, n)))
    assert exhausted is None
    from math import comb

    assert stats["support_pairs"] == sum(comb(m, k) * comb(n, k) for k in range(1, m + 1))
