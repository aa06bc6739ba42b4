"""The results of a comparison: per pipeline and metric, scores with intervals and tests.

:func:`summarize` turns the runner's per-fold records into what the
leaderboard, the JSON and the report show, for each dataset:

- per pipeline and metric: mean, standard deviation over folds (``ddof=1``),
  a 95% confidence interval and the fold scores (see :mod:`.stats` for the
  intervals: Nadeau–Bengio corrected t over folds; on a single test split,
  Wilson's interval of accuracy and a seeded bootstrap over the test documents
  for other metrics, see :mod:`textpipe.evaluation.intervals`);
- a rank by the first metric of ``evaluation.metrics`` (ties by name), the gap
  to the best, and a paired test against the best: the corrected resampled
  t-test on that metric's fold scores for cross-validation, McNemar's test on
  right/wrong per test document for a single split (whatever the ranking
  metric: it tests per-document correctness, i.e. accuracy, even when
  ``macro_f1`` ranks the pipelines); the p-values are Holm-adjusted over the
  comparisons with the best (``p_holm``, the raw ``p_value`` kept), and a gap
  is significant when the adjusted p < ``report.alpha``;
- fit and predict seconds per fold (each step as if the pipeline ran alone),
  peak memory, and for linear models the features with the largest weights
  per class, averaged over folds;
- the confusion matrix of the best pipeline, over all test predictions;
- for grids, the effect of each choice against a reference value, and the
  pair of choices whose effects depend most on each other (:mod:`.effects`).
- with two datasets or more, every pipeline's rank on each, its average rank,
  the Friedman test and post-hoc tests across datasets (:mod:`.ranks`).

Examples
--------
>>> from textpipe.compare.experiment import load_experiment
>>> from textpipe.compare.runner import run_experiment
>>> from textpipe.data import Dataset
>>> exp = load_experiment({
...     "evaluation": {"method": "cv", "folds": 3, "metrics": ["accuracy"]},
...     "pipelines": [{"name": "nb", "steps": ["tokenize", "count", "multinomial_nb"]},
...                   {"name": "svm", "steps": ["tokenize", "count", "linear_svm"]}]})
>>> data = Dataset(["good fun", "great fun", "bad dull", "awful dull"] * 3,
...                ["pos", "pos", "neg", "neg"] * 3)
>>> results = summarize(exp, run_experiment(exp, [data]))
>>> board = results.datasets[0]
>>> [(p.rank, p.name, p.metrics["accuracy"]["mean"]) for p in board.pipelines]
[(1, 'nb', 1.0), (2, 'svm', 1.0)]
>>> board.pipelines[1].vs_best["p_value"], board.pipelines[1].vs_best["significant"]
(1.0, False)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from ..environment import library_versions, machine_facts
from ..evaluation.intervals import split_interval
from ..evaluation.metrics import LOWER_IS_BETTER, per_class_from_confusion
from .effects import factor_effects
from .explained import explain_errors
from .learning import summarize_curve
from .mistakes import analyse_errors
from .ranks import across_datasets
from .stats import corrected_resampled_ttest, cv_interval, holm, mcnemar_test

__all__ = ["DatasetResults", "ExperimentResults", "PipelineSummary", "summarize"]


@dataclass
class PipelineSummary:
    """One pipeline on one dataset."""

    name: str
    rank: int
    origin: str
    choices: dict
    steps: list
    metrics: dict
    ci_method: str
    vs_best: dict | None
    fit_seconds: float
    predict_seconds: float
    fit_seconds_per_step: dict
    peak_memory_mb: float
    top_features: dict | None = None
    cached: bool = False
    predictions: list = field(default=None, repr=False)  # per fold; not written to JSON
    ci_methods: dict = field(default_factory=dict, repr=False)  # per metric; in "protocol"

    def to_dict(self) -> dict:
        return {
            "rank": self.rank, "name": self.name, "origin": self.origin,
            "choices": self.choices, "steps": self.steps, "metrics": self.metrics,
            "ci_method": self.ci_method, "vs_best": self.vs_best,
            "fit_seconds_per_fold": self.fit_seconds,
            "predict_seconds_per_fold": self.predict_seconds,
            "fit_seconds_per_step": self.fit_seconds_per_step,
            "peak_memory_mb": self.peak_memory_mb,
            "top_features": self.top_features,
            "from_cache": self.cached,
        }


@dataclass
class DatasetResults:
    """The leaderboard of one dataset."""

    data: dict
    protocol: dict
    primary: str
    pipelines: list
    confusion: dict
    sharing: dict
    warnings: list
    per_class: list = field(default_factory=list)
    factor_effects: dict | None = None  # see textpipe.compare.effects
    error_analysis: dict | None = None  # see textpipe.compare.mistakes
    learning_curve: dict | None = None
    explained_errors: list = field(default_factory=list, repr=False)  # see .explained

    @property
    def name(self) -> str:
        return self.data["name"] or self.data["source"]

    @property
    def best(self) -> PipelineSummary:
        return self.pipelines[0]

    def to_dict(self) -> dict:
        return {
            "data": self.data, "protocol": self.protocol, "primary_metric": self.primary,
            "best": self.best.name,
            "pipelines": [p.to_dict() for p in self.pipelines],
            "confusion_matrix": self.confusion, "per_class": self.per_class,
            "sharing": self.sharing, "warnings": self.warnings,
            "factor_effects": self.factor_effects,
            "error_analysis": self.error_analysis,
            **({"learning_curve": self.learning_curve} if self.learning_curve else {}),
        }


@dataclass
class ExperimentResults:
    """Everything ``textpipe compare`` reports, ready for the terminal, JSON, CSV and HTML."""

    name: str
    description: str | None
    config: dict
    datasets: list
    environment: dict
    notes: list
    wall_seconds: float
    report: dict
    skipped: list = field(default_factory=list)  # of Skipped: optional pipelines left out
    across: object = None  # AcrossDatasets (ranks, Friedman, post-hoc) with 2+ datasets

    def to_dict(self) -> dict:
        """The document written as ``results.json``."""
        return {
            "experiment": self.name, "description": self.description,
            "datasets": [d.to_dict() for d in self.datasets],
            "config": self.config, "environment": self.environment,
            "notes": self.notes, "skipped": [s.to_dict() for s in self.skipped],
            "wall_seconds": self.wall_seconds,
            "across_datasets": None if self.across is None else self.across.to_dict(),
        }

    def csv_rows(self) -> list[dict]:
        """One row per dataset, pipeline and metric (``results.csv``)."""
        rows = []
        for data in self.datasets:
            for p in data.pipelines:
                for metric, m in p.metrics.items():
                    vs = p.vs_best or {}
                    rows.append({
                        "dataset": data.name, "rank": p.rank, "pipeline": p.name,
                        "metric": metric, "mean": m["mean"], "std": m["std"],
                        "ci_low": m["ci"][0] if m["ci"] else None,
                        "ci_high": m["ci"][1] if m["ci"] else None,
                        "folds": " ".join(f"{v:.6f}" for v in m["folds"]),
                        "delta_vs_best": m["mean"] - data.best.metrics[metric]["mean"],
                        "p_value_vs_best": vs.get("p_value") if metric == data.primary else None,
                        "significant": vs.get("significant") if metric == data.primary else None,
                        "p_holm_vs_best": vs.get("p_holm") if metric == data.primary else None,
                        "fit_seconds_per_fold": p.fit_seconds,
                        "predict_seconds_per_fold": p.predict_seconds,
                        "peak_memory_mb": p.peak_memory_mb,
                    })
        return rows


def _metric_summary(values, plan, folds, split, metric) -> tuple[dict, str]:
    """Mean, spread and interval of one metric; ``split`` is (truth, fold record, seed)."""
    values = [float(v) for v in values]
    if len(values) > 1:
        n_train = float(np.mean([len(f.train) for f in folds]))
        n_test = float(np.mean([len(f.test) for f in folds]))
        ci = list(cv_interval(values, n_train=n_train, n_test=n_test))
        method = f"t over {len(values)} folds, Nadeau-Bengio corrected"
        std = float(np.std(values, ddof=1))
    else:
        truth, record, seed = split
        interval = split_interval(metric, truth, record.predictions, seed=seed,
                                  class_scores=record.class_scores, classes=record.classes)
        ci, method, std = [interval.low, interval.high], interval.describe(), None
    return {"mean": float(np.mean(values)), "std": std, "ci": ci, "folds": values}, method


def _average_top_features(per_fold, n: int):
    folds = [f for f in per_fold if f]
    if not folds or n <= 0:
        return None
    out = {}
    for label in folds[0]:
        totals: dict[str, float] = {}
        for fold in folds:
            for feature, weight in fold.get(label, []):
                totals[feature] = totals.get(feature, 0.0) + weight
        ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        out[label] = [[feature, total / len(folds)] for feature, total in ranked]
    return out


def summarize(experiment, runs, *, backend: str = "in-process", n_jobs: int = 1):
    """Statistics, ranks and tests for every dataset of a run.

    Parameters
    ----------
    experiment : Experiment
    runs : list of DatasetRun
        From :func:`~textpipe.compare.runner.run_experiment`.
    backend : str, default="in-process"
        How the run was executed, recorded with the results.
    n_jobs : int, default=1

    Returns
    -------
    ExperimentResults
    """
    datasets = [_dataset_results(experiment, run) for run in runs]
    return ExperimentResults(
        name=experiment.title, description=experiment.description,
        config=experiment.to_dict(), datasets=datasets,
        environment={
            "versions": library_versions(), "machine": machine_facts(),
            "seed": experiment.evaluation.seed, "backend": backend, "n_jobs": n_jobs,
            "finished": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        },
        notes=list(experiment.notes),
        skipped=list(experiment.skipped),
        wall_seconds=max((r.wall_seconds for r in runs), default=0.0),
        report=experiment.report.model_dump(),
        across=across_datasets(datasets, alpha=experiment.report.alpha),
    )


def _dataset_results(experiment, run) -> DatasetResults:
    """The results on one dataset: every pipeline ranked, the protocol, the best's confusion."""
    from sklearn.metrics import confusion_matrix

    metrics = list(experiment.evaluation.metrics)
    alpha = experiment.report.alpha
    plan, folds = run.plan, run.plan.folds
    truth = [plan.labels[f.test] for f in folds]
    pipelines = [_pipeline_summary(candidate, [run.records[(p, f.index)] for f in folds],
                                   plan, truth, metrics, experiment.report.top_features,
                                   experiment.evaluation.seed)
                 for p, candidate in enumerate(experiment.candidates)]
    n_train = float(np.mean([len(f.train) for f in folds]))
    n_test = float(np.mean([len(f.test) for f in folds]))
    effects = factor_effects(pipelines, metrics[0], folds=len(folds), n_train=n_train,
                             n_test=n_test, reference=experiment.report.effects.reference)
    pipelines = _rank(pipelines, metrics[0], truth, alpha, n_train=n_train, n_test=n_test)
    best = pipelines[0]
    labels = sorted(set(plan.labels.tolist()), key=str)
    matrix = confusion_matrix(np.concatenate(truth), np.concatenate(best.predictions),
                              labels=labels)
    dataset = run.dataset
    results = DatasetResults(
        data={
            "name": dataset.name, "source": dataset.source,
            "fingerprint": dataset.fingerprint(),
            "n_train": len(dataset.texts),
            "n_test": len(dataset.test_texts or []) if plan.method == "split" else 0,
            "classes": [str(c) for c in labels],
            "label_names": dataset.label_names,
        },
        protocol={
            "method": plan.method, "description": plan.describe(), "folds": len(folds),
            "seed": experiment.evaluation.seed,
            "train_per_fold": n_train, "test_per_fold": n_test,
            "test": ("corrected resampled t-test (Nadeau & Bengio)" if len(folds) > 1
                     else "McNemar's test"),
            "alpha": alpha,
            # The same for every pipeline (each also gives its ci_method, as before).
            "interval_method": best.ci_method, "interval_methods": best.ci_methods,
        },
        primary=metrics[0], pipelines=pipelines,
        confusion={"labels": [str(c) for c in labels], "matrix": matrix.tolist(),
                   "pipeline": best.name},
        sharing=run.sharing(), warnings=list(run.warnings),
        per_class=per_class_from_confusion(matrix, [str(c) for c in labels],
                                           dataset.label_names),
        factor_effects=effects,
        learning_curve=summarize_curve(experiment, run, _metric_summary),
    )
    results.error_analysis = analyse_errors(experiment, run, pipelines, primary=metrics[0],
                                            protocol=results.protocol)
    results.explained_errors = explain_errors(experiment, run, results.error_analysis)
    return results


