"""Damaged caches and checkpoints, and messages that must not mislead.

A damaged cache entry is recomputed with one warning; a damaged pretraining
checkpoint is named, with how to start over; user text (labels, file names,
data lines) is printed as it is, never read as markup or emoji codes; ``-q``
hides warnings and, without it, each warning is one tidy line; a class with too
few documents is named, invisible characters and all.
"""

from __future__ import annotations

import json
import shutil
import sys
import warnings

import pytest

from textpipe.cli import main

MARKUP = "[bold]x:x:"  # rich would eat "[bold]" and turn ":x:" into an emoji

PIPELINE = """\
name: {name}
evaluation: {{method: cv, folds: 2, seed: 0, metrics: [accuracy]}}
steps:
  - tokenize
  - count
  - {classifier}
"""

EXPERIMENT = """\
name: toy
evaluation: {method: cv, folds: 2, seed: 0, metrics: [accuracy]}
grid:
  base: [tokenize, count, multinomial_nb]
  params:
    count.binary: [false, true]
"""


@pytest.fixture(autouse=True)
def _warnings_shown_as_python_shows_them():
    """Warnings printed to stderr as a user's Python would, not recorded by pytest."""

    def to_stderr(message, category, filename, lineno, file=None, line=None):
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))

    with warnings.catch_warnings():
        warnings.resetwarnings()
        warnings.simplefilter("default")
        warnings.showwarning = to_stderr
        yield


def _lines(labels=("pos", "neg"), n=4) -> str:
    return "".join(f"{label} {word} film {i}\n" for label, word in zip(labels, ("good", "bad"))
                   for i in range(n))


def _pipeline(tmp_path, name="toy", classifier="multinomial_nb"):
    path = tmp_path / "p.yaml"
    path.write_text(PIPELINE.format(name=json.dumps(name), classifier=classifier),
                    encoding="utf-8")
    return path


def _run(args, capfd):
    capfd.readouterr()
    code = main([str(a) for a in args])
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _trained(tmp_path, capfd):
    """Its data file and a model trained on it with ``textpipe train -q``."""
    data = tmp_path / "toy.txt"
    data.write_text(_lines(), encoding="utf-8")
    model = tmp_path / "model"
    assert _run(["train", _pipeline(tmp_path), "--data", data, "-o", model, "-q"], capfd)[0] == 0
    return data, model


# -- a. a damaged cache entry ---------------------------------------------------------


def test_a_cache_entry_of_the_wrong_type_is_recomputed_with_one_warning(tmp_path, capfd):
    import joblib

    (tmp_path / "toy.txt").write_text(_lines(), encoding="utf-8")
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(EXPERIMENT, encoding="utf-8")
    cache = tmp_path / "cache"
    args = ["compare", experiment, "--data", tmp_path / "toy.txt", "--cache", cache]
    assert _run(args, capfd)[0] == 0
    entries = sorted(cache.rglob("*.pkl"))
    joblib.dump({"something": "else"}, entries[0])  # a valid pickle of the wrong thing
    entries[1].write_bytes(entries[1].read_bytes()[:40])  # cut short
    code, out, err = _run(args, capfd)
    assert code == 0 and "pipeline" in out
    damaged = [line for line in err.splitlines() if "damaged" in line]
    assert len(damaged) == 1 and damaged[0].startswith("warning:") and str(cache) in damaged[0]
    code, _, err = _run(args, capfd)  # rewritten: no warning the next time
    assert code == 0 and "damaged" not in err


# -- b. a damaged pretraining checkpoint ----------------------------------------------

PRETRAIN = """\
pretrain:
  output_dir: bilm
  corpus: {files: [corpus.txt], min_count: 1, heldout_fraction: 0.2}
  model: {char_dim: 4, filters: [[1, 4], [2, 4]], highway_layers: 0, projection_dim: 4,
          lstm_size: 4, lstm_layers: 1, dropout: 0.0}
  training: {epochs: 2, batch_size: 4, threads: 1}
"""


