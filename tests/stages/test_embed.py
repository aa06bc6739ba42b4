import pickle
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from textpipe.errors import InputError
from textpipe.stages.embed import (EmptyDocumentWarning, FastText, GloVe, PretrainedVectors,
                                   Word2Vec)

DOCS = [["a", "fine", "warm", "film"], ["a", "dull", "cold", "film"],
        ["fine", "warm", "acting"], ["dull", "cold", "acting"]] * 10
LABELS = ["pos", "neg", "pos", "neg"] * 10

#: These tests read the vectors with ndarray indexing; tests/stages/test_sklearn_output.py
#: checks that under pandas output the same values come as a DataFrame with named columns.
ARRAYS = pytest.mark.default_sklearn_output("checks the stage's ndarray output by indexing it")


@pytest.fixture
def glove_file(tmp_path):
    path = tmp_path / "vectors.txt"
    path.write_text("good 1 0\nbad 0 1\nfilm 1 1\n", encoding="utf-8")
    return path


def small(cls, **params):
    defaults = dict(dim=8, min_count=1, epochs=2, random_state=0)
    if cls is FastText:
        defaults["buckets"] = 1000
    return cls(**{**defaults, **params})


@ARRAYS
@pytest.mark.parametrize("cls", [Word2Vec, FastText, GloVe])
def test_trained_stage_gives_one_vector_per_document(cls):
    X = small(cls).fit_transform(DOCS)
    assert X.shape == (len(DOCS), 8) and np.isfinite(X).all()


@pytest.mark.parametrize("cls", [Word2Vec, FastText, GloVe])
def test_same_seed_gives_identical_vectors(cls):
    a = small(cls).fit(DOCS).transform(DOCS[:4])
    b = small(cls).fit(DOCS).transform(DOCS[:4])
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cls", [Word2Vec, FastText, GloVe])
def test_pickle_round_trip_transforms_identically(cls):
    stage = small(cls).fit(DOCS)
    again = pickle.loads(pickle.dumps(stage))
    np.testing.assert_array_equal(stage.transform(DOCS[:4]), again.transform(DOCS[:4]))


def test_pretrained_vectors_equal_what_the_file_holds(glove_file):
    stage = PretrainedVectors(path=str(glove_file)).fit([["good"]])
    assert stage.vocabulary_ == {"good": 0, "bad": 1, "film": 2}
    np.testing.assert_array_equal(stage.vectors_, [[1, 0], [0, 1], [1, 1]])


@ARRAYS
def test_oov_skip_leaves_unknown_tokens_out_of_the_mean(glove_file):
    stage = PretrainedVectors(path=str(glove_file), oov="skip").fit([["good"]])
    assert stage.transform([["good", "unknown"]]).tolist() == [[1.0, 0.0]]


@ARRAYS
def test_oov_zero_counts_unknown_tokens_as_zero_vectors(glove_file):
    stage = PretrainedVectors(path=str(glove_file), oov="zero").fit([["good"]])
    assert stage.transform([["good", "unknown"]]).tolist() == [[0.5, 0.0]]


@ARRAYS
def test_all_oov_document_gets_zeros_and_a_counted_warning(glove_file):
    stage = PretrainedVectors(path=str(glove_file), pooling="meanmax").fit([["good"]])
    with pytest.warns(EmptyDocumentWarning, match="1 of 2 documents"):
        X = stage.transform([["nothing", "known"], ["bad"]])
    assert X[0].tolist() == [0.0, 0.0, 0.0, 0.0] and not np.isnan(X).any()


@ARRAYS
def test_empty_document_gets_zeros(glove_file):
    stage = PretrainedVectors(path=str(glove_file)).fit([["good"]])
    with pytest.warns(EmptyDocumentWarning):
        assert stage.transform([[]]).tolist() == [[0.0, 0.0]]


@ARRAYS
@pytest.mark.parametrize("pooling,expected", [
    ("mean", [0.5, 0.5]), ("max", [1.0, 1.0]), ("meanmax", [0.5, 0.5, 1.0, 1.0]),
])
def test_pooling_methods_by_hand(glove_file, pooling, expected):
    stage = PretrainedVectors(path=str(glove_file), pooling=pooling).fit([["good"]])
    assert stage.transform([["good", "bad"]]).tolist() == [expected]


@ARRAYS
def test_tfidf_pooling_weights_rare_words_more(glove_file):
    train = [["good", "film"], ["good"], ["good", "bad"]]
    stage = PretrainedVectors(path=str(glove_file), pooling="tfidf").fit(train)
    x = stage.transform([["good", "bad"]])[0]
    assert x[1] > x[0]  # 'bad' (rarer) outweighs 'good'


