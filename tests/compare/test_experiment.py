"""Experiment files: grid expansion, naming, and validation with file/line errors."""

from pathlib import Path

import pytest

from textpipe.compare import load_experiment
from textpipe.config import ConfigErrors
from textpipe.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path, text, name="exp.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def grid(params, base=("tokenize", "stem", "tfidf", "logreg"), **extra):
    return {"evaluation": {"method": "cv", "folds": 3, "seed": 7},
            "grid": {"base": list(base), "params": params}, **extra}


def names(exp):
    return [c.name for c in exp.candidates]


def test_grid_expands_to_the_product_of_its_values_in_file_order():
    exp = load_experiment(grid({"stem.algorithm": ["porter", "snowball"],
                                "tfidf.ngram_range": [[1, 1], [1, 2]],
                                "logreg": ["logreg", "linear_svm", "multinomial_nb"]}))
    assert len(exp.candidates) == 12
    assert names(exp)[:3] == [
        "stem=porter, tfidf.ngram_range=(1,1), logreg",
        "stem=porter, tfidf.ngram_range=(1,1), linear_svm",
        "stem=porter, tfidf.ngram_range=(1,1), multinomial_nb",
    ]
    assert len(set(names(exp))) == 12


def test_grid_variants_are_resolved_like_pipeline_files_with_the_experiment_seed():
    exp = load_experiment(grid({"tfidf.ngram_range": [[1, 2]], "logreg": ["linear_svm"]}))
    (candidate,) = exp.candidates
    steps = candidate.config.steps
    assert [s.stage for s in steps] == ["tokenize", "stem", "tfidf", "linear_svm"]
    assert steps[2].params["ngram_range"] == (1, 2)          # list became the tuple
    assert steps[3].params["random_state"] == 7              # the experiment's seed
    assert steps[1].params == {"algorithm": "snowball", "language": "en",  # defaults
                               "n_jobs": None}


def test_a_string_value_is_named_after_its_step_unless_the_step_varies_more():
    exp = load_experiment(grid({"stem.algorithm": ["porter", "snowball"],
                                "stem.language": ["en", "english"]}))
    assert names(exp)[0] == "stem.algorithm=porter, stem.language=en"


def test_a_single_valued_grid_key_does_not_appear_in_names():
    exp = load_experiment(grid({"tfidf.sublinear_tf": [True],
                                "logreg.C": [1.0, 10.0]}))
    assert names(exp) == ["logreg.C=1.0", "logreg.C=10.0"]


def test_none_removes_a_step_and_drops_its_parameters_then_identical_variants_merge():
    exp = load_experiment(grid({"stem": ["none", "stem"],
                                "stem.algorithm": ["porter", "snowball"]}))
    assert names(exp) == ["no stem", "stem=porter", "stem=snowball"]
    assert [s.stage for s in exp.candidates[0].config.steps] == ["tokenize", "tfidf", "logreg"]
    assert any("merged" in note for note in exp.notes)


def test_naming_the_base_stage_as_an_alternative_keeps_the_base_parameters():
    exp = load_experiment(grid({"stem": ["none", "stem", {"stem": {"algorithm": "lancaster"}}]},
                               base=("tokenize", {"stem": {"algorithm": "porter"}}, "tfidf",
                                     "logreg")))
    assert names(exp) == ["no stem", "stem", "stem(algorithm=lancaster)"]
    assert exp.candidates[1].config.steps[1].params["algorithm"] == "porter"   # the base's
    assert exp.candidates[2].config.steps[1].params["algorithm"] == "lancaster"


def test_the_base_parameters_kept_by_a_bare_alternative_can_still_be_varied():
    exp = load_experiment(grid({"stem": ["none", "stem"], "stem.language": ["en", "english"]},
                               base=("tokenize", {"stem": {"algorithm": "porter"}}, "tfidf",
                                     "logreg")))
    assert [c.config.steps[1].params for c in exp.candidates[1:]] == [
        {"algorithm": "porter", "language": "en", "n_jobs": None},
        {"algorithm": "porter", "language": "english", "n_jobs": None}]


def test_numbers_equal_for_the_parameter_are_one_variant():
    exp = load_experiment(grid({"logreg.C": [1, 1.0, 2]}))
    assert names(exp) == ["logreg.C=1", "logreg.C=2"]
    assert any("1 combination(s) gave a pipeline identical" in note for note in exp.notes)


def test_numbers_a_parameter_reads_differently_stay_apart():
    # max_df=1 is "in at most one document", max_df=1.0 "in any share of them"
    exp = load_experiment(grid({"tfidf.max_df": [1, 1.0]}))
    assert names(exp) == ["tfidf.max_df=1", "tfidf.max_df=1.0"]


def test_a_parameter_is_skipped_for_alternatives_that_lack_it():
    exp = load_experiment(grid({"logreg": ["logreg", "multinomial_nb"],
                                "logreg.C": [1.0, 10.0]}))
    assert names(exp) == ["logreg.C=1.0", "logreg.C=10.0", "multinomial_nb"]
    assert any("varied only where it applies" in note for note in exp.notes)


