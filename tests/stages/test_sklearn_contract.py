"""Every stage is a well-behaved scikit-learn estimator, and checks its input the same way.

Two suites. The first runs on every registered stage, built small: scikit-learn's
own ``check_estimator`` (which can only test stages that take numeric arrays; those
that take text or tokens say so in their tags, and are covered by the rest), and a
contract written for text input: fit returns self, fit leaves parameters as they
were, output repeatable, clone-and-refit identical, pickling, ``NotFittedError``
before fit, and each document's output independent of the batch order.

The second looks closer at the text and token transformers in ``STAGES``: clone,
get/set params, Pipeline and GridSearchCV, bad documents.
"""

from __future__ import annotations

import inspect
import math
import pickle
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import check_estimator

from textpipe.errors import InputError
from textpipe import registry
from textpipe.registry import TEXT, TOKENS, get_stage
from textpipe.stages.lemmatize import Lemmatize
from textpipe.stages.normalize import Normalize
from textpipe.stages.phrases import Phrases
from textpipe.stages.stem import Stem
from textpipe.stages.stopwords import Stopwords
from textpipe.stages.tokenize import Tokenize
from textpipe.stages.vectorize import TfidfVectors


@dataclass
class Case:
    """A configured stage, and one parameter grid a search may explore."""

    id: str
    make: Callable[[], object]
    grid: dict = field(default_factory=dict)


STAGES = [
    Case("normalize", lambda: Normalize(), {"lowercase": [True, False]}),
    Case("normalize-all", lambda: Normalize(strip_accents=True, numbers="<n>", mentions=""),
         {"unicode_form": ["NFC", None]}),
    Case("tokenize", lambda: Tokenize(), {"backend": ["regex", "whitespace"]}),
    Case("tokenize-spacy", lambda: Tokenize(backend="spacy"), {"lowercase": [True, False]}),
    Case("tokenize-nltk", lambda: Tokenize(backend="nltk"),
         {"nltk_tokenizer": ["treebank", "tweet"]}),
    Case("tokenize-char", lambda: Tokenize(backend="char_wb"), {"ngram_range": [(2, 3), (3, 4)]}),
    Case("tokenize-bpe", lambda: Tokenize(backend="bpe", vocab_size=60), {"vocab_size": [40, 60]}),
    Case("tokenize-unigram", lambda: Tokenize(backend="unigram", vocab_size=60),
         {"pre_tokenizer": ["bert", "whitespace"]}),
    Case("stopwords", lambda: Stopwords(), {"keep": [(), ("not",)]}),
    Case("stopwords-filters", lambda: Stopwords(source="spacy", drop_punctuation=True,
                                                drop_numbers=True, min_length=2),
         {"case_sensitive": [False, True]}),
    Case("stem", lambda: Stem(), {"algorithm": ["snowball", "porter"]}),
    Case("lemmatize", lambda: Lemmatize(), {"language": ["en"]}),
    Case("phrases", lambda: Phrases(min_count=2, threshold=0.3, scoring="npmi"),
         {"passes": [1, 2]}),
]
IDS = [c.id for c in STAGES]

TEXTS = [
    "A good film, truly great!", "Bad film; an awful, boring mess.", "Great acting, good story",
    "boring and bad, awful plot", "good good GOOD", "awful. just awful.", "a great, great film",
    "bad acting and a bad story", "not bad at all: great", "not good, boring", "", "Great fun 😀",
] * 3
LABELS = [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1] * 3


# Tiny vocabularies leave a few documents without a vector; that is not what is tested here.
pytestmark = pytest.mark.filterwarnings("ignore::textpipe.stages.embed.EmptyDocumentWarning")

# -- every registered stage ---------------------------------------------------------
# Parameters that make each stage small and deterministic; a callable receives the
# session's resources (a vectors file, a tiny biLM).
TINY_BILSTM = dict(embedding_dim=4, hidden_size=4, min_count=1, max_epochs=2, dropout=0.0,
                   batch_size=8, early_stopping=False, random_state=0)
