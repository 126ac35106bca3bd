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

A decision node has ``player``, ``actions`` (action -> node) and optionally
``infoset`` (nodes with the same label and player share an information set);
a chance node has ``chance`` (action -> node, each child with a
``probability``); a terminal node has ``payoffs``.  Any node may carry a
``label``, and a non-terminal node an ``outcome`` (payoffs added to every
terminal below it).  Errors name the file, line and key path.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from ..exceptions import GameTheoryError, InvalidGameError, ModelFileError
from ..games.extensive import ExtensiveFormGame
from ..games.tree_builder import TreeBuilder
from ..params import parse_expression
from .nodes import Node, key_path

NODE_KEYS = ("player", "infoset", "actions", "chance", "payoffs", "outcome", "label", "probability")


class _TreeReader:
    def __init__(
        self, players: Sequence[str], parameters: Collection[str], filename: str, title: str = ""
    ) -> None:
        self.players = list(players)
        self.parameters = list(parameters)
        self.filename = filename
        self.builder = TreeBuilder(self.players, title)

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

    def children(self, node: Node, path: str) -> list[tuple[str, Node, str]]:
        if node.kind != "map" or not node.value:
            raise self.error(
                node, path, f"expected a mapping of actions to nodes, got {node.describe()}"
            )
        return [(name, child, key_path(path, name)) for name, (_, child) in node.value.items()]

    def read(self, root: Node, path: str) -> ExtensiveFormGame:
        stack = [(self.builder.root, root, path, False)]
        b = self.builder
        while stack:
            handle, node, where, chance_child = stack.pop()
            if node.kind != "map":
                raise self.error(
                    node, where, f"expected a tree node (a mapping), got {node.describe()}"
                )
            keys = node.value
            for name, (knode, _) in keys.items():
                if name not in NODE_KEYS or (name == "probability" and not chance_child):
                    raise self.error(
                        knode,
                        key_path(where, name),
                        f"unknown key {name!r} in a tree "
                        "node (use player/actions, chance or payoffs)",
                    )
            if chance_child and "probability" not in keys:
                raise self.error(node, where, "a child of a chance node needs a probability")
            kinds = [k for k in ("player", "chance", "payoffs") if k in keys]
            if len(kinds) != 1:
                what = "has none" if not kinds else f"has {' and '.join(kinds)}"
                raise self.error(
                    node,
                    where,
                    f"a node needs exactly one of player, chance or payoffs; this one {what}",
                )
            try:
                if "label" in keys:
                    b.label(handle, str(keys["label"][1].value))
                kids: list[tuple[str, Node, str]] = []
                if "payoffs" in keys:
                    b.terminal(handle, self.payoffs(keys["payoffs"][1], key_path(where, "payoffs")))
                elif "player" in keys:
                    pnode = keys["player"][1]
                    player = str(pnode.value)
                    if player not in self.players:
                        raise self.error(
                            pnode,
                            key_path(where, "player"),
                            f"{player!r} is not a player (players: {', '.join(self.players)})",
                        )
                    if "actions" not in keys:
                        raise self.error(node, where, "a decision node needs actions")
                    kids = self.children(keys["actions"][1], key_path(where, "actions"))
                    infoset = str(keys["infoset"][1].value) if "infoset" in keys else None
                    handles = b.decision(handle, player, [k[0] for k in kids], infoset=infoset)
                else:
                    kids = self.children(keys["chance"][1], key_path(where, "chance"))
                    probs = []
                    for _, child, cpath in kids:
                        if child.kind == "map" and "probability" in child.value:
                            pnode = child.value["probability"][1]
                            probs.append(self.value(pnode, key_path(cpath, "probability")))
                        else:
                            raise self.error(
                                child, cpath, "a child of a chance node needs a probability"
                            )
                    handles = b.chance(
                        handle,
                        [(k[0], p) for k, p in zip(kids, probs)],
                        infoset=str(keys["infoset"][1].value) if "infoset" in keys else None,
                    )
                if "outcome" in keys and "payoffs" not in keys:
                    b.outcome(handle, self.payoffs(keys["outcome"][1], key_path(where, "outcome")))
            except InvalidGameError as exc:
                if isinstance(exc, ModelFileError):
                    raise
                raise self.error(node, where, str(exc)) from None
            for h, (_, child, cpath) in reversed(list(zip(handles, kids)) if kids else []):
                stack.append((h, child, cpath, "chance" in keys))
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

    Raises
    ------
    ModelFileError
        Naming the file, line and key path of the problem.
    """
    return _TreeReader(players, parameters, filename, title).read(node_mapping, path)
