"""The ``gametheory`` command: every command and output format.

Expected equilibria of ``models/arms_dilemma.yaml`` are derived by hand from the
payoff formulas of the model (Seoul rows, Moscow columns)::

    (withhold, restrain) = (0, 0)            (withhold, transfer) = (-N, -c_T)
    (arm, restrain)      = (X, -e*D)         (arm, transfer)      = (X - N - g, -e*D + r - c_T)
    X = approval_gain + alliance_credit + battlefield_effect*setback_value - readiness_cost

Baseline: X = 1 + 1.5 + 0.3*5 - 2 = 2, N = 10, g = 4, e*D = 1.2, r = 3, c_T = 1.5.
Against restrain Seoul prefers arm (X > 0); against transfer it prefers withhold
(X - g < 0).  Against withhold Moscow prefers restrain (0 > -c_T); against arm it
prefers transfer (r - c_T > 0).  So the only equilibrium is mixed:

* Moscow indifferent: -p*e*D = -c_T + p*(r - e*D)  ->  p(arm) = c_T / r
* Seoul indifferent:  -q*N = X - q*(N + g)          ->  q(transfer) = X / g
* payoffs: Seoul -q*N, Moscow -p*e*D.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import gametheory as gt
from gametheory.cli import main, parse_value

ROOT = Path(__file__).resolve().parents[1]
ARMS = str(ROOT / "models" / "arms_dilemma.yaml")

BASELINE = {"approval_gain": 1, "alliance_credit": 1.5, "battlefield_effect": 0.3,
            "setback_value": 5, "readiness_cost": 2, "compound_penalty": 4, "nightmare_loss": 10,
            "retaliation_value": 3, "transfer_cost": 1.5, "damage_to_russia": 4}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def solve_json(capsys, *extra: str) -> dict:
    code, out, err = run(capsys, "solve", ARMS, "--format", "json", *extra)
    assert code == 0, err
    assert err == ""
    return json.loads(out)


def expected_mixed(**changes: Fraction) -> tuple[Fraction, Fraction, Fraction, Fraction]:
    """(p_arm, q_transfer, Seoul payoff, Moscow payoff) from the formulas above."""
    v = {k: Fraction(str(x)) for k, x in BASELINE.items()}
    v.update(changes)
    X = v["approval_gain"] + v["alliance_credit"] + v["battlefield_effect"] * v["setback_value"] \
        - v["readiness_cost"]
    p = v["transfer_cost"] / v["retaliation_value"]
    q = X / v["compound_penalty"]
    assert 0 < p < 1 and 0 < q < 1, "the test's parameter change must keep the equilibrium mixed"
    return p, q, -q * v["nightmare_loss"], -p * v["battlefield_effect"] * v["damage_to_russia"]


# ----------------------------------------------------------------------------- solve --format json
def test_solve_json_matches_the_contract_at_the_baseline(capsys):
    data = solve_json(capsys)
    assert list(data)[:6] == ["game", "parameters", "method", "complete", "status", "equilibria"]
    game = data["game"]
    assert isinstance(game["title"], str) and game["title"]
    assert game["form"] == "normal"
    assert game["players"] == ["Seoul", "Moscow"]
    assert game["strategies"] == {"Seoul": ["withhold", "arm"], "Moscow": ["restrain", "transfer"]}
    for name, value in BASELINE.items():
        assert data["parameters"][name] == pytest.approx(value), name
    assert data["method"] in gt.method_names() and data["method"] != "auto"
    assert data["complete"] is True
    assert data["status"] == "ok"
    p, q, u_seoul, u_moscow = expected_mixed()
    (eq,) = data["equilibria"]
    assert set(eq) >= {"strategies", "payoffs", "regret"}
    assert "exact" not in eq
    assert eq["strategies"]["Seoul"] == pytest.approx({"withhold": float(1 - p), "arm": float(p)})
    assert eq["strategies"]["Moscow"] == pytest.approx({"restrain": float(1 - q),
                                                        "transfer": float(q)})
    assert eq["payoffs"] == pytest.approx({"Seoul": float(u_seoul), "Moscow": float(u_moscow)})
    assert 0.0 <= eq["regret"] < 1e-9


def test_set_approval_gain_moves_moscows_mixture_not_seouls(capsys):
    base = solve_json(capsys)["equilibria"][0]
    data = solve_json(capsys, "--set", "approval_gain=2", "--exact")
    assert data["parameters"]["approval_gain"] == 2
    assert data["parameters"]["readiness_cost"] == pytest.approx(2)  # the others stay at baseline
    p, q, u_seoul, u_moscow = expected_mixed(approval_gain=Fraction(2))
    assert (p, q) == (Fraction(1, 2), Fraction(3, 4))
    (eq,) = data["equilibria"]
    assert eq["exact"] == {"Seoul": {"withhold": str(1 - p), "arm": str(p)},
                           "Moscow": {"restrain": str(1 - q), "transfer": str(q)}}
    assert eq["exact_payoffs"] == {"Seoul": str(u_seoul), "Moscow": str(u_moscow)}
    assert eq["regret"] == 0.0
    assert eq["strategies"]["Seoul"]["arm"] == pytest.approx(base["strategies"]["Seoul"]["arm"])
    assert eq["strategies"]["Moscow"]["transfer"] > base["strategies"]["Moscow"]["transfer"]


def test_set_costly_transfer_makes_seoul_arm_for_sure(capsys):
    # transfer_cost 4 > r = 3: restrain strictly dominates for Moscow;
    # Seoul's best reply to restrain is arm (X = 2 > 0).
    data = solve_json(capsys, "--set", "transfer_cost=4", "--exact")
    (eq,) = data["equilibria"]
    assert eq["exact"] == {"Seoul": {"withhold": "0", "arm": "1"},
                           "Moscow": {"restrain": "1", "transfer": "0"}}
    assert eq["exact_payoffs"] == {"Seoul": "2", "Moscow": "-6/5"}  # (X, -e*D)


def test_set_accepts_fractions_and_several_names(capsys):
    # approval_gain 3/2, compound_penalty 2: X = 5/2 > g = 2, so arm strictly dominates
    # (X > 0 and X - g > 0); Moscow answers arm with transfer (r - c_T > 0).
    data = solve_json(capsys, "--set", "approval_gain=3/2", "--set", "compound_penalty=2",
                      "--exact")
    assert data["parameters"]["approval_gain"] == 1.5
    assert data["parameters"]["compound_penalty"] == 2
    (eq,) = data["equilibria"]
    assert eq["exact"]["Seoul"] == {"withhold": "0", "arm": "1"}
    assert eq["exact"]["Moscow"] == {"restrain": "0", "transfer": "1"}
    # (X - N - g, -e*D + r - c_T) = (5/2 - 10 - 2, -6/5 + 3 - 3/2)
    assert eq["exact_payoffs"] == {"Seoul": "-19/2", "Moscow": "3/10"}


def test_parse_value_kinds():
    assert parse_value("3") == 3 and isinstance(parse_value("3"), int)
    assert parse_value("-5/2") == Fraction(-5, 2)
    assert parse_value("2.5") == 2.5 and isinstance(parse_value("2.5"), float)
    assert parse_value("1e-3") == 0.001
    for bad in ("nan", "inf", "1/0", "two", "", "1/2/3", "0x10", "1_000"):
        with pytest.raises(ValueError):
            parse_value(bad)


# ----------------------------------------------------------------------------- table and csv
def test_solve_table_is_readable(capsys):
    code, out, err = run(capsys, "solve", ARMS)
    assert code == 0 and err == ""
    assert "Seoul" in out and "Moscow" in out and "withhold" in out and "transfer" in out
    assert "1 equilibrium found" in out
    assert "status ok" in out and "complete   yes" in out
    assert "auto:" in out  # which method auto chose, and why
    assert "time" in out
    assert "0.5000" in out
    assert "1/2" not in out  # no fractions without --exact


def test_solve_table_exact_prints_fractions(capsys):
    code, out, _ = run(capsys, "solve", ARMS, "--exact", "--set", "approval_gain=2")
    assert code == 0
    assert "certified exactly" in out
    assert "3/4" in out and "1/4" in out and "-15/2" in out


def test_solve_csv_parses(capsys):
    code, out, _ = run(capsys, "solve", ARMS, "--format", "csv", "--exact",
                       "--set", "approval_gain=2")
    assert code == 0
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["equilibrium"] == "1"
    assert float(row["Seoul:arm"]) == pytest.approx(0.5)
    assert float(row["Moscow:transfer"]) == pytest.approx(0.75)
    assert float(row["payoff:Seoul"]) == pytest.approx(-7.5)
    assert row["exact:Moscow:transfer"] == "3/4"
    assert row["exact_payoff:Seoul"] == "-15/2"
    assert float(row["regret"]) == 0.0


# ---------------------------------------------------------------------- show, validate, methods
def test_show_lists_players_strategies_payoffs_and_parameters(capsys):
    code, out, err = run(capsys, "show", ARMS)
    assert code == 0 and err == ""
    assert "Seoul: withhold, arm" in out
    assert "Moscow: restrain, transfer" in out
    assert "payoffs at the baseline" in out
    assert "-10, -3/2" in out  # (withhold, transfer) = (-N, -c_T) at the baseline
    for name in BASELINE:
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(name + " "))
        assert len(line.split()) >= 3, line  # name, value and a description


def test_validate_good_file(capsys):
    code, out, err = run(capsys, "validate", ARMS)
    assert code == 0 and err == ""
    assert out.startswith(ARMS + ": valid (normal form, 2 players, 2 x 2 strategies")


def test_methods_lists_the_table(capsys):
    code, out, _ = run(capsys, "methods")
    assert code == 0
    names = [ln.split()[0] for ln in out.splitlines()[1:]]
    assert names == gt.method_names()
    code, out, _ = run(capsys, "methods", "--format", "json")
    assert [d["name"] for d in json.loads(out)] == gt.method_names()[1:]


def test_version_and_help(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"gametheory {gt.__version__}"
    code, out, _ = run(capsys, "solve", "--help")
    assert code == 0 and "--max-time" in out and "vertex-enumeration" in out


# ----------------------------------------------------------------------------- stdin and convert
def test_model_from_stdin_through_a_real_process(capsys):
    text = Path(ARMS).read_text()
    proc = subprocess.run([sys.executable, "-m", "gametheory", "solve", "-", "--format", "json",
                           "--set", "approval_gain=2"],
                          input=text, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    via_stdin = json.loads(proc.stdout)
    via_file = solve_json(capsys, "--set", "approval_gain=2")
    for data in (via_stdin, via_file):
        data.pop("stats")
    assert via_stdin == via_file


def test_convert_yaml_json_nfg_round_trip(tmp_path, capsys):
    as_json, as_nfg = tmp_path / "arms.json", tmp_path / "arms.nfg"
    assert run(capsys, "convert", ARMS, str(as_json)) == (0, "", "")
    assert run(capsys, "convert", str(as_json), str(as_nfg)) == (0, "", "")
    assert json.loads(as_json.read_text())  # a JSON document
    assert as_nfg.read_text().startswith("NFG 1 R")
    results = []
    for path in (ARMS, str(as_json), str(as_nfg)):
        code, out, _ = run(capsys, "solve", path, "--format", "json", "--exact")
        assert code == 0
        data = json.loads(out)
        results.append([(e["exact"], e["exact_payoffs"]) for e in data["equilibria"]])
        assert data["game"]["strategies"] == {"Seoul": ["withhold", "arm"],
                                              "Moscow": ["restrain", "transfer"]}
    assert results[0] == results[1] == results[2]
    # the models agree at the baseline
    games = [gt.io.load(p).baseline_game() for p in (ARMS, str(as_json), str(as_nfg))]
    assert games[0] == games[1] == games[2]


def test_convert_to_stdout_writes_yaml_that_loads_back(capsys):
    code, out, err = run(capsys, "convert", ARMS, "-")
    assert code == 0 and err == ""
    again = gt.io.loads(out, "yaml")
    original = gt.io.load(ARMS)
    assert list(again.parameters) == list(original.parameters)
    assert again.baseline_game() == original.baseline_game()
    assert again.bind(approval_gain=2).float_payoffs().tolist() == \
        original.bind(approval_gain=2).float_payoffs().tolist()


# -------------------------------------------------------------------- cross-check with pygambit
def _write_nfg(path: Path, A: np.ndarray, B: np.ndarray) -> None:
    m, n = A.shape
    rows = " ".join(f'"r{i}"' for i in range(m))
    cols = " ".join(f'"c{j}"' for j in range(n))
    pays = " ".join(f"{A[i, j]} {B[i, j]}" for j in range(n) for i in range(m))  # player 1 fastest
    path.write_text(f'NFG 1 R "random" {{ "P1" "P2" }} {{ {{ {rows} }} {{ {cols} }} }}\n\n{pays}\n')


def test_exact_equilibria_match_pygambit(tmp_path, capsys):
    import pygambit

    rng = np.random.default_rng(7)
    A, B = rng.integers(-5, 6, (4, 4)), rng.integers(-5, 6, (4, 4))
    path = tmp_path / "random.nfg"
    _write_nfg(path, A, B)
    code, out, _ = run(capsys, "solve", str(path), "--method", "vertex-enumeration", "--exact",
                       "--format", "json")
    assert code == 0
    ours = {tuple(Fraction(v) for p in ("P1", "P2") for v in e["exact"][p].values())
            for e in json.loads(out)["equilibria"]}
    g = pygambit.Game.from_arrays(A.astype(int), B.astype(int))
    theirs = {tuple(Fraction(str(eq[s])) for s in g.strategies)
              for eq in pygambit.nash.enummixed_solve(g, rational=True).equilibria}
    assert ours == theirs


def test_methods_page_in_the_docs_is_generated_from_the_table(capsys):
    assert main(["methods", "--format", "markdown"]) == 0
    page = (ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
    assert capsys.readouterr().out == page
    for name in gt.method_names():
        assert f"| `{name}` |" in page


SIGNALING = str(ROOT / "models" / "threat_signaling.yaml")


def test_solver_options_pass_through_option(capsys):
    code, out, _ = run(capsys, "solve", SIGNALING, "--option", "subgame_method=lcp",
                       "--format", "json")
    assert code == 0 and len(json.loads(out)["equilibria"]) == 1  # one per subgame by Lemke
    code, out, _ = run(capsys, "solve", SIGNALING, "--format", "json")
    assert code == 0 and len(json.loads(out)["equilibria"]) > 1  # vertex enumeration: several
    code, out, err = run(capsys, "solve", ARMS, "--method", "lemke-howson", "--option",
                         "all_labels=true", "--format", "json")
    assert code == 0 and len(json.loads(out)["equilibria"]) >= 1
    cases = [
        (["--option", "nope=1"], "method 'spe' has no option 'nope' (its options: "
         "max_equilibria, max_profiles, subgame_method)"),
        (["--option", "max_equilibria=0"], "max_equilibria must be a positive integer, got 0"),
        (["--option", "x"], "argument --option: expected NAME=VALUE, got 'x'"),
        (["--option", "ties=first", "--option", "ties=all", "--method", "spe"],
         "an --option is given twice"),
        (["--method", "pure", "--option", "max_profiles=10"],
         "the reduced normal form has 64 pure profiles (4 x 16), more than max_profiles=10"),
    ]
    for extra, message in cases:
        code, out, err = run(capsys, "solve", SIGNALING, *extra)
        assert code == 2 and out == "" and message in err, (extra, err)
