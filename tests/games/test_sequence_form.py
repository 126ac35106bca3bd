"""The sequence form: sequences, realisation-plan constraints, payoffs, plans <-> behaviour."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.exceptions import InvalidGameError, InvalidProfileError
from gametheory.games import behavior as bh
from gametheory.games.sequence_form import sequence_form
from gametheory.games.tree_builder import from_nested

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


def _pure_behavior(game, rng):
    """A pure behaviour vector (one action per information set): most sets unreached."""
    vec = np.zeros(game.num_actions)
    offs = game.action_offset
    for h in np.flatnonzero(game.infoset_player >= 0):
        vec[offs[h] + rng.integers(0, int(game.infoset_num_actions[h]))] = 1.0
    return game.behavior_vector(vec)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), pure=st.booleans())
def test_regrets_over_sequences_match_the_tree_regrets(seed, pure):
    g = tc.random_game(seed, depth=5, infosets=True, floats=True)
    sf = sequence_form(g)
    rng = np.random.default_rng(seed)
    vec = _pure_behavior(g, rng) if pure else _random_behavior(g, rng)
    gains, reach = sf.regrets_and_reach(vec)
    np.testing.assert_allclose(gains, bh.regrets(g, vec), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(reach, bh.reach_probabilities(g, vec)[g.terminals], atol=1e-15)
    np.testing.assert_array_equal(sf.regrets(vec), gains)


def test_regrets_of_three_players_and_of_an_equilibrium():
    horse = tc.selten_horse()
    sf = sequence_form(horse)
    rng = np.random.default_rng(0)
    for vec in (_random_behavior(horse, rng), _pure_behavior(horse, rng)):
        np.testing.assert_allclose(sf.regrets(vec), bh.regrets(horse, vec), atol=1e-12)
    g = pc.kuhn_poker()
    eq = gt.solve(g, method="lcp", arithmetic="exact")[0]
    vec = g.behavior_vector(eq.behavior_strategies)
    assert sequence_form(g).regrets(vec).max() <= 1e-12


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_pure_strategy_bases_solve_the_plan_constraints(seed):
    g = tc.random_game(seed, depth=5, infosets=True)
    sf = sequence_form(g)
    rng = np.random.default_rng(seed)
    chosen = []
    for i in range(2):
        sets = sf.infosets[i]
        first = 1 + np.cumsum(g.infoset_num_actions[sets]) - g.infoset_num_actions[sets]
        chosen.append(first + rng.integers(0, g.infoset_num_actions[sets]))
    for i, (S, N, X) in enumerate(sf.pure_strategy_bases(chosen)):
        E = sf.constraint_matrix(i, dense=True)
        assert S.tolist() == [0, *chosen[i]]
        assert sorted([*S.tolist(), *N.tolist()]) == list(range(sf.num_sequences(i)))
        assert X.shape == (sf.num_sequences(i), 1 + N.size) and X.dtype == np.int64
        # x = X (x_0, x_N) satisfies E x = e x_0 for any x_0 and x_N ...
        np.testing.assert_array_equal(E @ X[:, 0], sf.constraint_rhs(i))
        np.testing.assert_array_equal(E @ X[:, 1:], 0)
        # ... and keeps x_0 and x_N as given; with x_N = 0 it is the pure strategy's plan
        np.testing.assert_array_equal(X[0], np.eye(1 + N.size, dtype=np.int64)[0])
        np.testing.assert_array_equal(X[N, 1:], np.eye(N.size, dtype=np.int64))
        assert set(np.flatnonzero(X[:, 0]).tolist()) <= set(S.tolist())
        sf.check_plan(X[:, 0].astype(float), i)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_best_responses_of_all_players_at_once(seed):
    g = tc.random_game(seed, depth=5, infosets=True, floats=True)
    sf = sequence_form(g)
    vec = _random_behavior(g, np.random.default_rng(seed))
    A, B = sf.payoff_matrices()
    x, y = sf.realization_plans(vec)
    values, choices = sf.pure_best_responses([A @ y, x @ B])
    for player, v in ((0, A @ y), (1, x @ B)):
        value, choice = sf.pure_best_response(player, v)
        assert values[player] == value
        np.testing.assert_array_equal(choices[player], choice)
        np.testing.assert_array_equal(sf.realization_plan(vec, player), (x, y)[player])


def test_per_sequence_views():
    g = tc.random_game(7, depth=5, infosets=True)
    sf = sequence_form(g)
    for i in range(2):
        acts = sf.sequence_actions[i]
        rows, parents, depths = sf.sequence_rows[i], sf.sequence_parents[i], sf.sequence_depths[i]
        assert rows[0] == parents[0] == depths[0] == 0 and acts[0] == -1
        for s in range(1, acts.size):
            h = sf.infosets[i][rows[s] - 1]
            assert g.action_offset[h] <= acts[s] < g.action_offset[h + 1]
            assert parents[s] == sf.parent_sequences[i][rows[s] - 1]
            assert depths[s] == depths[parents[s]] + 1
            assert sf.action_sequence[acts[s]] == s
        for arr in (rows, parents, depths):
            assert not arr.flags.writeable


def test_trees_where_a_player_never_moves():
    one_node = from_nested([1, 2], players=["A", "B"])
    sf = sequence_form(one_node)
    assert [sf.num_sequences(i) for i in range(2)] == [1, 1]
    np.testing.assert_array_equal(sf.terminal_sequences, [[0, 0]])
    assert sf.regrets(np.zeros(0)).tolist() == [0.0, 0.0]
    solo = from_nested(
        {
            "player": "A",
            "actions": {"l": [1, 0], "r": {"chance": {"h": ("1/2", [3, 1]), "t": ("1/2", [0, 2])}}},
        },
        players=["A", "B"],
    )
    sf = sequence_form(solo)
    assert [sf.num_sequences(i) for i in range(2)] == [3, 1]
    np.testing.assert_array_equal(
        sf.realization_plans(solo.behavior_vector([0.25, 0.75, 0.5, 0.5]))[0], [1.0, 0.25, 0.75]
    )
