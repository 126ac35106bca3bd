"""ExtensiveFormGame: construction, validation, structure, behaviour profiles, conversions."""

from __future__ import annotations

import itertools
import pickle
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gametheory.exceptions import (
    InvalidGameError,
    InvalidProfileError,
    UnboundParameterError,
    UnknownParameterError,
)
from gametheory.games import behavior as bh
from gametheory.games.extensive import ExtensiveFormGame
from gametheory.games.reduced_normal_form import (
    behavior_to_mixed,
    mixed_to_behavior,
    reduced_normal_form,
)
from gametheory.games.tree_builder import TreeBuilder, from_nested

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tree_cases as tc

SEEDS = st.integers(0, 10**6)


# ----------------------------------------------------------------------------- construction
def test_entry_deterrence_structure() -> None:
    g = tc.entry_deterrence()
    assert g.form == "extensive"
    assert g.players == ("Entrant", "Incumbent")
    assert (g.num_nodes, g.num_terminals, g.num_infosets, g.num_actions) == (5, 3, 2, 4)
    assert g.kind == "exact" and not g.is_symbolic
    assert g.is_perfect_information and g.has_perfect_recall
    assert sorted(tuple(p) for p in g.terminal_payoffs.tolist()) == [(-1, -1), (0, 2), (1, 1)]
    assert g.payoff_range() == 3.0
    assert not g.is_constant_sum()
    assert [g.node_label(int(t)) for t in g.terminals] == ["out", "in/fight", "in/accommodate"]
    assert g.actions(g.infoset_index("Incumbent", "I")) == ("fight", "accommodate")


def test_builder_and_from_arrays_agree() -> None:
    b = TreeBuilder(["A", "B"])
    left, right = b.decision(b.root, "A", ["1", "2"])
    b.terminal(left, [1.5, 0.0])
    x, y = b.chance(right, {"1": 0.25, "2": 0.75})
    b.terminal(x, [0.0, 1.0])
    b.terminal(y, [2.0, -1.0])
    g1 = b.build()
    parent = [-1, 0, 0, 2, 2]
    mover = [0, 0, -1, 0, 0]
    probs = [1, 1, 1, 0.25, 0.75]
    g2 = ExtensiveFormGame.from_arrays(
        parent, mover, [[1.5, 0.0], [0.0, 1.0], [2.0, -1.0]], chance_probs=probs, players=["A", "B"]
    )
    assert np.array_equal(g1.float_payoffs(), g2.float_payoffs())
    assert np.array_equal(g1.parent, g2.parent)
    assert np.allclose(
        np.nan_to_num(g1.float_probabilities()), np.nan_to_num(g2.float_probabilities())
    )
    prof = {"A": {"1": [0.5, 0.5]}, "B": {}}
    assert np.allclose(g1.expected_payoffs(prof), [0.5 * 1.5 + 0.5 * (0.75 * 2.0), 0.5 * -0.5])
    assert np.allclose(g2.expected_payoffs(prof), g1.expected_payoffs(prof))


def test_from_arrays_in_any_node_order() -> None:
    # root 3 with children 0 (decision, children 2 and 4) and 1 (terminal); siblings by index
    g = ExtensiveFormGame.from_arrays([3, 3, 0, -1, 0], [0, 0, 0, 1, 0], [[1, 1], [2, 2], [3, 3]])
    assert g.num_nodes == 5 and list(g.parent) == [-1, 0, 0, 1, 1]
    # canonical order is breadth first: 3, 0, 1, 2, 4; terminals 1, 2, 4 keep their payoffs
    assert g.terminal_payoffs.tolist() == [[1, 1], [2, 2], [3, 3]]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda b: b.decision(b.root, "Zed", ["x"]), "unknown player 'Zed'"),
        (lambda b: b.decision(b.root, "A", ["x", "x"]), "duplicate action at root label 'x'"),
        (lambda b: b.decision(b.root, "A", []), "needs at least one action"),
        (lambda b: b.chance(b.root, {"h": "1/2", "t": "1/3"}), "probabilities sum to 5/6, not 1"),
        (
            lambda b: b.chance(b.root, {"h": Fraction(3, 2), "t": Fraction(-1, 2)}),
            "negative probability",
        ),
        (lambda b: b.chance(b.root, {"h": 0.5, "t": 0.6}), "probabilities sum to 1.1"),
        (lambda b: b.chance(b.root, {"h": "x"}), "is not a number or a rational"),
        (lambda b: b.terminal(b.root, [1]), "1 values for 2 players"),
        (lambda b: b.terminal(b.root, {"Q": 1}), "unknown player 'Q'"),
        (lambda b: b.decision(b.root, "A", ["x"]), "has neither a move nor payoffs"),
    ],
)
def test_builder_errors(build, message: str) -> None:
    b = TreeBuilder(["A", "B"])
    with pytest.raises(InvalidGameError) as err:
        build(b)
        b.build()
    assert message in str(err.value)


