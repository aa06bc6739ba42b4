"""Evaluate a configured pipeline on a dataset: fit and score every fold.

Examples
--------
>>> from textpipe.config import load_config
>>> from textpipe.data import Dataset
>>> cfg = load_config({"steps": ["tokenize", "count", "multinomial_nb"],
...                    "evaluation": {"method": "cv", "folds": 2}})
>>> data = Dataset(texts=["good fun", "great fun", "bad dull", "awful dull"] * 3,
...                labels=["pos", "pos", "neg", "neg"] * 3)
>>> result = evaluate(cfg, data)
>>> result.summary()["accuracy"]["mean"]
1.0
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from time import perf_counter
from typing import Callable

import numpy as np

from ..environment import library_versions
from ..worker_warnings import (call_recording_warnings, carry_sklearn_config,
                               results_raising_warnings)
from .intervals import split_interval
from .metrics import SCORE_METRICS, class_scores, per_class_from_confusion, score
from .protocol import Plan, plan_evaluation
from .shared import SharedSteps, compute_shared, take
from .timing import fit_timed, predict_timed


@dataclass
class FoldResult:
    """Scores and timings of one fold."""

    index: int
    scores: dict[str, float]
    fit_seconds: dict[str, float]
    predict_seconds: dict[str, float]
    n_train: int
    n_test: int
    unseen_test_labels: int = 0
    confusion: list = field(default_factory=list)
    intervals: dict[str, list] = field(default_factory=dict)
    interval_methods: dict[str, str] = field(default_factory=dict)


@dataclass
class EvaluationResult:
    """Everything one evaluation produced, ready for display or JSON."""

    method: str
    description: str
    metrics: list[str]
    folds: list[FoldResult]
    config: dict
    data: dict
    wall_seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    shared_seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, dict]:
        """Per metric: mean, std (population, over folds) and the fold scores.

        With a single split there is no spread over folds: ``std`` is None and
        ``ci``/``ci_method`` give the score's 95% interval over the test documents
        (see :mod:`textpipe.evaluation.intervals`).
        """
        out = {}
        for name in self.metrics:
            values = [f.scores[name] for f in self.folds]
            if len(self.folds) == 1:
                out[name] = {"mean": float(values[0]), "std": None,
                             "ci": self.folds[0].intervals[name],
                             "ci_method": self.folds[0].interval_methods[name],
                             "folds": values}
                continue
            out[name] = {
                "mean": float(np.mean(values)),
                "std": float(np.std(values)),
                "folds": values,
            }
        return out

    def per_class(self) -> list[dict]:
        """Precision, recall, F1 and support per class, over every fold's test documents."""
        labels = self.data["classes"]
        matrix = np.sum([np.asarray(f.confusion) for f in self.folds], axis=0)
        return per_class_from_confusion(matrix, labels, self.data.get("label_names"))

    def timing(self) -> dict[str, object]:
        """Mean seconds per fold for fitting and predicting, per step and in total.

        Leading steps that learn nothing from the training data run once over all
        documents (``computed_once_seconds``); each fold is credited with an equal
        share of that pass, split between fitting and predicting in proportion to
        its training and test documents.
        """
        steps = list(self.folds[0].fit_seconds)

        def mean_of(attr):
            return {s: float(np.mean([getattr(f, attr).get(s, 0.0) for f in self.folds]))
                    for s in steps}

        fit, predict = mean_of("fit_seconds"), mean_of("predict_seconds")
        return {
            "fit_seconds_per_fold": fit,
            "predict_seconds_per_fold": predict,
            "fit_total_per_fold": sum(fit.values()),
            "predict_total_per_fold": sum(predict.values()),
            "wall_seconds": self.wall_seconds,
            "computed_once_seconds": dict(self.shared_seconds),
        }

    def to_dict(self) -> dict:
        """The JSON document ``textpipe run --json`` writes."""
        return {
            "metrics": self.summary(),
            "per_class": self.per_class(),
            "timing": self.timing(),
            "protocol": {"method": self.method, "description": self.description,
                         "folds": len(self.folds)},
            "data": self.data,
            "config": self.config,
            "versions": library_versions(),
            "warnings": self.warnings,
        }


def _class_scores(pipeline, X):
    """The fitted ``pipeline``'s per-class scores of ``X`` (see :func:`.metrics.class_scores`)."""
    Xt = pipeline[:-1].transform(X) if len(pipeline) > 1 else X
    return class_scores(pipeline[-1], Xt)


