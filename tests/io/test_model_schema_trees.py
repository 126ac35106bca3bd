"""The JSON Schema for editors describes tree nodes as the reader reads them.

Validated with ``jsonschema`` (Draft 2020-12): the shipped models and the
documented examples are valid; every malformed tree that the reader refuses
for its structure (a key of the wrong kind of node, a missing or misplaced
probability, an empty or non-mapping ``actions``, a non-text label) is invalid
for the schema too.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from gametheory.games.tree_builder import NODE_KIND_KEYS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_tree_file_errors import CASES, model

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "gametheory" / "schema" / "model.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

#: Reader errors the schema cannot express (they depend on the number of players).
SEMANTIC = {"outcome_bad_length.yaml"}


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", sorted((ROOT / "models").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_models_validate(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert list(VALIDATOR.iter_errors(data)) == []


def test_the_documented_tree_example_validates() -> None:
    page = (ROOT / "docs" / "model-format.md").read_text(encoding="utf-8")
    start = page.index("```yaml\ntitle: Entry deterrence")
    text = page[start + len("```yaml\n") : page.index("```\n", start + 8)]
    assert list(VALIDATOR.iter_errors(yaml.safe_load(text))) == []


def test_node_kinds_take_the_reader_keys() -> None:
    defs = SCHEMA["$defs"]
    for kind, keys in NODE_KIND_KEYS.items():
        node = defs[f"{kind}_node"]
        assert set(node["properties"]) == {*keys, "probability"}, kind
        assert node["additionalProperties"] is False
    assert [alt["$ref"] for alt in defs["tree_node"]["oneOf"]] == [
        "#/$defs/decision_node",
        "#/$defs/chance_node",
        "#/$defs/terminal_node",
    ]


@pytest.mark.parametrize(
    ("name", "tree"),
    [(name, tree) for name, tree, _ in CASES if name not in SEMANTIC],
    ids=[name for name, _, _ in CASES if name not in SEMANTIC],
)
def test_malformed_trees_are_invalid(name: str, tree: str) -> None:
    data = yaml.safe_load(model(tree))
    assert list(VALIDATOR.iter_errors(data)), name


def test_a_tree_with_every_key_validates() -> None:
    data = {
        "players": ["A", "B"],
        "parameters": {"p": {"value": "1/4"}},
        "tree": {
            "player": "A",
            "infoset": "start",
            "label": "root",
            "outcome": [1, 0],
            "actions": {
                "go": {
                    "chance": {
                        "h": {"probability": "p", "payoffs": {"A": 1, "B": "p"}, "label": "x"},
                        "t": {
                            "probability": "1 - p",
                            "player": "B",
                            "infoset": 2,
                            "actions": {"u": {"payoffs": [0, 0]}},
                        },
                    },
                    "infoset": "coin",
                    "outcome": {"A": 0, "B": 1},
                },
                "stop": {"payoffs": [2, 2]},
            },
        },
    }
    assert list(VALIDATOR.iter_errors(data)) == []
    # a probability below a decision node, or a chance child without one, is invalid
    data["tree"]["actions"]["stop"]["probability"] = 1
    assert list(VALIDATOR.iter_errors(data))
    del data["tree"]["actions"]["stop"]["probability"]
    del data["tree"]["actions"]["go"]["chance"]["h"]["probability"]
    assert list(VALIDATOR.iter_errors(data))
