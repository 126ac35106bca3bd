"""Subgame-perfect equilibria of any tree with perfect recall, subgame by subgame.

Subgames are solved bottom up (deepest roots first).  Each subgame, with its
inner subgames collapsed to terminal nodes paying the chosen continuation
equilibrium, is converted to its reduced normal form and solved with a
normal-form method; each equilibrium is mapped back to behaviour strategies
(Kuhn).  With a sequence-form method (``lcp``, or ``lp`` for zero-sum
subgames; two players) each collapsed subgame is solved as a tree instead,
which avoids the reduced normal form's growth.  When a subgame has several
equilibria, every combination is carried upwards (up to ``max_equilibria``),
so the result lists the subgame-perfect equilibria that the subgame method
finds in each subgame.  ``complete`` is true only when the subgame method
finds all equilibria of every subgame (``support-enumeration`` on
nondegenerate subgames) and nothing was capped.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..exceptions import InvalidOptionError, MethodNotApplicableError
from ..games.extensive import ExtensiveFormGame, RawTree
from ..games.reduced_normal_form import (
    DEFAULT_MAX_PROFILES,
    count_plans,
    mixed_to_behavior,
    reduced_normal_form,
)
from .auto import ENUMERATION_LIMIT
from .budget import Budget, BudgetExhausted
from .registry import get_method, register
from .result import SolveResult
from .tree_verify import build_tree_result, vector_of

DEFAULT_MAX_EQUILIBRIA = 100

#: Methods that solve each subgame as a tree (on its sequence form), not its reduced normal form.
SEQUENCE_FORM_METHODS = ("lcp", "lp")

Alternative = tuple[np.ndarray, dict[int, np.ndarray]]  # payoffs, {infoset: action probabilities}


def _subtree(game: ExtensiveFormGame, root: int, stops: set[int]) -> list[int]:
    """Nodes of ``root``'s subtree, not descending below the nodes in ``stops``."""
    out, stack = [], [root]
    first, count = game.first_child, game.num_children
    while stack:
        v = stack.pop()
        out.append(v)
        if v != root and v in stops:
            continue
        stack.extend(range(int(first[v] + count[v]) - 1, int(first[v]) - 1, -1))
    return out


def _collapsed(
    game: ExtensiveFormGame, nodes: list[int], values: dict[int, np.ndarray]
) -> tuple[ExtensiveFormGame, np.ndarray]:
    """The subgame on ``nodes``; nodes in ``values`` become terminals paying those values."""
    index = {v: k for k, v in enumerate(nodes)}
    parent = np.array([index.get(int(game.parent[v]), -1) for v in nodes], dtype=np.int64)
    parent[0] = -1
    sets = sorted({int(game.node_infoset[v]) for v in nodes
                   if v not in values and game.node_kind[v] != 0})  # fmt: skip
    set_index = {h: k for k, h in enumerate(sets)}
    infoset = np.array([-1 if (v in values or game.node_kind[v] == 0)
                        else set_index[int(game.node_infoset[v])] for v in nodes])  # fmt: skip
    offs = game.action_offset
    acts = np.concatenate([np.arange(offs[h], offs[h + 1]) for h in sets]) if sets else \
        np.zeros(0, dtype=np.int64)  # fmt: skip
    probs = np.asarray(game.action_probabilities, dtype=object)[acts]
    tpos = np.cumsum(game.node_kind == 0) - 1
    pay = game.exact_payoffs() if game.kind == "exact" else game.float_payoffs()
    leaves = [v for v in nodes if v in values or game.node_kind[v] == 0]
    outcomes = np.array([values[v] if v in values else pay[tpos[v]] for v in leaves], dtype=object)
    node_outcome = np.full(len(nodes), -1, dtype=np.int64)
    node_outcome[[index[v] for v in leaves]] = np.arange(len(leaves))
    raw = RawTree(
        parent=parent, infoset=infoset,
        infoset_player=np.asarray(game.infoset_player)[sets] if sets else np.zeros(0, dtype=int),
        num_actions=np.asarray(game.infoset_num_actions)[sets] if sets else np.zeros(0, dtype=int),
        infoset_labels=[game.infoset_label(h) for h in sets],
        action_labels=[game.actions(h) for h in sets],
        action_probs=probs, node_outcome=node_outcome,
        outcomes=outcomes.reshape(len(leaves), game.num_players),
    )  # fmt: skip
    sub = ExtensiveFormGame(raw, players=game.players, num_players=game.num_players)
    return sub, np.asarray(sets, dtype=np.int64)


def _applicable(method: str, game: Any) -> None:
    reason = get_method(method).reason_not_applicable(game)
    if reason:
        raise MethodNotApplicableError(f"subgame_method {method!r} on a subgame: {reason}")


def _solve_subgame(
    sub: ExtensiveFormGame,
    sets: np.ndarray,
    method: str,
    budget: Budget,
    max_profiles: int | None = None,
) -> tuple[list[Alternative], bool]:
    spec = get_method(method)
    if method in SEQUENCE_FORM_METHODS:  # the subgame as a tree, on its sequence form
        _applicable(method, sub)
        res = spec.function_for("extensive")(sub, budget=budget)
        vectors = [vector_of(sub, eq.behavior) for eq in res.equilibria]  # type: ignore[arg-type]
    else:
        rnf = reduced_normal_form(sub, max_profiles=max_profiles)
        _applicable(method, rnf.game)
        res = spec.function_for("normal")(rnf.game, budget=budget)
        vectors = [mixed_to_behavior(sub, rnf, eq.profile) for eq in res.equilibria]
    if res.status == "budget-exhausted":
        raise BudgetExhausted(f"budget exhausted in subgame_method {method!r}")
    out = []
    for eq, vec in zip(res.equilibria, vectors):
        payoffs = np.asarray(eq.payoff_values, dtype=np.float64)
        own = {int(h): vec[sub.action_offset[k]:sub.action_offset[k + 1]]
               for k, h in enumerate(sets) if sub.infoset_player[k] >= 0}  # fmt: skip
        out.append((payoffs, own))
    return out, bool(res.complete)


