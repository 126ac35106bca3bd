"""Malformed and hostile inputs: each gives one exact, one-line ModelFileError."""

from __future__ import annotations

import re
import time
import tracemalloc

import pytest

import gametheory as gt
import gametheory.io.source
from gametheory import ModelFileError

BASE = """players: [A, B]
strategies:
  A: [up, down]
  B: [left, right]
payoffs:
  matrix:
    up: {left: [1, 2], right: [3, 4]}
    down: {left: [5, 6], right: [7, 8]}
"""
HEAD = BASE.split("payoffs:")[0]


def cell(text: str) -> str:
    """BASE with the payoff of A at (down, right) replaced."""
    return BASE.replace("[7, 8]", f"[{text}, 8]")


CASES = [
    # ---- YAML syntax and structure
    ("syntax.yaml", "players: [A, B\nstrategies: {}\n",
     "{f}:2: invalid YAML: did not find expected ',' or ']' (column 11)"),
    ("tab.yaml", "players:\n\t- A\n",
     "{f}:2: invalid YAML: found character that cannot start any token (column 1)"),
    ("two_docs.yaml", BASE + "---\n" + BASE,
     "{f}:9: the file holds more than one YAML document (a line '---' starts a second one)"),
    ("list_top.yaml", "- a\n- b\n",
     "{f}:1: the top level must be a mapping with keys such as title, players, strategies, "
     "payoffs; got a list"),
    ("comments.yaml", "# only a comment\n", "{f}: the file is empty (no model in it)"),
    ("dup_key.yaml", BASE + "players: [A, B]\n",
     "{f}:9: duplicate key 'players' (first given at line 1)"),
    ("merge.yaml", "x: &x {a: 1}\ny:\n  <<: *x\n" + BASE,
     "{f}:3: merge keys (<<) are not supported"),
    ("complex_key.yaml", "? [a, b]\n: 1\n" + BASE,
     "{f}:1: mapping keys must be plain text, not a list"),
    ("custom_tag.yaml", "title: !foo bar\n" + BASE,
     "{f}:1: title: YAML tag !foo is not allowed (model files hold plain data only)"),
    ("undefined_alias.yaml", "title: *nothing\n" + BASE,
     "{f}:1: title: alias *nothing refers to no anchor"),
    ("recursive.yaml", "a: &a [1, *a]\n",
     "{f}:1: a[1]: alias *a refers to a node that contains it (recursive alias)"),
    ("deep.yaml", "x: " + "[" * 500 + "]" * 500 + "\n",
     "{f}:1: nesting deeper than 100 levels"),
    # ---- schema
    ("unknown_key.yaml", BASE + "titel: x\n",
     "{f}:9: unknown key 'titel'; did you mean 'title'? expected one of: title, "
     "description, parameters, definitions, players, strategies, payoffs, tree"),
    ("tree_and_table.yaml", "tree: {payoffs: [1, 2]}\n" + BASE,
     "{f}:3: a model with a tree takes no 'strategies' section (give either "
     "strategies and payoffs, or a tree)"),
    ("tree_no_players.yaml", "tree: {payoffs: [1, 2]}\n",
     "{f}:1: a tree needs the list of players (key 'players')"),
    ("title_list.yaml", "title: [a]\n" + BASE, "{f}:1: title: expected text, got a list"),
    ("players_map.yaml", BASE.replace("players: [A, B]", "players: {A: 1}"),
     "{f}:1: players: expected a list of player names, got a mapping"),
    ("no_strategies.yaml", "players: [A]\npayoffs: {matrix: {}}\n",
     "{f}:1: missing key 'strategies' (each player's list of strategies)"),
    ("no_payoffs.yaml", HEAD, "{f}:1: missing key 'payoffs' (the payoff table)"),
    ("no_form.yaml", HEAD + "payoffs: {}\n",
     "{f}:5: payoffs: expected one of: matrix, profiles, by_player"),
    ("two_forms.yaml", BASE + "  by_player: {A: 1, B: 2}\n",
     "{f}:9: payoffs.by_player: give the payoffs in one form only, not both matrix and "
     "by_player"),
    ("form_typo.yaml", HEAD + "payoffs:\n  matrx: {}\n",
     "{f}:6: payoffs.matrx: unknown key 'matrx'; did you mean 'matrix'? expected one of: "
     "matrix, profiles, by_player"),
    ("param_no_value.yaml", "parameters:\n  stake:\n    range: [0, 3]\n" + BASE,
     "{f}:2: parameters.stake: missing key 'value' (the baseline value)"),
    ("param_key.yaml", "parameters:\n  stake:\n    value: 1\n    rnage: [0, 3]\n" + BASE,
     "{f}:4: parameters.stake.rnage: unknown key 'rnage'; did you mean 'range'? expected one "
     "of: value, range, description, source"),
    ("param_range_len.yaml", "parameters:\n  stake: {value: 1, range: [0, 1, 2]}\n" + BASE,
     "{f}:2: parameters.stake.range: expected [low, high], got 3 numbers"),
    ("param_range_order.yaml", "parameters:\n  stake:\n    value: 1\n    range: [3, 0]\n" + BASE,
     "{f}:4: parameters.stake.range: low end 3 is above high end 0"),
    ("param_name.yaml", "parameters:\n  lambda: 1\n" + BASE,
     "{f}:2: parameters.lambda: 'lambda' is not a valid parameter name (use letters, digits "
     "and _, not starting with a digit; not a Python keyword or one of min, max, exp, log, "
     "sqrt, abs)"),
    ("param_text.yaml", "parameters:\n  stake: {value: high}\n" + BASE,
     "{f}:2: parameters.stake.value: undeclared name 'high' in 'high' at column 1"),
    ("definition_clash.yaml", "parameters: {a: 1}\ndefinitions: {a: 2}\n" + BASE,
     "{f}:2: definitions.a: 'a' is already a parameter"),
    # ---- semantics
    ("dup_player.yaml", BASE.replace("[A, B]", "[A, A]"),
     "{f}:1: players[1]: duplicate player 'A' (also at line 1)"),
    ("dup_strategy.yaml", BASE.replace("[up, down]", "[up, up]"),
     "{f}:3: strategies.A[1]: duplicate strategy 'up' (also at line 3)"),
    ("empty_label.yaml", BASE.replace("[up, down]", "[up, '  ']"),
     "{f}:3: strategies.A[1]: expected a strategy label, got the text '  '"),
    ("no_strategy_list.yaml", BASE.replace("  B: [left, right]\n", ""),
     "{f}:3: strategies: no strategy list for player 'B'"),
    ("stranger.yaml", BASE.replace("  B: [left, right]", "  B: [left, right]\n  C: [x]"),
     "{f}:5: strategies.C: 'C' is not a player (players: A, B)"),
    ("no_strategies_for_a.yaml", BASE.replace("[up, down]", "[]"),
     "{f}:3: strategies.A: A needs at least one strategy"),
    ("unknown_strategy.yaml", BASE.replace("down: {left", "dwon: {left"),
     "{f}:8: payoffs.matrix.dwon: A has no strategy 'dwon' (strategies: up, down)"),
    ("missing_row.yaml", BASE.replace("    down: {left: [5, 6], right: [7, 8]}\n", ""),
     "{f}:7: payoffs.matrix: no payoffs for A's strategy down"),
    ("missing_cell.yaml", BASE.replace(", right: [7, 8]", ""),
     "{f}:8: payoffs.matrix.down: no payoffs for B's strategy right"),
    ("vector_length.yaml", BASE.replace("[7, 8]", "[7, 8, 9]"),
     "{f}:8: payoffs.matrix.down.right: 3 payoffs given at (down, right); the game has 2 "
     "players (A, B)"),
    ("vector_scalar.yaml", BASE.replace("[7, 8]", "7"),
     "{f}:8: payoffs.matrix.down.right: expected a list of 2 payoffs (one per player) at "
     "(down, right), got the number 7"),
    ("vector_player.yaml", BASE.replace("[7, 8]", "{A: 7, C: 8}"),
     "{f}:8: payoffs.matrix.down.right.C: 'C' is not a player (players: A, B)"),
    ("profile_duplicate.yaml", HEAD + "payoffs:\n  profiles:\n"
     "    - {profile: {A: up, B: left}, payoffs: [1, 2]}\n"
     "    - {profile: [up, left], payoffs: [1, 2]}\n",
     "{f}:8: payoffs.profiles[1].profile: duplicate profile (up, left); first given at line 7"),
    ("profile_missing.yaml", HEAD + "payoffs:\n  profiles:\n"
     "    - {profile: {A: up, B: left}, payoffs: [1, 2]}\n",
     "{f}:7: payoffs.profiles: 3 profiles without payoffs, e.g. (up, right); list every "
     "profile or give payoffs.default"),
    ("profile_strategy.yaml", HEAD + "payoffs:\n  profiles:\n"
     "    - {profile: {A: up, B: centre}, payoffs: [1, 2]}\n",
     "{f}:7: payoffs.profiles[0].profile.B: B has no strategy 'centre' (strategies: left, "
     "right)"),
    ("profile_short.yaml", HEAD + "payoffs:\n  profiles:\n    - {profile: [up], payoffs: [1, 2]}\n",
     "{f}:7: payoffs.profiles[0].profile: a profile names one strategy per player (2), got 1"),
    ("profile_no_payoffs.yaml", HEAD + "payoffs:\n  profiles:\n    - {profile: [up, left]}\n",
     "{f}:7: payoffs.profiles[0]: missing key 'payoffs'"),
    ("by_player_missing.yaml", HEAD + "payoffs:\n  by_player: {A: up}\n",
     "{f}:6: payoffs.by_player: no payoff expression for B"),
    # ---- payoff values and expressions
    ("undeclared.yaml", cell("stake"),
     "{f}:8: payoffs.matrix.down.right[0]: undeclared name 'stake' in 'stake' at column 1"),
    ("typo_name.yaml", "parameters: {stake: 2}\n" + cell("2*stak"),
     "{f}:9: payoffs.matrix.down.right[0]: undeclared name 'stak' in '2*stak' at column 3; "
     "did you mean 'stake'?"),
    ("attribute.yaml", cell("'().__class__'"),
     "{f}:8: payoffs.matrix.down.right[0]: attribute access is not allowed in '().__class__' "
     "at column 1"),
    ("lambda.yaml", cell("'(lambda: 1)()'"),
     "{f}:8: payoffs.matrix.down.right[0]: only calls of min, max, exp, log, sqrt and abs are "
     "allowed in '(lambda: 1)()' at column 1"),
    ("call.yaml", cell("'open(1)'"),
     "{f}:8: payoffs.matrix.down.right[0]: call of 'open' is not allowed (functions: min, max, "
     "exp, log, sqrt, abs) in 'open(1)' at column 1"),
    ("subscript.yaml", cell("'x[0]'"),
     "{f}:8: payoffs.matrix.down.right[0]: subscripts are not allowed in 'x[0]' at column 1"),
    ("string.yaml", cell("'\"a\"'"),
     "{f}:8: payoffs.matrix.down.right[0]: strings are not allowed in '\"a\"' at column 1"),
    ("boolean.yaml", cell("yes"),
     "{f}:8: payoffs.matrix.down.right[0]: expected a number or an expression, got the "
     "boolean 'yes'"),
    ("null.yaml", cell("~"),
     "{f}:8: payoffs.matrix.down.right[0]: expected a number or an expression, got nothing "
     "(null)"),
    ("infinite.yaml", cell(".inf"),
     "{f}:8: payoffs.matrix.down.right[0]: .inf is not a finite number"),
    ("division.yaml", cell("1/0"),
     "{f}:8: payoffs.matrix.down.right[0]: division by zero in '1/0' at column 1"),
    ("huge.yaml", cell("10**400"),
     "{f}:8: payoffs.matrix.down.right[0]: number 10**400 is too large"),
    ("syntax_expr.yaml", cell("'2 *'"),
     "{f}:8: payoffs.matrix.down.right[0]: invalid expression '2 *': invalid syntax"),
    # ---- JSON
    ("bad.json", '{"players": ["A", "B"],\n "strategies": {"A": ["x"] "B": ["y"]}}',
     "{f}:2: invalid JSON: expected ',' or '}}' (column 28)"),
    ("dup.json", '{"players": ["A"],\n "players": ["A"]}',
     "{f}:2: duplicate key 'players' (first given at line 1)"),
    ("trailing.json", '{"players": ["A"]} x',
     "{f}:1: invalid JSON: unexpected text after the end of the document (column 20)"),
    ("unterminated.json", '{"players": ["A]}',
     "{f}:1: invalid JSON: unterminated or invalid string (column 14)"),
    # ---- .nfg syntax and counts
    ("short.nfg", 'NFG 1 R "t" { "A" "B" } { 2 2 }\n1 2 3 4 5 6 7\n',
     "{f}:3: column 1: expected 8 payoffs (4 profiles x 2 players), found 7"),
    ("long.nfg", 'NFG 1 R "t" { "A" "B" } { 2 2 }\n1 2 3 4 5 6 7 8 9\n',
     "{f}:2: column 17: expected 8 payoffs (4 profiles x 2 players), found 9"),
    ("bad_number.nfg", 'NFG 1 R "t" { "A" "B" } { 2 2 }\n1 2 3 x 5 6 7 8\n',
     "{f}:2: column 7: expected a payoff (a number), found 'x'"),
    ("zero_den.nfg", 'NFG 1 R "t" { "A" } { 2 }\n1/0 2\n',
     "{f}:2: column 1: expected a payoff (a number), found '1/0' (division by zero)"),
    ("bad_index.nfg", 'NFG 1 R "t" { "A" "B" } { { "a" "b" } { "c" "d" } }\n""\n'
     '{ { "o1" 1, 2 } { "o2" 3, 4 } }\n 1 2 0 5\n',
     "{f}:4: column 8: outcome index 5 does not exist (outcomes are numbered 1 to 2; 0 means "
     "no outcome)"),
    ("outcome_len.nfg", 'NFG 1 R "t" { "A" "B" } { { "a" "b" } { "c" "d" } }\n""\n'
     '{ { "o1" 1, 2, 3 } { "o2" 3, 4 } }\n 1 2 0 1\n',
     "{f}:3: column 3: outcome 1 has 3 payoffs; the game has 2 players"),
    ("few_indices.nfg", 'NFG 1 R "t" { "A" "B" } { { "a" "b" } { "c" "d" } }\n""\n'
     '{ { "o1" 1, 2 } }\n 1 1 1\n',
     "{f}:5: column 1: expected 4 outcome indices (one per profile), found 3"),
    ("efg_header.nfg", 'EFG 2 R "t" { "A" "B" }\n',
     "{f}:1: column 1: not a Gambit .nfg file (expected 'NFG', found 'EFG')"),
    ("version.nfg", 'NFG 2 R "t" { "A" "B" } { 2 2 }\n',
     "{f}:1: column 5: unsupported .nfg version '2' (expected 1)"),
    ("counts.nfg", 'NFG 1 R "t" { "A" "B" } { 2 }\n1 2\n',
     "{f}:1: column 25: strategies given for 1 of the 2 players"),
    ("zero_strategies.nfg", 'NFG 1 R "t" { "A" "B" } { 2 0 }\n',
     "{f}:1: column 29: expected a number of strategies, found '0'"),
    ("brace.nfg", 'NFG 1 R "t" { "A" } { 2 }\n1 { 2\n',
     "{f}:2: column 3: unexpected '{{' among the payoffs"),
    ("unterminated.nfg", 'NFG 1 R "t" { "A" } { 2 }\n"open\n',
     "{f}:2: column 1: unterminated string"),
    ("no_players.nfg", 'NFG 1 R "t" { } { }\n',
     "{f}:1: column 13: the game has no players"),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_malformed_file(tmp_path, name, text, expected):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    message = expected.format(f=path)
    with pytest.raises(ModelFileError, match="^" + re.escape(message) + "$") as info:
        gt.load(path)
    assert "\n" not in str(info.value)
    assert info.value.file == str(path)


def test_there_are_many_distinct_cases():
    assert len({name for name, _, _ in CASES}) == len(CASES) >= 60


def test_error_attributes(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text(cell("stake"), encoding="utf-8")
    with pytest.raises(ModelFileError) as info:
        gt.load(path)
    err = info.value
    assert (err.file, err.line, err.key) == (str(path), 8, "payoffs.matrix.down.right[0]")
    assert isinstance(err, ValueError)


def test_strict_mode_refuses_values_outside_their_range(tmp_path):
    path = tmp_path / "range.yaml"
    path.write_text("parameters:\n  stake:\n    value: 5\n    range: [0, 3]\n"
                    + cell("stake"), encoding="utf-8")
    assert gt.load(path).parameters["stake"].value == 5
    with pytest.raises(ModelFileError, match="^" + re.escape(
            f"{path}:3: parameters.stake.value: value 5 is outside its range [0, 3]") + "$"):
        gt.load(path, strict=True)


# ---------------------------------------------------------------------- files that are not files


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.yaml", b"", "{f}: the file is empty"),
        ("blank.nfg", b"\n \n", "{f}: the file is empty"),
        ("binary.yaml", b"players: [A\x00]\n", "{f}:1: not a text file (binary data at byte 12)"),
        ("latin1.yaml", b"title: caf\xe9\n",
         "{f}:1: not UTF-8 text (invalid byte 0xe9 at byte 11)"),
        ("control.yaml", b"title: a\x07b\n", "{f}:1: invalid YAML: unacceptable character "
         "#x0007: control characters are not allowed (column 9)"),
        ("game.txt", b"x", "{f}: unknown file type (extension '.txt'); expected one of .yaml, "
         ".yml, .json, .nfg, .efg"),
    ],
)
def test_unreadable_files(tmp_path, name, data, expected):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ModelFileError, match="^" + re.escape(expected.format(f=path)) + "$"):
        gt.load(path)


