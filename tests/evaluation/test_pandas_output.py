"""Evaluating under scikit-learn's pandas output gives the scores of the default output."""

import numpy as np
import pytest
import sklearn

from tests.support.output_probe import OutputProbe
from textpipe.config import load_config
from textpipe.data import Dataset
from textpipe.evaluation import evaluate
from textpipe.registry import register_stage, unregister_stage

pytest.importorskip("pandas")

TEXTS = ["good fun film", "bad dull film plot", "fun", "dull and bad", "good good",
         "bad bad bad bad"] * 4
LABELS = ["pos", "neg", "pos", "neg", "pos", "neg"] * 4


class Length(OutputProbe):
    """The probe, declared to learn nothing: computed once for all folds, then split by row."""

    learns_from_training_data = False


@pytest.fixture
def length_stage():
    register_stage("length", Length, consumes="text", produces="features")
    yield
    unregister_stage("length")


def folds(output):
    config = load_config({
        "steps": [{"length": {"expect": output}}, "logreg"],
        "evaluation": {"method": "cv", "folds": 3, "seed": 0, "metrics": ["accuracy"]}})
    with sklearn.config_context(transform_output=output):
        return evaluate(config, Dataset(TEXTS, LABELS, name="toy"), n_jobs=1).summary()[
            "accuracy"]["folds"]


@pytest.mark.default_sklearn_output("compares pandas output with the default")
def test_dense_steps_computed_once_for_all_folds_are_split_by_row(length_stage):
    plain = folds("default")
    assert len(plain) == 3 and np.mean(plain) > 0.5
    np.testing.assert_allclose(folds("pandas"), plain)
