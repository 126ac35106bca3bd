"""The ``correlated`` method: correlated equilibria by LP, their regret and certification."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.exceptions import InvalidOptionError
from gametheory.solvers.budget import Budget
from gametheory.solvers.correlated import (
    certify_correlated,
    correlated_regret,
    distribution_regret,
    solve_correlated,
)


def chicken(t: int = 7, c: int = 6, s: int = 2) -> gt.NormalFormGame:
    """Dare (D) or chicken out (C): (C, C) pays c each, a darer facing C gets t and the
    chicken s, (D, D) pays 0; t > c > s > 0."""
    return gt.NormalFormGame.bimatrix(
        [[0, t], [s, c]], [[0, s], [t, c]], players=["Ann", "Bob"],
        strategies=[["D", "C"], ["D", "C"]],
    )


def violations(game: gt.NormalFormGame, dist: dict[tuple[str, ...], float]) -> list[float]:
    """Every incentive constraint's gain from deviating, by brute force over profiles."""
    u = game.float_payoffs()
    out = []
    for i, labels in enumerate(game.strategies):
        for s, t in itertools.permutations(range(len(labels)), 2):
            gain = 0.0
            for prof in itertools.product(*(range(m) for m in game.shape)):
                if prof[i] != s:
                    continue
                p = dist.get(tuple(game.strategies[j][k] for j, k in enumerate(prof)), 0.0)
                dev = list(prof)
                dev[i] = t
                gain += p * (u[(i, *dev)] - u[(i, *prof)])
            out.append(gain)
    return out


def check_distribution(game: gt.NormalFormGame, eq: gt.Equilibrium) -> None:
    dist = dict(eq.distribution)
    probs = np.array(list(dist.values()))
    assert np.all(probs > 0) and abs(probs.sum() - 1) < 1e-12
    assert max(violations(game, dist), default=0.0) <= game.tolerance()
    u = game.float_payoffs()
    for i, player in enumerate(game.players):
        expected = sum(
            p * u[(i, *(game.strategy_index(j, s) for j, s in enumerate(prof)))]
            for prof, p in dist.items()
        )
        assert eq.payoffs[player] == pytest.approx(expected, abs=1e-9)
        for label in game.strategies[i]:
            marginal = sum(p for prof, p in dist.items() if prof[i] == label)
            assert eq.strategies[player][label] == pytest.approx(marginal, abs=1e-12)


# With a = P(C, C), b = P(D, C), b' = P(C, D), d = P(D, D), the constraints that bind are
# "told C, Ann keeps C": a (t - c) <= b' s, and Bob's twin a (t - c) <= b s.  Welfare is
# 2 c a + (t + s)(b + b'); when 2c > t + s it grows with a, d = 0 is best, and
# a <= s/(t - c) * min(b, b') <= s/(t - c) * (1 - a)/2 gives the optimum
#     a = s / (s + 2 (t - c)),   b = b' = (t - c) / (s + 2 (t - c)),
# which is unique (equality forces b = b').
@pytest.mark.parametrize("t, c, s", [(7, 6, 2), (5, 4, 1), (10, 7, 3)])
def test_chicken_welfare_maximum_closed_form(t, c, s):
    assert 2 * c > t + s
    den = s + 2 * (t - c)
    a, b = Fraction(s, den), Fraction(t - c, den)
    welfare = 2 * c * a + (t + s) * 2 * b
    res = gt.solve(chicken(t, c, s), method="correlated", exact=True)
    assert res.ok and len(res) == 1
    eq = res[0]
    assert eq.exact
    assert dict(eq.exact_distribution) == {("C", "C"): a, ("D", "C"): b, ("C", "D"): b}
    assert sum(eq.exact_payoff_values) == welfare
    assert res.details["objective_value"] == pytest.approx(float(welfare), abs=1e-9)
    assert eq.exact_strategies["Ann"] == {"D": b, "C": a + b}
    check_distribution(chicken(t, c, s), eq)
    assert res.verify()


