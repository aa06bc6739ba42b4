import os

import pytest

from textpipe.errors import DataError, InternalError
from textpipe.score.journal import Journal, atomic_file


def started(tmp_path, n):
    journal = Journal.start(tmp_path / "o.parts", {"input": "x"}, suffix=".jsonl")
    for i in range(n):
        journal.commit(i, b"row\n", [{"row": i}] if i == 1 else [],
                       {"rows": 1, "end": {"row": i + 1}})
    journal.close()
    return tmp_path / "o.parts"


def test_committed_chunks_are_read_back_in_order(tmp_path):
    folder = started(tmp_path, 3)
    journal = Journal.reopen(folder)
    assert journal.resume_point() == {"row": 3}
    assert journal.count("rows") == 3 and journal.count("errors") == 1
    assert [p.name for p in journal.error_parts()] == ["chunk-000001.errors.jsonl"]


def test_a_torn_last_line_is_dropped_and_cut_off(tmp_path):
    folder = started(tmp_path, 2)
    with open(folder / "journal.jsonl", "ab") as fh:
        fh.write(b'{"chunk": 2, "rows"')  # killed while writing
    journal = Journal.reopen(folder)
    assert len(journal.entries) == 2
    journal.commit(2, b"row\n", [], {"rows": 1, "end": {"row": 3}})
    journal.close()
    assert len(Journal.reopen(folder).entries) == 3


def test_a_chunk_committed_out_of_order_is_refused_before_anything_is_written(tmp_path):
    folder = started(tmp_path, 1)
    journal = Journal.reopen(folder)
    with pytest.raises(InternalError, match=r"chunk 3 .*expected chunk 1.*--resume.*\[E821\]"):
        journal.commit(3, b"row\n", [], {"rows": 1, "end": {"row": 4}})
    journal.close()
    assert not (folder / "chunk-000003.jsonl").exists()
    assert len(Journal.reopen(folder).entries) == 1


def test_a_chunk_file_without_its_journal_line_is_written_again(tmp_path):
    folder = started(tmp_path, 1)
    (folder / "chunk-000001.jsonl").write_bytes(b"half")  # written, not recorded
    journal = Journal.reopen(folder)
    assert journal.resume_point() == {"row": 1}
    journal.commit(1, b"row\n", [], {"rows": 1, "end": {"row": 2}})
    assert (folder / "chunk-000001.jsonl").read_bytes() == b"row\n"
    journal.close()


def test_a_missing_chunk_file_means_the_folder_is_damaged(tmp_path):
    folder = started(tmp_path, 2)
    (folder / "chunk-000000.jsonl").unlink()
    with pytest.raises(DataError, match="damaged.*chunk-000000.jsonl is missing"):
        Journal.reopen(folder)


def test_atomic_file_leaves_nothing_when_writing_fails(tmp_path):
    target = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError):
        with atomic_file(target) as fh:
            fh.write(b"partial")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_errors_file_means_the_folder_is_damaged(tmp_path):
    folder = started(tmp_path, 3)  # chunk 1 had a bad row
    (folder / "chunk-000001.errors.jsonl").unlink()
    with pytest.raises(DataError, match="damaged.*chunk-000001.errors.jsonl is missing"):
        Journal.reopen(folder)


def test_parts_held_by_a_run_cannot_be_reopened_or_discarded(tmp_path):
    folder = started(tmp_path, 2)
    holder = Journal.reopen(folder)
    held = rf"another run \(process {os.getpid()}\) is writing to '.*o.parts' now"
    with pytest.raises(DataError, match=held):
        Journal.reopen(folder)
    with pytest.raises(DataError, match=held):
        Journal.discard(folder)
    with pytest.raises(DataError, match=held):
        Journal.recorded_job(folder)
    assert (folder / "journal.jsonl").read_bytes().count(b"\n") == 3  # untouched
    holder.close()
    Journal.reopen(folder).close()  # free again
    Journal.discard(folder)
    assert not folder.exists()


def test_starting_where_another_run_has_just_started_is_refused(tmp_path):
    first = Journal.start(tmp_path / "o.parts", {"input": "x"}, suffix=".jsonl")
    with pytest.raises(DataError, match=rf"another run \(process {os.getpid()}\) is writing"):
        Journal.start(tmp_path / "o.parts", {"input": "x"}, suffix=".jsonl")
    first.close()
