from pathlib import Path

import pytest
import yaml

from textpipe.config import load_config
from textpipe.config.kinds import file_kind
from textpipe.errors import catalogue_markdown
from textpipe.reference import stages_markdown

ROOT = Path(__file__).resolve().parents[1]


def _kind(path: Path) -> str:
    return file_kind(yaml.safe_load(path.read_text(encoding="utf-8")))


ALL_YAML = sorted((ROOT / "pipelines").glob("*.yaml"))
PRESETS = [p for p in ALL_YAML if _kind(p) == "pipeline"]
EXPERIMENTS = [p for p in ALL_YAML if _kind(p) == "experiment"]
PRETRAINING = [p for p in ALL_YAML if _kind(p) == "pretrain"]


def test_stage_reference_in_docs_is_generated_from_the_registry():
    committed = (ROOT / "docs" / "stages.md").read_text(encoding="utf-8")
    assert committed.strip() == stages_markdown().strip(), (
        "docs/stages.md is out of date: run `make docs`"
    )


#: Files that name something the user makes first (a pretrained biLM, a vector file):
#: until it exists they are refused, naming the parameter and the missing path.
NEEDS_PREPARED = {"elmo_logreg.yaml": "'bilm'", "bilstm_elmo.yaml": "'bilm'",
                  "pretrained_vectors_logreg.yaml": "'path'"}


def _validates_or_names_what_to_prepare(path, load):
    from textpipe.errors import ConfigError

    if path.name not in NEEDS_PREPARED:
        return load(path)
    with pytest.raises(ConfigError) as info:
        load(path)
    assert f"parameter {NEEDS_PREPARED[path.name]}" in str(info.value)
    assert "not found" in str(info.value)
    return None


def test_error_reference_in_docs_is_generated_from_the_catalogue():
    committed = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert committed == catalogue_markdown(), "docs/errors.md is out of date: run `make docs`"


@pytest.mark.parametrize("path", PRESETS, ids=[p.name for p in PRESETS])
def test_every_preset_validates(path):
    cfg = _validates_or_names_what_to_prepare(path, load_config)
    assert cfg is None or cfg.steps[-1].spec.is_classifier


def test_required_presets_exist():
    names = {p.name for p in PRESETS}
    assert {"tfidf_logreg.yaml", "nbsvm_bigram.yaml"} <= names
    assert any(n.startswith("stem_vs_lemma") for n in names)


@pytest.mark.parametrize("path", PRETRAINING, ids=[p.name for p in PRETRAINING])
def test_every_pretraining_file_validates(path):
    from textpipe.neural.pretrain import load_pretrain_config

    assert load_pretrain_config(path).output_dir


@pytest.mark.parametrize("path", EXPERIMENTS, ids=[p.name for p in EXPERIMENTS])
def test_every_experiment_file_validates_and_expands(path):
    from textpipe.compare import load_experiment

    experiment = _validates_or_names_what_to_prepare(path, load_experiment)
    assert experiment is None or len(experiment.candidates) >= 2
    assert experiment is None or all(c.config.steps[-1].spec.is_classifier
                                     for c in experiment.candidates)


def test_the_representations_experiment_skips_only_what_needs_a_missing_model():
    from textpipe.compare import load_experiment

    experiment = load_experiment(ROOT / "pipelines" / "compare_representations.yaml")
    skipped = {s.name for s in experiment.skipped}
    assert skipped <= {"elmo", "bilstm_elmo", "minilm", "minilm_finetune"}
    if not (ROOT / "models" / "bilm-mr-trec").is_dir():  # written by pretrain_bilm.yaml
        assert {"elmo", "bilstm_elmo"} <= skipped
        assert all("textpipe pretrain" in s.reason for s in experiment.skipped
                   if s.name in ("elmo", "bilstm_elmo"))


def test_the_demo_and_the_issue_presets_exist():
    names = {p.name for p in EXPERIMENTS}
    assert {"compare_demo.yaml", "compare_preprocessing.yaml",
            "compare_representations.yaml"} <= names


@pytest.mark.parametrize("loader, path, command", [
    ("load_config", "compare_demo.yaml", "textpipe compare"),
    ("load_config", "pretrain_bilm.yaml", "textpipe pretrain"),
    ("load_experiment", "pretrain_bilm.yaml", "textpipe pretrain"),
    ("load_pretrain_config", "compare_demo.yaml", "textpipe compare"),
])
def test_a_file_given_to_the_wrong_loader_names_the_right_command(loader, path, command):
    from textpipe.compare import load_experiment
    from textpipe.errors import ConfigError
    from textpipe.neural.pretrain import load_pretrain_config

    load = {"load_config": load_config, "load_experiment": load_experiment,
            "load_pretrain_config": load_pretrain_config}[loader]
    with pytest.raises(ConfigError) as info:
        load(ROOT / "pipelines" / path)
    assert f"Run it with `{command}`" in str(info.value)
    assert path in str(info.value)
