"""Gambit extensive-form files (``.efg``): reading and writing.

Format (version 2)::

    EFG 2 R "title" { "Player 1" "Player 2" }
    "optional comment"

    p "node" 1 1 "infoset" { "L" "R" } 0
    c "node" 1 "" { "H" 1/2 "T" 1/2 } 1 "outcome" { 1, -1 }
    t "node" 2 "outcome" { 2.5 3 }

Nodes are listed depth first.  ``p`` (player) and ``c`` (chance) nodes name
their information set by number (per player; chance is player 0); the label
and actions (with probabilities at chance nodes) may be omitted when the set
was declared before.  Outcomes are numbered too (``0``: none); the label and
payoffs may be omitted after the first use.  Outcomes at non-terminal nodes
add up along the path.

Chance probabilities are read exactly (decimals and ``a/b`` as rationals).
Payoffs are read as integers, floats (decimals) or rationals (``a/b``).
Legacy files with empty or duplicate player or action labels, or duplicate
information set labels, are accepted: labels are renamed with a warning.
Malformed files raise :class:`ModelFileError` naming the line and column.
"""

from __future__ import annotations

import re
import warnings
from fractions import Fraction
from typing import Any

import numpy as np

from ..exceptions import InvalidGameError, ModelFileError
from ..games.extensive import ExtensiveFormGame, RawTree
from ..games.model import Model
from .efg_fast import fast_parse
from .efg_writer import write_efg
from .nfg import parse_number

