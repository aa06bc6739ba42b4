"""Vectorizers over token lists: counts, tf-idf and hashed features.

Each stage turns token lists (one ``list[str]`` per document) into a
``scipy.sparse`` CSR matrix of ``float64``, one row per document. The results
are those of scikit-learn's ``CountVectorizer``, ``TfidfVectorizer`` and
``HashingVectorizer`` given the same tokens: n-grams are the tokens joined with
one space, ``min_df``/``max_df`` are document counts (int) or proportions
(float), ``max_features`` keeps the terms most frequent in the corpus with
scikit-learn's tie-breaking, and the vocabulary is sorted alphabetically.

They are faster than scikit-learn's per-document counting loop: every n-gram
of the corpus is mapped to an integer id in one pass over the flattened corpus
(a dict lookup per token, run by ``map`` in C), the matrix is built from those
ids with NumPy, and document frequencies, pruning and the alphabetical
reordering are array operations on the matrix.

Examples
--------
>>> from textpipe.stages.vectorize import CountVectors
>>> vec = CountVectors(ngram_range=(1, 2))
>>> X = vec.fit_transform([["good", "film"], ["bad", "film"]])
>>> vec.get_feature_names_out().tolist()
['bad', 'bad film', 'film', 'good', 'good film']
>>> X.toarray().tolist()
[[0.0, 0.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 0.0, 0.0]]
"""

from __future__ import annotations

from itertools import chain
from numbers import Integral
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from ..errors import ConfigError, Errors, InputError
from ..registry import FEATURES, TOKENS
from ..sklearn_compat import Interval, RealNotInt, StrOptions, align_sparse_output
from .base import TextStage

__all__ = ["CountVectors", "TfidfVectors", "HashingVectors"]


class _Vocabulary(dict):
    """term → id; an unseen term gets the next id (used while fitting)."""

    __slots__ = ()

    def __missing__(self, key):
        value = self[key] = len(self)
        return value


class _Lookup(dict):
    """term → id; an unseen term maps to -1 (used at transform)."""

    __slots__ = ()

    def __missing__(self, key):
        return -1


def _ngram_range_problems(ngram_range) -> list:
    """The problem with an n-gram range, as a one-item list, or an empty list."""
    ok = (
        len(ngram_range) == 2
        and all(isinstance(n, Integral) and not isinstance(n, bool) for n in ngram_range)
        and 1 <= ngram_range[0] <= ngram_range[1]
    )
    return [] if ok else [ConfigError(Errors.E305.format(got=ngram_range), param="ngram_range")]


def _check_ngram_range(ngram_range, stage: str) -> tuple[int, int]:
    for problem in _ngram_range_problems(ngram_range):
        raise ConfigError(problem.message, step=f"'{stage}'", param=problem.param)
    return int(ngram_range[0]), int(ngram_range[1])


def _term_ids(docs, ngram_range, mapping) -> sp.csr_matrix:
    """Count the n-grams of ``docs`` as a CSR matrix whose columns are ``mapping``'s ids.

    ``mapping`` is a dict str → id whose ``__missing__`` gives a new id
    (fitting) or -1 (transform: the term is dropped). The matrix has
    ``max(ids) + 1`` columns, sorted indices and no duplicates.
    """
    min_n, max_n = ngram_range
    n_docs = len(docs)
    lens = np.fromiter(map(len, docs), dtype=np.intp, count=n_docs)
    n_tokens = int(lens.sum())
    lookup = mapping.__getitem__
    if max_n == 1:  # unigrams: the flat ids are the CSR indices as they stand
        ids = np.fromiter(map(lookup, chain.from_iterable(docs)), dtype=np.intp, count=n_tokens)
        indptr = np.zeros(n_docs + 1, dtype=np.intp)
        np.cumsum(lens, out=indptr[1:])
        rows = None
    else:
        # n-grams are built over the flattened corpus, then those that cross a
        # document boundary are dropped: every step runs in C, not per document.
        flat = list(chain.from_iterable(docs))
        rows_tok = np.repeat(np.arange(n_docs, dtype=np.intp), lens)
        starts = np.cumsum(lens) - lens
        room = lens[rows_tok] - (np.arange(n_tokens, dtype=np.intp) - starts[rows_tok])
        id_parts, row_parts = [], []
        for n in range(min_n, max_n + 1):
            count = n_tokens - n + 1
            if count <= 0:
                break
            grams = flat if n == 1 else map(" ".join, zip(*(flat[k:] for k in range(n))))
            ids_n = np.fromiter(map(lookup, grams), dtype=np.intp, count=count)
            inside = room[:count] >= n  # the n-gram ends inside its document
            id_parts.append(ids_n[inside])
            row_parts.append(rows_tok[:count][inside])
        ids = np.concatenate(id_parts) if id_parts else np.zeros(0, dtype=np.intp)
        rows = np.concatenate(row_parts) if row_parts else np.zeros(0, dtype=np.intp)
    known = ids >= 0
    if not known.all():
        if rows is None:
            n_known = np.zeros(n_tokens + 1, dtype=np.intp)
            np.cumsum(known, out=n_known[1:])
            indptr = n_known[indptr]
        else:
            rows = rows[known]
        ids = ids[known]
    n_cols = len(mapping)  # every id is below it
    data = np.ones(len(ids), dtype=np.float64)
    if rows is None:
        X = sp.csr_matrix((data, ids, indptr), shape=(n_docs, n_cols))
        X.sum_duplicates()  # sorts each row's indices, then adds up repeats
    else:
        X = sp.coo_matrix((data, (rows, ids)), shape=(n_docs, n_cols)).tocsr()
        X.sum_duplicates()
    return X


