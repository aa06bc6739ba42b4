import pickle
import warnings

import joblib
import numpy as np
import pytest
import torch

import textpipe
from textpipe.errors import ConfigError, InputError, ModelError
from textpipe.neural.elmo import layer_batches
from textpipe.stages.elmo import Elmo
from textpipe.stages.embed import EmptyDocumentWarning

#: Tests that read the vectors by ndarray indexing and dtype; tests/stages/test_sklearn_output.py
#: checks the same stage's pandas output (named columns, equal values).
ARRAYS = pytest.mark.default_sklearn_output("checks the stage's ndarray output itself")
DOCS = [["a", "fine", "film"], ["the", "plot", "is", "dull"], ["great", "cast"],
        ["what", "a", "weak", "plot", "with", "unseenword"]]
LABELS = ["pos", "neg", "pos", "neg"]


@ARRAYS
@pytest.mark.parametrize("pooling, width", [("mean", 16), ("max", 16), ("meanmax", 32)])
def test_pooled_output_has_one_row_per_document(tiny_bilm, pooling, width):
    X = Elmo(bilm=str(tiny_bilm), pooling=pooling).fit_transform(DOCS)
    assert X.shape == (4, width) and X.dtype == np.float32 and np.isfinite(X).all()


@ARRAYS
def test_per_token_output_keeps_one_vector_per_token(tiny_bilm):
    out = Elmo(bilm=str(tiny_bilm), pooling="none").fit_transform(DOCS)
    assert [v.shape for v in out] == [(3, 16), (4, 16), (2, 16), (6, 16)]
    mean = Elmo(bilm=str(tiny_bilm), pooling="mean").fit_transform(DOCS)
    np.testing.assert_allclose(out[1].mean(0), mean[1], rtol=1e-5, atol=1e-6)


def test_fixed_weights_select_layers(tiny_bilm):
    stage = Elmo(bilm=str(tiny_bilm), pooling="none", weights=[0, 0, 1], gamma=2.0,
                 normalize=False).fit(DOCS)
    np.testing.assert_allclose(stage.layer_weights_, [0, 0, 1], atol=1e-12)
    _, layers, _ = next(layer_batches(stage.bilm_, stage.vocab_, [DOCS[0]]))
    np.testing.assert_allclose(stage.transform([DOCS[0]])[0], 2.0 * layers[0, 2].numpy(),
                               rtol=1e-5, atol=1e-6)


def test_normalize_standardises_each_layer_with_training_statistics(tiny_bilm):
    stage = Elmo(bilm=str(tiny_bilm), pooling="none", weights=[1, 0, 0]).fit(DOCS * 3)
    tokens = np.vstack(stage.transform(DOCS * 3))
    np.testing.assert_allclose(tokens.mean(0), 0, atol=1e-4)
    assert stage.layer_stats_[0].shape == (3, 16)


def test_learned_weights_move_from_their_start_and_stay_normalised(tiny_bilm):
    stage = Elmo(bilm=str(tiny_bilm), learn_weights=True, random_state=0).fit(DOCS * 5,
                                                                              LABELS * 5)
    w = stage.layer_weights_
    assert w.sum() == pytest.approx(1.0) and (w > 0).all()
    assert not np.allclose(w, 1 / 3)
    assert stage.transform(DOCS).shape == (4, 16)
    with pytest.raises(InputError, match="needs y"):
        Elmo(bilm=str(tiny_bilm), learn_weights=True).fit(DOCS)


def test_weights_of_the_wrong_length_are_refused(tiny_bilm):
    with pytest.raises(InputError, match="3 non-negative numbers"):
        Elmo(bilm=str(tiny_bilm), weights=[1, 1]).fit(DOCS)


