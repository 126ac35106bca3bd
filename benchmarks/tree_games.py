"""Seeded game trees of the extensive-form benchmark group.

* :func:`random_pi_arrays`: a random perfect-information tree of a given
  size as flat arrays (the input of ``ExtensiveFormGame.from_arrays``), in
  breadth-first order, with chance nodes and continuous random payoffs (so
  the subgame-perfect equilibrium is unique).
* :func:`random_imperfect_tree`: a random two-player tree with chance moves
  and information sets, with perfect recall by construction.
* :func:`kuhn_poker`, :func:`leduc_poker`: the standard poker benchmarks,
  cards dealt one at a time and suits kept (Leduc: 9,457 nodes and 936
  information sets of the players, as in common poker benchmark suites).
* :func:`efg_tree`: a large tree with information sets and integer payoffs,
  written to a Gambit ``.efg`` file for the reading benchmark.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

PLAYERS = ("P1", "P2")


@dataclass(frozen=True)
class TreeArrays:
    """A tree as flat arrays, nodes in breadth-first order (parents before children).

    Attributes
    ----------
    parent
        Parent of each node (``-1`` for the root); siblings are contiguous.
    mover
        Player moving at each node (``-1`` for chance and terminal nodes).
    payoffs
        Payoffs of the terminal nodes in node order, shape ``(terminals, players)``.
    chance_probs
        Probability of each node given its parent (used below chance nodes, 0 elsewhere).
    level
        Depth of each node.
    """

    parent: np.ndarray
    mover: np.ndarray
    payoffs: np.ndarray
    chance_probs: np.ndarray
    level: np.ndarray

    @property
    def num_nodes(self) -> int:
        """Number of nodes."""
        return int(self.parent.size)

    def game(self, infoset: np.ndarray | None = None) -> Any:
        """The game (``ExtensiveFormGame.from_arrays``)."""
        from gametheory.games.extensive import ExtensiveFormGame

        return ExtensiveFormGame.from_arrays(
            self.parent, self.mover, self.payoffs, self.chance_probs, infoset,
            players=list(PLAYERS[: self.payoffs.shape[1]]),
        )


def random_pi_arrays(num_nodes: int, seed: int, *, chance: float = 0.1, p_term: float = 0.3,
                     exact: bool = False) -> TreeArrays:
    """A random perfect-information tree of exactly ``num_nodes`` nodes (at least 3), two players.

    Grown level by level: each node of a level is terminal with probability
    ``p_term`` or gets 2 or 3 children, until the node count is reached (the
    last level stops exactly at it; one node may get a fourth child).  A
    non-root inner node is a chance node with probability ``chance`` (random
    probabilities), otherwise a random player moves.  Payoffs are uniform in
    [0, 1); with ``exact=True`` they are integers in [0, 1000) and chance
    probabilities are fractions of weights 1 to 4 (an object array of
    ``Fraction``).
    """
    if num_nodes < 3:
        raise ValueError("a random tree needs at least 3 nodes")
    rng = np.random.default_rng(seed)
    parents = [np.array([-1], dtype=np.int64)]
    levels = [np.zeros(1, dtype=np.int64)]
    total, depth = 1, 0
    level = np.array([0], dtype=np.int64)
    while level.size:
        k = rng.integers(2, 4, size=level.size)
        k[rng.random(level.size) < (p_term if total > 1 else 0.0)] = 0
        if not k.any():  # the tree must not die out before its size is reached
            k[rng.integers(level.size)] = 2
        cum = np.cumsum(k)
        if total + cum[-1] >= num_nodes - 1:  # never leave room for a single node
            cut = int(np.searchsorted(cum, num_nodes - total, side="right"))
            k[cut:] = 0
            left = num_nodes - total - (int(cum[cut - 1]) if cut else 0)
            if left >= 2 and cut < k.size:
                k[cut] = left
            elif left == 1:  # one more child for the last node that has some
                k[np.flatnonzero(k)[-1]] += 1
        if not k.any():
            break
        kids = np.repeat(level, k)
        depth += 1
        parents.append(kids)
        levels.append(np.full(kids.size, depth, dtype=np.int64))
        level = np.arange(total, total + kids.size, dtype=np.int64)
        total += kids.size
    parent = np.concatenate(parents)
    n = parent.size
    counts = np.bincount(parent[1:], minlength=n)
    term = counts == 0
    mover = rng.integers(0, 2, size=n)
    is_chance = (rng.random(n) < chance) & ~term
    is_chance[0] = False
    mover[is_chance | term] = -1
    weight = rng.integers(1, 5, size=n) if exact else rng.random(n) + 0.1
    below = np.flatnonzero(parent >= 0)
    below = below[is_chance[parent[below]]]
    sums = np.bincount(parent[below], weights=weight[below], minlength=n)
    nterm = int(term.sum())
    if exact:
        probs = np.zeros(n, dtype=object)
        probs[below] = [Fraction(int(w), int(t))
                        for w, t in zip(weight[below], sums[parent[below]])]
        pay = rng.integers(0, 1000, size=(nterm, 2))
    else:
        probs = np.zeros(n)
        probs[below] = weight[below] / sums[parent[below]]
        pay = rng.random((nterm, 2))
    return TreeArrays(parent, mover.astype(np.int64), pay, probs, np.concatenate(levels))


def pi_infosets(tree: TreeArrays, seed: int) -> np.ndarray:
    """Information sets for :func:`efg_tree`: same-level nodes of one player, same arity, paired.

    Perfect recall is not guaranteed (the reading benchmark does not need it).
    """
    rng = np.random.default_rng(seed)
    n = tree.num_nodes
    counts = np.bincount(tree.parent[1:], minlength=n)
    ids = np.arange(n, dtype=np.int64)
    movers = np.flatnonzero(tree.mover >= 0)
    key = (tree.level[movers] * 2 + tree.mover[movers]) * 4 + counts[movers]
    order = movers[np.lexsort((rng.random(movers.size), key))]
    skey = (tree.level[order] * 2 + tree.mover[order]) * 4 + counts[order]
    pair = np.flatnonzero((skey[1::2] == skey[:-1:2]) & (rng.random(order.size // 2) < 0.5))
    ids[order[2 * pair + 1]] = order[2 * pair]
    return ids


def efg_tree(num_nodes: int, seed: int) -> Any:
    """A tree with chance, information sets and integer payoffs, for the ``.efg`` benchmark."""
    tree = random_pi_arrays(num_nodes, seed, exact=True)
    return tree.game(pi_infosets(tree, seed + 1))


# ---------------------------------------------------------------------- imperfect information
def random_imperfect_tree(num_nodes: int, seed: int) -> Any:
    """A random two-player tree of ``num_nodes`` nodes with chance and information sets.

    Nodes are expanded in random order until the count is reached: a node is
    terminal (probability 0.25, integer payoffs in [0, 1000)), a chance node
    (0.15, 2-3 outcomes with random rational probabilities) or a decision
    node of a random player with 2-3 actions.  A decision node joins an
    existing information set (probability 0.6) only if that set has the same
    player, the same number of actions and the same own history of that
    player (their earlier information sets and actions), so the game has
    perfect recall.
    """
    from gametheory.games.tree_builder import from_nested

    rng = random.Random(seed)
    groups: dict[tuple[int, tuple[Any, ...], int], list[str]] = {}
    label_no = itertools.count(1)
    root: dict[str, Any] = {}
    frontier: list[tuple[dict[str, Any], tuple[tuple[Any, ...], ...]]] = [(root, ((), ()))]
    count = 1
    while frontier:
        slot, hist = frontier.pop(rng.randrange(len(frontier)))
        k = rng.randint(2, 3)
        roll = rng.random()
        if count + k > num_nodes or (count > 1 and roll < 0.25):
            slot["payoffs"] = [rng.randrange(1000), rng.randrange(1000)]
            continue
        count += k
        kids: list[tuple[dict[str, Any], tuple[tuple[Any, ...], ...]]] = [
            ({}, hist) for _ in range(k)
        ]
        if count > 1 + k and roll < 0.40:
            weights = [rng.randint(1, 4) for _ in range(k)]
            slot["chance"] = {
                f"c{j}": (Fraction(w, sum(weights)), kid)
                for j, (w, (kid, _)) in enumerate(zip(weights, kids))
            }
        else:
            p = rng.randrange(2)
            key = (p, hist[p], k)
            if key in groups and rng.random() < 0.6:
                label = rng.choice(groups[key])
            else:
                label = f"h{next(label_no)}"
                groups.setdefault(key, []).append(label)
            slot.update(player=PLAYERS[p], infoset=label,
                        actions={f"a{j}": kid for j, (kid, _) in enumerate(kids)})
            kids = [
                (kid, tuple((*h, (label, j)) if q == p else h for q, h in enumerate(hist)))
                for j, (kid, _) in enumerate(kids)
            ]
        frontier.extend(kids)
    return from_nested(_finish(root), players=list(PLAYERS), title=f"random tree {seed}")


def _finish(node: dict[str, Any]) -> Any:
    """Nested dictionaries in the builder's input form (terminals as payoff lists)."""
    stack = [node]
    while stack:
        d = stack.pop()
        if "chance" in d:
            for key, (p, kid) in d["chance"].items():
                if "payoffs" in kid:
                    d["chance"][key] = (p, kid["payoffs"])
                else:
                    stack.append(kid)
        elif "actions" in d:
            for key, kid in d["actions"].items():
                if "payoffs" in kid:
                    d["actions"][key] = kid["payoffs"]
                else:
                    stack.append(kid)
    return node["payoffs"] if "payoffs" in node else node


