"""The ``gametheory`` command: parse arguments, call the API, format the output.

Commands (DESIGN.md §4)::

    gametheory solve MODEL [--method M] [--set NAME=VALUE ...] [--exact]
                           [--format table|json|csv] [--max-time S] [--strict]
                           [--option NAME=VALUE ...]
    gametheory show MODEL [--max-nodes N] [--depth N]
    gametheory validate MODEL [--strict]
    gametheory convert IN OUT [--set NAME=VALUE ...]
    gametheory methods [MODEL] [--format table|json|markdown]

``MODEL`` may be ``-`` to read the model from standard input.  ``show``,
``validate`` and ``convert`` live in :mod:`gametheory.cli_models`; ``sweep``,
``thresholds``, ``sensitivity`` and ``montecarlo`` in
:mod:`gametheory.cli_analysis`.

``--set`` values: an integer (``3``) or a fraction (``5/2``) is an exact
number; a decimal (``2.5``, ``1e-3``) is a float.  Names must be declared by
the model.

Exit codes: 0 success; 1 the computation failed or ran out of budget (the
result is still printed); 2 bad input (usage, unreadable or invalid model
file, unknown parameter or method, method not applicable).  Errors are one
line on standard error, ``gametheory: error: FILE:LINE: what is wrong``;
``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import re
import sys
import traceback
import warnings
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

PROG = "gametheory"
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

_INTEGER = re.compile(r"[+-]?\d+")
_FRACTION = re.compile(r"([+-]?\d+)/(\d+)")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class CommandError(Exception):
    """An error reported to the user as one line, with an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


class _UsageError(CommandError):
    """Raised instead of argparse's print-and-exit."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors become :class:`_UsageError` (one line, exit 2)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{message} (see '{self.prog} --help')")


class _Formatter(argparse.HelpFormatter):
    """Help text wrapped without breaking method names such as ``vertex-enumeration``."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        import textwrap

        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


# ----------------------------------------------------------------------------- argument types
def parse_value(text: str) -> int | Fraction | float:
    """Parse the value of ``--set NAME=VALUE``.

    Parameters
    ----------
    text
        ``"3"`` and ``"-2"`` give ``int``; ``"5/2"`` gives ``Fraction``;
        ``"2.5"`` or ``"1e-3"`` give ``float``.

    Returns
    -------
    int, Fraction or float

    Raises
    ------
    ValueError
        For anything else (names, ``nan``, ``inf``, a zero denominator).
    """
    s = text.strip()
    if _INTEGER.fullmatch(s):
        return int(s)
    m = _FRACTION.fullmatch(s)
    if m:
        if int(m.group(2)) == 0:
            raise ValueError(f"{text!r} divides by zero")
        return Fraction(int(m.group(1)), int(m.group(2)))
    if _DECIMAL.fullmatch(s):
        value = float(s)
        if value in (float("inf"), float("-inf")):
            raise ValueError(f"{text!r} is too large")
        return value
    raise ValueError(f"{text!r} is not a number (write an integer, a decimal or a/b)")


