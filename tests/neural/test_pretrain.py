import json

import pytest
import torch
from safetensors.torch import load_file

from textpipe.cli import main
from textpipe.errors import ConfigError, ModelError
from textpipe.neural.io import load_bilm
from textpipe.neural.pretrain import load_pretrain_config, pretrain

from .conftest import tiny_config


def test_pretraining_writes_weights_config_and_vocab_and_no_pickle(tiny_bilm):
    names = sorted(p.name for p in tiny_bilm.iterdir())
    assert names == ["config.json", "vocab.json", "weights.safetensors"]  # checkpoint removed
    info = json.loads((tiny_bilm / "config.json").read_text())
    assert info["format"] == "textpipe-bilm" and info["pretrain"]["training"]["seed"] == 0
    assert info["training_result"]["best_perplexity"] > 1


def test_resumed_run_continues_exactly_where_the_interrupted_one_stopped(tmp_path):
    straight = pretrain(tiny_config(tmp_path / "a", checkpoint_every=1), resume=False)

    def interrupt(progress):
        if progress.step == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pretrain(tiny_config(tmp_path / "b", checkpoint_every=1), on_progress=interrupt)
    assert (tmp_path / "b" / "checkpoint" / "state.json").is_file()
    resumed = pretrain(tiny_config(tmp_path / "b", checkpoint_every=1))
    assert resumed.resumed_from_step == 3 and resumed.steps == straight.steps
    a = load_file(str(tmp_path / "a" / "weights.safetensors"))
    b = load_file(str(tmp_path / "b" / "weights.safetensors"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert resumed.history == straight.history


def test_a_checkpoint_from_another_configuration_is_not_resumed(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        pretrain(tiny_config(tmp_path, checkpoint_every=1),
                 on_progress=lambda p: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(ConfigError, match="--restart"):
        pretrain(tiny_config(tmp_path, checkpoint_every=1, learning_rate=0.5))
    assert pretrain(tiny_config(tmp_path, learning_rate=0.5), resume=False).steps > 0


def _truncate(path):
    path.write_bytes(path.read_bytes()[:64])


def _edit_json(path):
    state = json.loads(path.read_text())
    del state["param_groups"]
    path.write_text(json.dumps(state))


def _edit_best(path):
    state = json.loads(path.read_text())
    state["best_score"] = "low"
    path.write_text(json.dumps(state))


@pytest.mark.parametrize("file, damage", [("state.safetensors", _truncate),
                                          ("state.json", _truncate),
                                          ("state.json", _edit_json),
                                          ("state.json", _edit_best),
                                          ("vocab.json", lambda path: path.unlink())])
def test_a_damaged_checkpoint_is_refused_naming_its_file_and_restart(tmp_path, file, damage):
    pretrain(tiny_config(tmp_path, max_minutes=1e-6))
    checkpoint = tmp_path / "checkpoint"
    damage(checkpoint / file)
    with pytest.raises(ModelError, match="--restart") as info:
        pretrain(tiny_config(tmp_path))
    assert f"'{checkpoint / file}'" in str(info.value) and "damaged" in str(info.value)
    assert pretrain(tiny_config(tmp_path), resume=False).stopped == "completed"


def test_training_stops_early_when_held_out_perplexity_stops_improving(tmp_path):
    result = pretrain(tiny_config(tmp_path, epochs=30, eval_every=1, patience=1,
                                  learning_rate=0.5))
    assert result.stopped == "early_stopping"
    assert result.steps < 30 * 6
    best = min(h["heldout_perplexity"] for h in result.history)
    assert result.best_perplexity == best


def test_time_limit_stops_resumably(tmp_path):
    result = pretrain(tiny_config(tmp_path, max_minutes=1e-6))
    assert result.stopped == "time_limit" and result.steps == 1
    assert (tmp_path / "checkpoint" / "state.json").is_file()
    load_bilm(tmp_path)  # the best weights so far are usable


def test_a_run_stopped_by_its_time_limit_continues_with_more_epochs(tmp_path):
    first = pretrain(tiny_config(tmp_path, epochs=1, max_minutes=1e-6))
    assert first.stopped == "time_limit"
    longer = pretrain(tiny_config(tmp_path, epochs=3, patience=5))
    assert longer.resumed_from_step == first.steps and longer.stopped == "completed"
    assert longer.epochs == 3 and longer.steps == 3 * 6


def test_config_errors_name_the_file_line_and_suggest(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("pretrain:\n  output_dir: out\n  model:\n    lstm_sise: 8\n"
                    "  corpus:\n    datasets: [mrr]\n")
    with pytest.raises(ConfigError) as info:
        load_pretrain_config(path)
    text = str(info.value)
    assert "p.yaml, line 4" in text and "Did you mean 'lstm_size'" in text
    assert "line 6" in text and "unknown bundled dataset 'mrr'" in text


def test_lstm_cells_smaller_than_the_projection_are_refused_with_the_line(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("pretrain:\n  output_dir: out\n  model:\n    projection_dim: 64\n"
                    "    lstm_size: 32\n")
    with pytest.raises(ConfigError, match=r"p.yaml, line 3: .*lstm_size \(32\) must be at least"):
        load_pretrain_config(path)


def test_relative_paths_resolve_against_the_yaml_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "p.yaml"
    (tmp_path / "sub" / "c.txt").write_text("a text\n")
    path.write_text("pretrain:\n  output_dir: ../models/b\n  corpus: {files: [c.txt]}\n")
    cfg = load_pretrain_config(path)
    assert cfg.output_dir == str(tmp_path / "models" / "b")
    assert cfg.corpus.files == [str(tmp_path / "sub" / "c.txt")]


def test_a_missing_bilm_folder_says_to_pretrain_first(tmp_path):
    with pytest.raises(ModelError, match="textpipe pretrain"):
        load_bilm(tmp_path / "nowhere")


def test_cli_pretrains_from_a_file_corpus(tmp_path, capsys):
    (tmp_path / "corpus.txt").write_text("a fine film\na dull film\nthe cast is fine\n" * 5)
    (tmp_path / "p.yaml").write_text(
        "pretrain:\n  output_dir: out\n  corpus: {files: [corpus.txt], min_count: 1}\n"
        "  model: {char_dim: 4, filters: [[1, 4], [2, 4]], projection_dim: 4, lstm_size: 4}\n"
        "  training: {epochs: 1, batch_size: 4, threads: 1}\n")
    assert main(["pretrain", str(tmp_path / "p.yaml")]) == 0
    out = capsys.readouterr()
    assert "best held-out perplexity" in out.out
    assert (tmp_path / "out" / "weights.safetensors").is_file()
    assert main(["pretrain", str(tmp_path / "nope.yaml")]) == 2


def test_a_finished_bilm_is_replaced_only_with_overwrite(tiny_bilm):
    before = {p.name: p.read_bytes() for p in tiny_bilm.iterdir() if p.is_file()}
    with pytest.raises(ConfigError, match=r"'output_dir'.*already holds a biLM.*--overwrite"):
        pretrain(tiny_config(tiny_bilm))
    assert {p.name: p.read_bytes() for p in tiny_bilm.iterdir() if p.is_file()} == before


def test_an_output_dir_that_is_a_file_or_a_corpus_file_is_refused_before_training(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("a fine film\na dull film\n" * 5, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'output_dir'.*corpus.txt' is the input given as "
                                          r"corpus.files"):
        config = tiny_config(corpus)
        config.corpus.files = [str(corpus)]
        pretrain(config)
    with pytest.raises(ConfigError, match=r"'output_dir'.*is a file, so a biLM cannot be written"):
        pretrain(tiny_config(corpus))
    assert corpus.read_text(encoding="utf-8").startswith("a fine film")
