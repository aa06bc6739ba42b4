"""The effect of each choice of a grid: paired differences against a reference value.

A grid key (a parameter such as ``tfidf.ngram_range``, or a whole step such as
``stem: [none, stem, lemmatize]``) is a *factor*; its values are *levels*.
For each level, :func:`factor_effects` compares the pipelines that differ
from one with the reference level only in that factor — every setting of the
other factors where both pipelines exist, on the same folds — and gives the
mean paired difference of the primary metric, a 95% interval and a p-value.
The reference is the first value listed in the grid, unless
``report: {effects: {reference: {KEY: VALUE}}}`` names another.

**The test.** Settings scored on the same fold share its training and test
documents, so their differences are not independent replicates. With k-fold
cross-validation the paired differences are therefore averaged over the
settings within each fold, which leaves one difference per fold, and those k
differences are tested with the corrected resampled t-test of Nadeau & Bengio
(k − 1 degrees of freedom; the interval uses the same corrected variance):
exactly the test the leaderboard uses between two pipelines, applied to the
two groups' per-fold means. With a single split there is one score per
pipeline, and the interval and test are the t interval and one-sample t-test
of the per-setting differences (n − 1 degrees of freedom): they say how
consistent the effect is across the other choices on that test set, not how
it would vary on new data. The p-values are not adjusted for multiplicity.

Where a level does not apply in some combinations (a parameter of a step
another factor leaves out), the grid merged those combinations into one
pipeline; a combination pairs with another only where the two are different
pipelines, so such settings simply do not count.

**Interactions.** For each pair of factors A, B and each pair of non-reference
levels a, b, the interaction contrast ``y(a,b) − y(a,ref) − y(ref,b) +
y(ref,ref)`` is how much the effect of ``A=a`` changes when B goes from its
reference to b; it is estimated and tested like an effect, over the settings of
the other factors where all four pipelines exist. The pair of factors with the
largest absolute contrast is reported with its two-way table of mean scores.

Examples
--------
>>> from types import SimpleNamespace as P
>>> def pipe(name, choices, folds):
...     return P(name=name, origin="grid", choices=choices,
...               metrics={"accuracy": {"mean": sum(folds) / 3, "folds": folds}})
>>> pipes = [pipe("a", {"stem": "none"}, [0.70, 0.72, 0.71]),
...          pipe("b", {"stem": "stem"}, [0.71, 0.74, 0.72])]
>>> out = factor_effects(pipes, "accuracy", folds=3, n_train=20, n_test=10)
>>> effect = out["effects"][0]
>>> effect["factor"], effect["level"], effect["reference"], round(effect["difference"], 4)
('stem', 'stem', 'none', 0.0133)
>>> describe(effect, out)
'stem=stem vs none: +1.3 points [−0.9, +3.6] over 1 paired setting × 3 folds'
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from ..evaluation.metrics import LOWER_IS_BETTER
from .stats import corrected_resampled_ttest, cv_interval

__all__ = ["describe", "factor_effects", "points"]


@dataclass
class _Grid:
    """One grid's pipelines and factors: which pipeline each full combination of levels gives."""

    origin: str
    members: list
    factors: list
    levels: dict
    cell: dict  # (one level per factor) -> index into members


def points(metric: str) -> tuple[float, str]:
    """How differences of ``metric`` are shown: (scale, unit).

    Examples
    --------
    >>> points("accuracy"), points("log_loss")
    ((100.0, 'points'), (1.0, 'log_loss'))
    """
    return (1.0, metric) if metric in LOWER_IS_BETTER else (100.0, "points")


