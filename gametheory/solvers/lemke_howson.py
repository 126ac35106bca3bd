"""Lemke–Howson: one equilibrium of a two-player game per starting label.

With both players' payoffs made positive (a positive affine change, which
keeps the equilibria), the best-response polytopes are

* ``P = {x >= 0 : B^T x <= 1}``, written ``B^T x + s = 1``;
* ``Q = {y >= 0 : A y <= 1}``, written ``A y + r = 1``.

Label ``i`` (a row strategy) belongs to ``x_i`` and ``r_i``, label ``m + j``
(a column strategy) to ``s_j`` and ``y_j``.  Each polytope is one
:class:`~gametheory.solvers.pivoting.Tableau` whose variable indices *are* the
labels.  Starting from the artificial equilibrium ``(0, 0)`` (all slacks
basic), the variable carrying the dropped label enters; then, alternately in
the two tableaux, the variable with the label that just left enters, until
the dropped label itself leaves.  The basis is then complementary and
``(x / sum x, y / sum y)`` is a Nash equilibrium.

The lexicographic ratio test keeps the path well defined in degenerate
games.  The union over all starting labels need not contain every
equilibrium (some are not connected to the artificial one), so results are
never marked complete.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np

from ..exceptions import InvalidOptionError, SolverError
from ..games.normal_form import NormalFormGame
from .budget import Budget, BudgetExhausted
from .pivoting import Tableau
from .registry import register
from .result import SolveResult
from .verify import build_result

#: How many pivots (per label, i.e. times m + n) a float path takes before the tableaux
#: are recomputed from the game data, to keep rounding error from piling up.
REFRESH_PER_LABEL = 50


def positive_payoffs(matrix: np.ndarray, order: str = "C") -> np.ndarray:
    """Map a payoff matrix affinely onto ``[1, 2]`` (constant matrices become all ones).

    Works on float64 arrays and on object arrays of ``Fraction`` alike.

    Parameters
    ----------
    matrix
        One player's payoffs.
    order
        Memory layout of a float result (``"C"`` or ``"F"``).

    Returns
    -------
    numpy.ndarray
        ``1 + (matrix - min) / (max - min)``, of the same kind as ``matrix``.
    """
    lo, hi = matrix.min(), matrix.max()
    if matrix.dtype == object:
        return matrix * 0 + 1 if hi == lo else (matrix - lo) / (hi - lo) + 1
    out = np.empty(matrix.shape, order=order)
    if hi == lo:
        out.fill(1.0)
        return out
    scale = 1.0 / (hi - lo)
    np.multiply(matrix, scale, out=out)
    out += 1.0 - lo * scale
    return out


def lemke_howson_path(
    A: np.ndarray,
    B: np.ndarray,
    label: int,
    budget: Budget | None = None,
    exact: bool = False,
    accept: Callable[[np.ndarray, np.ndarray], bool] | None = None,
    refresh_every: int | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Follow the Lemke–Howson path that drops ``label`` from the artificial equilibrium.

    Parameters
    ----------
    A, B
        Positive payoff matrices of the row and column player, shape ``(m, n)``
        (float64, or object arrays of ``Fraction`` when ``exact``).
    label
        Dropped label: ``0 .. m - 1`` a row strategy, ``m .. m + n - 1`` a column strategy.
    budget
        Ticked once per pivot; raises :class:`BudgetExhausted` when it runs out.
    exact
        Rational arithmetic.
    accept
        Float only: a check of the final profile; when it fails, the final
        basis is re-solved from the game data (removing accumulated rounding
        error) and the profile recomputed.
    refresh_every
        Float only: recompute both tableaux from the game data every this many
        pivots (default ``REFRESH_PER_LABEL * (m + n)``).

    Returns
    -------
    x, y, pivots
        The equilibrium strategies (normalised to sum to one) and the number
        of pivots the path took.
    """
    m, n = A.shape
    rows_p, cols_p = np.arange(m), np.arange(m, m + n)
    # Q: A y + r = 1 (r_i basic, label i; y_j label m + j);  P: B^T x + s = 1
    tab_q = Tableau(A, np.ones(m, dtype=np.int64), basic=rows_p, nonbasic=cols_p, exact=exact)
    tab_p = Tableau(B.T, np.ones(n, dtype=np.int64), basic=cols_p, nonbasic=rows_p, exact=exact)
    tab, other = (tab_p, tab_q) if label < m else (tab_q, tab_p)
    entering = label
    if refresh_every is None:
        refresh_every = REFRESH_PER_LABEL * (m + n)
    pivots = 0
    while True:
        if budget is not None:
            budget.tick()
        row = tab.lexicographic_ratio_test(entering)
        if row < 0:
            raise SolverError(
                f"Lemke-Howson found no pivot row for label {entering} (numerical trouble)"
            )
        leaving = tab.pivot(row, entering)
        pivots += 1
        if not exact and pivots % refresh_every == 0:
            tab.refresh()
            other.refresh()
        if leaving == label:
            break
        entering = leaving
        tab, other = other, tab
    x, y = _strategies(tab_p, tab_q, m)
    if not exact and accept is not None and not accept(x, y):
        tab_p.refresh()
        tab_q.refresh()
        x, y = _strategies(tab_p, tab_q, m)
    return x, y, pivots


