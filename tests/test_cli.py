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


@pytest.fixture
def reviews_csv(tmp_path):
    rows = [f"good fun film {i},pos" for i in range(6)] + [f"bad dull film {i},neg"
                                                          for i in range(6)]
    path = tmp_path / "reviews.csv"
    path.write_text("review,sentiment\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_run_reads_named_columns_of_a_csv(toy_config, reviews_csv, tmp_path):
    out = tmp_path / "r.json"
    assert main(["run", str(toy_config), "--data", str(reviews_csv), "--text-column", "review",
                 "--label-column", "sentiment", "--json", str(out), "-q"]) == 0
    assert json.loads(out.read_text())["data"]["n_train"] == 12


def test_train_reads_named_columns_of_a_csv(toy_config, reviews_csv, tmp_path):
    from textpipe.model import load_model

    assert main(["train", str(toy_config), "--data", str(reviews_csv), "--text-column",
                 "review", "--label-column", "sentiment", "-o", str(tmp_path / "m"), "-q"]) == 0
    assert load_model(tmp_path / "m").pipeline.predict(["good fun"]).tolist() == ["pos"]


def test_without_the_column_options_a_csv_names_the_option_to_set(toy_config, reviews_csv,
                                                                   capsys):
    assert main(["run", str(toy_config), "--data", str(reviews_csv), "-q"]) == 2
    assert "review" in capsys.readouterr().err


def test_version_prints_the_version_and_exits_0(capsys):
    import textpipe

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"textpipe {textpipe.__version__}"


HELP_PAGES = [[], ["run"], ["train"], ["score"], ["compare"], ["pretrain"], ["stages"],
              ["validate"], ["datasets"], ["vectors"], ["vectors", "neighbors"],
              ["vectors", "analogy"], ["vectors", "export"]]


@pytest.mark.parametrize("command", HELP_PAGES, ids=" ".join)
def test_help_shows_placeholders_not_python_types(command, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "<bool>" not in out and "{" not in out and "list[" not in out and "<" not in out


def test_help_names_arguments_and_what_options_take(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["compare", "--help"]) == 0
    out = capsys.readouterr().out
    assert "compare [OPTIONS] CONFIG" in out
    assert any("--n-jobs" in line and " N " in line for line in out.splitlines())
    assert main(["validate", "--help"]) == 0
    assert "validate [OPTIONS] FILES..." in capsys.readouterr().out


def test_every_n_jobs_has_the_short_form_j(toy_config, tmp_path):
    out = tmp_path / "r.json"
    assert main(["run", str(toy_config), "-j", "1", "--json", str(out), "-q"]) == 0
    assert json.loads(out.read_text())["metrics"]["accuracy"]["folds"]


def test_train_takes_output_as_well_as_out(toy_config, tmp_path):
    from textpipe.model import load_model

    assert main(["train", str(toy_config), "--output", str(tmp_path / "m"), "-q"]) == 0
    assert load_model(tmp_path / "m").labels == ["neg", "pos"]


def test_stages_lists_one_line_per_stage_without_rst_markup(capsys, monkeypatch):
    from textpipe.registry import all_stages

    monkeypatch.setenv("COLUMNS", "200")
    assert main(["stages"]) == 0
    out = capsys.readouterr().out
    names = [spec.name for spec in all_stages()]
    assert len(out.splitlines()) <= len(names) + 3  # a header, the stages, a hint
    assert "`" not in out.replace("`textpipe stages NAME`", "")
    assert "tokenize" in out and "tokens → features" in out and "collapse_whitespace" not in out


def test_stages_name_shows_its_docs_and_parameters_with_rst_rendered(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["stages", "normalize"]) == 0
    out = capsys.readouterr().out
    assert "text → text" in out and "Class: textpipe.stages.normalize.Normalize" in out
    assert "collapse_whitespace" in out and "(str.lower)" in out and "`" not in out
    assert "Unicode normalisation" in out  # the docstring's description, not only its summary


def test_stages_markdown_is_the_reference(capsys):
    from textpipe.reference import stages_markdown

    assert main(["stages", "--markdown"]) == 0
    assert capsys.readouterr().out == stages_markdown() + "\n"


FEATURIZER = "steps:\n  - tokenize: {}\n  - tfidf: {}\n"


@pytest.mark.parametrize("options", [["run"], ["train", "--out"]])
def test_commands_that_fit_a_classifier_refuse_a_featurizer(options, toy_config, capsys):
    path = toy_config.parent / "features.yaml"
    path.write_text(f"data:\n  path: toy.txt\n{FEATURIZER}", encoding="utf-8")
    out = [str(path.parent / "model")] if "--out" in options else []
    assert main([options[0], str(path), *options[1:], *out]) == 2
    assert "the last step 'tfidf' must be a classifier" in capsys.readouterr().err
    assert not (path.parent / "model").exists()


def test_compare_refuses_a_featurizer(toy_config, capsys):
    path = toy_config.parent / "experiment.yaml"
    path.write_text("data:\n  path: toy.txt\npipelines:\n  - name: words\n    steps:\n"
                    "      - tokenize: {}\n      - tfidf: {}\n", encoding="utf-8")
    assert main(["compare", str(path)]) == 2
    assert "must be a classifier" in capsys.readouterr().err


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
