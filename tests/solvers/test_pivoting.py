"""The pivoting engine: basis bookkeeping, lexicographic ratio test, float and exact arithmetic."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gametheory.exact_linalg import solve_exact
from gametheory.solvers.lemke_howson import positive_payoffs
from gametheory.solvers.pivoting import Tableau


def make(matrix, rhs, exact=False):
    """Tableau for ``I s + N z = rhs`` with slacks 0..k-1 basic and z = k..k+q-1."""
    k, q = np.shape(matrix)
    return Tableau(matrix, rhs, basic=range(k), nonbasic=range(k, k + q), exact=exact)


def full_matrix(matrix):
    """Columns of every variable of :func:`make`'s system: ``[I | N]``."""
    k = np.shape(matrix)[0]
    return np.hstack([np.eye(k), np.asarray(matrix, dtype=np.float64)])


def check_against_inverse(tab, matrix, rhs, atol=1e-10):
    """Stored values and computed columns equal ``B^{-1} q`` and ``B^{-1} a`` from numpy."""
    full = full_matrix(matrix)
    basis_matrix = full[:, tab.basis]
    inverse = np.linalg.inv(basis_matrix)
    np.testing.assert_allclose(tab.rhs.astype(float), inverse @ np.asarray(rhs, float), atol=atol)
    for i in range(tab.num_rows):
        np.testing.assert_allclose(tab.inverse_column(i).astype(float), inverse[:, i], atol=atol)
    for v in range(tab.num_variables):
        if not tab.is_basic(v):
            np.testing.assert_allclose(tab.column(v).astype(float), inverse @ full[:, v], atol=atol)


def test_initial_state():
    tab = make([[1.0, 2.0], [3.0, 4.0]], [5.0, 6.0])
    assert tab.basis == [0, 1]
    assert tab.lex_order == [0, 1]
    assert [tab.is_basic(v) for v in range(4)] == [True, True, False, False]
    assert tab.num_stored == 0
    np.testing.assert_array_equal(tab.values(), [5.0, 6.0, 0.0, 0.0])
    np.testing.assert_array_equal(tab.column(3), [2.0, 4.0])
    with pytest.raises(ValueError, match="basic"):
        tab.column(0)


@pytest.mark.parametrize("exact", [False, True])
def test_pivots_match_a_direct_inverse(exact):
    rng = np.random.default_rng(3)
    matrix = rng.integers(1, 9, size=(4, 5))
    rhs = np.ones(4, dtype=np.int64)
    tab = make(matrix, rhs, exact=exact)
    for var in (4, 6, 0, 8, 2, 5):  # structural and slack variables re-entering
        if tab.is_basic(var):
            continue
        row = tab.lexicographic_ratio_test(var)
        assert row >= 0
        leaving = tab.basis[row]
        assert tab.pivot(row, var) == leaving
        assert tab.basis[row] == var and tab.row_of[var] == row and not tab.is_basic(leaving)
        check_against_inverse(tab, matrix, rhs)
        # the ratio test keeps the basic solution feasible
        assert min(tab.rhs) >= 0
    assert tab.pivots > 3


def test_exact_arithmetic_stays_rational():
    tab = make([[1, 2], [3, 1]], [1, 1], exact=True)
    row = tab.lexicographic_ratio_test(2)
    tab.pivot(row, 2)
    assert all(isinstance(v, Fraction) for v in tab.values())
    # by hand: z0 enters, row 1 leaves (1/3 < 1/1); z0 = 1/3, s0 = 1 - 1/3
    assert list(tab.values()) == [Fraction(2, 3), Fraction(0), Fraction(1, 3), Fraction(0)]
    # the basis (s0, z0) solved exactly gives the same numbers
    assert solve_exact([[1, 1], [0, 3]], [1, 1]) == [Fraction(2, 3), Fraction(1, 3)]


@pytest.mark.parametrize("exact", [False, True])
def test_lexicographic_rule_breaks_ratio_ties(exact):
    # both rows reach zero together (ratio 1); B^{-1} = I, so the lexicographic keys
    # are (1, 0) for row 0 and (0, 1) for row 1: row 1 is the lexicographic minimum
    tab = make([[1, 0], [1, 5]], [1, 1], exact=exact)
    assert tab.lexicographic_ratio_test(2) == 1
    # scaling row 1's pivot entry changes the ratio: no tie, the plain minimum wins
    tab = make([[1, 0], [2, 5]], [1, 1], exact=exact)
    assert tab.lexicographic_ratio_test(2) == 1
    tab = make([[2, 0], [1, 5]], [1, 1], exact=exact)
    assert tab.lexicographic_ratio_test(2) == 0


