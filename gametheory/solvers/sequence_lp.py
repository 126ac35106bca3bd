"""Optimal behaviour strategies of a two-player zero-sum tree by one sequence-form LP.

With realisation plans ``x`` (``E x = e``) and ``y`` (``F y = f``) and the
first player's sequence-form payoff matrix ``A`` (Koller, Megiddo and von
Stengel 1996; von Stengel 1996), the second player's best response to ``x``
is the LP ``min_y x^T A y`` subject to ``F y = f, y >= 0``, whose dual is
``max_v f^T v`` subject to ``F^T v <= A^T x``.  So the first player's optimal
plans solve

.. math::

    \\max_{x, v} f^T v \\quad\\text{s.t.}\\quad F^T v - A^T x \\le 0,\\;
    E x = e,\\; x \\ge 0,\\; v \\text{ free},

a linear program whose size is linear in the tree.  It is solved once with
HiGHS (``scipy.optimize.linprog``); the multipliers of the inequalities
``F^T v - A^T x <= 0`` are an optimal plan ``y`` of the second player, so both
players' behaviour strategies come from the one solve.  In a constant-sum
game the second player's payoffs are a constant minus the first's, which does
not change the LP.

This is the extensive-form implementation of the method ``lp``; the
normal-form one lives in :mod:`.zero_sum`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import InvalidOptionError, SolverError
from ..games.extensive import ExtensiveFormGame
from ..games.sequence_form import SequenceForm, sequence_form
from .budget import Budget
from .registry import register
from .result import SolveResult
from .tree_verify import build_tree_result

#: HiGHS solvers accepted by the ``algorithm`` option.
ALGORITHMS = ("highs", "highs-ds", "highs-ipm")


def sequence_lp_arrays(sf: SequenceForm) -> tuple[dict[str, Any], float]:
    """The first player's sequence-form LP, as ``scipy.optimize.linprog`` arguments.

    Parameters
    ----------
    sf
        The sequence form of a two-player tree.

    Returns
    -------
    lp : dict
        ``c, A_ub, b_ub, A_eq, b_eq, bounds`` (sparse constraint matrices);
        the variables are ``x`` (the first player's sequences) then ``v``
        (one per constraint row of the second player).
    scale : float
        Payoffs were divided by it (their largest absolute value): the game's
        value is ``scale * v[0]``.

    The arrays are built once per sequence form and cached (read-only).
    """
    if "lp" in sf._cache:
        return sf._cache["lp"]
    from scipy.sparse import csr_matrix

    s, t, vals = sf.payoff_entries()
    a = vals[:, 0]
    scale = float(np.abs(a).max(initial=0.0)) or 1.0
    n1, n2 = sf.num_sequences(0), sf.num_sequences(1)
    m1, m2 = sf.num_constraints(0), sf.num_constraints(1)
    fr, fc, fv = sf.constraint_entries(1)
    # rows: player 2's sequences; columns: x, then v.  F^T v - A^T x <= 0
    a_ub = csr_matrix(
        (np.concatenate([-a / scale, fv]), (np.concatenate([t, fc]), np.concatenate([s, n1 + fr]))),
        shape=(n2, n1 + m2),
    )
    er, ec, ev = sf.constraint_entries(0)
    a_eq = csr_matrix((ev.astype(np.float64), (er, ec)), shape=(m1, n1 + m2))
    c = np.zeros(n1 + m2)
    c[n1] = -1.0  # maximise v[0] (f = e_0)
    bounds = np.zeros((n1 + m2, 2))
    bounds[:, 1] = np.inf
    bounds[n1:, 0] = -np.inf
    lp = {
        "c": c,
        "A_ub": a_ub,
        "b_ub": np.zeros(n2),
        "A_eq": a_eq,
        "b_eq": sf.constraint_rhs(0).astype(np.float64),
        "bounds": bounds,
    }
    for v in (c, bounds, lp["b_ub"], lp["b_eq"]):
        v.setflags(write=False)
    sf._cache["lp"] = (lp, scale)
    return lp, scale


@register(
    "lp",
    summary="trees with perfect recall: the sequence-form LP, both players' behaviour "
    "strategies from one HiGHS solve (its primal and dual)",
    forms=("extensive",),
    players=(2, 2),
    finds="one",
    requires="constant-sum",
    options={
        "algorithm": "HiGHS solver passed to scipy's linprog: 'highs' (default: HiGHS "
        "chooses), 'highs-ds' (dual simplex) or 'highs-ipm' (interior point with crossover)",
    },
)
def solve_sequence_lp(
    game: ExtensiveFormGame, *, budget: Budget, algorithm: str = "highs"
) -> SolveResult:
    """Optimal behaviour strategies of a two-player constant-sum tree, and its value.

    Parameters
    ----------
    game
        A numeric two-player tree with perfect recall whose payoffs add up to
        the same constant at every terminal node.
    budget
        What is left of its ``max_time`` is HiGHS's ``time_limit``.
    algorithm
        One of :data:`ALGORITHMS`.

    Returns
    -------
    SolveResult
        One equilibrium (verified by regret); ``details["value"]`` is the
        first player's value and ``details["values"]`` each player's.
        ``complete`` is ``False`` (other optimal strategies may exist).
        Status ``"budget-exhausted"`` with no equilibrium when HiGHS hits the
        time limit.

    Raises
    ------
    InvalidGameError
        Without perfect recall (naming the information set).
    """
    if algorithm not in ALGORITHMS:
        raise InvalidOptionError(
            f"algorithm must be one of {', '.join(map(repr, ALGORITHMS))}, got {algorithm!r}"
        )
    from scipy.optimize import linprog

    game.require_perfect_recall("lp")
    sf = sequence_form(game)
    options: dict[str, Any] = {}
    stats: dict[str, Any] = {"sequences": [sf.num_sequences(0), sf.num_sequences(1)]}
    if budget.max_time is not None:
        options["time_limit"] = budget.max_time - budget.elapsed()
        if options["time_limit"] <= 0:
            stats["reason"] = "time limit reached before the LP started"
            return build_tree_result(
                game, [], "lp", complete=False, status="budget-exhausted", stats=stats
            )
    lp, scale = sequence_lp_arrays(sf)
    res = linprog(**lp, method=algorithm, options=options)
    stats.update(lp_iterations=int(getattr(res, "nit", 0)), lp_status=int(res.status))
    if res.status == 1:
        stats["reason"] = str(res.message)
        return build_tree_result(
            game, [], "lp", complete=False, status="budget-exhausted", stats=stats
        )
    if res.status != 0:
        raise SolverError(f"HiGHS failed on the sequence-form LP: {res.message}")
    n1 = sf.num_sequences(0)
    x = res.x[:n1]
    y = -res.ineqlin.marginals
    vec = sf.behavior_from_plans([x, y])
    result = build_tree_result(game, [vec], "lp", complete=False, stats=stats)
    value = scale * float(-res.fun)
    if result.equilibria:
        value = result.equilibria[0].payoff_values[0]
    pay = game.float_payoffs()
    constant = float(pay[0].sum()) if pay.size else 0.0
    details = {"value": value, "values": dict(zip(game.players, (value, constant - value)))}
    return result.with_updates(details=details)
