"""The three ways a model file can give payoffs.

``matrix``
    Nested mappings, one level per player in order (rows = first player,
    columns = second player), ending in one payoff vector per profile.
``profiles``
    A list of ``{profile: ..., payoffs: ...}`` entries, optionally with a
    ``default`` payoff vector for the profiles not listed.
``by_player``
    One expression per player over the parameters and the 0/1 indicators of
    strategies (a strategy label used as a name is 1 when it is played).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..params import Expression, ExpressionError, is_valid_name
from .nodes import Node, key_path

PAYOFF_FORMS = ("matrix", "profiles", "by_player")
PROFILE_KEYS = ("profile", "payoffs")


class _Table:
    """The payoff array being filled, with which profiles were given where."""

    def __init__(self, reader: Any, players: list[str], strategies: list[list[str]],
                 names: tuple[str, ...], definitions: dict[str, Expression]) -> None:
        self.reader = reader
        self.players = players
        self.strategies = strategies
        self.names = names
        self.definitions = definitions
        self.n = len(players)
        self.shape = tuple(len(s) for s in strategies)
        self.entries = np.empty((self.n, *self.shape), dtype=object)
        self.given: dict[tuple[int, ...], int] = {}

    def labels(self, idx: tuple[int, ...]) -> str:
        return "(" + ", ".join(self.strategies[i][k] for i, k in enumerate(idx)) + ")"

    def strategy(self, player: int, node: Node, path: str) -> int:
        label = self.reader.label(node, path, "strategy")
        try:
            return self.strategies[player].index(label)
        except ValueError:
            raise self.reader.error(node, path, self.no_strategy(player, label)) from None

    def no_strategy(self, player: int, label: str) -> str:
        return (f"{self.players[player]} has no strategy {label!r} "
                f"(strategies: {', '.join(self.strategies[player])})")

    def vector(self, node: Node, path: str, idx: tuple[int, ...]) -> None:
        """Read one payoff vector (a list in player order or a player mapping)."""
        r = self.reader
        if node.kind == "seq":
            items = node.value
            if len(items) != self.n:
                raise r.error(node, path, f"{len(items)} payoffs given at {self.labels(idx)}; "
                              f"the game has {self.n} players ({', '.join(self.players)})")
            nodes = [(item, f"{path}[{i}]") for i, item in enumerate(items)]
        elif node.kind == "map":
            mapping = node.value
            for name, (knode, _) in mapping.items():
                if name not in self.players:
                    raise r.error(knode, key_path(path, name), f"{name!r} is not a player "
                                  f"(players: {', '.join(self.players)})")
            missing = [p for p in self.players if p not in mapping]
            if missing:
                raise r.error(node, path, f"no payoff for {', '.join(missing)} at "
                              f"{self.labels(idx)}")
            nodes = [(mapping[p][1], key_path(path, p)) for p in self.players]
        else:
            raise r.error(node, path, f"expected a list of {self.n} payoffs (one per player) "
                          f"at {self.labels(idx)}, got {node.describe()}")
        for i, (item, ipath) in enumerate(nodes):
            self.entries[(i, *idx)] = r.expression(item, ipath, self.names, self.definitions)

    def first_missing(self) -> tuple[int, ...] | None:
        for idx in itertools.product(*(range(m) for m in self.shape)):
            if idx not in self.given:
                return idx
        return None


def read_payoffs(reader: Any, node: Node, players: list[str], strategies: list[list[str]],
                 names: tuple[str, ...], definitions: dict[str, Expression]) -> np.ndarray:
    """The payoff entries (numbers and expressions), shape ``(n, m_1, ..., m_n)``."""
    mapping = reader.expect(node, "map", "payoffs",
                            f"a mapping with one of: {', '.join(PAYOFF_FORMS)}")
    forms = [k for k in mapping if k in PAYOFF_FORMS]
    for key, (knode, _) in mapping.items():
        if key not in PAYOFF_FORMS and not (key == "default" and "profiles" in mapping):
            raise reader.error(knode, key_path("payoffs", key),
                               reader.unknown_key(key, PAYOFF_FORMS))
    if not forms:
        raise reader.error(node, "payoffs", f"expected one of: {', '.join(PAYOFF_FORMS)}")
    if len(forms) > 1:
        raise reader.error(mapping[forms[1]][0], key_path("payoffs", forms[1]),
                           f"give the payoffs in one form only, not both {forms[0]} "
                           f"and {forms[1]}")
    table = _Table(reader, players, strategies, names, definitions)
    form = forms[0]
    body = mapping[form][1]
    path = key_path("payoffs", form)
    if form == "matrix":
        _matrix(table, body, path, ())
    elif form == "profiles":
        _profiles(table, body, path, mapping.get("default"))
    else:
        _by_player(table, body, path)
    return table.entries


def _matrix(t: _Table, node: Node, path: str, idx: tuple[int, ...]) -> None:
    level = len(idx)
    if level == t.n:
        t.given[idx] = node.line
        t.vector(node, path, idx)
        return
    r = t.reader
    player = t.players[level]
    mapping = r.expect(node, "map", path, f"a mapping from {player}'s strategies "
                       f"({', '.join(t.strategies[level])}) to payoffs")
    for label, (knode, vnode) in mapping.items():
        if label not in t.strategies[level]:
            raise r.error(knode, key_path(path, label), t.no_strategy(level, label))
        _matrix(t, vnode, key_path(path, label), (*idx, t.strategies[level].index(label)))
    missing = [s for s in t.strategies[level] if s not in mapping]
    if missing:
        which = "strategy" if len(missing) == 1 else "strategies"
        raise r.error(node, path, f"no payoffs for {player}'s {which} {', '.join(missing)}")


def _profile(t: _Table, node: Node, path: str) -> tuple[int, ...]:
    r = t.reader
    if node.kind == "seq":
        if len(node.value) != t.n:
            raise r.error(node, path, f"a profile names one strategy per player ({t.n}), "
                          f"got {len(node.value)}")
        return tuple(t.strategy(i, item, f"{path}[{i}]") for i, item in enumerate(node.value))
    mapping = r.expect(node, "map", path, "a mapping from players to strategies")
    for name, (knode, _) in mapping.items():
        if name not in t.players:
            raise r.error(knode, key_path(path, name),
                          f"{name!r} is not a player (players: {', '.join(t.players)})")
    missing = [p for p in t.players if p not in mapping]
    if missing:
        raise r.error(node, path, f"the profile gives no strategy for {', '.join(missing)}")
    return tuple(t.strategy(i, mapping[p][1], key_path(path, p)) for i, p in enumerate(t.players))


def _profiles(t: _Table, node: Node, path: str, default: tuple[Node, Node] | None) -> None:
    r = t.reader
    items = r.expect(node, "seq", path, "a list of {profile: ..., payoffs: ...} entries")
    for j, item in enumerate(items):
        ipath = f"{path}[{j}]"
        fields = r.expect(item, "map", ipath, "a mapping with keys profile and payoffs")
        for key, (knode, _) in fields.items():
            if key not in PROFILE_KEYS:
                raise r.error(knode, key_path(ipath, key), r.unknown_key(key, PROFILE_KEYS))
        for key in PROFILE_KEYS:
            if key not in fields:
                raise r.error(item, ipath, f"missing key {key!r}")
        pnode = fields["profile"][1]
        idx = _profile(t, pnode, f"{ipath}.profile")
        if idx in t.given:
            raise r.error(pnode, f"{ipath}.profile", f"duplicate profile {t.labels(idx)}; "
                          f"first given at line {t.given[idx]}")
        t.given[idx] = pnode.line
        t.vector(fields["payoffs"][1], f"{ipath}.payoffs", idx)
    missing = t.first_missing()
    if missing is None:
        return
    if default is None:
        count = int(np.prod(t.shape)) - len(t.given)
        raise r.error(node, path, f"{count} profile{'s' if count > 1 else ''} without payoffs, "
                      f"e.g. {t.labels(missing)}; list every profile or give payoffs.default")
    for idx in itertools.product(*(range(m) for m in t.shape)):
        if idx not in t.given:
            t.vector(default[1], "payoffs.default", idx)


def _indicators(t: _Table) -> dict[str, tuple[int, int]]:
    """Strategy labels usable as 0/1 names: identifiers, unique, not parameters."""
    taken = set(t.names) | set(t.definitions)
    seen: dict[str, list[tuple[int, int]]] = {}
    for i, labels in enumerate(t.strategies):
        for k, label in enumerate(labels):
            seen.setdefault(label, []).append((i, k))
    return {label: where[0] for label, where in seen.items()
            if len(where) == 1 and is_valid_name(label) and label not in taken}


def _by_player(t: _Table, node: Node, path: str) -> None:
    r = t.reader
    mapping = r.expect(node, "map", path, "a mapping from each player to a payoff expression")
    for name, (knode, _) in mapping.items():
        if name not in t.players:
            raise r.error(knode, key_path(path, name),
                          f"{name!r} is not a player (players: {', '.join(t.players)})")
    missing = [p for p in t.players if p not in mapping]
    if missing:
        raise r.error(node, path, f"no payoff expression for {', '.join(missing)}")
    indicators = _indicators(t)
    names = (*t.names, *indicators)
    exprs = []
    for p in t.players:
        vnode = mapping[p][1]
        value = r.expression(vnode, key_path(path, p), names, t.definitions)
        exprs.append((value, vnode, key_path(path, p)))
    for idx in itertools.product(*(range(m) for m in t.shape)):
        chosen = {t.strategies[i][k] for i, k in enumerate(idx)}
        values = {label: int(label in chosen) for label in indicators}
        for i, (value, vnode, ppath) in enumerate(exprs):
            if isinstance(value, Expression):
                try:
                    value = value.substitute(values)
                except ExpressionError as exc:
                    raise r.error(vnode, ppath, f"at {t.labels(idx)}: {exc}") from None
                if value.node[0] == "n":
                    value = r.checked(value.node[1], vnode, ppath)
            t.entries[(i, *idx)] = value
