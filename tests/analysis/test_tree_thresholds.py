"""Thresholds of trees: closed forms by hand, numeric fallback, a property on random trees."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from tree_models import (
    A_M,
    ALPHA,
    C_T,
    E_D,
    GAMMA,
    N_LOSS,
    P_HIGH,
    R_LOW,
    RHO,
    THETA,
    X_GAIN,
    B,
    K,
    M,
    entry_model,
    poker_model,
    random_parametric_tree,
    signaling_model,
)

import gametheory as gt
from gametheory.analysis import sweep, thresholds
from gametheory.exceptions import InvalidOptionError
from gametheory.games.tree_builder import from_nested


def test_entry_thresholds_are_exact():
    # the incumbent is indifferent where k - theta = 1; the entrant (facing accommodation)
    # where m - theta = 0
    fight = sp.solve(sp.Eq(K - THETA, 1), THETA)[0]
    enter = sp.solve(sp.Eq(M - THETA, 0), THETA)[0]
    for k_value in (sp.Rational(5, 2), sp.Integer(4)):
        base = {K: k_value, M: sp.Rational(7, 2)}
        res = thresholds(entry_model(), "theta", at={"k": k_value})
        assert res.method.startswith("exact")
        assert [t.exact for t in res.thresholds] == [fight.subs(base), enter.subs(base)]
        assert res.values == [float(fight.subs(base)), 3.5]
        first, second = res.thresholds
        assert first.left["label"] == "pure: Entrant{E=out} Incumbent{I=fight}"
        assert first.right["label"] == second.left["label"]
        assert second.left["label"] == "pure: Entrant{E=in} Incumbent{I=accommodate}"
        assert second.right["label"] == "pure: Entrant{E=out} Incumbent{I=accommodate}"
        assert first.left["equilibria"][0]["behavior"]["Incumbent"] == {
            "I": {"fight": 1.0, "accommodate": 0.0}
        }
    data = res.to_dict()
    assert data["thresholds"][0]["exact"] == "3" and data["range"] == [0.0, 6.0]


def test_signaling_thresholds_are_exact():
    model = signaling_model()
    base = {RHO: sp.Rational(3, 10), A_M: 2}
    # after a quiet Moscow, arming pays rho (X - N - gamma) + (1 - rho) X = X - rho (N + gamma)
    quiet = sp.solve(sp.Eq(X_GAIN - RHO * (N_LOSS + GAMMA), 0), ALPHA)[0]
    # a warned Moscow transfers whatever its resolve (backdown_cost > c_T - r_L): arming pays
    # X - N - gamma
    warned = sp.solve(sp.Eq(X_GAIN - N_LOSS - GAMMA, 0), ALPHA)[0]
    res = thresholds(model, "approval_gain", 0, 15, at={"backdown_cost": 2})
    assert [t.exact for t in res.thresholds] == [quiet.subs(base), warned]
    assert [t.exact for t in res.thresholds] == [sp.Rational(16, 5), 13]
    first, second = res.thresholds
    assert "after_quiet=withhold" in first.left["label"] and "signal=quiet" in first.left["label"]
    assert "after_quiet=arm" in first.right["label"] and "signal=warn" in first.right["label"]
    assert "after_warn=arm" in second.right["label"] and "signal=quiet" in second.right["label"]
    # in the probability of a resolute Moscow (a chance probability), at approval_gain = 2
    crit = sp.solve(sp.Eq(X_GAIN - RHO * (N_LOSS + GAMMA), 0), RHO)[0].subs(ALPHA, 2)
    res = thresholds(model, "p_resolute", at={"approval_gain": 2})
    assert [t.exact for t in res.thresholds] == [crit] == [sp.Rational(3, 14)]
    assert "signal=warn" in res.thresholds[0].left["label"]
    assert "signal=quiet" in res.thresholds[0].right["label"]
    # the warning becomes credible where a bluffing Moscow is indifferent after warning
    credible = sp.solve(sp.Eq(R_LOW - C_T - E_D, -E_D - A_M), A_M)[0]
    res = thresholds(model, "backdown_cost", at={"approval_gain": 4})
    assert [t.exact for t in res.thresholds] == [credible] == [1]
    assert "bluffing_warn=restrain" in res.thresholds[0].left["label"]
    assert "bluffing_warn=transfer" in res.thresholds[0].right["label"]


def test_imperfect_information_thresholds_are_numeric():
    model = poker_model()
    with pytest.raises(InvalidOptionError, match="perfect information"):
        thresholds(model, "p_high", mode="exact")
    res = thresholds(model, "p_high", 0.5, 0.9, points=21)
    assert res.method.startswith("numeric: grid of 21 points")
    # by hand: the mixed equilibrium needs q = p b / ((1 - p)(2 + b)) <= 1, i.e.
    # p <= (2 + b) / (2 (1 + b)) = 3/4 at b = 1; above it Ann always bets and Bob passes
    assert len(res.thresholds) == 1
    t = res.thresholds[0]
    (lo, hi), prec = res.details["brackets"][0], res.details["precision"]
    assert lo <= 0.75 <= hi and hi - lo <= 2 * prec
    # the bracket is pinned exactly: Bob's slack at the pure equilibrium (bet, bet; pass),
    # pass minus call = p b - (1 - p)(2 + b), has its one root there
    crit = sp.solve(sp.Eq(P_HIGH * B - (1 - P_HIGH) * (2 + B), 0), P_HIGH)[0]
    assert sp.simplify(crit - (2 + B) / (2 * (1 + B))) == 0
    assert t.exact == crit.subs(B, 1) == sp.Rational(3, 4) and t.value == 0.75
    assert "exact: the one root of a pure equilibrium's best-reply slack" in res.method
    assert t.left["label"] == "mixed: Ann{H=bet;L=fold+bet} Bob{bet=call+pass}"
    assert t.right["label"] == "pure: Ann{H=bet;L=bet} Bob{bet=pass}"


def _regime(model, theta: float) -> frozenset:
    """Independent: the set of subgame-perfect equilibria by gt.solve at one point."""
    res = gt.solve(model.bind(theta=float(theta)), method="backward-induction")
    return frozenset(
        tuple((h, a) for _, sets in eq.behavior for h, acts in sets for a, p in acts if p == 1.0)
        for eq in res.equilibria
    )


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10**6))
def test_random_tree_thresholds_are_real_and_complete(seed):
    model, _ = random_parametric_tree(seed, depth=4)
    res = thresholds(model, "theta", -2, 2)
    assert res.method.startswith("exact")
    values = res.values
    assert values == sorted(values)
    for k, t in enumerate(res.thresholds):
        gaps = [abs(t.value - u) for j, u in enumerate(values) if j != k] + [1.0]
        d = min(1e-6, min(gaps) / 4)
        assert _regime(model, t.value - d) != _regime(model, t.value + d), t.value
        assert sp.Abs(t.exact - sp.Rational(t.value)) < 1e-12
    # none missed: a fine grid (shifted off the rational tie points) changes only across them
    grid = np.linspace(-2, 2, 801) + np.pi * 1e-6
    grid = grid[grid <= 2]
    regimes = sweep(model, {"theta": grid}).regimes()
    for k in np.flatnonzero(regimes[1:] != regimes[:-1]):
        assert any(grid[k] <= v <= grid[k + 1] for v in values), (grid[k], grid[k + 1])


ENTRY_YAML = """\
title: Entry deterrence
parameters:
  theta: {value: 2, range: [0, 6]}
  k: {value: 5/2, range: [1, 4]}
  m: {value: 7/2, range: [2, 5]}
