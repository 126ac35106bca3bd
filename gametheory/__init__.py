"""gametheory: equilibria you can trust, and how they move when payoffs change.

Only the public API is re-exported here; heavy packages (sympy, matplotlib,
dask, pandas) are imported lazily by the functions that need them.
"""

from __future__ import annotations

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
from .games import Model, NormalFormGame, Parameter
from .solvers import Equilibrium, SolveResult, method_names, methods, solve

__version__ = "0.1.0"

__all__ = [
    "Equilibrium",
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
    "UnboundParameterError",
    "UnknownMethodError",
    "UnknownParameterError",
    "__version__",
    "method_names",
    "methods",
    "solve",
]
