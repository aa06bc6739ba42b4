"""CountVectors, TfidfVectors and HashingVectors give sklearn's matrices on the same tokens."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer, TfidfVectorizer
from sklearn.utils._param_validation import InvalidParameterError

from textpipe.errors import InputError
from textpipe.stages.vectorize import CountVectors, HashingVectors, TfidfVectors


def ngrams(tokens, ngram_range):
    """The n-grams sklearn's word analyzer makes: tokens joined by one space."""
    lo, hi = ngram_range
    return [" ".join(tokens[i:i + n]) for n in range(lo, hi + 1) for i in range(len(tokens) - n + 1)]


def sklearn_like(cls, ngram_range=(1, 1), **params):
    return cls(analyzer=lambda doc: ngrams(doc, ngram_range), **params)


def make_corpus(n_docs=60, n_types=25, seed=0):
    """Zipf-like token lists with many frequency ties and a few empty documents."""
    rng = np.random.default_rng(seed)
    words = [f"w{i:02d}" for i in range(n_types)]
    p = 1.0 / np.arange(1, n_types + 1)
    docs = [list(rng.choice(words, size=rng.integers(0, 12), p=p / p.sum())) for _ in range(n_docs)]
    docs[3] = []
    return docs


CORPUS = make_corpus()
UNSEEN = [["w00", "never", "seen", "w01", "w00"], [], ["unknown"], ["w02", "w03", "w02"]]


def assert_same(ours, theirs):
    assert sp.issparse(ours) and ours.format == "csr" and ours.dtype == np.float64
    assert ours.has_sorted_indices
    assert ours.shape == theirs.shape
    diff = abs(sp.csr_matrix(ours) - sp.csr_matrix(theirs))
    assert diff.nnz == 0 or diff.max() < 1e-12


COUNT_PARAMS = [
    {},
    {"ngram_range": (1, 2)},
    {"ngram_range": (2, 3)},
    {"ngram_range": (1, 3), "binary": True},
    {"min_df": 2},
    {"min_df": 0.1},
    {"max_df": 5},
    {"max_df": 0.3},
    {"min_df": 2, "max_df": 0.5, "ngram_range": (1, 2)},
    {"max_features": 7},
    {"max_features": 7, "binary": True},
    {"max_features": 20, "ngram_range": (1, 2), "min_df": 2},
    {"min_df": 0.0},
]


@pytest.mark.parametrize("params", COUNT_PARAMS, ids=str)
def test_count_vectors_equal_sklearn_count_vectorizer(params):
    params = dict(params)
    ngram_range = params.pop("ngram_range", (1, 1))
    ours = CountVectors(ngram_range=ngram_range, **params)
    theirs = sklearn_like(CountVectorizer, ngram_range, **params)
    assert_same(ours.fit_transform(CORPUS), theirs.fit_transform(CORPUS))
    assert ours.vocabulary_ == theirs.vocabulary_
    assert ours.get_feature_names_out().tolist() == theirs.get_feature_names_out().tolist()
    assert_same(ours.transform(UNSEEN), theirs.transform(UNSEEN))


def test_count_vectors_equal_sklearn_own_word_ngrams():
    theirs = CountVectorizer(
        tokenizer=lambda d: d, preprocessor=lambda d: d, token_pattern=None,
        lowercase=False, ngram_range=(1, 3),
    )
    ours = CountVectors(ngram_range=(1, 3))
    assert_same(ours.fit_transform(CORPUS), theirs.fit_transform(CORPUS))
    assert ours.vocabulary_ == theirs.vocabulary_


TFIDF_PARAMS = [
    {},
    {"ngram_range": (1, 2)},
    {"norm": None},
    {"norm": "l1"},
    {"use_idf": False},
    {"smooth_idf": False},
    {"sublinear_tf": True},
    {"binary": True, "norm": None},
    {"max_features": 9, "sublinear_tf": True},
    {"min_df": 2, "max_df": 0.4, "ngram_range": (1, 2), "smooth_idf": False},
]


