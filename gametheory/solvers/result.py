"""Result types shared by every solver: :class:`Equilibrium` and :class:`SolveResult`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import numpy as np

from .. import numbers as nb

Strategies = dict[str, dict[str, float]]
#: Behaviour of a tree equilibrium: ((player, ((infoset, ((action, prob), ...)), ...)), ...).
Behavior = tuple[tuple[str, tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]], ...]


@dataclass(frozen=True)
class Equilibrium:
    """One verified equilibrium of a normal-form game.

    Attributes
    ----------
    players, labels
        Player labels and each player's strategy labels.
    probabilities
        Float probabilities, one tuple per player.
    payoff_values
        Expected payoff of each player.
    regret
        Largest gain from a unilateral deviation (float; ``0.0`` when certified).
    method
        Name of the method that found it.
    exact_probabilities, exact_payoff_values
        Rational values when the equilibrium was certified exactly.
    distribution
        For correlated equilibria: probability of each pure profile with
        positive weight (profile labels -> probability); ``None`` otherwise.
    notes
        Remarks such as why exact certification failed.
    behavior, exact_behavior
        For extensive-form games: the probability of each action at each
        information set, ``((player, ((infoset, ((action, p), ...)), ...)), ...)``
        (float, and ``Fraction`` when certified); ``None`` for normal-form games.
        Tree equilibria leave ``labels``/``probabilities`` empty (one empty
        tuple per player): their strategies are behaviour strategies.
    path
        For extensive-form games: ``((terminal, probability), ...)`` for every
        terminal node reached with positive probability (terminals are named
        by their node label, or the actions on their path joined by ``/``).
    exact_distribution
        For certified correlated equilibria: the rational probability of each
        profile in ``distribution``; ``None`` otherwise.
    """

    players: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]
    probabilities: tuple[tuple[float, ...], ...]
    payoff_values: tuple[float, ...]
    regret: float
    method: str
    exact_probabilities: tuple[tuple[Fraction, ...], ...] | None = None
    exact_payoff_values: tuple[Fraction, ...] | None = None
    distribution: tuple[tuple[tuple[str, ...], float], ...] | None = None
    notes: tuple[str, ...] = ()
    behavior: Behavior | None = None
    exact_behavior: Behavior | None = None
    path: tuple[tuple[str, float], ...] | None = None
    exact_distribution: tuple[tuple[tuple[str, ...], Fraction], ...] | None = None

    # ---------------------------------------------------------------- views
    @property
    def exact(self) -> bool:
        """True when rational values were certified (exact regret is 0)."""
        return self.exact_probabilities is not None or self.exact_behavior is not None

    @property
    def behavior_strategies(self) -> dict[str, dict[str, dict[str, float]]] | None:
        """``{player: {infoset: {action: probability}}}`` for tree equilibria, else ``None``."""
        return None if self.behavior is None else _nested(self.behavior)

    @property
    def strategies(self) -> Strategies:
        """``{player: {strategy: probability}}``."""
        return {
            p: dict(zip(labels, probs))
            for p, labels, probs in zip(self.players, self.labels, self.probabilities)
        }

    @property
    def exact_strategies(self) -> dict[str, dict[str, Fraction]] | None:
        """Certified rational probabilities, or ``None``."""
        if self.exact_probabilities is None:
            return None
        return {
            p: dict(zip(labels, probs))
            for p, labels, probs in zip(self.players, self.labels, self.exact_probabilities)
        }

    @property
    def payoffs(self) -> dict[str, float]:
        """Expected payoff of each player."""
        return dict(zip(self.players, self.payoff_values))

    @property
    def profile(self) -> list[np.ndarray]:
        """Probability vectors, one per player (float64)."""
        return [np.asarray(p, dtype=np.float64) for p in self.probabilities]

    @property
    def support(self) -> dict[str, tuple[str, ...]]:
        """Strategies each player uses with positive probability."""
        if self.exact_probabilities is not None:
            probs: Sequence[Sequence[Any]] = self.exact_probabilities
            return {
                p: tuple(lab for lab, q in zip(labels, ps) if q > 0)
                for p, labels, ps in zip(self.players, self.labels, probs)
            }
        return {
            p: tuple(lab for lab, q in zip(labels, ps) if q > nb.PROB_TOL)
            for p, labels, ps in zip(self.players, self.labels, self.probabilities)
        }

    @property
    def is_pure(self) -> bool:
        """True when every player uses a single strategy (a single action everywhere, for trees)."""
        if self.behavior is not None:
            return all(
                p in (0.0, 1.0) for _, sets in self.behavior for _, acts in sets for _, p in acts
            )
        return self.distribution is None and all(len(s) == 1 for s in self.support.values())

    def support_label(self) -> str:
        """Short regime label, e.g. ``"pure: Seoul=arm Moscow=restrain"``."""
        sup = self.support
        if self.distribution is not None:
            return "correlated"
        if self.behavior is not None:
            return "pure behaviour" if self.is_pure else "mixed behaviour"
        if self.is_pure:
            return "pure: " + " ".join(f"{p}={s[0]}" for p, s in sup.items())
        return "mixed: " + " ".join(f"{p}{{{','.join(s)}}}" for p, s in sup.items())

    # ---------------------------------------------------------------- (de)serialisation
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary following the CLI's JSON contract."""
        out: dict[str, Any] = {}
        if self.behavior is None or any(self.labels):
            out["strategies"] = self.strategies
        if self.behavior is not None:
            out["behavior"] = _nested(self.behavior)
        if self.exact_behavior is not None:
            out["exact"] = _nested(self.exact_behavior, nb.format_fraction)
        if self.path is not None:
            out["path"] = dict(self.path)
        if self.exact_probabilities is not None:
            out["exact"] = {
                p: {lab: nb.format_fraction(q) for lab, q in zip(labels, ps)}
                for p, labels, ps in zip(self.players, self.labels, self.exact_probabilities)
            }
        out["payoffs"] = self.payoffs
        if self.exact_payoff_values is not None:
            out["exact_payoffs"] = {
                p: nb.format_fraction(v) for p, v in zip(self.players, self.exact_payoff_values)
            }
        out["regret"] = self.regret
        if self.distribution is not None:
            out["distribution"] = [
                {"profile": dict(zip(self.players, prof)), "probability": prob}
                for prof, prob in self.distribution
            ]
        if self.exact_distribution is not None:
            out["exact_distribution"] = [
                {"profile": dict(zip(self.players, prof)), "probability": nb.format_fraction(prob)}
                for prof, prob in self.exact_distribution
            ]
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], method: str = "") -> Equilibrium:
        """Rebuild an equilibrium written by :meth:`to_dict`."""
        if "behavior" in data:
            return cls._tree_from_dict(data, method)
        strategies = data["strategies"]
        players = tuple(strategies)
        labels = tuple(tuple(strategies[p]) for p in players)
        probs = tuple(tuple(float(v) for v in strategies[p].values()) for p in players)
        exact = data.get("exact")
        exact_probs = None
        if exact is not None:
            exact_probs = tuple(
                tuple(Fraction(exact[p][lab]) for lab in strategies[p]) for p in players
            )
        exact_pay = data.get("exact_payoffs")
        dist = data.get("distribution")
        exact_dist = data.get("exact_distribution")
        return cls(
            players=players,
            labels=labels,
            probabilities=probs,
            payoff_values=tuple(float(data["payoffs"][p]) for p in players),
            regret=float(data["regret"]),
            method=data.get("method", method),
            exact_probabilities=exact_probs,
            exact_payoff_values=None
            if exact_pay is None
            else tuple(Fraction(exact_pay[p]) for p in players),
            distribution=None
            if dist is None
            else tuple(
                (tuple(d["profile"][p] for p in players), float(d["probability"])) for d in dist
            ),
            notes=tuple(data.get("notes", ())),
            exact_distribution=None
            if exact_dist is None
            else tuple(
                (tuple(d["profile"][p] for p in players), Fraction(d["probability"]))
                for d in exact_dist
            ),
        )

    @classmethod
    def _tree_from_dict(cls, data: Mapping[str, Any], method: str) -> Equilibrium:
        behavior = data["behavior"]
        players = tuple(behavior)
        exact = data.get("exact")
        exact_pay = data.get("exact_payoffs")
        exact_pay = None if exact_pay is None else tuple(Fraction(exact_pay[p]) for p in players)
        path = data.get("path")
        return cls(
            players=players,
            labels=tuple(() for _ in players),
            probabilities=tuple(() for _ in players),
            payoff_values=tuple(float(data["payoffs"][p]) for p in players),
            regret=float(data["regret"]),
            method=data.get("method", method),
            exact_payoff_values=exact_pay,
            notes=tuple(data.get("notes", ())),
            behavior=_flat(behavior, float),
            exact_behavior=None if exact is None else _flat(exact, Fraction),
            path=None if path is None else tuple((k, float(v)) for k, v in path.items()),
        )


