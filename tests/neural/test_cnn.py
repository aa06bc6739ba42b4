import json
import pickle

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

import textpipe
from textpipe.cli import main
from textpipe.errors import ConfigError, InputError
from textpipe.model import load_model, save_model
from textpipe.neural.cnn import KimCNN
from textpipe.stages.cnn import CNNClassifier
from textpipe.stages.tokenize import Tokenize

POS = [["a", "great", "film"], ["great", "fun"], ["a", "fine", "cast"], ["fine", "and", "fun"]]
NEG = [["a", "dull", "film"], ["so", "dull"], ["a", "weak", "plot"], ["weak", "and", "dull"]]
DOCS = (POS + NEG) * 4
LABELS = (["pos"] * 4 + ["neg"] * 4) * 4
TINY = dict(embedding_dim=8, feature_maps=4, widths=[1, 2, 3], max_epochs=6,
            learning_rate=0.05, dropout=0.0, batch_size=8, random_state=0,
            early_stopping=False)


@pytest.fixture(scope="module")
def vectors_file(tmp_path_factory):
    """A GloVe-format file: positive words point one way, negative ones the other."""
    path = tmp_path_factory.mktemp("vectors") / "vectors.txt"
    rng = np.random.default_rng(0)
    lines = []
    for word in ["great", "fun", "fine", "dull", "weak", "film", "a", "unused"]:
        sign = 1.0 if word in ("great", "fun", "fine") else -1.0
        vec = np.concatenate([[sign], rng.normal(0, 0.1, 5)])
        lines.append(word + " " + " ".join(f"{v:.4f}" for v in vec))
    path.write_text("\n".join(lines) + "\n")
    return path


def accuracy(clf, docs=DOCS, labels=LABELS):
    return (clf.predict(docs) == np.asarray(labels)).mean()


def test_fit_predict_predict_proba_and_classes():
    clf = CNNClassifier(**TINY).fit(DOCS, LABELS)
    assert clf.classes_.tolist() == ["neg", "pos"]
    proba = clf.predict_proba(DOCS)
    assert proba.shape == (32, 2) and np.allclose(proba.sum(1), 1)
    np.testing.assert_allclose(clf.predict_log_proba(DOCS), np.log(proba))
    assert accuracy(clf) == 1.0
    assert clf.n_epochs_ == 6 and len(clf.history_) == 6 and clf.vocabulary_["great"] >= 2
    assert isinstance(clf.module_, KimCNN) and clf.n_pretrained_ == 0


def test_learns_a_separable_task_with_held_out_documents_well_above_chance():
    # 400 documents of 8-15 random filler words with one cue word per class among them:
    # held-out documents are classified by their cue, never seen in that context.
    rng = np.random.default_rng(0)
    filler = [f"w{i}" for i in range(200)]
    cues = {"a": ["good", "great", "fine"], "b": ["bad", "awful", "poor"]}
    labels = rng.choice(["a", "b"], size=400).tolist()
    docs = []
    for label in labels:
        doc = rng.choice(filler, size=rng.integers(8, 16)).tolist()
        doc.insert(int(rng.integers(0, len(doc))), str(rng.choice(cues[label])))
        docs.append(doc)
    clf = CNNClassifier(embedding_dim=16, feature_maps=8, max_epochs=10, learning_rate=0.01,
                        patience=3, random_state=0).fit(docs[:300], labels[:300])
    assert accuracy(clf, docs[300:], labels[300:]) >= 0.9
    assert clf.best_epoch_ <= clf.n_epochs_ <= 10 and "valid_accuracy" in clf.history_[0]


def test_same_seed_gives_identical_predictions_and_another_seed_differs():
    a = CNNClassifier(**TINY).fit(DOCS, LABELS).predict_proba(DOCS)
    b = CNNClassifier(**TINY).fit(DOCS, LABELS).predict_proba(DOCS)
    c = CNNClassifier(**{**TINY, "random_state": 1}).fit(DOCS, LABELS).predict_proba(DOCS)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_training_leaves_torch_global_state_and_threads_as_they_were():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    threads = torch.get_num_threads()
    CNNClassifier(**{**TINY, "n_threads": 2, "max_epochs": 1}).fit(DOCS, LABELS)
    assert torch.equal(torch.rand(3), expected) and torch.get_num_threads() == threads


