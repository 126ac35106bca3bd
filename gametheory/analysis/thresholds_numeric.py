"""The numeric mechanism of :func:`~.thresholds.thresholds`: sweep, bracket, bisect."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .regimes import regime_dict, solve_at
from .thresholds import BISECTION_STEPS, NUMERIC_GRID, Threshold, ThresholdResult


def _edge(
    model: Any,
    name: str,
    a: float,
    b: float,
    keep: tuple,
    method: str,
    at: Mapping[str, Any] | None,
) -> tuple[float, float, Any]:
    """Bisect ``[a, b]`` for where the regime stops being ``keep`` (held at ``a``)."""
    other = None
    for _ in range(BISECTION_STEPS):
        mid = (a + b) / 2
        if mid in (a, b):
            break
        (em,), _, _ = solve_at(model, [name], np.array([[mid]]), method, at)
        if em.regime == keep:
            a = mid
        else:
            b, other = mid, em
    return a, b, other


def _merge_slivers(found: list[Threshold], width: float) -> list[Threshold]:
    """Merge a change into a transitional regime and straight out of it (a degenerate point)."""
    out: list[Threshold] = []
    for t in found:
        prev = out[-1] if out else None
        if (
            prev is not None
            and t.value - prev.value <= width
            and prev.right["label"] == t.left["label"]
        ):
            out.pop()
            if prev.left["label"] != t.right["label"]:
                out.append(Threshold((prev.value + t.value) / 2, None, prev.left, t.right))
            continue
        out.append(t)
    return out


def numeric_thresholds(
    model: Any,
    name: str,
    lo: float,
    hi: float,
    method: str,
    at: Mapping[str, Any] | None,
    empty: str,
    points: int = NUMERIC_GRID,
) -> ThresholdResult:
    xs = np.linspace(lo, hi, points)
    eqs, _, description = solve_at(model, [name], xs[:, None], method, at)
    found = []
    band = 1e-7 * (hi - lo)
    for k in range(len(xs) - 1):
        ea, eb = eqs[k], eqs[k + 1]
        if ea.regime == eb.regime:
            continue
        a_in, a_out, _ = _edge(model, name, float(xs[k]), float(xs[k + 1]), ea.regime, method, at)
        b_in, b_out, _ = _edge(model, name, float(xs[k + 1]), float(xs[k]), eb.regime, method, at)
        if b_out - a_in <= band:  # one change (a degenerate sliver in between is ignored)
            found.append(
                Threshold(
                    (a_in + b_in) / 2,
                    None,
                    regime_dict(model, ea, a_in, empty),
                    regime_dict(model, eb, b_in, empty),
                )
            )
            continue
        (em,), _, _ = solve_at(model, [name], np.array([[(a_out + b_out) / 2]]), method, at)
        found.append(
            Threshold(
                (a_in + a_out) / 2,
                None,
                regime_dict(model, ea, a_in, empty),
                regime_dict(model, em, (a_out + b_out) / 2, empty),
            )
        )
        found.append(
            Threshold(
                (b_in + b_out) / 2,
                None,
                regime_dict(model, em, (a_out + b_out) / 2, empty),
                regime_dict(model, eb, b_in, empty),
            )
        )
    return ThresholdResult(
        name,
        (lo, hi),
        _merge_slivers(found, 1e-6 * (hi - lo)),
        f"numeric: grid of {points} points and bisection, solved by {description}",
    )
