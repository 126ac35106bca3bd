"""Vertex enumeration: best-response polytopes and all extreme equilibria of 2-player games."""

from __future__ import annotations

import itertools
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
    nashpy_vertex_enumeration,
    nashpy_vertex_failure,
    prisoners_dilemma,
    profile_key,
    random_integer_game,
    result_set,
    rock_paper_scissors,
    von_stengel_degenerate,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.exact_linalg import solve_exact
from gametheory.solvers.polytopes import (
    column_polytope,
    is_degenerate,
    normalise_payoffs,
    pack_masks,
    polytope_vertices,
    row_polytope,
)
from gametheory.solvers.vertex_enumeration import complementary_pairs, extreme_equilibria

F = Fraction
METHOD = "vertex-enumeration"


def small_int_games(max_m: int = 4, max_n: int = 4, values: int = 3):
    """Hypothesis strategy: integer games with few payoff values (mostly degenerate)."""

    @st.composite
    def build(draw):
        m = draw(st.integers(1, max_m))
        n = draw(st.integers(1, max_n))
        entries = st.integers(0, values - 1)
        A = draw(st.lists(st.lists(entries, min_size=n, max_size=n), min_size=m, max_size=m))
        B = draw(st.lists(st.lists(entries, min_size=n, max_size=n), min_size=m, max_size=m))
        return gt.NormalFormGame.bimatrix(A, B)

    return build()


# ----------------------------------------------------------------------------- textbook games
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
        # degenerate: a component whose extreme points are the two pure profiles
        (dominant_row_indifferent_column, {(F(1), F(0), F(1), F(0)), (F(1), F(0), F(0), F(1))}),
    ],
)
def test_textbook_games_exact(build, expected):
    result = gt.solve(build(), method=METHOD, exact=True)
    assert result.status == "ok"
    assert result.complete
    assert exact_result_set(result) == expected
    game = build()
    for eq in result.equilibria:
        exact = [np.array(v, dtype=object) for v in eq.exact_probabilities]
        assert game.regret(exact, exact=True) == 0


def test_battle_of_the_sexes_has_three_equilibria_with_payoffs():
    result = gt.solve(battle_of_the_sexes(), method=METHOD)
    payoffs = sorted(tuple(round(v, 9) for v in eq.payoff_values) for eq in result.equilibria)
    assert payoffs == [(1.2, 1.2), (2.0, 3.0), (3.0, 2.0)]


def test_von_stengel_degenerate_game_matches_gambit():
    game = von_stengel_degenerate()
    result = gt.solve(game, method=METHOD, exact=True)
    oracle = gambit_extreme_equilibria(game)
    assert exact_result_set(result) == set(oracle)
    # the segment x = (1, 0, 0), y between (1, 0) and (2/3, 1/3) and the isolated mixed equilibrium
    assert (F(1), F(0), F(0), F(1), F(0)) in oracle
    assert (F(1), F(0), F(0), F(2, 3), F(1, 3)) in oracle
    assert len(oracle) == 3


def test_nashpy_vertex_enumeration_finds_nothing_where_we_find_the_gambit_set():
    game = nashpy_vertex_failure()
    assert is_degenerate(*game.float_payoffs())
    ours = result_set(gt.solve(game, method=METHOD))
    assert ours == as_float_set(gambit_extreme_equilibria(game))
    assert len(ours) == 2
    assert nashpy_vertex_enumeration(game) == set()


@pytest.mark.parametrize(("m", "n"), [(1, 1), (1, 5), (5, 1), (2, 7), (7, 2), (3, 6)])
def test_lopsided_shapes_match_gambit(m, n):
    for seed in range(3):
        game = random_integer_game(seed, m, n, -3, 3)
        result = gt.solve(game, method=METHOD, exact=True)
        assert result.complete
        assert exact_result_set(result) == set(gambit_extreme_equilibria(game))