def test_output_weight_rows_keep_the_max_norm_also_in_the_best_epoch_kept():
    params = {**TINY, "learning_rate": 0.5, "max_epochs": 8, "early_stopping": True,
              "validation_fraction": 0.25, "patience": 8}
    norms = CNNClassifier(**params, max_norm=0.5).fit(DOCS, LABELS).module_.out.weight.norm(dim=1)
    assert norms.max() <= 0.5 + 1e-5
    free = CNNClassifier(**params, max_norm=None).fit(DOCS, LABELS).module_.out.weight.norm(dim=1)
    assert free.max() > 0.5


def test_a_document_gets_the_same_probabilities_alone_as_in_a_batch_of_longer_ones():
    clf = CNNClassifier(**TINY).fit(DOCS, LABELS)
    batch = [["great"], [], ["a", "dull", "film", "so", "dull", "and", "weak"] * 3]
    together = clf.predict_proba(batch)
    for doc, row in zip(batch, together):
        np.testing.assert_allclose(clf.predict_proba([doc])[0], row, rtol=1e-6, atol=1e-7)


def test_clone_and_grid_search_over_nested_parameters_in_a_pipeline():
    texts = [" ".join(d) for d in DOCS]
    pipe = Pipeline([("tokenize", Tokenize()), ("cnn", CNNClassifier(**TINY))])
    assert clone(pipe).get_params()["cnn__feature_maps"] == 4
    search = GridSearchCV(pipe, {"cnn__widths": [[1, 2], [2, 3]]}, cv=2).fit(texts, LABELS)
    assert search.best_params_["cnn__widths"] in ([1, 2], [2, 3])
    assert search.predict(texts[:2]).shape == (2,)


def test_pickle_and_saved_model_round_trips_give_identical_predictions(tmp_path):
    pipe = textpipe.load_pipeline({"steps": [{"tokenize": {}}, {"cnn": TINY}]})
    texts = [" ".join(d) for d in DOCS] + ["", "unseen words only"]
    pipe.fit(texts[:32], LABELS)
    expected = pipe.predict_proba(texts)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(pipe)).predict_proba(texts),
                                  expected)
    save_model(pipe, tmp_path / "m")
    assert (tmp_path / "m" / "weights.safetensors").is_file()
    np.testing.assert_array_equal(load_model(tmp_path / "m").pipeline.predict_proba(texts),
                                  expected)


def test_textpipe_train_then_score_with_a_cnn_pipeline(tmp_path):
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps({"text": " ".join(d), "label": y}) + "\n"
                            for d, y in zip(DOCS, LABELS)))
    config = tmp_path / "cnn.yaml"
    config.write_text("steps:\n  - tokenize: {}\n  - cnn: " + json.dumps(TINY) + "\n")
    docs = tmp_path / "docs.txt"
    docs.write_text("a great film\nso dull\n")
    assert main(["train", str(config), "--data", str(data), "-o", str(tmp_path / "m"),
                 "-q"]) == 0
    assert main(["score", str(tmp_path / "m"), str(docs), "-o", str(tmp_path / "out.jsonl"),
                 "-q"]) == 0
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [row["label"] for row in rows] == ["pos", "neg"]


@pytest.mark.parametrize("mode", ["non-static", "static", "multichannel"])
def test_word_vector_files_initialise_each_mode(vectors_file, mode):
    clf = CNNClassifier(**{**TINY, "embeddings": "vectors", "vectors": str(vectors_file),
                           "mode": mode}).fit(DOCS, LABELS)
    assert clf.n_pretrained_ == 7  # all but "unused", which no document has
    channels = clf.module_.channels
    assert len(channels) == (2 if mode == "multichannel" else 1)
    # "great" starts at 1.0 (the file's value) in every channel; only a fixed one keeps it.
    kept = [abs(c.weight[clf.vocabulary_["great"], 0].item() - 1.0) < 1e-6 for c in channels]
    assert kept == {"non-static": [False], "static": [True], "multichannel": [True, False]}[mode]
    assert accuracy(clf) >= 0.9


@pytest.mark.parametrize("source", ["word2vec", "fasttext", "glove"])
def test_embedding_stages_trained_on_the_fold_initialise_the_table(source):
    params = {"dim": 6, "min_count": 1, "epochs": 1}
    clf = CNNClassifier(**{**TINY, "embeddings": source, "mode": "static",
                           "embedding_params": params}).fit(DOCS, LABELS)
    table = clf.module_.channels[0].weight
    assert table.shape == (len(clf.vocabulary_) + 2, 6) and not table.requires_grad
    assert clf.n_pretrained_ == len(clf.vocabulary_)
    assert clf.predict_proba(DOCS).shape == (32, 2)


