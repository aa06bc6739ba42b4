"""Run every pipeline of an experiment on every fold, fitting shared prefixes once.

The pipelines form a :class:`~textpipe.compare.tree.PrefixTree`. For each
fold, the tree is walked depth first: a step is fitted on the fold's training
documents (``fit_transform``, as ``Pipeline.fit`` does) and applied to its test
documents, and its outputs feed every step below it; a classifier is fitted and
predicts the test documents. So each distinct prefix is fitted once per fold,
however many pipelines begin with it, and a grid over classifiers never
re-tokenizes. Steps that learn nothing from the training documents (a frozen
pretrained encoder, a fixed normalisation; see
:mod:`textpipe.evaluation.shared`), when only such steps precede them, are
computed once per dataset, on all its documents, before any job starts: each
fold takes its rows, so a 10-fold comparison of encoders encodes the data once.

Work is cut into jobs: one per (dataset, fold), walking the whole tree. When
there are fewer folds than workers (a single train/test split, say), the
shared trunk of the tree is fitted first and its branches become jobs of their
own. Jobs run in this process (``n_jobs=1``), with joblib, or on a Dask
cluster; each step's result depends only on its input, stage and parameters,
so the numbers are the same whichever way it runs.

Per step and fold the runner records the seconds to fit (on the training
documents) and to apply (to the test documents), and its peak memory: the
largest rise of the process's resident memory (RSS) above its level when the
step began (the kernel's high-water mark on Linux, after handing memory
freed earlier back to the system; sampled every 20 ms elsewhere, and
wherever several jobs may run as threads of one process, since resetting the
high-water mark there would erase the other jobs' peaks). A pipeline's time
is the sum over its steps (what it would cost alone); its peak memory is the
largest over its steps and folds. It is what a step needed beyond what the
process already held (its input, for one); with several jobs as threads of
one process (a threaded Dask worker), a step's peak also counts what the
others allocated meanwhile.

Examples
--------
>>> from textpipe.compare.experiment import load_experiment
>>> from textpipe.data import Dataset
>>> exp = load_experiment({
...     "evaluation": {"method": "cv", "folds": 2},
...     "grid": {"base": ["tokenize", "count", "multinomial_nb"],
...              "params": {"multinomial_nb.alpha": [0.5, 1.0]}}})
>>> data = Dataset(["good fun", "great fun", "bad dull", "awful dull"] * 3,
...                ["pos", "pos", "neg", "neg"] * 3)
>>> run = run_experiment(exp, [data])[0]
>>> run.records[(1, 0)].scores
{'accuracy': 1.0, 'macro_f1': 1.0}
>>> sorted(set(run.fit_counts.values()))   # each step fitted once per fold
[1]
>>> run.sharing()   # tokenize learns nothing: once over all documents; count 2x, each NB 2x
{'steps_fitted': 7, 'steps_without_sharing': 12, 'cache_hits': 0}
"""

from __future__ import annotations

import sys
import threading
import warnings
from collections import Counter
from dataclasses import dataclass, field
from numbers import Integral
from time import perf_counter
from typing import Any, Callable

import numpy as np

from ..errors import Errors, MissingResourceError, UsageError
from ..evaluation import plan_evaluation
from ..evaluation.metrics import SCORE_METRICS, class_scores, score
from ..evaluation.shared import take
from ..registry import FEATURES
from ..worker_warnings import carry_sklearn_config
from .cache import StepCache, fold_context
from .learning import detach, plan_curve
from .mistakes import predicted_confidence, wants_confidence
from .tree import Node, PrefixTree

__all__ = ["DatasetRun", "FoldRecord", "check_options", "run_experiment"]


# -- what a run produces ---------------------------------------------------------------


