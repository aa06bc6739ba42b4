"""The 95% interval of a score measured on one train/test split.

With a single split there is one score, not a spread over folds. Its
uncertainty comes from the test documents: for accuracy, Wilson's score
interval of the proportion of documents predicted right; for any other metric,
a percentile bootstrap over the test documents (resampled with replacement,
seeded, so a rerun gives the same interval). ``textpipe run`` and
``textpipe compare`` both use :func:`split_interval`.

References
----------
E. B. Wilson. Probable inference, the law of succession, and statistical
inference. JASA 22(158), 1927. B. Efron and R. Tibshirani. An Introduction to
the Bootstrap. Chapman & Hall, 1993.

Examples
--------
>>> [round(x, 4) for x in wilson_interval(80, 100)]
[0.7112, 0.8666]
>>> split_interval("accuracy", ["a", "b", "a", "b"], ["a", "b", "a", "a"]).method
'Wilson'
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from ..errors import DataError, Errors
from .metrics import SCORE_METRICS, metric_function

__all__ = ["BOOTSTRAP_RESAMPLES", "SplitInterval", "bootstrap_interval", "split_interval",
           "wilson_interval"]

#: Resamples of the test documents for a bootstrap interval.
BOOTSTRAP_RESAMPLES = 1000


@dataclass(frozen=True)
class SplitInterval:
    """A score's interval on one test split and how it was computed."""

    low: float
    high: float
    method: str

    def describe(self) -> str:
        """How the interval was computed, in words (for reports and JSON)."""
        if self.method == "Wilson":
            return "Wilson interval of accuracy over the test documents"
        return (f"percentile bootstrap over the test documents ({BOOTSTRAP_RESAMPLES} "
                f"resamples, seeded)")


def wilson_interval(successes: int, n: int, confidence: float = 0.95):
    """Wilson score interval of a proportion (accuracy on one test set).

    Examples
    --------
    >>> [round(x, 4) for x in wilson_interval(0, 10)]
    [0.0, 0.2775]
    """
    if n <= 0:
        raise DataError(Errors.E727.format(n=n))
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2))
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)   # exact at the ends
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def bootstrap_interval(metric: str, y_true, y_pred, *, seed: int = 0,
                       resamples: int = BOOTSTRAP_RESAMPLES, confidence: float = 0.95,
                       class_scores=None, classes=None):
    """Percentile bootstrap interval of ``metric`` over the test documents.

    Metrics of class scores (``roc_auc``, ...) resample the rows of
    ``class_scores`` with the documents; a resample where the metric is
    undefined (one class only) is left out.

    Examples
    --------
    >>> low, high = bootstrap_interval("macro_f1", list("aabb") * 5, list("abbb") * 5)
    >>> 0 < low < high <= 1
    True
    """
    y_true, y_pred = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    n = len(y_true)
    if n <= 0:
        raise DataError(Errors.E727.format(n=n))
    rows = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
    if metric in SCORE_METRICS:
        values = resampled_score_metric(metric, y_true, class_scores, classes, rows)
        values = values[~np.isnan(values)]
        if not len(values):
            return float("nan"), float("nan")
    else:
        values = resampled_label_metric(metric, y_true, y_pred, rows)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def resampled_label_metric(metric: str, y_true, y_pred, rows) -> np.ndarray:
    """``metric`` of each resample (a row of document positions), from counts.

    Each resample's confusion matrix is counted in one pass, so 1,000 resamples
    cost about as much as a few calls of the sklearn metric; the values are those
    of :func:`textpipe.evaluation.metrics.metric_function` (``zero_division=0``,
    macro averages over the labels present in the resample's truth or predictions).
    """
    if metric not in _FROM_COUNTS:
        function = metric_function(metric)
        return np.array([function(y_true[r], y_pred[r]) for r in rows], dtype=float)
    y_true, y_pred = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    labels, codes = np.unique(np.concatenate([np.asarray(y_true, dtype=object).astype(str),
                                              np.asarray(y_pred, dtype=object).astype(str)]),
                              return_inverse=True)
    k, n = len(labels), len(y_true)
    pair = codes[:n] * k + codes[n:]
    return np.array([_from_confusion(metric, np.bincount(
        pair, weights=np.bincount(r, minlength=n), minlength=k * k).reshape(k, k))
        for r in rows], dtype=float)


