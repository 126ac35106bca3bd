"""Derivatives by the implicit function theorem: closed forms by hand, numeric path, tornado."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from conftest import arms_symbols

import gametheory as gt
from gametheory.analysis import sensitivity, tornado
from gametheory.analysis.sensitivity import numeric_derivatives

S = arms_symbols()
BASE = {
    S["approval_gain"]: 1,
    S["alliance_credit"]: sp.Rational(3, 2),
    S["battlefield_effect"]: sp.Rational(3, 10),
    S["setback_value"]: 5,
    S["readiness_cost"]: 2,
    S["compound_penalty"]: 4,
    S["nightmare_loss"]: 10,
    S["retaliation_value"]: 3,
    S["transfer_cost"]: sp.Rational(3, 2),
    S["damage_to_russia"]: 4,
}
X = (
    S["approval_gain"]
    + S["alliance_credit"]
    + S["battlefield_effect"] * S["setback_value"]
    - S["readiness_cost"]
)
# Mixed equilibrium by hand.  Moscow indifferent: restrain gives -q e D, transfer gives
# -c_T + q (r - e D), so q = c_T / r.  Seoul indifferent: withhold gives -t N, arm gives
# X - t (N + gamma), so t = X / gamma.  Payoffs: Seoul -t N, Moscow -q e D.
Q = S["transfer_cost"] / S["retaliation_value"]
T = X / S["compound_penalty"]
HAND = {
    ("strategies", "Seoul", "arm"): Q,
    ("strategies", "Seoul", "withhold"): 1 - Q,
    ("strategies", "Moscow", "transfer"): T,
    ("strategies", "Moscow", "restrain"): 1 - T,
    ("payoffs", "Seoul"): -T * S["nightmare_loss"],
    ("payoffs", "Moscow"): -Q * S["battlefield_effect"] * S["damage_to_russia"],
}


def lookup(tree, key):
    for k in key:
        tree = tree[k]
    return tree


def test_closed_forms_equal_the_hand_derivation(arms_model):
    (eq,) = sensitivity(arms_model).equilibria
    assert eq.regular and eq.label == "mixed: Seoul{withhold,arm} Moscow{restrain,transfer}"
    for key, expr in HAND.items():
        assert sp.simplify(lookup(eq.closed_form, key) - expr) == 0, key


def test_exact_derivatives_for_every_parameter(arms_model):
    (eq,) = sensitivity(arms_model).equilibria
    assert set(eq.exact_derivatives) == {str(s) for s in S.values()}
    for name, sym in S.items():
        for key, expr in HAND.items():
            want = sp.diff(expr, sym).subs(BASE)
            got = lookup(eq.exact_derivatives[name], key)
            assert got == want, (name, key)
            assert lookup(eq.derivatives[name], key) == pytest.approx(float(want), abs=1e-15)
    # the classic surprise: Seoul's own approval gain moves Moscow's mixture, not Seoul's
    assert eq.exact_derivatives["approval_gain"]["strategies"]["Seoul"]["arm"] == 0
    d_alpha = eq.exact_derivatives["approval_gain"]["strategies"]
    assert d_alpha["Moscow"]["transfer"] == sp.Rational(1, 4)


def test_elasticities_and_json(arms_model):
    res = sensitivity(arms_model)
    (eq,) = res.equilibria
    # d ln t / d ln alpha = (1 / gamma) * alpha / t = 0.25 * 1 / 0.5
    el = eq.elasticities["approval_gain"]["strategies"]
    assert el["Moscow"]["transfer"] == pytest.approx(0.5)
    d = res.to_dict()
    assert set(d) >= {"parameters", "equilibria"}
    assert d["parameters"]["approval_gain"] == 1.0
    e = d["equilibria"][0]
    assert set(e) >= {"strategies", "payoffs", "derivatives", "regular"}
    assert e["derivatives"]["retaliation_value"]["payoffs"]["Moscow"] == pytest.approx(0.2)
    assert e["closed_form"]["strategies"]["Seoul"]["arm"] == "transfer_cost/retaliation_value"


def test_numeric_path_agrees_with_exact(arms_model):
    at = {"approval_gain": 2.2, "retaliation_value": 4.5}
    exact = sensitivity(arms_model, at=at)
    numeric = sensitivity(arms_model, at=at, symbolic=False)
    (a,), (b,) = exact.equilibria, numeric.equilibria
    assert b.exact_derivatives is None and b.regular
    for name in a.derivatives:
        for key in HAND:
            want = lookup(a.derivatives[name], key)
            assert lookup(b.derivatives[name], key) == pytest.approx(want, abs=1e-12)


def test_pure_equilibrium_derivatives(arms_model):
    (eq,) = sensitivity(arms_model, at={"approval_gain": 3.5}).equilibria
    assert eq.label == "pure: Seoul=arm Moscow=transfer" and eq.regular
    # Seoul's payoff at (arm, transfer) is X - N - gamma
    assert eq.exact_derivatives["approval_gain"]["payoffs"]["Seoul"] == 1
    assert eq.exact_derivatives["compound_penalty"]["payoffs"]["Seoul"] == -1
    assert eq.exact_derivatives["approval_gain"]["strategies"]["Moscow"]["transfer"] == 0


def test_degenerate_point_is_flagged(arms_model):
    res = sensitivity(arms_model, at={"approval_gain": 3})  # X = gamma: Seoul indifferent
    assert res.equilibria and not any(e.regular for e in res.equilibria)
    assert all(e.derivatives is None and e.reasons for e in res.equilibria)
    assert any("slack zero" in r or "unequal" in r for e in res.equilibria for r in e.reasons)


def test_numeric_ift_on_a_three_player_mixed_equilibrium():
    # cyclic matching pennies: u1(a1, a2), u2(a2, a3), u3(a3, a1); u1(0, 0) = theta.
    # Player 1 indifferent: theta*y - (1 - y) = -y + (1 - y)  =>  y = 2 / (theta + 3),
    # where y is player 2's probability of strategy 0; the others mix 1/2 - 1/2.
    # Player 1's payoff: v1 = 1 - 2 y, so dv1/dtheta = 4 / (theta + 3)^2.
    theta = 1.0
    U = np.zeros((3, 2, 2, 2))
    match = np.array([[1.0, -1.0], [-1.0, 1.0]])
    U[0] = match[:, :, None]
    U[0][0, 0, :] = theta
    U[1] = -match[None, :, :]
    U[2] = match.T[:, None, :]
    D = np.zeros_like(U)
    D[0][0, 0, :] = 1.0
    y = 2 / (theta + 3)
    probs = np.array([0.5, 0.5, y, 1 - y, 0.5, 0.5])
    out, reasons = numeric_derivatives(U, {"theta": D}, probs, (2, 2, 2))
    assert reasons == ()
    dp, dv = out["theta"]
    dy = 2 / (theta + 3) ** 2
    np.testing.assert_allclose(dp, [0, 0, -dy, dy, 0, 0], atol=1e-14)
    assert dv[0] == pytest.approx(4 / (theta + 3) ** 2)
    np.testing.assert_allclose(dv[1:], 0, atol=1e-14)


def test_n_player_pure_equilibria_use_payoff_derivatives():
    th = sp.Symbol("theta")
    A = np.empty((3, 2, 2, 2), dtype=object)
    for idx in np.ndindex(*A.shape):
        A[idx] = sp.Integer(idx[1 + idx[0]]) * (1 + th) + sp.Integer(idx[0])
    game = gt.NormalFormGame.from_arrays(*A)
    model = gt.Model(game, {"theta": gt.Parameter("theta", 1, (0, 2))})
    res = sensitivity(model)
    # every player's own strategy 1 is dominant: payoff 1 + theta + i at (1, 1, 1)
    (eq,) = res.equilibria
    assert eq.label == "pure: Player 1=s2 Player 2=s2 Player 3=s2"
    assert eq.derivatives["theta"]["payoffs"] == {"Player 1": 1.0, "Player 2": 1.0, "Player 3": 1.0}
    assert eq.exact_derivatives is None  # three players: numeric path


def test_tornado_swings_by_hand(arms_model):
    res = tornado(arms_model, outcome="Moscow:transfer")
    bars = {b.parameter: b for b in res.bars}
    # t = X / gamma: beta from 0 to 3 moves X from 0.5 to 3.5, t from 1/8 to 7/8
    credit = bars["alliance_credit"]
    assert (credit.low, credit.high) == pytest.approx((0.125, 0.875))
    assert bars["alliance_credit"].swing == pytest.approx(0.75)
    assert not bars["alliance_credit"].support_changes
    assert bars["damage_to_russia"].swing == pytest.approx(0.0, abs=1e-12)
    # readiness cost 4 makes X = 0 (t = 0): the path reaches (withhold, restrain)
    assert bars["readiness_cost"].high == pytest.approx(0.0, abs=1e-9)
    swings = [b.swing for b in res.bars]
    assert swings == sorted(swings, reverse=True)
    with pytest.raises(gt.InvalidOptionError, match="unknown outcome"):
        tornado(arms_model, outcome="Seoul:flee")
