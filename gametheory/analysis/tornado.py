"""Tornado summary: how far each outcome moves when each parameter crosses its range."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

import numpy as np

from ..exceptions import InvalidOptionError
from .grid import InvalidGridError, as_model, check_at, check_parameter
from .point_check import check_point
from .regimes import solve_at
from .symbolic import exact_values
from .table import columns_of, labels_of

#: Columns of :meth:`TornadoResult.to_csv`.
CSV_COLUMNS = (
    "outcome", "parameter", "range_low", "range_high", "baseline", "low", "high", "swing",
    "support_changes",
)

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

    @property
    def outcomes(self) -> list[str]:
        """The outcomes, in the order of the bars."""
        return list(dict.fromkeys(b.outcome for b in self.bars))

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"equilibrium": self.equilibrium, "bars": [b.to_dict() for b in self.bars]}

    @property
    def records(self) -> list[dict[str, Any]]:
        """One row per bar (columns :data:`CSV_COLUMNS`; missing ends are NaN)."""
        return [
            {
                "outcome": b.outcome,
                "parameter": b.parameter,
                "range_low": float(b.range[0]),
                "range_high": float(b.range[1]),
                "baseline": b.baseline,
                "low": b.low,
                "high": b.high,
                "swing": b.swing,
                "support_changes": b.support_changes,
            }
            for b in self.bars
        ]

    def to_csv(self, path_or_buffer: str | os.PathLike | IO[str] | None = None) -> str | None:
        """Write the bars as CSV, one row per outcome x parameter.

        Parameters
        ----------
        path_or_buffer
            A file name or an open text file; ``None`` returns the text.

        Returns
        -------
        str or None
            The CSV text when no target is given.

        Notes
        -----
        Columns are :data:`CSV_COLUMNS`; numbers are written with ``repr``
        (exact round trip), a missing end (the followed equilibrium
        disappeared) as an empty field, ``support_changes`` as
        ``true``/``false``.
        """
        from .export import write_csv

        def cell(v: Any) -> str:
            if isinstance(v, bool):
                return "true" if v else "false"
            if isinstance(v, float):
                return "" if np.isnan(v) else repr(v)
            return str(v)

        rows = ([cell(r[c]) for c in CSV_COLUMNS] for r in self.records)
        return write_csv(path_or_buffer, CSV_COLUMNS, rows)

    def to_pandas(self) -> Any:
        """The bars as a :class:`pandas.DataFrame` (columns :data:`CSV_COLUMNS`; needs pandas)."""
        from .export import pandas

        return pandas("TornadoResult.to_pandas()").DataFrame(
            self.records, columns=list(CSV_COLUMNS)
        )

    def plot(
        self,
        path: str | os.PathLike | None = None,
        outcome: str | Sequence[str] | None = None,
        top: int | None = None,
    ) -> Any:
        """Tornado chart: one panel per outcome, one bar per parameter, largest swing on top.

        See :func:`~gametheory.analysis.plotting.plot_tornado`.
        """
        from .plotting import plot_tornado

        return plot_tornado(self, path=path, outcome=outcome, top=top)


def tornado(
    model: Any,
    outcome: str | Sequence[str] | None = None,
    equilibrium: int = 0,
    method: str = "auto",
    parameters: str | Sequence[str] | None = None,
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
        Parameters to vary (a name or a list; each must be used by the payoffs
        and have a declared range).  Default: those with a declared range used
        by the payoffs.
    at
        Values of the other parameters (instead of their baseline).

    Returns
    -------
    TornadoResult

    Raises
    ------
    UnknownParameterError
        When ``parameters`` or ``at`` names an undeclared parameter.
    InvalidGridError
        When a chosen parameter has no declared range, none is left to vary,
        or the baseline makes a payoff or chance probability invalid.
    InvalidOptionError
        For an unknown outcome or an equilibrium index that does not exist.
    """
    model = as_model(model)
    game = model.game
    at = check_at(model, at)
    cols = columns_of((), *labels_of(game))[2:-1]
    wanted = cols if outcome is None else [outcome] if isinstance(outcome, str) else list(outcome)
    for o in wanted:
        if o not in cols:
            raise InvalidOptionError(f"unknown outcome {o!r}; choose from: {', '.join(cols)}")
    if isinstance(equilibrium, bool) or not isinstance(equilibrium, (int, np.integer)):
        raise InvalidOptionError(f"equilibrium must be an index (0, 1, ...), got {equilibrium!r}")
    used = set(game.parameters)
    names = _parameters(model, parameters, used)
    first = next(iter(sorted(used)))
    base_point = exact_values(model, sorted(used), at)
    check_point(model, base_point)
    base_at = dict(at)
    value0 = base_point[first]
    base_at.pop(first, None)
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
        others = {k: v for k, v in at.items() if k != name}
        base_value = float(base_point[name])
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


def _parameters(model: Any, parameters: str | Sequence[str] | None, used: set[str]) -> list[str]:
    """The parameters to vary: validated when given, else every used one with a range."""
    if parameters is None:
        names = [p for p in model.parameters if p in used and model.parameters[p].range is not None]
        if not names:
            raise InvalidGridError(
                "no parameter to vary: no parameter used by the payoffs declares a range"
            )
        return names
    names = [parameters] if isinstance(parameters, str) else list(parameters)
    if not names:
        raise InvalidOptionError("parameters= is empty: name at least one parameter to vary")
    frozen = frozenset(used)
    for name in names:
        check_parameter(model, name, used=frozen)
        if model.parameters[name].range is None:
            raise InvalidGridError(
                f"parameter {name!r} has no declared range, so the tornado cannot vary it"
            )
    if len(set(names)) != len(names):
        raise InvalidOptionError(f"parameters= lists a parameter twice: {names}")
    return names
