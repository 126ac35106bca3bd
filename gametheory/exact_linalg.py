"""Small dense linear algebra over the rationals (``Fraction``)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction


def solve_exact(
    matrix: Sequence[Sequence[Fraction]], rhs: Sequence[Fraction]
) -> list[Fraction] | None:
    """Solve a square system exactly by Gaussian elimination.

    Returns ``None`` when the matrix is singular.
    """
    n = len(matrix)
    if any(len(row) != n for row in matrix) or len(rhs) != n:
        raise ValueError("solve_exact needs a square system")
    a = [[Fraction(v) for v in row] + [Fraction(b)] for row, b in zip(matrix, rhs)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if a[r][col] != 0), None)
        if pivot is None:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        inv = 1 / a[col][col]
        row_c = [v * inv for v in a[col]]
        a[col] = row_c
        for r in range(n):
            if r != col and a[r][col] != 0:
                f = a[r][col]
                a[r] = [v - f * w for v, w in zip(a[r], row_c)]
    return [a[r][n] for r in range(n)]
