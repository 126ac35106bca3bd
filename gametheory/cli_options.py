"""Argument types, shared options and the execution backend of the analysis commands.

Each type turns one command-line word into a value or raises
``argparse.ArgumentTypeError`` with a one-line message.
"""

from __future__ import annotations

import argparse
from typing import Any

from .cli import _NAME, EXIT_FAILED, CommandError, _assignment, _whole_number, parse_value

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
    return _whole_number(text, 1)


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
