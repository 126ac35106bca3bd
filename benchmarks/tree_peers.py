"""Adapters of the extensive-form group: our solvers, bare references and pygambit.

Each adapter is a :class:`benchmarks.peers.Adapter` whose ``prepare`` gets a
:class:`TreeCase` (not timed), whose ``call`` is timed, and whose
``profiles`` turns the output into behaviour vectors of the case's game
(one probability per action, our global action order), so that every output
is checked with our own regret.  pygambit games are read from the ``.efg``
text of the case (written by our writer, not timed); pygambit profiles are
mapped back by walking both trees in file order, and their payoffs are
compared with ours.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .peers import Adapter, _missing
from .tree_games import TreeArrays


@dataclass
class TreeCase:
    """One game of the group.

    Attributes
    ----------
    task
        ``"bi"``, ``"lp"``, ``"lcp"`` or ``"efg"``.
    size
        Label shown in the tables.
    game
        Our game (for ``"efg"``: the game written to the file).
    arrays
        The flat arrays the game was built from (backward-induction cases).
    efg_text
        The game as ``.efg`` text (for pygambit), or ``None``.
    path
        The ``.efg`` file of the reading benchmark.
    """

    task: str
    size: str
    game: Any
    arrays: TreeArrays | None = None
    efg_text: str | None = None
    path: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)


def _ours_available(method: str) -> Any:
    def check() -> str | None:
        import gametheory as gt

        return None if method in gt.method_names() else "method not registered"

    return check


def _fresh(game: Any) -> Any:
    """The game with its caches emptied, so a timed call recomputes everything it needs."""
    game._cache.clear()
    return game


def _result_vectors(raw: tuple[Any, Any], case: Any = None) -> list[np.ndarray]:
    from gametheory.solvers.tree_verify import vector_of

    game, result = raw
    return [vector_of(game, eq.behavior) for eq in result.equilibria]


def _result_info(raw: tuple[Any, Any]) -> str:
    result = raw[1]
    parts = [] if result.status == "ok" else [f"status {result.status}"]
    if "pivots" in result.stats:
        parts.append(f"{result.stats['pivots']} pivots")
    return ", ".join(parts)


# ---------------------------------------------------------------------- ours
def ours_solve(method: str, **options: Any) -> Adapter:
    """``gt.solve(game, method)`` on the built game (its caches emptied before each call)."""

    def call(game: Any) -> Any:
        import gametheory as gt

        return game, gt.solve(_fresh(game), method=method, **options)

    opts = "".join(f", {k}={v!r}" for k, v in options.items())
    return Adapter(f"ours: {method}", True,
                   f"`gt.solve(game, {method!r}{opts})` on the game object, its caches "
                   "emptied before every call (perfect-recall check, sequence form and result "
                   "verification included)",
                   lambda case: case.game, call, _result_vectors,
                   _ours_available(method), _result_info)


def ours_bi_from_arrays() -> Adapter:
    """``ExtensiveFormGame.from_arrays`` then backward induction: building the tree included."""

    def call(tree: TreeArrays) -> Any:
        import gametheory as gt

        game = tree.game()
        return game, gt.solve(game, "backward-induction")

    return Adapter("ours: from_arrays + backward-induction", True,
                   "`gt.solve(ExtensiveFormGame.from_arrays(parent, mover, payoffs, "
                   "chance_probs), 'backward-induction')`: validating and building the tree "
                   "included, the result verified by regret",
                   lambda case: case.arrays, call, _result_vectors,
                   _ours_available("backward-induction"), _result_info)


def numpy_backward_induction(parent: np.ndarray, mover: np.ndarray, payoffs: np.ndarray,
                             chance_probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Plain numpy backward induction on a tree in breadth-first order (the yardstick).

    Needs the nodes in breadth-first order with siblings contiguous (so the
    parent array is sorted).  Level by level from the deepest: at a decision
    node the child with the largest payoff of the mover (first on ties), at a
    chance node the probability-weighted average.

    Returns
    -------
    values
        Payoff vector of the subgame-perfect play from the root.
    choice
        Index of the chosen child at every decision node (-1 elsewhere).
    """
    n = parent.size
    counts = np.bincount(parent[1:], minlength=n)
    term = counts == 0
    values = np.empty((n, payoffs.shape[1]))
    values[term] = payoffs
    choice = np.full(n, -1, dtype=np.int64)
    bounds = [0, 1]
    while bounds[-1] < n:
        bounds.append(int(np.searchsorted(parent, bounds[-1], side="left")))
    rows = np.arange(n)
    for lo, hi in zip(bounds[-2:0:-1], bounds[-1:1:-1]):
        par = parent[lo:hi]
        starts = np.flatnonzero(np.diff(par, prepend=-2))
        sizes = np.diff(starts, append=hi - lo)
        p = par[starts]
        vals = values[lo:hi]
        own = vals[rows[: hi - lo], np.maximum(mover[par], 0)]
        best = np.maximum.reduceat(own, starts)
        first = np.minimum.reduceat(np.where(own == np.repeat(best, sizes), rows[: hi - lo],
                                             n), starts)
        out = vals[first]
        is_chance = mover[p] < 0
        if is_chance.any():
            avg = np.add.reduceat(chance_probs[lo:hi, None] * vals, starts, axis=0)
            out[is_chance] = avg[is_chance]
        values[p] = out
        choice[p] = np.where(is_chance, -1, first - starts)
    return values[0], choice


