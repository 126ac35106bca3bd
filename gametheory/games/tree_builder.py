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

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ..exceptions import InvalidGameError
from . import values as tv
from .extensive import CHANCE, ExtensiveFormGame, RawTree
from .labels import check_labels


def _value(v: Any, what: str) -> Any:
    """A payoff or probability: numbers and sympy expressions as given, ``"a/b"`` text exact."""
    if isinstance(v, str):
        try:
            return Fraction(v.strip())
        except (ValueError, ZeroDivisionError):
            raise InvalidGameError(f"{what} {v!r} is not a number or a rational 'a/b'") from None
    if isinstance(v, bool) or v is None:
        raise InvalidGameError(f"{what} {v!r} is not a number")
    return v


class TreeBuilder:
    """Mutable builder of an :class:`ExtensiveFormGame`.

    Nodes are integer handles; :attr:`root` is the first.  Each node is made
    a decision node (:meth:`decision`), a chance node (:meth:`chance`) or a
    terminal node (:meth:`terminal`) exactly once; :meth:`build` checks that
    every node was.
    """

    def __init__(self, players: Sequence[str], title: str = "") -> None:
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

    def _fresh(self, node: int) -> None:
        if not 0 <= node < len(self._parent):
            raise InvalidGameError(f"node {node} does not exist")
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
        if player not in self.players:
            raise InvalidGameError(
                f"unknown player {player!r} (players: {', '.join(self.players)})"
            )
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
        """Make ``node`` a chance node; ``probabilities`` maps action labels to probabilities."""
        self._fresh(node)
        items = (
            list(probabilities.items())
            if isinstance(probabilities, Mapping)
            else list(probabilities)
        )
        if not items:
            raise InvalidGameError(f"chance node {self._where(node)} needs at least one action")
        acts = check_labels([a for a, _ in items], f"action at {self._where(node)}")
        probs = [_value(p, f"probability of {a!r} at {self._where(node)}") for a, p in items]
        arr = np.empty(len(probs), dtype=object)
        arr[:] = probs
        kind = tv.classify(arr, f"probability at {self._where(node)}")
        where = self._where(node)
        tv.check_chance(arr, np.array([0, len(probs)]), np.array([0]), kind, lambda _: where)
        h = self._new_infoset(-1, infoset, acts, probs)
        return self._children(node, h)

    def terminal(self, node: int, payoffs: Sequence[Any] | Mapping[str, Any] | None) -> None:
        """Make ``node`` terminal with the given payoffs (one per player, or ``{player: payoff}``).

        ``None`` leaves it without an outcome of its own (payoffs then come only
        from outcomes on its path).
        """
        self._fresh(node)
        self._infoset[node] = -1
        if payoffs is not None:
            self.outcome(node, payoffs)

    def outcome(self, node: int, payoffs: Sequence[Any] | Mapping[str, Any]) -> None:
        """Attach payoffs to ``node`` (added to every terminal payoff below it)."""
        if self._node_outcome[node] >= 0:
            raise InvalidGameError(f"node {self._where(node)} already has payoffs")
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
        self._outcomes.append([_value(v, f"payoff at {self._where(node)}") for v in vec])

    def label(self, node: int, text: str) -> None:
        """Give ``node`` a label (kept in Gambit files)."""
        self._labels[node] = str(text)

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


