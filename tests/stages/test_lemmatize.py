"""Lemmatize: spaCy lookup tables and NLTK's WordNet, both offline."""

import pickle

import pytest
from sklearn.utils._param_validation import InvalidParameterError

import textpipe
from textpipe.errors import ConfigError, MissingResourceError
from textpipe.stages import lemmatize as lemmatize_module
from textpipe.stages.lemmatize import Lemmatize, lookup_languages
from textpipe.stages.tokenize import Tokenize


# -- spaCy lookup tables ------------------------------------------------------------
def test_english_lookup_lemmas():
    docs = [["the", "mice", "were", "running", "unknownword"], []]
    assert Lemmatize().fit_transform(docs) == [["the", "mouse", "be", "run", "unknownword"], []]


def test_lemmas_equal_spacys_lookup_lemmatizer_on_real_text():
    import spacy

    texts = list(textpipe.load_dataset("mr").texts)[:1000]
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    theirs = [[t.lemma_ for t in doc if not t.is_space] for doc in nlp.pipe(texts)]
    tokens = Tokenize(backend="spacy", lowercase=False).fit_transform(texts)
    assert Lemmatize().fit_transform(tokens) == theirs


def test_other_languages_with_a_table():
    assert Lemmatize(language="de").fit_transform([["Häuser", "waren"]]) == [["Haus", "sein"]]
    # the French table holds lists of lemmas; spaCy takes the first
    assert Lemmatize(language="fr").fit_transform([["chevaux", "yeux"]]) == [["cheval", "oeil"]]


def test_language_without_a_table_names_those_that_have_one():
    with pytest.raises(ConfigError) as info:
        Lemmatize(language="fi").fit([[]])
    message = str(info.value)
    assert "parameter 'language'" in message
    assert "no lemma lookup table for 'fi'" in message
    assert "ca, cs, da, de, en" in message


def test_lookup_languages_are_those_with_a_lemma_lookup_table():
    languages = lookup_languages()
    assert {"en", "de", "fr", "es", "it", "nl", "pt", "ru"} <= set(languages)
    assert "ga" not in languages  # only part-of-speech tables


def test_each_type_is_looked_up_once():
    est = Lemmatize().fit([[]])
    est.transform([["mice", "mice", "cats"] * 100])
    assert set(est._lemma) == {"mice", "cats"}


def test_pickle_drops_the_table_and_reloads_it():
    est = Lemmatize().fit([[]])
    est.transform([["mice"]])
    data = pickle.dumps(est)
    assert len(data) < 1000
    assert pickle.loads(data).transform([["geese"]]) == [["goose"]]


# -- WordNet --------------------------------------------------------------------
@pytest.fixture(autouse=True)
def restore_nltk_data_path(monkeypatch):
    """Lemmatize authorizes a WordNet folder by adding it to nltk.data.path; undo it."""
    import nltk.data

    monkeypatch.setattr(nltk.data, "path", list(nltk.data.path))


def test_a_folder_outside_nltks_data_path_is_authorized(tmp_path):
    import nltk.data

    folder = write_tiny_wordnet(tmp_path / "wordnet")
    Lemmatize(backend="wordnet", wordnet_path=folder).fit([[]])
    assert str(folder) in nltk.data.path


@pytest.fixture
def no_wordnet_anywhere(monkeypatch, tmp_path):
    """Make sure no WordNet is found, even on a machine that has one."""
    import nltk.data

    monkeypatch.setattr(nltk.data, "path", [str(tmp_path / "empty_nltk_data")])
    monkeypatch.setattr(lemmatize_module, "DEBIAN_WORDNET", str(tmp_path / "no_wordnet"))


def test_missing_wordnet_says_how_to_install_it_offline(no_wordnet_anywhere):
    with pytest.raises(MissingResourceError) as info:
        Lemmatize(backend="wordnet").fit([["cats"]])
    message = str(info.value)
    assert "apt-get install wordnet-base" in message
    assert "wordnet_path: /usr/share/wordnet" in message
    assert "corpora/wordnet" in message and "NLTK_DATA" in message
    assert "empty_nltk_data" in message  # where it looked


