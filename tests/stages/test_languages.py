"""One language code scheme (ISO 639-1) across stem, stopwords and lemmatize; a language a
source cannot serve is a ConfigError naming the parameter, caught before fitting."""

from __future__ import annotations

import pytest

from textpipe.cli import main
from textpipe.errors import ConfigError
from textpipe.parameters import parameter_problems
from textpipe.stages.lemmatize import Lemmatize
from textpipe.stages.stem import SNOWBALL_LANGUAGES, Stem
from textpipe.stages.stopwords import Stopwords


def _problem(stage) -> ConfigError:
    problems = parameter_problems(stage)
    assert len(problems) == 1, problems
    return problems[0]


@pytest.mark.parametrize("code, name", [("de", "german"), ("fr", "french"), ("en", "english")])
def test_stem_takes_iso_codes_and_the_full_names_alike(code, name):
    docs = [["Katzen", "häuser", "maisons", "running"]]
    assert Stem(language=code).fit_transform(docs) == Stem(language=name).fit_transform(docs)
    assert not parameter_problems(Stem(language=code))


def test_stem_default_language_is_the_iso_code_en():
    assert Stem().get_params()["language"] == "en"
    assert Stem().fit_transform([["running", "cats"]]) == [["run", "cat"]]


def test_an_unknown_stem_language_lists_the_iso_codes_before_fitting():
    err = _problem(Stem(language="klingon"))
    assert err.param == "language"
    assert "de" in str(err) and "fr" in str(err) and "german" not in str(err)
    assert set(SNOWBALL_LANGUAGES) >= {"en", "de", "fr", "es", "ru"}


@pytest.mark.parametrize("algorithm", ["porter", "lancaster"])
def test_english_only_stemmers_refuse_another_language(algorithm):
    err = _problem(Stem(algorithm=algorithm, language="de"))
    assert err.param == "language" and "language: en" in str(err) and "snowball" in str(err)
    assert not parameter_problems(Stem(algorithm=algorithm, language="en"))


def test_sklearn_stopwords_in_another_language_is_an_error_not_a_silent_no_op():
    err = _problem(Stopwords(language="de"))
    assert err.param == "language" and "language: en" in str(err) and "spacy" in str(err)
    assert not parameter_problems(Stopwords(language="de", source="spacy"))
    assert not parameter_problems(Stopwords(language="en"))


def test_spacy_stopwords_in_german_remove_german_stop_words():
    out = Stopwords(source="spacy", language="de").fit_transform([["das", "ist", "Kino"]])
    assert out == [["Kino"]]


def test_an_unknown_spacy_stopword_language_is_caught_before_fitting():
    err = _problem(Stopwords(source="spacy", language="klingon"))
    assert err.param == "language" and "de" in str(err)


def test_wordnet_lemmas_are_english_only():
    err = _problem(Lemmatize(backend="wordnet", language="de"))
    assert err.param == "language" and "language: en" in str(err) and "spacy_lookup" in str(err)


def test_an_unknown_lookup_lemma_language_is_caught_before_fitting():
    err = _problem(Lemmatize(language="klingon"))
    assert err.param == "language" and "de" in str(err)


@pytest.mark.parametrize("step", ["stopwords: {language: de}", "stem: {language: german2}",
                                  "lemmatize: {backend: wordnet, language: fr}"])
def test_validate_refuses_a_language_the_source_cannot_serve(step, tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text(f"steps: [tokenize, {{{step}}}, count, logreg]\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    assert "language" in capsys.readouterr().err


def test_an_unknown_spacy_tokenizer_language_is_caught_before_fitting():
    from textpipe.stages.tokenize import Tokenize

    err = _problem(Tokenize(backend="spacy", language="klingon"))
    assert err.param == "language" and "de" in str(err)
    assert not parameter_problems(Tokenize(backend="spacy", language="de"))
