"""Closed forms of the two showcase models, derived by hand here, against the package.

Both models are loaded from the shipped files ``models/arms_dilemma.yaml`` and
``models/threat_signaling.yaml``.  Every expected value below is derived in
sympy from the payoff formulas of MODELS.md (and checked to be the payoffs of
the files), never copied from the package's output.  docs/analysis.md shows
the same derivations.

Notation: X = alpha + beta + e V - kappa is Seoul's net gain from arming
(approval_gain, alliance_credit, battlefield_effect, setback_value,
readiness_cost); N = nightmare_loss, gamma = compound_penalty, c_T =
transfer_cost, r = retaliation_value (r_H / r_L by type), D =
damage_to_russia, rho = p_resolute, a_M = backdown_cost.
"""

from __future__ import annotations

import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.exceptions import OutOfRangeWarning

ROOT = Path(__file__).resolve().parents[2]
NAMES = (
    "approval_gain alliance_credit battlefield_effect setback_value readiness_cost "
    "compound_penalty nightmare_loss retaliation_value transfer_cost damage_to_russia "
    "p_resolute retaliation_value_resolute retaliation_value_bluffing backdown_cost"
).split()
S = {n: sp.Symbol(n) for n in NAMES}
al, be, e, V, ka = (S[n] for n in NAMES[:5])
ga, N, r, cT, D = (S[n] for n in NAMES[5:10])
rho, rH, rL, aM = (S[n] for n in NAMES[10:])
X = al + be + e * V - ka
# baselines of MODELS.md (modelling assumptions, not estimates)
BASE = {al: 1, be: sp.Rational(3, 2), e: sp.Rational(3, 10), V: 5, ka: 2, ga: 4, N: 10, r: 3,
        cT: sp.Rational(3, 2), D: 4, rho: sp.Rational(3, 10), rH: sp.Rational(5, 2),
        rL: sp.Rational(1, 2), aM: sp.Rational(1, 2)}  # fmt: skip


@pytest.fixture(scope="module")
def arms():
    return gt.load(ROOT / "models" / "arms_dilemma.yaml")


@pytest.fixture(scope="module")
def threat():
    return gt.load(ROOT / "models" / "threat_signaling.yaml")


def _q(v) -> sp.Rational:
    f = Fraction(v) if not isinstance(v, float) else Fraction(str(v))
    return sp.Rational(f.numerator, f.denominator)


def test_files_hold_the_payoffs_and_baselines_of_the_derivation(arms, threat):
    for model in (arms, threat):
        for name, p in model.parameters.items():
            assert _q(p.value) == BASE[S[name]], name
    # arms dilemma: (withhold, restrain) = (0, 0), (withhold, transfer) = (-N, -c_T),
    # (arm, restrain) = (X, -e D), (arm, transfer) = (X - N - gamma, -e D + r - c_T)
    want = [[[0, -N], [X, X - N - ga]], [[0, -cT], [-e * D, -e * D + r - cT]]]
    got = arms.game.payoff_array
    for idx in np.ndindex(got.shape):
        assert sp.simplify(sp.sympify(got[idx]) - want[idx[0]][idx[1]][idx[2]]) == 0, idx
    # threat signaling: terminal "type/signal/arm/response"
    g = threat.game
    for t, pay in zip(g.terminals, g.terminal_payoffs):
        label = g.node_label(int(t)).split("/")
        if label[-1] == "withhold":
            seoul, moscow = 0, 0
        elif label[-1] == "transfer":
            seoul, moscow = X - N - ga, -e * D + (rH if label[0] == "resolute" else rL) - cT
        else:
            seoul, moscow = X, -e * D - (aM if label[1] == "warn" else 0)
        assert sp.simplify(sp.sympify(pay[0]) - seoul) == 0, label
        assert sp.simplify(sp.sympify(pay[1]) - moscow) == 0, label


