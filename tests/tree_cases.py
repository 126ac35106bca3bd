"""Game trees shared by the extensive-form tests: textbook examples and random trees.

Random trees are nested dictionaries (the input of ``ExtensiveFormGame.from_tree``)
built from a seed.  With ``infosets=True`` decision nodes of the same player
with the same number of actions and the same own history (the player's earlier
information sets and actions) may share an information set, so every random
game has perfect recall by construction.
"""

from __future__ import annotations

import io
import itertools
import random
from fractions import Fraction
from typing import Any

import gametheory as gt  # noqa: F401  (registers the public API)
from gametheory.games.extensive import ExtensiveFormGame
from gametheory.games.tree_builder import from_nested

PLAYERS = ("Ann", "Bob", "Cid")


def entry_deterrence() -> ExtensiveFormGame:
    return from_nested(
        {
            "player": "Entrant",
            "infoset": "E",
            "actions": {
                "out": [0, 2],
                "in": {
                    "player": "Incumbent",
                    "infoset": "I",
                    "actions": {"fight": [-1, -1], "accommodate": [1, 1]},
                },
            },
        },
        players=["Entrant", "Incumbent"],
        title="Entry deterrence",
    )


def centipede(stages: int) -> ExtensiveFormGame:
    """Rosenthal's centipede: at stage k the mover takes (k+2, k-1) for himself/other or passes."""
    players = ["Ann", "Bob"]
    node: Any = [stages, stages]
    for k in reversed(range(stages)):
        mover = k % 2
        take = [0, 0]
        take[mover], take[1 - mover] = k + 2, k - 1
        node = {
            "player": players[mover],
            "infoset": f"s{k + 1}",
            "actions": {"take": take, "pass": node},
        }
    return from_nested(node, players=players, title="Centipede")


def selten_horse() -> ExtensiveFormGame:
    return from_nested(
        {
            "player": "1",
            "infoset": "1",
            "actions": {
                "D": {"player": "3", "infoset": "3", "actions": {"L": [3, 3, 2], "R": [0, 0, 0]}},
                "A": {
                    "player": "2",
                    "infoset": "2",
                    "actions": {
                        "a": [1, 1, 1],
                        "d": {
                            "player": "3",
                            "infoset": "3",
                            "actions": {"L": [4, 4, 0], "R": [0, 0, 1]},
                        },
                    },
                },
            },
        },
        players=["1", "2", "3"],
        title="Selten's horse",
    )


def forgetful() -> ExtensiveFormGame:
    """Ann chooses, then chooses again without remembering her first choice."""
    return from_nested(
        {
            "player": "Ann",
            "infoset": "first",
            "actions": {
                "L": {"player": "Ann", "infoset": "second", "actions": {"l": [1, 0], "r": [0, 1]}},
                "R": {"player": "Ann", "infoset": "second", "actions": {"l": [0, 1], "r": [2, 0]}},
            },
        },
        players=["Ann", "Bob"],
    )


def absent_minded() -> ExtensiveFormGame:
    """The absent-minded driver: both intersections in one information set."""
    return from_nested(
        {
            "player": "Driver",
            "infoset": "X",
            "actions": {
                "exit": [0],
                "continue": {
                    "player": "Driver",
                    "infoset": "X",
                    "actions": {"exit": [4], "continue": [1]},
                },
            },
        },
        players=["Driver"],
    )


def chance_game() -> ExtensiveFormGame:
    """Nature picks a card; Ann sees it and bets or folds; Bob calls or passes without seeing it."""
    bob = {"player": "Bob", "infoset": "bet"}
    return from_nested(
        {
            "chance": {
                "high": (
                    Fraction(1, 3),
                    {
                        "player": "Ann",
                        "infoset": "H",
                        "actions": {
                            "fold": [-1, 1],
                            "bet": {**bob, "actions": {"call": [2, -2], "pass": [1, -1]}},
                        },
                    },
                ),
                "low": (
                    Fraction(2, 3),
                    {
                        "player": "Ann",
                        "infoset": "L",
                        "actions": {
                            "fold": [-1, 1],
                            "bet": {**bob, "actions": {"call": [-2, 2], "pass": [1, -1]}},
                        },
                    },
                ),
            }
        },
        players=["Ann", "Bob"],
        title="One-card poker",
    )


