"""The sweep benchmark group's games, bare references and adapters (no timing here).

A case is a game whose payoffs are affine in one parameter ``theta``
(``base + slope * theta``, seeded random integers) and a grid of ``theta``
values.  Every implementation is an :class:`~benchmarks.peers.Adapter` whose
``prepare`` receives the :class:`SweepCase`, whose ``call`` is timed and whose
``profiles`` turns the output into comparable arrays:

* pure equilibria: an int array with one row per (point, equilibrium),
  ``[point, s_1, ..., s_n]`` (strategy indices), in point order;
* mixed equilibria: ``{point: array of probability vectors}``;
* our sweeps also give a digest of every output array, so that backends can
  be compared bit for bit.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .peers import Adapter, _missing

#: Two mixed equilibria are the same when no probability differs by more.
MATCH_TOL = 1e-6
#: Output arrays of a sweep compared bit for bit between backends.
FIELDS = ("point", "equilibrium", "branch", "label", "probs", "payoffs", "regret")


@dataclass
class SweepCase:
    """One game and grid of the group.

    Attributes
    ----------
    size
        Label shown in the tables.
    model
        Our model (sympy payoffs affine in ``theta``).
    base, slope
        Integer arrays ``(n, m_1, ..., m_n)``: payoffs are ``base + slope * theta``.
    grid
        The ``theta`` values (one point each).
    sample
        Indices of the points a per-point peer loop visits (all when ``None``).
    options
        Keyword arguments of our ``sweep`` call (method, backend, workers).
    """

    size: str
    model: Any
    base: np.ndarray
    slope: np.ndarray
    grid: np.ndarray
    sample: np.ndarray | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def sampled(self) -> np.ndarray:
        """Indices of the points visited by a per-point loop."""
        return np.arange(len(self.grid)) if self.sample is None else self.sample

    def with_grid(self, grid: np.ndarray, size: str) -> SweepCase:
        """The same game (and model object) on another grid."""
        return SweepCase(size, self.model, self.base, self.slope, grid, None, dict(self.options))


def affine_game(seed: int, shape: tuple[int, ...]) -> tuple[Any, np.ndarray, np.ndarray]:
    """``(model, base, slope)``: integer payoffs ``base + slope * theta``, ``theta`` in [-2, 2]."""
    import sympy as sp

    import gametheory as gt

    rng = np.random.default_rng(seed)
    n = len(shape)
    base = rng.integers(-5, 6, size=(n, *shape))
    slope = rng.integers(-3, 4, size=(n, *shape))
    theta = sp.Symbol("theta")
    payoffs = np.empty((n, *shape), dtype=object)
    for idx in np.ndindex(*payoffs.shape):
        payoffs[idx] = sp.Integer(int(base[idx])) + int(slope[idx]) * theta
    game = gt.NormalFormGame.from_arrays(*[payoffs[i] for i in range(n)])
    model = gt.Model(game=game, parameters={"theta": gt.Parameter("theta", 0, (-2, 2))})
    return model, base, slope


def payoffs_at(case: SweepCase, k: int) -> np.ndarray:
    """Float payoff arrays ``(n, ...)`` at grid point ``k``."""
    return case.base.astype(float) + case.slope.astype(float) * case.grid[k]


def bare_pure_equilibria(base: np.ndarray, slope: np.ndarray, grid: np.ndarray) -> tuple:
    """Pure equilibria at every point, hand-written numpy: ``np.nonzero`` of the mask.

    Payoffs of all points at once, then for each player a best-response test
    against the max over that player's own axis, with one float tolerance
    (1e-9 times the payoff range over the grid; payoffs are affine, so the
    range is reached at the ends of the grid) so that exact ties that rounding
    breaks still count as ties.
    """
    n = base.shape[0]
    ends = base[None] + slope[None] * np.array([grid.min(), grid.max()]).reshape(
        (2,) + (1,) * base.ndim)
    tol = 1e-9 * max(1.0, float(ends.max() - ends.min()))
    payoffs = base[None] + slope[None] * grid.reshape((len(grid),) + (1,) * base.ndim)
    mask = None
    for i in range(n):
        u = payoffs[:, i]
        ok = u >= u.max(axis=i + 1, keepdims=True) - tol
        mask = ok if mask is None else mask & ok
    return np.nonzero(mask)


def pure_rows_of(result: Any) -> np.ndarray:
    """``[point, s_1..s_n]`` rows of a sweep's (pure) equilibria."""
    sizes = [len(s) for s in result.strategies]
    cols = [result.point]
    start = 0
    for m in sizes:
        cols.append(np.argmax(result.probs[:, start:start + m], axis=1))
        start += m
    return np.stack(cols, axis=1).astype(np.int64)


