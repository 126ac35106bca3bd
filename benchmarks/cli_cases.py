"""CLI cold start: whole-process timings of ``gametheory solve`` against fresh Python processes."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .cases import cli_nfg_arrays
from .checks import compare_sets, regrets_of
from .harness import Measurement, time_process

ARMS_MODEL = "models/arms_dilemma.yaml"

_QE_SCRIPT = """\
import json, sys
import numpy as np
from quantecon.game_theory import NormalFormGame, vertex_enumeration
d = np.load(sys.argv[1])
g = NormalFormGame(np.stack([d["A"], d["B"]], axis=-1))
print(json.dumps([[x.tolist(), y.tolist()] for x, y in vertex_enumeration(g)]))
"""


@dataclass
class CliRow:
    """One whole-process command of a CLI pair.

    Attributes
    ----------
    task
        What the pair compares.
    name
        Who runs (ours or the baseline).
    shown
        The command as shown in the report (no machine paths).
    measurement
        Timing outcome.
    is_ours
        True for the ``gametheory`` command.
    problems
        Correctness problems of the output.
    ratio
        Median time divided by our command's median.
    count
        Number of equilibria printed, when parsed.
    """

    task: str
    name: str
    shown: str
    measurement: Measurement
    is_ours: bool
    problems: list[str] = field(default_factory=list)
    ratio: float | None = None
    count: int | None = None


def _gametheory_command() -> list[str]:
    """The console script installed beside this Python, else ``python -m gametheory``."""
    script = Path(sys.executable).with_name("gametheory")
    if script.exists():
        return [str(script)]
    found = shutil.which("gametheory")
    return [found] if found else [sys.executable, "-m", "gametheory"]


def _profiles_from_json(text: str, shape: tuple[int, ...]) -> list[list[np.ndarray]]:
    data = json.loads(text)
    out = []
    for eq in data.get("equilibria", []):
        strategies = eq["strategies"]
        out.append([np.array(list(strategies[p].values()), dtype=float) for p in strategies])
    return [p for p in out if tuple(v.size for v in p) == shape]


def _ratios(rows: list[CliRow]) -> None:
    ours = next((r for r in rows if r.is_ours and r.measurement.median), None)
    for r in rows:
        if ours is not None and r.measurement.median is not None:
            r.ratio = r.measurement.median / ours.measurement.median  # type: ignore[operator]


def run_cli_group(root: Path, workdir: Path, *, repeats: int, timeout: float,
                  log: Callable[[str], None] = print) -> list[CliRow]:
    """Run both CLI pairs and return their rows (ours first in each pair).

    Parameters
    ----------
    root
        Repository root (the working directory of the commands).
    workdir
        Scratch directory for the generated game files.
    repeats, timeout
        Runs per command (median reported) and the per-run timeout.
    log
        Progress printer.
    """
    import compileall

    import gametheory as gt

    # A user's installed package runs from cached bytecode (pip compiles regular installs,
    # and Python caches on first import); this machine may set PYTHONDONTWRITEBYTECODE,
    # so compile once here rather than time the compilation of our sources at every start.
    compileall.compile_dir(str(Path(gt.__file__).parent), quiet=1)
    gtcmd = _gametheory_command()
    rows: list[CliRow] = []

    task = "solve the arms dilemma model"
    if (root / ARMS_MODEL).exists():
        log(f"  cli: gametheory solve {ARMS_MODEL}")
        m, _ = time_process([*gtcmd, "solve", ARMS_MODEL], repeats=repeats, timeout=timeout,
                            cwd=str(root))
    else:
        m = Measurement("unavailable", message=f"not available ({ARMS_MODEL} not in the repo yet)")
    pair = [CliRow(task, "ours: gametheory solve", f"gametheory solve {ARMS_MODEL}", m, True)]
    log("  cli: python -c 'import numpy, scipy'")
    m, _ = time_process([sys.executable, "-c", "import numpy, scipy"], repeats=repeats,
                        timeout=timeout, cwd=str(root))
    pair.append(CliRow(task, "python start-up", 'python -c "import numpy, scipy"', m, False))
    _ratios(pair)
    rows += pair

    task = "all equilibria of a 12x12 game, cold"
    a, b = cli_nfg_arrays()
    game = gt.NormalFormGame.from_arrays(a, b)
    nfg = workdir / "game12.nfg"
    gt.save(game, str(nfg))
    npz = workdir / "game12.npz"
    np.savez(npz, A=a, B=b)
    script = workdir / "quantecon_vertex_enumeration.py"
    script.write_text(_QE_SCRIPT)
    log("  cli: gametheory solve game12.nfg")
    m, outs = time_process([*gtcmd, "solve", str(nfg), "--format", "json"], repeats=repeats,
                           timeout=timeout, cwd=str(root))
    ours = CliRow(task, "ours: gametheory solve", "gametheory solve game12.nfg --format json",
                  m, True)
    pair = [ours]
    if _has("quantecon"):
        log("  cli: fresh python + quantecon vertex_enumeration")
        qm, qouts = time_process([sys.executable, str(script), str(npz)], repeats=repeats,
                                 timeout=timeout, cwd=str(workdir))
    else:
        qm, qouts = Measurement("unavailable", message="not installed (quantecon)"), []
    peer = CliRow(task, "quantecon vertex_enumeration, fresh process",
                  "python script.py game12.npz (load arrays, `vertex_enumeration(g)`, "
                  "JIT included)",
                  qm, False)
    pair.append(peer)
    found: dict[int, list[list[np.ndarray]]] = {}
    for k, (row, texts) in enumerate(((ours, outs), (peer, qouts))):
        if not texts:
            continue
        try:
            if row.is_ours:
                profiles = _profiles_from_json(texts[0], game.shape)
            else:
                profiles = [[np.array(x), np.array(y)] for x, y in json.loads(texts[0])]
        except (ValueError, KeyError, TypeError) as exc:
            row.problems.append(f"unreadable output ({exc})")
            continue
        row.count = len(profiles)
        high = [r for r in regrets_of(game, profiles) if not r <= game.tolerance()]
        if high:
            row.problems.append(f"{len(high)} non-equilibria returned")
        found[k] = profiles
    if len(found) == 2:
        missing, extra, _ = compare_sets(found[0], found[1])
        if missing or extra:
            ours.problems.append(f"sets differ from quantecon (missing {missing}, extra {extra})")
    _ratios(pair)
    rows += pair
    return rows


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None
