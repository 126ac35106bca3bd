"""The predictor-corrector walk behind :func:`~gametheory.analysis.continuation`.

A branch is a curve in the space ``w = (z, p)`` of support unknowns ``z``
(:class:`~gametheory.analysis.supportsys.SupportSystem`) and the parameter
``p``.  :func:`walk` follows it in one direction of ``p`` with pseudo-arclength
steps.  When a step makes a support probability or a best-response slack
negative, or leaves the range, the crossing is refined by regula falsi and the
support switches there.

Degenerate parameter values need care:

* several probabilities and slacks can reach zero at the same value, and the
  branch may go on only when several strategies join or leave at once (two
  equilibria meeting at a pure profile); :func:`_switch` tries every set of
  the changes that are due, smallest first;
* the branch can run through a *continuum* of equilibria at one parameter
  value (a piece of the curve along which ``p`` is constant); it is reported
  as a ``"continuum"`` event, not as a support segment;
* the branch can be a closed loop; the walk stops where it started
  (``"closed-loop"`` event).
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from typing import Any

import numpy as np

from .supportsys import SupportSystem
from .table import LabelBook

EPS = 1e-10
#: A probability or slack this close to zero (slacks relative to the payoff scale) at a
#: support change is a change that is due there too.
DUE = 1e-8
#: Largest number of strategies joining or leaving the support at once.
MAX_CHANGES = 3


class Path:
    """Payoffs and derivatives of a symbolic normal form along one parameter.

    Parameters
    ----------
    model
        The model (normal form, payoffs sympy expressions or numbers).
    name
        The varied parameter.
    at
        Values of the other parameters (default: baselines).
    """

    def __init__(self, model: Any, name: str, at: Mapping[str, Any] | None) -> None:
        import sympy as sp

        game = model.game
        self.game = game
        self.shape = game.shape
        self.offs = np.concatenate([[0], np.cumsum(self.shape)])
        values = model.resolve(**dict(at or {}))
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
        """Payoff array at ``p``."""
        return np.array(self._u(*self._args(p)), dtype=float).reshape(self.game.payoff_array.shape)

    def D(self, p: float) -> np.ndarray:
        """Derivative of the payoff array in the parameter at ``p``."""
        return np.array(self._du(*self._args(p)), dtype=float).reshape(self.game.payoff_array.shape)

    def scale(self, p: float) -> float:
        """Payoff magnitude at ``p`` (at least 1), the unit of slacks."""
        return max(1.0, float(np.abs(self.U(p)).max()))

    def residual(self, sys: SupportSystem, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Support equations at ``w`` and their Jacobian in ``(z, p)``."""
        z, p = w[:-1], w[-1]
        F, J = sys.equations(self.U(p), z)
        return F, np.hstack([J, sys.parameter_column(self.D(p), z)[:, None]])

    def tangent(self, sys: SupportSystem, w: np.ndarray) -> np.ndarray:
        """Unit tangent of the solution curve at ``w`` (either orientation)."""
        _, M = self.residual(sys, w)
        return np.linalg.svd(M)[2][-1]

    def correct(self, sys: SupportSystem, w_pred: np.ndarray, t: np.ndarray) -> np.ndarray | None:
        """Newton back onto the curve, in the hyperplane through ``w_pred`` normal to ``t``."""
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
        """Whether ``w`` is an equilibrium: probabilities and slacks non-negative."""
        z = w[:-1]
        if sys.probabilities(z).min() < -EPS:
            return False
        return all(s >= -1e-9 for _, _, s in sys.slacks(self.U(w[-1]), z))

    def full(self, sys: SupportSystem, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All strategies' probabilities (concatenated) and the payoffs at ``w``."""
        sigma = sys.sigma(w[:-1])
        return np.concatenate(sigma), w[-1 - self.game.num_players : -1]


def support_label(book: LabelBook, sys: SupportSystem) -> str:
    """Label of the support of ``sys`` (``"mixed: Seoul{withhold,arm} Moscow{restrain}"``)."""
    mask = np.concatenate(
        [np.isin(np.arange(m), S).astype(float) for m, S in zip(sys.shape, sys.supports)]
    )
    return book.text[book.codes(mask[None])[0]]


def common_label(book: LabelBook, probs: np.ndarray) -> str:
    """The most common support label of the profiles ``probs`` (one per row)."""
    codes = book.codes(probs)
    return book.text[int(np.bincount(codes).argmax())]


def _key(sys: SupportSystem) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(int(s) for s in S) for S in sys.supports)


