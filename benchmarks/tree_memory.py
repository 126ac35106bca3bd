"""Time and peak memory of backward induction on a large tree, each run in a fresh process.

``python -m benchmarks.tree_memory ARRAYS.npz IMPLEMENTATION`` loads the
arrays (``parent``, ``mover``, ``payoffs``, ``chance_probs``), solves a tiny
tree once (imports), notes the resident set size (``/proc/self/statm``, or
the peak so far where that is missing), then times one solve from the arrays
and reports, as one JSON line: the seconds, the peak resident set size
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) and its growth over the size
before the solve.  :func:`run_fresh` runs it in a subprocess with a timeout.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

IMPLEMENTATIONS = ("ours", "numpy")


def _rss_mb() -> float:
    """Current resident set size in MB (the peak so far where /proc is missing)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return _peak_mb()


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def _solve(impl: str, arrays: dict[str, np.ndarray]) -> Any:
    if impl == "ours":
        import gametheory as gt
        from gametheory.games.extensive import ExtensiveFormGame

        game = ExtensiveFormGame.from_arrays(arrays["parent"], arrays["mover"],
                                             arrays["payoffs"], arrays["chance_probs"])
        res = gt.solve(game, "backward-induction")
        eq = res.equilibria[0] if res.equilibria else None
        return {"status": res.status, "equilibria": len(res.equilibria),
                "root": list(eq.payoff_values) if eq else None,
                "regret": eq.regret if eq else None}
    from .tree_peers import numpy_backward_induction

    root, _ = numpy_backward_induction(arrays["parent"], arrays["mover"], arrays["payoffs"],
                                       arrays["chance_probs"])
    return {"status": "ok", "equilibria": 1, "root": root.tolist(), "regret": None}


def main(argv: list[str]) -> int:
    """Entry point of the child process; prints one JSON object."""
    path, impl = argv
    with np.load(path) as data:
        arrays = {k: np.ascontiguousarray(data[k]) for k in data.files}
    from .tree_games import random_pi_arrays

    tiny = random_pi_arrays(50, 0)
    _solve(impl, {"parent": tiny.parent, "mover": tiny.mover, "payoffs": tiny.payoffs,
                  "chance_probs": tiny.chance_probs})
    before = _rss_mb()
    start = time.perf_counter()
    out = _solve(impl, arrays)
    seconds = time.perf_counter() - start
    peak = _peak_mb()
    out.update(seconds=seconds, rss_before_mb=before, peak_rss_mb=peak,
               growth_mb=peak - before)
    print(json.dumps(out))
    return 0


def run_fresh(path: str, impl: str, timeout: float, root: Path) -> dict[str, Any]:
    """One run of :func:`main` in a new Python process (``{"error": ...}`` on failure)."""
    cmd = [sys.executable, "-m", "benchmarks.tree_memory", path, impl]
    try:
        proc = subprocess.run(cmd, cwd=str(root), capture_output=True, text=True,
                              timeout=timeout + 30.0, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout (>{timeout:g} s)"}
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        return {"error": f"exit code {proc.returncode}: {last[:200]}"}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if out["seconds"] > timeout:
        out["error"] = f"took {out['seconds']:.1f} s (> {timeout:g} s)"
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
