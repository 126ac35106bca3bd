"""The analysis commands of ``gametheory``: sweep, thresholds, sensitivity, montecarlo.

Thin: parse arguments, call :mod:`gametheory.analysis`, format the output.
Loading and error handling live in :mod:`gametheory.cli`, the argument
types in :mod:`gametheory.cli_options`, the text renderers in
:mod:`gametheory.cli_text`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from .cli import (
    EXIT_OK,
    CommandError,
    _collect,
    _display,
    _in_file,
    _load,
    _write,
)
from .cli_options import (
    MAX_GRID_POINTS,
    _add_execution,
    _add_set,
    _at_least_two,
    _backend,
    _close,
    _grid_axis,
    _interval,
    _positive_int,
    _prior,
    _values_may_be_negative,
)
from .cli_text import _regime_lines, _sensitivity_block, _tornado_line


def add_analysis_commands(
    sub: Any, debug: argparse.ArgumentParser, model_help: str, methods: Sequence[str]
) -> None:
    """Add ``sweep``, ``thresholds``, ``sensitivity`` and ``montecarlo`` to the parser."""
    set_help = "fix a parameter at a value (repeatable); others stay at their baselines"

    p = sub.add_parser("sweep", parents=[debug], help="equilibria over a grid of parameter values")
    _values_may_be_negative(p)
    p.add_argument("model", metavar="MODEL", help=model_help)
    p.add_argument("--param", dest="axes", action="append", required=True, type=_grid_axis,
                   metavar="NAME=LO:HI:N", help="a grid axis (repeat for an n-D grid)")
    _add_set(p, set_help)
    p.add_argument("--method", default="auto", choices=methods, metavar="M",
                   help="solver method (default: auto)")
    p.add_argument("--out", metavar="FILE", help="write the table (.csv or .json)")
    p.add_argument("--plot", metavar="FILE",
                   help="write a figure (.png, .pdf or .svg) of a 1-D or 2-D sweep")
    _add_execution(p)
    p.add_argument("--exact", action="store_true", help="certify each equilibrium exactly")
    p.add_argument("--strict", action="store_true", help="refuse values outside declared ranges")
    p.set_defaults(handler=_cmd_sweep)

    p = sub.add_parser("thresholds", parents=[debug],
                       help="critical parameter values where the equilibria change")
    _values_may_be_negative(p)
    p.add_argument("model", metavar="MODEL", help=model_help)
    p.add_argument("--param", required=True, metavar="NAME", help="the parameter to vary")
    p.add_argument("--range", type=_interval, default=None, metavar="LO:HI",
                   help="where to look (default: the declared range); LO may be negative, "
                        "as in --range -3:6")
    p.add_argument("--points", type=_at_least_two, default=None, metavar="N",
                   help="grid size of the numeric mechanism (the sweep that brackets changes "
                        "where no exact mechanism applies; default: 801 for normal forms, "
                        "201 for trees)")
    _add_set(p, set_help)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--out", metavar="FILE",
                   help="also write the thresholds: .json (the --format json object) or .csv "
                        "(one row per threshold: value, exact, left, right)")
    p.set_defaults(handler=_cmd_thresholds)

    p = sub.add_parser("sensitivity", parents=[debug],
                       help="derivatives of each equilibrium with respect to the parameters")
    _values_may_be_negative(p)
    p.add_argument("model", metavar="MODEL", help=model_help)
    _add_set(p, set_help)
    p.add_argument("--param", dest="params", action="append", default=None, metavar="NAME",
                   help="a parameter to differentiate by, or to vary with --tornado "
                        "(repeatable; default: all)")
    p.add_argument("--method", default="auto", choices=methods, metavar="M",
                   help="solver method (default: auto)")
    p.add_argument("--tornado", action="store_true",
                   help="instead of derivatives, each outcome at both ends of each "
                        "parameter's declared range, largest swing first")
    p.add_argument("--outcome", dest="outcomes", action="append", default=None, metavar="NAME",
                   help="with --tornado: an outcome such as Seoul:arm or payoff:Moscow "
                        "(repeatable; default: every probability and payoff)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--out", metavar="FILE",
                   help="also write the result: .json (the --format json object), or .csv "
                        "with --tornado (one row per bar)")
    p.add_argument("--plot", metavar="FILE",
                   help="with --tornado: write the tornado chart (.png, .pdf or .svg)")
    p.set_defaults(handler=_cmd_sensitivity)

    p = sub.add_parser("montecarlo", parents=[debug],
                       help="shares of equilibrium regimes over random parameter draws")
    _values_may_be_negative(p)
    p.add_argument("model", metavar="MODEL", help=model_help)
    p.add_argument("--n", type=_positive_int, default=1000, metavar="N",
                   help="number of draws (default: 1000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--prior", dest="priors", action="append", default=[], type=_prior,
                   metavar="NAME=DIST[:ARGS]",
                   help="prior of a sampled parameter (repeatable): uniform[:LO:HI], "
                        "normal:MEAN:SD[:untruncated], beta:A:B[:LO:HI], triangular:MODE or "
                        "triangular:LO:MODE:HI; bounds default to the declared range and "
                        "a normal prior is truncated to it unless untruncated")
    p.add_argument("--param", dest="params", action="append", default=None, metavar="NAME",
                   help="a parameter to sample (repeatable; default: those with a --prior, "
                        "else every parameter with a declared range)")
    _add_set(p, "fix a parameter instead of sampling it")
    p.add_argument("--method", default="auto", choices=methods, metavar="M",
                   help="solver method (default: auto)")
    _add_execution(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--out", metavar="FILE",
                   help="also write the result: .csv (the --table) or .json (the --format "
                        "json object)")
    p.add_argument("--table", choices=("draws", "shares"), default=None,
                   help="with --out FILE.csv: one row per draw (default) or per regime")
    p.add_argument("--plot", metavar="FILE", help="write a figure (.png, .pdf or .svg)")
    p.add_argument("--plot-kind", choices=("both", "shares", "scatter"), default="both",
                   help="regime shares, the draws coloured by regime, or both (default)")
    p.set_defaults(handler=_cmd_montecarlo)


_FIGURES = (".png", ".pdf", ".svg")


def _check_out(option: str, path: str | None, allowed: Sequence[str], what: str) -> None:
    """Refuse an output file whose extension is not in ``allowed`` (before computing)."""
    if path is not None and not path.lower().endswith(tuple(allowed)):
        raise CommandError(f"{option} {path}: {what}")


def _save(path: str, write: Any) -> None:
    """Call ``write()``, reporting a file system error as one line naming ``path``."""
    try:
        write()
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror or exc}") from exc


def _figure(model_path: str, plot: Any, path: str, **options: Any) -> None:
    """Save a figure with ``plot(path, **options)`` and close it."""
    def write() -> None:
        fig = _run(model_path, plot, path, **options)
        import matplotlib.pyplot as plt

        plt.close(fig)

    _save(path, write)


def _dump_json(path: str, data: Any) -> None:
    def write() -> None:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, default=str)
            fh.write("\n")

    _save(path, write)


def _run(model_path: str, func: Any, *args: Any, **kwargs: Any) -> Any:
    from .exceptions import GameTheoryError

    try:
        return func(*args, **kwargs)
    except (GameTheoryError, NotImplementedError) as exc:
        raise _in_file(model_path, exc) from exc


def _fixed_point(model: Any, at: dict[str, Any], varied: Sequence[str]) -> None:
    """Check the values held fixed (``--set`` or baseline) before varying the others.

    So that a bad ``--set`` value is blamed on its own parameter, not on the
    grid: ``at p_resolute=-0.1 the chance probability of 'resolute' ...``.
    """
    from .analysis.grid import check_at
    from .analysis.point_check import check_point

    at = check_at(model, at)
    fixed = {}
    for p in getattr(model.game, "parameters", ()):
        value = at.get(p, model.parameters[p].value if p in model.parameters else None)
        if p not in varied and value is not None:
            fixed[p] = value
    check_point(model, fixed)


def _cmd_sweep(args: argparse.Namespace) -> int:
    import math

    import numpy as np

    from .analysis import sweep

    names = [name for name, _ in args.axes]
    if len(set(names)) != len(names):
        raise CommandError("--param names the same parameter twice")
    size = math.prod(n for _, (_, _, n) in args.axes)
    if size > MAX_GRID_POINTS:
        raise CommandError(
            f"the grid has {size:,} points, more than {MAX_GRID_POINTS:,}; use fewer points "
            "per --param"
        )
    out = args.out
    _check_out("--out", out, (".csv", ".json"), "write .csv or .json")
    _check_out("--plot", args.plot, _FIGURES, "write .png, .pdf or .svg")
    if args.plot and len(names) > 2:
        raise CommandError(
            f"--plot draws 1-D and 2-D sweeps only, and this one varies {len(names)} "
            "parameters; drop --plot or vary at most two"
        )
    model = _load(args.model, strict=args.strict)
    grid = {name: np.linspace(lo, hi, n) for name, (lo, hi, n) in args.axes}
    at = _collect(args.assignments)
    _run(args.model, _fixed_point, model, at, names)
    stream = out if out and out.endswith(".csv") and not args.plot else None
    backend = _backend(args)
    try:
        result = _run(
            args.model,
            sweep,
            model,
            grid,
            method=args.method,
            exact=args.exact,
            strict=args.strict,
            at=at,
            out=stream,
            **backend,
        )
    finally:
        _close(backend)
    if out and stream is None:
        if out.endswith(".csv"):
            _save(out, lambda: result.to_csv(out))
        else:
            _dump_json(out, _sweep_json(result))
    if args.plot:
        _figure(args.model, result.plot, args.plot)
    lines = [f"{_display(args.model)}: {result.points.size} grid points, method {result.method}"]
    lines += [str(b) for b in result.branches()]
    if out:
        lines.append(f"table written to {out}")
    if args.plot:
        lines.append(f"figure written to {args.plot}")
    _write("\n".join(lines))
    return EXIT_OK


def _sweep_json(result: Any) -> dict[str, Any]:
    """Parameters, method, branches and the table's rows (numbers as JSON numbers)."""
    cols = result.columns

    def num(value: Any) -> Any:
        if isinstance(value, float) and value != value:  # NaN has no JSON form
            return None
        return value

    return {
        "parameters": list(result.parameters),
        "method": result.method,
        "branches": [b.to_dict() for b in result.branches()],
        "rows": [{c: num(rec[c]) for c in cols} for rec in result.iter_records()],
    }