# ---------------------------------------------------------------------- poker
def _deal(cards: list[str], dealt: tuple[str, ...], then: Any) -> dict[str, Any]:
    left = [c for c in cards if c not in dealt]
    p = Fraction(1, len(left))
    return {"chance": {c: (p, then((*dealt, c))) for c in left}}


def _kuhn(cards: tuple[str, ...], history: str) -> Any:
    win = 1 if "JQK".index(cards[0]) > "JQK".index(cards[1]) else -1
    ends = {"cc": win, "bc": 2 * win, "cbc": 2 * win, "bf": 1, "cbf": -1}
    if history in ends:
        return [ends[history], -ends[history]]
    mover = len(history) % 2
    acts = {"check": "c", "bet": "b"} if history in ("", "c") else {"fold": "f", "call": "c"}
    return {"player": PLAYERS[mover], "infoset": f"{cards[mover]}:{history or '-'}",
            "actions": {a: _kuhn(cards, history + h) for a, h in acts.items()}}


def kuhn_poker() -> Any:
    """Kuhn poker (three cards, ante 1, bet 1): 58 nodes; value -1/18 for P1."""
    from gametheory.games.tree_builder import from_nested

    deck = ["J", "Q", "K"]
    tree = _deal(deck, (), lambda d: _deal(deck, d, lambda dd: _kuhn(dd, "")))
    return from_nested(tree, players=list(PLAYERS), title="Kuhn poker")