def _event_value(path: Path, sys: SupportSystem, w: np.ndarray, kind: str, what: Any) -> float:
    if kind == "end":
        return float(w[-1] - what)
    if kind == "drop":
        return float(w[sys.pos[what]])
    return next(v for i, s, v in sys.slacks(path.U(w[-1]), w[:-1]) if (i, s) == what)


def _refine(
    path: Path, sys: SupportSystem, w: np.ndarray, t: np.ndarray, h: float, lam: float,
    kind: str, what: Any,
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
    return best


def _first_event(
    path: Path, sys: SupportSystem, w: np.ndarray, w_new: np.ndarray, lo: float, hi: float,
    tol_p: float,
) -> tuple[float, str | None, Any]:
    """Fraction of the step ``w -> w_new`` where the first event happens, its kind and subject."""
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
    p0, p1 = w[-1], w_new[-1]
    for bound, side in ((lo, -1.0), (hi, 1.0)):
        if side * (p1 - bound) > tol_p:  # the step leaves the range
            f = (bound - p0) / (p1 - p0) if side * (bound - p0) > 0 else 0.0
            if f <= lam:
                lam, kind, what = max(f, 0.0), "end", bound
    return lam, kind, what


def _due(path: Path, sys: SupportSystem, w: np.ndarray, first: tuple[str, Any]) -> list:
    """The changes due at ``w``: ``first``, then every other zero probability or slack."""
    z = w[:-1]
    out = [first]
    for k, (i, s) in enumerate(sys.var):
        if z[k] <= DUE and ("drop", (i, s)) != first:
            out.append(("drop", (i, s)))
    tol = DUE * path.scale(w[-1])
    for i, s, v in sys.slacks(path.U(w[-1]), z):
        if v <= tol and ("add", (i, s)) != first:
            out.append(("add", (i, s)))
    return out


def _switch(
    path: Path, sys: SupportSystem, w: np.ndarray, first: tuple[str, Any], last_dp: float,
    h0: float, visited: set,
) -> tuple[SupportSystem, np.ndarray, np.ndarray, list] | str | None:
    """The support (and direction) the branch goes on with after the event ``first`` at ``w``.

    Tries the sets of due changes by size (those with ``first`` before the others);
    supports already visited at this parameter value are skipped (no going back), and
    so are supports whose equilibria near ``w`` form a set of dimension two or more
    (there the path is not a curve).  Returns ``(new system, its unknowns at w,
    tangent, changes)``; ``"wide"`` when only such supports went on; else None.
    """
    due = _due(path, sys, w, first)
    wide = False
    sigma, v = path.full(sys, w)
    offs = path.offs
    parts = [np.clip(sigma[offs[k] : offs[k + 1]], 0, None) for k in range(sys.n)]
    for size in range(1, min(MAX_CHANGES, len(due)) + 1):
        for changes in combinations(due, size):
            supports = [set(S.tolist()) for S in sys.supports]
            for kind, (i, s) in changes:
                (supports[i].discard if kind == "drop" else supports[i].add)(s)
            if not all(supports):
                continue
            new = SupportSystem(path.shape, [sorted(S) for S in supports])
            if _key(new) in visited:
                continue
            w2 = np.append(new.pack(parts, v), w[-1])
            if _wide(path, new, w2):
                wide = True  # the path is not a curve there
                continue
            tn = path.tangent(new, w2)
            options = []
            for cand in (tn, -tn):
                trial = path.correct(new, w2 + 1e-4 * h0 * cand, cand)
                if trial is not None and path.feasible(new, trial):
                    options.append(cand)
            if options:
                t = max(options, key=lambda c: (np.sign(c[-1]) == np.sign(last_dp), abs(c[-1])))
                return new, w2, t, list(changes)
    return "wide" if wide else None


def _wide(path: Path, sys: SupportSystem, w: np.ndarray) -> bool:
    """Whether the equilibria on ``sys`` near ``w`` form a set of dimension two or more."""
    sv = np.linalg.svd(path.residual(sys, w)[1], compute_uv=False)
    return bool(sv[-1] <= 1e-9 * sv[0])


def regular_start(
    path: Path, sys: SupportSystem, w: np.ndarray
) -> tuple[SupportSystem, np.ndarray]:
    """A system whose solutions near ``w`` form a curve, for a start point ``w`` on ``sys``.

    In a degenerate game the support of an equilibrium can leave a set of equilibria of
    dimension two or more (a player indifferent whatever the others do); an extreme
    equilibrium there has best responses at probability zero, and keeping them in the
    equations (at zero) follows the extreme equilibrium.  Returns ``sys`` and ``w``
    unchanged when they already define a curve or no such set of best responses does.
    """
    if not _wide(path, sys, w):
        return sys, w
    tol = DUE * path.scale(w[-1])
    due = [(i, s) for i, s, v in sys.slacks(path.U(w[-1]), w[:-1]) if v <= tol]
    sigma, v = path.full(sys, w)
    parts = [sigma[path.offs[k] : path.offs[k + 1]] for k in range(sys.n)]
    for size in range(1, min(MAX_CHANGES, len(due)) + 1):
        for adds in combinations(due, size):
            supports = [set(S.tolist()) for S in sys.supports]
            for i, s in adds:
                supports[i].add(s)
            new = SupportSystem(path.shape, [sorted(S) for S in supports])
            w2 = np.append(new.pack(parts, v), w[-1])
            if not _wide(path, new, w2):
                return new, w2
    return sys, w


def _passes(w0: np.ndarray, w: np.ndarray, w_new: np.ndarray) -> bool:
    """Whether the step ``w -> w_new`` runs through ``w0`` (closing a loop)."""
    d = w_new - w
    n2 = float(d @ d)
    if n2 == 0.0:
        return False
    s = float((w0 - w) @ d) / n2
    if not 0.0 <= s <= 1.0:
        return False
    return float(np.linalg.norm(w + s * d - w0)) <= 0.1 * np.sqrt(n2) + 1e-9


def walk(
    path: Path, sys: SupportSystem, w: np.ndarray, direction: int, lo: float, hi: float,
    h0: float, max_steps: int, book: LabelBook,
) -> tuple[list, list, bool]:
    """Follow the branch from ``w`` with the parameter moving in ``direction`` (+1 or -1).

    Returns
    -------
    points
        ``(w, system)`` along the path; at a support change the point appears once
        in the old system and once in the new one.
    events
        Support changes, continua, turning points, the end, or why the walk stopped.
    closed
        True when the branch is a closed loop through the start (walked completely).
        A branch can also run into a loop elsewhere (at a degenerate value where
        several branches meet); the walk then stops when it reaches a support change
        it has made before (``"closed-loop"`` event, ``closed`` False).
    """
    tol_p = 1e-9 * (hi - lo)
    w_start, start_key = w.copy(), _key(sys)
    points = [(w, sys)]
    events: list[dict[str, Any]] = []
    t = path.tangent(sys, w)
    t = t if np.sign(t[-1]) == direction or (t[-1] == 0 and direction > 0) else -t
    h = h0
    last_dp = float(direction)
    run = 0  # index in points where the current support's run began
    here, visited = w[-1], {start_key}  # supports visited at the parameter value `here`
    changed = False
    switches: list[tuple] = []  # (old support, new support, where) of each switch so far

    def close_run() -> None:
        ps = np.array([q[-1] for q, _ in points[run:]])
        pr = np.array([path.full(sys, q)[0] for q, _ in points[run:]])
        if np.ptp(ps) <= tol_p and np.ptp(pr, axis=0).max() > 1e-9:
            events.append({"type": "continuum", "at": float(ps[0]),
                           "label": common_label(book, pr)})

    for _ in range(max_steps):
        w_new = path.correct(sys, w + h * t, t)
        if w_new is None or np.abs(w_new - w).max() > 4 * h + 1e-9:
            h /= 2
            if h < h0 * 1e-8:
                events.append({"type": "stopped", "at": float(w[-1]), "reason": "corrector failed"})
                break
            continue
        lam, kind, what = _first_event(path, sys, w, w_new, lo, hi, tol_p)
        if kind is None:
            t_new = path.tangent(sys, w_new)
            t_new = t_new if t_new @ t >= 0 else -t_new
            if abs(t_new[-1]) > 1e-9 and np.sign(t_new[-1]) != np.sign(last_dp):
                events.append({"type": "turning-point", "at": float(w_new[-1]),
                               "label": support_label(book, sys)})
            if abs(t_new[-1]) > 1e-9:
                last_dp = float(np.sign(t_new[-1]))
            if changed and _key(sys) == start_key and _passes(w_start, w, w_new):
                points.append((w_start, sys))
                close_run()
                events.append({"type": "closed-loop", "at": float(w_start[-1])})
                return points, events, True
            w, t = w_new, t_new
            if abs(w[-1] - here) > tol_p:
                here, visited = w[-1], {_key(sys)}
            points.append((w, sys))
            h = min(h * 1.5, h0)
            continue
        if kind == "end":
            w_evt = w.copy() if lam == 0.0 else _refine(path, sys, w, t, h, lam, kind, what)
            w_evt[-1] = what
            points.append((w_evt, sys))
            close_run()
            events.append({"type": "end", "at": float(what)})
            break
        w_evt = _refine(path, sys, w, t, h, lam, kind, what)
        points.append((w_evt, sys))
        if abs(w_evt[-1] - here) > tol_p:
            here, visited = w_evt[-1], {_key(sys)}
        found = _switch(path, sys, w_evt, (kind, what), last_dp, h0, visited)
        close_run()
        if found is None or isinstance(found, str):
            reason = (
                "no continuation: the equilibria at this value form a set of dimension two "
                "or more" if found == "wide" else "no continuation"
            )
            events.append({"type": "stopped", "at": float(w_evt[-1]), "reason": reason})
            break
        new, w2, t, changes = found
        seen = [q for k0, k1, q in switches if (k0, k1) == (_key(sys), _key(new))]
        if any(np.abs(q - w_evt).max() <= 1e-7 * (1.0 + np.abs(w_evt).max()) for q in seen):
            events.append({"type": "closed-loop", "at": float(w_evt[-1])})
            return points, events, False  # the branch runs into a loop it has walked already
        switches.append((_key(sys), _key(new), w_evt))
        before, after = support_label(book, sys), support_label(book, new)
        for ckind, (i, s) in changes:  # simultaneous when several
            events.append({
                "type": "support-change",
                "at": float(w_evt[-1]),
                "from": before,
                "to": after,
                "strategy": [path.game.players[i], path.game.strategies[i][s]],
                "change": "leaves" if ckind == "drop" else "joins",
            })
        if abs(t[-1]) > 1e-9 and np.sign(t[-1]) != np.sign(last_dp):
            events.append({"type": "turning-point", "at": float(w_evt[-1]), "label": before})
            last_dp = float(np.sign(t[-1]))
        changed = True
        sys, w = new, w2
        visited.add(_key(sys))
        run = len(points)
        points.append((w, sys))
    else:
        events.append({"type": "stopped", "at": float(w[-1]), "reason": "max_steps reached"})
    return points, events, False
