import warnings

import pytest

from textpipe.config import load_config
from textpipe.data import Dataset
from textpipe.evaluation import evaluate, score

POS = ["good fun film", "great acting", "lovely and fun", "a great joy"]
NEG = ["bad dull film", "awful acting", "boring and dull", "a total mess"]


def toy_data(repeat=5):
    return Dataset(texts=(POS + NEG) * repeat, labels=(["pos"] * 4 + ["neg"] * 4) * repeat)


def config(**evaluation):
    return load_config({"steps": ["tokenize", "count", "multinomial_nb"],
                        "evaluation": {"method": "cv", "folds": 4, **evaluation}})


def test_evaluate_reports_mean_std_and_every_fold():
    result = evaluate(config(), toy_data())
    summary = result.summary()
    assert set(summary) == {"accuracy", "macro_f1"}
    assert len(summary["accuracy"]["folds"]) == 4
    assert summary["accuracy"]["mean"] == pytest.approx(1.0)


def test_timing_lists_every_step():
    timing = evaluate(config(), toy_data()).timing()
    assert list(timing["fit_seconds_per_fold"]) == ["tokenize", "count", "multinomial_nb"]
    assert timing["fit_total_per_fold"] >= 0


def test_same_config_and_seed_give_identical_scores_in_parallel_too():
    a = evaluate(config(seed=3), toy_data()).summary()
    b = evaluate(config(seed=3), toy_data(), n_jobs=2).summary()
    assert a == b


def test_result_json_has_metrics_timing_config_and_versions():
    doc = evaluate(config(), toy_data()).to_dict()
    assert {"metrics", "timing", "config", "versions", "data"} <= set(doc)
    assert doc["config"]["evaluation"]["method"] == "cv"
    assert doc["data"]["classes"] == ["neg", "pos"]
    assert len(doc["data"]["fingerprint"]) == 64


def test_unseen_test_labels_count_as_errors_with_a_warning():
    data = toy_data(2)
    data.test_texts, data.test_labels = ["good fun", "odd one"], ["pos", "other"]
    cfg = config()
    cfg.evaluation.method = "split"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = evaluate(cfg, data)
    assert result.summary()["accuracy"]["mean"] == pytest.approx(0.5)
    assert any("never seen in training" in str(w.message) for w in caught)


def test_score_matches_hand_computed_macro_f1():
    # class a: P=1, R=0.5 -> F1=2/3; class b: P=2/3, R=1 -> F1=0.8
    scores = score(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["accuracy", "macro_f1"])
    assert scores["accuracy"] == pytest.approx(0.75)
    assert scores["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)


def split_data():
    data = toy_data(3)
    data.test_texts = ["good fun", "awful mess", "great joy", "dull film", "fun", "bad"] * 3
    data.test_labels = ["pos", "neg", "pos", "neg", "pos", "neg"] * 3
    return data


def test_a_single_split_reports_the_score_with_its_interval_and_no_spread():
    cfg = config(metrics=["accuracy", "macro_f1"])
    cfg.evaluation.method = "split"
    summary = evaluate(cfg, split_data()).summary()
    accuracy, f1 = summary["accuracy"], summary["macro_f1"]
    assert accuracy["std"] is None and f1["std"] is None
    assert accuracy["ci_method"].startswith("Wilson")
    assert f1["ci_method"].startswith("percentile bootstrap")
    for m in (accuracy, f1):
        assert m["ci"][0] <= m["mean"] <= m["ci"][1]
    assert summary == evaluate(cfg, split_data()).summary()  # the bootstrap is seeded


def test_per_class_precision_recall_f1_pool_every_test_document_with_label_names():
    data = toy_data()
    data.label_names = {"pos": "positive", "neg": "negative"}
    result = evaluate(config(), data)
    rows = result.to_dict()["per_class"]
    assert [(r["label"], r["name"]) for r in rows] == [("neg", "negative"), ("pos", "positive")]
    assert sum(r["support"] for r in rows) == len(data)
    assert all(r["precision"] == r["recall"] == r["f1"] == 1.0 for r in rows)
    assert result.to_dict()["data"]["label_names"] == data.label_names


def test_per_class_scores_match_sklearn():
    from sklearn.metrics import precision_recall_fscore_support

    from textpipe.evaluation.metrics import per_class

    truth, predicted = list("aabbbcc"), list("abbbcca")
    rows = per_class(truth, predicted, ["a", "b", "c"], {"c": "C!"})
    p, r, f, n = precision_recall_fscore_support(truth, predicted, labels=["a", "b", "c"],
                                                 zero_division=0)
    assert [x["precision"] for x in rows] == pytest.approx(p)
    assert [x["recall"] for x in rows] == pytest.approx(r)
    assert [x["f1"] for x in rows] == pytest.approx(f)
    assert [x["support"] for x in rows] == list(n) and rows[2]["name"] == "C!"
