"""Closed forms of mixed equilibria of game trees (linear indifference equations).

At a regular mixed equilibrium of a tree (see :mod:`.tree_sensitivity`) the
behaviour probabilities at every active information set with several used
actions solve the indifference equations ``CV_h(a) = CV_h(a_0)`` plus the
sums to one, the rest of the profile held fixed.  With every parameter
symbolic the counterfactual values are polynomials in those probabilities.
When the system is *linear* in them (the usual case in two-player signalling
games: each player's indifference is fixed by the other player's mixing) it
is solved exactly in sympy: the probabilities and the expected payoffs become
rational functions of all the parameters, and their derivatives follow by
``sympy.diff``.  Otherwise (non-linear system, an inactive set that mixes,
payoffs not rational in the parameters) nothing is returned and the caller
keeps the numeric implicit-function-theorem derivatives.

sympy is imported inside the functions; nothing here parses text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

#: Largest number of unknowns solved symbolically.
MAX_UNKNOWNS = 12


def _exact_number(x: float) -> Any:
    """0 or 1 for a pure behaviour probability, else ``None``."""
    import sympy as sp

    k = round(float(x))
    return sp.Integer(k) if k in (0, 1) and abs(float(x) - k) <= 1e-9 else None


def exact_mixed(
    model: Any,
    names: list[str],
    point: Mapping[str, Any],
    vec: np.ndarray,
    supports: Mapping[int, np.ndarray],
    variables: list[int],
) -> dict[str, Any] | None:
    """Closed form and exact derivatives of a mixed tree equilibrium, when linear.

    Parameters
    ----------
    model
        The model (its game's payoffs and chance probabilities symbolic).
    names
        Parameters to differentiate by.
    point
        Exact values (sympy Rationals) of every parameter.
    vec
        Float probability of every action at the equilibrium.
    supports
        Used actions of every active information set.
    variables
        The unknowns: used actions of active sets with several used actions.

    Returns
    -------
    dict or None
        ``behavior`` (``{action id: expr}`` for every player action),
        ``payoffs`` (one expression per player), ``derivatives``
        (``{name: {"behavior": {action id: value}, "payoffs": [value per player]}}``),
        or ``None`` when the system is not linear or does not match ``vec``.
    """
    import sympy as sp
    from sympy.polys.matrices import DomainMatrix

    from .tree_sensitivity import _sym, counterfactual

    game = model.game
    if not variables or len(variables) > MAX_UNKNOWNS:
        return None
    player_action = np.repeat(game.infoset_player >= 0, game.infoset_num_actions)
    probs = np.asarray(game.action_probabilities, dtype=object)
    unknown = {a: sp.Dummy(f"z{a}") for a in variables}
    sym_vec = np.empty(game.num_actions, dtype=object)
    for a in range(game.num_actions):
        if not player_action[a]:
            sym_vec[a] = _sym(probs[a])
        elif a in unknown:
            sym_vec[a] = unknown[a]
        else:
            sym_vec[a] = _exact_number(vec[a])
            if sym_vec[a] is None:  # mixing held fixed off the active sets: no closed form
                return None
    pay = np.vectorize(_sym, otypes=[object])(np.asarray(game.terminal_payoffs, dtype=object))
    syms = set().union(*(getattr(v, "free_symbols", set()) for v in (*pay.reshape(-1), *probs)))
    if not all(
        sp.sympify(v).is_rational_function(*syms)  # safe: sympy objects or numbers, no text
        for v in (*pay.reshape(-1), *sym_vec[~player_action])
    ):
        return None
    res = counterfactual(
        game,
        sym_vec,
        np.zeros((game.num_actions, 0), dtype=object),
        pay,
        np.zeros((*pay.shape, 0), dtype=object),
    )
    equations = []
    for used in supports.values():
        used = [int(a) for a in used]
        if len(used) < 2:
            continue
        equations += [sp.expand(res["cv"][a] - res["cv"][used[0]]) for a in used[1:]]
        equations.append(sp.Add(*[unknown[a] for a in used]) - 1)
    zs = [unknown[a] for a in variables]
    try:
        M, rhs = sp.linear_eq_to_matrix(equations, zs)
    except ValueError:  # sympy.solvers.solveset.NonlinearError is a ValueError
        return None
    if M.shape[0] != M.shape[1]:
        return None
    # exact arithmetic in the field of rational functions of the parameters
    dM, dr = DomainMatrix.from_Matrix(M), DomainMatrix.from_Matrix(rhs)
    K = dM.domain.unify(dr.domain)
    K = K if K.is_Field else K.get_field()
    dM, dr = dM.convert_to(K), dr.convert_to(K)
    if dM.det() == K.zero:
        return None
    solution = [sp.factor(z) for z in dM.lu_solve(dr).to_Matrix()]
    subs = {sp.Symbol(k): v for k, v in point.items()}
    at_point = [s.xreplace(subs) for s in solution]
    if not all(
        v.is_Rational and abs(float(v) - float(vec[a])) <= 1e-7 for v, a in zip(at_point, variables)
    ):
        return None  # singular at the point, or another root of the system
    fill = dict(zip(zs, solution))
    behavior = {
        a: sp.sympify(sym_vec[a]).xreplace(fill)  # safe: sympy objects or numbers, no text
        for a in range(game.num_actions)
        if player_action[a]
    }
    values = [sp.sympify(v) for v in res["value"]]  # safe: sympy objects or numbers, no text
    payoffs = [sp.factor(sp.cancel(v.xreplace(fill))) for v in values]
    derivatives = {}
    for name in names:
        s = sp.Symbol(name)
        derivatives[name] = {
            "behavior": {a: sp.diff(e, s).xreplace(subs) for a, e in behavior.items()},
            "payoffs": [sp.diff(e, s).xreplace(subs) for e in payoffs],
        }
    return {"behavior": behavior, "payoffs": payoffs, "derivatives": derivatives}


def mixed_blocks(
    game: Any, order: np.ndarray, columns: Any, mixed: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """``(closed_form, exact_derivatives, derivatives)`` of :func:`exact_mixed`'s output.

    Nested as ``{"behavior": {player: {infoset: {action: ...}}}, "payoffs": {player: ...}}``.
    """
    from .tree_sensitivity import _nested

    def row(by_action: dict[int, Any], conv: Any = lambda x: x) -> list[Any]:
        return [conv(by_action.get(a, 0)) for a in range(game.num_actions)]

    closed = {
        "behavior": _nested(game, order, columns, row(mixed["behavior"])),
        "payoffs": dict(zip(game.players, mixed["payoffs"])),
    }
    exact_d, deriv = {}, {}
    for name, d in mixed["derivatives"].items():
        exact_d[name] = {
            "behavior": _nested(game, order, columns, row(d["behavior"])),
            "payoffs": dict(zip(game.players, d["payoffs"])),
        }
        deriv[name] = {
            "behavior": _nested(game, order, columns, row(d["behavior"], float)),
            "payoffs": dict(zip(game.players, map(float, d["payoffs"]))),
        }
    return closed, exact_d, deriv
