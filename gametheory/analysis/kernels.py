"""Equilibria of a batch of games (one per parameter point), as columnar rows.

Three kernels share one output type, :class:`Rows`:

* ``pure``: every pure equilibrium of every game in the batch at once
  (vectorised over points, profiles and players);
* ``batched-support``: every equilibrium of nondegenerate two-player games by
  support enumeration, vectorised over points (one batched linear solve per
  support pair); points where a game is degenerate are re-solved one by one
  with the registered complete method;
* ``per-point``: any registered method through :func:`gametheory.solve`.

Kernels are plain top-level functions of numpy arrays, so that process pools
and Dask workers can run them without sympy.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import numbers as nb

#: Largest number of support pairs solved by the batched two-player kernel.
MAX_SUPPORT_PAIRS = 5000
#: Relative determinant threshold (against Hadamard's bound) for singular support systems.
SINGULAR_RTOL = 1e-12


@dataclass
class Rows:
    """Equilibria of a batch, one row per (point, equilibrium), points ascending.

    Attributes
    ----------
    point
        Index of the point within the batch.
    probs
        Probabilities, all players' strategies concatenated, shape ``(R, M)``.
    payoffs
        Expected payoff of each player, shape ``(R, n)``.
    regret
        Largest unilateral gain, shape ``(R,)``.
    stats
        Counters (degenerate points, fallbacks, incomplete points).
    """

    point: np.ndarray
    probs: np.ndarray
    payoffs: np.ndarray
    regret: np.ndarray
    stats: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def empty(cls, m_total: int, n: int) -> Rows:
        """No rows."""
        return cls(np.zeros(0, np.int64), np.zeros((0, m_total)), np.zeros((0, n)), np.zeros(0))

    def __len__(self) -> int:
        return len(self.point)


def point_tolerance(payoffs: np.ndarray) -> np.ndarray:
    """Regret tolerance of each game of a batch ``(N, n, m_1..m_n)`` (policy of numbers.py)."""
    flat = payoffs.reshape(payoffs.shape[0], -1)
    spread = flat.max(axis=1) - flat.min(axis=1)
    return nb.RTOL * np.maximum(spread, 1.0)


# ------------------------------------------------------------------------------------ pure
def pure_rows(payoffs: np.ndarray) -> Rows:
    """Every pure equilibrium of every game of the batch ``(N, n, m_1..m_n)``.

    The same test as :func:`gametheory.solvers.pure.pure_equilibrium_mask`
    (no player gains more than the tolerance by deviating), keeping each
    player's best-reply payoffs to compute the regrets without a second pass.
    """
    N, n = payoffs.shape[:2]
    shape = payoffs.shape[2:]
    tol = point_tolerance(payoffs).reshape((N,) + (1,) * n)
    mask = None
    bests = []
    for i in range(n):
        u = payoffs[:, i]
        best = u.max(axis=i + 1, keepdims=True)
        bests.append(best)
        ok = u >= best - tol
        mask = ok if mask is None else mask & ok
    hits = np.nonzero(mask)
    point = hits[0].astype(np.int64)
    prof = hits[1:]
    players = np.arange(n)
    pay = payoffs[(point[:, None], players[None, :], *(s[:, None] for s in prof))]
    regret = np.zeros(len(point))
    for i in range(n):
        idx = tuple(np.zeros_like(prof[j]) if j == i else prof[j] for j in range(n))
        regret = np.maximum(regret, bests[i][(point, *idx)] - pay[:, i])
    offsets = np.concatenate([[0], np.cumsum(shape)[:-1]])
    probs = np.zeros((len(point), int(sum(shape))))
    rows = np.arange(len(point))
    for i in range(n):
        probs[rows, offsets[i] + prof[i]] = 1.0
    return Rows(point, probs, pay, np.maximum(regret, 0.0))


# ------------------------------------------------------------------------------ two-player
def _support_system(M: np.ndarray, k: int) -> np.ndarray:
    """``(N, k+1, k+1)`` matrix ``[[M, -1], [1, 0]]`` of an indifference system."""
    N = M.shape[0]
    S = np.zeros((N, k + 1, k + 1))
    S[:, :k, :k] = M
    S[:, :k, k] = -1.0
    S[:, k, :k] = 1.0
    return S


def _solve_batch(S: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Solve ``S z = e_last`` for each matrix; returns ``(z, regular, singular_consistent)``."""
    N, k1 = S.shape[:2]
    rhs = np.zeros((N, k1, 1))
    rhs[:, -1, 0] = 1.0
    # |det| against Hadamard's bound (product of row norms): a cheap relative singularity test
    det = np.linalg.det(S)
    bound = np.prod(np.linalg.norm(S, axis=2), axis=1)
    regular = np.abs(det) > SINGULAR_RTOL * bound
    z = np.zeros((N, k1))
    if np.any(regular):
        z[regular] = np.linalg.solve(S[regular], rhs[regular])[..., 0]
    consistent = np.zeros(N, dtype=bool)
    if not np.all(regular):
        bad = ~regular
        zb = np.linalg.pinv(S[bad]) @ rhs[bad]
        resid = np.abs(S[bad] @ zb - rhs[bad]).max(axis=(1, 2))
        consistent[bad] = resid <= 1e-9
    return z, regular, consistent