class _VocabularyVectors(TextStage):
    """Shared fitting for :class:`CountVectors` and :class:`TfidfVectors`."""

    consumes: ClassVar[str] = TOKENS
    produces: ClassVar[str] = FEATURES
    # sklearn ranks terms for ``max_features`` with a non-stable argsort of the
    # corpus frequencies; sorting them in sklearn's dtype breaks ties the same way.
    _tf_dtype: ClassVar[type] = np.int64
    _parameter_constraints: ClassVar[dict] = {
        "ngram_range": [tuple, list],
        "min_df": [Interval(RealNotInt, 0, 1, closed="both"), Interval(Integral, 1, None, closed="left")],
        "max_df": [Interval(RealNotInt, 0, 1, closed="both"), Interval(Integral, 1, None, closed="left")],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "binary": ["boolean"],
    }

    def _parameter_rules(self) -> list:
        problems = _ngram_range_problems(self.ngram_range)
        both_counts = isinstance(self.max_df, Integral) and isinstance(self.min_df, Integral)
        both_fractions = not isinstance(self.max_df, Integral) and not isinstance(
            self.min_df, Integral)
        if (both_counts or both_fractions) and self.max_df < self.min_df:
            problems.append(ConfigError(Errors.E065.format(max_df=self.max_df,
                                                           min_df=self.min_df), param="max_df"))
        return problems

    # -- the vocabulary ---------------------------------------------------
    def _fit_counts(self, docs: list) -> tuple[sp.csr_matrix, np.ndarray]:
        """Learn ``vocabulary_``; return the count matrix of ``docs`` and the document frequencies."""
        ngram_range = _check_ngram_range(self.ngram_range, self.stage_name)
        n_docs = len(docs)
        if n_docs == 0:
            raise InputError(Errors.E105.format(stage=self.stage_name))
        high = self.max_df if isinstance(self.max_df, Integral) else self.max_df * n_docs
        low = self.min_df if isinstance(self.min_df, Integral) else self.min_df * n_docs
        if high < low:
            raise ConfigError(
                Errors.E402.format(
                    stage=self.stage_name, max_df=self.max_df, min_df=self.min_df,
                    high=high, low=low, n_docs=n_docs,
                )
            )
        vocab = _Vocabulary()
        X = _term_ids(docs, ngram_range, vocab)
        if X.nnz == 0:
            raise InputError(
                Errors.E106.format(stage=self.stage_name, detail=f" ({n_docs} documents, no tokens)")
            )
        if self.binary:
            X.data.fill(1.0)
        terms = list(vocab)  # in id order
        df = np.bincount(X.indices, minlength=len(terms))

        # Terms within min_df/max_df (n-grams across document boundaries have
        # df 0), sorted alphabetically; only these few are sorted.
        kept = np.flatnonzero((df > 0) & (df <= high) & (df >= low))
        kept_terms = [terms[i] for i in kept.tolist()]
        kept = kept[sorted(range(len(kept)), key=kept_terms.__getitem__)]
        limit = self.max_features
        if limit is not None and len(kept) > limit:
            # The most frequent in the corpus, ranked as sklearn ranks them:
            # the same argsort over the same array in alphabetical order.
            tfs = np.bincount(X.indices, weights=X.data, minlength=len(terms))
            top = (-tfs[kept].astype(self._tf_dtype)).argsort()[:limit]
            kept = kept[np.sort(top)]
        if len(kept) == 0:
            raise ConfigError(
                Errors.E403.format(
                    stage=self.stage_name, n_terms=int((df > 0).sum()), n_docs=n_docs,
                    min_df=self.min_df, max_df=self.max_df,
                )
            )
        self.vocabulary_ = {terms[i]: j for j, i in enumerate(kept.tolist())}

        # Move the kept columns to their alphabetical position, drop the others.
        new_id = np.full(len(terms), -1, dtype=np.intp)
        new_id[kept] = np.arange(len(kept), dtype=np.intp)
        cols = new_id[X.indices]
        keep = cols >= 0
        counts = np.zeros(len(keep) + 1, dtype=np.intp)
        np.cumsum(keep, out=counts[1:])
        X = sp.csr_matrix(
            (X.data[keep], cols[keep], counts[X.indptr]), shape=(n_docs, len(kept))
        )
        X.sort_indices()
        return X, df[kept]

    def _counts(self, docs: list) -> sp.csr_matrix:
        """Count matrix of ``docs`` over the fitted vocabulary; unknown terms are ignored."""
        ngram_range = _check_ngram_range(self.ngram_range, self.stage_name)
        X = _term_ids(docs, ngram_range, _Lookup(self.vocabulary_))
        if self.binary:
            X.data.fill(1.0)
        return X

    def _weight(self, X: sp.csr_matrix) -> sp.csr_matrix:
        return X

    # -- TextStage hooks ----------------------------------------------------
    def _fit(self, docs, y=None) -> None:
        self._fit_idf(self._fit_counts(docs)[1], len(docs))

    def _fit_idf(self, df, n_docs) -> None:
        """Learn what the weighting needs (nothing for counts)."""

    def _transform(self, docs):
        return align_sparse_output(self._weight(self._counts(docs)))

    def fit_transform(self, X, y=None, **fit_params):
        """Learn the vocabulary and return the matrix of ``X``, in one pass over the tokens.

        Parameters
        ----------
        X : list of list of str
            Token lists, one per document.
        y : ignored
            Present for sklearn compatibility.

        Returns
        -------
        scipy.sparse.csr_matrix of shape (n_documents, n_terms)
        """
        self.check_params()
        docs = self._check_input(X)
        counts, df = self._fit_counts(docs)
        self._fit_idf(df, len(docs))
        self.fitted_ = True
        return align_sparse_output(self._weight(counts))

    def get_feature_names_out(self, input_features=None):
        """Return the vocabulary's terms in column order (alphabetical).

        Parameters
        ----------
        input_features : ignored
            Present for sklearn compatibility.

        Returns
        -------
        numpy.ndarray of str objects
        """
        check_is_fitted(self, "vocabulary_")
        terms = np.empty(len(self.vocabulary_), dtype=object)
        for term, j in self.vocabulary_.items():
            terms[j] = term
        return terms


