import pickle
import sys
from importlib.metadata import EntryPoint

import pytest
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

import textpipe
from textpipe import registry
from textpipe.config import load_config, load_pipeline
from textpipe.errors import ConfigError, InputError
from textpipe.registry import get_stage, register_stage, stage_names, unregister_stage
from textpipe.stages.tokenize import Tokenize


def test_every_builtin_stage_loads_and_documents_its_parameters():
    for name in stage_names():
        spec = get_stage(name)
        assert spec.summary, f"{name} has no one-line doc"
        assert spec.parameters, f"{name} lists no parameters"


def test_our_stages_document_every_parameter():
    for spec in registry.all_stages():
        if spec.target.startswith("textpipe."):
            undocumented = [p.name for p in spec.parameters if not p.doc]
            assert not undocumented, f"{spec.name}: {undocumented}"


def test_unknown_stage_suggests_closest():
    with pytest.raises(ConfigError, match="Did you mean 'tfidf'"):
        get_stage("tfdif")


def test_register_stage_makes_it_usable_in_configs():
    register_stage("ridge", RidgeClassifier, consumes="features", produces="labels")
    try:
        cfg = load_config({"steps": ["tokenize", "tfidf", {"ridge": {"alpha": 2.0}}]})
        assert cfg.steps[-1].create().alpha == 2.0
    finally:
        unregister_stage("ridge")


# -- a stage is declared once, on its class ------------------------------------------
def test_the_builtin_table_holds_only_where_each_class_is():
    for name in registry._BUILTIN:
        spec = get_stage(name)
        cls = spec.load()
        assert not hasattr(cls, "_stage"), f"{cls.__name__} repeats its registry name"
        if spec.target.startswith("textpipe."):
            kinds = cls.consumes if isinstance(cls.consumes, tuple) else (cls.consumes,)
            assert (spec.consumes, spec.produces) == (kinds, cls.produces)


def test_a_stage_used_directly_is_named_by_the_registry():
    with pytest.raises(InputError, match="stage 'tokenize' expects"):
        Tokenize().fit([None])


@pytest.fixture
def tokenize_again():
    register_stage("split_words", Tokenize)
    yield get_stage("split_words")
    unregister_stage("split_words")


def test_messages_use_the_name_a_stage_was_registered_under(tokenize_again):
    est = tokenize_again.create()
    with pytest.raises(InputError, match="stage 'split_words' expects"):
        est.fit([None])
    with pytest.raises(InputError, match="stage 'tokenize' expects"):
        get_stage("tokenize").create().fit([None])


def test_the_registered_name_survives_clone_pickle_and_grid_search(tokenize_again):
    est = tokenize_again.create()
    for copy in (clone(est), pickle.loads(pickle.dumps(est))):
        with pytest.raises(InputError, match="stage 'split_words'"):
            copy.fit(["ok", None])
    pipe = load_pipeline({"steps": ["split_words", "tfidf", "logreg"]})
    search = GridSearchCV(pipe, {"split_words__lowercase": [True, False]}, cv=2)
    search.fit(["good film", "bad film", "good fun", "bad plot"], [1, 0, 1, 0])
    assert search.best_estimator_[0].stage_name == "split_words"
    assert clone(est).get_params() == est.get_params()


# -- plain scikit-learn estimators ----------------------------------------------------
class PlainTransformer(TransformerMixin, BaseEstimator):
    """A transformer that declares nothing textpipe-specific."""

    def __init__(self, k=1):
        self.k = k

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X


@pytest.fixture
def registered():
    names = []

    def register(name, cls, **kwargs):
        names.append(name)
        return register_stage(name, cls, **kwargs)

    yield register
    for name in names:
        unregister_stage(name)


def test_a_plain_sklearn_transformer_without_constraints_can_be_registered(registered):
    registered("lengthy", PlainTransformer)
    cfg = load_config({"steps": ["tokenize", "tfidf", {"lengthy": {"k": 2}}, "logreg"]})
    assert cfg.steps[2].create().k == 2


def test_sklearn_kinds_default_from_what_the_estimator_is(registered):
    assert (registered("ridge_c", RidgeClassifier).consumes, get_stage("ridge_c").produces) \
        == (("features",), "labels")
    assert (get_stage(registered("svd", TruncatedSVD).name).consumes,
            get_stage("svd").produces) == (("features",), "features")
    text_vectorizer = get_stage(registered("sk_tfidf", TfidfVectorizer).name)
    assert (text_vectorizer.consumes, text_vectorizer.produces) == (("text",), "features")
    load_config({"steps": ["sk_tfidf", "svd", "ridge_c"]})


