"""Normal-form methods on game trees through the reduced normal form.

Checks that the behaviour profiles are equilibria of the tree (our regret and
pygambit's), that the set of extreme equilibria matches pygambit's on the
same reduced strategic form, that sequence-form equilibria lie in the
equilibrium set that vertex enumeration spans, the size guard, the method
table and the command line.
"""

from __future__ import annotations

import json
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pygambit as gbt
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.cli import main
from gametheory.exceptions import InvalidGameError, InvalidOptionError, MethodNotApplicableError
from gametheory.games.reduced_normal_form import behavior_to_mixed, count_plans, mixed_to_behavior
from gametheory.games.tree_structure import infoset_parent_sequences
from gametheory.solvers.tree_verify import vector_of

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import poker_cases as pc
import tree_cases as tc

ROOT = Path(__file__).resolve().parents[2]
THREAT = str(ROOT / "models" / "threat_signaling.yaml")
VIA = ("pure", "support-enumeration", "vertex-enumeration", "lemke-howson")


def _small_tree(seed: int, limit: int = 100, **kwargs) -> gt.ExtensiveFormGame:
    """A random two-player tree with chance and information sets (perfect recall)."""
    g = tc.random_game(seed, depth=3, infosets=True, payoff_range=4, **kwargs)
    assume(count_plans(g, 0) * count_plans(g, 1) <= limit)
    return g


def _exact_profile(eq: gt.Equilibrium) -> dict:
    return {p: {h: dict(acts) for h, acts in sets} for p, sets in eq.exact_behavior}


def _realisation(game: gt.ExtensiveFormGame, vec: np.ndarray) -> np.ndarray:
    """Probability of each player's own sequence (one entry per action; chance actions 0).

    Independent of the behaviour at information sets that the player's own
    choices rule out, so realisation-equivalent profiles give the same vector.
    """
    out = np.zeros(game.num_actions)
    offs = game.action_offset
    for i in range(game.num_players):
        sets, parents = infoset_parent_sequences(game, i)
        pending = list(zip(sets.tolist(), parents.tolist()))
        done: set[int] = set()
        while pending:
            rest = []
            for h, s in pending:
                if s >= 0 and int(np.searchsorted(offs, s, side="right") - 1) not in done:
                    rest.append((h, s))
                    continue
                reach = 1.0 if s < 0 else out[s]
                lo, hi = int(offs[h]), int(offs[h + 1])
                out[lo:hi] = reach * np.nan_to_num(vec[lo:hi]) if reach > 0 else 0.0
                done.add(h)
            pending = rest
    return out


# ----------------------------------------------------------------------------- regret on the tree
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_vertex_enumeration_gives_tree_equilibria_exact_regret_zero(seed):
    g = _small_tree(seed)
    res = gt.solve(g, method="vertex-enumeration")
    assert res.ok and res.complete and len(res) >= 1
    assert res.stats["via"] == "reduced normal form"
    assert res.stats["reduced_normal_form"] == [count_plans(g, 0), count_plans(g, 1)]
    assert res.stats["normal_form_equilibria"] >= len(res)
    for eq in res:
        assert eq.behavior is not None and eq.path
        assert g.regret(eq.behavior_strategies) <= g.tolerance()
        assert sum(p for _, p in eq.path) == pytest.approx(1.0)
    ex = gt.solve(g, method="vertex-enumeration", exact=True)
    assert len(ex) == len(res) and ex.stats["certified"] == len(ex)
    for eq in ex:
        assert eq.exact and eq.regret == 0.0
        assert g.regret(_exact_profile(eq), exact=True) == 0
        assert eq.exact_payoff_values == tuple(g.expected_payoffs(_exact_profile(eq), exact=True))
    assert ex.verify()


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6), method=st.sampled_from(VIA))
def test_every_routed_method_returns_verified_behaviour(seed, method):
    g = _small_tree(seed, limit=60)
    res = gt.solve(g, method=method, exact=True)
    assert res.ok and len(res) >= (0 if method == "pure" else 1)
    for eq in res:
        assert g.regret(_exact_profile(eq), exact=True) == 0
    # the same method on the reduced normal form directly: same number of mixed equilibria
    rnf = g.to_normal_form()
    direct = gt.solve(rnf.game, method=method)
    assert res.stats["normal_form_equilibria"] == len(direct)


def test_several_mixed_equilibria_with_one_behaviour_profile_are_listed_once():
    g = gt.load(THREAT).bind()
    res = gt.solve(g, method="vertex-enumeration")
    nf = res.details["normal_form_result"]
    rnf = res.details["reduced_normal_form"]
    assert len(nf) == res.stats["normal_form_equilibria"] > len(res)
    ours = np.array([vector_of(g, eq.behavior) for eq in res])
    gaps = np.abs(ours[:, None, :] - ours[None, :, :]).max(axis=2)
    np.fill_diagonal(gaps, 1.0)
    assert gaps.min() > 1e-7  # pairwise distinct
    for mixed in nf:  # every mixed equilibrium has its behaviour profile in the result
        vec = mixed_to_behavior(g, rnf, mixed.profile)
        assert np.abs(ours - vec).max(axis=1).min() <= 1e-7
        assert g.expected_payoffs(vec) == pytest.approx(mixed.payoff_values, abs=1e-9)


