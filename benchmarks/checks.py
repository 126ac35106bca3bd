"""Correctness checks of every output: regret by our own code, and equilibrium sets."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .harness import Measurement
from .peers import Profile

#: Two profiles are the same equilibrium when no probability differs by more.
MATCH_TOL = 1e-6


@dataclass
class Row:
    """One implementation on one game, checked.

    Attributes
    ----------
    name
        Implementation name.
    is_ours
        True for our methods.
    measurement
        Timing outcome.
    regrets
        Regret of each returned profile (``nan`` for an invalid profile).
    problems
        Correctness problems found (empty when all is well).
    is_reference
        True when this output is the reference equilibrium set.
    ratio
        Median time divided by the median of our reference method.
    notes
        Remarks that are not errors (e.g. duplicates in the output).
    """

    name: str
    is_ours: bool
    measurement: Measurement
    regrets: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    is_reference: bool = False
    ratio: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Finished, and no correctness problem."""
        return self.measurement.status == "ok" and not self.problems

    @property
    def count(self) -> int | None:
        """Number of profiles returned."""
        return len(self.measurement.profiles) if self.measurement.status == "ok" else None


def regrets_of(game: object, profiles: list[Profile]) -> list[float]:
    """Regret of each profile by ``NormalFormGame.regret``; ``nan`` when it is not a profile.

    Profiles are passed as plain lists so that the game validates them
    (finite, non-negative, summing to one).
    """
    from gametheory.exceptions import GameTheoryError

    out = []
    for prof in profiles:
        try:
            out.append(float(game.regret([np.asarray(v, dtype=float).tolist() for v in prof])))  # type: ignore[attr-defined]
        except (GameTheoryError, ValueError, TypeError):
            out.append(float("nan"))
    return out


def _flat(profiles: list[Profile]) -> np.ndarray:
    if not profiles:
        return np.zeros((0, 0))
    return np.array([np.concatenate([np.asarray(v, dtype=float) for v in p]) for p in profiles])


def _unique(points: np.ndarray) -> np.ndarray:
    keep: list[np.ndarray] = []
    for p in points:
        if not any(np.max(np.abs(p - q)) <= MATCH_TOL for q in keep):
            keep.append(p)
    return np.array(keep) if keep else points[:0]


def compare_sets(found: list[Profile], reference: list[Profile]) -> tuple[int, int, int]:
    """Return ``(missing, extra, duplicates)`` of ``found`` against ``reference``."""
    pts, ref = _flat(found), _unique(_flat(reference))
    uniq = _unique(pts)
    duplicates = len(pts) - len(uniq)
    if len(ref) == 0 or len(uniq) == 0:
        return len(ref), len(uniq), duplicates
    if uniq.shape[1] != ref.shape[1]:
        return len(ref), len(uniq), duplicates
    close = np.max(np.abs(uniq[:, None, :] - ref[None, :, :]), axis=2) <= MATCH_TOL
    missing = int(np.sum(~close.any(axis=0)))
    extra = int(np.sum(~close.any(axis=1)))
    return missing, extra, duplicates


def check_rows(arrays: tuple[np.ndarray, ...], rows: list[Row], compare: bool,
               expect_some: bool = True) -> None:
    """Fill regrets, problems, the reference flag and ratios of the rows of one game.

    The reference set of a set-comparing group is pygambit's output when it
    finished and is correct, else our first method's.  With ``expect_some``
    an empty output is a problem (every finite 2-player game has an
    equilibrium).
    """
    import gametheory as gt

    game = gt.NormalFormGame.from_arrays(*arrays)
    tol = game.tolerance()
    for row in rows:
        m = row.measurement
        if m.status != "ok":
            continue
        row.regrets = regrets_of(game, m.profiles)
        bad = [r for r in row.regrets if not np.isfinite(r)]
        high = [r for r in row.regrets if np.isfinite(r) and r > tol]
        if bad:
            row.problems.append(f"{len(bad)} invalid profile(s) returned")
        if high:
            row.problems.append(f"non-equilibrium returned (regret {max(high):.3g})")
        if expect_some and not m.profiles:
            row.problems.append("nothing returned")
    if compare:
        finished = [r for r in rows if r.ok]
        gambit = [r for r in finished if r.name.startswith("pygambit")]
        mine = [r for r in finished if r.is_ours]
        ref = (gambit or mine or [None])[0]
        if ref is not None:
            ref.is_reference = True
            for row in finished:
                if row is ref:
                    continue
                found, expected = row.measurement.profiles, ref.measurement.profiles
                missing, extra, dup = compare_sets(found, expected)
                total = len(_unique(_flat(ref.measurement.profiles)))
                if missing:
                    row.problems.append(f"missing {missing} of {total}")
                if extra:
                    row.problems.append(f"{extra} not in reference")
                if dup:
                    row.notes.append(f"{dup} duplicate(s)")
    base = next((r for r in rows if r.is_ours and r.measurement.median), None)
    for row in rows:
        if base is not None and row.measurement.median is not None:
            row.ratio = row.measurement.median / base.measurement.median  # type: ignore[operator]


def check_text(row: Row) -> str:
    """The correctness cell of a row."""
    m = row.measurement
    if m.status == "unavailable":
        return m.message
    if m.status in ("timeout", "error"):
        return m.message if m.status == "timeout" else f"error: {m.message}"
    parts = list(row.problems) or ["ok"]
    parts += row.notes
    if row.is_reference:
        parts.append("reference set")
    if m.info:
        parts.append(m.info)
    return "; ".join(parts)
