"""Text and HTML display of normal-form games (payoff tables)."""

from __future__ import annotations

import html
import itertools
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .normal_form import NormalFormGame

MAX_CELLS = 400


def format_value(value: Any) -> str:
    """Short text of a payoff entry."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, Fraction):
        return str(value)
    return str(value)


def _header(game: NormalFormGame) -> str:
    shape = "×".join(str(m) for m in game.shape)
    title = f" {game.title!r}" if game.title else ""
    return f"<NormalFormGame{title}: {game.num_players} players, {shape}, {game.kind}>"


def table_rows(game: NormalFormGame) -> list[list[str]]:
    """Rows of the payoff table: a matrix for two players, a profile list otherwise."""
    src = game.payoff_array
    if game.num_players == 2:
        rows = [["", *list(game.strategies[1])]]
        for r, label in enumerate(game.strategies[0]):
            cells = [
                ", ".join(format_value(src[i, r, c]) for i in range(2))
                for c in range(game.shape[1])
            ]
            rows.append([label, *cells])
        return rows
    rows = [list(game.players) + [f"u({p})" for p in game.players]]
    for idx in itertools.product(*(range(m) for m in game.shape)):
        labels = [game.strategies[i][k] for i, k in enumerate(idx)]
        rows.append(labels + [format_value(src[(i, *idx)]) for i in range(game.num_players)])
    return rows


def render_text(game: NormalFormGame) -> str:
    """Header plus aligned payoff table (omitted for large games)."""
    head = _header(game)
    if game.num_profiles > MAX_CELLS:
        return head
    rows = table_rows(game)
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in rows]
    if game.num_players == 2:
        lines.insert(0, f"rows: {game.players[0]}; columns: {game.players[1]}")
    return head + "\n" + "\n".join(lines)


def render_html(game: NormalFormGame) -> str:
    """HTML payoff table for notebooks."""
    head = html.escape(_header(game))
    if game.num_profiles > MAX_CELLS:
        return f"<p>{head}</p>"
    rows = table_rows(game)
    out = [f"<p>{head}</p>", "<table>"]
    for r, row in enumerate(rows):
        tag = "th" if r == 0 else "td"
        cells = []
        for c, cell in enumerate(row):
            t = "th" if (c == 0 and game.num_players == 2) else tag
            cells.append(f"<{t}>{html.escape(cell)}</{t}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)
