"""scikit-learn's settings (transform_output) reach textpipe's worker processes.

scikit-learn's settings are per thread and a joblib worker starts with the
defaults; scikit-learn's own ``Parallel`` passes them on, and so must textpipe's
folds (``evaluate``, ``compare``) and chunked transforms, or a pipeline would
give a DataFrame in one process and an array in the next.
"""

import pytest
import sklearn

from tests.support.output_probe import OutputProbe
from textpipe.compare import load_experiment, run_experiment
from textpipe.config import load_config
from textpipe.data import Dataset
from textpipe.evaluation import evaluate
from textpipe.registry import register_stage, unregister_stage
from textpipe.stages import base

TEXTS = ["a good film", "a bad film", "good fun", "dull plot", "fine acting", "awful"] * 4
LABELS = ["pos", "neg", "pos", "neg", "pos", "neg"] * 4
EVALUATION = {"method": "cv", "folds": 2, "seed": 0, "metrics": ["accuracy"]}


@pytest.fixture
def probe():
    register_stage("output_probe", OutputProbe, consumes="text", produces="features")
    yield
    unregister_stage("output_probe")


@pytest.mark.default_sklearn_output("sets transform_output itself")
def test_evaluate_in_two_workers_runs_each_fold_under_the_callers_setting(probe):
    config = load_config({"steps": [{"output_probe": {"expect": "pandas"}}, "logreg"],
                          "evaluation": EVALUATION})
    with sklearn.config_context(transform_output="pandas"):
        result = evaluate(config, Dataset(texts=TEXTS, labels=LABELS, name="toy"), n_jobs=2)
    assert len(result.folds) == 2


@pytest.mark.default_sklearn_output("sets transform_output itself")
def test_compare_in_two_workers_runs_each_job_under_the_callers_setting(probe):
    experiment = load_experiment({
        "evaluation": EVALUATION,
        "pipelines": [{"name": "a", "steps": [{"output_probe": {"expect": "pandas"}}, "logreg"]},
                      {"name": "b", "steps": [{"output_probe": {"expect": "pandas"}},
                                              "linear_svm"]}]})
    with sklearn.config_context(transform_output="pandas"):
        (run,) = run_experiment(experiment, [Dataset(texts=TEXTS, labels=LABELS, name="toy")],
                                n_jobs=2)
    assert all(record.scores for record in run.records.values())


@pytest.mark.default_sklearn_output("sets transform_output itself")
def test_chunked_transform_in_worker_processes_keeps_the_callers_setting(monkeypatch):
    monkeypatch.setattr(base, "MIN_PARALLEL_DOCS", 4)
    stage = OutputProbe(expect="pandas", n_jobs=2)
    with sklearn.config_context(transform_output="pandas"):
        out = stage.fit(TEXTS).transform(TEXTS)
    assert list(out.columns) == ["length"] and out["length"].tolist() == [len(t) for t in TEXTS]
