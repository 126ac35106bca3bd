"""The parameter-sweep benchmark group (issue 5's targets), side by side with the peers.

``run(quick, timeout, log)`` times, on games whose payoffs are affine in one
parameter (seeded random integers, :func:`benchmarks.sweep_peers.affine_game`):

1. every pure equilibrium at 10,000 points of a 4-player 3x3x3x3 game: our
   ``sweep`` against a bare numpy computation on the same arrays and against
   pygambit's ``enumpure_solve`` called at each point (on a subsample of the
   points, extrapolated linearly);
2. every equilibrium at 1,000 points of a 2-player 3x3 game against pygambit's
   ``enummixed_solve`` called at each point;
3. ``gametheory sweep MODEL --out FILE.csv`` on 1,000,000 points in a child
   process: its peak memory, and the file checked row by row;
4. the process backend (2 workers) against serial on 10,000-point mixed
   sweeps, calls interleaved, results compared bit for bit, with the CPU time
   other processes used meanwhile.

It returns a :class:`~benchmarks.group_report.GroupReport`.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import sweep_peers as sp
from .group_report import GroupReport
from .harness import Measurement, measure
from .peers import Adapter
from .sweep_process import CpuMeter, check_pure_csv, run_measured
from .tree_report import TreeRow, seconds, set_ratios, table

KEY = "sweeps"
TITLE = "Parameter sweeps: vectorised kernels, streaming to CSV, process backend"
ROOT = Path(__file__).resolve().parent.parent
BUDGET = 3.0  # seconds of timed calls after which no further repeat starts

#: Seeds of the games (fixed: a case is reproducible from its shape and seed).
SEED_PURE, SEED_MIXED, SEED_CLI, SEED_PROC = 1, 11, 5, 11
#: Interleaved rounds (serial, processes) of the process-backend comparison.
ROUNDS, ROUNDS_QUICK = 7, 2

Log = Callable[[str], None]
Target = tuple[str, str, bool | None]


def _warm(adapters: list[Adapter], case: sp.SweepCase, notes: dict[str, str]) -> None:
    """Solve a tiny grid with each adapter in this process; note how each is called."""
    for a in adapters:
        notes.setdefault(a.name, a.note)
        if a.unavailable() is None:
            a.warm(case)  # type: ignore[arg-type]


def _measure_rows(case: sp.SweepCase, adapters: list[Adapter], *, repeats: int,
                  timeout: float, log: Log) -> list[TreeRow]:
    rows = []
    for a in adapters:
        log(f"  sweeps {case.size}: {a.name}")
        m = measure(a, case, repeats=repeats, timeout=timeout, budget=BUDGET)  # type: ignore[arg-type]
        rows.append(TreeRow(case.size, a.name, a.is_ours, m))
    return rows


def _log_rows(rows: list[TreeRow], log: Log) -> None:
    log("    " + ", ".join(
        f"{r.name}=" + (f"{r.median * 1e3:.1f} ms" if r.median else r.measurement.status)
        + (f" [{'; '.join(r.problems)}]" if r.problems else "") for r in rows))


def _out(row: TreeRow) -> dict[str, Any] | None:
    """The comparable output of a row's first call."""
    m = row.measurement
    return m.profiles[0] if m.status == "ok" and m.profiles else None


def _ours_facts(row: TreeRow) -> None:
    out = _out(row)
    if out is not None:
        row.results = out["rows"]
        row.regret = out["regret"]


def _sorted_rows(a: np.ndarray) -> np.ndarray:
    return a[np.lexsort(a.T[::-1])] if len(a) else a


def _extrapolate(row: TreeRow, factor: float, sampled: int, total: int) -> None:
    """Scale a per-point loop timed on ``sampled`` of ``total`` points to all of them."""
    m = row.measurement
    if m.status != "ok" or factor == 1:
        return
    row.facts.append(f"timed on {sampled:,} of the {total:,} points (every "
                     f"{total // sampled}th), median {seconds(m.median)}; shown × {factor:g}")
    row.measurement = Measurement(m.status, [t * factor for t in m.times], m.profiles,
                                  m.message, m.info)


