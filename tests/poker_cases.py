"""Poker game trees for tests and benchmarks: Kuhn poker and Leduc hold'em.

Both are two-player zero-sum games with chance moves and imperfect
information, built as nested dictionaries (the input of
``ExtensiveFormGame.from_tree``) with exact chance probabilities.

* Kuhn poker: a deck of three cards (J < Q < K), one card each, ante 1, one
  betting round where the first player checks or bets 1.  Its value for the
  first player is -1/18.
* Leduc hold'em: a deck of six cards (two each of J, Q, K), ante 1, one
  private card each, a betting round (bets of 2), one public card, a second
  betting round (bets of 4), at most two bets per round.  A player whose card
  pairs the public card wins, otherwise the higher card wins, equal cards
  split.  Suits do not matter, so cards are dealt by rank with the matching
  probabilities (the standard abstraction).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import gametheory as gt  # noqa: F401  (registers the public API)
from gametheory.games.extensive import ExtensiveFormGame
from gametheory.games.tree_builder import from_nested

PLAYERS = ["P1", "P2"]
RANKS = "JQK"


def _kuhn_node(cards: tuple[int, int], history: str) -> Any:
    """Kuhn poker from a betting history (``c`` check/call, ``b`` bet, ``f`` fold)."""
    showdown = 1 if cards[0] > cards[1] else -1
    terminal = {"cc": showdown, "bc": 2 * showdown, "cbc": 2 * showdown, "bf": 1, "cbf": -1}
    if history in terminal:
        v = terminal[history]
        return [v, -v]
    mover = len(history) % 2
    card = RANKS[cards[mover]]
    if history in ("", "c"):
        actions = {"check": "c", "bet": "b"}
    else:
        actions = {"fold": "f", "call": "c"}
    return {
        "player": PLAYERS[mover],
        "infoset": f"{card}:{history or '-'}",
        "actions": {a: _kuhn_node(cards, history + h) for a, h in actions.items()},
    }


def kuhn_poker() -> ExtensiveFormGame:
    """Kuhn poker (value -1/18 for P1)."""
    deals = {}
    for c1 in range(3):
        for c2 in range(3):
            if c1 != c2:
                deals[f"{RANKS[c1]}{RANKS[c2]}"] = (Fraction(1, 6), _kuhn_node((c1, c2), ""))
    return from_nested({"chance": deals}, players=PLAYERS, title="Kuhn poker")


def _leduc_round(
    state: dict[str, Any], history: str, bets: int, raise_size: int, last_round: bool
) -> Any:
    """One betting round of Leduc hold'em; ``state`` holds cards and contributions."""
    mover = len(history) % 2
    pot = list(state["pot"])
    if history.endswith("f"):  # the player who folded loses what they put in
        loser = 1 - mover  # the folder moved last
        v = pot[loser]
        return [v, -v] if loser == 1 else [-v, v]
    if history in ("cc",) or (history.endswith("c") and "r" in history):
        if last_round:
            return _showdown(state, pot)
        return _deal_public(dict(state, past=f"{history}|"))
    actions: dict[str, Any] = {}
    facing = bets > 0 and history.endswith("r")
    if facing:
        other = pot[1 - mover]
        actions["fold"] = _leduc_round(state, history + "f", bets, raise_size, last_round)
        called = dict(state, pot=_put(pot, mover, other - pot[mover]))
        actions["call"] = _leduc_round(called, history + "c", bets, raise_size, last_round)
        if bets < 2:
            raised = dict(state, pot=_put(pot, mover, other - pot[mover] + raise_size))
            actions["raise"] = _leduc_round(raised, history + "r", bets + 1, raise_size, last_round)
    else:
        actions["check"] = _leduc_round(state, history + "c", bets, raise_size, last_round)
        raised = dict(state, pot=_put(pot, mover, raise_size))
        actions["raise"] = _leduc_round(raised, history + "r", bets + 1, raise_size, last_round)
    cards = state["cards"]
    seen = RANKS[cards[mover]] + (RANKS[state["public"]] if state.get("public") is not None else "")
    label = f"{seen}:{state['past']}{history or '-'}"
    return {"player": PLAYERS[mover], "infoset": label, "actions": actions}


def _put(pot: list[int], who: int, amount: int) -> tuple[int, int]:
    out = list(pot)
    out[who] += amount
    return (out[0], out[1])


def _showdown(state: dict[str, Any], pot: list[int]) -> list[int]:
    c1, c2 = state["cards"]
    pub = state["public"]
    s1 = (c1 == pub, c1)
    s2 = (c2 == pub, c2)
    if s1 == s2:
        return [0, 0]
    v = pot[1] if s1 > s2 else -pot[0]
    return [v, -v]


def _deal_public(state: dict[str, Any]) -> Any:
    c1, c2 = state["cards"]
    kids = {}
    for r in range(3):
        left = 2 - (c1 == r) - (c2 == r)
        if left:
            sub = dict(state, public=r)
            kids[RANKS[r]] = (Fraction(left, 4), _leduc_round(sub, "", 0, 4, True))
    return {"chance": kids}


def leduc_poker() -> ExtensiveFormGame:
    """Leduc hold'em (two players, zero-sum)."""
    deals = {}
    for c1 in range(3):
        for c2 in range(3):
            p = Fraction(2, 6) * Fraction(2 - (c1 == c2), 5)
            state = {"cards": (c1, c2), "pot": (1, 1), "public": None, "past": ""}
            deals[f"{RANKS[c1]}{RANKS[c2]}"] = (p, _leduc_round(state, "", 0, 2, False))
    return from_nested({"chance": deals}, players=PLAYERS, title="Leduc hold'em")
