"""Verification (regret) and exact certification of candidate equilibria.

Every solver hands its candidate profiles to :func:`build_result`, which
computes each one's regret, drops (and counts) any that fail, removes
duplicates and wraps the rest as :class:`Equilibrium` objects.  With
``exact=True``, :func:`certify` re-solves each equilibrium on its support in
rational arithmetic and checks that the exact regret is 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np

from .. import numbers as nb
from ..exact_linalg import solve_exact
from ..games.normal_form import NormalFormGame
from .result import Equilibrium, SolveResult

#: Denominator bounds tried when rationalising a float equilibrium.
_DENOMINATORS = (1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10**8, 10**10, 10**12)


def make_equilibrium(
    game: NormalFormGame,
    profile: Sequence[np.ndarray],
    method: str,
    regret: float | None = None,
    payoffs: np.ndarray | None = None,
) -> Equilibrium:
    """Wrap a float profile (already normalised) as an :class:`Equilibrium`."""
    sigma = [np.clip(np.asarray(v, dtype=np.float64), 0.0, None) for v in profile]
    sigma = [v / v.sum() for v in sigma]
    if regret is None or payoffs is None:
        regret, payoffs = regret_and_payoffs(game, sigma)
    return Equilibrium(
        players=game.players,
        labels=game.strategies,
        probabilities=tuple(tuple(float(p) for p in v) for v in sigma),
        payoff_values=tuple(float(u) for u in payoffs),
        regret=max(float(regret), 0.0),
        method=method,
    )


def regret_and_payoffs(
    game: NormalFormGame, sigma: Sequence[np.ndarray]
) -> tuple[float, np.ndarray]:
    """Max regret and expected payoffs of a float profile, from one pass.

    Pure profiles are read off the payoff array by indexing (no contraction).
    """
    arrays = game.float_payoffs()
    n = game.num_players
    if all(np.count_nonzero(v) == 1 for v in sigma):
        idx = tuple(int(np.flatnonzero(v)[0]) for v in sigma)
        payoffs = arrays[(slice(None), *idx)]
        regret = max(
            float(arrays[(i, *idx[:i], slice(None), *idx[i + 1 :])].max() - payoffs[i])
            for i in range(n)
        )
        return regret, payoffs
    dev = game.deviation_payoffs(sigma)
    payoffs = np.array([float(d @ v) for d, v in zip(dev, sigma)])
    regret = max(float(d.max()) - u for d, u in zip(dev, payoffs))
    return regret, payoffs


def regret_of(game: NormalFormGame, eq: Equilibrium, exact: bool = False) -> Any:
    """Regret of an equilibrium's profile in ``game`` (exact when asked and available)."""
    if eq.behavior is not None:
        from .tree_verify import tree_regret_of

        return tree_regret_of(game, eq, exact=exact)
    if eq.distribution is not None:
        from .correlated import correlated_regret

        return correlated_regret(game, eq)
    if exact:
        if eq.exact_probabilities is None:
            raise ValueError("the equilibrium has no exact values")
        return game.regret([np.array(v, dtype=object) for v in eq.exact_probabilities], exact=True)
    return game.regret(eq.profile)


def _same(a: Sequence[np.ndarray], b: Sequence[np.ndarray], tol: float) -> bool:
    return all(np.max(np.abs(x - y)) <= tol for x, y in zip(a, b))


def build_result(
    game: NormalFormGame,
    profiles: Iterable[Sequence[np.ndarray]],
    method: str,
    complete: bool,
    status: str = "ok",
    stats: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    dedupe_tol: float = 1e-7,
) -> SolveResult:
    """Verify candidate profiles and assemble a :class:`SolveResult`.

    Candidates whose regret exceeds the game's tolerance are dropped; their
    number is reported in ``stats["rejected"]`` and the status becomes
    ``"verification-failed"`` (a solver bug or numerical trouble, never
    silently hidden).
    """
    tol = game.tolerance()
    kept: dict[tuple[tuple[int, ...], ...], list[list[np.ndarray]]] = {}
    equilibria: list[Equilibrium] = []
    rejected = 0
    worst = 0.0
    for prof in profiles:
        sigma = [np.asarray(v, dtype=np.float64) for v in prof]
        if any(not np.all(np.isfinite(v)) or v.sum() <= 0 for v in sigma):
            rejected += 1
            continue
        sigma = [np.clip(v, 0.0, None) / np.clip(v, 0.0, None).sum() for v in sigma]
        sigma = [np.where(v > dedupe_tol * 1e-3, v, 0.0) for v in sigma]
        sigma = [v / v.sum() for v in sigma]
        key = tuple(tuple(np.flatnonzero(v > dedupe_tol).tolist()) for v in sigma)
        same_support = kept.setdefault(key, [])
        if any(_same(sigma, k, dedupe_tol) for k in same_support):
            continue
        r, payoffs = regret_and_payoffs(game, sigma)
        if r > tol:
            rejected += 1
            worst = max(worst, r)
            continue
        same_support.append(sigma)
        equilibria.append(make_equilibrium(game, sigma, method, regret=r, payoffs=payoffs))
    stats = dict(stats or {})
    if rejected:
        stats["rejected"] = rejected
        stats["worst_rejected_regret"] = worst
        if status == "ok":
            status = "verification-failed"
    return SolveResult(
        equilibria=tuple(equilibria),
        method=method,
        complete=complete and status == "ok",
        status=status,
        stats=stats,
        details=dict(details or {}),
        game=game,
    )


