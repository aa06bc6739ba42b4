"""Error analysis in compare reports: confident errors, a pair's disagreements, config, escaping."""

import json
from types import SimpleNamespace

import numpy as np
import pytest

from textpipe.compare import compare, load_experiment, run_experiment, summarize
from textpipe.compare.mistakes import (ErrorsConfig, analyse_errors, check_pair,
                                       html_section, markdown_section)
from textpipe.compare.report import write_outputs
from textpipe.compare.runner import FoldRecord
from textpipe.compare.stats import mcnemar_test
from textpipe.data import Dataset
from textpipe.errors import ConfigError
from textpipe.evaluation.protocol import Fold, Plan

POS = ["good fun film", "great acting", "lovely and fun", "a great joy", "fine and good"]
NEG = ["bad dull film", "awful acting", "boring and dull", "a total mess", "dull and bad"]
NOISY = ["film", "acting", "and", "a", "the plot"]
PIPELINES = [{"name": "svm", "steps": ["tokenize", "count", "linear_svm"]},
             {"name": "nb", "steps": ["tokenize", "count", "multinomial_nb"]},
             {"name": "lr", "steps": ["tokenize", "count", "logreg"]}]


def toy(test=False):
    texts = (POS + NEG + NOISY * 2) * 3
    labels = (["pos"] * 5 + ["neg"] * 5 + ["pos"] * 5 + ["neg"] * 5) * 3
    extra = {"test_texts": POS + NEG + NOISY * 2,
             "test_labels": ["pos"] * 5 + ["neg"] * 5 + ["pos"] * 5 + ["neg"] * 5} if test else {}
    return Dataset(texts, labels, name="toy", **extra)


# -- hand-made runs -------------------------------------------------------------------------


def hand_made(outcomes, truth, texts=None, folds=None, examples=10, pair=None,
              metric_folds=None):
    """A run of pipelines with fixed predictions and confidences on one split (or given folds).

    ``outcomes``: name → (predictions, confidences or None), in rank order.
    """
    n = len(truth)
    texts = texts or [f"document {i}" for i in range(n)]
    folds = folds or [Fold(0, np.arange(0), np.arange(n))]
    plan = Plan("cv" if len(folds) > 1 else "holdout", texts,
                np.asarray(truth, dtype=object), folds)
    names = list(outcomes)
    records, summaries = {}, []
    for p, name in enumerate(names):
        predictions, confidence = outcomes[name]
        predictions = np.asarray(predictions, dtype=object)
        per_fold = []
        for fold in folds:
            conf = None if confidence is None else np.asarray(confidence, float)[fold.test]
            records[(p, fold.index)] = FoldRecord(
                scores={}, fit_seconds={}, predict_seconds={}, peak_bytes=0,
                predictions=predictions[fold.test], confidence=conf,
                confidence_kind=None if conf is None else "probability")
            per_fold.append(predictions[fold.test])
        summaries.append(SimpleNamespace(
            name=name, predictions=per_fold,
            metrics={"accuracy": {"folds": (metric_folds or {}).get(name, [])}}))
    experiment = SimpleNamespace(
        report=SimpleNamespace(errors=ErrorsConfig(examples=examples, pair=pair)),
        candidates=[SimpleNamespace(name=name) for name in names])
    protocol = {"folds": len(folds), "train_per_fold": 8.0, "test_per_fold": 2.0}
    return analyse_errors(experiment, SimpleNamespace(plan=plan, records=records), summaries,
                          primary="accuracy", protocol=protocol)


def test_most_confident_errors_come_first_by_the_score_of_the_wrong_label():
    truth = ["a", "a", "b", "b", "a", "b"]
    best = (["b", "a", "a", "b", "b", "a"], [0.6, 0.9, 0.95, 0.8, 0.6, 0.7])
    analysis = hand_made({"best": best}, truth)
    listed = analysis["most_confident_errors"]
    # wrong: documents 0 (0.6), 2 (0.95), 4 (0.6), 5 (0.7); ties in document order
    assert [d["document"] for d in listed] == [2, 5, 0, 4]
    assert [d["confidence"] for d in listed] == [0.95, 0.7, 0.6, 0.6]
    assert [(d["true"], d["predicted"]) for d in listed] == [
        ("b", "a"), ("b", "a"), ("a", "b"), ("a", "b")]
    assert listed[0]["text"] == "document 2"
    assert analysis["errors"] == 4 and analysis["documents"] == 6
    assert analysis["pair"] is None  # a single pipeline has nothing to compare with


def test_the_lists_are_capped_at_examples_and_documents_without_scores_keep_their_order():
    truth = ["a"] * 5
    analysis = hand_made({"best": (["b"] * 5, None)}, truth, examples=2)
    assert [d["document"] for d in analysis["most_confident_errors"]] == [0, 1]
    assert analysis["confidence"] is None and analysis["errors"] == 5


