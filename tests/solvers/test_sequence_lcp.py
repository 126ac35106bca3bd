"""lcp: Lemke's algorithm on the sequence form of two-player trees."""

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
from gametheory.games import behavior as bh
from gametheory.games.reduced_normal_form import count_plans
from gametheory.games.sequence_form import sequence_form
from gametheory.games.tree_builder import from_nested
from gametheory.numbers import PROB_TOL
from gametheory.solvers import sequence_lcp as sl
from gametheory.solvers.pivoting import Tableau
from gametheory.solvers.sequence_lcp import lemke_tableau
from gametheory.solvers.tree_verify import build_tree_result, profile_regret

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import poker_cases as pc
import tree_cases as tc


def _exact_profile(eq: gt.Equilibrium) -> dict:
    return {p: {h: dict(acts) for h, acts in sets} for p, sets in eq.exact_behavior}


def _vector(game, eq, exact=False):
    profile = _exact_profile(eq) if exact else eq.behavior_strategies
    return game.behavior_vector(profile, exact=exact)


def test_kuhn_poker_value_is_minus_one_eighteenth_exactly():
    g = pc.kuhn_poker()
    res = gt.solve(g, method="lcp", arithmetic="exact")
    assert res.ok and not res.complete and res.stats["pivots"] > 0
    (eq,) = res.equilibria
    assert eq.exact and eq.exact_payoff_values == (Fraction(-1, 18), Fraction(1, 18))
    assert profile_regret(g, _vector(g, eq, exact=True), exact=True) == 0
    # float arithmetic follows the same path to the same value
    fl = gt.solve(g, method="lcp")[0]
    assert fl.payoff_values[0] == pytest.approx(-1 / 18, abs=1e-12)
    assert fl.regret <= g.tolerance()


def test_one_card_poker_matches_the_value_of_its_reduced_normal_form():
    g = tc.chance_game()
    eq = gt.solve(g, method="lcp", arithmetic="exact")[0]
    value = gt.solve(g.to_normal_form().game, method="lp").details["value"]
    assert float(eq.exact_payoff_values[0]) == pytest.approx(value, abs=1e-12)
    assert eq.path  # the equilibrium path lists the terminals reached


def test_selten_horse_has_three_players_and_is_refused():
    with pytest.raises(MethodNotApplicableError, match="2-player games; this game has 3 players"):
        gt.solve(tc.selten_horse(), method="lcp")


def test_entry_deterrence_finds_a_nash_equilibrium():
    g = tc.entry_deterrence()
    eq = gt.solve(g, method="lcp", arithmetic="exact")[0]
    assert g.regret(_exact_profile(eq), exact=True) == 0
    assert eq.payoff_values in ((1.0, 1.0), (0.0, 2.0))


def test_imperfect_recall_and_bad_options_are_refused():
    msg = "method 'lcp' needs perfect recall; Ann forgets at information set 'second'"
    with pytest.raises(MethodNotApplicableError, match=msg):
        gt.solve(tc.forgetful(), method="lcp")
    with pytest.raises(InvalidOptionError, match="arithmetic must be 'float' or 'exact'"):
        gt.solve(pc.kuhn_poker(), method="lcp", arithmetic="decimal")


def test_budget_exhaustion_is_reported():
    g = pc.kuhn_poker()
    res = gt.solve(g, method="lcp", max_iter=1)
    assert res.status == "budget-exhausted" and res.equilibria == () and not res.complete
    assert res.stats["pivots"] == 1
    res = gt.solve(g, method="lcp", max_time=1e-9)
    assert res.status == "budget-exhausted" and res.equilibria == ()


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_exact_mode_has_regret_exactly_zero(seed):
    g = tc.random_game(seed, depth=5, infosets=True, payoff_range=4)
    res = gt.solve(g, method="lcp", arithmetic="exact")
    (eq,) = res.equilibria
    assert eq.exact and eq.regret == 0.0
    assert profile_regret(g, _vector(g, eq, exact=True), exact=True) == 0
    fl = gt.solve(g, method="lcp")[0]
    assert fl.regret <= g.tolerance()


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_valid_in_pygambit_and_pygambit_valid_here(seed):
    g = tc.random_game(seed, depth=4, infosets=True, payoff_range=5)
    gg = tc.to_pygambit(g)
    ours = gt.solve(g, method="lcp", arithmetic="exact")[0]
    prof = tc.gambit_behavior(gg, {p: dict(sets) for p, sets in _exact_profile(ours).items()})
    assert prof.max_regret() == 0
    # the float equilibrium, with its binary floats read exactly, within tolerance
    fl = gt.solve(g, method="lcp")[0]
    fprof = tc.gambit_behavior(gg, fl.behavior_strategies)
    assert float(fprof.max_regret()) <= g.tolerance()
    for theirs in gbt.nash.lcp_solve(gg, rational=True, use_strategic=False).equilibria:
        behaviour = {
            p.label: {
                h.label: {a.label: Fraction(str(theirs[a])) for a in h.actions} for h in p.infosets
            }
            for p in gg.players
        }
        assert g.regret(behaviour, exact=True) == 0


