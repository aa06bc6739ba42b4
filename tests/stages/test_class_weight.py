"""``class_weight`` on the classifier stages over features: balanced weights lift the
minority class's recall, dict weights are checked against the labels, parameters round-trip."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import recall_score

from textpipe.errors import ConfigError
from textpipe.registry import get_stage
from textpipe.stages.class_weight import class_weights, sample_weights
from textpipe.stages.vectorize import CountVectors

#: Every classifier stage over features; complement_nb is checked on its counts below.
LIFTED = ["logreg", "linear_svm", "sgd", "random_forest", "multinomial_nb", "nbsvm", "mlp"]
SEEDED = {"logreg", "linear_svm", "sgd", "random_forest", "nbsvm", "mlp"}


def imbalanced_corpus(n=120, n_minority=12, seed=0):
    """Documents of shared words; the minority class (1 in 10) uses two words a little more."""
    rng = np.random.default_rng(seed)
    words = ["the", "film", "a", "plot", "was", "and", "story", "acting", "odd", "rare"]
    docs, y = [], []
    for i in range(n):
        p = np.ones(len(words))
        if i < n_minority:
            p[-2:] = 3.0
        docs.append(list(rng.choice(words, size=6, p=p / p.sum())))
        y.append("min" if i < n_minority else "maj")
    return docs, np.array(y)


@pytest.fixture(scope="module")
def counts():
    docs, y = imbalanced_corpus()
    return CountVectors().fit_transform(docs), y


def _make(name, **params):
    return get_stage(name).create(**({"random_state": 0} if name in SEEDED else {}), **params)


@pytest.mark.parametrize("name", LIFTED)
def test_balanced_class_weight_raises_minority_recall(name, counts):
    X, y = counts
    recall = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for weight in (None, "balanced"):
            pred = _make(name, class_weight=weight).fit(X, y).predict(X)
            recall[weight] = recall_score(y, pred, pos_label="min")
    assert recall["balanced"] > recall[None], (name, recall)


def test_complement_nb_counts_each_document_at_its_class_weight(counts):
    # Complement NB's predictions ignore class priors by design; what the weights change
    # is the per-class feature counts, which must be the weighted sums.
    X, y = counts
    plain = _make("complement_nb").fit(X, y)
    weighted = _make("complement_nb", class_weight={"min": 5}).fit(X, y)
    k = list(plain.classes_).index("min")
    np.testing.assert_allclose(weighted.feature_count_[k], 5 * plain.feature_count_[k])
    np.testing.assert_allclose(weighted.feature_count_[1 - k], plain.feature_count_[1 - k])


@pytest.mark.parametrize("name", LIFTED + ["complement_nb"])
def test_class_weight_survives_clone_get_params_and_pickle(name, counts):
    X, y = counts
    est = _make(name, class_weight={"min": 4.0})
    assert est.get_params()["class_weight"] == {"min": 4.0}
    fresh = clone(est)
    assert fresh.get_params() == est.get_params()
    fresh.set_params(class_weight="balanced")
    assert fresh.get_params()["class_weight"] == "balanced"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict(X), est.predict(X))


@pytest.mark.parametrize("name", LIFTED + ["complement_nb"])
def test_a_class_weight_that_is_not_balanced_none_or_a_mapping_is_a_config_error(name):
    from textpipe.parameters import parameter_problems

    problems = parameter_problems(get_stage(name).create(class_weight="balance"))
    assert any("class_weight" in str(p) for p in problems), name


def test_a_class_weight_naming_an_unknown_label_says_which_labels_exist():
    with pytest.raises(ConfigError, match=r"(?s)'spam'.*'a', 'b'"):
        class_weights({"spam": 2}, np.array(["a", "b"]), np.array([0, 1]), "logreg")


def test_a_negative_class_weight_is_refused():
    with pytest.raises(ConfigError, match="'b'"):
        class_weights({"b": -1}, np.array(["a", "b"]), np.array([0, 1]), "logreg")


def test_dict_keys_match_labels_as_written_and_multiply_sample_weights():
    assert class_weights({"1": 3}, np.array([0, 1]), np.array([0, 1]), "mlp").tolist() == [1, 3]
    assert sample_weights({"b": 2}, ["a", "b"], [0.5, 0.5], "mlp").tolist() == [0.5, 1.0]


@pytest.mark.parametrize("name", ["multinomial_nb", "nbsvm", "mlp", "cnn"])
def test_validate_refuses_a_bad_class_weight_in_yaml(name, tmp_path, capsys):
    from textpipe.cli import main

    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    vectors = "" if name == "cnn" else "  - count\n"
    for path, weight in ((good, "balanced"), (bad, "balance")):
        path.write_text(f"steps:\n  - tokenize\n{vectors}  - {name}: {{class_weight: {weight}}}\n",
                        encoding="utf-8")
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(bad)]) == 1
    assert "class_weight" in capsys.readouterr().err
