"""All pure-strategy Nash equilibria of an n-player game (vectorised)."""

from __future__ import annotations

import numpy as np

from ..games.normal_form import NormalFormGame
from ..games.profiles import pure_profile
from .budget import Budget
from .registry import register
from .result import SolveResult
from .verify import build_result


def pure_equilibrium_mask(
    payoffs: np.ndarray, tol: float | np.ndarray, batched: bool = False
) -> np.ndarray:
    """Boolean array over pure profiles: True where no player gains by deviating.

    Parameters
    ----------
    payoffs
        Float array of shape ``(n, m_1, ..., m_n)``, or ``(N, n, m_1, ..., m_n)``
        when ``batched`` (e.g. one game per point of a parameter sweep).
    tol
        Absolute tolerance on payoff differences (per batch item: shape
        ``(N, 1, ..., 1)`` broadcasts).
    batched
        Whether the first axis indexes games.
    """
    lead = 1 if batched else 0
    n = payoffs.shape[lead]
    mask = None
    for i in range(n):
        u = payoffs[(slice(None),) * lead + (i,)]
        axis = lead + i
        best = u.max(axis=axis, keepdims=True)
        ok = u >= best - tol
        mask = ok if mask is None else mask & ok
    return mask


@register(
    "pure",
    summary="All pure-strategy Nash equilibria (n players, vectorised)",
    players=(1, None),
    finds="all-pure",
)
def solve_pure(game: NormalFormGame, *, budget: Budget) -> SolveResult:
    """Every pure equilibrium; ``complete`` refers to pure equilibria."""
    mask = pure_equilibrium_mask(game.float_payoffs(), game.tolerance())
    profiles = (pure_profile(game.shape, idx) for idx in np.argwhere(mask))
    return build_result(
        game, profiles, "pure", complete=True, stats={"profiles": game.num_profiles}
    )
