"""Complementary pivoting on a simplex tableau, in float or exact arithmetic.

A :class:`Tableau` holds a linear system ``B x_B + N x_N = q`` whose initial
basis is the identity (slack-like variables), and pivots it.  It stores the
tableau in *revised* form: the right-hand side ``B^{-1} q`` and those columns
of ``B^{-1}`` that are not unit vectors, i.e. the columns of the initially
basic variables that are currently nonbasic.  Any other column ``B^{-1} a``
is computed when it is needed (entering columns) from the original data.  A
pivot is one rank-1 update of the stored part, so it costs ``O(k s)`` for
``k`` rows and ``s`` stored columns instead of ``O(k (k + q))`` for a full
tableau; along a Lemke–Howson path ``s`` is the support size of the current
vertex, which is small for most of the path.

The same code runs on float64 arrays and on object arrays of
:class:`fractions.Fraction`; only the arithmetic differs:

* float: the rank-1 update is an in-place BLAS ``dger`` and the column
  computation a BLAS ``dgemv`` (no temporary arrays), entries below
  :data:`PIVOT_TOL` do not count as positive and ratios within
  :data:`RATIO_TOL` (relative) count as tied;
* exact: comparisons are exact and the update touches only the nonzero
  rows and columns.

Degeneracy is handled by the lexicographic minimum-ratio test: ties in the
ratio ``q_r / a_rc`` are broken by comparing the rows of ``B^{-1}`` (scaled by
the pivot column) column by column, in the order of the initial basis.  The
rows of ``[B^{-1} q | B^{-1}]`` stay lexicographically positive, so no basis
repeats and complementary pivoting cannot cycle.

The engine knows nothing about games: the Lemke–Howson method builds two
tableaux over the best-response polytopes, and Lemke's method for a linear
complementarity problem ``w - M z - d z0 = q`` can use one tableau with the
covering vector ``-d`` as an extra column of ``N``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ..exceptions import SolverError

#: Float pivot-column entries at or below this do not count as positive.
PIVOT_TOL = 1e-10
#: Float ratios within this relative distance of the minimum count as tied.
RATIO_TOL = 1e-11
#: Float right-hand-side entries at or below this count as zero (degenerate rows).
ZERO_TOL = 1e-11
#: Largest number of matrix entries one BLAS call touches.  OpenBLAS runs
#: ``dger``/``dgemv`` calls of at most this size on one thread; larger calls
#: start threads, whose start-up and contention cost far more than the
#: arithmetic of one pivot (on a busy machine, a thousand times more).
_BLOCK_ENTRIES = 8192


def _as_exact(values: Any) -> np.ndarray:
    """Object array of :class:`Fraction` with the shape of ``values``."""
    arr = np.asarray(values, dtype=object)
    out = np.empty(arr.shape, dtype=object)
    flat = out.reshape(-1)
    for k, v in enumerate(arr.reshape(-1)):
        flat[k] = v if isinstance(v, Fraction) else Fraction(v)
    return out


def _small_solve(mat: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """``mat^{-1} rhs`` by LAPACK ``gesv`` (without ``numpy.linalg``'s per-call overhead)."""
    from scipy.linalg.lapack import dgesv

    _, _, out, info = dgesv(mat, rhs)
    if info != 0:  # pragma: no cover - a basis is never singular
        raise SolverError(f"basis matrix became singular (LAPACK info {info})")
    return out


class Tableau:
    """A simplex tableau in revised form, with basis bookkeeping and lexicographic pivoting.

    Parameters
    ----------
    matrix
        The columns ``N`` of the initially nonbasic variables, shape ``(k, q)``;
        the initially basic variables have identity columns.
    rhs
        Right-hand side ``q``, shape ``(k,)``.
    basic
        Variable index of the basic variable of each row (initially ``B = I``).
    nonbasic
        Variable index of each column of ``matrix``.  ``basic`` and ``nonbasic``
        together must be a permutation of ``0 .. k + q - 1``.
    exact
        Rational arithmetic (object arrays of ``Fraction``) instead of float64.

    Attributes
    ----------
    basis
        List: the basic variable of each row.
    row_of
        List indexed by variable: its row when basic, else ``-1``.
    lex_order
        The initial basis in row order: the column order of ``B^{-1}`` used
        to break ties in :meth:`lexicographic_ratio_test`.
    pivots
        Number of pivots done.
    """

    __slots__ = (
        "_col",
        "_col_key",
        "_dgemv",
        "_dger",
        "_gather",
        "_init_row",
        "_is_initial",
        "_keys",
        "_mat",
        "_ncol",
        "_rhs0",
        "_slot_of",
        "_slot_src",
        "_slot_var",
        "_src_of_row",
        "_stored",
        "basis",
        "exact",
        "lex_order",
        "pivots",
        "row_of",
    )

    def __init__(
        self,
        matrix: Any,
        rhs: Any,
        basic: Sequence[int],
        nonbasic: Sequence[int],
        exact: bool = False,
    ) -> None:
        conv = _as_exact if exact else (lambda v: np.asarray(v, dtype=np.float64))
        mat = conv(matrix)
        q = conv(rhs).reshape(-1)
        if mat.ndim != 2 or mat.shape[0] != q.shape[0]:
            raise ValueError(
                f"matrix of shape {mat.shape} does not fit a right-hand side of length {q.shape[0]}"
            )
        k, width = mat.shape
        basis = np.asarray(basic, dtype=np.intp).reshape(-1).tolist()
        cols = np.asarray(nonbasic, dtype=np.intp).reshape(-1).tolist()
        if len(basis) != k or len(cols) != width:
            raise ValueError("need one basic variable per row and one nonbasic variable per column")
        nvars = k + width
        every = basis + cols
        if len(set(every)) != nvars or min(every) < 0 or max(every) >= nvars:
            raise ValueError(
                f"basic and nonbasic variables must be a permutation of 0..{nvars - 1}"
            )
        self.exact = bool(exact)
        dtype = object if exact else np.float64
        # original columns (column-major, so that one column is contiguous)
        self._mat = mat if exact else np.asfortranarray(mat)
        self._rhs0 = q.copy()
        # stored part: column 0 is B^{-1} q, column 1 + t is slot t (a column of B^{-1});
        # at most min(k, q) initial basic variables can be nonbasic at once
        self._stored = np.empty((k, 1 + min(k, width)), dtype=dtype, order="F")
        self._stored[:, 0] = q
        self.basis = basis
        where = np.full(nvars, -1, dtype=np.intp)
        where[basis] = np.arange(k)
        self.row_of = where.tolist()
        self._init_row = list(self.row_of)
        where[:] = -1
        where[cols] = np.arange(width)
        self._ncol = where.tolist()
        self.lex_order = list(basis)
        self._slot_of = [-1] * nvars
        self._slot_var: list[int] = []
        self._slot_src = np.zeros(min(k, width), dtype=np.intp)
        # row r's basic variable is initial basic variable of row _src_of_row[r]
        # (_is_initial[r] = 1), or a structural one (_is_initial[r] = 0)
        self._src_of_row = np.arange(k, dtype=np.intp)
        self._is_initial = np.ones(k, dtype=np.int8)
        self._gather = np.empty(min(k, width), dtype=dtype)
        self._col = np.empty(k, dtype=dtype)
        self._keys = np.empty(k, dtype=dtype)
        self._col_key: tuple[int, int] | None = None
        self.pivots = 0
        if exact:
            self._dger = self._dgemv = None
        else:
            from scipy.linalg.blas import dgemv, dger

            self._dger, self._dgemv = dger, dgemv

    # ------------------------------------------------------------------ queries
    @property
    def num_rows(self) -> int:
        """Number of rows (basic variables)."""
        return len(self.basis)

    @property
    def num_variables(self) -> int:
        """Number of variables (basic and nonbasic)."""
        return len(self.row_of)

    @property
    def num_stored(self) -> int:
        """Columns of ``B^{-1}`` held explicitly (the others are unit vectors)."""
        return len(self._slot_var)

    @property
    def rhs(self) -> np.ndarray:
        """``B^{-1} q``: the values of the basic variables, by row (a view)."""
        return self._stored[:, 0]

    def is_basic(self, var: int) -> bool:
        """Whether variable ``var`` is basic."""
        return self.row_of[var] >= 0

    def column(self, var: int) -> np.ndarray:
        """The current column ``B^{-1} a_var`` of a nonbasic variable (an internal buffer).

        The buffer is reused: copy it to keep it across the next call.
        """
        if self.row_of[var] >= 0:
            raise ValueError(f"variable {var} is basic; its column is a unit vector")
        key = (var, self.pivots)
        if self._col_key == key:
            return self._col
        col = self._col
        t = self._slot_of[var]
        s = len(self._slot_var)
        if t >= 0:  # an initial basic variable: its column of B^{-1} is stored
            col[:] = self._stored[:, 1 + t]
        else:
            a = self._mat[:, self._ncol[var]]
            # B^{-1} a: rows whose basic variable is an initial one pick up that entry of a
            # (the others get 0), plus the stored columns of B^{-1} times the rest of a
            np.take(a, self._src_of_row, out=col)
            col *= self._is_initial
            if s:
                g = self._gather[:s]
                np.take(a, self._slot_src[:s], out=g)
                self._matvec_add(col, self._stored[:, 1 : 1 + s], g)
        self._col_key = key
        return col

    def inverse_column(self, i: int) -> np.ndarray:
        """Column ``i`` of ``B^{-1}`` (a new array)."""
        v = self.lex_order[i]
        t = self._slot_of[v]
        if t >= 0:
            return self._stored[:, 1 + t].copy()
        if self.exact:
            out = np.array([Fraction(0)] * self.num_rows, dtype=object)
            out[self.row_of[v]] = Fraction(1)
        else:
            out = np.zeros(self.num_rows)
            out[self.row_of[v]] = 1.0
        return out

    def values(self) -> np.ndarray:
        """Value of every variable at the current basic solution (nonbasic ones are 0)."""
        if self.exact:
            out = np.array([Fraction(0)] * self.num_variables, dtype=object)
        else:
            out = np.zeros(self.num_variables)
        out[self.basis] = self._stored[:, 0]
        return out

    # ------------------------------------------------------------------ ratio test
    def lexicographic_ratio_test(self, var: int) -> int:
        """Row of the variable leaving when nonbasic ``var`` enters.

        Among rows with a positive entry ``a_r`` in the entering column, the
        row minimising ``(q_r, (B^{-1})_{r, .}) / a_r`` lexicographically.

        Parameters
        ----------
        var
            A nonbasic variable.

        Returns
        -------
        int
            The pivot row, or ``-1`` when no entry is positive (the entering
            variable can grow without bound: a ray).
        """
        if self.row_of[var] >= 0:
            raise ValueError(f"variable {var} is already basic")
        col = self.column(var)
        if not self.exact:
            row = self._float_fast_ratio_test(col)
            if row >= 0:
                return row
        return self._general_ratio_test(col)

    def _float_fast_ratio_test(self, col: np.ndarray) -> int:
        """The common float case in a few array operations, or ``-1`` to use the general test.

        When every right-hand side is positive, the minimum of ``q_r / a_r``
        over positive ``a_r`` is the maximum of ``a_r / q_r`` over all rows.
        Anything unusual (a zero right-hand side, a tie, a tiny pivot) is left
        to :meth:`_general_ratio_test`.
        """
        rhs = self._stored[:, 0]
        if not rhs.min() > ZERO_TOL:
            return -1
        keys = self._keys
        np.divide(col, rhs, out=keys)
        row = int(keys.argmax())
        best = keys[row]
        if not col[row] > PIVOT_TOL:
            return -1
        keys[row] = -np.inf  # a second key this close to the best one is a tie
        if keys.max() >= best * (1.0 - RATIO_TOL):
            return -1
        return row

    def _general_ratio_test(self, col: np.ndarray) -> int:
        """The lexicographic minimum-ratio test (exact, or float with tolerances)."""
        if self.exact:
            rows = np.flatnonzero(np.fromiter((v > 0 for v in col), dtype=bool, count=col.size))
        else:
            rows = np.flatnonzero(col > PIVOT_TOL)
        if rows.size <= 1:
            return int(rows[0]) if rows.size else -1
        piv = col[rows]
        rhs = self._stored[rows, 0]
        if not self.exact:  # rounding noise on zero values must not break degenerate ties
            rhs = np.where(rhs <= ZERO_TOL, 0.0, rhs)
        rows, piv = self._keep_minima(rows, piv, rhs / piv, relative=True)
        for v in self.lex_order:
            if rows.size == 1:
                break
            t = self._slot_of[v]
            if t >= 0:
                keys = self._stored[rows, 1 + t] / piv
            else:  # basic: its column of B^{-1} is the unit vector of its row
                keys = (rows == self.row_of[v]) / piv
            rows, piv = self._keep_minima(rows, piv, keys)
        return int(rows[0])

    def _keep_minima(
        self, rows: np.ndarray, piv: np.ndarray, keys: np.ndarray, relative: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows (and pivot entries) whose key is minimal.

        In float, keys within :data:`RATIO_TOL` of the minimum tie: relative to
        it for ratios (as in the fast test), else relative to ``max(1, |min|)``.
        """
        best = keys.min()
        if self.exact:
            keep = np.fromiter((k == best for k in keys), dtype=bool, count=keys.size)
        else:
            scale = abs(float(best)) if relative else max(1.0, abs(float(best)))
            keep = keys <= best + RATIO_TOL * scale
        return rows[keep], piv[keep]

    # ------------------------------------------------------------------ pivoting
    def pivot(self, row: int, var: int) -> int:
        """Make nonbasic ``var`` basic in ``row``; return the variable that leaves.

        One rank-1 update of the stored part ``[B^{-1} q | stored columns of
        B^{-1}]``: the pivot row is divided by the pivot entry and every other
        row loses its multiple of it.  If the leaving variable is an initial
        basic variable, its (no longer unit) column of ``B^{-1}`` is stored;
        if the entering one is, its column becomes a unit vector and is dropped.
        """
        if self.row_of[var] >= 0:
            raise ValueError(f"variable {var} is already basic")
        d = self.column(var)
        p = d[row]
        if not p != 0:
            raise SolverError(f"pivot on a zero entry (row {row}, variable {var})")
        leaving = self.basis[row]
        stored = self._stored
        width = 1 + len(self._slot_var)
        rowv = stored[row, :width] / p
        d[row] = 0
        if self.exact:
            self._exact_rank1(stored, d, rowv, width)
        else:
            self._float_rank1(stored, d, rowv, width)
        stored[row, :width] = rowv
        t = self._slot_of[var]
        if t >= 0:  # entering initial basic variable: drop its slot (move the last one in)
            last = len(self._slot_var) - 1
            if t != last:
                moved = self._slot_var[last]
                stored[:, 1 + t] = stored[:, 1 + last]
                self._slot_var[t] = moved
                self._slot_of[moved] = t
                self._slot_src[t] = self._slot_src[last]
            self._slot_var.pop()
            self._slot_of[var] = -1
        r0 = self._init_row[var]
        self._src_of_row[row] = max(r0, 0)
        self._is_initial[row] = r0 >= 0
        r0 = self._init_row[leaving]
        if r0 >= 0:  # leaving initial basic variable: store its column of B^{-1}
            t = len(self._slot_var)
            if self.exact:
                stored[:, 1 + t] = -d / p
            else:
                np.multiply(d, -1.0 / p, out=stored[:, 1 + t])
            stored[row, 1 + t] = 1 / p
            self._slot_var.append(leaving)
            self._slot_of[leaving] = t
            self._slot_src[t] = r0
        self.basis[row] = var
        self.row_of[var] = row
        self.row_of[leaving] = -1
        self.pivots += 1
        self._col_key = None
        return leaving

    def _float_rank1(self, stored: np.ndarray, d: np.ndarray, rowv: np.ndarray, width: int) -> None:
        """``stored[:, :width] -= outer(d, rowv)`` in place, by ``dger`` on column blocks."""
        dger = self._dger
        step = max(1, _BLOCK_ENTRIES // d.size)
        if step >= width:
            dger(-1.0, d, rowv, a=stored[:, :width], overwrite_a=1)
            return
        for s in range(0, width, step):
            e = min(s + step, width)
            dger(-1.0, d, rowv[s:e], a=stored[:, s:e], overwrite_a=1)

    def _matvec_add(self, out: np.ndarray, H: np.ndarray, g: np.ndarray) -> None:
        """``out += H @ g`` in place (``dgemv`` on column blocks in float)."""
        if self.exact:
            out += H.dot(g)
            return
        dgemv = self._dgemv
        width = H.shape[1]
        step = max(1, _BLOCK_ENTRIES // out.size)
        if step >= width:
            dgemv(1.0, H, g, beta=1.0, y=out, overwrite_y=1)
            return
        for s in range(0, width, step):
            e = min(s + step, width)
            dgemv(1.0, H[:, s:e], g[s:e], beta=1.0, y=out, overwrite_y=1)

    @staticmethod
    def _exact_rank1(stored: np.ndarray, d: np.ndarray, rowv: np.ndarray, width: int) -> None:
        """The rank-1 update on ``Fraction`` arrays, where both factors are nonzero."""
        rows = np.flatnonzero(np.fromiter((v != 0 for v in d), dtype=bool, count=d.size))
        cols = np.flatnonzero(np.fromiter((v != 0 for v in rowv), dtype=bool, count=width))
        if rows.size and cols.size:
            idx = np.ix_(rows, cols)
            stored[idx] = stored[idx] - np.outer(d[rows], rowv[cols])

    def refresh(self) -> None:
        """Recompute a float tableau from the original system and the current basis.

        Removes the rounding error accumulated over many pivots (one dense
        solve with the basis matrix).  Exact tableaux carry no error; for them
        this does nothing.
        """
        if self.exact:
            return
        k = self.num_rows
        basis_matrix = np.zeros((k, k))
        unit_rows, init, structural, cols = self._basis_parts()
        basis_matrix[init, unit_rows] = 1.0
        basis_matrix[:, structural] = self._mat[:, cols]
        s = len(self._slot_var)
        unit = np.zeros((k, 1 + s))
        unit[:, 0] = self._rhs0
        unit[self._slot_src[:s], np.arange(1, 1 + s)] = 1.0
        try:
            self._stored[:, : 1 + s] = np.linalg.solve(basis_matrix, unit)
        except np.linalg.LinAlgError as exc:  # pragma: no cover - a basis is never singular
            raise SolverError(f"basis matrix became singular: {exc}") from None
        self._col_key = None

    def _basis_parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The basis matrix by columns: ``(unit rows, their 1s, structural rows, their columns)``.

        Row ``r`` of the basis whose variable is an initial basic one has the
        unit column ``e_{init}``; the others have their original column of
        :attr:`_mat`.
        """
        is_unit = self._is_initial.astype(bool)
        unit = is_unit.nonzero()[0]
        structural = (~is_unit).nonzero()[0]
        basis, ncol = self.basis, self._ncol
        cols = np.array([ncol[basis[r]] for r in structural.tolist()], dtype=np.intp)
        return unit, self._src_of_row[unit], structural, cols

    def solved_values(self) -> np.ndarray:
        """Like :meth:`values`, but recomputed from the original system (float).

        Solves ``B z = q`` for the current basis without the rounding error
        that the pivots accumulated.  Only the structural columns of ``B``
        need a dense solve: restricted to the rows that no unit column of the
        basis covers they form a square system, and each unit column's value
        then follows from its own row.  Exact tableaux carry no error: for
        them this is :meth:`values`.
        """
        if self.exact:
            return self.values()
        unit, init, structural, cols = self._basis_parts()
        q = self._rhs0
        z = np.zeros(self.num_rows)
        if structural.size:
            covered = np.zeros(self.num_rows, dtype=bool)
            covered[init] = True
            free = (~covered).nonzero()[0]
            block = self._mat[:, cols]
            zs = _small_solve(block[free], q[free])
            z[structural] = zs
            z[unit] = q[init] - block[init] @ zs
        else:
            z[unit] = q[init]
        out = np.zeros(self.num_variables)
        out[self.basis] = z
        return out
