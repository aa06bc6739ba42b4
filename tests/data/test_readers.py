"""Tests of textpipe.data.readers: each user format, its detection and its errors."""

import gzip
import json
from pathlib import Path

import pytest

from textpipe.data import load_dataset
from textpipe.data.formats import detect_format
from textpipe.errors import DataError


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def assert_names_place(err, path, line):
    """Check that a DataError names ``path`` and ``line``, in its attributes and message."""
    path = str(Path(path).resolve())
    assert (err.file, err.line) == (path, line)
    assert str(err).startswith(path if line is None else f"{path}, line {line}: ")


# Detection


@pytest.mark.parametrize(
    "name, expected",
    [
        ("a.csv", "csv"),
        ("a.CSV", "csv"),
        ("a.tsv", "tsv"),
        ("a.tab", "tsv"),
        ("a.jsonl", "jsonl"),
        ("a.ndjson", "jsonl"),
        ("a.txt", "lines"),
        ("rt-polarity.all", "lines"),
        ("a.csv.gz", "csv"),
        ("a.txt.gz", "lines"),
    ],
)
def test_format_is_detected_from_the_suffix(name, expected):
    assert detect_format(name) == expected


def test_a_directory_is_detected_as_folder_format(tmp_path):
    assert detect_format(tmp_path) == "folder"


def test_explicit_format_overrides_the_suffix(tmp_path):
    path = write(tmp_path / "data.txt", "label,text\npos,fine\n")
    ds = load_dataset(path, format="csv")
    assert (ds.texts, ds.labels) == (["fine"], ["pos"])


# lines


def test_lines_round_trip_skips_blank_lines_and_strips_line_ends(tmp_path):
    path = write(tmp_path / "d.txt", "pos a fine film \r\n\n  \nneg  dull\tand slow\r\n1\tok")
    ds = load_dataset(path)
    assert ds.texts == ["a fine film", "dull\tand slow", "ok"]
    assert ds.labels == ["pos", "neg", "1"]
    assert ds.name == "d.txt"


def test_lines_with_a_single_field_is_an_error_at_its_line(tmp_path):
    path = write(tmp_path / "d.txt", "pos fine\n\nneg\npos ok\n")
    with pytest.raises(DataError, match=r"expected 'LABEL TEXT'.*single field: 'neg'") as info:
        load_dataset(path)
    assert_names_place(info.value, path, 3)


def test_lines_label_followed_by_spaces_only_is_an_error(tmp_path):
    path = write(tmp_path / "d.txt", "pos fine\nneg   \n")
    with pytest.raises(DataError, match="single field: 'neg'") as info:
        load_dataset(path)
    assert_names_place(info.value, path, 2)


def test_lines_excerpt_of_a_long_bad_line_is_shortened(tmp_path):
    path = write(tmp_path / "d.txt", "x" * 500 + "\n")
    with pytest.raises(DataError) as info:
        load_dataset(path)
    assert "x" * 57 + "..." in str(info.value)
    assert "x" * 100 not in str(info.value)


def test_gzip_compressed_file_is_read(tmp_path):
    path = tmp_path / "d.txt.gz"
    path.write_bytes(gzip.compress(b"pos fine\nneg dull\n"))
    assert load_dataset(path).texts == ["fine", "dull"]


def test_corrupt_gzip_file_is_a_clear_error(tmp_path):
    path = tmp_path / "d.txt.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match="cannot decompress the gzip file") as info:
        load_dataset(path)
    assert_names_place(info.value, path, None)


def test_empty_file_holds_no_examples(tmp_path):
    path = write(tmp_path / "d.txt", "\n\n")
    with pytest.raises(DataError, match="holds no examples") as info:
        load_dataset(path)
    assert_names_place(info.value, path, None)


def test_test_source_becomes_the_test_split(tmp_path):
    train = write(tmp_path / "train.txt", "pos fine\nneg dull\n")
    test = write(tmp_path / "test.txt", "pos great\n")
    ds = load_dataset(train, test_source=test)
    assert (ds.test_texts, ds.test_labels) == (["great"], ["pos"])
    assert ds.source == f"{train} + {test}"


def test_errors_in_the_test_source_name_the_test_file(tmp_path):
    train = write(tmp_path / "train.txt", "pos fine\n")
    test = write(tmp_path / "test.txt", "pos great\nbad\n")
    with pytest.raises(DataError, match="single field") as info:
        load_dataset(train, test_source=test)
    assert_names_place(info.value, test, 2)


# csv and tsv


