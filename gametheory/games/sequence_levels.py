"""Passes over the information sets of all players at once, grouped by own depth.

The sequences of all players are numbered jointly, player by player: player
``i``'s sequence ``s`` has the joint index ``offsets[i] + s`` (so
``offsets[i]`` is the player's empty sequence).  An information set at own
depth ``d`` (its player made ``d - 1`` moves before it) has its actions'
sequences at depth ``d`` and the sequence leading to it at depth ``d - 1``.
Grouping the sets of every player by that depth gives the order of the
recursions over sequences:

* top-down (:func:`forward_products`): realisation plans, each sequence the
  product of its parent sequence and a per-sequence factor;
* bottom-up (:func:`backward_best`): best responses, each set adding its best
  action's value to its parent sequence;
* top-down over a pure strategy (:func:`pure_coefficients`): the plan on the
  chosen sequences in terms of the others.

Each pass costs a few array operations per depth, for all players together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: One depth group: ``(sets, seqs, starts, gpar, spar)`` -- the group's sets (joint set
#: index), their actions' joint sequences set by set, where each set's run starts in
#: ``seqs``, the joint sequence leading to each set and to each entry of ``seqs``.
Group = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class JointSequences:
    """All players' sequences numbered jointly, and their information sets grouped by depth.

    Attributes
    ----------
    offsets
        Joint index of each player's empty sequence, then the total number
        of sequences (length ``num_players + 1``).
    set_offsets
        Joint index of each player's first information set (player by
        player, each in global order), then the total.
    seq_action
        Global action of each joint sequence (``-1`` for the empty ones).
    seq_parent
        The joint sequence that each sequence extends (an empty one extends itself).
    seq_set
        Global information set of each sequence's action (``-1`` for the empty ones).
    action_seqs
        The joint sequences that are not empty, in joint order.
    order, seqs, starts, seg
        All sets by depth (joint set index, shallowest first), their actions'
        sequences set by set, where each set's run starts in ``seqs``, and
        the position in ``order`` of the set of each entry of ``seqs``.
    groups
        One :data:`Group` per own depth, shallowest first (views of the above).
    bounds
        The groups' ranges in ``order``: group ``k`` is ``order[bounds[k]:bounds[k + 1]]``.
    """

    offsets: np.ndarray
    set_offsets: np.ndarray
    seq_action: np.ndarray
    seq_parent: np.ndarray
    seq_set: np.ndarray
    action_seqs: np.ndarray
    order: np.ndarray
    seqs: np.ndarray
    starts: np.ndarray
    seg: np.ndarray
    groups: tuple[Group, ...]
    bounds: tuple[int, ...]

    @property
    def num_sequences(self) -> int:
        """Sequences of all players together."""
        return int(self.offsets[-1])

    @property
    def empty(self) -> np.ndarray:
        """Joint index of each player's empty sequence."""
        return self.offsets[:-1]


def build_joint(
    offsets: np.ndarray,
    set_offsets: np.ndarray,
    *,
    seq_action: np.ndarray,
    seq_parent: np.ndarray,
    seq_set: np.ndarray,
    action_seqs: np.ndarray,
    first: np.ndarray,
    nact: np.ndarray,
    depth: np.ndarray,
    parent: np.ndarray,
) -> JointSequences:
    """Group the information sets by depth and freeze the arrays.

    Parameters
    ----------
    offsets, set_offsets, seq_action, seq_parent, seq_set, action_seqs
        See :class:`JointSequences`.
    first, nact, depth, parent
        Per information set in joint order: the joint sequence of its first
        action (its actions' sequences are consecutive), its number of
        actions, its own depth (``>= 1``; every depth up to the deepest
        occurs) and the joint sequence leading to it.
    """
    order = depth.argsort(kind="stable")
    counts = nact[order]
    ends = counts.cumsum()
    starts = ends - counts
    total = int(ends[-1]) if ends.size else 0
    seqs = (first[order] - starts).repeat(counts) + np.arange(total)
    seg = np.arange(order.size).repeat(counts)
    gpar = parent[order]
    sizes = np.bincount(depth)[1:]
    cuts = np.zeros(sizes.size + 1, dtype=np.int64)
    sizes.cumsum(out=cuts[1:])
    # within a group, a set's run starts relative to the group's first sequence
    starts_rel = starts - starts[cuts[:-1].repeat(sizes)]
    arrays = (offsets, set_offsets, seq_action, seq_parent, seq_set, action_seqs, order, seqs,
              starts, seg, starts_rel, gpar)  # fmt: skip
    for arr in arrays:
        arr.setflags(write=False)
    spar = gpar[seg]
    spar.setflags(write=False)
    c = cuts.tolist()
    e = [0, *ends[cuts[1:] - 1].tolist()]
    groups = tuple(
        (order[c[k] : c[k + 1]], seqs[e[k] : e[k + 1]], starts_rel[c[k] : c[k + 1]],
         gpar[c[k] : c[k + 1]], spar[e[k] : e[k + 1]])
        for k in range(len(c) - 1)
    )  # fmt: skip
    return JointSequences(*arrays[:10], groups, tuple(c))


