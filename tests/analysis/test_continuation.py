"""Continuation: support changes, turning points and indices on games solved by hand."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import gametheory as gt
from gametheory.analysis import InvalidGridError, continuation


def test_arms_branch_through_both_regime_changes(arms_model):
    res = continuation(arms_model, "approval_gain", lo=-3, hi=6)
    labels = [s["label"] for s in res.segments]
    assert labels == [
        "pure: Seoul=withhold Moscow=restrain",
        "mixed: Seoul{withhold,arm} Moscow{restrain}",
        "mixed: Seoul{withhold,arm} Moscow{restrain,transfer}",
        "mixed: Seoul{withhold,arm} Moscow{transfer}",
        "pure: Seoul=arm Moscow=transfer",
    ]
    # X = alpha + 1 at the baseline: X = 0 at alpha = -1 and X = gamma = 4 at alpha = 3
    ranges = [s["range"] for s in res.segments]
    np.testing.assert_allclose(ranges, [[-3, -1], [-1, -1], [-1, 3], [3, 3], [3, 6]], atol=1e-9)
    assert [s["index"] for s in res.segments] == [1, None, 1, None, 1]
    assert not any(e["type"] == "turning-point" for e in res.events)
    # on the mixed segment Moscow transfers with t = X / gamma
    mixed = np.array([lab == labels[2] for lab in res.labels])
    t = res.probs[mixed, 3]
    np.testing.assert_allclose(t, (res.values[mixed] + 1) / 4, atol=1e-10)
    changes = [(e["strategy"], e["change"]) for e in res.events if e["type"] == "support-change"]
    assert (["Moscow", "restrain"], "leaves") in changes and (["Seoul", "arm"], "leaves") in changes


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
        "mixed: Row{s1,s2} Column{s1}",
        "mixed: Row{s1,s2} Column{s1,s2}",
    ]
    assert [s["index"] for s in res.segments] == [1, None, -1]
    turns = [e for e in res.events if e["type"] == "turning-point"]
    assert len(turns) == 1 and turns[0]["at"] == pytest.approx(0.0, abs=1e-12)
    mixed = np.array([lab == "mixed: Row{s1,s2} Column{s1,s2}" for lab in res.labels])
    np.testing.assert_allclose(res.probs[mixed, 2], 1 / (1 + res.values[mixed]), atol=1e-10)
    assert res.values.min() == pytest.approx(0.0, abs=1e-12)  # the branch never reaches theta < 0


def test_bad_input(arms_model):
    with pytest.raises(InvalidGridError, match="outside"):
        continuation(arms_model, "approval_gain", start=5.0)
    with pytest.raises(gt.InvalidOptionError, match="does not exist"):
        continuation(arms_model, "approval_gain", equilibrium=3)
    with pytest.raises(gt.UnknownParameterError):
        continuation(arms_model, "nonsense")