def test_csv_round_trip_with_named_columns_quotes_and_embedded_newlines(tmp_path):
    text = (
        'id,review,stars\r\n'
        '1,"Great, really.\nTwo lines, even ""quoted""",5\r\n'
        '2,dull,1\r\n'
    )
    path = write(tmp_path / "r.csv", text)
    ds = load_dataset(path, text_column="review", label_column="stars")
    assert ds.texts == ['Great, really.\nTwo lines, even "quoted"', "dull"]
    assert ds.labels == ["5", "1"]


def test_tsv_round_trip(tmp_path):
    path = write(tmp_path / "r.tsv", "label\ttext\npos\ta fine, fine film\n\nneg\tdull\n")
    ds = load_dataset(path)
    assert (ds.texts, ds.labels) == (["a fine, fine film", "dull"], ["pos", "neg"])


def test_csv_labels_are_stripped_texts_are_kept(tmp_path):
    path = write(tmp_path / "r.csv", "label,text\n pos , fine \n")
    ds = load_dataset(path)
    assert (ds.texts, ds.labels) == ([" fine "], ["pos"])


def test_csv_missing_column_lists_the_columns_and_suggests_one(tmp_path):
    path = write(tmp_path / "r.csv", "id,review,stars\n1,fine,5\n")
    match = r"no column 'reviews' for the text\. Did you mean 'review'\?"
    with pytest.raises(DataError, match=match) as info:
        load_dataset(path, text_column="reviews", label_column="stars")
    assert_names_place(info.value, path, 1)
    assert "'id', 'review', 'stars'" in str(info.value)
    assert "text_column" in str(info.value)


def test_csv_missing_label_column_names_label_column(tmp_path):
    path = write(tmp_path / "r.csv", "text,stars\nfine,5\n")
    match = "no column 'label' for the label.*Set label_column"
    with pytest.raises(DataError, match=match) as info:
        load_dataset(path)
    assert_names_place(info.value, path, 1)


def test_csv_wrong_field_count_reports_the_line_after_a_multiline_record(tmp_path):
    text = 'label,text\npos,"two\nlines"\nneg,dull,extra\n'
    path = write(tmp_path / "r.csv", text)
    match = "expected 2 fields, as in the header, but the record has 3"
    with pytest.raises(DataError, match=match) as info:
        load_dataset(path)
    assert_names_place(info.value, path, 4)


def test_csv_unbalanced_quote_reports_the_line_where_the_record_starts(tmp_path):
    text = 'label,text\npos,fine\nneg,"never closed\nmore\nand more\n'
    path = write(tmp_path / "r.csv", text)
    match = "cannot parse the csv record .*unbalanced double quote"
    with pytest.raises(DataError, match=match) as info:
        load_dataset(path)
    assert_names_place(info.value, path, 3)


def test_csv_text_after_a_closing_quote_is_an_error(tmp_path):
    path = write(tmp_path / "r.csv", 'label,text\npos,"fine" film\n')
    with pytest.raises(DataError, match="cannot parse the csv record") as info:
        load_dataset(path)
    assert_names_place(info.value, path, 2)


def test_csv_empty_file_asks_for_a_header(tmp_path):
    path = write(tmp_path / "r.csv", "")
    with pytest.raises(DataError, match="needs a header row") as info:
        load_dataset(path)
    assert_names_place(info.value, path, None)


def test_csv_header_without_rows_holds_no_examples(tmp_path):
    path = write(tmp_path / "r.csv", "label,text\n")
    with pytest.raises(DataError, match="holds no examples") as info:
        load_dataset(path)
    assert_names_place(info.value, path, None)


@pytest.mark.parametrize(
    "row, role", [("pos,", "text"), ("pos,   ", "text"), (",fine", "label"), (" ,fine", "label")]
)
def test_csv_empty_text_or_label_is_an_error(tmp_path, row, role):
    path = write(tmp_path / "r.csv", f"label,text\npos,ok\n{row}\n")
    with pytest.raises(DataError, match=f"the {role} is empty") as info:
        load_dataset(path)
    assert_names_place(info.value, path, 3)


# jsonl


def test_jsonl_round_trip_with_number_labels_and_extra_fields(tmp_path):
    rows = [
        {"body": "a fine film", "y": "pos", "id": 1},
        {"body": "dull", "y": 0},
        {"body": "fine\u2028too", "y": 2.0},
    ]
    path = write(tmp_path / "d.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n\n")
    ds = load_dataset(path, text_column="body", label_column="y")
    assert ds.texts == ["a fine film", "dull", "fine\u2028too"]
    assert ds.labels == ["pos", "0", "2"]


