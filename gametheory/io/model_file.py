"""The YAML/JSON model format: document tree -> :class:`~gametheory.games.Model`.

The format is documented in ``docs/model-format.md`` and described for editors
by ``gametheory/schema/model.schema.json``.  Every error is a
:class:`~gametheory.exceptions.ModelFileError` naming the file, the line and
the key path.
"""

from __future__ import annotations

import difflib
from typing import Any

from ..exceptions import InvalidGameError, ModelFileError
from ..games.model import Model, Parameter
from ..params import Expression, ExpressionError, compile_expression, is_valid_name
from .nodes import Node, key_path, parse_json
from .numbers_text import scalar_number
from .payoff_forms import read_payoffs
from .yaml_safe import compose_yaml

TOP_LEVEL_KEYS = ("title", "description", "parameters", "definitions", "players",
                  "strategies", "payoffs", "tree")
PARAMETER_KEYS = ("value", "range", "description", "source")


def read_model_text(text: str, filename: str, fmt: str, strict: bool = False) -> Model:
    """Model from YAML (``fmt="yaml"``) or JSON (``fmt="json"``) text.

    Raises
    ------
    ModelFileError
        For any syntax, schema or semantic error, naming file, line and key.
    """
    root = parse_json(text, filename) if fmt == "json" else compose_yaml(text, filename)
    return ModelReader(filename, strict).read(root)


