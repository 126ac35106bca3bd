"""Shared models for the analysis tests, built in code."""

from __future__ import annotations

import pytest
import sympy as sp

import gametheory as gt

ARMS_PARAMS = {
    # name: (baseline, range)
    "approval_gain": (1, (0, 3)),
    "alliance_credit": (sp.Rational(3, 2), (0, 3)),
    "battlefield_effect": (sp.Rational(3, 10), (0, 1)),
    "setback_value": (5, (2, 8)),
    "readiness_cost": (2, (sp.Rational(1, 2), 4)),
    "compound_penalty": (4, (2, 8)),
    "nightmare_loss": (10, None),
    "retaliation_value": (3, (0, 6)),
    "transfer_cost": (sp.Rational(3, 2), (sp.Rational(1, 2), 4)),
    "damage_to_russia": (4, (1, 8)),
}


def _fraction(v):
    from fractions import Fraction

    return Fraction(int(sp.Rational(v).p), int(sp.Rational(v).q))


def arms_symbols():
    return {name: sp.Symbol(name) for name in ARMS_PARAMS}


def build_arms_model() -> gt.Model:
    """Seoul {withhold, arm} x Moscow {restrain, transfer}, payoffs as in MODELS.md."""
    s = arms_symbols()
    X = (
        s["approval_gain"]
        + s["alliance_credit"]
        + s["battlefield_effect"] * s["setback_value"]
        - s["readiness_cost"]
    )
    N, g = s["nightmare_loss"], s["compound_penalty"]
    cT, r = s["transfer_cost"], s["retaliation_value"]
    eD = s["battlefield_effect"] * s["damage_to_russia"]
    A = [[sp.Integer(0), -N], [X, X - N - g]]
    B = [[sp.Integer(0), -cT], [-eD, -eD + r - cT]]
    game = gt.NormalFormGame.bimatrix(
        A,
        B,
        players=["Seoul", "Moscow"],
        strategies=[["withhold", "arm"], ["restrain", "transfer"]],
        title="Arms dilemma",
    )
    params = {
        name: gt.Parameter(
            name, _fraction(v), None if rng is None else tuple(_fraction(x) for x in rng)
        )
        for name, (v, rng) in ARMS_PARAMS.items()
    }
    return gt.Model(game=game, parameters=params, title="Arms dilemma")


@pytest.fixture(scope="session")
def arms_model() -> gt.Model:
    return build_arms_model()


@pytest.fixture(scope="session")
def arms_file_model():
    """The shipped model file (the same game as build_arms_model)."""
    from pathlib import Path

    from gametheory.io import load

    return load(Path(__file__).resolve().parents[2] / "models" / "arms_dilemma.yaml")


def random_parametric_game(seed: int, shape: tuple[int, ...], name: str = "theta", scale: int = 5):
    """Game with integer payoffs affine in one parameter: base + slope * theta."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = len(shape)
    base = rng.integers(-scale, scale + 1, size=(n, *shape))
    slope = rng.integers(-3, 4, size=(n, *shape))
    th = sp.Symbol(name)
    P = np.empty((n, *shape), dtype=object)
    for idx in np.ndindex(*P.shape):
        P[idx] = sp.Integer(int(base[idx])) + int(slope[idx]) * th
    game = gt.NormalFormGame.from_arrays(*[P[i] for i in range(n)])
    model = gt.Model(game=game, parameters={name: gt.Parameter(name, 0, (-2, 2))})
    return model, base, slope
