"""The report's plots, drawn with matplotlib's Agg backend (no display needed).

Each function takes a :class:`~textpipe.compare.results.DatasetResults` (or a
pipeline of one) and returns a ``matplotlib.figure.Figure``; :func:`png` turns
it into PNG bytes. Pipelines are shown in rank order, best at the top, and
coloured by how they compare with the best: the best, not significantly
different, or significantly worse.

Examples
--------
>>> from textpipe.compare.plots import png
>>> import matplotlib.figure
>>> png(matplotlib.figure.Figure(figsize=(1, 1)))[:8]
b'\\x89PNG\\r\\n\\x1a\\n'
"""

from __future__ import annotations

import io

import numpy as np

BEST, SAME, WORSE = "#1f4e9c", "#6f9ed8", "#b9b9b9"
FOLD_COLOURS = "tab10"


def _figure(width: float, height: float):
    from matplotlib.figure import Figure  # Agg canvas, never a GUI backend

    fig = Figure(figsize=(width, height), dpi=110)
    fig.set_layout_engine("constrained")
    return fig


def png(fig) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _colour(summary) -> str:
    if summary.vs_best is None:
        return BEST
    return WORSE if summary.vs_best["significant"] else SAME


def _short(name: str, width: int = 64) -> str:
    """``name``, cut in the middle if too long (the ends tell variants apart)."""
    if len(name) <= width:
        return name
    keep = width - 1
    return name[: keep - keep // 2] + "…" + name[len(name) - keep // 2:]


def _rows(results):
    pipelines = results.pipelines
    return pipelines, np.arange(len(pipelines))[::-1]


def _width(pipelines) -> float:
    """Figure width that leaves room for the longest pipeline label."""
    longest = max(len(_short(p.name)) for p in pipelines)
    return min(13.0, 5.0 + 0.062 * longest)


def _legend(ax):
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker="o", ls="", color=c, label=l) for c, l in
               ((BEST, "best"), (SAME, "not significantly worse"), (WORSE, "significantly worse"))]
    ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=False,
              bbox_to_anchor=(0, 1.0), ncols=3)


def _single_split(results) -> bool:
    return results.protocol["folds"] == 1


