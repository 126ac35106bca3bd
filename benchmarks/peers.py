"""Adapters: call our methods and each peer library on the same payoff arrays.

An :class:`Adapter` splits a run into an untimed ``prepare`` (build the
library's own game object), the timed ``call`` (the solver alone) and an
untimed ``profiles`` (convert the output to one probability vector per
player), so that every implementation is timed on its solver only and every
output can be checked with our own regret computation.
"""

from __future__ import annotations

import importlib
import importlib.util
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Profile = list[np.ndarray]


@dataclass
class Adapter:
    """One implementation of a benchmark task.

    Attributes
    ----------
    name
        Name shown in the tables.
    is_ours
        True for our own methods.
    note
        How it is called (shown under the table).
    prepare
        ``prepare(arrays) -> native game`` (not timed).
    call
        ``call(native) -> raw output`` (timed).
    profiles
        ``profiles(raw, native) -> list of profiles`` (not timed).
    unavailable
        ``unavailable() -> reason or None``.
    info
        Optional ``info(raw) -> str`` with extra facts (e.g. ``complete``).
    """

    name: str
    is_ours: bool
    note: str
    prepare: Callable[[tuple[np.ndarray, ...]], Any]
    call: Callable[[Any], Any]
    profiles: Callable[[Any, Any], list[Profile]]
    unavailable: Callable[[], str | None]
    info: Callable[[Any], str] | None = None
    cold_seconds: float | None = field(default=None, init=False)
    warm_error: str = field(default="", init=False)

    def warm(self, arrays: tuple[np.ndarray, ...]) -> None:
        """Solve a tiny game once, in this process, and record how long it took.

        Runs before any timing, so that lazy imports and JIT compilation
        (quantecon's numba functions) are done once in the parent process and
        inherited by the forked timing processes.
        """
        if self.cold_seconds is not None or self.warm_error:
            return
        start = time.perf_counter()
        try:
            self.call(self.prepare(arrays))
        except Exception as exc:  # the timed run will report the error
            self.warm_error = f"{type(exc).__name__}: {exc}"[:200]
            return
        self.cold_seconds = time.perf_counter() - start


def _missing(module: str) -> Callable[[], str | None]:
    def check() -> str | None:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        return None if found else f"not installed ({module})"

    return check


# ---------------------------------------------------------------------- ours
def ours(method: str, options: dict[str, Any] | None = None) -> Adapter:
    """Adapter for ``gametheory.solve(game, method=method, **options)``."""
    opts = dict(options or {})

    def unavailable() -> str | None:
        import gametheory as gt

        names = gt.method_names()
        return None if method in names else "not available (method not registered yet)"

    def prepare(arrays: tuple[np.ndarray, ...]) -> Any:
        import gametheory as gt

        return gt.NormalFormGame.from_arrays(*arrays)

    def call(game: Any) -> Any:
        import gametheory as gt

        return gt.solve(game, method=method, **opts)

    def profiles(result: Any, game: Any) -> list[Profile]:
        return [list(eq.profile) for eq in result.equilibria]

    def info(result: Any) -> str:
        from gametheory.solvers.registry import get_method

        promised = get_method(method).finds.startswith("all")
        parts = ["complete: false"] if promised and not result.complete else []
        pivots = result.stats.get("pivots")
        if pivots is not None:
            parts.append(f"{pivots} pivots")
        if result.status != "ok":
            parts.append(f"status {result.status}")
        return ", ".join(parts)

    note = f"`gt.solve(game, method={method!r}" + "".join(
        f", {k}={v!r}" for k, v in opts.items()) + ")`"
    return Adapter(f"ours: {method}", True, note, prepare, call, profiles, unavailable, info=info)


# ---------------------------------------------------------------------- pygambit
def _gambit_game(arrays: tuple[np.ndarray, ...]) -> Any:
    import pygambit

    return pygambit.Game.from_arrays(*arrays)


def _gambit_profiles(result: Any, game: Any) -> list[Profile]:
    players = list(game.players)
    return [
        [np.array([float(eq[s]) for s in p.strategies]) for p in players]
        for eq in result.equilibria
    ]


