"""The ``lp`` method: value and optimal strategies of two-player constant-sum games."""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.exceptions import InvalidOptionError, MethodNotApplicableError
from gametheory.solvers.budget import Budget
from gametheory.solvers.zero_sum import maximin_lp, solve_lp


def assert_optimal(A: np.ndarray, x: np.ndarray, y: np.ndarray, value: float, tol: float) -> None:
    """``x`` guarantees the row player ``value``; ``y`` holds them to it."""
    assert abs(x.sum() - 1) < 1e-12 and abs(y.sum() - 1) < 1e-12
    assert x.min() >= 0 and y.min() >= 0
    assert (x @ A).min() >= value - tol
    assert (A @ y).max() <= value + tol


def two_by_two_solution(a, b, c, d):
    """Closed form for ``[[a, b], [c, d]]`` without a saddle point (equalising strategies).

    Row plays ``(p, 1 - p)`` making the column player indifferent:
    ``p a + (1 - p) c = p b + (1 - p) d``, so ``p = (d - c) / (a - b - c + d)``;
    symmetrically ``q = (d - b) / (a - b - c + d)`` and the value is
    ``(a d - b c) / (a - b - c + d)``.
    """
    den = a - b - c + d
    return Fraction(d - c, den), Fraction(d - b, den), Fraction(a * d - b * c, den)


@pytest.mark.parametrize("stake", [1, 3])
def test_matching_pennies(stake):
    game = gt.NormalFormGame.zero_sum([[stake, -stake], [-stake, stake]])
    res = gt.solve(game, method="lp")
    p, q, v = two_by_two_solution(stake, -stake, -stake, stake)
    assert (p, q, v) == (Fraction(1, 2), Fraction(1, 2), 0)
    eq = res[0]
    assert eq.probabilities[0] == pytest.approx((float(p), 1 - float(p)), abs=1e-12)
    assert eq.probabilities[1] == pytest.approx((float(q), 1 - float(q)), abs=1e-12)
    assert res.details["value"] == pytest.approx(float(v), abs=1e-12)
    assert res.ok and res.verify()


@pytest.mark.parametrize("entries", [(3, -1, -2, 4), (2, -3, -1, 5), (0, 7, 4, 1)])
def test_two_by_two_closed_form(entries):
    a, b, c, d = entries
    game = gt.NormalFormGame.zero_sum([[a, b], [c, d]])
    p, q, v = two_by_two_solution(a, b, c, d)
    res = gt.solve(game, method="lp", exact=True)
    eq = res[0]
    assert eq.exact
    assert eq.exact_probabilities == ((p, 1 - p), (q, 1 - q))
    assert eq.exact_payoff_values == (v, -v)
    assert res.details["value"] == pytest.approx(float(v), abs=1e-12)


@pytest.mark.parametrize("weights", [(1, 1, 1), (1, 2, 3), (5, 1, 2)])
def test_rock_paper_scissors(weights):
    # Row wins a (paper beats rock), b (rock beats scissors), c (scissors beat paper).
    a, b, c = weights
    A = [[0, -a, b], [a, 0, -c], [-b, c, 0]]
    # A is skew-symmetric, so the value is 0; x = (c, b, a) / (a + b + c) makes every
    # column earn 0: (x A)_1 = b a - a b, (x A)_2 = -c a + a c, (x A)_3 = c b - b c.
    x = [Fraction(w, a + b + c) for w in (c, b, a)]
    assert np.all(np.array(x, dtype=object) @ np.array(A, dtype=object) == 0)
    res = gt.solve(gt.NormalFormGame.zero_sum(A), method="lp", exact=True)
    eq = res[0]
    assert res.details["value"] == pytest.approx(0.0, abs=1e-12)
    assert eq.exact_probabilities == (tuple(x), tuple(x))
    assert eq.exact_payoff_values == (0, 0)


def _gambit_value(A: np.ndarray) -> Fraction:
    g = gbt.Game.from_arrays(A, -A)
    eq = gbt.nash.lp_solve(g, rational=True).equilibria[0]
    return Fraction(str(eq.payoff(next(iter(g.players)))))


