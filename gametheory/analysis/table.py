"""The tidy result of a sweep: one row per grid point x equilibrium."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np

from .. import numbers as nb
from .branches import Branch
from .grid import PointSet


class LabelBook:
    """Support labels (``"pure: Seoul=arm Moscow=restrain"``) as integer codes."""

    def __init__(self, players: Sequence[str], strategies: Sequence[Sequence[str]]) -> None:
        self.players = tuple(players)
        self.strategies = tuple(tuple(s) for s in strategies)
        self.sizes = [len(s) for s in self.strategies]
        self.text: list[str] = []
        self._codes: dict[bytes, int] = {}

    def _label(self, support: np.ndarray) -> str:
        parts, pure = [], True
        k = 0
        used = []
        for m, strats in zip(self.sizes, self.strategies):
            used.append([s for s, on in zip(strats, support[k : k + m]) if on])
            k += m
        pure = all(len(u) == 1 for u in used)
        if pure:
            return "pure: " + " ".join(f"{p}={u[0]}" for p, u in zip(self.players, used))
        parts = [f"{p}{{{','.join(u)}}}" for p, u in zip(self.players, used)]
        return "mixed: " + " ".join(parts)

    def codes(self, probs: np.ndarray) -> np.ndarray:
        """Label code of each row of probabilities."""
        if len(probs) == 0:
            return np.zeros(0, np.int64)
        support = probs > nb.PROB_TOL
        if support.shape[1] <= 62:
            keys = support @ (np.int64(1) << np.arange(support.shape[1], dtype=np.int64))
            _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        else:
            packed = np.packbits(support, axis=1)
            keys = packed.view(np.dtype((np.void, packed.shape[1]))).reshape(-1)
            _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        out = np.empty(len(first), np.int64)
        for u in np.argsort(first, kind="stable"):  # codes in order of first appearance
            pattern = support[first[u]]
            key = pattern.tobytes()
            code = self._codes.get(key)
            if code is None:
                code = self._codes[key] = len(self.text)
                self.text.append(self._label(pattern))
            out[u] = code
        return out[inverse.reshape(-1)]


class TreeLabelBook(LabelBook):
    """Behaviour-support labels of tree equilibria (``"pure: Seoul{warned=arm;quiet=withhold}"``).

    Columns are ``"INFOSET:ACTION"`` labels, player by player (see
    :func:`~gametheory.analysis.tree_kernels.tree_columns`).
    """

    def __init__(self, players: Sequence[str], columns: Sequence[Sequence[str]]) -> None:
        super().__init__(players, columns)
        split = [c.rpartition(":") for cols in self.strategies for c in cols]
        self._infoset = [h for h, _, _ in split]
        self._action = [a for _, _, a in split]
        self._player_start = np.concatenate([[0], np.cumsum(self.sizes)])

    def _label(self, support: np.ndarray) -> str:
        idx = np.flatnonzero(support)
        bounds = np.searchsorted(idx, self._player_start)
        parts, pure = [], True
        for i, player in enumerate(self.players):
            if self.sizes[i] == 0:
                continue
            items: list[str] = []
            prev = None
            for j in idx[bounds[i] : bounds[i + 1]].tolist():
                h = self._infoset[j]
                if h == prev:
                    items[-1] += "+" + self._action[j]
                    pure = False
                else:
                    items.append(f"{h}={self._action[j]}")
                    prev = h
            parts.append(f"{player}{{{';'.join(items)}}}")
        return ("pure: " if pure else "mixed: ") + " ".join(parts)


def labels_of(game: Any) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """``(players, columns per player)``: strategies, or ``"INFOSET:ACTION"`` for trees."""
    if game.form == "extensive":
        from .tree_kernels import tree_columns

        return tuple(game.players), tree_columns(game)[0]
    return tuple(game.players), tuple(tuple(s) for s in game.strategies)


def label_book(game: Any) -> LabelBook:
    """The label book of a game's equilibria (support labels; behaviour supports for trees)."""
    players, columns = labels_of(game)
    return (
        TreeLabelBook(players, columns) if game.form == "extensive" else LabelBook(players, columns)
    )


def regime_text(labels: Sequence[str], empty: str) -> str:
    """Name of a regime (the set of equilibrium labels at a point)."""
    return " | ".join(labels) if labels else empty


def columns_of(
    names: Sequence[str], players: Sequence[str], strategies: Sequence[Sequence[str]]
) -> list[str]:
    """The CSV columns of a sweep, in the order of the CLI contract."""
    probs = [f"{p}:{s}" for p, strats in zip(players, strategies) for s in strats]
    return [*names, "equilibrium", "branch", *probs, *(f"payoff:{p}" for p in players), "regret"]


class CsvWriter:
    """Writes sweep rows block by block (bounded memory)."""

    def __init__(self, target: str | os.PathLike | IO[str], header: Sequence[str]) -> None:
        self._own = isinstance(target, (str, os.PathLike))
        self._fh: IO[str] = open(target, "w", newline="") if self._own else target
        csv.writer(self._fh, lineterminator="\n").writerow(header)

    def write(
        self,
        values: np.ndarray,
        equilibrium: np.ndarray,
        branch: np.ndarray,
        probs: np.ndarray,
        payoffs: np.ndarray,
        regret: np.ndarray,
    ) -> None:
        """Append rows."""
        floats = np.concatenate([values, probs, payoffs, regret[:, None]], axis=1)
        k = values.shape[1]
        cols: list[Any] = [list(map(repr, floats[:, j].tolist())) for j in range(floats.shape[1])]
        cols.insert(k, list(map(str, equilibrium.tolist())))
        cols.insert(k + 1, list(map(str, branch.tolist())))
        self._fh.write("".join(",".join(r) + "\n" for r in zip(*cols)))

    def close(self) -> None:
        """Close the file if this writer opened it."""
        if self._own:
            self._fh.close()


