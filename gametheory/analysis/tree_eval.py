"""Values of a game tree over many parameter points, laid out for the batched kernels.

:class:`TreeEvaluator` returns terminal payoffs ``(num_terminals,
num_players, N)`` and chance probabilities ``(num_chance_actions, N)`` for a
whole block of points in one call.  Entries that are polynomials in the
parameters (the usual case in model files) are evaluated as one matrix
product of their coefficients with the monomials, which is much faster to
build and to run than ``lambdify`` on hundreds of expressions; any other entry
goes through ``sympy.lambdify``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import numbers as nb


def _is_monomial(term: Any) -> bool:
    if term == 1 or term.is_Symbol:
        return True
    if term.is_Pow:
        return bool(term.base.is_Symbol and term.exp.is_Integer and term.exp > 0)
    return bool(term.is_Mul) and all(_is_monomial(f) for f in term.args)


def polynomial_terms(expr: Any) -> dict[Any, float] | None:
    """``{monomial: float coefficient}`` of a polynomial in its symbols, else ``None``."""
    import sympy as sp

    if not getattr(expr, "free_symbols", None):
        return {sp.Integer(1): nb.to_float(expr)}
    for expand in (False, True):
        terms = (sp.expand(expr) if expand else expr).as_coefficients_dict()
        if all(_is_monomial(t) for t in terms):
            out: dict[Any, float] = {}
            for t, c in terms.items():
                out[t] = out.get(t, 0.0) + float(c)
            return out
    return None


class TreeEvaluator:
    """Terminal payoffs and chance probabilities of a tree over arrays of parameter values.

    Calling it with ``{parameter: values}`` (``N`` points) returns
    ``(payoffs, chance)`` of shapes ``(num_terminals, num_players, N)`` and
    ``(num_chance_actions, N)`` (chance actions in global order).  Entries
    polynomial in the parameters (the usual case) are evaluated as one
    matrix product of their coefficients with the monomials; any other entry
    through ``sympy.lambdify``.
    """

    def __init__(self, game: Any) -> None:
        import sympy as sp

        self.names = tuple(game.parameters)
        pay = np.asarray(game.terminal_payoffs, dtype=object)
        self.pay_shape = pay.shape
        player_action = np.repeat(game.infoset_player >= 0, game.infoset_num_actions)
        probs = np.asarray(game.action_probabilities, dtype=object)[np.flatnonzero(~player_action)]
        entries = [*pay.reshape(-1), *probs]
        monomials: dict[Any, int] = {}
        coeffs: list[tuple[int, int, float]] = []
        other = []
        for k, v in enumerate(entries):
            terms = polynomial_terms(v)
            if terms is None:
                other.append(k)
                continue
            for t, c in terms.items():
                coeffs.append((k, monomials.setdefault(t, len(monomials)), c))
        self.size = len(entries)
        self.coef = np.zeros((len(entries), len(monomials)))
        for k, j, c in coeffs:
            self.coef[k, j] += c
        self.monomials = [
            tuple((str(s), int(e)) for s, e in t.as_powers_dict().items() if t != 1)
            for t in monomials
        ]
        self.other = np.asarray(other, dtype=np.int64)
        self._func = (
            sp.lambdify(
                [sp.Symbol(p) for p in self.names],
                [entries[k] for k in other],
                modules="numpy",
            )
            if other
            else None
        )

    def __call__(
        self, arrays: Mapping[str, np.ndarray], size: int
    ) -> tuple[np.ndarray, np.ndarray]:
        cols = {p: np.asarray(arrays[p], dtype=np.float64).reshape(-1) for p in self.names}
        mono = np.ones((len(self.monomials), size))
        for j, powers in enumerate(self.monomials):
            for name, e in powers:
                mono[j] *= cols[name] ** e
        out = self.coef @ mono
        if self._func is not None:
            for k, v in zip(self.other.tolist(), self._func(*(cols[p] for p in self.names))):
                out[k] = v
        npay = int(np.prod(self.pay_shape))
        return out[:npay].reshape(*self.pay_shape, size), out[npay:]


def check_values(shape: Any, payoffs: np.ndarray, chance: np.ndarray, where: Any) -> None:
    """Raise when payoffs are not finite or chance moves are not distributions at some point.

    ``where(k)`` describes point ``k`` of the block (for the message).
    """
    from .grid import InvalidGridError

    bad = ~np.isfinite(payoffs.sum(axis=(0, 1)))
    if chance.size:
        sizes = shape.num_actions[shape.infoset_player < 0]
        member = np.repeat(np.arange(sizes.size), sizes)
        sums = (member[None, :] == np.arange(sizes.size)[:, None]).astype(np.float64) @ chance
        bad |= ~np.all(np.abs(sums - 1.0) <= 1e-9, axis=0) | ~np.all(chance >= 0.0, axis=0)
    if np.any(bad):
        k = int(np.flatnonzero(bad)[0])
        raise InvalidGridError(
            f"at {where(k)} the payoffs are not finite or the chance probabilities are not "
            "a probability distribution (negative, or not summing to 1)"
        )
