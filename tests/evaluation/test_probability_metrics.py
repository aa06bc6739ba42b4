"""roc_auc, log_loss and average_precision: scored from class probabilities or decision scores."""

import numpy as np
import pytest
from sklearn import metrics as m

from textpipe.config import load_config
from textpipe.data import Dataset
from textpipe.errors import ConfigError
from textpipe.evaluation import evaluate
from textpipe.evaluation.metrics import METRICS, score

POS = ["good fun film", "great acting", "lovely and fun", "a great joy"]
NEG = ["bad dull film", "awful acting", "boring and dull", "a total mess"]
MID = ["a film", "some acting", "it was a film", "the plot"]


def test_the_registry_has_the_three_probability_metrics():
    assert {"roc_auc", "log_loss", "average_precision"} <= set(METRICS)


def test_binary_scores_match_sklearn_on_the_second_class_column():
    truth = ["neg", "pos", "pos", "neg", "pos"]
    proba = np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.9, 0.1], [0.2, 0.8]])
    got = score(truth, ["neg", "pos", "neg", "neg", "pos"],
                ["roc_auc", "log_loss", "average_precision"],
                class_scores=proba, classes=["neg", "pos"])
    positive = [t == "pos" for t in truth]
    assert got["roc_auc"] == pytest.approx(m.roc_auc_score(positive, proba[:, 1]))
    assert got["average_precision"] == pytest.approx(
        m.average_precision_score(positive, proba[:, 1]))
    assert got["log_loss"] == pytest.approx(m.log_loss(truth, proba, labels=["neg", "pos"]))


def test_multiclass_roc_auc_and_average_precision_are_macro_one_vs_rest():
    rng = np.random.default_rng(0)
    truth = rng.choice(list("abc"), 60)
    proba = rng.dirichlet([1, 1, 1], 60)
    got = score(truth, truth, ["roc_auc", "average_precision"], class_scores=proba,
                classes=list("abc"))
    assert got["roc_auc"] == pytest.approx(
        m.roc_auc_score(truth, proba, multi_class="ovr", average="macro", labels=list("abc")))
    assert got["average_precision"] == pytest.approx(np.mean(
        [m.average_precision_score(truth == c, proba[:, k]) for k, c in enumerate("abc")]))


def data(classes=2):
    groups = [POS, NEG, MID][:classes]
    labels = ["pos", "neg", "mid"][:classes]
    return Dataset(sum(groups, []) * 5, sum([[l] * 4 for l in labels], []) * 5)


def config(classifier, metrics):
    return load_config({"steps": ["tokenize", "count", classifier],
                        "evaluation": {"method": "cv", "folds": 3, "metrics": metrics}})


@pytest.mark.parametrize("classes", [2, 3])
def test_a_classifier_without_probabilities_is_ranked_by_its_decision_function(classes):
    result = evaluate(config("linear_svm", ["roc_auc", "average_precision"]), data(classes))
    summary = result.summary()
    assert summary["roc_auc"]["mean"] == pytest.approx(1.0)
    assert summary["average_precision"]["mean"] == pytest.approx(1.0)


def test_log_loss_uses_predicted_probabilities():
    summary = evaluate(config("multinomial_nb", ["log_loss"]), data(3)).summary()
    assert 0 < summary["log_loss"]["mean"] < np.log(3)


def test_log_loss_without_predict_proba_is_refused_when_the_file_is_read():
    with pytest.raises(ConfigError) as caught:
        config("linear_svm", ["accuracy", "log_loss"])
    text = str(caught.value)
    assert "log_loss" in text and "linear_svm" in text and "E740" in text
