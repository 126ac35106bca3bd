"""Parametric game trees for the analysis tests, built in code, with their closed forms by hand."""

from __future__ import annotations

import random
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

import gametheory as gt
from gametheory.games.tree_builder import from_nested

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tree_cases as tc

THETA, K, M = sp.symbols("theta k m")


def entry_model() -> gt.Model:
    """Entry deterrence with parameters.

    Entrant: out -> (0, 5); in -> Incumbent: fight -> (-1, k - theta), accommodate ->
    (m - theta, 1).  The incumbent fights iff k - theta > 1, i.e. theta < k - 1; then entering
    pays -1 < 0, so the entrant stays out.  When the incumbent accommodates (theta > k - 1) the
    entrant enters iff m - theta > 0, i.e. theta < m.  With k = 5/2, m = 7/2 (k - 1 < m) the
    regimes in theta are (out, fight) | (in, accommodate) | (out, accommodate), changing at
    theta = k - 1 = 3/2 and theta = m = 7/2.
    """
    game = from_nested(
        {
            "player": "Entrant",
            "infoset": "E",
            "actions": {
                "out": [0, 5],
                "in": {
                    "player": "Incumbent",
                    "infoset": "I",
                    "actions": {"fight": [-1, K - THETA], "accommodate": [M - THETA, 1]},
                },
            },
        },
        players=["Entrant", "Incumbent"],
        title="Entry deterrence",
    )
    params = {
        "theta": gt.Parameter("theta", Fraction(2), (Fraction(0), Fraction(6))),
        "k": gt.Parameter("k", Fraction(5, 2), (Fraction(1), Fraction(4))),
        "m": gt.Parameter("m", Fraction(7, 2), (Fraction(2), Fraction(5))),
    }
    return gt.Model(game=game, parameters=params, title="Entry deterrence")


ALPHA, RHO, A_M = sp.symbols("approval_gain p_resolute backdown_cost")
#: Fixed terms of the signaling tree: N, gamma, r_H, r_L, c_T, e D and the cost of a warning.
N_LOSS, GAMMA = 10, 4
R_HIGH, R_LOW, C_T, E_D, WARN_COST = (
    sp.Rational(5, 2),
    sp.Rational(1, 2),
    sp.Rational(3, 2),
    sp.Rational(6, 5),
    sp.Rational(1, 10),
)
#: Seoul's net gain from arming: alpha + beta + e V - kappa with beta = 3/2, e V = 3/2, kappa = 2.
X_GAIN = ALPHA + 1


def signaling_model() -> gt.Model:
    """Moscow warns or stays quiet; Seoul arms or withholds; then chance draws Moscow's resolve.

    After Seoul arms, chance makes Moscow resolute (probability p_resolute) or not, and Moscow
    transfers technology or restrains; a warned Moscow that restrains pays backdown_cost.  Every
    move is observed (perfect information with chance).  Payoffs (Seoul, Moscow):
    withhold -> (0, 0); transfer -> (X - N - gamma, r - c_T - eD); restrain -> (X, -eD - a_M
    if warned); a warning costs Moscow 1/10 on every outcome below it.
    """

    def moscow(r: Any, warned: bool) -> dict[str, Any]:
        cost = WARN_COST if warned else 0
        return {
            "transfer": [X_GAIN - N_LOSS - GAMMA, r - C_T - E_D - cost],
            "restrain": [X_GAIN, -E_D - (A_M if warned else 0) - cost],
        }

    def seoul(tag: str, warned: bool) -> dict[str, Any]:
        cost = WARN_COST if warned else 0
        return {
            "player": "Seoul",
            "infoset": f"after_{tag}",
            "actions": {
                "withhold": [0, -cost],
                "arm": {
                    "chance": {
                        "resolute": (
                            RHO,
                            {
                                "player": "Moscow",
                                "infoset": f"resolute_{tag}",
                                "actions": moscow(R_HIGH, warned),
                            },
                        ),
                        "bluffing": (
                            1 - RHO,
                            {
                                "player": "Moscow",
                                "infoset": f"bluffing_{tag}",
                                "actions": moscow(R_LOW, warned),
                            },
                        ),
                    }
                },
            },
        }

    game = from_nested(
        {
            "player": "Moscow",
            "infoset": "signal",
            "actions": {"warn": seoul("warn", True), "quiet": seoul("quiet", False)},
        },
        players=["Seoul", "Moscow"],
        title="Warning before arms",
    )
    params = {
        "approval_gain": gt.Parameter("approval_gain", Fraction(1), (Fraction(0), Fraction(3))),
        "p_resolute": gt.Parameter(
            "p_resolute", Fraction(3, 10), (Fraction(1, 10), Fraction(3, 5))
        ),
        "backdown_cost": gt.Parameter("backdown_cost", Fraction(2), (Fraction(0), Fraction(3))),
    }
    return gt.Model(game=game, parameters=params, title="Warning before arms")


