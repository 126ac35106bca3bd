"""Whole-process measurements of the sweep group.

* :func:`run_measured`: one command in a child process, its wall time and its
  peak resident set size (``ru_maxrss`` of that child alone, from ``os.wait4``);
* :func:`check_pure_csv`: the pure equilibria in a sweep's CSV file against
  the hand-written numpy computation, chunk by chunk;
* :class:`CpuMeter`: CPU time used by *other* processes while we measured
  (the machine's busy time from ``/proc/stat`` minus ours), so that a parallel
  speed-up can be read against the load it ran under.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .sweep_peers import bare_pure_equilibria

#: Arguments ``LIMIT OUT ERR CMD...``: runs CMD with stdout to OUT and stderr to ERR, waits
#: at most LIMIT seconds and prints ``seconds maxrss_kb exit_code timed_out``.  It imports
#: nothing heavy: its own resident size is what the measured process starts from (a
#: forked child's ``ru_maxrss`` includes the memory of the process it was forked from).
LAUNCHER = """
import os, signal, subprocess, sys, time
limit, out, err, cmd = float(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
with open(out, "wb") as fo, open(err, "wb") as fe:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=fo, stderr=fe)
    late = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - start > limit:
            os.kill(proc.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(proc.pid, 0)
            late = True
            break
        time.sleep(0.02)
    seconds = time.perf_counter() - start
print(seconds, usage.ru_maxrss, os.waitstatus_to_exitcode(status), int(late))
"""


def run_measured(cmd: Sequence[str], *, cwd: str, timeout: float) -> dict[str, Any]:
    """Run ``cmd``; returns seconds, peak RSS (MB), exit code and output tails.

    The command runs under a small launcher process (:data:`LAUNCHER`), which
    takes its ``ru_maxrss`` from ``os.wait4`` on its pid: the peak of that
    process alone, not of this (large) benchmark process it would otherwise be
    forked from.
    """
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp) / "stdout", Path(tmp) / "stderr"
        launcher = [sys.executable, "-S", "-c", LAUNCHER, str(timeout), str(out), str(err)]
        try:
            proc = subprocess.run(launcher + list(cmd), cwd=cwd, capture_output=True,
                                  text=True, timeout=timeout + 30.0, check=False)
            seconds, maxrss, code, late = proc.stdout.split()
        except (subprocess.TimeoutExpired, ValueError):
            return {"seconds": float("nan"), "peak_rss_mb": float("nan"), "code": -1,
                    "timeout": False, "stdout": "",
                    "stderr_tail": "the measuring launcher failed"}
        stdout = out.read_text(encoding="utf-8", errors="replace")
        stderr = err.read_text(encoding="utf-8", errors="replace")
    scale = 2**20 if sys.platform == "darwin" else 2**10
    return {"seconds": float(seconds), "peak_rss_mb": int(maxrss) / scale, "code": int(code),
            "timeout": bool(int(late)), "stdout": stdout,
            "stderr_tail": (stderr.strip().splitlines() or [""])[-1][:200]}


def check_pure_csv(path: Path, base: np.ndarray, slope: np.ndarray, grid: np.ndarray,
                   block: int = 100_000) -> tuple[int, list[str]]:
    """Rows of a pure sweep's CSV file against :func:`bare_pure_equilibria`, in order.

    Returns the number of rows and the problems found (empty: every row is the
    equilibrium the numpy computation finds at that grid value, none missing).
    """
    n = base.shape[0]
    sizes = base.shape[1:]
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    prob_cols = [j for j, h in enumerate(header)
                 if ":" in h and not h.startswith("payoff:")]
    if len(prob_cols) != sum(sizes):
        return 0, [f"{len(prob_cols)} probability columns, expected {sum(sizes)}"]
    data = np.loadtxt(path, delimiter=",", skiprows=1, usecols=[0, *prob_cols], ndmin=2)
    theta, probs = data[:, 0], data[:, 1:]
    problems = []
    point = np.searchsorted(grid, theta)
    point = np.minimum(point, len(grid) - 1)
    if not np.array_equal(grid[point], theta):
        problems.append("grid values in the file differ from the grid")
    if not np.all(np.isin(probs, (0.0, 1.0))):
        problems.append("probabilities other than 0 and 1")
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    got = np.stack([point] + [np.argmax(probs[:, o:o + m], axis=1)
                              for o, m in zip(offsets, sizes)], axis=1)
    parts = []
    bf, sf = base.astype(float), slope.astype(float)
    for b0 in range(0, len(grid), block):
        hits = bare_pure_equilibria(bf, sf, grid[b0:b0 + block])
        parts.append(np.stack([hits[0] + b0, *hits[1:]], axis=1))
    want = np.concatenate(parts) if parts else np.zeros((0, n + 1), np.int64)
    if len(got) != len(want):
        problems.append(f"{len(got):,} rows, numpy finds {len(want):,} equilibria")
    elif not np.array_equal(got, want):
        bad = int(np.sum(np.any(got != want, axis=1)))
        problems.append(f"{bad:,} rows differ from the numpy equilibria")
    return len(got), problems


class CpuMeter:
    """CPU seconds used by other processes between :meth:`start` and :meth:`stop`.

    Other = the machine's busy time (``/proc/stat``: user, nice, system, irq,
    softirq, steal) minus this process's and its reaped children's CPU time.
    ``None`` where ``/proc/stat`` is missing.
    """

    def __init__(self) -> None:
        self.wall = 0.0
        self.other: float | None = 0.0
        self._t0 = 0.0
        self._busy0: float | None = None
        self._ours0 = 0.0

    @staticmethod
    def _busy() -> float | None:
        try:
            with open("/proc/stat", encoding="ascii") as fh:
                fields = fh.readline().split()
        except OSError:
            return None
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[1:9])
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _ours() -> float:
        total = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            ru = resource.getrusage(who)
            total += ru.ru_utime + ru.ru_stime
        return total

    def start(self) -> None:
        """Begin a measured interval."""
        self._t0 = time.perf_counter()
        self._busy0 = self._busy()
        self._ours0 = self._ours()

    def stop(self) -> None:
        """End the interval and add it to the totals."""
        busy = self._busy()
        self.wall += time.perf_counter() - self._t0
        if busy is None or self._busy0 is None or self.other is None:
            self.other = None
            return
        self.other += max(0.0, (busy - self._busy0) - (self._ours() - self._ours0))

    @property
    def cores(self) -> float | None:
        """Average number of cores other processes kept busy."""
        if self.other is None or self.wall <= 0:
            return None
        return self.other / self.wall
