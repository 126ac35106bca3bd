"""Sweeps: agreement with independent solvers, closed forms by hand, branches, output, bad input."""

from __future__ import annotations

import io
import warnings
from fractions import Fraction

import numpy as np
import pygambit
import pytest
import sympy as sp
from conftest import build_arms_model, random_parametric_game

import gametheory as gt
from gametheory.analysis import (
    InvalidGridError,
    OutOfRangeWarning,
    UnusedParameterError,
    sweep,
    sweep_to_csv,
)

BASE = {
    "alliance_credit": 1.5,
    "battlefield_effect": 0.3,
    "setback_value": 5.0,
    "readiness_cost": 2.0,
    "compound_penalty": 4.0,
    "nightmare_loss": 10.0,
    "retaliation_value": 3.0,
    "transfer_cost": 1.5,
    "damage_to_russia": 4.0,
}


def hand_equilibria(alpha: float, p: dict | None = None) -> set:
    """Equilibria of the arms dilemma derived by hand (generic parameter values).

    X = alpha + beta + e V - kappa.  Seoul: arm beats withhold against restrain iff X > 0,
    against transfer iff X > gamma.  Moscow: against withhold restrain always (c_T > 0);
    against arm transfer iff r > c_T.  With 0 < X < gamma and r > c_T there is no pure
    equilibrium and the mixed one makes Moscow indifferent (Seoul arms with q = c_T / r)
    and Seoul indifferent (Moscow transfers with t = X / gamma).
    """
    p = dict(BASE, **(p or {}))
    X = (
        alpha
        + p["alliance_credit"]
        + p["battlefield_effect"] * p["setback_value"]
        - p["readiness_cost"]
    )
    g, r, c = p["compound_penalty"], p["retaliation_value"], p["transfer_cost"]
    out = set()
    if r < c:  # Moscow never transfers
        out.add((0.0 if X > 0 else 1.0, 1.0 if X > 0 else 0.0, 1.0, 0.0))
        return out
    if X < 0:
        out.add((1.0, 0.0, 1.0, 0.0))
    if X > g:
        out.add((0.0, 1.0, 0.0, 1.0))
    if 0 < X < g:
        q, t = c / r, X / g
        out.add((1 - q, q, 1 - t, t))
    return out


def rounded(rows) -> set:
    return {tuple(round(float(v), 9) + 0.0 for v in row) for row in rows}


def per_point(result, k: int) -> list:
    return [result.probs[result.point == k] for k in range(k)]


@pytest.fixture(scope="module")
def grid():
    # avoid the degenerate points alpha = -1 (X = 0) and alpha = 3 (X = gamma)
    return np.linspace(-2.05, 4.95, 71)


def test_arms_sweep_matches_hand_derivation_and_pygambit(arms_model, grid):
    with pytest.warns(OutOfRangeWarning):
        res = sweep(arms_model, {"approval_gain": grid}, strict=False)
    assert res.columns[:3] == ["approval_gain", "equilibrium", "branch"]
    for k, alpha in enumerate(grid):
        got = rounded(res.probs[res.point == k])
        assert got == rounded(hand_equilibria(alpha)), alpha
        exact = {n: Fraction(str(v)) for n, v in BASE.items()}
        exact["approval_gain"] = Fraction(str(alpha))
        g = arms_model.game.bind(**exact)
        A, B = (np.array(x, dtype=object) for x in g.exact_payoffs())
        pg = pygambit.Game.from_arrays(A.astype(object), B.astype(object))
        eqs = pygambit.nash.enummixed_solve(pg, rational=True).equilibria
        oracle = {tuple(float(eq[pl][s]) for pl in pg.players for s in pl.strategies) for eq in eqs}
        assert got == rounded(oracle)


def test_pure_sweep_matches_solve_at_each_point():
    model, _, _ = random_parametric_game(3, (3, 3, 2, 2))
    grid = np.linspace(-2, 2, 41)
    res = sweep(model, {"theta": grid}, method="pure")
    for k, th in enumerate(grid):
        ref = gt.solve(model.bind(theta=float(th)), method="pure")
        want = {tuple(np.concatenate(e.profile)) for e in ref.equilibria}
        assert rounded(res.probs[res.point == k]) == rounded(want)
        sel = res.point == k
        assert np.allclose(
            sorted(map(tuple, res.payoffs[sel])),
            sorted(tuple(e.payoff_values) for e in ref.equilibria),
        )
        assert [res.labels[c] for c in res.label[sel]] == [
            e.support_label() for e in ref.equilibria
        ]


def test_two_player_auto_matches_pygambit_on_random_3x3():
    model, base, slope = random_parametric_game(11, (3, 3))
    grid = np.linspace(-1.97, 1.97, 25)
    res = sweep(model, {"theta": grid})
    for k, th in enumerate(grid):
        th_exact = Fraction(str(th))
        A = np.array(
            [
                [Fraction(int(b)) + int(s) * th_exact for b, s in zip(rb, rs)]
                for rb, rs in zip(base[0], slope[0])
            ],
            dtype=object,
        )
        B = np.array(
            [
                [Fraction(int(b)) + int(s) * th_exact for b, s in zip(rb, rs)]
                for rb, rs in zip(base[1], slope[1])
            ],
            dtype=object,
        )
        pg = pygambit.Game.from_arrays(A, B)
        eqs = pygambit.nash.enummixed_solve(pg, rational=True).equilibria
        oracle = {tuple(float(eq[pl][s]) for pl in pg.players for s in pl.strategies) for eq in eqs}
        assert rounded(res.probs[res.point == k]) == rounded(oracle), th


