"""spe: subgame-perfect equilibria subgame by subgame."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.exceptions import InvalidGameError, InvalidOptionError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tree_cases as tc


def _pure_choices(eq: gt.Equilibrium) -> tuple[tuple[str, str], ...]:
    out = []
    for _, sets in eq.behavior:
        for h, acts in sets:
            out.extend((h, a) for a, p in acts if p > 0.5)
    return tuple(sorted(out))


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10**6))
def test_spe_agrees_with_backward_induction(seed: int) -> None:
    g = tc.random_game(seed, depth=4, payoff_range=4)
    bi = gt.solve(g, method="backward-induction")
    # in a perfect-information tree every subgame is one decision: "pure" finds all its equilibria
    spe = gt.solve(g, method="spe", subgame_method="pure")
    assert spe.ok and len(spe) == len(bi)
    assert sorted(_pure_choices(e) for e in spe) == sorted(_pure_choices(e) for e in bi)


def test_selten_horse_and_poker() -> None:
    horse = gt.solve(tc.selten_horse(), method="spe")
    assert sorted(_pure_choices(e) for e in horse) == [
        (("1", "A"), ("2", "a"), ("3", "R")),
        (("1", "D"), ("2", "a"), ("3", "L")),
    ]
    poker = tc.chance_game()
    res = gt.solve(poker, method="spe", subgame_method="support-enumeration")
    assert len(res) == 1
    eq = res[0]
    # the game value of this one-card poker is 1/3 for Ann (from its reduced normal form)
    rnf = poker.to_normal_form()
    value = gt.solve(rnf.game, method="lp")[0].payoff_values[0]
    assert eq.payoff_values[0] == pytest.approx(value)
    assert poker.regret(eq.behavior_strategies) <= 1e-9
    exact = gt.solve(poker, method="spe", exact=True)[0]
    assert exact.exact and exact.exact_behavior is not None


def test_spe_refuses_imperfect_recall_and_bad_options() -> None:
    with pytest.raises(InvalidGameError, match="spe needs perfect recall; Ann forgets"):
        gt.solve(tc.forgetful(), method="spe")
    with pytest.raises(InvalidOptionError, match="normal-form method"):
        gt.solve(tc.entry_deterrence(), method="spe", subgame_method="backward-induction")
    capped = gt.solve(tc.selten_horse(), method="spe", max_equilibria=1)
    assert len(capped) == 1 and not capped.complete
    assert np.isfinite(capped[0].regret)