B, P_HIGH = sp.symbols("b p_high")


def poker_model() -> gt.Model:
    """One-card poker with stake ``b`` and chance of a high card ``p_high`` (imperfect information).

    Ann always bets high.  Mixed equilibrium (p_high < (2 + b) / (2 (1 + b))): Ann bets low with
    q = p b / ((1 - p)(2 + b)) (Bob indifferent between calling and passing) and Bob calls with
    r = 2 / (2 + b) (Ann indifferent at a low card: -1 = r(-1 - b) + (1 - r)).  Above that
    probability Ann always bets and Bob passes.
    """
    bob = {"player": "Bob", "infoset": "bet"}
    game = from_nested(
        {
            "chance": {
                "high": (
                    P_HIGH,
                    {
                        "player": "Ann",
                        "infoset": "H",
                        "actions": {
                            "fold": [-1, 1],
                            "bet": {**bob, "actions": {"call": [1 + B, -1 - B], "pass": [1, -1]}},
                        },
                    },
                ),
                "low": (
                    1 - P_HIGH,
                    {
                        "player": "Ann",
                        "infoset": "L",
                        "actions": {
                            "fold": [-1, 1],
                            "bet": {**bob, "actions": {"call": [-1 - B, 1 + B], "pass": [1, -1]}},
                        },
                    },
                ),
            }
        },
        players=["Ann", "Bob"],
        title="One-card poker",
    )
    params = {
        "b": gt.Parameter("b", Fraction(1), (Fraction(0), Fraction(4))),
        "p_high": gt.Parameter("p_high", Fraction(1, 3), (Fraction(1, 10), Fraction(9, 10))),
    }
    return gt.Model(game=game, parameters=params, title="One-card poker")


def random_parametric_tree(
    seed: int, depth: int = 4, n_players: int = 2, chance: bool = True
) -> tuple[gt.Model, dict[str, Any]]:
    """A random perfect-information tree whose payoffs are integer + integer * theta.

    Returns the model and the nested specification (payoffs as sympy expressions).
    """
    spec = tc.random_spec(seed, depth=depth, n_players=n_players, chance=chance, payoff_range=3)
    rng = random.Random(seed + 1)
    theta = sp.Symbol("theta")

    first_leaf = [True]  # theta enters the first leaf's first payoff, so the model uses it

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            slopes = [rng.randint(-2, 2) for _ in node]
            if first_leaf[0]:
                slopes[0] = slopes[0] or 1
                first_leaf[0] = False
            return [sp.Integer(v) + b * theta for v, b in zip(node, slopes)]
        if "chance" in node:
            return {"chance": {a: (p, walk(sub)) for a, (p, sub) in node["chance"].items()}}
        return {**node, "actions": {a: walk(sub) for a, sub in node["actions"].items()}}

    spec = walk(spec)
    players = list(tc.PLAYERS[:n_players])
    game = from_nested(spec, players=players, title=f"random {seed}")
    model = gt.Model(
        game=game, parameters={"theta": gt.Parameter("theta", 0, (Fraction(-2), Fraction(2)))}
    )
    return model, spec


def solve_rows(game: gt.ExtensiveFormGame, method: str, columns: list[str]) -> set:
    """Equilibria of a numeric tree by ``gt.solve``: rounded (behaviour columns..., payoffs...)."""
    res = gt.solve(game, method=method)
    out = set()
    for eq in res.equilibria:
        beh = eq.behavior_strategies
        probs = [beh[c.split(":")[0]][c.split(":")[1]][c.split(":")[2]] for c in columns]
        out.add(tuple(round(float(v), 9) + 0.0 for v in (*probs, *eq.payoff_values)))
    return out


def sweep_rows(result: Any, k: int) -> set:
    """Rows of a sweep at grid point ``k``: rounded (behaviour columns..., payoffs...)."""
    sel = result.point == k
    both = np.concatenate([result.probs[sel], result.payoffs[sel]], axis=1)
    return {tuple(round(float(v), 9) + 0.0 for v in row) for row in both}
