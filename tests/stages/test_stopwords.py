"""Stopwords: word lists from sklearn, spaCy, inline or a file; keep-list and extra filters."""

import pickle

import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.utils._param_validation import InvalidParameterError

from textpipe.errors import ConfigError
from textpipe.stages.stopwords import Stopwords, is_number, is_punctuation

DOC = ["this", "film", "is", "not", "bad", ",", "10", "/", "10", "!"]


def stop(doc, **params):
    return Stopwords(**params).fit_transform([doc])[0]


def test_default_uses_sklearns_english_list():
    est = Stopwords().fit([[]])
    assert est.stop_words_ == frozenset(ENGLISH_STOP_WORDS)
    assert stop(DOC) == ["film", "bad", ",", "10", "/", "10", "!"]


def test_keep_words_are_never_removed():
    assert stop(DOC, keep=["not", "no", "nor"]) == ["film", "not", "bad", ",", "10", "/", "10", "!"]
    assert "not" not in Stopwords(keep=["not"]).fit([[]]).stop_words_


def test_keep_overrides_every_filter():
    assert stop(["!", "10", "a"], source="none", keep=["!", "10", "a"], drop_punctuation=True,
                drop_numbers=True, min_length=5) == ["!", "10", "a"]


def test_matching_is_case_insensitive_by_default_and_tokens_are_not_changed():
    assert stop(["The", "FILM", "IS", "Good"]) == ["FILM", "Good"]


def test_case_sensitive_matches_exactly():
    assert stop(["The", "the", "Film"], source=["the", "Film"], case_sensitive=True) == ["The"]


def test_spacy_source_in_other_languages():
    assert stop(["Das", "ist", "ein", "Kino"], source="spacy", language="de") == ["Kino"]
    assert stop(["это", "кино"], source="spacy", language="ru") == ["кино"]


def test_unknown_spacy_language_is_reported():
    with pytest.raises(ConfigError, match="unknown spaCy language code 'qq'"):
        Stopwords(source="spacy", language="qq").fit([[]])


def test_inline_list_and_none():
    assert stop(["a", "fine", "film"], source=["film"]) == ["a", "fine"]
    assert stop(["the", "film"], source="none") == ["the", "film"]


def test_inline_list_must_hold_str():
    with pytest.raises(ConfigError, match=r"parameter 'source': must hold only str, but item 1"):
        Stopwords(source=["a", 3]).fit([[]])


def test_words_file_is_merged_skipping_blank_and_comment_lines(tmp_path):
    path = tmp_path / "stop.txt"
    path.write_text("# my list\nFilm\n\n  plot  \n", encoding="utf-8")
    est = Stopwords(source=["the"], words_file=str(path)).fit([[]])
    assert est.stop_words_ == {"the", "film", "plot"}
    assert est.transform([["the", "film", "plot", "twist"]]) == [["twist"]]


def test_fitted_stage_keeps_the_file_words_not_the_path(tmp_path):
    path = tmp_path / "stop.txt"
    path.write_text("film\n", encoding="utf-8")
    est = Stopwords(source="none", words_file=path).fit([[]])
    path.unlink()
    assert pickle.loads(pickle.dumps(est)).transform([["film", "x"]]) == [["x"]]


def test_missing_words_file_names_the_path(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(ConfigError, match=r"parameter 'words_file': cannot read .*nope.txt"):
        Stopwords(words_file=missing).fit([[]])


def test_drop_punctuation_and_numbers():
    words = ["this", "film", "is", "not", "bad"]
    assert stop(DOC, source="none", drop_punctuation=True) == [*words, "10", "10"]
    assert stop(DOC, source="none", drop_numbers=True) == [*words, ",", "/", "!"]


def test_min_length():
    assert stop(["a", "an", "the", "film"], source="none", min_length=3) == ["the", "film"]


@pytest.mark.parametrize("token", [",", "...", "«", "»", "$", "|", ":-)", "¿", "—"])
def test_punctuation_tokens(token):
    assert is_punctuation(token)


@pytest.mark.parametrize("token", ["a", "a.", "😀", "€", "", "1"])
def test_not_punctuation(token):
    assert not is_punctuation(token)


@pytest.mark.parametrize(
    "token", ["0", "42", "-3.5", "+1", "1,000", "10:30", "1/2", "50%", ".5", "½", "٣"]
)
def test_numbers(token):
    assert is_number(token)


@pytest.mark.parametrize("token", ["mp3", "3rd", "1.2.", "-", "%", "a1"])
def test_not_numbers(token):
    assert not is_number(token)


def test_documents_that_become_empty_are_empty_lists():
    assert Stopwords().fit_transform([["the", "a", "is"], [], ("of",)]) == [[], [], []]


def test_each_type_is_judged_once():
    est = Stopwords().fit([[]])
    est.transform([["film", "the", "film"] * 1000])
    assert set(est._keep_token) == {"film", "the"}


def test_min_length_must_be_a_non_negative_int():
    with pytest.raises(InvalidParameterError, match="min_length"):
        Stopwords(min_length=-1).fit([[]])


def test_unknown_source_name_is_rejected_naming_the_parameter():
    with pytest.raises(InvalidParameterError, match="'source' parameter"):
        Stopwords(source="nltk").fit([[]])
