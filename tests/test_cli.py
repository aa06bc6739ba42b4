import json
import subprocess
import sys

import pytest

from textpipe.cli import main

PIPELINE = """\
name: toy
data:
  path: toy.txt
evaluation:
  method: cv
  folds: 3
  seed: 0
steps:
  - tokenize: {}
  - count: {}
  - multinomial_nb: {}
"""


@pytest.fixture
def toy_config(tmp_path):
    lines = [f"pos good fun film {i}" for i in range(6)] + [f"neg bad dull film {i}"
                                                            for i in range(6)]
    (tmp_path / "toy.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "toy.yaml"
    path.write_text(PIPELINE, encoding="utf-8")
    return path


def test_run_prints_metric_summary_and_step_times(toy_config, capsys):
    assert main(["run", str(toy_config)]) == 0
    out = capsys.readouterr().out
    assert "accuracy" in out and "±" in out
    assert "multinomial_nb" in out  # the time-per-step table


def test_run_json_has_the_documented_shape(toy_config, tmp_path):
    out = tmp_path / "result.json"
    assert main(["run", str(toy_config), "--json", str(out), "--quiet"]) == 0
    doc = json.loads(out.read_text())
    acc = doc["metrics"]["accuracy"]
    assert set(acc) == {"mean", "std", "folds"} and len(acc["folds"]) == 3
    assert doc["config"]["steps"][2]["multinomial_nb"]["alpha"] == 1.0
    assert "scikit-learn" in doc["versions"] and "fit_seconds_per_fold" in doc["timing"]


def test_run_with_test_data_trains_on_one_file_and_tests_on_the_other(toy_config, tmp_path):
    test = tmp_path / "test.txt"
    test.write_text("pos good fun\nneg bad dull\n", encoding="utf-8")
    out = tmp_path / "r.json"
    code = main(["run", str(toy_config), "--data", str(tmp_path / "toy.txt"),
                 "--test-data", str(test), "--json", str(out), "-q"])
    assert code == 0
    doc = json.loads(out.read_text())
    assert doc["protocol"]["method"] == "split" and doc["data"]["n_test"] == 2


def test_run_save_writes_a_loadable_model(toy_config, tmp_path):
    from textpipe.model import load_model

    assert main(["run", str(toy_config), "--save", str(tmp_path / "model"), "-q"]) == 0
    model = load_model(tmp_path / "model")
    assert model.pipeline.predict(["good fun"]).tolist() == ["pos"]
    assert model.labels == ["neg", "pos"]
    assert model.metadata["metrics"]["accuracy"]["mean"] > 0.5


def test_config_error_exits_2_with_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps:\n  - tokenize\n  - tfidff\n  - logreg\n", encoding="utf-8")
    assert main(["run", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "line 3" in err and "Did you mean 'tfidf'?" in err


def test_validate_reports_each_file(toy_config, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps: [tokenize, logreg]\n", encoding="utf-8")
    assert main(["validate", str(toy_config)]) == 0
    assert main(["validate", str(toy_config), str(bad)]) == 1
    captured = capsys.readouterr()
    assert "tokenize → count → multinomial_nb" in captured.out
    assert "vectorizer" in captured.err


def test_stages_lists_parameters_and_defaults(capsys):
    assert main(["stages", "stem"]) == 0
    out = capsys.readouterr().out
    assert "algorithm" in out and "snowball" in out


def test_stages_unknown_name_suggests(capsys):
    assert main(["stages", "stemm"]) == 2
    assert "Did you mean 'stem'?" in capsys.readouterr().err


def test_datasets_lists_bundled_data(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "mr" in out and "trec" in out


def test_module_entry_point_runs_help():
    proc = subprocess.run([sys.executable, "-m", "textpipe", "--help"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0 and "run" in proc.stdout and "validate" in proc.stdout


def test_run_on_one_split_shows_the_score_and_its_interval_not_a_spread(toy_config, tmp_path,
                                                                         capsys):
    test = tmp_path / "test.txt"
    test.write_text("pos good fun\nneg bad dull\npos great fun\nneg awful dull\n",
                    encoding="utf-8")
    out = tmp_path / "r.json"
    assert main(["run", str(toy_config), "--data", str(tmp_path / "toy.txt"),
                 "--test-data", str(test), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "±" not in printed and "per fold" not in printed and "95% interval" in printed
    acc = json.loads(out.read_text())["metrics"]["accuracy"]
    assert acc["std"] is None and len(acc["ci"]) == 2 and "Wilson" in acc["ci_method"]


def test_run_prints_per_class_scores_under_the_datasets_label_names(tmp_path, capsys):
    path = tmp_path / "trec.yaml"
    path.write_text("steps: [tokenize, count, multinomial_nb]\ndata: {dataset: trec, sample: 300}\n"
                    "evaluation: {method: split}\n", encoding="utf-8")
    assert main(["run", str(path)]) == 0
    printed = capsys.readouterr().out
    assert "Per class" in printed
    for name in ("DESC", "ENTY", "ABBR", "HUM", "LOC", "NUM"):
        assert name in printed
