"""Learning curves: every pipeline's score against the number of training documents.

``evaluation: {train_sizes: [0.1, 0.25, 0.5, 1.0]}`` in an experiment trains
each pipeline, in each fold, on a subset of the fold's training part of each
size, and tests it on the fold's whole test part. A size is a fraction of the
training part (a float in (0, 1]) or a number of documents (an integer). The
full training part is always the last size (added when the list lacks it), and
the leaderboard is its result.

The subsets are drawn once per fold, with the experiment's seed, so every
pipeline trains on exactly the same documents. They are stratified and nested:
the documents of each class are shuffled and interleaved in proportion to the
class sizes, and a subset of ``n`` documents is the first ``n`` of that order,
so each class has its share (within one document) and the 10% subset lies
inside the 25% one. Each (fold, smaller size) becomes a fold of its own with
the same test documents (:func:`plan_curve`), so the prefix tree shares steps
and the step cache keys each subset apart, exactly as for the protocol's folds.

Per size, a pipeline's mean score and interval are computed as the
leaderboard computes them: the corrected t interval over folds (with the
subset's size as the training size), or on a single split Wilson's interval
or the bootstrap. Two pipelines *cross* where the sign of the difference of
their mean scores changes between consecutive sizes.

Examples
--------
>>> from textpipe.compare.experiment import load_experiment
>>> from textpipe.compare.results import summarize
>>> from textpipe.compare.runner import run_experiment
>>> from textpipe.data import Dataset
>>> exp = load_experiment({
...     "evaluation": {"method": "cv", "folds": 2, "metrics": ["accuracy"],
...                    "train_sizes": [0.5]},
...     "pipelines": [{"name": "nb", "steps": ["tokenize", "count", "multinomial_nb"]}]})
>>> data = Dataset(["good fun", "great fun", "bad dull", "awful dull"] * 4,
...                ["pos", "pos", "neg", "neg"] * 4)
>>> curve = summarize(exp, run_experiment(exp, [data])).datasets[0].learning_curve
>>> [(s["given"], s["documents"]) for s in curve["sizes"]]
[(0.5, 4.0), (1.0, 8.0)]
>>> curve["pipelines"][0]["metrics"]["accuracy"][1]["mean"]
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

import numpy as np

from ..errors import ConfigError, Errors
from ..evaluation.metrics import LOWER_IS_BETTER
from ..evaluation.protocol import Fold, Plan
from .plots import _figure, _short

__all__ = ["CurvePlan", "TrainSizes", "crossovers", "plan_curve", "read_train_sizes",
           "stratified_order", "summarize_curve"]


# -- the experiment's key ----------------------------------------------------------------


@dataclass(frozen=True)
class TrainSizes:
    """``evaluation.train_sizes`` as written, with where it was written."""

    sizes: tuple
    file: str | None = None
    line: int | None = None

    def error(self, message) -> ConfigError:
        return ConfigError(message, file=self.file, line=self.line)


def read_train_sizes(evaluation, problem, line_of) -> tuple[Any, TrainSizes | None]:
    """Take ``train_sizes`` out of an experiment's ``evaluation`` block and check it.

    Parameters
    ----------
    evaluation : mapping or None
        The block as read; returned without the key (the rest is validated as usual).
    problem : callable
        ``problem(message, loc)`` records a problem (the experiment reader's).
    line_of : callable
        ``line_of(loc)`` → the line of a location in the file.

    Returns
    -------
    (evaluation, TrainSizes or None)

    Examples
    --------
    >>> found = []
    >>> rest, sizes = read_train_sizes({"folds": 5, "train_sizes": [0.1, 500, 0.1, 1.5]},
    ...                                lambda m, loc: found.append(m), lambda loc: 3)
    >>> rest, sizes.sizes
    ({'folds': 5}, (0.1, 500))
    >>> [m.split(":")[-1].strip()[:32] for m in found]
    ['evaluation.train_sizes lists 0.1', '1.5 is a fraction above 1. Write']
    """
    if not isinstance(evaluation, dict) or "train_sizes" not in evaluation:
        return evaluation, None
    evaluation = dict(evaluation)
    value = evaluation.pop("train_sizes")
    where = ("evaluation", "train_sizes")
    if not isinstance(value, list) or not value:
        problem(Errors.E690.format(got=repr(value)), where)
        return evaluation, None
    kept: list = []
    for i, size in enumerate(value):
        loc = where + (i,)
        if isinstance(size, bool) or not isinstance(size, Real) or not math.isfinite(size):
            problem(Errors.E690.format(got=repr(value)), loc)
        elif size <= 0:
            problem(Errors.E691.format(value=size), loc)
        elif not isinstance(size, Integral) and size > 1:
            whole = f"e.g. {int(size)}" if float(size).is_integer() else "e.g. 500"
            problem(Errors.E692.format(value=size, whole=whole), loc)
        elif any(type(k) is type(size) and k == size for k in kept):
            problem(Errors.E693.format(value=size), loc)
        else:
            kept.append(int(size) if isinstance(size, Integral) else float(size))
    return evaluation, TrainSizes(tuple(kept), line=line_of(where))


# -- the subsets -------------------------------------------------------------------------


def stratified_order(train, labels, seed: int, fold: int) -> np.ndarray:
    """The fold's training documents in the order subsets take them.

    Each class's documents are shuffled; the ``j``-th of a class of ``n_c``
    gets the key ``(j + 0.5) / n_c``, and documents are sorted by key (ties at
    random). Any first ``n`` then hold each class's share of ``n`` within one
    document, and smaller subsets lie inside larger ones.

    Examples
    --------
    >>> labels = np.array(["a"] * 6 + ["b"] * 3, dtype=object)
    >>> order = stratified_order(np.arange(9), labels, seed=0, fold=0)
    >>> sorted(order.tolist()) == list(range(9)), "".join(labels[order[:3]])
    (True, 'aba')
    """
    train = np.asarray(train)
    rng = np.random.default_rng([seed & 0xFFFFFFFF, fold])
    y = np.asarray(labels, dtype=object)[train]
    keys = np.empty(len(train))
    for label in sorted(set(y.tolist()), key=str):
        where = rng.permutation(np.flatnonzero(y == label))
        keys[where] = (np.arange(len(where)) + 0.5) / len(where)
    return train[np.lexsort((rng.random(len(train)), keys))]


@dataclass
class CurvePlan:
    """The protocol's folds and, after them, one fold per (fold, smaller size).

    Attributes
    ----------
    base : Plan
        The protocol's own folds (the leaderboard's).
    plan : Plan
        ``base``'s folds followed by the subsets' folds; what the runner fits.
    sizes : list of dict
        Per size, smallest first: ``given`` (as written; 1.0 where added),
        ``implicit`` (added because the list lacked the full training part).
    counts : ndarray
        ``[size, fold]`` → training documents.
    folds : ndarray
        ``[size, fold]`` → index of the fold in ``plan`` (the base fold at full size).
    records : dict
        ``(pipeline, size, fold)`` → FoldRecord, filled by :func:`detach`.
    """

    base: Plan
    plan: Plan
    sizes: list
    counts: np.ndarray
    folds: np.ndarray
    records: dict = field(default_factory=dict)

    @property
    def n_extra(self) -> int:
        return len(self.plan.folds) - len(self.base.folds)


def _counts(sizes: TrainSizes, n_train: np.ndarray, dataset: str) -> list:
    """Per size (as given, plus 1.0 if missing), its documents per fold, smallest first."""
    rows = []
    for size in sizes.sizes:
        if isinstance(size, int):
            if size > n_train.min():
                fold = int(np.argmin(n_train))
                raise sizes.error(Errors.E694.format(value=size, dataset=dataset,
                                                     n=int(n_train[fold]), fold=fold + 1))
            counts = np.full(len(n_train), size)
        else:
            counts = np.floor(size * n_train + 0.5).astype(int)
        rows.append({"given": size, "implicit": False, "counts": counts})
    if not any((row["counts"] == n_train).all() for row in rows):
        rows.append({"given": 1.0, "implicit": True, "counts": n_train.copy()})
    rows.sort(key=lambda row: (row["counts"].mean(), isinstance(row["given"], int)))
    for first, second in zip(rows, rows[1:]):
        if (first["counts"] == second["counts"]).all():
            raise sizes.error(Errors.E696.format(first=first["given"], second=second["given"],
                                                 count=int(first["counts"][0]), dataset=dataset))
    return rows


def _check_classes(sizes, size, order, count, labels, fold, dataset) -> None:
    """Raise E695 where the first ``count`` documents of ``order`` lack a class."""
    y = np.asarray(labels, dtype=object)[order]
    for label in sorted(set(y.tolist()), key=str):
        first = int(np.argmax(y == label))  # position of the class's first document
        if first >= count:
            raise sizes.error(Errors.E695.format(
                value=size, count=count, fold=fold + 1, dataset=dataset, label=str(label),
                minimum=first + 1, fraction=(first + 1) / len(order)))


def plan_curve(plan: Plan, sizes: TrainSizes | None, seed: int, dataset: str = "the data"):
    """The folds a learning curve needs over ``plan``, or None without ``train_sizes``.

    Raises
    ------
    ConfigError
        E694 (a count above the smallest training part), E695 (a size that
        leaves a class without a document), E696 (two sizes, one count).

    Examples
    --------
    >>> labels = np.array(["a", "b"] * 10, dtype=object)
    >>> base = Plan("holdout", ["x"] * 20, labels, [Fold(0, np.arange(16), np.arange(16, 20))])
    >>> curve = plan_curve(base, TrainSizes((4, 0.5)), seed=0)
    >>> curve.counts.tolist(), curve.folds.tolist(), [s["implicit"] for s in curve.sizes]
    ([[4], [8], [16]], [[1], [2], [0]], [False, False, True])
    """
    if sizes is None:
        return None
    n_train = np.array([len(f.train) for f in plan.folds])
    rows = _counts(sizes, n_train, dataset)
    folds = list(plan.folds)
    index = np.zeros((len(rows), len(plan.folds)), dtype=int)
    for k, fold in enumerate(plan.folds):
        order = stratified_order(fold.train, plan.labels, seed, fold.index)
        for s, row in enumerate(rows):
            count = int(row["counts"][k])
            if count == len(fold.train):
                index[s, k] = fold.index
                continue
            _check_classes(sizes, row["given"], order, count, plan.labels, k, dataset)
            index[s, k] = len(folds)
            folds.append(Fold(len(folds), np.sort(order[:count]), fold.test))
    extended = Plan(plan.method, plan.texts, plan.labels, folds)
    return CurvePlan(plan, extended, [{"given": r["given"], "implicit": r["implicit"]}
                                      for r in rows],
                     np.array([r["counts"] for r in rows]), index)


def detach(run) -> None:
    """Move the subsets' records from ``run`` to its curve; the run keeps the protocol's folds."""
    curve = run.curve
    for (p, f), record in list(run.records.items()):
        for s, k in zip(*np.nonzero(curve.folds == f)):
            curve.records[(p, int(s), int(k))] = record
        if f >= len(curve.base.folds):
            del run.records[(p, f)]
    run.plan = curve.base


# -- summaries -----------------------------------------------------------------------------


def _documents(n: float) -> str:
    return f"{n:,.0f}"


def crossovers(names, means, documents, lower_is_better: bool = False) -> list[dict]:
    """Where two pipelines' curves cross: the sign of their mean difference changes.

    Parameters
    ----------
    names : list of str
    means : array-like
        ``[pipeline, size]`` → mean score, sizes smallest first.
    documents : list of float
        Training documents at each size.
    lower_is_better : bool, default=False

    Returns
    -------
    list of dict
        ``pipeline`` (ahead at the larger size), ``overtakes``, ``between``
        (documents at the two sizes), ``text``. A tie at a size is skipped
        over: the crossing lies between the nearest sizes that differ.

    Examples
    --------
    >>> [c["text"] for c in crossovers(["cnn", "nbsvm"], [[0.6, 0.7, 0.8], [0.7, 0.75, 0.78]],
    ...                                [1000, 2130, 4265])]
    ['cnn overtakes nbsvm between 2,130 and 4,265 training documents']
    """
    means = np.asarray(means, dtype=float) * (-1 if lower_is_better else 1)
    found = []
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            diff = means[a] - means[b]
            signed = [(i, np.sign(d)) for i, d in enumerate(diff) if d != 0 and np.isfinite(d)]
            for (i, before), (j, after) in zip(signed, signed[1:]):
                if before == after:
                    continue
                ahead, behind = (names[a], names[b]) if after > 0 else (names[b], names[a])
                found.append({
                    "pipeline": ahead, "overtakes": behind,
                    "between": [float(documents[i]), float(documents[j])],
                    "text": f"{ahead} overtakes {behind} between {_documents(documents[i])} "
                            f"and {_documents(documents[j])} training documents"})
    return found


def summarize_curve(experiment, run, metric_summary) -> dict | None:
    """The learning curve of one dataset, for ``results.json`` and the report.

    ``metric_summary`` is the leaderboard's own per-metric summary (mean, std,
    interval, fold scores), so each size gets the same interval method.
    """
    curve = getattr(run, "curve", None)
    if curve is None:
        return None
    metrics = list(experiment.evaluation.metrics)
    seed = experiment.evaluation.seed
    base, plan = curve.base, curve.plan
    n_train = np.array([len(f.train) for f in base.folds], dtype=float)
    documents = curve.counts.mean(axis=1)
    pipelines, method = [], None
    for p, candidate in enumerate(experiment.candidates):
        out = {}
        for metric in metrics:
            out[metric] = []
            for s in range(len(curve.sizes)):
                records = [curve.records[(p, s, k)] for k in range(len(base.folds))]
                folds = [plan.folds[i] for i in curve.folds[s]]
                truth = plan.labels[folds[0].test]
                summary, method_here = metric_summary(
                    [r.scores[metric] for r in records], plan, folds,
                    (truth, records[0], seed), metric)
                out[metric].append(summary)
                method = method_here if metric == metrics[0] and method is None else method
        pipelines.append({"name": candidate.name, "metrics": out})
    primary = metrics[0]
    names = [p["name"] for p in pipelines]
    means = [[m["mean"] for m in p["metrics"][primary]] for p in pipelines]
    return {
        "metric": primary, "ci_method": method,
        "sizes": [{"given": size["given"], "implicit": size["implicit"],
                   "fraction": float((curve.counts[s] / n_train).mean()),
                   "documents": float(documents[s]),
                   "documents_per_fold": curve.counts[s].astype(int).tolist()}
                  for s, size in enumerate(curve.sizes)],
        "pipelines": pipelines,
        "crossovers": crossovers(names, means, documents.tolist(), primary in LOWER_IS_BETTER),
    }


# -- the report ----------------------------------------------------------------------------


def sentences(curve: dict) -> str:
    """What a reader should take from the curves: where they cross, or that they do not."""
    sizes = curve["sizes"]
    parts = []
    implicit = [s for s in sizes if s["implicit"]]
    if implicit:
        parts.append(f"The full training part ({_documents(implicit[0]['documents'])} "
                     "documents) is added as the last size: it is the leaderboard's result.")
    if curve["crossovers"]:
        parts.append("Curves cross: " + "; ".join(c["text"] for c in curve["crossovers"]) + ".")
    elif len(curve["pipelines"]) > 1:
        parts.append(_no_crossing(curve))
    score = "mean" if len(sizes[0].get("documents_per_fold", [])) > 1 else "score"
    parts.append(f"Below: {score} [95% interval] per pipeline and size; intervals: "
                 f"{curve['ci_method']}, at each size.")
    return " ".join(parts)


def _no_crossing(curve: dict) -> str:
    """The order that holds at every size, and the closest two curves come.

    Examples
    --------
    >>> curve = {"metric": "accuracy", "sizes": [{"documents": 100}, {"documents": 1000}],
    ...          "pipelines": [{"name": n, "metrics": {"accuracy": [{"mean": a}, {"mean": b}]}}
    ...                        for n, a, b in (("a", 0.7, 0.8), ("b", 0.6, 0.79))]}
    >>> _no_crossing(curve)
    'No two curves cross: at every size the order is a, b. Closest: a and b, 0.0100 apart at 1,000 training documents.'
    """
    metric = curve["metric"]
    means = np.array([[m["mean"] for m in p["metrics"][metric]] for p in curve["pipelines"]])
    names = [p["name"] for p in curve["pipelines"]]
    sign = 1 if metric in LOWER_IS_BETTER else -1
    order = sorted(range(len(names)), key=lambda i: (sign * means[i, -1], names[i]))
    gaps = [(abs(means[a] - means[b]).min(), int(abs(means[a] - means[b]).argmin()), a, b)
            for a, b in zip(order, order[1:])]
    gap, size, a, b = min(gaps)
    return (f"No two curves cross: at every size the order is "
            f"{', '.join(names[i] for i in order)}. Closest: {names[a]} and {names[b]}, "
            f"{gap:.4f} apart at {_documents(curve['sizes'][size]['documents'])} training "
            "documents.")


def table(curve: dict, digits: int = 4) -> tuple[list[str], list[list[str]]]:
    """One row per pipeline, one column per size: mean score and interval."""
    header = ["pipeline"] + [f"{_documents(s['documents'])} docs ({s['fraction']:.0%})"
                             for s in curve["sizes"]]
    rows = []
    for p in curve["pipelines"]:
        cells = [p["name"]]
        for m in p["metrics"][curve["metric"]]:
            ci = f" [{m['ci'][0]:.{digits}f}, {m['ci'][1]:.{digits}f}]" if m["ci"] else ""
            cells.append(f"{m['mean']:.{digits}f}{ci}")
        rows.append(cells)
    return header, rows


def figure(curve: dict):
    """Score against training documents, one line and interval band per pipeline."""
    from matplotlib import colormaps
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    x = np.array([s["documents"] for s in curve["sizes"]])
    fig = _figure(7.5, 4.6)
    ax = fig.add_subplot()
    colours = colormaps["tab10"]
    for i, p in enumerate(curve["pipelines"]):
        values = p["metrics"][curve["metric"]]
        colour = colours(i % 10)
        mean = [m["mean"] for m in values]
        if all(m["ci"] for m in values):
            ax.fill_between(x, [m["ci"][0] for m in values], [m["ci"][1] for m in values],
                            color=colour, alpha=0.15, lw=0)
        ax.plot(x, mean, "o-", color=colour, ms=4, lw=1.6, label=_short(p["name"], 48))
    if x.max() > 10 * x.min():
        ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator(x))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _documents(v)))
    per_fold = " per fold" if len(curve["sizes"][0]["documents_per_fold"]) > 1 else ""
    log = " (log scale)" if ax.get_xscale() == "log" else ""
    ax.set_xlabel(f"training documents{per_fold}{log}", fontsize=9)
    score = "mean" if per_fold else "score"
    ax.set_ylabel(f"{curve['metric']} ({score}, 95% interval band)", fontsize=9)
    if curve["metric"] not in LOWER_IS_BETTER:  # scores end at 1: no band beyond it
        ax.set_ylim(top=min(ax.get_ylim()[1], 1.005))
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)
    fig.legend(loc="outside lower center", fontsize=8, frameon=False,
               ncols=min(len(curve["pipelines"]), 4))
    return fig