def test_infoset_members_need_the_same_actions() -> None:
    b = TreeBuilder(["A", "B"])
    x, y = b.decision(b.root, "A", ["l", "r"])
    b.decision(x, "B", ["u", "d"], infoset="h")
    with pytest.raises(
        InvalidGameError,
        match=r"information set 'h' of B has actions \['u', 'd'\] "
        r"at one node and \['u', 'w'\] at another",
    ):
        b.decision(y, "B", ["u", "w"], infoset="h")


def test_defining_a_node_twice_and_reserved_player() -> None:
    b = TreeBuilder(["A", "B"])
    b.terminal(b.root, [0, 0])
    with pytest.raises(InvalidGameError, match="already defined"):
        b.terminal(b.root, [1, 1])
    with pytest.raises(InvalidGameError, match="reserved for chance"):
        from_nested([0], players=["chance"])


def test_outcomes_add_up_along_the_path() -> None:
    g = from_nested(
        {
            "player": "A",
            "outcome": [10, 0],
            "actions": {
                "x": {"chance": {"h": ("1/2", [1, 1]), "t": ("1/2", [2, 2])}, "outcome": [0, 5]},
                "y": {"payoffs": [3, 3]},
            },
        },
        players=["A", "B"],
    )
    assert sorted(map(tuple, g.terminal_payoffs.tolist())) == [(11, 6), (12, 7), (13, 3)]
    assert g.expected_payoffs({"A": {"1": [1, 0]}, "B": {}}, exact=True).tolist() == [
        Fraction(23, 2),
        Fraction(13, 2),
    ]


# ----------------------------------------------------------------------------- structure
def test_selten_horse_structure() -> None:
    g = tc.selten_horse()
    assert not g.is_perfect_information
    assert g.has_perfect_recall and g.perfect_recall_violation() is None
    assert g.subgame_roots().tolist() == [0]


def test_imperfect_recall_is_detected() -> None:
    g = tc.forgetful()
    assert not g.has_perfect_recall
    assert g.perfect_recall_violation() == ("Ann", "second")
    with pytest.raises(InvalidGameError, match="Ann forgets at information set 'second'"):
        reduced_normal_form(g)
    with pytest.raises(InvalidGameError, match="needs perfect recall"):
        g.regrets({"Ann": {"first": [1, 0], "second": [1, 0]}, "Bob": {}})
    # the agent form still works: at (L, l) Ann's second agent gains nothing, her first gains 0
    assert g.regret({"Ann": {"first": [1, 0], "second": [0, 1]}, "Bob": {}}, agent=True) == 2.0
    d = tc.absent_minded()
    assert d.perfect_recall_violation() == ("Driver", "X")


def _brute_recall(g: ExtensiveFormGame) -> set[tuple[str, str]]:
    """Reference: sets whose nodes differ in the mover's own sequence of (set, action)."""
    bad = set()
    for h in range(g.num_infosets):
        p = int(g.infoset_player[h])
        if p < 0:
            continue
        seqs = set()
        for v in np.flatnonzero(g.node_infoset == h):
            seq, u = [], int(v)
            while u > 0:
                par = int(g.parent[u])
                if g.node_player[par] == p:
                    seq.append((int(g.node_infoset[par]), int(g.action_index[u])))
                u = par
            seqs.add(tuple(seq))
        if len(seqs) > 1:
            bad.add((g.player_of(h), g.infoset_label(h)))
    return bad


def _brute_subgames(g: ExtensiveFormGame) -> list[int]:
    out = []
    for v in range(g.num_nodes):
        if g.node_kind[v] == 0 or np.sum(g.node_infoset == g.node_infoset[v]) > 1:
            continue
        inside, stack = set(), [v]
        while stack:
            u = stack.pop()
            inside.add(u)
            stack.extend(range(int(g.first_child[u]), int(g.first_child[u] + g.num_children[u])))
        ok = all(
            set(np.flatnonzero(g.node_infoset == g.node_infoset[u]).tolist()) <= inside
            for u in inside
            if g.node_kind[u] == 1
        )
        if ok:
            out.append(v)
    return out


