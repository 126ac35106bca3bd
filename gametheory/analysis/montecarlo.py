"""Monte Carlo over uncertain parameters: regime shares and what separates regimes."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

from ..exceptions import InvalidOptionError
from .grid import InvalidGridError, as_model, make_samples
from .sweep import solve_points
from .table import label_book, regime_text

DISTRIBUTIONS = ("uniform", "normal", "beta", "triangular")


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


def _prior(model: Any, name: str, spec: Any) -> dict[str, Any]:
    p = model.parameters[name]
    rng = None if p.range is None else (float(p.range[0]), float(p.range[1]))
    spec = {"dist": spec} if isinstance(spec, str) else dict(spec or {"dist": "uniform"})
    dist = spec.get("dist", "uniform")
    if dist not in DISTRIBUTIONS:
        raise InvalidOptionError(
            f"prior of {name!r}: unknown distribution {dist!r}; "
            f"choose from: {', '.join(DISTRIBUTIONS)}"
        )
    out: dict[str, Any] = {"dist": dist}
    if dist in ("uniform", "beta", "triangular"):
        lo = spec.get("low", None if rng is None else rng[0])
        hi = spec.get("high", None if rng is None else rng[1])
        if lo is None or hi is None or not float(lo) < float(hi):
            raise InvalidGridError(f"prior of {name!r} needs low < high (or a declared range)")
        out.update(low=float(lo), high=float(hi))
    if dist == "normal":
        out.update(mean=float(spec.get("mean", p.value)), sd=float(spec.get("sd", 0)))
        if not out["sd"] > 0:
            raise InvalidGridError(f"normal prior of {name!r} needs sd > 0")
        out["truncate"] = None if rng is None or spec.get("truncate", True) is False else list(rng)
    if dist == "beta":
        out.update(a=float(spec.get("a", 0)), b=float(spec.get("b", 0)))
        if not (out["a"] > 0 and out["b"] > 0):
            raise InvalidGridError(f"beta prior of {name!r} needs a > 0 and b > 0")
    if dist == "triangular":
        out["mode"] = float(spec.get("mode", p.value))
        if not out["low"] <= out["mode"] <= out["high"]:
            raise InvalidGridError(f"triangular prior of {name!r} needs low <= mode <= high")
    return out


def _draw(gen: np.random.Generator, prior: Mapping[str, Any], n: int) -> np.ndarray:
    d = prior["dist"]
    if d == "uniform":
        return gen.uniform(prior["low"], prior["high"], n)
    if d == "beta":
        return prior["low"] + (prior["high"] - prior["low"]) * gen.beta(prior["a"], prior["b"], n)
    if d == "triangular":
        return gen.triangular(prior["low"], prior["mode"], prior["high"], n)
    x = gen.normal(prior["mean"], prior["sd"], n)
    if prior["truncate"] is not None:  # rejection sampling into the declared range
        lo, hi = prior["truncate"]
        for _ in range(1000):
            bad = (x < lo) | (x > hi)
            if not np.any(bad):
                break
            x[bad] = gen.normal(prior["mean"], prior["sd"], int(bad.sum()))
        else:
            raise InvalidGridError("normal prior puts almost no mass in the declared range")
    return x


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
            "regimes": self.shares(),
            "separation": self.separation(),
        }


def montecarlo(
    model: Any,
    n: int,
    priors: Mapping[str, Any] | None = None,
    seed: int | None = 0,
    method: str = "auto",
    *,
    parameters: list[str] | None = None,
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
        Number of draws.
    priors
        ``{parameter: spec}``; a spec is ``"uniform"`` or a dict with ``dist``
        (``uniform``: ``low``, ``high``; ``normal``: ``mean``, ``sd``,
        truncated to the declared range unless ``truncate: False``; ``beta``:
        ``a``, ``b`` scaled to ``low``..``high``; ``triangular``: ``low``,
        ``mode``, ``high``).  Defaults: uniform over declared ranges.
    seed
        Seed of :class:`numpy.random.Generator`: the draws (and so the whole
        result) are identical run after run and on every backend.
    method
        Which equilibria define a regime (as in :func:`~gametheory.analysis.sweep`).
    parameters
        Parameters to sample (default: those with a prior, else every payoff
        parameter with a declared range).
    confidence
        Level of the Wilson intervals.
    at
        Values of the parameters that are not sampled.
    backend, workers, scheduler, chunk_size, progress
        Execution, as in :func:`~gametheory.analysis.sweep`.
    """
    model = as_model(model)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InvalidOptionError(f"n must be a positive integer, got {n!r}")
    if not 0 < confidence < 1:
        raise InvalidOptionError(f"confidence must be in (0, 1), got {confidence!r}")
    priors = dict(priors or {})
    used = set(model.game.parameters)
    if parameters is None:
        parameters = [
            p
            for p in model.parameters
            if p in priors or (not priors and p in used and model.parameters[p].range is not None)
        ]
    names = tuple(parameters)
    if not names:
        raise InvalidGridError("no parameter to sample: give priors or declare ranges")
    resolved = {}
    for name in names:
        if name not in model.parameters:
            from ..exceptions import UnknownParameterError

            raise UnknownParameterError(
                f"unknown parameter {name!r}; declared: {', '.join(model.parameters)}"
            )
        resolved[name] = _prior(model, name, priors.get(name))
    gen = np.random.default_rng(seed)
    samples = np.stack([_draw(gen, resolved[name], int(n)) for name in names], axis=1)
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
    return MonteCarloResult(names, samples, regime, texts, resolved, seed, description, confidence)
