"""`textpipe score`: one bad row never stops a job, the output is always valid, and the
encoding it reads with is said, not guessed in silence."""

from __future__ import annotations

import json
import pytest

import textpipe
from textpipe.model import save_model

from .conftest import run_cli

TRAIN = ["good fun", "great fun", "a fine good film", "bad dull", "awful dull", "a dull film"]
LABELS = ["pos", "pos", "pos", "neg", "neg", "neg"]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    pipe = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
    pipe.fit(TRAIN, LABELS)
    return save_model(pipe, tmp_path_factory.mktemp("model") / "toy")


def strict_json(line: str):
    """Parse one JSON value as the standard has it: NaN and Infinity are not JSON."""
    def refuse(token):
        raise ValueError(f"{token} is not JSON")

    return json.loads(line, parse_constant=refuse)


def read_output(path):
    """The rows of a JSONL, CSV or Parquet output, each as a dict."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    text = path.read_bytes().decode("utf-8")  # strict: the output is UTF-8
    if path.suffix == ".csv":
        import csv
        import io

        return list(csv.DictReader(io.StringIO(text, newline="")))
    return [strict_json(line) for line in text.split("\n") if line]


def errors_of(path):
    return [strict_json(line) for line in path.read_bytes().decode("utf-8").split("\n") if line]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
@pytest.mark.parametrize("where", ["id", "kept"])
def test_a_lone_surrogate_in_the_id_or_a_kept_field_is_one_error_row(model, tmp_path, capfd,
                                                                      fmt, where):
    src = tmp_path / "in.jsonl"
    bad = {"id": "\ud83d", "k": 1} if where == "id" else {"id": "b", "k": ["x\udc00"]}
    rows = [{"id": "a", "k": 0}, {**bad, "text": "good fun"}, {"id": "c", "k": 2}]
    src.write_text("".join(json.dumps({"text": "dull", **r}) + "\n" for r in rows))
    out = tmp_path / f"out.{fmt}"
    outcome = run_cli(["score", model, src, "-o", out, "--id-column", "id", "--keep", "k"],
                      capfd)
    assert outcome.code == 0, outcome.err
    assert [r["id"] for r in read_output(out)] == ["a", "c"]
    [error] = errors_of(tmp_path / f"out.{fmt}.errors.jsonl")
    assert error["line"] == 2 and "lone surrogate" in error["reason"]
    assert ("id" if where == "id" else "'k'") in error["reason"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_nan_and_infinite_ids_are_error_rows_and_kept_ones_are_written_as_null(model,
                                                                              tmp_path,
                                                                              capfd, fmt):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": NaN, "text": "good", "k": 1}\n'
                   '{"id": 1e999, "text": "good", "k": 1}\n'
                   '{"id": 2, "text": "fun", "k": Infinity}\n'
                   '{"id": 3, "text": "fun", "k": [1, NaN, {"x": -Infinity}]}\n')
    out = tmp_path / f"out.{fmt}"
    outcome = run_cli(["score", model, src, "-o", out, "--id-column", "id", "--keep", "k"],
                      capfd)
    assert outcome.code == 0, outcome.err
    written = read_output(out)
    assert [str(r["id"]) for r in written] == ["2", "3"]
    expected = {"jsonl": [None, [1, None, {"x": None}]], "csv": ["", "[1, null, {\"x\": null}]"],
                "parquet": [None, "[1, null, {\"x\": null}]"]}[fmt]
    assert [r["k"] for r in written] == expected
    reasons = [e["reason"] for e in errors_of(tmp_path / f"out.{fmt}.errors.jsonl")]
    assert [e["line"] for e in errors_of(tmp_path / f"out.{fmt}.errors.jsonl")] == [1, 2]
    assert "NaN" in reasons[0] and "Infinity" in reasons[1]


def test_other_ids_that_identify_nothing_are_error_rows(model, tmp_path, capfd):
    src = tmp_path / "in.jsonl"
    ids = ["null", "true", "[1]", '{"a": 1}', '"ok"', "7", "1.5"]
    src.write_text("".join(f'{{"id": {i}, "text": "good"}}\n' for i in ids))
    out = tmp_path / "out.jsonl"
    assert run_cli(["score", model, src, "-o", out, "--id-column", "id"], capfd).code == 0
    assert [r["id"] for r in read_output(out)] == ["ok", 7, 1.5]
    errors = errors_of(tmp_path / "out.jsonl.errors.jsonl")
    assert [e["line"] for e in errors] == [1, 2, 3, 4]
    assert [e["reason"].rsplit(" ", 1)[-1] for e in errors] == ["null", "boolean", "array",
                                                               "object"]


def test_auto_encoding_keeps_a_utf8_file_utf8_despite_a_stray_byte(model, tmp_path, capfd):
    src = tmp_path / "in.txt"
    lines = [f"good café {i}".encode() for i in range(20)]
    lines[11] = b"bad \xff byte"
    src.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    outcome = run_cli(["score", model, src, "-o", out], capfd)
    assert outcome.code == 0, outcome.err
    assert "encoding: utf-8" in outcome.err and "byte 0xff at line 12" in outcome.err
    assert len(read_output(out)) == 19
    [error] = errors_of(tmp_path / "out.jsonl.errors.jsonl")
    assert error["line"] == 12 and "0xff" in error["reason"]


def test_auto_encoding_says_why_it_chose_cp1252(model, tmp_path, capfd):
    src = tmp_path / "in.txt"
    src.write_bytes(b"good fun\n" * 11 + b"caf\xe9 \x85 good\n")
    out = tmp_path / "out.jsonl"
    outcome = run_cli(["score", model, src, "-o", out], capfd)
    assert outcome.code == 0, outcome.err
    assert "encoding: cp1252 (byte 0xe9 at line 12 is not UTF-8" in outcome.err
    assert len(read_output(out)) == 12


def test_encoding_utf8_sends_undecodable_rows_to_the_errors_file(model, tmp_path, capfd):
    src = tmp_path / "in.csv"
    src.write_bytes(b"id,text\na,good fun\nb,caf\xe9\nc,dull\n")
    out = tmp_path / "out.csv"
    outcome = run_cli(["score", model, src, "-o", out, "--encoding", "utf-8",
                       "--id-column", "id"], capfd)
    assert outcome.code == 0, outcome.err
    assert [r["id"] for r in read_output(out)] == ["a", "c"]
    [error] = errors_of(tmp_path / "out.csv.errors.jsonl")
    assert error["line"] == 3 and error["reason"] == ("cannot decode byte 0xe9 (column 6) as "
                                                      "'utf-8'")
    assert "encoding:" not in outcome.err  # an encoding the user named needs no note


@pytest.mark.parametrize("encoding, says", [("rot13", "not a text encoding"),
                                            ("nope", "unknown text encoding"),
                                            ("hex", "not a text encoding"),
                                            ("cp037", "ASCII-compatible")])
def test_an_encoding_that_cannot_read_text_is_one_clear_error(model, tmp_path, fails_cleanly,
                                                              encoding, says):
    src = tmp_path / "in.csv"
    src.write_text("id,text\na,good\n")
    outcome = fails_cleanly(["score", model, src, "-o", tmp_path / "out.jsonl", "--encoding",
                             encoding], mentions=(encoding, says))
    assert "--encoding" in outcome.message or "ASCII" in outcome.message


@pytest.mark.parametrize("keep", ["text,text", "id,id", "k --keep k", "text, text"])
def test_keeping_a_column_twice_is_one_clear_error(model, tmp_path, fails_cleanly, keep):
    src = tmp_path / "in.csv"
    src.write_text("id,text,k\na,good,1\n")
    keeps = [part for value in keep.split(" --keep ") for part in ("--keep", value)]
    fails_cleanly(["score", model, src, "-o", tmp_path / "out.jsonl", "--id-column", "id",
                   *keeps], mentions=("--keep", "twice"))


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_kept_columns_named_like_output_columns_are_renamed_not_lost(model, tmp_path, capfd,
                                                                     fmt):
    src = tmp_path / "in.csv"
    src.write_text("id,text,label,proba_pos,input_label,input_id\n"
                   "a,good,L,P,IL,IID\n")
    out = tmp_path / f"out.{fmt}"
    outcome = run_cli(["score", model, src, "-o", out, "--id-column", "id", "--keep",
                       "id,text,label,proba_pos,input_label,input_id"], capfd)
    assert outcome.code == 0, outcome.err
    [row] = read_output(out)
    assert {k: row[k] for k in list(row)[4:]} == {
        "input_input_id": "a", "text": "good", "input_input_label": "L",
        "input_proba_pos": "P", "input_label": "IL", "input_id": "IID"}
    assert list(row)[:4] == ["id", "label", "proba_neg", "proba_pos"] and row["id"] == "a"