def _run_fold(config, plan: Plan, fold, metrics, shared: SharedSteps | None = None
              ) -> FoldResult:
    """Fit on the fold's training documents and score its test documents.

    With ``shared``, the leading steps' output over all documents is given: the
    fold takes its rows from it and fits the remaining steps only.
    """
    pipeline = config.build()
    source = plan.texts if shared is None else shared.output
    X_train, X_test = take(source, fold.train), take(source, fold.test)
    y_train, y_test = plan.labels[fold.train], plan.labels[fold.test]
    fit_seconds, predict_seconds = {}, {}
    if shared is not None:
        pipeline = pipeline[shared.n_steps:]
        fit_seconds, predict_seconds = shared.share(fold.train), shared.share(fold.test)
    fit_seconds.update(fit_timed(pipeline, X_train, y_train))
    predictions, seconds = predict_timed(pipeline, X_test)
    predict_seconds.update(seconds)
    unseen = int(np.sum(~np.isin(y_test, np.unique(y_train))))
    scores, classes = (_class_scores(pipeline, X_test) if set(metrics) & set(SCORE_METRICS)
                       else (None, None))
    result = FoldResult(fold.index, score(y_test, predictions, metrics, class_scores=scores,
                                          classes=classes),
                        fit_seconds, predict_seconds, len(fold.train), len(fold.test), unseen)
    from sklearn.metrics import confusion_matrix  # sklearn loads only when evaluating

    classes = sorted(set(plan.labels.tolist()), key=str)
    result.confusion = confusion_matrix(y_test, predictions, labels=classes).tolist()
    if len(plan.folds) == 1:
        for name in metrics:
            interval = split_interval(name, y_test, predictions, seed=config.evaluation.seed,
                                      class_scores=scores, classes=classes)
            result.intervals[name] = [interval.low, interval.high]
            result.interval_methods[name] = interval.describe()
    return result


def evaluate(config, dataset, *, n_jobs: int | None = None,
             on_progress: Callable[[int, int], None] | None = None) -> EvaluationResult:
    """Fit and score ``config``'s pipeline on every fold of its evaluation protocol.

    Parameters
    ----------
    config : PipelineConfig
        A resolved configuration (see :func:`textpipe.load_config`).
    dataset : Dataset
        Texts and labels, and the test part if the protocol is ``split``.
    n_jobs : int, optional
        Folds fitted in parallel; defaults to ``config.evaluation.n_jobs``.
    on_progress : callable, optional
        Called as ``on_progress(folds_done, folds_total)`` once the folds are
        planned and after each fold (for progress bars).

    Returns
    -------
    EvaluationResult
    """
    evaluation = config.evaluation
    plan = plan_evaluation(dataset, evaluation)
    metrics = list(evaluation.metrics)
    n_jobs = evaluation.n_jobs if n_jobs is None else n_jobs
    report = on_progress or (lambda done, total: None)
    report(0, len(plan.folds))
    start = perf_counter()
    # Steps that learn nothing run once here, before the folds (and their workers) start.
    shared = (compute_shared(config.build(), plan.texts, len(plan.folds))
              if len(plan.folds) > 1 else None)
    if n_jobs == 1 or len(plan.folds) == 1:
        results = (_run_fold(config, plan, fold, metrics, shared) for fold in plan.folds)
    else:
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=n_jobs, return_as="generator")
        results = results_raising_warnings(parallel(
            delayed(carry_sklearn_config(call_recording_warnings))(
                _run_fold, config, plan, f, metrics, shared)
            for f in plan.folds))
    folds = []
    for result in results:
        folds.append(result)
        report(len(folds), len(plan.folds))
    wall = perf_counter() - start

    notes = []
    unseen = sum(f.unseen_test_labels for f in folds)
    if unseen:
        notes.append(
            f"{unseen} test document(s) have a label never seen in training; they count as "
            f"errors, since no model can predict a label it has not seen."
        )
        warnings.warn(notes[-1], stacklevel=2)

    resolved = config.to_dict()
    resolved["evaluation"]["method"] = plan.method
    classes = sorted(set(plan.labels.tolist()), key=str)
    return EvaluationResult(
        method=plan.method,
        description=plan.describe(),
        metrics=metrics,
        folds=folds,
        config=resolved,
        data={
            "name": dataset.name,
            "source": dataset.source,
            "fingerprint": dataset.fingerprint(),
            "n_train": len(dataset.texts),
            "n_test": len(dataset.test_texts or []) if plan.method == "split" else 0,
            "classes": [str(c) for c in classes],
            "label_names": dataset.label_names,
        },
        wall_seconds=wall,
        warnings=notes,
        shared_seconds=dict(shared.seconds) if shared is not None else {},
    )
