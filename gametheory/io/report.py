"""Result writers: JSON (the CLI contract), CSV and a terminal table; model summaries.

Every writer starts from :meth:`SolveResult.to_dict`, the one serialisation of
a result, so JSON, CSV and table never disagree.  The ``parameters`` argument
is the set of values actually used (baseline values overridden by the user);
when omitted, the values the game was bound at are reported.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from ..solvers.result import SolveResult, _jsonable

#: Width used to wrap long lines of the table output.
WIDTH = 100
#: Players with at most this many strategies have all of them listed in a table.
LIST_ALL_STRATEGIES = 8


# ----------------------------------------------------------------------------- JSON
def result_dict(result: SolveResult, parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON contract as a dictionary.

    Parameters
    ----------
    result
        What a solver returned.
    parameters
        Parameter values used (all declared parameters); ``None`` keeps the
        values recorded in the solved game.

    Returns
    -------
    dict
        Keys ``game``, ``parameters``, ``method``, ``complete``, ``status``,
        ``equilibria`` (and ``stats``), in that order.
    """
    data = result.to_dict()
    if parameters is not None:
        data["parameters"] = {str(k): _jsonable(v) for k, v in parameters.items()}
    return data


def result_to_json(result: SolveResult, parameters: Mapping[str, Any] | None = None) -> str:
    """One JSON object following the CLI contract (DESIGN.md §4).

    Parameters
    ----------
    result
        What a solver returned.
    parameters
        Parameter values used; ``None`` keeps the values recorded in the game.

    Returns
    -------
    str
        Indented JSON text, ending with a newline.
    """
    import json

    return json.dumps(result_dict(result, parameters), indent=2, allow_nan=False) + "\n"


# ----------------------------------------------------------------------------- CSV
def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"Row": {"up": p}}`` -> ``{"Row:up": p}`` (any depth, for behaviour strategies)."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, name + ":"))
        else:
            out[name] = value
    return out


def _probabilities(eq: Mapping[str, Any]) -> Mapping[str, Any]:
    return eq.get("behavior") or eq.get("strategies") or {}


def result_to_csv(result: SolveResult, parameters: Mapping[str, Any] | None = None) -> str:
    """One CSV row per equilibrium.

    Columns: ``equilibrium`` (1-based), one ``PLAYER:STRATEGY`` probability
    column per strategy (``PLAYER:INFOSET:ACTION`` for behaviour strategies),
    ``payoff:PLAYER``, ``regret``; when some equilibrium was certified, also
    ``exact:PLAYER:STRATEGY`` and ``exact_payoff:PLAYER`` (text ``a/b``; empty
    for an equilibrium that could not be certified).  The parameters are not
    repeated in the rows: they are the same for every row.

    Parameters
    ----------
    result
        What a solver returned.
    parameters
        Accepted for symmetry with the other writers; not written.

    Returns
    -------
    str
        CSV text with a header row, ``\\n`` line ends.
    """
    import csv
    import io

    data = result_dict(result, parameters)
    rows = data["equilibria"]
    prob_cols = _probability_columns(data, rows)
    players = list(data["game"].get("players", []))
    if not players and rows:
        players = list(rows[0]["payoffs"])
    has_exact = any("exact" in eq for eq in rows)
    header = ["equilibrium", *prob_cols, *(f"payoff:{p}" for p in players), "regret"]
    if has_exact:
        header += [f"exact:{c}" for c in prob_cols] + [f"exact_payoff:{p}" for p in players]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for k, eq in enumerate(rows, start=1):
        probs = _flatten(_probabilities(eq))
        row: list[Any] = [k, *(_csv_number(probs.get(c, 0.0)) for c in prob_cols)]
        row += [_csv_number(eq["payoffs"][p]) for p in players]
        row.append(_csv_number(eq["regret"]))
        if has_exact:
            exact = _flatten(eq.get("exact", {}))
            exact_pay = eq.get("exact_payoffs", {})
            row += [exact.get(c, "") for c in prob_cols]
            row += [exact_pay.get(p, "") for p in players]
        writer.writerow(row)
    return buf.getvalue()


