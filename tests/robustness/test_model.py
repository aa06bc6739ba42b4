"""``textpipe score`` with a damaged, doctored or moving model folder, and a busy output."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil

import pytest

import textpipe
from textpipe.model import model_identity, save_model

TRAIN = ["good fun", "great fun", "bad dull", "awful dull"]
LABELS = ["pos", "pos", "neg", "neg"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A model folder to copy: tokenize → count → multinomial_nb, labels neg/pos."""
    pipe = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
    return save_model(pipe.fit(TRAIN, LABELS), tmp_path_factory.mktemp("saved") / "m")


@pytest.fixture
def model(saved, tmp_path):
    """A fresh copy of the model, in the test's own folder."""
    return shutil.copytree(saved, tmp_path / "model")


@pytest.fixture
def docs(tmp_path):
    path = tmp_path / "docs.txt"
    path.write_text("good fun\nawful\n", encoding="utf-8")
    return path


def edit_metadata(folder, change, *, reseal=True):
    """Change metadata.json; ``reseal``: record its checksum as a save does (else: tampered)."""
    path = folder / "metadata.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    change(meta)
    if reseal:
        meta["metadata_sha256"] = model_identity(meta)
    path.write_text(json.dumps(meta), encoding="utf-8")


def replace_file(folder, name, content: bytes):
    """Put ``content`` in ``folder/name`` and record its checksum, as a save would."""
    (folder / name).write_bytes(content)
    sha = hashlib.sha256(content).hexdigest()
    edit_metadata(folder, lambda meta: meta["checksums"].__setitem__(name, sha))


def test_swapped_labels_in_metadata_json_are_refused(fails_cleanly, model, docs, tmp_path):
    edit_metadata(model, lambda meta: meta["labels"].reverse(), reseal=False)
    fails_cleanly(["score", model, docs, "-o", tmp_path / "out.jsonl"],
                  mentions=("metadata.json", "changed or damaged after saving"))
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("n_jobs", ["1", "2"])
def test_labels_that_are_not_the_pipelines_classes_are_refused(fails_cleanly, model, docs,
                                                               tmp_path, n_jobs):
    edit_metadata(model, lambda meta: meta["labels"].reverse())  # consistent, but wrong
    fails_cleanly(["score", model, docs, "-o", tmp_path / "out.jsonl", "-j", n_jobs],
                  mentions=("metadata.json", "records the labels 'pos', 'neg'",
                            "has the classes 'neg', 'pos'"))


def test_a_null_textpipe_version_is_named(fails_cleanly, model, docs, tmp_path):
    edit_metadata(model, lambda meta: meta.__setitem__("textpipe_version", None))
    fails_cleanly(["score", model, docs, "-o", tmp_path / "out.jsonl"],
                  mentions=("metadata.json", "'textpipe_version' must be", "it is null"))


def test_a_checksum_entry_outside_the_model_folder_is_refused(fails_cleanly, model, docs,
                                                              tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not part of any model\n", encoding="utf-8")
    entry = os.path.relpath(secret, model)  # ../secret.txt, with a checksum that matches
    sha = hashlib.sha256(secret.read_bytes()).hexdigest()
    edit_metadata(model, lambda meta: meta["checksums"].__setitem__(entry, sha))
    fails_cleanly(["score", model, docs, "-o", tmp_path / "out.jsonl"],
                  mentions=("metadata.json", f"checksum entry '{entry}'"))


def test_a_symlink_leading_out_of_the_model_folder_is_refused(fails_cleanly, model, docs,
                                                              tmp_path):
    real = tmp_path / "elsewhere.pkl"
    shutil.move(model / "pipeline.pkl", real)
    (model / "pipeline.pkl").symlink_to(real)
    fails_cleanly(["score", model, docs, "-o", tmp_path / "out.jsonl"],
                  mentions=("checksum entry 'pipeline.pkl'", "leads outside the model folder"))


@pytest.mark.parametrize("content, what", [({"labels": ["neg", "pos"]}, "a dict"),
                                           (42, "an int")])
def test_a_pickle_that_holds_no_pipeline_is_refused(fails_cleanly, model, docs, tmp_path,
                                                    content, what):
    replace_file(model, "pipeline.pkl", pickle.dumps(content))
    fails_cleanly(["score", model, docs, "-o", tmp_path / "out.jsonl"],
                  mentions=("pipeline.pkl", f"holds {what}, not a fitted pipeline"))


def test_a_model_put_in_place_while_scoring_starts_is_not_used(fails_cleanly, saved, docs,
                                                               tmp_path_factory, tmp_path,
                                                               monkeypatch):
    from textpipe.score import backends

    where = tmp_path_factory.mktemp("moving")  # not under tmp_path: it changes on purpose
    checked = shutil.copytree(saved, where / "m")
    other = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
    save_model(other.fit(TRAIN, LABELS[::-1]), where / "other")
    resolve = backends.ModelHandle.resolve

    def resolve_then_move(model, **kwargs):  # `mv other m` right after the check
        handle = resolve(model, **kwargs)
        checked.rename(where / "old")
        (where / "other").rename(checked)
        return handle

    monkeypatch.setattr(backends.ModelHandle, "resolve", staticmethod(resolve_then_move))
    fails_cleanly(["score", checked, docs, "-o", tmp_path / "out.jsonl", "-j", "2"],
                  mentions=(str(checked), "the model changed after this job checked it"))
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("option", [[], ["--resume"], ["--overwrite"]])
def test_an_output_that_a_live_run_writes_names_that_run(fails_cleanly, model, docs, tmp_path,
                                                         option):
    from textpipe.score.journal import Journal

    parts = tmp_path / "out.jsonl.parts"
    live = Journal.start(parts, {"input": {"path": str(docs)}}, suffix=".jsonl")
    try:
        outcome = fails_cleanly(["score", model, docs, "-o", tmp_path / "out.jsonl", *option],
                                mentions=(f"another run (process {os.getpid()})",
                                          "out.jsonl.parts"))
    finally:
        live.close()
    assert "--resume" not in outcome.message


def test_leftovers_of_a_stdin_run_suggest_overwrite(fails_cleanly, model, docs, tmp_path):
    from textpipe.score.journal import Journal

    Journal.start(tmp_path / "out.jsonl.parts", {"input": {"path": "-"}},
                  suffix=".jsonl").close()
    outcome = fails_cleanly(["score", model, docs, "-o", tmp_path / "out.jsonl"],
                            mentions=("it read standard input", "--overwrite"))
    assert "--resume" not in outcome.message
