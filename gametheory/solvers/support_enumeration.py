"""All Nash equilibria of a non-degenerate two-player game by support enumeration.

In a non-degenerate bimatrix game every equilibrium has supports of equal
size ``k``, and on a support pair ``(I, J)`` the equilibrium is the unique
solution of the indifference systems ``A[I, J] y_J = 1`` and
``B[I, J]^T x_I = 1`` (with payoffs normalised to ``[1, 2]``; ``x`` and ``y``
are rescaled to probabilities afterwards).  The pair is an equilibrium when
both solutions are non-negative and no strategy outside the supports does
better: ``A y <= 1`` and ``B^T x <= 1``.

Support pairs are processed in batches: the systems of a batch are stacked and
solved by one ``numpy.linalg.solve`` call, and the feasibility and
best-response checks are vectorised.  The ``x`` systems are solved only for
the pairs whose ``y`` passed.

On a degenerate game the method still returns every equilibrium it meets
(equal-size supports with non-singular systems) but cannot promise that these
are all, so ``complete`` is ``False``.  Whether the game is degenerate is
decided from the labels of the vertices of its best-response polytopes (see
:mod:`gametheory.solvers.polytopes`), and reported in ``stats["degenerate"]``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..games.normal_form import NormalFormGame
from ..numbers import PROB_TOL
from .budget import Budget, BudgetExhausted
from .polytopes import (
    LABEL_TOL,
    game_polytopes,
    is_degenerate_polytopes,
    normalise_payoffs,
    polytope_vertices,
    solve_checked,
)
from .registry import register
from .result import SolveResult
from .verify import build_result

#: Matrix entries per batch (``pairs * k * k``), bounding memory.
_BATCH_ENTRIES = 1 << 19


def _combination_blocks(n: int, k: int, size: int) -> Iterator[np.ndarray]:
    """All ``k``-subsets of ``range(n)`` in lexicographic order, as ``(<= size, k)`` arrays."""
    it = itertools.combinations(range(n), k)
    while True:
        flat = np.fromiter(
            itertools.chain.from_iterable(itertools.islice(it, size)), dtype=np.intp
        )
        if flat.size == 0:
            return
        yield flat.reshape(-1, k)


def _pair_batches(m: int, n: int, k: int, size: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Batches ``(I, J)`` of support pairs of size ``k`` (``(c, k)`` index arrays each)."""
    n_cols = math.comb(n, k)
    if n_cols <= size:
        cols = next(_combination_blocks(n, k, n_cols))
        for rows in _combination_blocks(m, k, max(1, size // n_cols)):
            yield np.repeat(rows, n_cols, axis=0), np.tile(cols, (len(rows), 1))
        return
    for rows in _combination_blocks(m, k, 1):
        for cols in _combination_blocks(n, k, size):
            yield np.repeat(rows, len(cols), axis=0), cols


def _check_batch(
    A: np.ndarray, B: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Equilibria among support pairs ``(rows[c], cols[c])`` as unnormalised ``(x, y)`` rows."""
    m, n = A.shape
    y_j, bad = solve_checked(A[rows[:, :, None], cols[:, None, :]], estimate_condition=False)
    cand = np.flatnonzero(~bad & (y_j >= -LABEL_TOL).all(axis=1))
    if cand.size == 0:
        return np.zeros((0, m)), np.zeros((0, n))
    at = np.arange(cand.size)[:, None]
    y = np.zeros((cand.size, n))
    y[at, cols[cand]] = y_j[cand]
    cand_ok = ((y @ A.T) <= 1.0 + LABEL_TOL).all(axis=1)
    cand, y, at = cand[cand_ok], y[cand_ok], at[: int(cand_ok.sum())]
    if cand.size == 0:
        return np.zeros((0, m)), np.zeros((0, n))
    sub_bt = np.swapaxes(B[rows[cand, :, None], cols[cand, None, :]], 1, 2)
    x_i, bad_x = solve_checked(sub_bt, estimate_condition=False)
    x = np.zeros((cand.size, m))
    x[at, rows[cand]] = x_i
    ok = ~bad_x & (x_i >= -LABEL_TOL).all(axis=1) & ((x @ B) <= 1.0 + LABEL_TOL).all(axis=1)
    return x[ok], y[ok]


def support_equilibria(
    A: np.ndarray, B: np.ndarray, budget: Budget | None = None
) -> tuple[np.ndarray, np.ndarray, dict[str, Any], str | None]:
    """Equilibria of ``(A, B)`` on equal-size support pairs.

    Parameters
    ----------
    A, B
        Float payoff matrices of the row and column player, shape ``(m, n)``.
    budget
        ``budget.tick(c)`` is called for every batch of ``c`` support pairs.

    Returns
    -------
    xs, ys : numpy.ndarray
        ``(E, m)`` and ``(E, n)`` mixed strategies (not de-duplicated).
    stats : dict
        ``support_pairs``: pairs examined.
    exhausted : str or None
        Why the budget ran out, or ``None`` when every pair was examined.
    """
    A1, B1 = normalise_payoffs(A), normalise_payoffs(B)
    m, n = A1.shape
    xs, ys = [], []
    pairs = 0
    exhausted = None
    try:
        for k in range(1, min(m, n) + 1):
            size = max(1, _BATCH_ENTRIES // (k * k))
            for rows, cols in _pair_batches(m, n, k, size):
                x, y = _check_batch(A1, B1, rows, cols)
                xs.append(x)
                ys.append(y)
                pairs += len(rows)
                if budget is not None:
                    budget.tick(len(rows))
    except BudgetExhausted as exc:
        exhausted = str(exc)
    x_all = np.clip(np.concatenate(xs) if xs else np.zeros((0, m)), 0.0, None)
    y_all = np.clip(np.concatenate(ys) if ys else np.zeros((0, n)), 0.0, None)
    x_all = x_all / x_all.sum(axis=1, keepdims=True)
    y_all = y_all / y_all.sum(axis=1, keepdims=True)
    return x_all, y_all, {"support_pairs": pairs}, exhausted


def _has_extra_best_response(A: np.ndarray, B: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> bool:
    """True when a profile's strategy has more pure best responses than its support size.

    Such a strategy is a point of a best-response polytope with more labels
    than the dimension, which proves the game degenerate.  Ties are judged
    with the polytopes' label tolerance.
    """
    if len(xs) == 0:
        return False
    A1, B1 = normalise_payoffs(A), normalise_payoffs(B)
    ay = ys @ A1.T
    bx = xs @ B1
    br_rows = (ay / ay.max(axis=1, keepdims=True) >= 1.0 - LABEL_TOL).sum(axis=1)
    br_cols = (bx / bx.max(axis=1, keepdims=True) >= 1.0 - LABEL_TOL).sum(axis=1)
    return bool(
        np.any(br_rows > (ys > PROB_TOL).sum(axis=1))
        or np.any(br_cols > (xs > PROB_TOL).sum(axis=1))
    )


@register(
    "support-enumeration",
    summary="All equilibria of a non-degenerate 2-player game by enumerating equal-size "
    "support pairs (degenerate games: those found, complete=false)",
    players=(2, 2),
    finds="all",
    iterative=True,
)
def solve_support_enumeration(game: NormalFormGame, *, budget: Budget) -> SolveResult:
    """Every equilibrium of a non-degenerate two-player game.

    ``max_iter`` counts support pairs.  ``stats["degenerate"]`` is ``True``
    or ``False`` when known (``None`` when the budget ran out before it could
    be decided); ``complete`` is ``True`` only for a game shown to be
    non-degenerate whose support pairs were all examined.
    """
    payoffs = game.float_payoffs()
    A, B = payoffs[0], payoffs[1]
    xs, ys, stats, exhausted = support_equilibria(A, B, budget)
    # Supports larger than the number of pure best responses of the other side cannot occur
    # in a non-degenerate game, so a profile with extra best responses proves degeneracy.
    degenerate: bool | None = True if _has_extra_best_response(A, B, xs, ys) else None
    if degenerate is None and exhausted is None:
        # The polytopes have at most as many vertices as there are support pairs, so this
        # costs less than the enumeration just done.
        P, Q = game_polytopes(A, B)
        m, n = A.shape
        degenerate = is_degenerate_polytopes(polytope_vertices(P), polytope_vertices(Q), m, n)
    stats["degenerate"] = degenerate
    status = "ok"
    if exhausted is not None:
        status = "budget-exhausted"
        stats["reason"] = exhausted
    profiles = ((x, y) for x, y in zip(xs, ys))
    return build_result(
        game, profiles, "support-enumeration", complete=degenerate is False,
        status=status, stats=stats,
    )