@settings(max_examples=40, deadline=None)
@given(SEEDS, st.booleans())
def test_recall_and_subgames_match_brute_force(seed: int, scramble: bool) -> None:
    spec = tc.random_spec(seed, depth=4, infosets=True)
    g = from_nested(spec, players=["Ann", "Bob"])
    assert g.has_perfect_recall
    assert _brute_recall(g) == set()
    assert g.subgame_roots().tolist() == _brute_subgames(g)
    if scramble:
        # merge two same-size decision sets of one player at random: recall may break
        rng = np.random.default_rng(seed)
        sets = [h for h in range(g.num_infosets) if g.infoset_player[h] == 0]
        if len(sets) < 2:
            return
        a, b = rng.choice(sets, 2, replace=False)
        if g.infoset_num_actions[a] != g.infoset_num_actions[b]:
            return
        infoset = g.node_infoset.copy()
        infoset[infoset == b] = a
        mover = g.node_player.copy()
        mover[g.node_kind == 2] = -1
        probs = np.ones(g.num_nodes)
        probs[1:] = np.nan_to_num(g.float_probabilities())[g.edge_action[1:]]
        merged = ExtensiveFormGame.from_arrays(
            g.parent, mover, g.float_payoffs(), probs, infoset=np.where(infoset < 0, -1, infoset)
        )
        bad = _brute_recall(merged)
        assert merged.has_perfect_recall == (not bad)
        if bad:
            assert merged.perfect_recall_violation() in bad
        assert merged.subgame_roots().tolist() == _brute_subgames(merged)


# ----------------------------------------------------------------------------- profiles
def test_behavior_profile_forms_and_errors() -> None:
    g = tc.chance_game()
    prof = {
        "Ann": {"H": {"bet": 1}, "L": [Fraction(1, 2), Fraction(1, 2)]},
        "Bob": {"bet": {"call": Fraction(1, 4), "pass": Fraction(3, 4)}},
    }
    vec = g.behavior_vector(prof, exact=True)
    assert g.behavior_dict(vec) == {
        "Ann": {"H": {"fold": 0, "bet": 1}, "L": {"fold": Fraction(1, 2), "bet": Fraction(1, 2)}},
        "Bob": {"bet": {"call": Fraction(1, 4), "pass": Fraction(3, 4)}},
    }
    # high (1/3): bet -> call 1/4 (2), pass 3/4 (1); low (2/3): fold 1/2 (-1), bet 1/2 -> (-2 | 1)
    ann = Fraction(1, 3) * (Fraction(1, 4) * 2 + Fraction(3, 4) * 1) + Fraction(2, 3) * (
        Fraction(1, 2) * -1 + Fraction(1, 2) * (Fraction(1, 4) * -2 + Fraction(3, 4) * 1)
    )
    assert g.expected_payoffs(prof, exact=True).tolist() == [ann, -ann]
    assert sum(g.terminal_probabilities(prof, exact=True)) == 1
    with pytest.raises(InvalidProfileError, match="no behaviour for Bob at information set 'bet'"):
        g.behavior_vector({"Ann": prof["Ann"], "Bob": {}})
    with pytest.raises(InvalidProfileError, match="Ann at 'H': no action 'raise'"):
        g.behavior_vector({**prof, "Ann": {"H": {"raise": 1}, "L": [1, 0]}})
    with pytest.raises(InvalidProfileError, match="non-negative and sum to 1"):
        g.behavior_vector({**prof, "Bob": {"bet": [0.5, 0.6]}})
    with pytest.raises(InvalidProfileError, match="unknown player 'Eve'"):
        g.behavior_vector({**prof, "Eve": {}})
    with pytest.raises(InvalidProfileError, match="needs 8 entries"):
        g.behavior_vector(np.ones(3))