# ============================================================== arms dilemma (normal form)
# Best replies.  Moscow against withhold: restrain (0 > -c_T).  Moscow against arm: transfer
# iff r > c_T (e D cancels).  Seoul against restrain: arm iff X > 0; against transfer: arm iff
# X - N - gamma > -N, i.e. X > gamma.  So with r > c_T the regimes in alpha are
# (withhold, restrain) for X < 0, the mixed equilibrium for 0 < X < gamma, (arm, transfer) for
# X > gamma; with r < c_T Moscow always restrains and only X = 0 matters.
ALPHA_LOW = sp.solve(X, al)[0]  # kappa - beta - e V
ALPHA_HIGH = sp.solve(X - ga, al)[0]  # gamma + kappa - beta - e V
# Mixed equilibrium: Moscow indifferent, -q e D = (1 - q)(-c_T) + q (-e D + r - c_T), gives
# Seoul's q = P(arm) = c_T / r.  Seoul indifferent, -t N = X - t (N + gamma), gives Moscow's
# t = P(transfer) = X / gamma.  Payoffs: Seoul -t N, Moscow -q e D.
Q_ARM = cT / r
T_TRANSFER = X / ga
MIXED = {
    ("Seoul", "arm"): Q_ARM,
    ("Seoul", "withhold"): 1 - Q_ARM,
    ("Moscow", "transfer"): T_TRANSFER,
    ("Moscow", "restrain"): 1 - T_TRANSFER,
}
MIXED_PAY = {"Seoul": -T_TRANSFER * N, "Moscow": -Q_ARM * e * D}
MIXED_LABEL = "mixed: Seoul{withhold,arm} Moscow{restrain,transfer}"


def test_arms_critical_approval_gains_at_baseline(arms):
    assert [ALPHA_LOW.subs(BASE), ALPHA_HIGH.subs(BASE)] == [-1, 3]
    res = gt.thresholds(arms, "approval_gain", -3, 6)
    assert res.method.startswith("exact")
    assert [sp.simplify(t.exact - w.subs(BASE)) for t, w in
            zip(res.thresholds, (ALPHA_LOW, ALPHA_HIGH), strict=True)] == [0, 0]  # fmt: skip
    assert res.values == [-1.0, 3.0]
    low, high = res.thresholds
    assert (low.left["label"], low.right["label"]) == (
        "pure: Seoul=withhold Moscow=restrain", MIXED_LABEL)  # fmt: skip
    assert (high.left["label"], high.right["label"]) == (
        MIXED_LABEL, "pure: Seoul=arm Moscow=transfer")  # fmt: skip
    # in the declared range [0, 3] only the upper one, at its end: Seoul mixes at baseline
    assert [t.exact for t in gt.thresholds(arms, "approval_gain").thresholds] == [3]


def _rational(lo: int, hi: int, den: int = 4):
    return st.integers(lo * den, hi * den).map(lambda k: sp.Rational(k, den))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    beta=_rational(0, 3), eff=_rational(0, 1, 10), value=_rational(2, 8, 2),
    kappa=_rational(1, 4, 4), gamma=_rational(2, 8, 2), ret=_rational(0, 6, 2),
    cost=_rational(1, 4, 4), damage=_rational(1, 8, 1),
)  # fmt: skip
def test_arms_critical_approval_gains_as_functions_of_the_others(
    arms, beta, eff, value, kappa, gamma, ret, cost, damage
):
    assume(ret != cost)
    point = {be: beta, e: eff, V: value, ka: kappa, ga: gamma, r: ret, cT: cost, D: damage}
    want = [ALPHA_LOW.subs(point)] + ([ALPHA_HIGH.subs(point)] if ret > cost else [])
    at = {str(k): Fraction(int(v.p), int(v.q)) for k, v in point.items()}
    lo, hi = float(want[0]) - 1, float(want[-1]) + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OutOfRangeWarning)
        res = gt.thresholds(arms, "approval_gain", lo, hi, at=at)
    assert [t.exact for t in res.thresholds] == want
    last = res.thresholds[-1].right["label"]
    assert last == ("pure: Seoul=arm Moscow=transfer" if ret > cost
                    else "pure: Seoul=arm Moscow=restrain")  # fmt: skip


