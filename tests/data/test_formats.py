"""One vocabulary of data formats, and one reading of each record, for training and scoring."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from textpipe.data import load_dataset
from textpipe.data.formats import (FORMATS, SCORING_FORMATS, TRAINING_FORMATS, check_format,
                                   detect_format)
from textpipe.errors import DataError
from textpipe.score.readers import ScoreInput, parse_chunk


@pytest.mark.parametrize("name, training, scoring", [
    ("a.csv", "csv", "csv"), ("a.tsv.gz", "tsv", "tsv"), ("a.tab", "tsv", "tsv"),
    ("a.jsonl", "jsonl", "jsonl"), ("a.ndjson.gz", "jsonl", "jsonl"),
    ("a.parquet", "parquet", "parquet"), ("a.PQ", "parquet", "parquet"),
    ("a.txt", "lines", "text"), ("rt-polarity.all", "lines", "text"), ("-", "lines", "text"),
])
def test_one_function_detects_the_format_for_training_and_for_scoring(name, training, scoring):
    assert detect_format(name) == training
    assert detect_format(name, labelled=False) == scoring


def test_the_vocabulary_is_one_set_with_a_subset_per_use():
    assert set(TRAINING_FORMATS) | set(SCORING_FORMATS) == set(FORMATS)
    assert set(TRAINING_FORMATS) ^ set(SCORING_FORMATS) == {"text", "folder"}


def test_a_known_format_for_the_other_use_says_why_and_what_to_use():
    with pytest.raises(DataError, match="format 'text' has one document per line and no "
                                        "labels.*use 'lines'.*Use one of: 'lines'"):
        check_format("text", TRAINING_FORMATS)
    with pytest.raises(DataError, match="format 'folder' reads a folder.*not documents to score"):
        check_format("folder", SCORING_FORMATS)


def test_load_dataset_refuses_text_format(tmp_path):
    path = tmp_path / "docs.txt"
    path.write_text("pos fine\nneg dull\n")
    with pytest.raises(DataError, match="format 'text'.*no labels"):
        load_dataset(path, format="text")


def test_scoring_a_folder_is_refused_before_reading(tmp_path):
    with pytest.raises(DataError, match="format 'folder'.*training data, not documents"):
        ScoreInput(tmp_path)


def test_parquet_is_training_data(tmp_path):
    path = tmp_path / "reviews.parquet"
    pq.write_table(pa.table({"review": ["fine film", "dull plot", "a gem"],
                             "stars": [5, 1, 5], "other": [1.5, 2.5, 3.5]}), path)
    ds = load_dataset(path, text_column="review", label_column="stars")
    assert ds.texts == ["fine film", "dull plot", "a gem"]
    assert ds.labels == ["5", "1", "5"]


@pytest.mark.parametrize("table, match", [
    ({"text": ["fine", None], "label": ["pos", "neg"]}, r"row 1: the text is missing \(null\)"),
    ({"text": ["fine", " "], "label": ["pos", "neg"]}, "row 1: the text is empty"),
    ({"text": ["fine", "dull"], "label": [1.0, 0.5]}, "row 1: the label must be a string or an "
                                                       "integer, but it is a number: '0.5'"),
    ({"txt": ["fine"], "label": ["pos"]}, "no column 'text' for the text.*Set text_column"),
])
def test_bad_parquet_training_data_names_the_row_or_column(tmp_path, table, match):
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.table(table), path)
    with pytest.raises(DataError, match=match) as info:
        load_dataset(path, format="parquet")
    assert info.value.file == str(path)


def _scored(path, fmt=None, **options):
    with ScoreInput(path, fmt, **options) as source:
        parsed = [parse_chunk(chunk, source.spec) for chunk in source.chunks(chunk_size=3)]
    texts = [t for p in parsed for t in p.texts]
    return texts, [e for p in parsed for e in p.errors]


@pytest.mark.parametrize("name, good, bad", [
    ("d.jsonl", '{"text": "fine", "label": "pos"}', '{"text": "fine", "label": "pos"'),
    ("d.jsonl", '{"text": "fine", "label": "pos"}', '["fine", "pos"]'),
    ("d.jsonl", '{"text": "fine", "label": "pos"}', '{"txt": "fine", "label": "pos"}'),
    ("d.jsonl", '{"text": "fine", "label": "pos"}', '{"text": 5, "label": "pos"}'),
    ("d.jsonl", '{"text": "fine", "label": "pos"}', '{"text": null, "label": "pos"}'),
    ("d.jsonl", '{"text": "fine", "label": "pos"}', '{"text": " ", "label": "pos"}'),
    ("d.csv", "pos,fine", "pos,fine,extra"),
    ("d.csv", "pos,fine", 'pos,"fi"ne'),
    ("d.txt", "pos fine", "lonely"),
])
def test_a_bad_record_has_one_reason_in_training_and_in_scoring(tmp_path, name, good, bad):
    header = "label,text\n" if name.endswith(".csv") else ""
    path = tmp_path / name
    path.write_text(f"{header}{good}\n{bad}\n{good}\n", encoding="utf-8")
    fmt = "lines" if name.endswith(".txt") else None
    texts, errors = _scored(path, fmt)
    assert texts == ["fine", "fine"] and len(errors) == 1
    with pytest.raises(DataError) as info:
        load_dataset(path)
    assert info.value.line == errors[0]["line"]
    assert info.value.message.startswith(errors[0]["reason"])


def test_an_undecodable_byte_has_one_reason_in_training_and_in_scoring(tmp_path):
    path = tmp_path / "d.txt"
    path.write_bytes(b"pos fine\nneg caf\xe9\n")
    _, errors = _scored(path, "lines", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_dataset(path, encoding="utf-8")
    assert errors[0]["reason"] == "cannot decode byte 0xe9 (column 8) as 'utf-8'"
    assert info.value.message.startswith(errors[0]["reason"])
    assert info.value.line == errors[0]["line"] == 2


def test_scoring_lines_reads_the_text_after_the_label(tmp_path):
    path = tmp_path / "labelled.txt"
    path.write_text("pos a fine film\n\nneg\tdull\nlonely\n", encoding="utf-8")
    texts, errors = _scored(path, "lines")
    assert texts == ["a fine film", "dull"]
    assert [(e["line"], e["reason"]) for e in errors] == [
        (2, "the text is empty"),
        (4, "expected 'LABEL TEXT' (the label, a space, then the text), but the line holds a "
            "single field")]


def test_lines_input_has_no_columns_to_keep(tmp_path):
    path = tmp_path / "labelled.txt"
    path.write_text("pos fine\n", encoding="utf-8")
    with pytest.raises(DataError, match="the 'lines' format has one document per line"):
        ScoreInput(path, "lines", keep=["label"])
