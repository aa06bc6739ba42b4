"""One bad row never stops a scoring job: every row in is a row out or an error row, in
every input and output format, and a job stopped after any chunk resumes to the same end."""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from textpipe.errors import ModelError
from textpipe.score import score_file
from textpipe.score.job import score_chunk
from textpipe.score.readers import ScoreInput, id_problem, parse_chunk
from textpipe.score.writers import format_chunk, header, output_spec

NASTY = ["", " ", "good fun", "awful dull", "\ud83d", "x\udc00y", "a\x00b", "x\ry", "\r",
         "line\u2028sep", "nel\x85", "caf\u00e9", '"stray', 'say "hi"', "a,b", "tab\there",
         "\\", "\ufeffbom", "dull " * 3000]
strings = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))
scalars = st.one_of(strings, st.integers(), st.just(10**40), st.floats(), st.none(),
                    st.booleans())
values = st.one_of(scalars, st.lists(scalars, max_size=3),
                   st.dictionaries(st.sampled_from(["a", "\ud83d", "b"]), scalars, max_size=2))
RAW_LINES = [b"", b"\xff", b"caf\xe9 \x85", b"{not json", b"\x00", b"[1, 2]", b'"text"',
             b"ok\r", b"\xed\xa0\xbd", b"a,b,c,d", b'a,b"c,d', b"only one field"]


def _bytes(text: str) -> bytes:
    """UTF-8, except that a lone surrogate becomes the invalid bytes that spell it."""
    return text.encode("utf-8", "surrogatepass")


def _one_line(text) -> str:
    return str(text).replace("\n", " ")


@st.composite
def documents(draw, fmt):
    """Rows of one input format as bytes (or a Parquet table), and how many rows there are."""
    n = draw(st.integers(1, 12))
    if fmt == "parquet":
        return _parquet_table(draw, n), n
    lines = []
    for _ in range(n):
        if draw(st.integers(0, 4)) == 0:
            lines.append(draw(st.sampled_from(RAW_LINES)))
        elif fmt == "text":
            lines.append(_bytes(_one_line(draw(strings))))
        elif fmt == "jsonl":
            record = {"id": draw(values), "text": draw(st.one_of(strings, values)),
                      "k": draw(values)}
            lines.append(json.dumps(record).encode("ascii"))
        else:
            buffer = io.StringIO()
            fields = [draw(scalars), draw(strings), draw(values)]
            csv.writer(buffer, delimiter="," if fmt == "csv" else "\t",
                       lineterminator="\r\n").writerow(fields)  # fields holding \r or \n
            lines.append(_bytes(buffer.getvalue()[:-2]))  # are quoted: they are in it
    if fmt in ("csv", "tsv"):
        if draw(st.booleans()):  # an opening quote never closed: the last row only, as a
            lines[-1] = b'"never closed, x'  # stray quote earlier may join what follows
        separator = b"," if fmt == "csv" else b"\t"
        return b"id" + separator + b"text" + separator + b"k\n" + b"\n".join(lines) + b"\n", n
    end = draw(st.sampled_from([b"\n", b""])) if lines[-1] else b"\n"  # else no last line
    return b"\n".join(lines) + end, n


def _parquet_table(draw, n):
    import pyarrow as pa

    def strings_with_bad_bytes(items):
        raw = [None if s is None else _bytes(s) for s in items]
        return pa.array(raw, pa.binary()).view(pa.string())  # unchecked: may not be UTF-8

    texts = draw(st.lists(st.one_of(st.none(), strings), min_size=n, max_size=n))
    kind = draw(st.sampled_from(["string", "int", "float"]))
    if kind == "string":
        ids = strings_with_bad_bytes(draw(st.lists(st.one_of(st.none(), strings),
                                                   min_size=n, max_size=n)))
    elif kind == "int":
        ids = pa.array(draw(st.lists(st.integers(-2**63, 2**63 - 1), min_size=n, max_size=n)))
    else:
        ids = pa.array(draw(st.lists(st.floats(), min_size=n, max_size=n)), pa.float64())
    kept = pa.array(draw(st.lists(st.one_of(st.none(), st.floats()), min_size=n, max_size=n)),
                    pa.float64())
    return pa.table({"id": ids, "text": strings_with_bad_bytes(texts), "k": kept})


