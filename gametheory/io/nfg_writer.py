"""Writing Gambit strategic-form files (``.nfg``), payoff version with strategy names."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np


def quote(text: str) -> str:
    """A Gambit string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_number(v: Any) -> str:
    """Gambit text of an exact or float number (``1/3``, ``-2``, ``1.5e-05``)."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return str(int(v))
    if isinstance(v, Fraction):
        return str(v)
    if isinstance(v, (float, np.floating)):
        text = repr(float(v))
        return text.replace("e+", "e")
    if getattr(v, "is_Rational", False):
        return str(Fraction(int(v.p), int(v.q)))
    return format_number(float(v))


def write_nfg(obj: Any) -> str:
    """Text of a Gambit ``.nfg`` file (payoff version with strategy names).

    A :class:`~gametheory.games.Model` with parameters is written at its
    baseline values (``.nfg`` holds numbers only); the comment says so.
    """
    from ..exceptions import InvalidGameError
    from ..games.model import Model

    comment = ""
    if isinstance(obj, Model):
        game = obj.bind()
        title = obj.title or game.title
        comment = obj.description
        if obj.parameters:
            values = ", ".join(f"{k} = {v}" for k, v in obj.baseline().items())
            comment = (comment.rstrip() + "\n\n" if comment else "") + \
                f"Payoffs at the baseline parameter values: {values}"
    else:
        game = obj
        title = game.title
    if getattr(game, "form", None) != "normal":
        raise InvalidGameError("only normal-form games can be written as .nfg")
    if game.is_symbolic:
        raise InvalidGameError("the game has unbound parameters "
                               f"{', '.join(game.parameters)}; bind them before writing .nfg")
    n = game.num_players
    out = [f"NFG 1 R {quote(title)} {{ {' '.join(quote(p) for p in game.players)} }}", ""]
    out.append("{ " + "\n  ".join("{ " + " ".join(quote(s) for s in strats) + " }"
                                  for strats in game.strategies))
    out.append("}")
    out.append(quote(comment))
    out.append("")
    arr = np.asarray(game.payoff_array)
    cols = np.stack([arr[i].reshape(-1, order="F") for i in range(n)], axis=1)
    if cols.dtype.kind in "iu":
        cells = [str(v) for v in cols.reshape(-1).tolist()]
    elif cols.dtype.kind == "f":
        cells = [repr(v).replace("e+", "e") for v in cols.reshape(-1).tolist()]
    else:
        cells = [format_number(v) for v in cols.reshape(-1)]
    out.extend(" ".join(cells[k:k + n]) for k in range(0, len(cells), n))
    return "\n".join(out) + "\n"
