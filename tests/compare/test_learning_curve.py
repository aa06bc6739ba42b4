"""Learning curves: nested stratified subsets, the same for every pipeline, and their summary."""

import json
import math
from collections import Counter

import numpy as np
import pytest
from scipy.stats import t as student_t

from textpipe.compare import load_experiment, run_experiment
from textpipe.compare.cache import fold_context
from textpipe.compare.learning import TrainSizes, crossovers, plan_curve, stratified_order
from textpipe.compare.report import write_outputs
from textpipe.compare.results import summarize
from textpipe.data import Dataset
from textpipe.errors import ConfigError
from textpipe.evaluation.protocol import Fold, Plan
from textpipe.registry import register_stage, unregister_stage
from textpipe.stages.tokenize import Tokenize

POS = ["good fun film", "great acting", "lovely and fun", "a great joy", "fine and good"]
NEG = ["bad dull film", "awful acting", "boring and dull", "a total mess", "dull and bad"]


def toy_data(repeat=6):
    """Every text distinct (a number appended), so a training set is known by its texts."""
    texts = [f"{t} {i}" for i, t in enumerate((POS + NEG) * repeat)]
    return Dataset(texts=texts, labels=(["pos"] * 5 + ["neg"] * 5) * repeat, name="toy")


def experiment(sizes, folds=3, pipelines=None, metrics=("accuracy",)):
    return load_experiment({
        "evaluation": {"method": "cv", "folds": folds, "seed": 3, "metrics": list(metrics),
                       "train_sizes": sizes},
        "pipelines": pipelines or [
            {"name": "nb", "steps": ["tokenize", "count", "multinomial_nb"]},
            {"name": "svm", "steps": ["tokenize", "count", "linear_svm"]}]})


# -- the subsets ---------------------------------------------------------------------------


def test_subsets_are_nested_and_stratified_within_one_document_per_class():
    labels = np.array(["a"] * 60 + ["b"] * 30 + ["c"] * 10, dtype=object)
    plan = Plan("holdout", ["x"] * 100, labels, [Fold(0, np.arange(100), np.arange(0))])
    curve = plan_curve(plan, TrainSizes((0.1, 0.25, 0.5, 37)), seed=1)
    subsets = [curve.plan.folds[i].train for i in curve.folds[:, 0]]
    assert [len(s) for s in subsets] == [10, 25, 37, 50, 100]   # sorted; 1.0 added
    for small, large in zip(subsets, subsets[1:]):
        assert set(small) <= set(large)
    for subset in subsets:
        counts = Counter(labels[subset].tolist())
        for label, share in (("a", 0.6), ("b", 0.3), ("c", 0.1)):
            assert abs(counts[label] - share * len(subset)) <= 1, (len(subset), counts)


def test_subsets_depend_on_seed_and_fold_only():
    labels = np.array(["a", "b"] * 50, dtype=object)
    first = stratified_order(np.arange(100), labels, seed=7, fold=2)
    assert np.array_equal(first, stratified_order(np.arange(100), labels, seed=7, fold=2))
    assert not np.array_equal(first, stratified_order(np.arange(100), labels, seed=8, fold=2))
    assert not np.array_equal(first, stratified_order(np.arange(100), labels, seed=7, fold=3))


def test_fractions_round_per_fold_and_counts_are_the_same_in_every_fold():
    labels = np.array(["a", "b"] * 11, dtype=object)   # 22 documents: folds of 14/15 to train
    plan = Plan("cv", ["x"] * 22, labels, [
        Fold(0, np.arange(0, 14), np.arange(14, 22)), Fold(1, np.arange(7, 22), np.arange(7))])
    curve = plan_curve(plan, TrainSizes((0.5, 6)), seed=0)
    # 0.5 * 14 = 7, 0.5 * 15 = 7.5 → 8 (half up); the count 6 in both; 1.0 added
    assert curve.counts.tolist() == [[6, 6], [7, 8], [14, 15]]
    assert curve.folds[-1].tolist() == [0, 1]           # the full size is the protocol's fold
    assert [s["given"] for s in curve.sizes] == [6, 0.5, 1.0]


