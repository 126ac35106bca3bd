"""Number handling: entry kinds, exact conversion and the one tolerance policy.

A payoff or probability is a ``float``, a :class:`fractions.Fraction` (exact) or
a sympy expression (symbolic).  Numeric solvers work on float64 arrays; exact
certification works on object arrays of ``Fraction``.  The tolerance used to
decide "is this an equilibrium" is relative to the payoff range of the game and
is defined here only.
"""

from __future__ import annotations

import math
import numbers as _numbers
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from .exceptions import InvalidGameError

#: Relative tolerance: regret below ``RTOL * payoff range`` counts as zero.
RTOL = 1e-9
#: Probabilities below this are treated as outside the support.
PROB_TOL = 1e-9

FLOAT, EXACT, SYMBOLIC = "float", "exact", "symbolic"


def tolerance(payoff_range: float) -> float:
    """Absolute regret tolerance for a game whose payoffs span ``payoff_range``."""
    return RTOL * max(float(payoff_range), 1.0)


def is_symbolic(value: Any) -> bool:
    """True for sympy objects that are not plain numbers."""
    mod = type(value).__module__
    if not mod.startswith("sympy"):
        return False
    return not getattr(value, "is_number", False) or bool(getattr(value, "free_symbols", ()))


def entry_kind(value: Any) -> str:
    """Classify one entry as ``"float"``, ``"exact"`` or ``"symbolic"``."""
    if isinstance(value, bool):
        raise InvalidGameError(f"payoff {value!r} is a boolean, not a number")
    if isinstance(value, (int, np.integer, Fraction)):
        return EXACT
    if isinstance(value, (float, np.floating)):
        return FLOAT
    if type(value).__module__.startswith("sympy"):
        if is_symbolic(value):
            return SYMBOLIC
        return EXACT if getattr(value, "is_Rational", False) else FLOAT
    if isinstance(value, Decimal):
        return EXACT
    if isinstance(value, _numbers.Real):
        return FLOAT
    raise InvalidGameError(f"payoff {value!r} of type {type(value).__name__} is not a number")


def combine_kinds(kinds: Iterable[str]) -> str:
    """The kind of an array holding entries of the given kinds."""
    kinds = set(kinds)
    if SYMBOLIC in kinds:
        return SYMBOLIC
    if FLOAT in kinds:
        return FLOAT
    return EXACT


def to_fraction(value: Any) -> Fraction:
    """Exact rational value of a number.

    Floats are read through their shortest decimal representation, so
    ``0.1`` becomes ``1/10`` (the number the user wrote), not the binary
    rational nearest to it.
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (int, np.integer)):
        return Fraction(int(value))
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise InvalidGameError(f"non-finite value {value!r}")
        return Fraction(repr(float(value)))
    if isinstance(value, Decimal):
        return Fraction(value)
    if type(value).__module__.startswith("sympy"):
        if getattr(value, "is_Rational", False):
            return Fraction(int(value.p), int(value.q))
        if is_symbolic(value):
            raise InvalidGameError(f"symbolic value {value} has no numeric value")
        return to_fraction(float(value))
    return to_fraction(float(value))


def to_float(value: Any) -> float:
    """Float value of a number (raises for unbound symbolic entries)."""
    if is_symbolic(value):
        raise InvalidGameError(f"symbolic value {value} has no numeric value")
    return float(value)


def as_fraction_array(values: np.ndarray) -> np.ndarray:
    """Object array of ``Fraction`` with the same shape."""
    arr = np.asarray(values, dtype=object)
    out = np.empty(arr.shape, dtype=object)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for k, v in enumerate(flat_in):
        flat_out[k] = to_fraction(v)
    return out


def as_float_array(values: np.ndarray) -> np.ndarray:
    """float64 array with the same shape (raises for symbolic entries)."""
    arr = np.asarray(values)
    if arr.dtype != object:
        return arr.astype(np.float64)
    out = np.empty(arr.shape, dtype=np.float64)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for k, v in enumerate(flat_in):
        flat_out[k] = to_float(v)
    return out


def rationalize(x: float, max_denominator: int) -> Fraction:
    """Closest rational to ``x`` with a bounded denominator."""
    return Fraction(repr(float(x))).limit_denominator(max_denominator)


def format_fraction(value: Fraction) -> str:
    """``"1/3"`` or ``"2"``: the JSON text of an exact value."""
    return str(value)
