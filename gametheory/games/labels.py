"""Validation of player and strategy labels shared by every game form."""

from __future__ import annotations

from collections.abc import Sequence

from ..exceptions import InvalidGameError


def check_labels(labels: Sequence[object], what: str) -> tuple[str, ...]:
    """Return labels as a tuple of non-empty, distinct strings.

    Raises
    ------
    InvalidGameError
        When a label is empty, not a string or repeated.
    """
    out: list[str] = []
    for label in labels:
        if not isinstance(label, str):
            raise InvalidGameError(f"{what} label {label!r} is not a string")
        if not label.strip():
            raise InvalidGameError(f"{what} labels must not be empty")
        out.append(label)
    seen: set[str] = set()
    for label in out:
        if label in seen:
            raise InvalidGameError(f"duplicate {what} label {label!r}")
        seen.add(label)
    return tuple(out)


def default_players(n: int) -> tuple[str, ...]:
    """``("Player 1", "Player 2", ...)``, or ``("Row", "Column")`` for two players."""
    if n == 2:
        return ("Row", "Column")
    return tuple(f"Player {i + 1}" for i in range(n))


def default_strategies(sizes: Sequence[int]) -> tuple[tuple[str, ...], ...]:
    """``s1, s2, ...`` for each player."""
    return tuple(tuple(f"s{k + 1}" for k in range(m)) for m in sizes)