def _cmd_thresholds(args: argparse.Namespace) -> int:
    from .analysis import thresholds

    _check_out("--out", args.out, (".csv", ".json"), "write .csv or .json")
    model = _load(args.model)
    lo, hi = args.range if args.range else (None, None)
    options = {} if args.points is None else {"points": args.points}
    result = _run(
        args.model, thresholds, model, args.param, lo, hi, at=_collect(args.assignments), **options
    )
    data = result.to_dict()
    if args.out:
        _write_thresholds(args.out, data)
    if args.format == "json":
        _write(json.dumps(data, indent=2))
        return EXIT_OK
    lo, hi = data["range"]
    lines = [f"{data['parameter']} in [{lo:g}, {hi:g}]: {len(data['thresholds'])} threshold(s)"]
    for t in data["thresholds"]:
        exact = t.get("exact")
        exact = f" = {exact}" if exact and exact != f"{t['value']:.6g}" else ""
        lines.append(f"  {data['parameter']} = {t['value']:.6g}{exact}")
        for side, key in (("below", "left"), ("above", "right")):
            lines.extend(_regime_lines(side, t[key]["label"]))
    if args.out:
        lines.append(f"thresholds written to {args.out}")
    _write("\n".join(lines))
    return EXIT_OK


#: Columns of ``thresholds --out FILE.csv``.
THRESHOLD_COLUMNS = ("value", "exact", "left", "right")