class CountVectors(_VocabularyVectors):
    """Count the terms (tokens or n-grams) of each document.

    The result equals scikit-learn's ``CountVectorizer`` run on the same
    tokens (as ``float64``), and is computed several times faster.

    Parameters
    ----------
    ngram_range : tuple (min_n, max_n), default=(1, 1)
        Count n-grams for every n from ``min_n`` to ``max_n``; an n-gram is its
        tokens joined by one space.
    min_df : int or float, default=1
        Drop terms found in fewer documents than this: a number of documents
        (int) or a proportion of them (float in [0, 1]).
    max_df : int or float, default=1.0
        Drop terms found in more documents than this: a number of documents
        (int) or a proportion of them (float in [0, 1]).
    max_features : int, default=None
        Keep only this many terms, the most frequent in the training corpus.
    binary : bool, default=False
        Record 1 for a term present in a document instead of its count.

    Attributes
    ----------
    vocabulary_ : dict
        Term → column index, columns in alphabetical order of the terms.

    See Also
    --------
    TfidfVectors : the same counts weighted by inverse document frequency.

    Examples
    --------
    >>> from textpipe.stages.vectorize import CountVectors
    >>> docs = [["a", "good", "film"], ["a", "bad", "film", "film"], []]
    >>> vec = CountVectors()
    >>> X = vec.fit_transform(docs)
    >>> vec.vocabulary_
    {'a': 0, 'bad': 1, 'film': 2, 'good': 3}
    >>> X.toarray()
    array([[1., 0., 1., 1.],
           [1., 1., 2., 0.],
           [0., 0., 0., 0.]])
    >>> vec.transform([["good", "unseen", "good"]]).toarray()
    array([[0., 0., 0., 2.]])
    """


    def __init__(self, ngram_range=(1, 1), min_df=1, max_df=1.0, max_features=None,
                 binary=False):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.binary = binary


