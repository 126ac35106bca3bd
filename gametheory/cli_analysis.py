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
    _NAME,
    EXIT_FAILED,
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

#: Most points along one --param axis, and in a whole sweep grid.
MAX_AXIS_POINTS = 10_000_000
MAX_GRID_POINTS = 50_000_000


def _grid_axis(text: str) -> tuple[str, tuple[float, float, int]]:
    """``NAME=LO:HI:N`` -> (name, (lo, hi, n))."""
    name, sep, spec = text.partition("=")
    parts = spec.split(":")
    if not sep or not name.strip() or len(parts) != 3:
        raise argparse.ArgumentTypeError(f"expected NAME=LO:HI:N, got {text!r}")
    name = name.strip()
    try:
        lo, hi = (float(parse_value(p)) for p in parts[:2])
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{name}: {exc}") from None
    count = parts[2].strip()
    if not count.isdigit() or int(count) < 1:
        raise argparse.ArgumentTypeError(
            f"{name}: N must be a positive integer number of points, got {parts[2]!r}"
        )
    n = int(count)
    if n > MAX_AXIS_POINTS:
        raise argparse.ArgumentTypeError(
            f"{name}: {n} points is too many for one axis (at most {MAX_AXIS_POINTS:,})"
        )
    return name, (lo, hi, n)


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


def _at_least_two(text: str) -> int:
    value = _positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"needs at least 2 points, got {text!r}")
    return value


def _values_may_be_negative(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Let option values start with a minus sign followed by a number (``--range -3:6``).

    argparse takes any word starting with ``-`` that is not a plain negative number
    (``-3`` or ``-0.5``) for an option, so ``--range -3:6`` failed with "expected one
    argument".  None of these commands has an option that looks like a number, so a
    word starting with ``-`` and a digit (or ``-.`` and a digit) is a value here, as
    newer Pythons (3.13 on) decide by themselves.
    """
    import re

    if hasattr(p, "_negative_number_matcher"):
        p._negative_number_matcher = re.compile(r"^-\.?\d")
    return p


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"needs a positive whole number, got {text!r}")
    return value


def _add_set(p: argparse.ArgumentParser, help_text: str) -> None:
    p.add_argument("--set", dest="assignments", action="append", default=[], type=_assignment,
                   metavar="NAME=VALUE", help=help_text)


def _prior(text: str) -> tuple[str, dict[str, Any]]:
    """``NAME=DIST[:ARGS]`` -> (name, prior spec of :mod:`gametheory.analysis.priors`).

    ``uniform[:LO:HI]``, ``normal:MEAN:SD[:untruncated]``, ``beta:A:B[:LO:HI]``,
    ``triangular:MODE`` or ``triangular:LO:MODE:HI``.
    """
    name, sep, spec = text.partition("=")
    name = name.strip()
    if not sep or not name or not spec.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=DIST[:ARGS], got {text!r}")
    if not _NAME.fullmatch(name):
        raise argparse.ArgumentTypeError(f"{text!r}: {name!r} is not a parameter name")
    dist, *args = (part.strip() for part in spec.split(":"))
    truncate = None
    if dist == "normal" and len(args) == 3 and args[2] in ("untruncated", "truncated"):
        truncate = args.pop() == "truncated"
    fields = _PRIOR_FORMS.get(dist, {}).get(len(args))
    if fields is None:
        if dist not in _PRIOR_FORMS:
            raise argparse.ArgumentTypeError(
                f"{text!r}: unknown distribution {dist!r}; choose from: "
                + ", ".join(_PRIOR_FORMS)
            )
        raise argparse.ArgumentTypeError(f"{text!r}: write {_PRIOR_USAGE[dist]}")
    try:
        numbers = [float(parse_value(a)) for a in args]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None
    out: dict[str, Any] = {"dist": dist, **dict(zip(fields, numbers))}
    if truncate is not None:
        out["truncate"] = truncate
    return name, out


#: Field names of each distribution by the number of numbers given.
_PRIOR_FORMS: dict[str, dict[int, tuple[str, ...]]] = {
    "uniform": {0: (), 2: ("low", "high")},
    "normal": {2: ("mean", "sd")},
    "beta": {2: ("a", "b"), 4: ("a", "b", "low", "high")},
    "triangular": {1: ("mode",), 3: ("low", "mode", "high")},
}
_PRIOR_USAGE = {
    "uniform": "uniform or uniform:LO:HI",
    "normal": "normal:MEAN:SD or normal:MEAN:SD:untruncated",
    "beta": "beta:A:B or beta:A:B:LO:HI",
    "triangular": "triangular:MODE or triangular:LO:MODE:HI",
}


def _scheduler(text: str) -> str:
    """``local`` or ``tcp://HOST:PORT`` (checked before anything is computed)."""
    text = text.strip()
    if text == "local":
        return text
    if _address(text)[0] is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a scheduler address; write tcp://HOST:PORT or local"
        )
    return text


