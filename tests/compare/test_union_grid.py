"""Grid keys into a union's branches (``union.BRANCH.STEP.PARAM``) and scikit-learn's nested names."""

import pytest
from sklearn.model_selection import GridSearchCV

from textpipe.compare import load_experiment
from textpipe.config import load_config
from textpipe.errors import ConfigError

UNION = {"union": {"branches": {"words": ["tokenize", {"tfidf": {"ngram_range": [1, 2]}}],
                                "counts": ["tokenize", {"count": {"binary": True}}]},
                   "weights": {"words": 1.0, "counts": 0.5}}}
TEXTS = ["good fun film", "bad dull film", "fun and good", "dull and bad"] * 4
LABELS = [1, 0, 1, 0] * 4

EXPERIMENT = """\
evaluation: {method: cv, folds: 2, seed: 0, metrics: [accuracy]}
grid:
  base:
    - union:
        branches:
          words: [tokenize, {tfidf: {ngram_range: [1, 2]}}]
          counts: [normalize, normalize, tokenize, count]
    - logreg
  params:
    %s: [%s]
"""


def grid(params):
    return load_experiment({"grid": {"base": [UNION, "logreg"], "params": params}})


def test_a_grid_key_varies_a_parameter_of_a_step_inside_a_union_branch():
    exp = grid({"union.words.tfidf.ngram_range": [[1, 1], [1, 3]]})
    assert [c.name for c in exp.candidates] == ["union.words.tfidf.ngram_range=(1,1)",
                                                "union.words.tfidf.ngram_range=(1,3)"]
    built = [c.config.build().get_params() for c in exp.candidates]
    assert [p["union__words__tfidf__ngram_range"] for p in built] == [(1, 1), (1, 3)]
    # everything else is the base's: the other branch and the weights
    assert all(p["union__counts__count__binary"] is True for p in built)
    assert all(p["union__transformer_weights"] == {"words": 1.0, "counts": 0.5} for p in built)


def test_union_keys_combine_with_keys_of_the_other_steps():
    exp = grid({"union.counts.count.binary": [True, False], "logreg.C": [1.0, 10.0]})
    assert len(exp.candidates) == 4
    params = exp.candidates[1].config.build().get_params()
    assert params["union__counts__count__binary"] is True and params["logreg__C"] == 10.0


@pytest.mark.parametrize("key,code,names", [
    ("union.word.tfidf.ngram_range", "E734", ["Did you mean 'words'?", "'words', 'counts'"]),
    ("union.words.tfid.ngram_range", "E735", ["Did you mean 'tfidf'?", "'tokenize', 'tfidf'"]),
    ("union.words.tfidf.ngram_rang", "E736", ["Did you mean 'ngram_range'?", "'sublinear_tf'"]),
    ("union.words.tfidf", "E733", ["union.BRANCH.STEP.PARAM", "'words', 'counts'"]),
])
def test_an_unknown_branch_step_or_parameter_names_the_file_key_and_what_exists(
        tmp_path, key, code, names):
    path = tmp_path / "exp.yaml"
    path.write_text(EXPERIMENT % (key, "[1, 1]"), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    (err,) = getattr(info.value, "errors", [info.value])
    assert err.code == code and err.file == str(path) and err.line == 10
    assert f"grid key '{key}'" in err.message
    assert all(name in err.message for name in names)


def test_a_repeated_stage_in_a_branch_is_named_like_the_branch_pipeline_names_it(tmp_path):
    path = tmp_path / "exp.yaml"
    path.write_text(EXPERIMENT % ("union.counts.normalize_2.lowercase", "true, false"),
                    encoding="utf-8")
    exp = load_experiment(path)
    lowercase = [c.config.build().get_params()["union__counts__normalize_2__lowercase"]
                 for c in exp.candidates]
    assert lowercase == [True, False]


def test_a_pair_parameter_in_a_branch_wants_lists():
    with pytest.raises(ConfigError, match=r"itself a list.*\[E707\]"):
        grid({"union.words.tfidf.ngram_range": [1, 2]})


def test_grid_search_cv_varies_a_loaded_union_pipeline_by_its_nested_names():
    pipe = load_config({"steps": [UNION, "logreg"]}).build()
    assert "union__words__tfidf__ngram_range" in pipe.get_params()
    search = GridSearchCV(pipe, {"union__words__tfidf__ngram_range": [(1, 1), (1, 2)],
                                 "union__transformer_weights": [{"words": 1, "counts": 0},
                                                                {"words": 1, "counts": 1}]},
                          cv=2).fit(TEXTS, LABELS)
    assert search.best_params_["union__words__tfidf__ngram_range"] in [(1, 1), (1, 2)]
    assert len(search.cv_results_["params"]) == 4
    fitted = search.best_estimator_[0].named_transformers["words"]["tfidf"]
    assert fitted.ngram_range == search.best_params_["union__words__tfidf__ngram_range"]


def test_a_comparison_over_union_variants_runs_and_reports_each():
    from textpipe.compare import run_experiment, summarize
    from textpipe.data import Dataset

    exp = load_experiment({
        "evaluation": {"method": "cv", "folds": 2, "seed": 0, "metrics": ["accuracy"]},
        "grid": {"base": [UNION, "logreg"],
                 "params": {"union.counts.count.binary": [True, False]}}})
    runs = run_experiment(exp, [Dataset(TEXTS, [str(y) for y in LABELS], name="toy")])
    board = summarize(exp, runs).to_dict()["datasets"][0]
    assert sorted(p["name"] for p in board["pipelines"]) == [
        "union.counts.count.binary=false", "union.counts.count.binary=true"]
    assert all(len(p["metrics"]["accuracy"]["folds"]) == 2 for p in board["pipelines"])
