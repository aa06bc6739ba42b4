"""Static word embeddings as pipeline stages: word2vec, fastText, GloVe, vector files.

Each stage turns token lists into one dense vector per document: it learns (or
loads) a vector per word, then pools the vectors of a document's tokens. They
share :class:`WordVectorStage`, which owns what all of them do alike: the extra
training corpus, the out-of-vocabulary policy, pooling (mean, max, mean+max,
TF-IDF-weighted mean, SIF) and inspection (nearest neighbours, analogies).

What the vectors are trained on
-------------------------------
By default only the documents the stage is fitted on, i.e. the training fold.
``corpus`` adds unlabeled text (a file with one document per line, or a bundled
dataset's training texts). If that text includes the documents you evaluate on
(for example ``corpus: mr`` while cross-validating on MR), the embedding has
seen the test folds' words, without their labels: a transductive setting that
is legitimate when said, never the default.

Examples
--------
>>> from textpipe.stages.embed import Word2Vec
>>> docs = [["a", "fine", "film"], ["a", "dull", "film"]] * 20
>>> stage = Word2Vec(dim=8, min_count=1, epochs=2, random_state=0)
>>> stage.fit_transform(docs).shape
(40, 8)
>>> stage.most_similar("fine", topn=1)[0][0] in {"a", "dull", "film"}
True
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from pathlib import Path
from typing import ClassVar

import numpy as np

from ..data import bundled_datasets, load_dataset
from ..data.decoding import read_text, split_lines
from ..embeddings import (SIFPooler, build_vocabulary, cooccurrence_matrix, fit_glove, idf_weights,
                          load_vectors, pool)
from ..errors import DataError, Errors, InputError, UnknownWordError
from ..registry import FEATURES, TOKENS
from ..sklearn_compat import Interval, StrOptions
from .base import TextStage, TypeMemo
from .tokenize import Tokenize

__all__ = ["FastText", "GloVe", "PretrainedVectors", "Word2Vec", "WordVectorStage"]

POOLING = ("mean", "max", "meanmax", "tfidf", "sif")
# gensim's trainers silently truncate documents longer than this; we split them.
_GENSIM_MAX_WORDS = 10_000


class WordVectorStage(TextStage):
    """Base class: token lists → pooled word vectors, one row per document.

    Subclasses implement ``_learn_vectors(docs) -> (words, vectors)``; this class
    does the rest. Fitted attributes: ``vocabulary_`` (word → row),
    ``vectors_`` (float32 array, one row per word) and what pooling learns
    (``pooling_weights_``, ``sif_``).
    """

    consumes: ClassVar[str] = TOKENS
    produces: ClassVar[str] = FEATURES
    _path_params: ClassVar[tuple[str, ...]] = ("corpus",)
    _oov_policies: ClassVar[tuple[str, ...]] = ("skip", "zero")
    _common_constraints: ClassVar[dict] = {
        "pooling": [StrOptions(set(POOLING))],
        "sif_a": [Interval(Real, 0, None, closed="neither")],
        "corpus": [str, Path, None],
        "corpus_tokenize": [dict, None],
    }

    # -- what subclasses provide ------------------------------------------------

    def _learn_vectors(self, docs: list[list[str]]) -> tuple[list[str], np.ndarray]:
        raise NotImplementedError

    def _oov_vectors(self, words: list[str]) -> np.ndarray:
        """Vectors for unknown words (only for the 'subword' policy)."""
        raise NotImplementedError

    # -- fitting ------------------------------------------------------------------

    def _training_documents(self, docs: list[list[str]]) -> list[list[str]]:
        if self.corpus is None:
            return docs
        texts = _read_corpus(self.corpus)
        tokens = Tokenize(**(self.corpus_tokenize or {})).fit_transform(texts)
        return docs + tokens

    def _fit(self, docs, y=None):
        if not docs:
            raise InputError(Errors.E105.format(stage=self.stage_name))
        words, vectors = self._learn_vectors(self._training_documents(docs))
        if len(words) == 0:
            raise InputError(Errors.E106.format(
                stage=self.stage_name, detail=" (no word occurs at least min_count times)"))
        self.vocabulary_ = {w: i for i, w in enumerate(words)}
        self.vectors_ = np.asarray(vectors, dtype=np.float32)
        self.n_features_out_ = self.vectors_.shape[1] * (2 if self.pooling == "meanmax" else 1)

        if self.pooling not in ("tfidf", "sif"):
            return
        ids, table = self._token_ids(docs)
        n_rows = self._fixed_rows()
        if self.pooling == "tfidf":
            self.pooling_weights_ = idf_weights(ids, len(table))[:n_rows]
        elif self.pooling == "sif":
            self.sif_ = SIFPooler(a=self.sif_a).fit(ids, table)
            self.pooling_weights_ = self.sif_.weights_[:n_rows]

    def _fixed_rows(self) -> int:
        """Rows of the vector table that are the same for every call (words, zero row)."""
        return len(self.vectors_) + (1 if self.oov == "zero" else 0)

    def _row_weights(self, n_table: int) -> np.ndarray:
        """Fitted pooling weights, extended to rows appended for unknown words.

        An unknown word is weighted as the rarest word: the largest IDF, or
        SIF's weight for p(w) = 0, which is 1.
        """
        weights = self.pooling_weights_
        extra = n_table - len(weights)
        if extra <= 0:
            return weights
        fill = 1.0 if self.pooling == "sif" else float(weights.max(initial=1.0))
        return np.concatenate([weights, np.full(extra, fill)])

    # -- transforming ---------------------------------------------------------------

    def _token_ids(self, docs):
        """Map tokens to rows of a vector table built for these documents.

        'skip' gives unknown tokens id -1 (pooling ignores them); 'zero' sends
        them all to one extra zero row; 'subword' appends a computed vector for
        each unknown type.
        """
        vocab, vectors, n = self.vocabulary_, self.vectors_, len(self.vectors_)
        if self.oov == "skip":
            memo = TypeMemo(lambda w: vocab.get(w, -1))
            return memo.map_docs(docs), vectors
        if self.oov == "zero":
            memo = TypeMemo(lambda w: vocab.get(w, n))
            return memo.map_docs(docs), np.vstack([vectors, np.zeros((1, vectors.shape[1]),
                                                                      np.float32)])
        unknown: dict[str, int] = {}

        def row(word):
            if word in vocab:
                return vocab[word]
            return unknown.setdefault(word, n + len(unknown))

        ids = TypeMemo(row).map_docs(docs)
        if not unknown:
            return ids, vectors
        return ids, np.vstack([vectors, self._oov_vectors(list(unknown))])

    def _transform(self, docs):
        ids, table = self._token_ids(docs)
        if self.pooling in ("tfidf", "sif"):
            X, n_empty = pool(ids, table, method=self.pooling,
                              weights=self._row_weights(len(table)))
            if self.pooling == "sif" and len(self.sif_.components_):
                C = self.sif_.components_
                X = (X - (X.astype(np.float64) @ C.T) @ C).astype(X.dtype, copy=False)
        else:
            X, n_empty = pool(ids, table, method=self.pooling)
        if n_empty:
            warnings.warn(
                f"{self.stage_name}: {n_empty} of {len(docs)} documents have no token with a "
                f"vector; their document vectors are zeros.",
                EmptyDocumentWarning, stacklevel=3,
            )
        return X

    def get_feature_names_out(self, input_features=None):
        """Names ``"{stage}_0"``, ``"{stage}_1"``, ... of the output columns."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        return np.asarray([f"{self.stage_name}_{i}" for i in range(self.n_features_out_)],
                          dtype=object)

    # -- inspection -------------------------------------------------------------------

    def word_vector(self, word: str) -> np.ndarray:
        """The vector of ``word``; :class:`~textpipe.errors.UnknownWordError` (a
        ``KeyError``) if it has none."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        if word in self.vocabulary_:
            return self.vectors_[self.vocabulary_[word]]
        if self.oov == "subword":
            return self._oov_vectors([word])[0]
        raise UnknownWordError(Errors.E924.format(word=word, n=len(self.vocabulary_)))

    def most_similar(self, positive, negative=(), topn: int = 10) -> list[tuple[str, float]]:
        """Words nearest by cosine to the sum of ``positive`` minus ``negative`` vectors.

        ``most_similar("king")`` lists neighbours; ``most_similar(["b", "c"], ["a"])``
        answers the analogy a : b :: c : ? (3CosAdd). Query words are left out.
        """
        positive = [positive] if isinstance(positive, str) else list(positive)
        negative = [negative] if isinstance(negative, str) else list(negative)
        unit = self.vectors_ / np.maximum(np.linalg.norm(self.vectors_, axis=1,
                                                         keepdims=True), 1e-12)
        query = np.zeros(self.vectors_.shape[1], dtype=np.float64)
        for sign, words in ((1.0, positive), (-1.0, negative)):
            for w in words:
                v = self.word_vector(w)
                query += sign * v / max(np.linalg.norm(v), 1e-12)
        scores = unit @ query / max(np.linalg.norm(query), 1e-12)
        exclude = {self.vocabulary_[w] for w in positive + negative if w in self.vocabulary_}
        words = list(self.vocabulary_)
        order = np.argsort(-scores)
        return [(words[i], float(scores[i])) for i in order if i not in exclude][:topn]


class EmptyDocumentWarning(UserWarning):
    """Some documents had no token with a vector and were given zero vectors."""


def _read_corpus(corpus) -> list[str]:
    """Texts of an extra training corpus: a bundled dataset name or a text file."""
    if isinstance(corpus, str) and corpus.lower() in bundled_datasets():
        return list(load_dataset(corpus).texts)
    path = Path(corpus).expanduser()
    if not path.is_file():
        raise DataError(Errors.E202, file=path)
    text = read_text(path)
    return [line for line in split_lines(text) if line.strip()]


def _gensim_sentences(docs):
    """Documents cut into pieces gensim trains on without truncating."""
    for doc in docs:
        for start in range(0, max(len(doc), 1), _GENSIM_MAX_WORDS):
            piece = doc[start:start + _GENSIM_MAX_WORDS]
            if piece:
                yield list(piece)


def _seed(random_state) -> int:
    return 1 if random_state is None else int(random_state)


class _GensimStage(WordVectorStage):
    """Shared parameters and training of the gensim-backed stages."""

    _gensim_constraints: ClassVar[dict] = {
        "dim": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Integral, 1, None, closed="left")],
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "architecture": [StrOptions({"cbow", "skipgram"})],
        "loss": [StrOptions({"negative_sampling", "hierarchical_softmax"})],
        "negative": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "workers": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def _gensim_options(self) -> dict:
        hs = self.loss == "hierarchical_softmax"
        return dict(
            vector_size=self.dim, window=self.window, min_count=self.min_count,
            sg=int(self.architecture == "skipgram"), hs=int(hs),
            negative=0 if hs else self.negative, epochs=self.epochs,
            workers=self.workers, seed=_seed(self.random_state),
        )

    def _train(self, model_class, docs, **extra):
        sentences = list(_gensim_sentences(docs))
        model = model_class(**self._gensim_options(), **extra)
        model.build_vocab(sentences)
        if len(model.wv) == 0:
            return None
        model.train(sentences, total_examples=len(sentences), epochs=model.epochs)
        return model


class Word2Vec(_GensimStage):
    """Word2vec vectors trained with gensim on the fitted documents, pooled per document.

    Parameters
    ----------
    dim : int, default=100
        Size of the word vectors.
    window : int, default=5
        Largest distance between a word and the context words it predicts.
    min_count : int, default=2
        Words occurring fewer times in the training documents get no vector.
    architecture : {"cbow", "skipgram"}, default="cbow"
        Continuous bag-of-words (fast) or skip-gram (better for rare words).
    loss : {"negative_sampling", "hierarchical_softmax"}, default="negative_sampling"
        Training objective.
    negative : int, default=5
        Noise words drawn per positive example with negative sampling.
    epochs : int, default=5
        Passes over the training documents, a fixed number: every one runs (no
        early stopping; the neural classifiers' ``max_epochs`` is an upper bound).
    workers : int, default=1
        Training threads; more than 1 is faster but not reproducible.
    random_state : int or None, default=None
        Seed of the initial vectors and sampling (None behaves as 1).
    pooling : {"mean", "max", "meanmax", "tfidf", "sif"}, default="mean"
        How word vectors become a document vector: average, element-wise maximum,
        both side by side, IDF-weighted average, or SIF (Arora et al., 2017).
    oov : {"skip", "zero"}, default="skip"
        Tokens without a vector are left out of pooling, or count as zero vectors.
    sif_a : float, default=1e-3
        Smoothing ``a`` of SIF's weights ``a / (a + p(w))``.
    corpus : str or None, default=None
        Extra unlabeled text to train the vectors on: a file (one document per line;
        in a YAML file, relative to the file's folder) or a bundled dataset's name;
        see the module notes on test-fold text.
    corpus_tokenize : dict or None, default=None
        Parameters of the ``tokenize`` stage applied to ``corpus``; match your
        pipeline's own tokenize step.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Row of each word in ``vectors_``.
    vectors_ : ndarray of shape (n_words, dim)
        The trained word vectors.

    Examples
    --------
    >>> stage = Word2Vec(dim=4, min_count=1, epochs=1, random_state=0)
    >>> stage.fit_transform([["good", "film"], ["bad", "film"]]).shape
    (2, 4)
    """


    def __init__(self, *, dim=100, window=5, min_count=2, architecture="cbow",
                 loss="negative_sampling", negative=5, epochs=5, workers=1, random_state=None,
                 pooling="mean", oov="skip", sif_a=1e-3, corpus=None, corpus_tokenize=None):
        self.dim = dim
        self.window = window
        self.min_count = min_count
        self.architecture = architecture
        self.loss = loss
        self.negative = negative
        self.epochs = epochs
        self.workers = workers
        self.random_state = random_state
        self.pooling = pooling
        self.oov = oov
        self.sif_a = sif_a
        self.corpus = corpus
        self.corpus_tokenize = corpus_tokenize

    _parameter_constraints: ClassVar[dict] = {
        **_GensimStage._gensim_constraints,
        **WordVectorStage._common_constraints,
        "oov": [StrOptions({"skip", "zero"})],
    }

    def _learn_vectors(self, docs):
        from gensim.models import Word2Vec as GensimWord2Vec

        model = self._train(GensimWord2Vec, docs)
        if model is None:
            return [], np.zeros((0, self.dim), np.float32)
        return list(model.wv.index_to_key), model.wv.vectors


class FastText(_GensimStage):
    """FastText vectors (gensim): word vectors built from character n-grams, pooled per document.

    Unknown words still get a vector from their character n-grams (``oov="subword"``),
    which helps with typos, rare inflections and small corpora.

    Parameters
    ----------
    dim : int, default=100
        Size of the word vectors.
    window : int, default=5
        Largest distance between a word and the context words it predicts.
    min_count : int, default=2
        Words occurring fewer times get no vector of their own (n-grams still learn).
    architecture : {"cbow", "skipgram"}, default="skipgram"
        Continuous bag-of-words or skip-gram.
    loss : {"negative_sampling", "hierarchical_softmax"}, default="negative_sampling"
        Training objective.
    negative : int, default=5
        Noise words drawn per positive example with negative sampling.
    epochs : int, default=5
        Passes over the training documents, a fixed number: every one runs (no
        early stopping; the neural classifiers' ``max_epochs`` is an upper bound).
    workers : int, default=1
        Training threads; more than 1 is faster but not reproducible.
    random_state : int or None, default=None
        Seed of the initial vectors and sampling (None behaves as 1).
    min_n : int, default=3
        Shortest character n-gram.
    max_n : int, default=6
        Longest character n-gram (0 disables subwords).
    buckets : int, default=200000
        Hash buckets for n-gram vectors; the model stores ``buckets x dim`` floats.
    pooling : {"mean", "max", "meanmax", "tfidf", "sif"}, default="mean"
        How word vectors become a document vector (see ``word2vec``).
    oov : {"subword", "skip", "zero"}, default="subword"
        Unknown tokens get a vector from their n-grams, are left out, or count as zeros.
    sif_a : float, default=1e-3
        Smoothing ``a`` of SIF's weights ``a / (a + p(w))``.
    corpus : str or None, default=None
        Extra unlabeled text to train on: a file (one document per line) or a
        bundled dataset's name.
    corpus_tokenize : dict or None, default=None
        Parameters of the ``tokenize`` stage applied to ``corpus``.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Row of each word in ``vectors_``.
    vectors_ : ndarray of shape (n_words, dim)
        The trained word vectors (n-gram information included).

    Examples
    --------
    >>> stage = FastText(dim=4, min_count=1, epochs=1, buckets=1000, random_state=0)
    >>> X = stage.fit_transform([["good", "film"], ["bad", "film"]])
    >>> stage.transform([["films"]]).shape  # unseen, but its n-grams are known
    (1, 4)
    """

    _oov_policies: ClassVar[tuple[str, ...]] = ("subword", "skip", "zero")

    def __init__(self, *, dim=100, window=5, min_count=2, architecture="skipgram",
                 loss="negative_sampling", negative=5, epochs=5, workers=1, random_state=None,
                 min_n=3, max_n=6, buckets=200_000, pooling="mean", oov="subword", sif_a=1e-3,
                 corpus=None, corpus_tokenize=None):
        self.dim = dim
        self.window = window
        self.min_count = min_count
        self.architecture = architecture
        self.loss = loss
        self.negative = negative
        self.epochs = epochs
        self.workers = workers
        self.random_state = random_state
        self.min_n = min_n
        self.max_n = max_n
        self.buckets = buckets
        self.pooling = pooling
        self.oov = oov
        self.sif_a = sif_a
        self.corpus = corpus
        self.corpus_tokenize = corpus_tokenize

    _parameter_constraints: ClassVar[dict] = {
        **_GensimStage._gensim_constraints,
        **WordVectorStage._common_constraints,
        "min_n": [Interval(Integral, 1, None, closed="left")],
        "max_n": [Interval(Integral, 0, None, closed="left")],
        "buckets": [Interval(Integral, 1, None, closed="left")],
        "oov": [StrOptions({"subword", "skip", "zero"})],
    }

    def _learn_vectors(self, docs):
        from gensim.models import FastText as GensimFastText

        model = self._train(GensimFastText, docs, min_n=self.min_n, max_n=self.max_n,
                            bucket=self.buckets)
        if model is None:
            return [], np.zeros((0, self.dim), np.float32)
        self.keyed_vectors_ = model.wv
        return list(model.wv.index_to_key), model.wv.vectors

    def _oov_vectors(self, words):
        kv = self.keyed_vectors_
        return np.vstack([kv.get_vector(w) for w in words]).astype(np.float32)


class GloVe(WordVectorStage):
    """GloVe vectors (Pennington et al., 2014) trained on the fitted documents, pooled per document.

    Co-occurrences within a symmetric window are counted with 1/distance
    weights; the weighted least-squares objective is minimised with AdaGrad;
    a word's vector is the sum of its word and context vectors.

    Parameters
    ----------
    dim : int, default=100
        Size of the word vectors.
    window : int, default=10
        Context words counted on each side.
    min_count : int, default=2
        Words occurring fewer times get no vector.
    epochs : int, default=25
        Passes over the non-zero co-occurrences, a fixed number: every one runs.
    x_max : float, default=10.0
        Co-occurrence count at which the weight ``f(x)`` reaches 1 (the paper uses
        100 on billions of tokens; small corpora want less).
    alpha : float, default=0.75
        Exponent of the weighting function.
    learning_rate : float, default=0.05
        AdaGrad's initial learning rate.
    random_state : int or None, default=None
        Seed of the initial vectors and the shuffling (None behaves as 0).
    pooling : {"mean", "max", "meanmax", "tfidf", "sif"}, default="mean"
        How word vectors become a document vector (see ``word2vec``).
    oov : {"skip", "zero"}, default="skip"
        Tokens without a vector are left out of pooling, or count as zero vectors.
    sif_a : float, default=1e-3
        Smoothing ``a`` of SIF's weights ``a / (a + p(w))``.
    corpus : str or None, default=None
        Extra unlabeled text to train on: a file (one document per line) or a
        bundled dataset's name.
    corpus_tokenize : dict or None, default=None
        Parameters of the ``tokenize`` stage applied to ``corpus``.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Row of each word in ``vectors_``.
    vectors_ : ndarray of shape (n_words, dim)
        The trained word vectors.
    losses_ : list of float
        Training loss per epoch.

    Examples
    --------
    >>> stage = GloVe(dim=4, min_count=1, epochs=3, random_state=0)
    >>> stage.fit_transform([["good", "film"], ["bad", "film"]] * 5).shape
    (10, 4)
    """


    def __init__(self, *, dim=100, window=10, min_count=2, epochs=25, x_max=10.0, alpha=0.75,
                 learning_rate=0.05, random_state=None, pooling="mean", oov="skip", sif_a=1e-3,
                 corpus=None, corpus_tokenize=None):
        self.dim = dim
        self.window = window
        self.min_count = min_count
        self.epochs = epochs
        self.x_max = x_max
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.random_state = random_state
        self.pooling = pooling
        self.oov = oov
        self.sif_a = sif_a
        self.corpus = corpus
        self.corpus_tokenize = corpus_tokenize

    _parameter_constraints: ClassVar[dict] = {
        **WordVectorStage._common_constraints,
        "dim": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Integral, 1, None, closed="left")],
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "x_max": [Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "oov": [StrOptions({"skip", "zero"})],
    }

    def _learn_vectors(self, docs):
        words, _ = build_vocabulary(docs, min_count=self.min_count)
        if not words:
            return [], np.zeros((0, self.dim), np.float32)
        cooc = cooccurrence_matrix(docs, {w: i for i, w in enumerate(words)},
                                   window=self.window)
        seed = 0 if self.random_state is None else int(self.random_state)
        result = fit_glove(cooc, dim=self.dim, epochs=self.epochs, x_max=self.x_max,
                           alpha=self.alpha, learning_rate=self.learning_rate, seed=seed)
        self.losses_ = list(result.losses)
        return words, result.vectors


class PretrainedVectors(WordVectorStage):
    """Word vectors from your own file (word2vec, GloVe, fastText .vec), pooled per document.

    The file is parsed once into a memory-mapped cache next to it; later loads
    (and every fold of a cross-validation) reuse the cache. Nothing is downloaded.
    A fitted stage keeps the path and a fingerprint of the file, not the vectors,
    so a saved pipeline stays small; the file must still be there when it is loaded.

    Parameters
    ----------
    path : str
        The vector file. In a YAML file, relative to the file's folder.
    format : {"auto", "word2vec", "fasttext", "glove", "gensim"}, default="auto"
        File format; "auto" detects binary/text and whether there is a header line.
    limit : int or None, default=None
        Read only the first ``limit`` vectors (files list frequent words first).
    lowercase : bool, default=False
        Look words up lowercased (for vectors trained on lowercased text).
    pooling : {"mean", "max", "meanmax", "tfidf", "sif"}, default="mean"
        How word vectors become a document vector (see ``word2vec``).
    oov : {"skip", "zero"}, default="skip"
        Tokens without a vector are left out of pooling, or count as zero vectors.
    sif_a : float, default=1e-3
        Smoothing ``a`` of SIF's weights ``a / (a + p(w))``.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Row of each word in ``vectors_``.
    vectors_ : ndarray of shape (n_words, dim)
        The file's vectors (memory-mapped).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "v.txt"
    >>> _ = path.write_text("good 1 0\\nbad 0 1\\n")  # GloVe format: no header line
    >>> PretrainedVectors(path=str(path)).fit_transform([["good", "bad"], ["good"]]).tolist()
    [[0.5, 0.5], [1.0, 0.0]]
    """

    _path_params: ClassVar[tuple[str, ...]] = ("path",)

    def __init__(self, *, path=None, format="auto", limit=None, lowercase=False,
                 pooling="mean", oov="skip", sif_a=1e-3):
        self.path = path
        self.format = format
        self.limit = limit
        self.lowercase = lowercase
        self.pooling = pooling
        self.oov = oov
        self.sif_a = sif_a

    corpus = None  # pretrained vectors are not trained here
    corpus_tokenize = None

    _parameter_constraints: ClassVar[dict] = {
        "path": [str, Path],
        "format": [StrOptions({"auto", "word2vec", "fasttext", "glove", "gensim"})],
        "limit": [Interval(Integral, 1, None, closed="left"), None],
        "lowercase": ["boolean"],
        "pooling": [StrOptions(set(POOLING))],
        "oov": [StrOptions({"skip", "zero"})],
        "sif_a": [Interval(Real, 0, None, closed="neither")],
    }

    def _load(self):
        return load_vectors(self.path, format=self.format, limit=self.limit)

    def _learn_vectors(self, docs):
        kv = self._load()
        self.source_ = {"path": str(Path(self.path).resolve()), "n_words": len(kv),
                        "dim": int(kv.vector_size)}
        return list(kv.index_to_key), kv.vectors

    def _fit(self, docs, y=None):
        super()._fit(self._lower(docs), y)

    def _transform(self, docs):
        return super()._transform(self._lower(docs))

    def _lower(self, docs):
        if not self.lowercase:
            return docs
        memo = TypeMemo(str.lower)
        return memo.map_docs(docs)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("vectors_", None)
        state.pop("vocabulary_", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "source_" in state:
            kv = self._load()
            self.vocabulary_ = {w: i for i, w in enumerate(kv.index_to_key)}
            self.vectors_ = kv.vectors