@pytest.mark.parametrize("params", TFIDF_PARAMS, ids=str)
def test_tfidf_vectors_equal_sklearn_tfidf_vectorizer(params):
    params = dict(params)
    ngram_range = params.pop("ngram_range", (1, 1))
    ours = TfidfVectors(ngram_range=ngram_range, **params)
    theirs = sklearn_like(TfidfVectorizer, ngram_range, **params)
    assert_same(ours.fit_transform(CORPUS), theirs.fit_transform(CORPUS))
    assert ours.vocabulary_ == theirs.vocabulary_
    if ours.use_idf:
        np.testing.assert_allclose(ours.idf_, theirs.idf_, rtol=1e-12)
    else:
        assert not hasattr(ours, "idf_")
    assert_same(ours.transform(UNSEEN), theirs.transform(UNSEEN))


def test_fit_then_transform_equals_fit_transform():
    for vec in (CountVectors(ngram_range=(1, 2)), TfidfVectors(sublinear_tf=True)):
        assert_same(clone(vec).fit(CORPUS).transform(CORPUS), clone(vec).fit_transform(CORPUS))


@pytest.mark.parametrize(
    "params",
    [{}, {"n_features": 2**12, "ngram_range": (1, 2), "norm": None}, {"binary": True, "alternate_sign": True},
     {"n_features": 16, "norm": "l1", "alternate_sign": True}, {"n_features": 7, "binary": True}],
    ids=str,
)
def test_hashing_vectors_equal_sklearn_hashing_vectorizer(params):
    params = dict(params)
    ngram_range = params.pop("ngram_range", (1, 1))
    ours = HashingVectors(ngram_range=ngram_range, **params)
    theirs = sklearn_like(HashingVectorizer, ngram_range, **{"alternate_sign": False, **params})
    assert_same(ours.transform(CORPUS + UNSEEN), theirs.transform(CORPUS + UNSEEN))


def test_hashing_vectors_are_stateless():
    vec = HashingVectors(n_features=32)
    before = vec.transform(CORPUS)  # no fit needed
    assert vec.fit(CORPUS) is vec
    assert_same(vec.fit_transform(UNSEEN), vec.transform(UNSEEN))
    assert_same(pickle.loads(pickle.dumps(vec)).transform(CORPUS), before)
    assert vec.transform([[], []]).nnz == 0


def test_unseen_tokens_are_ignored_at_transform():
    vec = CountVectors().fit([["a", "b"], ["b", "c"]])
    X = vec.transform([["b", "zzz", "b"], ["zzz"], []])
    assert X.shape == (3, 3)
    assert X.toarray().tolist() == [[0, 2, 0], [0, 0, 0], [0, 0, 0]]


def test_empty_document_gives_an_all_zero_row():
    X = TfidfVectors().fit_transform([["a", "b"], [], ("b",)])
    assert X.shape == (3, 2)
    assert X[1].nnz == 0 and np.all(X.toarray()[1] == 0)


@pytest.mark.parametrize("cls", [CountVectors, TfidfVectors])
def test_all_empty_documents_raise_no_features_error(cls):
    with pytest.raises(InputError, match="found no features"):
        cls().fit([[], []])
    with pytest.raises(ValueError, match="found no features"):
        cls(ngram_range=(2, 2)).fit_transform([["one"], ["token"]])


@pytest.mark.parametrize("cls", [CountVectors, TfidfVectors])
def test_empty_corpus_raises_input_error(cls):
    with pytest.raises(InputError, match="no documents"):
        cls().fit([])


def test_pruning_everything_names_min_df_and_max_df():
    with pytest.raises(ValueError, match=r"no terms remain .* min_df=2"):
        CountVectors(min_df=2).fit([["a"], ["b"], ["c"]])
    with pytest.raises(ValueError, match="Lower min_df or raise max_df"):
        CountVectors(min_df=3, max_df=2).fit([["a"]] * 4)