def test_sif_pooling_removes_the_common_component():
    stage = small(Word2Vec, pooling="sif").fit(DOCS)
    X = stage.transform(DOCS)
    assert np.allclose(X @ stage.sif_.components_[0], 0, atol=1e-5)


@ARRAYS
def test_fasttext_subword_gives_unseen_words_a_vector():
    stage = small(FastText).fit(DOCS)
    assert np.abs(stage.transform([["films"]])).sum() > 0
    skip = small(FastText, oov="skip").fit(DOCS)
    with pytest.warns(EmptyDocumentWarning):
        assert np.abs(skip.transform([["films"]])).sum() == 0


def test_glove_loss_decreases():
    stage = small(GloVe, epochs=10).fit(DOCS)
    assert stage.losses_[-1] < stage.losses_[0]


def test_extra_corpus_adds_words_to_the_vocabulary(tmp_path):
    corpus = tmp_path / "unlabeled.txt"
    corpus.write_text("Marvellous cinema\nmarvellous cinema indeed\n", encoding="utf-8")
    stage = small(Word2Vec, corpus=str(corpus)).fit(DOCS)
    assert "marvellous" in stage.vocabulary_ and "fine" in stage.vocabulary_
    assert "marvellous" not in small(Word2Vec).fit(DOCS).vocabulary_


def test_no_word_reaching_min_count_is_a_clear_error():
    with pytest.raises(InputError, match="min_count"):
        small(Word2Vec, min_count=1000).fit(DOCS)


def test_bad_parameter_is_named():
    with pytest.raises(ValueError, match="pooling"):
        small(Word2Vec, pooling="median").fit(DOCS)


def test_neighbours_and_analogy_exclude_query_words():
    stage = small(Word2Vec, epochs=5).fit(DOCS)
    assert "fine" not in [w for w, _ in stage.most_similar("fine")]
    answer = stage.most_similar(["warm", "dull"], ["fine"], topn=3)
    assert len(answer) == 3 and not {"warm", "dull", "fine"} & {w for w, _ in answer}


def test_grid_search_over_embedding_parameters():
    pipe = Pipeline([("word2vec", small(Word2Vec)), ("logreg", LogisticRegression())])
    search = GridSearchCV(pipe, {"word2vec__pooling": ["mean", "max"], "word2vec__dim": [4, 8]},
                          cv=2).fit(DOCS, LABELS)
    assert search.best_params_["word2vec__dim"] in (4, 8)
    assert clone(pipe).get_params()["word2vec__dim"] == 8


@ARRAYS
def test_pretrained_pickle_reloads_from_the_file_not_the_pickle(glove_file):
    stage = PretrainedVectors(path=str(glove_file)).fit([["good"]])
    blob = pickle.dumps(stage)
    assert b"film" not in blob  # the vectors stay in the file
    assert pickle.loads(blob).transform([["film"]]).tolist() == [[1.0, 1.0]]


@ARRAYS
@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.text(max_size=12), max_size=8), min_size=1, max_size=6))
def test_arbitrary_unicode_tokens_give_finite_vectors(docs):
    stage = GloVe(dim=3, min_count=1, epochs=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmptyDocumentWarning)
        try:
            X = stage.fit_transform(docs)
        except InputError:  # every document empty: nothing to learn from
            assert all(not d for d in docs)
            return
    assert X.shape == (len(docs), 3) and np.isfinite(X).all()


@pytest.fixture(params=["word2vec", "fasttext", "glove", "pretrained"])
def any_embedding(request, tmp_path):
    if request.param == "pretrained":
        path = tmp_path / "v.txt"
        path.write_text("a 1 0 0\nfilm 0 1 0\n😀 0 0 1\n", encoding="utf-8")
        return lambda: PretrainedVectors(path=str(path))
    cls = {"word2vec": Word2Vec, "fasttext": FastText, "glove": GloVe}[request.param]
    return lambda: small(cls, dim=3, epochs=1)


@ARRAYS
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # factory: no state
@given(docs=st.lists(st.lists(st.text(min_size=1, max_size=10), max_size=6), min_size=1,
                     max_size=5))
def test_every_embedding_stage_survives_arbitrary_unicode(any_embedding, docs):
    docs = docs + [["a", "film", "😀"]]  # at least one learnable document
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmptyDocumentWarning)
        X = any_embedding().fit_transform(docs)
    assert X.shape[0] == len(docs) and np.isfinite(X).all()


@ARRAYS
def test_every_embedding_stage_handles_a_huge_document(any_embedding):
    huge = ["a", "fine", "film", "😀"] * 60_000  # 240k tokens: longer than gensim's 10k limit
    X = any_embedding().fit_transform([huge, ["a", "film"]])
    assert X.shape[0] == 2 and np.isfinite(X).all() and np.abs(X[0]).sum() > 0
