import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textpipe.errors import DataError
from textpipe.data.formats import detect_format
from textpipe.score.readers import ScoreInput, parse_chunk


def chunks_of(path, size=2, **options):
    source = ScoreInput(path, **options)
    return source, list(source.chunks(size))


def parse_all(source, chunks):
    texts, rows, errors = [], [], []
    for chunk in chunks:
        parsed = parse_chunk(chunk, source.spec)
        texts += parsed.texts
        rows += parsed.rows
        errors += parsed.errors
    return texts, rows, errors


def test_format_is_detected_from_the_name():
    assert detect_format("x.ndjson", labelled=False) == "jsonl"
    assert detect_format("x.csv.gz", labelled=False) == "csv"
    assert detect_format("x.pq", labelled=False) == "parquet"


def test_lines_split_at_newline_only_and_one_bad_byte_loses_one_row(tmp_path):
    path = tmp_path / "d.txt"
    # U+0085 and U+2028 inside lines are not breaks; \xff is not UTF-8; CRLF is fine
    path.write_bytes("a\u0085b\r\nc\u2028d\n".encode() + b"bad \xff byte\nlast")
    source, chunks = chunks_of(path, encoding="utf-8")
    texts, rows, errors = parse_all(source, chunks)
    assert texts == ["a\u0085b", "c\u2028d", "last"] and rows == [0, 1, 3]
    assert errors == [{"row": 2, "line": 3, "excerpt": "bad \\xff byte",
                       "reason": "cannot decode byte 0xff (column 5) as 'utf-8'"}]


def test_chunk_ends_say_where_to_resume(tmp_path):
    path = tmp_path / "d.txt"
    path.write_bytes(b"one\ntwo\nthree\nfour\nfive")
    source, chunks = chunks_of(path, size=2)
    assert [c.n_rows for c in chunks] == [2, 2, 1]
    ends = [c.end() for c in chunks]
    assert ends[0] == {"chunk": 1, "row": 2, "line": 3, "byte": 8}
    assert ends[-1]["byte"] == path.stat().st_size
    resumed = list(source.chunks(2, start=ends[0]))
    assert [c.records for c in resumed] == [c.records for c in chunks[1:]]
    assert resumed[0].first_row == 2 and resumed[0].first_line == 3


def test_auto_encoding_is_settled_on_the_start_and_a_bom_is_dropped(tmp_path):
    path = tmp_path / "d.txt"
    path.write_bytes(b"\xef\xbb\xbfcaf\xc3\xa9\n")
    source, chunks = chunks_of(path)
    assert source.spec.codec == "utf-8" and parse_all(source, chunks)[0] == ["café"]
    path.write_bytes(b"caf\xe9 \x85\n")
    source, chunks = chunks_of(path)
    assert source.spec.codec == "cp1252" and parse_all(source, chunks)[0] == ["café …"]


def test_utf16_input_is_refused_with_advice(tmp_path):
    path = tmp_path / "d.txt"
    path.write_bytes("hello\n".encode("utf-16"))
    with pytest.raises(DataError, match="UTF-16.*iconv"):
        ScoreInput(path)


