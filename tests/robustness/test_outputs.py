"""Output and input paths of every command: checked before any work, never silently replaced.

Each test runs a command the way a user would and checks that it refuses at once, with
one message naming the option and the path, and that no file that was there changed.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from textpipe.cli import main

PIPELINE = """\
name: toy
data:
  path: {data}
evaluation:
  method: cv
  folds: 2
  seed: 0
steps:
  - tokenize: {{}}
  - count: {{}}
  - multinomial_nb: {{}}
"""
@pytest.fixture
def docs(tmp_path):
    """Documents to score, one bad (empty) line among them."""
    path = tmp_path / "in.txt"
    path.write_text("good fun\n\nawful dull\ngreat\n", encoding="utf-8")
    return path


@pytest.fixture
def config(tmp_path):
    """A pipeline file with its data beside it."""
    lines = [f"pos good fun film {i}" for i in range(4)] + [f"neg bad dull {i}" for i in range(4)]
    (tmp_path / "toy.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "toy.yaml"
    path.write_text(PIPELINE.format(data="toy.txt"), encoding="utf-8")
    return path


@pytest.fixture
def no_fitting(monkeypatch):
    """Fail the test if anything is fitted: the command had to refuse before."""
    from textpipe.evaluation import timing

    def fit_timed(*args, **kwargs):
        raise AssertionError("a pipeline was fitted before the paths were checked")

    monkeypatch.setattr(timing, "fit_timed", fit_timed)


def run_cli(args, capfd):
    """Run ``textpipe ARGS``; return an object with the exit ``code`` and ``err``."""
    capfd.readouterr()
    code = main([str(a) for a in args])
    captured = capfd.readouterr()
    return type("Outcome", (), {"code": code, "out": captured.out, "err": captured.err})


def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


# -- 1. --errors onto the input ---------------------------------------------------------


@pytest.mark.parametrize("extra", [(), ("--overwrite",)])
def test_score_errors_onto_the_input_is_refused_even_with_overwrite(fails_cleanly, model_dir,
                                                                    docs, tmp_path, extra):
    fails_cleanly(["score", model_dir, docs, "-o", tmp_path / "out.jsonl", "--errors", docs,
                   *extra], mentions=("--errors", str(docs), "input"))
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("link", [os.link, os.symlink])
def test_score_errors_onto_a_link_to_the_input_is_refused(fails_cleanly, model_dir, docs,
                                                          tmp_path, link):
    alias = tmp_path / "alias.txt"
    link(docs, alias)
    fails_cleanly(["score", model_dir, docs, "-o", tmp_path / "out.jsonl", "--errors", alias,
                   "--overwrite"], mentions=("--errors", "alias.txt", "input"))


def test_score_output_onto_a_model_file_is_refused(fails_cleanly, model_dir, docs):
    fails_cleanly(["score", model_dir, docs, "-o", model_dir / "metadata.json", "--overwrite",
                   "--output-format", "jsonl"], mentions=("--output", "metadata.json", "MODEL"),
                  watch=(model_dir,))


def test_score_errors_file_is_not_replaced_without_overwrite(fails_cleanly, model_dir, docs,
                                                              tmp_path, capfd):
    errors = tmp_path / "bad.jsonl"
    errors.write_text("kept\n", encoding="utf-8")
    fails_cleanly(["score", model_dir, docs, "-o", tmp_path / "out.jsonl", "--errors", errors],
                  mentions=("--errors", str(errors), "--overwrite"))
    outcome = run_cli(["score", model_dir, docs, "-o", tmp_path / "out.jsonl", "--errors",
                       errors, "--overwrite", "-q"], capfd)
    assert outcome.code == 0, outcome.err
    assert json.loads(errors.read_text(encoding="utf-8"))["line"] == 2


def test_score_to_stdout_does_not_replace_an_errors_file(fails_cleanly, model_dir, docs,
                                                          tmp_path):
    errors = tmp_path / "bad.jsonl"
    errors.write_text("kept\n", encoding="utf-8")
    outcome = fails_cleanly(["score", model_dir, docs, "--errors", errors],
                            mentions=("--errors", str(errors), "--overwrite"))
    assert outcome.out == ""  # nothing scored


# -- 2. two outputs on one file ---------------------------------------------------------


def test_score_output_and_errors_on_one_file_is_refused(fails_cleanly, model_dir, docs,
                                                        tmp_path):
    same = tmp_path / "same.jsonl"
    fails_cleanly(["score", model_dir, docs, "-o", same, "--errors", same],
                  mentions=("--errors", str(same), "--output"))
    assert not same.exists()


def test_run_json_inside_the_saved_model_is_refused(fails_cleanly, config, tmp_path, no_fitting):
    fails_cleanly(["run", config, "--save", tmp_path / "m", "--json",
                   tmp_path / "m" / "config.json"], mentions=("--save", "config.json", "--json"))


def test_compare_json_onto_the_reports_results_is_refused(fails_cleanly, tmp_path):
    experiment = tmp_path / "exp.yaml"
    experiment.write_text("data: {dataset: trec}\npipelines:\n  - steps: [tokenize, count, "
                          "multinomial_nb]\n", encoding="utf-8")
    fails_cleanly(["compare", experiment, "--out", tmp_path / "r", "--json",
                   tmp_path / "r" / "results.json"], mentions=("--json", "results.json", "--out"))


def test_run_json_onto_its_own_config_is_refused(fails_cleanly, config, no_fitting):
    fails_cleanly(["run", config, "--json", config, "--overwrite"],
                  mentions=("--json", str(config), "CONFIG"))


def test_run_json_onto_the_data_its_config_names_is_refused(fails_cleanly, config, tmp_path,
                                                            no_fitting):
    fails_cleanly(["run", config, "--json", tmp_path / "toy.txt", "--overwrite"],
                  mentions=("--json", "toy.txt", "data.path"))


# -- 3. outputs that cannot be written: refused before any work ---------------------------


def test_train_out_onto_an_existing_file(fails_cleanly, config, tmp_path, no_fitting):
    target = tmp_path / "model.bin"
    target.write_text("not a folder\n", encoding="utf-8")
    fails_cleanly(["train", config, "--out", target], mentions=("--out", str(target), "a file"))


def test_train_out_below_a_file(fails_cleanly, config, tmp_path, no_fitting):
    (tmp_path / "file").write_text("x\n", encoding="utf-8")
    fails_cleanly(["train", config, "--out", tmp_path / "file" / "sub"],
                  mentions=("--out", str(tmp_path / "file" / "sub"), "is a file"))


def test_train_out_onto_an_existing_model_needs_overwrite(fails_cleanly, config, tmp_path,
                                                          capfd):
    assert run_cli(["train", config, "--out", tmp_path / "m", "-q"], capfd).code == 0
    fails_cleanly(["train", config, "--out", tmp_path / "m"],
                  mentions=("--out", "already holds a model", "--overwrite"))
    assert run_cli(["train", config, "--out", tmp_path / "m", "--overwrite", "-q"],
                   capfd).code == 0


def test_run_save_onto_a_file_fails_before_fitting(fails_cleanly, config, tmp_path, no_fitting):
    target = tmp_path / "model.pkl"
    target.write_text("x\n", encoding="utf-8")
    outcome = fails_cleanly(["run", config, "--save", target],
                            mentions=("--save", str(target), "a file"))
    assert "Evaluated" not in outcome.out


def test_run_save_onto_an_existing_model_needs_overwrite(fails_cleanly, config, tmp_path,
                                                         capfd):
    assert run_cli(["run", config, "--save", tmp_path / "m", "-q"], capfd).code == 0
    fails_cleanly(["run", config, "--save", tmp_path / "m"],
                  mentions=("--save", "already holds a model", "--overwrite"))


def _folder_without_permission(tmp_path, monkeypatch):
    """A new folder this process may not write into (as root, by denying it in os.access)."""
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: Path(p) != locked
                        and real_access(p, mode, **kw))
    return locked

def test_run_json_below_a_file_fails_before_the_run(fails_cleanly, config, tmp_path, no_fitting):
    (tmp_path / "file").write_text("x\n", encoding="utf-8")
    fails_cleanly(["run", config, "--json", tmp_path / "file" / "r.json"],
                  mentions=("--json", "cannot be created", "is a file"))


def test_run_json_in_a_folder_without_permission_fails_before_the_run(
        fails_cleanly, config, tmp_path, monkeypatch, no_fitting):
    locked = _folder_without_permission(tmp_path, monkeypatch)
    fails_cleanly(["run", config, "--json", locked / "missing" / "r.json"],
                  mentions=("--json", "no permission", str(locked)))


def test_run_json_creates_missing_folders_and_needs_overwrite_to_replace(
        fails_cleanly, config, tmp_path, capfd):
    target = tmp_path / "new" / "deeper" / "r.json"
    assert run_cli(["run", config, "--json", target, "-q"], capfd).code == 0
    assert "accuracy" in json.loads(target.read_text(encoding="utf-8"))["metrics"]
    fails_cleanly(["run", config, "--json", target], mentions=("--json", "--overwrite"))
    assert run_cli(["run", config, "--json", "-", "-q"], capfd).code == 0  # stdout still works


def test_score_output_into_a_read_only_folder_is_refused_before_scoring(
        fails_cleanly, model_dir, docs, tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setattr(os, "statvfs", lambda p: os.statvfs_result(
        (4096,) * 8 + (os.ST_RDONLY if Path(p) == locked else 0, 255)))
    fails_cleanly(["score", model_dir, docs, "-o", locked / "out.jsonl"],
                  mentions=("--output", "read-only", str(locked)))


def test_score_errors_into_a_folder_without_permission_is_refused_before_scoring(
        fails_cleanly, model_dir, docs, tmp_path, monkeypatch):
    locked = _folder_without_permission(tmp_path, monkeypatch)
    fails_cleanly(["score", model_dir, docs, "-o", tmp_path / "out.jsonl", "--errors",
                   locked / "bad.jsonl"], mentions=("--errors", "no permission", str(locked)))
    assert not (tmp_path / "out.jsonl").exists()


def test_score_output_onto_a_folder_with_overwrite_is_refused(fails_cleanly, model_dir, docs,
                                                              tmp_path):
    (tmp_path / "out").mkdir()
    fails_cleanly(["score", model_dir, docs, "-o", tmp_path / "out", "--output-format", "jsonl",
                   "--overwrite"], mentions=("--output", "is a folder", str(tmp_path / "out")))


def test_a_full_disk_mid_job_keeps_the_committed_chunks_for_resume(
        fails_cleanly, model_dir, tmp_path, monkeypatch, capfd):
    from textpipe.score.journal import Journal

    docs = tmp_path / "in.txt"
    docs.write_text("".join(f"good fun {i}\n" for i in range(30)), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    commit = Journal.commit
    calls = []

    def commit_twice(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > 2:
            no_space()
        return commit(self, *args, **kwargs)

    monkeypatch.setattr(Journal, "commit", commit_twice)
    fails_cleanly(["score", model_dir, docs, "-o", out, "--chunk-size", 10],
                  mentions=("--output", "no space left", "2 chunk(s)", "--resume"))
    assert not out.exists()
    monkeypatch.setattr(Journal, "commit", commit)
    outcome = run_cli(["score", model_dir, docs, "-o", out, "--chunk-size", 10, "--resume"],
                      capfd)
    assert outcome.code == 0, outcome.err
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == list(range(30))


def test_a_full_disk_while_writing_the_output_keeps_the_old_output(
        fails_cleanly, model_dir, docs, tmp_path, monkeypatch):
    from textpipe.score import job

    out = tmp_path / "out.jsonl"
    out.write_text("the previous scores\n", encoding="utf-8")
    monkeypatch.setattr(job, "assemble", no_space)
    fails_cleanly(["score", model_dir, docs, "-o", out, "--overwrite"],
                  mentions=("--output", str(out), "no space left", "--resume"))
    assert not list(tmp_path.glob(".*.tmp"))


def _failing_writes(monkeypatch, name: str, module="textpipe.paths"):
    """Make ``module``'s writes to a file whose name holds ``name`` fail: a full disk."""

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            no_space()

        def __getattr__(self, attr):
            return getattr(self.fh, attr)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    def opener(path, *args, **kwargs):
        fh = open(path, *args, **kwargs)
        return Full(fh) if name in str(path) else fh

    monkeypatch.setattr(f"{module}.open", opener, raising=False)


