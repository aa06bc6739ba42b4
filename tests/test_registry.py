from importlib.metadata import EntryPoint

import pytest
from sklearn.linear_model import RidgeClassifier

from textpipe import registry
from textpipe.config import load_config
from textpipe.errors import ConfigError
from textpipe.registry import get_stage, register_stage, stage_names, unregister_stage


def test_every_builtin_stage_loads_and_documents_its_parameters():
    for name in stage_names():
        spec = get_stage(name)
        assert spec.summary, f"{name} has no one-line doc"
        assert spec.parameters, f"{name} lists no parameters"


def test_our_stages_document_every_parameter():
    for spec in registry.all_stages():
        if spec.target.startswith("textpipe."):
            undocumented = [p.name for p in spec.parameters if not p.doc]
            assert not undocumented, f"{spec.name}: {undocumented}"


def test_unknown_stage_suggests_closest():
    with pytest.raises(ConfigError, match="Did you mean 'tfidf'"):
        get_stage("tfdif")


def test_register_stage_makes_it_usable_in_configs():
    register_stage("ridge", RidgeClassifier, consumes="features", produces="labels")
    try:
        cfg = load_config({"steps": ["tokenize", "tfidf", {"ridge": {"alpha": 2.0}}]})
        assert cfg.steps[-1].create().alpha == 2.0
    finally:
        unregister_stage("ridge")


def test_entry_point_plugins_are_discovered(monkeypatch):
    ep = EntryPoint(name="ridge_plugin", value="sklearn.linear_model:RidgeClassifier",
                    group=registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [ep])
    monkeypatch.setattr(registry, "_plugins_loaded", False)
    monkeypatch.setattr(registry, "_registry", dict(registry._registry))
    spec = get_stage("ridge_plugin")
    assert spec.create().__class__ is RidgeClassifier
