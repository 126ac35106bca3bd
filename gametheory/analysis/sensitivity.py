"""Derivatives of equilibria with respect to parameters: :func:`sensitivity`.

On a regular equilibrium (nonsingular support equations, every probability on
the support positive, every strategy off the support strictly worse) the
support stays fixed nearby and the implicit function theorem applied to the
indifference equations gives the derivatives of the probabilities and of the
expected payoffs.

* Two-player games with payoffs rational in the parameters: the support
  equations are solved in sympy with every parameter symbolic; the closed
  forms are differentiated exactly (``closed_form`` and exact derivatives).
* Otherwise: the Jacobian of the equations comes from the multilinear payoff
  structure, the parameter derivatives of the payoffs from ``sympy.diff``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import numbers as nb
from .grid import UnusedParameterError, as_model, check_at, check_parameter
from .point_check import check_point
from .regimes import solve_at
from .supportsys import SupportSystem, expected
from .symbolic import exact_values, is_rational_in, rational, support_solution


@dataclass(frozen=True)
class EquilibriumSensitivity:
    """Derivatives of one equilibrium.

    Attributes
    ----------
    strategies, payoffs
        The equilibrium (float).
    derivatives
        ``{parameter: {"strategies": {player: {strategy: d}}, "payoffs": {player: d}}}``
        (``None`` when not regular).
    regular
        Whether the implicit function theorem applies.
    reasons
        Why not regular (singular Jacobian, probability or slack at zero).
    elasticities
        Same layout as ``derivatives``: ``d ln(outcome) / d ln(parameter)``
        (``None`` where an outcome or the parameter is zero).
    exact_derivatives
        Same layout, exact values (sympy), when computed symbolically.
    closed_form
        ``{"strategies": ..., "payoffs": ...}``: the equilibrium as sympy
        functions of all parameters (two-player symbolic path; for pure
        equilibria of trees, the behaviour and the path's expected payoffs).
    label
        Support label of the equilibrium.
    behavior
        For trees: ``{player: {infoset: {action: p}}}`` (``strategies`` is
        then empty and the derivative blocks hold ``"behavior"``).
    """

    strategies: dict[str, dict[str, float]]
    payoffs: dict[str, float]
    derivatives: dict[str, Any] | None
    regular: bool
    reasons: tuple[str, ...] = ()
    elasticities: dict[str, Any] | None = None
    exact_derivatives: dict[str, Any] | None = None
    closed_form: dict[str, Any] | None = None
    label: str = ""
    behavior: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (the CLI contract, plus exact values as text).

        Tree equilibria give ``behavior`` (``{player: {infoset: {action: p}}}``)
        instead of ``strategies``, and so do their derivatives.
        """
        out: dict[str, Any] = {
            **(
                {"behavior": self.behavior}
                if self.behavior is not None
                else {"strategies": self.strategies}
            ),
            "payoffs": self.payoffs,
            "derivatives": self.derivatives,
            "regular": self.regular,
        }
        if self.reasons:
            out["reasons"] = list(self.reasons)
        if self.elasticities is not None:
            out["elasticities"] = self.elasticities
        if self.exact_derivatives is not None:
            out["exact_derivatives"] = _text(self.exact_derivatives)
        if self.closed_form is not None:
            out["closed_form"] = _text(self.closed_form)
        return out


@dataclass(frozen=True)
class SensitivityResult:
    """Derivatives of every equilibrium at one parameter point."""

    parameters: dict[str, float]
    equilibria: list[EquilibriumSensitivity]
    method: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary following the CLI contract."""
        return {
            "parameters": self.parameters,
            "equilibria": [e.to_dict() for e in self.equilibria],
            "method": self.method,
        }


def _text(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {k: _text(v) for k, v in tree.items()}
    return None if tree is None else str(tree)


def _nest(game: Any, probs: list[Any], pays: list[Any]) -> dict[str, Any]:
    strategies, k = {}, 0
    for player, strats in zip(game.players, game.strategies):
        strategies[player] = {s: probs[k + j] for j, s in enumerate(strats)}
        k += len(strats)
    return {"strategies": strategies, "payoffs": dict(zip(game.players, pays))}


# ------------------------------------------------------------------------- exact, 2 players
def _exact_two_player(
    model: Any, point: dict[str, Any], names: list[str], probs: np.ndarray
) -> Any:
    import sympy as sp

    game = model.game
    A = np.array(game.payoffs[0], dtype=object)
    B = np.array(game.payoffs[1], dtype=object)
    m1 = game.shape[0]
    x, y = probs[:m1], probs[m1:]
    rows_i = tuple(int(i) for i in np.flatnonzero(x > nb.PROB_TOL))
    cols_j = tuple(int(j) for j in np.flatnonzero(y > nb.PROB_TOL))
    if len(rows_i) != len(cols_j):
        return None, ("supports of unequal size (degenerate game)",)
    to_sym = np.vectorize(
        lambda v: v if hasattr(v, "free_symbols") else rational(v), otypes=[object]
    )
    sol = support_solution(to_sym(A), to_sym(B), rows_i, cols_j)
    if sol is None:
        return None, ("singular support equations",)
    subs = {sp.Symbol(k): v for k, v in point.items()}
    reasons = []
    if any(d.xreplace(subs) == 0 for d in sol["dets"]):
        reasons.append("singular Jacobian of the support equations")
    if any(sol["x"][i].xreplace(subs) == 0 for i in rows_i) or any(
        sol["y"][j].xreplace(subs) == 0 for j in cols_j
    ):
        reasons.append("a probability on the support is zero")
    if any(s.xreplace(subs) == 0 for s in (*sol["slack_row"], *sol["slack_col"])):
        reasons.append("a strategy off the support is also a best response (slack zero)")
    closed = [*sol["x"], *sol["y"]]
    pays = [sol["v"], sol["w"]]
    exact = {}
    for name in names:
        s = sp.Symbol(name)
        exact[name] = _nest(
            game,
            [sp.cancel(sp.diff(e, s)).xreplace(subs) for e in closed],
            [sp.cancel(sp.diff(e, s)).xreplace(subs) for e in pays],
        )
    return (_nest(game, closed, pays), exact), tuple(reasons)


# ------------------------------------------------------------------------- numeric, n players
def numeric_derivatives(
    U: np.ndarray, dU: dict[str, np.ndarray], probs: np.ndarray, shape: tuple[int, ...]
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]] | None, tuple[str, ...]]:
    """IFT on the support equations: ``{param: (d probs, d payoffs)}``, non-regularity reasons."""
    offs = np.concatenate([[0], np.cumsum(shape)])
    sigma = [probs[offs[i] : offs[i + 1]] for i in range(len(shape))]
    system = SupportSystem(shape, [np.flatnonzero(s > nb.PROB_TOL) for s in sigma])
    values = [float(expected(U[i], sigma, ())) for i in range(len(shape))]
    z = system.pack(sigma, values)
    _, jac = system.equations(U, z)
    reasons = []
    tol = max(nb.tolerance(float(U.max() - U.min())), 1e-9 * max(1.0, float(np.abs(U).max())))
    if any(slack <= tol for _, _, slack in system.slacks(U, z)):
        reasons.append("a strategy off the support is also a best response (slack zero)")
    sv = np.linalg.svd(jac, compute_uv=False)
    if sv[-1] <= 1e-10 * sv[0]:
        reasons.append("singular Jacobian of the support equations")
    if reasons:
        return None, tuple(reasons)
    out = {}
    nvar = len(system.var)
    for name, D in dU.items():
        dz = np.linalg.solve(jac, -system.parameter_column(D, z))
        dp = np.zeros(len(probs))
        for (i, s), k in system.pos.items():
            dp[offs[i] + s] = dz[k]
        out[name] = (dp + 0.0, dz[nvar:] + 0.0)
    return out, ()


def _payoff_derivatives(
    model: Any, names: list[str], point: Mapping[str, float]
) -> dict[str, np.ndarray]:
    import sympy as sp

    game = model.game
    src = game.payoff_array
    syms = [sp.Symbol(p) for p in game.parameters]
    vals = [float(point[p]) for p in game.parameters]
    out = {}
    for name in names:
        s = sp.Symbol(name)
        flat = [sp.diff(v, s) if hasattr(v, "free_symbols") else 0 for v in src.reshape(-1)]
        func = sp.lambdify(syms, flat, modules="numpy")
        out[name] = np.array(func(*vals), dtype=np.float64).reshape(src.shape)
    return out


# ------------------------------------------------------------------------------ front door
def _elasticities(
    game: Any, deriv: dict[str, Any], strategies: Any, payoffs: Any, point: Mapping[str, float]
) -> dict[str, Any]:
    def el(d: float, value: float, theta: float) -> float | None:
        return None if value == 0 or theta == 0 else float(d) * theta / value

    out = {}
    for name, block in deriv.items():
        th = float(point[name])
        out[name] = {
            "strategies": {
                p: {s: el(d, strategies[p][s], th) for s, d in block["strategies"][p].items()}
                for p in block["strategies"]
            },
            "payoffs": {p: el(d, payoffs[p], th) for p, d in block["payoffs"].items()},
        }
    return out


def sensitivity(
    model: Any,
    at: Mapping[str, Any] | None = None,
    method: str = "auto",
    parameters: list[str] | None = None,
    symbolic: bool | None = None,
) -> SensitivityResult:
    """Derivatives of every equilibrium's probabilities and payoffs w.r.t. the parameters.

    Parameters
    ----------
    model
        A model; evaluated at its baseline overridden by ``at``.
    at
        Parameter values (declared parameters, finite numbers).
    method
        Which equilibria (as in :func:`~gametheory.analysis.sweep`).
    parameters
        Parameters to differentiate by (a name or a list; default: all used
        by the payoffs).
    symbolic
        Force (True) or avoid (False) the exact two-player path; default: use
        it when it applies.  (Trees: exact for pure equilibria, and for mixed
        behaviour whose indifference equations are linear unless
        ``symbolic=False``; numeric otherwise; see :mod:`.tree_sensitivity`
        and :mod:`.tree_mixed_exact`.)

    Returns
    -------
    SensitivityResult

    Raises
    ------
    UnknownParameterError
        When ``at`` or ``parameters`` names an undeclared parameter.
    InvalidGridError
        When a value is not a finite number, or the point makes a payoff
        non-finite or a chance probability invalid (the message names it).
    """
    import sympy as sp

    model = as_model(model)
    game = model.game
    at = check_at(model, at)
    used = list(game.parameters)
    if not used:
        raise UnusedParameterError("no payoff or probability depends on a parameter, so there "
                                   "is nothing to differentiate by")
    if isinstance(parameters, str):
        parameters = [parameters]
    names = [
        check_parameter(model, p)
        for p in (
            parameters if parameters is not None else [p for p in model.parameters if p in used]
        )
    ]
    exact_point = exact_values(model, used, at)
    check_point(model, exact_point)
    point = {k: float(v) for k, v in exact_point.items()}
    first = used[0]
    (eqs,), _, description = solve_at(
        model,
        [first],
        np.array([[point[first]]]),
        method,
        {k: v for k, v in exact_point.items() if k != first},
    )
    if game.form == "extensive":
        from .tree_sensitivity import tree_sensitivity

        return tree_sensitivity(model, names, exact_point, eqs, description, symbolic)
    use_exact = (
        game.num_players == 2
        and is_rational_in(np.array(game.payoff_array, dtype=object), [sp.Symbol(p) for p in used])
        if symbolic is None
        else bool(symbolic)
    )
    U = dU = None
    out = []
    for label, probs, pays in zip(eqs.labels, eqs.probs, eqs.payoffs):
        base = _nest(game, [float(p) for p in probs], [float(u) for u in pays])
        exact_d = closed = None
        if use_exact:
            res, reasons = _exact_two_player(model, exact_point, names, probs)
            if res is not None:
                closed, exact_d = res
        else:
            if U is None:
                U = game.evaluator()(**{k: np.array([v]) for k, v in point.items()})[0]
                dU = _payoff_derivatives(model, names, point)
            res, reasons = numeric_derivatives(U, dU, probs, game.shape)
        regular = not reasons
        deriv = None
        if regular and exact_d is not None:
            deriv = {
                k: {
                    "strategies": {
                        p: {s: float(d) for s, d in v.items()} for p, v in blk["strategies"].items()
                    },
                    "payoffs": {p: float(d) for p, d in blk["payoffs"].items()},
                }
                for k, blk in exact_d.items()
            }
        elif regular:
            deriv = {
                k: _nest(game, [float(d) for d in dp], [float(d) for d in dv])
                for k, (dp, dv) in res.items()
            }
        out.append(
            EquilibriumSensitivity(
                base["strategies"],
                base["payoffs"],
                deriv,
                regular,
                tuple(reasons),
                None
                if deriv is None
                else _elasticities(game, deriv, base["strategies"], base["payoffs"], point),
                exact_d if regular else None,
                closed,
                label,
            )
        )
    how = "exact (sympy, support equations)" if use_exact else "numeric implicit function theorem"
    return SensitivityResult(point, out, f"{how}; equilibria by {description}")
