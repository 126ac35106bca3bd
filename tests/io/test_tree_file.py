"""The tree: section of model files (parse_tree on composed YAML documents)."""

from __future__ import annotations

from fractions import Fraction

import pytest

import gametheory as gt
from gametheory.exceptions import ModelFileError
from gametheory.io.tree_file import parse_tree
from gametheory.io.yaml_safe import compose_yaml

SIGNALING = """
chance:
  resolute:
    probability: rho
    player: Moscow
    infoset: resolute
    actions:
      warn:
        player: Seoul
        infoset: warned
        actions: {arm: {payoffs: [a - 3, 1]}, withhold: {payoffs: [0, 2]}}
      quiet:
        player: Seoul
        infoset: quiet
        actions:
          arm: {payoffs: [a, -1]}
          withhold: {payoffs: {Seoul: 0, Moscow: 0}}
  bluffing:
    probability: 1 - rho
    player: Moscow
    infoset: bluffing
    outcome: [0, "1/2"]
    actions:
      warn:
        player: Seoul
        infoset: warned
        actions: {arm: {payoffs: [a, -2]}, withhold: {payoffs: [0, 2]}}
      quiet:
        player: Seoul
        infoset: quiet
        actions: {arm: {payoffs: [a, -1]}, withhold: {payoffs: [0, 0]}}
"""


def _tree(text: str, params=("a", "rho")):
    return parse_tree(compose_yaml(text, "m.yaml"), ["Seoul", "Moscow"], params, "m.yaml")


def test_signaling_tree_with_parameters() -> None:
    g = _tree(SIGNALING)
    assert g.is_symbolic and g.parameters == ("a", "rho")
    assert not g.is_perfect_information and g.has_perfect_recall
    bound = g.bind(a=2, rho=Fraction(3, 10))
    assert bound.kind == "exact"
    prof = {
        "Moscow": {"resolute": {"warn": 1}, "bluffing": {"quiet": 1}},
        "Seoul": {"warned": {"withhold": 1}, "quiet": {"arm": 1}},
    }
    # resolute (3/10): warn, withhold -> (0, 2); bluffing (7/10): quiet, arm -> (2, -1 + 1/2)
    assert list(bound.expected_payoffs(prof, exact=True)) == [Fraction(7, 5), Fraction(1, 4)]
    with pytest.raises(gt.InvalidGameError, match="negative"):
        g.bind(a=1, rho=2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "player: Seoul\nactions: {x: {payoffs: [1]}}",
            "m.yaml:2: tree.actions.x.payoffs: 1 payoffs for 2 players (Seoul, Moscow)",
        ),
        (
            "player: Kyiv\nactions: {x: {payoffs: [1, 2]}}",
            "m.yaml:1: tree.player: 'Kyiv' is not a player (players: Seoul, Moscow)",
        ),
        (
            "chance: {h: {payoffs: [1, 2]}}",
            "m.yaml:1: tree.chance.h: a child of a chance node needs a probability",
        ),
        ("payoffs: [1, b]", "m.yaml:1: tree.payoffs[1]: undeclared name 'b' in 'b' at column 1"),
        (
            "player: Seoul\npayoffs: [1, 2]",
            "m.yaml:1: tree: a node needs exactly one of player, chance or payoffs; "
            "this one has player and payoffs",
        ),
        (
            "player: Seoul\nactions: {x: {payoffs: [1, 2]}}\ncolour: red",
            "m.yaml:3: tree.colour: unknown key 'colour' in a tree node (use player/actions, "
            "chance or payoffs)",
        ),
        (
            "chance: {h: {probability: 1/2, payoffs: [1, 2]},\n"
            "         t: {probability: 1/3, payoffs: [0, 0]}}",
            "m.yaml:1: tree: chance node root: probabilities sum to 5/6, not 1",
        ),
    ],
)
def test_tree_errors(text: str, message: str) -> None:
    with pytest.raises(ModelFileError) as err:
        _tree(text)
    assert str(err.value) == message
