"""Gambit .nfg files: both versions, exact numbers, labels, pygambit cross-checks."""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pygambit as gbt
import pytest
import sympy

import gametheory as gt
from gametheory.io import dumps, loads
from gametheory.io.nfg import format_number, parse_number, read_nfg, write_nfg


def gambit_arrays(path: Path) -> list[np.ndarray]:
    """Payoff arrays as pygambit reads the file (exact)."""
    game = gbt.read_nfg(str(path))
    return [np.vectorize(lambda x: Fraction(str(x)), otypes=[object])(a) for a in game.to_arrays()]


def gambit_labels(path: Path) -> tuple:
    game = gbt.read_nfg(str(path))
    return (tuple(p.label for p in game.players),
            tuple(tuple(s.label for s in p.strategies) for p in game.players))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


PAYOFF_VERSION = 'NFG 1 R "Two by three" { "P1" "P2" } { 2 3 }\n"a comment"\n\n' \
    "1 2 3 4 5 6\n7 8 9 10 11 12\n"


def test_payoff_version_order_player_one_fastest(tmp_path):
    path = write(tmp_path, "g.nfg", PAYOFF_VERSION)
    model = gt.load(path)
    game = model.game
    assert model.title == "Two by three" and model.description == "a comment"
    assert game.players == ("P1", "P2")
    assert game.strategies == (("1", "2"), ("1", "2", "3"))
    # profiles (1,1), (2,1), (1,2), (2,2), (1,3), (2,3); two payoffs each
    assert game.payoffs[0].tolist() == [[1, 5, 9], [3, 7, 11]]
    assert game.payoffs[1].tolist() == [[2, 6, 10], [4, 8, 12]]
    for mine, theirs in zip(game.payoffs, gambit_arrays(path)):
        assert np.array_equal(mine, theirs)


def test_outcome_version_with_null_outcome(tmp_path):
    text = ('NFG 1 R "Outcomes" { "Ann" "Bob" }\n\n{ { "up" "down" }\n{ "left" "right" }\n}\n""\n\n'
            '{\n{ "" 1, 5 }\n{ "o2" 3/4 7 }\n{ "o3" -2, 0.5 }\n}\n1 2 0 3\n')
    game = gt.load(write(tmp_path, "o.nfg", text)).game
    assert game.strategies == (("up", "down"), ("left", "right"))
    assert game.payoff(["up", "left"]) == (1, 5)
    assert game.payoff(["down", "left"]) == (Fraction(3, 4), 7)
    assert game.payoff(["up", "right"]) == (0, 0)
    assert game.payoff(["down", "right"]) == (-2, Fraction(1, 2))


def test_outcome_version_matches_pygambit(tmp_path):
    text = ('NFG 1 R "Outcomes" { "Ann" "Bob" "Cy" }\n{ { "a" "b" } { "c" "d" "e" } { "f" "g" } }\n'
            '""\n{ { "1" 1, 2, 3 } { "2" -1/3, 0.25, 1e-3 } { "3" 7, 8, 9 } }\n'
            "1 2 3 3 2 1 2 2 1 1 3 3\n")
    path = write(tmp_path, "three.nfg", text)
    game = gt.load(path).game
    assert (game.players, game.strategies) == gambit_labels(path)
    for mine, theirs in zip(game.payoffs, gambit_arrays(path)):
        assert np.array_equal(mine, theirs)


@pytest.mark.parametrize(
    ("token", "value"),
    [("3", 3), ("-4", -4), ("0.25", Fraction(1, 4)), ("-1.5", Fraction(-3, 2)),
     ("1e-3", Fraction(1, 1000)), ("2.5E2", 250), ("-1e-05", Fraction(-1, 100000)),
     ("-3/4", Fraction(-3, 4)), ("6/4", Fraction(3, 2)), ("1.e5", 100000), ("00012", 12),
     ("12345678901234567890123", 12345678901234567890123), ("1.5e300", 15 * 10**299),
     ("+3", 3), (".5", Fraction(1, 2)), ("1.5e+2", 150)],
)
def test_numbers_are_exact(token, value):
    parsed = parse_number(token)
    assert parsed == value and isinstance(parsed, (int, Fraction))


def test_numbers_agree_with_pygambit(tmp_path):
    tokens = ["3", "-4", "0.25", "-1.5", "1e-3", "2.5E2", "-1e-05", "-3/4", "6/4", "1.e5",
              "00012", "0.1", "1.5e300", "-0"]
    text = f'NFG 1 R "n" {{ "A" }} {{ {len(tokens)} }}\n' + " ".join(tokens) + "\n"
    path = write(tmp_path, "n.nfg", text)
    mine = gt.load(path).game.payoffs[0]
    assert np.array_equal(mine, gambit_arrays(path)[0])


@pytest.mark.parametrize("token", ["x", "1/0", "3/-4", "1.5/2", "1e5/3", "--1", "1e", "inf"])
def test_bad_numbers(token):
    with pytest.raises(ValueError):
        parse_number(token)


