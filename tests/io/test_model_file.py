"""Model files: the showcase models, the three payoff forms, saving and loading."""

from __future__ import annotations

import dataclasses
import io
import json
import pickle
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy
import yaml

import gametheory as gt
from gametheory.io import dumps, loads
from gametheory.io.model_file import PARAMETER_KEYS, TOP_LEVEL_KEYS
from gametheory.io.payoff_forms import PAYOFF_FORMS, PROFILE_KEYS
from gametheory.params import FUNCTIONS

ROOT = Path(__file__).resolve().parents[2]
ARMS = ROOT / "models" / "arms_dilemma.yaml"
THREAT = ROOT / "models" / "arms_dilemma_threat.yaml"

# The parameter table of the showcase specification: name -> (baseline, range or None).
SPEC = {
    "approval_gain": (1, (0, 3)),
    "alliance_credit": (Fraction(3, 2), (0, 3)),
    "battlefield_effect": (Fraction(3, 10), (0, 1)),
    "setback_value": (5, (2, 8)),
    "readiness_cost": (2, (Fraction(1, 2), 4)),
    "compound_penalty": (4, (2, 8)),
    "nightmare_loss": (10, None),
    "retaliation_value": (3, (0, 6)),
    "transfer_cost": (Fraction(3, 2), (Fraction(1, 2), 4)),
    "damage_to_russia": (4, (1, 8)),
}


def arms_payoffs(v: dict) -> dict:
    """Payoffs (Seoul, Moscow) of the arms dilemma, as the specification gives them."""
    x = v["approval_gain"] + v["alliance_credit"] + v["battlefield_effect"] * v["setback_value"] \
        - v["readiness_cost"]
    n, g, e, d = v["nightmare_loss"], v["compound_penalty"], v["battlefield_effect"], \
        v["damage_to_russia"]
    r, c = v["retaliation_value"], v["transfer_cost"]
    return {("withhold", "restrain"): (0, 0), ("withhold", "transfer"): (-n, -c),
            ("arm", "restrain"): (x, -e * d), ("arm", "transfer"): (x - n - g, -e * d + r - c)}


def payoff_table(game) -> dict:
    return {(s, t): tuple(game.payoff([s, t])) for s in game.strategies[0]
            for t in game.strategies[1]}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------- showcase models


def test_arms_dilemma_parameters_follow_the_specification():
    model = gt.load(ARMS)
    assert list(model.parameters) == list(SPEC)
    for name, (value, bounds) in SPEC.items():
        p = model.parameters[name]
        assert p.value == value and p.range == bounds, name
        assert len(p.description) > 20 and len(p.source) > 40, name
    assert "modelling assumptions" in model.description and "not estimates" in model.description
    assert model.game.players == ("Seoul", "Moscow")
    assert model.game.strategies == (("withhold", "arm"), ("restrain", "transfer"))


def test_arms_dilemma_payoffs_at_baseline_and_elsewhere():
    model = gt.load(ARMS)
    base = {k: v for k, (v, _) in SPEC.items()}
    game = model.bind()
    assert game.kind == "exact"
    assert payoff_table(game) == arms_payoffs(base)
    assert payoff_table(game)[("arm", "transfer")] == (-12, Fraction(3, 10))
    other = {**base, "approval_gain": Fraction(7, 2), "transfer_cost": 2}
    assert payoff_table(model.bind(approval_gain=Fraction(7, 2), transfer_cost=2)) == \
        arms_payoffs(other)
    floats = model.bind(approval_gain=2.5)
    assert floats.kind == "float"
    expected = arms_payoffs({**base, "approval_gain": Fraction(5, 2)})
    for key, pay in payoff_table(floats).items():
        assert pay == pytest.approx([float(x) for x in expected[key]], abs=1e-12)
    # the symbolic game binds to the same numbers
    assert model.game.bind(**base) == game
    assert model.game.is_symbolic and set(model.game.parameters) == set(SPEC)


def test_arms_dilemma_equilibrium_at_baseline():
    game = gt.load(ARMS).bind()
    assert gt.solve(game, method="pure").equilibria == ()
    # the mixed equilibrium of the specification: Seoul arms with c_T / r, Moscow
    # transfers with net_gain / compound_penalty (both 1/2 at the baseline)
    half = [Fraction(1, 2), Fraction(1, 2)]
    assert game.regret([half, half], exact=True) == 0
    assert game.regret([[Fraction(2, 5), Fraction(3, 5)], half], exact=True) > 0


