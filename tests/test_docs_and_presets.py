from pathlib import Path

import pytest

from textpipe.config import load_config
from textpipe.reference import stages_markdown

ROOT = Path(__file__).resolve().parents[1]
PRESETS = sorted((ROOT / "pipelines").glob("*.yaml"))


def test_stage_reference_in_docs_is_generated_from_the_registry():
    committed = (ROOT / "docs" / "stages.md").read_text(encoding="utf-8")
    assert committed.strip() == stages_markdown().strip(), (
        "docs/stages.md is out of date: run `make docs`"
    )


@pytest.mark.parametrize("path", PRESETS, ids=[p.name for p in PRESETS])
def test_every_preset_validates(path):
    cfg = load_config(path)
    assert cfg.steps[-1].spec.is_classifier


def test_required_presets_exist():
    names = {p.name for p in PRESETS}
    assert {"tfidf_logreg.yaml", "nbsvm_bigram.yaml"} <= names
    assert any(n.startswith("stem_vs_lemma") for n in names)
