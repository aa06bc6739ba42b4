import io
import json
import os
import sys

import pytest

import textpipe
from textpipe.errors import DataError, ModelError, UsageError
from textpipe.score import score_file

DOCS = ["good fun", "awful dull", "", "great film", "bad"]


@pytest.fixture
def text_input(tmp_path):
    path = tmp_path / "docs.txt"
    path.write_text("\n".join(DOCS) + "\n", encoding="utf-8")
    return path


def test_every_row_is_in_the_output_or_the_errors_file(model_dir, pipeline, text_input,
                                                       tmp_path, read_jsonl):
    summary = score_file(model_dir, text_input, tmp_path / "out.jsonl", chunk_size=2)
    rows = read_jsonl(tmp_path / "out.jsonl")
    assert [r["id"] for r in rows] == [0, 1, 3, 4]
    expected = pipeline.predict([d for d in DOCS if d]).tolist()
    assert [r["label"] for r in rows] == expected
    assert rows[0]["proba_pos"] == pytest.approx(pipeline.predict_proba(["good fun"])[0, 1])
    assert read_jsonl(tmp_path / "out.jsonl.errors.jsonl") == [
        {"row": 2, "line": 3, "reason": "the text is empty", "excerpt": ""}]
    assert (summary.scored, summary.errors, summary.skipped) == (4, 1, 0)
    assert not (tmp_path / "out.jsonl.parts").exists()


def test_csv_to_parquet_keeps_columns_and_ids(model_dir, tmp_path):
    import pyarrow.parquet as pq

    src = tmp_path / "in.csv"
    src.write_text("doc,text,label\nd1,good fun,pos\nd2,dull bad,neg\n", encoding="utf-8")
    score_file(model_dir, src, tmp_path / "out.parquet", id_column="doc", keep=["label"],
               top_k=1)
    table = pq.read_table(tmp_path / "out.parquet").to_pydict()
    assert table["id"] == ["d1", "d2"] and table["label"] == ["pos", "neg"]
    assert table["input_label"] == ["pos", "neg"] and set(table) == {
        "id", "label", "top1_label", "top1_proba", "input_label"}


def test_parquet_input_to_csv_output(model_dir, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"body": ["good fun", None, "dull"], "n": [1, 2, 3]}),
                   tmp_path / "in.parquet")
    summary = score_file(model_dir, tmp_path / "in.parquet", tmp_path / "out.csv",
                         text_column="body", keep=["n"], proba=False, chunk_size=2)
    assert (tmp_path / "out.csv").read_text().splitlines() == [
        "id,label,n", "0,pos,1", "2,neg,3"]
    assert summary.errors == 1


