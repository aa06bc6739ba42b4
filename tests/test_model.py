import json

import pytest

import textpipe
from textpipe.errors import ModelError
from textpipe.model import load_model, save_model


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
    meta_path = tmp_path / "m" / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta["textpipe_version"] = "99.0.0"
    meta_path.write_text(json.dumps(meta))
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


def _edit_metadata(folder, change):
    path = folder / "metadata.json"
    meta = json.loads(path.read_text())
    change(meta)
    path.write_text(json.dumps(meta))


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
