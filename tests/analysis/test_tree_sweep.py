"""Sweeps of game trees: batched backward induction, per-point solves, output, bad input."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tree_models import (
    entry_model,
    poker_model,
    random_parametric_tree,
    signaling_model,
    solve_rows,
    sweep_rows,
)

import gametheory as gt
from gametheory.analysis import InvalidGridError, sweep
from gametheory.analysis.tree_eval import TreeEvaluator
from gametheory.exceptions import InvalidOptionError, MethodNotApplicableError
from gametheory.solvers.backward_induction import induction_batch

ENTRY_REGIMES = {
    "low": "pure: Entrant{E=out} Incumbent{I=fight}",
    "mid": "pure: Entrant{E=in} Incumbent{I=accommodate}",
    "high": "pure: Entrant{E=out} Incumbent{I=accommodate}",
}


def prob_columns(result) -> list[str]:
    k = len(result.parameters)
    return result.columns[k + 2 : k + 2 + result.probs.shape[1]]


def test_entry_sweep_follows_the_hand_derivation_and_solve():
    model = entry_model()
    grid = np.linspace(0, 6, 61)  # both critical values 1.5 and 3.5 are grid points
    res = sweep(model, {"theta": grid})
    assert res.method.startswith("auto: backward induction vectorised over points")
    cols = prob_columns(res)
    assert cols == [
        "Entrant:E:out",
        "Entrant:E:in",
        "Incumbent:I:fight",
        "Incumbent:I:accommodate",
    ]
    regimes = res.regimes()
    for k, theta in enumerate(grid):
        # by hand (see tree_models.entry_model): changes at k - 1 = 3/2 and m = 7/2, where
        # the incumbent (resp. the entrant) is indifferent and both neighbours' equilibria exist
        want = set()
        if theta <= 1.5 + 1e-9:
            want.add(ENTRY_REGIMES["low"])
        if 1.5 - 1e-9 <= theta <= 3.5 + 1e-9:
            want.add(ENTRY_REGIMES["mid"])
        if theta >= 3.5 - 1e-9:
            want.add(ENTRY_REGIMES["high"])
        assert regimes[k] == " | ".join(sorted(want)), theta
        ref = solve_rows(model.bind(theta=float(theta)), "backward-induction", cols)
        assert sweep_rows(res, k) == ref, theta
    # payoffs by hand in the middle regime: (m - theta, 1)
    mid = (grid > 1.55) & (grid < 3.45)
    sel = np.isin(res.point, np.flatnonzero(mid))
    assert sel.sum() == 19
    np.testing.assert_allclose(res.payoffs[sel, 0], 3.5 - grid[res.point[sel]], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(res.payoffs[sel, 1], 1.0)
    assert np.all(res.regret == 0)
    assert res.stats["tied_points"] == 2  # theta = 1.5 and 3.5 re-solved one by one
    labels = [b.label for b in res.branches()]
    assert labels == [ENTRY_REGIMES["low"], ENTRY_REGIMES["mid"], ENTRY_REGIMES["high"]]
    ranges = [b.ranges["theta"] for b in res.branches()]
    assert ranges == [(0.0, 1.5), (1.5, 3.5), (3.5, 6.0)]


def test_csv_columns_follow_the_contract():
    res = sweep(entry_model(), {"theta": [1.0, 2.0]})
    text = res.to_csv()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "theta",
        "equilibrium",
        "branch",
        "Entrant:E:out",
        "Entrant:E:in",
        "Incumbent:I:fight",
        "Incumbent:I:accommodate",
        "payoff:Entrant",
        "payoff:Incumbent",
        "regret",
    ]
    assert rows[1] == ["1.0", "0", "0", "1.0", "0.0", "1.0", "0.0", "0.0", "5.0", "0.0"]
    assert rows[2] == ["2.0", "0", "1", "0.0", "1.0", "0.0", "1.0", "1.5", "1.0", "0.0"]
    out = io.StringIO()
    sweep(entry_model(), {"theta": [1.0, 2.0]}, out=out)
    assert out.getvalue() == text
    frame = res.to_pandas()
    assert list(frame["Incumbent:I:fight"]) == [1.0, 0.0]


def test_signaling_two_dimensional_sweep_matches_solve():
    model = signaling_model()
    grid = {"approval_gain": np.linspace(0, 15, 16) + 0.05, "p_resolute": [0.1, 0.3, 0.55]}
    res = sweep(model, grid, at={"backdown_cost": 2})
    cols = prob_columns(res)
    values = res.points.values(0, res.points.size)
    for k, (alpha, rho) in enumerate(values):
        game = model.bind(approval_gain=float(alpha), p_resolute=float(rho), backdown_cost=2)
        assert sweep_rows(res, k) == solve_rows(game, "backward-induction", cols)
        # by hand: after a quiet Moscow, Seoul arms iff X = alpha + 1 > 14 rho
        quiet_arm = res.probs[res.point == k, cols.index("Seoul:after_quiet:arm")]
        assert list(quiet_arm) == [1.0 if alpha + 1 > 14 * rho else 0.0]


def test_imperfect_information_sweep_is_per_point_spe():
    model = poker_model()
    grid = np.linspace(0.2, 4, 9)
    res = sweep(model, {"b": grid})
    assert res.method.startswith("auto: spe (per point)")
    cols = prob_columns(res)
    for k, b in enumerate(grid):
        assert sweep_rows(res, k) == solve_rows(model.bind(b=float(b)), "spe", cols)
        sel = res.point == k
        # the mixed equilibrium by hand, p_high = 1/3
        q = (1 / 3) * b / ((2 / 3) * (2 + b))
        assert res.probs[sel, cols.index("Ann:L:bet")] == pytest.approx([q], abs=1e-9)
        assert res.probs[sel, cols.index("Bob:bet:call")] == pytest.approx([2 / (2 + b)], abs=1e-9)
    assert [b.label for b in res.branches()] == ["mixed: Ann{H=bet;L=fold+bet} Bob{bet=call+pass}"]
    with pytest.raises(MethodNotApplicableError, match="needs perfect information"):
        sweep(model, {"b": grid}, method="backward-induction")


def test_exact_sweep_certifies_each_point():
    res = sweep(entry_model(), {"theta": [1.0, 2.0, 3.5]}, exact=True)
    fast = sweep(entry_model(), {"theta": [1.0, 2.0, 3.5]})
    assert res.method.startswith("auto: backward-induction (exact, per point)")
    np.testing.assert_array_equal(res.probs, fast.probs)
    np.testing.assert_array_equal(res.payoffs, fast.payoffs)
    np.testing.assert_array_equal(res.regret, 0.0)


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 3))
def test_batched_induction_matches_per_point_solves(seed, n_players):
    model, _ = random_parametric_tree(seed, depth=4, n_players=n_players)
    grid = np.linspace(-2, 2, 41)  # integer and half-integer points: ties happen
    res = sweep(model, {"theta": grid}, chunk_size=16)
    cols = prob_columns(res)
    for k, theta in enumerate(grid):
        ref = solve_rows(model.bind(theta=float(theta)), "backward-induction", cols)
        assert sweep_rows(res, k) == ref, theta


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10**6))
def test_induction_batch_values_match_the_solver_pass(seed):
    from gametheory.solvers.backward_induction import induction_pass

    model, _ = random_parametric_tree(seed, depth=5, n_players=3)
    game = model.game
    xs = np.random.default_rng(seed).uniform(-2, 2, 25)
    pay, chance = TreeEvaluator(game)({"theta": xs}, xs.size)
    tol = 1e-9 * np.maximum(np.ptp(pay, axis=(0, 1)), 1.0)
    root, choice, tied = induction_batch(game, pay, chance, tol)
    dec = np.flatnonzero(game.node_kind == 1)
    for k, x in enumerate(xs):
        g = model.bind(theta=float(x))
        values, ch, ti = induction_pass(g, g.tolerance())
        np.testing.assert_allclose(root[:, k], values[0], rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(choice[:, k], ch[dec])
        assert tied[k] == bool(ti.any())


def test_processes_backend_gives_the_serial_result():
    model, _ = random_parametric_tree(5, depth=5)
    grid = {"theta": np.linspace(-2, 2, 301)}
    serial = sweep(model, grid, chunk_size=64)
    procs = sweep(model, grid, chunk_size=64, backend="processes", workers=2)
    for f in ("point", "equilibrium", "branch", "label", "probs", "payoffs", "regret"):
        np.testing.assert_array_equal(getattr(serial, f), getattr(procs, f), err_msg=f)
    assert serial.to_csv() == procs.to_csv()


def test_bad_input():
    model = signaling_model()
    with pytest.raises(InvalidGridError, match=r"at p_resolute=1\.5 .*chance probabilities"):
        with pytest.warns(gt.analysis.OutOfRangeWarning):
            sweep(model, {"p_resolute": [0.5, 1.5]})
    with pytest.raises(InvalidOptionError, match="ties must be 'all' or 'first'"):
        sweep(model, {"p_resolute": [0.5]}, ties="some")
    with pytest.raises(InvalidOptionError, match="has no option 'foo'"):
        sweep(model, {"p_resolute": [0.5]}, foo=1)
    with pytest.raises(MethodNotApplicableError, match="continuation follows equilibria of normal"):
        gt.continuation(model, "p_resolute")