def test_arms_thresholds_in_other_parameters(arms):
    # X = gamma in e: e* = (gamma + kappa - alpha - beta) / V = 7/10 (X = 0 needs e < 0);
    # e also enters Moscow's payoffs (-e D) but cancels in Moscow's comparisons
    e_star = sp.solve(X - ga, e)[0]
    res = gt.thresholds(arms, "battlefield_effect")
    assert [t.exact for t in res.thresholds] == [e_star.subs(BASE)] == [sp.Rational(7, 10)]
    # X = gamma in kappa: kappa* = alpha + beta + e V - gamma = 0 (outside [0.5, 4]);
    # X = 0: kappa* = alpha + beta + e V = 4, the top of the range
    res = gt.thresholds(arms, "readiness_cost")
    assert [t.exact for t in res.thresholds] == [sp.solve(X, ka)[0].subs(BASE)] == [4]
    # Moscow's side: r* = c_T
    res = gt.thresholds(arms, "retaliation_value")
    assert [t.exact for t in res.thresholds] == [cT.subs(BASE)]


def test_arms_mixed_equilibrium_closed_form_and_derivatives(arms):
    res = gt.sensitivity(arms)
    (eq,) = res.equilibria
    assert eq.label == MIXED_LABEL and eq.regular
    for (player, s), expr in MIXED.items():
        assert sp.simplify(eq.closed_form["strategies"][player][s] - expr) == 0, (player, s)
    for player, expr in MIXED_PAY.items():
        assert sp.simplify(eq.closed_form["payoffs"][player] - expr) == 0, player
    assert set(eq.exact_derivatives) == set(arms.parameters)
    for name in arms.parameters:
        sym = S[name]
        block = eq.exact_derivatives[name]
        for (player, s), expr in MIXED.items():
            assert block["strategies"][player][s] == sp.diff(expr, sym).subs(BASE), (name, s)
        for player, expr in MIXED_PAY.items():
            assert block["payoffs"][player] == sp.diff(expr, sym).subs(BASE), (name, player)


def test_arms_own_payoff_terms_move_the_other_players_mixture(arms):
    # the surprise, read off the hand derivation: Seoul's mixture c_T / r depends only on
    # Moscow's payoff terms, Moscow's mixture X / gamma only on Seoul's
    seoul_terms = {al, be, e, V, ka, ga, N}
    moscow_terms = {cT, r, D}
    (eq,) = gt.sensitivity(arms).equilibria
    seoul_mix = eq.closed_form["strategies"]["Seoul"]["arm"]
    moscow_mix = eq.closed_form["strategies"]["Moscow"]["transfer"]
    assert seoul_mix.free_symbols == Q_ARM.free_symbols <= moscow_terms
    assert moscow_mix.free_symbols == T_TRANSFER.free_symbols <= seoul_terms
    d = eq.exact_derivatives
    assert d["approval_gain"]["strategies"]["Seoul"]["arm"] == 0
    assert d["approval_gain"]["strategies"]["Moscow"]["transfer"] == 1 / ga.subs(BASE)
    assert d["retaliation_value"]["strategies"]["Moscow"]["transfer"] == 0
    assert d["retaliation_value"]["strategies"]["Seoul"]["arm"] == -cT.subs(BASE) / 9
    # and against re-solved equilibria (central differences of independent solves)
    h = Fraction(1, 1000)

    def transfer(alpha: Fraction) -> float:
        (eq,) = gt.solve(arms.bind(approval_gain=alpha)).equilibria
        return eq.strategies["Moscow"]["transfer"]

    fd = (transfer(1 + h) - transfer(1 - h)) / (2 * float(h))
    assert fd == pytest.approx(0.25, abs=1e-9)


