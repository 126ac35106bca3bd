"""Correlated equilibria of n-player games by linear programming.

A correlated equilibrium is a probability distribution ``p`` over pure
profiles such that no player, told only their own recommended strategy
``s``, gains by playing another strategy ``t`` instead:

.. math::

    \\sum_{s_{-i}} p(s, s_{-i})\\,\\bigl(u_i(s, s_{-i}) - u_i(t, s_{-i})\\bigr) \\ge 0
    \\qquad\\text{for every player } i \\text{ and } s \\ne t .

These ``sum_i m_i (m_i - 1)`` incentive constraints are linear in ``p``; the
method builds them as one sparse matrix (vectorised, one block per player)
and solves one HiGHS LP maximising social welfare (or a player's payoff, or
nothing: any feasible point).  Every Nash equilibrium is a correlated
equilibrium (its product distribution satisfies the constraints), so the LP
is always feasible.

The *regret* of a distribution is the largest violation of an incentive
constraint (the most a player gains in expectation by following a fixed
deviation rule ``s -> t``); it is 0 at a correlated equilibrium.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np

from .. import numbers as nb
from ..exceptions import InvalidOptionError, SolverError
from ..games.normal_form import NormalFormGame
from .budget import Budget
from .registry import register
from .result import Equilibrium, SolveResult

#: Denominator bounds tried when rationalising a float distribution.
_DENOMINATORS = (1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10**8, 10**10, 10**12)
#: Largest support for which exact certification re-solves the LP vertex in rationals.
EXACT_VERTEX_LIMIT = 400
#: HiGHS feasibility tolerances (its smallest allowed; the LP works in payoff-range units).
_HIGHS_TOLERANCES = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
#: LP values below this are round-off and dropped from the distribution.
_DROP = 1e-13


# ----------------------------------------------------------------------------- constraints
def incentive_matrix(payoffs: np.ndarray) -> tuple[Any, np.ndarray]:
    """Sparse matrix ``C`` of the incentive constraints: ``p`` is a CE iff ``C @ p >= 0``.

    Parameters
    ----------
    payoffs
        Float array ``(n, m_1, ..., m_n)``.

    Returns
    -------
    C : scipy.sparse.csr_array
        Shape ``(K, N)`` with ``K = sum_i m_i (m_i - 1)`` and ``N`` the number
        of pure profiles (in C order of the payoff array).
    rows : numpy.ndarray
        ``(K, 3)`` integer array: player, recommended strategy ``s`` and
        deviation ``t`` of each constraint.
    """
    from scipy.sparse import csr_array

    n = payoffs.shape[0]
    shape = payoffs.shape[1:]
    total = int(np.prod(shape))
    flat_index = np.arange(total).reshape(shape)
    data, indices, lengths, meta = [], [], [], []
    for i in range(n):
        m = shape[i]
        if m < 2:
            continue
        u = np.moveaxis(payoffs[i], i, 0).reshape(m, -1)
        # cols[s] lists, in increasing order, the profiles where player i plays s
        cols = np.moveaxis(flat_index, i, 0).reshape(m, -1)
        s, t = np.nonzero(~np.eye(m, dtype=bool))
        data.append((u[s] - u[t]).reshape(-1))
        indices.append(cols[s].reshape(-1))
        lengths.append(np.full(s.size, u.shape[1]))
        meta.append(np.column_stack([np.full(s.size, i), s, t]))
    if not data:
        return csr_array((0, total)), np.zeros((0, 3), dtype=np.intp)
    indptr = np.zeros(sum(len(x) for x in lengths) + 1, dtype=np.int64)
    np.cumsum(np.concatenate(lengths), out=indptr[1:])
    mat = csr_array(
        (np.concatenate(data), np.concatenate(indices), indptr),
        shape=(indptr.size - 1, total),
    )
    return mat, np.concatenate(meta)


def distribution_regret(payoffs: np.ndarray, dist: np.ndarray) -> Any:
    """Largest gain from any deviation rule ``s -> t`` of any player (0 at a CE).

    Parameters
    ----------
    payoffs
        Array ``(n, m_1, ..., m_n)``, float or object (``Fraction``).
    dist
        Array of shape ``(m_1, ..., m_n)``: the probability of each pure profile.

    Returns
    -------
    float or Fraction
        ``max_{i, s, t} sum_{s_-i} p(s, s_-i) (u_i(t, s_-i) - u_i(s, s_-i))``,
        never negative (the rule ``s -> s`` gains 0).
    """
    worst: Any = 0
    for i in range(payoffs.shape[0]):
        m = dist.shape[i]
        p = np.moveaxis(dist, i, 0).reshape(m, -1)
        u = np.moveaxis(payoffs[i], i, 0).reshape(m, -1)
        gain = np.dot(p, u.T) - (p * u).sum(axis=1)[:, None]
        worst = max(worst, gain.max())
    return worst if dist.dtype == object else float(worst)


def _dense(game: NormalFormGame, eq: Equilibrium, exact: bool) -> np.ndarray:
    """The distribution of a correlated equilibrium as an array over pure profiles."""
    source = eq.exact_distribution if exact else eq.distribution
    if source is None:
        raise ValueError("the equilibrium has no distribution over profiles")
    out = np.zeros(game.shape, dtype=object if exact else np.float64)
    if exact:
        out[...] = Fraction(0)
    for labels, prob in source:
        idx = tuple(game.strategy_index(i, s) for i, s in enumerate(labels))
        out[idx] = prob
    return out


def correlated_regret(game: NormalFormGame, eq: Equilibrium) -> float:
    """Largest incentive-constraint violation of a correlated equilibrium in ``game``.

    When the equilibrium carries a certified exact distribution the check is
    done in rationals (so a certified equilibrium gives exactly ``0.0``).
    """
    if eq.exact_distribution is not None:
        return float(distribution_regret(game.exact_payoffs(), _dense(game, eq, exact=True)))
    return distribution_regret(game.float_payoffs(), _dense(game, eq, exact=False))


# ----------------------------------------------------------------------------- equilibria
def _support_items(game: NormalFormGame, dist: np.ndarray, positive: np.ndarray) -> list[Any]:
    return [
        (tuple(game.strategies[i][k] for i, k in enumerate(idx)), dist[tuple(idx)])
        for idx in np.argwhere(positive)
    ]


def make_correlated(
    game: NormalFormGame, dist: np.ndarray, method: str = "correlated", regret: float | None = None
) -> Equilibrium:
    """Wrap a float distribution over pure profiles as an :class:`Equilibrium`.

    ``strategies`` are the marginals, ``payoffs`` the expected payoffs and
    ``distribution`` lists the profiles with positive probability.
    """
    payoffs = game.float_payoffs()
    n = game.num_players
    axes = tuple(range(n))
    marginals = [dist.sum(axis=tuple(a for a in axes if a != i)) for i in axes]
    values = (payoffs * dist).reshape(n, -1).sum(axis=1)
    if regret is None:
        regret = distribution_regret(payoffs, dist)
    items = _support_items(game, dist, dist > 0)
    return Equilibrium(
        players=game.players,
        labels=game.strategies,
        probabilities=tuple(tuple(float(p) for p in v) for v in marginals),
        payoff_values=tuple(float(v) for v in values),
        regret=max(float(regret), 0.0),
        method=method,
        distribution=tuple((labels, float(p)) for labels, p in items),
    )


def _objective(game: NormalFormGame, objective: Any) -> tuple[str, np.ndarray | None]:
    payoffs = game.float_payoffs()
    if objective == "welfare":
        return "welfare", payoffs.sum(axis=0).reshape(-1)
    if objective == "feasible":
        return "feasible", None
    if isinstance(objective, str) and objective in game.players:
        return objective, payoffs[game.players.index(objective)].reshape(-1)
    raise InvalidOptionError(
        "objective must be 'welfare', 'feasible' or a player "
        f"({', '.join(map(repr, game.players))}), got {objective!r}"
    )


@register(
    "correlated",
    summary="A correlated equilibrium by LP, maximising social welfare by default (n players)",
    players=(1, None),
    finds="one",
    options={
        "objective": "'welfare' (default: maximise the sum of expected payoffs), 'feasible' "
        "(any correlated equilibrium, no objective value reported) or a player label "
        "(maximise that player's payoff)",
    },
)
def solve_correlated(
    game: NormalFormGame, *, budget: Budget, objective: str = "welfare"
) -> SolveResult:
    """A correlated equilibrium of an n-player game by one HiGHS LP.

    Parameters
    ----------
    game
        A numeric normal-form game.
    budget
        What is left of its ``max_time`` is passed to HiGHS as ``time_limit``.
    objective
        ``"welfare"``, ``"feasible"`` or a player label.  ``"feasible"``
        asks for any correlated equilibrium and reports no objective value;
        it is computed as the welfare LP's solution, because HiGHS finds that
        optimum much faster than a point of the bare feasibility problem (on a
        random 100x100 game: about 3 s, against about 30 s by interior point
        with crossover, and the simplex method can stall on a zero objective).

    Returns
    -------
    SolveResult
        One :class:`Equilibrium` whose ``distribution`` holds the profiles
        played with positive probability, ``strategies`` the marginals and
        ``regret`` the largest incentive-constraint violation.  The distribution
        is checked against every constraint; one violating the game's
        tolerance is rejected (status ``"verification-failed"``).
        ``details["objective_value"]`` is the optimised quantity.
    """
    from scipy.optimize import linprog
    from scipy.sparse import csr_array

    name, gain = _objective(game, objective)
    payoffs = game.float_payoffs()
    scale = max(game.payoff_range(), 1e-300)
    mat, _ = incentive_matrix(payoffs)
    total = game.num_profiles
    k = mat.shape[0]
    stats: dict[str, Any] = {"profiles": total, "constraints": int(k)}
    options: dict[str, Any] = dict(_HIGHS_TOLERANCES)
    if budget.max_time is not None:
        left = budget.max_time - budget.elapsed()
        if left <= 0:
            return _result(game, (), "budget-exhausted", stats, name)
        options["time_limit"] = left
    mat.data *= 1.0 / scale  # constraints in units of the payoff range
    a_ub = -mat if k else None
    # 'feasible' solves the welfare LP: HiGHS finds its optimum far faster than a point of
    # the bare feasibility problem (simplex stalls on it; interior point + crossover is slow).
    c = (payoffs.sum(axis=0).reshape(-1) if gain is None else gain) / -scale
    res = linprog(
        c, A_ub=a_ub, b_ub=np.zeros(k) if k else None,
        A_eq=csr_array(np.ones((1, total))), b_eq=np.ones(1),
        bounds=(0, None), method="highs", options=options,
    )
    stats["lp_iterations"] = int(getattr(res, "nit", 0))
    if res.status == 1:
        stats["reason"] = str(res.message)
        return _result(game, (), "budget-exhausted", stats, name)
    if res.status != 0:
        raise SolverError(f"HiGHS failed on the correlated-equilibrium LP: {res.message}")
    tol = game.tolerance()
    dist = _clean(res.x).reshape(game.shape)
    regret = distribution_regret(payoffs, dist)
    if regret > tol:
        stats["rejected"] = 1
        stats["worst_rejected_regret"] = regret
        return _result(game, (), "verification-failed", stats, name)
    eq = make_correlated(game, dist, regret=regret)
    value = None if gain is None else float(gain @ dist.reshape(-1))
    return _result(game, (eq,), "ok", stats, name, value)


def _clean(x: np.ndarray) -> np.ndarray:
    """Clip an LP solution to a distribution: drop round-off entries, renormalise.

    Only entries below ``_DROP`` are dropped: an LP vertex can have genuinely
    small coordinates (``1e-10`` is not rare), and dropping them would break
    incentive constraints by about as much.
    """
    dist = np.clip(x, 0.0, None)
    dist[dist <= _DROP] = 0.0
    return dist / dist.sum()


def _result(
    game: NormalFormGame,
    equilibria: tuple[Equilibrium, ...],
    status: str,
    stats: dict[str, Any],
    objective: str,
    value: float | None = None,
) -> SolveResult:
    return SolveResult(
        equilibria=equilibria, method="correlated", complete=False, status=status,
        stats=stats, details={"objective": objective, "objective_value": value}, game=game,
    )


# ----------------------------------------------------------------------------- exact certification
def _exact_vertex(game: NormalFormGame, dist: np.ndarray) -> np.ndarray | None:
    """Re-solve, in rationals, the LP vertex at ``dist``: support and tight constraints.

    The probabilities on the support are the unique solution of the tight
    incentive constraints plus ``sum p = 1``; ``None`` when that system does
    not pin them down (not a vertex, or a constraint misread as tight).
    """
    support = np.flatnonzero(dist.reshape(-1) > 0)
    if support.size > EXACT_VERTEX_LIMIT:
        return None
    mat, meta = incentive_matrix(game.float_payoffs())
    slack = mat @ dist.reshape(-1)
    tight = np.flatnonzero(np.abs(slack) <= 1e-7 * max(game.payoff_range(), 1.0))
    exact_mat = _exact_rows(game.exact_payoffs(), meta[tight], support, game.shape)
    rows = [*exact_mat, [Fraction(1)] * support.size]
    rhs = [Fraction(0)] * len(exact_mat) + [Fraction(1)]
    sol = _solve_unique(rows, rhs, support.size)
    if sol is None:
        return None
    out = np.empty(int(np.prod(game.shape)), dtype=object)
    out[...] = Fraction(0)
    out[support] = sol
    return out.reshape(game.shape)


def _exact_rows(
    exact: np.ndarray, meta: np.ndarray, support: np.ndarray, shape: tuple[int, ...]
) -> list[list[Fraction]]:
    """Incentive constraints ``meta`` (player, s, t) on the columns ``support``, in rationals."""
    profs = np.array(np.unravel_index(support, shape))  # (n, k)
    rows = []
    for i, s, t in meta:
        dev = profs.copy()
        dev[i] = t
        gain = exact[i][tuple(profs)] - exact[i][tuple(dev)]
        rows.append(np.where(profs[i] == s, gain, Fraction(0)).tolist())
    return rows


def _solve_unique(rows: list[list[Fraction]], rhs: list[Fraction], k: int) -> list[Fraction] | None:
    """Unique solution of a consistent linear system with ``k`` unknowns, or ``None``."""
    a = [[*r, b] for r, b in zip(rows, rhs)]
    r = 0
    for col in range(k):
        piv = next((j for j in range(r, len(a)) if a[j][col] != 0), None)
        if piv is None:
            return None  # free variable: not unique
        a[r], a[piv] = a[piv], a[r]
        inv = 1 / a[r][col]
        a[r] = [v * inv for v in a[r]]
        for j in range(len(a)):
            if j != r and a[j][col] != 0:
                f = a[j][col]
                a[j] = [v - f * w for v, w in zip(a[j], a[r])]
        r += 1
    if any(a[j][k] != 0 for j in range(r, len(a))):
        return None  # inconsistent
    return [a[j][k] for j in range(k)]


def _rationalised(dist: np.ndarray, bound: int) -> np.ndarray | None:
    flat = dist.reshape(-1)
    fr = [nb.rationalize(p, bound) if p > 0 else Fraction(0) for p in flat]
    last = max(range(len(fr)), key=lambda k: fr[k])
    fr[last] += 1 - sum(fr, Fraction(0))
    if fr[last] < 0:
        return None
    out = np.empty(flat.size, dtype=object)
    out[:] = fr
    return out.reshape(dist.shape)


def _candidates(game: NormalFormGame, dist: np.ndarray) -> Iterator[np.ndarray | None]:
    for bound in _DENOMINATORS[:7]:
        yield _rationalised(dist, bound)
    yield _exact_vertex(game, dist)
    for bound in _DENOMINATORS[7:]:
        yield _rationalised(dist, bound)


def certify_correlated(game: NormalFormGame, eq: Equilibrium) -> Equilibrium:
    """Certify a correlated equilibrium exactly, or add a note saying why not.

    Candidate rational distributions (the float one rationalised with growing
    denominator bounds, and the LP vertex re-solved in rationals on its
    support and tight constraints) are accepted when they are within
    ``1e-6`` of the float distribution, non-negative, sum to 1 and satisfy
    every incentive constraint exactly.  On success the equilibrium carries
    the exact distribution (``exact_distribution``), exact marginals and
    exact expected payoffs, and regret ``0``.
    """
    dist = _dense(game, eq, exact=False)
    exact_payoffs = game.exact_payoffs()
    for cand in _candidates(game, dist):
        if cand is None:
            continue
        if any(q < 0 for q in cand.reshape(-1)) or sum(cand.reshape(-1), Fraction(0)) != 1:
            continue
        if np.max(np.abs(cand.astype(np.float64) - dist)) > 1e-6:
            continue
        if distribution_regret(exact_payoffs, cand) != 0:
            continue
        return _exact_equilibrium(game, eq, cand, exact_payoffs)
    note = (
        "exact certification failed: no rational distribution near this one satisfies "
        "every incentive constraint exactly"
    )
    return replace(eq, notes=(*eq.notes, note))


def _exact_equilibrium(
    game: NormalFormGame, eq: Equilibrium, cand: np.ndarray, exact_payoffs: np.ndarray
) -> Equilibrium:
    n = game.num_players
    axes = tuple(range(n))
    marginals = [
        tuple(cand.sum(axis=tuple(a for a in axes if a != i)).tolist()) for i in axes
    ]
    values = tuple((exact_payoffs[i] * cand).sum() for i in axes)
    items = _support_items(game, cand, cand != 0)
    return replace(
        eq,
        probabilities=tuple(tuple(float(p) for p in v) for v in marginals),
        payoff_values=tuple(float(v) for v in values),
        regret=0.0,
        exact_probabilities=tuple(tuple(Fraction(p) for p in v) for v in marginals),
        exact_payoff_values=tuple(Fraction(v) for v in values),
        distribution=tuple((labels, float(p)) for labels, p in items),
        exact_distribution=tuple((labels, Fraction(p)) for labels, p in items),
    )
