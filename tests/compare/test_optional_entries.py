"""``optional: true`` entries of an experiment: skipped, with the reason, when a resource is missing."""

import html
import json
from typing import ClassVar

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin

from textpipe.cli import main
from textpipe.compare import load_experiment
from textpipe.errors import ConfigError
from textpipe.neural.pretrained import model_parameter_problems
from textpipe.registry import register_stage, unregister_stage

MISSING_PACKAGE = "package:no-such-model-package-xyz"


class ModelFeatures(BaseEstimator, TransformerMixin):
    """A stand-in for a stage built on a pretrained model: it checks its ``model`` the same way."""

    _path_params: ClassVar[tuple] = ("model",)

    def __init__(self, model=None):
        self.model = model

    def _parameter_rules(self):
        return model_parameter_problems(self.model)

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.ones((len(X), 1))


@pytest.fixture(autouse=True)
def model_stage():
    register_stage("model_features", ModelFeatures, consumes="text", produces="features")
    yield
    unregister_stage("model_features")


PLAIN = {"name": "plain", "steps": ["tokenize", "count", "logreg"]}


def experiment(*entries):
    return {"evaluation": {"method": "cv", "folds": 3, "seed": 0, "metrics": ["accuracy"]},
            "pipelines": [PLAIN, *entries]}


def needs_model(model, optional=True, name="minilm"):
    return {"name": name, "optional": optional,
            "steps": [{"model_features": {"model": model}}, "logreg"]}


def needs_bilm(bilm, optional=True, name="elmo", **params):
    return {"name": name, "optional": optional,
            "steps": ["tokenize", {"elmo": {"bilm": str(bilm), **params}}, "logreg"]}


def test_an_optional_entry_whose_model_package_is_not_installed_is_skipped_with_its_reason():
    exp = load_experiment(experiment(needs_model(MISSING_PACKAGE)))
    assert [c.name for c in exp.candidates] == ["plain"]
    (skipped,) = exp.skipped
    assert (skipped.name, skipped.origin) == ("minilm", "pipelines[1]")
    assert "no-such-model-package-xyz" in skipped.reason and "pip install" in skipped.reason
    assert "[E651]" in skipped.reason
    assert skipped.describe().startswith("skipped the optional pipeline 'minilm', pipelines[1]: ")


def test_an_optional_entry_whose_model_folder_is_missing_or_incomplete_is_skipped(tmp_path):
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "config.json").write_text("{}")
    exp = load_experiment(experiment(needs_model(str(tmp_path / "gone"), name="gone"),
                                     needs_model(str(tmp_path / "half"), name="half")))
    assert [c.name for c in exp.candidates] == ["plain"]
    gone, half = exp.skipped
    assert "not found" in gone.reason and "[E063]" in gone.reason
    assert "model.safetensors" in half.reason and "[E650]" in half.reason


def test_an_optional_entry_whose_bilm_folder_is_missing_is_skipped_saying_how_to_pretrain(tmp_path):
    (tmp_path / "empty_bilm").mkdir()
    exp = load_experiment(experiment(
        needs_bilm(tmp_path / "no_bilm"),
        {"name": "bilstm_elmo", "optional": True,
         "steps": ["tokenize", {"bilstm": {"embeddings": "elmo",
                                           "bilm": str(tmp_path / "empty_bilm")}}]}))
    assert [c.name for c in exp.candidates] == ["plain"]
    elmo, bilstm = exp.skipped
    assert "textpipe pretrain pipelines/pretrain_bilm.yaml" in elmo.reason
    assert "weights.safetensors" in bilstm.reason and "[E601]" in bilstm.reason


def test_an_optional_file_entry_names_the_file_and_its_line(tmp_path):
    (tmp_path / "elmo.yaml").write_text(
        "name: elmo_logreg\nsteps:\n  - tokenize\n  - elmo: {bilm: ../no_bilm}\n  - logreg\n")
    exp = load_experiment(experiment({"file": str(tmp_path / "elmo.yaml"), "optional": True}))
    (skipped,) = exp.skipped
    assert skipped.name == "elmo" and skipped.origin.startswith("pipelines[1] (")
    assert f"{tmp_path / 'elmo.yaml'}, line 4" in skipped.reason


def test_an_optional_entry_whose_resources_are_there_is_compared_as_usual(tmp_path):
    exp = load_experiment(experiment({**PLAIN, "name": "again", "optional": True}))
    assert [c.name for c in exp.candidates] == ["plain", "again"] and exp.skipped == []