TINY_CNN = dict(embedding_dim=4, feature_maps=2, widths=[1, 2], max_epochs=2, dropout=0.0,
                batch_size=8, early_stopping=False, random_state=0)
SMALL_EMBEDDING = dict(dim=8, min_count=1, epochs=2, random_state=0)
TINY = {
    "normalize": {},
    "tokenize": {},
    "stopwords": {},
    "stem": {},
    "lemmatize": {},
    "phrases": dict(min_count=2, threshold=0.3, scoring="npmi"),
    "count": {},
    "tfidf": {},
    "hashing": dict(n_features=64),
    "word2vec": SMALL_EMBEDDING,
    "fasttext": dict(SMALL_EMBEDDING, buckets=1000),
    "glove": SMALL_EMBEDDING,
    "pretrained_vectors": lambda res: dict(path=str(res.vectors_file())),
    "elmo": lambda res: dict(bilm=str(res.tiny_bilm()), batch_size=8),
    "transformer": lambda res: dict(model=str(res.tiny_bert()), batch_size=8),
    "logreg": {},
    "linear_svm": dict(random_state=0),
    "multinomial_nb": {},
    "complement_nb": {},
    "nbsvm": dict(random_state=0),
    "sgd": dict(random_state=0),
    "random_forest": dict(n_estimators=5, random_state=0),
    "mlp": dict(hidden_layer_sizes=(8,), max_iter=50, random_state=0),
    "calibrate": dict(cv=2, random_state=0),
    "bilstm": TINY_BILSTM,
    "cnn": TINY_CNN,
    "transformer_classifier": lambda res: dict(model=str(res.tiny_bert()), max_epochs=1,
                                               batch_size=8, early_stopping=False,
                                               random_state=0),
}

# scikit-learn's classes cannot declare what its checks expect to fail; they are
# listed here, for the reasons scikit-learn's own test suite lists them. textpipe's
# classes declare theirs in ``_expected_failed_checks``.
_WEIGHTS = ("fitting with sample_weight is not the same as repeating samples: the solver's "
            "stopping rule and regularisation (LinearSVC, SGD) or bootstrap (forest) see a "
            "different number of samples; scikit-learn marks it the same way")
SKLEARN_EXPECTED_FAILURES = {
    "linear_svm": {"check_sample_weight_equivalence_on_dense_data": _WEIGHTS,
                   "check_sample_weight_equivalence_on_sparse_data": _WEIGHTS},
    "sgd": {"check_sample_weight_equivalence_on_dense_data": _WEIGHTS,
            "check_sample_weight_equivalence_on_sparse_data": _WEIGHTS},
    "random_forest": {"check_sample_weight_equivalence_on_dense_data": _WEIGHTS,
                      "check_sample_weight_equivalence_on_sparse_data": _WEIGHTS},
    "mlp": {
        # textpipe's default early_stopping=True holds out 10% of the training set:
        "check_fit_score_takes_y": "partial_fit does not support early stopping",
        "check_n_features_in_after_fitting": "partial_fit does not support early stopping",
        "check_estimators_partial_fit_n_features":
            "partial_fit does not support early stopping",
        "check_estimators_nan_inf": "its data sets are too small to hold out one sample "
                                    "per class, which fails before the NaN is met",
        "check_fit2d_1feature": "same: the validation split fails before the feature count "
                                "is checked",
        "check_classifiers_one_label": "a validation split needs two classes",
        "check_sample_weight_equivalence_on_dense_data":
            "the held-out validation samples differ once samples are repeated",
        "check_sample_weight_equivalence_on_sparse_data":
            "the held-out validation samples differ once samples are repeated",
    },
}