__all__ = ["read_efg", "write_efg"]

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{},]|[^\s{},"]+|"', re.S)
_UNESCAPE = re.compile(r"\\(.)", re.S)
_INT = re.compile(r"[+-]?\d+")
#: Chance probabilities written as rounded decimals may miss 1 by this much (then rescaled).
ROUNDING_SLACK = Fraction(1, 10**6)
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


class _Fail(Exception):
    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


def _show(tok: str | None) -> str:
    if tok is None:
        return "end of file"
    return repr(tok if len(tok) <= 30 else tok[:27] + "...")


def _normalise(labels: list[str], what: str, warn: list[str]) -> list[str]:
    """Make labels non-empty and distinct the way Gambit does (``x_1``, ``x_2``, ...)."""
    counts: dict[str, int] = {}
    for lab in labels:
        counts[lab] = counts.get(lab, 0) + 1
    if all(c == 1 for c in counts.values()) and "" not in counts:
        return labels
    used = set(labels)
    visited: dict[str, int] = {}
    out = []
    for lab in labels:
        if counts[lab] == 1 and lab != "":
            out.append(lab)
            continue
        while True:
            visited[lab] = visited.get(lab, 0) + 1
            cand = f"{lab}_{visited[lab]}"
            if cand not in used:
                break
        used.add(cand)
        out.append(cand)
        warn.append(
            f"{what} {lab!r} renamed to {cand!r}" if lab else f"empty {what} named {cand!r}"
        )
    return out


class _Reader:
    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename
        self.toks: list[str] = []
        self.i = 0

    # -------------------------------------------------------------- errors
    def error(self, index: int, message: str) -> ModelFileError:
        pos = len(self.text.rstrip())
        for k, m in enumerate(_TOKEN.finditer(self.text)):
            if k == index:
                pos = m.start()
                break
        line = self.text.count("\n", 0, pos) + 1
        col = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return ModelFileError(f"column {col}: {message}", file=self.filename, line=line)

    # -------------------------------------------------------------- tokens
    def next(self) -> str | None:
        i = self.i
        self.i = i + 1
        return self.toks[i] if i < len(self.toks) else None

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def string(self, what: str) -> str:
        tok = self.next()
        if tok is None or tok[0] != '"':
            raise _Fail(self.i - 1, f"expected {what} (a quoted string), found {_show(tok)}")
        if len(tok) < 2:
            raise _Fail(self.i - 1, "unterminated string")
        body = tok[1:-1]
        return _UNESCAPE.sub(r"\1", body) if "\\" in body else body

    def integer(self, what: str) -> int:
        tok = self.next()
        if tok is None or not _INT.fullmatch(tok):
            raise _Fail(self.i - 1, f"expected {what} (an integer), found {_show(tok)}")
        return int(tok)

    def expect(self, want: str, what: str) -> None:
        tok = self.next()
        if tok != want:
            raise _Fail(self.i - 1, f"expected {what}, found {_show(tok)}")

    def number(self, what: str) -> str:
        tok = self.next()
        if tok is None or not (_DECIMAL.fullmatch(tok) or "/" in tok):
            raise _Fail(self.i - 1, f"expected {what} (a number), found {_show(tok)}")
        return tok

    # -------------------------------------------------------------- document
    def read(self) -> Model:
        fast = fast_parse(self.text)
        if fast is not None:
            title, players, comment, tree = fast
            try:
                return self._finish(tree, players, title, comment)
            except ModelFileError:
                raise
            except ValueError:
                pass  # re-read token by token to locate the problem
        self.toks = _TOKEN.findall(self.text)
        try:
            return self._read()
        except _Fail as exc:
            raise self.error(exc.index, exc.message) from None

    def _read(self) -> Model:
        if not self.text.strip():
            raise ModelFileError("the file is empty", file=self.filename)
        tok = self.next()
        if tok != "EFG":
            raise _Fail(0, f"not a Gambit .efg file (expected 'EFG', found {_show(tok)})")
        if self.next() != "2":
            raise _Fail(1, f"unsupported .efg version {_show(self.toks[1])} (expected 2)")
        tok = self.next()
        if tok not in ("R", "D"):
            raise _Fail(2, f"expected 'R' or 'D' after the version, found {_show(tok)}")
        title = self.string("the title")
        self.expect("{", "'{' starting the player names")
        players = []
        while self.peek() not in ("}", None):
            players.append(self.string("a player name"))
        self.expect("}", "'}' ending the player names")
        if not players:
            raise _Fail(self.i - 1, "the game has no players")
        comment = ""
        if (self.peek() or "").startswith('"'):
            comment = self.string("the comment")
        tree = self._nodes(len(players))
        if self.peek() is not None:
            raise _Fail(self.i, f"unexpected {_show(self.peek())} after the last node of the tree")
        return self._finish(tree, players, title, comment)

    def _finish(self, tree: dict[str, Any], players: list[str], title: str, comment: str) -> Model:
        warn: list[str] = []
        players = _normalise(players, "player", warn)
        game = self._game(tree, players, title, warn)
        if warn:
            more = f" (and {len(warn) - 3} more)" if len(warn) > 3 else ""
            warnings.warn(f"{self.filename}: {'; '.join(warn[:3])}{more}", stacklevel=4)
        return Model(
            game=game, parameters={}, title=title, description=comment, source_file=self.filename
        )

    def _nodes(self, n: int) -> dict[str, Any]:
        parent: list[int] = []
        node_set: list[int] = []
        node_outcome: list[int] = []
        node_labels: list[str] = []
        sets: dict[tuple[int, int], int] = {}
        set_player: list[int] = []
        set_label: list[str] = []
        set_actions: list[list[str]] = []
        set_probs: list[list[Any]] = []
        set_where: list[int] = []
        outcomes: dict[int, int] = {}
        out_labels: list[str] = []
        out_payoffs: list[list[str]] = []
        out_where: list[int] = []
        stack: list[list[int]] = []
        while True:
            at = self.i
            kind = self.next()
            if kind is None:
                raise _Fail(at, "unexpected end of file: the tree is incomplete")
            if kind not in ("p", "c", "t"):
                raise _Fail(at, f"expected a node type 'p', 'c' or 't', found {_show(kind)}")
            node = len(parent)
            if stack:
                top = stack[-1]
                parent.append(top[0])
                top[1] -= 1
                if top[1] == 0:
                    stack.pop()
            else:
                if node:
                    raise _Fail(at, "a second root: the tree is already complete")
                parent.append(-1)
            node_labels.append(self.string("the node label"))
            nact = 0
            if kind == "t":
                node_set.append(-1)
            else:
                player = 0 if kind == "c" else self.integer("the player number")
                if kind == "p" and not 1 <= player <= n:
                    raise _Fail(self.i - 1, f"player {player} does not exist (the game has {n})")
                num_at = self.i
                number = self.integer("the information set number")
                key = (player, number)
                declared = None
                if (self.peek() or "").startswith('"'):
                    label = self.string("the information set label")
                    self.expect("{", "'{' starting the actions")
                    actions, probs = [], []
                    while self.peek() not in ("}", None):
                        actions.append(self.string("an action label"))
                        if kind == "c":
                            tok = self.number("a chance probability")
                            try:
                                probs.append(parse_number(tok))
                            except (ValueError, ZeroDivisionError) as exc:
                                raise _Fail(self.i - 1, f"bad probability {tok!r}: {exc}") from None
                    self.expect("}", "'}' ending the actions")
                    if not actions:
                        raise _Fail(self.i - 1, "an information set needs at least one action")
                    declared = (label, actions, probs)
                h = sets.get(key)
                if h is None:
                    if declared is None:
                        who = "chance" if player == 0 else f"player {player}"
                        raise _Fail(
                            num_at,
                            f"information set {number} of {who} is used before it is declared",
                        )
                    h = len(set_player)
                    sets[key] = h
                    set_player.append(player - 1)
                    set_label.append(declared[0])
                    set_actions.append(declared[1])
                    set_probs.append(declared[2] if kind == "c" else [None] * len(declared[1]))
                    set_where.append(number)
                elif declared is not None:
                    same = declared[0] == set_label[h] and declared[1] == set_actions[h]
                    if kind == "c":
                        same = same and declared[2] == set_probs[h]
                    if not same:
                        who = "chance" if player == 0 else f"player {player}"
                        raise _Fail(
                            num_at,
                            f"information set {number} of {who} is declared again "
                            "with a different label, actions or probabilities",
                        )
                node_set.append(h)
                nact = len(set_actions[h])
            # outcome
            num_at = self.i
            k = self.integer("the outcome number")
            if (self.peek() or "").startswith('"'):
                if k == 0:
                    raise _Fail(num_at, "outcome 0 (no outcome) cannot have a label or payoffs")
                label = self.string("the outcome label")
                self.expect("{", "'{' starting the payoffs")
                pays = []
                while self.peek() not in ("}", None):
                    pays.append(self.number("a payoff"))
                    if self.peek() == ",":
                        self.i += 1
                self.expect("}", "'}' ending the payoffs")
                if len(pays) != n:
                    raise _Fail(self.i - 1, f"outcome {k} has {len(pays)} payoffs for {n} players")
                if k in outcomes:
                    o = outcomes[k]
                    if out_labels[o] != label or [_exact(p) for p in out_payoffs[o]] != [
                        _exact(p) for p in pays
                    ]:
                        raise _Fail(
                            num_at,
                            f"outcome {k} is declared again with a different label or payoffs",
                        )
                else:
                    outcomes[k] = len(out_labels)
                    out_labels.append(label)
                    out_payoffs.append(pays)
                    out_where.append(num_at)
                node_outcome.append(outcomes[k])
            elif k == 0:
                node_outcome.append(-1)
            elif k in outcomes:
                node_outcome.append(outcomes[k])
            else:
                raise _Fail(num_at, f"outcome {k} is used before it is declared")
            if nact:
                stack.append([node, nact])
            if not stack:
                break
        return {
            "parent": parent,
            "node_set": node_set,
            "node_outcome": node_outcome,
            "node_labels": node_labels,
            "set_player": set_player,
            "set_label": set_label,
            "set_actions": set_actions,
            "set_probs": set_probs,
            "out_labels": out_labels,
            "out_payoffs": out_payoffs,
            "set_numbers": set_where,
            "n": n,
        }

    def _game(
        self, tree: dict[str, Any], players: list[str], title: str, warn: list[str]
    ) -> ExtensiveFormGame:
        n = tree["n"]
        done: dict[tuple[str, ...], tuple[str, ...]] = {}
        actions = []
        for a in tree["set_actions"]:
            key = tuple(a)
            if key not in done:
                done[key] = tuple(_normalise(list(a), "action", warn))
            actions.append(done[key])
        labels = _infoset_labels(tree["set_player"], tree["set_label"], n, warn)
        for h, ps in enumerate(tree["set_probs"]):
            if tree["set_player"][h] < 0:
                tree["set_probs"][h] = _rescale(ps, h, tree, warn)
        probs_list = [p for ps in tree["set_probs"] for p in ps]
        probs = np.empty(len(probs_list), dtype=object)
        probs[:] = probs_list
        raw = RawTree(
            parent=np.asarray(tree["parent"], dtype=np.int64),
            infoset=np.asarray(tree["node_set"], dtype=np.int64),
            infoset_player=np.asarray(tree["set_player"], dtype=np.int64),
            num_actions=np.asarray([len(a) for a in actions], dtype=np.int64),
            infoset_labels=labels,
            action_labels=actions,
            action_probs=probs,
            node_outcome=np.asarray(tree["node_outcome"], dtype=np.int64),
            outcomes=_payoff_array(tree["out_payoffs"], n),
            outcome_labels=tree["out_labels"],
            node_labels=tree["node_labels"] if any(tree["node_labels"]) else None,
        )
        try:
            return ExtensiveFormGame(raw, players=players, title=title, num_players=n)
        except InvalidGameError as exc:
            raise ModelFileError(str(exc), file=self.filename) from None


def _rescale(ps: list[Any], h: int, tree: dict[str, Any], warn: list[str]) -> list[Any]:
    """Probabilities of a chance set, rescaled exactly when rounded decimals miss 1 slightly."""
    total = sum(ps, Fraction(0))
    if total == 1 or total <= 0 or abs(total - 1) > ROUNDING_SLACK:
        return ps
    number = tree["set_numbers"][h]
    warn.append(
        f"chance information set {number}: probabilities sum to {float(total)!r}; rescaled to 1"
    )
    return [Fraction(p) / total for p in ps]


def _exact(tok: str) -> Any:
    return parse_number(tok)


def _infoset_labels(owner: list[int], given: list[str], n: int, warn: list[str]) -> list[str]:
    """Labels per player made distinct; empty ones keep their default (the set's number)."""
    out = list(given)
    for p in range(n):
        idx = [h for h, q in enumerate(owner) if q == p]
        final = [given[h] or str(rank + 1) for rank, h in enumerate(idx)]
        if len(set(final)) == len(final):
            continue
        fixed = _normalise(final, "information set", warn)
        for h, old, new in zip(idx, final, fixed):
            if old != new:
                out[h] = new
    return out


def _payoff_array(rows: list[list[str]], n: int) -> np.ndarray:
    if not rows:
        return np.zeros((0, n))
    flat = [t for r in rows for t in r]
    joined = " ".join(flat)
    if "/" not in joined:
        if not any(c in joined for c in ".eE"):
            values = [int(t) for t in flat]
            if max(abs(v) for v in values) < 2**53:
                return np.asarray(values, dtype=np.int64).reshape(len(rows), n)
        else:
            return np.asarray(flat, dtype=np.float64).reshape(len(rows), n)
    out = np.empty(len(flat), dtype=object)
    out[:] = [parse_number(t) for t in flat]
    return out.reshape(len(rows), n)


def read_efg(text: str, filename: str = "<string>") -> Model:
    """Read a Gambit ``.efg`` file.

    Parameters
    ----------
    text
        The file's content.
    filename
        Name used in error messages.

    Returns
    -------
    Model
        A model with an :class:`ExtensiveFormGame` and no parameters.

    Raises
    ------
    ModelFileError
        For malformed files, naming the line and column.
    """
    return _Reader(text, filename).read()