# ----------------------------------------------------------------------------- certification
def _support_indices(eq: Equilibrium) -> list[list[int]]:
    return [[k for k, p in enumerate(ps) if p > nb.PROB_TOL] for ps in eq.probabilities]


def _solve_two_player_support(
    game: NormalFormGame, support: list[list[int]]
) -> list[np.ndarray] | None:
    """Mixed profile making each player's opponent indifferent on its support."""
    payoffs = game.exact_payoffs()
    out = []
    for i in (0, 1):
        own, other = support[i], support[1 - i]
        if len(own) != len(other):
            return None
        # unknowns: x_own (len k) and value v; equations: opponent payoff equal on other's support
        # rows: i's strategies, columns: j's strategies, entries: j's payoffs
        mat_j = payoffs[1] if i == 0 else payoffs[0].T
        k = len(own)
        rows = [[mat_j[s, t] for s in own] + [Fraction(-1)] for t in other]
        rows.append([Fraction(1)] * k + [Fraction(0)])
        rhs = [Fraction(0)] * k + [Fraction(1)]
        sol = solve_exact(rows, rhs)
        if sol is None:
            return None
        vec = np.array([Fraction(0)] * game.shape[i], dtype=object)
        for s, p in zip(own, sol[:k]):
            if p < 0:
                return None
            vec[s] = p
        out.append(vec)
    return out


def _rationalised(eq: Equilibrium, bound: int) -> list[np.ndarray]:
    out = []
    for ps in eq.probabilities:
        fr = [nb.rationalize(p, bound) if p > nb.PROB_TOL else Fraction(0) for p in ps]
        total = sum(fr, Fraction(0))
        if total == 0:
            return []
        last = max(range(len(fr)), key=lambda k: fr[k])
        fr[last] += 1 - total
        if fr[last] < 0:
            return []
        out.append(np.array(fr, dtype=object))
    return out


def _candidates(game: NormalFormGame, eq: Equilibrium) -> Iterable[list[np.ndarray]]:
    if eq.is_pure:
        from ..games.profiles import pure_profile

        yield pure_profile(game.shape, [int(np.argmax(p)) for p in eq.probabilities], exact=True)
        return
    if game.num_players == 2:
        sol = _solve_two_player_support(game, _support_indices(eq))
        if sol is not None:
            yield sol
    for bound in _DENOMINATORS:
        cand = _rationalised(eq, bound)
        if cand:
            yield cand


def certify(game: NormalFormGame, eq: Equilibrium) -> Equilibrium:
    """Return the equilibrium with certified rational values, or with a note saying why not.

    A candidate rational profile is accepted only when its exact regret is 0
    and it is within ``1e-6`` of the float equilibrium.
    """
    if eq.distribution is not None:
        from .correlated import certify_correlated

        return certify_correlated(game, eq)
    tried = 0
    for cand in _candidates(game, eq):
        tried += 1
        if any(
            max(abs(float(a) - b) for a, b in zip(c, p)) > 1e-6
            for c, p in zip(cand, eq.probabilities)
        ):
            continue
        if game.regret(cand, exact=True) == 0:
            payoffs = game.expected_payoffs(cand, exact=True)
            return replace(
                eq,
                probabilities=tuple(tuple(float(p) for p in v) for v in cand),
                payoff_values=tuple(float(u) for u in payoffs),
                regret=0.0,
                exact_probabilities=tuple(tuple(Fraction(p) for p in v) for v in cand),
                exact_payoff_values=tuple(Fraction(u) for u in payoffs),
            )
    note = (
        "exact certification failed: no rational profile near this equilibrium has exact regret 0"
    )
    return replace(eq, notes=(*eq.notes, note))


def certify_result(result: SolveResult) -> SolveResult:
    """Certify every equilibrium of a result (``exact=True`` in :func:`solve`)."""
    game = result.game
    if getattr(game, "form", "normal") == "extensive":
        from .tree_verify import certify_tree_result

        return certify_tree_result(result)
    certified = tuple(certify(game, eq) for eq in result.equilibria)
    failed = sum(1 for e in certified if not e.exact)
    stats = dict(result.stats)
    stats["certified"] = len(certified) - failed
    if failed:
        stats["not_certified"] = failed
    return replace(result, equilibria=certified, stats=stats)
