"""Result writers (JSON contract, CSV, terminal table) and the model summary."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction

import numpy as np

import gametheory as gt
from gametheory.io import report
from gametheory.solvers import build_result, certify


def pennies() -> gt.NormalFormGame:
    """A matching-pennies variant whose only equilibrium is mixed (see ``mixed_result``)."""
    A = [[2, 0], [0, 1]]
    B = [[0, 3], [1, 0]]
    return gt.NormalFormGame.bimatrix(A, B, players=["Row", "Column"], title="Pennies",
                                      strategies=[["up", "down"], ["left", "right"]])


def mixed_result(exact: bool) -> gt.SolveResult:
    # Row mixes (x, 1-x) so that Column is indifferent: 0*x + 1*(1-x) = 3x  -> x = 1/4.
    # Column mixes (y, 1-y) so that Row is indifferent: 2y = 1 - y          -> y = 1/3.
    game = pennies()
    profile = [np.array([0.25, 0.75]), np.array([1 / 3, 2 / 3])]
    res = build_result(game, [profile], "test", complete=True)
    if exact:
        res = res.with_updates(equilibria=tuple(certify(game, e) for e in res.equilibria))
    return res


def test_json_follows_the_contract_key_by_key():
    res = mixed_result(exact=True)
    data = json.loads(report.result_to_json(res, {"stake": Fraction(5, 2), "n": 3}))
    assert list(data)[:6] == ["game", "parameters", "method", "complete", "status", "equilibria"]
    assert data["game"] == {"title": "Pennies", "form": "normal", "players": ["Row", "Column"],
                            "strategies": {"Row": ["up", "down"], "Column": ["left", "right"]}}
    assert data["parameters"] == {"stake": 2.5, "n": 3}
    assert data["method"] == "test"
    assert data["complete"] is True
    assert data["status"] == "ok"
    (eq,) = data["equilibria"]
    assert eq["strategies"] == {"Row": {"up": 0.25, "down": 0.75},
                                "Column": {"left": 1 / 3, "right": 2 / 3}}
    assert eq["exact"] == {"Row": {"up": "1/4", "down": "3/4"},
                           "Column": {"left": "1/3", "right": "2/3"}}
    # Row gets 2y = 2/3; Column gets 3x = 3/4.
    assert eq["payoffs"] == {"Row": 2 / 3, "Column": 0.75}
    assert eq["regret"] == 0.0


def test_json_without_parameters_uses_the_games_values_and_no_exact_block():
    data = json.loads(report.result_to_json(mixed_result(exact=False)))
    assert data["parameters"] == {}
    assert "exact" not in data["equilibria"][0]
    assert abs(data["equilibria"][0]["strategies"]["Column"]["left"] - 1 / 3) < 1e-12


def test_csv_has_one_row_per_equilibrium_and_exact_columns():
    game = gt.NormalFormGame.bimatrix([[1, 0], [0, 1]], [[1, 0], [0, 1]],
                                      players=["A", "B"], strategies=[["x", "y"], ["x", "y"]])
    res = gt.solve(game, method="pure", exact=True)
    rows = list(csv.DictReader(io.StringIO(report.result_to_csv(res))))
    assert [r["equilibrium"] for r in rows] == ["1", "2"]
    assert set(rows[0]) == {"equilibrium", "A:x", "A:y", "B:x", "B:y", "payoff:A", "payoff:B",
                            "regret", "exact:A:x", "exact:A:y", "exact:B:x", "exact:B:y",
                            "exact_payoff:A", "exact_payoff:B"}
    profiles = {(r["A:x"], r["B:x"]) for r in rows}
    assert profiles == {("1.0", "1.0"), ("0.0", "0.0")}
    assert all(float(r["payoff:A"]) == 1.0 and r["exact_payoff:B"] == "1" for r in rows)


def test_csv_without_exact_has_no_exact_columns_and_header_only_when_empty():
    res = mixed_result(exact=False)
    header = next(csv.reader(io.StringIO(report.result_to_csv(res))))
    assert header == ["equilibrium", "Row:up", "Row:down", "Column:left", "Column:right",
                      "payoff:Row", "payoff:Column", "regret"]
    empty = build_result(pennies(), [], "test", complete=True)
    assert list(csv.reader(io.StringIO(report.result_to_csv(empty)))) == [header]


def test_table_aligns_probabilities_and_prints_fractions():
    text = report.result_to_table(mixed_result(exact=True), {"stake": 2.5})
    assert "Pennies" in text and "method     test" in text
    assert "parameters stake=2.5" in text
    assert "1 equilibrium found" in text
    assert "mixed: Row{up,down} Column{left,right}" in text
    lines = [ln for ln in text.splitlines() if ln.startswith("  ")]
    shown = ("0.2500", "0.7500", "0.3333", "0.6667")
    probs = [ln for ln in lines if any(p in ln for p in shown)]
    assert len(probs) == 4
    ends = {ln.index(p) + len(p) for ln in probs for p in shown if p in ln}
    assert len(ends) == 1, "probabilities are right-aligned in one column"
    for frac in ("1/4", "3/4", "1/3", "2/3"):
        assert frac in text
    assert "certified exactly" in text


def test_table_lists_only_the_support_of_large_strategy_sets():
    n = 12
    A = -np.eye(n, dtype=np.int64)
    A[0, 1] = 5
    game = gt.NormalFormGame.bimatrix(A, A.T.copy(), title="big")
    res = gt.solve(game, method="pure")
    text = report.result_to_table(res)
    assert f"({n - 1} others)" in text
    assert "no equilibrium found" not in text


def test_table_reports_empty_and_stopped_results():
    empty = build_result(pennies(), [], "test", complete=False, status="budget-exhausted")
    text = report.result_to_table(empty)
    assert "no equilibrium found before the budget ran out" in text
    assert "status budget-exhausted" in text
    assert "complete   no" in text


def test_show_model_lists_players_payoffs_and_parameters():
    game = pennies()
    model = gt.Model(
        game=game,
        parameters={"stake": gt.Parameter("stake", Fraction(5, 2), (0, 10), "what is at stake")},
        title="A model", description="Two players match coins.",
    )
    text = report.show_model(model)
    assert text.startswith("A model\nTwo players match coins.")
    assert "Row: up, down" in text and "Column: left, right" in text
    assert "2, 0" in text and "0, 3" in text  # payoff cells (Row, Column)
    param_line = next(ln for ln in text.splitlines() if ln.strip().startswith("stake"))
    assert "5/2" in param_line and "[0, 10]" in param_line and "what is at stake" in param_line


def test_show_model_of_a_three_player_game_lists_profiles():
    payoffs = np.arange(24).reshape(3, 2, 2, 2) % 5
    game = gt.NormalFormGame.from_arrays(payoffs, players=["A", "B", "C"])
    lines = report.show_model(gt.Model(game=game)).splitlines()
    header = next(i for i, ln in enumerate(lines) if ln.split()[:4] == ["A", "B", "C", "u(A)"])
    rows = [ln.split() for ln in lines[header + 1:header + 9]]
    assert len(rows) == 8
    for row in rows:
        idx = tuple(int(lab[1:]) - 1 for lab in row[:3])  # default labels s1, s2
        assert [int(v) for v in row[3:]] == [int(payoffs[(i, *idx)]) for i in range(3)]
    assert lines[-1] == "parameters: none"
