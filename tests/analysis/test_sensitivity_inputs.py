"""Sensitivity and tornado: bad names and values, invalid points named; tornado tables, charts."""

from __future__ import annotations

import csv
import io
import math
import sys
from fractions import Fraction
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import sympy as sp

import gametheory as gt
from gametheory.analysis import (
    InvalidGridError,
    TornadoBar,
    TornadoResult,
    UnusedParameterError,
    sensitivity,
    tornado,
)
from gametheory.analysis.point_check import check_point
from gametheory.cli import main
from gametheory.exceptions import InvalidOptionError, UnknownParameterError
from gametheory.games.tree_builder import from_nested

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[2]
ARMS = str(ROOT / "models" / "arms_dilemma.yaml")
THREAT = str(ROOT / "models" / "threat_signaling.yaml")
P, Q, X = sp.symbols("p q x")


def _param(name, value, lo, hi):
    return gt.Parameter(name, Fraction(value), (Fraction(lo), Fraction(hi)))


def chance_model(second=None) -> gt.Model:
    """Chance: a (prob p) -> A picks l (1/x, 0) or r (0, 1); b (prob 1 - p, or q) -> (1, 1)."""
    game = from_nested(
        {
            "chance": {
                "a": (
                    P,
                    {"player": "A", "infoset": "i", "actions": {"l": [1 / X, 0], "r": [0, 1]}},
                ),
                "b": (1 - P if second is None else second, [1, 1]),
            }
        },
        players=["A", "B"],
    )
    params = {"p": _param("p", Fraction(1, 2), 0, 1), "x": _param("x", 1, -1, 2)}
    if second is not None:
        params["q"] = _param("q", Fraction(1, 2), 0, 1)
    return gt.Model(game=game, parameters=params)


# ------------------------------------------------------------------------------ sensitivity
def test_unknown_name_in_at_is_an_error(arms_model):
    with pytest.raises(UnknownParameterError) as info:
        sensitivity(arms_model, at={"nope": 1})
    assert str(info.value) == (
        f"unknown parameter 'nope'; declared: {', '.join(arms_model.parameters)}"
    )


@pytest.mark.parametrize(
    "at, message",
    [
        ({"approval_gain": "x"}, "value of 'approval_gain' must be a number, got 'x'"),
        ({"approval_gain": True}, "value of 'approval_gain' must be a number, got True"),
        ({"approval_gain": None}, "value of 'approval_gain' must be a number, got None"),
        ({"approval_gain": float("nan")}, "value of 'approval_gain' must be finite, got nan"),
        ([("approval_gain", 1)], "at= maps parameter names to numbers, got list"),
    ],
)
def test_bad_values_in_at(arms_model, at, message):
    with pytest.raises(InvalidGridError) as info:
        sensitivity(arms_model, at=at)
    assert str(info.value) == message


def test_parameters_as_one_name(arms_model):
    one = sensitivity(arms_model, parameters="approval_gain")
    listed = sensitivity(arms_model, parameters=["approval_gain"])
    assert one.to_dict() == listed.to_dict()
    assert list(one.equilibria[0].derivatives) == ["approval_gain"]


def test_negative_chance_probability_is_named_not_another_parameter():
    threat = gt.load(THREAT)
    with pytest.raises(InvalidGridError) as info:
        sensitivity(threat, at={"p_resolute": -0.1})
    assert str(info.value) == (
        "at p_resolute=-0.1 the chance probability of 'resolute' at the root is "
        "p_resolute = -0.1, which is negative"
    )
    with pytest.raises(
        InvalidGridError, match=r"'resolute' at the root is p_resolute = 1\.5, which is above 1"
    ):
        sensitivity(threat, at={"p_resolute": 1.5})


def test_non_finite_payoff_is_named():
    model = chance_model()
    with pytest.raises(InvalidGridError) as info:
        sensitivity(model, at={"x": 0})
    assert str(info.value) == (
        "at x=0 the payoff of A at terminal node 'a/l' is 1/x, which is not a finite real number"
    )
    game = gt.NormalFormGame.bimatrix([[1 / (X - 1), 0], [0, 1]], [[1, 0], [0, X]],
                                      players=["Row", "Col"],
                                      strategies=[["up", "down"], ["left", "right"]])
    normal = gt.Model(game=game, parameters={"x": _param("x", 2, 0, 3)})
    with pytest.raises(InvalidGridError) as info:
        sensitivity(normal, at={"x": 1})
    assert str(info.value) == (
        "at x=1 the payoff of Row at (up, left) is 1/(x - 1), which is not a finite real number"
    )