def _solve_pure_support(M: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_solve_batch` of one-strategy supports ``M`` ``(N, 1, 1)``, without LAPACK.

    The system ``[[a, -1], [1, 0]] z = [0, 1]`` has determinant 1 and solution
    ``z = (1, a)``; only the probability ``z[0]`` is used, and it normalises to
    exactly 1 however it is computed.  Points the relative singularity test
    would flag (``|a|`` near ``1 / SINGULAR_RTOL``) take the general path.
    """
    a = M[:, 0, 0]
    regular = 1.0 > SINGULAR_RTOL * np.sqrt(a * a + 1.0)  # |det| = 1 against Hadamard's bound
    if not np.all(regular):
        return _solve_batch(_support_system(M, 1))
    z = np.empty((len(a), 2))
    z[:, 0] = 1.0
    z[:, 1] = a
    return z, regular, np.zeros(len(a), dtype=bool)


def _solve_support(M: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indifference system of a ``k``-strategy support for each game of the batch."""
    return _solve_pure_support(M) if k == 1 else _solve_batch(_support_system(M, k))


def support_pair_count(m1: int, m2: int) -> int:
    """Number of equal-size support pairs of an ``m1 x m2`` game."""
    from math import comb

    return sum(comb(m1, k) * comb(m2, k) for k in range(1, min(m1, m2) + 1))


def bimatrix_rows(payoffs: np.ndarray) -> tuple[Rows, np.ndarray]:
    """All equilibria of nondegenerate bimatrix games ``(N, 2, m1, m2)`` by support enumeration.

    Returns the rows and a boolean array marking *degenerate* points: a found
    equilibrium has more pure best responses than the opponent's support size,
    or a support system is singular but consistent.  There the rows may be
    incomplete (or duplicated) and the caller re-solves the point.
    """
    N, _, m1, m2 = payoffs.shape
    A, B = payoffs[:, 0], payoffs[:, 1]
    tol = point_tolerance(payoffs)
    degenerate = np.zeros(N, dtype=bool)
    found_pt, found_x, found_y = [], [], []
    for k in range(1, min(m1, m2) + 1):
        for rows_i in itertools.combinations(range(m1), k):
            BI = B[:, rows_i, :]
            AI = A[:, rows_i, :]
            for cols_j in itertools.combinations(range(m2), k):
                zy, ok_y, cons_y = _solve_support(AI[:, :, cols_j], k)
                zx, ok_x, cons_x = _solve_support(np.swapaxes(BI[:, :, cols_j], 1, 2), k)
                degenerate |= (cons_y & (ok_x | cons_x)) | (cons_x & ok_y)
                ok = ok_x & ok_y
                ok &= np.all(zy[:, :k] >= -nb.PROB_TOL, axis=1) & np.all(
                    zx[:, :k] >= -nb.PROB_TOL, axis=1
                )
                if not np.any(ok):
                    continue
                pts = np.flatnonzero(ok)
                x = np.zeros((len(pts), m1))
                y = np.zeros((len(pts), m2))
                x[:, rows_i] = np.clip(zx[pts, :k], 0.0, None)
                y[:, cols_j] = np.clip(zy[pts, :k], 0.0, None)
                x /= x.sum(axis=1, keepdims=True)
                y /= y.sum(axis=1, keepdims=True)
                Ay = np.einsum("nij,nj->ni", A[pts], y)
                xB = np.einsum("ni,nij->nj", x, B[pts])
                r_row = Ay.max(axis=1) - np.einsum("ni,ni->n", x, Ay)
                r_col = xB.max(axis=1) - np.einsum("nj,nj->n", y, xB)
                good = np.maximum(r_row, r_col) <= tol[pts]
                if not np.any(good):
                    continue
                pts, x, y = pts[good], x[good], y[good]
                Ay, xB = Ay[good], xB[good]
                n_br_row = np.sum(Ay >= Ay.max(axis=1, keepdims=True) - tol[pts, None], axis=1)
                n_br_col = np.sum(xB >= xB.max(axis=1, keepdims=True) - tol[pts, None], axis=1)
                supp_x = np.sum(x > nb.PROB_TOL, axis=1)
                supp_y = np.sum(y > nb.PROB_TOL, axis=1)
                degenerate[pts[(n_br_row > supp_y) | (n_br_col > supp_x)]] = True
                found_pt.append(pts)
                found_x.append(x)
                found_y.append(y)
    if not found_pt:
        return Rows.empty(m1 + m2, 2), degenerate
    pt = np.concatenate(found_pt)
    order = np.argsort(pt, kind="stable")
    pt = pt[order]
    x = np.concatenate(found_x)[order]
    y = np.concatenate(found_y)[order]
    probs = np.concatenate([x, y], axis=1)
    Ay = np.einsum("nij,nj->ni", A[pt], y)
    xB = np.einsum("ni,nij->nj", x, B[pt])
    pay = np.stack([np.einsum("ni,ni->n", x, Ay), np.einsum("nj,nj->n", y, xB)], axis=1)
    regret = np.maximum(Ay.max(axis=1) - pay[:, 0], xB.max(axis=1) - pay[:, 1])
    return Rows(pt.astype(np.int64), probs, pay, np.maximum(regret, 0.0)), degenerate


# ------------------------------------------------------------------------------- per point
def result_rows(result: Any, m_total: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Probabilities, payoffs and regrets of a :class:`SolveResult`'s equilibria."""
    eqs = result.equilibria
    if not eqs:
        return np.zeros((0, m_total)), np.zeros((0, n)), np.zeros(0)
    probs = np.array([np.concatenate([np.asarray(p, float) for p in e.probabilities]) for e in eqs])
    pay = np.array([e.payoff_values for e in eqs], dtype=float)
    reg = np.array([e.regret for e in eqs], dtype=float)
    return probs, pay, reg


def _game_at(
    payoffs: np.ndarray, labels: tuple[Any, Any], values: Mapping[str, float] | None
) -> Any:
    from ..games.normal_form import NormalFormGame

    return NormalFormGame(list(payoffs), labels[0], labels[1], parameter_values=values)


def per_point_rows(
    payoffs: np.ndarray,
    method: str,
    options: Mapping[str, Any],
    labels: tuple[Any, Any],
    points: Sequence[int] | None = None,
    exact_games: Sequence[Any] | None = None,
) -> Rows:
    """Solve the games of the batch one by one with :func:`gametheory.solve`."""
    from ..solvers.registry import solve

    n = payoffs.shape[1]
    m_total = int(sum(payoffs.shape[2:]))
    idx = range(payoffs.shape[0]) if points is None else points
    pts, probs, pays, regs = [], [], [], []
    incomplete = 0
    for t in idx:
        if exact_games is not None:
            res = solve(exact_games[t], method, exact=True, **options)
        else:
            res = solve(_game_at(payoffs[t], labels, None), method, **options)
        if not (res.complete and res.ok):
            incomplete += 1
        p, u, r = result_rows(res, m_total, n)
        pts.append(np.full(len(r), t, dtype=np.int64))
        probs.append(p)
        pays.append(u)
        regs.append(r)
    if not pts:
        return Rows.empty(m_total, n)
    return Rows(
        np.concatenate(pts),
        np.concatenate(probs),
        np.concatenate(pays),
        np.concatenate(regs),
        {"incomplete_points": incomplete},
    )


def complete_two_player_method() -> str | None:
    """The registered method that finds all (extreme) equilibria of 2-player games, if any."""
    from ..solvers.registry import _REGISTRY, _load_all

    _load_all()
    for name in ("vertex-enumeration", "support-enumeration"):
        if name in _REGISTRY:
            return name
    return None


def _dedupe(rows: Rows, pts: np.ndarray) -> Rows:
    """Drop repeated equilibria at the given points (degenerate games without a fallback)."""
    keep = np.ones(len(rows), dtype=bool)
    for t in pts:
        idx = np.flatnonzero(rows.point == t)
        for a_pos, a in enumerate(idx):
            if keep[a] and any(
                keep[b] and np.max(np.abs(rows.probs[a] - rows.probs[b])) <= 1e-7
                for b in idx[:a_pos]
            ):
                keep[a] = False
    return Rows(
        rows.point[keep], rows.probs[keep], rows.payoffs[keep], rows.regret[keep], rows.stats
    )


def batched_rows(payoffs: np.ndarray, labels: tuple[Any, Any]) -> Rows:
    """Two-player kernel: batched support enumeration, degenerate points re-solved."""
    rows, degenerate = bimatrix_rows(payoffs)
    bad = np.flatnonzero(degenerate)
    stats: dict[str, Any] = {"degenerate_points": len(bad)}
    if len(bad):
        fallback = complete_two_player_method()
        if fallback is None:
            rows = _dedupe(rows, bad)
            stats["incomplete_points"] = len(bad)
        else:
            fixed = per_point_rows(payoffs, fallback, {}, labels, points=bad)
            keep = ~np.isin(rows.point, bad)
            merged = Rows(
                np.concatenate([rows.point[keep], fixed.point]),
                np.concatenate([rows.probs[keep], fixed.probs]),
                np.concatenate([rows.payoffs[keep], fixed.payoffs]),
                np.concatenate([rows.regret[keep], fixed.regret]),
            )
            order = np.argsort(merged.point, kind="stable")
            rows = Rows(
                merged.point[order],
                merged.probs[order],
                merged.payoffs[order],
                merged.regret[order],
            )
            stats["fallback_method"] = fallback
            stats["incomplete_points"] = fixed.stats.get("incomplete_points", 0)
    rows.stats = stats
    return rows


# ---------------------------------------------------------------------------- dispatching
@dataclass(frozen=True)
class Task:
    """One chunk of work: the games of a batch and how to solve them."""

    payoffs: np.ndarray
    kernel: str
    method: str
    options: Mapping[str, Any]
    labels: tuple[Any, Any]
    exact_games: tuple[Any, ...] | None = None


def run_task(task: Task) -> Rows:
    """Run one chunk (top-level so that process pools and Dask can pickle it)."""
    if task.kernel == "pure":
        return pure_rows(task.payoffs)
    if task.kernel == "batched-support":
        return batched_rows(task.payoffs, task.labels)
    return per_point_rows(
        task.payoffs, task.method, task.options, task.labels, exact_games=task.exact_games
    )


def choose_kernel(game: Any, method: str, exact: bool) -> tuple[str, str]:
    """``(kernel, description)`` for a sweep of ``game`` with ``method``."""
    from ..exceptions import MethodNotApplicableError
    from ..solvers.registry import get_method

    if game.form != "normal":
        raise MethodNotApplicableError(
            f"sweeps of {game.form}-form games are not available yet; convert the game "
            "to normal form first"
        )
    n = game.num_players
    if exact:
        chosen = method
        if method == "auto":
            chosen = "pure" if n != 2 else (complete_two_player_method() or "pure")
        get_method(chosen)
        return "per-point", f"{chosen} (exact, per point)"
    if method == "pure":
        return "pure", "pure (vectorised over points)"
    if method == "auto":
        if n != 2:
            return "pure", f"auto: pure (vectorised over points; {n} players)"
        m1, m2 = game.shape
        if support_pair_count(m1, m2) <= MAX_SUPPORT_PAIRS:
            return "batched-support", (
                f"auto: support enumeration vectorised over points (2 players, {m1}x{m2}); "
                "degenerate points re-solved one by one"
            )
        from ..solvers.auto import choose

        return "per-point", f"auto per point: {choose(game)[0]}"
    get_method(method)
    return "per-point", f"{method} (per point)"