class TfidfVectors(_VocabularyVectors):
    """Weight term counts by inverse document frequency (tf-idf), then normalise rows.

    The result equals scikit-learn's ``TfidfVectorizer`` run on the same
    tokens, and is computed several times faster: with ``smooth_idf``,
    ``idf(t) = ln((1 + n) / (1 + df(t))) + 1`` for ``n`` training documents.

    Parameters
    ----------
    ngram_range : tuple (min_n, max_n), default=(1, 1)
        Use n-grams for every n from ``min_n`` to ``max_n``; an n-gram is its
        tokens joined by one space.
    min_df : int or float, default=1
        Drop terms found in fewer documents than this: a number of documents
        (int) or a proportion of them (float in [0, 1]).
    max_df : int or float, default=1.0
        Drop terms found in more documents than this: a number of documents
        (int) or a proportion of them (float in [0, 1]).
    max_features : int, default=None
        Keep only this many terms, the most frequent in the training corpus.
    binary : bool, default=False
        Use 1 for a term present in a document as its term frequency.
    norm : {"l2", "l1"} or None, default="l2"
        Scale each row to unit norm; ``None`` leaves rows as they are.
    use_idf : bool, default=True
        Multiply term frequencies by the inverse document frequency.
    smooth_idf : bool, default=True
        Add one to document frequencies and to the number of documents, as if
        one extra document held every term once; prevents division by zero.
    sublinear_tf : bool, default=False
        Use ``1 + ln(tf)`` as the term frequency.

    Attributes
    ----------
    vocabulary_ : dict
        Term → column index, columns in alphabetical order of the terms.
    idf_ : numpy.ndarray of shape (n_terms,)
        Inverse document frequency of each term (only when ``use_idf``).

    See Also
    --------
    CountVectors : the raw counts.

    Examples
    --------
    >>> from textpipe.stages.vectorize import TfidfVectors
    >>> vec = TfidfVectors()
    >>> X = vec.fit_transform([["good", "film"], ["bad", "film"]])
    >>> vec.get_feature_names_out().tolist()
    ['bad', 'film', 'good']
    >>> vec.idf_.round(3).tolist()
    [1.405, 1.0, 1.405]
    >>> X.toarray().round(3).tolist()
    [[0.0, 0.58, 0.815], [0.815, 0.58, 0.0]]
    """

    _tf_dtype: ClassVar[type] = np.float64
    _parameter_constraints: ClassVar[dict] = {
        **_VocabularyVectors._parameter_constraints,
        "norm": [StrOptions({"l1", "l2"}), None],
        "use_idf": ["boolean"],
        "smooth_idf": ["boolean"],
        "sublinear_tf": ["boolean"],
    }

    def __init__(self, ngram_range=(1, 1), min_df=1, max_df=1.0, max_features=None,
                 binary=False, norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=False):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.binary = binary
        self.norm = norm
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf

    def _fit_idf(self, df, n_docs) -> None:
        if hasattr(self, "idf_"):
            del self.idf_  # a refit with use_idf=False must not keep an old idf_
        if self.use_idf:
            smooth = float(self.smooth_idf)
            self.idf_ = np.log((n_docs + smooth) / (df + smooth)) + 1.0

    def _weight(self, X):
        if self.sublinear_tf:
            np.log(X.data, out=X.data)
            X.data += 1.0
        if self.use_idf:
            X.data *= self.idf_[X.indices]
        if self.norm is not None:
            X = normalize(X, norm=self.norm, copy=False)
        return X