@pytest.mark.parametrize("seed", range(4))
def test_random_games_against_pygambit(seed):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(2, 9, size=2)
    A = rng.integers(-20, 21, size=(m, n))
    res = gt.solve(gt.NormalFormGame.zero_sum(A), method="lp")
    value = _gambit_value(A)
    assert res.details["value"] == pytest.approx(float(value), abs=1e-9)
    x, y = res[0].profile
    assert_optimal(A.astype(float), x, y, float(value), 1e-9)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda m: st.integers(1, 6).flatmap(
            lambda n: st.lists(
                st.lists(st.integers(-9, 9), min_size=n, max_size=n), min_size=m, max_size=m
            )
        )
    )
)
def test_value_and_strategies_property(rows):
    A = np.array(rows)
    res = gt.solve(gt.NormalFormGame.zero_sum(A), method="lp")
    assert res.ok
    x, y = res[0].profile
    value = _gambit_value(A)
    assert res.details["value"] == pytest.approx(float(value), abs=1e-9)
    assert_optimal(A.astype(float), x, y, float(value), 1e-9)


def test_large_random_game_against_direct_lp():
    # The column player's own LP (min w s.t. A y <= w) solved directly gives the value.
    from scipy.optimize import linprog

    rng = np.random.default_rng(7)
    A = rng.standard_normal((60, 45))
    m, n = A.shape
    a_ub = np.hstack([A, -np.ones((m, 1))])
    c = np.r_[np.zeros(n), 1.0]
    ref = linprog(c, A_ub=a_ub, b_ub=np.zeros(m), A_eq=np.r_[np.ones(n), 0.0][None, :],
                  b_eq=[1.0], bounds=[(0, None)] * n + [(None, None)], method="highs")
    res = gt.solve(gt.NormalFormGame.zero_sum(A), method="lp")
    assert res.details["value"] == pytest.approx(ref.fun, abs=1e-9)
    x, y = res[0].profile
    assert_optimal(A, x, y, ref.fun, 1e-9)


def test_constant_sum_game():
    A = np.array([[4, 9, 1], [7, 2, 6]])
    game = gt.NormalFormGame.bimatrix(A, 10 - A, players=["Ann", "Bob"])
    assert not game.is_zero_sum()
    res = gt.solve(game, method="lp")
    zero = gt.solve(gt.NormalFormGame.zero_sum(A), method="lp")
    value = _gambit_value(A)
    assert res.details["value"] == pytest.approx(float(value), abs=1e-9)
    assert res.details["values"]["Bob"] == pytest.approx(10 - float(value), abs=1e-9)
    assert res[0].payoffs["Bob"] == pytest.approx(10 - float(value), abs=1e-9)
    assert np.allclose(res[0].profile[0], zero[0].profile[0], atol=1e-9)
    assert res.verify()


def test_float_constant_sum_with_negative_scaled_payoffs():
    rng = np.random.default_rng(3)
    A = rng.uniform(-5e4, 5e4, size=(7, 5))
    game = gt.NormalFormGame.bimatrix(A, 123.5 - A)
    res = gt.solve(game, method="lp")
    x, y = res[0].profile
    value = res.details["value"]
    assert_optimal(A, x, y, value, game.tolerance())
    assert res[0].regret <= game.tolerance()


def test_non_constant_sum_game_is_rejected():
    game = gt.NormalFormGame.bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    with pytest.raises(MethodNotApplicableError, match="zero-sum"):
        gt.solve(game, method="lp")
    assert "lp" not in {m.name for m in gt.methods(game)}


def test_three_player_game_is_rejected():
    game = gt.NormalFormGame.from_arrays(np.zeros((3, 2, 2, 2)))
    with pytest.raises(MethodNotApplicableError, match="2-player"):
        gt.solve(game, method="lp")


def test_algorithms_agree_and_bad_algorithm():
    rng = np.random.default_rng(11)
    A = rng.integers(-9, 10, size=(12, 9))
    game = gt.NormalFormGame.zero_sum(A)
    values = {a: gt.solve(game, method="lp", algorithm=a).details["value"]
              for a in ("highs", "highs-ds", "highs-ipm")}
    assert max(values.values()) - min(values.values()) < 1e-9
    with pytest.raises(InvalidOptionError, match="algorithm must be one of"):
        gt.solve(game, method="lp", algorithm="simplex")


def test_highs_time_limit_reports_budget_exhausted():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((300, 300))
    res, _, _ = maximin_lp(A, time_limit=1e-4)
    assert res.status == 1
    budget = Budget(max_time=1.0)
    budget.start = time.perf_counter() - (1.0 - 1e-4)  # 0.1 ms left
    out = solve_lp(gt.NormalFormGame.zero_sum(A), budget=budget)
    assert out.status == "budget-exhausted"
    assert out.equilibria == () and not out.complete


def test_budget_already_spent():
    budget = Budget(max_time=1e-3)
    budget.start -= 1.0
    out = solve_lp(gt.NormalFormGame.zero_sum([[1, -1], [-1, 1]]), budget=budget)
    assert out.status == "budget-exhausted" and out.equilibria == ()