def _probability_columns(data: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> list[str]:
    strategies = data["game"].get("strategies")
    if strategies and not any("behavior" in eq for eq in rows):
        return [f"{p}:{s}" for p, labels in strategies.items() for s in labels]
    cols: list[str] = []
    for eq in rows:
        for c in _flatten(_probabilities(eq)):
            if c not in cols:
                cols.append(c)
    return cols


def _csv_number(value: Any) -> Any:
    return repr(float(value)) if isinstance(value, float) else value


# ----------------------------------------------------------------------------- table
def _aligned(
    rows: Sequence[Sequence[str]], right: Sequence[int] = (), indent: str = ""
) -> list[str]:
    """Rows of cells as aligned lines; columns in ``right`` are right-aligned."""
    if not rows:
        return []
    ncol = max(len(r) for r in rows)
    cells = [list(r) + [""] * (ncol - len(r)) for r in rows]
    widths = [max(len(r[c]) for r in cells) for c in range(ncol)]
    lines = []
    for r in cells:
        parts = [cell.rjust(w) if c in right else cell.ljust(w)
                 for c, (cell, w) in enumerate(zip(r, widths))]
        lines.append((indent + "  ".join(parts)).rstrip())
    return lines


def format_probability(p: float) -> str:
    """Probability text for tables: 4 decimals, tiny positive values in e-notation."""
    if p <= 0.0:
        return "0"
    if p < 5e-5:
        return f"{p:.2e}"
    return f"{p:.4f}"


def format_number(x: Any) -> str:
    """Short text of a payoff, regret or parameter value."""
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, float):
        if x == 0.0:
            return "0"
        return f"{x:.6g}"
    if isinstance(x, Fraction):
        return str(x)
    return str(x)


def _format_time(seconds: float) -> str:
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def _wrap(label: str, text: str) -> list[str]:
    head = f"{label:<11}"
    return textwrap.wrap(text, width=WIDTH, initial_indent=head, subsequent_indent=" " * len(head),
                         break_on_hyphens=False) or [head.rstrip()]


def result_to_table(result: SolveResult, parameters: Mapping[str, Any] | None = None) -> str:
    """Readable terminal summary of a result.

    A header (game, method and why ``auto`` chose it, completeness, status,
    time, parameters), then one block per equilibrium: each player's
    probabilities (4 decimals; exact fractions beside them when certified),
    expected payoffs and regret.

    Parameters
    ----------
    result
        What a solver returned.
    parameters
        Parameter values used; ``None`` keeps the values recorded in the game.

    Returns
    -------
    str
        Text ending with a newline.
    """
    data = result_dict(result, parameters)
    game = data["game"]
    stats = data.get("stats", {})
    lines: list[str] = []
    title = game.get("title") or "(untitled game)"
    sizes = ", ".join(
        f"{p} {len(s)}" for p, s in (game.get("strategies") or {}).items()
    )
    form = f"{game.get('form', 'normal')} form"
    lines.append(f"{title}  [{form}" + (f"; strategies: {sizes}]" if sizes else "]"))
    method = data["method"]
    chosen = stats.get("chosen_by")
    lines.extend(_wrap("method", f"{method} ({chosen})" if chosen else method))
    status_line = f"{'yes' if data['complete'] else 'no'}    status {data['status']}"
    if "time" in stats:
        status_line += f"    time {_format_time(float(stats['time']))}"
    lines.append(f"{'complete':<11}{status_line}")
    extra = {k: v for k, v in stats.items() if k not in ("time", "chosen_by") and v is not None}
    if extra:
        lines.extend(_wrap("stats", ", ".join(f"{k}={format_number(v)}" for k, v in extra.items())))
    if data["parameters"]:
        text = ", ".join(f"{k}={format_number(v)}" for k, v in data["parameters"].items())
        lines.extend(_wrap("parameters", text))
    eqs = data["equilibria"]
    count = f"{len(eqs)} equilibri{'um' if len(eqs) == 1 else 'a'}" if eqs else "no equilibrium"
    count += " found"
    if data["status"] == "budget-exhausted":
        count += " before the budget ran out; the list may be incomplete"
    elif data["status"] != "ok":
        count += f" (status {data['status']})"
    lines.append("")
    lines.append(count)
    for k, eq in enumerate(eqs, start=1):
        source = result.equilibria[k - 1] if k - 1 < len(result.equilibria) else None
        lines.append("")
        lines.extend(_equilibrium_block(k, eq, source))
    return "\n".join(lines) + "\n"


