"""What `validate` accepts, `run` runs: every check happens before any data is read."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from textpipe.cli import main
from textpipe.config import load_config, split_step
from textpipe.errors import ConfigError, ConfigErrors
from textpipe.stages.vectorize import TfidfVectors


def write(folder: Path, text: str, name: str = "p.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(source) -> list[ConfigError]:
    with pytest.raises(ConfigError) as info:
        load_config(source)
    return getattr(info.value, "errors", None) or [info.value]


@pytest.mark.parametrize("step, param", [
    ({"tfidf": {"ngram_range": [2, 1]}}, "ngram_range"),
    ({"count": {"ngram_range": [1, 2, 3]}}, "ngram_range"),
    ({"hashing": {"ngram_range": [0, 1]}}, "ngram_range"),
    ({"tfidf": {"min_df": 5, "max_df": 2}}, "max_df"),
])
def test_cross_parameter_rules_are_checked_by_validation(step, param):
    (problem,) = problems_of({"steps": ["tokenize", step, "logreg"]})
    assert problem.param == param and problem.step.startswith("2 ")


def test_char_ngram_range_of_tokenize_is_checked_by_validation():
    (problem,) = problems_of({"steps": [{"tokenize": {"backend": "char_wb",
                                                      "ngram_range": [4, 2]}}, "tfidf", "logreg"]})
    assert problem.param == "ngram_range" and "(4, 2)" in problem.message


def test_fit_runs_the_same_check_and_raises_a_textpipe_error():
    with pytest.raises(ConfigError, match="ngram_range"):
        TfidfVectors(ngram_range=(2, 1)).fit([["a", "b"]])


def test_every_bad_parameter_and_every_bad_metric_is_reported_at_once():
    problems = problems_of({
        "evaluation": {"metrics": ["accuracy", "nope", "nope2"]},
        "steps": ["tokenize", {"tfidf": {"min_df": -1, "max_features": 0}},
                  {"logreg": {"C": -1, "tol": -1}}]})
    assert isinstance(problems, list) and len(problems) == 6
    assert {p.param for p in problems if p.param} == {"min_df", "max_features", "C", "tol"}
    assert sum("unknown metric" in p.message for p in problems) == 2


def test_a_missing_vector_file_or_bilm_folder_is_found_by_validation(tmp_path):
    path = write(tmp_path, "steps:\n  - tokenize\n  - pretrained_vectors: {path: v.txt}\n"
                           "  - logreg\n")
    (problem,) = problems_of(path)
    assert (problem.line, problem.param) == (3, "path") and "not found" in problem.message
    path = write(tmp_path, "steps:\n  - tokenize\n  - elmo: {bilm: nowhere}\n  - logreg\n")
    (problem,) = problems_of(path)
    assert problem.param == "bilm" and "textpipe pretrain" in problem.message
    (tmp_path / "empty").mkdir()
    path = write(tmp_path, "steps:\n  - tokenize\n  - bilstm: {embeddings: elmo, bilm: empty}\n")
    (problem,) = problems_of(path)
    assert problem.param == "bilm" and "weights.safetensors" in problem.message


def test_a_missing_data_file_is_found_by_validation(tmp_path):
    path = write(tmp_path, "data: {path: gone.csv}\nsteps: [tokenize, tfidf, logreg]\n")
    (problem,) = problems_of(path)
    assert problem.line == 1 and "gone.csv" in problem.message


def test_elmo_without_pooling_cannot_feed_a_classifier(tmp_path):
    for name in ("weights.safetensors", "config.json", "vocab.json"):
        (tmp_path / name).write_text("")  # what the check before running looks for
    (problem,) = problems_of({"steps": ["tokenize", {"elmo": {"bilm": str(tmp_path),
                                                              "pooling": "none"}}, "logreg"]})
    assert "one vector per token" in problem.message and problem.step == "2 'elmo'"


def test_one_step_parser_for_every_file_kind():
    assert split_step({"stem": None}) == ("stem", {})
    with pytest.raises(ConfigError, match="must be written"):
        split_step({1: {}})


def test_a_pretraining_corpus_tokenize_is_checked_like_a_step(tmp_path):
    from textpipe.neural.pretrain import load_pretrain_config

    path = write(tmp_path, "pretrain:\n  output_dir: out\n  corpus:\n    files: [gone.txt]\n"
                           "    tokenize: {backend: regx}\n")
    with pytest.raises(ConfigErrors) as info:
        load_pretrain_config(path)
    assert [e.line for e in info.value.errors] == [4, 5]
    assert "Did you mean 'regex'?" in str(info.value)


# -- validate passes => run never fails on the configuration ---------------------------

TINY = "text\tlabel\n" + "".join(
    f"good fine film {i}\tpos\nbad dull film {i}\tneg\n" for i in range(8))

ngram = st.lists(st.integers(-1, 4), min_size=1, max_size=3)
steps = st.tuples(
    st.one_of(st.just({"tokenize": {}}),
              st.builds(lambda r: {"tokenize": {"backend": "char_wb", "ngram_range": r}}, ngram)),
    st.one_of(
        st.builds(lambda r, lo, hi: {"tfidf": {"ngram_range": r, "min_df": lo, "max_df": hi}},
                  ngram, st.integers(-1, 3), st.one_of(st.integers(0, 20), st.floats(0, 1.5))),
        st.builds(lambda r, b: {"count": {"ngram_range": r, "binary": b}},
                  ngram, st.sampled_from([True, False, "yes"]))),
    st.builds(lambda c: {"logreg": {"C": c}}, st.one_of(st.floats(-1, 10), st.just("big"))))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_validate_passing_means_run_has_no_configuration_error(tmp_path, capfd, monkeypatch,
                                                                steps):
    import yaml

    import textpipe.data

    loads = []
    load_dataset = textpipe.data.load_dataset
    monkeypatch.setattr(textpipe.data, "load_dataset",
                        lambda *a, **k: loads.append(1) or load_dataset(*a, **k))
    (tmp_path / "tiny.tsv").write_text(TINY, encoding="utf-8")
    path = write(tmp_path, yaml.safe_dump({
        "data": {"path": "tiny.tsv"}, "evaluation": {"method": "cv", "folds": 2},
        "steps": list(steps)}))
    capfd.readouterr()
    valid = main(["validate", str(path)]) == 0
    checked = capfd.readouterr().err.strip().removeprefix("✗ ")
    loads.clear()
    code = main(["run", "-q", str(path)])
    ran = capfd.readouterr().err.strip()
    assert "Traceback" not in ran
    if valid:
        # The tiny data may still leave a vectorizer no term: a data error, not a
        # configuration one.
        assert code == 0 or ("parameter" not in ran and "step" not in ran), ran
    else:
        assert code == 2 and not loads  # refused before any data was read
        assert ran.removeprefix("error: ") == checked


def test_data_given_instead_need_not_match_the_configurations_missing_file(tmp_path):
    path = write(tmp_path, "data: {path: gone.csv}\nsteps: [tokenize, tfidf, logreg]\n")
    assert load_config(path, check_data=False).data.path == "gone.csv"