class Resources:
    """Files some stages need, made once per session and only when asked for."""

    def __init__(self, factory):
        self._factory = factory
        self._made = {}

    def vectors_file(self):
        if "vectors" not in self._made:
            words = sorted({t for doc in Tokenize().fit_transform(TEXTS) for t in doc})
            rng = np.random.default_rng(0)
            path = self._factory.mktemp("vectors") / "vectors.txt"
            path.write_text("".join(f"{w} {' '.join(f'{v:.3f}' for v in rng.normal(size=4))}\n"
                                    for w in words), encoding="utf-8")
            self._made["vectors"] = path
        return self._made["vectors"]

    def tiny_bilm(self):
        if "bilm" not in self._made:
            pytest.importorskip("torch")
            from textpipe.neural.pretrain import pretrain

            from ..neural.conftest import tiny_config

            folder = self._factory.mktemp("bilm")
            pretrain(tiny_config(folder))
            self._made["bilm"] = folder
        return self._made["bilm"]


    def tiny_bert(self):
        if "bert" not in self._made:
            pytest.importorskip("transformers")
            from tests.support.tiny_transformers import build_tiny_bert

            self._made["bert"] = build_tiny_bert(self._factory.mktemp("bert"))
        return self._made["bert"]


@pytest.fixture(scope="session")
def resources(tmp_path_factory):
    return Resources(tmp_path_factory)


@dataclass
class Stage:
    """A registered stage built small, with data of the kind it takes."""

    name: str
    estimator: object
    X: object
    y: list

    def fresh(self):
        return clone(self.estimator)

    def output(self, est, X=None):
        X = self.X if X is None else X
        if get_stage(self.name).is_classifier:
            method = getattr(est, "predict_proba", None) or est.decision_function
            return method(X)
        return est.transform(X)


def stage_data(spec):
    tokens = Tokenize().fit_transform(TEXTS)
    if TEXT in spec.consumes:
        return TEXTS
    if TOKENS in spec.consumes:
        return tokens
    return get_stage("count").create().fit_transform(tokens)


@pytest.fixture(params=list(registry._BUILTIN))
def stage(request, resources) -> Stage:
    name = request.param
    if name in ("bilstm", "cnn", "elmo", "transformer", "transformer_classifier"):
        pytest.importorskip("torch")
    params = TINY[name](resources) if callable(TINY[name]) else TINY[name]
    spec = get_stage(name)
    return Stage(name, spec.create(**params), stage_data(spec), LABELS)


def assert_same(a, b):
    if sp.issparse(a):
        a, b = a.toarray(), b.toarray()
    if isinstance(a, list):
        assert a == b
    else:
        np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                                   rtol=1e-5, atol=1e-6)


def rows(X, order):
    if isinstance(X, list):
        return [X[i] for i in order]
    return X.iloc[order] if hasattr(X, "iloc") else X[order]  # a DataFrame under pandas output


def test_every_builtin_stage_has_a_contract_case():
    assert set(TINY) == set(registry._BUILTIN)


# check_estimator tests a stage as a YAML file gets it, with textpipe's defaults.
CHECK_ESTIMATOR_PARAMS = {"random_forest": dict(n_estimators=5)}  # 100 trees take 15 s


@pytest.mark.default_sklearn_output(
    "scikit-learn's check_estimator prepares data with its own transformers and expects "
    "arrays from them, so it cannot run under a global pandas output setting")
def test_check_estimator_passes_or_says_why_not(stage):
    tags = get_tags(stage.estimator)
    if not tags.input_tags.two_d_array:
        # Like CountVectorizer: scikit-learn's checks feed numeric arrays, so they skip
        # a stage that says it takes strings; the text contract below covers it.
        assert get_stage(stage.name).consumes[0] in (TEXT, TOKENS) and tags.input_tags.string
        return
    est = get_stage(stage.name).create(**CHECK_ESTIMATOR_PARAMS.get(stage.name, {}))
    own = getattr(type(est), "_expected_failed_checks", {})
    expected = {**SKLEARN_EXPECTED_FAILURES.get(stage.name, {}), **own}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(est, expected_failed_checks=expected, on_fail=None)
    failed = {r["check_name"]: r["exception"] for r in results if r["status"] == "failed"}
    assert not failed
    still_failing = {r["check_name"] for r in results if r["status"] == "xfail"}
    assert set(own) <= still_failing, "a declared expected failure now passes"


