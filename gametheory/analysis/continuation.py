"""Following one equilibrium as a parameter varies: :func:`continuation`.

Pseudo-arclength predictor-corrector on the support equations
(:class:`~gametheory.analysis.supportsys.SupportSystem`) in the space of
(probabilities, payoffs, parameter).  When a probability on the support
reaches zero the strategy leaves the support; when a strategy off the support
becomes a best response it joins; the path then goes on along the new support
(which may run back in the parameter: a turning point where two equilibria
meet and vanish).  For two-player games each segment with equal-size supports
carries its index (Shapley's sign formula), which flips at turning points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import numbers as nb
from ..exceptions import InvalidOptionError
from .grid import InvalidGridError, as_model, check_parameter
from .regimes import solve_at
from .supportsys import SupportSystem
from .table import LabelBook

EPS = 1e-10


@dataclass(frozen=True)
class ContinuationResult:
    """The followed branch, as points ordered along the path.

    Attributes
    ----------
    parameter
        The varied parameter.
    values
        Parameter value at each point (not monotone after a turning point).
    probs, payoffs
        Profile (strategies concatenated) and payoffs at each point.
    labels
        Support label at each point.
    segments
        ``{"label", "range": [lo, hi], "index", "points"}`` per support segment.
    events
        ``{"type": "support-change" | "turning-point" | "end", "at", ...}``.
    """

    parameter: str
    values: np.ndarray
    probs: np.ndarray
    payoffs: np.ndarray
    labels: list[str]
    segments: list[dict[str, Any]]
    events: list[dict[str, Any]]
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (segments and events)."""
        return {"parameter": self.parameter, "segments": self.segments, "events": self.events}


