"""Invariants of the text and token stages on arbitrary Unicode (hypothesis)."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from textpipe.stages.lemmatize import Lemmatize
from textpipe.stages.normalize import Normalize
from textpipe.stages.phrases import Phrases
from textpipe.stages.stem import Stem
from textpipe.stages.stopwords import Stopwords
from textpipe.stages.tokenize import DEFAULT_PATTERN, Tokenize

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any text without surrogates, with words and spaces mixed in often enough to matter.
texts = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",))),
    st.lists(st.sampled_from(["the", "Film", "isn't", "NOT", "bad", ",", "!", "42", "3.5", " ",
                              "\n", "\u2028", "\u0085", "😀", "é", "e\u0301", "@bob", "a@b.co",
                              "http://x.org", "ǅ", "İ", "ﬁ", "'", "’", "_"]), max_size=30)
    .map("".join),
)
corpora = st.lists(texts, max_size=8)
tokens = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
token_corpora = st.lists(
    st.lists(st.one_of(tokens, st.sampled_from(["the", "a", "not", "films", "running", "The"])),
             max_size=12),
    max_size=8,
)

FITTED = {}


def fitted(key, make):
    """Fit each configuration once; hypothesis calls the tests many times."""
    if key not in FITTED:
        FITTED[key] = make().fit([["x"]] if make().consumes == "tokens" else ["x"])
    return FITTED[key]


# -- normalize ----------------------------------------------------------------------
@SETTINGS
@given(corpora)
def test_normalize_gives_one_str_per_document_and_is_idempotent(docs):
    norm = fitted("normalize", Normalize)
    once = norm.transform(docs)
    assert len(once) == len(docs) and all(isinstance(d, str) for d in once)
    assert norm.transform(once) == once


@SETTINGS
@given(corpora)
def test_normalize_with_accents_stripped_and_numbers_replaced_is_idempotent(docs):
    norm = fitted("normalize-all", lambda: Normalize(strip_accents=True, numbers="<num>"))
    once = norm.transform(docs)
    assert norm.transform(once) == once


@SETTINGS
@given(corpora)
def test_collapsed_whitespace_is_single_spaces_without_ends(docs):
    for doc in fitted("normalize", Normalize).transform(docs):
        assert doc == " ".join(doc.split())


# -- tokenize -----------------------------------------------------------------------
@SETTINGS
@given(corpora)
def test_default_regex_fast_path_equals_findall(docs):
    findall = re.compile(DEFAULT_PATTERN).findall
    out = fitted("tokenize", Tokenize).transform(docs)
    assert out == [findall(d.lower()) for d in docs]


@SETTINGS
@given(corpora, st.sampled_from(["regex", "whitespace", "nltk", "spacy"]))
def test_word_tokens_are_non_empty_and_hold_no_whitespace(docs, backend):
    out = fitted(backend, lambda: Tokenize(backend=backend)).transform(docs)
    assert len(out) == len(docs)
    for doc in out:
        assert all(isinstance(t, str) and t and not any(c.isspace() for c in t) for t in doc)


@SETTINGS
@given(corpora)
def test_tweet_tokens_are_non_empty(docs):
    out = fitted("tweet", lambda: Tokenize(backend="nltk", nltk_tokenizer="tweet")).transform(docs)
    assert len(out) == len(docs) and all(t for doc in out for t in doc)


@SETTINGS
@given(corpora)
def test_spacy_tokens_of_a_document_are_those_of_its_chunks(docs):
    est = fitted("spacy-case", lambda: Tokenize(backend="spacy", lowercase=False))
    nlp = est._spacy().nlp
    out = est.transform(docs)
    for doc, ours in zip(docs, out):
        theirs = [t.text for chunk in doc.split() for t in nlp.tokenizer(chunk)]
        assert ours == theirs


@SETTINGS
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")),
                        max_size=20), max_size=8))
def test_spacy_tokens_of_a_single_chunk_are_spacys(docs):
    est = fitted("spacy-case", lambda: Tokenize(backend="spacy", lowercase=False))
    nlp = est._spacy().nlp
    docs = ["".join(d.split()) for d in docs]  # no whitespace left at all
    assert est.transform(docs) == [[t.text for t in nlp.tokenizer(d)] for d in docs]


@SETTINGS
@given(corpora, st.integers(1, 3), st.integers(0, 2), st.sampled_from(["char_ngrams", "char_wb"]))
def test_char_ngrams_have_lengths_in_range(docs, min_n, extra, backend):
    est = Tokenize(backend=backend, ngram_range=(min_n, min_n + extra)).fit([""])
    for grams in est.transform(docs):
        if backend == "char_ngrams":
            assert all(min_n <= len(g) <= min_n + extra for g in grams)
        else:  # a short word padded with spaces is kept once, whatever its length
            assert all(len(g) <= min_n + extra or g.startswith(" ") and g.endswith(" ")
                       for g in grams)


# -- token stages -----------------------------------------------------------------------
@SETTINGS
@given(token_corpora)
def test_stopwords_never_outputs_a_stop_word_and_keeps_order(docs):
    est = fitted("stopwords", lambda: Stopwords(keep=["not"]))
    out = est.transform(docs)
    assert len(out) == len(docs)
    for doc, kept in zip(docs, out):
        assert all(t.lower() not in est.stop_words_ for t in kept)
        assert kept == [t for t in doc if t in kept]  # a subsequence, in order
        assert doc.count("not") == kept.count("not")


@SETTINGS
@given(token_corpora)
def test_stopwords_is_idempotent(docs):
    est = fitted("stopwords-filters", lambda: Stopwords(drop_punctuation=True, drop_numbers=True,
                                                        min_length=2))
    once = est.transform(docs)
    assert est.transform(once) == once


@SETTINGS
@given(token_corpora, st.sampled_from(["snowball", "porter", "lancaster"]))
def test_stem_keeps_one_token_per_token(docs, algorithm):
    out = fitted(algorithm, lambda: Stem(algorithm=algorithm)).transform(docs)
    assert [len(d) for d in out] == [len(d) for d in docs]
    assert all(isinstance(t, str) for d in out for t in d)


@SETTINGS
@given(token_corpora)
def test_lemmatize_keeps_one_token_per_token(docs):
    out = fitted("lemmatize", Lemmatize).transform(docs)
    assert [len(d) for d in out] == [len(d) for d in docs]
    assert all(isinstance(t, str) for d in out for t in d)


@SETTINGS
@given(token_corpora)
def test_phrases_only_join_adjacent_tokens(docs):
    est = Phrases(min_count=1, threshold=0.0, scoring="npmi", delimiter="\x1f").fit(docs or [[]])
    out = est.transform(docs)
    assert len(out) == len(docs)
    for doc, joined in zip(docs, out):
        assert "\x1f".join(joined) == "\x1f".join(doc)
