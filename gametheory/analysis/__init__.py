"""Sensitivity analysis: sweeps, thresholds, derivatives, continuation, Monte Carlo.

Heavy packages (sympy, scipy, matplotlib, pandas, dask) are imported only
inside the functions that need them.
"""

from __future__ import annotations

from .branches import Branch
from .continuation import ContinuationResult, continuation
from .grid import InvalidGridError, OutOfRangeWarning, UnusedParameterError
from .montecarlo import MonteCarloResult, montecarlo, wilson_interval
from .sensitivity import EquilibriumSensitivity, SensitivityResult, sensitivity
from .sweep import sweep, sweep_to_csv
from .table import SweepResult
from .thresholds import Threshold, ThresholdResult, thresholds
from .tornado import TornadoBar, TornadoResult, tornado

__all__ = [
    "Branch",
    "ContinuationResult",
    "EquilibriumSensitivity",
    "InvalidGridError",
    "MonteCarloResult",
    "OutOfRangeWarning",
    "SensitivityResult",
    "SweepResult",
    "Threshold",
    "ThresholdResult",
    "TornadoBar",
    "TornadoResult",
    "UnusedParameterError",
    "continuation",
    "montecarlo",
    "sensitivity",
    "sweep",
    "sweep_to_csv",
    "thresholds",
    "tornado",
    "wilson_interval",
]