def test_every_subset_is_a_fold_of_its_own_with_its_own_cache_key():
    plan = Plan("cv", ["x"] * 40, np.array(["a", "b"] * 20, dtype=object), [
        Fold(0, np.arange(20), np.arange(20, 40)), Fold(1, np.arange(20, 40), np.arange(20))])
    curve = plan_curve(plan, TrainSizes((0.25, 0.5, 1.0)), seed=0)
    folds = curve.plan.folds
    assert [f.index for f in folds] == list(range(6))
    assert all(np.array_equal(f.test, folds[k].test) for s in range(3)
               for k, f in zip(range(2), [folds[i] for i in curve.folds[s]]))
    contexts = {fold_context("data", f.train, f.test) for f in folds}
    assert len(contexts) == 6


def test_every_pipeline_trains_on_exactly_the_same_subsets():
    seen = {}

    class Recording(Tokenize):
        learns_from_training_data = True

        def fit_transform(self, X, y=None):
            seen.setdefault(self.lowercase, []).append(tuple(sorted(X)))
            return super().fit(X, y).transform(X)

    register_stage("recording_tokenize", Recording, consumes="text", produces="tokens")
    try:
        exp = experiment([0.25, 0.5], pipelines=[
            {"name": "lower", "steps": [{"recording_tokenize": {"lowercase": True}},
                                        "count", "multinomial_nb"]},
            {"name": "as is", "steps": [{"recording_tokenize": {"lowercase": False}},
                                        "count", "linear_svm"]}])
        (run,) = run_experiment(exp, [toy_data()])
    finally:
        unregister_stage("recording_tokenize")
    assert len(seen[True]) == 9                        # 3 folds x 3 sizes, each fitted once
    assert sorted(seen[True]) == sorted(seen[False])
    assert sorted(len(s) for s in seen[True]) == [10] * 3 + [20] * 3 + [40] * 3
    assert sorted(run.records) == [(p, k) for p in range(2) for k in range(3)]
    assert len(run.curve.records) == 2 * 3 * 3


def test_a_pipelines_curve_does_not_depend_on_the_other_pipelines():
    both = summarize(exp := experiment([0.25, 0.5]), run_experiment(exp, [toy_data()]))
    alone = experiment([0.25, 0.5], pipelines=[
        {"name": "svm", "steps": ["tokenize", "count", "linear_svm"]}])
    one = summarize(alone, run_experiment(alone, [toy_data()]))
    assert (both.datasets[0].learning_curve["pipelines"][1]
            == one.datasets[0].learning_curve["pipelines"][0])


# -- the summary ---------------------------------------------------------------------------


def test_full_size_equals_the_leaderboard_and_smaller_sizes_use_the_corrected_interval():
    exp = experiment([0.25, 0.5])
    (data,) = summarize(exp, run_experiment(exp, [toy_data()])).datasets
    curve = data.learning_curve
    for p in curve["pipelines"]:
        board = next(b for b in data.pipelines if b.name == p["name"])
        assert p["metrics"]["accuracy"][-1] == board.metrics["accuracy"]
    # Nadeau & Bengio (2003): mean ± t_{k-1} sqrt((1/k + n_test/n_train) s²), with the
    # subset's 10 training documents and the fold's 20 test documents
    quarter = curve["pipelines"][1]["metrics"]["accuracy"][0]
    scores = np.array(quarter["folds"])
    half = student_t.ppf(0.975, 2) * math.sqrt((1 / 3 + 20 / 10) * scores.var(ddof=1))
    assert quarter["ci"] == pytest.approx([scores.mean() - half, scores.mean() + half])
    assert [s["documents"] for s in curve["sizes"]] == [10.0, 20.0, 40.0]


