"""Leading steps that learn nothing from the training data, computed once for every fold.

A stage says whether fitting it learns anything from the documents it is given
(``learns_from_training_data``; see :class:`textpipe.stages.base.NamedStage`). A
frozen pretrained encoder does not: a document's vector is the same whichever
fold's training documents the stage was fitted on. The steps at the start of a
pipeline that learn nothing are therefore fitted once and applied once to all
documents; each fold takes its training and test rows from that output and fits
only the remaining steps. The scores are those of fitting every step per fold;
a 10-fold cross-validation of an encoder then costs one encoding pass, not ten.

Examples
--------
>>> from sklearn.pipeline import Pipeline
>>> from sklearn.preprocessing import FunctionTransformer
>>> from sklearn.linear_model import LogisticRegression
>>> class Fixed(FunctionTransformer):
...     learns_from_training_data = False
>>> pipe = Pipeline([("double", Fixed(lambda X: [[2 * x] for x in X])),
...                  ("logreg", LogisticRegression())])
>>> n_shared_steps(pipe)
1
>>> shared = compute_shared(pipe, [1, 2, 3])
>>> shared.output, take(shared.output, [2, 0])
([[2], [4], [6]], [[6], [2]])
"""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter
from typing import Any

__all__ = ["SharedSteps", "compute_shared", "n_shared_steps", "take"]


def _learns(estimator) -> bool:
    if estimator is None or (isinstance(estimator, str) and estimator == "passthrough"):
        return False
    return bool(getattr(estimator, "learns_from_training_data", True))


def n_shared_steps(pipeline) -> int:
    """How many leading steps (never the last) learn nothing from the training data."""
    n = 0
    for _, estimator in pipeline.steps[:-1]:
        if _learns(estimator):
            break
        n += 1
    return n


def take(X, index):
    """The rows ``index`` of a step's output: a list, an array, a sparse matrix or a DataFrame.

    A DataFrame (a step's output under scikit-learn's pandas output) is taken by
    position and numbered afresh, as the step would have numbered those rows.

    Examples
    --------
    >>> take(["a", "b", "c"], [2, 0])
    ['c', 'a']
    >>> import pandas as pd
    >>> take(pd.DataFrame({"x": [1.0, 2.0, 3.0]}, index=[7, 8, 9]), [2, 0])["x"].tolist()
    [3.0, 1.0]
    """
    if isinstance(X, (list, tuple)):
        return [X[i] for i in index]
    if hasattr(X, "iloc"):
        return X.iloc[index].reset_index(drop=True)
    return X[index]


@dataclass
class SharedSteps:
    """What the leading steps that learn nothing produced for all documents.

    Attributes
    ----------
    n_steps : int
        How many leading steps were computed.
    output : list, ndarray or sparse matrix
        Their output, one row per document of the plan.
    seconds : dict
        Step name → seconds to fit and apply it to all documents, once.
    n_documents : int
    n_folds : int
        The folds that share the output.
    """

    n_steps: int
    output: Any
    seconds: dict
    n_documents: int
    n_folds: int = 1

    def share(self, index) -> dict:
        """A fold's part of each step's seconds, for per-fold timings.

        Each fold is credited with ``1 / n_folds`` of the pass, split between its
        training and test documents in proportion to their number (``index``), so
        the folds' timings add up to the pass.
        """
        part = len(index) / max(self.n_documents, 1) / max(self.n_folds, 1)
        return {name: seconds * part for name, seconds in self.seconds.items()}


def compute_shared(pipeline, texts, n_folds: int = 1) -> SharedSteps | None:
    """Fit the leading steps that learn nothing on ``texts`` and apply them, once.

    Returns None when the pipeline starts with a step that learns. The steps
    are fitted without labels: a step that learns nothing has no use for them.
    """
    n = n_shared_steps(pipeline)
    if n == 0:
        return None
    X, seconds = texts, {}
    for name, estimator in pipeline.steps[:n]:
        if estimator is None or (isinstance(estimator, str) and estimator == "passthrough"):
            continue
        start = perf_counter()
        X = estimator.fit_transform(X)
        seconds[name] = perf_counter() - start
    return SharedSteps(n, X, seconds, len(texts), n_folds)