def test_arms_region_map_over_approval_gain_and_readiness_cost(arms):
    # X = alpha + 3 - kappa at the other baselines; kappa on odd quarters avoids ties
    alphas = np.linspace(0, 3, 7)
    kappas = np.array([0.75, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75])
    res = gt.sweep(arms, {"approval_gain": alphas, "readiness_cost": kappas})
    regimes = res.regimes().reshape(len(alphas), len(kappas))
    gamma = float(ga.subs(BASE))
    for i, a in enumerate(alphas):
        for j, k in enumerate(kappas):
            x = float(X.subs({**BASE, al: _q(a), ka: _q(k)}))
            want = ("pure: Seoul=withhold Moscow=restrain" if x < 0 else MIXED_LABEL
                    if x < gamma else "pure: Seoul=arm Moscow=transfer")  # fmt: skip
            assert regimes[i, j] == want, (a, k)


# ================================================= threat signaling (imperfect information)
# After Seoul arms, each type of Moscow compares transfer (-e D + r_type - c_T) with restraint
# (-e D, minus a_M after a warning):
RESOLUTE_QUIET = rH - cT  # transfer iff > 0
RESOLUTE_WARNED = rH - cT + aM
BLUFFER_QUIET = rL - cT
BLUFFER_WARNED = rL - cT + aM  # transfer iff a_M > c_T - r_L
# At a signal after which Seoul believes Moscow resolute with probability mu, and the resolute
# type transfers while the bluffer restrains, arming pays mu (X - N - gamma) + (1 - mu) X.
# A warning both types send (pooling) leaves mu = rho: deterrence by warning holds iff
# rho (X - N - gamma) + (1 - rho) X <= 0.
ARM_POOLED = rho * (X - N - ga) + (1 - rho) * X
ALPHA_STAR = sp.solve(ARM_POOLED, al)[0]
RHO_STAR = sp.solve(ARM_POOLED, rho)[0]
AM_STAR = sp.solve(BLUFFER_WARNED, aM)[0]
# with a_M > c_T - r_L a warned bluffer transfers too: after a pooled warning arming pays
# X - N - gamma, and deterrence by warning holds up to X = N + gamma
ALPHA_BINDING = sp.solve(X - N - ga, al)[0]


def _arming(beh: dict, p_res: float) -> float:
    """Probability that Seoul arms on the path of a behaviour profile."""
    seoul, moscow = beh["Seoul"], beh["Moscow"]
    out = 0.0
    for kind, w in (("resolute", p_res), ("bluffing", 1 - p_res)):
        sig = moscow[f"{kind}: signal"]
        out += w * (sig["warn"] * seoul["warned"]["arm"] + sig["quiet"] * seoul["quiet"]["arm"])
    return out


def test_threat_hand_derivation():
    assert sp.simplify(ALPHA_STAR - (rho * (N + ga) - (be + e * V - ka))) == 0
    assert sp.simplify(RHO_STAR - X / (N + ga)) == 0
    assert ALPHA_STAR.subs(BASE) == sp.Rational(16, 5)
    assert RHO_STAR.subs(BASE) == sp.Rational(1, 7)
    # the declared range of alpha is [0, 3]: deterrence fails in it iff rho < rho*(alpha = 3)
    assert RHO_STAR.subs({**BASE, al: 3}) == sp.Rational(2, 7)
    assert AM_STAR == cT - rL and AM_STAR.subs(BASE) == 1
    assert ALPHA_BINDING.subs(BASE) == 13
    # the conditions of the derivation hold at the baseline
    assert RESOLUTE_QUIET.subs(BASE) > 0 and RESOLUTE_WARNED.subs(BASE) > 0
    assert BLUFFER_QUIET.subs(BASE) < 0 and BLUFFER_WARNED.subs(BASE) < 0


