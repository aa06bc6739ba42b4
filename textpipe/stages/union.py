"""The estimator behind a pipeline file's ``union`` step.

A scikit-learn ``FeatureUnion`` whose output follows the rule of textpipe's
stages: under ``set_output(transform="pandas")`` (or scikit-learn's
``transform_output`` setting) dense features become a DataFrame whose columns
are the branch-prefixed ``get_feature_names_out()`` (``words__good``), while
sparse features stay a sparse matrix, as from scikit-learn's own text
vectorizers. scikit-learn's ``FeatureUnion`` refuses the second case (it
raises on sparse output under pandas output), which would make every union
with a TF-IDF branch fail under a global pandas setting.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.pipeline import FeatureUnion

from ..sklearn_compat import output_container_adapter

__all__ = ["BranchUnion"]


class BranchUnion(FeatureUnion, auto_wrap_output_keys=None):
    """Branches side by side, their features concatenated; sparse stays sparse.

    Parameters are those of scikit-learn's ``FeatureUnion``; a pipeline file's
    ``union`` step builds one, with a ``Pipeline`` per branch.

    Examples
    --------
    >>> import sklearn
    >>> from sklearn.pipeline import make_pipeline
    >>> from textpipe.stages.tokenize import Tokenize
    >>> from textpipe.stages.vectorize import TfidfVectors
    >>> union = BranchUnion([("words", make_pipeline(Tokenize(), TfidfVectors()))])
    >>> with sklearn.config_context(transform_output="pandas"):
    ...     type(union.fit_transform(["a b", "b c"])).__name__
    'csr_matrix'
    >>> union.get_feature_names_out().tolist()
    ['words__a', 'words__b', 'words__c']
    """

    def set_output(self, *, transform=None):
        """Choose the container of dense features, for the union and every branch.

        Returns
        -------
        self
        """
        if transform is not None:
            self._sklearn_output_config = {
                **getattr(self, "_sklearn_output_config", {}), "transform": transform,
            }
        for _, step, _ in self._iter():
            if transform is not None and hasattr(step, "set_output"):
                step.set_output(transform=transform)
        return self

    def fit_transform(self, X, y=None, **params):
        """Fit every branch and concatenate their features (see the class docstring)."""
        return self._as_output(super().fit_transform(X, y, **params), X)

    def transform(self, X, **params):
        """Concatenate every branch's features (see the class docstring)."""
        return self._as_output(super().transform(X, **params), X)

    def _hstack(self, Xs):
        if any(sp.issparse(part) for part in Xs):  # a branch's DataFrame joins as values
            return sp.hstack([part if sp.issparse(part) else np.asarray(part)
                              for part in Xs]).tocsr()
        return super()._hstack(Xs)

    def _as_output(self, out, X):
        if sp.issparse(out):
            return out
        adapter = output_container_adapter("transform", self)
        if adapter is None:
            return np.asarray(out) if hasattr(out, "columns") else out
        return adapter.create_container(out, X, columns=self.get_feature_names_out)
