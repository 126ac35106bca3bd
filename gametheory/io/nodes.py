"""Document trees with line numbers, shared by the YAML and JSON readers.

Both readers produce :class:`Node` trees: mappings (ordered, duplicate keys
refused), sequences and scalars that keep their source text and a resolved
type (``"str"``, ``"int"``, ``"float"``, ``"bool"``, ``"null"``).  Scalars are
never converted to Python objects here; the model reader decides what each
one means, so nothing in a file can construct an object.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable

from ..exceptions import ModelFileError

#: Deepest nesting of mappings and sequences accepted.
MAX_NESTING = 100


class Node:
    """One node of a document.

    Attributes
    ----------
    kind
        ``"map"``, ``"seq"`` or ``"scalar"``.
    value
        ``dict[str, tuple[Node, Node]]`` (key text -> (key node, value node))
        for mappings, ``list[Node]`` for sequences, the source text for scalars.
    line
        1-based line where the node starts.
    tag
        Resolved scalar type: ``"str"``, ``"int"``, ``"float"``, ``"bool"`` or
        ``"null"`` (``None`` for mappings and sequences).
    """

    __slots__ = ("_index", "_line", "_pos", "kind", "tag", "value")

    def __init__(self, kind: str, value: object, line: int | None, tag: str | None = None,
                 pos: int = 0, index: LineIndex | None = None) -> None:
        self.kind = kind
        self.value = value
        self.tag = tag
        self._line = line
        self._pos = pos
        self._index = index

    @property
    def line(self) -> int:
        """1-based line where the node starts (computed on first use for JSON)."""
        if self._line is None:
            self._line = self._index.line(self._pos) if self._index is not None else 0
        return self._line

    def describe(self) -> str:
        """Short description for error messages (``a list``, ``the number 3``)."""
        if self.kind == "map":
            return "a mapping"
        if self.kind == "seq":
            return "a list"
        text = str(self.value)
        shown = text if len(text) <= 40 else text[:37] + "..."
        if self.tag == "null":
            return "nothing (null)"
        if self.tag == "bool":
            return f"the boolean {shown!r}"
        if self.tag in ("int", "float"):
            return f"the number {shown}"
        return f"the text {shown!r}"

    def __repr__(self) -> str:
        return f"Node({self.kind}, line {self.line})"


class LineIndex:
    """Maps character offsets of a text to 1-based line and column numbers."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        """Line of ``offset``."""
        return bisect.bisect_right(self._starts, offset)

    def column(self, offset: int) -> int:
        """Column of ``offset`` (1-based)."""
        return offset - self._starts[self.line(offset) - 1] + 1


_SIMPLE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def key_path(path: str, key: object) -> str:
    """``path.key``, or ``path["odd key"]`` when the key is not a simple word."""
    text = str(key)
    if _SIMPLE_KEY.fullmatch(text):
        return f"{path}.{text}" if path else text
    return f"{path}[{json.dumps(text, ensure_ascii=False)}]"


def add_key(mapping: dict, key: Node, value: Node, filename: str,
            path: Callable[[], str] | None = None) -> None:
    """Insert ``key: value`` into a mapping node's dict, refusing duplicate keys.

    ``path`` computes the key path for the error message (only when needed).
    """
    text = str(key.value)
    if text in mapping:
        first = mapping[text][0].line
        raise ModelFileError(f"duplicate key {text!r} (first given at line {first})",
                             file=filename, line=key.line, key=(path() if path else None) or None)
    mapping[text] = (key, value)


# ---------------------------------------------------------------------- JSON

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_LITERALS = {"true": "bool", "false": "bool", "null": "null"}


class _JsonParser:
    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename
        self.lines = LineIndex(text)

    def fail(self, pos: int, message: str) -> ModelFileError:
        line, col = self.lines.line(pos), self.lines.column(pos)
        return ModelFileError(f"invalid JSON: {message} (column {col})", file=self.filename,
                              line=line)

    def skip(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()

    def parse(self) -> Node | None:
        pos = self.skip(0)
        if pos == len(self.text):
            return None
        node, pos = self.value(pos, 0)
        pos = self.skip(pos)
        if pos != len(self.text):
            raise self.fail(pos, "unexpected text after the end of the document")
        return node

    def value(self, pos: int, depth: int) -> tuple[Node, int]:
        text = self.text
        if pos >= len(text):
            raise self.fail(pos, "unexpected end of file")
        c = text[pos]
        if c == "{" or c == "[":
            if depth >= MAX_NESTING:
                raise self.fail(pos, f"nesting deeper than {MAX_NESTING} levels")
            return self.container(pos, depth)
        if c == '"':
            return self.string(pos)
        m = _NUMBER.match(text, pos)
        if m and m.end() > pos:
            tag = "float" if (m.group(1) or m.group(2)) else "int"
            return Node("scalar", m.group(0), None, tag, pos, self.lines), m.end()
        for word, tag in _LITERALS.items():
            if text.startswith(word, pos):
                return Node("scalar", word, None, tag, pos, self.lines), pos + len(word)
        raise self.fail(pos, f"unexpected character {c!r}")

    def string(self, pos: int) -> tuple[Node, int]:
        m = _STRING.match(self.text, pos)
        if not m:
            end = self.text.find("\n", pos)
            raise self.fail(pos, "unterminated or invalid string" if end != pos else "bad string")
        raw = m.group(0)
        value = raw[1:-1] if "\\" not in raw else json.loads(raw)
        return Node("scalar", value, None, "str", pos, self.lines), m.end()

    def container(self, pos: int, depth: int) -> tuple[Node, int]:
        text = self.text
        opening = text[pos]
        closing = "}" if opening == "{" else "]"
        node = Node("map" if opening == "{" else "seq", None, None, None, pos, self.lines)
        items: dict | list = {} if opening == "{" else []
        node.value = items
        pos = self.skip(pos + 1)
        if pos < len(text) and text[pos] == closing:
            return node, pos + 1
        while True:
            if opening == "{":
                if pos >= len(text) or text[pos] != '"':
                    raise self.fail(pos, "expected a quoted key")
                key, pos = self.string(pos)
                pos = self.skip(pos)
                if pos >= len(text) or text[pos] != ":":
                    raise self.fail(pos, "expected ':' after the key")
                value, pos = self.value(self.skip(pos + 1), depth + 1)
                add_key(items, key, value, self.filename)  # type: ignore[arg-type]
            else:
                value, pos = self.value(pos, depth + 1)
                items.append(value)  # type: ignore[union-attr]
            pos = self.skip(pos)
            if pos < len(text) and text[pos] == ",":
                pos = self.skip(pos + 1)
                continue
            if pos < len(text) and text[pos] == closing:
                return node, pos + 1
            raise self.fail(pos, f"expected ',' or {closing!r}")


def parse_json(text: str, filename: str) -> Node | None:
    """Parse JSON text into a :class:`Node` tree (``None`` for an empty document).

    Raises
    ------
    ModelFileError
        With the line and column of the first syntax error, or of a duplicate key.
    """
    return _JsonParser(text, filename).parse()
