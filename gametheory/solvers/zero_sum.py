"""Value and optimal strategies of a two-player constant-sum game by one linear program.

With the row player's payoffs ``A`` (``m x n``) mapped affinely onto
``[0, 1]`` (``A' = (A - lo) / scale``), the row player's maximin problem is

.. math::

    \\max_{x, v} v \\quad\\text{s.t.}\\quad A'^T x \\ge v\\,\\mathbf 1,\\;
    \\mathbf 1^T x = 1,\\; x \\ge 0 .

It is solved once with HiGHS (``scipy.optimize.linprog``).  The multipliers
of the ``n`` inequality constraints are an optimal strategy of the column
player (LP duality is the minimax theorem), so no second LP is needed: the
column strategy is ``-res.ineqlin.marginals``.  The game's value for the row
player is ``lo + scale * v``; in a constant-sum game with constant ``c`` the
column player receives ``c`` minus that.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import InvalidOptionError, SolverError
from ..games.normal_form import NormalFormGame
from .budget import Budget
from .registry import register
from .result import SolveResult
from .verify import build_result

#: HiGHS solvers accepted by the ``algorithm`` option.
ALGORITHMS = ("highs", "highs-ds", "highs-ipm")


def maximin_lp_arrays(A: np.ndarray) -> tuple[dict[str, Any], float, float]:
    """The row player's maximin LP of the matrix game ``A``, as ``linprog`` arguments.

    Parameters
    ----------
    A
        Row player's payoffs, float array ``(m, n)``.

    Returns
    -------
    lp : dict
        Keyword arguments ``c, A_ub, b_ub, A_eq, b_eq, bounds`` of
        :func:`scipy.optimize.linprog`; the variables are ``(x_1..x_m, v)``.
    lo, scale : float
        The affine map onto ``[0, 1]``: the game's value is ``lo + scale * v``.
    """
    m, n = A.shape
    lo = float(A.min())
    scale = float(A.max()) - lo
    if scale <= 0.0:
        scale = 1.0
    # Inequalities  v - A'^T x <= 0 in one buffer: columns 0..m-1 hold -A'^T = (lo - A^T) / scale.
    a_ub = np.empty((n, m + 1))
    body = a_ub[:, :m]
    np.subtract(lo, A.T, out=body)
    body *= 1.0 / scale
    a_ub[:, m] = 1.0
    a_eq = np.ones((1, m + 1))
    a_eq[0, m] = 0.0
    c = np.zeros(m + 1)
    c[m] = -1.0
    bounds = np.zeros((m + 1, 2))
    bounds[:, 1] = np.inf
    bounds[m, 0] = -np.inf
    lp = {"c": c, "A_ub": a_ub, "b_ub": np.zeros(n), "A_eq": a_eq, "b_eq": np.ones(1),
          "bounds": bounds}
    return lp, lo, scale


def maximin_lp(
    A: np.ndarray, *, algorithm: str = "highs", time_limit: float | None = None
) -> tuple[Any, float, float]:
    """Solve the row player's maximin LP of the matrix game ``A`` with HiGHS.

    Parameters
    ----------
    A
        Row player's payoffs, float array ``(m, n)``; the column player's are
        ``c - A`` for some constant ``c``.
    algorithm
        ``method`` passed to :func:`scipy.optimize.linprog` (a HiGHS solver).
    time_limit
        Seconds given to HiGHS (``None``: unlimited).

    Returns
    -------
    res : scipy.optimize.OptimizeResult
        The LP result; ``res.x[:m]`` is the row strategy and
        ``-res.ineqlin.marginals`` the column strategy.
    lo, scale : float
        The affine map: ``value = lo + scale * (-res.fun)``.
    """
    from scipy.optimize import linprog

    lp, lo, scale = maximin_lp_arrays(A)
    options: dict[str, Any] = {}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    res = linprog(**lp, method=algorithm, options=options)
    return res, lo, scale


@register(
    "lp",
    summary="Value and optimal strategies of a 2-player zero-sum or constant-sum game "
    "(one HiGHS LP; the column strategy from its dual)",
    players=(2, 2),
    finds="one",
    requires="constant-sum",
    options={
        "algorithm": "HiGHS solver passed to scipy's linprog: 'highs' (default: HiGHS "
        "chooses), 'highs-ds' (dual simplex) or 'highs-ipm' (interior point with crossover; "
        "often faster on large dense games)",
    },
)
def solve_lp(game: NormalFormGame, *, budget: Budget, algorithm: str = "highs") -> SolveResult:
    """One optimal strategy pair of a two-player constant-sum game, and its value.

    Every pair of optimal (maximin) strategies is a Nash equilibrium and all
    of them give the same payoffs (the value).  ``complete`` is ``False``:
    other optimal strategies may exist.

    Parameters
    ----------
    game
        A two-player game whose payoffs add up to the same constant at every profile.
    budget
        Its ``max_time`` (what is left of it) is passed to HiGHS as ``time_limit``.
    algorithm
        One of :data:`ALGORITHMS`.

    Returns
    -------
    SolveResult
        One equilibrium; ``details["value"]`` is the row player's value and
        ``details["values"]`` each player's.  Status ``"budget-exhausted"``
        (and no equilibrium) when HiGHS hits the time limit.
    """
    if algorithm not in ALGORITHMS:
        raise InvalidOptionError(
            f"algorithm must be one of {', '.join(map(repr, ALGORITHMS))}, got {algorithm!r}"
        )
    payoffs = game.float_payoffs()
    A = payoffs[0]
    constant = float(payoffs[0].flat[0] + payoffs[1].flat[0])
    time_limit = None
    if budget.max_time is not None:
        time_limit = budget.max_time - budget.elapsed()
        if time_limit <= 0:
            return _exhausted(game, "time limit reached before the LP started")
    res, lo, scale = maximin_lp(A, algorithm=algorithm, time_limit=time_limit)
    stats: dict[str, Any] = {"lp_iterations": int(getattr(res, "nit", 0)), "lp_status": res.status}
    if res.status == 1:
        return _exhausted(game, res.message, stats)
    if res.status != 0:
        raise SolverError(f"HiGHS failed on the zero-sum LP: {res.message}")
    m = A.shape[0]
    x = res.x[:m]
    y = -res.ineqlin.marginals
    value = lo + scale * float(-res.fun)
    result = build_result(
        game, [(x, y)], "lp", complete=False, stats=stats,
        details={"value": value, "values": dict(zip(game.players, (value, constant - value)))},
    )
    if result.equilibria:
        row_value = result.equilibria[0].payoff_values[0]
        details = {
            "value": row_value,
            "values": dict(zip(game.players, (row_value, constant - row_value))),
        }
        result = result.with_updates(details=details)
    return result


def _exhausted(
    game: NormalFormGame, reason: str, stats: dict[str, Any] | None = None
) -> SolveResult:
    stats = dict(stats or {})
    stats["reason"] = str(reason)
    return SolveResult(
        equilibria=(), method="lp", complete=False, status="budget-exhausted",
        stats=stats, details={}, game=game,
    )