def test_reduced_normal_form_agrees_where_the_equilibrium_is_unique():
    unique = 0
    for seed in range(80):
        g = tc.random_game(seed, depth=4, infosets=True, floats=True)
        if max(count_plans(g, i) for i in range(2)) > 12:
            continue  # keep vertex enumeration of the reduced normal form small
        rnf = gt.solve(g.to_normal_form().game, method="vertex-enumeration")
        if not (rnf.complete and len(rnf) == 1):
            continue
        unique += 1
        ours = gt.solve(g, method="lcp")[0]
        np.testing.assert_allclose(ours.payoff_values, rnf[0].payoff_values, atol=1e-9)
    assert unique >= 10


@pytest.mark.parametrize(
    "game",
    [
        pytest.param(tc.random_game(5, depth=5, infosets=True, payoff_range=0), id="all-zero"),
        pytest.param(tc.random_game(8, depth=6, infosets=True, payoff_range=1), id="0-1"),
        pytest.param(
            gt.load(Path(__file__).resolve().parents[2] / "models" / "threat_signaling.yaml")
            .baseline_game(),
            id="threat-model",
        ),
    ],
)
def test_degenerate_trees_do_not_cycle(game):
    for arithmetic in ("float", "exact"):
        res = gt.solve(game, method="lcp", arithmetic=arithmetic, max_iter=10_000)
        assert res.ok and len(res) == 1
        assert res[0].regret <= game.tolerance()


def test_sparse_lexicographic_test_picks_the_engine_row():
    """Without the z0 preference the faster test chooses exactly the engine's row."""
    compared = 0
    for seed in (3, 8, 21):
        sf = sequence_form(tc.random_game(seed, depth=6, infosets=True, payoff_range=1))
        for exact in (False, True):
            tab, n1, n2, z0 = lemke_tableau(sf, exact)
            tab.prefer = -1
            n, entering = n1 + n2, 0
            for _ in range(120):
                col = tab.column(entering).copy()
                row = tab._general_ratio_test(col)
                assert row == Tableau._general_ratio_test(tab, col)
                compared += 1
                leaving = tab.pivot(row, entering)
                if leaving == z0:
                    break
                entering = leaving + n if leaving < n else leaving - n
    assert compared > 200


def test_trees_where_players_never_move():
    one_node = from_nested([1, 2], players=["Ann", "Bob"])
    solo = from_nested(
        {
            "player": "Ann",
            "actions": {"l": [1, 0], "r": {"chance": {"h": ("1/2", [3, 1]), "t": ("1/2", [0, 2])}}},
        },
        players=["Ann", "Bob"],
    )
    for game, payoffs in ((one_node, (1.0, 2.0)), (solo, (1.5, 1.5))):
        for arithmetic in ("float", "exact"):
            res = gt.solve(game, method="lcp", arithmetic=arithmetic)
            assert res.ok and len(res) == 1 and res[0].regret == 0.0
            assert res[0].payoff_values == payoffs


def test_large_float_products_use_the_nonzero_entries():
    rng = np.random.default_rng(5)
    big = np.where(rng.random((120, 90)) < 0.05, rng.random((120, 90)), 0.0)
    assert big.size > sl.DENSE_PRODUCT_ENTRIES
    Q = rng.random((90, 7))
    np.testing.assert_allclose(sl._float_matmul(big, Q), big @ Q, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(sl._float_matmul(big, Q[:, 0]), big @ Q[:, 0], rtol=1e-13)
    zeros = np.zeros((100, 90))
    np.testing.assert_array_equal(sl._float_matmul(zeros, Q), np.zeros((100, 7)))


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_verification_over_sequences_agrees_with_the_tree_regret(seed):
    g = tc.random_game(seed, depth=5, infosets=True, floats=True)
    res = gt.solve(g, method="lcp")
    (eq,) = res.equilibria
    vec = _vector(g, eq)
    assert eq.regret == pytest.approx(profile_regret(g, vec), abs=1e-12)
    assert eq.regret <= g.tolerance()
    # the payoffs and the path are those of the behaviour on the tree
    np.testing.assert_allclose(eq.payoff_values, bh.expected_payoffs(g, vec), atol=1e-12)
    reach = bh.reach_probabilities(g, vec)[g.terminals]
    assert [p for _, p in eq.path] == pytest.approx(reach[reach > PROB_TOL].tolist(), abs=1e-12)


def test_a_forged_sequence_form_is_refused_by_the_verification():
    g, other = pc.kuhn_poker(), tc.random_game(3, depth=4, infosets=True)
    vec = _vector(g, gt.solve(g, method="lcp")[0])
    with pytest.raises(ValueError, match="belongs to another game"):
        build_tree_result(g, [vec], "lcp", complete=False, sequence_form=sequence_form(other))
