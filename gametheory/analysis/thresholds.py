"""Critical parameter values at which the equilibrium set changes: :func:`thresholds`.

Exact mechanism (payoffs rational in the parameter, other parameters at exact
values): the candidates are the real roots in the range of

(a) every payoff difference ``u_i(s'_i, s_-i) - u_i(s_i, s_-i)`` (a pure
    equilibrium appears or disappears), and
(b) for two-player games, on every equal-size support pair, each probability
    and each best-response slack of the support's exact rational solution, and
    the determinants of its indifference systems;
(c) for perfect-information trees, the points where a mover's continuation
    values of two actions cross along symbolic backward induction (see
    :mod:`.tree_thresholds`).

Each candidate is then classified by solving the game just left and right of
it (at midpoints between consecutive candidates): only candidates where the
regime (the set of support labels) changes are reported, with their closed
form.  Elsewhere (non-rational payoffs, imperfect-information trees, or methods
the exact mechanism does not cover) the range is swept, changes are bracketed
and refined by bisection, and the values are reported as numeric, with their
brackets (see :mod:`.thresholds_numeric`).  On trees with rational payoffs a
bracketed change where a pure equilibrium appears or disappears is pinned to
the exact root of that equilibrium's best-reply slack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..exceptions import InvalidOptionError
from .grid import InvalidGridError, as_model, check_parameter, check_range
from .regimes import regime_dict, solve_at
from .symbolic import is_rational_in, payoff_exprs, support_pairs, support_solution

#: Grid size of the numeric mechanism.
NUMERIC_GRID = 801
#: Bisection steps of the numeric mechanism.
BISECTION_STEPS = 60


@dataclass(frozen=True)
class Threshold:
    """One critical value.

    Attributes
    ----------
    value
        The critical value (float).
    exact
        Closed form (sympy number), or ``None`` when found numerically.
    left, right
        Regimes just below and just above (JSON-ready dictionaries).
    """

    value: float
    exact: Any
    left: dict[str, Any]
    right: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (the ``exact`` closed form as sympy's text)."""
        return {
            "value": self.value,
            "exact": None if self.exact is None else str(self.exact),
            "left": self.left,
            "right": self.right,
        }


