"""The transformer_classifier stage: a tiny random BERT fine-tuned on toy tasks, offline."""

from __future__ import annotations

import math
import pickle
import shutil

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("transformers")
import torch  # noqa: E402

from textpipe.errors import ConfigError, InputError  # noqa: E402
from textpipe.neural.finetune import layer_rates, parameter_groups  # noqa: E402
from textpipe.stages.transformer_classifier import TransformerClassifier  # noqa: E402

POS = ["a great film", "a fine cast", "great fun", "what a fine film", "the cast is great"]
NEG = ["a dull plot", "a weak film", "so dull", "what a weak plot", "the plot is dull"]
X = (POS + NEG) * 6
Y = (["pos"] * 5 + ["neg"] * 5) * 6
# Unseen combinations of the same words.
X_TEST = ["great cast", "fine fun", "a great plot is fine", "weak cast", "dull film", "so weak"]
Y_TEST = ["pos", "pos", "pos", "neg", "neg", "neg"]

FAST = dict(learning_rate=3e-3, max_epochs=8, batch_size=8, dropout=0.0, warmup_fraction=0.1,
            early_stopping=False, random_state=0)


def make(folder, **params) -> TransformerClassifier:
    return TransformerClassifier(model=str(folder), **{**FAST, **params})


@pytest.fixture(scope="module")
def fitted(tiny_bert):
    return make(tiny_bert).fit(X, Y)


def test_learns_a_separable_toy_task_well_above_chance(fitted):
    accuracy = float(np.mean(fitted.predict(X_TEST) == np.array(Y_TEST)))
    assert accuracy >= 5 / 6
    assert fitted.classes_.tolist() == ["neg", "pos"]
    proba = fitted.predict_proba(X_TEST)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_same_seed_gives_identical_predictions_and_another_seed_differs(tiny_bert, fitted,
                                                                       no_network):
    again = make(tiny_bert).fit(X, Y)
    np.testing.assert_array_equal(again.predict_proba(X_TEST), fitted.predict_proba(X_TEST))
    other = make(tiny_bert, random_state=1).fit(X, Y)
    assert not np.array_equal(other.predict_proba(X_TEST), fitted.predict_proba(X_TEST))


def test_saved_model_predicts_identically_without_the_original_folder(tiny_bert, tmp_path,
                                                                    no_network):
    from sklearn.pipeline import make_pipeline

    from textpipe.model import WEIGHTS_FILE, load_model, save_model

    folder = shutil.copytree(tiny_bert, tmp_path / "encoder")
    pipe = make_pipeline(make(folder, max_epochs=2)).fit(X, Y)
    expected = pipe.predict_proba(X_TEST)
    save_model(pipe, tmp_path / "model")
    shutil.rmtree(folder)
    assert (tmp_path / "model" / WEIGHTS_FILE).stat().st_size > 10_000
    assert (tmp_path / "model" / "pipeline.pkl").stat().st_size < 50_000  # no weights in it
    loaded = load_model(tmp_path / "model").pipeline
    np.testing.assert_array_equal(loaded.predict_proba(X_TEST), expected)
    np.testing.assert_array_equal(loaded.predict(X_TEST), pipe.predict(X_TEST))


def test_pickle_round_trip_and_clone(fitted):
    from sklearn.base import clone

    copy = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(copy.predict_proba(X_TEST), fitted.predict_proba(X_TEST))
    fresh = clone(fitted)
    assert fresh.get_params() == fitted.get_params()
    assert not hasattr(fresh, "module_")


def test_grid_search_over_pooling(tiny_bert):
    from sklearn.model_selection import GridSearchCV

    search = GridSearchCV(make(tiny_bert, max_epochs=2), {"pooling": ["cls", "mean"]}, cv=2)
    search.fit(X, Y)
    assert search.best_params_["pooling"] in ("cls", "mean")
    assert len(search.predict(X_TEST)) == len(X_TEST)