@pytest.fixture(scope="module")
def _pretrained_once(tmp_path_factory):
    pytest.importorskip("torch")
    folder = tmp_path_factory.mktemp("pretrain")
    (folder / "corpus.txt").write_text("a fine film\na dull plot\nthe cast is fine\n" * 4,
                                       encoding="utf-8")
    (folder / "pretrain.yaml").write_text(PRETRAIN, encoding="utf-8")
    assert main(["pretrain", str(folder / "pretrain.yaml"), "--max-minutes", "1e-9", "-q"]) == 0
    assert (folder / "bilm" / "checkpoint" / "state.json").is_file()
    shutil.copytree(folder / "bilm", folder / "pristine")
    return folder


@pytest.fixture
def checkpointed(_pretrained_once):
    """A pretraining folder stopped by its time limit after one step: a checkpoint to resume.

    The corpus file's path is part of what a checkpoint must match, so every test
    gets the same folder, its biLM folder put back as it was.
    """
    folder = _pretrained_once
    shutil.rmtree(folder / "bilm")
    shutil.copytree(folder / "pristine", folder / "bilm")
    return folder


def _damage_tensors(checkpoint):
    path = checkpoint / "state.safetensors"
    path.write_bytes(path.read_bytes()[:100])
    return "state.safetensors"


def _edit_state(checkpoint):
    path = checkpoint / "state.json"
    state = json.loads(path.read_text(encoding="utf-8"))
    state["step"] = "three"
    path.write_text(json.dumps(state), encoding="utf-8")
    return "state.json"


def _cut_state(checkpoint):
    path = checkpoint / "state.json"
    path.write_text(path.read_text(encoding="utf-8")[:50], encoding="utf-8")
    return "state.json"


def _remove_vocab(checkpoint):
    (checkpoint / "vocab.json").unlink()
    return "vocab.json"


def _resize_tensor(checkpoint):
    from safetensors.torch import load_file, save_file

    path = checkpoint / "state.safetensors"
    tensors = load_file(str(path))
    name = next(k for k in tensors if k.startswith("model."))
    tensors[name] = tensors[name].flatten()[:1].clone()
    save_file(tensors, str(path))
    return "state.safetensors"


@pytest.mark.parametrize("damage", [_damage_tensors, _edit_state, _cut_state, _remove_vocab,
                                    _resize_tensor])
def test_a_damaged_checkpoint_is_named_with_how_to_restart(checkpointed, damage,
                                                           fails_cleanly):
    checkpoint = checkpointed / "bilm" / "checkpoint"
    file = damage(checkpoint)
    outcome = fails_cleanly(["pretrain", checkpointed / "pretrain.yaml", "-q"],
                            mentions=(checkpoint / file, "--restart"), watch=(checkpointed,))
    assert "damaged" in outcome.message


def test_restart_replaces_a_damaged_checkpoint(checkpointed, capfd):
    _damage_tensors(checkpointed / "bilm" / "checkpoint")
    code, _, err = _run(["pretrain", checkpointed / "pretrain.yaml", "--restart", "-q"], capfd)
    assert code == 0 and err == ""
    assert not (checkpointed / "bilm" / "checkpoint").exists()  # finished: no checkpoint left


# -- c. user text is never markup -----------------------------------------------------


def test_labels_file_names_and_names_are_printed_as_they_are(tmp_path, capfd):
    data = tmp_path / f"{MARKUP}.txt"
    data.write_text(_lines(labels=(MARKUP, "neg")), encoding="utf-8")
    pipeline = _pipeline(tmp_path, name=f"{MARKUP} pipe")
    code, out, err = _run(["run", pipeline, "--data", data], capfd)
    assert code == 0
    assert f"{MARKUP} pipe: tokenize → count → multinomial_nb on {MARKUP}.txt" in err
    code, out, err = _run(["train", pipeline, "--data", data, "-o", tmp_path / "model"], capfd)
    assert code == 0 and f"(labels: {MARKUP}, neg)" in " ".join(out.split())  # as wrapped
    assert "❌" not in out + err


