"""Word-id embedding tables shared by the token classifiers (``bilstm``, ``cnn``).

A table has one row per vocabulary word plus two special rows: ``PAD`` (row 0,
all zeros, never trained: it fills the batch around short documents) and ``UNK``
(row 1: the words not in the vocabulary). The vocabulary is the training words
seen at least ``min_count`` times, most frequent first. Rows start uniform in
``[-0.25, 0.25]`` (Kim, 2014: the variance of typical pretrained vectors), and
:func:`pretrained_table` gives the words a vector source knows their vectors.

torch is imported inside the functions, so stages can import this module while
being listed and validated without torch.

Examples
--------
>>> import torch
>>> _ = torch.manual_seed(0)
>>> words = training_words([["a", "b", "a"], ["c"]], min_count=1)
>>> words
['a', 'b', 'c']
>>> vocabulary = vocabulary_of(words)
>>> table = random_table(len(words), 4)
>>> table.shape, table[PAD].abs().sum().item()
(torch.Size([5, 4]), 0.0)
>>> [ids.tolist() for ids in word_ids([["a", "zzz"], []], vocabulary)]
[[2, 1], []]
>>> import numpy as np
>>> table, n_known = pretrained_table(vocabulary, {"c": 0, "x": 1}, np.ones((2, 3)))
>>> n_known, table[vocabulary["c"]].tolist(), table[PAD].tolist()
(1, [1.0, 1.0, 1.0], [0.0, 0.0, 0.0])
"""

from __future__ import annotations

from collections import Counter

__all__ = ["PAD", "UNK", "embedding", "pretrained_table", "random_table", "training_words",
           "vocabulary_of", "word_ids"]

PAD, UNK = 0, 1
INIT_RANGE = 0.25


def training_words(docs, min_count: int) -> list[str]:
    """Words of ``docs`` seen at least ``min_count`` times, most frequent first (ties by word)."""
    counts = Counter(t for d in docs for t in d)
    return sorted((w for w, n in counts.items() if n >= min_count),
                  key=lambda w: (-counts[w], w))


def vocabulary_of(words) -> dict[str, int]:
    """Row of each word in a table whose first two rows are ``PAD`` and ``UNK``."""
    return {w: i + 2 for i, w in enumerate(words)}


def random_table(n_words: int, dim: int, scale: float = INIT_RANGE):
    """A ``(n_words + 2, dim)`` table drawn from U(-scale, scale) (torch's generator); ``PAD`` 0."""
    import torch

    table = torch.empty(n_words + 2, dim).uniform_(-scale, scale)
    table[PAD] = 0
    return table


def pretrained_table(vocabulary: dict[str, int], index: dict[str, int], vectors):
    """A table for ``vocabulary`` whose known words' rows are their ``vectors[index[word]]``.

    The other rows are drawn uniformly with the variance of the known vectors (Kim, 2014),
    U(-0.25, 0.25) when none is known. Returns the table and the number of rows filled.
    """
    import numpy as np
    import torch

    pairs = [(row, index[w]) for w, row in vocabulary.items() if w in index]
    dim = np.shape(vectors)[1]
    rows = np.asarray([r for r, _ in pairs], dtype=np.int64)
    known = np.asarray(vectors[np.asarray([s for _, s in pairs], dtype=np.int64)],
                       dtype=np.float32).reshape(len(pairs), dim)
    scale = float(np.sqrt(3.0) * known.std()) if known.size else INIT_RANGE
    table = random_table(len(vocabulary), dim, scale or INIT_RANGE)
    table[torch.as_tensor(rows)] = torch.as_tensor(known)
    return table, len(pairs)


def embedding(table, freeze: bool = False):
    """A ``torch.nn.Embedding`` over ``table`` (``PAD`` zeroed and without gradient)."""
    import torch

    table[PAD] = 0
    return torch.nn.Embedding.from_pretrained(table, freeze=freeze, padding_idx=PAD)


def word_ids(docs, vocabulary: dict[str, int]) -> list:
    """One ``LongTensor`` of rows per document (``UNK`` for words not in ``vocabulary``)."""
    import torch

    get = vocabulary.get
    return [torch.as_tensor([get(t, UNK) for t in d], dtype=torch.long) for d in docs]
