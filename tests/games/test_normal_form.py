"""NormalFormGame: construction, validation, payoffs of profiles, parameters."""

from __future__ import annotations

import itertools
import pickle
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.exceptions import (
    InvalidGameError,
    InvalidProfileError,
    UnboundParameterError,
    UnknownParameterError,
)

PD_A = [[3, 0], [5, 1]]
PD_B = [[3, 5], [0, 1]]


def prisoners() -> gt.NormalFormGame:
    return gt.NormalFormGame.bimatrix(
        PD_A, PD_B, players=["Ann", "Bob"], strategies=[["C", "D"], ["C", "D"]]
    )


def brute_expected(payoffs: np.ndarray, sigma: list[np.ndarray]) -> np.ndarray:
    """Reference: sum over every pure profile of its probability times payoffs."""
    n = payoffs.shape[0]
    total = np.zeros(n)
    for idx in itertools.product(*(range(len(s)) for s in sigma)):
        prob = np.prod([s[k] for s, k in zip(sigma, idx)])
        total += prob * payoffs[(slice(None), *idx)]
    return total


def test_labels_and_shape():
    g = prisoners()
    assert g.players == ("Ann", "Bob")
    assert g.strategies == (("C", "D"), ("C", "D"))
    assert g.shape == (2, 2)
    assert g.num_players == 2 and g.num_profiles == 4
    assert g.kind == "exact"
    assert g.payoff(("D", "C")) == (5, 0)


def test_default_labels():
    g = gt.NormalFormGame.from_arrays(np.zeros((3, 2, 2, 2)))
    assert g.players == ("Player 1", "Player 2", "Player 3")
    assert g.strategies[0] == ("s1", "s2")
    g2 = gt.NormalFormGame.bimatrix(np.zeros((2, 3)), np.zeros((2, 3)))
    assert g2.players == ("Row", "Column")


def test_game_is_immutable():
    g = prisoners()
    with pytest.raises(ValueError):
        g.payoffs[0][0, 0] = 100
    with pytest.raises(ValueError):
        g.float_payoffs()[0, 0, 0] = 100
    with pytest.raises(AttributeError):
        g.players = ("x", "y")  # type: ignore[misc]


def test_input_arrays_are_copied():
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    g = gt.NormalFormGame.bimatrix(A, A.T)
    A[0, 0] = 99.0
    assert g.float_payoffs()[0, 0, 0] == 1.0


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        (([[1, np.nan], [0, 0]], [[0, 0], [0, 0]]), "nan.*finite"),
        (([[1, np.inf], [0, 0]], [[0, 0], [0, 0]]), "inf.*finite"),
        (([[1, 2], [3]], [[0, 0], [0, 0]]), "ragged"),
        (([[1, 2], [3, 4]], [[0, 0, 0], [0, 0, 0]]), "different shapes"),
        (([1, 2], [3, 4]), "need 2 dimensions"),
        (([[1, "a"], [0, 0]], [[0, 0], [0, 0]]), "dtype|not a number"),
        ((np.zeros((0, 2)), np.zeros((0, 2))), "at least one strategy"),
    ],
)
def test_bad_payoffs_raise_clear_errors(arrays, message):
    with pytest.raises(InvalidGameError, match=message):
        gt.NormalFormGame.bimatrix(*arrays)


def test_bad_labels():
    with pytest.raises(InvalidGameError, match="duplicate strategy of Ann label 'C'"):
        gt.NormalFormGame.bimatrix(
            PD_A, PD_B, players=["Ann", "Bob"], strategies=[["C", "C"], ["C", "D"]]
        )
    with pytest.raises(InvalidGameError, match="duplicate player label"):
        gt.NormalFormGame.bimatrix(PD_A, PD_B, players=["Ann", "Ann"])
    with pytest.raises(InvalidGameError, match="3 strategy labels but the payoff arrays give 2"):
        gt.NormalFormGame.bimatrix(PD_A, PD_B, strategies=[["a", "b", "c"], ["x", "y"]])
    with pytest.raises(InvalidGameError, match="must not be empty"):
        gt.NormalFormGame.bimatrix(PD_A, PD_B, players=["", "Bob"])


def test_errors_are_also_builtin_exceptions():
    with pytest.raises(ValueError):
        gt.NormalFormGame.bimatrix([[np.nan]], [[0]])
    assert issubclass(gt.UnknownParameterError, KeyError)


@settings(max_examples=40, deadline=None)
@given(
    shape=st.lists(st.integers(1, 3), min_size=1, max_size=4),
    seed=st.integers(0, 2**32 - 1),
)
def test_expected_payoffs_match_brute_force(shape, seed):
    rng = np.random.default_rng(seed)
    n = len(shape)
    payoffs = rng.normal(size=(n, *shape))
    g = gt.NormalFormGame.from_arrays(payoffs)
    sigma = [rng.dirichlet(np.ones(m)) for m in shape]
    np.testing.assert_allclose(
        g.expected_payoffs(sigma), brute_expected(payoffs, sigma), atol=1e-12
    )
    dev = g.deviation_payoffs(sigma)
    for i, m in enumerate(shape):
        for s in range(m):
            pure_i = np.zeros(m)
            pure_i[s] = 1.0
            mixed = list(sigma)
            mixed[i] = pure_i
            assert dev[i][s] == pytest.approx(brute_expected(payoffs, mixed)[i], abs=1e-12)
    regrets = g.regrets(sigma)
    for i in range(n):
        assert regrets[i] == pytest.approx(dev[i].max() - g.expected_payoffs(sigma)[i], abs=1e-12)
        assert regrets[i] >= -1e-12


