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