def test_a_full_disk_while_writing_the_errors_file_is_one_message(
        fails_cleanly, model_dir, docs, tmp_path, monkeypatch):
    _failing_writes(monkeypatch, "bad.jsonl")
    fails_cleanly(["score", model_dir, docs, "-o", tmp_path / "out.jsonl", "--errors",
                   tmp_path / "bad.jsonl"],
                  mentions=("--errors", "bad.jsonl", "no space left", "--resume"))


def test_a_full_disk_while_writing_errors_beside_stdout_is_one_message(
        fails_cleanly, model_dir, docs, tmp_path, monkeypatch):
    _failing_writes(monkeypatch, "bad.jsonl")
    fails_cleanly(["score", model_dir, docs, "--errors", tmp_path / "bad.jsonl"],
                  mentions=("--errors", "no space left", "standard output"))
    assert not (tmp_path / "bad.jsonl").exists()


def test_a_full_disk_while_saving_a_model_keeps_the_previous_one(
        fails_cleanly, config, tmp_path, capfd, monkeypatch):
    assert run_cli(["train", config, "--out", tmp_path / "m", "-q"], capfd).code == 0
    _failing_writes(monkeypatch, "pipeline.pkl", "textpipe.model")
    fails_cleanly(["train", config, "--out", tmp_path / "m", "--overwrite"],
                  mentions=("--out", "no space left", "Nothing was replaced"))