def test_threat_deterrence_threshold_in_approval_gain(threat):
    with pytest.warns(OutOfRangeWarning, match="declared range"):
        res = gt.thresholds(threat, "approval_gain", 0, 4, points=41)
    assert res.method.startswith("numeric: grid of 41 points")
    (t,) = res.thresholds
    # the numeric bracket holds the exact value; the stated precision bounds its half-width
    (lo, hi), prec = res.details["brackets"][0], res.details["precision"]
    assert prec == pytest.approx((1e-6 + 1e-8) * 4 / 2) and hi - lo <= 2 * prec
    assert lo <= float(ALPHA_STAR.subs(BASE)) <= hi
    # ... pinned exactly by a pure equilibrium's best-reply slack
    assert t.exact == ALPHA_STAR.subs(BASE) and t.value == 3.2
    assert all(_arming(q["behavior"], 0.3) == 0 for q in t.left["equilibria"])
    assert all(_arming(q["behavior"], 0.3) > 0 for q in t.right["equilibria"])
    # the declared range holds no threshold: deterrence by warning at every alpha in [0, 3]
    assert gt.thresholds(threat, "approval_gain", points=21).thresholds == []


@pytest.mark.parametrize(
    "alpha, want",
    [(1, sp.Rational(1, 7)), (3, sp.Rational(2, 7)), (sp.Rational(5, 2), sp.Rational(1, 4))],
)
def test_threat_critical_prior(threat, alpha, want):
    res = gt.thresholds(threat, "p_resolute", at={"approval_gain": Fraction(str(alpha))}, points=21)
    (t,) = res.thresholds
    assert t.exact == RHO_STAR.subs({**BASE, al: alpha}) == want
    lo, hi = res.details["brackets"][0]
    assert lo <= float(want) <= hi and hi - lo <= 2 * res.details["precision"]
    # low prior: Seoul arms; high prior: deterred
    assert all(_arming(q["behavior"], t.left["at"]) > 0 for q in t.left["equilibria"])
    assert all(_arming(q["behavior"], t.right["at"]) == 0 for q in t.right["equilibria"])


def test_threat_binding_warning(threat):
    res = gt.thresholds(threat, "backdown_cost", at={"approval_gain": 4}, points=31)
    assert [t.exact for t in res.thresholds][-1] == AM_STAR.subs(BASE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OutOfRangeWarning)
        res = gt.thresholds(threat, "approval_gain", 0, 15, at={"backdown_cost": 2}, points=31)
    # with a binding warning the pooled-warning deterrence lasts up to alpha = 13; quiet pooling
    # still stops deterring at 16/5 (after silence the bluffer restrains as before)
    assert [t.exact for t in res.thresholds] == [ALPHA_STAR.subs(BASE), ALPHA_BINDING.subs(BASE)]
    first, second = res.thresholds
    assert any(_arming(q["behavior"], 0.3) == 0 for q in first.right["equilibria"])
    assert all(_arming(q["behavior"], 0.3) > 0 for q in second.right["equilibria"])


@pytest.mark.parametrize("method", ["spe", "lcp"])
def test_threat_solve_beside_the_threshold(threat, method):
    star = Fraction(16, 5)
    for alpha, deterred in ((star - Fraction(1, 10**6), True), (star + Fraction(1, 10**6), False)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OutOfRangeWarning)
            res = gt.solve(threat.bind(approval_gain=alpha), method=method)
        assert res.ok and len(res)
        for eq in res:
            assert (_arming(eq.behavior_strategies, 0.3) < 1e-12) == deterred, (alpha, eq)


