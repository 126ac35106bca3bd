"""Text display of game trees: one line per node, indented by depth.

Example (a symbolic tree, values at the model's baseline after ``=``)::

    chance
      resolute (p = p_resolute = 0.3): Moscow at "resolute: signal"
        warn: Seoul at "warned" (information set of 2 nodes)
          withhold: payoffs Seoul=0, Moscow=0
          arm: Moscow at "resolute, warned: retaliate?"
            transfer: payoffs
                Seoul  = alliance_credit + approval_gain - compound_penalty ... = -12
                Moscow = retaliation_value_resolute - transfer_cost ... = -0.2

Each line shows the action leading to the node (with its probability below a
chance node), then what the node is: ``chance``, a player moving at an
information set (marked when the set has several nodes), or the payoffs of a
terminal node.  Payoffs that are expressions of parameters get one line per
player, the expression and its value.  Large trees are cut after a number of
nodes or below a depth, with a line saying how many nodes were left out.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .extensive import ExtensiveFormGame

#: Nodes shown by default; larger trees are cut.
MAX_NODES = 200
#: Spaces per level of depth.
INDENT = 2


def format_number(value: Any) -> str:
    """Short text of a number: integers as such, short decimals, else ``a/b`` or 6 digits.

    Parameters
    ----------
    value
        ``int``, ``Fraction``, ``float`` or a sympy number.

    Returns
    -------
    str
        ``"3"``, ``"0.3"``, ``"-12.5"``, ``"1/3"``, ``"0.333333"``.
    """
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if getattr(value, "is_Rational", False):
        value = Fraction(int(value.p), int(value.q))
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        q = value.denominator
        for p in (2, 5):
            while q % p == 0:
                q //= p
        if q == 1:
            text = f"{float(value):.6g}"
            if Fraction(text) == value:
                return text
        return f"{value.numerator}/{value.denominator}"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    return "0" if x == 0.0 else f"{x:.6g}"


def _is_number(value: Any) -> bool:
    if isinstance(value, (int, float, Fraction, np.integer, np.floating)):
        return True
    return bool(getattr(value, "is_number", False))


def _expression(value: Any) -> str:
    """Text of a payoff or probability as written (an expression or a number)."""
    if _is_number(value):
        return format_number(value)
    from ..params import ExpressionError, format_expression

    try:
        return format_expression(value)
    except ExpressionError:
        return str(value)


def _quote(label: str) -> str:
    return json.dumps(label, ensure_ascii=False)


class _Renderer:
    """Holds the game, its values and the per-node lookups while lines are produced."""

    def __init__(self, game: ExtensiveFormGame, values: ExtensiveFormGame | None) -> None:
        from .tree_structure import infoset_sizes

        self.game = game
        self.values = values if values is not None and values is not game else None
        self.sizes = infoset_sizes(game)
        self.terminal_pos = {int(t): k for k, t in enumerate(game.terminals.tolist())}
        labels = game._raw.node_labels
        self.node_labels = labels
        self.order = game.layout.order

    # ------------------------------------------------------------------ pieces
    def value_text(self, written: Any, value: Any) -> str:
        """``EXPR = VALUE`` for a symbolic entry, the number alone otherwise."""
        if _is_number(written) or value is None:
            return _expression(written)
        return f"{_expression(written)} = {format_number(value)}"

    def probability(self, v: int) -> str:
        a = int(self.game.edge_action[v])
        written = self.game.action_probabilities[a]
        value = None if self.values is None else self.values.action_probabilities[a]
        return self.value_text(written, value)

    def infoset_text(self, h: int) -> str:
        game = self.game
        n = int(self.sizes[h])
        shared = f" (information set of {n} nodes)" if n > 1 else ""
        if int(game.infoset_player[h]) < 0:
            raw = game._raw.infoset_labels
            named = raw is not None and raw[h]
            label = f" {_quote(game.infoset_label(h))}" if named or n > 1 else ""
            return f"chance{label}{shared}"
        return f"{game.player_of(h)} at {_quote(game.infoset_label(h))}{shared}"

    def payoff_parts(self, written: Any, values: Any, word: str) -> tuple[str, list[str]]:
        """The head text and continuation lines of a payoff vector."""
        players = self.game.players
        symbolic = any(not _is_number(x) for x in written)
        if not symbolic or values is None:
            cells = ", ".join(f"{p}={_expression(x)}" for p, x in zip(players, written))
            return f"{word} {cells}", []
        width = max(len(p) for p in players)
        lines = [
            f"{p.ljust(width)} = {self.value_text(x, y)}"
            for p, x, y in zip(players, written, values)
        ]
        return word, lines

    def node_text(self, v: int) -> tuple[str, list[str]]:
        game = self.game
        kind = int(game.node_kind[v])
        extra: list[str] = []
        if kind == 0:
            k = self.terminal_pos[v]
            written = game.terminal_payoffs[k]
            values = None if self.values is None else self.values.terminal_payoffs[k]
            text, extra = self.payoff_parts(written, values, "payoffs")
        else:
            text = self.infoset_text(int(game.node_infoset[v]))
            k = int(game.node_outcome[v])
            if k >= 0:
                vals = None if self.values is None else self.values.outcomes[k]
                head, extra = self.payoff_parts(game.outcomes[k], vals, "adds payoffs")
                text += f"; {head}"
        if self.node_labels is not None and self.node_labels[int(self.order[v])]:
            text += f"  [node {_quote(self.node_labels[int(self.order[v])])}]"
        return text, extra

    def edge_text(self, v: int) -> str:
        game = self.game
        par = int(game.parent[v])
        h = int(game.node_infoset[par])
        action = game.actions(h)[int(game.action_index[v])]
        if int(game.node_kind[par]) == game.CHANCE_NODE:
            return f"{action} (p = {self.probability(v)}): "
        return f"{action}: "


def render_tree(
    game: ExtensiveFormGame,
    values: ExtensiveFormGame | None = None,
    max_nodes: int | None = MAX_NODES,
    max_depth: int | None = None,
) -> list[str]:
    """Lines of an indented text tree.

    Parameters
    ----------
    game
        The tree as written (payoffs and probabilities may be expressions).
    values
        The same tree bound at parameter values, shown after ``=`` beside
        every expression; ``None`` shows the entries as written only.
    max_nodes
        Show at most this many nodes (in depth-first order); ``None`` for all.
    max_depth
        Show nodes down to this depth (the root is at depth 0); ``None`` for all.

    Returns
    -------
    list of str
        One line per node shown (plus one line per player for symbolic
        payoffs), and a last line counting the nodes left out, if any.
    """
    r = _Renderer(game, values)
    first = game.first_child
    count = game.num_children
    size = None
    stack: list[tuple[int, int]] = [(0, 0)]
    lines: list[str] = []
    shown = 0
    cut_below = 0
    while stack and (max_nodes is None or shown < max_nodes):
        v, depth = stack.pop()
        text, extra = r.node_text(v)
        pad = " " * (INDENT * depth)
        edge = r.edge_text(v) if v else ""
        k = int(count[v])
        if k and max_depth is not None and depth >= max_depth:
            if size is None:
                from .tree_arrays import subtree_sum

                size = subtree_sum(game.layout, np.ones(game.num_nodes, dtype=np.int64))
            below = int(size[v]) - 1
            cut_below += below
            text += f"  ... ({below} node{'s' if below != 1 else ''} below)"
            k = 0
        lines.append(f"{pad}{edge}{text}")
        lines.extend(" " * (INDENT * depth + 4) + e for e in extra)
        shown += 1
        c0 = int(first[v])
        stack.extend((c, depth + 1) for c in range(c0 + k - 1, c0 - 1, -1))
    left = game.num_nodes - shown
    if left:
        why = [] if left == cut_below else [f"after the first {shown}"]
        if cut_below:
            why.append(f"below depth {max_depth}")
        lines.append(
            f"... {left} of {game.num_nodes} nodes not shown ({' and '.join(why)})"
        )
    return lines


def tree_summary(game: ExtensiveFormGame) -> str:
    """``23 nodes (12 terminal, 1 chance), 8 player information sets (2 with several nodes), ...``.

    Parameters
    ----------
    game
        The tree.

    Returns
    -------
    str
        One line: node counts, information sets, chance, perfect information/recall.
    """
    from .tree_structure import infoset_sizes

    sizes = infoset_sizes(game)
    players = game.infoset_player >= 0
    n_sets = int(players.sum())
    shared = int(np.sum(sizes[players] > 1))
    chance = int(np.sum(game.node_kind == game.CHANCE_NODE))
    kinds = f"{game.num_terminals} terminal" + (f", {chance} chance" if chance else "")
    parts = [
        f"{game.num_nodes} nodes ({kinds})",
        f"{n_sets} player information set{'s' if n_sets != 1 else ''}"
        + (f" ({shared} with several nodes)" if shared else ""),
    ]
    if game.is_perfect_information:
        parts.append("perfect information")
    elif game.has_perfect_recall:
        parts.append("perfect recall")
    else:
        who, label = game.perfect_recall_violation()  # type: ignore[misc]
        parts.append(f"imperfect recall ({who} forgets at {_quote(label)})")
    return ", ".join(parts)