@dataclass
class FoldRecord:
    """One pipeline on one fold.

    Attributes
    ----------
    scores : dict
        Metric name → score on the fold's test documents.
    fit_seconds, predict_seconds : dict
        Step name → seconds, as if the pipeline ran alone (a shared step's time
        counts for every pipeline that has it).
    peak_bytes : int
        The largest rise in resident memory while one of its steps was fitted.
    predictions : ndarray
        Predicted labels of the fold's test documents, in the plan's order.
    top_features : dict or None
        For linear models over named features: class → [(feature, weight)].
    cached : bool
        Whether every step came from the on-disk cache.
    class_scores, classes : ndarray and list, or None
        Per-class probabilities (or decision scores) of the test documents, one
        column per class of ``classes``, where a metric needs them (``roc_auc``, ...).
    confidence, confidence_kind : ndarray and str, or None
        Each test document's probability (``"probability"``) or decision score
        (``"decision score"``) for its predicted label, where the report's error
        analysis wants them and the classifier gives scores.
    """

    scores: dict
    fit_seconds: dict
    predict_seconds: dict
    peak_bytes: int
    predictions: np.ndarray
    top_features: dict | None = None
    cached: bool = False
    class_scores: np.ndarray | None = None
    classes: list | None = None
    confidence: np.ndarray | None = None
    confidence_kind: str | None = None


@dataclass
class DatasetRun:
    """Everything a run produced on one dataset.

    Attributes
    ----------
    dataset : Dataset
    plan : Plan
        The folds; the same for every pipeline.
    tree : PrefixTree
    records : dict
        ``(pipeline index, fold index)`` → :class:`FoldRecord`.
    fit_counts : Counter
        ``(prefix key, fold index)`` → times that step was fitted (1 when
        shared as it should be; 0 entries are absent).
    cache_hits : Counter
        ``(prefix key, fold index)`` → times it came from the on-disk cache.
    shared_fits : Counter
        ``prefix key`` → times a step that learns nothing from the training data
        was fitted and applied to all documents at once, for every fold (see
        :mod:`textpipe.evaluation.shared`); such a step appears in neither
        counter above. A cache hit for it counts in ``cache_hits`` under fold -1.
    warnings : list of str
        Warnings raised while fitting (e.g. a solver that did not converge).
    wall_seconds : float
    """

    dataset: Any
    plan: Any
    tree: PrefixTree
    records: dict = field(default_factory=dict)
    fit_counts: Counter = field(default_factory=Counter)
    cache_hits: Counter = field(default_factory=Counter)
    shared_fits: Counter = field(default_factory=Counter)
    warnings: list = field(default_factory=list)
    wall_seconds: float = 0.0
    curve: Any = None  # learning.CurvePlan: the learning curve's subsets and their records

    def sharing(self) -> dict:
        """Steps fitted, steps that would be fitted without sharing, cache hits."""
        n_folds = len(self.plan.folds) + (self.curve.n_extra if self.curve else 0)
        return {
            "steps_fitted": int(sum(self.fit_counts.values()) + sum(self.shared_fits.values())),
            "steps_without_sharing": self.tree.n_unshared_steps * n_folds,
            "cache_hits": int(sum(self.cache_hits.values())),
        }


# -- jobs --------------------------------------------------------------------------------


@dataclass
class _Job:
    """Walk the subtrees ``start`` on one fold, from inputs ``train``/``test``."""

    dataset: int
    fold: int
    start: list
    train: Any
    test: Any
    y_train: np.ndarray
    y_test: np.ndarray
    metrics: list
    context: str
    names: Any = None  # feature names of the inputs, if any
    stop: str | None = None  # a trunk job returns this node's outputs
    cache: StepCache | None = None
    top_features: int = 0
    meter: bool = True
    shared: dict = field(default_factory=dict)  # prefix key → _Shared, for every fold
    train_index: Any = None  # the fold's documents, to take rows of shared outputs
    test_index: Any = None
    confidence: bool = False  # keep each test document's score for its predicted label

    @property
    def n_leaves(self) -> int:
        if self.stop is not None:
            return 0
        return sum(node.n_pipeline_leaves() for node in self.start)