def _write_thresholds(path: str, data: dict[str, Any]) -> None:
    """The JSON object, or one CSV row per threshold (the regimes by their labels)."""
    if path.lower().endswith(".json"):
        _dump_json(path, data)
        return

    def write() -> None:
        import csv

        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(THRESHOLD_COLUMNS)
            for t in data["thresholds"]:
                exact = "" if t.get("exact") is None else t["exact"]
                writer.writerow(
                    [repr(float(t["value"])), exact, t["left"]["label"], t["right"]["label"]]
                )

    _save(path, write)


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from .analysis import sensitivity

    if not args.tornado:
        for option, given in (("--plot", args.plot), ("--outcome", args.outcomes)):
            if given:
                raise CommandError(f"{option} needs --tornado")
    _check_out("--out", args.out, (".csv", ".json") if args.tornado else (".json",),
               "write .csv or .json" if args.tornado else "write .json (.csv needs --tornado)")
    _check_out("--plot", args.plot, _FIGURES, "write .png, .pdf or .svg")
    at = _collect(args.assignments)
    model = _load(args.model)
    if args.tornado:
        return _tornado(args, model, at)
    result = _run(args.model, sensitivity, model, at=at, method=args.method,
                  parameters=args.params)
    data = result.to_dict()
    if args.out:
        _dump_json(args.out, data)
    if args.format == "json":
        _write(json.dumps(data, indent=2, default=str))
        return EXIT_OK
    eqs = data["equilibria"]
    regular = sum(1 for eq in eqs if eq.get("regular", True))
    where = "the baseline" + (
        " with " + ", ".join(f"{k}={v}" for k, v in at.items()) if at else ""
    )
    lines = [
        f"{_display(args.model)}: {len(eqs)} equilibri{'um' if len(eqs) == 1 else 'a'}, "
        f"{regular} regular; derivatives at {where}"
    ]
    for k, eq in enumerate(eqs, start=1):
        lines.append("")
        lines.extend(_sensitivity_block(k, eq))
    if args.out:
        lines += ["", f"result written to {args.out}"]
    _write("\n".join(lines))
    return EXIT_OK


