"""Checks of the values given to the tree builders: payoffs, probabilities, labels.

Wrong-typed input gets an :class:`~gametheory.exceptions.InvalidGameError`
saying what was expected and what was given, never a bare Python error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ..exceptions import InvalidGameError


def check_value(v: Any, what: str) -> Any:
    """A payoff or probability: numbers and sympy expressions as given, ``"a/b"`` text exact."""
    if isinstance(v, str):
        try:
            return Fraction(v.strip())
        except (ValueError, ZeroDivisionError):
            raise InvalidGameError(f"{what} {v!r} is not a number or a rational 'a/b'") from None
    if isinstance(v, bool) or v is None:
        raise InvalidGameError(f"{what} {v!r} is not a number")
    return v


def type_name(v: Any) -> str:
    """``a list``, ``the number 0.5``, ... for error messages about wrong-typed input."""
    if isinstance(v, str):
        return f"the text {v!r}"
    if isinstance(v, (bool, np.bool_)):
        return f"the boolean {v!r}"
    if isinstance(v, (int, float, Fraction, np.number)):
        return f"the number {v}"
    if isinstance(v, Mapping):
        return "a mapping" if len(v) else "an empty mapping"
    if isinstance(v, (list, tuple)):
        name = type(v).__name__
        return f"a {name} of {len(v)} items" if len(v) else f"an empty {name}"
    if v is None:
        return "None"
    return f"a {type(v).__name__} ({v!r})"[:80]


def payoff_list(payoffs: Any, where: str) -> Any:
    """``payoffs`` after checking it is a sequence of values or a mapping by player."""
    if isinstance(payoffs, Mapping):
        return payoffs
    if isinstance(payoffs, (str, bytes)) or not isinstance(payoffs, (Sequence, np.ndarray)):
        raise InvalidGameError(
            f"payoffs at {where}: expected a list with one payoff per player or a mapping "
            f"{{player: payoff}}, got {type_name(payoffs)}"
        )
    return payoffs


def label_text(text: Any, what: str) -> str:
    """A non-empty label given as text."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidGameError(f"{what} must be non-empty text, got {type_name(text)}")
    return text