def reference_vector(game: Any, tree: TreeArrays, choice: np.ndarray) -> np.ndarray:
    """Behaviour vector, in the game built from ``tree``, of the numpy reference's choices.

    Without explicit information sets, ``from_arrays`` numbers the information
    sets by the non-terminal nodes in input order and the actions by sibling order.
    """
    counts = np.bincount(tree.parent[1:], minlength=tree.num_nodes)
    inner = np.flatnonzero(counts > 0)
    vec = np.nan_to_num(game.float_probabilities()).copy()
    dec = choice[inner] >= 0
    vec[game.action_offset[:-1][dec] + choice[inner][dec]] = 1.0
    return vec


def numpy_bi() -> Adapter:
    """The plain numpy backward induction from the same arrays."""

    def call(tree: TreeArrays) -> Any:
        return numpy_backward_induction(tree.parent, tree.mover, tree.payoffs, tree.chance_probs)

    def profiles(raw: Any, tree: TreeArrays) -> list[np.ndarray]:
        return [reference_vector(tree.game(), tree, raw[1])]

    return Adapter("plain numpy backward induction", False,
                   "`numpy_backward_induction` in `benchmarks/tree_peers.py` (level by level, "
                   "`np.maximum.reduceat` / `np.add.reduceat`, first best child), from the same "
                   "arrays, using that they are in breadth-first order; no validation, no "
                   "result object",
                   lambda case: case.arrays, call, profiles, lambda: None)


# ---------------------------------------------------------------------- bare HiGHS
def bare_highs() -> Adapter:
    """``scipy.optimize.linprog(method="highs")`` on our sequence-form LP arrays."""

    def prepare(case: TreeCase) -> Any:
        from gametheory.games.sequence_form import sequence_form
        from gametheory.solvers.sequence_lp import sequence_lp_arrays

        sf = sequence_form(case.game)
        return sf, sequence_lp_arrays(sf)[0]

    def call(native: Any) -> Any:
        from scipy.optimize import linprog

        return linprog(**native[1], method="highs")

    def profiles(res: Any, native: Any) -> list[np.ndarray]:
        sf = native[0]
        x = res.x[: sf.num_sequences(0)]
        return [sf.behavior_from_plans([x, -res.ineqlin.marginals])]

    return Adapter("scipy linprog HiGHS (bare)", False,
                   "`scipy.optimize.linprog(c, A_ub, b_ub, A_eq, b_eq, bounds, "
                   "method='highs')` on the arrays of "
                   "`gametheory.solvers.sequence_lp.sequence_lp_arrays` (built before timing); "
                   "the plans from its primal and dual, checked like ours",
                   prepare, call, profiles, _missing("scipy"))


# ---------------------------------------------------------------------- pygambit
def _gambit_game(case: TreeCase) -> Any:
    import pygambit as gbt

    return gbt.read_efg(io.StringIO(case.efg_text))


def infoset_map(game: Any, ggame: Any) -> list[tuple[int, Any]]:
    """``(our information set, pygambit information set)`` pairs, by walking both trees.

    Both trees are visited in preorder (the order of the ``.efg`` file), so
    the k-th decision node of one is the k-th of the other.
    """
    from gametheory.games.tree_arrays import preorder

    pos, _ = preorder(game.layout)
    ours = np.empty_like(pos)
    ours[pos] = np.arange(pos.size)
    kinds = game.node_kind[ours]
    sets = game.node_infoset[ours][kinds == 1].tolist()
    theirs = []
    stack = [ggame.root]
    while stack:
        node = stack.pop()
        if node.children:
            if not node.infoset.is_chance:
                theirs.append(node.infoset)
            stack.extend(reversed(list(node.children)))
    if len(theirs) != len(sets):
        raise ValueError("the trees differ: not the same number of decision nodes")
    seen: dict[int, Any] = {}
    for h, infoset in zip(sets, theirs):
        seen.setdefault(h, infoset)
    return list(seen.items())


