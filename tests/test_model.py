import json

import pytest

import textpipe
from textpipe.errors import ModelError
from textpipe.model import check_model, load_model, save_model


@pytest.fixture
def fitted():
    pipe = textpipe.load_pipeline({"steps": ["tokenize", "tfidf", "logreg"]})
    return pipe.fit(["good fun", "great", "bad dull", "awful"], ["pos", "pos", "neg", "neg"])


def test_round_trip_predicts_the_same(fitted, tmp_path):
    save_model(fitted, tmp_path / "m", config={"steps": []}, metadata={"note": "x"})
    model = load_model(tmp_path / "m")
    docs = ["good", "awful film", ""]
    assert model.pipeline.predict_proba(docs).tolist() == fitted.predict_proba(docs).tolist()
    assert model.config == {"steps": []} and model.metadata["note"] == "x"
    assert model.labels == ["neg", "pos"]


def test_tampered_file_fails_the_checksum(fitted, tmp_path):
    save_model(fitted, tmp_path / "m")
    with open(tmp_path / "m" / "pipeline.pkl", "ab") as fh:
        fh.write(b"x")
    with pytest.raises(ModelError, match="checksum"):
        load_model(tmp_path / "m")


def test_other_textpipe_version_is_refused_unless_allowed(fitted, tmp_path):
    save_model(fitted, tmp_path / "m")
    _edit_metadata(tmp_path / "m", lambda meta: meta.__setitem__("textpipe_version", "99.0.0"))
    with pytest.raises(ModelError, match="99.0.0"):
        load_model(tmp_path / "m")
    assert load_model(tmp_path / "m", allow_version_mismatch=True).pipeline is not None


def test_not_a_model_folder(tmp_path):
    with pytest.raises(ModelError, match="not a textpipe model"):
        load_model(tmp_path)


class _TorchStage:
    """A stand-in for a neural stage: holds a module with parameters and a buffer."""

    def __init__(self):
        import torch

        self.module = torch.nn.Linear(3, 2)
        self.module.register_buffer("scale", torch.arange(2.0))
        self.tied = self.module.weight  # the same Parameter reached twice

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        import torch

        with torch.no_grad():
            return self.module(torch.ones(len(X), 3)).argmax(1).numpy()


def test_torch_tensors_go_to_safetensors_not_the_pickle(tmp_path):
    torch = pytest.importorskip("torch")
    from sklearn.pipeline import Pipeline

    pipe = Pipeline([("net", _TorchStage())])
    save_model(pipe, tmp_path / "m")
    files = {p.name for p in (tmp_path / "m").iterdir()}
    assert "weights.safetensors" in files
    from safetensors.torch import load_file

    assert len(load_file(str(tmp_path / "m" / "weights.safetensors"))) == 3  # weight, bias, scale
    loaded = load_model(tmp_path / "m").pipeline.named_steps["net"]
    original = pipe.named_steps["net"]
    assert isinstance(loaded.module.weight, torch.nn.Parameter)
    assert loaded.tied is loaded.module.weight  # sharing survives
    assert torch.equal(loaded.module.weight, original.module.weight)
    assert torch.equal(loaded.module.scale, original.module.scale)


def test_identity_is_the_same_for_copies_and_changes_with_the_model(fitted, tmp_path):
    import shutil

    save_model(fitted, tmp_path / "m")
    shutil.copytree(tmp_path / "m", tmp_path / "copy")
    first, copy = load_model(tmp_path / "m"), load_model(tmp_path / "copy")
    assert copy.identity == first.identity and copy.directory == tmp_path / "copy"
    fitted.set_params(logreg__C=0.01).fit(["good", "bad"], ["pos", "neg"])
    save_model(fitted, tmp_path / "m")
    assert load_model(tmp_path / "m").identity != first.identity


