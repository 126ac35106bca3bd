"""The ``tree:`` section of YAML/JSON model files: nested nodes -> :class:`ExtensiveFormGame`.

Syntax (every node is a mapping)::

    tree:
      chance:                          # a chance node: action -> child node
        resolute:
          probability: p_resolute      # number, "a/b" or expression of parameters
          player: Moscow               # the child node's own keys follow
          infoset: resolute            # optional information set label
          actions:
            warn: {payoffs: [-1, 2]}   # terminal: one payoff per player ...
            quiet: {payoffs: {Seoul: 0, Moscow: 1}}   # ... or by player
        bluffing:
          probability: 1 - p_resolute
          payoffs: [0, 0]

A node is exactly one of three kinds, and takes only the keys of its kind:

* decision node: ``player``, ``actions`` (action -> node), optional
  ``infoset`` (nodes with the same label and player share an information set),
  ``outcome`` and ``label``;
* chance node: ``chance`` (action -> node, each child with a
  ``probability``), optional ``infoset``, ``outcome`` and ``label``;
* terminal node: ``payoffs``, optional ``label``.

``outcome`` (inner nodes only) adds payoffs to every terminal below the node,
as Gambit outcomes at non-terminal nodes do; a terminal node's payoffs *are*
its outcome, so a terminal node with both is refused.  Any other key, or a key
of another kind of node, is an error naming the file, line and key path.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Sequence
from typing import Any

from ..exceptions import GameTheoryError, InvalidGameError, ModelFileError
from ..games.extensive import ExtensiveFormGame
from ..games.tree_builder import NODE_KIND_KEYS, TreeBuilder
from ..params import parse_expression
from .nodes import Node, key_path

NODE_KEYS = ("player", "infoset", "actions", "chance", "payoffs", "outcome", "label", "probability")

#: The keys each kind of node takes (``probability`` too, below a chance node).
KIND_KEYS = NODE_KIND_KEYS

#: Messages for keys given to the wrong kind of node (others get a generic one).
_MISPLACED = {
    ("terminal", "outcome"): (
        "a terminal node takes 'payoffs', not 'outcome' as well: its payoffs are its outcome "
        "('outcome' adds payoffs to the terminals below an inner node); write the sum under "
        "'payoffs'"
    ),
    ("terminal", "actions"): "a terminal node (it has payoffs) has no actions",
    ("terminal", "infoset"): "a terminal node (it has payoffs) has no information set",
    ("chance", "actions"): (
        "a chance node lists its moves under 'chance' (each with a probability), not 'actions'"
    ),
}


class _TreeReader:
    def __init__(
        self, players: Sequence[str], parameters: Collection[str], filename: str, title: str = ""
    ) -> None:
        self.players = list(players)
        self.parameters = list(parameters)
        self.filename = filename
        self.builder = TreeBuilder(self.players, title)
        self.root_path = "tree"

    def error(self, node: Node, path: str, message: str) -> ModelFileError:
        return ModelFileError(message, file=self.filename, line=node.line, key=path)

    def value(self, node: Node, path: str) -> Any:
        if node.kind != "scalar" or node.tag in ("null", "bool"):
            raise self.error(
                node, path, f"expected a number or an expression, got {node.describe()}"
            )
        try:
            return parse_expression(str(node.value), self.parameters, "")
        except GameTheoryError as exc:
            raise self.error(node, path, str(exc).lstrip(": ")) from None

    def text(self, node: Node, path: str, what: str) -> str:
        """A non-empty label (player, information set or node label)."""
        if node.kind != "scalar" or node.tag == "null" or not str(node.value).strip():
            raise self.error(node, path, f"expected {what}, got {node.describe()}")
        return str(node.value)

    def optional_text(self, keys: dict, where: str, key: str, what: str) -> str | None:
        """The label under ``key`` of a node's mapping, or None when absent."""
        if key not in keys:
            return None
        return self.text(keys[key][1], key_path(where, key), what)

    def payoffs(self, node: Node, path: str) -> list[Any]:
        if node.kind == "seq":
            if len(node.value) != len(self.players):
                raise self.error(
                    node,
                    path,
                    f"{len(node.value)} payoffs for "
                    f"{len(self.players)} players ({', '.join(self.players)})",
                )
            return [self.value(v, f"{path}[{i}]") for i, v in enumerate(node.value)]
        if node.kind == "map":
            for name, (knode, _) in node.value.items():
                if name not in self.players:
                    raise self.error(
                        knode,
                        key_path(path, name),
                        f"{name!r} is not a player (players: {', '.join(self.players)})",
                    )
            missing = [p for p in self.players if p not in node.value]
            if missing:
                raise self.error(node, path, f"no payoff for {', '.join(missing)}")
            return [self.value(node.value[p][1], key_path(path, p)) for p in self.players]
        raise self.error(node, path, f"expected a list of payoffs, got {node.describe()}")

    def children(self, node: Node, path: str, kind: str) -> list[tuple[str, Node, str]]:
        if node.kind != "map":
            raise self.error(
                node, path, f"expected a mapping of actions to nodes, got {node.describe()}"
            )
        if not node.value:
            raise self.error(
                node, path, f"a {kind} node needs at least one action; this mapping is empty"
            )
        return [(name, child, key_path(path, name)) for name, (_, child) in node.value.items()]

    def kind(self, node: Node, where: str, chance_child: bool) -> str:
        """The kind of a node after checking its keys (unknown, misplaced, missing)."""
        keys = node.value
        for name, (knode, _) in keys.items():
            if name not in NODE_KEYS:
                close = difflib.get_close_matches(name, NODE_KEYS, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise self.error(
                    knode,
                    key_path(where, name),
                    f"unknown key {name!r} in a tree "
                    f"node (use player/actions, chance or payoffs){hint}",
                )
            if name == "probability" and not chance_child:
                raise self.error(
                    knode,
                    key_path(where, name),
                    "only the children of a chance node have a probability ("
                    + (
                        "this is the root)"
                        if where == self.root_path
                        else "this node's parent is a decision node)"
                    ),
                )
        if chance_child and "probability" not in keys:
            raise self.error(node, where, "a child of a chance node needs a probability")
        kinds = [k for k in ("player", "chance", "payoffs") if k in keys]
        if len(kinds) != 1:
            if not kinds and "actions" in keys:
                what = "has actions but no player"
            elif not kinds and "outcome" in keys:
                what = "has only an outcome (a terminal node's payoffs go under 'payoffs')"
            else:
                what = "has none" if not kinds else f"has {' and '.join(kinds)}"
            raise self.error(
                node,
                where,
                f"a node needs exactly one of player, chance or payoffs; this one {what}",
            )
        kind = {"player": "decision", "chance": "chance", "payoffs": "terminal"}[kinds[0]]
        allowed = KIND_KEYS[kind]
        for name, (knode, _) in keys.items():
            if name in allowed or name == "probability":
                continue
            message = _MISPLACED.get(
                (kind, name),
                f"a {kind} node does not take {name!r} (it takes {', '.join(allowed)})",
            )
            raise self.error(knode, key_path(where, name), message)
        if kind == "decision" and "actions" not in keys:
            raise self.error(node, where, "a decision node needs actions")
        return kind

    def chance_probabilities(self, kids: list[tuple[str, Node, str]]) -> list[Any]:
        probs = []
        for _, child, cpath in kids:
            if child.kind != "map":
                raise self.error(
                    child,
                    cpath,
                    f"expected a tree node (a mapping) with a probability, got {child.describe()}",
                )
            if "probability" not in child.value:
                raise self.error(child, cpath, "a child of a chance node needs a probability")
            pnode = child.value["probability"][1]
            probs.append(self.value(pnode, key_path(cpath, "probability")))
        return probs

    def read(self, root: Node, path: str) -> ExtensiveFormGame:
        self.root_path = path
        stack = [(self.builder.root, root, path, False)]
        b = self.builder
        while stack:
            handle, node, where, chance_child = stack.pop()
            if node.kind != "map":
                raise self.error(
                    node, where, f"expected a tree node (a mapping), got {node.describe()}"
                )
            keys = node.value
            kind = self.kind(node, where, chance_child)
            try:
                label = self.optional_text(keys, where, "label", "a node label (text)")
                if label is not None:
                    b.label(handle, label)
                kids: list[tuple[str, Node, str]] = []
                handles: tuple[int, ...] = ()
                infoset = self.optional_text(
                    keys, where, "infoset", "an information set label (text)"
                )
                if kind == "terminal":
                    b.terminal(handle, self.payoffs(keys["payoffs"][1], key_path(where, "payoffs")))
                elif kind == "decision":
                    pnode = keys["player"][1]
                    player = self.text(pnode, key_path(where, "player"), "a player name")
                    if player not in self.players:
                        raise self.error(
                            pnode,
                            key_path(where, "player"),
                            f"{player!r} is not a player (players: {', '.join(self.players)})",
                        )
                    kids = self.children(keys["actions"][1], key_path(where, "actions"), kind)
                    handles = b.decision(handle, player, [k[0] for k in kids], infoset=infoset)
                else:
                    kids = self.children(keys["chance"][1], key_path(where, "chance"), kind)
                    probs = self.chance_probabilities(kids)
                    handles = b.chance(
                        handle, [(k[0], p) for k, p in zip(kids, probs)], infoset=infoset
                    )
                if "outcome" in keys:
                    b.outcome(handle, self.payoffs(keys["outcome"][1], key_path(where, "outcome")))
            except InvalidGameError as exc:
                if isinstance(exc, ModelFileError):
                    raise
                raise self.error(node, where, str(exc)) from None
            for h, (_, child, cpath) in reversed(list(zip(handles, kids))):
                stack.append((h, child, cpath, kind == "chance"))
        try:
            return b.build()
        except InvalidGameError as exc:
            raise ModelFileError(str(exc), file=self.filename, key=path) from None


def parse_tree(
    node_mapping: Node,
    players: Sequence[str],
    parameters: Collection[str],
    filename: str,
    path: str = "tree",
    title: str = "",
) -> ExtensiveFormGame:
    """Build the game of a model file's ``tree:`` section.

    Parameters
    ----------
    node_mapping
        The document node of the tree's root (a mapping).
    players
        Player labels in order.
    parameters
        Declared parameter names (expressions may use them).
    filename
        For error messages.
    path
        Key path of the root node in the document.
    title
        The model's title, kept as the game's title.

    Returns
    -------
    ExtensiveFormGame
        The game; symbolic when a payoff or probability uses a parameter.

    Raises
    ------
    ModelFileError
        Naming the file, line and key path of the problem.
    """
    return _TreeReader(players, parameters, filename, title).read(node_mapping, path)
