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

METRICS: dict[str, str] = {
    "accuracy": "fraction of documents whose predicted label is right",
    "balanced_accuracy": "mean recall over classes (robust to class imbalance)",
    "macro_f1": "F1 per class, averaged with equal weight per class",
    "micro_f1": "F1 over all decisions (equals accuracy for single-label data)",
    "weighted_f1": "F1 per class, averaged weighted by class frequency",
    "macro_precision": "precision per class, averaged with equal weight",
    "macro_recall": "recall per class, averaged with equal weight",
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


def score(y_true: Sequence, y_pred: Sequence, names: Sequence[str]) -> dict[str, float]:
    """Compute each named metric of ``y_pred`` against ``y_true``."""
    return {name: float(metric_function(name)(y_true, y_pred)) for name in names}


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
