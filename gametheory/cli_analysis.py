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
    p.add_argument("--plot", metavar="FILE", help="write a figure (.png, .pdf or .svg)")
    p.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                   help="solve on N local processes")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="solve on a Dask cluster (tcp://HOST:PORT, or 'local')")
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
    p.set_defaults(handler=_cmd_thresholds)

    p = sub.add_parser("sensitivity", parents=[debug],
                       help="derivatives of each equilibrium with respect to the parameters")
    _values_may_be_negative(p)
    p.add_argument("model", metavar="MODEL", help=model_help)
    _add_set(p, set_help)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=_cmd_sensitivity)

    p = sub.add_parser("montecarlo", parents=[debug],
                       help="shares of equilibrium regimes over random parameter draws")
    _values_may_be_negative(p)
    p.add_argument("model", metavar="MODEL", help=model_help)
    p.add_argument("--n", type=_positive_int, default=1000, metavar="N",
                   help="number of draws (default: 1000)")
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
    options = {} if args.points is None else {"points": args.points}
    result = _run(
        args.model, thresholds, model, args.param, lo, hi, at=_collect(args.assignments), **options
    )
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
        for side, key in (("below", "left"), ("above", "right")):
            lines.extend(_regime_lines(side, t[key]["label"]))
    _write("\n".join(lines))
    return EXIT_OK


def _regime_lines(side: str, label: str, indent: str = "    ") -> list[str]:
    """A regime (equilibrium labels joined by `` | ``): one line, or one line per equilibrium."""
    parts = label.split(" | ")
    if len(parts) == 1:
        return [f"{indent}{side}: {label}"]
    return [f"{indent}{side}: {len(parts)} equilibria", *(f"{indent}  {p}" for p in parts)]


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from .analysis import sensitivity

    at = _collect(args.assignments)
    model = _load(args.model)
    result = _run(args.model, sensitivity, model, at=at)
    data = result.to_dict()
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
    _write("\n".join(lines))
    return EXIT_OK


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
    _write("\n".join(lines))
    return EXIT_OK
