"""Figures of sweep results (matplotlib, imported lazily)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..exceptions import GameTheoryError


def _pyplot(path: Any) -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ImportError("plotting needs matplotlib: pip install 'gametheory[plot]'") from None
    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def plot_sweep(result: Any, path: str | os.PathLike | None = None, ax: Any = None) -> Any:
    """Plot a sweep: probabilities against the parameter (1-D) or a regime map (2-D).

    Parameters
    ----------
    result
        A :class:`~gametheory.analysis.SweepResult` held in memory.
    path
        Save the figure there (format from the extension: PNG, PDF, SVG...).
    ax
        Draw on these axes (2-D) instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    k = len(result.parameters)
    if k not in (1, 2) or result.points.axes is None:
        raise GameTheoryError("plot() draws 1-D and 2-D grid sweeps only")
    plt = _pyplot(path)
    fig = _plot_1d(plt, result) if k == 1 else _plot_2d(plt, result, ax)
    if path is not None:
        fig.savefig(path, bbox_inches="tight")
    return fig


def _plot_1d(plt: Any, result: Any) -> Any:
    n = len(result.players)
    fig, axes = plt.subplots(n, 1, figsize=(7, 2.6 * n), sharex=True, squeeze=False)
    x = result.values()[:, 0] if len(result) else np.zeros(0)
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in result.strategies])])
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (player, strats) in enumerate(zip(result.players, result.strategies)):
        ax = axes[i, 0]
        for s_idx, strat in enumerate(strats):
            col = colours[s_idx % len(colours)]
            for b in np.unique(result.branch):
                sel = result.branch == b
                order = np.argsort(x[sel], kind="stable")
                ax.plot(
                    x[sel][order],
                    result.probs[sel, offsets[i] + s_idx][order],
                    "-o",
                    color=col,
                    markersize=2,
                    linewidth=1.2,
                    label=strat if b == result.branch.min() else None,
                )
        ax.set_ylabel(f"P({player})")
        ax.set_ylim(-0.05, 1.05)
        ax.legend(loc="best", fontsize="small")
    axes[-1, 0].set_xlabel(result.parameters[0])
    fig.tight_layout()
    return fig


def _legend_text(k: int, name: Any, width: int = 100, lines: int = 3) -> str:
    """A regime's legend entry, wrapped, and cut after a few lines (tree regimes are long)."""
    import textwrap

    parts = textwrap.wrap(str(name), width, break_on_hyphens=False) or [""]
    if len(parts) <= lines:
        return "\n".join(parts)
    return f"regime {k + 1}: " + "\n".join(parts[:lines]) + " ..."


def _plot_2d(plt: Any, result: Any, ax: Any) -> Any:
    regimes = result.regimes()
    names, codes = np.unique(regimes, return_inverse=True)
    shape = result.points.shape
    grid = codes.reshape(shape)
    xs, ys = result.points.axes
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 5))
    else:
        fig = ax.figure
    cmap = plt.get_cmap("tab10" if len(names) <= 10 else "tab20", len(names))
    ax.pcolormesh(xs, ys, grid.T, cmap=cmap, vmin=-0.5, vmax=len(names) - 0.5, shading="nearest")
    from matplotlib.patches import Patch

    ax.legend(
        handles=[Patch(color=cmap(k), label=_legend_text(k, name)) for k, name in enumerate(names)],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.15),
        fontsize="small",
    )
    ax.set_xlabel(result.parameters[0])
    ax.set_ylabel(result.parameters[1])
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------ Monte Carlo, tornado
#: Regimes drawn in their own colour; the rest share one grey ("other regimes").
MAX_REGIME_COLOURS = 9
MC_KINDS = ("both", "shares", "scatter")


def save_figure(fig: Any, path: str | os.PathLike) -> None:
    """Save without timestamps or random ids, so the same figure gives the same file.

    Parameters
    ----------
    fig
        A matplotlib figure.
    path
        Target; the format comes from the extension (PNG, SVG, PDF...).
    """
    import matplotlib

    ext = os.path.splitext(os.fspath(path))[1].lower()
    metadata: dict[str, Any] | None = None
    if ext == ".svg":
        metadata = {"Date": None}
    elif ext in (".pdf", ".ps", ".eps"):
        metadata = {"CreationDate": None}
    with matplotlib.rc_context({"svg.hashsalt": "gametheory"}):
        fig.savefig(path, bbox_inches="tight", metadata=metadata)


