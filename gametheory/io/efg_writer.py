"""Writing Gambit ``.efg`` files (see :mod:`.efg` for the format).

Information sets and outcomes are declared in full at their first node and
abbreviated afterwards; chance probabilities are written exactly (a float
distribution's last probability completes the exact sum to 1, which Gambit
requires).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ..exceptions import InvalidGameError
from ..games.extensive import ExtensiveFormGame
from ..numbers import to_fraction


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _num(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        raise InvalidGameError(f"{v!r} is not a number")
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if getattr(v, "is_Rational", False):
        return _num(Fraction(int(v.p), int(v.q)))
    if getattr(v, "free_symbols", None):
        raise InvalidGameError(
            f"the game has parameters ({v}); bind them before writing a .efg file"
        )
    return repr(float(v))


def _chance_text(ps: Any) -> list[str]:
    """Probabilities as text whose exact values sum to 1 (a float set's last one completes it)."""
    if not any(isinstance(p, (float, np.floating)) for p in ps):
        return [_num(p) for p in ps]
    exact = [to_fraction(p) for p in ps]
    if sum(exact, Fraction(0)) != 1:
        exact[-1] = 1 - sum(exact[:-1], Fraction(0))
    return [_num(p) for p in exact]


def write_efg(model_or_game: Any, comment: str | None = None) -> str:
    """The Gambit ``.efg`` text of a tree (a :class:`Model` or an :class:`ExtensiveFormGame`).

    A model with parameters is written at its baseline values (``.efg`` holds
    numbers only); the comment says so.
    """
    from ..games.model import Model

    game = getattr(model_or_game, "game", model_or_game)
    if getattr(game, "form", None) != "extensive":
        raise InvalidGameError("write_efg needs an extensive-form game")
    if comment is None:
        comment = getattr(model_or_game, "description", "") or ""
        if isinstance(model_or_game, Model) and model_or_game.parameters:
            values = ", ".join(f"{k} = {v}" for k, v in model_or_game.baseline().items())
            comment = (comment.rstrip() + "\n\n" if comment else "") + (
                f"Payoffs and probabilities at the baseline parameter values: {values}"
            )
    if isinstance(model_or_game, Model):
        game = model_or_game.bind()
    if game.is_symbolic:
        raise InvalidGameError(
            f"the game has parameters ({', '.join(game.parameters)}); "
            "bind them before writing a .efg file"
        )
    lines = [
        f"EFG 2 R {_quote(game.title)} {{ {' '.join(_quote(p) for p in game.players)} }}",
        _quote(comment),
        "",
    ]
    pre, _ = _preorder(game)
    raw = game._raw
    numbers = game._infoset_numbers
    node_labels = raw.node_labels
    order = game.layout.order
    outcomes = game.outcomes
    offs = game.action_offset
    probs = game.action_probabilities
    declared_sets: set[int] = set()
    seen_outcomes: set[int] = set()
    for v in pre.tolist():
        label = _quote(node_labels[int(order[v])] if node_labels is not None else "")
        kind = int(game.node_kind[v])
        parts = []
        if kind == 0:
            parts.append(f"t {label}")
        else:
            h = int(game.node_infoset[v])
            hl = _quote(raw.infoset_labels[h] if raw.infoset_labels is not None else "")
            acts = game.actions(h)
            if kind == 2:
                ps = _chance_text(probs[offs[h] : offs[h + 1]])
                body = " ".join(f"{_quote(a)} {p}" for a, p in zip(acts, ps))
                parts.append(f"c {label} {numbers[h]}")
            else:
                body = " ".join(_quote(a) for a in acts)
                parts.append(f"p {label} {int(game.infoset_player[h]) + 1} {numbers[h]}")
            if h not in declared_sets:
                parts.append(f"{hl} {{ {body} }}")
                declared_sets.add(h)
        k = int(game.node_outcome[v])
        if k < 0:
            parts.append("0")
        elif k in seen_outcomes:
            parts.append(str(k + 1))
        else:
            seen_outcomes.add(k)
            pays = ", ".join(_num(x) for x in outcomes[k])
            parts.append(f"{k + 1} {_quote(game.outcome_label(k))} {{ {pays} }}")
        lines.append(" ".join(parts))
    return "\n".join(lines) + "\n"


def _preorder(game: ExtensiveFormGame) -> tuple[np.ndarray, Sequence[int]]:
    from ..games.tree_arrays import preorder

    pos, size = preorder(game.layout)
    order = np.empty_like(pos)
    order[pos] = np.arange(pos.size)
    return order, size
