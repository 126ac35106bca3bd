"""Following one equilibrium as a parameter varies: :func:`continuation`.

Pseudo-arclength predictor-corrector on the support equations
(:class:`~gametheory.analysis.supportsys.SupportSystem`) in the space of
(probabilities, payoffs, parameter); the walk itself is in
:mod:`~gametheory.analysis.continuation_walk`.  When a probability on the
support reaches zero the strategy leaves the support; when a strategy off the
support becomes a best response it joins; the path then goes on along the new
support (which may run back in the parameter: a turning point where two
equilibria meet and vanish).

The result splits the path into *segments*: maximal pieces on one support
whose parameter values span an interval of positive length.  What happens at
a single parameter value is an *event*: support changes, turning points, a
continuum of equilibria the branch runs through at a degenerate value, the
range end.  For two-player games each segment with equal-size supports
carries its index (Shapley's sign formula), which flips at turning points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import numbers as nb
from ..exceptions import InvalidOptionError
from .continuation_walk import Path, common_label, regular_start, support_label, walk
from .grid import InvalidGridError, as_model, check_parameter
from .regimes import solve_at
from .supportsys import SupportSystem
from .table import LabelBook

#: Segments must span more than this fraction of the range (shorter runs are events).
SEGMENT_TOL = 1e-9


@dataclass(frozen=True)
class ContinuationResult:
    """The followed branch, as points ordered along the path.

    Attributes
    ----------
    parameter
        The varied parameter.
    values
        Parameter value at each point (not monotone after a turning point).
    probs, payoffs
        Profile (strategies concatenated) and payoffs at each point.
    labels
        Support label at each point.
    segments
        ``{"label", "range": [lo, hi], "index", "points"}`` per support segment, in
        path order; every range has positive length (more than ``SEGMENT_TOL``
        times the range width).
    events
        ``{"type", "at", "direction", ...}`` with type ``"support-change"`` (``from``,
        ``to``, ``strategy``, ``change``: several share ``at`` when strategies join or
        leave at once), ``"continuum"`` (the branch runs through a continuum of
        equilibria with support ``label`` at one parameter value), ``"turning-point"``,
        ``"end"`` (a range end), ``"closed-loop"`` (the branch returned to its start)
        or ``"stopped"`` (with a ``reason``).
    """

    parameter: str
    values: np.ndarray
    probs: np.ndarray
    payoffs: np.ndarray
    labels: list[str]
    segments: list[dict[str, Any]]
    events: list[dict[str, Any]]
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (segments and events)."""
        return {"parameter": self.parameter, "segments": self.segments, "events": self.events}


def _shapley_index(game_U: np.ndarray, sys: SupportSystem) -> int | None:
    if sys.n != 2 or len(sys.supports[0]) != len(sys.supports[1]):
        return None
    rows_i, J = sys.supports
    sign = 1
    for k in (0, 1):
        M = game_U[k] - game_U[k].min() + 1.0
        d = np.linalg.det(M[np.ix_(rows_i, J)])
        if abs(d) < 1e-12:
            return None
        sign *= int(np.sign(d))
    return int((-1) ** (len(rows_i) + 1) * sign)


def _segments(
    path: Path, pts: list, probs: np.ndarray, book: LabelBook, tol_p: float, closed: bool
) -> list[dict[str, Any]]:
    """One segment per run of points on one support system spanning more than ``tol_p``.

    A segment is labelled by the support its equilibria actually have (the most common
    among its points).  In degenerate games the equations can hold a best response at
    probability zero; such a segment has no index.  On a closed loop the runs that leave
    the start and come back to it are one segment.
    """
    runs: list[list] = []
    for k, (_, s) in enumerate(pts):
        if runs and runs[-1][0] is s:
            runs[-1][1].append(k)
        else:
            runs.append([s, [k]])
    same = len(runs) > 1 and [list(S) for S in runs[0][0].supports] == [
        list(S) for S in runs[-1][0].supports
    ]
    if closed and same:
        runs[0][1] = runs.pop()[1] + runs[0][1]
    segments = []
    for s, rows in runs:
        values = [float(pts[k][0][-1]) for k in rows]
        lo, hi = min(values), max(values)
        if hi - lo <= tol_p:  # a single parameter value: a continuum or a passing support
            continue
        label = common_label(book, probs[rows])
        segments.append(
            {
                "label": label,
                "range": [lo, hi],
                "points": len(rows),
                "index": _shapley_index(path.U(values[0]), s)
                if label == support_label(book, s)
                else None,
            }
        )
    return segments