def _equilibrium_block(k: int, eq: Mapping[str, Any], source: Any) -> list[str]:
    label = source.support_label() if hasattr(source, "support_label") else ""
    regret = "0 (certified exactly)" if "exact" in eq else f"{float(eq['regret']):.3g}"
    head = f"#{k}" + (f"  {label}" if label else "") + f"    regret {regret}"
    probs = _probabilities(eq)
    exact = eq.get("exact", {})
    has_exact = bool(exact)
    what = "infoset:action" if "behavior" in eq else "strategy"
    rows: list[list[str]] = [["player", what, "probability"] + (["exact"] if has_exact else [])]
    for player, strategies in probs.items():
        flat = _flatten(strategies) if isinstance(strategies, Mapping) else {}
        exact_flat = _flatten(exact.get(player, {}))
        shown = [s for s, p in flat.items() if len(flat) <= LIST_ALL_STRATEGIES or float(p) > 0.0]
        for j, s in enumerate(shown):
            row = [player if j == 0 else "", s, format_probability(float(flat[s]))]
            if has_exact:
                row.append(exact_flat.get(s, ""))
            rows.append(row)
        hidden = len(flat) - len(shown)
        if hidden:
            row = ["" if shown else player, f"({hidden} others)", "0"]
            rows.append(row + ([""] if has_exact else []))
    exact_pay = eq.get("exact_payoffs", {})
    for j, (player, value) in enumerate(eq["payoffs"].items()):
        row = ["payoff" if j == 0 else "", player, format_number(float(value))]
        if has_exact:
            row.append(exact_pay.get(player, ""))
        rows.append(row)
    out = [head, *_aligned(rows, right=(2,), indent="  ")]
    if eq.get("path"):
        path = ", ".join(f"{t} {format_probability(float(q))}" for t, q in eq["path"].items())
        out.extend(_wrap("  path", path))
    for item in eq.get("distribution", []):
        prof = ", ".join(f"{p}={s}" for p, s in item["profile"].items())
        out.append(f"  P({prof}) = {format_probability(float(item['probability']))}")
    out.extend(f"  note: {n}" for n in eq.get("notes", []))
    return out


# ----------------------------------------------------------------------------- models
def show_model(model: Any) -> str:
    """Players, strategies, payoff table and parameters of a model, as text.

    Parameters
    ----------
    model
        A :class:`~gametheory.games.model.Model`.

    Returns
    -------
    str
        Text ending with a newline.  For a model with parameters the payoff
        table is shown twice: as written (formulas) and at the baseline.
    """
    game = model.game
    lines: list[str] = [model.title or getattr(game, "title", "") or "(untitled model)"]
    for k, paragraph in enumerate(p for p in model.description.split("\n\n") if p.strip()):
        if k:
            lines.append("")
        lines.extend(textwrap.wrap(" ".join(paragraph.split()), width=WIDTH))
    lines.append("")
    lines.append(f"form: {game.form}, {game.num_players} players")
    if game.form == "normal":
        for player, strategies in zip(game.players, game.strategies):
            lines.extend(textwrap.wrap(f"{player}: {', '.join(strategies)}", width=WIDTH,
                                       initial_indent="  ", subsequent_indent="    "))
        lines.append("")
        lines.extend(_payoff_table(game, "payoffs"))
        if model.parameters and getattr(game, "is_symbolic", False):
            lines.append("")
            lines.extend(_payoff_table(model.baseline_game(), "payoffs at the baseline"))
    else:
        lines.append(str(game))
    lines.append("")
    lines.extend(_parameter_table(model.parameters))
    return "\n".join(lines) + "\n"


def _payoff_table(game: Any, heading: str) -> list[str]:
    """A payoff matrix for two players when it fits the width, else one line per payoff."""
    from ..games.render import MAX_CELLS, table_rows

    if game.num_profiles > MAX_CELLS:
        return [f"{heading}: {game.num_profiles} profiles (too many to list)"]
    lines = _aligned(table_rows(game), indent="  ")
    if max(len(ln) for ln in lines) <= WIDTH:
        if game.num_players == 2:
            p, q = game.players
            heading += f" ({p}, {q}); rows: {p}, columns: {q}"
        return [heading + ":", *lines]
    return [heading + ":", *_aligned(_long_rows(game), indent="  ")]


def _long_rows(game: Any) -> list[list[str]]:
    """One row per (profile, player): the profile's labels, the player, the payoff."""
    import itertools

    from ..games.render import format_value

    src = game.payoff_array
    rows = [[*game.players, "player", "payoff"]]
    for idx in itertools.product(*(range(m) for m in game.shape)):
        labels = [game.strategies[i][k] for i, k in enumerate(idx)]
        for i, player in enumerate(game.players):
            rows.append([*(labels if i == 0 else [""] * len(labels)), player,
                         format_value(src[(i, *idx)])])
    return rows


def _parameter_table(parameters: Mapping[str, Any]) -> list[str]:
    if not parameters:
        return ["parameters: none"]
    rows = [["name", "value", "range", "description"]]
    for name, p in parameters.items():
        rng = "" if p.range is None else "[{}, {}]".format(*map(format_number, p.range))
        rows.append([name, format_number(p.value), rng, ""])
    lines = _aligned([r[:3] for r in rows], right=(1,), indent="  ")
    width = max(len(s) for s in lines) + 2
    out = [f"parameters ({len(parameters)}):"]
    for k, line in enumerate(lines):
        if k == 0:
            out.append(line.ljust(width) + "description")
            continue
        desc = " ".join(list(parameters.values())[k - 1].description.split())
        wrapped = textwrap.wrap(desc, width=max(WIDTH - width, 30)) or [""]
        out.append((line.ljust(width) + wrapped[0]).rstrip())
        out.extend(" " * width + w for w in wrapped[1:])
    return out
