"""Monte Carlo: bad priors, names, seeds and sizes give one-line errors; tables and figures.

The arms dilemma (conftest): Moscow transfers against arms iff r > c_T, and its
payoffs ``-eD`` cancel between its two replies, so ``damage_to_russia`` never
changes the regime while ``retaliation_value`` decides it.
"""

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
from gametheory.analysis import InvalidGridError, UnusedParameterError, montecarlo
from gametheory.exceptions import InvalidOptionError, OutOfRangeWarning, UnknownParameterError

matplotlib.use("Agg")

THREAT = Path(__file__).resolve().parents[2] / "models" / "threat_signaling.yaml"


# ------------------------------------------------------------------------------ names
def test_unknown_prior_name_alone_names_it_and_the_declared_parameters(arms_model):
    with pytest.raises(UnknownParameterError) as info:
        montecarlo(arms_model, 10, priors={"aproval_gain": {"dist": "normal", "mean": 1, "sd": 1}})
    message = str(info.value)
    assert message.startswith("unknown parameter 'aproval_gain'; declared: ")
    assert message.split("declared: ")[1].split(", ") == list(arms_model.parameters)


def test_typo_beside_a_good_prior_is_not_ignored(arms_model):
    with pytest.raises(UnknownParameterError, match="'aproval_gain'"):
        montecarlo(arms_model, 10, priors={"approval_gain": "uniform", "aproval_gain": "uniform"})


def test_prior_on_a_parameter_the_payoffs_do_not_use():
    x = sp.Symbol("x")
    game = gt.NormalFormGame.bimatrix([[x, 0], [0, 1]], [[1, 0], [0, x]])
    model = gt.Model(
        game=game,
        parameters={
            "x": gt.Parameter("x", Fraction(1), (Fraction(0), Fraction(2))),
            "spare": gt.Parameter("spare", Fraction(1), (Fraction(0), Fraction(2))),
        },
    )
    with pytest.raises(UnusedParameterError, match="'spare' does not appear in any payoff"):
        montecarlo(model, 10, priors={"spare": "uniform"})


def test_prior_outside_parameters_and_duplicates(arms_model):
    with pytest.raises(InvalidOptionError, match="priors give 'transfer_cost', which is not in"):
        montecarlo(
            arms_model, 10, parameters=["approval_gain"], priors={"transfer_cost": "uniform"}
        )
    with pytest.raises(InvalidOptionError, match="lists a parameter twice"):
        montecarlo(arms_model, 10, parameters=["approval_gain", "approval_gain"])
    with pytest.raises(UnknownParameterError, match="'nope'"):
        montecarlo(arms_model, 10, parameters="nope")


def test_at_fixes_a_parameter_instead_of_sampling_it(arms_model):
    res = montecarlo(arms_model, 50, seed=2, at={"approval_gain": 2})
    assert "approval_gain" not in res.names
    assert res.fixed["approval_gain"] == 2.0 and res.fixed["nightmare_loss"] == 10.0
    assert res.to_dict()["fixed"] == res.fixed
    with pytest.raises(InvalidOptionError, match="'approval_gain' is both sampled and fixed"):
        montecarlo(arms_model, 10, priors={"approval_gain": "uniform"}, at={"approval_gain": 2})
    with pytest.raises(UnknownParameterError, match="unknown parameter 'nope'"):
        montecarlo(arms_model, 10, at={"nope": 1})
    with pytest.raises(InvalidGridError, match="value of 'approval_gain' must be a number"):
        montecarlo(arms_model, 10, at={"approval_gain": "2"})


def test_fixed_values_that_break_a_chance_move_are_named():
    threat = gt.load(THREAT)
    with pytest.raises(InvalidGridError) as info:
        montecarlo(threat, 10, parameters=["approval_gain"], at={"p_resolute": Fraction(-1, 10)})
    assert str(info.value) == (
        "at p_resolute=-0.1 the chance probability of 'resolute' at the root is "
        "p_resolute = -0.1, which is negative"
    )


