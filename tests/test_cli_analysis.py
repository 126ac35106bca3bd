"""The analysis commands: sweep, thresholds, sensitivity, montecarlo (arms dilemma by hand).

In the arms dilemma (MODELS.md, model 1) Seoul's net gain from arming is
X = alpha + beta + e*V - kappa, Moscow transfers with probability q = X / gamma
and Seoul arms with probability t = c_T / r in the mixed equilibrium, which
exists while 0 < X < gamma and c_T < r.  At the baseline X = 1 + 1.5 + 1.5 - 2 = 2,
gamma = 4, c_T = 1.5, r = 3.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from gametheory.cli import main

ROOT = Path(__file__).resolve().parents[1]
ARMS = str(ROOT / "models" / "arms_dilemma.yaml")


def run_json(capsys, *argv: str) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_thresholds_of_the_approval_gain(capsys):
    # X = gamma  <=>  alpha = gamma - (beta + e V - kappa) = 4 - 1 = 3 at baseline;
    # with gamma = 5 the critical approval gain moves to 4.
    data = run_json(capsys, "thresholds", ARMS, "--param", "approval_gain", "--format", "json")
    assert data["parameter"] == "approval_gain" and data["range"] == [0.0, 3.0]
    assert [t["exact"] for t in data["thresholds"]] == ["3"]
    data = run_json(
        capsys,
        "thresholds",
        ARMS,
        "--param",
        "approval_gain",
        "--range",
        "0:5",
        "--set",
        "compound_penalty=5",
        "--format",
        "json",
    )
    (t,) = data["thresholds"]
    assert t["exact"] == "4" and t["value"] == pytest.approx(4.0)
    assert t["left"]["label"] == "mixed: Seoul{withhold,arm} Moscow{restrain,transfer}"
    assert t["right"]["label"] == "pure: Seoul=arm Moscow=transfer"


def test_threshold_of_the_transfer_cost(capsys):
    # the mixed equilibrium needs c_T < r = 3; above it Moscow restrains and Seoul arms
    data = run_json(capsys, "thresholds", ARMS, "--param", "transfer_cost", "--format", "json")
    (t,) = data["thresholds"]
    assert t["exact"] == "3"
    assert t["right"]["label"] == "pure: Seoul=arm Moscow=restrain"


def test_sensitivity_moves_the_other_players_mixture(capsys):
    data = run_json(capsys, "sensitivity", ARMS, "--format", "json")
    (eq,) = data["equilibria"]
    d_alpha = eq["derivatives"]["approval_gain"]["strategies"]
    assert d_alpha["Moscow"]["transfer"] == pytest.approx(1 / 4)  # dq/dalpha = 1/gamma
    assert d_alpha["Seoul"]["arm"] == pytest.approx(0.0)  # Seoul's own term: no effect
    d_cost = eq["derivatives"]["transfer_cost"]["strategies"]
    assert d_cost["Seoul"]["arm"] == pytest.approx(1 / 3)  # dt/dc_T = 1/r


def test_sweep_writes_the_table_of_the_contract(capsys, tmp_path):
    out = tmp_path / "sweep.csv"
    assert main(["sweep", ARMS, "--param", "approval_gain=0:2:5", "--out", str(out)]) == 0
    assert "branch 0 (mixed: Seoul{withhold,arm} Moscow{restrain,transfer})" in (
        capsys.readouterr().out
    )
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == [
        "approval_gain",
        "equilibrium",
        "branch",
        "Seoul:withhold",
        "Seoul:arm",
        "Moscow:restrain",
        "Moscow:transfer",
        "payoff:Seoul",
        "payoff:Moscow",
        "regret",
    ]
    assert len(rows) == 5
    for row in rows:  # q = X / gamma with X = alpha + 1
        alpha = float(row["approval_gain"])
        assert float(row["Moscow:transfer"]) == pytest.approx((alpha + 1) / 4)
        assert float(row["Seoul:arm"]) == pytest.approx(0.5)


def test_montecarlo_is_reproducible(capsys):
    first = run_json(capsys, "montecarlo", ARMS, "--n", "200", "--seed", "3", "--format", "json")
    again = run_json(capsys, "montecarlo", ARMS, "--n", "200", "--seed", "3", "--format", "json")
    assert first == again
    assert sum(r["count"] for r in first["regimes"]) == 200


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sweep", ARMS, "--param", "nope=0:1:3"], "unknown parameter 'nope'"),
        (["sweep", ARMS, "--param", "approval_gain=0:1"], "expected NAME=LO:HI:N"),
        (
            ["sweep", ARMS, "--param", "approval_gain=0:1:3", "--out", "x.txt"],
            "write .csv or .json",
        ),
        (["thresholds", ARMS, "--param", "approval_gain", "--range", "2:1"], "LO must be below HI"),
        (["montecarlo", ARMS, "--n", "0"], "positive whole number"),
    ],
)
def test_bad_analysis_input(capsys, argv, message):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert message in err


THREAT = str(ROOT / "models" / "threat_signaling.yaml")


@pytest.mark.parametrize("form", [["--range", "-3:6"], ["--range=-3:6"]])
def test_thresholds_range_with_a_negative_lower_bound(capsys, form):
    # X = alpha + 1: Seoul starts mixing at X = 0 (alpha = -1) and arms for sure at
    # X = gamma = 4 (alpha = 3)
    data = run_json(
        capsys, "thresholds", ARMS, "--param", "approval_gain", *form, "--format", "json"
    )
    assert data["range"] == [-3.0, 6.0]
    assert [t["exact"] for t in data["thresholds"]] == ["-1", "3"]


@pytest.mark.parametrize(
    ("spec", "want"), [("-3:-1/2", [-3.0, -0.5]), ("-.5:2", [-0.5, 2.0]), ("-2.5e0:1", [-2.5, 1])]
)
def test_thresholds_negative_ranges_in_every_number_form(capsys, spec, want):
    data = run_json(
        capsys, "thresholds", ARMS, "--param", "approval_gain", "--range", spec, "--format", "json"
    )
    assert data["range"] == want
    assert [t["exact"] for t in data["thresholds"]] == (["-1"] if want[0] < -1 else [])


def test_sweep_grid_and_values_below_zero(capsys, tmp_path):
    out = tmp_path / "sweep.csv"
    argv = ["sweep", ARMS, "--param", "approval_gain=-3:-2:3", "--set", "alliance_credit=-1/2"]
    assert main([*argv, "--out", str(out)]) == 0
    capsys.readouterr()
    rows = list(csv.DictReader(out.open()))
    # X = alpha - 1/2 + 1.5 - 2 < 0: Seoul withholds and Moscow restrains
    assert [float(r["approval_gain"]) for r in rows] == [-3.0, -2.5, -2.0]
    assert all(float(r["Seoul:withhold"]) == 1.0 for r in rows)


def test_sensitivity_at_a_negative_value(capsys):
    # alpha = -1/2 gives X = 1/2: still the mixed equilibrium, q = X / gamma moves by 1/4
    data = run_json(capsys, "sensitivity", ARMS, "--set", "approval_gain=-1/2", "--format", "json")
    (eq,) = data["equilibria"]
    assert eq["strategies"]["Moscow"]["transfer"] == pytest.approx(1 / 8)
    assert eq["derivatives"]["approval_gain"]["strategies"]["Moscow"]["transfer"] == (
        pytest.approx(1 / 4)
    )


def test_thresholds_points_of_the_numeric_grid(capsys):
    # the threat game has imperfect information: thresholds by a sweep, pinned exactly
    data = run_json(
        capsys, "thresholds", THREAT, "--param", "p_resolute", "--points", "21", "--format", "json"
    )
    assert data["method"].startswith("numeric: grid of 21 points")
    assert [t["exact"] for t in data["thresholds"]] == ["1/7"]  # rho* = X / (N + gamma)


ALPHA = ["thresholds", ARMS, "--param", "approval_gain"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["montecarlo", ARMS, "--n", "5", "--seed", "-1"], "seed must be a non-negative integer"),
        ([*ALPHA, "--points", "1"], "at least 2 points"),
        ([*ALPHA, "--points", "-5"], "positive whole number"),
        ([*ALPHA, "--range", "-1"], "expected LO:HI"),
        ([*ALPHA, "--range", "-1:-3"], "LO must be below HI"),
        (["sweep", ARMS, "--param", "approval_gain=-1:-3:x"], "approval_gain:"),
    ],
)
def test_bad_negative_input(capsys, argv, message):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert message in err
