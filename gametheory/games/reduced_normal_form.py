"""Reduced normal form of a game tree, and mixed <-> behaviour strategies (Kuhn).

A *reduced* pure strategy (a plan) chooses an action only at the information
sets that the player's own earlier choices do not rule out; pure strategies
differing only at such unreachable sets are merged.  With perfect recall the
plans of a player are enumerated from the player's sequence tree, and a plan
is consistent with a terminal node exactly when it contains the player's last
action on the terminal's path.

The expected payoffs of every plan profile are
``sum_z chance(z) * u(z) * prod_i [plan_i consistent with z]``, computed by
matrix products over terminal nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .. import numbers as nb
from ..exceptions import InvalidGameError, InvalidProfileError
from . import tree_arrays as ta
from .normal_form import NormalFormGame
from .tree_structure import infoset_parent_sequences, own_sequences

if TYPE_CHECKING:
    from .extensive import ExtensiveFormGame

#: Default largest number of pure profiles of a reduced normal form.
DEFAULT_MAX_PROFILES = 1_000_000


class ReducedNormalForm(NamedTuple):
    """A reduced normal form and what its strategies mean in the tree."""

    game: NormalFormGame
    """The normal-form game (strategies labelled by their actions)."""
    plans: tuple[tuple[dict[str, str], ...], ...]
    """``plans[i][k]``: information set label -> action of player ``i``'s ``k``-th strategy."""
    plan_matrices: tuple[np.ndarray, ...]
    """``plan_matrices[i][k, a]``: plan ``k`` of player ``i`` chooses action ``a`` (global id)."""


def _player_plans(game: ExtensiveFormGame, i: int) -> list[tuple[int, ...]]:
    sets, parent_seq = infoset_parent_sequences(game, i)
    offs = game.action_offset
    children: dict[int, list[int]] = {}
    for h, s in zip(sets.tolist(), parent_seq.tolist()):
        children.setdefault(s, []).append(h)

    def plans(seq: int) -> list[tuple[int, ...]]:
        out: list[tuple[int, ...]] = [()]
        for h in children.get(seq, ()):
            options = [(a, *p) for a in range(int(offs[h]), int(offs[h + 1])) for p in plans(a)]
            out = [x + y for x in out for y in options]
        return out

    return plans(-1)


def count_plans(game: ExtensiveFormGame, i: int) -> int:
    """Number of reduced pure strategies of player ``i`` (needs perfect recall)."""
    sets, parent_seq = infoset_parent_sequences(game, i)
    offs = game.action_offset
    children: dict[int, list[int]] = {}
    for h, s in zip(sets.tolist(), parent_seq.tolist()):
        children.setdefault(s, []).append(h)
    memo: dict[int, int] = {}

    def count(seq: int) -> int:
        if seq not in memo:
            total = 1
            for h in children.get(seq, ()):
                total *= sum(count(a) for a in range(int(offs[h]), int(offs[h + 1])))
            memo[seq] = total
        return memo[seq]

    return count(-1)


def _labels(game: ExtensiveFormGame, i: int, plans: list[tuple[int, ...]]) -> list[str]:
    sets = game.player_infosets(i)
    owner = np.searchsorted(game.action_offset, np.arange(game.num_actions), side="right") - 1
    out = []
    for plan in plans:
        chosen = {int(owner[a]): a for a in plan}
        parts = [
            game.actions(h)[chosen[h] - game.action_offset[h]] if h in chosen else "*"
            for h in sets.tolist()
        ]
        out.append("/".join(parts) if parts else "-")
    if len(set(out)) != len(out):
        out = [f"{k + 1}:{lab}" for k, lab in enumerate(out)]
    return out