def from_nested(root: Any, players: Sequence[str], title: str = "") -> ExtensiveFormGame:
    """Game from nested dictionaries.

    Node forms:

    * terminal: ``{"payoffs": [u1, u2, ...]}`` (or ``{player: u}``), or just the list;
    * decision: ``{"player": P, "infoset": "label" (optional), "actions": {action: node, ...}}``;
    * chance: ``{"chance": {action: (probability, node), ...}}``.

    Any non-terminal node may carry ``"outcome"`` (payoffs added along the
    path) and any node a ``"label"``.
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
                f"node {where}: expected a mapping or a payoff list, got {spec!r}"
            )
        if "label" in spec:
            b.label(node, spec["label"])
        if "chance" in spec:
            items = spec["chance"]
            items = (
                list(items.items())
                if isinstance(items, Mapping)
                else [(a, (p, s)) for a, p, s in items]
            )
            kids = b.chance(node, [(a, ps[0]) for a, ps in items], infoset=spec.get("infoset"))
            subs = [ps[1] for _, ps in items]
            labels = [a for a, _ in items]
        elif "player" in spec:
            acts = spec.get("actions")
            if not isinstance(acts, Mapping) or not acts:
                raise InvalidGameError(f"decision node {where} needs a mapping of actions to nodes")
            kids = b.decision(node, spec["player"], list(acts), infoset=spec.get("infoset"))
            subs, labels = list(acts.values()), list(acts)
        elif "payoffs" in spec:
            b.terminal(node, spec["payoffs"])
            continue
        else:
            raise InvalidGameError(f"node {where} has no 'player', 'chance' or 'payoffs'")
        if "outcome" in spec:
            b.outcome(node, spec["outcome"])
        for kid, sub, label in reversed(list(zip(kids, subs, labels))):
            stack.append((kid, sub, f"{where}/{label}" if where != "root" else label))
    return b.build()


def tree_from_arrays(
    parent: Any,
    mover: Any,
    payoffs: Any,
    chance_probs: Any = None,
    infoset: Any = None,
    players: Sequence[str] | None = None,
    title: str = "",
) -> ExtensiveFormGame:
    """Vectorised constructor for large trees.

    Parameters
    ----------
    parent
        Parent of each node (``-1`` for the root); children are ordered by index.
    mover
        Player index moving at each non-terminal node, ``-1`` for chance;
        ignored at terminal nodes (nodes without children).
    payoffs
        Payoffs of the terminal nodes in index order, shape ``(num_terminals, n)``.
    chance_probs
        Probability of reaching each node from its parent, used below chance nodes.
    infoset
        Information set id of each non-terminal node (nodes with the same id
        share it); default: every node its own (perfect information).
    players, title
        Labels.
    """
    parent = np.asarray(parent, dtype=np.int64)
    num = parent.size
    counts = np.bincount(parent[parent >= 0], minlength=num)
    term = counts == 0
    mover = np.asarray(mover, dtype=np.int64)
    inner = np.flatnonzero(~term)
    if infoset is None:
        node_set = np.full(num, -1, dtype=np.int64)
        node_set[inner] = np.arange(inner.size)
        iplayer = mover[inner]
        nact = counts[inner]
    else:
        ids = np.asarray(infoset)[inner]
        _, first, node_set_inner = np.unique(ids, return_index=True, return_inverse=True)
        node_set = np.full(num, -1, dtype=np.int64)
        node_set[inner] = node_set_inner
        iplayer = mover[inner[first]]
        nact = counts[inner[first]]
        if np.any(mover[inner] != iplayer[node_set_inner]):
            raise InvalidGameError("nodes of one information set have different players")
    offs = np.zeros(nact.size + 1, dtype=np.int64)
    np.cumsum(nact, out=offs[1:])
    probs = None
    if np.any(iplayer < 0):
        if chance_probs is None:
            raise InvalidGameError("the tree has chance nodes but no chance probabilities")
        cp = tv.as_source(chance_probs, "chance probabilities")
        probs = (
            np.full(int(offs[-1]), np.nan)
            if cp.dtype.kind == "f"
            else np.full(int(offs[-1]), None, dtype=object)
        )
        child = np.flatnonzero(parent >= 0)
        par = parent[child]
        rank = np.empty(child.size, dtype=np.int64)
        srt = np.argsort(par, kind="stable")
        starts = np.cumsum(counts) - counts
        rank[srt] = np.arange(child.size) - starts[par[srt]]
        h = node_set[par]
        is_c = iplayer[h] < 0
        probs[offs[h[is_c]] + rank[is_c]] = cp[child[is_c]]
    pay = tv.as_source(payoffs, "payoffs")
    nterm = int(term.sum())
    if pay.ndim != 2 or pay.shape[0] != nterm:
        raise InvalidGameError(f"payoffs need shape ({nterm}, num_players), got {pay.shape}")
    node_outcome = np.full(num, -1, dtype=np.int64)
    node_outcome[term] = np.arange(nterm)
    raw = RawTree(parent, node_set, iplayer, nact, None, None, probs, node_outcome, pay)
    return ExtensiveFormGame(raw, players=players, title=title, num_players=pay.shape[1])