def continuation(
    model: Any,
    parameter: str,
    start: float | None = None,
    lo: float | None = None,
    hi: float | None = None,
    *,
    equilibrium: int = 0,
    method: str = "auto",
    step: float | None = None,
    max_steps: int = 5000,
    at: Mapping[str, Any] | None = None,
) -> ContinuationResult:
    """Follow one equilibrium in ``parameter`` from ``start`` to both ends of ``[lo, hi]``.

    Parameters
    ----------
    model
        A model (other parameters at baseline, or at ``at``).
    parameter
        The parameter to vary.
    start
        Where to start (default: the baseline value).
    lo, hi
        Range (default: declared range).
    equilibrium
        Index of the equilibrium at ``start`` to follow.
    method
        Method used to find the starting equilibria.
    step
        Largest arclength step (default: 1/100 of the range).
    max_steps
        Step limit in each direction.
    at
        Values of other parameters.
    """
    model = as_model(model)
    if model.game.form != "normal":
        from ..exceptions import MethodNotApplicableError

        raise MethodNotApplicableError(
            "continuation follows equilibria of normal-form games; for game trees use "
            "sweep, thresholds or sensitivity (or convert the tree with to_normal_form())"
        )
    name = check_parameter(model, parameter)
    decl = model.parameters[name].range
    if lo is None or hi is None:
        if decl is None:
            raise InvalidGridError(f"parameter {name!r} has no declared range; give lo and hi")
        lo = float(decl[0]) if lo is None else lo
        hi = float(decl[1]) if hi is None else hi
    lo, hi = float(lo), float(hi)
    if not lo < hi:
        raise InvalidGridError(f"the range [{lo}, {hi}] is empty; give lo < hi")
    p0 = float((at or {}).get(name, model.parameters[name].value) if start is None else start)
    if not lo <= p0 <= hi:
        raise InvalidGridError(f"start {p0} is outside [{lo}, {hi}]")
    others = {k: v for k, v in (at or {}).items() if k != name}
    (eqs,), _, description = solve_at(model, [name], np.array([[p0]]), method, others)
    if not 0 <= equilibrium < len(eqs.labels):
        raise InvalidOptionError(
            f"equilibrium {equilibrium} does not exist at {name} = {p0} ({len(eqs.labels)} found)"
        )
    path = Path(model, name, others)
    probs = eqs.probs[equilibrium]
    supports = [
        np.flatnonzero(probs[path.offs[i] : path.offs[i + 1]] > nb.PROB_TOL)
        for i in range(len(path.shape))
    ]
    sys = SupportSystem(path.shape, supports)
    sigma = [probs[path.offs[i] : path.offs[i + 1]] for i in range(len(path.shape))]
    w0 = np.append(sys.pack(sigma, eqs.payoffs[equilibrium]), p0)
    sys, w0 = regular_start(path, sys, w0)
    book = LabelBook(model.game.players, model.game.strategies)
    h0 = step or (hi - lo) / 100
    down, ev_down, closed = (
        walk(path, sys, w0, -1, lo, hi, h0, max_steps, book)
        if p0 > lo
        else ([(w0, sys)], [], False)
    )
    up, ev_up, _ = (
        walk(path, sys, w0, +1, lo, hi, h0, max_steps, book)
        if p0 < hi and not closed
        else ([(w0, sys)], [], False)
    )
    pts = down[::-1] + up[1:]
    values = np.array([w[-1] for w, _ in pts])
    full = [path.full(s, w) for w, s in pts]
    P = np.array([f[0] for f in full])
    V = np.array([f[1] for f in full])
    codes = book.codes(P)
    labels = [book.text[c] for c in codes]
    segments = _segments(path, pts, P, book, SEGMENT_TOL * (hi - lo), closed)
    events = [dict(e, direction="down") for e in ev_down] + [dict(e, direction="up") for e in ev_up]
    return ContinuationResult(
        name, values, P, V, labels, segments, events, {"start": p0, "method": description}
    )