def random_spec(
    seed: int,
    depth: int = 4,
    n_players: int = 2,
    chance: bool = True,
    infosets: bool = False,
    payoff_range: int = 3,
    floats: bool = False,
) -> dict[str, Any]:
    """A random tree as nested dictionaries (see the module docstring)."""
    rng = random.Random(seed)
    groups: dict[tuple[int, tuple[Any, ...], int], list[str]] = {}
    counter = itertools.count()

    def payoff() -> Any:
        if floats:
            return round(rng.uniform(-payoff_range, payoff_range), 3)
        return rng.randint(-payoff_range, payoff_range)

    def node(level: int, hist: tuple[tuple[Any, ...], ...]) -> Any:
        if level >= depth or (level > 0 and rng.random() < 0.3):
            return [payoff() for _ in range(n_players)]
        if chance and level > 0 and rng.random() < 0.25:
            k = rng.randint(2, 3)
            weights = [rng.randint(1, 4) for _ in range(k)]
            return {
                "chance": {
                    f"c{j}": (Fraction(w, sum(weights)), node(level + 1, hist))
                    for j, w in enumerate(weights)
                }
            }
        p = rng.randrange(n_players)
        k = rng.randint(2, 3)
        key = (p, hist[p], k)
        if infosets and key in groups and rng.random() < 0.6:
            label = rng.choice(groups[key])
        else:
            label = f"h{next(counter)}"
            groups.setdefault(key, []).append(label)
        kids = {}
        for j in range(k):
            a = f"a{j}"
            new = list(hist)
            new[p] = (*hist[p], (label, a))
            kids[a] = node(level + 1, tuple(new))
        return {"player": PLAYERS[p], "infoset": label, "actions": kids}

    return node(0, tuple(() for _ in range(n_players)))


def random_game(seed: int, **kwargs: Any) -> ExtensiveFormGame:
    n = kwargs.get("n_players", 2)
    return from_nested(
        random_spec(seed, **kwargs), players=list(PLAYERS[:n]), title=f"random {seed}"
    )


def all_spe(spec: Any, players: list[str]) -> list[tuple[tuple[Fraction, ...], dict[str, str]]]:
    """Reference: every pure subgame-perfect equilibrium of a perfect-information tree.

    Plain recursion in exact arithmetic; returns ``(payoffs, {infoset label: action})``.
    """
    if isinstance(spec, list):
        return [(tuple(Fraction(v) for v in spec), {})]
    if "chance" in spec:
        items = list(spec["chance"].items())
        options = [all_spe(sub, players) for _, (_, sub) in items]
        out = []
        for combo in itertools.product(*options):
            value = tuple(
                sum((Fraction(p) * v[i] for (_, (p, _)), (v, _) in zip(items, combo)), Fraction(0))
                for i in range(len(players))
            )
            merged: dict[str, str] = {}
            for _, c in combo:
                merged.update(c)
            out.append((value, merged))
        return out
    i = players.index(spec["player"])
    actions = list(spec["actions"].items())
    options = [all_spe(sub, players) for _, sub in actions]
    out = []
    for combo in itertools.product(*options):
        best = max(v[i] for v, _ in combo)
        merged = {}
        for _, c in combo:
            merged.update(c)
        for (a, _), (v, _) in zip(actions, combo):
            if v[i] == best:
                out.append((v, {**merged, spec["infoset"]: a}))
    return out


def to_pygambit(game: ExtensiveFormGame) -> Any:
    """The same game in pygambit, through our .efg writer."""
    import pygambit as gbt

    from gametheory.io.efg import write_efg

    return gbt.read_efg(io.StringIO(write_efg(game)))


def gambit_behavior(ggame: Any, behavior: dict[str, dict[str, dict[str, Any]]]) -> Any:
    """A rational pygambit behaviour profile from ``{player: {infoset: {action: p}}}``."""
    import pygambit as gbt

    prof = ggame.mixed_behavior_profile(rational=True)
    for player in ggame.players:
        for infoset in player.infosets:
            for action in infoset.actions:
                q = Fraction(behavior[player.label][infoset.label][action.label])
                prof[action] = gbt.Rational(q.numerator, q.denominator)
    return prof