@dataclass(frozen=True)
class ThresholdResult:
    """Critical values of one parameter in a range."""

    parameter: str
    range: tuple[float, float]
    thresholds: list[Threshold]
    method: str
    candidates: int = 0
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def values(self) -> list[float]:
        """The critical values."""
        return [t.value for t in self.thresholds]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary following the CLI contract."""
        return {
            "parameter": self.parameter,
            "range": [self.range[0], self.range[1]],
            "thresholds": [t.to_dict() for t in self.thresholds],
            "method": self.method,
        }


def _roots(expr: Any, p: Any, lo: float, hi: float, out: dict) -> None:
    """Add the real roots in ``[lo, hi]`` of the numerator and denominator of ``expr``."""
    import sympy as sp

    num, den = sp.fraction(sp.together(expr))
    for part in (num, den):
        if not part.has(p):
            continue
        poly = sp.Poly(part, p)
        key = tuple(poly.monic().all_coeffs()) if poly.LC() != 0 else None
        if key in out["seen"]:
            continue
        out["seen"].add(key)
        for factor, _ in poly.factor_list()[1]:
            if factor.degree() < 1:
                continue
            for r in factor.real_roots():
                val = float(sp.N(r, 30))
                if lo - 1e-12 <= val <= hi + 1e-12:
                    out["roots"].setdefault(round(val, 12), r)


def _candidates(
    model: Any, name: str, lo: float, hi: float, mixed: bool, at: Mapping[str, Any] | None
) -> list[tuple[float, Any]]:
    import sympy as sp

    p = sp.Symbol(name)
    P = payoff_exprs(model, [name], at)
    out: dict = {"seen": set(), "roots": {}}
    n = P.shape[0]
    for i in range(n):
        u = np.moveaxis(P[i], i, 0)
        m = u.shape[0]
        for a in range(m):
            for b in range(a + 1, m):
                for d in (u[a] - u[b]).reshape(-1):
                    _roots(d, p, lo, hi, out)
    if mixed and n == 2:
        A, B = P[0], P[1]
        m1, m2 = A.shape
        for rows_i, cols_j in support_pairs(m1, m2, range(2, min(m1, m2) + 1)):
            sol = support_solution(A, B, rows_i, cols_j, simplify=False)
            if sol is None:
                continue
            for expr in (
                *[sol["x"][i] for i in rows_i],
                *[sol["y"][j] for j in cols_j],
                *sol["slack_row"],
                *sol["slack_col"],
                *sol["dets"],
            ):
                _roots(expr, p, lo, hi, out)
    return sorted((v, r) for v, r in out["roots"].items())


def _exact_possible(
    model: Any, name: str, method: str, at: Mapping[str, Any] | None
) -> tuple[bool, bool]:
    """``(exact mechanism applies, track mixed equilibria)``."""
    import sympy as sp

    game = model.game
    if game.form != "normal":
        from .tree_thresholds import is_rational_tree, tree_exprs

        if method not in ("auto", "backward-induction") or not game.is_perfect_information:
            return False, True
        p, payoffs, chance = tree_exprs(model, name, at)
        return is_rational_tree(payoffs, chance, p), True
    n = game.num_players
    if method == "pure" or (method == "auto" and n != 2):
        mixed = False
    elif n == 2 and method in ("auto", "vertex-enumeration", "support-enumeration"):
        mixed = True
    else:
        return False, True
    P = payoff_exprs(model, [name], at)
    return is_rational_in(P, [sp.Symbol(name)]), mixed


def _side_points(cands: list[float], lo: float, hi: float) -> np.ndarray:
    """Midpoints between consecutive candidates (candidates lie in ``(lo, hi)``)."""
    xs = np.array([lo, *cands, hi])
    return (xs[:-1] + xs[1:]) / 2


def thresholds(
    model: Any,
    parameter: str,
    lo: float | None = None,
    hi: float | None = None,
    method: str = "auto",
    *,
    mode: str = "auto",
    at: Mapping[str, Any] | None = None,
    points: int | None = None,
) -> ThresholdResult:
    """Critical values of ``parameter`` in ``[lo, hi]`` where the equilibrium set changes.

    Parameters
    ----------
    model
        A model (other parameters at their baseline, or at ``at``).
    parameter
        The parameter to vary.
    lo, hi
        The range (default: the declared range; a range beyond the declared
        one gives an :class:`~gametheory.exceptions.OutOfRangeWarning`).
    method
        Which equilibria define the regime: ``"auto"`` (two players: all;
        more: pure), ``"pure"``, or a method name (solved point by point).
    mode
        ``"auto"`` (exact where possible), ``"exact"`` (error when not
        possible) or ``"numeric"``.
    at
        Values of other parameters.
    points
        Grid size of the numeric mechanism (sweep, then bisection of each change);
        default 801 for normal forms, 201 for trees (a solve per point; see
        :mod:`.thresholds_numeric`).

    Returns
    -------
    ThresholdResult
        ``to_dict()`` gives the JSON of ``gametheory thresholds``.
    """
    model = as_model(model)
    name = check_parameter(model, parameter)
    decl = model.parameters[name].range
    if lo is None or hi is None:
        if decl is None:
            raise InvalidGridError(f"parameter {name!r} has no declared range; give lo and hi")
        lo = float(decl[0]) if lo is None else lo
        hi = float(decl[1]) if hi is None else hi
    lo, hi = float(lo), float(hi)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise InvalidGridError(f"range of {name!r} must have lo < hi, got [{lo}, {hi}]")
    check_range(model, name, np.array([lo, hi]), strict=False)
    if points is not None and (
        isinstance(points, bool) or not isinstance(points, int) or points < 2
    ):
        raise InvalidOptionError(f"points must be an integer of at least 2, got {points!r}")
    if mode not in ("auto", "exact", "numeric"):
        raise InvalidOptionError(f"mode must be 'auto', 'exact' or 'numeric', got {mode!r}")
    exact_ok, mixed = (
        (False, True) if mode == "numeric" else _exact_possible(model, name, method, at)
    )
    tree = model.game.form == "extensive"
    if mode == "exact" and not exact_ok:
        raise InvalidOptionError(
            f"no exact thresholds for {name!r} with method {method!r}: payoffs must be rational "
            "in the parameter and the method 'auto', 'pure' or a 2-player enumeration"
            + (" (for trees: perfect information, by backward induction)" if tree else "")
        )
    empty = "no equilibrium found" if mixed else "no pure equilibrium"
    if exact_ok:
        if tree:
            from .tree_thresholds import tree_candidates

            return _exact(
                model,
                name,
                lo,
                hi,
                method,
                at,
                empty,
                lambda a, b: tree_candidates(model, name, a, b, at),
            )
        return _exact(
            model, name, lo, hi, method, at, empty,
            lambda a, b: _candidates(model, name, a, b, mixed, at),
        )  # fmt: skip
    from .thresholds_numeric import numeric_thresholds

    return numeric_thresholds(model, name, lo, hi, method, at, empty, points)


def _beside(
    model: Any,
    name: str,
    model_at: Mapping[str, Any] | None,
    method: str,
    changes: list[tuple[float, float, float, Any, Any]],
    empty: str,
) -> list[tuple[dict, dict]]:
    """Regimes just left and right of each change (limits), else the interval midpoints.

    ``changes`` holds ``(c, left midpoint, right midpoint, left eqs, right eqs)``.
    """
    if not changes:
        return []
    deltas = [min(1e-7 * max(1.0, abs(c)), (c - a) / 4, (b - c) / 4) for c, a, b, _, _ in changes]
    xs = np.array([[c + sgn * d] for (c, *_), d in zip(changes, deltas) for sgn in (-1, 1)])
    near, _, _ = solve_at(model, [name], xs, method, model_at)
    out = []
    for k, (_c, a, b, left, right) in enumerate(changes):
        pair = []
        for eq, x, mid, mx in (
            (near[2 * k], xs[2 * k, 0], left, a),
            (near[2 * k + 1], xs[2 * k + 1, 0], right, b),
        ):
            pair.append(
                regime_dict(model, eq, x, empty)
                if eq.regime == mid.regime
                else regime_dict(model, mid, mx, empty)
            )
        out.append((pair[0], pair[1]))
    return out


def _exact(
    model: Any,
    name: str,
    lo: float,
    hi: float,
    method: str,
    at: Mapping[str, Any] | None,
    empty: str,
    candidates: Callable[[float, float], list[tuple[float, Any]]],
) -> ThresholdResult:
    # candidates slightly beyond the range too, so that a change at an end is classified
    w = 0.01 * (hi - lo)
    cands = [c for c in candidates(lo - w, hi + w) if lo - w < c[0] < hi + w]
    values = [v for v, _ in cands]
    mids = _side_points(values, lo - w, hi + w)
    eqs, _, description = solve_at(model, [name], mids[:, None], method, at)
    changes: list[tuple[float, float, float, Any, Any]] = []
    roots: list[Any] = []
    for k, (v, r) in enumerate(cands):
        if not lo - 1e-12 <= v <= hi + 1e-12 or eqs[k].regime == eqs[k + 1].regime:
            continue
        changes.append((v, mids[k], mids[k + 1], eqs[k], eqs[k + 1]))
        roots.append(r)
    found = [
        Threshold(float(c[0]), r, left, right)
        for c, r, (left, right) in zip(
            changes, roots, _beside(model, name, at, method, changes, empty)
        )
    ]
    return ThresholdResult(
        name,
        (lo, hi),
        found,
        f"exact: candidate roots classified by {description}",
        candidates=len(cands),
    )