def test_fit_returns_self_and_leaves_parameters_as_they_were(stage):
    est = stage.fresh()
    before = pickle.dumps(est.get_params(deep=False))
    assert est.fit(stage.X, stage.y) is est
    assert pickle.dumps(est.get_params(deep=False)) == before


def test_output_before_fit_raises_not_fitted_error(stage):
    est = stage.fresh()
    if not get_tags(est).requires_fit:
        pytest.skip("stateless: works unfitted")
    with pytest.raises(NotFittedError):
        stage.output(est)


def test_output_is_the_same_each_time(stage):
    est = stage.fresh().fit(stage.X, stage.y)
    assert_same(stage.output(est), stage.output(est))


def test_a_clone_refitted_gives_identical_output(stage):
    est = stage.fresh().fit(stage.X, stage.y)
    again = clone(est).fit(stage.X, stage.y)
    assert_same(stage.output(again), stage.output(est))


def test_pickled_after_fit_gives_the_same_output(stage):
    est = stage.fresh().fit(stage.X, stage.y)
    copy = pickle.loads(pickle.dumps(est))
    assert_same(stage.output(copy), stage.output(est))
    assert pickle.dumps(copy.get_params(deep=False)) == pickle.dumps(est.get_params(deep=False))


def test_each_document_gets_the_same_output_in_any_batch_order(stage):
    est = stage.fresh().fit(stage.X, stage.y)
    order = np.random.default_rng(0).permutation(len(stage.y))
    assert_same(stage.output(est, rows(stage.X, order)), rows(stage.output(est), order))


# -- text and token transformers, in detail ----------------------------------------
def sample_input(est) -> list:
    return TEXTS if est.consumes == TEXT else Tokenize().fit_transform(TEXTS)


def assert_output_shape(est, docs, out):
    assert isinstance(out, list) and len(out) == len(docs)
    if est.produces == TEXT:
        assert all(isinstance(d, str) for d in out)
    else:
        assert all(isinstance(d, list) and all(isinstance(t, str) for t in d) for d in out)


@pytest.fixture(params=STAGES, ids=IDS)
def case(request) -> Case:
    return request.param


# -- the estimator contract ---------------------------------------------------------
def test_registry_names_the_class_and_its_data_kinds(case):
    est = case.make()
    spec = get_stage(est.stage_name)
    assert spec.load() is type(est)
    assert spec.consumes == (est.consumes,) and spec.produces == est.produces


def test_parameters_are_keyword_only_with_defaults(case):
    params = list(inspect.signature(type(case.make()).__init__).parameters.values())[1:]
    assert params and all(p.kind is p.KEYWORD_ONLY for p in params)
    assert all(p.default is not p.empty for p in params)


def test_init_stores_arguments_verbatim_and_validates_nothing(case):
    cls = type(case.make())
    sentinel = object()
    for name in cls().get_params():
        est = cls(**{name: sentinel})
        assert est.get_params()[name] is sentinel


def test_every_parameter_has_a_constraint_and_a_docstring_entry(case):
    est = case.make()
    names = set(est.get_params())
    assert set(est._parameter_constraints) == names
    documented = {p.name for p in get_stage(est.stage_name).parameters if p.doc}
    assert documented == names


def test_clone_and_set_params(case):
    est = case.make()
    copy = clone(est)
    assert copy is not est and copy.get_params() == est.get_params()
    name, values = next(iter(case.grid.items()))
    assert copy.set_params(**{name: values[-1]}) is copy
    assert copy.get_params()[name] == values[-1]


def test_transform_before_fit_raises_not_fitted_error(case):
    est = case.make()
    with pytest.raises(NotFittedError):
        est.transform(sample_input(est))


def test_fit_returns_self_and_fitted_attributes_end_with_underscore(case):
    est = case.make()
    assert est.fit(sample_input(est)) is est
    public = [k for k in vars(est) if not k.startswith("_")]
    assert "fitted_" in public
    assert all(k.endswith("_") or k in est.get_params() for k in public)


