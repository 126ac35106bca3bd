"""Bad ``tree:`` sections: every key a node kind does not take, and other malformed nodes.

Each case is a whole model file; the error is one line naming the file, the
line, the key path and what is wrong, the same through ``gt.load``, through the
JSON reader (same structure) and through ``gametheory validate`` (exit code 2).
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
import yaml

import gametheory as gt
from gametheory import ModelFileError
from gametheory.cli import main

HEAD = "players: [A, B]\nparameters: {p: 1/4}\ntree:\n"


def model(tree: str) -> str:
    """A model file with the given (indented) tree section."""
    return HEAD + tree


# (file name, tree section, expected message with {f} for the file)
CASES = [
    (
        "outcome_and_payoffs.yaml",
        "  player: A\n  actions:\n    l: {payoffs: [1, 2], outcome: [100, 100]}\n"
        "    r: {payoffs: [0, 0]}\n",
        "{f}:6: tree.actions.l.outcome: a terminal node takes 'payoffs', not 'outcome' as well: "
        "its payoffs are its outcome ('outcome' adds payoffs to the terminals below an inner "
        "node); write the sum under 'payoffs'",
    ),
    (
        "outcome_only.yaml",
        "  player: A\n  actions:\n    l: {outcome: [1, 2]}\n",
        "{f}:6: tree.actions.l: a node needs exactly one of player, chance or payoffs; this one "
        "has only an outcome (a terminal node's payoffs go under 'payoffs')",
    ),
    (
        "chance_actions.yaml",
        "  chance:\n    h: {probability: 1/2, payoffs: [1, 2]}\n"
        "    t: {probability: 1/2, payoffs: [0, 0]}\n  actions: {x: {payoffs: [1, 1]}}\n",
        "{f}:7: tree.actions: a chance node lists its moves under 'chance' (each with a "
        "probability), not 'actions'",
    ),
    (
        "chance_player.yaml",
        "  chance:\n    h: {probability: 1, payoffs: [1, 2]}\n  player: A\n",
        "{f}:4: tree: a node needs exactly one of player, chance or payoffs; this one has "
        "player and chance",
    ),
    (
        "chance_payoffs.yaml",
        "  chance:\n    h: {probability: 1, payoffs: [1, 2]}\n  payoffs: [0, 0]\n",
        "{f}:4: tree: a node needs exactly one of player, chance or payoffs; this one has "
        "chance and payoffs",
    ),
    (
        "terminal_infoset.yaml",
        "  player: A\n  actions:\n    l: {payoffs: [1, 2], infoset: foo}\n",
        "{f}:6: tree.actions.l.infoset: a terminal node (it has payoffs) has no information set",
    ),
    (
        "terminal_actions.yaml",
        "  player: A\n  actions:\n    l:\n      payoffs: [1, 2]\n"
        "      actions: {x: {payoffs: [0, 0]}}\n",
        "{f}:8: tree.actions.l.actions: a terminal node (it has payoffs) has no actions",
    ),
    (
        "actions_without_player.yaml",
        "  actions: {x: {payoffs: [0, 0]}}\n",
        "{f}:4: tree: a node needs exactly one of player, chance or payoffs; this one has "
        "actions but no player",
    ),
    (
        "probability_below_decision.yaml",
        "  player: A\n  actions:\n    l: {payoffs: [1, 2], probability: 0.3}\n",
        "{f}:6: tree.actions.l.probability: only the children of a chance node have a "
        "probability (this node's parent is a decision node)",
    ),
    (
        "probability_at_root.yaml",
        "  probability: 1\n  payoffs: [1, 2]\n",
        "{f}:4: tree.probability: only the children of a chance node have a probability "
        "(this is the root)",
    ),
    (
        "typo.yaml",
        "  player: A\n  actoins: {x: {payoffs: [0, 0]}}\n",
        "{f}:5: tree.actoins: unknown key 'actoins' in a tree node (use player/actions, chance "
        "or payoffs); did you mean 'actions'?",
    ),
    (
        "empty_actions.yaml",
        "  player: A\n  actions: {}\n",
        "{f}:5: tree.actions: a decision node needs at least one action; this mapping is empty",
    ),
    (
        "empty_chance.yaml",
        "  chance: {}\n",
        "{f}:4: tree.chance: a chance node needs at least one action; this mapping is empty",
    ),
    (
        "actions_list.yaml",
        "  player: A\n  actions: [x, y]\n",
        "{f}:5: tree.actions: expected a mapping of actions to nodes, got a list",
    ),
    (
        "chance_child_list.yaml",
        "  chance:\n    h: [1, 2]\n",
        "{f}:5: tree.chance.h: expected a tree node (a mapping) with a probability, got a list",
    ),
    (
        "label_list.yaml",
        "  player: A\n  label: [1, 2]\n  actions: {x: {payoffs: [0, 0]}}\n",
        "{f}:5: tree.label: expected a node label (text), got a list",
    ),
    (
        "label_null.yaml",
        "  player: A\n  label:\n  actions: {x: {payoffs: [0, 0]}}\n",
        "{f}:5: tree.label: expected a node label (text), got nothing (null)",
    ),
    (
        "infoset_mapping.yaml",
        "  player: A\n  infoset: {x: 1}\n  actions: {x: {payoffs: [0, 0]}}\n",
        "{f}:5: tree.infoset: expected an information set label (text), got a mapping",
    ),
    (
        "player_list.yaml",
        "  player: [A]\n  actions: {x: {payoffs: [0, 0]}}\n",
        "{f}:4: tree.player: expected a player name, got a list",
    ),
    (
        "outcome_bad_length.yaml",
        "  player: A\n  outcome: [1]\n  actions: {x: {payoffs: [0, 0]}}\n",
        "{f}:5: tree.outcome: 1 payoffs for 2 players (A, B)",
    ),
]


@pytest.mark.parametrize(("name", "tree", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_tree_nodes(tmp_path, name: str, tree: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(model(tree), encoding="utf-8")
    with pytest.raises(ModelFileError) as err:
        gt.load(path)
    assert str(err.value) == message.format(f=path)


@pytest.mark.parametrize(("name", "tree", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_tree_nodes_in_json(tmp_path, name: str, tree: str, message: str) -> None:
    """The same document as JSON gives the same message (lines differ: check the rest)."""
    data = yaml.safe_load(model(tree))
    path = tmp_path / name.replace(".yaml", ".json")
    path.write_text(json.dumps(data), encoding="utf-8")  # one line: every error is on line 1
    with pytest.raises(ModelFileError) as err:
        gt.load(path)
    _, _, rest = message.partition(":")
    _, _, rest = rest.partition(":")
    assert str(err.value) == f"{path}:1:{rest}"


def test_validate_refuses_misplaced_keys(tmp_path, capsys) -> None:
    name, tree, message = CASES[2]  # the chance node with an `actions` key
    path = tmp_path / name
    path.write_text(model(tree), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == f"gametheory: error: {message.format(f=path)}\n"
    # without the stray key the same file is valid
    path.write_text(model(tree.replace("  actions: {x: {payoffs: [1, 1]}}\n", "")), "utf-8")
    assert main(["validate", str(path)]) == 0


def test_outcomes_at_inner_nodes_add_to_the_terminals_below(tmp_path) -> None:
    text = model(
        "  player: A\n  outcome: [10, 0]\n  actions:\n"
        "    x:\n      outcome: [0, p]\n      chance:\n"
        "        h: {probability: 1/2, payoffs: [1, 1]}\n"
        "        t: {probability: 1/2, payoffs: [2, 2]}\n"
        "    y: {payoffs: [3, 3]}\n"
    )
    path = tmp_path / "outcomes.yaml"
    path.write_text(text, encoding="utf-8")
    game = gt.load(path).bind(p=Fraction(1, 4))
    got = sorted(map(tuple, game.terminal_payoffs.tolist()))
    assert got == [(11, Fraction(5, 4)), (12, Fraction(9, 4)), (13, 3)]
    # written back, the outcomes stay on the inner nodes and read back to the same game
    again = tmp_path / "again.yaml"
    gt.save(gt.load(path), again)
    assert "outcome" in again.read_text(encoding="utf-8")
    assert sorted(map(tuple, gt.load(again).bind(p=Fraction(1, 4)).terminal_payoffs.tolist())) == (
        got
    )


@pytest.mark.parametrize(
    ("p", "message"),
    [
        ("-1/4", "chance node arm/fight (information set 'weather'): negative probability"),
        (
            "1/2",
            "chance node arm/fight (information set 'weather'): probabilities sum to 3/2, not 1",
        ),
        ("0.5", "chance node arm/fight (information set 'weather'): probabilities sum to 1.5"),
    ],
)
def test_bind_time_chance_errors_name_the_node(tmp_path, p: str, message: str) -> None:
    text = model(
        "  player: A\n  actions:\n    stay: {payoffs: [0, 0]}\n    arm:\n      player: B\n"
        "      actions:\n        share: {payoffs: [1, 1]}\n        fight:\n"
        "          infoset: weather\n          chance:\n"
        "            h: {probability: p, payoffs: [1, 2]}\n"
        "            t: {probability: 1 - 2*p, payoffs: [0, 0]}\n"
        "            u: {probability: 2*p, payoffs: [0, 0]}\n"
    )
    path = tmp_path / "bind.yaml"
    path.write_text(text, encoding="utf-8")
    game = gt.load(path).game
    value = float(p) if "." in p else Fraction(p)
    with pytest.raises(gt.InvalidGameError) as err:
        game.bind(p=value)
    assert str(err.value).startswith(message)
    # a node label, when given, names the node too
    labelled = text.replace("infoset: weather", "label: storm")
    path.write_text(labelled, encoding="utf-8")
    with pytest.raises(gt.InvalidGameError, match=r"^chance node 'storm' at arm/fight: "):
        gt.load(path).game.bind(p=value)
