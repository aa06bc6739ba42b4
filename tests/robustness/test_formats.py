"""The one vocabulary of data formats at the command line: training data and input to score."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from .conftest import run_cli
from .test_commands import GOOD_LINES, pipeline


@pytest.fixture
def model(model_dir):
    return model_dir


def test_training_data_format_text_is_refused_with_the_name_to_use(tmp_path, fails_cleanly):
    (tmp_path / "toy.txt").write_text(GOOD_LINES, encoding="utf-8")
    fails_cleanly(["run", pipeline(tmp_path), "--data-format", "text"],
                  mentions=("format 'text'", "no labels", "'lines'"))


def test_a_folder_is_not_input_to_score(tmp_path, model, fails_cleanly):
    (tmp_path / "docs" / "pos").mkdir(parents=True)
    (tmp_path / "docs" / "pos" / "1.txt").write_text("good fun")
    fails_cleanly(["score", model, tmp_path / "docs", "-o", tmp_path / "out.jsonl"],
                  mentions=("format 'folder'", "not documents to score"))


def test_scoring_lines_input_cannot_keep_columns(tmp_path, model, fails_cleanly):
    docs = tmp_path / "labelled.txt"
    docs.write_text("pos good fun\n", encoding="utf-8")
    fails_cleanly(["score", model, docs, "--input-format", "lines", "--keep", "label",
                   "-o", tmp_path / "out.jsonl"], mentions=("'lines' format", "--keep"))


def test_parquet_training_data_from_yaml(tmp_path, capfd):
    pq.write_table(pa.table({"text": [line.split(" ", 1)[1] for line in GOOD_LINES.splitlines()],
                             "label": [line.split(" ", 1)[0] for line in GOOD_LINES.splitlines()]}),
                   tmp_path / "toy.parquet")
    config = pipeline(tmp_path, data="{path: toy.parquet, format: parquet}")
    outcome = run_cli(["run", config], capfd)
    assert outcome.code == 0, outcome.err


def test_scoring_lines_input_scores_the_text_after_the_label(tmp_path, model, capfd):
    docs = tmp_path / "labelled.txt"
    docs.write_text("pos good fun\nneg\tbad dull\nlonely\n", encoding="utf-8")
    out, errors = tmp_path / "out.jsonl", tmp_path / "bad.jsonl"
    outcome = run_cli(["score", model, docs, "--input-format", "lines", "-o", out,
                       "--errors", errors], capfd)
    assert outcome.code == 0, outcome.err
    assert len(out.read_text().splitlines()) == 2
    assert "single field" in errors.read_text()
