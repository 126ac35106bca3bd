"""All extreme Nash equilibria of a two-player game by vertex enumeration.

The extreme equilibria of a bimatrix game are the completely labelled pairs
of vertices of its best-response polytopes ``P`` and ``Q`` (see
:mod:`gametheory.solvers.polytopes`).  The algorithm enumerates the vertices
of the polytope of lower dimension only (say ``P``; the game is transposed
otherwise) and, for each vertex ``x``, finds the vertices ``y`` of ``Q`` that
complete its labels:

* When ``x`` has exactly ``m`` labels (support ``I`` and best-response set
  ``J`` of equal size ``k``) and ``A[I, J]`` is non-singular, the only
  candidate is ``y_J = A[I, J]^{-1} 1``; it is accepted when it lies in
  ``Q``.  These systems are solved in batches, grouped by ``k``.
* Otherwise (``x`` has more labels than ``m``, or ``A[I, J]`` is singular:
  a degenerate game), the vertices of ``Q`` are enumerated as well and the
  pairs are found by comparing label bit masks.

Degenerate games are therefore handled exactly as the others: every extreme
equilibrium is a completely labelled vertex pair, and every such pair is
found, so ``complete`` is ``True``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..games.normal_form import NormalFormGame
from .budget import Budget, BudgetExhausted
from .polytopes import (
    LABEL_TOL,
    Vertices,
    column_polytope,
    full_mask,
    normalise_payoffs,
    polytope_vertices,
    refine_vertices,
    row_polytope,
    solve_checked,
)
from .registry import register
from .result import SolveResult
from .verify import build_result

#: Number of mask comparisons per chunk when matching vertex pairs.
_CHUNK = 1 << 22
#: Support systems are solved in batches of sizes ``1..4``, ``5..8``, ... (padded within a batch).
_BUCKET = 4


def _padded_systems(
    M: np.ndarray, rows_mask: np.ndarray, cols_mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stack the square submatrices ``M[I_v, J_v]`` padded with an identity block.

    ``rows_mask[v]`` and ``cols_mask[v]`` select ``I_v`` and ``J_v`` (of equal
    size ``k_v``).  Returns ``(mats, rows, cols, inside)`` where ``mats`` is
    ``(N, K, K)`` with ``K = max k_v``, ``rows``/``cols`` hold the selected
    indices first, and ``inside[v, t]`` tells whether position ``t < k_v``.
    """
    m, n = M.shape
    k = rows_mask.sum(axis=1)
    width = int(k.max())
    inside = np.arange(width)[None, :] < k[:, None]
    rows = np.argsort(~rows_mask, axis=1, kind="stable")[:, :width]
    cols = np.argsort(~cols_mask, axis=1, kind="stable")[:, :width]
    if width == int(k.min()):
        return M[rows[:, :, None], cols[:, None, :]], rows, cols, inside
    # gather from M extended by an identity block, so that padding needs no second pass
    ext = np.zeros((m + width, n + width))
    ext[:m, :n] = M
    ext[m:, n:] = np.eye(width)
    pad = np.arange(width)[None, :]
    r = np.where(inside, rows, m + pad)
    c = np.where(inside, cols, n + pad)
    return ext[r[:, :, None], c[:, None, :]], rows, cols, inside


