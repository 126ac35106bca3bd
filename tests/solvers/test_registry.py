"""The method table and solve(): dispatch, option checking, budgets, results."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.exceptions import (
    InvalidOptionError,
    MethodNotApplicableError,
    UnknownMethodError,
)
from gametheory.solvers import Equilibrium, SolveResult, build_result, get_method


def prisoners() -> gt.NormalFormGame:
    return gt.NormalFormGame.bimatrix(
        [[3, 0], [5, 1]],
        [[3, 5], [0, 1]],
        players=["Ann", "Bob"],
        strategies=[["C", "D"], ["C", "D"]],
    )


def test_method_names_come_from_the_table():
    names = gt.method_names()
    assert names[0] == "auto"
    assert "pure" in names
    assert all(get_method(n).name == n for n in names[1:])


def test_unknown_method():
    with pytest.raises(UnknownMethodError, match="unknown method 'magic'; choose from: auto"):
        gt.solve(prisoners(), method="magic")


def test_unknown_option():
    with pytest.raises(InvalidOptionError, match="method 'pure' has no option 'speed'"):
        gt.solve(prisoners(), method="pure", speed=3)


def test_max_iter_rejected_for_non_iterative_method():
    with pytest.raises(InvalidOptionError, match="not iterative"):
        gt.solve(prisoners(), method="pure", max_iter=10)


@pytest.mark.parametrize("budget", [0, -1.0, float("nan")])
def test_zero_or_bad_budget_is_an_error(budget):
    with pytest.raises(InvalidOptionError, match="max_time must be a positive number"):
        gt.solve(prisoners(), method="pure", max_time=budget)


def test_methods_filtered_by_game():
    three = gt.NormalFormGame.from_arrays(np.zeros((3, 2, 2, 2)))
    names = {m.name for m in gt.methods(three)}
    assert "pure" in names
    assert all(m.max_players is None or m.max_players >= 3 for m in gt.methods(three))
    two_player_only = [m for m in gt.methods() if m.max_players == 2 and "normal" in m.forms]
    for spec in two_player_only:
        with pytest.raises(
            MethodNotApplicableError, match="2-player games; this game has 3 players"
        ):
            gt.solve(three, method=spec.name)


def test_auto_reports_its_choice():
    res = gt.solve(gt.NormalFormGame.from_arrays(np.ones((3, 2, 2, 2))))
    assert res.method == "pure"
    assert res.stats["chosen_by"].startswith("auto: ")


def test_pure_finds_prisoners_dilemma_and_certifies():
    res = gt.solve(prisoners(), method="pure", exact=True)
    assert res.complete and res.status == "ok"
    (eq,) = res.equilibria
    assert eq.strategies == {"Ann": {"C": 0.0, "D": 1.0}, "Bob": {"C": 0.0, "D": 1.0}}
    assert eq.exact and eq.exact_strategies["Ann"]["D"] == Fraction(1)
    assert eq.payoffs == {"Ann": 1.0, "Bob": 1.0}
    assert eq.is_pure and eq.support == {"Ann": ("D",), "Bob": ("D",)}
    assert res.verify()


def test_pure_on_n_player_games_matches_definition():
    rng = np.random.default_rng(7)
    for _ in range(20):
        payoffs = rng.integers(0, 3, size=(3, 2, 3, 2))
        g = gt.NormalFormGame.from_arrays(payoffs)
        found = {tuple(int(np.argmax(p)) for p in e.probabilities) for e in gt.solve(g, "pure")}
        expected = set()
        for idx in np.ndindex(*g.shape):
            stable = True
            for i in range(3):
                deviations = [payoffs[(i, *idx[:i], s, *idx[i + 1 :])] for s in range(g.shape[i])]
                stable &= payoffs[(i, *idx)] == max(deviations)
            if stable:
                expected.add(idx)
        assert found == expected


def test_result_json_round_trip():
    res = gt.solve(prisoners(), method="pure", exact=True)
    data = json.loads(json.dumps(res.to_dict()))
    assert data["game"] == {
        "title": "",
        "form": "normal",
        "players": ["Ann", "Bob"],
        "strategies": {"Ann": ["C", "D"], "Bob": ["C", "D"]},
    }
    assert data["method"] == "pure" and data["complete"] is True and data["status"] == "ok"
    eq = data["equilibria"][0]
    assert eq["exact"] == {"Ann": {"C": "0", "D": "1"}, "Bob": {"C": "0", "D": "1"}}
    assert eq["regret"] == 0.0
    back = SolveResult.from_dict(data)
    assert back.equilibria == tuple(
        Equilibrium.from_dict(e.to_dict(), "pure") for e in res.equilibria
    )
    assert back.equilibria[0].exact_strategies == res.equilibria[0].exact_strategies


def test_build_result_rejects_non_equilibria():
    g = prisoners()
    res = build_result(g, [[np.array([1.0, 0.0]), np.array([1.0, 0.0])]], "test", complete=True)
    assert res.equilibria == ()
    assert res.status == "verification-failed" and not res.complete
    assert res.stats["rejected"] == 1 and res.stats["worst_rejected_regret"] == pytest.approx(2.0)


def test_build_result_removes_duplicates():
    g = prisoners()
    prof = [np.array([0.0, 1.0]), np.array([0.0, 1.0])]
    res = build_result(g, [prof, [v + 0 for v in prof]], "test", complete=True)
    assert len(res.equilibria) == 1


def test_verify_detects_tampering():
    res = gt.solve(prisoners(), method="pure")
    other = gt.NormalFormGame.bimatrix(
        [[3, 0], [5, 10]],
        [[3, 5], [0, 1]],
        players=["Ann", "Bob"],
        strategies=[["C", "D"], ["C", "D"]],
    )
    assert res.verify()
    assert res.verify(other)  # (D, D) is still an equilibrium there
    swapped = gt.NormalFormGame.bimatrix(
        [[3, 9], [5, 1]],
        [[3, 5], [0, 1]],
        players=["Ann", "Bob"],
        strategies=[["C", "D"], ["C", "D"]],
    )
    assert not res.verify(swapped)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 4))
def test_pure_equilibria_certify_exactly(seed, n):
    rng = np.random.default_rng(seed)
    g = gt.NormalFormGame.from_arrays(rng.integers(-3, 4, size=(n, *([2] * n))))
    res = gt.solve(g, "pure", exact=True)
    for eq in res.equilibria:
        assert eq.exact
        exact_profile = [np.array(v, dtype=object) for v in eq.exact_probabilities]
        assert g.regret(exact_profile, exact=True) == 0