def test_an_estimator_that_is_neither_classifier_nor_transformer_must_declare_kinds(registered):
    from sklearn.linear_model import Ridge

    registered("ridge_regression", Ridge)
    with pytest.raises(ConfigError,
                       match=r"declares no 'consumes'/'produces'.*consumes=.*produces="):
        load_config({"steps": ["tokenize", "tfidf", "ridge_regression"]})


def test_an_unknown_data_kind_is_refused_at_registration():
    with pytest.raises(ConfigError, match=r"consumes 'vectors', which is not a data kind.*"
                                          r"'text', 'tokens', 'features'"):
        register_stage("odd", PlainTransformer, consumes="vectors", produces="features")
    assert "odd" not in stage_names()


# -- entry-point plugins ---------------------------------------------------------------
class FakeDistribution:
    name = "textpipe-fake"
    metadata = {"Name": "textpipe-fake"}


def plugin_entry_point(name, value):
    return EntryPoint(name=name, value=value, group=registry.ENTRY_POINT_GROUP)._for(
        FakeDistribution())


@pytest.fixture
def plugins(monkeypatch):
    """Install entry points for this test only."""
    points = []
    monkeypatch.setattr(registry, "entry_points", lambda group: [p for p in points
                                                                 if p.group == group])
    monkeypatch.setattr(registry, "_registry", dict(registry._registry))
    registry._forget_plugins()
    yield points
    registry._forget_plugins()


def test_entry_point_plugins_are_discovered(plugins):
    plugins.append(plugin_entry_point("ridge_plugin", "sklearn.linear_model:RidgeClassifier"))
    spec = get_stage("ridge_plugin")
    assert spec.create().__class__ is RidgeClassifier
    assert spec.origin == "textpipe-fake"


def test_a_plugin_classifier_without_declared_kinds_follows_a_vectorizer(plugins):
    plugins.append(plugin_entry_point("ridge_plugin", "sklearn.linear_model:RidgeClassifier"))
    cfg = load_config({"steps": ["tokenize", "tfidf", "ridge_plugin"]})
    assert [s.name for s in cfg.steps] == ["tokenize", "tfidf", "ridge_plugin"]


def test_a_plugin_that_fails_to_import_is_reported_with_its_origin(plugins):
    plugins.append(plugin_entry_point("broken", "textpipe_no_such_module_xyz:Stage"))
    with pytest.raises(ConfigError) as info:
        load_config({"steps": ["tokenize", "tfidf", "broken"]})
    message = str(info.value)
    assert "failed to import" in message and "textpipe-fake" in message
    assert "broken = textpipe_no_such_module_xyz:Stage" in message
    assert "No module named 'textpipe_no_such_module_xyz'" in message
    assert "did you mean" not in message.lower()


def test_plugins_are_imported_only_when_named(plugins):
    plugins.append(plugin_entry_point("broken", "textpipe_no_such_module_xyz:Stage"))
    plugins.append(plugin_entry_point("ridge_plugin", "textpipe_no_such_module_abc:Ridge"))
    load_config({"steps": ["tokenize", "tfidf", "logreg"]})
    assert {"broken", "ridge_plugin"} <= set(stage_names())
    with pytest.raises(ConfigError, match="textpipe_no_such_module_abc"):
        get_stage("ridge_plugin").load()


def test_a_plugin_cannot_shadow_a_builtin_stage(plugins):
    plugins.append(plugin_entry_point("tfidf", "sklearn.linear_model:RidgeClassifier"))
    assert get_stage("tfidf").target == "textpipe.stages.vectorize:TfidfVectors"


def test_text_stage_is_exported():
    from textpipe.stages import TextStage
    from textpipe.stages.base import TextStage as defined

    assert textpipe.TextStage is TextStage is defined
    assert "TextStage" in dir(textpipe)


def test_looking_up_a_builtin_stage_reads_no_plugin_metadata(monkeypatch):
    def fail(group):
        raise AssertionError("entry points were read")

    monkeypatch.setattr(registry, "entry_points", fail)
    registry._forget_plugins()
    try:
        assert get_stage("tfidf").name == "tfidf"
    finally:
        registry._forget_plugins()


def test_import_textpipe_imports_no_stage_module():
    import subprocess

    code = ("import sys, textpipe; textpipe.get_stage('tfidf'); "
            "print(sorted(m for m in sys.modules if m.startswith('textpipe.stages')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_unregistering_a_replaced_builtin_brings_it_back():
    register_stage("tfidf", PlainTransformer)
    try:
        assert get_stage("tfidf").load() is PlainTransformer
    finally:
        unregister_stage("tfidf")
    assert get_stage("tfidf").target == "textpipe.stages.vectorize:TfidfVectors"
