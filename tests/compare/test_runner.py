"""Running an experiment: shared prefixes fitted once per fold, identical folds, determinism."""

import threading
import time

import numpy as np
import pytest

from textpipe.compare import PrefixTree, load_experiment, run_experiment
from textpipe.compare.runner import _PeakRSS
from textpipe.config import load_config
from textpipe.data import Dataset
from textpipe.errors import UsageError
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
    """A tokenizer that counts its fits (in this process), fitted per fold like a trained one."""

    fits = []
    learns_from_training_data = True

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


class SlowTokenize(Tokenize):
    """A tokenizer that takes 0.2 s to fit and 0.1 s to apply, fitted per fold."""

    learns_from_training_data = True

    def fit_transform(self, X, y=None):
        time.sleep(0.2)
        return super().fit(X, y).transform(X)

    def transform(self, X):
        time.sleep(0.1)
        return super().transform(X)


BALLAST_MB = 120


class BallastTokenize(Tokenize):
    """A tokenizer that fills BALLAST_MB of memory while it fits, then frees it."""

    def fit_transform(self, X, y=None):
        ballast = np.ones(BALLAST_MB * 2**20 // 8)   # every page written, so resident
        ballast.sum()
        del ballast
        return super().fit(X, y).transform(X)


@pytest.fixture
def stage():
    registered = []

    def register(name, cls):
        register_stage(name, cls, consumes="text", produces="tokens")
        registered.append(name)

    yield register
    for name in registered:
        unregister_stage(name)


def one_pipeline(first_step, **evaluation):
    return load_experiment({
        "evaluation": {"method": "cv", "folds": 2, "metrics": ["accuracy"], **evaluation},
        "pipelines": [{"name": "p", "steps": [first_step, "count", "multinomial_nb"]}]})


def test_fit_and_apply_seconds_are_measured_per_step(stage):
    stage("slow_tokenize", SlowTokenize)
    (run,) = run_experiment(one_pipeline("slow_tokenize"), [toy_data()])
    for fold in range(2):
        record = run.records[(0, fold)]
        assert list(record.fit_seconds) == ["slow_tokenize", "count", "multinomial_nb"]
        assert 0.2 <= record.fit_seconds["slow_tokenize"] < 2
        assert 0.1 <= record.predict_seconds["slow_tokenize"] < 1
        assert record.fit_seconds["count"] < record.fit_seconds["slow_tokenize"]


def test_peak_memory_shows_an_allocation_made_while_a_step_fits(stage):
    stage("ballast_tokenize", BallastTokenize)
    (run,) = run_experiment(one_pipeline("ballast_tokenize"), [toy_data()])
    # The kernel batches each thread's resident-page counts (up to 64 pages per thread),
    # so allow one MiB of slack below the 120 MiB allocated.
    for fold in range(2):
        assert run.records[(0, fold)].peak_bytes >= (BALLAST_MB - 1) * 2**20
    (quiet,) = run_experiment(one_pipeline("tokenize"), [toy_data()])
    assert quiet.records[(0, 0)].peak_bytes < BALLAST_MB * 2**20 / 4


def test_peak_memory_is_sampled_where_jobs_may_share_the_process_as_threads():
    kinds = {}

    def meter_kind(name):
        kinds[name] = _PeakRSS().kernel

    meter_kind("main")
    worker = threading.Thread(target=meter_kind, args=("thread",))
    worker.start()
    worker.join()
    assert kinds["thread"] is False                      # another job's reset would erase ours
    if not _PeakRSS._kernel_available():
        pytest.skip("no /proc/self/clear_refs here: every meter samples")
    assert kinds["main"] is True


def test_a_peak_is_kept_when_a_concurrent_job_begins_measuring():
    # Job A allocates 120 MB and frees it; then job B, a thread of the same process,
    # begins a step. A kernel high-water-mark reset by B would erase A's peak.
    allocated, b_began = threading.Event(), threading.Event()
    peaks = {}

    def job_a():
        with _PeakRSS(shared=True) as meter:
            meter.begin()
            ballast = np.ones(BALLAST_MB * 2**20 // 8)
            time.sleep(0.2)                               # sampled every 20 ms
            del ballast
            allocated.set()
            b_began.wait(10)
            peaks["a"] = meter.peak()

    def job_b():
        allocated.wait(10)
        with _PeakRSS(shared=True) as meter:
            meter.begin()
            b_began.set()

    threads = [threading.Thread(target=job_a), threading.Thread(target=job_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peaks["a"] >= (BALLAST_MB - 1) * 2**20


def test_timings_memory_and_top_features_are_recorded_per_pipeline_and_fold():
    exp = load_experiment(GRID)
    (run,) = run_experiment(exp, [toy_data()])
    record = run.records[(0, 0)]
    assert list(record.fit_seconds) == ["tokenize", "count", "linear_svm"]
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
    # Other folds, other keys, except for what is computed once over all documents (tokenize
    # and stem, which learn nothing from the training folds).
    assert third.sharing()["cache_hits"] == 2


def test_a_warm_cache_still_gives_top_features_when_they_are_asked_for_later(tmp_path):
    without = load_experiment(dict(GRID, report={"top_features": 0}))
    cold = run_experiment(without, [toy_data()], cache=tmp_path / "cache")[0]
    assert all(record.top_features is None for record in cold.records.values())
    warm = run_experiment(load_experiment(GRID), [toy_data()], cache=tmp_path / "cache")[0]
    assert warm.sharing()["cache_hits"] > 0                 # the transformers came from it
    fresh = run_experiment(load_experiment(GRID), [toy_data()])[0]
    for key, record in fresh.records.items():
        assert warm.records[key].top_features == record.top_features
    assert warm.records[(0, 0)].top_features is not None


def test_a_damaged_cache_entry_is_recomputed_and_written_again_with_a_warning(tmp_path):
    import joblib

    exp = load_experiment(GRID)
    first = run_experiment(exp, [toy_data()], cache=tmp_path / "cache")[0]
    entries = sorted((tmp_path / "cache").rglob("*.pkl"))
    joblib.dump({"train": [], "test": []}, entries[0])     # a pickle of the wrong thing
    entries[1].write_bytes(entries[1].read_bytes()[:30])   # cut short
    entries[2].write_bytes(entries[3].read_bytes())        # another key's entry
    second = run_experiment(exp, [toy_data()], cache=tmp_path / "cache")[0]
    assert scores(second) == scores(first)
    assert second.sharing()["steps_fitted"] >= 3
    damaged = [w for w in second.warnings if "DamagedCacheWarning" in w]
    assert len(damaged) == 1 and str(tmp_path / "cache") in damaged[0]
    third = run_experiment(exp, [toy_data()], cache=tmp_path / "cache")[0]
    assert third.sharing()["steps_fitted"] == 0 and not third.warnings


def test_cache_keys_cover_the_versions_of_the_libraries_steps_use(tmp_path, monkeypatch):
    from textpipe.compare import cache as cache_module

    versions = cache_module._versions()
    for library in ("spacy", "nltk", "gensim", "scikit-learn", "numpy", "textpipe"):
        assert f"{library} " in versions
    exp = load_experiment(GRID)
    run_experiment(exp, [toy_data()], cache=tmp_path / "cache")
    monkeypatch.setattr(cache_module, "_versions", lambda: versions.replace("spacy ", "spacy 0"))
    upgraded = run_experiment(exp, [toy_data()], cache=tmp_path / "cache")[0]
    assert upgraded.sharing()["cache_hits"] == 0


def test_n_jobs_zero_is_refused_before_anything_runs():
    with pytest.raises(UsageError, match="option 'n_jobs': must be a nonzero integer"):
        run_experiment(load_experiment(GRID), [toy_data()], n_jobs=0)


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
    assert run.sharing()["steps_fitted"] == 7  # tokenize once over all documents, 2 × 3 folds
    assert np.array_equal(run.records[(0, 1)].predictions, run.records[(1, 1)].predictions)


def test_numbers_written_differently_but_equal_share_a_step():
    exp = load_experiment({"evaluation": {"method": "cv", "folds": 3},
                           "pipelines": [{"name": "a", "steps": ["tokenize", "count",
                                                                 {"logreg": {"C": 1}}]},
                                         {"name": "b", "steps": ["tokenize", "count",
                                                                 {"logreg": {"C": 1.0}}]}]})
    (run,) = run_experiment(exp, [toy_data()])
    assert run.tree.paths[0] == run.tree.paths[1]
    assert run.sharing()["steps_fitted"] == 7


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
