"""Equilibria over grids of parameter values: :func:`sweep` and :func:`sweep_to_csv`."""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any

import numpy as np

from .. import numbers as nb
from .backends import progress_bar, resolve_backend, run_ordered
from .branches import BranchTracker
from .grid import PointSet, as_model, make_grid
from .kernels import Rows, Task, choose_kernel, run_task
from .table import CsvWriter, SweepResult, columns_of, label_book, labels_of

#: Largest payoff array (bytes) evaluated in one evaluator call.
BLOCK_BYTES = 256 * 2**20
#: Block size when streaming to a file.
STREAM_BLOCK_BYTES = 32 * 2**20
#: Rows formatted and written to a CSV file at a time (bounds the strings in memory).
WRITE_ROWS = 16384
#: Chunks per worker of a pool (vectorised kernels): enough to balance the load.
CHUNKS_PER_WORKER = 4
#: Smallest chunk of a vectorised kernel on a pool (smaller ones cost more per point).
MIN_POOL_CHUNK = 500

_EVALUATORS: OrderedDict[Any, tuple[Any, Any]] = OrderedDict()


def evaluator_of(game: Any) -> Callable[..., np.ndarray]:
    """``game.evaluator()``, cached for the last few games (lambdify is slow)."""
    key = id(game)
    hit = _EVALUATORS.get(key)
    if hit is not None and hit[0] is game:
        _EVALUATORS.move_to_end(key)
        return hit[1]
    func = game.evaluator()
    _EVALUATORS[key] = (game, func)
    while len(_EVALUATORS) > 8:
        _EVALUATORS.popitem(last=False)
    return func