@pytest.mark.parametrize("entry, named", [
    (needs_bilm("no_bilm", poolin="mean"), "poolin"),                  # a typo beside it
    (needs_bilm("no_bilm", pooling="meen"), "meen"),                   # a bad value
    ({"name": "x", "optional": True, "steps": ["tokenize", "elmoo", "logreg"]}, "elmoo"),
    ({"name": "x", "optional": True, "steps": ["tokenize", "count"]}, "classifier"),
    ({"name": "x", "optional": True, "file": "no_such_pipeline.yaml"}, "no_such_pipeline"),
])
def test_any_other_problem_in_an_optional_entry_is_still_an_error(entry, named):
    with pytest.raises(ConfigError, match=named):
        load_experiment(experiment(entry))


def test_a_missing_resource_in_an_entry_that_is_not_optional_is_still_an_error(tmp_path):
    with pytest.raises(ConfigError, match=r"no-such-model-package-xyz.*\[E651\]"):
        load_experiment(experiment(needs_model(MISSING_PACKAGE, optional=False)))
    with pytest.raises(ConfigError, match=r"pretrain.*\[E063\]"):
        load_experiment(experiment(needs_bilm(tmp_path / "no_bilm", optional=False)))


def test_optional_must_be_true_or_false():
    with pytest.raises(ConfigError, match="optional"):
        load_experiment(experiment({**PLAIN, "name": "x", "optional": "sometimes"}))


def test_when_every_entry_is_skipped_there_is_nothing_to_compare_and_that_is_an_error():
    exp = {**experiment(), "pipelines": [needs_model(MISSING_PACKAGE), needs_bilm("no_bilm")]}
    with pytest.raises(ConfigError, match=r"nothing to compare.*'minilm'.*'elmo'.*\[E680\]"):
        load_experiment(exp)


# -- on the command line ----------------------------------------------------------------------


@pytest.fixture
def files(tmp_path):
    lines = [f"pos good fun film {i}" for i in range(6)] + [
        f"neg bad dull film {i}" for i in range(6)]
    (tmp_path / "toy.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def write(*entries, name="exp.yaml"):
        content = {**experiment(*entries), "name": "toy", "data": {"path": "toy.txt"}}
        path = tmp_path / name
        path.write_text(json.dumps(content), encoding="utf-8")  # JSON is YAML
        return path
    return write


def test_compare_says_once_before_running_which_entries_were_skipped_and_records_them(
        files, tmp_path, capsys):
    path = files(needs_model(MISSING_PACKAGE), needs_bilm("no_bilm"))
    out_dir = tmp_path / "report"
    assert main(["compare", str(path), "--out", str(out_dir)]) == 0
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert said.count("skipped the optional pipeline 'minilm', pipelines[1]") == 1
    assert said.count("skipped the optional pipeline 'elmo', pipelines[2]") == 1
    # Said with the plan, before running (stderr), not again with the leaderboard (stdout).
    assert "skipped" in captured.err and "skipped" not in captured.out
    results = json.loads((out_dir / "results.json").read_text())
    assert [p["name"] for p in results["datasets"][0]["pipelines"]] == ["plain"]
    assert [s["name"] for s in results["skipped"]] == ["minilm", "elmo"]
    assert "pip install no-such-model-package-xyz" in results["skipped"][0]["reason"]
    assert "textpipe pretrain" in results["skipped"][1]["reason"]
    report = (out_dir / "report.md").read_text()
    assert "skipped the optional pipeline 'minilm', pipelines[1]" in report
    page = (out_dir / "report.html").read_text()
    assert html.escape("skipped the optional pipeline 'elmo', pipelines[2]") in page


def test_dry_run_lists_the_skipped_entries(files, capsys):
    assert main(["compare", str(files(needs_model(MISSING_PACKAGE))), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "1 pipelines" in out and "skipped the optional pipeline 'minilm', pipelines[1]" in out


def test_validate_says_the_experiment_is_valid_and_names_the_skipped_entries(files, capsys):
    assert main(["validate", str(files(needs_model(MISSING_PACKAGE)))]) == 0
    out = capsys.readouterr().out
    assert "✓" in out and "experiment, 1 pipelines (1 optional skipped: minilm)" in out
    assert "note: skipped the optional pipeline 'minilm', pipelines[1]" in out
    assert "no-such-model-package-xyz" in out


def test_validate_and_compare_refuse_an_experiment_whose_every_entry_is_skipped(files, capsys):
    path = files()
    content = json.loads(path.read_text())
    content["pipelines"] = [needs_model(MISSING_PACKAGE)]
    path.write_text(json.dumps(content))
    assert main(["validate", str(path)]) == 1
    assert "E680" in capsys.readouterr().err
    assert main(["compare", str(path)]) == 2
    assert "nothing to compare" in capsys.readouterr().err