@settings(max_examples=30, deadline=None)
@given(SEEDS)
def test_regrets_match_pygambit(seed: int) -> None:
    """Nash regrets of random rational profiles equal pygambit's; agent regrets by brute force."""
    g = tc.random_game(seed, depth=4, infosets=True)
    rng = np.random.default_rng(seed)
    prof = {}
    for i, p in enumerate(g.players):
        prof[p] = {}
        for h in g.player_infosets(i):
            w = rng.integers(0, 4, size=int(g.infoset_num_actions[h]))
            w[rng.integers(w.size)] += 1
            prof[p][g.infoset_label(int(h))] = [Fraction(int(x), int(w.sum())) for x in w]
    ours = g.regret(prof, exact=True)
    ggame = tc.to_pygambit(g)
    gp = tc.gambit_behavior(
        ggame,
        {
            p: {h: dict(zip(g.actions(g.infoset_index(p, h)), q)) for h, q in sets.items()}
            for p, sets in prof.items()
        },
    )
    assert ours == Fraction(str(gp.max_regret()))
    # agent form (ex ante): the best single-information-set deviation, by brute force
    base = g.expected_payoffs(prof, exact=True)
    gains = [Fraction(0)]
    for p, sets in prof.items():
        i = g.player_index(p)
        for h, q in sets.items():
            for k in range(len(q)):
                dev = {**prof, p: {**sets, h: [int(j == k) for j in range(len(q))]}}
                gains.append(g.expected_payoffs(dev, exact=True)[i] - base[i])
    assert g.regret(prof, exact=True, agent=True) == max(gains)
    payoffs = g.expected_payoffs(prof, exact=True)
    assert [Fraction(str(gp.payoff(pl))) for pl in ggame.players] == list(payoffs)
    assert abs(g.regret(prof) - float(ours)) <= 1e-9


# ----------------------------------------------------------------------------- conversions
def _gambit_rnf(g: ExtensiveFormGame, rnf) -> None:
    """Our reduced normal form equals pygambit's, strategy by strategy."""
    ggame = tc.to_pygambit(g)
    arrays = ggame.to_arrays()
    index = []
    for i, player in enumerate(ggame.players):
        labels = [s.label for s in player.strategies]
        if not player.infosets:  # one (empty) strategy on both sides
            assert len(labels) == len(rnf.plans[i]) == 1
            index.append([0])
            continue
        ours = []
        for plan in rnf.plans[i]:
            code = ""
            for infoset in player.infosets:
                if infoset.label in plan:
                    code += str([a.label for a in infoset.actions].index(plan[infoset.label]) + 1)
                else:
                    code += "*"
            ours.append(labels.index(code))
        assert sorted(ours) == list(range(len(labels)))
        index.append(ours)
    for j in range(g.num_players):
        theirs = np.asarray(arrays[j], dtype=object)[np.ix_(*index)]
        mine = rnf.game.exact_payoffs()[j]
        assert all(Fraction(str(a)) == b for a, b in zip(theirs.reshape(-1), mine.reshape(-1)))


def test_reduced_normal_form_textbook() -> None:
    cent = tc.centipede(3)
    rnf = cent.to_normal_form()
    assert rnf.game.strategies == (("take/*", "pass/take", "pass/pass"), ("take", "pass"))
    assert rnf.plans[0][0] == {"s1": "take"}
    _gambit_rnf(cent, rnf)
    horse = reduced_normal_form(tc.selten_horse())
    assert horse.game.shape == (2, 2, 2)
    _gambit_rnf(tc.selten_horse(), horse)
    _gambit_rnf(tc.chance_game(), tc.chance_game().to_normal_form())


def test_reduced_normal_form_size_guard() -> None:
    g = tc.centipede(12)  # 7 x 7 reduced strategies
    assert g.to_normal_form(max_profiles=49).game.shape == (7, 7)
    with pytest.raises(
        InvalidGameError,
        match=r"has 49 pure profiles \(7 x 7\), more than "
        r"max_profiles=48",
    ):
        g.to_normal_form(max_profiles=48)
    # a wide tree whose normal form would be astronomically large is refused at once
    wide = ExtensiveFormGame.from_arrays(
        np.r_[-1, np.zeros(40, dtype=int), np.repeat(np.arange(1, 41), 2)],
        np.r_[0, np.ones(40, dtype=int), np.zeros(80, dtype=int)],
        np.zeros((80, 2)),
    )
    with pytest.raises(InvalidGameError, match=r"has 43980465111040 pure profiles"):
        wide.to_normal_form()