class ModelReader:
    """Reads a document tree into a model; holds the file name for errors."""

    def __init__(self, filename: str, strict: bool = False) -> None:
        self.filename = filename
        self.strict = strict

    # ------------------------------------------------------------------ errors and scalars
    def error(self, node: Node | None, path: str, message: str) -> ModelFileError:
        """A :class:`ModelFileError` at ``node``'s line and key ``path``."""
        return ModelFileError(message, file=self.filename,
                              line=node.line if node is not None else None, key=path or None)

    def expect(self, node: Node, kind: str, path: str, what: str) -> Any:
        """``node.value`` after checking the node kind (``"map"``, ``"seq"``, ``"scalar"``)."""
        if node.kind != kind:
            raise self.error(node, path, f"expected {what}, got {node.describe()}")
        return node.value

    def text(self, node: Node, path: str) -> str:
        """A scalar as text (titles, descriptions)."""
        if node.kind != "scalar":
            raise self.error(node, path, f"expected text, got {node.describe()}")
        return "" if node.tag == "null" else str(node.value)

    def label(self, node: Node, path: str, what: str) -> str:
        """A non-empty label (raw text of any scalar: ``yes`` stays ``"yes"``)."""
        if node.kind != "scalar" or node.tag == "null" or not str(node.value).strip():
            raise self.error(node, path, f"expected a {what} label, got {node.describe()}")
        return str(node.value)

    def number(self, node: Node, path: str) -> Any:
        """An exact number (``int``/``Fraction``; ``float`` only for irrational text)."""
        if node.kind == "scalar" and node.tag in ("int", "float"):
            return self.checked(scalar_number(node, self, path), node, path)
        if node.kind == "scalar" and node.tag == "str":
            expr = self.expression(node, path, ())
            return self.checked(expr.evaluate() if isinstance(expr, Expression) else expr,
                                node, path)
        raise self.error(node, path, f"expected a number, got {node.describe()}")

    def checked(self, value: Any, node: Node, path: str) -> Any:
        """``value`` after checking it converts to a finite float."""
        try:
            float(value)
        except OverflowError:
            raise self.error(node, path, f"number {node.value} is too large") from None
        return value

    def expression(self, node: Node, path: str, names: Any,
                   definitions: dict[str, Expression] | None = None) -> Any:
        """A number or a non-constant :class:`Expression` from a scalar."""
        if node.kind == "scalar" and node.tag in ("int", "float"):
            return self.checked(scalar_number(node, self, path), node, path)
        if node.kind != "scalar" or node.tag != "str":
            raise self.error(node, path,
                             f"expected a number or an expression, got {node.describe()}")
        try:
            expr = compile_expression(str(node.value), names, definitions=definitions)
        except ExpressionError as exc:
            raise self.error(node, path, str(exc)) from None
        if expr.node[0] == "n":
            return self.checked(expr.node[1], node, path)
        return expr

    # ------------------------------------------------------------------ sections
    def read(self, root: Node | None) -> Model:
        """The model described by ``root``."""
        if root is None:
            raise ModelFileError("the file is empty (no model in it)", file=self.filename)
        if root.kind != "map":
            raise self.error(root, "", "the top level must be a mapping with keys such as title, "
                                       f"players, strategies, payoffs; got {root.describe()}")
        keys = root.value
        for name, (knode, _) in keys.items():
            if name not in TOP_LEVEL_KEYS:
                raise self.error(knode, name, self.unknown_key(name, TOP_LEVEL_KEYS))
        title = self.text(keys["title"][1], "title") if "title" in keys else ""
        description = (self.text(keys["description"][1], "description")
                       if "description" in keys else "")
        parameters = self.parameters(keys.get("parameters"))
        if "tree" in keys:
            return self.tree(keys, parameters, title, description)
        definitions = self.definitions(keys.get("definitions"), parameters)
        players, strategies = self.players(keys.get("players"), keys.get("strategies"), root)
        if "payoffs" not in keys:
            raise self.error(root, "payoffs", "missing key 'payoffs' (the payoff table)")
        pnode = keys["payoffs"][1]
        entries = read_payoffs(self, pnode, players, strategies, tuple(parameters),
                               definitions)
        return self.build(entries, players, strategies, parameters, title, description, pnode)

    def tree(self, keys: dict, parameters: dict[str, Parameter], title: str,
             description: str) -> Model:
        """An extensive-form model: the ``tree`` section (read by ``io.tree_file``)."""
        knode = keys["tree"][0]
        for other in ("strategies", "payoffs", "definitions"):
            if other in keys:
                raise self.error(keys[other][0], other, f"a model with a tree takes no "
                                 f"{other!r} section (give either strategies and payoffs, or "
                                 "a tree)")
        if "players" not in keys:
            raise self.error(knode, "tree", "a tree needs the list of players (key 'players')")
        items = self.expect(keys["players"][1], "seq", "players", "a list of player names")
        players = self.unique_labels(items, "players", "player")
        try:
            from .tree_file import parse_tree
        except ImportError:  # pragma: no cover - the tree reader ships with the package
            raise self.error(knode, "tree", "extensive-form trees (tree:) are not supported "
                             "by this installation; use a Gambit .efg file") from None
        game = parse_tree(keys["tree"][1], players, tuple(parameters), self.filename,
                          title=title)
        return Model(game=game, parameters=parameters, title=title, description=description,
                     source_file=self.filename)

    @staticmethod
    def unknown_key(name: str, allowed: tuple[str, ...]) -> str:
        """Message for an unknown key, with a suggestion."""
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown key {name!r}; {hint}expected one of: {', '.join(allowed)}"

    def parameters(self, item: tuple[Node, Node] | None) -> dict[str, Parameter]:
        """The ``parameters`` section."""
        if item is None:
            return {}
        out: dict[str, Parameter] = {}
        mapping = self.expect(item[1], "map", "parameters",
                              "a mapping of parameter names to their values")
        for name, (knode, vnode) in mapping.items():
            path = key_path("parameters", name)
            if not is_valid_name(name):
                raise self.error(knode, path, f"{name!r} is not a valid parameter name (use "
                                 "letters, digits and _, not starting with a digit; not a "
                                 "Python keyword or one of min, max, exp, log, sqrt, abs)")
            out[name] = self.parameter(name, vnode, path, knode)
        return out

    def parameter(self, name: str, node: Node, path: str, keynode: Node) -> Parameter:
        """One parameter: a number, or a mapping with ``value``, ``range``, ..."""
        if node.kind == "scalar":
            return Parameter(name, self.number(node, path))
        fields = self.expect(node, "map", path, "a number or a mapping with 'value'")
        for key, (knode, _) in fields.items():
            if key not in PARAMETER_KEYS:
                raise self.error(knode, key_path(path, key), self.unknown_key(key, PARAMETER_KEYS))
        if "value" not in fields:
            raise self.error(keynode, path, "missing key 'value' (the baseline value)")
        vnode = fields["value"][1]
        value = self.number(vnode, key_path(path, "value"))
        bounds = None
        if "range" in fields:
            rnode = fields["range"][1]
            rpath = key_path(path, "range")
            items = self.expect(rnode, "seq", rpath, "a list [low, high]")
            if len(items) != 2:
                raise self.error(rnode, rpath, f"expected [low, high], got {len(items)} numbers")
            lo = self.number(items[0], f"{rpath}[0]")
            hi = self.number(items[1], f"{rpath}[1]")
            if lo > hi:
                raise self.error(rnode, rpath, f"low end {lo} is above high end {hi}")
            bounds = (lo, hi)
            if self.strict and not lo <= value <= hi:
                raise self.error(vnode, key_path(path, "value"),
                                 f"value {value} is outside its range [{lo}, {hi}]")
        texts = {k: self.text(fields[k][1], key_path(path, k))
                 for k in ("description", "source") if k in fields}
        return Parameter(name, value, bounds, texts.get("description", ""), texts.get("source", ""))

    def definitions(self, item: tuple[Node, Node] | None,
                    parameters: dict[str, Parameter]) -> dict[str, Expression]:
        """The ``definitions`` section: named expressions over parameters."""
        if item is None:
            return {}
        out: dict[str, Expression] = {}
        mapping = self.expect(item[1], "map", "definitions",
                              "a mapping of names to expressions")
        for name, (knode, vnode) in mapping.items():
            path = key_path("definitions", name)
            if not is_valid_name(name):
                raise self.error(knode, path, f"{name!r} is not a valid name for a definition")
            if name in parameters:
                raise self.error(knode, path, f"{name!r} is already a parameter")
            value = self.expression(vnode, path, tuple(parameters), out)
            if not isinstance(value, Expression):
                value = Expression(("n", value), (), 1, 1)
            out[name] = value
        return out

    def players(self, pitem: tuple[Node, Node] | None, sitem: tuple[Node, Node] | None,
                root: Node) -> tuple[list[str], list[list[str]]]:
        """Player labels and each player's strategy labels."""
        if sitem is None:
            raise self.error(root, "strategies", "missing key 'strategies' (each player's "
                             "list of strategies)")
        snode = sitem[1]
        smap = self.expect(snode, "map", "strategies",
                           "a mapping from each player to a list of strategies")
        if pitem is not None:
            items = self.expect(pitem[1], "seq", "players", "a list of player names")
            players = self.unique_labels(items, "players", "player")
            if not players:
                raise self.error(pitem[1], "players", "the game needs at least one player")
            for name, (knode, _) in smap.items():
                if name not in players:
                    raise self.error(knode, key_path("strategies", name),
                                     f"{name!r} is not a player (players: {', '.join(players)})")
            for p in players:
                if p not in smap:
                    raise self.error(snode, "strategies", f"no strategy list for player {p!r}")
        else:
            players = list(smap)
            if not players:
                raise self.error(snode, "strategies", "the game needs at least one player")
        strategies = []
        for p in players:
            path = key_path("strategies", p)
            node = smap[p][1]
            items = self.expect(node, "seq", path, f"a list of {p}'s strategies")
            labels = self.unique_labels(items, path, "strategy")
            if not labels:
                raise self.error(node, path, f"{p} needs at least one strategy")
            strategies.append(labels)
        return players, strategies

    def unique_labels(self, items: list[Node], path: str, what: str) -> list[str]:
        """Labels of a list of scalars, refusing duplicates."""
        seen: dict[str, int] = {}
        for k, item in enumerate(items):
            label = self.label(item, f"{path}[{k}]", what)
            if label in seen:
                raise self.error(item, f"{path}[{k}]", f"duplicate {what} {label!r} (also at "
                                 f"line {seen[label]})")
            seen[label] = item.line
        return list(seen)

    def build(self, entries: Any, players: list[str], strategies: list[list[str]],
              parameters: dict[str, Parameter], title: str, description: str,
              pnode: Node) -> Model:
        """The model from the payoff entries (numbers and expressions)."""
        from ..games.normal_form import NormalFormGame
        from .file_model import FileModel, PayoffProgram

        flat = entries.reshape(-1)
        symbolic = False
        for k, v in enumerate(flat):
            if isinstance(v, Expression):
                if v.names:
                    symbolic = True
                else:  # irrational constant such as sqrt(2)
                    flat[k] = v.evaluate()
        try:
            if symbolic:
                program = PayoffProgram(entries, players, strategies, title)
                return FileModel(parameters=parameters, title=title, description=description,
                                 source_file=self.filename, program=program)
            game = NormalFormGame(list(entries), players, strategies, title)
        except InvalidGameError as exc:
            raise self.error(pnode, "payoffs", str(exc)) from None
        return Model(game=game, parameters=parameters, title=title, description=description,
                     source_file=self.filename)
