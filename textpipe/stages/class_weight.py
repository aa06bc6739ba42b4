"""Class weights for classifier stages: ``None``, ``"balanced"`` or a dict label → weight.

``"balanced"`` weighs each class by ``n_documents / (n_classes * n_documents_of_class)``
(scikit-learn's rule), so every class counts as much in training as the others. A dict
gives some labels their own weight; labels it leaves out weigh 1. A stage passes the
weights to its loss (the neural classifiers) or as sample weights to its fit.

Examples
--------
>>> import numpy as np
>>> class_weights("balanced", np.array(["a", "b"]), np.array([0, 0, 0, 1]), "logreg").tolist()
[0.6666666666666666, 2.0]
>>> class_weights({"b": 3}, np.array(["a", "b"]), np.array([0, 1]), "cnn").tolist()
[1.0, 3.0]
>>> class_weights(None, np.array(["a", "b"]), np.array([0, 1]), "cnn") is None
True
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from ..errors import ConfigError, Errors, quoted_list
from ..sklearn_compat import StrOptions

#: The ``_parameter_constraints`` entry of a ``class_weight`` parameter.
CLASS_WEIGHT_CONSTRAINT = [StrOptions({"balanced"}), dict, None]

CLASS_WEIGHT_DOC = (
    "None (every class weighs 1), 'balanced' (each class weighs inversely to its "
    "frequency) or a mapping label → weight (labels left out weigh 1)."
)

def class_weights(class_weight, classes: np.ndarray, y_index: np.ndarray,
                  stage: str) -> np.ndarray | None:
    """The weight of each class in ``classes`` order, or None when every class weighs 1.

    Parameters
    ----------
    class_weight : None, "balanced" or dict
        The stage's ``class_weight`` parameter. A dict's keys are matched against the
        labels as written (a YAML key ``1`` or ``"1"`` both name the label ``1``).
    classes : ndarray
        The sorted class labels (``classes_``).
    y_index : ndarray of int
        Each training document's position in ``classes``.
    stage : str
        The stage's name, for the message when a dict names no known label.

    Returns
    -------
    ndarray of float of shape (n_classes,) or None
    """
    if class_weight is None:
        return None
    if isinstance(class_weight, str):  # "balanced"
        counts = np.bincount(y_index, minlength=len(classes)).astype(float)
        return len(y_index) / (len(classes) * np.maximum(counts, 1.0))
    by_name = {str(label): i for i, label in enumerate(classes)}
    weights = np.ones(len(classes))
    unknown = [key for key in class_weight if str(key) not in by_name]
    if unknown:
        raise ConfigError(Errors.E760.format(stage=stage, unknown=quoted_list(unknown),
                                             labels=quoted_list(classes.tolist())))
    for key, weight in class_weight.items():
        if not isinstance(weight, Real) or isinstance(weight, bool) or weight < 0:
            raise ConfigError(Errors.E761.format(stage=stage, label=key, weight=weight))
        weights[by_name[str(key)]] = float(weight)
    return weights

def sample_weights(class_weight, y, sample_weight, stage: str) -> np.ndarray | None:
    """Per-document weights: each document's class weight times ``sample_weight``.

    Returns ``sample_weight`` unchanged when ``class_weight`` is None.

    Examples
    --------
    >>> sample_weights("balanced", ["a", "a", "a", "b"], None, "mlp").tolist()
    [0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 2.0]
    """
    if class_weight is None:
        return sample_weight
    classes, y_index = np.unique(np.asarray(y), return_inverse=True)
    per_doc = class_weights(class_weight, classes, y_index, stage)[y_index]
    if sample_weight is not None:
        per_doc = per_doc * np.asarray(sample_weight, dtype=float)
    return per_doc
