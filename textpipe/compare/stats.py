"""Statistics for comparing pipelines: confidence intervals and paired tests.

Cross-validation folds share most of their training data, so fold scores are
correlated and the plain t-interval and paired t-test are too confident.
Nadeau & Bengio (2003) correct the variance by the factor
``1/k + n_test/n_train``; textpipe uses that correction both for the
confidence interval of a pipeline's mean score and for the paired test
between two pipelines (the *corrected resampled t-test*, ``k - 1`` degrees of
freedom). With a single train/test split there is one score per pipeline:
the interval of accuracy is Wilson's score interval over the test documents,
and two pipelines are compared by McNemar's test on the documents exactly one
of them gets right (exact binomial when there are fewer than 25 such
documents, chi-squared with continuity correction otherwise).

References
----------
C. Nadeau and Y. Bengio. Inference for the generalization error. Machine
Learning 52(3), 2003. Q. McNemar. Note on the sampling error of the difference
between correlated proportions or percentages. Psychometrika 12(2), 1947.
E. B. Wilson. Probable inference, the law of succession, and statistical
inference. JASA 22(158), 1927. S. Holm. A simple sequentially rejective multiple
test procedure. Scandinavian Journal of Statistics 6(2), 1979.

Examples
--------
>>> a = [0.80, 0.82, 0.78, 0.81, 0.79]
>>> b = [0.78, 0.80, 0.77, 0.80, 0.76]
>>> test = corrected_resampled_ttest(a, b, n_train=8000, n_test=2000)
>>> round(test.statistic, 4), round(test.p_value, 4), test.df
(3.2071, 0.0327, 4)
>>> test = mcnemar_test([True] * 10 + [False] * 2, [False] * 10 + [True] * 2)
>>> test.method, round(test.p_value, 5)
('exact binomial', 0.03857)
>>> [round(x, 4) for x in wilson_interval(80, 100)]
[0.7112, 0.8666]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import DataError, Errors
from ..evaluation.intervals import wilson_interval  # one implementation for run and compare

__all__ = [
    "TestResult",
    "corrected_resampled_ttest",
    "cv_interval",
    "holm",
    "mcnemar_test",
    "wilson_interval",
]

EXACT_BELOW = 25


@dataclass(frozen=True)
class TestResult:
    """Outcome of a paired test.

    Attributes
    ----------
    method : str
        ``"corrected resampled t"``, ``"exact binomial"`` or
        ``"chi-squared (continuity corrected)"``.
    statistic : float
        t, or chi-squared, or for the exact test the smaller discordant count.
    p_value : float
        Two-sided.
    df : int or None
        Degrees of freedom, where they apply.
    """

    __test__ = False  # not a pytest test class

    method: str
    statistic: float
    p_value: float
    df: int | None = None

    def to_dict(self) -> dict:
        return {"test": self.method, "statistic": self.statistic, "p_value": self.p_value,
                "df": self.df}


def _t_quantile(q: float, df: int) -> float:
    from scipy.stats import t

    return float(t.ppf(q, df))


def cv_interval(scores, *, n_train: float, n_test: float, confidence: float = 0.95):
    """Confidence interval of the mean of k fold scores, Nadeau–Bengio corrected.

    ``mean ± t_{k-1} · sqrt((1/k + n_test/n_train) · s²)``, with ``s²`` the
    sample variance (``ddof=1``) of the fold scores.

    Parameters
    ----------
    scores : sequence of float
        One score per fold (at least two).
    n_train, n_test : float
        Documents per fold used for training and testing (their means over folds).
    confidence : float, default=0.95

    Returns
    -------
    (low, high) : tuple of float

    Examples
    --------
    >>> low, high = cv_interval([0.80, 0.82, 0.78, 0.81, 0.79], n_train=8000, n_test=2000)
    >>> round(low, 4), round(high, 4)
    (0.7706, 0.8294)
    """
    values = np.asarray(scores, dtype=float)
    k = len(values)
    if k < 2:
        raise DataError(Errors.E724.format(n=k))
    mean = float(values.mean())
    variance = float(values.var(ddof=1))
    half = _t_quantile(0.5 + confidence / 2, k - 1) * math.sqrt(
        (1 / k + n_test / n_train) * variance)
    return mean - half, mean + half


def corrected_resampled_ttest(scores_a, scores_b, *, n_train: float, n_test: float) -> TestResult:
    """Paired corrected resampled t-test of two pipelines' fold scores (Nadeau & Bengio).

    With ``d_j = a_j - b_j`` over k folds:
    ``t = mean(d) / sqrt((1/k + n_test/n_train) · var(d, ddof=1))``, ``k - 1``
    degrees of freedom, two-sided. When every difference is equal, the test
    is decided without a variance: p = 1 if they are all 0, else p = 0.

    Examples
    --------
    >>> corrected_resampled_ttest([0.8, 0.8], [0.8, 0.8], n_train=4, n_test=1).p_value
    1.0
    """
    from scipy.stats import t as t_dist

    d = np.asarray(scores_a, dtype=float) - np.asarray(scores_b, dtype=float)
    k = len(d)
    if k < 2:
        raise DataError(Errors.E725.format(n=k))
    mean = float(d.mean())
    variance = float(d.var(ddof=1))
    if variance <= 1e-24:
        if abs(mean) <= 1e-12:
            return TestResult("corrected resampled t", 0.0, 1.0, k - 1)
        return TestResult("corrected resampled t", math.copysign(math.inf, mean), 0.0, k - 1)
    statistic = mean / math.sqrt((1 / k + n_test / n_train) * variance)
    p_value = float(2 * t_dist.sf(abs(statistic), k - 1))
    return TestResult("corrected resampled t", float(statistic), min(1.0, p_value), k - 1)


def mcnemar_test(correct_a, correct_b) -> TestResult:
    """McNemar's test on paired right/wrong outcomes over the same test documents.

    ``b`` counts documents only A gets right, ``c`` those only B gets right.
    With ``b + c < 25``: exact two-sided binomial test of ``min(b, c)`` under
    ``Binomial(b + c, 1/2)``. Otherwise ``(|b - c| - 1)² / (b + c)`` against
    chi-squared with one degree of freedom.

    Examples
    --------
    >>> result = mcnemar_test([True] * 30 + [False] * 15, [False] * 30 + [True] * 15)
    >>> result.method, round(result.statistic, 4), round(result.p_value, 5)
    ('chi-squared (continuity corrected)', 4.3556, 0.03689)
    """
    a = np.asarray(correct_a, dtype=bool)
    b_ = np.asarray(correct_b, dtype=bool)
    if a.shape != b_.shape:
        raise DataError(Errors.E726.format(n_a=a.size, n_b=b_.size))
    b = int(np.sum(a & ~b_))
    c = int(np.sum(~a & b_))
    n = b + c
    if n == 0:
        return TestResult("exact binomial", 0.0, 1.0, None)
    if n < EXACT_BELOW:
        from scipy.stats import binom

        p_value = min(1.0, 2 * float(binom.cdf(min(b, c), n, 0.5)))
        return TestResult("exact binomial", float(min(b, c)), p_value, None)
    from scipy.stats import chi2

    statistic = (abs(b - c) - 1) ** 2 / n
    return TestResult("chi-squared (continuity corrected)", float(statistic),
                      float(chi2.sf(statistic, 1)), 1)


def holm(p_values) -> list[float]:
    """Holm's step-down adjusted p-values, in the order given (Holm, 1979).

    With the m p-values sorted ascending, ``p_(1) ≤ … ≤ p_(m)``, the adjusted
    value of the i-th is ``max over j ≤ i of min(1, (m − j + 1) · p_(j))``.
    Rejecting where the adjusted p < alpha controls the family-wise error rate
    at alpha: the chance of calling any true null "significant" is at most alpha,
    whatever the dependence between the tests.

    Examples
    --------
    >>> [round(p, 6) for p in holm([0.01, 0.04, 0.03, 0.005])]
    [0.03, 0.06, 0.06, 0.02]
    >>> holm([])
    []
    """
    values = [float(p) for p in p_values]
    m = len(values)
    adjusted = [0.0] * m
    running = 0.0
    for i, k in enumerate(sorted(range(m), key=lambda k: values[k])):
        running = max(running, min(1.0, (m - i) * values[k]))
        adjusted[k] = running
    return adjusted
