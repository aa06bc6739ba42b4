"""GloVe: global word vectors from a co-occurrence matrix (Pennington et al., 2014).

Three steps, each usable on its own:

1. :func:`build_vocabulary` counts the words of a corpus and keeps the frequent ones,
   ranked by frequency (so id 0 is the most frequent word);
2. :func:`cooccurrence_matrix` counts, for every pair of vocabulary words, how often
   one occurs within ``window`` tokens of the other, each occurrence weighted by
   ``1 / distance``;
3. :func:`fit_glove` fits vectors ``w_i``, ``w~_j`` and biases ``b_i``, ``b~_j`` so that
   ``w_i . w~_j + b_i + b~_j`` approximates ``log X_ij``, minimising the weighted
   least squares ``J = sum f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij)^2`` with
   AdaGrad, as the reference implementation (``glove.c``) does.

Everything runs on whole arrays, never a Python loop per token or per pair:
documents are mapped to integer ids once (a dict lookup per token, run by ``map``
in C); co-occurrences are found with one slice per window offset over the
concatenated corpus; training updates mini-batches of non-zero entries at once,
summing the updates of a word that occurs several times in a batch.

Examples
--------
>>> from textpipe.embeddings.glove import build_vocabulary, cooccurrence_matrix, fit_glove
>>> docs = [["the", "cat", "sat"], ["the", "dog", "sat"]] * 20
>>> words, counts = build_vocabulary(docs, min_count=1)
>>> words, counts.tolist()
(['sat', 'the', 'cat', 'dog'], [40, 40, 20, 20])
>>> X = cooccurrence_matrix(docs, {w: i for i, w in enumerate(words)}, window=2)
>>> X.toarray()[1].tolist()  # 'the': 'sat' at distance 2 (x40), 'cat' and 'dog' at 1 (x20)
[20.0, 0.0, 20.0, 20.0]
>>> result = fit_glove(X, dim=8, epochs=10, seed=0)
>>> result.vectors.shape, result.vectors.dtype.name
((4, 8), 'float32')
>>> result.losses[-1] < result.losses[0]
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError, Errors, InputError

__all__ = ["GloveResult", "build_vocabulary", "cooccurrence_matrix", "fit_glove"]

# Pairs of words whose ids are both below this are counted in a dense block with
# np.bincount (32 MiB of float64); the rest go through a sparse COO -> CSR sum. Ids
# are frequency ranks, so the dense block holds most of the pairs of a corpus.
_DENSE_WORDS = 2048
# Tokens per chunk of corpus: bounds the temporary arrays to a few hundred MiB.
_CHUNK_TOKENS = 1 << 20
# glove.c clips each component of a gradient to this value.
_GRAD_CLIP = 100.0


def build_vocabulary(
    token_lists: Iterable[Sequence[str]], min_count: int = 5, max_size: int | None = None
) -> tuple[list[str], np.ndarray]:
    """Count the words of a corpus and keep the frequent ones, most frequent first.

    Parameters
    ----------
    token_lists : iterable of list of str
        The corpus, one token list per document. Read once, so a generator works.
    min_count : int, default=5
        Keep words that occur at least this many times.
    max_size : int or None, default=None
        Keep at most this many words (the most frequent ones).

    Returns
    -------
    words : list of str
        The kept words, sorted by count (descending), then alphabetically, so the
        order does not depend on the order of the corpus.
    counts : ndarray of int64
        ``counts[i]`` is the number of occurrences of ``words[i]``.

    Examples
    --------
    >>> build_vocabulary([["b", "a", "b"], ["c", "a"]], min_count=2)
    (['a', 'b'], array([2, 2]))
    >>> build_vocabulary([["b", "a", "b"], ["c", "a"]], min_count=1, max_size=1)
    (['a'], array([2]))
    """
    if int(min_count) < 1:
        raise ConfigError(Errors.E512.format(what="a positive integer", got=min_count),
                          param="min_count")
    if max_size is not None and int(max_size) < 0:
        raise ConfigError(Errors.E512.format(what="None or a non-negative integer", got=max_size),
                          param="max_size")
    counter = Counter(chain.from_iterable(token_lists))
    kept = sorted(
        ((w, c) for w, c in counter.items() if c >= min_count), key=lambda wc: (-wc[1], wc[0])
    )
    if max_size is not None:
        kept = kept[: int(max_size)]
    words = [w for w, _ in kept]
    counts = np.fromiter((c for _, c in kept), dtype=np.int64, count=len(kept))
    return words, counts


def _encoded_chunks(token_lists, vocabulary, chunk_tokens):
    """Yield ``(ids, doc)`` per chunk of documents: the in-vocabulary token ids and,
    for each, the index of its document within the chunk. OOV tokens are removed."""
    docs_iter = iter(token_lists)
    while True:
        docs, n_tokens = [], 0
        for doc in docs_iter:
            docs.append(doc)
            n_tokens += len(doc)
            if n_tokens >= chunk_tokens:
                break
        if not docs:
            return
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
        ids = np.fromiter(
            map(vocabulary.get, chain.from_iterable(docs), repeat(-1)),
            dtype=np.int64,
            count=n_tokens,
        )
        doc = np.repeat(np.arange(len(docs), dtype=np.int32), lengths)
        known = ids >= 0
        yield ids[known], doc[known]
        if n_tokens < chunk_tokens:  # the iterator is exhausted
            return


def cooccurrence_matrix(
    token_lists: Iterable[Sequence[str]],
    vocabulary: Mapping[str, int],
    window: int = 10,
    symmetric: bool = True,
    distance_weighting: bool = True,
) -> sp.csr_matrix:
    """Count weighted co-occurrences of vocabulary words within a window.

    For every token ``i`` and every token ``j`` at distance ``d <= window`` before it
    in the same document, ``X[i, j] += 1 / d`` (or ``+= 1`` without distance
    weighting). With ``symmetric=True`` the tokens after it count as well, so
    ``X`` is symmetric.

    Out-of-vocabulary tokens are removed *before* windowing, as GloVe's reference
    ``cooccur.c`` does: they occupy no window position, so in ``a OOV b`` the words
    ``a`` and ``b`` are at distance 1. Windows never cross a document boundary.

    Parameters
    ----------
    token_lists : iterable of list of str
        The corpus, one token list per document. Read once, in chunks of about a
        million tokens, so a generator streaming from disk works.
    vocabulary : mapping of str to int
        Word -> id, ids ``0 .. len(vocabulary) - 1``. Ids ranked by frequency (as
        :func:`build_vocabulary` gives) make counting fastest.
    window : int, default=10
        Largest distance counted.
    symmetric : bool, default=True
        Count context on both sides; if False, only the left context (``X[i, j]``
        counts ``j`` before ``i``).
    distance_weighting : bool, default=True
        Weight an occurrence at distance ``d`` by ``1 / d``; if False, by 1.

    Returns
    -------
    X : scipy.sparse.csr_matrix of float64, shape (n_words, n_words)
        With sorted indices and no duplicate entries.

    Examples
    --------
    >>> vocab = {"a": 0, "b": 1, "c": 2}
    >>> X = cooccurrence_matrix([["a", "b", "zzz", "c"], ["c", "a"]], vocab, window=2)
    >>> X.toarray().tolist()
    [[0.0, 1.0, 1.5], [1.0, 0.0, 1.0], [1.5, 1.0, 0.0]]
    >>> cooccurrence_matrix([["a", "b", "c"]], vocab, window=2, symmetric=False).toarray().tolist()
    [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.5, 1.0, 0.0]]
    """
    window = int(window)
    if window < 1:
        raise ConfigError(Errors.E512.format(what="a positive integer", got=window),
                          param="window")
    n_words = len(vocabulary)
    if n_words and not (0 <= min(vocabulary.values()) and max(vocabulary.values()) < n_words):
        raise InputError(Errors.E513.format(last=n_words - 1, low=min(vocabulary.values()),
                                            high=max(vocabulary.values())))
    n_dense = min(n_words, _DENSE_WORDS)
    dense = np.zeros(n_dense * n_dense, dtype=np.float64)
    total = sp.csr_matrix((n_words, n_words), dtype=np.float64)
    weights = [0.0] + [1.0 / d if distance_weighting else 1.0 for d in range(1, window + 1)]

    for ids, doc in _encoded_chunks(token_lists, vocabulary, _CHUNK_TOKENS):
        rows, cols, vals = [], [], []
        for d in range(1, min(window, len(ids) - 1) + 1):
            same_doc = doc[d:] == doc[:-d]
            center = ids[d:][same_doc]
            context = ids[:-d][same_doc]
            in_block = (center < n_dense) & (context < n_dense)
            keys = center[in_block] * n_dense + context[in_block]
            counts = np.bincount(keys, minlength=n_dense * n_dense)
            dense += counts * weights[d] if distance_weighting else counts
            outside = ~in_block
            rows.append(center[outside])
            cols.append(context[outside])
            vals.append(np.full(len(rows[-1]), weights[d]))
        if rows and sum(map(len, rows)):
            total = total + sp.coo_matrix(
                (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                shape=(n_words, n_words),
            ).tocsr()

    block_rows, block_cols = np.divmod(np.flatnonzero(dense), n_dense)
    left = total + sp.coo_matrix(
        (dense[block_rows * n_dense + block_cols], (block_rows, block_cols)),
        shape=(n_words, n_words),
    ).tocsr()
    X = (left + left.T).tocsr() if symmetric else left.tocsr()
    X.sum_duplicates()
    X.sort_indices()
    return X


@dataclass
class GloveResult:
    """What :func:`fit_glove` returns.

    Attributes
    ----------
    vectors : ndarray of float32, shape (n_words, dim)
        The word vectors ``W + W~`` (word plus context vectors, as GloVe's paper
        recommends and ``glove.c -model 2`` writes).
    losses : list of float
        Per epoch, the mean over non-zero entries of ``0.5 f(X_ij) diff_ij^2``,
        computed during the pass, as ``glove.c`` reports its "cost".
    """

    vectors: np.ndarray
    losses: list[float] = field(default_factory=list)


def _group_matrix(index: np.ndarray) -> tuple[np.ndarray, sp.csr_matrix]:
    """Return the distinct values of ``index`` and a 0/1 CSR matrix ``G`` such that
    ``G @ A`` sums the rows of ``A`` that share an index value (``G`` is
    ``n_distinct x len(index)``)."""
    order = np.argsort(index, kind="stable")
    sorted_index = index[order]
    starts = np.flatnonzero(np.r_[True, sorted_index[1:] != sorted_index[:-1]])
    indptr = np.append(starts, len(index))
    G = sp.csr_matrix(
        (np.ones(len(index), dtype=np.float32), order, indptr),
        shape=(len(starts), len(index)),
    )
    return sorted_index[starts], G


def _adagrad_step(params, gradsq, bias, bias_gradsq, index, grad, bias_grad):
    """Apply AdaGrad updates for a batch; updates of the same row are summed.

    Each row moves by ``-sum(g) / sqrt(G)``, where ``G`` is its accumulated squared
    gradient before the batch, then ``G += sum(g^2)``: exactly the reference's
    sequential update when a row occurs once in the batch.
    """
    rows, group = _group_matrix(index)
    np.clip(grad, -_GRAD_CLIP, _GRAD_CLIP, out=grad)
    acc = np.take(gradsq, rows, axis=0)
    step = group @ grad
    step /= np.sqrt(acc)
    params[rows] -= step
    np.multiply(grad, grad, out=grad)
    acc += group @ grad
    gradsq[rows] = acc
    acc = bias_gradsq[rows]
    bias[rows] -= (group @ bias_grad) / np.sqrt(acc)
    bias_gradsq[rows] = acc + group @ (bias_grad * bias_grad)


def fit_glove(
    cooc,
    dim: int = 100,
    epochs: int = 25,
    x_max: float = 100.0,
    alpha: float = 0.75,
    learning_rate: float = 0.05,
    seed: int = 0,
    callback: Callable[[int, float], object] | None = None,
    batch_size: int = 4096,
) -> GloveResult:
    """Fit GloVe vectors to a co-occurrence matrix with AdaGrad.

    Minimises ``J = sum_ij f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij)^2`` over the
    non-zero entries, with ``f(x) = (x / x_max) ** alpha`` if ``x < x_max`` else 1.
    As in ``glove.c``: parameters start uniform in ``[-0.5, 0.5) / dim``, every
    accumulated squared gradient starts at 1, the gradient includes the learning
    rate and each component is clipped to [-100, 100]. Non-zero entries are
    shuffled every epoch and processed in mini-batches of ``batch_size``; a word
    that occurs several times in a batch gets the sum of its updates.

    Parameters
    ----------
    cooc : scipy.sparse matrix, shape (n_words, n_words)
        Co-occurrence counts, e.g. from :func:`cooccurrence_matrix`. Entries <= 0
        are ignored.
    dim : int, default=100
        Size of the vectors.
    epochs : int, default=25
        Passes over the non-zero entries.
    x_max, alpha : float, default=100.0, 0.75
        The weighting function ``f``.
    learning_rate : float, default=0.05
        AdaGrad's initial learning rate.
    seed : int, default=0
        Seeds initialisation and shuffling; the same seed gives the same vectors.
    callback : callable or None, default=None
        Called as ``callback(epoch, loss)`` after each epoch (``epoch`` from 0);
        training stops early if it returns a true value.
    batch_size : int, default=4096
        Non-zero entries updated at once.

    Returns
    -------
    GloveResult
        ``vectors`` (``W + W~``, float32) and the loss of each epoch run.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[0, 4, 1], [4, 0, 2], [1, 2, 0]], dtype=float))
    >>> result = fit_glove(X, dim=2, epochs=3, seed=1)
    >>> len(result.losses), result.vectors.shape
    (3, (3, 2))
    >>> stopped = fit_glove(X, dim=2, epochs=10, callback=lambda epoch, loss: epoch == 1)
    >>> len(stopped.losses)
    2
    """
    dim, epochs, batch_size = int(dim), int(epochs), int(batch_size)
    for name, value, least in (("dim", dim, 1), ("epochs", epochs, 0),
                               ("batch_size", batch_size, 1)):
        if value < least:
            what = "a positive integer" if least else "a non-negative integer"
            raise ConfigError(Errors.E512.format(what=what, got=value), param=name)
    for name, value in (("x_max", x_max), ("learning_rate", learning_rate)):
        if not value > 0:
            raise ConfigError(Errors.E512.format(what="a positive number", got=value), param=name)
    coo = sp.coo_matrix(cooc)
    n_rows, n_cols = coo.shape
    positive = coo.data > 0
    rows = coo.row[positive].astype(np.int64)
    cols = coo.col[positive].astype(np.int64)
    x = coo.data[positive].astype(np.float64)
    log_x = np.log(x).astype(np.float32)
    weight = np.where(x < x_max, (x / x_max) ** alpha, 1.0).astype(np.float32)
    nnz = len(x)

    rng = np.random.default_rng(seed)

    def init(*shape):
        return ((rng.random(shape, dtype=np.float32) - 0.5) / dim).astype(np.float32)

    W, W_ctx = init(n_rows, dim), init(n_cols, dim)
    b, b_ctx = init(n_rows), init(n_cols)
    gW, gW_ctx = np.ones_like(W), np.ones_like(W_ctx)
    gb, gb_ctx = np.ones_like(b), np.ones_like(b_ctx)
    lr = np.float32(learning_rate)

    losses: list[float] = []
    for epoch in range(epochs):
        order = rng.permutation(nnz)
        cost = 0.0
        for start in range(0, nnz, batch_size):
            batch = order[start : start + batch_size]
            i, j = rows[batch], cols[batch]
            wi, wj = np.take(W, i, axis=0), np.take(W_ctx, j, axis=0)
            diff = np.einsum("nd,nd->n", wi, wj) + b[i] + b_ctx[j] - log_x[batch]
            fdiff = weight[batch] * diff
            cost += 0.5 * float(np.dot(fdiff.astype(np.float64), diff))
            fdiff *= lr
            grad_i = fdiff[:, None] * wj
            grad_j = fdiff[:, None] * wi
            _adagrad_step(W, gW, b, gb, i, grad_i, fdiff)
            _adagrad_step(W_ctx, gW_ctx, b_ctx, gb_ctx, j, grad_j, fdiff)
        losses.append(cost / max(nnz, 1))
        if callback is not None and callback(epoch, losses[-1]):
            break

    if n_rows == n_cols:
        vectors = W + W_ctx
    else:  # a rectangular matrix has no context vector per word
        vectors = W
    return GloveResult(vectors=np.ascontiguousarray(vectors, dtype=np.float32), losses=losses)
