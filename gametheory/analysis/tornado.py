"""Tornado summary: how far each outcome moves when each parameter crosses its range."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..exceptions import InvalidOptionError
from .grid import as_model
from .regimes import solve_at
from .table import columns_of, labels_of

#: Steps from the baseline to each end of a range.
STEPS = 64


@dataclass(frozen=True)
class TornadoBar:
    """One bar: an outcome at the two ends of one parameter's range.

    ``low``/``high`` are NaN when the followed equilibrium disappears (no
    equilibrium found on the way).
    """

    parameter: str
    outcome: str
    range: tuple[float, float]
    baseline: float
    low: float
    high: float
    support_changes: bool = False

    @property
    def swing(self) -> float:
        """``|high - low|`` (NaN when an end is missing)."""
        return abs(self.high - self.low)

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""

        def num(v: float) -> float | None:
            return None if np.isnan(v) else float(v)

        return {
            "parameter": self.parameter,
            "outcome": self.outcome,
            "range": list(self.range),
            "baseline": num(self.baseline),
            "low": num(self.low),
            "high": num(self.high),
            "swing": num(self.swing),
            "support_changes": self.support_changes,
        }


@dataclass(frozen=True)
class TornadoResult:
    """Bars sorted by swing (largest first) for each outcome."""

    bars: list[TornadoBar]
    equilibrium: str

    def for_outcome(self, outcome: str) -> list[TornadoBar]:
        """Bars of one outcome, largest swing first."""
        return [b for b in self.bars if b.outcome == outcome]

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"equilibrium": self.equilibrium, "bars": [b.to_dict() for b in self.bars]}


def tornado(
    model: Any,
    outcome: str | Sequence[str] | None = None,
    equilibrium: int = 0,
    method: str = "auto",
    parameters: Sequence[str] | None = None,
    at: Mapping[str, Any] | None = None,
) -> TornadoResult:
    """Swing of outcomes when each parameter goes across its declared range, others fixed.

    Parameters
    ----------
    model
        A model.
    outcome
        Column names of the sweep table (``"Seoul:arm"``, ``"payoff:Moscow"``);
        default: every probability and payoff.
    equilibrium
        Which baseline equilibrium to follow.  It is followed in
        :data:`STEPS` steps from the baseline to each end of the range, at each
        step to the nearest equilibrium (so through support changes, which
        ``support_changes`` reports).
    method
        Which equilibria (as in :func:`~gametheory.analysis.sweep`).
    parameters
        Parameters to vary (default: those with a declared range used by the payoffs).
    at
        Values of the other parameters (instead of their baseline).
    """
    model = as_model(model)
    game = model.game
    cols = columns_of((), *labels_of(game))[2:-1]
    wanted = cols if outcome is None else [outcome] if isinstance(outcome, str) else list(outcome)
    for o in wanted:
        if o not in cols:
            raise InvalidOptionError(f"unknown outcome {o!r}; choose from: {', '.join(cols)}")
    used = set(game.parameters)
    names = [
        p
        for p in (parameters or model.parameters)
        if p in used and model.parameters[p].range is not None
    ]
    first = next(iter(sorted(used)))
    base_at = dict(at or {})
    value0 = base_at.pop(first, model.parameters[first].value)
    (eqs,), _, _ = solve_at(model, [first], np.array([[float(value0)]]), method, base_at)
    if not 0 <= equilibrium < len(eqs.labels):
        raise InvalidOptionError(
            f"equilibrium {equilibrium} does not exist at the baseline ({len(eqs.labels)} found)"
        )
    ref = np.concatenate([eqs.probs[equilibrium], eqs.payoffs[equilibrium]])
    m = eqs.probs.shape[1]
    label = eqs.labels[equilibrium]
    idx = [cols.index(o) for o in wanted]
    bars = []
    for name in names:
        lo, hi = (float(v) for v in model.parameters[name].range)
        others = {k: v for k, v in (at or {}).items() if k != name}
        base_value = float((at or {}).get(name, model.parameters[name].value))
        vals, changed = [], False
        for end in (lo, hi):
            path = np.linspace(base_value, end, STEPS + 1)[1:]
            found, _, _ = solve_at(model, [name], path[:, None], method, others)
            cur, cur_label = ref, label
            for e in found:  # follow the equilibrium by nearness, through support changes
                rows = [np.concatenate([p, u]) for p, u in zip(e.probs, e.payoffs)]
                if not rows:
                    cur = np.full(len(ref), np.nan)
                    break
                k = min(range(len(rows)), key=lambda r: float(np.abs(rows[r][:m] - cur[:m]).max()))
                cur, changed = rows[k], changed or e.labels[k] != cur_label
                cur_label = e.labels[k]
            vals.append(cur)
        for o, j in zip(wanted, idx):
            bars.append(
                TornadoBar(
                    name, o, (lo, hi), float(ref[j]), float(vals[0][j]), float(vals[1][j]), changed
                )
            )
    bars.sort(key=lambda b: (wanted.index(b.outcome), -np.nan_to_num(b.swing, nan=-1.0)))
    return TornadoResult(bars, label)
