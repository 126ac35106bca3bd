"""Lemke's algorithm on the sequence form: one equilibrium of a two-player tree.

With realisation plans ``x`` (``E x = e``) and ``y`` (``F y = f``) and the
sequence-form payoff matrices ``A``, ``B`` (Koller, Megiddo and von Stengel
1996), the equilibria are the solutions of the linear complementarity problem

.. math::

    a = E^T u - A y \\ge 0,\\; x \\ge 0,\\; x^T a = 0, \\qquad
    b = F^T v - B^T x \\ge 0,\\; y \\ge 0,\\; y^T b = 0

with free ``u`` and ``v`` (the players' values of their information sets).
Lemke's algorithm is run in the form of von Stengel, van den Elzen and Talman
(2002), from a starting pair of plans ``(x0, y0)`` (here: both players mix
uniformly at every information set) with the extra variable ``z0``:

.. math::

    a = E^T u - A y - (A y_0) z_0,\\quad b = F^T v - B^T x - (B^T x_0) z_0,\\quad
    E x + e z_0 = e,\\quad F y + f z_0 = f .

Along the path each player best-responds to the mixture ``y + z0 y0`` of the
opponent's plan with the starting plan; ``z0`` falls from 1 to 0, where the
plans are an equilibrium.  The path starts at ``x = y = 0, z0 = 1`` with pure
best responses ``s1`` to ``y0`` and ``s2`` to ``x0`` (defined at every
information set): there ``x_s, y_s`` are basic at zero and ``x_0`` (the
empty sequence of player 1) enters first.

The free variables ``u`` and ``v`` are eliminated once for that starting
basis (their coefficients form unit triangular integer matrices), leaving a
system in non-negative variables whose starting basis is the identity; it is
pivoted by :class:`~gametheory.solvers.pivoting.Tableau` with the
lexicographic ratio test, so degenerate trees do not cycle.  Sequence forms
are highly degenerate (the sequences in a subtree the opponent never reaches
all tie), so the tie-breaking visits only the columns that can break a tie,
and ``z0`` leaves as soon as it is among the minimum ratios (the basis is
then complementary: an equilibrium).  Float and exact (``Fraction``)
arithmetic run the same code.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np

from ..exceptions import InvalidOptionError, SolverError
from ..games import behavior as bh
from ..games.extensive import ExtensiveFormGame
from ..games.sequence_form import SequenceForm, sequence_form
from .budget import Budget, BudgetExhausted
from .pivoting import PIVOT_TOL, RATIO_TOL, ZERO_TOL, Tableau
from .registry import register
from .result import SolveResult
from .tree_verify import behavior_tuple, build_tree_result, profile_regret

#: How many pivots (per row) a float path takes before the tableau is recomputed from the
#: data, to keep rounding error from piling up.
REFRESH_PER_ROW = 1


class _SparseLexTableau(Tableau):
    """A :class:`Tableau` whose lexicographic tie-breaking visits only the columns that matter.

    The lexicographic test compares the candidate rows of ``B^{-1}`` column
    by column, in the order of the initial basis.  In candidate rows the
    columns of ``B^{-1}`` are zero except the stored ones and the unit
    column of each candidate's own basic variable (when that variable is an
    initial basic one), which removes exactly that candidate.  So the test
    walks only over the stored columns that are not negligible in some
    candidate row (numpy) and over those unit columns (plain bookkeeping).
    The sequence form is highly degenerate (whole subtrees that the
    opponent does not reach tie), which makes this the hot spot of a path.
    The row chosen is the same as the base class's, except that the row of
    the variable :attr:`prefer` (Lemke's ``z0``; ``-1`` for none) is taken
    whenever it is among the minimum ratios: the path then ends at a solution instead of
    pivoting on through degenerate bases with ``z0 = 0``.
    """

    __slots__ = ("prefer",)

    def __init__(self, *args: Any, prefer: int = -1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prefer = prefer

    def _general_ratio_test(self, col: np.ndarray) -> int:
        exact = self.exact
        if exact:
            rows = np.flatnonzero(np.fromiter((v > 0 for v in col), dtype=bool, count=col.size))
        else:
            rows = (col > PIVOT_TOL).nonzero()[0]
        if rows.size <= 1:
            return int(rows[0]) if rows.size else -1
        piv = col[rows]
        rhs = self._stored[rows, 0]
        if not exact:
            rhs = np.where(rhs <= ZERO_TOL, 0.0, rhs)
        rows, piv = self._keep_minima(rows, piv, rhs / piv, relative=True)
        if rows.size == 1:
            return int(rows[0])
        prefer = self.row_of[self.prefer] if self.prefer >= 0 else -1
        if prefer >= 0 and (rows == prefer).any():
            return int(prefer)
        init_row = self._init_row
        events = [
            (init_row[b], -1, k)
            for k, b in enumerate(self.basis[r] for r in rows.tolist())
            if init_row[b] >= 0
        ]
        s = len(self._slot_var)
        block = None
        if s:
            block = self._stored[rows, 1 : 1 + s] / piv[:, None]
            if exact:
                used = np.flatnonzero(np.any(block != 0, axis=0))
            else:
                used = np.flatnonzero(np.abs(block).max(axis=0) > RATIO_TOL / 2)
            events += [(init_row[self._slot_var[t]], t, -1) for t in used.tolist()]
        events.sort()
        alive = np.ones(rows.size, dtype=bool)
        count = rows.size
        for _, t, k in events:
            if t < 0:  # the unit column of candidate k's basic variable removes it
                if alive[k] and (exact or 1 / piv[k] > RATIO_TOL):
                    if count == 1:
                        break
                    alive[k] = False
                    count -= 1
                continue
            live = np.flatnonzero(alive)
            keys = block[live, t]
            best = keys.min()
            if exact:
                keep = np.fromiter((v == best for v in keys), dtype=bool, count=keys.size)
            else:
                keep = keys <= best + RATIO_TOL * max(1.0, abs(float(best)))
            alive[live[~keep]] = False
            count = int(keep.sum())
            if count == 1:
                break
        return int(rows[np.flatnonzero(alive)[0]])


def _uniform_behavior(game: ExtensiveFormGame, exact: bool) -> np.ndarray:
    """Every player mixes uniformly at every information set (chance as given)."""
    nact = np.repeat(game.infoset_num_actions, game.infoset_num_actions)
    chance = ~game._player_action
    if exact:
        vec = np.array([Fraction(1, int(k)) for k in nact], dtype=object)
        vec[chance] = game.exact_probabilities()[chance]
    else:
        vec = 1.0 / nact
        vec[chance] = game.float_probabilities()[chance]
    return vec


#: Float products ``P @ Q`` with at most this many entries in ``P`` use BLAS; larger ones (the
#: sequence-form data are sparse) add up only the nonzero entries of ``P``, which also keeps
#: OpenBLAS from starting threads (costly on a busy machine).
DENSE_PRODUCT_ENTRIES = 8192


def _float_matmul(P: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """``P @ Q`` in float: BLAS for small ``P``, else a sum over the nonzero entries of ``P``."""
    if P.size <= DENSE_PRODUCT_ENTRIES:
        return P @ Q
    rows, cols = P.nonzero()  # row by row
    vals = P[rows, cols]
    if Q.ndim == 1:
        return np.bincount(rows, vals * Q[cols], minlength=P.shape[0])
    out = np.zeros((P.shape[0], Q.shape[1]))
    if rows.size:
        first = np.flatnonzero(np.diff(rows, prepend=-1))
        out[rows[first]] = np.add.reduceat(vals[:, None] * Q[cols], first, axis=0)
    return out


def _sparse_matmul(P: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """``P @ Q`` for exact (object or integer) arrays, touching only nonzero entries.

    The sequence-form data are sparse (one payoff entry per terminal node,
    constraint coefficients 0 and 1), so this costs about ``nnz(P)`` times
    the nonzeros of a row of ``Q`` instead of a dense product of rationals.
    """
    vec = Q.ndim == 1
    Q2 = Q[:, None] if vec else Q
    out = np.zeros((P.shape[0], Q2.shape[1]), dtype=object)
    nonzero = np.asarray(Q2 != 0, dtype=bool)
    cols = [np.flatnonzero(row) for row in nonzero]
    pi, pj = np.nonzero(np.asarray(P != 0, dtype=bool))
    for i, j in zip(pi.tolist(), pj.tolist()):
        c = cols[j]
        if c.size:
            out[i, c] += P[i, j] * Q2[j, c]
    return out[:, 0] if vec else out


def lemke_tableau(sf: SequenceForm, exact: bool = False) -> tuple[Tableau, int, int, int]:
    """The starting tableau of Lemke's path on the sequence form.

    Variables are numbered ``x`` (``0 .. n1-1``), ``y`` (``n1 .. n-1``), ``a``
    (``n .. n+n1-1``), ``b`` (``n+n1 .. 2n-1``) and ``z0`` (``2n``), where
    ``n = n1 + n2`` and ``a``, ``b`` are complementary to ``x``, ``y``.

    Returns
    -------
    tableau, n1, n2, z0
        The tableau (basis: ``z0``, ``x_S``, ``y_T``, ``a_N``, ``b_N``) and
        the sizes; ``x_0`` is the first entering variable.

    The system is built once per sequence form and arithmetic and cached
    (read-only); every call returns a fresh tableau on it.
    """
    key = f"lemke-{exact}"
    if key not in sf._cache:
        sf._cache[key] = _lemke_system(sf, exact)
    mat, rhs, basic, nonbasic, n1, n2 = sf._cache[key]
    z0 = 2 * (n1 + n2)
    tab = _SparseLexTableau(mat, rhs, basic, nonbasic, exact=exact, prefer=z0)
    return tab, n1, n2, z0


def _lemke_system(sf: SequenceForm, exact: bool) -> tuple[Any, ...]:
    """``(matrix, rhs, basic, nonbasic, n1, n2)`` of :func:`lemke_tableau`."""
    game = sf.game
    uniform = _uniform_behavior(game, exact)
    A, B = sf.payoff_matrices(exact, dense=True)
    if not exact:  # a positive scale of a player's payoffs does not change the path
        A = A / max(float(np.abs(A).max(initial=0.0)), 1e-300)
        B = B / max(float(np.abs(B).max(initial=0.0)), 1e-300)
    x0, y0 = sf.realization_plans(uniform, exact)
    mm = _sparse_matmul if exact else _float_matmul
    # pure best responses S, T to the starting plans, and the plans x = X (x_0, x_N1),
    # y = Y (y_0, y_N2) in terms of the sequences they leave free
    Ay0, Bx0 = mm(A, y0), mm(B.T, x0)
    _, chosen = sf.pure_best_responses([Ay0, Bx0], exact)
    (S, N1, X), (T, N2, Y) = sf.pure_strategy_bases(chosen)
    XN, YN = X[:, 1:], Y[:, 1:]
    # u and v eliminated through a_S and b_T, with y_0 = x_0 = 1 - z0:
    # a_N + (c1 + G1[:, 0]) x_0 + G1[:, 1:] y_N2 + K1^T a_S = c1, where G1 = X_N^T A Y,
    # c1 = -X_N^T A y0 and K1 = X[S, 1:]; likewise b_N
    G1, G2 = mm(XN.T, mm(A, Y)), mm(YN.T, mm(B.T, X))
    c1, c2 = -mm(XN.T, Ay0), -mm(YN.T, Bx0)
    n1, n2 = X.shape[0], Y.shape[0]
    n = n1 + n2
    m1, m2, k1, k2 = S.size, T.size, N1.size, N2.size
    if exact:
        mat = np.full((n, n + 1), Fraction(0), dtype=object)
        rhs = np.full(n, Fraction(0), dtype=object)
    else:
        mat = np.zeros((n, n + 1), order="F")  # the tableau's layout: no copy per call
        rhs = np.zeros(n)
    r_x, r_y, r_a, r_b = 1, m1, m1 + m2, m1 + m2 + k1
    c_yn, c_as, c_bt = 1 + k1, 1 + k1 + k2, 1 + k1 + k2 + m1
    mat[0, 0] = 1
    rhs[0] = 1
    mat[r_x:r_y, :c_yn] = -X[S[1:]]
    YT = Y[T]
    mat[r_y:r_a, 0] = -YT[:, 0]
    mat[r_y:r_a, c_yn:c_as] = -YT[:, 1:]
    mat[r_a:r_b, 0] = c1 + G1[:, 0]
    mat[r_a:r_b, c_yn:c_as] = G1[:, 1:]
    mat[r_a:r_b, c_as:c_bt] = XN[S].T
    rhs[r_a:r_b] = c1
    mat[r_b:, 0] = c2 + G2[:, 0]
    mat[r_b:, 1:c_yn] = G2[:, 1:]
    mat[r_b:, c_bt:] = YT[:, 1:].T
    rhs[r_b:] = c2
    if not exact:  # best-response gaps that are zero up to rounding
        rhs[np.abs(rhs) <= 1e-13] = 0.0
    basic = np.concatenate([[2 * n], S[1:], n1 + T, n + N1, n + n1 + N2])
    nonbasic = np.concatenate([[0], N1, n1 + N2, n + S, n + n1 + T])
    for arr in (mat, rhs, basic, nonbasic):
        arr.setflags(write=False)
    return mat, rhs, basic, nonbasic, n1, n2


def lemke_plans(
    sf: SequenceForm,
    exact: bool = False,
    budget: Budget | None = None,
    refresh_every: int | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Follow Lemke's path on the sequence form to an equilibrium.

    Parameters
    ----------
    sf
        The sequence form of a two-player tree.
    exact
        Rational arithmetic.
    budget
        Ticked once per pivot.
    refresh_every
        Float only: recompute the tableau from the data every this many
        pivots (default: :data:`REFRESH_PER_ROW` times the number of rows);
        the final values are recomputed from the data as well.

    Returns
    -------
    x, y, pivots
        Realisation plans of the equilibrium and the path length.

    Raises
    ------
    BudgetExhausted
        When the budget runs out.
    SolverError
        When the path ends in a ray (numerical trouble; impossible in exact
        arithmetic).
    """
    tab, n1, n2, z0 = lemke_tableau(sf, exact)
    n = n1 + n2
    refresh_every = refresh_every or REFRESH_PER_ROW * n
    entering = 0
    while True:
        if budget is not None:
            budget.tick()
        row = tab.lexicographic_ratio_test(entering)
        if row < 0:
            raise SolverError(
                "Lemke's path on the sequence form ended in a ray (numerical trouble)"
            )
        leaving = tab.pivot(row, entering)
        if leaving == z0:
            break
        entering = leaving + n if leaving < n else leaving - n
        if not exact and tab.pivots % refresh_every == 0:
            tab.refresh()
    values = tab.solved_values()
    return values[:n1], values[n1:n], tab.pivots


@register(
    "lcp",
    summary="One equilibrium of a 2-player tree with perfect recall: Lemke's algorithm on the "
    "sequence form, from uniform play (behaviour strategies)",
    forms=("extensive",),
    players=(2, 2),
    finds="one",
    iterative=True,
    options={
        "arithmetic": "'float' (default) or 'exact' (rational pivoting; the equilibrium "
        "then carries certified rational behaviour)"
    },
)
def solve_lcp(game: ExtensiveFormGame, *, budget: Budget, arithmetic: str = "float") -> SolveResult:
    """One Nash equilibrium of a two-player tree by Lemke's algorithm on the sequence form.

    Parameters
    ----------
    game
        A numeric two-player tree with perfect recall.
    budget
        ``max_iter`` counts pivots; ``max_time`` is checked at every pivot.
    arithmetic
        ``"float"`` or ``"exact"``.

    Returns
    -------
    SolveResult
        One equilibrium (behaviour strategies, verified by regret), or none
        with status ``"budget-exhausted"``.  ``complete`` is ``False``.
        ``stats`` holds ``pivots`` and the sequence counts.

    Raises
    ------
    InvalidGameError
        Without perfect recall (naming the information set).
    """
    if arithmetic not in ("float", "exact"):
        raise InvalidOptionError(f"arithmetic must be 'float' or 'exact', got {arithmetic!r}")
    exact = arithmetic == "exact"
    game.require_perfect_recall("lcp")
    sf = sequence_form(game)
    stats: dict[str, Any] = {
        "sequences": [sf.num_sequences(0), sf.num_sequences(1)],
        "arithmetic": arithmetic,
    }
    start = budget.iterations
    try:
        x, y, pivots = lemke_plans(sf, exact=exact, budget=budget)
    except BudgetExhausted:
        stats["pivots"] = budget.iterations - start - 1
        return build_tree_result(
            game, [], "lcp", complete=False, status="budget-exhausted", stats=stats
        )
    stats["pivots"] = pivots
    vec = sf.behavior_from_plans([x, y], exact=exact, validate=False)  # checked below
    result = build_tree_result(
        game,
        [np.asarray(vec, dtype=np.float64)],
        "lcp",
        complete=False,
        stats=stats,
        sequence_form=sf,
    )
    if exact and result.equilibria:
        result = replace(result, equilibria=(_with_exact(game, result.equilibria[0], vec),))
    return result


def _with_exact(game: ExtensiveFormGame, eq: Any, vec: np.ndarray) -> Any:
    """The equilibrium with its rational behaviour when the exact regret is 0."""
    if profile_regret(game, vec, exact=True) != 0:  # pragma: no cover - exact pivoting
        return replace(eq, notes=(*eq.notes, "exact regret is not 0"))
    payoffs = bh.expected_payoffs(game, vec, exact=True)
    return replace(
        eq,
        payoff_values=tuple(float(u) for u in payoffs),
        regret=0.0,
        exact_payoff_values=tuple(Fraction(u) for u in payoffs),
        behavior=behavior_tuple(game, vec, float),
        exact_behavior=behavior_tuple(game, vec, Fraction),
    )
