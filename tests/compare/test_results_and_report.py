"""Summaries, ranks and tests against the best; the files of a report."""

import csv
import json
import re

import numpy as np
import pytest
import yaml

from textpipe.compare import compare, load_experiment, run_experiment, summarize
from textpipe.compare.report import leaderboard_rows, write_outputs
from textpipe.compare import plots
from textpipe.compare import report as report_module
from textpipe.compare.stats import (
    corrected_resampled_ttest,
    cv_interval,
    mcnemar_test,
    wilson_interval,
)
from textpipe.data import Dataset
from textpipe.evaluation.intervals import split_interval

POS = ["good fun film", "great acting", "lovely and fun", "a great joy", "fine and good"]
NEG = ["bad dull film", "awful acting", "boring and dull", "a total mess", "dull and bad"]
NOISY = ["film", "acting", "and", "a", "the plot"]


def data(test=False):
    texts = (POS + NEG + NOISY * 2) * 3
    labels = (["pos"] * 5 + ["neg"] * 5 + ["pos"] * 5 + ["neg"] * 5) * 3
    if not test:
        return Dataset(texts, labels, name="toy")
    return Dataset(texts, labels, test_texts=POS + NEG + NOISY * 2,
                   test_labels=["pos"] * 5 + ["neg"] * 5 + ["pos"] * 5 + ["neg"] * 5, name="toy")


EXPERIMENT = {
    "name": "toy comparison",
    "evaluation": {"method": "cv", "folds": 3, "seed": 0, "metrics": ["accuracy", "macro_f1"]},
    "pipelines": [
        {"name": "svm", "steps": ["tokenize", "count", "linear_svm"]},
        {"name": "nb", "steps": ["tokenize", "count", "multinomial_nb"]},
        {"name": "chars", "steps": [{"tokenize": {"backend": "char_wb", "ngram_range": [2, 2]}},
                                    "count", "linear_svm"]},
    ],
    "report": {"top_features": 4},
}


@pytest.fixture(scope="module")
def cv_results():
    exp = load_experiment(EXPERIMENT)
    return exp, summarize(exp, run_experiment(exp, [data()]))


def test_pipelines_are_ranked_by_the_first_metric_with_tests_against_the_best(cv_results):
    exp, results = cv_results
    board = results.datasets[0]
    means = [p.metrics["accuracy"]["mean"] for p in board.pipelines]
    assert means == sorted(means, reverse=True)
    assert [p.rank for p in board.pipelines] == [1, 2, 3]
    assert board.best.vs_best is None
    for p in board.pipelines[1:]:
        expected = corrected_resampled_ttest(
            p.metrics["accuracy"]["folds"], board.best.metrics["accuracy"]["folds"],
            n_train=40, n_test=20)                # 60 documents, 3 folds
        assert p.vs_best["p_value"] == pytest.approx(expected.p_value)
        assert p.vs_best["significant"] == (expected.p_value < 0.05)
        assert p.vs_best["delta"] == pytest.approx(
            p.metrics["accuracy"]["mean"] - board.best.metrics["accuracy"]["mean"])


def test_summary_holds_mean_std_ci_and_fold_scores(cv_results):
    _, results = cv_results
    m = results.datasets[0].pipelines[0].metrics["macro_f1"]
    assert len(m["folds"]) == 3
    assert m["mean"] == pytest.approx(np.mean(m["folds"]))
    assert m["std"] == pytest.approx(np.std(m["folds"], ddof=1))
    assert m["ci"][0] <= m["mean"] <= m["ci"][1]


def test_confusion_matrix_of_the_best_counts_every_document_once(cv_results):
    _, results = cv_results
    confusion = results.datasets[0].confusion
    assert confusion["labels"] == ["neg", "pos"]
    assert np.sum(confusion["matrix"]) == 60
    assert confusion["pipeline"] == results.datasets[0].best.name


def test_top_features_of_a_linear_model_are_averaged_over_folds(cv_results):
    _, results = cv_results
    svm = next(p for p in results.datasets[0].pipelines if p.name == "svm")
    assert set(svm.top_features) == {"pos", "neg"}
    assert len(svm.top_features["pos"]) == 4
    weights = [w for _, w in svm.top_features["pos"]]
    assert weights == sorted(weights, reverse=True)
    assert {"good", "great", "fun"} & {f for f, _ in svm.top_features["pos"]}