@dataclass
class _Result:
    dataset: int
    fold: int
    nodes: dict = field(default_factory=dict)   # key → (fit s, apply s, peak, cached)
    leaves: dict = field(default_factory=dict)  # key → leaf entry
    trunk: tuple | None = None                   # (train, test, names) at job.stop
    shared: set = field(default_factory=set)     # keys of nodes computed once for all folds
    warnings: list = field(default_factory=list)


@dataclass
class _Shared:
    """A step that learns nothing, fitted once and applied to all documents of a plan."""

    output: Any
    names: Any
    seconds: float
    peak: int
    n_documents: int
    n_folds: int
    cached: bool

    def entry(self, train_index, test_index) -> dict:
        """The fold's rows, as a fitted node's entry.

        Its seconds are an equal share of the pass per fold, split between fitting
        and applying in proportion to the fold's training and test documents.
        """
        part = self.seconds / max(self.n_documents, 1) / max(self.n_folds, 1)
        return {"train": take(self.output, train_index), "test": take(self.output, test_index),
                "names": self.names, "fit": part * len(train_index),
                "apply": part * len(test_index), "peak": self.peak}


def _threads_share_process() -> bool:
    """Whether other jobs may run in this process at the same time, as threads.

    True on a Dask worker with more than one thread, and in any thread but
    the main one (a thread pool); joblib's worker processes and a run in this
    process run one job at a time in their main thread.
    """
    distributed = sys.modules.get("distributed")  # a Dask worker has imported it
    try:
        worker = distributed.get_worker()
    except (AttributeError, ValueError):  # not on a Dask worker
        return threading.current_thread() is not threading.main_thread()
    return getattr(getattr(worker, "state", worker), "nthreads", 2) > 1


class _PeakRSS:
    """The largest rise of this process's resident memory while a step runs.

    On Linux the kernel keeps the high-water mark of resident memory
    (``VmHWM`` in ``/proc/self/status``) and lets a process reset it (writing
    ``5`` to ``/proc/self/clear_refs``), which costs nothing while the step
    runs; with glibc, memory freed by earlier steps is first handed back to
    the system (``malloc_trim``), so that a step's peak does not depend on
    what ran before it in the process. The mark is the whole process's, so
    where other jobs may run in it as threads (``shared``), and on other
    systems, a thread samples the resident size every 20 ms instead.

    Parameters
    ----------
    enabled : bool, default=True
    interval : float, default=0.02
        Seconds between samples.
    shared : bool, optional
        Whether jobs may run concurrently in this process; found out
        (:func:`_threads_share_process`) when not given.
    """

    _STATUS = "/proc/self/status"
    _CLEAR = "/proc/self/clear_refs"

    def __init__(self, enabled: bool = True, interval: float = 0.02, shared: bool | None = None):
        self.enabled, self.interval = enabled, interval
        if enabled and shared is None:
            shared = _threads_share_process()
        self.kernel = enabled and not shared and self._kernel_available()
        self._trim = self._malloc_trim() if self.kernel else None
        self._peak = self._base = 0
        self._stop = threading.Event()
        self._thread = None

    @classmethod
    def _kernel_available(cls) -> bool:
        try:
            with open(cls._CLEAR, "w") as handle:
                handle.write("5")
            return set(cls._status()) == {"VmRSS", "VmHWM"}
        except OSError:
            return False

    @staticmethod
    def _malloc_trim():
        try:
            import ctypes

            return ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            return None

    @classmethod
    def _status(cls) -> dict:
        out = {}
        with open(cls._STATUS) as handle:
            for line in handle:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    name, value = line.split(":")
                    out[name] = int(value.split()[0]) * 1024
        return out

    def _rss(self) -> int:
        return self._process.memory_info().rss

    def __enter__(self):
        if self.enabled and not self.kernel:
            import psutil

            self._process = psutil.Process()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(self.interval):
            rss = self._rss()
            if rss > self._peak:
                self._peak = rss

    def __exit__(self, *exc):
        if self._thread is not None:
            self._stop.set()
            self._thread.join()

    def begin(self) -> None:
        """Start measuring a step: the current resident size is the baseline."""
        if not self.enabled:
            return
        if self.kernel:
            if self._trim is not None:
                self._trim(0)
            with open(self._CLEAR, "w") as handle:
                handle.write("5")
            self._base = self._status()["VmRSS"]
        else:
            self._base = self._peak = self._rss()

    def peak(self) -> int:
        """Largest rise above the level at :meth:`begin`, in bytes."""
        if not self.enabled:
            return 0
        top = self._status()["VmHWM"] if self.kernel else max(self._peak, self._rss())
        return max(0, top - self._base)


