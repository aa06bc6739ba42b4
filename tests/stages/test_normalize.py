"""Normalize: Unicode form, case, accents, placeholders and whitespace, in that order."""

import time

import pytest
from sklearn.utils._param_validation import InvalidParameterError

from textpipe.stages.normalize import Normalize


def norm(text, **params):
    return Normalize(**params).fit_transform([text])[0]


def test_defaults_lowercase_fold_compatibility_characters_and_collapse_whitespace():
    assert norm("  The ＦＩＬＭ\twas\n\n ﬁne  ") == "the film was fine"


def test_defaults_replace_urls_and_emails_but_keep_numbers_and_mentions():
    text = "Mail bob@example.com or see https://example.org/a?b=1 and www.x.org, @ann 42"
    assert norm(text) == "mail <email> or see <url> and <url>, @ann 42"


def test_url_keeps_trailing_punctuation_out():
    assert norm("see http://x.org/page.") == "see <url>."
    assert norm("(http://x.org/a)") == "(<url>)"


def test_url_containing_an_at_sign_or_digits_is_replaced_whole():
    text = "http://user@host.com/path/123 done"
    assert norm(text, mentions="<user>", numbers="<num>") == "<url> done"


def test_email_is_not_half_eaten_by_the_mention_rule():
    assert norm("write to bob@example.com", mentions="<user>") == "write to <email>"
    # even when e-mails are left alone, the mention rule does not cut into them
    assert norm("write to bob@example.com", emails=None, mentions="<user>") == (
        "write to bob@example.com"
    )
    assert norm("@bob and bob@x.org", mentions="<user>") == "<user> and <email>"


def test_numbers_are_stand_alone_numbers_only():
    text = "42 films, 3.14 stars, 1,000 fans, mp3 and 3rd place"
    assert norm(text, numbers="<num>") == "<num> films, <num> stars, <num> fans, mp3 and 3rd place"


def test_empty_placeholder_removes_and_none_leaves():
    assert norm("a http://x.org b", urls="") == "a b"
    assert norm("a http://x.org b", urls=None) == "a http://x.org b"
    assert norm("hi @bob", mentions="") == "hi"


def test_placeholders_are_inserted_as_given_after_lowercasing():
    assert norm("SEE WWW.X.ORG", urls="<URL>") == "see <URL>"


def test_lowercase_false_keeps_case():
    assert norm("The Film", lowercase=False) == "The Film"


def test_unicode_form_none_leaves_compatibility_characters():
    assert norm("ﬁne ＡＢ", unicode_form=None, lowercase=False) == "ﬁne ＡＢ"
    assert norm("ﬁne ＡＢ", lowercase=False) == "fine AB"


def test_unicode_forms_compose_or_decompose():
    decomposed = "cafe\u0301"
    assert norm(decomposed, unicode_form="NFC") == "caf\u00e9"
    assert norm("caf\u00e9", unicode_form="NFD") == decomposed


def test_strip_accents_removes_combining_marks_and_keeps_other_scripts():
    assert norm("Café Zoë naïve Ångström", strip_accents=True) == "cafe zoe naive angstrom"
    assert norm("שָׁלוֹם 한국어", strip_accents=True) == "שלום 한국어"  # Hangul recomposed


def test_lowercasing_that_breaks_the_normal_form_is_renormalized():
    # "İ".lower() is "i" + COMBINING DOT ABOVE; the result must still be NFKC
    import unicodedata

    out = norm("İSTANBUL")
    assert unicodedata.is_normalized("NFKC", out)


def test_unicode_line_breaks_count_as_whitespace():
    assert norm("a\u0085b\u2028c\u2029d\x1ce") == "a b c d e"


def test_collapse_whitespace_false_keeps_it():
    assert norm(" a \n b ", collapse_whitespace=False) == " a \n b "


def test_empty_and_whitespace_only_documents_become_empty():
    assert Normalize().fit_transform(["", " \n\t "]) == ["", ""]


def test_idempotent_with_placeholders_everywhere():
    params = dict(numbers="<num>", mentions="<user>", strip_accents=True)
    text = "Écrivez à Zoë@ex.fr, @zoe: 1,5 € sur https://x.fr/é 2 fois!"
    once = norm(text, **params)
    assert norm(once, **params) == once


@pytest.mark.parametrize(
    "piece",
    ["a" * 1000, "@" * 1000, "a." * 500, "1." * 500, "a@" * 500, "http://" + "a" * 1000,
     "www." * 250, "-" * 1000],
)
def test_one_megabyte_document_runs_in_linear_time(piece):
    doc = piece * (1_000_000 // len(piece))
    start = time.perf_counter()
    out = Normalize(numbers="<n>", mentions="<m>").fit_transform([doc])
    assert time.perf_counter() - start < 5
    assert isinstance(out[0], str)


def test_bad_unicode_form_is_rejected_at_fit_naming_the_parameter():
    est = Normalize(unicode_form="NFX")  # __init__ does not validate
    with pytest.raises(InvalidParameterError, match="unicode_form"):
        est.fit(["x"])


def test_placeholder_must_be_str_or_none():
    with pytest.raises(InvalidParameterError, match="urls"):
        Normalize(urls=1).fit(["x"])
