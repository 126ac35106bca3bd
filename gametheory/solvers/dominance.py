"""Iterated elimination of dominated strategies (pure or mixed dominators, strict or weak).

In each round every player's dominated strategies, judged in the game left
at the start of the round, are removed together; rounds repeat until nothing
is dominated.  A strategy ``s`` of player ``i`` is

* *strictly dominated* when some mixture ``sigma`` of ``i``'s other remaining
  strategies earns more than ``s`` against every remaining profile of the
  opponents, by more than the game's tolerance;
* *weakly dominated* when some ``sigma`` earns at least as much everywhere
  (within the tolerance) and more somewhere.

Pure dominators are found by vectorised comparisons.  Mixed ones need one LP
per candidate strategy (HiGHS): for strict dominance the LP maximises the
smallest margin ``epsilon``, for weak dominance the total margin subject to
no loss anywhere.  Strategies that are a best response to some pure opponent
profile (strict) or the unique best response to one (weak) cannot be
dominated and skip the LP.  Every dominator found by an LP is checked again
in floats before the strategy is removed.

The recorded dominator of each removed strategy uses only strategies that
survive the round: a mixture maximising the margin never puts weight on a
dominated strategy (moving that weight to its dominator would raise the
margin), so the LP is re-run on the survivors when needed.

Strict elimination removes no Nash equilibrium and its end result does not
depend on the order of removal.  **Weak elimination can remove equilibria,
and its end result depends on the order**: this module removes, in each
round, every weakly dominated strategy of every player at once (maximal
simultaneous elimination), and reports the order in the elimination record;
removing strategies one at a time in another order can leave a different game.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..games.normal_form import NormalFormGame
from ..games.profiles import pure_profile
from .budget import Budget, BudgetExhausted
from .registry import register
from .result import SolveResult
from .verify import build_result

#: HiGHS options for the small dominance LPs (payoffs scaled to [0, 1]).
_HIGHS_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
#: Largest boolean block (entries) built at once for the pure comparisons.
_BLOCK = 1 << 24

Record = list[dict[str, Any]]


# ----------------------------------------------------------------------------- one player
def _pure_dominators(U: np.ndarray, rows: np.ndarray, weak: bool, tol: float) -> np.ndarray:
    """``dom[a, t]``: strategy ``rows[a]`` is dominated by pure strategy ``t`` (rows of ``U``)."""
    m, r = U.shape
    dom = np.zeros((rows.size, m), dtype=bool)
    step = max(1, _BLOCK // max(1, m * r))
    for start in range(0, rows.size, step):
        blk = rows[start:start + step]
        diff = U[None, :, :] - U[blk, None, :]
        if weak:
            dom[start:start + step] = (diff >= -tol).all(axis=2) & (diff > tol).any(axis=2)
        else:
            dom[start:start + step] = (diff > tol).all(axis=2)
    return dom


def _may_be_dominated(U: np.ndarray, weak: bool, tol: float) -> np.ndarray:
    """False for strategies that cannot be dominated (a best response somewhere)."""
    m = U.shape[0]
    if m < 2:
        return np.zeros(m, dtype=bool)
    order = np.argsort(U, axis=0)
    top, second = order[-1], order[-2]
    cols = np.arange(U.shape[1])
    best_other = np.where(np.arange(m)[:, None] == top[None, :], U[second, cols], U[top, cols])
    if weak:
        return ~(U > best_other + tol).any(axis=1)
    return (U < best_other - tol).all(axis=1)


def _mixed_dominator(
    U: np.ndarray, s: int, others: np.ndarray, weak: bool, tol: float, budget: Budget | None
) -> dict[int, float] | None:
    """A mixture of ``others`` dominating row ``s`` of ``U`` (verified), or ``None``.

    ``U`` is scaled to ``[0, 1]`` and ``tol`` is in the same units.
    """
    from scipy.optimize import linprog

    if budget is not None:
        budget.tick()
    k = others.size
    sub = U[others]  # (k, R)
    target = U[s]
    if weak:
        res = linprog(
            -sub.sum(axis=1), A_ub=-sub.T, b_ub=-target, A_eq=np.ones((1, k)), b_eq=np.ones(1),
            bounds=(0, None), method="highs", options=_HIGHS_OPTIONS,
        )
        if res.status != 0:
            return None
        sigma = res.x
    else:
        a_ub = np.empty((sub.shape[1], k + 1))
        np.negative(sub.T, out=a_ub[:, :k])
        a_ub[:, k] = 1.0
        a_eq = np.ones((1, k + 1))
        a_eq[0, k] = 0.0
        c = np.zeros(k + 1)
        c[k] = -1.0
        bounds = np.zeros((k + 1, 2))
        bounds[:, 1] = np.inf
        bounds[k, 0] = -np.inf
        res = linprog(
            c, A_ub=a_ub, b_ub=-target, A_eq=a_eq, b_eq=np.ones(1), bounds=bounds,
            method="highs", options=_HIGHS_OPTIONS,
        )
        if res.status != 0 or -res.fun <= tol:
            return None
        sigma = res.x[:k]
    sigma = np.clip(sigma, 0.0, None)
    sigma[sigma < 1e-12] = 0.0
    sigma /= sigma.sum()
    if not _dominates(sigma @ sub - target, weak, tol):
        return None
    return {int(t): float(p) for t, p in zip(others, sigma) if p > 0}


def _dominates(diff: np.ndarray, weak: bool, tol: float) -> bool:
    if weak:
        return bool(diff.min() >= -tol and diff.max() > tol)
    return bool(diff.min() > tol)


def dominated_strategies(
    U: np.ndarray, weak: bool = False, mixed: bool = True, tol: float = 1e-9,
    budget: Budget | None = None,
) -> dict[int, dict[int, float]]:
    """One player's dominated strategies and a dominator of each, among the survivors.

    Parameters
    ----------
    U
        The player's payoffs, ``(m, R)``: one row per own strategy, one column
        per opponents' pure profile.
    weak
        Weak instead of strict dominance.
    mixed
        Allow mixed dominators (one LP per candidate); otherwise pure only.
    tol
        Payoff differences within ``tol`` count as ties.
    budget
        Ticked once per LP.

    Returns
    -------
    dict
        ``{s: {t: probability}}`` for every dominated row ``s``; the
        dominators ``t`` are rows that are not dominated themselves.
    """
    m = U.shape[0]
    lo, hi = float(U.min()), float(U.max())
    scale = hi - lo if hi > lo else 1.0
    Us = (U - lo) / scale
    tol_s = tol / scale
    rows = np.flatnonzero(_may_be_dominated(U, weak, tol))
    if rows.size == 0:
        return {}
    pure = _pure_dominators(U, rows, weak, tol)
    found: dict[int, dict[int, float]] = {}
    for a, s in enumerate(rows.tolist()):
        t = np.flatnonzero(pure[a])
        if t.size:
            found[s] = {int(t[0]): 1.0}
        elif mixed and m > 2:
            by = _mixed_dominator(Us, s, np.delete(np.arange(m), s), weak, tol_s, budget)
            if by is not None:
                found[s] = by
    if not found:
        return found
    if len(found) == m:  # only possible through tolerances (weak): keep the best on average
        del found[int(np.argmax(U.sum(axis=1)))]
    survivors = np.array([t for t in range(m) if t not in found])
    alive = set(survivors.tolist())
    for s, by in found.items():
        if set(by) <= alive:
            continue
        t = [int(t) for t in np.flatnonzero(pure[int(np.searchsorted(rows, s))]) if t in alive]
        if t:
            found[s] = {t[0]: 1.0}
            continue
        again = _mixed_dominator(Us, s, survivors, weak, tol_s, budget)
        if again is not None:
            found[s] = again
    return found


# ----------------------------------------------------------------------------- iteration
def _eliminate(
    game: NormalFormGame, weak: bool, mixed: bool, budget: Budget | None
) -> tuple[list[np.ndarray], Record, bool]:
    """Indices each player keeps, the record, and whether the budget ran out."""
    payoffs = game.float_payoffs()
    tol = game.tolerance()
    n = game.num_players
    keep = [np.arange(m) for m in game.shape]
    dirty = [True] * n
    record: Record = []
    round_no = 0
    while any(dirty):
        round_no += 1
        removals: dict[int, dict[int, dict[int, float]]] = {}
        try:
            for i in range(n):
                if not dirty[i] or keep[i].size < 2:
                    continue
                sub = payoffs[i][np.ix_(*keep)]
                U = np.moveaxis(sub, i, 0).reshape(keep[i].size, -1)
                found = dominated_strategies(U, weak, mixed, tol, budget)
                if found:
                    removals[i] = found
        except BudgetExhausted:
            return keep, record, True
        for i, found in removals.items():
            labels = game.strategies[i]
            for s in sorted(found):
                record.append({
                    "round": round_no,
                    "player": game.players[i],
                    "strategy": labels[keep[i][s]],
                    "dominated_by": {labels[keep[i][t]]: p for t, p in found[s].items()},
                })
            mask = np.ones(keep[i].size, dtype=bool)
            mask[list(found)] = False
            keep[i] = keep[i][mask]
        dirty = [any(j in removals for j in range(n) if j != i) for i in range(n)]
    return keep, record, False


def eliminate_dominated(
    game: NormalFormGame, weak: bool = False, mixed: bool = True
) -> tuple[NormalFormGame, Record]:
    """Iterated elimination of dominated strategies.

    Parameters
    ----------
    game
        A numeric normal-form game (any number of players).
    weak
        Eliminate weakly dominated strategies.  The result then depends on the
        order of elimination: each round removes every weakly dominated
        strategy of every player at once, and the record gives the order.
    mixed
        Let mixed strategies dominate (LP with HiGHS); otherwise pure only.

    Returns
    -------
    reduced : NormalFormGame
        The game restricted to the surviving strategies.
    record : list of dict
        One entry per removed strategy, in order: ``{"round": k, "player": ...,
        "strategy": ..., "dominated_by": {strategy: probability}}``.
    """
    keep, record, _ = _eliminate(game, weak, mixed, None)
    return game.restrict(keep), record


@register(
    "dominance",
    summary="Iterated elimination of strictly (or weakly) dominated strategies, "
    "mixed dominators included (n players)",
    players=(1, None),
    finds="some",
    options={
        "weak": "eliminate weakly dominated strategies (order-dependent; default False)",
        "mixed": "let mixed strategies dominate, by LP (default True)",
    },
)
def solve_dominance(
    game: NormalFormGame, *, budget: Budget, weak: bool = False, mixed: bool = True
) -> SolveResult:
    """Reduce a game by iterated dominance; solve it when one profile survives.

    Returns
    -------
    SolveResult
        ``details["reduced_game"]`` and ``details["eliminated"]`` (see
        :func:`eliminate_dominated`).  When a single profile survives it is
        the equilibrium: the unique one for strict dominance
        (``complete=True``), one of possibly several for weak dominance.
        Otherwise there are no equilibria and ``complete`` is ``False``.
        Status ``"budget-exhausted"`` when the time ran out; the reduced game
        is then the one at the start of the unfinished round.
    """
    from ..exceptions import InvalidOptionError

    for name, value in (("weak", weak), ("mixed", mixed)):
        if not isinstance(value, (bool, np.bool_)):
            raise InvalidOptionError(f"{name} must be True or False, got {value!r}")
    keep, record, exhausted = _eliminate(game, bool(weak), bool(mixed), budget)
    reduced = game.restrict(keep)
    status = "budget-exhausted" if exhausted else "ok"
    stats = {
        "eliminated": len(record),
        "rounds": max((r["round"] for r in record), default=0),
        "remaining": [int(k.size) for k in keep],
    }
    details = {"reduced_game": reduced, "eliminated": record}
    profiles = []
    if all(k.size == 1 for k in keep):
        profiles = [pure_profile(game.shape, [int(k[0]) for k in keep])]
    return build_result(
        game, profiles, "dominance", complete=bool(profiles) and not weak,
        status=status, stats=stats, details=details,
    )
