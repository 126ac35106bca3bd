"""Parameter grids and samples: validation and chunked access to parameter values.

A *point set* is an ordered collection of parameter points (a Cartesian grid
or an explicit list of samples).  Sweeps read it chunk by chunk, so a
million-point grid never has to exist in memory at once.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..exceptions import GameTheoryError, OutOfRangeWarning, UnknownParameterError
from ..games.model import Model, Parameter


class InvalidGridError(GameTheoryError, ValueError):
    """A sweep grid or parameter range is unusable (non-numeric, empty, out of range...)."""


class UnusedParameterError(InvalidGridError):
    """A swept parameter does not appear in the payoffs, so sweeping it changes nothing."""


def as_model(obj: Any) -> Model:
    """Accept a :class:`Model`, or a symbolic game (parameters without baselines)."""
    if isinstance(obj, Model):
        return obj
    if hasattr(obj, "form") and hasattr(obj, "num_players"):
        names = tuple(getattr(obj, "parameters", ()))
        return Model(game=obj, parameters={n: Parameter(n, None) for n in names})
    raise TypeError(f"expected a Model or a game, got {type(obj).__name__}")


def check_parameter(
    model: Model, name: Any, what: str = "parameter", used: frozenset[str] | None = None
) -> str:
    """Return ``name`` when it is a declared parameter that the payoffs use.

    Raises
    ------
    UnknownParameterError
        When the name is not declared.
    UnusedParameterError
        When no payoff depends on it.
    """
    if not isinstance(name, str) or name not in model.parameters:
        declared = ", ".join(model.parameters) or "(none)"
        raise UnknownParameterError(f"unknown {what} {name!r}; declared: {declared}")
    if used is None:
        used = frozenset(getattr(model.game, "parameters", ()))
    if name not in used:
        raise UnusedParameterError(
            f"parameter {name!r} does not appear in any payoff, so changing it cannot "
            "change the equilibria; parameters used by the payoffs: "
            f"{', '.join(sorted(used)) or '(none)'}"
        )
    return name


def check_values(name: str, values: Any) -> np.ndarray:
    """1-D finite float array of grid values for ``name``."""
    if isinstance(values, (str, bytes)):
        raise InvalidGridError(f"grid for {name!r} must be numbers, got text {values!r}")
    try:
        raw = np.asarray(values)
    except (TypeError, ValueError):
        raise InvalidGridError(f"grid for {name!r} must be a 1-D array of numbers") from None
    if raw.ndim == 0:
        raw = raw.reshape(1)
    if raw.dtype.kind == "b" or raw.dtype.kind not in "iufO":
        raise InvalidGridError(f"grid for {name!r} must be numbers, got {raw.dtype} values")
    if raw.dtype.kind == "O" and any(isinstance(v, (bool, str, bytes)) for v in raw.reshape(-1)):
        raise InvalidGridError(f"grid for {name!r} must be numbers")
    try:
        arr = raw.astype(np.float64)
    except (TypeError, ValueError):
        raise InvalidGridError(f"grid for {name!r} must be numbers") from None
    if arr.ndim != 1:
        raise InvalidGridError(f"grid for {name!r} must be 1-D, got shape {arr.shape}")
    if arr.size == 0:
        raise InvalidGridError(f"grid for {name!r} is empty")
    if not np.all(np.isfinite(arr)):
        raise InvalidGridError(f"grid for {name!r} has non-finite values")
    return arr


def check_range(model: Model, name: str, values: np.ndarray, strict: bool) -> None:
    """Warn (or raise with ``strict``) when values leave the declared range."""
    rng = model.parameters[name].range
    if rng is None:
        return
    lo, hi = float(rng[0]), float(rng[1])
    bad = (values < lo) | (values > hi)
    if np.any(bad):
        msg = (
            f"grid for {name!r} goes outside its declared range [{lo:g}, {hi:g}] "
            f"(values from {values.min():g} to {values.max():g})"
        )
        if strict:
            raise InvalidGridError(msg)
        warnings.warn(msg, OutOfRangeWarning, stacklevel=4)


def check_at(model: Model, at: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate ``at=`` (values of parameters held fixed) and return it as a dict.

    Parameters
    ----------
    model
        The model whose parameters are named.
    at
        ``{name: value}`` or ``None``.

    Returns
    -------
    dict
        The same values (exact numbers stay exact).

    Raises
    ------
    UnknownParameterError
        When a name is not a declared parameter.
    InvalidGridError
        When ``at`` is not a mapping or a value is not a finite real number.
    """
    if at is None:
        return {}
    if not isinstance(at, Mapping):
        raise InvalidGridError(f"at= maps parameter names to numbers, got {type(at).__name__}")
    for name, value in at.items():
        if not isinstance(name, str) or name not in model.parameters:
            declared = ", ".join(model.parameters) or "(none)"
            raise UnknownParameterError(f"unknown parameter {name!r}; declared: {declared}")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InvalidGridError(f"value of {name!r} must be a number, got {value!r}")
        if not math.isfinite(float(value)):
            raise InvalidGridError(f"value of {name!r} must be finite, got {value!r}")
    return dict(at)


