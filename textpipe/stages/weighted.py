"""scikit-learn classifiers that lack ``class_weight``, given one through sample weights.

``MultinomialNB``, ``ComplementNB`` and ``MLPClassifier`` take ``sample_weight`` in
``fit`` but have no ``class_weight`` parameter. These subclasses add it: each training
document weighs what its class weighs (see :mod:`textpipe.stages.class_weight`), times
any ``sample_weight`` given. Everything else is the scikit-learn class, unchanged.

Examples
--------
>>> import numpy as np
>>> X = np.array([[3, 0], [2, 1], [3, 1], [1, 1]])
>>> y = ["a", "a", "a", "b"]
>>> WeightedMultinomialNB().fit(X, y).class_count_.tolist()
[3.0, 1.0]
>>> WeightedMultinomialNB(class_weight="balanced").fit(X, y).class_count_.tolist()
[2.0, 2.0]
"""

from __future__ import annotations

from typing import ClassVar

from sklearn.naive_bayes import ComplementNB, MultinomialNB
from sklearn.neural_network import MLPClassifier

from ..registry import FEATURES, LABELS
from .base import NamedStage
from .class_weight import CLASS_WEIGHT_CONSTRAINT, sample_weights


#: scikit-learn's class-weight check feeds negative features, which naive Bayes refuses.
_NB_EXPECTED_FAILURES: dict[str, str] = {
    "check_class_weight_classifiers": (
        "the check trains on standardized (partly negative) features, and multinomial "
        "and complement naive Bayes take non-negative counts only"
    ),
}


class _ClassWeightFit(NamedStage):
    """``fit`` that turns ``class_weight`` into sample weights for the base class's fit."""

    consumes: ClassVar[str] = FEATURES
    produces: ClassVar[str] = LABELS

    def fit(self, X, y, sample_weight=None):
        """Fit the classifier, each document weighted by its class's ``class_weight``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_documents, n_features)
            The features.
        y : array-like of shape (n_documents,)
            Class labels.
        sample_weight : array-like of shape (n_documents,), optional
            Weights multiplied into the class weights.

        Returns
        -------
        self
        """
        self._validate_params()
        weights = sample_weights(self.class_weight, y, sample_weight, self.stage_name)
        return super().fit(X, y, sample_weight=weights)


class WeightedMultinomialNB(_ClassWeightFit, MultinomialNB):
    """Multinomial naive Bayes with ``class_weight``.

    Parameters
    ----------
    alpha, force_alpha, fit_prior, class_prior : see ``sklearn.naive_bayes.MultinomialNB``
        As for scikit-learn's ``MultinomialNB``.
    class_weight : None, 'balanced' or dict, default=None
        None (every class weighs 1), 'balanced' (each class weighs inversely to its
        frequency) or a mapping label → weight (labels left out weigh 1).
    """

    _expected_failed_checks: ClassVar[dict[str, str]] = _NB_EXPECTED_FAILURES
    _parameter_constraints: ClassVar[dict] = {**MultinomialNB._parameter_constraints,
                                              "class_weight": CLASS_WEIGHT_CONSTRAINT}

    def __init__(self, *, alpha=1.0, force_alpha=True, fit_prior=True, class_prior=None,
                 class_weight=None):
        super().__init__(alpha=alpha, force_alpha=force_alpha, fit_prior=fit_prior,
                         class_prior=class_prior)
        self.class_weight = class_weight


class WeightedComplementNB(_ClassWeightFit, ComplementNB):
    """Complement naive Bayes with ``class_weight``.

    Parameters
    ----------
    alpha, force_alpha, fit_prior, class_prior, norm : see ``sklearn.naive_bayes.ComplementNB``
        As for scikit-learn's ``ComplementNB``.
    class_weight : None, 'balanced' or dict, default=None
        None (every class weighs 1), 'balanced' (each class weighs inversely to its
        frequency) or a mapping label → weight (labels left out weigh 1).
    """

    _expected_failed_checks: ClassVar[dict[str, str]] = _NB_EXPECTED_FAILURES
    _parameter_constraints: ClassVar[dict] = {**ComplementNB._parameter_constraints,
                                              "class_weight": CLASS_WEIGHT_CONSTRAINT}

    def __init__(self, *, alpha=1.0, force_alpha=True, fit_prior=True, class_prior=None,
                 norm=False, class_weight=None):
        super().__init__(alpha=alpha, force_alpha=force_alpha, fit_prior=fit_prior,
                         class_prior=class_prior, norm=norm)
        self.class_weight = class_weight


class WeightedMLPClassifier(_ClassWeightFit, MLPClassifier):
    """scikit-learn's multi-layer perceptron with ``class_weight``.

    Parameters
    ----------
    hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate, \
learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose, warm_start, \
momentum, nesterovs_momentum, early_stopping, validation_fraction, beta_1, beta_2, \
epsilon, n_iter_no_change, max_fun : see ``sklearn.neural_network.MLPClassifier``
        As for scikit-learn's ``MLPClassifier``.
    class_weight : None, 'balanced' or dict, default=None
        None (every class weighs 1), 'balanced' (each class weighs inversely to its
        frequency) or a mapping label → weight (labels left out weigh 1).
    """

    _expected_failed_checks: ClassVar[dict[str, str]] = {
        "check_class_weight_classifiers": (
            "textpipe's default early_stopping=True holds out 10% of the check's small "
            "training set and stops before the weighted class is learnt (it passes with "
            "early_stopping=False)"
        ),
    }
    _parameter_constraints: ClassVar[dict] = {**MLPClassifier._parameter_constraints,
                                              "class_weight": CLASS_WEIGHT_CONSTRAINT}

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=0.0001, verbose=False, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-08,
                 n_iter_no_change=10, max_fun=15000, class_weight=None):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes, activation=activation, solver=solver,
            alpha=alpha, batch_size=batch_size, learning_rate=learning_rate,
            learning_rate_init=learning_rate_init, power_t=power_t, max_iter=max_iter,
            shuffle=shuffle, random_state=random_state, tol=tol, verbose=verbose,
            warm_start=warm_start, momentum=momentum, nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, n_iter_no_change=n_iter_no_change,
            max_fun=max_fun)
        self.class_weight = class_weight
