"""The ``dominance`` method and :func:`gametheory.eliminate_dominated`."""

from __future__ import annotations

import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.exceptions import InvalidOptionError
from gametheory.solvers.budget import Budget
from gametheory.solvers.dominance import solve_dominance


def prisoners() -> gt.NormalFormGame:
    return gt.NormalFormGame.bimatrix(
        [[3, 0], [5, 1]], [[3, 5], [0, 1]], players=["Ann", "Bob"],
        strategies=[["C", "D"], ["C", "D"]],
    )


def mixed_only() -> gt.NormalFormGame:
    # B earns (2, 2, 1): T = (5, 0, 2) and M = (0, 5, 2) each lose to B somewhere,
    # but (T + M) / 2 = (2.5, 2.5, 2) beats B everywhere.  Column payoffs leave
    # every column undominated (each is the unique best reply to some row).
    A = [[5, 0, 2], [0, 5, 2], [2, 2, 1]]
    B = [[3, 0, 1], [0, 3, 1], [1, 1, 2]]
    return gt.NormalFormGame.bimatrix(
        A, B, strategies=[["T", "M", "B"], ["L", "C", "R"]]
    )


def replay(game: gt.NormalFormGame, record: list[dict], weak: bool = False) -> None:
    """Check every record entry against the game left at the start of its round."""
    keep = [list(s) for s in game.strategies]
    rounds = sorted({r["round"] for r in record})
    assert rounds == list(range(1, len(rounds) + 1))
    tol = game.tolerance()
    for k in rounds:
        current = game.restrict(
            [[game.strategies[i].index(s) for s in keep[i]] for i in range(game.num_players)]
        )
        for entry in (r for r in record if r["round"] == k):
            i = game.players.index(entry["player"])
            u = np.moveaxis(current.float_payoffs()[i], i, 0)
            labels = current.strategies[i]
            own = u[labels.index(entry["strategy"])]
            mix = sum(p * u[labels.index(t)] for t, p in entry["dominated_by"].items())
            assert entry["strategy"] not in entry["dominated_by"]
            assert abs(sum(entry["dominated_by"].values()) - 1) < 1e-9
            if weak:
                assert np.all(mix - own >= -tol) and np.any(mix - own > tol), entry
            else:
                assert np.all(mix - own > tol), entry
        for entry in (r for r in record if r["round"] == k):
            keep[game.players.index(entry["player"])].remove(entry["strategy"])


def test_prisoners_dilemma_solved_by_strict_dominance():
    res = gt.solve(prisoners(), method="dominance")
    assert res.ok and res.complete
    assert len(res) == 1
    assert res[0].strategies == {"Ann": {"C": 0.0, "D": 1.0}, "Bob": {"C": 0.0, "D": 1.0}}
    assert res.details["eliminated"] == [
        {"round": 1, "player": "Ann", "strategy": "C", "dominated_by": {"D": 1.0}},
        {"round": 1, "player": "Bob", "strategy": "C", "dominated_by": {"D": 1.0}},
    ]
    assert res.details["reduced_game"].shape == (1, 1)


def test_strategy_dominated_only_by_a_mixture():
    game = mixed_only()
    A = game.float_payoffs()[0]
    assert not any(np.all(A[t] > A[2]) for t in (0, 1))  # no pure dominator of B
    reduced, record = gt.eliminate_dominated(game)
    assert reduced.strategies[0] == ("T", "M")
    # Without B, column R (1, 1) is dominated by the mixture (L + C) / 2 = (1.5, 1.5) only.
    steps = [(r["round"], r["player"], r["strategy"], set(r["dominated_by"])) for r in record]
    assert steps == [(1, "Row", "B", {"T", "M"}), (2, "Column", "R", {"L", "C"})]
    assert reduced.strategies == (("T", "M"), ("L", "C"))
    replay(game, record)
    pure_only, pure_record = gt.eliminate_dominated(game, mixed=False)
    assert pure_record == [] and pure_only == game


