"""Public entry points: lazy wrappers in gametheory, light imports, optional dependencies."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import gametheory as gt
from gametheory import analysis


def test_top_level_wrappers_call_the_analysis_functions(arms_model):
    for name in ("sweep", "thresholds", "sensitivity", "montecarlo", "continuation"):
        assert name in gt.__all__ and callable(getattr(gt, name))
        assert name in analysis.__all__
    a = gt.sweep(arms_model, {"approval_gain": [0.5, 1.5]})
    b = analysis.sweep(arms_model, {"approval_gain": [0.5, 1.5]})
    assert a.to_csv() == b.to_csv()
    assert (
        gt.thresholds(arms_model, "retaliation_value").to_dict()["thresholds"][0]["exact"] == "3/2"
    )


def test_importing_the_analysis_package_stays_light():
    code = (
        "import sys, gametheory.analysis; "
        "heavy = [m for m in ('sympy', 'matplotlib', 'dask', 'distributed', 'pandas', "
        "'scipy.optimize', 'scipy.ndimage') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_to_pandas_without_pandas(arms_model, monkeypatch):
    res = gt.sweep(arms_model, {"approval_gain": [1.0]})
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        res.to_pandas()


def test_exact_sweep_certifies_each_point(arms_model):
    grid = [0.5, 1.25, 2.0]
    res = gt.sweep(arms_model, {"approval_gain": grid}, exact=True)
    assert "exact" in res.method and len(res) == 3
    assert np.all(res.regret == 0.0)
    # t = X / gamma with X = alpha + 1: exactly representable here
    np.testing.assert_array_equal(res.column("Moscow:transfer"), (np.array(grid) + 1) / 4)
    np.testing.assert_array_equal(res.column("Seoul:arm"), [0.5, 0.5, 0.5])


def test_degenerate_threat_model_matches_solve():
    from pathlib import Path

    model = gt.load(Path(__file__).resolve().parents[2] / "models" / "arms_dilemma_threat.yaml")
    grid = np.linspace(0, 3, 7)
    res = gt.sweep(model, {"approval_gain": grid})
    assert res.stats["degenerate_points"] == 7  # a component of equilibria at every point
    for k, alpha in enumerate(grid):
        ref = gt.solve(model.bind(approval_gain=float(alpha)))
        want = sorted(tuple(np.round(np.concatenate(e.profile), 12)) for e in ref.equilibria)
        got = sorted(tuple(np.round(row, 12)) for row in res.probs[res.point == k])
        assert got == want
    # Seoul arms against the threat only if X > N + gamma (alpha > 13): no change in [0, 6]
    assert gt.thresholds(model, "approval_gain", 0, 6).thresholds == []
    (t,) = gt.thresholds(model, "approval_gain", 10, 16).thresholds
    assert t.exact == 13


def test_file_model_thresholds_match_the_code_model(arms_model, arms_file_model):
    a = gt.thresholds(arms_model, "approval_gain", -3, 6).to_dict()
    b = gt.thresholds(arms_file_model, "approval_gain", -3, 6).to_dict()
    assert a["thresholds"] == b["thresholds"]