def _assignment(text: str) -> tuple[str, int | Fraction | float]:
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    if not _NAME.fullmatch(name):
        raise argparse.ArgumentTypeError(f"{name!r} is not a parameter name")
    try:
        return name, parse_value(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{name}: {exc}") from None


def _option(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` for a solver option: true/false, an integer, a decimal, or a word."""
    name, sep, value = text.partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not name or not value:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    if not _NAME.fullmatch(name):
        raise argparse.ArgumentTypeError(f"{name!r} is not an option name")
    if value.lower() in ("true", "false"):
        return name, value.lower() == "true"
    for kind in (int, float):
        try:
            return name, kind(value)
        except ValueError:
            pass
    return name, value


def _whole_number(text: str, minimum: int) -> int:
    """``text`` as an integer of at least ``minimum``, or a one-line argparse error."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < minimum:
        need = "a positive whole number" if minimum == 1 else f"a whole number >= {minimum}"
        raise argparse.ArgumentTypeError(f"needs {need}, got {text!r}")
    return value


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (value > 0 and value != float("inf")):
        raise argparse.ArgumentTypeError(f"needs a positive number of seconds, got {text!r}")
    return value


# ----------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    """The argument parser; ``--method`` choices come from the solver table."""
    from . import __version__
    from .solvers import method_names

    debug = _Parser(add_help=False)
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show the traceback of errors")

    parser = _Parser(prog=PROG, description="Equilibria of games described in model files.",
                     epilog="Exit codes: 0 success, 1 computation failed or out of budget, "
                            "2 bad input.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--debug", action="store_true", default=False,
                        help="show the traceback of errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    model_help = "model file (.yaml, .yml, .json, .nfg, .efg), or - for standard input"

    p = sub.add_parser("solve", parents=[debug], help="compute equilibria of a model",
                       description="Compute the equilibria of a model at its baseline "
                                   "parameters, or at values given with --set.")
    p.add_argument("model", metavar="MODEL", help=model_help)
    p.add_argument("--method", default="auto", choices=method_names(), metavar="M",
                   help="solver method: %(choices)s (default: auto)")
    p.add_argument("--set", dest="assignments", action="append", default=[], type=_assignment,
                   metavar="NAME=VALUE",
                   help="override a parameter (repeatable); 3 and 5/2 are exact, 2.5 is a float")
    p.add_argument("--exact", action="store_true",
                   help="certify each equilibrium in rational arithmetic")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table",
                   help="output format (default: table)")
    p.add_argument("--max-time", type=_positive_seconds, default=None, metavar="S",
                   help="time budget in seconds; when it runs out, print what was found "
                        "and exit 1 (status budget-exhausted)")
    p.add_argument("--strict", action="store_true",
                   help="refuse parameter values outside their declared ranges")
    p.add_argument("--option", dest="options", action="append", default=[], type=_option,
                   metavar="NAME=VALUE",
                   help="a method option (repeatable), e.g. max_profiles=5000000, "
                        "subgame_method=lcp, ties=first; 'gametheory methods' lists them")
    p.set_defaults(handler=_cmd_solve)

    from .cli_models import add_model_commands

    add_model_commands(sub, debug, model_help)  # show, validate, convert

    p = sub.add_parser("methods", parents=[debug], help="list the solver methods",
                       description="List the solver methods; with MODEL, only those "
                                   "applicable to it.")
    p.add_argument("model", metavar="MODEL", nargs="?", default=None, help=model_help)
    p.add_argument("--format", choices=("table", "json", "markdown"), default="table",
                   help="output format (default: table; markdown is the docs page)")
    p.set_defaults(handler=_cmd_methods)

    from .cli_analysis import add_analysis_commands

    add_analysis_commands(sub, debug, model_help, method_names())
    return parser


# ----------------------------------------------------------------------------- helpers
def _display(path: str) -> str:
    return "<stdin>" if path == "-" else path


def _load(path: str, strict: bool = False) -> Any:
    from .exceptions import GameTheoryError
    from .io import load

    try:
        return load(path, strict=strict)
    except GameTheoryError as exc:
        raise _in_file(path, exc) from exc


def _write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def _in_file(path: str, exc: BaseException) -> CommandError:
    """A one-line error naming the model file (unless the message already does)."""
    from .exceptions import SolverError

    name = _display(path)
    text = str(exc)
    if not (text.startswith(name + ":") or text.startswith(path + ":")):
        text = f"{name}: {text}"
    code = EXIT_FAILED if isinstance(exc, SolverError) else EXIT_USAGE
    return CommandError(text, code)


def _collect(assignments: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in assignments:
        if name in values:
            raise CommandError(f"--set {name} given twice")
        values[name] = value
    return values


# ----------------------------------------------------------------------------- commands
def _cmd_solve(args: argparse.Namespace) -> int:
    from .exceptions import GameTheoryError
    from .io import report
    from .solvers import solve

    values = _collect(args.assignments)
    model = _load(args.model, strict=args.strict)
    try:
        used = model.resolve(strict=args.strict, **values)
        game = model.bind(strict=args.strict, **values)
        options = dict(args.options)
        if len(options) < len(args.options):
            raise CommandError("an --option is given twice")
        result = solve(game, method=args.method, exact=args.exact, max_time=args.max_time,
                       **options)
    except NotImplementedError as exc:
        raise _in_file(args.model, exc) from exc
    except GameTheoryError as exc:
        raise _in_file(args.model, exc) from exc
    writer = {"table": report.result_to_table, "json": report.result_to_json,
              "csv": report.result_to_csv}[args.format]
    _write(writer(result, used))
    if result.status != "ok":
        _error(f"{_display(args.model)}: status {result.status}; "
               "the output above may be incomplete")
        return EXIT_FAILED
    return EXIT_OK


def _cmd_methods(args: argparse.Namespace) -> int:
    import json

    from .exceptions import GameTheoryError
    from .io.report import _aligned
    from .solvers import methods

    if args.model is None:
        specs = methods()
    else:
        model = _load(args.model)
        try:
            specs = methods(model.baseline_game())
        except GameTheoryError as exc:
            raise _in_file(args.model, exc) from exc
    rows = [s.describe() for s in specs]
    if args.format == "markdown":
        from .solvers.registry import methods_markdown

        _write(methods_markdown(specs).rstrip("\n"))
        return EXIT_OK
    if args.format == "json":
        _write(json.dumps(rows, indent=2))
        return EXIT_OK
    table = [["method", "players", "finds", "summary"],
             ["auto", "any", "-", "picks a method by game form, player count and size"]]
    for r in rows:
        summary = r["summary"] + (f" (needs a {r['requires']} game)" if r["requires"] else "")
        table.append([r["name"], r["players"], r["finds"], summary])
    _write("\n".join(_aligned(table)))
    return EXIT_OK


# ----------------------------------------------------------------------------- entry point
def _error(message: str, kind: str = "error") -> None:
    text = " ".join(str(message).split())
    sys.stderr.write(f"{PROG}: {kind}: {text}\n" if kind else f"{PROG}: {text}\n")
    sys.stderr.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0, 1 or 2).

    Parameters
    ----------
    argv
        Arguments without the program name; ``None`` reads ``sys.argv[1:]``.
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    try:
        args = build_parser().parse_args(args_list)
        debug = bool(getattr(args, "debug", False))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return args.handler(args)
            finally:
                _show_warnings(caught)
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except CommandError as exc:
        if debug:
            traceback.print_exc()
        _error(str(exc))
        return exc.code
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        _silence_stdout()
        return EXIT_FAILED
    except KeyboardInterrupt:
        _error("interrupted", kind="")
        return 130
    except Exception as exc:  # one line per error, by contract
        return _report_exception(exc, debug)


def _show_warnings(caught: list[warnings.WarningMessage]) -> None:
    """Each distinct warning once, as one line on stderr: ``gametheory: warning: ...``."""
    seen: set[str] = set()
    for w in caught:
        text = str(w.message)
        if text not in seen:
            seen.add(text)
            print(f"gametheory: warning: {text}", file=sys.stderr)


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (tests)
        pass


def _report_exception(exc: Exception, debug: bool) -> int:
    from .exceptions import GameTheoryError, SolverError

    if debug:
        traceback.print_exc()
    if isinstance(exc, GameTheoryError):
        _error(str(exc))
        return EXIT_FAILED if isinstance(exc, SolverError) else EXIT_USAGE
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        return EXIT_USAGE
    _error(f"{type(exc).__name__}: {exc}", kind="internal error")
    return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