@pytest.mark.parametrize(
    "params, name",
    [({"min_df": -1}, "min_df"), ({"max_df": 1.5}, "max_df"), ({"max_features": 0}, "max_features"),
     ({"binary": "yes"}, "binary"), ({"norm": "l3"}, "norm")],
)
def test_invalid_parameters_are_rejected_at_fit_naming_the_parameter(params, name):
    vec = TfidfVectors(**params)  # __init__ does not validate
    with pytest.raises(InvalidParameterError, match=name):
        vec.fit(CORPUS)


@pytest.mark.parametrize("bad", [(2, 1), (0, 1), (1,), (1.0, 2)])
def test_invalid_ngram_range_is_rejected(bad):
    with pytest.raises(ValueError, match="ngram_range"):
        CountVectors(ngram_range=bad).fit(CORPUS)
    with pytest.raises(ValueError, match="ngram_range"):
        HashingVectors(ngram_range=bad).transform(CORPUS)


def test_ngram_range_from_yaml_may_be_a_list():
    vec = CountVectors(ngram_range=[1, 2]).fit(CORPUS)
    assert vec.get_params()["ngram_range"] == [1, 2]  # stored verbatim
    assert vec.vocabulary_ == CountVectors(ngram_range=(1, 2)).fit(CORPUS).vocabulary_


def test_raw_text_instead_of_tokens_is_reported():
    with pytest.raises(InputError, match="Put a 'tokenize' step before 'tfidf'"):
        TfidfVectors().fit(["raw text", "more text"])


@pytest.mark.parametrize("vec", [CountVectors(), TfidfVectors()], ids=lambda v: type(v).__name__)
def test_not_fitted_error_before_fit(vec):
    with pytest.raises(NotFittedError):
        vec.transform(CORPUS)
    with pytest.raises(NotFittedError):
        vec.get_feature_names_out()


@pytest.mark.parametrize(
    "vec", [CountVectors(ngram_range=(1, 2), min_df=2), TfidfVectors(sublinear_tf=True)],
    ids=lambda v: type(v).__name__,
)
def test_clone_and_pickle(vec):
    fitted = clone(vec).fit(CORPUS)
    restored = pickle.loads(pickle.dumps(fitted))
    assert_same(restored.transform(UNSEEN), fitted.transform(UNSEEN))
    assert restored.vocabulary_ == fitted.vocabulary_
    fresh = clone(fitted)
    assert fresh.get_params() == vec.get_params()
    assert not hasattr(fresh, "vocabulary_")


def test_refit_drops_stale_attributes():
    vec = TfidfVectors().fit(CORPUS)
    vec.set_params(use_idf=False).fit([["x", "y"]])
    assert not hasattr(vec, "idf_")
    assert vec.vocabulary_ == {"x": 0, "y": 1}


token_lists = st.lists(
    st.lists(st.sampled_from(["a", "b", "c", "d", "é", "a b", ""]), max_size=6), min_size=1, max_size=8
)


@settings(max_examples=40, deadline=None)
@given(docs=token_lists, ngram_hi=st.integers(1, 3), max_features=st.sampled_from([None, 1, 3]))
def test_random_token_lists_match_sklearn(docs, ngram_hi, max_features):
    ngram_range = (1, ngram_hi)
    ours = TfidfVectors(ngram_range=ngram_range, max_features=max_features, sublinear_tf=True)
    theirs = sklearn_like(TfidfVectorizer, ngram_range, max_features=max_features, sublinear_tf=True)
    if not any(docs):
        with pytest.raises(ValueError):
            theirs.fit(docs)
        with pytest.raises(InputError):
            ours.fit(docs)
        return
    assert_same(ours.fit_transform(docs), theirs.fit_transform(docs))
    assert ours.vocabulary_ == theirs.vocabulary_
    counts = CountVectors(ngram_range=ngram_range, max_features=max_features)
    assert_same(
        counts.fit_transform(docs),
        sklearn_like(CountVectorizer, ngram_range, max_features=max_features).fit_transform(docs),
    )