def _feature_names(estimator):
    """Names of the features a fitted vectorizer produces, or None."""
    if not hasattr(estimator, "vocabulary_") or not hasattr(estimator, "get_feature_names_out"):
        return None
    return np.asarray(estimator.get_feature_names_out(), dtype=object)


def _top_features(classifier, names, n: int):
    """Per class, the ``5 * n`` features with the largest weights for it."""
    coef = getattr(classifier, "coef_", None)
    classes = getattr(classifier, "classes_", None)
    if n <= 0 or coef is None or classes is None or names is None:
        return None
    coef = coef.toarray() if hasattr(coef, "toarray") else np.asarray(coef)
    if coef.ndim != 2 or coef.shape[1] != len(names):
        return None
    keep = min(5 * n, len(names))
    rows = ([(classes[1], coef[0]), (classes[0], -coef[0])] if coef.shape[0] == 1
            else list(zip(classes, coef)))
    out = {}
    for label, row in rows:
        order = np.lexsort((names, -row))[:keep]  # by weight, ties by name
        out[str(label)] = [(str(names[i]), float(row[i])) for i in order]
    return out


def _short_warning(w) -> str:
    text = str(w.message).strip().splitlines()[0] if str(w.message).strip() else ""
    return f"{w.category.__name__}: {text[:200]}"


def run_job(job: _Job, on_leaf: Callable[[int], None] | None = None) -> _Result:
    """Fit and apply every node below ``job.start`` on one fold (module-level for pickling)."""
    result = _Result(job.dataset, job.fold)
    with _PeakRSS(job.meter) as meter, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for node in job.start:
            _visit(job, node, job.train, job.test, job.names, meter, result, on_leaf)
    result.warnings = sorted({_short_warning(w) for w in caught})
    return result


def _visit(job: _Job, node: Node, train, test, names, meter, result: _Result,
           on_leaf: Callable[[int], None] | None) -> None:
    """Fit (or take from the cache) ``node`` and the nodes below it; record them in ``result``.

    ``result`` is the fold's accumulator: a leaf adds its predictions and scores, every
    node its timings, and ``job.stop`` the trunk's outputs.
    """
    shared = job.shared.get(node.key)
    if shared is not None:
        entry, cached = shared.entry(job.train_index, job.test_index), shared.cached
        result.shared.add(node.key)
    else:
        wants = _wants_scores(job)
        key = StepCache.key(job.context, node.key, f"top={job.top_features}"
                            + (";class_scores" if wants else "")
                            + (";confidence" if job.confidence else "") if node.is_leaf else "")
        entry = job.cache.get(key) if job.cache is not None else None
        cached = entry is not None
    if entry is None:
        entry = (_fit_leaf(node.step, train, test, job.y_train, meter, names, job.top_features,
                           _wants_scores(job), job.confidence)
                 if node.is_leaf else _fit_node(node.step, train, test, job.y_train, meter))
        if job.cache is not None:
            job.cache.put(key, entry)
    if node.is_leaf:
        entry = dict(entry, cached=cached,
                     scores=score(job.y_test, entry["predictions"], job.metrics,
                                  class_scores=entry.get("class_scores"),
                                  classes=entry.get("classes")))
        result.leaves[node.key] = entry
    result.nodes[node.key] = (entry["fit"], entry["apply"], entry["peak"], cached)
    if node.is_leaf:
        if on_leaf is not None:
            on_leaf(len(node.pipelines))
        return
    if node.key == job.stop:
        result.trunk = (entry["train"], entry["test"], entry["names"])
        return
    for child in node.children:
        _visit(job, child, entry["train"], entry["test"], entry["names"], meter, result,
               on_leaf)


