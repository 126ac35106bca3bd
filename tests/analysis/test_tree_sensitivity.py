"""Derivatives of tree equilibria: exact for pure ones, the implicit function theorem for mixed."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp
from tree_models import (
    ALPHA,
    C_T,
    E_D,
    GAMMA,
    N_LOSS,
    P_HIGH,
    R_HIGH,
    RHO,
    THETA,
    X_GAIN,
    B,
    M,
    entry_model,
    poker_model,
    signaling_model,
)

from gametheory.analysis import sensitivity, sweep


def test_entry_pure_equilibrium_has_exact_derivatives():
    res = sensitivity(entry_model(), at={"theta": 2})
    (eq,) = res.equilibria
    assert eq.label == "pure: Entrant{E=in} Incumbent{I=accommodate}" and eq.regular
    # by hand: on the path in/accommodate the payoffs are (m - theta, 1)
    closed = eq.closed_form["payoffs"]
    assert sp.simplify(closed["Entrant"] - (M - THETA)) == 0 and closed["Incumbent"] == 1
    assert eq.exact_derivatives["theta"]["payoffs"] == {"Entrant": -1, "Incumbent": 0}
    assert eq.exact_derivatives["m"]["payoffs"] == {"Entrant": 1, "Incumbent": 0}
    assert eq.exact_derivatives["k"]["payoffs"] == {"Entrant": 0, "Incumbent": 0}
    for block in eq.derivatives.values():
        assert block["behavior"] == {
            "Entrant": {"E": {"out": 0.0, "in": 0.0}},
            "Incumbent": {"I": {"fight": 0.0, "accommodate": 0.0}},
        }
    # elasticity of the entrant's payoff: d ln u / d ln theta = -1 * 2 / (7/2 - 2)
    assert eq.elasticities["theta"]["payoffs"]["Entrant"] == pytest.approx(-4 / 3)
    assert eq.elasticities["theta"]["behavior"]["Entrant"]["E"] == {"out": None, "in": -0.0}
    data = json.loads(json.dumps(res.to_dict(), default=str))
    (out,) = data["equilibria"]
    assert "strategies" not in out and out["behavior"]["Incumbent"]["I"]["accommodate"] == 1.0
    assert out["derivatives"]["theta"]["payoffs"] == {"Entrant": -1.0, "Incumbent": 0.0}
    assert out["closed_form"]["payoffs"]["Entrant"] in ("m - theta", "-theta + m")


def test_ties_are_not_regular():
    res = sensitivity(entry_model(), at={"theta": sp.Rational(3, 2)})
    assert sorted(e.label for e in res.equilibria) == [
        "pure: Entrant{E=in} Incumbent{I=accommodate}",
        "pure: Entrant{E=out} Incumbent{I=fight}",
    ]
    for eq in res.equilibria:
        assert not eq.regular and eq.derivatives is None and eq.exact_derivatives is None
        assert eq.reasons == ("an unused action at Incumbent's information set 'I' is also a best "
                              "reply",)  # fmt: skip


def test_signaling_path_through_chance_is_differentiated_exactly():
    res = sensitivity(signaling_model(), at={"approval_gain": 14, "backdown_cost": 2})
    (eq,) = res.equilibria
    assert "signal=quiet" in eq.label and "after_quiet=arm" in eq.label and eq.regular
    # by hand: quiet, Seoul arms, the resolute type transfers and the bluffing one restrains
    seoul = RHO * (X_GAIN - N_LOSS - GAMMA) + (1 - RHO) * X_GAIN
    moscow = RHO * (R_HIGH - C_T - E_D) + (1 - RHO) * (-E_D)
    closed = eq.closed_form["payoffs"]
    assert sp.simplify(closed["Seoul"] - seoul) == 0 and sp.simplify(closed["Moscow"] - moscow) == 0
    point = {ALPHA: 14, RHO: sp.Rational(3, 10)}
    for name, sym in (("approval_gain", ALPHA), ("p_resolute", RHO)):
        got = eq.exact_derivatives[name]["payoffs"]
        assert got == {
            "Seoul": sp.diff(seoul, sym).subs(point),
            "Moscow": sp.diff(moscow, sym).subs(point),
        }
    assert eq.exact_derivatives["p_resolute"]["payoffs"] == {"Seoul": -14, "Moscow": 1}
    assert eq.exact_derivatives["backdown_cost"]["payoffs"] == {"Seoul": 0, "Moscow": 0}
    assert eq.payoffs == pytest.approx({"Seoul": 15 - 14 * 0.3, "Moscow": 0.3 - 1.2})


def test_mixed_behaviour_by_the_implicit_function_theorem():
    model = poker_model()
    res = sensitivity(model, at={"b": 1})
    (eq,) = res.equilibria
    assert eq.label == "mixed: Ann{H=bet;L=fold+bet} Bob{bet=call+pass}" and eq.regular
    # by hand (tree_models.poker_model): q = p b / ((1 - p)(2 + b)), r = 2 / (2 + b),
    # Ann's payoff p (r (1 + b) + 1 - r) - (1 - p)
    q = P_HIGH * B / ((1 - P_HIGH) * (2 + B))
    r = 2 / (2 + B)
    ann = P_HIGH * (r * (1 + B) + 1 - r) - (1 - P_HIGH)
    at = {B: 1, P_HIGH: sp.Rational(1, 3)}
    assert eq.behavior["Ann"]["L"]["bet"] == pytest.approx(float(q.subs(at)))
    assert eq.behavior["Bob"]["bet"]["call"] == pytest.approx(float(r.subs(at)))
    for name, sym in (("b", B), ("p_high", P_HIGH)):
        d = eq.derivatives[name]
        assert d["behavior"]["Ann"]["L"]["bet"] == pytest.approx(float(sp.diff(q, sym).subs(at)))
        assert d["behavior"]["Ann"]["L"]["fold"] == pytest.approx(-float(sp.diff(q, sym).subs(at)))
        assert d["behavior"]["Ann"]["H"] == {"fold": 0.0, "bet": 0.0}
        assert d["behavior"]["Bob"]["bet"]["call"] == pytest.approx(
            float(sp.diff(r, sym).subs(at)), abs=1e-12
        )
        assert d["payoffs"]["Ann"] == pytest.approx(float(sp.diff(ann, sym).subs(at)))
        assert d["payoffs"]["Bob"] == pytest.approx(-float(sp.diff(ann, sym).subs(at)))
    assert eq.derivatives["b"]["behavior"]["Ann"]["L"]["bet"] == pytest.approx(1 / 9)
    assert eq.derivatives["p_high"]["payoffs"]["Ann"] == pytest.approx(8 / 3)
    # the indifference equations are linear in the behaviour: closed forms and exact derivatives
    closed = eq.closed_form["behavior"]
    assert sp.simplify(closed["Ann"]["L"]["bet"] - q) == 0
    assert sp.simplify(closed["Bob"]["bet"]["call"] - r) == 0
    assert sp.simplify(eq.closed_form["payoffs"]["Ann"] - ann) == 0
    for name, sym in (("b", B), ("p_high", P_HIGH)):
        ex = eq.exact_derivatives[name]
        assert ex["behavior"]["Ann"]["L"]["bet"] == sp.diff(q, sym).subs(at)
        assert ex["behavior"]["Bob"]["bet"]["call"] == sp.diff(r, sym).subs(at)
        assert ex["payoffs"]["Ann"] == sp.diff(ann, sym).subs(at)
    numeric = sensitivity(model, at={"b": 1}, symbolic=False).equilibria[0]
    assert numeric.exact_derivatives is None and numeric.closed_form is None
    assert numeric.derivatives["b"]["behavior"]["Ann"]["L"]["bet"] == pytest.approx(1 / 9)
    # and against central differences of re-solved equilibria
    h = 1e-5
    around = sweep(model, {"b": [1 - h, 1 + h]})
    k = around.columns.index("Ann:L:bet") - 3
    fd = (around.probs[1, k] - around.probs[0, k]) / (2 * h)
    assert fd == pytest.approx(eq.derivatives["b"]["behavior"]["Ann"]["L"]["bet"], rel=1e-6)
    fd_pay = (around.payoffs[1, 0] - around.payoffs[0, 0]) / (2 * h)
    assert fd_pay == pytest.approx(eq.derivatives["b"]["payoffs"]["Ann"], rel=1e-6)


def test_degenerate_points_are_flagged():
    # at stake 0 Bob is indifferent whatever Ann does: no equilibrium is regular
    res = sensitivity(poker_model(), at={"b": 0})
    assert len(res.equilibria) >= 2
    assert all(not e.regular and e.derivatives is None for e in res.equilibria)
    assert all(any("also a best reply" in r for r in e.reasons) for e in res.equilibria)
    assert np.isfinite([e.payoffs["Ann"] for e in res.equilibria]).all()


def test_pure_equilibrium_of_an_imperfect_information_tree():
    # p_high = 17/20 > 3/4: Ann always bets and Bob passes; every active choice is strict
    # (Bob: calling pays p(-1 - b) + (1 - p)(1 + b) = -7/5 < -1 = passing)
    res = sensitivity(poker_model(), at={"p_high": sp.Rational(17, 20)})
    (eq,) = res.equilibria
    assert eq.label == "pure: Ann{H=bet;L=bet} Bob{bet=pass}" and eq.regular
    assert sp.simplify(eq.closed_form["payoffs"]["Ann"] - (P_HIGH + (1 - P_HIGH))) == 0
    assert eq.exact_derivatives["p_high"]["payoffs"] == {"Ann": 0, "Bob": 0}
    assert eq.exact_derivatives["b"]["payoffs"] == {"Ann": 0, "Bob": 0}
