"""Tokenize: regex, spaCy, NLTK, whitespace and character n-gram backends."""

import importlib.util
import pickle
import re

import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils._param_validation import InvalidParameterError

import textpipe
from textpipe.errors import ConfigError
from textpipe.stages.tokenize import DEFAULT_PATTERN, Tokenize

MR = list(textpipe.load_dataset("mr").texts)[:2000]


def tok(text, **params):
    return Tokenize(**params).fit_transform([text])[0]


# -- regex ----------------------------------------------------------------------
def test_default_pattern_keeps_apostrophe_words_and_splits_punctuation():
    assert tok("It's rock'n'roll, don’t (you) agree?!") == [
        "it's", "rock'n'roll", ",", "don’t", "(", "you", ")", "agree", "?", "!",
    ]


def test_default_pattern_makes_each_symbol_and_emoji_a_token():
    assert tok("5€ 😀👍 a_b") == ["5", "€", "😀", "👍", "a_b"]


def test_default_pattern_fast_path_equals_findall_on_real_text():
    findall = re.compile(DEFAULT_PATTERN).findall
    assert Tokenize().fit_transform(MR) == [findall(t.lower()) for t in MR]


def test_custom_pattern_is_used():
    assert tok("Hello, big world", pattern=r"\w\w+") == ["hello", "big", "world"]


def test_lowercase_false_keeps_case():
    assert tok("The Film", lowercase=False) == ["The", "Film"]


def test_invalid_pattern_is_reported_naming_the_parameter():
    with pytest.raises(ConfigError, match=r"parameter 'pattern': is not a valid regular exp"):
        Tokenize(pattern="(").fit(["x"])


def test_pattern_with_capturing_groups_is_rejected():
    with pytest.raises(ConfigError, match=r"capturing group.*\(\?:\.\.\.\)"):
        Tokenize(pattern=r"(\w+)").fit(["x"])


def test_parameters_of_other_backends_are_ignored():
    est = Tokenize(backend="whitespace", pattern="(", ngram_range=(5, 1), language="xx-nope")
    assert est.fit_transform(["a  b"]) == [["a", "b"]]


def test_whitespace_backend_splits_on_any_unicode_whitespace():
    assert tok("A\u00a0b\u2028c\u0085d  e", backend="whitespace") == ["a", "b", "c", "d", "e"]


# -- spaCy ----------------------------------------------------------------------
def spacy_tokens(texts, language="en", lowercase=False):
    import spacy

    nlp = spacy.blank(language)
    attr = "lower_" if lowercase else "text"
    return [[getattr(t, attr) for t in doc if not t.is_space] for doc in nlp.tokenizer.pipe(texts)]


@pytest.mark.parametrize("lowercase", [False, True])
def test_spacy_backend_gives_spacys_tokens_on_real_text(lowercase):
    texts = MR + ["U.S. a.m. don't (don't) e.g. 'em :-) http://x.com/a?b=c a@b.com", "  a\n\nb  "]
    ours = Tokenize(backend="spacy", lowercase=lowercase).fit_transform(texts)
    assert ours == spacy_tokens(texts, lowercase=lowercase)


def test_spacy_backend_drops_whitespace_tokens():
    assert tok("a  \n\n b\t", backend="spacy") == ["a", "b"]


@pytest.mark.parametrize(
    "language, text",
    [("es", "Viven en EE. UU. desde 2020."),  # a special case with a space: per document
     ("de", "Die Katze (z.B. im Haus) schläft."),
     ("zh", "我爱北京")],  # not spaCy's rule-based tokenizer: per document
)
def test_spacy_backend_other_languages_match_spacy(language, text):
    ours = Tokenize(backend="spacy", language=language, lowercase=False).fit_transform([text])
    assert ours == spacy_tokens([text], language)


def test_spacy_backend_tokenizes_a_chunk_the_same_way_whatever_its_neighbour():
    # spaCy's own result for "' ''x" depends on the "'" before the space (see Notes)
    est = Tokenize(backend="spacy", lowercase=False).fit([""])
    assert est.transform(["' ''x", "''x"]) == [["'", "''", "x"], ["''", "x"]]


