import io
import json

import numpy as np
import pytest

from textpipe.errors import UsageError
from textpipe.score.writers import assemble, format_chunk, header, output_spec

PROBA = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])


def test_all_probabilities_as_jsonl_one_object_per_row():
    spec = output_spec("jsonl", ["a", "b", "c"], keep=["src"])
    out = format_chunk(spec, [3, 5], None, PROBA, {"src": ["x", {"k": [1]}]})
    rows = [json.loads(line) for line in out.decode().splitlines()]
    assert rows[0] == {"id": 3, "label": "a", "proba_a": 0.7, "proba_b": 0.2, "proba_c": 0.1,
                       "src": "x"}
    assert rows[1]["label"] == "c" and rows[1]["src"] == {"k": [1]}


def test_top_k_lists_classes_from_the_most_probable():
    spec = output_spec("jsonl", ["a", "b", "c"], top_k=2)
    rows = [json.loads(x) for x in format_chunk(spec, [0, 1], None, PROBA, {}).splitlines()]
    assert [(r["top1_label"], r["top2_label"]) for r in rows] == [("a", "b"), ("c", "b")]
    assert rows[1]["top1_proba"] == 0.6


def test_top_k_out_of_range_is_refused():
    with pytest.raises(UsageError, match="top_k must be between 1 and the number of classes"):
        output_spec("csv", ["a", "b"], top_k=3)


def test_kept_column_that_clashes_is_renamed():
    spec = output_spec("csv", ["a", "b"], keep=["id", "label", "input_label"])
    assert spec.columns[-3:] == ("input_id", "input_input_label", "input_label")
    assert spec.keep[-1] == ("input_label", "input_label")  # no clash: its own name


def test_csv_quotes_what_needs_quoting_and_writes_the_header_once():
    spec = output_spec("csv", ["neg", "pos"], proba=False, keep=["note"])
    body = format_chunk(spec, [0], ["id,1"], None, {"note": ['say "hi"\nbye']},
                        predicted=np.array([1]))
    assert header(spec) == b"id,label,note\n"
    assert body == b'"id,1",pos,"say ""hi""\nbye"\n'


def test_parquet_chunks_become_one_row_group_each(tmp_path):
    import pyarrow.parquet as pq

    spec = output_spec("parquet", ["a", "b", "c"], keep=["src"])
    parts = []
    for i, rows in enumerate([[0, 1], [], [2]]):
        part = tmp_path / f"p{i}.parquet"
        proba = PROBA[: len(rows)] if rows else np.zeros((0, 3))
        part.write_bytes(format_chunk(spec, rows, None, proba,
                                      {"src": [None, 7][: len(rows)]}))
        parts.append(part)
    with open(tmp_path / "out.parquet", "wb") as fh:
        assemble(spec, parts, fh)
    found = pq.ParquetFile(tmp_path / "out.parquet")
    assert found.metadata.num_row_groups == 2  # the empty chunk adds none
    table = found.read()
    assert table.column("id").to_pylist() == [0, 1, 2]
    assert table.column("src").to_pylist() == [None, "7", None]
    assert str(table.schema.field("src").type) == "string"


def test_text_formats_assemble_by_concatenation(tmp_path):
    spec = output_spec("csv", ["a", "b", "c"])
    (tmp_path / "0").write_bytes(format_chunk(spec, [0], None, PROBA[:1], {}))
    (tmp_path / "1").write_bytes(format_chunk(spec, [1], None, PROBA[1:], {}))
    buffer = io.BytesIO()
    assemble(spec, [tmp_path / "0", tmp_path / "1"], buffer)
    assert buffer.getvalue().decode().splitlines() == [
        "id,label,proba_a,proba_b,proba_c", "0,a,0.7,0.2,0.1", "1,c,0.1,0.3,0.6"]


@pytest.mark.parametrize("top_k", [None, 2])
def test_parquet_column_types_come_from_what_they_hold_not_their_names(tmp_path, top_k):
    import pyarrow.parquet as pq

    labels = ["spam_label", "ham", "x_proba"]  # class names that look like column suffixes
    spec = output_spec("parquet", labels, top_k=top_k)
    part = tmp_path / "p.parquet"
    part.write_bytes(format_chunk(spec, [0, 1], None, PROBA, {}))
    table = pq.read_table(part)
    types = {f.name: str(f.type) for f in table.schema}
    if top_k is None:
        assert types["proba_spam_label"] == types["proba_x_proba"] == "double"
        assert table.column("proba_spam_label").to_pylist() == [0.7, 0.1]
    else:
        assert types["top1_label"] == "string" and types["top1_proba"] == "double"
        assert table.column("top1_label").to_pylist() == ["spam_label", "x_proba"]
