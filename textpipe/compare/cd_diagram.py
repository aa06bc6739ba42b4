"""The critical-difference diagram of Demšar (2006), drawn with matplotlib (Agg).

An axis of average ranks (1 = best, at the left) across the datasets; each
pipeline hangs from its average rank, the better half labelled on the left,
the others on the right; a thick bar joins each group of pipelines that
Nemenyi's test does not tell apart (average ranks less than the critical
difference apart), and a bar above the axis shows how long the critical
difference is.

Examples
--------
>>> from textpipe.compare.ranks import across_datasets
>>> from types import SimpleNamespace as NS
>>> def board(name, scores):
...     return NS(name=name, primary="accuracy", pipelines=[
...         NS(name=p, metrics={"accuracy": {"mean": s}}) for p, s in scores.items()])
>>> result = across_datasets([board("a", {"x": 0.9, "y": 0.8, "z": 0.7}),
...                           board("b", {"x": 0.8, "y": 0.7, "z": 0.9})])
>>> fig = critical_difference(result)
>>> [t.get_text() for t in fig.axes[0].texts if "CD" in t.get_text()]
['CD = 2.34 (Nemenyi, α = 0.05), longer than the whole axis (2): no two pipelines can differ']
"""

from __future__ import annotations

import numpy as np

from .plots import BEST, _short

__all__ = ["critical_difference"]

#: Figure width in inches, and the room for the labels on each side of the axis.
WIDTH = 10.0
ROW = 0.26          # inches between two labels on one side
NAME_WIDTH = 44     # characters of a name shown (cut in the middle beyond)


def _figure(height: float):
    from matplotlib.figure import Figure  # Agg canvas, never a GUI backend

    return Figure(figsize=(WIDTH, height), dpi=110)


def critical_difference(result):
    """Draw the critical-difference diagram of an :class:`~.ranks.AcrossDatasets`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    k = len(result.pipelines)
    ranks = np.asarray(result.average_ranks, dtype=float)
    left = (k + 1) // 2                            # best ranked first: the left side
    labels = [f"{_short(name, NAME_WIDTH)}  {r:.2f}" if j < left
              else f"{r:.2f}  {_short(name, NAME_WIDTH)}"
              for j, (name, r) in enumerate(zip(result.pipelines, ranks))]
    label_in = min(3.6, 0.3 + 0.066 * max(len(text) for text in labels))
    top, axis_y = 0.42, 0.9                       # inches from the top: title room, the axis
    bars_in = 0.12 * max(1, len(result.groups)) + 0.2
    rows = max(left, k - left)
    height = axis_y + bars_in + ROW * (rows + 0.5) + 0.25
    fig = _figure(height)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(height, 0)                         # inches, downwards
    ax.axis("off")

    x0, x1 = label_in + 0.15, WIDTH - label_in - 0.15

    def x(rank):
        return x0 + (rank - 1) / max(k - 1, 1) * (x1 - x0)

    _axis(ax, k, x, axis_y)
    _cd_bar(ax, result, x, top)
    first_row = axis_y + bars_in + 0.1
    for j, (rank, text) in enumerate(zip(ranks, labels)):
        on_left = j < left
        # the right side half a row lower: pipelines tied in the middle stay apart
        y = first_row + ROW * (j if on_left else k - 1 - j + 0.5)
        end = x0 - 0.1 if on_left else x1 + 0.1
        ax.plot([x(rank), x(rank), end], [axis_y, y, y], color="#444444", lw=0.9)
        ax.text(end - 0.05 if on_left else end + 0.05, y, text, fontsize=8, va="center",
                ha="right" if on_left else "left", color="black")
    for g, group in enumerate(result.groups):
        y = axis_y + 0.22 + 0.12 * g
        ax.plot([x(ranks[group[0]]) - 0.04, x(ranks[group[-1]]) + 0.04], [y, y],
                color="black", lw=3.2, solid_capstyle="butt")
    return fig


def _axis(ax, k: int, x, y: float) -> None:
    """The rank axis: ticks at each whole and half rank, numbered above, 1 = best."""
    ax.plot([x(1), x(k)], [y, y], color="black", lw=1.0)
    for r in np.arange(1, k + 0.01, 0.5 if k <= 12 else 1.0):
        whole = float(r).is_integer()
        ax.plot([x(r), x(r)], [y, y - (0.09 if whole else 0.05)], color="black", lw=1.0)
        if whole:
            ax.text(x(r), y - 0.12, f"{int(r)}", ha="center", va="bottom", fontsize=8)
    ax.text(x(k) + 0.15, y, "average rank\n(1 = best)", ha="left", va="center", fontsize=7,
            color="#555555")


def _cd_bar(ax, result, x, y: float) -> None:
    """A bar as long as the critical difference, from rank 1, its value above it.

    A CD longer than the axis (no two pipelines can differ) is drawn to the
    axis' end, and its label says so.
    """
    k = len(result.pipelines)
    end = min(1 + result.cd, k)
    ax.plot([x(1), x(end)], [y, y], color=BEST, lw=1.4)
    for r in (1, end):
        ax.plot([x(r), x(r)], [y - 0.05, y + 0.05], color=BEST, lw=1.4)
    text = f"CD = {result.cd:.2f} (Nemenyi, α = {result.alpha:g})"
    if 1 + result.cd > k:
        text += f", longer than the whole axis ({k - 1}): no two pipelines can differ"
    ax.text((x(1) + x(end)) / 2, y - 0.08, text, ha="center", va="bottom", fontsize=8,
            color=BEST)