class _Path:
    def __init__(self, model: Any, name: str, at: Mapping[str, Any] | None) -> None:
        import sympy as sp

        game = model.game
        self.game = game
        self.shape = game.shape
        self.offs = np.concatenate([[0], np.cumsum(self.shape)])
        values = model.resolve(**{k: v for k, v in (at or {}).items()})
        syms = [sp.Symbol(p) for p in game.parameters]
        self.fixed = [float(values[p]) if p != name else None for p in game.parameters]
        self.index = list(game.parameters).index(name)
        flat = list(game.payoff_array.reshape(-1))
        self._u = sp.lambdify(syms, flat, modules="numpy")
        dflat = [sp.diff(v, sp.Symbol(name)) if hasattr(v, "free_symbols") else 0 for v in flat]
        self._du = sp.lambdify(syms, dflat, modules="numpy")

    def _args(self, p: float) -> list[float]:
        args = list(self.fixed)
        args[self.index] = p
        return args

    def U(self, p: float) -> np.ndarray:
        return np.array(self._u(*self._args(p)), dtype=float).reshape(self.game.payoff_array.shape)

    def D(self, p: float) -> np.ndarray:
        return np.array(self._du(*self._args(p)), dtype=float).reshape(self.game.payoff_array.shape)

    def residual(self, sys: SupportSystem, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z, p = w[:-1], w[-1]
        F, J = sys.equations(self.U(p), z)
        return F, np.hstack([J, sys.parameter_column(self.D(p), z)[:, None]])

    def tangent(self, sys: SupportSystem, w: np.ndarray) -> np.ndarray:
        _, M = self.residual(sys, w)
        return np.linalg.svd(M)[2][-1]

    def correct(self, sys: SupportSystem, w_pred: np.ndarray, t: np.ndarray) -> np.ndarray | None:
        w = w_pred.copy()
        for _ in range(12):
            F, M = self.residual(sys, w)
            G = np.append(F, t @ (w - w_pred))
            if np.abs(G).max() < 1e-12 * max(1.0, float(np.abs(w).max())):
                return w
            dw = np.linalg.lstsq(np.vstack([M, t]), -G, rcond=None)[0]
            w = w + dw
        F, _ = self.residual(sys, w)
        return w if np.abs(F).max() < 1e-8 else None

    def feasible(self, sys: SupportSystem, w: np.ndarray) -> bool:
        z = w[:-1]
        if sys.probabilities(z).min() < -EPS:
            return False
        return all(s >= -1e-9 for _, _, s in sys.slacks(self.U(w[-1]), z))

    def full(self, sys: SupportSystem, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sigma = sys.sigma(w[:-1])
        return np.concatenate(sigma), w[-1 - self.game.num_players : -1]


def _support_label(book: LabelBook, sys: SupportSystem) -> str:
    mask = np.concatenate(
        [np.isin(np.arange(m), S).astype(float) for m, S in zip(sys.shape, sys.supports)]
    )
    return book.text[book.codes(mask[None])[0]]


def _shapley_index(game_U: np.ndarray, sys: SupportSystem) -> int | None:
    if sys.n != 2 or len(sys.supports[0]) != len(sys.supports[1]):
        return None
    rows_i, J = sys.supports
    sign = 1
    for k in (0, 1):
        M = game_U[k] - game_U[k].min() + 1.0
        d = np.linalg.det(M[np.ix_(rows_i, J)])
        if abs(d) < 1e-12:
            return None
        sign *= int(np.sign(d))
    return int((-1) ** (len(rows_i) + 1) * sign)


def _event_value(path: _Path, sys: SupportSystem, w: np.ndarray, kind: str, what: Any) -> float:
    if kind == "end":
        return float(w[-1] - what)
    if kind == "drop":
        return float(w[sys.pos[what]])
    return next(v for i, s, v in sys.slacks(path.U(w[-1]), w[:-1]) if (i, s) == what)


def _refine(
    path: _Path,
    sys: SupportSystem,
    w: np.ndarray,
    t: np.ndarray,
    h: float,
    lam: float,
    kind: str,
    what: Any,
) -> np.ndarray:
    """The point on the path (step ``0 < hh <= h`` from ``w``) where the event value is zero."""
    a, fa = 0.0, _event_value(path, sys, w, kind, what)
    b = h
    wb = path.correct(sys, w + h * t, t)
    if wb is None:
        return w + lam * h * t
    fb = _event_value(path, sys, wb, kind, what)
    best = wb
    side = 0
    for _ in range(60):  # regula falsi (Illinois)
        if fb == fa:
            break
        c = (a * fb - b * fa) / (fb - fa)
        wc = path.correct(sys, w + c * t, t)
        if wc is None:
            break
        fc = _event_value(path, sys, wc, kind, what)
        best = wc
        if abs(fc) < 1e-13 * max(1.0, float(np.abs(wc).max())):
            break
        if fc * fb < 0:
            a, fa = b, fb
            side = 0
        else:
            fa = fa / 2 if side == 1 else fa
            side = 1
        b, fb = c, fc
    if kind == "end":
        best = best.copy()
        best[-1] = what
    return best


def _walk(
    path: _Path,
    sys: SupportSystem,
    w: np.ndarray,
    direction: int,
    lo: float,
    hi: float,
    h0: float,
    max_steps: int,
    book: LabelBook,
) -> tuple[list, list]:
    """Points ``(w, sys)`` and events from ``w``, the parameter moving in ``direction``."""
    points = [(w, sys)]
    events: list[dict[str, Any]] = []
    t = path.tangent(sys, w)
    t = t if np.sign(t[-1]) == direction or (t[-1] == 0 and direction > 0) else -t
    h = h0
    last_dp = direction
    for _ in range(max_steps):
        w_new = path.correct(sys, w + h * t, t)
        if w_new is None or np.abs(w_new - w).max() > 4 * h + 1e-9:
            h /= 2
            if h < h0 * 1e-8:
                events.append({"type": "stopped", "at": float(w[-1]), "reason": "corrector failed"})
                break
            continue
        # first event along the step: a probability or slack crossing zero, or the range end
        lam, kind, what = 1.0, None, None
        z0, z1 = w[:-1], w_new[:-1]
        for k, (i, s) in enumerate(sys.var):
            if z1[k] < -EPS and z0[k] - z1[k] > 0:
                f = z0[k] / (z0[k] - z1[k])
                if f < lam:
                    lam, kind, what = f, "drop", (i, s)
        s0 = {(i, s): v for i, s, v in sys.slacks(path.U(w[-1]), z0)}
        for i, s, v in sys.slacks(path.U(w_new[-1]), z1):
            if v < -1e-9 and s0[(i, s)] - v > 0:
                f = s0[(i, s)] / (s0[(i, s)] - v)
                if f < lam:
                    lam, kind, what = f, "add", (i, s)
        for bound in (lo, hi):
            if (w_new[-1] - bound) * (w[-1] - bound) < 0 or w_new[-1] == bound:
                f = (bound - w[-1]) / (w_new[-1] - w[-1])
                if f <= lam:
                    lam, kind, what = f, "end", bound
        w_evt = _refine(path, sys, w, t, h, lam, kind, what) if kind is not None else w_new
        if kind is None:
            t_new = path.tangent(sys, w_new)
            t_new = t_new if t_new @ t >= 0 else -t_new
            if abs(t_new[-1]) > 1e-9 and np.sign(t_new[-1]) != np.sign(last_dp):
                events.append(
                    {
                        "type": "turning-point",
                        "at": float(w_new[-1]),
                        "label": _support_label(book, sys),
                    }
                )
            if abs(t_new[-1]) > 1e-9:
                last_dp = np.sign(t_new[-1])
            w, t = w_new, t_new
            points.append((w, sys))
            h = min(h * 1.5, h0)
            continue
        points.append((w_evt, sys))
        if kind == "end":
            events.append({"type": "end", "at": float(what)})
            break
        i, s = what
        supports = [list(S) for S in sys.supports]
        if kind == "drop":
            supports[i].remove(s)
        else:
            supports[i].append(s)
        new = SupportSystem(path.shape, supports)
        sigma, v = path.full(sys, w_evt)
        offs = path.offs
        w2 = np.append(
            new.pack([np.clip(sigma[offs[k] : offs[k + 1]], 0, None) for k in range(sys.n)], v),
            w_evt[-1],
        )
        before = _support_label(book, sys)
        # orientation: the side where the new support is an equilibrium, preferring the same
        # direction in the parameter
        tn = path.tangent(new, w2)
        options = []
        for cand in (tn, -tn):
            trial = path.correct(new, w2 + 1e-4 * h0 * cand, cand)
            if trial is not None and path.feasible(new, trial):
                options.append(cand)
        if not options:
            events.append({"type": "stopped", "at": float(w_evt[-1]), "reason": "no continuation"})
            break
        t = max(options, key=lambda c: (np.sign(c[-1]) == np.sign(last_dp), abs(c[-1])))
        after = _support_label(book, new)
        events.append(
            {
                "type": "support-change",
                "at": float(w_evt[-1]),
                "from": before,
                "to": after,
                "strategy": [path.game.players[i], path.game.strategies[i][s]],
                "change": "leaves" if kind == "drop" else "joins",
            }
        )
        if abs(t[-1]) > 1e-9 and np.sign(t[-1]) != np.sign(last_dp):
            events.append({"type": "turning-point", "at": float(w_evt[-1]), "label": before})
            last_dp = np.sign(t[-1])
        sys, w = new, w2
        points.append((w, sys))
    else:
        events.append({"type": "stopped", "at": float(w[-1]), "reason": "max_steps reached"})
    return points, events


def continuation(
    model: Any,
    parameter: str,
    start: float | None = None,
    lo: float | None = None,
    hi: float | None = None,
    *,
    equilibrium: int = 0,
    method: str = "auto",
    step: float | None = None,
    max_steps: int = 5000,
    at: Mapping[str, Any] | None = None,
) -> ContinuationResult:
    """Follow one equilibrium in ``parameter`` from ``start`` to both ends of ``[lo, hi]``.

    Parameters
    ----------
    model
        A model (other parameters at baseline, or at ``at``).
    parameter
        The parameter to vary.
    start
        Where to start (default: the baseline value).
    lo, hi
        Range (default: declared range).
    equilibrium
        Index of the equilibrium at ``start`` to follow.
    method
        Method used to find the starting equilibria.
    step
        Largest arclength step (default: 1/100 of the range).
    max_steps
        Step limit in each direction.
    at
        Values of other parameters.
    """
    model = as_model(model)
    if model.game.form != "normal":
        from ..exceptions import MethodNotApplicableError

        raise MethodNotApplicableError(
            "continuation follows equilibria of normal-form games; for game trees use "
            "sweep, thresholds or sensitivity (or convert the tree with to_normal_form())"
        )
    name = check_parameter(model, parameter)
    if model.game.form != "normal":
        raise InvalidOptionError("continuation handles normal-form games")
    decl = model.parameters[name].range
    if lo is None or hi is None:
        if decl is None:
            raise InvalidGridError(f"parameter {name!r} has no declared range; give lo and hi")
        lo = float(decl[0]) if lo is None else lo
        hi = float(decl[1]) if hi is None else hi
    lo, hi = float(lo), float(hi)
    p0 = float((at or {}).get(name, model.parameters[name].value) if start is None else start)
    if not lo <= p0 <= hi:
        raise InvalidGridError(f"start {p0} is outside [{lo}, {hi}]")
    others = {k: v for k, v in (at or {}).items() if k != name}
    (eqs,), _, description = solve_at(model, [name], np.array([[p0]]), method, others)
    if not 0 <= equilibrium < len(eqs.labels):
        raise InvalidOptionError(
            f"equilibrium {equilibrium} does not exist at {name} = {p0} ({len(eqs.labels)} found)"
        )
    path = _Path(model, name, others)
    probs = eqs.probs[equilibrium]
    supports = [
        np.flatnonzero(probs[path.offs[i] : path.offs[i + 1]] > nb.PROB_TOL)
        for i in range(len(path.shape))
    ]
    sys = SupportSystem(path.shape, supports)
    sigma = [probs[path.offs[i] : path.offs[i + 1]] for i in range(len(path.shape))]
    w0 = np.append(sys.pack(sigma, eqs.payoffs[equilibrium]), p0)
    book = LabelBook(model.game.players, model.game.strategies)
    h0 = step or (hi - lo) / 100
    down, ev_down = (
        _walk(path, sys, w0, -1, lo, hi, h0, max_steps, book) if p0 > lo else ([(w0, sys)], [])
    )
    up, ev_up = (
        _walk(path, sys, w0, +1, lo, hi, h0, max_steps, book) if p0 < hi else ([(w0, sys)], [])
    )
    pts = down[::-1] + up[1:]
    values = np.array([w[-1] for w, _ in pts])
    full = [path.full(s, w) for w, s in pts]
    P = np.array([f[0] for f in full])
    V = np.array([f[1] for f in full])
    codes = book.codes(P)
    labels = [book.text[c] for c in codes]
    segments: list[dict[str, Any]] = []
    for w, s in pts:
        if segments and segments[-1]["_sys"] is s:
            seg = segments[-1]
            seg["range"] = [min(seg["range"][0], w[-1]), max(seg["range"][1], w[-1])]
            seg["points"] += 1
        else:
            segments.append(
                {
                    "_sys": s,
                    "label": _support_label(book, s),
                    "range": [w[-1], w[-1]],
                    "points": 1,
                    "index": _shapley_index(path.U(w[-1]), s),
                }
            )
    for seg in segments:
        del seg["_sys"]
        seg["range"] = [float(x) for x in seg["range"]]
    events = [dict(e, direction="down") for e in ev_down] + [dict(e, direction="up") for e in ev_up]
    return ContinuationResult(
        name, values, P, V, labels, segments, events, {"start": p0, "method": description}
    )
