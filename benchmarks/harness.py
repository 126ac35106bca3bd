"""Timing with a hard per-call timeout.

Each measurement runs in a forked child process (it inherits the imports and
any JIT-compiled code of the parent), which reports after every call through
a pipe; when a call takes longer than the timeout the child is killed
(``SIGKILL``), so a hanging peer cannot stall the suite.  Whole-process
timings (CLI cold start) use :func:`time_process`.
"""

from __future__ import annotations

import multiprocessing as mp
import statistics
import subprocess
import time
import traceback
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .peers import Adapter, Profile


@dataclass
class Measurement:
    """Outcome of timing one implementation on one game.

    Attributes
    ----------
    status
        ``"ok"``, ``"timeout"``, ``"error"`` or ``"unavailable"``.
    times
        Seconds of each completed call.
    profiles
        Output of the first call, one probability vector per player.
    message
        Why it is unavailable, the error, or the timeout.
    info
        Extra facts from the adapter (e.g. ``complete: false``).
    """

    status: str
    times: list[float] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)
    message: str = ""
    info: str = ""

    @property
    def median(self) -> float | None:
        """Median seconds of the completed calls."""
        return statistics.median(self.times) if self.times else None


def _child(conn: Any, adapter: Adapter, arrays: tuple[np.ndarray, ...], repeats: int,
           budget: float) -> None:
    warnings.simplefilter("ignore")  # peers can warn once per pivot
    try:
        native = adapter.prepare(arrays)
        conn.send(("ready", None))
        spent = 0.0
        for k in range(repeats):
            start = time.perf_counter()
            raw = adapter.call(native)
            elapsed = time.perf_counter() - start
            spent += elapsed
            if k == 0:
                profiles = adapter.profiles(raw, native)
                info = adapter.info(raw) if adapter.info else ""
                conn.send(("first", (elapsed, profiles, info)))
            else:
                conn.send(("time", elapsed))
            if spent >= budget:
                break
        conn.send(("done", None))
    except BaseException as exc:  # report everything, the parent decides
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        conn.send(("error", last[:300]))
    finally:
        conn.close()


def measure(adapter: Adapter, arrays: tuple[np.ndarray, ...], *, repeats: int, timeout: float,
            budget: float) -> Measurement:
    """Time ``adapter`` on a game, median of up to ``repeats`` calls.

    Parameters
    ----------
    adapter
        The implementation.
    arrays
        Payoff arrays of the game.
    repeats
        Maximum number of timed calls.
    timeout
        Seconds allowed for preparing the game and for each call; the child
        is killed when a call exceeds it.
    budget
        No further repeat starts once the calls so far took this many seconds.
    """
    reason = adapter.unavailable()
    if reason:
        return Measurement("unavailable", message=reason)
    ctx = mp.get_context("fork")
    parent_conn, child_conn = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child_conn, adapter, arrays, repeats, budget),
                       daemon=True)
    proc.start()
    child_conn.close()
    out = Measurement("ok")
    try:
        while True:
            if not parent_conn.poll(timeout + 1.0):
                out.status = "timeout"
                out.message = f"timeout (>{timeout:g} s)"
                break
            try:
                kind, payload = parent_conn.recv()
            except EOFError:
                out.status = "error"
                out.message = f"process died (exit code {proc.exitcode})"
                break
            if kind == "first":
                elapsed, out.profiles, out.info = payload
                out.times.append(elapsed)
            elif kind == "time":
                out.times.append(payload)
            elif kind == "error":
                out.status, out.message = "error", payload
                break
            elif kind == "done":
                break
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        parent_conn.close()
    if out.status == "timeout" and out.times:
        # a later repeat hung: keep the completed calls but say so
        out.status = "ok"
        out.info = (out.info + "; " if out.info else "") + f"a repeat exceeded {timeout:g} s"
    return out


def time_process(cmd: Sequence[str], *, repeats: int, timeout: float, cwd: str | None = None,
                 budget: float = 20.0) -> tuple[Measurement, list[str]]:
    """Time a whole process, median of up to ``repeats`` runs.

    Returns the measurement and the standard output of each completed run.
    A run with a non-zero exit code is an error.
    """
    out = Measurement("ok")
    outputs: list[str] = []
    spent = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            proc = subprocess.run(list(cmd), cwd=cwd, capture_output=True, text=True,
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            out.status, out.message = "timeout", f"timeout (>{timeout:g} s)"
            break
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            err = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            out.status, out.message = "error", f"exit code {proc.returncode}: {err[:200]}"
            break
        out.times.append(elapsed)
        outputs.append(proc.stdout)
        spent += elapsed
        if spent >= budget:
            break
    if out.status != "ok" and out.times:
        out.status = "ok"
    return out, outputs