def test_output_is_the_same_with_two_workers(model_dir, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("".join(f"good fun {i}\nbad dull {i}\n" for i in range(300)), encoding="utf-8")
    score_file(model_dir, src, tmp_path / "one.jsonl", chunk_size=64)
    score_file(model_dir, src, tmp_path / "two.jsonl", chunk_size=64, n_jobs=2)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()


def test_strict_stops_at_the_first_bad_row_with_its_line(model_dir, text_input, tmp_path):
    with pytest.raises(DataError, match=r"docs.txt, line 3: the text is empty: ''"):
        score_file(model_dir, text_input, tmp_path / "out.jsonl", strict=True, chunk_size=1)
    assert not (tmp_path / "out.jsonl").exists()
    assert not (tmp_path / "out.jsonl.parts").exists()


def test_an_existing_output_is_kept_unless_overwrite(model_dir, text_input, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n")
    with pytest.raises(DataError, match="already exists.*--overwrite"):
        score_file(model_dir, text_input, out)
    score_file(model_dir, text_input, out, overwrite=True)
    assert "precious" not in out.read_text()


def resumable(model_dir, src, out, n_chunks):
    """A run interrupted after committing `n_chunks` chunks."""
    from textpipe.score import job

    original = job.Journal.commit
    calls = {"n": 0}

    def commit(self, *args, **kwargs):
        if calls["n"] == n_chunks:
            raise KeyboardInterrupt
        calls["n"] += 1
        return original(self, *args, **kwargs)

    job.Journal.commit = commit
    try:
        with pytest.raises(KeyboardInterrupt):
            score_file(model_dir, src, out, chunk_size=2)
    finally:
        job.Journal.commit = original


def test_resume_goes_on_after_the_last_committed_chunk(model_dir, text_input, tmp_path,
                                                       read_jsonl):
    out = tmp_path / "out.jsonl"
    resumable(model_dir, text_input, out, n_chunks=1)
    assert not out.exists() and (tmp_path / "out.jsonl.parts").is_dir()
    with pytest.raises(DataError, match="interrupted run.*--resume"):
        score_file(model_dir, text_input, out, chunk_size=2)
    summary = score_file(model_dir, text_input, out, chunk_size=2, resume=True)
    assert summary.skipped == 2 and summary.documents == 3
    assert [r["id"] for r in read_jsonl(out)] == [0, 1, 3, 4]
    assert len(read_jsonl(tmp_path / "out.jsonl.errors.jsonl")) == 1


def test_resume_refuses_a_changed_input_or_options(model_dir, text_input, tmp_path):
    out = tmp_path / "out.jsonl"
    resumable(model_dir, text_input, out, n_chunks=1)
    with pytest.raises(DataError, match="the options differ.*chunk_size: 2 then, 3 now"):
        score_file(model_dir, text_input, out, chunk_size=3, resume=True)
    text_input.write_text("changed\n", encoding="utf-8")
    with pytest.raises(DataError, match="cannot resume: the input differs.*content changed"):
        score_file(model_dir, text_input, out, chunk_size=2, resume=True)


def test_resume_refuses_another_model_in_the_folder(model_dir, text_input, tmp_path):
    import shutil

    from textpipe.model import save_model

    model = shutil.copytree(model_dir, tmp_path / "model")
    out = tmp_path / "out.jsonl"
    resumable(model, text_input, out, n_chunks=1)
    other = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
    save_model(other.fit(["dull", "fun"], ["pos", "neg"]), model)
    with pytest.raises(DataError, match="cannot resume: the model differs.*another model, or "
                                        "was saved again"):
        score_file(model, text_input, out, chunk_size=2, resume=True)


def test_resume_with_nothing_to_resume(model_dir, text_input, tmp_path):
    out = tmp_path / "out.jsonl"
    summary = score_file(model_dir, text_input, out, resume=True)  # nothing yet: starts
    assert summary.scored == 4 and "nothing to resume" in summary.notes[0]
    with pytest.raises(DataError, match="nothing to resume.*--overwrite"):
        score_file(model_dir, text_input, out, resume=True)


def test_a_model_without_probabilities_writes_labels(text_input, tmp_path, read_jsonl):
    pipe = textpipe.load_pipeline({"steps": ["tokenize", "count", "linear_svm"]})
    pipe.fit(["good fun", "great fun", "bad dull", "awful dull"], ["pos", "pos", "neg", "neg"])
    summary = score_file(pipe, text_input, tmp_path / "out.jsonl")
    assert set(read_jsonl(tmp_path / "out.jsonl")[0]) == {"id", "label"}
    assert "no predict_proba" in summary.notes[0]
    with pytest.raises(UsageError, match="no predict_proba.*--top-k"):
        score_file(pipe, text_input, tmp_path / "o2.jsonl", top_k=1)


class _Picky:
    """A classifier that fails on documents holding 'boom'."""

    classes_ = ["neg", "pos"]

    def predict_proba(self, X):
        import numpy as np

        if any("boom" in x for x in X):
            raise ValueError("cannot handle boom")
        return np.tile([0.4, 0.6], (len(X), 1))


def test_a_document_the_model_fails_on_is_an_error_row(tmp_path, read_jsonl):
    src = tmp_path / "in.txt"
    src.write_text("fine\nboom\nok\n", encoding="utf-8")
    summary = score_file(_Picky(), src, tmp_path / "out.jsonl")
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == [0, 2]
    [bad] = read_jsonl(tmp_path / "out.jsonl.errors.jsonl")
    assert bad["row"] == 1 and "cannot handle boom" in bad["reason"] and summary.errors == 1
    assert bad["line"] == 2


def test_a_document_the_model_fails_on_has_its_line_in_csv_too(tmp_path, read_jsonl):
    src = tmp_path / "in.csv"
    src.write_text('n,text\n1,fine\n2,"two\nlines"\n3,boom\n4,ok\n', encoding="utf-8")
    score_file(_Picky(), src, tmp_path / "out.jsonl", chunk_size=2)
    [bad] = read_jsonl(tmp_path / "out.jsonl.errors.jsonl")
    assert (bad["row"], bad["line"], bad["excerpt"]) == (2, 5, "boom")


class _LabelsOnly:
    """A classifier with predict but neither classes_ nor predict_proba."""

    def predict(self, X):
        import numpy as np

        return np.array(["pos"] * len(X))


class _Wayward(_LabelsOnly):
    classes_ = ["a", "b"]


def test_a_model_without_classes_is_refused_before_scoring(text_input, tmp_path):
    with pytest.raises(ModelError, match=r"\(_LabelsOnly\) has no classes_.*Is it fitted"):
        score_file(_LabelsOnly(), text_input, tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl.parts").exists()
    with pytest.raises(ModelError, match=r"predicted 'pos', which is not one of its classes_ "
                                         r"\('a', 'b'\)"):
        score_file(_Wayward(), text_input, tmp_path / "out2.jsonl")


def test_outputs_that_differ_by_format_have_their_own_errors_files(model_dir, text_input,
                                                                   tmp_path, read_jsonl):
    for name in ("out.jsonl", "out.csv"):
        summary = score_file(model_dir, text_input, tmp_path / name)
        assert summary.errors_file == str(tmp_path / f"{name}.errors.jsonl")
    assert len(read_jsonl(tmp_path / "out.jsonl.errors.jsonl")) == 1
    assert len(read_jsonl(tmp_path / "out.csv.errors.jsonl")) == 1


def test_a_second_run_on_the_same_output_is_refused_while_the_first_runs(
        model_dir, text_input, tmp_path):
    from textpipe.score.journal import Journal

    out = tmp_path / "out.jsonl"
    resumable(model_dir, text_input, out, n_chunks=1)
    running = Journal.reopen(tmp_path / "out.jsonl.parts")  # what a live run holds
    for option in ({}, {"resume": True}, {"overwrite": True}):  # none says "pass --resume"
        with pytest.raises(DataError, match=rf"another run \(process {os.getpid()}\) is "
                                            rf"writing to '.*out.jsonl.parts' now"):
            score_file(model_dir, text_input, out, chunk_size=2, **option)
    assert len(running.parts()) == 1 and running.parts()[0].is_file()
    running.close()
    score_file(model_dir, text_input, out, chunk_size=2, resume=True)


def test_a_refused_resume_releases_the_interrupted_run(model_dir, text_input, tmp_path):
    from textpipe.score.journal import Journal

    parts = tmp_path / "out.jsonl.parts"
    Journal.start(parts, {"input": {"path": "-"}}, suffix=".jsonl").close()  # read stdin
    with pytest.raises(DataError, match="it read standard input, so it cannot be resumed"
                       ) as caught:
        score_file(model_dir, text_input, tmp_path / "out.jsonl", resume=True)
    Journal.reopen(parts).close()  # not held by the failed run, whose frames are still alive
    assert caught.value is not None


def test_leftovers_of_a_run_that_read_stdin_suggest_overwrite(model_dir, text_input,
                                                               tmp_path):
    from textpipe.score.journal import Journal

    out = tmp_path / "out.jsonl"
    Journal.start(tmp_path / "out.jsonl.parts", {"input": {"path": "-"}},
                  suffix=".jsonl").close()
    for option in ({}, {"resume": True}):
        with pytest.raises(DataError, match=r"out.jsonl.parts', but it read standard input, "
                                            r"so it cannot be resumed. Pass --overwrite"
                           ) as caught:
            score_file(model_dir, text_input, out, **option)
        assert "--resume" not in str(caught.value)
    score_file(model_dir, text_input, out, overwrite=True)
    assert out.is_file() and not (tmp_path / "out.jsonl.parts").exists()


def test_leftovers_met_by_a_run_that_reads_stdin_suggest_overwrite(model_dir, text_input,
                                                                  tmp_path, monkeypatch):
    out = tmp_path / "out.jsonl"
    resumable(model_dir, text_input, out, n_chunks=1)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"good fun\n")))
    with pytest.raises(DataError, match=r"but this run reads standard input, so it cannot "
                                        r"be resumed. Pass --overwrite") as caught:
        score_file(model_dir, "-", out)
    assert "--resume" not in str(caught.value)