def test_a_single_split_uses_mcnemar_wilson_for_accuracy_and_a_bootstrap_otherwise():
    exp = load_experiment(dict(EXPERIMENT, evaluation={"method": "split",
                                                       "metrics": ["accuracy", "macro_f1"]}))
    results = summarize(exp, run_experiment(exp, [data(test=True)]))
    board = results.datasets[0]
    truth = np.asarray(["pos"] * 5 + ["neg"] * 5 + ["pos"] * 5 + ["neg"] * 5, dtype=object)
    best = board.best
    correct = int(np.sum(best.predictions[0] == truth))
    assert best.metrics["accuracy"]["ci"] == pytest.approx(list(wilson_interval(correct, 20)))
    expected_f1 = split_interval("macro_f1", truth, best.predictions[0],
                                 seed=exp.evaluation.seed)
    assert best.metrics["macro_f1"]["ci"] == pytest.approx([expected_f1.low, expected_f1.high])
    assert best.metrics["accuracy"]["std"] is None
    other = board.pipelines[1]
    expected = mcnemar_test(other.predictions[0] == truth, best.predictions[0] == truth)
    assert other.vs_best["test"] == expected.method
    assert other.vs_best["p_value"] == pytest.approx(expected.p_value)
    assert board.protocol["test"] == "McNemar's test"


def test_rerunning_gives_identical_numbers(cv_results):
    exp, results = cv_results
    again = summarize(exp, run_experiment(exp, [data()]))
    def numbers(r):
        return [(p.name, p.metrics, p.vs_best) for p in r.datasets[0].pipelines]
    assert numbers(results) == numbers(again)


