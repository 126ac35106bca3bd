"""Exact candidate thresholds of perfect-information trees (backward induction in sympy).

With one parameter ``p`` free and the others at exact values, every terminal
payoff and chance probability is a rational function of ``p``.  Backward
induction is run symbolically over an interval of ``p``: the continuation
value of each node is piecewise rational, one expression per piece.  At a
decision node the mover's values of two actions can only change order at a
real root of their difference, so the pieces are split there and the mover's
best actions on each piece are found by exact evaluation at a rational point
inside it (no difference changes sign within a piece).  Ties that hold
identically on a piece (several subgame-perfect continuations) are carried as
alternatives.  Every split point is a candidate threshold; the caller keeps
those where the regime really changes.

Values are elements of the field of rational functions ``QQ(p)`` (sympy's
``polys`` fields: always in lowest terms, exact and far faster than ``cancel``
on expressions); floats inside expressions are read through their decimal text.

sympy is imported inside the functions; nothing here parses text.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np

from .symbolic import exact_values, rational

#: Largest number of alternative continuations carried per node and piece.
MAX_ALTERNATIVES = 256

Piece = tuple[Any, Any, list[tuple[Any, ...]]]  # (left end, right end, alternatives)


def tree_exprs(model: Any, name: str, at: Mapping[str, Any] | None) -> tuple[Any, Any, Any]:
    """``(p, payoffs, chance)``: terminal payoffs ``(T, n)`` and chance probabilities per action.

    Sympy expressions in the symbol ``p`` of ``name`` only (others at exact values);
    entries of player actions in ``chance`` are ``None``.
    """
    import sympy as sp

    game = model.game
    p = sp.Symbol(name)
    others = [q for q in game.parameters if q != name]
    subs = {sp.Symbol(k): v for k, v in exact_values(model, others, at).items()}

    def conv(v: Any) -> Any:
        if v is None:
            return None
        if hasattr(v, "xreplace"):
            floats = {f: rational(float(f)) for f in v.atoms(sp.Float)}
            return v.xreplace(subs).xreplace(floats) if floats else v.xreplace(subs)
        return rational(v)

    pay = np.asarray(game.terminal_payoffs, dtype=object)
    payoffs = np.vectorize(conv, otypes=[object])(pay)
    player_action = np.repeat(game.infoset_player >= 0, game.infoset_num_actions)
    probs = np.asarray(game.action_probabilities, dtype=object)
    chance = np.array(
        [None if own else conv(v) for v, own in zip(probs, player_action)], dtype=object
    )
    return p, payoffs, chance


def is_rational_tree(payoffs: np.ndarray, chance: np.ndarray, p: Any) -> bool:
    """True when every payoff and chance probability is a rational function of ``p``."""
    values = [v for v in (*payoffs.reshape(-1), *chance) if v is not None]
    return all(getattr(v, "is_rational_function", lambda *a: True)(p) for v in values)


class _Roots:
    """Real roots of rational functions of ``p`` (field elements) in an interval, cached."""

    def __init__(self, p: Any) -> None:
        self.p = p
        self.cache: dict[Any, list[tuple[float, Any]]] = {}

    def all_roots(self, f: Any) -> list[tuple[float, Any]]:
        import sympy as sp

        if f in self.cache:
            return self.cache[f]
        out: dict[float, Any] = {}
        for part in (f.numer, f.denom):
            if part.degree() < 1:
                continue
            for factor, _ in sp.Poly(part.as_expr(), self.p).factor_list()[1]:
                if factor.degree() < 1:
                    continue
                for r in factor.real_roots():
                    out.setdefault(float(sp.N(r, 30)), r)
        self.cache[f] = sorted(out.items(), key=lambda t: t[0])
        return self.cache[f]

    def between(self, f: Any, a: tuple[float, Any], b: tuple[float, Any]) -> list:
        return [r for r in self.all_roots(f) if a[0] < r[0] < b[0]]


def _value_at(f: Any, q: Any) -> Any:
    """Exact value of a field element at the rational ``q``."""
    return f.numer(q) / f.denom(q)


def _inside(a: tuple[float, Any], b: tuple[float, Any]) -> Any:
    """An exact rational (in ``QQ``) strictly between two exact ends."""
    import sympy as sp

    def num(e: tuple[float, Any]) -> Any:
        return e[1] if e[1].is_Rational else sp.Rational(sp.N(e[1], 60))

    mid = (num(a) + num(b)) / 2
    return sp.QQ(int(mid.p), int(mid.q))


def _merge(children: list[list[Piece]]) -> list[tuple[Any, Any, list[list[tuple]]]]:
    """Common refinement of the children's pieces: ``(a, b, [alternatives of each child])``."""
    ends = {e[0]: e for pieces in children for piece in pieces for e in piece[:2]}
    cuts = [ends[x] for x in sorted(ends)]
    out = []
    pos = [0] * len(children)
    for a, b in itertools.pairwise(cuts):
        alts = []
        for k, pieces in enumerate(children):
            while pieces[pos[k]][1][0] <= a[0]:
                pos[k] += 1
            alts.append(pieces[pos[k]][2])
        out.append((a, b, alts))
    return out


