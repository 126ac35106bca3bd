"""Fast path of the ``.efg`` reader: one regular-expression match per node.

Well-formed files are read here; anything irregular (a node the pattern does
not match, an undeclared or inconsistently redeclared information set or
outcome, trailing text) returns ``None`` and the token-by-token reader in
:mod:`.efg` reads the file again to report the exact problem with its line
and column.
"""

from __future__ import annotations

import re
from typing import Any

from .nfg import parse_number

_S = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_HEADER = re.compile(rf"\s*EFG\s+2\s+[RD]\s+({_S})\s*\{{((?:\s*{_S})*)\s*\}}\s*({_S})?", re.S)
_DECL = rf"(?:\s+({_S})\s*\{{([^}}]*)\}})?"
_OUT = rf"\s+(\d+)(?:\s+({_S})\s*\{{([^{{}}\"]*)\}})?"
# groups: 1 p-label 2 player 3 set 4 set-label 5 actions 6 out 7 out-label 8 payoffs
#         9 c-label 10 set 11 set-label 12 actions 13 out 14 out-label 15 payoffs
#         16 t-label 17 out 18 out-label 19 payoffs, 20 anything else
_NODES = re.compile(
    rf"\s*(?:p\s+({_S})\s+(\d+)\s+(\d+){_DECL}{_OUT}"
    rf"|c\s+({_S})\s+(\d+){_DECL}{_OUT}"
    rf"|t\s+({_S}){_OUT}"
    rf"|(\S))",
    re.S,
)
_QUOTED = re.compile(_S)
_PAIR = re.compile(rf'({_S})\s*([^\s"]+)')
_UNESCAPE = re.compile(r"\\(.)", re.S)


def _text(quoted: str) -> str:
    body = quoted[1:-1]
    return _UNESCAPE.sub(r"\1", body) if "\\" in body else body


def fast_parse(text: str) -> tuple[str, list[str], str, dict[str, Any]] | None:
    """``(title, players, comment, tree)`` of a well-formed file, or ``None``."""
    m = _HEADER.match(text)
    if not m:
        return None
    title = _text(m.group(1))
    players = [_text(q) for q in _QUOTED.findall(m.group(2))]
    comment = _text(m.group(3)) if m.group(3) else ""
    n = len(players)
    if n == 0:
        return None
    try:
        tree, end = _nodes(text, m.end(), n)
    except (ValueError, ZeroDivisionError, KeyError, IndexError):
        return None
    if text[end:].strip():
        return None
    return title, players, comment, tree


def _nodes(text: str, pos: int, n: int) -> tuple[dict[str, Any], int]:
    rows = _NODES.findall(text, pos)
    parent: list[int] = []
    node_set: list[int] = []
    node_outcome: list[int] = []
    node_labels: list[str] = []
    sets: dict[tuple[int, int], int] = {}
    set_player: list[int] = []
    set_label: list[str] = []
    set_actions: list[list[str]] = []
    set_probs: list[list[Any]] = []
    set_numbers: list[int] = []
    outcomes: dict[str, int] = {}
    out_labels: list[str] = []
    out_payoffs: list[list[str]] = []
    stack: list[list[int]] = []
    parsed: dict[tuple[bool, str], tuple[list[str], list[Any]]] = {}
    for row in rows:
        if row[19]:
            raise ValueError("irregular text")
        node = len(parent)
        if stack:
            top = stack[-1]
            parent.append(top[0])
            top[1] -= 1
            if top[1] == 0:
                stack.pop()
        elif node:
            raise ValueError("second root")
        else:
            parent.append(-1)
        if row[15]:  # terminal
            label, out, olabel, pays = row[15], row[16], row[17], row[18]
            node_set.append(-1)
            nact = 0
        else:
            if row[0]:
                label, player, number, slabel, acts, out, olabel, pays = row[0:8]
                p = int(player)
                if not 1 <= p <= n:
                    raise ValueError("bad player")
            else:
                label, number, slabel, acts, out, olabel, pays = row[8:15]
                p = 0
            key = (p, int(number))
            h = sets.get(key)
            if slabel:
                cached = parsed.get((p == 0, acts))
                if cached is not None:
                    names, probs = cached
                elif p == 0:
                    pairs = _PAIR.findall(acts)
                    names = [_text(x) for x, _ in pairs]
                    probs: list[Any] = [parse_number(v) for _, v in pairs]
                    if len(_QUOTED.findall(acts)) != len(pairs):
                        raise ValueError("bad chance actions")
                else:
                    names = [_text(x) for x in _QUOTED.findall(acts)]
                    probs = [None] * len(names)
                if not names:
                    raise ValueError("no actions")
                parsed[(p == 0, acts)] = (names, probs)
                if h is None:
                    h = len(set_player)
                    sets[key] = h
                    set_player.append(p - 1)
                    set_label.append(_text(slabel))
                    set_actions.append(names)
                    set_probs.append(probs)
                    set_numbers.append(int(number))
                elif (set_label[h], set_actions[h]) != (_text(slabel), names) or (
                    p == 0 and set_probs[h] != probs
                ):
                    raise ValueError("redeclared")
            elif h is None:
                raise ValueError("undeclared")
            node_set.append(h)
            nact = len(set_actions[h])
        node_labels.append(_text(label) if label != '""' else "")
        if olabel:
            tokens = pays.replace(",", " ").split()
            if out == "0" or len(tokens) != n:
                raise ValueError("bad outcome")
            k = outcomes.get(out)
            if k is None:
                outcomes[out] = len(out_labels)
                out_labels.append(_text(olabel))
                out_payoffs.append(tokens)
            elif out_labels[k] != _text(olabel) or [parse_number(t) for t in tokens] != [
                parse_number(t) for t in out_payoffs[k]
            ]:
                raise ValueError("redeclared outcome")
            node_outcome.append(outcomes[out])
        elif int(out) == 0:
            node_outcome.append(-1)
        else:
            node_outcome.append(outcomes[str(int(out))])
        if nact:
            stack.append([node, nact])
        elif not stack:
            if node + 1 != len(rows):
                raise ValueError("text after the tree")
            break
    if stack or not parent:
        raise ValueError("incomplete tree")
    tree = {
        "parent": parent, "node_set": node_set, "node_outcome": node_outcome,
        "node_labels": node_labels, "set_player": set_player, "set_label": set_label,
        "set_actions": set_actions, "set_probs": set_probs, "out_labels": out_labels,
        "out_payoffs": out_payoffs, "set_numbers": set_numbers, "n": n,
    }  # fmt: skip
    return tree, len(text)
