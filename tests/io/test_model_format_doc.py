"""docs/model-format.md is true: its YAML and .efg examples load, and its error lines are real.

Every ```yaml block is either a complete model file (it has ``players``,
``strategies`` or ``tree``), which must load and validate as it stands, or a
fragment that the page explains in the context of the complete example above
it; each fragment is completed here as the page describes and loaded too.
"""

from __future__ import annotations

import json
import re
import warnings
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

import gametheory as gt
from gametheory.cli import main
from gametheory.io.efg import read_efg

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "model-format.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^( *)```([A-Za-z]*)\n(.*?)^\1```\n", re.S | re.M)


def blocks(lang: str) -> list[str]:
    """The bodies of the page's fenced blocks of one language (indentation removed)."""
    out = []
    for m in FENCE.finditer(PAGE):
        if m.group(2) == lang:
            indent = len(m.group(1))
            out.append("".join(line[indent:] for line in m.group(3).splitlines(True)))
    return out


YAML = blocks("yaml")
COMPLETE = [b for b in YAML if {"players", "strategies", "tree"} & set(yaml.safe_load(b))]
FRAGMENTS = [b for b in YAML if b not in COMPLETE]
ARMS = next(b for b in COMPLETE if "strategies" in yaml.safe_load(b))
ENTRY = next(b for b in COMPLETE if "tree" in yaml.safe_load(b))


def load_text(tmp_path: Path, text: str, name: str = "model.yaml") -> gt.Model:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return gt.load(path)


def test_the_page_has_the_examples() -> None:
    assert len(COMPLETE) == 2 and len(FRAGMENTS) == 4
    assert [next(iter(yaml.safe_load(b))) for b in FRAGMENTS] == [
        "parameters",
        "payoffs",
        "payoffs",
        "payoffs",
    ]


