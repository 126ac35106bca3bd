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
