"""Writing game trees as YAML/JSON model files (the ``tree:`` syntax of :mod:`.tree_file`).

Reading the written file back gives the same game: the same nodes in the same
order, information sets, player, action and node labels, chance
probabilities and payoffs (numbers exact as given; floats as their shortest
decimal text, which reads back as the same float; expressions of parameters
as text, with the parameter declarations of the model).

Information sets: a set with several nodes, or with a label of its own, is
written with ``infoset: LABEL``.  A set without a label is written with the
label the game shows for it (its number among its player's sets), unless
reading the file back numbers it the same way anyway, in which case a
single-node set is written without one.  Gambit outcome labels and the
sharing of one outcome by several nodes are not part of the model-file
syntax: every node keeps its own payoffs.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ..exceptions import InvalidGameError
from ..games.extensive import ExtensiveFormGame
from ..numbers import to_fraction
from .nodes import MAX_NESTING


def _game_and_model(obj: Any) -> tuple[ExtensiveFormGame, Any]:
    from ..games.model import Model

    if isinstance(obj, Model):
        game = obj.game
        if game.is_symbolic:
            missing = sorted(set(game.parameters) - set(obj.parameters))
            if missing:
                raise InvalidGameError(
                    f"the tree uses undeclared parameter(s) {', '.join(missing)}"
                )
        return game, obj
    if getattr(obj, "form", None) != "extensive":
        raise InvalidGameError(f"cannot write a {type(obj).__name__} as a tree model file")
    if obj.is_symbolic:
        raise InvalidGameError(
            f"the game has unbound parameters {', '.join(obj.parameters)}; save a Model "
            "(which declares them) or bind the game first"
        )
    return obj, None


def _preorder(game: ExtensiveFormGame) -> np.ndarray:
    from ..games.tree_arrays import preorder

    pos, _ = preorder(game.layout)
    order = np.empty_like(pos)
    order[pos] = np.arange(pos.size)
    return order


def infoset_names(game: ExtensiveFormGame) -> list[str | None]:
    """The ``infoset:`` label to write for each information set (``None``: write none).

    Parameters
    ----------
    game
        The tree.

    Returns
    -------
    list
        One entry per information set (chance sets included); labels are
        distinct among the sets of one player (and among chance sets).
    """
    from ..games.tree_structure import infoset_sizes

    sizes = infoset_sizes(game)
    raw = game._raw.infoset_labels
    owner = game.infoset_player
    pre = _preorder(game)
    inner = pre[game.node_kind[pre] != 0]
    sets = game.node_infoset[inner]
    _, first = np.unique(sets, return_index=True)
    appearance = sets[np.sort(first)]  # information sets in order of first appearance
    renumbered: set[int] = set()
    for p in np.unique(owner).tolist():
        mine = appearance[owner[appearance] == p]
        if np.any(np.diff(mine) < 0):  # read back, this player's sets would be renumbered
            renumbered.add(p)
    names: list[str | None] = []
    for h in range(game.num_infosets):
        own = raw[h] if raw is not None and raw[h] else ""
        if own:
            names.append(own)
        elif sizes[h] > 1 or int(owner[h]) in renumbered:
            names.append(game.infoset_label(h))
        else:
            names.append(None)
    taken: dict[int, set[str]] = {}
    for h, name in enumerate(names):
        if name is None:
            continue
        used = taken.setdefault(int(owner[h]), set())
        new, k = name, 2
        while new in used:
            new, k = f"{name} ({k})", k + 1
        used.add(new)
        names[h] = new
    return names


def _number(v: Any) -> Any:
    """Plain data of one number or expression.

    Integers (and whole floats) as integers; other exact values as a decimal
    when one reads back as the same value (model files read decimals
    exactly), else as ``"a/b"`` text; floats as their shortest decimal;
    expressions as text.
    """
    from .model_writer import _value

    if getattr(v, "is_Float", False):  # a sympy float
        v = float(v)
    if isinstance(v, (float, np.floating)):
        if not np.isfinite(v):
            raise InvalidGameError(f"{v!r} is not a finite number")
        return int(v) if float(v).is_integer() and abs(v) < 2**53 else float(v)
    if getattr(v, "is_Rational", False):
        v = Fraction(int(v.p), int(v.q))
    if isinstance(v, Fraction) and v.denominator != 1:
        q = v.denominator
        while q % 2 == 0:
            q //= 2
        while q % 5 == 0:
            q //= 5
        if q == 1 and Fraction(repr(float(v))) == v:
            return float(v)
    return _value(v)


def _chance(ps: Any) -> list[Any]:
    """Probabilities of one chance node; a float set's last one completes the exact sum to 1."""
    if not any(isinstance(p, (float, np.floating)) for p in ps):
        return [_number(p) for p in ps]
    exact = [to_fraction(p) for p in ps]
    if sum(exact, Fraction(0)) == 1:
        return [_number(p) for p in ps]
    exact[-1] = 1 - sum(exact[:-1], Fraction(0))
    return [_number(p) for p in exact]


