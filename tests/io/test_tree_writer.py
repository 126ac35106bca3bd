"""Writing trees as YAML/JSON model files: round trips through YAML, JSON and Gambit .efg.

A written file must load back as the same game: nodes in the same order, the
same information sets (as a partition of the nodes, with the same labels),
action and node labels, exact chance probabilities and payoffs, and for a
parametric tree the same expressions and parameter declarations.
"""

from __future__ import annotations

import io
import random
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pygambit as gbt
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.exceptions import InvalidGameError
from gametheory.games.extensive import ExtensiveFormGame
from gametheory.games.model import Model, Parameter
from gametheory.games.tree_builder import from_nested
from gametheory.io import dumps, loads
from gametheory.io.efg import read_efg, write_efg
from gametheory.io.tree_writer import infoset_names, tree_model_data

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tree_cases as tc

ROOT = Path(__file__).resolve().parents[2]
THREAT = ROOT / "models" / "threat_signaling.yaml"


# ---------------------------------------------------------------------------- comparison
def _node_labels(g: ExtensiveFormGame) -> list[str]:
    raw = g._raw.node_labels
    return ["" if raw is None else raw[int(g.layout.order[v])] for v in range(g.num_nodes)]


def _entry(x):
    """Exact value of a number; sympy expression of an expression."""
    if getattr(x, "free_symbols", None):
        return sympy.sympify(x)
    if getattr(x, "is_Rational", False):
        return Fraction(int(x.p), int(x.q))
    if isinstance(x, (int, Fraction)):
        return Fraction(x)
    return Fraction(repr(float(x)))  # floats (also sympy's) as their decimal text


def _same_value(x, y) -> bool:
    a, b = _entry(x), _entry(y)
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a == b
    return sympy.simplify(sympy.sympify(a) - sympy.sympify(b)) == 0


