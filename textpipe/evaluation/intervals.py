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
from .metrics import SCORE_METRICS, metric_function, score_metric

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
        scores = np.asarray(class_scores, dtype=float)
        values = np.array([_defined(score_metric, metric, y_true[r], scores[r], classes)
                           for r in rows], dtype=float)
        values = values[~np.isnan(values)]
        if not len(values):
            return float("nan"), float("nan")
    else:
        function = metric_function(metric)
        values = np.array([function(y_true[r], y_pred[r]) for r in rows], dtype=float)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def _defined(function, *args) -> float:
    """``function(*args)``, or NaN where the metric is undefined on this resample."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return function(*args)
        except ValueError:
            return float("nan")


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
