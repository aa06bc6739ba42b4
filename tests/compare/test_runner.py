"""Running an experiment: shared prefixes fitted once per fold, identical folds, determinism."""

import numpy as np
import pytest

from textpipe.compare import PrefixTree, load_experiment, run_experiment
from textpipe.config import load_config
from textpipe.data import Dataset
from textpipe.evaluation import evaluate
from textpipe.registry import register_stage, unregister_stage
from textpipe.stages.tokenize import Tokenize

POS = ["good fun film", "great acting", "lovely and fun", "a great joy", "fine and good"]
NEG = ["bad dull film", "awful acting", "boring and dull", "a total mess", "dull and bad"]


def toy_data(repeat=4):
    return Dataset(texts=(POS + NEG) * repeat, labels=(["pos"] * 5 + ["neg"] * 5) * repeat,
                   name="toy")


def split_data():
    return Dataset(texts=(POS + NEG) * 4, labels=(["pos"] * 5 + ["neg"] * 5) * 4,
                   test_texts=POS + NEG, test_labels=["pos"] * 5 + ["neg"] * 5, name="toy")


GRID = {
    "evaluation": {"method": "cv", "folds": 3, "seed": 5, "metrics": ["accuracy"]},
    "grid": {"base": ["tokenize", "stem", "count", "linear_svm"],
             "params": {"stem": ["none", "stem"],
                        "count.ngram_range": [[1, 1], [1, 2]],
                        "linear_svm": ["linear_svm", "multinomial_nb"]}},
    "report": {"top_features": 3},
}


class CountingTokenize(Tokenize):
    """A tokenizer that counts its fits (in this process)."""

    fits = []

    def fit(self, X, y=None):
        CountingTokenize.fits.append(len(X))
        return super().fit(X, y)

    def fit_transform(self, X, y=None):
        CountingTokenize.fits.append(len(X))
        return super().fit(X, y).transform(X)


@pytest.fixture
def counting_stage():
    CountingTokenize.fits = []
    register_stage("counting_tokenize", CountingTokenize, consumes="text", produces="tokens")
    yield CountingTokenize
    unregister_stage("counting_tokenize")


def scores(run):
    return {key: record.scores for key, record in sorted(run.records.items())}


def test_a_stage_shared_by_every_pipeline_is_fitted_once_per_fold(counting_stage):
    experiment = dict(GRID, grid=dict(GRID["grid"], base=["counting_tokenize", "stem", "count",
                                                           "linear_svm"]))
    exp = load_experiment(experiment)
    assert len(exp.candidates) == 8
    (run,) = run_experiment(exp, [toy_data()])
    assert len(counting_stage.fits) == 3                     # 8 pipelines, 3 folds
    tokenize_key = run.tree.paths[0][0]
    assert [run.fit_counts[(tokenize_key, fold)] for fold in range(3)] == [1, 1, 1]
    assert set(run.fit_counts.values()) == {1}               # no step fitted twice on a fold
    # per fold: 1 tokenize, 1 stem, 2 + 2 count, 8 classifiers
    assert run.sharing() == {"steps_fitted": 3 * 14, "steps_without_sharing": 3 * (4 * 3 + 4 * 4),
                             "cache_hits": 0}


def test_prefix_tree_branches_where_pipelines_differ():
    exp = load_experiment(GRID)
    tree = PrefixTree.build([c.config.steps for c in exp.candidates])
    assert len(tree.root.children) == 1                      # one tokenizer for all
    tokenize = tree.root.children[0]
    assert [child.step.stage for child in tokenize.children] == ["count", "count", "stem"]
    assert tree.trunk() == [tokenize]


def test_every_pipeline_sees_the_same_folds_as_textpipe_run():
    exp = load_experiment(GRID)
    (run,) = run_experiment(exp, [toy_data()])
    for p, candidate in enumerate(exp.candidates):
        alone = evaluate(candidate.config, toy_data()).summary()
        shared = [run.records[(p, fold)].scores["accuracy"] for fold in range(3)]
        assert shared == alone["accuracy"]["folds"], candidate.name
    n_test = [len(fold.test) for fold in run.plan.folds]
    assert all(len(run.records[(p, f)].predictions) == n_test[f]
               for p in range(len(exp.candidates)) for f in range(3))


