"""``textpipe compare`` on the command line."""

import json

import pytest

from textpipe.cli import main

EXPERIMENT = """\
name: toy
data:
  path: toy.txt
evaluation:
  method: cv
  folds: 3
  seed: 0
  metrics: [accuracy]
grid:
  base:
    - tokenize
    - count
    - linear_svm
  params:
    count.binary: [false, true]
    linear_svm: [linear_svm, multinomial_nb]
"""


@pytest.fixture
def experiment(tmp_path):
    lines = [f"pos good fun film {i}" for i in range(6)] + [
        f"neg bad dull film {i}" for i in range(6)]
    (tmp_path / "toy.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "exp.yaml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    return path


def test_dry_run_lists_the_expanded_pipelines_without_running(experiment, capsys):
    assert main(["compare", str(experiment), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "4 pipelines" in out
    assert "count.binary=true" in out and "multinomial_nb" in out
    assert "Per fold, 7 distinct steps are fitted instead of 12" in out


def test_compare_prints_a_leaderboard_and_writes_the_report(experiment, tmp_path, capsys):
    out_dir = tmp_path / "report"
    code = main(["compare", str(experiment), "--out", str(out_dir),
                 "--json", str(tmp_path / "r.json")])
    assert code == 0
    out = capsys.readouterr().out
    assert "toy" in out and "best" in out and "signif." in out
    assert "report.html" in out
    assert (out_dir / "report.html").is_file() and (out_dir / "results.csv").is_file()
    same = json.loads((tmp_path / "r.json").read_text())
    assert same["datasets"] == json.loads((out_dir / "results.json").read_text())["datasets"]
    assert len(same["datasets"][0]["pipelines"]) == 4


def test_json_to_stdout_prints_only_json(experiment, capsys):
    assert main(["compare", str(experiment), "--json", "-"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["experiment"] == "toy"


def test_data_option_replaces_the_experiment_data(experiment, tmp_path, capsys):
    other = tmp_path / "other.txt"
    other.write_text("\n".join([f"a x{i} y" for i in range(6)] + [f"b z{i} w" for i in range(6)])
                     + "\n", encoding="utf-8")
    assert main(["compare", str(experiment), "--data", str(other), "--json", "-"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["datasets"][0]["data"]["classes"] == ["a", "b"]


def test_an_invalid_experiment_exits_2_naming_file_and_line(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("grid:\n  base: [tokenize, count, logreg]\n  params:\n"
                    "    logreg.CC: [1, 2]\n", encoding="utf-8")
    assert main(["compare", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml, line 4" in err and "'logreg' has no parameter 'CC'" in err