def test_quoted_labels_with_escapes(tmp_path):
    text = 'NFG 1 R "say \\"hi\\"" { "A \\"one\\"" "B" } { { "x y" "z\\\\w" } { "" } }\n1 2 3 4\n'
    with pytest.warns(UserWarning, match="renamed"):
        model = gt.load(write(tmp_path, "q.nfg", text))
    assert model.title == 'say "hi"'
    assert model.game.players == ('A "one"', "B")
    assert model.game.strategies == (("x y", "z\\w"), ("_1",))


def test_empty_and_duplicate_labels_are_renamed_like_gambit(tmp_path):
    text = ('NFG 1 R "t" { "" "" "X" "X" } { { "x" "y" "x" } { "" "" } { "a" } { "b" } }\n'
            + " ".join(str(k) for k in range(24)) + "\n")
    path = write(tmp_path, "dup.nfg", text)
    with pytest.warns(UserWarning, match="empty or duplicate") as record:
        game = gt.load(path).game
    assert len(record) == 3  # players, and two players' strategies
    assert (game.players, game.strategies) == gambit_labels(path)
    assert game.players == ("_1", "_2", "X_1", "X_2")
    assert game.strategies[0] == ("x_1", "y", "x_2")


def test_renaming_avoids_existing_labels(tmp_path):
    text = 'NFG 1 R "t" { "A" } { { "x" "x" "x_1" } }\n1 2 3\n'
    with pytest.warns(UserWarning):
        game = gt.load(write(tmp_path, "r.nfg", text)).game
    assert game.strategies[0] == ("x_2", "x_3", "x_1")


def test_files_written_by_pygambit_load_and_solve_the_same(tmp_path):
    rng = np.random.default_rng(7)
    for shape in [(3, 3), (4, 2), (2, 2, 2)]:
        arrays = [rng.integers(-5, 6, size=shape) for _ in shape]
        ggame = gbt.Game.from_arrays(*arrays, title="random")
        path = write(tmp_path, "pg.nfg", ggame.to_nfg())
        game = gt.load(path).game
        for mine, theirs in zip(game.payoffs, arrays):
            assert np.array_equal(mine, theirs)
        ours = {tuple(tuple(p) for p in e.probabilities) for e in
                gt.solve(game, method="pure").equilibria}
        theirs = {tuple(tuple(float(eq[s]) for s in p.strategies) for p in ggame.players)
                  for eq in gbt.nash.enumpure_solve(ggame).equilibria}
        assert ours == theirs
        if len(shape) == 2:  # every mixed equilibrium pygambit finds is exact in our game
            for eq in gbt.nash.enummixed_solve(ggame, rational=True).equilibria:
                profile = [[Fraction(str(eq[s])) for s in p.strategies] for p in ggame.players]
                assert game.regret(profile, exact=True) == 0


def test_pygambit_reads_what_we_write(tmp_path):
    game = gt.NormalFormGame.from_arrays(
        np.array([[Fraction(1, 3), -2], [0.1, 1e-5]], dtype=object),
        np.array([[7, Fraction(-5, 2)], [1.5e20, 3]], dtype=object),
        players=["Ann", 'Bob "B"'], strategies=[["up", "down"], ["left", "right side"]],
        title="written")
    path = write(tmp_path, "ours.nfg", write_nfg(game))
    assert gambit_labels(path) == (game.players, game.strategies)
    for mine, theirs in zip(game.exact_payoffs(), gambit_arrays(path)):
        assert np.array_equal(mine, theirs)
    assert gt.load(path).game == game


def test_writer_number_format():
    assert format_number(1e20) == "1e20"
    assert format_number(-1.5e-7) == "-1.5e-07"
    assert format_number(Fraction(-2, 6)) == "-1/3"
    assert format_number(np.int64(4)) == "4"
    assert format_number(sympy.Rational(3, 4)) == "3/4"


def test_symbolic_game_refused():
    a = sympy.Symbol("a")
    game = gt.NormalFormGame.bimatrix([[a, 1], [0, 1]], [[1, 1], [0, 0]])
    with pytest.raises(gt.InvalidGameError, match="bind them"):
        dumps(game, "nfg")


def test_large_file_loads_fast(tmp_path):
    rng = np.random.default_rng(0)
    cells = [f"{x:.6f}" for x in rng.uniform(-100, 100, 3 * 40**3)]
    text = 'NFG 1 R "big" { "A" "B" "C" } { 40 40 40 }\n\n' + "\n".join(
        " ".join(cells[k:k + 3]) for k in range(0, len(cells), 3)) + "\n"
    assert len(text) > 1_900_000
    start = time.process_time()  # CPU time: not inflated by other processes on the machine
    model = read_nfg(text, "big.nfg")
    elapsed = time.process_time() - start
    assert model.game.shape == (40, 40, 40)
    assert model.game.payoffs[2][39, 0, 1] == Fraction(cells[3 * (39 + 40 * 40 * 1) + 2])
    assert elapsed < 2.0, elapsed
    assert loads(write_nfg(model.game), "nfg").game == model.game