def test_alternatives_of_the_same_stage_are_named_with_their_parameters():
    exp = load_experiment(grid({"logreg": [{"logreg": {"C": 1}}, {"logreg": {"C": 10}},
                                           "linear_svm"]}))
    assert names(exp) == ["logreg(C=1)", "logreg(C=10)", "linear_svm"]


def test_listed_pipelines_come_from_files_or_inline_steps(tmp_path):
    (tmp_path / "p.yaml").write_text(
        "name: from_file\ndata: {dataset: trec}\nevaluation: {folds: 3}\n"
        "steps: [tokenize, count, multinomial_nb]\n", encoding="utf-8")
    path = write(tmp_path, """\
evaluation: {method: cv, folds: 4, seed: 1}
pipelines:
  - file: p.yaml
  - name: inline
    steps: [tokenize, tfidf, logreg]
  - steps: [tokenize, count, linear_svm]
""")
    exp = load_experiment(path)
    assert names(exp) == ["from_file", "inline", "tokenize+count+linear_svm"]
    assert all(c.config.evaluation.folds == 4 for c in exp.candidates)
    assert any("ignored" in note for note in exp.notes)   # the file's data/evaluation


def test_grid_base_can_be_a_pipeline_file(tmp_path):
    (tmp_path / "base.yaml").write_text("steps: [tokenize, tfidf, logreg]\n", encoding="utf-8")
    path = write(tmp_path, "grid:\n  base: base.yaml\n  params:\n    logreg.C: [1, 2]\n")
    assert names(load_experiment(path)) == ["logreg.C=1", "logreg.C=2"]


def test_data_may_be_one_block_or_a_list():
    one = load_experiment(grid({"logreg.C": [1]}, data={"dataset": "mr"}))
    two = load_experiment(grid({"logreg.C": [1]}, data=[{"dataset": "mr"}, {"dataset": "trec"}]))
    assert [d.dataset for d in one.data] == ["mr"]
    assert [d.dataset for d in two.data] == ["mr", "trec"]


# -- validation ------------------------------------------------------------------------


def test_problems_name_the_file_and_line_of_the_grid_value_and_are_reported_together(tmp_path):
    path = write(tmp_path, """\
evaluation: {method: cv, folds: 3}
grid:
  base:
    - tokenize
    - stem
    - tfidf
    - logreg
  params:
    stem.algorithm: [porter, snowbal]
    tfidf.ngram_rang: [[1, 2]]
    stemm: [none]
""")
    with pytest.raises(ConfigErrors) as info:
        load_experiment(path)
    errors = info.value.errors
    text = str(info.value)
    assert len(errors) == 3
    assert {e.file for e in errors} == {str(path)}
    by_line = {e.line: e for e in errors}
    assert "'snowbal'" in str(by_line[9]) and "snowball" in str(by_line[9])
    assert "Did you mean 'ngram_range'?" in str(by_line[10])
    assert "Did you mean 'stem'?" in str(by_line[11])
    assert "grid variant" in text


def test_a_bad_step_in_an_inline_pipeline_names_its_line(tmp_path):
    path = write(tmp_path, """\
pipelines:
  - name: a
    steps:
      - tokenize
      - tfidf: {min_df: -1}
      - logreg
""")
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    assert info.value.line == 5 and info.value.param == "min_df"
    assert "step 2 'tfidf'" in str(info.value)


def test_a_bad_pipeline_file_is_reported_against_that_file(tmp_path):
    (tmp_path / "p.yaml").write_text("steps:\n  - tokenize\n  - logreg\n", encoding="utf-8")
    path = write(tmp_path, "pipelines:\n  - file: p.yaml\n")
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    assert info.value.file.endswith("p.yaml") and info.value.line == 3
    assert "Add a vectorizer" in str(info.value)


def test_removing_a_step_that_others_need_names_the_variant(tmp_path):
    path = write(tmp_path, "grid:\n  base: [tokenize, tfidf, logreg]\n  params:\n"
                           "    tokenize: [none, tokenize]\n")
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    message = str(info.value)
    assert "Add a 'tokenize' step before it" in message        # what to do
    assert message.endswith("(in grid variant 'no tokenize') [E008]")  # and which variant


def test_a_tuple_parameter_given_flat_values_gets_a_hint():
    with pytest.raises(ConfigError, match=r"write 'tfidf.ngram_range: \[\[1, 1\], \[1, 2\]\]'"):
        load_experiment(grid({"tfidf.ngram_range": [1, 2]}))


def test_n_jobs_zero_is_an_error_naming_its_line(tmp_path):
    path = write(tmp_path, "evaluation:\n  method: cv\n  n_jobs: 0\n"
                           "grid:\n  base: [tokenize, tfidf, logreg]\n  params:\n"
                           "    logreg.C: [1, 2]\n")
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    assert info.value.line == 3
    assert "nonzero" in str(info.value) and "-1" in str(info.value)