def _address(text: str) -> tuple[str | None, int]:
    """``tcp://HOST:PORT`` -> (host, port); ``(None, 0)`` when malformed."""
    import re

    m = re.fullmatch(r"tcp://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})", text)
    if not m or not 0 < int(m.group(2)) < 65536:
        return None, 0
    return m.group(1).strip("[]"), int(m.group(2))


#: Seconds to wait for a Dask scheduler to answer.
CONNECT_TIMEOUT = 10.0


def _add_execution(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                   help="solve on N local processes; with --scheduler local, the number of "
                        "workers of the local Dask cluster")
    p.add_argument("--scheduler", type=_scheduler, metavar="ADDRESS",
                   help="solve on a Dask cluster: tcp://HOST:PORT (an address that does not "
                        f"answer within {CONNECT_TIMEOUT:g} s is an error), or 'local' for a "
                        "local cluster (of --workers workers)")


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


def _backend(args: argparse.Namespace) -> dict[str, Any]:
    if args.scheduler == "local":
        return {"backend": "dask", "scheduler": "local", "workers": args.workers}
    if args.scheduler:
        if args.workers is not None:
            raise CommandError(
                f"--workers does not apply to --scheduler {args.scheduler}: the cluster's own "
                "workers solve (use --workers with --scheduler local)"
            )
        return {"backend": "dask", "scheduler": _connect(args.scheduler)}
    if args.workers and args.workers > 1:
        return {"backend": "processes", "workers": args.workers}
    return {"backend": "serial"}


def _connect(address: str) -> Any:
    """A Dask client of the scheduler at ``address``, or a one-line error (exit 1).

    Each step is bounded by :data:`CONNECT_TIMEOUT`: the TCP connection, then a
    Dask handshake (which ``Client`` itself would wait for without a limit
    when something other than a scheduler listens there), then the client.
    """
    import asyncio
    import socket

    host, port = _address(address)
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as exc:
        raise CommandError(
            f"--scheduler {address}: cannot reach the scheduler ({exc.strerror or exc})",
            EXIT_FAILED,
        ) from exc
    try:
        from dask.distributed import Client
        from distributed.comm import connect
    except ImportError:
        raise CommandError(
            "--scheduler needs dask.distributed: pip install 'gametheory[dask]'"
        ) from None

    async def handshake() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=CONNECT_TIMEOUT), CONNECT_TIMEOUT)
        await comm.close()

    try:
        asyncio.run(handshake())
        return Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, asyncio.TimeoutError) as exc:
        raise CommandError(
            f"--scheduler {address}: no Dask scheduler answered within {CONNECT_TIMEOUT:g} s",
            EXIT_FAILED,
        ) from exc


def _close(options: dict[str, Any]) -> None:
    client = options.get("scheduler")
    if hasattr(client, "close"):
        client.close()


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


def _regime_lines(side: str, label: str, indent: str = "    ") -> list[str]:
    """A regime (equilibrium labels joined by `` | ``): one line, or one line per equilibrium."""
    parts = label.split(" | ")
    if len(parts) == 1:
        return [f"{indent}{side}: {label}"]
    return [f"{indent}{side}: {len(parts)} equilibria", *(f"{indent}  {p}" for p in parts)]


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