class HashingVectors(TextStage):
    """Count terms into a fixed number of columns chosen by hashing; stateless.

    No vocabulary is stored, so the stage needs no fitting and takes little
    memory, at the cost of collisions and of not knowing which term a column
    holds. The result equals scikit-learn's ``HashingVectorizer`` run on the
    same tokens (signed 32-bit MurmurHash3 of each term's UTF-8 bytes, modulo
    ``n_features``). Each distinct term is hashed once per call, not once per
    occurrence.

    Parameters
    ----------
    n_features : int, default=2**20
        Number of columns.
    ngram_range : tuple (min_n, max_n), default=(1, 1)
        Use n-grams for every n from ``min_n`` to ``max_n``; an n-gram is its
        tokens joined by one space.
    binary : bool, default=False
        Record 1 for a present term instead of its count (applied after
        colliding terms are added up, as in scikit-learn).
    norm : {"l2", "l1"} or None, default="l2"
        Scale each row to unit norm; ``None`` leaves rows as they are.
    alternate_sign : bool, default=False
        Give each term the sign of its hash, so that collisions tend to cancel
        out. Leave it off for models that need non-negative features (NB, NBSVM).

    Examples
    --------
    >>> from textpipe.stages.vectorize import HashingVectors
    >>> vec = HashingVectors(n_features=16, norm=None)
    >>> vec.transform([["good", "film", "film"], []]).toarray()
    array([[0., 1., 0., 0., 0., 0., 0., 0., 0., 2., 0., 0., 0., 0., 0., 0.],
           [0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0.]])
    >>> vec.set_params(n_features=8).transform([["good", "film", "film"]]).toarray()  # a collision
    array([[0., 3., 0., 0., 0., 0., 0., 0.]])
    """

    consumes: ClassVar[str] = TOKENS
    produces: ClassVar[str] = FEATURES
    _parameter_constraints: ClassVar[dict] = {
        "n_features": [Interval(Integral, 1, np.iinfo(np.int32).max, closed="both")],
        "ngram_range": [tuple, list],
        "binary": ["boolean"],
        "norm": [StrOptions({"l1", "l2"}), None],
        "alternate_sign": ["boolean"],
    }

    def __init__(self, n_features=2**20, ngram_range=(1, 1), binary=False, norm="l2",
                 alternate_sign=False):
        self.n_features = n_features
        self.ngram_range = ngram_range
        self.binary = binary
        self.norm = norm
        self.alternate_sign = alternate_sign

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags

    def _parameter_rules(self) -> list:
        return _ngram_range_problems(self.ngram_range)

    def _fit(self, docs, y=None) -> None:
        _check_ngram_range(self.ngram_range, self.stage_name)

    def transform(self, X):
        """Hash the terms of ``X``; fitting first is not needed.

        Parameters
        ----------
        X : list of list of str
            Token lists, one per document.

        Returns
        -------
        scipy.sparse.csr_matrix of shape (n_documents, n_features)
        """
        self.check_params()
        return self._transform(self._check_input(X))

    def get_feature_names_out(self, input_features=None):
        """Names ``"hashing_0"``, ``"hashing_1"``, ... of the ``n_features`` columns.

        A column holds every term hashed to it, so it is named by its number.
        """
        self.check_params()
        return np.asarray([f"{self.stage_name}_{i}" for i in range(self.n_features)],
                          dtype=object)

    def _transform(self, docs):
        ngram_range = _check_ngram_range(self.ngram_range, self.stage_name)
        types = _Vocabulary()
        T = _term_ids(docs, ngram_range, types)  # columns: distinct terms of docs
        if T.nnz == 0:
            return align_sparse_output(sp.csr_matrix((len(docs), self.n_features)))
        hashed = FeatureHasher(
            n_features=self.n_features, input_type="string",
            alternate_sign=self.alternate_sign,
        ).transform([t] for t in types)  # one row, one entry per distinct term
        column, sign = hashed.indices, hashed.data  # each term's column and ±1
        X = sp.csr_matrix(
            (sign[T.indices] * T.data, column[T.indices], T.indptr),
            shape=(len(docs), self.n_features),
        )
        X.sum_duplicates()  # keeps explicit zeros from cancelling signs, like sklearn
        if self.binary:
            X.data.fill(1.0)
        if self.norm is not None:
            X = normalize(X, norm=self.norm, copy=False)
        return align_sparse_output(X)
