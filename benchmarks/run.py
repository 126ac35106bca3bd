"""Run the benchmark suite and write ``docs/benchmarks.md``.

Usage::

    python -m benchmarks                       # full run, writes docs/benchmarks.md
    python -m benchmarks --quick               # smoke run, prints the report only
    python -m benchmarks --only lemke-howson --timeout 10
    python benchmarks/run.py --out /tmp/bench.md

Every implementation (ours and the peers) is timed in a forked process on the
same seeded game after one warm-up call on a tiny game in the runner process;
each call has a hard timeout, and every output is checked by our regret.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python benchmarks/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.cases import CLI_GROUP, GROUPS, instances
from benchmarks.checks import Row, check_rows
from benchmarks.cli_cases import CliRow, run_cli_group
from benchmarks.group_report import GroupReport
from benchmarks.harness import Measurement, measure
from benchmarks.peers import Adapter, ours, peer
from benchmarks.report import (
    Results,
    cli_table,
    group_table,
    machine_lines,
    notes_block,
    targets,
    targets_table,
    verdict,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = "docs/benchmarks.md"
DEFAULT_TIMEOUT = 30.0
#: Self-contained groups: ``--only`` key -> module exposing ``run(quick, timeout, log)``
#: returning a :class:`~benchmarks.group_report.GroupReport` (skipped when the module is
#: missing).
MODULE_GROUPS = {"trees": "benchmarks.tree_cases", "sweeps": "benchmarks.sweep_cases"}
ALL_GROUPS = [*GROUPS, CLI_GROUP, *MODULE_GROUPS]

#: Options passed to our methods in the benchmark (none: each method's defaults).
OUR_OPTIONS: dict[str, dict[str, object]] = {}


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options of the runner."""
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="smoke run: smaller sizes, 3 repeats, 10 s timeout; writes no file "
                        "unless --out is given")
    p.add_argument("--only", action="append", choices=ALL_GROUPS, metavar="GROUP",
                   help=f"run only this group (repeatable): {', '.join(ALL_GROUPS)}")
    p.add_argument("--out", default=None,
                   help=f"Markdown file to write (default {DEFAULT_OUT}; '-' for stdout only)")
    p.add_argument("--timeout", type=float, default=None,
                   help=f"seconds allowed per call (default {DEFAULT_TIMEOUT:g}; 10 with --quick)")
    p.add_argument("--repeats", type=int, default=None,
                   help="timed calls per implementation, median reported "
                        "(default 5; 3 with --quick)")
    p.add_argument("--seeds", type=int, default=1, help="seeded games per size (default 1)")
    p.add_argument("--budget", type=float, default=3.0,
                   help="stop repeating once the calls so far took this many seconds (default 3)")
    args = p.parse_args(argv)
    if args.timeout is None:
        args.timeout = 10.0 if args.quick else DEFAULT_TIMEOUT
    if args.repeats is None:
        args.repeats = 3 if args.quick else 5
    if args.out is None:
        args.out = "-" if args.quick else DEFAULT_OUT
    return args


def command_line(args: argparse.Namespace) -> str:
    """The command that regenerates the report."""
    parts = ["python -m benchmarks"]
    if args.quick:
        parts.append("--quick")
    for g in args.only or []:
        parts.append(f"--only {g}")
    if args.timeout != (10.0 if args.quick else DEFAULT_TIMEOUT):
        parts.append(f"--timeout {args.timeout:g}")
    if args.repeats != (3 if args.quick else 5):
        parts.append(f"--repeats {args.repeats}")
    if args.seeds != 1:
        parts.append(f"--seeds {args.seeds}")
    if args.budget != 3.0:
        parts.append(f"--budget {args.budget:g}")
    if args.out not in ("-", DEFAULT_OUT if not args.quick else "-"):
        out = Path(args.out)
        parts.append(f"--out {out.name if out.is_absolute() else out}")
    return " ".join(parts)


def _summary(row: Row) -> str:
    m = row.measurement
    text = f"{row.name}=" + (f"{m.median * 1e3:.1f} ms" if m.median is not None else m.status)
    return text + (f" [{'; '.join(row.problems)}]" if row.problems else "")


def run_groups(args: argparse.Namespace, adapters: dict[str, Adapter]) -> Results:
    """Time and check every implementation on every game of the selected groups."""
    results: Results = {}
    for key, group in GROUPS.items():
        if args.only and key not in args.only:
            continue
        impls = [ours(m, OUR_OPTIONS.get(m)) for m in group.ours] + [peer(p) for p in group.peers]
        impls = [adapters.setdefault(f"{key}:{a.name}", a) for a in impls]
        warm = group.warm_arrays()
        for a in impls:
            if a.unavailable() is None:
                a.warm(warm)
        results[key] = []
        timed_out: dict[str, str] = {}  # implementation -> size where it timed out
        for inst in instances(group, quick=args.quick, seeds=args.seeds):
            rows = []
            for a in impls:
                where = timed_out.get(a.name)
                if where is not None and where != inst.size:
                    m = Measurement("timeout", message=f"skipped (timeout at {where})")
                else:
                    _log(f"  {key} {inst.size} seed {inst.seed}: {a.name}")
                    timeout = args.timeout * group.timeout_factor.get(a.name, 1.0)
                    m = measure(a, inst.arrays, repeats=args.repeats, timeout=timeout,
                                budget=args.budget)
                    if m.status == "timeout":
                        timed_out.setdefault(a.name, inst.size)
                rows.append(Row(a.name, a.is_ours, m))
            check_rows(inst.arrays, rows, group.compare_sets, expect_some=group.key != "pure")
            results[key].append((inst, rows))
            _log("    " + ", ".join(_summary(r) for r in rows))
    return results