def _wants_scores(job) -> bool:
    """Whether a metric of the run needs per-class scores (probabilities or decisions)."""
    return bool(set(job.metrics) & set(SCORE_METRICS))


def _fit_leaf(step, train, test, y_train, meter, names, top_features: int,
              with_scores: bool = False, with_confidence: bool = False) -> dict:
    """Fit a pipeline's last step and predict: predictions, seconds, peak memory, top features.

    ``with_scores`` adds the test documents' per-class scores (``class_scores``, ``classes``);
    ``with_confidence`` their scores for the predicted labels (``confidence``, and
    ``confidence_kind``), from the same fitted classifier.
    """
    estimator = step.create()
    meter.begin()
    start = perf_counter()
    estimator.fit(train, y_train)
    fitted = perf_counter()
    predictions = np.asarray(estimator.predict(test), dtype=object)
    applied, peak = perf_counter(), meter.peak()
    scores = class_scores(estimator, test) if with_scores or with_confidence else (None, None)
    kind = "probability" if hasattr(estimator, "predict_proba") else "decision score"
    return {
        "predictions": predictions,
        "fit": fitted - start,
        "apply": applied - fitted,
        "peak": peak,
        "top": _top_features(estimator, names, top_features),
        **(dict(zip(("class_scores", "classes"), scores)) if with_scores else {}),
        **({"confidence": predicted_confidence(*scores, predictions),
            "confidence_kind": kind if scores[0] is not None else None}
           if with_confidence else {}),
    }


def _fit_node(step, train, test, y_train, meter) -> dict:
    """Fit an inner step and transform both sides: outputs, feature names, seconds, peak memory."""
    estimator = step.create()
    meter.begin()
    start = perf_counter()
    out_train = estimator.fit_transform(train, y_train)
    fitted = perf_counter()
    out_test = estimator.transform(test)
    applied = perf_counter()
    # kept whatever top_features is now: a later run from the cache may want them
    features = step.spec.produces == FEATURES
    return {
        "train": out_train, "test": out_test,
        "names": _feature_names(estimator) if features else None,
        "fit": fitted - start, "apply": applied - fitted, "peak": meter.peak(),
    }


def _shared_nodes(run, plan, context: str, cache, measure_memory: bool) -> dict:
    """Fit once, on all documents, every step that learns nothing and follows only such steps.

    Returns prefix key → :class:`_Shared`; each fold then takes its rows (see
    :mod:`textpipe.evaluation.shared`). With a single fold there is nothing to share.
    Counts the fits in ``run.shared_fits`` (cache hits in ``run.cache_hits`` under
    fold -1) and records warnings in ``run.warnings``.
    """
    out: dict = {}
    if len(plan.folds) < 2:
        return out
    stack = [(child, plan.texts) for child in reversed(run.tree.root.children)]
    with _PeakRSS(measure_memory) as meter, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        while stack:
            node, X = stack.pop()
            estimator = node.step.create()
            if node.is_leaf or getattr(estimator, "learns_from_training_data", True):
                continue
            key = StepCache.key(context, node.key, "all documents")
            stored = cache.get(key) if cache is not None else None
            cached = stored is not None
            if stored is None:
                meter.begin()
                start = perf_counter()
                output = estimator.fit_transform(X)
                stored = {"output": output, "seconds": perf_counter() - start,
                          "peak": meter.peak(), "names": _feature_names(estimator)
                          if node.step.spec.produces == FEATURES else None}
                if cache is not None:
                    cache.put(key, stored)
                run.shared_fits[node.key] += 1
            else:
                run.cache_hits[(node.key, -1)] += 1
            out[node.key] = _Shared(stored["output"], stored["names"], stored["seconds"],
                                    stored["peak"], len(plan.texts), len(plan.folds), cached)
            stack.extend((child, stored["output"]) for child in reversed(node.children))
    run.warnings.extend(sorted({_short_warning(w) for w in caught}))
    return out


