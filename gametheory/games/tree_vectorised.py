"""Vectorised construction of large game trees from one parent index per node.

:func:`tree_from_arrays` is the implementation of
:meth:`~gametheory.games.extensive.ExtensiveFormGame.from_arrays`: no Python
loop over nodes, so trees with millions of nodes build in array time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..exceptions import InvalidGameError
from . import values as tv
from .extensive import ExtensiveFormGame, RawTree


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