def gambit_vectors(game: Any, ggame: Any, profiles: list[Any]) -> list[np.ndarray]:
    """Our behaviour vectors of pygambit behaviour profiles.

    Raises ``ValueError`` when the expected payoffs of a mapped profile differ
    from pygambit's own (the mapping would be wrong).
    """
    from gametheory.games.behavior import expected_payoffs

    pairs = infoset_map(game, ggame) if profiles else []
    out = []
    base = np.nan_to_num(game.float_probabilities())
    for prof in profiles:
        vec = base.copy()
        for h, infoset in pairs:
            lo = int(game.action_offset[h])
            for j, action in enumerate(infoset.actions):
                vec[lo + j] = float(prof[action])
        ours = expected_payoffs(game, vec)
        theirs = np.array([float(prof.payoff(p)) for p in ggame.players])
        if not np.allclose(ours, theirs, rtol=1e-6, atol=1e-6 * (1 + np.abs(ours).max())):
            raise ValueError("profile mapping failed: payoffs differ from pygambit's")
        out.append(vec)
    return out


def gambit_solver(label: str, run: Any, note: str) -> Adapter:
    """A pygambit solver on the game read from the case's ``.efg`` text."""

    def profiles(res: Any, native: Any) -> list[np.ndarray]:
        ggame, case = native
        return gambit_vectors(case.game, ggame, list(res.equilibria))

    return Adapter(f"pygambit {label}", False, note,
                   lambda case: (_gambit_game(case), case), lambda native: run(native[0]),
                   profiles, _missing("pygambit"),
                   lambda res: f"{len(res.equilibria)} profiles")


def gambit_lcp() -> Adapter:
    """pygambit's sequence-form Lemke."""

    def run(g: Any) -> Any:
        import pygambit as gbt

        return gbt.nash.lcp_solve(g, rational=False, use_strategic=False)

    return gambit_solver("lcp_solve", run,
                         "`pygambit.nash.lcp_solve(g, rational=False, use_strategic=False)` "
                         "(sequence form; `stop_after` is refused there), game read from our "
                         "`.efg` text before timing")


def gambit_lp() -> Adapter:
    """pygambit's sequence-form LP."""

    def run(g: Any) -> Any:
        import pygambit as gbt

        return gbt.nash.lp_solve(g, rational=False, use_strategic=False)

    return gambit_solver("lp_solve", run,
                         "`pygambit.nash.lp_solve(g, rational=False, use_strategic=False)`, "
                         "game read from our `.efg` text before timing")


def gambit_enumpure_agent() -> Adapter:
    """pygambit's pure agent-form equilibria."""

    def run(g: Any) -> Any:
        import pygambit as gbt

        return gbt.nash.enumpure_agent_solve(g)

    return gambit_solver("enumpure_agent_solve", run,
                         "`pygambit.nash.enumpure_agent_solve(g)` (pure agent-form equilibria), "
                         "game read from our `.efg` text before timing")


# ---------------------------------------------------------------------- reading .efg
def _efg_facts(game: Any) -> dict[str, Any]:
    return {"nodes": int(game.num_nodes),
            "infosets": int((np.asarray(game.infoset_player) >= 0).sum()),
            "payoff sum": float(game.float_payoffs().sum())}


def ours_read_efg() -> Adapter:
    """``gt.load(path)`` on a ``.efg`` file."""

    def call(path: str) -> Any:
        import gametheory as gt

        return gt.load(path)

    def profiles(model: Any, path: str) -> list[Any]:
        return [_efg_facts(model.game)]

    return Adapter("ours: gt.load", True,
                   "`gt.load(path)` (the `.efg` reader, up to the validated game object)",
                   lambda case: case.path, call, profiles, lambda: None)


def gambit_read_efg() -> Adapter:
    """``pygambit.read_efg(path)``."""

    def call(path: str) -> Any:
        import pygambit as gbt

        return gbt.read_efg(path)

    def profiles(g: Any, path: str) -> list[Any]:
        pay = 0.0
        for node in g.nodes:
            if node.is_terminal and node.outcome is not None:
                pay += sum(float(node.outcome[p]) for p in g.players)
        infosets = sum(len(p.infosets) for p in g.players)
        return [{"nodes": len(g.nodes), "infosets": infosets, "payoff sum": pay}]

    return Adapter("pygambit read_efg", False, "`pygambit.read_efg(path)`",
                   lambda case: case.path, call, profiles, _missing("pygambit"))