def assert_same_tree(a: ExtensiveFormGame, b: ExtensiveFormGame) -> None:
    """Same structure, partition into information sets, labels, probabilities and payoffs."""
    assert a.players == b.players
    assert a.num_nodes == b.num_nodes
    for name in ("parent", "node_kind", "node_player", "action_index"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    inner = np.flatnonzero(a.node_kind != 0)
    ha, hb = a.node_infoset[inner], b.node_infoset[inner]
    pairs = set(zip(ha.tolist(), hb.tolist()))
    assert len(pairs) == len(set(ha.tolist())) == len(set(hb.tolist()))  # same partition
    for x, y in pairs:
        assert a.actions(x) == b.actions(y)
        if a.infoset_player[x] >= 0:
            assert a.infoset_label(x) == b.infoset_label(y)
    assert _node_labels(a) == _node_labels(b)
    child = np.flatnonzero(a.parent >= 0)
    chance_edges = child[a.node_kind[a.parent[child]] == a.CHANCE_NODE]
    pa = a.action_probabilities[a.edge_action[chance_edges]]
    pb = b.action_probabilities[b.edge_action[chance_edges]]
    assert all(_same_value(x, y) for x, y in zip(pa, pb))
    ta, tb = a.terminal_payoffs, b.terminal_payoffs
    assert ta.shape == tb.shape
    assert all(_same_value(x, y) for x, y in zip(ta.reshape(-1), tb.reshape(-1)))
    if not a.is_symbolic:
        # floats read back as the same floats
        assert np.array_equal(a.float_payoffs(), b.float_payoffs())


def yaml_round_trip(obj, fmt: str = "yaml", same_text: bool = True):
    """Write, read back, and check that writing again gives the same file.

    Floats read back exact; where a float sits inside an expression the text
    then changes once (``-1.47 - 2*x`` -> ``-147/100 - 2*x``): ``same_text=False``
    checks the second writing against the third instead.
    """
    text = dumps(obj, fmt)
    model = loads(text, fmt, f"back.{fmt}")
    again = dumps(model, fmt)
    if same_text:
        assert again == text
    else:
        assert dumps(loads(again, fmt, f"again.{fmt}"), fmt) == again
    return model


# ---------------------------------------------------------------------------- pygambit trees
def gambit_tree(seed: int, depth: int = 4) -> gbt.Game:
    """A random tree built with pygambit: chance nodes, shared information sets, outcomes
    at inner nodes and shared outcomes, node labels, unlabelled information sets, and
    integer, rational or decimal payoffs."""
    rng = random.Random(seed)
    g = gbt.Game.new_tree(players=["Ann", "Bob", "Cid"], title=f"gambit {seed}")
    sets: dict[tuple[str, int], list] = {}
    frontier = [(g.root, 0)]
    made: list = []

    def outcome() -> gbt.Outcome:
        if made and rng.random() < 0.2:
            return rng.choice(made)
        values = [
            rng.choice([rng.randint(-5, 5), gbt.Rational(rng.randint(-9, 9), rng.randint(1, 7)),
                        gbt.Decimal(f"{rng.uniform(-3, 3):.2f}")])
            for _ in range(3)
        ]
        made.append(g.add_outcome(f"o{len(made) + 1}", values))
        return made[-1]

    while frontier:
        node, level = frontier.pop(0)
        if level >= depth or (level > 0 and rng.random() < 0.3):
            if rng.random() < 0.9:
                g.set_outcome(node, outcome())
            continue
        if rng.random() < 0.2:
            node.label = f"n{level}.{rng.randint(0, 99)}"
        k = rng.randint(2, 3)
        if level > 0 and rng.random() < 0.25:
            g.append_move(node, g.players.chance, [f"c{j}" for j in range(k)])
            weights = [rng.randint(1, 4) for _ in range(k)]
            g.set_chance_probs(node.infoset, [gbt.Rational(w, sum(weights)) for w in weights])
        else:
            player = rng.choice(["Ann", "Bob", "Cid"])
            same = sets.get((player, k), [])
            if same and rng.random() < 0.5:
                g.append_infoset(node, rng.choice(same))
            else:
                g.append_move(node, player, [f"a{j}" for j in range(k)])
                if rng.random() < 0.5:
                    node.infoset.label = f"{player[0]}{len(same)}.{k}"
                sets.setdefault((player, k), []).append(node.infoset)
        if rng.random() < 0.15:
            g.set_outcome(node, outcome())
        frontier.extend((child, level + 1) for child in node.children)
    return g


def gambit_nodes(g: gbt.Game) -> list[tuple]:
    """Each node in depth-first order as pygambit sees it: label, payoffs of its outcome
    (zeros when it has none),
    mover, actions, chance probabilities, information set label and which set it is
    (numbered by first appearance)."""
    out = []
    seen: dict[tuple, int] = {}
    stack = [g.root]
    while stack:
        node = stack.pop()
        try:  # no outcome: payoffs 0 (the model file gives every terminal node payoffs)
            pays = tuple(Fraction(str(node.outcome[p])) for p in g.players)
        except (KeyError, TypeError):
            pays = (Fraction(0),) * len(g.players)
        row: tuple = (node.label, pays)
        if not node.is_terminal:
            h = node.infoset
            who = "chance" if h.is_chance else h.player.label
            key = (who, h.number)
            seen.setdefault(key, len(seen))
            actions = tuple(a.label for a in h.actions)
            probs = tuple(Fraction(str(a.prob)) for a in h.actions) if h.is_chance else ()
            label = h.label if h.is_chance else (h.label or str(h.number + 1))
            row += (who, actions, probs, label, seen[key])
        out.append(row)
        stack.extend(reversed(list(node.children)))
    return out


def gambit_to_yaml_to_efg(seed: int) -> tuple[gbt.Game, gbt.Game]:
    g = gambit_tree(seed)
    model = read_efg(g.to_efg(), "g.efg")
    back = yaml_round_trip(model)
    assert_same_tree(model.game, back.game)
    return g, gbt.read_efg(io.StringIO(write_efg(back)))


@pytest.mark.parametrize("seed", range(40))
def test_gambit_efg_to_yaml_to_efg_is_the_same_game(seed: int) -> None:
    g, again = gambit_to_yaml_to_efg(seed)
    assert gambit_nodes(again) == gambit_nodes(g)
    assert again.title == g.title
    assert [p.label for p in again.players] == [p.label for p in g.players]


def test_gambit_trees_exercise_shared_and_unlabelled_sets() -> None:
    """The random pygambit trees above do contain what the round trip must preserve."""
    shared = unlabelled = chance = inner = 0
    for seed in range(40):
        rows = gambit_nodes(gambit_tree(seed))
        members: dict[int, int] = {}
        for r in rows:
            if len(r) > 2:
                members[r[-1]] = members.get(r[-1], 0) + 1
                chance += r[2] == "chance"
        shared += sum(1 for k in members.values() if k > 1)
        g = read_efg(gambit_tree(seed).to_efg(), "g.efg").game
        unlabelled += sum(1 for h, x in enumerate(g._raw.infoset_labels)
                          if not x and g.infoset_player[h] >= 0)
        inner += int(np.sum(g.node_outcome[g.node_kind != 0] >= 0))
    assert shared > 20 and unlabelled > 50 and chance > 20 and inner > 10


# ---------------------------------------------------------------------------- the showcase model
def test_threat_model_yaml_round_trip_keeps_expressions_and_parameters() -> None:
    model = gt.load(THREAT)
    back = yaml_round_trip(model)
    assert back.title == model.title and back.title.startswith("Threat signaling")
    assert back.game.title == model.title
    assert back.description == model.description
    assert back.parameters == model.parameters  # values, ranges, descriptions, sources
    assert back.game.is_symbolic
    assert_same_tree(model.game, back.game)
    assert_same_tree(model.baseline_game(), back.baseline_game())
    json_back = yaml_round_trip(model, "json")
    assert json_back.parameters == model.parameters
    assert_same_tree(model.game, json_back.game)


def test_threat_model_to_efg_binds_the_baseline_and_reads_back() -> None:
    model = gt.load(THREAT)
    text = dumps(model, "efg")
    assert "Payoffs and probabilities at the baseline parameter values: approval_gain = 1," in text
    efg = read_efg(text, "t.efg")
    assert efg.title == model.title and efg.parameters == {}
    assert_same_tree(model.baseline_game(), efg.game)
    # Seoul arming against a resolute Moscow that transfers: X - N - g = 2 - 10 - 4
    assert Fraction(-12) in efg.game.exact_payoffs()[:, 0].tolist()
    assert efg.game.exact_probabilities()[:2].tolist() == [Fraction(3, 10), Fraction(7, 10)]
    back = yaml_round_trip(efg)  # YAML -> efg -> YAML
    assert_same_tree(model.baseline_game(), back.game)


# ---------------------------------------------------------------------------- properties
def _symbolic(spec, rng: random.Random, x: sympy.Symbol):
    """The same nested tree with some payoffs and chance probabilities made affine in x."""
    if isinstance(spec, list):
        return [v + rng.randint(-2, 2) * x if rng.random() < 0.5 else v for v in spec]
    out = dict(spec)
    if "chance" in spec:
        items = list(spec["chance"].items())
        first, (p, sub) = items[0]
        second, (q, sub2) = items[1]
        d = min(p, q) * x  # keeps both probabilities in [0, 1] for x in [0, 1]
        new = {first: (p + d, _symbolic(sub, rng, x)), second: (q - d, _symbolic(sub2, rng, x))}
        new.update({a: (r, _symbolic(s, rng, x)) for a, (r, s) in items[2:]})
        out["chance"] = new
    else:
        out["actions"] = {a: _symbolic(s, rng, x) for a, s in spec["actions"].items()}
    return out


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    depth=st.integers(1, 4),
    n_players=st.integers(1, 3),
    chance=st.booleans(),
    infosets=st.booleans(),
    floats=st.booleans(),
)
def test_random_trees_round_trip(seed, depth, n_players, chance, infosets, floats) -> None:
    spec = tc.random_spec(seed, depth=depth, n_players=n_players, chance=chance,
                          infosets=infosets, floats=floats)
    if not isinstance(spec, dict):  # a lone terminal node is not a tree
        spec = {"player": tc.PLAYERS[0], "actions": {"only": spec}}
    players = list(tc.PLAYERS[:n_players])
    game = from_nested(spec, players=players, title=f"random {seed}")
    for fmt in ("yaml", "json"):
        assert_same_tree(game, yaml_round_trip(game, fmt).game)
    back = yaml_round_trip(game).game
    if floats:  # decimals read back exact: .efg then has a/b where the original has decimals
        assert_same_tree(game, read_efg(write_efg(back), "b.efg").game)
    else:  # YAML -> efg gives the original's efg
        assert write_efg(back) == write_efg(game)
    # the same tree with parameters: expressions and declarations survive
    x = sympy.Symbol("x")
    symbolic = from_nested(_symbolic(spec, random.Random(seed), x), players=players)
    decl = {"x": Parameter("x", Fraction(1, 2), (0, 1), "a weight", "made up for the test")}
    model = Model(game=symbolic, parameters=decl, title="parametric")
    again = yaml_round_trip(model, same_text=not floats)
    assert again.parameters == decl and again.title == "parametric"
    assert_same_tree(symbolic, again.game)
    bound, bound_again = model.bind(x=Fraction(1, 3)), again.bind(x=Fraction(1, 3))
    if floats:  # sympy floats in the original bind in float arithmetic, the copy exactly
        assert np.allclose(bound.float_payoffs(), bound_again.float_payoffs(), rtol=1e-12)
    else:
        assert_same_tree(bound, bound_again)


