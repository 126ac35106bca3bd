"""Value arrays of games: kinds, conversion, chance checks, parameter substitution and evaluation.

Payoffs (outcome vectors) and chance probabilities are stored as given: a
float64 array, or an object array of ``int``/``Fraction``/sympy entries.  The
helpers here classify them, convert them to float or exact arrays, check chance
probabilities and substitute or evaluate parameters (sympy imported lazily).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from .. import numbers as nb
from ..exceptions import InvalidGameError, UnboundParameterError, UnknownParameterError

#: Float chance probabilities must sum to 1 within this absolute tolerance.
PROB_SUM_TOL = 1e-9


def as_source(values: Any, what: str) -> np.ndarray:
    """A float64 array when every entry is a float, else an object array."""
    arr = np.asarray(values) if not isinstance(values, np.ndarray) else values
    if arr.dtype.kind == "f":
        arr = arr.astype(np.float64, copy=False)
        if not np.all(np.isfinite(arr)):
            raise InvalidGameError(f"{what} must be finite")
        return arr
    if arr.dtype.kind in "iu":
        if arr.size and np.abs(arr).max() >= 2**53:
            return arr.astype(object)
        return arr.astype(np.int64, copy=False)
    if arr.dtype.kind == "b":
        raise InvalidGameError(f"{what} must be numbers, not booleans")
    if arr.dtype != object:
        raise InvalidGameError(f"{what} must be numbers, got dtype {arr.dtype}")
    return arr


def classify(arr: np.ndarray, what: str, skip: np.ndarray | None = None) -> str:
    """Kind of a value array (``skip`` marks entries that are not used)."""
    if arr.dtype.kind == "f":
        return nb.FLOAT
    if arr.dtype.kind in "iu":
        return nb.EXACT
    kinds = set()
    flat = arr.reshape(-1)
    use = range(flat.size) if skip is None else np.flatnonzero(~skip.reshape(-1))
    for k in use:
        v = flat[k]
        kind = nb.entry_kind(v)
        if kind == nb.FLOAT and not math.isfinite(float(v)):
            raise InvalidGameError(f"{what} {v!r} is not finite")
        kinds.add(kind)
    return nb.combine_kinds(kinds)


#: Entry types that numpy converts to float64 exactly as ``float(value)`` does.
_PLAIN = frozenset({int, float, Fraction})


def to_float(arr: np.ndarray, skip: np.ndarray | None = None) -> np.ndarray:
    """float64 copy (entries marked by ``skip`` become NaN)."""
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind in "iu":
        return arr.astype(np.float64)
    out = np.full(arr.shape, np.nan)
    flat_out, flat = out.reshape(-1), arr.reshape(-1)
    use = range(flat.size) if skip is None else np.flatnonzero(~skip.reshape(-1))
    used = flat if skip is None else flat[use]
    if _PLAIN.issuperset(map(type, used.tolist())):  # no symbolic entries: one cast
        flat_out[slice(None) if skip is None else use] = used.astype(np.float64)
        return out
    for k in use:
        flat_out[k] = nb.to_float(flat[k])
    return out


def to_exact(arr: np.ndarray, skip: np.ndarray | None = None) -> np.ndarray:
    """Object array of ``Fraction`` (entries marked by ``skip`` become ``None``)."""
    out = np.empty(arr.shape, dtype=object)
    flat_out, flat = out.reshape(-1), arr.reshape(-1)
    use = range(flat.size) if skip is None else np.flatnonzero(~skip.reshape(-1))
    for k in use:
        flat_out[k] = nb.to_fraction(flat[k])
    return out


def check_chance(
    probs: np.ndarray,
    offsets: np.ndarray,
    chance_sets: np.ndarray,
    kind: str,
    label: Callable[[int], str],
) -> None:
    """Check that each chance information set's probabilities are a distribution.

    Exact probabilities are checked exactly, floats within :data:`PROB_SUM_TOL`;
    symbolic ones are checked when the game is bound.
    """
    if chance_sets.size == 0:
        return
    if kind == nb.SYMBOLIC:
        return
    if kind == nb.EXACT:
        for h in chance_sets:
            vals = [nb.to_fraction(v) for v in probs[offsets[h] : offsets[h + 1]]]
            if any(v < 0 for v in vals):
                raise InvalidGameError(f"chance node {label(int(h))}: negative probability")
            total = sum(vals, Fraction(0))
            if total != 1:
                raise InvalidGameError(
                    f"chance node {label(int(h))}: probabilities sum to {total}, not 1"
                )
        return
    lo, hi = offsets[chance_sets], offsets[chance_sets + 1]
    counts = hi - lo
    idx = np.repeat(lo - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
    if probs.dtype.kind == "f":
        vals = probs[idx]
    else:
        vals = np.array([nb.to_float(probs[k]) for k in idx], dtype=np.float64)
    neg = ~(vals >= 0)
    if np.any(neg):
        h = chance_sets[np.searchsorted(np.cumsum(counts), np.flatnonzero(neg)[0], side="right")]
        raise InvalidGameError(f"chance node {label(int(h))}: negative or missing probability")
    sums = np.add.reduceat(vals, np.cumsum(counts) - counts)
    bad = np.flatnonzero(~(np.abs(sums - 1.0) <= PROB_SUM_TOL))
    if bad.size:
        h = chance_sets[bad[0]]
        raise InvalidGameError(
            f"chance node {label(int(h))}: probabilities sum to {float(sums[bad[0]])!r}, not 1"
        )


def free_parameters(arrays: Sequence[np.ndarray]) -> tuple[str, ...]:
    """Sorted names of the free symbols in object arrays."""
    names: set[str] = set()
    for arr in arrays:
        if arr.dtype != object:
            continue
        for v in arr.reshape(-1):
            names.update(str(s) for s in getattr(v, "free_symbols", ()))
    return tuple(sorted(names))


def check_bind_values(params: Sequence[str], values: Mapping[str, Any]) -> bool:
    """Validate parameter values for ``bind``; True when all are exact."""
    unknown = sorted(set(values) - set(params))
    if unknown:
        raise UnknownParameterError(
            f"unknown parameter {unknown[0]!r}; the game's parameters are "
            f"{', '.join(params) or '(none)'}"
        )
    missing = sorted(set(params) - set(values))
    if missing:
        raise UnboundParameterError(f"no value for parameter(s) {', '.join(missing)}")
    for name, v in values.items():
        nb.entry_kind(v)
        if isinstance(v, float) and not math.isfinite(v):
            raise InvalidGameError(f"parameter {name} = {v!r} is not finite")
    return all(nb.entry_kind(v) == nb.EXACT for v in values.values())


def substitute(arr: np.ndarray, values: Mapping[str, Any], exact: bool) -> np.ndarray:
    """Array with parameters replaced by values (exact stays exact)."""
    if arr.dtype != object:
        return arr
    import sympy

    if exact:
        subs = {
            sympy.Symbol(k): sympy.Rational(
                nb.to_fraction(v).numerator, nb.to_fraction(v).denominator
            )
            for k, v in values.items()
        }
    else:
        subs = {sympy.Symbol(k): sympy.Float(float(v)) for k, v in values.items()}
    out = np.empty(arr.shape, dtype=object)
    flat_out, flat = out.reshape(-1), arr.reshape(-1)
    for k, v in enumerate(flat):
        if v is None:
            flat_out[k] = None
            continue
        value = v.xreplace(subs) if hasattr(v, "xreplace") else v
        flat_out[k] = _number(value, exact)
    if not exact:
        return np.array(
            [np.nan if v is None else float(v) for v in flat_out], dtype=np.float64
        ).reshape(arr.shape)
    return out


def _number(value: Any, exact: bool) -> Any:
    if isinstance(value, (int, Fraction)):
        return value
    if isinstance(value, float):
        return value
    if getattr(value, "is_Rational", False):
        return Fraction(int(value.p), int(value.q))
    if getattr(value, "free_symbols", None):
        raise UnboundParameterError(f"expression {value} still has free parameters")
    return float(value)


def lambdified(arr: np.ndarray, names: Sequence[str]) -> Callable[..., np.ndarray]:
    """``f(*columns) -> (N, *arr.shape)`` float evaluation of an object array."""
    import sympy

    symbols = [sympy.Symbol(n) for n in names]
    flat = [0 if v is None else v for v in arr.reshape(-1)]
    func = sympy.lambdify(symbols, flat, modules="numpy", cse=True) if flat else None
    shape = arr.shape

    def evaluate(*cols: np.ndarray) -> np.ndarray:
        n_points = max((c.size for c in cols), default=1)
        out = np.empty((n_points, len(flat)), dtype=np.float64)
        if func is not None:
            for k, v in enumerate(func(*cols)):
                out[:, k] = v
        return out.reshape((n_points, *shape))

    return evaluate