def _dedupe(alts: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return list(dict.fromkeys(alts))[:MAX_ALTERNATIVES]


def _decision(
    mover: int, parts: list[tuple[Any, Any, list[list[tuple]]]], roots: _Roots, found: dict
) -> list[Piece]:
    out: list[Piece] = []
    for a, b, alts in parts:
        options = [(k, v) for k, child in enumerate(alts) for v in child]
        cuts = {}
        for (k1, v1), (k2, v2) in itertools.combinations(options, 2):
            if k1 != k2:
                for r in roots.between(v1[mover] - v2[mover], a, b):
                    cuts.setdefault(r[0], r)
        ends = [a, *sorted(cuts.values(), key=lambda e: e[0]), b]
        for r in cuts.values():
            found.setdefault(r[0], r[1])
        for lo, hi in itertools.pairwise(ends):
            q = _inside(lo, hi)
            new: list[tuple[Any, ...]] = []
            for combo in itertools.product(*alts):
                own = [_value_at(v[mover], q) for v in combo]
                best = max(own)
                new += [v for v, u in zip(combo, own) if u == best]
            out.append((lo, hi, _dedupe(new)))
    return out


def tree_candidates(
    model: Any, name: str, lo: float, hi: float, at: Mapping[str, Any] | None
) -> list[tuple[float, Any]]:
    """Candidate critical values of ``name`` in ``(lo, hi)`` for a perfect-information tree.

    Returns sorted ``(float value, exact sympy value)`` pairs: every point in
    the range where, along the subgame-perfect continuation, some mover's
    values of two actions cross.
    """
    import sympy as sp

    game = model.game
    p, payoffs, chance = tree_exprs(model, name, at)
    field, _ = sp.field(name, sp.QQ)
    payoffs = np.vectorize(field.from_expr, otypes=[object])(payoffs)
    chance = np.array([None if c is None else field.from_expr(c) for c in chance], dtype=object)
    roots = _Roots(p)
    a = (float(lo), rational(lo))
    b = (float(hi), rational(hi))
    tpos = np.cumsum(game.node_kind == 0) - 1
    first, count = game.first_child, game.num_children
    pieces: dict[int, list[Piece]] = {}
    found: dict[float, Any] = {}
    for v in range(game.num_nodes - 1, -1, -1):
        if game.node_kind[v] == 0:
            pieces[v] = [(a, b, [tuple(payoffs[tpos[v]])])]
            continue
        kids = range(int(first[v]), int(first[v] + count[v]))
        parts = _merge([pieces.pop(c) for c in kids])
        if game.node_kind[v] == 1:
            pieces[v] = _decision(int(game.node_player[v]), parts, roots, found)
        else:
            w = [chance[int(game.edge_action[c])] for c in kids]
            pieces[v] = [
                (
                    s,
                    e,
                    _dedupe(
                        [
                            tuple(
                                sum((wk * val[i] for wk, val in zip(w, combo)), field.zero)
                                for i in range(game.num_players)
                            )
                            for combo in itertools.product(*alts)
                        ]
                    ),
                )
                for s, e, alts in parts
            ]
    return sorted(found.items(), key=lambda t: t[0])


class PureSlackRoots:
    """Exact points where pure behaviour profiles of a tree stop (or start) being equilibria.

    For a pure behaviour profile the counterfactual value (see
    :mod:`.tree_sensitivity`) of every action is a rational function of the
    parameter.  At each active information set (reached by the mover's own
    play from the root of its smallest subgame, with positive weight) the
    profile's action is a best reply exactly where its value minus that of
    each other action (the *slack*) is non-negative, so a pure subgame-perfect
    equilibrium appears or disappears only at a real root of one of its
    slacks.  This holds for any information structure and gives exact values
    to thresholds that the numeric mechanism has bracketed.

    Parameters
    ----------
    model, name, at
        The model, the varying parameter and the values of the others.
    """

    def __init__(self, model: Any, name: str, at: Mapping[str, Any] | None) -> None:
        import sympy as sp

        from .tree_kernels import tree_columns

        game = model.game
        p, payoffs, chance = tree_exprs(model, name, at)
        self.ok = is_rational_tree(payoffs, chance, p)
        self.game = game
        self.order = tree_columns(game)[1]
        self.roots = _Roots(p)
        self._slacks: dict[bytes, list[Any]] = {}
        if not self.ok:
            return
        field, _ = sp.field(name, sp.QQ)
        self.field = field
        self.payoffs = np.vectorize(field.from_expr, otypes=[object])(payoffs)
        self.chance = [None if c is None else field.from_expr(c) for c in chance]

    def slacks(self, probs: np.ndarray) -> list[Any]:
        """Slacks (field elements) of the pure profile ``probs`` (columns of ``tree_columns``)."""
        key = np.round(np.asarray(probs, dtype=float)).astype(np.int8).tobytes()
        if key not in self._slacks:
            self._slacks[key] = self._compute_slacks(probs)
        return self._slacks[key]

    def _compute_slacks(self, probs: np.ndarray) -> list[Any]:
        from .tree_sensitivity import counterfactual

        game, f = self.game, self.field
        full = np.zeros(game.num_actions)
        full[self.order] = probs
        vec = np.array(
            [f(round(x)) if c is None else c for c, x in zip(self.chance, full)], dtype=object
        )
        res = counterfactual(
            game,
            vec,
            np.zeros((game.num_actions, 0), dtype=object),
            self.payoffs,
            np.zeros((*self.payoffs.shape, 0), dtype=object),
        )
        out = []
        offs = game.action_offset
        for h in np.flatnonzero(game.infoset_player >= 0).tolist():
            if res["own"][h] == 0 or res["weight"][h] == 0:
                continue
            acts = range(int(offs[h]), int(offs[h + 1]))
            used = [a for a in acts if full[a] > 0.5]
            if len(used) != 1:
                continue
            out += [res["cv"][used[0]] - res["cv"][a] for a in acts if a != used[0]]
        return out

    def between(self, rows: list[np.ndarray], lo: float, hi: float) -> list[tuple[float, Any]]:
        """Distinct real roots in ``[lo, hi]`` of the slacks of the pure profiles ``rows``."""
        if not self.ok:
            return []
        found: dict[float, Any] = {}
        for probs in rows:
            for s in self.slacks(probs):
                if s == 0:
                    continue
                for value, root in self.roots.all_roots(s):
                    if lo <= value <= hi:
                        found.setdefault(value, root)
        return sorted(found.items(), key=lambda t: t[0])
