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
