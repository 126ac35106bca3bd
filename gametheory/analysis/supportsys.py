"""The support equations of a mixed equilibrium (any number of players), in floats.

Unknowns ``z``: each player's probabilities on its support, then each player's
equilibrium payoff ``v_i``.  Equations: every strategy on a player's support
earns ``v_i`` against the others' mix, and each player's probabilities sum to
one.  Jacobians come from the multilinear payoff structure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def expected(U: np.ndarray, sigma: Sequence[np.ndarray], keep: tuple[int, ...]) -> np.ndarray:
    """Contract ``U`` (indexed by pure profiles) with ``sigma`` on every axis not in ``keep``."""
    out = U
    for j in reversed(range(U.ndim)):
        if j not in keep:
            out = np.tensordot(out, sigma[j], axes=([j], [0]))
    return out


class SupportSystem:
    """Support equations of an ``n``-player game for fixed supports.

    Parameters
    ----------
    shape
        Strategies of each player.
    supports
        Strategy indices in each player's support.
    """

    def __init__(self, shape: Sequence[int], supports: Sequence[Sequence[int]]) -> None:
        self.shape = tuple(int(m) for m in shape)
        self.supports = [np.asarray(sorted(int(s) for s in S), dtype=int) for S in supports]
        self.n = len(self.shape)
        self.var = [(i, int(s)) for i in range(self.n) for s in self.supports[i]]
        self.pos = {v: k for k, v in enumerate(self.var)}
        self.size = len(self.var) + self.n

    def sigma(self, z: np.ndarray) -> list[np.ndarray]:
        """Full probability vectors from ``z``."""
        out = [np.zeros(m) for m in self.shape]
        for (i, s), k in self.pos.items():
            out[i][s] = z[k]
        return out

    def pack(self, sigma: Sequence[np.ndarray], values: Sequence[float]) -> np.ndarray:
        """``z`` from full probability vectors and payoffs."""
        z = np.zeros(self.size)
        for (i, s), k in self.pos.items():
            z[k] = sigma[i][s]
        z[len(self.var) :] = values
        return z

    def equations(self, U: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Residuals ``F(z)`` and Jacobian ``dF/dz``."""
        sigma = self.sigma(z)
        v = z[len(self.var) :]
        F = np.zeros(self.size)
        J = np.zeros((self.size, self.size))
        row = 0
        for i in range(self.n):
            dev = expected(U[i], sigma, (i,))
            pairs = {j: expected(U[i], sigma, (i, j)) for j in range(self.n) if j != i}
            for s in self.supports[i]:
                F[row] = dev[s] - v[i]
                for j, pair in pairs.items():
                    mat = pair if i < j else pair.T
                    for t in self.supports[j]:
                        J[row, self.pos[(j, int(t))]] = mat[s, t]
                J[row, len(self.var) + i] = -1.0
                row += 1
        for i in range(self.n):
            F[row] = sigma[i][self.supports[i]].sum() - 1.0
            for s in self.supports[i]:
                J[row, self.pos[(i, int(s))]] = 1.0
            row += 1
        return F, J

    def parameter_column(self, D: np.ndarray, z: np.ndarray) -> np.ndarray:
        """``dF/dp`` given the payoff derivatives ``D = dU/dp``."""
        sigma = self.sigma(z)
        out = np.zeros(self.size)
        row = 0
        for i in range(self.n):
            dev = expected(D[i], sigma, (i,))
            for s in self.supports[i]:
                out[row] = dev[s]
                row += 1
        return out

    def slacks(self, U: np.ndarray, z: np.ndarray) -> list[tuple[int, int, float]]:
        """``(player, strategy, v_i - payoff)`` for every strategy off the support."""
        sigma = self.sigma(z)
        v = z[len(self.var) :]
        out = []
        for i in range(self.n):
            dev = expected(U[i], sigma, (i,))
            on = set(self.supports[i].tolist())
            out.extend((i, s, float(v[i] - dev[s])) for s in range(self.shape[i]) if s not in on)
        return out

    def probabilities(self, z: np.ndarray) -> np.ndarray:
        """Probabilities of the support strategies (in ``var`` order)."""
        return z[: len(self.var)]