@dataclass
class SweepResult:
    """Equilibria over a grid of parameter values.

    Attributes
    ----------
    parameters
        The swept parameters.
    points
        The grid (values of every point, and the fixed parameters).
    players, strategies
        Labels of the game.
    point, equilibrium, branch, label
        Per row: grid point index, equilibrium index at that point, branch id
        and support-label code (text in ``labels``).
    probs, payoffs, regret
        Per row: probabilities (players' strategies concatenated), expected
        payoffs and regret.
    labels
        Text of each label code.
    method
        What was run (``auto`` says what it chose).
    stats
        Counters and timings.
    branch_summary
        One :class:`Branch` per branch.
    """

    parameters: tuple[str, ...]
    points: PointSet
    players: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]
    point: np.ndarray
    equilibrium: np.ndarray
    branch: np.ndarray
    label: np.ndarray
    probs: np.ndarray
    payoffs: np.ndarray
    regret: np.ndarray
    labels: list[str]
    method: str
    stats: dict[str, Any] = field(default_factory=dict)
    branch_summary: list[Branch] = field(default_factory=list)
    empty_label: str = "no equilibrium found"

    def __len__(self) -> int:
        return len(self.point)

    @property
    def columns(self) -> list[str]:
        """Column names of :meth:`to_csv` (the CLI contract)."""
        return columns_of(self.parameters, self.players, self.strategies)

    @property
    def num_points(self) -> int:
        """Number of grid points."""
        return self.points.size

    def values(self) -> np.ndarray:
        """Swept parameter values of each row, shape ``(R, k)``."""
        if len(self.point) == 0:
            return np.zeros((0, len(self.parameters)))
        return self.points.values(0, self.points.size)[self.point]

    def column(self, name: str) -> np.ndarray:
        """One column by name (``"Seoul:arm"``, ``"payoff:Moscow"``, ``"branch"``, a parameter)."""
        cols = self.columns
        if name == "label":
            return np.array([self.labels[c] for c in self.label], dtype=object)
        if name not in cols:
            raise KeyError(f"no column {name!r}; columns: {', '.join(cols)}")
        k = len(self.parameters)
        j = cols.index(name)
        if j < k:
            return self.values()[:, j]
        if name == "equilibrium":
            return self.equilibrium
        if name == "branch":
            return self.branch
        if name == "regret":
            return self.regret
        m = self.probs.shape[1]
        j -= k + 2
        return self.probs[:, j] if j < m else self.payoffs[:, j - m]

    def iter_records(self) -> Iterator[dict[str, Any]]:
        """Rows as dictionaries (columns of :attr:`columns` plus ``label``)."""
        cols = self.columns
        values = self.values()
        for r in range(len(self.point)):
            data = [
                *values[r].tolist(),
                int(self.equilibrium[r]),
                int(self.branch[r]),
                *self.probs[r].tolist(),
                *self.payoffs[r].tolist(),
                float(self.regret[r]),
            ]
            rec = dict(zip(cols, data))
            rec["label"] = self.labels[int(self.label[r])]
            yield rec

    @property
    def records(self) -> list[dict[str, Any]]:
        """All rows as dictionaries."""
        return list(self.iter_records())

    def to_csv(self, path_or_buffer: str | os.PathLike | IO[str] | None = None) -> str | None:
        """Write the table as CSV (columns :attr:`columns`); returns the text when no target."""
        target = io.StringIO() if path_or_buffer is None else path_or_buffer
        writer = CsvWriter(target, self.columns)
        step = 100_000
        values = self.values()
        for a in range(0, max(len(self.point), 1), step):
            b = a + step
            writer.write(
                values[a:b],
                self.equilibrium[a:b],
                self.branch[a:b],
                self.probs[a:b],
                self.payoffs[a:b],
                self.regret[a:b],
            )
        writer.close()
        return target.getvalue() if path_or_buffer is None else None  # type: ignore[union-attr]

    def to_pandas(self) -> Any:
        """The table as a :class:`pandas.DataFrame` (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "to_pandas() needs pandas, which is not installed: pip install pandas"
            ) from None
        cols = self.columns
        values = self.values()
        data = {c: values[:, j] for j, c in enumerate(self.parameters)}
        data["equilibrium"] = self.equilibrium
        data["branch"] = self.branch
        m = self.probs.shape[1]
        for j, c in enumerate(cols[len(self.parameters) + 2 : -1]):
            data[c] = self.probs[:, j] if j < m else self.payoffs[:, j - m]
        data["regret"] = self.regret
        data["label"] = [self.labels[c] for c in self.label]
        return pd.DataFrame(data)

    def branches(self) -> list[Branch]:
        """Summary of each branch: its support label and where it exists."""
        return list(self.branch_summary)

    def regimes(self) -> np.ndarray:
        """Regime (set of equilibrium labels) at each grid point, as text."""
        N = self.points.size
        groups: list[list[int]] = [[] for _ in range(N)]
        for p, c in zip(self.point.tolist(), self.label.tolist()):
            groups[p].append(c)
        return np.array(
            [regime_text(sorted(self.labels[c] for c in g), self.empty_label) for g in groups],
            dtype=object,
        )

    def plot(self, path: str | os.PathLike | None = None, ax: Any = None) -> Any:
        """Probabilities against the parameter (1-D) or a regime map (2-D); see :mod:`.plotting`."""
        from .plotting import plot_sweep

        return plot_sweep(self, path=path, ax=ax)
