"""Stem: NLTK's Snowball, Porter and Lancaster stemmers, run once per vocabulary type."""

import pickle

import pytest
from nltk.stem import LancasterStemmer, PorterStemmer, SnowballStemmer
from sklearn.utils._param_validation import InvalidParameterError

from textpipe.errors import ConfigError
from textpipe.stages import stem as stem_module
from textpipe.stages.stem import SNOWBALL_LANGUAGES, Stem, snowball_languages

WORDS = ["running", "runs", "generously", "Cats", "argued", "happiness", "", "😀", "naïve", "a"]


@pytest.mark.parametrize(
    "params, stemmer",
    [({}, SnowballStemmer("english")),
     ({"algorithm": "porter"}, PorterStemmer()),
     ({"algorithm": "lancaster"}, LancasterStemmer()),
     ({"language": "german"}, SnowballStemmer("german")),
     ({"language": "russian"}, SnowballStemmer("russian"))],
)
def test_stems_are_nltks(params, stemmer):
    docs = [WORDS, ["кошки", "häuser", "running"]]
    assert Stem(**params).fit_transform(docs) == [[stemmer.stem(w) for w in d] for d in docs]


def test_every_snowball_language_works_by_iso_code_and_by_full_name():
    for code, name in SNOWBALL_LANGUAGES.items():
        assert name in snowball_languages()
        assert len(Stem(language=code).fit_transform([["words", "test"]])[0]) == 2
        assert len(Stem(language=name).fit_transform([["words", "test"]])[0]) == 2


def test_unknown_snowball_language_lists_them_with_a_suggestion():
    with pytest.raises(ConfigError) as info:
        Stem(language="englsh").fit([[]])
    message = str(info.value)
    assert "parameter 'language'" in message
    assert "Did you mean 'english'?" in message
    assert "ar, da, de, en" in message


def test_porter_and_lancaster_stem_english():
    assert Stem(algorithm="porter", language="en").fit_transform([["cats"]]) == [["cat"]]
    assert Stem(algorithm="lancaster", language="english").fit_transform([["cats"]]) == [["cat"]]
    with pytest.raises(ConfigError, match="English only"):
        Stem(algorithm="porter", language="klingon").fit([[]])


def test_each_type_is_stemmed_once_in_a_memo_shared_by_equal_stemmers(monkeypatch):
    monkeypatch.setattr(stem_module, "_SHARED_MEMOS", {})
    a = Stem().fit([[]])
    a.transform([["walking", "walking", "talks"]])
    b = Stem().fit([[]])
    assert b._stem is a._stem and set(b._stem) == {"walking", "talks"}
    assert Stem(algorithm="porter").fit([[]])._stem is not a._stem
    assert Stem(language="german").fit([[]])._stem is not a._stem


def test_memo_is_restarted_when_it_grows_too_big(monkeypatch):
    monkeypatch.setattr(stem_module, "_SHARED_MEMOS", {})
    monkeypatch.setattr(stem_module, "_MAX_TYPES", 3)
    est = Stem().fit([[]])
    est.transform([["a", "b", "c", "d"]])
    assert len(Stem().fit([[]])._stem) == 0


def test_output_keeps_one_stem_per_token_and_empty_documents():
    docs = [["the", "cats", "cats"], [], ("dogs",)]
    assert Stem().fit_transform(docs) == [["the", "cat", "cat"], [], ["dog"]]


def test_pickled_stage_is_small_and_works():
    est = Stem().fit([[]])
    est.transform([[f"word{i}" for i in range(1000)]])
    data = pickle.dumps(est)
    assert len(data) < 1000
    assert pickle.loads(data).transform([["running"]]) == [["run"]]


def test_unknown_algorithm_is_rejected_naming_the_parameter():
    with pytest.raises(InvalidParameterError, match="'algorithm' parameter"):
        Stem(algorithm="krovetz").fit([[]])