def _strategies(tab_p: Tableau, tab_q: Tableau, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Normalised strategies read from the two tableaux."""
    x = tab_p.values()[:m]
    y = tab_q.values()[m:]
    if not (x.sum() > 0 and y.sum() > 0):
        raise SolverError("Lemke-Howson ended at the artificial equilibrium (numerical trouble)")
    return x / x.sum(), y / y.sum()


def _check_options(game: NormalFormGame, label: Any, all_labels: Any, arithmetic: Any) -> int:
    m, n = game.shape
    if arithmetic not in ("float", "exact"):
        raise InvalidOptionError(f"arithmetic must be 'float' or 'exact', got {arithmetic!r}")
    if not isinstance(all_labels, bool):
        raise InvalidOptionError(f"all_labels must be true or false, got {all_labels!r}")
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)):
        raise InvalidOptionError(f"label must be an integer, got {label!r}")
    if not 0 <= label < m + n:
        raise InvalidOptionError(
            f"label must be between 0 and {m + n - 1} (m + n - 1 for a {m}x{n} game), got {label}"
        )
    return int(label)


def _attach_exact(
    game: NormalFormGame, result: SolveResult, found: list[list[np.ndarray]]
) -> SolveResult:
    """Give each equilibrium its rational values when their exact regret is 0."""

    def near(f: list[np.ndarray], probs: list[np.ndarray]) -> bool:
        return all(np.max(np.abs(v.astype(np.float64) - p)) <= 1e-9 for v, p in zip(f, probs))

    equilibria = []
    for eq in result.equilibria:
        match = next((f for f in found if near(f, eq.profile)), None)
        if match is not None and game.regret(match, exact=True) == 0:
            payoffs = game.expected_payoffs(match, exact=True)
            eq = replace(
                eq,
                probabilities=tuple(tuple(float(p) for p in v) for v in match),
                payoff_values=tuple(float(u) for u in payoffs),
                regret=0.0,
                exact_probabilities=tuple(tuple(Fraction(p) for p in v) for v in match),
                exact_payoff_values=tuple(Fraction(u) for u in payoffs),
            )
        equilibria.append(eq)
    return replace(result, equilibria=tuple(equilibria))


@register(
    "lemke-howson",
    summary="One equilibrium per starting label by complementary pivoting (degenerate games too)",
    players=(2, 2),
    finds="some",
    iterative=True,
    options={
        "label": "starting dropped label 0..m+n-1 (row strategies first); default 0",
        "all_labels": "run from every label and return the distinct equilibria found",
        "arithmetic": "'float' (default) or 'exact' (rational pivoting)",
    },
)
def solve_lemke_howson(
    game: NormalFormGame,
    *,
    budget: Budget,
    label: int = 0,
    all_labels: bool = False,
    arithmetic: str = "float",
) -> SolveResult:
    """Equilibria found by Lemke–Howson paths from the artificial equilibrium.

    Parameters
    ----------
    game
        A numeric two-player game.
    budget
        Ticked once per pivot (``max_iter`` counts pivots over all paths).
    label
        The dropped label of the single path (ignored with ``all_labels``).
    all_labels
        Follow the path of every label ``0 .. m + n - 1`` and return the union.
    arithmetic
        ``"float"`` or ``"exact"`` (the same pivoting on ``Fraction`` arrays;
        the equilibria then carry certified rational values).

    Returns
    -------
    SolveResult
        ``complete`` is always ``False``; ``stats`` holds ``pivots`` and
        ``labels_tried``; ``status`` is ``"budget-exhausted"`` when the budget
        ran out (with the equilibria found before).
    """
    label = _check_options(game, label, all_labels, arithmetic)
    exact = arithmetic == "exact"
    payoffs = game.exact_payoffs() if exact else game.float_payoffs()
    # column-major A and row-major B: the tableaux read columns of A and of B^T
    A, B = positive_payoffs(payoffs[0], order="F"), positive_payoffs(payoffs[1], order="C")
    m, n = game.shape
    labels = range(m + n) if all_labels else [label]
    found: list[list[np.ndarray]] = []
    pivots: list[int] = []
    status = "ok"
    start_iter = budget.iterations
    tol = game.tolerance()

    def accept(x: np.ndarray, y: np.ndarray) -> bool:
        return game.regret([x, y]) <= tol

    try:
        for k in labels:
            x, y, count = lemke_howson_path(A, B, k, budget=budget, exact=exact, accept=accept)
            pivots.append(count)
            if not any(np.array_equal(x, f[0]) and np.array_equal(y, f[1]) for f in found):
                found.append([x, y])
    except BudgetExhausted:
        status = "budget-exhausted"
    stats = {
        # the tick that exhausted the budget did not pivot
        "pivots": budget.iterations - start_iter - (status != "ok"),
        "labels_tried": len(pivots) + (status != "ok"),
        "path_lengths": pivots,
        "arithmetic": arithmetic,
    }
    profiles = [[np.asarray(v, dtype=np.float64) for v in f] for f in found]
    result = build_result(
        game, profiles, "lemke-howson", complete=False, status=status, stats=stats
    )
    if exact:
        result = _attach_exact(game, result, found)
    return result

