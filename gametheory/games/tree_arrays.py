"""Array algorithms on game trees stored level by level (breadth-first order).

A tree is stored with its nodes in *canonical order*: breadth-first, the
children of every node contiguous and in action order.  Then the children of
node ``v`` are ``first_child[v] : first_child[v] + num_children[v]``, every
level (depth) is a contiguous range of indices, and the children of the nodes
of level ``d`` (in order) make up level ``d + 1``.  Bottom-up passes process
one level at a time with ``np.*.reduceat``; top-down passes gather from the
parents.  Loops are over levels only, never over nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..exceptions import InvalidGameError


@dataclass(frozen=True)
class Layout:
    """Canonical (breadth-first) layout of a tree.

    Attributes
    ----------
    order
        ``order[new] = old``: the input index of each canonical node.
    parent
        Parent of each canonical node (``-1`` for the root, node 0).
    num_children, first_child
        Children of node ``v`` are ``first_child[v] + arange(num_children[v])``.
    action_index
        Index of the action leading from the parent to the node (``-1`` at the root).
    level_start
        Nodes of depth ``d`` are ``level_start[d] : level_start[d + 1]``.
    """

    order: np.ndarray
    parent: np.ndarray
    num_children: np.ndarray
    first_child: np.ndarray
    action_index: np.ndarray
    level_start: np.ndarray

    @property
    def num_levels(self) -> int:
        """Number of levels (depth of the deepest node plus one)."""
        return len(self.level_start) - 1

    def depth(self) -> np.ndarray:
        """Depth of every node."""
        sizes = np.diff(self.level_start)
        return np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)


def canonical_layout(parent: np.ndarray) -> Layout:
    """Breadth-first layout of a tree given by its parent array.

    Parameters
    ----------
    parent
        ``parent[v]`` is the index of ``v``'s parent, ``-1`` for the root.
        Siblings are ordered by their index.

    Raises
    ------
    InvalidGameError
        When there is not exactly one root or some node is not connected to it.
    """
    parent = np.asarray(parent, dtype=np.int64)
    n = parent.size
    if n == 0:
        raise InvalidGameError("a tree needs at least one node")
    roots = np.flatnonzero(parent < 0)
    if roots.size != 1:
        raise InvalidGameError(f"a tree needs exactly one root, got {roots.size}")
    if np.any(parent >= n):
        bad = int(np.flatnonzero(parent >= n)[0])
        raise InvalidGameError(f"node {bad} has parent {int(parent[bad])}, which does not exist")
    if (
        parent[0] < 0
        and n > 1
        and np.all(np.diff(parent[1:]) >= 0)
        and np.all(parent[1:] < np.arange(1, n))
    ):
        return _identity_layout(parent)
    nonroot = np.flatnonzero(parent >= 0)
    by_parent = nonroot[np.argsort(parent[nonroot], kind="stable")]
    counts = np.bincount(parent[nonroot], minlength=n)
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    levels = [roots]
    sizes = [1]
    total = 1
    cur = roots
    while True:
        c = counts[cur]
        m = int(c.sum())
        if m == 0:
            break
        offsets = np.cumsum(c) - c
        idx = np.repeat(starts[cur] - offsets, c) + np.arange(m)
        cur = by_parent[idx]
        levels.append(cur)
        sizes.append(m)
        total += m
        if total > n:  # pragma: no cover - impossible for a parent array
            break
    if total != n:
        reached = np.zeros(n, dtype=bool)
        reached[np.concatenate(levels)] = True
        bad = int(np.flatnonzero(~reached)[0])
        raise InvalidGameError(
            f"node {bad} is not connected to the root (cycle in the parent links)"
        )
    order = np.concatenate(levels)
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = np.arange(n)
    new_parent = np.where(parent[order] >= 0, inverse[np.maximum(parent[order], 0)], -1)
    num_children = counts[order]
    first_child = np.empty(n, dtype=np.int64)
    first_child[0] = 1
    np.cumsum(num_children[:-1], out=first_child[1:])
    first_child[1:] += 1
    action_index = np.full(n, -1, dtype=np.int64)
    action_index[1:] = np.arange(1, n) - first_child[new_parent[1:]]
    level_start = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=level_start[1:])
    return Layout(order, new_parent, num_children, first_child, action_index, level_start)


def _identity_layout(parent: np.ndarray) -> Layout:
    """Layout of a parent array that is already breadth-first (non-decreasing parents)."""
    n = parent.size
    num_children = np.bincount(parent[1:], minlength=n)
    first_child = np.empty(n, dtype=np.int64)
    first_child[0] = 1
    np.cumsum(num_children[:-1], out=first_child[1:])
    first_child[1:] += 1
    action_index = np.full(n, -1, dtype=np.int64)
    action_index[1:] = np.arange(1, n) - first_child[parent[1:]]
    # level boundaries: the children of level d are first_child[level d start] ..
    starts = [0, 1]
    while starts[-1] < n:
        hi = starts[-1]
        nxt = int(first_child[hi - 1] + num_children[hi - 1])
        if nxt <= hi:  # pragma: no cover - guarded by the caller's checks
            raise InvalidGameError("parent array is not breadth-first")
        starts.append(nxt)
    return Layout(
        np.arange(n),
        parent.copy(),
        num_children,
        first_child,
        action_index,
        np.asarray(starts, dtype=np.int64),
    )


def level_pairs(layout: Layout) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    """For each level with children, the data of one bottom-up reduction step.

    Returns a list (deepest first) of ``(lo, hi, parents, offsets)``: the
    children of level ``d`` are ``lo:hi``; ``parents`` are the nodes of level
    ``d`` with children and ``offsets`` the start of each one's children
    relative to ``lo`` (suitable for ``np.ufunc.reduceat``).
    """
    out = []
    ls = layout.level_start
    for d in range(layout.num_levels - 2, -1, -1):
        nodes = np.arange(ls[d], ls[d + 1])
        nodes = nodes[layout.num_children[nodes] > 0]
        if nodes.size == 0:
            continue
        lo, hi = int(ls[d + 1]), int(ls[d + 2])
        out.append((lo, hi, nodes, layout.first_child[nodes] - lo))
    return out


def subtree_sum(layout: Layout, values: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over each node's subtree (first axis indexes nodes)."""
    out = np.array(values, copy=True)
    for lo, hi, parents, offsets in level_pairs(layout):
        out[parents] += np.add.reduceat(out[lo:hi], offsets, axis=0)
    return out


