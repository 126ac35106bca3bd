"""Verification and exact certification of equilibria of game trees.

Tree solvers hand their candidate behaviour profiles (one probability per
action, see :mod:`gametheory.games.behavior`) to :func:`build_tree_result`,
which computes each one's regret, drops (and counts) any that fail, removes
duplicates and wraps the rest as :class:`Equilibrium` objects carrying
``behavior`` and ``path``.

Regret is the Nash regret (full best response) when the game has perfect
recall and the agent-form regret otherwise.  With ``subgame_perfect=True`` on
a game of perfect information, a profile must also pass the one-shot
deviation test at every decision node, reached or not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np

from .. import numbers as nb
from ..games import behavior as bh
from ..games.extensive import ExtensiveFormGame
from ..games.sequence_form import SequenceForm
from .result import Behavior, Equilibrium, SolveResult

_DENOMINATORS = (1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10**8, 10**10, 10**12)


class LazyBehavior(Sequence):
    """Immutable behaviour ``((player, ((infoset, ((action, p), ...)), ...)), ...)``.

    Behaves as that nested tuple; each player's part is built on first use,
    so that solving a large tree does not pay for labelling every
    information set unless the result is displayed or serialised.
    """

    __slots__ = ("_cache", "_conv", "_game", "_values")

    def __init__(self, game: ExtensiveFormGame, vec: np.ndarray, conv: Any = float) -> None:
        self._game = game
        self._values = np.array(vec, copy=True)
        self._values.setflags(write=False)
        self._conv = conv
        self._cache: dict[int, Any] = {}

    def __len__(self) -> int:
        return self._game.num_players

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return tuple(self)[i]
        n = len(self)
        if not -n <= i < n:
            raise IndexError(i)
        i %= n
        if i not in self._cache:
            self._cache[i] = self._player(i)
        return self._cache[i]

    def _player(self, i: int) -> tuple[str, tuple[Any, ...]]:
        game = self._game
        offs = game.action_offset.tolist()
        conv = self._conv
        native = conv is float and self._values.dtype == np.float64
        values = self._values.tolist()
        sets = []
        for h in np.flatnonzero(game.infoset_player == i).tolist():
            probs = values[offs[h] : offs[h + 1]]
            if not native:
                probs = [conv(q) for q in probs]
            sets.append((game.infoset_label(h), tuple(zip(game.actions(h), probs))))
        return game.players[i], tuple(sets)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (LazyBehavior, tuple)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __reduce__(self) -> Any:
        return (tuple, (tuple(self),))


def behavior_tuple(game: ExtensiveFormGame, vec: np.ndarray, conv: Any = float) -> Behavior:
    """Nested tuples ``((player, ((infoset, ((action, p), ...)), ...)), ...)`` (built lazily)."""
    return LazyBehavior(game, vec, conv)  # type: ignore[return-value]


def vector_of(game: ExtensiveFormGame, behavior: Behavior, exact: bool = False) -> np.ndarray:
    """Action vector of a behaviour given as nested tuples."""
    profile = {p: {h: dict(acts) for h, acts in sets} for p, sets in behavior}
    return bh.behavior_vector(game, profile, exact=exact)


def path_of(
    game: ExtensiveFormGame, vec: np.ndarray, reach: np.ndarray | None = None
) -> tuple[tuple[str, float], ...]:
    """``((terminal label, probability), ...)`` for terminals reached with positive probability.

    ``reach`` (the probability of each terminal under ``vec``) is computed
    when not given.
    """
    t = game.terminals
    if reach is None:
        reach = bh.reach_probabilities(game, vec)[t]
    hit = np.flatnonzero(reach > nb.PROB_TOL).tolist()
    return tuple((game.node_label(int(t[k])), float(reach[k])) for k in hit)


def profile_regret(game: ExtensiveFormGame, vec: np.ndarray, exact: bool = False) -> Any:
    """Nash regret with perfect recall, agent-form regret without."""
    if game.has_perfect_recall:
        r = bh.regrets(game, vec, exact)
    else:
        r = bh.agent_regrets(game, vec, exact)
    return max(r) if exact else float(r.max())


def tree_regret_of(game: ExtensiveFormGame, eq: Equilibrium, exact: bool = False) -> Any:
    """Regret of a tree equilibrium in ``game`` (exact when asked and available)."""
    if exact:
        if eq.exact_behavior is None:
            raise ValueError("the equilibrium has no exact values")
        return profile_regret(game, vector_of(game, eq.exact_behavior, exact=True), exact=True)
    return profile_regret(game, vector_of(game, eq.behavior))  # type: ignore[arg-type]


def make_tree_equilibrium(
    game: ExtensiveFormGame,
    vec: np.ndarray,
    method: str,
    regret: float,
    notes: tuple[str, ...] = (),
    reach: np.ndarray | None = None,
) -> Equilibrium:
    """Wrap a float action vector as an :class:`Equilibrium` with behaviour and path.

    ``reach`` (the probability of each terminal under ``vec``) is computed
    when not given.
    """
    if reach is None:
        reach = bh.reach_probabilities(game, vec)[game.terminals]
    payoffs = np.dot(reach, game.float_payoffs())  # as behavior.expected_payoffs
    n = game.num_players
    return Equilibrium(
        players=game.players,
        labels=tuple(() for _ in range(n)),
        probabilities=tuple(() for _ in range(n)),
        payoff_values=tuple(float(u) for u in payoffs),
        regret=max(float(regret), 0.0),
        method=method,
        notes=notes,
        behavior=behavior_tuple(game, vec),
        path=path_of(game, vec, reach),
    )


def build_tree_result(
    game: ExtensiveFormGame,
    vectors: Iterable[np.ndarray],
    method: str,
    complete: bool,
    status: str = "ok",
    stats: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    subgame_perfect: bool = False,
    notes: tuple[str, ...] = (),
    dedupe_tol: float = 1e-7,
    sequence_form: SequenceForm | None = None,
) -> SolveResult:
    """Verify candidate behaviour vectors and assemble a :class:`SolveResult`.

    Candidates whose regret (or, with ``subgame_perfect``, one-shot deviation
    gain at any decision node) exceeds the game's tolerance are dropped; their
    number is reported in ``stats["rejected"]`` and the status becomes
    ``"verification-failed"``.  Given the game's ``sequence_form`` (perfect
    recall), the Nash regret is computed over sequences
    (:meth:`SequenceForm.regrets <gametheory.games.sequence_form.SequenceForm.regrets>`,
    the same quantity as :func:`profile_regret`) with the structure the
    solver already built.
    """
    if sequence_form is not None and sequence_form.game is not game:
        raise ValueError("the sequence form belongs to another game")
    tol = game.tolerance()
    kept: set[bytes] = set()
    equilibria: list[Equilibrium] = []
    rejected = 0
    worst = 0.0
    player_action = game._player_action
    for vec in vectors:
        vec = np.asarray(vec, dtype=np.float64)
        if not np.all(np.isfinite(vec[player_action])):
            rejected += 1
            continue
        vec = bh.behavior_vector(game, vec)
        key = np.round(vec / dedupe_tol).tobytes()
        if key in kept:
            continue
        reach = None
        if sequence_form is not None:
            gains, reach = sequence_form.regrets_and_reach(vec)
            r = float(gains.max())
        else:
            r = profile_regret(game, vec)
        if subgame_perfect:
            r = max(r, float(bh.local_regret(game, vec)))
        if r > tol:
            rejected += 1
            worst = max(worst, r)
            continue
        kept.add(key)
        equilibria.append(make_tree_equilibrium(game, vec, method, r, notes, reach))
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


def _candidates(game: ExtensiveFormGame, vec: np.ndarray) -> Iterable[np.ndarray]:
    mask = game._player_action
    offs = game.action_offset
    sets = np.flatnonzero(game.infoset_player >= 0)
    for bound in _DENOMINATORS:
        out = np.array([Fraction(0)] * vec.size, dtype=object)
        ok = True
        for h in sets.tolist():
            lo, hi = int(offs[h]), int(offs[h + 1])
            fr = [nb.rationalize(p, bound) if p > nb.PROB_TOL else Fraction(0) for p in vec[lo:hi]]
            total = sum(fr, Fraction(0))
            if total == 0:
                ok = False
                break
            last = max(range(len(fr)), key=lambda k: fr[k])
            fr[last] += 1 - total
            if fr[last] < 0:
                ok = False
                break
            out[lo:hi] = fr
        if ok:
            out[~mask] = Fraction(0)
            yield out
        if all(p in (0.0, 1.0) for p in vec[mask]):
            return


def certify_tree(game: ExtensiveFormGame, eq: Equilibrium) -> Equilibrium:
    """The equilibrium with certified rational behaviour, or with a note saying why not.

    A rational behaviour profile within ``1e-6`` of the float one is accepted
    when its exact regret is 0 (Nash regret with perfect recall, agent-form
    regret without).  An equilibrium that already carries exact values is
    returned unchanged.
    """
    if eq.exact_behavior is not None:
        return eq
    vec = vector_of(game, eq.behavior)  # type: ignore[arg-type]
    mask = game._player_action
    for cand in _candidates(game, vec):
        if any(abs(float(a) - b) > 1e-6 for a, b in zip(cand[mask], vec[mask])):
            continue
        exact_vec = bh.behavior_vector(game, cand, exact=True)
        if profile_regret(game, exact_vec, exact=True) == 0:
            payoffs = bh.expected_payoffs(game, exact_vec, exact=True)
            return replace(
                eq,
                payoff_values=tuple(float(u) for u in payoffs),
                regret=0.0,
                exact_payoff_values=tuple(Fraction(u) for u in payoffs),
                behavior=behavior_tuple(game, exact_vec, float),
                exact_behavior=behavior_tuple(game, exact_vec, Fraction),
            )
    note = (
        "exact certification failed: no rational behaviour near this equilibrium has exact regret 0"
    )
    return replace(eq, notes=(*eq.notes, note))


def certify_tree_result(result: SolveResult) -> SolveResult:
    """Certify every equilibrium of a tree result (``exact=True`` in :func:`solve`)."""
    game = result.game
    certified = tuple(certify_tree(game, eq) for eq in result.equilibria)
    failed = sum(1 for e in certified if not e.exact)
    stats = dict(result.stats)
    stats["certified"] = len(certified) - failed
    if failed:
        stats["not_certified"] = failed
    return replace(result, equilibria=certified, stats=stats)