def run_module_groups(args: argparse.Namespace) -> list[GroupReport]:
    """Run the selected self-contained groups (``trees``, ``sweeps``)."""
    reports = []
    for key, module in MODULE_GROUPS.items():
        if args.only and key not in args.only:
            continue
        if importlib.util.find_spec(module) is None:
            _log(f"group {key}: {module} is missing, skipped")
            continue
        _log(f"group {key}")
        reports.append(importlib.import_module(module).run(args.quick, args.timeout, _log))
    return reports


def all_targets(results: Results, cli_rows: list[CliRow],
                reports: list[GroupReport]) -> list[tuple[str, str, str]]:
    """Target rows of every group, verdicts as text."""
    rows = targets(results, cli_rows)
    for rep in reports:
        rows += [(t, m, verdict(ok)) for t, m, ok in rep.targets]
    return rows


def render(args: argparse.Namespace, results: Results, cli_rows: list[CliRow],
           adapters: dict[str, Adapter], seconds: float,
           reports: list[GroupReport] | None = None) -> str:
    """The whole Markdown report."""
    out = ["# Benchmarks", "",
           "Generated by the benchmark runner; do not edit by hand. Regenerate with:", "",
           "```", command_line(args), "```", "",
           "## Machine", "", *machine_lines(),
           f"- Run: {'quick smoke run' if args.quick else 'full run'}, per-call timeout "
           f"{args.timeout:g} s, up to {args.repeats} timed calls per implementation "
           f"(fewer once they took {args.budget:g} s), {args.seeds} seeded game(s) per size; "
           f"whole run {seconds:.0f} s"
           + (f"; load average when it started {args.load:.1f}" if args.load is not None else ""),
           "",
           "## Method", "",
           "- The groups with their own sections after the normal-form ones (game trees, "
           "sweeps) state their games, timing and checks there.",
           "- Games are seeded random games with integer payoffs (see `benchmarks/cases.py`); "
           "every implementation solves the same payoff arrays.",
           "- Each implementation first solves a tiny game once in the runner process "
           "(lazy imports, numba JIT); the timed calls then run in a forked process that "
           "inherits that state, so quantecon is timed warm. Its cold start (first call, "
           "compilation included) is listed under each group and measured as a whole "
           "process in the CLI group.",
           "- Timed: the solver call only (building each library's game object is not "
           "timed). Reported: the median of the timed calls; `time / ours` is the median "
           "divided by the median of our first method in the group (above 1: slower than ours).",
           "- Checked: the regret of every returned profile is computed by "
           "`NormalFormGame.regret` and compared with the game's tolerance "
           "(1e-9 × payoff range); where every implementation should find the same set "
           "(all equilibria, all pure equilibria), sets are compared with pygambit's output "
           "(probabilities within 1e-6), or with ours when pygambit did not finish.",
           "- A call that exceeds the timeout is killed and reported as a timeout; an "
           "implementation that timed out is not run on the larger games of its group. "
           "The reference set (pygambit enummixed_solve) gets 3× the timeout, and both "
           "sides of the zero-sum LP target (ours and bare linprog) 4×, so that they finish.",
           ""]
    reports = reports or []
    if results or cli_rows or reports:
        out += ["## Targets", "", targets_table(all_targets(results, cli_rows, reports)), ""]
    for key, res in results.items():
        group = GROUPS[key]
        out += [f"## {group.title}", "", f"Task: {group.task}.", "",
                group_table(group, res, args.seeds), "",
                notes_block({k: a for k, a in adapters.items() if k.startswith(key + ":")}), ""]
    if cli_rows:
        out += ["## CLI cold start (whole processes)", "",
                "Each command is a fresh process, timed from start to exit; the 12x12 game is "
                "the 12x12 game of the all-equilibria group, written to `.nfg` for us and to "
                "`.npz` for the quantecon script (which pays its imports and numba compilation).",
                "", cli_table(cli_rows), ""]
    for rep in reports:
        out += [f"## {rep.title}", "", rep.markdown.rstrip(), ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run the suite; returns the exit code."""
    args = parse_args(argv)
    args.load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    start = time.perf_counter()
    adapters: dict[str, Adapter] = {}
    results = run_groups(args, adapters)
    cli_rows: list[CliRow] = []
    if not args.only or CLI_GROUP in args.only:
        repeats = 3 if args.quick else 5
        with tempfile.TemporaryDirectory() as tmp:
            cli_rows = run_cli_group(ROOT, Path(tmp), repeats=repeats,
                                     timeout=max(args.timeout, 60.0), log=_log)
    reports = run_module_groups(args)
    text = render(args, results, cli_rows, adapters, time.perf_counter() - start, reports)
    if args.out == "-":
        print(text)
    else:
        path = ROOT / DEFAULT_OUT if args.out == DEFAULT_OUT else Path(args.out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
        print(targets_table(all_targets(results, cli_rows, reports)))
        _log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
