"""Checks of one parameter point: which payoff or chance probability it makes invalid.

The batched kernels check whole blocks of points and can only say *where*
something went wrong (in terms of the varied parameters).  At a single point
(sensitivity, the baseline of a tornado, the fixed part of a Monte Carlo run)
:func:`check_point` names *what* is wrong and the parameters it depends on, e.g.
``at p_resolute=-0.1 the chance probability of 'resolute' at the root is
p_resolute = -0.1, which is negative``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .grid import InvalidGridError
from .symbolic import rational

#: Chance probabilities at a node must sum to 1 within this.
SUM_TOL = 1e-9


def _evaluate(entry: Any, subs: Mapping[Any, Any]) -> Any:
    """Exact value of an entry at the point, or ``None`` when it needs other parameters."""
    free = getattr(entry, "free_symbols", None)
    if free is None:
        return rational(entry)
    if not free <= subs.keys():
        return None
    return entry.xreplace(subs) if free else entry


def _parametric(entry: Any) -> bool:
    return bool(getattr(entry, "free_symbols", None))


def _point_text(entries: Any, values: Mapping[str, Any]) -> str:
    names = sorted({str(s) for e in entries for s in getattr(e, "free_symbols", ())})
    return ", ".join(f"{n}={float(values[n]):g}" for n in names)


def _finite(value: Any) -> bool:
    return bool(value.is_finite) and value.is_real is not False


def check_point(model: Any, values: Mapping[str, Any]) -> None:
    """Raise when the given parameter values make a payoff or chance probability invalid.

    Only entries whose parameters are all in ``values`` are checked, so a
    partial point (the parameters held fixed while others vary) can be
    checked too.

    Parameters
    ----------
    model
        A :class:`~gametheory.Model`.
    values
        ``{parameter: number}``.

    Raises
    ------
    InvalidGridError
        Naming the entry (chance probability, or payoff of a player at a
        profile or terminal node), its expression, its value and the
        parameter values it depends on.
    """
    import sympy as sp

    game = model.game
    if not getattr(game, "parameters", ()):
        return
    subs = {sp.Symbol(k): rational(v) for k, v in values.items()}
    if game.form == "extensive":
        _check_chance(game, values, subs)
        pays = np.asarray(game.terminal_payoffs, dtype=object)
        where = [f"terminal node {game.node_label(int(v))!r}" for v in game.terminals]
    else:
        pays = np.moveaxis(np.asarray(game.payoff_array, dtype=object), 0, -1)
        profiles = np.ndindex(*pays.shape[:-1])
        where = [
            "(" + ", ".join(s[i] for s, i in zip(game.strategies, idx)) + ")" for idx in profiles
        ]
        pays = pays.reshape(-1, game.num_players)
    for k, row in enumerate(pays):
        for player, entry in zip(game.players, row):
            if not _parametric(entry):
                continue  # fixed by the model, checked when it was built
            value = _evaluate(entry, subs)
            if value is not None and not _finite(value):
                raise InvalidGridError(
                    f"at {_point_text([entry], values)} the payoff of {player} at {where[k]} "
                    f"is {entry}, which is not a finite real number"
                )


def _check_chance(game: Any, values: Mapping[str, Any], subs: Mapping[Any, Any]) -> None:
    probs = np.asarray(game.action_probabilities, dtype=object)
    iplayer = np.asarray(game.infoset_player)
    offsets = np.concatenate([[0], np.cumsum(game.infoset_num_actions)])
    node_infoset = np.asarray(game.node_infoset)
    for h in np.flatnonzero(iplayer < 0).tolist():
        entries = probs[offsets[h] : offsets[h + 1]].tolist()
        node = int(np.flatnonzero(node_infoset == h)[0])
        path = game.node_label(node)
        where = f"the chance node after {path!r}" if path else "the root"
        got = [_evaluate(e, subs) for e in entries]
        for action, entry, value in zip(game.actions(h), entries, got):
            if value is None or not _parametric(entry):
                continue
            if not _finite(value):
                problem = "which is not a finite real number"
            elif value < 0:
                problem = "which is negative"
            elif value > 1:
                problem = "which is above 1"
            else:
                continue
            raise InvalidGridError(
                f"at {_point_text([entry], values)} the chance probability of {action!r} at "
                f"{where} is {entry} = {float(value):g}, {problem}"
            )
        if any(map(_parametric, entries)) and all(v is not None for v in got):
            total = float(sum(got))
            if abs(total - 1.0) > SUM_TOL:
                raise InvalidGridError(
                    f"at {_point_text(entries, values)} the chance probabilities at {where} "
                    f"sum to {total:g}, not 1"
                )
