"""A frozen encoder costs one encoding pass per run, not one per fold, in run and compare."""

import os

import numpy as np
import pytest

from textpipe.config import load_config
from textpipe.data import Dataset
from textpipe.evaluation import evaluate
from textpipe.registry import register_stage, unregister_stage
from tests.support.counting_stages import LOG_VARIABLE, encoded

pytest.importorskip("transformers")

WORDS = ["fine", "great", "dull", "weak"]


def toy_data(n=40):
    texts = [f"a {WORDS[i % 4]} film {'with a great cast' * (i % 3)} {i}" for i in range(n)]
    return Dataset(texts=texts, labels=["pos" if i % 4 < 2 else "neg" for i in range(n)])


@pytest.fixture
def counting(tmp_path, monkeypatch):
    """The stage 'counting_transformer'; returns a function giving the passes logged so far."""
    log = tmp_path / "encoded.log"
    monkeypatch.setenv(LOG_VARIABLE, str(log))
    register_stage("counting_transformer", "tests.support.counting_stages:CountingTransformer")
    yield lambda: encoded(log)
    unregister_stage("counting_transformer")


def pipeline(tiny_bert, *, learned=False, folds=5):
    params = {"model": str(tiny_bert)}
    if learned:
        params.update(layer="all", mix="learned", random_state=0)
    return load_config({"steps": [{"counting_transformer": params}, {"logreg": {}}],
                        "evaluation": {"method": "cv", "folds": folds, "seed": 0}})


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_five_fold_run_encodes_each_document_exactly_once(tiny_bert, counting, n_jobs):
    data = toy_data()
    result = evaluate(pipeline(tiny_bert), data, n_jobs=n_jobs)
    passes = counting()
    assert [n for _, n in passes] == [len(data.texts)]  # one pass, over all documents
    assert {pid for pid, _ in passes} == {os.getpid()}  # here, not in the workers
    assert len(result.folds) == 5
    timing = result.timing()
    assert set(timing["computed_once_seconds"]) == {"counting_transformer"}
    assert list(timing["fit_seconds_per_fold"]) == ["counting_transformer", "logreg"]


def test_encoding_once_scores_exactly_as_encoding_per_fold(tiny_bert, counting, monkeypatch):
    data = toy_data()
    once = evaluate(pipeline(tiny_bert), data)
    from tests.support.counting_stages import CountingTransformer

    monkeypatch.setattr(CountingTransformer, "learns_from_training_data", True)
    per_fold = evaluate(pipeline(tiny_bert), data)
    assert len(counting()) == 1 + 2 * 5  # then: a fit and a test pass per fold
    assert once.summary() == per_fold.summary()


def test_a_learned_mix_learns_from_each_fold_so_it_is_fitted_per_fold(tiny_bert, counting):
    evaluate(pipeline(tiny_bert, learned=True, folds=3), toy_data(24))
    passes = counting()
    assert len(passes) == 3 * 3  # per fold: the probe's pass, the training and test passes


def _experiment(tiny_bert, folds=5):
    from textpipe.compare.experiment import load_experiment

    return load_experiment({
        "evaluation": {"method": "cv", "folds": folds, "seed": 0},
        "grid": {"base": [{"counting_transformer": {"model": str(tiny_bert)}}, "logreg"],
                 "params": {"logreg.C": [0.1, 1.0]}}})


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_compare_encodes_each_document_once_for_every_fold_and_pipeline(tiny_bert, counting,
                                                                        n_jobs):
    from textpipe.compare.runner import run_experiment

    data = toy_data()
    (run,) = run_experiment(_experiment(tiny_bert), [data], n_jobs=n_jobs,
                            measure_memory=False)
    assert [n for _, n in counting()] == [len(data.texts)]
    assert sum(run.shared_fits.values()) == 1
    assert run.sharing()["steps_fitted"] == 1 + 2 * 5  # one encoding, two logregs per fold
    assert len(run.records) == 2 * 5


def test_compare_scores_exactly_as_encoding_per_fold(tiny_bert, counting, monkeypatch):
    from textpipe.compare.runner import run_experiment
    from tests.support.counting_stages import CountingTransformer

    data = toy_data()
    (once,) = run_experiment(_experiment(tiny_bert), [data], measure_memory=False)
    monkeypatch.setattr(CountingTransformer, "learns_from_training_data", True)
    (per_fold,) = run_experiment(_experiment(tiny_bert), [data], measure_memory=False)
    assert len(counting()) == 1 + 2 * 5
    for key, record in once.records.items():
        assert record.scores == per_fold.records[key].scores
        np.testing.assert_array_equal(record.predictions, per_fold.records[key].predictions)


def test_the_step_cache_keeps_the_encoding_and_its_key_follows_the_model_files(
        tiny_bert, counting, tmp_path):
    import shutil

    from textpipe.compare.runner import run_experiment

    folder = tmp_path / "bert"
    shutil.copytree(tiny_bert, folder)
    data = toy_data()
    for expected_passes in (1, 1):
        (run,) = run_experiment(_experiment(folder), [data], cache=tmp_path / "cache",
                                measure_memory=False)
        assert len(counting()) == expected_passes
    assert run.cache_hits[(run.tree.paths[0][0], -1)] == 1 and not run.shared_fits
    config = folder / "config.json"  # same parameters, other model files: encoded again
    config.write_text(config.read_text().replace('"hidden_act"', ' "hidden_act"'))
    run_experiment(_experiment(folder), [data], cache=tmp_path / "cache", measure_memory=False)
    assert len(counting()) == 2


def test_the_folds_timings_add_up_to_the_one_pass(tiny_bert, counting):
    result = evaluate(pipeline(tiny_bert), toy_data())
    once = result.timing()["computed_once_seconds"]["counting_transformer"]
    step = "counting_transformer"
    credited = sum(f.fit_seconds[step] + f.predict_seconds[step] for f in result.folds)
    assert credited == pytest.approx(once)
