"""Sweeps of game trees: evaluation over points, batched backward induction, per-point solves.

* :class:`TreeShape` is the structure of a tree without its values (numpy
  arrays and labels, so workers need no sympy); it rebuilds a numeric game
  from the payoffs and chance probabilities of one point.
* :class:`~.tree_eval.TreeEvaluator` evaluates terminal payoffs and chance
  probabilities for a whole block of points in one call, laid out node-major
  (``(num_terminals, num_players, N)``) for the level-by-level kernels.
* Kernels: ``tree-induction`` runs backward induction for every point of a
  chunk at once (:func:`gametheory.solvers.backward_induction.induction_batch`);
  points where a mover is indifferent are re-solved one by one with
  ``backward-induction`` (which lists every subgame-perfect equilibrium);
  ``tree-per-point`` solves each point with a registered method.

Rows carry behaviour probabilities in the column order of :func:`tree_columns`
(player by player, each player's information sets in order, actions in order).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import numbers as nb
from ..exceptions import InvalidOptionError, MethodNotApplicableError
from .kernels import Rows
from .tree_eval import check_values

#: Bytes of node values per chunk of the batched backward induction.
INDUCTION_CHUNK_BYTES = 16 * 2**20
#: Points per chunk of per-point tree solves.
PER_POINT_CHUNK = 50


_COLUMNS: OrderedDict[int, tuple[Any, Any]] = OrderedDict()


def tree_columns(game: Any) -> tuple[tuple[tuple[str, ...], ...], np.ndarray]:
    """``(labels, order)``: each player's ``"INFOSET:ACTION"`` labels and global action ids.

    Cached for the last few games (games are immutable).
    """
    hit = _COLUMNS.get(id(game))
    if hit is not None and hit[0] is game:
        return hit[1]
    labels, order = [], []
    offs = game.action_offset
    for i in range(game.num_players):
        mine = []
        for h in np.flatnonzero(game.infoset_player == i).tolist():
            mine += [f"{game.infoset_label(h)}:{a}" for a in game.actions(h)]
            order += range(int(offs[h]), int(offs[h + 1]))
        labels.append(tuple(mine))
    out = (tuple(labels), np.asarray(order, dtype=np.int64))
    out[1].setflags(write=False)
    _COLUMNS[id(game)] = (game, out)
    while len(_COLUMNS) > 8:
        _COLUMNS.popitem(last=False)
    return out


class TreeShape:
    """The structure of a game tree without its values (picklable, no sympy inside).

    Parameters
    ----------
    game
        Any game tree (symbolic or numeric); its canonical node order is kept.
    """

    def __init__(self, game: Any) -> None:
        self.players = tuple(game.players)
        self.title = game.title
        self.parent = np.asarray(game.parent)
        self.infoset = np.asarray(game.node_infoset)
        self.infoset_player = np.asarray(game.infoset_player)
        self.num_actions = np.asarray(game.infoset_num_actions)
        h_all = range(game.num_infosets)
        self.infoset_labels = [game.infoset_label(h) for h in h_all]
        self.action_labels = [tuple(game.actions(h)) for h in h_all]
        terminals = np.asarray(game.terminals)
        self.node_outcome = np.full(game.num_nodes, -1, dtype=np.int64)
        self.node_outcome[terminals] = np.arange(terminals.size)
        self.num_terminals = int(terminals.size)
        player_action = np.repeat(self.infoset_player >= 0, self.num_actions)
        self.chance_actions = np.flatnonzero(~player_action)
        self.perfect_information = bool(game.is_perfect_information)
        self.columns, self.order = tree_columns(game)
        self._skeleton: Any = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_skeleton"] = None
        return state

    def game(self, payoffs: np.ndarray, chance: np.ndarray | None) -> Any:
        """Numeric (float) game with these terminal payoffs ``(T, n)`` and chance probabilities."""
        from ..games.extensive import ExtensiveFormGame, RawTree

        probs = np.zeros(int(self.num_actions.sum()))
        if self.chance_actions.size:
            probs[self.chance_actions] = chance
        raw = RawTree(
            self.parent,
            self.infoset,
            self.infoset_player,
            self.num_actions,
            self.infoset_labels,
            self.action_labels,
            probs,
            self.node_outcome,
            np.asarray(payoffs, dtype=np.float64).reshape(self.num_terminals, len(self.players)),
        )
        return ExtensiveFormGame(raw, self.players, self.title, num_players=len(self.players))

    @property
    def skeleton(self) -> Any:
        """The tree with zero payoffs and uniform chance moves (for its structure)."""
        if self._skeleton is None:
            nact = np.repeat(self.num_actions, self.num_actions)
            chance = 1.0 / nact[self.chance_actions]
            self._skeleton = self.game(np.zeros((self.num_terminals, len(self.players))), chance)
        return self._skeleton


@dataclass(frozen=True)
class TreeTask:
    """One chunk of tree games: values at each point and how to solve them."""

    payoffs: np.ndarray
    chance: np.ndarray
    kernel: str
    method: str
    options: Mapping[str, Any]
    shape: TreeShape
    exact_games: tuple[Any, ...] | None = None


def behaviour_row(eq: Any, size: int) -> np.ndarray:
    """Behaviour probabilities of a tree equilibrium in column order.

    ``eq.behavior`` lists players in order, each player's information sets in
    global order and their actions in order: the order of :func:`tree_columns`.
    """
    row = np.array(
        [p for _, sets in eq.behavior for _, acts in sets for _, p in acts], dtype=np.float64
    )
    if row.size != size:  # pragma: no cover - guarded by the layout of every tree result
        raise ValueError(f"behaviour of {row.size} actions for {size} columns")
    return row


def per_point_tree_rows(task: TreeTask, points: Any = None) -> Rows:
    """Solve the games of the chunk one by one with :func:`gametheory.solve`."""
    from ..solvers.registry import solve

    shape = task.shape
    n, m_total = len(shape.players), len(shape.order)
    idx = range(task.payoffs.shape[2]) if points is None else points
    pts, probs, pays, regs = [], [], [], []
    incomplete = 0
    for t in idx:
        if task.exact_games is not None:
            res = solve(task.exact_games[t], task.method, exact=True, **task.options)
        else:
            game = shape.game(task.payoffs[:, :, t], task.chance[:, t])
            res = solve(game, task.method, **task.options)
        if not (res.complete and res.ok):
            incomplete += 1
        for eq in res.equilibria:
            pts.append(t)
            probs.append(behaviour_row(eq, m_total))
            pays.append(eq.payoff_values)
            regs.append(eq.regret)
    if not pts:
        out = Rows.empty(m_total, n)
    else:
        out = Rows(
            np.asarray(pts, dtype=np.int64),
            np.asarray(probs, dtype=np.float64).reshape(len(pts), m_total),
            np.asarray(pays, dtype=np.float64).reshape(len(pts), n),
            np.asarray(regs, dtype=np.float64),
        )
    out.stats = {"incomplete_points": incomplete}
    return out


def induction_rows(task: TreeTask) -> Rows:
    """Backward induction at every point of the chunk at once; tied points re-solved.

    Where no mover is indifferent (within the tolerance) the subgame-perfect
    equilibrium is unique and each mover's choice is a strict best reply, so
    its regret is exactly 0.
    """
    from ..solvers.backward_induction import induction_batch

    shape = task.shape
    skel = shape.skeleton
    pay = task.payoffs
    N = pay.shape[2]
    tol = nb.RTOL * np.maximum(pay.max(axis=(0, 1)) - pay.min(axis=(0, 1)), 1.0)
    root, choice, tied = induction_batch(skel, pay, task.chance, tol)
    dec = np.flatnonzero(skel.node_kind == 1)
    column = np.full(skel.num_actions, -1, dtype=np.int64)
    column[shape.order] = np.arange(shape.order.size)
    cols = column[skel.action_offset[skel.node_infoset[dec]][:, None] + choice]
    probs = np.zeros((N, shape.order.size))
    probs[np.arange(N)[None, :], cols] = 1.0
    rows = Rows(np.arange(N, dtype=np.int64), probs, np.ascontiguousarray(root.T), np.zeros(N))
    bad = np.flatnonzero(tied)
    stats: dict[str, Any] = {"tied_points": len(bad)}
    if len(bad):
        fixed = per_point_tree_rows(
            TreeTask(pay, task.chance, "tree-per-point", "backward-induction", task.options, shape),
            points=bad,
        )
        keep = ~tied
        merged = [
            np.concatenate([a[keep], b])
            for a, b in zip(
                (rows.point, rows.probs, rows.payoffs, rows.regret),
                (fixed.point, fixed.probs, fixed.payoffs, fixed.regret),
            )
        ]
        order = np.argsort(merged[0], kind="stable")
        rows = Rows(*(m[order] for m in merged))
        stats["incomplete_points"] = fixed.stats.get("incomplete_points", 0)
    rows.stats = stats
    return rows


def run_tree_task(task: TreeTask) -> Rows:
    """Run one chunk (top-level so that process pools and Dask can pickle it)."""
    if task.kernel == "tree-induction":
        return induction_rows(task)
    return per_point_tree_rows(task)


def _check_induction_options(options: Mapping[str, Any]) -> None:
    from ..solvers.registry import get_method

    allowed = get_method("backward-induction").options
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise InvalidOptionError(
            f"method 'backward-induction' has no option {unknown[0]!r} "
            f"(its options: {', '.join(sorted(allowed))})"
        )
    if options.get("ties", "all") not in ("all", "first"):
        raise InvalidOptionError(f"ties must be 'all' or 'first', got {options['ties']!r}")
    cap = options.get("max_equilibria", 1)
    if not isinstance(cap, int) or isinstance(cap, bool) or cap < 1:
        raise InvalidOptionError(f"max_equilibria must be a positive integer, got {cap!r}")


def choose_tree_kernel(
    shape: TreeShape, method: str, exact: bool, options: Mapping[str, Any]
) -> tuple[str, str, str]:
    """``(kernel, method, description)`` for a sweep of a tree."""
    from ..solvers.registry import get_method

    pi = shape.perfect_information
    chosen = method if method != "auto" else ("backward-induction" if pi else "spe")
    if chosen == "backward-induction" and not pi:
        raise MethodNotApplicableError(
            "backward-induction needs perfect information; use 'spe' or a sequence-form method"
        )
    spec = get_method(chosen)
    reason = spec.reason_not_applicable(shape.skeleton)
    if reason:
        raise MethodNotApplicableError(reason)
    prefix = "auto: " if method == "auto" else ""
    if exact:
        return "tree-per-point", chosen, f"{prefix}{chosen} (exact, per point)"
    if chosen == "backward-induction":
        _check_induction_options(options)
        return (
            "tree-induction",
            chosen,
            (
                f"{prefix}backward induction vectorised over points (perfect information); "
                "points with indifferent movers re-solved one by one"
            ),
        )
    return "tree-per-point", chosen, f"{prefix}{chosen} (per point)"


def _describe(points: Any, start: int) -> Any:
    """``where(k)``: text of point ``start + k`` (for error messages)."""

    def where(k: int) -> str:
        row = points.values(start + k, start + k + 1)[0]
        return ", ".join(f"{p}={v:g}" for p, v in zip(points.names, row))

    return where


def tree_tasks(
    model: Any,
    points: Any,
    method: str,
    exact: bool,
    options: Mapping[str, Any],
    chunk_size: int | None,
    block_bytes: int,
    evaluator: Any,
    exact_games: Any,
) -> tuple[str, int, Iterator[tuple[int, int, TreeTask]]]:
    """``(description, chunk, iterator of (start, stop, task))`` for a sweep of a tree."""
    game = model.game
    shape = TreeShape(game)
    kernel, chosen, description = choose_tree_kernel(shape, method, exact, options)
    n = game.num_players
    per_point = 8 * (shape.num_terminals * n + shape.chance_actions.size)
    if chunk_size is not None:
        chunk = chunk_size
    elif kernel == "tree-induction":
        chunk = int(np.clip(INDUCTION_CHUNK_BYTES // (8 * n * game.num_nodes), 64, 8192))
    else:
        chunk = PER_POINT_CHUNK
    block = max(chunk, (block_bytes // per_point) // chunk * chunk)

    def gen() -> Iterator[tuple[int, int, TreeTask]]:
        for b0, b1 in points.chunks(block):
            pay, chance = evaluator(points.arrays(b0, b1), b1 - b0)
            check_values(shape, pay, chance, _describe(points, b0))
            for c0 in range(b0, b1, chunk):
                c1 = min(c0 + chunk, b1)
                yield (
                    c0,
                    c1,
                    TreeTask(
                        pay[:, :, c0 - b0 : c1 - b0],
                        chance[:, c0 - b0 : c1 - b0],
                        kernel,
                        chosen,
                        dict(options),
                        shape,
                        exact_games(c0, c1) if exact else None,
                    ),
                )

    return description, chunk, gen()
