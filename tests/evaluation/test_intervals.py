import numpy as np
import pytest

from textpipe.compare import stats
from textpipe.evaluation import intervals
from textpipe.evaluation.intervals import bootstrap_interval, split_interval, wilson_interval
from textpipe.evaluation.metrics import metric_function


def test_compare_and_run_share_one_wilson_implementation():
    assert stats.wilson_interval is intervals.wilson_interval


def test_accuracy_on_a_split_gets_wilsons_interval():
    truth, predicted = ["a"] * 50 + ["b"] * 50, ["a"] * 50 + ["a"] * 10 + ["b"] * 40
    interval = split_interval("accuracy", truth, predicted)
    assert (interval.low, interval.high) == pytest.approx(wilson_interval(90, 100))
    assert interval.method == "Wilson"


def test_other_metrics_get_a_seeded_bootstrap_interval_around_the_score():
    rng = np.random.default_rng(0)
    truth = rng.choice(list("abc"), 200)
    predicted = np.where(rng.random(200) < 0.7, truth, rng.choice(list("abc"), 200))
    value = metric_function("macro_f1")(truth, predicted)
    interval = split_interval("macro_f1", truth, predicted, seed=3)
    assert interval.method == "bootstrap"
    assert interval.low < value < interval.high
    assert 0.05 < interval.high - interval.low < 0.3
    assert split_interval("macro_f1", truth, predicted, seed=3) == interval
    assert bootstrap_interval("macro_f1", truth, predicted, seed=4) != (interval.low,
                                                                         interval.high)


@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
@pytest.mark.parametrize("name", ["accuracy", "balanced_accuracy", "macro_f1", "micro_f1",
                                  "weighted_f1", "macro_precision", "macro_recall"])
def test_label_metrics_from_counts_match_sklearn_on_every_resample(name):
    rng = np.random.default_rng(1)
    truth = rng.choice(list("abcd"), 40, p=[0.5, 0.3, 0.15, 0.05])
    predicted = np.where(rng.random(40) < 0.6, truth, rng.choice(list("abcde"), 40))
    rows = rng.integers(0, 40, size=(30, 40))
    fast = intervals.resampled_label_metric(name, truth, predicted, rows)
    slow = [metric_function(name)(truth[r], predicted[r]) for r in rows]
    assert fast == pytest.approx(slow)


@pytest.mark.parametrize("name", ["roc_auc", "average_precision", "log_loss"])
@pytest.mark.parametrize("classes", ["ab", "abcd"])
def test_score_metrics_from_weights_match_sklearn_on_every_resample(name, classes):
    from textpipe.evaluation.metrics import score_metric

    rng = np.random.default_rng(2)
    truth = rng.choice(list(classes), 60)
    scores = np.round(rng.dirichlet([1] * len(classes), 60), 1)   # rounded: ties too
    scores = scores / scores.sum(axis=1, keepdims=True) if name == "log_loss" else scores
    rows = rng.integers(0, 60, size=(20, 60))
    fast = intervals.resampled_score_metric(name, truth, scores, list(classes), rows)
    slow = [score_metric(name, truth[r], scores[r], list(classes)) for r in rows]
    assert fast == pytest.approx(slow)
