"""Building game trees node by node (:class:`TreeBuilder`) or from nested dictionaries.

Example
-------
>>> b = TreeBuilder(players=["Entrant", "Incumbent"], title="Entry deterrence")
>>> out, enter = b.decision(b.root, "Entrant", ["out", "in"])
>>> b.terminal(out, [0, 2])
>>> fight, share = b.decision(enter, "Incumbent", ["fight", "accommodate"])
>>> b.terminal(fight, [-1, -1])
>>> b.terminal(share, [1, 1])
>>> game = b.build()
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np

from ..exceptions import InvalidGameError
from . import values as tv
from .extensive import CHANCE, ExtensiveFormGame, RawTree
from .labels import check_labels
from .tree_input import check_value, label_text, payoff_list, type_name
from .tree_vectorised import tree_from_arrays

__all__ = ["NODE_KIND_KEYS", "TreeBuilder", "from_nested", "nested_kind", "tree_from_arrays"]


class TreeBuilder:
    """Mutable builder of an :class:`ExtensiveFormGame`.

    Nodes are integer handles; :attr:`root` is the first.  Each node is made
    a decision node (:meth:`decision`), a chance node (:meth:`chance`) or a
    terminal node (:meth:`terminal`) exactly once; :meth:`build` checks that
    every node was.
    """

    def __init__(self, players: Sequence[str], title: str = "") -> None:
        if isinstance(players, (str, bytes)) or not isinstance(players, (Sequence, np.ndarray)):
            raise InvalidGameError(
                f"players must be a list of player names, got {type_name(players)}"
            )
        self.players = check_labels(list(players), "player")
        self.title = title
        self._parent: list[int] = [-1]
        self._infoset: list[int] = [-2]  # -2: not yet defined, -1: terminal
        self._iplayer: list[int] = []
        self._ilabels: list[str] = []
        self._actions: list[tuple[str, ...]] = []
        self._probs: list[list[Any]] = []
        self._by_label: dict[tuple[int, str], int] = {}
        self._node_outcome: list[int] = [-1]
        self._outcomes: list[list[Any]] = []
        self._labels: list[str] = [""]
        self._first: dict[int, int] = {}

    @property
    def root(self) -> int:
        """Handle of the root node."""
        return 0

    def _check_node(self, node: Any) -> int:
        """``node`` as an index after checking it is the handle of an existing node."""
        if isinstance(node, (bool, np.bool_)) or not isinstance(node, (int, np.integer)):
            raise InvalidGameError(
                "a node is given by the integer handle the builder returned (root, or one "
                f"returned by decision/chance), got {type_name(node)}"
            )
        if not 0 <= node < len(self._parent):
            raise InvalidGameError(f"node {node} does not exist")
        return int(node)

    def _fresh(self, node: Any) -> None:
        node = self._check_node(node)
        if self._infoset[node] != -2:
            raise InvalidGameError(f"node {self._where(node)} is already defined")

    def _where(self, node: int) -> str:
        path = []
        v = node
        while v > 0:
            par = self._parent[v]
            path.append(self._actions[self._infoset[par]][v - self._first[par]])
            v = par
        return "/".join(reversed(path)) or "root"

    def _children(self, node: int, h: int) -> tuple[int, ...]:
        start = len(self._parent)
        k = len(self._actions[h])
        self._first[node] = start
        self._parent.extend([node] * k)
        self._infoset.extend([-2] * k)
        self._node_outcome.extend([-1] * k)
        self._labels.extend([""] * k)
        self._infoset[node] = h
        return tuple(range(start, start + k))

    def _new_infoset(
        self, player: int, label: str | None, actions: tuple[str, ...], probs: list[Any] | None
    ) -> int:
        if label is not None:
            key = (player, label)
            if key in self._by_label:
                h = self._by_label[key]
                if self._actions[h] != actions:
                    who = CHANCE if player < 0 else self.players[player]
                    raise InvalidGameError(
                        f"information set {label!r} of {who} has actions {list(self._actions[h])} "
                        f"at one node and {list(actions)} at another"
                    )
                if probs is not None and self._probs[h] != probs:
                    raise InvalidGameError(
                        f"chance information set {label!r} has different probabilities"
                    )
                return h
        h = len(self._actions)
        self._iplayer.append(player)
        self._ilabels.append(label or "")
        self._actions.append(actions)
        self._probs.append(probs if probs is not None else [None] * len(actions))
        if label is not None:
            self._by_label[(player, label)] = h
        return h

    def decision(
        self, node: int, player: str, actions: Sequence[str], infoset: str | None = None
    ) -> tuple[int, ...]:
        """Make ``node`` a decision node of ``player``; returns the child handles in action order.

        Nodes given the same ``infoset`` label (for the same player) form one
        information set and must have the same actions.
        """
        self._fresh(node)
        if not isinstance(player, str) or player not in self.players:
            raise InvalidGameError(
                f"unknown player {player!r} (players: {', '.join(self.players)})"
            )
        if isinstance(actions, (str, bytes)) or not isinstance(
            actions, (Sequence, np.ndarray, Mapping)
        ):
            raise InvalidGameError(
                f"actions at {self._where(node)}: expected a list of action labels, "
                f"got {type_name(actions)}"
            )
        if infoset is not None:
            label_text(infoset, f"information set label at {self._where(node)}")
        acts = check_labels(list(actions), f"action at {self._where(node)}")
        if not acts:
            raise InvalidGameError(f"decision node {self._where(node)} needs at least one action")
        h = self._new_infoset(self.players.index(player), infoset, acts, None)
        return self._children(node, h)

    def chance(
        self,
        node: int,
        probabilities: Mapping[str, Any] | Sequence[tuple[str, Any]],
        infoset: str | None = None,
    ) -> tuple[int, ...]:
        """Make ``node`` a chance node; returns the child handles in action order.

        ``probabilities`` maps action labels to probabilities (numbers,
        ``"a/b"`` text or sympy expressions), or is a list of
        ``(action, probability)`` pairs.  Exact and float probabilities are
        checked here (non-negative, summing to 1: exactly, or within 1e-9 for
        floats); symbolic ones when the game is bound.
        """
        self._fresh(node)
        where = self._where(node)
        expected = (
            f"chance probabilities at {where}: expected a mapping {{action: probability}} "
            "or a list of (action, probability) pairs"
        )
        if isinstance(probabilities, Mapping):
            items = list(probabilities.items())
        elif isinstance(probabilities, (str, bytes)) or not isinstance(
            probabilities, (Sequence, np.ndarray)
        ):
            raise InvalidGameError(f"{expected}, got {type_name(probabilities)}")
        else:
            items = list(probabilities)
            for item in items:
                if isinstance(item, (str, bytes)) or not (
                    isinstance(item, (Sequence, np.ndarray)) and len(item) == 2
                ):
                    raise InvalidGameError(f"{expected}; one entry is {type_name(item)}")
        if infoset is not None:
            label_text(infoset, f"information set label at {where}")
        if not items:
            raise InvalidGameError(f"chance node {self._where(node)} needs at least one action")
        acts = check_labels([a for a, _ in items], f"action at {self._where(node)}")
        probs = [check_value(p, f"probability of {a!r} at {self._where(node)}") for a, p in items]
        arr = np.empty(len(probs), dtype=object)
        arr[:] = probs
        kind = tv.classify(arr, f"probability at {where}")
        tv.check_chance(arr, np.array([0, len(probs)]), np.array([0]), kind, lambda _: where)
        h = self._new_infoset(-1, infoset, acts, probs)
        return self._children(node, h)

    def terminal(self, node: int, payoffs: Sequence[Any] | Mapping[str, Any] | None) -> None:
        """Make ``node`` terminal with the given payoffs (one per player, or ``{player: payoff}``).

        ``None`` leaves it without an outcome of its own (payoffs then come only
        from outcomes on its path).
        """
        self._fresh(node)
        if payoffs is not None:
            self.outcome(node, payoffs)
        self._infoset[node] = -1

    def outcome(self, node: int, payoffs: Sequence[Any] | Mapping[str, Any]) -> None:
        """Attach payoffs to ``node`` (added to every terminal payoff below it).

        A node has at most one outcome: a terminal node's payoffs are its
        outcome, so a terminal node given payoffs takes no other.
        """
        node = self._check_node(node)
        if self._node_outcome[node] >= 0:
            raise InvalidGameError(f"node {self._where(node)} already has payoffs")
        payoffs = payoff_list(payoffs, self._where(node))
        if isinstance(payoffs, Mapping):
            unknown = [p for p in payoffs if p not in self.players]
            if unknown:
                raise InvalidGameError(
                    f"payoffs at {self._where(node)} name unknown player {unknown[0]!r}"
                )
            vec = [payoffs.get(p, 0) for p in self.players]
        else:
            vec = list(payoffs)
        if len(vec) != len(self.players):
            raise InvalidGameError(
                f"payoffs at {self._where(node)}: {len(vec)} values for {len(self.players)} players"
            )
        self._node_outcome[node] = len(self._outcomes)
        self._outcomes.append([check_value(v, f"payoff at {self._where(node)}") for v in vec])

    def label(self, node: int, text: str) -> None:
        """Give ``node`` a label (kept in Gambit and model files)."""
        node = self._check_node(node)
        self._labels[node] = label_text(text, f"label of node {self._where(node)}")

    def build(self) -> ExtensiveFormGame:
        """The finished, immutable game."""
        undefined = [v for v, h in enumerate(self._infoset) if h == -2]
        if undefined:
            raise InvalidGameError(
                f"node {self._where(undefined[0])} has neither a move nor payoffs"
            )
        flat_probs = [p for ps in self._probs for p in ps]
        probs = np.empty(len(flat_probs), dtype=object)
        probs[:] = flat_probs
        outcomes = np.empty((len(self._outcomes), len(self.players)), dtype=object)
        for k, vec in enumerate(self._outcomes):
            outcomes[k, :] = vec
        if outcomes.size and all(isinstance(v, float) for v in outcomes.reshape(-1)):
            outcomes = outcomes.astype(np.float64)
        raw = RawTree(
            parent=np.asarray(self._parent, dtype=np.int64),
            infoset=np.asarray(self._infoset, dtype=np.int64),
            infoset_player=np.asarray(self._iplayer, dtype=np.int64),
            num_actions=np.asarray([len(a) for a in self._actions], dtype=np.int64),
            infoset_labels=list(self._ilabels),
            action_labels=list(self._actions),
            action_probs=probs,
            node_outcome=np.asarray(self._node_outcome, dtype=np.int64),
            outcomes=outcomes,
            node_labels=list(self._labels) if any(self._labels) else None,
        )
        return ExtensiveFormGame(
            raw, players=self.players, title=self.title, num_players=len(self.players)
        )


#: The keys each kind of node takes in nested trees (dictionaries and model files).
NODE_KIND_KEYS: dict[str, tuple[str, ...]] = {
    "decision": ("player", "actions", "infoset", "outcome", "label"),
    "chance": ("chance", "infoset", "outcome", "label"),
    "terminal": ("payoffs", "label"),
}

_KIND_OF_KEY = {"player": "decision", "chance": "chance", "payoffs": "terminal"}


def nested_kind(keys: Collection[str], where: str) -> str:
    """Kind of a nested node (``"decision"``, ``"chance"``, ``"terminal"``) from its keys.

    Parameters
    ----------
    keys
        The node's keys.
    where
        The node's position, for error messages.

    Raises
    ------
    InvalidGameError
        When the node has none or several of ``player``, ``chance`` and
        ``payoffs``, or a key its kind does not take.
    """
    kinds = [k for k in _KIND_OF_KEY if k in keys]
    if len(kinds) != 1:
        what = f"has {' and '.join(kinds)}" if kinds else "has none"
        if not kinds and "actions" in keys:
            what = "has actions but no player"
        raise InvalidGameError(
            f"node {where} needs exactly one of 'player', 'chance' or 'payoffs'; this one {what}"
        )
    kind = _KIND_OF_KEY[kinds[0]]
    allowed = NODE_KIND_KEYS[kind]
    for key in keys:
        if key not in allowed:
            if kind == "terminal" and key == "outcome":
                raise InvalidGameError(
                    f"terminal node {where} has 'payoffs' and 'outcome': a terminal node's "
                    "payoffs are its outcome ('outcome' adds payoffs below an inner node); "
                    "give the sum as 'payoffs'"
                )
            raise InvalidGameError(
                f"{kind} node {where} does not take {key!r} (it takes {', '.join(allowed)})"
            )
    return kind


def _nested_chance(items: Any, where: str) -> list[tuple[Any, Any, Any]]:
    """``(action, probability, child)`` triples of a nested chance node."""
    expected = (
        f"chance node {where}: expected a mapping {{action: (probability, node)}} or a list "
        "of (action, probability, node) triples"
    )
    if isinstance(items, Mapping):
        out = []
        for action, entry in items.items():
            if isinstance(entry, (str, bytes, Mapping)) or not (
                isinstance(entry, (Sequence, np.ndarray)) and len(entry) == 2
            ):
                raise InvalidGameError(
                    f"{expected}; action {action!r} has {type_name(entry)}, not a "
                    "(probability, node) pair"
                )
            out.append((action, entry[0], entry[1]))
        return out
    if isinstance(items, (str, bytes)) or not isinstance(items, (Sequence, np.ndarray)):
        raise InvalidGameError(f"{expected}, got {type_name(items)}")
    for entry in items:
        if isinstance(entry, (str, bytes, Mapping)) or not (
            isinstance(entry, (Sequence, np.ndarray)) and len(entry) == 3
        ):
            raise InvalidGameError(f"{expected}; one entry is {type_name(entry)}")
    return [(a, p, sub) for a, p, sub in items]


def from_nested(root: Any, players: Sequence[str], title: str = "") -> ExtensiveFormGame:
    """Game from nested dictionaries.

    Node forms:

    * terminal: ``{"payoffs": [u1, u2, ...]}`` (or ``{player: u}``), or just the list;
    * decision: ``{"player": P, "infoset": "label" (optional), "actions": {action: node, ...}}``;
    * chance: ``{"chance": {action: (probability, node), ...}}`` or
      ``{"chance": [(action, probability, node), ...]}``, with an optional
      ``"infoset"`` label.

    Any non-terminal node may carry ``"outcome"`` (payoffs added to every
    terminal below it) and any node a ``"label"``.  Any other key, or a key of
    another kind of node, is an error.

    Parameters
    ----------
    root
        The root node.
    players
        Player labels in order.
    title
        The game's title.

    Returns
    -------
    ExtensiveFormGame
        The game (symbolic when a value is a sympy expression).

    Raises
    ------
    InvalidGameError
        Naming the node (by its path of actions from the root) and what is wrong.
    """
    b = TreeBuilder(players, title)
    stack = [(b.root, root, "root")]
    while stack:
        node, spec, where = stack.pop()
        if isinstance(spec, (list, tuple)):
            b.terminal(node, spec)
            continue
        if not isinstance(spec, Mapping):
            raise InvalidGameError(
                f"node {where}: expected a mapping or a payoff list, got {type_name(spec)}"
            )
        kind = nested_kind(spec, where)
        if "label" in spec:
            b.label(node, spec["label"])
        if kind == "terminal":
            b.terminal(node, spec["payoffs"])
            continue
        if kind == "chance":
            triples = _nested_chance(spec["chance"], where)
            kids = b.chance(node, [(a, p) for a, p, _ in triples], infoset=spec.get("infoset"))
            subs = [sub for _, _, sub in triples]
            labels = [a for a, _, _ in triples]
        else:
            acts = spec.get("actions")
            if not isinstance(acts, Mapping) or not acts:
                raise InvalidGameError(
                    f"decision node {where} needs a non-empty mapping of actions to nodes, "
                    f"got {type_name(acts) if acts is not None else 'none'}"
                )
            kids = b.decision(node, spec["player"], list(acts), infoset=spec.get("infoset"))
            subs, labels = list(acts.values()), list(acts)
        if "outcome" in spec:
            b.outcome(node, spec["outcome"])
        for kid, sub, label in reversed(list(zip(kids, subs, labels))):
            stack.append((kid, sub, f"{where}/{label}" if where != "root" else label))
    return b.build()