def test_threat_variant_has_a_component_of_equilibria():
    model = gt.load(THREAT)
    assert list(model.parameters) == list(SPEC)
    game = model.bind()
    assert game.strategies[1] == ("retaliate_if_armed", "never")
    base = {k: v for k, (v, _) in SPEC.items()}
    spec = arms_payoffs(base)
    assert game.payoff(["arm", "retaliate_if_armed"]) == spec[("arm", "transfer")]
    assert game.payoff(["arm", "never"]) == spec[("arm", "restrain")]
    assert game.payoff(["withhold", "never"]) == (0, 0)
    pure = gt.solve(game, method="pure").equilibria
    expected = {"Seoul": ("withhold",), "Moscow": ("retaliate_if_armed",)}
    assert [e.support for e in pure] == [expected]
    # Seoul withholds and Moscow retaliates with any probability q >= X / (N + gamma) = 1/7
    for q in (Fraction(1, 7), Fraction(1, 2), Fraction(1)):
        assert game.regret([[1, 0], [q, 1 - q]], exact=True) == 0
    assert game.regret([[1, 0], [Fraction(1, 8), Fraction(7, 8)]], exact=True) > 0


def test_loading_binding_and_solving_do_not_import_sympy():
    code = (
        "import sys, gametheory as gt; m = gt.load(sys.argv[1]); g = m.bind(approval_gain=2); "
        "gt.solve(g, method='pure'); print('sympy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(ARMS)], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"


def test_strict_range_check():
    model = gt.load(ARMS, strict=True)
    with pytest.raises(gt.InvalidGameError, match="outside its range"):
        model.bind(strict=True, approval_gain=5)
    with pytest.raises(gt.UnknownParameterError, match="unknown parameter 'approval'"):
        model.bind(approval=1)


def test_file_model_pickles_and_replaces():
    model = gt.load(ARMS)
    again = pickle.loads(pickle.dumps(model))
    assert again.bind() == model.bind()
    assert again.game == model.game
    renamed = dataclasses.replace(model, title="other")
    assert renamed.title == "other" and renamed.bind() == model.bind()


# ---------------------------------------------------------------------- payoff forms

HEAD = """
parameters:
  n: 10
  x: {value: 2, range: [0, 5]}
  c: 3/2
players: [S, M]
strategies:
  S: [withhold, arm]
  M: [restrain, transfer]
"""

FORMS = {
    "matrix": """payoffs:
  matrix:
    withhold: {restrain: [0, 0], transfer: [-n, -c]}
    arm: {restrain: [x, -1], transfer: {M: 1 - c, S: x - n - 4}}
""",
    "profiles": """payoffs:
  profiles:
    - {profile: {S: arm, M: transfer}, payoffs: [x - n - 4, 1 - c]}
    - {profile: [withhold, transfer], payoffs: {S: -n, M: -c}}
    - {profile: {M: restrain, S: arm}, payoffs: [x, -1]}
  default: [0, 0]
""",
    "by_player": """payoffs:
  by_player:
    S: x*arm - n*transfer - 4*arm*transfer
    M: -arm + (2*arm - c)*transfer
""",
}


@pytest.mark.parametrize("form", list(FORMS))
def test_payoff_forms_give_the_same_game(tmp_path, form):
    model = gt.load(write(tmp_path, f"{form}.yaml", HEAD + FORMS[form]))
    game = model.bind()
    assert payoff_table(game) == {
        ("withhold", "restrain"): (0, 0), ("withhold", "transfer"): (-10, Fraction(-3, 2)),
        ("arm", "restrain"): (2, -1), ("arm", "transfer"): (-12, Fraction(-1, 2))}
    x, n, c = sympy.symbols("x n c")
    assert model.game.payoff(["arm", "transfer"]) == (x - n - 4, 1 - c)
    assert model.game.payoff(["withhold", "restrain"]) == (0, 0)


def test_by_player_reproduces_the_arms_dilemma(tmp_path):
    text = ARMS.read_text(encoding="utf-8").split("# Rows are")[0] + """
payoffs:
  by_player:
    Seoul: net_gain*arm - nightmare_loss*transfer - compound_penalty*arm*transfer
    Moscow: >-
      -battlefield_effect*damage_to_russia*arm
      + (retaliation_value*arm - transfer_cost)*transfer
"""
    other = gt.load(write(tmp_path, "by.yaml", text))
    model = gt.load(ARMS)
    assert other.game == model.game
    assert other.bind(readiness_cost=3) == model.bind(readiness_cost=3)


def test_three_players_with_default_and_indicators(tmp_path):
    text = """
players: [A, B, C]
strategies: {A: [a1, a2], B: [b1, b2], C: [hold, go]}
payoffs:
  by_player:
    A: a2 + 2*go
    B: b2*a2
    C: 3*go - a2
"""
    game = gt.load(write(tmp_path, "three.yaml", text)).game
    assert game.shape == (2, 2, 2)
    for i, a in enumerate(("a1", "a2")):
        for j, b in enumerate(("b1", "b2")):
            for k, c in enumerate(("hold", "go")):
                assert game.payoff([a, b, c]) == (i + 2 * k, j * i, 3 * k - i)
    profiles = """
players: [A, B, C]
strategies: {A: [x, y], B: [x, y], C: [z]}
payoffs:
  profiles:
    - {profile: [y, x, z], payoffs: [1, 2, 3]}
  default: [0, 0, "1/2"]
"""
    game = gt.load(write(tmp_path, "p.yaml", profiles)).game
    assert game.payoff(["y", "x", "z"]) == (1, 2, 3)
    assert game.payoff(["x", "y", "z"]) == (0, 0, Fraction(1, 2))


def test_shared_labels_are_not_indicators(tmp_path):
    text = """
strategies: {A: [x, y], B: [x, y]}
payoffs:
  by_player: {A: x, B: 1}
"""
    with pytest.raises(gt.ModelFileError, match="undeclared name 'x'"):
        gt.load(write(tmp_path, "shared.yaml", text))


def test_labels_are_text_and_numbers_exact(tmp_path):
    text = """
parameters:
  p: {value: 0.1, range: ["1/100", 1]}
  q: 0x10
strategies:
  Row: [yes, no]
  Column: [1, 2.50]
payoffs:
  matrix:
    yes: {1: [p, 0.3], 2.50: [q, 1e-3]}
    no: {1: [0, 0], 2.50: ["2/6", -0]}
"""
    model = gt.load(write(tmp_path, "labels.yaml", text))
    assert model.parameters["p"].value == Fraction(1, 10)
    assert model.parameters["p"].range == (Fraction(1, 100), 1)
    assert model.parameters["q"].value == 16  # YAML hexadecimal
    game = model.bind()
    assert game.players == ("Row", "Column")
    assert game.strategies == (("yes", "no"), ("1", "2.50"))
    assert game.payoff(["yes", "1"]) == (Fraction(1, 10), Fraction(3, 10))
    assert game.payoff(["yes", "2.50"]) == (16, Fraction(1, 1000))
    assert game.payoff(["no", "2.50"]) == (Fraction(1, 3), 0)


def test_definitions_chain(tmp_path):
    text = """
parameters: {a: 2, b: 3}
definitions:
  s: a + b
  t: s * s - a
strategies: {P: [only]}
payoffs:
  profiles:
    - {profile: [only], payoffs: [t]}
"""
    model = gt.load(write(tmp_path, "defs.yaml", text))
    assert model.bind().payoff(["only"]) == (23,)
    assert model.bind(a=0).payoff(["only"]) == (9,)


def test_json_model_equals_yaml_model(tmp_path):
    yaml_model = gt.load(ARMS)
    data = json.loads(dumps(yaml_model, "json"))
    path = write(tmp_path, "arms.json", json.dumps(data, indent=1))
    json_model = gt.load(path)
    assert json_model.game == yaml_model.game
    assert json_model.parameters == yaml_model.parameters
    assert json_model.title == yaml_model.title


def test_stdin_reads_yaml_json_and_nfg(monkeypatch):
    for text in (ARMS.read_text(encoding="utf-8"), dumps(gt.load(ARMS), "json"),
                 dumps(gt.load(ARMS), "nfg")):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
        model = gt.load("-")
        assert model.source_file == "<stdin>"
        assert model.bind() == gt.load(ARMS).bind()


# ---------------------------------------------------------------------- saving


@pytest.mark.parametrize("ext", [".yaml", ".yml", ".json"])
def test_symbolic_model_round_trip(tmp_path, ext):
    model = gt.load(ARMS)
    path = tmp_path / f"copy{ext}"
    gt.save(model, path)
    again = gt.load(path)
    assert again.game == model.game
    assert again.parameters == model.parameters
    assert (again.title, again.description) == (model.title, model.description)
    assert again.bind(approval_gain=3) == model.bind(approval_gain=3)


def test_model_saved_as_nfg_is_the_baseline_game(tmp_path):
    model = gt.load(ARMS)
    path = tmp_path / "arms.nfg"
    gt.save(model, path)
    again = gt.load(path)
    assert again.game == model.bind()
    assert again.title == model.title
    assert "baseline parameter values" in again.description


def test_sympy_games_can_be_saved_through_a_model(tmp_path):
    a, b = sympy.symbols("a b")
    game = gt.NormalFormGame.bimatrix([[a, sympy.Max(a, b)], [sympy.Abs(b), 1]],
                                      [[a * b, sympy.sqrt(a)], [2, sympy.Rational(1, 3)]])
    model = gt.Model(game, {"a": gt.Parameter("a", 4), "b": gt.Parameter("b", -1)})
    path = tmp_path / "sym.yaml"
    gt.save(model, path)
    again = gt.load(path)
    assert again.game == game
    assert again.bind() == model.bind()
    with pytest.raises(gt.InvalidGameError, match="unbound parameters"):
        gt.save(game, tmp_path / "bare.yaml")


def test_save_to_stdout_and_unknown_extension(tmp_path, capsys):
    game = gt.NormalFormGame.bimatrix([[1, 2], [3, 4]], [[5, 6], [7, 8]])
    gt.save(game, "-")
    assert loads(capsys.readouterr().out, "yaml").game == game
    with pytest.raises(gt.ModelFileError, match=r"unknown file type \(extension '.txt'\)"):
        gt.save(game, tmp_path / "game.txt")


# ---------------------------------------------------------------------- schema


def test_schema_matches_the_reader():
    schema = json.loads((ROOT / "gametheory" / "schema" / "model.schema.json").read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert tuple(schema["properties"]) == TOP_LEVEL_KEYS
    assert schema["additionalProperties"] is False
    defs = schema["$defs"]
    assert tuple(defs["parameter"]["properties"]) == PARAMETER_KEYS
    assert defs["parameter"]["required"] == ["value"]
    forms = [next(iter(alt["required"])) for alt in schema["properties"]["payoffs"]["oneOf"]]
    assert tuple(forms) == PAYOFF_FORMS
    assert tuple(defs["profile_entry"]["properties"]) == PROFILE_KEYS
    assert set(FUNCTIONS) <= set(defs["name"]["not"]["enum"])
    # the keys each form requires are exactly the ones whose absence the reader refuses
    normal, tree = (alt["required"] for alt in schema["oneOf"])
    assert (set(normal), set(tree)) == ({"strategies", "payoffs"}, {"players", "tree"})
    full = {"strategies": {"A": ["x"]}, "payoffs": {"matrix": {"x": [1]}}}
    assert loads(json.dumps(full), "json").game.payoff(["x"]) == (1,)
    for key in normal:
        partial = {k: v for k, v in full.items() if k != key}
        with pytest.raises(gt.ModelFileError, match=f"missing key '{key}'"):
            loads(json.dumps(partial), "json")
    with pytest.raises(gt.ModelFileError, match="a tree needs the list of players"):
        loads(json.dumps({"tree": {"payoffs": [1]}}), "json")


def test_tree_models_are_read_by_the_tree_reader(tmp_path):
    text = """
title: tiny tree
players: [A, B]
parameters: {a: 2}
tree:
  player: A
  actions:
    left: {payoffs: [a, 1]}
    right:
      player: B
      actions:
        up: {payoffs: [0, 0]}
        down: {payoffs: ["1/2", 3]}
"""
    model = gt.load(write(tmp_path, "tree.yaml", text))
    assert model.game.form == "extensive"
    assert (model.title, model.parameters["a"].value) == ("tiny tree", 2)
    assert model.bind(a=3) != model.bind(a=0)
    bad = text.replace("player: B", "player: C")
    with pytest.raises(gt.ModelFileError) as info:
        gt.load(write(tmp_path, "bad_tree.yaml", bad))
    assert info.value.file.endswith("bad_tree.yaml") and info.value.line == 10


def test_shipped_models_only_use_schema_keys():
    schema = json.loads((ROOT / "gametheory" / "schema" / "model.schema.json").read_text())
    for path in sorted((ROOT / "models").glob("*.yaml")):
        if gt.load(path).form == "extensive":  # the model writer writes normal form only
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            assert "tree" in data and "strategies" not in data, path
        else:
            data = json.loads(dumps(gt.load(path), "json"))
            assert np.all([isinstance(v, list) for v in data["strategies"].values()])
        assert set(data) <= set(schema["properties"]), path
        for spec in data.get("parameters", {}).values():
            assert set(spec) <= set(schema["$defs"]["parameter"]["properties"])