def _solve_only(row: TreeRow, factor: float) -> float | None:
    out = _out(row)
    return None if out is None else out["solve"] * factor


def _ratio_text(num: float | None, den: float | None) -> str:
    return "—" if not num or not den else f"{num / den:,.1f}×"


# ---------------------------------------------------------------------- pure sweep
def pure_sweep(quick: bool, timeout: float, repeats: int, log: Log,
               notes: dict[str, str]) -> tuple[list[str], list[Target]]:
    """All pure equilibria of a 4-player 3x3x3x3 game over a grid."""
    n_points, stride = (1_000, 20) if quick else (10_000, 10)
    model, base, slope = sp.affine_game(SEED_PURE, (3, 3, 3, 3))
    grid = np.linspace(-2.0, 2.0, n_points)
    case = sp.SweepCase(f"4 players 3x3x3x3, {n_points:,} points", model, base, slope, grid,
                        np.arange(0, n_points, stride), {"method": "pure"})
    ours = sp.ours_sweep("ours: sweep(method='pure')",
                         "`gt.sweep(model, {'theta': grid}, method='pure')`: from the model "
                         "(payoffs evaluated from the symbolic game) to the in-memory table "
                         "of rows with probabilities, payoffs, regrets, support labels and "
                         "branches", keep=("pure",))
    bare, gb = sp.bare_numpy_pure(), sp.gambit_enumpure_loop()
    _warm([ours, bare, gb], case.with_grid(np.linspace(-2.0, 2.0, 5), "tiny"), notes)
    rows = _measure_rows(case, [ours, bare, gb], repeats=repeats, timeout=timeout, log=log)
    factor = n_points / len(case.sampled)
    _extrapolate(rows[2], factor, len(case.sampled), n_points)
    _ours_facts(rows[0])
    mine, theirs, peer = (_out(r) for r in rows)
    if mine is not None and theirs is not None:
        rows[1].results = theirs["rows"]
        if np.array_equal(_sorted_rows(mine["pure"]), _sorted_rows(theirs["pure"])):
            rows[1].facts.append("same equilibria as ours at every point")
        else:
            rows[0].problems.append("equilibria differ from the bare numpy ones")
    if mine is not None and peer is not None:
        rows[2].results = peer["rows"]
        at = np.isin(mine["pure"][:, 0], case.sampled)
        if np.array_equal(_sorted_rows(mine["pure"][at]), _sorted_rows(peer["pure"])):
            rows[2].facts.append(f"same equilibria as ours at the {len(case.sampled):,} points")
        else:
            rows[0].problems.append("equilibria differ from pygambit's at sampled points")
    set_ratios(rows)
    _log_rows(rows, log)
    t0, tb, tg = rows[0].median, rows[1].median, rows[2].median
    ts = _solve_only(rows[2], factor)
    ok = rows[0].ok and mine is not None
    label = " (quick run: 1,000 points)" if quick else ""
    targets = [
        ("Pure-equilibrium sweep, 4 players 3x3x3x3, 10,000 points: within 2× of a bare "
         "numpy computation on the same arrays",
         f"ours {seconds(t0)}, bare numpy {seconds(tb)} (ours / bare = "
         + (f"{t0 / tb:.2f})" if t0 and tb else "—)") + label,
         None if quick or not (t0 and tb) else bool(ok and t0 <= 2 * tb)),
        ("Pure-equilibrium sweep, 4 players 3x3x3x3, 10,000 points: ≥ 100× faster than "
         "calling pygambit enumpure_solve at each point",
         f"pygambit loop {seconds(tg)} (extrapolated from {len(case.sampled):,} points; "
         f"÷ ours = {_ratio_text(tg, t0)}); its solver calls alone {seconds(ts)} "
         f"(÷ ours = {_ratio_text(ts, t0)})" + label,
         None if quick or not (t0 and tg) else bool(ok and tg >= 100 * t0)),
    ]
    md = ["### All pure equilibria, 4 players", "",
          f"A 4-player game with 3 strategies each, payoffs `base + slope * theta` with "
          f"integers base in [-5, 5] and slope in [-3, 3] (seed {SEED_PURE}), at "
          f"{n_points:,} evenly spaced values of theta in [-2, 2]. pygambit is called at "
          f"every {stride}th point and its time multiplied by {factor:g}; the equilibria of "
          "every implementation are compared with ours (all points for the bare "
          "computation, the visited points for pygambit).", "",
          table(rows, "ours"), ""]
    return md, targets


