"""Evaluation protocols: which documents train and which test, in each fold.

Every protocol is expressed the same way: one list of documents (the training
part followed by the test part, if the data has one) and a list of
:class:`Fold` index pairs into it. Comparing pipelines on identical folds is
then a matter of sharing one :class:`Plan`.

Examples
--------
>>> from textpipe.data import Dataset
>>> from textpipe.config import EvaluationConfig
>>> data = Dataset(texts=["a", "b", "c", "d"], labels=["x", "y", "x", "y"])
>>> plan = plan_evaluation(data, EvaluationConfig(method="cv", folds=2))
>>> plan.method, len(plan.folds), sorted(len(f.test) for f in plan.folds)
('cv', 2, [2, 2])
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data.readers import _excerpt
from ..errors import DataError, Errors


@dataclass(frozen=True)
class Fold:
    """Index arrays of the training and test documents of one fold."""

    index: int
    train: np.ndarray
    test: np.ndarray


@dataclass
class Plan:
    """All documents and the folds over them."""

    method: str
    texts: list[str]
    labels: np.ndarray
    folds: list[Fold]

    def describe(self) -> str:
        """A short human description, e.g. ``'10-fold stratified CV'``."""
        n = len(self.folds)
        return {
            "cv": f"{n}-fold stratified cross-validation",
            "split": "the data's own train/test split",
            "holdout": "a stratified holdout split",
        }[self.method]


def plan_evaluation(dataset, evaluation) -> Plan:
    """Build the folds of ``evaluation`` (an EvaluationConfig) over ``dataset``.

    Raises
    ------
    DataError
        If a protocol cannot apply: ``split`` on data without a test part,
        fewer examples per class than folds (naming the class and its first
        document), or a single class.
    """
    method = evaluation.method
    if method == "auto":
        method = "split" if dataset.has_test_split else "cv"

    if method == "split":
        if not dataset.has_test_split:
            raise DataError(Errors.E905)
        texts = list(dataset.texts) + list(dataset.test_texts)
        labels = np.asarray(list(dataset.labels) + list(dataset.test_labels), dtype=object)
        n_train = len(dataset.texts)
        folds = [Fold(0, np.arange(n_train), np.arange(n_train, len(texts)))]
        _check_classes(labels[:n_train])
        return Plan(method, texts, labels, folds)

    texts = list(dataset.texts)
    labels = np.asarray(dataset.labels, dtype=object)
    _check_classes(labels)
    from sklearn.model_selection import StratifiedKFold, train_test_split

    label, count, first = _rarest_class(labels)
    where = {"file": dataset.source} if dataset.source and Path(dataset.source).exists() else {}
    shown = {"label": repr(label), "count": count,
             "first": Errors.E902.format(number=first + 1, excerpt=_excerpt(texts[first]))}
    if method == "cv":
        if count < evaluation.folds:
            raise DataError(Errors.E900.format(folds=evaluation.folds, **shown), **where)
        splitter = StratifiedKFold(evaluation.folds, shuffle=True, random_state=evaluation.seed)
        folds = [Fold(i, tr, te) for i, (tr, te) in enumerate(splitter.split(texts, labels))]
    else:
        if count < 2:
            raise DataError(Errors.E901.format(**shown), **where)
        index = np.arange(len(texts))
        try:
            train, test = train_test_split(index, test_size=evaluation.test_size,
                                           random_state=evaluation.seed, stratify=labels)
        except ValueError as exc:
            raise DataError(Errors.E906.format(reason=exc)) from None
        folds = [Fold(0, np.sort(train), np.sort(test))]
    return Plan(method, texts, labels, folds)


def _rarest_class(labels: np.ndarray) -> tuple[str, int, int]:
    """The class with the fewest documents (the first seen, on a tie), its count, its first index.

    Examples
    --------
    >>> _rarest_class(np.asarray(["a", "\\u200b", "a", "b", "b"], dtype=object))
    ('\\u200b', 1, 1)
    """
    values = labels.tolist()
    counts = Counter(values)
    label = min(counts, key=counts.__getitem__)
    return label, counts[label], values.index(label)


def _check_classes(labels: np.ndarray) -> None:
    classes = set(labels.tolist())
    if len(classes) < 2:
        label = next(iter(classes)) if classes else None
        raise DataError(Errors.E107.format(label=label))