def test_iterated_elimination():
    # Column: R is dominated by M; then Row: D by U; then Column: L by M.
    game = gt.NormalFormGame.bimatrix(
        [[1, 1, 0], [0, 0, 2]], [[0, 2, 1], [3, 1, 0]],
        strategies=[["U", "D"], ["L", "M", "R"]],
    )
    res = gt.solve(game, method="dominance")
    steps = [(r["round"], r["player"], r["strategy"]) for r in res.details["eliminated"]]
    assert steps == [(1, "Column", "R"), (2, "Row", "D"), (3, "Column", "L")]
    assert res.complete and res[0].support == {"Row": ("U",), "Column": ("M",)}
    replay(game, res.details["eliminated"])
    gambit = gbt.nash.enummixed_solve(
        gbt.Game.from_arrays(*[np.asarray(a) for a in game.payoffs]), rational=True
    )
    assert len(gambit.equilibria) == 1  # strict dominance: the unique equilibrium


def test_weak_dominance_depends_on_the_order():
    #        L     R
    #  T   1,1   0,0
    #  M   1,1   2,1
    #  B   0,0   2,1
    # T and B are both weakly dominated by M.  Removing both (this module's
    # simultaneous rounds) leaves M x {L, R}.  Removing T alone first makes L
    # weakly dominated by R (and B by M): (M, R) is left and the equilibrium
    # (M, L) is lost.  Removing B alone first makes R weakly dominated by L
    # (and T by M): (M, L) is left and the equilibrium (M, R) is lost.
    game = gt.NormalFormGame.bimatrix(
        [[1, 0], [1, 2], [0, 2]], [[1, 0], [1, 1], [0, 1]],
        strategies=[["T", "M", "B"], ["L", "R"]],
    )
    assert gt.eliminate_dominated(game) == (game, [])  # nothing strictly dominated
    reduced, record = gt.eliminate_dominated(game, weak=True)
    assert reduced.strategies == (("M",), ("L", "R"))
    assert record == [
        {"round": 1, "player": "Row", "strategy": "T", "dominated_by": {"M": 1.0}},
        {"round": 1, "player": "Row", "strategy": "B", "dominated_by": {"M": 1.0}},
    ]
    t_first, _ = gt.eliminate_dominated(game.restrict([[1, 2], [0, 1]]), weak=True)
    assert t_first.strategies == (("M",), ("R",))
    b_first, _ = gt.eliminate_dominated(game.restrict([[0, 1], [0, 1]]), weak=True)
    assert b_first.strategies == (("M",), ("L",))
    assert game.is_equilibrium([[0, 1, 0], [1, 0]])  # (M, L)
    assert game.is_equilibrium([[0, 1, 0], [0, 1]])  # (M, R)


def test_weak_dominance_single_survivor_is_an_equilibrium_but_not_complete():
    # T weakly dominates B and L weakly dominates R: one round leaves (T, L), an
    # equilibrium; but (B, L) is an equilibrium too, so the result is not complete.
    game = gt.NormalFormGame.bimatrix(
        [[1, 2], [1, 0]], [[1, 0], [1, 1]], strategies=[["T", "B"], ["L", "R"]]
    )
    res = gt.solve(game, method="dominance", weak=True)
    assert len(res) == 1 and not res.complete and res.ok
    assert res[0].support == {"Row": ("T",), "Column": ("L",)}
    assert game.is_equilibrium(res[0].profile)
    assert game.is_equilibrium([[0, 1], [1, 0]])
    strict = gt.solve(game, method="dominance")
    assert len(strict) == 0 and not strict.complete
    assert strict.details["reduced_game"].shape == (2, 2)


@pytest.mark.parametrize(
    "A",
    [[[1, -1], [-1, 1]], [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]],
    ids=["matching-pennies", "rock-paper-scissors"],
)
@pytest.mark.parametrize("weak", [False, True])
def test_nothing_dominated(A, weak):
    game = gt.NormalFormGame.zero_sum(A)
    res = gt.solve(game, method="dominance", weak=weak)
    assert res.details["eliminated"] == []
    assert res.details["reduced_game"] == game
    assert len(res) == 0 and not res.complete and res.ok


