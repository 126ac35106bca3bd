"""Safe payoff expressions: a whitelisted grammar, never ``eval``.

Text such as ``"approval_gain + alliance_credit - readiness_cost"`` is parsed
with :func:`ast.parse` (``mode="eval"``) and the syntax tree is walked with a
strict whitelist:

* numbers (integers and decimals; decimals become exact rationals, so
  ``0.3`` is ``3/10``),
* names of declared parameters (and of named definitions),
* ``+ - * / **`` and unary ``+ -``, parentheses,
* calls of ``min``, ``max``, ``exp``, ``log``, ``sqrt`` and ``abs`` with
  positional arguments.

Everything else (attribute access, subscripts, strings, lambdas,
comprehensions, keyword arguments, undeclared names, calls of anything else)
is refused with an :class:`ExpressionError`.  Nothing in the text is ever
executed.

The parsed form is a small immutable tree (:class:`Expression`) that can be
evaluated exactly (``Fraction``) or in floats without importing sympy, and
converted to sympy on demand (:func:`parse_expression` returns sympy).
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Mapping
from fractions import Fraction
from typing import Any

from .expression import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_EXPONENT,
    Expression,
    ExpressionError,
    children,
    evaluate_node,
    identities,
    is_valid_name,
    normal,
    wrap,
)

#: Longest expression text accepted.
MAX_LENGTH = 2000
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_NAMES_OF_NODES = {
    ast.Attribute: "attribute access is", ast.Subscript: "subscripts are",
    ast.Lambda: "lambdas are", ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are", ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "comprehensions are", ast.Compare: "comparisons are",
    ast.BoolOp: "boolean operators are", ast.IfExp: "conditional expressions are",
    ast.List: "lists are", ast.Tuple: "tuples are", ast.Dict: "dictionaries are",
    ast.Set: "sets are", ast.JoinedStr: "strings are", ast.Starred: "starred arguments are",
    ast.NamedExpr: "assignments are", ast.Await: "await is", ast.Yield: "yield is",
    ast.YieldFrom: "yield is",
}


def compile_expression(
    text: str,
    parameters: Collection[str],
    where: str = "",
    definitions: Mapping[str, Expression] | None = None,
) -> Expression:
    """Parse ``text`` into an :class:`Expression` over the declared names.

    Parameters
    ----------
    text
        The expression text.
    parameters
        Names that may appear free in the expression.
    where
        Prefix for error messages (e.g. the key of the payoff).
    definitions
        Named sub-expressions substituted where their name appears.

    Raises
    ------
    ExpressionError
        When the text is not in the grammar.
    """
    prefix = f"{where}: " if where else ""
    if not isinstance(text, str):
        raise ExpressionError(f"{prefix}expected expression text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"{prefix}expression is too long ({len(text)} characters; "
                              f"the limit is {MAX_LENGTH})")
    if not text.strip():
        raise ExpressionError(f"{prefix}empty expression")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        col = f" at column {exc.offset}" if exc.offset else ""
        raise ExpressionError(f"{prefix}invalid expression {text!r}: {exc.msg}{col}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        kind = type(exc).__name__
        raise ExpressionError(f"{prefix}invalid expression {text!r}: {kind}") from None
    builder = _Builder(text.strip(), set(parameters), dict(definitions or {}), prefix)
    node = builder.build(tree.body, 0)
    return wrap(node)


def parse_expression(text: Any, parameters: Collection[str], where: str = "") -> Any:
    """Parse an expression into a number or a sympy expression.

    Parameters
    ----------
    text
        Expression text (numbers are returned unchanged).
    parameters
        Declared parameter names.
    where
        Prefix for error messages.

    Returns
    -------
    int, Fraction, float or sympy.Expr
        ``int``/``Fraction`` for rational constants, a sympy expression when the
        text uses parameters or irrational functions.
    """
    if isinstance(text, bool):
        raise ExpressionError(f"{where + ': ' if where else ''}expected a number, got {text!r}")
    if isinstance(text, (int, Fraction, float)):
        return text
    expr = compile_expression(text, parameters, where)
    if expr.node[0] == "n":
        return expr.node[1]
    return expr.to_sympy()


def format_expression(value: Any) -> str:
    """Text of a number or sympy expression in the grammar of this module.

    Raises
    ------
    ExpressionError
        For sympy objects the grammar cannot express (``pi``, ``sin``, complex).
    """
    if isinstance(value, Expression):
        return value.text()
    if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return _sympy_text(value)


# ---------------------------------------------------------------------- building


class _Builder:
    def __init__(self, text: str, names: set[str], definitions: dict[str, Expression],
                 prefix: str) -> None:
        self.text = text
        self.names = names
        self.definitions = definitions
        self.prefix = prefix

    def fail(self, node: ast.AST, message: str, hint: str = "") -> ExpressionError:
        col = getattr(node, "col_offset", None)
        at = f" at column {col + 1}" if col is not None else ""
        return ExpressionError(f"{self.prefix}{message} in {self.text!r}{at}{hint}")

    def build(self, node: ast.AST, depth: int) -> tuple:
        if depth > MAX_DEPTH:
            raise self.fail(node, f"expression is nested too deeply (more than {MAX_DEPTH} levels)")
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            left = self.build(node.left, depth + 1)
            right = self.build(node.right, depth + 1)
            return self.fold(node, (_BINOPS[type(node.op)], left, right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            operand = self.build(node.operand, depth + 1)
            if isinstance(node.op, ast.UAdd):
                return operand
            return self.fold(node, ("neg", operand))
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.BinOp):
            raise self.fail(node, f"operator {type(node.op).__name__} is not allowed "
                                  "(only + - * / **)")
        if isinstance(node, ast.UnaryOp):
            raise self.fail(node, f"operator {type(node.op).__name__} is not allowed")
        what = _NAMES_OF_NODES.get(type(node), f"{type(node).__name__} is")
        raise self.fail(node, f"{what} not allowed")

    def constant(self, node: ast.Constant) -> tuple:
        value = node.value
        if isinstance(value, bool) or value is None or value is Ellipsis:
            raise self.fail(node, f"{value!r} is not a number")
        if isinstance(value, str):
            raise self.fail(node, "strings are not allowed")
        if isinstance(value, bytes):
            raise self.fail(node, "bytes are not allowed")
        if isinstance(value, complex):
            raise self.fail(node, "complex numbers are not allowed")
        if isinstance(value, int):
            return ("n", value)
        source = ast.get_source_segment(self.text, node) or repr(value)
        source = source.replace("_", "").strip("()")
        exponent = source.lower().partition("e")[2]
        if exponent and abs(int(exponent)) > MAX_EXPONENT:
            raise self.fail(node, f"number {source} is too large")
        return ("n", normal(Fraction(source)))

    def name(self, node: ast.Name) -> tuple:
        name = node.id
        if name in self.definitions:
            return self.definitions[name].node
        if name in self.names:
            return ("v", name)
        if name in FUNCTIONS:
            raise self.fail(node, f"function {name!r} must be called with arguments")
        import difflib

        close = difflib.get_close_matches(name, sorted(self.names | set(self.definitions)), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise self.fail(node, f"undeclared name {name!r}", hint)

    def call(self, node: ast.Call, depth: int) -> tuple:
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, "only calls of min, max, exp, log, sqrt and abs are allowed")
        fname = node.func.id
        if fname not in FUNCTIONS:
            raise self.fail(node, f"call of {fname!r} is not allowed "
                                  "(functions: min, max, exp, log, sqrt, abs)")
        if node.keywords:
            raise self.fail(node, f"keyword arguments are not allowed in {fname}()")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(node, f"starred arguments are not allowed in {fname}()")
        lo, hi = FUNCTIONS[fname]
        n = len(node.args)
        if n < lo or (hi is not None and n > hi):
            want = f"exactly {lo}" if lo == hi else f"at least {lo}"
            plural = "s" if lo != 1 else ""
            raise self.fail(node, f"{fname}() takes {want} argument{plural}, got {n}")
        args = tuple(self.build(a, depth + 1) for a in node.args)
        return self.fold(node, ("f", fname, args))

    def fold(self, where: ast.AST, node: tuple) -> tuple:
        if not all(c[0] == "n" for c in children(node)):
            return identities(node)
        try:
            value = evaluate_node(node, {})
        except ExpressionError as exc:
            raise self.fail(where, str(exc)) from None
        if isinstance(value, float):  # irrational: keep it exact and symbolic
            return node
        return ("n", normal(value))


def _sympy_text(value: Any) -> str:
    from sympy.printing.str import StrPrinter

    class _Printer(StrPrinter):
        def _print_Abs(self, expr: Any) -> str:
            return f"abs({self._print(expr.args[0])})"

        def _print_Min(self, expr: Any) -> str:
            return f"min({', '.join(self._print(a) for a in expr.args)})"

        def _print_Max(self, expr: Any) -> str:
            return f"max({', '.join(self._print(a) for a in expr.args)})"

        def _print_Exp1(self, expr: Any) -> str:
            return "exp(1)"

        def _print_Float(self, expr: Any) -> str:
            return repr(float(expr))

    expr = value
    text = _Printer({"order": "none"}).doprint(expr)
    names = {str(s) for s in getattr(expr, "free_symbols", ())}
    bad = sorted(n for n in names if not is_valid_name(n))
    if bad:
        raise ExpressionError(f"parameter name {bad[0]!r} cannot be written in an expression")
    compile_expression(text, names, where=f"cannot write {expr}")  # check it reads back
    return text


__all__ = [
    "FUNCTIONS", "Expression", "ExpressionError", "compile_expression", "format_expression",
    "is_valid_name", "parse_expression",
]