def digest(result: Any) -> str:
    """SHA-256 of a sweep's output arrays and labels (equal digests: bit-identical results)."""
    h = hashlib.sha256()
    for f in FIELDS:
        a = np.ascontiguousarray(getattr(result, f))
        h.update(f"{f}{a.dtype}{a.shape}".encode())
        h.update(a.tobytes())
    h.update(repr(result.labels).encode())
    return h.hexdigest()[:16]


def mixed_sets_of(result: Any) -> dict[int, np.ndarray]:
    """``{point: probability vectors}`` of a sweep."""
    out: dict[int, np.ndarray] = {}
    order = np.argsort(result.point, kind="stable")
    pts, probs = result.point[order], result.probs[order]
    bounds = np.flatnonzero(np.diff(pts)) + 1
    for chunk_pts, chunk in zip(np.split(pts, bounds), np.split(probs, bounds)):
        if len(chunk_pts):
            out[int(chunk_pts[0])] = chunk
    return out


def same_sets(a: np.ndarray, b: np.ndarray, tol: float = MATCH_TOL) -> bool:
    """Two sets of probability vectors are equal (each vector matched within ``tol``)."""
    if len(a) != len(b):
        return False
    used = np.zeros(len(b), dtype=bool)
    for v in a:
        d = np.max(np.abs(b - v), axis=1) if len(b) else np.zeros(0)
        hit = np.flatnonzero((d <= tol) & ~used)
        if not len(hit):
            return False
        used[hit[0]] = True
    return True


# ---------------------------------------------------------------------- ours
def _ours_available() -> str | None:
    import gametheory  # noqa: F401

    return None


def ours_sweep(name: str, note: str, keep: tuple[str, ...] = (), **options: Any) -> Adapter:
    """``gt.sweep(model, {"theta": grid}, **options)`` from the model to the in-memory result.

    ``keep`` names the comparable outputs to return beside the digest:
    ``"pure"`` and/or ``"mixed"``.
    """

    def prepare(case: SweepCase) -> SweepCase:
        if options.get("backend") == "processes":
            import multiprocessing

            # the timing harness runs each implementation in a daemonic process, and
            # daemonic processes may not start a pool: this one waits for its pool
            me = multiprocessing.current_process()
            if me.daemon:
                me.daemon = False
        return case

    def call(case: SweepCase) -> Any:
        import gametheory as gt

        return gt.sweep(case.model, {"theta": case.grid}, **{**case.options, **options})

    def profiles(result: Any, case: SweepCase) -> list[Any]:
        out = {"pure": pure_rows_of(result)} if "pure" in keep else {}
        if "mixed" in keep:
            out["mixed"] = mixed_sets_of(result)
        return [{**out, "digest": digest(result), "rows": len(result),
                 "regret": float(result.regret.max()) if len(result) else 0.0,
                 "method": result.method}]

    return Adapter(name, True, note, prepare, call, profiles, _ours_available)


