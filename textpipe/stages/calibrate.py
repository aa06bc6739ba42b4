"""The ``calibrate`` stage: a classifier over features with calibrated class probabilities.

Margin classifiers (``linear_svm``, ``nbsvm``, ``sgd`` with a hinge loss) give scores, not
probabilities. ``calibrate`` trains the classifier it names inside scikit-learn's
``CalibratedClassifierCV``: on each of ``cv`` folds the classifier learns from the other
folds, and a map from its scores to probabilities (``sigmoid``: Platt scaling,
``isotonic``: a monotone step function, for larger data) learns from the held-out fold.
The step is one classifier in the pipeline, so ``run``, ``compare``, ``train``, ``score``
and saved models treat it like any other, and ``score`` writes its probabilities.

Examples
--------
>>> docs = [[1, 0], [2, 0], [3, 1], [0, 1], [0, 2], [1, 3]] * 2
>>> y = ["a", "a", "a", "b", "b", "b"] * 2
>>> clf = Calibrate(classifier="linear_svm", cv=2).fit(docs, y)
>>> clf.classes_.tolist(), clf.predict_proba(docs).shape
(['a', 'b'], (12, 2))
"""

from __future__ import annotations

from numbers import Integral
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..errors import ConfigError, Errors, InputError, quoted_list
from ..parameters import check_parameters, parameter_problems
from ..registry import FEATURES, LABELS, all_stages, get_stage
from ..sklearn_compat import Interval, StrOptions
from .base import NamedStage

__all__ = ["Calibrate"]


def _feature_classifiers() -> list[str]:
    """Names of the registered classifiers that take features (those ``calibrate`` wraps)."""
    return [s.name for s in all_stages()
            if s.is_classifier and FEATURES in s.consumes and s.name != "calibrate"]


class Calibrate(NamedStage, ClassifierMixin, BaseEstimator):
    """A classifier over features, its probabilities calibrated by cross-validation.

    Parameters
    ----------
    classifier : str, default="linear_svm"
        The classifier stage to calibrate: any registered classifier over features.
    params : dict or None, default=None
        That classifier's parameters, as its own step would take them.
    method : {"sigmoid", "isotonic"}, default="sigmoid"
        How scores become probabilities: ``sigmoid`` (Platt scaling; good for small
        data) or ``isotonic`` (a monotone step function; needs more data).
    cv : int, default=5
        Number of stratified folds; each class needs at least ``cv`` documents.
    random_state : int, RandomState instance or None, default=None
        Seed given to the classifier when it takes one and ``params`` gives none.

    Attributes
    ----------
    calibrated_ : sklearn.calibration.CalibratedClassifierCV
        The fitted calibrated classifier.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    """

    consumes: ClassVar[str] = FEATURES
    produces: ClassVar[str] = LABELS
    # scikit-learn's check_estimator runs this check and it fails by design.
    _expected_failed_checks: ClassVar[dict[str, str]] = {
        "check_fit2d_1feature": (
            "the check trains on 10 samples, 3 of some class: fewer than cv=5 folds, which "
            "calibrate reports (E764) before anything looks at the single feature"
        ),
    }
    _parameter_constraints: ClassVar[dict] = {
        "classifier": [str],
        "params": [dict, None],
        "method": [StrOptions({"sigmoid", "isotonic"})],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, classifier="linear_svm", params=None, method="sigmoid", cv=5,
                 random_state=None):
        self.classifier = classifier
        self.params = params
        self.method = method
        self.cv = cv
        self.random_state = random_state

    def _parameter_rules(self) -> list:
        """The classifier must be a registered one over features, its params valid for it."""
        names = _feature_classifiers()
        if self.classifier not in names:
            return [ConfigError(Errors.E762.format(got=self.classifier,
                                                   allowed=quoted_list(names)),
                                param="classifier")]
        return [ConfigError(Errors.E763.format(classifier=self.classifier, param=p.param,
                                               reason=getattr(p, "reason", p.message)),
                            param="params")
                for p in parameter_problems(self._inner())]

    def check_params(self) -> None:
        """Check the parameters without fitting; raise ConfigError naming each bad one."""
        check_parameters(self)

    def _inner(self):
        """A new unfitted instance of the wrapped classifier."""
        spec = get_stage(self.classifier)
        params = dict(self.params or {})
        if self.random_state is not None and "random_state" not in params and any(
                p.name == "random_state" for p in spec.parameters):
            params["random_state"] = self.random_state
        return spec.create(**params)

    def fit(self, X, y):
        """Fit the classifier and its calibration on ``cv`` folds.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_documents, n_features)
            The features.
        y : array-like of shape (n_documents,)
            Class labels.

        Returns
        -------
        self
        """
        from sklearn.calibration import CalibratedClassifierCV

        self.check_params()
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"])
        check_classification_targets(y)
        classes, counts = np.unique(y, return_counts=True)
        if len(classes) > 1 and counts.min() < self.cv:
            raise InputError(Errors.E764.format(label=classes[counts.argmin()],
                                                n=int(counts.min()), cv=self.cv))
        self.calibrated_ = CalibratedClassifierCV(self._inner(), method=self.method,
                                                  cv=self.cv).fit(X, y)
        self.classes_ = self.calibrated_.classes_
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Calibrated class probabilities, columns in ``classes_`` order."""
        check_is_fitted(self)
        return self.calibrated_.predict_proba(validate_data(self, X, accept_sparse=["csr", "csc"],
                                                            reset=False))

    def predict(self, X) -> np.ndarray:
        """The most probable class of each document."""
        check_is_fitted(self)
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