def test_timings_memory_and_top_features_are_recorded_per_pipeline_and_fold():
    exp = load_experiment(GRID)
    (run,) = run_experiment(exp, [toy_data()])
    record = run.records[(0, 0)]
    assert list(record.fit_seconds) == ["tokenize", "count", "linear_svm"]
    assert all(s >= 0 for s in record.fit_seconds.values())
    assert record.peak_bytes >= 0
    assert set(record.top_features) == {"pos", "neg"}
    assert len(record.top_features["pos"]) == 15          # 5 × top_features kept per fold
    nb = next(p for p, c in enumerate(exp.candidates) if c.name.endswith("multinomial_nb"))
    assert run.records[(nb, 0)].top_features is None      # not a model with coef_


def test_same_numbers_sequentially_in_parallel_and_when_rerun():
    exp = load_experiment(GRID)
    first = scores(run_experiment(exp, [toy_data()], n_jobs=1)[0])
    again = scores(run_experiment(exp, [toy_data()], n_jobs=1)[0])
    parallel = scores(run_experiment(exp, [toy_data()], n_jobs=2)[0])
    assert first == again == parallel


def test_a_single_split_with_several_workers_fits_the_trunk_once_then_the_branches():
    exp = load_experiment(dict(GRID, evaluation={"method": "split"}))
    sequential = run_experiment(exp, [split_data()], n_jobs=1)[0]
    parallel = run_experiment(exp, [split_data()], n_jobs=2)[0]
    assert scores(sequential) == scores(parallel)
    assert set(parallel.fit_counts.values()) == {1}
    assert parallel.sharing()["steps_fitted"] == sequential.sharing()["steps_fitted"] == 14


def test_the_disk_cache_is_reused_by_a_later_run(tmp_path):
    exp = load_experiment(GRID)
    first = run_experiment(exp, [toy_data()], cache=tmp_path / "cache")[0]
    second = run_experiment(exp, [toy_data()], cache=tmp_path / "cache")[0]
    assert scores(first) == scores(second)
    assert second.sharing()["steps_fitted"] == 0
    assert second.sharing()["cache_hits"] == first.sharing()["steps_fitted"]
    assert all(record.cached for record in second.records.values())
    other_seed = load_experiment(dict(GRID, evaluation={"method": "cv", "folds": 3, "seed": 6}))
    third = run_experiment(other_seed, [toy_data()], cache=tmp_path / "cache")[0]
    assert third.sharing()["cache_hits"] == 0              # other folds, other keys


def test_several_datasets_each_get_their_own_protocol():
    exp = load_experiment(dict(GRID, evaluation={"method": "auto", "folds": 3}))
    cv, split = run_experiment(exp, [toy_data(), split_data()])
    assert (cv.plan.method, len(cv.plan.folds)) == ("cv", 3)
    assert (split.plan.method, len(split.plan.folds)) == ("split", 1)


def test_progress_counts_pipeline_folds():
    seen = []
    exp = load_experiment(GRID)
    run_experiment(exp, [toy_data()], on_progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 24) and seen[-1] == (24, 24)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_identical_pipelines_share_even_the_classifier():
    exp = load_experiment({"evaluation": {"method": "cv", "folds": 3},
                           "pipelines": [{"name": "a", "steps": ["tokenize", "count", "logreg"]},
                                         {"name": "b", "steps": ["tokenize", "count", "logreg"]}]})
    (run,) = run_experiment(exp, [toy_data()])
    assert run.sharing()["steps_fitted"] == 9
    assert np.array_equal(run.records[(0, 1)].predictions, run.records[(1, 1)].predictions)


def test_a_pipeline_run_alone_and_in_a_comparison_agree_on_real_data():
    data = Dataset(*_mr_sample(), name="mr-sample")
    evaluation = {"method": "cv", "folds": 3, "metrics": ["accuracy"]}
    config = load_config({"steps": [{"tokenize": {}}, {"tfidf": {"ngram_range": [1, 2]}},
                                     {"logreg": {"C": 4}}], "evaluation": evaluation})
    exp = load_experiment({"evaluation": evaluation,
                           "grid": {"base": config.to_dict()["steps"],
                                    "params": {"logreg.C": [1, 4]}}})
    (run,) = run_experiment(exp, [data])
    assert [run.records[(1, f)].scores["accuracy"] for f in range(3)] == \
        evaluate(config, data).summary()["accuracy"]["folds"]


def _mr_sample(n=400):
    from textpipe.data import load_dataset

    mr = load_dataset("mr", sample=n, seed=0)
    return list(mr.texts), list(mr.labels)