def test_early_stopping_keeps_the_epoch_with_the_lowest_validation_loss(tiny_bert):
    # A large rate without warm-up: the validation loss is lowest at epoch 2, then rises.
    clf = make(tiny_bert, early_stopping=True, validation_fraction=0.2, patience=2,
               learning_rate=0.2, warmup_fraction=0.0, max_epochs=10).fit(X, Y)
    losses = [record["valid_loss"] for record in clf.history_]
    assert clf.best_epoch_ == int(np.argmin(losses)) + 1 < clf.n_epochs_ < 10
    assert clf.stopped_ == "early_stopping" and clf.n_epochs_ == clf.best_epoch_ + 2
    # The kept weights are that epoch's: their loss on the validation documents is its loss.
    _, valid = clf._split(np.unique(Y, return_inverse=True)[1], 0)
    proba = clf.predict_proba([X[i] for i in valid])
    rows = np.searchsorted(clf.classes_, [Y[i] for i in valid])
    kept_loss = -np.log(proba[np.arange(len(valid)), rows]).mean()
    assert kept_loss == pytest.approx(min(losses), rel=1e-6)


def test_max_minutes_stops_training_after_the_step_that_passes_it(tiny_bert):
    clf = make(tiny_bert, max_minutes=1e-9, max_epochs=50).fit(X, Y)
    assert clf.stopped_ == "time_limit"
    assert clf.n_steps_ == 1 < math.ceil(len(X) / 8) and clf.n_epochs_ == 0
    assert len(clf.predict(X_TEST)) == len(X_TEST)
    assert make(tiny_bert, max_epochs=2).fit(X, Y).stopped_ == "completed"


def test_layer_wise_rates_and_weight_decay_are_in_the_optimizer_groups(tiny_bert):
    """Head and top layer at lr, layer l of N at lr·decay^(N−l), embeddings at lr·decay^N."""
    from textpipe.neural.finetune import ClassifierHead, FinetuneNet
    from textpipe.neural.pretrained import load_encoder

    encoder, _, _ = load_encoder(tiny_bert)
    net = FinetuneNet(encoder, ClassifierHead(16, 2))
    optimizer = torch.optim.AdamW(parameter_groups(net, 1e-3, 0.5, 0.01), lr=1e-3)
    rates = {(g["name"], g["weight_decay"]): g["lr"] for g in optimizer.param_groups}
    assert rates[("embeddings", 0.01)] == pytest.approx(1e-3 * 0.25)
    assert rates[("layer 1", 0.01)] == pytest.approx(1e-3 * 0.5)
    assert rates[("layer 2", 0.01)] == pytest.approx(1e-3)
    assert rates[("head", 0.01)] == pytest.approx(1e-3)
    assert {name for name, _ in rates} == {"embeddings", "layer 1", "layer 2", "head"}
    grouped = [p for g in optimizer.param_groups for p in g["params"]]
    assert len(grouped) == len({id(p) for p in grouped}) == len(list(net.parameters()))
    no_decay = {id(p) for g in optimizer.param_groups if g["weight_decay"] == 0 for p in g["params"]}
    for name, p in net.named_parameters():
        assert (id(p) in no_decay) == (name.endswith("bias") or "LayerNorm" in name), name
    assert layer_rates(1.0, 0.5, 2) == [0.25, 0.5, 1.0, 1.0]


def test_learning_rate_warms_up_then_decays_linearly_per_step(tiny_bert):
    """Each group's rate follows warm-up then decay, keeping the layer-wise ratios."""
    clf = make(tiny_bert, warmup_fraction=0.25, layer_decay=0.5)
    clf.classes_ = np.array(["neg", "pos"])
    net, _ = clf._build()
    optimizer, schedule = clf._optimizer(net, n_steps=8)
    seen = []
    for _ in range(8):
        seen.append({g["name"]: g["lr"] for g in optimizer.param_groups})
        optimizer.step()
        schedule.step()
    head = [rates["head"] / 3e-3 for rates in seen]
    assert head == pytest.approx([0, 0.5, 1, 5 / 6, 4 / 6, 3 / 6, 2 / 6, 1 / 6])
    assert all(r["embeddings"] == pytest.approx(r["head"] / 4) for r in seen)


