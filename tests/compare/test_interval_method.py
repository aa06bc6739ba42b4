"""results.json says once per dataset how its intervals were computed (``protocol``)."""

import json

from textpipe.compare import load_experiment, run_experiment, summarize
from textpipe.data import Dataset

POS = ["good fun film", "great acting", "lovely and fun", "a great joy", "fine and good"]
NEG = ["bad dull film", "awful acting", "boring and dull", "a total mess", "dull and bad"]
PIPELINES = [{"name": "svm", "steps": ["tokenize", "count", "linear_svm"]},
             {"name": "nb", "steps": ["tokenize", "count", "multinomial_nb"]}]


def results(evaluation, dataset):
    exp = load_experiment({"evaluation": {**evaluation, "metrics": ["accuracy", "macro_f1"]},
                           "pipelines": PIPELINES})
    doc = summarize(exp, run_experiment(exp, [dataset])).to_dict()
    return json.loads(json.dumps(doc))["datasets"][0]


def test_cross_validation_names_its_interval_once_in_the_protocol():
    data = results({"method": "cv", "folds": 3, "seed": 0},
                   Dataset((POS + NEG) * 3, (["pos"] * 5 + ["neg"] * 5) * 3, name="toy"))
    method = "t over 3 folds, Nadeau-Bengio corrected"
    assert data["protocol"]["interval_method"] == method
    assert data["protocol"]["interval_methods"] == {"accuracy": method, "macro_f1": method}
    assert [p["ci_method"] for p in data["pipelines"]] == [method, method]  # kept as before


def test_a_single_split_names_each_metrics_interval():
    data = results({"method": "split", "seed": 0},
                   Dataset((POS + NEG) * 2, (["pos"] * 5 + ["neg"] * 5) * 2, name="toy",
                           test_texts=POS + NEG, test_labels=["pos"] * 5 + ["neg"] * 5))
    methods = data["protocol"]["interval_methods"]
    assert "Wilson" in methods["accuracy"] and "bootstrap" in methods["macro_f1"]
    assert data["protocol"]["interval_method"] == methods["accuracy"]
    assert all(p["ci_method"] == methods["accuracy"] for p in data["pipelines"])