def test_check_point_sums_and_partial_points():
    model = chance_model(second=Q)
    with pytest.raises(InvalidGridError) as info:
        check_point(model, {"p": Fraction(3, 10), "q": Fraction(1, 2), "x": 1})
    assert str(info.value) == (
        "at p=0.3, q=0.5 the chance probabilities at the root sum to 0.8, not 1"
    )
    check_point(model, {"p": Fraction(3, 10)})  # q unknown: nothing to say about the sum
    check_point(model, {"p": Fraction(1, 2), "q": Fraction(1, 2)})
    with pytest.raises(InvalidGridError, match=r"'b' at the root is q = -0\.5, which is negative"):
        check_point(model, {"q": Fraction(-1, 2)})


# ------------------------------------------------------------------------------ tornado inputs
def test_tornado_parameter_names(arms_model):
    with pytest.raises(UnknownParameterError, match="unknown parameter 'nope'; declared: "):
        tornado(arms_model, parameters=["nope"])
    with pytest.raises(InvalidGridError, match="'nightmare_loss' has no declared range"):
        tornado(arms_model, parameters=["nightmare_loss"])
    with pytest.raises(InvalidOptionError, match="parameters= is empty"):
        tornado(arms_model, parameters=[])
    with pytest.raises(InvalidOptionError, match="lists a parameter twice"):
        tornado(arms_model, parameters=["approval_gain", "approval_gain"])
    with pytest.raises(UnknownParameterError, match="unknown parameter 'nope'"):
        tornado(arms_model, at={"nope": 1})
    one = tornado(arms_model, outcome="Moscow:transfer", parameters="approval_gain")
    assert [b.parameter for b in one.bars] == ["approval_gain"]


def test_tornado_unused_parameter():
    game = gt.NormalFormGame.bimatrix([[X, 0], [0, 1]], [[1, 0], [0, X]])
    model = gt.Model(
        game=game, parameters={"x": _param("x", 1, 0, 2), "spare": _param("spare", 1, 0, 2)}
    )
    with pytest.raises(UnusedParameterError, match="'spare' does not appear in any payoff"):
        tornado(model, parameters=["spare"])


@pytest.mark.parametrize("index", [True, 1.0, "0"])
def test_tornado_equilibrium_must_be_an_index(arms_model, index):
    with pytest.raises(InvalidOptionError, match="equilibrium must be an index"):
        tornado(arms_model, equilibrium=index)


def test_tornado_baseline_with_a_bad_chance_probability():
    threat = gt.load(THREAT)
    with pytest.raises(InvalidGridError, match=r"^at p_resolute=-0.1 the chance probability"):
        tornado(threat, outcome="payoff:Seoul", at={"p_resolute": -0.1})


# ------------------------------------------------------------------------------ tornado outputs
@pytest.fixture(scope="module")
def tor(arms_model):
    return tornado(arms_model, outcome=["Moscow:transfer", "payoff:Seoul"])


def test_tornado_csv_matches_the_bars(tor, tmp_path):
    rows = list(csv.DictReader(io.StringIO(tor.to_csv())))
    assert len(rows) == len(tor.bars)
    for r, b in zip(rows, tor.bars):
        assert (r["outcome"], r["parameter"]) == (b.outcome, b.parameter)
        assert [float(r["range_low"]), float(r["range_high"])] == list(b.range)
        assert float(r["baseline"]) == b.baseline
        assert float(r["low"]) == b.low and float(r["high"]) == b.high
        assert float(r["swing"]) == b.swing
        assert r["support_changes"] == ("true" if b.support_changes else "false")
    path = tmp_path / "tornado.csv"
    tor.to_csv(path)
    assert path.read_text() == tor.to_csv()
    assert tor.outcomes == ["Moscow:transfer", "payoff:Seoul"]