# ------------------------------------------------------------------------------ specs
@pytest.mark.parametrize(
    "spec, error, message",
    [
        (3, InvalidOptionError,
         "prior of 'approval_gain' must be a distribution name or a mapping"),
        ({"dist": "normal", "mean": "x", "sd": 1}, InvalidOptionError,
         "normal prior of 'approval_gain': mean must be a number, got 'x'"),
        ({"dist": "normal", "mean": 1, "sd": 1, "sigma": 2}, InvalidOptionError,
         "normal prior of 'approval_gain': unknown field 'sigma'; it takes: dist, mean, sd, "
         "truncate"),
        ({"low": 0, "hihg": 2}, InvalidOptionError,
         "uniform prior of 'approval_gain': unknown field 'hihg'"),
        ({"dist": 2}, InvalidOptionError, "unknown distribution 2"),
        ({"dist": "normal", "sd": True}, InvalidOptionError, "sd must be a number, got True"),
        ({"dist": "normal", "sd": 1, "truncate": "no"}, InvalidOptionError,
         "truncate must be true or false"),
        ({"dist": "normal", "sd": 0}, InvalidGridError, "needs sd > 0, got sd=0.0"),
        ({"dist": "normal", "sd": -1}, InvalidGridError, "needs sd > 0"),
        ({"dist": "normal", "mean": float("nan"), "sd": 1}, InvalidGridError,
         "mean must be finite, got nan"),
        ({"dist": "uniform", "low": 0, "high": float("inf")}, InvalidGridError,
         "high must be finite, got inf"),
        ({"dist": "uniform", "low": 2, "high": 2}, InvalidGridError, "needs low < high"),
        ({"dist": "beta", "a": 0, "b": 2}, InvalidGridError, "needs a > 0 and b > 0, got a=0.0"),
        ({"dist": "beta", "a": 2}, InvalidGridError, "needs a > 0 and b > 0, got a=2.0, b=None"),
        ({"dist": "triangular", "mode": 5}, InvalidGridError,
         "needs low <= mode <= high, got 0 <= 5 <= 3"),
        ({"dist": "triangular", "low": 2, "high": 3}, InvalidGridError,
         "mode defaults to the baseline"),
        ({"dist": "normal", "mean": -10, "sd": 1}, InvalidGridError,
         "of its mass in the declared range [0, 3]; move the mean"),
    ],
)
def test_bad_prior_specs(arms_model, spec, error, message):
    with pytest.raises(error) as info:
        montecarlo(arms_model, 10, priors={"approval_gain": spec})
    text = str(info.value)
    assert message in text and "approval_gain" in text and "\n" not in text
    assert isinstance(info.value, gt.GameTheoryError)


def test_normal_prior_with_little_mass_in_range_still_draws_inside_it(arms_model):
    # N(-3, 1) puts Phi(6) - Phi(3) = 0.00135 of its mass in [0, 3]: many rejection rounds
    res = montecarlo(arms_model, 300, priors={"approval_gain": {"mean": -3, "sd": 1,
                                                                "dist": "normal"}}, seed=4)
    x = res.samples[:, 0]
    assert x.min() >= 0 and x.max() <= 3
    # conditional on [0, 3] the density falls like exp(-(x+3)^2/2): mean about 1/(x+3) -> ~0.3
    assert 0.15 < x.mean() < 0.5


def test_prior_beyond_the_declared_range_warns(arms_model):
    with pytest.warns(OutOfRangeWarning, match=r"goes outside the declared range \[0, 3\]"):
        montecarlo(arms_model, 10, priors={"approval_gain": {"low": -1, "high": 3}})


def test_priors_must_be_a_mapping(arms_model):
    with pytest.raises(InvalidOptionError, match="priors maps parameter names to prior specs"):
        montecarlo(arms_model, 10, priors=["approval_gain"])


# ------------------------------------------------------------------------------ seed, n, level
@pytest.mark.parametrize("seed", ["abc", -1, 1.5, True])
def test_bad_seed(arms_model, seed):
    with pytest.raises(InvalidOptionError, match="seed must be a non-negative integer"):
        montecarlo(arms_model, 10, seed=seed)


def test_seed_types(arms_model):
    a = montecarlo(arms_model, 20, seed=np.int64(5), parameters=["approval_gain"])
    b = montecarlo(arms_model, 20, seed=5, parameters=["approval_gain"])
    np.testing.assert_array_equal(a.samples, b.samples)
    assert a.seed == 5 and type(a.seed) is int
    c = montecarlo(arms_model, 20, seed=None, parameters=["approval_gain"])
    assert c.seed is None and c.n == 20


@pytest.mark.parametrize("n", [0, -3, 2.5, "10", True])
def test_bad_n(arms_model, n):
    with pytest.raises(InvalidOptionError, match="n must be a positive integer"):
        montecarlo(arms_model, n)


@pytest.mark.parametrize("level", ["x", 1.0, 0, True])
def test_bad_confidence(arms_model, level):
    with pytest.raises(InvalidOptionError, match=r"confidence must be in \(0, 1\)"):
        montecarlo(arms_model, 10, confidence=level)


# ------------------------------------------------------------------------------ tables
@pytest.fixture(scope="module")
def run(arms_model):
    return montecarlo(
        arms_model, 600, parameters=["retaliation_value", "damage_to_russia"], seed=11
    )


def test_csv_of_the_draws_matches_the_result(run):
    text = run.to_csv()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["draw", "retaliation_value", "damage_to_russia", "regime", "label"]
    assert rows[0] == run.columns
    body = rows[1:]
    assert len(body) == run.n
    for t, row in enumerate(body):
        assert int(row[0]) == t
        assert [float(v) for v in row[1:3]] == run.samples[t].tolist()  # exact round trip
        assert int(row[3]) == run.regime[t]
        assert row[4] == run.regimes[run.regime[t]]
    assert text.endswith("\n") and "\r" not in text
    # labels with commas are quoted, so every row has five fields
    assert any("," in r[4] for r in body)
    assert run.records[7] == dict(zip(run.columns, [7, *run.samples[7].tolist(),
                                                    int(run.regime[7]),
                                                    run.regimes[run.regime[7]]]))