def _grids(pipelines) -> list[_Grid]:
    """The grids among ``pipelines`` (in the order the grid listed them) with ≥ 1 factor."""
    groups: dict[str, list] = {}
    for p in pipelines:
        if p.origin.startswith("grid") and p.choices:
            groups.setdefault(p.origin, []).append(p)
    grids = []
    for origin, members in groups.items():
        levels: dict[str, list] = {}
        for p in members:
            for key, label in p.choices.items():
                if label not in levels.setdefault(key, []):
                    levels[key].append(label)
        factors = [key for key, values in levels.items() if len(values) > 1]
        if not factors:
            continue
        cell: dict[tuple, int] = {}
        for index, p in enumerate(members):
            # A factor missing from a pipeline's choices does not apply to it: the
            # pipeline stands for every level of that factor (the grid merged them).
            free = [f for f in factors if f not in p.choices]
            for values in itertools.product(*(levels[f] for f in free)):
                given = dict(zip(free, values))
                combo = tuple(p.choices[f] if f in p.choices else given[f] for f in factors)
                cell.setdefault(combo, index)
        grids.append(_Grid(origin, members, factors,
                           {f: levels[f] for f in factors}, cell))
    return grids


def _reference(grid: _Grid, factor: str, reference: dict):
    """The level of ``factor`` the others are compared with: the user's, else the first."""
    chosen = reference.get(factor)
    return chosen if chosen in grid.levels[factor] else grid.levels[factor][0]


def _with(combo: tuple, position: int, level) -> tuple:
    return combo[:position] + (level,) + combo[position + 1:]


def _at(grid: _Grid, levels: dict) -> list[tuple]:
    """The (combination, pipeline index) items of ``grid.cell`` with these factor levels."""
    where = [(grid.factors.index(f), level) for f, level in levels.items()]
    return [(combo, index) for combo, index in grid.cell.items()
            if all(combo[i] == level for i, level in where)]


def _pairs(grid: _Grid, factor: str, level, at_reference: list) -> list[tuple[int, int]]:
    """(pipeline with ``level``, pipeline with the reference) for every setting of the others.

    ``at_reference`` holds the cells with ``factor`` at its reference (:func:`_at`).
    """
    i = grid.factors.index(factor)
    pairs: dict[tuple, None] = {}
    for combo, ref_index in at_reference:
        index = grid.cell.get(_with(combo, i, level))
        if index is not None and index != ref_index:
            pairs[(index, ref_index)] = None
    return list(pairs)


