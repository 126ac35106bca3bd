"""Exact numbers from the text of YAML/JSON scalars (no float rounding)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .nodes import Node

#: Largest decimal exponent read (``1e400`` is already beyond float range).
MAX_EXPONENT = 1000


def _int_text(text: str) -> int:
    """A YAML 1.1 / JSON integer (signs, ``_``, ``0x``, ``0o``, ``0b``, ``0`` octal, ``a:b``)."""
    t = text.replace("_", "")
    sign = -1 if t.startswith("-") else 1
    t = t.lstrip("+-")
    if t.startswith("0b"):
        value = int(t[2:], 2)
    elif t.startswith("0x"):
        value = int(t[2:], 16)
    elif t.startswith("0o"):
        value = int(t[2:], 8)
    elif ":" in t:
        value = 0
        for part in t.split(":"):
            value = value * 60 + int(part)
    elif len(t) > 1 and t.startswith("0"):
        value = int(t, 8)
    else:
        value = int(t)
    return sign * value


def _float_text(text: str) -> Fraction | int:
    """A YAML 1.1 / JSON decimal as an exact rational (``0.1`` is ``1/10``)."""
    t = text.replace("_", "").strip()
    if ":" in t:
        sign = -1 if t.startswith("-") else 1
        value = Fraction(0)
        for part in t.lstrip("+-").split(":"):
            value = value * 60 + Fraction(part)
        value *= sign
    else:
        exponent = t.lower().partition("e")[2]
        if exponent and abs(int(exponent)) > MAX_EXPONENT:
            raise ValueError(t)
        value = Fraction(t)
    return int(value) if value.denominator == 1 else value


def scalar_number(node: Node, reader: Any, path: str) -> Fraction | int:
    """The exact value of an ``int`` or ``float`` scalar node.

    Raises
    ------
    ModelFileError
        (through ``reader.error``) for infinities, NaN or unreadable numbers.
    """
    text = str(node.value)
    if text.strip().lower().lstrip("+-") in (".inf", ".nan", "inf", "nan"):
        raise reader.error(node, path, f"{text} is not a finite number")
    try:
        return _int_text(text) if node.tag == "int" else _float_text(text)
    except (ValueError, ZeroDivisionError):
        raise reader.error(node, path, f"cannot read the number {text!r}") from None