def _payoffs(vector: Any, players: tuple[str, ...]) -> Any:
    """A payoff vector: a list of numbers, or a mapping by player when some are expressions."""
    values = [_number(x) for x in vector]
    if any(getattr(x, "free_symbols", None) for x in vector):
        return dict(zip(players, values))
    return values


def _check_depth(game: ExtensiveFormGame) -> None:
    depth = int(game.layout.num_levels) - 1
    # top-level mapping, then two mappings per level and the payoff list of a terminal
    if 3 + 2 * depth > MAX_NESTING:
        raise InvalidGameError(
            f"the tree is {depth} moves deep; model files hold trees up to "
            f"{(MAX_NESTING - 3) // 2} moves deep (write it as .efg)"
        )


def tree_data(game: ExtensiveFormGame) -> dict[str, Any]:
    """The ``tree:`` section of a model file as plain data (nested dicts, lists, numbers, text).

    Parameters
    ----------
    game
        The tree (payoffs and probabilities may be expressions of parameters).

    Returns
    -------
    dict
        The root node.
    """
    _check_depth(game)
    names = infoset_names(game)
    players = game.players
    node_labels = game._raw.node_labels
    order = game.layout.order
    probs = game.action_probabilities
    offs = game.action_offset
    first = game.first_child
    root: dict[str, Any] = {}
    stack: list[tuple[int, dict[str, Any]]] = [(0, root)]
    while stack:
        v, out = stack.pop()
        if node_labels is not None and node_labels[int(order[v])]:
            out["label"] = node_labels[int(order[v])]
        k = int(game.node_outcome[v])
        kind = int(game.node_kind[v])
        if kind == 0:
            vec = game.outcomes[k] if k >= 0 else [0] * len(players)
            out["payoffs"] = _payoffs(vec, players)
            continue
        h = int(game.node_infoset[v])
        acts = game.actions(h)
        kids: list[dict[str, Any]] = [{} for _ in acts]
        if kind == game.CHANCE_NODE:
            if names[h] is not None:
                out["infoset"] = names[h]
            for kid, p in zip(kids, _chance(probs[offs[h] : offs[h + 1]])):
                kid["probability"] = p
        else:
            out["player"] = game.player_of(h)
            if names[h] is not None:
                out["infoset"] = names[h]
        if k >= 0:
            out["outcome"] = _payoffs(game.outcomes[k], players)
        out["chance" if kind == game.CHANCE_NODE else "actions"] = dict(zip(acts, kids))
        c0 = int(first[v])
        stack.extend((c0 + j, kids[j]) for j in range(len(acts) - 1, -1, -1))
    return root


def tree_model_data(obj: Any) -> dict[str, Any]:
    """Plain data of a whole model file for a tree (a :class:`Model` or a game).

    Parameters
    ----------
    obj
        A :class:`~gametheory.games.Model` whose game is an
        :class:`ExtensiveFormGame` (parameters are declared as in the model),
        or a numeric :class:`ExtensiveFormGame`.

    Returns
    -------
    dict
        ``title``, ``description``, ``parameters`` (each when present),
        ``players`` and ``tree``.

    Raises
    ------
    InvalidGameError
        For a symbolic game without parameter declarations, or a tree too
        deep for a model file.
    """
    from .model_writer import _param_fields

    game, model = _game_and_model(obj)
    data: dict[str, Any] = {}
    title = (model.title if model is not None else "") or game.title
    if title:
        data["title"] = title
    if model is not None and model.description:
        data["description"] = model.description
    if model is not None and model.parameters:
        data["parameters"] = {name: _param_fields(p) for name, p in model.parameters.items()}
    data["players"] = list(game.players)
    data["tree"] = tree_data(game)
    return data