# ---------------------------------------------------------------------- mixed sweep
def mixed_sweep(quick: bool, timeout: float, repeats: int, log: Log,
                notes: dict[str, str]) -> tuple[list[str], list[Target]]:
    """All equilibria of a 2-player 3x3 game over a grid."""
    n_points = 200 if quick else 1_000
    model, base, slope = sp.affine_game(SEED_MIXED, (3, 3))
    case = sp.SweepCase(f"2 players 3x3, {n_points:,} points", model, base, slope,
                        np.linspace(-2.0, 2.0, n_points))
    ours = sp.ours_sweep("ours: sweep (auto: all equilibria)",
                         "`gt.sweep(model, {'theta': grid})`: method auto, i.e. support "
                         "enumeration vectorised over the points, degenerate points re-solved "
                         "one by one with vertex enumeration", keep=("mixed",))
    gb = sp.gambit_enummixed_loop()
    _warm([ours, gb], case.with_grid(np.linspace(-2.0, 2.0, 5), "tiny"), notes)
    rows = _measure_rows(case, [ours, gb], repeats=repeats, timeout=timeout, log=log)
    _ours_facts(rows[0])
    mine, peer = _out(rows[0]), _out(rows[1])
    if mine is not None and peer is not None:
        rows[1].results = peer["rows"]
        empty = np.zeros((0, 6))
        bad = [k for k in range(n_points)
               if not sp.same_sets(mine["mixed"].get(k, empty), peer["mixed"].get(k, empty))]
        if bad:
            rows[0].problems.append(f"equilibrium sets differ from pygambit's at {len(bad)} "
                                    f"of {n_points:,} points (first at theta = "
                                    f"{case.grid[bad[0]]:.6g})")
        else:
            rows[1].facts.append(f"same equilibrium sets as ours at all {n_points:,} points "
                                 f"(within {sp.MATCH_TOL:g})")
    set_ratios(rows)
    _log_rows(rows, log)
    t0, tg = rows[0].median, rows[1].median
    ts = _solve_only(rows[1], 1.0)
    label = " (quick run: 200 points)" if quick else ""
    target = ("Mixed sweep, 2 players 3x3, 1,000 points, all equilibria at each point: ≥ 10× "
              "faster than looping pygambit enummixed_solve(rational=False)",
              f"ours {seconds(t0)}, pygambit loop {seconds(tg)} (÷ ours = "
              f"{_ratio_text(tg, t0)}); its solver calls alone {seconds(ts)} (÷ ours = "
              f"{_ratio_text(ts, t0)})" + label,
              None if quick or not (t0 and tg) else bool(rows[0].ok and tg >= 10 * t0))
    md = ["### All equilibria, 2 players", "",
          f"A 3x3 bimatrix game, payoffs `base + slope * theta` as above (seed {SEED_MIXED}), "
          f"at {n_points:,} evenly spaced values of theta in [-2, 2]; pygambit is called at "
          "every point, and the equilibrium set at every point is compared with ours.", "",
          table(rows, "ours"), ""]
    return md, [target]