def top_down_product(layout: Layout, edge: np.ndarray) -> np.ndarray:
    """Product of ``edge`` values along the path from the root to each node.

    ``edge[v]`` is the factor of the edge into ``v`` (ignored at the root).
    """
    out = np.empty(
        edge.shape, dtype=np.result_type(edge.dtype, np.float64) if edge.dtype != object else object
    )
    out[0] = 1
    ls = layout.level_start
    for d in range(1, layout.num_levels):
        lo, hi = ls[d], ls[d + 1]
        out[lo:hi] = out[layout.parent[lo:hi]] * edge[lo:hi]
    return out


def top_down_sum(layout: Layout, edge: np.ndarray) -> np.ndarray:
    """Sum of ``edge`` values along the path from the root to each node."""
    out = np.zeros(edge.shape, dtype=edge.dtype)
    ls = layout.level_start
    for d in range(1, layout.num_levels):
        lo, hi = ls[d], ls[d + 1]
        out[lo:hi] = out[layout.parent[lo:hi]] + edge[lo:hi]
    return out


#: Trees up to this many nodes use pointer jumping in :func:`top_down_last` (a few whole-array
#: steps instead of one step per level: faster while the per-call overhead dominates).
JUMP_NODES = 10_000


def top_down_last(layout: Layout, mark: np.ndarray, value: np.ndarray) -> np.ndarray:
    """For each node, ``value`` at the deepest edge on its path with ``mark`` True.

    ``mark[v]`` and ``value[v]`` describe the edge into ``v``; nodes with no
    marked edge on their path get ``-1``.
    """
    if mark.ndim == 1 and mark.size <= JUMP_NODES:
        # each node points to itself when its edge is marked, else to its parent; after
        # k doublings it points 2**k steps up, so bit_length(depth) of them reach the
        # deepest marked edge on the path (or the root)
        n = mark.size
        nxt = np.where(mark, np.arange(n), layout.parent)
        nxt[0] = 0
        for _ in range((layout.num_levels - 1).bit_length()):
            nxt = nxt[nxt]
        return np.where(mark[nxt] & (nxt > 0), value[nxt], -1).astype(np.int64, copy=False)
    out = np.full(mark.shape, -1, dtype=np.int64)
    ls = layout.level_start
    for d in range(1, layout.num_levels):
        lo, hi = ls[d], ls[d + 1]
        out[lo:hi] = np.where(mark[lo:hi], value[lo:hi], out[layout.parent[lo:hi]])
    return out


def path_pairs(
    layout: Layout, nodes: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(k, u)``: ``u`` is an ancestor-or-self of ``nodes[k]`` with ``mask[u]``.

    Loops over the depth of the tree, vectorised over ``nodes``.
    """
    ks, us = [], []
    cur = np.asarray(nodes, dtype=np.int64)
    k = np.arange(cur.size)
    while cur.size:
        hit = mask[cur]
        ks.append(k[hit])
        us.append(cur[hit])
        keep = cur > 0
        cur = layout.parent[cur[keep]]
        k = k[keep]
    if not ks:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(ks), np.concatenate(us)


def preorder(layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    """Depth-first preorder position of each node and the size of its subtree."""
    n = layout.parent.size
    size = subtree_sum(layout, np.ones(n, dtype=np.int64))
    pre = np.zeros(n, dtype=np.int64)
    ls = layout.level_start
    for d in range(1, layout.num_levels):
        lo, hi = ls[d], ls[d + 1]
        par = layout.parent[lo:hi]
        # position = parent's position + 1 + sizes of earlier siblings
        csum = np.cumsum(size[lo:hi]) - size[lo:hi]
        first = layout.first_child[par] - lo
        pre[lo:hi] = pre[par] + 1 + csum - csum[first]
    return pre, size