def _regime_colours(result: Any) -> tuple[list[Any], list[tuple[str, Any]]]:
    """Colour of each regime code, and ``(legend text, colour)`` rows, largest share first."""
    import matplotlib.colors as mcolors

    tab = [mcolors.to_rgba(c) for c in mcolors.TABLEAU_COLORS.values()]
    grey = mcolors.to_rgba("0.6")
    colours: list[Any] = [grey] * len(result.regimes)
    legend: list[tuple[str, Any]] = []
    shares = result.shares()
    for rank, row in enumerate(shares):
        k = result.regimes.index(row["label"])
        if rank < MAX_REGIME_COLOURS or len(shares) == MAX_REGIME_COLOURS + 1:
            colours[k] = tab[rank % len(tab)]
            legend.append((_legend_text(rank, row["label"], width=60), colours[k]))
    if len(legend) < len(shares):
        legend.append((f"{len(shares) - len(legend)} other regimes", grey))
    return colours, legend


def plot_montecarlo(
    result: Any,
    path: str | os.PathLike | None = None,
    kind: str = "both",
    parameters: Any = None,
) -> Any:
    """Plot a Monte Carlo run: regime shares with confidence intervals, and the draws.

    Parameters
    ----------
    result
        A :class:`~gametheory.analysis.MonteCarloResult`.
    path
        Save the figure there (format from the extension: PNG, PDF, SVG...).
        The file has no timestamp, so a seeded run gives the same file.
    kind
        ``"shares"``: each regime's share as a bar with its Wilson interval as
        an error bar (largest on top).  ``"scatter"``: the draws over two
        sampled parameters, coloured by regime (a stacked histogram when only
        one parameter was sampled).  ``"both"`` (default): side by side.
    parameters
        The one or two sampled parameters of the scatter (default: the two
        that best separate the regimes, :meth:`~.MonteCarloResult.best_parameters`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..exceptions import InvalidOptionError

    if kind not in MC_KINDS:
        raise InvalidOptionError(f"unknown kind {kind!r}; choose from: {', '.join(MC_KINDS)}")
    if parameters is None:
        parameters = result.best_parameters(2)
    else:
        parameters = [parameters] if isinstance(parameters, str) else list(parameters)
        for p in parameters:
            if p not in result.names:
                raise InvalidOptionError(
                    f"{p!r} was not sampled; sampled parameters: {', '.join(result.names)}"
                )
        if len(parameters) not in (1, 2) or len(set(parameters)) != len(parameters):
            raise InvalidOptionError(
                f"the scatter plots one or two different parameters, got {parameters}"
            )
    plt = _pyplot(path)
    colours, legend = _regime_colours(result)
    if kind == "both":
        fig, (ax_s, ax_d) = plt.subplots(
            1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [1, 1.2]}
        )
    else:
        fig, ax = plt.subplots(figsize=(7, 4.8))
        ax_s = ax if kind == "shares" else None
        ax_d = ax if kind == "scatter" else None
    if ax_s is not None:
        _shares_panel(result, ax_s, colours)
    if ax_d is not None:
        _draws_panel(result, ax_d, colours, parameters)
        if ax_s is None:
            from matplotlib.patches import Patch

            ax_d.legend(
                handles=[Patch(color=c, label=text) for text, c in legend],
                loc="upper center",
                bbox_to_anchor=(0.5, -0.15),
                fontsize="small",
            )
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig


def _shares_panel(result: Any, ax: Any, colours: list[Any]) -> None:
    rows = result.shares()
    y = np.arange(len(rows))[::-1]
    share = np.array([r["share"] for r in rows])
    lo = np.array([r["ci"][0] for r in rows])
    hi = np.array([r["ci"][1] for r in rows])
    codes = [result.regimes.index(r["label"]) for r in rows]
    ax.barh(y, share, color=[colours[k] for k in codes], height=0.6)
    ax.errorbar(
        share, y, xerr=[share - lo, hi - share], fmt="none", ecolor="black", capsize=4, lw=1
    )
    for yy, s, h in zip(y, share, hi):
        ax.text(h + 0.01, yy, f"{s:.1%}", va="center", fontsize="small")
    ax.set_yticks(y)
    ax.set_yticklabels(
        [_legend_text(k, r["label"], width=40, lines=2) for k, r in enumerate(rows)],
        fontsize="small",
    )
    ax.set_xlim(0, min(1.0, float(hi.max()) + 0.15) if len(rows) else 1.0)
    ax.set_xlabel(f"share of {result.n} draws ({result.confidence:.0%} Wilson interval)")
    ax.set_title("Equilibrium regimes")


def _draws_panel(result: Any, ax: Any, colours: list[Any], parameters: list[str]) -> None:
    cols = [result.names.index(p) for p in parameters]
    c = np.array(colours)[result.regime] if len(result.regime) else np.zeros((0, 4))
    if len(cols) == 2:
        size = 12 if result.n <= 2000 else 4
        ax.scatter(
            result.samples[:, cols[0]],
            result.samples[:, cols[1]],
            c=c,
            s=size,
            linewidths=0,
            rasterized=result.n > 5000,
        )
        ax.set_ylabel(parameters[1])
    else:
        x = result.samples[:, cols[0]]
        order = [result.regimes.index(r["label"]) for r in result.shares()]
        ax.hist(
            [x[result.regime == k] for k in order],
            bins=40,
            stacked=True,
            color=[colours[k] for k in order],
        )
        ax.set_ylabel("draws")
    ax.set_xlabel(parameters[0])
    ax.set_title("Draws by regime")


def plot_tornado(
    result: Any,
    path: str | os.PathLike | None = None,
    outcome: Any = None,
    top: int | None = None,
) -> Any:
    """Tornado chart: for each outcome, one bar per parameter from the baseline to each end.

    Each parameter's bar goes from the outcome at the baseline to its value
    with the parameter at the low end of its range (one colour) and at the
    high end (another); bars are sorted by swing, largest on top.  ``*``
    marks a parameter whose followed equilibrium changes support on the way,
    ``†`` one whose equilibrium disappears (that end is not drawn).

    Parameters
    ----------
    result
        A :class:`~gametheory.analysis.TornadoResult`.
    path
        Save the figure there (format from the extension).
    outcome
        One outcome or a list (default: every outcome of the result).
    top
        Draw only the ``top`` largest swings of each outcome.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..exceptions import GameTheoryError, InvalidOptionError

    outcomes = result.outcomes
    if not outcomes:
        raise GameTheoryError("the tornado has no bars to plot")
    wanted = outcomes if outcome is None else [outcome] if isinstance(outcome, str) else outcome
    wanted = list(wanted)
    for o in wanted:
        if o not in outcomes:
            raise InvalidOptionError(f"unknown outcome {o!r}; choose from: {', '.join(outcomes)}")
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise InvalidOptionError(f"top must be a positive integer, got {top!r}")
    plt = _pyplot(path)
    ncols = 1 if len(wanted) == 1 else 2
    nrows = -(-len(wanted) // ncols)
    per = max(len(result.for_outcome(o)[:top]) for o in wanted)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(6.5 * ncols, nrows * (0.35 * per + 1.3)), squeeze=False
    )
    marks = set()
    for ax, o in zip(axes.flat, wanted):
        marks |= _tornado_panel(ax, result.for_outcome(o)[:top], o)
    for ax in list(axes.flat)[len(wanted) :]:
        ax.set_visible(False)
    handles = [
        plt.Rectangle((0, 0), 1, 1, color="C0", label="parameter at the low end of its range"),
        plt.Rectangle((0, 0), 1, 1, color="C1", label="parameter at the high end of its range"),
    ]
    notes = {"*": "* support changes on the way", "†": "† equilibrium disappears"}
    text = "; ".join(notes[m] for m in sorted(marks))
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize="small",
               bbox_to_anchor=(0.5, -0.02), title=text or None, title_fontsize="small")
    import textwrap

    title = textwrap.shorten(f"following {result.equilibrium}", 180, placeholder=" ...")
    fig.suptitle("\n".join(textwrap.wrap(title, 90, break_on_hyphens=False)), fontsize="medium")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    if path is not None:
        save_figure(fig, path)
    return fig


def _tornado_panel(ax: Any, bars: list[Any], outcome: str) -> set[str]:
    marks: set[str] = set()
    y = np.arange(len(bars))[::-1]
    labels = []
    for yy, b in zip(y, bars):
        for end, colour in ((b.low, "C0"), (b.high, "C1")):
            if np.isfinite(end):
                ax.barh(yy, end - b.baseline, left=b.baseline, color=colour, height=0.6,
                        alpha=0.85)
        suffix = ""
        if b.support_changes:
            suffix += " *"
            marks.add("*")
        if not (np.isfinite(b.low) and np.isfinite(b.high)):
            suffix += " †"
            marks.add("†")
        lo, hi = b.range
        labels.append(f"{b.parameter} [{lo:g}, {hi:g}]{suffix}")
    if bars:
        ax.axvline(bars[0].baseline, color="black", lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize="small")
    ax.set_xlabel(outcome)
    return marks
