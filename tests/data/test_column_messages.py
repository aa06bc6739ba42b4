"""A missing text or label column names both ways to choose it: the CLI option and the YAML key."""

import pytest

from textpipe.cli import main

PIPELINE = """\
data: {path: reviews.csv}
evaluation: {method: cv, folds: 2, seed: 0, metrics: [accuracy]}
steps: [tokenize, tfidf, logreg]
"""


@pytest.fixture
def folder(tmp_path):
    rows = [f"{i},a good fun film {i},5" if i % 2 else f"{i},dull and boring {i},1"
            for i in range(12)]
    (tmp_path / "reviews.csv").write_text("id,review,stars\n" + "\n".join(rows) + "\n",
                                          encoding="utf-8")
    (tmp_path / "reviews.jsonl").write_text('{"review": "fine", "stars": 5}\n',
                                            encoding="utf-8")
    (tmp_path / "run.yaml").write_text(PIPELINE, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("args,option,key,column", [
    ([], "--text-column NAME", "text_column: NAME", "'text' for the text"),
    (["--text-column", "review"], "--label-column NAME", "label_column: NAME",
     "'label' for the label"),
])
def test_run_on_a_csv_without_the_column_names_the_option_and_the_data_key(
        folder, capsys, args, option, key, column):
    assert main(["run", str(folder / "run.yaml"), "-q", *args]) == 2
    err = capsys.readouterr().err
    assert column in err and "Its columns are: 'id', 'review', 'stars'" in err
    assert f"use {option} on the command line, or {key} in the data: section" in err


def test_a_jsonl_record_without_the_field_names_the_option_and_the_data_key(folder, capsys):
    code = main(["run", str(folder / "run.yaml"), "-q", "--data",
                 str(folder / "reviews.jsonl"), "--text-column", "review"])
    assert code == 2
    err = capsys.readouterr().err
    assert "no field 'label' for the label" in err
    assert "use --label-column NAME on the command line, or label_column: NAME" in err


def test_the_named_columns_then_run(folder, capsys):
    assert main(["run", str(folder / "run.yaml"), "-q", "--text-column", "review",
                 "--label-column", "stars"]) == 0