def test_threat_region_map_over_approval_gain_and_prior(threat):
    # deterrence (no equilibrium arms on the path) iff X <= rho (N + gamma); no grid point ties
    alphas = np.linspace(0, 3, 7)
    rhos = np.linspace(0.1, 0.6, 6)
    res = gt.sweep(threat, {"approval_gain": alphas, "p_resolute": rhos})
    arming = np.zeros(res.num_points, dtype=bool)
    cols = [c for c in res.columns if c.startswith(("Seoul:", "Moscow:"))]
    values = res.values()
    for row, k in enumerate(res.point.tolist()):
        beh: dict = {}
        for c, p in zip(cols, res.probs[row]):
            player, rest = c.split(":", 1)
            h, _, a = rest.rpartition(":")
            beh.setdefault(player, {}).setdefault(h, {})[a] = p
        arming[k] |= _arming(beh, values[row, 1]) > 1e-9
    grid = np.array([(a, p) for a in alphas for p in rhos])
    for (a, p), arms_on_path in zip(grid, arming):
        pooled = ARM_POOLED.subs({**BASE, al: _q(round(a, 12)), rho: _q(round(p, 12))})
        assert pooled != 0 and arms_on_path == (pooled > 0), (a, p)
    assert arming.any() and not arming.all()


# semi-separating equilibrium (X > rho (N + gamma), a_M < c_T - r_L): the resolute type warns,
# the bluffer warns with probability b, Seoul arms after silence and mixes after a warning.
# Seoul indifferent after a warning: mu = rho / (rho + (1 - rho) b) = X / (N + gamma).
# Bluffer indifferent: warning pays s (-e D - a_M), silence -e D, so s = e D / (e D + a_M).
B_WARN = sp.solve(rho * (X - N - ga) + (1 - rho) * sp.Symbol("b") * X, sp.Symbol("b"))[0]
S_ARM = sp.solve(sp.Symbol("s") * (-e * D - aM) + e * D, sp.Symbol("s"))[0]
SEMI_PAY = {
    "Seoul": (1 - rho) * (1 - B_WARN) * X,  # zero after a warning (indifferent, withhold)
    "Moscow": rho * S_ARM * (rH - cT - e * D) + (1 - rho) * (-e * D),
}


def test_threat_mixed_equilibrium_closed_form_and_derivatives(threat):
    point = {**BASE, al: sp.Rational(7, 2)}
    assert 0 < B_WARN.subs(point) < 1 and 0 < S_ARM.subs(point) < 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OutOfRangeWarning)
        res = gt.sensitivity(threat, at={"approval_gain": Fraction(7, 2)})
    mixed = [q for q in res.equilibria if q.label.startswith("mixed")]
    (eq,) = mixed
    assert eq.regular and eq.exact_derivatives is not None
    closed = eq.closed_form["behavior"]
    assert sp.simplify(closed["Moscow"]["bluffing: signal"]["warn"] - B_WARN) == 0
    assert sp.simplify(closed["Seoul"]["warned"]["arm"] - S_ARM) == 0
    assert (
        closed["Seoul"]["quiet"]["arm"] == 1 and closed["Moscow"]["resolute: signal"]["warn"] == 1
    )
    for player, expr in SEMI_PAY.items():
        assert sp.simplify(eq.closed_form["payoffs"][player] - expr) == 0, player
    assert set(eq.exact_derivatives) == set(threat.parameters)
    for name in threat.parameters:
        block, sym = eq.exact_derivatives[name], S[name]
        got_b = block["behavior"]["Moscow"]["bluffing: signal"]["warn"]
        assert got_b == sp.diff(B_WARN, sym).subs(point), name
        assert block["behavior"]["Seoul"]["warned"]["arm"] == sp.diff(S_ARM, sym).subs(point)
        for player, expr in SEMI_PAY.items():
            assert block["payoffs"][player] == sp.diff(expr, sym).subs(point), (name, player)
    # the surprise again: Seoul's approval gain moves the bluffer's mixture, not Seoul's own;
    # Moscow's backdown cost moves Seoul's mixture
    d = eq.exact_derivatives
    assert d["approval_gain"]["behavior"]["Seoul"]["warned"]["arm"] == 0
    assert d["approval_gain"]["behavior"]["Moscow"]["bluffing: signal"]["warn"] == sp.Rational(
        -8, 27
    )
    assert d["backdown_cost"]["behavior"]["Moscow"]["bluffing: signal"]["warn"] == 0
    assert d["backdown_cost"]["behavior"]["Seoul"]["warned"]["arm"] == sp.Rational(-120, 289)
    # the numeric path (implicit function theorem in floats) agrees
    again = gt.sensitivity(threat, at={"approval_gain": 3.5}, symbolic=False)
    numeric = next(q for q in again.equilibria if q.label == eq.label)
    assert numeric.exact_derivatives is None
    for name in ("approval_gain", "p_resolute", "backdown_cost"):
        want = float(sp.diff(B_WARN, S[name]).subs(point))
        got = numeric.derivatives[name]["behavior"]["Moscow"]["bluffing: signal"]["warn"]
        assert got == pytest.approx(want, abs=1e-12)


