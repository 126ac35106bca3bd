"""Payoff arrays of normal-form games: stacking one array per player, validation, kinds."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import numbers as nb
from ..exceptions import InvalidGameError


def stack_payoffs(arrays: Sequence[Any]) -> np.ndarray:
    """Stack one payoff array per player into an ``(n, *shape)`` array."""
    if len(arrays) == 0:
        raise InvalidGameError("a game needs at least one player")
    converted = []
    for i, a in enumerate(arrays):
        try:
            arr = np.asarray(a)
        except ValueError as exc:  # ragged nested lists
            raise InvalidGameError(f"payoffs of player {i + 1} are ragged: {exc}") from None
        if arr.dtype == object and arr.ndim > 0:
            # nested lists of unequal length arrive as 1-d object arrays of lists
            if any(isinstance(x, (list, tuple, np.ndarray)) for x in arr.reshape(-1)):
                raise InvalidGameError(f"payoffs of player {i + 1} are ragged")
        converted.append(arr)
    shape = converted[0].shape
    for i, arr in enumerate(converted):
        if arr.shape != shape:
            raise InvalidGameError(
                f"payoff arrays have different shapes: player 1 {shape}, player {i + 1} {arr.shape}"
            )
    if len(shape) != len(converted):
        raise InvalidGameError(
            f"{len(converted)} payoff arrays need {len(converted)} dimensions "
            f"(one per player), got shape {shape}"
        )
    if any(m == 0 for m in shape):
        raise InvalidGameError(f"every player needs at least one strategy, got shape {shape}")
    if all(a.dtype.kind in "iuf" for a in converted):
        out = np.stack(converted)
        if out.dtype.kind == "f" and not np.all(np.isfinite(out)):
            bad = np.argwhere(~np.isfinite(out))[0]
            raise InvalidGameError(
                f"payoff of player {bad[0] + 1} at profile {tuple(int(x) for x in bad[1:])} "
                f"is {out[tuple(bad)]!r}; payoffs must be finite"
            )
        return out
    if any(a.dtype.kind not in "iufO" for a in converted):
        bad = next(a for a in converted if a.dtype.kind not in "iufO")
        raise InvalidGameError(f"payoffs must be numbers, got array of dtype {bad.dtype}")
    return np.stack([a.astype(object) for a in converted])


def classify_payoffs(source: np.ndarray) -> str:
    if source.dtype.kind in "iu":
        return nb.EXACT
    if source.dtype.kind == "f":
        return nb.FLOAT
    kinds = set()
    for k, v in enumerate(source.reshape(-1)):
        kind = nb.entry_kind(v)
        if kind == nb.FLOAT and not math.isfinite(float(v)):
            idx = np.unravel_index(k, source.shape)
            raise InvalidGameError(
                f"payoff of player {idx[0] + 1} at profile {tuple(int(x) for x in idx[1:])} "
                f"is {v!r}; payoffs must be finite"
            )
        kinds.add(kind)
    return nb.combine_kinds(kinds)


def is_ragged(obj: Any) -> bool:
    try:
        np.asarray(obj)
    except ValueError:
        return True
    return False
