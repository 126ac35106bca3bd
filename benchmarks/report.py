"""Markdown report: machine facts, one table per case group, and the targets."""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Sequence

from .cases import Group, Instance
from .checks import Row, check_text
from .cli_cases import CliRow
from .peers import Adapter, versions

Results = dict[str, list[tuple[Instance, list[Row]]]]


def cpu_model() -> str:
    """CPU model name from ``/proc/cpuinfo`` (``"unknown"`` elsewhere)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_lines() -> list[str]:
    """Machine and library facts (no host names, no paths)."""
    lines = [
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical CPUs",
        f"- OS: {platform.system()} {platform.release()}; Python {platform.python_version()}",
    ]
    lines.append("- Libraries: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    return lines


def ms(seconds: float | None) -> str:
    """Seconds as milliseconds with about three significant digits."""
    if seconds is None:
        return "—"
    v = seconds * 1000.0
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def ratio(x: float | None) -> str:
    """A time ratio as ``12.3×``."""
    if x is None:
        return "—"
    if x >= 100:
        return f"{x:,.0f}×"
    if x >= 10:
        return f"{x:.1f}×"
    return f"{x:.2f}×"


def _regret(row: Row) -> str:
    finite = [r for r in row.regrets if math.isfinite(r)]
    return f"{max(finite):.1e}" if finite else "—"


def group_table(group: Group, results: Sequence[tuple[Instance, list[Row]]], seeds: int) -> str:
    """Markdown table of one group."""
    head = ["game", *(["seed"] if seeds > 1 else []), "implementation", "median ms", "runs",
            f"time / ours ({group.ours[0]})", "equilibria", "max regret", "check"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for inst, rows in results:
        for row in rows:
            m = row.measurement
            cells = [inst.size, *([str(inst.seed)] if seeds > 1 else []),
                     f"**{row.name}**" if row.is_ours else row.name,
                     ms(m.median), str(len(m.times)) if m.times else "—", ratio(row.ratio),
                     "—" if row.count is None else str(row.count), _regret(row), check_text(row)]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def cli_table(rows: Sequence[CliRow]) -> str:
    """Markdown table of the CLI group."""
    head = ["task", "command", "median ms", "runs", "time / ours", "equilibria", "check"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        m = r.measurement
        if m.status == "ok":
            check = "; ".join(r.problems) or "ok"
        else:
            check = m.message
        cells = [r.task, f"`{r.shown}`" if r.is_ours else r.shown, ms(m.median),
                 str(len(m.times)) if m.times else "—", ratio(r.ratio),
                 "—" if r.count is None else str(r.count), check]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def notes_block(adapters: dict[str, Adapter]) -> str:
    """How each implementation is called, and JIT cold starts."""
    lines = []
    for a in adapters.values():
        line = f"- {a.name}: {a.note}"
        if a.cold_seconds is not None and a.cold_seconds >= 0.05:
            line += (f"; cold start: its first call (a tiny game, in the runner; lazy imports "
                     f"and JIT compilation) took {a.cold_seconds:.2f} s")
        lines.append(line)
    return "\n".join(lines)


# ---------------------------------------------------------------------- targets
def _find(rows: list[Row], name: str) -> Row | None:
    return next((r for r in rows if r.name == name), None)


def _t(row: Row | None) -> float | None:
    return None if row is None or not row.ok else row.measurement.median


def verdict(ok: bool | None) -> str:
    """``met``, ``**missed**`` or ``n/a`` (not measured)."""
    return "n/a" if ok is None else ("met" if ok else "**missed**")


_verdict = verdict


def targets(results: Results, cli_rows: Sequence[CliRow]) -> list[tuple[str, str, str]]:
    """``(target, measurement, verdict)`` for each target of the issues."""
    out: list[tuple[str, str, str]] = []
    for inst, rows in results.get("all-equilibria", []):
        if inst.size not in ("10x10", "12x12"):
            continue
        mine = [r for r in rows if r.is_ours and r.ok]
        best = min(mine, key=lambda r: r.measurement.median) if mine else None  # type: ignore[arg-type,return-value]
        qe = _t(_find(rows, "quantecon vertex_enumeration"))
        gb_row = _find(rows, "pygambit enummixed_solve")
        gb = gb_row.measurement.median if gb_row and gb_row.ok else None
        if best is None:
            out.append((f"all equilibria {inst.size}", "none of our methods finished correctly",
                        _verdict(False) if any(r.is_ours and r.measurement.status != "unavailable"
                                               for r in rows) else "n/a"))
            continue
        tb = best.measurement.median
        ref_ok = gb_row is not None and gb_row.is_reference
        text = f"{best.name} {ms(tb)} ms; quantecon {ms(qe)} ms"
        if qe:
            text += f" (ours / quantecon = {tb / qe:.2f})"
        text += f"; pygambit {ms(gb)} ms"
        text += f" ({ratio(gb / tb) if gb else '—'} faster); "
        text += "set = pygambit's" if ref_ok else "pygambit reference unavailable"
        ok = None if qe is None or gb is None else (tb <= qe and gb / tb >= 100 and ref_ok)
        out.append((f"all equilibria {inst.size}: ≤ quantecon (warm), = pygambit set, "
                    "≥ 100× faster than pygambit", text, _verdict(ok)))
    for inst, rows in results.get("lemke-howson", []):
        if inst.size not in ("200x200", "400x400"):
            continue
        mine = _find(rows, "ours: lemke-howson")
        qe = _find(rows, "quantecon lemke_howson")
        if mine is None or mine.measurement.status == "unavailable":
            out.append((f"Lemke-Howson {inst.size}", "our method not available", "n/a"))
            continue
        tq = qe.measurement.median if qe is not None and qe.measurement.status == "ok" else None
        tm = mine.measurement.median if mine.measurement.status == "ok" else None
        text = f"ours {ms(tm)} ms ({check_text(mine)}); quantecon {ms(tq)} ms"
        if tm and tq:
            text += f" (ours / quantecon = {tm / tq:.2f})"
        if qe is not None and qe.problems:
            text += f" ({'; '.join(qe.problems)})"
        ok = None if tq is None else (mine.ok and tm is not None and tm <= tq)
        out.append((f"Lemke-Howson {inst.size}: ≤ quantecon (warm), never a non-equilibrium",
                    text, _verdict(ok)))
    for inst, rows in results.get("zero-sum-lp", []):
        if inst.size != "1000x1000":
            continue
        tm, tl = _t(_find(rows, "ours: lp")), _t(_find(rows, "scipy linprog (bare)"))
        ok = None if tm is None or tl is None else tm <= 1.3 * tl
        text = f"ours {ms(tm)} ms; bare linprog {ms(tl)} ms"
        if tm and tl:
            text += f" (ours / linprog = {tm / tl:.2f})"
        out.append(("zero-sum 1000x1000: within 1.3× of bare linprog", text, _verdict(ok)))
    for inst, rows in results.get("pure", []):
        if not inst.size.startswith(("4^4", "2^5")):
            continue
        tm, tg = _t(_find(rows, "ours: pure")), _t(_find(rows, "pygambit enumpure_solve"))
        ok = None if tm is None or tg is None else tm <= tg
        out.append((f"pure equilibria {inst.size}: ≤ pygambit enumpure_solve",
                    f"ours {ms(tm)} ms; pygambit {ms(tg)} ms"
                    + (f" (ours / pygambit = {tm / tg:.2f})" if tm and tg else ""),
                    _verdict(ok)))
    pairs: dict[str, list[CliRow]] = {}
    for r in cli_rows:
        pairs.setdefault(r.task, []).append(r)
    for task, rows in pairs.items():
        mine = next((r for r in rows if r.is_ours), None)
        other = next((r for r in rows if not r.is_ours), None)
        if mine is None or other is None:
            continue
        if mine.problems:
            out.append((task, "; ".join(mine.problems), _verdict(False)))
            continue
        if mine.measurement.median is None or other.measurement.median is None:
            why = mine.measurement.message or other.measurement.message or "not measured"
            out.append((task, why, "n/a"))
            continue
        tm, to = mine.measurement.median, other.measurement.median
        if "arms" in task:
            out.append(("CLI: `gametheory solve models/arms_dilemma.yaml` < 1.5× "
                        "`python -c \"import numpy, scipy\"`",
                        f"{ms(tm)} ms vs {ms(to)} ms (ratio {tm / to:.2f})",
                        _verdict(tm < 1.5 * to)))
        else:
            out.append(("CLI: 12x12 .nfg cold ≥ 3× faster than a fresh quantecon process",
                        f"{ms(tm)} ms vs {ms(to)} ms ({to / tm:.2f}× faster)",
                        _verdict(to >= 3 * tm)))
    return out


def targets_table(rows: list[tuple[str, str, str]]) -> str:
    """Markdown table of the targets."""
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {v} |" for t, m, v in rows]
    return "\n".join(lines)
