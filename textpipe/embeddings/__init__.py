"""Static word embeddings: GloVe training, pretrained vector files, document pooling.

The numerical engine behind the ``word2vec``, ``fasttext``, ``glove`` and
``pretrained_vectors`` stages:

- :mod:`~textpipe.embeddings.glove`: vocabulary, co-occurrence counting and the
  GloVe trainer;
- :mod:`~textpipe.embeddings.vector_files`: reading word2vec, fastText and GloVe
  files once into a memory-mapped cache;
- :mod:`~textpipe.embeddings.pooling`: one vector per document from its token
  vectors (mean, max, mean+max, TF-IDF, SIF).

Importing this package loads NumPy and SciPy only; gensim is imported when a
vector file is read.

Examples
--------
>>> import numpy as np
>>> from textpipe.embeddings import build_vocabulary, cooccurrence_matrix, fit_glove, pool
>>> docs = [["a", "fine", "film"], ["a", "dull", "film"]] * 10
>>> words, _ = build_vocabulary(docs, min_count=1)
>>> index = {w: i for i, w in enumerate(words)}
>>> vectors = fit_glove(cooccurrence_matrix(docs, index), dim=4, epochs=5).vectors
>>> X, n_empty = pool([[index[t] for t in d] for d in docs[:2]], vectors)
>>> X.shape, n_empty
((2, 4), 0)
"""

from .glove import GloveResult, build_vocabulary, cooccurrence_matrix, fit_glove
from .pooling import METHODS, SIFPooler, idf_weights, pool, sif_weights, word_counts
from .vector_files import FORMATS, detect_format, load_vectors

__all__ = [
    "FORMATS",
    "METHODS",
    "GloveResult",
    "SIFPooler",
    "build_vocabulary",
    "cooccurrence_matrix",
    "detect_format",
    "fit_glove",
    "idf_weights",
    "load_vectors",
    "pool",
    "sif_weights",
    "word_counts",
]