def _nested(behavior: Behavior, fmt: Any = None) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        p: {h: {a: (q if fmt is None else fmt(q)) for a, q in acts} for h, acts in sets}
        for p, sets in behavior
    }


def _flat(data: Mapping[str, Any], conv: Any) -> Behavior:
    return tuple(
        (p, tuple((h, tuple((a, conv(q)) for a, q in acts.items())) for h, acts in sets.items()))
        for p, sets in data.items()
    )


@dataclass(frozen=True)
class SolveResult:
    """What every solver returns.

    Attributes
    ----------
    equilibria
        Verified equilibria, in the order the method found them.
    method
        The method that ran (``auto`` reports the method it chose).
    complete
        True only when the method guarantees it found all equilibria of its
        kind (e.g. all extreme equilibria of a two-player game).
    status
        ``"ok"``, ``"budget-exhausted"`` or ``"verification-failed"``.
    stats
        Time, iterations, pivots and other counters.
    details
        Method-specific output (the reduced game of ``dominance``, the value
        of ``lp``, ...).
    game
        The game that was solved (not serialised).
    """

    equilibria: tuple[Equilibrium, ...]
    method: str
    complete: bool
    status: str = "ok"
    stats: Mapping[str, Any] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)
    game: Any = field(default=None, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.equilibria)

    def __iter__(self):
        return iter(self.equilibria)

    def __getitem__(self, k: int) -> Equilibrium:
        return self.equilibria[k]

    @property
    def ok(self) -> bool:
        """True when the method finished within its budget and everything verified."""
        return self.status == "ok"

    def game_info(self) -> dict[str, Any]:
        """The ``"game"`` block of the JSON contract."""
        g = self.game
        if g is None:
            return dict(self.details.get("game", {}))
        info = {"title": g.title, "form": g.form, "players": list(g.players)}
        if g.form == "normal":
            info["strategies"] = {p: list(s) for p, s in zip(g.players, g.strategies)}
        return info

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary following the CLI's JSON contract."""
        params = {} if self.game is None else self.game.parameter_values
        out: dict[str, Any] = {
            "game": self.game_info(),
            "parameters": {k: _jsonable(v) for k, v in params.items()},
            "method": self.method,
            "complete": self.complete,
            "status": self.status,
            "equilibria": [e.to_dict() for e in self.equilibria],
        }
        stats = {k: _jsonable(v) for k, v in self.stats.items()}
        if stats:
            out["stats"] = stats
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SolveResult:
        """Rebuild a result written by :meth:`to_dict` (without the game object)."""
        method = data["method"]
        return cls(
            equilibria=tuple(Equilibrium.from_dict(e, method) for e in data["equilibria"]),
            method=method,
            complete=bool(data["complete"]),
            status=data.get("status", "ok"),
            stats=dict(data.get("stats", {})),
            details={"game": dict(data.get("game", {}))},
        )

    def verify(self, game: Any = None, tol: float | None = None) -> bool:
        """Recompute every equilibrium's regret against the game.

        Exact equilibria must have exact regret 0; others regret within the
        game's tolerance.  Returns True when all pass.
        """
        game = self.game if game is None else game
        if game is None:
            raise ValueError("verify() needs the game: this result was not produced by a solver")
        from .verify import regret_of

        tol = game.tolerance() if tol is None else tol
        for eq in self.equilibria:
            if eq.exact and regret_of(game, eq, exact=True) != 0:
                return False
            if regret_of(game, eq) > tol:
                return False
        return True

    def with_updates(self, **changes: Any) -> SolveResult:
        """Copy with some fields replaced."""
        return replace(self, **changes)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return str(value)