@pytest.mark.parametrize("exact", [False, True])
def test_degenerate_zero_right_hand_side(exact):
    # rows 0 and 2 have rhs 0: ratio 0 ties between them, decided lexicographically
    tab = make([[1, 1], [1, 0], [2, 1]], [0, 1, 0], exact=exact)
    # keys (B^{-1} row / pivot entry): row 0 -> (1, 0, 0), row 2 -> (0, 0, 1/2): row 2
    assert tab.lexicographic_ratio_test(3) == 2
    # no positive entry: the entering variable is unbounded (a ray)
    tab = make([[-1, 1], [0, 1]], [1, 1], exact=exact)
    assert tab.lexicographic_ratio_test(2) == -1


def test_float_rounding_noise_does_not_break_a_degenerate_tie():
    exact = make([[1, 0], [1, 5]], [1, 1], exact=True)
    noisy = make([[1, 0], [1 + 1e-15, 5]], [1, 1 + 1e-15])
    assert noisy.lexicographic_ratio_test(2) == exact.lexicographic_ratio_test(2) == 1


def test_float_and_exact_follow_the_same_pivots():
    rng = np.random.default_rng(7)
    matrix = rng.integers(1, 20, size=(6, 6))
    rhs = rng.integers(1, 5, size=6)
    tabs = [make(matrix, rhs), make(matrix, rhs, exact=True)]
    order = [6, 0, 7, 8, 1, 9, 2, 10, 3, 11]
    for var in order:
        if tabs[1].is_basic(var):
            continue
        rows = [t.lexicographic_ratio_test(var) for t in tabs]
        assert rows[0] == rows[1]
        if rows[0] < 0:
            continue
        for t in tabs:
            t.pivot(rows[0], var)
        assert tabs[0].basis == tabs[1].basis
        np.testing.assert_allclose(tabs[0].values(), tabs[1].values().astype(float), atol=1e-12)


def test_large_tableau_uses_blocked_updates_correctly():
    # 120 rows: once most structural variables are basic, the stored part is wider
    # than one BLAS block (8192 entries) and computed columns take several blocks
    rng = np.random.default_rng(11)
    k = 120
    matrix = positive_payoffs(rng.random((k, k)), order="F")
    rhs = np.ones(k)
    tab = make(matrix, rhs)
    for var in range(k, k + 100):  # pivot each into a row that still holds a slack
        col = tab.column(var)
        slack_rows = [r for r, v in enumerate(tab.basis) if v < k]
        row = max(slack_rows, key=lambda r: abs(col[r]))
        assert tab.pivot(row, var) < k
    assert tab.num_stored == 100 > 8192 // k
    check_against_inverse(tab, matrix, rhs, atol=1e-8)


def test_refresh_recomputes_the_same_tableau():
    rng = np.random.default_rng(2)
    matrix = 1 + rng.random((8, 8))
    tab = make(matrix, np.ones(8))
    for var in range(8, 14):
        tab.pivot(tab.lexicographic_ratio_test(var), var)
    before = tab.values().copy()
    columns = {v: tab.column(v).copy() for v in range(16) if not tab.is_basic(v)}
    tab._stored[:, 0] += 1e-3  # corrupt the stored right-hand side
    tab.refresh()
    np.testing.assert_allclose(tab.values(), before, atol=1e-12)
    for v, col in columns.items():
        np.testing.assert_allclose(tab.column(v), col, atol=1e-12)
    exact = make([[1, 2], [3, 4]], [1, 1], exact=True)
    exact.refresh()  # nothing to do in rational arithmetic
    assert list(exact.values()) == [1, 1, 0, 0]


@pytest.mark.parametrize("seed", range(6))
def test_solved_values_recompute_the_basic_solution(seed):
    """The structural-block solve gives the values of a full re-solve with the basis matrix."""
    rng = np.random.default_rng(seed)
    k = 6 + seed
    matrix = 1 + rng.random((k, k))
    rhs = 1 + rng.random(k)
    tab = make(matrix, rhs)
    assert np.array_equal(tab.solved_values(), tab.values())  # no pivots: B = I
    for var in range(k, k + 1 + seed):
        tab.pivot(tab.lexicographic_ratio_test(var), var)
        full = full_matrix(matrix)
        expected = np.zeros(tab.num_variables)
        expected[tab.basis] = np.linalg.solve(full[:, tab.basis], rhs)
        np.testing.assert_allclose(tab.solved_values(), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tab.solved_values(), tab.values(), atol=1e-10)
    exact = make([[1, 2], [3, 4]], [1, 1], exact=True)
    exact.pivot(exact.lexicographic_ratio_test(2), 2)
    assert list(exact.solved_values()) == list(exact.values())