def test_the_leaderboard_prints_data_and_pipeline_names_as_they_are(tmp_path, capfd):
    data = tmp_path / f"{MARKUP}.txt"
    data.write_text(_lines(), encoding="utf-8")
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(f"name: '{MARKUP}'\n" + EXPERIMENT.split("\n", 1)[1]
                          .replace("grid:", f"pipelines:\n  - name: '{MARKUP} nb'\n"
                                   f"    steps: [tokenize, count, multinomial_nb]\ngrid:"),
                          encoding="utf-8")
    code, out, err = _run(["compare", experiment, "--data", data], capfd)
    assert code == 0
    assert f"{MARKUP}: 3 pipelines on {MARKUP}.txt" in err
    assert f"{MARKUP}.txt: accuracy" in out and f"{MARKUP} nb" in out
    code, out, _ = _run(["compare", experiment, "--data", data, "--dry-run"], capfd)
    assert f"{MARKUP}: 3 pipelines" in out and f"{MARKUP} nb" in out


def test_a_data_line_in_an_error_is_printed_as_it_is(tmp_path, fails_cleanly):
    data = tmp_path / "passwd.txt"
    data.write_text("pos fine\nroot:x:0:0\n", encoding="utf-8")
    fails_cleanly(["run", _pipeline(tmp_path), "--data", data],
                  mentions=("line 2", "'root:x:0:0'"))


def test_a_bad_row_example_is_printed_as_it_is(tmp_path, capfd):
    data, model = _trained(tmp_path, capfd)
    docs = tmp_path / "docs.jsonl"
    docs.write_text(json.dumps({MARKUP: "good film"}) + "\n" + json.dumps({"other": 1}) + "\n",
                    encoding="utf-8")
    code, _, err = _run(["score", model, docs, "--text-column", MARKUP], capfd)
    assert code == 0 and f"bad row line 2: no field '{MARKUP}' for the text" in err


# -- d. warnings: none under -q, else one tidy line each ------------------------------


def test_quiet_commands_print_no_warning_and_others_one_line_each(tmp_path, capfd):
    data = tmp_path / "toy.txt"
    data.write_text(_lines(n=6), encoding="utf-8")
    pipeline = _pipeline(tmp_path, classifier="logreg: {max_iter: 1}")  # does not converge
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(EXPERIMENT.replace("multinomial_nb", "{logreg: {max_iter: 1}}"),
                          encoding="utf-8")
    quiet = [["run", pipeline, "--data", data, "-q"],
             ["run", pipeline, "--data", data, "-q", "--n-jobs", "2"],
             ["compare", experiment, "--data", data, "-q"],
             ["train", pipeline, "--data", data, "-o", tmp_path / "m", "-q"]]
    for args in quiet:
        code, _, err = _run(args, capfd)
        assert code == 0 and err == "", (args, err)
    for args in (["run", pipeline, "--data", data], ["run", pipeline, "--data", data,
                                                     "--n-jobs", "2"]):
        code, _, err = _run(args, capfd)
        warned = [line for line in err.splitlines() if "ConvergenceWarning" in line]
        assert code == 0 and len(warned) == 1, err
        assert warned[0].startswith("warning: ConvergenceWarning: lbfgs failed to converge")
        assert "_logistic.py" not in err and "site-packages" not in err


