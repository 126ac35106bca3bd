"""Mixed strategy profiles: accepted input forms and validation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import numbers as nb
from ..exceptions import InvalidProfileError

if TYPE_CHECKING:
    from .normal_form import NormalFormGame

#: A profile: one probability vector per player, as a sequence, or a mapping
#: from player label to a vector or to ``{strategy label: probability}``.
Profile = Sequence[Any] | Mapping[str, Any]


def _vector(game: NormalFormGame, i: int, value: Any, exact: bool) -> np.ndarray:
    m = game.shape[i]
    player = game.players[i]
    if isinstance(value, Mapping):
        vec = [Fraction(0) if exact else 0.0] * m
        for label, p in value.items():
            vec[game.strategy_index(i, label)] = p
        value = vec
    if exact:
        try:
            arr = np.array(
                [nb.to_fraction(p) for p in np.asarray(value, dtype=object).reshape(-1)],
                dtype=object,
            )
        except (TypeError, ValueError) as exc:
            raise InvalidProfileError(
                f"probabilities of {player} are not exact numbers: {exc}"
            ) from None
        total = sum(arr, Fraction(0))
    else:
        try:
            arr = np.asarray(value, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise InvalidProfileError(f"probabilities of {player} are not numbers: {exc}") from None
        total = float(arr.sum()) if arr.size else 0.0
    if arr.size != m:
        raise InvalidProfileError(
            f"{player} has {m} strategies but {arr.size} probabilities were given"
        )
    if exact:
        if any(p < 0 for p in arr) or total != 1:
            raise InvalidProfileError(
                f"probabilities of {player} must be non-negative and sum to 1"
            )
    else:
        if not np.all(np.isfinite(arr)) or np.any(arr < -1e-9) or abs(total - 1.0) > 1e-6:
            raise InvalidProfileError(
                f"probabilities of {player} must be non-negative and sum to 1, got {arr.tolist()}"
            )
    return arr


def normalize_profile(
    game: NormalFormGame, profile: Profile, exact: bool = False
) -> list[np.ndarray]:
    """Return a profile as a list of probability vectors (float64, or Fraction when exact).

    Raises
    ------
    InvalidProfileError
        When the profile does not fit the game.
    """
    n = game.num_players
    if isinstance(profile, Mapping):
        unknown = [p for p in profile if p not in game.players]
        if unknown:
            raise InvalidProfileError(f"unknown player {unknown[0]!r} in profile")
        missing = [p for p in game.players if p not in profile]
        if missing:
            raise InvalidProfileError(f"profile has no strategy for {missing[0]}")
        items = [profile[p] for p in game.players]
    else:
        items = list(profile)
        if len(items) != n:
            raise InvalidProfileError(
                f"a profile needs {n} strategies (one per player), got {len(items)}"
            )
    if not exact and all(isinstance(v, np.ndarray) and v.dtype == np.float64 for v in items):
        if all(v.shape == (game.shape[i],) for i, v in enumerate(items)):
            return items  # fast path for solvers; callers pass valid vectors
    return [_vector(game, i, v, exact) for i, v in enumerate(items)]


def pure_profile(
    shape: Sequence[int], indices: Sequence[int], exact: bool = False
) -> list[np.ndarray]:
    """The mixed profile that plays pure strategy ``indices[i]`` for each player."""
    out = []
    for m, k in zip(shape, indices):
        if exact:
            v = np.array([Fraction(0)] * m, dtype=object)
            v[k] = Fraction(1)
        else:
            v = np.zeros(m)
            v[k] = 1.0
        out.append(v)
    return out
