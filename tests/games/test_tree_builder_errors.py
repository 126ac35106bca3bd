"""TreeBuilder and from_nested on wrong-typed input: clear InvalidGameErrors, no raw ones."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy

from gametheory.exceptions import GameTheoryError, InvalidGameError
from gametheory.games.tree_builder import NODE_KIND_KEYS, TreeBuilder, from_nested

CHANCE_SHAPE = (
    "chance probabilities at root: expected a mapping {action: probability} or a list of "
    "(action, probability) pairs"
)
HANDLE = (
    "a node is given by the integer handle the builder returned (root, or one returned by "
    "decision/chance), got "
)
PAYOFF_SHAPE = (
    "payoffs at root: expected a list with one payoff per player or a mapping "
    "{player: payoff}, got "
)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: b.chance(b.root, [0.5, 0.5]), CHANCE_SHAPE + "; one entry is the number 0.5"),
        (
            lambda b: b.chance(b.root, [("h", 0.5, 1), ("t", 0.5)]),
            CHANCE_SHAPE + "; one entry is a tuple of 3 items",
        ),
        (lambda b: b.chance(b.root, 0.5), CHANCE_SHAPE + ", got the number 0.5"),
        (lambda b: b.chance(b.root, "ht"), CHANCE_SHAPE + ", got the text 'ht'"),
        (
            lambda b: b.chance(b.root, {"h": 1}, infoset=7),
            "information set label at root must be non-empty text, got the number 7",
        ),
        (
            lambda b: b.decision(b.root, "A", "lr"),
            "actions at root: expected a list of action labels, got the text 'lr'",
        ),
        (
            lambda b: b.decision(b.root, "A", 3),
            "actions at root: expected a list of action labels, got the number 3",
        ),
        (
            lambda b: b.decision(b.root, "A", ["l"], infoset=""),
            "information set label at root must be non-empty text, got the text ''",
        ),
        (lambda b: b.decision(b.root, ["A"], ["l"]), "unknown player ['A'] (players: A, B)"),
        (lambda b: b.decision("root", "A", ["l"]), HANDLE + "the text 'root'"),
        (lambda b: b.terminal(1.0, [1, 2]), HANDLE + "the number 1.0"),
        (lambda b: b.terminal(True, [1, 2]), HANDLE + "the boolean True"),
        (lambda b: b.terminal(b.root, 5), PAYOFF_SHAPE + "the number 5"),
        (lambda b: b.terminal(b.root, "12"), PAYOFF_SHAPE + "the text '12'"),
        (lambda b: b.outcome(b.root, None), PAYOFF_SHAPE + "None"),
        (lambda b: b.outcome(7, [1, 2]), "node 7 does not exist"),
        (lambda b: b.label(7, "x"), "node 7 does not exist"),
        (lambda b: b.label(b.root, None), "label of node root must be non-empty text, got None"),
        (
            lambda b: b.label(b.root, 3),
            "label of node root must be non-empty text, got the number 3",
        ),
    ],
)
def test_builder_wrong_types(call, message: str) -> None:
    b = TreeBuilder(["A", "B"])
    with pytest.raises(InvalidGameError) as err:
        call(b)
    assert str(err.value) == message
    assert isinstance(err.value, (GameTheoryError, ValueError))


def test_a_refused_call_leaves_the_node_undefined() -> None:
    b = TreeBuilder(["A", "B"])
    with pytest.raises(InvalidGameError, match="1 values for 2 players"):
        b.terminal(b.root, [1])
    b.terminal(b.root, [1, 2])  # the node can still be defined
    assert b.build().terminal_payoffs.tolist() == [[1, 2]]


def test_players_must_be_a_list() -> None:
    with pytest.raises(
        InvalidGameError, match="players must be a list of player names, got the text 'AB'"
    ):
        TreeBuilder("AB")


def test_builder_accepts_numpy_and_pairs() -> None:
    b = TreeBuilder(np.array(["A", "B"]).tolist())
    h, t = b.chance(b.root, [("h", "1/3"), ["t", Fraction(2, 3)]])
    b.terminal(h, np.array([1, 2]))
    b.terminal(t, {"A": 3, "B": 4})
    g = b.build()
    assert g.terminal_payoffs.tolist() == [[1, 2], [3, 4]]
    assert g.expected_payoffs({"A": {}, "B": {}}, exact=True).tolist() == [
        Fraction(7, 3),
        Fraction(10, 3),
    ]


def test_terminal_outcome_is_its_only_payoff() -> None:
    b = TreeBuilder(["A", "B"])
    b.terminal(b.root, [1, 2])
    with pytest.raises(InvalidGameError, match="node root already has payoffs"):
        b.outcome(b.root, [1, 1])


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"chance": {"h": 0.5}},
            "chance node root: expected a mapping {action: (probability, node)} or a list of "
            "(action, probability, node) triples; action 'h' has the number 0.5, not a "
            "(probability, node) pair",
        ),
        (
            {"chance": [("h", 0.5)]},
            "chance node root: expected a mapping {action: (probability, node)} or a list of "
            "(action, probability, node) triples; one entry is a tuple of 2 items",
        ),
        (
            {"chance": 3},
            "chance node root: expected a mapping {action: (probability, node)} or a list of "
            "(action, probability, node) triples, got the number 3",
        ),
        (
            {"player": "A", "chance": {"h": (1, [1, 2])}},
            "node root needs exactly one of 'player', 'chance' or 'payoffs'; this one has "
            "player and chance",
        ),
        (
            {"actions": {"x": [1, 2]}},
            "node root needs exactly one of 'player', 'chance' or 'payoffs'; this one has "
            "actions but no player",
        ),
        (
            {"player": "A", "actions": {"x": [1, 2]}, "colour": 1},
            "decision node root does not take 'colour' (it takes player, actions, infoset, "
            "outcome, label)",
        ),
        (
            {"chance": {"h": (1, [1, 2])}, "actions": {"x": [1, 2]}},
            "chance node root does not take 'actions' (it takes chance, infoset, outcome, label)",
        ),
        (
            {"payoffs": [1, 2], "outcome": [1, 1]},
            "terminal node root has 'payoffs' and 'outcome': a terminal node's payoffs are its "
            "outcome ('outcome' adds payoffs below an inner node); give the sum as 'payoffs'",
        ),
        (
            {"player": "A", "actions": {"x": {"payoffs": [1, 2], "infoset": "i"}}},
            "terminal node x does not take 'infoset' (it takes payoffs, label)",
        ),
        (
            {"player": "A", "actions": {}},
            "decision node root needs a non-empty mapping of actions to nodes, got an empty "
            "mapping",
        ),
        (
            {"player": "A", "actions": ["x"]},
            "decision node root needs a non-empty mapping of actions to nodes, got a list of "
            "1 items",
        ),
        (5, "node root: expected a mapping or a payoff list, got the number 5"),
    ],
)
def test_from_nested_errors(spec, message: str) -> None:
    with pytest.raises(InvalidGameError) as err:
        from_nested(spec, players=["A", "B"])
    assert str(err.value) == message


def test_node_kind_keys_cover_what_the_builder_reads() -> None:
    """Every key of every kind is accepted by from_nested on a node of that kind."""
    a = sympy.Symbol("a")
    spec = {
        "player": "A",
        "infoset": "start",
        "outcome": [a, 0],
        "label": "root node",
        "actions": {
            "go": {
                "chance": {
                    "h": ("1/2", {"payoffs": [1, 1], "label": "heads"}),
                    "t": ("1/2", [0, 0]),
                },
                "infoset": "coin",
                "outcome": [0, 1],
                "label": "toss",
            },
            "stop": {"payoffs": {"A": 2, "B": 2}, "label": "end"},
        },
    }
    assert set(spec) == set(NODE_KIND_KEYS["decision"])
    assert set(spec["actions"]["go"]) == set(NODE_KIND_KEYS["chance"])
    g = from_nested(spec, players=["A", "B"]).bind(a=10)
    assert sorted(map(tuple, g.terminal_payoffs.tolist())) == [(10, 1), (11, 2), (12, 2)]
    assert g.infoset_labels() == ["start", "coin"]
    assert sorted(g.node_label(int(v)) for v in range(g.num_nodes)) == sorted(
        ["root node", "toss", "end", "heads", "go/t"]
    )
