"""A model: a (possibly symbolic) game plus documented parameters."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import numbers as nb
from ..exceptions import InvalidGameError, OutOfRangeWarning, UnknownParameterError


@dataclass(frozen=True)
class Parameter:
    """A named parameter of a model.

    Attributes
    ----------
    name
        Identifier used in payoff expressions.
    value
        Baseline value (``float`` or exact ``Fraction``/``int``).
    range
        ``(low, high)`` plausible range, or ``None``.
    description
        What the parameter means.
    source
        The sentence or dated fact that grounds it.
    """

    name: str
    value: Any
    range: tuple[Any, Any] | None = None
    description: str = ""
    source: str = ""

    def in_range(self, value: Any) -> bool:
        """True when ``value`` lies in the declared range (or no range is declared)."""
        if self.range is None:
            return True
        lo, hi = self.range
        return lo <= value <= hi

    def to_dict(self) -> dict[str, Any]:
        """Plain data (exact values as ``"a/b"`` text)."""
        out: dict[str, Any] = {"value": _plain(self.value)}
        if self.range is not None:
            out["range"] = [_plain(v) for v in self.range]
        if self.description:
            out["description"] = self.description
        if self.source:
            out["source"] = self.source
        return out


@dataclass(frozen=True)
class Model:
    """A game whose payoffs may depend on named, documented parameters.

    Attributes
    ----------
    game
        The game; symbolic when payoffs use parameters.
    parameters
        Declared parameters by name, in declaration order.
    title, description
        Human-readable text.
    source_file
        Where the model was read from (``None`` when built in code).
    """

    game: Any
    parameters: Mapping[str, Parameter] = field(default_factory=dict)
    title: str = ""
    description: str = ""
    source_file: str | None = None

    @property
    def form(self) -> str:
        """Form of the underlying game."""
        return self.game.form

    @property
    def num_players(self) -> int:
        """Number of players."""
        return self.game.num_players

    def baseline(self) -> dict[str, Any]:
        """Baseline value of every declared parameter."""
        return {name: p.value for name, p in self.parameters.items()}

    def resolve(self, strict: bool = False, **values: Any) -> dict[str, Any]:
        """Baseline values overridden by ``values``, checked.

        Raises
        ------
        UnknownParameterError
            For a name that is not declared.
        InvalidGameError
            For a non-finite value, or (with ``strict``) a value outside its range.
        """
        for name, v in values.items():
            if name not in self.parameters:
                declared = ", ".join(self.parameters) or "(none)"
                raise UnknownParameterError(f"unknown parameter {name!r}; declared: {declared}")
            if isinstance(v, bool) or nb.entry_kind(v) == nb.SYMBOLIC:
                raise InvalidGameError(f"parameter {name} needs a number, got {v!r}")
            if isinstance(v, float) and not math.isfinite(v):
                raise InvalidGameError(f"parameter {name} = {v!r} is not finite")
            p = self.parameters[name]
            if not p.in_range(v):
                lo, hi = p.range  # type: ignore[misc]
                message = f"parameter {name} = {v} is outside its range [{lo}, {hi}]"
                if strict:
                    raise InvalidGameError(message)
                warnings.warn(message, OutOfRangeWarning, stacklevel=3)
        merged = self.baseline()
        merged.update(values)
        return merged

    def bind(self, strict: bool = False, **values: Any) -> Any:
        """Numeric game at the baseline, with some parameters overridden."""
        merged = self.resolve(strict=strict, **values)
        used = set(getattr(self.game, "parameters", ()))
        return (
            self.game.bind(**{k: v for k, v in merged.items() if k in used}) if used else self.game
        )

    def baseline_game(self) -> Any:
        """Numeric game at the baseline values."""
        return self.bind()


def _plain(value: Any) -> Any:
    from fractions import Fraction

    if isinstance(value, Fraction):
        return str(value) if value.denominator != 1 else int(value)
    return value
