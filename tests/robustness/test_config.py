"""Configuration mistakes that only showed at run time are refused before anything runs."""

from __future__ import annotations

import pytest

TINY = "text\tlabel\n" + "".join(f"good film {i}\tpos\nbad film {i}\tneg\n" for i in range(6))


@pytest.mark.parametrize("step, line, param", [
    ("tfidf: {ngram_range: [2, 1]}", 5, "ngram_range"),
    ("count: {ngram_range: [1, 2, 3]}", 5, "ngram_range"),
    ("pretrained_vectors: {path: vectors.txt}", 5, "path"),
    ("elmo: {bilm: no-bilm}", 5, "bilm"),
])
def test_run_refuses_a_step_that_validate_refuses_before_reading_data(
        tmp_path, fails_cleanly, step, line, param):
    (tmp_path / "d.tsv").write_text(TINY, encoding="utf-8")
    path = tmp_path / "p.yaml"
    path.write_text("data: {path: d.tsv}\nevaluation: {method: cv, folds: 2}\nsteps:\n"
                    f"  - tokenize\n  - {step}\n  - logreg\n", encoding="utf-8")
    outcome = fails_cleanly(["run", path], mentions=("p.yaml", f"line {line}",
                                                     f"parameter '{param}'"))
    assert "training documents" not in outcome.err


def test_run_refuses_a_missing_data_file_naming_its_line(tmp_path, fails_cleanly):
    path = tmp_path / "p.yaml"
    path.write_text("data: {path: gone.tsv}\nsteps: [tokenize, tfidf, logreg]\n")
    fails_cleanly(["run", path], mentions=("line 1", "gone.tsv", "not found"))


def test_pretrain_refuses_a_missing_corpus_file_before_training(tmp_path, fails_cleanly):
    path = tmp_path / "b.yaml"
    path.write_text("pretrain:\n  output_dir: out\n  corpus:\n    files: [gone.txt]\n")
    fails_cleanly(["pretrain", path], mentions=("b.yaml", "line 4", "gone.txt"))
    assert not (tmp_path / "out").exists()


def test_compare_refuses_a_missing_data_file_naming_its_line(tmp_path, fails_cleanly):
    path = tmp_path / "e.yaml"
    path.write_text("data:\n  - {dataset: mr}\n  - {path: gone.tsv}\n"
                    "pipelines: [{steps: [tokenize, tfidf, logreg]}]\n")
    fails_cleanly(["compare", "--dry-run", path], mentions=("e.yaml", "line 3", "gone.tsv"))
