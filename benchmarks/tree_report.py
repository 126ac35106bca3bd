"""Checks and Markdown tables of the extensive-form group.

Every output is turned into behaviour vectors of our game (see
:mod:`benchmarks.tree_peers`) and checked by our own code: its Nash regret
(best response of each player, sequence form), and where the task has one,
a reference: the unique subgame-perfect profile (backward induction on a
tree with continuous random payoffs), the value of the game (zero-sum LP),
or the structure of the file that was read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .harness import Measurement
from .report import ms, ratio

#: Two behaviour profiles are the same when no probability differs by more.
MATCH_TOL = 1e-6
#: At most this many returned profiles are checked one by one (the count says so).
MAX_CHECKED = 2000


@dataclass
class TreeRow:
    """One implementation on one game of the group, checked.

    Attributes
    ----------
    game
        Label of the game.
    name
        Implementation name.
    is_ours
        True for our code.
    measurement
        Timing outcome (times, first output, messages).
    ratio
        Median time divided by our first row's on the same game.
    regret
        Largest Nash regret over the checked outputs (``None`` when not applicable).
    problems
        Correctness problems (our rows) or wrong outputs (peers).
    facts
        Remarks shown in the check column (e.g. ``"0 of 1 subgame perfect"``).
    results
        Number of outputs when they are not in ``measurement.profiles``.
    """

    game: str
    name: str
    is_ours: bool
    measurement: Measurement
    ratio: float | None = None
    regret: float | None = None
    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    results: int | None = None

    @property
    def ok(self) -> bool:
        """Finished, and no correctness problem."""
        return self.measurement.status == "ok" and not self.problems

    @property
    def median(self) -> float | None:
        """Median seconds, when it finished."""
        return self.measurement.median if self.measurement.status == "ok" else None

    @property
    def count(self) -> int | None:
        """Number of outputs of the first call."""
        if self.measurement.status != "ok":
            return None
        return self.results if self.results is not None else len(self.measurement.profiles)


def check_profiles(row: TreeRow, game: Any, *, spe: np.ndarray | None = None,
                   value: float | None = None, nash_required: bool = True) -> None:
    """Regret of every output, and its agreement with the references given.

    Parameters
    ----------
    row
        The row; its ``regret``, ``problems`` and ``facts`` are filled in.
    game
        Our game.
    spe
        The unique subgame-perfect behaviour vector: outputs are counted as
        subgame perfect when they agree with it at every player action.
    value
        The first player's value: every output's payoff must match it.
    nash_required
        When false, outputs that are not Nash equilibria are counted, not
        reported as problems (peers whose method does not promise one).
    """
    from gametheory.solvers.tree_verify import profile_regret

    m = row.measurement
    if m.status != "ok":
        return
    vecs = m.profiles[:MAX_CHECKED]
    if not vecs:
        row.problems.append("no equilibrium returned")
        return
    tol = game.tolerance()
    regrets = [float(profile_regret(game, v)) for v in vecs]
    row.regret = max(regrets)
    nash = sum(r <= tol for r in regrets)
    where = f"of the first {len(vecs)}" if len(m.profiles) > len(vecs) else f"of {len(vecs)}"
    if nash < len(vecs):
        text = f"{len(vecs) - nash} {where} not Nash (regret > {tol:.0e})"
        (row.problems if nash_required else row.facts).append(text)
    if spe is not None:
        mask = game._player_action
        same = sum(bool(np.all(np.abs(v[mask] - spe[mask]) <= MATCH_TOL)) for v in vecs)
        row.facts.append(f"{same} {where} subgame perfect")
        if row.is_ours and same < len(vecs):
            row.problems.append("not the subgame-perfect equilibrium")
    if value is not None:
        from gametheory.games.behavior import expected_payoffs

        got = [float(expected_payoffs(game, v)[0]) for v in vecs]
        off = max(abs(g - value) for g in got)
        row.facts.append(f"value {got[0]:.6f}")
        if off > 1e-6 * max(1.0, abs(value)):
            row.problems.append(f"value off by {off:.1e}")


def check_facts(row: TreeRow, expected: dict[str, Any]) -> None:
    """The structure read from a file must be the structure written."""
    m = row.measurement
    if m.status != "ok":
        return
    got = m.profiles[0]
    for key, want in expected.items():
        have = got.get(key)
        same = (math.isclose(have, want, rel_tol=1e-12) if isinstance(want, float)
                else have == want)
        if not same:
            row.problems.append(f"{key}: {have} (written: {want})")
    if not row.problems:
        row.facts.append(", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v:,.0f}"
                                   for k, v in expected.items()))


def set_ratios(rows: list[TreeRow]) -> None:
    """Ratios to the first of our rows on the same game that finished."""
    base: dict[str, float] = {}
    for r in rows:
        if r.is_ours and r.median and r.game not in base:
            base[r.game] = r.median
    for r in rows:
        t0, t = base.get(r.game), r.median
        r.ratio = t / t0 if t0 and t else None


def _check_text(row: TreeRow) -> str:
    m = row.measurement
    if m.status != "ok":
        return m.message or m.status
    parts = [*row.problems, *row.facts]
    if m.info:
        parts.append(m.info)
    text = "; ".join(parts) if parts else "ok"
    return ("**" + text + "**") if row.problems and row.is_ours else text


def table(rows: list[TreeRow], base_name: str = "ours") -> str:
    """Markdown table of rows."""
    head = ["game", "implementation", "median ms", "runs", f"time / {base_name}",
            "results", "max regret", "check"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        m = r.measurement
        cells = [r.game, f"**{r.name}**" if r.is_ours else r.name,
                 ms(m.median) if m.times else "—", str(len(m.times)) if m.times else "—",
                 ratio(r.ratio), "—" if r.count is None else f"{r.count:,}",
                 "—" if r.regret is None else f"{r.regret:.1e}", _check_text(r)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def seconds(x: float | None) -> str:
    """Seconds with two decimals (milliseconds below 0.1 s), or a dash."""
    if x is None:
        return "—"
    return f"{x:.2f} s" if x >= 0.1 else f"{x * 1e3:.1f} ms"