def test_three_players():
    # Player 3's "z" is dominated by "y"; without z, player 1's "b" is dominated by "a";
    # without b, player 2's "d" is dominated by "c".
    u = np.zeros((3, 2, 2, 2))
    u[2, :, :, 0] = 1.0  # player 3: y (index 0) beats z everywhere
    u[0, 0, :, 0] = 2.0  # player 1: a beats b once z is gone
    u[0, 1, :, 1] = 5.0
    u[1, :, 0, 0] = 1.0  # player 2: c beats d once b and z are gone
    u[1, 1, 1, 0] = 3.0
    game = gt.NormalFormGame.from_arrays(
        u, players=["P1", "P2", "P3"], strategies=[["a", "b"], ["c", "d"], ["y", "z"]]
    )
    res = gt.solve(game, method="dominance")
    steps = [(r["round"], r["player"], r["strategy"]) for r in res.details["eliminated"]]
    assert steps == [(1, "P3", "z"), (2, "P1", "b"), (3, "P2", "d")]
    assert res.complete and res[0].support == {"P1": ("a",), "P2": ("c",), "P3": ("y",)}
    replay(game, res.details["eliminated"])


def _bimatrix(rows: int, cols: int):
    entries = st.integers(-4, 4)
    return st.tuples(
        st.lists(st.lists(entries, min_size=cols, max_size=cols), min_size=rows, max_size=rows),
        st.lists(st.lists(entries, min_size=cols, max_size=cols), min_size=rows, max_size=rows),
    )


@settings(max_examples=40, deadline=None)
@given(st.tuples(st.integers(2, 4), st.integers(2, 4)).flatmap(lambda s: _bimatrix(*s)))
def test_strict_elimination_keeps_every_equilibrium(payoffs):
    A, B = (np.array(x) for x in payoffs)
    game = gt.NormalFormGame.bimatrix(A, B)
    reduced, record = gt.eliminate_dominated(game)
    replay(game, record)
    kept = [set(s) for s in reduced.strategies]
    g = gbt.Game.from_arrays(A, B)
    for eq in gbt.nash.enummixed_solve(g, rational=True).equilibria:
        for i, player in enumerate(g.players):
            used = {game.strategies[i][k] for k, s in enumerate(player.strategies) if eq[s] > 0}
            assert used <= kept[i]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(2, 3), min_size=3, max_size=3).flatmap(
        lambda shape: st.lists(
            st.integers(-3, 3), min_size=3 * int(np.prod(shape)), max_size=3 * int(np.prod(shape))
        ).map(lambda flat: np.array(flat).reshape(3, *shape))
    ),
    st.booleans(),
)
def test_three_player_records_are_valid(payoffs, weak):
    game = gt.NormalFormGame.from_arrays(payoffs)
    reduced, record = gt.eliminate_dominated(game, weak=weak)
    replay(game, record, weak=weak)
    assert sum(game.shape) - sum(reduced.shape) == len(record)
    # nothing left is dominated by a pure strategy
    tol = game.tolerance()
    for i in range(3):
        u = np.moveaxis(reduced.float_payoffs()[i], i, 0).reshape(reduced.shape[i], -1)
        for s in range(u.shape[0]):
            for t in range(u.shape[0]):
                d = u[t] - u[s]
                dominated = (d >= -tol).all() and (d > tol).any() if weak else (d > tol).all()
                assert not (s != t and dominated)


def test_budget_exhausted_returns_the_game_so_far():
    budget = Budget(max_time=1e-3)
    budget.start -= 1.0
    res = solve_dominance(mixed_only(), budget=budget)
    assert res.status == "budget-exhausted"
    assert res.details["reduced_game"] == mixed_only()
    assert len(res) == 0


def test_option_checks():
    with pytest.raises(InvalidOptionError, match="weak must be True or False"):
        gt.solve(prisoners(), method="dominance", weak="yes")
    with pytest.raises(InvalidOptionError, match="no option 'order'"):
        gt.solve(prisoners(), method="dominance", order="first")