def _gambit(name: str, note: str, solve: Callable[[Any], Any]) -> Adapter:
    return Adapter(f"pygambit {name}", False, note, _gambit_game, solve, _gambit_profiles,
                   _missing("pygambit"))


def _pygambit_enummixed(g: Any) -> Any:
    import pygambit

    return pygambit.nash.enummixed_solve(g, rational=False)


def _pygambit_lcp(g: Any) -> Any:
    import pygambit

    return pygambit.nash.lcp_solve(g, rational=False, stop_after=1)


def _pygambit_lp(g: Any) -> Any:
    import pygambit

    return pygambit.nash.lp_solve(g, rational=False)


def _pygambit_enumpure(g: Any) -> Any:
    import pygambit

    return pygambit.nash.enumpure_solve(g)


# ---------------------------------------------------------------------- nashpy
def _nashpy_game(arrays: tuple[np.ndarray, ...]) -> Any:
    import nashpy

    return nashpy.Game(*arrays)


def _nashpy_zero_sum(arrays: tuple[np.ndarray, ...]) -> Any:
    import nashpy

    return nashpy.Game(arrays[0])


def _pairs(raw: Any, game: Any) -> list[Profile]:
    return [[np.asarray(x, dtype=float), np.asarray(y, dtype=float)] for x, y in raw]


def _one_pair(raw: Any, game: Any) -> list[Profile]:
    return _pairs([raw], game)


def _nashpy_has(method: str) -> Callable[[], str | None]:
    def check() -> str | None:
        missing = _missing("nashpy")()
        if missing:
            return missing
        import nashpy

        if not hasattr(nashpy.Game, method):
            return f"not available in nashpy {nashpy.__version__}"
        return None

    return check


# ---------------------------------------------------------------------- quantecon
def _qe_game(arrays: tuple[np.ndarray, ...]) -> Any:
    from quantecon.game_theory import NormalFormGame

    return NormalFormGame(np.stack(arrays, axis=-1))


def _qe_lemke_howson(g: Any) -> Any:
    from quantecon.game_theory import lemke_howson

    return lemke_howson(g, init_pivot=0, full_output=True)


def _qe_lh_profiles(raw: Any, game: Any) -> list[Profile]:
    return _one_pair(raw[0], game)


def _qe_lh_info(raw: Any) -> str:
    res = raw[1]
    return f"{res.num_iter} pivots" + ("" if res.converged else ", not converged")


def _qe_vertex_enumeration(g: Any) -> Any:
    from quantecon.game_theory import vertex_enumeration

    return vertex_enumeration(g)


def _qe_pure(g: Any) -> Any:
    from quantecon.game_theory import pure_nash_brute

    return pure_nash_brute(g)


def _pure_to_profiles(raw: Any, game: Any) -> list[Profile]:
    shape = game.nums_actions
    out = []
    for action in raw:
        prof = []
        for m, k in zip(shape, action):
            v = np.zeros(m)
            v[k] = 1.0
            prof.append(v)
        out.append(prof)
    return out


# ---------------------------------------------------------------------- scipy
def _linprog_problem(arrays: tuple[np.ndarray, ...]) -> dict[str, Any]:
    """The row player's maximin LP: max v s.t. A^T x >= v 1, sum x = 1, x >= 0."""
    a = arrays[0]
    m, n = a.shape
    c = np.zeros(m + 1)
    c[-1] = -1.0
    a_ub = np.hstack([-a.T, np.ones((n, 1))])
    a_eq = np.ones((1, m + 1))
    a_eq[0, -1] = 0.0
    bounds = [(0, None)] * m + [(None, None)]
    return {"c": c, "A_ub": a_ub, "b_ub": np.zeros(n), "A_eq": a_eq, "b_eq": [1.0],
            "bounds": bounds, "method": "highs"}


def _linprog_call(problem: dict[str, Any]) -> Any:
    from scipy.optimize import linprog

    return linprog(**problem)


def _linprog_profiles(res: Any, problem: dict[str, Any]) -> list[Profile]:
    if res.status != 0:
        return []
    m = problem["c"].size - 1
    x = np.clip(res.x[:m], 0.0, None)
    y = np.clip(-np.asarray(res.ineqlin.marginals), 0.0, None)  # duals: column strategy
    return [[x / x.sum(), y / y.sum()]]


