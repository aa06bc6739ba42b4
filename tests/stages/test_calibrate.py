"""The calibrate stage: margin classifiers give calibrated probabilities, in a pipeline,
through validate, train, score, and a saved model."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from sklearn.base import clone

from textpipe.cli import main
from textpipe.config import load_pipeline
from textpipe.errors import ConfigError, InputError
from textpipe.stages.calibrate import Calibrate
from textpipe.stages.vectorize import TfidfVectors

POS = ["great fun film", "a superb moving story", "fun and great acting", "superb film"]
NEG = ["dull slow plot", "a boring weak story", "slow and dull acting", "weak film"]
TEXTS = (POS + NEG) * 3
LABELS = (["pos"] * 4 + ["neg"] * 4) * 3


@pytest.fixture(scope="module")
def features():
    return TfidfVectors().fit_transform([t.split() for t in TEXTS]), np.array(LABELS)


@pytest.mark.parametrize("classifier", ["linear_svm", "nbsvm", "sgd"])
def test_a_margin_classifier_gives_probabilities_that_sum_to_one(classifier, features):
    X, y = features
    clf = Calibrate(classifier=classifier, cv=3, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(y), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert ((proba >= 0) & (proba <= 1)).all()
    assert np.mean(clf.predict(X) == y) >= 0.9
    assert (clf.classes_[proba.argmax(1)] == clf.predict(X)).all()


def test_params_reach_the_wrapped_classifier_and_survive_clone_and_pickle(features):
    X, y = features
    clf = Calibrate(classifier="linear_svm", params={"C": 0.5}, method="isotonic", cv=3,
                    random_state=0)
    assert clone(clf).get_params() == clf.get_params()
    clf.fit(X, y)
    assert clf.calibrated_.calibrated_classifiers_[0].estimator.C == 0.5
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(restored.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("params, bad", [
    (dict(classifier="cnn"), "classifier"),
    (dict(classifier="no_such"), "classifier"),
    (dict(params={"C": -1}), "params"),
    (dict(method="platt"), "method"),
    (dict(cv=1), "cv"),
])
def test_bad_parameters_are_config_errors_naming_them(params, bad):
    with pytest.raises(ConfigError) as info:
        Calibrate(**params).check_params()
    assert f"'{bad}'" in str(info.value) or bad in str(info.value)


def test_fewer_documents_of_a_class_than_folds_is_an_input_error(features):
    X, y = features
    with pytest.raises(InputError, match="cv=5"):
        Calibrate(cv=5).fit(X[:6], ["pos"] * 4 + ["neg"] * 2)


def test_validate_checks_the_wrapped_classifier_in_yaml(tmp_path, capsys):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text("steps: [tokenize, tfidf, {calibrate: {classifier: nbsvm, cv: 3}}]\n",
                    encoding="utf-8")
    bad.write_text("steps: [tokenize, tfidf, {calibrate: {params: {C: -1}}}]\n",
                   encoding="utf-8")
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(bad)]) == 1
    assert "C" in capsys.readouterr().err


def test_train_then_score_writes_calibrated_probabilities(tmp_path):
    (tmp_path / "train.txt").write_text(
        "".join(f"{label} {text}\n" for text, label in zip(TEXTS, LABELS)), encoding="utf-8")
    config = tmp_path / "p.yaml"
    config.write_text("data: {path: train.txt}\n"
                      "steps: [tokenize, tfidf, {calibrate: {classifier: linear_svm, cv: 3}}]\n",
                      encoding="utf-8")
    pipeline = load_pipeline(config).fit(TEXTS, LABELS)
    np.testing.assert_allclose(pipeline.predict_proba(["great fun"]).sum(), 1.0)
    assert main(["train", str(config), "--out", str(tmp_path / "model")]) == 0
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "great superb fun"}\n{"text": "dull weak plot"}\n',
                   encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["score", str(tmp_path / "model"), str(src), "-o", str(out), "-q"]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["label"] for r in rows] == ["pos", "neg"]
    for row in rows:
        assert set(row) == {"id", "label", "proba_neg", "proba_pos"}
        assert row["proba_neg"] + row["proba_pos"] == pytest.approx(1.0)
        assert row[f"proba_{row['label']}"] > 0.5


def test_run_and_compare_a_calibrated_classifier(tmp_path, capsys):
    lines = [f"pos good fun film {i}" for i in range(6)] + [f"neg bad dull film {i}"
                                                            for i in range(6)]
    (tmp_path / "toy.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    head = ("data: {path: toy.txt}\n"
            "evaluation: {method: cv, folds: 2, seed: 0, metrics: [accuracy]}\n")
    pipeline = tmp_path / "p.yaml"
    pipeline.write_text(head + "steps: [tokenize, count, {calibrate: {classifier: nbsvm, "
                               "params: {C: 0.5}, cv: 2}}]\n", encoding="utf-8")
    assert main(["run", str(pipeline)]) == 0
    experiment = tmp_path / "exp.yaml"
    experiment.write_text("name: toy\n" + head + "grid:\n  base: [tokenize, count, "
                          "{calibrate: {cv: 2}}]\n  params:\n"
                          "    calibrate.method: [sigmoid, isotonic]\n", encoding="utf-8")
    assert main(["compare", str(experiment), "--out", str(tmp_path / "report")]) == 0
    out = capsys.readouterr().out
    assert "method=isotonic" in out or "isotonic" in out
