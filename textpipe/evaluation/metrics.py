"""Metrics by name, as YAML files and the CLI name them.

Each metric takes ``(y_true, y_pred)`` and returns a float. Labels seen at
test time but never in training are scored as ordinary mistakes (the model
cannot predict them); :func:`score` counts them so the run can warn.

Examples
--------
>>> score(["a", "b", "b"], ["a", "b", "a"], ["accuracy"])
{'accuracy': 0.6666666666666666}
"""

from __future__ import annotations

from functools import partial
from typing import Callable, Sequence

import numpy as np

METRICS: dict[str, str] = {
    "accuracy": "fraction of documents whose predicted label is right",
    "balanced_accuracy": "mean recall over classes (robust to class imbalance)",
    "macro_f1": "F1 per class, averaged with equal weight per class",
    "micro_f1": "F1 over all decisions (equals accuracy for single-label data)",
    "weighted_f1": "F1 per class, averaged weighted by class frequency",
    "macro_precision": "precision per class, averaged with equal weight",
    "macro_recall": "recall per class, averaged with equal weight",
    "roc_auc": "area under the ROC curve (binary; macro one-vs-rest for more classes)",
    "log_loss": "cross-entropy of the predicted probabilities (lower is better)",
    "average_precision": "area under the precision-recall curve (binary; macro for more classes)",
}

#: Metrics where a lower value is better (ranking puts the lowest first).
LOWER_IS_BETTER = frozenset({"log_loss"})

#: Metrics scored from class scores, not labels → the scores each accepts, preferred first.
SCORE_METRICS: dict[str, tuple[str, ...]] = {
    "roc_auc": ("predict_proba", "decision_function"),
    "log_loss": ("predict_proba",),
    "average_precision": ("predict_proba", "decision_function"),
}


def metric_function(name: str) -> Callable[[Sequence, Sequence], float]:
    """Return the scoring function for metric ``name`` (one of :data:`METRICS`)."""
    from sklearn import metrics as m

    table = {
        "accuracy": m.accuracy_score,
        "balanced_accuracy": m.balanced_accuracy_score,
        "macro_f1": partial(m.f1_score, average="macro", zero_division=0),
        "micro_f1": partial(m.f1_score, average="micro", zero_division=0),
        "weighted_f1": partial(m.f1_score, average="weighted", zero_division=0),
        "macro_precision": partial(m.precision_score, average="macro", zero_division=0),
        "macro_recall": partial(m.recall_score, average="macro", zero_division=0),
    }
    return table[name]


def class_scores(estimator, X):
    """``estimator``'s per-class scores of ``X``: probabilities, else decision scores, else None.

    Returns ``(scores, classes)``; a binary decision function's one column
    becomes two (``-s, s``), so column k always scores ``classes[k]``.
    """
    for method in ("predict_proba", "decision_function"):
        if hasattr(estimator, method):
            scores = np.asarray(getattr(estimator, method)(X), dtype=float)
            if scores.ndim == 1:
                scores = np.column_stack([-scores, scores])
            return scores, [str(c) for c in estimator.classes_]
    return None, None


def _one_vs_rest(function, y_true, scores, classes) -> float:
    """``function`` of each class against the rest, averaged over the classes present."""
    y_true = np.asarray(y_true, dtype=object).astype(str)
    if len(classes) == 2:
        return float(function(y_true == classes[1], scores[:, 1]))
    values = [function(y_true == c, scores[:, k]) for k, c in enumerate(classes)
              if 0 < np.sum(y_true == c) < len(y_true)]
    return float(np.mean(values)) if values else float("nan")


def score_metric(name: str, y_true: Sequence, scores, classes: Sequence[str]) -> float:
    """Metric ``name`` (one of :data:`SCORE_METRICS`) of per-class ``scores``.

    Examples
    --------
    >>> score_metric("roc_auc", ["a", "b", "b"], np.array([[.9, .1], [.2, .8], [.6, .4]]),
    ...              ["a", "b"])
    1.0
    """
    from sklearn import metrics as m

    if name == "log_loss":
        truth = np.asarray(y_true, dtype=object).astype(str)
        return float(m.log_loss(truth, scores, labels=list(classes)))
    function = m.roc_auc_score if name == "roc_auc" else m.average_precision_score
    return _one_vs_rest(function, y_true, scores, list(classes))


def score(y_true: Sequence, y_pred: Sequence, names: Sequence[str], *, class_scores=None,
          classes: Sequence[str] | None = None) -> dict[str, float]:
    """Compute each named metric of ``y_pred`` (or of ``class_scores``) against ``y_true``.

    ``class_scores`` (one column per class of ``classes``) is needed for the
    metrics of :data:`SCORE_METRICS`.
    """
    out = {}
    for name in names:
        if name in SCORE_METRICS:
            out[name] = score_metric(name, y_true, class_scores, classes)
        else:
            out[name] = float(metric_function(name)(y_true, y_pred))
    return out


def per_class_from_confusion(matrix, labels: Sequence[str],
                             names: dict[str, str] | None = None) -> list[dict]:
    """Precision, recall, F1 and support of each class, from a confusion matrix.

    ``matrix[i][j]`` counts documents of class ``labels[i]`` predicted as
    ``labels[j]``; a class never predicted (or never present) scores 0 there.

    Examples
    --------
    >>> per_class_from_confusion([[3, 1], [0, 4]], ["neg", "pos"])[1]["precision"]
    0.8
    """
    import numpy as np

    counts = np.asarray(matrix, dtype=float).reshape(len(labels), len(labels))
    right = np.diag(counts)
    predicted, present = counts.sum(axis=0), counts.sum(axis=1)
    rows = []
    for k, label in enumerate(labels):
        precision = right[k] / predicted[k] if predicted[k] else 0.0
        recall = right[k] / present[k] if present[k] else 0.0
        both = precision + recall
        rows.append({"label": str(label), "name": (names or {}).get(str(label), str(label)),
                     "precision": float(precision), "recall": float(recall),
                     "f1": float(2 * precision * recall / both) if both else 0.0,
                     "support": int(present[k])})
    return rows


def per_class(y_true: Sequence, y_pred: Sequence, labels: Sequence[str],
              names: dict[str, str] | None = None) -> list[dict]:
    """Precision, recall, F1 and support of each of ``labels`` (``names`` to display them).

    Examples
    --------
    >>> [row["recall"] for row in per_class(["a", "a", "b"], ["a", "b", "b"], ["a", "b"])]
    [0.5, 1.0]
    """
    from sklearn.metrics import confusion_matrix

    return per_class_from_confusion(confusion_matrix(y_true, y_pred, labels=list(labels)),
                                    labels, names)
