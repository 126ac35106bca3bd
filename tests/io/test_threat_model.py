"""The showcase model ``models/threat_signaling.yaml`` (model 2): documentation, tree, equilibria.

Expected equilibria, derived by hand from the model's payoff formulas.  With
``X = approval_gain + alliance_credit + battlefield_effect*setback_value -
readiness_cost`` (baseline ``1 + 1.5 + 1.5 - 2 = 2``), ``N + g = 10 + 4`` and
``e*D = 1.2``, after Seoul arms:

* resolute Moscow: transfer pays ``-1.2 + 2.5 - 1.5 = -0.2``, restraint ``-1.2``
  (``-1.7`` after a warning): it transfers;
* bluffing Moscow: transfer pays ``-1.2 + 0.5 - 1.5 = -2.2``, restraint ``-1.2``
  (``-1.7`` after a warning): it restrains, because ``backdown_cost = 0.5`` is
  below ``transfer_cost - retaliation_value_bluffing = 1``.

A warning therefore costs nothing and cannot separate the types (a bluffer
would copy a resolute Moscow's signal), so Seoul's belief on the path stays
``p_resolute = 0.3`` and arming pays ``X - 0.3 * 14 = X - 4.2``.  Seoul
withholds at the baseline; deterrence fails when ``X > 4.2``, i.e. at
``approval_gain > 3.2`` (just above the declared range [0, 3]).  With
``backdown_cost > 1`` a warning binds even a bluffer and deters at any
approval gain.
"""

from __future__ import annotations

import json
import warnings
from fractions import Fraction
from pathlib import Path

import pytest

import gametheory as gt
from gametheory.cli import main
from gametheory.exceptions import OutOfRangeWarning

ROOT = Path(__file__).resolve().parents[2]
THREAT = ROOT / "models" / "threat_signaling.yaml"
ARMS = ROOT / "models" / "arms_dilemma.yaml"


@pytest.fixture(scope="module")
def model() -> gt.Model:
    return gt.load(THREAT)


def _arming(eq: gt.Equilibrium) -> float:
    """Probability that Seoul arms on the equilibrium path."""
    return sum(p for label, p in eq.path if "/arm/" in f"{label}/")


def _bind(model: gt.Model, **values) -> gt.ExtensiveFormGame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OutOfRangeWarning)
        return model.bind(**values)


def test_every_parameter_is_documented(model):
    expected = {"approval_gain", "alliance_credit", "battlefield_effect", "setback_value",
                "readiness_cost", "compound_penalty", "nightmare_loss", "transfer_cost",
                "damage_to_russia", "p_resolute", "retaliation_value_resolute",
                "retaliation_value_bluffing", "backdown_cost"}  # fmt: skip
    assert set(model.parameters) == expected
    for name, p in model.parameters.items():
        assert len(p.description) > 20 and len(p.source) > 40, name
        assert (p.range is None) == (name == "nightmare_loss"), name
        if p.range is not None:
            assert p.range[0] <= p.value <= p.range[1], name
    baseline = {k: float(v) for k, v in model.baseline().items()}
    assert baseline["p_resolute"] == 0.3 and baseline["backdown_cost"] == 0.5
    assert baseline["retaliation_value_resolute"] == 2.5
    assert baseline["retaliation_value_bluffing"] == 0.5


def test_shared_parameters_are_those_of_the_arms_dilemma(model):
    arms = gt.load(ARMS)
    shared = set(arms.parameters) & set(model.parameters)
    assert shared == set(arms.parameters) - {"retaliation_value"}
    for name in shared:
        assert model.parameters[name] == arms.parameters[name], name