# -- executing jobs --------------------------------------------------------------------


class _Executor:
    """Runs jobs here, with joblib, or on a Dask cluster; yields results as they finish."""

    def __init__(self, n_jobs: int = 1, scheduler=None):
        self.client, self.owns_client = None, False
        if scheduler is not None:
            self.client = _dask_client(scheduler)
            self.owns_client = not isinstance(scheduler, type(self.client))
            try:
                self.workers = max(1, sum(self.client.nthreads().values()))
            except BaseException:
                self.close()
                raise
        else:
            from joblib import effective_n_jobs

            self.workers = effective_n_jobs(n_jobs)
        self.n_jobs = n_jobs

    def close(self) -> None:
        """Disconnect from a Dask scheduler this executor connected to."""
        if self.owns_client:
            self.client.close()

    @property
    def in_process(self) -> bool:
        return self.client is None and self.workers == 1

    def map(self, jobs: list, on_leaf):
        if not jobs:
            return
        if self.client is not None:
            from distributed import as_completed

            futures = self.client.map(carry_sklearn_config(run_job), jobs, pure=False)
            index = {f.key: job for f, job in zip(futures, jobs)}
            for future in as_completed(futures, loop=self.client.loop):
                job = index[future.key]
                result = future.result()
                on_leaf(job.n_leaves)
                yield result
                future.release()
        elif self.in_process or len(jobs) == 1:
            for job in jobs:
                yield run_job(job, on_leaf)
        else:
            from joblib import Parallel, delayed

            parallel = Parallel(n_jobs=self.n_jobs, return_as="generator_unordered")
            in_worker = carry_sklearn_config(_job_and_result)
            for job, result in parallel(delayed(in_worker)(job) for job in jobs):
                on_leaf(job.n_leaves)
                yield result


def _job_and_result(job):
    return job, run_job(job)


CONNECT_TIMEOUT = "10s"


def check_options(n_jobs=1, scheduler=None, *, n_jobs_name: str = "n_jobs") -> None:
    """Check ``n_jobs`` and a scheduler address before anything runs.

    Parameters
    ----------
    n_jobs : int
        A nonzero integer (``-1``: every core).
    scheduler : str or distributed.Client, optional
        An address is checked for its form only (``tcp://host:port``); a
        client is taken as it is.
    n_jobs_name : str, default="n_jobs"
        How the error names ``n_jobs`` (``"--n-jobs"`` on the command line).

    Raises
    ------
    UsageError
        For ``n_jobs`` that is 0 or not an integer, or a malformed address.
    MissingResourceError
        For an address when ``distributed`` is not installed.

    Examples
    --------
    >>> check_options(-1, "tcp://127.0.0.1:8786")
    >>> check_options(0)
    Traceback (most recent call last):
    ...
    textpipe.errors.UsageError: option 'n_jobs': must be a nonzero integer: ...
    >>> check_options(1, "localhost")
    Traceback (most recent call last):
    ...
    textpipe.errors.UsageError: 'localhost' is not a Dask scheduler address (missing port ...
    """
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral) or n_jobs == 0:
        raise UsageError(Errors.E719.format(got=n_jobs), option=n_jobs_name)
    if scheduler is None or not isinstance(scheduler, str):
        return
    try:
        from distributed.comm import get_address_host_port, parse_address
    except ImportError:
        raise MissingResourceError(Errors.E716) from None
    try:
        if parse_address(scheduler)[0] != "inproc":  # in-process clusters have no port
            get_address_host_port(scheduler)
    except (ValueError, TypeError) as exc:
        raise UsageError(Errors.E723.format(address=scheduler, reason=exc),
                         option="--scheduler") from None