def test_multichannel_trains_one_copy_and_keeps_the_other(vectors_file):
    clf = CNNClassifier(**{**TINY, "embeddings": "vectors", "vectors": str(vectors_file),
                           "mode": "multichannel"}).fit(DOCS, LABELS)
    fixed, tuned = clf.module_.channels
    row = clf.vocabulary_["great"]
    assert torch.allclose(fixed.weight[row, 0], torch.tensor(1.0))
    assert not torch.allclose(fixed.weight[row], tuned.weight[row])
    assert clf.module_.convs[0].in_channels == 12


@pytest.mark.parametrize("docs, labels, message", [
    ([[], []], ["a", "b"], "no features"),
    (DOCS, ["pos"] * 32, "only one class"),
    (DOCS, LABELS[:3], "has 32 documents but y has 3"),
    (["raw text"], ["a"], "expects token lists"),
])
def test_bad_input_is_refused_with_a_clear_message(docs, labels, message):
    with pytest.raises(InputError, match=message):
        CNNClassifier(**TINY).fit(docs, labels)


@pytest.mark.parametrize("params, param, message", [
    ({"mode": "static"}, "mode", "embeddings='random' has none"),
    ({"mode": "multichannel"}, "mode", "embeddings='random' has none"),
    ({"embeddings": "vectors"}, "vectors", "set 'vectors' to its path"),
    ({"vectors": "v.txt"}, "vectors", "vectors applies only"),
    ({"embedding_params": {"dim": 5}}, "embedding_params", "embedding_params applies only"),
    ({"widths": []}, "widths", "non-empty list of positive whole numbers"),
    ({"widths": [3, 0]}, "widths", "non-empty list of positive whole numbers"),
    ({"widths": [2.5]}, "widths", "non-empty list of positive whole numbers"),
])
def test_inconsistent_parameters_are_refused_naming_the_parameter(params, param, message):
    clf = CNNClassifier(**{**TINY, **params})
    with pytest.raises(ConfigError, match=message) as info:
        clf.check_params()
    assert info.value.param == param
    with pytest.raises(ConfigError, match=message):
        clf.fit(DOCS, LABELS)


@pytest.mark.parametrize("params, message", [
    ({"mode": "dynamic"}, "mode"),
    ({"feature_maps": 0}, "feature_maps"),
    ({"dropout": 1.0}, "dropout"),
    ({"max_norm": 0}, "max_norm"),
])
def test_out_of_range_values_are_refused(params, message):
    with pytest.raises(ValueError, match=message):
        CNNClassifier(**{**TINY, **params}).fit(DOCS, LABELS)


def test_a_vector_file_sharing_no_word_with_the_documents_is_refused(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("zzz 1 0\nyyy 0 1\n")
    clf = CNNClassifier(**{**TINY, "embeddings": "vectors", "vectors": str(path)})
    with pytest.raises(ConfigError, match="none of the .* training words has a vector"):
        clf.fit(DOCS, LABELS)


# -- arbitrary documents ----------------------------------------------------------------
tokens = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8)
documents = st.one_of(
    st.lists(st.one_of(tokens, st.sampled_from(["great", "dull", "film"])), max_size=4),
    st.lists(st.sampled_from(["great", "dull", "x"]), min_size=300, max_size=600),
)
FITTED = {}


def fitted():
    if "clf" not in FITTED:
        FITTED["clf"] = CNNClassifier(**{**TINY, "widths": [2, 5]}).fit(DOCS, LABELS)
    return FITTED["clf"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(documents, max_size=6))
def test_any_documents_get_one_probability_row_each_independent_of_the_batch(docs):
    clf = fitted()
    proba = clf.predict_proba(docs)
    assert proba.shape == (len(docs), 2) and np.all(np.isfinite(proba))
    assert np.allclose(proba.sum(axis=1), 1)
    for doc, row in zip(docs[:2], proba):
        np.testing.assert_allclose(clf.predict_proba([doc])[0], row, rtol=1e-5, atol=1e-6)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(documents, min_size=2, max_size=6))
def test_fitting_on_any_documents_with_two_classes_works_or_refuses_cleanly(docs):
    labels = ["a", "b"] * (len(docs) // 2) + ["a"] * (len(docs) % 2)
    params = {**TINY, "max_epochs": 1, "widths": [2, 5]}
    try:
        clf = CNNClassifier(**params).fit(docs, labels)
    except InputError as exc:
        assert not any(docs) and "no features" in str(exc)
        return
    assert clf.predict(docs).shape == (len(docs),)
