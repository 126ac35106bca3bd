"""Parsed expressions: an immutable tree with exact evaluation and sympy conversion.

:mod:`gametheory.params` parses text into :class:`Expression`; this module
evaluates the tree (exact ``Fraction`` arithmetic where possible, floats for
``exp``/``log``/``sqrt`` and fractional powers) without importing sympy, folds
constants, and converts to sympy or back to text.

A node is a tuple: ``("n", number)``, ``("v", name)``, ``(op, left, right)``
for ``op`` in ``+ - * / **``, ``("neg", operand)`` or
``("f", function_name, (arguments...))``.
"""

from __future__ import annotations

import keyword
import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from .exceptions import GameTheoryError

#: Deepest expression tree accepted (after substituting definitions).
MAX_DEPTH = 200
#: Largest expression tree accepted (after substituting definitions).
MAX_SIZE = 100_000
#: Largest integer exponent evaluated exactly.
MAX_EXPONENT = 10_000
#: Largest exact result (in bits) of a power.
MAX_BITS = 1_000_000

FUNCTIONS = {"min": (1, None), "max": (1, None), "exp": (1, 1), "log": (1, 1),
             "sqrt": (1, 1), "abs": (1, 1)}


class ExpressionError(GameTheoryError, ValueError):
    """An expression is not valid in the payoff grammar."""


def is_valid_name(name: str) -> bool:
    """True when ``name`` can be a parameter: an identifier, not a keyword or function."""
    return (
        isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)
        and name not in FUNCTIONS and name.isascii()
    )


class Expression:
    """An immutable parsed expression.

    Attributes
    ----------
    node
        The expression tree (nested tuples).
    names
        Free parameter names, sorted.
    depth, size
        Depth and number of nodes of the tree.
    """

    __slots__ = ("depth", "names", "node", "size")

    def __init__(self, node: tuple, names: tuple[str, ...], depth: int, size: int) -> None:
        self.node = node
        self.names = names
        self.depth = depth
        self.size = size

    @property
    def is_constant(self) -> bool:
        """True when the expression has no free names."""
        return not self.names

    def evaluate(self, values: Mapping[str, Any] | None = None) -> int | Fraction | float:
        """Numeric value with ``values`` for the free names.

        Exact inputs give exact results (``int``/``Fraction``) wherever the
        operations allow; ``exp``, ``log``, ``sqrt`` and fractional powers give
        floats.

        Raises
        ------
        ExpressionError
            For a missing value, division by zero, a non-real or non-finite result.
        """
        value = evaluate_node(self.node, values or {})
        return _finish(value)

    def substitute(self, values: Mapping[str, Any]) -> Expression:
        """A new expression with some names replaced by exact numbers and folded."""
        node = _substitute(self.node, values)
        return wrap(node)

    def to_sympy(self, cache: dict | None = None) -> Any:
        """The sympy object of this expression (imports sympy)."""
        return _to_sympy(self.node, {} if cache is None else cache)

    def text(self) -> str:
        """Canonical text that parses back to the same expression."""
        return _format(self.node, 0)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and self.node == other.node

    def __hash__(self) -> int:
        return hash(self.node)

    def __repr__(self) -> str:
        return f"Expression({self.text()!r})"


def children(node: tuple) -> tuple:
    """The sub-nodes of a node."""
    kind = node[0]
    if kind in ("n", "v"):
        return ()
    if kind == "neg":
        return (node[1],)
    if kind == "f":
        return node[2]
    return (node[1], node[2])


def wrap(node: tuple) -> Expression:
    """An :class:`Expression` around a node tree, checking its depth and size."""
    names: set[str] = set()
    depth, size = _measure(node, names, {}, 1)
    return Expression(node, tuple(sorted(names)), depth, size)