def test_batch_size_does_not_change_the_vectors(tiny_bilm):
    a = Elmo(bilm=str(tiny_bilm), batch_size=1).fit_transform(DOCS)
    b = Elmo(bilm=str(tiny_bilm), batch_size=64).fit_transform(DOCS)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_int8_quantization_agrees_with_float32(tiny_bilm):
    stage = Elmo(bilm=str(tiny_bilm), quantize=True).fit(DOCS)
    report = stage.quantization_report(DOCS * 3)
    assert report["mean_cosine"] > 0.9, report
    assert report["int8_tokens_per_second"] > 0 and report["tokens"] == 45
    assert stage.transform(DOCS).shape == (4, 16)
    clone = pickle.loads(pickle.dumps(stage))  # the packed int8 model is rebuilt, not pickled
    np.testing.assert_allclose(clone.transform(DOCS), stage.transform(DOCS), rtol=1e-5)


@ARRAYS
def test_empty_documents_get_zero_vectors_with_a_warning(tiny_bilm):
    stage = Elmo(bilm=str(tiny_bilm)).fit(DOCS)
    with pytest.warns(EmptyDocumentWarning, match="1 of 2"):
        X = stage.transform([[], ["a", "film"]])
    assert not X[0].any() and X[1].any()
    with pytest.raises(InputError, match="no features"):
        Elmo(bilm=str(tiny_bilm)).fit([[], []])
    with pytest.raises(InputError, match="expects token lists"):
        stage.transform(["raw text"])


@ARRAYS
@pytest.mark.parametrize("pooling", ["mean", "max", "meanmax"])
def test_a_batch_of_only_empty_documents_pools_to_zeros(tiny_bilm, pooling):
    # Sorting by length puts the empty documents together in the last batch.
    stage = Elmo(bilm=str(tiny_bilm), pooling=pooling, batch_size=2).fit(DOCS)
    with pytest.warns(EmptyDocumentWarning, match="2 of 3"):
        X = stage.transform([["a", "film"], [], []])
    assert X[0].any() and not X[1:].any()


def test_pickle_joblib_and_saved_model_round_trips_give_identical_vectors(tiny_bilm, tmp_path):
    stage = Elmo(bilm=str(tiny_bilm)).fit(DOCS)
    expected = stage.transform(DOCS)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(stage)).transform(DOCS), expected)
    joblib.dump(stage, tmp_path / "s.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "s.joblib").transform(DOCS), expected)
    (par,) = joblib.Parallel(n_jobs=2)(joblib.delayed(lambda s: s.transform(DOCS))(stage)
                                       for _ in range(1))
    np.testing.assert_allclose(par, expected, rtol=1e-6)


def test_pipeline_with_elmo_saves_weights_to_safetensors(tiny_bilm, tmp_path):
    from textpipe.model import load_model, save_model

    pipe = textpipe.load_pipeline({"steps": [{"tokenize": {}},
                                             {"elmo": {"bilm": str(tiny_bilm)}},
                                             {"logreg": {}}]})
    texts = ["a fine film", "a dull plot", "great cast", "weak plot"] * 3
    pipe.fit(texts, ["p", "n", "p", "n"] * 3)
    save_model(pipe, tmp_path / "m")
    assert (tmp_path / "m" / "weights.safetensors").is_file()
    loaded = load_model(tmp_path / "m").pipeline
    np.testing.assert_array_equal(loaded.predict_proba(texts), pipe.predict_proba(texts))


def test_a_pipeline_file_whose_bilm_is_missing_is_refused_when_read_saying_to_pretrain(
        tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("steps:\n  - tokenize: {}\n  - elmo: {bilm: ../models/none}\n"
                    "  - logreg: {}\n")
    with pytest.raises(ConfigError, match="parameter 'bilm'.*textpipe pretrain"):
        textpipe.load_pipeline(path)
    (tmp_path / "empty").mkdir()
    path.write_text("steps:\n  - tokenize: {}\n  - elmo: {bilm: empty}\n  - logreg: {}\n")
    with pytest.raises(ConfigError, match="parameter 'bilm'.*weights.safetensors"):
        textpipe.load_pipeline(path)


def test_elmo_whose_bilm_is_missing_fails_at_fit_saying_to_pretrain(tmp_path):
    with pytest.raises(ModelError, match="textpipe pretrain"):
        Elmo(bilm=str(tmp_path / "none")).fit([["a", "b"]])
