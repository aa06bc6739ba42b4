"""Command-line option problems: reported as the option they are, never as a parameter.

A wrong option, or options that do not go together, is the user's mistake: one error
line that names the option (``option '--errors': …``), exit code 2, nothing written.
"""

from __future__ import annotations

import pytest


PIPELINE = """\
data:
  dataset: mr
  sample: 20
evaluation:
  method: cv
  folds: 2
steps:
  - tokenize
  - count
  - multinomial_nb
"""


@pytest.fixture
def docs(tmp_path):
    path = tmp_path / "in.txt"
    path.write_text("good fun\nawful dull\n", encoding="utf-8")
    return path


def test_an_output_path_problem_names_the_option_not_a_parameter(fails_cleanly, model_dir, docs,
                                                                 tmp_path):
    outcome = fails_cleanly(["score", model_dir, docs, "-o", tmp_path / "out.jsonl",
                             "--errors", docs], mentions=("option '--errors'", str(docs)))
    assert "parameter" not in outcome.message


def test_test_data_without_data_is_reported_as_the_option(fails_cleanly, tmp_path):
    config = tmp_path / "p.yaml"
    config.write_text(PIPELINE, encoding="utf-8")
    held_out = tmp_path / "test.txt"
    held_out.write_text("pos good fun\n", encoding="utf-8")
    fails_cleanly(["run", config, "--test-data", held_out], mentions=("--test-data", "--data"))


@pytest.mark.parametrize("args, option", [
    (["--top-k", "9"], "--top-k"),
    (["--output-format", "xml"], "--output-format"),
    (["--chunk-size", "0"], "--chunk-size"),
])
def test_a_bad_score_option_names_the_option(fails_cleanly, model_dir, docs, tmp_path, args,
                                             option):
    fails_cleanly(["score", model_dir, docs, "-o", tmp_path / "out.jsonl", *args],
                  mentions=(option,))
