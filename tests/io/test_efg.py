"""Gambit .efg files: reading, writing, round trips with pygambit, legacy files, bad input."""

from __future__ import annotations

import io
import sys
import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import pygambit as gbt
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gametheory.exceptions import InvalidGameError, ModelFileError
from gametheory.games.extensive import ExtensiveFormGame
from gametheory.games.model import Model
from gametheory.games.tree_builder import from_nested
from gametheory.io.efg import read_efg, write_efg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tree_cases as tc

HORSE = """EFG 2 R "Selten's horse" { "1" "2" "3" }
"a comment"

p "" 1 1 "one" { "D" "A" } 0
p "" 3 1 "three" { "L" "R" } 0
t "" 1 "DL" { 3, 3, 2 }
t "" 2 "DR" { 0 0 0 }
p "" 2 1 "two" { "a" "d" } 0
t "" 3 "Aa" { 1, 1, 1 }
p "" 3 1 0
t "" 4 "AdL" { 4, 4, 0 }
t "" 2
"""


def _same_game(a, b) -> None:
    assert a.players == b.players
    assert np.array_equal(a.parent, b.parent)
    assert np.array_equal(a.node_infoset, b.node_infoset)
    assert [a.actions(h) for h in range(a.num_infosets)] == [
        b.actions(h) for h in range(b.num_infosets)
    ]
    assert a.exact_payoffs().tolist() == b.exact_payoffs().tolist()
    pa, pb = a.exact_probabilities(), b.exact_probabilities()
    assert [x for x in pa if x is not None] == [x for x in pb if x is not None]


def test_read_textbook_file_with_abbreviations() -> None:
    model = read_efg(HORSE, "horse.efg")
    assert isinstance(model, Model) and model.parameters == {}
    assert model.title == "Selten's horse" and model.description == "a comment"
    g = model.game
    assert g.players == ("1", "2", "3") and g.kind == "exact"
    assert g.infoset_labels() == ["one", "three", "two"]
    assert g.num_nodes == 9 and g.num_terminals == 5
    # the abbreviated second member of "three" and the reused outcome 2
    assert sorted(map(tuple, g.terminal_payoffs.tolist())) == [
        (0, 0, 0),
        (0, 0, 0),
        (1, 1, 1),
        (3, 3, 2),
        (4, 4, 0),
    ]
    _same_game(
        g,
        ExtensiveFormGame.from_tree(
            {
                "player": "1",
                "infoset": "one",
                "actions": {
                    "D": {
                        "player": "3",
                        "infoset": "three",
                        "actions": {"L": [3, 3, 2], "R": [0, 0, 0]},
                    },
                    "A": {
                        "player": "2",
                        "infoset": "two",
                        "actions": {
                            "a": [1, 1, 1],
                            "d": {
                                "player": "3",
                                "infoset": "three",
                                "actions": {"L": [4, 4, 0], "R": [0, 0, 0]},
                            },
                        },
                    },
                },
            },
            players=["1", "2", "3"],
        ),
    )


def test_exact_numbers_and_outcomes_at_inner_nodes() -> None:
    text = """EFG 2 R "t" { "A" "B" } ""
c "" 1 "" { "x" 0.1 "y" 9/10 } 1 "toll" { -1/2, 0 }
t "" 2 "" { 1e1, .5 }
p "" 1 1 "" { "u" "v" } 0
t "" 3 "" { 1.25, -2 }
t "" 0
"""
    g = read_efg(text, "t.efg").game
    assert g.exact_probabilities()[:2].tolist() == [Fraction(1, 10), Fraction(9, 10)]
    assert g.exact_payoffs().tolist() == [
        [Fraction(19, 2), Fraction(1, 2)],
        [Fraction(3, 4), -2],
        [Fraction(-1, 2), 0],
    ]


