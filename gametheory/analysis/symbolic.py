"""Exact (sympy) helpers: payoffs with some parameters fixed, support equations of 2-player games.

sympy is imported inside the functions; nothing here parses text.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from .. import numbers as nb


def rational(value: Any) -> Any:
    """Exact sympy Rational of a number (floats through their decimal text)."""
    import sympy as sp

    f = nb.to_fraction(value)
    return sp.Rational(f.numerator, f.denominator)


def exact_values(model: Any, names: Any, at: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Exact values (``at`` or baseline) of the given parameters, as sympy Rationals."""
    at = dict(at or {})
    out = {}
    for name in names:
        value = at.get(name, model.parameters[name].value if name in model.parameters else None)
        if value is None:
            from .grid import InvalidGridError

            raise InvalidGridError(f"parameter {name!r} has no baseline value; give it in at=")
        out[name] = rational(value)
    return out


def payoff_exprs(model: Any, keep: Any, at: Mapping[str, Any] | None = None) -> np.ndarray:
    """Payoff array ``(n, m...)`` of sympy expressions in the ``keep`` parameters only."""
    import sympy as sp

    game = model.game
    others = [p for p in game.parameters if p not in set(keep)]
    subs = {sp.Symbol(k): v for k, v in exact_values(model, others, at).items()}
    src = game.payoff_array
    out = np.empty(src.shape, dtype=object)
    flat_out = out.reshape(-1)
    for k, v in enumerate(src.reshape(-1)):
        if isinstance(v, (int, np.integer, Fraction, float, np.floating)):
            flat_out[k] = rational(v)
        else:
            flat_out[k] = v.xreplace(subs)
    return out


def is_rational_in(exprs: np.ndarray, symbols: Any) -> bool:
    """True when every entry is a rational function of the symbols."""
    return all(
        getattr(e, "is_rational_function", lambda *a: True)(*symbols) for e in exprs.reshape(-1)
    )


def support_pairs(
    m1: int, m2: int, sizes: Any = None
) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Equal-size support pairs ``(rows_i, cols_j)``."""
    for k in sizes if sizes is not None else range(1, min(m1, m2) + 1):
        for rows_i in itertools.combinations(range(m1), k):
            for cols_j in itertools.combinations(range(m2), k):
                yield rows_i, cols_j


def support_solution(
    A: Any, B: Any, rows_i: tuple[int, ...], cols_j: tuple[int, ...], simplify: bool = True
) -> dict[str, Any] | None:
    """Exact solution of the indifference equations on support ``(rows_i, cols_j)``.

    ``y`` (on ``cols_j``) makes the row player indifferent on ``rows_i``,
    ``x`` (on ``rows_i``) the column player on ``cols_j``.  Returns ``None``
    when a system is singular identically.  With ``simplify=False`` the
    expressions are left as ``numerator / determinant`` (fast; enough to find
    their roots).

    Returns
    -------
    dict
        ``x``, ``y`` (full-length lists of expressions), ``v``, ``w`` (the
        players' payoffs), ``slack_row``/``slack_col`` (value minus payoff of
        each strategy outside the support), ``dets`` (the two determinants).
    """
    import sympy as sp
    from sympy.polys.matrices import DomainMatrix

    m1, m2 = A.shape
    k = len(rows_i)
    tidy = sp.cancel if simplify else (lambda e: e)

    def system(M: Any) -> tuple[list[Any], Any, Any] | None:
        S = sp.zeros(k + 1, k + 1)
        for a in range(k):
            for b in range(k):
                S[a, b] = M[a][b]
            S[a, k] = -1
            S[k, a] = 1
        dm = DomainMatrix.from_Matrix(S)
        det = dm.domain.to_sympy(dm.det())
        if det == 0:
            return None
        # Cramer's rule for S z = e_last: z_j = det(S with column j := e_last) / det(S)
        sol = []
        for j in range(k + 1):
            Sj = S.copy()
            Sj[:, j] = sp.zeros(k + 1, 1)
            Sj[k, j] = 1
            dj = DomainMatrix.from_Matrix(Sj)
            sol.append(tidy(dj.domain.to_sympy(dj.det()) / det))
        return sol[:k], sol[k], det

    sy = system([[A[i, j] for j in cols_j] for i in rows_i])
    sx = system([[B[i, j] for i in rows_i] for j in cols_j])
    if sy is None or sx is None:
        return None
    y_part, v, det_y = sy
    x_part, w, det_x = sx
    x = [sp.Integer(0)] * m1
    y = [sp.Integer(0)] * m2
    for i, p in zip(rows_i, x_part):
        x[i] = p
    for j, p in zip(cols_j, y_part):
        y[j] = p
    slack_row = [
        tidy(v - sum(A[i, j] * y[j] for j in cols_j)) for i in range(m1) if i not in rows_i
    ]
    slack_col = [
        tidy(w - sum(B[i, j] * x[i] for i in rows_i)) for j in range(m2) if j not in cols_j
    ]
    return {
        "x": x,
        "y": y,
        "v": v,
        "w": w,
        "slack_row": slack_row,
        "slack_col": slack_col,
        "dets": (det_y, det_x),
    }
