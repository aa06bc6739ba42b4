"""Document vectors from word vectors: mean, max, mean+max, TF-IDF and SIF pooling.

Documents come as lists of token ids, rows of a ``vectors`` matrix. The caller
applies its out-of-vocabulary policy first: drop unknown tokens, map them to ``-1``
(pooling skips negative ids), or point them at rows it appended (a zero vector,
a vector built from subwords). A document with no id ``>= 0`` pools to a zero
vector, never NaN, and :func:`pool` returns how many there were so the caller
can warn.

The whole corpus is pooled at once: ids are concatenated into one array, sums
are a sparse (documents x words) matrix times the rows of ``vectors`` that occur,
and maxima fold in the ``k``-th token vector of every document at once, for
``k`` up to the longest document's length. No Python loop runs per token.

Examples
--------
>>> import numpy as np
>>> from textpipe.embeddings.pooling import pool
>>> vectors = np.array([[1.0, 0.0], [0.0, 1.0], [3.0, 3.0]], dtype=np.float32)
>>> X, n_empty = pool([[0, 1], [2, -1], []], vectors, method="meanmax")
>>> X.tolist()
[[0.5, 0.5, 1.0, 1.0], [3.0, 3.0, 3.0, 3.0], [0.0, 0.0, 0.0, 0.0]]
>>> n_empty
1
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError, Errors, InputError, quoted_list

__all__ = ["METHODS", "SIFPooler", "idf_weights", "pool", "sif_weights", "word_counts"]

METHODS = ("mean", "max", "meanmax", "tfidf", "sif")


def _flatten(token_id_lists: Sequence[Sequence[int]], n_vectors: int):
    """Return (ids, doc) of the known tokens (id >= 0) and the number of documents."""
    token_id_lists = list(token_id_lists)
    n_docs = len(token_id_lists)
    lengths = np.fromiter(map(len, token_id_lists), dtype=np.int64, count=n_docs)
    if n_docs and all(isinstance(d, np.ndarray) for d in token_id_lists):
        ids = np.concatenate([d.ravel() for d in token_id_lists]).astype(np.int64, copy=False)
    else:
        ids = np.fromiter(
            chain.from_iterable(token_id_lists), dtype=np.int64, count=int(lengths.sum())
        )
    doc = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    known = ids >= 0
    ids, doc = ids[known], doc[known]
    if len(ids) and ids.max() >= n_vectors:
        bad = int(np.argmax(ids >= n_vectors))
        raise InputError(Errors.E511.format(doc=int(doc[bad]), id=int(ids[bad]), n=n_vectors))
    return ids, doc, n_docs


def word_counts(token_id_lists: Sequence[Sequence[int]], n_words: int) -> np.ndarray:
    """Count the occurrences of each id ``0 .. n_words - 1`` (negative ids are skipped).

    Examples
    --------
    >>> word_counts([[0, 1, 1], [1, -1]], n_words=3).tolist()
    [1, 3, 0]
    """
    ids, _, _ = _flatten(token_id_lists, n_words)
    return np.bincount(ids, minlength=n_words)


def idf_weights(
    token_id_lists: Sequence[Sequence[int]], n_words: int, smooth_idf: bool = True
) -> np.ndarray:
    """Inverse document frequency of each id, as scikit-learn's ``TfidfTransformer``.

    ``idf = ln((1 + n) / (1 + df)) + 1`` with ``smooth_idf`` (an id never seen gets
    the largest weight, ``ln(1 + n) + 1``), else ``ln(n / df) + 1`` (an id never seen
    gets weight 0). Fit on the training documents and pass to :func:`pool` with
    ``method="tfidf"``.

    Parameters
    ----------
    token_id_lists : sequence of sequence of int
        Training documents as token ids; negative ids are skipped.
    n_words : int
        Number of ids (rows of the vector matrix).
    smooth_idf : bool, default=True
        Add one to document frequencies, as if a document held every word once.

    Returns
    -------
    ndarray of float64, shape (n_words,)

    Examples
    --------
    >>> idf_weights([[0, 0, 1], [0]], n_words=3).round(3).tolist()
    [1.0, 1.405, 2.099]
    """
    ids, doc, n_docs = _flatten(token_id_lists, n_words)
    present = sp.csr_matrix(
        (np.ones(len(ids), dtype=np.int8), (doc, ids)), shape=(n_docs, n_words)
    )
    present.sum_duplicates()
    df = np.diff(present.tocsc().indptr).astype(np.float64)
    if smooth_idf:
        return np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
    with np.errstate(divide="ignore"):
        idf = np.log(n_docs / df) + 1.0
    idf[df == 0] = 0.0
    return idf


def sif_weights(counts, a: float = 1e-3) -> np.ndarray:
    """SIF weight ``a / (a + p(w))`` of each word, ``p`` its unigram probability.

    Parameters
    ----------
    counts : array-like of shape (n_words,)
        Word counts in the training corpus (see :func:`word_counts`).
    a : float, default=1e-3
        Smoothing; Arora et al. (2017) find 1e-3 to 1e-4 work well.

    Returns
    -------
    ndarray of float64, shape (n_words,)

    Examples
    --------
    >>> sif_weights([3, 1, 0], a=0.5).tolist()
    [0.4, 0.6666666666666666, 1.0]
    """
    counts = np.asarray(counts, dtype=np.float64)
    if a <= 0:
        raise ConfigError(Errors.E512.format(what="a positive number", got=a), param="a")
    total = counts.sum()
    p = counts / total if total > 0 else np.zeros_like(counts)
    return a / (a + p)


def _check_weights(weights, n_vectors: int, method: str) -> np.ndarray:
    if weights is None:
        raise ConfigError(Errors.E514.format(method=method), param="weights")
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (n_vectors,):
        raise ConfigError(Errors.E515.format(n=n_vectors, shape=weights.shape), param="weights")
    return weights


def _max_pool(ids, doc, n_docs, rows, lookup, dtype):
    """Per-document maximum of ``rows[lookup]`` over the tokens of each document.

    Documents are sorted by length, longest first; step ``k`` takes the ``k``-th
    token of every document that has one (a prefix of the sorted documents) and
    folds it into their running maximum. One gather per token position: the
    loop runs ``max(length)`` times, not once per token.
    """
    out = np.zeros((n_docs, rows.shape[1]), dtype=dtype)
    if not len(ids):
        return out
    starts = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]])  # one per non-empty doc
    lengths = np.diff(np.append(starts, len(ids)))
    order = np.argsort(-lengths, kind="stable")
    starts, lengths = starts[order], lengths[order]
    rows = rows.astype(dtype, copy=False)
    maxima = np.take(rows, lookup[starts], axis=0)
    n_active = np.searchsorted(-lengths, -np.arange(1, lengths[0] + 1), side="right")
    for k in range(1, int(lengths[0])):
        n = n_active[k]  # documents with more than k tokens
        np.maximum(maxima[:n], np.take(rows, lookup[starts[:n] + k], axis=0), out=maxima[:n])
    out[doc[starts]] = maxima
    return out


def pool(token_id_lists, vectors, method: str = "mean", weights=None):
    """Pool the word vectors of each document into one vector.

    Parameters
    ----------
    token_id_lists : sequence of sequence of int
        One list (or int array) of row ids of ``vectors`` per document. Negative
        ids mark unknown tokens and are skipped.
    vectors : ndarray of shape (n_vectors, dim)
        Word vectors, e.g. ``KeyedVectors.vectors`` (a memory map is fine: only the
        rows that occur are read).
    method : {"mean", "max", "meanmax", "tfidf", "sif"}, default="mean"
        - "mean": average of the token vectors;
        - "max": element-wise maximum;
        - "meanmax": "mean" and "max" side by side (``2 * dim`` columns);
        - "tfidf": average weighted by ``weights[id]``, ``sum(w v) / sum(w)``, with
          ``weights`` from :func:`idf_weights` (each occurrence counts, which
          supplies the term frequency);
        - "sif": ``sum(w v) / n_tokens`` with ``weights`` from :func:`sif_weights`,
          without the removal of the common component (see :class:`SIFPooler`).
    weights : array-like of shape (n_vectors,) or None
        Per-vector weights for "tfidf" and "sif"; must be None otherwise.

    Returns
    -------
    X : ndarray of shape (n_docs, dim) or (n_docs, 2 * dim)
        float32 if ``vectors`` is float32 (or of a smaller type), else float64.
        Rows of documents with no known token are zeros.
    n_empty : int
        Number of documents with no known token.

    Examples
    --------
    >>> import numpy as np
    >>> vectors = np.array([[2.0, 0.0], [0.0, 4.0]])
    >>> pool([[0, 1, 1]], vectors, method="max")[0].tolist()
    [[2.0, 4.0]]
    >>> pool([[0, 1, 1]], vectors, method="tfidf", weights=[2.0, 1.0])[0].tolist()
    [[1.0, 2.0]]
    """
    if method not in METHODS:
        raise ConfigError(Errors.E512.format(what=f"one of {quoted_list(METHODS)}", got=method),
                          param="method")
    if not hasattr(vectors, "shape") or len(vectors.shape) != 2:
        raise ConfigError(Errors.E516.format(got=getattr(vectors, "shape", type(vectors).__name__)),
                          param="vectors")
    n_vectors, dim = vectors.shape
    if method in ("tfidf", "sif"):
        weights = _check_weights(weights, n_vectors, method)
    elif weights is not None:
        raise ConfigError(Errors.E517.format(method=method), param="weights")
    dtype = np.result_type(vectors.dtype, np.float32)

    ids, doc, n_docs = _flatten(token_id_lists, n_vectors)
    n_known = np.bincount(doc, minlength=n_docs)
    n_empty = int(np.count_nonzero(n_known == 0))
    used = np.flatnonzero(np.bincount(ids, minlength=n_vectors))
    remap = np.zeros(n_vectors, dtype=np.int64)
    remap[used] = np.arange(len(used))
    lookup = remap[ids]
    rows = np.asarray(vectors[used], dtype=np.float64)  # only the rows that occur

    parts = []
    if method != "max":
        token_weight = np.ones(len(ids)) if weights is None else weights[ids]
        counts = sp.csr_matrix((token_weight, (doc, lookup)), shape=(n_docs, len(used)))
        sums = np.asarray(counts @ rows)
        denominator = np.bincount(doc, weights=token_weight, minlength=n_docs)
        if method == "sif":
            denominator = n_known.astype(np.float64)
        np.divide(sums, denominator[:, None], out=sums, where=denominator[:, None] != 0)
        sums[denominator == 0] = 0.0
        parts.append(sums.astype(dtype, copy=False))
    if method in ("max", "meanmax"):
        parts.append(_max_pool(ids, doc, n_docs, rows, lookup, dtype))
    X = parts[0] if len(parts) == 1 else np.hstack(parts)
    return X, n_empty


class SIFPooler:
    """Smooth inverse frequency pooling (Arora, Liang and Ma, 2017).

    A document vector is ``(1 / n) sum_w a / (a + p(w)) v_w`` over its ``n`` known
    tokens, minus its projection on the first principal component(s) of the
    training documents' vectors ("common component removal"). ``fit`` learns
    ``p(w)`` and the component from the training documents and keeps them, so
    :meth:`pool` treats new documents exactly as the training ones.

    Parameters
    ----------
    a : float, default=1e-3
        Smoothing of the weights ``a / (a + p(w))``.
    n_components : int, default=1
        Principal components removed (the paper removes 1; 0 removes none).

    Attributes
    ----------
    weights_ : ndarray of shape (n_vectors,)
        SIF weight of each word.
    components_ : ndarray of shape (n_components, dim)
        Unit principal directions (uncentred, as the authors' code computes them
        with a truncated SVD) of the training document vectors.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> vectors = rng.normal(size=(6, 4)).astype(np.float32)
    >>> train = [[0, 1, 2], [2, 3], [4, 5, 0], [1, 1, 5]]
    >>> sif = SIFPooler().fit(train, vectors)
    >>> X, n_empty = sif.pool([[0, 3], [-1]], vectors)
    >>> X.shape, n_empty
    ((2, 4), 1)
    >>> bool(np.allclose(X @ sif.components_[0], 0, atol=1e-6))
    True
    """

    def __init__(self, a: float = 1e-3, n_components: int = 1):
        self.a = a
        self.n_components = n_components

    def fit(self, token_id_lists, vectors, counts=None):
        """Learn word weights and the common component from training documents.

        Parameters
        ----------
        token_id_lists : sequence of sequence of int
            Training documents as token ids (negative ids are skipped).
        vectors : ndarray of shape (n_vectors, dim)
            Word vectors.
        counts : array-like of shape (n_vectors,) or None
            Word counts for ``p(w)``; None counts the training documents.

        Returns
        -------
        self
        """
        token_id_lists = list(token_id_lists)
        n_vectors, dim = vectors.shape
        if not 0 <= int(self.n_components) <= dim:
            raise ConfigError(Errors.E512.format(what=f"an integer in [0, {dim}]",
                                                 got=self.n_components), param="n_components")
        if counts is None:
            counts = word_counts(token_id_lists, n_vectors)
        self.weights_ = sif_weights(counts, self.a)
        X, _ = pool(token_id_lists, vectors, method="sif", weights=self.weights_)
        _, _, vt = np.linalg.svd(X.astype(np.float64), full_matrices=False)
        self.components_ = vt[: int(self.n_components)]
        return self

    def pool(self, token_id_lists, vectors):
        """Pool documents with the fitted weights and remove the common component.

        Returns
        -------
        X : ndarray of shape (n_docs, dim)
            Rows of documents with no known token are zeros.
        n_empty : int
            Number of documents with no known token.
        """
        if not hasattr(self, "components_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(Errors.E518.format(what="SIFPooler"))
        X, n_empty = pool(token_id_lists, vectors, method="sif", weights=self.weights_)
        C = self.components_
        if len(C):
            X = (X - (X.astype(np.float64) @ C.T) @ C).astype(X.dtype, copy=False)
        return X, n_empty