# ----------------------------------------------------------------------------- pygambit
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_equilibria_are_nash_in_pygambit_and_match_its_enumeration(seed):
    g = _small_tree(seed, limit=60)
    gg = tc.to_pygambit(g)
    res = gt.solve(g, method="vertex-enumeration", exact=True)
    for eq in res:
        prof = tc.gambit_behavior(gg, _exact_profile(eq))
        assert prof.max_regret() == 0
    # pygambit's extreme equilibria of the same reduced strategic form, as realisation plans
    theirs = set()
    for mixed in gbt.nash.enummixed_solve(gg, rational=False).equilibria:
        beh = mixed.as_behavior()
        vec = np.zeros(g.num_actions)
        for player in gg.players:
            i = g.players.index(player.label)
            for infoset in player.infosets:
                h = g.infoset_index(i, infoset.label)
                for k, action in enumerate(infoset.actions):
                    vec[g.action_offset[h] + k] = float(beh[action])
        theirs.add(tuple(np.round(_realisation(g, vec), 6)))
    ours = {tuple(np.round(_realisation(g, vector_of(g, eq.behavior)), 6)) for eq in res}
    assert ours == theirs


# ----------------------------------------------------------------------------- sequence form
def _in_hull(points: list[np.ndarray], target: np.ndarray) -> bool:
    """Whether ``target`` is a convex combination of ``points`` (L1 residual by HiGHS)."""
    from scipy.optimize import linprog

    if not points:
        return False
    P = np.array(points).T
    d, k = P.shape
    # variables: weights (k), residual plus (d), residual minus (d)
    a_eq = np.hstack([P, np.eye(d), -np.eye(d)])
    a_eq = np.vstack([a_eq, np.hstack([np.ones(k), np.zeros(2 * d)])])
    b_eq = np.append(target, 1.0)
    cost = np.concatenate([np.zeros(k), np.ones(2 * d)])
    res = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    return res.status == 0 and res.fun <= 1e-8


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_lcp_equilibrium_lies_in_the_set_spanned_by_vertex_enumeration(seed):
    """Every Nash equilibrium (x, y) of a bimatrix game lies in a maximal Nash subset
    X' x Y' whose extreme points are extreme equilibria; so x is a convex combination
    of extreme x_k with (x_k, y) an equilibrium, and likewise for y."""
    g = _small_tree(seed)
    ve = gt.solve(g, method="vertex-enumeration")
    rnf, nf = ve.details["reduced_normal_form"], ve.details["normal_form_result"]
    (eq,) = gt.solve(g, method="lcp").equilibria
    x, y = behavior_to_mixed(g, rnf, vector_of(g, eq.behavior))
    game, tol = rnf.game, rnf.game.tolerance()
    assert game.regret([x, y]) <= tol
    xs = [e.profile[0] for e in nf if game.regret([e.profile[0], y]) <= tol]
    ys = [e.profile[1] for e in nf if game.regret([x, e.profile[1]]) <= tol]
    assert _in_hull(xs, x) and _in_hull(ys, y)


def test_hull_check_can_fail():
    """The hull test above rejects a point outside the hull."""
    pts = [np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])]
    assert _in_hull(pts, np.array([0.5, 0.5, 0.0]))
    assert not _in_hull(pts, np.array([0.5, 0.0, 0.5]))


def test_lp_on_trees_stays_the_sequence_form_lp():
    res = gt.solve(pc.kuhn_poker(), method="lp")
    assert "via" not in res.stats and "sequences" in res.stats


# ----------------------------------------------------------------------------- Kuhn poker
def test_kuhn_poker_through_the_reduced_normal_form_has_value_minus_one_eighteenth():
    g = pc.kuhn_poker()
    res = gt.solve(g, method="lemke-howson", exact=True)
    assert res.ok and res.stats["reduced_normal_form"] == [27, 64]  # 3^3 and 4^3 plans
    (eq,) = res.equilibria
    assert eq.exact_payoff_values == (Fraction(-1, 18), Fraction(1, 18))
    assert g.regret(_exact_profile(eq), exact=True) == 0
    # rational pivoting on the reduced normal form gives the exact behaviour directly
    piv = gt.solve(g, method="lemke-howson", arithmetic="exact", label=30)
    assert piv[0].exact and piv[0].exact_payoff_values[0] == Fraction(-1, 18)
    assert g.regret(_exact_profile(piv[0]), exact=True) == 0