def _pipeline_summary(candidate, records, plan, truth, metrics, top_features,
                      seed: int = 0) -> PipelineSummary:
    """One pipeline's scores, timings and features over the folds ``records`` (not yet ranked)."""
    split = (truth[0], records[0], seed)
    summary, methods = {}, {}
    for metric in metrics:
        summary[metric], methods[metric] = _metric_summary(
            [r.scores[metric] for r in records], plan, plan.folds, split, metric)
    ci_method = methods[metrics[0]]
    steps = list(records[0].fit_seconds)
    return PipelineSummary(
        name=candidate.name, rank=0, origin=candidate.origin,
        choices=candidate.choices, steps=[s.stage for s in candidate.config.steps],
        metrics=summary, ci_method=ci_method, ci_methods=methods, vs_best=None,
        fit_seconds=float(np.mean([sum(r.fit_seconds.values()) for r in records])),
        predict_seconds=float(np.mean([sum(r.predict_seconds.values()) for r in records])),
        fit_seconds_per_step={s: float(np.mean([r.fit_seconds[s] for r in records]))
                              for s in steps},
        peak_memory_mb=round(max(r.peak_bytes for r in records) / 2**20, 1),
        top_features=_average_top_features([r.top_features for r in records], top_features),
        cached=all(r.cached for r in records),
        predictions=[r.predictions for r in records],
    )


