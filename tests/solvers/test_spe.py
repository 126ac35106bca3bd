"""spe: subgame-perfect equilibria subgame by subgame."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.exceptions import InvalidGameError, InvalidOptionError, MethodNotApplicableError
from gametheory.games.tree_builder import from_nested

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import poker_cases as pc
import tree_cases as tc


def _pure_choices(eq: gt.Equilibrium) -> tuple[tuple[str, str], ...]:
    out = []
    for _, sets in eq.behavior:
        for h, acts in sets:
            out.extend((h, a) for a, p in acts if p > 0.5)
    return tuple(sorted(out))


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10**6))
def test_spe_agrees_with_backward_induction(seed: int) -> None:
    g = tc.random_game(seed, depth=4, payoff_range=4)
    bi = gt.solve(g, method="backward-induction")
    # in a perfect-information tree every subgame is one decision: "pure" finds all its equilibria
    # (with the cap on carried equilibria above backward induction's, so neither list is cut)
    spe = gt.solve(g, method="spe", subgame_method="pure", max_equilibria=2000)
    assert bi.complete and spe.ok and len(spe) == len(bi)
    assert sorted(_pure_choices(e) for e in spe) == sorted(_pure_choices(e) for e in bi)


def test_selten_horse_and_poker() -> None:
    horse = gt.solve(tc.selten_horse(), method="spe")
    assert sorted(_pure_choices(e) for e in horse) == [
        (("1", "A"), ("2", "a"), ("3", "R")),
        (("1", "D"), ("2", "a"), ("3", "L")),
    ]
    poker = tc.chance_game()
    res = gt.solve(poker, method="spe", subgame_method="support-enumeration")
    assert len(res) == 1
    eq = res[0]
    # the game value of this one-card poker is 1/3 for Ann (from its reduced normal form)
    rnf = poker.to_normal_form()
    value = gt.solve(rnf.game, method="lp")[0].payoff_values[0]
    assert eq.payoff_values[0] == pytest.approx(value)
    assert poker.regret(eq.behavior_strategies) <= 1e-9
    exact = gt.solve(poker, method="spe", exact=True)[0]
    assert exact.exact and exact.exact_behavior is not None


def test_spe_refuses_imperfect_recall_and_bad_options() -> None:
    msg = "method 'spe' needs perfect recall; Ann forgets at information set 'second'"
    with pytest.raises(MethodNotApplicableError, match=msg):
        gt.solve(tc.forgetful(), method="spe")
    with pytest.raises(InvalidOptionError, match="normal-form method"):
        gt.solve(tc.entry_deterrence(), method="spe", subgame_method="backward-induction")
    capped = gt.solve(tc.selten_horse(), method="spe", max_equilibria=1)
    assert len(capped) == 1 and not capped.complete
    assert np.isfinite(capped[0].regret)


# ------------------------------------------------------------------ sequence-form subgames
def _zero_sum(spec):
    """The same random tree with Bob's payoff replaced by minus Ann's."""
    if isinstance(spec, list):
        return [spec[0], -spec[0]]
    if "chance" in spec:
        return {"chance": {k: (p, _zero_sum(s)) for k, (p, s) in spec["chance"].items()}}
    return {**spec, "actions": {a: _zero_sum(s) for a, s in spec["actions"].items()}}


def _two_player_tree(seed: int, zero_sum: bool = False) -> gt.ExtensiveFormGame:
    from gametheory.games.reduced_normal_form import count_plans
    from gametheory.games.tree_builder import from_nested

    spec = tc.random_spec(seed, depth=4, infosets=True, payoff_range=4)
    g = from_nested(_zero_sum(spec) if zero_sum else spec, players=["Ann", "Bob"])
    assume(count_plans(g, 0) * count_plans(g, 1) <= 400)
    return g


def _outcome(eq: gt.Equilibrium) -> tuple[tuple[float, ...], dict[str, float]]:
    return eq.payoff_values, dict(eq.path)


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10**6))
def test_lcp_subgames_agree_with_the_default_when_each_subgame_has_one_equilibrium(seed):
    g = _two_player_tree(seed)
    default = gt.solve(g, method="spe")
    assume(len(default) == 1)  # every subgame has a single (extreme, so unique) equilibrium
    res = gt.solve(g, method="spe", subgame_method="lcp")
    assert res.ok and len(res) == 1 and res.stats["subgame_method"] == "lcp"
    assert g.regret(res[0].behavior_strategies) <= g.tolerance()
    pay, path = _outcome(res[0])
    want_pay, want_path = _outcome(default[0])
    assert pay == pytest.approx(want_pay, abs=1e-9)
    assert path.keys() == want_path.keys()
    assert list(path.values()) == pytest.approx([want_path[k] for k in path], abs=1e-9)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10**6))
def test_lp_subgames_of_zero_sum_trees_give_the_subgame_perfect_value(seed):
    g = _two_player_tree(seed, zero_sum=True)
    default = gt.solve(g, method="spe")
    res = gt.solve(g, method="spe", subgame_method="lp")
    assert res.ok and len(res) == 1
    assert g.regret(res[0].behavior_strategies) <= g.tolerance()
    # each subgame of a zero-sum tree has one value, so every subgame-perfect
    # equilibrium pays the same
    for eq in default:
        assert res[0].payoff_values == pytest.approx(eq.payoff_values, abs=1e-9)
    if len(default) == 1:
        assert dict(res[0].path).keys() == dict(default[0].path).keys()


def _pennies_after_entry(out_value) -> gt.ExtensiveFormGame:
    """Ann stays out (payoff out_value) or enters a zero-sum matching-pennies subgame.

    By hand: in the subgame Bob is indifferent when Ann plays H with p,
    -3p + (1 - p) = p - (1 - p), so p = 1/3; Ann is indifferent when Bob plays
    h with q, 3q - (1 - q) = -q + (1 - q), so q = 1/3; Ann's value is 1/3.
    """
    from gametheory.games.tree_builder import from_nested

    bob = {"player": "Bob", "infoset": "guess"}
    return from_nested(
        {
            "player": "Ann",
            "infoset": "enter?",
            "actions": {
                "out": [out_value, -out_value],
                "in": {
                    "player": "Ann",
                    "infoset": "pennies",
                    "actions": {
                        "H": {**bob, "actions": {"h": [3, -3], "t": [-1, 1]}},
                        "T": {**bob, "actions": {"h": [-1, 1], "t": [1, -1]}},
                    },
                },
            },
        },
        players=["Ann", "Bob"],
    )


@pytest.mark.parametrize("method", [None, "lcp", "lp"])
@pytest.mark.parametrize(("out_value", "enter"), [(Fraction(0), "in"), (Fraction(1, 2), "out")])
def test_sequence_form_subgames_on_a_hand_solved_tree(method, out_value, enter):
    g = _pennies_after_entry(out_value)
    options = {} if method is None else {"subgame_method": method}
    res = gt.solve(g, method="spe", exact=True, **options)
    (eq,) = res.equilibria
    exact = {p: {h: dict(acts) for h, acts in sets} for p, sets in eq.exact_behavior}
    assert exact["Ann"]["enter?"][enter] == 1
    # subgame perfect: the off-path subgame is still played at its equilibrium
    assert exact["Ann"]["pennies"] == {"H": Fraction(1, 3), "T": Fraction(2, 3)}
    assert exact["Bob"]["guess"] == {"h": Fraction(1, 3), "t": Fraction(2, 3)}
    value = max(out_value, Fraction(1, 3))
    assert eq.exact_payoff_values == (value, -value)


def test_sequence_form_subgame_methods_are_checked():
    with pytest.raises(MethodNotApplicableError, match="subgame_method 'lcp' on a subgame: "
                       "method 'lcp' handles 2-player games; this game has 3 players"):  # fmt: skip
        gt.solve(tc.selten_horse(), method="spe", subgame_method="lcp")
    with pytest.raises(MethodNotApplicableError, match="subgame_method 'lp' on a subgame: "
                       r"method 'lp' needs a zero-sum \(constant-sum\) game"):  # fmt: skip
        gt.solve(tc.entry_deterrence(), method="spe", subgame_method="lp")
    with pytest.raises(InvalidOptionError, match="a normal-form method or a sequence-form "
                       r"method \('lcp', 'lp'\), not 'spe'"):  # fmt: skip
        gt.solve(tc.entry_deterrence(), method="spe", subgame_method="spe")
    with pytest.raises(MethodNotApplicableError, match="subgame_method 'vertex-enumeration' on a "
                       "subgame: method 'vertex-enumeration' handles 2-player games"):  # fmt: skip
        gt.solve(tc.selten_horse(), method="spe", subgame_method="vertex-enumeration")


def test_size_guard_applies_to_reduced_normal_forms_only():
    g = tc.chance_game()  # Ann: fold or bet with each card (4 plans); Bob: call or pass
    with pytest.raises(InvalidGameError, match=r"has 8 pure profiles \(4 x 2\), more than "
                       "max_profiles=4"):  # fmt: skip
        gt.solve(g, method="spe", max_profiles=4)
    for method in ("lcp", "lp"):
        res = gt.solve(g, method="spe", subgame_method=method, max_profiles=4)
        assert res.ok and len(res) == 1 and res[0].regret <= g.tolerance()


def _kuhn_with_rake() -> gt.ExtensiveFormGame:
    """Kuhn poker where the house takes 1/10 of P2's winnings: no longer constant-sum."""

    def raked(node):
        if isinstance(node, list):
            v = Fraction(node[0])
            return [v, -v - (Fraction(1, 10) * -v if v < 0 else 0)]
        return {**node, "actions": {a: raked(sub) for a, sub in node["actions"].items()}}

    deals = {
        f"{pc.RANKS[a]}{pc.RANKS[b]}": (Fraction(1, 6), raked(pc._kuhn_node((a, b), "")))
        for a in range(3)
        for b in range(3)
        if a != b
    }
    return from_nested({"chance": deals}, players=pc.PLAYERS, title="raked Kuhn")