@settings(max_examples=25, deadline=None)
@given(SEEDS)
def test_reduced_normal_form_matches_pygambit_and_kuhn(seed: int) -> None:
    g = tc.random_game(seed, depth=4, infosets=True)
    rnf = g.to_normal_form()
    _gambit_rnf(g, rnf)
    rng = np.random.default_rng(seed)
    mixed = [rng.dirichlet(np.ones(m)) for m in rnf.game.shape]
    b = mixed_to_behavior(g, rnf, mixed)
    # realisation equivalence: the same distribution over terminal nodes and the same payoffs
    assert np.allclose(g.expected_payoffs(b), rnf.game.expected_payoffs(mixed))
    back = behavior_to_mixed(g, rnf, b)
    assert np.allclose(rnf.game.expected_payoffs(back), rnf.game.expected_payoffs(mixed))
    assert np.allclose(
        g.terminal_probabilities(mixed_to_behavior(g, rnf, back)), g.terminal_probabilities(b)
    )
    # Kuhn: a behaviour profile's regret equals its mixed equivalent's regret in the normal form
    assert abs(g.regret(b) - rnf.game.regret(back)) <= 1e-9
    assert g.regret(b, agent=True) <= g.regret(b) + 1e-9


# ----------------------------------------------------------------------------- parameters
def test_symbolic_tree_bind_and_evaluate() -> None:
    a, p = sympy.symbols("a p")
    g = from_nested(
        {
            "chance": {
                "good": (p, {"player": "A", "actions": {"x": [a, 0], "y": [1, 1]}}),
                "bad": (1 - p, [0, a + 1]),
            }
        },
        players=["A", "B"],
    )
    assert g.is_symbolic and g.parameters == ("a", "p")
    with pytest.raises(UnboundParameterError, match="unbound parameters a, p"):
        g.float_payoffs()
    exact = g.bind(a=2, p=Fraction(1, 4))
    assert exact.kind == "exact"
    assert exact.expected_payoffs({"A": {"1": [1, 0]}, "B": {}}, exact=True).tolist() == [
        Fraction(1, 2),
        Fraction(9, 4),
    ]
    flo = g.bind(a=2.0, p=0.25)
    assert flo.kind == "float"
    assert np.allclose(flo.expected_payoffs({"A": {"1": [1, 0]}, "B": {}}), [0.5, 2.25])
    with pytest.raises(InvalidGameError, match="negative"):
        g.bind(a=1, p=Fraction(3, 2))
    with pytest.raises(UnknownParameterError, match="unknown parameter 'b'"):
        g.bind(a=1, p=0.5, b=2)
    with pytest.raises(UnboundParameterError, match="no value for parameter"):
        g.bind(a=1)
    values = g.evaluator()(a=np.array([2.0, 3.0]), p=np.array([0.25, 0.5]))
    for k, (av, pv) in enumerate([(2.0, 0.25), (3.0, 0.5)]):
        bound = g.bind(a=av, p=pv)
        assert np.allclose(values.payoffs[k], bound.float_payoffs())
        assert np.allclose(
            np.nan_to_num(values.probabilities[k]), np.nan_to_num(bound.float_probabilities())
        )


def test_pickle_and_repr() -> None:
    g = tc.chance_game()
    h = pickle.loads(pickle.dumps(g))
    assert h.players == g.players and h.terminal_payoffs.tolist() == g.terminal_payoffs.tolist()
    assert "ExtensiveFormGame 'One-card poker': 2 players, 11 nodes" in repr(g)
    assert g.is_zero_sum() and g.is_constant_sum()


def test_arrays_are_read_only() -> None:
    g = tc.entry_deterrence()
    for arr in (g.parent, g.node_infoset, g.terminal_payoffs, g.float_payoffs()):
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 5


def test_best_response_backward_pass() -> None:
    g = tc.chance_game()
    vec = g.behavior_vector({"Ann": {"H": [0, 1], "L": [0, 1]}, "Bob": {"bet": [1, 0]}})
    value, choice = bh.best_response(g, vec, 0)
    # Bob calls: Ann bets with high (2), folds with low (-1): 1/3*2 + 2/3*-1 = 0
    assert value == pytest.approx(0.0)
    h_low = g.infoset_index("Ann", "L")
    assert g.actions(h_low)[choice[h_low]] == "fold"
    best = max(
        g.expected_payoffs({"Ann": {"H": list(x), "L": list(y)}, "Bob": {"bet": [1, 0]}})[0]
        for x, y in itertools.product([(1, 0), (0, 1)], repeat=2)
    )
    assert value == pytest.approx(best)
