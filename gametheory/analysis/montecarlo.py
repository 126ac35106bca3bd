"""Monte Carlo over uncertain parameters: regime shares and what separates regimes."""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import IO, Any

import numpy as np

from ..exceptions import InvalidOptionError
from .grid import as_model, check_at, make_samples
from .point_check import check_point
from .priors import DISTRIBUTIONS, check_seed, draw, resolve_prior, sampled_parameters
from .sweep import solve_points
from .table import label_book, regime_text

__all__ = ["DISTRIBUTIONS", "MonteCarloResult", "best_split", "montecarlo", "wilson_interval"]

#: Tables of :meth:`MonteCarloResult.to_csv` and :meth:`MonteCarloResult.to_pandas`.
TABLES = ("draws", "shares")
SHARE_COLUMNS = ("label", "count", "share", "ci_low", "ci_high")


def wilson_interval(count: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion."""
    if n == 0:
        return (0.0, 1.0)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = count / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def best_split(x: np.ndarray, inside: np.ndarray) -> tuple[float, str, float]:
    """Depth-1 split ``x <= t`` (or ``>``) best separating ``inside``.

    Returns ``(t, direction, balanced accuracy)``.
    """
    order = np.argsort(x, kind="stable")
    xs, ins = x[order], inside[order]
    n_in, n_out = int(ins.sum()), int((~ins).sum())
    if n_in == 0 or n_out == 0:
        return float("nan"), "<=", 1.0
    c_in = np.cumsum(ins)
    c_out = np.cumsum(~ins)
    valid = np.append(xs[1:] != xs[:-1], True)  # split only between distinct values
    bacc_le = 0.5 * (c_in / n_in + (n_out - c_out) / n_out)
    bacc_gt = 1 - bacc_le + 0.0
    bacc_le = np.where(valid, bacc_le, -1)
    bacc_gt = np.where(valid, bacc_gt, -1)
    k_le, k_gt = int(np.argmax(bacc_le)), int(np.argmax(bacc_gt))
    if bacc_le[k_le] >= bacc_gt[k_gt]:
        k, direction, acc = k_le, "<=", bacc_le[k_le]
    else:
        k, direction, acc = k_gt, ">", bacc_gt[k_gt]
    t = xs[k] if k == len(xs) - 1 else (xs[k] + xs[k + 1]) / 2
    return float(t), direction, float(acc)


@dataclass(frozen=True)
class MonteCarloResult:
    """Regimes over random draws of the parameters.

    Attributes
    ----------
    names
        Sampled parameters (columns of ``samples``).
    samples
        ``(n, k)`` draws.
    regime
        Regime code of each draw (text in ``regimes``).
    regimes
        Regime names.
    priors
        The prior of each sampled parameter (resolved).
    seed, method, confidence
        How it was run.
    stats
        Counters and timings.
    fixed
        Values of the payoff parameters that were not sampled (baseline or ``at``).
    """

    names: tuple[str, ...]
    samples: np.ndarray
    regime: np.ndarray
    regimes: list[str]
    priors: dict[str, dict[str, Any]]
    seed: Any
    method: str
    confidence: float = 0.95
    stats: dict[str, Any] = field(default_factory=dict)
    fixed: dict[str, float] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of draws."""
        return len(self.regime)

    def shares(self) -> list[dict[str, Any]]:
        """Each regime's count, share and Wilson confidence interval (largest first)."""
        counts = np.bincount(self.regime, minlength=len(self.regimes))
        rows = [
            {
                "label": self.regimes[k],
                "count": int(c),
                "share": float(c) / self.n,
                "ci": list(wilson_interval(int(c), self.n, self.confidence)),
            }
            for k, c in enumerate(counts)
            if c > 0
        ]
        return sorted(rows, key=lambda r: -r["count"])

    def separation(self) -> dict[str, list[dict[str, Any]]]:
        """For each regime, the parameters that best tell it apart from the others.

        Per parameter: the standardised difference of means (inside minus
        outside over the pooled standard deviation) and the best depth-1 split
        with its balanced accuracy; sorted by accuracy.
        """
        out = {}
        for k, name in enumerate(self.regimes):
            inside = self.regime == k
            if inside.all() or not inside.any():
                continue
            rows = []
            for j, p in enumerate(self.names):
                x = self.samples[:, j]
                a, b = x[inside], x[~inside]
                pooled = math.sqrt((a.var() * len(a) + b.var() * len(b)) / len(x))
                d = float((a.mean() - b.mean()) / pooled) if pooled > 0 else 0.0
                t, direction, acc = best_split(x, inside)
                rows.append(
                    {
                        "parameter": p,
                        "std_mean_difference": d,
                        "split": [direction, t],
                        "balanced_accuracy": acc,
                    }
                )
            out[name] = sorted(rows, key=lambda r: -r["balanced_accuracy"])
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "n": self.n,
            "seed": self.seed,
            "method": self.method,
            "confidence": self.confidence,
            "priors": self.priors,
            "fixed": self.fixed,
            "regimes": self.shares(),
            "separation": self.separation(),
        }

    @property
    def columns(self) -> list[str]:
        """Columns of the draws table: ``draw``, the sampled parameters, ``regime``, ``label``."""
        cols = ["draw", *self.names, "regime", "label"]
        if len(set(cols)) != len(cols):
            raise InvalidOptionError(
                "a sampled parameter is called 'draw', 'regime' or 'label', which are the "
                "table's own columns; read samples and regime directly"
            )
        return cols

    @property
    def records(self) -> list[dict[str, Any]]:
        """The draws table as dictionaries (one per draw, keys :attr:`columns`)."""
        cols = self.columns
        return [
            dict(zip(cols, (t, *row, int(k), self.regimes[int(k)])))
            for t, (row, k) in enumerate(zip(self.samples.tolist(), self.regime.tolist()))
        ]

    def to_csv(
        self,
        path_or_buffer: str | os.PathLike | IO[str] | None = None,
        table: str = "draws",
    ) -> str | None:
        """Write a table as CSV.

        Parameters
        ----------
        path_or_buffer
            A file name or an open text file; ``None`` returns the text.
        table
            ``"draws"``: one row per draw, columns :attr:`columns` (``draw``
            index, the sampled values, the ``regime`` code and its ``label``).
            ``"shares"``: one row per regime, largest first, columns
            ``label, count, share, ci_low, ci_high`` (Wilson interval at
            :attr:`confidence`).

        Returns
        -------
        str or None
            The CSV text when no target is given.

        Notes
        -----
        Numbers are written with ``repr`` (shortest exact round trip) and
        lines end in ``\n``, so a seeded run always gives the same bytes.
        """
        from .export import csv_field, write_csv

        if _table(table) == "shares":
            rows: Any = (
                [r["label"], str(r["count"]), repr(r["share"]), repr(r["ci"][0]), repr(r["ci"][1])]
                for r in self.shares()
            )
            return write_csv(path_or_buffer, SHARE_COLUMNS, rows)
        # column by column (repr of each float once), then rows joined as text
        cells = [list(map(repr, self.samples[:, j].tolist())) for j in range(len(self.names))]
        codes = self.regime.tolist()
        ends = [f"{k},{csv_field(text)}\n" for k, text in enumerate(self.regimes)]
        lines = [
            ",".join((str(t), *row)) + "," + ends[k]
            for t, (row, k) in enumerate(zip(zip(*cells), codes))
        ]
        return write_csv(path_or_buffer, self.columns, (), "".join(lines))

    def to_pandas(self, table: str = "draws") -> Any:
        """A table as a :class:`pandas.DataFrame` (needs pandas).

        Parameters
        ----------
        table
            ``"draws"`` or ``"shares"``, as in :meth:`to_csv` (same columns).

        Returns
        -------
        pandas.DataFrame
        """
        from .export import pandas

        pd = pandas("MonteCarloResult.to_pandas()")
        if _table(table) == "shares":
            rows = [
                [r["label"], r["count"], r["share"], r["ci"][0], r["ci"][1]]
                for r in self.shares()
            ]
            return pd.DataFrame(rows, columns=list(SHARE_COLUMNS))
        cols = self.columns
        data: dict[str, Any] = {"draw": np.arange(self.n)}
        for j, name in enumerate(self.names):
            data[name] = self.samples[:, j]
        data["regime"] = self.regime
        data["label"] = [self.regimes[k] for k in self.regime.tolist()]
        return pd.DataFrame(data, columns=cols)

    def best_parameters(self, k: int = 2) -> list[str]:
        """The ``k`` sampled parameters that best tell the regimes apart.

        Ranked by the best balanced accuracy of a one-threshold split over all
        regimes (see :meth:`separation`); ties keep the sampling order.
        """
        score = dict.fromkeys(self.names, 0.0)
        for rows in self.separation().values():
            for r in rows:
                score[r["parameter"]] = max(score[r["parameter"]], r["balanced_accuracy"])
        order = sorted(range(len(self.names)), key=lambda j: (-score[self.names[j]], j))
        return [self.names[j] for j in order[:k]]

    def plot(
        self,
        path: str | os.PathLike | None = None,
        kind: str = "both",
        parameters: Sequence[str] | None = None,
    ) -> Any:
        """Regime shares with confidence intervals and/or the draws coloured by regime.

        See :func:`~gametheory.analysis.plotting.plot_montecarlo`.
        """
        from .plotting import plot_montecarlo

        return plot_montecarlo(self, path=path, kind=kind, parameters=parameters)


