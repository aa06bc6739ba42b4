"""Many datasets: average ranks, the Friedman test and post-hoc tests (Demšar 2006).

When an experiment runs on several datasets, its pipelines are compared across
them by their *ranks*, as Demšar (2006) recommends: on each dataset the
pipelines are ranked by the mean of the primary metric (rank 1 = best; tied
pipelines share the average of the ranks they span), and each pipeline gets its
average rank ``R_j`` over the ``N`` datasets. With ``k`` pipelines:

- the Friedman statistic
  ``chi2_F = 12N / (k(k+1)) · (Σ R_j² − k(k+1)²/4)`` (``k − 1`` degrees of
  freedom; written from the average ranks, with no correction for ties) and
  Iman and Davenport's less conservative
  ``F_F = (N−1) chi2_F / (N(k−1) − chi2_F)`` on ``(k−1, (k−1)(N−1))`` degrees
  of freedom test whether all pipelines perform alike;
- Nemenyi's test: two pipelines differ when their average ranks differ by at
  least the critical difference ``CD = q_alpha · sqrt(k(k+1) / (6N))``, with
  ``q_alpha`` the studentized range quantile for ``k`` groups and infinite
  degrees of freedom divided by ``sqrt(2)`` (from
  ``scipy.stats.studentized_range``, not a table);
- Holm's step-down procedure against the best-ranked pipeline:
  ``z = (R_i − R_best) / sqrt(k(k+1) / (6N))``, two-sided normal p-values,
  adjusted by Holm (``p_(i) · (m − i + 1)``, kept monotone) so that the family
  of ``m = k − 1`` comparisons keeps the error rate at alpha.

The post-hoc tests are meant to be read when the Friedman test rejects. With
few datasets these tests have little power (with two, a pipeline can only be
first or second on each); they are computed all the same, and the result says so.

References
----------
J. Demšar. Statistical comparisons of classifiers over multiple data sets.
JMLR 7:1–30, 2006. R. L. Iman and J. M. Davenport. Approximations of the
critical region of the Friedman statistic. Communications in Statistics 9(6),
1980. S. Holm. A simple sequentially rejective multiple test procedure.
Scandinavian Journal of Statistics 6(2), 1979.

Examples
--------
Demšar's example (section 3.2.2): four C4.5 variants, average ranks over 14 data sets.

>>> f = friedman_test([3.143, 2.000, 2.893, 1.964], 14)
>>> round(f.chi2, 2), round(f.f, 2)
(9.28, 3.69)
>>> q, cd = nemenyi_critical_difference(4, 14, alpha=0.05)
>>> round(q, 3), round(cd, 2)
(2.569, 1.25)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import DataError, Errors
from ..evaluation.metrics import LOWER_IS_BETTER

__all__ = [
    "AcrossDatasets",
    "FriedmanResult",
    "MIN_DATASETS_FOR_POWER",
    "across_datasets",
    "cd_groups",
    "friedman_test",
    "holm_versus_best",
    "nemenyi_critical_difference",
    "nemenyi_p_values",
    "rank_scores",
]

#: Below this many datasets the report warns that the tests have little power.
MIN_DATASETS_FOR_POWER = 5


@dataclass(frozen=True)
class FriedmanResult:
    """The Friedman test and Iman and Davenport's F correction.

    Attributes
    ----------
    chi2, chi2_p_value : float
        Friedman's statistic and its p-value (chi-squared, ``df`` degrees of freedom).
    df : int
        ``k − 1``.
    f, f_p_value : float
        Iman and Davenport's statistic and its p-value (F on ``f_df``).
    f_df : tuple of int
        ``(k − 1, (k − 1)(N − 1))``.
    """

    chi2: float
    chi2_p_value: float
    df: int
    f: float
    f_p_value: float
    f_df: tuple

    def to_dict(self) -> dict:
        return {"chi2": self.chi2, "chi2_p_value": self.chi2_p_value, "df": self.df,
                "iman_davenport_f": self.f, "iman_davenport_p_value": self.f_p_value,
                "iman_davenport_df": list(self.f_df)}


def _scores_matrix(scores) -> np.ndarray:
    matrix = np.asarray(scores, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] < 1 or matrix.shape[1] < 2:
        raise DataError(Errors.E790.format(shape=" × ".join(map(str, matrix.shape))))
    if not np.all(np.isfinite(matrix)):
        row, col = map(int, np.argwhere(~np.isfinite(matrix))[0])
        raise DataError(Errors.E791.format(row=row + 1, col=col + 1))
    return matrix


def rank_scores(scores, *, lower_is_better: bool = False) -> np.ndarray:
    """Rank the pipelines on each dataset: 1 = best, ties get the average rank.

    Parameters
    ----------
    scores : array-like of shape (n_datasets, n_pipelines)
        One score per dataset (row) and pipeline (column).
    lower_is_better : bool, default=False
        Whether a lower score is better (a loss).

    Returns
    -------
    ndarray of shape (n_datasets, n_pipelines)

    Examples
    --------
    >>> rank_scores([[0.9, 0.8, 0.9], [0.1, 0.2, 0.3]]).tolist()
    [[1.5, 3.0, 1.5], [3.0, 2.0, 1.0]]
    """
    from scipy.stats import rankdata

    matrix = _scores_matrix(scores)
    return rankdata(matrix if lower_is_better else -matrix, method="average", axis=1)


def _standard_error(k: int, n: int) -> float:
    return math.sqrt(k * (k + 1) / (6 * n))


def friedman_test(average_ranks, n_datasets: int) -> FriedmanResult:
    """The Friedman test of ``k`` average ranks over ``n_datasets`` datasets.

    Parameters
    ----------
    average_ranks : sequence of float
        Each pipeline's average rank (1 = best).
    n_datasets : int
        ``N``, the number of datasets the ranks are averaged over.

    Returns
    -------
    FriedmanResult
        When the ranks agree on every dataset (``chi2_F = N(k−1)``), ``F_F`` is
        infinite and its p-value 0.

    Examples
    --------
    >>> f = friedman_test([1.0, 2.0, 3.0], 2)       # the same order on both datasets
    >>> f.chi2, round(f.chi2_p_value, 4), f.f, f.f_p_value
    (4.0, 0.1353, inf, 0.0)
    """
    from scipy.stats import chi2 as chi2_dist
    from scipy.stats import f as f_dist

    ranks = np.asarray(average_ranks, dtype=float)
    k, n = len(ranks), int(n_datasets)
    if k < 2 or n < 1:
        raise DataError(Errors.E790.format(shape=f"{n} × {k}"))
    chi2 = 12 * n / (k * (k + 1)) * (float(np.sum(ranks ** 2)) - k * (k + 1) ** 2 / 4)
    chi2 = max(chi2, 0.0)  # rounding of equal ranks
    df1, df2 = k - 1, (k - 1) * (n - 1)
    denominator = n * (k - 1) - chi2
    if denominator <= 1e-12 * n * k or df2 == 0:
        f, f_p = (math.inf, 0.0) if chi2 > 0 else (0.0, 1.0)
    else:
        f = (n - 1) * chi2 / denominator
        f_p = float(f_dist.sf(f, df1, df2))
    return FriedmanResult(chi2=float(chi2), chi2_p_value=float(chi2_dist.sf(chi2, df1)),
                          df=df1, f=float(f), f_p_value=f_p, f_df=(df1, df2))


def nemenyi_critical_difference(k: int, n_datasets: int, alpha: float = 0.05):
    """Nemenyi's ``q_alpha`` and critical difference for ``k`` pipelines on ``N`` datasets.

    ``q_alpha`` is the ``1 − alpha`` quantile of the studentized range for ``k``
    groups and infinite degrees of freedom, divided by ``sqrt(2)``;
    ``CD = q_alpha · sqrt(k(k+1) / (6N))``.

    Returns
    -------
    (q_alpha, cd) : tuple of float

    Examples
    --------
    >>> [round(nemenyi_critical_difference(k, 10)[0], 3) for k in (2, 3, 10)]
    [1.96, 2.344, 3.164]
    """
    from scipy.stats import studentized_range

    if k < 2:
        raise DataError(Errors.E790.format(shape=f"{n_datasets} × {k}"))
    q = float(studentized_range.ppf(1 - alpha, k, np.inf)) / math.sqrt(2)
    return q, q * _standard_error(k, n_datasets)


def nemenyi_p_values(average_ranks, n_datasets: int) -> np.ndarray:
    """Nemenyi's p-value for every pair of pipelines, as a symmetric matrix.

    ``p = P(Q > |R_i − R_j| · sqrt(2) / sqrt(k(k+1)/(6N)))`` for the studentized
    range ``Q`` of ``k`` groups, infinite degrees of freedom; a pair differs at
    level alpha exactly when ``|R_i − R_j| >= CD``.

    Examples
    --------
    >>> nemenyi_p_values([1.0, 2.0], 4).round(4).tolist()
    [[1.0, 0.0455], [0.0455, 1.0]]
    """
    from scipy.stats import studentized_range

    ranks = np.asarray(average_ranks, dtype=float)
    k = len(ranks)
    diff = np.abs(ranks[:, None] - ranks[None, :])
    q = diff * math.sqrt(2) / _standard_error(k, n_datasets)
    p = studentized_range.sf(q, k, np.inf)
    p = np.clip(np.where(diff == 0, 1.0, p), 0.0, 1.0)
    np.fill_diagonal(p, 1.0)
    return p


def holm_versus_best(average_ranks, n_datasets: int, alpha: float = 0.05) -> list[dict]:
    """Holm's step-down comparison of every pipeline with the best-ranked one.

    Parameters
    ----------
    average_ranks : sequence of float
        Each pipeline's average rank; the lowest is the control (the first on a tie).
    n_datasets : int
    alpha : float, default=0.05
        The family-wise error rate.

    Returns
    -------
    list of dict
        One per pipeline, in the order given: ``z``, ``p_value`` (unadjusted,
        two-sided), ``p_holm`` (adjusted) and ``significant`` (``p_holm < alpha``);
        all ``None`` for the best itself.

    Examples
    --------
    >>> [row["p_holm"] and round(row["p_holm"], 4) for row in holm_versus_best([1.0, 2.0, 3.0], 6)]
    [None, 0.0833, 0.0011]
    """
    from scipy.stats import norm

    ranks = np.asarray(average_ranks, dtype=float)
    k = len(ranks)
    best = int(np.argmin(ranks))
    se = _standard_error(k, n_datasets)
    others = [j for j in range(k) if j != best]
    z = {j: (ranks[j] - ranks[best]) / se for j in others}
    p = {j: float(min(1.0, 2 * norm.sf(abs(z[j])))) for j in others}
    adjusted, running = {}, 0.0
    for step, j in enumerate(sorted(others, key=lambda j: (p[j], j))):
        running = max(running, min(1.0, (len(others) - step) * p[j]))
        adjusted[j] = running
    rows = []
    for j in range(k):
        if j == best:
            rows.append({"z": None, "p_value": None, "p_holm": None, "significant": None})
        else:
            rows.append({"z": float(z[j]), "p_value": p[j], "p_holm": float(adjusted[j]),
                         "significant": bool(adjusted[j] < alpha)})
    return rows


def cd_groups(average_ranks, cd: float) -> list[list[int]]:
    """The groups a critical-difference diagram joins by a bar.

    Pipelines sorted by average rank; a group is a longest run of consecutive
    pipelines whose ranks span less than ``cd`` (no two of them differ by
    Nemenyi's test), kept only if no other group contains it and it has at
    least two members.

    Returns
    -------
    list of list of int
        Indices into ``average_ranks``, each group best first, groups in order.

    Examples
    --------
    >>> cd_groups([1.0, 1.5, 2.4, 3.0], cd=1.0)
    [[0, 1], [1, 2], [2, 3]]
    >>> cd_groups([1.0, 1.2, 3.0], cd=0.5)
    [[0, 1]]
    """
    ranks = np.asarray(average_ranks, dtype=float)
    order = [int(i) for i in np.argsort(ranks, kind="stable")]
    spans = []
    for start in range(len(order)):
        end = start
        while end + 1 < len(order) and ranks[order[end + 1]] - ranks[order[start]] < cd:
            end += 1
        if end > start and not (spans and spans[-1][1] >= end):
            spans.append((start, end))
    return [order[a:b + 1] for a, b in spans]


@dataclass
class AcrossDatasets:
    """Pipelines compared across datasets by their ranks on the primary metric.

    Attributes
    ----------
    metric : str
    datasets : list of str
        The datasets' names, in the experiment's order.
    pipelines : list of str
        The pipelines present on every dataset, by average rank (best first).
    ranks : ndarray of shape (n_datasets, n_pipelines)
        Each pipeline's rank on each dataset (columns as ``pipelines``).
    average_ranks : ndarray
    friedman : FriedmanResult
    alpha : float
    q_alpha, cd : float
        Nemenyi's critical value and critical difference.
    groups : list of list of int
        The groups not significantly different by Nemenyi (see :func:`cd_groups`).
    holm : list of dict
        Each pipeline against the best (see :func:`holm_versus_best`).
    nemenyi_p : ndarray
        Nemenyi's p-value of every pair.
    left_out : list of str
        Pipelines not on every dataset (skipped or failed somewhere).
    notes : list of str
        What to keep in mind reading the numbers (few datasets, left out pipelines).
    """

    metric: str
    datasets: list
    pipelines: list
    ranks: np.ndarray
    average_ranks: np.ndarray
    friedman: FriedmanResult
    alpha: float
    q_alpha: float
    cd: float
    groups: list
    holm: list
    nemenyi_p: np.ndarray
    left_out: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def n_datasets(self) -> int:
        return len(self.datasets)

    def to_dict(self) -> dict:
        """The ``across_datasets`` entry of ``results.json``."""
        return {
            "metric": self.metric, "datasets": list(self.datasets),
            "n_datasets": self.n_datasets, "n_pipelines": len(self.pipelines),
            "pipelines": [
                {"name": name, "average_rank": float(self.average_ranks[j]),
                 "ranks": {d: float(self.ranks[i, j]) for i, d in enumerate(self.datasets)},
                 "vs_best_holm": self.holm[j]}
                for j, name in enumerate(self.pipelines)],
            "best": self.pipelines[0],
            "friedman": self.friedman.to_dict(),
            "nemenyi": {"alpha": self.alpha, "q_alpha": self.q_alpha,
                        "critical_difference": self.cd,
                        "groups": [[self.pipelines[j] for j in g] for g in self.groups],
                        "p_values": self.nemenyi_p.tolist()},
            "holm": {"alpha": self.alpha, "control": self.pipelines[0],
                     "method": "z = (R_i - R_best) / sqrt(k(k+1)/(6N)), Holm step-down"},
            "left_out": list(self.left_out), "notes": list(self.notes),
        }


def _unique_names(names) -> list[str]:
    """``names``, a repeated one numbered (``mr``, ``mr (2)``), so each labels one dataset."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _common_pipelines(datasets, metric: str, names: list[str]):
    """The pipelines with a score on every dataset (first-seen order), and notes on the rest."""
    scored = [{p.name: p.metrics[metric]["mean"] for p in d.pipelines
               if metric in p.metrics and np.isfinite(p.metrics[metric]["mean"])}
              for d in datasets]
    order = list(dict.fromkeys(p.name for d in datasets for p in d.pipelines))
    common = [p for p in order if all(p in s for s in scored)]
    left_out = [f"{p} (no {metric} on {', '.join(n for n, s in zip(names, scored) if p not in s)})"
                for p in order if p not in common]
    return common, scored, left_out


def across_datasets(datasets, alpha: float = 0.05) -> AcrossDatasets | None:
    """Rank the pipelines on each dataset and test the differences across datasets.

    Parameters
    ----------
    datasets : list of DatasetResults
        Each dataset's leaderboard; the primary metric is that of the first.
    alpha : float, default=0.05
        For Nemenyi's critical difference and Holm's procedure.

    Returns
    -------
    AcrossDatasets or None
        None with fewer than two datasets, or fewer than two pipelines scored
        on every dataset. A pipeline missing from a dataset (skipped, or with no
        score there) takes no part, and a note names it.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> def board(name, scores):
    ...     return NS(name=name, primary="accuracy", pipelines=[
    ...         NS(name=p, metrics={"accuracy": {"mean": s}}) for p, s in scores.items()])
    >>> result = across_datasets([board("a", {"x": 0.9, "y": 0.8, "z": 0.7}),
    ...                           board("b", {"x": 0.6, "y": 0.7, "z": 0.5})])
    >>> result.pipelines, result.average_ranks.tolist()
    (['x', 'y', 'z'], [1.5, 1.5, 3.0])
    """
    if len(datasets) < 2:
        return None
    metric = datasets[0].primary
    names = _unique_names([d.name for d in datasets])
    common, scored, left_out = _common_pipelines(datasets, metric, names)
    if len(common) < 2:
        return None
    ranks = rank_scores([[s[p] for p in common] for s in scored],
                        lower_is_better=metric in LOWER_IS_BETTER)
    average = ranks.mean(axis=0)
    order = sorted(range(len(common)), key=lambda j: (average[j], common[j]))
    ranks, average = ranks[:, order], average[order]
    n, k = len(datasets), len(common)
    q, cd = nemenyi_critical_difference(k, n, alpha)
    result = AcrossDatasets(
        metric=metric, datasets=names, pipelines=[common[j] for j in order], ranks=ranks,
        average_ranks=average, friedman=friedman_test(average, n), alpha=alpha,
        q_alpha=q, cd=cd, groups=cd_groups(average, cd),
        holm=holm_versus_best(average, n, alpha), nemenyi_p=nemenyi_p_values(average, n),
        left_out=left_out)
    result.notes = _notes(result)
    return result


def _notes(result: AcrossDatasets) -> list[str]:
    notes = []
    n = result.n_datasets
    if n < MIN_DATASETS_FOR_POWER:
        notes.append(
            f"Only {n} datasets: with fewer than {MIN_DATASETS_FOR_POWER} the Friedman and "
            f"post-hoc tests have little power (each pipeline has just {n} ranks), so read "
            f"the average ranks as a summary, not as evidence that pipelines differ.")
    if result.friedman.f_p_value >= result.alpha:
        notes.append(
            f"The Friedman test does not reject that all pipelines perform alike "
            f"(Iman–Davenport p = {result.friedman.f_p_value:.3g} ≥ {result.alpha:g}); the "
            f"post-hoc tests are shown, but a difference they find is not to be trusted.")
    if result.left_out:
        notes.append("Left out, as not scored on every dataset: "
                     + "; ".join(result.left_out) + ".")
    return notes