def test_closed_forms_of_tree_mixtures_only_when_the_equations_are_linear():
    # P1 moves (a/b); P2 moves without seeing it (c/d); after a, P1 moves again without seeing
    # P2's move (e/f).  Payoffs after a: (a,c,e) = (theta, 1), (a,c,f) = (0, 0),
    # (a,d,e) = (0, 0), (a,d,f) = (1, 1); after b: (b,c) = (0, 1), (b,d) = (2, -2).
    from gametheory.analysis.tree_mixed_exact import exact_mixed
    from gametheory.games.tree_builder import from_nested

    th = sp.Symbol("theta")
    after = {
        "c": {"player": "P1", "infoset": "C", "actions": {"e": [th, 1], "f": [0, 0]}},
        "d": {"player": "P1", "infoset": "C", "actions": {"e": [0, 0], "f": [1, 1]}},
    }
    game = from_nested(
        {"player": "P1", "infoset": "A", "actions": {
            "a": {"player": "P2", "infoset": "B", "actions": after},
            "b": {"player": "P2", "infoset": "B", "actions": {"c": [0, 1], "d": [2, -2]}}}},
        players=["P1", "P2"],
    )  # fmt: skip
    model = gt.Model(game=game, parameters={"theta": gt.Parameter("theta", 1, (0, 2))})
    sets = {game.infoset_label(h): h for h in range(game.num_infosets)}
    acts = {k: np.arange(game.action_offset[h], game.action_offset[h + 1]) for k, h in sets.items()}
    point = {"theta": sp.Integer(1)}
    # P1 plays a; P2 and P1 (at C) mix.  By hand: P1 indifferent at C, y theta = 1 - y, so
    # P2 plays c with y = 1 / (1 + theta); P2 indifferent at B, z = 1 - z, so P1 plays e with 1/2.
    vec = np.full(game.num_actions, 0.5)
    vec[acts["A"]] = [1.0, 0.0]
    supports = {sets["A"]: acts["A"][:1], sets["B"]: acts["B"], sets["C"]: acts["C"]}
    variables = [*acts["B"].tolist(), *acts["C"].tolist()]
    out = exact_mixed(model, ["theta"], point, vec, supports, variables)
    c_action = int(acts["B"][0])
    assert sp.simplify(out["behavior"][c_action] - 1 / (1 + th)) == 0
    assert out["derivatives"]["theta"]["behavior"][c_action] == sp.Rational(-1, 4)
    assert out["behavior"][int(acts["C"][0])] == sp.Rational(1, 2)
    # with P1 mixing at A too, P2's indifference multiplies P1's probability of a by P1's
    # mixture at C: bilinear, so no closed form is claimed (the caller stays numeric)
    supports[sets["A"]] = acts["A"]
    vec[acts["A"]] = [0.5, 0.5]
    variables = [int(a) for h in supports for a in supports[h]]
    assert exact_mixed(model, ["theta"], point, vec, supports, variables) is None
    # and a system that is linear but does not match the profile gives nothing either
    vec[acts["A"]] = [1.0, 0.0]
    vec[acts["B"]] = [0.9, 0.1]
    supports[sets["A"]] = acts["A"][:1]
    variables = [*acts["B"].tolist(), *acts["C"].tolist()]
    assert exact_mixed(model, ["theta"], point, vec, supports, variables) is None
