"""Property: any game saved as YAML, JSON or .nfg loads back equal, with the same equilibria."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.io import dumps, loads

LABEL_CHARS = st.one_of(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    st.sampled_from(list("\"\\'#:-?*&!|>%@`{}[], \n\t")),
)
labels = st.text(LABEL_CHARS, min_size=1, max_size=6).filter(lambda s: s.strip() != "")


def numbers(kind: str) -> st.SearchStrategy:
    if kind == "int":
        return st.integers(-10**12, 10**12)
    if kind == "fraction":
        return st.fractions(min_value=-1000, max_value=1000, max_denominator=10**6)
    return st.floats(min_value=-1e300, max_value=1e300, allow_nan=False, allow_infinity=False)


@st.composite
def games(draw) -> gt.NormalFormGame:
    n = draw(st.integers(1, 3))
    shape = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    kind = draw(st.sampled_from(["int", "fraction", "float"]))
    size = n * math.prod(shape)
    values = draw(st.lists(numbers(kind), min_size=size, max_size=size))
    arr = np.empty(size, dtype=object)
    arr[:] = values
    arr = arr.reshape((n, *shape))
    if kind == "float":
        arr = arr.astype(np.float64)
    players = draw(st.lists(labels, min_size=n, max_size=n, unique=True))
    strategies = [draw(st.lists(labels, min_size=m, max_size=m, unique=True)) for m in shape]
    title = draw(st.text(LABEL_CHARS, max_size=10))
    return gt.NormalFormGame.from_arrays(*arr, players=players, strategies=strategies,
                                         title=title)


def pure_equilibria(game: gt.NormalFormGame) -> set:
    return {e.probabilities for e in gt.solve(game, method="pure").equilibria}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(games(), st.sampled_from(["yaml", "json", "nfg"]))
def test_saved_games_load_back_equal(game, fmt):
    text = dumps(game, fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no label may need renaming
        again = loads(text, fmt, filename=f"game.{fmt}").game
    assert again == game
    assert again.players == game.players and again.strategies == game.strategies
    assert again.title == game.title
    # exact values survive exactly (floats through their decimal text)
    assert np.array_equal(again.exact_payoffs(), game.exact_payoffs())
    assert pure_equilibria(again) == pure_equilibria(game)


@pytest.mark.parametrize("fmt", ["yaml", "json", "nfg"])
def test_round_trip_keeps_mixed_equilibria_exact(fmt):
    # matching pennies with rational stakes: the unique equilibrium stays an exact equilibrium
    game = gt.NormalFormGame.bimatrix(
        [[Fraction(3, 7), Fraction(-1, 3)], [Fraction(-2, 9), Fraction(1, 11)]],
        [[Fraction(-3, 7), Fraction(1, 3)], [Fraction(2, 9), Fraction(-1, 11)]])
    again = loads(dumps(game, fmt), fmt).game
    a, b = game.exact_payoffs()
    # column mix q makes the row player indifferent, row mix p the column player
    q = (a[1, 1] - a[0, 1]) / (a[0, 0] - a[0, 1] - a[1, 0] + a[1, 1])
    p = (b[1, 1] - b[1, 0]) / (b[0, 0] - b[0, 1] - b[1, 0] + b[1, 1])
    profile = [[p, 1 - p], [q, 1 - q]]
    assert game.regret(profile, exact=True) == 0
    assert again.regret(profile, exact=True) == 0