def _scipy_available() -> str | None:
    return _missing("scipy")()


# ---------------------------------------------------------------------- table
def peer(name: str) -> Adapter:
    """Adapter of a peer by its dotted name (``library.function``)."""
    table: dict[str, Callable[[], Adapter]] = {
        "pygambit.enummixed_solve": lambda: _gambit(
            "enummixed_solve", "`pygambit.nash.enummixed_solve(g, rational=False)`",
            _pygambit_enummixed),
        "pygambit.lcp_solve": lambda: _gambit(
            "lcp_solve", "`pygambit.nash.lcp_solve(g, rational=False, stop_after=1)`",
            _pygambit_lcp),
        "pygambit.lp_solve": lambda: _gambit(
            "lp_solve", "`pygambit.nash.lp_solve(g, rational=False)`", _pygambit_lp),
        "pygambit.enumpure_solve": lambda: _gambit(
            "enumpure_solve", "`pygambit.nash.enumpure_solve(g)`", _pygambit_enumpure),
        "nashpy.vertex_enumeration": lambda: Adapter(
            "nashpy vertex_enumeration", False, "`list(nashpy.Game(A, B).vertex_enumeration())`",
            _nashpy_game, lambda g: list(g.vertex_enumeration()), _pairs,
            _nashpy_has("vertex_enumeration")),
        "nashpy.support_enumeration": lambda: Adapter(
            "nashpy support_enumeration", False,
            "`list(nashpy.Game(A, B).support_enumeration())` (default `tol=1e-16`)",
            _nashpy_game, lambda g: list(g.support_enumeration()), _pairs,
            _nashpy_has("support_enumeration")),
        "nashpy.lemke_howson": lambda: Adapter(
            "nashpy lemke_howson", False,
            "`nashpy.Game(A, B).lemke_howson(initial_dropped_label=0)`",
            _nashpy_game, lambda g: g.lemke_howson(initial_dropped_label=0), _one_pair,
            _nashpy_has("lemke_howson")),
        "nashpy.linear_program": lambda: Adapter(
            "nashpy linear_program", False, "`nashpy.Game(A).linear_program()`",
            _nashpy_zero_sum, lambda g: g.linear_program(), _one_pair,
            _nashpy_has("linear_program")),
        "quantecon.vertex_enumeration": lambda: Adapter(
            "quantecon vertex_enumeration", False,
            "`quantecon.game_theory.vertex_enumeration(g)`",
            _qe_game, _qe_vertex_enumeration, _pairs, _missing("quantecon")),
        "quantecon.lemke_howson": lambda: Adapter(
            "quantecon lemke_howson", False,
            "`quantecon.game_theory.lemke_howson(g, init_pivot=0, full_output=True)`",
            _qe_game, _qe_lemke_howson, _qe_lh_profiles, _missing("quantecon"),
            info=_qe_lh_info),
        "quantecon.pure_nash_brute": lambda: Adapter(
            "quantecon pure_nash_brute", False,
            "`quantecon.game_theory.pure_nash_brute(g)`",
            _qe_game, _qe_pure, _pure_to_profiles, _missing("quantecon")),
        "scipy.linprog": lambda: Adapter(
            "scipy linprog (bare)", False,
            "one `scipy.optimize.linprog(method='highs')` call on the row player's maximin LP "
            "(max v s.t. Aᵀx ≥ v, Σx = 1, x ≥ 0; the column strategy is read from the duals); "
            "building the LP arrays is not timed",
            _linprog_problem, _linprog_call, _linprog_profiles, _scipy_available),
    }
    return table[name]()


def versions() -> dict[str, str]:
    """Versions of the libraries involved (``"not installed"`` when missing)."""
    out = {}
    for mod in ("numpy", "scipy", "gametheory", "nashpy", "pygambit", "quantecon", "numba"):
        try:
            out[mod] = str(importlib.import_module(mod).__version__)
        except ImportError:
            out[mod] = "not installed"
        except AttributeError:
            out[mod] = "unknown"
    return out