def test_a_parquet_input_is_closed_after_scoring(model_dir, tmp_path):
    import psutil
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": ["good fun", "dull"], "n": [1, 2]}), src)

    def held():
        return [f.path for f in psutil.Process().open_files() if f.path == str(src)]

    with pytest.raises(DataError, match="no column 'body'") as caught:
        score_file(model_dir, src, tmp_path / "o2.jsonl", text_column="body")
    assert held() == [] and caught.traceback  # closed, though the failed frames live on
    scoring = score_file(model_dir, src, tmp_path / "out.jsonl", on_progress=lambda *a: None)
    assert held() == [] and scoring.scored == 2


def test_unknown_output_format_and_bad_options_say_what_is_allowed(model_dir, text_input,
                                                                  tmp_path):
    with pytest.raises(UsageError, match="cannot detect the output format.*--output-format"):
        score_file(model_dir, text_input, tmp_path / "out.xyz")
    with pytest.raises(UsageError, match="chunk_size must be a positive integer"):
        score_file(model_dir, text_input, tmp_path / "out.csv", chunk_size=0)
    with pytest.raises(UsageError, match="Parquet output needs a file"):
        score_file(model_dir, text_input, "-", output_format="parquet")
    with pytest.raises(UsageError, match="writes to standard output cannot be resumed"):
        score_file(model_dir, text_input, "-", resume=True)
    with pytest.raises(ModelError, match="not a textpipe model"):
        score_file(tmp_path, text_input, tmp_path / "out.csv")