def test_chicken_classic_numbers():
    eq = gt.solve(chicken(), method="correlated")[0]
    assert dict(eq.distribution) == pytest.approx({("C", "C"): 0.5, ("D", "C"): 0.25,
                                                   ("C", "D"): 0.25}, abs=1e-9)
    assert eq.payoffs == pytest.approx({"Ann": 5.25, "Bob": 5.25}, abs=1e-9)
    assert eq.support_label() == "correlated" and not eq.is_pure


def _gambit_equilibria(game: gt.NormalFormGame) -> list[list[np.ndarray]]:
    g = gbt.Game.from_arrays(*[np.asarray(a) for a in game.payoffs])
    out = []
    for eq in gbt.nash.enummixed_solve(g, rational=True).equilibria:
        out.append([
            np.array([Fraction(str(eq[s])) for s in player.strategies], dtype=object)
            for player in g.players
        ])
    return out


@pytest.mark.parametrize("seed", range(3))
def test_nash_equilibria_are_correlated_equilibria(seed):
    rng = np.random.default_rng(seed)
    games = [
        chicken(),
        gt.NormalFormGame.bimatrix([[3, 0], [0, 2]], [[2, 0], [0, 3]]),  # battle of the sexes
        gt.NormalFormGame.bimatrix(rng.integers(-5, 6, (3, 4)), rng.integers(-5, 6, (3, 4))),
    ]
    for game in games:
        best = gt.solve(game, method="correlated").details["objective_value"]
        exact_u = game.exact_payoffs()
        for x, y in _gambit_equilibria(game):
            product = np.multiply.outer(x, y)
            assert distribution_regret(exact_u, product) == 0
            as_dict = {
                (game.strategies[0][i], game.strategies[1][j]): float(product[i, j])
                for i, j in itertools.product(*map(range, game.shape))
            }
            assert max(violations(game, as_dict)) <= 1e-12
            welfare = float((exact_u * product).sum())
            assert welfare <= best + game.tolerance()  # the LP maximises welfare over all CE


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(2, 3), min_size=2, max_size=3).flatmap(
        lambda shape: st.tuples(
            st.just(tuple(shape)),
            st.lists(st.integers(-4, 4), min_size=len(shape) * int(np.prod(shape)),
                     max_size=len(shape) * int(np.prod(shape))),
            st.sampled_from(["welfare", "feasible", 0, 1]),
        )
    )
)
def test_distributions_satisfy_every_incentive_constraint(case):
    shape, flat, objective = case
    game = gt.NormalFormGame.from_arrays(np.array(flat).reshape(len(shape), *shape))
    if isinstance(objective, int):
        objective = game.players[objective]
    res = gt.solve(game, method="correlated", objective=objective)
    assert res.ok and len(res) == 1
    check_distribution(game, res[0])
    assert res[0].regret <= game.tolerance()
    assert correlated_regret(game, res[0]) == pytest.approx(res[0].regret, abs=1e-12)


def _direct_lp_welfare(game: gt.NormalFormGame) -> float:
    """Welfare-maximising CE value from a dense LP built by plain loops."""
    from scipy.optimize import linprog

    u = game.float_payoffs()
    profiles = list(itertools.product(*(range(m) for m in game.shape)))
    rows = []
    for i in range(game.num_players):
        for s, t in itertools.permutations(range(game.shape[i]), 2):
            row = []
            for prof in profiles:
                dev = list(prof)
                dev[i] = t
                row.append(u[(i, *dev)] - u[(i, *prof)] if prof[i] == s else 0.0)
            rows.append(row)
    welfare = [-sum(u[(i, *prof)] for i in range(game.num_players)) for prof in profiles]
    res = linprog(welfare, A_ub=rows, b_ub=np.zeros(len(rows)), A_eq=[np.ones(len(profiles))],
                  b_eq=[1.0], bounds=(0, None), method="highs")
    return -res.fun


