"""Derivatives of equilibria of game trees with respect to parameters.

A behaviour profile of a tree with perfect recall is subgame perfect exactly
when, at every information set ``h`` of player ``i``, the actions it uses
maximise the *counterfactual value*

    CV_h(a) = sum over nodes x in h of  rho_-i(x) * v_i(x then a),

where ``rho_-i(x)`` is the probability that the other players and chance
lead from the root of the smallest subgame containing ``h`` to ``x`` and
``v_i`` is ``i``'s continuation value under the profile.  The condition
binds where ``h`` is *active*: reachable by ``i``'s own play from that
subgame root and with ``sum rho_-i > 0``.

* Equilibria where every information set uses one action (pure; every
  subgame-perfect equilibrium found by backward induction): the profile stays
  an equilibrium nearby when each active set's action is *strictly* best,
  checked exactly in rationals.  Then behaviour derivatives are exactly 0 and
  the payoff derivatives are exact: ``sympy.diff`` of the path's expected
  payoff (chance probabilities times terminal payoffs).
* Mixed behaviour: the implicit function theorem on the indifference
  equations ``CV_h(a) = CV_h(a_0)`` of the support at every active set (plus
  the sums to one), behaviour elsewhere held fixed; numeric.  The Jacobian and
  parameter derivatives come from one forward-mode pass (the values are
  multilinear in behaviour and chance probabilities).  Not regular (no
  derivatives, with the reason): a singular Jacobian, an unused action that is
  also a best reply, a zero chance probability that moves with the parameters.
  When those equations are linear in the behaviour probabilities they are
  also solved in sympy with every parameter symbolic (closed forms and exact
  derivatives; :mod:`.tree_mixed_exact`).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from .. import numbers as nb
from ..games import tree_arrays as ta


def _relative_reach(
    game: Any, e: np.ndarray, de: np.ndarray, root: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Products of ``e`` from the nearest subgame root down to each node (and tangents)."""
    lay = game.layout
    rho = np.empty(e.shape, dtype=e.dtype)
    drho = np.zeros(de.shape, dtype=de.dtype)
    rho[0] = 1
    ls = lay.level_start
    for d in range(1, lay.num_levels):
        lo, hi = ls[d], ls[d + 1]
        par = lay.parent[lo:hi]
        rho[lo:hi] = np.where(root[lo:hi], 1, rho[par] * e[lo:hi])
        drho[lo:hi] = np.where(
            root[lo:hi, None], 0, drho[par] * e[lo:hi, None] + rho[par, None] * de[lo:hi]
        )
    return rho, drho


def counterfactual(
    game: Any, vec: np.ndarray, dvec: np.ndarray, u: np.ndarray, du: np.ndarray
) -> dict[str, np.ndarray]:
    """Counterfactual values and their directional derivatives (forward mode).

    Parameters
    ----------
    vec, dvec
        Probability of every action (behaviour and chance), and its tangents ``(A, K)``.
    u, du
        Terminal payoffs ``(T, n)`` and tangents ``(T, n, K)``.

    Returns
    -------
    dict
        ``cv``/``dcv`` per action, ``weight`` (sum of ``rho_-i`` over each
        information set) and ``own`` (own reach from the subgame root) per
        information set, ``value``/``dvalue`` of the root.
    """
    lay = game.layout
    dtype = vec.dtype
    K = dvec.shape[1]
    e = np.empty(game.num_nodes, dtype=dtype)
    e[0] = 1
    e[1:] = vec[game.edge_action[1:]]
    de = np.zeros((game.num_nodes, K), dtype=dtype)
    de[1:] = dvec[game.edge_action[1:]]
    n = game.num_players
    v = np.zeros((game.num_nodes, n), dtype=dtype)
    dv = np.zeros((game.num_nodes, n, K), dtype=dtype)
    v[game.terminals] = u
    dv[game.terminals] = du
    for lo, hi, parents, offsets in ta.level_pairs(lay):
        w, dw = e[lo:hi, None], de[lo:hi, None, :]
        v[parents] = np.add.reduceat(w * v[lo:hi], offsets, axis=0)
        dv[parents] = np.add.reduceat(dw * v[lo:hi, :, None] + w[:, :, None] * dv[lo:hi], offsets)
    root = np.zeros(game.num_nodes, dtype=bool)
    root[game.subgame_roots()] = True
    mover = game.node_player
    pmover = np.full(game.num_nodes, -2)
    pmover[1:] = mover[lay.parent[1:]]
    A, H = game.num_actions, game.num_infosets
    cv = np.zeros(A, dtype=dtype)
    dcv = np.zeros((A, K), dtype=dtype)
    weight = np.zeros(H, dtype=dtype)
    own = np.zeros(H, dtype=dtype)
    kids = np.arange(1, game.num_nodes)
    for i in range(n):
        mine = pmover == i
        others = np.where(mine[:, None], 0, de)
        rho, drho = _relative_reach(game, np.where(mine, 1, e), others, root)
        rown, _ = _relative_reach(game, np.where(mine, e, 1), np.zeros((game.num_nodes, 0)), root)
        c = kids[mine[1:]]
        x = lay.parent[c]
        np.add.at(cv, game.edge_action[c], rho[x] * v[c, i])
        np.add.at(dcv, game.edge_action[c], drho[x] * v[c, i, None] + rho[x, None] * dv[c, i])
        nodes = np.flatnonzero(mover == i)
        np.add.at(weight, game.node_infoset[nodes], rho[nodes])
        own[game.node_infoset[nodes]] = rown[nodes]
    return {"cv": cv, "dcv": dcv, "weight": weight, "own": own, "value": v[0], "dvalue": dv[0]}


