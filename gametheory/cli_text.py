"""Text output of the analysis commands (:mod:`.cli_analysis`): regimes, derivatives, bars."""

from __future__ import annotations

from typing import Any


def _regime_lines(side: str, label: str, indent: str = "    ") -> list[str]:
    """A regime (equilibrium labels joined by `` | ``): one line, or one line per equilibrium."""
    parts = label.split(" | ")
    if len(parts) == 1:
        return [f"{indent}{side}: {label}"]
    return [f"{indent}{side}: {len(parts)} equilibria", *(f"{indent}  {p}" for p in parts)]


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
