"""Phrases: gensim collocations learned at fit, frozen, applied at transform."""

import pickle

import pytest
from sklearn.utils._param_validation import InvalidParameterError

from textpipe.errors import ConfigError
from textpipe.stages.phrases import Phrases

# "new york" always together; "new" and "york" rarely apart; fillers seen once
CITY = (
    [[f"a{i}", "new", "york", "times", f"b{i}"] for i in range(6)]
    + [[f"c{i}", "new", "york", f"d{i}"] for i in range(3)]
    + [[f"e{i}", "times", f"f{i}"] for i in range(3)]
    + [[f"g{i}", "new", f"h{i}"] for i in range(3)]
)
TINY = [["i", "love", "new", "york"], ["new", "york", "is", "big"],
        ["i", "love", "paris"], ["paris", "is", "old"]] * 5


def test_new_york_becomes_one_token_on_a_tiny_repeated_corpus():
    ph = Phrases(min_count=2, threshold=0.5, scoring="npmi").fit(TINY)
    assert "new_york" in ph.phrases_
    assert ph.transform([["we", "love", "new", "york"]]) == [["we", "love", "new_york"]]


def test_default_scoring_learns_phrases_too():
    ph = Phrases(min_count=1, threshold=1.0).fit(CITY * 3)
    assert ph.transform([["new", "york"]]) == [["new_york"]]


def test_two_passes_learn_phrases_of_up_to_four_tokens():
    one = Phrases(min_count=3, threshold=0.7, scoring="npmi").fit(CITY)
    two = Phrases(min_count=3, threshold=0.7, scoring="npmi", passes=2).fit(CITY)
    doc = [["the", "new", "york", "times"]]
    assert one.transform(doc) == [["the", "new_york", "times"]]
    assert two.transform(doc) == [["the", "new_york_times"]]
    assert list(two.phrases_) == ["new_york", "new_york_times"]
    assert len(two.phrasers_) == 2


def test_passes_stop_when_nothing_more_is_learned():
    ph = Phrases(min_count=3, threshold=0.7, scoring="npmi", passes=5).fit(CITY)
    assert len(ph.phrasers_) == 2


def test_fitted_model_is_frozen():
    from gensim.models.phrases import FrozenPhrases

    ph = Phrases(min_count=2, threshold=0.5, scoring="npmi").fit(TINY)
    assert all(isinstance(p, FrozenPhrases) for p in ph.phrasers_)


def test_delimiter():
    ph = Phrases(min_count=2, threshold=0.5, scoring="npmi", delimiter=" ").fit(TINY)
    assert ph.transform([["new", "york"]]) == [["new york"]]


def test_connector_words_may_sit_inside_a_phrase():
    docs = [[f"x{i}", "bank", "of", "america", f"y{i}"] for i in range(8)] + [
        [f"z{i}", "of", f"w{i}"] for i in range(8)
    ]
    ph = Phrases(min_count=3, threshold=0.5, scoring="npmi", connector_words="english").fit(docs)
    assert ph.transform([["bank", "of", "america"]]) == [["bank_of_america"]]


def test_nothing_learned_leaves_tokens_as_they_are():
    ph = Phrases().fit([["a", "b"], ["c"]])
    assert ph.phrases_ == {} and ph.phrasers_ == []
    assert ph.transform([("a", "b"), []]) == [["a", "b"], []]


def test_empty_documents_and_corpus_are_fine():
    assert Phrases(min_count=1).fit_transform([[], []]) == [[], []]
    ph = Phrases(min_count=2, threshold=0.5, scoring="npmi").fit(TINY + [[]])
    assert ph.transform([[], ["new", "york"]]) == [[], ["new_york"]]


def test_npmi_threshold_must_lie_in_minus_one_to_one():
    with pytest.raises(ConfigError, match=r"parameter 'threshold'.*\[-1, 1\]"):
        Phrases(scoring="npmi", threshold=10.0).fit(TINY)


def test_pickled_model_gives_the_same_phrases():
    ph = Phrases(min_count=2, threshold=0.5, scoring="npmi").fit(TINY)
    again = pickle.loads(pickle.dumps(ph))
    assert again.transform(TINY) == ph.transform(TINY)


def test_fitting_twice_gives_the_same_model():
    a = Phrases(min_count=3, threshold=0.7, scoring="npmi", passes=2).fit(CITY)
    b = Phrases(min_count=3, threshold=0.7, scoring="npmi", passes=2).fit(CITY)
    assert a.phrases_ == b.phrases_


@pytest.mark.parametrize("params", [{"min_count": 0}, {"passes": 0}, {"scoring": "pmi"}])
def test_bad_values_are_rejected_naming_the_parameter(params):
    with pytest.raises(InvalidParameterError, match=f"'{next(iter(params))}' parameter"):
        Phrases(**params).fit(TINY)