def test_a_textpipe_warning_during_run_is_one_line_and_hidden_by_quiet(tmp_path, capfd):
    train, test = tmp_path / "train.txt", tmp_path / "test.txt"
    train.write_text(_lines(), encoding="utf-8")
    test.write_text("pos good film\nother strange film\n", encoding="utf-8")
    args = ["run", _pipeline(tmp_path), "--data", train, "--test-data", test]
    code, _, err = _run(args, capfd)
    warned = [line for line in err.splitlines() if "never seen in training" in line]
    assert code == 0 and len(warned) == 1 and warned[0].startswith("warning: 1 test document")
    assert "warnings.warn" not in err and "UserWarning" not in err
    code, _, err = _run(args + ["-q"], capfd)
    assert code == 0 and err == ""


def test_score_quiet_hides_the_library_version_warning(tmp_path, capfd):
    from textpipe.model import model_identity

    data, model = _trained(tmp_path, capfd)
    meta = json.loads((model / "metadata.json").read_text())
    meta["versions"]["scikit-learn"] = "0.1.0"
    meta["metadata_sha256"] = model_identity(meta)  # as a save would have sealed it
    (model / "metadata.json").write_text(json.dumps(meta))
    code, _, err = _run(["score", model, data, "-o", tmp_path / "o.jsonl", "-q"], capfd)
    assert code == 0 and err == ""


def test_the_encoding_a_score_chose_is_one_note_line_and_hidden_by_quiet(tmp_path, capfd):
    data, model = _trained(tmp_path, capfd)
    docs = tmp_path / "docs.txt"
    docs.write_bytes("good fun\nbad \xff dull\ncafé great\n".encode("utf-8").replace(
        "\xff".encode("utf-8"), b"\xff"))
    code, _, err = _run(["score", model, docs, "-o", tmp_path / "o.jsonl"], capfd)
    notes = [line for line in err.splitlines() if line.startswith("note: encoding: utf-8")]
    assert code == 0 and len(notes) == 2, err  # as the job starts, and in the summary
    assert "byte 0xff at line 2" in notes[0] and "WARNING" not in err
    code, _, err = _run(["score", model, docs, "-o", tmp_path / "q.jsonl", "-q"], capfd)
    assert code == 0 and err == ""


def test_textpipe_warnings_from_scoring_workers_are_one_line_and_hidden_by_quiet(tmp_path,
                                                                                  capfd):
    data = tmp_path / "toy.txt"
    data.write_text(_lines(n=6), encoding="utf-8")
    pipeline = _pipeline(tmp_path, classifier="logreg")
    pipeline.write_text(pipeline.read_text().replace(
        "  - count\n", "  - word2vec: {dim: 4, min_count: 1, epochs: 1}\n"), encoding="utf-8")
    model = tmp_path / "model"
    assert _run(["train", pipeline, "--data", data, "-o", model, "-q"], capfd)[0] == 0
    docs = tmp_path / "docs.txt"
    docs.write_text("good film\nunknown words only\n" * 4, encoding="utf-8")
    args = ["score", model, docs, "-j", "2", "--chunk-size", "4"]
    code, _, err = _run(args + ["-o", tmp_path / "a.jsonl"], capfd)
    assert code == 0 and err.count("EmptyDocumentWarning") == 0
    assert err.splitlines()[0] == ("warning: word2vec: 2 of 4 documents have no token with a "
                                   "vector; their document vectors are zeros.")
    assert err.count("word2vec: 2 of 4") == 1  # each worker raised it: shown once
    code, _, err = _run(args + ["-o", tmp_path / "b.jsonl", "-q"], capfd)
    assert code == 0 and err == ""


# -- e. a class too small for the protocol is named ---------------------------------


@pytest.mark.parametrize("label, shown", [("\u200b", r"'\u200b'"), ("nan", "'nan'")])
def test_a_class_too_small_for_the_folds_is_named_visibly(tmp_path, label, shown,
                                                          fails_cleanly):
    data = tmp_path / "toy.txt"
    data.write_text(_lines() + f"{label} odd film\n", encoding="utf-8")
    fails_cleanly(["run", _pipeline(tmp_path), "--data", data],
                  mentions=(str(data), f"class {shown} has 1", "document 9", "'odd film'"))
