"""gametheory: equilibria you can trust, and how they move when payoffs change.

Only the public API is re-exported here; heavy packages (sympy, matplotlib,
dask, pandas) are imported lazily by the functions that need them.
"""

from __future__ import annotations

from .analysis import continuation, montecarlo, sensitivity, sweep, thresholds, tornado
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