def test_results_json_holds_sizes_means_intervals_and_fold_scores(tmp_path):
    exp = experiment([0.25, 20], metrics=["accuracy", "macro_f1"])
    results = summarize(exp, run_experiment(exp, [toy_data()]))
    write_outputs(results, tmp_path)
    curve = json.loads((tmp_path / "results.json").read_text())["datasets"][0]["learning_curve"]
    assert curve["metric"] == "accuracy"
    assert curve["sizes"] == [
        {"given": 0.25, "implicit": False, "fraction": 0.25, "documents": 10.0,
         "documents_per_fold": [10, 10, 10]},
        {"given": 20, "implicit": False, "fraction": 0.5, "documents": 20.0,
         "documents_per_fold": [20, 20, 20]},
        {"given": 1.0, "implicit": True, "fraction": 1.0, "documents": 40.0,
         "documents_per_fold": [40, 40, 40]}]
    assert [p["name"] for p in curve["pipelines"]] == ["nb", "svm"]
    for p in curve["pipelines"]:
        assert set(p["metrics"]) == {"accuracy", "macro_f1"}
        for size in p["metrics"]["accuracy"]:
            assert set(size) == {"mean", "std", "ci", "folds"} and len(size["folds"]) == 3
    assert isinstance(curve["crossovers"], list)
    report = (tmp_path / "report.md").read_text()
    assert "### Learning curves (accuracy against training documents)" in report
    assert "| pipeline | 10 docs (25%) | 20 docs (50%) | 40 docs (100%) |" in report
    assert (tmp_path / "1-toy-learning.png").stat().st_size > 1000
    assert json.loads((tmp_path / "results.json").read_text())["config"]["evaluation"][
        "train_sizes"] == [0.25, 20]


def test_without_train_sizes_nothing_changes():
    exp = load_experiment({"evaluation": {"method": "cv", "folds": 3, "metrics": ["accuracy"]},
                           "pipelines": [{"steps": ["tokenize", "count", "multinomial_nb"]}]})
    (run,) = run_experiment(exp, [toy_data()])
    assert run.curve is None and len(run.plan.folds) == 3
    assert "learning_curve" not in summarize(exp, [run]).datasets[0].to_dict()


# -- crossovers ----------------------------------------------------------------------------


def test_crossovers_against_a_hand_made_example():
    names = ["cnn", "nbsvm", "logreg"]
    means = [[0.60, 0.70, 0.80, 0.82],    # cnn: behind nbsvm until 2,130, ahead from 4,265
             [0.70, 0.75, 0.78, 0.79],    # nbsvm
             [0.50, 0.75, 0.70, 0.90]]    # logreg: ties nbsvm at 2,130, crosses cnn twice
    docs = [1000, 2130, 4265, 8530]
    found = [c["text"] for c in crossovers(names, means, docs)]
    assert found == [
        "cnn overtakes nbsvm between 2,130 and 4,265 training documents",
        "logreg overtakes cnn between 1,000 and 2,130 training documents",
        "cnn overtakes logreg between 2,130 and 4,265 training documents",
        "logreg overtakes cnn between 4,265 and 8,530 training documents",
        # the tie at 2,130 is skipped: behind at 1,000, behind at 4,265, ahead at 8,530
        "logreg overtakes nbsvm between 4,265 and 8,530 training documents",
    ]
    assert crossovers(["a", "b"], [[0.1, 0.2], [0.3, 0.4]], [10, 20]) == []


