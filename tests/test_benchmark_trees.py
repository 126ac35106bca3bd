"""The extensive-form benchmark group's games, references and adapters (no timing here)."""

from __future__ import annotations

import dataclasses
import io
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
for extra in (ROOT, ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import gametheory as gt  # noqa: E402
from benchmarks import tree_games as tg  # noqa: E402
from benchmarks import tree_peers as tp  # noqa: E402
from benchmarks.group_report import GroupReport  # noqa: E402
from gametheory.solvers.tree_verify import profile_regret, vector_of  # noqa: E402


def test_group_report_fields():
    names = [f.name for f in dataclasses.fields(GroupReport)]
    assert names == ["key", "title", "markdown", "targets"]
    assert GroupReport("k", "t", "m").targets == []


def test_random_pi_tree_sizes_are_exact():
    sizes = [tg.random_pi_arrays(n, s).num_nodes for n in range(3, 40) for s in range(5)]
    assert sizes == [n for n in range(3, 40) for _ in range(5)]


@pytest.mark.parametrize("nodes", [3, 57, 1000, 4321])
def test_random_pi_tree_has_the_size_and_repeats_for_a_seed(nodes):
    a, b, c = (tg.random_pi_arrays(nodes, s) for s in (5, 5, 6))
    assert a.num_nodes == nodes
    assert all(np.array_equal(x, y) for x, y in zip(dataclasses.astuple(a),
                                                     dataclasses.astuple(b)))
    assert not np.array_equal(a.payoffs, c.payoffs)
    assert np.all(np.diff(a.parent[1:]) >= 0)  # breadth-first, siblings contiguous
    game = a.game()
    assert game.num_nodes == nodes and game.is_perfect_information


def test_exact_pi_tree_has_rational_chance_and_integer_payoffs():
    tree = tg.random_pi_arrays(500, 3, exact=True)
    game = tree.game()
    assert game.kind == "exact"
    probs = [p for p in tree.chance_probs if p != 0]
    assert probs and all(isinstance(p, Fraction) and p.denominator <= 12 for p in probs)


def test_numpy_reference_agrees_with_backward_induction():
    for seed in range(4):
        tree = tg.random_pi_arrays(800, seed)
        game = tree.game()
        root, choice = tp.numpy_backward_induction(tree.parent, tree.mover, tree.payoffs,
                                                   tree.chance_probs)
        ref = tp.reference_vector(game, tree, choice)
        res = gt.solve(game, "backward-induction")
        assert len(res.equilibria) == 1
        ours = vector_of(game, res.equilibria[0].behavior)
        assert np.allclose(ours, ref, atol=1e-12)
        assert np.allclose(res.equilibria[0].payoff_values, root, rtol=1e-12)


def test_random_imperfect_tree_has_perfect_recall_and_shared_infosets():
    for seed in range(3):
        game = tg.random_imperfect_tree(300, seed)
        assert game.num_nodes == 300
        assert game.has_perfect_recall
        assert not game.is_perfect_information
        assert np.any(game.node_kind == 2)
    assert repr(tg.random_imperfect_tree(120, 9)) == repr(tg.random_imperfect_tree(120, 9))


def test_poker_sizes_and_values():
    kuhn, leduc = tg.kuhn_poker(), tg.leduc_poker()
    assert kuhn.num_nodes == 58 and int(np.sum(kuhn.infoset_player >= 0)) == 12
    assert leduc.num_nodes == 9457 and int(np.sum(leduc.infoset_player >= 0)) == 936
    assert abs(gt.solve(kuhn, "lp").details["value"] - (-1 / 18)) < 1e-9
    from poker_cases import leduc_poker as leduc_by_rank

    value = gt.solve(leduc, "lp").details["value"]
    other = gt.solve(leduc_by_rank(), "lp").details["value"]
    assert abs(value - other) < 1e-9  # suits do not change the value
    assert abs(value + 0.0856) < 1e-4


def test_pygambit_profiles_map_onto_our_game():
    import pygambit as gbt

    from gametheory.io.efg_writer import write_efg

    for game in (tg.random_pi_arrays(40, 3).game(), tg.random_imperfect_tree(60, 2)):
        ggame = gbt.read_efg(io.StringIO(write_efg(game)))
        res = gbt.nash.lcp_solve(ggame, rational=False, use_strategic=False)
        vecs = tp.gambit_vectors(game, ggame, list(res.equilibria))  # checks payoffs
        assert vecs and all(profile_regret(game, v) <= game.tolerance() for v in vecs)


def test_efg_facts_survive_a_round_trip(tmp_path):
    game = tg.efg_tree(3000, 1)
    path = tmp_path / "t.efg"
    from gametheory.io.efg_writer import write_efg

    path.write_text(write_efg(game), encoding="utf-8")
    ours = tp.ours_read_efg()
    theirs = tp.gambit_read_efg()
    want = tp._efg_facts(game)
    assert ours.profiles(ours.call(str(path)), str(path)) == [want]
    got = theirs.profiles(theirs.call(str(path)), str(path))[0]
    assert got["nodes"] == want["nodes"] and got["infosets"] == want["infosets"]
    assert abs(got["payoff sum"] - want["payoff sum"]) < 1e-6


def test_runner_lists_the_module_groups_and_renders_their_reports():
    from benchmarks import run

    args = run.parse_args(["--quick", "--only", "trees", "--only", "sweeps"])
    assert args.only == ["trees", "sweeps"]
    args.load = None
    rep = GroupReport("trees", "Trees title", "section body\n",
                      [("target A", "measured A", True), ("target B", "measured B", None)])
    text = run.render(args, {}, [], {}, 1.0, [rep])
    assert "## Trees title\n\nsection body" in text
    assert "| target A | measured A | met |" in text
    assert "| target B | measured B | n/a |" in text
    assert text.index("## Targets") < text.index("## Trees title")
