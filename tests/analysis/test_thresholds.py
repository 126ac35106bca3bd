"""Thresholds: exact closed forms derived by hand, numeric fallback, a property on random games."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pygambit
import pytest
import sympy as sp
from conftest import arms_symbols
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.analysis import InvalidGridError, sweep, thresholds

S = arms_symbols()
BASE = {
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
# Seoul's net gain from arming; Seoul arms against restraint iff X > 0, against a transfer iff
# X > gamma.  With Moscow transferring only against arms (r > c_T) the regimes in alpha are:
# withhold/restrain for X < 0, the mixed equilibrium for 0 < X < gamma, arm/transfer for X > gamma.
X = (
    S["approval_gain"]
    + S["alliance_credit"]
    + S["battlefield_effect"] * S["setback_value"]
    - S["readiness_cost"]
)
ALPHA_LOW = sp.solve(sp.Eq(X, 0), S["approval_gain"])[0]
ALPHA_CRIT = sp.solve(sp.Eq(X, S["compound_penalty"]), S["approval_gain"])[0]
MIXED = "mixed: Seoul{withhold,arm} Moscow{restrain,transfer}"


def test_critical_approval_gain_is_exact(arms_model):
    res = thresholds(arms_model, "approval_gain", -3, 6)
    assert [
        sp.simplify(t.exact - e.subs(BASE)) for t, e in zip(res.thresholds, (ALPHA_LOW, ALPHA_CRIT))
    ] == [0, 0]
    assert res.values == [float(ALPHA_LOW.subs(BASE)), float(ALPHA_CRIT.subs(BASE))]
    first, second = res.thresholds
    assert (first.left["label"], first.right["label"]) == (
        "pure: Seoul=withhold Moscow=restrain",
        MIXED,
    )
    assert (second.left["label"], second.right["label"]) == (
        MIXED,
        "pure: Seoul=arm Moscow=transfer",
    )


def test_critical_value_at_other_parameter_values_follows_the_formula(arms_model):
    at = {"compound_penalty": Fraction(11, 2), "readiness_cost": Fraction(7, 3), "setback_value": 6}
    res = thresholds(arms_model, "approval_gain", -5, 10, at=at)
    subs = dict(BASE)
    subs.update(
        {
            S[k]: sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v
            for k, v in at.items()
        }
    )
    want = [ALPHA_LOW.subs(subs), ALPHA_CRIT.subs(subs)]
    assert [t.exact for t in res.thresholds] == want
    assert str(res.thresholds[1].exact) == str(want[1])  # e.g. "26/5": the JSON text


def test_threshold_at_the_end_of_the_declared_range(arms_model):
    # baseline: alpha* = gamma - (beta + e V - kappa) = 4 - 1 = 3, the top of the range [0, 3]
    res = thresholds(arms_model, "approval_gain")
    assert res.range == (0.0, 3.0)
    assert [t.exact for t in res.thresholds] == [ALPHA_CRIT.subs(BASE)] == [3]


def test_moscow_threshold_and_json(arms_model):
    res = thresholds(arms_model, "retaliation_value")
    (t,) = res.thresholds
    assert t.exact == S["transfer_cost"].subs(BASE)  # Moscow transfers against arms iff r > c_T
    d = res.to_dict()
    assert set(d) == {"parameter", "range", "thresholds", "method"}
    assert d["parameter"] == "retaliation_value" and d["range"] == [0.0, 6.0]
    (row,) = d["thresholds"]
    assert row["value"] == 1.5 and row["exact"] == "3/2"
    assert row["left"]["label"] == "pure: Seoul=arm Moscow=restrain"
    assert row["right"]["label"] == MIXED
    # just right of r = c_T Seoul arms with probability c_T / r -> 1
    right_eq = row["right"]["equilibria"][0]["strategies"]
    assert right_eq["Seoul"]["arm"] == pytest.approx(1.0, abs=1e-6)


def test_irrational_threshold_is_a_closed_form():
    th = sp.Symbol("theta")
    game = gt.NormalFormGame.bimatrix(
        [[th**2 - 2, sp.Integer(0)], [sp.Integer(0), sp.Integer(1)]],
        [[sp.Integer(1), sp.Integer(0)], [sp.Integer(0), sp.Integer(1)]],
    )
    model = gt.Model(game, {"theta": gt.Parameter("theta", 0, (0, 3))})
    res = thresholds(model, "theta", method="pure")
    assert [t.exact for t in res.thresholds] == [sp.sqrt(2)]
    assert res.thresholds[0].to_dict()["exact"] == "sqrt(2)"
    assert res.thresholds[0].left["label"] == "pure: Row=s2 Column=s2"
    assert res.thresholds[0].right["label"] == "pure: Row=s1 Column=s1 | pure: Row=s2 Column=s2"


def test_numeric_mode_agrees_with_exact(arms_model):
    ex = thresholds(arms_model, "approval_gain", -3, 6)
    nu = thresholds(arms_model, "approval_gain", -3, 6, mode="numeric")
    assert all(t.exact is None for t in nu.thresholds)
    np.testing.assert_allclose(nu.values, ex.values, atol=1e-8)
    assert [(t.left["label"], t.right["label"]) for t in nu.thresholds] == [
        (t.left["label"], t.right["label"]) for t in ex.thresholds
    ]


def test_bad_input(arms_model):
    with pytest.raises(gt.UnknownParameterError):
        thresholds(arms_model, "approval")
    with pytest.raises(InvalidGridError, match="lo < hi"):
        thresholds(arms_model, "approval_gain", 2, 1)
    with pytest.raises(InvalidGridError, match="no declared range"):
        thresholds(arms_model, "nightmare_loss")
    with pytest.raises(gt.InvalidOptionError):
        thresholds(arms_model, "approval_gain", mode="guess")


# ---------------------------------------------------------------------- property
def _game(seed: int, shape):
    rng = np.random.default_rng(seed)
    base = rng.integers(-20, 21, size=(2, *shape))
    slope = rng.integers(-5, 6, size=(2, *shape))
    return base, slope


def _labels_pygambit(base, slope, t: Fraction) -> tuple:
    A = np.array(
        [
            [Fraction(int(b)) + int(s) * t for b, s in zip(rb, rs)]
            for rb, rs in zip(base[0], slope[0])
        ],
        dtype=object,
    )
    B = np.array(
        [
            [Fraction(int(b)) + int(s) * t for b, s in zip(rb, rs)]
            for rb, rs in zip(base[1], slope[1])
        ],
        dtype=object,
    )
    pg = pygambit.Game.from_arrays(A, B)
    labels = []
    for eq in pygambit.nash.enummixed_solve(pg, rational=True).equilibria:
        sup = [[str(s.label) for s in pl.strategies if eq[pl][s] > 0] for pl in pg.players]
        labels.append(tuple(map(tuple, sup)))
    return tuple(sorted(labels))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), size=st.sampled_from([2, 3]))
@example(seed=2879, size=3)
def test_thresholds_are_exactly_the_changes(seed, size):
    shape = (size, size)
    base, slope = _game(seed, shape)
    # generic games only: no payoff difference of a player is identically zero
    for i in range(2):
        u = np.moveaxis(np.stack([base[i], slope[i]]), i + 1, 1)
        for a in range(size):
            for b in range(a + 1, size):
                assume(np.all(np.any(u[:, a] != u[:, b], axis=0)))
    th = sp.Symbol("theta")
    P = np.empty((2, *shape), dtype=object)
    for idx in np.ndindex(*P.shape):
        P[idx] = int(base[idx]) + int(slope[idx]) * th
    game = gt.NormalFormGame.from_arrays(P[0], P[1])
    model = gt.Model(game, {"theta": gt.Parameter("theta", 0, (-4, 4))})
    res = thresholds(model, "theta")
    values = res.values
    # each threshold is a real change, checked with an independent exact solver
    eps = Fraction(1, 10**6)
    for t in res.thresholds:
        tq = (
            Fraction(sp.Rational(t.exact).p, sp.Rational(t.exact).q)
            if t.exact.is_Rational
            else Fraction(repr(t.value))
        )
        assert _labels_pygambit(base, slope, tq - eps) != _labels_pygambit(base, slope, tq + eps)
    # no change is missed on a fine grid
    grid = np.linspace(-4, 4, 1601)
    regimes = sweep(model, {"theta": grid}).regimes()
    for k in np.flatnonzero(regimes[1:] != regimes[:-1]):
        assert any(grid[k] - 1e-12 <= v <= grid[k + 1] + 1e-12 for v in values), (grid[k], values)