# ---------------------------------------------------------------------------- details
def test_unlabelled_sets_numbered_out_of_tree_order_keep_their_numbers() -> None:
    # Ann moves at the root and again below; the lower node's set comes first in the
    # game's numbering, so it is Ann's set "1" and the root's is "2".
    parent = [-1, 0, 0, 1, 1]
    mover = [0, 0, -1, -1, -1]
    game = ExtensiveFormGame.from_arrays(
        parent, mover, [[1, 0], [2, 0], [3, 0]], infoset=[7, 3, -1, -1, -1],
        players=["Ann", "Bob"])
    assert [game.infoset_label(int(game.node_infoset[v])) for v in (0, 1)] == ["2", "1"]
    assert infoset_names(game) == ["1", "2"]
    back = yaml_round_trip(game).game
    assert [back.infoset_label(int(back.node_infoset[v])) for v in (0, 1)] == ["2", "1"]
    assert_same_tree(game, back)


def test_numbers_are_written_readably_and_exactly() -> None:
    game = from_nested(
        {"chance": {"h": (Fraction(3, 10), [Fraction(1, 3), 0.25]),
                    "t": (Fraction(7, 10), [2.0, Fraction(1, 2**60)])}},
        players=["A", "B"])
    tree = tree_model_data(game)["tree"]["chance"]
    assert tree["h"] == {"probability": 0.3, "payoffs": ["1/3", 0.25]}
    assert tree["t"] == {"probability": 0.7, "payoffs": [2, f"1/{2**60}"]}
    assert_same_tree(game, yaml_round_trip(game).game)