def scores(results, metric: str | None = None):
    """Mean score and 95% confidence interval of every pipeline (on one split: its score)."""
    metric = metric or results.primary
    pipelines, y = _rows(results)
    fig = _figure(_width(pipelines), 1.3 + 0.28 * len(pipelines))
    ax = fig.add_subplot()
    for summary, yi in zip(pipelines, y):
        m = summary.metrics[metric]
        colour = _colour(summary)
        if m["ci"]:
            ax.plot(m["ci"], [yi, yi], color=colour, lw=2.2, solid_capstyle="butt")
        ax.plot([m["mean"]], [yi], "o", color=colour, ms=5, zorder=3)
    ax.axvline(results.best.metrics[metric]["mean"], color=BEST, lw=0.8, ls="--")
    ax.set_yticks(y, [_short(p.name) for p in pipelines], fontsize=8)
    ax.set_xlabel(f"{metric} (score and its 95% interval)" if _single_split(results)
                  else f"{metric} (mean and 95% CI)", fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    _legend(ax)
    return fig


def folds(results, metric: str | None = None):
    """Every fold's score of every pipeline; one colour per fold."""
    from matplotlib import colormaps

    metric = metric or results.primary
    pipelines, y = _rows(results)
    fig = _figure(_width(pipelines), 1.6 + 0.28 * len(pipelines))
    ax = fig.add_subplot()
    cmap = colormaps[FOLD_COLOURS]
    n_folds = len(pipelines[0].metrics[metric]["folds"])
    for summary, yi in zip(pipelines, y):
        values = summary.metrics[metric]["folds"]
        ax.plot([min(values), max(values)], [yi, yi], color="#cccccc", lw=1, zorder=1)
        for j, v in enumerate(values):
            ax.plot([v], [yi], "o", color=cmap(j % 10), ms=4, zorder=2,
                    label=f"fold {j + 1}" if yi == y[0] else None)
        ax.plot([summary.metrics[metric]["mean"]], [yi], "D", color="black", ms=4, zorder=3,
                label="mean" if yi == y[0] else None)
    ax.set_yticks(y, [_short(p.name) for p in pipelines], fontsize=8)
    ax.set_xlabel(f"{metric} on each fold (the same folds for every pipeline)", fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.legend(loc="outside lower center", fontsize=7, frameon=False,
               ncols=min(n_folds + 1, 6), handletextpad=0.2, columnspacing=0.8)
    return fig


def time_vs_score(results, metric: str | None = None):
    """Fit seconds per fold against mean score; points labelled by rank."""
    metric = metric or results.primary
    fig = _figure(7.5, 4.2)
    ax = fig.add_subplot()
    for summary in results.pipelines:
        m = summary.metrics[metric]
        x = max(summary.fit_seconds, 1e-3)
        colour = _colour(summary)
        if m["ci"]:
            ax.plot([x, x], m["ci"], color=colour, lw=1.2, alpha=0.7)
        ax.plot([x], [m["mean"]], "o", color=colour, ms=6)
        ax.annotate(str(summary.rank), (x, m["mean"]), xytext=(4, 3),
                    textcoords="offset points", fontsize=7)
    ax.set_xscale("log")
    from matplotlib.ticker import FuncFormatter

    plain = FuncFormatter(lambda v, _: f"{v:g}")
    ax.xaxis.set_major_formatter(plain)
    ax.xaxis.set_minor_formatter(FuncFormatter(  # label 0.2, 0.5, 2, 5, 20, ...
        lambda v, _: f"{v:g}" if f"{v:g}".lstrip("0.")[:1] in ("2", "5") else ""))
    single = _single_split(results)
    ax.set_xlabel(f"fit seconds{'' if single else ' per fold'} (log scale; each step as if "
                  f"run alone)", fontsize=9)
    ax.set_ylabel(f"{metric} (score, 95% interval)" if single else f"{metric} (mean, 95% CI)",
                  fontsize=9)
    ax.tick_params(which="both", labelsize=8)
    ax.grid(alpha=0.3, which="both")
    _legend(ax)
    return fig


def confusion(results):
    """Confusion matrix of the best pipeline, over all test predictions."""
    names = results.data.get("label_names") or {}
    labels = [names.get(label, label) for label in results.confusion["labels"]]
    matrix = np.asarray(results.confusion["matrix"])
    size = 2.2 + 0.45 * len(labels)
    fig = _figure(size + 1.0, size)
    ax = fig.add_subplot()
    image = ax.imshow(matrix, cmap="Blues")
    high = matrix.max() if matrix.size else 0
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(j, i, str(count), ha="center", va="center", fontsize=8,
                color="white" if count > high / 2 else "black")
    ax.set_xticks(range(len(labels)), labels, fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted", fontsize=9)
    ax.set_ylabel("true", fontsize=9)
    ax.set_title(_short(results.confusion["pipeline"], 60), fontsize=9)
    fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


def class_title(label: str, names: dict | None = None) -> str:
    """``"class LOC (4)"`` where the data names its labels, else ``"class 4"``.

    Examples
    --------
    >>> class_title("4", {"4": "LOC"}), class_title("pos")
    ('class LOC (4)', 'class pos')
    """
    name = (names or {}).get(label)
    return f"class {label}" if name is None or name == label else f"class {name} ({label})"


def weight_sides(top_features, names: dict | None = None) -> dict[str, tuple[str, str]]:
    """Per class, how its weights are signed: (short header note, axis label).

    A binary linear model has one row of weights: > 0 points to the second
    class (listed first), < 0 to the first, whose panel shows the weights negated.

    Examples
    --------
    >>> weight_sides({"pos": [], "neg": []})["neg"]
    ('−weight: weight < 0', '−weight (weight < 0 points to neg)')
    """
    labels = list(top_features)
    shown = {label: (names or {}).get(label, label) for label in labels}
    if len(labels) != 2:
        return {label: ("weight", f"weight for {shown[label]}") for label in labels}
    positive, negative = labels
    return {positive: ("weight > 0", f"weight (> 0 points to {shown[positive]})"),
            negative: ("−weight: weight < 0",
                       f"−weight (weight < 0 points to {shown[negative]})")}


def top_features(summary, n: int = 20, names: dict | None = None):
    """The features with the largest weights per class, averaged over folds.

    ``names`` gives the label names of the data, if it has them.
    """
    classes = list(summary.top_features)
    n = min(n, max(len(v) for v in summary.top_features.values()))
    cols = min(len(classes), 3)
    rows = int(np.ceil(len(classes) / cols))
    fig = _figure(3.0 * cols + 0.8, 0.6 + rows * (0.5 + 0.17 * n))
    sides = weight_sides(summary.top_features, names)
    for k, label in enumerate(classes):
        ax = fig.add_subplot(rows, cols, k + 1)
        items = summary.top_features[label][:n][::-1]
        ax.barh(range(len(items)), [w for _, w in items], color=BEST if k % 2 else SAME)
        ax.set_yticks(range(len(items)), [_short(f, 24) for f, _ in items], fontsize=7)
        ax.set_title(class_title(label, names), fontsize=9)
        ax.set_xlabel(sides[label][1], fontsize=7)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"Largest weights for each class: {_short(summary.name, 60)}", fontsize=9)
    return fig


def effects(found, alpha: float = 0.05):
    """Forest plot of grid choices: each level's mean paired difference against its
    reference, with its 95% interval, around a zero line (see :mod:`.effects`)."""
    rows = found["effects"]
    scale, unit = found["scale"], found["unit"]
    labels = [_short(("" if not found["several_grids"] else f"{e['grid']}: ")
                     + f"{e['factor']}={e['level']} vs {e['reference']}") for e in rows]
    y = np.arange(len(rows))[::-1]
    fig = _figure(min(13.0, 5.0 + 0.062 * max(len(label) for label in labels)),
                  1.4 + 0.3 * len(rows))
    ax = fig.add_subplot()
    ax.axvline(0, color="black", lw=0.8)
    for e, yi in zip(rows, y):
        colour = BEST if e["p_value"] is not None and e["p_value"] < alpha else SAME
        if e["ci"]:
            ax.plot([scale * v for v in e["ci"]], [yi, yi], color=colour, lw=2.2,
                    solid_capstyle="butt")
        ax.plot([scale * e["difference"]], [yi], "o", color=colour, ms=5, zorder=3)
    for k in range(1, len(rows)):  # a faint line between factors
        if rows[k]["factor"] != rows[k - 1]["factor"]:
            ax.axhline(y[k] + 0.5, color="#dddddd", lw=0.8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel(f"difference in {found['metric']} ({unit}) against the reference, "
                  f"mean and 95% interval", fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    from matplotlib.lines import Line2D

    ax.legend(handles=[Line2D([], [], marker="o", ls="", color=c, label=l) for c, l in
                       ((BEST, f"p < {alpha:g}"), (SAME, f"p ≥ {alpha:g}"))],
              loc="lower left", fontsize=7, frameon=False, bbox_to_anchor=(0, 1.0), ncols=2)
    return fig