@pytest.mark.parametrize(
    "bad_line, match",
    [
        ('{"text": "x", "label": }', "not valid JSON .*Each line must hold one JSON object"),
        ('["x", "pos"]', "expected a JSON object, but the line holds an array"),
        ('"x"', "expected a JSON object, but the line holds a string"),
        ('{"txt": "x", "label": "pos"}', r"no field 'text' for the text \(did you mean 'txt'\?\).*Set text_column"),
        ('{"text": "x"}', "no field 'label' for the label; the fields are: 'text'.*Set label_column"),
        ('{"text": 5, "label": "pos"}', "the text must be a string, but it is a number"),
        ('{"text": null, "label": "pos"}', "the text is missing \\(null\\)"),
        ('{"text": "x", "label": true}', "label must be a string or an integer, but it is a bool"),
        ('{"text": "x", "label": 0.5}', "label must be a string or an integer, but it is a number"),
        ('{"text": "x", "label": null}', "label must be a string or an integer, but it is null"),
        ('{"text": "", "label": "pos"}', "the text is empty"),
        ('{"text": "x", "label": " "}', "the label is empty"),
    ],
)
def test_jsonl_malformed_line_is_an_error_at_its_line(tmp_path, bad_line, match):
    path = write(tmp_path / "d.jsonl", '{"text": "ok", "label": "pos"}\n\n' + bad_line + "\n")
    with pytest.raises(DataError, match=match) as info:
        load_dataset(path)
    assert_names_place(info.value, path, 3)


# folder


def make_folder(root, docs):
    for relative, content in docs.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def test_folder_round_trip_reads_one_document_per_txt_file(tmp_path):
    root = make_folder(
        tmp_path / "reviews",
        {
            "pos/1.txt": "A fine film.\nTwo lines.\n",
            "pos/2.txt": "Great.",
            "neg/1.txt": b"Caf\xe9 dull\x85",
            "neg/.hidden.txt": "ignored",
            "neg/notes.md": "ignored",
            ".git/x.txt": "ignored",
            "README.txt": "ignored",
        },
    )
    ds = load_dataset(root)
    assert ds.texts == ["Café dull…", "A fine film.\nTwo lines.", "Great."]
    assert ds.labels == ["neg", "pos", "pos"]
    assert ds.name == "reviews"


def test_folder_without_label_folders_is_an_error(tmp_path):
    root = make_folder(tmp_path / "d", {"a.txt": "x"})
    with pytest.raises(DataError, match="holds no label folders") as info:
        load_dataset(root)
    assert_names_place(info.value, root.resolve(), None)


def test_label_folder_without_txt_files_is_an_error(tmp_path):
    root = make_folder(tmp_path / "d", {"pos/1.txt": "x", "neg/1.md": "y"})
    with pytest.raises(DataError, match="label folder 'neg' holds no .txt files") as info:
        load_dataset(root)
    assert_names_place(info.value, root.resolve() / "neg", None)


def test_empty_document_in_a_folder_is_an_error_naming_the_file(tmp_path):
    root = make_folder(tmp_path / "d", {"pos/1.txt": "x", "pos/2.txt": " \n"})
    with pytest.raises(DataError, match="the text is empty") as info:
        load_dataset(root)
    assert_names_place(info.value, root.resolve() / "pos" / "2.txt", None)


def test_folder_format_on_a_file_is_an_error(tmp_path):
    path = write(tmp_path / "d.txt", "pos fine\n")
    with pytest.raises(DataError, match="is a file, but format 'folder' reads a folder") as info:
        load_dataset(path, format="folder")
    assert_names_place(info.value, path, None)


def test_file_format_on_a_folder_is_an_error(tmp_path):
    match = "is a folder, but format 'csv' reads a single file"
    with pytest.raises(DataError, match=match) as info:
        load_dataset(tmp_path, format="csv")
    assert_names_place(info.value, tmp_path, None)


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_a_field_longer_than_the_csv_default_limit_is_read(delimiter):
    import csv

    from textpipe.data.readers import parse_delimited

    long_text = "fine " * 40_000
    default = csv.field_size_limit(131_072)  # the limit of a fresh process
    try:
        texts, labels = parse_delimited(f"label{delimiter}text\npos{delimiter}{long_text}\n",
                                        delimiter=delimiter)
    finally:
        csv.field_size_limit(max(default, csv.field_size_limit()))
    assert texts == [long_text] and labels == ["pos"]
