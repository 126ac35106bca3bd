"""lp on trees: the zero-sum sequence-form LP, and one method name per game form."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.exceptions import InvalidOptionError, MethodNotApplicableError
from gametheory.games.reduced_normal_form import count_plans
from gametheory.solvers import registry

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import poker_cases as pc
import tree_cases as tc


def _zero_sum_tree(seed: int) -> gt.ExtensiveFormGame:
    """A random two-player tree with chance and information sets, made zero-sum."""
    spec = tc.random_spec(seed, depth=4, infosets=True, payoff_range=4)

    def zero(node):
        if isinstance(node, list):
            return [node[0], -node[0]]
        if "chance" in node:
            return {"chance": {a: (p, zero(c)) for a, (p, c) in node["chance"].items()}}
        return {**node, "actions": {a: zero(c) for a, c in node["actions"].items()}}

    return gt.ExtensiveFormGame.from_tree(zero(spec), players=["Ann", "Bob"])


def test_kuhn_poker_value_and_exact_certificate():
    g = pc.kuhn_poker()
    res = gt.solve(g, method="lp")
    assert res.ok and not res.complete and res.method == "lp"
    assert res.details["value"] == pytest.approx(-1 / 18, abs=1e-12)
    assert res.details["values"]["P2"] == pytest.approx(1 / 18, abs=1e-12)
    assert res[0].regret <= g.tolerance()
    exact = gt.solve(g, method="lp", exact=True)[0]
    assert exact.exact and exact.exact_payoff_values == (Fraction(-1, 18), Fraction(1, 18))
    assert g.regret({p: {h: dict(a) for h, a in s} for p, s in exact.exact_behavior},
                    exact=True) == 0  # fmt: skip


def test_kuhn_poker_value_agrees_with_pygambit():
    gg = tc.to_pygambit(pc.kuhn_poker())
    theirs = gbt.nash.lp_solve(gg, rational=True).equilibria[0]
    assert Fraction(str(theirs.payoff("P1"))) == Fraction(-1, 18)


def test_leduc_poker_value_agrees_with_lemke():
    g = pc.leduc_poker()
    lp = gt.solve(g, method="lp")
    lcp = gt.solve(g, method="lcp")
    assert lp.ok and lcp.ok
    assert lp[0].regret <= g.tolerance() and lcp[0].regret <= g.tolerance()
    # every equilibrium of a zero-sum game has the value
    assert lp.details["value"] == pytest.approx(lcp[0].payoff_values[0], abs=1e-9)
    assert lp.details["value"] == pytest.approx(-0.0856, abs=1e-4)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_random_zero_sum_trees_agree_with_lemke_and_the_normal_form(seed):
    g = _zero_sum_tree(seed)
    res = gt.solve(g, method="lp")
    assert res.ok and res[0].regret <= g.tolerance()
    value = res.details["value"]
    assert gt.solve(g, method="lcp")[0].payoff_values[0] == pytest.approx(value, abs=1e-9)
    if count_plans(g, 0) * count_plans(g, 1) <= 2_000:  # a small reduced normal form
        rnf = g.to_normal_form()
        assert gt.solve(rnf.game, method="lp").details["value"] == pytest.approx(value, abs=1e-9)


def test_constant_sum_values():
    # payoffs (u, 3 - u): the second player's value is 3 minus the first's
    spec = {"chance": {"a": (Fraction(1, 2), [1, 2]), "b": (Fraction(1, 2), {
        "player": "Ann", "infoset": "A", "actions": {"l": [3, 0], "r": [0, 3]}})}}  # fmt: skip
    g = gt.ExtensiveFormGame.from_tree(spec, players=["Ann", "Bob"])
    res = gt.solve(g, method="lp")
    assert res.details["values"] == {"Ann": pytest.approx(2.0), "Bob": pytest.approx(1.0)}


def test_refusals():
    with pytest.raises(MethodNotApplicableError, match="needs a zero-sum"):
        gt.solve(tc.entry_deterrence(), method="lp")
    forgetful = {
        "player": "Ann",
        "infoset": "first",
        "actions": {
            "L": {"player": "Ann", "infoset": "second", "actions": {"l": [1, -1], "r": [0, 0]}},
            "R": {"player": "Ann", "infoset": "second", "actions": {"l": [0, 0], "r": [2, -2]}},
        },
    }
    zero = gt.ExtensiveFormGame.from_tree(forgetful, players=["Ann", "Bob"])
    msg = "method 'lp' needs perfect recall; Ann forgets at information set 'second'"
    with pytest.raises(MethodNotApplicableError, match=msg):
        gt.solve(zero, method="lp")
    with pytest.raises(InvalidOptionError, match="algorithm must be one of"):
        gt.solve(pc.kuhn_poker(), method="lp", algorithm="simplex")


def test_budget_exhaustion_is_reported():
    res = gt.solve(pc.leduc_poker(), method="lp", max_time=1e-9)
    assert res.status == "budget-exhausted" and res.equilibria == ()


def test_one_name_two_forms():
    spec = gt.solvers.get_method("lp")
    assert spec.forms == ("normal", "extensive")
    # the normal-form implementation is unchanged and still the spec's function
    from gametheory.solvers.sequence_lp import solve_sequence_lp
    from gametheory.solvers.zero_sum import solve_lp

    assert spec.function is solve_lp
    assert spec.function_for("normal") is solve_lp
    assert spec.function_for("extensive") is solve_sequence_lp
    matrix = gt.NormalFormGame.zero_sum(np.array([[1, -1], [-1, 1]]))
    assert gt.solve(matrix, method="lp").details["value"] == pytest.approx(0.0)
    assert "lp" in {m.name for m in gt.methods(pc.kuhn_poker())}
    assert "lp" in {m.name for m in gt.methods(matrix)}


def test_registry_merges_per_form_implementations():
    def normal(game, *, budget, a=1):
        return ("normal", a)

    def tree(game, *, budget, b=2):
        return ("tree", b)

    names = ("test-two-forms", "test-clash")
    try:
        registry.register("test-two-forms", summary="N", options={"a": "A"})(normal)
        registry.register("test-two-forms", summary="T", forms=("extensive",),
                          options={"b": "B"})(tree)  # fmt: skip
        spec = registry._REGISTRY["test-two-forms"]
        assert spec.forms == ("normal", "extensive") and spec.summary == "N; T"
        assert spec.options == {"a": "A", "b": "B"}
        assert spec.options_for("normal") == {"a": "A"}
        assert spec.options_for("extensive") == {"b": "B"}
        with pytest.raises(InvalidOptionError, match=r"has no option 'b' \(its options: a\)"):
            gt.solve(gt.NormalFormGame.from_arrays(np.zeros((2, 2, 2))), "test-two-forms", b=3)
        with pytest.raises(InvalidOptionError, match=r"has no option 'a' \(its options: b\)"):
            gt.solve(pc.kuhn_poker(), "test-two-forms", a=3)
        with pytest.raises(RuntimeError, match="registered twice"):
            registry.register("test-two-forms", summary="again", forms=("extensive",))(tree)
        registry.register("test-clash", summary="N")(normal)
        with pytest.raises(RuntimeError, match="must agree with the existing one on players"):
            registry.register("test-clash", summary="T", forms=("extensive",),
                              players=(1, None))(tree)  # fmt: skip
    finally:
        for name in names:
            registry._REGISTRY.pop(name, None)
