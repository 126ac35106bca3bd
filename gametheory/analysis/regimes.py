"""Equilibria and regimes at a handful of parameter points (used by thresholds, Monte Carlo...)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .grid import make_samples
from .sweep import solve_points
from .table import LabelBook, label_book, labels_of, regime_text


@dataclass(frozen=True)
class PointEquilibria:
    """The equilibria found at one parameter point."""

    labels: tuple[str, ...]
    probs: np.ndarray
    payoffs: np.ndarray

    @property
    def regime(self) -> tuple[str, ...]:
        """Sorted support labels: the equilibrium regime at this point."""
        return tuple(sorted(self.labels))


def solve_at(
    model: Any,
    names: Sequence[str],
    values: np.ndarray,
    method: str = "auto",
    at: Mapping[str, Any] | None = None,
    **run: Any,
) -> tuple[list[PointEquilibria], LabelBook, str]:
    """Equilibria at each row of ``values`` (one column per name in ``names``)."""
    values = np.asarray(values, dtype=np.float64).reshape(len(values), len(names))
    points = make_samples(model, tuple(names), values, at=at)
    description, results = solve_points(model, points, method, **run)
    book = label_book(model.game)
    out: list[PointEquilibria] = []
    for c0, c1, rows in results:
        codes = book.codes(rows.probs)
        for t in range(c0, c1):
            sel = rows.point == t
            out.append(
                PointEquilibria(
                    tuple(book.text[c] for c in codes[sel]), rows.probs[sel], rows.payoffs[sel]
                )
            )
    return out, book, description


def nest_probs(game: Any, probs: Any, conv: Any = float, labels: Any = None) -> dict[str, Any]:
    """``{player: {strategy: p}}``, or ``{player: {infoset: {action: p}}}`` for trees.

    ``labels`` is ``labels_of(game)`` when the caller has it already.
    """
    players, columns = labels if labels is not None else labels_of(game)
    out: dict[str, Any] = {}
    k = 0
    for player, cols in zip(players, columns):
        mine: dict[str, Any] = {}
        for c in cols:
            if game.form == "extensive":
                h, _, a = c.rpartition(":")
                mine.setdefault(h, {})[a] = conv(probs[k])
            else:
                mine[c] = conv(probs[k])
            k += 1
        out[player] = mine
    return out


def regime_dict(model: Any, eqs: PointEquilibria, at: float, empty: str) -> dict[str, Any]:
    """JSON-ready regime: its label and equilibria (strategies and payoffs)."""
    game = model.game
    labels = labels_of(game)
    key = "behavior" if game.form == "extensive" else "strategies"
    out = []
    for probs, pay in zip(eqs.probs, eqs.payoffs):
        out.append(
            {
                key: nest_probs(game, probs, labels=labels),
                "payoffs": dict(zip(labels[0], map(float, pay))),
            }
        )
    return {"label": regime_text(list(eqs.regime), empty), "equilibria": out, "at": float(at)}