# -- other commands: existing outputs need --overwrite -----------------------------------


def test_compare_out_onto_a_report_needs_overwrite(fails_cleanly, tmp_path):
    experiment = tmp_path / "exp.yaml"
    experiment.write_text("data: {dataset: trec}\npipelines:\n  - steps: [tokenize, count, "
                          "multinomial_nb]\n", encoding="utf-8")
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "report.html").write_text("<p>earlier</p>\n", encoding="utf-8")
    fails_cleanly(["compare", experiment, "--out", tmp_path / "r"],
                  mentions=("--out", "report.html", "--overwrite"))


def test_vectors_export_needs_overwrite_and_refuses_its_source(fails_cleanly, tmp_path):
    vectors = tmp_path / "v.txt"
    vectors.write_text("2 2\ngood 1 0\nbad 0 1\n", encoding="utf-8")
    fails_cleanly(["vectors", "export", vectors, vectors, "--overwrite"],
                  mentions=("OUTPUT", str(vectors), "SOURCE"))
    existing = tmp_path / "out.txt"
    existing.write_text("kept\n", encoding="utf-8")
    fails_cleanly(["vectors", "export", vectors, existing], mentions=("OUTPUT", "--overwrite"))


# -- 4. inputs that are not regular files -----------------------------------------------


