"""The numeric mechanism of :func:`~.thresholds.thresholds`: sweep, bracket, bisect.

Each change of regime between neighbouring grid points is bracketed by
bisection from both sides: ``[a, b]`` with ``a`` the last point seen in the
left regime and ``b`` the first point seen in the right one.  The reported
value is the bracket's midpoint; the brackets are in
``ThresholdResult.details["brackets"]``.  Bisection stops when a side is
known to ``BRACKET_TOL * (hi - lo)``; two sides closer than ``BAND * (hi -
lo)`` are one change.  The solvers' own tolerance (regret below ``1e-9``
times the payoff range counts as zero, and a deviation at an information set
reached with small probability costs little regret) can blur a change into a
sliver of transitional regimes; slivers narrower than ``SLIVER * (hi - lo)``
are merged into one change.  So every bracket is at most ``(SLIVER +
BRACKET_TOL) * (hi - lo)`` wide and a numeric value lies within
``details["precision"]``, half that width, of every point of its bracket.

Trees with payoffs and chance probabilities rational in the parameter: a pure
equilibrium appears or disappears only at a real root of one of its
best-reply slacks (see :class:`~.tree_thresholds.PureSlackRoots`).  After the
sweep, the roots of the slacks of every pure equilibrium it found are computed
exactly and the game is also solved just beside each root (``SEED * (hi -
lo)`` either side): a change there is bracketed by those two points without
bisection, and a regime narrower than the grid spacing that starts or ends
with a pure equilibrium found on the grid is not missed.  When a pure
equilibrium is found on one side of a bracket only and exactly one such root
lies in the bracket (widened by ``BAND * (hi - lo)``), that root is the exact
threshold (``Threshold.exact``) and its float is the value.  Trees cost a
solve per point, so their default grid is smaller (``TREE_GRID``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import numbers as nb
from .regimes import PointEquilibria, regime_dict, solve_at
from .thresholds import BISECTION_STEPS, NUMERIC_GRID, Threshold, ThresholdResult

#: Bisection stops when a side of a change is known to this fraction of the range.
BRACKET_TOL = 1e-8
#: Two sides of a change closer than this fraction of the range are one change.
BAND = 1e-7
#: Changes closer than this fraction of the range, into a regime and out of it, merge.
SLIVER = 1e-6
#: Trees: the game is also solved this fraction of the range either side of each exact
#: root of a pure equilibrium's slacks (so a bracket there is SLIVER wide).
SEED = SLIVER / 2
#: Default grid size for trees (a solve per point; the normal-form default is NUMERIC_GRID).
TREE_GRID = 201


@dataclass(frozen=True)
class _Change:
    """A bracketed change: last point in the left regime, first point in the right one."""

    a: float
    b: float
    left: PointEquilibria
    right: PointEquilibria
    left_at: float
    right_at: float

    @property
    def value(self) -> float:
        return (self.a + self.b) / 2


def _edge(
    model: Any,
    name: str,
    a: float,
    b: float,
    keep: tuple,
    method: str,
    at: Mapping[str, Any] | None,
    stop: float,
) -> tuple[float, float]:
    """Bisect between ``a`` and ``b`` for where the regime stops being ``keep`` (held at ``a``)."""
    for _ in range(BISECTION_STEPS):
        mid = (a + b) / 2
        if mid in (a, b) or abs(b - a) <= stop:
            break
        (em,), _, _ = solve_at(model, [name], np.array([[mid]]), method, at)
        if em.regime == keep:
            a = mid
        else:
            b = mid
    return a, b


def _merge_slivers(found: list[_Change], width: float) -> list[_Change]:
    """Merge a change into a transitional regime and straight out of it (a degenerate point)."""
    out: list[_Change] = []
    for t in found:
        prev = out[-1] if out else None
        if (
            prev is not None
            and t.value - prev.value <= width
            and prev.right.regime == t.left.regime
        ):
            out.pop()
            if prev.left.regime != t.right.regime:
                out.append(_Change(prev.a, t.b, prev.left, t.right, prev.left_at, t.right_at))
            continue
        out.append(t)
    return out


def _pure_rows(side: PointEquilibria, other: PointEquilibria) -> list[np.ndarray]:
    """Pure equilibria found on ``side`` and not on ``other``."""
    theirs = set(other.labels)
    return [
        probs
        for label, probs in zip(side.labels, side.probs)
        if label not in theirs and np.all((probs <= nb.PROB_TOL) | (probs >= 1 - nb.PROB_TOL))
    ]


def _slack_roots(model: Any, name: str, at: Mapping[str, Any] | None) -> Any:
    """:class:`~.tree_thresholds.PureSlackRoots` for a tree with rational payoffs, else None."""
    if model.game.form != "extensive":
        return None
    from .tree_thresholds import PureSlackRoots

    slack = PureSlackRoots(model, name, at)
    return slack if slack.ok else None


def _seeds(slack: Any, eqs: list[PointEquilibria], lo: float, hi: float) -> list[float]:
    """Exact roots in ``(lo, hi)`` of the slacks of every pure equilibrium in ``eqs``."""
    rows: dict[tuple, np.ndarray] = {}
    for eq in eqs:
        for probs in eq.probs:
            if np.all((probs <= nb.PROB_TOL) | (probs >= 1 - nb.PROB_TOL)):
                rows.setdefault(tuple(np.round(probs).astype(int)), probs)
    return [v for v, _ in slack.between(list(rows.values()), lo, hi) if lo < v < hi]


def _exact_values(
    slack: Any, changes: list[_Change], widen: float
) -> list[Any]:
    """Exact value of each change where a pure equilibrium's slack pins it, else ``None``."""
    out: list[Any] = [None] * len(changes)
    if slack is None:
        return out
    for k, c in enumerate(changes):
        rows = _pure_rows(c.left, c.right) + _pure_rows(c.right, c.left)
        roots = slack.between(rows, c.a - widen, c.b + widen)
        if len(roots) == 1:
            out[k] = roots[0][1]
    return out


