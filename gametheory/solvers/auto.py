"""How ``method="auto"`` picks a method."""

from __future__ import annotations

from typing import Any

#: Largest two-player game (product of strategy counts) that auto solves completely.
ENUMERATION_LIMIT = 15 * 15


def choose(game: Any) -> tuple[str, str]:
    """Return ``(method, reason)`` for a numeric game."""
    n = game.num_players
    if game.form == "extensive":
        if game.is_perfect_information:
            return "backward-induction", "perfect information: all pure subgame-perfect equilibria"
        return "spe", "imperfect information: subgame perfect equilibria subgame by subgame"
    if n == 2:
        m1, m2 = game.shape
        if m1 * m2 <= ENUMERATION_LIMIT or min(m1, m2) <= 2:
            return "vertex-enumeration", f"2 players, {m1}x{m2}: all extreme equilibria"
        if game.is_constant_sum():
            return "lp", f"2-player constant-sum {m1}x{m2}: optimal strategies by LP"
        return (
            "lemke-howson",
            f"2 players, {m1}x{m2}: too large to enumerate, one equilibrium per label",
        )
    return "pure", f"{n} players: all pure equilibria"
