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
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import numbers as nb
from ..exceptions import InvalidGameError, InvalidProfileError
from . import tree_arrays as ta
from .behavior import reach_probabilities
from .tree_structure import infoset_parent_sequences, own_sequences

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

    from .extensive import ExtensiveFormGame


@dataclass(frozen=True, eq=False)
class SequenceForm:
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
    """

    game: ExtensiveFormGame
    sequence_actions: tuple[np.ndarray, ...]
    infosets: tuple[np.ndarray, ...]
    parent_sequences: tuple[np.ndarray, ...]
    action_sequence: np.ndarray
    terminal_sequences: np.ndarray
    sequence_rows: tuple[np.ndarray, ...]
    sequence_parents: tuple[np.ndarray, ...]
    sequence_depths: tuple[np.ndarray, ...]
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

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
            rows, cols, vals = self.constraint_entries(player)
            out = np.zeros(
                (self.num_constraints(player), self.num_sequences(player)), dtype=np.int64
            )
            out[rows, cols] = vals
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
        game = self.game
        vec = np.ones(game.num_actions, dtype=object if exact else np.float64)
        mask = ~game._player_action
        vec[mask] = (game.exact_probabilities() if exact else game.float_probabilities())[mask]
        weight = reach_probabilities(game, vec, exact)[game.terminals]
        pay = game.exact_payoffs() if exact else game.float_payoffs()
        ts = self.terminal_sequences
        return ts[:, 0], ts[:, 1], pay * weight[:, None]

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

    def pure_best_response(
        self, player: int, values: np.ndarray, exact: bool = False
    ) -> tuple[Any, np.ndarray]:
        """A pure best response given the payoff of each of the player's sequences.

        Parameters
        ----------
        player
            Player number.
        values
            Payoff contribution of each sequence against fixed opponents (e.g.
            ``A @ y`` for player 1): what the terminals whose last own action
            is the sequence pay, weighted by the others' reach.
        exact
            Object arrays of ``Fraction``.

        Returns
        -------
        value, choice
            The best-response payoff, and for each of the player's information
            sets (constraint rows ``1..``) the sequence of a best action: the
            first best one, chosen at every information set, reachable or not.
        """
        val = np.array(values, dtype=object if exact else np.float64, copy=True)
        sets = self.infosets[player]
        choice = np.zeros(sets.size, dtype=np.int64)
        if sets.size == 0:
            return val[0], choice
        nact = self.game.infoset_num_actions[sets]
        first = 1 + np.cumsum(nact) - nact
        depth = self.sequence_depths[player][first]
        parent = self.parent_sequences[player]
        for d in range(int(depth.max()), 0, -1):
            group = np.flatnonzero(depth == d)
            counts = nact[group]
            starts = np.cumsum(counts) - counts
            idx = np.repeat(first[group] - starts, counts) + np.arange(int(counts.sum()))
            vals = val[idx]
            best = np.maximum.reduceat(vals, starts)
            at_best = vals == np.repeat(best, counts)
            pos = np.where(at_best, np.arange(vals.size), vals.size)
            choice[group] = idx[np.minimum.reduceat(pos, starts)]
            np.add.at(val, parent[group], best)
        return val[0], choice

    def _require_two_players(self) -> None:
        if self.num_players != 2:
            raise InvalidGameError(
                f"sequence-form payoff matrices need 2 players; this game has {self.num_players}"
            )

    # ------------------------------------------------------------------ plans <-> behaviour
    def realization_plan(
        self, behavior: np.ndarray, player: int, exact: bool = False
    ) -> np.ndarray:
        """The realisation plan of a player's part of a behaviour vector (one entry per action).

        ``x[s]`` is the product of the behaviour probabilities of the actions
        in sequence ``s``.
        """
        behavior = np.asarray(behavior, dtype=object if exact else np.float64)
        if behavior.shape != (self.game.num_actions,):
            raise InvalidProfileError(
                f"a behaviour vector needs {self.game.num_actions} entries (one per action)"
            )
        depth = self.sequence_depths[player]
        parent = self.sequence_parents[player]
        local = behavior[self.sequence_actions[player][1:]]
        x = np.empty(self.num_sequences(player), dtype=object if exact else np.float64)
        x[0] = Fraction(1) if exact else 1.0
        for d in range(1, int(depth.max(initial=0)) + 1):
            at = np.flatnonzero(depth == d)
            x[at] = x[parent[at]] * local[at - 1]
        return x

    def behavior_from_plans(self, plans: Any, exact: bool = False) -> np.ndarray:
        """The behaviour vector of realisation plans (one plan per player).

        At an information set whose sequence has probability 0 (ruled out by
        the player's own earlier choices) the actions are played uniformly;
        there the behaviour does not change any payoff.

        Returns
        -------
        numpy.ndarray
            One probability per action (chance actions carry the chance
            probabilities), validated by the game.
        """
        game = self.game
        if len(plans) != self.num_players:
            raise InvalidProfileError(f"need {self.num_players} realisation plans")
        vec = np.zeros(game.num_actions, dtype=object if exact else np.float64)
        for i, x in enumerate(plans):
            x = np.asarray(x, dtype=object if exact else np.float64)
            if x.shape != (self.num_sequences(i),):
                raise InvalidProfileError(
                    f"{game.players[i]} has {self.num_sequences(i)} sequences, "
                    f"got a plan of length {x.size}"
                )
            if not exact:
                x = np.clip(x, 0.0, None)
            reach = x[self.sequence_parents[i][1:]]
            vals = x[1:]
            sets = self.infosets[i][self.sequence_rows[i][1:] - 1]
            k = game.infoset_num_actions[sets]
            if exact:
                share = np.array(
                    [v / r if r != 0 else Fraction(1, int(n)) for v, r, n in zip(vals, reach, k)],
                    dtype=object,
                )
            else:
                ok = reach > nb.PROB_TOL
                share = np.where(ok, vals / np.where(ok, reach, 1.0), 1.0 / k)
                # renormalise each information set (rounding of a float plan)
                sums = np.zeros(game.num_infosets)
                np.add.at(sums, sets, share)
                total = sums[sets]
                share = np.where(total > 0, share / np.where(total > 0, total, 1.0), 1.0 / k)
            vec[self.sequence_actions[i][1:]] = share
        return game.behavior_vector(vec, exact=exact)

    def check_plan(self, x: Any, player: int, exact: bool = False) -> None:
        """Raise :class:`InvalidProfileError` unless ``x >= 0`` and ``E x = e`` (within 1e-9)."""
        if exact:
            rows, cols, vals = self.constraint_entries(player)
            res = [Fraction(0)] * self.num_constraints(player)
            for r, c, v in zip(rows.tolist(), cols.tolist(), vals.tolist()):
                res[r] += v * x[c]
            res[0] -= 1
            bad = any(v < 0 for v in x) or any(r != 0 for r in res)
        else:
            x = np.asarray(x, dtype=np.float64)
            res = self.constraint_matrix(player) @ x - self.constraint_rhs(player)
            bad = bool(np.any(x < -1e-9) or np.any(np.abs(res) > 1e-9))
        if bad:
            raise InvalidProfileError(
                f"not a realisation plan of {self.game.players[player]}: it must be "
                "non-negative and satisfy the sequence-form constraints"
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
    owner = np.repeat(game.infoset_player, game.infoset_num_actions)
    action_sequence = np.full(game.num_actions, -1, dtype=np.int64)
    owner_set = np.repeat(np.arange(game.num_infosets), game.infoset_num_actions)
    seq_actions, sets_out, parents, rows_out, seq_parents, depths = [], [], [], [], [], []
    t = game.terminals
    term_seq = np.zeros((t.size, n), dtype=np.int64)
    for i in range(n):
        acts = np.flatnonzero(owner == i)
        action_sequence[acts] = np.arange(1, acts.size + 1)
        seq_actions.append(np.concatenate([[-1], acts]).astype(np.int64))
        sets, parent_action = infoset_parent_sequences(game, i)
        sets_out.append(sets.astype(np.int64))
        parent = np.where(parent_action >= 0, action_sequence[np.maximum(parent_action, 0)], 0)
        parents.append(parent)
        row_of_set = np.zeros(game.num_infosets, dtype=np.int64)
        row_of_set[sets] = np.arange(1, sets.size + 1)
        rows = np.concatenate([[0], row_of_set[owner_set[acts]]]).astype(np.int64)
        rows_out.append(rows)
        seq_parent = np.concatenate([[0], parent])[rows]
        seq_parents.append(seq_parent)
        # own depth of each information set: a representative node's own actions so far
        own_edge = np.zeros(game.num_nodes, dtype=np.int64)
        own_edge[1:] = game.node_player[game.parent[1:]] == i
        count = ta.top_down_sum(game.layout, own_edge)
        nodes = np.flatnonzero(game.node_player == i)
        rep = np.full(game.num_infosets, -1, dtype=np.int64)
        rep[game.node_infoset[nodes[::-1]]] = nodes[::-1]
        depth = np.concatenate([[0], count[rep[owner_set[acts]]] + 1]).astype(np.int64)
        depths.append(depth)
        last = own_sequences(game, i)[t]
        term_seq[:, i] = np.where(last >= 0, action_sequence[np.maximum(last, 0)], 0)
    for arr in (
        action_sequence,
        term_seq,
        *seq_actions,
        *sets_out,
        *parents,
        *rows_out,
        *seq_parents,
        *depths,
    ):
        arr.setflags(write=False)
    out = SequenceForm(
        game=game,
        sequence_actions=tuple(seq_actions),
        infosets=tuple(sets_out),
        parent_sequences=tuple(parents),
        action_sequence=action_sequence,
        terminal_sequences=term_seq,
        sequence_rows=tuple(rows_out),
        sequence_parents=tuple(seq_parents),
        sequence_depths=tuple(depths),
    )
    game._cache["sequence_form"] = out
    return out