def test_train_model_fits_on_all_training_data_and_records_it(tmp_path):
    from textpipe.config import load_config
    from textpipe.data import Dataset
    from textpipe.model import train_model

    cfg = load_config({"steps": ["tokenize", "tfidf", "logreg"]})
    data = Dataset(["good fun", "great", "bad dull", "awful"], ["pos", "pos", "neg", "neg"],
                   test_texts=["fine"], test_labels=["pos"], name="toy")
    trained = train_model(cfg, data, tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert loaded.metadata["data"]["n_train"] == 4 and loaded.metadata["metrics"] is None
    assert loaded.metadata["data"]["fingerprint"] == data.fingerprint()
    assert set(loaded.metadata["fit_seconds"]) == {"tokenize", "tfidf", "logreg"}
    assert loaded.config == cfg.to_dict() and loaded.identity == trained.identity
    assert loaded.metadata["created"] and "scikit-learn" in loaded.metadata["versions"]


def _edit_metadata(folder, change, *, reseal=True):
    """Change metadata.json; ``reseal``: as a save would have written it (else: tampered)."""
    path = folder / "metadata.json"
    meta = json.loads(path.read_text())
    change(meta)
    if reseal and "metadata_sha256" in meta:
        _reseal(meta)
    path.write_text(json.dumps(meta))


def _reseal(meta):
    """Record the metadata's own checksum, as a save does."""
    from textpipe.model import model_identity

    meta["metadata_sha256"] = model_identity(meta)


def test_a_model_without_checksums_is_refused_naming_the_file(fitted, tmp_path):
    save_model(fitted, tmp_path / "m")
    _edit_metadata(tmp_path / "m", lambda meta: meta.pop("checksums"))
    with pytest.raises(ModelError, match=r"metadata.json: records no checksum for "
                                         r"pipeline.pkl.*save the model again"):
        load_model(tmp_path / "m")


def test_every_model_file_present_must_have_its_checksum(fitted, tmp_path):
    save_model(fitted, tmp_path / "m", config={"steps": []})
    _edit_metadata(tmp_path / "m", lambda meta: meta["checksums"].pop("config.json"))
    with pytest.raises(ModelError, match="no checksum for config.json"):
        load_model(tmp_path / "m")
    save_model(fitted, tmp_path / "w")
    (tmp_path / "w" / "weights.safetensors").write_bytes(b"not recorded")
    with pytest.raises(ModelError, match="no checksum for weights.safetensors"):
        load_model(tmp_path / "w")


def test_other_library_versions_warn_but_load(fitted, tmp_path):
    from textpipe.model import ModelVersionWarning

    save_model(fitted, tmp_path / "m")
    _edit_metadata(tmp_path / "m", lambda meta: meta["versions"].update(
        {"scikit-learn": "0.1.0", "numpy": "0.2.0", "torch": "0.3.0"}))
    with pytest.warns(ModelVersionWarning, match=r"saved with scikit-learn 0.1.0 and numpy "
                                                 r"0.2.0, but this environment has"):
        model = load_model(tmp_path / "m")
    assert model.pipeline.predict(["good"]).tolist() == ["pos"]


def test_saving_without_a_config_removes_the_stale_one(fitted, tmp_path):
    save_model(fitted, tmp_path / "m", config={"steps": ["old"]})
    save_model(fitted, tmp_path / "m")
    assert not (tmp_path / "m" / "config.json").exists()
    assert load_model(tmp_path / "m").config is None


def test_a_save_that_fails_leaves_the_previous_model_whole(fitted, tmp_path):
    save_model(fitted, tmp_path / "m", config={"steps": []})
    before = load_model(tmp_path / "m").identity
    other = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
    other.fit(["fine", "dull"], ["pos", "neg"])
    with pytest.raises(TypeError):
        save_model(other, tmp_path / "m", config={"bad": object()})  # not JSON
    assert load_model(tmp_path / "m").identity == before
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == [
        "config.json", "metadata.json", "pipeline.pkl"]  # no temporary file left


def test_run_save_records_what_train_records_and_the_scores(tmp_path):
    from textpipe.cli import main

    (tmp_path / "train.txt").write_text("".join(
        f"{label} {text} {i}\n" for i in range(6)
        for label, text in [("pos", "good fun"), ("neg", "bad dull")]), encoding="utf-8")
    config = tmp_path / "p.yaml"
    config.write_text("data: {path: train.txt}\nevaluation: {method: cv, folds: 2}\n"
                      "steps: [tokenize, count, multinomial_nb]\n", encoding="utf-8")
    assert main(["run", str(config), "--save", str(tmp_path / "m"), "-q"]) == 0
    meta = load_model(tmp_path / "m").metadata
    assert set(meta["fit_seconds"]) == {"tokenize", "count", "multinomial_nb"}
    assert meta["protocol"] == "cv" and "accuracy" in meta["metrics"]
    assert meta["data"]["n_train"] == 12


def _set_checksum(folder, name):
    import hashlib

    sha = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    _edit_metadata(folder, lambda meta: meta["checksums"].__setitem__(name, sha))


def test_metadata_json_is_covered_by_a_checksum(fitted, tmp_path):
    save_model(fitted, tmp_path / "m")
    _edit_metadata(tmp_path / "m", lambda meta: meta["labels"].reverse(),  # inverts all
                   reseal=False)
    with pytest.raises(ModelError, match=r"metadata.json: the metadata was changed or "
                                         r"damaged after saving"):
        load_model(tmp_path / "m")


def test_metadata_json_may_be_reformatted(fitted, tmp_path):
    save_model(fitted, tmp_path / "m")
    _edit_metadata(tmp_path / "m", lambda meta: None)  # same content, other layout
    assert load_model(tmp_path / "m").labels == ["neg", "pos"]


@pytest.mark.parametrize("sealed", [True, False], ids=["resealed", "saved-before-the-seal"])
def test_labels_must_be_the_pipelines_classes_in_order(fitted, tmp_path, sealed):
    save_model(fitted, tmp_path / "m")

    def swap(meta):
        meta["labels"].reverse()
        if not sealed:  # as saved by a textpipe that did not checksum metadata.json
            del meta["metadata_sha256"]

    _edit_metadata(tmp_path / "m", swap)
    with pytest.raises(ModelError, match=r"records the labels 'pos', 'neg' .*, but the "
                                         r"pipeline in pipeline.pkl has the classes 'neg', "
                                         r"'pos'"):
        load_model(tmp_path / "m")


def test_a_model_saved_before_metadata_had_a_checksum_still_loads(fitted, tmp_path):
    save_model(fitted, tmp_path / "m")
    _edit_metadata(tmp_path / "m", lambda meta: meta.pop("metadata_sha256", None))
    assert load_model(tmp_path / "m").pipeline.predict(["good"]).tolist() == ["pos"]


@pytest.mark.parametrize("field, value, expected", [
    ("textpipe_version", None, "'textpipe_version' must be a version string.*it is null"),
    ("labels", "neg,pos", "'labels' must be a list of strings.*it is a string"),
    ("labels", [0, 1], r"'labels\[0\]' must be a string.*it is a number"),
    ("predict_proba", "yes", "'predict_proba' must be true or false.*it is a string"),
    ("checksums", ["pipeline.pkl"], "'checksums' must be an object.*it is an array"),
    ("checksums", {"pipeline.pkl": 12},
     r"'checksums\['pipeline.pkl'\]' must be a SHA-256.*it is a number"),
    ("versions", "1.0", "'versions' must be an object.*it is a string"),
    ("metadata_sha256", 5, "'metadata_sha256' must be a SHA-256.*it is a number"),
])
def test_metadata_fields_of_the_wrong_type_are_refused(fitted, tmp_path, field, value,
                                                       expected):
    save_model(fitted, tmp_path / "m")
    _edit_metadata(tmp_path / "m", lambda meta: meta.__setitem__(field, value), reseal=False)
    with pytest.raises(ModelError, match=r"metadata.json: " + expected):
        load_model(tmp_path / "m")


def test_a_required_metadata_field_that_is_missing_is_named(fitted, tmp_path):
    save_model(fitted, tmp_path / "m")
    _edit_metadata(tmp_path / "m", lambda meta: meta.pop("textpipe_version"))
    with pytest.raises(ModelError, match="'textpipe_version' must be .* it is missing"):
        load_model(tmp_path / "m")


@pytest.mark.parametrize("name", ["../outside.txt", "sub/../../outside.txt", "ABSOLUTE",
                                  "link.txt", ""])
def test_checksum_entries_must_name_files_inside_the_folder(fitted, tmp_path, name):
    import hashlib

    outside = tmp_path / "outside.txt"
    outside.write_text("not part of the model\n")
    save_model(fitted, tmp_path / "a" / "m")
    folder = tmp_path / "a" / "m"
    if name == "ABSOLUTE":
        name = str(outside)
    if name == "link.txt":
        (folder / name).symlink_to(outside)
    sha = hashlib.sha256(outside.read_bytes()).hexdigest()  # a checksum that matches
    _edit_metadata(folder, lambda meta: meta["checksums"].__setitem__(name, sha))
    with pytest.raises(ModelError, match=f"checksum entry '{name}'"):
        check_model(folder)


def test_a_symlink_inside_the_folder_and_a_linked_folder_are_fine(fitted, tmp_path):
    save_model(fitted, tmp_path / "m", config={"steps": []})
    folder = tmp_path / "m"
    (folder / "config.json").rename(folder / "config.real.json")
    (folder / "config.json").symlink_to("config.real.json")
    (tmp_path / "current").symlink_to(folder)
    assert load_model(tmp_path / "current").config == {"steps": []}


@pytest.mark.parametrize("content, what", [({"weights": [1, 2]}, "a dict"), (7, "an int"),
                                           (None, "None")])
def test_a_pickle_that_holds_no_pipeline_is_refused(fitted, tmp_path, content, what):
    import pickle

    save_model(fitted, tmp_path / "m")
    (tmp_path / "m" / "pipeline.pkl").write_bytes(pickle.dumps(content))
    _set_checksum(tmp_path / "m", "pipeline.pkl")
    with pytest.raises(ModelError, match=f"pipeline.pkl: holds {what}, not a fitted pipeline"):
        load_model(tmp_path / "m")


def test_a_pickle_that_cannot_be_unpickled_names_the_reason(fitted, tmp_path):
    save_model(fitted, tmp_path / "m")
    pickled = (tmp_path / "m" / "pipeline.pkl").read_bytes()
    (tmp_path / "m" / "pipeline.pkl").write_bytes(pickled[: len(pickled) // 2])
    _set_checksum(tmp_path / "m", "pipeline.pkl")
    with pytest.raises(ModelError, match="pipeline.pkl: cannot be loaded"):
        load_model(tmp_path / "m")


def test_a_config_json_that_is_not_an_object_is_refused(fitted, tmp_path):
    save_model(fitted, tmp_path / "m", config={"steps": []})
    (tmp_path / "m" / "config.json").write_text("[1, 2")
    _set_checksum(tmp_path / "m", "config.json")
    with pytest.raises(ModelError, match="config.json: cannot be loaded"):
        load_model(tmp_path / "m")


def test_loading_uses_the_very_bytes_it_verified(fitted, tmp_path, monkeypatch):
    """A file replaced between its check and its use is never used unverified."""
    from textpipe import model

    save_model(fitted, tmp_path / "m")
    other = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
    save_model(other.fit(["dull", "fun"], ["pos", "neg"]), tmp_path / "other")
    verify = model._warn_library_versions

    def swap_then_warn(meta, directory):  # runs after the checksums, before unpickling
        (tmp_path / "other" / "pipeline.pkl").replace(tmp_path / "m" / "pipeline.pkl")
        return verify(meta, directory)

    monkeypatch.setattr(model, "_warn_library_versions", swap_then_warn)
    assert load_model(tmp_path / "m").pipeline.predict(["fun"]).tolist() == ["pos"]


def test_a_pipeline_without_a_classifier_loads(tmp_path):
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.pipeline import Pipeline

    pipe = Pipeline([("count", CountVectorizer())]).fit(["good fun", "bad"])
    save_model(pipe, tmp_path / "m")
    model = load_model(tmp_path / "m")
    assert model.labels == [] and model.pipeline.transform(["fun"]).sum() == 1
