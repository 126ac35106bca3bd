"""Finite n-player games in normal (strategic) form."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from .. import numbers as nb
from ..exceptions import InvalidGameError, UnboundParameterError, UnknownParameterError
from .labels import check_labels, default_players, default_strategies
from .payoff_arrays import classify_payoffs, is_ragged, stack_payoffs
from .profiles import Profile, normalize_profile
from .render import render_html, render_text
from .values import check_bind_values, free_parameters, lambdified, substitute


class NormalFormGame:
    """An immutable finite game in normal form with any number of players.

    Build one with a named constructor: :meth:`from_arrays`, :meth:`bimatrix`,
    :meth:`zero_sum` or :meth:`from_payoff_function`.

    Payoff entries are floats, exact rationals (``int``/``Fraction``) or sympy
    expressions of named parameters.  A symbolic game exposes
    :attr:`parameters`, :meth:`bind` and :meth:`evaluator`.
    """

    __slots__ = (
        "_exact",
        "_float",
        "_kind",
        "_parameter_values",
        "_players",
        "_source",
        "_strategies",
        "_title",
    )

    def __init__(
        self,
        payoffs: Sequence[Any],
        players: Sequence[str] | None = None,
        strategies: Sequence[Sequence[str]] | None = None,
        title: str = "",
        parameter_values: Mapping[str, Any] | None = None,
    ) -> None:
        source = stack_payoffs(payoffs)
        n = source.shape[0]
        shape = source.shape[1:]
        players = check_labels(players if players is not None else default_players(n), "player")
        if len(players) != n:
            raise InvalidGameError(f"{len(players)} player labels for a {n}-player game")
        if strategies is None:
            strategies = default_strategies(shape)
        if len(strategies) != n:
            raise InvalidGameError(f"strategy labels given for {len(strategies)} of {n} players")
        labels = []
        for i, (player, strats) in enumerate(zip(players, strategies)):
            checked = check_labels(list(strats), f"strategy of {player}")
            if len(checked) != shape[i]:
                raise InvalidGameError(
                    f"{player} has {len(checked)} strategy labels but the payoff arrays "
                    f"give {shape[i]} strategies"
                )
            labels.append(checked)
        self._kind = classify_payoffs(source)
        source.setflags(write=False)
        self._source = source
        self._players = players
        self._strategies = tuple(labels)
        self._title = str(title)
        self._parameter_values = dict(parameter_values or {})
        self._float: np.ndarray | None = None
        self._exact: np.ndarray | None = None

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_arrays(
        cls,
        *arrays: Any,
        players: Sequence[str] | None = None,
        strategies: Sequence[Sequence[str]] | None = None,
        title: str = "",
    ) -> NormalFormGame:
        """Game from one payoff array per player.

        Parameters
        ----------
        *arrays
            ``arrays[i][s_1, ..., s_n]`` is player ``i``'s payoff at pure profile
            ``s``.  With a single argument of shape ``(n, m_1, ..., m_n)`` the
            first axis indexes players.
        players, strategies
            Labels; defaults are ``Row``/``Column`` (two players) or
            ``Player k``, and ``s1, s2, ...``.
        title
            A human-readable name.
        """
        if len(arrays) == 1:
            arr = np.asarray(arrays[0], dtype=None if not is_ragged(arrays[0]) else object)
            if arr.ndim >= 2 and arr.ndim == arr.shape[0] + 1:
                arrays = tuple(arr[i] for i in range(arr.shape[0]))
        return cls(list(arrays), players=players, strategies=strategies, title=title)

    @classmethod
    def bimatrix(
        cls,
        A: Any,
        B: Any,
        players: Sequence[str] | None = None,
        strategies: Sequence[Sequence[str]] | None = None,
        title: str = "",
    ) -> NormalFormGame:
        """Two-player game with row payoffs ``A`` and column payoffs ``B``."""
        return cls([A, B], players=players, strategies=strategies, title=title)

    @classmethod
    def zero_sum(
        cls,
        A: Any,
        players: Sequence[str] | None = None,
        strategies: Sequence[Sequence[str]] | None = None,
        title: str = "",
    ) -> NormalFormGame:
        """Two-player zero-sum game; the column player receives ``-A``."""
        arr = np.asarray(A)
        neg = -arr if arr.dtype != object else np.vectorize(lambda v: -v, otypes=[object])(arr)
        return cls([arr, neg], players=players, strategies=strategies, title=title)

    @classmethod
    def from_payoff_function(
        cls,
        func: Callable[..., Sequence[Any]],
        strategies: Sequence[Sequence[str]],
        players: Sequence[str] | None = None,
        title: str = "",
    ) -> NormalFormGame:
        """Game whose payoffs are ``func(*labels)`` at each pure profile.

        ``func`` receives one strategy label per player and returns one payoff
        per player.
        """
        shape = tuple(len(s) for s in strategies)
        n = len(shape)
        out = np.empty((n, *shape), dtype=object)
        for idx in itertools.product(*(range(m) for m in shape)):
            values = func(*(strategies[i][k] for i, k in enumerate(idx)))
            values = list(values)
            if len(values) != n:
                raise InvalidGameError(
                    f"payoff function returned {len(values)} payoffs at profile "
                    f"{tuple(strategies[i][k] for i, k in enumerate(idx))}, expected {n}"
                )
            for i, v in enumerate(values):
                out[(i, *idx)] = v
        if all(isinstance(v, (float, np.floating)) for v in out.reshape(-1)):
            out = out.astype(np.float64)
        return cls(list(out), players=players, strategies=strategies, title=title)

    # ------------------------------------------------------------------ basic properties
    @property
    def title(self) -> str:
        """Human-readable name of the game."""
        return self._title

    @property
    def players(self) -> tuple[str, ...]:
        """Player labels."""
        return self._players

    @property
    def strategies(self) -> tuple[tuple[str, ...], ...]:
        """Strategy labels, one tuple per player."""
        return self._strategies

    @property
    def num_players(self) -> int:
        """Number of players."""
        return len(self._players)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of strategies of each player."""
        return tuple(self._source.shape[1:])

    @property
    def num_profiles(self) -> int:
        """Number of pure strategy profiles."""
        return int(np.prod(self.shape))

    @property
    def form(self) -> str:
        """``"normal"``."""
        return "normal"

    @property
    def kind(self) -> str:
        """``"float"``, ``"exact"`` or ``"symbolic"``: the kind of the payoff entries."""
        return self._kind

    @property
    def is_symbolic(self) -> bool:
        """True when some payoff depends on an unbound parameter."""
        return self._kind == nb.SYMBOLIC

    @property
    def parameter_values(self) -> dict[str, Any]:
        """Parameter values this game was bound at (empty for games built from numbers)."""
        return dict(self._parameter_values)

    @property
    def payoffs(self) -> tuple[np.ndarray, ...]:
        """One read-only payoff array per player, as given (float, exact or symbolic)."""
        return tuple(self._source[i] for i in range(self.num_players))

    @property
    def payoff_array(self) -> np.ndarray:
        """All payoffs as one read-only array of shape ``(n, m_1, ..., m_n)``."""
        return self._source

    def float_payoffs(self) -> np.ndarray:
        """Payoffs as a read-only float64 array of shape ``(n, m_1, ..., m_n)``.

        Raises
        ------
        UnboundParameterError
            When the game is symbolic.
        """
        if self._float is None:
            if self.is_symbolic:
                raise UnboundParameterError(
                    "the game has unbound parameters "
                    f"{', '.join(self.parameters)}; call bind(...) first"
                )
            arr = nb.as_float_array(self._source)
            arr.setflags(write=False)
            self._float = arr
        return self._float

    def exact_payoffs(self) -> np.ndarray:
        """Payoffs as an object array of ``Fraction`` (floats read as their decimal text)."""
        if self._exact is None:
            if self.is_symbolic:
                self.float_payoffs()  # raises the unbound-parameter error
            arr = nb.as_fraction_array(self._source)
            arr.setflags(write=False)
            self._exact = arr
        return self._exact

    def payoff_range(self) -> float:
        """Largest minus smallest payoff over all players (0 for a constant game)."""
        f = self.float_payoffs()
        return float(f.max() - f.min())

    def tolerance(self) -> float:
        """Regret tolerance of this game (see :func:`gametheory.numbers.tolerance`)."""
        return nb.tolerance(self.payoff_range())

    def is_constant_sum(self) -> bool:
        """True when the players' payoffs add up to the same number at every profile."""
        if self.is_symbolic:
            return False
        if self._kind == nb.EXACT:
            total = self.exact_payoffs().sum(axis=0)
            return bool(np.all(total == total.reshape(-1)[0]))
        total = self.float_payoffs().sum(axis=0)
        return bool(np.ptp(total) <= self.tolerance())

    def is_zero_sum(self) -> bool:
        """True when the payoffs add up to zero at every profile."""
        if not self.is_constant_sum():
            return False
        if self._kind == nb.EXACT:
            return self.exact_payoffs().sum(axis=0).reshape(-1)[0] == 0
        return abs(float(self.float_payoffs().sum(axis=0).reshape(-1)[0])) <= self.tolerance()

    # ------------------------------------------------------------------ labels
    def player_index(self, player: str | int) -> int:
        """Index of a player given by label or index."""
        if isinstance(player, (int, np.integer)):
            if not 0 <= int(player) < self.num_players:
                raise InvalidGameError(f"player index {player} out of range")
            return int(player)
        try:
            return self._players.index(player)
        except ValueError:
            raise InvalidGameError(f"unknown player {player!r}") from None

    def strategy_index(self, player: str | int, strategy: str | int) -> int:
        """Index of one of a player's strategies, given by label or index."""
        i = self.player_index(player)
        if isinstance(strategy, (int, np.integer)):
            if not 0 <= int(strategy) < self.shape[i]:
                raise InvalidGameError(
                    f"strategy index {strategy} out of range for {self._players[i]}"
                )
            return int(strategy)
        try:
            return self._strategies[i].index(strategy)
        except ValueError:
            raise InvalidGameError(f"{self._players[i]} has no strategy {strategy!r}") from None

    # ------------------------------------------------------------------ payoffs of profiles
    def payoff(self, profile: Sequence[str | int]) -> tuple[Any, ...]:
        """Payoffs (as stored) at a pure profile given by labels or indices."""
        if len(profile) != self.num_players:
            raise InvalidGameError(f"a pure profile needs {self.num_players} strategies")
        idx = tuple(self.strategy_index(i, s) for i, s in enumerate(profile))
        return tuple(self._source[(i, *idx)] for i in range(self.num_players))

    def _arrays(self, exact: bool) -> np.ndarray:
        return self.exact_payoffs() if exact else self.float_payoffs()

    def expected_payoffs(self, profile: Profile, exact: bool = False) -> np.ndarray:
        """Expected payoff of every player under a mixed profile.

        Parameters
        ----------
        profile
            One probability vector per player (sequence or mapping by player
            label, vectors or ``{strategy: prob}`` mappings).
        exact
            Compute in rationals (probabilities must then be exact).
        """
        sigma = normalize_profile(self, profile, exact=exact)
        r = self._arrays(exact)
        for vec in reversed(sigma):
            r = r @ vec if not exact else np.dot(r, vec)
        return r

    def deviation_payoffs(self, profile: Profile, exact: bool = False) -> list[np.ndarray]:
        """For each player, the payoff of each pure strategy against the others' mix."""
        sigma = normalize_profile(self, profile, exact=exact)
        arrays = self._arrays(exact)
        out = []
        n = self.num_players
        for i in range(n):
            r = np.moveaxis(arrays[i], i, -1)
            for j in range(n):
                if j != i:
                    r = np.tensordot(sigma[j], r, axes=(0, 0))
            out.append(np.asarray(r))
        return out

    def best_responses(
        self, profile: Profile, player: str | int, tol: float | None = None
    ) -> tuple[int, ...]:
        """Indices of the pure best responses of ``player`` to the others' mix."""
        i = self.player_index(player)
        u = self.deviation_payoffs(profile)[i]
        tol = self.tolerance() if tol is None else tol
        return tuple(int(k) for k in np.flatnonzero(u >= u.max() - tol))

    def regrets(self, profile: Profile, exact: bool = False) -> np.ndarray:
        """Each player's gain from the best unilateral deviation."""
        sigma = normalize_profile(self, profile, exact=exact)
        dev = self.deviation_payoffs(sigma, exact=exact)
        if exact:
            return np.array(
                [
                    max(d) - sum((p * v for p, v in zip(s, d)), Fraction(0))
                    for d, s in zip(dev, sigma)
                ],
                dtype=object,
            )
        return np.array([float(d.max() - d @ s) for d, s in zip(dev, sigma)])

    def regret(self, profile: Profile, exact: bool = False) -> float | Fraction:
        """Largest gain any player gets by deviating (0 at an equilibrium)."""
        r = self.regrets(profile, exact=exact)
        return max(r) if exact else float(r.max())

    def is_equilibrium(self, profile: Profile, tol: float | None = None) -> bool:
        """True when the profile's regret is within tolerance."""
        return self.regret(profile) <= (self.tolerance() if tol is None else tol)

    # ------------------------------------------------------------------ derived games
    def restrict(self, keep: Sequence[Sequence[int]]) -> NormalFormGame:
        """The game in which player ``i`` may only use strategies ``keep[i]``."""
        if len(keep) != self.num_players:
            raise InvalidGameError(f"restrict needs one index list per player ({self.num_players})")
        idx = [np.asarray(sorted(set(int(k) for k in ks)), dtype=int) for ks in keep]
        for i, ks in enumerate(idx):
            if ks.size == 0:
                raise InvalidGameError(f"{self._players[i]} must keep at least one strategy")
        sub = self._source[(slice(None), *np.ix_(*idx))]
        labels = [tuple(self._strategies[i][k] for k in ks) for i, ks in enumerate(idx)]
        return NormalFormGame(list(sub), self._players, labels, self._title, self._parameter_values)

    def with_payoffs(
        self, payoffs: Any, parameter_values: Mapping[str, Any] | None = None
    ) -> NormalFormGame:
        """Same players and labels, new payoffs of shape ``(n, m_1, ..., m_n)``."""
        return NormalFormGame(
            list(payoffs),
            self._players,
            self._strategies,
            self._title,
            self._parameter_values if parameter_values is None else parameter_values,
        )

    # ------------------------------------------------------------------ parameters
    @property
    def parameters(self) -> tuple[str, ...]:
        """Names of the free parameters in the payoffs, sorted."""
        return free_parameters([self._source]) if self.is_symbolic else ()

    def bind(self, **values: Any) -> NormalFormGame:
        """Numeric game with parameters replaced by values.

        Exact values (``int``, ``Fraction``) keep the game exact; floats give a
        float game.  Every free parameter needs a value; names that are not
        parameters of the game are errors.
        """
        exact = check_bind_values(self.parameters, values)
        if not self.is_symbolic:
            return self
        return self.with_payoffs(substitute(self._source, values, exact), parameter_values=values)

    def evaluator(self) -> Callable[..., np.ndarray]:
        """Vectorised evaluation of the payoffs over arrays of parameter values.

        Returns
        -------
        callable
            ``f(**arrays)`` where each keyword is a parameter and each value a
            1-D array of the same length ``N``; returns a float array of shape
            ``(N, n, m_1, ..., m_n)``.
        """
        names = self.parameters
        shape = self._source.shape
        if not names:
            base = self.float_payoffs()

            def constant(**arrays: Any) -> np.ndarray:
                n_points = len(next(iter(arrays.values()))) if arrays else 1
                return np.broadcast_to(base, (n_points, *shape)).copy()

            return constant
        func = lambdified(self._source, names)

        def evaluate(**arrays: Any) -> np.ndarray:
            unknown = sorted(set(arrays) - set(names))
            if unknown:
                raise UnknownParameterError(f"unknown parameter {unknown[0]!r}")
            missing = [n for n in names if n not in arrays]
            if missing:
                raise UnboundParameterError(f"no values for parameter(s) {', '.join(missing)}")
            out = func(*(np.asarray(arrays[n], dtype=np.float64).reshape(-1) for n in names))
            if not np.all(np.isfinite(out)):
                raise InvalidGameError("payoffs are not finite at some parameter values")
            return out

        return evaluate

    # ------------------------------------------------------------------ comparison & display
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NormalFormGame):
            return NotImplemented
        if (self._players, self._strategies) != (other._players, other._strategies):
            return False
        if self.is_symbolic or other.is_symbolic:
            return bool(
                self.is_symbolic == other.is_symbolic
                and all(
                    (a - b) == 0 or a == b
                    for a, b in zip(self._source.reshape(-1), other._source.reshape(-1))
                )
            )
        if self._kind == nb.FLOAT or other._kind == nb.FLOAT:
            return bool(np.array_equal(self.float_payoffs(), other.float_payoffs()))
        return bool(np.all(self.exact_payoffs() == other.exact_payoffs()))

    def __hash__(self) -> int:
        return hash((self._players, self._strategies, self._source.shape))

    def __getstate__(self) -> dict[str, Any]:
        return {
            "payoffs": self._source,
            "players": self._players,
            "strategies": self._strategies,
            "title": self._title,
            "parameter_values": self._parameter_values,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(  # type: ignore[misc]
            list(state["payoffs"]),
            state["players"],
            state["strategies"],
            state["title"],
            state["parameter_values"],
        )

    def __repr__(self) -> str:
        return render_text(self)

    def _repr_html_(self) -> str:
        return render_html(self)
