"""textpipe.paths: outputs checked before any work, inputs that are regular files, whole writes."""

import errno
import os

import pytest

from textpipe.errors import DataError, UsageError
from textpipe.paths import (Input, Output, atomic_file, check_input_file, check_paths,
                            same_file, write_errors)


def test_same_file_sees_through_hard_and_symbolic_links_and_dot_dot(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("x")
    os.link(target, tmp_path / "hard.txt")
    os.symlink(target, tmp_path / "soft.txt")
    (tmp_path / "sub").mkdir()
    for alias in ("hard.txt", "soft.txt", "sub/../a.txt"):
        assert same_file(target, tmp_path / alias)
    assert same_file(tmp_path / "new.txt", tmp_path / "sub" / ".." / "new.txt")
    assert not same_file(target, tmp_path / "new.txt")


def test_an_output_onto_an_input_is_refused_before_the_existing_file_check(tmp_path):
    data = tmp_path / "data.txt"
    data.write_text("x")
    with pytest.raises(UsageError, match=r"'--json': .*data.txt' is the input given as --data"):
        check_paths([Output(data, "--json", overwrite=True)], [Input(data, "--data")])


def test_a_file_output_inside_a_folder_output_collides_only_with_its_files(tmp_path):
    report = Output(tmp_path / "r", "--out", folder=True, files=("results.json",))
    check_paths([report, Output(tmp_path / "r" / "other.json", "--json")])
    with pytest.raises(UsageError, match="'--json': .* is also written by --out"):
        check_paths([report, Output(tmp_path / "r" / "results.json", "--json")])


def test_a_folder_output_holding_its_files_needs_overwrite(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "notes.txt").write_text("mine")
    model = dict(what="a model", folder=True, files=("pipeline.pkl",))
    check_paths([Output(tmp_path / "m", "--out", **model)])  # other files are left alone
    (tmp_path / "m" / "pipeline.pkl").write_bytes(b"old")
    with pytest.raises(UsageError, match=r"already holds a model \(pipeline.pkl\).*--overwrite"):
        check_paths([Output(tmp_path / "m", "--out", **model)])
    check_paths([Output(tmp_path / "m", "--out", overwrite=True, **model)])


def test_an_output_onto_a_device_is_refused_even_with_overwrite():
    with pytest.raises(UsageError, match="'/dev/null' is a device, not a regular file"):
        check_paths([Output("/dev/null", "--errors", overwrite=True)])


def test_standard_output_and_unset_outputs_are_not_checked():
    check_paths([Output("-", "--json"), Output(None, "--save", folder=True)])


def test_inputs_must_be_regular_files(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match=r"pipe: is a named pipe \(FIFO\), not a regular file"):
        check_input_file(fifo)
    with pytest.raises(DataError, match="standard input as '-'"):
        check_input_file("/dev/zero", stdin_ok=True)
    with pytest.raises(DataError, match="is a folder"):
        check_input_file(tmp_path)
    with pytest.raises(DataError, match="not found"):
        check_input_file(tmp_path / "missing.txt")
    (tmp_path / "docs.txt").write_text("x")
    assert check_input_file(tmp_path / "docs.txt") == tmp_path / "docs.txt"


def test_atomic_file_through_a_symbolic_link_replaces_the_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "real.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    os.symlink(target, link)
    with atomic_file(link) as fh:
        fh.write(b"new")
    assert link.is_symlink() and target.read_text() == "new"


def test_a_failed_atomic_write_keeps_the_old_file_and_names_the_option(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("old")
    with pytest.raises(UsageError, match=r"'--json': cannot write .*r.json': the file system "
                                          r"is read-only. Nothing was replaced."):
        with atomic_file(target, "--json") as fh:
            fh.write(b"new")
            raise OSError(errno.EROFS, "Read-only file system")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_write_errors_says_what_was_kept_when_it_happened():
    kept = []
    with pytest.raises(UsageError, match="permission denied. 3 chunks are kept."):
        with write_errors("out.parts", "--output", kept=lambda: f"{len(kept)} chunks are kept."):
            kept.extend([1, 2, 3])
            raise PermissionError(errno.EACCES, "Permission denied")
