"""Gambit strategic-form files (``.nfg``): reading and writing.

Both versions of the format are read:

* the *payoff* version, ``NFG 1 R "title" { "P1" "P2" } { 3 2 } "comment"``
  followed by one payoff per player for every pure profile;
* the *outcome* version, where strategies are listed by name, then a list of
  outcomes ``{ "name" u1, u2 }`` and one outcome index per profile (``0`` is
  the null outcome, all payoffs zero).

Strategy names may also be given in the payoff version (Gambit reads this).
Profiles are listed with player 1's strategy varying fastest.  Numbers
(integers, decimals, ``a/b``, exponents such as ``1e-3``) are kept exact.
Empty or duplicate labels are renamed with a warning (as Gambit does);
anything that would give a wrong game (payoff count mismatch, bad outcome
index) is an error naming the line and column.
"""

from __future__ import annotations

import re
import warnings
from fractions import Fraction
from typing import Any

import numpy as np

from ..exceptions import ModelFileError
from .nfg_writer import format_number, quote, write_nfg
from .nodes import LineIndex

__all__ = ["format_number", "parse_number", "quote", "read_nfg", "write_nfg"]

_WS = re.compile(r"\s*")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{},]|[^\s{},"]+|"', re.S)
_UNESCAPE = re.compile(r"\\(.)", re.S)
_DECIMAL = re.compile(r"([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?")
_RATIONAL = re.compile(r"([+-]?\d+)/(\d+)")
_OUTCOME = re.compile(r'\{\s*(?:"((?:[^"\\]|\\.)*)")?([^{}"]*)\}', re.S)
MAX_EXPONENT = 1000


def parse_number(token: str) -> int | Fraction:
    """Exact value of a Gambit number token (``3``, ``-0.25``, ``1e-3``, ``2/3``).

    Raises
    ------
    ValueError
        When the token is not a number.
    """
    m = _RATIONAL.fullmatch(token)
    if m:
        den = int(m.group(2))
        if den == 0:
            raise ValueError("division by zero")
        value = Fraction(int(m.group(1)), den)
        return int(value) if value.denominator == 1 else value
    m = _DECIMAL.fullmatch(token)
    if not m or not (m.group(2) or m.group(3)):
        raise ValueError(f"not a number: {token!r}")
    sign, whole, frac, exp = m.groups()
    num = int((whole or "0") + frac)
    power = -len(frac) + (int(exp) if exp else 0)
    if abs(power) > MAX_EXPONENT:
        raise ValueError(f"number {token} is out of range")
    value = Fraction(num * 10**power) if power >= 0 else Fraction(num, 10**-power)
    if sign == "-":
        value = -value
    return int(value) if value.denominator == 1 else value


class _Parser:
    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename
        self.pos = 0
        self._lines: LineIndex | None = None

    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines

    def fail(self, pos: int, message: str) -> ModelFileError:
        pos = min(pos, len(self.text))
        line, col = self.lines.line(pos), self.lines.column(pos)
        return ModelFileError(f"column {col}: {message}", file=self.filename, line=line)

    def token(self) -> tuple[str | None, int]:
        self.pos = _WS.match(self.text, self.pos).end()
        if self.pos >= len(self.text):
            return None, self.pos
        m = _TOKEN.match(self.text, self.pos)
        start, self.pos = self.pos, m.end()
        if m.group(0) == '"':
            raise self.fail(start, "unterminated string")
        return m.group(0), start

    def peek(self) -> str | None:
        save = self.pos
        tok, _ = self.token()
        self.pos = save
        return tok

    def expect(self, want: str, what: str) -> int:
        tok, at = self.token()
        if tok != want:
            raise self.fail(at, f"expected {what}, found {_show(tok)}")
        return at

    def string(self, what: str) -> str:
        tok, at = self.token()
        if tok is None or not tok.startswith('"'):
            raise self.fail(at, f"expected {what} (a quoted string), found {_show(tok)}")
        return _UNESCAPE.sub(r"\1", tok[1:-1])

    def strings(self, what: str) -> list[str]:
        self.expect("{", f"'{{' starting the {what}s")
        out = []
        while self.peek() not in ("}", None):
            out.append(self.string(what))
        self.expect("}", f"'}}' ending the {what}s")
        return out

    def header(self) -> tuple[str, list[str], list[list[str]] | list[int]]:
        tok, at = self.token()
        if tok != "NFG":
            raise self.fail(at, f"not a Gambit .nfg file (expected 'NFG', found {_show(tok)})")
        tok, at = self.token()
        if tok != "1":
            raise self.fail(at, f"unsupported .nfg version {_show(tok)} (expected 1)")
        tok, at = self.token()
        if tok not in ("R", "D"):
            raise self.fail(at, f"expected 'R' or 'D' after the version, found {_show(tok)}")
        title = self.string("the title")
        start = _WS.match(self.text, self.pos).end()
        players = self.strings("player name")
        if not players:
            raise self.fail(start, "the game has no players")
        at = self.expect("{", "'{' starting the strategies")
        if self.peek() == "{":
            strategies: list[Any] = []
            while self.peek() == "{":
                strategies.append(self.strings("strategy name"))
            self.expect("}", "'}' ending the strategies")
        else:
            strategies = []
            while self.peek() not in ("}", None):
                tok, where = self.token()
                if tok is None or not tok.isdigit() or int(tok) < 1:
                    raise self.fail(where, f"expected a number of strategies, found {_show(tok)}")
                strategies.append(int(tok))
            self.expect("}", "'}' ending the numbers of strategies")
        if len(strategies) != len(players):
            raise self.fail(at, f"strategies given for {len(strategies)} of the "
                                f"{len(players)} players")
        for i, s in enumerate(strategies):
            if isinstance(s, list) and not s:
                raise self.fail(at, f"player {i + 1} has no strategies")
        return title, players, strategies


def _show(tok: str | None) -> str:
    if tok is None:
        return "the end of the file"
    return repr(tok if len(tok) <= 30 else tok[:27] + "...")


def _normalise(labels: list[str], what: str, filename: str) -> list[str]:
    """Rename empty and duplicate labels as Gambit does (``x``, ``x`` -> ``x_1``, ``x_2``)."""
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    bad = {lab for lab, c in counts.items() if c > 1 or not lab.strip()}
    if not bad:
        return labels
    out, taken, seen = [], set(labels), dict.fromkeys(bad, 0)
    for label in labels:
        if label not in bad:
            out.append(label)
            continue
        seen[label] += 1
        k = seen[label]
        stem = label.strip()
        new = f"{stem}_{k}"
        while new in taken:
            k += 1
            new = f"{stem}_{k}"
        taken.add(new)
        out.append(new)
    shown = ", ".join(repr(b) for b in sorted(bad))
    warnings.warn(f"{filename}: empty or duplicate {what} labels ({shown}) renamed: "
                  f"{', '.join(repr(x) for x in out)}", stacklevel=3)
    return out


def _convert(tokens: list[str], locate: Any) -> list:
    try:
        return list(map(int, tokens))
    except ValueError:
        pass
    cache: dict[str, Any] = {}
    out = []
    append = out.append
    for k, tok in enumerate(tokens):
        v = cache.get(tok)
        if v is None:
            v = _fast_decimal(tok)
            if v is None:
                try:
                    v = parse_number(tok)
                except ValueError as exc:
                    why = "" if str(exc).startswith("not a number") else f" ({exc})"
                    raise locate(k, f"expected a payoff (a number), found {_show(tok)}{why}") \
                        from None
            cache[tok] = v
        append(v)
    return out


_POW10 = [10**k for k in range(20)]


def _fast_decimal(tok: str) -> int | Fraction | None:
    """Plain decimals such as ``-12.375`` and ``a/b`` (the common cases), else ``None``."""
    if "_" in tok:
        return None
    slash = tok.find("/")
    if slash > 0:
        try:
            num, den = int(tok[:slash]), int(tok[slash + 1:])
        except ValueError:
            return None
        if den <= 0 or tok[slash + 1] in "+-":
            return None
        value = Fraction(num, den)
        return int(value) if value.denominator == 1 else value
    dot = tok.find(".")
    if dot < 0 or "e" in tok or "E" in tok:
        return None
    places = len(tok) - dot - 1
    if places >= 20:
        return None
    try:
        num = int(tok[:dot] + tok[dot + 1:])
    except ValueError:
        return None
    value = Fraction(num, _POW10[places])
    return int(value) if value.denominator == 1 else value


def _array(values: list) -> np.ndarray:
    if all(type(v) is int for v in values):
        try:
            return np.array(values, dtype=np.int64)
        except OverflowError:
            pass
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


def _locator(parser: _Parser, start: int) -> Any:
    """Function mapping the k-th whitespace-separated token after ``start`` to an error."""

    def locate(k: int, message: str) -> ModelFileError:
        for j, m in enumerate(re.finditer(r"[^\s,]+", parser.text[start:])):
            if j == k:
                return parser.fail(start + m.start(), message)
        return parser.fail(len(parser.text), message)

    return locate


def _payoff_body(p: _Parser, n: int, profiles: int) -> np.ndarray:
    start = p.pos
    rest = p.text[start:]
    if "{" in rest or "}" in rest or '"' in rest:
        m = re.search(r'[{}"]', rest)
        raise p.fail(start + m.start(), f"unexpected {m.group(0)!r} among the payoffs")
    tokens = rest.replace(",", " ").split()
    locate = _locator(p, start)
    want = n * profiles
    if len(tokens) != want:
        where = want if len(tokens) > want else len(tokens)
        raise locate(where, f"expected {want} payoffs ({profiles} profiles x {n} players), "
                            f"found {len(tokens)}")
    values = _array(_convert(tokens, locate))
    return values.reshape(profiles, n)


def _outcome_body(p: _Parser, n: int, profiles: int) -> np.ndarray:
    p.expect("{", "'{' starting the outcomes")
    text, pos = p.text, p.pos
    rows: list[list[str]] = []
    starts: list[int] = []
    while True:
        pos = _WS.match(text, pos).end()
        if pos >= len(text):
            raise p.fail(pos, "the list of outcomes is not closed with '}'")
        if text[pos] == "}":
            pos += 1
            break
        m = _OUTCOME.match(text, pos)
        if not m:
            raise p.fail(pos, "expected an outcome { \"name\" payoff, payoff, ... } or '}'")
        values = m.group(2).replace(",", " ").split()
        if len(values) != n:
            raise p.fail(pos, f"outcome {len(rows) + 1} has {len(values)} payoffs; the game "
                              f"has {n} players")
        rows.append(values)
        starts.append(pos)
        pos = m.end()
    flat = [v for row in rows for v in row]

    def locate_payoff(k: int, message: str) -> ModelFileError:
        return p.fail(starts[k // n], f"outcome {k // n + 1}: {message}")

    table = np.zeros((len(rows) + 1, n), dtype=object)
    if rows:
        table[1:] = _array(_convert(flat, locate_payoff)).reshape(len(rows), n)
    if all(type(v) is int for v in table.reshape(-1)):
        table = table.astype(np.int64)
    rest = text[pos:]
    tokens = rest.split()
    locate = _locator(p, pos)
    if len(tokens) != profiles:
        raise locate(min(len(tokens), profiles),
                     f"expected {profiles} outcome indices (one per profile), found {len(tokens)}")
    try:
        index = np.array([int(t) for t in tokens], dtype=np.int64)
    except (ValueError, OverflowError):
        k = next(k for k, t in enumerate(tokens) if not t.lstrip("-").isdigit())
        raise locate(k, f"expected an outcome index, found {_show(tokens[k])}") from None
    bad = np.flatnonzero((index < 0) | (index > len(rows)))
    if bad.size:
        k = int(bad[0])
        raise locate(k, f"outcome index {index[k]} does not exist (outcomes are numbered 1 to "
                        f"{len(rows)}; 0 means no outcome)")
    return table[index]


def read_nfg(text: str, filename: str = "<string>") -> Any:
    """Model (game, title, comment) from the text of a Gambit ``.nfg`` file.

    Raises
    ------
    ModelFileError
        With the line and column of the problem.
    """
    from ..games.model import Model
    from ..games.normal_form import NormalFormGame

    p = _Parser(text, filename)
    title, players, strategies = p.header()
    comment = ""
    if p.peek() is not None and p.peek().startswith('"'):
        comment = p.string("the comment")
    if strategies and isinstance(strategies[0], int):
        labels = [[str(k + 1) for k in range(m)] for m in strategies]
    else:
        labels = strategies
    players = _normalise(players, "player", filename)
    labels = [_normalise(s, f"strategy of {players[i]}", filename) for i, s in enumerate(labels)]
    shape = tuple(len(s) for s in labels)
    n, profiles = len(players), int(np.prod(shape))
    if p.peek() == "{":
        flat = _outcome_body(p, n, profiles)
    else:
        flat = _payoff_body(p, n, profiles)
    arrays = [np.ascontiguousarray(flat[:, i]).reshape(shape, order="F") for i in range(n)]
    game = NormalFormGame(arrays, players, labels, title)
    return Model(game=game, title=title, description=comment, source_file=filename)
