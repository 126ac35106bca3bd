"""Finite games in extensive form (game trees), stored as flat arrays.

Nodes are kept in canonical breadth-first order (see :mod:`.tree_arrays`):
decision nodes belong to an information set of a player, chance nodes to a
chance information set (with fixed probabilities), terminal nodes have no
children.  Payoffs are *outcomes* attached to nodes (Gambit style): the payoff
of a terminal node is the sum of the outcomes on its path; trees built from
terminal payoffs only have one outcome per terminal.

Build games with :class:`~gametheory.games.tree_builder.TreeBuilder`,
:meth:`ExtensiveFormGame.from_tree` (nested dictionaries) or
:meth:`ExtensiveFormGame.from_arrays` (vectorised, for large trees).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import numbers as nb
from ..exceptions import InvalidGameError
from . import tree_arrays as ta
from . import values as tv
from .labels import check_labels, default_players
from .tree_labels import CHANCE, TreeLabelsMixin
from .tree_payoffs import TreePayoffsMixin


@dataclass
class RawTree:
    """Input of the game constructor, nodes in any order (parents need not come first).

    Attributes
    ----------
    parent
        Parent of each node (``-1`` for the root); siblings ordered by index.
    infoset
        Information set of each node (``-1`` for terminal nodes).
    infoset_player
        Player index of each information set (``-1`` for chance).
    num_actions
        Number of actions of each information set.
    infoset_labels, action_labels
        Labels, or ``None`` for defaults (the number of the information set
        among its player's, and ``"1"``, ``"2"``, ...).
    action_probs
        Chance probability of each action, actions numbered information set by
        information set (entries of player actions are ignored).
    node_outcome
        Outcome of each node (``-1`` for none).
    outcomes
        Payoff vector of each outcome, shape ``(num_outcomes, num_players)``.
    outcome_labels, node_labels
        Optional labels (kept for Gambit files).
    """

    parent: np.ndarray
    infoset: np.ndarray
    infoset_player: np.ndarray
    num_actions: np.ndarray
    infoset_labels: list[str] | None
    action_labels: list[tuple[str, ...]] | None
    action_probs: Any
    node_outcome: np.ndarray
    outcomes: Any
    outcome_labels: list[str] | None = None
    node_labels: list[str] | None = None


class ExtensiveFormGame(TreeLabelsMixin, TreePayoffsMixin):
    """An immutable finite game tree with chance moves and information sets.

    Attributes of the structure (read-only numpy arrays over canonical nodes):
    :attr:`parent`, :attr:`node_kind` (0 terminal, 1 decision, 2 chance),
    :attr:`node_player` (-1 for chance/terminal), :attr:`node_infoset`,
    :attr:`action_index`, :attr:`first_child`, :attr:`num_children`.
    Information sets are numbered ``0 .. num_infosets - 1`` (chance ones
    included); actions are numbered globally, information set by
    information set (:attr:`action_offset`).
    """

    TERMINAL, DECISION, CHANCE_NODE = 0, 1, 2

    def __init__(
        self,
        raw: RawTree,
        players: Sequence[str] | None = None,
        title: str = "",
        parameter_values: Mapping[str, Any] | None = None,
        num_players: int | None = None,
    ) -> None:
        outcomes = tv.as_source(raw.outcomes, "payoffs")
        if outcomes.ndim != 2:
            raise InvalidGameError("outcomes need shape (num_outcomes, num_players)")
        n = (
            num_players
            if num_players is not None
            else (len(players) if players is not None else outcomes.shape[1])
        )
        if outcomes.shape[0] and outcomes.shape[1] != n:
            raise InvalidGameError(
                f"payoff vectors have {outcomes.shape[1]} entries for {n} players"
            )
        if outcomes.shape[0] == 0:
            outcomes = np.zeros((0, n))
        if n < 1:
            raise InvalidGameError("a game needs at least one player")
        self._players = check_labels(
            players if players is not None else default_players(n), "player"
        )
        if len(self._players) != n:
            raise InvalidGameError(f"{len(self._players)} player labels for a {n}-player game")
        if CHANCE in self._players:
            raise InvalidGameError(f"{CHANCE!r} is reserved for chance moves, not a player label")
        self._title = str(title)
        self._parameter_values = dict(parameter_values or {})
        self._raw = raw
        lay = ta.canonical_layout(raw.parent)
        self._layout = lay
        order = lay.order
        infoset = np.asarray(raw.infoset, dtype=np.int64)[order]
        iplayer = np.asarray(raw.infoset_player, dtype=np.int64)
        nact = np.asarray(raw.num_actions, dtype=np.int64)
        num_h = iplayer.size
        if np.any(iplayer >= n) or np.any(iplayer < -1):
            raise InvalidGameError("an information set belongs to a player that does not exist")
        if np.any(infoset >= num_h):
            raise InvalidGameError("a node refers to an information set that does not exist")
        terminal = lay.num_children == 0
        if np.any(terminal != (infoset < 0)):
            v = int(np.flatnonzero(terminal != (infoset < 0))[0])
            what = (
                "has no children but belongs to an information set"
                if terminal[v]
                else "has children but no information set"
            )
            raise InvalidGameError(f"node {self._node_name(int(order[v]))} {what}")
        inner = np.flatnonzero(~terminal)
        bad = inner[lay.num_children[inner] != nact[infoset[inner]]]
        if bad.size:
            v = int(bad[0])
            raise InvalidGameError(
                f"node {self._node_name(int(order[v]))} has {int(lay.num_children[v])} children "
                "but "
                f"its information set {self._infoset_text(int(infoset[v]))} has "
                f"{int(nact[infoset[v]])} actions"
            )
        if np.any(nact < 1):
            raise InvalidGameError("every information set needs at least one action")
        self._infoset = infoset
        self._iplayer = iplayer
        self._nact = nact
        offs = np.zeros(num_h + 1, dtype=np.int64)
        np.cumsum(nact, out=offs[1:])
        self._offsets = offs
        kind = np.zeros(lay.parent.size, dtype=np.int8)
        kind[inner] = np.where(iplayer[infoset[inner]] < 0, 2, 1)
        self._kind = kind
        edge = np.full(lay.parent.size, -1, dtype=np.int64)
        edge[1:] = offs[infoset[lay.parent[1:]]] + lay.action_index[1:]
        self._edge = edge
        # values
        chance_sets = np.flatnonzero(iplayer < 0)
        self._player_action = np.repeat(iplayer >= 0, nact)
        probs = raw.action_probs
        if probs is None:
            probs = np.full(int(offs[-1]), np.nan)
        probs = (
            tv.as_source(probs, "chance probabilities")
            if not (isinstance(probs, np.ndarray) and probs.dtype.kind == "f")
            else probs
        )
        if probs.shape != (int(offs[-1]),):
            raise InvalidGameError(
                f"{probs.shape} chance probabilities for {int(offs[-1])} actions"
            )
        self._probs = probs
        prob_kind = (
            tv.classify(probs, "chance probability", skip=self._player_action)
            if chance_sets.size
            else nb.EXACT
        )
        pay_kind = tv.classify(outcomes, "payoff")
        self._value_kind = nb.combine_kinds([prob_kind, pay_kind])
        tv.check_chance(probs, offs, chance_sets, prob_kind, self._chance_node_text)
        self._outcomes = outcomes
        node_outcome = np.asarray(raw.node_outcome, dtype=np.int64)[order]
        if np.any(node_outcome >= outcomes.shape[0]):
            raise InvalidGameError("a node refers to an outcome that does not exist")
        self._node_outcome = node_outcome
        for arr in (
            lay.parent,
            lay.num_children,
            lay.first_child,
            lay.action_index,
            infoset,
            kind,
            edge,
            node_outcome,
            offs,
            nact,
            iplayer,
        ):
            arr.setflags(write=False)
        self._cache: dict[str, Any] = {}

    # ------------------------------------------------------------------ named constructors
    @classmethod
    def from_arrays(
        cls,
        parent: Any,
        mover: Any,
        payoffs: Any,
        chance_probs: Any = None,
        infoset: Any = None,
        players: Sequence[str] | None = None,
        title: str = "",
    ) -> ExtensiveFormGame:
        """Vectorised constructor for large trees (see :func:`.tree_builder.tree_from_arrays`)."""
        from .tree_builder import tree_from_arrays

        return tree_from_arrays(parent, mover, payoffs, chance_probs, infoset, players, title)

    @classmethod
    def from_tree(cls, root: Any, players: Sequence[str], title: str = "") -> ExtensiveFormGame:
        """Game from nested dictionaries (see :func:`.tree_builder.from_nested`)."""
        from .tree_builder import from_nested

        return from_nested(root, players=players, title=title)

    def _rebuild(
        self, outcomes: Any, probs: Any, parameter_values: Mapping[str, Any]
    ) -> ExtensiveFormGame:
        raw = self._raw
        new = RawTree(
            raw.parent,
            raw.infoset,
            raw.infoset_player,
            raw.num_actions,
            raw.infoset_labels,
            raw.action_labels,
            probs,
            raw.node_outcome,
            outcomes,
            raw.outcome_labels,
            raw.node_labels,
        )
        return ExtensiveFormGame(
            new, self._players, self._title, parameter_values, num_players=self.num_players
        )

    # ------------------------------------------------------------------ basic properties
    @property
    def form(self) -> str:
        """``"extensive"``."""
        return "extensive"

    @property
    def title(self) -> str:
        """Human-readable name."""
        return self._title

    @property
    def players(self) -> tuple[str, ...]:
        """Player labels (chance is not a player)."""
        return self._players

    @property
    def num_players(self) -> int:
        """Number of players."""
        return len(self._players)

    @property
    def kind(self) -> str:
        """``"float"``, ``"exact"`` or ``"symbolic"``: kind of payoffs and chance probabilities."""
        return self._value_kind

    @property
    def is_symbolic(self) -> bool:
        """True when a payoff or probability depends on an unbound parameter."""
        return self._value_kind == nb.SYMBOLIC

    @property
    def parameter_values(self) -> dict[str, Any]:
        """Parameter values this game was bound at."""
        return dict(self._parameter_values)

    @property
    def num_nodes(self) -> int:
        """Number of nodes."""
        return int(self._kind.size)

    @property
    def num_infosets(self) -> int:
        """Number of information sets, chance ones included."""
        return int(self._iplayer.size)

    @property
    def num_actions(self) -> int:
        """Number of actions over all information sets."""
        return int(self._offsets[-1])

    @property
    def layout(self) -> ta.Layout:
        """The canonical layout (levels, children ranges)."""
        return self._layout

    parent = property(lambda self: self._layout.parent, doc="Parent of each node (-1 at the root).")
    first_child = property(lambda self: self._layout.first_child, doc="First child of each node.")
    num_children = property(lambda self: self._layout.num_children, doc="Children of each node.")
    action_index = property(
        lambda self: self._layout.action_index,
        doc="Index of the action into each node (-1 at the root).",
    )
    node_kind = property(lambda self: self._kind, doc="0 terminal, 1 decision, 2 chance.")
    node_infoset = property(
        lambda self: self._infoset, doc="Information set of each node (-1 terminal)."
    )
    infoset_player = property(
        lambda self: self._iplayer, doc="Player of each information set (-1 chance)."
    )
    infoset_num_actions = property(lambda self: self._nact, doc="Actions of each information set.")
    action_offset = property(
        lambda self: self._offsets,
        doc="Actions of information set h are action_offset[h]:action_offset[h+1].",
    )
    edge_action = property(
        lambda self: self._edge, doc="Global action id of the edge into each node."
    )
    node_outcome = property(lambda self: self._node_outcome, doc="Outcome at each node (-1 none).")

    @property
    def node_player(self) -> np.ndarray:
        """Player moving at each node (-1 for chance and terminal nodes)."""
        if "node_player" not in self._cache:
            out = np.append(self._iplayer, -1)[self._infoset]  # -1 (terminal) -> padding
            out.setflags(write=False)
            self._cache["node_player"] = out
        return self._cache["node_player"]

    @property
    def terminals(self) -> np.ndarray:
        """Indices of the terminal nodes (canonical order)."""
        if "terminals" not in self._cache:
            t = np.flatnonzero(self._kind == 0)
            t.setflags(write=False)
            self._cache["terminals"] = t
        return self._cache["terminals"]

    @property
    def num_terminals(self) -> int:
        """Number of terminal nodes."""
        return int(self.terminals.size)

    # ------------------------------------------------------------------ structure
    @property
    def is_perfect_information(self) -> bool:
        """True when every information set has a single node."""
        from .tree_structure import infoset_sizes

        return bool(np.all(infoset_sizes(self)[self._iplayer >= 0] <= 1))

    @property
    def has_perfect_recall(self) -> bool:
        """True when every player remembers their own past actions and information."""
        return self.perfect_recall_violation() is None

    def perfect_recall_violation(self) -> tuple[str, str] | None:
        """``(player, infoset label)`` of the first set violating perfect recall, or None."""
        from .tree_structure import perfect_recall_violation

        return perfect_recall_violation(self)

    def require_perfect_recall(self, purpose: str = "this method") -> None:
        """Raise :class:`InvalidGameError` naming the offending information set."""
        bad = self.perfect_recall_violation()
        if bad is not None:
            raise InvalidGameError(
                f"{purpose} needs perfect recall; {bad[0]} forgets at information set {bad[1]!r} "
                "(its nodes differ in that player's own earlier moves or information)"
            )

    def subgame_roots(self) -> np.ndarray:
        """Non-terminal nodes that start a proper or improper subgame (the root included)."""
        from .tree_structure import subgame_roots

        return subgame_roots(self)

    # ------------------------------------------------------------------ behaviour profiles
    def behavior_vector(self, profile: Any, exact: bool = False) -> np.ndarray:
        """Behaviour profile as one probability per action (see :mod:`.behavior`)."""
        from .behavior import behavior_vector

        return behavior_vector(self, profile, exact=exact)

    def behavior_dict(self, vector: np.ndarray) -> dict[str, dict[str, dict[str, Any]]]:
        """``{player: {infoset: {action: prob}}}`` from an action vector."""
        from .behavior import behavior_dict

        return behavior_dict(self, vector)

    def terminal_probabilities(self, profile: Any, exact: bool = False) -> np.ndarray:
        """Probability of reaching each terminal node under a behaviour profile."""
        from .behavior import reach_probabilities

        return reach_probabilities(self, self.behavior_vector(profile, exact), exact)[
            self.terminals
        ]

    def expected_payoffs(self, profile: Any, exact: bool = False) -> np.ndarray:
        """Expected payoff of every player under a behaviour profile."""
        from .behavior import expected_payoffs

        return expected_payoffs(self, self.behavior_vector(profile, exact), exact)

    def regrets(self, profile: Any, exact: bool = False, agent: bool = False) -> np.ndarray:
        """Each player's gain from the best deviation (full strategy, or one information set)."""
        from .behavior import agent_regrets, regrets

        vec = self.behavior_vector(profile, exact)
        return agent_regrets(self, vec, exact) if agent else regrets(self, vec, exact)

    def regret(self, profile: Any, exact: bool = False, agent: bool = False) -> Any:
        """Largest gain any player gets by deviating (0 at a Nash equilibrium)."""
        r = self.regrets(profile, exact=exact, agent=agent)
        return max(r) if exact else float(r.max())

    def is_equilibrium(self, profile: Any, tol: float | None = None) -> bool:
        """True when the profile's regret is within tolerance."""
        return self.regret(profile) <= (self.tolerance() if tol is None else tol)

    def to_normal_form(self, max_profiles: int | None = None) -> Any:
        """Reduced normal form (see :func:`.reduced_normal_form.reduced_normal_form`)."""
        from .reduced_normal_form import reduced_normal_form

        return reduced_normal_form(self, max_profiles=max_profiles)

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        title = f" {self._title!r}" if self._title else ""
        return (
            f"<ExtensiveFormGame{title}: {self.num_players} players, {self.num_nodes} nodes, "
            f"{self.num_infosets} information sets, {self._value_kind}>"
        )

    def __getstate__(self) -> dict[str, Any]:
        return {
            "raw": self._raw,
            "players": self._players,
            "title": self._title,
            "parameter_values": self._parameter_values,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(
            state["raw"],
            state["players"],
            state["title"],  # type: ignore[misc]
            state["parameter_values"],
            num_players=len(state["players"]),
        )