def test_profiles_by_label_and_exact_regret():
    g = prisoners()
    profile = {"Ann": {"D": 1}, "Bob": {"C": Fraction(1, 2), "D": Fraction(1, 2)}}
    assert list(g.expected_payoffs(profile, exact=True)) == [3, Fraction(1, 2)]
    assert g.regret(profile, exact=True) == Fraction(1, 2)  # Bob gains by D: 1 vs 1/2
    assert g.regret({"Ann": {"D": 1}, "Bob": {"D": 1}}, exact=True) == 0
    assert g.best_responses([[0.5, 0.5], [1, 0]], "Ann") == (1,)


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ([[0.5, 0.5]], "needs 2 strategies"),
        ([[0.5, 0.6], [1, 0]], "sum to 1"),
        ([[1.5, -0.5], [1, 0]], "non-negative"),
        ([[1, 0, 0], [1, 0]], "2 strategies but 3 probabilities"),
        ({"Ann": [1, 0], "Eve": [1, 0]}, "unknown player 'Eve'"),
        ({"Ann": {"Z": 1}, "Bob": [1, 0]}, "no strategy 'Z'"),
    ],
)
def test_bad_profiles(profile, message):
    with pytest.raises((InvalidProfileError, InvalidGameError), match=message):
        prisoners().expected_payoffs(profile)


def test_float_and_exact_kinds():
    assert gt.NormalFormGame.bimatrix([[1.5, 0]], [[0, 1]]).kind == "float"
    g = gt.NormalFormGame.bimatrix([[Fraction(1, 3), 0]], [[0, 1]])
    assert g.kind == "exact"
    assert g.exact_payoffs()[0, 0, 0] == Fraction(1, 3)
    # floats are read through their decimal text for exact work
    assert gt.NormalFormGame.bimatrix([[0.1]], [[0.2]]).exact_payoffs()[0, 0, 0] == Fraction(1, 10)


def test_zero_and_constant_sum():
    assert gt.NormalFormGame.zero_sum([[1, -1], [-1, 1]]).is_zero_sum()
    constant = gt.NormalFormGame.bimatrix([[1, 2]], [[3, 2]])
    assert constant.is_constant_sum() and not constant.is_zero_sum()
    assert not prisoners().is_constant_sum()


def test_from_payoff_function():
    def payoff(a: str, b: str) -> tuple[float, float]:
        return (1.0, 0.0) if a == b else (0.0, 1.0)

    g = gt.NormalFormGame.from_payoff_function(payoff, [["H", "T"], ["H", "T"]])
    assert g.payoff(("H", "H")) == (1.0, 0.0)
    assert g.is_constant_sum()
    with pytest.raises(InvalidGameError, match="returned 1 payoffs"):
        gt.NormalFormGame.from_payoff_function(lambda a, b: (1,), [["H"], ["H"]])


def test_symbolic_bind_and_evaluator():
    a, b = sympy.symbols("a b")
    g = gt.NormalFormGame.bimatrix([[a, 0], [a + b, 1]], [[1, 2 * b], [0, 1]])
    assert g.is_symbolic and g.parameters == ("a", "b")
    exact = g.bind(a=Fraction(1, 2), b=2)
    assert exact.kind == "exact"
    assert exact.payoff((1, 0))[0] == Fraction(5, 2)
    assert exact.parameter_values == {"a": Fraction(1, 2), "b": 2}
    floats = g.bind(a=0.5, b=2.0)
    assert floats.kind == "float"
    assert floats.payoff((1, 0))[0] == pytest.approx(2.5)
    grid = g.evaluator()(a=np.array([0.0, 1.0, 2.0]), b=np.array([1.0, 1.0, 3.0]))
    assert grid.shape == (3, 2, 2, 2)
    np.testing.assert_allclose(grid[:, 0, 1, 0], [1.0, 2.0, 5.0])
    np.testing.assert_allclose(grid[:, 1, 0, 1], [2.0, 2.0, 6.0])
    np.testing.assert_allclose(grid[:, 0, 1, 1], 1.0)
    with pytest.raises(UnboundParameterError, match="no value for parameter"):
        g.bind(a=1)
    with pytest.raises(UnknownParameterError, match="unknown parameter 'c'"):
        g.bind(a=1, b=1, c=1)
    with pytest.raises(UnboundParameterError, match="unbound parameters a, b"):
        g.float_payoffs()
    with pytest.raises(UnboundParameterError):
        gt.solve(g)


def test_restrict_keeps_labels():
    g = prisoners().restrict([[1], [0, 1]])
    assert g.strategies == (("D",), ("C", "D"))
    assert g.payoff(("D", "C")) == (5, 0)


def test_equality_pickle_and_repr():
    g = prisoners()
    assert g == prisoners()
    assert g != gt.NormalFormGame.bimatrix(
        PD_A, PD_A, players=["Ann", "Bob"], strategies=[["C", "D"], ["C", "D"]]
    )
    clone = pickle.loads(pickle.dumps(g))
    assert clone == g and clone.strategies == g.strategies
    text = repr(g)
    assert "Ann" in text and "5, 0" in text
    html = g._repr_html_()
    assert "<table>" in html and "5, 0" in html