players: [Entrant, Incumbent]
tree:
  player: Entrant
  infoset: E
  actions:
    out: {payoffs: [0, 5]}
    in:
      player: Incumbent
      infoset: I
      actions:
        fight: {payoffs: [-1, k - theta]}
        accommodate: {payoffs: [m - theta, 1]}
"""


def test_tree_model_file_gives_the_same_analysis(tmp_path):
    path = tmp_path / "entry.yaml"
    path.write_text(ENTRY_YAML)
    model = gt.load(path)
    res = thresholds(model, "theta")
    assert [t.exact for t in res.thresholds] == [sp.Rational(3, 2), sp.Rational(7, 2)]
    grid = {"theta": np.linspace(0, 6, 25), "m": [2.0, 5.0]}
    assert sweep(model, grid).to_csv() == sweep(entry_model(), grid).to_csv()


LEFT, RIGHT = sp.Rational(71, 100), sp.Rational(711, 1000)


def narrow_window_model() -> gt.Model:
    """Entry with a fight payoff that dips below accommodation on a narrow window only.

    The incumbent fights iff (theta - 71/100)(theta - 711/1000) > 0, i.e. outside
    [71/100, 711/1000]; a fought entrant loses 1, an accommodated one gains 1, so the
    regime is (out, fight) outside the window and (in, accommodate) inside it.
    """
    game = from_nested(
        {
            "player": "Entrant",
            "infoset": "E",
            "actions": {
                "out": [0, 0],
                "in": {
                    "player": "Incumbent",
                    "infoset": "I",
                    "actions": {
                        "fight": [-1, (THETA - LEFT) * (THETA - RIGHT)],
                        "accommodate": [1, 0],
                    },
                },
            },
        },
        players=["Entrant", "Incumbent"],
    )
    return gt.Model(game, {"theta": gt.Parameter("theta", Fraction(1, 2), (0, 1))})


def test_numeric_thresholds_find_a_window_between_grid_points():
    # method "spe" takes the numeric mechanism; the 21-point grid (spacing 1/20) never
    # lands in the window, but the slack of (out, fight), seen on the grid, has its roots
    # at the window's ends, and the game is solved beside them
    model = narrow_window_model()
    grid = np.linspace(0, 1, 21)
    assert len(set(sweep(model, {"theta": grid}, method="spe").regimes().tolist())) == 1
    res = thresholds(model, "theta", method="spe", points=21)
    assert res.method.startswith("numeric: grid of 21 points")
    assert "solved beside 2 root(s)" in res.method
    assert [t.exact for t in res.thresholds] == [LEFT, RIGHT]
    first, second = res.thresholds
    fight = "pure: Entrant{E=out} Incumbent{I=fight}"
    assert first.left["label"] == second.right["label"] == fight
    assert first.right["label"] == "pure: Entrant{E=in} Incumbent{I=accommodate}"
    for (lo, hi), t in zip(res.details["brackets"], res.thresholds):
        assert lo < t.value < hi and hi - lo <= 2 * res.details["precision"]


def test_numeric_default_grid_of_trees():
    res = thresholds(narrow_window_model(), "theta", method="spe")
    assert res.method.startswith("numeric: grid of 201 points")
    assert [t.exact for t in res.thresholds] == [LEFT, RIGHT]
