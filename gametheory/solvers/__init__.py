"""Equilibrium solvers, one module per algorithm, behind :func:`solve`."""

from .budget import Budget, BudgetExhausted
from .registry import MethodSpec, get_method, method_names, methods, register, solve
from .result import Equilibrium, SolveResult
from .verify import build_result, certify

__all__ = [
    "Budget",
    "BudgetExhausted",
    "Equilibrium",
    "MethodSpec",
    "SolveResult",
    "build_result",
    "certify",
    "get_method",
    "method_names",
    "methods",
    "register",
    "solve",
]
