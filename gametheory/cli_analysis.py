"""The analysis commands of ``gametheory``: sweep, thresholds, sensitivity, montecarlo.

Thin: parse arguments, call :mod:`gametheory.analysis`, format the output.
The shared argument types, loading and error handling live in
:mod:`gametheory.cli`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from .cli import (
    EXIT_OK,
    CommandError,
    _assignment,
    _collect,
    _display,
    _in_file,
    _load,
    _write,
    parse_value,
)


def _grid_axis(text: str) -> tuple[str, tuple[float, float, int]]:
    """``NAME=LO:HI:N`` -> (name, (lo, hi, n))."""
    name, sep, spec = text.partition("=")
    parts = spec.split(":")
    if not sep or not name.strip() or len(parts) != 3:
        raise argparse.ArgumentTypeError(f"expected NAME=LO:HI:N, got {text!r}")
    try:
        lo, hi = (float(parse_value(p)) for p in parts[:2])
        n = int(parts[2])
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{name.strip()}: {exc}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{name.strip()}: N must be at least 1, got {n}")
    return name.strip(), (lo, hi, n)


def _interval(text: str) -> tuple[float, float]:
    parts = text.split(":")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"expected LO:HI, got {text!r}")
    try:
        lo, hi = (float(parse_value(p)) for p in parts)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not lo < hi:
        raise argparse.ArgumentTypeError(f"LO must be below HI, got {text!r}")
    return lo, hi


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"needs a positive whole number, got {text!r}")
    return value


def _add_set(p: argparse.ArgumentParser, help_text: str) -> None:
    p.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        type=_assignment,
        metavar="NAME=VALUE",
        help=help_text,
    )


def add_analysis_commands(
    sub: Any, debug: argparse.ArgumentParser, model_help: str, methods: Sequence[str]
) -> None:
    """Add ``sweep``, ``thresholds``, ``sensitivity`` and ``montecarlo`` to the parser."""
    set_help = "fix a parameter at a value (repeatable); others stay at their baselines"

    p = sub.add_parser("sweep", parents=[debug], help="equilibria over a grid of parameter values")
    p.add_argument("model", metavar="MODEL", help=model_help)
    p.add_argument(
        "--param",
        dest="axes",
        action="append",
        required=True,
        type=_grid_axis,
        metavar="NAME=LO:HI:N",
        help="a grid axis (repeat for an n-D grid)",
    )
    _add_set(p, set_help)
    p.add_argument(
        "--method",
        default="auto",
        choices=methods,
        metavar="M",
        help="solver method (default: auto)",
    )
    p.add_argument("--out", metavar="FILE", help="write the table (.csv or .json)")
    p.add_argument("--plot", metavar="FILE", help="write a figure (.png, .pdf or .svg)")
    p.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        metavar="N",
        help="solve on N local processes",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="solve on a Dask cluster (tcp://HOST:PORT, or 'local')",
    )
    p.add_argument("--exact", action="store_true", help="certify each equilibrium exactly")
    p.add_argument("--strict", action="store_true", help="refuse values outside declared ranges")
    p.set_defaults(handler=_cmd_sweep)

    p = sub.add_parser(
        "thresholds", parents=[debug], help="critical parameter values where the equilibria change"
    )
    p.add_argument("model", metavar="MODEL", help=model_help)
    p.add_argument("--param", required=True, metavar="NAME", help="the parameter to vary")
    p.add_argument(
        "--range",
        type=_interval,
        default=None,
        metavar="LO:HI",
        help="where to look (default: the declared range)",
    )
    _add_set(p, set_help)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=_cmd_thresholds)

    p = sub.add_parser(
        "sensitivity",
        parents=[debug],
        help="derivatives of each equilibrium with respect to the parameters",
    )
    p.add_argument("model", metavar="MODEL", help=model_help)
    _add_set(p, set_help)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=_cmd_sensitivity)

    p = sub.add_parser(
        "montecarlo",
        parents=[debug],
        help="shares of equilibrium regimes over random parameter draws",
    )
    p.add_argument("model", metavar="MODEL", help=model_help)
    p.add_argument(
        "--n", type=_positive_int, default=1000, metavar="N", help="number of draws (default: 1000)"
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    _add_set(p, "fix a parameter instead of sampling it")
    p.add_argument("--workers", type=_positive_int, default=None, metavar="N")
    p.add_argument("--scheduler", metavar="ADDRESS")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=_cmd_montecarlo)


def _backend(args: argparse.Namespace) -> dict[str, Any]:
    if args.scheduler:
        return {"backend": "dask", "scheduler": args.scheduler}
    if args.workers and args.workers > 1:
        return {"backend": "processes", "workers": args.workers}
    return {"backend": "serial"}


def _run(model_path: str, func: Any, *args: Any, **kwargs: Any) -> Any:
    from .exceptions import GameTheoryError

    try:
        return func(*args, **kwargs)
    except (GameTheoryError, NotImplementedError) as exc:
        raise _in_file(model_path, exc) from exc


def _cmd_sweep(args: argparse.Namespace) -> int:
    import numpy as np

    from .analysis import sweep

    model = _load(args.model, strict=args.strict)
    grid = {name: np.linspace(lo, hi, n) for name, (lo, hi, n) in args.axes}
    if len(grid) != len(args.axes):
        raise CommandError("--param names the same parameter twice")
    at = _collect(args.assignments)
    out = args.out
    if out and not out.endswith((".csv", ".json")):
        raise CommandError(f"--out {out}: write .csv or .json")
    stream = out if out and out.endswith(".csv") and not args.plot else None
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
        **_backend(args),
    )
    if out and stream is None:
        try:
            if out.endswith(".csv"):
                result.to_csv(out)
            else:
                with open(out, "w", encoding="utf-8") as fh:
                    json.dump(_sweep_json(result), fh, indent=2)
        except OSError as exc:
            raise CommandError(f"{out}: {exc.strerror or exc}") from exc
    if args.plot:
        try:
            result.plot(args.plot)
        except OSError as exc:
            raise CommandError(f"{args.plot}: {exc.strerror or exc}") from exc
    lines = [f"{_display(args.model)}: {result.points.size} grid points, method {result.method}"]
    lines += [str(b) for b in result.branches()]
    if out:
        lines.append(f"table written to {out}")
    if args.plot:
        lines.append(f"figure written to {args.plot}")
    _write("\n".join(lines))
    return EXIT_OK


def _sweep_json(result: Any) -> dict[str, Any]:
    import csv
    import io

    buffer = io.StringIO()
    result.to_csv(buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    return {
        "parameters": list(result.parameters),
        "method": result.method,
        "branches": [b.to_dict() for b in result.branches()],
        "rows": rows,
    }


def _cmd_thresholds(args: argparse.Namespace) -> int:
    from .analysis import thresholds

    model = _load(args.model)
    lo, hi = args.range if args.range else (None, None)
    result = _run(args.model, thresholds, model, args.param, lo, hi, at=_collect(args.assignments))
    data = result.to_dict()
    if args.format == "json":
        _write(json.dumps(data, indent=2))
        return EXIT_OK
    lo, hi = data["range"]
    lines = [f"{data['parameter']} in [{lo:g}, {hi:g}]: {len(data['thresholds'])} threshold(s)"]
    for t in data["thresholds"]:
        exact = t.get("exact")
        exact = f" = {exact}" if exact and exact != f"{t['value']:.6g}" else ""
        lines.append(f"  {data['parameter']} = {t['value']:.6g}{exact}")
        lines.append(f"    below: {t['left']['label']}")
        lines.append(f"    above: {t['right']['label']}")
    _write("\n".join(lines))
    return EXIT_OK


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from .analysis import sensitivity

    model = _load(args.model)
    result = _run(args.model, sensitivity, model, at=_collect(args.assignments))
    data = result.to_dict()
    if args.format == "json":
        _write(json.dumps(data, indent=2, default=str))
        return EXIT_OK
    lines = []
    for k, eq in enumerate(data["equilibria"], start=1):
        regular = "" if eq.get("regular", True) else "  (not regular: derivatives undefined)"
        lines.append(f"#{k}{regular}")
        for param, d in eq.get("derivatives", {}).items():
            moved = [
                f"{player}:{strategy} {value:+.4g}"
                for player, probs in d.get("strategies", {}).items()
                for strategy, value in probs.items()
                if value
            ] + [
                f"payoff:{player} {value:+.4g}"
                for player, value in d.get("payoffs", {}).items()
                if value
            ]
            lines.append(f"  d/d{param}: " + (", ".join(moved) if moved else "no change"))
    _write("\n".join(lines) if lines else "no equilibria")
    return EXIT_OK


def _cmd_montecarlo(args: argparse.Namespace) -> int:
    from .analysis import montecarlo

    model = _load(args.model)
    result = _run(
        args.model,
        montecarlo,
        model,
        args.n,
        seed=args.seed,
        at=_collect(args.assignments),
        **_backend(args),
    )
    data = result.to_dict()
    if args.format == "json":
        _write(json.dumps(data, indent=2, default=str))
        return EXIT_OK
    level = round(100 * data["confidence"])
    lines = [f"{data['n']} draws (seed {data['seed']}), method {data['method']}", ""]
    for row in data["regimes"]:
        lo, hi = row["ci"]
        lines.append(f"{row['share']:7.1%}  [{lo:.1%}, {hi:.1%}] ({level}% CI)  {row['label']}")
    for label, rows in data["separation"].items():
        if rows:
            best = rows[0]
            direction, cut = best["split"]
            lines.append(
                f"  {label}: best told apart by {best['parameter']} {direction} "
                f"{cut:.4g} (balanced accuracy {best['balanced_accuracy']:.2f})"
            )
    _write("\n".join(lines))
    return EXIT_OK