def _tornado_line(bar: Any, width: int, pwidth: int) -> str:
    """``Seoul:arm  transfer_cost [0, 6]  0 -> 1  swing 1  *``."""
    def end(v: float) -> str:
        return "gone" if v != v else f"{v:.6g}"

    where = f"{bar.parameter} [{bar.range[0]:g}, {bar.range[1]:g}]"
    swing = "swing ?" if bar.swing != bar.swing else f"swing {bar.swing:.6g}"
    mark = "  *" if bar.support_changes else ""
    return (f"{bar.outcome.ljust(width)}  {where.ljust(pwidth)}  "
            f"{end(bar.low)} -> {end(bar.high)}  {swing}{mark}")


def _sensitivity_block(k: int, eq: dict[str, Any]) -> list[str]:
    """One equilibrium: regularity, the profile, payoffs and the derivatives."""
    import textwrap

    def wrap(head: str, text: str, width: int = 100) -> list[str]:
        return textwrap.wrap(text, width, initial_indent=head,
                             subsequent_indent=" " * len(head), break_on_hyphens=False)

    derivs = eq.get("derivatives")
    lines = [f"#{k}  regular" if eq.get("regular", True) and derivs is not None
             else f"#{k}  not regular (derivatives undefined)"]
    if derivs is None:
        lines.extend(f"      {r}" for r in eq.get("reasons") or [])
    probs = eq.get("behavior") or eq.get("strategies") or {}
    width = max((len(p) for p in probs), default=0)
    for player, dist in probs.items():
        lines.extend(wrap(f"  {player.ljust(width)}  ", _profile_text(dist)))
    pays = ", ".join(f"{p} {_num(v)}" for p, v in eq.get("payoffs", {}).items())
    lines.append(f"  payoffs {pays}")
    exact = eq.get("exact_derivatives") or {}
    still = []
    for param, d in (derivs or {}).items():
        moved = _moves(d, exact.get(param, {}))
        if moved:
            lines.extend(wrap(f"  d/d{param}: ", ", ".join(moved)))
        else:
            still.append(param)
    if still:
        what = "nothing moves with" if len(still) == len(derivs) else "no change with"
        lines.extend(wrap(f"  {what}: ", ", ".join(still)))
    return lines


def _num(value: Any) -> str:
    return f"{float(value):.6g}" if float(value) else "0"


def _profile_text(dist: dict[str, Any]) -> str:
    """``withhold 0.75, arm 0.25`` (strategies) or ``[set] a; [set] b 0.5, c 0.5`` (behaviour)."""
    def used(probs: dict[str, Any]) -> str:
        items = [(a, float(q)) for a, q in probs.items() if float(q) > 0]
        if len(items) == 1:
            return items[0][0]
        return ", ".join(f"{a} {q:.4g}" for a, q in items)

    if dist and all(isinstance(v, dict) for v in dist.values()):
        return "; ".join(f"[{h}] {used(acts)}" for h, acts in dist.items())
    return used(dist)


def _moves(d: dict[str, Any], exact: dict[str, Any]) -> list[str]:
    """``PLAYER:STRATEGY +d`` (``PLAYER:INFOSET:ACTION`` for trees) and ``payoff:PLAYER +d``."""
    out = []
    key = "behavior" if "behavior" in d else "strategies"
    for name, value, text in _leaves(d.get(key, {}), exact.get(key, {})):
        if value:
            out.append(f"{name} {_signed(value, text)}")
    for player, value in d.get("payoffs", {}).items():
        if value:
            out.append(f"payoff:{player} {_signed(value, exact.get('payoffs', {}).get(player))}")
    return out


def _leaves(tree: dict[str, Any], exact: Any, prefix: str = "") -> list[tuple[str, Any, Any]]:
    out = []
    for name, value in tree.items():
        sub = exact.get(name) if isinstance(exact, dict) else None
        if isinstance(value, dict):
            out.extend(_leaves(value, sub or {}, f"{prefix}{name}:"))
        else:
            out.append((f"{prefix}{name}", value, sub))
    return out


def _signed(value: Any, exact: Any) -> str:
    """A derivative: its exact text when short (``-1/4``), else 4 significant digits."""
    if isinstance(exact, str) and len(exact) <= 12 and exact != "0":
        return exact if exact.startswith("-") else "+" + exact
    return f"{float(value):+.4g}"


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