def test_three_player_game():
    rng = np.random.default_rng(5)
    game = gt.NormalFormGame.from_arrays(rng.integers(-6, 7, (3, 3, 2, 3)),
                                         players=["A", "B", "C"])
    res = gt.solve(game, method="correlated", exact=True)
    eq = res[0]
    check_distribution(game, eq)
    assert res.details["objective_value"] == pytest.approx(_direct_lp_welfare(game), abs=1e-9)
    assert eq.exact
    exact_dist = np.zeros(game.shape, dtype=object)
    exact_dist[...] = Fraction(0)
    for prof, p in eq.exact_distribution:
        exact_dist[tuple(game.strategy_index(i, s) for i, s in enumerate(prof))] = p
    assert sum(exact_dist.reshape(-1)) == 1
    assert distribution_regret(game.exact_payoffs(), exact_dist) == 0
    assert res.verify()


def test_player_objective_and_feasible():
    game = chicken()
    ann = gt.solve(game, method="correlated", objective="Ann")
    # Ann's best payoff in the game, 7, is reached at the pure equilibrium (D, C).
    assert ann.details["objective_value"] == pytest.approx(7.0, abs=1e-9)
    assert ann[0].payoffs["Ann"] == pytest.approx(7.0, abs=1e-9)
    feasible = gt.solve(game, method="correlated", objective="feasible")
    check_distribution(game, feasible[0])
    assert feasible.details["objective_value"] is None
    with pytest.raises(InvalidOptionError, match="objective must be 'welfare', 'feasible'"):
        gt.solve(game, method="correlated", objective="Carl")


def test_regret_of_a_non_equilibrium_distribution():
    game = chicken()
    eq = gt.solve(game, method="correlated")[0]
    # All weight on (C, C): told C, a player gains t - c = 1 by daring.
    everything_cc = gt.Equilibrium.from_dict({**eq.to_dict(), "distribution": [
        {"profile": {"Ann": "C", "Bob": "C"}, "probability": 1.0}]})
    assert correlated_regret(game, everything_cc) == pytest.approx(1.0)
    assert correlated_regret(game, eq) <= game.tolerance()
    shifted = gt.NormalFormGame.bimatrix(  # Ann now gains 1 by daring against C
        [[0, 8], [2, 6]], [[0, 2], [7, 6]], players=["Ann", "Bob"],
        strategies=[["D", "C"], ["D", "C"]],
    )
    assert not gt.solve(game, method="correlated").verify(shifted)


def test_exact_round_trip_through_json():
    res = gt.solve(chicken(), method="correlated", exact=True)
    data = res.to_dict()["equilibria"][0]
    assert data["exact_distribution"] == [
        {"profile": {"Ann": "D", "Bob": "C"}, "probability": "1/4"},
        {"profile": {"Ann": "C", "Bob": "D"}, "probability": "1/4"},
        {"profile": {"Ann": "C", "Bob": "C"}, "probability": "1/2"},
    ]
    back = gt.Equilibrium.from_dict(data, method="correlated")
    assert back == res[0]
    assert correlated_regret(chicken(), back) == 0.0


def test_certification_of_float_game():
    rng = np.random.default_rng(9)
    game = gt.NormalFormGame.from_arrays(np.round(rng.standard_normal((2, 4, 4)), 3))
    eq = gt.solve(game, method="correlated")[0]
    cert = certify_correlated(game, eq)
    assert cert.exact and cert.regret == 0.0
    exact = dict(cert.exact_distribution)
    assert sum(exact.values()) == 1
    # the denominators are too large for rationalising the floats: the LP vertex was re-solved
    assert max(p.denominator for p in exact.values()) > 10**12
    assert dict(eq.distribution) == pytest.approx({k: float(p) for k, p in exact.items()},
                                                  abs=1e-12)
    assert correlated_regret(game, cert) == 0.0


def test_one_player_game_and_budget():
    solo = gt.NormalFormGame.from_arrays([[1.0, 3.0, 2.0]])
    eq = gt.solve(solo, method="correlated")[0]
    assert eq.distribution == ((("s2",), 1.0),)
    budget = Budget(max_time=1e-3)
    budget.start -= 1.0
    out = solve_correlated(chicken(), budget=budget)
    assert out.status == "budget-exhausted" and out.equilibria == ()
