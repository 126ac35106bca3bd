"""Behaviour profiles of game trees: probabilities, payoffs, best responses and regret.

A behaviour profile is stored as one probability per action (global action
ids, information set by information set; chance actions carry the chance
probabilities).  Accepted inputs: that vector, or
``{player: {information set label: {action: probability}}}`` (a sequence of
probabilities in action order may replace the inner mapping).

Regret comes in two flavours:

* *full* (Nash): each player's best response against the others' behaviour,
  computed by one backward pass over the player's information sets using
  the sequence form (needs perfect recall);
* *agent*: the largest gain from changing the action at a single
  information set, everything else fixed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import numbers as nb
from ..exceptions import InvalidProfileError
from . import tree_arrays as ta
from .tree_structure import own_sequences

if TYPE_CHECKING:
    from .extensive import ExtensiveFormGame


def _fill_infoset(
    game: ExtensiveFormGame, vec: np.ndarray, h: int, value: Any, exact: bool
) -> None:
    actions = game.actions(h)
    lo = int(game.action_offset[h])
    where = f"{game.player_of(h)} at {game.infoset_label(h)!r}"
    if isinstance(value, Mapping):
        for label, p in value.items():
            try:
                k = actions.index(label) if not isinstance(label, int) else int(label)
            except ValueError:
                raise InvalidProfileError(
                    f"{where}: no action {label!r} (actions: {', '.join(actions)})"
                ) from None
            vec[lo + k] = nb.to_fraction(p) if exact else float(p)
        return
    probs = list(value)
    if len(probs) != len(actions):
        raise InvalidProfileError(f"{where}: {len(actions)} actions but {len(probs)} probabilities")
    for k, p in enumerate(probs):
        vec[lo + k] = nb.to_fraction(p) if exact else float(p)


def behavior_vector(game: ExtensiveFormGame, profile: Any, exact: bool = False) -> np.ndarray:
    """One probability per action (chance actions get the chance probabilities).

    Raises
    ------
    InvalidProfileError
        For unknown players, information sets or actions, missing information
        sets, or probabilities that are negative or do not sum to 1.
    """
    size = game.num_actions
    player_action = game._player_action
    if isinstance(profile, Mapping):
        vec = np.array([Fraction(0)] * size, dtype=object) if exact else np.zeros(size)
        unknown = [p for p in profile if p not in game.players]
        if unknown:
            raise InvalidProfileError(f"unknown player {unknown[0]!r} in profile")
        for i, player in enumerate(game.players):
            sets = game.player_infosets(i)
            given = profile.get(player)
            if given is None:
                if sets.size:
                    raise InvalidProfileError(f"profile has no behaviour for {player}")
                continue
            seen = set()
            for label, value in given.items():
                try:
                    h = game.infoset_index(i, label)
                except ValueError:
                    raise InvalidProfileError(
                        f"{player} has no information set {label!r}"
                    ) from None
                seen.add(h)
                _fill_infoset(game, vec, h, value, exact)
            missing = [int(h) for h in sets if int(h) not in seen]
            if missing:
                raise InvalidProfileError(
                    f"profile has no behaviour for {player} at information set "
                    f"{game.infoset_label(missing[0])!r}"
                )
    else:
        if exact:
            try:
                vec = np.array(
                    [
                        nb.to_fraction(p) if ok else Fraction(0)
                        for p, ok in zip(
                            np.asarray(profile, dtype=object).reshape(-1), player_action
                        )
                    ],
                    dtype=object,
                )
            except (TypeError, ValueError) as exc:
                raise InvalidProfileError(
                    f"behaviour probabilities are not exact numbers: {exc}"
                ) from None
        else:
            vec = np.array(profile, dtype=np.float64).reshape(-1)
        if vec.size != size:
            raise InvalidProfileError(
                f"a behaviour vector needs {size} entries (one per action), got {vec.size}"
            )
    if exact:
        probs = game.exact_probabilities()
        for k in np.flatnonzero(~player_action):
            vec[k] = probs[k]
    else:
        vec[~player_action] = game.float_probabilities()[~player_action]
    _check(game, vec, exact)
    return vec


def _check(game: ExtensiveFormGame, vec: np.ndarray, exact: bool) -> None:
    sets = np.flatnonzero(game.infoset_player >= 0)
    if sets.size == 0:
        return
    offs = game.action_offset
    if exact:
        for h in sets:
            part = vec[offs[h] : offs[h + 1]]
            if any(p < 0 for p in part) or sum(part, Fraction(0)) != 1:
                raise InvalidProfileError(
                    f"probabilities of {game.player_of(int(h))} at {game.infoset_label(int(h))!r} "
                    "must be non-negative and sum to 1"
                )
        return
    mask = game._player_action
    bad_entry = mask & ~(vec >= -1e-9)
    sums = np.add.reduceat(np.where(mask, vec, 0.0), offs[:-1])
    bad_sum = (game.infoset_player >= 0) & ~(np.abs(sums - 1.0) <= 1e-6)
    if bad_entry.any() or bad_sum.any():
        h = (
            int(np.flatnonzero(bad_sum)[0])
            if bad_sum.any()
            else int(np.searchsorted(offs, np.flatnonzero(bad_entry)[0], side="right") - 1)
        )
        raise InvalidProfileError(
            f"probabilities of {game.player_of(h)} at {game.infoset_label(h)!r} must be "
            f"non-negative and sum to 1, got {vec[offs[h] : offs[h + 1]].tolist()}"
        )


def behavior_dict(
    game: ExtensiveFormGame, vec: Sequence[Any]
) -> dict[str, dict[str, dict[str, Any]]]:
    """``{player: {information set label: {action: probability}}}``."""
    offs = game.action_offset
    out: dict[str, dict[str, dict[str, Any]]] = {p: {} for p in game.players}
    for h in np.flatnonzero(game.infoset_player >= 0):
        h = int(h)
        probs = vec[offs[h] : offs[h + 1]]
        out[game.player_of(h)][game.infoset_label(h)] = dict(zip(game.actions(h), probs))
    return out


def _payoffs(game: ExtensiveFormGame, exact: bool) -> np.ndarray:
    return game.exact_payoffs() if exact else game.float_payoffs()


def reach_probabilities(
    game: ExtensiveFormGame, vec: np.ndarray, exact: bool = False
) -> np.ndarray:
    """Probability of reaching every node under a behaviour vector."""
    edge = np.empty(game.num_nodes, dtype=object if exact else np.float64)
    edge[0] = 1
    edge[1:] = vec[game.edge_action[1:]]
    return ta.top_down_product(game.layout, edge)


def expected_payoffs(game: ExtensiveFormGame, vec: np.ndarray, exact: bool = False) -> np.ndarray:
    """Expected payoff of every player."""
    reach = reach_probabilities(game, vec, exact)[game.terminals]
    return np.dot(reach, _payoffs(game, exact))


def node_values(game: ExtensiveFormGame, vec: np.ndarray, exact: bool = False) -> np.ndarray:
    """Expected payoffs of every player from every node on, shape ``(num_nodes, n)``."""
    n = game.num_players
    values = np.zeros((game.num_nodes, n), dtype=object if exact else np.float64)
    values[game.terminals] = _payoffs(game, exact)
    weight = np.empty(game.num_nodes, dtype=values.dtype)
    weight[0] = 1
    weight[1:] = vec[game.edge_action[1:]]
    for lo, hi, parents, offsets in ta.level_pairs(game.layout):
        values[parents] = np.add.reduceat(weight[lo:hi, None] * values[lo:hi], offsets, axis=0)
    return values


def _segments(offs: np.ndarray, sets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = offs[sets], offs[sets + 1]
    counts = hi - lo
    starts = np.cumsum(counts) - counts
    return np.repeat(lo - starts, counts) + np.arange(int(counts.sum())), starts


def best_response(
    game: ExtensiveFormGame, vec: np.ndarray, player: int, exact: bool = False
) -> tuple[Any, np.ndarray]:
    """Best-response value of ``player`` against the others' behaviour, and its choices.

    One backward pass over the player's information sets (sequence form):
    ``Q[s]`` collects, for each of the player's sequences ``s``, the payoff of
    the terminals whose last own action is ``s`` weighted by the others' and
    chance's reach, plus the best continuation value of each information set
    that follows ``s``.  Needs perfect recall.

    Returns
    -------
    value, choice
        The best-response payoff and, for each of the player's information
        sets (in global order, -1 for others'), the index of a best action.
    """
    game.require_perfect_recall("a full best response")
    dtype = object if exact else np.float64
    par = game.parent
    own_edge = np.zeros(game.num_nodes, dtype=bool)
    own_edge[1:] = game.node_player[par[1:]] == player
    edge = np.empty(game.num_nodes, dtype=dtype)
    edge[0] = 1
    edge[1:] = vec[game.edge_action[1:]]
    edge[own_edge] = 1
    reach = ta.top_down_product(game.layout, edge)
    seq = own_sequences(game, player)
    t = game.terminals
    contrib = reach[t] * _payoffs(game, exact)[:, player]
    q = np.zeros(game.num_actions + 1, dtype=dtype)
    np.add.at(q, seq[t] + 1, contrib)
    sets = np.flatnonzero(game.infoset_player == player)
    choice = np.full(game.num_infosets, -1, dtype=np.int64)
    if sets.size:
        # a representative node of each set gives its parent sequence and own depth
        nodes = np.flatnonzero(game.node_player == player)
        first = np.full(game.num_infosets, -1, dtype=np.int64)
        first[game.node_infoset[nodes[::-1]]] = nodes[::-1]
        rep = first[sets]
        depth = ta.top_down_sum(game.layout, own_edge.astype(np.int64))[rep]
        parent_seq = seq[rep]
        offs = game.action_offset
        for d in range(int(depth.max()), -1, -1):
            group = sets[depth == d]
            if group.size == 0:
                continue
            idx, starts = _segments(offs, group)
            vals = q[idx + 1]
            best = np.maximum.reduceat(vals, starts)
            at_best = vals == np.repeat(best, np.diff(np.append(starts, vals.size)))
            pos = np.where(at_best, np.arange(vals.size), vals.size)
            choice[group] = np.minimum.reduceat(pos, starts) - starts
            np.add.at(q, parent_seq[depth == d] + 1, best)
    return q[0], choice


def regrets(game: ExtensiveFormGame, vec: np.ndarray, exact: bool = False) -> np.ndarray:
    """Each player's gain from a best response (full strategies; needs perfect recall)."""
    payoff = expected_payoffs(game, vec, exact)
    out = []
    for i in range(game.num_players):
        value, _ = best_response(game, vec, i, exact)
        out.append(max(value - payoff[i], 0) if exact else max(float(value - payoff[i]), 0.0))
    return np.array(out, dtype=object) if exact else np.array(out)


def _agent_gains(
    game: ExtensiveFormGame, vec: np.ndarray, exact: bool, reach: np.ndarray | None
) -> np.ndarray:
    values = node_values(game, vec, exact)
    par = game.parent[1:]
    mover = game.node_player[par]
    dec = mover >= 0
    child = np.arange(1, game.num_nodes)[dec]
    par, mover = par[dec], mover[dec]
    gain = values[child, mover] - values[par, mover]
    if reach is not None:
        gain = reach[par] * gain
    out = np.zeros(game.num_actions, dtype=object if exact else np.float64)
    np.add.at(out, game.edge_action[child], gain)
    return out


def agent_regrets(game: ExtensiveFormGame, vec: np.ndarray, exact: bool = False) -> np.ndarray:
    """Each player's largest gain from changing the action at one information set."""
    reach = reach_probabilities(game, vec, exact)
    gains = _agent_gains(game, vec, exact, reach)
    owner = np.repeat(game.infoset_player, game.infoset_num_actions)
    out = []
    for i in range(game.num_players):
        g = gains[owner == i]
        best = max(g) if len(g) else 0
        out.append(max(best, 0) if exact else max(float(best), 0.0))
    return np.array(out, dtype=object) if exact else np.array(out)


def local_regret(game: ExtensiveFormGame, vec: np.ndarray, exact: bool = False) -> Any:
    """Largest gain from a one-shot deviation at any decision node, reached or not.

    In a game of perfect information this is 0 exactly at subgame-perfect
    profiles (the one-shot deviation principle).
    """
    gains = _agent_gains(game, vec, exact, None)
    if not len(gains):
        return 0
    best = max(gains[game._player_action]) if game._player_action.any() else 0
    return max(best, 0) if exact else max(float(best), 0.0)
