"""The sequence form: sequences, realisation-plan constraints, payoffs, plans <-> behaviour."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gametheory.exceptions import InvalidGameError, InvalidProfileError
from gametheory.games import behavior as bh
from gametheory.games.sequence_form import sequence_form

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import poker_cases as pc
import tree_cases as tc


def _random_behavior(game, rng, exact=False):
    """A completely mixed behaviour vector with small rational probabilities."""
    vec = np.zeros(game.num_actions, dtype=object if exact else np.float64)
    offs = game.action_offset
    for h in np.flatnonzero(game.infoset_player >= 0):
        w = rng.integers(1, 5, size=int(game.infoset_num_actions[h]))
        if exact:
            vec[offs[h] : offs[h + 1]] = [Fraction(int(v), int(w.sum())) for v in w]
        else:
            vec[offs[h] : offs[h + 1]] = w / w.sum()
    return game.behavior_vector(vec, exact=exact)


def test_entry_deterrence_by_hand():
    sf = sequence_form(tc.entry_deterrence())
    # Entrant: empty, out, in; Incumbent: empty, fight, accommodate
    assert sf.num_sequences(0) == 3 and sf.num_sequences(1) == 3
    np.testing.assert_array_equal(sf.E.toarray(), [[1, 0, 0], [-1, 1, 1]])
    np.testing.assert_array_equal(sf.F.toarray(), [[1, 0, 0], [-1, 1, 1]])
    np.testing.assert_array_equal(sf.e, [1, 0])
    A, B = sf.payoff_matrices()
    # out ends the game before the incumbent moves: (out, empty); in leads to (in, fight|acc)
    np.testing.assert_array_equal(A.toarray(), [[0, 0, 0], [0, 0, 0], [0, -1, 1]])
    np.testing.assert_array_equal(B.toarray(), [[0, 0, 0], [2, 0, 0], [0, -1, 1]])


def test_kuhn_poker_sizes_and_zero_sum():
    sf = sequence_form(pc.kuhn_poker())
    # six information sets per player, two actions each
    assert sf.num_sequences(0) == sf.num_sequences(1) == 13
    assert sf.num_constraints(0) == sf.num_constraints(1) == 7
    A, B = sf.payoff_matrices()
    assert (A + B).count_nonzero() == 0
    assert A.nnz <= sf.game.num_terminals
    Ae, Be = sf.payoff_matrices(exact=True)
    assert Ae.dtype == object and Ae[0, 0] == 0
    assert all(v == -w for v, w in zip(Ae.ravel(), Be.ravel()))
    np.testing.assert_allclose(A.toarray(), Ae.astype(float))
    # the chance weight 1/6 is folded in: every entry is a multiple of 1/6
    assert all((v * 6).denominator == 1 for v in Ae.ravel())


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_plans_satisfy_constraints_and_give_the_tree_payoffs(seed):
    g = tc.random_game(seed, depth=5, infosets=True)
    sf = sequence_form(g)
    rng = np.random.default_rng(seed)
    vec = _random_behavior(g, rng)
    x, y = sf.realization_plan(vec, 0), sf.realization_plan(vec, 1)
    sf.check_plan(x, 0)
    sf.check_plan(y, 1)
    A, B = sf.payoff_matrices()
    np.testing.assert_allclose([x @ (A @ y), x @ (B @ y)], bh.expected_payoffs(g, vec), atol=1e-12)
    # back to behaviour: the same probabilities (every information set is reached)
    np.testing.assert_allclose(sf.behavior_from_plans([x, y]), vec, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_exact_plans_and_payoffs(seed):
    g = tc.random_game(seed, depth=4, infosets=True)
    sf = sequence_form(g)
    vec = _random_behavior(g, np.random.default_rng(seed), exact=True)
    x, y = sf.realization_plan(vec, 0, exact=True), sf.realization_plan(vec, 1, exact=True)
    sf.check_plan(x, 0, exact=True)
    A, B = sf.payoff_matrices(exact=True)
    assert (x @ A @ y, x @ B @ y) == tuple(bh.expected_payoffs(g, vec, exact=True))
    back = sf.behavior_from_plans([x, y], exact=True)
    assert list(back) == list(vec)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_pure_best_response_matches_the_tree_best_response(seed):
    g = tc.random_game(seed, depth=5, infosets=True, floats=True)
    sf = sequence_form(g)
    vec = _random_behavior(g, np.random.default_rng(seed))
    A, B = sf.payoff_matrices()
    y = sf.realization_plan(vec, 1)
    x = sf.realization_plan(vec, 0)
    for player, values in ((0, A @ y), (1, x @ B)):
        value, chosen = sf.pure_best_response(player, values)
        expected, _ = bh.best_response(g, vec, player)
        assert value == pytest.approx(expected, abs=1e-12)
        # the chosen actions, as a pure behaviour, reach that value
        pure = vec.copy()
        for row, s in enumerate(chosen):
            h = sf.infosets[player][row]
            lo, hi = g.action_offset[h], g.action_offset[h + 1]
            pure[lo:hi] = 0.0
            pure[sf.sequence_actions[player][s]] = 1.0
        assert bh.expected_payoffs(g, pure)[player] == pytest.approx(expected, abs=1e-12)


def test_unreached_information_sets_get_uniform_behaviour():
    g = tc.entry_deterrence()
    sf = sequence_form(g)
    # the entrant stays out: the incumbent's plan is any plan, its set is unreached
    x = np.array([1.0, 1.0, 0.0])
    y = np.array([1.0, 0.0, 1.0])
    vec = sf.behavior_from_plans([x, y])
    np.testing.assert_allclose(vec, [1.0, 0.0, 0.0, 1.0])
    y_out = np.array([1.0, 0.0, 0.0])  # not a plan: the incumbent's actions get no mass
    with pytest.raises(InvalidProfileError, match="not a realisation plan of Incumbent"):
        sf.check_plan(y_out, 1)
    # Ann takes at once: her later information set s3 is ruled out by her own choice
    cent = tc.centipede(3)
    sfc = sequence_form(cent)
    ann = np.array([1, 1, 0, 0, 0], dtype=object)  # empty, s1:take, s1:pass, s3:take, s3:pass
    bob = np.array([1, 0, 1], dtype=object)
    sfc.check_plan(ann, 0, exact=True)
    vec = sfc.behavior_from_plans([ann, bob], exact=True)
    s3 = cent.infoset_index("Ann", "s3")
    lo = cent.action_offset[s3]
    assert list(vec[lo : lo + 2]) == [Fraction(1, 2), Fraction(1, 2)]
    assert bh.expected_payoffs(cent, vec, exact=True)[0] == 2


def test_three_players_have_constraints_but_no_payoff_matrices():
    sf = sequence_form(tc.selten_horse())
    assert sf.num_players == 3
    assert [sf.num_sequences(i) for i in range(3)] == [3, 3, 3]
    for i in range(3):
        np.testing.assert_array_equal(sf.constraint_matrix(i).toarray(), [[1, 0, 0], [-1, 1, 1]])
    with pytest.raises(InvalidGameError, match="payoff matrices need 2 players; this game has 3"):
        sf.payoff_matrices()


def test_imperfect_recall_is_refused_naming_the_information_set():
    with pytest.raises(
        InvalidGameError,
        match="the sequence form needs perfect recall; Ann forgets at information set 'second'",
    ):
        sequence_form(tc.forgetful())
    with pytest.raises(InvalidGameError, match="Driver forgets at information set 'X'"):
        sequence_form(tc.absent_minded())


def test_cached_and_read_only():
    g = pc.kuhn_poker()
    sf = sequence_form(g)
    assert sequence_form(g) is sf
    with pytest.raises(ValueError):
        sf.terminal_sequences[0, 0] = 3
    with pytest.raises(InvalidProfileError, match="needs 30 entries"):
        sf.realization_plan(np.zeros(3), 0)
