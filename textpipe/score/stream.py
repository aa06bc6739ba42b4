"""Predict over any iterable of texts, a chunk at a time: memory stays flat.

Like gensim's corpora, the texts can be a generator reading from disk; only
``chunk_size`` of them are held at once (per worker, with ``n_jobs``), and results
come out one per text, in order, as soon as their chunk is done.

Examples
--------
>>> import textpipe
>>> pipe = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
>>> _ = pipe.fit(["good fun", "great fun", "bad dull", "awful dull"], ["pos", "pos", "neg", "neg"])
>>> texts = (line for line in ["good", "dull", "fun"])
>>> list(predict(pipe, texts, chunk_size=2))
['pos', 'neg', 'pos']
>>> [row.round(2).tolist() for row in predict_proba(pipe, ["great fun"])]
[[0.14, 0.86]]
"""

from __future__ import annotations

from itertools import islice
from typing import Iterable, Iterator

import numpy as np

from ..parameters import check_option
from .backends import ModelHandle, ordered_map


def check_chunk_size(size) -> int:
    """Return ``size`` if it is a positive int, else raise ``UsageError`` naming chunk_size."""
    return int(check_option(size, "chunk_size", integer=True))


def iter_chunks(items: Iterable, size: int) -> Iterator[list]:
    """Yield lists of ``size`` items (the last may be shorter), reading lazily.

    Examples
    --------
    >>> list(iter_chunks(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    check_chunk_size(size)
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _proba(pipeline, texts):
    return pipeline.predict_proba(texts)


def _labels(pipeline, texts):
    return pipeline.predict(texts)


def predict_proba(model, texts: Iterable[str], *, chunk_size: int = 1000, n_jobs: int = 1,
                  allow_version_mismatch: bool = False) -> Iterator[np.ndarray]:
    """Yield each text's class probabilities (columns in ``classes_`` order).

    Parameters
    ----------
    model : str, Path, SavedModel or Pipeline
        A model folder (loading it unpickles: only use models you trust), a loaded
        model or a fitted pipeline.
    texts : iterable of str
        Read lazily, ``chunk_size`` at a time.
    chunk_size : int, default=1000
    n_jobs : int, default=1
        Worker processes scoring chunks in parallel; -1 for every core.
    allow_version_mismatch : bool, default=False

    Yields
    ------
    ndarray of shape (n_classes,)
    """
    handle = ModelHandle.resolve(model, allow_version_mismatch=allow_version_mismatch)
    for block in ordered_map(_proba, iter_chunks(texts, chunk_size), handle, n_jobs=n_jobs):
        yield from block


def predict(model, texts: Iterable[str], *, chunk_size: int = 1000, n_jobs: int = 1,
            allow_version_mismatch: bool = False) -> Iterator:
    """Yield each text's predicted label; parameters as in :func:`predict_proba`."""
    handle = ModelHandle.resolve(model, allow_version_mismatch=allow_version_mismatch)
    for block in ordered_map(_labels, iter_chunks(texts, chunk_size), handle, n_jobs=n_jobs):
        yield from block.tolist() if hasattr(block, "tolist") else block


__all__ = ["check_chunk_size", "iter_chunks", "predict", "predict_proba"]
