"""Execution backends: serial, local processes, Dask distributed.

Every backend runs the same top-level function on the same chunks and hands
the results back in submission order, so a sweep gives identical results (bit
for bit) whichever backend runs it.  At most ``window`` chunks are in flight,
which bounds memory for streamed sweeps.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ..exceptions import InvalidOptionError

BACKENDS = ("serial", "processes", "dask")


def resolve_backend(backend: str, workers: int | None, scheduler: Any) -> tuple[str, int]:
    """Normalise ``(backend, workers)``; a scheduler implies Dask, ``workers > 1`` processes."""
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise InvalidOptionError(f"workers must be a positive integer, got {workers!r}")
    if scheduler is not None:
        if backend not in ("serial", "dask"):
            raise InvalidOptionError(f"a scheduler needs backend='dask', not {backend!r}")
        backend = "dask"
    elif backend == "serial" and workers is not None and workers > 1:
        backend = "processes"
    if backend not in BACKENDS:
        raise InvalidOptionError(f"unknown backend {backend!r}; choose from: {', '.join(BACKENDS)}")
    if workers is None:
        import os

        workers = 1 if backend == "serial" else max(1, min(os.cpu_count() or 1, 8))
    return backend, workers


def prepare_worker() -> None:
    """Import the kernels and register every solver, once per worker process.

    A forked worker inherits them; a spawned one (macOS, Windows, newer Pythons'
    default) would otherwise import them while running its first chunk.
    """
    from ..solvers.registry import _load_all
    from . import kernels  # noqa: F401

    _load_all()


def _ordered(
    submit: Callable[[Any], Any], result: Callable[[Any], Any], tasks: Iterable[Any], window: int
) -> Iterator[Any]:
    pending: deque = deque()
    for task in tasks:
        pending.append(submit(task))
        if len(pending) >= window:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


@contextmanager
def dask_client(scheduler: Any, workers: int) -> Iterator[Any]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ImportError(
            "the Dask backend needs dask.distributed: pip install 'gametheory[dask]' "
            "(or pip install 'dask[distributed]')"
        ) from None
    if hasattr(scheduler, "submit"):  # an existing Client
        yield scheduler
        return
    if scheduler is None or scheduler == "local":  # no scheduler given: a local cluster
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
            cluster.close()
        return
    if not isinstance(scheduler, str):
        raise InvalidOptionError(
            f"scheduler must be 'local', an address or a Client, got {scheduler!r}"
        )
    client = Client(scheduler)
    try:
        yield client
    finally:
        client.close()


def run_ordered(
    func: Callable[[Any], Any],
    tasks: Iterable[Any],
    backend: str = "serial",
    workers: int = 1,
    scheduler: Any = None,
) -> Iterator[Any]:
    """``func(task)`` for each task, results yielded in task order.

    Parameters
    ----------
    func
        A picklable top-level function.
    tasks
        Iterable of picklable tasks (consumed lazily).
    backend
        ``"serial"``, ``"processes"`` or ``"dask"``.
    workers
        Process count (processes) or workers of a local Dask cluster.
    scheduler
        Dask: ``"local"`` (also when ``None``), ``"tcp://HOST:PORT"`` or a
        ``distributed.Client``.
    """
    if backend == "serial":
        for task in tasks:
            yield func(task)
        return
    window = 2 * max(workers, 1)
    if backend == "processes":
        from concurrent.futures import ProcessPoolExecutor

        # one pool per call: the workers start (and import the solvers) once, then
        # take chunk after chunk; at most ``window`` chunks are in flight
        with ProcessPoolExecutor(max_workers=workers, initializer=prepare_worker) as pool:
            yield from _ordered(lambda t: pool.submit(func, t), lambda f: f.result(), tasks, window)
        return
    with dask_client(scheduler, workers) as client:
        n = len(client.scheduler_info().get("workers", {})) or workers
        yield from _ordered(
            lambda t: client.submit(func, t, pure=False), lambda f: f.result(), tasks, 2 * max(n, 1)
        )


def progress_bar(total: int, progress: bool | None, desc: str) -> Any:
    """A tqdm bar on a terminal (or when ``progress`` is True); ``None`` when quiet."""
    show = sys.stderr.isatty() if progress is None else bool(progress)
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="pt", file=sys.stderr, leave=False)