class _Stop(Exception):
    """Stands for Ctrl-C or a crash in the middle of a job."""


def _stop_after(chunks: int):
    calls = []

    def on_progress(*_):
        calls.append(1)
        if len(calls) > chunks:  # the first call comes before any chunk
            raise _Stop

    return on_progress


def _strict_json(line: bytes):
    def refuse(token):
        raise ValueError(f"{token} is not JSON")

    return json.loads(line.decode("utf-8"), parse_constant=refuse)


def _output_rows(path: Path, fmt: str) -> list:
    """The output's rows, read strictly: it must be valid for its format."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        # A kept NaN stays NaN in Parquet; NaN equals nothing, so compare it by name.
        return [{key: "NaN" if isinstance(value, float) and math.isnan(value) else value
                 for key, value in row.items()} for row in pq.read_table(path).to_pylist()]
    data = path.read_bytes()
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    assert all(len(line.splitlines()) == 1 for line in data.decode().split("\n") if line)
    return [_strict_json(line) for line in data.split(b"\n") if line]


@pytest.mark.parametrize("in_fmt", ["text", "csv", "tsv", "jsonl", "parquet"])
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_rows_in_are_rows_out_plus_error_rows_and_resume_ends_the_same(pipeline, in_fmt,
                                                                         data):
    document, n_rows = data.draw(documents(in_fmt), label="input")
    out_fmt = data.draw(st.sampled_from(["jsonl", "csv", "parquet"]), label="output")
    columns = in_fmt != "text" and data.draw(st.booleans(), label="id and kept columns")
    chunk_size = data.draw(st.integers(1, 5), label="chunk_size")
    options = dict(input_format=in_fmt, chunk_size=chunk_size,
                   encoding=data.draw(st.sampled_from(["auto", "utf-8"]), label="encoding"),
                   top_k=data.draw(st.sampled_from([None, 1]), label="top_k"),
                   id_column="id" if columns else None, keep=["k"] if columns else [])
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        src = folder / f"in.{in_fmt}"
        if in_fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(document, src)
        else:
            src.write_bytes(document)
        whole = score_file(pipeline, src, folder / f"whole.{out_fmt}", **options)
        assert whole.scored + whole.errors == n_rows
        rows = _output_rows(folder / f"whole.{out_fmt}", out_fmt)
        errors = [_strict_json(line) for line in
                  (folder / f"whole.{out_fmt}.errors.jsonl").read_bytes().splitlines()]
        assert (len(rows), len(errors)) == (whole.scored, whole.errors)
        if not columns:  # ids are row numbers: each row is in exactly one of the two files
            ids = [int(r["id"]) for r in rows]
            assert sorted(ids + [e["row"] for e in errors]) == list(range(n_rows))

        n_chunks = math.ceil(n_rows / chunk_size)
        stop = data.draw(st.integers(0, n_chunks - 1), label="stop after chunks")
        out = folder / f"resumed.{out_fmt}"
        with pytest.raises(_Stop):
            score_file(pipeline, src, out, on_progress=_stop_after(stop), **options)
        resumed = score_file(pipeline, src, out, resume=True, **options)
        assert (resumed.scored, resumed.errors) == (whole.scored, whole.errors)
        assert resumed.skipped + resumed.documents == n_rows
        assert _output_rows(out, out_fmt) == rows
        assert (folder / f"resumed.{out_fmt}.errors.jsonl").read_bytes() == \
            (folder / f"whole.{out_fmt}.errors.jsonl").read_bytes()


def _parsed(tmp_path, data: bytes, **options):
    path = tmp_path / "in.jsonl"
    path.write_bytes(data)
    source = ScoreInput(path, **options)
    return [parse_chunk(chunk, source.spec) for chunk in source.chunks(100)][0]


def test_ids_must_be_strings_or_finite_numbers():
    assert [id_problem(v) for v in ["a", 0, -1.5, 10**40]] == [None] * 4
    reasons = [id_problem(v) for v in [None, True, [1], {"a": 1}, math.nan, -math.inf,
                                       "\ud83d"]]
    assert [r.rsplit(" ", 1)[-1] for r in reasons[:4]] == ["null", "boolean", "array",
                                                          "object"]
    assert "NaN" in reasons[4] and "-Infinity" in reasons[5] and "\\ud83d" in reasons[6]


def test_a_lone_surrogate_anywhere_in_a_kept_value_is_an_error_row(tmp_path):
    parsed = _parsed(tmp_path, b'{"text": "a", "k": {"x": ["\\udc00"]}}\n'
                               b'{"text": "b", "k": {"\\ud83d": 1}}\n{"text": "c", "k": 1}\n',
                     keep=["k"])
    assert parsed.texts == ["c"] and parsed.kept == {"k": [1]}
    assert [e["line"] for e in parsed.errors] == [1, 2]
    assert "kept field 'k'" in parsed.errors[0]["reason"]


def test_json_nested_too_deeply_is_an_error_row(tmp_path):
    parsed = _parsed(tmp_path, b'{"text": ' + b"[" * 100_000 + b"\n" + b'{"text": "ok"}\n')
    assert parsed.texts == ["ok"] and "nested too deeply" in parsed.errors[0]["reason"]


def test_excerpts_and_reasons_are_always_utf8(tmp_path):
    parsed = _parsed(tmp_path, b'{"\\ud83d": "no text field"}\n')
    [error] = parsed.errors
    assert "\\ud83d" in error["reason"] and error["reason"].encode("utf-8")


def test_parquet_strings_that_are_not_utf8_are_error_rows(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    text = pa.array([b"good", b"bad \xff", b"fine"], pa.binary()).view(pa.string())
    ids = pa.array([b"a", b"b", b"\xfe"], pa.binary()).view(pa.string())
    pq.write_table(pa.table({"text": text, "id": ids}), tmp_path / "in.parquet")
    with ScoreInput(tmp_path / "in.parquet", id_column="id") as source:
        parsed = parse_chunk(next(source.chunks(10)), source.spec)
    assert parsed.texts == ["good"] and parsed.ids.to_pylist() == ["a"]
    assert [(e["row"], e["reason"]) for e in parsed.errors] == [
        (1, "column 'text' is not valid UTF-8 (byte 0xff at byte 5)"),
        (2, "column 'id' is not valid UTF-8 (byte 0xfe at byte 1)")]


def test_long_csv_fields_are_read(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("id,text\n1," + "word " * 40_000 + "\n2,short\n")
    source = ScoreInput(path)
    parsed = parse_chunk(next(source.chunks(10)), source.spec)
    assert len(parsed.texts) == 2 and not parsed.errors


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_kept_nan_and_infinities_are_written_as_null(tmp_path, fmt):
    spec = output_spec(fmt, ["a", "b"], keep=["k"])
    kept = [math.nan, [math.inf, {"x": -math.inf}], "\u2028"]
    payload = format_chunk(spec, [0, 1, 2], None, np.full((3, 2), 0.5), {"k": kept})
    if fmt == "jsonl":
        assert b"\\u2028" in payload and len(payload.decode().splitlines()) == 3
    (tmp_path / f"out.{fmt}").write_bytes(header(spec) + payload)
    written = [row["k"] for row in _output_rows(tmp_path / f"out.{fmt}", fmt)]
    assert written == {"jsonl": [None, [None, {"x": None}], "\u2028"],
                       "csv": ["", '[null, {"x": null}]', "\u2028"],
                       "parquet": [None, '[null, {"x": null}]', "\u2028"]}[fmt]


class _Unwritable:
    def __str__(self):
        raise ValueError("no text for this one")


class _Scorer:
    """Probabilities that are NaN for documents holding 'nan', a failure for 'boom'."""

    classes_ = ["neg", "pos"]

    def predict_proba(self, texts):
        if any("boom" in t for t in texts):
            raise ValueError("cannot handle boom")
        return np.array([[math.nan, math.nan] if "nan" in t else [0.4, 0.6] for t in texts])


def _chunk(tmp_path, lines: bytes, chunk_size=100):
    path = tmp_path / "in.txt"
    path.write_bytes(lines)
    source = ScoreInput(path)
    return source, list(source.chunks(chunk_size))


def test_a_row_the_writer_fails_on_is_an_error_row(tmp_path, monkeypatch):
    import textpipe.score.readers as readers

    source, [chunk] = _chunk(tmp_path, b"ok\nthis one\nfine\n")
    real = readers.parse_chunk

    def with_a_value_no_writer_can_write(chunk, spec):
        parsed = real(chunk, spec)
        parsed.ids = ["a", _Unwritable(), "c"]
        return parsed

    import pyarrow as pa

    monkeypatch.setattr("textpipe.score.job.parse_chunk", with_a_value_no_writer_can_write)
    for fmt in ("jsonl", "csv", "parquet"):
        spec = output_spec(fmt, ["neg", "pos"], id_type=pa.string())
        result = score_chunk(_Scorer(), chunk, source.spec, spec)
        assert result.scored == 2
        [error] = result.errors
        assert error["line"] == 2 and "no text for this one" in error["reason"]
        assert error["reason"].startswith(f"cannot write this row as {fmt}")


def test_nan_probabilities_and_model_failures_are_error_rows(tmp_path):
    source, [chunk] = _chunk(tmp_path, b"ok\nnan here\nboom\nfine\n")
    result = score_chunk(_Scorer(), chunk, source.spec, output_spec("jsonl", ["neg", "pos"]))
    assert [_strict_json(line)["id"] for line in result.payload.splitlines()] == [0, 3]
    assert [(e["line"], e["excerpt"]) for e in result.errors] == [(2, "nan here"), (3, "boom")]
    assert "not all numbers" in result.errors[0]["reason"]


def test_a_chunk_of_one_failing_document_is_an_error_row_not_a_stop(tmp_path):
    source, chunks = _chunk(tmp_path, b"ok\nboom\nfine\n", chunk_size=1)
    results = [score_chunk(_Scorer(), c, source.spec, output_spec("csv", ["neg", "pos"]))
               for c in chunks]
    assert [r.scored for r in results] == [1, 0, 1] and len(results[1].errors) == 1


def test_a_model_that_fails_on_every_document_stops_the_job_with_one_message(tmp_path):
    source, [chunk] = _chunk(tmp_path, b"boom\nboom again\n")
    with pytest.raises(ModelError, match=r"fails on every document of rows 0 to 1 "
                                         r"\(ValueError: cannot handle boom\)"):
        score_chunk(_Scorer(), chunk, source.spec, output_spec("jsonl", ["neg", "pos"]))


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_job_stopped_before_a_chunk_with_a_bad_id_resumes_through_it(pipeline, tmp_path,
                                                                      fmt):
    src = tmp_path / "in.jsonl"
    ids = ["a", "b", "\ud83d", "d", math.nan, "f"]
    src.write_text("".join(json.dumps({"id": i, "text": "good fun"}) + "\n" for i in ids))
    out = tmp_path / f"out.{fmt}"
    options = dict(id_column="id", chunk_size=2)
    with pytest.raises(_Stop):
        score_file(pipeline, src, out, on_progress=_stop_after(1), **options)
    summary = score_file(pipeline, src, out, resume=True, **options)
    assert (summary.scored, summary.errors, summary.skipped) == (4, 2, 2)
    assert [r["id"] for r in _output_rows(out, fmt)] == ["a", "b", "d", "f"]