def test_disagreement_counts_are_mcnemars_b_and_c_on_a_hand_made_split():
    # 12 documents: A right on the first 10, B right on the last 2 only (the stats module's
    # example): b = 10, c = 2; exact two-sided binomial p = 2 * (1 + 12 + 66) / 2**12.
    truth = ["x"] * 12
    a = (["x"] * 10 + ["y"] * 2, [0.9] * 12)
    b = (["y"] * 10 + ["x"] * 2, [0.1 * (i % 10) for i in range(12)])
    pair = hand_made({"A": a, "B": b}, truth, examples=3)["pair"]
    assert (pair["a"], pair["b"], pair["chosen"]) == ("A", "B", "best and runner-up")
    assert (pair["only_a_right"], pair["only_b_right"]) == (10, 2)
    assert (pair["both_right"], pair["both_wrong"]) == (0, 0)
    assert pair["test"]["test"] == "exact binomial"
    assert pair["test"]["statistic"] == 2.0  # min(b, c)
    assert pair["test"]["p_value"] == pytest.approx(158 / 4096)
    # right by A, wrong by B: B's most confident wrong predictions first (0.9, 0.8, 0.7)
    assert [d["document"] for d in pair["only_a_right_examples"]] == [9, 8, 7]
    assert [d["predicted"] for d in pair["only_a_right_examples"]] == ["y"] * 3
    assert [d["document"] for d in pair["only_b_right_examples"]] == [10, 11]


def test_with_folds_disagreements_are_counted_over_every_test_fold():
    truth = ["p", "n", "p", "n", "p", "n"]
    folds = [Fold(0, np.array([3, 4, 5]), np.array([0, 1, 2])),
             Fold(1, np.array([0, 1, 2]), np.array([3, 4, 5]))]
    a = (["p", "n", "n", "n", "n", "n"], None)   # right: 0 1 3 5
    b = (["n", "n", "p", "p", "p", "n"], None)   # right: 1 2 4 5
    pair = hand_made({"A": a, "B": b}, truth, folds=folds,
                     metric_folds={"A": [2 / 3, 2 / 3], "B": [2 / 3, 2 / 3]})["pair"]
    # only A: documents 0 (fold 0) and 3 (fold 1); only B: 2 (fold 0) and 4 (fold 1)
    assert (pair["only_a_right"], pair["only_b_right"]) == (2, 2)
    assert (pair["both_right"], pair["both_wrong"]) == (2, 0)
    pooled = mcnemar_test(np.array(a[0]) == np.array(truth), np.array(b[0]) == np.array(truth))
    assert pooled.statistic == min(pair["only_a_right"], pair["only_b_right"])
    assert [(d["document"], d["fold"]) for d in pair["only_a_right_examples"]] == [(0, 0), (3, 1)]
    # the leaderboard's cross-validation test: equal fold scores give t = 0, p = 1
    assert pair["test"]["test"] == "corrected resampled t" and pair["test"]["p_value"] == 1.0


def test_a_pair_named_in_the_experiment_replaces_best_and_runner_up():
    truth = ["x", "x", "x"]
    outcomes = {"A": (["x", "x", "x"], None), "B": (["y", "x", "x"], None),
                "C": (["y", "y", "x"], None)}
    pair = hand_made(outcomes, truth, pair=["C", "B"])["pair"]
    assert (pair["a"], pair["b"], pair["chosen"]) == ("C", "B", "report.errors.pair")
    assert (pair["only_a_right"], pair["only_b_right"], pair["both_right"]) == (0, 1, 1)
    # an optional pipeline skipped in this run: the best and the runner-up, with a note
    analysis = hand_made(outcomes, truth, pair=["C", "elmo"])
    assert (analysis["pair"]["a"], analysis["pair"]["b"]) == ("A", "B")
    assert analysis["notes"] == ["report.errors.pair names 'elmo', skipped in this run; "
                                 "showing the best and the runner-up instead."]


# -- real runs -------------------------------------------------------------------------------


def test_on_a_split_the_counts_are_those_of_the_leaderboards_mcnemar_test():
    exp = load_experiment({"evaluation": {"method": "split"}, "pipelines": PIPELINES,
                           "report": {"errors": {"examples": 4}}})
    board = summarize(exp, run_experiment(exp, [toy(test=True)])).datasets[0]
    pair = board.error_analysis["pair"]
    best, second = board.pipelines[0], board.pipelines[1]
    assert (pair["a"], pair["b"]) == (best.name, second.name)
    # vs_best tests (runner-up, best): its b is our c and the other way round
    truth = np.asarray(toy(test=True).test_labels, dtype=object)
    direct = mcnemar_test(second.predictions[0] == truth, best.predictions[0] == truth)
    assert second.vs_best["p_value"] == pair["test"]["p_value"] == direct.p_value
    assert second.vs_best["statistic"] == direct.statistic
    right_b = np.sum((second.predictions[0] == truth) & (best.predictions[0] != truth))
    right_a = np.sum((second.predictions[0] != truth) & (best.predictions[0] == truth))
    assert (pair["only_a_right"], pair["only_b_right"]) == (right_a, right_b)
    listed = board.error_analysis["most_confident_errors"]
    assert all(d["part"] == "test" and d["text"] == toy(True).test_texts[d["document"]]
               for d in listed)
    assert len(listed) == min(4, board.error_analysis["errors"])