def default_chunk_size(kernel: str, game: Any, points: int | None = None, workers: int = 1) -> int:
    """Points per chunk of a sweep of ``points`` points on ``workers`` workers.

    Every point is solved on its own (the kernels are vectorised over points,
    not coupled across them), so the chunk size never changes the results; it
    only trades per-chunk overhead against load balance.  Serially a chunk is
    as large as is efficient; with a pool the vectorised kernels get
    :data:`CHUNKS_PER_WORKER` chunks per worker (no smaller than
    :data:`MIN_POOL_CHUNK`), so that no worker is left with the last big chunk.
    """
    per_point = 8 * game.num_players * int(np.prod(game.shape))
    if kernel == "pure":
        size = max(1, (32 * 2**20) // per_point)
    elif kernel == "batched-support":
        size = 2000
    else:
        return 100
    if workers > 1 and points is not None:
        share = -(-points // (CHUNKS_PER_WORKER * workers))
        size = min(size, max(share, MIN_POOL_CHUNK))
    return size


def _exact_games(model: Any, points: PointSet, start: int, stop: int) -> tuple[Any, ...]:
    fixed = {k: model.parameters[k].value for k in points.fixed if k in model.parameters}
    vals = points.values(start, stop)
    out = []
    for row in vals:
        exact = {k: nb.to_fraction(v) for k, v in fixed.items()}
        exact.update({n: nb.to_fraction(float(v)) for n, v in zip(points.names, row)})
        out.append(model.game.bind(**exact))
    return tuple(out)


def _normal_job(
    model: Any,
    points: PointSet,
    method: str,
    exact: bool,
    options: Mapping[str, Any] | None,
    chunk_size: int | None,
    block_bytes: int,
    workers: int = 1,
) -> tuple[str, Iterator[tuple[int, int, Task]]]:
    """Kernel description and chunked tasks of a normal-form sweep."""
    game = model.game
    kernel, description = choose_kernel(game, method, exact)
    chunk = chunk_size or default_chunk_size(kernel, game, points.size, workers)
    per_point = 8 * game.num_players * int(np.prod(game.shape))
    block_points = max(chunk, (block_bytes // per_point) // chunk * chunk)
    labels = (game.players, game.strategies)
    func = evaluator_of(game) if game.is_symbolic else None

    def gen() -> Iterator[tuple[int, int, Task]]:
        for b0, b1 in points.chunks(block_points):
            if func is not None:
                payoffs = func(**points.arrays(b0, b1))
            else:
                payoffs = np.broadcast_to(game.float_payoffs(), (b1 - b0, *game.payoff_array.shape))
            for c0 in range(b0, b1, chunk):
                c1 = min(c0 + chunk, b1)
                ex = _exact_games(model, points, c0, c1) if exact else None
                yield (
                    c0,
                    c1,
                    Task(
                        np.ascontiguousarray(payoffs[c0 - b0 : c1 - b0]),
                        kernel,
                        method,
                        dict(options or {}),
                        labels,
                        ex,
                    ),
                )

    return description, gen()


def _tree_job(
    model: Any,
    points: PointSet,
    method: str,
    exact: bool,
    options: Mapping[str, Any] | None,
    chunk_size: int | None,
    block_bytes: int,
) -> tuple[str, Iterator[tuple[int, int, Any]], Callable[[Any], Rows]]:
    """Kernel description, chunked tasks and runner of a sweep of a game tree."""
    from .tree_eval import TreeEvaluator
    from .tree_kernels import run_tree_task, tree_tasks

    game = model.game
    key = ("tree", id(game))
    hit = _EVALUATORS.get(key)
    if hit is None or hit[0] is not game:
        hit = (game, TreeEvaluator(game))
        _EVALUATORS[key] = hit
        while len(_EVALUATORS) > 8:
            _EVALUATORS.popitem(last=False)
    description, _, gen = tree_tasks(
        model,
        points,
        method,
        exact,
        dict(options or {}),
        chunk_size,
        block_bytes,
        hit[1],
        lambda c0, c1: _exact_games(model, points, c0, c1),
    )
    return description, gen, run_tree_task


def solve_points(
    model: Any,
    points: PointSet,
    method: str = "auto",
    *,
    backend: str = "serial",
    workers: int | None = None,
    scheduler: Any = None,
    exact: bool = False,
    progress: bool | None = None,
    chunk_size: int | None = None,
    stream: bool = False,
    options: Mapping[str, Any] | None = None,
) -> tuple[str, Iterator[tuple[int, int, Rows]]]:
    """Solve the game at every point; returns ``(description, iterator of (start, stop, rows))``.

    Rows carry global point indices.  Payoffs are evaluated one block at a time
    (the whole grid in one call unless it is very large or streamed).
    """
    game = model.game
    backend, workers = resolve_backend(backend, workers, scheduler)
    if chunk_size is not None and (
        isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1
    ):
        from ..exceptions import InvalidOptionError

        raise InvalidOptionError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    block_bytes = STREAM_BLOCK_BYTES if stream else BLOCK_BYTES
    bounds: list[tuple[int, int]] = []
    if game.form == "extensive":
        description, chunked, runner = _tree_job(
            model, points, method, exact, options, chunk_size, block_bytes
        )
    else:
        description, chunked = _normal_job(
            model,
            points,
            method,
            exact,
            options,
            chunk_size,
            block_bytes,
            workers if backend != "serial" else 1,
        )
        runner = run_task

    def tasks() -> Iterator[Any]:
        for c0, c1, task in chunked:
            bounds.append((c0, c1))
            yield task

    def results() -> Iterator[tuple[int, int, Rows]]:
        bar = progress_bar(points.size, progress, "sweep")
        try:
            for k, rows in enumerate(run_ordered(runner, tasks(), backend, workers, scheduler)):
                c0, c1 = bounds[k]
                rows.point = rows.point + c0
                if bar is not None:
                    bar.update(c1 - c0)
                yield c0, c1, rows
        finally:
            if bar is not None:
                bar.close()

    return f"{description}; backend {backend}", results()


def _equilibrium_index(point: np.ndarray) -> np.ndarray:
    if len(point) == 0:
        return np.zeros(0, np.int64)
    start = np.ones(len(point), dtype=bool)
    start[1:] = point[1:] != point[:-1]
    first = np.maximum.accumulate(np.where(start, np.arange(len(point)), 0))
    return np.arange(len(point)) - first


def sweep(
    model: Any,
    grid: Mapping[str, Any],
    method: str = "auto",
    backend: str = "serial",
    workers: int | None = None,
    scheduler: Any = None,
    exact: bool = False,
    strict: bool = False,
    progress: bool | None = None,
    chunk_size: int | None = None,
    *,
    at: Mapping[str, Any] | None = None,
    out: str | os.PathLike | IO[str] | None = None,
    **options: Any,
) -> SweepResult:
    """Equilibria at every point of a grid of parameter values.

    Parameters
    ----------
    model
        A :class:`~gametheory.Model` (or a symbolic game whose parameters are
        all in the grid or in ``at``).
    grid
        ``{parameter: values}``; several parameters give their Cartesian
        product (the last varies fastest).  Other parameters stay at their
        baseline (or at the values in ``at``).
    method
        ``"auto"`` (two players: every equilibrium, by support enumeration
        vectorised over points; more players: every pure equilibrium),
        ``"pure"`` (vectorised) or any method name of :func:`gametheory.methods`
        (solved point by point).
    backend, workers, scheduler
        ``"serial"``, ``"processes"`` (``workers`` processes) or ``"dask"``
        (``scheduler="local"`` starts a ``LocalCluster``; an address
        ``"tcp://HOST:PORT"`` or a ``distributed.Client`` uses that cluster).
        ``workers > 1`` alone selects processes; a scheduler selects Dask.
    exact
        Bind each point in rationals and certify every equilibrium (slow).
    strict
        Grid values outside a declared range are errors instead of warnings.
    progress
        Progress bar: ``None`` shows it on a terminal only.
    chunk_size
        Points per task.  The default depends on the game and, on a pool, on
        the number of workers (for load balance); it never changes the results.
    at
        Values of non-swept parameters (instead of their baseline).
    out
        Stream the rows to this CSV file as they are computed (bounded
        memory); the result then holds the branch summary but no rows.
    **options
        Options of the solver method.

    Returns
    -------
    SweepResult
        One row per point x equilibrium.  Branches: in a 1-D sweep equilibria
        at consecutive grid values with the same support are one branch (give
        a monotone grid); in n-D sweeps a branch is a support label.

    Raises
    ------
    UnknownParameterError, UnusedParameterError, InvalidGridError
        For a grid naming an undeclared parameter or one the payoffs do not
        use, or with non-numeric, empty or (``strict``) out-of-range values.
    """
    start_time = time.perf_counter()
    model = as_model(model)
    points = make_grid(model, grid, strict=strict, at=at)
    game = model.game
    description, results = solve_points(
        model,
        points,
        method,
        backend=backend,
        workers=workers,
        scheduler=scheduler,
        exact=exact,
        progress=progress,
        chunk_size=chunk_size,
        stream=out is not None,
        options=options,
    )
    players, strategies = labels_of(game)
    book = label_book(game)
    tracker = BranchTracker(points.names, one_dimensional=len(points.names) == 1)
    writer = (
        CsvWriter(out, columns_of(points.names, players, strategies)) if out is not None else None
    )
    parts: list[tuple[np.ndarray, ...]] = []
    stats: dict[str, Any] = {}
    written = 0
    try:
        for c0, c1, rows in results:
            for k, v in rows.stats.items():
                stats[k] = stats.get(k, 0) + v if isinstance(v, (int, np.integer)) else v
            codes = book.codes(rows.probs)
            eq = _equilibrium_index(rows.point)
            values = points.values(c0, c1)[rows.point - c0]
            branch = tracker.assign(rows.point, codes, rows.probs, values)
            if writer is not None:
                # the writer formats a block as Python strings: bound the block's rows
                for r0 in range(0, len(eq), WRITE_ROWS):
                    r1 = r0 + WRITE_ROWS
                    writer.write(
                        values[r0:r1],
                        eq[r0:r1],
                        branch[r0:r1],
                        rows.probs[r0:r1],
                        rows.payoffs[r0:r1],
                        rows.regret[r0:r1],
                    )
                written += len(eq)
            else:
                parts.append((rows.point, eq, branch, codes, rows.probs, rows.payoffs, rows.regret))
    finally:
        if writer is not None:
            writer.close()
    m_total = int(sum(len(s) for s in strategies))
    n = game.num_players
    if parts:
        cols = [np.concatenate([p[j] for p in parts]) for j in range(7)]
    else:
        cols = [np.zeros(0, np.int64)] * 4 + [np.zeros((0, m_total)), np.zeros((0, n)), np.zeros(0)]
    stats["points"] = points.size
    stats["rows"] = int(sum(len(p[0]) for p in parts)) if writer is None else written
    stats["time"] = time.perf_counter() - start_time
    pure_only = description.startswith(("pure", "auto: pure"))
    return SweepResult(
        parameters=points.names,
        points=points,
        players=players,
        strategies=strategies,
        point=cols[0],
        equilibrium=cols[1],
        branch=cols[2],
        label=cols[3],
        probs=cols[4],
        payoffs=cols[5],
        regret=cols[6],
        labels=book.text,
        method=description,
        stats=stats,
        branch_summary=tracker.summary(book.text),
        empty_label="no pure equilibrium" if pure_only else "no equilibrium found",
    )


def sweep_to_csv(
    model: Any, grid: Mapping[str, Any], path: str | os.PathLike | IO[str], **kwargs: Any
) -> SweepResult:
    """Stream a sweep to a CSV file in chunks (bounded memory); see :func:`sweep`."""
    return sweep(model, grid, out=path, **kwargs)
