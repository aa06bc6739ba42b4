"""``class_weight`` on the neural classifiers: the cross-entropy weighs each class, so
balanced weights lift the minority class's recall; the parameter round-trips."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import recall_score

pytest.importorskip("torch")

from textpipe.errors import ConfigError  # noqa: E402
from textpipe.stages.bilstm import BiLSTMClassifier  # noqa: E402
from textpipe.stages.cnn import CNNClassifier  # noqa: E402
from textpipe.stages.transformer_classifier import TransformerClassifier  # noqa: E402

TOKEN_STAGES = {
    "bilstm": lambda **kw: BiLSTMClassifier(
        embedding_dim=8, hidden_size=8, min_count=1, max_epochs=8, learning_rate=0.03,
        dropout=0.0, random_state=0, early_stopping=False, **kw),
    "cnn": lambda **kw: CNNClassifier(
        embedding_dim=8, feature_maps=4, widths=[1, 2], max_epochs=4, learning_rate=0.05,
        dropout=0.0, batch_size=8, random_state=0, early_stopping=False, **kw),
}


def imbalanced_tokens(n=60, n_minority=6, seed=0):
    """Shared words; the minority class (1 in 10) uses two words a little more."""
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


def _minority_recall(make, docs, y, weight):
    return recall_score(y, make(class_weight=weight).fit(docs, y).predict(docs), pos_label="min")


@pytest.mark.parametrize("name", sorted(TOKEN_STAGES))
def test_balanced_class_weight_raises_minority_recall(name):
    docs, y = imbalanced_tokens()
    plain = _minority_recall(TOKEN_STAGES[name], docs, y, None)
    balanced = _minority_recall(TOKEN_STAGES[name], docs, y, "balanced")
    assert balanced > plain, (name, plain, balanced)


def test_transformer_classifier_balanced_class_weight_raises_minority_recall(tiny_bert,
                                                                               no_network):
    docs, y = imbalanced_tokens()
    texts = [" ".join(d) for d in docs]

    def make(**kw):
        return TransformerClassifier(model=str(tiny_bert), learning_rate=3e-3, max_epochs=4,
                                     batch_size=8, dropout=0.0, early_stopping=False,
                                     random_state=0, **kw)

    assert _minority_recall(make, texts, y, "balanced") > _minority_recall(make, texts, y, None)


@pytest.mark.parametrize("name", sorted(TOKEN_STAGES))
def test_class_weight_survives_clone_and_pickle(name):
    docs, y = imbalanced_tokens(n=20, n_minority=4)
    est = TOKEN_STAGES[name](class_weight={"min": 3})
    fresh = clone(est)
    assert fresh.get_params()["class_weight"] == {"min": 3}
    est.fit(docs, y)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_allclose(restored.predict_proba(docs), est.predict_proba(docs))


@pytest.mark.parametrize("name", sorted(TOKEN_STAGES))
def test_class_weight_naming_an_unknown_label_is_a_config_error(name):
    docs, y = imbalanced_tokens(n=20, n_minority=4)
    with pytest.raises(ConfigError, match="'spam'"):
        TOKEN_STAGES[name](class_weight={"spam": 3}).fit(docs, y)


def test_a_bad_class_weight_is_caught_by_check_params():
    with pytest.raises(ConfigError, match="class_weight"):
        CNNClassifier(class_weight="balance").check_params()