def _default_method(sub: ExtensiveFormGame) -> str:
    """The subgame method used when none is given, chosen per subgame by its size.

    Two players: vertex enumeration of the reduced normal form while it is
    small (as ``auto`` chooses for normal-form games), else the sequence form
    (``lp`` when the subgame is constant-sum, ``lcp`` otherwise), which does
    not grow with the number of plans.  More players: ``pure``.
    """
    if sub.num_players != 2:
        return "pure"
    m1, m2 = count_plans(sub, 0), count_plans(sub, 1)
    if m1 * m2 <= DEFAULT_MAX_PROFILES and (m1 * m2 <= ENUMERATION_LIMIT or min(m1, m2) <= 2):
        return "vertex-enumeration"
    return "lp" if sub.is_constant_sum() else "lcp"


@register(
    "spe",
    summary="Subgame-perfect equilibria of trees with perfect recall, solving subgame by subgame",
    forms=("extensive",),
    players=(1, None),
    finds="some",
    options={
        "subgame_method": "normal-form method for each subgame's reduced normal form, or a "
        "sequence-form method solving each 2-player subgame as a tree: 'lcp', or 'lp' for "
        "zero-sum subgames (default, per subgame: 2 players, vertex-enumeration while the "
        f"reduced normal form has at most {ENUMERATION_LIMIT} profiles (or one player has at "
        "most 2 plans), else 'lp' if the subgame is constant-sum, else 'lcp'; more players: "
        "pure)",
        "max_equilibria": "cap on equilibria carried per subgame "
        f"(default {DEFAULT_MAX_EQUILIBRIA})",
        "max_profiles": "size guard of each subgame's reduced normal form (normal-form "
        "subgame methods)",
    },
)
def solve_spe(
    game: ExtensiveFormGame,
    *,
    budget: Budget,
    subgame_method: str | None = None,
    max_equilibria: int = DEFAULT_MAX_EQUILIBRIA,
    max_profiles: int | None = None,
) -> SolveResult:
    """Subgame-perfect equilibria by backward induction over subgames."""
    game.require_perfect_recall("spe")
    method = subgame_method
    if method is not None and method not in SEQUENCE_FORM_METHODS and (
        "normal" not in get_method(method).forms
    ):
        raise InvalidOptionError(
            "subgame_method must be a normal-form method or a sequence-form method "
            f"({', '.join(map(repr, SEQUENCE_FORM_METHODS))}), not {method!r}"
        )
    if (
        not isinstance(max_equilibria, int)
        or isinstance(max_equilibria, bool)
        or max_equilibria < 1
    ):
        raise InvalidOptionError(
            f"max_equilibria must be a positive integer, got {max_equilibria!r}"
        )
    roots = [int(r) for r in game.subgame_roots()]
    inner_of: dict[int, list[int]] = {r: [] for r in roots}
    root_set = set(roots)
    for r in roots[1:]:
        a = int(game.parent[r])
        while a not in root_set:
            a = int(game.parent[a])
        inner_of[a].append(r)
    solved: dict[int, list[Alternative]] = {}
    complete, status = True, "ok"
    used: dict[str, int] = {}
    try:
        for r in reversed(roots):
            budget.tick()
            inner = inner_of[r]
            nodes = _subtree(game, r, set(inner))
            alts: list[Alternative] = []
            for combo in itertools.product(*(solved[c] for c in inner)):
                values = {c: alt[0] for c, alt in zip(inner, combo)}
                sub, sets = _collapsed(game, nodes, values)
                chosen = method or _default_method(sub)
                used[chosen] = used.get(chosen, 0) + 1
                found, ok = _solve_subgame(sub, sets, chosen, budget, max_profiles)
                complete &= ok and get_method(chosen).finds == "all"
                for pay, own in found:
                    merged = dict(own)
                    for alt in combo:
                        merged.update(alt[1])
                    alts.append((pay, merged))
                if len(alts) >= max_equilibria:
                    complete = complete and len(alts) == max_equilibria
                    alts = alts[:max_equilibria]
                    break
            solved[r] = alts
    except BudgetExhausted:
        status, complete = "budget-exhausted", False
    vectors = []
    for _, own in solved.get(0, []):
        vec = np.zeros(game.num_actions)
        for h, probs in own.items():
            vec[game.action_offset[h] : game.action_offset[h + 1]] = np.asarray(probs, dtype=float)
        vectors.append(vec)
    stats: dict[str, Any] = {
        "subgames": len(roots),
        "subgame_method": method or "by size: " + ", ".join(
            f"{name} ({count} subgame{'s' if count != 1 else ''})" for name, count in used.items()
        ),
    }
    return build_tree_result(
        game,
        vectors,
        "spe",
        complete=complete,
        status=status,
        stats=stats,
        subgame_perfect=game.is_perfect_information,
    )