# ---------------------------------------------------------------------- CLI streaming
def cli_stream(quick: bool, timeout: float, tmp: Path, log: Log) -> tuple[list[str],
                                                                            list[Target]]:
    """Peak memory of a million-point pure sweep written to CSV by the command line."""
    import gametheory as gt

    n_points = 20_000 if quick else 1_000_000
    model, base, slope = sp.affine_game(SEED_CLI, (2, 2, 2))
    path = tmp / "affine_game.yaml"
    gt.save(model, path)
    limit = max(4 * timeout, 120.0)
    lines = ["| grid points | wall time | peak RSS | CSV rows | CSV size | check |",
             "|---|---|---|---|---|---|"]
    results = {}
    for points in (1_000, n_points):
        out = tmp / f"sweep_{points}.csv"
        cmd = [sys.executable, "-m", "gametheory", "sweep", str(path), "--param",
               f"theta=-2:2:{points}", "--method", "pure", "--out", str(out)]
        log(f"  sweeps CLI: {points:,} points")
        run = run_measured(cmd, cwd=str(ROOT), timeout=limit)
        problems = []
        count = 0
        if run["timeout"]:
            problems.append(f"timeout (>{limit:g} s)")
        elif run["code"] != 0:
            problems.append(f"exit code {run['code']}: {run['stderr_tail']}")
        else:
            count, problems = check_pure_csv(out, base, slope, np.linspace(-2, 2, points))
        size = out.stat().st_size / 1e6 if out.exists() else 0.0
        run.update(rows=count, problems=problems, size=size)
        results[points] = run
        check = "; ".join(problems) or "every row is the equilibrium numpy finds at its point"
        lines.append(f"| {points:,} | {run['seconds']:.2f} s | {run['peak_rss_mb']:,.0f} MB | "
                     f"{count:,} | {size:,.1f} MB | {check} |")
        log(f"    {run['seconds']:.2f} s, peak RSS {run['peak_rss_mb']:,.0f} MB, {count:,} rows"
            + (f" [{'; '.join(problems)}]" if problems else ""))
        if out.exists():
            out.unlink()
    big, small = results[n_points], results[1_000]
    ok = not big["problems"] and not big["timeout"] and big["code"] == 0
    measured = (f"{n_points:,} points: peak RSS {big['peak_rss_mb']:,.0f} MB "
                f"({small['peak_rss_mb']:,.0f} MB for 1,000 points), {big['seconds']:.1f} s, "
                f"{big['rows']:,} rows ({big['size']:,.0f} MB of CSV)"
                + ("" if ok else f"; {'; '.join(big['problems']) or 'failed'}")
                + (" (quick run: 20,000 points)" if quick else ""))
    target = ("CLI pure-equilibrium sweep of 1,000,000 points, `gametheory sweep MODEL --param "
              "theta=-2:2:1000000 --method pure --out FILE.csv`, streamed in chunks: peak "
              "memory < 1 GB",
              measured, None if quick else bool(ok and big["peak_rss_mb"] < 1024))
    md = ["### Streaming a sweep to CSV (command line)", "",
          f"A 3-player 2x2x2 game, payoffs `base + slope * theta` (seed {SEED_CLI}), written "
          "to a model file; `gametheory sweep` runs in a child process, timed from start to "
          "exit (Python start-up and imports included); peak memory is that process's "
          "`ru_maxrss` (from `os.wait4`). The file is then read back and every row compared "
          "with the bare numpy pure equilibria at its grid value (all points).", "",
          *lines, ""]
    return md, [target]