def test_missing_directory_and_huge_paths(tmp_path, monkeypatch):
    missing = re.escape(f"{tmp_path}/nope.yaml: no such file")
    with pytest.raises(ModelFileError, match=f"^{missing}$"):
        gt.load(tmp_path / "nope.yaml")
    with pytest.raises(ModelFileError, match="^" + re.escape(
            f"{tmp_path}: is a directory, not a model file") + "$"):
        gt.load(tmp_path)
    big = tmp_path / "big.yaml"
    big.write_text(BASE, encoding="utf-8")
    monkeypatch.setattr(gametheory.io.source, "MAX_BYTES", 64)
    with pytest.raises(ModelFileError, match="^" + re.escape(
            f"{big}: file is too large ({len(BASE)} bytes; the limit is 64 bytes)") + "$"):
        gt.load(big)


# ---------------------------------------------------------------------- hostile content


def test_code_in_a_model_file_runs_nothing(tmp_path):
    target = tmp_path / "pwned"
    payloads = {
        "import.yaml": cell(f"\"__import__('os').system('touch {target}')\""),
        "class.yaml": cell(f"\"().__class__.__base__.__subclasses__()[0]('{target}')\""),
        "lambda.yaml": cell(f"\"(lambda: open('{target}', 'w'))()\""),
        "tag.yaml": f"title: !!python/object/apply:os.system ['touch {target}']\n" + BASE,
        "tag2.yaml": f"title: !!python/object/new:os.system ['touch {target}']\n" + BASE,
        "tag.json": ('{"players": ["A"], "strategies": {"A": ["x"]}, "payoffs": {"matrix": '
                     f'{{"x": ["__import__(\'os\').system(\'touch {target}\')"]}}}}}}'),
    }
    for name, text in payloads.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ModelFileError):
            gt.load(path)
    assert not target.exists()


