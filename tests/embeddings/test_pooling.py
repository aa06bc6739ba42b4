"""Pooling: hand computations, sklearn's idf, a direct SIF, empty documents, random corpora."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfTransformer

from textpipe.embeddings.pooling import SIFPooler, idf_weights, pool, sif_weights, word_counts
from textpipe.errors import InputError

VECTORS = np.array([[1, 2], [3, -4], [-5, 6], [0, 10]], dtype=np.float32)


def test_mean_max_and_meanmax_match_a_hand_computation():
    docs = [[0, 1], [2], [1, 1, 3]]
    mean, n_empty = pool(docs, VECTORS, "mean")
    np.testing.assert_allclose(mean, [[2, -1], [-5, 6], [2, 2 / 3]], rtol=1e-6)
    assert n_empty == 0 and mean.dtype == np.float32
    maxed, _ = pool(docs, VECTORS, "max")
    np.testing.assert_array_equal(maxed, [[3, 2], [-5, 6], [3, 10]])
    both, _ = pool(docs, VECTORS, "meanmax")
    np.testing.assert_allclose(both, np.hstack([mean, maxed]), rtol=1e-6)


def test_documents_with_no_known_token_pool_to_zeros_and_are_counted():
    docs = [[], [-1, -1], [0], [-1]]
    for method, width in [("mean", 2), ("max", 2), ("meanmax", 4)]:
        X, n_empty = pool(docs, VECTORS, method)
        assert X.shape == (4, width) and n_empty == 3
        assert not np.isnan(X).any()
        np.testing.assert_array_equal(X[[0, 1, 3]], 0)
    for method in ("tfidf", "sif"):
        X, n_empty = pool(docs, VECTORS, method, weights=np.ones(4))
        assert n_empty == 3 and not np.isnan(X).any()
        np.testing.assert_array_equal(X[[0, 1, 3]], 0)
    X, n_empty = pool([[-1]], VECTORS, "max")
    np.testing.assert_array_equal(X, [[0, 0]])  # not the -inf identity of max
    sif = SIFPooler().fit([[0, 1], [2, 3], [1]], VECTORS)
    X, n_empty = sif.pool([[-1], [0]], VECTORS)
    assert n_empty == 1 and not np.isnan(X).any()
    np.testing.assert_array_equal(X[0], 0)


def test_no_documents_gives_an_empty_matrix():
    X, n_empty = pool([], VECTORS, "meanmax")
    assert X.shape == (0, 4) and n_empty == 0


def test_idf_weights_equal_sklearn_tfidf_transformer():
    docs = [[0, 0, 1], [1, 2], [2, 2, 2, 0], [3]]
    counts = sp.csr_matrix(
        (np.ones(sum(map(len, docs))), ([i for i, d in enumerate(docs) for _ in d], sum(docs, []))),
        shape=(len(docs), 4),
    )
    for smooth in (True, False):
        expected = TfidfTransformer(smooth_idf=smooth).fit(counts).idf_
        got = idf_weights(docs, n_words=5, smooth_idf=smooth)
        np.testing.assert_allclose(got[:4], expected)
        assert got[4] == (pytest.approx(np.log(5) + 1) if smooth else 0)  # never seen


def test_tfidf_pooling_is_the_weighted_average():
    docs = [[0, 0, 1], [2, 3, -1]]
    w = idf_weights(docs, 4)
    X, _ = pool(docs, VECTORS, "tfidf", weights=w)
    for row, doc in zip(X, docs):
        ids = [i for i in doc if i >= 0]
        expected = (w[ids, None] * VECTORS[ids]).sum(0) / w[ids].sum()
        np.testing.assert_allclose(row, expected, rtol=1e-6)


def direct_sif(train, new, vectors, a):
    """Arora et al. (2017), Algorithm 1, written out with numpy."""
    counts = np.zeros(len(vectors))
    for doc in train:
        for i in doc:
            counts[i] += 1
    p = counts / counts.sum()

    def average(docs):
        return np.array([
            (a / (a + p[doc])) @ vectors[doc] / len(doc) if len(doc) else np.zeros(2)
            for doc in docs
        ])

    V = average(train)
    u = np.linalg.svd(V)[2][0]
    return V - np.outer(V @ u, u), average(new) - np.outer(average(new) @ u, u)


def test_sif_matches_a_direct_implementation_and_reuses_the_fitted_component():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(8, 2)) + [3, 1]  # a strong common direction
    train = [list(rng.integers(0, 8, size=n)) for n in (3, 5, 2, 6, 4)]
    new = [[0, 7], [5]]
    sif = SIFPooler(a=0.1).fit(train, vectors)
    expected_train, expected_new = direct_sif(train, new, vectors, a=0.1)
    np.testing.assert_allclose(sif.pool(train, vectors)[0], expected_train, atol=1e-10)
    np.testing.assert_allclose(sif.pool(new, vectors)[0], expected_new, atol=1e-10)
    np.testing.assert_allclose(sif.weights_, sif_weights(word_counts(train, 8), a=0.1))
    assert sif.components_.shape == (1, 2)


def test_sif_pooler_uses_given_counts_and_must_be_fitted():
    with pytest.raises(NotFittedError):
        SIFPooler().pool([[0]], VECTORS)
    sif = SIFPooler(a=1.0, n_components=0).fit([[0]], VECTORS, counts=[1, 1, 1, 1])
    np.testing.assert_allclose(sif.weights_, 0.8)
    np.testing.assert_allclose(sif.pool([[0, 1]], VECTORS)[0], [[1.6, -0.8]], rtol=1e-6)


def test_bad_ids_and_weights_are_rejected():
    with pytest.raises(InputError, match="document 1 holds token id 4, but there are 4 vectors"):
        pool([[0], [1, 4]], VECTORS)
    with pytest.raises(ValueError, match="needs weights"):
        pool([[0]], VECTORS, "tfidf")
    with pytest.raises(ValueError, match="shape"):
        pool([[0]], VECTORS, "sif", weights=[1.0])
    with pytest.raises(ValueError, match="not 'mean'"):
        pool([[0]], VECTORS, "mean", weights=np.ones(4))
    with pytest.raises(ValueError, match="parameter .method.: must be one of"):
        pool([[0]], VECTORS, "median")


def test_integer_arrays_and_float64_vectors_are_accepted():
    docs = [np.array([0, 1]), np.array([], dtype=np.int64), np.array([3])]
    X, n_empty = pool(docs, VECTORS.astype(np.float64), "mean")
    assert X.dtype == np.float64 and n_empty == 1
    np.testing.assert_allclose(X, [[2, -1], [0, 0], [0, 10]])


@settings(max_examples=30, deadline=None)
@given(
    docs=st.lists(st.lists(st.integers(-1, 5), max_size=7), max_size=10),
)
def test_pooling_equals_a_per_document_loop(docs):
    vectors = np.arange(12, dtype=np.float32).reshape(6, 2) * np.float32([1, -1]) % 7
    X, n_empty = pool(docs, vectors, "meanmax")
    known = [[i for i in d if i >= 0] for d in docs]
    assert n_empty == sum(not k for k in known)
    for row, ids in zip(X, known):
        if ids:
            np.testing.assert_allclose(row[:2], vectors[ids].mean(0), rtol=1e-6)
            np.testing.assert_array_equal(row[2:], vectors[ids].max(0))
        else:
            np.testing.assert_array_equal(row, 0)
