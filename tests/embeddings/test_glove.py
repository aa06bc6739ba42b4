"""GloVe: vocabulary, co-occurrence counts checked by hand and by a naive loop, and training."""

from unittest import mock

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from textpipe.embeddings import glove
from textpipe.embeddings.glove import build_vocabulary, cooccurrence_matrix, fit_glove

VOCAB = {"a": 0, "b": 1, "c": 2}


def naive_cooccurrence(docs, vocabulary, window, symmetric=True, distance_weighting=True):
    """The definition, one pair at a time: OOV removed first, no crossing of documents."""
    X = np.zeros((len(vocabulary), len(vocabulary)))
    for doc in docs:
        ids = [vocabulary[t] for t in doc if t in vocabulary]
        for pos, center in enumerate(ids):
            for d in range(1, window + 1):
                if pos - d < 0:
                    break
                w = 1.0 / d if distance_weighting else 1.0
                X[center, ids[pos - d]] += w
                if symmetric:
                    X[ids[pos - d], center] += w
    return X


def test_build_vocabulary_sorts_by_count_then_alphabetically():
    words, counts = build_vocabulary([["b", "c", "a"], ["c", "b", "d", "d"]], min_count=2)
    assert words == ["b", "c", "d"]
    assert counts.tolist() == [2, 2, 2]
    assert build_vocabulary([["x", "y", "y"]], min_count=1, max_size=1)[0] == ["y"]


def test_build_vocabulary_reads_a_generator_once():
    words, counts = build_vocabulary((doc for doc in [["a", "a"], ["b"]]), min_count=1)
    assert words == ["a", "b"] and counts.tolist() == [2, 1]


def test_cooccurrence_matches_hand_computed_counts():
    X = cooccurrence_matrix([["a", "b", "c", "a"]], VOCAB, window=2)
    # a-b at 1 and 2 (1 + 1/2), b-c at 1, a-c at 2 and 1 (1/2 + 1), a-a at 3: outside.
    expected = [[0, 1.5, 1.5], [1.5, 0, 1], [1.5, 1, 0]]
    assert sp.issparse(X) and X.format == "csr"
    np.testing.assert_allclose(X.toarray(), expected)


def test_cooccurrence_left_context_only_when_not_symmetric():
    X = cooccurrence_matrix([["a", "b", "c"]], VOCAB, window=2, symmetric=False)
    # row = word, column = a word before it
    np.testing.assert_allclose(X.toarray(), [[0, 0, 0], [1, 0, 0], [0.5, 1, 0]])


def test_cooccurrence_windows_do_not_cross_documents():
    X = cooccurrence_matrix([["a"], ["b"], [], ["c", "c"]], VOCAB, window=5)
    np.testing.assert_allclose(X.toarray(), [[0, 0, 0], [0, 0, 0], [0, 0, 2]])


def test_cooccurrence_removes_oov_tokens_before_windowing():
    X = cooccurrence_matrix([["a", "zz", "zz", "b"]], VOCAB, window=1)
    np.testing.assert_allclose(X.toarray(), [[0, 1, 0], [1, 0, 0], [0, 0, 0]])


def test_cooccurrence_without_distance_weighting_counts_each_pair_once():
    X = cooccurrence_matrix([["a", "b", "c"]], VOCAB, window=2, distance_weighting=False)
    np.testing.assert_allclose(X.toarray(), [[0, 1, 1], [1, 0, 1], [1, 1, 0]])


@settings(max_examples=40, deadline=None)
@given(
    docs=st.lists(st.lists(st.sampled_from("abcdefgz"), max_size=12), max_size=8),
    window=st.integers(1, 4),
    symmetric=st.booleans(),
    distance_weighting=st.booleans(),
)
def test_cooccurrence_equals_the_naive_definition_across_chunks_and_blocks(
    docs, window, symmetric, distance_weighting
):
    vocabulary = {w: i for i, w in enumerate("abcdefg")}  # 'z' is out of vocabulary
    # Tiny chunks and a tiny dense block exercise chunking and the sparse path.
    with mock.patch.object(glove, "_CHUNK_TOKENS", 5), mock.patch.object(glove, "_DENSE_WORDS", 3):
        X = cooccurrence_matrix(docs, vocabulary, window, symmetric, distance_weighting)
    expected = naive_cooccurrence(docs, vocabulary, window, symmetric, distance_weighting)
    np.testing.assert_allclose(X.toarray(), expected)
    assert X.has_canonical_format


def synthetic_corpus(n_docs=150, seed=0):
    """Two topics with their own words, plus shared function words."""
    rng = np.random.default_rng(seed)
    topics = [[f"s{i}" for i in range(8)], [f"t{i}" for i in range(8)]]
    shared = ["the", "a", "of"]
    docs = []
    for k in range(n_docs):
        pool_ = topics[k % 2] + shared
        docs.append([str(w) for w in rng.choice(pool_, size=12)])
    return docs


