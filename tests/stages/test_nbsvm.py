"""NBSVM: the ratios and interpolation of Wang & Manning (2012), and the sklearn contract."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils._param_validation import InvalidParameterError

from textpipe.errors import InputError
from textpipe.stages.nbsvm import NBSVM
from textpipe.stages.vectorize import CountVectors

# 4 documents, 3 features; document 0 has a count of 2 to check binarization.
X_TINY = np.array([[1, 1, 0], [2, 0, 0], [0, 1, 1], [0, 0, 3]], dtype=float)
Y_TINY = np.array([1, 1, 0, 0])
# x̂ = [[1,1,0],[1,0,0],[0,1,1],[0,0,1]]; alpha=1:
# p = 1 + [2, 1, 0] = [3, 2, 1], q = 1 + [0, 1, 2] = [1, 2, 3], ‖p‖₁ = ‖q‖₁ = 6
# r = log((p/6) / (q/6)) = [log 3, 0, -log 3]
R_TINY = np.array([np.log(3), 0.0, -np.log(3)])


class _FixedSVM:
    """Stands in for LinearSVC: records what it was trained on, returns set weights."""

    seen = []

    def fit(self, X, y):
        _FixedSVM.seen.append((X.copy(), y.copy()))
        self.coef_ = np.array([[1.0, -2.0, 0.5]])
        self.intercept_ = np.array([0.4])
        self.n_iter_ = 1
        return self


def test_ratios_and_interpolation_match_a_hand_computed_example(monkeypatch):
    _FixedSVM.seen.clear()
    monkeypatch.setattr(NBSVM, "_linear_model", lambda self: _FixedSVM())
    model = NBSVM(alpha=1.0, beta=0.25).fit(X_TINY, Y_TINY)

    np.testing.assert_allclose(model.ratios_, [R_TINY])
    # The SVM is trained on x̂ ∘ r with the positive class as 1.
    (X_svm, y_svm), = _FixedSVM.seen
    x_hat = np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1], [0, 0, 1]])
    np.testing.assert_allclose(X_svm, x_hat * R_TINY)
    np.testing.assert_array_equal(y_svm, [1, 1, 0, 0])
    # w = [1, -2, 0.5]: w̄ = 3.5 / 3; w' = 0.75 * 7/6 + 0.25 * w = [1.125, 0.375, 1.0]
    w_interp = np.array([1.125, 0.375, 1.0])
    np.testing.assert_allclose(model.coef_, [w_interp * R_TINY])
    np.testing.assert_allclose(model.intercept_, [0.25 * 0.4])
    # decision = w' · (r ∘ x̂) + b'
    expected = x_hat @ (w_interp * R_TINY) + 0.1
    np.testing.assert_allclose(model.decision_function(X_TINY), expected)
    np.testing.assert_array_equal(model.predict(X_TINY), np.where(expected > 0, 1, 0))


def test_interpolation_uses_the_real_svm_weights():
    model = NBSVM(beta=0.25, random_state=0).fit(X_TINY, Y_TINY)
    svm = LinearSVC(C=1.0, random_state=0).fit((X_TINY > 0) * R_TINY, Y_TINY)
    w = svm.coef_.ravel()
    np.testing.assert_allclose(model.coef_, [(0.75 * np.abs(w).mean() + 0.25 * w) * R_TINY])
    np.testing.assert_allclose(model.intercept_, 0.25 * svm.intercept_)


def test_beta_one_is_the_plain_svm_on_scaled_features():
    X, y = _toy_counts(seed=1)
    model = NBSVM(beta=1.0, C=0.5, random_state=0).fit(X, y)
    scaled = (X > 0).astype(float).multiply(model.ratios_[0]).tocsr()
    svm = LinearSVC(C=0.5, random_state=0).fit(scaled, y)
    np.testing.assert_allclose(model.decision_function(X), svm.decision_function(scaled), atol=1e-10)
    np.testing.assert_array_equal(model.predict(X), svm.predict(scaled))


def test_multiclass_is_one_vs_rest_with_one_ratio_per_class():
    X, y = _toy_counts(n_classes=3)
    model = NBSVM(random_state=0).fit(X, y)
    n_features = X.shape[1]
    assert model.classes_.tolist() == ["c0", "c1", "c2"]
    assert model.ratios_.shape == model.coef_.shape == (3, n_features)
    assert model.intercept_.shape == (3,)
    assert model.decision_function(X).shape == (X.shape[0], 3)
    assert set(model.predict(X)) <= set(model.classes_)
    assert model.score(X, y) > 0.9
    for k, label in enumerate(model.classes_):
        binary = NBSVM(random_state=0).fit(X, y == label)
        np.testing.assert_allclose(model.ratios_[k], binary.ratios_[0])
        np.testing.assert_allclose(model.coef_[k], binary.coef_[0])


def test_binary_labels_keep_their_type_and_order():
    model = NBSVM(random_state=0).fit(X_TINY, np.array(["pos", "pos", "neg", "neg"]))
    assert model.classes_.tolist() == ["neg", "pos"]
    assert model.ratios_.shape == (1, 3)
    np.testing.assert_allclose(model.ratios_[0], R_TINY)  # ratios favour classes_[1]
    assert model.predict(X_TINY).tolist() == ["pos", "pos", "neg", "neg"]


def test_sparse_and_dense_input_agree():
    X, y = _toy_counts()
    dense = NBSVM(random_state=0).fit(X.toarray(), y)
    sparse = NBSVM(random_state=0).fit(X, y)
    np.testing.assert_allclose(dense.coef_, sparse.coef_)
    np.testing.assert_allclose(dense.decision_function(X.toarray()), sparse.decision_function(X))


def test_binarize_false_uses_the_counts():
    model = NBSVM(binarize=False, random_state=0).fit(X_TINY, Y_TINY)
    # p = 1 + [3, 1, 0] = [4, 2, 1] (sum 7); q = 1 + [0, 1, 4] = [1, 2, 5] (sum 8)
    p, q = np.array([4, 2, 1]) / 7, np.array([1, 2, 5]) / 8
    np.testing.assert_allclose(model.ratios_, [np.log(p / q)])


def test_single_class_raises_e107():
    with pytest.raises(ValueError, match="only one class"):
        NBSVM().fit(X_TINY, [1, 1, 1, 1])


def test_length_mismatch_is_reported():
    with pytest.raises(ValueError, match="4 documents but y has 3 labels"):
        NBSVM().fit(X_TINY, [1, 0, 1])


def test_negative_features_are_rejected():
    with pytest.raises(ValueError, match="Negative values"):
        NBSVM().fit(-X_TINY, Y_TINY)


def test_invalid_parameters_are_rejected_at_fit():
    model = NBSVM(beta=1.5)
    with pytest.raises(InvalidParameterError, match="beta"):
        model.fit(X_TINY, Y_TINY)
    with pytest.raises(InvalidParameterError, match="loss"):
        NBSVM(loss="hinge").fit(X_TINY, Y_TINY)


def test_not_fitted_error_before_fit():
    with pytest.raises(NotFittedError):
        NBSVM().predict(X_TINY)


def test_predict_proba_only_with_logistic_loss():
    svm = NBSVM().fit(X_TINY, Y_TINY)
    assert not hasattr(svm, "predict_proba")
    with pytest.raises(AttributeError):
        svm.predict_proba(X_TINY)
    X, y = _toy_counts(n_classes=3)
    for Xf, yf in ((X_TINY, Y_TINY), (X, y)):
        model = NBSVM(loss="logistic", random_state=0).fit(Xf, yf)
        proba = model.predict_proba(Xf)
        assert proba.shape == (Xf.shape[0], len(model.classes_))
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], model.predict(Xf))
        np.testing.assert_allclose(model.predict_log_proba(Xf), np.log(proba))


def test_grid_search_over_beta_in_a_pipeline():
    docs, y = _toy_docs()
    pipe = Pipeline([("count", CountVectors(binary=True)), ("nbsvm", NBSVM(random_state=0))])
    grid = GridSearchCV(pipe, {"nbsvm__beta": [0.0, 0.25, 1.0]}, cv=3).fit(docs, y)
    assert grid.best_params_["nbsvm__beta"] in (0.0, 0.25, 1.0)
    assert len(grid.cv_results_["mean_test_score"]) == 3
    assert grid.score(docs, y) > 0.9


def test_clone_and_pickle():
    X, y = _toy_counts()
    model = NBSVM(C=0.5, beta=0.3, loss="logistic", random_state=0).fit(X, y)
    fresh = clone(model)
    assert fresh.get_params() == model.get_params()
    assert not hasattr(fresh, "coef_")
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))


# -- toy data ------------------------------------------------------------------

def _toy_docs(n_docs=60, n_classes=2, seed=0):
    """Token lists whose words hint at their class, with shared filler words."""
    rng = np.random.default_rng(seed)
    cues = {k: [f"cue{k}_{i}" for i in range(6)] for k in range(n_classes)}
    filler = [f"filler{i}" for i in range(10)]
    docs, y = [], []
    for i in range(n_docs):
        k = i % n_classes
        doc = list(rng.choice(cues[k], size=3)) + list(rng.choice(filler, size=4))
        docs.append(doc)
        y.append(f"c{k}")
    return docs, np.array(y)


def _toy_counts(n_classes=2, seed=0):
    docs, y = _toy_docs(n_classes=n_classes, seed=seed)
    labels = y if n_classes > 2 else (y == "c1").astype(int)
    return CountVectors().fit_transform(docs), labels