def numeric_thresholds(
    model: Any,
    name: str,
    lo: float,
    hi: float,
    method: str,
    at: Mapping[str, Any] | None,
    empty: str,
    points: int | None = None,
) -> ThresholdResult:
    """Thresholds by a sweep of ``points`` values, bisection of each change (see the module)."""
    if points is None:
        points = TREE_GRID if model.game.form == "extensive" else NUMERIC_GRID
    xs = np.linspace(lo, hi, points)
    eqs, _, description = solve_at(model, [name], xs[:, None], method, at)
    slack = _slack_roots(model, name, at)
    seeded: set[float] = set()
    if slack is not None:
        d = SEED * (hi - lo)
        roots = [r for r in _seeds(slack, eqs, lo, hi) if lo < r - d and r + d < hi]
        if roots:
            extra = np.array([x for r in roots for x in (r - d, r + d)])
            more, _, _ = solve_at(model, [name], extra[:, None], method, at)
            every = np.concatenate([xs, extra])
            order = np.argsort(every, kind="stable")
            both = eqs + more
            xs, eqs = every[order], [both[k] for k in order.tolist()]
            seeded = {float(r - d) for r in roots}
    found: list[_Change] = []
    band, stop = BAND * (hi - lo), BRACKET_TOL * (hi - lo)
    for k in range(len(xs) - 1):
        ea, eb = eqs[k], eqs[k + 1]
        if ea.regime == eb.regime:
            continue
        x0, x1 = float(xs[k]), float(xs[k + 1])
        if x0 in seeded:  # the two points beside one exact root: bracketed already
            found.append(_Change(x0, x1, ea, eb, x0, x1))
            continue
        a_in, a_out = _edge(model, name, x0, x1, ea.regime, method, at, stop)
        b_in, b_out = _edge(model, name, x1, x0, eb.regime, method, at, stop)
        if b_out - a_in <= band:  # one change (a degenerate sliver in between is ignored)
            found.append(_Change(a_in, b_in, ea, eb, a_in, b_in))
            continue
        mid = (a_out + b_out) / 2
        (em,), _, _ = solve_at(model, [name], np.array([[mid]]), method, at)
        found.append(_Change(a_in, a_out, ea, em, a_in, mid))
        found.append(_Change(b_out, b_in, em, eb, mid, b_in))
    changes = _merge_slivers(found, SLIVER * (hi - lo))
    exact = _exact_values(slack, changes, band)
    out = [
        Threshold(
            c.value if r is None else float(r),
            r,
            regime_dict(model, c.left, c.left_at, empty),
            regime_dict(model, c.right, c.right_at, empty),
        )
        for c, r in zip(changes, exact)
    ]
    pinned = sum(r is not None for r in exact)
    how = f"numeric: grid of {points} points and bisection, solved by {description}"
    if seeded:
        how += f"; solved beside {len(seeded)} root(s) of pure equilibria's best-reply slacks"
    if pinned:
        how += (
            f"; {pinned} of {len(out)} value(s) exact: the one root of a pure equilibrium's "
            "best-reply slack in the bracket"
        )
    return ThresholdResult(
        name,
        (lo, hi),
        out,
        how,
        details={
            "brackets": [(c.a, c.b) for c in changes],
            "precision": (SLIVER + BRACKET_TOL) * (hi - lo) / 2,
        },
    )