def fixed_values(
    model: Model,
    at: Mapping[str, Any] | None,
    exclude: tuple[str, ...],
    used: frozenset[str] | None = None,
) -> dict[str, float]:
    """Float values of the payoff parameters that are not swept (baseline or ``at``)."""
    at = check_at(model, at)
    out = {}
    for name in sorted(used if used is not None else getattr(model.game, "parameters", ())):
        if name in exclude:
            continue
        value = at.get(name, model.parameters[name].value if name in model.parameters else None)
        if value is None:
            raise InvalidGridError(
                f"parameter {name!r} has no baseline value; give it in the grid or in at="
            )
        value = float(value)
        if not math.isfinite(value):
            raise InvalidGridError(f"parameter {name!r} = {value} is not finite")
        out[name] = value
    return out


@dataclass(frozen=True)
class PointSet:
    """An ordered set of parameter points.

    Attributes
    ----------
    names
        The varied parameters.
    axes
        For a Cartesian grid, the values of each axis; ``None`` for samples.
    samples
        For an explicit point list, an ``(N, k)`` array; ``None`` for grids.
    fixed
        Values of the other payoff parameters.
    """

    names: tuple[str, ...]
    axes: tuple[np.ndarray, ...] | None
    samples: np.ndarray | None
    fixed: Mapping[str, float]

    @property
    def shape(self) -> tuple[int, ...]:
        """Grid shape (``(N,)`` for samples)."""
        if self.axes is not None:
            return tuple(len(a) for a in self.axes)
        return (len(self.samples),)  # type: ignore[arg-type]

    @property
    def size(self) -> int:
        """Number of points."""
        return int(np.prod(self.shape))

    def values(self, start: int, stop: int) -> np.ndarray:
        """``(stop - start, k)`` array of the varied parameters at points ``start..stop-1``."""
        if self.samples is not None:
            return self.samples[start:stop]
        idx = np.unravel_index(np.arange(start, stop), self.shape)
        return np.stack([ax[i] for ax, i in zip(self.axes, idx)], axis=1)  # type: ignore[arg-type]

    def arrays(self, start: int, stop: int) -> dict[str, np.ndarray]:
        """Every payoff parameter as an array over points ``start..stop-1``."""
        vals = self.values(start, stop)
        n = stop - start
        out = {name: np.full(n, v) for name, v in self.fixed.items()}
        for k, name in enumerate(self.names):
            out[name] = np.ascontiguousarray(vals[:, k])
        return out

    def chunks(self, chunk_size: int) -> Iterator[tuple[int, int]]:
        """``(start, stop)`` of consecutive chunks."""
        for start in range(0, self.size, chunk_size):
            yield start, min(start + chunk_size, self.size)


def make_grid(
    model: Model,
    grid: Mapping[str, Any],
    strict: bool = False,
    at: Mapping[str, Any] | None = None,
) -> PointSet:
    """Validate a sweep grid and return it as a :class:`PointSet` (Cartesian product)."""
    if not isinstance(grid, Mapping) or not grid:
        raise InvalidGridError("a grid maps at least one parameter name to an array of values")
    used = frozenset(getattr(model.game, "parameters", ()))
    names = tuple(check_parameter(model, name, used=used) for name in grid)
    axes = []
    for name in names:
        values = check_values(name, grid[name])
        check_range(model, name, values, strict)
        axes.append(values)
    return PointSet(names, tuple(axes), None, fixed_values(model, at, names, used))


def make_samples(
    model: Model,
    names: tuple[str, ...],
    samples: np.ndarray,
    at: Mapping[str, Any] | None = None,
) -> PointSet:
    """A :class:`PointSet` of explicit points, one row per point, one column per name."""
    used = frozenset(getattr(model.game, "parameters", ()))
    for name in names:
        check_parameter(model, name, used=used)
    arr = np.asarray(samples, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != len(names):
        raise InvalidGridError(f"samples must have shape (N, {len(names)})")
    return PointSet(tuple(names), None, arr, fixed_values(model, at, tuple(names), used))