def test_pygambit_files_load() -> None:
    g = gbt.Game.new_tree(players=["Ann", "Bob"], title='quote " and \\ back')
    g.append_move(g.root, "Ann", ["L", "R"])
    left = g.root.children["L"]
    g.append_move(left, g.players.chance, ["h", "t"])
    g.set_chance_probs(left.infoset, [gbt.Rational(1, 3), gbt.Rational(2, 3)])
    g.append_move(left.children["h"], "Bob", ["x", "y"])
    g.append_infoset(left.children["t"], left.children["h"].infoset)
    shared = g.add_outcome("shared", [1, gbt.Rational(-1, 2)])
    g.set_outcome(g.root.children["R"], shared)
    g.set_outcome(left.children["t"].children["y"], shared)
    g.set_outcome(left.children["h"].children["x"], g.add_outcome("x", [2.5, 3]))
    g.set_outcome(left, g.add_outcome("toll", [1, 1]))
    ours = read_efg(g.to_efg(), "g.efg").game
    assert ours.title == 'quote " and \\ back'
    assert not ours.is_perfect_information and ours.has_perfect_recall
    rnf = ours.to_normal_form()
    theirs = g.to_arrays()
    for j in range(2):
        assert [
            Fraction(str(x)) for x in np.asarray(theirs[j]).reshape(-1)
        ] == rnf.game.exact_payoffs()[j].reshape(-1).tolist()


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.booleans())
def test_round_trips_with_pygambit(seed: int, floats: bool) -> None:
    g = tc.random_game(seed, depth=4, infosets=True, floats=floats)
    text = write_efg(g)
    back = read_efg(text, "r.efg").game
    _same_game(g, back)
    assert write_efg(back) == text
    gg = gbt.read_efg(io.StringIO(text))
    assert gg.is_perfect_recall == g.has_perfect_recall
    assert len(gg.nodes) == g.num_nodes
    assert len(gg.infosets) == int(np.sum(g.infoset_player >= 0))  # chance sets not counted
    # pygambit's own writer, read back by us, gives the same game
    _same_game(g, read_efg(gg.to_efg(), "p.efg").game)


def test_write_float_chance_probabilities_exactly() -> None:
    parent = np.array([-1, 0, 0, 0])
    g = ExtensiveFormGame.from_arrays(
        parent, [-1, 0, 0, 0], [[1.0], [2.0], [3.0]], chance_probs=[1, 1 / 3, 1 / 3, 1 / 3]
    )
    text = write_efg(g)
    gg = gbt.read_efg(io.StringIO(text))  # pygambit insists on an exact sum of 1
    assert [float(a.prob) for a in gg.root.infoset.actions] == pytest.approx([1 / 3] * 3)
    back = read_efg(text, "f.efg").game
    assert sum(back.exact_probabilities()[:3]) == 1
    assert back.expected_payoffs({"Player 1": {}}) == pytest.approx([2.0])
    with pytest.raises(InvalidGameError, match="bind them before writing"):
        write_efg(
            from_nested(
                {"player": "A", "actions": {"x": [sympy.Symbol("a")], "y": [0]}}, players=["A"]
            )
        )


def test_legacy_labels_are_normalised_with_a_warning() -> None:
    text = """EFG 2 R "" { "" "P" "P" }
p "" 1 1 "" { "go" "go" "" } 0
t "" 1 "" { 1 2 3 }
t "" 2 "" { 4 5 6 }
t "" 3 "" { 7 8 9 }
"""
    with pytest.warns(
        UserWarning,
        match="legacy.efg: empty player named '_1'; player 'P' "
        "renamed to 'P_1'; player 'P' renamed to 'P_2'",
    ):
        g = read_efg(text, "legacy.efg").game
    assert g.players == ("_1", "P_1", "P_2")
    assert g.actions(0) == ("go_1", "go_2", "_1")


def test_fast_and_token_readers_agree_on_odd_layout() -> None:
    one_line = " ".join(HORSE.split())  # everything on one line
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _same_game(read_efg(one_line, "a.efg").game, read_efg(HORSE, "b.efg").game)
    brace = HORSE.replace('"one" { "D" "A" }', '"one" { "D}" "A" }')  # a brace inside a label
    assert read_efg(brace, "c.efg").game.actions(0) == ("D}", "A")