def test_unknown_spacy_language_lists_the_codes_with_a_suggestion():
    with pytest.raises(ConfigError) as info:
        Tokenize(backend="spacy", language="en_").fit(["x"])
    message = str(info.value)
    assert "parameter 'language'" in message
    assert "Did you mean 'en'?" in message
    assert "de, dsb, el, en" in message
    assert "pkgutil.iter_modules(spacy.lang.__path__)" in message


@pytest.mark.skipif(importlib.util.find_spec("sudachipy") is not None, reason="SudachiPy installed")
def test_spacy_language_that_needs_a_missing_package_says_so():
    with pytest.raises(ConfigError, match="'ja' language needs a package that is not installed"):
        Tokenize(backend="spacy", language="ja").fit(["x"])


def test_spacy_backend_pickles_without_the_pipeline_and_still_works():
    est = Tokenize(backend="spacy").fit(["a b"])
    est.transform(["warm the cache"])
    data = pickle.dumps(est)
    assert b"spacy.lang" not in data
    assert pickle.loads(data).transform(["Don't stop"]) == [["do", "n't", "stop"]]


def test_changing_the_language_after_fit_rebuilds_the_tokenizer():
    est = Tokenize(backend="spacy", lowercase=False).fit(["x"])
    est.set_params(language="es").fit(["x"])
    assert est.transform(["EE. UU."]) == [["EE. UU."]]


# -- NLTK -----------------------------------------------------------------------
def test_nltk_treebank_splits_contractions_without_downloads():
    assert tok("They don't agree.", backend="nltk") == ["they", "do", "n't", "agree", "."]


def test_nltk_tweet_keeps_emoticons_hashtags_and_mentions():
    assert tok("@Bob LOVED it :D #Best", backend="nltk", nltk_tokenizer="tweet") == [
        "@bob", "loved", "it", ":D", "#best",
    ]


# -- character n-grams ----------------------------------------------------------------
@pytest.mark.parametrize("analyzer", ["char", "char_wb"])
@pytest.mark.parametrize("ngram_range", [(1, 1), (2, 4), (3, 5), (1, 3)])
def test_char_ngrams_equal_sklearns_analyzer(analyzer, ngram_range):
    texts = ["a fine film", "Go!", "x", "", "naïve café, 😀 yes", "ab cd"]
    theirs = CountVectorizer(analyzer=analyzer, ngram_range=ngram_range).build_analyzer()
    backend = "char_ngrams" if analyzer == "char" else "char_wb"
    ours = Tokenize(backend=backend, ngram_range=ngram_range).fit_transform(texts)
    assert ours == [theirs(t) for t in texts]


def test_char_ngrams_collapse_whitespace_and_strip_the_ends():
    assert tok("  a \n b ", backend="char_ngrams", ngram_range=(3, 3)) == ["a b"]


@pytest.mark.parametrize("bad", [(0, 2), (3, 2), (1,), (1.0, 2), ("1", "2"), (True, 2)])
def test_bad_ngram_range_is_rejected(bad):
    with pytest.raises(ConfigError, match="parameter 'ngram_range'"):
        Tokenize(backend="char_ngrams", ngram_range=bad).fit(["x"])


def test_ngram_range_may_be_a_list_as_yaml_gives_it():
    assert tok("abc", backend="char_ngrams", ngram_range=[3, 3]) == ["abc"]


def test_unknown_backend_is_rejected_naming_the_parameter():
    with pytest.raises(InvalidParameterError, match="'backend' parameter"):
        Tokenize(backend="bert").fit(["x"])


# -- every backend ----------------------------------------------------------------
BACKENDS = [
    {"backend": "regex"},
    {"backend": "spacy"},
    {"backend": "nltk"},
    {"backend": "nltk", "nltk_tokenizer": "tweet"},
    {"backend": "whitespace"},
    {"backend": "char_ngrams"},
    {"backend": "char_wb"},
]


@pytest.mark.parametrize("params", BACKENDS, ids=lambda p: "-".join(p.values()))
def test_every_backend_handles_empty_unicode_and_one_megabyte_documents(params):
    docs = ["", "   ", "héllo wörld 😀 👍🏽", "a\u0085b\u2028c", "שלום עולם", "e\u0301",
            "word " * 200_000]
    out = Tokenize(**params).fit_transform(docs)
    assert len(out) == len(docs)
    assert out[0] == [] and out[1] == []
    assert all(isinstance(t, str) and t for doc in out for t in doc)
    assert len(out[-1]) >= 200_000
