"""``epochs`` (a fixed number of passes) and ``max_epochs`` (an upper bound) are not swapped silently."""

import pytest

from textpipe.cli import main
from textpipe.compare import load_experiment
from textpipe.config import load_config
from textpipe.errors import ConfigError
from textpipe.registry import get_stage


def problem(steps):
    with pytest.raises(ConfigError) as info:
        load_config({"steps": steps})
    (err,) = getattr(info.value, "errors", [info.value])
    return err


@pytest.mark.parametrize("stage", ["bilstm", "cnn", "transformer_classifier"])
def test_epochs_on_a_neural_classifier_explains_max_epochs(stage):
    err = problem([{stage: {"epochs": 3}}])
    assert err.code == "E737" and err.param == "epochs"
    assert "'max_epochs', an upper bound" in err.message and "early_stopping" in err.message
    assert "fixed number of passes" in err.message


@pytest.mark.parametrize("stage", ["word2vec", "fasttext", "glove"])
def test_max_epochs_on_word_vectors_explains_epochs(stage):
    err = problem(["tokenize", {stage: {"max_epochs": 3}}, "logreg"])
    assert err.code == "E738" and err.param == "max_epochs"
    assert "fixed number of passes, 'epochs'" in err.message and "no early stopping" in err.message


def test_epochs_on_a_stage_that_has_neither_is_a_plain_unknown_parameter():
    assert problem(["tokenize", {"tfidf": {"epochs": 3}}, "logreg"]).code == "E005"


def test_a_grid_key_with_the_other_name_gets_the_same_explanation():
    with pytest.raises(ConfigError, match=r"'max_epochs', an upper bound.*\[E737\]"):
        load_experiment({"grid": {"base": ["tokenize", "cnn"], "params": {"cnn.epochs": [1, 2]}}})


def test_validate_prints_the_explanation(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text("steps:\n  - cnn: {epochs: 5}\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr()
    assert "'max_epochs', an upper bound" in err.out + err.err


def test_each_stage_documents_which_of_the_two_it_means():
    for name in ("bilstm", "cnn", "transformer_classifier"):
        doc = {p.name: p.doc for p in get_stage(name).parameters}["max_epochs"]
        assert "most passes" in doc and "early_stopping" in doc
    for name in ("word2vec", "fasttext", "glove"):
        doc = {p.name: p.doc for p in get_stage(name).parameters}["epochs"]
        assert "fixed number" in doc
