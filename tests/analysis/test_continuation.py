"""Continuation: support changes, turning points and indices on games solved by hand;
invariants of the path on the shipped models and on random parametric games."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from conftest import random_parametric_game

import gametheory as gt
from gametheory.analysis import InvalidGridError, continuation
from gametheory.analysis.continuation import SEGMENT_TOL
from gametheory.analysis.regimes import solve_at
from gametheory.analysis.supportsys import expected

ROOT = Path(__file__).resolve().parents[2]


def test_arms_branch_through_both_regime_changes(arms_model):
    res = continuation(arms_model, "approval_gain", lo=-3, hi=6)
    labels = [s["label"] for s in res.segments]
    assert labels == [
        "pure: Seoul=withhold Moscow=restrain",
        "mixed: Seoul{withhold,arm} Moscow{restrain,transfer}",
        "pure: Seoul=arm Moscow=transfer",
    ]
    # X = alpha + 1 at the baseline: X = 0 at alpha = -1 and X = gamma = 4 at alpha = 3
    ranges = [s["range"] for s in res.segments]
    np.testing.assert_allclose(ranges, [[-3, -1], [-1, 3], [3, 6]], atol=1e-9)
    assert [s["index"] for s in res.segments] == [1, 1, 1]
    assert not any(e["type"] == "turning-point" for e in res.events)
    # on the mixed segment Moscow transfers with t = X / gamma
    mixed = np.array([lab == labels[1] for lab in res.labels])
    t = res.probs[mixed, 3]
    np.testing.assert_allclose(t, (res.values[mixed] + 1) / 4, atol=1e-10)
    changes = [(e["strategy"], e["change"]) for e in res.events if e["type"] == "support-change"]
    assert (["Moscow", "restrain"], "leaves") in changes and (["Seoul", "arm"], "leaves") in changes
    # At X = 0 Seoul is indifferent while Moscow restrains: every a <= c_T / r = 1/2 is an
    # equilibrium, and the branch runs through that continuum at the single value -1; at
    # X = gamma (alpha = 3) Seoul is indifferent while Moscow transfers, every a >= 1/2.
    continua = [(e["at"], e["label"]) for e in res.events if e["type"] == "continuum"]
    assert [c[1] for c in continua] == [
        "mixed: Seoul{withhold,arm} Moscow{restrain}",
        "mixed: Seoul{withhold,arm} Moscow{transfer}",
    ]
    np.testing.assert_allclose([c[0] for c in continua], [-1, 3], atol=1e-9)
    at_minus_one = np.abs(res.values + 1) < 1e-9
    arm = res.probs[at_minus_one, 1]
    assert arm.min() == pytest.approx(0, abs=1e-9) and arm.max() == pytest.approx(0.5, abs=1e-9)
    at_three = np.abs(res.values - 3) < 1e-9
    arm = res.probs[at_three, 1]
    assert arm.min() == pytest.approx(0.5, abs=1e-9) and arm.max() == pytest.approx(1, abs=1e-9)


def coordination():
    th = sp.Symbol("theta")
    A = [[th, sp.Integer(0)], [sp.Integer(0), sp.Integer(1)]]
    B = [[sp.Integer(1), sp.Integer(0)], [sp.Integer(0), sp.Integer(1)]]
    return gt.Model(gt.NormalFormGame.bimatrix(A, B), {"theta": gt.Parameter("theta", 1, (-2, 2))})


def test_turning_point_where_mixed_and_pure_equilibria_meet():
    # Column mixes y = 1 / (1 + theta) on s1 to make Row indifferent; y -> 1 as theta -> 0, where
    # the mixed equilibrium (index -1) meets (s1, s1) (index +1), which exists for theta >= 0.
    model = coordination()
    res = continuation(model, "theta", equilibrium=2)
    assert [s["label"] for s in res.segments] == [
        "pure: Row=s1 Column=s1",
        "mixed: Row{s1,s2} Column{s1,s2}",
    ]
    assert [s["index"] for s in res.segments] == [1, -1]
    # at theta = 0 Row is indifferent against s1: the branch runs through (x, s1), x in [0, 1]
    (cont,) = [e for e in res.events if e["type"] == "continuum"]
    assert cont["label"] == "mixed: Row{s1,s2} Column{s1}"
    assert cont["at"] == pytest.approx(0.0, abs=1e-12)
    turns = [e for e in res.events if e["type"] == "turning-point"]
    assert len(turns) == 1 and turns[0]["at"] == pytest.approx(0.0, abs=1e-12)
    mixed = np.array([lab == "mixed: Row{s1,s2} Column{s1,s2}" for lab in res.labels])
    np.testing.assert_allclose(res.probs[mixed, 2], 1 / (1 + res.values[mixed]), atol=1e-10)
    assert res.values.min() == pytest.approx(0.0, abs=1e-12)  # the branch never reaches theta < 0


def affine_bimatrix(base_a, slope_a, base_b, slope_b) -> gt.Model:
    """2x2 game with payoffs base + slope * theta, theta in [-2, 2]."""
    th = sp.Symbol("theta")
    A = [[sp.Integer(b) + s * th for b, s in zip(rb, rs)] for rb, rs in zip(base_a, slope_a)]
    B = [[sp.Integer(b) + s * th for b, s in zip(rb, rs)] for rb, rs in zip(base_b, slope_b)]
    game = gt.NormalFormGame.bimatrix(A, B)
    return gt.Model(game, {"theta": gt.Parameter("theta", 0, (-2, 2))})


def _start(model, label: str) -> int:
    (eqs,), _, _ = solve_at(model, ["theta"], np.array([[0.0]]))
    return eqs.labels.index(label)


def test_closed_loop_is_walked_once():
    # A = [[4 - 2t, -2 - t], [-3 - t, -3t]], B = [[4 - 3t, -4 - 3t], [-3 + t, 3t]].
    # (s2, s2) holds for -3/2 <= t <= 1 (Row: -3t >= -2 - t; Column: 3t >= -3 + t).  The
    # mixed equilibrium x = (3 + 2t) / (11 + 2t), y = (2 - 2t) / (9 - 3t) (on s1) lives on
    # the same interval; at t = 1 (y = 0) and t = -3/2 (x = 0) it meets (s2, s2) through a
    # continuum: the branch is a closed loop.
    model = affine_bimatrix(
        [[4, -2], [-3, 0]], [[-2, -1], [-1, -3]], [[4, -4], [-3, 0]], [[-3, -3], [1, 3]]
    )
    res = continuation(model, "theta", equilibrium=_start(model, "pure: Row=s2 Column=s2"))
    assert [(s["label"], s["index"]) for s in res.segments] == [
        ("pure: Row=s2 Column=s2", 1),
        ("mixed: Row{s1,s2} Column{s1,s2}", -1),
    ]
    for seg in res.segments:
        np.testing.assert_allclose(seg["range"], [-1.5, 1], atol=1e-9)
    types = [e["type"] for e in res.events]
    assert types.count("closed-loop") == 1 and "stopped" not in types and "end" not in types
    assert sorted(e["at"] for e in res.events if e["type"] == "continuum") == pytest.approx(
        [-1.5, 1], abs=1e-9
    )
    mixed = np.array([lab == "mixed: Row{s1,s2} Column{s1,s2}" for lab in res.labels])
    t = res.values[mixed]
    np.testing.assert_allclose(res.probs[mixed, 0], (3 + 2 * t) / (11 + 2 * t), atol=1e-9)
    np.testing.assert_allclose(res.probs[mixed, 2], (2 - 2 * t) / (9 - 3 * t), atol=1e-9)


def test_two_strategies_join_at_once():
    # A = [[-2 - t, 3 + t], [-1 + t, 1 + 3t]], B = [[-2t, 2 - t], [-2 + 3t, -5 - 3t]].
    # (s2, s1) holds for t >= -1/2, where both players become indifferent at once; the mixed
    # equilibrium x = (3 + 6t) / (5 + 7t), y = (2 - 2t) / 3 (on s1) starts there from
    # (x, y) = (0, 1): Row's s1 and Column's s2 join together and the branch turns back.
    # It reaches y = 0 at t = 1 and goes on, through a continuum, as (s1, s2) down to -2.
    model = affine_bimatrix(
        [[-2, 3], [-1, 1]], [[-1, 1], [1, 3]], [[0, 2], [-2, -5]], [[-2, -1], [3, -3]]
    )
    res = continuation(model, "theta", equilibrium=_start(model, "pure: Row=s2 Column=s1"))
    assert [s["label"] for s in res.segments] == [
        "pure: Row=s1 Column=s2",
        "mixed: Row{s1,s2} Column{s1,s2}",
        "pure: Row=s2 Column=s1",
    ]
    np.testing.assert_allclose(
        [s["range"] for s in res.segments], [[-2, 1], [-0.5, 1], [-0.5, 2]], atol=1e-9
    )
    joins = [
        (e["strategy"], e["change"])
        for e in res.events
        if e["type"] == "support-change" and abs(e["at"] + 0.5) < 1e-9
    ]
    assert joins == [(["Row", "s1"], "joins"), (["Column", "s2"], "joins")]
    turns = sorted(e["at"] for e in res.events if e["type"] == "turning-point")
    assert turns == pytest.approx([-0.5, 1], abs=1e-9)
    assert sorted(e["at"] for e in res.events if e["type"] == "end") == [-2, 2]
    mixed = np.array([lab == "mixed: Row{s1,s2} Column{s1,s2}" for lab in res.labels])
    t = res.values[mixed]
    np.testing.assert_allclose(res.probs[mixed, 0], (3 + 6 * t) / (5 + 7 * t), atol=1e-9)
    np.testing.assert_allclose(res.probs[mixed, 2], (2 - 2 * t) / 3, atol=1e-9)


def test_support_change_at_the_range_end(arms_model):
    # X = gamma at alpha = 3, the upper end of the declared range: the branch stops there
    # (passing through the continuum at 3), with no sliver of a segment beyond
    res = continuation(arms_model, "approval_gain")
    assert [s["label"] for s in res.segments] == [
        "mixed: Seoul{withhold,arm} Moscow{restrain,transfer}"
    ]
    assert res.segments[0]["range"] == [0.0, pytest.approx(3.0, abs=1e-12)]
    assert res.values.max() <= 3.0 + 1e-12
    assert [e["type"] for e in res.events if e["direction"] == "up"][-1] == "end"


def test_bad_input(arms_model):
    with pytest.raises(InvalidGridError, match="outside"):
        continuation(arms_model, "approval_gain", start=5.0)
    with pytest.raises(gt.InvalidOptionError, match="does not exist"):
        continuation(arms_model, "approval_gain", equilibrium=3)
    with pytest.raises(gt.UnknownParameterError):
        continuation(arms_model, "nonsense")


def test_bad_range(arms_model):
    with pytest.raises(InvalidGridError, match="empty"):
        continuation(arms_model, "approval_gain", lo=2, hi=2)


# ----------------------------------------------------------------------------- invariants
def _regret(U: np.ndarray, probs: np.ndarray, shape: tuple[int, ...]) -> float:
    offs = np.concatenate([[0], np.cumsum(shape)])
    sigma = [probs[offs[i] : offs[i + 1]] for i in range(len(shape))]
    worst = 0.0
    for i in range(len(shape)):
        dev = expected(U[i], sigma, (i,))
        worst = max(worst, float(dev.max() - dev @ sigma[i]))
    return worst


def _payoff_function(model: gt.Model, name: str):
    """``value -> payoff array`` with the other parameters at their baselines."""
    game = model.game
    syms = [sp.Symbol(p) for p in game.parameters]
    f = sp.lambdify(syms, list(game.payoff_array.reshape(-1)), modules="numpy")
    fixed = {k: float(v) for k, v in model.baseline().items() if v is not None}

    def at(value: float) -> np.ndarray:
        args = [value if p == name else fixed[p] for p in game.parameters]
        return np.array(f(*args), dtype=float).reshape(game.payoff_array.shape)

    return at


def _check_path(
    model: gt.Model, name: str, lo: float, hi: float, equilibrium: int, method: str = "auto"
):
    """Follow one equilibrium and check the invariants of the result; returns it."""
    res = continuation(model, name, lo=lo, hi=hi, equilibrium=equilibrium, method=method)
    width = hi - lo
    # segments have positive length; what happens at one value is an event
    for seg in res.segments:
        assert seg["range"][1] - seg["range"][0] > SEGMENT_TOL * width, seg
        assert seg["points"] >= 2
    # the path stays in the range and every point is an equilibrium
    assert res.values.min() >= lo - SEGMENT_TOL * width
    assert res.values.max() <= hi + SEGMENT_TOL * width
    payoffs = _payoff_function(model, name)
    for value, probs in zip(res.values, res.probs):
        U = payoffs(float(value))
        assert _regret(U, probs, model.game.shape) <= 1e-7 * max(1.0, np.abs(U).max())
    # a continuum event is a piece of the path at one value along which the profile moves
    for e in res.events:
        if e["type"] == "continuum":
            here = (np.abs(res.values - e["at"]) <= SEGMENT_TOL * width) & (
                np.array(res.labels) == e["label"]
            )
            assert np.ptp(res.probs[here], axis=0).max() > 1e-9, e
    # each segment's support holds at its points (the labels follow the probabilities)
    labels = {lab for lab in res.labels}
    assert {seg["label"] for seg in res.segments} <= labels
    return res


def _rational(x: Fraction) -> sp.Rational:
    return sp.Rational(x.numerator, x.denominator)


def symbolic_normal_form(model: gt.Model, name: str, degree: int = 4) -> gt.Model:
    """The reduced normal form of a tree, payoffs exact polynomials in ``name``.

    Other parameters at their baselines.  The payoffs are interpolated from exact
    reduced normal forms at ``degree + 1`` values and checked at one more.
    """
    p = model.parameters[name]
    lo, hi = (Fraction(x) for x in p.range)
    xs = [lo + (hi - lo) * Fraction(k, degree + 1) for k in range(degree + 2)]
    used = set(model.game.parameters)
    games = []
    for x in xs:
        values = model.resolve(**{name: x})
        tree = model.game.bind(**{k: v for k, v in values.items() if k in used})
        games.append(tree.to_normal_form().game)
    th = sp.Symbol(name)
    arrays = []
    for i in range(games[0].num_players):
        stack = np.stack([np.asarray(g.payoff_array[i], dtype=object) for g in games])
        out = np.empty(stack.shape[1:], dtype=object)
        for idx in np.ndindex(*out.shape):
            pts = [(_rational(x), _rational(v)) for x, v in zip(xs, stack[(slice(None), *idx)])]
            poly = sp.expand(sp.interpolate(pts[:-1], th))
            assert poly.subs(th, pts[-1][0]) == pts[-1][1]
            out[idx] = poly
        arrays.append(out)
    first = games[0]
    game = gt.NormalFormGame.from_arrays(
        *arrays, players=first.players, strategies=first.strategies
    )
    return gt.Model(game=game, parameters={name: gt.Parameter(name, p.value, p.range)})


def _model_cases() -> list[tuple[str, str]]:
    out = []
    for file in ("arms_dilemma.yaml", "arms_dilemma_threat.yaml", "threat_signaling.yaml"):
        model = gt.load(ROOT / "models" / file)
        out += [(file, n) for n, p in model.parameters.items() if p.range is not None]
    return out


@pytest.mark.parametrize(("file", "name"), _model_cases())
def test_no_zero_length_segments_on_the_shipped_models(file, name):
    model = gt.load(ROOT / "models" / file)
    starts = [("auto", k) for k in range(3)]
    if model.game.form != "normal":
        # the reduced normal form (4 x 16) has 154 extreme equilibria at the baseline: start
        # from its pure equilibria and from the one Lemke-Howson finds
        model = symbolic_normal_form(model, name)
        starts = [("pure", k) for k in range(3)] + [("lemke-howson", 0)]
    lo, hi = (float(x) for x in model.parameters[name].range)
    at = np.array([[float(model.parameters[name].value)]])
    for method, k in starts:
        (eqs,), _, _ = solve_at(model, [name], at, method)
        if k >= len(eqs.labels):
            continue
        res = _check_path(model, name, lo, hi, k, method)
        # the shipped models are generic enough for the branch to run from end to end
        assert not [e for e in res.events if e["type"] == "stopped"]
        ends = sorted(e["at"] for e in res.events if e["type"] == "end")
        assert ends and set(ends) <= {lo, hi}


@pytest.mark.parametrize("shape", [(2, 2), (3, 3)])
@pytest.mark.parametrize("seed", [*range(12), 20, 21, 29, 48])
def test_no_zero_length_segments_on_random_games(seed, shape):
    model, _, _ = random_parametric_game(seed, shape)
    (eqs,), _, _ = solve_at(model, ["theta"], np.array([[0.0]]))
    for k in range(min(len(eqs.labels), 3)):
        res = _check_path(model, "theta", -2.0, 2.0, k)
        # random integer games are often degenerate at single values (several
        # coincidences at once); the walk may stop there, but only for that reason
        for e in res.events:
            if e["type"] == "stopped":
                assert e["reason"].startswith("no continuation"), e