def test_run_data_from_a_device_is_refused(fails_cleanly, config, no_fitting):
    fails_cleanly(["run", config, "--data", "/dev/zero"],
                  mentions=("/dev/zero", "not a regular file"))


def test_a_data_block_naming_a_device_is_refused(fails_cleanly, tmp_path, no_fitting):
    config = tmp_path / "p.yaml"
    config.write_text(PIPELINE.format(data="/dev/zero"), encoding="utf-8")
    fails_cleanly(["run", config], mentions=("/dev/zero", "a device", "not a regular file"))


def test_run_data_from_a_named_pipe_is_refused(fails_cleanly, config, tmp_path, no_fitting):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    fails_cleanly(["run", config, "--data", fifo], mentions=(str(fifo), "named pipe"))


@pytest.mark.parametrize("make", ["device", "fifo"])
def test_score_from_a_file_that_is_not_regular_is_refused(fails_cleanly, model_dir, tmp_path,
                                                          make):
    if make == "fifo":
        source = tmp_path / "docs.txt"
        os.mkfifo(source)
    else:
        source = Path("/dev/zero")
    outcome = fails_cleanly(["score", model_dir, source, "-o", tmp_path / "out.jsonl"],
                            mentions=(str(source), "not a regular file", "'-'"))
    assert "not found" not in outcome.err