@pytest.fixture(scope="module")
def cooc():
    docs = synthetic_corpus()
    words, _ = build_vocabulary(docs, min_count=1)
    return cooccurrence_matrix(docs, {w: i for i, w in enumerate(words)}, window=3), words


def test_glove_loss_decreases_over_epochs(cooc):
    X, words = cooc
    result = fit_glove(X, dim=10, epochs=5, x_max=10, seed=0, batch_size=64)
    assert result.vectors.shape == (len(words), 10) and result.vectors.dtype == np.float32
    assert len(result.losses) == 5
    assert np.all(np.diff(result.losses) < 0)
    assert result.losses[-1] < 0.05 * result.losses[0]


def test_glove_same_seed_gives_same_vectors(cooc):
    X, _ = cooc
    one = fit_glove(X, dim=5, epochs=3, seed=7)
    two = fit_glove(X, dim=5, epochs=3, seed=7)
    other = fit_glove(X, dim=5, epochs=3, seed=8)
    np.testing.assert_array_equal(one.vectors, two.vectors)
    assert one.losses == two.losses
    assert not np.array_equal(one.vectors, other.vectors)


def reference_glove(X, dim, epochs, x_max, alpha, learning_rate, seed):
    """glove.c's sequential AdaGrad loop, one entry at a time, with fit_glove's init."""
    coo = X.tocoo()
    rng = np.random.default_rng(seed)
    V = X.shape[0]

    def init(*shape):
        return ((rng.random(shape, dtype=np.float32) - 0.5) / dim).astype(np.float64)

    W, Wc, b, bc = init(V, dim), init(V, dim), init(V), init(V)
    gW, gWc, gb, gbc = np.ones_like(W), np.ones_like(Wc), np.ones_like(b), np.ones_like(bc)
    losses = []
    for _ in range(epochs):
        cost = 0.0
        for k in rng.permutation(coo.nnz):
            i, j, x = coo.row[k], coo.col[k], coo.data[k]
            diff = W[i] @ Wc[j] + b[i] + bc[j] - np.log(x)
            fdiff = diff if x >= x_max else (x / x_max) ** alpha * diff
            cost += 0.5 * fdiff * diff
            fdiff *= learning_rate
            g1, g2 = np.clip(fdiff * Wc[j], -100, 100), np.clip(fdiff * W[i], -100, 100)
            W[i] -= g1 / np.sqrt(gW[i])
            Wc[j] -= g2 / np.sqrt(gWc[j])
            gW[i] += g1**2
            gWc[j] += g2**2
            b[i] -= fdiff / np.sqrt(gb[i])
            bc[j] -= fdiff / np.sqrt(gbc[j])
            gb[i] += fdiff**2
            gbc[j] += fdiff**2
        losses.append(cost / coo.nnz)
    return W + Wc, losses


def test_glove_with_batches_of_one_is_the_reference_sequential_algorithm():
    X = cooccurrence_matrix([["a", "b", "c", "a", "b"], ["c", "c", "b"]], VOCAB, window=2)
    result = fit_glove(X, dim=4, epochs=3, x_max=2.0, learning_rate=0.1, seed=3, batch_size=1)
    vectors, losses = reference_glove(X, 4, 3, 2.0, 0.75, 0.1, seed=3)
    np.testing.assert_allclose(result.vectors, vectors, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(result.losses, losses, rtol=1e-4)


def test_adagrad_step_sums_the_updates_of_a_row_repeated_in_a_batch():
    params, gradsq = np.zeros((3, 2), np.float32), np.full((3, 2), 4.0, np.float32)
    bias, bias_gradsq = np.zeros(3, np.float32), np.full(3, 4.0, np.float32)
    index = np.array([2, 0, 2, 2])
    grad = np.array([[1, 2], [3, 4], [5, 6], [7, 8]], np.float32)
    bias_grad = np.array([1, 2, 3, 4], np.float32)
    glove._adagrad_step(params, gradsq, bias, bias_gradsq, index, grad.copy(), bias_grad)
    # Row 2: sum of its 3 gradients over sqrt(4); gradsq grows by the sum of squares.
    np.testing.assert_allclose(params, [[-1.5, -2], [0, 0], [-6.5, -8]])
    np.testing.assert_allclose(gradsq, [[13, 20], [4, 4], [4 + 1 + 25 + 49, 4 + 4 + 36 + 64]])
    np.testing.assert_allclose(bias, [-1, 0, -4])
    np.testing.assert_allclose(bias_gradsq, [8, 4, 4 + 1 + 9 + 16])


def test_glove_callback_sees_each_epoch_and_can_stop_training(cooc):
    X, _ = cooc
    seen = []
    result = fit_glove(X, dim=4, epochs=5, callback=lambda e, l: seen.append((e, l)) or e == 2)
    assert [e for e, _ in seen] == [0, 1, 2]
    assert result.losses == [loss for _, loss in seen]


def test_cooccurrence_rejects_a_bad_window():
    with pytest.raises(ValueError, match="window"):
        cooccurrence_matrix([["a"]], VOCAB, window=0)
