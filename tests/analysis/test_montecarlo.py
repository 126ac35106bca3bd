"""Monte Carlo: shares against hand-computed probabilities, reproducibility, priors, separation."""

from __future__ import annotations

import numpy as np
import pytest

import gametheory as gt
from gametheory.analysis import InvalidGridError, montecarlo, wilson_interval

MIXED = "mixed: Seoul{withhold,arm} Moscow{restrain,transfer}"
ARM_RESTRAIN = "pure: Seoul=arm Moscow=restrain"


def test_share_matches_hand_probability(arms_model):
    # Moscow transfers against arms iff r > c_T = 1.5; at baseline 0 < X = 2 < gamma, so with
    # r ~ U(0, 6) the mixed regime has probability 3/4 and (arm, restrain) 1/4.
    res = montecarlo(arms_model, 4000, parameters=["retaliation_value"], seed=7)
    shares = {r["label"]: r for r in res.shares()}
    assert set(shares) == {MIXED, ARM_RESTRAIN}
    lo, hi = shares[MIXED]["ci"]
    assert lo < 0.75 < hi and hi - lo < 0.03
    assert shares[MIXED]["count"] + shares[ARM_RESTRAIN]["count"] == 4000
    # the regime is decided by r alone: a perfect split at c_T
    best = res.separation()[ARM_RESTRAIN][0]
    assert best["parameter"] == "retaliation_value" and best["balanced_accuracy"] == 1.0
    assert best["split"][0] == "<=" and best["split"][1] == pytest.approx(1.5, abs=0.01)
    assert best["std_mean_difference"] < 0


def test_seeded_and_identical_across_backends(arms_model):
    a = montecarlo(arms_model, 3000, seed=42, chunk_size=500)
    b = montecarlo(arms_model, 3000, seed=42)
    c = montecarlo(arms_model, 3000, seed=42, backend="processes", workers=2, chunk_size=700)
    for other in (b, c):
        np.testing.assert_array_equal(a.samples, other.samples)
        np.testing.assert_array_equal(a.regime, other.regime)
        assert a.regimes == other.regimes
        assert a.shares() == other.shares() and a.separation() == other.separation()
    d = montecarlo(arms_model, 3000, seed=43)
    assert not np.array_equal(a.samples, d.samples)
    # default: every payoff parameter with a declared range, uniform on it
    assert a.names == tuple(p for p in arms_model.parameters if p != "nightmare_loss")
    for j, name in enumerate(a.names):
        lo, hi = (float(v) for v in arms_model.parameters[name].range)
        assert lo <= a.samples[:, j].min() and a.samples[:, j].max() <= hi


def test_priors(arms_model):
    priors = {
        "approval_gain": {"dist": "normal", "mean": 1.0, "sd": 2.0},
        "readiness_cost": {"dist": "beta", "a": 2, "b": 5},
        "retaliation_value": {"dist": "triangular", "mode": 1.0},
        "transfer_cost": "uniform",
    }
    res = montecarlo(arms_model, 20000, priors=priors, seed=1)
    x = dict(zip(res.names, res.samples.T))
    assert 0 <= x["approval_gain"].min() and x["approval_gain"].max() <= 3  # truncated to range
    # beta(2, 5) on [0.5, 4]: mean 0.5 + 3.5 * 2/7 = 1.5
    assert x["readiness_cost"].mean() == pytest.approx(1.5, abs=0.02)
    # triangular(0, 1, 6): mean 7/3
    assert x["retaliation_value"].mean() == pytest.approx(7 / 3, abs=0.03)
    assert res.priors["approval_gain"]["truncate"] == [0.0, 3.0]


@pytest.mark.parametrize(
    "priors, message",
    [
        ({"approval_gain": {"dist": "cauchy"}}, "unknown distribution"),
        ({"approval_gain": {"dist": "normal"}}, "sd > 0"),
        ({"approval_gain": {"dist": "beta", "a": 1}}, "a > 0 and b > 0"),
        ({"approval_gain": {"dist": "triangular", "mode": 9}}, "low <= mode <= high"),
    ],
)
def test_bad_priors(arms_model, priors, message):
    with pytest.raises(gt.GameTheoryError, match=message):
        montecarlo(arms_model, 10, priors=priors)


def test_bad_arguments(arms_model):
    with pytest.raises(gt.InvalidOptionError):
        montecarlo(arms_model, 0)
    with pytest.raises(gt.UnknownParameterError):
        montecarlo(arms_model, 10, parameters=["nonsense"])
    with pytest.raises(InvalidGridError, match="low < high"):
        montecarlo(arms_model, 10, parameters=["nightmare_loss"])


def test_wilson_interval_known_values():
    lo, hi = wilson_interval(50, 100)
    assert (round(lo, 4), round(hi, 4)) == (0.4038, 0.5962)
    lo, hi = wilson_interval(0, 20)
    assert lo == 0.0 and hi == pytest.approx(0.1611, abs=1e-4)