_FROM_COUNTS = frozenset({"accuracy", "micro_f1", "balanced_accuracy", "weighted_f1",
                          "macro_f1", "macro_precision", "macro_recall"})


def _from_confusion(metric: str, counts: np.ndarray) -> float:
    """A label metric of one confusion matrix (rows: truth, columns: predictions)."""
    right, support, predicted = np.diag(counts), counts.sum(axis=1), counts.sum(axis=0)
    if metric in ("accuracy", "micro_f1"):
        return float(right.sum() / counts.sum())
    if metric == "balanced_accuracy":
        return float(np.mean(right[support > 0] / support[support > 0]))
    present = (support > 0) | (predicted > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, right / predicted, 0.0)
        recall = np.where(support > 0, right / support, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    if metric == "weighted_f1":
        return float(np.sum(f1 * support) / support.sum())
    chosen = {"macro_f1": f1, "macro_precision": precision, "macro_recall": recall}[metric]
    return float(np.mean(chosen[present]))


def resampled_score_metric(metric: str, y_true, class_scores, classes, rows) -> np.ndarray:
    """``metric`` (of :data:`SCORE_METRICS`) of each resample, NaN where it is undefined.

    A resample weighs each document by how often it was drawn, so every class's
    ranking is sorted once, not once per resample. The values are those of
    :func:`textpipe.evaluation.metrics.score_metric`.
    """
    truth = np.asarray(y_true, dtype=object).astype(str)
    scores = np.asarray(class_scores, dtype=float)
    n = len(truth)
    weights = np.zeros((len(rows), n))
    np.add.at(weights, (np.repeat(np.arange(len(rows)), n), np.ravel(rows)), 1.0)
    if metric == "log_loss":
        column = {label: k for k, label in enumerate(classes)}
        right = scores[np.arange(n), [column[t] for t in truth]]
        eps = np.finfo(scores.dtype).eps
        return weights @ -np.log(np.clip(right, eps, 1 - eps)) / n
    ranked = _weighted_auc if metric == "roc_auc" else _weighted_average_precision
    classes = list(classes)
    columns = [1] if len(classes) == 2 else range(len(classes))
    per_class = np.array([ranked(truth == classes[k], scores[:, k], weights) for k in columns])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # every class undefined: NaN
        return np.nanmean(per_class, axis=0)


def _grouped(positive, score, weights, descending: bool):
    """Per resample, the weight of positives and negatives at each distinct score, in order."""
    order = np.argsort(-score if descending else score, kind="mergesort")
    ordered = score[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    w = weights[:, order]
    pos = np.add.reduceat(w * positive[order], starts, axis=1)
    neg = np.add.reduceat(w * ~positive[order], starts, axis=1)
    return pos, neg


def _weighted_auc(positive, score, weights) -> np.ndarray:
    """ROC AUC per resample: the chance a positive outscores a negative (ties count half)."""
    pos, neg = _grouped(positive, score, weights, descending=False)
    below = np.cumsum(neg, axis=1) - neg
    total = pos.sum(axis=1) * neg.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, np.sum(pos * (below + neg / 2), axis=1) / total, np.nan)


def _weighted_average_precision(positive, score, weights) -> np.ndarray:
    """Average precision per resample: precision at each threshold, weighted by recall gained."""
    pos, neg = _grouped(positive, score, weights, descending=True)
    tp, fp = np.cumsum(pos, axis=1), np.cumsum(neg, axis=1)
    total = tp[:, -1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        value = np.sum(pos * precision, axis=1) / total[:, 0]
    return np.where(total[:, 0] > 0, value, np.nan)


def split_interval(metric: str, y_true, y_pred, *, seed: int = 0, class_scores=None,
                   classes=None) -> SplitInterval:
    """The 95% interval of ``metric`` on one test split: Wilson for accuracy, else bootstrap.

    Examples
    --------
    >>> interval = split_interval("macro_f1", list("aabb") * 5, list("abbb") * 5, seed=1)
    >>> interval.method, interval.low <= interval.high
    ('bootstrap', True)
    """
    if metric == "accuracy":
        correct = int(np.sum(np.asarray(y_true, dtype=object) == np.asarray(y_pred, dtype=object)))
        low, high = wilson_interval(correct, len(y_true))
        return SplitInterval(low, high, "Wilson")
    low, high = bootstrap_interval(metric, y_true, y_pred, seed=seed,
                                   class_scores=class_scores, classes=classes)
    return SplitInterval(low, high, "bootstrap")