def _measure(node: tuple, names: set[str], memo: dict, level: int) -> tuple[int, int]:
    """Depth and expanded size of a tree whose subtrees may be shared."""
    if level > MAX_DEPTH:
        raise ExpressionError(f"expression is nested too deeply (more than {MAX_DEPTH} levels)")
    key = id(node)
    if key in memo:
        return memo[key][:2]
    if node[0] == "v":
        names.add(node[1])
    depth, size = 0, 1
    for child in children(node):
        d, s = _measure(child, names, memo, level + 1)
        depth, size = max(depth, d), size + s
        if size > MAX_SIZE:
            raise ExpressionError(f"expression is too large (more than {MAX_SIZE} terms "
                                  "after substituting definitions)")
    memo[key] = (depth + 1, size, node)
    return depth + 1, size


def normal(value: Any) -> Any:
    """``int`` for integral ``Fraction`` values, otherwise the value unchanged."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    return value


# ---------------------------------------------------------------------- evaluation


def _exact(value: Any) -> bool:
    return isinstance(value, (int, Fraction)) and not isinstance(value, bool)


def evaluate_node(node: tuple, values: Mapping[str, Any]) -> Any:
    """Numeric value of a node tree (exact where the operations allow)."""
    kind = node[0]
    if kind == "n":
        return node[1]
    if kind == "v":
        try:
            return values[node[1]]
        except KeyError:
            raise ExpressionError(f"no value for parameter {node[1]!r}") from None
    if kind == "neg":
        return -evaluate_node(node[1], values)
    if kind == "f":
        args = [evaluate_node(a, values) for a in node[2]]
        return _call(node[1], args)
    a = evaluate_node(node[1], values)
    b = evaluate_node(node[2], values)
    try:
        if kind == "+":
            return a + b
        if kind == "-":
            return a - b
        if kind == "*":
            return a * b
        if kind == "/":
            if b == 0:
                raise ExpressionError("division by zero")
            return Fraction(a) / b if _exact(a) and _exact(b) else a / b
        return _power(a, b)
    except OverflowError:
        raise ExpressionError("number too large") from None


def _power(a: Any, b: Any) -> Any:
    if _exact(a) and _exact(b) and Fraction(b).denominator == 1:
        e = int(b)
        if abs(e) > MAX_EXPONENT:
            raise ExpressionError(f"exponent {e} is too large (the limit is {MAX_EXPONENT})")
        base = Fraction(a)
        if base == 0 and e < 0:
            raise ExpressionError("division by zero (0 to a negative power)")
        bits = base.numerator.bit_length() + base.denominator.bit_length()
        if bits * abs(e) > MAX_BITS:
            raise ExpressionError("result of ** is too large")
        return base**e
    if a < 0:
        raise ExpressionError(f"({a})**({b}) is not a real number")
    if a == 0 and b < 0:
        raise ExpressionError("division by zero (0 to a negative power)")
    return float(a) ** float(b)


def _call(name: str, args: list) -> Any:
    if name == "min":
        return min(args)
    if name == "max":
        return max(args)
    (x,) = args
    if name == "abs":
        return abs(x)
    try:
        if name == "sqrt":
            if x < 0:
                raise ExpressionError(f"sqrt of a negative number ({x})")
            if _exact(x):
                f = Fraction(x)
                n, d = math.isqrt(f.numerator), math.isqrt(f.denominator)
                if n * n == f.numerator and d * d == f.denominator:
                    return Fraction(n, d)
            return math.sqrt(x)
        if name == "exp":
            if x == 0:
                return 1
            return math.exp(x)
        if x <= 0:  # log
            raise ExpressionError(f"log of a non-positive number ({x})")
        if x == 1:
            return 0
        if _exact(x):
            f = Fraction(x)
            return math.log(f.numerator) - math.log(f.denominator)
        return math.log(x)
    except OverflowError:
        raise ExpressionError(f"{name}({x}) is too large") from None


def _finish(value: Any) -> Any:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ExpressionError(f"result {value} is not finite")
        return value
    if isinstance(value, complex):
        raise ExpressionError(f"result {value} is not a real number")
    return normal(value)


def _substitute(node: tuple, values: Mapping[str, Any]) -> tuple:
    kind = node[0]
    if kind == "n":
        return node
    if kind == "v":
        return ("n", values[node[1]]) if node[1] in values else node
    if kind == "neg":
        new = (kind, _substitute(node[1], values))
    elif kind == "f":
        new = (kind, node[1], tuple(_substitute(a, values) for a in node[2]))
    else:
        new = (kind, _substitute(node[1], values), _substitute(node[2], values))
    if all(c[0] == "n" for c in children(new)):
        value = evaluate_node(new, {})
        if not isinstance(value, float):
            return ("n", normal(value))
    return identities(new)


def identities(node: tuple) -> tuple:
    """Drop ``x*0``, ``x*1``, ``x+0``, ``x-0``, ``0-x``, ``x/1``, ``x**1``, ``x**0``."""
    kind = node[0]
    if kind not in ("+", "-", "*", "/", "**"):
        return node
    left, right = node[1], node[2]
    lv = left[1] if left[0] == "n" else None
    rv = right[1] if right[0] == "n" else None
    if kind == "*":
        if lv == 0 or rv == 0:
            return ("n", 0)
        if lv == 1:
            return right
        if rv == 1:
            return left
    elif kind == "+":
        if lv == 0:
            return right
        if rv == 0:
            return left
    elif kind == "-":
        if rv == 0:
            return left
        if lv == 0:
            return ("neg", right)
    elif kind == "/":
        if rv == 1:
            return left
    elif kind == "**":
        if rv == 1:
            return left
        if rv == 0:
            return ("n", 1)
    return node


# ---------------------------------------------------------------------- conversion


def _to_sympy(node: tuple, cache: dict) -> Any:
    key = id(node)
    if key in cache:
        return cache[key][1]
    import sympy

    kind = node[0]
    if kind == "n":
        v = node[1]
        out = sympy.Integer(v) if isinstance(v, int) else sympy.Rational(v.numerator, v.denominator)
    elif kind == "v":
        out = sympy.Symbol(node[1])
    elif kind == "neg":
        out = -_to_sympy(node[1], cache)
    elif kind == "f":
        args = [_to_sympy(a, cache) for a in node[2]]
        func = {"min": sympy.Min, "max": sympy.Max, "exp": sympy.exp, "log": sympy.log,
                "sqrt": sympy.sqrt, "abs": sympy.Abs}[node[1]]
        out = func(*args)
    else:
        a, b = _to_sympy(node[1], cache), _to_sympy(node[2], cache)
        if kind == "+":
            out = a + b
        elif kind == "-":
            out = a - b
        elif kind == "*":
            out = a * b
        elif kind == "/":
            out = a / b
        else:
            out = sympy.Pow(a, b)
    cache[key] = (node, out)  # keep node alive so its id stays unique
    return out


_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "**": 4}


def _format(node: tuple, outer: int) -> str:
    kind = node[0]
    if kind == "n":
        v = node[1]
        text = str(v)
        prec = 2 if isinstance(v, Fraction) else 3 if v < 0 else 5
    elif kind == "v":
        text, prec = node[1], 5
    elif kind == "f":
        text, prec = f"{node[1]}({', '.join(_format(a, 0) for a in node[2])})", 5
    elif kind == "neg":
        text, prec = "-" + _format(node[1], 4), 3
    else:
        prec = _PREC[kind]
        if kind == "**":  # right-associative; unary minus binds looser than **
            left, right = _format(node[1], 5), _format(node[2], 3)
        else:
            left, right = _format(node[1], prec), _format(node[2], prec + 1)
        sep = "**" if kind == "**" else f" {kind} "
        text = f"{left}{sep}{right}"
    return f"({text})" if prec < outer else text