# ---------------------------------------------------------------------- process backend
def _interleaved(case: sp.SweepCase, adapters: list[Adapter], rounds: int, timeout: float,
                 log: Log) -> tuple[list[TreeRow], list[list[tuple[float | None, float | None]]]]:
    """One call of each adapter per round, in turn, each in its own forked process.

    Returns the rows and, per round, ``(seconds, other processes' cores)`` of each call.
    """
    first: list[Measurement | None] = [None] * len(adapters)
    per_round: list[list[tuple[float | None, float | None]]] = []
    for r in range(rounds):
        calls = []
        for k, a in enumerate(adapters):
            log(f"  sweeps {case.size} round {r + 1}: {a.name}")
            meter = CpuMeter()
            meter.start()
            m = measure(a, case, repeats=1, timeout=timeout, budget=BUDGET)  # type: ignore[arg-type]
            meter.stop()
            calls.append((m.times[0] if m.times else None, meter.cores))
            if first[k] is None or (first[k].status != "ok" and m.status == "ok"):
                first[k] = m
        per_round.append(calls)
    rows = []
    for k, (a, m) in enumerate(zip(adapters, first)):
        assert m is not None
        ts = [c[k][0] for c in per_round if c[k][0] is not None]
        meas = Measurement("ok" if ts else m.status, ts, m.profiles, m.message, m.info)  # type: ignore[arg-type]
        rows.append(TreeRow(case.size, a.name, a.is_ours, meas))
    return rows, per_round


def _round_lines(rows: list[TreeRow],
                 per_round: list[list[tuple[float | None, float | None]]]) -> list[str]:
    """Per round: each call's time and the other processes' load meanwhile."""
    out = []
    for r, calls in enumerate(per_round):
        parts = []
        for row, (t, cores) in zip(rows, calls):
            load = "—" if cores is None else f"{cores:.2f}"
            parts.append(f"{row.name.removeprefix('ours: sweep, ')} {seconds(t)} (other load "
                         f"{load})")
        base, other = calls[0][0], calls[1][0]
        speed = f"; speed-up {base / other:.2f}×" if base and other else ""
        out.append(f"- round {r + 1}: " + ", ".join(parts) + speed)
    return out


def _other_load(per_round: list[list[tuple[float | None, float | None]]]) -> float | None:
    """Mean load of other processes over every call, weighted by the calls' times."""
    pairs = [(t, c) for calls in per_round for t, c in calls if t and c is not None]
    total = sum(t for t, _ in pairs)
    return sum(t * c for t, c in pairs) / total if total else None