@pytest.mark.parametrize("text", COMPLETE, ids=["arms", "entry"])
def test_complete_examples_validate(tmp_path, capsys, text: str) -> None:
    path = tmp_path / "example.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out.startswith(f"{path}: valid (")
    # the same structure as JSON is the same model
    as_json = tmp_path / "example.json"
    as_json.write_text(json.dumps(yaml.safe_load(text)), encoding="utf-8")
    from_json, from_yaml = gt.load(as_json).bind(), gt.load(path).bind()
    if from_yaml.form == "normal":
        assert from_json == from_yaml
    else:
        assert from_json.terminal_payoffs.tolist() == from_yaml.terminal_payoffs.tolist()
        assert list(from_json.exact_probabilities()) == list(from_yaml.exact_probabilities())
        assert from_json.infoset_labels() == from_yaml.infoset_labels()


def test_the_parameters_fragment(tmp_path) -> None:
    fragment = yaml.safe_load(FRAGMENTS[0])
    data = yaml.safe_load(ARMS)
    data["parameters"].update(fragment["parameters"])
    model = load_text(tmp_path, yaml.safe_dump(data))
    assert model.parameters["stake"].value == 2 and model.parameters["stake"].range == (0, 5)
    assert model.parameters["discount"].value == Fraction(1, 2)


def test_the_matrix_fragment(tmp_path) -> None:
    data = {
        "players": ["Row", "Column"],
        "strategies": {"Row": ["up", "down"], "Column": ["left", "right"]},
    }
    data.update(yaml.safe_load(FRAGMENTS[1]))
    game = load_text(tmp_path, yaml.safe_dump(data)).game
    assert game.payoff(["down", "left"]) == (5, 0)
    assert game.payoff(["up", "right"]) == (0, 5)


def test_the_profiles_fragment(tmp_path) -> None:
    data = yaml.safe_load(ARMS)
    data["players"] = ["Seoul", "Moscow", "Pyongyang"]
    data["strategies"]["Pyongyang"] = ["hold"]
    data["payoffs"] = yaml.safe_load(FRAGMENTS[2])["payoffs"]
    model = load_text(tmp_path, yaml.safe_dump(data))
    arms = load_text(tmp_path, ARMS, "arms.yaml").bind()
    game = model.bind()
    assert game.payoff(["arm", "restrain", "hold"]) == (*arms.payoff(["arm", "restrain"]), 0)
    assert game.payoff(["withhold", "transfer", "hold"]) == (0, 0, 0)  # the default


def test_by_player_gives_the_matrix_game(tmp_path) -> None:
    data = yaml.safe_load(ARMS)
    data["payoffs"] = yaml.safe_load(FRAGMENTS[3])["payoffs"]
    by_player = load_text(tmp_path, yaml.safe_dump(data))
    matrix = load_text(tmp_path, ARMS, "arms.yaml")
    for values in ({}, {"approval_gain": 3, "nightmare_loss": 7}):
        assert by_player.bind(**values) == matrix.bind(**values)


# ---------------------------------------------------------------------- the tree example


def test_the_entry_tree_means_what_the_page_says(tmp_path) -> None:
    model = load_text(tmp_path, ENTRY, "entry.yaml")
    game = model.bind()
    assert game.form == "extensive" and game.has_perfect_recall
    # outcome at the normal incumbent's node: -entry_cost added to both terminals below it
    pay = {
        game.node_label(int(t)): tuple(row)
        for t, row in zip(game.terminals, game.terminal_payoffs.tolist())
    }
    assert pay["normal/in/fight"] == (Fraction(-3, 2), 0)
    assert pay["normal/in/accommodate"] == (Fraction(3, 2), 2)
    assert pay["committed/in"] == (Fraction(-3, 2), 1)
    # the entrant enters iff p_committed <= (2 - entry_cost)/3 = 1/2
    for p, enters in ((Fraction(49, 100), True), (Fraction(51, 100), False)):
        eq = gt.solve(model.bind(p_committed=p), method="spe").equilibria[0]
        assert eq.behavior_strategies["Entrant"]["entry decision"]["in"] == (1.0 if enters else 0)
        assert eq.behavior_strategies["Incumbent"]["1"]["accommodate"] == 1.0


ERROR_VARIANTS = [
    ("in: {payoffs: [-1 - entry_cost, 1]}", "in: {payoffs: [-1 - entry_cost, 1], outcome: [1, 0]}"),
    ("tree:\n  chance:", "tree:\n  actions: {}\n  chance:"),
    (
        "      actions:\n        out: {payoffs: [0, 4]}\n"
        "        in: {payoffs: [-1 - entry_cost, 1]}   # a terminal node: its whole payoff\n",
        "      actions: {}\n",
    ),
    ("probability: 1 - p_committed", "probability: 1 - p_comitted"),
]


def test_the_tree_error_lines_are_real(tmp_path, monkeypatch) -> None:
    shown = [line for line in PAGE.splitlines() if line.startswith("entry.yaml:")]
    assert len(shown) == len(ERROR_VARIANTS)
    monkeypatch.chdir(tmp_path)
    for (old, new), line in zip(ERROR_VARIANTS, shown):
        assert ENTRY.count(old) == 1, old
        Path("entry.yaml").write_text(ENTRY.replace(old, new), encoding="utf-8")
        with pytest.raises(gt.ModelFileError) as err:
            gt.load("entry.yaml")
        assert str(err.value) == line


# ---------------------------------------------------------------------- Gambit .efg


def test_the_efg_example_is_the_entry_tree_at_its_baseline(tmp_path) -> None:
    (text,) = blocks("efg")
    game = read_efg(text, "entry.efg").game
    entry = load_text(tmp_path, ENTRY, "entry.yaml").bind()
    assert game.terminal_payoffs.tolist() == entry.terminal_payoffs.tolist()
    assert game.infoset_labels() == entry.infoset_labels()
    assert [game.node_label(v) for v in range(game.num_nodes)] == [
        entry.node_label(v) for v in range(entry.num_nodes)
    ]
    assert list(game.exact_probabilities()[:2]) == [Fraction(4, 5), Fraction(1, 5)]


def test_the_efg_error_lines_are_real() -> None:
    shown = [line.strip() for line in PAGE.splitlines() if line.strip().startswith("game.efg:")]
    bad_payoff = (
        'EFG 2 R "t" { "A" "B" }\n""\np "" 1 1 "" { "l" "r" } 0\nt "" 1 "" { 1 2 }\n'
        't "" 2 "" { 3 x }\n'
    )
    redeclared = (
        'EFG 2 R "t" { "A" }\np "" 1 1 "" { "a" "b" } 0\np "" 1 1 "" { "a" "c" } 0\n'
        't "" 0\nt "" 0\nt "" 0'
    )
    messages = []
    for text in (bad_payoff, redeclared):
        with pytest.raises(gt.ModelFileError) as err:
            read_efg(text, "game.efg")
        messages.append(str(err.value))
    assert messages == shown


def test_efg_legacy_labels_and_rounded_probabilities_warn() -> None:
    legacy = (
        'EFG 2 R "legacy" { "P1" "P1" }\n""\np "" 1 1 "" { "a" "b" } 0\n'
        't "" 1 "" { 1 2 }\nt "" 2 "" { 3 4 }\n'
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        game = read_efg(legacy, "legacy.efg").game
    assert game.players == ("P1_1", "P1_2")
    assert "player 'P1' renamed to 'P1_1'" in str(caught[0].message)
    rounded = (
        'EFG 2 R "t" { "A" }\n""\nc "" 1 "" { "h" 0.333333 "t" 0.666666 } 0\n'
        't "" 1 "" { 1 }\nt "" 2 "" { 2 }\n'
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        game = read_efg(rounded, "r.efg").game
    assert list(game.exact_probabilities()) == [Fraction(1, 3), Fraction(2, 3)]
    assert "rescaled to 1" in str(caught[0].message)
    assert "0.333333" in PAGE and "0.666666" in PAGE


def test_the_node_table_lists_the_keys_the_reader_takes() -> None:
    """The page's key table for tree nodes lists exactly the keys the reader takes."""
    from gametheory.games.tree_builder import NODE_KIND_KEYS

    table = {
        "decision node": NODE_KIND_KEYS["decision"],
        "chance node": NODE_KIND_KEYS["chance"],
        "terminal node": NODE_KIND_KEYS["terminal"],
    }
    for kind, keys in table.items():
        row = next(line for line in PAGE.splitlines() if line.startswith(f"| {kind} |"))
        assert set(re.findall(r"`(\w+)`", row.split("|")[2])) == set(keys), kind
