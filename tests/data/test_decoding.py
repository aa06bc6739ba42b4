"""Tests of textpipe.data.decoding: encoding detection and line splitting."""

import codecs

import pytest

from textpipe.data import load_dataset
from textpipe.data.decoding import decode_bytes, split_lines
from textpipe.errors import DataError


def load_bytes(tmp_path, data, name="d.txt", **kwargs):
    path = tmp_path / name
    path.write_bytes(data)
    return load_dataset(path, **kwargs)


def test_auto_reads_utf8(tmp_path):
    ds = load_bytes(tmp_path, "pos naïve café ☕\n".encode())
    assert ds.texts == ["naïve café ☕"]


def test_auto_drops_a_utf8_byte_order_mark_before_the_csv_header(tmp_path):
    data = codecs.BOM_UTF8 + "label,text\npos,café\n".encode()
    ds = load_bytes(tmp_path, data, name="d.csv")
    assert (ds.texts, ds.labels) == (["café"], ["pos"])


def test_explicit_utf8_also_drops_the_byte_order_mark(tmp_path):
    ds = load_bytes(tmp_path, codecs.BOM_UTF8 + b"pos fine\n", encoding="utf-8")
    assert ds.labels == ["pos"]


def test_auto_reads_utf16_with_a_byte_order_mark(tmp_path):
    ds = load_bytes(tmp_path, "label\ttext\npos\tcafé\n".encode("utf-16"), name="d.tsv")
    assert (ds.texts, ds.labels) == (["café"], ["pos"])


def test_auto_falls_back_to_cp1252_and_keeps_0x85_inside_the_line(tmp_path):
    ds = load_bytes(tmp_path, b"0 hmmm\x85might i\r\n1 caf\xe9 \x93ok\x94\r\n")
    assert ds.texts == ["hmmm…might i", "café “ok”"]
    assert ds.labels == ["0", "1"]


def test_auto_falls_back_to_latin1_for_bytes_cp1252_leaves_undefined(tmp_path):
    ds = load_bytes(tmp_path, b"0 a\x81b \x85c\n1 d\n")
    assert ds.texts == ["a\x81b \x85c", "d"]


def test_explicit_latin1_keeps_0x85_as_u0085_without_splitting(tmp_path):
    ds = load_bytes(tmp_path, b"0 hmmm\x85might\n1 ok\n", encoding="latin-1")
    assert ds.texts == ["hmmm\x85might", "ok"]


def test_unicode_line_separators_in_utf8_do_not_split_documents(tmp_path):
    text = "0 a\u2028b\u2029c\x0bd\x0ce\x1cf\n1 g\n"
    ds = load_bytes(tmp_path, text.encode())
    assert ds.texts == ["a\u2028b\u2029c\x0bd\x0ce\x1cf", "g"]


def test_encoding_is_detected_per_file(tmp_path):
    train = tmp_path / "train.txt"
    test = tmp_path / "test.txt"
    train.write_bytes("pos café\n".encode())
    test.write_bytes(b"pos caf\xe9\n")
    ds = load_dataset(train, test_source=test)
    assert ds.texts == ds.test_texts == ["café"]


def test_explicit_codec_that_fails_names_the_file_line_and_byte(tmp_path):
    path = tmp_path / "d.txt"
    path.write_bytes(b"pos fine\nneg ok\nneg caf\xe9\n")
    with pytest.raises(DataError, match=r"cannot decode byte 0xe9 \(column 8\) as 'utf-8'") as info:
        load_dataset(path, encoding="utf-8")
    assert (info.value.file, info.value.line) == (str(path.resolve()), 3)
    assert str(info.value).startswith(f"{path.resolve()}, line 3: ")


def test_decode_bytes_reports_the_codec_it_used():
    assert decode_bytes(b"abc")[1] == "utf-8"
    assert decode_bytes(b"caf\xe9")[1] == "cp1252"
    assert decode_bytes(b"\x81")[1] == "latin-1"


def test_split_lines_breaks_only_at_newline_and_drops_carriage_returns():
    assert split_lines("a\x85b\r\nc\rd\n\ne") == ["a\x85b", "c\rd", "", "e"]
    assert split_lines("") == []
    assert split_lines("one\n") == ["one"]


@pytest.mark.parametrize("content, line, column", [
    (b"pos fine\nneg bi\x00nary\n", 2, 7),
    ("pos fine\n".encode("utf-16-le"), 1, 2),  # UTF-16 without its byte-order mark
])
def test_a_nul_character_is_refused_with_its_line_and_column(tmp_path, content, line, column):
    from textpipe.data.decoding import read_text

    path = tmp_path / "d.txt"
    path.write_bytes(content)
    with pytest.raises(DataError, match=rf"d.txt, line {line}: the text holds a NUL byte at "
                                        rf"column {column}"):
        read_text(path)
