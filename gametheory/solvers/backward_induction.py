"""Backward induction: the pure subgame-perfect equilibria of a game of perfect information.

One vectorised pass over the levels of the tree, deepest first: at chance
nodes the children's payoff vectors are averaged (``np.add.reduceat``), at
decision nodes the mover's best child is found (``np.maximum.reduceat``),
with ties (children within the game's tolerance of the best) recorded.
Linear time in the number of nodes.

When ties exist, ``ties="all"`` lists every pure subgame-perfect
equilibrium: only ancestors of tied nodes can have several subgame-perfect
continuations, so the enumeration walks those nodes alone, combining the
children's alternatives (capped by ``max_equilibria``; ``complete`` is false
when the cap is hit).  ``ties="first"`` keeps the first best action at each
node and reports the ties.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..exceptions import InvalidOptionError, MethodNotApplicableError
from ..games import tree_arrays as ta
from ..games.extensive import ExtensiveFormGame
from ..games.tree_structure import infoset_sizes
from .budget import Budget, BudgetExhausted
from .registry import register
from .result import SolveResult
from .tree_verify import build_tree_result

DEFAULT_MAX_EQUILIBRIA = 1000


def induction_pass(
    game: ExtensiveFormGame, tol: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values, choices and ties of one backward pass.

    Returns
    -------
    values
        Payoff vector of the subgame-perfect play from every node, ``(num_nodes, n)``.
    choice
        Index of the chosen action at every decision node (-1 elsewhere).
    tied
        True at decision nodes where several actions are within ``tol`` of the best.
    """
    lay = game.layout
    n_nodes = game.num_nodes
    values = np.empty((n_nodes, game.num_players))
    values[game.terminals] = game.float_payoffs()
    choice = np.full(n_nodes, -1, dtype=np.int64)
    tied = np.zeros(n_nodes, dtype=bool)
    kind = game.node_kind
    mover = game.node_player
    has_chance = bool(np.any(kind == 2))
    weight = None
    if has_chance:
        probs = np.nan_to_num(game.float_probabilities())
        weight = np.zeros(n_nodes)
        weight[1:] = probs[game.edge_action[1:]]
    parent = lay.parent
    for lo, hi, parents, offsets in ta.level_pairs(lay):
        vals = values[lo:hi]
        m = hi - lo
        par_mover = mover[parent[lo:hi]]
        own = vals[np.arange(m), np.maximum(par_mover, 0)]
        best = np.maximum.reduceat(own, offsets)
        counts = lay.num_children[parents]
        at_best = own >= np.repeat(best, counts) - tol
        pos = np.where(at_best, np.arange(m), m)
        first = np.minimum.reduceat(pos, offsets)
        picked = vals[first]
        is_dec = kind[parents] == 1
        if has_chance and not is_dec.all():
            avg = np.add.reduceat(weight[lo:hi, None] * vals, offsets, axis=0)
            picked = np.where(is_dec[:, None], picked, avg)
        values[parents] = picked
        choice[parents] = np.where(is_dec, first - offsets, -1)
        tied[parents] = is_dec & (np.add.reduceat(at_best, offsets) > 1)
    return values, choice, tied


def _choice_vector(game: ExtensiveFormGame, choice: np.ndarray) -> np.ndarray:
    vec = np.zeros(game.num_actions)
    dec = np.flatnonzero(game.node_kind == 1)
    vec[game.action_offset[game.node_infoset[dec]] + choice[dec]] = 1.0
    return vec


