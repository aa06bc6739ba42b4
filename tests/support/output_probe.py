"""A stage that checks, wherever it runs, which scikit-learn output container is set.

Worker processes (joblib's loky, Dask) start with scikit-learn's default
settings; textpipe passes the caller's settings on (``carry_sklearn_config``).
The probe fails its fit and transform where the setting is not ``expect``.
"""

from __future__ import annotations

import numpy as np
import sklearn

from textpipe.registry import FEATURES, TEXT
from textpipe.stages.base import TextStage


class OutputProbe(TextStage):
    """Text to one dense feature (the length), refusing the wrong transform_output.

    Parameters
    ----------
    expect : str
        The transform_output that fit and transform must see.
    n_jobs : int or None
        Worker processes for transform (texts split in chunks).
    """

    consumes = TEXT
    produces = FEATURES

    def __init__(self, expect="default", n_jobs=None):
        self.expect = expect
        self.n_jobs = n_jobs

    def _check(self):
        seen = sklearn.get_config()["transform_output"]
        if seen != self.expect:
            raise RuntimeError(f"transform_output is {seen!r} here, not {self.expect!r}")

    def _fit(self, docs, y=None):
        self._check()

    def _transform(self, docs):
        self._check()
        return [[float(len(doc))] for doc in docs]

    def _as_output(self, out, X):
        return super()._as_output(np.asarray(out, dtype=float), X)

    def get_feature_names_out(self, input_features=None):
        return np.asarray(["length"], dtype=object)