def test_write_outputs_makes_a_self_contained_report_and_machine_readable_files(
        cv_results, tmp_path):
    _, results = cv_results
    written = write_outputs(results, tmp_path)
    names = {p.name for p in written}
    assert {"results.json", "results.csv", "experiment.yaml", "report.html",
            "report.md"} <= names
    pngs = sorted(n for n in names if n.endswith(".png"))
    assert pngs == ["1-toy-confusion.png", "1-toy-features.png", "1-toy-folds.png",
                    "1-toy-scores.png", "1-toy-time.png"]

    document = json.loads((tmp_path / "results.json").read_text())
    board = document["datasets"][0]
    assert board["best"] == results.datasets[0].best.name
    assert board["data"]["fingerprint"] == data().fingerprint()
    assert document["environment"]["seed"] == 0
    assert "scikit-learn" in document["environment"]["versions"]
    assert "cpu_count" in document["environment"]["machine"]
    assert document["config"]["pipelines"][0]["steps"][0] == {
        "tokenize": load_experiment(EXPERIMENT).candidates[0].config.to_dict()["steps"][0][
            "tokenize"]}

    rows = list(csv.DictReader(open(tmp_path / "results.csv", encoding="utf-8")))
    assert len(rows) == 3 * 2 and {r["metric"] for r in rows} == {"accuracy", "macro_f1"}

    page = (tmp_path / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 5
    assert not re.search(r"""src=['"](?!data:)""", page)     # nothing fetched from outside
    assert data().fingerprint() in page and "Nadeau" in page
    markdown = (tmp_path / "report.md").read_text()
    for png in pngs:
        assert f"]({png})" in markdown
    resolved = yaml.safe_load((tmp_path / "experiment.yaml").read_text())
    assert [p["name"] for p in resolved["pipelines"]] == ["svm", "nb", "chars"]


def test_compare_accepts_a_file_and_data_paths(tmp_path):
    (tmp_path / "toy.txt").write_text(
        "\n".join(f"{label} {text}" for text, label in zip(data().texts, data().labels)) + "\n",
        encoding="utf-8")
    (tmp_path / "exp.yaml").write_text(yaml.safe_dump(dict(EXPERIMENT, data={"path": "toy.txt"})))
    results = compare(tmp_path / "exp.yaml")
    assert results.datasets[0].data["n_train"] == 60
    assert results.name == "toy comparison"


def test_the_report_and_json_give_each_pipelines_interval_as_computed_by_hand(
        cv_results, tmp_path):
    _, results = cv_results
    write_outputs(results, tmp_path)
    document = json.loads((tmp_path / "results.json").read_text())
    markdown = (tmp_path / "report.md").read_text()
    pipelines = document["datasets"][0]["pipelines"]
    assert [p["name"] for p in pipelines] == [p.name for p in results.datasets[0].pipelines]
    for p in pipelines:
        for metric in ("accuracy", "macro_f1"):
            folds = p["metrics"][metric]["folds"]
            assert len(folds) == 3
            mean, std = sum(folds) / 3, float(np.std(folds, ddof=1))
            low, high = cv_interval(folds, n_train=40, n_test=20)   # 60 documents, 3 folds
            assert p["metrics"][metric]["mean"] == pytest.approx(mean)
            assert p["metrics"][metric]["std"] == pytest.approx(std)
            assert p["metrics"][metric]["ci"] == pytest.approx([low, high])
        # the leaderboard row of this pipeline, in report.md
        row = next(line for line in markdown.splitlines()
                   if line.startswith(f"| {p['rank']} | {p['name']} |"))
        folds = p["metrics"]["accuracy"]["folds"]
        low, high = cv_interval(folds, n_train=40, n_test=20)
        assert f"| {sum(folds) / 3:.4f} ± {np.std(folds, ddof=1):.4f} |" in row
        assert f"| [{low:.4f}, {high:.4f}] |" in row


def test_the_html_report_has_the_five_figures_each_under_its_caption(cv_results, tmp_path):
    import base64

    _, results = cv_results
    write_outputs(results, tmp_path)
    page = (tmp_path / "report.html").read_text()
    board = results.datasets[0]
    linear = next(p for p in board.pipelines if p.top_features)
    captions = [
        "Scores with 95% confidence intervals",
        "Per-fold scores",
        "Fit time against score",
        f"Confusion matrix of the best pipeline ({board.best.name})",
        f"Most informative features: {linear.name} (the best-ranked linear model, "
        f"rank {linear.rank})",
    ]
    images = re.findall(r"<h3>([^<]*)</h3><img alt='([^']*)' src='data:image/png;base64,"
                        r"([A-Za-z0-9+/=]+)'>", page)
    assert [(h3, alt) for h3, alt, _ in images] == [(c, c) for c in captions]
    for _, _, encoded in images:
        png = base64.b64decode(encoded)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_the_report_words_sizes_as_the_protocol_uses_them(cv_results, tmp_path):
    _, results = cv_results
    write_outputs(results, tmp_path)
    for name in ("report.md", "report.html"):
        text = (tmp_path / name).read_text()
        assert "60 documents in 3 folds, each training on about 40 and testing on about 20" \
            in text
        assert "training documents" not in text     # under CV no document is only training


def _lines_at(ax, y):
    return [line for line in ax.get_lines() if list(line.get_ydata()) in ([y], [y, y])]


def _rows_by_name(ax):
    return {t.get_text(): y for y, t in zip(ax.get_yticks(), ax.get_yticklabels())}


def test_the_scores_plot_shows_each_mean_and_interval_best_at_the_top(cv_results):
    _, results = cv_results
    board = results.datasets[0]
    ax = plots.scores(board).axes[0]
    rows = _rows_by_name(ax)
    assert sorted(rows, key=rows.get, reverse=True) == [p.name for p in board.pipelines]
    for p in board.pipelines:
        m = p.metrics["accuracy"]
        lines = _lines_at(ax, rows[p.name])
        assert [list(line.get_xdata()) for line in lines] == [m["ci"], [m["mean"]]]
    assert "95% CI" in ax.get_xlabel()


def test_the_folds_plot_shows_every_fold_score(cv_results):
    _, results = cv_results
    board = results.datasets[0]
    ax = plots.folds(board).axes[0]
    rows = _rows_by_name(ax)
    for p in board.pipelines:
        points = [line.get_xdata()[0] for line in _lines_at(ax, rows[p.name])
                  if line.get_marker() == "o"]
        assert points == p.metrics["accuracy"]["folds"]


def test_the_time_plot_puts_each_pipeline_at_its_fit_time_and_score(cv_results):
    _, results = cv_results
    ax = plots.time_vs_score(results.datasets[0]).axes[0]
    points = {(line.get_xdata()[0], line.get_ydata()[0]) for line in ax.get_lines()
              if line.get_marker() == "o"}
    assert points == {(max(p.fit_seconds, 1e-3), p.metrics["accuracy"]["mean"])
                      for p in results.datasets[0].pipelines}
    assert ax.get_xscale() == "log"


def test_the_confusion_plot_shows_the_best_pipelines_counts(cv_results):
    _, results = cv_results
    board = results.datasets[0]
    ax = plots.confusion(board).axes[0]
    assert np.array_equal(ax.images[0].get_array(), np.asarray(board.confusion["matrix"]))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["neg", "pos"]
    assert ax.get_title() == board.best.name


def test_the_features_plot_shows_the_averaged_weights_per_class(cv_results):
    _, results = cv_results
    svm = next(p for p in results.datasets[0].pipelines if p.name == "svm")
    fig = plots.top_features(svm, 4)
    for ax, (label, items) in zip(fig.axes, svm.top_features.items()):
        assert ax.get_title().startswith(f"class {label}")
        bars = [patch.get_width() for patch in ax.patches]
        assert bars == pytest.approx([w for _, w in items][::-1])     # largest at the top
        assert [t.get_text() for t in ax.get_yticklabels()] == [f for f, _ in items][::-1]


def test_a_single_split_report_shows_each_score_with_its_interval_and_nothing_per_fold(
        tmp_path):
    exp = load_experiment(dict(EXPERIMENT, evaluation={"method": "split",
                                                       "metrics": ["accuracy", "macro_f1"]}))
    results = summarize(exp, run_experiment(exp, [data(test=True)]))
    write_outputs(results, tmp_path)
    for name in ("report.md", "report.html"):
        text = (tmp_path / name).read_text()
        assert "±" not in text and "Per-fold" not in text and "mean ± std" not in text
        assert "Scores with their 95% intervals" in text and "bootstrap" in text
        assert "over folds" not in text
    assert not list(tmp_path.glob("*-folds.png"))
    board = results.datasets[0]
    assert plots.scores(board).axes[0].get_xlabel() == "accuracy (score and its 95% interval)"
    assert "mean" not in plots.time_vs_score(board).axes[0].get_ylabel()
    rows = leaderboard_rows(board)
    assert all("±" not in row["mean"] and row["ci"] != "—" for row in rows)


def test_binary_top_features_say_which_class_each_sign_of_the_weight_points_to(
        cv_results, tmp_path):
    _, results = cv_results
    svm = next(p for p in results.datasets[0].pipelines if p.name == "svm")
    positive, negative = svm.top_features          # the coefficient's class, then the other
    fig = plots.top_features(svm, 4)
    assert [ax.get_xlabel() for ax in fig.axes[:2]] == [
        f"weight (> 0 points to {positive})", f"−weight (weight < 0 points to {negative})"]
    header, _ = report_module._features_table(svm, 4)
    assert header[1:] == [f"class {positive} (weight > 0)",
                          f"class {negative} (−weight: weight < 0)"]


def test_the_report_shows_the_best_pipelines_per_class_scores_by_label_name(tmp_path):
    named = data()
    named.label_names = {"pos": "positive", "neg": "negative"}
    exp = load_experiment(EXPERIMENT)
    results = summarize(exp, run_experiment(exp, [named]))
    board = results.datasets[0]
    rows = board.per_class
    assert [(r["label"], r["name"]) for r in rows] == [("neg", "negative"), ("pos", "positive")]
    matrix = np.asarray(board.confusion["matrix"])
    assert [r["support"] for r in rows] == list(matrix.sum(axis=1))
    assert rows[1]["recall"] == pytest.approx(matrix[1, 1] / matrix[1].sum())
    assert results.to_dict()["datasets"][0]["per_class"] == rows
    write_outputs(results, tmp_path)
    for name in ("report.md", "report.html"):
        text = (tmp_path / name).read_text()
        assert f"Per-class scores of the best pipeline ({board.best.name})" in text
        assert "negative" in text and "positive" in text
    ax = plots.confusion(board).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["negative", "positive"]


def test_top_features_name_each_class_by_its_label_name():
    named = data()
    named.label_names = {"pos": "positive", "neg": "negative"}
    exp = load_experiment(EXPERIMENT)
    board = summarize(exp, run_experiment(exp, [named])).datasets[0]
    svm = next(p for p in board.pipelines if p.name == "svm")
    names = board.data["label_names"]
    fig = plots.top_features(svm, 4, names)
    assert [ax.get_title() for ax in fig.axes[:2]] == ["class positive (pos)",
                                                      "class negative (neg)"]
    assert "points to positive" in fig.axes[0].get_xlabel()
    header, _ = report_module._features_table(svm, 4, names)
    assert header[1:] == ["class positive (pos) (weight > 0)",
                          "class negative (neg) (−weight: weight < 0)"]


def test_probability_metrics_in_compare_rank_log_loss_lowest_first_and_get_a_split_interval():
    exp = load_experiment(dict(
        EXPERIMENT, evaluation={"method": "split",
                                "metrics": ["log_loss", "roc_auc", "average_precision"]},
        pipelines=[{"name": "nb", "steps": ["tokenize", "count", "multinomial_nb"]},
                   {"name": "lr", "steps": ["tokenize", "count", {"logreg": {"C": 0.01}}]}]))
    board = summarize(exp, run_experiment(exp, [data(test=True)])).datasets[0]
    losses = [p.metrics["log_loss"]["mean"] for p in board.pipelines]
    assert losses == sorted(losses)                       # lower is better
    for p in board.pipelines:
        for name in ("log_loss", "roc_auc", "average_precision"):
            m = p.metrics[name]
            assert m["ci"][0] <= m["mean"] <= m["ci"][1], (p.name, name)


def test_roc_auc_in_compare_uses_the_decision_function_of_a_classifier_without_probabilities():
    exp = load_experiment(dict(EXPERIMENT, evaluation={"method": "cv", "folds": 3,
                                                       "metrics": ["roc_auc"]}))
    board = summarize(exp, run_experiment(exp, [data()])).datasets[0]
    svm = next(p for p in board.pipelines if p.name == "svm")
    assert 0.5 < svm.metrics["roc_auc"]["mean"] <= 1.0