def test_fit_transform_equals_fit_then_transform_and_keeps_the_data_kind(case):
    est = case.make()
    docs = sample_input(est)
    out = est.fit_transform(docs)
    assert_output_shape(est, docs, out)
    assert case.make().fit(docs).transform(docs) == out


def test_results_are_deterministic(case):
    docs = sample_input(case.make())
    assert case.make().fit_transform(docs) == case.make().fit_transform(docs)


def test_pickled_after_fit_gives_the_same_output(case):
    est = case.make()
    docs = sample_input(est)
    out = est.fit_transform(docs)
    again = pickle.loads(pickle.dumps(est))
    assert again.transform(docs) == out
    assert again.get_params() == est.get_params()


def test_grid_search_over_a_pipeline(case):
    est = case.make()
    steps = [(est.stage_name, est)]
    if est.consumes == TOKENS:
        steps.insert(0, ("tokenize_first", Tokenize()))
    if est.produces == TEXT:
        steps.append(("tokenize_after", Tokenize()))
    pipe = Pipeline([*steps, ("tfidf", TfidfVectors()), ("logreg", LogisticRegression())])
    grid = {f"{est.stage_name}__{name}": values for name, values in case.grid.items()}
    search = GridSearchCV(pipe, grid, cv=2).fit(TEXTS, LABELS)
    assert set(search.best_params_) == set(grid)
    assert len(search.predict(["a great film", "an awful film"])) == 2


# -- input checks -----------------------------------------------------------------
BAD_DOCUMENTS = [
    (None, "None"),
    (math.nan, "NaN"),
    (b"bytes", "bytes"),
    (3, "a int"),
]


@pytest.mark.parametrize("bad, named", BAD_DOCUMENTS, ids=["None", "NaN", "bytes", "int"])
@pytest.mark.parametrize("method", ["fit", "fit_transform", "transform"])
def test_a_bad_document_is_reported_with_its_index(case, bad, named, method):
    est = case.make()
    good = sample_input(est)[:2]
    if method == "transform":
        est.fit(good)
    with pytest.raises(InputError, match=rf"document 2 is {named}"):
        getattr(est, method)([*good, bad])


def test_a_single_string_instead_of_a_list_is_reported(case):
    est = case.make()
    with pytest.raises(InputError, match="got a single str"):
        est.fit("a film")


def test_raw_text_given_to_a_token_stage_is_reported(case):
    est = case.make()
    if est.consumes != TOKENS:
        pytest.skip("takes text")
    with pytest.raises(InputError, match="Put a 'tokenize' step before"):
        est.fit(["raw text"])


def test_empty_corpus_and_empty_documents(case):
    est = case.make()
    empty = "" if est.consumes == TEXT else []
    est.fit(sample_input(est))
    assert est.transform([]) == []
    out = est.transform([empty, empty])
    assert_output_shape(est, [empty, empty], out)
    assert all(len(d) == 0 for d in out)


def test_tuples_and_generators_are_accepted(case):
    est = case.make()
    docs = sample_input(est)
    if est.consumes == TOKENS:
        docs = [tuple(d) for d in docs]
    expected = est.fit_transform(list(docs))
    assert est.transform(tuple(docs)) == expected
    assert est.transform(d for d in docs) == expected


def test_arbitrary_unicode(case):
    texts = ["héllo wörld 😀 👍🏽", "a\u0085b\u2028c\u2029d", "שלום עולם", "e\u0301\u0301",
             "\x00\x1f", "İstanbul ǅ ß ﬁ", "ｈｅｌｌｏ", "\ufeff\u200b\u200d"]
    est = case.make()
    docs = texts if est.consumes == TEXT else Tokenize().fit_transform(texts)
    assert_output_shape(est, docs, est.fit_transform(docs))


def test_one_megabyte_document(case):
    text = "A fine film, the best of 2020! Not bad at all; see www.x.org. " * 16_000
    est = case.make()
    docs = [text] if est.consumes == TEXT else Tokenize().fit_transform([text])
    out = est.fit_transform(docs)
    assert_output_shape(est, docs, out)
    assert len(out[0]) > 0