def _settings_test(d) -> tuple[list | None, float | None, int | None]:
    """t interval and one-sample t-test of per-setting differences (single split)."""
    from scipy.stats import t as t_dist

    n = len(d)
    if n < 2:
        return None, None, None
    mean, sd = float(np.mean(d)), float(np.std(d, ddof=1))
    if sd <= 1e-12:
        return [mean, mean], (1.0 if abs(mean) <= 1e-12 else 0.0), n - 1
    half = float(t_dist.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    p_value = float(2 * t_dist.sf(abs(mean) / (sd / math.sqrt(n)), n - 1))
    return [mean - half, mean + half], min(1.0, p_value), n - 1


def paired_difference(a, b, *, n_train: float, n_test: float) -> dict:
    """Mean of ``a − b`` (settings × folds), its 95% interval and two-sided p.

    With two folds or more: the corrected resampled t-test and interval on the
    per-fold means over settings; with one: t over the settings.

    Examples
    --------
    >>> r = paired_difference([[0.8, 0.9], [0.7, 0.8]], [[0.7, 0.8], [0.7, 0.7]],
    ...                       n_train=10, n_test=10)
    >>> round(r["difference"], 4), r["test"], r["n_settings"], r["n_folds"]
    (0.075, 'corrected resampled t over folds', 2, 2)
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n, k = a.shape
    mean = float((a - b).mean())
    if k > 1:
        test = corrected_resampled_ttest(a.mean(axis=0), b.mean(axis=0), n_train=n_train,
                                         n_test=n_test)
        ci = list(cv_interval((a - b).mean(axis=0), n_train=n_train, n_test=n_test))
        name, p_value, df = "corrected resampled t over folds", test.p_value, test.df
    else:
        ci, p_value, df = _settings_test((a - b)[:, 0])
        name = "t over settings" if p_value is not None else None
    return {"difference": mean, "ci": ci, "p_value": p_value, "test": name, "df": df,
            "n_settings": n, "n_folds": k}


def _folds(grid: _Grid, index: int, metric: str) -> list:
    return grid.members[index].metrics[metric]["folds"]


def _effects(grid: _Grid, metric: str, reference: dict, sizes: dict) -> list[dict]:
    out = []
    for factor in grid.factors:
        ref = _reference(grid, factor, reference)
        at_reference = _at(grid, {factor: ref})
        for level in grid.levels[factor]:
            pairs = _pairs(grid, factor, level, at_reference) if level != ref else []
            if not pairs:
                continue
            found = paired_difference([_folds(grid, i, metric) for i, _ in pairs],
                                      [_folds(grid, j, metric) for _, j in pairs], **sizes)
            out.append({"grid": grid.origin, "factor": factor, "level": level,
                        "reference": ref, **found,
                        "pairs": [[grid.members[i].name, grid.members[j].name]
                                  for i, j in pairs]})
    return out


def _quads(grid: _Grid, pair: tuple, a, b, at_references: list) -> list[tuple]:
    """Index quadruples (ab, a·ref, ref·b, ref·ref) of four distinct pipelines.

    ``at_references`` holds the cells with both factors at their references.
    """
    i, j = grid.factors.index(pair[0]), grid.factors.index(pair[1])
    quads: dict[tuple, None] = {}
    for combo, rr in at_references:
        ar = grid.cell.get(_with(combo, i, a))
        rb = grid.cell.get(_with(combo, j, b))
        ab = grid.cell.get(_with(_with(combo, i, a), j, b))
        if None not in (ar, rb, ab) and len({ab, ar, rb, rr}) == 4:
            quads[(ab, ar, rb, rr)] = None
    return list(quads)


def _interaction(grid: _Grid, pair: tuple, metric: str, reference: dict, sizes: dict):
    """The largest interaction contrast of two factors, or None where none can be formed."""
    refs = [_reference(grid, f, reference) for f in pair]
    at_references = _at(grid, dict(zip(pair, refs)))
    best = None
    for a in grid.levels[pair[0]]:
        for b in grid.levels[pair[1]]:
            if a == refs[0] or b == refs[1]:
                continue
            quads = _quads(grid, pair, a, b, at_references)
            if not quads:
                continue
            scores = [[np.add(_folds(grid, q[0], metric), _folds(grid, q[3], metric)),
                       np.add(_folds(grid, q[1], metric), _folds(grid, q[2], metric))]
                      for q in quads]
            found = paired_difference([s[0] for s in scores], [s[1] for s in scores], **sizes)
            if best is None or abs(found["difference"]) > abs(best["contrast"]):
                contrast = found.pop("difference")
                best = {"grid": grid.origin, "factors": list(pair), "levels": [a, b],
                        "references": refs, "contrast": contrast, **found}
    return best


def _table(grid: _Grid, pair: list, metric: str) -> dict:
    """Mean score of the pipelines in each cell of two factors (every setting of the others)."""
    i, j = (grid.factors.index(f) for f in pair)
    rows, columns = grid.levels[pair[0]], grid.levels[pair[1]]
    members: dict[tuple, set] = {}
    for combo, index in grid.cell.items():
        members.setdefault((combo[i], combo[j]), set()).add(index)
    means = [[None if not members.get((r, c)) else
              float(np.mean([grid.members[k].metrics[metric]["mean"] for k in members[(r, c)]]))
              for c in columns] for r in rows]
    counts = [[len(members.get((r, c), ())) for c in columns] for r in rows]
    return {"grid": grid.origin, "rows": {"factor": pair[0], "levels": rows},
            "columns": {"factor": pair[1], "levels": columns}, "means": means,
            "pipelines": counts}


def _method(folds: int) -> str:
    if folds > 1:
        return ("Each difference pairs pipelines that differ only in that choice, over every "
                "setting of the other choices where both exist, on the same folds. The "
                "differences are averaged over those settings within each fold (settings "
                "on one fold share its documents, so they are not independent), and the "
                f"{folds} per-fold differences are tested with the corrected resampled t-test "
                f"(Nadeau & Bengio; {folds - 1} degrees of freedom), which also gives the "
                "95% interval. p-values are not adjusted for the number of effects.")
    return ("Each difference pairs pipelines that differ only in that choice, over every "
            "setting of the other choices where both exist. With a single split there is "
            "one score per pipeline: the 95% interval and p are the t interval and one-sample "
            "t-test of the per-setting differences, so they say how consistent the effect is "
            "across the other choices on this test set, not how it would vary on new data. "
            "p-values are not adjusted for the number of effects.")


def factor_effects(pipelines, metric: str, *, folds: int, n_train: float, n_test: float,
                   reference: dict | None = None) -> dict | None:
    """The effect of each level of each grid factor against its reference, and interactions.

    Parameters
    ----------
    pipelines : list of PipelineSummary
        In the order the experiment listed them (grid order); anything with
        ``name``, ``origin``, ``choices`` and ``metrics[metric]["mean"/"folds"]``.
    metric : str
        The metric compared (the ranking metric).
    folds : int
        Folds of the protocol (1 for a single split).
    n_train, n_test : float
        Documents per fold, for the Nadeau–Bengio correction.
    reference : dict, optional
        Grid key → the level the others are compared with (labels as in ``choices``).

    Returns
    -------
    dict or None
        None when no grid varies anything. Else ``metric``, ``scale`` and
        ``unit`` (how the report shows differences), ``method``, ``effects``
        (one per level and reference: ``difference`` in the metric's units,
        ``ci``, ``p_value``, ``n_settings``, ``n_folds``, ``pairs``),
        ``interactions`` (per pair of factors its largest contrast, largest
        first) and ``table`` (the two-way means of the first of them, or None).
    """
    sizes = {"n_train": n_train, "n_test": n_test}
    reference = reference or {}
    grids = _grids(pipelines)
    if not grids:
        return None
    effects, interactions = [], []  # interactions: (contrast, grid, pair)
    for grid in grids:
        effects += _effects(grid, metric, reference, sizes)
        for pair in itertools.combinations(grid.factors, 2):
            found = _interaction(grid, pair, metric, reference, sizes)
            if found is not None:
                interactions.append((found, grid, pair))
    interactions.sort(key=lambda x: -abs(x[0]["contrast"]))  # stable: file order on ties
    table = _table(interactions[0][1], interactions[0][2], metric) if interactions else None
    scale, unit = points(metric)
    return {"metric": metric, "scale": scale, "unit": unit, "method": _method(folds),
            "effects": effects, "interactions": [x[0] for x in interactions], "table": table,
            "several_grids": len(grids) > 1}


def _signed(value: float, digits: int = 1) -> str:
    return f"{value:+.{digits}f}".replace("-", "−")


def choice_label(effect: dict, several_grids: bool = False) -> str:
    """``"stem=lemmatize vs none"``, prefixed by the grid where there are several."""
    prefix = f"{effect['grid']}: " if several_grids else ""
    return f"{prefix}{effect['factor']}={effect['level']} vs {effect['reference']}"


def describe(effect: dict, found: dict) -> str:
    """One effect in words, e.g. ``"stem=stem vs none: +0.4 points [−0.1, +0.9] over 6
    paired settings × 10 folds"``."""
    scale, unit = found["scale"], found["unit"]
    digits = 1 if scale == 100 else 4
    text = f"{choice_label(effect, found['several_grids'])}: " \
           f"{_signed(scale * effect['difference'], digits)} {unit}"
    if effect["ci"]:
        low, high = (_signed(scale * v, digits) for v in effect["ci"])
        text += f" [{low}, {high}]"
    n = effect["n_settings"]
    folds = f" × {effect['n_folds']} folds" if effect["n_folds"] > 1 else " (one split)"
    return text + f" over {n} paired setting{'s' if n != 1 else ''}{folds}"


def _p(value) -> str:
    return "—" if value is None else f"{value:.3g}"


def _paired(effect: dict) -> str:
    return (f"{effect['n_settings']} × {effect['n_folds']}" if effect["n_folds"] > 1
            else str(effect["n_settings"]))


def effects_table(found: dict) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the effects table: factor, level vs reference, Δ, CI, p, pairs."""
    scale, unit = found["scale"], found["unit"]
    digits = 1 if scale == 100 else 4
    shown = f"Δ {found['metric']}" + (f" ({unit})" if unit == "points" else "")
    split = all(e["n_folds"] == 1 for e in found["effects"])
    header = ["factor", "level vs reference", shown, "95% CI", "p",
              "paired settings (one split)" if split else "paired settings × folds"]
    rows = []
    for e in found["effects"]:
        ci = "—" if not e["ci"] else "[{}, {}]".format(*(_signed(scale * v, digits)
                                                          for v in e["ci"]))
        factor = f"{e['grid']}: {e['factor']}" if found["several_grids"] else e["factor"]
        rows.append([factor, f"{e['level']} vs {e['reference']}",
                     _signed(scale * e["difference"], digits), ci, _p(e["p_value"]),
                     _paired(e)])
    return header, rows


def interaction_text(found: dict) -> str | None:
    """The pair of factors whose effects depend most on each other, in words."""
    if not found["interactions"]:
        return None
    top, scale, unit = found["interactions"][0], found["scale"], found["unit"]
    digits = 1 if scale == 100 else 4
    (a, b), (a_level, b_level), (a_ref, b_ref) = top["factors"], top["levels"], top["references"]
    size = _signed(scale * top["contrast"], digits)
    ci = "" if not top["ci"] else " [{}, {}]".format(*(_signed(scale * v, digits)
                                                       for v in top["ci"]))
    n = top["n_settings"]
    over = f"{n} paired setting{'s' if n != 1 else ''}" + (
        f" × {top['n_folds']} folds" if top["n_folds"] > 1 else ", one split")
    return (f"The two choices whose effects depend most on each other are {a} and {b}: the "
            f"effect of {a}={a_level} vs {a_ref} changes by {size} {unit}{ci} with "
            f"{b}={b_level} instead of {b}={b_ref} (interaction contrast, p = "
            f"{_p(top['p_value'])}, over {over}).")


def two_way_table(found: dict, digits: int = 4) -> tuple[list[str], list[list[str]]] | None:
    """The mean score in each cell of the most interacting pair of factors."""
    table = found["table"]
    if table is None:
        return None
    rows_f, cols_f = table["rows"]["factor"], table["columns"]["factor"]
    header = [f"{rows_f} \\ {cols_f}"] + [str(c) for c in table["columns"]["levels"]]
    rows = [[str(level)] + [
        "—" if mean is None else f"{mean:.{digits}f}" + (f" ({n})" if n > 1 else "")
        for mean, n in zip(means, counts)]
        for level, means, counts in zip(table["rows"]["levels"], table["means"],
                                        table["pipelines"])]
    return header, rows


def section(found: dict) -> list[tuple]:
    """The report's "Effect of each choice" as blocks: ``("text", str)`` and
    ``("table", header, rows)``, in order."""
    unit = found["unit"]
    blocks = [("text", f"For each value of each grid key, the mean paired difference in "
                       f"{found['metric']} against the reference value (the first listed in "
                       f"the grid unless report.effects.reference names another)"
                       + (f", in {unit}: hundredths of {found['metric']}. " if unit == "points"
                          else " (lower is better: a negative difference is an improvement). ")
                       + found["method"])]
    if found["effects"]:
        blocks.append(("table", *effects_table(found)))
        blocks.append(("text", "The first row reads: "
                       f"{describe(found['effects'][0], found)}."))
    words = interaction_text(found)
    if words:
        several = max(map(max, found["table"]["pipelines"])) > 1
        words += f" Mean {found['metric']} " + (
            "of the pipelines in each cell (in parentheses: how many, one per setting of the "
            "other choices):" if several else "in each cell:")
        blocks += [("text", words), ("table", *two_way_table(found))]
    return blocks
