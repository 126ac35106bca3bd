"""Best-response polytopes of a bimatrix game and their labelled vertices.

For a game with row payoffs ``A`` and column payoffs ``B`` (both ``m x n``),
normalised so that every entry lies in ``[1, 2]`` (a positive affine change
of each player's payoffs, which keeps the equilibria), the best-response
polytopes are

* ``P = {x in R^m : x >= 0, B^T x <= 1}`` with constraint ``i`` (``x_i >= 0``)
  carrying label ``i`` and constraint ``m + j`` (``(B^T x)_j <= 1``) label ``m + j``;
* ``Q = {y in R^n : A y <= 1, y >= 0}`` with constraint ``i`` (``(A y)_i <= 1``)
  carrying label ``i`` and constraint ``m + j`` (``y_j >= 0``) label ``m + j``.

So in both polytopes the index of a constraint *is* its label, and a pair of
vertices ``(x, y) != (0, 0)`` is an (extreme) Nash equilibrium, after
normalising ``x`` and ``y`` to sum to one, exactly when every label in
``0 .. m + n - 1`` is tight at ``x`` or at ``y``.

Vertices are computed with qhull (``scipy.spatial.ConvexHull``) on the polar
of the polytope about an interior point: each facet of the polar hull is a
vertex of the polytope.  Labels are not read from qhull's (triangulated)
facets but recomputed from all constraints with a tolerance, so degenerate
vertices (more tight constraints than the dimension) get every label they
have, and vertices appearing in several triangles are merged.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

import numpy as np

#: Absolute tolerance on constraint slacks of the normalised polytopes (data in [1, 2]).
LABEL_TOL = 1e-9
#: Condition number above which a support system counts as singular (degenerate game).
COND_MAX = 1e10


def normalise_payoffs(payoffs: np.ndarray) -> np.ndarray:
    """Map a payoff matrix affinely onto ``[1, 2]`` (constant matrices become all ones).

    Parameters
    ----------
    payoffs
        Float array of one player's payoffs.

    Returns
    -------
    numpy.ndarray
        ``1 + (payoffs - min) / (max - min)``; a positive affine transformation,
        so best responses and equilibria are unchanged.
    """
    arr = np.asarray(payoffs, dtype=np.float64)
    lo, hi = float(arr.min()), float(arr.max())
    if hi - lo <= 0.0:
        return np.ones_like(arr)
    return 1.0 + (arr - lo) / (hi - lo)


@dataclass(frozen=True)
class Polytope:
    """A bounded full-dimensional polytope ``{z : G z <= h}`` with a known interior point.

    Attributes
    ----------
    G, h
        Constraint matrix ``(k, d)`` and right-hand side ``(k,)``; row ``r`` carries label ``r``.
    interior
        A point with every slack strictly positive.
    """

    G: np.ndarray
    h: np.ndarray
    interior: np.ndarray

    @property
    def dim(self) -> int:
        """Dimension ``d`` of the space."""
        return int(self.G.shape[1])

    @property
    def num_constraints(self) -> int:
        """Number of constraints (= number of labels)."""
        return int(self.G.shape[0])


@dataclass(frozen=True)
class Vertices:
    """Vertices of a polytope with their tight constraints.

    Attributes
    ----------
    points
        ``(N, d)`` coordinates.
    tight
        ``(N, k)`` booleans: constraint ``r`` holds with equality at vertex ``v``.
    masks
        ``(N, W)`` ``uint64`` bit masks of ``tight`` (bit ``r % 64`` of word ``r // 64``).
    """

    points: np.ndarray
    tight: np.ndarray
    masks: np.ndarray

    def __len__(self) -> int:
        return int(self.points.shape[0])

    def subset(self, index: np.ndarray) -> Vertices:
        """The vertices at positions ``index`` (repetitions allowed)."""
        return Vertices(self.points[index], self.tight[index], self.masks[index])

    @property
    def num_labels(self) -> np.ndarray:
        """Number of tight constraints of each vertex."""
        return self.tight.sum(axis=1)


def row_polytope(B: np.ndarray) -> Polytope:
    """``P = {x >= 0, B^T x <= 1}`` for normalised column payoffs ``B`` (entries in [1, 2])."""
    m, n = B.shape
    G = np.vstack([-np.eye(m), B.T])
    h = np.concatenate([np.zeros(m), np.ones(n)])
    return Polytope(G, h, np.full(m, 1.0 / (4.0 * m)))


def column_polytope(A: np.ndarray) -> Polytope:
    """``Q = {A y <= 1, y >= 0}`` for normalised row payoffs ``A`` (entries in [1, 2])."""
    m, n = A.shape
    G = np.vstack([A, -np.eye(n)])
    h = np.concatenate([np.ones(m), np.zeros(n)])
    return Polytope(G, h, np.full(n, 1.0 / (4.0 * n)))


def pack_masks(tight: np.ndarray) -> np.ndarray:
    """Pack a boolean ``(N, k)`` array into ``(N, ceil(k / 64))`` ``uint64`` words."""
    tight = np.asarray(tight, dtype=bool)
    N, k = tight.shape
    words = max(1, -(-k // 64))
    padded = np.zeros((N, 64 * words), dtype=bool)
    padded[:, :k] = tight
    packed = np.packbits(padded, axis=1, bitorder="little")
    return np.ascontiguousarray(packed).view("<u8").astype(np.uint64, copy=False)


def full_mask(k: int) -> np.ndarray:
    """The mask with all labels ``0 .. k - 1`` set, shape ``(ceil(k / 64),)``."""
    return pack_masks(np.ones((1, k), dtype=bool))[0]


def tight_constraints(poly: Polytope, points: np.ndarray, tol: float = LABEL_TOL) -> np.ndarray:
    """Boolean ``(N, k)``: which constraints are tight (slack within ``tol``) at each point."""
    slack = poly.h[None, :] - points @ poly.G.T
    return np.abs(slack) <= tol


def _unique_by_mask(points: np.ndarray, tight: np.ndarray) -> Vertices:
    masks = pack_masks(tight)
    if masks.shape[1] == 1:
        _, first = np.unique(masks[:, 0], return_index=True)
    else:
        _, first = np.unique(masks, axis=0, return_index=True)
    first = np.sort(first)
    return Vertices(points[first], tight[first], masks[first])


def _interval_vertices(poly: Polytope) -> np.ndarray:
    g = poly.G[:, 0]
    with np.errstate(divide="ignore"):
        bounds = poly.h / g
    upper = bounds[g > 0].min()
    lower = bounds[g < 0].max()
    return np.array([[lower], [upper]])


#: Polytopes with at most this many candidate bases are enumerated directly (no qhull import).
SMALL_BASES = 2_000


def _vertices_by_bases(poly: Polytope, tol: float) -> np.ndarray:
    """Vertices of a small polytope: solve every choice of ``d`` tight constraints, keep feasible.

    Exact in the sense that no vertex can be missed; used for small games, where it is
    faster than starting qhull (and avoids importing ``scipy.spatial``).
    """
    k, d = poly.G.shape
    bases = np.array(list(itertools.combinations(range(k), d)), dtype=np.intp)
    mats = poly.G[bases]
    rhs = poly.h[bases]
    dets = np.linalg.det(mats)
    ok = np.abs(dets) > 1e-12
    points = np.linalg.solve(mats[ok], rhs[ok][:, :, None])[:, :, 0]
    feasible = np.all(points @ poly.G.T <= poly.h + tol, axis=1)
    return points[feasible]


def polytope_vertices(poly: Polytope, tol: float = LABEL_TOL) -> Vertices:
    """All vertices of a bounded full-dimensional polytope, each with its tight constraints.

    Parameters
    ----------
    poly
        The polytope and an interior point.
    tol
        Absolute slack below which a constraint counts as tight.

    Returns
    -------
    Vertices
        One row per distinct vertex (vertices are identified by their tight sets).

    Notes
    -----
    The polar of ``poly`` about its interior point is the convex hull of the
    points ``G_r / (h_r - G_r z0)``; every facet ``{p : a.p + c = 0}`` of that
    hull gives the vertex ``z0 - a / c``.  Qhull triangulates non-simplicial
    facets (degenerate vertices), so one vertex may come from several
    triangles; duplicates are removed by their tight sets, which are computed
    from all constraints, not only from the triangle's.
    """
    d = poly.dim
    if d == 1:
        points = _interval_vertices(poly)
    elif math.comb(poly.num_constraints, d) <= SMALL_BASES:
        points = _vertices_by_bases(poly, tol)
    else:
        from scipy.spatial import ConvexHull

        slack0 = poly.h - poly.G @ poly.interior
        if np.any(slack0 <= 0):
            raise ValueError("the interior point is not strictly inside the polytope")
        dual = poly.G / slack0[:, None]
        hull = ConvexHull(dual, qhull_options="Qt Q12" if d > 4 else "Qt")
        eq = hull.equations
        offsets = eq[:, -1]
        points = poly.interior[None, :] - eq[:, :-1] / offsets[:, None]
    tight = tight_constraints(poly, points, tol)
    return _unique_by_mask(points, tight)


def refine_vertices(poly: Polytope, verts: Vertices) -> Vertices:
    """Recompute vertex coordinates from their tight constraints (least squares).

    Each vertex is the unique solution of its tight equations; solving them
    removes the rounding that the polar hull's facet equations carry.
    """
    if len(verts) == 0:
        return verts
    G = np.where(verts.tight[:, :, None], poly.G[None, :, :], 0.0)
    h = np.where(verts.tight, poly.h[None, :], 0.0)
    points = np.einsum("nij,nj->ni", np.linalg.pinv(G), h)
    return Vertices(points, verts.tight, verts.masks)


def is_degenerate_polytopes(p_verts: Vertices, q_verts: Vertices, m: int, n: int) -> bool:
    """True when some vertex of ``P`` has more than ``m`` labels or of ``Q`` more than ``n``.

    A bimatrix game is non-degenerate exactly when no point of ``P`` has
    more than ``m`` labels and no point of ``Q`` more than ``n``; the label
    sets of points are largest at vertices, so checking vertices suffices.
    """
    return bool(np.any(p_verts.num_labels > m) or np.any(q_verts.num_labels > n))


def game_polytopes(A: np.ndarray, B: np.ndarray) -> tuple[Polytope, Polytope]:
    """``(P, Q)`` of the game with payoffs ``A``, ``B`` (normalised to [1, 2] first)."""
    return row_polytope(normalise_payoffs(B)), column_polytope(normalise_payoffs(A))


def is_degenerate(A: np.ndarray, B: np.ndarray, tol: float = LABEL_TOL) -> bool:
    """Whether the bimatrix game ``(A, B)`` is degenerate.

    A game is degenerate when some mixed strategy with support of size ``k``
    has more than ``k`` pure best responses.
    """
    P, Q = game_polytopes(A, B)
    m, n = np.shape(A)
    return is_degenerate_polytopes(polytope_vertices(P, tol), polytope_vertices(Q, tol), m, n)


# ----------------------------------------------------------------------------- batched solves
@functools.lru_cache(maxsize=64)
def _probes(k: int) -> np.ndarray:
    """Right-hand sides ``[1, r1, r2]`` (``(k, 3)``) with fixed pseudo-random ``r1, r2``."""
    rhs = np.empty((k, 3))
    rhs[:, 0] = 1.0
    rhs[:, 1:] = np.random.default_rng(k).standard_normal((k, 2))
    rhs.flags.writeable = False
    return rhs


def solve_checked(
    mats: np.ndarray, norm_bound: float | None = None, estimate_condition: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``M z = 1`` for stacked square matrices and flag the (nearly) singular ones.

    Singularity is detected by a randomised condition estimate: besides the
    all-ones right-hand side, two fixed pseudo-random ones are solved; for a
    matrix with a tiny singular value their solutions blow up (unless both
    vectors are orthogonal to the singular direction, which has probability
    zero).  Exactly singular matrices are caught first.

    Parameters
    ----------
    mats
        ``(N, k, k)`` matrices.
    norm_bound
        An upper bound on the matrices' 1-norms (computed when omitted).
    estimate_condition
        When False, only exactly singular matrices (and non-finite solutions)
        are flagged, and only the all-ones system is solved.

    Returns
    -------
    z
        ``(N, k)`` solutions (meaningless where flagged).
    singular
        ``(N,)`` booleans: condition estimate above :data:`COND_MAX`.
    """
    N, k, _ = mats.shape
    # a 1-d right-hand side takes numpy's faster single-vector path
    rhs = np.broadcast_to(_probes(k), (N, k, 3)) if estimate_condition else np.ones(k)
    singular = np.zeros(N, dtype=bool)
    try:
        sol = np.linalg.solve(mats, rhs)
    except np.linalg.LinAlgError:
        singular = np.linalg.det(mats) == 0.0
        sol = np.linalg.solve(np.where(singular[:, None, None], np.eye(k), mats), rhs)
    if not estimate_condition:
        singular |= ~np.isfinite(sol).all(axis=1)
        return sol, singular
    probe_norm = np.abs(rhs[0, :, 1:]).sum(axis=0)
    norm = np.abs(mats).sum(axis=-2).max(axis=-1) if norm_bound is None else norm_bound
    with np.errstate(over="ignore", invalid="ignore"):
        cond = norm * (np.abs(sol[:, :, 1:]).sum(axis=1) / probe_norm).max(axis=1)
    singular |= ~(cond <= COND_MAX)  # also catches nan and inf
    return sol[:, :, 0], singular