def complementary_pairs(
    masks_p: np.ndarray, masks_q: np.ndarray, num_labels: int, budget: Budget | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``(a, b)`` with ``masks_p[a] | masks_q[b]`` holding every label.

    Parameters
    ----------
    masks_p, masks_q
        ``uint64`` label masks of shape ``(N_p, W)`` and ``(N_q, W)``.
    num_labels
        Total number of labels ``m + n``.
    budget
        Checked between chunks.
    """
    full = full_mask(num_labels)
    if len(masks_p) == 0 or len(masks_q) == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    chunk = max(1, _CHUNK // (len(masks_q) * masks_q.shape[1]))
    found_a, found_b = [], []
    for start in range(0, len(masks_p), chunk):
        block = masks_p[start:start + chunk]
        ok = ((block[:, None, :] | masks_q[None, :, :]) == full).all(axis=-1)
        a, b = np.nonzero(ok)
        found_a.append(a + start)
        found_b.append(b)
        if budget is not None:
            budget.tick(0)
    return np.concatenate(found_a), np.concatenate(found_b)


def _generic_partners(
    A: np.ndarray, tight: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Partners of vertices of ``P`` that have exactly ``m`` labels.

    A vertex with support ``I`` and best responses ``J`` (``|I| = |J| = k``)
    is paired with ``y_J = A[I, J]^{-1} 1`` when that lies in ``Q``.  All
    systems are solved in one batch, padded to the largest ``k``.

    Parameters
    ----------
    A
        Normalised row payoffs (entries in [1, 2]).
    tight
        ``(N, m + n)`` tight constraints of the vertices.

    Returns
    -------
    keep
        Positions (into ``tight``) of the vertices that have a partner.
    y
        ``(len(keep), n)`` partners.
    singular
        Positions of vertices whose system is singular; their partners must
        be found by label matching.
    """
    m, n = A.shape
    mats, _, cols, inside = _padded_systems(A, ~tight[:, :m], tight[:, m:])
    z, singular = solve_checked(mats, norm_bound=2.0 * mats.shape[1])
    y_j = np.where(inside, z, 0.0)
    cand = np.flatnonzero(~singular & (y_j >= -LABEL_TOL).all(axis=1))
    y = np.zeros((cand.size, n))
    y[np.arange(cand.size)[:, None], cols[cand]] = y_j[cand]
    ok = ((y @ A.T) <= 1.0 + LABEL_TOL).all(axis=1)
    return cand[ok], y[ok], np.flatnonzero(singular)


def _refine_support_points(B: np.ndarray, tight: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Re-solve ``B[I, J]^T x_I = 1`` for vertices of ``P`` with ``m`` labels."""
    N, m = tight.shape[0], B.shape[0]
    if N == 0:
        return fallback
    mats, rows, _, inside = _padded_systems(B, ~tight[:, :m], tight[:, m:])
    x_i, bad = solve_checked(np.swapaxes(mats, 1, 2), estimate_condition=False)
    x = np.zeros((N, m))
    x[np.arange(N)[:, None], rows] = np.where(inside, x_i, 0.0)
    return np.where(bad[:, None], fallback, x)


def extreme_equilibria(
    A: np.ndarray, B: np.ndarray, budget: Budget | None = None
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """All extreme equilibria of the bimatrix game ``(A, B)``.

    Parameters
    ----------
    A, B
        Float payoff matrices of the row and column player, shape ``(m, n)``.
    budget
        Optional; checked between phases.

    Returns
    -------
    xs, ys : numpy.ndarray
        ``(E, m)`` and ``(E, n)`` mixed strategies, one row per equilibrium
        (not yet de-duplicated or verified).
    stats : dict
        Vertex counts: ``vertices`` (all enumerated), ``row_vertices``,
        ``column_vertices`` (``None`` when ``Q`` was not needed) and
        ``degenerate_vertices`` (vertices whose partners were matched by masks).

    Raises
    ------
    BudgetExhausted
        When the budget runs out.
    """
    A1, B1 = normalise_payoffs(A), normalise_payoffs(B)
    if A1.shape[0] > A1.shape[1]:
        ys, xs, st = _one_sided(B1.T, A1.T, budget)
        st["row_vertices"], st["column_vertices"] = st["column_vertices"], st["row_vertices"]
        return xs, ys, st
    return _one_sided(A1, B1, budget)


def _one_sided(
    A: np.ndarray, B: np.ndarray, budget: Budget | None
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    m, n = A.shape
    P = row_polytope(B)
    verts = polytope_vertices(P)
    if budget is not None:
        budget.tick(0)
    nlab = verts.num_labels
    support = (~verts.tight[:, :m]).sum(axis=1)
    nonzero = support > 0
    generic = nonzero & (nlab == m)
    xs, ys = [], []
    flagged = [np.flatnonzero(nonzero & (nlab > m))]
    kept, partners = [], []
    bucket = (support + _BUCKET - 1) // _BUCKET
    for b in np.unique(bucket[generic]):
        idx = np.flatnonzero(generic & (bucket == b))
        keep, y, singular = _generic_partners(A, verts.tight[idx])
        flagged.append(idx[singular])
        kept.append(idx[keep])
        partners.append(y)
    if kept:
        kept_idx = np.concatenate(kept)
        xs.append(_refine_support_points(B, verts.tight[kept_idx], verts.points[kept_idx]))
        ys.append(np.concatenate(partners))
    flagged_idx = np.concatenate(flagged)
    stats: dict[str, Any] = {
        "row_vertices": len(verts),
        "column_vertices": None,
        "degenerate_vertices": int(flagged_idx.size),
    }
    if flagged_idx.size:
        Q = column_polytope(A)
        qverts = polytope_vertices(Q)
        stats["column_vertices"] = len(qverts)
        q_nonzero = np.flatnonzero(~verts_all_zero(qverts, m))
        a, b = complementary_pairs(verts.masks[flagged_idx], qverts.masks[q_nonzero], m + n, budget)
        a, b = flagged_idx[a], q_nonzero[b]
        xs.append(refine_vertices(P, verts.subset(a)).points)
        ys.append(refine_vertices(Q, qverts.subset(b)).points)
    stats["vertices"] = stats["row_vertices"] + (stats["column_vertices"] or 0)
    x_all = np.concatenate(xs) if xs else np.zeros((0, m))
    y_all = np.concatenate(ys) if ys else np.zeros((0, n))
    x_all = np.clip(x_all, 0.0, None)
    y_all = np.clip(y_all, 0.0, None)
    return x_all / x_all.sum(axis=1, keepdims=True), y_all / y_all.sum(axis=1, keepdims=True), stats


def verts_all_zero(verts: Vertices, m: int) -> np.ndarray:
    """For vertices of ``Q``: True where every ``y_j = 0`` label is tight (the origin)."""
    return verts.tight[:, m:].all(axis=1)


@register(
    "vertex-enumeration",
    summary="All extreme equilibria of a 2-player game (best-response polytope vertices; "
    "degenerate games included)",
    players=(2, 2),
    finds="all-extreme",
)
def solve_vertex_enumeration(game: NormalFormGame, *, budget: Budget) -> SolveResult:
    """Every extreme equilibrium of a two-player game; ``complete`` is ``True``.

    In a degenerate game the equilibria may form convex components; the
    result holds their extreme points (every equilibrium is a convex
    combination of extreme equilibria within a component).
    """
    payoffs = game.float_payoffs()
    status = "ok"
    stats: dict[str, Any] = {}
    try:
        xs, ys, stats = extreme_equilibria(payoffs[0], payoffs[1], budget)
    except BudgetExhausted as exc:
        xs, ys = np.zeros((0, game.shape[0])), np.zeros((0, game.shape[1]))
        status = "budget-exhausted"
        stats = {"reason": str(exc)}
    profiles = ((x, y) for x, y in zip(xs, ys))
    return build_result(
        game, profiles, "vertex-enumeration", complete=True, status=status, stats=stats
    )