def _dask_client(scheduler):
    """A ``distributed.Client`` for an address, or the client given."""
    try:
        from distributed import Client
    except ImportError:
        raise MissingResourceError(Errors.E716) from None
    if isinstance(scheduler, Client):
        return scheduler
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(Errors.E715.format(address=scheduler, reason=exc),
                         option="--scheduler") from None


# -- the whole experiment -------------------------------------------------------------


def run_experiment(experiment, datasets, *, n_jobs: int | None = None, scheduler=None,
                   cache=None, measure_memory: bool = True,
                   on_progress: Callable[[int, int], None] | None = None) -> list:
    """Fit and score every pipeline of ``experiment`` on every fold of each dataset.

    Parameters
    ----------
    experiment : Experiment
        From :func:`~textpipe.compare.experiment.load_experiment`.
    datasets : list of Dataset
        The data, e.g. ``experiment.load_datasets()``.
    n_jobs : int, optional
        Jobs in parallel (joblib; ``-1``: all cores; not 0). Defaults to the
        experiment's ``evaluation.n_jobs``.
    scheduler : str or distributed.Client, optional
        Run the jobs on this Dask cluster (e.g. ``"tcp://10.0.0.5:8786"``)
        instead of on this machine.
    cache : str, Path or StepCache, optional
        A folder for fitted steps' outputs, reused by later runs.
    measure_memory : bool, default=True
        Record each step's peak memory (see the module's notes).
    on_progress : callable, optional
        Called as ``on_progress(done, total)`` in pipeline-folds.

    Returns
    -------
    list of DatasetRun
        One per dataset, in order.
    """
    n_jobs = experiment.evaluation.n_jobs if n_jobs is None else n_jobs
    check_options(n_jobs, scheduler)
    if cache is not None and not isinstance(cache, StepCache):
        cache = StepCache(cache)
    configs = [c.config for c in experiment.candidates]
    metrics = list(experiment.evaluation.metrics)
    top = experiment.report.top_features

    runs, plans = [], []
    for dataset in datasets:
        runs.append(_planned_run(dataset, experiment, configs))
        plans.append(runs[-1].plan)
    total = sum(len(p.folds) for p in plans) * len(configs)
    done = 0
    report = on_progress or (lambda done, total: None)
    report(0, total)

    def on_leaf(n):
        nonlocal done
        done += n
        report(done, total)

    def make_job(d, fold, start, train, test, names=None, stop=None):
        plan = plans[d]
        return _Job(
            dataset=d, fold=fold.index, start=start, train=train, test=test,
            y_train=plan.labels[fold.train], y_test=plan.labels[fold.test], metrics=metrics,
            context=contexts[(d, fold.index)], names=names, stop=stop, cache=cache,
            top_features=top, meter=measure_memory, shared=shared[d],
            train_index=fold.train, test_index=fold.test,
            confidence=wants_confidence(experiment.report),
        )

    contexts, fingerprints = {}, []
    for d, (run, plan) in enumerate(zip(runs, plans)):
        fingerprints.append(run.dataset.fingerprint())
        for fold in plan.folds:
            contexts[(d, fold.index)] = fold_context(fingerprints[d], fold.train, fold.test)

    def texts(plan, index):
        return [plan.texts[i] for i in index]

    started = perf_counter()
    # Steps that learn nothing run once per dataset, here, before any job (or worker) starts.
    shared = [_shared_nodes(run, plan, fold_context(fingerprints[d], np.arange(len(plan.texts)),
                                                    []), cache, measure_memory)
              for d, (run, plan) in enumerate(zip(runs, plans))]
    executor = _Executor(n_jobs, scheduler)  # after everything that can fail on bad input
    try:
        results = _execute(executor, plans, runs, make_job, texts, on_leaf)
    finally:
        executor.close()
    wall = perf_counter() - started

    _collect(runs, results, experiment)
    for run in runs:
        run.wall_seconds = wall
    return runs