def _table(table: Any) -> str:
    if table not in TABLES:
        raise InvalidOptionError(f"unknown table {table!r}; choose from: {', '.join(TABLES)}")
    return str(table)


def montecarlo(
    model: Any,
    n: int,
    priors: Mapping[str, Any] | None = None,
    seed: int | None = 0,
    method: str = "auto",
    *,
    parameters: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    at: Mapping[str, Any] | None = None,
    backend: str = "serial",
    workers: int | None = None,
    scheduler: Any = None,
    chunk_size: int | None = None,
    progress: bool | None = None,
) -> MonteCarloResult:
    """Sample parameters, solve each draw, and summarise the equilibrium regimes.

    Parameters
    ----------
    model
        A model.
    n
        Number of draws (a positive integer).
    priors
        ``{parameter: spec}``; a spec is ``"uniform"`` (or ``None``) or a dict
        with ``dist`` (``uniform``: ``low``, ``high``; ``normal``: ``mean``,
        ``sd``, truncated to the declared range unless ``truncate: False``;
        ``beta``: ``a``, ``b`` scaled to ``low``..``high``; ``triangular``:
        ``low``, ``mode``, ``high``).  Missing bounds come from the declared
        range, a missing mean or mode from the baseline.  Defaults: uniform
        over declared ranges.
    seed
        Seed of :class:`numpy.random.Generator` (a non-negative integer, or
        ``None`` for fresh entropy): the draws (and so the whole result) are
        identical run after run and on every backend.
    method
        Which equilibria define a regime (as in :func:`~gametheory.analysis.sweep`).
    parameters
        Parameters to sample (default: those with a prior, else every payoff
        parameter with a declared range that ``at`` does not fix).
    confidence
        Level of the Wilson intervals.
    at
        Values of the parameters that are not sampled.
    backend, workers, scheduler, chunk_size, progress
        Execution, as in :func:`~gametheory.analysis.sweep`.

    Returns
    -------
    MonteCarloResult

    Raises
    ------
    UnknownParameterError
        When ``priors``, ``parameters`` or ``at`` names an undeclared parameter.
    InvalidOptionError
        For a bad ``n``, ``seed``, ``confidence``, prior spec (unknown
        distribution or field, text for a number), a prior on a parameter
        that is not sampled, or a parameter both sampled and fixed by ``at``.
    InvalidGridError
        For bad prior values (``sd <= 0``, ``low >= high``, ...), nothing to
        sample, or fixed values that make a payoff or chance probability invalid.
    """
    model = as_model(model)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InvalidOptionError(f"n must be a positive integer, got {n!r}")
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, numbers.Real)
        or not 0 < confidence < 1
    ):
        raise InvalidOptionError(f"confidence must be in (0, 1), got {confidence!r}")
    seed = check_seed(seed)
    at = check_at(model, at)
    names = sampled_parameters(model, priors, parameters, at)
    resolved = {name: resolve_prior(model, name, (priors or {}).get(name)) for name in names}
    used = getattr(model.game, "parameters", ())
    check_point(
        model,
        {
            p: at.get(p, model.parameters[p].value)
            for p in used
            if p not in names and at.get(p, model.parameters[p].value) is not None
        },
    )
    gen = np.random.default_rng(seed)
    samples = np.stack([draw(gen, resolved[name], int(n)) for name in names], axis=1)
    points = make_samples(model, names, samples, at=at)
    description, results = solve_points(
        model,
        points,
        method,
        backend=backend,
        workers=workers,
        scheduler=scheduler,
        chunk_size=chunk_size,
        progress=progress,
    )
    book = label_book(model.game)
    regime_of: dict[tuple[int, ...], int] = {}
    regime = np.empty(points.size, np.int64)
    for c0, c1, rows in results:
        codes = book.codes(rows.probs)
        starts = np.searchsorted(rows.point, np.arange(c0, c1 + 1))
        for t in range(c0, c1):
            key = tuple(sorted(codes[starts[t - c0] : starts[t - c0 + 1]].tolist()))
            regime[t] = regime_of.setdefault(key, len(regime_of))
    empty = "no pure equilibrium" if "pure" in description.split(";")[0] else "no equilibrium found"
    texts = [""] * len(regime_of)
    for key, k in regime_of.items():
        texts[k] = regime_text(sorted(book.text[c] for c in key), empty)
    return MonteCarloResult(
        names,
        samples,
        regime,
        texts,
        resolved,
        seed,
        description,
        float(confidence),
        fixed=dict(points.fixed),
    )

