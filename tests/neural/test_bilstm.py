import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

import textpipe
from textpipe.errors import InputError
from textpipe.model import load_model, save_model
from textpipe.stages.bilstm import BiLSTMClassifier
from textpipe.stages.tokenize import Tokenize

POS = [["a", "great", "film"], ["great", "fun"], ["a", "fine", "cast"], ["fine", "and", "fun"]]
NEG = [["a", "dull", "film"], ["so", "dull"], ["a", "weak", "plot"], ["weak", "and", "dull"]]
DOCS = (POS + NEG) * 4
LABELS = (["pos"] * 4 + ["neg"] * 4) * 4
TINY = dict(embedding_dim=8, hidden_size=8, min_count=1, max_epochs=4, learning_rate=0.03,
            dropout=0.0, random_state=0, early_stopping=False)


def test_fit_predict_predict_proba_and_classes():
    clf = BiLSTMClassifier(**TINY).fit(DOCS, LABELS)
    assert clf.classes_.tolist() == ["neg", "pos"]
    proba = clf.predict_proba(DOCS)
    assert proba.shape == (32, 2) and np.allclose(proba.sum(1), 1)
    assert (clf.predict(DOCS) == np.asarray(LABELS)).mean() >= 0.9
    assert clf.n_epochs_ == 4 and len(clf.history_) == 4 and clf.vocabulary_["great"] >= 2


@pytest.mark.parametrize("pooling", ["last", "mean", "attention"])
def test_every_pooling_learns_the_toy_task(pooling):
    clf = BiLSTMClassifier(**{**TINY, "pooling": pooling}).fit(DOCS, LABELS)
    assert (clf.predict(DOCS) == np.asarray(LABELS)).mean() >= 0.8


def test_same_seed_gives_identical_predictions_and_another_seed_differs():
    a = BiLSTMClassifier(**TINY).fit(DOCS, LABELS).predict_proba(DOCS)
    b = BiLSTMClassifier(**TINY).fit(DOCS, LABELS).predict_proba(DOCS)
    c = BiLSTMClassifier(**{**TINY, "random_state": 1}).fit(DOCS, LABELS).predict_proba(DOCS)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_training_leaves_torch_global_state_as_it_was():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    threads = torch.get_num_threads()
    BiLSTMClassifier(**{**TINY, "n_threads": 2, "max_epochs": 1}).fit(DOCS, LABELS)
    assert torch.equal(torch.rand(3), expected) and torch.get_num_threads() == threads


def test_early_stopping_keeps_the_best_epoch_on_the_validation_split():
    # Labels without signal and a word unique to each document: the network can only
    # memorise, so the validation loss soon rises and training stops.
    rng = np.random.default_rng(0)
    docs = [[f"w{i}", f"v{i % 5}"] for i in range(60)]
    labels = rng.choice(["a", "b"], size=60).tolist()
    clf = BiLSTMClassifier(**{**TINY, "early_stopping": True, "validation_fraction": 0.25,
                              "max_epochs": 40, "patience": 2, "learning_rate": 0.05})
    clf.fit(docs, labels)
    assert clf.n_epochs_ < 40
    losses = [h["valid_loss"] for h in clf.history_]
    assert clf.best_epoch_ == 1 + int(np.argmin(losses))
    assert "valid_accuracy" in clf.history_[0]


def test_clone_and_grid_search_over_nested_parameters_in_a_pipeline():
    texts = [" ".join(d) for d in DOCS]
    pipe = Pipeline([("tokenize", Tokenize()), ("bilstm", BiLSTMClassifier(**TINY))])
    assert clone(pipe).get_params()["bilstm__hidden_size"] == 8
    search = GridSearchCV(pipe, {"bilstm__hidden_size": [4, 8]}, cv=2).fit(texts, LABELS)
    assert search.best_params_["bilstm__hidden_size"] in (4, 8)
    assert search.predict(texts[:2]).shape == (2,)


def test_pickle_and_saved_model_round_trips_give_identical_predictions(tmp_path):
    pipe = textpipe.load_pipeline({"steps": [{"tokenize": {}}, {"bilstm": TINY}]})
    texts = [" ".join(d) for d in DOCS]
    pipe.fit(texts, LABELS)
    expected = pipe.predict_proba(texts)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(pipe)).predict_proba(texts),
                                  expected)
    save_model(pipe, tmp_path / "m")
    assert (tmp_path / "m" / "weights.safetensors").is_file()
    np.testing.assert_array_equal(load_model(tmp_path / "m").pipeline.predict_proba(texts),
                                  expected)


def test_word2vec_embeddings_initialise_the_table_and_can_stay_frozen():
    clf = BiLSTMClassifier(**{**TINY, "embeddings": "word2vec", "freeze_embeddings": True,
                              "embedding_params": {"dim": 6, "min_count": 1, "epochs": 1}})
    clf.fit(DOCS, LABELS)
    table = clf.module_.source.embedding.weight
    assert table.shape == (len(clf.vocabulary_) + 2, 6) and not table.requires_grad
    assert clf.predict_proba(DOCS).shape == (32, 2)