def _planned_run(dataset, experiment, configs) -> DatasetRun:
    """A dataset's run before anything is fitted: its folds and its pipelines' prefix tree.

    With ``train_sizes``, each (fold, smaller training size) is a fold of its own
    (see :mod:`.learning`), fitted and cached like any other; :func:`_collect`
    moves their records to the run's curve afterwards.
    """
    plan = plan_evaluation(dataset, experiment.evaluation)
    curve = plan_curve(plan, experiment.train_sizes, experiment.evaluation.seed,
                       dataset.name or dataset.source or "the data")
    return DatasetRun(dataset, plan if curve is None else curve.plan,
                      PrefixTree.build([c.steps for c in configs]), curve=curve)


def _execute(executor, plans, runs, make_job, texts, on_leaf) -> list:
    """Cut the work into jobs, run them, and return their results."""
    n_fold_jobs = sum(len(p.folds) for p in plans)
    split = not executor.in_process and n_fold_jobs < executor.workers
    results = []
    if not split:
        jobs = [make_job(d, fold, runs[d].tree.root.children, texts(plan, fold.train),
                         texts(plan, fold.test))
                for d, plan in enumerate(plans) for fold in plan.folds]
        results += executor.map(jobs, on_leaf)
    else:  # few folds, several workers: fit the shared trunk, then each branch apart
        trunk_jobs, branch_jobs = [], []
        for d, plan in enumerate(plans):
            trunk = runs[d].tree.trunk()
            for fold in plan.folds:
                train, test = texts(plan, fold.train), texts(plan, fold.test)
                if trunk and not trunk[-1].is_leaf:
                    trunk_jobs.append(make_job(d, fold, [trunk[0]], train, test,
                                               stop=trunk[-1].key))
                else:
                    branch_jobs += [make_job(d, fold, [child], train, test)
                                    for child in runs[d].tree.root.children]
        for result in executor.map(trunk_jobs, on_leaf):
            results.append(result)
            d, plan = result.dataset, plans[result.dataset]
            fold = plan.folds[result.fold]
            end = runs[d].tree.trunk()[-1]
            train, test, names = result.trunk
            branch_jobs += [make_job(d, fold, [child], train, test, names=names)
                            for child in end.children]
        results += executor.map(branch_jobs, on_leaf)
    return results


def _collect(runs, results, experiment) -> None:
    """Turn per-node results into per-pipeline, per-fold records."""
    nodes: dict = {}
    leaves: dict = {}
    for result in results:
        run = runs[result.dataset]
        for key, (fit, apply, peak, cached) in result.nodes.items():
            nodes[(result.dataset, key, result.fold)] = (fit, apply, peak, cached)
            if key in result.shared:  # computed once for every fold; counted then
                continue
            counter = run.cache_hits if cached else run.fit_counts
            counter[(key, result.fold)] += 1
        for key, entry in result.leaves.items():
            leaves[(result.dataset, key, result.fold)] = entry
        run.warnings.extend(result.warnings)

    for d, run in enumerate(runs):
        run.warnings = sorted(set(run.warnings))
        for p, (candidate, path) in enumerate(zip(experiment.candidates, run.tree.paths)):
            steps = [step.name for step in candidate.config.steps]
            for fold in run.plan.folds:
                parts = [nodes[(d, key, fold.index)] for key in path]
                leaf = leaves[(d, path[-1], fold.index)]
                run.records[(p, fold.index)] = FoldRecord(
                    scores=leaf["scores"],
                    fit_seconds={s: part[0] for s, part in zip(steps, parts)},
                    predict_seconds={s: part[1] for s, part in zip(steps, parts)},
                    peak_bytes=int(max(part[2] for part in parts)),
                    predictions=leaf["predictions"],
                    top_features=leaf["top"],
                    cached=all(part[3] for part in parts),
                    class_scores=leaf.get("class_scores"), classes=leaf.get("classes"),
                    confidence=leaf.get("confidence"),
                    confidence_kind=leaf.get("confidence_kind"),
                )
        if run.curve is not None:  # the subsets' records go to the curve
            detach(run)