def process_backend(quick: bool, timeout: float, log: Log,
                    notes: dict[str, str]) -> tuple[list[str], list[Target]]:
    """Serial against the process backend (2 workers), interleaved calls."""
    n_points = 2_000 if quick else 10_000
    rounds = ROUNDS_QUICK if quick else ROUNDS
    serial = sp.ours_sweep("ours: sweep, serial", "`gt.sweep(model, {'theta': grid})`")
    procs = sp.ours_sweep("ours: sweep, processes (2 workers)",
                          "`gt.sweep(model, {'theta': grid}, backend='processes', workers=2)`",
                          backend="processes", workers=2)
    old = sp.ours_sweep("ours: sweep, processes, chunks of 2,000",
                        "the same with `chunk_size=2000` (the serial default), for comparison",
                        backend="processes", workers=2, chunk_size=2000)
    from gametheory.analysis.sweep import default_chunk_size

    model0 = sp.affine_game(SEED_PROC, (2, 2))[0]
    pool_chunk = default_chunk_size("batched-support", model0.game, n_points, 2)
    md = ["### Process backend against serial", "",
          f"Two-player games, payoffs `base + slope * theta` (seed {SEED_PROC}), all "
          f"equilibria (method auto: support enumeration vectorised over points) at "
          f"{n_points:,} values of theta in [-2, 2]. Calls are interleaved (serial, "
          f"processes, ...; {rounds} rounds), each in a fresh forked process, the pool's "
          "start-up included; results are compared bit for bit (every output array). By "
          "default a pool gets chunks of a quarter of a worker's share of the points, at "
          f"least 500 ({pool_chunk:,} points here); the row with chunks of 2,000 points (the "
          "serial chunk size: 5 chunks for 2 workers) shows what load balance is worth. "
          "The load of other "
          "processes (CPU time they used during each call, from `/proc/stat`, in cores) is "
          "listed per round: a parallel speed-up needs the second core to be free.", ""]
    rows_all: list[TreeRow] = []
    rounds_md: list[str] = []
    targets: list[Target] = []
    for shape, with_old in (((4, 4), not quick), ((3, 3), False)):
        model, base, slope = sp.affine_game(SEED_PROC, shape)
        case = sp.SweepCase(f"2 players {shape[0]}x{shape[1]}, {n_points:,} points", model,
                            base, slope, np.linspace(-2.0, 2.0, n_points))
        impls = [serial, procs] + ([old] if with_old else [])
        _warm(impls, case.with_grid(np.linspace(-2.0, 2.0, 5), "tiny"), notes)
        rows, per_round = _interleaved(case, impls, rounds, timeout, log)
        for r in rows:
            _ours_facts(r)
        ref = _out(rows[0])
        for r in rows[1:]:
            out = _out(r)
            if ref is None or out is None:
                continue
            if out["digest"] == ref["digest"]:
                r.facts.append("bit-identical to serial")
            else:
                r.problems.append("results differ from serial")
        set_ratios(rows)
        for r in rows[1:]:
            if r.ratio:
                r.facts.append(f"speed-up {1 / r.ratio:.2f}×")
        cores = _other_load(per_round)
        rows[0].facts.append("other load " + ("—" if cores is None else f"{cores:.2f} cores")
                             + " on average")
        _log_rows(rows, log)
        rows_all += rows
        rounds_md += [f"{case.size}:", "", *_round_lines(rows, per_round), ""]
        if shape == (4, 4):
            ts, tp = rows[0].median, rows[1].median
            speed = ts / tp if ts and tp else None
            targets.append((
                "Process backend on 2 cores: ≥ 1.6× faster than serial on a 10,000-point "
                "mixed sweep (2 players 4x4, all equilibria), results bit-identical",
                f"serial {seconds(ts)}, processes {seconds(tp)} (medians of {rounds} "
                "interleaved rounds): " + (f"{speed:.2f}×" if speed else "—")
                + ("" if rows[1].ok else f" [{'; '.join(rows[1].problems)}]")
                + f"; other processes kept {'—' if cores is None else f'{cores:.2f}'} of "
                f"{os.cpu_count()} cores busy meanwhile"
                + (" (quick run: 2,000 points)" if quick else ""),
                None if quick or speed is None else bool(speed >= 1.6 and rows[1].ok)))
    md += [table(rows_all, "serial"), "", "Each round:", "", *rounds_md]
    return md, targets


# ---------------------------------------------------------------------- entry point
def run(quick: bool, timeout: float, log: Log) -> GroupReport:
    """Run the group; ``timeout`` is the limit per timed call (seconds)."""
    import warnings

    warnings.simplefilter("ignore")
    repeats = 3 if quick else 5
    load0 = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    md: list[str] = []
    targets: list[Target] = []
    notes: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        for part in (lambda: pure_sweep(quick, timeout, repeats, log, notes),
                     lambda: mixed_sweep(quick, timeout, repeats, log, notes),
                     lambda: cli_stream(quick, timeout, Path(tmpdir), log),
                     lambda: process_backend(quick, timeout, log, notes)):
            lines, tgt = part()
            md += lines
            targets += tgt
    load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    loads = ("" if load0 is None or load1 is None
             else f" Load average (1 min) {load0:.2f} when the group started, "
                  f"{load1:.2f} when it ended.")
    head = ["Task: issue 5's targets for parameter sweeps, each implementation timed on the "
            "same seeded games in forked processes (one warm-up call on a 5-point grid first, "
            "which also builds our model's payoff evaluator; every call has the timeout, a "
            "call that exceeds it is killed). Reported: the median of up to "
            f"{repeats} calls (fewer once they took {BUDGET:g} s); `time / ours` is the median "
            "divided by our first row's on the same game. Timed: the whole sweep from the "
            "grid to the equilibria at every point (for the per-point peer loops, building "
            "each point's game included; the solver calls alone are given beside)." + loads,
            ""]
    md += ["How each implementation is called:", ""] + [f"- {k}: {v}" for k, v in notes.items()]
    return GroupReport(KEY, TITLE, "\n".join(head + md).rstrip() + "\n", targets)