@pytest.mark.parametrize("params", [
    {"layer_decay": 0.0}, {"layer_decay": 1.5}, {"pooling": "max"}, {"max_length": 1},
    {"warmup_fraction": 1.0}, {"max_minutes": 0}, {"validation_fraction": 0.0},
    {"learning_rate": -1e-3}, {"batch_size": 0},
])
def test_bad_parameters_are_refused_naming_the_parameter(params):
    with pytest.raises(ConfigError) as info:
        TransformerClassifier(**params).check_params()
    assert f"'{next(iter(params))}'" in str(info.value)


def test_a_missing_or_incomplete_model_folder_is_named(tmp_path, no_network):
    from textpipe.errors import ModelError

    with pytest.raises(ModelError, match=r"no-such-folder.*E650"):
        make(tmp_path / "no-such-folder").fit(X, Y)
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"model\.safetensors.*E650"):
        make(tmp_path / "half").check_params()


def test_max_length_beyond_the_encoders_positions_is_refused(tiny_bert):
    with pytest.raises(ConfigError, match=r"max_length=1000 .*at most 128.*E670"):
        make(tiny_bert, max_length=1000).fit(X, Y)


def test_layer_decay_needs_numbered_layers(tiny_bert, monkeypatch):
    from textpipe.neural import finetune

    monkeypatch.setattr(finetune, "encoder_levels", lambda encoder: ({}, 0))
    with pytest.raises(ConfigError, match=r"parameter 'layer_decay'.*layer_decay: 1\.0.*E671"):
        make(tiny_bert, layer_decay=0.8).fit(X, Y)


def test_bad_training_data_is_refused(tiny_bert):
    with pytest.raises(InputError, match="E107"):
        make(tiny_bert).fit(X, ["pos"] * len(X))
    with pytest.raises(InputError, match="E102"):
        make(tiny_bert).fit(X[:-1] + [None], Y)
    with pytest.raises(InputError, match="E108"):
        make(tiny_bert).fit(X, Y[:-1])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text(), st.just(""), st.text(min_size=1).map(lambda t: t * 3000)),
                min_size=1, max_size=4))
def test_any_unicode_empty_or_huge_document_predicts(fitted, docs):
    proba = fitted.predict_proba(docs)
    assert proba.shape == (len(docs), 2)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(fitted.predict(docs)) <= {"neg", "pos"}


def test_textpipe_train_then_score_after_the_encoder_folder_is_deleted(tiny_bert, tmp_path,
                                                                      capfd, no_network):
    import json

    from textpipe.cli import main
    from textpipe.model import load_model

    encoder = shutil.copytree(tiny_bert, tmp_path / "encoder")
    data = tmp_path / "train.txt"
    data.write_text("".join(f"{y} {x}\n" for x, y in zip(X, Y)), encoding="utf-8")
    docs = tmp_path / "docs.txt"
    docs.write_text("".join(f"{x}\n" for x in X_TEST), encoding="utf-8")
    config = tmp_path / "p.yaml"
    config.write_text("steps:\n  - transformer_classifier: {model: encoder, max_epochs: 2, "
                      "batch_size: 8, learning_rate: 0.003, n_threads: 1}\n", encoding="utf-8")
    assert main(["train", str(config), "--data", str(data), "-o", str(tmp_path / "m"), "-q"]) == 0
    expected = load_model(tmp_path / "m").pipeline.predict_proba(X_TEST)
    shutil.rmtree(encoder)
    capfd.readouterr()
    assert main(["score", str(tmp_path / "m"), str(docs), "-o", "-", "-q"]) == 0
    rows = [json.loads(line) for line in capfd.readouterr().out.splitlines()]
    scored = np.array([[row["proba_neg"], row["proba_pos"]] for row in rows])
    np.testing.assert_array_equal(scored, expected)
