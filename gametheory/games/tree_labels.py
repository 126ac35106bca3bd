"""Labels of game trees: players, information sets, actions and nodes (mixed into the game class).

Information sets without a label are named by their number among their
player's (``"1"``, ``"2"``, ...); actions without labels ``"1"``, ``"2"``, ...;
nodes by the actions on their path joined by ``/``.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from ..exceptions import InvalidGameError

CHANCE = "chance"

_DEFAULT_ACTIONS: dict[int, tuple[str, ...]] = {}


def default_actions(k: int) -> tuple[str, ...]:
    """``("1", ..., "k")`` (cached)."""
    if k not in _DEFAULT_ACTIONS:
        _DEFAULT_ACTIONS[k] = tuple(str(a + 1) for a in range(k))
    return _DEFAULT_ACTIONS[k]


class TreeLabelsMixin:
    """Label accessors of :class:`~gametheory.games.extensive.ExtensiveFormGame`."""

    def infoset_label(self, h: int) -> str:
        """Label of information set ``h`` (default: its number among its player's, from 1)."""
        labels = self._raw.infoset_labels
        if labels is not None and labels[h]:
            return labels[h]
        return str(int(self._infoset_numbers[h]))

    def infoset_labels(self) -> list[str]:
        """Labels of all information sets."""
        return [self.infoset_label(h) for h in range(self.num_infosets)]

    def actions(self, h: int) -> tuple[str, ...]:
        """Action labels of information set ``h``."""
        labels = self._raw.action_labels
        if labels is not None and labels[h] is not None:
            return labels[h]
        return default_actions(int(self._nact[h]))

    def player_of(self, h: int) -> str:
        """Label of the player of information set ``h`` (``"chance"`` for chance)."""
        p = int(self._iplayer[h])
        return CHANCE if p < 0 else self._players[p]

    @cached_property
    def _infoset_numbers(self) -> np.ndarray:
        out = np.zeros(self.num_infosets, dtype=np.int64)
        for p in range(-1, self.num_players):
            idx = np.flatnonzero(self._iplayer == p)
            out[idx] = np.arange(1, idx.size + 1)
        return out

    @cached_property
    def _infoset_lookup(self) -> list[dict[str, int]]:
        out: list[dict[str, int]] = [{} for _ in range(self.num_players)]
        for h in np.flatnonzero(self._iplayer >= 0):
            label = self.infoset_label(int(h))
            table = out[int(self._iplayer[h])]
            if label in table:
                raise InvalidGameError(
                    f"{self._players[int(self._iplayer[h])]} has two information sets "
                    f"labelled {label!r}"
                )
            table[label] = int(h)
        return out

    def infoset_index(self, player: str | int, label: str | int) -> int:
        """Global index of a player's information set given by label."""
        i = self.player_index(player)
        if isinstance(label, (int, np.integer)) and not isinstance(label, bool):
            if not (0 <= int(label) < self.num_infosets and self._iplayer[int(label)] == i):
                raise InvalidGameError(f"{self._players[i]} has no information set {label}")
            return int(label)
        try:
            return self._infoset_lookup[i][label]
        except KeyError:
            raise InvalidGameError(f"{self._players[i]} has no information set {label!r}") from None

    def player_index(self, player: str | int) -> int:
        """Index of a player given by label or index."""
        if isinstance(player, (int, np.integer)) and not isinstance(player, bool):
            if not 0 <= int(player) < self.num_players:
                raise InvalidGameError(f"player index {player} out of range")
            return int(player)
        try:
            return self._players.index(player)
        except ValueError:
            raise InvalidGameError(f"unknown player {player!r}") from None

    def player_infosets(self, player: str | int) -> np.ndarray:
        """Global indices of a player's information sets."""
        return np.flatnonzero(self._iplayer == self.player_index(player))

    def node_path(self, v: int) -> tuple[str, ...]:
        """Action labels on the path from the root to node ``v``."""
        out = []
        while v > 0:
            par = int(self._layout.parent[v])
            out.append(self.actions(int(self._infoset[par]))[int(self._layout.action_index[v])])
            v = par
        return tuple(reversed(out))

    def node_label(self, v: int) -> str:
        """Label of node ``v``: its own label, else its action path joined by ``/``."""
        cache = self._cache.setdefault("node_labels", {})
        if v not in cache:
            labels = self._raw.node_labels
            own = labels[int(self._layout.order[v])] if labels is not None else ""
            cache[v] = own or self._path_text(v)
        return cache[v]

    def _path_text(self, v: int) -> str:
        """``"/".join(self.node_path(v))``, memoised node by node (shared prefixes once)."""
        if "node_path_text" not in self._cache:
            lay = self._layout
            self._cache["node_path_text"] = (
                {0: ""},
                lay.parent.tolist(),
                lay.action_index.tolist(),
                self._infoset.tolist(),
            )
        memo, parent, action_index, infoset = self._cache["node_path_text"]
        chain = []
        while v not in memo:
            chain.append(v)
            v = parent[v]
        for u in reversed(chain):
            par = parent[u]
            action = self.actions(infoset[par])[action_index[u]]
            memo[u] = action if par == 0 else memo[par] + "/" + action
        return memo[chain[0]] if chain else memo[v]

    def _node_name(self, raw_index: int) -> str:
        labels = self._raw.node_labels
        if labels is not None and labels[raw_index]:
            return repr(labels[raw_index])
        return f"#{raw_index}"

    def _chance_node_text(self, h: int) -> str:
        """Chance information set ``h`` for messages: its first node's label or path of actions.

        ``root`` or ``arm/warn`` (as :class:`.TreeBuilder` names nodes), with the
        node's own label and the set's label when they exist.  Used while the
        game is being constructed (needs only the layout, the node information
        sets and the action labels).
        """
        nodes = np.flatnonzero(self._infoset == h)
        if nodes.size == 0:
            return f"#{h + 1}"
        v = int(nodes[0])
        text = "/".join(self.node_path(v)) or "root"
        labels = self._raw.node_labels
        own = labels[int(self._layout.order[v])] if labels is not None else ""
        if own:
            text = f"{own!r} at {text}"
        notes = []
        set_labels = self._raw.infoset_labels
        if set_labels is not None and set_labels[h]:
            notes.append(f"information set {set_labels[h]!r}")
        if nodes.size > 1:
            notes.append(f"and {nodes.size - 1} more node(s) of its information set")
        return f"{text} ({', '.join(notes)})" if notes else text

    def _infoset_text(self, h: int) -> str:
        labels = self._raw.infoset_labels
        name = labels[h] if labels is not None and labels[h] else f"#{h + 1}"
        p = int(self._raw.infoset_player[h])
        who = CHANCE if p < 0 else (self._players[p] if hasattr(self, "_players") else str(p))
        return f"{name} of {who}" if p >= 0 else f"{name}"