def test_constant_game_extreme_equilibria_are_all_pure_profiles():
    game = gt.NormalFormGame.bimatrix(np.full((3, 4), 2.0), np.full((3, 4), -1.0))
    result = gt.solve(game, method=METHOD)
    assert len(result.equilibria) == 12
    assert all(eq.is_pure for eq in result.equilibria)


# ----------------------------------------------------------------------------- against pygambit
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_int_games())
def test_degenerate_small_games_equal_gambit_exactly(game):
    result = gt.solve(game, method=METHOD, exact=True)
    assert result.status == "ok" and result.complete
    assert exact_result_set(result) == set(gambit_extreme_equilibria(game))


@pytest.mark.parametrize(("seed", "size"), [(0, 6), (1, 7), (1, 8)])
def test_random_integer_games_equal_gambit(seed, size):
    game = random_integer_game(seed, size, size, -10**6, 10**6)
    result = gt.solve(game, method=METHOD, exact=True)
    assert exact_result_set(result) == set(gambit_extreme_equilibria(game))


def test_degenerate_6x6_integer_game_equals_gambit():
    game = random_integer_game(4, 6, 6, 0, 2)
    assert is_degenerate(*game.float_payoffs())
    result = gt.solve(game, method=METHOD, exact=True)
    assert result.stats["column_vertices"] is not None  # the label-matching path ran
    assert exact_result_set(result) == set(gambit_extreme_equilibria(game))


# ----------------------------------------------------------------------------- properties
@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**32 - 1),
)
def test_every_equilibrium_has_regret_within_tolerance(m, n, seed):
    rng = np.random.default_rng(seed)
    game = gt.NormalFormGame.bimatrix(rng.normal(size=(m, n)) * 10, rng.normal(size=(m, n)))
    result = gt.solve(game, method=METHOD)
    assert result.status == "ok"
    assert len(result.equilibria) % 2 == 1  # a non-degenerate game has an odd number
    for eq in result.equilibria:
        assert game.regret(eq.profile) <= game.tolerance()


@settings(max_examples=25, deadline=None)
@given(small_int_games(4, 4, 4), st.randoms(use_true_random=False))
def test_invariant_to_relabelling_strategies(game, rnd):
    m, n = game.shape
    rows, cols = list(range(m)), list(range(n))
    rnd.shuffle(rows)
    rnd.shuffle(cols)
    p = game.exact_payoffs()
    permuted = gt.NormalFormGame.bimatrix(p[0][np.ix_(rows, cols)], p[1][np.ix_(rows, cols)])
    original = result_set(gt.solve(game, method=METHOD))
    moved = result_set(gt.solve(permuted, method=METHOD))
    back = {
        profile_key(np.array(k[:m])[np.argsort(rows)], np.array(k[m:])[np.argsort(cols)])
        for k in moved
    }
    assert back == original


@settings(max_examples=25, deadline=None)
@given(
    small_int_games(4, 4, 4),
    st.floats(0.01, 100.0), st.floats(-50.0, 50.0), st.floats(0.01, 100.0), st.floats(-50.0, 50.0),
)
def test_invariant_to_positive_affine_transformations(game, a, b, c, d):
    f = game.float_payoffs()
    scaled = gt.NormalFormGame.bimatrix(a * f[0] + b, c * f[1] + d)
    assert result_set(gt.solve(scaled, method=METHOD)) == result_set(gt.solve(game, method=METHOD))


def test_extreme_equilibria_transposed_game_swaps_players():
    game = random_integer_game(7, 4, 6)
    A, B = game.float_payoffs()
    xs, ys, _ = extreme_equilibria(A, B)
    xt, yt, _ = extreme_equilibria(B.T, A.T)
    assert {profile_key(x, y) for x, y in zip(xs, ys)} == {
        profile_key(x, y) for x, y in zip(yt, xt)
    }


def test_stats_report_vertex_counts():
    result = gt.solve(random_integer_game(3, 5, 5), method=METHOD)
    assert result.stats["vertices"] >= result.stats["row_vertices"] > len(result.equilibria)
    assert result.stats["degenerate_vertices"] == 0


