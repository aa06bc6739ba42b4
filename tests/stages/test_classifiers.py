"""Every classifier stage in the registry builds, fits tf-idf features, predicts, clones and pickles."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from textpipe.registry import all_stages
from textpipe.stages.vectorize import TfidfVectors

# Classifiers over features; those that read tokens (bilstm) are tested in tests/neural.
CLASSIFIERS = [spec for spec in all_stages() if spec.is_classifier and "features" in spec.consumes]

# Whether the registry's default settings give predict_proba (None: not asserted).
HAS_PROBA = {
    "logreg": True,
    "linear_svm": False,
    "multinomial_nb": True,
    "complement_nb": True,
    "nbsvm": False,  # only with loss="logistic"
    "sgd": False,  # only with a probabilistic loss
    "random_forest": True,
    "mlp": True,
}


def _toy_corpus(n_docs=80, seed=0):
    """Two classes of token lists with clear cue words and shared filler."""
    rng = np.random.default_rng(seed)
    cues = {"pos": ["great", "fun", "moving", "superb"], "neg": ["dull", "slow", "boring", "weak"]}
    filler = ["the", "film", "a", "plot", "was", "and", "story", "acting"]
    docs, y = [], []
    for i in range(n_docs):
        label = "pos" if i % 2 else "neg"
        docs.append(list(rng.choice(cues[label], size=2)) + list(rng.choice(filler, size=5)))
        y.append(label)
    return docs, np.array(y)


@pytest.fixture(scope="module")
def tfidf_data():
    docs, y = _toy_corpus()
    return TfidfVectors().fit_transform(docs), y


def test_the_registry_lists_the_builtin_classifiers():
    assert set(HAS_PROBA) <= {spec.name for spec in CLASSIFIERS}


@pytest.mark.parametrize("spec", CLASSIFIERS, ids=lambda spec: spec.name)
def test_classifier_stage_fits_predicts_clones_and_pickles(spec, tfidf_data):
    X, y = tfidf_data
    est = spec.create()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    pred = est.predict(X)
    assert pred.shape == (X.shape[0],)
    assert set(pred) <= {"pos", "neg"}
    assert sorted(est.classes_) == ["neg", "pos"]
    if spec.name != "mlp":  # early stopping on 80 documents may stop before it has learnt much
        assert np.mean(pred == y) >= 0.9, spec.name

    expected = HAS_PROBA.get(spec.name)
    if expected is not None:
        assert hasattr(est, "predict_proba") == expected, spec.name
    if hasattr(est, "predict_proba"):
        proba = est.predict_proba(X)
        assert proba.shape == (X.shape[0], 2)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)

    fresh = clone(est)
    assert fresh.get_params() == est.get_params()
    assert not hasattr(fresh, "classes_")
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict(X), pred)
