"""Every stage is a well-behaved scikit-learn estimator, and checks its input the same way.

Add a stage to ``STAGES`` to run it through the same checks: clone, get/set
params, pickling, Pipeline and GridSearchCV, bad documents.
"""

from __future__ import annotations

import inspect
import math
import pickle
from dataclasses import dataclass, field
from typing import Callable

import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from textpipe.errors import InputError
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
    spec = get_stage(est._stage)
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
    documented = {p.name for p in get_stage(est._stage).parameters if p.doc}
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
    steps = [(est._stage, est)]
    if est.consumes == TOKENS:
        steps.insert(0, ("tokenize_first", Tokenize()))
    if est.produces == TEXT:
        steps.append(("tokenize_after", Tokenize()))
    pipe = Pipeline([*steps, ("tfidf", TfidfVectors()), ("logreg", LogisticRegression())])
    grid = {f"{est._stage}__{name}": values for name, values in case.grid.items()}
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