def test_budget_exhausted_is_reported():
    result = gt.solve(random_integer_game(3, 9, 9), method=METHOD, max_time=1e-9)
    assert result.status == "budget-exhausted"
    assert not result.complete
    assert result.equilibria == ()


def test_three_players_rejected():
    three = gt.NormalFormGame.from_arrays(np.zeros((3, 2, 2, 2)))
    with pytest.raises(gt.exceptions.MethodNotApplicableError, match="2-player games"):
        gt.solve(three, method=METHOD)


# ----------------------------------------------------------------------------- polytopes
def _exact_vertices(G: list[list[Fraction]], h: list[Fraction]) -> set[tuple[Fraction, ...]]:
    """Brute force: every basis of d constraints, solved in rationals, kept when feasible."""
    d = len(G[0])
    out = set()
    for rows in itertools.combinations(range(len(G)), d):
        sol = solve_exact([G[r] for r in rows], [h[r] for r in rows])
        if sol is None:
            continue
        if all(sum(g * x for g, x in zip(row, sol)) <= b for row, b in zip(G, h)):
            out.add(tuple(sol))
    return out


def _normalised_exact(M) -> list[list[Fraction]]:
    M = [[Fraction(v) for v in row] for row in M]
    lo = min(min(r) for r in M)
    hi = max(max(r) for r in M)
    if hi == lo:
        return [[Fraction(1)] * len(r) for r in M]
    return [[1 + (v - lo) / (hi - lo) for v in r] for r in M]


@settings(max_examples=40, deadline=None)
@given(small_int_games(4, 4, 3))
def test_polytope_vertices_and_labels_equal_exact_brute_force(game):
    A, B = game.exact_payoffs()
    m, n = game.shape
    Ae, Be = _normalised_exact(A), _normalised_exact(B)
    # P = {x >= 0, B^T x <= 1}, labels 0..m-1 then m..m+n-1
    GP = [[F(-1) if c == r else F(0) for c in range(m)] for r in range(m)]
    GP += [[Be[i][j] for i in range(m)] for j in range(n)]
    hP = [F(0)] * m + [F(1)] * n
    GQ = [list(r) for r in Ae] + [[F(-1) if c == r else F(0) for c in range(n)] for r in range(n)]
    hQ = [F(1)] * m + [F(0)] * n
    fA, fB = game.float_payoffs()
    for poly, G, h in ((row_polytope(normalise_payoffs(fB)), GP, hP),
                       (column_polytope(normalise_payoffs(fA)), GQ, hQ)):
        verts = polytope_vertices(poly)
        exact = _exact_vertices(G, h)
        assert len(verts) == len(exact)
        found = {tuple(np.round(p, 9) + 0.0) for p in verts.points}
        assert found == {tuple(np.round([float(v) for v in x], 9) + 0.0) for x in exact}
        for p, tight in zip(verts.points, verts.tight):
            x = min(exact, key=lambda e: max(abs(float(a) - b) for a, b in zip(e, p)))
            labels = [sum(g * v for g, v in zip(row, x)) == b for row, b in zip(G, h)]
            assert list(tight) == labels


def test_pack_masks_and_complementary_pairs_across_word_boundary():
    k = 70
    a = np.zeros((2, k), dtype=bool)
    b = np.zeros((3, k), dtype=bool)
    a[0, :40] = True
    a[1, :69] = True
    b[0, 40:] = True
    b[1, 39:] = True
    b[2, 41:] = True
    assert pack_masks(a).shape == (2, 2)
    ia, ib = complementary_pairs(pack_masks(a), pack_masks(b), k)
    assert sorted(zip(ia.tolist(), ib.tolist())) == [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2)]


def test_is_degenerate():
    assert not is_degenerate(*battle_of_the_sexes().float_payoffs())
    assert is_degenerate(*dominant_row_indifferent_column().float_payoffs())
    assert is_degenerate(*von_stengel_degenerate().float_payoffs())
    assert not is_degenerate(*random_integer_game(0, 6, 6, -10**6, 10**6).float_payoffs())
