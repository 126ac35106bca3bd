"""Two-player games and oracles shared by the enumeration-solver tests."""

from __future__ import annotations

import functools
import warnings
from fractions import Fraction

import numpy as np

import gametheory as gt


def prisoners_dilemma() -> gt.NormalFormGame:
    """Cooperate/defect; the unique equilibrium is (defect, defect)."""
    return gt.NormalFormGame.bimatrix(
        [[3, 0], [5, 1]], [[3, 5], [0, 1]], strategies=[["C", "D"], ["C", "D"]]
    )


def matching_pennies() -> gt.NormalFormGame:
    """Zero-sum; the unique equilibrium is uniform for both."""
    return gt.NormalFormGame.zero_sum([[1, -1], [-1, 1]])


def battle_of_the_sexes() -> gt.NormalFormGame:
    """Two pure equilibria and one mixed: x = (3/5, 2/5), y = (2/5, 3/5)."""
    return gt.NormalFormGame.bimatrix([[3, 0], [0, 2]], [[2, 0], [0, 3]])


def rock_paper_scissors() -> gt.NormalFormGame:
    """Zero-sum; the unique equilibrium is uniform for both."""
    return gt.NormalFormGame.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])


def dominant_row_indifferent_column() -> gt.NormalFormGame:
    """Degenerate: the top row dominates and the column player is indifferent.

    The equilibria are ``x = (1, 0)`` with any ``y``: one component whose
    extreme points are the two pure profiles.
    """
    return gt.NormalFormGame.bimatrix([[1, 1], [0, 0]], [[1, 1], [0, 0]])


def von_stengel_degenerate() -> gt.NormalFormGame:
    """The degenerate 3x2 game of von Stengel's survey (Handbook of Game Theory, vol. 3).

    The pure strategy ``x = (1, 0, 0)`` has two best responses, giving a
    segment of equilibria next to an isolated one.
    """
    return gt.NormalFormGame.bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]])


def nashpy_vertex_failure() -> gt.NormalFormGame:
    """A degenerate 2x2 game on which nashpy's vertex enumeration returns nothing."""
    return gt.NormalFormGame.bimatrix([[2, 1], [2, 2]], [[0, 2], [0, 0]])


def random_integer_game(
    seed: int, m: int, n: int, low: int = -100, high: int = 100
) -> gt.NormalFormGame:
    """Seeded game with integer payoffs drawn uniformly from ``[low, high]``."""
    rng = np.random.default_rng(seed)
    return gt.NormalFormGame.bimatrix(
        rng.integers(low, high + 1, (m, n)), rng.integers(low, high + 1, (m, n))
    )


# ----------------------------------------------------------------------------- comparing sets
def profile_key(x, y, digits: int = 7) -> tuple[float, ...]:
    """Hashable rounded form of a profile (``+ 0.0`` turns ``-0.0`` into ``0.0``)."""
    flat = np.concatenate([np.asarray(x, float), np.asarray(y, float)])
    return tuple(np.round(flat, digits) + 0.0)


def result_set(result: gt.SolveResult) -> set[tuple[float, ...]]:
    """The equilibria of a result as a set of rounded profiles."""
    return {profile_key(*eq.probabilities) for eq in result.equilibria}


def exact_result_set(result: gt.SolveResult) -> set[tuple[Fraction, ...]]:
    """The certified rational equilibria of a result."""
    out = set()
    for eq in result.equilibria:
        assert eq.exact_probabilities is not None, eq.notes
        out.add(tuple(p for probs in eq.exact_probabilities for p in probs))
    return out


def _rational_payoffs(game: gt.NormalFormGame) -> list[list[list[Fraction]]]:
    ex = game.exact_payoffs()
    return [[[Fraction(v) for v in row] for row in ex[i]] for i in (0, 1)]


@functools.cache
def _gambit_cached(key: tuple) -> frozenset[tuple[Fraction, ...]]:
    import pygambit as gbt

    A, B = key
    g = gbt.Game.from_arrays([list(r) for r in A], [list(r) for r in B])
    res = gbt.nash.enummixed_solve(g, rational=True)
    players = list(g.players)
    out = set()
    for eq in res.equilibria:
        out.add(tuple(Fraction(str(eq[s])) for p in players for s in p.strategies))
    return frozenset(out)


def gambit_extreme_equilibria(game: gt.NormalFormGame) -> frozenset[tuple[Fraction, ...]]:
    """pygambit's exact extreme equilibria (``enummixed_solve(rational=True)``), as rationals."""
    A, B = _rational_payoffs(game)
    key = (tuple(tuple(r) for r in A), tuple(tuple(r) for r in B))
    return _gambit_cached(key)


def as_float_set(exact: set | frozenset) -> set[tuple[float, ...]]:
    """Rational profiles rounded like :func:`profile_key`."""
    return {tuple(np.round(np.array([float(v) for v in p]), 7) + 0.0) for p in exact}


def nashpy_support_enumeration(game: gt.NormalFormGame) -> set[tuple[float, ...]]:
    """nashpy's support enumeration at its default tolerance (equal-size supports)."""
    import nashpy

    f = game.float_payoffs()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eqs = list(nashpy.Game(f[0], f[1]).support_enumeration(non_degenerate=True))
    return {profile_key(x, y) for x, y in eqs}


def nashpy_vertex_enumeration(game: gt.NormalFormGame) -> set[tuple[float, ...]]:
    """nashpy's vertex enumeration."""
    import nashpy

    f = game.float_payoffs()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eqs = list(nashpy.Game(f[0], f[1]).vertex_enumeration())
    return {profile_key(x, y) for x, y in eqs}
