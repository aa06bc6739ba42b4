import pickle

import pytest
from sklearn.base import clone
from sklearn.pipeline import Pipeline

import textpipe
from textpipe.config import ConfigErrors, load_config
from textpipe.errors import ConfigError

BASIC = {"steps": [{"tokenize": {}}, {"tfidf": {"ngram_range": [1, 2]}}, {"logreg": {"C": 4}}]}


def write(tmp_path, text, name="p.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_pipeline_returns_plain_sklearn_pipeline_named_after_stages():
    pipe = textpipe.load_pipeline(BASIC)
    assert type(pipe) is Pipeline
    assert [name for name, _ in pipe.steps] == ["tokenize", "tfidf", "logreg"]
    assert pipe.get_params()["logreg__C"] == 4


def test_lists_become_tuples_where_the_default_is_a_tuple():
    cfg = load_config(BASIC)
    assert cfg.steps[1].params["ngram_range"] == (1, 2)


def test_resolved_config_records_every_default():
    cfg = load_config(BASIC).to_dict()
    logreg = cfg["steps"][2]["logreg"]
    assert logreg["C"] == 4 and logreg["max_iter"] == 1000 and "tol" in logreg
    assert cfg["evaluation"]["folds"] == 10


def test_evaluation_seed_reaches_stages_with_random_state():
    cfg = load_config({**BASIC, "evaluation": {"seed": 7}})
    assert cfg.steps[2].params["random_state"] == 7


def test_explicit_random_state_wins_over_seed():
    steps = [{"tokenize": {}}, {"tfidf": {}}, {"logreg": {"random_state": 3}}]
    cfg = load_config({"steps": steps, "evaluation": {"seed": 7}})
    assert cfg.steps[2].params["random_state"] == 3


def test_repeated_stage_gets_numbered_step_names():
    steps = [{"tokenize": {}}, {"stopwords": {}}, {"stopwords": {"min_length": 3}}, "tfidf",
             "logreg"]
    names = [s.name for s in load_config({"steps": steps}).steps]
    assert names == ["tokenize", "stopwords", "stopwords_2", "tfidf", "logreg"]


def test_bare_stage_name_means_defaults():
    cfg = load_config({"steps": ["tokenize", "tfidf", "logreg"]})
    assert cfg.steps[0].params["backend"] == "regex"


def test_unknown_stage_error_names_file_line_step_and_suggests(tmp_path):
    path = write(tmp_path, "steps:\n  - tokenize\n  - stemm: {}\n  - tfidf\n  - logreg\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message and "line 3" in message and "step 2 'stemm'" in message
    assert "Did you mean 'stem'?" in message


def test_unknown_parameter_lists_allowed_and_suggests(tmp_path):
    path = write(tmp_path, "steps:\n  - tokenize\n  - stem:\n      algoritm: porter\n"
                           "  - tfidf\n  - logreg\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    err = info.value
    assert err.line == 4 and err.param == "algoritm"
    assert "Did you mean 'algorithm'?" in str(err)
    assert "'language'" in str(err)  # the allowed parameters are listed


def test_bad_value_names_parameter_and_allowed_values(tmp_path):
    path = write(tmp_path, "steps:\n  - tokenize\n  - stem:\n      algorithm: portr\n"
                           "  - tfidf\n  - logreg\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    err = info.value
    assert err.param == "algorithm" and err.line == 4
    assert "porter" in str(err) and "snowball" in str(err)
    assert "Did you mean 'porter'?" in str(err)


def test_sklearn_classifier_parameter_constraints_are_checked_before_running():
    with pytest.raises(ConfigError, match="parameter 'C'.*range"):
        load_config({"steps": ["tokenize", "tfidf", {"logreg": {"C": -1}}]})


def test_unquoted_yaml_no_in_word_list_is_explained(tmp_path):
    path = write(tmp_path, "steps:\n  - tokenize\n  - stopwords: {keep: [not, no]}\n"
                           "  - tfidf\n  - logreg\n")
    with pytest.raises(ConfigError, match="quote them") as info:
        load_config(path)
    assert info.value.param == "keep" and info.value.line == 3


def test_unknown_top_level_and_section_keys_are_rejected_with_suggestion(tmp_path):
    path = write(tmp_path, "stepz: []\ndata:\n  datset: mr\n")
    with pytest.raises(ConfigErrors) as info:
        load_config(path)
    text = str(info.value)
    assert "Did you mean 'steps'?" in text and "Did you mean 'dataset'?" in text
    assert "line 1" in text and "line 3" in text


def test_all_problems_are_reported_together(tmp_path):
    path = write(tmp_path, "evaluation:\n  folds: 1\n  metrics: [acuracy]\nsteps:\n"
                           "  - tokenize\n  - stemm\n  - tfidf\n  - logreg: {C: 0}\n")
    with pytest.raises(ConfigErrors) as info:
        load_config(path)
    assert len(info.value.errors) == 4
    assert "Did you mean 'accuracy'?" in str(info.value)


def test_data_needs_exactly_one_source():
    with pytest.raises(ConfigError, match="exactly one"):
        load_config({"data": {"dataset": "mr", "path": "x.txt"}, **BASIC})


def test_chain_missing_tokenize_is_explained():
    with pytest.raises(ConfigError, match="Add a 'tokenize' step"):
        load_config({"steps": ["stem", "tfidf", "logreg"]})


def test_chain_missing_vectorizer_is_explained():
    with pytest.raises(ConfigError, match="vectorizer"):
        load_config({"steps": ["tokenize", "logreg"]})


def test_chain_must_end_with_classifier():
    with pytest.raises(ConfigError, match="must be a classifier"):
        load_config({"steps": ["tokenize", "tfidf"]})


def test_nothing_may_follow_the_classifier():
    with pytest.raises(ConfigError, match="last step"):
        load_config({"steps": ["tokenize", "tfidf", "logreg", "stem"]})


def test_empty_file_and_non_mapping_are_rejected(tmp_path):
    with pytest.raises(ConfigError, match="empty file"):
        load_config(write(tmp_path, ""))
    with pytest.raises(ConfigError, match="mapping"):
        load_config(write(tmp_path, "- tokenize\n"))


def test_malformed_step_is_rejected():
    with pytest.raises(ConfigError, match="stage_name"):
        load_config({"steps": [{"tokenize": {}, "stem": {}}, "tfidf", "logreg"]})


def test_step_params_must_be_a_mapping():
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config({"steps": [{"tokenize": ["regex"]}, "tfidf", "logreg"]})


def test_built_pipeline_clones_and_pickles_unfitted():
    pipe = textpipe.load_pipeline(BASIC)
    assert clone(pipe).get_params()["tfidf__ngram_range"] == (1, 2)
    assert pickle.loads(pickle.dumps(pipe)).get_params()["logreg__C"] == 4


def test_relative_data_path_resolves_against_the_yaml_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.txt").write_text("a good\nb bad\n", encoding="utf-8")
    path = write(tmp_path / "sub", "data: {path: d.txt}\nsteps: [tokenize, tfidf, logreg]\n")
    cfg = load_config(path)
    assert cfg.data_path(cfg.data.path) == tmp_path / "sub" / "d.txt"
    assert cfg.load_data().labels == ["a", "b"]


def test_config_without_data_says_how_to_give_it():
    with pytest.raises(ConfigError, match="--data"):
        load_config(BASIC).load_data()


def test_file_parameters_of_stages_resolve_against_the_yaml_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "v.txt").write_text("good 1 0\n")
    path = write(tmp_path / "sub", "steps:\n  - tokenize\n"
                                   "  - pretrained_vectors: {path: ../v.txt}\n  - logreg\n")
    cfg = load_config(path)
    assert cfg.steps[1].params["path"] == str(tmp_path / "sub" / ".." / "v.txt")


def test_bundled_corpus_name_is_not_taken_for_a_path(tmp_path):
    path = write(tmp_path, "steps:\n  - tokenize\n  - word2vec: {corpus: trec}\n  - logreg\n")
    assert load_config(path).steps[1].params["corpus"] == "trec"


@pytest.mark.default_sklearn_output(
    "scikit-learn's own FeatureUnion refuses sparse features under pandas output; a "
    "union step from YAML handles that (tests/config/test_union.py)")
def test_load_pipeline_accepts_a_featurizer_for_the_users_own_pipeline():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    from textpipe.config import load_pipeline

    feats = load_pipeline({"steps": ["tokenize", "tfidf"]})
    union = FeatureUnion([("words", feats), ("more", load_pipeline({"steps": ["tokenize",
                                                                             "count"]}))])
    model = make_pipeline(union, LogisticRegression())
    docs, y = ["good fun", "bad dull", "good film", "dull film"], [1, 0, 1, 0]
    assert model.fit(docs, y).predict(["good"]).tolist() == [1]
    assert feats.get_feature_names_out().tolist() == ["bad", "dull", "film", "fun", "good"]


def test_load_config_still_requires_a_classifier_by_default():
    from textpipe.config import load_config
    from textpipe.errors import ConfigError

    with pytest.raises(ConfigError, match=r"must be a classifier.*\[E009\]"):
        load_config({"steps": ["tokenize", "tfidf"]})