def test_csv_of_the_shares_matches_the_result(run):
    rows = list(csv.DictReader(io.StringIO(run.to_csv(table="shares"))))
    shares = run.shares()
    assert [r["label"] for r in rows] == [s["label"] for s in shares]
    for r, s in zip(rows, shares):
        assert int(r["count"]) == s["count"]
        assert float(r["share"]) == s["share"]
        assert [float(r["ci_low"]), float(r["ci_high"])] == s["ci"]
    assert sum(int(r["count"]) for r in rows) == run.n


def test_csv_is_byte_identical_across_runs_and_backends(arms_model, run, tmp_path):
    again = montecarlo(
        arms_model,
        600,
        parameters=["retaliation_value", "damage_to_russia"],
        seed=11,
        chunk_size=97,
    )
    assert again.to_csv() == run.to_csv()
    path = tmp_path / "draws.csv"
    assert run.to_csv(path) is None
    assert path.read_bytes() == run.to_csv().encode()
    buffer = io.StringIO()
    run.to_csv(buffer, table="shares")
    assert buffer.getvalue() == run.to_csv(table="shares")
    other = montecarlo(arms_model, 600, parameters=["retaliation_value", "damage_to_russia"],
                       seed=12)
    assert other.to_csv() != run.to_csv()


def test_unknown_table(run):
    with pytest.raises(InvalidOptionError, match="unknown table 'regimes'; choose from: draws"):
        run.to_csv(table="regimes")


def test_to_pandas(run):
    df = run.to_pandas()
    assert list(df.columns) == run.columns and len(df) == run.n
    np.testing.assert_array_equal(df["retaliation_value"].to_numpy(), run.samples[:, 0])
    np.testing.assert_array_equal(df["regime"].to_numpy(), run.regime)
    assert df["label"].tolist() == [run.regimes[k] for k in run.regime]
    shares = run.to_pandas("shares")
    assert shares["count"].tolist() == [s["count"] for s in run.shares()]
    assert shares["ci_high"].tolist() == [s["ci"][1] for s in run.shares()]


def test_to_pandas_without_pandas(run, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"to_pandas\(\) needs pandas, which is not installed"):
        run.to_pandas()


# ------------------------------------------------------------------------------ figures
def test_best_parameters_find_the_one_that_decides(run):
    # the regime is decided by r alone (a perfect split at c_T = 1.5)
    assert run.best_parameters(1) == ["retaliation_value"]
    assert run.best_parameters() == ["retaliation_value", "damage_to_russia"]


@pytest.mark.parametrize("kind", ["both", "shares", "scatter"])
def test_plot_writes_png_and_svg(run, tmp_path, kind):
    import matplotlib.pyplot as plt

    png, svg = tmp_path / "mc.png", tmp_path / "mc.svg"
    fig = run.plot(png, kind=kind)
    run.plot(svg, kind=kind)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    assert b"<svg" in svg.read_bytes() and svg.stat().st_size > 5000
    axes = fig.axes
    assert len(axes) == (2 if kind == "both" else 1)
    if kind != "shares":
        scatter = axes[-1]
        assert scatter.get_xlabel() == "retaliation_value"
        assert scatter.get_ylabel() == "damage_to_russia"
        (points,) = scatter.collections
        np.testing.assert_array_equal(points.get_offsets(), run.samples)
    if kind != "scatter":
        bars = axes[0].patches
        assert sorted(round(b.get_width(), 12) for b in bars) == sorted(
            round(s["share"], 12) for s in run.shares()
        )
    plt.close("all")


def test_plot_is_deterministic_and_one_parameter_gives_a_histogram(run, tmp_path):
    import matplotlib.pyplot as plt

    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    run.plot(a)
    run.plot(b)
    assert a.read_bytes() == b.read_bytes()
    fig = run.plot(kind="scatter", parameters="damage_to_russia")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "damage_to_russia" and ax.get_ylabel() == "draws"
    heights = sum(p.get_height() for p in ax.patches)
    assert math.isclose(heights, run.n)
    plt.close("all")


def test_plot_bad_arguments(run):
    with pytest.raises(InvalidOptionError, match="unknown kind 'pie'"):
        run.plot(kind="pie")
    with pytest.raises(InvalidOptionError, match="'approval_gain' was not sampled"):
        run.plot(parameters=["approval_gain", "retaliation_value"])
    with pytest.raises(InvalidOptionError, match="one or two different parameters"):
        run.plot(parameters=["retaliation_value", "retaliation_value"])
