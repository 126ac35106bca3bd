"""The sequence form of a game tree with perfect recall (Koller, Megiddo and von Stengel 1996).

A *sequence* of player ``i`` is the empty sequence or one of the player's
actions (with perfect recall an action determines the whole string of the
player's own actions leading to it).  Sequences are numbered per player: ``0``
is the empty sequence, then the player's actions in global action order.

A *realisation plan* ``x`` gives each sequence the probability that the
player's own choices play it.  The plans of player ``i`` are the vectors
``x >= 0`` with ``E x = e``: row 0 says ``x[0] = 1`` and the row of each
information set ``h`` says that the actions of ``h`` share the probability of
the sequence leading to ``h`` (``-x[parent(h)] + sum_{a in h} x[a] = 0``).

For two players the expected payoffs are ``x^T A y`` and ``x^T B y``, where
``A[s, t]`` adds up ``chance(z) * u_1(z)`` over the terminal nodes ``z`` whose
last actions of the two players are the sequences ``s`` and ``t`` (chance
probabilities are folded in).  The matrices are sparse: one entry per terminal
node at most.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import InvalidGameError
from .behavior import reach_probabilities
from .sequence_levels import JointSequences, build_joint
from .sequence_plans import SequencePlansMixin
from .tree_structure import own_sequences

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

    from .extensive import ExtensiveFormGame


@dataclass(frozen=True, eq=False)
class SequenceForm(SequencePlansMixin):
    """Sequences, realisation-plan constraints and payoffs of a game tree.

    Build it with :func:`sequence_form`.  Per-player tuples are indexed by
    player number.

    Attributes
    ----------
    game
        The tree.
    sequence_actions
        ``sequence_actions[i][s]``: global action id of player ``i``'s
        sequence ``s`` (``-1`` for the empty sequence ``s = 0``).
    infosets
        ``infosets[i][k]``: global id of the information set of constraint
        row ``k + 1`` of player ``i``.
    parent_sequences
        ``parent_sequences[i][k]``: the sequence leading to ``infosets[i][k]``.
    action_sequence
        Sequence number (within its player's) of every global action; ``-1``
        for chance actions.
    terminal_sequences
        Shape ``(num_terminals, num_players)``: each player's sequence at
        each terminal node (its last own action on the path).
    sequence_rows
        Per player, the constraint row of each sequence's last action (its
        information set's row), ``0`` for the empty sequence.
    sequence_parents
        Per player, the sequence that each sequence extends (``0`` for the
        empty sequence itself).
    sequence_depths
        Per player, the number of own actions in each sequence.
    joint
        All players' sequences numbered jointly and their information sets
        grouped by depth (:mod:`.sequence_levels`): the per-player arrays
        above are slices of it, and the recursions over sequences (plans,
        best responses) run over it for all players at once.
    """

    game: ExtensiveFormGame
    sequence_actions: tuple[np.ndarray, ...]
    infosets: tuple[np.ndarray, ...]
    parent_sequences: tuple[np.ndarray, ...]
    action_sequence: np.ndarray
    terminal_sequences: np.ndarray
    joint: JointSequences = field(repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ per-sequence views
    @cached_property
    def sequence_rows(self) -> tuple[np.ndarray, ...]:
        """Per player, the constraint row of each sequence's last action (``0``: empty)."""
        row_of_set = np.zeros(self.game.num_infosets + 1, dtype=np.int64)  # last: none
        for sets in self.infosets:
            row_of_set[sets] = np.arange(1, sets.size + 1)
        return self._per_player(row_of_set[self.joint.seq_set])

    @cached_property
    def sequence_parents(self) -> tuple[np.ndarray, ...]:
        """Per player, the sequence that each sequence extends (``0`` for the empty one)."""
        joint = self.joint
        empty = joint.offsets[:-1].repeat(np.diff(joint.offsets))
        return self._per_player(joint.seq_parent - empty)

    @cached_property
    def sequence_depths(self) -> tuple[np.ndarray, ...]:
        """Per player, the number of own actions in each sequence."""
        joint = self.joint
        depth = np.zeros(joint.num_sequences, dtype=np.int64)
        for k, (_, seqs, _, _, _) in enumerate(joint.groups):
            depth[seqs] = k + 1
        return self._per_player(depth)

    def _per_player(self, joint_values: np.ndarray) -> tuple[np.ndarray, ...]:
        joint_values.setflags(write=False)
        return tuple(joint_values[a:b] for a, b in pairwise(self.joint.offsets.tolist()))

    # ------------------------------------------------------------------ sizes
    @property
    def num_players(self) -> int:
        """Number of players."""
        return len(self.sequence_actions)

    def num_sequences(self, player: int) -> int:
        """Number of sequences of a player (the empty one included)."""
        return int(self.sequence_actions[player].size)

    def num_constraints(self, player: int) -> int:
        """Rows of the player's constraint matrix: one per information set, plus one."""
        return int(self.infosets[player].size) + 1

    # ------------------------------------------------------------------ constraints
    def constraint_matrix(self, player: int, dense: bool = False) -> Any:
        """The constraint matrix (``E`` or ``F``) of a player's realisation plans.

        A ``scipy.sparse`` CSR matrix, or with ``dense=True`` an int64 array.
        """
        if dense:
            ns = self.num_sequences(player)
            out = np.zeros((self.num_constraints(player), ns), dtype=np.int64)
            out[0, 0] = 1
            out[self.sequence_rows[player][1:], np.arange(1, ns)] = 1
            out[np.arange(1, out.shape[0]), self.parent_sequences[player]] = -1
            return out
        key = f"E{player}"
        if key not in self._cache:
            from scipy.sparse import coo_matrix

            rows, cols, vals = self.constraint_entries(player)
            shape = (self.num_constraints(player), self.num_sequences(player))
            self._cache[key] = coo_matrix((vals, (rows, cols)), shape=shape).tocsr()
        return self._cache[key]

    def constraint_entries(self, player: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(rows, columns, values)`` of the constraint matrix (values are ``+1``/``-1``)."""
        game = self.game
        sets = self.infosets[player]
        nact = game.infoset_num_actions[sets]
        offs = game.action_offset[sets]
        k = np.arange(1, sets.size + 1)
        acts = np.repeat(offs, nact) + (
            np.arange(int(nact.sum())) - np.repeat(np.cumsum(nact) - nact, nact)
        )
        rows = np.concatenate([[0], k, np.repeat(k, nact)])
        cols = np.concatenate([[0], self.parent_sequences[player], self.action_sequence[acts]])
        vals = np.concatenate([[1], -np.ones(sets.size), np.ones(acts.size)]).astype(np.int64)
        return rows.astype(np.int64), cols.astype(np.int64), vals

    def constraint_rhs(self, player: int) -> np.ndarray:
        """The right-hand side (``e`` or ``f``): ``1`` in row 0, zeros elsewhere."""
        out = np.zeros(self.num_constraints(player), dtype=np.int64)
        out[0] = 1
        return out

    @property
    def E(self) -> csr_matrix:
        """Player 1's constraint matrix."""
        return self.constraint_matrix(0)

    @property
    def F(self) -> csr_matrix:
        """Player 2's constraint matrix."""
        return self.constraint_matrix(1)

    @property
    def e(self) -> np.ndarray:
        """Player 1's constraint right-hand side."""
        return self.constraint_rhs(0)

    @property
    def f(self) -> np.ndarray:
        """Player 2's constraint right-hand side."""
        return self.constraint_rhs(1)

    # ------------------------------------------------------------------ payoffs
    def payoff_entries(self, exact: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(s, t, values)`` of the two-player payoff matrices, one entry per terminal node.

        ``values[k]`` holds both players' ``chance(z) * u(z)`` (shape
        ``(num_terminals, 2)``); entries with the same ``(s, t)`` add up.
        Exact values are ``Fraction`` objects.
        """
        self._require_two_players()
        pay = self.game.exact_payoffs() if exact else self.game.float_payoffs()
        ts = self.terminal_sequences
        return ts[:, 0], ts[:, 1], pay * self._chance_weights(exact)[:, None]

    def _chance_weights(self, exact: bool) -> np.ndarray:
        """The product of the chance probabilities on the path to each terminal (cached)."""
        key = f"chance-{exact}"
        if key not in self._cache:
            game = self.game
            vec = np.ones(game.num_actions, dtype=object if exact else np.float64)
            mask = ~game._player_action
            probs = game.exact_probabilities() if exact else game.float_probabilities()
            vec[mask] = probs[mask]
            weight = reach_probabilities(game, vec, exact)[game.terminals]
            weight.setflags(write=False)
            self._cache[key] = weight
        return self._cache[key]

    def payoff_matrices(self, exact: bool = False, dense: bool = False) -> tuple[Any, Any]:
        """The payoff matrices ``(A, B)`` over sequence pairs.

        Parameters
        ----------
        exact
            Rational entries: dense object arrays of ``Fraction`` (scipy's
            sparse matrices do not hold rationals).
        dense
            Float only: dense float64 arrays instead of ``scipy.sparse`` CSR
            matrices.

        Returns
        -------
        A, B
            Shape ``(num_sequences(0), num_sequences(1))``; the expected
            payoffs of plans ``x, y`` are ``x @ A @ y`` and ``x @ B @ y``.
        """
        key = f"payoffs-{exact}-{dense}"
        if key not in self._cache:
            s, t, vals = self.payoff_entries(exact)
            shape = (self.num_sequences(0), self.num_sequences(1))
            if exact:
                out = []
                for j in range(2):
                    mat = np.full(shape, Fraction(0), dtype=object)
                    for a, b, v in zip(s.tolist(), t.tolist(), vals[:, j]):
                        mat[a, b] += v
                    out.append(mat)
            elif dense:
                out = [np.zeros(shape), np.zeros(shape)]
                for j in range(2):
                    np.add.at(out[j], (s, t), vals[:, j])
            else:
                from scipy.sparse import coo_matrix

                out = [coo_matrix((vals[:, j], (s, t)), shape=shape).tocsr() for j in range(2)]
            for m in out:
                if isinstance(m, np.ndarray):
                    m.setflags(write=False)
            self._cache[key] = tuple(out)
        return self._cache[key]

    def _require_two_players(self) -> None:
        if self.num_players != 2:
            raise InvalidGameError(
                f"sequence-form payoff matrices need 2 players; this game has {self.num_players}"
            )


def sequence_form(game: ExtensiveFormGame) -> SequenceForm:
    """The sequence form of a game tree with perfect recall (cached on the game).

    Raises
    ------
    InvalidGameError
        When a player forgets, naming the player and the information set.
    """
    if "sequence_form" in game._cache:
        return game._cache["sequence_form"]
    game.require_perfect_recall("the sequence form")
    n = game.num_players
    nact, iplayer, offs = game.infoset_num_actions, game.infoset_player, game.action_offset
    owner_set = np.arange(iplayer.size).repeat(nact)
    # the players' information sets and actions, player by player (global order within one)
    jsets = iplayer.argsort(kind="stable")[int((iplayer < 0).sum()) :]
    set_player = iplayer[jsets]
    k = nact[jsets]
    jacts = (offs[jsets] - (k.cumsum() - k)).repeat(k) + np.arange(int(k.sum()))
    act_player = set_player.repeat(k)
    set_offsets = np.zeros(n + 1, dtype=np.int64)
    set_offsets[1:] = np.bincount(set_player, minlength=n).cumsum()
    offsets = np.zeros(n + 1, dtype=np.int64)  # each player's empty sequence, joint numbering
    offsets[1:] = (np.bincount(act_player, minlength=n) + 1).cumsum()
    seqs = np.arange(1, jacts.size + 1) + act_player  # joint sequence of each action
    # sequence numbers (1..) of the actions, per player
    action_sequence = np.full(owner_set.size, -1, dtype=np.int64)
    action_sequence[jacts] = seqs - offsets[act_player]
    # the player's last own action before each set, read at a representative node
    own = np.stack([own_sequences(game, i) for i in range(n)])
    nodes = (game.node_player >= 0).nonzero()[0][::-1]
    rep = np.zeros(iplayer.size, dtype=np.int64)
    rep[game.node_infoset[nodes]] = nodes
    set_action = np.full(iplayer.size, -1, dtype=np.int64)
    set_action[jsets] = own[set_player, rep[jsets]]
    sequence_of = np.append(action_sequence, 0)  # action -1 (none): the empty sequence
    set_parent = sequence_of[set_action]
    depth = _own_depths(np.append(owner_set, -1)[set_action], jsets)
    # per joint sequence: action, information set and parent
    total = int(offsets[-1])
    seq_action = np.full(total, -1, dtype=np.int64)
    seq_action[seqs] = jacts
    seq_set = np.full(total, -1, dtype=np.int64)
    seq_set[seqs] = owner_set[jacts]
    seq_parent = offsets[:-1].repeat(offsets[1:] - offsets[:-1])  # the empty ones: themselves
    seq_parent[seqs] += set_parent[owner_set[jacts]]
    joint_parent = offsets[set_player] + set_parent[jsets]
    joint = build_joint(
        offsets,
        set_offsets,
        seq_action=seq_action,
        seq_parent=seq_parent,
        seq_set=seq_set,
        action_seqs=seqs,
        first=seqs[k.cumsum() - k],
        nact=k,
        depth=depth[jsets],
        parent=joint_parent,
    )
    term_seq = sequence_of[own[:, game.terminals].T]
    parents = set_parent[jsets]
    for arr in (action_sequence, term_seq, parents, jsets):
        arr.setflags(write=False)
    cut = [slice(a, b) for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
    hcut = [slice(a, b) for a, b in zip(set_offsets[:-1].tolist(), set_offsets[1:].tolist())]
    out = SequenceForm(
        game=game,
        sequence_actions=tuple(seq_action[c] for c in cut),
        infosets=tuple(jsets[h] for h in hcut),
        parent_sequences=tuple(parents[h] for h in hcut),
        action_sequence=action_sequence,
        terminal_sequences=term_seq,
        joint=joint,
    )
    game._cache["sequence_form"] = out
    return out


def _own_depths(parent_set: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """Own depth of each information set in ``sets`` (1 + the sets on the chain above it).

    ``parent_set[h]`` is the set of the owner's previous action (``-1`` for
    none); the chains are followed for all sets at once.
    """
    depth = np.zeros(parent_set.size, dtype=np.int64)
    depth[sets] = 1
    cur = sets[parent_set[sets] >= 0]
    anc = parent_set[cur]
    while cur.size:
        depth[cur] += 1
        anc = parent_set[anc]
        keep = anc >= 0
        cur, anc = cur[keep], anc[keep]
    return depth