def test_billion_laughs_is_refused_quickly_with_little_memory(tmp_path):
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for k in range(1, 10):
        refs = ", ".join([f"*a{k - 1}"] * 10)
        lines.append(f"a{k}: &a{k} [{refs}]")
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ModelFileError, match="aliases would expand the document to more "
                                                 "than 100000 extra nodes; refused"):
            gt.load(path)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 5_000_000  # bytes: the 10**10-node expansion never happens


def test_aliases_within_limits_are_fine(tmp_path):
    text = HEAD + ("payoffs:\n  matrix:\n    up: &row {left: [1, 2], right: [3, 4]}\n"
                   "    down: *row\n")
    path = tmp_path / "alias.yaml"
    path.write_text(text, encoding="utf-8")
    game = gt.load(path).game
    assert game.payoff(["down", "right"]) == (3, 4)


def test_pure_python_yaml_parser_gives_the_same_answers(tmp_path, monkeypatch):
    import yaml

    import gametheory.io.yaml_safe as yaml_safe

    monkeypatch.setattr(yaml_safe, "_Loader", yaml.SafeLoader)
    for name, text, expected in CASES:
        if name.endswith(".yaml"):
            path = tmp_path / name
            path.write_text(text, encoding="utf-8")
            with pytest.raises(ModelFileError) as info:
                gt.load(path)
            assert str(info.value) == expected.format(f=path) or "invalid YAML" in expected, name
    path = tmp_path / "deep.yaml"
    path.write_text("- " * 20000 + "1\n", encoding="utf-8")
    with pytest.raises(ModelFileError, match="nesting deeper than 100 levels"):
        gt.load(path)