def test_missing_wordnet_at_a_given_path_names_that_path(tmp_path):
    with pytest.raises(MissingResourceError, match="not_here"):
        Lemmatize(backend="wordnet", wordnet_path=str(tmp_path / "not_here")).fit([[]])


def test_missing_wordnet_error_is_a_lookup_error_as_nltks_is(no_wordnet_anywhere):
    with pytest.raises(LookupError):
        Lemmatize(backend="wordnet").fit([[]])


def write_tiny_wordnet(folder):
    """A WordNet database with a handful of lemmas, in the layout of Princeton/Debian."""
    folder.mkdir(parents=True)
    (folder / "lexnames").write_text("00\tadj.all\t3\n01\tnoun.Tops\t1\n")
    index = {
        "noun": ["dog n 1 0 1 0 00000001", "goose n 1 0 1 0 00000002", "cat n 1 0 1 0 00000003"],
        "verb": ["run v 1 0 1 0 00000004", "be v 1 0 1 0 00000005"],
        "adj": ["good a 1 0 1 0 00000006"],
        "adv": ["well r 1 0 1 0 00000007"],
    }
    exceptions = {"noun": ["geese goose"], "verb": ["ran run", "was be"],
                  "adj": ["better good"], "adv": []}
    for pos in index:
        (folder / f"index.{pos}").write_text("  1 header line\n" + "\n".join(index[pos]) + "\n")
        (folder / f"data.{pos}").write_text("  1 WordNet 3.0 Copyright 2006 by Princeton\n")
        (folder / f"{pos}.exc").write_text("".join(line + "\n" for line in exceptions[pos]))
    return folder


def test_wordnet_from_a_debian_style_folder(tmp_path):
    folder = write_tiny_wordnet(tmp_path / "wordnet")
    docs = [["dogs", "geese", "cats", "running", "zzz"]]
    assert Lemmatize(backend="wordnet", wordnet_path=folder).fit_transform(docs) == [
        ["dog", "goose", "cat", "running", "zzz"]
    ]
    verbs = Lemmatize(backend="wordnet", pos="v", wordnet_path=str(folder))
    assert verbs.fit_transform([["runs", "ran", "was"]]) == [["run", "run", "be"]]


def test_wordnet_from_an_nltk_data_folder(tmp_path):
    write_tiny_wordnet(tmp_path / "nltk_data" / "corpora" / "wordnet")
    est = Lemmatize(backend="wordnet", pos="a", wordnet_path=tmp_path / "nltk_data")
    assert est.fit_transform([["better"]]) == [["good"]]


def test_wordnet_found_through_nltks_data_path(tmp_path, monkeypatch):
    import nltk.data

    write_tiny_wordnet(tmp_path / "nltk_data" / "corpora" / "wordnet")
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path / "nltk_data")])
    assert Lemmatize(backend="wordnet").fit_transform([["dogs"]]) == [["dog"]]


def test_wordnet_stage_pickles_without_the_database(tmp_path):
    folder = write_tiny_wordnet(tmp_path / "wordnet")
    est = Lemmatize(backend="wordnet", wordnet_path=folder).fit([["dogs"]])
    est.transform([["dogs"]])
    assert pickle.loads(pickle.dumps(est)).transform([["geese"]]) == [["goose"]]


def test_unreadable_wordnet_database_is_reported(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "lexnames").write_text("00\tadj.all\t3\n")  # the rest is missing
    with pytest.raises(MissingResourceError, match="does not hold a readable WordNet database"):
        Lemmatize(backend="wordnet", wordnet_path=folder).fit([[]])


def test_unknown_pos_is_rejected_naming_the_parameter():
    with pytest.raises(InvalidParameterError, match="'pos' parameter"):
        Lemmatize(backend="wordnet", pos="x").fit([[]])