def reduced_normal_form(
    game: ExtensiveFormGame, max_profiles: int | None = None
) -> ReducedNormalForm:
    """The reduced normal form of a game with perfect recall.

    Parameters
    ----------
    game
        A numeric tree with perfect recall.
    max_profiles
        Refuse (before allocating anything) when the number of pure profiles
        exceeds this; default :data:`DEFAULT_MAX_PROFILES`.

    Raises
    ------
    InvalidGameError
        Without perfect recall, or when the normal form is too large.
    """
    game.require_perfect_recall("the reduced normal form")
    limit = DEFAULT_MAX_PROFILES if max_profiles is None else int(max_profiles)
    counts = [count_plans(game, i) for i in range(game.num_players)]
    total = 1
    for c in counts:
        total *= c
    if total > limit:
        shape = " x ".join(str(c) for c in counts)
        raise InvalidGameError(
            f"the reduced normal form has {total} pure profiles ({shape}), more than "
            f"max_profiles={limit}; raise max_profiles or use a tree method"
        )
    exact = game.kind == nb.EXACT
    plans = [_player_plans(game, i) for i in range(game.num_players)]
    matrices = []
    for p in plans:
        mat = np.zeros((len(p), game.num_actions), dtype=bool)
        rows = np.repeat(np.arange(len(p)), [len(x) for x in p])
        cols = np.fromiter((a for x in p for a in x), dtype=np.int64, count=int(rows.size))
        mat[rows, cols] = True
        mat.setflags(write=False)
        matrices.append(mat)
    t = game.terminals
    # chance reach of each terminal
    edge = np.empty(game.num_nodes, dtype=object if exact else np.float64)
    edge[0] = 1
    probs = game.exact_probabilities() if exact else game.float_probabilities()
    is_chance = np.zeros(game.num_nodes, dtype=bool)
    is_chance[1:] = game.node_kind[game.parent[1:]] == 2
    edge[1:] = 1
    edge[is_chance] = probs[game.edge_action[is_chance]]
    weight = ta.top_down_product(game.layout, edge)[t]
    pay = game.exact_payoffs() if exact else game.float_payoffs()
    consistent = []
    for i, mat in enumerate(matrices):
        seq = own_sequences(game, i)[t]
        cons = np.ones((mat.shape[0], t.size), dtype=bool)
        has = seq >= 0
        cons[:, has] = mat[:, seq[has]]
        consistent.append(cons.astype(object) if exact else cons.astype(np.float64))
    n = game.num_players
    rest = consistent[0] * weight[None, :]
    for cons in consistent[1:-1]:
        rest = (rest[:, None, :] * cons[None, :, :]).reshape(-1, t.size)
    last = consistent[-1] if n > 1 else np.ones((1, t.size), dtype=rest.dtype)
    arrays = []
    shape = tuple(counts)
    for j in range(n):
        arr = (rest * pay[:, j][None, :]) @ last.T
        arrays.append(arr.reshape(shape))
    labels = [_labels(game, i, p) for i, p in enumerate(plans)]
    nfg = NormalFormGame(
        arrays,
        players=game.players,
        strategies=labels,
        title=game.title,
        parameter_values=game.parameter_values,
    )
    owner = np.searchsorted(game.action_offset, np.arange(game.num_actions), side="right") - 1
    readable = tuple(
        tuple(
            {
                game.infoset_label(int(owner[a])): game.actions(int(owner[a]))[
                    a - game.action_offset[owner[a]]
                ]
                for a in plan
            }
            for plan in p
        )
        for p in plans
    )
    return ReducedNormalForm(nfg, readable, tuple(matrices))


def mixed_to_behavior(
    game: ExtensiveFormGame, rnf: ReducedNormalForm, mixed: Sequence[Any], exact: bool = False
) -> np.ndarray:
    """Realisation-equivalent behaviour profile of a mixed profile over reduced strategies (Kuhn).

    At an information set that the player's mixture never reaches, actions
    are played uniformly.  Returns one probability per action.
    """
    if len(mixed) != game.num_players:
        raise InvalidProfileError(f"a mixed profile needs {game.num_players} vectors")
    dtype = object if exact else np.float64
    vec = np.zeros(game.num_actions, dtype=dtype)
    offs = game.action_offset
    for i, (mat, sigma) in enumerate(zip(rnf.plan_matrices, mixed)):
        sigma = (
            np.array([nb.to_fraction(p) for p in sigma], dtype=object)
            if exact
            else np.asarray(sigma, dtype=np.float64)
        )
        if sigma.shape != (mat.shape[0],):
            raise InvalidProfileError(f"{game.players[i]} has {mat.shape[0]} reduced strategies")
        weight = sigma @ mat.astype(dtype)  # realisation weight of each action
        sets, parent_seq = infoset_parent_sequences(game, i)
        for h, s in zip(sets.tolist(), parent_seq.tolist()):
            lo, hi = int(offs[h]), int(offs[h + 1])
            reach = sum(sigma) if s < 0 else weight[s]
            if (reach == 0) if exact else (reach <= nb.PROB_TOL):
                k = hi - lo
                vec[lo:hi] = Fraction(1, k) if exact else 1.0 / k
            else:
                vec[lo:hi] = weight[lo:hi] / reach
    return game.behavior_vector(vec, exact=exact)


def behavior_to_mixed(
    game: ExtensiveFormGame, rnf: ReducedNormalForm, behavior: Any, exact: bool = False
) -> list[np.ndarray]:
    """Realisation-equivalent mixed profile over reduced strategies of a behaviour profile.

    The probability of a plan is the product of the behaviour probabilities
    of the actions it chooses.
    """
    vec = game.behavior_vector(behavior, exact=exact)
    out = []
    for mat in rnf.plan_matrices:
        rows = []
        for plan in mat:
            p: Any = Fraction(1) if exact else 1.0
            for a in np.flatnonzero(plan):
                p = p * vec[a]
            rows.append(p)
        out.append(np.array(rows, dtype=object if exact else np.float64))
    return out