def test_mixed_probabilities_follow_closed_form(arms_model):
    grid = np.linspace(0.1, 2.9, 15)
    res = sweep(arms_model, {"approval_gain": grid, "retaliation_value": [2.0, 5.0]})
    vals = res.values()
    assert np.all(res.label == res.label[0])  # one mixed regime in this box
    X = vals[:, 0] + 1.5 + 0.3 * 5 - 2.0
    np.testing.assert_allclose(res.column("Moscow:transfer"), X / 4.0, rtol=1e-12)
    np.testing.assert_allclose(res.column("Seoul:arm"), 1.5 / vals[:, 1], rtol=1e-12)
    # Seoul's equilibrium payoff: indifferent, so equal to withholding: -t N
    np.testing.assert_allclose(res.column("payoff:Seoul"), -10.0 * X / 4.0, rtol=1e-12)


def test_branches_are_intervals_with_supports(arms_model, grid):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OutOfRangeWarning)
        res = sweep(arms_model, {"approval_gain": grid})
    summary = {b.label: b for b in res.branches()}
    assert set(summary) == {
        "pure: Seoul=withhold Moscow=restrain",
        "mixed: Seoul{withhold,arm} Moscow{restrain,transfer}",
        "pure: Seoul=arm Moscow=transfer",
    }
    lo, hi = summary["mixed: Seoul{withhold,arm} Moscow{restrain,transfer}"].ranges["approval_gain"]
    assert grid[grid > -1].min() == lo and grid[grid < 3].max() == hi
    assert [b.id for b in res.branches()] == [0, 1, 2]  # numbered by first appearance
    assert "exists for approval_gain in [" in str(res.branches()[1])
    # the same equilibrium keeps its branch id along the interval
    for b in res.branches():
        sel = res.branch == b.id
        assert len({res.labels[c] for c in res.label[sel]}) == 1
        assert np.all(np.diff(np.flatnonzero(np.isin(np.arange(len(grid)), res.point[sel]))) == 1)


def test_branch_reappearing_gets_new_id():
    # pure equilibrium (s1, s1) exists for |theta| >= 1 only: two separate branches in 1-D
    th = sp.Symbol("theta")
    A = [[th**2 - 1, sp.Integer(0)], [sp.Integer(0), sp.Integer(-5)]]
    B = [[sp.Integer(1), sp.Integer(0)], [sp.Integer(0), sp.Integer(1)]]
    game = gt.NormalFormGame.bimatrix(A, B)
    model = gt.Model(game, {"theta": gt.Parameter("theta", 0, (-3, 3))})
    res = sweep(model, {"theta": np.linspace(-2.5, 2.5, 11)}, method="pure")
    ids = {b.id: b for b in res.branches() if b.label == "pure: Row=s1 Column=s1"}
    assert len(ids) == 2
    (a, b) = sorted(ids.values(), key=lambda x: x.ranges["theta"][0])
    assert a.ranges["theta"] == (-2.5, -1.0) and b.ranges["theta"] == (1.0, 2.5)


def test_two_dimensional_regimes_and_branch_by_label(arms_model):
    res = sweep(arms_model, {"approval_gain": [0.5, 2.0], "retaliation_value": [1.0, 4.0]})
    regimes = res.regimes()
    assert list(regimes) == [
        "pure: Seoul=arm Moscow=restrain",
        "mixed: Seoul{withhold,arm} Moscow{restrain,transfer}",
        "pure: Seoul=arm Moscow=restrain",
        "mixed: Seoul{withhold,arm} Moscow{restrain,transfer}",
    ]
    assert list(res.branch) == [0, 1, 0, 1]


def test_csv_has_contract_columns_and_round_trips(arms_model):
    res = sweep(arms_model, {"approval_gain": np.linspace(0, 2.5, 6)})
    text = res.to_csv()
    lines = text.splitlines()
    assert lines[0] == (
        "approval_gain,equilibrium,branch,Seoul:withhold,Seoul:arm,Moscow:restrain,"
        "Moscow:transfer,payoff:Seoul,payoff:Moscow,regret"
    )
    assert len(lines) == 1 + len(res)
    df = res.to_pandas()
    assert list(df.columns) == [*res.columns, "label"]
    import pandas as pd

    back = pd.read_csv(io.StringIO(text))
    np.testing.assert_array_equal(back.to_numpy(), df[res.columns].to_numpy(dtype=float))
    rec = res.records[0]
    assert rec["label"] == "mixed: Seoul{withhold,arm} Moscow{restrain,transfer}"
    assert rec["Seoul:arm"] == pytest.approx(0.5)


