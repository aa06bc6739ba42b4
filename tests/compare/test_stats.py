"""Intervals and paired tests, checked against values computed by hand."""

import math

import pytest

from textpipe.compare.stats import (
    corrected_resampled_ttest,
    cv_interval,
    mcnemar_test,
    wilson_interval,
)

A = [0.80, 0.82, 0.78, 0.81, 0.79]
B = [0.78, 0.80, 0.77, 0.80, 0.76]


def test_corrected_resampled_ttest_matches_the_hand_computation():
    # d = [.02, .02, .01, .01, .03]; mean .018; var(ddof=1) = 2.8e-4 / 4 = 7e-5
    # 5-fold CV: n_test/n_train = 1/4, so the factor is 1/5 + 1/4 = 0.45
    # t = .018 / sqrt(0.45 * 7e-5) = .018 / .0056125 = 3.20713; df = 4
    # two-sided p for t(4): 2 * P(T > 3.20713) = 0.03268
    result = corrected_resampled_ttest(A, B, n_train=8000, n_test=2000)
    assert result.df == 4
    assert result.statistic == pytest.approx(0.018 / math.sqrt(0.45 * 7e-5), rel=1e-9)
    assert result.statistic == pytest.approx(3.20713, abs=1e-5)
    assert result.p_value == pytest.approx(0.03268, abs=1e-5)


def test_the_correction_makes_the_test_more_conservative_than_the_plain_paired_t():
    # the plain paired t-test divides by sqrt(var/k) = sqrt(7e-5 / 5): t = 4.81070
    plain_t = 0.018 / math.sqrt(7e-5 / 5)
    corrected = corrected_resampled_ttest(A, B, n_train=8000, n_test=2000)
    assert plain_t == pytest.approx(4.81070, abs=1e-5)
    assert corrected.statistic < plain_t


def test_ttest_is_antisymmetric_and_handles_constant_differences():
    ab = corrected_resampled_ttest(A, B, n_train=4, n_test=1)
    ba = corrected_resampled_ttest(B, A, n_train=4, n_test=1)
    assert ab.statistic == pytest.approx(-ba.statistic) and ab.p_value == pytest.approx(ba.p_value)
    assert corrected_resampled_ttest(A, A, n_train=4, n_test=1).p_value == 1.0
    shifted = [x - 0.01 for x in A]
    assert corrected_resampled_ttest(A, shifted, n_train=4, n_test=1).p_value == 0.0


def test_cv_interval_matches_the_hand_computation():
    # mean .80; var(ddof=1) = (0 + .0004 + .0004 + .0001 + .0001) / 4 = 2.5e-4
    # half-width = t(0.975, 4) * sqrt(0.45 * 2.5e-4) = 2.776445 * 0.0106066 = 0.0294487
    low, high = cv_interval(A, n_train=8000, n_test=2000)
    assert low == pytest.approx(0.80 - 0.0294487, abs=1e-6)
    assert high == pytest.approx(0.80 + 0.0294487, abs=1e-6)


def test_mcnemar_uses_the_exact_binomial_for_few_discordant_documents():
    # b = 10 (only A right), c = 2: p = 2 * P(X <= 2 | n=12, 1/2) = 2 * (1 + 12 + 66) / 4096
    a = [True] * 10 + [False] * 2 + [True] * 50
    b = [False] * 10 + [True] * 2 + [True] * 50
    result = mcnemar_test(a, b)
    assert result.method == "exact binomial"
    assert result.p_value == pytest.approx(2 * 79 / 4096)


def test_mcnemar_uses_continuity_corrected_chi_squared_for_many():
    # b = 30, c = 15: chi2 = (|30 - 15| - 1)^2 / 45 = 196 / 45 = 4.35556; p = 0.036888
    result = mcnemar_test([True] * 30 + [False] * 15, [False] * 30 + [True] * 15)
    assert result.method.startswith("chi-squared")
    assert result.statistic == pytest.approx(196 / 45)
    assert result.p_value == pytest.approx(0.036888, abs=1e-6)


def test_mcnemar_without_discordant_documents_finds_no_difference():
    assert mcnemar_test([True, False], [True, False]).p_value == 1.0


def test_wilson_interval_matches_the_hand_computation():
    # 80 of 100, z = 1.959964: centre (0.8 + z²/200) / (1 + z²/100) = 0.788906,
    # half z * sqrt(0.0016 + z²/40000) / (1 + z²/100) = 0.077735
    low, high = wilson_interval(80, 100)
    assert low == pytest.approx(0.711171, abs=1e-5)
    assert high == pytest.approx(0.866641, abs=1e-5)
    assert wilson_interval(10, 10)[1] == 1.0
