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
from ..games.tree_structure import perfect_information_violation
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


def induction_batch(
    game: ExtensiveFormGame,
    payoffs: np.ndarray,
    chance: np.ndarray | None,
    tol: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward induction at many parameter points at once (a trailing batch axis).

    The same pass as :func:`induction_pass`, vectorised over points as well:
    one level of the tree at a time, the nodes of a level grouped by kind and
    number of children so that each group is a dense ``(nodes, children,
    players, points)`` block.  Only the structure of ``game`` is used; the
    values come from the arguments.

    Parameters
    ----------
    game
        The tree (any values; e.g. the symbolic game).
    payoffs
        Terminal payoffs, shape ``(num_terminals, num_players, N)``.
    chance
        Probabilities of the chance actions (in global action order), shape
        ``(num_chance_actions, N)``; ``None`` when the tree has no chance node.
    tol
        Tie tolerance of each point, shape ``(N,)``.

    Returns
    -------
    root
        Payoff vector of the subgame-perfect play at each point, ``(num_players, N)``.
    choice
        Chosen action index at each decision node (canonical order),
        ``(num_decision_nodes, N)``: the first action within ``tol`` of the best.
    tied
        ``(N,)``: True where some mover has several actions within ``tol`` of
        the best (other subgame-perfect equilibria exist there).
    """
    lay = game.layout
    kind, mover = game.node_kind, game.node_player
    n, N = payoffs.shape[1], payoffs.shape[2]
    tol = np.asarray(tol, dtype=np.float64).reshape(1, 1, N)
    term_pos = np.cumsum(kind == 0) - 1
    dec_pos = np.cumsum(kind == 1) - 1
    width = int(lay.num_children.max(initial=1))
    choice = np.zeros((int(np.sum(kind == 1)), N), dtype=np.int8 if width < 128 else np.int32)
    tied = np.zeros(N, dtype=bool)
    chance_row = np.cumsum(np.repeat(game.infoset_player < 0, game.infoset_num_actions)) - 1
    ls = lay.level_start
    below = payoffs[term_pos[ls[-2] : ls[-1]]]
    count = lay.num_children
    for d in range(lay.num_levels - 2, -1, -1):
        lo, hi, k_lo = int(ls[d]), int(ls[d + 1]), int(ls[d + 1])
        buf = np.empty((hi - lo, n, N))
        nodes = np.arange(lo, hi)
        leaves = nodes[count[nodes] == 0]
        buf[leaves - lo] = payoffs[term_pos[leaves]]
        inner = nodes[count[nodes] > 0]
        key = count[inner] * 2 + (kind[inner] == 1)
        for group_key in np.unique(key).tolist():
            k, is_dec = group_key // 2, bool(group_key % 2)
            grp = inner[key == group_key]
            kids = (lay.first_child[grp][:, None] + np.arange(k)).reshape(-1)
            vals = below[kids - k_lo].reshape(grp.size, k, n, N)
            if is_dec:
                own = vals[np.arange(grp.size), :, mover[grp]]
                good = own >= own.max(axis=1, keepdims=True) - tol
                # first good action, and whether a later one is good too
                first = np.zeros((grp.size, N), dtype=choice.dtype)
                before = ~good[:, 0]
                seen = good[:, 0].copy()
                tie = np.zeros((grp.size, N), dtype=bool)
                for j in range(1, k):
                    first += before
                    before &= ~good[:, j]
                    tie |= seen & good[:, j]
                    seen |= good[:, j]
                tied |= tie.any(axis=0)
                choice[dec_pos[grp]] = first
                out = vals[:, k - 1].copy()
                for j in range(k - 1):
                    np.copyto(out, vals[:, j], where=(first == j)[:, None, :])
            else:
                w = chance[chance_row[game.edge_action[kids]]].reshape(grp.size, k, 1, N)
                out = w[:, 0] * vals[:, 0]
                for j in range(1, k):
                    out += w[:, j] * vals[:, j]
            buf[grp - lo] = out
        below = buf
    return below[0], choice, tied


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
    tree_requires="perfect-information",
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
    shared = perfect_information_violation(game)
    if shared is not None:
        player, label, size = shared
        raise MethodNotApplicableError(
            f"backward-induction needs perfect information; information set {label!r} of "
            f"{player} has {size} nodes (use 'spe' or a sequence-form method)"
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