# ----------------------------------------------------------------------------- guards and table
def test_size_guard_refuses_with_its_message():
    msg = (
        "the reduced normal form has 1728 pure profiles (27 x 64), more than "
        "max_profiles=1000; raise max_profiles or use a tree method"
    )
    with pytest.raises(InvalidGameError, match=msg.replace("(", r"\(").replace(")", r"\)")):
        gt.solve(pc.kuhn_poker(), method="vertex-enumeration", max_profiles=1000)
    with pytest.raises(InvalidGameError, match="more than max_profiles=1000000; raise"):
        gt.solve(pc.leduc_poker(), method="lemke-howson")
    for bad in (0, -3, 2.5, "10", True):
        with pytest.raises(InvalidOptionError, match="max_profiles must be a positive integer"):
            gt.solve(tc.entry_deterrence(), method="pure", max_profiles=bad)
    with pytest.raises(InvalidOptionError, match="has no option 'max_profiles'"):
        gt.solve(tc.entry_deterrence().to_normal_form().game, method="pure", max_profiles=10)


def test_options_and_budget_reach_the_normal_form_method():
    g = pc.kuhn_poker()
    res = gt.solve(g, method="lemke-howson", max_iter=3)
    assert res.status == "budget-exhausted" and not res.complete and res.equilibria == ()
    with pytest.raises(InvalidOptionError, match="arithmetic must be"):
        gt.solve(g, method="lemke-howson", arithmetic="decimal")
    with pytest.raises(InvalidOptionError, match="has no option 'speed'"):
        gt.solve(g, method="vertex-enumeration", speed=1)


def test_method_table_lists_routed_methods_for_trees():
    names = {m.name for m in gt.methods(pc.kuhn_poker())}
    assert {*VIA, "lcp", "lp", "spe"} <= names
    assert not {"correlated", "dominance"} & names
    for name in VIA:
        spec = gt.solvers.get_method(name)
        assert spec.via_reduced_form and spec.forms == ("normal", "extensive")
        assert "via the reduced normal form" in spec.summary
        assert spec.describe()["via_reduced_form"] is True
    assert not gt.solvers.get_method("lp").via_reduced_form
    page = (ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
    assert "| `vertex-enumeration` | normal, extensive |" in page
    assert "via the reduced normal form" in page


def test_methods_whose_results_are_not_behaviour_keep_refusing():
    tree = tc.entry_deterrence()
    for name in ("correlated", "dominance"):
        with pytest.raises(
            MethodNotApplicableError,
            match=f"method '{name}' handles normal-form games, not extensive-form; its results "
            "do not map to behaviour strategies",
        ):
            gt.solve(tree, method=name)


def test_imperfect_recall_is_refused_and_not_listed():
    g = tc.forgetful()
    with pytest.raises(
        MethodNotApplicableError,
        match="method 'vertex-enumeration' solves trees through the reduced normal form, "
        "which needs perfect recall; Ann forgets at information set 'second'",
    ):
        gt.solve(g, method="vertex-enumeration")
    assert "vertex-enumeration" not in {m.name for m in gt.methods(g)}
    assert gt.methods(g) == []  # every tree method here needs perfect recall


def test_backward_induction_is_listed_only_for_perfect_information():
    assert "backward-induction" in {m.name for m in gt.methods(tc.entry_deterrence())}
    kuhn = pc.kuhn_poker()
    assert "backward-induction" not in {m.name for m in gt.methods(kuhn)}
    with pytest.raises(MethodNotApplicableError, match="method 'backward-induction' needs "
                       "perfect information; information set 'J:-' of P1 has 2 nodes"):  # fmt: skip
        gt.solve(kuhn, method="backward-induction")


def test_n_player_tree_with_pure():
    g = tc.selten_horse()
    res = gt.solve(g, method="pure", exact=True)
    # the pure equilibria of Selten's horse, by hand: (A, a, R) and (D, a, L)
    paths = sorted(tuple(sorted(k for k, _ in eq.path)) for eq in res)
    assert len(res) == 2
    assert all(g.regret(_exact_profile(eq), exact=True) == 0 for eq in res)
    assert paths == [("A/a",), ("D/L",)]
    with pytest.raises(MethodNotApplicableError, match="2-player games; this game has 3"):
        gt.solve(g, method="vertex-enumeration")


# ----------------------------------------------------------------------------- command line
def test_cli_solves_the_threat_model_through_the_reduced_normal_form(capsys):
    game = gt.load(THREAT).bind()
    assert main(["solve", THREAT, "--method", "vertex-enumeration", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "vertex-enumeration" and data["complete"] is True
    assert data["stats"]["via"] == "reduced normal form"
    assert data["equilibria"] and all("behavior" in e and "path" in e for e in data["equilibria"])
    for e in data["equilibria"]:
        assert game.regret(e["behavior"]) <= game.tolerance()
    code = main(["solve", THREAT, "--method", "lemke-howson", "--exact", "--format", "json"])
    assert code == 0
    (eq,) = json.loads(capsys.readouterr().out)["equilibria"]
    exact = {p: {h: {a: Fraction(q) for a, q in acts.items()} for h, acts in sets.items()}
             for p, sets in eq["exact"].items()}  # fmt: skip
    assert eq["regret"] == 0.0 and game.regret(exact, exact=True) == 0
    assert main(["solve", THREAT, "--method", "lemke-howson"]) == 0
    assert "via=reduced normal form" in capsys.readouterr().out
