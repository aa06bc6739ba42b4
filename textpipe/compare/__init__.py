"""Compare many pipelines under one protocol: shared work, statistics, a report.

The package is split by concern:

- :mod:`.experiment`: experiment files (schema, grid expansion, naming), each
  pipeline validated like a pipeline file;
- :mod:`.tree`: the prefix tree that lets pipelines share identical first steps;
- :mod:`.runner`: fitting the tree on every fold, here, with joblib or on Dask,
  with an optional on-disk cache (:mod:`.cache`);
- :mod:`.stats`: confidence intervals and paired tests;
- :mod:`.ranks`: across several datasets, average ranks, the Friedman test and
  Nemenyi's and Holm's post-hoc tests (drawn by :mod:`.cd_diagram`);
- :mod:`.results`: per-pipeline summaries, ranks and tests against the best;
- :mod:`.report` and :mod:`.plots`: JSON, CSV, HTML and Markdown with plots.

Examples
--------
>>> from textpipe.compare import compare
>>> from textpipe.data import Dataset
>>> data = Dataset(["good fun", "great fun", "bad dull", "awful dull"] * 3,
...                ["pos", "pos", "neg", "neg"] * 3)
>>> results = compare({"evaluation": {"method": "cv", "folds": 3},
...                    "grid": {"base": ["tokenize", "count", "multinomial_nb"],
...                             "params": {"count.binary": [False, True]}}},
...                   datasets=[data])
>>> [p.name for p in results.datasets[0].pipelines]
['count.binary=false', 'count.binary=true']
"""

from __future__ import annotations

from .experiment import Candidate, Experiment, ReportConfig, load_experiment
from .results import DatasetResults, ExperimentResults, PipelineSummary, summarize
from .runner import DatasetRun, FoldRecord, run_experiment
from .tree import PrefixTree

__all__ = [
    "Candidate",
    "DatasetResults",
    "DatasetRun",
    "Experiment",
    "ExperimentResults",
    "FoldRecord",
    "PipelineSummary",
    "PrefixTree",
    "ReportConfig",
    "compare",
    "load_experiment",
    "run_experiment",
    "summarize",
]


def compare(source, *, datasets=None, data_paths=None, data_format=None, n_jobs=None,
            scheduler=None, cache=None, measure_memory=True, on_progress=None):
    """Load an experiment, run every pipeline on every fold, and summarize.

    Parameters
    ----------
    source : str, Path, mapping or Experiment
        An experiment file, its content as a dict, or a loaded experiment.
    datasets : list of Dataset, optional
        Data to use instead of the experiment's.
    data_paths : list of str or Path, optional
        Data files to load instead of the experiment's (``--data``).
    data_format : str, optional
        Format of ``data_paths`` when the extension does not tell.
    n_jobs, scheduler, cache, measure_memory, on_progress
        As for :func:`~textpipe.compare.runner.run_experiment`.

    Returns
    -------
    ExperimentResults
    """
    experiment = source if isinstance(source, Experiment) else load_experiment(source)
    if datasets is None:
        datasets = experiment.load_datasets(data_paths, format=data_format)
    n_jobs = experiment.evaluation.n_jobs if n_jobs is None else n_jobs
    runs = run_experiment(experiment, datasets, n_jobs=n_jobs, scheduler=scheduler, cache=cache,
                          measure_memory=measure_memory, on_progress=on_progress)
    if scheduler is not None:
        address = scheduler if isinstance(scheduler, str) else scheduler.scheduler.address
        backend = f"on the Dask cluster at {address}"
    else:
        backend = "in one process" if n_jobs == 1 else "with joblib"
    return summarize(experiment, runs, backend=backend, n_jobs=n_jobs)
