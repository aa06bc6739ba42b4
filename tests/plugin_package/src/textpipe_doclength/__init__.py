"""A textpipe stage that describes each document by its length."""

from numbers import Integral

import numpy as np

from textpipe import TextStage
from textpipe.sklearn_compat import Interval


class DocLength(TextStage):
    """Describe each document by its number of tokens and their mean length.

    Parameters
    ----------
    max_tokens : int, default=1000
        Count at most this many tokens per document.

    Attributes
    ----------
    n_features_out_ : int
        Always 2: the token count and the mean token length.
    """

    consumes = "tokens"
    produces = "features"
    _parameter_constraints = {"max_tokens": [Interval(Integral, 1, None, closed="left")]}

    def __init__(self, *, max_tokens=1000):
        self.max_tokens = max_tokens

    def _fit(self, docs, y=None):
        self.n_features_out_ = 2

    def _transform(self, docs):
        rows = []
        for doc in docs:
            tokens = doc[: self.max_tokens]
            mean = sum(map(len, tokens)) / len(tokens) if tokens else 0.0
            rows.append((len(tokens), mean))
        return np.asarray(rows, dtype=np.float64).reshape(len(docs), 2)