def test_crossovers_of_a_loss_count_the_lower_curve_as_ahead():
    (found,) = crossovers(["a", "b"], [[0.9, 0.4], [0.6, 0.5]], [100, 200], lower_is_better=True)
    assert found["pipeline"] == "a" and found["overtakes"] == "b"
    assert found["between"] == [100.0, 200.0]


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("sizes, code", [
    ([], "E690"), ("half", "E690"), ([0.5, "all"], "E690"), ([0.5, True], "E690"),
    ([0], "E691"), ([-0.1], "E691"), ([1.5], "E692"), ([500.0], "E692"),
    ([0.5, 0.5], "E693"), ([10, 10], "E693"),
])
def test_a_wrong_train_sizes_names_the_file_and_key(tmp_path, sizes, code):
    path = tmp_path / "exp.yaml"
    path.write_text("evaluation:\n  method: cv\n  train_sizes: " + json.dumps(sizes)
                    + "\npipelines:\n  - steps: [tokenize, count, multinomial_nb]\n")
    with pytest.raises(ConfigError) as err:
        load_experiment(path)
    assert code in str(err.value) and "evaluation.train_sizes" in str(err.value)
    assert f"{path}, line 3" in str(err.value)


def test_a_count_above_the_smallest_training_fold_is_refused(tmp_path):
    path = tmp_path / "exp.yaml"
    path.write_text("evaluation: {method: cv, folds: 3, train_sizes: [41]}\n"
                    "pipelines:\n  - steps: [tokenize, count, multinomial_nb]\n")
    with pytest.raises(ConfigError, match=r"line 1: .*41 documents is more than the "
                                          r"smallest training part on toy has \(40, fold 1\).*\[E694\]"):
        run_experiment(load_experiment(path), [toy_data()])


def test_a_size_that_leaves_a_class_without_documents_is_refused():
    data = Dataset(texts=[f"t{i}" for i in range(44)], labels=["a"] * 40 + ["b"] * 4,
                   name="rare")
    exp = experiment([0.05], folds=2)   # 1 of 22 training documents: one class only
    with pytest.raises(ConfigError, match=r"size 0.05 trains on 1 documents in fold 1 on "
                                          r"rare, and none of them is of class '[ab]'.*\[E695\]"):
        run_experiment(exp, [data])


def test_two_sizes_giving_the_same_number_of_documents_are_refused():
    with pytest.raises(ConfigError, match=r"0.5 and 20 both give 20 training documents.*\[E696\]"):
        run_experiment(experiment([0.5, 20]), [toy_data()])


def test_parallel_jobs_and_a_cached_rerun_give_the_same_curve(tmp_path):
    exp = load_experiment({
        "evaluation": {"method": "holdout", "test_size": 0.25, "seed": 3,
                       "metrics": ["accuracy"], "train_sizes": [0.25, 0.5]},
        "pipelines": [{"name": "nb", "steps": ["tokenize", "count", "multinomial_nb"]},
                      {"name": "svm", "steps": ["tokenize", "count", "linear_svm"]}]})

    def curve(**options):
        return summarize(exp, run_experiment(exp, [toy_data()], **options)
                         ).datasets[0].learning_curve

    alone = curve(n_jobs=1, cache=tmp_path)
    # 3 training sets (1 split x 3 sizes), fewer than 4 workers: trunk first, then branches
    assert curve(n_jobs=4) == alone
    (rerun,) = run_experiment(exp, [toy_data()], cache=tmp_path)
    assert rerun.sharing()["steps_fitted"] == 0 and rerun.sharing()["cache_hits"] > 0
    assert summarize(exp, [rerun]).datasets[0].learning_curve == alone


def test_the_report_sentence_names_the_added_full_size_and_the_crossings():
    from textpipe.compare.learning import sentences

    curve = {"metric": "accuracy", "ci_method": "Wilson",
             "sizes": [{"documents": 100, "implicit": False},
                       {"documents": 400, "implicit": True}],
             "pipelines": [{"name": "a"}, {"name": "b"}],
             "crossovers": crossovers(["a", "b"], [[0.5, 0.9], [0.6, 0.8]], [100, 400])}
    assert sentences(curve) == (
        "The full training part (400 documents) is added as the last size: it is the "
        "leaderboard's result. Curves cross: a overtakes b between 100 and 400 training "
        "documents. Below: score [95% interval] per pipeline and size; intervals: Wilson, "
        "at each size.")