_LEDUC_DECK = ["Js", "Jh", "Qs", "Qh", "Ks", "Kh"]


def _rank(card: str) -> int:
    return "JQK".index(card[0])


def _leduc_round(cards: tuple[str, ...], past: str, history: str, pot: tuple[int, int],
                 raises: int) -> Any:
    """A betting round (``c`` check/call, ``r`` raise, ``f`` fold; at most two raises)."""
    last = len(cards) == 3
    size = 4 if last else 2
    mover = len(history) % 2
    if history.endswith("f"):
        loser = 1 - mover  # the folder moved last
        v = pot[loser]
        return [-v, v] if loser == 0 else [v, -v]
    if history == "cc" or (history.endswith("c") and "r" in history):
        if not last:
            return _deal(_LEDUC_DECK, cards,
                         lambda d: _leduc_round(d, past + history + "|", "", pot, 0))
        s1 = (_rank(cards[0]) == _rank(cards[2]), _rank(cards[0]))
        s2 = (_rank(cards[1]) == _rank(cards[2]), _rank(cards[1]))
        if s1 == s2:
            return [0, 0]
        return [pot[1], -pot[1]] if s1 > s2 else [-pot[0], pot[0]]
    facing = history.endswith("r")
    owed = pot[1 - mover] - pot[mover]
    acts: dict[str, Any] = {}
    if facing:
        acts["fold"] = _leduc_round(cards, past, history + "f", pot, raises)
    call = _add(pot, mover, owed)
    acts["call" if facing else "check"] = _leduc_round(cards, past, history + "c", call, raises)
    if raises < 2:
        acts["raise"] = _leduc_round(cards, past, history + "r", _add(pot, mover, owed + size),
                                     raises + 1)
    seen = cards[mover] + (cards[2] if last else "")
    return {"player": PLAYERS[mover], "infoset": f"{seen}:{past}{history or '-'}",
            "actions": acts}


def _add(pot: tuple[int, int], who: int, amount: int) -> tuple[int, int]:
    return (pot[0] + amount, pot[1]) if who == 0 else (pot[0], pot[1] + amount)


def leduc_poker() -> Any:
    """Leduc hold'em: six cards (J, Q, K in two suits), ante 1, raises 2 then 4, two per round.

    Cards are dealt one at a time (9,457 nodes, 936 information sets of the
    players); its value for P1 is about -0.0856.
    """
    from gametheory.games.tree_builder import from_nested

    tree = _deal(_LEDUC_DECK, (), lambda d: _deal(
        _LEDUC_DECK, d, lambda dd: _leduc_round(dd, "", "", (1, 1), 0)))
    return from_nested(tree, players=list(PLAYERS), title="Leduc hold'em")