def forward_products(levels: JointSequences, factor: np.ndarray, one: Any) -> np.ndarray:
    """``x[s] = x[parent(s)] * factor[s]`` from ``x[empty] = one`` (realisation plans).

    ``factor`` is indexed by joint sequence (entries at the empty sequences
    are not used); the result has its dtype.
    """
    x = np.empty(levels.num_sequences, dtype=factor.dtype)
    x[levels.empty] = one
    for _, idx, _, _, spar in levels.groups:
        x[idx] = x[spar] * factor[idx]
    return x


def backward_best(
    levels: JointSequences, val: np.ndarray, choice: np.ndarray | None = None
) -> np.ndarray:
    """Best-response values: every set adds its best action's value to its parent sequence.

    ``val`` (joint sequences; overwritten) starts with each sequence's own
    payoff and ends with each sequence's payoff under best play after it:
    ``val[levels.empty]`` are the players' best-response values.  With
    ``choice`` given (one entry per joint set), the sequence of the first best
    action of every set is stored there.  Returns ``val``.
    """
    for _, idx, starts, gpar, _ in reversed(levels.groups):
        np.add.at(val, gpar, np.maximum.reduceat(val[idx], starts))
    if choice is not None and levels.seqs.size:
        # a set's sequences are final once its depth is done: choose for all sets at once
        seqs, seg = levels.seqs, levels.seg
        vals = val[seqs]
        best = np.maximum.reduceat(vals, levels.starts)
        at_best = np.where(vals == best[seg], np.arange(seqs.size), seqs.size)
        choice[levels.order] = seqs[np.minimum.reduceat(at_best, levels.starts)]
    return val


def pure_coefficients(levels: JointSequences, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every sequence's plan value in terms of the sequences that pure strategies do not fix.

    Parameters
    ----------
    levels
        The joint sequences.
    chosen
        The joint sequence of one action at every set (pure strategies of all
        players).

    Returns
    -------
    coef, free
        ``free`` lists the sequences not chosen (each player's empty one
        included), ascending; plans ``x`` satisfying the constraints (with
        any values at the empty sequences) have ``x = coef @ x[free]``: a
        chosen sequence carries the value of the sequence leading to its
        set, less its siblings (``x_c = x_p - sum(x_a)``).  Integer entries;
        each player's rows only use the player's own columns.
    """
    total = levels.num_sequences
    is_free = np.ones(total, dtype=bool)
    is_free[chosen] = False
    free = is_free.nonzero()[0]
    coef = np.zeros((total, free.size), dtype=np.int64)
    coef[free, np.arange(free.size)] = 1
    if levels.seqs.size:
        # every chosen row first gets its siblings, then adds its parent's finished row
        by_depth = chosen[levels.order]
        owner = by_depth[levels.seg]
        sib = levels.seqs != owner
        col = np.zeros(total, dtype=np.int64)
        col[free] = np.arange(free.size)
        coef[owner[sib], col[levels.seqs[sib]]] = -1
        b = levels.bounds
        for k, (_, _, _, gpar, _) in enumerate(levels.groups):
            c = by_depth[b[k] : b[k + 1]]
            coef[c] += coef[gpar]
    return coef, free