def test_tree_structure(model):
    g = model.baseline_game()
    assert g.players == ("Seoul", "Moscow") and g.kind == "exact"
    assert g.has_perfect_recall and not g.is_perfect_information
    seoul = {g.infoset_label(int(h)) for h in g.player_infosets("Seoul")}
    assert seoul == {"warned", "quiet"}
    sizes = {g.infoset_label(int(h)): int((g.node_infoset == h).sum())
             for h in g.player_infosets("Seoul")}  # fmt: skip
    assert sizes == {"warned": 2, "quiet": 2}  # Seoul sees the signal, not the type
    root = g.action_offset[g.node_infoset[0]]
    assert list(g.exact_probabilities()[root : root + 2]) == [Fraction(3, 10), Fraction(7, 10)]


def test_baseline_payoffs_follow_the_arms_dilemma(model):
    g = model.baseline_game()
    pay = {g.node_label(int(t)): tuple(v) for t, v in zip(g.terminals, g.exact_payoffs())}
    x = Fraction(2)
    assert pay["resolute/warn/withhold"] == (0, 0)
    assert pay["resolute/warn/arm/restrain"] == (x, Fraction(-17, 10))
    assert pay["resolute/quiet/arm/restrain"] == (x, Fraction(-6, 5))
    assert pay["resolute/warn/arm/transfer"] == (x - 14, Fraction(-1, 5))
    assert pay["bluffing/quiet/arm/transfer"] == (x - 14, Fraction(-11, 5))
    assert pay["bluffing/warn/arm/restrain"] == (x, Fraction(-17, 10))


def test_cli_solves_the_baseline(capsys):
    assert main(["solve", str(THREAT), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == "spe" and out["status"] == "ok"
    assert out["equilibria"]
    for eq in out["equilibria"]:
        assert eq["payoffs"] == {"Seoul": 0.0, "Moscow": 0.0}
        reached = [label for label, p in eq["path"].items() if p > 0]
        assert reached and all(label.endswith("/withhold") for label in reached)
        # sequential rationality after arming: resolute transfers, bluffer restrains
        moscow = eq["behavior"]["Moscow"]
        assert moscow["resolute, warned: retaliate?"]["transfer"] == 1.0
        assert moscow["bluffing, warned: retaliate?"]["restrain"] == 1.0
    # some equilibrium deters by warning: both types warn and Seoul withholds
    assert any(
        eq["behavior"]["Moscow"]["resolute: signal"]["warn"] == 1.0
        and eq["behavior"]["Moscow"]["bluffing: signal"]["warn"] == 1.0
        for eq in out["equilibria"]
    )
    assert main(["solve", str(THREAT), "--method", "lcp", "--exact", "--format", "json"]) == 0
    lcp = json.loads(capsys.readouterr().out)["equilibria"]
    assert len(lcp) == 1 and lcp[0]["regret"] == 0.0
    assert lcp[0]["exact"]["Seoul"]["warned"]["withhold"] == "1"


@pytest.mark.parametrize("method", ["spe", "lcp"])
def test_deterrence_fails_above_approval_gain_three_point_two(model, method):
    threshold = Fraction(16, 5)  # p_resolute*(N + g) - (alliance + e*V - readiness)
    below = gt.solve(_bind(model, approval_gain=threshold - Fraction(1, 100)), method=method)
    above = gt.solve(_bind(model, approval_gain=threshold + Fraction(1, 100)), method=method)
    assert below.ok and above.ok and len(below) and len(above)
    assert all(_arming(eq) == 0 for eq in below)
    assert all(_arming(eq) > 0.5 for eq in above)


def test_a_costly_backdown_makes_a_warning_binding(model):
    # backdown_cost > transfer_cost - retaliation_value_bluffing = 1: a warned bluffer transfers
    binding = gt.solve(_bind(model, approval_gain=10, backdown_cost=Fraction(11, 10)), "spe")
    assert any(_arming(eq) == 0 for eq in binding)
    cheap = gt.solve(_bind(model, approval_gain=10, backdown_cost=Fraction(9, 10)), "spe")
    assert all(_arming(eq) > 0.5 for eq in cheap)