def test_frozen_elmo_learns_a_scalar_mix_and_leaves_the_bilm_unchanged(tiny_bilm):
    from textpipe.neural.io import load_bilm

    clf = BiLSTMClassifier(**{**TINY, "embeddings": "elmo", "bilm": str(tiny_bilm)})
    clf.fit(DOCS, LABELS)
    weights = clf.module_.source.mix.weights
    assert not torch.allclose(weights, torch.full_like(weights, 1 / 3))
    original, _, _ = load_bilm(tiny_bilm)
    assert all(torch.equal(a, b) for a, b in zip(original.state_dict().values(),
                                                 clf.bilm_.state_dict().values()))
    assert clf.predict(DOCS[:3]).shape == (3,)


def test_finetuning_unfreezes_the_bilm_one_group_per_epoch_from_the_top(tiny_bilm):
    from textpipe.neural.io import load_bilm

    original, _, _ = load_bilm(tiny_bilm)
    params = {**TINY, "embeddings": "elmo", "bilm": str(tiny_bilm), "finetune": True}
    one = BiLSTMClassifier(**{**params, "max_epochs": 2}).fit(DOCS, LABELS)
    bilm = one.module_.source.bilm
    assert torch.equal(bilm.encoder.projection.weight, original.encoder.projection.weight)
    assert torch.equal(bilm.forward_lstms[0].weight_hh_l0, original.forward_lstms[0].weight_hh_l0)
    assert not torch.equal(bilm.forward_lstms[1].weight_hh_l0,
                           original.forward_lstms[1].weight_hh_l0)
    four = BiLSTMClassifier(**{**params, "max_epochs": 4}).fit(DOCS, LABELS)
    assert not torch.equal(four.module_.source.bilm.encoder.projection.weight,
                           original.encoder.projection.weight)
    assert four.predict(DOCS).shape == (32,)


@pytest.mark.parametrize("finetune", [False, True])
def test_concat_words_feeds_learned_word_vectors_beside_elmo(tiny_bilm, tmp_path, finetune):
    from textpipe.neural.classifier import Concat

    params = {**TINY, "embeddings": "elmo", "bilm": str(tiny_bilm), "concat_words": True,
              "finetune": finetune, "max_epochs": 2}
    clf = BiLSTMClassifier(**params).fit(DOCS, LABELS)
    words, _ = clf.module_.source.sources
    assert isinstance(clf.module_.source, Concat)
    assert words.embedding.weight.shape == (len(clf.vocabulary_) + 2, TINY["embedding_dim"])
    # The BiLSTM reads both: word vectors (8) and the biLM's ELMo layers (2 x 8).
    assert clf.module_.lstm.input_size == TINY["embedding_dim"] + 16
    proba = clf.predict_proba(DOCS + [[], ["unseen", "words"]])
    assert proba.shape == (34, 2) and np.allclose(proba.sum(1), 1)
    # The same fit predicts the same batches identically (other batches may differ by 1 ulp).
    again = BiLSTMClassifier(**params).fit(DOCS, LABELS)
    np.testing.assert_array_equal(again.predict_proba(DOCS + [[], ["unseen", "words"]]), proba)
    save_model(Pipeline([("bilstm", clf)]), tmp_path / "m")
    np.testing.assert_allclose(load_model(tmp_path / "m").pipeline.predict_proba(DOCS),
                               clf.predict_proba(DOCS))


@pytest.mark.parametrize("docs, labels, message", [
    ([[], []], ["a", "b"], "no features"),
    (DOCS, ["pos"] * 32, "only one class"),
    (DOCS, LABELS[:3], "has 32 documents but y has 3"),
    (["raw text"], ["a"], "expects token lists"),
])
def test_bad_input_is_refused_with_a_clear_message(docs, labels, message):
    with pytest.raises(InputError, match=message):
        BiLSTMClassifier(**TINY).fit(docs, labels)


def test_empty_documents_are_classified_without_error():
    clf = BiLSTMClassifier(**TINY).fit(DOCS + [[]], LABELS + ["pos"])
    assert clf.predict([[], ["great"]]).shape == (2,)


@pytest.mark.parametrize("params, message", [
    ({"embeddings": "elmo"}, "needs a pretrained biLM"),
    ({"finetune": True}, "finetune applies only"),
    ({"concat_words": True}, "concat_words applies only"),
    ({"embedding_params": {"dim": 5}}, "embedding_params applies only"),
    ({"pooling": "sum"}, "pooling"),
])
def test_inconsistent_parameters_are_refused(params, message):
    with pytest.raises((InputError, ValueError), match=message):
        BiLSTMClassifier(**{**TINY, **params}).fit(DOCS, LABELS)