def test_streaming_matches_in_memory_across_chunks(tmp_path, arms_model):
    grid = {"approval_gain": np.linspace(-2.0, 5.0, 57)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OutOfRangeWarning)
        mem = sweep(arms_model, grid)
        path = tmp_path / "out.csv"
        streamed = sweep_to_csv(arms_model, grid, path, chunk_size=5)
    assert path.read_text() == mem.to_csv()
    assert len(streamed) == 0 and streamed.stats["rows"] == len(mem)
    assert [b.to_dict() for b in streamed.branches()] == [b.to_dict() for b in mem.branches()]


def test_pure_streaming_of_many_points_keeps_rows_out_of_memory(tmp_path):
    model, _, _ = random_parametric_game(5, (2, 2, 2))
    res = sweep(
        model,
        {"theta": np.linspace(-2, 2, 50_000)},
        method="pure",
        out=tmp_path / "big.csv",
        chunk_size=4096,
    )
    text = (tmp_path / "big.csv").read_text().splitlines()
    assert len(text) - 1 == res.stats["rows"] > 0 and len(res) == 0
    ref = sweep(model, {"theta": np.linspace(-2, 2, 50_000)}, method="pure")
    assert res.stats["rows"] == len(ref)
    assert [b.to_dict() for b in res.branches()] == [b.to_dict() for b in ref.branches()]


def test_plots_are_written(tmp_path, arms_model):
    res = sweep(arms_model, {"approval_gain": np.linspace(0, 2.9, 8)})
    fig = res.plot(tmp_path / "one.png")
    assert (tmp_path / "one.png").stat().st_size > 1000 and len(fig.axes) == 2
    res2 = sweep(arms_model, {"approval_gain": np.linspace(0, 2.9, 5), "retaliation_value": [1, 4]})
    res2.plot(tmp_path / "two.svg")
    assert "<svg" in (tmp_path / "two.svg").read_text()[:500]


# ------------------------------------------------------------------ bad input
def test_unknown_parameter(arms_model):
    with pytest.raises(
        gt.UnknownParameterError, match=r"unknown parameter 'approval'.*declared: approval_gain"
    ):
        sweep(arms_model, {"approval": [1, 2]})


def test_out_of_range_warns_and_strict_raises(arms_model):
    with pytest.warns(OutOfRangeWarning, match=r"outside its declared range \[0, 3\]"):
        sweep(arms_model, {"approval_gain": [2.0, 3.5]})
    with pytest.raises(InvalidGridError, match=r"outside its declared range \[0, 3\]"):
        sweep(arms_model, {"approval_gain": [2.0, 3.5]}, strict=True)


@pytest.mark.parametrize(
    "values, message",
    [
        (["a", "b"], "must be numbers"),
        ("0:3", "must be numbers"),
        ([], "is empty"),
        ([[1.0, 2.0]], "must be 1-D"),
        ([1.0, float("nan")], "non-finite"),
        ([True, False], "must be numbers"),
    ],
)
def test_bad_grid_values(arms_model, values, message):
    with pytest.raises(InvalidGridError, match=message):
        sweep(arms_model, {"approval_gain": values})


def test_parameter_not_in_payoffs():
    base = build_arms_model()
    params = dict(base.parameters)
    params["p_resolute"] = gt.Parameter("p_resolute", 0.3, (0.1, 0.6))
    model = gt.Model(base.game, params)
    with pytest.raises(UnusedParameterError, match="'p_resolute' does not appear in any payoff"):
        sweep(model, {"p_resolute": [0.2, 0.3]})
    assert issubclass(UnusedParameterError, gt.GameTheoryError)


def test_bad_method_and_backend(arms_model):
    with pytest.raises(gt.UnknownMethodError):
        sweep(arms_model, {"approval_gain": [1.0]}, method="nonsense")
    with pytest.raises(gt.InvalidOptionError, match="unknown backend"):
        sweep(arms_model, {"approval_gain": [1.0]}, backend="gpu")
    with pytest.raises(gt.InvalidOptionError, match="workers"):
        sweep(arms_model, {"approval_gain": [1.0]}, workers=0)


def test_file_model_gives_the_same_sweep(arms_model, arms_file_model):
    grid = {"approval_gain": np.linspace(0, 3, 13), "readiness_cost": [0.5, 4.0]}
    a = sweep(arms_model, grid)
    b = sweep(arms_file_model, grid)
    assert a.to_csv() == b.to_csv()


def test_two_player_sweep_agrees_with_solve_at_every_point(arms_model):
    # includes the degenerate points alpha = -1 and alpha = 3 (re-solved one by one there)
    grid = np.linspace(-2.0, 5.0, 29)
    with pytest.warns(OutOfRangeWarning):
        res = sweep(arms_model, {"approval_gain": grid})
    assert res.stats["degenerate_points"] == 2
    for k, alpha in enumerate(grid):
        ref = gt.solve(arms_model.bind(approval_gain=float(alpha)), method="auto")
        want = {tuple(np.concatenate(e.profile)) for e in ref.equilibria}
        assert rounded(res.probs[res.point == k]) == rounded(want), alpha
