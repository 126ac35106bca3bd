"""Payoffs, chance probabilities and parameters of game trees (mixed into the game class).

Values are stored as *outcomes* (payoff vectors attached to nodes) and chance
probabilities per action, as given: float64, int64, or object arrays of
``int``/``Fraction``/sympy entries.  Terminal payoffs add up the outcomes on
each terminal's path.  Symbolic values are substituted by :meth:`bind` and
evaluated over arrays of parameter values by :meth:`evaluator`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .. import numbers as nb
from ..exceptions import InvalidGameError, UnboundParameterError, UnknownParameterError
from . import tree_arrays as ta
from . import values as tv

if TYPE_CHECKING:
    from .extensive import ExtensiveFormGame


class TreeValues(NamedTuple):
    """Numeric values of a tree at parameter points (from :meth:`ExtensiveFormGame.evaluator`)."""

    payoffs: np.ndarray
    """Terminal payoffs, shape ``(N, num_terminals, num_players)``."""
    probabilities: np.ndarray
    """Chance probability of every action, shape ``(N, num_actions)`` (NaN for player actions)."""


class TreePayoffsMixin:
    """Value accessors of :class:`~gametheory.games.extensive.ExtensiveFormGame`."""

    @property
    def outcomes(self) -> np.ndarray:
        """Outcome payoff vectors as given, shape ``(num_outcomes, num_players)``."""
        return self._outcomes

    @property
    def action_probabilities(self) -> np.ndarray:
        """Chance probability of every action as given (unused entries NaN/None)."""
        return self._probs

    def outcome_label(self, k: int) -> str:
        """Label of outcome ``k`` ("" when none)."""
        labels = self._raw.outcome_labels
        return labels[k] if labels is not None else ""

    def _require_numeric(self) -> None:
        if self.is_symbolic:
            raise UnboundParameterError(
                f"the game has unbound parameters {', '.join(self.parameters)}; "
                "call bind(...) first"
            )

    @cached_property
    def _outcome_pairs(self) -> tuple[np.ndarray, np.ndarray, bool]:
        """``(terminal position, outcome)`` pairs of the outcomes on each terminal's path."""
        t = self.terminals
        inner_outcomes = bool(np.any(self._node_outcome[self._kind != 0] >= 0))
        if not inner_outcomes:
            k = self._node_outcome[t]
            has = k >= 0
            return np.flatnonzero(has), k[has], False
        pos, nodes = ta.path_pairs(self._layout, t, self._node_outcome >= 0)
        return pos, self._node_outcome[nodes], True

    def _terminal_values(self, outcomes: np.ndarray) -> np.ndarray:
        pos, k, _ = self._outcome_pairs
        if outcomes.dtype == object:
            out = np.zeros((self.num_terminals, self.num_players), dtype=object)
            for a, b in zip(pos.tolist(), k.tolist()):
                out[a] = out[a] + outcomes[b]
            return out
        out = np.zeros((self.num_terminals, self.num_players), dtype=outcomes.dtype)
        if not self._outcome_pairs[2]:
            out[pos] = outcomes[k]
        else:
            np.add.at(out, pos, outcomes[k])
        return out

    @property
    def terminal_payoffs(self) -> np.ndarray:
        """Payoffs of the terminal nodes as given, shape ``(num_terminals, num_players)``."""
        if "terminal_payoffs" not in self._cache:
            src = self._outcomes
            arr = self._terminal_values(src)
            arr.setflags(write=False)
            self._cache["terminal_payoffs"] = arr
        return self._cache["terminal_payoffs"]

    def float_payoffs(self) -> np.ndarray:
        """Terminal payoffs as float64, shape ``(num_terminals, num_players)``."""
        if "float_payoffs" not in self._cache:
            self._require_numeric()
            arr = self._terminal_values(tv.to_float(self._outcomes))
            arr.setflags(write=False)
            self._cache["float_payoffs"] = arr
        return self._cache["float_payoffs"]

    def exact_payoffs(self) -> np.ndarray:
        """Terminal payoffs as ``Fraction`` (floats read as their decimal text)."""
        if "exact_payoffs" not in self._cache:
            self._require_numeric()
            arr = self._terminal_values(tv.to_exact(self._outcomes))
            arr.setflags(write=False)
            self._cache["exact_payoffs"] = arr
        return self._cache["exact_payoffs"]

    def float_probabilities(self) -> np.ndarray:
        """Chance probability of every action as float64 (NaN for player actions)."""
        if "float_probs" not in self._cache:
            self._require_numeric()
            arr = tv.to_float(self._probs, skip=self._player_action)
            if arr is self._probs:
                arr = arr.copy()
            arr[self._player_action] = np.nan
            arr.setflags(write=False)
            self._cache["float_probs"] = arr
        return self._cache["float_probs"]

    def exact_probabilities(self) -> np.ndarray:
        """Chance probability of every action as ``Fraction`` (``None`` for player actions)."""
        if "exact_probs" not in self._cache:
            self._require_numeric()
            arr = tv.to_exact(self._probs, skip=self._player_action)
            arr.setflags(write=False)
            self._cache["exact_probs"] = arr
        return self._cache["exact_probs"]

    def payoff_range(self) -> float:
        """Largest minus smallest terminal payoff over all players."""
        f = self.float_payoffs()
        return float(f.max() - f.min()) if f.size else 0.0

    def tolerance(self) -> float:
        """Regret tolerance of this game (see :func:`gametheory.numbers.tolerance`)."""
        return nb.tolerance(self.payoff_range())

    def is_constant_sum(self) -> bool:
        """True when the payoffs add up to the same number at every terminal node."""
        if self.is_symbolic:
            return False
        if "constant_sum" not in self._cache:
            if self._value_kind == nb.EXACT and self._small_integer_outcomes():
                total = self.float_payoffs().sum(axis=1)  # integer sums: exact in float64
                same = bool(np.all(total == total[0]))
            elif self._value_kind == nb.EXACT:
                total = self.exact_payoffs().sum(axis=1)
                same = bool(np.all(total == total[0]))
            else:
                total = self.float_payoffs().sum(axis=1)
                same = bool(np.ptp(total) <= self.tolerance())
            self._cache["constant_sum"] = same
        return self._cache["constant_sum"]

    def _small_integer_outcomes(self) -> bool:
        """True when every outcome entry is an integer and float64 sums of them are exact."""
        src = self._outcomes
        if src.dtype.kind not in "iuO":
            return False
        try:
            ints = src.astype(np.int64)
        except (TypeError, ValueError, OverflowError):
            return False
        if src.dtype == object and not bool(np.all(src == ints)):  # e.g. Fraction(1, 2)
            return False
        return float(np.abs(ints.astype(np.float64)).sum()) < 2.0**52

    def is_zero_sum(self) -> bool:
        """True when the payoffs add up to zero at every terminal node."""
        if not self.is_constant_sum():
            return False
        return abs(float(self.float_payoffs().sum(axis=1)[0])) <= self.tolerance()

    # ------------------------------------------------------------------ parameters
    @property
    def parameters(self) -> tuple[str, ...]:
        """Names of the free parameters in payoffs and chance probabilities, sorted."""
        if not self.is_symbolic:
            return ()
        return tv.free_parameters([self._outcomes, self._probs])

    def bind(self, **values: Any) -> ExtensiveFormGame:
        """Numeric game with parameters replaced by values.

        Exact values keep the game exact; floats give a float game.  Chance
        probabilities are validated here (non-negative, summing to 1).
        """
        if not self.is_symbolic:
            if values:
                raise UnknownParameterError(
                    f"unknown parameter {sorted(values)[0]!r}; the game has no parameters"
                )
            return self
        exact = tv.check_bind_values(self.parameters, values)
        outcomes = tv.substitute(self._outcomes, values, exact)
        probs = tv.substitute(self._probs, values, exact)
        return self._rebuild(outcomes, probs, values)

    def evaluator(self) -> Callable[..., TreeValues]:
        """Vectorised evaluation over arrays of parameter values.

        Returns
        -------
        callable
            ``f(**arrays)`` with one 1-D array per parameter (equal lengths
            ``N``), returning :class:`TreeValues` (terminal payoffs of shape
            ``(N, num_terminals, num_players)`` and chance probabilities of
            shape ``(N, num_actions)``).
        """
        names = self.parameters
        if not names:
            pay, probs = self.float_payoffs(), self.float_probabilities()

            def constant(**arrays: Any) -> TreeValues:
                n_points = len(next(iter(arrays.values()))) if arrays else 1
                return TreeValues(
                    np.broadcast_to(pay, (n_points, *pay.shape)).copy(),
                    np.broadcast_to(probs, (n_points, *probs.shape)).copy(),
                )

            return constant
        f_out = tv.lambdified(self._outcomes, names)
        f_prob = tv.lambdified(self._probs, names)
        pos, k, _ = self._outcome_pairs
        mask = self._player_action

        def evaluate(**arrays: Any) -> TreeValues:
            unknown = sorted(set(arrays) - set(names))
            if unknown:
                raise UnknownParameterError(f"unknown parameter {unknown[0]!r}")
            missing = [m for m in names if m not in arrays]
            if missing:
                raise UnboundParameterError(f"no values for parameter(s) {', '.join(missing)}")
            cols = [np.asarray(arrays[m], dtype=np.float64).reshape(-1) for m in names]
            outs = f_out(*cols)
            n_points = outs.shape[0]
            pay = np.zeros((n_points, self.num_terminals, self.num_players))
            np.add.at(pay, (slice(None), pos), outs[:, k])
            probs = np.broadcast_to(f_prob(*cols), (n_points, self.num_actions)).copy()
            probs[:, mask] = np.nan
            if not (np.all(np.isfinite(pay)) and np.all(np.isfinite(probs[:, ~mask]))):
                raise InvalidGameError(
                    "payoffs or probabilities are not finite at some parameter values"
                )
            return TreeValues(pay, probs)

        return evaluate
