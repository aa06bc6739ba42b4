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
    with open(tmp_path / "m" / "pipeline.joblib", "ab") as fh:
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