def test_tornado_missing_end_in_csv_and_chart(tmp_path):
    import matplotlib.pyplot as plt

    bars = [
        TornadoBar("a", "P:s", (0.0, 1.0), 0.5, float("nan"), 0.9, True),
        TornadoBar("b", "P:s", (1.0, 2.0), 0.5, 0.4, 0.6, False),
    ]
    result = TornadoResult(bars, "mixed: P{s,t}")
    rows = list(csv.DictReader(io.StringIO(result.to_csv())))
    assert rows[0]["low"] == "" and rows[0]["swing"] == "" and rows[0]["high"] == "0.9"
    fig = result.plot(tmp_path / "t.png")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["a [0, 1] * †", "b [1, 2]"]
    assert list(fig.axes[0].get_yticks()) == [1, 0]  # the first bar on top
    widths = sorted(round(p.get_width(), 12) for p in fig.axes[0].patches)
    assert widths == [-0.1, 0.1, 0.4]  # a's missing low end is not drawn
    plt.close("all")


def test_tornado_to_pandas(tor, monkeypatch):
    df = tor.to_pandas()
    assert len(df) == len(tor.bars)
    assert df["swing"].tolist() == [b.swing for b in tor.bars]
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="needs pandas, which is not installed"):
        tor.to_pandas()


def test_tornado_plot_png_and_svg(tor, tmp_path):
    import matplotlib.pyplot as plt

    png, svg, svg2 = tmp_path / "t.png", tmp_path / "t.svg", tmp_path / "t2.svg"
    fig = tor.plot(png)
    tor.plot(svg)
    tor.plot(svg2)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    assert b"<svg" in svg.read_bytes() and svg.read_bytes() == svg2.read_bytes()
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_xlabel() for ax in panels] == tor.outcomes
    for ax, outcome in zip(panels, tor.outcomes):
        ends = {round(p.get_x() + p.get_width(), 9) for p in ax.patches}
        want = {round(v, 9) for b in tor.for_outcome(outcome) for v in (b.low, b.high)}
        assert ends == want
        names = [t.get_text().split(" [")[0] for t in ax.get_yticklabels()]
        assert names == [b.parameter for b in tor.for_outcome(outcome)]
        assert np.all(np.diff(ax.get_yticks()) < 0)  # largest swing on top
    top = tor.plot(outcome="payoff:Seoul", top=3)
    assert len(top.axes[0].get_yticklabels()) == 3
    plt.close("all")


def test_tornado_plot_bad_arguments(tor):
    with pytest.raises(InvalidOptionError, match="unknown outcome 'Seoul:flee'"):
        tor.plot(outcome="Seoul:flee")
    with pytest.raises(InvalidOptionError, match="top must be a positive integer"):
        tor.plot(top=0)
    with pytest.raises(gt.GameTheoryError, match="no bars to plot"):
        TornadoResult([], "x").plot()


# ------------------------------------------------------------------------------ through the CLI
def test_cli_sensitivity_unknown_set_name(capsys):
    assert main(["sensitivity", ARMS, "--set", "nope=1"]) == 2
    err = capsys.readouterr().err
    assert "unknown parameter 'nope'; declared: approval_gain" in err


def test_cli_sensitivity_names_the_bad_chance_probability(capsys):
    assert main(["sensitivity", THREAT, "--set", "p_resolute=-0.1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.endswith(
        "threat_signaling.yaml: at p_resolute=-0.1 the chance probability of 'resolute' at "
        "the root is p_resolute = -0.1, which is negative"
    )


def test_cli_montecarlo_negative_seed_is_bad_input(capsys):
    assert main(["montecarlo", ARMS, "--n", "5", "--seed", "-1"]) == 2
    err = capsys.readouterr().err
    assert "seed must be a non-negative integer, got -1" in err and "internal error" not in err


def test_cli_montecarlo_set_fixes_the_parameter(capsys):
    # r = 1 < c_T on every draw that keeps transfer_cost above 1: fewer regimes than sampling r
    assert main(["montecarlo", ARMS, "--n", "50", "--set", "retaliation_value=1",
                 "--format", "json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["fixed"]["retaliation_value"] == 1.0
    assert "retaliation_value" not in data["priors"]
    assert math.isclose(sum(r["share"] for r in data["regimes"]), 1.0)
    assert np.isclose(sum(r["count"] for r in data["regimes"]), 50)