def test_bad_input():
    with pytest.raises(ValueError, match="does not fit"):
        Tableau(np.ones((2, 2)), np.ones(3), basic=[0, 1], nonbasic=[2, 3])
    with pytest.raises(ValueError, match="permutation"):
        Tableau(np.ones((2, 2)), np.ones(2), basic=[0, 1], nonbasic=[1, 3])
    with pytest.raises(ValueError, match="one basic variable per row"):
        Tableau(np.ones((2, 2)), np.ones(2), basic=[0], nonbasic=[1, 2])
    tab = make([[1.0]], [1.0])
    with pytest.raises(ValueError, match="already basic"):
        tab.lexicographic_ratio_test(0)
    with pytest.raises(ValueError, match="already basic"):
        tab.pivot(0, 0)


def lexicographically_positive(tab: Tableau) -> bool:
    """Every row of ``[B^{-1} q | B^{-1}]`` starts with a positive entry."""
    inverse = np.column_stack([tab.inverse_column(i) for i in range(tab.num_rows)])
    table = np.column_stack([tab.rhs, inverse])
    for row in table:
        first = next((v for v in row if v != 0), None)
        if first is None or first < 0:
            return False
    return True


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda k: st.tuples(
            st.lists(st.lists(st.integers(-1, 2), min_size=k, max_size=k), min_size=k, max_size=k),
            st.lists(st.integers(0, 1), min_size=k, max_size=k),
            st.lists(st.integers(0, 2 * k - 1), min_size=1, max_size=12),
        )
    )
)
def test_lexicographic_pivoting_keeps_rows_lexicographically_positive(data):
    """Exact and float pivots chosen by the lexicographic test, on degenerate data."""
    matrix, rhs, entering = data
    tab = make(matrix, rhs, exact=True)
    float_tab = make(matrix, rhs)
    assert lexicographically_positive(tab)
    for var in entering:
        if tab.is_basic(var):
            continue
        row = tab.lexicographic_ratio_test(var)
        assert float_tab.lexicographic_ratio_test(var) == row
        if row < 0:
            continue
        tab.pivot(row, var)
        float_tab.pivot(row, var)
        assert lexicographically_positive(tab)
        assert all(v >= 0 for v in tab.rhs)
        np.testing.assert_allclose(float_tab.values(), tab.values().astype(float), atol=1e-9)


@pytest.mark.parametrize("exact", [False, True])
def test_runs_lemkes_method_on_a_linear_complementarity_problem(exact):
    """Lemke's method with covering vector d = 1 on ``w = q + M z``, using only the public API."""
    M = np.array([[2, 1, 0], [1, 2, 1], [0, 1, 2]])
    q = np.array([-1, 2, -3])
    n = len(q)
    z0 = 2 * n  # variables: w_i = i, z_i = n + i, z0 = 2n
    covering = -np.ones((n, 1), dtype=int)
    tab = Tableau(
        np.hstack([-M, covering]), q, basic=range(n), nonbasic=range(n, 2 * n + 1), exact=exact
    )
    row = int(np.argmin(q))  # z0 enters where q is most negative: every w becomes feasible
    entering = n + row  # the complement of the leaving w_row
    tab.pivot(row, z0)
    assert min(tab.rhs) >= 0
    for _ in range(50):
        row = tab.lexicographic_ratio_test(entering)
        assert row >= 0, "ray termination"
        leaving = tab.pivot(row, entering)
        if leaving == z0:
            break
        entering = leaving + n if leaving < n else leaving - n
    else:
        raise AssertionError("Lemke's method did not terminate")
    values = tab.values()
    w, z = values[:n], values[n : 2 * n]
    assert all(v >= 0 for v in (*w, *z))
    assert max(abs(float(a * b)) for a, b in zip(w, z)) < 1e-12  # complementary
    np.testing.assert_allclose((q + M.dot(z)).astype(float), w.astype(float), atol=1e-12)
    if exact:  # the unique solution (M is positive definite): z = (1/2, 0, 3/2)
        assert list(z) == [Fraction(1, 2), 0, Fraction(3, 2)]
        assert all(a * b == 0 for a, b in zip(w, z))