def test_grid_values_must_be_a_list():
    with pytest.raises(ConfigError, match="must be a non-empty list"):
        load_experiment(grid({"logreg.C": 10}))


def test_unknown_keys_are_rejected_with_a_suggestion():
    with pytest.raises(ConfigError, match="unknown key 'pipeline'. Did you mean 'pipelines'?"):
        load_experiment({"pipeline": [], "grid": grid({"logreg.C": [1]})["grid"]})
    with pytest.raises(ConfigError, match="unknown key 'top_feature'"):
        load_experiment(grid({"logreg.C": [1]}, report={"top_feature": 3}))


def test_duplicate_names_are_an_error():
    with pytest.raises(ConfigError, match="2 pipelines are named 'x'"):
        load_experiment({"pipelines": [{"name": "x", "steps": ["tokenize", "count", "logreg"]},
                                       {"name": "x", "steps": ["tokenize", "tfidf", "logreg"]}]})


def test_a_pipeline_file_given_as_an_experiment_says_what_to_do(tmp_path):
    path = write(tmp_path, "steps: [tokenize, tfidf, logreg]\n", name="p.yaml")
    with pytest.raises(ConfigError, match="textpipe run.*p.yaml"):
        load_experiment(path)


def test_an_experiment_without_pipelines_is_an_error():
    with pytest.raises(ConfigError, match="needs pipelines to compare"):
        load_experiment({"data": {"dataset": "mr"}})


@pytest.mark.parametrize("name", ["compare_demo.yaml", "compare_preprocessing.yaml"])
def test_bundled_experiments_validate(name):
    exp = load_experiment(ROOT / "pipelines" / name)
    assert len(exp.candidates) >= 2
    assert len(set(names(exp))) == len(exp.candidates)


def test_a_grid_of_millions_is_counted_and_refused_without_being_expanded(tmp_path):
    import time

    values = list(range(1, 21))
    path = write(tmp_path, (
        "evaluation: {method: cv, folds: 3}\n"
        "grid:\n"
        "  base: [tokenize, tfidf, logreg]\n"
        "  params:\n"
        f"    logreg.C: {values}\n"
        f"    tfidf.min_df: {values}\n"
        f"    logreg.max_iter: {[100 * v for v in range(1, 101)]}\n"
        "    tfidf.sublinear_tf: [true, false]\n"
        "    logreg.tol: [0.1, 0.01, 0.001, 0.0001, 0.00001]\n"
        "    tokenize.lowercase: [true]\n"
    ))
    started = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    assert time.perf_counter() - started < 5
    err = info.value
    assert (err.file, err.line) == (str(path), 4)
    assert ("the grid has 400,000 combinations (20 logreg.C × 20 tfidf.min_df × "
            "100 logreg.max_iter × 2 tfidf.sublinear_tf × 5 logreg.tol), more than "
            "max_variants (10,000)") in err.message


def test_max_variants_in_the_grid_block_sets_the_limit():
    params = {"stem.algorithm": ["porter", "snowball"], "logreg.C": [1.0, 2.0, 3.0]}
    with pytest.raises(ConfigError, match=r"6 combinations \(2 stem.algorithm × 3 logreg.C\), "
                                          r"more than max_variants \(5\)"):
        load_experiment({"grid": {"base": ["tokenize", "stem", "tfidf", "logreg"],
                                  "params": params, "max_variants": 5}})
    exp = load_experiment({"grid": {"base": ["tokenize", "stem", "tfidf", "logreg"],
                                    "params": params, "max_variants": 6}})
    assert len(exp.candidates) == 6


@pytest.mark.parametrize("bad", [0, -1, 2.5, "many", True])
def test_max_variants_must_be_a_positive_whole_number(bad):
    with pytest.raises(ConfigError, match="max_variants"):
        load_experiment({"grid": {"base": ["tokenize", "tfidf", "logreg"],
                                  "params": {"logreg.C": [1.0]}, "max_variants": bad}})


def test_several_grids_together_stay_within_the_largest_max_variants(tmp_path):
    path = write(tmp_path, (
        "grid:\n"
        "  - name: tfidf\n"
        "    base: [tokenize, tfidf, logreg]\n"
        "    params: {logreg.C: [1, 2, 3]}\n"
        "    max_variants: 4\n"
        "  - name: count\n"
        "    base: [tokenize, count, logreg]\n"
        "    params: {logreg.C: [1, 2]}\n"
        "    max_variants: 3\n"
    ))
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    assert info.value.line == 1
    assert "the grids have 5 combinations in all (3 + 2), more than 4" in info.value.message
    path.write_text(path.read_text().replace("max_variants: 4", "max_variants: 5"))
    assert len(load_experiment(path).candidates) == 5