def test_default_subgame_method_follows_the_subgame_size():
    # small subgames: vertex enumeration of the reduced normal form
    res = gt.solve(tc.selten_horse(), method="spe")
    assert "pure" in res.stats["subgame_method"]  # three players
    res = gt.solve(tc.entry_deterrence(), method="spe")
    assert res.stats["subgame_method"].startswith("by size: vertex-enumeration")
    # Leduc's reduced normal form is far beyond the size guard; auto still solves it (lp)
    leduc = pc.leduc_poker()
    auto = gt.solve(leduc)
    assert auto.ok and auto.stats["chosen_by"].startswith("auto: imperfect information")
    assert "lp (" in auto.stats["subgame_method"]
    lp = gt.solve(leduc, method="lp")
    assert auto[0].payoff_values == pytest.approx(lp[0].payoff_values, abs=1e-9)
    # general-sum and too large to enumerate (27 x 64 plans): the sequence-form lcp
    raked = _kuhn_with_rake()
    assert not raked.is_constant_sum()
    res = gt.solve(raked)
    assert res.ok and len(res) == 1 and "lcp (1 subgame)" in res.stats["subgame_method"]
    assert res[0].regret <= raked.tolerance()
    assert res[0].payoff_values == gt.solve(raked, method="lcp")[0].payoff_values
