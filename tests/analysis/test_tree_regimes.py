"""Monte Carlo regime shares and tornado summaries of trees."""

from __future__ import annotations

import numpy as np
import pytest
from tree_models import entry_model, poker_model, signaling_model

from gametheory.analysis import montecarlo, tornado

LOW = "pure: Entrant{E=out} Incumbent{I=fight}"
MID = "pure: Entrant{E=in} Incumbent{I=accommodate}"
HIGH = "pure: Entrant{E=out} Incumbent{I=accommodate}"


def test_entry_regime_shares_follow_the_critical_values():
    res = montecarlo(entry_model(), 4000, priors={"theta": "uniform"}, seed=3)
    theta = res.samples[:, 0]
    assert theta.min() >= 0 and theta.max() <= 6
    # by hand: (out, fight) below 3/2, (in, accommodate) up to 7/2, (out, accommodate) above
    want = {LOW: int(np.sum(theta < 1.5)), MID: int(np.sum((theta > 1.5) & (theta < 3.5)))}
    want[HIGH] = int(np.sum(theta > 3.5))
    got = {row["label"]: row["count"] for row in res.shares()}
    assert got == want
    assert res.method.startswith("auto: backward induction vectorised")
    split = res.separation()[MID][0]
    assert split["parameter"] == "theta" and split["balanced_accuracy"] < 1.0
    low = res.separation()[LOW][0]
    assert low["split"][0] == "<=" and low["split"][1] == pytest.approx(1.5, abs=0.01)
    again = montecarlo(entry_model(), 4000, priors={"theta": "uniform"}, seed=3)
    np.testing.assert_array_equal(res.regime, again.regime)


def test_signaling_shares_in_two_parameters():
    model = signaling_model()
    res = montecarlo(model, 2000, parameters=["approval_gain", "p_resolute"], seed=1)
    alpha, rho = res.samples[:, 0], res.samples[:, 1]
    # with backdown_cost = 2 (credible warnings) and approval_gain <= 3 < 13, Moscow warns
    # exactly when Seoul would arm after a quiet Moscow: alpha + 1 > 14 rho
    warn = alpha + 1 > 14 * rho
    shares = {row["label"]: row["count"] for row in res.shares()}
    assert sum(c for label, c in shares.items() if "signal=warn" in label) == int(warn.sum())
    assert sum(c for label, c in shares.items() if "signal=quiet" in label) == int((~warn).sum())


def test_tornado_follows_a_tree_equilibrium():
    res = tornado(entry_model(), outcome=["payoff:Entrant", "Entrant:E:in"])
    assert res.equilibrium == MID
    bars = {(b.parameter, b.outcome): b for b in res.bars}
    # theta from 0 to 6: (out, fight) at 0 and (out, accommodate) at 6 both pay the entrant 0
    t = bars[("theta", "payoff:Entrant")]
    assert (t.low, t.baseline, t.high) == (0.0, 1.5, 0.0) and t.support_changes
    # m from 2 to 5 at theta = 2: below m = 2 the entrant stays out, otherwise pays m - 2
    m = bars[("m", "payoff:Entrant")]
    assert (m.low, m.high) == (0.0, 3.0)
    # the incumbent fights iff k - theta > 1: not at k = 1, but at k = 4 (the entrant stays out)
    k = bars[("k", "Entrant:E:in")]
    assert (k.low, k.baseline, k.high) == (1.0, 1.0, 0.0)
    mixed = tornado(poker_model(), outcome="Ann:L:bet", parameters=["b"])
    (bar,) = mixed.bars
    assert bar.low == pytest.approx(0.0, abs=1e-9)
    assert bar.high == pytest.approx((1 / 3) * 4 / ((2 / 3) * 6))