def parameter_tangents(
    model: Any, names: list[str], point: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Exact derivatives of terminal payoffs ``(T, n, P)`` and action probabilities ``(A, P)``."""
    import sympy as sp

    game = model.game
    subs = {sp.Symbol(k): v for k, v in point.items()}
    pay = np.asarray(game.terminal_payoffs, dtype=object)
    probs = np.asarray(game.action_probabilities, dtype=object)
    du = np.zeros((*pay.shape, len(names)), dtype=object)
    dc = np.zeros((probs.size, len(names)), dtype=object)
    for k, name in enumerate(names):
        s = sp.Symbol(name)
        for idx in np.ndindex(pay.shape):
            v = pay[idx]
            du[(*idx, k)] = sp.diff(v, s).xreplace(subs) if hasattr(v, "free_symbols") else 0
        for a, v in enumerate(probs):
            dc[a, k] = sp.diff(v, s).xreplace(subs) if hasattr(v, "free_symbols") else 0
    return du, dc


def _nested(game: Any, order: np.ndarray, columns: Any, values: np.ndarray) -> dict[str, Any]:
    out: dict[str, Any] = {}
    k = 0
    for player, cols in zip(game.players, columns):
        mine: dict[str, Any] = {}
        for c in cols:
            h, _, a = c.rpartition(":")
            mine.setdefault(h, {})[a] = values[order[k]]
            k += 1
        out[player] = mine
    return out


def _elasticity(d: Any, value: Any, theta: float) -> Any:
    if isinstance(d, dict):
        return {k: _elasticity(d[k], value[k], theta) for k in d}
    return None if value == 0 or theta == 0 else float(d) * theta / float(value)


class TreeSensitivity:
    """Derivatives of the equilibria of one tree at one parameter point."""

    def __init__(self, model: Any, names: list[str], exact_point: dict[str, Any]) -> None:
        from .tree_kernels import tree_columns

        self.model = model
        self.names = names
        game = model.game
        self.point = exact_point
        values = {k: Fraction(int(v.p), int(v.q)) for k, v in exact_point.items()}
        self.bound = game.bind(**values)
        self.exact = self.bound.kind == nb.EXACT
        self.columns, self.order = tree_columns(game)
        du, dc = parameter_tangents(model, names, exact_point)
        self.du, self.dc = du, dc
        self.player_action = np.repeat(game.infoset_player >= 0, game.infoset_num_actions)

    def _vector(self, probs: np.ndarray, exact: bool) -> np.ndarray:
        g = self.bound
        if exact:
            vec = np.array([Fraction(0)] * g.num_actions, dtype=object)
            vec[self.order] = [Fraction(round(p)) for p in probs]
            chance = g.exact_probabilities()
        else:
            vec = np.zeros(g.num_actions)
            vec[self.order] = np.where(probs > nb.PROB_TOL, probs, 0.0)
            chance = g.float_probabilities()
        vec[~self.player_action] = chance[~self.player_action]
        return vec

    def analyse(self, probs: np.ndarray) -> dict[str, Any]:
        """Derivatives (or the reasons there are none) of the equilibrium ``probs``."""
        g = self.bound
        pure = bool(np.all((probs <= nb.PROB_TOL) | (probs >= 1 - nb.PROB_TOL)))
        exact = pure and self.exact
        vec = self._vector(probs, exact)
        dtype = object if exact else np.float64
        u = g.exact_payoffs() if exact else g.float_payoffs()
        tol = 0 if exact else g.tolerance()
        P = len(self.names)
        reasons: list[str] = []
        offs = g.action_offset
        sets = np.flatnonzero(g.infoset_player >= 0)
        # variables: used actions at active sets with several used actions
        prim = counterfactual(g, vec, np.zeros((g.num_actions, 0), dtype=dtype), u,
                              np.zeros((*u.shape, 0), dtype=dtype))  # fmt: skip
        active = [h for h in sets if prim["own"][h] > 0 and prim["weight"][h] > 0]
        variables: list[int] = []
        supports = {}
        for h in active:
            acts = np.arange(offs[h], offs[h + 1])
            used = acts[np.array([vec[a] > 0 for a in acts], dtype=bool)]
            supports[h] = used
            best = max(prim["cv"][a] for a in used)
            where = f"{g.player_of(h)}'s information set {g.infoset_label(h)!r}"
            others = [prim["cv"][a] for a in acts if a not in used]
            if any(c > best + tol for c in others):
                reasons.append(
                    f"not subgame perfect at {where} (derivatives are computed for "
                    "subgame-perfect equilibria only)"
                )
            elif any(c >= best - tol for c in others):
                reasons.append(f"an unused action at {where} is also a best reply")
            if len(used) > 1:
                variables += used.tolist()
        chance_ids = np.flatnonzero(~self.player_action)
        moving = np.any(self.dc[chance_ids] != 0, axis=1)
        zero = np.array([vec[a] == 0 for a in chance_ids], dtype=bool)
        if np.any(zero & moving):
            reasons.append("a chance probability is zero here and moves with the parameters")
        if reasons:
            return {"regular": False, "reasons": reasons}
        if exact:
            return {"regular": True, "exact": self._exact_payoffs(vec)}
        nv = len(variables)
        D = np.zeros((g.num_actions, nv + P))
        D[variables, np.arange(nv)] = 1.0
        D[chance_ids, nv:] = self.dc[chance_ids].astype(np.float64)
        dU = np.zeros((*u.shape, nv + P))
        dU[..., nv:] = self.du.astype(np.float64)
        res = counterfactual(g, vec, D, u, dU)
        rows, rhs = [], []
        for h in active:
            used = supports[h]
            if len(used) < 2:
                continue
            for a in used[1:]:
                rows.append(res["dcv"][a, :nv] - res["dcv"][used[0], :nv])
                rhs.append(res["dcv"][a, nv:] - res["dcv"][used[0], nv:])
            norm = np.zeros(nv)
            norm[[variables.index(a) for a in used]] = 1.0
            rows.append(norm)
            rhs.append(np.zeros(P))
        dz = np.zeros((0, P))
        if nv:
            J, R = np.array(rows), np.array(rhs)
            sv = np.linalg.svd(J, compute_uv=False)
            if sv[-1] <= 1e-10 * sv[0]:
                reason = "singular Jacobian of the indifference equations"
                return {"regular": False, "reasons": [reason]}
            dz = np.linalg.solve(J, -R)
        db = np.zeros((g.num_actions, P))
        db[variables] = dz
        dpay = res["dvalue"][:, :nv] @ dz + res["dvalue"][:, nv:]
        return {
            "regular": True,
            "behavior": db,
            "payoffs": dpay,
            "system": (vec, {h: supports[h] for h in active}, variables),
        }

    def _exact_payoffs(self, vec: np.ndarray) -> dict[str, Any]:
        """Closed form of the path's expected payoffs and their exact derivatives."""
        import sympy as sp

        game = self.model.game
        probs = np.asarray(game.action_probabilities, dtype=object)
        edge = np.empty(game.num_nodes, dtype=object)
        edge[0] = sp.Integer(1)
        for v in range(1, game.num_nodes):
            a = int(game.edge_action[v])
            edge[v] = sp.Integer(int(vec[a])) if self.player_action[a] else _sym(probs[a])
        reach = ta.top_down_product(game.layout, edge)[game.terminals]
        pay = np.asarray(game.terminal_payoffs, dtype=object)
        hit = [k for k, r in enumerate(reach) if r != 0]
        subs = {sp.Symbol(k): v for k, v in self.point.items()}
        closed, deriv = {}, {name: {} for name in self.names}
        for i, player in enumerate(game.players):
            expr = sp.Add(*[reach[k] * _sym(pay[k, i]) for k in hit])
            closed[player] = expr
            for name in self.names:
                deriv[name][player] = sp.diff(expr, sp.Symbol(name)).xreplace(subs)
        return {"closed": closed, "derivatives": deriv}


def _sym(v: Any) -> Any:
    import sympy as sp

    if hasattr(v, "free_symbols"):
        return v
    f = nb.to_fraction(v)
    return sp.Rational(f.numerator, f.denominator)


def tree_sensitivity(
    model: Any,
    names: list[str],
    exact_point: dict[str, Any],
    eqs: Any,
    description: str,
    symbolic: bool | None = None,
) -> Any:
    """:class:`~gametheory.analysis.sensitivity.SensitivityResult` of a tree's equilibria.

    ``symbolic=False`` keeps mixed equilibria numeric even where their
    indifference equations are linear (see :mod:`.tree_mixed_exact`).
    """
    from .sensitivity import EquilibriumSensitivity, SensitivityResult
    from .tree_mixed_exact import exact_mixed, mixed_blocks

    game = model.game
    work = TreeSensitivity(model, names, exact_point)
    point = {k: float(v) for k, v in exact_point.items()}
    zeros = np.zeros(game.num_actions)
    out = []
    for label, probs, pays in zip(eqs.labels, eqs.probs, eqs.payoffs):
        full = np.zeros(game.num_actions)
        full[work.order] = probs
        behavior = _nested(game, work.order, work.columns, full.tolist())
        payoffs = dict(zip(game.players, map(float, pays)))
        res = work.analyse(probs)
        deriv = exact_d = closed = None
        if res["regular"] and "exact" in res:
            ex = res["exact"]
            pure = [round(x) for x in full]
            closed = {
                "behavior": _nested(game, work.order, work.columns, pure),
                "payoffs": ex["closed"],
            }
            exact_d = {
                name: {
                    "behavior": _nested(game, work.order, work.columns, [0] * game.num_actions),
                    "payoffs": ex["derivatives"][name],
                }
                for name in names
            }
            deriv = {
                name: {
                    "behavior": _nested(game, work.order, work.columns, zeros.tolist()),
                    "payoffs": {p: float(d) for p, d in ex["derivatives"][name].items()},
                }
                for name in names
            }
        elif res["regular"] and symbolic is not False:
            mixed = exact_mixed(model, names, exact_point, *res["system"])
            if mixed is not None:
                closed, exact_d, deriv = mixed_blocks(game, work.order, work.columns, mixed)
        if res["regular"] and deriv is None:
            deriv = {
                name: {
                    "behavior": _nested(game, work.order, work.columns, res["behavior"][:, k]),
                    "payoffs": dict(zip(game.players, map(float, res["payoffs"][:, k]))),
                }
                for k, name in enumerate(names)
            }
        elastic = None
        if deriv is not None:
            base = {"behavior": behavior, "payoffs": payoffs}
            elastic = {name: _elasticity(blk, base, point[name]) for name, blk in deriv.items()}
        out.append(
            EquilibriumSensitivity(
                {},
                payoffs,
                deriv,
                res["regular"],
                tuple(res.get("reasons", ())),
                elastic,
                exact_d,
                closed,
                label,
                behavior=behavior,
            )
        )
    how = (
        "trees: exact for pure equilibria (strict best replies; sympy derivatives of the path) "
        "and for mixed ones with linear indifference equations (solved in sympy), numeric "
        "implicit function theorem on the counterfactual indifference equations otherwise"
    )
    return SensitivityResult(point, out, f"{how}; equilibria by {description}")
