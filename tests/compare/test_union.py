"""A ``union`` step in a comparison: identical unions share one fit per fold."""

import pytest

from textpipe.compare import load_experiment, run_experiment
from textpipe.compare.tree import ROOT_KEY, step_key
from textpipe.config import load_config
from textpipe.data import Dataset
from textpipe.registry import register_stage, unregister_stage
from textpipe.stages.tokenize import Tokenize


class CountingTokenize(Tokenize):
    """A tokenizer that counts its fits, fitted per fold like a trained one."""

    fits = []
    learns_from_training_data = True

    def fit(self, X, y=None):
        CountingTokenize.fits.append(len(X))
        return super().fit(X, y)

    def fit_transform(self, X, y=None):
        CountingTokenize.fits.append(len(X))
        return super().fit(X, y).transform(X)


def toy_data():
    pos = ["good fun film", "great acting", "lovely and fun", "a great joy", "fine and good"]
    neg = ["bad dull film", "awful acting", "boring and dull", "a total mess", "dull and bad"]
    return Dataset(texts=(pos + neg) * 4, labels=(["pos"] * 5 + ["neg"] * 5) * 4, name="toy")


def union(weight=1):
    return {"union": {"branches": {"words": ["counting_tokenize", "tfidf"],
                                   "counts": ["counting_tokenize", {"count": {"binary": True}}]},
                      "weights": {"words": weight, "counts": 0.5}}}


@pytest.fixture
def counting_stage():
    CountingTokenize.fits = []
    register_stage("counting_tokenize", CountingTokenize, consumes="text", produces="tokens")
    yield CountingTokenize
    unregister_stage("counting_tokenize")


def test_two_pipelines_with_the_same_union_fit_it_once_per_fold(counting_stage):
    experiment = {
        "evaluation": {"method": "cv", "folds": 3, "seed": 0, "metrics": ["accuracy"]},
        "pipelines": [{"steps": [union(), "logreg"]}, {"steps": [union(), "linear_svm"]}],
    }
    (run,) = run_experiment(load_experiment(experiment), [toy_data()])
    union_key = run.tree.paths[0][0]
    assert run.tree.paths[1][0] == union_key
    assert [run.fit_counts[(union_key, fold)] for fold in range(3)] == [1, 1, 1]
    assert len(counting_stage.fits) == 3 * 2                  # two branches, three folds
    assert all(r.scores for r in run.records.values())


def test_union_key_reads_weights_and_branch_numbers_as_their_parameters_do(counting_stage):
    def key(**kw):
        return step_key(ROOT_KEY, load_config({"steps": [union(**kw), "logreg"]}).steps[0])

    assert key(weight=1) == key(weight=1.0)
    assert key(weight=1) != key(weight=2)
    other = load_config({"steps": [{"union": {"branches": {"words": [
        "counting_tokenize", {"tfidf": {"ngram_range": [1, 2]}}]}}}, "logreg"]}).steps[0]
    assert step_key(ROOT_KEY, other) != key()