def bare_numpy_pure() -> Adapter:
    """The hand-written numpy pure-equilibrium sweep (see :func:`bare_pure_equilibria`)."""

    def prepare(case: SweepCase) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return case.base.astype(float), case.slope.astype(float), np.asarray(case.grid, float)

    def call(native: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple:
        return bare_pure_equilibria(*native)

    def profiles(hits: tuple, native: Any) -> list[Any]:
        return [{"pure": np.stack(hits, axis=1).astype(np.int64), "rows": len(hits[0])}]

    return Adapter("bare numpy (payoffs of all points, max over each player's axis)", False,
                   "`base + slope * theta` for all points as one float array, then for each "
                   "player `u >= u.max(axis=own axis, keepdims=True) - tol`, and-ed, then "
                   "`np.nonzero` (one tolerance for the whole grid; no payoffs or regrets)",
                   prepare, call, profiles, lambda: None)


# ---------------------------------------------------------------------- pygambit
def _gambit_loop(solve: Any) -> Any:
    def call(case: SweepCase) -> tuple[list[Any], float, float]:
        import pygambit as gbt

        base, slope = case.base.astype(float), case.slope.astype(float)
        out, build, solving = [], 0.0, 0.0
        for k in case.sampled:
            t0 = time.perf_counter()
            game = gbt.Game.from_arrays(*(base + slope * case.grid[k]))
            t1 = time.perf_counter()
            res = solve(game)
            solving += time.perf_counter() - t1
            build += t1 - t0
            out.append((int(k), game, res))
        return out, build, solving

    return call


def _gambit_vectors(game: Any, res: Any) -> np.ndarray:
    width = sum(len(p.strategies) for p in game.players)
    rows = [[float(eq[s]) for p in game.players for s in p.strategies] for eq in res.equilibria]
    return np.array(rows, dtype=float).reshape(len(rows), width)


def _gambit_info(raw: tuple[list[Any], float, float]) -> str:
    out, build, solving = raw
    return (f"{len(out):,} points: building games {build * 1e3:,.0f} ms, "
            f"solver calls {solving * 1e3:,.0f} ms")


def gambit_enumpure_loop() -> Adapter:
    """``pygambit.nash.enumpure_solve`` at each point, the game built from arrays each time."""

    def solve(game: Any) -> Any:
        import pygambit as gbt

        return gbt.nash.enumpure_solve(game)

    def profiles(raw: tuple[list[Any], float, float], case: SweepCase) -> list[Any]:
        rows = []
        for k, game, res in raw[0]:
            vecs = _gambit_vectors(game, res)
            sizes = [len(p.strategies) for p in game.players]
            for v in vecs:
                parts = np.split(v, np.cumsum(sizes)[:-1])
                rows.append([k, *(int(np.argmax(p)) for p in parts)])
        n = case.base.shape[0]
        arr = np.array(rows, dtype=np.int64).reshape(len(rows), n + 1)
        return [{"pure": arr, "rows": len(arr), "build": raw[1], "solve": raw[2]}]

    return Adapter("pygambit enumpure_solve loop", False,
                   "for each point: `pygambit.Game.from_arrays(*payoffs)` then "
                   "`pygambit.nash.enumpure_solve(game)`; the whole loop is timed (building "
                   "the games included), the solver calls alone are reported beside it",
                   lambda case: case, _gambit_loop(solve), profiles, _missing("pygambit"),
                   info=_gambit_info)


def gambit_enummixed_loop() -> Adapter:
    """``pygambit.nash.enummixed_solve(rational=False)`` at each point."""

    def solve(game: Any) -> Any:
        import pygambit as gbt

        return gbt.nash.enummixed_solve(game, rational=False)

    def profiles(raw: tuple[list[Any], float, float], case: SweepCase) -> list[Any]:
        mixed = {k: _gambit_vectors(game, res) for k, game, res in raw[0]}
        return [{"mixed": mixed, "rows": sum(len(v) for v in mixed.values()),
                 "build": raw[1], "solve": raw[2]}]

    return Adapter("pygambit enummixed_solve loop", False,
                   "for each point: `pygambit.Game.from_arrays(A, B)` then "
                   "`pygambit.nash.enummixed_solve(game, rational=False)`; the whole loop is "
                   "timed (building the games included), the solver calls alone are reported "
                   "beside it", lambda case: case, _gambit_loop(solve), profiles,
                   _missing("pygambit"), info=_gambit_info)