def _tornado(args: argparse.Namespace, model: Any, at: dict[str, Any]) -> int:
    """``sensitivity --tornado``: one line per bar (or the JSON object), files on request."""
    from .analysis import tornado

    if args.outcomes and len(set(args.outcomes)) != len(args.outcomes):
        raise CommandError("--outcome names the same outcome twice")
    result = _run(args.model, tornado, model, outcome=args.outcomes, method=args.method,
                  parameters=args.params, at=at)
    data = result.to_dict()
    if args.out:
        if args.out.lower().endswith(".csv"):
            _save(args.out, lambda: result.to_csv(args.out))
        else:
            _dump_json(args.out, data)
    if args.plot:
        _figure(args.model, result.plot, args.plot)
    if args.format == "json":
        _write(json.dumps(data, indent=2))
        return EXIT_OK
    lines = [f"{_display(args.model)}: tornado of {data['equilibrium']}"]
    width = max((len(b.outcome) for b in result.bars), default=0)
    pwidth = max((len(f"{b.parameter} [{b.range[0]:g}, {b.range[1]:g}]") for b in result.bars),
                 default=0)
    for bar in result.bars:
        lines.append(_tornado_line(bar, width, pwidth))
    if any(b.support_changes for b in result.bars):
        lines.append("* the followed equilibrium changes support inside the range")
    if args.out:
        lines.append(f"bars written to {args.out}")
    if args.plot:
        lines.append(f"figure written to {args.plot}")
    _write("\n".join(lines))
    return EXIT_OK


def _cmd_montecarlo(args: argparse.Namespace) -> int:
    from .analysis import montecarlo

    priors = dict(args.priors)
    if len(priors) < len(args.priors):
        dup = next(n for k, (n, _) in enumerate(args.priors) if n in dict(args.priors[:k]))
        raise CommandError(f"--prior {dup} given twice")
    _check_out("--out", args.out, (".csv", ".json"), "write .csv or .json")
    _check_out("--plot", args.plot, _FIGURES, "write .png, .pdf or .svg")
    if args.table is not None and not (args.out or "").lower().endswith(".csv"):
        raise CommandError(f"--table {args.table} needs --out FILE.csv")
    model = _load(args.model)
    backend = _backend(args)
    try:
        result = _run(
            args.model,
            montecarlo,
            model,
            args.n,
            priors or None,
            seed=args.seed,
            method=args.method,
            parameters=args.params,
            at=_collect(args.assignments),
            **backend,
        )
    finally:
        _close(backend)
    data = result.to_dict()
    if args.out:
        if args.out.lower().endswith(".csv"):
            _save(args.out, lambda: result.to_csv(args.out, table=args.table or "draws"))
        else:
            _dump_json(args.out, data)
    if args.plot:
        _figure(args.model, result.plot, args.plot, kind=args.plot_kind)
    if args.format == "json":
        _write(json.dumps(data, indent=2, default=str))
        return EXIT_OK
    level = round(100 * data["confidence"])
    lines = [f"{data['n']} draws (seed {data['seed']}), method {data['method']}"]
    for row in data["regimes"]:
        lo, hi = row["ci"]
        share = f"{row['share']:7.1%}  [{lo:.1%}, {hi:.1%}] ({level}% CI)"
        parts = row["label"].split(" | ")
        lines.append("")
        if len(parts) == 1:
            lines.append(f"{share}  {row['label']}")
        else:
            lines.append(f"{share}  {len(parts)} equilibria:")
            lines.extend(f"{'':9}  {p}" for p in parts)
        best = (data["separation"].get(row["label"]) or [None])[0]
        if best:
            direction, cut = best["split"]
            lines.append(
                f"{'':9}best told apart by {best['parameter']} {direction} {cut:.4g} "
                f"(balanced accuracy {best['balanced_accuracy']:.2f})"
            )
    if args.out or args.plot:
        lines.append("")
    if args.out:
        what = (args.table or "draws") if args.out.lower().endswith(".csv") else "result"
        lines.append(f"{what} written to {args.out}")
    if args.plot:
        lines.append(f"figure written to {args.plot}")
    _write("\n".join(lines))
    return EXIT_OK
