"""Structural properties of game trees: information set sizes, perfect recall, subgames.

All computations are vectorised over nodes, with loops over tree levels only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import tree_arrays as ta

if TYPE_CHECKING:
    from .extensive import ExtensiveFormGame


def infoset_sizes(game: ExtensiveFormGame) -> np.ndarray:
    """Number of nodes in each information set."""
    inner = game.node_infoset[game.node_infoset >= 0]
    return np.bincount(inner, minlength=game.num_infosets)


def perfect_information_violation(game: ExtensiveFormGame) -> tuple[str, str, int] | None:
    """``(player, infoset label, node count)`` of the first shared information set, or None."""
    sizes = infoset_sizes(game)
    shared = np.flatnonzero((sizes > 1) & (game.infoset_player >= 0))
    if not shared.size:
        return None
    h = int(shared[0])
    return game.player_of(h), game.infoset_label(h), int(sizes[h])


def own_sequences(game: ExtensiveFormGame, player: int) -> np.ndarray:
    """For every node, the last action of ``player`` on its path (global action id, -1 none).

    Cached on the game (read-only).
    """
    key = f"own_sequences-{player}"
    if key not in game._cache:
        par = game.parent
        mark = np.zeros(game.num_nodes, dtype=bool)
        mark[1:] = game.node_player[par[1:]] == player
        out = ta.top_down_last(game.layout, mark, game.edge_action)
        out.setflags(write=False)
        game._cache[key] = out
    return game._cache[key]


def perfect_recall_violation(game: ExtensiveFormGame) -> tuple[str, str] | None:
    """``(player, information set label)`` of the first information set violating perfect recall.

    A player has perfect recall when all nodes of each of their information
    sets are reached by the same sequence of the player's own (information
    set, action) pairs; it suffices that the *last* own action agrees at
    every node of every set, which also rules out absent-mindedness.
    """
    if "recall" in game._cache:
        return game._cache["recall"]
    sizes = infoset_sizes(game)
    worst: int | None = None
    for i in range(game.num_players):
        sets = np.flatnonzero((game.infoset_player == i) & (sizes > 1))
        if sets.size == 0:
            continue
        last = own_sequences(game, i)
        member = np.zeros(game.num_infosets + 1, dtype=bool)  # the extra entry: terminals (-1)
        member[sets] = True
        nodes = np.flatnonzero(member[game.node_infoset])
        h = game.node_infoset[nodes]
        vals = last[nodes]
        lo = np.full(game.num_infosets, np.iinfo(np.int64).max)
        hi = np.full(game.num_infosets, np.iinfo(np.int64).min)
        np.minimum.at(lo, h, vals)
        np.maximum.at(hi, h, vals)
        bad = sets[lo[sets] != hi[sets]]
        if bad.size and (worst is None or int(bad[0]) < worst):
            worst = int(bad[0])
    out = None if worst is None else (game.player_of(worst), game.infoset_label(worst))
    game._cache["recall"] = out
    return out


def _lca(game: ExtensiveFormGame, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Lowest common ancestors of node pairs, vectorised over pairs."""
    depth = game.layout.depth()
    par = game.parent
    a, b = a.copy(), b.copy()
    while True:
        deeper_a = depth[a] > depth[b]
        deeper_b = depth[b] > depth[a]
        if not (deeper_a.any() or deeper_b.any()):
            break
        a = np.where(deeper_a, par[a], a)
        b = np.where(deeper_b, par[b], b)
    while True:
        diff = a != b
        if not diff.any():
            return a
        a = np.where(diff, par[a], a)
        b = np.where(diff, par[b], b)


def subgame_roots(game: ExtensiveFormGame) -> np.ndarray:
    """Non-terminal nodes that start a subgame, in canonical order (the root first).

    A node starts a subgame when its information set is a singleton and no
    information set has nodes both inside and outside its subtree.  A node
    cuts an information set exactly when it lies on the path from a member up
    to (but excluding) the members' lowest common ancestor; counting +1 at
    each member and ``-size`` at that ancestor, the subtree sums are positive
    exactly at the cutting nodes.
    """
    if "subgames" in game._cache:
        return game._cache["subgames"]
    sizes = infoset_sizes(game)
    weight = np.zeros(game.num_nodes, dtype=np.int64)
    multi = np.flatnonzero((sizes > 1) & (game.infoset_player >= 0))
    if multi.size:
        pre, _ = ta.preorder(game.layout)
        member = np.isin(game.node_infoset, multi)
        nodes = np.flatnonzero(member)
        h = game.node_infoset[nodes]
        big = np.iinfo(np.int64).max
        lo = np.full(game.num_infosets, big)
        hi = np.full(game.num_infosets, -1)
        np.minimum.at(lo, h, pre[nodes])
        np.maximum.at(hi, h, pre[nodes])
        by_pre = np.empty(game.num_nodes, dtype=np.int64)
        by_pre[pre] = np.arange(game.num_nodes)
        anc = _lca(game, by_pre[lo[multi]], by_pre[hi[multi]])
        weight[nodes] += 1
        np.add.at(weight, anc, -sizes[multi])
    cut = ta.subtree_sum(game.layout, weight) > 0
    ok = (game.node_kind != 0) & ~cut
    ok &= np.append(sizes, 0)[game.node_infoset] == 1
    out = np.flatnonzero(ok)
    out.setflags(write=False)
    game._cache["subgames"] = out
    return out


def infoset_parent_sequences(game: ExtensiveFormGame, player: int) -> tuple[np.ndarray, np.ndarray]:
    """The player's information sets and, for each, the player's last action before it.

    Returns ``(sets, parent_seq)``: global indices of the sets and the global
    action id of the player's previous action on the path to (a representative
    node of) each set, ``-1`` when there is none.  With perfect recall every
    node of a set gives the same answer.
    """
    sets = np.flatnonzero(game.infoset_player == player)
    nodes = np.flatnonzero(game.node_player == player)
    first = np.full(game.num_infosets, -1, dtype=np.int64)
    first[game.node_infoset[nodes[::-1]]] = nodes[::-1]
    seq = own_sequences(game, player)
    return sets, seq[first[sets]]