def test_the_runner_keeps_confidences_without_fitting_anything_twice():
    plain = load_experiment({"evaluation": {"method": "cv", "folds": 3}, "pipelines": PIPELINES,
                             "report": {"errors": {"examples": 0}}})
    wanted = load_experiment({"evaluation": {"method": "cv", "folds": 3}, "pipelines": PIPELINES})
    without, with_ = run_experiment(plain, [toy()])[0], run_experiment(wanted, [toy()])[0]
    assert with_.fit_counts == without.fit_counts
    assert all(r.confidence is None for r in without.records.values())
    kinds = {p: with_.records[(p, 0)].confidence_kind for p in range(3)}
    assert kinds == {0: "decision score", 1: "probability", 2: "probability"}
    record = with_.records[(1, 0)]
    assert record.confidence.shape == record.predictions.shape
    assert np.all((record.confidence >= 0.5) & (record.confidence <= 1))  # argmax of 2 classes


# -- the experiment file -----------------------------------------------------------------


def write(tmp_path, report):
    lines = ["evaluation: {method: cv, folds: 3}", "pipelines:"]
    lines += [f"  - name: {p['name']}\n    steps: [tokenize, count, {p['steps'][-1]}]"
              for p in PIPELINES]
    path = tmp_path / "exp.yaml"
    path.write_text("\n".join(lines + [f"report: {report}"]) + "\n")
    return path


def test_an_unknown_pipeline_in_the_pair_is_named_with_the_file_and_a_suggestion(tmp_path):
    path = write(tmp_path, "{errors: {pair: [svm, lrr]}}")
    with pytest.raises(ConfigError) as caught:
        load_experiment(path)
    message = str(caught.value)
    assert "exp.yaml" in message and "report.errors.pair" in message
    assert "'lrr'" in message and "Did you mean 'lr'?" in message
    assert "'svm', 'nb', 'lr'" in message
    assert caught.value.code == "E910"


def test_a_pair_must_name_two_different_pipelines(tmp_path):
    with pytest.raises(ConfigError, match="names 'nb' twice") as caught:
        load_experiment(write(tmp_path, "{errors: {pair: [nb, nb]}}"))
    assert caught.value.code == "E911"
    with pytest.raises(ConfigError, match="pair"):
        load_experiment(write(tmp_path, "{errors: {pair: [nb]}}"))
    with pytest.raises(ConfigError, match="examples"):
        load_experiment(write(tmp_path, "{errors: {examples: -1}}"))


def test_a_skipped_optional_pipeline_may_be_named_in_the_pair():
    report = SimpleNamespace(errors=ErrorsConfig(pair=["svm", "elmo"]))
    assert check_pair(report, ["svm", "nb"], skipped=["elmo"]) == []
    assert [m.code for m, _ in check_pair(report, ["svm", "nb"])] == ["E910"]


# -- the report ------------------------------------------------------------------------------


def test_texts_are_escaped_in_the_html_and_markdown_reports(tmp_path):
    nasty = "<script>alert('x')</script> awful dull & bad | *bold*"
    data = Dataset(["good fun", "great fun", "bad dull", "awful dull"] * 3,
                   ["pos", "pos", "neg", "neg"] * 3, name="toy",
                   test_texts=[nasty, "good fun"], test_labels=["pos", "pos"],
                   label_names={"pos": "positive", "neg": "negative"})
    results = compare({"evaluation": {"method": "split"}, "pipelines": PIPELINES},
                      datasets=[data])
    board = results.datasets[0]
    assert [d["text"] for d in board.error_analysis["most_confident_errors"]] == [nasty]
    section = html_section(board)
    assert "<script>" not in section
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; awful dull &amp; bad" in section
    assert "positive (pos)" in section and "negative (neg)" in section  # as elsewhere
    markdown = "\n".join(markdown_section(board))
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert r"bad \| \*bold\*" in markdown
    write_outputs(results, tmp_path)
    assert "<script>" not in (tmp_path / "report.html").read_text()
    assert "<script>" not in (tmp_path / "report.md").read_text()
    saved = json.loads((tmp_path / "results.json").read_text())["datasets"][0]
    assert saved["error_analysis"]["most_confident_errors"][0]["text"] == nasty
    assert saved["error_analysis"]["most_confident_errors"][0]["document"] == 0


def test_a_listed_document_given_an_explanation_shows_it_in_its_table():
    analysis = hand_made({"best": (["b", "a"], [0.8, 0.9])}, ["a", "a"])
    board = SimpleNamespace(error_analysis=analysis, data={"label_names": None},
                            protocol={"folds": 1})
    assert "explanation" not in html_section(board)
    analysis["most_confident_errors"][0]["explanation"] = "dull (+0.4) <b>"
    section = html_section(board)
    assert "<th style='text-align:left'>explanation</th>" in section
    assert "dull (+0.4) &lt;b&gt;" in section
    assert "dull (+0.4) &lt;b&gt;" in "\n".join(markdown_section(board))
