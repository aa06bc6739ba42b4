"""The ``union`` step: branches resolved and checked like steps, features concatenated."""

import pytest

from textpipe.cli import main
from textpipe.config import load_config
from textpipe.errors import ConfigError

UNION = {"union": {"branches": {"words": ["tokenize", {"tfidf": {"ngram_range": [1, 2]}}],
                                "counts": ["tokenize", {"count": {"binary": True}}]},
                   "weights": {"words": 1.0, "counts": 0.5}}}

PIPELINE = """\
data:
  path: toy.txt
evaluation: {method: cv, folds: 2, seed: 0, metrics: [accuracy]}
steps:
  - union:
      branches:
        words: [tokenize, {tfidf: {ngram_range: [1, 2]}}]
        counts:
          - tokenize
          - count: {binari: true}
  - logreg
"""


def problems(steps):
    with pytest.raises(ConfigError) as info:
        load_config({"steps": steps})
    return getattr(info.value, "errors", [info.value])


def test_union_concatenates_its_branches_with_weights_and_prefixed_names():
    cfg = load_config({"steps": [UNION, "logreg"]})
    union = cfg.steps[0]
    assert union.params["branches"]["words"][1]["tfidf"]["ngram_range"] == (1, 2)
    pipe = cfg.build()
    texts, labels = ["good fun film", "bad dull film", "fun fun", "dull"], [1, 0, 1, 0]
    pipe.fit(texts, labels)
    features = pipe[0].transform(["good film"])
    names = list(pipe[0].get_feature_names_out())
    assert features.shape[1] == len(names)
    assert "words__good" in names and "counts__good" in names
    row = dict(zip(names, features.toarray()[0]))
    assert row["counts__good"] == 0.5                         # binary count, weighted 0.5
    assert pipe.predict(["good fun"]).tolist() == [1]


def test_a_resolved_union_loads_again_to_the_same_configuration():
    cfg = load_config({"steps": [UNION, "logreg"]})
    assert load_config(cfg.to_dict()).to_dict() == cfg.to_dict()


def test_unknown_stage_in_a_branch_names_the_union_and_branch():
    (err,) = problems([{"union": {"branches": {"words": ["tokenize", "tfidff"]}}}, "logreg"])
    assert err.code == "E004"
    assert err.step == "1 'union', branch 'words', step 2 'tfidff'"


def test_a_branch_must_end_in_features():
    (err,) = problems([{"union": {"branches": {"words": ["tokenize", "tfidf"],
                                               "toks": ["tokenize"]}}}, "logreg"])
    assert err.code == "E773" and "'toks'" in str(err) and "'tokens'" in str(err)


def test_a_branch_starts_from_the_unions_input():
    (err,) = problems(["tokenize", {"union": {"branches": {"w": ["tokenize", "tfidf"]}}},
                       "logreg"])
    assert err.code == "E008" and err.step == "2 'union', branch 'w', step 1 'tokenize'"


@pytest.mark.parametrize("union, code", [
    ({"branches": {}}, "E770"),
    ({}, "E770"),
    ({"branches": {"w": []}}, "E772"),
    ({"branches": {"w": ["tokenize", "tfidf"]}, "mode": 1}, "E771"),
    ({"branches": {"w": ["tokenize", "tfidf"]}, "weights": {"v": 1}}, "E774"),
    ({"branches": {"w": ["tokenize", "tfidf"]}, "weights": {"w": -1}}, "E775"),
    ({"branches": {"w": ["tokenize", "tfidf"]}, "weights": {"w": "x"}}, "E775"),
    ({"branches": {"w": ["tokenize", "tfidf"]}, "weights": [1]}, "E776"),
])
def test_bad_unions_are_reported(union, code):
    assert [e.code for e in problems([{"union": union}, "logreg"])] == [code]


@pytest.fixture
def toy_config(tmp_path):
    lines = [f"pos good fun film {i}" for i in range(6)] + [
        f"neg bad dull film {i}" for i in range(6)]
    (tmp_path / "toy.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "p.yaml"
    path.write_text(PIPELINE.replace("binari", "binary"), encoding="utf-8")
    return path


def test_validate_names_file_line_branch_and_parameter(toy_config, capsys):
    toy_config.write_text(PIPELINE, encoding="utf-8")
    assert main(["validate", str(toy_config)]) != 0
    err = capsys.readouterr().err
    assert "p.yaml, line 10" in err and "branch 'counts', step 2 'count'" in err
    assert "parameter 'binari'" in err


def test_run_train_and_score_round_trip(toy_config, tmp_path, capsys):
    from textpipe.model import load_model

    assert main(["run", str(toy_config), "-q"]) == 0
    assert main(["train", str(toy_config), "--out", str(tmp_path / "m"), "-q"]) == 0
    model = load_model(tmp_path / "m")
    texts = ["pos good fun film", "neg bad dull film"]
    assert model.labels == ["neg", "pos"]
    assert model.pipeline.predict(texts).tolist() == ["pos", "neg"]
    assert "words__good" in model.pipeline[0].get_feature_names_out()
    capsys.readouterr()
    assert main(["score", str(tmp_path / "m"), str(tmp_path / "toy.txt")]) == 0
    assert "pos" in capsys.readouterr().out
