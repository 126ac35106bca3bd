"""The safe expression parser: grammar, exactness, refusals, limits."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gametheory.exceptions import GameTheoryError
from gametheory.params import (
    Expression,
    ExpressionError,
    compile_expression,
    format_expression,
    is_valid_name,
    parse_expression,
)

NAMES = ("a", "b", "c")


# ---------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3), ("-3", -3), ("0.3", Fraction(3, 10)), ("1/3", Fraction(1, 3)),
        ("1e-3", Fraction(1, 1000)), ("2.5E2", 250), ("2**-2", Fraction(1, 4)),
        ("-(1/2)", Fraction(-1, 2)), ("1/3 + 1/6", Fraction(1, 2)), ("sqrt(4/9)", Fraction(2, 3)),
        ("min(3, 1/2, 7)", Fraction(1, 2)), ("max(-1, -2)", -1), ("abs(-5/2)", Fraction(5, 2)),
        ("exp(0)", 1), ("log(1)", 0), ("1_000", 1000), ("(2)**(3)", 8), ("+4", 4),
        ("0.1 + 0.2", Fraction(3, 10)),
    ],
)
def test_constant_expressions_are_exact(text, expected):
    value = parse_expression(text, [])
    assert value == expected
    assert type(value) is type(expected)  # int stays int, rationals are Fractions


def test_numbers_pass_through_unchanged():
    assert parse_expression(5, []) == 5
    assert parse_expression(Fraction(1, 7), []) == Fraction(1, 7)
    with pytest.raises(ExpressionError):
        parse_expression(True, [])


def test_irrational_constants_stay_symbolic_and_evaluate_to_floats():
    value = parse_expression("sqrt(2)", [])
    assert value == sympy.sqrt(2)
    assert compile_expression("sqrt(2)", []).evaluate() == pytest.approx(2**0.5, rel=1e-15)
    assert compile_expression("2**(1/2)", []).evaluate() == pytest.approx(2**0.5, rel=1e-15)


# ---------------------------------------------------------------------- symbols


def test_parameters_become_plain_sympy_symbols():
    a, b = sympy.Symbol("a"), sympy.Symbol("b")
    assert parse_expression("a*b + 1/2", NAMES) == a * b + sympy.Rational(1, 2)
    assert parse_expression("a**2 - b/3", NAMES) == a**2 - b / 3
    assert parse_expression("min(a, b)", NAMES) == sympy.Min(a, b)
    assert parse_expression("max(a, 1)", NAMES) == sympy.Max(a, 1)
    assert parse_expression("exp(a) + log(b)", NAMES) == sympy.exp(a) + sympy.log(b)
    assert parse_expression("sqrt(a) * abs(b)", NAMES) == sympy.sqrt(a) * sympy.Abs(b)
    # decimals inside symbolic expressions are exact too
    assert parse_expression("0.3*a", NAMES) == sympy.Rational(3, 10) * a


def test_expression_names_and_exact_evaluation():
    e = compile_expression("a + b*c - 1/4", NAMES)
    assert e.names == ("a", "b", "c")
    assert e.evaluate({"a": 1, "b": Fraction(1, 2), "c": 3}) == Fraction(9, 4)
    assert e.evaluate({"a": 1.0, "b": 0.5, "c": 3}) == pytest.approx(2.25)
    with pytest.raises(ExpressionError, match="no value for parameter 'c'"):
        e.evaluate({"a": 1, "b": 2})


def test_definitions_are_substituted():
    net = compile_expression("a + b", NAMES)
    e = compile_expression("2*net - c", NAMES, definitions={"net": net})
    assert e.names == ("a", "b", "c")
    assert e.evaluate({"a": 1, "b": 2, "c": 5}) == 1


def test_substitute_folds_indicators():
    e = compile_expression("a*x - b*y", ("a", "b", "x", "y"))
    s = e.substitute({"x": 1, "y": 0})
    assert s == compile_expression("a", ("a", "b"))
    assert s.names == ("a",)
    assert s.evaluate({"a": 7}) == 7
    assert e.substitute({"x": 0, "y": 1}) == compile_expression("-b", ("b",))
    assert e.substitute({"x": 0, "y": 0}).node == ("n", 0)


def test_evaluation_errors_are_expression_errors():
    e = compile_expression("1/(a - b)", NAMES)
    with pytest.raises(ExpressionError, match="division by zero"):
        e.evaluate({"a": 2, "b": 2})
    with pytest.raises(ExpressionError, match="log of a non-positive"):
        compile_expression("log(a)", NAMES).evaluate({"a": -1})
    with pytest.raises(ExpressionError, match="not a real number"):
        compile_expression("a**(1/2)", NAMES).evaluate({"a": -4})
    with pytest.raises(ExpressionError, match="too large"):
        compile_expression("exp(a)", NAMES).evaluate({"a": 10**6})


# ---------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os').system('echo hi')", "only calls of min, max, exp, log, sqrt and abs"),
        ("().__class__", "attribute access is not allowed"),
        ("a.real", "attribute access is not allowed"),
        ("a[0]", "subscripts are not allowed"),
        ("lambda: 1", "lambdas are not allowed"),
        ("(lambda: 1)()", "only calls of"),
        ("'text'", "strings are not allowed"),
        ("b'x'", "bytes are not allowed"),
        ("[x for x in a]", "comprehensions are not allowed"),
        ("[a, b]", "lists are not allowed"),
        ("(a, b)", "tuples are not allowed"),
        ("{1: 2}", "dictionaries are not allowed"),
        ("a < b", "comparisons are not allowed"),
        ("a and b", "boolean operators are not allowed"),
        ("a if b else c", "conditional expressions are not allowed"),
        ("f'{a}'", "strings are not allowed"),
        ("(y := 2)", "assignments are not allowed"),
        ("min(a, key=b)", "keyword arguments are not allowed"),
        ("max(*a)", "starred arguments are not allowed"),
        ("sin(a)", "call of 'sin' is not allowed"),
        ("eval('1')", "call of 'eval' is not allowed"),
        ("exp(a, b)", "exp() takes exactly 1 argument, got 2"),
        ("min()", "min() takes at least 1 argument, got 0"),
        ("exp", "function 'exp' must be called"),
        ("d + 1", "undeclared name 'd'"),
        ("alpah", "undeclared name 'alpah' in 'alpah' at column 1; did you mean 'alpha'?"),
        ("a // b", "operator FloorDiv is not allowed"),
        ("a % b", "operator Mod is not allowed"),
        ("~a", "operator Invert is not allowed"),
        ("not a", "operator Not is not allowed"),
        ("True", "True is not a number"),
        ("None", "None is not a number"),
        ("1j", "complex numbers are not allowed"),
        ("1/0", "division by zero"),
        ("0**-1", "division by zero"),
        ("sqrt(-1)", "sqrt of a negative number"),
        ("log(0)", "log of a non-positive number"),
        ("(-8)**(1/3)", "not a real number"),
        ("2**10**10", "exponent 10000000000 is too large"),
        ("1e99999", "is too large"),
        ("a +", "invalid expression 'a +'"),
        ("", "empty expression"),
        ("   ", "empty expression"),
    ],
)
def test_refused_with_clear_message(text, message):
    with pytest.raises(ExpressionError) as info:
        compile_expression(text, (*NAMES, "alpha"))
    assert message in str(info.value)


def test_where_prefix_and_error_classes():
    with pytest.raises(ExpressionError, match=r"^payoff of Seoul: undeclared name 'z'"):
        parse_expression("z", NAMES, where="payoff of Seoul")
    assert issubclass(ExpressionError, ValueError)
    assert issubclass(ExpressionError, GameTheoryError)


def test_payload_runs_nothing(tmp_path):
    target = tmp_path / "created"
    payloads = [
        f"__import__('pathlib').Path({str(target)!r}).touch()",
        f"open({str(target)!r}, 'w')",
        "().__class__.__base__.__subclasses__()",
        f"(lambda: __import__('os').system('touch {target}'))()",
        f"[__import__('os').system('touch {target}') for _ in (1,)]",
    ]
    for text in payloads:
        with pytest.raises(ExpressionError):
            compile_expression(text, NAMES)
    assert not target.exists()


def test_limits_refuse_huge_inputs_quickly():
    start = time.perf_counter()
    with pytest.raises(ExpressionError, match="too long"):
        compile_expression("a+" * 2000 + "a", NAMES)
    with pytest.raises(ExpressionError, match="nested too deeply"):
        compile_expression("+".join(["a"] * 400), NAMES)
    with pytest.raises(ExpressionError):
        compile_expression("(" * 500 + "a" + ")" * 500, NAMES)
    with pytest.raises(ExpressionError, match="too large"):
        compile_expression("(10**1000)**1000", NAMES)
    # definitions that double in size at each step: an expression bomb
    defs: dict[str, Expression] = {"d0": compile_expression("a*a", NAMES)}
    with pytest.raises(ExpressionError, match="too large"):
        for k in range(1, 40):
            defs[f"d{k}"] = compile_expression(f"d{k - 1}*d{k - 1}", NAMES, definitions=defs)
    assert time.perf_counter() - start < 2.0


def test_valid_names():
    assert is_valid_name("approval_gain") and is_valid_name("_x1")
    for bad in ("1x", "lambda", "min", "sqrt", "a-b", "a b", "", "é"):
        assert not is_valid_name(bad), bad


# ---------------------------------------------------------------------- printing


def test_format_expression_round_trips_sympy():
    a, b = sympy.symbols("a b")
    for expr in (a + b / 3, sympy.Abs(a) - sympy.Min(a, b), sympy.Max(a, 2) * sympy.exp(1),
                 a**-2, sympy.sqrt(b) * sympy.log(a), sympy.Rational(-2, 7) * a):
        text = format_expression(expr)
        assert sympy.simplify(parse_expression(text, ("a", "b")) - expr) == 0, text
    assert format_expression(Fraction(2, 3)) == "2/3"
    with pytest.raises(ExpressionError):
        format_expression(sympy.sin(a))


# ---------------------------------------------------------------------- property


def _leaf() -> st.SearchStrategy:
    ints = st.integers(-9, 9).map(lambda k: (str(k), lambda env, k=k: Fraction(k)))
    fracs = st.tuples(st.integers(-9, 9), st.integers(1, 9)).map(
        lambda t: (f"({t[0]}/{t[1]})", lambda env, t=t: Fraction(t[0], t[1])))
    decimals = st.integers(-999, 999).map(
        lambda k: (f"{k / 100:.2f}", lambda env, k=k: Fraction(k, 100)))
    names = st.sampled_from(NAMES).map(lambda n: (n, lambda env, n=n: env[n]))
    return st.one_of(ints, fracs, decimals, names)


def _extend(kids: st.SearchStrategy) -> st.SearchStrategy:
    def binop(t):
        (x, fx), op, (y, fy) = t
        ops = {"+": lambda p, q: p + q, "-": lambda p, q: p - q, "*": lambda p, q: p * q,
               "/": lambda p, q: p / q}
        return f"({x} {op} {y})", lambda env: ops[op](fx(env), fy(env))

    def power(t):
        (x, fx), k = t
        return f"({x})**{k}", lambda env: fx(env) ** k

    def call(t):
        name, (x, fx), (y, fy) = t
        func = {"min": min, "max": max}[name]
        return f"{name}({x}, {y})", lambda env: func(fx(env), fy(env))

    return st.one_of(
        st.tuples(kids, st.sampled_from("+-*/"), kids).map(binop),
        st.tuples(kids, st.integers(0, 3)).map(power),
        kids.map(lambda k: (f"-{k[0]}", lambda env: -k[1](env))),
        kids.map(lambda k: (f"abs({k[0]})", lambda env: abs(k[1](env)))),
        st.tuples(st.sampled_from(["min", "max"]), kids, kids).map(call),
    )


values = st.fractions(min_value=-5, max_value=5, max_denominator=7)


@settings(max_examples=150, deadline=None)
@given(st.recursive(_leaf(), _extend, max_leaves=8), values, values, values)
def test_exact_evaluation_matches_python_fractions(pair, a, b, c):
    text, oracle = pair
    env = {"a": a, "b": b, "c": c}
    try:
        expected = oracle(env)
    except ZeroDivisionError:
        with pytest.raises(ExpressionError, match="division by zero"):
            compile_expression(text, NAMES).evaluate(env)
        return
    expr = compile_expression(text, NAMES)
    assert expr.evaluate(env) == expected
    # the canonical text parses back to the same tree
    assert compile_expression(expr.text(), NAMES) == expr
    # and the sympy form agrees with the oracle
    sym = expr.to_sympy().subs({sympy.Symbol(k): sympy.Rational(v.numerator, v.denominator)
                                for k, v in env.items()})
    assert sympy.Rational(expected.numerator, expected.denominator) == sym