def _rank(pipelines, primary, truth, alpha, *, n_train, n_test) -> list[PipelineSummary]:
    """The pipelines best first on ``primary``, each but the best tested against the best.

    "significant" is by the Holm-adjusted p over these comparisons (``p_holm``).
    """
    sign = 1 if primary in LOWER_IS_BETTER else -1
    ranked = sorted(pipelines, key=lambda s: (sign * s.metrics[primary]["mean"], s.name))
    best = ranked[0]
    result = [replace(best, rank=1)]
    for rank, summary in enumerate(ranked[1:], start=2):
        delta = summary.metrics[primary]["mean"] - best.metrics[primary]["mean"]
        if len(truth) > 1:
            test = corrected_resampled_ttest(
                summary.metrics[primary]["folds"], best.metrics[primary]["folds"],
                n_train=n_train, n_test=n_test)
            tested = primary
        else:
            test = mcnemar_test(summary.predictions[0] == truth[0],
                                best.predictions[0] == truth[0])
            tested = "right/wrong per test document"
        result.append(replace(summary, rank=rank, vs_best={
            **test.to_dict(), "on": tested, "delta": delta, "alpha": alpha}))
    for summary, p_holm in zip(result[1:], holm([s.vs_best["p_value"] for s in result[1:]])):
        summary.vs_best.update(p_holm=p_holm, significant=bool(p_holm < alpha),
                               adjustment=f"Holm over {len(result) - 1} comparisons")
    return result
