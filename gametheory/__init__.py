"""gametheory: equilibria you can trust, and how they move when payoffs change.

Only the public API is re-exported here; heavy packages (sympy, matplotlib,
dask, pandas) are imported lazily by the functions that need them.
"""

from __future__ import annotations

from typing import Any

from .exceptions import (
    GameTheoryError,
    InvalidGameError,
    InvalidOptionError,
    InvalidProfileError,
    MethodNotApplicableError,
    ModelFileError,
    SolverError,
    UnboundParameterError,
    UnknownMethodError,
    UnknownParameterError,
)
from .games import ExtensiveFormGame, Model, NormalFormGame, Parameter, TreeBuilder
from .io import load, save
from .solvers import Equilibrium, SolveResult, method_names, methods, solve
from .solvers.dominance import eliminate_dominated

__version__ = "0.1.0"

#: Public names served lazily from gametheory.analysis (keeps ``import gametheory`` fast).
_ANALYSIS = ("continuation", "montecarlo", "sensitivity", "sweep", "thresholds", "tornado")


def __getattr__(name: str) -> Any:
    if name in _ANALYSIS:
        from . import analysis

        return getattr(analysis, name)
    raise AttributeError(f"module 'gametheory' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_ANALYSIS))


__all__ = [
    "Equilibrium",
    "ExtensiveFormGame",
    "GameTheoryError",
    "InvalidGameError",
    "InvalidOptionError",
    "InvalidProfileError",
    "MethodNotApplicableError",
    "Model",
    "ModelFileError",
    "NormalFormGame",
    "Parameter",
    "SolveResult",
    "SolverError",
    "TreeBuilder",
    "UnboundParameterError",
    "UnknownMethodError",
    "UnknownParameterError",
    "__version__",
    "continuation",
    "eliminate_dominated",
    "load",
    "method_names",
    "methods",
    "montecarlo",
    "save",
    "sensitivity",
    "solve",
    "sweep",
    "thresholds",
    "tornado",
]
