"""Matching equilibria at neighbouring grid points into branches.

A branch is a family of equilibria with the same support that varies
continuously with the parameters.  In a 1-D sweep two equilibria at
consecutive points belong to the same branch when they have the same support
(ties between several equilibria with one support are broken by nearest
probabilities); a branch ends when its support disappears, so a branch is an
interval of the parameter.  In n-D sweeps a branch is a regime: equilibria with
the same support label share one branch.

:class:`BranchTracker` works chunk by chunk with bounded state, so streamed
sweeps get the same branch ids as in-memory ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Branch:
    """Summary of one branch.

    Attributes
    ----------
    id
        Branch id (0, 1, ... in order of first appearance).
    label
        Support label of its equilibria.
    points
        Number of grid points where it exists.
    ranges
        ``{parameter: (low, high)}`` over the points where it exists.
    """

    id: int
    label: str
    points: int
    ranges: dict[str, tuple[float, float]]

    def __str__(self) -> str:
        where = ", ".join(f"{p} in [{lo:.6g}, {hi:.6g}]" for p, (lo, hi) in self.ranges.items())
        return f"branch {self.id} ({self.label}) exists for {where} ({self.points} points)"

    def to_dict(self) -> dict:
        """Plain data."""
        return {
            "branch": self.id,
            "label": self.label,
            "points": self.points,
            "ranges": {p: [lo, hi] for p, (lo, hi) in self.ranges.items()},
        }


def ranks_within(point: np.ndarray, label: np.ndarray) -> np.ndarray:
    """Rank of each row among the rows with the same point and label (row order)."""
    R = len(point)
    if R == 0:
        return np.zeros(0, np.int64)
    order = np.lexsort((np.arange(R), label, point))
    p, lab = point[order], label[order]
    start = np.ones(R, dtype=bool)
    start[1:] = (p[1:] != p[:-1]) | (lab[1:] != lab[:-1])
    group_start = np.maximum.accumulate(np.where(start, np.arange(R), 0))
    rank = np.empty(R, np.int64)
    rank[order] = np.arange(R) - group_start
    return rank


class BranchTracker:
    """Assigns branch ids chunk by chunk and accumulates each branch's extent.

    Parameters
    ----------
    names
        Varied parameter names.
    one_dimensional
        Match by continuity along the grid order (1-D) or by regime (n-D).
    """

    def __init__(self, names: tuple[str, ...], one_dimensional: bool) -> None:
        self.names = names
        self.one_d = one_dimensional
        self._keys: dict[tuple[int, int], int] = {}
        self._carry: dict[int, int] = {}  # 1-D: key -> branch at the last point seen
        self._carry_probs: dict[int, np.ndarray] = {}
        self._last_point = -2
        self._label = np.zeros(0, np.int64)
        self._count = np.zeros(0, np.int64)
        self._lo = np.zeros((0, len(names)))
        self._hi = np.zeros((0, len(names)))

    @property
    def num_branches(self) -> int:
        """Branches seen so far."""
        return len(self._label)

    def _key_codes(self, label: np.ndarray, rank: np.ndarray) -> np.ndarray:
        pairs = np.stack([label, rank], axis=1)
        uniq, first, inverse = np.unique(pairs, axis=0, return_index=True, return_inverse=True)
        codes = np.empty(len(uniq), np.int64)
        for u in np.argsort(first, kind="stable"):
            key = (int(uniq[u, 0]), int(uniq[u, 1]))
            codes[u] = self._keys.setdefault(key, len(self._keys))
        return codes[inverse.reshape(-1)]

    def _refine_ranks(
        self, point: np.ndarray, label: np.ndarray, rank: np.ndarray, probs: np.ndarray
    ) -> np.ndarray:
        """1-D: order equilibria sharing a support by nearness to the previous point's."""
        rank = rank.copy()
        multi = np.unique(point[rank > 0])
        if len(multi) == 0:
            return rank
        prev: dict[tuple[int, int], np.ndarray] = {}
        prev_point = self._last_point
        if prev_point >= 0:
            for (lab, r), key in self._keys.items():
                if key in self._carry_probs:
                    prev[(lab, r)] = self._carry_probs[key]
        starts = np.searchsorted(point, np.unique(point))
        bounds = dict(
            zip(np.unique(point).tolist(), zip(starts, np.append(starts[1:], len(point))))
        )
        for t in np.unique(point).tolist():
            a, b = bounds[t]
            if t in set(multi.tolist()) and prev_point == t - 1:
                for lab in np.unique(label[a:b]).tolist():
                    idx = a + np.flatnonzero(label[a:b] == lab)
                    if len(idx) < 2:
                        continue
                    free = list(idx)
                    for r in range(len(idx)):
                        ref = prev.get((lab, r))
                        if ref is None:
                            break
                        best = min(free, key=lambda j, ref=ref: float(np.abs(probs[j] - ref).max()))
                        rank[best] = r
                        free.remove(best)
                    for r, j in enumerate(free, start=len(idx) - len(free)):
                        rank[j] = r
            prev = {(int(label[j]), int(rank[j])): probs[j] for j in range(a, b)}
            prev_point = t
        return rank

    def assign(
        self, point: np.ndarray, label: np.ndarray, probs: np.ndarray, values: np.ndarray
    ) -> np.ndarray:
        """Branch id of each row of a chunk (rows ordered by global point index).

        Parameters
        ----------
        point
            Global point index of each row.
        label
            Support-label code of each row.
        probs
            Probabilities of each row (for tie-breaking).
        values
            Varied parameter values of each row, shape ``(R, k)``.
        """
        R = len(point)
        if R == 0:
            return np.zeros(0, np.int64)
        rank = ranks_within(point, label)
        if self.one_d and np.any(rank > 0):
            rank = self._refine_ranks(point, label, rank, probs)
        key = self._key_codes(label, rank)
        if not self.one_d:
            branch = key
        else:
            branch = self._runs(point, key)
            last = point[-1]
            at_last = point == last
            self._carry = dict(zip(key[at_last].tolist(), branch[at_last].tolist()))
            self._carry_probs = {
                int(k): probs[j] for k, j in zip(key[at_last], np.flatnonzero(at_last))
            }
            self._last_point = int(last)
        self._update_stats(branch, label, values)
        return branch

    def _runs(self, point: np.ndarray, key: np.ndarray) -> np.ndarray:
        R = len(point)
        order = np.lexsort((point, key))
        k, p = key[order], point[order]
        start = np.ones(R, dtype=bool)
        start[1:] = (k[1:] != k[:-1]) | (p[1:] != p[:-1] + 1)
        run = np.cumsum(start) - 1
        start_rows = order[start]
        n_runs = len(start_rows)
        run_branch = np.full(n_runs, -1, np.int64)
        first_p = point[start_rows]
        first_k = key[start_rows]
        if self._last_point >= 0:
            for r in np.flatnonzero(first_p == self._last_point + 1):
                b = self._carry.get(int(first_k[r]))
                if b is not None:
                    run_branch[r] = b
        new = np.flatnonzero(run_branch < 0)
        new = new[np.argsort(start_rows[new], kind="stable")]
        run_branch[new] = self.num_branches + np.arange(len(new))
        self._grow(self.num_branches + len(new))
        branch = np.empty(R, np.int64)
        branch[order] = run_branch[run]
        return branch

    def _grow(self, size: int) -> None:
        extra = size - len(self._label)
        if extra <= 0:
            return
        k = len(self.names)
        self._label = np.concatenate([self._label, np.full(extra, -1, np.int64)])
        self._count = np.concatenate([self._count, np.zeros(extra, np.int64)])
        self._lo = np.concatenate([self._lo, np.full((extra, k), np.inf)])
        self._hi = np.concatenate([self._hi, np.full((extra, k), -np.inf)])

    def _update_stats(self, branch: np.ndarray, label: np.ndarray, values: np.ndarray) -> None:
        self._grow(int(branch.max()) + 1)
        self._label[branch] = label
        np.add.at(self._count, branch, 1)
        for j in range(len(self.names)):
            np.minimum.at(self._lo[:, j], branch, values[:, j])
            np.maximum.at(self._hi[:, j], branch, values[:, j])

    def summary(self, label_text: list[str]) -> list[Branch]:
        """One :class:`Branch` per branch id."""
        return [
            Branch(
                b,
                label_text[int(self._label[b])],
                int(self._count[b]),
                {
                    n: (float(self._lo[b, j]), float(self._hi[b, j]))
                    for j, n in enumerate(self.names)
                },
            )
            for b in range(self.num_branches)
            if self._count[b] > 0
        ]