def enumerate_ties(
    game: ExtensiveFormGame,
    values: np.ndarray,
    choice: np.ndarray,
    tied: np.ndarray,
    tol: float,
    cap: int,
    budget: Budget,
) -> tuple[list[dict[int, int]], bool]:
    """All subgame-perfect choice overrides (node -> action), and whether the list is complete.

    Only ancestors-or-self of tied nodes are visited, children first.
    """
    region = np.zeros(game.num_nodes, dtype=bool)
    cur = np.flatnonzero(tied)
    while cur.size:
        cur = cur[~region[cur]]
        region[cur] = True
        cur = np.unique(game.parent[cur[cur > 0]])
    probs = np.nan_to_num(game.float_probabilities())
    first, count = game.first_child, game.num_children
    kind, mover = game.node_kind, game.node_player
    alts: dict[int, list[tuple[np.ndarray, tuple[tuple[int, int], ...]]]] = {}
    complete = True
    for x in np.flatnonzero(region)[::-1].tolist():
        budget.tick()
        kids = range(int(first[x]), int(first[x] + count[x]))
        options = [alts.pop(c) if c in alts else [(values[c], ())] for c in kids]
        out: list[tuple[np.ndarray, tuple[tuple[int, int], ...]]] = []
        for combo in itertools.product(*options):
            if kind[x] == 2:
                h = int(game.node_infoset[x])
                p = probs[game.action_offset[h] : game.action_offset[h + 1]]
                val = sum(pk * v for pk, (v, _) in zip(p, combo))
                out.append((val, sum((c for _, c in combo), ())))
            else:
                i = int(mover[x])
                own = [v[i] for v, _ in combo]
                best = max(own)
                merged = sum((c for _, c in combo), ())
                for k, u in enumerate(own):
                    if u >= best - tol:
                        out.append((combo[k][0], (*merged, (x, k))))
            if len(out) > cap:
                complete = False
                out = out[:cap]
                break
        alts[x] = out
    return [dict(c) for _, c in alts.get(0, [])], complete


@register(
    "backward-induction",
    summary="Pure subgame-perfect equilibria of perfect-information trees (linear time)",
    forms=("extensive",),
    players=(1, None),
    finds="all-pure",
    options={
        "ties": "'all' (default): every pure subgame-perfect equilibrium when some mover is "
        "indifferent; 'first': the first best action at each node, ties reported",
        "max_equilibria": "cap on the equilibria listed with ties='all' "
        f"(default {DEFAULT_MAX_EQUILIBRIA})",
    },
)
def solve_backward_induction(
    game: ExtensiveFormGame,
    *,
    budget: Budget,
    ties: str = "all",
    max_equilibria: int = DEFAULT_MAX_EQUILIBRIA,
) -> SolveResult:
    """Pure subgame-perfect equilibria by backward induction (chance moves allowed)."""
    if ties not in ("all", "first"):
        raise InvalidOptionError(f"ties must be 'all' or 'first', got {ties!r}")
    if (
        not isinstance(max_equilibria, int)
        or isinstance(max_equilibria, bool)
        or max_equilibria < 1
    ):
        raise InvalidOptionError(
            f"max_equilibria must be a positive integer, got {max_equilibria!r}"
        )
    sizes = infoset_sizes(game)
    shared = np.flatnonzero((sizes > 1) & (game.infoset_player >= 0))
    if shared.size:
        h = int(shared[0])
        raise MethodNotApplicableError(
            "backward-induction needs perfect information; information set "
            f"{game.infoset_label(h)!r} of {game.player_of(h)} has {int(sizes[h])} nodes "
            "(use 'spe' or a sequence-form method)"
        )
    tol = game.tolerance()
    values, choice, tied = induction_pass(game, tol)
    n_ties = int(tied.sum())
    stats: dict[str, Any] = {"nodes": game.num_nodes, "tied_nodes": n_ties}
    base = _choice_vector(game, choice)
    notes: tuple[str, ...] = ()
    status, complete = "ok", True
    if n_ties == 0:
        vectors = [base]
    elif ties == "first":
        vectors = [base]
        complete = False
        notes = (
            f"movers are indifferent at {n_ties} decision node(s); the first best action "
            "was taken at each (ties='all' lists every subgame-perfect equilibrium)",
        )
    else:
        try:
            overrides, complete = enumerate_ties(
                game, values, choice, tied, tol, max_equilibria, budget
            )
        except BudgetExhausted:
            overrides, complete, status = [{}], False, "budget-exhausted"
        vectors = []
        for over in overrides:
            ch = choice.copy()
            for node, k in over.items():
                ch[node] = k
            vectors.append(_choice_vector(game, ch))
        if not complete and status == "ok":
            notes = (
                f"more than {max_equilibria} subgame-perfect equilibria; the list is truncated",
            )
    stats["candidates"] = len(vectors)
    return build_tree_result(
        game,
        vectors,
        "backward-induction",
        complete=complete,
        status=status,
        stats=stats,
        subgame_perfect=True,
        notes=notes,
    )