def test_float_chance_probabilities_are_completed_to_sum_to_one() -> None:
    game = ExtensiveFormGame.from_arrays(
        [-1, 0, 0], [-1, -1, -1], [[1.0], [0.0]], chance_probs=[0.0, 1 / 3, 2 / 3],
        players=["A"])
    probs = tree_model_data(game)["tree"]["chance"]
    p1, p2 = probs["1"]["probability"], probs["2"]["probability"]
    assert p1 == 1 / 3 and Fraction(repr(p1)) + Fraction(repr(p2)) == 1
    back = yaml_round_trip(game).game
    assert sum(back.exact_probabilities()[:2].tolist()) == 1
    assert np.allclose(back.float_probabilities(), game.float_probabilities(), equal_nan=True)


def test_odd_labels_survive_yaml_and_json() -> None:
    game = from_nested(
        {"player": "No", "infoset": "on", "label": "true", "actions": {
            "yes": [1, 2],
            "1": {"chance": {"null": ("1/3", [0, "1/7"]), "a: b": ("2/3", [3, 4])}},
            'ü "q"': {"player": "off", "infoset": "~",
                      "actions": {"- x": [0, 0], "[y]": [1, 1]}}}},
        players=["No", "off"], title="odd: labels")
    for fmt in ("yaml", "json"):
        back = yaml_round_trip(game, fmt)
        assert back.title == "odd: labels"
        assert_same_tree(game, back.game)


def test_inner_outcomes_and_terminals_without_payoffs() -> None:
    text = """EFG 2 R "o" { "A" "B" } ""
p "start" 1 1 "" { "u" "v" } 1 "toll" { -1/2, 1 }
t "" 0
t "" 2 "" { 3, 4 }
"""
    model = read_efg(text, "o.efg")
    data = tree_model_data(model)["tree"]
    assert data["label"] == "start" and data["outcome"] == [-0.5, 1]
    assert data["actions"]["u"] == {"payoffs": [0, 0]}
    back = yaml_round_trip(model).game
    assert back.exact_payoffs().tolist() == [[Fraction(-1, 2), 1], [Fraction(5, 2), 5]]
    assert_same_tree(model.game, back)


def test_refusals() -> None:
    with pytest.raises(InvalidGameError, match=r"^the tree is 49 moves deep; model files hold "
                       r"trees up to 48 moves deep \(write it as \.efg\)$"):
        dumps(tc.centipede(49), "yaml")
    assert loads(dumps(tc.centipede(48), "json"), "json").game.num_nodes == 97
    symbolic = gt.load(THREAT).game
    with pytest.raises(InvalidGameError, match="unbound parameters alliance_credit, "):
        dumps(symbolic, "yaml")
    with pytest.raises(InvalidGameError, match=r"undeclared parameter\(s\) alliance_credit, "):
        dumps(Model(game=symbolic, parameters={}), "yaml")