BAD = [
    ("", "e.efg: the file is empty"),
    ("NFG 1 R", "e.efg:1: column 1: not a Gambit .efg file (expected 'EFG', found 'NFG')"),
    ("EFG 3 R", "e.efg:1: column 5: unsupported .efg version '3' (expected 2)"),
    ("EFG 2 X", "e.efg:1: column 7: expected 'R' or 'D' after the version, found 'X'"),
    ("EFG 2 R title", "e.efg:1: column 9: expected the title (a quoted string), found 'title'"),
    (
        'EFG 2 R "t" "A"',
        "e.efg:1: column 13: expected '{' starting the player names, found '\"A\"'",
    ),
    ('EFG 2 R "t" { }\nt "" 0', "e.efg:1: column 15: the game has no players"),
    ('EFG 2 R "t" { "A" }', "e.efg:1: column 20: unexpected end of file: the tree is incomplete"),
    (
        'EFG 2 R "t" { "A" }\nx "" 0',
        "e.efg:2: column 1: expected a node type 'p', 'c' or 't', found 'x'",
    ),
    (
        'EFG 2 R "t" { "A" }\np "" 2 1 "" { "a" } 0\nt "" 0',
        "e.efg:2: column 6: player 2 does not exist (the game has 1)",
    ),
    (
        'EFG 2 R "t" { "A" }\np "" 1 1 0',
        "e.efg:2: column 8: information set 1 of player 1 is used before it is declared",
    ),
    (
        'EFG 2 R "t" { "A" }\nc "" 1 "" { "h" 1/2 "t" x } 0',
        "e.efg:2: column 25: expected a chance probability (a number), found 'x'",
    ),
    (
        'EFG 2 R "t" { "A" }\np "" 1 1 "" { } 0',
        "e.efg:2: column 15: an information set needs at least one action",
    ),
    (
        'EFG 2 R "t" { "A" }\np "" 1 1 "" { "a" } 0\nt "" 1 "o" { 1, 2 }',
        "e.efg:3: column 19: outcome 1 has 2 payoffs for 1 players",
    ),
    (
        'EFG 2 R "t" { "A" }\np "" 1 1 "" { "a" } 0\nt "" 7',
        "e.efg:3: column 6: outcome 7 is used before it is declared",
    ),
    (
        'EFG 2 R "t" { "A" }\nt "" 0 "o" { 1 }',
        "e.efg:2: column 6: outcome 0 (no outcome) cannot have a label or payoffs",
    ),
    (
        'EFG 2 R "t" { "A" }\np "" 1 1 "" { "a" } 0\nt "" 1 "o" { x }',
        "e.efg:3: column 14: expected a payoff (a number), found 'x'",
    ),
    (
        'EFG 2 R "t" { "A" }\nt "" 0\nt "" 0',
        "e.efg:3: column 1: unexpected 't' after the last node of the tree",
    ),
    (
        'EFG 2 R "t" { "A" }\np "" 1 1 "" { "a" "b" } 0\np "" 1 1 "" { "a" "c" } 0\n'
        't "" 0\nt "" 0\nt "" 0',
        "e.efg:3: column 8: information set 1 of player 1 is declared again with a different "
        "label, actions or probabilities",
    ),
    (
        'EFG 2 R "t" { "A" }\np "" 1 1 "" { "a" "b" } 0\nt "" 1 "o" { 1 }\nt "" 1 "o" { 2 }',
        "e.efg:4: column 6: outcome 1 is declared again with a different label or payoffs",
    ),
    ('EFG 2 R "t" { "A" }\nt "unterminated 0', "e.efg:2: column 3: unterminated string"),
    (
        'EFG 2 R "t" { "A" }\nc "" 1 "" { "h" 1/2 "t" 1/3 } 0\nt "" 0\nt "" 0',
        "e.efg: chance node root: probabilities sum to 5/6, not 1",
    ),
    (
        'EFG 2 R "t" { "A" }\nc "" 1 "" { "h" 1/0 } 0\nt "" 0',
        "e.efg:2: column 17: bad probability '1/0': division by zero",
    ),
    (
        'EFG 2 R "t" { "A" }\np "" 1 x',
        "e.efg:2: column 8: expected the information set number (an integer), found 'x'",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_files(text: str, message: str) -> None:
    with pytest.raises(ModelFileError) as err:
        read_efg(text, "e.efg")
    assert str(err.value) == message