def test_csv_records_span_lines_inside_quotes_and_stray_quotes_cost_one_row(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('id,text\n1,"two\nlines"\n2,"stray\n3,fine\n4,"a ""quoted"" word"\n',
                    encoding="utf-8")
    source, chunks = chunks_of(path, size=10, id_column="id")
    [chunk] = chunks
    assert chunk.lines == [2, 4, 5, 6]
    parsed = parse_chunk(chunk, source.spec)
    assert parsed.texts == ["two\nlines", "fine", 'a "quoted" word']
    assert parsed.ids == ["1", "3", "4"] and parsed.rows == [0, 2, 3]
    assert parsed.errors[0]["line"] == 4 and "double quote" in parsed.errors[0]["reason"]


def test_csv_wrong_field_count_and_empty_text_are_error_rows(tmp_path):
    path = tmp_path / "d.tsv"
    path.write_text("text\tgold\nfine\tpos\nonly one\n\tneg\n", encoding="utf-8")
    source, chunks = chunks_of(path, keep=["gold"])
    texts, rows, errors = parse_all(source, chunks)
    assert texts == ["fine"]
    assert [(e["line"], e["reason"]) for e in errors] == [
        (3, "expected 2 fields, as in the header, but the record has 1"),
        (4, "the text is empty")]


def test_missing_column_is_reported_before_anything_runs(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("id,body\n1,x\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"d.csv, line 1: .*no column 'text'.*--text-column"):
        ScoreInput(path)


def test_jsonl_bad_rows_each_have_a_reason(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "ok"}\n{bad\n[1]\n{"text": 3}\n{"text": null}\n\n{"text": " "}\n',
                    encoding="utf-8")
    source, chunks = chunks_of(path, size=3)
    texts, rows, errors = parse_all(source, chunks)
    assert texts == ["ok"] and rows == [0]
    reasons = [e["reason"] for e in errors]
    assert [e["line"] for e in errors] == [2, 3, 4, 5, 6, 7]
    assert reasons[0].startswith("not valid JSON") and "array" in reasons[1]
    assert "a number" in reasons[2] and "null" in reasons[3]
    assert reasons[4] == reasons[5] == "the text is empty"


def test_text_format_refuses_columns(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("x\n", encoding="utf-8")
    with pytest.raises(DataError, match="no named columns"):
        ScoreInput(path, keep=["a"])


def test_parquet_chunks_cross_row_groups_and_resume_mid_file(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({"text": [f"doc {i}" if i != 4 else None for i in range(10)],
                      "n": list(range(10))})
    pq.write_table(table, tmp_path / "d.parquet", row_group_size=3)
    source, chunks = chunks_of(tmp_path / "d.parquet", size=4, keep=["n"])
    assert [c.n_rows for c in chunks] == [4, 4, 2] and source.total == 10
    parsed = parse_chunk(chunks[1], source.spec)
    assert parsed.rows == [5, 6, 7] and parsed.kept["n"].to_pylist() == [5, 6, 7]
    assert parsed.errors[0]["row"] == 4 and "null" in parsed.errors[0]["reason"]
    resumed = list(source.chunks(4, start=chunks[0].end()))
    assert [c.records.column("n").to_pylist() for c in resumed] == [[4, 5, 6, 7], [8, 9]]


def test_parquet_text_column_must_hold_strings(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": [1, 2], "body": ["a", "b"]}), tmp_path / "d.parquet")
    with pytest.raises(DataError, match="holds int64, not text.*'body'"):
        ScoreInput(tmp_path / "d.parquet")


def test_a_literal_quote_inside_an_unquoted_field_is_text(tmp_path):
    # the audit's case: rows 1 and 4 hold a literal 5" and 3"; every row must come through
    path = tmp_path / "d.tsv"
    path.write_text('id\ttext\n1\ta 5" screen\n2\tgood fun\n3\tbad dull\n4\ta 3" disk\n5\tfine\n',
                    encoding="utf-8")
    source, chunks = chunks_of(path, size=2, id_column="id")
    texts, rows, errors = parse_all(source, chunks)
    assert texts == ['a 5" screen', "good fun", "bad dull", 'a 3" disk', "fine"]
    assert rows == [0, 1, 2, 3, 4] and errors == []
    csv_path = tmp_path / "d.csv"
    csv_path.write_text('text,n\nsay "hi" twice,1\nok,2\n', encoding="utf-8")
    assert parse_all(*chunks_of(csv_path))[0] == ['say "hi" twice', "ok"]


def test_rows_a_stray_opening_quote_would_swallow_are_read_again(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('n,text\n1,"stray start\n2,good\n3,bad "x" y\n4,fine\n', encoding="utf-8")
    source, chunks = chunks_of(path, size=10)
    assert chunks[0].lines == [2, 3, 4, 5]
    texts, rows, errors = parse_all(source, chunks)
    assert texts == ["good", 'bad "x" y', "fine"] and rows == [1, 2, 3]
    assert [e["line"] for e in errors] == [2] and "double quote" in errors[0]["reason"]


def test_a_header_may_hold_literal_quotes(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('size 5",text\n1,fine\n', encoding="utf-8")
    source = ScoreInput(path)
    assert source.spec.header == ('size 5"', "text")
    assert parse_all(source, list(source.chunks(5)))[0] == ["fine"]


_FIELD = st.text(alphabet='ab ,"\n\t', max_size=8)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(_FIELD, _FIELD), min_size=1, max_size=8),
       fmt=st.sampled_from(["csv", "tsv"]), size=st.integers(1, 4))
def test_well_formed_files_read_as_pythons_csv_reads_them(tmp_path_factory, rows, fmt, size):
    import csv
    import io

    delimiter = "," if fmt == "csv" else "\t"
    rows = [(a, b) for a, b in rows if b.strip()]  # an empty text is a bad row by design
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["n", "text"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("csv") / f"d.{fmt}"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    expected = [r[1] for r in csv.reader(io.StringIO(buffer.getvalue(), newline=""),
                                         delimiter=delimiter)][1:]
    texts, _, errors = parse_all(*chunks_of(path, size=size))
    assert texts == expected and errors == []


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(st.text(alphabet='ab ,"', max_size=10), min_size=1, max_size=12),
       size=st.integers(1, 4))
def test_every_line_is_in_a_record_and_only_well_formed_records_span_lines(
        tmp_path_factory, lines, size):
    import csv

    path = tmp_path_factory.mktemp("raw") / "d.csv"
    path.write_text("n,text\n" + "\n".join(lines) + "\n", encoding="utf-8")
    source, chunks = chunks_of(path, size=size)
    starts = [line for chunk in chunks for line in chunk.lines]
    records = [r for chunk in chunks for r in chunk.records]
    spans = [len(r.split(b"\n")) for r in records]
    assert starts[0] == 2 and [a + n for a, n in zip(starts, spans)] == starts[1:] + [
        2 + len(lines)]  # the records tile the data lines: none skipped, none twice
    texts, rows, errors = parse_all(source, chunks)
    assert sorted(rows + [e["row"] for e in errors]) == list(range(len(records)))
    assert all(e["line"] in starts for e in errors)
    for record, n in zip(records, spans):
        if n > 1:  # kept only as a whole, well-formed record
            assert len(next(csv.reader([record.decode()], strict=True))) == 2
